"""Stress tests (压力测试): break-even default rates under a table of scenarios, against target
default rates by rating.

A structurer edits a table of :class:`StressScenario` (default timing, prepayment, recovery,
portfolio yield) and a table of :class:`RatingMultiples` (the default multiple each rating
level must withstand). :func:`stress_table` answers, for every scenario and class, the
break-even default rate (BDR, 临界违约率), the target default rate of each rating (TDR,
目标违约率), pass/fail, and for every class the best rating it passes in every scenario
(:class:`StressTable`). The method and every indicative level are in ``docs/stress.md``.

Base case
    The deal's own deterministic scenario (its default, prepayment and recovery
    assumptions, :func:`~abs_tool.engine.deterministic.run_scenario`). Its lifetime
    cumulative default rate ``L`` is the pool's, as the engine and
    :func:`~abs_tool.analysis.break_even.break_even` report it: defaults over the initial
    balance plus the receivables bought while revolving. Its *timing* is the share of the
    lifetime default amount in each month, ``tau_t = D_t / sum_s D_s`` (:class:`BaseCase`).
BDR
    :func:`~abs_tool.analysis.break_even.break_even` on the scenario's prepared deal: the
    deal with its assumptions (and, for yield compression or lower tape recoveries, its
    pool) replaced. The ``base`` scenario is the deal as it is, so its BDRs are
    ``break_even(prepared)``'s, bit for bit.
Timing stresses
    A front- or back-loaded scenario replaces the default assumption by a
    :class:`~abs_tool.model.assumptions.LifetimeDefault` whose multiplier the break-even
    search scales: the base timing's cumulative share ``C(t) = sum_{s <= t} tau_s`` becomes
    ``C(t)^a`` (``a < 1`` front-loaded, ``a > 1`` back-loaded; the months with defaults stay
    the same, and so does the lifetime amount), converted to shares of the engine's base
    (initial balance plus purchases so far, on the base path) by :func:`timing_default`.
    Compare a timing row with :attr:`StressTable.lifetime_reference`, the BDRs of the base
    timing in that same lifetime form (``a = 1``): a PD- or CDR-driven deal scales hazards,
    a lifetime default scales amounts, and only the latter keeps the timing fixed as the
    multiplier grows.
TDR
    ``multiple_R x L`` for each rating level R of the :class:`RatingMultiples`
    (``tdr_source = "multiples"``), or the Monte Carlo TDR of each class
    (:func:`~abs_tool.analysis.deal_analysis.target_default_rates`, ``"monte_carlo"``).
    A class passes R in a scenario when ``BDR >= TDR(R)``. When the class loses nothing even
    at the search's largest multiplier, its BDR is a lower bound (``loses`` False) and is
    compared as it is: a conservative pass/fail.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from abs_tool.analysis.break_even import BreakEven, break_even
from abs_tool.analysis.deal_analysis import ClassTdr
from abs_tool.engine.deterministic import PreparedDeal, prepare_deal, run_scenario
from abs_tool.engine.executor import Executor, LocalThreads
from abs_tool.engine.montecarlo import CancelledError
from abs_tool.errors import AssumptionError, FieldError, InputError
from abs_tool.limits import MAX_HORIZON_MONTHS
from abs_tool.model.assumptions import Cpr, DefaultAssumption, LifetimeDefault, Recovery
from abs_tool.model.deal import Deal
from abs_tool.model.pool import Pool
from abs_tool.model.scales import LOCAL_SCALE, NOT_RATED
from abs_tool.types import Array

__all__ = [
    "DEFAULT_SCENARIOS",
    "INDICATIVE_MULTIPLES",
    "INDICATIVE_NOTE",
    "MAX_SCENARIOS",
    "MAX_SCENARIO_FILE_BYTES",
    "BaseCase",
    "ClassStress",
    "RatingMultiples",
    "ScenarioStress",
    "StressScenario",
    "StressTable",
    "base_case",
    "prepare_scenario",
    "reshape_timing",
    "scenarios_from_json",
    "stress_table",
    "timing_default",
]

Timing = Literal["base", "front", "back"]
TIMINGS: tuple[str, ...] = ("base", "front", "back")
DEFAULT_TIMING_POWER: dict[str, float] = {"front": 0.5, "back": 2.0}
"""Exponent ``a`` of ``C(t) -> C(t)^a`` when a scenario does not give ``timing_power``:
front-loaded 0.5 (half the lifetime defaults by the month where the base has a quarter),
back-loaded 2 (half by the month where the base has 71%). Indicative, editable."""
MAX_TIMING_POWER = 20.0
"""Largest back-loading exponent; the smallest front-loading one is its inverse."""
MAX_STRESSED_CPR = 0.99
"""A CPR times ``cpr_multiplier`` is capped here (a CPR must stay below 1)."""
MAX_SCENARIOS = 100
"""Most scenarios in one stress table (each is one break-even search per class)."""
MAX_SCENARIO_FILE_BYTES = 2**20
"""Largest scenario file the command line reads (1 MiB)."""
MAX_NAME_LENGTH = 60
TdrSource = Literal["multiples", "monte_carlo"]


def _number(value: object) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def _rank(rating: str) -> int:
    return LOCAL_SCALE.index(rating)


# --------------------------------------------------------------------------------------------
# Inputs: scenarios and multiples


@dataclass(frozen=True)
class StressScenario:
    """One row of the stress table: what the scenario changes from the base case.

    Attributes
    ----------
    name : str
        Unique in a table, 1 to :data:`MAX_NAME_LENGTH` characters.
    timing : {"base", "front", "back"}
        ``base`` keeps the deal's default assumption; ``front`` / ``back`` reshape the base
        case's default timing ``C(t) -> C(t)^a`` (module docstring).
    timing_power : float, optional
        The exponent ``a``: in (1/20, 1) for ``front``, in (1, 20] for ``back``; None takes
        :data:`DEFAULT_TIMING_POWER`. Not given for ``base``.
    cpr_multiplier : float
        Every CPR of the deal's vector times this (>= 0), capped at :data:`MAX_STRESSED_CPR`.
    cpr_annual : float, optional
        A flat CPR in [0, 1) instead of the deal's (not with ``cpr_multiplier``).
    recovery_multiplier : float
        Every recovery rate times this (>= 0), capped at 100%: the deal's ``recovery.rate``
        and, where the deal reads them (``recovery.from_tape``), each loan's ``1 - lgd``.
    recovery_rate : float, optional
        One recovery rate in [0, 1] for every default, tape LGDs ignored (not with
        ``recovery_multiplier``).
    extra_lag_months : int
        Months added to the recovery lag (>= 0; the total at most
        :data:`~abs_tool.limits.MAX_HORIZON_MONTHS`).
    yield_compression_annual : float
        Subtracted from every loan's annual rate, floored at 0, in [0, 1).
    benchmark_shift_bp : float
        Basis points added to every rate of the deal's benchmark path (floating coupons;
        issue 16 item 4b); the shifted rates must stay in [0, 1).
    """

    name: str
    timing: str = "base"
    timing_power: float | None = None
    cpr_multiplier: float = 1.0
    cpr_annual: float | None = None
    recovery_multiplier: float = 1.0
    recovery_rate: float | None = None
    extra_lag_months: int = 0
    yield_compression_annual: float = 0.0
    # Floating coupons (issue 16 item 4b).
    benchmark_shift_bp: float = 0.0

    def __post_init__(self) -> None:
        name = self.name
        if not (isinstance(name, str) and name.strip() and len(name) <= MAX_NAME_LENGTH):
            raise FieldError("name", f"must be text of 1 to {MAX_NAME_LENGTH} characters "
                             f"(got {name!r})")
        if self.timing not in TIMINGS:
            raise FieldError("timing", f"must be one of {list(TIMINGS)} (got {self.timing!r})")
        power = self.timing_power
        if power is not None:
            if self.timing == "base":
                raise FieldError("timing_power", "applies to timing 'front' or 'back'; leave "
                                 f"it out for timing 'base' (got {power!r})")
            front = self.timing == "front"
            ok = _number(power) and (1 / MAX_TIMING_POWER < power < 1 if front
                                     else 1 < power <= MAX_TIMING_POWER)
            if not ok:
                interval = (f"(1/{MAX_TIMING_POWER:g}, 1)" if front
                            else f"(1, {MAX_TIMING_POWER:g}]")
                raise FieldError("timing_power", f"must be in {interval} for timing "
                                 f"{self.timing!r} (got {power!r})")
        for name_, value in (("cpr_multiplier", self.cpr_multiplier),
                             ("recovery_multiplier", self.recovery_multiplier)):
            if not (_number(value) and value >= 0):
                raise FieldError(name_, f"must be a number >= 0 (got {value!r})")
        if self.cpr_annual is not None:
            if not (_number(self.cpr_annual) and 0 <= self.cpr_annual < 1):
                raise FieldError("cpr_annual", f"must be in [0, 1) (got {self.cpr_annual!r})")
            if self.cpr_multiplier != 1:
                raise FieldError("cpr_annual", "give either cpr_annual or cpr_multiplier, "
                                 "not both")
        if self.recovery_rate is not None:
            if not (_number(self.recovery_rate) and 0 <= self.recovery_rate <= 1):
                raise FieldError("recovery_rate",
                                 f"must be in [0, 1] (got {self.recovery_rate!r})")
            if self.recovery_multiplier != 1:
                raise FieldError("recovery_rate", "give either recovery_rate or "
                                 "recovery_multiplier, not both")
        lag = self.extra_lag_months
        if not (isinstance(lag, int) and not isinstance(lag, bool)
                and 0 <= lag <= MAX_HORIZON_MONTHS):
            raise FieldError("extra_lag_months", f"must be an integer from 0 to "
                             f"{MAX_HORIZON_MONTHS} (got {lag!r})")
        y = self.yield_compression_annual
        if not (_number(y) and 0 <= y < 1):
            raise FieldError("yield_compression_annual",
                             f"must be in [0, 1), an annual decimal (got {y!r})")
        shift = self.benchmark_shift_bp
        if not (_number(shift) and not isinstance(shift, bool) and abs(shift) < 10_000):
            raise FieldError("benchmark_shift_bp", "must be a number of basis points in "
                             f"(-10000, 10000) (got {shift!r})")

    @property
    def power(self) -> float:
        """The timing exponent ``a`` in use: 1 for ``base``."""
        if self.timing == "base":
            return 1.0
        return DEFAULT_TIMING_POWER[self.timing] if self.timing_power is None \
            else float(self.timing_power)

    def to_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready values (``timing_power`` resolved); read back by
        :func:`scenarios_from_json`."""
        return {
            "name": self.name,
            "timing": self.timing,
            "timing_power": None if self.timing == "base" else self.power,
            "cpr_multiplier": self.cpr_multiplier,
            "cpr_annual": self.cpr_annual,
            "recovery_multiplier": self.recovery_multiplier,
            "recovery_rate": self.recovery_rate,
            "extra_lag_months": self.extra_lag_months,
            "yield_compression_annual": self.yield_compression_annual,
            # Written only when set, so tables saved before the field read back the same.
            **({"benchmark_shift_bp": self.benchmark_shift_bp}
               if self.benchmark_shift_bp else {}),
        }


