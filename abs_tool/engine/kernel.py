"""The engine's one kernel: the pool and the priority of payments of every path, month by
month, compiled with numba.

Paths are independent, so the kernel loops over paths outside and months inside, with the
state of one path in scalars and small arrays: no (paths,) temporaries, and a path that has
ended skips its remaining months. On the consumer sample deal this is about 4x faster than
the numpy version that stepped all paths at once (bench/waterfall.py, 10,000 paths x 36
months: 0.08 s against 0.33 s), with the same numbers to the last bit. A path's numbers do
not depend on which other paths share the call.

The per-path class metrics (:func:`path_metrics`: amounts received, losses, WAL, yield,
duration) are compiled here too, for :mod:`abs_tool.engine.metrics` and for the kernel's
summary mode: a Monte Carlo keeps only the pool's lines and the metrics, so
:func:`run_kernel` can write one path's other lines over the same row, still in the cache,
and compute the path's metrics as it ends. Writing every line of every path (about 16 KB a
path) and reading it back cost more than the arithmetic: on the consumer sample, 100,000
paths of the Monte Carlo take 0.53 s in summary mode against 0.89 s for the whole result
and its metrics.

A month is a sequence of named steps, each a compiled function whose docstring states the
part of the order of events it implements (DOMAIN.md "Waterfall"), called in this order by
:func:`run_kernel`:

- :func:`pool_month`: defaults, scheduled flows, prepayments, recoveries;
- :func:`clean_up_call` (step 0 of the priority of payments), :func:`sell_pool` if called;
- :func:`take_haircut` (the excess-spread haircut, 0 by default), then
  :func:`available_funds`: collections, call proceeds, reserve and held cash;
- :func:`pay_fees` (1); :func:`pay_interest` (2: tier by tier, pari passu inside a tier;
  under acceleration, :func:`pay_tier_principal` too);
- with liquidity support: :func:`release_liquidity` (0), :func:`reimburse_advance` (0,
  before the fees), :func:`cover_shortfalls` of the senior fees and interest from the
  liquidity reserve and the servicer's :func:`advance_room` (after 2),
  :func:`replenish_liquidity` (after 2 or after the principal due), :func:`close_support`;
- :func:`top_up_reserve` (3);
- :func:`write_down` when losses are written down as they arise (4a);
- :func:`principal_due`, capped by :func:`principal_funds` when excess interest is
  released, then :func:`buy_receivables` and :func:`add_cohort` while revolving,
  :func:`reinstate`, :func:`record_targets` (target balances), :func:`pay_principal`
  (tiers, and classes capped at their targets) and :func:`pay_turbo` after, then
  :func:`pay_late_interest` (coupons paid after principal) (4);
- :func:`pay_residual` (5);
- :func:`close_classes`: balances, and write-downs and shortfalls when the deal ends;
- :func:`evaluate_triggers`: at the end of the month, acting from the next one.

With a deal payment frequency above monthly (``Terms.payment_months``), a month that is not
a payment date runs the same steps with the funds set aside until after the interest: fees
and interest accrue, nothing is paid, drawn or reimbursed, the reserves keep their balance,
no principal is paid (receivables are still bought while revolving), nothing goes to the
residual, and the trust account holds the funds for the next month (``HELD_*``).

Inputs and outputs travel in three named tuples, :class:`PoolInputs`, :class:`Terms` and
:class:`Outputs`, and a path's working arrays in a :class:`PathState`. Rows of the output
arrays are named by the constants below (``out.pool[POOL_INTEREST, p, k]``), and
:mod:`abs_tool.engine.waterfall` reads them by the names in ``*_ROWS``.

The steps are inlined into the month loop (``inline="always"``: numba flattens a named
tuple argument into one argument per array field, so a call per step and month made the loop
1.7x slower). Inlined, a step binds its arguments, and every binding of an array or a named
tuple holding arrays costs numba a reference-count update per array unless its compiler can
prove it redundant. It cannot when the last use of the binding is inside a branch (an
``if``, a conditional expression, ``and``/``or``), which made the loop up to 5 times slower.
Hence the steps' form: arrays are indexed through their tuple (``path.balance[j]``), what a
branch needs is read into scalars before it, branches choose between scalars, and array work
done only in some months is a step of its own that :func:`run_kernel` calls in its branch
(:func:`sell_pool`, :func:`add_cohort`, :func:`pay_turbo`).

Everything compiled for the month loop and the metrics lives in this one file, and compiled
functions elsewhere (:mod:`abs_tool.credit.copula`) call only compiled functions of their
own file: numba's on-disk cache (``cache=True``, in ``__pycache__`` next to the file) is
invalidated when a file changes, but not when a compiled function it calls
from another file does. ``nogil`` lets the Monte Carlo's threads run the kernel at the same
time; ``error_model="numpy"`` makes a division by zero give inf or NaN, as in numpy, instead
of raising. Compiling takes 6 to 8 s on first use; later processes load the cache in about
0.4 s.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from abs_tool.types import Array, BoolArray, IntArray

# Rows of the output arrays: a name in *_ROWS is the field of the result that the row
# becomes (abs_tool.engine.waterfall), the constant next to it the row's index.
POOL_ROWS = (
    "balance_open", "interest", "scheduled_principal", "prepayment", "default", "recovery",
    "loss", "fee_income", "balance_close", "purchases", "call_proceeds",
    "cumulative_default_rate",
)
(POOL_OPEN, POOL_INTEREST, POOL_SCHEDULED, POOL_PREPAID, POOL_DEFAULT, POOL_RECOVERY,
 POOL_LOSS, POOL_FEE, POOL_CLOSE, POOL_BOUGHT, POOL_CALLED, POOL_CDR) = range(len(POOL_ROWS))
CLASS_ROWS = (
    "balance_open", "interest_due", "interest_paid", "interest_shortfall", "principal_paid",
    "writedown", "reinstated", "residual", "balance_close",
    "target_balance",  # classes in tiers, target balances (issue 16 item 4a)
)
(CLASS_OPEN, CLASS_DUE, CLASS_INTEREST, CLASS_SHORTFALL, CLASS_PRINCIPAL, CLASS_WRITEDOWN,
 CLASS_REINSTATED, CLASS_RESIDUAL, CLASS_CLOSE, CLASS_TARGET) = range(len(CLASS_ROWS))
FEE_ROWS = ("fees_paid", "fees_unpaid")
FEE_PAID, FEE_UNPAID = range(len(FEE_ROWS))
ACCOUNT_ROWS = ("reserve_open", "reserve_target", "reserve_close", "originator_residual",
                "held_open", "held_close", "excess_spread_haircut",
                "principal_due",  # classes in tiers, target balances (issue 16 item 4a)
                # Liquidity support (issue 16 item 5)
                "liquidity_open", "liquidity_target", "liquidity_released", "liquidity_drawn",
                "liquidity_replenished", "liquidity_close", "advance_open", "advance_interest",
                "advance_reimbursed", "advance_made", "advance_lost", "advance_close")
(RESERVE_OPEN, RESERVE_TARGET, RESERVE_CLOSE, ORIGINATOR_RESIDUAL, HELD_OPEN,
 HELD_CLOSE, HAIRCUT, PRINCIPAL_DUE,
 LIQUIDITY_OPEN, LIQUIDITY_TARGET, LIQUIDITY_RELEASED, LIQUIDITY_DRAWN, LIQUIDITY_REPLENISHED,
 LIQUIDITY_CLOSE, ADVANCE_OPEN, ADVANCE_INTEREST, ADVANCE_REIMBURSED, ADVANCE_MADE,
 ADVANCE_LOST, ADVANCE_CLOSE) = range(len(ACCOUNT_ROWS))
FLAG_ROWS = ("revolving", "accelerated",
             "step_up",  # step_up: floating coupons / step-up (issue 16 item 4b)
             "payment_date")  # deal payment frequency (issue 16 item 4b)
FLAG_REVOLVING, FLAG_ACCELERATED, FLAG_STEP_UP, FLAG_PAYMENT_DATE = range(len(FLAG_ROWS))

# Columns of the scheduled flows (PoolInputs.initial_flows, .purchase_flows).
FLOW_INTEREST, FLOW_PRINCIPAL, FLOW_FEE, FLOW_BALANCE = range(4)

# Codes of the trigger metrics and actions (deal.TriggerMetric, deal.TriggerAction).
CUMULATIVE_DEFAULT_RATE, RESERVE_SHORTFALL, PRINCIPAL_DEFICIENCY = 0, 1, 2
SEQUENTIAL, END_REVOLVING, ACCELERATE = 0, 1, 2

# Codes of the fee bases (deal.FeeBasis), loss timings (deal.LossTiming) and uses of excess
# interest (deal.ExcessInterestUse).
ON_POOL_START, ON_POOL_START_EX_DEFAULTS, ON_NOTES, FIXED_ONLY = 0, 1, 2, 3
AT_END, ON_DEFAULT, ON_LIQUIDATION = 0, 1, 2
COVER_DEFICIENCY, RELEASE, COVER_UP_TO = 0, 1, 2
# Codes of the principal rule inside a tier (deal.TierPrincipal; a tier without a rule follows
# the deal's principal mode, pro rata inside the tier only while principal is paid pro rata).
TIER_SEQUENTIAL, TIER_PRO_RATA, TIER_AS_DEAL = 0, 1, 2

OK, BOUGHT_WITHOUT_PROFILE = 0, 1
"""Status codes returned by :func:`run_kernel`."""

# Rows of the per-path class metrics (:func:`path_metrics`): the fields of
# abs_tool.engine.metrics.ClassMetrics that they become.
METRIC_ROWS = ("interest_received", "principal_received", "residual_received",
               "principal_loss", "interest_loss", "loss_pv", "wal_years", "yield_annual",
               "modified_duration_years")
DEFAULT_THRESHOLD = 1e-9
"""A class has defaulted when its loss exceeds this share of its original balance."""
NEWTON_ITERATIONS = 60
NEWTON_TOLERANCE = 1e-13


class PoolInputs(NamedTuple):
    """The asset side (:class:`abs_tool.engine.projection.PoolState`), as arrays."""

    initial_flows: Array
    """(periods, groups, 4) scheduled interest, principal, fee and closing balance of the
    initial pool by month (columns ``FLOW_*``)."""
    purchase_flows: Array
    """(ages, groups, 4) the same per unit bought, by month of age; no rows when nothing
    may be bought."""
    purchase_balance: Array
    """(groups,) balance per unit bought."""
    initial_balance: Array
    """(groups,) performing balance at the cut-off."""
    initial_pool: float
    """The sum of ``initial_balance``."""
    hazard: Array
    """(1 or paths, groups, periods) defaults as fractions of the performing balance; no
    rows when ``amount_share`` drives the defaults."""
    amount_share: Array
    """(1 or paths, periods) defaults as shares of the base (initial pool plus purchases);
    no rows when ``hazard`` drives them."""
    smm: Array
    """(periods,) single monthly mortality of prepayments."""
    recovery: Array
    """(paths,) recovery rate of defaulted balances; with ``loan_level``, the factor that
    scales ``loan_recovery`` (capped at 1)."""
    loan_recovery: Array
    """(1 or paths, groups, periods) each group's recovery rate by month; ones without
    ``loan_level``."""
    loan_level: bool
    """Defaults recover ``loan_recovery``, scaled by ``recovery``: loan-level rates from the
    tape (:mod:`abs_tool.engine.projection`)."""
    lag: int
    """Months from a default to its recovery."""


class Terms(NamedTuple):
    """The liability side: classes (in seniority order), fees, reserve, revolving period,
    clean-up call, principal mode and triggers."""

    original: Array
    """(classes,) original balance."""
    initial_notes: float
    """The sum of ``original``."""
    coupon: Array
    """(classes,) monthly coupon (annual / 12): what the metrics discount at."""
    coupon_period: Array
    """(classes, periods) the coupon each month accrues: annual / 12, or annual times the
    period's accrual fraction when the deal's dates set one (:class:`~abs_tool.model.deal.
    DealDates`)."""
    late: BoolArray
    """(classes,) the coupon is paid after principal, before the residual (``coupon_priority``
    ``"after_principal"``), not in step 2."""
    quarterly: BoolArray
    """(classes,) pays interest quarterly while revolving."""
    rated: BoolArray
    """(classes,) not subordinated: paid by the turbo."""
    sub: int
    """Index of the subordinated class, which takes the residual; -1: none (the originator
    takes it)."""
    fee_rate: Array
    """(fees, periods) the rate on the fee's basis each month accrues (annual / 12, or
    annual times the period's accrual fraction like ``coupon_period``)."""
    fee_fixed: Array
    """(fees,) monthly fixed amount (annual / 12)."""
    fee_basis: IntArray
    """(fees,) what the rate applies to (``ON_POOL_START``, ...)."""
    fee_cap: Array
    """(fees,) most a fee may accrue in a month (inf: no cap)."""
    reserve_initial: float
    """Reserve funded at closing, share of the notes."""
    reserve_target: float
    """Reserve target, share of the notes outstanding."""
    reserve_floor: float
    """Reserve floor, share of the original notes, while notes are outstanding."""
    revolving_months: int
    """Months of the revolving period (0: none)."""
    call_share: float
    """Clean-up call threshold, share of the initial pool (NaN: no call)."""
    sequential: bool
    """Principal is paid sequentially from the start (else pro rata)."""
    turbo: bool
    """All cash left after principal pays the rated classes' principal too."""
    trigger_metric: IntArray
    """(triggers,) metric codes (``CUMULATIVE_DEFAULT_RATE``, ...)."""
    trigger_action: IntArray
    """(triggers,) action codes (``SEQUENTIAL``, ...)."""
    trigger_threshold: Array
    """(triggers, periods) threshold by month."""
    loss_timing: int
    """When losses are written down (``AT_END``, ``ON_DEFAULT``, ``ON_LIQUIDATION``)."""
    reinstate: bool
    """Excess cash reinstates written-down amounts, senior first."""
    excess_use: int
    """What excess interest pays (``COVER_DEFICIENCY``, ``RELEASE``, ``COVER_UP_TO``)."""
    cover_limit: float
    """With ``COVER_UP_TO``, the most excess interest that covers losses in a month."""
    haircut: float
    """Share of the pool's interest and fee income taken out before the waterfall."""
    # several classes in one tier, target balances (issue 16 item 4a)
    tier_start: IntArray
    """(tiers + 1,) the first class of each tier, in seniority order, then the number of
    classes: tier i is classes ``tier_start[i]`` to ``tier_start[i + 1] - 1``."""
    tier_rule: IntArray
    """(tiers,) how principal is shared inside the tier (``TIER_SEQUENTIAL``,
    ``TIER_PRO_RATA``, ``TIER_AS_DEAL``)."""
    targeted: BoolArray
    """(classes,) the class has a target balance."""
    target_amount: Array
    """(classes, periods) the scheduled target balance in currency (0 without one)."""
    target_pool: Array
    """(classes,) the target as a share of the closing performing pool (0 without one)."""
    scheduled: bool
    """Some class has a target balance."""
    # Floating coupons and the step-up after the clean-up call date (issue 16 item 4b).
    floating: BoolArray
    """(classes,) the coupon floats: the metrics discount at ``coupon_period`` (its
    cumulative product) instead of ``coupon``, and solve its yield."""
    step_up_period: Array
    """(classes, periods) the step-up each month adds to ``coupon_period`` once the
    clean-up call could have been exercised and was not (0: none)."""
    call_exercised: bool
    """The clean-up call is exercised when the pool reaches its threshold."""
    # Liquidity support (issue 16 item 5)
    liquidity_covers: BoolArray
    """(classes,) senior: the liquidity reserve and the servicer advance cover its
    interest."""
    liquidity_initial: float
    """Liquidity reserve funded at closing (currency)."""
    liquidity_target: float
    """Liquidity reserve target, share of the senior classes' balance at the start of the
    month."""
    liquidity_floor: float
    """Liquidity reserve floor (currency), while a senior class is outstanding."""
    liquidity_late: bool
    """The liquidity reserve is replenished after principal (else right after interest)."""
    advance_limit: float
    """Most servicer advances outstanding (currency), beside ``advance_limit_share``."""
    advance_limit_share: float
    """Most servicer advances outstanding, share of the performing pool at the start of the
    month."""
    advance_rate: float
    """Monthly rate (annual / 12) on the servicer advances outstanding."""
    # Deal payment frequency (issue 16 item 4b)
    payment_months: int = 1
    """The notes are paid every this many months (1, 3 or 6): months ``t`` with
    ``t % payment_months == 0``, and every month the deal winds down; the trust account
    holds the funds in between (:func:`run_kernel`)."""


