"""Closed forms of the one-factor Gaussian copula (abs_tool.credit.vasicek).

References are independent of the code under test where possible: ``statistics.NormalDist``
for Phi and Phi^-1, ``scipy.integrate.quad`` for integrals, ``scipy.stats.binom`` for the
binomial, and seeded Monte Carlo with tolerances from the binomial standard error.
"""

from __future__ import annotations

import itertools
import math
from statistics import NormalDist

import numpy as np
import pytest
from scipy import integrate
from scipy.stats import binom

from abs_tool import InputError
from abs_tool.credit.vasicek import (
    _bvn_upper,
    conditional_pd,
    finite_pool_pmf,
    finite_pool_tranche_el,
    lhp_attachment_for_el,
    lhp_cdf,
    lhp_pdf,
    lhp_quantile,
    lhp_tranche_el,
    lhp_tranche_el_quadrature,
)
from abs_tool.errors import ConvergenceError

N01 = NormalDist()

PDS = (0.005, 0.02, 0.1, 0.2)
RHOS = (0.01, 0.1, 0.3, 0.5)
LGDS = (0.4, 1.0)
# Adjacent tranches covering [0, 1]: thin junior pieces where the loss mass is, a wide senior.
BOUNDS = (0.0, 0.01, 0.03, 0.05, 0.1, 0.2, 0.35, 1.0)
ATTACH = np.array(BOUNDS[:-1])
DETACH = np.array(BOUNDS[1:])


# --------------------------------------------------------------------------------------------
# conditional_pd


def test_conditional_pd_matches_formula_and_broadcasts() -> None:
    z = np.array([[-2.0], [0.0], [1.5]])  # (paths, 1)
    pd = np.array([0.01, 0.05, 0.3, 0.7])  # (loans,)
    got = conditional_pd(pd, 0.2, z)
    assert got.shape == (3, 4)
    for i, j in itertools.product(range(3), range(4)):
        expected = N01.cdf((N01.inv_cdf(pd[j]) - math.sqrt(0.2) * z[i, 0]) / math.sqrt(0.8))
        assert got[i, j] == pytest.approx(expected, rel=1e-12)


def test_conditional_pd_limits() -> None:
    z = np.linspace(-5, 5, 11)
    pd = np.array([0.0, 0.013, 1.0])[:, None]
    # rho = 0: the factor carries no information, the PD comes back bit for bit.
    assert np.array_equal(conditional_pd(pd, 0.0, z), np.broadcast_to(pd, (3, 11)))
    got = conditional_pd(pd, 0.3, z)
    assert np.all(got[0] == 0.0)
    assert np.all(got[2] == 1.0)
    # A worse factor (lower z) never lowers the conditional PD.
    assert np.all(np.diff(got[1]) < 0)


