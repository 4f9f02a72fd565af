"""Liquidity support (issue 16 item 5) against hand calculations to the cent: the
liquidity reserve (its draw for the senior fees and senior interest the available funds
leave unpaid, its replenishment after interest or after principal, its release at the end)
and the servicer advance (made in one month, reimbursed the next with interest, capped by
its limit, lost to the servicer at the end). docs/waterfall.md states the rules.

The deal of the cases: three interest-only loans of 1,000 at 12% (10 of interest a month
each), maturing in month 4, one group each, so that a hazard of 1 defaults a given loan in
a given month (:class:`~abs_tool.engine.projection.HazardDefaults`). Classes: A 2,000
(senior) at 3% (0.25% a month: 5 on 2,000), B 600 (mezzanine) without coupon, C 400
subordinated. One senior fee of 6% a year (0.5% a month) on the performing balance at the
start of the month, the month's defaults included: 15 in a month that opens with 3,000.
Excess interest is released (``release``) so that principal is paid from principal funds
only and the excess interest reaches the priority after principal. Sequential principal,
losses written down at the end. L2 and L3 default in month 1; 40% of them (800) is
recovered one month later, in month 2.
"""

import numpy as np
import pytest
from builders import make_deal, make_pool

from abs_tool.engine import kernel
from abs_tool.engine.checks import waterfall_violations
from abs_tool.engine.deterministic import prepare_deal, run_paths
from abs_tool.engine.projection import HazardDefaults
from abs_tool.errors import FieldError
from abs_tool.model.assumptions import AnnualPd, Assumptions, Recovery
from abs_tool.model.deal import (
    ExcessInterest,
    ExcessInterestUse,
    Fee,
    FeeBasis,
    LiquidityReplenishment,
    LiquidityReserve,
    NoteClass,
    ServicerAdvance,
    Structure,
    Tier,
)

CENT = 0.005
A, B, C = 0, 1, 2
FEE = Fee("servicer", 0.06, basis=FeeBasis.PERFORMING_START_INCL_DEFAULTS)


def run(liquidity=None, advance=None, *, recovery=0.4, months=6):
    """The deal above with the liquidity support given; one path, checked against every
    invariant (cash in, the advances included, equals cash out; both accounts reconcile)."""
    structure = Structure(
        classes=(NoteClass("A", Tier.SENIOR, 2 / 3, coupon_annual=0.03),
                 NoteClass("B", Tier.MEZZANINE, 0.2),
                 NoteClass("C", Tier.SUBORDINATED, 0.4 / 3)),
        fees=(FEE,), excess_interest=ExcessInterest(ExcessInterestUse.RELEASE),
        liquidity_reserve=liquidity, servicer_advance=advance,
    )
    deal = make_deal(structure, Assumptions(default=AnnualPd(), recovery=Recovery(recovery, 1)),
                     months=months)
    prepared = prepare_deal(deal, make_pool([1000.0] * 3, rate=0.12, term=4,
                                            amortization="interest_only",
                                            pd_annual=[0.01, 0.02, 0.03]))
    assert prepared.class_balances == pytest.approx((2000.0, 600.0, 400.0), abs=1e-9)
    hazard = np.zeros((1, 3, months))
    hazard[0, 1:, 0] = 1.0  # L2 and L3 default in month 1
    result = run_paths(prepared, HazardDefaults(hazard), 1)
    assert waterfall_violations(result) == []
    return result


def rows(result, **expected):
    """Each line named equals its expected months to the cent: an account line of the
    result, or ``fees_paid``/``fees_unpaid`` (the one fee), or a class line
    ``<line>_<class>`` (``interest_paid_A``)."""
    for name, values in expected.items():
        if name.startswith("fees_"):
            got = getattr(result, name)[0, 0]
        elif name[-2] == "_" and name[-1] in "ABC":
            got = getattr(result.classes, name[:-2])[0, "ABC".index(name[-1])]
        else:
            got = getattr(result, name)[0]
        np.testing.assert_allclose(got[: len(values)], values, atol=CENT, err_msg=name)


