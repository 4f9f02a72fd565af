"""Static-pool files (abs_tool.io.static_pool), the sample generator and the two commands.

Every bad input is a named finding at its file, row and column; the shapes read to the same
triangle; the samples are the stated truth; the CLI writes the documented JSON and a deal
that loads and runs.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from abs_tool import (
    StaticPoolError,
    inspect_static_pool,
    load_deal,
    load_deal_pool,
    load_static_pool,
    prepare_deal,
    run_scenario,
    sample_static_pool,
    static_pool_truth,
    write_static_pool,
)
from abs_tool.cli import main
from abs_tool.engine.deterministic import Scenario
from abs_tool.errors import FieldError, InputError, TapeError
from abs_tool.io.static_pool import StaticPoolData, parse_month, static_pool_bytes
from abs_tool.model.assumptions import LifetimeDefault

LONG = """vintage,months_on_book,original_balance,cumulative_default_balance,original_count,\
cumulative_default_count
2015-01,1,1000,0,10,0
2015-01,2,1000,10,10,1
2015-01,3,1000,20,10,2
2015-02,1,2000,5,20,1
2015-02,2,2000,20,20,2
2015-03,1,1500,0,15,0
"""
EXPECTED = np.array([[0, 10, 20], [5, 20, np.nan], [0, np.nan, np.nan]])


def _load(text: str, **kwargs) -> StaticPoolData:
    return load_static_pool(text.encode("utf-8"), file_name="sp.csv", **kwargs)


def _errors(text: str, **kwargs) -> str:
    data, report = inspect_static_pool(text.encode("utf-8"), file_name="sp.csv", **kwargs)
    assert data is None
    return str(report)


def test_long_shape():
    data = _load(LONG)
    assert data.vintages == ("2015-01", "2015-02", "2015-03")
    assert np.array_equal(data.cumulative_default_balance, EXPECTED, equal_nan=True)
    assert np.array_equal(data.original_balance, [1000, 2000, 1500])
    assert np.array_equal(data.observed_months, [3, 2, 1])
    assert data.cumulative_default_count is not None
    assert data.cumulative_default_count[0, 2] == 2


def test_chinese_headers_and_month_spellings():
    text = ("放款月份,账龄,放款金额（元）,累计违约金额,放款笔数,累计违约笔数\n"
            "2015/01,1,1000,0,10,0\n2015年1月,2,1000,10,10,1\n201501,3,1000,20,10,2\n"
            "2015-02-01,1,2000,5,20,1\n2015-02,2,2000,20,20,2\n2015.03,1,1500,0,15,0\n")
    assert np.array_equal(_load(text).cumulative_default_balance, EXPECTED, equal_nan=True)


def test_wide_shape_reads_the_same_triangle():
    text = ("vintage,original_balance,1,2,3\n2015-01,1000,0,10,20\n2015-02,2000,5,20,\n"
            "2015-03,1500,0,,\n")
    data = _load(text)
    assert np.array_equal(data.cumulative_default_balance, EXPECTED, equal_nan=True)
    headers = _load(text.replace(",1,2,3", ",M1,MOB2,第3期"))
    assert np.array_equal(headers.cumulative_default_balance, EXPECTED, equal_nan=True)


def test_loan_level_history_is_aggregated():
    text = ("loan_id,vintage,original_balance,default_month,default_balance,recovery_month,"
            "recovery_balance\n"
            "L1,2015-01,600,2015-03,500,2015-06,100\n"
            "L2,2015-01,400,,,,\n"
            "L3,2015-02,1000,2015-03,800,2015-05,200\n"
            "L4,2015-02,1000,,,,\n"
            "L5,2015-03,700,,,,\n")
    data, report = inspect_static_pool(text.encode(), file_name="loans.csv", as_of="2015-06")
    assert data is not None, report
    assert data.vintages == ("2015-01", "2015-02", "2015-03")
    assert np.array_equal(data.original_balance, [1000, 2000, 700])
    # 2015-01 observed 5 months; L1 defaults 2 months on book (March), recovers at 5.
    assert np.array_equal(data.cumulative_default_balance[0], [0, 500, 500, 500, 500])
    assert np.array_equal(data.cumulative_recovery_balance[0], [0, 0, 0, 0, 100])
    assert np.array_equal(data.cumulative_default_balance[1, :4], [800, 800, 800, 800])
    assert np.isnan(data.cumulative_default_balance[1, 4])
    assert data.cumulative_default_count is not None
    assert np.array_equal(data.cumulative_default_count[:, 0], [0, 1, 0])
    # Recovery-weighted mean lag: (100 * 3 + 200 * 2) / 300 months.
    assert data.recovery_lag_months == pytest.approx(7 / 3)


def test_loan_level_as_of_defaults_to_the_latest_month_with_a_warning():
    text = "loan_id,vintage,original_balance,default_month,default_balance\nA,2015-01,10,,\n" \
           "B,2015-02,10,2015-04,5\n"
    data, report = inspect_static_pool(text.encode(), file_name="loans.csv")
    assert data is not None
    assert data.n_months == 3
    assert "observed up to 2015-04, the latest month in the file" in str(report)


def test_xlsx_and_csv_round_trip_the_sample(tmp_path):
    data = sample_static_pool("factoring")
    for suffix in ("csv", "xlsx"):
        path = tmp_path / f"sp.{suffix}"
        write_static_pool(data, path)
        back = load_static_pool(path)
        assert back.vintages == data.vintages
        for name in ("original_balance", "cumulative_default_balance", "original_count",
                     "cumulative_default_count", "cumulative_prepaid_balance",
                     "cumulative_recovery_balance", "outstanding_balance"):
            assert np.array_equal(getattr(back, name), getattr(data, name), equal_nan=True), \
                name
    wide = load_static_pool(static_pool_bytes(data, "csv", "wide"), file_name="w.csv")
    assert np.array_equal(wide.cumulative_default_balance, data.cumulative_default_balance,
                          equal_nan=True)


# --- named errors, each at its row and column ------------------------------------------------


def test_falling_cumulative_defaults():
    text = LONG.replace("2015-01,3,1000,20,10,2", "2015-01,3,1000,8,10,2")
    with pytest.raises(StaticPoolError, match=r"sp.csv, row 4, column "
                       r"`cumulative_default_balance`: vintage 2015-01: "
                       r"`cumulative_default_balance` falls from 10 to 8 at month on book 3"):
        _load(text)


def test_more_defaults_than_balance():
    text = LONG.replace("2015-02,2,2000,20,20,2", "2015-02,2,2000,2500,20,25")
    message = _errors(text)
    assert ("row 6, column `cumulative_default_balance`: vintage 2015-02: more defaults than "
            "the vintage's `original_balance` (2000)") in message
    assert ("row 6, column `cumulative_default_count`: vintage 2015-02: more defaulted loans "
            "than the vintage's `original_count` (20)") in message


def test_gap_in_months_on_book_is_an_error_unless_allowed():
    text = LONG.replace("2015-01,2,1000,10,10,1\n", "")
    with pytest.raises(StaticPoolError, match=r"row 3, column `months_on_book`: vintage 2015-01 "
                       r"has no figures for month\(s\) on book 2 inside its observed months 1 to 3;"
                       r" add them, or allow gaps"):
        _load(text)
    data, report = inspect_static_pool(text.encode(), file_name="sp.csv", allow_gaps=True)
    assert data is not None
    assert data.cumulative_default_balance[0, 1] == 10  # halfway between 0 and 20
    assert "interpolated linearly" in str(report.warnings[0])


def test_every_problem_is_reported_at_once():
    text = ("vintage,months_on_book,original_balance,cumulative_default_balance\n"
            "2015-01,1,1000,0\n2015-01,3,1000,20\n2015-02,1,2000,5\n2015-02,2,2000,3\n"
            "2015-13,1,1500,0\n")
    data, report = inspect_static_pool(text.encode(), file_name="sp.csv")
    assert data is None
    assert [(i.row, i.column) for i in report.errors] == [
        (3, "months_on_book"), (5, "cumulative_default_balance"), (6, "vintage")]


def test_duplicate_month_and_inconsistent_balance():
    text = LONG + "2015-03,1,1600,0,15,0\n"
    message = _errors(text)
    assert ("row 8, column `original_balance`: `original_balance` of vintage 2015-03 differs "
            "from row 7 (1500)") in message
    assert ("row 8, column `months_on_book`: vintage 2015-03 month on book 1 is given twice, "
            "first in row 7") in message


@pytest.mark.parametrize(("old", "new", "match"), [
    ("2015-02,1,2000", "2015-13,1,2000", r"row 5, column `vintage`: `vintage` must be a month "
                                         r"YYYY-MM.*\(got '2015-13'\)"),
    ("2015-02,1,2000", "2015-02,0,2000", r"row 5, column `months_on_book`: `months_on_book` "
                                         r"must be a whole number from 1 to 600"),
    ("2015-02,1,2000", "2015-02,1.5,2000", r"row 5, column `months_on_book`: `months_on_book` "
                                           r"must be a whole number of months"),
    ("2015-02,1,2000,5", "2015-02,1,2000,-5", r"row 5, column `cumulative_default_balance`: "
                                              r"`cumulative_default_balance` must be an amount "
                                              r"from 0"),
    ("2015-02,1,2000,5", "2015-02,1,,5", r"row 5, column `original_balance`: required value "
                                         r"`original_balance` is empty"),
])
def test_bad_cells(old, new, match):
    with pytest.raises(StaticPoolError, match=match):
        _load(LONG.replace(old, new))


def test_missing_required_column_and_unknown_shape():
    text = LONG.replace("cumulative_default_balance", "defaults")
    with pytest.raises(StaticPoolError, match="required column `cumulative_default_balance` "
                       "of the long shape is missing.*or '累计违约金额'"):
        _load(text)
    with pytest.raises(StaticPoolError, match="cannot tell the shape of the data"):
        _load("vintage,original_balance\n2015-01,100\n")
    with pytest.raises(StaticPoolError, match="required column `months_on_book` is missing"):
        _load("vintage,original_balance,1\n2015-01,100,0\n", shape="long")


def test_counts_need_both_columns():
    text = "\n".join(",".join(line.split(",")[:5]) for line in LONG.splitlines())
    with pytest.raises(StaticPoolError, match="give `original_count` and "
                       "`cumulative_default_count` together"):
        _load(text)


def test_loan_level_errors():
    text = ("loan_id,vintage,original_balance,default_month,default_balance\n"
            "A,2015-03,100,2015-02,50\nB,2015-01,100,2015-02,150\nB,2015-01,100,2015-02,\n"
            "=cmd,2015-01,100,,\n")
    message = _errors(text, shape="loans")
    assert "row 2, column `default_month`: `default_month` is before the loan's `vintage`" \
        in message
    assert "row 3, column `default_balance`: `default_balance` is more than the loan's" in message
    assert "row 4, column `loan_id`: duplicate `loan_id`" in message
    assert "row 4, column `default_balance`: the loan has a `default_month` but no" in message
    assert "row 5, column `loan_id`: `loan_id` may hold only letters" in message


def test_the_tape_limits_and_file_checks_apply(tmp_path):
    message = _errors(LONG, max_rows=3)
    assert "over the limit of 3 (`max_rows`)" in message
    with pytest.raises(StaticPoolError, match="unsupported file type '.txt'; give a "
                       "static-pool file as .csv"):
        load_static_pool(b"x", file_name="sp.txt")
    with pytest.raises(StaticPoolError, match="the static-pool data were not loaded") as info:
        load_static_pool(tmp_path)
    assert isinstance(info.value, TapeError)  # the UI shows its report like a tape's
    with pytest.raises(InputError, match="`shape` must be one of"):
        inspect_static_pool(b"", file_name="x.csv", shape="square")  # type: ignore[arg-type]


def test_a_workbook_formula_cell_is_a_finding(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["vintage", "months_on_book", "original_balance", "cumulative_default_balance"])
    sheet.append(["2015-01", 1, 1000, "=1+1"])
    path = tmp_path / "f.xlsx"
    workbook.save(path)
    with pytest.raises(StaticPoolError, match="row 2, column `cumulative_default_balance`: "
                       "formula with no saved result"):
        load_static_pool(path)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"vintages": ("2015-02", "2015-01")}, "must be in order, oldest first"),
    ({"vintages": ("2015-1", "2015-02")}, "each must be a month YYYY-MM"),
    ({"grid": [[0.0, 1.0], [2.0, 1.0]]}, r"cumulative_default_balance\[2015-02\]: falls from 2 "
                                          r"at month on book 1 to 1 at 2"),
    ({"grid": [[0.0, 20.0], [0.0, 1.0]]}, r"cumulative_default_balance\[2015-01\]: 20 at month "
                                           r"on book 2 is more than the vintage's original 10"),
    ({"grid": [[0.0, np.nan, 1.0], [0.0, 1.0, 1.0]]}, r"\[2015-01\]: month on book 2 is "
                                                        r"missing inside the observed months"),
])
def test_the_dataclass_validates(kwargs, match):
    grid = np.array(kwargs.get("grid", [[0.0, 1.0], [0.0, 1.0]]))
    with pytest.raises(FieldError, match=match):
        StaticPoolData(kwargs.get("vintages", ("2015-01", "2015-02")), np.full(2, 10.0), grid)


def test_parse_month():
    assert parse_month("2015-01") == 2015 * 12
    with pytest.raises(InputError, match="expected a month YYYY-MM"):
        parse_month("Jan 2015")


# --- samples -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "vintages", "months", "lifetime"), [
    ("consumer", 36, 24, 0.010292), ("factoring", 24, 12, 0.006844)])
def test_samples_are_their_stated_truth(name, vintages, months, lifetime):
    truth = static_pool_truth(name)
    assert truth.lifetime_default_rate == pytest.approx(lifetime, abs=5e-7)
    assert math.fsum(truth.timing) == pytest.approx(1.0)
    data = sample_static_pool(name)
    assert (data.n_vintages, data.n_months) == (vintages, months)
    assert data.observed_months.max() == months
    assert data.observed_months.min() == 1
    assert data.vintages[0] == truth.first_vintage
    same = sample_static_pool(name)
    assert np.array_equal(same.cumulative_default_balance, data.cumulative_default_balance,
                          equal_nan=True)
    other = sample_static_pool(name, seed=1)
    assert not np.array_equal(other.cumulative_default_count, data.cumulative_default_count,
                              equal_nan=True)


def test_consumer_sample_is_mostly_unfinished():
    data = sample_static_pool("consumer")
    assert (data.observed_months < 24).sum() == 23


# --- command line ----------------------------------------------------------------------------


def test_static_pool_command_writes_the_documented_json(tmp_path, capsys):
    source = tmp_path / "consumer.csv"
    assert main(["sample-static-pool", "consumer", "--out", str(source)]) == 0
    out = tmp_path / "result.json"
    assert main(["static-pool", str(source), "--weighting", "recent", "--out-json",
                 str(out)]) == 0
    assert "base-case lifetime default rate (recent)" in capsys.readouterr().out
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {"lifetime_default_rate", "timing_curve", "cpr_annual", "recovery_rate",
            "recovery_lag_months", "implied_correlation", "vintages"} <= set(data)
    assert 0 < data["lifetime_default_rate"] < 0.05
    assert math.fsum(data["timing_curve"]) == pytest.approx(1.0, abs=1e-12)
    assert len(data["timing_curve"]) == len(data["cpr_annual"]) == 24
    assert data["recovery_lag_months"] == 6
    assert 0 <= data["implied_correlation"] < 1
    assert len(data["vintages"]) == 36
    assert {"vintage", "observed_rate", "chain_ladder_lifetime_rate", "fit_lifetime_rate",
            "in_base_case"} <= set(data["vintages"][0])
    assert data["weighting"] == "recent"


def test_write_deal_round_trip_loads_and_runs(tmp_path, capsys):
    out = tmp_path / "deal.json"
    assert main(["static-pool", "factoring", "--deal", "factoring", "--write-deal",
                 str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    deal = load_deal(out)
    default = deal.assumptions.default
    assert isinstance(default, LifetimeDefault)
    assert math.fsum(default.timing) == pytest.approx(1.0, abs=1e-6)
    assert deal.assumptions.recovery.rate == pytest.approx(0.4, abs=1e-6)
    assert deal.assumptions.recovery.from_tape is False
    pool, _ = load_deal_pool(deal, out.parent)
    result = run_scenario(prepare_deal(deal, pool), Scenario())
    assert result.result.n_periods > 0


def test_static_pool_command_refuses_bad_input(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(LONG.replace("2015-01,3,1000,20,10,2", "2015-01,3,1000,8,10,2"))
    assert main(["static-pool", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv, row 4, column `cumulative_default_balance`" in err
    assert "Traceback" not in err
    assert main(["static-pool", "consumer", "--deal", "consumer"]) == 2
    assert "--deal and --write-deal go together" in capsys.readouterr().err
    short = tmp_path / "short.csv"
    short.write_text(LONG)
    assert main(["static-pool", str(short)]) == 2
    assert "needs at least 3 seasoned vintages" in capsys.readouterr().err
    assert main(["static-pool", str(short), "--min-seasoned", "1"]) == 0
