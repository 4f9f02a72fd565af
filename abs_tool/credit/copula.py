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
p_g(T | .)), where n_g is the group's effective number of obligors (1 / HHI of their
balances in the group, an obligor's receivables summed: they default together, and
concentrated groups are lumpy); their timing follows p_g(t | .).
Defaults are then a monthly fraction of each group's surviving balance, which receivables
bought during a revolving period share (they are "like the pool's"). Within a group,
defaulted loans are taken to be of average size: balance heterogeneity enters through the
effective number of loans, not loan by loan. The cost grows with paths x groups x months,
never with loans.

Exact mode (:func:`exact_default_fractions`): obligor by obligor. Obligor o's latent variable
is ``X_o = sqrt(rho) Z + sqrt(rho_s) Z_s(o) + sqrt(1 - rho - rho_s) e_o`` (divided by
``sqrt(W / nu)`` for the Student-t copula), with Z_s(o) the factor of the sector of its
largest receivable, and o defaults in the first month t with ``X_o <= a_o(t)``, where a_o is
the threshold of its cumulative curve F_o: the balance-weighted mix of its receivables' group
curves, so an obligor whose receivables carry different PDs has their balance-weighted
default curve. All its receivables outstanding then default together. ``e_o`` is drawn as
the uniform ``U_o = Phi(e_o)`` (six times cheaper to draw than a normal here), so that
``X_o <= a_o(t)`` reads ``U_o <= p_o(t | Z, Z_s, W)``, the conditional curve of the grouped
mode: each path computes p_o(T | .) once per distinct (curve, sector) class of obligors,
compares every obligor's U_o with it, and finds the month of the few that default by a
binary search of their class's conditional curve (computed once per path, for the classes
that have a default). The uniforms are drawn after the factors, in chunks of paths of at
most :data:`~abs_tool.limits.EXACT_CHUNK_DOUBLES` numbers (one obligor after the other
within a path), so a block's numbers do not depend on the chunking.

The engine takes defaults as a fraction of each group's performing balance. For group g and
month t that fraction is the balance of g's receivables whose obligor defaults in t over
that of g's receivables whose obligor has not defaulted before t, each receivable i counted
at ``s_i(t) + q(t) b_i``: its scheduled balance at the start of month t (prepayment, a
common factor, cancels), plus its share of the receivables bought while revolving, which
resemble the pool's (``b_i`` its cut-off balance if eligible for purchase, ``q(t)`` the
balance bought and still held on the path without defaults, per unit of eligible balance).
Without purchases this is exactly the balance that defaults each month in the initial pool,
and receivables bought default with their obligors at the same rate. The work after the
draw grows with the defaulted receivables' remaining months, not with obligors x months.
Two approximations remain, both from the engine scaling each group's aggregate schedule by
the fraction: a defaulted receivable's own later schedule is not removed exactly when the
receivables of a group amortise differently (docs/results.md gives its measured size), and
the purchased balance ``q(t)`` is the one of the path without defaults, whatever a path's
triggers do (it only weighs receivables bought against initial ones).