def test_without_support_the_senior_interest_goes_unpaid():
    """M1: L2 and L3 default and pay nothing; L1's interest 10 is the whole of the funds.
    The fee is 0.5% of the 3,000 opening the month = 15: 10 paid, 5 carried; A's 5 is not
    paid (carried at the coupon). The reference for the cases below."""
    r = run()
    rows(r, fees_paid=[10, 10], fees_unpaid=[5, 0], interest_paid_A=[0, 10.0125])
    assert not r.liquidity_close.any()
    assert not r.advance_close.any()


def test_the_liquidity_reserve_covers_the_gap_and_is_replenished_after_interest():
    """Liquidity reserve: 1% of A's 2,000 (20) funded at closing, target a fixed 20 (the
    floor; no share), replenished right after interest.

    M1: funds 10: fee 10 of 15. The reserve (open 20, target 20, nothing released) pays
    the fee's 5 carried and A's 5: drawn 10, closes 10. B has no coupon; nothing else.
    M2: funds 10 + 800 recovered = 810: fee 0.5% of 1,000 = 5, A 5: 800 left. Replenished
    10 (to 20): 790 left. The excess interest 10 - 5 - 5 - 10 < 0 is 0, so the 790 are
    principal funds: A is paid 790 (due 3,000 - 1,000 = 2,000), A 1,210.
    M3: funds 10: fee 5, A 1,210 x 0.25% = 3.025; 1.975 left, the reserve is at target:
    the excess 1.975 is released to C.
    M4: L1 repays 1,000 with 10 of interest; the pool is done, so the deal winds down:
    the target is 0 and the 20 is released into the funds: 1,030. Fee 5, A 3.025; the
    excess interest 10 - 8.025 = 1.975 goes to C; the principal funds 1,020 pay A (1,210
    -> 190). At the end A's 190, B's 600 and C's 400 are written down.
    """
    r = run(LiquidityReserve(initial_share=0.01, floor_amount=20.0))
    rows(r,
         liquidity_open=[20, 10, 20, 20], liquidity_target=[20, 20, 20, 0],
         liquidity_released=[0, 0, 0, 20], liquidity_drawn=[10, 0, 0, 0],
         liquidity_replenished=[0, 10, 0, 0], liquidity_close=[10, 20, 20, 0],
         fees_paid=[15, 5, 5, 5], fees_unpaid=[0, 0, 0, 0],
         interest_paid_A=[5, 5, 3.025, 3.025], principal_paid_A=[0, 790, 0, 1020],
         residual_C=[0, 0, 1.975, 1.975], writedown_A=[0, 0, 0, 190])
    assert r.end_month[0] == 4


def test_the_liquidity_reserve_replenished_after_principal_waits_for_the_principal():
    """As above, replenished after principal instead.

    M1: as above: drawn 10, closes 10.
    M2: 810: fee 5, A 5; the 800 are principal funds and go to A first (A 1,200); nothing
    is left to replenish: the reserve stays at 10.
    M3: 10: fee 5, A 1,200 x 0.25% = 3: the excess 2 is not principal funds; after the
    principal (none) it replenishes the reserve: 12; nothing for C.
    M4: the 12 is released: 1,022; fee 5, A 3; excess 2 to C; principal funds 1,012 to A
    (1,200 -> 188); A's 188 is written down.
    """
    r = run(LiquidityReserve(initial_share=0.01, floor_amount=20.0,
                             replenish_after=LiquidityReplenishment.PRINCIPAL))
    rows(r,
         liquidity_open=[20, 10, 10, 12], liquidity_released=[0, 0, 0, 12],
         liquidity_drawn=[10, 0, 0, 0], liquidity_replenished=[0, 0, 2, 0],
         liquidity_close=[10, 10, 12, 0],
         interest_paid_A=[5, 5, 3, 3], principal_paid_A=[0, 800, 0, 1012],
         residual_C=[0, 0, 0, 2], writedown_A=[0, 0, 0, 188])