class Outputs(NamedTuple):
    """What the kernel writes, paths on the second axis of the row arrays (in
    :func:`run_kernel`'s summary mode, one path on it for every array but ``pool`` and
    ``end_month``)."""

    pool: Array
    """(len(POOL_ROWS), paths, periods)."""
    classes: Array
    """(len(CLASS_ROWS), paths, classes, periods)."""
    fees: Array
    """(len(FEE_ROWS), paths, fees, periods)."""
    accounts: Array
    """(len(ACCOUNT_ROWS), paths, periods)."""
    flags: BoolArray
    """(len(FLAG_ROWS), paths, periods)."""
    trigger_value: Array
    """(paths, triggers, periods)."""
    trigger_breached: BoolArray
    """(paths, triggers, periods), sticky."""
    end_month: IntArray
    """(paths,) month in which the deal ended."""


def zeroed_outputs(
    n_paths: int, horizon: int, n_classes: int, n_fees: int, n_triggers: int
) -> Outputs:
    """Zeroed :class:`Outputs` for ``n_paths`` paths of ``horizon`` months."""
    return Outputs(
        pool=np.zeros((len(POOL_ROWS), n_paths, horizon)),
        classes=_classes_zeroed(n_paths, n_classes, horizon),
        fees=np.zeros((len(FEE_ROWS), n_paths, n_fees, horizon)),
        accounts=np.zeros((len(ACCOUNT_ROWS), n_paths, horizon)),
        flags=np.zeros((len(FLAG_ROWS), n_paths, horizon), dtype=np.bool_),
        trigger_value=np.zeros((n_paths, n_triggers, horizon)),
        trigger_breached=np.zeros((n_paths, n_triggers, horizon), dtype=np.bool_),
        end_month=np.zeros(n_paths, dtype=np.int64),
    )


def _classes_zeroed(n_paths: int, n_classes: int, horizon: int) -> Array:
    """The class rows, zeroed, but ``CLASS_TARGET`` NaN (no target) until the kernel
    writes a target there."""
    classes = np.zeros((len(CLASS_ROWS), n_paths, n_classes, horizon))
    classes[CLASS_TARGET] = np.nan
    return classes


class PathState(NamedTuple):
    """The working arrays of one path, reused from path to path (:func:`new_path_state`)."""

    weights: Array
    """(periods + 1, groups) per cohort (0: the initial pool, then one per month of
    purchases) the amount bought times the share still performing."""
    bought_in: IntArray
    """(periods + 1,) month index at the end of which each cohort was bought."""
    performing: Array
    """(groups,) performing balance."""
    d: Array
    """(groups,) default fraction of the month."""
    history: Array
    """(periods,) defaults by month, each weighted by its recovery rate relative to the
    path's rate (1 without loan-level rates), whose recoveries are still to come."""
    balance: Array
    """(classes,) note balance."""
    accrued: Array
    """(classes,) interest accrued and not paid."""
    interest_paid: Array
    """(classes,) interest paid this month."""
    principal_paid: Array
    """(classes,) principal paid this month."""
    outstanding: Array
    """(classes,) balance left to share pro rata this month."""
    pay_date: BoolArray
    """(classes,) this month is an interest payment date."""
    fee_carry: Array
    """(fees,) fees due and not paid."""
    breached: BoolArray
    """(triggers,) breached so far."""
    gross: Array
    """(periods,) defaulted balance by month (for write-downs on liquidation)."""
    writedown: Array
    """(classes,) written down this month before the end."""
    reinstated: Array
    """(classes,) reinstated this month."""
    written_off: Array
    """(classes,) written down and not reinstated so far."""
    # Deal payment frequency (issue 16 item 4b)
    period_interest: Array
    """(classes,) interest accrued on the balance since the last payment date, not yet
    due (simple: it bears no interest before its payment date); 0 on payment dates."""