DEFAULT_SCENARIOS: tuple[StressScenario, ...] = (
    StressScenario("base"),
    StressScenario("front-loaded defaults", timing="front"),
    StressScenario("back-loaded defaults", timing="back"),
    StressScenario("high prepayment", cpr_multiplier=2.0),
    StressScenario("low prepayment", cpr_multiplier=0.5),
    StressScenario("lower recovery", recovery_multiplier=0.5),
    StressScenario("later recovery", extra_lag_months=6),
    StressScenario("yield compression", yield_compression_annual=0.02),
)
"""The indicative scenario set (editable; levels and reasons in docs/stress.md)."""

_SCENARIO_FIELDS = tuple(StressScenario.__dataclass_fields__)


def scenarios_from_json(data: object) -> tuple[StressScenario, ...]:
    """Scenarios from parsed JSON: a list of objects with :class:`StressScenario`'s fields
    (``name`` required, the others optional), or an object whose ``scenarios`` key holds
    one (such as the JSON :meth:`StressTable.to_dict` writes; its other keys are ignored).

    Raises
    ------
    FieldError
        Naming ``scenarios[i].field`` of the first invalid or unknown field, a repeated
        name, an empty list or one over :data:`MAX_SCENARIOS`.
    """
    if isinstance(data, dict) and "scenarios" in data:
        data = data["scenarios"]
    if not isinstance(data, list):
        raise FieldError("scenarios", "must be a list of scenario objects (or an object "
                         f"with a `scenarios` list), got {type(data).__name__}")
    out = []
    for i, item in enumerate(data):
        where = f"scenarios[{i}]"
        if not isinstance(item, dict):
            raise FieldError(where, f"must be an object (got {type(item).__name__})")
        unknown = sorted(set(item) - set(_SCENARIO_FIELDS))
        if unknown:
            raise FieldError(f"{where}.{unknown[0]}",
                             f"unknown field; expected some of {list(_SCENARIO_FIELDS)}")
        if "name" not in item:
            raise FieldError(f"{where}.name", "missing: every scenario needs a name")
        try:
            out.append(StressScenario(**item))
        except FieldError as err:
            raise err.within(where) from None
    return _checked_scenarios(out)


