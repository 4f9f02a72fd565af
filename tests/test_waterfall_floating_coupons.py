"""Floating coupons and the step-up after the clean-up call date (issue 16 item 4b), each
against a hand calculation to the cent, and property tests over random deals.
docs/waterfall.md states the rules.

The deal is that of tests/test_waterfall_class_options.py: three interest-only loans of
1,000 at 12% (10 of interest a month each) maturing in month 4, one group per loan so that a
hazard of 1 defaults loan L2 whole in the month chosen; classes A 2,000, B 600, C 400
subordinated (no coupon); sequential principal; legal final in month 6; L2 recovers 40% one
month later.
"""

from dataclasses import replace

import numpy as np
import pytest
from builders import make_deal, make_pool, third_loan_defaults
from hypothesis import HealthCheck, given, settings, strategies as st
from test_waterfall_options_properties import loan_defaults, option_deals

from abs_tool.engine.checks import waterfall_violations
from abs_tool.engine.deterministic import (
    Scenario,
    prepare_deal,
    run_paths,
    run_scenario,
    summarise_paths,
)
from abs_tool.engine.metrics import class_metrics
from abs_tool.engine.waterfall import coupon_rates, reference_coupons, run_waterfall
from abs_tool.errors import AssumptionError, DealFileError, FieldError
from abs_tool.io.dealfile import deal_from_dict, deal_to_dict
from abs_tool.model.assumptions import (
    AnnualPd,
    Assumptions,
    BenchmarkPath,
    BenchmarkStep,
    CdrVector,
    Recovery,
)
from abs_tool.model.deal import (
    CleanUpCall,
    FloatingCoupon,
    NoteClass,
    Structure,
    Tier,
)

CENT = 0.005

# 6.5% in months 1-2, 2% from month 3.
TWO_STEP = BenchmarkPath("1Y LPR", 0.065, (BenchmarkStep(3, 0.02),))


def prepared_deal(a=None, b=None, *, call=None, benchmark=TWO_STEP):
    a = a or NoteClass("A", Tier.SENIOR, 2 / 3, coupon_annual=0.06)
    b = b or NoteClass("B", Tier.MEZZANINE, 0.2, coupon_annual=0.12)
    structure = Structure(classes=(a, b, NoteClass("C", Tier.SUBORDINATED, 0.4 / 3)),
                          clean_up_call=call)
    assumptions = Assumptions(default=AnnualPd(), recovery=Recovery(0.4, 1),
                              benchmark=benchmark)
    return prepare_deal(make_deal(structure, assumptions),
                        make_pool([1000.0] * 3, rate=0.12, term=4,
                                  amortization="interest_only", pd_annual=[0.01, 0.02, 0.03]))


def run(prepared, default_month=0):
    """The engine as every run calls it, checked against the summary mode the Monte Carlo
    uses (the same class figures) and the invariants."""
    result = run_paths(prepared, third_loan_defaults(default_month), 1)
    assert waterfall_violations(result) == []
    summary = summarise_paths(prepared, third_loan_defaults(default_month), 1, with_duration=True)
    full = class_metrics(result, prepared.coupons)
    for name in ("loss_pv", "yield_annual", "modified_duration_years"):
        np.testing.assert_array_equal(getattr(summary.metrics, name), getattr(full, name))
    return result


def check(result, **expected):
    for name, rows in expected.items():
        got = getattr(result.classes, name)[0, :, : len(rows[0])]
        np.testing.assert_allclose(got, rows, atol=CENT, err_msg=name)


def floating_a_and_b():
    """A: 1Y LPR + 100 bp, cap 7%, floor 4.5%; B: 1Y LPR + 500 bp, no cap or floor."""
    return prepared_deal(
        NoteClass("A", Tier.SENIOR, 2 / 3, coupon_annual=0.01,
                  floating=FloatingCoupon(cap_annual=0.07, floor_annual=0.045)),
        NoteClass("B", Tier.MEZZANINE, 0.2, coupon_annual=0.05, floating=FloatingCoupon()))