@njit(cache=True, nogil=True, error_model="numpy")
def new_path_state(pool: PoolInputs, terms: Terms,
                   horizon: int) -> PathState:  # pragma: no cover - compiled
    """Uninitialised working arrays for paths of ``horizon`` months (:func:`start_path`)."""
    n_groups, n_classes = pool.initial_balance.shape[0], terms.original.shape[0]
    return PathState(
        np.empty((horizon + 1, n_groups)), np.empty(horizon + 1, np.int64),
        np.empty(n_groups), np.empty(n_groups), np.empty(horizon),
        np.empty(n_classes), np.empty(n_classes), np.empty(n_classes), np.empty(n_classes),
        np.empty(n_classes), np.empty(n_classes, np.bool_),
        np.empty(terms.fee_rate.shape[0]), np.empty(terms.trigger_metric.shape[0], np.bool_),
        np.empty(horizon), np.empty(n_classes), np.empty(n_classes), np.empty(n_classes),
        np.empty(n_classes),
    )


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def start_path(pool: PoolInputs, terms: Terms,
               path: PathState) -> None:  # pragma: no cover - compiled
    """Set ``path`` to the cut-off: the initial pool performing, the classes at their
    original balance, nothing accrued, carried, defaulted or breached."""
    # Element by element: an array-to-array slice assignment compiles numba's shape-error
    # machinery, which tripled the compile time.
    for g in range(pool.initial_balance.shape[0]):
        path.weights[0, g] = 1.0
        path.performing[g] = pool.initial_balance[g]
    path.history[:] = 0.0
    for j in range(terms.original.shape[0]):
        path.balance[j] = terms.original[j]
        path.accrued[j] = 0.0
        path.writedown[j] = 0.0
        path.reinstated[j] = 0.0
        path.written_off[j] = 0.0
        path.period_interest[j] = 0.0
    path.fee_carry[:] = 0.0
    path.breached[:] = False


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _total(values: Array) -> float:  # pragma: no cover - compiled
    """Sum in index order (the order every balance total of the kernel uses)."""
    total = 0.0
    for x in values:
        total += x
    return total


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def pool_month(
    pool: PoolInputs, p: int, k: int, base: float, cohorts: int, path: PathState, out: Outputs,
) -> tuple[float, float, float, float, float]:  # pragma: no cover - compiled
    """The pool in month ``k`` (index from 0) of path ``p``: write its rows from
    ``POOL_OPEN`` to ``POOL_FEE`` and move its state to the end of the month.

    Order of events, for each group, from its opening performing balance ``A``:

    1. defaults ``D = d A``, with ``d`` the group's hazard of the month, or, with amount
       defaults, the month's share of ``base`` (initial pool plus purchases so far) taken
       from every group in proportion to its performing balance and capped by it; the
       defaulted loans pay nothing this month;
    2. the survivors pay scheduled interest, fee and principal: each cohort's profile row
       of its age times its weight, times the survival ``1 - d``;
    3. prepayments: ``SMM`` of the balance left after the scheduled principal;
    4. recoveries: the recovery rate times the defaults of ``lag`` months before; the
       rest of a default is its loss. With loan-level rates, group g's defaults recover
       ``min(loan_recovery[g] x recovery, 1)`` of the path; without, ``recovery``.

    Every cohort's weight is multiplied by ``(1 - d)(1 - SMM)``: nothing is divided by.

    Returns
    -------
    tuple of float
        The opening performing balance; the month's collections (interest, scheduled
        principal, prepayments, recoveries and fees, added in this order); its defaults;
        the closing performing balance; the recoveries still to come on past defaults.
    """
    n_groups, n_ages = pool.initial_balance.shape[0], pool.purchase_flows.shape[0]
    # Without loan-level rates each group's weight is min(1 x 1, 1) = 1 and the path's rate
    # multiplies the month's defaults, as before they existed (the same bits); with them,
    # the weights are the recovery rates and the month's recoveries are taken as they are.
    path_rate = pool.recovery[p]
    scale = path_rate if pool.loan_level else 1.0
    rate = 1.0 if pool.loan_level else path_rate
    rp = p if pool.loan_recovery.shape[0] > 1 else 0
    if pool.hazard.shape[0] > 0:
        hp = p if pool.hazard.shape[0] > 1 else 0
        for g in range(n_groups):
            path.d[g] = pool.hazard[hp, g, k]
    else:
        ap = p if pool.amount_share.shape[0] > 1 else 0
        total = _total(path.performing)
        amount = pool.amount_share[ap, k] * base
        path.d[:] = min(amount / total, 1.0) if total > 0 else 0.0
    opening_total = interest = scheduled = prepayment = fee_income = 0.0
    default_total = recoverable = pool_close = 0.0
    smm = pool.smm[k]
    keep = 1.0 - smm
    for g in range(n_groups):
        opening = path.performing[g]
        survive = 1.0 - path.d[g]
        factor = survive * keep
        # Each weight is read once: for the month's flows, then moved to the month's end.
        w = path.weights[0, g]
        path.weights[0, g] = w * factor
        flow_i = w * pool.initial_flows[k, g, FLOW_INTEREST]
        flow_p = w * pool.initial_flows[k, g, FLOW_PRINCIPAL]
        flow_f = w * pool.initial_flows[k, g, FLOW_FEE]
        flow_b = w * pool.initial_flows[k, g, FLOW_BALANCE]
        for c in range(1, cohorts):
            age = k - path.bought_in[c] - 1  # bought at the end of month index bought_in
            w = path.weights[c, g]
            path.weights[c, g] = w * factor
            if 0 <= age < n_ages:
                flow_i += w * pool.purchase_flows[age, g, FLOW_INTEREST]
                flow_p += w * pool.purchase_flows[age, g, FLOW_PRINCIPAL]
                flow_f += w * pool.purchase_flows[age, g, FLOW_FEE]
                flow_b += w * pool.purchase_flows[age, g, FLOW_BALANCE]
        after_schedule = flow_b * survive
        prepaid = smm * after_schedule
        path.performing[g] = after_schedule - prepaid
        opening_total += opening
        interest += flow_i * survive
        scheduled += flow_p * survive
        fee_income += flow_f * survive
        prepayment += prepaid
        defaulted = path.d[g] * opening
        default_total += defaulted
        recoverable += min(pool.loan_recovery[rp, g, k] * scale, 1.0) * defaulted
        pool_close += path.performing[g]
    path.history[k] = recoverable
    lag = pool.lag
    received = rate * path.history[k - lag] if k >= lag else 0.0
    pending = 0.0
    for j in range(max(k + 1 - lag, 0), k + 1):
        pending += path.history[j]
    pending *= rate
    out.pool[POOL_OPEN, p, k] = opening_total
    out.pool[POOL_INTEREST, p, k] = interest
    out.pool[POOL_SCHEDULED, p, k] = scheduled
    out.pool[POOL_PREPAID, p, k] = prepayment
    out.pool[POOL_DEFAULT, p, k] = default_total
    out.pool[POOL_RECOVERY, p, k] = received
    # (1 - rate) D + rate (D - H): D - H with loan-level rates (rate 1), and exactly
    # (1 - rate) D without (H = D, so the second term adds 0).
    out.pool[POOL_LOSS, p, k] = ((1.0 - rate) * default_total
                                 + rate * (default_total - recoverable))
    out.pool[POOL_FEE, p, k] = fee_income
    collections = interest + scheduled + prepayment + received + fee_income
    return opening_total, collections, default_total, pool_close, pending


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def clean_up_call(
    pool: PoolInputs, terms: Terms, p: int, k: int, revolving: bool, pool_close: float,
    pending: float, out: Outputs,
) -> tuple[bool, float]:  # pragma: no cover - compiled
    """Step 0 of the priority of payments: the clean-up call is exercised once the
    revolving period is over and the performing balance, still positive, has fallen to
    ``call_share`` of the initial pool or below (:func:`call_reached`), unless the deal says
    it is not exercised (``call_exercised`` false). Its price is the performing balance plus
    the recoveries still to come (``pending``); :func:`sell_pool` then empties the pool.
    Writes ``POOL_CALLED``.

    Returns
    -------
    tuple
        Whether the call is exercised, and its proceeds (0 when it is not).
    """
    exercised = terms.call_exercised  # read before the branch (module docstring)
    call = call_reached(pool, terms, revolving, pool_close) and exercised
    proceeds = pool_close + pending if call else 0.0
    out.pool[POOL_CALLED, p, k] = proceeds
    return call, proceeds


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def call_reached(pool: PoolInputs, terms: Terms, revolving: bool,
                 pool_close: float) -> bool:  # pragma: no cover - compiled
    """Whether the clean-up call could be exercised this month: the revolving period is
    over and the performing balance, still positive, is at or below ``call_share`` of the
    initial pool. A call not exercised (``call_exercised`` false) starts the step-up."""
    share = terms.call_share
    threshold = share * pool.initial_pool
    reached: bool = (not np.isnan(share) and not revolving and pool_close > 0
                     and pool_close <= threshold)
    return reached


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def sell_pool(cohorts: int, path: PathState) -> None:  # pragma: no cover - compiled
    """After a clean-up call: no cohort performs any more and no recovery is to come."""
    path.weights[:cohorts, :] = 0.0
    path.performing[:] = 0.0
    path.history[:] = 0.0


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def available_funds(
    p: int, k: int, cash_in: float, reserve_cash: float, held: float, path: PathState,
    out: Outputs,
) -> float:  # pragma: no cover - compiled
    """Step 0: the available funds are the month's collections and call proceeds
    (``cash_in``), plus the whole reserve balance, plus the collections the trust account
    held from the month before. Writes ``RESERVE_OPEN``, ``HELD_OPEN`` and the classes'
    ``CLASS_OPEN``; returns the available funds."""
    out.accounts[RESERVE_OPEN, p, k] = reserve_cash
    out.accounts[HELD_OPEN, p, k] = held
    for j in range(path.balance.shape[0]):
        out.classes[CLASS_OPEN, p, j, k] = path.balance[j]
    return cash_in + reserve_cash + held


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def pay_fees(
    terms: Terms, p: int, k: int, pool_open: float, defaulted: float, notes_start: float,
    available: float, path: PathState, out: Outputs,
) -> float:  # pragma: no cover - compiled
    """Step 1: senior fees, in the order listed. A fee accrues its monthly rate on its
    basis plus its monthly fixed amount, capped at its monthly cap; it is due with what is
    carried from before, and what the available funds do not pay is carried to the next
    month. Bases: the opening performing pool balance ``pool_open`` (``ON_POOL_START``,
    the month's defaults ``defaulted`` included), the same less them
    (``ON_POOL_START_EX_DEFAULTS``), the notes outstanding at the start of the month
    ``notes_start`` (``ON_NOTES``), or none (``FIXED_ONLY``). Writes ``FEE_PAID`` and
    ``FEE_UNPAID``; returns the funds left."""
    for f in range(path.fee_carry.shape[0]):
        code = terms.fee_basis[f]
        base = pool_open
        if code == ON_POOL_START_EX_DEFAULTS:
            base = pool_open - defaulted
        elif code == ON_NOTES:
            base = notes_start
        elif code == FIXED_ONLY:
            base = 0.0
        due = min(base * terms.fee_rate[f, k] + terms.fee_fixed[f], terms.fee_cap[f])
        due += path.fee_carry[f]
        paid = min(available, max(due, 0.0))
        available -= paid
        path.fee_carry[f] = due - paid
        out.fees[FEE_PAID, p, f, k] = paid
        out.fees[FEE_UNPAID, p, f, k] = path.fee_carry[f]
    return available


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def pay_interest(
    terms: Terms, p: int, k: int, revolving: bool, wind_down: bool, accelerated: bool,
    available: float, path: PathState, out: Outputs, stepped: float = 0.0,
    paying: bool = True,
) -> float:  # pragma: no cover - compiled
    """Step 2: interest to each coupon-bearing class, tier by tier in seniority order, on its
    payment dates.

    Interest accrues every month at the month's coupon (``coupon_period``, plus
    ``step_up_period`` times ``stepped``: 1 from the month the clean-up call could have been
    exercised and was not, else 0) on the balance, and unpaid interest itself bears interest
    at the coupon, so the promised flows are worth par at the coupon rate and the expected
    loss of DOMAIN.md is exactly the present value of what is finally not paid. A class
    whose coupon is paid after principal (``late``) accrues here and is paid by
    :func:`pay_late_interest`, unless the deal is accelerated. Every month is a payment
    date, except that a quarterly class, during the revolving period, pays only every third
    month, or when the deal winds down (``wind_down``: the legal final, a call,
    acceleration, or the pool exhausted).

    With a deal payment frequency above monthly, only the deal's payment dates
    (``paying``) are payment dates, of every class; a quarterly class's rule applies on top
    (it pays on those of the deal's dates that are its own). Between the deal's dates the
    month's interest on the balance goes to ``path.period_interest``, which bears no
    interest: only what was left unpaid on an earlier payment date (``path.accrued``)
    compounds. On the payment date the period's interest joins it and is due, so a class
    paid in full receives its balance times the sum of the period's coupons (the period's
    accrual fraction), as a deal paying every N months pays. Monthly (``paying`` always
    true) the formula is the one above, bit for bit. The classes of one tier rank pari passu: short
    of funds, they share them by the interest owed. Under acceleration the funds go tier by
    tier: a tier's interest, then all its principal (:func:`pay_tier_principal`), then the
    next tier.

    Writes ``CLASS_DUE`` (the interest owed on a payment date, 0 on other months); fills
    ``path.interest_paid``, ``path.pay_date`` and ``path.principal_paid`` (0 unless
    accelerated); returns the funds left.
    """
    t = k + 1
    for i in range(terms.tier_start.shape[0] - 1):
        first, last = terms.tier_start[i], terms.tier_start[i + 1]
        owed_total = 0.0
        owing = first
        for j in range(first, last):
            coupon = terms.coupon_period[j, k] + stepped * terms.step_up_period[j, k]
            carried = path.accrued[j] * (1.0 + coupon)
            fresh = path.period_interest[j] + path.balance[j] * coupon
            path.accrued[j] = carried + fresh if paying else carried
            path.period_interest[j] = 0.0 if paying else fresh
            dated = ((not terms.quarterly[j] or not revolving or t % 3 == 0
                      or wind_down) and terms.coupon[j] > 0)
            path.pay_date[j] = dated and paying
            due = path.accrued[j] if path.pay_date[j] else 0.0
            out.classes[CLASS_DUE, p, j, k] = due
            now = 0.0 if terms.late[j] and not accelerated else due
            path.interest_paid[j] = max(now, 0.0)  # owed now; paid below
            owed_total += path.interest_paid[j]
            owing = j if path.interest_paid[j] > 0 else owing
            path.principal_paid[j] = 0.0
        # Pari passu inside the tier: in full when the funds suffice, else each class its
        # share of the funds by the interest owed, the last class owing taking the rest
        # (a tier of one class is paid min(funds, owed), as before tiers existed).
        short = available < owed_total
        funds = available
        for j in range(first, last):
            owed = path.interest_paid[j]
            share = funds * (owed / owed_total) if short else owed
            paid = available if short and j == owing else min(available, share)
            path.interest_paid[j] = paid
            available -= paid
            path.accrued[j] -= paid
        available = pay_tier_principal(terms.tier_rule[i] == TIER_PRO_RATA, accelerated,
                                       first, last, available, path)
    return available


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def pay_tier_principal(pro_rata: bool, accelerated: bool, first: int, last: int,
                       available: float, path: PathState) -> float:  # pragma: no cover
    """Step 2 under acceleration (``accelerated``; else it pays nothing), after a tier's
    interest: the tier's principal (classes ``first`` to ``last - 1``), in full as far as
    the funds go; short, sequentially or, with ``pro_rata``, by the classes' balances (the
    last class with a balance taking the rest). Sets ``path.principal_paid``; returns the
    funds left. (Called every month, not in a branch: see the module docstring.)"""
    # Not accelerated, the loops run over no class: a choice between scalars, no branch.
    stop = last if accelerated else first
    owed_total = 0.0
    owing = first
    for j in range(first, stop):
        owed_total += max(path.balance[j], 0.0)
        owing = j if path.balance[j] > 0 else owing
    short = available < owed_total
    funds = available
    for j in range(first, stop):
        owed = max(path.balance[j], 0.0)
        share = funds * (owed / owed_total) if short and pro_rata else owed
        paid = available if short and pro_rata and j == owing else min(available, share)
        path.principal_paid[j] += paid
        available -= paid
    return available


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def top_up_reserve(
    terms: Terms, p: int, k: int, notes_open: float, wind_down: bool, available: float,
    out: Outputs, paying: bool = True, reserve_open: float = 0.0,
) -> tuple[float, float, float]:  # pragma: no cover - compiled
    """Step 3: the reserve is topped up to its target, the larger of ``reserve_target``
    of the opening note balance ``notes_open`` and ``reserve_floor`` of the original
    notes (while any note is outstanding); the target is 0 when the deal winds down, which
    releases the whole reserve. The reserve's opening balance was part of the available
    funds, so the reserve closes at the smaller of the target and the funds. Between the
    deal's payment dates (``paying`` false) it is neither topped up nor released: it closes
    at its opening balance ``reserve_open``. Writes ``RESERVE_TARGET`` and
    ``RESERVE_CLOSE``.

    Returns
    -------
    tuple of float
        The target, the reserve's closing balance and the funds left.
    """
    floor = terms.reserve_floor * terms.initial_notes
    target = max(terms.reserve_target * notes_open, floor * (1.0 if notes_open > 0 else 0.0))
    if wind_down:
        target = 0.0
    level = target if paying else reserve_open
    reserve_cash = min(available, level)
    available -= reserve_cash
    out.accounts[RESERVE_TARGET, p, k] = target
    out.accounts[RESERVE_CLOSE, p, k] = reserve_cash
    return target, reserve_cash, available


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def release_liquidity(
    terms: Terms, p: int, k: int, wind_down: bool, liquidity: float, path: PathState,
    out: Outputs, paying: bool = True,
) -> tuple[float, float, float]:  # pragma: no cover - compiled
    """Step 0, with a liquidity reserve: its target is the larger of ``liquidity_target``
    of the senior classes' balance at the start of the month and ``liquidity_floor``,
    while a senior class is outstanding; 0 when none is or when the deal winds down
    (``wind_down``). The balance above the target is released into the available funds,
    on the deal's payment dates only (``paying``). Writes ``LIQUIDITY_OPEN``,
    ``LIQUIDITY_TARGET`` and ``LIQUIDITY_RELEASED``.

    Returns
    -------
    tuple of float
        The target, the balance kept and the amount released.
    """
    senior = 0.0
    for j in range(path.balance.shape[0]):
        senior += path.balance[j] if terms.liquidity_covers[j] else 0.0
    target = max(terms.liquidity_target * senior, terms.liquidity_floor) if senior > 0 else 0.0
    if wind_down:
        target = 0.0
    kept = min(liquidity, target) if paying else liquidity
    out.accounts[LIQUIDITY_OPEN, p, k] = liquidity
    out.accounts[LIQUIDITY_TARGET, p, k] = target
    out.accounts[LIQUIDITY_RELEASED, p, k] = liquidity - kept
    return target, kept, liquidity - kept


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def reimburse_advance(terms: Terms, p: int, k: int, advance: float, available: float,
                      out: Outputs) -> tuple[float, float]:  # pragma: no cover - compiled
    """Step 0, last, with a servicer advance: the advances outstanding accrue
    ``advance_rate`` (added to them), and are reimbursed first, before the senior fees, as
    far as the available funds go. Writes ``ADVANCE_OPEN``, ``ADVANCE_INTEREST`` and
    ``ADVANCE_REIMBURSED``; returns the advances outstanding and the funds left."""
    interest = advance * terms.advance_rate
    owed = advance + interest
    paid = min(available, owed)
    out.accounts[ADVANCE_OPEN, p, k] = advance
    out.accounts[ADVANCE_INTEREST, p, k] = interest
    out.accounts[ADVANCE_REIMBURSED, p, k] = paid
    return owed - paid, available - paid


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def cover_shortfalls(terms: Terms, p: int, k: int, cash: float, path: PathState,
                     out: Outputs) -> float:  # pragma: no cover - compiled
    """After step 2, with liquidity support: ``cash`` (the liquidity reserve, then the
    servicer's advance room) pays what the available funds left unpaid of the senior fees,
    in their order (the amounts carried), then of the senior classes' interest due on the
    month's payment date, in seniority order; nothing else. Adds to ``FEE_PAID``, rewrites
    ``FEE_UNPAID``, adds to ``path.interest_paid``, lowers ``path.fee_carry`` and
    ``path.accrued``; returns what is left of ``cash``."""
    left = cash
    for f in range(path.fee_carry.shape[0]):
        pay = min(left, max(path.fee_carry[f], 0.0))
        left -= pay
        path.fee_carry[f] -= pay
        out.fees[FEE_PAID, p, f, k] += pay
        out.fees[FEE_UNPAID, p, f, k] = path.fee_carry[f]
    return pay_accrued(terms.liquidity_covers, True, left, path)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def advance_room(terms: Terms, wind_down: bool, pool_open: float, pool_close: float,
                 pending: float, advance: float) -> float:  # pragma: no cover - compiled
    """What the servicer may advance this month: up to its limit (``advance_limit``, or
    ``advance_limit_share`` of the opening performing pool ``pool_open``) and to what it
    deems recoverable (the closing performing pool ``pool_close`` plus the recoveries
    still to come ``pending``), less the advances outstanding; nothing when the deal winds
    down."""
    limit = terms.advance_limit + terms.advance_limit_share * pool_open
    room = max(min(limit, pool_close + pending) - advance, 0.0)
    return 0.0 if wind_down else room


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def replenish_liquidity(target: float, liquidity: float,
                        available: float) -> tuple[float, float, float]:  # pragma: no cover
    """At ``replenish_after`` (after step 2, or after the principal due): the funds top the
    liquidity reserve back up to its target. Returns its balance, the funds left and the
    amount replenished."""
    amount = min(available, max(target - liquidity, 0.0))
    return liquidity + amount, available - amount, amount


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def close_support(p: int, k: int, drawn: float, replenished: float, liquidity: float,
                  made: float, lost: float, advance: float,
                  out: Outputs) -> None:  # pragma: no cover - compiled
    """The liquidity reserve and the servicer advance at the end of the month: writes
    ``LIQUIDITY_DRAWN``, ``LIQUIDITY_REPLENISHED``, ``LIQUIDITY_CLOSE``, ``ADVANCE_MADE``,
    ``ADVANCE_LOST`` (what is outstanding when the deal ends) and ``ADVANCE_CLOSE``."""
    out.accounts[LIQUIDITY_DRAWN, p, k] = drawn
    out.accounts[LIQUIDITY_REPLENISHED, p, k] = replenished
    out.accounts[LIQUIDITY_CLOSE, p, k] = liquidity
    out.accounts[ADVANCE_MADE, p, k] = made
    out.accounts[ADVANCE_LOST, p, k] = lost
    out.accounts[ADVANCE_CLOSE, p, k] = advance


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def principal_due(notes_open: float, pool_close: float, offset: float,
                  path: PathState) -> float:  # pragma: no cover - compiled
    """Step 4, the amount due: the note balance, after any principal paid under
    acceleration and the month's write-downs, in excess of the performing pool balance and
    of the defaults not yet liquidated (``offset``: the month's write-downs plus, when
    losses are written down on liquidation, the defaulted balance whose recovery is still
    to come; 0 with write-downs at the end). With write-downs at the end that is the pool's
    decline including defaults, so excess spread covers losses (a principal deficiency
    ledger); with write-downs as losses arise, the principal collections and recoveries."""
    return max(notes_open - _total(path.principal_paid) - pool_close - offset, 0.0)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def take_haircut(terms: Terms, p: int, q: int, k: int,
                 out: Outputs) -> float:  # pragma: no cover - compiled
    """Step 0, before the available funds: the excess-spread haircut takes ``haircut`` of
    the month's pool interest and fee income out of the collections (a stress of rating
    runs; the cash leaves the deal). Writes ``HAIRCUT`` (at path ``q``); returns it."""
    cut: float = terms.haircut * (out.pool[POOL_INTEREST, p, k] + out.pool[POOL_FEE, p, k])
    out.accounts[HAIRCUT, q, k] = cut
    return cut


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def write_down(
    pool: PoolInputs, terms: Terms, p: int, k: int, defaulted: float, ending: bool,
    sold: float, pool_close: float, path: PathState, out: Outputs,
) -> float:  # pragma: no cover - compiled
    """Step 4, before the principal due, when losses are written down as they arise
    (``loss_timing`` not ``AT_END``): the month's loss is written off the notes, the most
    junior class first, each class down to zero at most (after any principal paid under
    acceleration).

    The loss: with ``ON_DEFAULT``, the month's defaults ``defaulted``. With
    ``ON_LIQUIDATION``, the defaults of ``lag`` months before less the recoveries received
    this month (never below 0); and when the deal ends (``ending``), also the defaults
    whose recoveries have not arrived, less the recoveries sold with the pool to a
    clean-up call (``sold``; none otherwise, as recoveries after the end are lost). With
    either, when the deal ends, the performing balance left (``pool_close``: loans that
    outlive the legal final date, never sold) is a loss too, so that every note not
    written down is due and paid in order before anything is reinstated. Loss in excess
    of every note is not allocated.

    Fills ``path.writedown`` and adds it to ``path.written_off``; lowers ``path.balance``.

    Returns
    -------
    float
        The ``offset`` of :func:`principal_due`: the month's write-downs plus the defaults
        not yet liquidated, less the performing balance lost at the end (which
        :func:`principal_due` takes off the notes already).
    """
    path.gross[k] = defaulted
    lag = pool.lag
    unliquidated = 0.0
    loss = defaulted
    if terms.loss_timing == ON_LIQUIDATION:
        liquidated = path.gross[k - lag] if k >= lag else 0.0
        loss = max(liquidated - out.pool[POOL_RECOVERY, p, k], 0.0)
        for i in range(max(k + 1 - lag, 0), k + 1):
            unliquidated += path.gross[i]
        if ending:
            loss += max(unliquidated - sold, 0.0)
            unliquidated = 0.0
    lost = max(pool_close, 0.0) if ending else 0.0
    loss += lost
    n = path.balance.shape[0]
    total = 0.0
    for i in range(n):
        j = n - 1 - i
        room = max(path.balance[j] - path.principal_paid[j], 0.0)
        w = min(loss - total, room)
        path.balance[j] -= w
        path.writedown[j] = w
        path.written_off[j] += w
        total += w
    return total + unliquidated - lost


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def principal_funds(
    terms: Terms, p: int, k: int, haircut: float, held_open: float, spent: float,
    topped_up: float, available: float, out: Outputs,
) -> float:  # pragma: no cover - compiled
    """Step 4, with excess interest released in full or in part (``excess_use`` not
    ``COVER_DEFICIENCY``): the funds that may pay the principal due (or buy receivables)
    and reinstate write-downs.

    Excess interest is the revenue (the month's pool interest and fee income after the
    ``haircut``, plus the cash ``held_open`` from the month before) less what steps 1 to 3
    spent of the funds (``spent``: fees, interest, principal under acceleration) and the
    reserve top-up (``topped_up``), at most the funds left ``available``. The rest of the
    funds are principal funds (principal collections, recoveries, call proceeds, reserve
    releases). With ``RELEASE`` the principal funds may pay principal; with
    ``COVER_UP_TO`` they and ``cover_limit`` of the excess interest.
    """
    excess = excess_interest(p, k, haircut, held_open, spent, topped_up, available, out)
    cover = min(excess, terms.cover_limit) if terms.excess_use == COVER_UP_TO else 0.0
    return available - excess + cover


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def excess_interest(p: int, k: int, haircut: float, held_open: float, spent: float,
                    topped_up: float, available: float,
                    out: Outputs) -> float:  # pragma: no cover - compiled
    """The excess interest of :func:`principal_funds`: the revenue (pool interest and fee
    income after the ``haircut``, plus the revenue the trust account held, ``held_open``)
    less ``spent`` and ``topped_up``, at most the funds ``available``."""
    revenue: float = (out.pool[POOL_INTEREST, p, k] + out.pool[POOL_FEE, p, k] - haircut
                      + held_open)
    return min(available, max(revenue - spent - topped_up, 0.0))


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def reinstate(room: float, path: PathState) -> float:  # pragma: no cover - compiled
    """Step 4, with ``reinstate``, while the notes amortise (neither revolving nor
    accelerated), before the principal is paid: the funds that may pay principal left
    after the principal due (``room``) reinstate the amounts written down and not yet
    reinstated, senior class first: each is added back to its class's balance, and the
    amount reinstated is added to the principal due, which :func:`pay_principal` then pays
    in its usual order (sequential or pro rata). Fills ``path.reinstated``, adds to
    ``path.balance``, lowers ``path.written_off``; returns the amount reinstated."""
    left = max(room, 0.0)
    total = 0.0
    for j in range(path.balance.shape[0]):
        r = min(left - total, path.written_off[j])
        path.reinstated[j] = r
        path.written_off[j] -= r
        path.balance[j] += r
        total += r
    return total


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def buy_receivables(
    p: int, k: int, buying: bool, due: float, available: float, pool_close: float,
    out: Outputs,
) -> float:  # pragma: no cover - compiled
    """Step 4 during the revolving period (``buying``: revolving and not called): the
    principal due, as far as the funds pay it, buys new receivables at the end of the month
    instead of paying the notes (:func:`add_cohort`). Writes ``POOL_BOUGHT`` and
    ``POOL_CLOSE`` (the performing balance with the purchases); returns the amount
    bought."""
    purchase = min(available, due) if buying else 0.0
    out.pool[POOL_BOUGHT, p, k] = purchase
    out.pool[POOL_CLOSE, p, k] = pool_close + purchase
    return purchase


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def add_cohort(
    pool: PoolInputs, k: int, purchase: float, cohorts: int, base: float, path: PathState,
) -> tuple[int, float]:  # pragma: no cover - compiled
    """The receivables bought at the end of month ``k`` become a cohort that follows the
    purchase profile from the next month on, with weight ``purchase``; they add to the
    performing balance and to ``base``. Returns the number of cohorts and the base."""
    path.bought_in[cohorts] = k
    path.weights[cohorts, :] = purchase
    for g in range(path.performing.shape[0]):
        path.performing[g] = path.performing[g] + purchase * pool.purchase_balance[g]
    return cohorts + 1, base + purchase


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def pay_principal(
    terms: Terms, k: int, sequential: bool, amortising: bool, wind_down: bool, due: float,
    available: float, pool_close: float, path: PathState,
) -> float:  # pragma: no cover - compiled
    """Step 4 after the revolving period (``amortising``: neither buying nor accelerated):
    the principal due, as far as the funds pay it, goes to the tiers sequentially (senior
    first) or, while no ``sequential`` trigger is breached, pro rata to the tiers' balances
    left after any principal paid in step 2; inside a tier, to its classes sequentially or
    pro rata to their balances (``tier_rule``; a tier without a rule, ``TIER_AS_DEAL``, pro
    rata while the deal's principal is, so that its classes are paid as they were before
    tiers existed).

    A class with a target balance takes at most its balance above the target (the scheduled
    amount, plus its share of the closing performing pool ``pool_close``) while no trigger
    that switches to sequential has been breached, and not in the month the deal winds down
    (``wind_down``: the legal final, a call, the pool exhausted; every note is due then);
    what it cannot take is offered to the
    next classes in the order (sequentially, the rest of the amount; pro rata, added to the
    next class's share), and what no class can take stays in the funds (the residual).
    Without targets, pro rata shares are capped at the balances and nothing moves on, as
    before tiers existed. Adds to ``path.principal_paid``; returns the funds left."""
    amount = min(available, due) if amortising else 0.0
    capped = terms.scheduled and not wind_down
    # The triggers are read only with targets to cap (a loop over none otherwise), and with
    # `&`, not `and`: an array read inside a short-circuit costs numba reference counts.
    for i in range(path.breached.shape[0] if capped else 0):
        released = path.breached[i] & (terms.trigger_action[i] == SEQUENTIAL)
        capped = capped & (not released)
    total = 0.0
    for j in range(path.balance.shape[0]):
        path.outstanding[j] = path.balance[j] - path.principal_paid[j]
        total += path.outstanding[j]
    left = amount  # sequentially: what is still to pay
    carry = 0.0  # pro rata, with targets: what earlier classes could not take
    split_total = 0.0
    for i in range(terms.tier_start.shape[0] - 1):
        first, last = terms.tier_start[i], terms.tier_start[i + 1]
        tier_total = 0.0
        for j in range(first, last):
            tier_total += path.outstanding[j]
        share = tier_total / total if total > 0 else 0.0
        budget = left if sequential else amount * share + carry
        rule = terms.tier_rule[i]
        pro_rata = rule == TIER_PRO_RATA or (rule == TIER_AS_DEAL and not sequential)
        rest = budget
        spill = 0.0
        for j in range(first, last):
            outstanding = path.outstanding[j]
            target = terms.target_amount[j, k] + terms.target_pool[j] * pool_close
            room = max(outstanding - target, 0.0) if capped else outstanding
            if pro_rata:
                inside = outstanding / tier_total if tier_total > 0 else 0.0
                offer = budget * inside + spill
                split = min(offer, room)
                spill = offer - split
            else:
                split = min(rest, room)
                rest -= split
            path.principal_paid[j] += split
            split_total += split
        rest = spill if pro_rata else rest
        left = rest
        carry = rest if capped else 0.0
    return available - split_total


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def record_targets(terms: Terms, p: int, k: int, pool_close: float, path: PathState,
                   out: Outputs) -> None:  # pragma: no cover - compiled
    """Step 4, with target balances: write each targeted class's target of the month
    (``CLASS_TARGET``; the scheduled amount plus its share of the closing performing pool
    ``pool_close``), whether or not it caps the class this month."""
    for j in range(path.balance.shape[0]):
        if terms.targeted[j]:
            out.classes[CLASS_TARGET, p, j, k] = (terms.target_amount[j, k]
                                                  + terms.target_pool[j] * pool_close)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def pay_turbo(terms: Terms, amortising: bool, available: float,
              path: PathState) -> float:  # pragma: no cover - compiled
    """Step 4 with ``turbo``: once amortising, all the funds left after the principal due
    pay the rated classes' principal too, senior first. Adds to ``path.principal_paid``;
    returns the funds left."""
    left = available if amortising else 0.0
    extra_total = 0.0
    for j in range(path.balance.shape[0]):
        room = (path.balance[j] - path.principal_paid[j]) * (1.0 if terms.rated[j] else 0.0)
        extra = min(left, room)
        left -= extra
        path.principal_paid[j] += extra
        extra_total += extra
    return available - extra_total


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def pay_late_interest(terms: Terms, accelerated: bool, available: float,
                      path: PathState) -> float:  # pragma: no cover - compiled
    """Step 4, last (after the turbo): the coupons paid after principal (``late``: the
    subordinated class's 期间收益), on their payment dates, as far as the funds go; what is
    unpaid is carried like any interest. Under acceleration step 2 paid them. Adds to
    ``path.interest_paid``; returns the funds left."""
    return pay_accrued(terms.late, not accelerated, available, path)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def pay_accrued(which: BoolArray, allowed: bool, available: float,
                path: PathState) -> float:  # pragma: no cover - compiled
    """The interest accrued of the classes ``which`` marks, on their payment dates, in
    seniority order, as far as ``available`` goes (nothing unless ``allowed``); what is
    unpaid stays accrued. Adds to ``path.interest_paid``; returns the funds left."""
    for j in range(path.balance.shape[0]):
        owed = path.accrued[j] if which[j] and path.pay_date[j] and allowed else 0.0
        paid = min(available, max(owed, 0.0))
        available -= paid
        path.interest_paid[j] += paid
        path.accrued[j] -= paid
    return available


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def pay_residual(terms: Terms, p: int, k: int, hold: bool, available: float,
                 out: Outputs) -> float:  # pragma: no cover - compiled
    """Step 5: the funds left go to the subordinated class (``CLASS_RESIDUAL``), or to the
    originator (``ORIGINATOR_RESIDUAL``) when there is none. Between payment dates
    (``hold``: every month that is not one of the deal's payment dates, and, in the
    revolving period of a deal with a quarterly class, the months that are not its dates),
    the trust account keeps them instead until the next month (``HELD_CLOSE``), where they
    are available funds again: nothing is released before the period's coupons are paid.
    Returns the amount held."""
    sub = terms.sub
    held = available if hold else 0.0
    residual = 0.0 if hold else available
    if sub >= 0:
        out.classes[CLASS_RESIDUAL, p, sub, k] = residual
    else:
        out.accounts[ORIGINATOR_RESIDUAL, p, k] = residual
    out.accounts[HELD_CLOSE, p, k] = held
    return held


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def close_classes(p: int, k: int, ending: bool, path: PathState,
                  out: Outputs) -> float:  # pragma: no cover - compiled
    """The classes at the end of the month: the principal paid comes off the balances.
    When the deal ends (``ending``: the legal final, or the pool exhausted with no recovery
    to come), every balance still outstanding is written down (``CLASS_WRITEDOWN``, with
    the month's earlier write-downs) and the interest still unpaid is a shortfall that is
    never paid. On other months ``CLASS_SHORTFALL`` is the interest left unpaid on a
    payment date, carried (bearing interest). Writes the classes' interest and principal
    paid, write-downs, reinstatements and closing balances, and
    clears the month's write-downs and reinstatements; returns the notes outstanding."""
    for j in range(path.balance.shape[0]):
        balance = path.balance[j] - path.principal_paid[j]
        accrued = path.accrued[j]
        writedown = balance if ending else 0.0
        out.classes[CLASS_INTEREST, p, j, k] = path.interest_paid[j]
        out.classes[CLASS_PRINCIPAL, p, j, k] = path.principal_paid[j]
        out.classes[CLASS_WRITEDOWN, p, j, k] = path.writedown[j] + writedown
        out.classes[CLASS_REINSTATED, p, j, k] = path.reinstated[j]
        path.writedown[j] = 0.0
        path.reinstated[j] = 0.0
        out.classes[CLASS_SHORTFALL, p, j, k] = accrued if path.pay_date[j] or ending else 0.0
        path.balance[j] = balance - writedown
        if ending:
            path.accrued[j] = 0.0
        out.classes[CLASS_CLOSE, p, j, k] = path.balance[j]
    return _total(path.balance)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def evaluate_triggers(
    terms: Terms, p: int, q: int, k: int, default_rate: float, target: float,
    reserve_cash: float,
    notes: float, sequential: bool, revolving: bool, accelerated: bool, path: PathState,
    out: Outputs, paying: bool = True,
) -> tuple[bool, bool, bool]:  # pragma: no cover - compiled
    """Triggers, at the end of the month; they act from the next month on and are sticky.
    Their values are written every month, but a breach is decided on the deal's payment
    dates only (``paying``; every month when the deal pays monthly): between them the cash
    is in the trust account and the notes are not paid down.

    A trigger is breached when its value exceeds the month's threshold. Values: the
    cumulative default rate ``default_rate`` (defaults over initial pool plus purchases,
    also written as ``POOL_CDR``); the reserve shortfall, ``(target - reserve) / target``;
    the principal deficiency, notes in excess of the closing pool balance over notes.
    Actions: ``SEQUENTIAL`` switches pro rata principal to sequential, ``END_REVOLVING``
    ends the revolving period, ``ACCELERATE`` ends it and pays class by class (step 2).
    Writes ``trigger_value`` and ``trigger_breached`` (at path ``q``, the pool's rows at
    path ``p``); updates ``path.breached``.

    Returns
    -------
    tuple of bool
        ``sequential``, ``revolving`` and ``accelerated`` for the next month.
    """
    out.pool[POOL_CDR, p, k] = default_rate
    for i in range(path.breached.shape[0]):
        metric = terms.trigger_metric[i]
        if metric == CUMULATIVE_DEFAULT_RATE:
            value = default_rate
        elif metric == RESERVE_SHORTFALL:
            value = (target - reserve_cash) / target if target > 0 else 0.0
        else:
            uncovered = notes - out.pool[POOL_CLOSE, p, k]
            value = max(uncovered, 0.0) / notes if notes > 0 else 0.0
        over = value > terms.trigger_threshold[i, k]
        breached = path.breached[i] or (over and paying)
        path.breached[i] = breached
        out.trigger_value[q, i, k] = value
        out.trigger_breached[q, i, k] = breached
        action = terms.trigger_action[i]
        if action == SEQUENTIAL:
            sequential = sequential or breached
        elif action == END_REVOLVING:
            revolving = revolving and not breached
        else:
            accelerated = accelerated or breached
            revolving = revolving and not breached
    return sequential, revolving, accelerated