def _checked_scenarios(scenarios: Iterable[StressScenario]) -> tuple[StressScenario, ...]:
    scenarios = tuple(scenarios)
    if not scenarios:
        raise FieldError("scenarios", "must hold at least one scenario (got none)")
    if len(scenarios) > MAX_SCENARIOS:
        raise FieldError("scenarios", f"at most {MAX_SCENARIOS} scenarios in one table "
                         f"(got {len(scenarios)})")
    for i, s in enumerate(scenarios):
        if not isinstance(s, StressScenario):
            raise FieldError(f"scenarios[{i}]", f"must be a StressScenario (got "
                             f"{type(s).__name__})")
        if s.name in (t.name for t in scenarios[:i]):
            raise FieldError(f"scenarios[{i}].name", f"repeats the name {s.name!r}; each "
                             "scenario needs its own")
    return scenarios


INDICATIVE_MULTIPLES: tuple[tuple[str, float], ...] = (
    ("AAA", 4.5), ("AA", 3.5), ("A", 2.5), ("BBB", 1.75),
)
"""Default multiples of the base-case lifetime default rate by rating level: the midpoints
of the ranges rating agencies publish (AAA 4-5x, AA 3-4x, A 2-3x, BBB 1.5-2x). Indicative,
editable."""


@dataclass(frozen=True)
class RatingMultiples:
    """The multiple of the base-case lifetime default rate that each rating level must
    withstand: ``TDR(R) = multiple_R x L``.

    Attributes
    ----------
    multiples : tuple of (rating, multiple)
        Local-scale ratings (AAA, AA+, ..., C), each once, with a multiple > 0; a better
        rating never has a smaller multiple. Stored best first.
    indicative : bool
        True for the shipped :data:`INDICATIVE_MULTIPLES` (labelled "indicative, editable"
        wherever they are shown); False for a user's table.
    """

    multiples: tuple[tuple[str, float], ...] = INDICATIVE_MULTIPLES
    indicative: bool = True

    def __post_init__(self) -> None:
        seen: list[str] = []
        for item in self.multiples:
            if not (isinstance(item, tuple) and len(item) == 2):
                raise FieldError("multiples", f"must be (rating, multiple) pairs (got "
                                 f"{item!r})")
            rating, value = item
            if rating not in LOCAL_SCALE:
                raise FieldError(f"multiples[{rating!r}]", f"unknown rating; expected one of "
                                 f"{list(LOCAL_SCALE)}")
            if rating in seen:
                raise FieldError(f"multiples[{rating!r}]", "given twice")
            seen.append(rating)
            if not (_number(value) and value > 0):
                raise FieldError(f"multiples[{rating!r}]",
                                 f"must be a number > 0 (got {value!r})")
        if not self.multiples:
            raise FieldError("multiples", "give at least one rating level, e.g. AAA=4.5")
        ordered = tuple(sorted(((r, float(v)) for r, v in self.multiples),
                               key=lambda rv: _rank(rv[0])))
        for (better, m_better), (worse, m_worse) in zip(ordered, ordered[1:], strict=False):
            if m_better < m_worse:
                raise FieldError(f"multiples[{better!r}]", f"{m_better:g} is below "
                                 f"{worse}'s {m_worse:g}: a better rating must withstand at "
                                 "least the same multiple")
        object.__setattr__(self, "multiples", ordered)
        if not isinstance(self.indicative, bool):
            raise FieldError("indicative", f"must be true or false (got {self.indicative!r})")

    @classmethod
    def from_mapping(cls, multiples: Mapping[str, float]) -> RatingMultiples:
        """A user's table ``{rating: multiple}`` (``indicative`` False)."""
        return cls(tuple(multiples.items()), indicative=False)

    def by_rating(self) -> dict[str, float]:
        """``{rating: multiple}``, best first."""
        return dict(self.multiples)