@pytest.mark.parametrize(("pd", "rho"), [(0.02, 0.15), (0.2, 0.5), (0.005, 0.9)])
def test_conditional_pd_averages_to_pd(pd: float, rho: float) -> None:
    mean, _ = integrate.quad(
        lambda z: float(conditional_pd(pd, rho, z)) * N01.pdf(z), -np.inf, np.inf,
        epsabs=1e-14, epsrel=1e-12,
    )
    assert mean == pytest.approx(pd, rel=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"pd_cum": 1.2, "rho": 0.1, "z": 0.0}, r"`pd_cum` must be in \[0, 1\] \(got 1.2\)"),
        ({"pd_cum": 0.1, "rho": 1.0, "z": 0.0}, r"`rho` must be in \[0, 1\) \(got 1.0\)"),
        ({"pd_cum": 0.1, "rho": [0.1, -0.1], "z": 0.0}, r"`rho` .* \(got -0.1\)"),
        ({"pd_cum": np.nan, "rho": 0.1, "z": 0.0}, r"`pd_cum` .* \(got nan\)"),
    ],
)
def test_conditional_pd_rejects_bad_parameters(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(InputError, match=match):
        conditional_pd(**kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# LHP distribution


def test_lhp_quantile_basel_worst_case_default_rate() -> None:
    # The Basel II IRB conditional PD at 99.9% (BCBS 2005, "An Explanatory Note on the Basel II
    # IRB Risk Weight Functions"): Phi((Phi^-1(PD) + sqrt(R) Phi^-1(0.999)) / sqrt(1 - R)).
    # Vasicek (2002) LHP, p = 2%, rho = 15%.
    expected = N01.cdf((N01.inv_cdf(0.02) + math.sqrt(0.15) * N01.inv_cdf(0.999)) / math.sqrt(0.85))
    assert lhp_quantile(0.999, 0.02, 0.15) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.1763, abs=5e-5)  # by hand: Phi(-0.92942)
    assert lhp_quantile(0.999, 0.02, 0.15, lgd=0.45) == pytest.approx(0.45 * expected, rel=1e-12)


@pytest.mark.parametrize(("pd", "rho", "lgd"), list(itertools.product(PDS, RHOS, LGDS)))
def test_lhp_cdf_quantile_round_trip(pd: float, rho: float, lgd: float) -> None:
    q = np.array([1e-6, 0.001, 0.05, 0.3, 0.5, 0.8, 0.99, 0.9999])
    x = lhp_quantile(q, pd, rho, lgd)
    assert np.all(np.diff(x) > 0)
    assert np.all((x > 0) & (x < lgd))
    np.testing.assert_allclose(lhp_cdf(x, pd, rho, lgd), q, rtol=1e-9, atol=1e-13)
    # Inverse the other way on a loss grid where the CDF is not saturated at 0 or 1.
    xs = np.linspace(*lhp_quantile(np.array([0.01, 0.99]), pd, rho, lgd), 9)
    np.testing.assert_allclose(lhp_quantile(lhp_cdf(xs, pd, rho, lgd), pd, rho, lgd), xs,
                               rtol=1e-6, atol=1e-12)


def test_lhp_cdf_edges_and_degenerate_cases() -> None:
    x = np.array([-0.1, 0.0, 0.0079, 0.008, 0.2, 0.4, 0.7, np.nan])
    np.testing.assert_array_equal(lhp_cdf(x[:-1], 0.02, 0.1, 0.4)[[0, 1, 5, 6]], [0, 0, 1, 1])
    assert np.isnan(lhp_cdf(np.nan, 0.02, 0.1))
    # rho = 0: the loss is pd * lgd = 0.008 for sure.
    np.testing.assert_array_equal(lhp_cdf(x[:-1], 0.02, 0.0, 0.4), [0, 0, 0, 1, 1, 1, 1])
    # pd = 0: no loss; pd = 1: loss lgd.
    np.testing.assert_array_equal(lhp_cdf([0.0, 0.1], 0.0, 0.3), [1, 1])
    np.testing.assert_array_equal(lhp_cdf([0.0, 0.39, 0.4], 1.0, 0.3, 0.4), [0, 0, 1])
    np.testing.assert_array_equal(lhp_quantile([0.0, 0.5, 1.0], 0.02, 0.0, 0.4), [0.008] * 3)
    np.testing.assert_array_equal(lhp_quantile([0.0, 1.0], 0.02, 0.3, 0.4), [0.0, 0.4])


@pytest.mark.parametrize(("pd", "rho", "lgd"), [(0.02, 0.15, 1.0), (0.1, 0.3, 0.4),
                                                 (0.005, 0.05, 0.6), (0.2, 0.6, 1.0)])
def test_lhp_cdf_against_monte_carlo(pd: float, rho: float, lgd: float) -> None:
    # In the large-pool limit the loss given Z = z is lgd * p(z); sample Z and compare the
    # empirical CDF. Tolerance: 4 binomial standard errors sqrt(F (1 - F) / N) (5e-5 added
    # for points in the far tail, where F (1 - F) ~ 0).
    n = 400_000
    z = np.random.default_rng(20240501).standard_normal(n)
    loss = lgd * conditional_pd(pd, rho, z)
    x = lhp_quantile(np.array([0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999]), pd, rho, lgd)
    f = lhp_cdf(x, pd, rho, lgd)
    empirical = (loss[:, None] <= x[None, :]).mean(axis=0)
    tolerance = 4 * np.sqrt(f * (1 - f) / n) + 5e-5
    assert np.all(np.abs(empirical - f) <= tolerance), (pd, rho, lgd, empirical - f, tolerance)


@pytest.mark.parametrize(("pd", "rho", "lgd"), [(0.02, 0.15, 1.0), (0.1, 0.45, 0.4),
                                                 (0.2, 0.7, 1.0)])
def test_lhp_pdf_integrates_to_cdf(pd: float, rho: float, lgd: float) -> None:
    x = lhp_quantile(np.array([0.05, 0.5, 0.95]), pd, rho, lgd)
    for lo, hi in itertools.pairwise(x):
        mass, _ = integrate.quad(lambda t: float(lhp_pdf(t, pd, rho, lgd)), lo, hi,
                                 epsrel=1e-11)
        expected = lhp_cdf(hi, pd, rho, lgd) - lhp_cdf(lo, pd, rho, lgd)
        assert mass == pytest.approx(expected, rel=1e-9)
    np.testing.assert_array_equal(lhp_pdf([-0.1, 0.0, lgd, 1.5], pd, rho, lgd), [0, 0, 0, 0])


def test_lhp_pdf_refuses_point_masses() -> None:
    with pytest.raises(InputError, match=r"`rho` must be in \(0, 1\) \(got 0.0\)"):
        lhp_pdf(0.1, 0.02, 0.0)
    with pytest.raises(InputError, match=r"`pd` must be in \(0, 1\) \(got 1.0\)"):
        lhp_pdf(0.1, 1.0, 0.2)


@pytest.mark.parametrize(
    ("func", "args", "match"),
    [
        (lhp_cdf, (0.1, 0.02, 0.2, 0.0), r"`lgd` must be in \(0, 1\] \(got 0.0\)"),
        (lhp_cdf, (0.1, -0.02, 0.2), r"`pd` must be in \[0, 1\] \(got -0.02\)"),
        (lhp_quantile, (1.5, 0.02, 0.2), r"`q` must be in \[0, 1\] \(got 1.5\)"),
        (lhp_tranche_el, (0.1, 0.1, 0.02, 0.2), r"`attach` must be below `detach` \(got "
                                                r"attach=0.1, detach=0.1\)"),
        (lhp_tranche_el, (-0.1, 0.1, 0.02, 0.2), r"`attach` must be in \[0, 1\)"),
        (lhp_tranche_el_quadrature, (0.0, 1.2, 0.02, 0.2), r"`detach` must be in \(0, 1\]"),
    ],
)
def test_lhp_functions_reject_bad_parameters(func: object, args: tuple[float, ...],
                                             match: str) -> None:
    with pytest.raises(InputError, match=match):
        func(*args)  # type: ignore[operator]


# --------------------------------------------------------------------------------------------
# Bivariate normal and tranche EL


def _bvn_lower_by_quad(h: float, k: float, r: float) -> float:
    """P(X <= h, Y <= k; r) = integral of phi(y) Phi((h - r y) / sqrt(1 - r^2)) over y <= k."""
    value, _ = integrate.quad(
        lambda y: N01.pdf(y) * N01.cdf((h - r * y) / math.sqrt(1 - r * r)), -np.inf, k,
        epsabs=1e-16, epsrel=1e-13, limit=500,
    )
    return value


@pytest.mark.parametrize("r", [0.0, 0.1, 0.5, 0.9, 0.924, 0.926, 0.95, 0.99, 0.9999])
def test_bivariate_normal_against_quadrature(r: float) -> None:
    # Both branches of Genz (2004): r < 0.925 and the Drezner-Wesolowsky expansion above.
    rng = np.random.default_rng(7)
    h, k = rng.normal(0, 2.5, (2, 40))
    k[:10] = h[:10] + rng.normal(0, 0.01, 10)  # h ~ k, where the high-r branch is delicate
    got = _bvn_upper(-h, -k, np.full(h.shape, r))
    expected = [_bvn_lower_by_quad(hi, ki, r) for hi, ki in zip(h, k, strict=True)]
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=2e-15)


