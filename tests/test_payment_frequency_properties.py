"""Property tests of the deal payment frequency (`dates.payment_frequency_months` 3 and 6):
the random deals of tests/test_waterfall_options_properties.py (loss timing, excess use,
fee bases and caps, turbo, triggers, revolving, reserve, clean-up call, quarterly classes,
the subordinated class's coupon, every date convention and day count) and of
tests/test_liquidity_support_properties.py (liquidity reserve, servicer advance), paid
quarterly or semi-annually, with loans defaulting in given months.

Every invariant of abs_tool.engine.checks holds (cash in = cash out with the trust
account's held cash in and out, month to month), and between payment dates nothing is
paid: no fee, interest, principal, residual, reimbursement or draw; the reserve and the
liquidity reserve keep their balances and every fund is held for the next month. On
payment dates the deal's frequency holds nothing back.
"""

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st
from test_liquidity_support_properties import supported_deals
from test_waterfall_options_properties import loan_defaults

from abs_tool.engine.checks import waterfall_violations
from abs_tool.engine.deterministic import run_paths, summarise_paths
from abs_tool.engine.metrics import class_metrics


@st.composite
def frequency_deals(draw):
    prepared = draw(supported_deals())
    dates = replace(prepared.deal.dates,
                    payment_frequency_months=draw(st.sampled_from([3, 6])))
    return replace(prepared, deal=replace(prepared.deal, dates=dates))


def between_dates(result):
    """(paths, periods) months that are not payment dates while the deal runs."""
    months = np.arange(1, result.n_periods + 1)
    running = months[None, :] <= result.end_month[:, None]
    return running & ~result.payment_date


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), frequency_deals())
def test_invariants_hold_and_nothing_is_paid_between_payment_dates(data, prepared):
    defaults, n_paths = data.draw(loan_defaults(prepared))
    result = run_paths(prepared, defaults, n_paths)
    assert waterfall_violations(result) == []
    n = prepared.deal.dates.payment_frequency_months
    months = np.arange(1, result.n_periods + 1)
    # Scheduled dates are payment dates, and every month up to the end that is not one is
    # a month the deal did not wind down in.
    scheduled = (months % n == 0) | (months == result.n_periods)
    running = months[None, :] <= result.end_month[:, None]
    assert (result.payment_date[running] >= np.broadcast_to(scheduled, running.shape)[running]
            ).all()
    idle = between_dates(result)
    classes = result.classes
    for name, flow in (("fees", result.fees_paid.sum(axis=1)),
                       ("interest", classes.interest_paid.sum(axis=1)),
                       ("principal", classes.principal_paid.sum(axis=1)),
                       ("residual", classes.residual.sum(axis=1) + result.originator_residual),
                       ("reimbursed", result.advance_reimbursed),
                       ("drawn", result.liquidity_drawn + result.advance_made),
                       ("replenished", result.liquidity_replenished),
                       ("released", result.liquidity_released),
                       ("interest due", classes.interest_due.sum(axis=1))):
        assert not flow[idle].any(), name
    np.testing.assert_array_equal(result.reserve_close[idle], result.reserve_open[idle])
    np.testing.assert_array_equal(result.liquidity_close[idle], result.liquidity_open[idle])
    # What came in and was not spent on receivables is held.
    kept = (result.pool.collections + result.pool.call_proceeds + result.held_open
            - result.excess_spread_haircut - result.pool.purchases)
    tol = 1e-9 * float(result.original_balance.sum())
    np.testing.assert_allclose(result.held_close[idle], kept[idle], atol=tol)
    # On the deal's payment dates nothing is held (a quarterly class's hold is monthly-only).
    assert not result.held_close[result.payment_date].any()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), frequency_deals())
def test_summary_mode_gives_the_same_metrics(data, prepared):
    """The Monte Carlo's summary mode computes the same class metrics as the full result
    paid quarterly or semi-annually."""
    defaults, n_paths = data.draw(loan_defaults(prepared))
    result = run_paths(prepared, defaults, n_paths)
    summary = summarise_paths(prepared, defaults, n_paths)
    full = class_metrics(result, prepared.coupons)
    np.testing.assert_array_equal(summary.metrics.loss_pv, full.loss_pv)
    np.testing.assert_array_equal(summary.metrics.principal_loss, full.principal_loss)
