"""The deal's payment frequency (`dates.payment_frequency_months`, issue 16 item 4b) against
hand calculations to the cent; docs/waterfall.md "Payment frequency" states the rules.

The deal: three loans of 1,200 at 12%, equal principal over 6 months, no default: each
month the pool pays 600 of principal and 1% of its opening balance in interest (36, 30, 24,
18, 12, 6 in months 1 to 6). Classes A 2,400 at 6%, B 720 at 12%, C 480 subordinated,
sequential principal; a trustee fee of 1% a year on the opening performing pool (3.00,
2.50, 2.00, 1.50, 1.00, 0.50 a month at 30/360). Cut-off and closing 2020-01-01, legal final
2020-07-01 (6 months); `first_payment` is the date of month N (N the frequency): 2020-04-01
quarterly, 2020-07-01 semi-annual.
"""

from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from builders import make_deal, make_pool

from abs_tool.analysis.deal_analysis import payment_dates
from abs_tool.analysis.inspector import inspect_waterfall
from abs_tool.engine.checks import waterfall_violations
from abs_tool.engine.deterministic import prepare_deal, run_paths, summarise_paths
from abs_tool.engine.metrics import class_metrics
from abs_tool.engine.projection import HazardDefaults
from abs_tool.errors import DealFileError, FieldError
from abs_tool.io.dealfile import deal_from_dict, deal_to_dict
from abs_tool.model.assumptions import AnnualPd, Assumptions, Recovery
from abs_tool.model.dates import DayCount
from abs_tool.model.deal import (
    DealDates,
    ExcessInterest,
    ExcessInterestUse,
    Fee,
    NoteClass,
    PrincipalMode,
    Structure,
    Tier,
)
from abs_tool.report.excel.writer import _payment_frequency
from abs_tool.report.structure_text import structure_description
from abs_tool.report.tables import cashflow_tables

CENT = 0.005
FEE = Fee("trustee", rate_annual=0.01)


def prepared_deal(frequency, *, day_count=DayCount.THIRTY_360, fees=(FEE,),
                  excess=None):
    structure = Structure(
        classes=(NoteClass("A", Tier.SENIOR, 2 / 3, coupon_annual=0.06),
                 NoteClass("B", Tier.MEZZANINE, 0.2, coupon_annual=0.12),
                 NoteClass("C", Tier.SUBORDINATED, 0.4 / 3)),
        fees=fees, principal_mode=PrincipalMode.SEQUENTIAL,
        excess_interest=excess or ExcessInterest())
    deal = make_deal(structure, Assumptions(default=AnnualPd(), recovery=Recovery(0.4, 1)))
    first = {1: date(2020, 2, 1), 3: date(2020, 4, 1), 6: date(2020, 7, 1)}[frequency]
    dates = DealDates(date(2020, 1, 1), date(2020, 1, 1), first, date(2020, 7, 1),
                      day_count=day_count, payment_frequency_months=frequency)
    return prepare_deal(replace(deal, dates=dates),
                        make_pool([1200.0] * 3, rate=0.12, term=6,
                                  amortization="equal_principal"))


def run(prepared):
    """The engine as every run calls it, checked against the invariants and against the
    summary mode the Monte Carlo uses (the same class metrics)."""
    none = HazardDefaults(np.zeros((1, 1, 6)))
    result = run_paths(prepared, none, 1)
    assert waterfall_violations(result) == []
    summary = summarise_paths(prepared, none, 1)
    np.testing.assert_array_equal(summary.metrics.loss_pv,
                                  class_metrics(result, prepared.coupons).loss_pv)
    return result


def check(result, **expected):
    for name, rows in expected.items():
        got = getattr(result.classes, name)[0]
        np.testing.assert_allclose(got, rows, atol=CENT, err_msg=name)


