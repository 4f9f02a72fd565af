"""Property tests of the waterfall options (hypothesis): on small random deals under random
combinations of loss allocation, reinstatement, use of excess interest, haircut, fee bases
and caps, with defaults drawn from the deal's assumption or given loan by loan, every
invariant of :func:`abs_tool.engine.checks.waterfall_violations` holds on every path and
month: cash in = cash out (the haircut a line of its own), balances never negative, the
write-down ledger (balance + write-downs - reinstatements = original - principal paid),
reinstatements never above write-downs, write-downs junior first and reinstatements senior
first. And the class metrics count write-downs net of reinstatements."""

from dataclasses import replace

import numpy as np
import pytest
from builders import make_deal, random_assets
from hypothesis import HealthCheck, given, settings, strategies as st

from abs_tool.engine.checks import waterfall_violations
from abs_tool.engine.deterministic import prepare_deal, run_paths, summarise_paths
from abs_tool.engine.metrics import class_metrics
from abs_tool.engine.projection import HazardDefaults, deterministic_defaults
from abs_tool.model.dates import BusinessDayConvention, DayCount
from abs_tool.model.deal import (
    CleanUpCall,
    CouponPriority,
    ExcessInterest,
    ExcessInterestUse,
    Fee,
    FeeBasis,
    LossAllocation,
    LossTiming,
    NoteClass,
    PrincipalMode,
    ReserveAccount,
    RevolvingPeriod,
    Structure,
    Tier,
    Trigger,
    TriggerAction,
    TriggerMetric,
)


@st.composite
def options(draw):
    """Loss allocation and excess interest, any valid combination."""
    timing = draw(st.sampled_from(list(LossTiming)))
    reinstate = timing != LossTiming.AT_END and draw(st.booleans())
    use = draw(st.sampled_from(list(ExcessInterestUse)))
    limit = draw(st.floats(0.01, 500)) if use == ExcessInterestUse.COVER_UP_TO else 0.0
    haircut = draw(st.sampled_from([0.0, 0.0, 0.1, 0.5, 1.0]))
    return LossAllocation(timing, reinstate), ExcessInterest(use, limit, haircut)


@st.composite
def fees(draw):
    basis = draw(st.sampled_from(list(FeeBasis)))
    rate = 0.0 if basis == FeeBasis.FIXED else draw(st.floats(0, 0.05))
    cap = draw(st.one_of(st.none(), st.floats(0.01, 100)))
    return Fee(f"F{draw(st.integers(0, 10**6))}", rate, draw(st.floats(0, 600)), basis, cap)


@st.composite
def option_deals(draw):
    n_classes = draw(st.integers(1, 4))
    cuts = sorted(draw(st.lists(st.floats(0.05, 0.95), min_size=n_classes - 1,
                                max_size=n_classes - 1, unique=True)))
    shares = np.diff([0.0, *cuts, 1.0])
    has_sub = draw(st.booleans()) and n_classes > 1
    tiers = ([Tier.SENIOR] + [Tier.MEZZANINE] * (n_classes - 2)
             + [Tier.SUBORDINATED if has_sub else Tier.MEZZANINE])[:n_classes]
    coupons = [draw(st.floats(0, 0.2)) if tier != Tier.SUBORDINATED
               else draw(st.sampled_from([0.0, 0.0, 0.05, 0.3])) for tier in tiers]
    # The subordinated class's coupon (期间收益) in step 2 or after principal.
    late = [tier == Tier.SUBORDINATED and coupon > 0 and draw(st.booleans())
            for tier, coupon in zip(tiers, coupons, strict=True)]
    classes = tuple(
        NoteClass(f"C{j}", tier, float(shares[j]), coupon_annual=coupons[j],
                  payment_frequency_months=draw(st.sampled_from([1, 3])),
                  coupon_priority=(CouponPriority.AFTER_PRINCIPAL if late[j]
                                   else CouponPriority.INTEREST))
        for j, tier in enumerate(tiers))
    horizon = draw(st.integers(4, 24))
    revolving = draw(st.integers(0, horizon - 2)) if draw(st.booleans()) else 0
    loss_allocation, excess_interest = draw(options())
    structure = Structure(
        classes=classes,
        fees=tuple(draw(st.lists(fees(), max_size=3, unique_by=lambda f: f.name))),
        reserve=ReserveAccount(draw(st.floats(0, 0.05)), draw(st.floats(0, 0.05)),
                               draw(st.floats(0, 0.02))),
        principal_mode=draw(st.sampled_from(list(PrincipalMode))),
        triggers=tuple(
            Trigger(draw(st.sampled_from(list(TriggerMetric))), (draw(st.floats(0, 0.3)),),
                    draw(st.sampled_from(list(TriggerAction))))
            for _ in range(draw(st.integers(0, 2)))),
        revolving=RevolvingPeriod(revolving) if revolving else None,
        clean_up_call=CleanUpCall(draw(st.floats(0, 0.3))) if draw(st.booleans()) else None,
        turbo=(excess_interest.use == ExcessInterestUse.COVER_DEFICIENCY
               and draw(st.booleans())),
        loss_allocation=loss_allocation,
        excess_interest=excess_interest,
    )
    assumptions, pool = draw(random_assets(max_loans=4, max_term=18))
    deal = make_deal(structure, assumptions, months=horizon)
    dates = replace(deal.dates, business_day_convention=draw(st.sampled_from(
        list(BusinessDayConvention))), day_count=draw(st.sampled_from(list(DayCount))))
    return prepare_deal(replace(deal, dates=dates), pool)