# --- floating coupons ----------------------------------------------------------------------

def test_floating_coupon_with_the_cap_binding_in_one_month_and_the_floor_in_another():
    """Benchmark 6.5% in months 1-2, 2% from month 3; no default.

    A: 6.5% + 1% = 7.5% capped at 7%: 2,000 x 7% / 12 = 11.666667 in M1, M2; then
    2% + 1% = 3% floored at 4.5%: 2,000 x 4.5% / 12 = 7.5 in M3, M4.
    B (no cap, floor): 11.5% / 12 x 600 = 5.75 in M1, M2; 7% / 12 x 600 = 3.5 in M3, M4.
    Residual (interest 30 a month): 30 - 11.666667 - 5.75 = 12.583333 in M1, M2;
    30 - 7.5 - 3.5 = 19 in M3, M4. M4: the 3,000 of principal pays A 2,000, B 600, C 400."""
    result = run(floating_a_and_b())
    third = 2000 * 0.07 / 12
    check(result,
          interest_paid=[[third, third, 7.5, 7.5], [5.75, 5.75, 3.5, 3.5], [0] * 4],
          principal_paid=[[0, 0, 0, 2000], [0, 0, 0, 600], [0, 0, 0, 400]],
          residual=[[0] * 4, [0] * 4, [30 - third - 5.75, 30 - third - 5.75, 19, 19]])
    np.testing.assert_allclose(result.coupon_period[:2, :4] * 12,
                               [[0.07, 0.07, 0.045, 0.045], [0.115, 0.115, 0.07, 0.07]])


def test_a_floating_class_paid_in_full_is_worth_par_on_its_accrual_path():
    """Discounted at the cumulative product of 1 / (1 + its monthly coupon), A's and B's
    flows are worth their original balance: loss_pv is exactly 0 and 1 - PV / par is 0 to
    the rounding of a sum; the yield of A is the rate r with that PV at a flat rate:
    between the path's 4.5% and 7% (months 1-2 at 7%, the repayment at 4.5% weigh in)."""
    prepared = floating_a_and_b()
    result = run(prepared)
    metrics = class_metrics(result, prepared.coupons)
    assert metrics.loss_pv[0, 0] == 0.0
    assert metrics.loss_pv[0, 1] == 0.0
    cash = result.classes.cash[0]
    for j, original in enumerate((2000.0, 600.0)):
        discount = np.cumprod(1 / (1 + result.coupon_period[j]))
        assert cash[j] @ discount == pytest.approx(original, rel=1e-14)
    assert 0.045 < metrics.yield_annual[0, 0] < 0.07
    # The quoted coupon: the all-in rate averaged over the 6 months of the horizon.
    np.testing.assert_allclose(prepared.coupons[:2], [(2 * 0.07 + 4 * 0.045) / 6,
                                                      (2 * 0.115 + 4 * 0.07) / 6])


def test_a_floating_class_that_loses_is_discounted_on_its_accrual_path():
    """L2 defaults in M2 (recovers 400 in M3); A and B float as above.

    M1: 30: A 11.666667, B 5.75, residual 12.583333. M2: 20: A 11.666667, B 5.75, 2.583333
    pays A's principal (due 1,000). M3: 20 + 400: A 1,997.416667 x 0.375% = 7.490313,
    B 3.5, 409.009688 pays A. M4: 2,020: A 1,588.406979 x 0.375% = 5.956526, B 3.5;
    2,010.543474: A 1,588.406979, B 422.136495; B's 177.863505 and C's 400 written down.
    B's loss_pv: 177.863505 discounted at its path (11.5%/12 twice, 7%/12 twice) / 600."""
    prepared = floating_a_and_b()
    result = run(prepared, 2)
    check(result,
          interest_paid=[[11.666667, 11.666667, 7.490313, 5.956526], [5.75, 5.75, 3.5, 3.5],
                         [0] * 4],
          principal_paid=[[0, 2.583333, 409.009688, 1588.406979], [0, 0, 0, 422.136495],
                          [0] * 4],
          writedown=[[0] * 4, [0, 0, 0, 177.863505], [0, 0, 0, 400]])
    metrics = class_metrics(result, prepared.coupons)
    factor = (1 + 0.115 / 12) ** 2 * (1 + 0.07 / 12) ** 2
    assert metrics.loss_pv[0, 1] == pytest.approx(177.863505 / factor / 600, abs=1e-8)
    discount = np.cumprod(1 / (1 + result.coupon_period[1]))
    assert metrics.loss_pv[0, 1] == pytest.approx(
        1 - result.classes.cash[0, 1] @ discount / 600, abs=1e-12)
    assert metrics.loss_pv[0, 0] == 0.0


