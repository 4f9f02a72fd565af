"""Waterfall options (issue 16, items 1-3), each against a hand calculation to the cent:
when losses are written off the notes (at the end, on default, on liquidation) and their
reinstatement; the use of excess interest (cover the deficiency, release it, cover up to a
limit) and the excess-spread haircut; fee bases and caps. docs/waterfall.md states the rules.

The deal of every case: three interest-only loans of 1,000 at 12% (10 of interest a month
each), maturing in month 4, in three groups (PDs 1%, 2%, 3%), so that a hazard of 1 on
group 2 defaults loan L2 whole in the month chosen (the engine's way to default given loans
in given months: :class:`~abs_tool.engine.projection.HazardDefaults`, one group per loan).
Classes: A 2,000 at 6% (0.5% a month: 10 on 2,000), B 600 at 12% (1% a month: 6), C 400
subordinated. Sequential principal, no fees unless said; legal final month 6. Unless said,
L2 defaults in month 2 and 40% of it (400) is recovered one month later, in month 3.
"""

import numpy as np
import pytest
from builders import make_deal, make_pool

from abs_tool.engine.checks import waterfall_violations
from abs_tool.engine.deterministic import prepare_deal, run_paths
from abs_tool.engine.projection import HazardDefaults
from abs_tool.model.assumptions import AnnualPd, Assumptions, Recovery
from abs_tool.model.deal import (
    CleanUpCall,
    ExcessInterest,
    ExcessInterestUse,
    Fee,
    FeeBasis,
    LossAllocation,
    LossTiming,
    NoteClass,
    Structure,
    Tier,
)

CENT = 0.005
A, B, C = 0, 1, 2


def run(loss_allocation=None, excess_interest=None, *, fees=(), recovery=0.4, lag=1,
        default_month=2, months=6, coupons=(0.06, 0.12), call=None):
    """The deal above under the options given; loan L2 defaults in ``default_month`` (none
    when 0). Returns the engine's result (one path), checked against every invariant."""
    structure = Structure(
        classes=(NoteClass("A", Tier.SENIOR, 2 / 3, coupon_annual=coupons[0]),
                 NoteClass("B", Tier.MEZZANINE, 0.2, coupon_annual=coupons[1]),
                 NoteClass("C", Tier.SUBORDINATED, 0.4 / 3)),
        fees=fees, clean_up_call=call,
        loss_allocation=loss_allocation or LossAllocation(),
        excess_interest=excess_interest or ExcessInterest(),
    )
    deal = make_deal(structure, Assumptions(default=AnnualPd(), recovery=Recovery(recovery, lag)),
                     months=months)
    prepared = prepare_deal(deal, make_pool([1000.0] * 3, rate=0.12, term=4,
                                            amortization="interest_only",
                                            pd_annual=[0.01, 0.02, 0.03]))
    assert prepared.class_balances == pytest.approx((2000.0, 600.0, 400.0), abs=1e-9)
    hazard = np.zeros((1, 3, months))
    if default_month:
        hazard[0, 2, default_month - 1] = 1.0
    result = run_paths(prepared, HazardDefaults(hazard), 1)
    assert waterfall_violations(result) == []
    return result


def check(result, **expected):
    """Each class row named (interest_paid, principal_paid, writedown, reinstated,
    residual, balance_close) equals its expected rows (classes x months) to the cent."""
    for name, rows in expected.items():
        got = getattr(result.classes, name)[0, :, : len(rows[0])]
        np.testing.assert_allclose(got, rows, atol=CENT, err_msg=name)


# --- 1. loss allocation ----------------------------------------------------------------------

