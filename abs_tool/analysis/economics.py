"""The issuer's economics: flows to and from the issuer in the base scenario and the all-in
cost of funds (coupons, fees, discount), as an annual rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from abs_tool.engine.deterministic import PreparedDeal, ScenarioResult, run_scenario
from abs_tool.engine.waterfall import coupon_rates
from abs_tool.errors import FieldError
from abs_tool.model.deal import Tier
from abs_tool.types import Array


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
        from abs_tool.engine.metrics import solve_log_discount

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

    ``wa_coupon`` weights each placed class's coupon by balance x WAL (a floating class's
    coupon: its all-in rate on the base scenario's benchmark path averaged over months 1 to
    12 x WAL rounded up); ``all_in`` is the
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
    coupons = np.array(prepared.coupons, dtype=np.float64)
    floats = [j for j, c in enumerate(structure.classes) if c.floating is not None]
    if floats:  # a floating class's coupon: its all-in rate on the path over its WAL
        horizon = prepared.model.horizon_months
        path = base.assumptions.benchmark.monthly(horizon)
        rates = coupon_rates(structure.classes, path, horizon)
        for j in floats:
            months = max(1, math.ceil(12 * wal[j] - 1e-9))
            coupons[j] = float(rates[j, :months].mean())
    wa_coupon = float(weights @ coupons / weights.sum()) if weights.sum() else 0.0
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