def test_a_scenario_sets_or_shifts_the_benchmark_path():
    """+100 bp moves 6.5% / 2% to 7.5% / 3%; a scenario's own path replaces the deal's.
    run_scenario accrues on the scenario's path (A: 7% cap, then 3% + 1% = 4% under the
    4.5% floor: 4.5%)."""
    prepared = floating_a_and_b()
    shifted = Scenario(benchmark_shift_bp=100).apply(prepared.deal.assumptions).benchmark
    np.testing.assert_allclose(shifted.monthly(4), [0.075, 0.075, 0.03, 0.03])
    own = BenchmarkPath("1Y LPR", 0.04)
    assert Scenario(benchmark=own).apply(prepared.deal.assumptions).benchmark == own
    result = run_scenario(prepared, Scenario(cdr_annual=0.0, benchmark=own,
                                             benchmark_shift_bp=-50)).result
    # 4% - 0.5% = 3.5% + 1% = 4.5% (A, at its floor); 3.5% + 5% = 8.5% (B).
    np.testing.assert_allclose(result.coupon_period[:2, 0] * 12, [0.045, 0.085])
    with pytest.raises(FieldError, match="benchmark_shift_bp.*out of"):
        Scenario(benchmark_shift_bp=-300).apply(prepared.deal.assumptions)


def test_fixed_classes_ignore_the_benchmark():
    """A deal without floating classes gives the same numbers on any path."""
    one = run_paths(prepared_deal(), third_loan_defaults(2), 1)
    other = run_paths(prepared_deal(benchmark=BenchmarkPath("SHIBOR", 0.2)),
                      third_loan_defaults(2), 1)
    np.testing.assert_array_equal(one.classes.interest_paid, other.classes.interest_paid)
    np.testing.assert_array_equal(one.classes.principal_paid, other.classes.principal_paid)


def test_coupon_rates_need_a_benchmark():
    classes = floating_a_and_b().deal.structure.classes
    with pytest.raises(AssumptionError, match="floating coupon but no benchmark"):
        coupon_rates(classes, None, 4)
    np.testing.assert_allclose(reference_coupons(classes[2:], None, 4), [0.0])


# --- the step-up after the clean-up call date ----------------------------------------------

def step_up_deal(exercised, step_up_bp=120.0):
    """A 6% with a step-up, a clean-up call at 70% of the pool (2,100)."""
    return prepared_deal(NoteClass("A", Tier.SENIOR, 2 / 3, coupon_annual=0.06,
                                   step_up_bp=step_up_bp),
                         call=CleanUpCall(0.7, exercised=exercised))


