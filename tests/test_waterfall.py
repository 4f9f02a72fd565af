"""The waterfall: a hand-computed case to the cent, invariants on random deals (hypothesis),
zero defaults repay everything, more defaults never reduce a class's loss."""

import dataclasses

import numpy as np
import pytest
from builders import make_deal, make_pool, random_assets
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from abs_tool.analysis.break_even import break_even
from abs_tool.engine.checks import waterfall_violations
from abs_tool.engine.deterministic import Scenario, prepare_deal, run_scenario, scenario_grid
from abs_tool.model.assumptions import (
    AnnualPd,
    Assumptions,
    CdrVector,
    Cpr,
    LifetimeDefault,
    Recovery,
)
from abs_tool.model.conventions import cpr_from_smm
from abs_tool.model.deal import (
    CleanUpCall,
    Fee,
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

CENT = 0.005


THREE_CLASSES = Structure(
    classes=(
        NoteClass("A", Tier.SENIOR, 0.70, coupon_annual=0.06),
        NoteClass("B", Tier.MEZZANINE, 0.20, coupon_annual=0.12),
        NoteClass("C", Tier.SUBORDINATED, 0.10),
    ),
    fees=(Fee("trustee", rate_annual=0.012),),
)


def hand_case():
    # Monthly default rate 10% exactly: CDR = 1 - 0.9^12.
    assumptions = Assumptions(default=CdrVector((float(cpr_from_smm(0.1)),)),
                              recovery=Recovery(rate=0.5, lag_months=1))
    deal = make_deal(THREE_CLASSES, assumptions)
    return prepare_deal(deal, make_pool([1000.0, 1000.0, 1000.0]))


def test_hand_computed_three_loans_three_classes_to_the_cent():
    """3 loans of 1,000 at 12% (1%/month), 3 months equal principal; 10% of the performing
    balance defaults each month, 50% recovered one month later; fee 0.1%/month of the
    opening pool; A 2,100 at 0.5%/month, B 600 at 1%/month, C 300; sequential.

    Month 1: open 3,000; default 300; survivors 0.9: interest 27, principal 900, close
    1,800. Fee 3.00; interest A 10.50, B 6.00; principal due 3,000 - 1,800 = 1,200, cash
    907.50 all to A (A 1,192.50).
    Month 2: open 1,800; default 180; survivors 0.81: interest 16.20, principal 810,
    recovery 150; collections 976.20. Fee 1.80; A interest 5.9625, B 6.00; principal due
    2,092.50 - 810, cash 962.4375 to A (A 230.0625).
    Month 3: open 810; default 81; survivors 0.729: interest 7.29, principal 729; recovery
    90; collections 826.29. Fee 0.81; A 1.1503125, B 6.00; principal 818.3296875: A
    230.0625, B 588.2671875 (B 11.7328125 left).
    Month 4: recovery 40.50. B interest 0.117328125, principal 11.7328125; C gets
    28.649859375. Nothing more to come: C written down 271.350140625.
    """
    r = run_scenario(hand_case()).result
    pool, cls = r.pool, r.classes
    np.testing.assert_allclose(pool.default[0, :4], [300, 180, 81, 0], atol=CENT)
    np.testing.assert_allclose(pool.interest[0, :4], [27, 16.20, 7.29, 0], atol=CENT)
    np.testing.assert_allclose(pool.scheduled_principal[0, :4], [900, 810, 729, 0], atol=CENT)
    np.testing.assert_allclose(pool.recovery[0, :4], [0, 150, 90, 40.50], atol=CENT)
    np.testing.assert_allclose(pool.balance_close[0, :4], [1800, 810, 0, 0], atol=CENT)
    np.testing.assert_allclose(r.fees_paid[0, 0, :4], [3.00, 1.80, 0.81, 0], atol=CENT)
    np.testing.assert_allclose(cls.interest_paid[0, 0, :4], [10.50, 5.9625, 1.1503125, 0],
                               atol=CENT)
    np.testing.assert_allclose(cls.interest_paid[0, 1, :4], [6, 6, 6, 0.117328125], atol=CENT)
    np.testing.assert_allclose(cls.principal_paid[0, 0, :4],
                               [907.50, 962.4375, 230.0625, 0], atol=CENT)
    np.testing.assert_allclose(cls.principal_paid[0, 1, :4],
                               [0, 0, 588.2671875, 11.7328125], atol=CENT)
    np.testing.assert_allclose(cls.principal_paid[0, 2, :4], [0, 0, 0, 28.649859375],
                               atol=CENT)
    np.testing.assert_allclose(cls.writedown[0, :, 3], [0, 0, 271.350140625], atol=CENT)
    assert not cls.writedown[0, :, :3].any()
    assert r.end_month[0] == 4
    assert not waterfall_violations(r)


def test_hand_case_metrics():
    m = run_scenario(hand_case()).metrics
    # A and B are paid in full: no loss, yield = coupon (interest on every month's balance).
    np.testing.assert_allclose(m.loss_pv[0], [0, 0, 271.350140625 / 300], atol=1e-12)
    np.testing.assert_allclose(m.yield_annual[0, :2], [0.06, 0.12], atol=1e-10)
    np.testing.assert_allclose(m.dirr_bp[0, :2], [0, 0], atol=1e-6)
    # WAL of A: (907.5*1 + 962.4375*2 + 230.0625*3) / 2100 / 12 years
    assert m.wal_years[0, 0] == pytest.approx((907.5 + 962.4375 * 2 + 230.0625 * 3) / 2100 / 12)
    assert list(m.defaulted[0]) == [False, False, True]


def test_zero_defaults_repay_every_class_in_full():
    assumptions = Assumptions(default=CdrVector((0.0,)), prepayment=Cpr((0.2,)))
    prepared = prepare_deal(make_deal(THREE_CLASSES, assumptions, months=12),
                            make_pool([500.0, 700.0, 800.0], term=6, amortization="level"))
    r = run_scenario(prepared)
    np.testing.assert_allclose(r.result.classes.principal_paid.sum(axis=2)[0],
                               prepared.class_balances, rtol=1e-12)
    assert not r.result.classes.writedown.any()
    assert not r.metrics.defaulted.any()
    np.testing.assert_allclose(r.metrics.yield_annual[0, :2], [0.06, 0.12], atol=1e-10)


# --- random deals --------------------------------------------------------------------------

@st.composite
def deals(draw, coupons=True):
    n_classes = draw(st.integers(1, 4))
    cuts = sorted(draw(st.lists(st.floats(0.05, 0.95), min_size=n_classes - 1,
                                max_size=n_classes - 1, unique=True)))
    shares = np.diff([0.0, *cuts, 1.0])
    has_sub = draw(st.booleans()) and n_classes > 1
    tiers = ([Tier.SENIOR] + [Tier.MEZZANINE] * (n_classes - 2)
             + [Tier.SUBORDINATED if has_sub else Tier.MEZZANINE])[:n_classes]
    classes = tuple(
        NoteClass(f"C{j}", tier, float(shares[j]),
                  coupon_annual=(draw(st.floats(0, 0.2))
                                 if coupons and tier != Tier.SUBORDINATED else 0.0),
                  payment_frequency_months=draw(st.sampled_from([1, 3])))
        for j, tier in enumerate(tiers)
    )
    horizon = draw(st.integers(4, 30))
    revolving = draw(st.integers(0, horizon - 2))
    triggers = tuple(
        Trigger(draw(st.sampled_from(list(TriggerMetric))), (draw(st.floats(0, 0.3)),),
                draw(st.sampled_from(list(TriggerAction))))
        for _ in range(draw(st.integers(0, 2)))
    )
    structure = Structure(
        classes=classes,
        fees=tuple(Fee(f"F{i}", draw(st.floats(0, 0.03)), draw(st.floats(0, 50)))
                   for i in range(draw(st.integers(0, 2)))),
        reserve=ReserveAccount(draw(st.floats(0, 0.05)), draw(st.floats(0, 0.05)),
                               draw(st.floats(0, 0.02))),
        principal_mode=draw(st.sampled_from(list(PrincipalMode))),
        triggers=triggers,
        revolving=RevolvingPeriod(revolving) if revolving else None,
        clean_up_call=CleanUpCall(draw(st.floats(0, 0.3))) if draw(st.booleans()) else None,
        turbo=draw(st.booleans()),
    )
    assumptions, pool = draw(random_assets(max_loans=6, max_term=24))
    return prepare_deal(make_deal(structure, assumptions, months=horizon), pool)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deals(), st.lists(st.floats(0, 5), min_size=1, max_size=4))