def test_a_target_share_releases_the_balance_above_it_each_month():
    """Target 0.5% of A's balance at the start of the month, no floor; 20 at closing.

    M1: target 0.5% x 2,000 = 10: the 10 above it is released into the funds (10 + 10 =
    20): fee 15, A 5; nothing to draw (closes 10).
    M2: 810: fee 5, A 5; replenished to 10 (it is there); A is paid 800 (A 1,200).
    M3: target 0.5% x 1,200 = 6: 4 released: funds 14: fee 5, A 3; 6 left, of which the
    excess interest is 10 - 5 - 3 = 2 (to C) and the 4 released are principal funds (to A).
    """
    r = run(LiquidityReserve(initial_share=0.01, target_share=0.005))
    rows(r,
         liquidity_open=[20, 10, 10], liquidity_target=[10, 10, 6],
         liquidity_released=[10, 0, 4], liquidity_drawn=[0, 0, 0],
         liquidity_close=[10, 10, 6], fees_paid=[15, 5, 5],
         interest_paid_A=[5, 5, 3], principal_paid_A=[0, 800, 4], residual_C=[0, 0, 2])


def test_a_servicer_advance_capped_by_its_limit_and_reimbursed_with_interest():
    """Servicer advance up to 8 outstanding, at 12% a year (1% a month).

    M1: the funds leave the fee's 5 and A's 5 unpaid; the servicer advances 8 (its limit;
    recoverable: 1,000 performing + 800 to come): the fee's 5, then 3 of A's 5. A carries
    2.
    M2: 810. The 8 outstanding accrue 1%: 8.08, reimbursed first: 801.92 left. Fee 5;
    A 2 x 1.0025 + 5 = 7.005; 789.915 left, all principal funds (the excess interest 10 -
    8.08 - 5 - 7.005 < 0 is 0): A is paid 789.915.
    """
    r = run(advance=ServicerAdvance(limit_amount=8.0, rate_annual=0.12))
    rows(r,
         advance_open=[0, 8], advance_interest=[0, 0.08], advance_made=[8, 0],
         advance_reimbursed=[0, 8.08], advance_lost=[0, 0], advance_close=[8, 0],
         fees_paid=[15, 5], interest_paid_A=[3, 7.005], interest_shortfall_A=[2, 0],
         principal_paid_A=[0, 789.915])


def test_the_liquidity_reserve_draws_before_the_servicer_advances():
    """Both: M1's gap of 10 is drawn from the reserve (20 at closing, target 20); the
    servicer advances nothing."""
    r = run(LiquidityReserve(initial_share=0.01, floor_amount=20.0),
            ServicerAdvance(limit_amount=8.0))
    rows(r, liquidity_drawn=[10, 0], advance_made=[0, 0], interest_paid_A=[5, 5])


def test_an_advance_outstanding_when_the_deal_ends_is_lost_to_the_servicer():
    """Nothing recovered, legal final month 3 (L1 outlives it), advances up to 100 at 12%.

    M1: funds 10: fee 10 of 15; the servicer advances the fee's 5 and A's 5: 10.
    M2: funds 10: the 10 outstanding accrue 0.1; 10 reimbursed first, 0.1 outstanding;
    nothing is left: fee 5 and A 5 unpaid, so the servicer advances 10 again (room 100 -
    0.1, recoverable 1,000): 10.1 outstanding.
    M3, the legal final: 10.1 accrue 0.101: 10.201 owed, 10 reimbursed; no advance is made
    as the deal ends, and the 0.201 left is lost to the servicer. The fee's 5 and A's 5
    are unpaid; A's shortfall is the notes' loss, the advance's is not.
    """
    r = run(advance=ServicerAdvance(limit_amount=100.0, rate_annual=0.12), recovery=0.0,
            months=3)
    rows(r,
         advance_open=[0, 10, 10.1], advance_interest=[0, 0.1, 0.101],
         advance_reimbursed=[0, 10, 10], advance_made=[10, 10, 0],
         advance_lost=[0, 0, 0.201], advance_close=[10, 10.1, 0],
         fees_paid=[15, 5, 0], fees_unpaid=[0, 0, 5], interest_paid_A=[5, 5, 0],
         interest_shortfall_A=[0, 0, 5])
    assert r.end_month[0] == 3