def test_at_end_is_todays_rule_excess_interest_covers_the_deficiency():
    """Default rule (at_end, cover_deficiency): nothing is written down before the end.

    M1: interest 30; A 10, B 6; nothing due (notes 3,000 = pool 3,000): C gets 14.
    M2: L2 defaults: interest 20; A 10, B 6, 4 left; due 3,000 - 2,000 = 1,000: A gets 4.
    M3: interest 20 + recovery 400; A 1,996 x 0.5% = 9.98, B 6; 404.02 left, due 996: A.
    M4: interest 20 + principal 2,000; A 1,591.98 x 0.5% = 7.9599, B 6; 2,006.0401 left:
    A 1,591.98, B 414.0601. The pool is done: B's 185.9399 and C's 400 are written down.
    """
    r = run()
    check(r,
          interest_paid=[[10, 10, 9.98, 7.9599], [6, 6, 6, 6], [0, 0, 0, 0]],
          principal_paid=[[0, 4, 404.02, 1591.98], [0, 0, 0, 414.0601], [0, 0, 0, 0]],
          writedown=[[0, 0, 0, 0], [0, 0, 0, 185.9399], [0, 0, 0, 400]],
          residual=[[0] * 4, [0] * 4, [14, 0, 0, 0]],
          balance_close=[[2000, 1996, 1591.98, 0], [600, 600, 600, 0], [400, 400, 400, 0]])
    assert r.end_month[0] == 4


def test_on_liquidation_writes_down_the_loss_net_of_recovery_when_it_arrives():
    """The prospectus deal of issue 16: notes written down when a defaulted loan is
    liquidated, excess interest released to the residual holder.

    M1: as at_end: C gets 14.
    M2: L2 defaults; not liquidated yet, so nothing is written down and nothing is due:
    3,000 of notes - 2,000 performing - 1,000 awaiting liquidation. Interest 20; A 10,
    B 6; the excess 4 goes to C.
    M3: the recovery 400 arrives: the loss 1,000 - 400 = 600 is written down, C's 400
    first, then 200 of B (600 -> 400). Due 3,000 - 600 - 2,000 = 400, paid by the
    recovery: A 1,600. Interest 20: A 10, B 6 (on the opening 600), C gets 4.
    M4: interest A 1,600 x 0.5% = 8, B 400 x 1% = 4 (on the written-down balance); the
    principal 2,000 pays A 1,600 and B 400; C gets 20 - 12 = 8. Nothing is left to write
    down at the end.
    """
    r = run(LossAllocation(LossTiming.ON_LIQUIDATION),
            ExcessInterest(ExcessInterestUse.RELEASE))
    check(r,
          interest_paid=[[10, 10, 10, 8], [6, 6, 6, 4], [0, 0, 0, 0]],
          principal_paid=[[0, 0, 400, 1600], [0, 0, 0, 400], [0, 0, 0, 0]],
          writedown=[[0, 0, 0, 0], [0, 0, 200, 0], [0, 0, 400, 0]],
          reinstated=[[0] * 4] * 3,
          residual=[[0] * 4, [0] * 4, [14, 4, 4, 8]],
          balance_close=[[2000, 2000, 1600, 0], [600, 600, 400, 0], [400, 400, 0, 0]])
    # Here nothing is left for excess interest to cover: covering it changes nothing.
    same = run(LossAllocation(LossTiming.ON_LIQUIDATION))
    np.testing.assert_array_equal(same.classes.residual, r.classes.residual)


def test_on_liquidation_with_no_lag_writes_down_in_the_month_of_default():
    """Lag 0: L2 defaults in M2 and 400 is recovered at once; 600 is written down then (C
    400, B 200), the recovery pays A 400 (due 3,000 - 600 - 2,000), C gets 20 - 16 = 4.
    M3: A 1,600 x 0.5% = 8, B 400 x 1% = 4: C gets 8. M4: A 1,600, B 400; C gets 8."""
    r = run(LossAllocation(LossTiming.ON_LIQUIDATION), recovery=0.4, lag=0)
    check(r,
          interest_paid=[[10, 10, 8, 8], [6, 6, 4, 4], [0, 0, 0, 0]],
          principal_paid=[[0, 400, 0, 1600], [0, 0, 0, 400], [0, 0, 0, 0]],
          writedown=[[0, 0, 0, 0], [0, 200, 0, 0], [0, 400, 0, 0]],
          residual=[[0] * 4, [0] * 4, [14, 4, 8, 8]])


