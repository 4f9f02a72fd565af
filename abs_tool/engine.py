"""Deal-level entry points: prepare a deal on its pool, run deterministic scenarios, find
break-even default rates, run scenario grids.

A deterministic scenario is the engine with one path; a grid or a break-even search runs
many deterministic scenarios at once as paths of one engine call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from .assumptions import Assumptions, CdrVector, Cpr, Recovery, check_rates
from .conventions import mdr_from_cdr
from .deal import Deal, Tier
from .eligibility import apply_eligibility
from .errors import FieldError
from .limits import MAX_HORIZON_MONTHS, check_cost, check_integer, estimate
from .metrics import ClassMetrics, class_metrics
from .pool import Pool
from .projection import (
    DefaultDriver,
    HazardDefaults,
    PoolModel,
    PoolState,
    build_pool_model,
    deterministic_defaults,
)
from .waterfall import WaterfallResult, run_waterfall

Array = NDArray[np.float64]

BREAK_EVEN_TOLERANCE = 1e-5
"""Break-even default rates are bracketed to within this (absolute, as a rate: 0.001%)."""

BREAK_EVEN_GRID = 33
"""Stress multipliers tried at once in each round of the break-even search."""

MAX_MULTIPLIER = 200.0
"""Largest stress multiplier tried: enough to default (nearly) the whole pool for PD >= 0.5%."""


@dataclass(frozen=True)
class PreparedDeal:
    """A deal bound to its pool: the grouped pool model and the class balances."""

    deal: Deal
    pool: Pool
    model: PoolModel
    class_balances: tuple[float, ...]

    @property
    def coupons(self) -> Array:
        return np.array([c.coupon_annual for c in self.deal.structure.classes])


def prepare_deal(deal: Deal, pool: Pool) -> PreparedDeal:
    """Group the pool, model the receivables bought while revolving, size the classes.

    Raises
    ------
    FieldError
        ``classes`` when class sizes do not add up to the pool balance.
    LimitError
        The pool's schedules need more memory or time than the budget
        (:func:`abs_tool.projection.build_pool_model`).
    """
    structure = deal.structure
    purchase_mask = None
    if structure.revolving and structure.revolving.months > 0:
        purchase_mask = np.ones(len(pool), dtype=bool)
        if structure.revolving.eligibility is not None:
            eligible = apply_eligibility(pool, structure.revolving.eligibility).pool
            purchase_mask = pool.loans["loan_id"].isin(eligible.loans["loan_id"]).to_numpy()
    sector = deal.assumptions.sector_column
    model = build_pool_model(pool, deal.assumptions.default, deal.dates.horizon_months,
                             purchase_mask, None if sector is None else str(sector))
    return PreparedDeal(deal, pool, model, structure.class_amounts(pool.balance))


def run_paths(
    prepared: PreparedDeal,
    defaults: DefaultDriver,
    n_paths: int,
    *,
    prepayment: Cpr | None = None,
    recovery_rate: ArrayLike | None = None,
    lag_months: int | None = None,
) -> WaterfallResult:
    """Run the pool and the waterfall for ``n_paths`` paths of default fractions.

    Prepayment, recovery rate and lag default to the deal's assumptions; ``recovery_rate``
    may differ by path (shape (paths,)).
    """
    assumptions = prepared.deal.assumptions
    cpr = prepayment or assumptions.prepayment
    state = PoolState.start(
        prepared.model,
        defaults,
        cpr.monthly(prepared.model.horizon_months),
        assumptions.recovery.rate if recovery_rate is None else recovery_rate,
        assumptions.recovery.lag_months if lag_months is None else lag_months,
        n_paths,
    )
    return run_waterfall(prepared.deal.structure, state, prepared.class_balances)


@dataclass(frozen=True)
class Scenario:
    """A deterministic scenario: the deal's assumptions with some of them replaced.

    ``cdr_annual`` replaces the default assumption by a flat CDR; ``default_multiplier``
    stresses whichever default assumption applies (PD, CDR or lifetime rate).
    """

    cdr_annual: float | None = None
    cpr_annual: float | None = None
    recovery_rate: float | None = None
    lag_months: int | None = None
    default_multiplier: float = 1.0

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

    def apply(self, assumptions: Assumptions) -> Assumptions:
        """The assumptions of this scenario (validated like any other)."""
        recovery = Recovery(
            assumptions.recovery.rate if self.recovery_rate is None else self.recovery_rate,
            assumptions.recovery.lag_months if self.lag_months is None else self.lag_months,
        )
        return replace(
            assumptions,
            default=(assumptions.default if self.cdr_annual is None
                     else CdrVector((self.cdr_annual,))),
            prepayment=(assumptions.prepayment if self.cpr_annual is None
                        else Cpr((self.cpr_annual,))),
            recovery=recovery,
        )


@dataclass(frozen=True)
class ScenarioResult:
    """One deterministic scenario: its assumptions, the engine output and class metrics."""

    assumptions: Assumptions
    result: WaterfallResult
    metrics: ClassMetrics


def run_scenario(prepared: PreparedDeal, scenario: Scenario | None = None) -> ScenarioResult:
    """Run one deterministic scenario (one path)."""
    scenario = scenario or Scenario()
    assumptions = scenario.apply(prepared.deal.assumptions)
    defaults = deterministic_defaults(prepared.model, assumptions.default,
                                      scenario.default_multiplier)
    result = run_paths(prepared, defaults, 1, prepayment=assumptions.prepayment,
                       recovery_rate=assumptions.recovery.rate,
                       lag_months=assumptions.recovery.lag_months)
    return ScenarioResult(assumptions, result, class_metrics(result, prepared.coupons))


def _stress_losses(prepared: PreparedDeal, multipliers: Array) -> tuple[Array, Array]:
    """Class PV losses (paths, classes) and lifetime default rates (paths,) per multiplier."""
    defaults = deterministic_defaults(prepared.model, prepared.deal.assumptions.default,
                                      multipliers)
    result = run_paths(prepared, defaults, len(multipliers))
    metrics = class_metrics(result, prepared.coupons)
    return metrics.loss_pv, result.pool.cumulative_default_rate[:, -1]


@dataclass(frozen=True)
class BreakEven:
    """Break-even default rate of one class under the deal's deterministic stress path.

    ``default_rate`` is the lifetime cumulative pool default rate at the smallest stress
    multiplier where the class loses (within :data:`BREAK_EVEN_TOLERANCE`); when the class
    does not lose even at :data:`MAX_MULTIPLIER`, ``loses`` is False and the rate shown is
    the one reached there (a lower bound).
    """

    class_name: str
    multiplier: float
    default_rate: float
    loses: bool


def break_even(prepared: PreparedDeal) -> tuple[BreakEven, ...]:
    """Break-even default rate (BDR) of every class, by bracketing the stress multiplier.

    Each round evaluates :data:`BREAK_EVEN_GRID` multipliers as paths of one engine run and
    keeps the bracket [last without loss, first with loss]; loss is monotone in the
    multiplier, so this cannot miss the root, whatever the shape of the loss curve.
    Rounds stop when the default rates at both ends are within the tolerance.
    """
    classes = prepared.deal.structure.classes
    out = []
    for j, note in enumerate(classes):
        low, high = 0.0, MAX_MULTIPLIER
        rate_low = rate_high = np.nan
        loses = True
        for _ in range(20):
            grid = np.linspace(low, high, BREAK_EVEN_GRID)
            losses, rates = _stress_losses(prepared, grid)
            hit = losses[:, j] > 1e-9
            if not hit.any():
                loses = False
                low, rate_low = high, rates[-1]
                break
            first = int(np.argmax(hit))
            if first == 0:
                low = high = grid[0]
                rate_low = rate_high = rates[0]
                break
            low, high = grid[first - 1], grid[first]
            rate_low, rate_high = rates[first - 1], rates[first]
            if rate_high - rate_low <= BREAK_EVEN_TOLERANCE:
                break
        shown = rate_high if loses else rate_low
        out.append(BreakEven(note.name, high if loses else low, float(shown), loses))
    return tuple(out)


def scenario_grid(
    prepared: PreparedDeal,
    cdr_annual: ArrayLike,
    recovery_rate: ArrayLike,
    *,
    cpr_annual: float | None = None,
    lag_months: int | None = None,
) -> pd.DataFrame:
    """Every (CDR, recovery) pair as one path of one engine run; a tidy table.

    Returns one row per scenario and class: cdr, recovery, class, loss_pv, principal_loss,
    wal_years, yield, dirr_bp, and the pool's lifetime default rate.

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
    cdr, recovery = np.meshgrid(cdr_values, recovery_values, indexing="ij")
    cdr, recovery = cdr.ravel(), recovery.ravel()
    defaults = HazardDefaults(np.broadcast_to(
        mdr_from_cdr(cdr)[:, None, None], (len(cdr), 1, prepared.model.horizon_months)))
    assumptions = prepared.deal.assumptions
    result = run_paths(
        prepared, defaults, len(cdr),
        prepayment=assumptions.prepayment if cpr_annual is None else Cpr((cpr_annual,)),
        recovery_rate=recovery,
        lag_months=lag_months,
    )
    metrics = class_metrics(result, prepared.coupons)
    rows = []
    for j, note in enumerate(prepared.deal.structure.classes):
        rows.append(pd.DataFrame({
            "cdr": cdr,
            "recovery": recovery,
            "class": note.name,
            "tier": note.tier.value,
            "loss_pv": metrics.loss_pv[:, j],
            "principal_loss": metrics.principal_loss[:, j],
            "wal_years": metrics.wal_years[:, j],
            "yield": metrics.yield_annual[:, j],
            "dirr_bp": metrics.dirr_bp[:, j],
            "pool_default_rate": result.pool.cumulative_default_rate[:, -1],
        }))
    return pd.concat(rows, ignore_index=True)