# --------------------------------------------------------------------------------------------
# The base case and the scenarios' deals


@dataclass(frozen=True)
class BaseCase:
    """The deal's base deterministic scenario, as the stress table reads it.

    Attributes
    ----------
    lifetime_default_rate : float
        ``L``: cumulative defaults over the initial balance plus purchases, at the end of
        the horizon (fraction; as :func:`~abs_tool.analysis.break_even.break_even` reports).
    timing : tuple of float, shape (periods,)
        ``tau_t``, the share of the lifetime default amount in month t (sums to 1; all zero
        when the base case has no defaults).
    base_balance : tuple of float, shape (periods,)
        The engine's base in month t: the initial balance plus the receivables bought at the
        end of the months before (currency).
    default_amount : float
        Lifetime default amount (currency).
    """

    lifetime_default_rate: float
    timing: tuple[float, ...]
    base_balance: tuple[float, ...]
    default_amount: float

    @property
    def mean_default_month(self) -> float:
        """``sum_t t tau_t``; NaN without defaults."""
        return _mean_month(np.asarray(self.timing))


def _mean_month(amounts: Array) -> float:
    total = float(amounts.sum())
    if total <= 0:
        return math.nan
    return float(np.arange(1, len(amounts) + 1) @ amounts / total)


def base_case(prepared: PreparedDeal) -> BaseCase:
    """The base case of ``prepared``: its deterministic scenario with no stress."""
    pool = run_scenario(prepared).result.pool
    defaults = pool.default[0]
    total = float(defaults.sum())
    bought_before = np.concatenate([[0.0], np.cumsum(pool.purchases[0])[:-1]])
    base = pool.balance_open[0, 0] + bought_before
    timing = defaults / total if total > 0 else np.zeros_like(defaults)
    return BaseCase(float(pool.cumulative_default_rate[0, -1]),
                    tuple(float(x) for x in timing), tuple(float(x) for x in base), total)


