"""The kernel's steps one at a time: each compiled step on a small hand-built state, against
a hand calculation (stated next to each expected number).

Path 0 throughout; ``k`` is the month index (month t = k + 1). The whole month loop is
tested through the engine in test_waterfall.py.
"""

import numpy as np
import pytest

from abs_tool.engine import kernel

MONTHS = 6


def pool_inputs(**given):
    """One group of 100 at the cut-off paying, each month, interest 1, principal 10 and a
    fee of 0.5 per 100 of opening balance (balance after the schedule 90); a 10% monthly
    hazard, SMM 50%, 40% recovered with no lag; purchases follow the same profile."""
    flows = np.zeros((MONTHS, 1, 4))
    flows[:, 0] = [1.0, 10.0, 0.5, 90.0]
    inputs = kernel.PoolInputs(
        initial_flows=flows, purchase_flows=flows / 100.0, purchase_balance=np.ones(1),
        initial_balance=np.array([100.0]), initial_pool=100.0,
        hazard=np.full((1, 1, MONTHS), 0.1), amount_share=np.zeros((0, MONTHS)),
        smm=np.full(MONTHS, 0.5), recovery=np.array([0.4]),
        loan_recovery=np.ones((1, 1, MONTHS)), loan_level=False, lag=0,
    )
    return inputs._replace(**given)


def terms(**given):
    """Class A 80 and class B 20 (subordinated), no coupons, fees, reserve, call, turbo or
    triggers; sequential principal."""
    default = kernel.Terms(
        original=np.array([80.0, 20.0]), initial_notes=100.0, coupon=np.zeros(2),
        quarterly=np.zeros(2, dtype=np.bool_), rated=np.array([True, False]), sub=1,
        fee_rate=np.zeros((0, MONTHS)), fee_fixed=np.zeros(0),
        fee_basis=np.zeros(0, dtype=np.int64),
        fee_cap=np.zeros(0), reserve_initial=0.0, reserve_target=0.0,
        reserve_floor=0.0, revolving_months=0, call_share=np.nan, sequential=True, turbo=False,
        trigger_metric=np.zeros(0, dtype=np.int64), trigger_action=np.zeros(0, dtype=np.int64),
        trigger_threshold=np.zeros((0, MONTHS)), loss_timing=kernel.AT_END, reinstate=False,
        excess_use=kernel.COVER_DEFICIENCY, cover_limit=0.0, haircut=0.0,
        coupon_period=np.zeros((2, MONTHS)), late=np.zeros(2, dtype=np.bool_),
        # classes in tiers, target balances (issue 16 item 4a): one class a tier, no target
        tier_start=np.arange(3), tier_rule=np.zeros(2, dtype=np.int64),
        targeted=np.zeros(2, dtype=np.bool_), target_amount=np.zeros((2, MONTHS)),
        target_pool=np.zeros(2), scheduled=False,
        # Floating coupons and the step-up (issue 16 item 4b): none.
        floating=np.zeros(2, dtype=np.bool_), step_up_period=np.zeros((2, MONTHS)),
        call_exercised=True,
        # Liquidity support (issue 16 item 5): none.
        liquidity_covers=np.array([True, False]), liquidity_initial=0.0, liquidity_target=0.0,
        liquidity_floor=0.0, liquidity_late=False, advance_limit=0.0, advance_limit_share=0.0,
        advance_rate=0.0,
    )
    # Monthly rates given as one per class or fee apply every month (annual / 12, as the
    # engine packs a deal whose dates opt in to no day count).
    for name in ("coupon", "fee_rate"):
        if name in given and np.ndim(given[name]) == 1:
            monthly = np.asarray(given[name], dtype=np.float64)
            given[name if name == "fee_rate" else "coupon_period"] = np.repeat(
                monthly[:, None], MONTHS, axis=1)
    if "original" in given and "late" not in given:
        given["late"] = np.zeros(len(given["original"]), dtype=np.bool_)
    if "original" in given:  # one class a tier, no target, unless given
        n = len(given["original"])
        for name, value in (("tier_start", np.arange(n + 1)),
                            ("tier_rule", np.zeros(n, dtype=np.int64)),
                            ("targeted", np.zeros(n, dtype=np.bool_)),
                            ("target_amount", np.zeros((n, MONTHS))),
                            ("target_pool", np.zeros(n))):
            given.setdefault(name, value)
    if "original" in given and "floating" not in given:
        given["floating"] = np.zeros(len(given["original"]), dtype=np.bool_)
        given["step_up_period"] = np.zeros((len(given["original"]), MONTHS))
    return default._replace(**given)


