"""Static-pool analysis (abs_tool.analysis.static_pool): triangles generated from a known
lifetime default rate and timing curve, truncated as real data are (vintage ``i`` of ``V``
observed for ``min(A, V - i)`` months), extrapolated back to the truth.

Tolerances: noise-free, chain-ladder is exact algebra (1e-9). With binomial noise the
standard error is derived in ``_binomial_se``; ``test_binomial_se_is_calibrated`` checks it
against the spread over many seeds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import ndtr, ndtri

from abs_tool.analysis.static_pool import (
    InsufficientHistoryError,
    analyse_static_pool,
    base_case_assumptions,
    chain_ladder,
    fit_timing_curve,
    implied_correlation,
    pool_base_case,
    seasoned_timing,
)
from abs_tool.credit.vasicek import _bvn_upper
from abs_tool.errors import InputError
from abs_tool.io.static_pool import StaticPoolData, month_label
from abs_tool.io.static_pool_samples import sample_static_pool, static_pool_truth
from abs_tool.model.assumptions import Assumptions, LifetimeDefault

V, A = 36, 24
AGES = np.arange(1, A + 1)
# A stated truth: a Weibull timing (scale 6 months, shape 1.5) made complete at month 24.
_W = -np.expm1(-((AGES / 6.0) ** 1.5))
TRUE_SHARE = _W / _W[-1]
TRUE_TIMING = np.diff(np.concatenate([[0.0], TRUE_SHARE]))
OBSERVED = np.minimum(A, V - np.arange(V))
VINTAGES = tuple(month_label(2012 * 12 + 8 + i) for i in range(V))


def _truncate(grid: np.ndarray) -> np.ndarray:
    out = np.array(grid, dtype=float)
    out[AGES[None, :] > OBSERVED[:, None]] = np.nan
    return out


def _noise_free(lifetime: np.ndarray, balance: np.ndarray,
                share: np.ndarray = TRUE_SHARE) -> StaticPoolData:
    return StaticPoolData(VINTAGES, balance,
                          _truncate(balance[:, None] * lifetime[:, None] * share[None, :]))


@pytest.fixture(scope="module")
def varied() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    return 0.03 * np.exp(rng.normal(0, 0.3, V)), rng.uniform(5e7, 2e8, V)


def test_chain_ladder_recovers_the_truth_noise_free(varied):
    lifetime, balance = varied
    result = analyse_static_pool(_noise_free(lifetime, balance), min_developed_share=0.0)
    assert np.max(np.abs(result.balance.lifetime_rate - lifetime)) < 1e-9
    assert np.max(np.abs(result.timing_curve - TRUE_TIMING)) < 1e-9
    assert math.fsum(result.timing_curve) == pytest.approx(1.0, abs=1e-12)
    # Base case, balance-weighted over every vintage.
    assert result.lifetime_default_rate == pytest.approx(
        np.sum(balance * lifetime) / balance.sum(), abs=1e-9)
    assert result.balance.seasoned.sum() == V - A + 1


@pytest.mark.parametrize("weighting", ["equal", "balance", "recent"])
def test_weightings_are_the_stated_ones(varied, weighting):
    lifetime, balance = varied
    result = analyse_static_pool(_noise_free(lifetime, balance), weighting=weighting,
                                 half_life_months=6.0, min_developed_share=0.0)
    months_before_newest = (V - 1) - np.arange(V)
    weights = {"equal": np.ones(V), "balance": balance,
               "recent": balance * 2.0 ** (-months_before_newest / 6.0)}[weighting]
    assert result.lifetime_default_rate == pytest.approx(
        np.sum(weights * lifetime) / weights.sum(), abs=1e-9)
    assert np.allclose(result.weights, weights / weights.sum(), atol=1e-15)


def test_young_vintages_stay_out_of_the_base_case(varied):
    lifetime, balance = varied
    result = analyse_static_pool(_noise_free(lifetime, balance), min_developed_share=0.25)
    included = TRUE_SHARE[OBSERVED - 1] >= 0.25
    assert not included.all()
    assert np.array_equal(result.included, included)
    assert result.lifetime_default_rate == pytest.approx(
        np.sum((balance * lifetime)[included]) / balance[included].sum(), abs=1e-9)
    assert any("stay out of the base case" in note for note in result.notes)


def test_dispersion_is_the_weighted_spread(varied):
    lifetime, balance = varied
    result = analyse_static_pool(_noise_free(lifetime, balance), weighting="equal",
                                 min_developed_share=0.0)
    assert result.dispersion.std == pytest.approx(np.std(lifetime), rel=1e-9)
    assert (result.dispersion.minimum, result.dispersion.maximum) == pytest.approx(
        (lifetime.min(), lifetime.max()), rel=1e-9)


def test_weibull_fit_recovers_a_weibull_truth(varied):
    lifetime, balance = varied
    rates = _truncate(lifetime[:, None] * _W[None, :])  # no normalisation: a tail after 24
    fit = fit_timing_curve(rates, balance)
    assert (fit.scale_months, fit.shape) == pytest.approx((6.0, 1.5), rel=1e-7)
    assert np.allclose(fit.lifetime_rate_unbounded, lifetime, rtol=1e-7)
    assert fit.tail_share == pytest.approx(1 - _W[-1], abs=1e-9)
    assert fit.rmse < 1e-9
    # Chain-ladder, complete at 24 by assumption, gets lifetime * W(24) exactly: the tail it
    # cannot see is the fit's tail share.
    cl = chain_ladder(rates, balance)
    assert np.allclose(cl.lifetime_rate, lifetime * _W[-1], rtol=1e-9)
    assert np.allclose(fit.lifetime_rate, cl.lifetime_rate, rtol=1e-7)


def _binomial_triangle(seed: int, loans: int = 20_000, p: float = 0.03,
                       loan_balance: float = 1_000.0) -> StaticPoolData:
    rng = np.random.default_rng(seed)
    drawn = np.array([rng.multinomial(loans, [*(p * TRUE_TIMING), 1 - p])[:-1]
                      for _ in range(V)])
    counts = _truncate(np.cumsum(drawn, axis=1))
    return StaticPoolData(VINTAGES, np.full(V, loans * loan_balance), counts * loan_balance,
                          np.full(V, float(loans)), counts)


def _binomial_se(weights: np.ndarray, loans: int, p: float) -> float:
    """Standard error of the base case under binomial noise, taking the development factors
    as known: vintage v, observed to month a_v with developed share F = F(a_v), projects to
    c / F with c ~ Binomial(n, p F) / n, so Var = p (1 - p F) / (n F), and the base case
    sum_v w_v c_v / F_v has variance sum_v w_v^2 Var_v. The factors pool all vintages, so
    their own error is second order (test_binomial_se_is_calibrated measures the whole)."""
    developed = TRUE_SHARE[OBSERVED - 1]
    return float(np.sqrt(np.sum(weights**2 * p * (1 - p * developed) / (loans * developed))))


def test_binomial_noise_is_within_three_standard_errors():
    p, loans = 0.03, 20_000
    result = analyse_static_pool(_binomial_triangle(2024, loans, p))
    se = _binomial_se(result.weights, loans, p)
    assert abs(result.lifetime_default_rate - p) < 3 * se, (result.lifetime_default_rate, se)
    # Each seasoned vintage's observed rate is its own binomial estimate.
    seasoned = result.balance.seasoned
    vintage_se = math.sqrt(p * (1 - p) / loans)
    assert np.all(np.abs(result.balance.lifetime_rate[seasoned] - p) < 4 * vintage_se)
    assert np.max(np.abs(result.timing_curve - TRUE_TIMING)) < 0.01


@pytest.mark.slow
def test_binomial_se_is_calibrated():
    p, loans = 0.03, 20_000
    runs = [analyse_static_pool(_binomial_triangle(seed, loans, p)) for seed in range(200)]
    estimates = np.array([r.lifetime_default_rate for r in runs])
    se = _binomial_se(runs[0].weights, loans, p)
    # Unbiased within the Monte Carlo error of 200 runs, and the derived s.e. is the spread
    # to within 25% (measured 0.96 of it over 300 seeds).
    assert abs(estimates.mean() - p) < 4 * estimates.std() / math.sqrt(len(runs))
    assert 0.75 < estimates.std() / se < 1.25


def test_count_and_balance_agree_on_equal_balance_data():
    data = _binomial_triangle(11)
    result = analyse_static_pool(data)
    assert result.count is not None
    assert np.allclose(result.count.lifetime_rate, result.balance.lifetime_rate, rtol=1e-12,
                       equal_nan=True)
    assert np.allclose(result.count.timing, result.balance.timing, atol=1e-15)
    assert result.lifetime_default_rate_by_count == pytest.approx(
        result.lifetime_default_rate, rel=1e-12)


def test_too_few_seasoned_vintages_says_how_many_are_needed():
    lifetime, balance = np.full(4, 0.02), np.full(4, 1e6)
    grid = balance[:, None] * lifetime[:, None] * TRUE_SHARE[None, :6]
    grid[1:, 5] = np.nan
    grid[3, 3:] = np.nan
    data = StaticPoolData(VINTAGES[:4], balance, grid)
    with pytest.raises(InsufficientHistoryError,
                       match=r"needs at least 3 seasoned vintages, observed to month on book "
                             r"6 .* have 1 \(2012-09\).*cut the triangle at month on book 5"):
        analyse_static_pool(data)
    # ... and the cut it suggests works.
    assert analyse_static_pool(data, max_months_on_book=5).months == 5
    assert analyse_static_pool(data, min_seasoned=1).months == 6


def test_no_defaults_is_a_named_error():
    data = StaticPoolData(VINTAGES[:3], np.full(3, 1e6), np.zeros((3, 4)))
    with pytest.raises(InsufficientHistoryError, match="no defaults in the 3 seasoned"):
        analyse_static_pool(data)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"weighting": "volume"}, "`weighting` must be one of"),
    ({"half_life_months": 0}, "`half_life_months` must be > 0"),
    ({"min_seasoned": 0}, "`min_seasoned` must be an integer >= 1"),
    ({"min_developed_share": 1.5}, r"`min_developed_share` must be in \[0, 1\]"),
    ({"max_months_on_book": 0}, "`max_months_on_book` must be an integer >= 1"),
])
def test_bad_parameters(varied, kwargs, match):
    with pytest.raises(InputError, match=match):
        analyse_static_pool(_noise_free(*varied), **kwargs)


def _vasicek_variance(p: float, rho: float) -> float:
    k = ndtri(p)
    return float(_bvn_upper(np.array([-k]), np.array([-k]), np.array([rho]))[0]) - p * p


@pytest.mark.parametrize("counts", [None, 5_000.0])
def test_implied_correlation_inverts_the_vasicek_variance(counts):
    # Rates whose sample variance is exactly the Vasicek variance at rho = 0.12 (plus the
    # binomial variance (p - Phi2) / n where counts are given): the solver returns 0.12.
    p, rho, n = 0.03, 0.12, 40
    systematic = _vasicek_variance(p, rho)
    noise = 0.0 if counts is None else (p - (systematic + p * p)) / counts
    z = np.random.default_rng(3).standard_normal(n)
    z = (z - z.mean()) / z.std(ddof=1)
    rates = p + math.sqrt(systematic + noise) * z
    result = implied_correlation(rates, None if counts is None else np.full(n, counts))
    assert result.rho == pytest.approx(rho, abs=1e-8)
    assert result.interval[0] < rho < result.interval[1]
    assert result.granularity_variance == pytest.approx(noise, rel=1e-6)


def test_implied_correlation_of_vasicek_draws():
    # 4,000 vintage rates at the quantiles of the Vasicek distribution (p 2%, rho 0.15,
    # Vasicek 2002): the sample variance is the distribution's to quadrature error.
    p, rho, n = 0.02, 0.15, 4_000
    z = ndtri((np.arange(n) + 0.5) / n)
    rates = ndtr((ndtri(p) - math.sqrt(rho) * z) / math.sqrt(1 - rho))
    result = implied_correlation(rates)
    assert result.rho == pytest.approx(rho, abs=0.005)
    assert result.interval[1] - result.interval[0] < 0.02


def test_implied_correlation_needs_three_rates():
    with pytest.raises(InputError, match="at least 3 vintage rates"):
        implied_correlation(np.array([0.01, 0.02]))


def test_spread_below_binomial_noise_implies_zero():
    assert implied_correlation(np.array([0.03, 0.0301, 0.0299]),
                               np.full(3, 1000.0)).rho == 0.0


def test_seasoned_timing_is_the_renormalised_remainder():
    remaining, shares = seasoned_timing(TRUE_TIMING, 5)
    assert remaining == pytest.approx(1 - TRUE_SHARE[4], abs=1e-12)
    assert np.allclose(shares, TRUE_TIMING[5:] / (1 - TRUE_SHARE[4]), atol=1e-15)
    assert math.fsum(shares) == pytest.approx(1.0, abs=1e-12)
    assert seasoned_timing(TRUE_TIMING, A)[1].size == 0
    with pytest.raises(InputError, match="`seasoning_months` must be an integer >= 0"):
        seasoned_timing(TRUE_TIMING, -1)


def test_pool_base_case(varied):
    lifetime, balance = varied
    result = analyse_static_pool(_noise_free(np.full(V, 0.03), balance),
                                 min_developed_share=0.0)
    # A new pool: the vintage curve as it is.
    new = pool_base_case(result, np.zeros(3), np.full(3, 100.0), np.full(3, 100.0))
    assert new.cumulative_rate == pytest.approx(0.03, abs=1e-12)
    assert np.allclose(new.timing, TRUE_TIMING, atol=1e-15)
    # Loans 6 months on book with 60% of their balance left: the vintage's remaining defaults
    # 0.03 (1 - F(6)) of the original balance, over its surviving share 1 - 0.03 F(6), per
    # unit of current balance; the timing is the remainder renormalised.
    seasoned = pool_base_case(result, np.full(2, 6), np.full(2, 100.0), np.full(2, 60.0))
    f6 = TRUE_SHARE[5]
    expected = 0.03 * (1 - f6) / (1 - 0.03 * f6) / 0.6
    assert seasoned.cumulative_rate == pytest.approx(expected, rel=1e-12)
    assert np.allclose(seasoned.timing[:A - 6], seasoned_timing(TRUE_TIMING, 6)[1], atol=1e-15)
    assert np.all(seasoned.timing[A - 6:] == 0)


def _with_prepayment(outstanding: bool) -> StaticPoolData:
    # One amortising vintage, 12 months: scheduled principal 1/24 of the original balance a
    # month, SMM 1% of what is left after it and the month's defaults (DOMAIN.md).
    n, smm, mdr = 12, 0.01, 0.002
    out = np.empty(n)
    prepaid = np.empty(n)
    defaults = np.empty(n)
    balance = 1e6
    for a in range(n):
        d = mdr * balance
        after = balance - d - 1e6 / 24
        prepaid[a], defaults[a] = smm * after, d
        balance = after * (1 - smm)
        out[a] = balance
    grid = np.tile(np.cumsum(defaults), (3, 1))
    return StaticPoolData(VINTAGES[:3], np.full(3, 1e6), grid,
                          cumulative_prepaid_balance=np.tile(np.cumsum(prepaid), (3, 1)),
                          outstanding_balance=np.tile(out, (3, 1)) if outstanding else None)


def test_cpr_from_prepayments_and_outstanding_balance():
    result = analyse_static_pool(_with_prepayment(outstanding=True))
    assert result.smm is not None
    assert np.allclose(result.smm, 0.01, atol=1e-12)
    assert np.allclose(result.cpr_annual, 1 - 0.99**12, atol=1e-12)


def test_cpr_without_outstanding_balance_is_a_stated_lower_bound():
    result = analyse_static_pool(_with_prepayment(outstanding=False))
    assert result.cpr_annual is not None
    assert np.all(result.cpr_annual[1:] < 1 - 0.99**12)
    assert any("CPR a lower bound" in note for note in result.notes)


@pytest.fixture(scope="module")
def consumer_sample():
    return sample_static_pool("consumer"), static_pool_truth("consumer")


def test_recovery_rate_and_lag_of_the_sample(consumer_sample):
    data, truth = consumer_sample
    result = analyse_static_pool(data)
    assert result.recovery is not None
    # Recoveries are the defaults `lag` months earlier times the rate (rounded to cents).
    assert result.recovery.lag_months == truth.recovery_lag_months == 6
    assert result.recovery.rate == pytest.approx(truth.recovery_rate, abs=1e-6)


def test_sample_base_case_is_near_its_true_curve(consumer_sample):
    data, truth = consumer_sample
    result = analyse_static_pool(data)
    # The vintages draw their own conditions (Vasicek, rho 0.1): the base case is a mean of
    # n of them, so its error is about their spread over sqrt(n).
    se = result.dispersion.std / math.sqrt(result.dispersion.n_vintages)
    assert abs(result.lifetime_default_rate - truth.lifetime_default_rate) < 3 * se
    assert np.max(np.abs(result.timing_curve - truth.timing)) < 0.01
    assert result.cpr_annual is not None
    assert np.allclose(result.cpr_annual[:12], truth.cpr_annual, atol=0.002)
    assert result.correlation is not None
    assert result.correlation.interval[0] < truth.correlation < 0.2


def test_base_case_assumptions_replace_default_prepayment_recovery(consumer_sample):
    data, _ = consumer_sample
    result = analyse_static_pool(data)
    given = Assumptions(correlation=0.2)
    replaced, notes = base_case_assumptions(result, given)
    assert isinstance(replaced.default, LifetimeDefault)
    assert replaced.default.cumulative_rate == pytest.approx(result.lifetime_default_rate)
    assert replaced.default.timing == pytest.approx(tuple(result.timing_curve))
    assert replaced.recovery.from_tape is False
    assert replaced.recovery.lag_months == 6
    assert replaced.correlation == 0.2
    assert len(notes) == 3
