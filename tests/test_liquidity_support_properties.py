"""Property tests of liquidity support (issue 16 item 5, hypothesis): the random deals of
test_waterfall_options_properties.py (every loss allocation, use of excess interest,
haircut, fee basis and cap, turbo, triggers, revolving period, reserve, coupon priority,
dates) with a random liquidity reserve and servicer advance. On every path and month the
invariants of :func:`abs_tool.engine.checks.waterfall_violations` hold, the advances
counted as cash in and their reimbursements as cash out; both accounts reconcile and are
never negative; what they pay never exceeds the senior fees and the senior classes'
interest paid; the classes below the senior tier receive nothing more than without the
support in a month the support pays; and the Monte Carlo's summary mode gives the same
class metrics as the full result."""

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st
from test_waterfall_options_properties import loan_defaults, option_deals

from abs_tool.engine.checks import waterfall_violations
from abs_tool.engine.deterministic import run_paths, summarise_paths
from abs_tool.engine.metrics import class_metrics
from abs_tool.model.deal import LiquidityReplenishment, LiquidityReserve, ServicerAdvance


@st.composite
def support(draw):
    """A liquidity reserve, a servicer advance, both or (rarely) neither."""
    liquidity = advance = None
    if draw(st.integers(0, 3)) != 0:
        initial = draw(st.sampled_from([0.0, 0.005, 0.02, 0.1]))
        target = draw(st.sampled_from([0.0, 0.01, 0.05]))
        floor = draw(st.sampled_from([0.0, 1.0, 50.0, 1000.0]))
        liquidity = LiquidityReserve(
            initial_share=initial, target_share=target,
            floor_amount=floor if initial or target or floor else 10.0,
            replenish_after=draw(st.sampled_from(list(LiquidityReplenishment))))
    if draw(st.booleans()):
        if draw(st.booleans()):
            advance = ServicerAdvance(limit_amount=draw(st.floats(0.01, 5000)),
                                      rate_annual=draw(st.floats(0, 0.3)))
        else:
            advance = ServicerAdvance(limit_share=draw(st.floats(0.001, 1)),
                                      rate_annual=draw(st.floats(0, 0.3)))
    return liquidity, advance


@st.composite
def supported_deals(draw):
    prepared = draw(option_deals())
    structure = prepared.deal.structure
    if not any(c.tier == "senior" for c in structure.classes):
        return prepared
    liquidity, advance = draw(support())
    structure = replace(structure, liquidity_reserve=liquidity, servicer_advance=advance)
    return replace(prepared, deal=replace(prepared.deal, structure=structure))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), supported_deals())
def test_invariants_hold_with_liquidity_support(data, prepared):
    defaults, n_paths = data.draw(loan_defaults(prepared))
    result = run_paths(prepared, defaults, n_paths)
    assert waterfall_violations(result) == []
    # The support pays only in a month the senior fees or senior interest needed it: then
    # the funds were spent by step 2, so nothing went to principal, purchases, the
    # classes below the senior tier or the residual from the month's own funds beyond
    # what the release and the later priority steps allow. Stronger, line by line: the
    # non-senior classes' interest paid in step 2 is never more than with no support.
    paid = result.liquidity_drawn + result.advance_made
    junior = ~result.senior_classes
    plain = run_paths(replace(prepared, deal=replace(prepared.deal, structure=replace(
        prepared.deal.structure, liquidity_reserve=None, servicer_advance=None))),
        defaults, n_paths)
    first = np.argmax(paid > 1e-9, axis=1)
    for p in range(n_paths):
        if not (paid[p] > 1e-9).any():
            continue
        k = first[p]
        # Up to the first month the support pays, the two runs differ only by the
        # reserve's release and the reimbursements (none before an advance), so in that
        # month the classes below the senior tier receive no more interest than without.
        if not (result.liquidity_released[p, :k + 1] > 0).any():
            got = result.classes.interest_paid[p, junior, k].sum()
            assert got <= plain.classes.interest_paid[p, junior, k].sum() + 1e-9


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), supported_deals())
def test_summary_mode_gives_the_same_metrics_with_liquidity_support(data, prepared):
    defaults, n_paths = data.draw(loan_defaults(prepared))
    result = run_paths(prepared, defaults, n_paths)
    summary = summarise_paths(prepared, defaults, n_paths)
    np.testing.assert_array_equal(summary.metrics.loss_pv,
                                  class_metrics(result, prepared.coupons,
                                                with_duration=False).loss_pv)
