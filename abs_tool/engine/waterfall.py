"""The priority of payments: its results, and the deal's terms packed for the kernel.

The arithmetic runs in the one compiled kernel of :mod:`abs_tool.engine.kernel`, one named step
per part of the order of events (DOMAIN.md "Waterfall"), each documenting the rules it
computes. Each month t, on every path, the pool's collections
(:func:`~abs_tool.engine.kernel.pool_month`), the proceeds of a clean-up call
(:func:`~abs_tool.engine.kernel.clean_up_call`), the reserve and the cash held from the
month before make the available funds (:func:`~abs_tool.engine.kernel.available_funds`),
which pay in this order:

1. senior fees (:func:`~abs_tool.engine.kernel.pay_fees`);
2. interest to each class in seniority order, on its payment dates
   (:func:`~abs_tool.engine.kernel.pay_interest`);
3. the reserve top-up to its target (:func:`~abs_tool.engine.kernel.top_up_reserve`);
4. the month's write-downs when losses are written down as they arise
   (:func:`~abs_tool.engine.kernel.write_down`), then principal
   (:func:`~abs_tool.engine.kernel.principal_due`, capped by
   :func:`~abs_tool.engine.kernel.principal_funds` when excess interest is released):
   purchases of new receivables while revolving
   (:func:`~abs_tool.engine.kernel.buy_receivables`), then reinstatements
   (:func:`~abs_tool.engine.kernel.reinstate`), principal sequential or pro rata
   (:func:`~abs_tool.engine.kernel.pay_principal`) and the turbo
   (:func:`~abs_tool.engine.kernel.pay_turbo`), then the coupons paid after principal
   (:func:`~abs_tool.engine.kernel.pay_late_interest`);
5. the residual to the subordinated class or the originator
   (:func:`~abs_tool.engine.kernel.pay_residual`).

Before step 1 the excess-spread haircut takes its share of the pool's interest and fee
income (:func:`~abs_tool.engine.kernel.take_haircut`). When the deal ends, what is
outstanding is written down (:func:`~abs_tool.engine.kernel.close_classes`); triggers are
evaluated at the end of each month and act from the next
(:func:`~abs_tool.engine.kernel.evaluate_triggers`). ``docs/waterfall.md`` states every rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from abs_tool.engine import kernel
from abs_tool.engine.projection import PoolState
from abs_tool.errors import AssumptionError
from abs_tool.model.assumptions import monthly_vector
from abs_tool.model.deal import (
    CouponPriority,
    DealDates,
    ExcessInterestUse,
    FeeBasis,
    LiquidityReplenishment,
    LossTiming,
    NoteClass,
    PrincipalMode,
    Structure,
    TargetKind,
    Tier,
    TierPrincipal,
    TriggerAction,
    TriggerMetric,
)
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
    ``writedown`` is the principal written off (as losses arise, or at the end);
    ``reinstated`` the written-down principal restored to the balance:
    ``balance_close = balance_open - principal_paid - writedown + reinstated``.
    ``residual`` is the subordinated class's excess cash (its column; zero for others).
    """

    balance_open: Array
    interest_due: Array
    interest_paid: Array
    interest_shortfall: Array
    principal_paid: Array
    writedown: Array
    reinstated: Array
    residual: Array
    balance_close: Array
    # classes in tiers, target balances (issue 16 item 4a): the class's target balance of
    # the month (NaN for a class without one), whether or not it capped the class
    target_balance: Array

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
    held_close: Array  # collections kept for the next payment date (deal or class frequency)
    excess_spread_haircut: Array  # pool interest and fee income taken out before step 1
    trigger_value: Array  # (paths, triggers, periods)
    trigger_breached: NDArray[np.bool_]  # (paths, triggers, periods), sticky
    revolving: NDArray[np.bool_]  # (paths, periods): month was in the revolving period
    accelerated: NDArray[np.bool_]  # (paths, periods)
    end_month: NDArray[np.int64]  # (paths,): month in which the deal ended (write-downs)
    # classes in tiers, target balances (issue 16 item 4a): step 4's principal due, before
    # a cap by the principal funds (excess interest released), reinstatements included
    principal_due: Array
    # Floating coupons and the step-up (issue 16 item 4b).
    step_up: NDArray[np.bool_]  # (paths, periods): the step-up applied (call not exercised)
    coupon_period: Array  # (classes, periods) coupon accrued each month, before any step-up
    floating: NDArray[np.bool_]  # (classes,) the coupon floats (metrics: class_discount)
    # Liquidity support (issue 16 item 5), (paths, periods); docs/waterfall.md. The
    # liquidity reserve: close = open - released - drawn + replenished.
    liquidity_open: Array
    liquidity_target: Array
    liquidity_released: Array  # the balance above the target, into the available funds
    liquidity_drawn: Array  # paid senior fees and senior interest the funds left unpaid
    liquidity_replenished: Array
    liquidity_close: Array
    # The servicer advance (external cash): close = open + interest + made - reimbursed - lost.
    advance_open: Array
    advance_interest: Array
    advance_reimbursed: Array  # paid to the servicer before the fees
    advance_made: Array  # paid senior fees and senior interest the funds left unpaid
    advance_lost: Array  # outstanding when the deal ends: lost to the servicer
    advance_close: Array
    senior_classes: NDArray[np.bool_]  # (classes,): the classes liquidity support covers
    # Deal payment frequency (issue 16 item 4b): (paths, periods) the month was a payment
    # date (every month when the deal pays monthly); between them the trust account holds
    # the funds (held_open, held_close)
    payment_date: NDArray[np.bool_]

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
_FEE_BASIS_CODES = {
    FeeBasis.PERFORMING_START_INCL_DEFAULTS: kernel.ON_POOL_START,
    FeeBasis.PERFORMING_START: kernel.ON_POOL_START_EX_DEFAULTS,
    FeeBasis.NOTES: kernel.ON_NOTES,
    FeeBasis.FIXED: kernel.FIXED_ONLY,
}
_LOSS_TIMING_CODES = {
    LossTiming.AT_END: kernel.AT_END,
    LossTiming.ON_DEFAULT: kernel.ON_DEFAULT,
    LossTiming.ON_LIQUIDATION: kernel.ON_LIQUIDATION,
}
_EXCESS_USE_CODES = {
    ExcessInterestUse.COVER_DEFICIENCY: kernel.COVER_DEFICIENCY,
    ExcessInterestUse.RELEASE: kernel.RELEASE,
    ExcessInterestUse.COVER_UP_TO: kernel.COVER_UP_TO,
}
_TIER_RULE_CODES: dict[TierPrincipal | None, int] = {
    TierPrincipal.SEQUENTIAL: kernel.TIER_SEQUENTIAL,
    TierPrincipal.PRO_RATA: kernel.TIER_PRO_RATA,
    None: kernel.TIER_AS_DEAL,
}


