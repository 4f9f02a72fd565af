"""The command line: exit codes, files written, messages instead of tracebacks."""

import json

import pandas as pd
import pytest

from abs_tool import load_tape, pool_summary, sample_pool, write_tape
from abs_tool.cli import main
from abs_tool.io.dealfile import sample_deal_path


def test_validate_tape_exit_codes(tmp_path, capsys):
    good = tmp_path / "good.csv"
    write_tape(sample_pool("consumer", n_loans=20), good)
    assert main(["validate-tape", str(good)]) == 0
    assert "OK: 20 loans" in capsys.readouterr().out

    bad = tmp_path / "bad.csv"
    bad.write_text("loan_id,balance,rate,remaining_term\nA1,-5,0.1,12\nA1,100,0.1,12\n")
    assert main(["validate-tape", str(bad)]) == 2
    out = capsys.readouterr().out
    assert "bad.csv: 2 error(s), 0 warning(s)" in out
    rows = [line.split() for line in out.splitlines()]
    assert ["error", "2", "balance", "-5"] in [r[:4] for r in rows]  # severity, row, column, value
    assert ["error", "3", "loan_id", "A1"] in [r[:4] for r in rows]


def test_sample_pool_writes_a_loadable_tape(tmp_path):
    out = tmp_path / "factoring.xlsx"
    assert main(["sample-pool", "factoring", "--loans", "30", "--out", str(out)]) == 0
    pd.testing.assert_frame_equal(load_tape(out).loans,
                                  sample_pool("factoring", n_loans=30).loans)


def test_cashflows_writes_the_period_table(tmp_path, capsys):
    out = tmp_path / "periods.csv"
    assert main(["cashflows", "consumer", "--cdr", "0.05", "--recovery", "0.2",
                 "--out", str(out)]) == 0
    assert "优先A级" in capsys.readouterr().out
    table = pd.read_csv(out, index_col="period")
    assert len(table) == 36
    assert {"pool.default", "优先A级.principal_paid", "次级.writedown"} <= set(table.columns)


def test_grid_is_tidy(capsys):
    assert main(["grid", "factoring", "--cdr", "0,0.2", "--recovery", "0.3"]) == 0
    out = capsys.readouterr().out
    assert out.count("优先A级") == 2