def test_no_advance_beyond_what_is_recoverable():
    """Recoverability: the advances outstanding may not exceed the performing pool at the
    end of the month plus the recoveries to come. With every loan defaulting in month 1
    and nothing to recover the pool is done: the deal winds down and nothing is advanced."""
    structure = Structure(
        classes=(NoteClass("A", Tier.SENIOR, 0.8, coupon_annual=0.03),
                 NoteClass("C", Tier.SUBORDINATED, 0.2)),
        fees=(FEE,), servicer_advance=ServicerAdvance(limit_share=1.0))
    deal = make_deal(structure, Assumptions(default=AnnualPd(), recovery=Recovery(0.0, 1)))
    prepared = prepare_deal(deal, make_pool([1000.0], rate=0.12, term=4,
                                            amortization="interest_only"))
    result = run_paths(prepared, HazardDefaults(np.ones((1, 1, 6))), 1)
    assert waterfall_violations(result) == []
    assert not result.advance_made.any()


# --- the kernel steps on their own -------------------------------------------------------------

def test_release_liquidity_target_share_floor_and_wind_down():
    from test_kernel_steps import start, terms
    t = terms(liquidity_target=0.1, liquidity_floor=5.0)
    path, out = start(t)
    # A (senior) 80 outstanding: target max(10% x 80, 5) = 8; 12 held: 4 released.
    assert kernel.release_liquidity(t, 0, 0, False, 12.0, path, out) == pytest.approx(
        (8.0, 8.0, 4.0))
    path.balance[0] = 30.0  # 10% x 30 = 3 < the floor 5
    assert kernel.release_liquidity(t, 0, 0, False, 4.0, path, out)[0] == pytest.approx(5.0)
    path.balance[0] = 0.0  # the senior class repaid: everything is released
    assert kernel.release_liquidity(t, 0, 0, False, 4.0, path, out) == pytest.approx(
        (0.0, 0.0, 4.0))
    path.balance[0] = 80.0  # the deal winds down: the same
    assert kernel.release_liquidity(t, 0, 0, True, 4.0, path, out)[2] == pytest.approx(4.0)


def test_cover_shortfalls_pays_senior_fees_then_senior_interest_only():
    from test_kernel_steps import start, terms
    t = terms(fee_rate=np.zeros(1), fee_fixed=np.zeros(1), fee_basis=np.zeros(1, np.int64),
              fee_cap=np.full(1, np.inf))
    path, out = start(t)
    path.fee_carry[0] = 3.0
    path.accrued[:] = [4.0, 7.0]  # A senior, B subordinated
    path.pay_date[:] = True
    # 5 of cash: the fee's 3, then 2 of A's 4; B's 7 is never covered.
    assert kernel.cover_shortfalls(t, 0, 0, 5.0, path, out) == pytest.approx(0.0)
    np.testing.assert_allclose(path.accrued, [2.0, 7.0])
    assert out.fees[kernel.FEE_PAID, 0, 0, 0] == pytest.approx(3.0)
    # 10 more: A's 2; 8 left, as nothing else may be paid.
    assert kernel.cover_shortfalls(t, 0, 0, 10.0, path, out) == pytest.approx(8.0)
    np.testing.assert_allclose(path.interest_paid, [4.0, 0.0])
    # Not a payment date of A: nothing is due, nothing is covered.
    path.accrued[0] = 1.0
    path.pay_date[:] = False
    assert kernel.cover_shortfalls(t, 0, 0, 10.0, path, out) == pytest.approx(10.0)


