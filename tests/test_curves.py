"""Default curves (abs_tool.credit.curves) against closed forms, and the two engines against
each other on the one curve.

Engine comparison: a pool of bullet loans that mature after the legal final date (nothing
amortises within the horizon), no prepayment, multiplier 1. There the deterministic
engine's cumulative pool default rate is the balance-weighted F_g(t) of the curves, and
the Monte Carlo's mean over paths estimates the same thing (a Gaussian copula preserves
each loan's unconditional F), within K_SE standard errors. The standard error of month
t is the sample standard deviation over paths of the path's cumulative default rate by
month t, divided by sqrt(paths): the formula behind every MC standard error the tool reports.
"""

from dataclasses import replace

import numpy as np
import pytest
from builders import make_pool, tranched_deal

from abs_tool import (
    AnnualPd,
    CdrVector,
    LifetimeDefault,
    prepare_deal,
    run_monte_carlo,
    run_scenario,
)
from abs_tool.credit.curves import default_curves
from abs_tool.engine.deterministic import run_paths
from abs_tool.engine.montecarlo import simulate_assets
from abs_tool.engine.projection import AmountDefaults, HazardDefaults, deterministic_defaults
from abs_tool.model.pool_model import PD_CAP, build_pool_model

K_SE = 4.0  # tolerance: this many standard errors
HORIZON = 24  # months to the legal final date
PDS = (0.03, 0.15)  # two PD groups of equal balance
TIMING = (0.02, 0.04, 0.06, 0.08, 0.1, 0.1, 0.1, 0.1, 0.1, 0.08, 0.06, 0.05, 0.04, 0.03, 0.02,
          0.01, 0.01, 0.0)  # 18 months, sums to 1, ends before the legal final date
VARIANTS = {
    "annual_pd": AnnualPd(),
    "cdr_vector": CdrVector((0.02, 0.05, 0.10)),
    "lifetime": LifetimeDefault(0.12, TIMING),
}


def months(n=HORIZON):
    return np.arange(1, n + 1)


def closed_form(default):
    """The pool's cumulative default rate by month under ``default`` (no multiplier), from
    DOMAIN.md: constant hazard 1 - (1 - p)^(t/12) per group (equal balances); a CDR c_m
    applies 1 - (1 - c_m)^(1/12) to the survivors of month m; a lifetime rate accumulates
    its timing shares."""
    t = months()
    if isinstance(default, AnnualPd):
        return np.mean([1 - (1 - p) ** (t / 12) for p in PDS], axis=0)
    if isinstance(default, CdrVector):
        cdr = np.array([*default.annual, *[default.annual[-1]] * (HORIZON - 3)])
        return 1 - np.cumprod((1 - cdr) ** (1 / 12))
    timing = np.array([*default.timing, *[0.0] * (HORIZON - len(default.timing))])
    return default.cumulative_rate * np.cumsum(timing)


def bullet_deal(default, amortization="bullet", paths=10_000, seed=11, rho=0.2):
    """200 loans of balance 1, half at each PD of PDS, zero coupon, term 36 months (past
    the 24-month legal final date unless ``amortization`` repays earlier)."""
    deal = tranched_deal((0.0, 0.05, 1.0), rho, 1.0, paths=paths, seed=seed, months=HORIZON)
    deal = replace(deal, assumptions=replace(deal.assumptions, default=default))
    pool = make_pool([1.0] * 200, rate=0.0, term=36, amortization=amortization,
                     pd_annual=[PDS[0]] * 100 + [PDS[1]] * 100)
    return prepare_deal(deal, pool)


def monte_carlo_curve(prepared):
    """Mean and standard error by month of the Monte Carlo's cumulative pool default rate,
    (periods,) each, and the MC result on the same paths."""
    assets = simulate_assets(prepared, workers=1)
    fractions = np.concatenate([b.fractions for b in assets.blocks])
    rate = run_paths(prepared, HazardDefaults(fractions), assets.paths).pool.cumulative_default_rate
    se = rate.std(axis=0, ddof=1) / np.sqrt(assets.paths)
    return rate.mean(axis=0), se, run_monte_carlo(prepared, assets=assets, workers=1)


@pytest.mark.parametrize("name", VARIANTS)
def test_deterministic_curve_is_the_closed_form_and_the_monte_carlo_mean(name):
    default = VARIANTS[name]
    prepared = bullet_deal(default)
    deterministic = run_scenario(prepared).result.pool.cumulative_default_rate[0]
    expected = closed_form(default)
    np.testing.assert_allclose(deterministic, expected, rtol=1e-12, atol=1e-15)
    weights = prepared.model.initial.balance / prepared.model.balance
    curves = default_curves(prepared.model, default)
    np.testing.assert_allclose(weights @ curves.cumulative[0], expected, rtol=1e-12)

    mean, se, result = monte_carlo_curve(prepared)
    assert np.all(se > 0)  # the comparison below has teeth
    gap = np.abs(mean - deterministic)
    assert np.all(gap <= K_SE * se + 1e-12), (name, gap / np.maximum(se, 1e-300))
    # The curve is the Monte Carlo's own: its last month is the reported lifetime mean.
    assert result.pool_default_rate.mean.value == pytest.approx(mean[-1], rel=1e-12)


