"""Contract terms as data: the deal, its note classes, fees, reserve, triggers, revolving period.

Every object is a frozen dataclass validated in ``__post_init__``; a bad field raises
:class:`~abs_tool.errors.FieldError` naming the field, and containers re-raise it with their
own path prefix so that a message reads ``structure.classes[1].coupon_annual: must be in
[0, 1) (got 1.5)``. Engines are functions elsewhere; nothing here computes cash flows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from datetime import date
from enum import StrEnum

from abs_tool.errors import FieldError, InputError, LimitError
from abs_tool.limits import (
    AMOUNT,
    AMOUNT_OR_ZERO,
    MAX_HORIZON_MONTHS,
    MAX_PATHS,
    MAX_SEED,
    check_integer,
)
from abs_tool.model.assumptions import MONTE_CARLO_ONLY, Assumptions, deterministic_inputs
from abs_tool.model.dates import BusinessDayConvention, DayCount, PaymentDates, period_schedule
from abs_tool.model.eligibility import ConcentrationLimits, EligibilityCriteria

SHARE_TOLERANCE = 1e-6
"""Class sizes given as shares must add up to 1 within this."""


def _check(ok: bool, name: str, message: str, value: object) -> None:
    if not ok:
        raise FieldError(name, f"{message} (got {value!r})")


def _check_rate(name: str, value: float, upper_open: bool = True) -> None:
    ok = isinstance(value, int | float) and math.isfinite(value) and value >= 0
    ok = ok and (value < 1 if upper_open else value <= 1)
    _check(ok, name, "must be in [0, 1)" if upper_open else "must be in [0, 1]", value)


class Tier(StrEnum):
    """Seniority tier of a note class; classes are listed senior first."""

    SENIOR = "senior"  # 优先A级
    MEZZANINE = "mezzanine"  # 优先B级
    SUBORDINATED = "subordinated"  # 次级


TIER_ORDER = {Tier.SENIOR: 0, Tier.MEZZANINE: 1, Tier.SUBORDINATED: 2}


class SizeUnit(StrEnum):
    SHARE = "share"  # of the initial pool balance
    AMOUNT = "amount"  # currency


class PrincipalMode(StrEnum):
    SEQUENTIAL = "sequential"
    PRO_RATA = "pro_rata"


class CouponPriority(StrEnum):
    """Where a class's coupon is paid in the priority of payments."""

    INTEREST = "interest"  # step 2, with the other classes' interest, in seniority order
    # after principal (step 4), before the residual: the subordinated class's 期间收益 paid
    # from what is left once the notes have taken their principal
    AFTER_PRINCIPAL = "after_principal"


class TierPrincipal(StrEnum):
    """How principal is shared among the classes of one tier (:class:`TierRule`)."""

    SEQUENTIAL = "sequential"  # the first class listed in full, then the next
    PRO_RATA = "pro_rata"  # by the classes' balances


class TargetKind(StrEnum):
    """How a class's target balance is set (:class:`TargetBalance`)."""

    SCHEDULED = "scheduled"  # 计划摊还: a share of the class's original balance by month
    TARGET_SHARE_OF_POOL = "target_share_of_pool"  # 目标余额: a share of the performing pool


class TriggerMetric(StrEnum):
    CUMULATIVE_DEFAULT_RATE = "cumulative_default_rate"  # cum. defaults / (initial + purchases)
    RESERVE_SHORTFALL = "reserve_shortfall"  # (target - balance) / target, after top-up
    # Notes not covered by the performing pool (after purchases), as a share of the notes:
    # the principal deficiency a revolving deal builds up when losses outrun excess spread.
    PRINCIPAL_DEFICIENCY = "principal_deficiency"


class TriggerAction(StrEnum):
    SEQUENTIAL = "sequential"  # pro rata -> sequential
    END_REVOLVING = "end_revolving"  # early amortisation
    ACCELERATE = "accelerate"  # class by class: interest then principal, no residual


# Floating coupons (issue 16 item 4b).
@dataclass(frozen=True)
class FloatingCoupon:
    """A floating coupon: each month the class accrues the scenario's benchmark rate of
    the month (:class:`~abs_tool.model.assumptions.BenchmarkPath`) plus the class's
    ``coupon_annual``, which is then the margin, capped at ``cap_annual`` and floored at
    ``floor_annual`` (the all-in annual rate; ``None``: no cap, no floor)."""

    cap_annual: float | None = None
    floor_annual: float | None = None

    def __post_init__(self) -> None:
        for name in ("cap_annual", "floor_annual"):
            value = getattr(self, name)
            if value is not None:
                _check_rate(name, value)
        cap, floor = self.cap_annual, self.floor_annual
        _check(cap is None or cap > 0, "cap_annual", "must be > 0 (a cap of 0 pays no "
               "coupon; give no floating coupon instead)", cap)
        _check(cap is None or floor is None or floor <= cap, "floor_annual",
               f"must be at most `cap_annual` ({cap!r})", floor)


MAX_STEP_UP_BP = 10_000.0
"""The largest step-up (bp a year)."""


@dataclass(frozen=True)
class TargetPoint:
    """One point of a scheduled target balance: from payment month ``month`` (1 = the
    first month after the cut-off) the class's target is ``share`` of its original
    balance."""

    month: int
    share: float

    def __post_init__(self) -> None:
        _check(isinstance(self.month, int) and not isinstance(self.month, bool)
               and self.month >= 1, "month", "must be a whole month >= 1", self.month)
        _check_rate("share", self.share, upper_open=False)