@njit(cache=True, nogil=True, error_model="numpy")
def nonzero_log(cash: Array, log_cash: Array, months: Array) -> int:  # pragma: no cover
    """Put the logs of the non-zero flows of ``cash`` (periods,) and their months (1, 2,
    ...) first in ``log_cash`` and ``months``; return how many there are.

    A month without cash adds exp(-inf) = 0 to every sum of :func:`log_discount`, exactly,
    so leaving it out changes no bit; most months of a class have none (paid off, or
    between quarterly dates), which made the solver 2x faster."""
    n = 0
    for i in range(cash.shape[0]):
        if cash[i] != 0:
            log_cash[n] = np.log(cash[i])
            months[n] = i + 1.0
            n += 1
    return n


@njit(cache=True, nogil=True, error_model="numpy")
def log_discount(cash: Array, price: float, log_cash: Array,
                 months: Array) -> float:  # pragma: no cover - compiled
    """:func:`abs_tool.engine.metrics.solve_log_discount` for one row ``cash`` (periods,);
    ``log_cash`` and ``months`` are scratch space of the same shape. Each row stops on its
    own tolerance, so a row's root does not depend on the rows solved beside it."""
    received = 0.0
    for i in range(cash.shape[0]):
        received += cash[i]
    if not received > 0:
        return np.inf
    n = nonzero_log(cash, log_cash, months)
    log_price = np.log(price)
    u = 0.0
    for _ in range(NEWTON_ITERATIONS):
        top = -np.inf
        for i in range(n):
            top = max(top, log_cash[i] + u * months[i])
        total = moment = 0.0
        for i in range(n):
            w = np.exp(log_cash[i] + u * months[i] - top)
            total += w
            moment += w * months[i]
        step = (top + np.log(total) - log_price) / (moment / total)
        u -= step
        if abs(step) <= NEWTON_TOLERANCE:
            break
    return u