def test_invariants_hold_on_random_deals(prepared, multipliers):
    from abs_tool.engine.deterministic import run_paths
    from abs_tool.engine.projection import deterministic_defaults

    defaults = deterministic_defaults(prepared.model, prepared.deal.assumptions.default,
                                      np.array(multipliers))
    result = run_paths(prepared, defaults, len(multipliers))
    assert waterfall_violations(result) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deals())
def test_zero_default_random_deals_lose_nothing(prepared):
    r = run_scenario(prepared, Scenario(cdr_annual=0.0, recovery_rate=0.0))
    coupons = prepared.coupons
    # Fees can starve a class of interest only if fees exceed the pool's income; with no
    # defaults principal is always repaid by the legal final date when loans mature in time.
    revolving = prepared.deal.structure.revolving
    bought_until = revolving.months if revolving else 0  # receivables bought then mature later
    if (prepared.pool.max_term_months + bought_until <= prepared.model.horizon_months
            and not prepared.deal.structure.fees and np.all(coupons == 0)):
        assert r.result.classes.writedown.max() <= 1e-9 * max(prepared.class_balances)
        assert not r.metrics.defaulted.any()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(deals(coupons=False))
def test_more_defaults_never_reduce_a_class_loss(prepared):
    from abs_tool.engine.deterministic import run_paths
    from abs_tool.engine.metrics import class_metrics
    from abs_tool.engine.projection import deterministic_defaults

    # Defaults accelerate cash when loans outlive the legal final date or recoveries are
    # near par (a default is then a prepayment), and a fee on the performing balance falls
    # as the pool defaults, handing a sliver back to a class already nearly wiped out:
    # monotonicity is a property of pools that mature in time and lose money on default,
    # with fees that do not depend on the pool balance. Triggers are left out too: defaults
    # that end a revolving period early can pay a class sooner than no defaults would.
    # A lifetime default curve is a share of the balance bought so far: defaults that starve
    # the purchases of a revolving period also shrink later default amounts. Recoveries due
    # after the legal final date are lost, so earlier defaults (more of them) can recover
    # more in time: the recoveries of the last loans must land before it too.
    structure, assumptions = prepared.deal.structure, prepared.deal.assumptions
    bought_until = structure.revolving.months if structure.revolving else 0
    assume(prepared.pool.max_term_months + bought_until + assumptions.recovery.lag_months
           <= prepared.model.horizon_months)
    assume(assumptions.recovery.rate <= 0.5)
    assume(all(f.rate_annual == 0 for f in structure.fees))
    assume(not structure.triggers)
    assume(not (bought_until and isinstance(assumptions.default, LifetimeDefault)))
    # A clean-up call comes sooner when defaults shrink the pool, and its sale of the
    # performing loans at their balance repays a class that later defaults would have hit
    # (Hypothesis: one class, a 100% lifetime default, a call at 25%: the class's loss fell
    # from 0.28125 to 0.25 as the defaults grew).
    assume(structure.clean_up_call is None)
    # Coupons are left out: each month's collections pay interest before any principal, so
    # defaults that come sooner move cash between months and classes. Hypothesis found both
    # ways: a loan defaulting instead of paying its last instalment (senior principal) whose
    # recovery a month later pays a mezzanine coupon first (its PV loss fell 0.959925 ->
    # 0.959891), and a pool defaulting at once whose recovery repays principal before the
    # coupon eats it (a senior's principal loss fell 0.5515 -> 0.5471 at the CDR cap).
    top = 4.0
    default = prepared.deal.assumptions.default
    if isinstance(default, LifetimeDefault) and default.cumulative_rate > 0:
        top = min(top, 1.0 / default.cumulative_rate)  # past 100% the curve is truncated

    multipliers = np.linspace(0, top, 9)
    result = run_paths(prepared, deterministic_defaults(
        prepared.model, prepared.deal.assumptions.default, multipliers), len(multipliers))
    metrics = class_metrics(result, prepared.coupons)
    if not bought_until:  # purchases starved by defaults also shrink the rate's denominator
        assert np.all(np.diff(result.pool.cumulative_default_rate[:, -1]) >= -1e-12)
    losses = metrics.loss_pv
    assert np.all(np.diff(losses, axis=0) >= -1e-9), losses


