"""Several classes in one tier (优先A-1/A-2), target balances (计划摊还 / 目标余额) and the
principal-due line (issue 16 item 4, part a), each against a hand calculation to the cent,
then property tests over combinations with the other options. docs/waterfall.md states the
rules.

The deal: three equal-principal loans of 1,000 at 12% over 4 months, one group per loan (so
that a hazard of 1 defaults loan L2 whole in the month chosen), no prepayment. Without
defaults each month the pool collects 1% interest on its opening balance and 750 of
principal: interest 30, 22.5, 15, 7.5; performing balance at the month's end 2,250, 1,500,
750, 0. Classes A-1 1,200 (40%) and A-2 900 (30%), both senior at 6% (0.5% a month), B 600
(20%) mezzanine at 12% (1% a month), C 300 (10%) subordinated; legal final month 6. L2
recovers 40% one month after its default. The principal due of a month is the notes less
the performing pool (no write-downs before the end).
"""

from dataclasses import replace

import numpy as np
import pytest
from builders import make_deal, make_pool, run_checked
from hypothesis import HealthCheck, given, settings, strategies as st
from test_waterfall_options_properties import loan_defaults, option_deals

from abs_tool.analysis.inspector import inspect_waterfall
from abs_tool.engine.checks import waterfall_violations
from abs_tool.engine.deterministic import prepare_deal, run_paths, summarise_paths
from abs_tool.engine.metrics import class_metrics
from abs_tool.engine.projection import HazardDefaults
from abs_tool.errors import DealFileError, FieldError
from abs_tool.io.dealfile import deal_from_dict, deal_to_dict
from abs_tool.model.assumptions import AnnualPd, Assumptions, Recovery
from abs_tool.model.deal import (
    Fee,
    NoteClass,
    PrincipalMode,
    Structure,
    TargetBalance,
    TargetKind,
    TargetPoint,
    Tier,
    TierPrincipal,
    TierRule,
    Trigger,
    TriggerAction,
    TriggerMetric,
)

CENT = 0.005


def schedule(*points):
    return TargetBalance(TargetKind.SCHEDULED, tuple(TargetPoint(m, s) for m, s in points))


def prepared(*, a1_target=None, mode=PrincipalMode.SEQUENTIAL, senior=TierPrincipal.SEQUENTIAL,
             fees=(), triggers=()):
    classes = (NoteClass("A-1", Tier.SENIOR, 0.4, coupon_annual=0.06, target_balance=a1_target),
               NoteClass("A-2", Tier.SENIOR, 0.3, coupon_annual=0.06),
               NoteClass("B", Tier.MEZZANINE, 0.2, coupon_annual=0.12),
               NoteClass("C", Tier.SUBORDINATED, 0.1))
    structure = Structure(classes=classes, fees=fees, principal_mode=mode, triggers=triggers,
                          tiers=() if senior is None else (TierRule(Tier.SENIOR, senior),))
    deal = make_deal(structure, Assumptions(default=AnnualPd(), recovery=Recovery(0.4, 1)))
    return prepare_deal(deal, make_pool([1000.0] * 3, rate=0.12, term=4,
                                        amortization="equal_principal",
                                        pd_annual=[0.01, 0.02, 0.03]))


def principal(result, month):
    return result.classes.principal_paid[0, :, month - 1]


# --- several classes in one tier ------------------------------------------------------------

def test_a1_then_a2_sequentially():
    """Sequential deal, senior tier sequential (the default). M1: due 3,000 - 2,250 = 750,
    all to A-1 (1,200 -> 450); interest A-1 6, A-2 4.5, B 6; residual 780 - 16.5 - 750 =
    13.5. M2: due 750: A-1's last 450, then 300 of A-2; interest A-1 450 x 0.5% = 2.25,
    A-2 4.5, B 6; residual 772.5 - 12.75 - 750 = 9.75."""
    result = run_checked(prepared())
    np.testing.assert_allclose(principal(result, 1), [750, 0, 0, 0], atol=CENT)
    np.testing.assert_allclose(principal(result, 2), [450, 300, 0, 0], atol=CENT)
    np.testing.assert_allclose(result.classes.interest_paid[0, :, 1], [2.25, 4.5, 6, 0],
                               atol=CENT)
    np.testing.assert_allclose(result.classes.residual[0, 3, :2], [13.5, 9.75], atol=CENT)
    np.testing.assert_allclose(result.principal_due[0, :4], [750] * 4, atol=CENT)


