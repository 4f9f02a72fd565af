"""Default curves: the one place where a default assumption becomes numbers by month.

:func:`default_curves` turns a :data:`~abs_tool.model.assumptions.DefaultAssumption` and a
stress multiplier into, per group and month,

- ``cumulative``: the unconditional probability F_g(t) that a loan of group g has defaulted
  by the end of month t, and
- ``hazard``: the monthly default rate h_g(t), the share of the balance still performing at
  the start of month t that defaults in it, so that ``1 - F_g(t) = prod_{s <= t} (1 - h_g(s))``.

The variants (DOMAIN.md):

- :class:`~abs_tool.model.assumptions.AnnualPd`: a constant hazard per group,
  ``1 - h = (1 - p)^(1/12)`` and ``F(t) = 1 - (1 - p)^(t / 12)`` with ``p`` the group's
  annual PD times the assumption's and the scenario's multipliers, capped at
  :data:`~abs_tool.model.pool_model.PD_CAP`;
- :class:`~abs_tool.model.assumptions.CdrVector`: the annual CDR of each month times the
  multiplier, capped at ``PD_CAP``, as a monthly rate ``1 - (1 - CDR)^(1/12)``; F compounds it;
- :class:`~abs_tool.model.assumptions.LifetimeDefault`: ``share_of_base(t) = multiplier x
  cumulative_rate x timing[t]``, the month's default *amount* as a share of the pool;
  ``F(t) = min(sum_{s <= t} share_of_base(s), 1)`` and h follows from F.

How each engine reads a lifetime default, and why they differ:

- The Monte Carlo (:mod:`abs_tool.credit.copula`) needs each loan's distribution of time to
  default, and takes it to be F: a loan defaults by month t when its latent variable falls
  below Phi^-1(F(t)). Defaults then remove a fraction of the *surviving* balance, so loans
  that amortise or prepay first never default, and on an amortising or prepaying pool the
  lifetime defaulted amount falls short of ``cumulative_rate`` times the initial balance.
- The deterministic engine (:func:`abs_tool.engine.projection.deterministic_defaults`)
  defaults ``share_of_base`` times the *initial balance plus the receivables bought so far*,
  capped by the performing balance: the lifetime rate is a share of the original pool (how
  static-pool data and a structurer's stress are quoted), and a break-even rate must mean
  that share whatever the amortisation.

Both read the same curve, and on a pool that neither amortises nor prepays within the
horizon the deterministic path is the Monte Carlo's mean (tests/test_curves.py checks it).
Giving the deterministic engine the hazard instead would change every deterministic number
of an amortising pool under a lifetime default (and the break-even rates), so it keeps
``share_of_base``. A lifetime default's ``hazard`` is the rule the copula applies to each
path's conditional curve (:func:`abs_tool.credit.copula.default_fractions`), here on the
unconditional one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from abs_tool.errors import AssumptionError
from abs_tool.model.assumptions import (
    AnnualPd,
    CdrVector,
    DefaultAssumption,
    LifetimeDefault,
    monthly_vector,
)
from abs_tool.model.conventions import MONTHS_PER_YEAR, mdr_from_cdr
from abs_tool.model.pool_model import PD_CAP, PoolModel
from abs_tool.types import Array, GroupsByPeriods


@dataclass(frozen=True)
class DefaultCurves:
    """The curves of one default assumption under one or more stress multipliers.

    ``cumulative`` and ``hazard`` are shaped (scenarios, groups, periods), one scenario per
    multiplier, and are fractions (of a loan's probability, of the performing balance);
    either may be a read-only broadcast view. ``share_of_base`` is shaped (scenarios,
    periods) for a :class:`~abs_tool.model.assumptions.LifetimeDefault` (the month's default
    amount as a share of the initial balance plus purchases; see the module docstring), and
    None otherwise.
    """

    cumulative: Array
    hazard: Array
    share_of_base: Array | None = None


def default_curves(
    model: PoolModel, default: DefaultAssumption, multiplier: ArrayLike = 1.0
) -> DefaultCurves:
    """The curves of ``default`` on ``model``'s groups and horizon, one scenario per multiplier.

    Parameters
    ----------
    model
        The pool model: its groups' annual PDs (for :class:`AnnualPd`), number of groups and
        horizon (periods, months).
    default
        The default assumption.
    multiplier
        Scalar or shape (scenarios,), >= 0: scales annual PDs and CDRs (each capped at
        :data:`~abs_tool.model.pool_model.PD_CAP`) or the lifetime default rate (its
        cumulative curve capped at 1).

    Returns
    -------
    DefaultCurves
        Arrays shaped (scenarios, groups, periods), and (scenarios, periods) for
        ``share_of_base``.
    """
    periods, groups = model.horizon_months, model.n_groups
    m = np.atleast_1d(np.asarray(multiplier, dtype=np.float64))[:, None, None]
    shape = (m.shape[0], groups, periods)
    if isinstance(default, AnnualPd):
        pd_annual = np.minimum(model.annual_pd[None, :, None] * default.multiplier * m, PD_CAP)
        log_survival = np.log1p(-pd_annual)  # (scenarios, groups, 1): ln(1 - p) per year
        months = np.arange(1, periods + 1)
        # Each from its closed form rather than one from the other: F(t) is then exact at
        # every t, not the product of t rounded monthly factors.
        cumulative = -np.expm1(log_survival * months / MONTHS_PER_YEAR)
        hazard = np.broadcast_to(-np.expm1(log_survival / MONTHS_PER_YEAR), shape)
        return DefaultCurves(cumulative, hazard)
    if isinstance(default, CdrVector):
        cdr = np.minimum(monthly_vector(default.annual, periods)[None, None, :] * m, PD_CAP)
        mdr = mdr_from_cdr(cdr)  # (scenarios, 1, periods)
        cumulative = -np.expm1(np.cumsum(np.log1p(-mdr), axis=-1))
        return DefaultCurves(np.broadcast_to(cumulative, shape), np.broadcast_to(mdr, shape))
    if isinstance(default, LifetimeDefault):
        share = default.amounts_share(periods)[None, :] * m[:, :, 0]  # (scenarios, periods)
        # A multiplier, or timing shares that sum to 1 only within TIMING_TOLERANCE, can
        # take the sum past certainty.
        cumulative = np.minimum(np.cumsum(share, axis=-1), 1.0)
        return DefaultCurves(np.broadcast_to(cumulative[:, None, :], shape),
                             np.broadcast_to(_hazard(cumulative)[:, None, :], shape), share)
    raise AssumptionError(  # pragma: no cover - Assumptions validates the variant
        f"unknown default assumption {default!r}: give an AnnualPd, a CdrVector or a "
        "LifetimeDefault")


def _hazard(cumulative: Array) -> Array:
    """Monthly default rate of the survivors, (F(t) - F(t-1)) / (1 - F(t-1)), of a cumulative
    curve shaped (..., periods); 0 once nothing survives."""
    before = np.zeros_like(cumulative)
    before[..., 1:] = cumulative[..., :-1]
    survivors = 1.0 - before
    rate: Array = np.divide(cumulative - before, survivors, out=np.zeros_like(cumulative),
                            where=survivors > 0)
    return rate


def cumulative_default_probability(
    model: PoolModel, default: DefaultAssumption
) -> GroupsByPeriods:
    """Unconditional F_g(t) of ``default`` without a stress multiplier, (groups, periods):
    the probability that a loan of group g has defaulted by month t."""
    curve: GroupsByPeriods = default_curves(model, default).cumulative[0]
    return curve