def test_quarterly_holds_the_collections_and_pays_three_months_of_interest():
    """Quarterly: payment dates in months 3 and 6.

    M1: collections 36 + 600 = 636 held; fee 3.00 and the coupons accrue, nothing paid.
    M2: 30 + 600 = 630 more: 1,266 held. M3 (payment date): available 24 + 600 + 1,266 =
    1,890. Fee 3.00 + 2.50 + 2.00 = 7.50. A: 2,400 x 0.5% x 3 = 36.00 (the period's
    interest is simple: no interest on the interest of months 1 and 2, which monthly
    compounding would add: 2,400 x (1.005^3 - 1) = 36.18); B 720 x 1% x 3 = 21.60. Principal
    due 3,600 - 1,800 = 1,800, all to A (sequential). C's residual: 1,890 - 7.50 - 36 -
    21.60 - 1,800 = 24.90 (= interest 90 less fee and coupons).
    M4-M5: 618 and 612 held (1,230). M6: 6 + 600 + 1,230 = 1,836. Fee 1.50 + 1.00 + 0.50 =
    3.00; A 600 x 0.5% x 3 = 9.00; B 21.60; principal 1,800: A 600, B 720, C 480; C's
    residual 1,836 - 3 - 9 - 21.60 - 1,800 = 2.40."""
    result = run(prepared_deal(3))
    np.testing.assert_array_equal(result.payment_date[0], [False, False, True] * 2)
    np.testing.assert_allclose(result.held_close[0], [636, 1266, 0, 618, 1230, 0], atol=CENT)
    np.testing.assert_allclose(result.held_open[0], [0, 636, 1266, 0, 618, 1230], atol=CENT)
    np.testing.assert_allclose(result.fees_paid[0, 0], [0, 0, 7.5, 0, 0, 3.0], atol=CENT)
    # The fee accrues between the dates: carried, and paid on the payment date.
    np.testing.assert_allclose(result.fees_unpaid[0, 0], [3, 5.5, 0, 1.5, 2.5, 0], atol=CENT)
    check(result,
          interest_due=[[0, 0, 36, 0, 0, 9], [0, 0, 21.6, 0, 0, 21.6], [0] * 6],
          interest_paid=[[0, 0, 36, 0, 0, 9], [0, 0, 21.6, 0, 0, 21.6], [0] * 6],
          interest_shortfall=[[0] * 6] * 3,
          principal_paid=[[0, 0, 1800, 0, 0, 600], [0, 0, 0, 0, 0, 720],
                          [0, 0, 0, 0, 0, 480]],
          residual=[[0] * 6, [0] * 6, [0, 0, 24.9, 0, 0, 2.4]],
          balance_close=[[2400, 2400, 600, 600, 600, 0], [720] * 5 + [0],
                         [480] * 5 + [0]])
    assert round(2400 * (1.005 ** 3 - 1), 2) == 36.18  # what compounding would have paid


def test_semi_annual_pays_once_at_the_legal_final():
    """Semi-annual: the only payment date is month 6. Held: 636, 1,266, 1,890, 2,508,
    3,120; M6 available 3,726. Fee 10.50 (3 + 2.5 + 2 + 1.5 + 1 + 0.5); A 2,400 x 0.5% x 6
    = 72; B 720 x 1% x 6 = 43.20; principal 3,600: A 2,400, B 720, C 480; residual 3,726 -
    10.50 - 72 - 43.20 - 3,600 = 0.30."""
    result = run(prepared_deal(6))
    np.testing.assert_array_equal(result.payment_date[0], [False] * 5 + [True])
    np.testing.assert_allclose(result.held_close[0, :5], [636, 1266, 1890, 2508, 3120],
                               atol=CENT)
    np.testing.assert_allclose(result.fees_paid[0, 0], [0] * 5 + [10.5], atol=CENT)
    check(result,
          interest_paid=[[0] * 5 + [72], [0] * 5 + [43.2], [0] * 6],
          principal_paid=[[0] * 5 + [2400], [0] * 5 + [720], [0] * 5 + [480]],
          residual=[[0] * 6, [0] * 6, [0] * 5 + [0.3]])


def test_act_365_accrues_each_payment_period_by_its_days():
    """Quarterly, ACT/365: month t's date is 2020-04-01 moved by t - 3 months (02-01,
    03-01, 04-01, 05-01, 06-01, 07-01); period 1 runs 2020-01-01 -> 04-01, 91 days (2020 is
    a leap year: 31 + 29 + 31), period 2 04-01 -> 07-01, 91 days (30 + 31 + 30).
    A: 2,400 x 6% x 91/365 = 35.90 in M3, 600 x 6% x 91/365 = 8.98 in M6; B 720 x 12% x
    91/365 = 21.54 each. The fee accrues each month's days: 3,600 x 1% x 31/365 + 3,000 x 1%
    x 29/365 + 2,400 x 1% x 31/365 = 7.48 in M3, 1,800 x 1% x 30/365 + 1,200 x 1% x 31/365 +
    600 x 1% x 30/365 = 2.99 in M6. Principal as at 30/360; C's residual: the interest
    (90, then 36) less fee and coupons."""
    prepared = prepared_deal(3, day_count=DayCount.ACT_365)
    result = run(prepared)
    schedule = prepared.deal.dates.schedule(6)
    assert schedule.paid == tuple(date(2020, m, 1) for m in range(2, 8))
    assert schedule.accrual_days == (31, 29, 31, 30, 31, 30)
    a = [2400 * 0.06 * 91 / 365, 600 * 0.06 * 91 / 365]
    b = 720 * 0.12 * 91 / 365
    fees = [(3600 * 31 + 3000 * 29 + 2400 * 31) * 0.01 / 365,
            (1800 * 30 + 1200 * 31 + 600 * 30) * 0.01 / 365]
    assert [round(x, 2) for x in (*a, b, *fees)] == [35.9, 8.98, 21.54, 7.48, 2.99]
    np.testing.assert_allclose(result.fees_paid[0, 0], [0, 0, fees[0], 0, 0, fees[1]],
                               atol=CENT)
    check(result,
          interest_paid=[[0, 0, a[0], 0, 0, a[1]], [0, 0, b, 0, 0, b], [0] * 6],
          principal_paid=[[0, 0, 1800, 0, 0, 600], [0, 0, 0, 0, 0, 720],
                          [0, 0, 0, 0, 0, 480]],
          residual=[[0] * 6, [0] * 6,
                    [0, 0, 90 - fees[0] - a[0] - b, 0, 0, 36 - fees[1] - a[1] - b]])


