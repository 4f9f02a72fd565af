"""Loan-level default schedules (issue 16 item 6): a hand-computed deal reproduced to the
cent from a deal file, its tape and a schedule CSV alone; the schedule file's findings by
file, row and column; results without a schedule unchanged.

The deal (files written below): cut-off 2020-01-01, legal final month 6, every loan at 12%
(1% a month):

- L1: 1,200 equal principal over 3 months (400 a month; interest 12, 8, 4), not scheduled;
- L2: 1,000 interest only over 4 months (interest 10), defaults in month 2, recovers 50%
  (its own rate, from the schedule);
- L3: 800 equal principal over 4 months (200 a month; interest 8, 6, ...), defaults in
  month 3 with the balance 400 it has then, recovers the deal's 25%.

Recovery lag 1 month; CDR 0 for the other loans, no prepayment. Classes: A 2,400 at 6%
(0.5% a month), C 600 subordinated; sequential; losses at the end; excess interest covers
the deficiency.

M1: collections 30 + 600; A interest 12; due 3,000 - 2,400 = 600 to A; C gets 18.
M2: L2 defaults (1,000); collections 14 + 600; A interest 1,800 x 0.5% = 9; due
    2,400 - 800 = 1,600, paid 605 (all that is left) to A, which closes at 1,195.
M3: L3 defaults (400); collections 4 + 400 + L2's recovery 500 = 904; A interest 5.975;
    due 1,795 - 0, paid 898.025: A closes at 296.975.
M4: L3's recovery 100; A interest 1.484875, principal 98.515125; nothing is to come: the
    deal ends, A's 198.459875 and C's 600 are written down.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from abs_tool import Scenario, load_deal, load_deal_pool, prepare_deal, run_scenario
from abs_tool.cli import main
from abs_tool.engine.checks import waterfall_violations
from abs_tool.errors import FieldError
from abs_tool.io.default_schedule import (
    DefaultSchedule,
    DefaultScheduleError,
    inspect_default_schedule,
    load_default_schedule,
)

CENT = 0.005

TAPE = """loan_id,balance,rate,remaining_term,amortization
L1,1200,0.12,3,equal_principal
L2,1000,0.12,4,interest_only
L3,800,0.12,4,equal_principal
"""
SCHEDULE = """loan_id,default_month,recovery_rate
L2,2,0.5
L3,3,
"""


def deal_dict(default: dict | None = None) -> dict:
    return {
        "version": 1, "name": "three loans",
        "dates": {"cutoff": "2020-01-01", "closing": "2020-01-01",
                  "first_payment": "2020-02-01", "legal_final": "2020-07-01"},
        "pool": {"tape": "tape.csv"},
        "assumptions": {"default": default or {"type": "cdr", "annual": [0.0]},
                        "prepayment": {"annual": [0.0]},
                        "recovery": {"rate": 0.25, "lag_months": 1}},
        "structure": {"classes": [
            {"name": "A", "tier": "senior", "size": 2400, "size_unit": "amount",
             "coupon_annual": 0.06},
            {"name": "C", "tier": "subordinated", "size": 600, "size_unit": "amount"}]},
    }


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "tape.csv").write_text(TAPE)
    (tmp_path / "schedule.csv").write_text(SCHEDULE)
    (tmp_path / "deal.json").write_text(json.dumps(deal_dict()))
    return tmp_path


def scheduled_run(folder: Path, **scenario):
    deal = load_deal(folder / "deal.json")
    pool, _ = load_deal_pool(deal, folder)
    schedule = load_default_schedule(folder / "schedule.csv", pool=pool,
                                     horizon_months=deal.dates.horizon_months)
    prepared = prepare_deal(deal, pool)
    return prepared, run_scenario(prepared, Scenario(default_schedule=schedule, **scenario))


def test_three_loan_deal_reproduced_to_the_cent_from_the_files(files):
    _, run = scheduled_run(files)
    r = run.result
    assert waterfall_violations(r) == []
    months = slice(0, 4)
    np.testing.assert_allclose(r.pool.default[0, months], [0, 1000, 400, 0], atol=CENT)
    np.testing.assert_allclose(r.pool.recovery[0, months], [0, 0, 500, 100], atol=CENT)
    np.testing.assert_allclose(r.pool.interest[0, months], [30, 14, 4, 0], atol=CENT)
    np.testing.assert_allclose(r.pool.scheduled_principal[0, months], [600, 600, 400, 0],
                               atol=CENT)
    np.testing.assert_allclose(r.pool.loss[0].sum(), 800, atol=CENT)
    c = r.classes
    np.testing.assert_allclose(c.interest_paid[0, 0, months], [12, 9, 5.975, 1.484875],
                               atol=CENT)
    np.testing.assert_allclose(c.principal_paid[0, 0, months],
                               [600, 605, 898.025, 98.515125], atol=CENT)
    np.testing.assert_allclose(c.writedown[0, :, 3], [198.459875, 600], atol=CENT)
    np.testing.assert_allclose(c.residual[0, 1, months], [18, 0, 0, 0], atol=CENT)
    assert r.end_month[0] == 4


def test_the_cli_writes_the_same_flows(files, capsys):
    out = files / "cf.csv"
    status = main(["cashflows", str(files / "deal.json"), "--default-schedule",
                   str(files / "schedule.csv"), "--out", str(out)])
    assert status == 0
    text = out.read_text()
    header = text.splitlines()[0].split(",")
    row2 = text.splitlines()[2].split(",")  # period 2
    assert float(row2[header.index("A.principal_paid")]) == pytest.approx(605, abs=CENT)
    assert float(row2[header.index("pool.default")]) == pytest.approx(1000, abs=CENT)


def test_the_other_loans_follow_the_scenario():
    """With a flat CDR the unscheduled L1 defaults at the scenario's monthly rate (here
    1 - (1 - 0.12)^(1/12) of its opening balance in month 1), while the scheduled loans
    default only in their months."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder)
        (path / "tape.csv").write_text(TAPE)
        (path / "schedule.csv").write_text(SCHEDULE)
        (path / "deal.json").write_text(json.dumps(deal_dict()))
        _, run = scheduled_run(path, cdr_annual=0.12)
    mdr = 1 - (1 - 0.12) ** (1 / 12)
    # Month 1: only L1 may default (1,200 x mdr); month 2: L2 whole plus L1's share of
    # its 800 x (1 - mdr).
    np.testing.assert_allclose(run.result.pool.default[0, 0], 1200 * mdr, rtol=1e-12)
    np.testing.assert_allclose(run.result.pool.default[0, 1],
                               1000 + 800 * (1 - mdr) * mdr, rtol=1e-12)


