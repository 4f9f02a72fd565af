"""The Monte Carlo against closed forms (finite-pool and large-pool Vasicek, binomial), with
tolerances from the reported standard errors at fixed seeds; importance sampling; and
reproducibility whatever the grouping of blocks.

The reference deal is the one where the waterfall is a tranche of the pool loss: n equal
bullet loans with zero coupon maturing at the 12-month legal final date (so F(T) = annual
PD), zero-coupon notes, no fees, immediate recoveries, sequential pay. A class [a, d] then
loses min((L - a)^+, d - a) / (d - a) of its balance, L = K * LGD / n.
"""

import numpy as np
import pytest
from builders import homogeneous_pool, tranched_deal
from scipy.stats import binom

from abs_tool import prepare_deal, run_monte_carlo
from abs_tool.credit.vasicek import (
    finite_pool_pmf,
    finite_pool_tranche_el,
    lhp_cdf,
    lhp_tranche_el,
)
from abs_tool.report.tables import monte_carlo_dict

K_SE = 4.0  # tolerance: this many standard errors
CUTS = (0.0, 0.03, 0.10, 1.0)  # sub [0, 3%), mezz [3%, 10%), senior [10%, 100%]


def homogeneous(n_loans, pd_annual, rho, lgd, cuts=CUTS, paths=20_000, seed=7):
    return prepare_deal(tranched_deal(cuts, rho, lgd, paths=paths, seed=seed),
                        homogeneous_pool(n_loans, pd_annual, lgd))


def tranche(cuts, j_senior_first):
    """(attach, detach) of class j (senior first)."""
    k = len(cuts) - 2 - j_senior_first
    return cuts[k], cuts[k + 1]


def histogram_cdf(dist, x):
    return float(dist.density[dist.edges[1:] <= x + 1e-12].sum())


GRID = [  # (pd, rho, lgd): PD 0.5%..20%, correlation 0..0.5, LGD 0.4 and 1
    (0.005, 0.10, 1.0),
    (0.02, 0.0, 0.6),
    (0.02, 0.30, 0.6),
    (0.05, 0.15, 0.4),
    (0.10, 0.50, 1.0),
    (0.20, 0.05, 0.6),
]


@pytest.mark.parametrize(("pd_annual", "rho", "lgd"), GRID)
def test_loss_distribution_and_tranche_el_match_finite_pool_vasicek(pd_annual, rho, lgd):
    n = 100
    prepared = homogeneous(n, pd_annual, rho, lgd)
    result = run_monte_carlo(prepared)
    pmf = finite_pool_pmf(n, pd_annual, rho)
    cdf = np.cumsum(pmf)
    paths = result.paths
    for k in (0, 1, 2, 5, 10, 20, 40):  # between atoms: loss after k defaults
        x = (k + 0.5) * lgd / n
        expected = cdf[k]
        se = np.sqrt(expected * (1 - expected) / paths)
        got = histogram_cdf(result.pool_loss_rate, x)
        assert abs(got - expected) <= K_SE * se + 1e-12, (k, got, expected, se)
    compared = 0
    for j, cls in enumerate(result.classes):
        a, d = tranche(CUTS, j)
        expected = float(finite_pool_tranche_el(n, pd_annual, rho, lgd, a, d))
        if expected * paths < 20 * (d - a) and cls.pd.value * paths < 20:
            continue  # too rare for plain sampling: the importance-sampling test covers it
        el = cls.expected_loss
        assert abs(el.value - expected) <= K_SE * el.se + 1e-12, (cls.name, el, expected)
        compared += 1
    assert compared >= 1


def test_zero_correlation_is_the_binomial():
    n, p = 50, 0.04
    result = run_monte_carlo(homogeneous(n, p, 0.0, 1.0, paths=30_000))
    for k in range(6):
        expected = binom.cdf(k, n, p)
        se = np.sqrt(expected * (1 - expected) / result.paths)
        got = histogram_cdf(result.pool_default_rate, (k + 0.5) / n)
        assert abs(got - expected) <= K_SE * se + 1e-12


def test_large_pool_matches_the_vasicek_closed_form():
    # The copula draws default counts per group, so a pool of 50,000 loans costs what a
    # pool of 50 does; at this size granularity is far below the Monte Carlo error.
    p, rho, lgd = 0.03, 0.2, 0.6
    result = run_monte_carlo(homogeneous(50_000, p, rho, lgd))
    for x in (0.005, 0.01, 0.02, 0.05, 0.1):
        expected = float(lhp_cdf(x, p, rho, lgd))
        se = np.sqrt(expected * (1 - expected) / result.paths)
        assert abs(histogram_cdf(result.pool_loss_rate, x) - expected) <= K_SE * se + 2e-4
    for j, cls in enumerate(result.classes):
        a, d = tranche(CUTS, j)
        expected = float(lhp_tranche_el(a, d, p, rho, lgd))
        assert abs(cls.expected_loss.value - expected) <= K_SE * cls.expected_loss.se + 1e-5