def test_a_lifetime_rate_is_a_share_of_the_initial_pool_only_deterministically():
    """The decision documented in abs_tool.credit.curves: on a pool that amortises, the
    deterministic engine still defaults the lifetime rate of the initial balance, while
    the Monte Carlo's loans that repaid first never default, so its mean falls short."""
    default = LifetimeDefault(0.12, TIMING)
    prepared = bullet_deal(default, amortization="equal_principal")
    deterministic = run_scenario(prepared).result.pool.cumulative_default_rate[0]
    np.testing.assert_allclose(deterministic, closed_form(default), rtol=1e-12)
    mean, se, _ = monte_carlo_curve(prepared)
    assert mean[-1] < deterministic[-1] - K_SE * se[-1]


def small_model(default, horizon=HORIZON):
    return build_pool_model(make_pool([1.0, 1.0], term=36, amortization="bullet",
                                      pd_annual=list(PDS)), default, horizon)


@pytest.mark.parametrize("name", VARIANTS)
def test_the_hazard_compounds_to_the_cumulative_curve(name):
    """1 - F(t) = prod_{s <= t} (1 - h(s)) (definition of a hazard on survivors), for each
    scenario of a stress grid, including ones that reach the caps."""
    model = small_model(VARIANTS[name])
    curves = default_curves(model, VARIANTS[name], [0.0, 0.5, 1.0, 3.0, 40.0])
    np.testing.assert_allclose(1 - curves.cumulative, np.cumprod(1 - curves.hazard, axis=-1),
                               rtol=1e-12, atol=1e-15)


def test_annual_pd_curve_is_the_constant_hazard_closed_form_and_caps_the_stressed_pd():
    model = small_model(AnnualPd(multiplier=2.0))
    multipliers = np.array([0.0, 1.0, 3.0, 1e4])
    curves = default_curves(model, AnnualPd(multiplier=2.0), multipliers)
    assert curves.cumulative.shape == curves.hazard.shape == (4, 2, HORIZON)
    assert curves.share_of_base is None
    # F(t) = 1 - (1 - p)^(t/12) (DOMAIN.md) with p = PD x 2 x multiplier, capped at PD_CAP.
    p = np.minimum(np.outer(multipliers * 2.0, PDS), PD_CAP)[:, :, None]
    np.testing.assert_allclose(curves.cumulative, 1 - (1 - p) ** (months() / 12), rtol=1e-12)
    np.testing.assert_allclose(curves.hazard, np.broadcast_to(1 - (1 - p) ** (1 / 12),
                                                              curves.hazard.shape), rtol=1e-12)
    assert np.all(curves.cumulative[0] == 0.0)
    assert curves.cumulative[3, :, 11] == pytest.approx(PD_CAP, rel=1e-12)  # F(12) = p


def test_cdr_curve_compounds_its_monthly_rates_and_caps_the_stressed_cdr():
    default = CdrVector((0.1, 0.4))
    model = small_model(default, horizon=3)
    curves = default_curves(model, default, [1.0, 2.0, 10.0])
    # Month 1 at 10%, then 40% (the last value repeats), times the multiplier, capped.
    cdr = np.minimum(np.array([0.1, 0.4, 0.4]) * np.array([[1.0], [2.0], [10.0]]), PD_CAP)
    monthly = 1 - (1 - cdr) ** (1 / 12)  # DOMAIN.md: CDR -> monthly rate like CPR -> SMM
    np.testing.assert_allclose(curves.hazard[:, 0], monthly, rtol=1e-12)
    np.testing.assert_allclose(curves.cumulative[:, 0], 1 - np.cumprod(1 - monthly, axis=-1),
                               rtol=1e-12)


def test_lifetime_curve_scales_the_amounts_and_caps_the_cumulative_curve_at_one():
    default = LifetimeDefault(0.5, (0.25, 0.25, 0.5))
    model = small_model(default, horizon=4)
    curves = default_curves(model, default, [1.0, 3.0])
    # share_of_base = multiplier x rate x timing (LifetimeDefault's docstring).
    np.testing.assert_allclose(curves.share_of_base,
                               [[0.125, 0.125, 0.25, 0.0], [0.375, 0.375, 0.75, 0.0]])
    np.testing.assert_allclose(curves.cumulative[:, 0],
                               [[0.125, 0.25, 0.5, 0.5], [0.375, 0.75, 1.0, 1.0]])
    # Hand-computed (F(t) - F(t-1)) / (1 - F(t-1)); 0 once nothing survives.
    np.testing.assert_allclose(curves.hazard[:, 0],
                               [[0.125, 0.125 / 0.875, 0.25 / 0.75, 0.0], [0.375, 0.6, 1.0, 0.0]])


@pytest.mark.parametrize("name", VARIANTS)
def test_deterministic_engine_reads_the_curves(name):
    default = VARIANTS[name]
    model = small_model(default)
    curves = default_curves(model, default, [0.5, 2.0])
    driver = deterministic_defaults(model, default, [0.5, 2.0])
    if isinstance(default, LifetimeDefault):
        assert isinstance(driver, AmountDefaults)
        np.testing.assert_array_equal(driver.share_of_base, curves.share_of_base)
    else:
        assert isinstance(driver, HazardDefaults)
        np.testing.assert_array_equal(driver.monthly, curves.hazard)
