"""Class features and dates (issue 16, items 4 and 7), each against a hand calculation to the
cent: the subordinated class's coupon (期间收益) paid in step 2 or after principal; coupons
and rate-based fees accrued by each period's accrual fraction between the dates paid on the
Chinese calendar (ACT/365 or 30/360, next business day). docs/waterfall.md states the rules.

The deal is that of tests/test_waterfall_options.py: three interest-only loans of 1,000 at
12% (10 of interest a month each) maturing in month 4, one group per loan so that a hazard
of 1 defaults loan L2 whole in the month chosen; classes A 2,000 at 6%, B 600 at 12%, C 400
subordinated; sequential principal; cut-off and closing 2020-01-01, payment dates the 1st of
each month from 2020-02-01, legal final 2020-07-01. L2 recovers 40% one month later.
"""

from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from builders import make_deal, make_pool, run_checked, third_loan_defaults
from hypothesis import HealthCheck, given, settings, strategies as st
from test_waterfall_options_properties import loan_defaults, option_deals

from abs_tool.engine.checks import waterfall_violations
from abs_tool.engine.deterministic import (
    _pool_state,
    prepare_deal,
    run_paths,
)
from abs_tool.engine.waterfall import run_waterfall
from abs_tool.errors import DealFileError, FieldError
from abs_tool.io.dealfile import deal_from_dict, deal_to_dict
from abs_tool.model.assumptions import AnnualPd, Assumptions, Recovery
from abs_tool.model.dates import BusinessDayConvention, DayCount
from abs_tool.model.deal import (
    CouponPriority,
    DealDates,
    Fee,
    NoteClass,
    Structure,
    Tier,
)
from abs_tool.report.tables import cashflow_tables

CENT = 0.005


def prepared_deal(c_coupon=0.0, priority=CouponPriority.INTEREST, *, fees=(),
                  convention=BusinessDayConvention.NONE, day_count=DayCount.THIRTY_360,
                  year=2020):
    structure = Structure(
        classes=(NoteClass("A", Tier.SENIOR, 2 / 3, coupon_annual=0.06),
                 NoteClass("B", Tier.MEZZANINE, 0.2, coupon_annual=0.12),
                 NoteClass("C", Tier.SUBORDINATED, 0.4 / 3, coupon_annual=c_coupon,
                           coupon_priority=priority)),
        fees=fees)
    deal = make_deal(structure, Assumptions(default=AnnualPd(), recovery=Recovery(0.4, 1)))
    dates = DealDates(date(year, 1, 1), date(year, 1, 1), date(year, 2, 1), date(year, 7, 1),
                      convention, day_count)
    return prepare_deal(replace(deal, dates=dates),
                        make_pool([1000.0] * 3, rate=0.12, term=4,
                                  amortization="interest_only", pd_annual=[0.01, 0.02, 0.03]))


def check(result, **expected):
    for name, rows in expected.items():
        got = getattr(result.classes, name)[0, :, : len(rows[0])]
        np.testing.assert_allclose(got, rows, atol=CENT, err_msg=name)


# --- 4. the subordinated class's coupon (期间收益) ------------------------------------------

def test_subordinated_coupon_in_step_2_is_paid_after_the_other_classes_interest():
    """C at 6% (400 x 0.5% = 2 a month), paid with interest (step 2), after A and B.

    M1: interest 30: A 10, B 6, C 2; nothing due: C's residual 12.
    M2: L2 defaults: interest 20: A 10, B 6, C 2; 2 left pays A's principal (due 1,000).
    M3: interest 20 + recovery 400: A 1,998 x 0.5% = 9.99, B 6, C 2 (its coupon is on its
    balance, 400); 402.01 pays A. M4: 2,020: A 1,595.99 x 0.5% = 7.97995, B 6, C 2;
    2,004.02005 left: A 1,595.99, B 408.03005; B's 191.96995 and C's 400 written down."""
    result = run_paths(prepared_deal(0.06), third_loan_defaults(2), 1)
    assert waterfall_violations(result) == []
    check(result,
          interest_paid=[[10, 10, 9.99, 7.97995], [6, 6, 6, 6], [2, 2, 2, 2]],
          principal_paid=[[0, 2, 402.01, 1595.99], [0, 0, 0, 408.03005], [0, 0, 0, 0]],
          writedown=[[0, 0, 0, 0], [0, 0, 0, 191.96995], [0, 0, 0, 400]],
          residual=[[0] * 4, [0] * 4, [12, 0, 0, 0]])