@pytest.mark.parametrize(("pd", "rho", "lgd"),
                         list(itertools.product(PDS, (*RHOS, 0.9, 0.95), LGDS)))
def test_tranche_el_closed_form_matches_quadrature(pd: float, rho: float, lgd: float) -> None:
    closed = lhp_tranche_el(ATTACH, DETACH, pd, rho, lgd)
    quad = lhp_tranche_el_quadrature(ATTACH, DETACH, pd, rho, lgd)
    np.testing.assert_allclose(closed, quad, rtol=1e-7, atol=1e-13,
                               err_msg=f"pd={pd}, rho={rho}, lgd={lgd}")


@pytest.mark.parametrize(("pd", "rho", "lgd"), list(itertools.product(PDS, (0.0, *RHOS), LGDS)))
def test_tranche_el_additivity(pd: float, rho: float, lgd: float) -> None:
    # The equity-to-super-senior [0, 1] tranche carries the whole pool loss: E[L] = pd * lgd.
    assert lhp_tranche_el(0.0, 1.0, pd, rho, lgd) == pd * lgd
    # Adjacent tranches split it: sum of EL x width telescopes to E[L].
    el = lhp_tranche_el(ATTACH, DETACH, pd, rho, lgd)
    assert np.sum(el * (DETACH - ATTACH)) == pytest.approx(pd * lgd, rel=1e-13)
    # Seniority: a higher tranche of the same structure never loses more.
    assert np.all(np.diff(el) <= 1e-15)


