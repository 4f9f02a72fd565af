"""Deal-level entry points of the engine: prepare a deal on its pool, run deterministic
scenarios, run scenario grids.

A deterministic scenario is the engine with one path; a grid runs many deterministic
scenarios at once as paths of one engine call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from abs_tool.engine.executor import Executor
from abs_tool.engine.metrics import ClassMetrics, class_metrics, metrics_from_rows
from abs_tool.engine.projection import (
    DefaultDriver,
    HazardDefaults,
    PoolState,
    deterministic_defaults,
    loan_recovery,
)
from abs_tool.engine.waterfall import (
    PoolFlows,
    WaterfallResult,
    reference_coupons,
    run_waterfall,
    summarise_waterfall,
)
from abs_tool.errors import FieldError
from abs_tool.io.default_schedule import DefaultSchedule, check_default_schedule
from abs_tool.limits import MAX_HORIZON_MONTHS, MAX_SECTORS, check_cost, check_integer, estimate
from abs_tool.model.assumptions import (
    Assumptions,
    BenchmarkPath,
    CdrVector,
    Cpr,
    LifetimeDefault,
    Recovery,
    check_rates,
)
from abs_tool.model.conventions import mdr_from_cdr
from abs_tool.model.deal import Deal
from abs_tool.model.eligibility import apply_eligibility
from abs_tool.model.pool import Pool
from abs_tool.model.pool_model import PoolModel, build_pool_model
from abs_tool.types import Array


@dataclass(frozen=True)
class PreparedDeal:
    """A deal bound to its pool: the grouped pool model and the class balances."""

    deal: Deal
    pool: Pool
    model: PoolModel
    class_balances: tuple[float, ...]

    @property
    def coupons(self) -> Array:
        """(classes,) the annual coupons the metrics quote: ``coupon_annual``, or for a
        floating class its all-in rate on the deal's benchmark path averaged over the
        horizon (:func:`~abs_tool.engine.waterfall.reference_coupons`)."""
        return self.coupons_on(self.deal.assumptions.benchmark)

    def coupons_on(self, benchmark: BenchmarkPath) -> Array:
        """:attr:`coupons` on the benchmark path ``benchmark``."""
        horizon = self.model.horizon_months
        return reference_coupons(self.deal.structure.classes, benchmark.monthly(horizon),
                                 horizon)


def prepare_deal(deal: Deal, pool: Pool) -> PreparedDeal:
    """Group the pool, model the receivables bought while revolving, size the classes.

    Raises
    ------
    FieldError
        ``classes`` when class sizes do not add up to the pool balance.
    LimitError
        The pool's schedules need more memory or time than the budget
        (:func:`abs_tool.model.pool_model.build_pool_model`).
    """
    sector = deal.assumptions.sector_column
    model = build_pool_model(pool, deal.assumptions.default, deal.dates.horizon_months,
                             _purchase_mask(deal, pool), None if sector is None else str(sector))
    return PreparedDeal(deal, pool, model, deal.structure.class_amounts(pool.balance))


def _purchase_mask(deal: Deal, pool: Pool) -> NDArray[np.bool_] | None:
    """The loans the receivables bought while revolving resemble; None when none are."""
    structure = deal.structure
    if not (structure.revolving and structure.revolving.months > 0):
        return None
    if structure.revolving.eligibility is None:
        return np.ones(len(pool), dtype=bool)
    eligible = apply_eligibility(pool, structure.revolving.eligibility).pool
    return np.asarray(pool.loans["loan_id"].isin(eligible.loans["loan_id"]).to_numpy())


def run_paths(
    prepared: PreparedDeal,
    defaults: DefaultDriver,
    n_paths: int,
    *,
    prepayment: Cpr | None = None,
    recovery_rate: ArrayLike | None = None,
    lag_months: int | None = None,
    loan_rates: ArrayLike | None = None,
    benchmark: BenchmarkPath | None = None,
) -> WaterfallResult:
    """Run the pool and the waterfall for ``n_paths`` paths of default fractions.

    Prepayment, recovery and lag default to the deal's assumptions (with its loan-level
    rates from the tape, :func:`~abs_tool.engine.projection.loan_recovery`). A
    ``recovery_rate`` given, scalar or (paths,), is the rate of every default; with
    ``loan_rates`` (1 or paths, groups, periods) too, the factor that scales those
    (:class:`~abs_tool.engine.projection.PoolState`). Floating coupons follow
    ``benchmark``, by default the deal's (``Assumptions.benchmark``).
    """
    state = _pool_state(prepared, defaults, n_paths, prepayment, recovery_rate, lag_months,
                        loan_rates)
    return run_waterfall(prepared.deal.structure, state, prepared.class_balances,
                         dates=prepared.deal.dates,
                         benchmark=_benchmark(prepared, benchmark))


def _benchmark(prepared: PreparedDeal, benchmark: BenchmarkPath | None) -> Array:
    """(periods,) the annual benchmark rates by month of ``benchmark`` or the deal's."""
    path = prepared.deal.assumptions.benchmark if benchmark is None else benchmark
    return path.monthly(prepared.model.horizon_months)


