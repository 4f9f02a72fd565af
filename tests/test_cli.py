"""The command line: exit codes, files written, messages instead of tracebacks."""

import json

import pandas as pd
import pytest

from abs_tool.cli import main
from abs_tool.samples import sample_pool
from abs_tool.tape import load_tape, write_tape


def test_validate_tape_exit_codes(tmp_path, capsys):
    good = tmp_path / "good.csv"
    write_tape(sample_pool("consumer", n_loans=20), good)
    assert main(["validate-tape", str(good)]) == 0
    assert "OK: 20 loans" in capsys.readouterr().out

    bad = tmp_path / "bad.csv"
    bad.write_text("loan_id,balance,rate,remaining_term\nA1,-5,0.1,12\nA1,100,0.1,12\n")
    assert main(["validate-tape", str(bad)]) == 2
    out = capsys.readouterr().out
    assert "row 2, column `balance`" in out
    assert "row 3, column `loan_id`" in out


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