@njit(cache=True, nogil=True, error_model="numpy")
def solve_rows(cash: Array, price: Array, out: Array) -> None:  # pragma: no cover - compiled
    """:func:`log_discount` of every row of ``cash`` (n, periods) into ``out`` (n,)."""
    log_cash = np.empty(cash.shape[1])
    months = np.empty(cash.shape[1])
    for r in range(cash.shape[0]):
        out[r] = log_discount(cash[r], price[r], log_cash, months)


@njit(cache=True, nogil=True, error_model="numpy")
def discount_factors(coupon: Array, periods: int) -> Array:  # pragma: no cover - compiled
    """(classes, periods) ``(1 + coupon)^-t`` for t = 1..periods, ``coupon`` monthly."""
    discount = np.empty((coupon.shape[0], periods))
    for c in range(coupon.shape[0]):
        for k in range(periods):
            discount[c, k] = (1.0 + coupon[c]) ** -(k + 1.0)
    return discount


@njit(cache=True, nogil=True, error_model="numpy")
def class_discount(coupon: Array, coupon_period: Array, floating: BoolArray,
                   periods: int) -> Array:  # pragma: no cover - compiled
    """(classes, periods) the metrics' discount factors: :func:`discount_factors` of the
    monthly ``coupon`` for a fixed coupon, and for a floating one (``floating``) the
    cumulative product of ``1 / (1 + coupon_period)`` over its accrual path, at which its
    promised flows are worth par."""
    discount = discount_factors(coupon, periods)
    for c in range(coupon.shape[0]):
        if floating[c]:
            factor = 1.0
            for k in range(periods):
                factor /= 1.0 + coupon_period[c, k]
                discount[c, k] = factor
    return discount