def test_run_writes_the_documented_json(tmp_path):
    out = tmp_path / "results.json"
    assert main(["run", "consumer", "--paths", "500", "--seed", "3", "--quiet",
                 "--out-json", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert (data["paths"], data["seed"]) == (500, 3)
    keys = {"name", "balance", "coupon", "expected_loss", "expected_loss_se", "pd", "pd_se",
            "wal_years", "irr_mean", "dirr_bp", "bdr", "implied_ratings"}
    for row in data["classes"]:
        assert keys <= set(row)
    assert set(data["classes"][0]["implied_ratings"]) == {"el", "pd", "dirr", "tdr"}
    for row in data["classes"]:
        assert row["tdr_pass"] == {level: row["bdr"] >= tdr
                                   for level, tdr in row["tdr_by_rating"].items()}
    assert set(data["cost_of_funds"]) == {"wa_coupon", "all_in", "benchmark", "saving_bp",
                                          "upfront_fees", "excess_spread_annual"}


def test_user_errors_are_messages_not_tracebacks(tmp_path, capsys):
    assert main(["cashflows", str(tmp_path / "missing.json")]) == 2
    assert "no such deal file, and not a sample deal" in capsys.readouterr().err
    deal = tmp_path / "deal.json"
    deal.write_text('{"version": 2}')
    assert main(["cashflows", str(deal)]) == 2
    assert "unsupported deal file version 2" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--version"], ["run", "--help"]])
def test_help_and_version(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 0


# --- every option is checked before any work (docs/limits.md) ------------------------------


@pytest.fixture
def no_work(monkeypatch):
    """Fail if a command gets as far as loading a deal or a tape."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("work started before the options were checked")

    monkeypatch.setattr("abs_tool.cli._load_deal", refuse)
    monkeypatch.setattr("abs_tool.io.tape.load_tape", refuse)
    monkeypatch.setattr("abs_tool.io.tape.inspect_tape", refuse)


@pytest.mark.parametrize(("args", "message"), [
    (["run", "consumer", "--paths", "0"],
     "argument --paths: must be an integer from 1 to 10,000,000 (got '0')"),
    (["run", "consumer", "--paths", "-5"], "argument --paths: must be an integer from 1"),
    (["run", "consumer", "--paths", str(10**12)], "argument --paths: must be an integer"),
    (["run", "consumer", "--paths", "9" * 5000], "argument --paths: must be an integer"),
    (["run", "consumer", "--seed", "-1"],
     "argument --seed: must be an integer from 0 to 18,446,744,073,709,551,615 (got '-1')"),
    (["run", "consumer", "--seed", "1.5"], "argument --seed: must be an integer"),
    (["run", "consumer", "--workers", "0"],
     "argument --workers: must be an integer from 1 to 256 (got '0')"),
    (["structure", "consumer", "--grid-paths", "0"], "argument --grid-paths: must be an int"),
    (["sample-pool", "consumer", "--loans", "0", "--out", "x.csv"],
     "argument --loans: must be an integer from 1 to 2,000,000 (got '0')"),
    (["sample-pool", "consumer", "--seed", "-2", "--out", "x.csv"],
     "argument --seed: must be an integer from 0"),
    (["cashflows", "consumer", "--cdr", "nan"],
     "argument --cdr: must be a finite number in [0, 1) (got 'nan')"),
    (["cashflows", "consumer", "--cdr", "1"], "argument --cdr: must be a finite number in [0, 1)"),
    (["cashflows", "consumer", "--recovery", "1.5"],
     "argument --recovery: must be a finite number in [0, 1] (got '1.5')"),
    (["cashflows", "consumer", "--recovery=-inf"], "argument --recovery: must be a finite"),
    (["cashflows", "consumer", "--cpr", "inf"], "argument --cpr: must be a finite number"),
    (["cashflows", "consumer", "--lag", "601"],
     "argument --lag: must be an integer from 0 to 600 (got '601')"),
    (["cashflows", "consumer", "--multiplier", "-1"],
     "argument --multiplier: must be a finite number in [0, inf) (got '-1')"),
    (["grid", "consumer", "--cdr", "0.1,nan", "--recovery", "0.3"],
     "argument --cdr: must be a finite number in [0, 1) (got 'nan')"),
    (["grid", "consumer", "--cdr", ",", "--recovery", "0.3"],
     "argument --cdr: expected numbers separated by commas"),
    (["grid", "consumer", "--cdr", "0.1", "--recovery", "0.3,2"],
     "argument --recovery: must be a finite number in [0, 1] (got '2')"),
    (["structure", "consumer", "--step", "0"],
     "argument --step: must be a finite number in [0.0001, 0.1] (got '0')"),
    (["structure", "consumer", "--retained", "1"],
     "argument --retained: must be a finite number in [0, 1) (got '1')"),
    (["structure", "consumer", "--targets", "AAA,ZZZ"],
     "argument --targets: unknown rating 'ZZZ'"),
    (["structure", "consumer", "--grid", "correlation=0.1,1.5", "lag_months=0"],
     "argument --grid: correlation: must be in [0, 1) (got 1.5)"),
    (["structure", "consumer", "--grid", "correlation=0.1", "lag_months=0.5"],
     "argument --grid: lag_months: must be in whole months in [0, 600] (got 0.5)"),
    (["structure", "consumer", "--grid", "pd=0.1", "lag_months=0"],
     "argument --grid: parameter: unknown sensitivity parameter 'pd'"),
    (["structure", "consumer", "--grid", "correlation=inf", "lag_months=0"],
     "argument --grid: correlation: must be in [0, 1) (got inf)"),
    (["structure", "consumer", "--grid", "correlation=0.1"], "argument --grid: expected 2"),
    (["structure", "consumer", "--grid", "correlation=a", "lag_months=0"],
     "argument --grid: expected PARAMETER=v1,v2,... with numbers (got 'correlation=a')"),
    (["summary", "consumer", "--by", "colour"], "argument --by: invalid choice: 'colour'"),
    (["run", "deal\0.json"], "a path may not contain a NUL character"),
    (["run", "consumer", "--el-table", "t\0.csv"], "a path may not contain a NUL character"),
])
def test_bad_options_are_refused_before_any_work(no_work, capsys, args, message):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize("option", [
    ["cashflows", "consumer", "--out"], ["grid", "consumer", "--cdr", "0.1", "--recovery",
                                         "0.2", "--out"],
    ["run", "consumer", "--out-json"], ["run", "consumer", "--out-xlsx"],
    ["structure", "consumer", "--out-json"], ["sample-pool", "consumer", "--out"],
    ["summary", "consumer", "--out"], ["summary", "consumer", "--by", "grade", "--out-strats"],
    ["validate-tape", "tape.csv", "--report-out"],
])
@pytest.mark.parametrize(("target", "message"), [
    ("missing/out.csv", "the folder {tmp}/missing does not exist"),
    (".", ": is a folder; give the path of a file to write"),
    ("out\0.csv", "a path may not contain a NUL character"),
])
def test_unwritable_outputs_are_named_before_any_work(no_work, capsys, tmp_path, option,
                                                      target, message):
    assert main([*option, str(tmp_path / target)]) == 2
    err = capsys.readouterr().err
    assert message.format(tmp=tmp_path) in err
    assert ".tmp" not in err


def test_an_absurd_horizon_is_refused_at_once(tmp_path, capsys):
    deal = json.loads(sample_deal_path("consumer").read_text(encoding="utf-8"))
    deal["dates"]["legal_final"] = "9999-12-31"
    path = tmp_path / "far.json"
    path.write_text(json.dumps(deal), encoding="utf-8")
    assert main(["run", str(path), "--quiet"]) == 2
    assert ("dates.legal_final: the horizon from the cut-off (2015-10-01) to the legal final "
            "date is 95,810 months, over the limit of 600 months (50 years)"
            in capsys.readouterr().err)


def test_a_run_over_the_budget_is_refused_with_the_option(monkeypatch, capsys):
    monkeypatch.setenv("ABS_TOOL_MAX_SECONDS", "1")
    assert main(["run", "consumer", "--paths", "10000000", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "error: paths: a run of 10,000,000 paths" in err
    assert "over the limit of 1 s (got 10,000,000)" in err


# --- failures are messages, never tracebacks -----------------------------------------------


def _raising(exc: BaseException):
    def command(_args):
        raise exc

    return command


@pytest.mark.parametrize(("exc", "code", "message"), [
    (RuntimeError("state in /srv/secret/module.py"), 1,
     "internal error (RuntimeError): a bug in abs-tool, not a problem with the input; rerun "
     "with --debug (or ABS_TOOL_DEBUG=1) to see the traceback"),
    (MemoryError(), 1, "error: out of memory: the machine could not hold this run"),
    (KeyboardInterrupt(), 130, "interrupted"),
])
def test_unexpected_failures_are_one_line_without_traceback(monkeypatch, capsys, exc, code,
                                                            message):
    monkeypatch.delenv("ABS_TOOL_DEBUG", raising=False)
    monkeypatch.setattr("abs_tool.cli.cmd_grid", _raising(exc))
    assert main(["grid", "consumer", "--cdr", "0.1", "--recovery", "0.2"]) == code
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert "/srv/secret" not in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("switch", ["flag", "environment"])
def test_debug_shows_the_internal_error(monkeypatch, switch):
    monkeypatch.setattr("abs_tool.cli.cmd_grid", _raising(RuntimeError("the bug")))
    args = ["grid", "consumer", "--cdr", "0.1", "--recovery", "0.2"]
    if switch == "flag":
        args.insert(0, "--debug")
    else:
        monkeypatch.setenv("ABS_TOOL_DEBUG", "1")
    with pytest.raises(RuntimeError, match="the bug"):
        main(args)


def test_malformed_deal_files_are_messages(tmp_path, capsys):
    cases = {
        "deep.json": "[" * 100_000 + "]" * 100_000,
        "digits.json": '{"version": 1, "name": "x", "run": {"paths": ' + "9" * 5000 + "}}",
        "nan.json": '{"version": NaN}',
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert main(["cashflows", str(tmp_path / name)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: {tmp_path / name}: ")
        assert "Traceback" not in err
    with (tmp_path / "huge.json").open("wb") as huge:
        huge.truncate(65 * 2**20)  # sparse: refused by its size before it is read
    assert main(["cashflows", str(tmp_path / "huge.json")]) == 2
    assert f"the file has {65 * 2**20:,} bytes, over the limit" in capsys.readouterr().err


# --- formula-safe CSVs ---------------------------------------------------------------------

HOSTILE = "=HYPERLINK(\"http://x\",\"y\")"


def test_summary_csvs_neutralise_hostile_text(tmp_path):
    pool = sample_pool("consumer", n_loans=30)
    loans = pool.loans.assign(region=["+cmd|' /C calc'!A0"] * 10 + ["广东"] * 20,
                              grade=[HOSTILE] * 30)
    tape = tmp_path / "tape.csv"
    write_tape(type(pool)(loans, "hostile"), tape)
    summary, strats = tmp_path / "summary.csv", tmp_path / "strats.csv"
    assert main(["summary", str(tape), "--by", "region", "grade", "--out", str(summary),
                 "--out-strats", str(strats)]) == 0
    table = pd.read_csv(summary, keep_default_na=False)
    assert list(table.columns) == ["label", "value", "unit"]
    assert len(table) == len(pool_summary(pool).to_frame())
    table = pd.read_csv(strats, keep_default_na=False)
    assert list(table.columns[:3]) == ["by", "bucket", "count"]
    assert set(table["by"]) == {"region", "grade"}
    assert "'+cmd|' /C calc'!A0" in set(table["bucket"])
    assert "'" + HOSTILE in set(table["bucket"])
    assert not table["bucket"].str.match(r"[=+\-@]").any()


def test_summary_strats_need_columns(tmp_path, capsys):
    assert main(["summary", "consumer", "--out-strats", str(tmp_path / "s.csv")]) == 2
    assert "--out-strats writes the stratification tables" in capsys.readouterr().err


def test_validation_report_csv_neutralises_hostile_values(tmp_path):
    tape = tmp_path / "bad.csv"
    tape.write_text(f"loan_id,balance,rate,remaining_term\nA1,{HOSTILE},0.1,12\n"
                    "@SUM(1),100,0.1,12\n", encoding="utf-8")
    report = tmp_path / "report.csv"
    assert main(["validate-tape", str(tape), "--report-out", str(report)]) == 2
    table = pd.read_csv(report, keep_default_na=False)
    assert list(table.columns) == ["severity", "row", "column", "value", "reason"]
    assert (table["severity"] == "error").any()
    for column in ("value", "reason"):
        assert not table[column].str.match(r"[=+\-@]").any()
    assert table["value"].str.contains("HYPERLINK", regex=False).any()