def test_break_even_is_a_threshold():
    prepared = hand_case()
    for j, be in enumerate(break_even(prepared)):
        assert be.loses
        from abs_tool.analysis.break_even import _stress_losses

        losses, _ = _stress_losses(prepared, np.array([be.multiplier * 0.99,
                                                       be.multiplier * 1.02]))
        assert losses[0, j] <= 1e-9 < losses[1, j]


def test_scenario_grid_matches_single_scenarios():
    prepared = hand_case()
    grid = scenario_grid(prepared, [0.0, 0.3], [0.2, 0.6])
    assert len(grid) == 4 * 3
    one = run_scenario(prepared, Scenario(cdr_annual=0.3, recovery_rate=0.6))
    row = grid[(grid["cdr"] == 0.3) & (grid["recovery"] == 0.6) & (grid["class"] == "C")]
    assert row["loss_pv"].item() == pytest.approx(one.metrics.loss_pv[0, 2], abs=1e-12)


def test_order_of_events_defaults_then_schedule_then_prepayment():
    """One loan of 1,200, 12 months equal principal at 0%; 10% of the performing balance
    defaults each month (before it pays), then the survivors pay their scheduled 1/12, then
    20% of what is left prepays.

    Month 1: default 120; survivors 1,080 pay 90 of principal; 990 left, 198 prepays; the
    month closes at 792. Month 2: default 79.2; survivors 712.8 pay 712.8/11 = 64.8
    (their schedule: 1,080 -> 990 is 1/12 of the original per month, i.e. 1/11 of what
    remains); 648 left, 129.6 prepays; close 518.4.
    """
    monthly_default, smm = 0.1, 0.2
    assumptions = Assumptions(default=CdrVector((float(cpr_from_smm(monthly_default)),)),
                              prepayment=Cpr((float(cpr_from_smm(smm)),)))
    prepared = prepare_deal(make_deal(THREE_CLASSES, assumptions, months=12),
                            make_pool([1200.0], rate=0.0, term=12))
    pool = run_scenario(prepared).result.pool
    np.testing.assert_allclose(pool.default[0, :2], [120, 79.2], atol=1e-9)
    np.testing.assert_allclose(pool.scheduled_principal[0, :2], [90, 64.8], atol=1e-9)
    np.testing.assert_allclose(pool.prepayment[0, :2], [198, 129.6], atol=1e-9)
    np.testing.assert_allclose(pool.balance_close[0, :2], [792, 518.4], atol=1e-9)