@dataclass(frozen=True)
class PathsSummary:
    """What a Monte Carlo keeps of :func:`run_paths` and
    :func:`~abs_tool.engine.metrics.class_metrics`: the pool's lines (paths, periods), the
    month each path ended, and the class metrics."""

    pool: PoolFlows
    end_month: NDArray[np.int64]  # (paths,)
    metrics: ClassMetrics


def summarise_paths(
    prepared: PreparedDeal,
    defaults: DefaultDriver,
    n_paths: int,
    *,
    prepayment: Cpr | None = None,
    recovery_rate: ArrayLike | None = None,
    lag_months: int | None = None,
    loan_rates: ArrayLike | None = None,
    with_duration: bool = False,
) -> PathsSummary:
    """:func:`run_paths` and ``class_metrics(result, prepared.coupons,
    with_duration=with_duration)``, the same numbers, without keeping the lines of the
    classes, fees and accounts (:func:`~abs_tool.engine.waterfall.summarise_waterfall`)."""
    state = _pool_state(prepared, defaults, n_paths, prepayment, recovery_rate, lag_months,
                        loan_rates)
    summary = summarise_waterfall(prepared.deal.structure, state, prepared.class_balances,
                                  dates=prepared.deal.dates,
                                  with_duration=with_duration,
                                  benchmark=_benchmark(prepared, None))
    metrics = metrics_from_rows(summary.metric_rows, summary.original_balance,
                                np.asarray(prepared.coupons, dtype=np.float64))
    return PathsSummary(summary.pool, summary.end_month, metrics)


def _pool_state(
    prepared: PreparedDeal,
    defaults: DefaultDriver,
    n_paths: int,
    prepayment: Cpr | None,
    recovery_rate: ArrayLike | None,
    lag_months: int | None,
    loan_rates: ArrayLike | None,
) -> PoolState:
    assumptions = prepared.deal.assumptions
    cpr = prepayment or assumptions.prepayment
    if recovery_rate is None:
        recovery_rate, loan_rates = recovery_inputs(prepared.model, assumptions.recovery)
    return PoolState.start(
        prepared.model,
        defaults,
        cpr.monthly(prepared.model.horizon_months),
        recovery_rate,
        assumptions.recovery.lag_months if lag_months is None else lag_months,
        n_paths,
        loan_rates,
    )


def recovery_inputs(model: PoolModel, recovery: Recovery) -> tuple[float, Array | None]:
    """``recovery_rate`` and ``loan_rates`` of :func:`run_paths` for ``recovery``: the
    groups' rates from the tape, unscaled, or ``recovery.rate`` for every default."""
    rates = loan_recovery(model, recovery)
    return (recovery.rate, None) if rates is None else (1.0, rates)


