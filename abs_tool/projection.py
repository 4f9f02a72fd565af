"""Pool projection: collections per (path, period) under defaults, prepayments and recoveries.

Loans are gathered into *groups* that share a default hazard (one group per distinct annual
PD, or quantile buckets of PD when there are many). A group's scheduled flows are the sums
of its loans' schedules (:mod:`abs_tool.amortization`); since defaults and prepayments act on
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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .amortization import amortization_index, scheduled_flows
from .assumptions import AnnualPd, CdrVector, DefaultAssumption, LifetimeDefault, monthly_vector
from .conventions import mdr_from_cdr
from .errors import AssumptionError, LimitError
from .kernel import kernel_array
from .limits import MAX_SECTORS, check_cost, estimate
from .pool import Pool

MAX_GROUPS = 24
"""More distinct PDs than this are bucketed into this many PD quantile groups."""

PD_CAP = 0.9999
"""Annual PDs scaled by a stress multiplier are capped here (a hazard must stay finite)."""

Array = NDArray[np.float64]


def loan_annual_pd(pool: Pool, assumption: AnnualPd) -> Array:
    """Each loan's annual PD before any multiplier: grade table first, then the tape.

    Raises
    ------
    AssumptionError
        When some loans have neither a grade in the table nor a tape PD.
    """
    loans = pool.loans
    table = assumption.grade_table
    from_table = loans["grade"].map(table).to_numpy(dtype=np.float64, na_value=np.nan)
    pd_values = np.where(np.isnan(from_table), loans["annual_pd"].to_numpy(), from_table)
    missing = np.isnan(pd_values)
    if missing.any():
        grades = sorted(set(loans.loc[missing, "grade"]))
        raise AssumptionError(
            f"{int(missing.sum())} loan(s) have no annual PD: the tape has no `annual_pd` "
            f"for them and their grade(s) {grades[:10]} are not in the PD-by-grade table; "
            "add the grades to the table or use a CDR / lifetime default assumption"
        )
    return pd_values


def _group_index(pd_values: Array, balance: Array) -> tuple[NDArray[np.int64], Array]:
    """Group of each loan and the balance-weighted annual PD of each group."""
    unique, index = np.unique(pd_values, return_inverse=True)
    if len(unique) > MAX_GROUPS:
        order = np.argsort(pd_values, kind="stable")
        cumulative = np.cumsum(balance[order]) / balance.sum()
        bucket = np.minimum((cumulative * MAX_GROUPS).astype(np.int64), MAX_GROUPS - 1)
        index = np.empty_like(bucket)
        index[order] = bucket
        _, index = np.unique(index, return_inverse=True)
    weights = np.bincount(index, weights=balance)
    group_pd = np.bincount(index, weights=balance * pd_values) / weights
    return index.astype(np.int64), group_pd


def _group_sums(values: Array, index: NDArray[np.int64], n_groups: int) -> Array:
    """Sum the rows of a (loans, periods) array by group -> (groups, periods)."""
    order = np.argsort(index, kind="stable")
    sorted_index = index[order]
    starts = np.flatnonzero(np.r_[True, sorted_index[1:] != sorted_index[:-1]])
    out = np.zeros((n_groups, values.shape[1]))
    out[sorted_index[starts]] = np.add.reduceat(values[order], starts, axis=0)
    return out


@dataclass(frozen=True)
class Profile:
    """Scheduled flows of a set of loans summed by group: (groups,) and (groups, periods)."""

    balance: Array
    interest: Array
    principal: Array
    fee: Array
    balance_end: Array



@dataclass(frozen=True)
class PoolModel:
    """What the projection needs to know of a pool, by group.

    ``initial`` is the pool at the cut-off; ``purchase`` is the profile of one unit of newly
    bought receivables (balance sums to 1 over groups), or None when nothing may be bought.
    ``annual_pd`` is each group's balance-weighted annual PD (NaN without PDs);
    ``loan_count`` and ``effective_count`` (1/HHI of balances) measure granularity;
    ``group_sector`` indexes ``sector_names`` (one unnamed sector without a sector factor).
    """

    horizon_months: int
    initial: Profile
    purchase: Profile | None
    annual_pd: Array
    loan_count: NDArray[np.int64]
    effective_count: Array
    group_sector: NDArray[np.int64]
    sector_names: tuple[str, ...]

    @property
    def n_groups(self) -> int:
        return len(self.initial.balance)

    @property
    def balance(self) -> float:
        return float(self.initial.balance.sum())


def build_pool_model(
    pool: Pool,
    default: DefaultAssumption,
    horizon_months: int,
    purchase_mask: NDArray[np.bool_] | None = None,
    sector_column: str | None = None,
) -> PoolModel:
    """Group the loans and sum their schedules.

    Parameters
    ----------
    pool
        The pool at the cut-off.
    default
        Groups follow the loans' PDs under :class:`AnnualPd`; otherwise one group.
    horizon_months
        Months projected (cut-off to legal final). Flows after it are not collected.
    purchase_mask
        Shape (loans,): loans whose kind new receivables resemble during a revolving period;
        None means nothing is bought.
    sector_column
        Split each PD group further by the values of this column (the sector factor).

    Raises
    ------
    LimitError
        ``assumptions.sector_column`` with more than :data:`~abs_tool.limits.MAX_SECTORS`
        distinct values; ``pool`` when the schedules would need more memory or time than
        the budget (:func:`abs_tool.limits.check_cost`).
    AssumptionError
        Loans without a PD under :class:`AnnualPd`; no loan eligible for purchase.
    """
    loans = pool.loans
    balance = loans["balance"].to_numpy(dtype=np.float64)
    if isinstance(default, AnnualPd):
        index, group_pd = _group_index(loan_annual_pd(pool, default), balance)
    elif isinstance(default, CdrVector | LifetimeDefault):
        index, group_pd = np.zeros(len(balance), dtype=np.int64), np.array([np.nan])
    else:  # pragma: no cover - Assumptions validates the variant
        raise AssumptionError(f"unknown default assumption {default!r}")
    sector_names: tuple[str, ...] = ("",)
    group_sector = np.zeros(len(group_pd), dtype=np.int64)
    if sector_column is not None:
        names, sector = np.unique(loans[sector_column].to_numpy(dtype=str), return_inverse=True)
        if len(names) > MAX_SECTORS:
            raise LimitError("assumptions.sector_column", f"the pool has {len(names):,} "
                             f"distinct `{sector_column}` values, over the limit of "
                             f"{MAX_SECTORS} sectors (got {str(sector_column)!r})")
        keys, index = np.unique(index * len(names) + sector, return_inverse=True)
        group_pd = group_pd[keys // len(names)]  # a PD bucket's PD for each of its sectors
        group_sector = keys % len(names)
        sector_names = tuple(str(n) for n in names)
    n_groups = len(group_pd)
    # Every flow is zero after a loan's last month, so the schedules stop at the longest
    # term and the group sums are padded with zeros: a legal final long after the pool's
    # maturity costs (groups, months), not (loans, months).
    schedule_months = min(horizon_months, int(loans["remaining_term"].max()))
    check_cost(estimate(months=horizon_months, loans=len(loans), schedule_months=schedule_months,
                        groups=n_groups), field="pool", value=f"{len(loans):,} loans",
               what=f"the payment schedules of {len(loans):,} loans over {schedule_months} "
                    f"months in {n_groups:,} groups")
    schedule = scheduled_flows(
        balance,
        loans["rate"].to_numpy(),
        loans["remaining_term"].to_numpy(),
        amortization_index(loans["amortization"].to_numpy()),
        loans["original_balance"].to_numpy(),
        schedule_months,
    )

    def profile(mask: NDArray[np.bool_] | None, unit: bool) -> Profile:
        m = slice(None) if mask is None else mask
        sums = []
        for a in (schedule.interest, schedule.principal, schedule.fee, schedule.balance):
            padded = np.zeros((n_groups, horizon_months))
            padded[:, :schedule_months] = _group_sums(a[m], index[m], n_groups)
            sums.append(padded)
        bal = np.bincount(index[m], weights=balance[m], minlength=n_groups)
        scale = 1.0 / bal.sum() if unit else 1.0
        arrays = [bal * scale, *(s * scale for s in sums)]
        for a in arrays:  # engines share a model: it must never change under them
            a.flags.writeable = False
        return Profile(*arrays)

    purchase = None
    if purchase_mask is not None:
        if not np.any(purchase_mask):
            raise AssumptionError(
                "no loan of the pool meets the revolving-period eligibility criteria, so the "
                "receivables to be bought cannot be modelled"
            )
        purchase = profile(np.asarray(purchase_mask, dtype=bool), unit=True)
    counts = np.bincount(index, minlength=n_groups)
    # 1/HHI from balances relative to the group's largest, so that no square overflows or
    # vanishes whatever the unit: balances of 1e200 would give inf / inf.
    largest = np.zeros(n_groups)
    np.maximum.at(largest, index, balance)
    relative = balance / largest[index]
    effective = (np.bincount(index, weights=relative, minlength=n_groups) ** 2
                 / np.bincount(index, weights=relative**2, minlength=n_groups))
    return PoolModel(
        horizon_months=horizon_months,
        initial=profile(None, unit=False),
        purchase=purchase,
        annual_pd=group_pd,
        loan_count=counts,
        effective_count=effective,
        group_sector=group_sector,
        sector_names=sector_names,
    )


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

    share_of_base: Array


DefaultDriver = HazardDefaults | AmountDefaults
"""How defaults are given to the engine."""


def deterministic_defaults(
    model: PoolModel, default: DefaultAssumption, multiplier: ArrayLike = 1.0
) -> DefaultDriver:
    """The default driver of deterministic scenarios, one path per stress multiplier.

    ``multiplier`` (scalar or (paths,)) scales annual PDs or CDRs (capped at
    :data:`PD_CAP`), or the lifetime cumulative default rate.
    """
    periods = model.horizon_months
    m = np.atleast_1d(np.asarray(multiplier, dtype=np.float64))[:, None, None]
    if isinstance(default, AnnualPd):
        pd_annual = np.minimum(model.annual_pd[None, :, None] * default.multiplier * m, PD_CAP)
        monthly = -np.expm1(np.log1p(-pd_annual) / 12.0)
        return HazardDefaults(np.broadcast_to(monthly, (m.shape[0], model.n_groups, periods)))
    if isinstance(default, CdrVector):
        cdr = np.minimum(monthly_vector(default.annual, periods)[None, None, :] * m, PD_CAP)
        return HazardDefaults(mdr_from_cdr(cdr))
    if isinstance(default, LifetimeDefault):
        return AmountDefaults(default.amounts_share(periods)[None, :] * m[:, :, 0])
    raise AssumptionError(f"unknown default assumption {default!r}")  # pragma: no cover


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
    """The asset side of one engine run, as the kernel (:mod:`abs_tool.kernel`) reads it.

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
    recovery_rate: Array  # (paths,)
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
    ) -> PoolState:
        """The inputs of ``n_paths`` paths; ``recovery_rate`` is a scalar or (paths,).

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
        return cls(
            model=model,
            n_paths=n_paths,
            hazard=hazard,
            amount_share=amount,
            smm=smm,
            recovery_rate=kernel_array(np.broadcast_to(
                np.asarray(recovery_rate, dtype=np.float64), (n_paths,))),
            lag_months=int(lag_months),
            initial_flows=_stacked(model.initial, periods),
            initial_balance=kernel_array(model.initial.balance),
            purchase_flows=(np.zeros((0, groups, 4)) if purchase is None
                            else _stacked(purchase, periods)),
            purchase_balance=(np.zeros(groups) if purchase is None
                              else kernel_array(purchase.balance)),
        )
