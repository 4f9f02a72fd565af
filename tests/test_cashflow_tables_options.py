"""The period tables show the lines of the waterfall options (issue 16): the principal due of
every deal, a targeted class's target balance, a floating or stepping-up class's coupon of the
month and the step-up, the reinstatements, the liquidity reserve and the servicer advance.
Each new column equals the engine's result month by month and the hand calculations of the
options' own tests (the same small deals); the tables' identities hold with the new lines;
the sample deals' tables gain the principal due and nothing else; the CLI's CSV and the term
sheet's Cash Flows sheet carry the lines, in English and Chinese.
"""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from builders import make_deal, make_pool, run_checked, third_loan_defaults
from chinese_words import WORD, deal_words, english_words
from openpyxl import load_workbook
from test_liquidity_support import _deal_of as liquidity_deal, run as run_liquidity
from test_waterfall_floating_coupons import (
    TWO_STEP,
    prepared_deal,
    run as run_floating,
    step_up_deal,
)
from test_waterfall_tiers import prepared as tier_deal, schedule

from abs_tool import (
    analyse,
    build_term_sheet_inputs,
    load_deal_pool,
    load_sample_deal,
    prepare_deal,
    run_scenario,
    term_sheet_bytes,
)
from abs_tool.cli import main
from abs_tool.engine.checks import waterfall_violations
from abs_tool.engine.deterministic import run_paths
from abs_tool.engine.waterfall import coupon_rates, period_fractions
from abs_tool.io.dealfile import deal_json
from abs_tool.model.assumptions import AnnualPd, Assumptions, Recovery
from abs_tool.model.dates import DayCount
from abs_tool.model.deal import (
    FloatingCoupon,
    LiquidityReserve,
    LossAllocation,
    LossTiming,
    NoteClass,
    ServicerAdvance,
    Structure,
    TargetBalance,
    TargetKind,
    Tier,
)
from abs_tool.report.excel.labels import text
from abs_tool.report.format import money_value
from abs_tool.report.tables import ADVANCE_LINES, LIQUIDITY_LINES, cashflow_tables

CENT = 0.005
# The class table's lines before the options (a deal without any option has these only).
CLASS_LINES = ["date", "balance_open", "interest_due", "interest_paid", "interest_shortfall",
               "principal_paid", "writedown", "residual", "balance_close"]


def same(column: pd.Series, line: np.ndarray) -> None:
    """A table's column is the result's line, bit for bit (NaN where it is NaN)."""
    np.testing.assert_array_equal(column.to_numpy(), line)


# --- each option's lines, month by month ------------------------------------------------------

def test_principal_due_and_a_target_balance():
    """test_waterfall_tiers' deal, A-1 scheduled to 50% of its 1,200 from month 2 and 25%
    from month 3: its target is 1,200 (before the first point), 600, 300, 300. Without
    defaults the principal due is the notes less the performing pool: 750 a month."""
    prep = tier_deal(a1_target=schedule((2, 0.5), (3, 0.25)))
    result = run_checked(prep)
    tables = cashflow_tables(result, prep.deal)
    same(tables.pool["principal_due"], result.principal_due[0])
    np.testing.assert_allclose(tables.pool["principal_due"].iloc[:4], [750] * 4, atol=CENT)
    a1 = tables.classes["A-1"]
    same(a1["target_balance"], result.classes.target_balance[0, 0])
    np.testing.assert_allclose(a1["target_balance"].iloc[:4], [1200, 600, 300, 300], atol=CENT)
    for name in ("A-2", "B", "C"):  # no target: the lines they had
        assert list(tables.classes[name].columns) == CLASS_LINES, name
    assert tables.liquidity is None
    assert tables.advance is None


def floating_deal():
    """A: 1% over the benchmark, floor 4.5%, cap 7%; B: 5% over it; the benchmark 6.5% in
    months 1-2, 2% from month 3 (TWO_STEP)."""
    return prepared_deal(
        NoteClass("A", Tier.SENIOR, 2 / 3, coupon_annual=0.01,
                  floating=FloatingCoupon(cap_annual=0.07, floor_annual=0.045)),
        NoteClass("B", Tier.MEZZANINE, 0.2, coupon_annual=0.05, floating=FloatingCoupon()))