@pytest.mark.parametrize(("senior", "m1"), [
    # The senior tier's share 2,100 / 3,000 of 750 = 525, split 1,200 : 900 = 300 and 225.
    (TierPrincipal.PRO_RATA, [300, 225, 150, 75]),
    # The same 525, all to A-1 first.
    (TierPrincipal.SEQUENTIAL, [525, 0, 150, 75]),
])
def test_pro_rata_deal_shares_by_tier_then_by_the_tiers_rule(senior, m1):
    """Pro rata deal: each tier takes the due 750 by its balance (senior 2,100, B 600, C
    300 of 3,000: 525, 150, 75), and inside the senior tier its rule shares the 525.
    M2 (pro rata inside): notes 900 + 675 + 450 + 225 = 2,250, due 750: senior 1,575 /
    2,250 x 750 = 525, split 900 : 675 = 300 and 225; B 150; C 75."""
    result = run_checked(prepared(mode=PrincipalMode.PRO_RATA, senior=senior))
    np.testing.assert_allclose(principal(result, 1), m1, atol=CENT)
    if senior == TierPrincipal.PRO_RATA:
        np.testing.assert_allclose(principal(result, 2), [300, 225, 150, 75], atol=CENT)


def test_a_tier_without_a_rule_follows_the_deals_principal_mode():
    """No rule for the senior tier: pro rata inside it while the deal pays pro rata, as
    before tiers existed. M1 as the pro rata case above: 750 by balance, 1,200 : 900 : 600 :
    300 of 3,000 = 300, 225, 150, 75. With L2 defaulting in M1, a cumulative-default trigger
    at 0.1% breaches at M1's end (1,000 / 3,000), and from M2 principal is sequential, A-1
    first, inside the tier too: A-2, B and C take nothing while A-1 is outstanding."""
    result = run_checked(prepared(mode=PrincipalMode.PRO_RATA, senior=None))
    np.testing.assert_allclose(principal(result, 1), [300, 225, 150, 75], atol=CENT)
    trigger = Trigger(TriggerMetric.CUMULATIVE_DEFAULT_RATE, (0.001,), TriggerAction.SEQUENTIAL)
    result = run_checked(prepared(mode=PrincipalMode.PRO_RATA, senior=None, triggers=(trigger,)),
                 default_month=1)
    m1 = principal(result, 1)
    assert m1[0] > 0
    np.testing.assert_allclose(m1 / m1[0], [1, 900 / 1200, 600 / 1200, 300 / 1200], rtol=1e-12)
    m2 = principal(result, 2)
    assert m2[0] > 0
    np.testing.assert_array_equal(m2[1:], 0.0)


def test_interest_of_one_tier_is_paid_pari_passu_when_funds_fall_short():
    """A fixed fee of 9,300 a year (775 a month) leaves 780 - 775 = 5 for interest in M1:
    A-1 owes 6, A-2 4.5 (10.5 in all, pari passu): A-1 5 x 6 / 10.5 = 2.857143, A-2 the
    rest 2.142857; B (the next tier) nothing. Carried: A-1 3.142857, A-2 2.357143, B 6.
    (Before tiers ranked the classes of a tier pari passu, A-1 took the 5.)"""
    result = run_checked(prepared(fees=(Fee("servicer", fixed_annual=9300.0),)))
    np.testing.assert_allclose(result.classes.interest_paid[0, :, 0],
                               [2.857143, 2.142857, 0, 0], atol=CENT)
    np.testing.assert_allclose(result.classes.interest_shortfall[0, :, 0],
                               [3.142857, 2.357143, 6, 0], atol=CENT)
    assert result.classes.interest_paid[0, :, 0].sum() == pytest.approx(5.0, abs=1e-9)


# --- target balances --------------------------------------------------------------------------

def test_a_scheduled_class_is_capped_at_its_target_and_the_excess_goes_on():
    """A-1's schedule: 75% of 1,200 = 900 from M1, 50% = 600 from M2 (held after).
    M1: due 750; A-1 takes 1,200 - 900 = 300, A-2 the other 450. M2: due 750; A-1 900 -
    600 = 300, A-2 its last 450. M3: A-1 is at its target (600): nothing; A-2 is paid off;
    B takes its 600 and C 150. M4 the pool is exhausted and the deal ends: the schedule
    no longer caps, every note is due: A-1's 600 and C's last 150."""
    result = run_checked(prepared(a1_target=schedule((1, 0.75), (2, 0.5))))
    np.testing.assert_allclose(principal(result, 1), [300, 450, 0, 0], atol=CENT)
    np.testing.assert_allclose(principal(result, 2), [300, 450, 0, 0], atol=CENT)
    np.testing.assert_allclose(principal(result, 3), [0, 0, 600, 150], atol=CENT)
    np.testing.assert_allclose(principal(result, 4), [600, 0, 0, 150], atol=CENT)
    np.testing.assert_allclose(result.classes.target_balance[0, 0, :4], [900, 600, 600, 600],
                               atol=CENT)
    assert np.isnan(result.classes.target_balance[0, 1:]).all()  # no target
    assert result.classes.writedown.sum() == 0