__all__ = [
    "BreakEven",
    "CostOfFunds",
    "IssuerFlows",
    "PreparedDeal",
    "Scenario",
    "ScenarioResult",
    "break_even",
    "cost_of_funds",
    "issuer_flows",
    "prepare_deal",
    "run_paths",
    "run_scenario",
    "scenario_grid",
]


@dataclass(frozen=True)
class IssuerFlows:
    """The issuer's flows on the placed classes (all but the subordinated one, which the
    originator keeps) in the base scenario, split into what scales with the deal size and
    what does not, so the all-in cost of a larger or smaller deal of the same pool mix is
    one solve (:meth:`all_in`).

    At closing the issuer receives ``proceeds`` less the upfront fees; each month it pays the
    placed classes' coupons and principal and the running fees.
    """

    proceeds: float
    upfront_scaled: float  # shares of the placed balance (underwriting)
    upfront_fixed: float  # rating, legal, set-up
    paid_scaled: Array  # (periods,) coupons, principal, fees on the pool balance
    paid_fixed: Array  # (periods,) fixed running fees

    def all_in(self, scale: ArrayLike = 1.0) -> Array:
        """All-in cost (nominal annual, compounded monthly like the coupons) of the deal
        scaled by ``scale`` (1 = this deal); -12 (-100% a month) when nothing is paid, NaN
        where the upfront fees take all the proceeds."""
        from .metrics import solve_log_discount

        s = np.atleast_1d(np.asarray(scale, dtype=np.float64))
        price = s * (self.proceeds - self.upfront_scaled) - self.upfront_fixed
        funded = price > 0
        cash = s[:, None] * self.paid_scaled[None, :] + self.paid_fixed[None, :]
        u = solve_log_discount(cash[funded], price[funded])
        out = np.full(len(s), np.nan)
        out[funded] = np.where(np.isfinite(u), 12.0 * np.expm1(-u), -12.0)
        return out

    @property
    def smallest_scale(self) -> float:
        """The scale below which the upfront fees take all the proceeds."""
        return self.upfront_fixed / max(self.proceeds - self.upfront_scaled, 1e-300)


