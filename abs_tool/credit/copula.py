"""Correlated defaults: factor draws and the default fractions they imply, per path.

Randomness is an input: every function takes a ``numpy.random.Generator`` and draws in a
fixed order (systematic factor, sector factors, chi-squared mixing variable, recovery
driver, default counts), so a block of paths depends only on its own seed.

Model (see :class:`~abs_tool.model.assumptions.Assumptions`): conditional on the factors, loans
default independently; a group's cumulative default probability by month t is

    p_g(t | Z, Z_s, W) = Phi((a_g(t) sqrt(W / nu) - sqrt(rho) Z - sqrt(rho_s) Z_s)
                             / sqrt(1 - rho - rho_s))

with ``a_g(t) = Phi^-1(F_g(t))`` (Gaussian copula, ``sqrt(W / nu) = 1``) or
``t_nu^-1(F_g(t))`` (Student-t copula), where F_g is the unconditional curve of the default
assumption (:mod:`abs_tool.credit.curves`, which also says how a lifetime default reads
here). The number of a group's loans that default by the horizon is Binomial(n_g,
p_g(T | .)), where n_g is the group's effective number of loans (1 / HHI of balances, so
concentrated groups are lumpy); their timing follows p_g(t | .).
Defaults are then a monthly fraction of each group's surviving balance, which receivables
bought during a revolving period share (they are "like the pool's"). Within a group,
defaulted loans are taken to be of average size: balance heterogeneity enters through the
effective number of loans, not loan by loan. The cost grows with paths x groups x months,
never with loans.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

# scipy.special, not scipy.stats (a second to import): the t and beta quantiles are the
# same functions (stdtrit, betaincinv) that scipy.stats calls.
from scipy.special import betaincinv, ndtr, ndtri, stdtrit

from abs_tool.credit.curves import cumulative_default_probability
from abs_tool.model.assumptions import Assumptions, Copula
from abs_tool.model.pool_model import PoolModel
from abs_tool.types import Array, ByPaths, PathsByGroupsByPeriods, kernel_array


@dataclass(frozen=True)
class FactorDraws:
    """Common factors of a block of paths and each path's importance-sampling weight."""

    systematic: ByPaths
    sector: Array  # (paths, sectors)
    mixing: ByPaths  # sqrt(W / nu), ones for the Gaussian copula
    recovery_driver: ByPaths  # standard normal, loaded on the systematic factor
    weight: ByPaths  # likelihood ratio of the factor's sampling law; ones if plain


def plain_paths(n_paths: int) -> int:
    """How many of a block's ``n_paths`` an importance-sampled run draws without the shift:
    half, rounded up."""
    return n_paths - n_paths // 2


def draw_factors(
    rng: np.random.Generator,
    n_paths: int,
    n_sectors: int,
    assumptions: Assumptions,
    shift: float = 0.0,
) -> FactorDraws:
    """Draw the factors of ``n_paths`` paths.

    With ``shift`` mu != 0, importance sampling by a defensive mixture (Hesterberg 1995;
    Owen & Zhou 2000): the first :func:`plain_paths` of the block draw the systematic factor
    from N(0, 1), the others from N(mu, 1), and every path is weighted by the density of
    N(0, 1) over the block's mixture of the two (the balance heuristic of multiple
    importance sampling, Veach 1997),

        w(z) = phi(z) / (a phi(z) + (1 - a) phi(z - mu)) = 1 / (a + (1 - a) e^(mu z - mu^2 / 2)),

    with ``a`` the block's share of plain paths. Weighted sums over n paths divided by n are
    then unbiased for every figure, and since w <= 1 / a = 2 their variance is at most twice
    that of plain sampling for any figure, while the shifted half still samples the senior
    tail (a plain likelihood ratio exp(-mu z + mu^2 / 2) reaches e^13 at mu = -5: junior
    figures and pool quantiles then rest on a handful of paths and their standard errors
    are not honest). The paths draw the same normals as a plain run; only the shifted half
    moves.
    """
    z = rng.standard_normal(n_paths)
    if shift:
        plain = plain_paths(n_paths)
        z[plain:] += shift
        share = plain / n_paths
        weight = 1.0 / (share + (1.0 - share) * np.exp(shift * z - 0.5 * shift * shift))
    else:
        weight = np.ones(n_paths)
    sector = rng.standard_normal((n_paths, n_sectors))
    if assumptions.copula == Copula.STUDENT_T:
        nu = assumptions.t_degrees_of_freedom
        mixing = np.sqrt(rng.chisquare(nu, n_paths) / nu)
    else:
        mixing = np.ones(n_paths)
    c = assumptions.recovery_correlation
    recovery_driver = np.sqrt(c) * z + np.sqrt(1.0 - c) * rng.standard_normal(n_paths)
    return FactorDraws(z, sector, mixing, recovery_driver, weight)