def reshape_timing(timing: Sequence[float], power: float) -> Array:
    """``tau'`` with cumulative share ``C'(t) = C(t)^power``, ``C(t) = sum_{s <= t} tau_s``
    (renormalised to end at 1): ``power < 1`` moves defaults earlier, ``> 1`` later; months
    without defaults before the first and after the last keep none.

    Parameters
    ----------
    timing : sequence of float, shape (periods,)
        Shares >= 0 with a positive sum.
    power : float
        > 0.

    Returns
    -------
    ndarray, shape (periods,)
        Shares summing to 1.
    """
    tau = np.asarray(timing, dtype=np.float64)
    cumulative = np.cumsum(tau)
    cumulative = np.clip(cumulative / cumulative[-1], 0.0, 1.0)
    shaped: Array = np.maximum(np.diff(cumulative ** power, prepend=0.0), 0.0)
    return shaped


def timing_default(base: BaseCase, power: float) -> LifetimeDefault:
    """The default assumption of a timing stress: the base case's lifetime default amount
    spread by :func:`reshape_timing`, as a :class:`LifetimeDefault` (shares of the engine's
    base, on the base path's purchases).

    Raises
    ------
    AssumptionError
        The base case has no defaults (nothing to reshape), or its reshaped defaults pass
        the whole base in some month's terms (a lifetime rate over 100%).
    """
    if base.default_amount <= 0:
        raise AssumptionError("assumptions.default: the base case has no defaults, so a "
                              "front- or back-loaded timing has nothing to reshape; give the "
                              "deal a default assumption with defaults")
    amounts = reshape_timing(base.timing, power) * base.default_amount
    share = amounts / np.asarray(base.base_balance)
    rate = float(share.sum())
    if rate > 1:
        raise AssumptionError(f"assumptions.default: the reshaped timing (power {power:g}) "
                              f"needs a lifetime rate of {rate:.2%} of the base, over 100%")
    return LifetimeDefault(rate, tuple(float(x) for x in share / rate))


def _scenario_inputs(
    prepared: PreparedDeal, scenario: StressScenario, base: BaseCase | None
) -> tuple[Deal, Pool, tuple[float, float]]:
    """The scenario's deal and pool, and the key of the pool's changes (yield compression,
    tape-recovery multiplier): equal keys mean equal pools."""
    deal, pool = prepared.deal, prepared.pool
    a = deal.assumptions
    default: DefaultAssumption = a.default
    if scenario.timing != "base":
        default = timing_default(base if base is not None else base_case(prepared),
                                 scenario.power)
    prepayment = a.prepayment
    if scenario.cpr_annual is not None:
        prepayment = Cpr((scenario.cpr_annual,))
    elif scenario.cpr_multiplier != 1:
        prepayment = Cpr(tuple(min(c * scenario.cpr_multiplier, MAX_STRESSED_CPR)
                               for c in prepayment.annual))
    recovery = a.recovery
    lgd_multiplier = 1.0
    if scenario.recovery_rate is not None:
        recovery = replace(recovery, rate=scenario.recovery_rate, from_tape=False)
    elif scenario.recovery_multiplier != 1:
        recovery = replace(recovery, rate=min(recovery.rate * scenario.recovery_multiplier, 1))
        if recovery.from_tape and pool.loans["lgd"].notna().any():
            lgd_multiplier = scenario.recovery_multiplier
    lag = recovery.lag_months + scenario.extra_lag_months
    if lag > MAX_HORIZON_MONTHS:
        raise FieldError("extra_lag_months", f"the deal's lag of {recovery.lag_months} "
                         f"months plus {scenario.extra_lag_months} passes the limit of "
                         f"{MAX_HORIZON_MONTHS} months")
    recovery = Recovery(recovery.rate, lag, recovery.from_tape)
    try:
        benchmark = a.benchmark.shifted(scenario.benchmark_shift_bp)
    except FieldError as exc:
        raise FieldError("benchmark_shift_bp", exc.message) from None
    assumptions = replace(a, default=default, prepayment=prepayment, recovery=recovery,
                          benchmark=benchmark)
    key = (scenario.yield_compression_annual, lgd_multiplier)
    if key != (0.0, 1.0):
        loans = pool.loans.copy()
        if scenario.yield_compression_annual:
            loans["rate"] = np.maximum(loans["rate"] - scenario.yield_compression_annual, 0.0)
        if lgd_multiplier != 1:
            loans["lgd"] = np.maximum(1.0 - (1.0 - loans["lgd"]) * lgd_multiplier, 0.0)
        pool = Pool(loans, name=pool.name)
    return replace(deal, assumptions=assumptions), pool, key