def test_cost_of_funds_hand_computed_two_classes():
    """One bullet loan of 1,000 at 12% for 3 months, no defaults; A 900 at 6% placed, C 100
    retained; a fixed fee of 12 a year. Nothing is collected before month 3, so A's interest
    and the fees carry (A's with interest at its coupon): in month 3 the issuer pays
    900 * 1.005^3 to A and 3 of fees. All-in cost: 900 = (900 * 1.005^3 + 3) v^3, yield
    12 (1/v - 1); WA coupon 6%."""
    from abs_tool.analysis.economics import cost_of_funds

    structure = Structure(
        classes=(NoteClass("A", Tier.SENIOR, 0.9, coupon_annual=0.06),
                 NoteClass("C", Tier.SUBORDINATED, 0.1)),
        fees=(Fee("trustee", fixed_annual=12.0),),
    )
    prepared = prepare_deal(make_deal(structure, Assumptions(default=CdrVector((0.0,))),
                                      months=3),
                            make_pool([1000.0], rate=0.12, term=3, amortization="bullet"))
    cost = cost_of_funds(prepared)
    v = (900 / (900 * 1.005**3 + 3)) ** (1 / 3)
    assert cost.all_in == pytest.approx(12 * (1 / v - 1), abs=1e-12)
    assert cost.wa_coupon == pytest.approx(0.06, abs=1e-15)
    assert cost.saving_bp == pytest.approx((0.0 - cost.all_in) * 1e4)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("cdr_annual", 1.0, r"cdr_annual: must be in \[0, 1\) \(got 1.0\)"),
    ("cpr_annual", -0.1, r"cpr_annual: must be in \[0, 1\)"),
    ("recovery_rate", 1.5, r"recovery_rate: must be in \[0, 1\] \(got 1.5\)"),
    ("lag_months", 2.5, r"lag_months: must be an integer >= 0"),
    ("default_multiplier", -1.0, r"default_multiplier: must be a number >= 0"),
])
def test_scenario_fields_are_validated(field, value, message):
    from abs_tool.errors import FieldError

    with pytest.raises(FieldError, match=message):
        Scenario(**{field: value})