def test_subordinated_coupon_after_principal_is_paid_from_what_principal_leaves():
    """The same coupon paid after principal: A and B are paid as without it (the rule
    before issue 16: tests/test_waterfall_options.py, at_end), and C's coupon only from
    what is left. M1: C 2, residual 12. M2: 4 left after interest pays A's principal
    (due 1,000): C's 2 is unpaid and carried at its coupon: 2 x 1.005 + 2 = 4.01 due in
    M3, unpaid (A takes 404.02); 4.01 x 1.005 + 2 = 6.03005 unpaid at the end (M4)."""
    result = run_paths(prepared_deal(0.06, CouponPriority.AFTER_PRINCIPAL),
                       third_loan_defaults(2), 1)
    assert waterfall_violations(result) == []
    check(result,
          interest_paid=[[10, 10, 9.98, 7.9599], [6, 6, 6, 6], [2, 0, 0, 0]],
          principal_paid=[[0, 4, 404.02, 1591.98], [0, 0, 0, 414.0601], [0, 0, 0, 0]],
          interest_shortfall=[[0] * 4, [0] * 4, [0, 2, 4.01, 6.03005]],
          residual=[[0] * 4, [0] * 4, [12, 0, 0, 0]])


def test_after_principal_is_only_for_the_subordinated_class():
    with pytest.raises(FieldError, match="coupon_priority.*after_principal"):
        NoteClass("A", Tier.SENIOR, 0.8, coupon_annual=0.05,
                  coupon_priority=CouponPriority.AFTER_PRINCIPAL)
    with pytest.raises(FieldError, match="coupon_priority.*coupon_annual"):
        NoteClass("C", Tier.SUBORDINATED, 0.2, coupon_priority=CouponPriority.AFTER_PRINCIPAL)


# --- 7. dates: business days and day counts ---------------------------------------------

# Paid dates of 2020 (State Council calendar): 02-01 is a Saturday of the extended Spring
# Festival holiday -> Monday 02-03; 03-01 a Sunday -> 03-02; 04-01 a Wednesday; 05-01 to
# 05-05 the Labour Day holiday -> Wednesday 05-06; 06-01 a Monday; 07-01 a Wednesday.
PAID_2020 = [date(2020, 2, 3), date(2020, 3, 2), date(2020, 4, 1), date(2020, 5, 6),
             date(2020, 6, 1), date(2020, 7, 1)]
DAYS_2020 = [33, 28, 30, 35, 26, 30]  # from the closing date 2020-01-01, date paid to paid


def test_act_365_accrues_coupons_and_rate_fees_by_the_days_between_the_dates_paid():
    """Next business day, ACT/365; a fee of 1% a year on the performing pool (3,000) and 12
    a year fixed (1 a month: fixed amounts are per period, not accrued). Period k of d days:
    fee 3,000 x 1% x d/365 + 1, A 2,000 x 6% x d/365, B 600 x 12% x d/365; C takes the rest
    of the 30 of interest, and in M4 the 3,000 of principal pays every class in full."""
    fee = Fee("trustee", rate_annual=0.01, fixed_annual=12.0)
    prepared = prepared_deal(fees=(fee,), convention=BusinessDayConvention.FOLLOWING,
                             day_count=DayCount.ACT_365)
    result = run_checked(prepared)
    days = np.array(DAYS_2020[:4], dtype=float)
    fees = 3000 * 0.01 * days / 365 + 1
    a, b = 2000 * 0.06 * days / 365, 600 * 0.12 * days / 365
    np.testing.assert_allclose(result.fees_paid[0, 0, :4], fees, atol=CENT)
    check(result, interest_paid=[a, b, [0] * 4],
          principal_paid=[[0, 0, 0, 2000], [0, 0, 0, 600], [0, 0, 0, 400]],
          residual=[[0] * 4, [0] * 4, 30 - fees - a - b])
    # Period 1: 33 days: A 10.85, B 6.51, fee 3.71; C 8.93.
    assert (round(a[0], 2), round(b[0], 2), round(fees[0], 2)) == (10.85, 6.51, 3.71)
    tables = cashflow_tables(result, prepared.deal)
    assert list(tables.pool["date"]) == PAID_2020
    assert list(tables.pool["accrual_days"]) == DAYS_2020
    assert tables.provisional_years == ()