def test_the_step_up_starts_in_the_month_the_pool_first_reaches_the_call_threshold():
    """Call not exercised. L2 defaults in M2: the pool falls to 2,000 <= 2,100, so the
    call could be exercised in M2; it is not, and A's coupon is 6% + 1.2% = 7.2% from M2
    (0.6% a month).

    M1: 30: A 2,000 x 0.5% = 10, B 6, residual 14. M2: 20: A 2,000 x 0.6% = 12, B 6; 2 pays
    A's principal (due 1,000). M3: 20 + 400: A 1,998 x 0.6% = 11.988, B 6; 402.012 pays A.
    M4: 2,020: A 1,595.988 x 0.6% = 9.575928, B 6; 2,004.424072 left: A 1,595.988,
    B 408.436072; B's 191.563928 and C's 400 written down."""
    result = run(step_up_deal(exercised=False), 2)
    check(result,
          interest_paid=[[10, 12, 11.988, 9.575928], [6, 6, 6, 6], [0] * 4],
          principal_paid=[[0, 2, 402.012, 1595.988], [0, 0, 0, 408.436072], [0] * 4],
          writedown=[[0] * 4, [0, 0, 0, 191.563928], [0, 0, 0, 400]],
          residual=[[0] * 4, [0] * 4, [14, 0, 0, 0]])
    np.testing.assert_array_equal(result.step_up[0, :4], [False, True, True, True])
    assert not result.pool.call_proceeds.any()


def test_without_a_step_up_an_unexercised_call_runs_the_deal_on():
    """The same, step-up 0: A at 6% throughout (M2 10, 4 to principal; M3 1,996 x 0.5% =
    9.98; M4 1,591.98 x 0.5% = 7.9599): the rule of an uncalled deal."""
    result = run(step_up_deal(exercised=False, step_up_bp=0.0), 2)
    check(result, interest_paid=[[10, 10, 9.98, 7.9599], [6, 6, 6, 6], [0] * 4],
          principal_paid=[[0, 4, 404.02, 1591.98], [0, 0, 0, 414.0601], [0] * 4])
    no_call = run(prepared_deal(), 2)
    np.testing.assert_array_equal(result.classes.interest_paid, no_call.classes.interest_paid)


def test_an_exercised_call_never_steps_up():
    """Exercised in M2: proceeds 2,000 + 400 of recoveries to come; 2,420 pays A 10, B 6,
    A 2,000, B 404 (B's 196 and C's 400 written down), whatever A's step-up."""
    result = run(step_up_deal(exercised=True), 2)
    check(result, interest_paid=[[10, 10], [6, 6], [0, 0]],
          principal_paid=[[0, 2000], [0, 404], [0, 0]],
          writedown=[[0, 0], [0, 196], [0, 400]])
    assert result.pool.call_proceeds[0, 1] == pytest.approx(2400)
    assert not result.step_up.any()
    plain = run(step_up_deal(exercised=True, step_up_bp=0.0), 2)
    for name in ("interest_paid", "principal_paid", "writedown", "residual"):
        np.testing.assert_array_equal(getattr(result.classes, name),
                                      getattr(plain.classes, name))


# --- deal-file fields ------------------------------------------------------------------------

def test_deal_file_round_trip_and_field_path_errors():
    deal = floating_a_and_b().deal
    deal = replace(deal, structure=replace(
        deal.structure, clean_up_call=CleanUpCall(0.1, exercised=False),
        classes=(replace(deal.structure.classes[0], step_up_bp=150.0),
                 *deal.structure.classes[1:])))
    data = deal_to_dict(deal)
    assert deal_from_dict(data) == deal
    bad = deal_to_dict(deal)
    bad["structure"]["classes"][0]["floating"]["floor_annual"] = 0.08
    with pytest.raises(DealFileError,
                       match=r"structure\.classes\[0\]\.floating\.floor_annual: must be at most"):
        deal_from_dict(bad)
    bad = deal_to_dict(deal)
    bad["assumptions"]["benchmark"]["steps"] = [{"month": 5, "rate_annual": 0.02},
                                                {"month": 3, "rate_annual": 0.01}]
    with pytest.raises(DealFileError,
                       match=r"assumptions\.benchmark\.steps\[1\]\.month: months must increase"):
        deal_from_dict(bad)
    bad = deal_to_dict(deal)
    bad["structure"]["clean_up_call"] = None
    with pytest.raises(DealFileError,
                       match=r"structure\.classes\[0\]\.step_up_bp: .*no `clean_up_call`"):
        deal_from_dict(bad)
    bad = deal_to_dict(deal)
    bad["structure"]["classes"][0]["step_up_bp"] = -5
    with pytest.raises(DealFileError, match=r"structure\.classes\[0\]\.step_up_bp: must be in"):
        deal_from_dict(bad)
    bad = deal_to_dict(deal)
    bad["structure"]["clean_up_call"]["exercised"] = "no"
    with pytest.raises(DealFileError, match=r"structure\.clean_up_call\.exercised"):
        deal_from_dict(bad)