def test_on_liquidation_recoveries_after_the_legal_final_are_lost_at_the_end():
    """Legal final month 4; L2 defaults in M4 with a 2-month lag: its recovery would come
    after the end, so the whole 1,000 is written down in M4 (C 400, B 600). M4: interest
    20 + principal 2,000; A 10, B 6 (on its opening 600); due 3,000 - 1,000 - 0 = 2,000:
    A; C gets 4."""
    r = run(LossAllocation(LossTiming.ON_LIQUIDATION), lag=2, default_month=4, months=4)
    check(r,
          interest_paid=[[10, 10, 10, 10], [6, 6, 6, 6], [0, 0, 0, 0]],
          principal_paid=[[0, 0, 0, 2000], [0, 0, 0, 0], [0, 0, 0, 0]],
          writedown=[[0, 0, 0, 0], [0, 0, 0, 600], [0, 0, 0, 400]],
          residual=[[0] * 4, [0] * 4, [14, 14, 14, 4]])


def test_on_liquidation_a_clean_up_call_liquidates_at_the_recoveries_it_pays_for():
    """A call at 70% of the pool: in M2, after L2's default, 2,000 <= 2,100 performs; the
    call pays 2,000 + the 400 still to be recovered (lag 3). The 1,000 defaulted is
    liquidated by the sale: 1,000 - 400 = 600 written down (C 400, B 200); due 3,000 - 600
    = 2,400 paid from 20 + 2,400 - 16 of interest: A 2,000, B 400; C gets 4. Today's rule
    (at_end) instead pays B 404 and writes down B 196 and C 400."""
    r = run(LossAllocation(LossTiming.ON_LIQUIDATION), lag=3, call=CleanUpCall(0.7))
    check(r,
          principal_paid=[[0, 2000], [0, 400], [0, 0]],
          writedown=[[0, 0], [0, 200], [0, 400]],
          residual=[[0, 0], [0, 0], [14, 4]])
    assert r.end_month[0] == 2
    today = run(lag=3, call=CleanUpCall(0.7))
    check(today, principal_paid=[[0, 2000], [0, 404], [0, 0]],
          writedown=[[0, 0], [0, 196], [0, 400]], residual=[[0, 0], [0, 0], [14, 0]])


def test_on_default_writes_down_the_defaulted_balance_and_recoveries_flow_as_cash():
    """M2: L2's 1,000 is written down when it defaults, after the month's interest (B is
    paid 6 on its opening 600): C 400, B 600. Due 3,000 - 1,000 - 2,000 = 0; C gets 4.
    M3: B bears no interest; A 10; the recovery 400 is cash with no principal due against
    it (without reinstatement): C gets 20 - 10 + 400 = 410.
    M4: A 10 and its 2,000; C gets 10."""
    r = run(LossAllocation(LossTiming.ON_DEFAULT))
    check(r,
          interest_paid=[[10, 10, 10, 10], [6, 6, 0, 0], [0, 0, 0, 0]],
          principal_paid=[[0, 0, 0, 2000], [0, 0, 0, 0], [0, 0, 0, 0]],
          writedown=[[0, 0, 0, 0], [0, 600, 0, 0], [0, 400, 0, 0]],
          reinstated=[[0] * 4] * 3,
          residual=[[0] * 4, [0] * 4, [14, 4, 410, 10]],
          balance_close=[[2000, 2000, 2000, 0], [600, 0, 0, 0], [400, 0, 0, 0]])


