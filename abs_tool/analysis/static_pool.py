"""Static-pool (vintage) analysis: from an originator's vintage curves to a base case.

Input: a :class:`~abs_tool.io.static_pool.StaticPoolData` triangle, vintages ``v`` by months
on book ``a = 1 .. A`` (``A`` the longest observed), cumulative amounts, NaN where a vintage is
not yet observed. Output: a :class:`StaticPoolAnalysis`. Every method and what it assumes is
also in ``docs/static_pool.md``; the notes of each result repeat the ones that applied.

Cumulative default rate
    ``c[v, a] = cumulative_default_balance[v, a] / original_balance[v]`` (by balance) and
    ``cumulative_default_count / original_count`` (by count, where counts are given).
Chain-ladder (:func:`chain_ladder`)
    Volume-weighted age-to-age development factors of the cumulative rates,
    ``f_a = sum_v w_v c[v, a+1] / sum_v w_v c[v, a]`` over the vintages observed at both ages
    (``w_v`` the original balance, or count), i.e. the ratio of the summed defaults.
    **Tail**: the curve is taken as complete at ``A``, the longest observed month on book
    (no development beyond it); the parametric fit below says how much it would put beyond.
    The developed share ``F(a) = prod_{b >= a} 1 / f_b`` (``F(A) = 1``) is the share of
    lifetime defaults seen by month on book ``a``; a vintage observed to ``a_v`` projects to
    ``c[v, a_v] / F(a_v)``, exactly the truth when every vintage follows one timing curve.
    Chain-ladder needs ``min_seasoned`` vintages observed to ``A``.
Parametric alternative (:func:`fit_timing_curve`)
    ``c[v, a] = L_v W(a)`` with ``W(a) = 1 - exp(-(a / scale)^shape)`` a Weibull CDF of
    months on book, shared by all vintages, and one lifetime rate ``L_v`` per vintage; least
    squares on the observed cells weighted by original balance, with ``L_v`` profiled out
    (its least-squares value for given ``W``). Reported to ``A`` (``L_v W(A)``, comparable with
    chain-ladder) and with the share ``1 - W(A)`` that the fitted curve puts beyond ``A``.
Base case
    A weighted mean of the vintages' chain-ladder lifetime rates: ``equal``, ``balance``
    (original balance) or ``recent`` (original balance times ``2^(-m / half_life)``, ``m`` the
    months between the vintage and the newest one). Vintages that have shown less than
    ``min_developed_share`` of their lifetime defaults (``F(a_v)``) are left out of it: their
    projection is mostly extrapolation. Dispersion: the weighted standard deviation, range
    and coefficient of variation of the rates that enter.
Timing curve
    ``F(a) - F(a - 1)``, the share of lifetime defaults by month on book (sums to 1); the
    pool's own timing given its seasoning ``s`` is the remainder ``F(s + t) - F(s + t - 1)``
    renormalised (:func:`seasoned_timing`, :func:`pool_base_case`).
Prepayment
    Single monthly mortality by month on book, pooled over the vintages observed there:
    ``SMM(a) = sum_v (P[v, a] - P[v, a-1]) / sum_v S[v, a-1]``, ``P`` cumulative prepaid,
    ``S`` the balance prepayments are taken from, after the month's scheduled principal and
    defaults (DOMAIN.md): the closing ``outstanding_balance`` plus the month's prepayments,
    where given; else ``original - defaults - prepaid`` up to the month before, which
    ignores scheduled principal (it overstates ``S``, so that CPR is a lower bound, and says
    so). ``CPR = 1 - (1 - SMM)^12``.
Recovery
    The recovery curve of the seasoned vintages matched to their default curve shifted by
    ``l`` months: ``R[v, a] = r D[v, a - l]``, ``r`` by least squares for each whole ``l``,
    and the ``l`` with the least squared error (loan-level history gives the
    recovery-weighted mean lag instead, and ``r`` at its rounded value). Recoveries after
    ``A`` are not observed; the shift keeps the rate unbiased under a fixed lag.
Implied correlation (:func:`implied_correlation`)
    Under the one-factor (Vasicek) model a vintage's lifetime default rate is a draw of
    ``Phi((Phi^-1(p) - sqrt(rho) Z) / sqrt(1 - rho))`` plus binomial noise of its ``n``
    loans, so ``Var = Phi2(k, k; rho) - p^2 + (p - Phi2(k, k; rho)) / n``, ``k =
    Phi^-1(p)``. The observed variance of the vintage rates is matched to it and solved for
    ``rho``; a 90% interval comes from the chi-square interval of a sample variance. It is a
    suggestion: monthly vintages share their economic cycle (so they understate the
    variance over a cycle), projection error of young vintages adds to it, and a few dozen
    vintages give a wide interval.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import optimize, stats
from scipy.special import ndtri

from abs_tool.credit.vasicek import _bvn_upper
from abs_tool.errors import AssumptionError, InputError
from abs_tool.io.static_pool import StaticPoolData
from abs_tool.model.assumptions import Assumptions, Cpr, LifetimeDefault, Recovery
from abs_tool.model.conventions import cpr_from_smm
from abs_tool.model.pool import Pool
from abs_tool.types import Array, BoolArray, IntArray

__all__ = [
    "WEIGHTINGS",
    "ChainLadder",
    "Dispersion",
    "ImpliedCorrelation",
    "InsufficientHistoryError",
    "PoolBaseCase",
    "RecoveryEstimate",
    "StaticPoolAnalysis",
    "TimingFit",
    "analyse_static_pool",
    "base_case_assumptions",
    "chain_ladder",
    "fit_timing_curve",
    "implied_correlation",
    "pool_base_case",
    "seasoned_timing",
]

Weighting = Literal["balance", "equal", "recent"]
WEIGHTINGS: tuple[str, ...] = ("balance", "equal", "recent")
DEFAULT_HALF_LIFE_MONTHS = 12.0
DEFAULT_MIN_SEASONED = 3
DEFAULT_MIN_DEVELOPED_SHARE = 0.25
INTERVAL_LEVEL = 0.90
"""Confidence of the implied correlation's interval."""
MAX_CORRELATION = 0.99
"""Largest correlation the solver returns."""