def test_model_errors():
    with pytest.raises(FieldError, match="cap_annual: must be > 0"):
        FloatingCoupon(cap_annual=0.0)
    with pytest.raises(FieldError, match=r"rate_annual: must be in \[0, 1\)"):
        BenchmarkPath("LPR", 1.5)
    with pytest.raises(FieldError, match="name: must be a name"):
        BenchmarkPath(" LPR")
    with pytest.raises(FieldError, match=r"month: must be an integer in \[1"):
        BenchmarkStep(0, 0.02)
    with pytest.raises(FieldError, match="benchmark_shift_bp: must be a number"):
        Scenario(benchmark_shift_bp=float("nan"))


# --- properties ------------------------------------------------------------------------------

@st.composite
def floating_deals(draw):
    """A random deal of test_waterfall_options_properties (every option there: losses,
    excess use, fees, turbo, triggers, revolving, reserve, coupon priority, dates) whose
    rated classes may float (random margin, cap, floor) or step up, with a clean-up call
    exercised or not, on a random benchmark path."""
    prepared = draw(option_deals())
    deal = prepared.deal
    structure = deal.structure
    call = structure.clean_up_call
    if draw(st.booleans()):
        call = CleanUpCall(draw(st.floats(0.05, 0.6)), exercised=draw(st.booleans()))
    classes = []
    for c in structure.classes:
        if c.tier != Tier.SUBORDINATED and draw(st.booleans()):
            floor = draw(st.one_of(st.none(), st.floats(0, 0.05)))
            cap = draw(st.one_of(st.none(), st.floats(0.05, 0.2)))
            c = replace(c, floating=FloatingCoupon(cap, floor))
        if call is not None and draw(st.booleans()):
            c = replace(c, step_up_bp=draw(st.floats(0, 500)))
        classes.append(c)
    horizon = prepared.model.horizon_months
    months = sorted(set(draw(st.lists(st.integers(2, horizon), max_size=3))))
    benchmark = BenchmarkPath("LPR", draw(st.floats(0, 0.08)),
                              tuple(BenchmarkStep(m, draw(st.floats(0, 0.08))) for m in months))
    deal = replace(deal, structure=replace(structure, classes=tuple(classes), clean_up_call=call),
                   assumptions=replace(deal.assumptions, benchmark=benchmark))
    return replace(prepared, deal=deal)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_invariants_hold_with_floating_coupons_and_step_ups(data):
    """Conservation and balances hold; the summary mode gives the full run's metrics; a
    floating class without a step-up that receives no residual loses, in PV at its accrual
    path, exactly what its flows fall short of par; an exercised call never steps up."""
    prepared = data.draw(floating_deals())
    defaults, n_paths = data.draw(loan_defaults(prepared))
    result = run_paths(prepared, defaults, n_paths)
    assert waterfall_violations(result) == []
    metrics = class_metrics(result, prepared.coupons)
    summary = summarise_paths(prepared, defaults, n_paths)
    np.testing.assert_array_equal(summary.metrics.loss_pv, metrics.loss_pv)
    np.testing.assert_array_equal(summary.metrics.yield_annual, metrics.yield_annual)
    structure = prepared.deal.structure
    for j, c in enumerate(structure.classes):
        if c.floating is None or c.step_up_bp > 0 or c.tier == Tier.SUBORDINATED:
            continue
        discount = np.cumprod(1 / (1 + result.coupon_period[j]))
        pv = result.classes.cash[:, j] @ discount / result.original_balance[j]
        np.testing.assert_allclose(metrics.loss_pv[:, j], 1 - pv, atol=1e-9)
    if structure.clean_up_call is None or structure.clean_up_call.exercised:
        assert not result.step_up.any()