def test_reinstatement_restores_written_down_amounts_senior_first_from_excess_cash():
    """on_default with reinstatement: the cash that went to C above restores B's balance
    first (A was never written down) and is paid as principal in the usual order:
    sequentially, to A first.

    M2: the 4 left after the principal due (0) reinstates 4 of B's 600; due 4: A (1,996).
    M3: A 1,996 x 0.5% = 9.98, B 4 x 1% = 0.04; 420 - 10.02 = 409.98 reinstates B (413.98)
    and pays A (1,586.02).
    M4: A 1,586.02 x 0.5% = 7.9301, B 413.98 x 1% = 4.1398; 2,020 - 12.0699 = 2,007.9301:
    the principal due 2,000 and 7.9301 more reinstated for B; A 1,586.02, B 421.9101.
    B's net loss is 600 - 4 - 409.98 - 7.9301 = 178.0899; C, below B, loses its 400.
    """
    r = run(LossAllocation(LossTiming.ON_DEFAULT, reinstate=True))
    check(r,
          interest_paid=[[10, 10, 9.98, 7.9301], [6, 6, 0.04, 4.1398], [0, 0, 0, 0]],
          principal_paid=[[0, 4, 409.98, 1586.02], [0, 0, 0, 421.9101], [0, 0, 0, 0]],
          writedown=[[0, 0, 0, 0], [0, 600, 0, 0], [0, 400, 0, 0]],
          reinstated=[[0, 0, 0, 0], [0, 4, 409.98, 7.9301], [0, 0, 0, 0]],
          residual=[[0] * 4, [0] * 4, [14, 0, 0, 0]],
          balance_close=[[2000, 1996, 1586.02, 0], [600, 4, 413.98, 0], [400, 0, 0, 0]])


def test_metrics_count_write_downs_net_of_reinstatements():
    """B's principal loss is its net write-down 178.0899 / 600; its PV loss discounts the
    write-down (month 2) and the reinstatements (months 2-4) at its coupon (1% a month)."""
    from abs_tool.engine.metrics import class_metrics

    r = run(LossAllocation(LossTiming.ON_DEFAULT, reinstate=True))
    m = class_metrics(r, np.array([0.06, 0.12, 0.0]))
    assert m.principal_loss[0, B] == pytest.approx(178.0899 / 600, abs=1e-12)
    pv = (600 - 4) / 1.01**2 - 409.98 / 1.01**3 - 7.9301 / 1.01**4
    assert m.loss_pv[0, B] == pytest.approx(pv / 600, abs=1e-12)
    assert m.principal_loss[0, A] == 0.0
    assert m.principal_loss[0, C] == pytest.approx(1.0)


# --- 2. the use of excess interest -----------------------------------------------------------

def test_released_excess_interest_goes_to_the_residual_not_the_deficiency():
    """at_end with release: the principal funds alone pay principal.

    M2: due 1,000 (L2 defaulted), but the 4 left is excess interest (revenue 20 - 16): C.
    M3: revenue 20 - 16 = 4 excess, C; the recovery 400 (principal funds) pays A 400.
    M4: A 1,600 x 0.5% = 8, B 6; excess 20 - 14 = 6 to C; the 2,000 of principal pays A
    1,600 and B 400. At the end B's 200 and C's 400 are written down.
    """
    r = run(excess_interest=ExcessInterest(ExcessInterestUse.RELEASE))
    check(r,
          interest_paid=[[10, 10, 10, 8], [6, 6, 6, 6], [0, 0, 0, 0]],
          principal_paid=[[0, 0, 400, 1600], [0, 0, 0, 400], [0, 0, 0, 0]],
          writedown=[[0, 0, 0, 0], [0, 0, 0, 200], [0, 0, 0, 400]],
          residual=[[0] * 4, [0] * 4, [14, 4, 4, 6]])


def test_excess_interest_covers_the_deficiency_up_to_a_monthly_limit():
    """at_end, cover_up_to 3 a month (a limit of each month; what is not used lapses).

    M2: excess 4: 3 pays A, 1 to C.
    M3: A 1,997 x 0.5% = 9.985, B 6: excess 20 - 15.985 = 4.015; the recovery 400 and 3 of
    it pay A 403; C 1.015.
    M4: A 1,594 x 0.5% = 7.97, B 6: excess 6.03; 2,000 + 3 pays A 1,594 and B 409; C gets
    3.03. At the end B's 191 and C's 400 are written down.
    """
    r = run(excess_interest=ExcessInterest(ExcessInterestUse.COVER_UP_TO, 3.0))
    check(r,
          interest_paid=[[10, 10, 9.985, 7.97], [6, 6, 6, 6], [0, 0, 0, 0]],
          principal_paid=[[0, 3, 403, 1594], [0, 0, 0, 409], [0, 0, 0, 0]],
          writedown=[[0, 0, 0, 0], [0, 0, 0, 191], [0, 0, 0, 400]],
          residual=[[0] * 4, [0] * 4, [14, 1, 1.015, 3.03]])