def test_advance_room_limit_recoverability_and_wind_down():
    from test_kernel_steps import terms
    t = terms(advance_limit=50.0)
    # Limit 50 less 20 outstanding; recoverable 100 + 0.
    assert kernel.advance_room(t, False, 500.0, 100.0, 0.0, 20.0) == pytest.approx(30.0)
    # Recoverable 25 + 10 = 35 < 50: room 15.
    assert kernel.advance_room(t, False, 500.0, 25.0, 10.0, 20.0) == pytest.approx(15.0)
    assert kernel.advance_room(t, True, 500.0, 100.0, 0.0, 0.0) == 0.0
    share = terms(advance_limit_share=0.1)  # 10% of the 500 opening the month
    assert kernel.advance_room(share, False, 500.0, 1e6, 0.0, 0.0) == pytest.approx(50.0)


# --- the deal-file fields ----------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "match"), [
    ({"initial_share": 1.5}, r"initial_share: must be in \[0, 1\)"),
    ({"target_share": -0.1}, r"target_share: must be in \[0, 1\)"),
    ({"floor_amount": -1.0}, r"floor_amount: must be an amount >= 0"),
    ({"floor_amount": 1.0, "replenish_after": "end"}, r"replenish_after: must be one of"),
    ({}, r"target_share: a liquidity reserve with no initial balance"),
])
def test_liquidity_reserve_fields_are_validated(kwargs, match):
    with pytest.raises(FieldError, match=match):
        LiquidityReserve(**kwargs)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({}, r"limit_amount: a servicer advance needs a limit"),
    ({"limit_amount": -5.0}, r"limit_amount: must be an amount >= 0"),
    ({"limit_share": 1.5}, r"limit_share: must be in \[0, 1\]"),
    ({"limit_amount": 5.0, "limit_share": 0.1}, r"limit_share: give the limit as an amount"),
    ({"limit_amount": 5.0, "rate_annual": 1.0}, r"rate_annual: must be in \[0, 1\)"),
])
def test_servicer_advance_fields_are_validated(kwargs, match):
    with pytest.raises(FieldError, match=match):
        ServicerAdvance(**kwargs)


def test_liquidity_support_needs_a_senior_class():
    with pytest.raises(FieldError, match="liquidity_reserve: liquidity support covers"):
        Structure(classes=(NoteClass("B", Tier.MEZZANINE, 1.0),),
                  liquidity_reserve=LiquidityReserve(floor_amount=1.0))


def _consumer_with(structure_changes):
    import json

    from abs_tool.io.dealfile import sample_deal_path
    data = json.loads(sample_deal_path("consumer").read_text(encoding="utf-8"))
    data["structure"].update(structure_changes)
    return data


def test_the_deal_file_reads_writes_and_round_trips_liquidity_support():
    from abs_tool.io.dealfile import deal_from_dict, deal_to_dict
    deal = deal_from_dict(_consumer_with({
        "liquidity_reserve": {"initial_share": 0.01, "target_share": 0.01,
                              "floor_amount": 1000000.0, "replenish_after": "principal"},
        "servicer_advance": {"limit_share": 0.02, "rate_annual": 0.05}}))
    s = deal.structure
    assert s.liquidity_reserve == LiquidityReserve(0.01, 0.01, 1_000_000.0,
                                                   LiquidityReplenishment.PRINCIPAL)
    assert s.servicer_advance == ServicerAdvance(0.0, 0.02, 0.05)
    assert deal_from_dict(deal_to_dict(deal)) == deal
    # Without them (the default) the file does not mention them.
    assert "liquidity_reserve" not in deal_to_dict(deal_from_dict(_consumer_with({})))[
        "structure"]


