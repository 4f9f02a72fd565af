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
from numba import njit
from numpy.typing import NDArray

from abs_tool.engine.waterfall import WaterfallResult
from abs_tool.types import Array, IntArray, kernel_array

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


@njit(cache=True, nogil=True, error_model="numpy")
def _log_discount(cash: Array, price: float, log_cash: Array) -> float:  # pragma: no cover
    """:func:`solve_log_discount` for one row ``cash`` (periods,); ``log_cash`` is scratch
    space of the same shape. Each row stops on its own tolerance, so a row's root does not
    depend on the rows solved beside it."""
    n = cash.shape[0]
    received = 0.0
    for i in range(n):
        received += cash[i]
        log_cash[i] = np.log(cash[i])
    if not received > 0:
        return np.inf
    log_price = np.log(price)
    u = 0.0
    for _ in range(_NEWTON_ITERATIONS):
        top = -np.inf
        for i in range(n):
            top = max(top, log_cash[i] + u * (i + 1))
        total = moment = 0.0
        for i in range(n):
            w = np.exp(log_cash[i] + u * (i + 1) - top)
            total += w
            moment += w * (i + 1)
        step = (top + np.log(total) - log_price) / (moment / total)
        u -= step
        if abs(step) <= _NEWTON_TOLERANCE:
            break
    return u


@njit(cache=True, nogil=True, error_model="numpy")
def _solve_rows(cash: Array, price: Array, out: Array) -> None:  # pragma: no cover - compiled
    log_cash = np.empty(cash.shape[1])
    for r in range(cash.shape[0]):
        out[r] = _log_discount(cash[r], price[r], log_cash)


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
    out = np.empty(len(price))
    _solve_rows(kernel_array(cash), kernel_array(price), out)
    return out


# Rows of the per-path metrics array that _metrics_kernel fills.
_ROWS = ("interest_received", "principal_received", "residual_received", "principal_loss",
         "interest_loss", "loss_pv", "wal_years", "yield_annual", "modified_duration_years")


@njit(cache=True, nogil=True, error_model="numpy")
def _metrics_kernel(interest: Array, principal: Array, residual: Array, writedown: Array,
                    shortfall: Array, end_month: IntArray, original: Array,
                    coupon_monthly: Array, with_duration: bool,
                    out: Array) -> None:  # pragma: no cover - compiled
    """Fill ``out`` (len(_ROWS), paths, classes) from flows (paths, classes, periods)."""
    n_paths, n_classes, n_periods = principal.shape
    cash = np.empty(n_periods)
    log_cash = np.empty(n_periods)
    discount = np.empty((n_classes, n_periods))  # (1 + r)^-t, t = 1..periods
    for c in range(n_classes):
        for k in range(n_periods):
            discount[c, k] = (1.0 + coupon_monthly[c]) ** -(k + 1.0)
    for p in range(n_paths):
        end = end_month[p] - 1  # what is still unpaid when the deal ends is lost
        for c in range(n_classes):
            r = coupon_monthly[c]
            received_i = received_p = received_r = lost_principal = lost_pv = 0.0
            timed = 0.0
            for k in range(n_periods):
                received_i += interest[p, c, k]
                received_p += principal[p, c, k]
                received_r += residual[p, c, k]
                lost_principal += writedown[p, c, k]
                timed += principal[p, c, k] * (k + 1)
                lost = writedown[p, c, k] + (shortfall[p, c, k] if k == end else 0.0)
                lost_pv += lost * discount[c, k]
                cash[k] = interest[p, c, k] + principal[p, c, k] + residual[p, c, k]
            loss_pv = lost_pv / original[c]
            # Paid in full without residual: exactly the promised flows, worth par at the
            # coupon, so the yield is the coupon. Only the other classes need the solver.
            u = -np.log1p(r)
            if loss_pv > DEFAULT_THRESHOLD or received_r > 0:
                u = _log_discount(cash, original[c], log_cash)
            receives = np.isfinite(u)
            u_safe = u if receives else 0.0
            modified = np.nan
            if with_duration and receives:
                top = -np.inf
                for k in range(n_periods):
                    log_cash[k] = np.log(cash[k]) + u_safe * (k + 1)
                    top = max(top, log_cash[k])
                total = moment = 0.0
                for k in range(n_periods):
                    w = np.exp(log_cash[k] - top)
                    total += w
                    moment += w * (k + 1)
                modified = moment / total / 12.0 * np.exp(u_safe)
            out[0, p, c] = received_i
            out[1, p, c] = received_p
            out[2, p, c] = received_r
            out[3, p, c] = lost_principal / original[c]
            out[4, p, c] = (shortfall[p, c, end] if 0 <= end < n_periods else 0.0) / original[c]
            out[5, p, c] = loss_pv
            out[6, p, c] = timed / received_p / 12.0 if received_p > 0 else np.nan
            out[7, p, c] = 12.0 * np.expm1(-u_safe) if receives else -12.0
            out[8, p, c] = modified


def class_metrics(
    result: WaterfallResult, coupon_annual: Array, *, with_duration: bool = True
) -> ClassMetrics:
    """Metrics of every class on every path of ``result``, path by path in compiled code.

    ``with_duration=False`` leaves modified durations NaN (the Monte Carlo does not
    aggregate them, and they cost as much as the yields).
    """
    flows = result.classes
    original = kernel_array(result.original_balance)
    n_paths, n_classes, _ = flows.principal_paid.shape
    coupon = np.asarray(coupon_annual, dtype=np.float64)
    out = np.empty((len(_ROWS), n_paths, n_classes))
    _metrics_kernel(
        kernel_array(flows.interest_paid), kernel_array(flows.principal_paid),
        kernel_array(flows.residual), kernel_array(flows.writedown),
        kernel_array(flows.interest_shortfall),
        kernel_array(result.end_month, np.int64), original,
        kernel_array(coupon / 12.0), bool(with_duration), out,
    )
    values = dict(zip(_ROWS, out, strict=True))
    yield_annual = values["yield_annual"]
    return ClassMetrics(
        original_balance=original,
        coupon_annual=coupon,
        defaulted=values["loss_pv"] > DEFAULT_THRESHOLD,
        dirr_bp=np.where(coupon[None, :] > 0, (coupon[None, :] - yield_annual) * 1e4, np.nan),
        **values,
    )