def test_before_the_first_point_the_target_is_the_original_balance():
    """A-1's schedule starts in M2 (50%): in M1 its target is its 1,200, so A-2 takes the
    750; in M2 A-1 takes 1,200 - 600 = 600 and A-2 its last 150."""
    result = run_checked(prepared(a1_target=schedule((2, 0.5))))
    np.testing.assert_allclose(principal(result, 1), [0, 750, 0, 0], atol=CENT)
    np.testing.assert_allclose(principal(result, 2), [600, 150, 0, 0], atol=CENT)


def test_a_target_share_of_the_pool():
    """A-1's target is 30% of the performing pool at the end of the month. M1: 30% of
    2,250 = 675, A-1 takes 1,200 - 675 = 525, A-2 225. M2: 30% of 1,500 = 450, A-1 675 -
    450 = 225, A-2 525 of its 675. M3: 30% of 750 = 225, A-1 450 - 225 = 225, A-2 its last
    150, B 375."""
    result = run_checked(prepared(a1_target=TargetBalance(TargetKind.TARGET_SHARE_OF_POOL,
                                                  share_of_pool=0.3)))
    np.testing.assert_allclose(principal(result, 1), [525, 225, 0, 0], atol=CENT)
    np.testing.assert_allclose(principal(result, 2), [225, 525, 0, 0], atol=CENT)
    np.testing.assert_allclose(principal(result, 3), [225, 150, 375, 0], atol=CENT)
    np.testing.assert_allclose(result.classes.target_balance[0, 0, :3], [675, 450, 225],
                               atol=CENT)


@pytest.mark.parametrize("action", [TriggerAction.SEQUENTIAL, TriggerAction.END_REVOLVING])
def test_the_schedule_is_released_after_a_sequential_trigger(action):
    """A-1's schedule as above (900 from M1, 600 from M2); a trigger on the cumulative
    default rate above 0; L2 (1,000) defaults in M1. M1: the two loans left collect 20 of
    interest and 500 of principal, the pool closes at 1,500, due 3,000 - 1,500 = 1,500;
    520 - 16.5 of interest = 503.5 pays A-1 its 300 above target and A-2 203.5. The
    default rate 1,000 / 3,000 breaches the trigger, acting from M2. M2: collections 10
    interest + 500 principal + 400 recovered = 915 (the pool's interest is 1% of 1,000);
    interest A-1 900 x 0.5% = 4.5, A-2 696.5 x 0.5% = 3.4825, B 6 (13.9825); 901.0175 pays
    principal. With a ``sequential`` trigger the schedule is released: A-1 takes all its 900
    and A-2 1.0175. A trigger with another action (``end_revolving``) leaves it: A-1 300,
    A-2 601.0175."""
    trigger = Trigger(TriggerMetric.CUMULATIVE_DEFAULT_RATE, (0.0,), action)
    result = run_checked(prepared(a1_target=schedule((1, 0.75), (2, 0.5)), triggers=(trigger,)),
                 default_month=1)
    np.testing.assert_allclose(principal(result, 1), [300, 203.5, 0, 0], atol=CENT)
    np.testing.assert_allclose(result.classes.interest_paid[0, :, 1], [4.5, 3.4825, 6, 0],
                               atol=CENT)
    m2 = [900, 1.0175, 0, 0] if action == TriggerAction.SEQUENTIAL else [300, 601.0175, 0, 0]
    np.testing.assert_allclose(principal(result, 2), m2, atol=CENT)


def test_the_inspector_reads_the_principal_due_and_shows_the_target():
    """M1 of the scheduled case: the principal due line (750) and A-1's target (900)."""
    prep = prepared(a1_target=schedule((1, 0.75), (2, 0.5)))
    inspection = inspect_waterfall(run_checked(prep), prep.deal, 1)
    steps = inspection.steps.set_index(["part", "item"])
    assert steps.loc[("principal", "notes"), ["due", "paid"]].tolist() == pytest.approx(
        [750, 750], abs=CENT)
    ledgers = inspection.ledgers.set_index(["ledger", "item"])["value"]
    assert ledgers[("A-1", "target_balance")] == pytest.approx(900, abs=CENT)
    assert ("A-2", "target_balance") not in ledgers.index