@pytest.mark.parametrize(("changes", "message"), [
    ({"liquidity_reserve": {"floor_amount": -1.0}},
     "structure.liquidity_reserve.floor_amount: must be an amount of 0 or from 0.01"),
    ({"liquidity_reserve": {"floor_amount": 1.0, "replenish_after": "residual"}},
     "structure.liquidity_reserve.replenish_after"),
    ({"servicer_advance": {"rate_annual": 0.05}},
     "structure.servicer_advance.limit_amount: a servicer advance needs a limit"),
    ({"servicer_advance": {"limit_amount": 5.0, "limit_share": 0.5}},
     "structure.servicer_advance.limit_share: give the limit as an amount"),
    ({"servicer_advance": {"limit_amount": 5.0, "rate": 0.05}},
     "structure.servicer_advance.rate"),
])
def test_deal_file_errors_name_the_field_path(changes, message):
    from abs_tool.errors import DealFileError
    from abs_tool.io.dealfile import deal_from_dict
    with pytest.raises(DealFileError, match=message.replace("(", r"\(")):
        deal_from_dict(_consumer_with(changes))


def test_the_consumer_sample_with_liquidity_support_keeps_every_invariant():
    """The sample deal under a stress heavy enough for the senior interest to need the
    support at some point on some path: the invariants hold, the draws and advances pay."""
    from dataclasses import replace

    from abs_tool import load_deal_pool, load_sample_deal
    from abs_tool.engine.projection import deterministic_defaults
    deal = load_sample_deal("consumer")
    structure = replace(deal.structure,
                        liquidity_reserve=LiquidityReserve(0.01, 0.01, 0.0),
                        servicer_advance=ServicerAdvance(limit_share=0.01, rate_annual=0.06))
    deal = replace(deal, structure=structure)
    pool, _ = load_deal_pool(deal, None)
    prepared = prepare_deal(deal, pool)
    multipliers = np.array([0.0, 1.0, 10.0, 40.0])
    defaults = deterministic_defaults(prepared.model, deal.assumptions.default, multipliers)
    result = run_paths(prepared, defaults, len(multipliers))
    assert waterfall_violations(result) == []
    assert result.liquidity_open[:, 0] == pytest.approx(0.01 * prepared.class_balances[0])


# --- the waterfall inspector ------------------------------------------------------------------

def _deal_of(liquidity=None, advance=None):
    """The deal of :func:`run` (for the inspector's names and rules)."""
    structure = Structure(
        classes=(NoteClass("A", Tier.SENIOR, 2 / 3, coupon_annual=0.03),
                 NoteClass("B", Tier.MEZZANINE, 0.2),
                 NoteClass("C", Tier.SUBORDINATED, 0.4 / 3)),
        fees=(FEE,), excess_interest=ExcessInterest(ExcessInterestUse.RELEASE),
        liquidity_reserve=liquidity, servicer_advance=advance)
    return make_deal(structure, Assumptions(default=AnnualPd(), recovery=Recovery(0.4, 1)))


def _steps(inspection):
    return {(r.part, r.item): r for r in inspection.steps.itertuples()}


def test_the_inspector_shows_the_draw_and_the_replenishment_in_order():
    """Month 1 of the liquidity case: the funds (10) pay 10 of the fee's 15 (shortfall 5)
    and none of A's 5; the reserve pays the fee's 5 and A's 5 (received and paid: the
    funds stay at 0). Month 2: replenished 10 right after interest, before principal."""
    from abs_tool.analysis.inspector import inspect_waterfall
    liquidity = LiquidityReserve(initial_share=0.01, floor_amount=20.0)
    result, deal = run(liquidity), _deal_of(liquidity)
    one = inspect_waterfall(result, deal, 1)
    steps = _steps(one)
    assert steps[("fee", "servicer")].paid == pytest.approx(10.0)
    assert steps[("fee", "servicer")].shortfall == pytest.approx(5.0)
    assert steps[("interest", "A")].paid == pytest.approx(0.0)
    assert steps[("liquidity_draw", "servicer")].received == pytest.approx(5.0)
    assert steps[("liquidity_draw", "A")].paid == pytest.approx(5.0)
    assert steps[("liquidity_draw", "A")].shortfall == pytest.approx(0.0)
    table = one.steps
    np.testing.assert_allclose(table["funds_before"] + table["received"] - table["paid"],
                               table["funds_after"], atol=1e-9)
    assert (table["funds_after"] >= -1e-9).all()
    parts = list(table["part"])
    top_up = list(table["item"]).index("reserve_top_up")
    assert parts.index("interest") < parts.index("liquidity_draw") < top_up
    ledger = one.ledgers.set_index(["ledger", "item"])["value"]
    assert ledger[("liquidity", "liquidity_close")] == pytest.approx(10.0)
    two = _steps(inspect_waterfall(result, deal, 2))
    assert two[("liquidity", "liquidity_replenished")].paid == pytest.approx(10.0)
    assert two[("liquidity", "liquidity_replenished")].step == 2
    late = LiquidityReserve(initial_share=0.01, floor_amount=20.0,
                            replenish_after=LiquidityReplenishment.PRINCIPAL)
    three = inspect_waterfall(run(late), _deal_of(late), 3)
    row = _steps(three)[("liquidity", "liquidity_replenished")]
    assert (row.step, row.paid) == (4, pytest.approx(2.0))
    order = list(three.steps["item"])
    assert order.index("notes") < order.index("liquidity_replenished") < order.index("residual")