@dataclass(frozen=True)
class TargetBalance:
    """A class's target balance (计划摊还 / 目标余额): while the deal amortises normally, the
    class takes at most its balance above the target each month, and the principal it
    cannot take goes on to the next classes in the order. After a trigger that switches
    principal to sequential, or under acceleration, the target no longer caps it.

    ``kind`` ``"scheduled"``: the target is ``share`` of the class's original balance from
    each point's ``month`` on (``schedule``: months increasing, shares non-increasing; a
    month not listed holds the target of the last point before it, and before the first
    point the target is the original balance). ``"target_share_of_pool"``: the target is
    ``share_of_pool`` of the pool's performing balance at the end of the month.
    """

    kind: TargetKind
    schedule: tuple[TargetPoint, ...] = ()
    share_of_pool: float = 0.0

    def __post_init__(self) -> None:
        _check(isinstance(self.kind, str) and self.kind in set(TargetKind), "kind",
               f"must be one of {[k.value for k in TargetKind]}", self.kind)
        if self.kind == TargetKind.SCHEDULED:
            _check(len(self.schedule) >= 1, "schedule",
                   "a scheduled target needs at least one {month, share} point", self.schedule)
            _check(self.share_of_pool == 0, "share_of_pool",
                   "applies only with `kind` \"target_share_of_pool\"; set it to 0",
                   self.share_of_pool)
            for i in range(1, len(self.schedule)):
                before, point = self.schedule[i - 1], self.schedule[i]
                _check(point.month > before.month, f"schedule[{i}].month",
                       f"months must increase (the point before is month {before.month})",
                       point.month)
                _check(point.share <= before.share, f"schedule[{i}].share",
                       f"a target may not rise: shares must not increase (the point before "
                       f"is {before.share!r})", point.share)
        else:
            _check(not self.schedule, "schedule",
                   "applies only with `kind` \"scheduled\"; leave it empty", self.schedule)
            _check_rate("share_of_pool", self.share_of_pool, upper_open=False)

    def shares(self, horizon: int) -> list[float]:
        """The scheduled target as a share of the original balance, months 1..``horizon``
        (1.0 before the first point); empty for ``"target_share_of_pool"``."""
        if self.kind != TargetKind.SCHEDULED:
            return []
        out, share, i = [], 1.0, 0
        for month in range(1, horizon + 1):
            while i < len(self.schedule) and self.schedule[i].month <= month:
                share = float(self.schedule[i].share)
                i += 1
            out.append(share)
        return out


@dataclass(frozen=True)
class TierRule:
    """How principal is shared inside ``tier`` (优先A-1/A-2): ``"sequential"`` pays the
    classes of the tier one after the other in the order listed, ``"pro_rata"`` by their
    balances. Interest of the classes of one tier ranks pari passu whatever the rule."""

    tier: Tier
    principal: TierPrincipal = TierPrincipal.SEQUENTIAL

    def __post_init__(self) -> None:
        _check(isinstance(self.tier, str) and self.tier in set(Tier), "tier",
               f"must be one of {[t.value for t in Tier]}", self.tier)
        _check(isinstance(self.principal, str) and self.principal in set(TierPrincipal),
               "principal", f"must be one of {[m.value for m in TierPrincipal]}",
               self.principal)


@dataclass(frozen=True)
class NoteClass:
    """One class of notes.

    ``coupon_annual`` is the fixed annual coupon (accrued monthly as 1/12 of it, or by the
    period's accrual fraction when the deal's dates set a day count or business days:
    :class:`DealDates`). The subordinated class receives the residual; it may carry a
    coupon too (期间收益), paid at ``coupon_priority``: ``"interest"`` in step 2 after the
    other classes' interest, or ``"after_principal"`` once the principal is paid, before
    the residual. ``payment_frequency_months`` applies during the revolving period (1 or 3);
    after it every class pays monthly.

    With ``floating`` (:class:`FloatingCoupon`) the coupon floats: ``coupon_annual`` is the
    margin over the scenario's benchmark path, and the month's all-in rate is benchmark plus
    margin within the cap and floor. ``step_up_bp`` (bp a year, 0: none) is added to the
    coupon from the first month in which the clean-up call could be exercised (the pool at
    or below its threshold) when it is not (``CleanUpCall.exercised`` false); an exercised
    call ends the deal that month, so the step-up never applies then.
    """

    name: str
    tier: Tier
    size: float
    size_unit: SizeUnit = SizeUnit.SHARE
    coupon_annual: float = 0.0
    payment_frequency_months: int = 1
    target_rating: str | None = None
    coupon_priority: CouponPriority = CouponPriority.INTEREST
    # several classes in one tier, scheduled amortisation (issue 16 item 4a)
    target_balance: TargetBalance | None = None
    # Floating coupons and the step-up after the clean-up call date (issue 16 item 4b).
    floating: FloatingCoupon | None = None
    step_up_bp: float = 0.0

    def __post_init__(self) -> None:
        _check(bool(self.name and self.name.strip()), "name", "must not be empty", self.name)
        _check(self.tier in set(Tier), "tier", f"must be one of {[t.value for t in Tier]}",
               self.tier)
        _check(self.size_unit in set(SizeUnit), "size_unit",
               f"must be one of {[u.value for u in SizeUnit]}", self.size_unit)
        positive = isinstance(self.size, int | float) and math.isfinite(self.size)
        positive = positive and self.size > 0
        if self.size_unit == SizeUnit.SHARE:
            _check(positive and self.size <= 1, "size", "a share must be in (0, 1]", self.size)
        else:
            _check(positive, "size", "an amount must be > 0", self.size)
        _check_rate("coupon_annual", self.coupon_annual)
        _check(isinstance(self.coupon_priority, str)
               and self.coupon_priority in set(CouponPriority), "coupon_priority",
               f"must be one of {[c.value for c in CouponPriority]}", self.coupon_priority)
        if self.coupon_priority == CouponPriority.AFTER_PRINCIPAL:
            _check(self.tier == Tier.SUBORDINATED and self.coupon_annual > 0,
                   "coupon_priority", "\"after_principal\" is for the subordinated class's "
                   "coupon (期间收益): give the subordinated class a `coupon_annual` > 0, or "
                   "set \"interest\"", self.coupon_priority.value)
        _check(self.payment_frequency_months in (1, 3), "payment_frequency_months",
               "must be 1 (monthly) or 3 (quarterly)", self.payment_frequency_months)
        _check(self.target_balance is None or self.tier != Tier.SUBORDINATED,
               "target_balance", "a target balance is for a rated class; the subordinated "
               "class takes what is left: remove it", self.target_balance)
        _check(self.floating is None or isinstance(self.floating, FloatingCoupon), "floating",
               "must be a FloatingCoupon or null", self.floating)
        step = self.step_up_bp
        _check(isinstance(step, int | float) and not isinstance(step, bool)
               and math.isfinite(step) and 0 <= step < MAX_STEP_UP_BP, "step_up_bp",
               f"must be in [0, {MAX_STEP_UP_BP:,.0f}) bp", step)

    def amount(self, pool_balance: float) -> float:
        """Original balance of the class in currency."""
        return self.size * pool_balance if self.size_unit == SizeUnit.SHARE else self.size