def start(t, pool=None):
    """The path state at the cut-off, and zeroed outputs, for terms ``t``. What step 2
    (pay_interest) fills every month starts at zero: nothing paid yet."""
    pool = pool_inputs() if pool is None else pool
    path = kernel.new_path_state(pool, t, MONTHS)
    kernel.start_path(pool, t, path)
    path.interest_paid[:] = 0.0
    path.principal_paid[:] = 0.0
    path.pay_date[:] = False
    n_classes, n_fees, n_triggers = len(t.original), len(t.fee_rate), len(t.trigger_metric)
    return path, kernel.zeroed_outputs(1, MONTHS, n_classes, n_fees, n_triggers)


# --- the pool --------------------------------------------------------------------------------

def test_pool_month_defaults_then_schedule_then_prepayment_then_recovery():
    path, out = start(terms())
    opening, collections, defaulted, closing, pending = kernel.pool_month(
        pool_inputs(), 0, 0, 100.0, 1, path, out)
    # Defaults 10% of 100 = 10; the 90% surviving pay interest 0.9, principal 9, fee 0.45
    # and leave 81, of which SMM 50% = 40.5 prepays and 40.5 performs; 40% of the 10
    # defaulted is recovered at once (4), 6 lost; collections 0.9 + 9 + 40.5 + 4 + 0.45.
    row = out.pool[:, 0, 0]
    assert row[kernel.POOL_OPEN] == pytest.approx(100.0)
    assert row[kernel.POOL_DEFAULT] == pytest.approx(10.0)
    assert row[kernel.POOL_INTEREST] == pytest.approx(0.9)
    assert row[kernel.POOL_SCHEDULED] == pytest.approx(9.0)
    assert row[kernel.POOL_FEE] == pytest.approx(0.45)
    assert row[kernel.POOL_PREPAID] == pytest.approx(40.5)
    assert row[kernel.POOL_RECOVERY] == pytest.approx(4.0)
    assert row[kernel.POOL_LOSS] == pytest.approx(6.0)
    assert (opening, defaulted) == pytest.approx((100.0, 10.0))
    assert collections == pytest.approx(54.85)
    assert closing == pytest.approx(40.5)
    assert pending == 0.0  # no lag: nothing left to come
    # The cohort's weight is the share still performing: 0.9 x 0.5.
    assert path.weights[0, 0] == pytest.approx(0.45)


def test_recoveries_arrive_after_the_lag_and_are_pending_until_then():
    path, out = start(terms())
    pool = pool_inputs(lag=1)
    first = kernel.pool_month(pool, 0, 0, 100.0, 1, path, out)
    # Month 1: 10 defaulted, nothing recovered yet; 40% x 10 = 4 is still to come.
    assert out.pool[kernel.POOL_RECOVERY, 0, 0] == 0.0
    assert first[4] == pytest.approx(4.0)
    kernel.pool_month(pool, 0, 1, 100.0, 1, path, out)
    # Month 2: the 4 arrives; the month's defaults are 10% of 40.5 = 4.05.
    assert out.pool[kernel.POOL_RECOVERY, 0, 1] == pytest.approx(4.0)
    assert out.pool[kernel.POOL_DEFAULT, 0, 1] == pytest.approx(4.05)


@pytest.mark.parametrize(("scale", "recovered"), [
    (0.5, 3.5),  # the group's 70% scaled by 0.5: 35% of the 10 defaulted
    (2.0, 10.0),  # 140% capped at 100%: all of the 10
])
def test_loan_level_rates_recover_the_groups_rate_scaled_and_capped(scale, recovered):
    path, out = start(terms())
    pool = pool_inputs(recovery=np.array([scale]), loan_recovery=np.full((1, 1, MONTHS), 0.7),
                       loan_level=True, lag=1)
    first = kernel.pool_month(pool, 0, 0, 100.0, 1, path, out)
    # Month 1: 10 defaulted; its recovery is pending until the lag has passed.
    assert out.pool[kernel.POOL_LOSS, 0, 0] == pytest.approx(10.0 - recovered)
    assert first[4] == pytest.approx(recovered)
    kernel.pool_month(pool, 0, 1, 100.0, 1, path, out)
    assert out.pool[kernel.POOL_RECOVERY, 0, 1] == pytest.approx(recovered)