def test_principal_deficiency_trigger_ends_revolving():
    """A revolving deal whose pool loses 10% a month cannot buy enough to cover its notes:
    the deficiency (notes - performing pool) / notes is reported each month, and once it
    exceeds 1% the revolving period ends and principal is paid from the next month."""
    structure = Structure(
        classes=(NoteClass("A", Tier.SENIOR, 0.8), NoteClass("C", Tier.SUBORDINATED, 0.2)),
        revolving=RevolvingPeriod(6),
        triggers=(Trigger(TriggerMetric.PRINCIPAL_DEFICIENCY, (0.01,),
                          TriggerAction.END_REVOLVING),),
    )
    assumptions = Assumptions(default=CdrVector((float(cpr_from_smm(0.1)),)))
    prepared = prepare_deal(make_deal(structure, assumptions, months=12),
                            make_pool([1000.0, 1000.0], rate=0.0, term=3))
    r = run_scenario(prepared).result
    notes = r.classes.balance_close[0].sum(axis=0)
    outstanding = notes > 0
    expected = np.zeros_like(notes)
    expected[outstanding] = (np.maximum(notes - r.pool.balance_close[0], 0)[outstanding]
                             / notes[outstanding])
    np.testing.assert_allclose(r.trigger_value[0, 0], expected, atol=1e-12)
    first = int(np.argmax(r.trigger_breached[0, 0]))
    assert r.trigger_value[0, 0, first] > 0.01
    assert not r.revolving[0, first + 1]
    assert r.classes.principal_paid[0, 0, first + 1] > 0
    assert not waterfall_violations(r)