@dataclass(frozen=True)
class Scenario:
    """A deterministic scenario: the deal's assumptions with some of them replaced.

    ``cdr_annual`` replaces the default assumption by a flat CDR; ``default_multiplier``
    stresses whichever default assumption applies (PD, CDR or lifetime rate). A
    ``recovery_rate`` applies to every loan, whatever the tape's LGDs: a stress that says
    "recovery 20%" means it of every default.

    A ``default_schedule`` (:class:`~abs_tool.io.default_schedule.DefaultSchedule`) names
    loans that default in given months: each defaults whole at the start of its month
    (its balance then, after the prepayments of earlier months) and never before, and
    recovers its own ``recovery_rate`` where the schedule gives one (else the scenario's
    rate for it) ``lag_months`` later. The other loans follow the scenario's default
    assumption (``cdr_annual=0``: none default); a lifetime default with a timing curve
    takes its amounts from the whole pool, so it cannot be combined with a schedule.
    """

    cdr_annual: float | None = None
    cpr_annual: float | None = None
    recovery_rate: float | None = None
    lag_months: int | None = None
    default_multiplier: float = 1.0
    default_schedule: DefaultSchedule | None = None
    # Floating coupons (issue 16 item 4b): the scenario's benchmark path, or a parallel shift.
    benchmark: BenchmarkPath | None = None
    benchmark_shift_bp: float = 0.0

    def __post_init__(self) -> None:
        def number(value: object) -> bool:
            return isinstance(value, int | float) and math.isfinite(value)

        for name, upper in (("cdr_annual", 1.0), ("cpr_annual", 1.0), ("recovery_rate", None)):
            value = getattr(self, name)
            if value is None:
                continue
            ok = number(value) and value >= 0 and (value <= 1 if upper is None else value < 1)
            if not ok:
                interval = "[0, 1]" if upper is None else "[0, 1)"
                raise FieldError(name, f"must be in {interval} (got {value!r})")
        lag = self.lag_months  # its upper bound is Recovery's, checked by apply()
        if lag is not None and not (isinstance(lag, int) and lag >= 0):
            raise FieldError("lag_months", f"must be an integer >= 0 (got {lag!r})")
        m = self.default_multiplier
        if not (number(m) and m >= 0):
            raise FieldError("default_multiplier", f"must be a number >= 0 (got {m!r})")
        schedule = self.default_schedule
        if schedule is not None and not isinstance(schedule, DefaultSchedule):
            raise FieldError("default_schedule", "must be a DefaultSchedule "
                             f"(abs_tool.io.default_schedule) or None (got {schedule!r})")
        if self.benchmark is not None and not isinstance(self.benchmark, BenchmarkPath):
            raise FieldError("benchmark", "must be a BenchmarkPath "
                             f"(abs_tool.model.assumptions) or None (got {self.benchmark!r})")
        shift = self.benchmark_shift_bp
        if not (number(shift) and not isinstance(shift, bool) and abs(shift) < 10_000):
            raise FieldError("benchmark_shift_bp", "must be a number of basis points in "
                             f"(-10000, 10000) (got {shift!r})")

    def apply(self, assumptions: Assumptions) -> Assumptions:
        """The assumptions of this scenario (validated like any other): the benchmark path
        is the scenario's, or the deal's, moved by ``benchmark_shift_bp``.

        Raises
        ------
        FieldError
            ``benchmark_shift_bp`` when it moves a rate of the path out of [0, 1).
        """
        path = assumptions.benchmark if self.benchmark is None else self.benchmark
        try:
            path = path.shifted(self.benchmark_shift_bp)
        except FieldError as exc:
            raise FieldError("benchmark_shift_bp", exc.message) from None
        recovery = assumptions.recovery
        if self.recovery_rate is not None:
            recovery = replace(recovery, rate=self.recovery_rate, from_tape=False)
        if self.lag_months is not None:
            recovery = replace(recovery, lag_months=self.lag_months)
        return replace(
            assumptions,
            default=(assumptions.default if self.cdr_annual is None
                     else CdrVector((self.cdr_annual,))),
            prepayment=(assumptions.prepayment if self.cpr_annual is None
                        else Cpr((self.cpr_annual,))),
            recovery=recovery,
            benchmark=path,
        )


@dataclass(frozen=True)
class ScenarioResult:
    """One deterministic scenario: its assumptions, the engine output and class metrics."""

    assumptions: Assumptions
    result: WaterfallResult
    metrics: ClassMetrics