@st.composite
def loan_defaults(draw, prepared):
    """Given loans defaulting in given months: per group and month a hazard of 0, 1 (the
    whole group defaults) or a fraction, on 1 to 3 paths."""
    n_paths = draw(st.integers(1, 3))
    groups, months = prepared.model.n_groups, prepared.model.horizon_months
    values = draw(st.lists(st.sampled_from([0.0, 0.0, 0.0, 0.0, 0.1, 0.5, 1.0]),
                           min_size=n_paths * groups * months,
                           max_size=n_paths * groups * months))
    return HazardDefaults(np.array(values).reshape(n_paths, groups, months)), n_paths


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(option_deals(), st.lists(st.floats(0, 5), min_size=1, max_size=3))
def test_invariants_hold_under_every_option(prepared, multipliers):
    defaults = deterministic_defaults(prepared.model, prepared.deal.assumptions.default,
                                      np.array(multipliers))
    result = run_paths(prepared, defaults, len(multipliers))
    assert waterfall_violations(result) == []


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), option_deals())
def test_invariants_hold_with_loans_defaulting_in_given_months(data, prepared):
    defaults, n_paths = data.draw(loan_defaults(prepared))
    result = run_paths(prepared, defaults, n_paths)
    assert waterfall_violations(result) == []
    # Write-downs fall only where losses are allocated as they arise, or at the end.
    timing = prepared.deal.structure.loss_allocation.timing
    if timing == LossTiming.AT_END:
        ends = result.end_month - 1
        written = result.classes.writedown.sum(axis=1)
        for p in range(n_paths):
            assert not np.delete(written[p], ends[p]).any()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), option_deals())
def test_metrics_count_write_downs_net_of_reinstatements(data, prepared):
    """The principal loss is the net write-down over the original balance, and the summary
    mode of the Monte Carlo (metrics computed inside the kernel) gives the same bits."""
    defaults, n_paths = data.draw(loan_defaults(prepared))
    result = run_paths(prepared, defaults, n_paths)
    metrics = class_metrics(result, prepared.coupons)
    flows = result.classes
    net = (flows.writedown - flows.reinstated).sum(axis=2) / result.original_balance
    np.testing.assert_allclose(metrics.principal_loss, net, atol=1e-12)
    summary = summarise_paths(prepared, defaults, n_paths)
    np.testing.assert_array_equal(summary.metrics.loss_pv,
                                  class_metrics(result, prepared.coupons,
                                                with_duration=False).loss_pv)
    np.testing.assert_array_equal(summary.metrics.principal_loss, metrics.principal_loss)


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), option_deals())
def test_invariants_hold_with_loans_defaulting_in_given_months_many(data, prepared):
    defaults, n_paths = data.draw(loan_defaults(prepared))
    assert waterfall_violations(run_paths(prepared, defaults, n_paths)) == []