def test_tranche_el_degenerate_cases() -> None:
    # rho = 0: L = pd * lgd = 0.04; [0.03, 0.05] loses (0.04 - 0.03) / 0.02 = 50%.
    assert lhp_tranche_el(0.03, 0.05, 0.1, 0.0, 0.4) == pytest.approx(0.5, rel=1e-15)
    assert lhp_tranche_el(0.05, 0.1, 0.1, 0.0, 0.4) == 0.0
    assert lhp_tranche_el(0.0, 0.3, 0.0, 0.2) == 0.0
    assert lhp_tranche_el(0.3, 0.5, 1.0, 0.2, 0.4) == pytest.approx(0.5, rel=1e-15)
    # A tranche above lgd never loses.
    assert lhp_tranche_el(0.45, 1.0, 0.2, 0.3, 0.4) == 0.0
    shape = lhp_tranche_el(np.zeros((2, 1)), np.array([0.1, 0.2, 1.0]), 0.02, 0.1).shape
    assert shape == (2, 3)


# --------------------------------------------------------------------------------------------
# Attachment solver


@pytest.mark.parametrize(("pd", "rho", "lgd"), list(itertools.product(PDS, RHOS, LGDS)))
@pytest.mark.parametrize("target", [1e-6, 1e-4, 2e-3])
def test_attachment_meets_target(pd: float, rho: float, lgd: float, target: float) -> None:
    if pd * lgd <= target:  # the whole pool, [0, 1], already meets the target
        with pytest.raises(ConvergenceError, match="attach at 0"):
            lhp_attachment_for_el(target, pd, rho, lgd)
        return
    a = lhp_attachment_for_el(target, pd, rho, lgd)
    assert 0 < a < lgd
    assert lhp_tranche_el(a, 1.0, pd, rho, lgd) == pytest.approx(target, abs=1e-10, rel=1e-9)