def test_released_excess_interest_does_not_take_the_held_principal():
    """Excess interest released (`release`): in M3 the revenue is the interest of months 1
    to 3 (90), not the whole 1,266 held, so the principal collections held pay principal:
    the numbers of the quarterly case (C's residual 24.90, then 2.40)."""
    result = run(prepared_deal(3, excess=ExcessInterest(ExcessInterestUse.RELEASE)))
    check(result,
          principal_paid=[[0, 0, 1800, 0, 0, 600], [0, 0, 0, 0, 0, 720],
                          [0, 0, 0, 0, 0, 480]],
          residual=[[0] * 6, [0] * 6, [0, 0, 24.9, 0, 0, 2.4]])


def test_monthly_is_every_month_a_payment_date():
    """Monthly (the default): M1 fee 3.00, A 12.00, B 7.20, principal 600 to A, residual
    36 - 3 - 12 - 7.20 = 13.80; nothing held."""
    result = run(prepared_deal(1))
    assert result.payment_date[0].all()
    assert not result.held_close.any()
    check(result, principal_paid=[[600, 600, 600, 600, 0, 0], [0, 0, 0, 0, 600, 120],
                                  [0, 0, 0, 0, 0, 480]])
    assert round(float(result.classes.residual[0, 2, 0]), 2) == 13.8


def test_a_frequency_other_than_1_3_or_6_is_refused():
    with pytest.raises(FieldError, match="payment_frequency_months.*1 \\(monthly\\), 3"):
        DealDates(date(2020, 1, 1), date(2020, 1, 1), date(2020, 2, 1), date(2020, 7, 1),
                  payment_frequency_months=2)


def test_the_deal_file_reads_writes_and_checks_the_frequency():
    deal = prepared_deal(3).deal
    data = deal_to_dict(deal)
    assert data["dates"]["payment_frequency_months"] == 3
    assert deal_from_dict(data) == deal
    data["dates"]["payment_frequency_months"] = 4
    with pytest.raises(DealFileError, match=r"dates\.payment_frequency_months"):
        deal_from_dict(data)


def test_the_inspector_shows_a_month_between_payment_dates():
    """Quarterly, month 2: the cash held from month 1 (636) and the month's 630 are held
    (1,266); the fee accrued (5.50) is carried; nothing is paid; not a payment date."""
    prepared = prepared_deal(3)
    result = run(prepared)
    ledgers = inspect_waterfall(result, prepared.deal, 2).ledgers.set_index(
        ["ledger", "item"])["value"]
    assert ledgers[("held", "held_open")] == pytest.approx(636, abs=CENT)
    assert ledgers[("held", "held_close")] == pytest.approx(1266, abs=CENT)
    assert ledgers[("held", "payment_date")] == 0.0
    assert ledgers[("trustee", "fee_unpaid")] == pytest.approx(5.5, abs=CENT)
    assert inspect_waterfall(result, prepared.deal, 3).ledgers.set_index(
        ["ledger", "item"])["value"][("held", "payment_date")] == 1.0


def test_the_term_sheet_states_the_frequency():
    deal = prepared_deal(3).deal
    assert _payment_frequency(deal, "en") == "Quarterly (every 3 months)"
    assert _payment_frequency(deal, "zh") == "按季兑付(每3个月)"
    assert _payment_frequency(prepared_deal(6).deal, "zh") == "按半年兑付(每6个月)"
    assert _payment_frequency(prepared_deal(1).deal, "en") == "Monthly"
    en, zh = structure_description(deal, "en")[0], structure_description(deal, "zh")[0]
    assert "every 3 months (quarterly) from 2020-04-01" in en
    assert "held in the trust account" in en
    assert "每3个月（按季兑付）" in zh
    assert "信托账户" in zh


def test_month_dates_count_back_from_the_first_payment_date():
    """Quarterly with the first payment date 2020-04-01 (month 3): the period table dates
    months 1 to 6 2020-02-01 ... 2020-07-01 (the expected final dates read the same
    dates); monthly, month 1 is the first payment date."""
    prepared = prepared_deal(3)
    result = run(prepared)
    table = cashflow_tables(result, prepared.deal).pool
    assert list(table["date"]) == [date(2020, m, 1) for m in range(2, 8)]
    assert payment_dates(date(2020, 4, 1), 2, 3) == [date(2020, 2, 1), date(2020, 3, 1)]
    assert payment_dates(date(2020, 2, 1), 2) == [date(2020, 2, 1), date(2020, 3, 1)]