class FeeBasis(StrEnum):
    """The balance a senior fee's ``rate_annual`` applies to, each month."""

    # The performing pool balance at the start of the month, the loans that default in the
    # month included (they were performing when it began).
    PERFORMING_START_INCL_DEFAULTS = "performing_start_incl_defaults"
    # The same, less the loans that default in the month.
    PERFORMING_START = "performing_start"
    # The notes outstanding at the start of the month (every class, after earlier
    # write-downs).
    NOTES = "notes"
    # No rate: the fee is its fixed amount only (``rate_annual`` must be 0).
    FIXED = "fixed"


@dataclass(frozen=True)
class Fee:
    """A senior fee (trustee, custodian, servicer...): each month 1/12 of ``rate_annual``
    on the balance ``basis`` names, plus 1/12 of ``fixed_annual``, at most
    ``cap_per_month`` (currency; ``None``: no cap). What is over the cap is never owed;
    what the funds do not pay is carried to the next month (the cap does not apply to the
    amount carried)."""

    name: str
    rate_annual: float = 0.0
    fixed_annual: float = field(default=0.0, metadata=AMOUNT_OR_ZERO)
    basis: FeeBasis = FeeBasis.PERFORMING_START_INCL_DEFAULTS
    cap_per_month: float | None = field(default=None, metadata=AMOUNT)

    def __post_init__(self) -> None:
        _check(bool(self.name and self.name.strip()), "name", "must not be empty", self.name)
        _check_rate("rate_annual", self.rate_annual)
        ok = isinstance(self.fixed_annual, int | float) and math.isfinite(self.fixed_annual)
        _check(ok and self.fixed_annual >= 0, "fixed_annual", "must be >= 0", self.fixed_annual)
        _check(isinstance(self.basis, str) and self.basis in set(FeeBasis), "basis",
               f"must be one of {[b.value for b in FeeBasis]}", self.basis)
        _check(self.basis != FeeBasis.FIXED or self.rate_annual == 0, "rate_annual",
               "must be 0 with `basis` \"fixed\": a fixed fee is its `fixed_annual` amount; "
               "give the rate a basis such as \"performing_start\" instead", self.rate_annual)
        cap = self.cap_per_month
        _check(cap is None or (isinstance(cap, int | float) and not isinstance(cap, bool)
                               and math.isfinite(cap) and cap > 0), "cap_per_month",
               "must be an amount > 0, or null for no cap", cap)


@dataclass(frozen=True)
class UpfrontFee:
    """A cost paid once at closing (underwriting, rating, legal, trustee set-up): a share of
    the placed notes' balance plus a fixed amount in the deal currency."""

    name: str
    share_of_placed: float = 0.0
    fixed: float = field(default=0.0, metadata=AMOUNT_OR_ZERO)

    def __post_init__(self) -> None:
        _check(bool(self.name and self.name.strip()), "name", "must not be empty", self.name)
        _check_rate("share_of_placed", self.share_of_placed)
        ok = isinstance(self.fixed, int | float) and math.isfinite(self.fixed)
        _check(ok and self.fixed >= 0, "fixed", "must be >= 0", self.fixed)

    def amount(self, placed_balance: float) -> float:
        return self.share_of_placed * placed_balance + self.fixed


@dataclass(frozen=True)
class ReserveAccount:
    """Cash reserve: funded at closing with ``initial_share`` of the initial note balance,
    topped up (step 3) to ``target_share`` of the outstanding notes, never below
    ``floor_share`` of the initial notes while notes are outstanding. All cash of the reserve
    is available to pay fees, interest and principal each period."""

    initial_share: float = 0.0
    target_share: float = 0.0
    floor_share: float = 0.0

    def __post_init__(self) -> None:
        for name in ("initial_share", "target_share", "floor_share"):
            _check_rate(name, getattr(self, name))


@dataclass(frozen=True)
class Trigger:
    """When ``metric`` exceeds ``threshold`` (a scalar, or a vector by month whose last value
    repeats), ``action`` takes effect from that period on and stays (triggers are sticky)."""

    metric: TriggerMetric
    threshold: tuple[float, ...]
    action: TriggerAction
    name: str = ""

    def __post_init__(self) -> None:
        _check(self.metric in set(TriggerMetric), "metric",
               f"must be one of {[m.value for m in TriggerMetric]}", self.metric)
        _check(self.action in set(TriggerAction), "action",
               f"must be one of {[a.value for a in TriggerAction]}", self.action)
        _check(len(self.threshold) >= 1, "threshold", "must have at least one value",
               self.threshold)
        for i, value in enumerate(self.threshold):
            _check_rate(f"threshold[{i}]", value, upper_open=False)


@dataclass(frozen=True)
class RevolvingPeriod:
    """During the first ``months`` periods principal collections buy new receivables like
    the initial pool (same composition and scheduled profile), at par, subject to
    ``eligibility``; note principal is not paid."""

    months: int
    eligibility: EligibilityCriteria | None = None

    def __post_init__(self) -> None:
        _check(isinstance(self.months, int) and self.months >= 0, "months", "must be >= 0",
               self.months)