def test_a_floating_coupon_of_the_month_in_percent_a_year():
    """A: min(max(6.5% + 1%, 4.5%), 7%) = 7% in months 1-2, max(2% + 1%, 4.5%) = 4.5%
    after; B: 11.5%, then 7%. C's coupon does not float: no such column."""
    prep = floating_deal()
    tables = cashflow_tables(run_floating(prep), prep.deal)
    np.testing.assert_allclose(tables.classes["A"]["coupon_month_annual"], [0.07] * 2 + [0.045] * 4,
                               rtol=1e-12)
    np.testing.assert_allclose(tables.classes["B"]["coupon_month_annual"], [0.115] * 2 + [0.07] * 4,
                               rtol=1e-12)
    rates = coupon_rates(prep.deal.structure.classes, TWO_STEP.monthly(6), 6)
    for j, name in enumerate("AB"):
        np.testing.assert_allclose(tables.classes[name]["coupon_month_annual"], rates[j],
                                   rtol=1e-12)
        assert "step_up" not in tables.classes[name]  # no step-up
    assert list(tables.classes["C"].columns) == CLASS_LINES


def test_the_coupon_of_the_month_is_annual_under_act_365():
    """Dated accrual: a period accrues R_k x days / 365, not R_k / 12; the table shows R_k."""
    prep = floating_deal()
    deal = replace(prep.deal, dates=replace(prep.deal.dates, day_count=DayCount.ACT_365))
    dated = prepare_deal(deal, prep.pool)
    fractions = period_fractions(deal.dates, 6)
    assert fractions is not None
    assert not np.allclose(fractions, 1 / 12)  # 31, 29, 31, ... days
    result = run_floating(dated)
    tables = cashflow_tables(result, deal)
    np.testing.assert_allclose(tables.classes["A"]["coupon_month_annual"], [0.07] * 2 + [0.045] * 4,
                               rtol=1e-12)
    same(tables.classes["A"]["coupon_month_annual"], result.coupon_period[0] / fractions)


def test_the_step_up_month_by_month():
    """test_waterfall_floating_coupons' step-up case: A at 6% with 120 bp after the call
    date, the call not exercised; L2 defaults in month 2, when the pool (2,000) first
    reaches the threshold (2,100): the step-up applies from month 2. The coupon shown is
    before the step-up."""
    prep = step_up_deal(exercised=False)
    result = run_floating(prep, 2)
    a = cashflow_tables(result, prep.deal).classes["A"]
    np.testing.assert_allclose(a["coupon_month_annual"], 0.06, rtol=1e-12)
    assert a["step_up"].iloc[:4].tolist() == [False, True, True, True]
    same(a["step_up"], result.step_up[0])
    assert list(cashflow_tables(result, prep.deal).classes["B"].columns) == CLASS_LINES


def test_reinstatements_close_the_class_identity():
    """test_waterfall_options' reinstatement case (losses written down on default, excess
    cash reinstating them): B is reinstated 4, 409.98 and 7.9301 in months 2-4; every
    class closes at open - principal - write-down + reinstated."""
    structure = Structure(
        classes=(NoteClass("A", Tier.SENIOR, 2 / 3, coupon_annual=0.06),
                 NoteClass("B", Tier.MEZZANINE, 0.2, coupon_annual=0.12),
                 NoteClass("C", Tier.SUBORDINATED, 0.4 / 3)),
        loss_allocation=LossAllocation(LossTiming.ON_DEFAULT, reinstate=True))
    deal = make_deal(structure, Assumptions(default=AnnualPd(), recovery=Recovery(0.4, 1)))
    prep = prepare_deal(deal, make_pool([1000.0] * 3, rate=0.12, term=4,
                                        amortization="interest_only",
                                        pd_annual=[0.01, 0.02, 0.03]))
    result = run_paths(prep, third_loan_defaults(2), 1)  # L2 defaults in month 2
    assert waterfall_violations(result) == []
    tables = cashflow_tables(result, deal)
    np.testing.assert_allclose(tables.classes["B"]["reinstated"].iloc[:4],
                               [0, 4, 409.98, 7.9301], atol=CENT)
    for j, (name, t) in enumerate(tables.classes.items()):
        same(t["reinstated"], result.classes.reinstated[0, j])
        np.testing.assert_allclose(
            t["balance_close"],
            t["balance_open"] - t["principal_paid"] - t["writedown"] + t["reinstated"],
            atol=1e-9, err_msg=name)


