"""``abs-tool inspect`` (issue 16 item 8): the file it writes is the library's inspection
(:func:`~abs_tool.analysis.inspector.inspect_waterfall` of the same run) for a stress, a
default schedule and a Monte Carlo path at a pool loss quantile; what it prints is that
month's step table; a wrong option is named, with what it accepts, before anything runs
or is written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from abs_tool import Scenario, load_deal_pool, load_sample_deal, prepare_deal, run_scenario
from abs_tool.analysis.inspector import inspect_waterfall, monte_carlo_path
from abs_tool.cli import EXIT_INVALID, main
from abs_tool.io.csvsafe import csv_text
from abs_tool.io.default_schedule import DefaultSchedule
from abs_tool.report.format import money


@pytest.fixture(scope="module")
def consumer():
    deal = load_sample_deal("consumer")
    pool, _ = load_deal_pool(deal, None)
    return deal, pool, prepare_deal(deal, pool)


def written_equals(path: Path, expected: pd.DataFrame) -> None:
    """The CSV written is the frame's text to the byte, and its numbers read back."""
    assert path.read_bytes() == csv_text(expected, index=False).encode("utf-8")
    steps = pd.read_csv(path).query("table == 'steps'")
    np.testing.assert_array_equal(steps["paid"].to_numpy(float),
                                  expected.query("table == 'steps'")["paid"].to_numpy(float))


def test_a_stress_writes_the_librarys_inspection(consumer, tmp_path, capsys) -> None:
    deal, _, prepared = consumer
    out = tmp_path / "month20.csv"
    status = main(["inspect", "consumer", "--month", "20", "--cdr", "0.05", "--recovery", "0.2",
                   "--lag", "3", "--multiplier", "1.5", "--out", str(out)])
    assert status == 0
    run = run_scenario(prepared, Scenario(cdr_annual=0.05, recovery_rate=0.2, lag_months=3,
                                          default_multiplier=1.5))
    expected = inspect_waterfall(run.result, deal, 20, lag_months=3)
    written_equals(out, expected.frame())
    printed = capsys.readouterr().out
    # The step table (after its title, header and rule), amounts in yuan: the residual's row
    # pays what was left.
    residual = expected.steps.iloc[-1]
    assert money(residual["paid"], "en") in printed.splitlines()[len(expected.steps) + 2]
    assert f"wrote the steps, triggers and ledgers of month 20 to {out}" in printed


def test_a_default_schedule_writes_the_librarys_inspection(consumer, tmp_path) -> None:
    deal, pool, prepared = consumer
    ids = pool.loans.loc[pool.loans["remaining_term"] >= 3, "loan_id"].tolist()[:2]
    schedule_file = tmp_path / "schedule.csv"
    schedule_file.write_text(f"loan_id,default_month,recovery_rate\n{ids[0]},2,0.1\n"
                             f"{ids[1]},3,\n", encoding="utf-8")
    out = tmp_path / "month3.csv"
    assert main(["inspect", "consumer", "--month", "3", "--cdr", "0", "--default-schedule",
                 str(schedule_file), "--out", str(out)]) == 0
    schedule = DefaultSchedule((ids[0], ids[1]), (2, 3), (0.1, None), str(schedule_file),
                               (2, 3))
    run = run_scenario(prepared, Scenario(cdr_annual=0.0, default_schedule=schedule))
    expected = inspect_waterfall(run.result, deal, 3)
    written_equals(out, expected.frame())
    # The loan scheduled for month 3 is the month's only default (CDR 0 for the others).
    def defaults(inspection) -> float:
        return inspection.ledgers.set_index(["ledger", "item"])["value"][("pool", "default")]

    alone = run_scenario(prepared, Scenario(cdr_annual=0.0))
    assert defaults(expected) > 0
    assert defaults(inspect_waterfall(alone.result, deal, 3)) == 0


def test_a_quantile_path_to_a_workbook(consumer, tmp_path, capsys) -> None:
    deal, pool, prepared = consumer
    out = tmp_path / "tail.xlsx"
    assert main(["inspect", "consumer", "--month", "12", "--quantile", "0.99", "--paths",
                 "2048", "--seed", "7", "--out", str(out)]) == 0
    picked = monte_carlo_path(prepared, 0.99, paths=2048, seed=7)
    expected = inspect_waterfall(picked.result, deal, 12)
    sheet = load_workbook(out, read_only=True)["Steps"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(expected.steps.columns)
    paid = [row[list(rows[0]).index("paid")] for row in rows[1:]]
    # openpyxl writes a float to 16 significant digits: the last bit may differ.
    np.testing.assert_allclose(paid, expected.steps["paid"].to_numpy(), rtol=1e-15, atol=0)
    printed = capsys.readouterr().out
    assert printed.startswith(f"path {picked.index:,} of paths 0 to 2,047 at the 0.99 quantile")
    assert f"pool loss {money(picked.pool_loss, 'en')}" in printed


def test_a_month_past_the_horizon_names_month_and_its_range(tmp_path, capsys) -> None:
    out = tmp_path / "x.csv"
    assert main(["inspect", "consumer", "--month", "37", "--out", str(out)]) == EXIT_INVALID
    assert capsys.readouterr().err.strip() == (
        "error: --month 37: must be in 1..36 (the deal's months)")
    assert not out.exists()
    assert main(["inspect", "consumer", "--month", "0"]) == EXIT_INVALID
    assert "argument --month: must be an integer from 1" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "message"), [
    (["--quantile", "0.5", "--cdr", "0.1", "--lag", "2"],
     "error: --quantile inspects a Monte Carlo path of the deal's own assumptions: it cannot "
     "be combined with --cdr, --lag"),
    (["--paths", "100"], "error: --paths and --seed choose the Monte Carlo of --quantile: "
     "give --quantile with them"),
    (["--quantile", "0"], "argument --quantile: must be in (0, 1] (got '0')"),
    (["--out", "month.txt"], "argument --out: month.txt: write a .csv or an .xlsx file"),
])
def test_options_that_do_not_go_together_are_named(argv, message, capsys) -> None:
    assert main(["inspect", "consumer", "--month", "2", *argv]) == EXIT_INVALID
    assert message in capsys.readouterr().err