@dataclass(frozen=True)
class CleanUpCall:
    """The originator buys the remaining pool at par (performing balance plus expected
    recoveries) when the performing balance falls to ``threshold_share`` of the initial
    pool balance or below, after any revolving period; notes are then repaid.

    ``exercised`` false: the call is not exercised (the extension stress rating agencies
    run); the deal runs on, and classes with a ``step_up_bp`` accrue it from the first
    month the call could have been exercised."""

    threshold_share: float = 0.10
    # The step-up after the clean-up call date (issue 16 item 4b).
    exercised: bool = True

    def __post_init__(self) -> None:
        _check_rate("threshold_share", self.threshold_share)
        _check(isinstance(self.exercised, bool), "exercised", "must be true or false",
               self.exercised)


class LossTiming(StrEnum):
    """When a pool loss is written off the notes (:class:`LossAllocation`)."""

    AT_END = "at_end"  # only when the deal ends: what is outstanding then
    ON_DEFAULT = "on_default"  # the whole defaulted balance, in the month of the default
    ON_LIQUIDATION = "on_liquidation"  # defaulted balance less its recovery, when it arrives


@dataclass(frozen=True)
class LossAllocation:
    """How losses reach the notes.

    ``timing`` ``"at_end"``: nothing is written down before the deal ends (the legal final,
    a clean-up call, the pool exhausted); a defaulted balance stays in the principal
    deficiency that excess cash may cover, and what is outstanding at the end is written
    down. ``"on_default"``: the month a loan defaults, its whole balance is written down;
    its recovery later comes in as cash. ``"on_liquidation"``: the defaulted balance less
    its recovery is written down in the month the recovery arrives (``lag_months`` after
    the default; at the end for recoveries that would come later). Write-downs fall on the
    most junior class first, after the month's interest; interest then accrues on the
    balance written down to. With ``reinstate``, while the notes amortise, the cash that
    may pay principal (``ExcessInterest``) left after the principal due restores
    written-down amounts to the balances, senior class first, and is paid as principal in
    the usual order (sequential or pro rata) the same month.
    """

    timing: LossTiming = LossTiming.AT_END
    reinstate: bool = False

    def __post_init__(self) -> None:
        _check(isinstance(self.timing, str) and self.timing in set(LossTiming), "timing",
               f"must be one of {[t.value for t in LossTiming]}", self.timing)
        _check(isinstance(self.reinstate, bool), "reinstate", "must be true or false",
               self.reinstate)
        _check(not (self.reinstate and self.timing == LossTiming.AT_END), "reinstate",
               "with `timing` \"at_end\" nothing is written down before the deal ends, so "
               "nothing can be reinstated; set `timing` to \"on_default\" or "
               "\"on_liquidation\", or `reinstate` to false", self.reinstate)


class ExcessInterestUse(StrEnum):
    """What the excess interest pays (:class:`ExcessInterest`)."""

    COVER_DEFICIENCY = "cover_deficiency"  # the principal deficiency, as far as it goes
    RELEASE = "release"  # nothing: it goes to the residual holder
    COVER_UP_TO = "cover_up_to"  # the deficiency, up to a limit a month


@dataclass(frozen=True)
class ExcessInterest:
    """The use of excess interest, and a haircut of the pool's interest for rating runs.

    Excess interest is the month's interest and fee income (after the haircut), plus cash
    held from the month before, less the senior fees, note interest and reserve top-up
    paid: what is left of the revenue. ``use`` ``"cover_deficiency"`` lets it pay the
    principal deficiency (and reinstate write-downs); ``"release"`` pays it to the residual
    holder instead, so that only the principal funds (principal collections, recoveries,
    call proceeds, reserve releases) pay principal; ``"cover_up_to"`` lets at most
    ``cover_limit_per_month`` (currency, a month; unused amounts do not carry over) of it
    pay the deficiency and reinstatements, and releases the rest.

    ``haircut_share`` of the pool's interest and fee income is taken out of the collections
    before the priority of payments each month: a stress on excess spread (a rating run's
    yield compression). The amount is reported as ``excess_spread_haircut``.
    """

    use: ExcessInterestUse = ExcessInterestUse.COVER_DEFICIENCY
    cover_limit_per_month: float = field(default=0.0, metadata=AMOUNT_OR_ZERO)
    haircut_share: float = 0.0

    def __post_init__(self) -> None:
        _check(isinstance(self.use, str) and self.use in set(ExcessInterestUse), "use",
               f"must be one of {[u.value for u in ExcessInterestUse]}", self.use)
        limit = self.cover_limit_per_month
        ok = isinstance(limit, int | float) and not isinstance(limit, bool)
        ok = ok and math.isfinite(limit) and limit >= 0
        _check(ok, "cover_limit_per_month", "must be an amount >= 0", limit)
        if self.use == ExcessInterestUse.COVER_UP_TO:
            _check(limit > 0, "cover_limit_per_month",
                   "must be > 0 with `use` \"cover_up_to\" (a limit of 0 is `use` "
                   "\"release\")", limit)
        else:
            _check(limit == 0, "cover_limit_per_month",
                   f"applies only with `use` \"cover_up_to\"; set `use` to \"cover_up_to\" "
                   f"or the limit to 0 (`use` is \"{ExcessInterestUse(self.use).value}\")",
                   limit)
        _check_rate("haircut_share", self.haircut_share, upper_open=False)


# Liquidity support (issue 16 item 5): a liquidity reserve and a servicer advance.
class LiquidityReplenishment(StrEnum):
    """Where the liquidity reserve is topped back up to its target (:class:`LiquidityReserve`)."""

    SENIOR_INTEREST = "senior_interest"  # right after step 2, before the reserve top-up
    PRINCIPAL = "principal"  # after the principal due, before the turbo and late coupons


def _check_amount(name: str, value: float) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    _check(ok and math.isfinite(value) and value >= 0, name, "must be an amount >= 0", value)


