"""Per-class, per-path metrics of a waterfall run (DOMAIN.md "Metrics").

Every array here is shaped (paths, classes) unless said otherwise. Times are in years of
12 months (30/360), yields are nominal annual rates compounded monthly, like the coupons.

Yield policy: a class's cash flows after the purchase are never negative, so the price
equation ``sum cf_t v^t = original balance`` in the monthly discount factor ``v`` has exactly
one positive root whenever the class receives any cash (see :func:`solve_log_discount`).
The yield is the nominal annual rate 12 (1/v - 1); a class that receives nothing has a
monthly return of -100%, shown as a yield of -1200%.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .waterfall import WaterfallResult

Array = NDArray[np.float64]

DEFAULT_THRESHOLD = 1e-9
"""A class has defaulted when its loss exceeds this share of its original balance."""

_NEWTON_ITERATIONS = 60
_NEWTON_TOLERANCE = 1e-13


@dataclass(frozen=True)
class ClassMetrics:
    """Per path and class. Loss figures are shares of the original class balance."""

    original_balance: Array  # (classes,)
    coupon_annual: Array  # (classes,)
    interest_received: Array
    principal_received: Array
    residual_received: Array
    principal_loss: Array  # written-down principal / original
    interest_loss: Array  # interest still unpaid when the deal ended / original
    loss_pv: Array  # PV at the coupon of what was finally not paid / original (EL per path)
    defaulted: NDArray[np.bool_]
    wal_years: Array  # principal-weighted, NaN when no principal was received
    yield_annual: Array
    modified_duration_years: Array
    dirr_bp: Array  # coupon minus yield in bp; NaN for classes without a coupon


def discount_factors(rate_monthly: Array, n_periods: int) -> Array:
    """(classes, periods): (1 + r)^-t for t = 1..n_periods."""
    t = np.arange(1, n_periods + 1)
    return (1.0 + rate_monthly)[:, None] ** -t[None, :]


def solve_log_discount(cash: Array, price: Array) -> Array:
    """Log monthly discount factor u with ``sum_t cash_t e^(u t) = price``.

    Solved in log space, ``log sum_t cash_t e^(u t) = log price``, whose left side is convex
    and increasing in u (a log-sum-exp), so Newton's method converges monotonically after at
    most one step, and no power of the discount factor can overflow however large the loss.

    Parameters
    ----------
    cash
        (n, periods) non-negative cash flows at months 1..periods.
    price
        (n,) amounts paid at month 0, > 0.

    Returns
    -------
    (n,) log discount factors; +inf where no cash is received (yield -100% a month).
    """
    n_periods = cash.shape[1]
    t = np.arange(1, n_periods + 1, dtype=np.float64)
    receives = cash.sum(axis=1) > 0
    with np.errstate(divide="ignore"):
        log_cash = np.log(np.where(receives[:, None], cash, 1.0))
        log_price = np.log(price)
    u = np.zeros(len(price))
    for _ in range(_NEWTON_ITERATIONS):
        terms = log_cash + u[:, None] * t[None, :]
        top = terms.max(axis=1)
        weights = np.exp(terms - top[:, None])
        total = weights.sum(axis=1)
        value = top + np.log(total) - log_price
        slope = (weights * t).sum(axis=1) / total
        step = value / slope
        u = u - step
        if np.all(np.abs(step) <= _NEWTON_TOLERANCE):
            break
    return np.where(receives, u, np.inf)


def class_metrics(
    result: WaterfallResult, coupon_annual: Array, *, with_duration: bool = True
) -> ClassMetrics:
    """Metrics of every class on every path of ``result``.

    ``with_duration=False`` leaves modified durations NaN (the Monte Carlo does not
    aggregate them, and they cost as much as the yields).
    """
    flows = result.classes
    original = result.original_balance
    n_paths, n_classes, n_periods = flows.principal_paid.shape
    coupon_monthly = np.asarray(coupon_annual, dtype=np.float64) / 12.0
    month = np.arange(1, n_periods + 1, dtype=np.float64)

    ending = month[None, :] == result.end_month[:, None]  # (paths, periods)
    unpaid_interest = (flows.interest_shortfall * ending[:, None, :]).sum(axis=2)
    writedown = flows.writedown.sum(axis=2)
    discount = discount_factors(coupon_monthly, n_periods)  # (classes, periods)
    lost = flows.writedown + flows.interest_shortfall * ending[:, None, :]
    loss_pv = (lost * discount[None]).sum(axis=2) / original

    principal = flows.principal_paid.sum(axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        wal = (flows.principal_paid * month).sum(axis=2) / principal / 12.0
    wal = np.where(principal > 0, wal, np.nan)

    # A class paid in full without residual received exactly its promised flows, worth par
    # at the coupon: its yield is the coupon. Only the other paths need the solver.
    coupon = np.asarray(coupon_annual, dtype=np.float64)
    residual = flows.residual.sum(axis=2)
    u = np.broadcast_to(-np.log1p(coupon_monthly), (n_paths, n_classes)).copy()
    solve = (loss_pv > DEFAULT_THRESHOLD) | (residual > 0)
    u[solve] = solve_log_discount(flows.cash[solve], np.broadcast_to(original, u.shape)[solve])
    receives = np.isfinite(u)
    u_safe = np.where(receives, u, 0.0)
    yield_annual = np.where(receives, 12.0 * np.expm1(-u_safe), -12.0)
    modified = np.full((n_paths, n_classes), np.nan)
    if with_duration:
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.log(flows.cash) + u_safe[:, :, None] * month
            weights = np.exp(terms - terms.max(axis=2, keepdims=True))
            macaulay = (weights * month).sum(axis=2) / weights.sum(axis=2) / 12.0
        modified = np.where(receives, macaulay * np.exp(u_safe), np.nan)
    dirr = np.where(coupon[None, :] > 0, (coupon[None, :] - yield_annual) * 1e4, np.nan)

    return ClassMetrics(
        original_balance=original,
        coupon_annual=coupon,
        interest_received=flows.interest_paid.sum(axis=2),
        principal_received=principal,
        residual_received=flows.residual.sum(axis=2),
        principal_loss=writedown / original,
        interest_loss=unpaid_interest / original,
        loss_pv=loss_pv,
        defaulted=loss_pv > DEFAULT_THRESHOLD,
        wal_years=wal,
        yield_annual=yield_annual,
        modified_duration_years=modified,
        dirr_bp=dirr,
    )