def run_waterfall(
    structure: Structure,
    pool: PoolState,
    class_balances: tuple[float, ...],
    *,
    dates: DealDates | None = None,
    benchmark: Array | None = None,
) -> WaterfallResult:
    """Step the pool and the waterfall through every month of the pool's horizon.

    Every path runs on its own through :func:`abs_tool.engine.kernel.run_kernel`, step by step in
    the order of events that this module's docstring outlines.

    Parameters
    ----------
    structure
        The liability side.
    pool
        The asset side: a :class:`~abs_tool.engine.projection.PoolState` (its paths set the paths).
    class_balances
        Original balance of each class in currency (see ``Structure.class_amounts``).
    dates
        The deal's dates: when they set a business-day convention or a day count
        (``DealDates.dated_accrual``), coupons and rate-based fees accrue each period's
        accrual fraction between the dates paid instead of 1/12 (:func:`period_fractions`);
        their ``payment_frequency_months`` sets the payment dates (monthly without them).
    benchmark
        (periods,) the benchmark's annual rate by month, for floating coupons
        (:meth:`~abs_tool.model.assumptions.BenchmarkPath.monthly`); needed only when a
        class floats.

    Raises
    ------
    AssumptionError
        When the deal buys receivables but the pool model has no purchase profile, or a
        class floats and no ``benchmark`` is given.
    """
    inputs, terms = _kernel_inputs(structure, pool, class_balances, dates, benchmark)
    n_paths, horizon = pool.n_paths, pool.model.horizon_months
    out = kernel.zeroed_outputs(n_paths, horizon, len(structure.classes),
                                len(structure.fees), len(structure.triggers))
    _run(inputs, terms, out, np.zeros((len(kernel.METRIC_ROWS), 0, len(structure.classes))),
         with_duration=False)
    return WaterfallResult(
        original_balance=terms.original,
        pool=PoolFlows(**_named(kernel.POOL_ROWS, out.pool)),
        classes=ClassFlows(**_named(kernel.CLASS_ROWS, out.classes)),
        **_named(kernel.FEE_ROWS, out.fees),
        **_named(kernel.ACCOUNT_ROWS, out.accounts),
        trigger_value=out.trigger_value,
        trigger_breached=out.trigger_breached,
        **_named(kernel.FLAG_ROWS, out.flags),
        end_month=out.end_month,
        coupon_period=terms.coupon_period,
        floating=terms.floating,
        senior_classes=terms.liquidity_covers,
    )