@dataclass(frozen=True)
class LiquidityReserve:
    """A liquidity reserve (流动性储备账户), separate from the reserve account: it is not part
    of the available funds and is drawn only for what they leave unpaid of the senior fees
    (step 1) and of the senior classes' interest due (step 2), never for principal or any
    other class.

    Funded at closing with ``initial_share`` of the senior classes' original balance. Its
    target each month is ``target_share`` of the senior classes' balance at the start of
    the month, at least ``floor_amount`` (currency), while a senior class is outstanding;
    0 when none is, or when the deal winds down. Any balance above the target is released
    into the available funds at the start of the month (step 0). After the draws, it is
    replenished to the target at ``replenish_after``: ``"senior_interest"`` (right after
    step 2, before the reserve top-up) or ``"principal"`` (after the principal due, before
    the turbo, the coupons paid after principal and the residual). docs/waterfall.md.
    """

    initial_share: float = 0.0
    target_share: float = 0.0
    floor_amount: float = field(default=0.0, metadata=AMOUNT_OR_ZERO)
    replenish_after: LiquidityReplenishment = LiquidityReplenishment.SENIOR_INTEREST

    def __post_init__(self) -> None:
        _check_rate("initial_share", self.initial_share)
        _check_rate("target_share", self.target_share)
        _check_amount("floor_amount", self.floor_amount)
        _check(isinstance(self.replenish_after, str)
               and self.replenish_after in set(LiquidityReplenishment), "replenish_after",
               f"must be one of {[r.value for r in LiquidityReplenishment]}",
               self.replenish_after)
        _check(self.initial_share > 0 or self.target_share > 0 or self.floor_amount > 0,
               "target_share", "a liquidity reserve with no initial balance, target or floor "
               "does nothing; give one of them, or remove `liquidity_reserve`",
               self.target_share)


@dataclass(frozen=True)
class ServicerAdvance:
    """A servicer advance (资产服务机构垫付): when the available funds (and the liquidity
    reserve) leave senior fees or senior interest due unpaid, the servicer advances the
    gap from its own cash, so that the advances outstanding stay within the limit
    (``limit_amount`` in currency, or ``limit_share`` of the performing pool balance at the
    start of the month; one of them) and within what it deems recoverable: the performing
    pool at the end of the month plus the recoveries still to come. No advance is made in
    a month the deal winds down.

    Advances outstanding bear ``rate_annual`` (accrued annual / 12 a month, added to the
    balance) and are reimbursed first each month, before the senior fees, from the
    available funds; what is outstanding when the deal ends after that reimbursement is
    lost to the servicer (never to the notes).
    """

    limit_amount: float = field(default=0.0, metadata=AMOUNT_OR_ZERO)
    limit_share: float = 0.0
    rate_annual: float = 0.0

    def __post_init__(self) -> None:
        _check_amount("limit_amount", self.limit_amount)
        _check_rate("limit_share", self.limit_share, upper_open=False)
        _check_rate("rate_annual", self.rate_annual)
        _check(self.limit_amount > 0 or self.limit_share > 0, "limit_amount",
               "a servicer advance needs a limit: give `limit_amount` or `limit_share` > 0, "
               "or remove `servicer_advance`", self.limit_amount)
        _check(not (self.limit_amount > 0 and self.limit_share > 0), "limit_share",
               "give the limit as an amount or as a share of the pool, not both; set "
               "`limit_amount` or `limit_share` to 0", self.limit_share)