def run_scenario(prepared: PreparedDeal, scenario: Scenario | None = None) -> ScenarioResult:
    """Run one deterministic scenario (one path).

    Raises
    ------
    DefaultScheduleError
        The scenario's ``default_schedule`` names a loan not on the tape, a month past the
        horizon or past the loan's last month
        (:func:`~abs_tool.io.default_schedule.check_default_schedule`).
    FieldError
        ``default_schedule`` with a lifetime default (:class:`Scenario`), or with more
        than :data:`~abs_tool.limits.MAX_SECTORS` distinct (month, recovery rate) pairs.
    """
    scenario = scenario or Scenario()
    assumptions = scenario.apply(prepared.deal.assumptions)
    defaults: DefaultDriver
    loan_rates: Array | None
    if scenario.default_schedule is not None:
        prepared, defaults, rate, loan_rates = _scheduled_inputs(
            prepared, scenario.default_schedule, assumptions, scenario.default_multiplier)
    else:
        defaults = deterministic_defaults(prepared.model, assumptions.default,
                                          scenario.default_multiplier)
        rate, loan_rates = recovery_inputs(prepared.model, assumptions.recovery)
    result = run_paths(prepared, defaults, 1, prepayment=assumptions.prepayment,
                       recovery_rate=rate, lag_months=assumptions.recovery.lag_months,
                       loan_rates=loan_rates, benchmark=assumptions.benchmark)
    return ScenarioResult(assumptions, result,
                          class_metrics(result, prepared.coupons_on(assumptions.benchmark)))


def _scheduled_inputs(
    prepared: PreparedDeal, schedule: DefaultSchedule, assumptions: Assumptions,
    multiplier: float,
) -> tuple[PreparedDeal, HazardDefaults, float, Array]:
    """The deal on a pool model in which the scheduled loans of one PD group that share a
    default month and a recovery rate form a group of their own, its defaults (that
    group's whole balance in its month, nothing before or after; the other groups the
    scenario's hazard) and the groups' recovery rates, for :func:`run_paths`.

    A group of its own makes the schedule exact whatever the loans' terms and
    amortisation: the engine scales a group's summed schedule by one survival factor, which
    follows each loan only when the group's loans default together (the approximation
    that exact mode's conversion of obligor default months, :mod:`abs_tool.credit.copula`,
    accepts for a Monte Carlo).
    """
    deal, pool = prepared.deal, prepared.pool
    horizon = deal.dates.horizon_months
    check_default_schedule(schedule, pool, horizon)
    if isinstance(assumptions.default, LifetimeDefault):
        raise FieldError("default_schedule", "a lifetime default rate with a timing curve "
                         "takes its defaults from the whole pool and cannot be combined with "
                         "a default schedule; give the other loans a flat `cdr_annual` (0 "
                         "for none)")
    loans = pool.loans
    where = pd.Series(np.arange(len(pool)), index=loans["loan_id"].astype(str))
    position = where.loc[list(schedule.loan_id)].to_numpy()
    month = np.zeros(len(pool), dtype=np.int64)
    month[position] = schedule.default_month
    given = np.full(len(pool), np.nan)
    given[position] = [np.nan if r is None else r for r in schedule.recovery_rate]
    # build_pool_model splits each PD group by the values of a column (the sector
    # factor's): a column whose value is the loan's (month, rate) makes the split.
    sector = assumptions.sector_column
    column = "industry" if sector is None else str(sector)
    base = loans[column].astype(str) if sector is not None else pd.Series("", index=loans.index)
    key: pd.Series = base + "\x1f" + np.where(month > 0, [f"{m}|{r!r}" for m, r in zip(month, given,
                                                                            strict=True)], "")
    if key.nunique() > MAX_SECTORS:
        raise FieldError("default_schedule", f"at most {MAX_SECTORS} distinct (default_month, "
                         f"recovery_rate) pairs (got {key.nunique() - 1:,})")
    model = build_pool_model(Pool(loans.assign(**{column: key}), pool.name),
                             deal.assumptions.default, horizon, _purchase_mask(deal, pool),
                             column)
    drivers = deterministic_defaults(model, assumptions.default, multiplier)
    assert isinstance(drivers, HazardDefaults)  # not a lifetime default (checked above)
    hazard = np.array(drivers.monthly[:1])
    rates = loan_recovery(model, assumptions.recovery)
    rates = (np.full((1, model.n_groups, horizon), assumptions.recovery.rate) if rates is None
             else np.array(rates))
    scheduled = np.flatnonzero(month > 0)
    groups, first = np.unique(model.loan_group[scheduled], return_index=True)
    loan = scheduled[first]
    hazard[0, groups, :] = 0.0
    hazard[0, groups, month[loan] - 1] = 1.0
    own = ~np.isnan(given[loan])
    rates[0, groups[own], :] = given[loan][own, None]
    return (replace(prepared, model=model), HazardDefaults(hazard), 1.0, rates)


