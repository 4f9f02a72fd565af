"""The kernel steps of the waterfall options one at a time, on the small hand-built state of
test_kernel_steps.py (class A 80, subordinated B 20; one group of 100), against a hand
calculation stated next to each expected number."""

import numpy as np
import pytest
from test_kernel_steps import pool_inputs, start, terms

from abs_tool.engine import kernel


def test_take_haircut_removes_a_share_of_interest_and_fee_income():
    t = terms(haircut=0.2)
    _, out = start(t)
    out.pool[kernel.POOL_INTEREST, 0, 0] = 10.0
    out.pool[kernel.POOL_FEE, 0, 0] = 5.0
    # 20% of 10 + 5.
    assert kernel.take_haircut(t, 0, 0, 0, out) == pytest.approx(3.0)
    assert out.accounts[kernel.HAIRCUT, 0, 0] == pytest.approx(3.0)


@pytest.mark.parametrize(("basis", "due"), [
    (kernel.ON_POOL_START, 10.0),  # 1% of the 1,000 opening the month
    (kernel.ON_POOL_START_EX_DEFAULTS, 7.0),  # 1% of 1,000 - 300 defaulting
    (kernel.ON_NOTES, 5.0),  # 1% of the 500 of notes at the start of the month
    (kernel.FIXED_ONLY, 0.0),  # no rate part
])
def test_fee_bases(basis, due):
    t = terms(fee_rate=np.array([0.01]), fee_fixed=np.zeros(1),
              fee_basis=np.array([basis]), fee_cap=np.full(1, np.inf))
    path, out = start(t)
    assert kernel.pay_fees(t, 0, 0, 1000.0, 300.0, 500.0, 100.0, path, out) == pytest.approx(
        100.0 - due)
    assert out.fees[kernel.FEE_PAID, 0, 0, 0] == pytest.approx(due)


def test_a_fee_cap_limits_the_months_accrual_not_what_is_carried():
    t = terms(fee_rate=np.array([0.01]), fee_fixed=np.array([4.0]),
              fee_basis=np.array([kernel.ON_POOL_START]), fee_cap=np.array([8.0]))
    path, out = start(t)
    path.fee_carry[0] = 3.0
    # 1% of 1,000 + 4 = 14, capped at 8, plus 3 carried = 11; 6 to pay it, 5 carried.
    assert kernel.pay_fees(t, 0, 0, 1000.0, 0.0, 0.0, 6.0, path, out) == pytest.approx(0.0)
    assert path.fee_carry[0] == pytest.approx(5.0)


def test_write_down_on_default_hits_the_most_junior_class_first():
    t = terms(loss_timing=kernel.ON_DEFAULT)
    path, out = start(t)
    # 30 defaults: B's 20, then 10 of A.
    offset = kernel.write_down(pool_inputs(), t, 0, 0, 30.0, False, 0.0, 0.0, path, out)
    assert offset == pytest.approx(30.0)
    np.testing.assert_allclose(path.writedown, [10.0, 20.0])
    np.testing.assert_allclose(path.balance, [70.0, 0.0])
    np.testing.assert_allclose(path.written_off, [10.0, 20.0])


def test_write_down_never_takes_a_class_below_zero():
    t = terms(loss_timing=kernel.ON_DEFAULT)
    path, out = start(t)
    path.principal_paid[:] = [75.0, 0.0]  # paid under acceleration in step 2
    # 150 defaults: B's 20, A's remaining 5; the rest has no note to fall on.
    assert kernel.write_down(pool_inputs(), t, 0, 0, 150.0, False, 0.0, 0.0, path, out) == (
        pytest.approx(25.0))
    np.testing.assert_allclose(path.writedown, [5.0, 20.0])


def test_write_down_on_liquidation_waits_for_the_recovery():
    t = terms(loss_timing=kernel.ON_LIQUIDATION)
    pool = pool_inputs(lag=2)
    path, out = start(t)
    # Month 1: 30 defaults; with a 2-month lag nothing is liquidated yet: the 30 stands
    # beside the pool as a defaulted balance awaiting its recovery.
    offset = kernel.write_down(pool, t, 0, 0, 30.0, False, 0.0, 0.0, path, out)
    assert offset == pytest.approx(30.0)
    assert not path.writedown.any()
    # Month 2: 10 more; 40 await liquidation.
    offset = kernel.write_down(pool, t, 0, 1, 10.0, False, 0.0, 0.0, path, out)
    assert offset == pytest.approx(40.0)
    # Month 3: month 1's 30 is liquidated with 12 recovered: 18 written down (B), and 10
    # still awaits: the offset is 18 + 10.
    out.pool[kernel.POOL_RECOVERY, 0, 2] = 12.0
    offset = kernel.write_down(pool, t, 0, 2, 0.0, False, 0.0, 0.0, path, out)
    assert offset == pytest.approx(28.0)
    np.testing.assert_allclose(path.writedown, [0.0, 18.0])


