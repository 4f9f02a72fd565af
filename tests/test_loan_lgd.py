"""Loan-level recovery rates from the tape's ``lgd`` (issue 15, item 3): hand-computed
deterministic cases, the grouped and exact Monte Carlo, the stochastic-recovery rule, and
``recovery.from_tape = false`` or a tape without ``lgd`` giving the numbers of the deal's
rate alone."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from abs_tool import (
    AnnualPd,
    Assumptions,
    NoteClass,
    Pool,
    Recovery,
    Structure,
    Tier,
    prepare_deal,
    run_monte_carlo,
    run_scenario,
)
from abs_tool.engine.deterministic import Scenario, run_paths
from abs_tool.engine.montecarlo import simulate_assets
from abs_tool.engine.projection import HazardDefaults, deterministic_defaults
from abs_tool.errors import FieldError
from tests.builders import make_deal

MONTHS = 6


def bullet_pool(balance, lgd, pd_annual, term, obligor=None) -> Pool:
    """Zero-coupon bullet loans, one per row of the arguments."""
    n = len(balance)
    ids = [f"L{i}" for i in range(n)]
    return Pool(pd.DataFrame({
        "loan_id": ids, "balance": np.asarray(balance, dtype=float), "rate": 0.0,
        "remaining_term": np.asarray(term), "amortization": "bullet",
        "original_balance": np.asarray(balance, dtype=float), "original_term": np.asarray(term),
        "seasoning": 0, "annual_pd": np.asarray(pd_annual, dtype=float),
        "lgd": np.asarray(lgd, dtype=float), "grade": "A",
        "obligor_id": ids if obligor is None else obligor, "region": "R", "industry": "I",
        "score": np.nan,
    }), "loan lgd")


def deal_on(pool, recovery, months=MONTHS, **assumptions):
    structure = Structure(classes=(NoteClass("A", Tier.SENIOR, 0.8),
                                   NoteClass("Sub", Tier.SUBORDINATED, 0.2)))
    deal = make_deal(structure, Assumptions(default=AnnualPd(), recovery=recovery,
                                            **assumptions), months)
    return prepare_deal(deal, pool)


# Loans A and B share a PD (group 0), C has its own (group 1). A matures in month 2.
HAND = {"balance": [100_000.0, 300_000.0, 200_000.0], "lgd": [0.2, 0.6, np.nan],
        "pd_annual": [0.05, 0.05, 0.10], "term": [2, MONTHS, MONTHS]}


def hand_hazard():
    """10% of group 0 defaults in months 1 and 3, 50% of group 1 in month 1."""
    hazard = np.zeros((1, 2, MONTHS))
    hazard[0, 0, [0, 2]] = 0.10
    hazard[0, 1, 0] = 0.50
    return HazardDefaults(hazard)


def test_field_is_validated_and_defaults_to_the_tape():
    assert Recovery().from_tape is True
    with pytest.raises(FieldError, match=r"from_tape: must be true or false \(got 1\)"):
        Recovery(0.4, 0, from_tape=1)  # type: ignore[arg-type]


def test_hand_case_recovers_each_groups_balance_weighted_rate_to_the_cent():
    prepared = deal_on(bullet_pool(**HAND), Recovery(0.3, 2))
    assert prepared.model.lgd_share == pytest.approx(4 / 6)
    pool = run_paths(prepared, hand_hazard(), 1).pool
    # Month 1: group 0 (A 100,000 at 80%, B 300,000 at 40%) recovers
    # (80,000 + 120,000) / 400,000 = 50% of its 40,000 defaulted = 20,000; group 1 (C, no
    # LGD on the tape: the deal's 30%) 30% of 100,000 = 30,000. Month 3: A has matured, so
    # group 0's defaults (10% of B's 270,000 still performing = 27,000) recover B's 40%,
    # 10,800. Lag 2: they arrive in months 3 and 5.
    assert np.round(pool.default[0], 2).tolist() == [140_000.0, 0.0, 27_000.0, 0.0, 0.0, 0.0]
    assert np.round(pool.recovery[0], 2).tolist() == [0.0, 0.0, 50_000.0, 0.0, 10_800.0, 0.0]
    assert np.round(pool.loss[0], 2).tolist() == [90_000.0, 0.0, 16_200.0, 0.0, 0.0, 0.0]


def test_without_the_tape_every_default_recovers_the_deals_rate():
    prepared = deal_on(bullet_pool(**HAND), Recovery(0.3, 2, from_tape=False))
    pool = run_paths(prepared, hand_hazard(), 1).pool
    # 30% of 140,000 and of 27,000.
    assert np.round(pool.recovery[0], 2).tolist() == [0.0, 0.0, 42_000.0, 0.0, 8_100.0, 0.0]


def test_scenarios_use_the_loan_rates_unless_they_set_their_own():
    prepared = deal_on(bullet_pool(**HAND), Recovery(0.3, 0))
    base = run_scenario(prepared).result.pool
    same = run_paths(prepared, deterministic_defaults(prepared.model,
                                                      prepared.deal.assumptions.default), 1).pool
    np.testing.assert_array_equal(base.recovery, same.recovery)
    stressed = run_scenario(prepared, Scenario(recovery_rate=0.3)).result.pool
    np.testing.assert_allclose(stressed.recovery, 0.3 * stressed.default, rtol=1e-15)
    assert not np.allclose(base.recovery, 0.3 * base.default)


@pytest.mark.parametrize("how", ["from_tape_false", "no_lgd_on_tape"])
def test_without_loan_rates_numbers_equal_the_deals_rate_alone(how):
    """``from_tape = false`` and a tape without ``lgd`` take the same path through the
    engine as the deal's rate did before loan-level rates existed: every number equal, and
    losses exactly (1 - rate) x defaults."""
    rng = np.random.default_rng(3)
    n = 300
    args = {"balance": rng.lognormal(0, 1, n), "lgd": rng.uniform(0, 1, n),
            "pd_annual": rng.choice([0.02, 0.05, 0.1], n), "term": rng.integers(1, 7, n)}
    recovery = Recovery(0.35, 1)
    if how == "from_tape_false":
        prepared = deal_on(bullet_pool(**args), replace(recovery, from_tape=False))
    else:
        prepared = deal_on(bullet_pool(**{**args, "lgd": np.full(n, np.nan)}), recovery)
    reference = deal_on(bullet_pool(**{**args, "lgd": np.full(n, np.nan)}),
                        replace(recovery, from_tape=False))
    pool = run_scenario(prepared).result.pool
    np.testing.assert_array_equal(pool.loss, (1 - 0.35) * pool.default)
    for method in ("grouped", "exact"):
        mine = run_monte_carlo(prepared, paths=2_000, seed=5, default_method=method)
        theirs = run_monte_carlo(reference, paths=2_000, seed=5, default_method=method)
        for a, b in zip(mine.classes, theirs.classes, strict=True):
            assert (a.expected_loss, a.pd) == (b.expected_loss, b.pd)
        assert mine.pool_loss_rate.mean == theirs.pool_loss_rate.mean


def test_grouped_monte_carlo_recovers_the_groups_balance_weighted_rate():
    # One group of bullets maturing at the legal final: every path loses its defaults
    # times 1 - (1 x 0.9 + 3 x 0.5) / 4 = 0.4, whichever loans default.
    pool = bullet_pool([1.0, 3.0] * 100, [0.1, 0.5] * 100, [0.05] * 200, [12] * 200)
    prepared = deal_on(pool, Recovery(0.3, 0), months=12)
    result = run_monte_carlo(prepared, paths=4_000, seed=1, default_method="grouped")
    assert result.pool_loss_rate.mean.value == pytest.approx(
        0.4 * result.pool_default_rate.mean.value, rel=1e-12)


def test_exact_mode_recovers_the_rate_of_the_obligor_that_defaults():
    """One obligor of half the pool with LGD 1, fifty small ones with LGD 0: in exact mode a
    path loses the large obligor's whole balance when it defaults and nothing otherwise (the
    group's average rate, 50%, would lose half of every default). Independent check: the
    share of paths with that loss is the obligor's PD, 5% over the year (F(12) of a constant
    hazard), within 4 standard errors."""
    n_small = 50
    balance = [50.0] + [1.0] * n_small
    pool = bullet_pool(balance, [1.0] + [0.0] * n_small, [0.05] * (n_small + 1),
                       [12] * (n_small + 1))
    prepared = deal_on(pool, Recovery(0.3, 0), months=12, correlation=0.2)
    assets = simulate_assets(prepared, paths=20_000, seed=11, default_method="exact")
    rates = np.concatenate([b.recovery for b in assets.blocks])
    assert np.all(rates == 0.3)  # no volatility: each path's draw is the mean
    fractions = np.concatenate([b.fractions for b in assets.blocks])
    loan_rates = np.concatenate([b.loan_recovery for b in assets.blocks])
    flows = run_paths(prepared, HazardDefaults(fractions), assets.paths,
                      recovery_rate=np.ones(assets.paths), loan_rates=loan_rates).pool
    loss, default = flows.loss.sum(axis=1), flows.default.sum(axis=1)
    large = default >= 50.0 - 1e-9
    np.testing.assert_allclose(loss[large], 50.0, rtol=1e-12)
    np.testing.assert_allclose(loss[~large], 0.0, atol=1e-12)
    share = large.mean()
    assert abs(share - 0.05) < 4 * np.sqrt(0.05 * 0.95 / assets.paths)


@pytest.mark.parametrize(("scale", "expected"), [
    (0.5, [0.25, 0.15]),  # (50%, 30%) halved
    (2.5, [1.0, 0.75]),  # 125% capped at 100%; 75%
])
def test_a_paths_recovery_draw_scales_the_loan_rates_capped_at_one(scale, expected):
    prepared = deal_on(bullet_pool(**HAND), Recovery(0.3, 0))
    hazard = np.zeros((1, 2, MONTHS))
    hazard[0, :, 0] = 0.5
    loan_rates = np.broadcast_to(np.array([0.5, 0.3])[None, :, None], (1, 2, MONTHS))
    pool = run_paths(prepared, HazardDefaults(hazard), 1, recovery_rate=scale,
                     loan_rates=loan_rates).pool
    # Month 1 defaults: 200,000 of group 0, 100,000 of group 1.
    assert pool.recovery[0, 0] == pytest.approx(200_000 * expected[0] + 100_000 * expected[1])


def test_stochastic_recovery_keeps_the_mean_loss_of_the_loan_rates():
    """R / m has mean 1 and, without recovery correlation, is independent of defaults:
    the mean pool loss is that of the fixed loan rates (no cap binds: rates <= 0.45 and
    R / m stays below 2.2), within 4 standard errors of the difference."""
    rng = np.random.default_rng(2)
    n = 400
    pool = bullet_pool(rng.lognormal(0, 0.5, n), rng.uniform(0.55, 1.0, n), [0.05] * n,
                       [12] * n)
    fixed = deal_on(pool, Recovery(0.3, 0), months=12)
    random = deal_on(pool, Recovery(0.3, 0), months=12, recovery_volatility=0.05)
    a = run_monte_carlo(fixed, paths=20_000, seed=4, default_method="grouped")
    b = run_monte_carlo(random, paths=20_000, seed=4, default_method="grouped")
    gap = abs(a.pool_loss_rate.mean.value - b.pool_loss_rate.mean.value)
    assert gap > 0  # the draw moved the losses
    assert gap < 4 * np.hypot(a.pool_loss_rate.mean.se, b.pool_loss_rate.mean.se)