@pytest.mark.parametrize(("share", "fraction"), [
    (0.2, 0.2),  # 20% of the base of 100 = 20, out of 100 performing
    (2.0, 1.0),  # 200 asked for, capped at the 100 performing
])
def test_amount_defaults_are_a_share_of_the_base_capped_by_the_pool(share, fraction):
    path, out = start(terms())
    pool = pool_inputs(hazard=np.zeros((0, 1, MONTHS)),
                       amount_share=np.full((1, MONTHS), share))
    kernel.pool_month(pool, 0, 0, 100.0, 1, path, out)
    assert path.d[0] == pytest.approx(fraction)
    assert out.pool[kernel.POOL_DEFAULT, 0, 0] == pytest.approx(100.0 * fraction)


def test_receivables_bought_form_a_cohort_paying_from_the_next_month():
    path, out = start(terms())
    # Revolving: principal due 30, funds 20: 20 buys receivables; closing pool 70 + 20.
    purchase = kernel.buy_receivables(0, 0, True, 30.0, 20.0, 70.0, out)
    assert purchase == 20.0
    assert out.pool[kernel.POOL_BOUGHT, 0, 0] == 20.0
    assert out.pool[kernel.POOL_CLOSE, 0, 0] == 90.0
    assert kernel.buy_receivables(0, 0, False, 30.0, 20.0, 70.0, out) == 0.0
    path.weights[0, 0] = 0.0  # the initial pool has gone: only the purchase performs
    path.performing[0] = 0.0
    cohorts, base = kernel.add_cohort(pool_inputs(), 0, 20.0, 1, 100.0, path)
    assert (cohorts, base) == (2, 120.0)
    assert path.performing[0] == 20.0  # 20 bought x balance 1 per unit
    # Month 2: the cohort is of age 0 and pays its profile x 20 (interest 1/100 x 20 = 0.2),
    # times the survival 0.9 after 10% defaults.
    kernel.pool_month(pool_inputs(), 0, 1, base, cohorts, path, out)
    assert out.pool[kernel.POOL_INTEREST, 0, 1] == pytest.approx(0.2 * 0.9)
    assert out.pool[kernel.POOL_DEFAULT, 0, 1] == pytest.approx(2.0)


# --- step 0: the clean-up call and the available funds --------------------------------------

@pytest.mark.parametrize(("call_share", "revolving", "pool_close", "called"), [
    (0.1, False, 8.0, True),  # 8 <= 10% of the initial 100
    (0.1, False, 12.0, False),  # above the threshold
    (0.1, True, 8.0, False),  # not while revolving
    (np.nan, False, 8.0, False),  # no call
])
def test_clean_up_call_is_exercised_below_its_threshold(call_share, revolving, pool_close,
                                                        called):
    _, out = start(terms())
    call, proceeds = kernel.clean_up_call(pool_inputs(), terms(call_share=call_share), 0, 0,
                                          revolving, pool_close, 2.0, out)
    # Price: performing balance plus the 2 of recoveries still to come.
    assert call == called
    assert proceeds == (pool_close + 2.0 if called else 0.0)
    assert out.pool[kernel.POOL_CALLED, 0, 0] == proceeds


def test_a_sold_pool_performs_no_more_and_expects_no_recovery():
    path, _ = start(terms())
    path.weights[1, 0] = 20.0  # a cohort bought
    path.history[0] = 5.0  # a default still to recover
    kernel.sell_pool(2, path)
    assert not path.weights[:2].any()
    assert not path.performing.any()
    assert not path.history.any()


def test_available_funds_are_collections_reserve_and_cash_held():
    path, out = start(terms())
    # 50 collected and called + 10 in the reserve + 5 held from last month.
    assert kernel.available_funds(0, 0, 50.0, 10.0, 5.0, path, out) == 65.0
    assert out.accounts[kernel.RESERVE_OPEN, 0, 0] == 10.0
    assert out.accounts[kernel.HELD_OPEN, 0, 0] == 5.0
    np.testing.assert_array_equal(out.classes[kernel.CLASS_OPEN, 0, :, 0], [80.0, 20.0])


