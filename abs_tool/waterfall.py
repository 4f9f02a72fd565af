"""The priority of payments, vectorised over paths, stepping month by month with the pool.

Each month t, for every path at once (DOMAIN.md "Waterfall"):

0. Collections of the pool (:mod:`abs_tool.projection`) plus the whole reserve balance are
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
5. The residual goes to the subordinated class (or the originator when there is none).

Under acceleration, cash after fees goes class by class: interest, then all principal.
Triggers are evaluated at the end of each month and act from the next month on; they are
sticky. A class still outstanding when the deal ends (legal final, or pool exhausted with no
recovery to come) is written down; its unpaid interest is a shortfall.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .deal import PrincipalMode, Structure, Tier, TriggerAction, TriggerMetric
from .projection import PoolState

Array = NDArray[np.float64]
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


def _pay(available: Array, due: Array) -> Array:
    """Pay ``due`` from ``available`` (both (paths,)); returns what was paid."""
    return np.minimum(available, np.maximum(due, 0.0))


def _sequential(amount: Array, balances: Array) -> Array:
    """Split ``amount`` (paths,) over classes (paths, C) senior first, each up to its balance."""
    paid = np.zeros_like(balances)
    left = amount.copy()
    for j in range(balances.shape[1]):
        paid[:, j] = np.minimum(left, balances[:, j])
        left -= paid[:, j]
    return paid


def _pro_rata(amount: Array, balances: Array) -> Array:
    total = balances.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total[:, None] > 0, balances / total[:, None], 0.0)
    return np.minimum(amount[:, None] * share, balances)


def run_waterfall(
    structure: Structure,
    pool: PoolState,
    class_balances: tuple[float, ...],
) -> WaterfallResult:
    """Step the pool and the waterfall through every month of the pool's horizon.

    Parameters
    ----------
    structure
        The liability side.
    pool
        A freshly started :class:`~abs_tool.projection.PoolState` (its paths set the paths).
    class_balances
        Original balance of each class in currency (see ``Structure.class_amounts``).
    """
    n_paths = pool.performing.shape[0]
    horizon = pool.model.horizon_months
    classes = structure.classes
    n_classes, n_fees, n_triggers = len(classes), len(structure.fees), len(structure.triggers)
    original = np.asarray(class_balances, dtype=np.float64)
    initial_notes = float(original.sum())
    initial_pool = pool.model.balance
    coupon_monthly = np.array([c.coupon_annual for c in classes]) / 12.0
    quarterly = np.array([c.payment_frequency_months == 3 for c in classes])
    sub = [j for j, c in enumerate(classes) if c.tier == Tier.SUBORDINATED]
    rated = np.array([c.tier != Tier.SUBORDINATED for c in classes])  # turbo pays these
    fee_rate = np.array([f.rate_annual for f in structure.fees]) / 12.0
    fee_fixed = np.array([f.fixed_annual for f in structure.fees]) / 12.0
    reserve = structure.reserve
    revolving_months = structure.revolving.months if structure.revolving else 0
    call_share = structure.clean_up_call.threshold_share if structure.clean_up_call else None

    # Buffers are month-major, so each month writes one contiguous slab; the result moves
    # the month axis last.
    def zeros(*shape: int) -> Array:
        return np.zeros((horizon, n_paths, *shape))

    pool_out = {name: zeros() for name in (*POOL_LINES, "purchases", "call_proceeds",
                                           "cumulative_default_rate")}
    class_out = {name: zeros(n_classes) for name in ClassFlows.__dataclass_fields__}
    fees_paid, fees_unpaid = zeros(n_fees), zeros(n_fees)
    reserve_open_out, reserve_target_out, reserve_close_out = zeros(), zeros(), zeros()
    originator_out = zeros()
    trigger_value = zeros(n_triggers)
    trigger_breached = np.zeros((horizon, n_paths, n_triggers), dtype=bool)
    revolving_out = np.zeros((horizon, n_paths), dtype=bool)
    accelerated_out = np.zeros((horizon, n_paths), dtype=bool)

    balance = np.broadcast_to(original, (n_paths, n_classes)).copy()
    accrued = np.zeros((n_paths, n_classes))
    fee_carry = np.zeros((n_paths, n_fees))
    reserve_cash = np.full(n_paths, initial_notes * reserve.initial_share)
    revolving = np.full(n_paths, revolving_months > 0)
    sequential = np.full(n_paths, structure.principal_mode == PrincipalMode.SEQUENTIAL)
    accelerated = np.zeros(n_paths, dtype=bool)
    ended = np.zeros(n_paths, dtype=bool)
    end_month = np.full(n_paths, horizon, dtype=np.int64)
    breached = np.zeros((n_paths, n_triggers), dtype=bool)
    cumulative_default = np.zeros(n_paths)

    for t in range(1, horizon + 1):
        k = t - 1
        last = t == horizon
        revolving &= t <= revolving_months
        revolving_out[k], accelerated_out[k] = revolving, accelerated
        flows = pool.step(t)
        for name in POOL_LINES:
            pool_out[name][k] = flows[name]
        cumulative_default += flows["default"]

        call = np.zeros(n_paths, dtype=bool)
        pending = pool.pending_recoveries(t)
        if call_share is not None:
            call = (~revolving & ~ended & (flows["balance_close"] > 0)
                    & (flows["balance_close"] <= call_share * initial_pool))
            proceeds = np.where(call, flows["balance_close"] + pending, 0.0)
            if call.any():
                pool.remove(call)
            pool_out["call_proceeds"][k] = proceeds
        pool_close = np.where(call, 0.0, flows["balance_close"])
        pool_out["balance_close"][k] = pool_close
        # Nothing more will come in: every account is paid out this month.
        pool_done = (pool_close <= 0) & (np.where(call, 0.0, pending) <= 0) & ~revolving

        collections = (flows["interest"] + flows["scheduled_principal"] + flows["prepayment"]
                       + flows["recovery"] + flows["fee_income"])
        reserve_open_out[k] = reserve_cash
        available = collections + pool_out["call_proceeds"][k] + reserve_cash
        class_out["balance_open"][k] = balance
        live = ~ended

        # 1. senior fees
        due = np.where(live[:, None], flows["balance_open"][:, None] * fee_rate + fee_fixed,
                       0.0) + fee_carry
        for f in range(n_fees):
            paid = _pay(available, due[:, f])
            available -= paid
            fees_paid[k, :, f] = paid
            fee_carry[:, f] = due[:, f] - paid
        fees_unpaid[k] = fee_carry

        # 2. interest (accrues every month; paid on payment dates)
        accrued = accrued * (1.0 + coupon_monthly) + balance * coupon_monthly
        wind_down = last | call | accelerated | pool_done
        pay_date = (~quarterly[None, :] | ~revolving[:, None] | (t % 3 == 0)
                    | wind_down[:, None]) & (coupon_monthly > 0)[None, :]
        interest_due = np.where(pay_date, accrued, 0.0)
        class_out["interest_due"][k] = interest_due
        principal_paid = np.zeros((n_paths, n_classes))
        interest_paid = np.zeros((n_paths, n_classes))
        for j in range(n_classes):
            interest_paid[:, j] = _pay(available, interest_due[:, j])
            available -= interest_paid[:, j]
            if accelerated.any():  # class by class: this class's principal before the next
                principal_paid[:, j] = np.where(accelerated, _pay(available, balance[:, j]), 0.0)
                available -= principal_paid[:, j]
        accrued -= interest_paid

        # 3. reserve top-up
        notes_open = balance.sum(axis=1)
        target = np.maximum(reserve.target_share * notes_open, reserve.floor_share
                            * initial_notes * (notes_open > 0))
        target = np.where(wind_down | ended | pool_done, 0.0, target)
        reserve_cash = np.minimum(available, target)
        available -= reserve_cash
        reserve_target_out[k], reserve_close_out[k] = target, reserve_cash

        # 4. principal, or purchases while revolving
        normal = ~accelerated
        principal_due = np.maximum(notes_open - principal_paid.sum(axis=1) - pool_close, 0.0)
        purchase = np.where(revolving & ~call, _pay(available, principal_due), 0.0)
        pool.buy(t, purchase)
        available -= purchase
        pool_out["purchases"][k] = purchase
        pool_out["balance_close"][k] = pool_close + purchase
        amortising = normal & ~(revolving & ~call)
        amount = np.where(amortising, _pay(available, principal_due), 0.0)
        outstanding = balance - principal_paid
        if sequential.all():
            split = _sequential(amount, outstanding)
        elif not sequential.any():
            split = _pro_rata(amount, outstanding)
        else:
            split = np.where(sequential[:, None], _sequential(amount, outstanding),
                             _pro_rata(amount, outstanding))
        principal_paid += split
        available -= split.sum(axis=1)
        if structure.turbo:
            extra = _sequential(np.where(amortising, available, 0.0),
                                (balance - principal_paid) * rated[None, :])
            principal_paid += extra
            available -= extra.sum(axis=1)
        balance = balance - principal_paid

        # 5. residual
        if sub:
            class_out["residual"][k, :, sub[0]] = available
        else:
            originator_out[k] = available
        class_out["interest_paid"][k] = interest_paid
        class_out["principal_paid"][k] = principal_paid

        # end of the deal for a path: write down what is left
        ending = ~ended & (last | pool_done)
        writedown = np.where(ending[:, None], balance, 0.0)
        class_out["writedown"][k] = writedown
        class_out["interest_shortfall"][k] = np.where(pay_date | ending[:, None],
                                                           accrued, 0.0)
        balance = balance - writedown
        accrued = np.where(ending[:, None], 0.0, accrued)
        class_out["balance_close"][k] = balance
        ended |= ending
        end_month[ending] = t

        # triggers, acting from next month
        pool_out["cumulative_default_rate"][k] = cumulative_default / pool.base
        for i, trig in enumerate(structure.triggers):
            with np.errstate(divide="ignore", invalid="ignore"):
                if trig.metric == TriggerMetric.CUMULATIVE_DEFAULT_RATE:
                    value = cumulative_default / pool.base
                elif trig.metric == TriggerMetric.RESERVE_SHORTFALL:
                    value = np.where(target > 0, (target - reserve_cash) / target, 0.0)
                else:
                    notes = balance.sum(axis=1)
                    uncovered = notes - pool_out["balance_close"][k]
                    value = np.where(notes > 0, np.maximum(uncovered, 0.0) / notes, 0.0)
            threshold = trig.threshold[min(k, len(trig.threshold) - 1)]
            breached[:, i] |= value > threshold
            trigger_value[k, :, i] = value
            if trig.action == TriggerAction.SEQUENTIAL:
                sequential |= breached[:, i]
            elif trig.action == TriggerAction.END_REVOLVING:
                revolving &= ~breached[:, i]
            else:
                accelerated |= breached[:, i]
                revolving &= ~breached[:, i]
        trigger_breached[k] = breached

    def months_last(a: NDArray[np.generic]) -> NDArray[np.generic]:
        return np.moveaxis(a, 0, -1)

    return WaterfallResult(
        original_balance=original,
        pool=PoolFlows(**{k: months_last(v) for k, v in pool_out.items()}),
        classes=ClassFlows(**{k: months_last(v) for k, v in class_out.items()}),
        fees_paid=months_last(fees_paid),
        fees_unpaid=months_last(fees_unpaid),
        reserve_open=months_last(reserve_open_out),
        reserve_target=months_last(reserve_target_out),
        reserve_close=months_last(reserve_close_out),
        originator_residual=months_last(originator_out),
        trigger_value=months_last(trigger_value),
        trigger_breached=months_last(trigger_breached),
        revolving=months_last(revolving_out),
        accelerated=months_last(accelerated_out),
        end_month=end_month,
    )