def test_the_liquidity_reserve_month_by_month():
    """test_liquidity_support's reserve replenished after interest: open 20, 10, 20, 20;
    drawn 10 in month 1, replenished 10 in month 2, released at the wind-down in month 4;
    close = open - released - drawn + replenished."""
    support = LiquidityReserve(initial_share=0.01, floor_amount=20.0)
    result = run_liquidity(support)
    tables = cashflow_tables(result, liquidity_deal(support))
    assert tables.advance is None
    t = tables.liquidity
    assert list(t.columns) == ["date", *LIQUIDITY_LINES]
    for line in LIQUIDITY_LINES:
        same(t[line], getattr(result, line)[0])
    np.testing.assert_allclose(t.iloc[:4][list(LIQUIDITY_LINES)].to_numpy().T, [
        [20, 10, 20, 20], [0, 0, 0, 20], [10, 0, 0, 0], [0, 10, 0, 0], [10, 20, 20, 0],
        [20, 20, 20, 0]], atol=CENT)
    np.testing.assert_allclose(t["liquidity_close"], t["liquidity_open"]
                               - t["liquidity_released"] - t["liquidity_drawn"]
                               + t["liquidity_replenished"], atol=1e-9)
    assert set(LIQUIDITY_LINES) <= set(tables.wide().columns)


def test_the_servicer_advance_month_by_month():
    """test_liquidity_support's advance capped at 8 outstanding, 12% a year: 8 advanced in
    month 1, reimbursed with 0.08 of interest in month 2; close = open + interest + made -
    reimbursed - lost."""
    support = ServicerAdvance(limit_amount=8.0, rate_annual=0.12)
    result = run_liquidity(advance=support)
    tables = cashflow_tables(result, liquidity_deal(advance=support))
    assert tables.liquidity is None
    t = tables.advance
    assert list(t.columns) == ["date", *ADVANCE_LINES]
    for line in ADVANCE_LINES:
        same(t[line], getattr(result, line)[0])
    np.testing.assert_allclose(t.iloc[:2][list(ADVANCE_LINES)].to_numpy().T, [
        [0, 8], [0, 0.08], [0, 8.08], [8, 0], [0, 0], [8, 0]], atol=CENT)
    np.testing.assert_allclose(t["advance_close"], t["advance_open"] + t["advance_interest"]
                               + t["advance_made"] - t["advance_reimbursed"]
                               - t["advance_lost"], atol=1e-9)
    wide = tables.wide()
    assert set(ADVANCE_LINES) <= set(wide.columns)
    assert not set(LIQUIDITY_LINES) & set(wide.columns)


# --- the sample deals: the principal due, nothing else ----------------------------------------

@pytest.mark.parametrize("sample", ["consumer", "factoring"])
def test_the_sample_deals_tables_gain_only_the_principal_due(sample):
    deal = load_sample_deal(sample)
    pool, _ = load_deal_pool(deal, None)
    result = run_scenario(prepare_deal(deal, pool)).result
    tables = cashflow_tables(result, deal)
    assert list(tables.pool.columns) == [
        "date", "balance_open", "interest", "scheduled_principal", "prepayment", "default",
        "recovery", "loss", "fee_income", "balance_close", "purchases", "call_proceeds",
        "collections", "principal_due", "cumulative_default_rate", "revolving", "accelerated"]
    same(tables.pool["principal_due"], result.principal_due[0])
    for name, table in tables.classes.items():
        assert list(table.columns) == CLASS_LINES, name
    assert (tables.liquidity, tables.advance) == (None, None)
    assert list(tables.reserve.columns) == ["date", "balance_open", "target", "balance_close",
                                            "held_open", "held_close"]


# --- a consumer deal with every option: the CSV and the workbook ------------------------------

def featured_consumer():
    """The consumer sample with every option that adds a line: the senior class floats 2.1%
    over the benchmark (3%: the 5.1% of the sample) with a target of 70% of the pool, the
    mezzanine steps up 100 bp after an unexercised call, a liquidity reserve and a servicer
    advance."""
    deal = load_sample_deal("consumer")
    a, b, c = deal.structure.classes
    structure = replace(
        deal.structure,
        classes=(replace(a, coupon_annual=0.021, floating=FloatingCoupon(),
                         target_balance=TargetBalance(TargetKind.TARGET_SHARE_OF_POOL,
                                                      share_of_pool=0.7)),
                 replace(b, step_up_bp=100.0), c),
        clean_up_call=replace(deal.structure.clean_up_call, exercised=False),
        liquidity_reserve=LiquidityReserve(0.01, 0.01, 0.0),
        servicer_advance=ServicerAdvance(limit_share=0.01, rate_annual=0.06))
    return replace(deal, structure=structure)


@pytest.fixture(scope="module")
def featured():
    deal = featured_consumer()
    pool, _ = load_deal_pool(deal, None)
    return analyse(prepare_deal(deal, pool), monte_carlo=False)