# --- steps 1 to 3 ----------------------------------------------------------------------------

def test_fees_are_paid_in_order_and_a_shortfall_is_carried():
    t = terms(fee_rate=np.array([0.01, 0.0]), fee_fixed=np.array([2.0, 10.0]),
              fee_basis=np.zeros(2, dtype=np.int64), fee_cap=np.full(2, np.inf))
    path, out = start(t)
    path.fee_carry[0] = 3.0
    # Fee 1: 1% of 1,000 + 2 + 3 carried = 15, paid; fee 2: 10 due, 5 left to pay it.
    assert kernel.pay_fees(t, 0, 0, 1000.0, 0.0, 0.0, 20.0, path, out) == pytest.approx(0.0)
    np.testing.assert_allclose(out.fees[kernel.FEE_PAID, 0, :, 0], [15.0, 5.0])
    np.testing.assert_allclose(out.fees[kernel.FEE_UNPAID, 0, :, 0], [0.0, 5.0])
    # Next month, on an empty pool: fee 1 is 2, fee 2 is 10 + 5 carried; 100 - 17 left.
    assert kernel.pay_fees(t, 0, 1, 0.0, 0.0, 0.0, 100.0, path, out) == pytest.approx(83.0)
    np.testing.assert_allclose(out.fees[kernel.FEE_PAID, 0, :, 1], [2.0, 15.0])
    np.testing.assert_allclose(path.fee_carry, [0.0, 0.0])


def test_an_interest_shortfall_is_carried_and_bears_interest():
    t = terms(coupon=np.array([0.01, 0.02]))
    path, out = start(t)
    # A accrues 1% of 80 = 0.8, paid; B accrues 2% of 20 = 0.4, 0.2 left to pay it.
    left = kernel.pay_interest(t, 0, 0, False, False, False, 1.0, path, out)
    assert left == pytest.approx(0.0)
    np.testing.assert_allclose(path.interest_paid, [0.8, 0.2])
    np.testing.assert_allclose(path.accrued, [0.0, 0.2])
    # Next month B owes 0.2 x 1.02 + 0.4 = 0.604 (the shortfall bore interest).
    kernel.pay_interest(t, 0, 1, False, False, False, 10.0, path, out)
    np.testing.assert_allclose(out.classes[kernel.CLASS_DUE, 0, :, 1], [0.8, 0.604])
    np.testing.assert_allclose(path.accrued, [0.0, 0.0], atol=1e-15)


@pytest.mark.parametrize(("k", "wind_down", "pays"), [
    (0, False, False),  # month 1 of a revolving period: not a quarterly date
    (2, False, True),  # month 3
    (0, True, True),  # the deal winds down: every class is paid what it is owed
])
def test_a_quarterly_class_pays_every_third_month_while_revolving(k, wind_down, pays):
    t = terms(coupon=np.array([0.01, 0.0]), quarterly=np.array([True, False]))
    path, out = start(t)
    kernel.pay_interest(t, 0, k, True, wind_down, False, 10.0, path, out)
    # 1% of 80 accrues either way; it is due only on a payment date.
    assert path.pay_date[0] == pays
    assert out.classes[kernel.CLASS_DUE, 0, 0, k] == pytest.approx(0.8 if pays else 0.0)
    assert path.accrued[0] == pytest.approx(0.0 if pays else 0.8)


def test_under_acceleration_each_class_takes_interest_then_principal():
    t = terms(coupon=np.array([0.01, 0.01]))
    path, out = start(t)
    # 85: A interest 0.8 and principal 80, then B interest 0.2 and principal 4.
    left = kernel.pay_interest(t, 0, 0, False, True, True, 85.0, path, out)
    assert left == pytest.approx(0.0)
    np.testing.assert_allclose(path.interest_paid, [0.8, 0.2])
    np.testing.assert_allclose(path.principal_paid, [80.0, 4.0])