def test_write_down_on_liquidation_at_the_end_takes_what_was_not_recovered():
    t = terms(loss_timing=kernel.ON_LIQUIDATION)
    pool = pool_inputs(lag=3)
    path, out = start(t)
    kernel.write_down(pool, t, 0, 0, 30.0, False, 0.0, 0.0, path, out)
    # Month 2 ends the deal (a clean-up call that paid 9 for the recoveries to come): the
    # 30 + 5 defaulted, less the 9, is written down: 26 (B 20, A 6); nothing awaits.
    offset = kernel.write_down(pool, t, 0, 1, 5.0, True, 9.0, 0.0, path, out)
    assert offset == pytest.approx(26.0)
    np.testing.assert_allclose(path.writedown, [6.0, 20.0])


@pytest.mark.parametrize("timing", [kernel.ON_DEFAULT, kernel.ON_LIQUIDATION])
def test_at_the_end_loans_still_performing_are_written_down_first(timing):
    t = terms(loss_timing=timing)
    path, out = start(t)
    # The legal final with 25 of loans still performing (never sold): a loss, B's 20 and
    # 5 of A; the offset takes the 25 off again, as principal_due subtracts the pool.
    offset = kernel.write_down(pool_inputs(), t, 0, 0, 0.0, True, 0.0, 25.0, path, out)
    np.testing.assert_allclose(path.writedown, [5.0, 20.0])
    assert offset == pytest.approx(0.0)
    assert kernel.principal_due(100.0, 25.0, offset, path) == pytest.approx(75.0)


@pytest.mark.parametrize(("use", "limit", "eligible"), [
    (kernel.RELEASE, 0.0, 40.0),  # 50 left, of which 10 is excess interest: 40
    (kernel.COVER_UP_TO, 4.0, 44.0),  # 40 and 4 of the excess
    (kernel.COVER_UP_TO, 40.0, 50.0),  # 40 and all 10 of the excess
])
def test_principal_funds_leave_out_the_excess_interest_released(use, limit, eligible):
    t = terms(excess_use=use, cover_limit=limit)
    _, out = start(t)
    # Revenue: interest 20 + fee income 2 - haircut 1 + 4 held = 25; spent on fees and
    # interest 12, on the reserve top-up 3: excess interest 10 of the 50 left.
    out.pool[kernel.POOL_INTEREST, 0, 0] = 20.0
    out.pool[kernel.POOL_FEE, 0, 0] = 2.0
    assert kernel.principal_funds(t, 0, 0, 1.0, 4.0, 12.0, 3.0, 50.0, out) == pytest.approx(
        eligible)


def test_reinstatement_goes_senior_first_to_the_balances():
    path, _ = start(terms())
    path.balance[:] = [70.0, 0.0]
    path.written_off[:] = [10.0, 20.0]
    # 15 of room after the principal due: A's 10, then 5 of B's 20, back on the balances
    # (the principal step then pays the 15 in its order).
    assert kernel.reinstate(15.0, path) == pytest.approx(15.0)
    np.testing.assert_allclose(path.reinstated, [10.0, 5.0])
    np.testing.assert_allclose(path.written_off, [0.0, 15.0])
    np.testing.assert_allclose(path.balance, [80.0, 5.0])
    assert kernel.reinstate(-1.0, path) == 0.0  # no room: nothing


def test_close_classes_reports_write_downs_and_reinstatements_of_the_month():
    path, out = start(terms())
    path.balance[:] = [80.0, 5.0]
    path.writedown[:] = [0.0, 15.0]
    path.reinstated[:] = [0.0, 5.0]
    path.principal_paid[:] = [0.0, 5.0]
    assert kernel.close_classes(0, 0, False, path, out) == pytest.approx(80.0)
    classes = out.classes[:, 0, :, 0]
    np.testing.assert_allclose(classes[kernel.CLASS_WRITEDOWN], [0.0, 15.0])
    np.testing.assert_allclose(classes[kernel.CLASS_REINSTATED], [0.0, 5.0])
    np.testing.assert_allclose(classes[kernel.CLASS_CLOSE], [80.0, 0.0])
    assert not path.writedown.any()  # cleared for the next month
    assert not path.reinstated.any()