def conditional_cumulative_pd(
    model: PoolModel, assumptions: Assumptions, draws: FactorDraws
) -> PathsByGroupsByPeriods:
    """p_g(t | factors) of the module docstring, shape (paths, groups, periods)."""
    cumulative = cumulative_default_probability(model, assumptions.default)
    if assumptions.copula == Copula.STUDENT_T:
        threshold = stdtrit(assumptions.t_degrees_of_freedom, cumulative)
    else:
        threshold = ndtri(cumulative)
    rho, rho_s = assumptions.correlation, assumptions.sector_correlation
    shock = (np.sqrt(rho) * draws.systematic[:, None]
             + np.sqrt(rho_s) * draws.sector[:, model.group_sector])  # (paths, groups)
    # One (paths, groups, periods) buffer, worked in place: the block's largest arrays.
    z = threshold[None, :, :] * draws.mixing[:, None, None]
    with np.errstate(invalid="ignore"):  # -inf * 1 and +inf thresholds are fine
        z -= shock[:, :, None]
        z /= np.sqrt(1.0 - rho - rho_s)
    return ndtr(z, out=z)


def default_fractions(
    rng: np.random.Generator, model: PoolModel, conditional: PathsByGroupsByPeriods
) -> PathsByGroupsByPeriods:
    """Monthly default fraction of each group's surviving loans, (paths, groups, periods).

    The lifetime count of defaults is Binomial(n_g, p_g(T)); the fraction defaulted by month
    t is that share times p_g(t) / p_g(T), and the monthly fraction of survivors follows.
    """
    n_loans = np.maximum(np.rint(model.effective_count), 1).astype(np.int64)
    count = rng.binomial(n_loans[None, :], conditional[:, :, -1])
    out = np.empty(conditional.shape)
    _fractions(kernel_array(conditional), count / n_loans[None, :], out)
    return out


def large_pool_fractions(conditional: PathsByGroupsByPeriods) -> PathsByGroupsByPeriods:
    """:func:`default_fractions` of an infinitely granular pool: each group's lifetime share
    defaulted is p_g(T | .) itself (the law of large numbers), so nothing is drawn; the
    timing is the same."""
    out = np.empty(conditional.shape)
    _fractions(kernel_array(conditional), kernel_array(conditional[:, :, -1]), out)
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def _fractions(conditional: Array, share: Array, out: Array) -> None:  # pragma: no cover
    """:func:`default_fractions` after the draw, one path and group at a time (no
    (paths, groups, periods) temporaries); ``share`` (paths, groups) is the lifetime
    share defaulted."""
    n_paths, n_groups, n_periods = conditional.shape
    for p in range(n_paths):
        for g in range(n_groups):
            lifetime = conditional[p, g, n_periods - 1]
            previous = 0.0  # share defaulted by the month before
            for k in range(n_periods):
                timing = conditional[p, g, k] / lifetime if lifetime > 0 else 0.0
                cumulative = share[p, g] * timing
                survivors = 1.0 - previous
                fraction = 0.0
                if survivors > 0:
                    fraction = (cumulative - previous) / survivors
                    if fraction < 0.0:
                        fraction = 0.0
                    elif fraction > 1.0:
                        fraction = 1.0
                out[p, g, k] = fraction
                previous = cumulative


def recovery_rates(assumptions: Assumptions, draws: FactorDraws) -> ByPaths:
    """Each path's recovery rate: Beta with the deal's mean and volatility, driven by the
    recovery driver through its normal CDF (a Gaussian copula); constant without
    volatility."""
    mean, sd = assumptions.recovery.rate, assumptions.recovery_volatility
    if sd == 0 or mean in (0.0, 1.0):
        return np.full(len(draws.systematic), mean)
    concentration = mean * (1.0 - mean) / sd**2 - 1.0
    a, b = mean * concentration, (1.0 - mean) * concentration
    return np.asarray(betaincinv(a, b, ndtr(draws.recovery_driver)), dtype=np.float64)