@pytest.mark.parametrize(("notes_open", "available", "wind_down", "target", "reserve"), [
    (1000.0, 12.0, False, 20.0, 12.0),  # max(2% x 1,000, 1% x 1,500) = 20; 12 to pay it
    (1000.0, 50.0, False, 20.0, 20.0),  # topped up to 20, 30 left
    (500.0, 50.0, False, 15.0, 15.0),  # 2% x 500 = 10 is below the floor of 15
    (0.0, 50.0, False, 0.0, 0.0),  # no note outstanding: no floor
    (1000.0, 50.0, True, 0.0, 0.0),  # winding down: the reserve is released
])
def test_the_reserve_is_topped_up_to_its_target(notes_open, available, wind_down, target,
                                                reserve):
    t = terms(original=np.array([1000.0, 500.0]), initial_notes=1500.0, reserve_target=0.02,
              reserve_floor=0.01)
    _, out = start(t)
    got = kernel.top_up_reserve(t, 0, 0, notes_open, wind_down, available, out)
    assert got == pytest.approx((target, reserve, available - reserve))
    assert out.accounts[kernel.RESERVE_TARGET, 0, 0] == pytest.approx(target)
    assert out.accounts[kernel.RESERVE_CLOSE, 0, 0] == pytest.approx(reserve)


# --- step 4: principal -----------------------------------------------------------------------

def test_principal_due_is_the_note_balance_above_the_pool():
    path, _ = start(terms())
    path.principal_paid[:] = [5.0, 0.0]  # paid under acceleration in step 2
    assert kernel.principal_due(100.0, 80.0, 0.0, path) == 15.0  # 100 - 5 - 80
    assert kernel.principal_due(100.0, 120.0, 0.0, path) == 0.0  # the pool covers the notes


@pytest.mark.parametrize(("sequential", "available", "paid"), [
    (True, 100.0, [30.0, 0.0]),  # 30 due, senior first
    (False, 100.0, [24.0, 6.0]),  # 30 split 80:20
    (True, 10.0, [10.0, 0.0]),  # only 10 to pay 30
    (False, 10.0, [8.0, 2.0]),
])
def test_sequential_and_pro_rata_principal(sequential, available, paid):
    path, _ = start(terms())
    left = kernel.pay_principal(terms(), 0, sequential, True, False, 30.0, available, 0.0,
                                path)
    np.testing.assert_allclose(path.principal_paid, paid)
    assert left == pytest.approx(available - sum(paid))


def test_no_principal_is_paid_while_buying_or_accelerated():
    path, _ = start(terms())
    assert kernel.pay_principal(terms(), 0, True, False, False, 30.0, 100.0, 0.0, path) == 100.0
    assert not path.principal_paid.any()


def test_the_turbo_pays_the_rated_classes_with_all_cash_left():
    t = terms(original=np.array([80.0, 20.0, 10.0]), initial_notes=110.0,
              coupon=np.zeros(3), quarterly=np.zeros(3, dtype=np.bool_),
              rated=np.array([True, True, False]), sub=2, turbo=True)
    path, _ = start(t)
    path.principal_paid[:] = [30.0, 0.0, 0.0]  # the principal due, paid already
    # 60 left: A's remaining 50, then 10 of B; the subordinated class gets none.
    assert kernel.pay_turbo(t, True, 60.0, path) == pytest.approx(0.0)
    np.testing.assert_allclose(path.principal_paid, [80.0, 10.0, 0.0])
    assert kernel.pay_turbo(t, False, 60.0, path) == pytest.approx(60.0)  # not amortising


# --- step 5 and the end of the deal ----------------------------------------------------------

@pytest.mark.parametrize(("sub", "hold", "residual", "originator", "held"), [
    (1, False, 7.0, 0.0, 0.0),  # to the subordinated class
    (-1, False, 0.0, 7.0, 0.0),  # no subordinated class: to the originator
    (1, True, 0.0, 0.0, 7.0),  # between quarterly dates: kept in the trust account
])
def test_the_residual_goes_to_the_subordinated_class(sub, hold, residual, originator, held):
    t = terms(sub=sub)
    _, out = start(t)
    assert kernel.pay_residual(t, 0, 0, hold, 7.0, out) == held
    assert out.classes[kernel.CLASS_RESIDUAL, 0, 1, 0] == residual
    assert out.accounts[kernel.ORIGINATOR_RESIDUAL, 0, 0] == originator
    assert out.accounts[kernel.HELD_CLOSE, 0, 0] == held