@dataclass(frozen=True)
class Structure:
    """The liability side: classes senior first, fees, reserve, principal mode, triggers,
    and the rules for losses (``loss_allocation``) and excess interest
    (``excess_interest``)."""

    classes: tuple[NoteClass, ...]
    fees: tuple[Fee, ...] = ()
    reserve: ReserveAccount = field(default_factory=ReserveAccount)
    principal_mode: PrincipalMode = PrincipalMode.SEQUENTIAL
    triggers: tuple[Trigger, ...] = ()
    revolving: RevolvingPeriod | None = None
    clean_up_call: CleanUpCall | None = None
    turbo: bool = False
    upfront_fees: tuple[UpfrontFee, ...] = ()
    loss_allocation: LossAllocation = field(default_factory=LossAllocation)
    excess_interest: ExcessInterest = field(default_factory=ExcessInterest)
    # several classes in one tier (issue 16 item 4a): principal inside each tier
    tiers: tuple[TierRule, ...] = ()
    # Liquidity support (issue 16 item 5); None: none.
    liquidity_reserve: LiquidityReserve | None = None
    servicer_advance: ServicerAdvance | None = None

    def __post_init__(self) -> None:
        _check(len(self.classes) >= 1, "classes", "at least one class is needed", self.classes)
        names = [c.name for c in self.classes]
        for i, name in enumerate(names):
            _check(name not in names[:i], f"classes[{i}].name", "duplicate class name", name)
        for i in range(1, len(self.classes)):
            above, below = self.classes[i - 1], self.classes[i]
            _check(TIER_ORDER[above.tier] <= TIER_ORDER[below.tier], f"classes[{i}].tier",
                   f"classes are listed senior first, so `{below.name}` ({below.tier.value}) "
                   f"cannot rank below `{above.name}` ({above.tier.value}): a "
                   f"{above.tier.value} class may not be senior to a {below.tier.value} class",
                   below.tier.value)
        subs = [i for i, c in enumerate(self.classes) if c.tier == Tier.SUBORDINATED]
        _check(len(subs) <= 1 and (not subs or subs[0] == len(self.classes) - 1),
               "classes", "at most one subordinated class, listed last", names)
        _check(self.principal_mode in set(PrincipalMode), "principal_mode",
               f"must be one of {[m.value for m in PrincipalMode]}", self.principal_mode)
        _check(not (self.turbo and self.excess_interest.use
                    != ExcessInterestUse.COVER_DEFICIENCY), "excess_interest.use",
               "the turbo pays all the cash left to the rated classes, which leaves no excess "
               "interest to release; set `turbo` to false or `use` to \"cover_deficiency\"",
               self.excess_interest.use.value)
        present = {c.tier for c in self.classes}
        for i, rule in enumerate(self.tiers):
            _check(rule.tier in present, f"tiers[{i}].tier",
                   f"no class is in this tier (the classes' tiers are "
                   f"{sorted(t.value for t in present)}); remove the rule or add a class",
                   rule.tier.value)
            _check(rule.tier not in [r.tier for r in self.tiers[:i]], f"tiers[{i}].tier",
                   "this tier has a rule already: give each tier one rule", rule.tier.value)
        for i, c in enumerate(self.classes):
            _check(c.step_up_bp == 0 or self.clean_up_call is not None,
                   f"classes[{i}].step_up_bp", "steps the coupon up after the clean-up call "
                   "date, but the deal has no `clean_up_call`; add one (with `exercised` "
                   "false for the step-up to apply) or set 0", c.step_up_bp)

        _check(self.liquidity_reserve is None and self.servicer_advance is None
               or any(c.tier == Tier.SENIOR for c in self.classes),
               "liquidity_reserve" if self.liquidity_reserve is not None
               else "servicer_advance", "liquidity support covers the senior classes' "
               "interest, and the deal has no senior class", names)

    def tier_principal(self, tier: Tier) -> TierPrincipal | None:
        """How principal is shared inside ``tier``; None without a rule: the tier follows
        ``principal_mode`` (pro rata inside it while principal is paid pro rata, sequential
        after a trigger switches it), so a deal that states no rule is paid as before tiers
        existed."""
        for rule in self.tiers:
            if rule.tier == tier:
                return rule.principal
        return None

    def class_amounts(self, pool_balance: float) -> tuple[float, ...]:
        """Original class balances; raises unless they add up to the pool balance."""
        amounts = tuple(c.amount(pool_balance) for c in self.classes)
        total = sum(amounts)
        if abs(total - pool_balance) > SHARE_TOLERANCE * pool_balance:
            raise FieldError(
                "classes",
                f"class sizes add up to {total:,.2f} but the pool balance is "
                f"{pool_balance:,.2f} ({total / pool_balance:.6%} of the pool); sizes must add "
                "up to the pool",
            )
        return amounts


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (calendar months, day of month ignored)."""
    return (end.year - start.year) * 12 + (end.month - start.month)


@dataclass(frozen=True)
class DealDates:
    """封包日 cut-off, 起息日 closing, first 兑付日 payment date, 法定到期日 legal final.

    The legal final falls in a later month than the cut-off, at most
    :data:`~abs_tool.limits.MAX_HORIZON_MONTHS` months later: every engine array has one
    column per month, so the horizon bounds the work of a run.
    """

    cutoff: date
    closing: date
    first_payment: date
    legal_final: date
    business_day_convention: BusinessDayConvention = BusinessDayConvention.NONE
    day_count: DayCount = DayCount.THIRTY_360
    # deal payment frequency (issue 16 item 4b): the notes are paid every this many months
    payment_frequency_months: int = 1

    def __post_init__(self) -> None:
        _check(isinstance(self.payment_frequency_months, int)
               and not isinstance(self.payment_frequency_months, bool)
               and self.payment_frequency_months in DEAL_PAYMENT_FREQUENCIES,
               "payment_frequency_months",
               "must be 1 (monthly), 3 (quarterly) or 6 (semi-annual)",
               self.payment_frequency_months)
        _check(isinstance(self.business_day_convention, str)
               and self.business_day_convention in set(BusinessDayConvention),
               "business_day_convention",
               f"must be one of {[c.value for c in BusinessDayConvention]}",
               self.business_day_convention)
        _check(isinstance(self.day_count, str) and self.day_count in set(DayCount),
               "day_count", f"must be one of {[c.value for c in DayCount]}", self.day_count)
        order = ("cutoff", "closing", "first_payment", "legal_final")
        for earlier, later in zip(order, order[1:], strict=False):
            a, b = getattr(self, earlier), getattr(self, later)
            _check(a <= b, later, f"must be on or after `{earlier}` ({a.isoformat()})",
                   b.isoformat())
        _check(not self.dated_accrual or self.first_payment > self.closing, "first_payment",
               f"must be after `closing` ({self.closing.isoformat()}) when coupons accrue "
               "between the dates paid (a `business_day_convention` or `day_count` set): the "
               "first period runs from the closing date to it", self.first_payment.isoformat())
        months = self.horizon_months
        _check(months >= 1, "legal_final", f"must be in a later month than `cutoff` "
               f"({self.cutoff.isoformat()}): the model runs one period per month after the "
               "cut-off", self.legal_final.isoformat())
        if months > MAX_HORIZON_MONTHS:
            raise LimitError("legal_final", f"the horizon from the cut-off "
                             f"({self.cutoff.isoformat()}) to the legal final date is "
                             f"{months:,} months, over the limit of {MAX_HORIZON_MONTHS} months "
                             f"({MAX_HORIZON_MONTHS // 12} years) (got "
                             f"{self.legal_final.isoformat()!r})")

    @property
    def horizon_months(self) -> int:
        """Periods modelled: months from the cut-off to the legal final date."""
        return months_between(self.cutoff, self.legal_final)

    @property
    def dated_accrual(self) -> bool:
        """Whether coupons accrue by each period's accrual fraction between the dates paid
        (a business-day convention or ACT/365 set) instead of 1/12 a month."""
        return (self.business_day_convention != BusinessDayConvention.NONE
                or self.day_count != DayCount.THIRTY_360)

    def schedule(self, periods: int) -> PaymentDates:
        """The dates of the first ``periods`` months, moved by the business-day convention,
        with each month's accrual from ``closing`` on: monthly, every month's date is a
        payment date from ``first_payment`` on (:func:`abs_tool.model.dates.payment_dates`);
        with a ``payment_frequency_months`` N above 1, ``first_payment`` is month N's date
        and the payment dates are every Nth month's (and the last month's), each month
        accruing its part of its payment period
        (:func:`abs_tool.model.dates.period_schedule`)."""
        return period_schedule(self.closing, self.first_payment, periods,
                               frequency_months=self.payment_frequency_months,
                               convention=self.business_day_convention,
                               day_count=self.day_count)

    def is_payment_month(self, month: int) -> bool:
        """Whether month ``month`` (1 = the first after the cut-off) is a scheduled payment
        date: every ``payment_frequency_months``-th month, and the legal final's month. (The
        engine also pays in the month the deal winds down early: a clean-up call,
        acceleration, the pool exhausted.)"""
        return month % self.payment_frequency_months == 0 or month == self.horizon_months


DEAL_PAYMENT_FREQUENCIES: tuple[int, ...] = (1, 3, 6)
"""The deal payment frequencies, in months: monthly, quarterly, semi-annual."""

MAX_PARTY_CHARS = 200
"""The longest name of a party (a term sheet cell and a form field hold it)."""


@dataclass(frozen=True)
class DealParties:
    """Who is who in the deal, each by name, all optional ("" or none: not named yet):
    ``originator`` 原始权益人, ``servicer`` 资产服务机构, ``manager`` 计划管理人,
    ``trustee`` 托管人 (trustee and custodian), ``lead_underwriter`` 主承销商 and the
    ``rating_agencies`` 评级机构. Names are the user's text, shown as written; nothing
    computes with them."""

    originator: str = ""
    servicer: str = ""
    manager: str = ""
    trustee: str = ""
    lead_underwriter: str = ""
    rating_agencies: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = [(f.name, getattr(self, f.name)) for f in fields(self)
                 if f.name != "rating_agencies"]
        names += [(f"rating_agencies[{i}]", v) for i, v in enumerate(self.rating_agencies)]
        for name, value in names:
            _check(isinstance(value, str) and len(value) <= MAX_PARTY_CHARS
                   and value == value.strip() and value.isprintable(), name,
                   f"must be a name of at most {MAX_PARTY_CHARS} characters on one line, "
                   "without spaces around it", value)
        for i, agency in enumerate(self.rating_agencies):
            _check(bool(agency), f"rating_agencies[{i}]", "must not be empty", agency)
            _check(agency not in self.rating_agencies[:i], f"rating_agencies[{i}]",
                   "is listed twice", agency)


class RateUnit(StrEnum):
    DECIMAL = "decimal"
    PERCENT = "percent"


@dataclass(frozen=True)
class PoolSource:
    """Where the pool comes from: exactly one of a built-in ``sample`` name, a ``tape`` path
    (relative to the deal file) or an ``embedded_csv`` tape; then optional scaling and
    eligibility.

    ``scale_to_balance`` multiplies every loan's balance and original balance by one factor
    so that the pool balance equals it: a representative sample standing for a larger pool.
    ``file_name`` is the name of the file an ``embedded_csv`` tape was uploaded as: the
    pool's name in the app and in reports (else ``embedded.csv``).
    """

    sample: str | None = None
    tape: str | None = None
    embedded_csv: str | None = None
    file_name: str | None = None
    sheet: str | None = None
    rate_unit: RateUnit = RateUnit.DECIMAL
    sample_seed: int = 20151
    scale_to_balance: float | None = field(default=None, metadata=AMOUNT)
    eligibility: EligibilityCriteria | None = None
    concentration: ConcentrationLimits | None = None

    def __post_init__(self) -> None:
        given = [k for k in ("sample", "tape", "embedded_csv") if getattr(self, k) is not None]
        _check(len(given) == 1, "sample", "give exactly one of `sample`, `tape`, "
               "`embedded_csv`", given)
        _check(self.rate_unit in set(RateUnit), "rate_unit",
               f"must be one of {[u.value for u in RateUnit]}", self.rate_unit)
        scale = self.scale_to_balance
        _check(scale is None or (isinstance(scale, int | float) and math.isfinite(scale)
                                 and scale > 0), "scale_to_balance", "must be > 0", scale)
        _check(self.tape is None or "\0" not in self.tape, "tape",
               "a path may not contain a NUL character", self.tape)
        name = self.file_name
        _check(name is None or self.embedded_csv is not None, "file_name",
               "names the file of an `embedded_csv` tape; a `tape` or `sample` names itself",
               name)
        _check(name is None or (isinstance(name, str) and 0 < len(name) <= MAX_PARTY_CHARS
                                and name.isprintable()), "file_name",
               f"must be a file name of 1 to {MAX_PARTY_CHARS} characters on one line", name)


class DefaultMethod(StrEnum):
    """How the Monte Carlo draws defaults (:mod:`abs_tool.credit.copula`)."""

    AUTO = "auto"  # exact up to EXACT_MAX_OBLIGORS obligors, grouped above
    EXACT = "exact"  # one default time per obligor
    GROUPED = "grouped"  # Binomial(1/HHI, p_g) per PD group


@dataclass(frozen=True)
class RunSettings:
    """Monte Carlo settings: number of paths, the root seed, importance sampling of the
    systematic factor (a mean shift ``importance_shift``; None chooses it from the deal), and
    how defaults are drawn: ``default_method`` ``"exact"`` (obligor by obligor), ``"grouped"``
    (per PD group) or ``"auto"``: exact when the pool has at most
    :data:`~abs_tool.limits.EXACT_MAX_OBLIGORS` obligors, grouped above."""

    paths: int = 20_000
    seed: int = 1
    importance_sampling: bool = False
    importance_shift: float | None = None
    default_method: DefaultMethod = DefaultMethod.AUTO

    def __post_init__(self) -> None:
        check_integer("paths", self.paths, 1, MAX_PATHS)
        check_integer("seed", self.seed, 0, MAX_SEED)
        _check(isinstance(self.default_method, str) and self.default_method in set(DefaultMethod),
               "default_method", f"must be one of {[m.value for m in DefaultMethod]}",
               self.default_method)
        shift = self.importance_shift
        _check(shift is None or (isinstance(shift, int | float) and math.isfinite(shift)
                                 and -8 <= shift <= 8), "importance_shift",
               "must be a number in [-8, 8] (standard deviations of the factor)", shift)


@dataclass(frozen=True)
class CurvePoint:
    """One tenor of the benchmark curve (e.g. a government bond yield)."""

    tenor_years: float
    rate_annual: float

    def __post_init__(self) -> None:
        ok = isinstance(self.tenor_years, int | float) and math.isfinite(self.tenor_years)
        _check(ok and self.tenor_years > 0, "tenor_years", "must be > 0", self.tenor_years)
        _check_rate("rate_annual", self.rate_annual)


@dataclass(frozen=True)
class SpreadRow:
    """Spreads of one rating (local scale, e.g. ``AA-``) over the benchmark, in bp, one per
    WAL of ``Pricing.spread_wal_years``."""

    rating: str
    spreads_bp: tuple[float, ...]

    def __post_init__(self) -> None:
        from abs_tool.model.scales import from_local_scale  # rating imports nothing of deal's

        try:
            from_local_scale(self.rating)
        except InputError as exc:
            raise FieldError("rating", str(exc)) from None
        for i, value in enumerate(self.spreads_bp):
            ok = isinstance(value, int | float) and math.isfinite(value) and 0 <= value < 10_000
            _check(ok, f"spreads_bp[{i}]", "must be in [0, 10000) bp", value)


@dataclass(frozen=True)
class Pricing:
    """What the market asks: a class of rating R and WAL T is placed at the benchmark curve
    at T plus the spread of R at T (both linear in T between points, flat beyond them)."""

    benchmark_curve: tuple[CurvePoint, ...]
    spread_wal_years: tuple[float, ...]
    spreads: tuple[SpreadRow, ...]

    def __post_init__(self) -> None:
        from abs_tool.model.scales import from_local_scale, rating_rank

        _check(len(self.benchmark_curve) >= 1, "benchmark_curve",
               "must have at least one point", self.benchmark_curve)
        tenors = [p.tenor_years for p in self.benchmark_curve]
        for i in range(1, len(tenors)):
            _check(tenors[i] > tenors[i - 1], f"benchmark_curve[{i}].tenor_years",
                   "tenors must increase", tenors[i])
        wal = self.spread_wal_years
        _check(len(wal) >= 1, "spread_wal_years", "must have at least one WAL", wal)
        for i, value in enumerate(wal):
            ok = isinstance(value, int | float) and math.isfinite(value) and value > 0
            _check(ok and (i == 0 or value > wal[i - 1]), f"spread_wal_years[{i}]",
                   "must be > 0 and increasing", value)
        _check(len(self.spreads) >= 1, "spreads", "must have at least one rating", ())
        ranks = [rating_rank(from_local_scale(r.rating)) for r in self.spreads]
        for i, row in enumerate(self.spreads):
            _check(len(row.spreads_bp) == len(wal), f"spreads[{i}].spreads_bp",
                   f"must have one spread per WAL of spread_wal_years ({len(wal)})",
                   row.spreads_bp)
            if i:
                above = self.spreads[i - 1]
                _check(ranks[i] > ranks[i - 1], f"spreads[{i}].rating",
                       "ratings are listed best first, each once", row.rating)
                worse = all(b >= a for a, b in zip(above.spreads_bp, row.spreads_bp,
                                                   strict=True))
                _check(worse, f"spreads[{i}].spreads_bp",
                       f"a worse rating cannot pay less than `{above.rating}` at any WAL",
                       row.spreads_bp)


@dataclass(frozen=True)
class Deal:
    """A whole deal: what the deal file holds. ``benchmark_rate_annual`` is the funding rate
    the structure is compared with (a bank loan, say) for the cost-of-funds saving;
    ``parties`` names who is who (:class:`DealParties`), for the term sheet."""

    name: str
    dates: DealDates
    pool: PoolSource
    assumptions: Assumptions
    structure: Structure
    run: RunSettings = field(default_factory=RunSettings, metadata=MONTE_CARLO_ONLY)
    currency: str = "CNY"
    benchmark_rate_annual: float = 0.0
    pricing: Pricing | None = None
    parties: DealParties = field(default_factory=DealParties)

    def __post_init__(self) -> None:
        _check(bool(self.name and self.name.strip()), "name", "must not be empty", self.name)
        _check_rate("benchmark_rate_annual", self.benchmark_rate_annual)
        revolving = self.structure.revolving.months if self.structure.revolving else 0
        _check(revolving < self.dates.horizon_months, "structure.revolving.months",
               f"must end before the legal final date ({self.dates.horizon_months} months "
               "after the cut-off)", revolving)
        for i, note in enumerate(self.structure.classes):
            target = note.target_balance
            for n, point in enumerate(target.schedule if target else ()):
                _check(point.month <= self.dates.horizon_months,
                       f"structure.classes[{i}].target_balance.schedule[{n}].month",
                       f"must be within the deal's {self.dates.horizon_months} months "
                       "(cut-off to legal final)", point.month)

    def deterministic_inputs(self) -> Deal:
        """This deal with the run settings and every other field only the Monte Carlo reads
        (:data:`~abs_tool.model.assumptions.MONTE_CARLO_ONLY`) at its default.

        Deals with equal deterministic inputs have the same deterministic scenarios,
        break-even rates and cost of funds: the key to cache those under.
        """
        return deterministic_inputs(self)


__all__ = [
    "Assumptions",
    "Deal",
    "PoolSource",
    "RateUnit",
    "RunSettings",
    "CleanUpCall",
    "ConcentrationLimits",
    "CouponPriority",
    "CurvePoint",
    "DealDates",
    "DealParties",
    "EligibilityCriteria",
    "ExcessInterest",
    "ExcessInterestUse",
    "Fee",
    "FeeBasis",
    "FloatingCoupon",
    "LiquidityReplenishment",
    "LiquidityReserve",
    "LossAllocation",
    "LossTiming",
    "NoteClass",
    "Pricing",
    "PrincipalMode",
    "ReserveAccount",
    "RevolvingPeriod",
    "ServicerAdvance",
    "SizeUnit",
    "SpreadRow",
    "Structure",
    "TargetBalance",
    "TargetKind",
    "TargetPoint",
    "Tier",
    "TierPrincipal",
    "TierRule",
    "Trigger",
    "TriggerAction",
    "TriggerMetric",
    "UpfrontFee",
    "months_between",
]