def prepare_scenario(
    prepared: PreparedDeal, scenario: StressScenario, base: BaseCase | None = None
) -> PreparedDeal:
    """The scenario's prepared deal: ``prepare_deal`` of the deal with the scenario's
    assumptions, on the pool with its loan rates compressed and tape recoveries scaled
    (the deal as it is, ``prepared`` itself, for a scenario that changes nothing).

    Parameters
    ----------
    prepared
        The deal as it is.
    scenario
        The stress.
    base
        :func:`base_case` of ``prepared`` (computed when a timing stress needs it).
    """
    return _PreparedCache(prepared).get(prepared, scenario, base)


class _PreparedCache:
    """Prepared deals shared between scenarios: a pool model depends on the pool, the
    default assumption, the dates and the structure only (:func:`prepare_deal`), so
    scenarios that change only prepayment or recovery reuse it."""

    def __init__(self, prepared: PreparedDeal) -> None:
        self._models: dict[tuple[Any, ...], PreparedDeal] = {
            ((0.0, 1.0), prepared.deal.assumptions.default): prepared}

    def get(self, prepared: PreparedDeal, scenario: StressScenario,
            base: BaseCase | None) -> PreparedDeal:
        deal, pool, pool_key = _scenario_inputs(prepared, scenario, base)
        if deal == prepared.deal and pool is prepared.pool:
            return prepared
        key = (pool_key, deal.assumptions.default)
        hit = self._models.get(key)
        if hit is None:
            hit = self._models[key] = prepare_deal(deal, pool)
            return hit
        return replace(hit, deal=deal)


# --------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class ClassStress:
    """One class in one scenario.

    Attributes
    ----------
    class_name : str
    bdr : float
        Break-even lifetime pool default rate (fraction).
    loses : bool
        False when the class loses nothing even at the largest multiplier the search tries:
        ``bdr`` is then a lower bound, compared as it is (a conservative pass/fail).
    multiplier : float
        The default multiplier at the BDR.
    ratings : tuple of str
        Rating levels tested, best first.
    tdr : tuple of float
        Target default rate of each level (fraction).
    passes : tuple of bool
        ``bdr >= tdr`` per level.
    """

    class_name: str
    bdr: float
    loses: bool
    multiplier: float
    ratings: tuple[str, ...]
    tdr: tuple[float, ...]
    passes: tuple[bool, ...]

    def tdr_by_rating(self) -> dict[str, float]:
        return dict(zip(self.ratings, self.tdr, strict=True))

    def passes_by_rating(self) -> dict[str, bool]:
        return dict(zip(self.ratings, self.passes, strict=True))

    @property
    def highest_rating(self) -> str:
        """Best level passed in this scenario; "NR" when none."""
        return next((r for r, ok in zip(self.ratings, self.passes, strict=True) if ok),
                    NOT_RATED)


@dataclass(frozen=True)
class ScenarioStress:
    """One scenario: its settings, the pool's figures at no stress, and every class.

    ``lifetime_default_rate`` and ``mean_default_month`` are those of the scenario run
    unstressed (multiplier 1): a timing stress keeps the first (on the base path's
    purchases) and moves the second.
    """

    scenario: StressScenario
    lifetime_default_rate: float
    mean_default_month: float
    classes: tuple[ClassStress, ...]