@njit(cache=True, nogil=True, error_model="numpy")
def path_metrics(
    interest: Array, principal: Array, residual: Array, writedown: Array, reinstated: Array,
    shortfall: Array, months: int, end_month: int, original: Array, coupon: Array,
    discount: Array, with_duration: bool, scratch: Array, p: int, out: Array,
    floating: BoolArray,
) -> None:  # pragma: no cover - compiled
    """Fill ``out[:, p]`` (len(METRIC_ROWS), paths, classes) from the flows of one path,
    each (classes, periods), of which the first ``months`` are read: flows after the month
    the deal ended (``end_month``) are zero and add nothing. ``coupon`` is monthly and
    ``discount`` comes from :func:`class_discount`; ``with_duration=False`` leaves the
    modified duration NaN; ``scratch`` is (3, periods) working space.

    A class's claim (balance and interest accrued) grows at the coupon and falls by what it
    is paid and written down, and rises by what is reinstated, so the PV at the coupon of
    what is finally not paid is that of its write-downs net of reinstatements, and of the
    interest unpaid at the end; the principal loss is the write-downs net of
    reinstatements."""
    n_periods = principal.shape[1]
    cash, log_cash, times = scratch[0], scratch[1], scratch[2]
    for k in range(months, n_periods):
        cash[k] = 0.0
    end = end_month - 1  # what is still unpaid when the deal ends is lost
    for c in range(principal.shape[0]):
        r = coupon[c]
        received_i = received_p = received_r = lost_principal = lost_pv = 0.0
        timed = 0.0
        for k in range(months):
            received_i += interest[c, k]
            received_p += principal[c, k]
            received_r += residual[c, k]
            written = writedown[c, k] - reinstated[c, k]
            lost_principal += written
            timed += principal[c, k] * (k + 1)
            lost = written + (shortfall[c, k] if k == end else 0.0)
            lost_pv += lost * discount[c, k]
            cash[k] = interest[c, k] + principal[c, k] + residual[c, k]
        loss_pv = lost_pv / original[c]
        # Paid in full without residual: exactly the promised flows, worth par at the
        # coupon, so the yield is the coupon. Only the other classes need the solver, and
        # floating coupons (no one rate is their yield).
        u = -np.log1p(r)
        solve = floating[c]
        if loss_pv > DEFAULT_THRESHOLD or received_r > 0 or solve:
            u = log_discount(cash, original[c], log_cash, times)
        receives = np.isfinite(u)
        u_safe = u if receives else 0.0
        modified = np.nan
        if with_duration and receives:
            n = nonzero_log(cash, log_cash, times)
            top = -np.inf
            for i in range(n):
                log_cash[i] += u_safe * times[i]
                top = max(top, log_cash[i])
            total = moment = 0.0
            for i in range(n):
                w = np.exp(log_cash[i] - top)
                total += w
                moment += w * times[i]
            modified = moment / total / 12.0 * np.exp(u_safe)
        out[0, p, c] = received_i
        out[1, p, c] = received_p
        out[2, p, c] = received_r
        out[3, p, c] = lost_principal / original[c]
        out[4, p, c] = (shortfall[c, end] if 0 <= end < n_periods else 0.0) / original[c]
        out[5, p, c] = loss_pv
        out[6, p, c] = timed / received_p / 12.0 if received_p > 0 else np.nan
        out[7, p, c] = 12.0 * np.expm1(-u_safe) if receives else -12.0
        out[8, p, c] = modified