def test_run_waterfall_without_a_benchmark_refuses_a_floating_class():
    prepared = floating_a_and_b()
    state_paths = run_paths(prepared, third_loan_defaults(0), 1)  # with the deal's path: fine
    assert state_paths.floating.tolist() == [True, True, False]
    from abs_tool.engine.deterministic import _pool_state

    state = _pool_state(prepared, third_loan_defaults(0), 1, None, None, None, None)
    with pytest.raises(AssumptionError, match="benchmark"):
        run_waterfall(prepared.deal.structure, state, prepared.class_balances)


def test_cdr_scenarios_keep_the_deal_path():
    prepared = replace(floating_a_and_b(), deal=replace(
        floating_a_and_b().deal,
        assumptions=replace(floating_a_and_b().deal.assumptions, default=CdrVector((0.0,)))))
    result = run_scenario(prepared).result
    np.testing.assert_allclose(result.coupon_period[0, :4] * 12, [0.07, 0.07, 0.045, 0.045])


# --- the term sheet ------------------------------------------------------------------------

def test_the_term_sheet_states_floating_coupons_and_the_step_up():
    from abs_tool.report.structure_text import coupon_text, structure_description

    deal = floating_a_and_b().deal
    a = deal.structure.classes[0]
    assert coupon_text(a, "1Y LPR", "en") == "1Y LPR + 100 bp, cap 7.00%, floor 4.50%"
    assert coupon_text(a, "1Y LPR", "zh") == "1Y LPR + 100 bp，上限7.00%，下限4.50%"
    deal = replace(deal, structure=replace(
        deal.structure, clean_up_call=CleanUpCall(0.1, exercised=False),
        classes=(replace(a, step_up_bp=150.0), *deal.structure.classes[1:])))
    en = " ".join(structure_description(deal, "en"))
    zh = "".join(structure_description(deal, "zh"))
    assert "A (1Y LPR + 100 bp, cap 7.00%, floor 4.50%)" in en
    assert "Floating coupons reset monthly to 1Y LPR" in en
    assert "not exercised; from then on coupons step up: A +150 bp" in en
    assert "不行使清仓回购；此后票面利率上调：A +150 bp" in zh
    assert "浮动利率按月重置为1Y LPR" in zh


def test_the_inspector_shows_the_months_coupon_and_the_step_up():
    from abs_tool.analysis.inspector import inspect_waterfall

    prepared = step_up_deal(exercised=False)
    result = run_paths(prepared, third_loan_defaults(2), 1)
    ledgers = inspect_waterfall(result, prepared.deal, 2).ledgers
    a = ledgers[ledgers["ledger"] == "A"].set_index("item")["value"]
    assert a["coupon_period"] == pytest.approx(0.005)  # 6% / 12, the step-up apart
    assert a["step_up"] == 1.0
    b = ledgers[ledgers["ledger"] == "B"]["item"].tolist()
    assert "coupon_period" not in b  # fixed, no step-up: the ledger as before


def test_clean_up_call_step_not_exercised():
    """The kernel's steps: at a pool of 5 against a 10% call on a pool of 100 the call could
    be exercised; not exercised, nothing is sold (POOL_CALLED 0)."""
    from test_kernel_steps import pool_inputs, start, terms

    from abs_tool.engine import kernel

    t = terms(call_share=0.1, call_exercised=False)
    _, out = start(t)
    assert kernel.call_reached(pool_inputs(), t, False, 5.0)
    assert not kernel.call_reached(pool_inputs(), t, True, 5.0)  # revolving
    assert kernel.clean_up_call(pool_inputs(), t, 0, 0, False, 5.0, 2.0, out) == (False, 0.0)
    exercised = t._replace(call_exercised=True)
    assert kernel.clean_up_call(pool_inputs(), exercised, 0, 0, False, 5.0, 2.0, out) == (
        True, 7.0)