def test_30_360_counts_the_dates_paid_too():
    """Next business day, 30/360: 01-01 -> 02-03 is 32/360 (30 + 3 - 1), 02-03 -> 03-02 is
    29/360, 03-02 -> 04-01 29/360, 04-01 -> 05-06 35/360: A 2,000 x 6% x n/360."""
    prepared = prepared_deal(convention=BusinessDayConvention.FOLLOWING)
    result = run_checked(prepared)
    n = np.array([32, 29, 29, 35])
    check(result, interest_paid=[2000 * 0.06 * n / 360, 600 * 0.12 * n / 360, [0] * 4])
    assert round(2000 * 0.06 * 32 / 360, 2) == 10.67


def test_default_dates_keep_one_twelfth_bit_for_bit():
    """Default fields (no adjustment, 30/360): coupons accrue annual / 12 as before, the
    same bits with or without the dates, and the period table has no accrual column."""
    prepared = prepared_deal(0.06, fees=(Fee("trustee", rate_annual=0.01),))
    assert not prepared.deal.dates.dated_accrual
    dated, plain = run_checked(prepared, 2), run_paths(prepared, third_loan_defaults(2), 1)
    for name in ("interest_paid", "principal_paid", "residual", "balance_close"):
        np.testing.assert_array_equal(getattr(dated.classes, name),
                                      getattr(plain.classes, name))
    np.testing.assert_array_equal(dated.fees_paid, plain.fees_paid)
    assert "accrual_days" not in cashflow_tables(plain, prepared.deal).pool


def test_years_without_an_official_calendar_are_provisional():
    prepared = prepared_deal(convention=BusinessDayConvention.MODIFIED_FOLLOWING, year=2090)
    tables = cashflow_tables(run_checked(prepared), prepared.deal)
    assert tables.provisional_years == (2090,)
    assert all(d.weekday() < 5 for d in tables.pool["date"])


def test_dated_accrual_needs_a_first_period():
    with pytest.raises(FieldError, match="first_payment.*after `closing`"):
        DealDates(date(2020, 1, 1), date(2020, 2, 1), date(2020, 2, 1), date(2020, 7, 1),
                  day_count=DayCount.ACT_365)


@pytest.mark.parametrize(("where", "value", "path"), [
    (("dates", "day_count"), "ACT/360", "dates.day_count"),
    (("dates", "business_day_convention"), "preceding", "dates.business_day_convention"),
    (("structure", "classes", 0, "coupon_priority"), "after_principal",
     "structure.classes[0].coupon_priority"),
    (("structure", "classes", 2, "coupon_priority"), "later", "structure.classes[2]"),
])
def test_deal_file_errors_name_the_field(where, value, path):
    data = deal_to_dict(prepared_deal(0.06).deal)
    target = data
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    with pytest.raises(DealFileError, match=path.replace("[", r"\[").replace("]", r"\]")):
        deal_from_dict(data)


def test_new_fields_round_trip_through_the_deal_file():
    deal = prepared_deal(0.06, CouponPriority.AFTER_PRINCIPAL,
                         convention=BusinessDayConvention.MODIFIED_FOLLOWING,
                         day_count=DayCount.ACT_365).deal
    data = deal_to_dict(deal)
    assert data["dates"]["day_count"] == "ACT/365"
    assert data["structure"]["classes"][2]["coupon_priority"] == "after_principal"
    assert deal_from_dict(data) == deal


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), option_deals())
def test_invariants_hold_with_dated_accrual_and_subordinated_coupons(data, prepared):
    """The random deals of tests/test_waterfall_options_properties.py (their dates drawn
    with every convention and day count, the subordinated class with a coupon in step 2 or
    after principal), run with their dates: every invariant holds."""
    defaults, n_paths = data.draw(loan_defaults(prepared))
    state = _pool_state(prepared, defaults, n_paths, None, None, None, None)
    result = run_waterfall(prepared.deal.structure, state, prepared.class_balances,
                           dates=prepared.deal.dates)
    assert waterfall_violations(result) == []