# --- validation and the deal file -------------------------------------------------------------

@pytest.mark.parametrize(("make", "match"), [
    (lambda: TargetBalance(TargetKind.SCHEDULED), r"schedule: a scheduled target needs"),
    (lambda: schedule((2, 0.5), (2, 0.4)), r"schedule\[1\]\.month: months must increase"),
    (lambda: schedule((1, 0.5), (2, 0.6)), r"schedule\[1\]\.share: a target may not rise"),
    (lambda: schedule((1, 1.5)), r"share: must be in \[0, 1\]"),
    (lambda: TargetPoint(0, 0.5), r"month: must be a whole month >= 1"),
    (lambda: TargetBalance(TargetKind.SCHEDULED, (TargetPoint(1, 0.5),), share_of_pool=0.2),
     r"share_of_pool: applies only with `kind` \"target_share_of_pool\""),
    (lambda: TargetBalance(TargetKind.TARGET_SHARE_OF_POOL, (TargetPoint(1, 0.5),)),
     r"schedule: applies only with `kind` \"scheduled\""),
    (lambda: TargetBalance(TargetKind.TARGET_SHARE_OF_POOL, share_of_pool=1.2),
     r"share_of_pool: must be in \[0, 1\]"),
    (lambda: TargetBalance("level"), r"kind: must be one of"),
    (lambda: TierRule(Tier.SENIOR, "bullet"), r"principal: must be one of"),
    (lambda: NoteClass("C", Tier.SUBORDINATED, 0.1, target_balance=schedule((1, 0.5))),
     r"target_balance: a target balance is for a rated class"),
    (lambda: Structure(classes=(NoteClass("A", Tier.SENIOR, 1.0),),
                       tiers=(TierRule(Tier.MEZZANINE),)),
     r"tiers\[0\]\.tier: no class is in this tier"),
    (lambda: Structure(classes=(NoteClass("A", Tier.SENIOR, 1.0),),
                       tiers=(TierRule(Tier.SENIOR), TierRule(Tier.SENIOR))),
     r"tiers\[1\]\.tier: this tier has a rule already"),
])
def test_bad_fields_are_named(make, match):
    with pytest.raises(FieldError, match=match):
        make()


def test_the_deal_file_round_trips_and_errors_name_the_field():
    deal = prepared(a1_target=schedule((1, 0.75), (2, 0.5)),
                    senior=TierPrincipal.PRO_RATA).deal
    data = deal_to_dict(deal)
    assert data["structure"]["tiers"] == [{"tier": "senior", "principal": "pro_rata"}]
    assert data["structure"]["classes"][0]["target_balance"]["schedule"][1] == {
        "month": 2, "share": 0.5}
    assert deal_from_dict(data) == deal
    data["structure"]["classes"][0]["target_balance"]["schedule"][1]["month"] = 7
    with pytest.raises(DealFileError, match=r"structure\.classes\[0\]\.target_balance\."
                                            r"schedule\[1\]\.month: must be within the deal's "
                                            r"6 months"):
        deal_from_dict(data)
    data = deal_to_dict(deal)
    data["structure"]["tiers"] = [{"tier": "mezzanine", "principal": "sideways"}]
    with pytest.raises(DealFileError, match=r"structure\.tiers\[0\]\.principal"):
        deal_from_dict(data)


def test_a_tier_of_one_class_and_no_target_keep_the_numbers_before_tiers():
    """A deal whose tiers each hold one class, with a tier rule and without, gives the same
    bits (the sample deals' digest shows the rest)."""
    classes = (NoteClass("A", Tier.SENIOR, 0.7, coupon_annual=0.06),
               NoteClass("B", Tier.MEZZANINE, 0.2, coupon_annual=0.12),
               NoteClass("C", Tier.SUBORDINATED, 0.1))
    pool = make_pool([1000.0] * 3, rate=0.12, term=4, pd_annual=[0.01, 0.02, 0.03])
    results = []
    for tiers in ((), (TierRule(Tier.SENIOR, TierPrincipal.PRO_RATA),
                       TierRule(Tier.MEZZANINE, TierPrincipal.PRO_RATA))):
        structure = Structure(classes=classes, principal_mode=PrincipalMode.PRO_RATA,
                              fees=(Fee("servicer", fixed_annual=9000.0),), tiers=tiers)
        deal = make_deal(structure, Assumptions(default=AnnualPd(), recovery=Recovery(0.4, 1)))
        values = np.zeros((1, 3, 6))
        values[0, 2, 0] = 1.0
        results.append(run_paths(prepare_deal(deal, pool), HazardDefaults(values), 1))
    for name in ("principal_paid", "interest_paid", "residual", "balance_close"):
        np.testing.assert_array_equal(getattr(results[0].classes, name),
                                      getattr(results[1].classes, name))