Loan-level recovery rates (the tape's ``lgd``, :mod:`abs_tool.engine.projection`): in
grouped mode each group recovers its balance-weighted rate, which needs nothing per path.
In exact mode the recovery rate of group g in month t on a path is that of the receivables
that default then, ``sum_i r_i w_i / sum_i w_i`` with ``w_i = s_i(t) + q(t) b_i`` the same
weights as the default fraction, so an obligor with LGD 1 that defaults recovers nothing,
whatever the group's average. Positions then also split an obligor's loans of one group by
their rate, and the rates come out as (paths, groups, periods) beside the fractions: the
only mode whose asset paths take twice the memory, and only when the tape gives LGDs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

# scipy.special, not scipy.stats (a second to import): the t and beta quantiles are the
# same functions (stdtrit, betaincinv) that scipy.stats calls.
from scipy.special import betaincinv, ndtr, ndtri, stdtrit

from abs_tool.credit.curves import cumulative_default_probability
from abs_tool.limits import EXACT_CHUNK_DOUBLES
from abs_tool.model.assumptions import Assumptions, Copula
from abs_tool.model.pool_model import Obligors, PoolModel
from abs_tool.types import Array, ByPaths, IntArray, PathsByGroupsByPeriods, kernel_array


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


@dataclass(frozen=True)
class ExactDefaults:
    """What :func:`exact_default_fractions` needs of a pool, in the form its compiled loop
    takes; built once per run by :func:`exact_defaults`.

    Positions by obligor, as the loans of :class:`~abs_tool.model.pool_model.Obligors`
    (``start``, ``group``, ``purchase``, ``schedule_start``, ``schedule``), where a
    position is an obligor's loans of one group with their schedules and purchase weights
    summed (they default together: the same numbers, fewer of them); ``obligor_class``
    (obligors,) indexes the classes of obligors that share a default curve and a sector:
    ``class_threshold`` (classes, periods) a(t) and ``class_sector`` (classes,).
    ``purchase_scale`` (periods,) is q(t) of the module docstring and ``group_total``
    (groups, periods) each group's balance ``sum_i s_i(t) + q(t) b_i``. With
    ``loan_level``, ``recovery`` (positions,) is each position's recovery rate (module
    docstring); without, zeros. ``top_slot`` (obligors,) is the rank of each obligor
    followed loan by loan (:attr:`ExactDraws.top_default`), -1 for the others, and
    ``survival`` (periods,) the share of the scheduled balance that prepayments leave at the
    start of each month, which turns a scheduled balance into the path's.
    """

    start: IntArray
    group: IntArray
    purchase: Array
    schedule_start: IntArray
    schedule: Array
    obligor_class: IntArray
    class_threshold: Array
    class_sector: IntArray
    purchase_scale: Array
    group_total: Array
    recovery: Array
    loan_level: bool
    top_slot: IntArray
    survival: Array

    @property
    def count(self) -> int:
        """Obligors."""
        return len(self.start) - 1

    @property
    def top_count(self) -> int:
        """Obligors followed one by one."""
        return int((self.top_slot >= 0).sum())

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, f).nbytes for f in self.__dataclass_fields__
                   if f != "loan_level")


def exact_defaults(model: PoolModel, obligors: Obligors, assumptions: Assumptions,
                   purchased: Array, loan_level: bool = False,
                   top: IntArray | None = None) -> ExactDefaults:
    """The obligors' curves and the groups' balances of the module docstring.

    Parameters
    ----------
    model, obligors
        The pool model and its loans by obligor
        (:func:`~abs_tool.model.pool_model.build_obligors`).
    assumptions
        Default curve, copula and degrees of freedom.
    purchased
        (periods,) balance of receivables bought and held at the start of each month on
        the path without defaults, in units of the initial pool's scheduled balance (that
        is, divided by the share the prepayments have left of it).
    loan_level
        Recover each receivable's own rate (``obligors.recovery``, ``recovery.rate`` where
        the tape gives no LGD) instead of the path's.
    top
        Obligors (their indices in ``obligors``) whose defaults and losses are followed one by
        one, in the order of :attr:`ExactDraws.top_default`; none without.
    """
    n_groups, n_periods = model.n_groups, model.horizon_months
    o = obligors
    owner = np.repeat(np.arange(o.count), np.diff(o.start))
    weights = np.zeros((o.count, n_groups))
    np.add.at(weights, (owner, o.group), o.balance)
    weights /= weights.sum(axis=1, keepdims=True)
    keys, obligor_class = np.unique(np.column_stack([weights, o.sector]), axis=0,
                                    return_inverse=True)
    cumulative = np.clip(keys[:, :n_groups] @ cumulative_default_probability(
        model, assumptions.default), 0.0, 1.0)
    if assumptions.copula == Copula.STUDENT_T:
        threshold = stdtrit(assumptions.t_degrees_of_freedom, cumulative)
    else:
        threshold = ndtri(cumulative)
    eligible = float(o.purchase.sum())
    scale = purchased / eligible if eligible > 0 else np.zeros(n_periods)
    # Positions: loans sorted by obligor, so their keys are too.
    keys_by_loan = owner * n_groups + o.group
    rate = np.where(np.isnan(o.recovery), assumptions.recovery.rate, o.recovery)
    if loan_level:
        # Rate second: positions stay in obligor order, loans of one rate merged.
        rows, position = np.unique(np.column_stack([keys_by_loan, rate]), axis=0,
                                   return_inverse=True)
        position = position.reshape(-1)
        position_keys, position_rate = rows[:, 0].astype(np.int64), rows[:, 1]
    else:
        position_keys, position = np.unique(keys_by_loan, return_inverse=True)
        position_rate = np.zeros(len(position_keys))
    position_owner = position_keys // n_groups
    position_group = position_keys % n_groups
    months = np.diff(o.schedule_start)
    length = np.zeros(len(position_keys), dtype=np.int64)
    np.maximum.at(length, position, months)
    loan = np.repeat(np.arange(len(months)), months)
    month = np.arange(len(o.schedule)) - o.schedule_start[loan]
    dense = np.zeros((len(position_keys), max(int(length.max()), 1)))
    np.add.at(dense, (position[loan], month), o.schedule)
    schedule = dense[np.arange(dense.shape[1])[None, :] < length[:, None]]
    purchase = np.bincount(position, weights=o.purchase, minlength=len(position_keys))
    group_total = np.outer(np.bincount(position_group, weights=purchase, minlength=n_groups),
                           scale)
    np.add.at(group_total[:, :dense.shape[1]], position_group, dense)
    top_slot = np.full(o.count, -1)
    if top is not None:
        top_slot[top] = np.arange(len(top))
    return ExactDefaults(
        kernel_array(np.searchsorted(position_owner, np.arange(o.count + 1)), np.int64),
        kernel_array(position_group, np.int64), kernel_array(purchase),
        kernel_array(np.concatenate([[0], np.cumsum(length)]), np.int64),
        kernel_array(schedule), kernel_array(obligor_class.reshape(-1), np.int64),
        kernel_array(threshold), kernel_array(keys[:, -1], np.int64), kernel_array(scale),
        kernel_array(group_total), kernel_array(position_rate), loan_level,
        kernel_array(top_slot, np.int64),
        kernel_array(assumptions.prepayment.survival(n_periods)))