def test_the_inspector_shows_the_advance_made_and_reimbursed():
    from abs_tool.analysis.inspector import inspect_waterfall
    advance = ServicerAdvance(limit_amount=8.0, rate_annual=0.12)
    result, deal = run(advance=advance), _deal_of(advance=advance)
    one = _steps(inspect_waterfall(result, deal, 1))
    assert one[("advance_made", "servicer")].paid == pytest.approx(5.0)
    assert one[("advance_made", "A")].paid == pytest.approx(3.0)
    assert one[("advance_made", "A")].shortfall == pytest.approx(2.0)
    two = _steps(inspect_waterfall(result, deal, 2))
    assert two[("advance", "advance_reimbursed")].paid == pytest.approx(8.08)
    assert two[("advance", "advance_reimbursed")].step == 0


# --- the term sheet --------------------------------------------------------------------------

def _sample_with_support():
    from dataclasses import replace

    from abs_tool import load_sample_deal
    deal = load_sample_deal("consumer")
    return replace(deal, structure=replace(
        deal.structure,
        liquidity_reserve=LiquidityReserve(0.01, 0.01, 2_000_000.0,
                                           LiquidityReplenishment.PRINCIPAL),
        servicer_advance=ServicerAdvance(limit_share=0.02, rate_annual=0.05)))


def test_the_structure_description_states_the_liquidity_support():
    from abs_tool.report.structure_text import structure_description
    deal = _sample_with_support()
    english = " ".join(structure_description(deal, "en"))
    assert ("A liquidity reserve, funded at closing with 1.00% of the senior classes, pays "
            "only what the available funds leave unpaid") in english
    assert "replenished after principal, before the residual" in english
    assert "up to 2.00% of the pool outstanding" in english
    assert "lost to the servicer" in english
    chinese = " ".join(structure_description(deal, "zh"))
    assert "设立流动性储备账户" in chinese
    assert "200.00 万元" in chinese
    assert "资产服务机构对仍未足额支付的优先费用" in chinese
    from abs_tool import load_sample_deal
    plain = " ".join(structure_description(load_sample_deal("consumer"), "en"))
    assert "liquidity" not in plain
    assert "advances" not in plain


def test_page_one_states_the_liquidity_support_beside_the_reserve():
    from abs_tool.report.excel.writer import _structure_rows
    rows = dict(_structure_rows(_sample_with_support(), "en", "wan"))
    assert rows["st.liquidity"].startswith("1.00% of the senior notes funded at closing")
    assert "not counted in the credit enhancement" in rows["st.liquidity"]
    assert rows["st.advance"].startswith("up to 2.00% of the pool outstanding, at 5.00%")
    zh = dict(_structure_rows(_sample_with_support(), "zh", "wan"))
    assert "不计入信用增级" in zh["st.liquidity"]