def test_the_cli_csv_carries_the_lines(tmp_path, featured):
    deal = featured.deal
    path = tmp_path / "deal.json"
    path.write_text(deal_json(deal), encoding="utf-8")
    out = tmp_path / "periods.csv"
    assert main(["cashflows", str(path), "--out", str(out)]) == 0
    table = pd.read_csv(out, index_col="period")
    expected = cashflow_tables(featured.base.result, deal).wide()
    senior, mezz = deal.structure.classes[0].name, deal.structure.classes[1].name
    for name in ("pool.principal_due", f"{senior}.target_balance", f"{senior}.coupon_month_annual",
                 f"{mezz}.coupon_month_annual", *LIQUIDITY_LINES, *ADVANCE_LINES):
        np.testing.assert_allclose(table[name], expected[name], rtol=1e-12, err_msg=name)
    assert table[f"{mezz}.step_up"].tolist() == expected[f"{mezz}.step_up"].tolist()


def cash_flows(analysis, lang: str):
    book = load_workbook(io.BytesIO(term_sheet_bytes(build_term_sheet_inputs(analysis), lang)))
    return book[text("sheet.cash_flows", lang)]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_workbook_cash_flows_sheet_carries_the_lines(featured, lang):
    """Under the expected case's heading: the groups (pool, classes, the liquidity reserve,
    the servicer advance), their headers, and each new column equal to the period table
    (amounts in 万元 in Chinese), in money, percent or yes / no."""
    ws = cash_flows(featured, lang)
    deal = featured.deal
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    top = next(i for i, row in enumerate(rows) if row[0] == text("cf.expected", lang))
    groups = [v for v in rows[top + 1] if v is not None]
    assert groups == [text("cf.pool", lang), *(c.name for c in deal.structure.classes),
                      text("cf.liquidity", lang), text("cf.advance", lang)]
    headers = rows[top + 2]
    tables = cashflow_tables(featured.base.result, deal)
    senior, mezz = (tables.classes[c.name] for c in deal.structure.classes[:2])
    # Each column by its group (the merged header over it) and its header.
    group_of, current = [], None
    for cell in ws[top + 2]:
        current = cell.value if cell.value is not None else current
        group_of.append(current)

    def column(group: str, line: str) -> tuple[list[object], list[str]]:
        j = next(j for j, h in enumerate(headers)
                 if h == text(f"cfc.{line}", lang) and group_of[j] == group)
        cells = [ws.cell(top + 4 + k, j + 1) for k in range(len(tables.pool))]
        return [c.value for c in cells], [c.number_format for c in cells]

    def amounts(values: pd.Series) -> list[float | None]:  # NaN: an empty cell
        return [None if np.isnan(v) else money_value(float(v), lang) for v in values]

    pool_name, senior_name, mezz_name = (text("cf.pool", lang), deal.structure.classes[0].name,
                                         deal.structure.classes[1].name)
    checks = [(pool_name, "principal_due", amounts(tables.pool["principal_due"])),
              (senior_name, "target_balance", amounts(senior["target_balance"])),
              (senior_name, "coupon_month_annual", list(senior["coupon_month_annual"])),
              (mezz_name, "coupon_month_annual", list(mezz["coupon_month_annual"])),
              *((text("cf.liquidity", lang), line, amounts(tables.liquidity[line]))
                for line in LIQUIDITY_LINES),
              *((text("cf.advance", lang), line, amounts(tables.advance[line]))
                for line in ADVANCE_LINES)]
    for group, line, expected in checks:
        values, formats = column(group, line)
        assert [v is None for v in values] == [e is None for e in expected], (group, line)
        assert [v for v in values if v is not None] == pytest.approx(
            [e for e in expected if e is not None], rel=1e-14, abs=1e-9), (group, line)
        assert all(("%" in f) == (line == "coupon_month_annual") and "E" not in f
                   for f in formats), (line, formats)
    flags, _ = column(mezz_name, "step_up")
    assert flags == [text("yes" if v else "no", lang) for v in mezz["step_up"]]
    assert "step_up" not in senior  # no step-up: no flag
    if lang == "zh":  # the Chinese walk's rule: no English word but the deal's own
        allowed = deal_words() | set(WORD.findall(deal.name))
        found = [(cell.coordinate, cell.value) for row in ws.iter_rows() for cell in row
                 if isinstance(cell.value, str) and english_words(cell.value, allowed)]
        assert found == []