def scenario_grid(
    prepared: PreparedDeal,
    cdr_annual: ArrayLike,
    recovery_rate: ArrayLike,
    *,
    cpr_annual: float | None = None,
    lag_months: int | None = None,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """Every (CDR, recovery) pair as one path of one engine run; a tidy table.

    Returns one row per scenario and class: cdr, recovery, class, loss_pv, principal_loss,
    wal_years, yield, dirr_bp, and the pool's lifetime default rate. With an ``executor``
    (:mod:`abs_tool.engine.executor`) the pairs run in units of :data:`GRID_UNIT_PATHS`
    paths; the engine treats every path on its own, so the table is the same.

    Raises
    ------
    FieldError
        A CDR or CPR outside [0, 1), a recovery rate outside [0, 1], a lag outside
        [0, :data:`~abs_tool.limits.MAX_HORIZON_MONTHS`].
    LimitError
        All the scenarios together need more memory or time than the budget.
    """
    cdr_values = np.atleast_1d(np.asarray(cdr_annual, dtype=np.float64))
    recovery_values = np.atleast_1d(np.asarray(recovery_rate, dtype=np.float64))
    check_rates("cdr_annual", cdr_values.tolist())
    check_rates("recovery_rate", recovery_values.tolist(), upper_open=False)
    if lag_months is not None:
        check_integer("lag_months", lag_months, 0, MAX_HORIZON_MONTHS)
    model, structure = prepared.model, prepared.deal.structure
    n = len(cdr_values) * len(recovery_values)
    check_cost(estimate(months=model.horizon_months, groups=model.n_groups,
                        classes=len(structure.classes), fees=len(structure.fees),
                        triggers=len(structure.triggers), paths=n, paths_in_flight=n),
               field="cdr_annual", value=f"{len(cdr_values):,} x {len(recovery_values):,}",
               what=f"a grid of {n:,} scenarios over {model.horizon_months} months (one "
                    "engine run)")
    cdr_grid, recovery_grid = np.meshgrid(cdr_values, recovery_values, indexing="ij")
    cdr, recovery = cdr_grid.ravel(), recovery_grid.ravel()
    prepayment = prepared.deal.assumptions.prepayment if cpr_annual is None else Cpr(
        (cpr_annual,))
    if executor is None:
        figures = _grid_unit((cdr, recovery), prepared, prepayment, lag_months)
    else:
        units = [(cdr[i:i + GRID_UNIT_PATHS], recovery[i:i + GRID_UNIT_PATHS])
                 for i in range(0, n, GRID_UNIT_PATHS)]
        shared = [executor.share(value) for value in (prepared, prepayment, lag_months)]
        parts = list(executor.map_ordered(_grid_unit, units, *shared))
        figures = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    rows = []
    for j, note in enumerate(prepared.deal.structure.classes):
        rows.append(pd.DataFrame({
            "cdr": cdr,
            "recovery": recovery,
            "class": note.name,
            "tier": note.tier.value,
            "loss_pv": figures["loss_pv"][:, j],
            "principal_loss": figures["principal_loss"][:, j],
            "wal_years": figures["wal_years"][:, j],
            "yield": figures["yield_annual"][:, j],
            "dirr_bp": figures["dirr_bp"][:, j],
            "pool_default_rate": figures["pool_default_rate"],
        }))
    return pd.concat(rows, ignore_index=True)


GRID_UNIT_PATHS = 256
"""Scenarios of a grid per work unit on an executor."""


_GRID_FIGURES = ("loss_pv", "principal_loss", "wal_years", "yield_annual", "dirr_bp")


def _grid_unit(pairs: tuple[Array, Array], prepared: PreparedDeal, prepayment: Cpr,
               lag_months: int | None) -> dict[str, Array]:
    """The class figures (paths, classes) of :func:`scenario_grid`'s table and the
    lifetime pool default rates (paths,) of (CDR, recovery) pairs, one path each (a work
    unit of :func:`scenario_grid`)."""
    cdr, recovery = pairs
    defaults = HazardDefaults(np.broadcast_to(
        mdr_from_cdr(cdr)[:, None, None], (len(cdr), 1, prepared.model.horizon_months)))
    result = run_paths(prepared, defaults, len(cdr), prepayment=prepayment,
                       recovery_rate=recovery, lag_months=lag_months)
    metrics = class_metrics(result, prepared.coupons)
    return {**{name: getattr(metrics, name) for name in _GRID_FIGURES},
            "pool_default_rate": result.pool.cumulative_default_rate[:, -1]}