def test_the_excess_spread_haircut_takes_interest_out_before_the_waterfall():
    """No default; a 25% haircut takes 7.5 of the 30 of interest each month. A 10, B 6;
    C gets 30 - 7.5 - 16 = 6.5 a month; in M4 the 3,000 of principal repays every class.
    Cash in = cash out with the haircut as a line of its own."""
    r = run(excess_interest=ExcessInterest(haircut_share=0.25), default_month=0)
    np.testing.assert_allclose(r.excess_spread_haircut[0, :4], [7.5] * 4, atol=CENT)
    check(r,
          interest_paid=[[10] * 4, [6] * 4, [0] * 4],
          principal_paid=[[0, 0, 0, 2000], [0, 0, 0, 600], [0, 0, 0, 400]],
          residual=[[0] * 4, [0] * 4, [6.5] * 4])


# --- 3. fee bases and caps -------------------------------------------------------------------

def test_fee_bases_and_a_monthly_cap():
    """Zero coupons; L2 defaults in M1 with nothing recovered. Five fees of 1.2% a year
    (0.1% a month), on: the performing balance at the start of the month with the month's
    defaults (today's), without them, the notes at the start of the month; a fixed 24 a year
    (2 a month); and today's basis capped at 2.5 a month.

    M1: pool 3,000 at the start, 1,000 defaults: 3.00, 2.00, 3.00, 2.00, min(3, 2.5) = 2.5.
    Interest 20 - 12.5 = 7.5 pays A (due 1,000).
    M2: pool 2,000: 2.00, 2.00, notes 2,992.5 -> 2.9925, 2.00, 2.00; A gets 9.0075.
    M3: notes 2,983.4925 -> 2.9834925; A gets 20 - 10.9834925 = 9.0165075.
    M4: notes 2,974.4759925 -> 2.9744760; 2,020 - 10.9744760 pays A 1,974.4759925 and B
    34.5495315; B's 565.4504685 and C's 400 are written down.
    """
    fees = (Fee("incl", 0.012), Fee("ex", 0.012, basis=FeeBasis.PERFORMING_START),
            Fee("notes", 0.012, basis=FeeBasis.NOTES),
            Fee("fixed", fixed_annual=24.0, basis=FeeBasis.FIXED),
            Fee("capped", 0.012, cap_per_month=2.5))
    r = run(fees=fees, recovery=0.0, lag=0, default_month=1, coupons=(0.0, 0.0))
    np.testing.assert_allclose(r.fees_paid[0, :, :4], [
        [3.00, 2.00, 2.00, 2.00],
        [2.00, 2.00, 2.00, 2.00],
        [3.00, 2.9925, 2.9834925, 2.9744760],
        [2.00, 2.00, 2.00, 2.00],
        [2.50, 2.00, 2.00, 2.00],
    ], atol=CENT)
    assert not r.fees_unpaid.any()
    check(r,
          principal_paid=[[7.5, 9.0075, 9.0165075, 1974.4759925], [0, 0, 0, 34.5495315],
                          [0, 0, 0, 0]],
          writedown=[[0, 0, 0, 0], [0, 0, 0, 565.4504685], [0, 0, 0, 400]])


def test_a_capped_fee_owes_nothing_over_the_cap_and_carries_what_is_unpaid():
    """Zero coupons, no default; a fixed fee of 120 a month capped at 25: 25 is owed each
    month and the pool's 30 of interest pays it; the other 5 covers nothing (no deficiency)
    and goes to C. The 95 over the cap is never owed."""
    r = run(fees=(Fee("servicer", fixed_annual=1440.0, basis=FeeBasis.FIXED,
                      cap_per_month=25.0),),
            default_month=0, coupons=(0.0, 0.0))
    np.testing.assert_allclose(r.fees_paid[0, 0, :4], [25] * 4, atol=CENT)
    np.testing.assert_allclose(r.fees_unpaid[0, 0, :4], [0] * 4, atol=CENT)
    check(r, residual=[[0] * 4, [0] * 4, [5] * 4])