@dataclass(frozen=True)
class WaterfallSummary:
    """What a Monte Carlo keeps of a run (:func:`summarise_waterfall`): the pool's lines,
    and each class's metrics on each path instead of its lines."""

    original_balance: NDArray[np.float64]  # (classes,)
    pool: PoolFlows
    end_month: NDArray[np.int64]  # (paths,)
    metric_rows: Array  # (len(kernel.METRIC_ROWS), paths, classes)


def summarise_waterfall(
    structure: Structure,
    pool: PoolState,
    class_balances: tuple[float, ...],
    *,
    with_duration: bool,
    dates: DealDates | None = None,
    benchmark: Array | None = None,
) -> WaterfallSummary:
    """:func:`run_waterfall`, keeping only the pool's lines and the class metrics of each
    path, which the kernel computes as the path ends, numbers identical to
    :func:`abs_tool.engine.metrics.class_metrics` of the whole result. The lines of one path
    at a time stay in the cache instead of going to memory: on the consumer sample, 100,000
    paths (in calls of 8,192) take 0.53 s instead of 0.89 s with :func:`run_waterfall` and
    the metrics.

    ``with_duration=False`` leaves modified durations NaN. Raises like
    :func:`run_waterfall`.
    """
    inputs, terms = _kernel_inputs(structure, pool, class_balances, dates, benchmark)
    n_paths, horizon = pool.n_paths, pool.model.horizon_months
    n_classes = len(structure.classes)
    scratch = kernel.zeroed_outputs(1, horizon, n_classes, len(structure.fees),
                                    len(structure.triggers))
    out = scratch._replace(pool=np.zeros((len(kernel.POOL_ROWS), n_paths, horizon)),
                           end_month=np.zeros(n_paths, dtype=np.int64))
    rows = np.empty((len(kernel.METRIC_ROWS), n_paths, n_classes))
    _run(inputs, terms, out, rows, with_duration=with_duration)
    return WaterfallSummary(original_balance=terms.original,
                            pool=PoolFlows(**_named(kernel.POOL_ROWS, out.pool)),
                            end_month=out.end_month, metric_rows=rows)


def _run(inputs: kernel.PoolInputs, terms: kernel.Terms, out: kernel.Outputs, rows: Array,
         *, with_duration: bool) -> None:
    status = kernel.run_kernel(inputs, terms, out, rows, with_duration)
    if status == kernel.BOUGHT_WITHOUT_PROFILE:
        raise AssumptionError("the deal buys receivables but no purchase profile is set")


def period_fractions(dates: DealDates | None, horizon: int) -> Array | None:
    """(horizon,) each period's accrual fraction of a year between the dates paid, when
    ``dates`` opts in (``DealDates.dated_accrual``); None for the 1/12 of every month."""
    if dates is None or not dates.dated_accrual:
        return None
    return dates.schedule(horizon).accrual_fraction


def _per_period(annual: list[float], fractions: Array | None, horizon: int) -> Array:
    """(len(annual), horizon) annual rates accrued per period: ``annual / 12`` every month
    (the division the kernel always made, so default deals keep their bits), or times the
    period's accrual fraction."""
    rates = np.asarray(annual, dtype=np.float64).reshape(-1, 1)
    if fractions is None:
        return np.repeat(rates / 12.0, horizon, axis=1)
    return rates * fractions.reshape(1, -1)