class InsufficientHistoryError(AssumptionError):
    """Too little history to extrapolate: too few seasoned vintages, or no defaults."""


# --------------------------------------------------------------------------------------------
# Chain-ladder
# --------------------------------------------------------------------------------------------


def _readonly(a: Any, dtype: Any = np.float64) -> Any:
    array = np.array(a, dtype=dtype)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class ChainLadder:
    """Chain-ladder development of cumulative default rates on one basis.

    Attributes
    ----------
    basis
        ``"balance"`` or ``"count"``.
    factors
        Shape (months - 1,): age-to-age factor from month on book ``a`` to ``a + 1``
        (index ``a - 1``); NaN where no vintage had defaulted by ``a``.
    factor_vintages
        Shape (months - 1,): vintages observed at both ages of each factor.
    cumulative_share
        Shape (months,): ``F(a)``, the share of lifetime defaults by month on book ``a``;
        ``F(months) = 1`` (the tail assumption: complete at the longest observed month).
    timing
        Shape (months,): ``F(a) - F(a - 1)``, sums to 1.
    observed_rate
        Shape (vintages,): cumulative default rate at each vintage's last observed month.
    developed_share
        Shape (vintages,): ``F`` at that month: the share of its lifetime defaults shown.
    lifetime_rate
        Shape (vintages,): ``observed_rate / developed_share``; NaN where the developed share
        is 0 (no vintage had defaulted that early: nothing to scale).
    seasoned
        Shape (vintages,): observed to the last month on book.
    """

    basis: str
    factors: Array
    factor_vintages: IntArray
    cumulative_share: Array
    timing: Array
    observed_rate: Array
    developed_share: Array
    lifetime_rate: Array
    seasoned: BoolArray


def _last_observed(rates: Array) -> tuple[IntArray, Array]:
    """(last observed month on book, rate there) of each vintage."""
    observed = ~np.isnan(rates)
    last = observed.sum(axis=1).astype(np.int64)
    rate = rates[np.arange(len(rates)), np.maximum(last, 1) - 1]
    return last, np.asarray(rate, dtype=np.float64)


