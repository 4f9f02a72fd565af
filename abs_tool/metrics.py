"""Per-class, per-path metrics of a waterfall run (DOMAIN.md "Metrics").

Every array here is shaped (paths, classes) unless said otherwise. Times are in years of
12 months (30/360), yields are nominal annual rates compounded monthly, like the coupons.

Yield policy: a class's cash flows after the purchase are never negative, so the price
equation ``sum cf_t v^t = original balance`` in the monthly discount factor ``v`` has exactly
one positive root whenever the class receives any cash; it is found by Newton's method,
which converges monotonically on this convex increasing function after at most one step. A
class that receives nothing has a yield of -100%.
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


def solve_yield(cash: Array, price: Array) -> Array:
    """Monthly discount factor v with ``sum_t cash_t v^t = price`` (see module docstring).

    Parameters
    ----------
    cash
        (n, periods) non-negative cash flows at months 1..periods.
    price
        (n,) amounts paid at month 0, > 0.

    Returns
    -------
    (n,) discount factors; 0 where no cash is received (yield -100%).
    """
    n_periods = cash.shape[1]
    t = np.arange(1, n_periods + 1, dtype=np.float64)
    receives = cash.sum(axis=1) > 0
    v = np.ones(len(price))
    for _ in range(_NEWTON_ITERATIONS):
        powers = v[:, None] ** t[None, :]
        value = (cash * powers).sum(axis=1) - price
        slope = (cash * t[None, :] * powers / v[:, None]).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(receives & (slope > 0), value / slope, 0.0)
        v = v - step
        if np.all(np.abs(step) <= _NEWTON_TOLERANCE * np.maximum(v, 1.0)):
            break
    return np.where(receives, v, 0.0)


def class_metrics(result: WaterfallResult, coupon_annual: Array) -> ClassMetrics:
    """Metrics of every class on every path of ``result``."""
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

    cash = flows.cash.reshape(n_paths * n_classes, n_periods)
    price = np.tile(original, n_paths)
    v = solve_yield(cash, price)
    powers = v[:, None] ** month[None, :]
    present = (cash * powers).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        macaulay = (cash * powers * month).sum(axis=1) / present / 12.0
        yield_annual = np.where(v > 0, 12.0 * (1.0 / v - 1.0), -1.0)
    modified = np.where(v > 0, macaulay * v, np.nan)
    yield_annual = yield_annual.reshape(n_paths, n_classes)
    coupon = np.asarray(coupon_annual, dtype=np.float64)
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
        modified_duration_years=modified.reshape(n_paths, n_classes),
        dirr_bp=dirr,
    )