def test_quarterly_revolving_deal_holds_collections_until_its_payment_dates():
    """A class paying quarterly while revolving: in months 1, 2, 4 and 5 what is left after
    purchases stays in the trust account (held) and the subordinated class gets nothing; on
    months 3 and 6 the quarter's coupon is paid from it and the rest is released. No
    defaults: the quarter's coupon is 800 * ((1 + 0.06 / 12)^3 - 1), paid in full."""
    structure = Structure(
        classes=(NoteClass("A", Tier.SENIOR, 0.8, coupon_annual=0.06,
                           payment_frequency_months=3),
                 NoteClass("C", Tier.SUBORDINATED, 0.2)),
        revolving=RevolvingPeriod(6),
    )
    prepared = prepare_deal(make_deal(structure, Assumptions(default=CdrVector((0.0,))),
                                      months=12),
                            make_pool([500.0, 500.0], rate=0.12, term=3))
    r = run_scenario(prepared).result
    held, residual = r.held_close[0], r.classes.residual[0, 1]
    for month in (1, 2, 4, 5):
        assert held[month - 1] > 0
        assert residual[month - 1] == 0
    for month in (3, 6):
        assert held[month - 1] == 0
        assert residual[month - 1] > 0
        assert r.classes.interest_paid[0, 0, month - 1] == pytest.approx(
            800 * ((1 + 0.005) ** 3 - 1), rel=1e-12)
    np.testing.assert_array_equal(r.held_open[0, 1:], held[:-1])
    assert held[6:].sum() == 0  # monthly payments after the revolving period: nothing held
    assert not waterfall_violations(r)


# --- the compiled kernel --------------------------------------------------------------------

def _paths_of_every_kind(call):
    """A revolving three-class deal with a reserve and an accelerating trigger (and the
    clean-up ``call``), and five paths of default multipliers and recovery rates from none
    to total: (prepared, multipliers, recovery rates, their default fractions)."""
    from abs_tool.engine.projection import deterministic_defaults

    structure = Structure(
        classes=THREE_CLASSES.classes, fees=THREE_CLASSES.fees, revolving=RevolvingPeriod(3),
        triggers=(Trigger(TriggerMetric.CUMULATIVE_DEFAULT_RATE, (0.05,),
                          TriggerAction.ACCELERATE),),
        clean_up_call=call, reserve=ReserveAccount(0.01, 0.02, 0.005),
    )
    prepared = prepare_deal(make_deal(structure, Assumptions(default=AnnualPd()), months=18),
                            make_pool([400.0, 900.0, 1500.0], term=9, pd_annual=[0.01, 0.05, 0.3],
                                      amortization="level"))
    multipliers = np.array([0.0, 0.5, 2.0, 6.0, 20.0])
    recovery = np.array([0.1, 0.9, 0.4, 0.0, 0.5])
    return prepared, multipliers, recovery, deterministic_defaults(
        prepared.model, prepared.deal.assumptions.default, multipliers)


def test_each_path_is_computed_on_its_own():
    """The kernel runs path by path: a path's flows and metrics are bit-identical whether it
    runs alone or beside others (the Monte Carlo's chunking independence rests on this)."""
    from abs_tool.engine.deterministic import run_paths
    from abs_tool.engine.metrics import class_metrics
    from abs_tool.engine.projection import deterministic_defaults

    prepared, multipliers, recovery, defaults = _paths_of_every_kind(CleanUpCall(0.2))
    together = run_paths(prepared, defaults, len(multipliers), recovery_rate=recovery)
    both = class_metrics(together, prepared.coupons)
    assert together.accelerated.any()  # the paths cover acceleration and purchases
    assert together.pool.purchases.any()
    for i, m in enumerate(multipliers):
        alone = run_paths(prepared, deterministic_defaults(
            prepared.model, prepared.deal.assumptions.default, m), 1,
            recovery_rate=recovery[i])
        one = class_metrics(alone, prepared.coupons)
        for name in ("balance_close", "principal_paid", "interest_paid", "writedown"):
            np.testing.assert_array_equal(getattr(alone.classes, name)[0],
                                          getattr(together.classes, name)[i])
        np.testing.assert_array_equal(alone.pool.collections[0], together.pool.collections[i])
        np.testing.assert_array_equal(alone.trigger_value[0], together.trigger_value[i])
        np.testing.assert_array_equal(one.yield_annual[0], both.yield_annual[i])
        np.testing.assert_array_equal(one.loss_pv[0], both.loss_pv[i])