# --- properties -------------------------------------------------------------------------------

@st.composite
def tiered_deals(draw):
    """A random deal of the waterfall options' property tests (loss timing, excess use, fee
    bases and caps, turbo, triggers, revolving, reserve, coupon priority, dates), its rated
    classes regrouped into tiers of several classes with random tier rules, and random
    target balances on some rated classes."""
    prep = draw(option_deals())
    structure = prep.deal.structure
    horizon = prep.deal.dates.horizon_months
    rated = [c for c in structure.classes if c.tier != Tier.SUBORDINATED]
    split = draw(st.integers(1, len(rated)))
    classes = []
    for j, c in enumerate(structure.classes):
        tier = c.tier if c.tier == Tier.SUBORDINATED else (
            Tier.SENIOR if j < split else Tier.MEZZANINE)
        target = None
        if tier != Tier.SUBORDINATED and draw(st.booleans()):
            if draw(st.booleans()):
                months = sorted(draw(st.sets(st.integers(1, horizon), min_size=1, max_size=4)))
                shares = sorted(draw(st.lists(st.floats(0, 1), min_size=len(months),
                                              max_size=len(months))), reverse=True)
                target = schedule(*zip(months, shares, strict=True))
            else:
                target = TargetBalance(TargetKind.TARGET_SHARE_OF_POOL,
                                       share_of_pool=draw(st.floats(0, 1)))
        classes.append(replace(c, tier=tier, target_balance=target))
    present = sorted({c.tier for c in classes})
    rules = tuple(TierRule(t, draw(st.sampled_from(list(TierPrincipal)))) for t in present
                  if draw(st.booleans()))
    deal = replace(prep.deal, structure=replace(structure, classes=tuple(classes),
                                                tiers=rules))
    return prepare_deal(deal, prep.pool)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), tiered_deals())
def test_invariants_hold_with_tiers_and_targets(data, prep):
    defaults, n_paths = data.draw(loan_defaults(prep))
    result = run_paths(prep, defaults, n_paths)
    assert waterfall_violations(result) == []
    # The summary mode (the Monte Carlo's) computes the same class figures in the kernel.
    summary = summarise_paths(prep, defaults, n_paths)
    np.testing.assert_array_equal(summary.metrics.loss_pv,
                                  class_metrics(result, prep.coupons,
                                                with_duration=False).loss_pv)
    # While a target caps its class (amortising, not accelerated, no sequential trigger
    # breached yet, not the month the deal ends, no turbo), the principal paid to the class
    # is at most its balance (after the month's write-downs and reinstatements) above it.
    if prep.deal.structure.turbo:
        return
    classes = result.classes
    switch = np.array([t.action == TriggerAction.SEQUENTIAL
                       for t in prep.deal.structure.triggers], dtype=bool)
    for p in range(n_paths):
        for k in range(int(result.end_month[p]) - 1):
            breached = k > 0 and bool(result.trigger_breached[p, switch, k - 1].any())
            if breached or result.accelerated[p, k] or result.revolving[p, k]:
                continue
            target = classes.target_balance[p, :, k]
            has = ~np.isnan(target)
            before = (classes.balance_open[p, :, k] - classes.writedown[p, :, k]
                      + classes.reinstated[p, :, k])
            room = np.maximum(before - target, 0.0)
            assert (classes.principal_paid[p, has, k] <= room[has] + 1e-6).all()


def test_the_term_sheet_describes_tiers_and_targets():
    from abs_tool.report.structure_text import structure_description

    deal = prepared(a1_target=schedule((1, 0.75), (2, 0.5)), senior=TierPrincipal.PRO_RATA).deal
    en = " ".join(structure_description(deal, "en"))
    assert "A-1, A-2 rank pari passu for interest" in en
    assert "paid pro rata to their balances" in en
    assert "A-1 amortises to a scheduled target balance (75.00% from month 1, 50.00% from " \
           "month 2 of its original balance)" in en
    zh = " ".join(structure_description(deal, "zh"))
    assert "同顺位受偿利息" in zh
    assert "按计划摊还" in zh