def test_attachment_rises_with_pd_and_rho() -> None:
    # Senior EL rises with pd (stochastic order) and rho (convex order of the Vasicek
    # distribution), so the attachment rises and the senior size 1 - a falls.
    target = 1e-4
    by_pd = [lhp_attachment_for_el(target, pd, 0.15, 0.6) for pd in (0.005, 0.01, 0.02, 0.05, 0.1)]
    by_rho = [lhp_attachment_for_el(target, 0.02, rho, 0.6) for rho in (0.01, 0.05, 0.1, 0.3, 0.5)]
    assert np.all(np.diff(by_pd) > 0), by_pd
    assert np.all(np.diff(by_rho) > 0), by_rho


def test_attachment_with_detach_below_one() -> None:
    a = lhp_attachment_for_el(1e-3, 0.02, 0.15, 1.0, detach=0.5)
    assert lhp_tranche_el(a, 0.5, 0.02, 0.15) == pytest.approx(1e-3, abs=1e-12)


def test_attachment_without_root_lists_inputs() -> None:
    # E[L] = 0.002 <= target: the whole pool is already good enough.
    with pytest.raises(ConvergenceError, match=r"already has EL .*target_el=0\.01, pd=0\.02, "
                                                 r"rho=0\.1, lgd=0\.1, detach=1\.0"):
        lhp_attachment_for_el(0.01, 0.02, 0.1, 0.1)
    # P(L > 0.05) is about 9% > 1e-4: no tranche ending at 0.05 can have EL 1e-4.
    with pytest.raises(ConvergenceError, match=r"thin tranche at 0\.05 .*detach=0\.05"):
        lhp_attachment_for_el(1e-4, 0.02, 0.15, 1.0, detach=0.05)
    with pytest.raises(InputError, match=r"`target_el` must be in \(0, 1\) \(got 0.0\)"):
        lhp_attachment_for_el(0.0, 0.02, 0.15)


# --------------------------------------------------------------------------------------------
# Finite homogeneous pool


@pytest.mark.parametrize(("n", "pd", "rho"), [(1, 0.3, 0.2), (50, 0.02, 0.15), (200, 0.1, 0.5),
                                              (500, 0.005, 0.9), (1000, 0.2, 0.05)])
def test_finite_pool_pmf_moments(n: int, pd: float, rho: float) -> None:
    pmf = finite_pool_pmf(n, pd, rho)
    k = np.arange(n + 1)
    assert pmf.shape == (n + 1,)
    assert np.all(pmf >= 0)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-14)
    assert pmf @ k == pytest.approx(n * pd, rel=1e-12)
    # Var K = n pd (1 - pd) + n (n - 1) (Phi2(c, c; rho) - pd^2): pairs default together
    # with the bivariate normal probability of two correlated latent variables.
    c = N01.inv_cdf(pd)
    joint = _bvn_lower_by_quad(c, c, rho)
    variance = n * pd * (1 - pd) + n * (n - 1) * (joint - pd**2)
    assert pmf @ (k - n * pd) ** 2 == pytest.approx(variance, rel=1e-9)


@pytest.mark.parametrize(("n", "pd"), [(1, 0.3), (40, 0.02), (1000, 0.1)])
def test_finite_pool_pmf_without_correlation_is_binomial(n: int, pd: float) -> None:
    np.testing.assert_allclose(finite_pool_pmf(n, pd, 0.0), binom.pmf(np.arange(n + 1), n, pd),
                               rtol=0, atol=1e-12)
    np.testing.assert_array_equal(finite_pool_pmf(3, 0.0, 0.4), [1, 0, 0, 0])
    np.testing.assert_array_equal(finite_pool_pmf(3, 1.0, 0.4), [0, 0, 0, 1])


@pytest.mark.parametrize(("n", "rho"), [(50, 0.1), (50, 0.9), (500, 0.5), (500, 0.9),
                                        (2000, 0.1), (2000, 0.5)])