def chain_ladder(rates: Array, weights: Array, *, basis: str = "balance",
                 vintages: tuple[str, ...] | None = None,
                 min_seasoned: int = DEFAULT_MIN_SEASONED) -> ChainLadder:
    """Chain-ladder projection of cumulative default rates (module docstring).

    Parameters
    ----------
    rates
        Shape (vintages, months): cumulative default rates, NaN after each vintage's last
        observed month (no gaps).
    weights
        Shape (vintages,): volume of each vintage (original balance, or count).
    basis
        Label of the result.
    vintages
        Labels, for messages.
    min_seasoned
        Fewest vintages observed to the last month on book.

    Returns
    -------
    ChainLadder

    Raises
    ------
    InsufficientHistoryError
        Fewer than ``min_seasoned`` seasoned vintages (the message says how many are needed
        and the month on book at which there are that many), or no defaults at all in them.
    """
    rates = np.asarray(rates, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    n, months = rates.shape
    labels = vintages or tuple(str(i) for i in range(n))
    last, observed_rate = _last_observed(rates)
    seasoned = last == months
    if int(seasoned.sum()) < min_seasoned:
        counts = np.array([(last >= a).sum() for a in range(1, months + 1)])
        enough = np.flatnonzero(counts >= min_seasoned)
        cut = (f"; or cut the triangle at month on book {int(enough[-1]) + 1}, to which "
               f"{int(counts[enough[-1]])} vintages are observed (`max_months_on_book`)"
               if enough.size else "")
        names = ", ".join(labels[i] for i in np.flatnonzero(seasoned)[:5])
        raise InsufficientHistoryError(
            f"{basis} chain-ladder needs at least {min_seasoned} seasoned vintages, observed "
            f"to month on book {months} (the longest observed); the data have "
            f"{int(seasoned.sum())}" + (f" ({names})" if names else "")
            + f". Give more history{cut}")
    both = ~np.isnan(rates[:, 1:])  # observed at a + 1 (hence at a)
    filled = np.nan_to_num(rates)
    numerator = (weights[:, None] * filled[:, 1:] * both).sum(axis=0)
    denominator = (weights[:, None] * filled[:, :-1] * both).sum(axis=0)
    if not np.any(filled[seasoned, -1] > 0):
        raise InsufficientHistoryError(
            f"no defaults in the {int(seasoned.sum())} seasoned vintages ({basis}): a "
            "lifetime default rate of 0, and no timing curve to extrapolate with")
    with np.errstate(divide="ignore", invalid="ignore"):
        factors = np.where(denominator > 0, numerator / denominator, np.nan)
        inverse = np.where(numerator > 0, denominator / numerator, 0.0)
    # F(a) = prod_{b >= a} 1 / f_b, F(A) = 1.
    share = np.concatenate([np.cumprod(inverse[::-1])[::-1], [1.0]])
    timing = np.diff(np.concatenate([[0.0], share]))
    developed = share[np.maximum(last, 1) - 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        lifetime = np.where(developed > 0, observed_rate / developed, np.nan)
    return ChainLadder(
        basis=basis, factors=_readonly(factors),
        factor_vintages=_readonly(both.sum(axis=0), np.int64),
        cumulative_share=_readonly(share), timing=_readonly(timing),
        observed_rate=_readonly(observed_rate), developed_share=_readonly(developed),
        lifetime_rate=_readonly(lifetime), seasoned=_readonly(seasoned, np.bool_))


# --------------------------------------------------------------------------------------------
# Parametric timing curve
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TimingFit:
    """A Weibull timing curve ``W(a) = 1 - exp(-(a / scale_months)^shape)`` fitted to every
    vintage at once, ``c[v, a] = L_v W(a)``.

    Attributes
    ----------
    scale_months, shape
        The Weibull parameters (months on book; dimensionless).
    lifetime_rate
        Shape (vintages,): ``L_v W(A)``, the lifetime rate to the longest observed month on
        book ``A`` (comparable with chain-ladder).
    lifetime_rate_unbounded
        Shape (vintages,): ``L_v``, all months on book.
    cumulative_share
        Shape (months,): ``W(a) / W(A)``.
    timing
        Shape (months,): its increments (sum 1).
    tail_share
        ``1 - W(A)``: the share of lifetime defaults the fitted curve puts after ``A``.
    rmse
        Root mean square residual in rate units (balance-weighted).
    """

    scale_months: float
    shape: float
    lifetime_rate: Array
    lifetime_rate_unbounded: Array
    cumulative_share: Array
    timing: Array
    tail_share: float
    rmse: float


def _weibull(ages: Array, scale: float, shape: float) -> Array:
    return np.asarray(-np.expm1(-((ages / scale) ** shape)), dtype=np.float64)


def fit_timing_curve(rates: Array, weights: Array, *, start_median_months: float | None = None
                     ) -> TimingFit:
    """Fit the Weibull timing model by weighted least squares (module docstring).

    Parameters
    ----------
    rates
        Shape (vintages, months): cumulative default rates, NaN where unobserved.
    weights
        Shape (vintages,): original balances (the weights of the squared residuals).
    start_median_months
        Where to start the search: the month on book by which half the lifetime defaults
        have happened (default: a third of the months).

    Returns
    -------
    TimingFit
    """
    rates = np.asarray(rates, dtype=np.float64)
    n, months = rates.shape
    observed = ~np.isnan(rates)
    filled = np.nan_to_num(rates)
    w = np.sqrt(np.asarray(weights, dtype=np.float64) / np.mean(weights))[:, None]
    ages = np.arange(1, months + 1, dtype=np.float64)

    def level(curve: Array) -> Array:
        g = curve[None, :] * observed
        denominator = (g * g).sum(axis=1)
        return np.asarray(np.where(denominator > 0, (filled * g).sum(axis=1)
                                   / np.where(denominator > 0, denominator, 1.0), 0.0))

    def residuals(x: Array) -> Array:
        curve = _weibull(ages, math.exp(x[0]), math.exp(x[1]))
        fitted = level(curve)[:, None] * curve[None, :]
        return np.asarray((w * (filled - fitted))[observed])

    median = start_median_months or months / 3.0
    shape0 = 1.5
    x0 = np.array([math.log(median / math.log(2.0) ** (1 / shape0)), math.log(shape0)])
    bounds = ([math.log(0.05), math.log(0.2)], [math.log(50.0 * months), math.log(20.0)])
    x0 = np.clip(x0, bounds[0], bounds[1])
    solution = optimize.least_squares(residuals, x0, bounds=bounds, method="trf",
                                      x_scale=1.0, xtol=1e-12, ftol=1e-12, gtol=1e-12)
    scale, shape = (math.exp(v) for v in solution.x)
    curve = _weibull(ages, scale, shape)
    lifetime = level(curve)
    share = curve / curve[-1]
    rmse = float(np.sqrt(np.mean(solution.fun**2))) if solution.fun.size else 0.0
    return TimingFit(
        scale_months=scale, shape=shape, lifetime_rate=_readonly(lifetime * curve[-1]),
        lifetime_rate_unbounded=_readonly(lifetime), cumulative_share=_readonly(share),
        timing=_readonly(np.diff(np.concatenate([[0.0], share]))),
        tail_share=float(1.0 - curve[-1]), rmse=rmse)


# --------------------------------------------------------------------------------------------
# Implied correlation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImpliedCorrelation:
    """The asset correlation that the spread of vintage lifetime rates implies (a
    suggestion; module docstring).

    Attributes
    ----------
    rho
        Suggested correlation (0 when the spread is no more than binomial noise).
    interval
        ``(low, high)``: :data:`INTERVAL_LEVEL` interval from the sample variance's
        chi-square interval.
    mean_rate
        ``p``: the mean of the vintage rates used.
    observed_variance
        Their sample variance (``ddof = 1``).
    granularity_variance
        Binomial variance expected from the vintages' loan counts at ``rho`` (0 without
        counts).
    n_vintages
        Vintages used.
    method
        The method in words.
    """

    rho: float
    interval: tuple[float, float]
    mean_rate: float
    observed_variance: float
    granularity_variance: float
    n_vintages: int
    method: str


def _phi2_same(k: float, rho: float) -> float:
    """``Phi2(k, k; rho)``, P(X <= k, Y <= k) for standard normals of correlation ``rho``."""
    upper = _bvn_upper(np.array([-k]), np.array([-k]), np.array([rho]))
    return float(upper[0])


def _vasicek_variance(p: float, rho: float, inverse_n: float) -> float:
    """Variance of a vintage's default rate: systematic ``Phi2 - p^2`` plus the mean binomial
    noise ``(p - Phi2) / n`` (``inverse_n`` the mean of 1 / n over the vintages)."""
    joint = _phi2_same(float(ndtri(p)), rho)
    return joint - p * p + (p - joint) * inverse_n


def implied_correlation(rates: Array, counts: Array | None = None) -> ImpliedCorrelation:
    """Match the sample variance of vintage lifetime default rates to the Vasicek variance.

    Parameters
    ----------
    rates
        Shape (vintages,): lifetime default rates (at least 3, mean strictly in (0, 1)).
    counts
        Shape (vintages,): loans per vintage, for the binomial (granularity) noise; None
        when unknown (then none is subtracted, and the correlation is an upper estimate).

    Returns
    -------
    ImpliedCorrelation

    Raises
    ------
    InputError
        Fewer than 3 rates, or a mean rate of 0 or 1.
    """
    rates = np.asarray(rates, dtype=np.float64)
    n = rates.size
    if n < 3:
        raise InputError(f"an implied correlation needs at least 3 vintage rates (got {n})")
    p = float(np.mean(rates))
    if not 0 < p < 1:
        raise InputError(f"an implied correlation needs a mean default rate in (0, 1) "
                         f"(got {p!r})")
    inverse_n = 0.0 if counts is None else float(np.mean(1.0 / np.asarray(counts, float)))
    variance = float(np.var(rates, ddof=1))
    dof = n - 1
    alpha = (1 - INTERVAL_LEVEL) / 2
    low_var = variance * dof / float(stats.chi2.ppf(1 - alpha, dof))
    high_var = variance * dof / float(stats.chi2.ppf(alpha, dof))

    def solve(target: float) -> float:
        if target <= _vasicek_variance(p, 0.0, inverse_n):
            return 0.0
        if target >= _vasicek_variance(p, MAX_CORRELATION, inverse_n):
            return MAX_CORRELATION
        return float(optimize.brentq(lambda r: _vasicek_variance(p, r, inverse_n) - target,
                                     0.0, MAX_CORRELATION, xtol=1e-12))

    rho = solve(variance)
    granularity = (p - _phi2_same(float(ndtri(p)), rho)) * inverse_n
    noise = ("less the binomial noise of each vintage's loan count"
             if counts is not None else "with no granularity noise subtracted (no loan "
             "counts: an upper estimate)")
    method = (f"Vasicek one-factor: the sample variance of {n} vintage lifetime default "
              f"rates ({variance:.3g}, mean {p:.4%}) matched to Phi2(k, k; rho) - p^2, "
              f"{noise}; {INTERVAL_LEVEL:.0%} interval from the chi-square interval of the "
              "variance. A suggestion: vintages of one cycle understate the variance over a "
              "cycle, and projection error of young vintages adds to it")
    return ImpliedCorrelation(rho=rho, interval=(solve(low_var), solve(high_var)),
                              mean_rate=p, observed_variance=variance,
                              granularity_variance=granularity, n_vintages=n, method=method)


# --------------------------------------------------------------------------------------------
# Prepayment and recovery
# --------------------------------------------------------------------------------------------


def _prepayment(data: StaticPoolData, months: int) -> tuple[Array, str] | None:
    """(SMM by month on book, the method) from the cumulative prepaid balance, or None."""
    prepaid = data.cumulative_prepaid_balance
    if prepaid is None:
        return None
    prepaid = prepaid[:, :months]
    observed = data.observed[:, :months]
    original = data.original_balance[:, None]
    zero = np.zeros((data.n_vintages, 1))
    previous_prepaid = np.concatenate([zero, np.nan_to_num(prepaid[:, :-1])], axis=1)
    increments = np.nan_to_num(prepaid) - previous_prepaid
    if data.outstanding_balance is not None:
        # The balance prepayments are taken from: what is left after the month's scheduled
        # principal and defaults, i.e. the month's closing balance plus its prepayments.
        start = np.nan_to_num(data.outstanding_balance[:, :months]) + increments
        method = ("SMM on the balance after the month's scheduled principal and defaults "
                  "(closing `outstanding_balance` plus the month's prepayments), DOMAIN.md's "
                  "convention")
    else:
        defaults = data.cumulative_default_balance[:, :months]
        previous_defaults = np.concatenate([zero, np.nan_to_num(defaults[:, :-1])], axis=1)
        start = original - previous_defaults - previous_prepaid
        method = ("SMM on original balance less defaults and prepayments so far: no "
                  "`outstanding_balance`, so scheduled principal is ignored, the surviving "
                  "balance overstated and the CPR a lower bound")
    denominator = (start * observed).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        smm = np.where(denominator > 0, (increments * observed).sum(axis=0) / denominator,
                       np.nan)
    return np.clip(smm, 0.0, 1.0), method


@dataclass(frozen=True)
class RecoveryEstimate:
    """Recovery rate and lag from the recovery curves (module docstring).

    Attributes
    ----------
    rate
        Recoveries per unit of defaulted balance (may exceed 1 if recoveries include
        interest; capped at 1 for a deal).
    lag_months
        Months from default to recovery.
    method
        How they were estimated.
    """

    rate: float
    lag_months: float
    method: str


def _recovery(data: StaticPoolData, seasoned: BoolArray, months: int) -> RecoveryEstimate | None:
    recoveries = data.cumulative_recovery_balance
    if recoveries is None or not seasoned.any() or not np.nansum(recoveries[seasoned]) > 0:
        return None
    received = recoveries[seasoned, :months]
    defaults = data.cumulative_default_balance[seasoned, :months]
    best: tuple[float, int, float] | None = None
    loan_lag = data.recovery_lag_months
    lags = range(months) if loan_lag is None else [min(round(loan_lag), months - 1)]
    for lag in lags:  # at most MAX_MONTHS_ON_BOOK shifts of a (vintages, months) array
        shifted = np.zeros_like(defaults)
        shifted[:, lag:] = defaults[:, :months - lag]
        scale = float((shifted * shifted).sum())
        if scale <= 0:
            continue
        rate = float((received * shifted).sum()) / scale
        error = float(((received - rate * shifted) ** 2).sum())
        if best is None or error < best[0] - 1e-12 * max(error, 1.0):
            best = (error, lag, rate)
    if best is None:
        return None
    _, lag, rate = best
    seasoned_names = int(seasoned.sum())
    if loan_lag is not None:
        return RecoveryEstimate(rate, loan_lag, (
            f"lag: recovery-weighted mean months from default to recovery in the loan-level "
            f"history; rate: the {seasoned_names} seasoned vintages' recoveries over their "
            f"defaults {lag} months earlier (least squares)"))
    return RecoveryEstimate(float(rate), float(lag), (
        f"the {seasoned_names} seasoned vintages' recovery curves matched to their default "
        "curves shifted by a whole number of months (least squares over the shift and the "
        "rate); recoveries after the last month on book are not observed"))


# --------------------------------------------------------------------------------------------
# The analysis
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dispersion:
    """Spread of the vintage lifetime rates that enter the base case (weighted as it is)."""

    n_vintages: int
    std: float
    minimum: float
    maximum: float
    coefficient_of_variation: float


@dataclass(frozen=True, eq=False)
class StaticPoolAnalysis:
    """Everything the static-pool analysis found (module docstring for the methods).

    Attributes
    ----------
    data
        The triangle given; the analysis uses its first ``months`` months on book.
    months
        Months on book of the curves.
    weighting, half_life_months, min_developed_share
        How the base case weights the vintages.
    balance, count
        Chain-ladder by balance, and by count (None without counts).
    fit
        The Weibull alternative (balance).
    included
        Shape (vintages,): vintages in the base case.
    weights
        Shape (vintages,): their weights (0 for the others), summing to 1.
    lifetime_default_rate
        Base-case lifetime cumulative default rate (balance), a decimal.
    lifetime_default_rate_by_count
        The same by count (same vintages and weighting), or None.
    lifetime_default_rate_fit
        The same from the Weibull fit's rates to month ``months``.
    dispersion
        Spread of the included vintages' rates.
    timing_curve
        Shape (months,): share of lifetime defaults by month on book (chain-ladder,
        balance), sums to 1.
    smm, cpr_annual
        Shape (months,): prepayment by month on book, or None without prepayment data.
    recovery
        Recovery rate and lag, or None without recovery data.
    correlation
        Implied asset correlation, or None (fewer than 3 vintages).
    notes
        Every assumption and approximation that applied, in words.
    """

    data: StaticPoolData
    months: int
    weighting: str
    half_life_months: float
    min_developed_share: float
    balance: ChainLadder
    count: ChainLadder | None
    fit: TimingFit
    included: BoolArray
    weights: Array
    lifetime_default_rate: float
    lifetime_default_rate_by_count: float | None
    lifetime_default_rate_fit: float
    dispersion: Dispersion
    timing_curve: Array
    smm: Array | None
    cpr_annual: Array | None
    recovery: RecoveryEstimate | None
    correlation: ImpliedCorrelation | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def vintage_records(self) -> list[dict[str, Any]]:
        """One record per vintage: observed and extrapolated lifetime rates, for a table."""
        data, bal = self.data, self.balance
        records = []
        for v, vintage in enumerate(data.vintages):
            record: dict[str, Any] = {
                "vintage": vintage,
                "original_balance": float(data.original_balance[v]),
                "months_observed": min(int(data.observed_months[v]), self.months),
                "observed_rate": float(bal.observed_rate[v]),
                "developed_share": float(bal.developed_share[v]),
                "chain_ladder_lifetime_rate": _number(bal.lifetime_rate[v]),
                "fit_lifetime_rate": float(self.fit.lifetime_rate[v]),
                "in_base_case": bool(self.included[v]),
                "weight": float(self.weights[v]),
            }
            if self.count is not None:
                record["observed_rate_by_count"] = float(self.count.observed_rate[v])
                record["chain_ladder_lifetime_rate_by_count"] = _number(
                    self.count.lifetime_rate[v])
            records.append(record)
        return records

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``abs-tool static-pool --out-json`` (docs/static_pool.md)."""
        corr = self.correlation
        return {
            "lifetime_default_rate": self.lifetime_default_rate,
            "timing_curve": [float(x) for x in self.timing_curve],
            "cpr_annual": None if self.cpr_annual is None else [_number(x)
                                                                for x in self.cpr_annual],
            "recovery_rate": None if self.recovery is None else self.recovery.rate,
            "recovery_lag_months": None if self.recovery is None else self.recovery.lag_months,
            "implied_correlation": None if corr is None else corr.rho,
            "vintages": self.vintage_records(),
            "months_on_book": self.months,
            "weighting": self.weighting,
            "half_life_months": self.half_life_months if self.weighting == "recent" else None,
            "min_developed_share": self.min_developed_share,
            "lifetime_default_rate_by_count": self.lifetime_default_rate_by_count,
            "dispersion": {
                "n_vintages": self.dispersion.n_vintages, "std": self.dispersion.std,
                "min": self.dispersion.minimum, "max": self.dispersion.maximum,
                "coefficient_of_variation": self.dispersion.coefficient_of_variation},
            "chain_ladder": {
                "factors": [_number(x) for x in self.balance.factors],
                "factor_vintages": [int(x) for x in self.balance.factor_vintages],
                "cumulative_share": [float(x) for x in self.balance.cumulative_share],
                "seasoned_vintages": int(self.balance.seasoned.sum()),
                "tail": f"complete at month on book {self.months} (the longest observed)"},
            "timing_fit": {
                "family": "weibull", "scale_months": self.fit.scale_months,
                "shape": self.fit.shape, "lifetime_default_rate": self.lifetime_default_rate_fit,
                "tail_share_after_last_month": self.fit.tail_share, "rmse": self.fit.rmse,
                "timing_curve": [float(x) for x in self.fit.timing]},
            "implied_correlation_detail": None if corr is None else {
                "rho": corr.rho, "interval": list(corr.interval),
                "level": INTERVAL_LEVEL, "mean_rate": corr.mean_rate,
                "observed_variance": corr.observed_variance,
                "granularity_variance": corr.granularity_variance,
                "n_vintages": corr.n_vintages, "method": corr.method},
            "recovery_method": None if self.recovery is None else self.recovery.method,
            "notes": list(self.notes),
        }


def _number(x: float) -> float | None:
    return None if not math.isfinite(float(x)) else float(x)


def _weights(data: StaticPoolData, included: BoolArray, weighting: str,
             half_life: float) -> Array:
    base = np.where(included, 1.0, 0.0)
    if weighting in ("balance", "recent"):
        base = base * data.original_balance
    if weighting == "recent":
        months = data.vintage_months
        newest = months[included].max()
        base = base * 2.0 ** (-(newest - months) / half_life)
    return np.asarray(base / base.sum(), dtype=np.float64)


def _check_settings(weighting: str, half_life_months: float, min_seasoned: int,
                    min_developed_share: float, max_months_on_book: int | None) -> None:
    """Refuse a setting of :func:`analyse_static_pool` out of its range (InputError)."""
    if weighting not in WEIGHTINGS:
        raise InputError(f"`weighting` must be one of {list(WEIGHTINGS)} (got {weighting!r})")
    if not (isinstance(half_life_months, int | float) and math.isfinite(half_life_months)
            and half_life_months > 0):
        raise InputError(f"`half_life_months` must be > 0 (got {half_life_months!r})")
    if isinstance(min_seasoned, bool) or not isinstance(min_seasoned, int) or min_seasoned < 1:
        raise InputError(f"`min_seasoned` must be an integer >= 1 (got {min_seasoned!r})")
    if not (isinstance(min_developed_share, int | float) and 0 <= min_developed_share <= 1):
        raise InputError(f"`min_developed_share` must be in [0, 1] "
                         f"(got {min_developed_share!r})")
    if max_months_on_book is not None and (
            isinstance(max_months_on_book, bool) or not isinstance(max_months_on_book, int)
            or max_months_on_book < 1):
        raise InputError(f"`max_months_on_book` must be an integer >= 1 "
                         f"(got {max_months_on_book!r})")


def _dispersion(rates: Array, weights: Array, mean: float) -> Dispersion:
    std = float(np.sqrt(np.sum(weights * (rates - mean) ** 2)))
    return Dispersion(int(rates.size), std, float(rates.min()), float(rates.max()),
                      std / mean if mean > 0 else math.nan)


def analyse_static_pool(
    data: StaticPoolData,
    *,
    weighting: Weighting = "balance",
    half_life_months: float = DEFAULT_HALF_LIFE_MONTHS,
    min_seasoned: int = DEFAULT_MIN_SEASONED,
    min_developed_share: float = DEFAULT_MIN_DEVELOPED_SHARE,
    max_months_on_book: int | None = None,
) -> StaticPoolAnalysis:
    """Analyse static-pool data: curves, extrapolation, base case, prepayment, recovery and
    the implied correlation (module docstring).

    Parameters
    ----------
    data
        The triangle (:func:`abs_tool.io.static_pool.load_static_pool`).
    weighting
        How vintages weigh in the base case: ``"balance"`` (original balance), ``"equal"``
        or ``"recent"`` (balance times ``2^(-months before the newest / half_life_months)``).
    half_life_months
        Half-life of the ``recent`` weighting, > 0.
    min_seasoned
        Fewest vintages observed to the last month on book (chain-ladder), >= 1.
    min_developed_share
        Vintages that have shown less than this share of their lifetime defaults stay out
        of the base case (they are still projected and listed), in [0, 1].
    max_months_on_book
        Cut the triangle at this month on book (when few vintages reach the longest).

    Returns
    -------
    StaticPoolAnalysis

    Raises
    ------
    InputError
        An invalid parameter.
    InsufficientHistoryError
        Too few seasoned vintages, or no defaults in them.
    """
    _check_settings(weighting, half_life_months, min_seasoned, min_developed_share,
                    max_months_on_book)
    months = data.n_months if max_months_on_book is None else min(data.n_months,
                                                                   max_months_on_book)
    notes: list[str] = [
        f"chain-ladder tail: the default curve is taken as complete at month on book "
        f"{months}, the longest observed (no development after it)"]
    rates = data.cumulative_default_balance[:, :months] / data.original_balance[:, None]
    balance = chain_ladder(rates, data.original_balance, basis="balance",
                           vintages=data.vintages, min_seasoned=min_seasoned)
    count = None
    if data.original_count is not None and data.cumulative_default_count is not None:
        count_rates = data.cumulative_default_count[:, :months] / data.original_count[:, None]
        count = chain_ladder(count_rates, data.original_count, basis="count",
                             vintages=data.vintages, min_seasoned=min_seasoned)
    median = float(np.searchsorted(balance.cumulative_share, 0.5) + 1)
    fit = fit_timing_curve(rates, data.original_balance, start_median_months=median)
    projectable = np.isfinite(balance.lifetime_rate)
    if not projectable.all():
        names = [data.vintages[i] for i in np.flatnonzero(~projectable)]
        notes.append(f"not projected by chain-ladder ({len(names)}): "
                     + ", ".join(names[:10]) + ": no vintage had defaulted that early")
    included = projectable & (balance.developed_share >= min_developed_share)
    young = projectable & ~included
    if young.any():
        notes.append(f"{int(young.sum())} vintage(s) have shown less than "
                     f"{min_developed_share:.0%} of their lifetime defaults and stay out of the "
                     "base case (listed with their projections)")
    if not included.any():
        raise InsufficientHistoryError(
            "no vintage has shown enough of its lifetime defaults to enter the base case "
            f"(min_developed_share {min_developed_share:g})")
    weights = _weights(data, included, weighting, half_life_months)
    lifetime = float(np.sum(weights[included] * balance.lifetime_rate[included]))
    rates_in = balance.lifetime_rate[included]
    dispersion = _dispersion(rates_in, weights[included], lifetime)
    by_count = None
    if count is not None:
        both = included & np.isfinite(count.lifetime_rate)
        w = weights * both
        by_count = float(np.sum(w[both] * count.lifetime_rate[both]) / w.sum()) \
            if w.sum() > 0 else None
    fit_rate = float(np.sum(weights * np.where(included, fit.lifetime_rate, 0.0)))
    notes.append(f"weighting {weighting!r}"
                 + (f" (half-life {half_life_months:g} months)" if weighting == "recent" else "")
                 + f" over {int(included.sum())} vintage(s)")
    notes.append(f"Weibull alternative puts {fit.tail_share:.2%} of lifetime defaults after "
                 f"month on book {months}; base case from it {fit_rate:.4%} against "
                 f"chain-ladder {lifetime:.4%}")
    prepayment = _prepayment(data, months)
    smm = cpr = None
    if prepayment is not None:
        smm, method = prepayment
        cpr = cpr_from_smm(smm)
        notes.append(f"prepayment: {method}")
    recovery = _recovery(data, balance.seasoned, months)
    if recovery is not None:
        notes.append(f"recovery: {recovery.method}")
    elif data.cumulative_recovery_balance is not None:
        notes.append("recovery: no recoveries in the seasoned vintages within "
                     f"{months} months on book; no recovery rate estimated")
    correlation = None
    if included.sum() >= 3 and 0 < float(np.mean(rates_in)) < 1:
        counts = data.original_count[included] if data.original_count is not None else None
        correlation = implied_correlation(rates_in, counts)
    return StaticPoolAnalysis(
        data=data, months=months, weighting=weighting, half_life_months=half_life_months,
        min_developed_share=min_developed_share, balance=balance, count=count, fit=fit,
        included=_readonly(included, np.bool_), weights=_readonly(weights),
        lifetime_default_rate=lifetime, lifetime_default_rate_by_count=by_count,
        lifetime_default_rate_fit=fit_rate, dispersion=dispersion,
        timing_curve=balance.timing, smm=None if smm is None else _readonly(smm),
        cpr_annual=None if cpr is None else _readonly(cpr), recovery=recovery,
        correlation=correlation, notes=tuple(notes))


# --------------------------------------------------------------------------------------------
# The pool's own base case
# --------------------------------------------------------------------------------------------


def seasoned_timing(timing: Array, seasoning_months: int) -> tuple[float, Array]:
    """The timing curve of loans already ``seasoning_months`` on book.

    Parameters
    ----------
    timing
        Shape (months,): share of lifetime defaults by month on book (sums to 1).
    seasoning_months
        Months already on book, >= 0.

    Returns
    -------
    remaining_share, shares
        The share of lifetime defaults still to come, ``1 - F(s)``, and the shares of it by
        month after the cut-off (``timing[s:]`` renormalised; empty when nothing remains).
    """
    if isinstance(seasoning_months, bool) or not isinstance(seasoning_months, int | np.integer) \
            or seasoning_months < 0:
        raise InputError(f"`seasoning_months` must be an integer >= 0 (got {seasoning_months!r})")
    rest = np.asarray(timing, dtype=np.float64)[int(seasoning_months):]
    total = float(rest.sum())
    return total, (rest / total if total > 0 else rest[:0])


@dataclass(frozen=True, eq=False)
class PoolBaseCase:
    """The static-pool base case for one pool, given each loan's months on book.

    Attributes
    ----------
    cumulative_rate
        Defaults still to come as a share of the pool's current balance (the
        :class:`~abs_tool.model.assumptions.LifetimeDefault` rate).
    timing
        Shares of those defaults by month after the cut-off (sums to 1).
    cpr_annual
        CPR by month after the cut-off (balance-weighted over the loans' months on book),
        or None.
    seasoning_months
        The pool's balance-weighted mean months on book.
    """

    cumulative_rate: float
    timing: Array
    cpr_annual: Array | None
    seasoning_months: float


def pool_base_case(analysis: StaticPoolAnalysis, seasoning_months: Array,
                   original_balance: Array, balance: Array) -> PoolBaseCase:
    """Condition the base case on a pool's seasoning.

    A loan ``s`` months on book is a survivor of its vintage: the vintage's defaults still to
    come, ``L (F(s + t) - F(s + t - 1))`` of its original balance in month ``t`` after the
    cut-off, fall on its survivors. Each loan carries them in proportion to its original
    balance over the vintage's surviving share ``1 - L F(s) - P(s)`` (``P`` the cumulative
    prepaid share of the data, 0 without prepayment data).

    Parameters
    ----------
    analysis
        The static-pool analysis.
    seasoning_months, original_balance, balance
        Shape (loans,): months on book, original and current balance of each loan.

    Returns
    -------
    PoolBaseCase
    """
    months = analysis.months
    seasoning = np.clip(np.round(np.asarray(seasoning_months, float)), 0, None).astype(np.int64)
    original = np.asarray(original_balance, dtype=np.float64)
    current = np.asarray(balance, dtype=np.float64)
    rate = analysis.lifetime_default_rate
    share = np.concatenate([[0.0], analysis.balance.cumulative_share])  # F(0..A)
    data = analysis.data
    prepaid_share = np.zeros(months + 1)
    if data.cumulative_prepaid_balance is not None:
        prepaid = data.cumulative_prepaid_balance[:, :months]
        observed = data.observed[:, :months]
        lent = (data.original_balance[:, None] * observed).sum(axis=0)
        prepaid_share[1:] = np.nan_to_num(prepaid).sum(axis=0) / np.where(lent > 0, lent, 1.0)
    at = np.minimum(seasoning[:, None] + np.arange(months + 1)[None, :], months)
    developed = share[at]  # (loans, months + 1): F(s + t), t = 0..A
    surviving = np.clip(1.0 - rate * developed[:, 0] - prepaid_share[at[:, 0]], 1e-6, None)
    amounts = (rate * original / surviving)[:, None] * np.diff(developed, axis=1)
    by_month = amounts.sum(axis=0)
    total = float(by_month.sum())
    pool_balance = float(current.sum())
    cumulative = min(total / pool_balance, 1.0) if pool_balance > 0 else 0.0
    timing = by_month / total if total > 0 else np.eye(1, months)[0]
    cpr = None
    if analysis.cpr_annual is not None:
        by_age = np.nan_to_num(np.concatenate([analysis.cpr_annual, analysis.cpr_annual[-1:]]))
        ages = np.minimum(seasoning[:, None] + np.arange(1, months + 1)[None, :], months)
        cpr = (current[:, None] * by_age[ages - 1]).sum(axis=0) / max(pool_balance, 1e-300)
        cpr = np.clip(cpr, 0.0, 0.999)
    mean_seasoning = float(np.sum(current * seasoning) / pool_balance) if pool_balance > 0 \
        else 0.0
    return PoolBaseCase(cumulative_rate=cumulative, timing=_readonly(timing),
                        cpr_annual=None if cpr is None else _readonly(cpr),
                        seasoning_months=mean_seasoning)


def base_case_assumptions(analysis: StaticPoolAnalysis, assumptions: Assumptions,
                          pool: Pool | None = None) -> tuple[Assumptions, list[str]]:
    """A deal's assumptions with the static-pool base case in place of its default,
    prepayment and recovery assumptions.

    Default: :class:`~abs_tool.model.assumptions.LifetimeDefault` with the pool's own rate
    and timing given its seasoning (:func:`pool_base_case`), or the vintage base case as is
    when no pool is given. Prepayment: the CPR by month after the cut-off, where the data
    have prepayments. Recovery: rate (capped at 1) and lag (rounded to whole months), with
    ``from_tape = False`` so that the static-pool rate applies to every loan. What the data
    do not give is kept from ``assumptions``; the returned notes say what was replaced.

    Returns
    -------
    assumptions, notes
    """
    notes: list[str] = []
    if pool is not None:
        loans = pool.loans
        case = pool_base_case(analysis, loans["seasoning"].to_numpy(),
                              loans["original_balance"].to_numpy(), loans["balance"].to_numpy())
        default = LifetimeDefault(cumulative_rate=case.cumulative_rate,
                                  timing=tuple(float(x) for x in case.timing))
        notes.append(f"default: lifetime {case.cumulative_rate:.4%} of the current pool "
                     f"balance, timing conditioned on the pool's seasoning (balance-weighted "
                     f"{case.seasoning_months:.1f} months on book)")
        cpr = case.cpr_annual
    else:
        default = LifetimeDefault(cumulative_rate=analysis.lifetime_default_rate,
                                  timing=tuple(float(x) for x in analysis.timing_curve))
        notes.append(f"default: lifetime {analysis.lifetime_default_rate:.4%} with the "
                     "vintage timing curve (a new pool)")
        cpr = analysis.cpr_annual
    prepayment = assumptions.prepayment
    if cpr is not None and np.all(np.isfinite(cpr)):
        prepayment = Cpr(annual=tuple(float(x) for x in np.clip(cpr, 0.0, 0.999)))
        notes.append(f"prepayment: CPR by month from the static pool (mean "
                     f"{float(np.mean(cpr)):.2%})")
    else:
        notes.append("prepayment: kept from the deal (no prepayment data)")
    recovery = assumptions.recovery
    if analysis.recovery is not None:
        recovery = Recovery(rate=min(max(analysis.recovery.rate, 0.0), 1.0),
                            lag_months=int(round(analysis.recovery.lag_months)),
                            from_tape=False)
        notes.append(f"recovery: {recovery.rate:.2%} after {recovery.lag_months} months, for "
                     "every loan (from_tape = false)")
    else:
        notes.append("recovery: kept from the deal (no recovery data)")
    changes: dict[str, Any] = {"default": default, "prepayment": prepayment,
                               "recovery": recovery}
    volatility = assumptions.recovery_volatility
    if volatility > 0 and not volatility < math.sqrt(recovery.rate * (1 - recovery.rate)):
        changes["recovery_volatility"] = 0.0
        notes.append(f"recovery volatility {volatility:g} does not fit a mean recovery of "
                     f"{recovery.rate:.2%}: set to 0")
    return dataclasses.replace(assumptions, **changes), notes