def test_without_a_schedule_the_run_is_unchanged(files):
    prepared, _ = scheduled_run(files)
    base = run_scenario(prepared, Scenario(cdr_annual=0.05))
    empty = run_scenario(prepared, Scenario(cdr_annual=0.05,
                                            default_schedule=DefaultSchedule((), ())))
    np.testing.assert_allclose(empty.result.classes.principal_paid,
                               base.result.classes.principal_paid, rtol=1e-12, atol=1e-9)


def test_a_lifetime_default_cannot_take_a_schedule(files):
    (files / "deal.json").write_text(json.dumps(deal_dict(
        {"type": "lifetime", "cumulative_rate": 0.1, "timing": [1.0]})))
    with pytest.raises(FieldError, match="default_schedule: a lifetime default"):
        scheduled_run(files)


def findings(text: str, pool=None, horizon=6):
    schedule, report = inspect_default_schedule(text.encode(), file_name="f.csv", pool=pool,
                                                horizon_months=horizon)
    return schedule, {(i.row, i.column): i for i in report.errors}


@pytest.fixture
def pool(files):
    deal = load_deal(files / "deal.json")
    return load_deal_pool(deal, files)[0]


def test_findings_name_file_row_and_column(pool):
    schedule, errors = findings(
        "loan_id,default_month,recovery_rate\n"
        "L9,2,\n"        # row 2: not on the tape
        "L1,0,\n"        # row 3: month < 1
        "L2,7,\n"        # row 4: past the horizon (6)
        "L2,2,\n"        # row 5: L2 twice
        "L3,5,1.5\n"     # row 6: after L3's last month (4); rate > 1
        "L1,2.5,\n",     # row 7: not a whole month
        pool)
    assert schedule is None
    assert "not on the deal's loan tape" in errors[(2, "loan_id")].reason
    assert errors[(2, "loan_id")].file == "f.csv"
    assert "whole number of months >= 1" in errors[(3, "default_month")].reason
    assert "must be in 1..6" in errors[(4, "default_month")].reason
    assert "duplicate `loan_id`, first given in row 4" in errors[(5, "loan_id")].reason
    assert "`recovery_rate` must be in [0, 1]" in errors[(6, "recovery_rate")].reason
    assert "whole number of months" in errors[(7, "default_month")].reason


def test_a_default_after_maturity_is_an_error(pool):
    _, errors = findings("loan_id,default_month\nL1,4\n", pool)
    assert "last month is 3" in errors[(2, "default_month")].reason
    assert errors[(2, "default_month")].reason_in("zh") == (
        "该资产的最后一期为第 3 期(剩余期限),其后已无本金可违约")


def test_missing_column_and_chinese_headers():
    _, errors = findings("loan_id,recovery_rate\nL1,0.2\n")
    assert (None, "default_month") in errors
    schedule, errors = findings("资产编号,违约月份,回收率\nL1,2,0.3\n")
    assert errors == {}
    assert schedule == DefaultSchedule(("L1",), (2,), (0.3,), "f.csv", (2,))


def test_a_schedule_in_code_is_checked_like_a_file(files):
    with pytest.raises(DefaultScheduleError, match=r"default schedule, row 3, column "
                                                   r"`recovery_rate`"):
        DefaultSchedule(("L1", "L2"), (1, 2), (None, -0.1))
    with pytest.raises(DefaultScheduleError, match="row 2, column `loan_id`.*not on the"):
        scheduled_run_with(files, DefaultSchedule(("L7",), (1,)))
    with pytest.raises(FieldError, match="default_schedule: must be a DefaultSchedule"):
        Scenario(default_schedule=[("L1", 2)])


def scheduled_run_with(folder: Path, schedule: DefaultSchedule):
    deal = load_deal(folder / "deal.json")
    pool, _ = load_deal_pool(deal, folder)
    return run_scenario(prepare_deal(deal, pool), Scenario(default_schedule=schedule))
