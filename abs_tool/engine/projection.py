"""Pool projection: collections per (path, period) under defaults, prepayments and recoveries.

Loans are gathered into *groups* that share a default hazard
(:mod:`abs_tool.model.pool_model`). A group's scheduled flows are the sums
of its loans' schedules (:mod:`abs_tool.model.amortization`); since defaults and prepayments act on
surviving balances in proportion, the flows of the survivors are those sums scaled by the
group's survival factor. Cost grows with paths x groups x periods, never with loans.

Order of events in month t, for each group, from the opening performing balance ``A``:

1. defaults: ``D = d_t * A`` (the defaulted loans pay nothing in month t);
2. the survivors pay scheduled interest, fee and principal;
3. prepayments: ``SMM_t`` of the balance left after the scheduled principal;
4. recoveries ``rate * D`` arrive ``lag`` months after the default;
5. during a revolving period, new receivables are bought at the end of the month.

New receivables are "like the pool's": they follow the scheduled profile (per unit of
balance) of the receivables eligible for purchase, split over groups as those are.

Recovery rates. Without loan-level rates, every default of a path recovers the path's
rate (the deal's ``recovery.rate``, or a Monte Carlo path's Beta draw R). With them
(``recovery.from_tape`` and a tape that gives ``lgd``: :func:`loan_recovery`), a group's
defaults of month t recover its rate ``r_g(t)``: the scheduled-balance-weighted mean of its
loans' ``1 - lgd`` (the deal's rate for loans without one,
:func:`~abs_tool.model.pool_model.group_recovery_rates`), or in the Monte Carlo's exact
mode the balance-weighted mean over the receivables that default then
(:mod:`abs_tool.credit.copula`). Receivables bought while revolving recover their group's
rate. A random recovery scales them: the path recovers ``min(r_g(t) R / m, 1)``, with m the
deal's ``recovery.rate``, the Beta law's mean. Scaling keeps each loan's rate on average
(E[R / m] = 1) and keeps the ranking of loans the tape gives, and the cap only acts on the
paths and groups where the scaled rate would pass 100%; it is applied to the group's (or
the month's defaulting receivables') rate, not loan by loan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from abs_tool.credit.curves import default_curves
from abs_tool.model.assumptions import DefaultAssumption, Recovery
from abs_tool.model.pool_model import PoolModel, Profile, group_recovery_rates
from abs_tool.types import Array, PathsByPeriods, kernel_array


@dataclass(frozen=True)
class HazardDefaults:
    """Default fractions of each group's opening performing balance, given in advance:
    shape (paths or 1, groups, periods)."""

    monthly: Array


@dataclass(frozen=True)
class AmountDefaults:
    """Default amounts as shares of the base (initial pool balance plus receivables bought
    so far) by month (lifetime default + timing curve), shaped (paths or 1, periods), taken
    from every group in proportion to its performing balance and capped by it."""

    share_of_base: PathsByPeriods


DefaultDriver = HazardDefaults | AmountDefaults
"""How defaults are given to the engine."""


def deterministic_defaults(
    model: PoolModel, default: DefaultAssumption, multiplier: ArrayLike = 1.0
) -> DefaultDriver:
    """The default driver of deterministic scenarios, one path per stress multiplier.

    The hazard of :func:`abs_tool.credit.curves.default_curves`, or, for a lifetime
    default, its default amounts as shares of the base (why: that module's docstring).

    Parameters
    ----------
    model
        The pool model (groups, horizon in months).
    default
        The default assumption.
    multiplier
        Scalar or shape (paths,), >= 0: scales annual PDs or CDRs (capped at
        :data:`~abs_tool.model.pool_model.PD_CAP`), or the lifetime cumulative default rate.

    Returns
    -------
    DefaultDriver
        :class:`HazardDefaults` shaped (paths, groups, periods), or :class:`AmountDefaults`
        shaped (paths, periods).
    """
    curves = default_curves(model, default, multiplier)
    if curves.share_of_base is not None:
        return AmountDefaults(curves.share_of_base)
    return HazardDefaults(curves.hazard)


def loan_recovery(model: PoolModel, recovery: Recovery) -> Array | None:
    """Each group's recovery rate by month from the loans' tape LGDs, (1, groups, periods),
    or None when ``recovery.rate`` applies to every default: ``from_tape`` is off, or no
    loan of the tape gives an ``lgd``."""
    if not recovery.from_tape or model.lgd_share == 0:
        return None
    return group_recovery_rates(model, recovery.rate)[None]


_FLOWS = ("interest", "principal", "fee", "balance_end")


def _stacked(profile: Profile, periods: int) -> Array:
    """(periods, groups, 4) scheduled interest, principal, fee, closing balance by month."""
    return kernel_array(np.stack([getattr(profile, name).T[:periods] for name in _FLOWS],
                                  axis=-1))


def _rows(name: str, value: ArrayLike, shape: tuple[int, ...], n_paths: int) -> Array:
    """``value`` as the kernel reads it (unchecked): 1 or ``n_paths`` rows, then ``shape``
    (axes of 1 are broadcast; the last axis, periods, may be longer)."""
    a = np.asarray(value, dtype=np.float64)
    fits = (a.ndim == 1 + len(shape) and a.shape[0] in (1, n_paths)
            and all(n in (1, want) for n, want in zip(a.shape[1:-1], shape[:-1], strict=True))
            and a.shape[-1] >= shape[-1])
    if not fits:
        axes = "".join(f"1 or {n}, " for n in shape[:-1])
        raise ValueError(f"`{name}` must be shaped (1 or {n_paths}, {axes}>= {shape[-1]}) "
                         f"for this pool and number of paths (got {a.shape})")
    if a.shape[1:-1] != shape[:-1]:
        a = np.broadcast_to(a, (a.shape[0], *shape[:-1], a.shape[-1]))
    return kernel_array(a)


@dataclass(frozen=True)
class PoolState:
    """The asset side of one engine run, as the kernel (:mod:`abs_tool.engine.kernel`) reads it.

    The pool is a set of cohorts that share their group's default and prepayment rates: the
    initial pool, and one cohort per month of purchases. A cohort's scheduled flows are its
    profile times a *weight* per group: the share of it still performing, times the amount
    bought for a purchase. Defaults and prepayments multiply every weight; nothing scales
    with loans, and no factor is ever divided by. The kernel keeps these weights per path.
    Build it with :meth:`start`, which checks the shapes.
    """

    model: PoolModel
    n_paths: int
    hazard: Array  # (1 or paths, groups, periods); no rows with AmountDefaults
    amount_share: Array  # (1 or paths, periods); no rows with HazardDefaults
    smm: Array  # (periods,)
    recovery_rate: Array  # (paths,); the scale R / m of loan_recovery with loan_level
    loan_recovery: Array  # (1 or paths, groups, periods); ones without loan_level
    loan_level: bool
    lag_months: int
    initial_flows: Array  # (periods, groups, 4), see _stacked
    initial_balance: Array  # (groups,)
    purchase_flows: Array  # (periods, groups, 4) per unit bought; no rows without purchases
    purchase_balance: Array  # (groups,) per unit bought; zeros without purchases

    @classmethod
    def start(
        cls,
        model: PoolModel,
        defaults: DefaultDriver,
        smm: Array,
        recovery_rate: ArrayLike,
        lag_months: int,
        n_paths: int,
        loan_recovery: ArrayLike | None = None,
    ) -> PoolState:
        """The inputs of ``n_paths`` paths; ``recovery_rate`` is a scalar or (paths,): the
        recovery rate of every default, or with ``loan_recovery`` (1 or paths, groups,
        periods), the groups' recovery rates by month, the factor that scales those
        (capped at 1; module docstring).

        Raises
        ------
        ValueError
            When an array's shape does not fit the pool and the number of paths.
        """
        periods, groups = model.horizon_months, model.n_groups
        hazard, amount = np.zeros((0, groups, periods)), np.zeros((0, periods))
        if isinstance(defaults, HazardDefaults):
            hazard = _rows("HazardDefaults.monthly", defaults.monthly, (groups, periods),
                           n_paths)
        else:
            amount = _rows("AmountDefaults.share_of_base", defaults.share_of_base,
                           (periods,), n_paths)
        smm = kernel_array(smm)
        if smm.ndim != 1 or len(smm) < periods:
            raise ValueError(f"`smm` must be shaped ({periods},) (got {smm.shape})")
        purchase = model.purchase
        loan_level = loan_recovery is not None
        # Ones without loan-level rates: the kernel then multiplies each default by 1, which
        # leaves every number as it was before loan-level rates existed.
        by_group = (_rows("loan_recovery", loan_recovery, (groups, periods), n_paths)
                    if loan_recovery is not None else np.ones((1, groups, periods)))
        return cls(
            model=model,
            n_paths=n_paths,
            hazard=hazard,
            amount_share=amount,
            smm=smm,
            recovery_rate=kernel_array(np.broadcast_to(
                np.asarray(recovery_rate, dtype=np.float64), (n_paths,))),
            loan_recovery=by_group,
            loan_level=loan_level,
            lag_months=int(lag_months),
            initial_flows=_stacked(model.initial, periods),
            initial_balance=kernel_array(model.initial.balance),
            purchase_flows=(np.zeros((0, groups, 4)) if purchase is None
                            else _stacked(purchase, periods)),
            purchase_balance=(np.zeros(groups) if purchase is None
                              else kernel_array(purchase.balance)),
        )