@njit(cache=True, nogil=True, error_model="numpy")
def metrics_kernel(interest: Array, principal: Array, residual: Array, writedown: Array,
                   reinstated: Array, shortfall: Array, end_month: IntArray, original: Array,
                   coupon: Array, with_duration: bool,
                   out: Array, coupon_period: Array,
                   floating: BoolArray) -> None:  # pragma: no cover - compiled
    """:func:`path_metrics` of every path, from flows (paths, classes, periods), discounting
    at :func:`class_discount` of ``coupon``, ``coupon_period`` and ``floating``."""
    n_paths, n_classes, n_periods = principal.shape
    discount = class_discount(coupon, coupon_period, floating, n_periods)
    scratch = np.empty((3, n_periods))
    for p in range(n_paths):
        path_metrics(interest[p], principal[p], residual[p], writedown[p], reinstated[p],
                     shortfall[p], n_periods, end_month[p], original, coupon, discount,
                     with_duration, scratch, p, out, floating)


@njit(cache=True, nogil=True, error_model="numpy")
def run_kernel(
    pool: PoolInputs, terms: Terms, out: Outputs, metrics: Array, with_duration: bool,
) -> int:  # pragma: no cover - compiled; run through run_waterfall
    """Run every path of ``pool`` (:class:`PoolInputs`) under ``terms`` (:class:`Terms`),
    writing into ``out`` (:class:`Outputs`), which must come zeroed: months after a path
    has ended are left as they are but for the fees carried and the triggers.

    With ``metrics`` shaped (len(METRIC_ROWS), paths, classes) instead of (..., 0, ...),
    every row of ``out`` but the pool's has one path only, which every path overwrites,
    and each path's class metrics (:func:`path_metrics`) are filled in ``metrics`` as it
    ends: what a Monte Carlo keeps, without the memory traffic of every line of every path.

    Returns a status code: :data:`OK`, or :data:`BOUGHT_WITHOUT_PROFILE`.
    """
    n_paths, horizon = out.pool.shape[1], out.pool.shape[2]
    summarise = metrics.shape[1] > 0
    discount = class_discount(terms.coupon, terms.coupon_period, terms.floating, horizon)
    scratch = np.empty((3, horizon))
    # Some coupon class pays quarterly while revolving: collections wait for its dates.
    quarterly_dates = False
    late_coupons = False
    for j in range(terms.original.shape[0]):
        quarterly_dates = quarterly_dates or (terms.quarterly[j] and terms.coupon[j] > 0)
        late_coupons = late_coupons or terms.late[j]
    profiled = pool.purchase_flows.shape[0] > 0
    liquidity_on = (terms.liquidity_initial > 0 or terms.liquidity_target > 0
                    or terms.liquidity_floor > 0)
    advance_on = terms.advance_limit > 0 or terms.advance_limit_share > 0
    # Read once: a named tuple's field read inside `and` costs reference counts every month.
    replenish_early = liquidity_on and not terms.liquidity_late
    replenish_late = liquidity_on and terms.liquidity_late
    every = terms.payment_months
    status = OK
    path = new_path_state(pool, terms, horizon)

    for p in range(n_paths):
        q = 0 if summarise else p  # the path's row in the outputs other than the pool's
        start_path(pool, terms, path)
        cohorts = 1
        base = pool.initial_pool
        reserve_cash = terms.initial_notes * terms.reserve_initial
        held = 0.0
        held_revenue = 0.0  # the revenue (not principal) part of the cash held
        liquidity = terms.liquidity_initial
        advance = 0.0
        revolving = terms.revolving_months > 0
        sequential = terms.sequential
        accelerated = False
        ended = False
        out.end_month[p] = horizon
        cumulative_default = 0.0
        stepped = 0.0  # 1 from the month the clean-up call could have been exercised

        for k in range(horizon):
            t = k + 1
            revolving = revolving and t <= terms.revolving_months
            out.flags[FLAG_REVOLVING, q, k] = revolving
            out.flags[FLAG_ACCELERATED, q, k] = accelerated
            paying = t % every == 0 or t == horizon

            if ended:
                # The deal ended before the legal final date because the pool was exhausted
                # with no recovery to come: every later month collects and pays nothing
                # (balances, flows and fractions are never negative), so only the carried
                # fees and the trigger values are left to report; the rest stays zero.
                for f in range(path.fee_carry.shape[0]):
                    out.fees[FEE_UNPAID, q, f, k] = path.fee_carry[f]
                target = reserve_cash = notes = held = 0.0
            else:
                pool_open, collections, defaulted, pool_close, pending = pool_month(
                    pool, p, k, base, cohorts, path, out)
                cumulative_default += defaulted
                notes_start = _total(path.balance)
                reached = call_reached(pool, terms, revolving, pool_close)
                call, proceeds = clean_up_call(pool, terms, p, k, revolving, pool_close,
                                               pending, out)
                stepped = 1.0 if reached and not call else stepped
                out.flags[FLAG_STEP_UP, q, k] = stepped > 0
                sold = 0.0
                if call:
                    sell_pool(cohorts, path)
                    sold = pending
                    pool_close = pending = 0.0
                # Nothing more will come in: every account is paid out this month.
                pool_done = pool_close <= 0 and pending <= 0 and not revolving
                wind_down = t == horizon or call or accelerated or pool_done
                ending = t == horizon or pool_done
                # A payment date of the deal; between them the trust account keeps the funds.
                paying = t % every == 0 or wind_down
                out.flags[FLAG_PAYMENT_DATE, q, k] = paying
                haircut = take_haircut(terms, p, q, k, out)
                reserve_open = reserve_cash
                liquidity_target = released = drawn = replenished = early = made = 0.0
                if liquidity_on:
                    liquidity_target, liquidity, released = release_liquidity(
                        terms, q, k, wind_down, liquidity, path, out, paying)
                available = available_funds(q, k, collections + proceeds - haircut,
                                            reserve_cash, held, path, out) + released
                funds = available
                # Between payment dates the steps up to the interest see no funds: fees and
                # interest accrue, the servicer is not reimbursed, no support is drawn.
                kept = 0.0 if paying else available
                available -= kept
                if advance_on:
                    advance, available = reimburse_advance(terms, q, k, advance, available,
                                                           out)
                available = pay_fees(terms, q, k, pool_open, defaulted, notes_start, available,
                                     path, out)
                available = pay_interest(terms, q, k, revolving, wind_down, accelerated,
                                         available, path, out, stepped, paying)
                if liquidity_on:
                    cash = liquidity if paying else 0.0
                    left = cover_shortfalls(terms, q, k, cash, path, out)
                    drawn = cash - left
                    liquidity = left if paying else liquidity
                if advance_on:
                    room = advance_room(terms, wind_down, pool_open, pool_close, pending,
                                        advance)
                    room = room if paying else 0.0
                    made = room - cover_shortfalls(terms, q, k, room, path, out)
                    advance += made
                available += kept
                spent = funds - available
                # Reserves are topped up, and principal paid, on payment dates only.
                level = liquidity_target if paying else liquidity
                if replenish_early:
                    liquidity, available, early = replenish_liquidity(level, liquidity,
                                                                      available)
                    replenished = early
                notes_open = _total(path.balance)
                target, reserve_cash, available = top_up_reserve(
                    terms, q, k, notes_open, wind_down, available, out, paying, reserve_open)
                offset = 0.0
                if terms.loss_timing != AT_END:
                    offset = write_down(pool, terms, p, k, defaulted, ending, sold, pool_close,
                                        path, out)
                due = principal_due(notes_open, pool_close, offset, path)
                owed = due  # the principal due before any cap, for PRINCIPAL_DUE
                eligible = available
                excess = 0.0
                if terms.excess_use != COVER_DEFICIENCY:
                    topped = max(reserve_cash - reserve_open, 0.0) + early
                    eligible = principal_funds(terms, p, k, haircut, held_revenue, spent,
                                               topped, available, out)
                    excess = excess_interest(p, k, haircut, held_revenue, spent, topped,
                                             available, out)
                    due = min(due, eligible)
                principal_funds_left = available - excess  # the funds that are not revenue
                buying = revolving and not call
                amortising = not accelerated and not buying and paying
                if terms.reinstate and amortising:
                    back = reinstate(min(eligible, available) - due, path)
                    due += back
                    owed += back
                purchase = buy_receivables(p, k, buying, due, available, pool_close, out)
                available -= purchase
                # Nothing is bought into the pool in the last month.
                if t < horizon and purchase > 0:
                    if profiled:
                        cohorts, base = add_cohort(pool, k, purchase, cohorts, base, path)
                    else:
                        status = BOUGHT_WITHOUT_PROFILE
                out.accounts[PRINCIPAL_DUE, q, k] = owed
                if terms.scheduled:
                    record_targets(terms, q, k, pool_close, path, out)
                available = pay_principal(terms, k, sequential, amortising, wind_down, due,
                                          available, pool_close, path)
                if replenish_late:
                    liquidity, available, replenished = replenish_liquidity(
                        level, liquidity, available)
                if terms.turbo:
                    available = pay_turbo(terms, amortising, available, path)
                if late_coupons:
                    available = pay_late_interest(terms, accelerated, available, path)
                hold = ((buying and quarterly_dates and t % 3 != 0 and not wind_down)
                        or not paying)
                held = pay_residual(terms, q, k, hold, available, out)
                # Held on a payment date (a quarterly class's hold) it is revenue, as purchases
                # took the principal; between the deal's dates, the revenue left after the
                # month's purchases, which take the principal funds first.
                revenue_left = excess - max(purchase - principal_funds_left, 0.0)
                held_revenue = held if paying else min(held, max(revenue_left, 0.0))
                notes = close_classes(q, k, ending, path, out)
                if liquidity_on or advance_on:
                    lost = advance if ending else 0.0
                    advance -= lost
                    close_support(q, k, drawn, replenished, liquidity, made, lost, advance, out)
                if ending:
                    ended = True
                    out.end_month[p] = t

            sequential, revolving, accelerated = evaluate_triggers(
                terms, p, q, k, cumulative_default / base, target, reserve_cash, notes,
                sequential, revolving, accelerated, path, out, paying)
        if summarise:
            end = out.end_month[p]
            path_metrics(out.classes[CLASS_INTEREST, 0], out.classes[CLASS_PRINCIPAL, 0],
                         out.classes[CLASS_RESIDUAL, 0], out.classes[CLASS_WRITEDOWN, 0],
                         out.classes[CLASS_REINSTATED, 0], out.classes[CLASS_SHORTFALL, 0],
                         end, end, terms.original,
                         terms.coupon, discount, with_duration, scratch, p, metrics,
                         terms.floating)
    return status