def issuer_flows(prepared: PreparedDeal, base: ScenarioResult) -> IssuerFlows:
    """:class:`IssuerFlows` of a base-scenario run of ``prepared``."""
    structure = prepared.deal.structure
    placed = np.array([c.tier != Tier.SUBORDINATED for c in structure.classes])
    proceeds = float(np.asarray(prepared.class_balances)[placed].sum())
    flows = base.result.classes
    notes = (flows.interest_paid[0] + flows.principal_paid[0])[placed].sum(axis=0)
    fees = base.result.fees_paid[0]  # (fees, periods)
    # Each fee's payments are split between its fixed and its pool-balance part in the
    # proportion of what was due over the deal's life (unpaid fees carry, so a month's
    # payment can settle earlier months' dues).
    live = np.arange(1, fees.shape[1] + 1) <= base.result.end_month[0]
    fixed_due = np.array([f.fixed_annual for f in structure.fees])[:, None] / 12.0 * live
    rate_due = (np.array([f.rate_annual for f in structure.fees])[:, None] / 12.0
                * base.result.pool.balance_open[0][None, :] * live)
    total_due = (fixed_due + rate_due).sum(axis=1)
    fixed_share = np.divide(fixed_due.sum(axis=1), total_due, out=np.zeros(len(total_due)),
                            where=total_due > 0)
    fees_fixed = (fees * fixed_share[:, None]).sum(axis=0)
    upfront = structure.upfront_fees
    return IssuerFlows(
        proceeds=proceeds,
        upfront_scaled=sum(f.share_of_placed * proceeds for f in upfront),
        upfront_fixed=sum(f.fixed for f in upfront),
        paid_scaled=notes + fees.sum(axis=0) - fees_fixed,
        paid_fixed=fees_fixed,
    )