def coupon_rates(classes: tuple[NoteClass, ...], benchmark: Array | None,
                 horizon: int) -> Array:
    """(classes, horizon) each class's all-in annual coupon by month: ``coupon_annual``
    for a fixed coupon; for a floating one the ``benchmark`` (horizon,) plus the margin
    ``coupon_annual``, at most its cap and at least its floor (the cap applied last).

    Raises
    ------
    AssumptionError
        A class floats and ``benchmark`` is None.
    """
    rates = np.empty((len(classes), horizon))
    for j, c in enumerate(classes):
        rates[j] = c.coupon_annual
        if c.floating is None:
            continue
        if benchmark is None:
            raise AssumptionError(f"class `{c.name}` has a floating coupon but no benchmark "
                                  "path is given (Assumptions.benchmark)")
        rate = np.asarray(benchmark, dtype=np.float64)[:horizon] + c.coupon_annual
        if c.floating.floor_annual is not None:
            rate = np.maximum(rate, c.floating.floor_annual)
        if c.floating.cap_annual is not None:
            rate = np.minimum(rate, c.floating.cap_annual)
        rates[j] = rate
    return rates


def reference_coupons(classes: tuple[NoteClass, ...], benchmark: Array | None,
                      horizon: int) -> Array:
    """(classes,) the annual coupon each class is quoted at: ``coupon_annual`` for a fixed
    coupon, and for a floating one its all-in rate (:func:`coupon_rates`) averaged over
    the months of the horizon: the coupon of the metrics' DIRR and of the Monte Carlo's
    class table (a flat benchmark makes it the month's rate exactly)."""
    coupons = np.array([c.coupon_annual for c in classes], dtype=np.float64)
    if any(c.floating is not None for c in classes):
        rates = coupon_rates(classes, benchmark, horizon)
        for j, c in enumerate(classes):
            if c.floating is not None:
                coupons[j] = float(rates[j].mean())
    return coupons


def _kernel_inputs(
    structure: Structure, pool: PoolState, class_balances: tuple[float, ...],
    dates: DealDates | None = None, benchmark: Array | None = None,
) -> tuple[kernel.PoolInputs, kernel.Terms]:
    """The pool and the structure as the kernel reads them."""
    horizon = pool.model.horizon_months
    fractions = period_fractions(dates, horizon)
    classes, fees, triggers = structure.classes, structure.fees, structure.triggers
    original = np.asarray(class_balances, dtype=np.float64)
    sub = [j for j, c in enumerate(classes) if c.tier == Tier.SUBORDINATED]
    reserve = structure.reserve
    losses, excess = structure.loss_allocation, structure.excess_interest
    threshold = np.zeros((len(triggers), horizon))
    for i, trig in enumerate(triggers):  # the last value repeats
        threshold[i] = monthly_vector(trig.threshold, horizon)

    inputs = kernel.PoolInputs(
        initial_flows=pool.initial_flows,
        purchase_flows=pool.purchase_flows,
        purchase_balance=pool.purchase_balance,
        initial_balance=pool.initial_balance,
        initial_pool=pool.model.balance,
        hazard=pool.hazard,
        amount_share=pool.amount_share,
        smm=pool.smm,
        recovery=pool.recovery_rate,
        loan_recovery=pool.loan_recovery,
        loan_level=pool.loan_level,
        lag=pool.lag_months,
    )
    terms = kernel.Terms(
        original=original,
        initial_notes=float(original.sum()),
        coupon=np.array([c.coupon_annual / 12.0 for c in classes]),
        coupon_period=_per_period([c.coupon_annual for c in classes], fractions, horizon),
        late=np.array([c.coupon_priority == CouponPriority.AFTER_PRINCIPAL for c in classes],
                      dtype=np.bool_),
        quarterly=np.array([c.payment_frequency_months == 3 for c in classes], dtype=np.bool_),
        rated=np.array([c.tier != Tier.SUBORDINATED for c in classes], dtype=np.bool_),
        sub=sub[0] if sub else -1,
        fee_rate=_per_period([f.rate_annual for f in fees], fractions, horizon),
        fee_fixed=np.array([f.fixed_annual / 12.0 for f in fees], dtype=np.float64),
        fee_basis=np.array([_FEE_BASIS_CODES[f.basis] for f in fees], dtype=np.int64),
        fee_cap=np.array([np.inf if f.cap_per_month is None else f.cap_per_month
                          for f in fees], dtype=np.float64),
        reserve_initial=float(reserve.initial_share),
        reserve_target=float(reserve.target_share),
        reserve_floor=float(reserve.floor_share),
        revolving_months=structure.revolving.months if structure.revolving else 0,
        call_share=(float(structure.clean_up_call.threshold_share) if structure.clean_up_call
                    else np.nan),
        sequential=structure.principal_mode == PrincipalMode.SEQUENTIAL,
        turbo=bool(structure.turbo),
        trigger_metric=np.array([_METRIC_CODES[t.metric] for t in triggers], dtype=np.int64),
        trigger_action=np.array([_ACTION_CODES[t.action] for t in triggers], dtype=np.int64),
        trigger_threshold=threshold,
        loss_timing=int(_LOSS_TIMING_CODES[losses.timing]),
        reinstate=bool(losses.reinstate),
        excess_use=int(_EXCESS_USE_CODES[excess.use]),
        cover_limit=float(excess.cover_limit_per_month),
        haircut=float(excess.haircut_share),
        **_tier_terms(structure, original, horizon),
        floating=np.array([c.floating is not None for c in classes], dtype=np.bool_),
        step_up_period=_per_period([c.step_up_bp / 1e4 for c in classes], fractions, horizon),
        call_exercised=bool(structure.clean_up_call is None
                            or structure.clean_up_call.exercised),
        **_liquidity_terms(structure, original),
        payment_months=dates.payment_frequency_months if dates is not None else 1,
    )
    floats = [j for j, c in enumerate(classes) if c.floating is not None]
    if floats:
        rates = coupon_rates(classes, benchmark, horizon)
        reference = reference_coupons(classes, benchmark, horizon)
        for j in floats:
            per = (rates[j] / 12.0 if fractions is None else rates[j] * fractions)
            terms.coupon_period[j] = per
            terms.coupon[j] = reference[j] / 12.0
    return inputs, terms