def test_a_summary_keeps_the_numbers_of_the_whole_run():
    """summarise_paths computes the class metrics inside the kernel as each path ends,
    overwriting one path's lines: its numbers are those of run_paths and class_metrics to
    the last bit, paths that end early (the pool exhausted in month 10 of 18) included."""
    from abs_tool.engine.deterministic import run_paths, summarise_paths
    from abs_tool.engine.metrics import class_metrics

    prepared, multipliers, recovery, defaults = _paths_of_every_kind(None)
    result = run_paths(prepared, defaults, len(multipliers), recovery_rate=recovery)
    assert (result.end_month < 18).any()
    for with_duration in (False, True):
        whole = class_metrics(result, prepared.coupons, with_duration=with_duration)
        summary = summarise_paths(prepared, defaults, len(multipliers), recovery_rate=recovery,
                                  with_duration=with_duration)
        for field in dataclasses.fields(whole):
            np.testing.assert_array_equal(getattr(summary.metrics, field.name),
                                          getattr(whole, field.name), err_msg=field.name)
        for field in dataclasses.fields(result.pool):
            np.testing.assert_array_equal(getattr(summary.pool, field.name),
                                          getattr(result.pool, field.name), err_msg=field.name)
        np.testing.assert_array_equal(summary.end_month, result.end_month)


def test_the_kernel_is_compiled_once_for_every_deal_shape():
    """Inputs are normalised (C-contiguous, writable, fixed dtypes), so one compiled version
    serves one path or many, every default driver and structure (numba compiles, and caches,
    one version per argument types)."""
    from abs_tool.engine import kernel
    from abs_tool.engine.deterministic import summarise_paths
    from abs_tool.engine.projection import deterministic_defaults

    hand = hand_case()
    run_scenario(hand)
    scenario_grid(hand, [0.0, 0.3], [0.2, 0.6])
    lifetime = Assumptions(default=LifetimeDefault(0.1, (0.5, 0.5)))
    revolving = Structure(classes=THREE_CLASSES.classes, revolving=RevolvingPeriod(2))
    run_scenario(prepare_deal(make_deal(revolving, lifetime, months=8),
                              make_pool([100.0, 200.0], term=4)))
    summarise_paths(hand, deterministic_defaults(hand.model, hand.deal.assumptions.default), 1)
    assert len(kernel.run_kernel.signatures) == 1


@pytest.mark.parametrize(("monthly", "message"), [
    (np.zeros((2, 1, 6)), r"`HazardDefaults.monthly` must be shaped \(1 or 3, 1 or 1, >= 6\)"
                          r" for this pool and number of paths \(got \(2, 1, 6\)\)"),
    (np.zeros((3, 1, 5)), r"\(got \(3, 1, 5\)\)"),
    (np.zeros((3, 6)), r"\(got \(3, 6\)\)"),
])
def test_default_arrays_must_fit_the_pool_and_the_paths(monthly, message):
    from abs_tool.engine.deterministic import run_paths
    from abs_tool.engine.projection import HazardDefaults

    with pytest.raises(ValueError, match=message):
        run_paths(hand_case(), HazardDefaults(monthly), 3)


def test_buying_without_a_purchase_profile_is_an_error():
    from abs_tool.engine.projection import PoolState, deterministic_defaults
    from abs_tool.engine.waterfall import run_waterfall
    from abs_tool.errors import AssumptionError

    prepared = hand_case()  # prepared without a revolving period: no purchase profile
    model = prepared.model
    state = PoolState.start(model, deterministic_defaults(model, CdrVector((0.0,))),
                            np.zeros(model.horizon_months), 0.0, 0, 1)
    revolving = Structure(classes=THREE_CLASSES.classes, revolving=RevolvingPeriod(2))
    with pytest.raises(AssumptionError, match="buys receivables but no purchase profile"):
        run_waterfall(revolving, state, prepared.class_balances)
