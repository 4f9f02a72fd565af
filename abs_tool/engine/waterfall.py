"""The priority of payments, stepping month by month with the pool, path by path.

The arithmetic runs in the one compiled kernel of :mod:`abs_tool.engine.kernel`; this module
defines its results and packs the deal's terms for it. Each month t, on every path
(DOMAIN.md "Waterfall"):

0. Collections of the pool (:mod:`abs_tool.engine.projection`) plus the whole reserve balance are
   available; if a clean-up call is exercised this month, its price (performing balance plus
   expected pending recoveries) is added and the pool is gone.
1. Senior fees in the order listed (annual rate on the opening pool balance plus a fixed
   annual amount, 1/12 a month); unpaid fees carry forward.
2. Interest to each coupon-bearing class in seniority order, on its payment dates (quarterly
   classes pay every third month of the revolving period, monthly after it). Interest accrues
   monthly at coupon/12 on the outstanding balance and unpaid interest itself bears interest
   at the coupon, so the promised flows are worth par at the coupon rate and the expected
   loss of DOMAIN.md is exactly the present value of what is finally not paid.
3. Reserve top-up to its target.
4. Principal: the amount due is the note balance in excess of the performing pool balance
   (the pool's decline including defaults, so excess spread covers losses: a PDL). During the
   revolving period it buys new receivables instead. Sequential, or pro rata by balance while
   no ``sequential`` trigger is breached. With ``turbo``, all cash left pays principal too.
5. The residual goes to the subordinated class (or the originator when there is none). In
   the revolving period of a deal with quarterly payment dates, the trust account keeps what
   is left in the months between them (``held_close``) and brings it in the next month
   (``held_open``): nothing is released before the coupons of the quarter are paid.

Under acceleration, cash after fees goes class by class: interest, then all principal.
Triggers are evaluated at the end of each month and act from the next month on; they are
sticky. A class still outstanding when the deal ends (legal final, or pool exhausted with no
recovery to come) is written down; its unpaid interest is a shortfall.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from abs_tool.engine import kernel
from abs_tool.engine.projection import PoolState
from abs_tool.errors import AssumptionError
from abs_tool.model.assumptions import monthly_vector
from abs_tool.model.deal import PrincipalMode, Structure, Tier, TriggerAction, TriggerMetric
from abs_tool.types import Array

"""Most arrays here are (paths, periods); class arrays are (paths, classes, periods)."""

POOL_LINES = (
    "balance_open", "interest", "scheduled_principal", "prepayment", "default", "recovery",
    "loss", "fee_income", "balance_close",
)


@dataclass(frozen=True)
class PoolFlows:
    """Pool lines by (paths, periods), in currency; ``cumulative_default_rate`` is
    cumulative defaults over (initial balance + purchases)."""

    balance_open: Array
    interest: Array
    scheduled_principal: Array
    prepayment: Array
    default: Array
    recovery: Array
    loss: Array
    fee_income: Array
    balance_close: Array
    purchases: Array
    call_proceeds: Array
    cumulative_default_rate: Array

    @property
    def collections(self) -> Array:
        """Cash collected from the pool each month (interest, principal, recoveries, fees)."""
        return (self.interest + self.scheduled_principal + self.prepayment + self.recovery
                + self.fee_income)


@dataclass(frozen=True)
class ClassFlows:
    """Per class, shaped (paths, classes, periods).

    ``interest_due`` is what was owed on the month's payment date (0 on other months),
    ``interest_shortfall`` what remained unpaid after it (carried, bearing interest).
    ``residual`` is the subordinated class's excess cash (its column; zero for others).
    """

    balance_open: Array
    interest_due: Array
    interest_paid: Array
    interest_shortfall: Array
    principal_paid: Array
    writedown: Array
    residual: Array
    balance_close: Array

    @property
    def cash(self) -> Array:
        """All cash received by each class each month."""
        return self.interest_paid + self.principal_paid + self.residual


@dataclass(frozen=True)
class WaterfallResult:
    """Everything one run of the engine produces, every array with paths first."""

    original_balance: NDArray[np.float64]  # (classes,)
    pool: PoolFlows
    classes: ClassFlows
    fees_paid: Array  # (paths, fees, periods)
    fees_unpaid: Array  # (paths, fees, periods), carried forward
    reserve_open: Array
    reserve_target: Array
    reserve_close: Array
    originator_residual: Array
    held_open: Array  # collections kept in the trust account from the month before
    held_close: Array  # collections kept for the next payment date (quarterly, revolving)
    trigger_value: Array  # (paths, triggers, periods)
    trigger_breached: NDArray[np.bool_]  # (paths, triggers, periods), sticky
    revolving: NDArray[np.bool_]  # (paths, periods): month was in the revolving period
    accelerated: NDArray[np.bool_]  # (paths, periods)
    end_month: NDArray[np.int64]  # (paths,): month in which the deal ended (write-downs)

    @property
    def n_paths(self) -> int:
        return int(self.pool.balance_open.shape[0])

    @property
    def n_periods(self) -> int:
        return int(self.pool.balance_open.shape[1])


_METRIC_CODES = {
    TriggerMetric.CUMULATIVE_DEFAULT_RATE: kernel.CUMULATIVE_DEFAULT_RATE,
    TriggerMetric.RESERVE_SHORTFALL: kernel.RESERVE_SHORTFALL,
    TriggerMetric.PRINCIPAL_DEFICIENCY: kernel.PRINCIPAL_DEFICIENCY,
}
_ACTION_CODES = {
    TriggerAction.SEQUENTIAL: kernel.SEQUENTIAL,
    TriggerAction.END_REVOLVING: kernel.END_REVOLVING,
    TriggerAction.ACCELERATE: kernel.ACCELERATE,
}


def run_waterfall(
    structure: Structure,
    pool: PoolState,
    class_balances: tuple[float, ...],
) -> WaterfallResult:
    """Step the pool and the waterfall through every month of the pool's horizon.

    Every path runs on its own through :func:`abs_tool.engine.kernel.run_kernel`, in the order of
    events of this module's docstring and of :mod:`abs_tool.engine.projection`.

    Parameters
    ----------
    structure
        The liability side.
    pool
        The asset side: a :class:`~abs_tool.engine.projection.PoolState` (its paths set the paths).
    class_balances
        Original balance of each class in currency (see ``Structure.class_amounts``).

    Raises
    ------
    AssumptionError
        When the deal buys receivables but the pool model has no purchase profile.
    """
    n_paths, horizon = pool.n_paths, pool.model.horizon_months
    classes, fees, triggers = structure.classes, structure.fees, structure.triggers
    n_classes = len(classes)
    original = np.asarray(class_balances, dtype=np.float64)
    sub = [j for j, c in enumerate(classes) if c.tier == Tier.SUBORDINATED]
    reserve = structure.reserve
    threshold = np.zeros((len(triggers), horizon))
    for i, trig in enumerate(triggers):  # the last value repeats
        threshold[i] = monthly_vector(trig.threshold, horizon)

    pool_out = np.zeros((len(kernel.POOL_ROWS), n_paths, horizon))
    class_out = np.zeros((len(kernel.CLASS_ROWS), n_paths, n_classes, horizon))
    fee_out = np.zeros((len(kernel.FEE_ROWS), n_paths, len(fees), horizon))
    account_out = np.zeros((len(kernel.ACCOUNT_ROWS), n_paths, horizon))
    trigger_value = np.zeros((n_paths, len(triggers), horizon))
    trigger_breached = np.zeros((n_paths, len(triggers), horizon), dtype=np.bool_)
    flag_out = np.zeros((len(kernel.FLAG_ROWS), n_paths, horizon), dtype=np.bool_)
    end_month = np.zeros(n_paths, dtype=np.int64)
    status = kernel.run_kernel(
        pool.initial_flows, pool.purchase_flows, pool.purchase_balance,
        pool.initial_balance, pool.model.balance,
        pool.hazard, pool.amount_share, pool.smm, pool.recovery_rate, pool.lag_months,
        original, float(original.sum()),
        np.array([c.coupon_annual / 12.0 for c in classes]),
        np.array([c.payment_frequency_months == 3 for c in classes], dtype=np.bool_),
        np.array([c.tier != Tier.SUBORDINATED for c in classes], dtype=np.bool_),
        sub[0] if sub else -1,
        np.array([f.rate_annual / 12.0 for f in fees], dtype=np.float64),
        np.array([f.fixed_annual / 12.0 for f in fees], dtype=np.float64),
        float(reserve.initial_share), float(reserve.target_share), float(reserve.floor_share),
        structure.revolving.months if structure.revolving else 0,
        (float(structure.clean_up_call.threshold_share) if structure.clean_up_call
         else np.nan),
        structure.principal_mode == PrincipalMode.SEQUENTIAL,
        bool(structure.turbo),
        np.array([_METRIC_CODES[t.metric] for t in triggers], dtype=np.int64),
        np.array([_ACTION_CODES[t.action] for t in triggers], dtype=np.int64),
        threshold,
        pool_out, class_out, fee_out, account_out, trigger_value, trigger_breached, flag_out,
        end_month,
    )
    if status == kernel.BOUGHT_WITHOUT_PROFILE:
        raise AssumptionError("the deal buys receivables but no purchase profile is set")
    return WaterfallResult(
        original_balance=original,
        pool=PoolFlows(**dict(zip(kernel.POOL_ROWS, pool_out, strict=True))),
        classes=ClassFlows(**dict(zip(kernel.CLASS_ROWS, class_out, strict=True))),
        fees_paid=fee_out[0],
        fees_unpaid=fee_out[1],
        reserve_open=account_out[0],
        reserve_target=account_out[1],
        reserve_close=account_out[2],
        originator_residual=account_out[3],
        held_open=account_out[4],
        held_close=account_out[5],
        trigger_value=trigger_value,
        trigger_breached=trigger_breached,
        revolving=flag_out[0],
        accelerated=flag_out[1],
        end_month=end_month,
    )