def _tier_terms(structure: Structure, original: Array, horizon: int) -> dict[str, Any]:
    """The kernel's tier and target-balance terms (issue 16 item 4a): each tier's first
    class (classes are listed senior first, so a tier's classes are contiguous), its
    principal rule, and each class's target balance by month."""
    classes = structure.classes
    starts = [j for j, c in enumerate(classes) if j == 0 or c.tier != classes[j - 1].tier]
    amount = np.zeros((len(classes), horizon))
    pool_share = np.zeros(len(classes))
    for j, c in enumerate(classes):
        target = c.target_balance
        if target is not None and target.kind == TargetKind.SCHEDULED:
            amount[j] = np.asarray(target.shares(horizon)) * original[j]
        elif target is not None:
            pool_share[j] = float(target.share_of_pool)
    targeted = np.array([c.target_balance is not None for c in classes], dtype=np.bool_)
    return {
        "tier_start": np.array([*starts, len(classes)], dtype=np.int64),
        "tier_rule": np.array([_TIER_RULE_CODES[structure.tier_principal(classes[j].tier)]
                               for j in starts], dtype=np.int64),
        "targeted": targeted,
        "target_amount": amount,
        "target_pool": pool_share,
        "scheduled": bool(targeted.any()),
    }


def _liquidity_terms(structure: Structure, original: Array) -> dict[str, Any]:
    """The liquidity reserve and the servicer advance as the kernel reads them (zeros:
    none)."""
    senior = np.array([c.tier == Tier.SENIOR for c in structure.classes], dtype=np.bool_)
    liquidity, advance = structure.liquidity_reserve, structure.servicer_advance
    return {
        "liquidity_covers": senior,
        "liquidity_initial": (float(liquidity.initial_share * original[senior].sum())
                              if liquidity else 0.0),
        "liquidity_target": float(liquidity.target_share) if liquidity else 0.0,
        "liquidity_floor": float(liquidity.floor_amount) if liquidity else 0.0,
        "liquidity_late": bool(liquidity
                               and liquidity.replenish_after == LiquidityReplenishment.PRINCIPAL),
        "advance_limit": float(advance.limit_amount) if advance else 0.0,
        "advance_limit_share": float(advance.limit_share) if advance else 0.0,
        "advance_rate": float(advance.rate_annual) / 12.0 if advance else 0.0,
    }


def _named(rows: tuple[str, ...], out: NDArray[Any]) -> dict[str, NDArray[Any]]:
    """The rows of a kernel output array by their names."""
    return dict(zip(rows, out, strict=True))