@dataclass(frozen=True)
class ExactDraws:
    """What :func:`exact_default_fractions` draws for a block of paths.

    ``fractions`` (paths, groups, periods) is each month's default fraction of each group's
    performing balance; ``rates`` the recovery rate of those defaults (the same shape, 0
    where nothing defaults) with ``loan_level``, else None. For the obligors of
    ``top_slot``, in its order: ``top_default`` (paths, top) the balance each one has
    outstanding when it defaults (0 when it does not), its receivables' scheduled balances
    and its share of those bought, times the prepayments' ``survival``; and
    ``top_recovery`` (paths, top) the balance-weighted recovery rate of those receivables
    (with ``loan_level``; else 0).
    """

    fractions: PathsByGroupsByPeriods
    rates: PathsByGroupsByPeriods | None
    top_default: Array
    top_recovery: Array


def exact_default_fractions(
    rng: np.random.Generator, model: PoolModel, exact: ExactDefaults, assumptions: Assumptions,
    draws: FactorDraws,
) -> ExactDraws:
    """The default fractions from obligor-level default times (module docstring), and the
    obligors of ``exact.top_slot`` one by one; draws the obligors' uniforms after
    ``draws``."""
    n_paths = len(draws.systematic)
    shape = (n_paths, model.n_groups, model.horizon_months)
    out = np.zeros(shape)
    # Without loan-level rates every path writes its rates over one scratch row.
    rates = np.zeros(shape if exact.loan_level else (1, *shape[1:]))
    top = np.zeros((3, n_paths, exact.top_count))  # month, balance, rate-weighted balance
    rho, rho_s = assumptions.correlation, assumptions.sector_correlation
    rows = max(1, EXACT_CHUNK_DOUBLES // max(exact.count, 1))
    z, sector = kernel_array(draws.systematic), kernel_array(draws.sector)
    mixing = kernel_array(draws.mixing)
    for first in range(0, n_paths, rows):
        last = min(first + rows, n_paths)
        _exact_fractions(rng.random((last - first, exact.count)), z[first:last],
                         sector[first:last], mixing[first:last], math.sqrt(rho),
                         math.sqrt(rho_s), math.sqrt(1.0 - rho - rho_s), exact.obligor_class,
                         exact.class_threshold, exact.class_sector, exact.start, exact.group,
                         exact.purchase, exact.schedule_start, exact.schedule,
                         exact.purchase_scale, exact.group_total, exact.recovery,
                         exact.top_slot, out[first:last],
                         rates[first:last] if exact.loan_level else rates,
                         top[:, first:last])
    month, balance, recovered = top
    with np.errstate(divide="ignore", invalid="ignore"):
        top_recovery = np.where(balance > 0, recovered / balance, 0.0)
    return ExactDraws(out, rates if exact.loan_level else None,
                      balance * exact.survival[month.astype(np.int64)], top_recovery)


@njit(cache=True, nogil=True, error_model="numpy")
def _conditional(threshold: float, mixing: float, shock: float,
                 sigma: float) -> float:  # pragma: no cover - compiled
    """p(t | factors) = Phi((a(t) sqrt(W / nu) - shock) / sigma)."""
    return 0.5 * math.erfc(-(threshold * mixing - shock) / (sigma * math.sqrt(2.0)))


@njit(cache=True, nogil=True, error_model="numpy")
def _exact_fractions(uniforms: Array, z: Array, sector: Array, mixing: Array,
                     load: float, load_sector: float, sigma: float,
                     obligor_class: IntArray, threshold: Array, class_sector: IntArray,
                     start: IntArray, group: IntArray, purchase: Array,
                     schedule_start: IntArray, schedule: Array, scale: Array,
                     group_total: Array, recovery: Array, top_slot: IntArray, out: Array,
                     rates: Array, top: Array) -> None:  # pragma: no cover - compiled
    """:func:`exact_default_fractions` for one chunk of paths, path by path; ``rates`` has
    a row per path, or one that every path overwrites; ``top`` (3, paths, top) takes the
    default month, the balance and the rate-weighted balance of each obligor followed."""
    n_paths, n_obligors = uniforms.shape
    n_classes, n_periods = threshold.shape
    n_groups = group_total.shape[0]
    last = n_periods - 1
    lifetime = np.empty(n_classes)
    shock = np.empty(n_classes)
    # A class's conditional curve, computed the first time one of its obligors defaults in
    # the path: one per class is far cheaper than a binary search of it per defaulter.
    curve = np.empty((n_classes, n_periods))
    known = np.zeros(n_classes, dtype=np.bool_)
    defaulted = np.empty((n_groups, n_periods))  # balance defaulting in each month
    removed = np.empty((n_groups, n_periods))  # scheduled balance defaulted before it
    bought = np.empty((n_groups, n_periods))  # purchase weight defaulting in each month
    recovered = np.empty((n_groups, n_periods))  # rate-weighted balance defaulting
    for p in range(n_paths):
        row = p if rates.shape[0] > 1 else 0
        m = mixing[p]
        for c in range(n_classes):
            shock[c] = load * z[p] + load_sector * sector[p, class_sector[c]]
            lifetime[c] = _conditional(threshold[c, last], m, shock[c], sigma)
        known[:] = False
        defaulted[:] = 0.0
        removed[:] = 0.0
        bought[:] = 0.0
        recovered[:] = 0.0
        for o in range(n_obligors):
            c = obligor_class[o]
            u = uniforms[p, o]
            if u >= lifetime[c]:
                continue
            if not known[c]:
                for k in range(last):
                    curve[c, k] = _conditional(threshold[c, k], m, shock[c], sigma)
                curve[c, last] = lifetime[c]
                known[c] = True
            k = np.searchsorted(curve[c], u, side="right")  # the first month past u
            slot = top_slot[o]
            if slot >= 0:
                top[0, p, slot] = k
            for i in range(start[o], start[o + 1]):
                g = group[i]
                first, end = schedule_start[i], schedule_start[i + 1]
                own = schedule[first + k] if first + k < end else 0.0
                amount = own + scale[k] * purchase[i]
                defaulted[g, k] += amount
                recovered[g, k] += recovery[i] * amount
                bought[g, k] += purchase[i]
                if slot >= 0:
                    top[1, p, slot] += amount
                    top[2, p, slot] += recovery[i] * amount
                for j in range(first + k + 1, end):
                    removed[g, j - first] += schedule[j]
        for g in range(n_groups):
            gone = 0.0  # purchase weight of the obligors defaulted before the month
            for k in range(n_periods):
                performing = group_total[g, k] - removed[g, k] - scale[k] * gone
                fraction = 0.0
                rate = 0.0
                if defaulted[g, k] > 0.0 and performing > 0.0:
                    fraction = min(defaulted[g, k] / performing, 1.0)
                    rate = recovered[g, k] / defaulted[g, k]
                out[p, g, k] = fraction
                rates[row, g, k] = rate
                gone += bought[g, k]