@dataclass(frozen=True)
class CostOfFunds:
    """What the placed classes cost the issuer in the deal's base scenario.

    ``wa_coupon`` weights each placed class's coupon by balance x WAL; ``all_in`` is the
    yield (nominal annual, monthly compounding) of the issuer's flows (:class:`IssuerFlows`):
    the placed notes' proceeds less ``upfront_fees`` at closing, against the coupons,
    principal and running fees it pays; ``saving_bp`` is the benchmark funding rate minus the
    all-in cost, in basis points. ``excess_spread_annual`` is what the pool earns (interest
    and fees from borrowers) less running fees and the placed classes' interest, over the
    pool balance, a year.
    """

    wa_coupon: float
    all_in: float
    benchmark: float
    saving_bp: float
    upfront_fees: float
    excess_spread_annual: float


def cost_of_funds(prepared: PreparedDeal, base: ScenarioResult | None = None,
                  issuer: IssuerFlows | None = None) -> CostOfFunds:
    """Cost of funds in the base scenario (``base`` is run when not given; ``issuer``, the
    issuer's flows of ``base``, are worked out when not given)."""
    base = base or run_scenario(prepared)
    structure = prepared.deal.structure
    placed = np.array([c.tier != Tier.SUBORDINATED for c in structure.classes])
    balances = np.asarray(prepared.class_balances)
    wal = np.nan_to_num(base.metrics.wal_years[0])
    weights = balances * wal * placed
    wa_coupon = float(weights @ prepared.coupons / weights.sum()) if weights.sum() else 0.0
    issuer = issuer or issuer_flows(prepared, base)
    all_in = float(issuer.all_in()[0])
    if math.isnan(all_in):
        raise FieldError("structure.upfront_fees",
                         "the upfront fees take all the proceeds of the placed notes")
    pool = base.result.pool
    earned = (pool.interest[0] + pool.fee_income[0] - base.result.fees_paid[0].sum(axis=0)
              - base.result.classes.interest_paid[0][placed].sum(axis=0))
    pool_years = pool.balance_open[0].sum() / 12.0
    excess = float(earned.sum() / pool_years) if pool_years > 0 else 0.0
    benchmark = prepared.deal.benchmark_rate_annual
    return CostOfFunds(wa_coupon, all_in, benchmark, (benchmark - all_in) * 1e4,
                       issuer.upfront_scaled + issuer.upfront_fixed, excess)