@pytest.mark.slow
def test_importance_sampling_finds_the_senior_tail_that_plain_sampling_misses():
    p, rho, lgd = 0.01, 0.15, 0.6
    cuts = (0.0, 0.05, 0.20, 1.0)
    prepared = homogeneous(20_000, p, rho, lgd, cuts=cuts, paths=100_000)
    plain = run_monte_carlo(prepared)
    shifted = run_monte_carlo(prepared, importance_sampling=True)
    senior_plain, senior_is = plain.classes[0], shifted.classes[0]
    assert senior_plain.pd.value == 0.0  # not one loss path in 100,000
    expected = float(lhp_tranche_el(0.20, 1.0, p, rho, lgd))
    assert 0 < expected < 1e-6
    assert senior_is.expected_loss.se / senior_is.expected_loss.value < 0.10
    assert senior_is.pd.se / senior_is.pd.value < 0.10
    assert abs(senior_is.expected_loss.value - expected) <= K_SE * senior_is.expected_loss.se
    # Where both are precise (the subordinated class) they agree.
    a, b = plain.classes[2].expected_loss, shifted.classes[2].expected_loss
    assert abs(a.value - b.value) <= K_SE * np.hypot(a.se, b.se)


def test_same_seed_same_numbers_however_the_work_is_split():
    prepared = homogeneous(200, 0.03, 0.2, 0.6, paths=3 * 4096 + 1000)
    def numbers(result):
        out = monte_carlo_dict(result)
        out.pop("runtime_seconds")
        return out

    reference = numbers(run_monte_carlo(prepared, workers=1, blocks_per_unit=1))
    for workers, per_unit in ((1, 2), (2, 1), (2, 7), (2, 3)):
        assert numbers(run_monte_carlo(prepared, workers=workers,
                                       blocks_per_unit=per_unit)) == reference
    assert numbers(run_monte_carlo(prepared, seed=8)) != reference


def test_progress_reports_every_block_and_cancel_stops():
    import threading

    from abs_tool import CancelledError

    prepared = homogeneous(100, 0.03, 0.2, 0.6, paths=5 * 4096)
    seen = []
    run_monte_carlo(prepared, workers=1, blocks_per_unit=1,
                    progress=lambda done, total: seen.append((done, total)))
    assert seen == [(b, 5) for b in range(1, 6)]
    stop = threading.Event()

    def cancel_after_first(done, total):
        stop.set()

    with pytest.raises(CancelledError, match="cancelled after 1 of 5 blocks"):
        run_monte_carlo(prepared, workers=1, blocks_per_unit=1, progress=cancel_after_first,
                        cancel=stop)


def with_assumptions(prepared, **changes):
    """The same homogeneous deal with other credit-model assumptions."""
    from dataclasses import replace

    deal = prepared.deal
    deal = replace(deal, assumptions=replace(deal.assumptions, **changes))
    return prepare_deal(deal, prepared.pool)


def test_student_t_copula_matches_its_large_pool_mixture():
    """Large pool, t copula: P(L <= x) = E_W[P(L <= x | W)], where given W the pool is a
    Gaussian large pool with threshold t_nu^-1(p) sqrt(W / nu) (quadrature over W)."""
    from scipy import integrate, stats
    from scipy.special import ndtr, ndtri

    p, rho, lgd, nu = 0.03, 0.2, 1.0, 4.0
    prepared = with_assumptions(homogeneous(50_000, p, rho, lgd), copula="student_t",
                                t_degrees_of_freedom=nu)
    result = run_monte_carlo(prepared)
    threshold = stats.t.ppf(p, nu)

    def cdf(x):
        def given_w(w):
            a = threshold * np.sqrt(w / nu)
            z = (a - np.sqrt(1 - rho) * ndtri(x / lgd)) / np.sqrt(rho)
            return (1 - ndtr(z)) * stats.chi2.pdf(w, nu)

        return integrate.quad(given_w, 0, np.inf, limit=200)[0]

    for x in (0.01, 0.03, 0.08, 0.2):
        expected = cdf(x)
        se = np.sqrt(expected * (1 - expected) / result.paths)
        assert abs(histogram_cdf(result.pool_default_rate, x) - expected) <= K_SE * se + 2e-4
    gaussian = run_monte_carlo(homogeneous(50_000, p, rho, lgd))
    assert (result.pool_default_rate.quantiles[0.999]
            > gaussian.pool_default_rate.quantiles[0.999])  # fatter tail


def test_one_sector_factor_is_the_one_factor_model():
    """All loans in one sector: sqrt(rho) Z + sqrt(rho_s) Z_s is one factor with
    correlation rho + rho_s."""
    p, lgd = 0.03, 1.0
    prepared = with_assumptions(homogeneous(50_000, p, 0.1, lgd), sector_column="region",
                                sector_correlation=0.15)
    result = run_monte_carlo(prepared)
    for x in (0.01, 0.03, 0.08):
        expected = float(lhp_cdf(x, p, 0.25, lgd))
        se = np.sqrt(expected * (1 - expected) / result.paths)
        assert abs(histogram_cdf(result.pool_default_rate, x) - expected) <= K_SE * se + 2e-4


def test_stochastic_recovery_keeps_its_mean_and_correlation_fattens_the_tail():
    p, rho = 0.05, 0.15
    base = homogeneous(50_000, p, rho, 0.6)
    volatile = run_monte_carlo(with_assumptions(base, recovery_volatility=0.2))
    # E[loss] = E[default rate] x (1 - E[recovery]) when recovery is independent of defaults
    expected = p * 0.6
    dist = volatile.pool_loss_rate
    assert abs(dist.mean.value - expected) <= K_SE * dist.mean.se
    correlated = run_monte_carlo(with_assumptions(base, recovery_volatility=0.2,
                                                  recovery_correlation=0.5))
    assert correlated.pool_loss_rate.mean.value > dist.mean.value + K_SE * dist.mean.se
    assert correlated.pool_loss_rate.quantiles[0.999] > dist.quantiles[0.999]