def test_at_the_end_the_losses_fall_on_the_most_junior_class():
    path, out = start(terms())
    path.accrued[:] = [0.0, 0.5]  # B's interest unpaid (not a payment date this month)
    # The pool is gone with 100 of notes outstanding and 90 to pay them: sequentially, A's
    # 80 in full and 10 of B's 20; the deal ends, B's last 10 is written down and its 0.5
    # of interest is a shortfall.
    kernel.pay_principal(terms(), 0, True, True, True, 100.0, 90.0, 0.0, path)
    notes = kernel.close_classes(0, 0, True, path, out)
    classes = out.classes[:, 0, :, 0]
    np.testing.assert_allclose(classes[kernel.CLASS_PRINCIPAL], [80.0, 10.0])
    np.testing.assert_allclose(classes[kernel.CLASS_WRITEDOWN], [0.0, 10.0])
    np.testing.assert_allclose(classes[kernel.CLASS_SHORTFALL], [0.0, 0.5])
    np.testing.assert_allclose(classes[kernel.CLASS_CLOSE], [0.0, 0.0])
    assert notes == 0.0
    assert not path.accrued.any()


def test_before_the_end_nothing_is_written_down():
    path, out = start(terms())
    path.principal_paid[:] = [30.0, 0.0]
    assert kernel.close_classes(0, 0, False, path, out) == 70.0  # 50 + 20 outstanding
    assert not out.classes[kernel.CLASS_WRITEDOWN].any()
    np.testing.assert_allclose(path.balance, [50.0, 20.0])


# --- triggers --------------------------------------------------------------------------------

@pytest.mark.parametrize(("metric", "action", "value", "state"), [
    # defaults 6% > 5%: pro rata turns sequential
    (kernel.CUMULATIVE_DEFAULT_RATE, kernel.SEQUENTIAL, 0.06, (True, True, False)),
    # reserve (20 - 15) / 20 = 25% short > 5%: the revolving period ends
    (kernel.RESERVE_SHORTFALL, kernel.END_REVOLVING, 0.25, (False, False, False)),
    # notes 100 over a pool of 90: (100 - 90) / 100 = 10% > 5%: accelerated, revolving ends
    (kernel.PRINCIPAL_DEFICIENCY, kernel.ACCELERATE, 0.1, (False, False, True)),
])
def test_a_trigger_fires_above_its_threshold(metric, action, value, state):
    t = terms(trigger_metric=np.array([metric]), trigger_action=np.array([action]),
              trigger_threshold=np.full((1, MONTHS), 0.05))
    path, out = start(t)
    out.pool[kernel.POOL_CLOSE, 0, 0] = 90.0
    got = kernel.evaluate_triggers(t, 0, 0, 0, 0.06, 20.0, 15.0, 100.0, False, True, False,
                                   path, out)
    assert got == state
    assert out.trigger_value[0, 0, 0] == pytest.approx(value)
    assert out.trigger_breached[0, 0, 0]
    assert out.pool[kernel.POOL_CDR, 0, 0] == 0.06


def test_a_breached_trigger_stays_breached():
    t = terms(trigger_metric=np.array([kernel.CUMULATIVE_DEFAULT_RATE]),
              trigger_action=np.array([kernel.SEQUENTIAL]),
              trigger_threshold=np.full((1, MONTHS), 0.05))
    path, out = start(t)
    assert kernel.evaluate_triggers(t, 0, 0, 0, 0.04, 0.0, 0.0, 0.0, False, False, False,
                                    path, out) == (False, False, False)  # 4% <= 5%
    kernel.evaluate_triggers(t, 0, 0, 1, 0.06, 0.0, 0.0, 0.0, False, False, False, path, out)
    # Month 3: the rate is back to 4% (purchases grew the base), the breach stays.
    got = kernel.evaluate_triggers(t, 0, 0, 2, 0.04, 0.0, 0.0, 0.0, False, False, False,
                                   path, out)
    assert got == (True, False, False)
    np.testing.assert_array_equal(out.trigger_breached[0, 0, :3], [False, True, True])