def test_finite_pool_default_grid_is_converged(n: int, rho: float) -> None:
    # The default factor step (see _factor_grid) against a grid three times finer; the
    # trapezoidal rule converges geometrically, so the finer grid is exact to rounding.
    coarse = np.cumsum(finite_pool_pmf(n, 0.03, rho))
    fine = finite_pool_pmf(n, 0.03, rho, step=min(0.1, 0.5 * 1.2533 * math.sqrt(
        (1 - rho) / rho / n)) / 3)
    np.testing.assert_allclose(coarse, np.cumsum(fine), rtol=0, atol=1e-12)


def test_finite_pool_approaches_lhp() -> None:
    # The finite pool's CDF and tranche ELs converge to the LHP limit at rate ~1/n
    # (granularity adjustment, Gordy 2003): ten times the loans, about a tenth of the gap.
    pd, rho, lgd = 0.02, 0.15, 0.6
    x = np.array([0.05, 0.1]) * lgd
    bounds = (np.array([0.0, 0.03]), np.array([0.03, 1.0]))
    lhp_el = lhp_tranche_el(*bounds, pd, rho, lgd)
    gaps_cdf, gaps_el = [], []
    for n in (100, 1000, 4000):
        cdf = np.cumsum(finite_pool_pmf(n, pd, rho))
        k_max = np.floor(x * n / lgd + 1e-9).astype(int)  # P(L <= x) = P(K <= x n / lgd)
        gaps_cdf.append(np.max(np.abs(cdf[k_max] - lhp_cdf(x, pd, rho, lgd))))
        gaps_el.append(np.max(np.abs(finite_pool_tranche_el(n, pd, rho, lgd, *bounds) - lhp_el)))
    for gaps in (gaps_cdf, gaps_el):
        assert gaps[1] < gaps[0] / 5, gaps
        assert gaps[2] < gaps[1] / 2.5, gaps
    assert gaps_cdf[2] < 2e-3
    assert gaps_el[2] < 1e-3


def test_finite_pool_tranche_el_against_copula_monte_carlo() -> None:
    # Simulate the copula loan by loan: n = 25 loans, default iff
    # sqrt(rho) Z + sqrt(1 - rho) e_i <= Phi^-1(pd). Tolerance: 4 standard errors.
    n, pd, rho, lgd, paths = 25, 0.05, 0.25, 0.5, 200_000
    rng = np.random.default_rng(11)
    latent = math.sqrt(rho) * rng.standard_normal((paths, 1)) + math.sqrt(1 - rho) * (
        rng.standard_normal((paths, n)))
    loss = (latent <= N01.inv_cdf(pd)).sum(axis=1) * lgd / n
    a, d = np.array([0.0, 0.02, 0.06]), np.array([0.02, 0.06, 1.0])
    tranche = np.clip(loss[:, None] - a, 0, d - a) / (d - a)
    mc, se = tranche.mean(axis=0), tranche.std(axis=0) / math.sqrt(paths)
    expected = finite_pool_tranche_el(n, pd, rho, lgd, a, d)
    assert np.all(np.abs(mc - expected) <= 4 * se), (mc, expected, se)
    assert finite_pool_tranche_el(n, pd, rho, lgd, 0.0, 1.0) == pytest.approx(pd * lgd, rel=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": 0, "pd": 0.1, "rho": 0.1}, r"`n` must be an integer >= 1 \(got 0\)"),
        ({"n": 10.5, "pd": 0.1, "rho": 0.1}, r"`n` must be an integer >= 1 \(got 10.5\)"),
        ({"n": 10, "pd": 0.1, "rho": 0.1, "step": 0.0}, r"`step` must be a positive number"),
        ({"n": 10, "pd": 0.1, "rho": 1.0}, r"`rho` must be in \[0, 1\)"),
    ],
)
def test_finite_pool_rejects_bad_parameters(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(InputError, match=match):
        finite_pool_pmf(**kwargs)  # type: ignore[arg-type]
