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

from abs_tool.engine import kernel
from abs_tool.engine.waterfall import WaterfallResult
from abs_tool.types import Array, kernel_array

DEFAULT_THRESHOLD = kernel.DEFAULT_THRESHOLD
"""A class has defaulted when its loss exceeds this share of its original balance."""


@dataclass(frozen=True)
class ClassMetrics:
    """Per path and class. Loss figures are shares of the original class balance."""

    original_balance: Array  # (classes,)
    coupon_annual: Array  # (classes,)
    interest_received: Array
    principal_received: Array
    residual_received: Array
    principal_loss: Array  # written-down principal, net of reinstatements / original
    interest_loss: Array  # interest still unpaid when the deal ended / original
    loss_pv: Array  # PV at the coupon of what was finally not paid / original (EL per path)
    defaulted: NDArray[np.bool_]
    wal_years: Array  # principal-weighted, NaN when no principal was received
    yield_annual: Array
    modified_duration_years: Array
    dirr_bp: Array  # coupon minus yield in bp; NaN for classes without a coupon


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
    kernel.solve_rows(kernel_array(cash), kernel_array(price), out)
    return out


def class_metrics(
    result: WaterfallResult, coupon_annual: Array, *, with_duration: bool = True
) -> ClassMetrics:
    """Metrics of every class on every path of ``result``, path by path in compiled code.

    ``with_duration=False`` leaves modified durations NaN (the Monte Carlo does not
    aggregate them, and they cost as much as the yields). A floating class
    (``result.floating``) is discounted along its accrual path ``result.coupon_period``
    (:func:`abs_tool.engine.kernel.class_discount`); ``coupon_annual`` is then its quoted
    coupon (:func:`abs_tool.engine.waterfall.reference_coupons`), the DIRR's reference.
    """
    flows = result.classes
    original = kernel_array(result.original_balance)
    n_paths, n_classes, _ = flows.principal_paid.shape
    coupon = np.asarray(coupon_annual, dtype=np.float64)
    rows = np.empty((len(kernel.METRIC_ROWS), n_paths, n_classes))
    kernel.metrics_kernel(
        kernel_array(flows.interest_paid), kernel_array(flows.principal_paid),
        kernel_array(flows.residual), kernel_array(flows.writedown),
        kernel_array(flows.reinstated), kernel_array(flows.interest_shortfall),
        kernel_array(result.end_month, np.int64), original,
        kernel_array(coupon / 12.0), bool(with_duration), rows,
        kernel_array(result.coupon_period), kernel_array(result.floating, np.bool_),
    )
    return metrics_from_rows(rows, original, coupon)


def metrics_from_rows(rows: Array, original_balance: Array, coupon: Array) -> ClassMetrics:
    """:class:`ClassMetrics` from the compiled metrics ``rows`` (len(kernel.METRIC_ROWS),
    paths, classes) of classes of these original balances and annual coupons."""
    values = dict(zip(kernel.METRIC_ROWS, rows, strict=True))
    yield_annual = values["yield_annual"]
    return ClassMetrics(
        original_balance=original_balance,
        coupon_annual=coupon,
        defaulted=values["loss_pv"] > DEFAULT_THRESHOLD,
        dirr_bp=np.where(coupon[None, :] > 0, (coupon[None, :] - yield_annual) * 1e4, np.nan),
        **values,
    )