@dataclass(frozen=True)
class StressTable:
    """The stress table of a deal (:func:`stress_table`).

    Attributes
    ----------
    deal_name : str
    class_names : tuple of str
    scenarios : tuple of ScenarioStress
        In the order given.
    multiples : RatingMultiples
        The multiples (used for the TDR when ``tdr_source`` is ``"multiples"``).
    tdr_source : {"multiples", "monte_carlo"}
    base : BaseCase
    lifetime_reference : tuple of BreakEven or None
        BDR of each class with the base timing in the lifetime form the timing stresses use
        (power 1); None when no scenario stresses the timing.
    scenarios_indicative : bool
        True when the scenarios are :data:`DEFAULT_SCENARIOS`.
    """

    deal_name: str
    class_names: tuple[str, ...]
    scenarios: tuple[ScenarioStress, ...]
    multiples: RatingMultiples
    tdr_source: str
    base: BaseCase
    lifetime_reference: tuple[BreakEven, ...] | None
    scenarios_indicative: bool = field(default=False)

    @property
    def base_lifetime_default_rate(self) -> float:
        return self.base.lifetime_default_rate

    def cell(self, scenario: str, class_name: str) -> ClassStress:
        """The result of ``class_name`` under the scenario named ``scenario``."""
        for row in self.scenarios:
            if row.scenario.name == scenario:
                for c in row.classes:
                    if c.class_name == class_name:
                        return c
                raise InputError(f"no class {class_name!r}; the deal has "
                                 f"{list(self.class_names)}")
        raise InputError(f"no scenario {scenario!r}; the table has "
                         f"{[r.scenario.name for r in self.scenarios]}")

    def highest_rating(self, class_name: str) -> str:
        """Best rating level the class passes in every scenario; "NR" when none."""
        j = self.class_names.index(class_name)
        cells = [row.classes[j] for row in self.scenarios]
        for i, rating in enumerate(cells[0].ratings):
            if all(c.passes[i] for c in cells):
                return rating
        return NOT_RATED

    def highest_ratings(self) -> dict[str, str]:
        return {name: self.highest_rating(name) for name in self.class_names}

    def records(self) -> list[dict[str, Any]]:
        """One record per scenario and class: scenario, class, bdr, lower_bound, TDR of each
        level (``tdr_<rating>``), highest (in this scenario)."""
        out = []
        for row in self.scenarios:
            for c in row.classes:
                out.append({"scenario": row.scenario.name, "class": c.class_name,
                            "bdr": c.bdr, "lower_bound": not c.loses,
                            **{f"tdr_{r}": v for r, v in zip(c.ratings, c.tdr, strict=True)},
                            "highest": c.highest_rating})
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (docs/stress.md, "JSON"): ``scenarios`` (settings), ``classes`` (per
        class: ``highest_rating`` and per scenario ``bdr``, ``tdr``, ``passes``), the base
        case, the TDR source and the ``indicative`` labels."""
        reference = ({be.class_name: be.default_rate for be in self.lifetime_reference}
                     if self.lifetime_reference is not None else None)
        classes: dict[str, Any] = {}
        for j, name in enumerate(self.class_names):
            classes[name] = {
                "highest_rating": self.highest_rating(name),
                "lifetime_reference_bdr": None if reference is None else reference[name],
                "scenarios": {
                    row.scenario.name: {
                        "bdr": row.classes[j].bdr,
                        "bdr_is_lower_bound": not row.classes[j].loses,
                        "multiplier": row.classes[j].multiplier,
                        "tdr": row.classes[j].tdr_by_rating(),
                        "passes": row.classes[j].passes_by_rating(),
                        "highest_rating": row.classes[j].highest_rating,
                    } for row in self.scenarios},
            }
        return {
            "deal": self.deal_name,
            "indicative": self.multiples.indicative or self.scenarios_indicative,
            "note": INDICATIVE_NOTE,
            "tdr_source": self.tdr_source,
            "base_lifetime_default_rate": self.base.lifetime_default_rate,
            "base_mean_default_month": _finite_or_none(self.base.mean_default_month),
            "multiples": {"indicative": self.multiples.indicative,
                          "by_rating": self.multiples.by_rating()},
            "scenarios_indicative": self.scenarios_indicative,
            "scenarios": [row.scenario.to_dict() for row in self.scenarios],
            "scenario_pool": [
                {"name": row.scenario.name,
                 "lifetime_default_rate": row.lifetime_default_rate,
                 "mean_default_month": _finite_or_none(row.mean_default_month)}
                for row in self.scenarios],
            "classes": classes,
        }


INDICATIVE_NOTE = ("Indicative, editable: the default multiples by rating are midpoints of "
                   "ranges agencies publish and the scenario levels are this tool's "
                   "defaults, not any agency's criteria (docs/stress.md).")


def _finite_or_none(x: float) -> float | None:
    return x if math.isfinite(x) else None


# --------------------------------------------------------------------------------------------
# The table


def stress_table(
    prepared: PreparedDeal,
    scenarios: Sequence[StressScenario] = DEFAULT_SCENARIOS,
    multiples: RatingMultiples | None = None,
    *,
    target_default_rates: Sequence[ClassTdr] | None = None,
    executor: Executor | None = None,
    cancel: threading.Event | None = None,
) -> StressTable:
    """BDR of every class under every scenario against the TDR of every rating level.

    Parameters
    ----------
    prepared
        The deal as it is, on its pool.
    scenarios
        The rows; by default the indicative :data:`DEFAULT_SCENARIOS`. Names must differ.
    multiples
        Default multiples by rating; by default the indicative :data:`INDICATIVE_MULTIPLES`.
    target_default_rates
        Monte Carlo TDRs of each class
        (:attr:`~abs_tool.analysis.deal_analysis.DealAnalysis.target_default_rates`) to use
        instead of the multiples; the classes must be the deal's, in its order.
    executor
        Where the scenarios run, one unit each (:mod:`abs_tool.engine.executor`); by default
        one after the other in this process, sharing the pool models of scenarios that
        change only prepayment or recovery. On a cluster each scenario prepares its own. The
        table is the same either way.
    cancel
        When set, no further scenario starts and :class:`CancelledError` is raised.

    Returns
    -------
    StressTable

    Raises
    ------
    FieldError
        Invalid or repeated scenarios; a lag past the limit.
    AssumptionError
        A timing stress of a base case without defaults.
    InputError
        ``target_default_rates`` for other classes.
    """
    scenarios = _checked_scenarios(scenarios)
    multiples = multiples if multiples is not None else RatingMultiples()
    names = tuple(c.name for c in prepared.deal.structure.classes)
    base = base_case(prepared)
    if target_default_rates is not None:
        given = [t.class_name for t in target_default_rates]
        if given != list(names):
            raise InputError(f"`target_default_rates` are for classes {given}, the deal has "
                             f"{list(names)}: pass the analysis of the same prepared deal")
        targets = [t.by_rating() for t in target_default_rates]
        source: TdrSource = "monte_carlo"
    else:
        level = {r: m * base.lifetime_default_rate for r, m in multiples.multiples}
        targets = [level for _ in names]
        source = "multiples"
    runner = executor if executor is not None else LocalThreads()
    shared = [runner.share(value) for value in (prepared, base, targets,
                                                _PreparedCache(prepared))]
    rows = list(runner.map_ordered(_scenario_row, scenarios, *shared, cancel=cancel))
    if len(rows) < len(scenarios):
        raise CancelledError(f"stress table cancelled after {len(rows)} of {len(scenarios)} "
                             "scenarios")
    reference = None
    if any(s.timing != "base" for s in scenarios):
        reference = break_even(_lifetime_reference(prepared, base))
    return StressTable(prepared.deal.name, names, tuple(rows), multiples, source, base,
                       reference, scenarios_indicative=scenarios == DEFAULT_SCENARIOS)


def _scenario_row(scenario: StressScenario, prepared: PreparedDeal, base: BaseCase,
                  targets: Sequence[Mapping[str, float]],
                  cache: _PreparedCache) -> ScenarioStress:
    """One row of the table: the scenario's break-even rates against the targets (a work
    unit of :func:`stress_table`)."""
    scenario_prepared = cache.get(prepared, scenario, base)
    evens = break_even(scenario_prepared)
    pool = run_scenario(scenario_prepared).result.pool
    cells = []
    for be, tdr_of in zip(evens, targets, strict=True):
        ratings = tuple(tdr_of)
        tdr = tuple(float(tdr_of[r]) for r in ratings)
        cells.append(ClassStress(be.class_name, float(be.default_rate), bool(be.loses),
                                 float(be.multiplier), ratings, tdr,
                                 tuple(bool(be.default_rate >= t) for t in tdr)))
    return ScenarioStress(scenario, float(pool.cumulative_default_rate[0, -1]),
                          _mean_month(pool.default[0]), tuple(cells))


def _lifetime_reference(prepared: PreparedDeal, base: BaseCase) -> PreparedDeal:
    """The deal with the base timing in lifetime form (power 1)."""
    deal = replace(prepared.deal, assumptions=replace(prepared.deal.assumptions,
                                                      default=timing_default(base, 1.0)))
    return prepare_deal(deal, prepared.pool)
