"""The pool as the engines see it: loans gathered into groups that share a default hazard
(one group per distinct annual PD, or PD quantile buckets when there are many, split by
sector when a sector factor is modelled), with each group's scheduled flows summed from its
loans' schedules (:mod:`abs_tool.model.amortization`) and its granularity (loan count and
1/HHI of its obligors' balances), and the recovery rates that the loans' tape LGDs give each
group by month (:attr:`PoolModel.tape_recovery`). Cost grows with groups x months after this
point, never with loans, except in the Monte Carlo's exact mode: :func:`build_obligors`
gathers the loans by obligor, with each loan's own scheduled balance, for obligor-level
default times (:mod:`abs_tool.credit.copula`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from abs_tool.errors import AssumptionError, LimitError
from abs_tool.limits import MAX_SECTORS, check_cost, estimate
from abs_tool.model.amortization import (
    amortization_index,
    remaining_fraction,
    scheduled_flows,
)
from abs_tool.model.assumptions import (
    AnnualPd,
    CdrVector,
    DefaultAssumption,
    LifetimeDefault,
)
from abs_tool.model.pool import Pool
from abs_tool.types import Array, BoolArray, IntArray

MAX_GROUPS = 24
"""More distinct PDs than this are bucketed into this many PD quantile groups."""

PD_CAP = 0.9999
"""Annual PDs scaled by a stress multiplier are capped here (a hazard must stay finite)."""


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
    ``loan_count`` and ``effective_count`` (1/HHI of the balances of the group's obligors,
    each obligor's receivables in it summed) measure granularity;
    ``group_sector`` indexes ``sector_names`` (one unnamed sector without a sector factor).
    ``loan_group`` (loans,) is each loan's group and ``loan_purchasable`` (loans,) whether
    the receivables bought resemble it (all False when nothing may be bought), in the
    pool's loan order: what :func:`build_obligors` needs.

    Recovery from the tape's ``lgd``: ``lgd_share`` is the share of the cut-off balance whose
    loans give one; of each group's scheduled balance at the start of month t (index from
    0), ``tape_share`` (groups, periods) is the share of those loans and ``tape_recovery``
    (groups, periods) the sum of their ``(1 - lgd) x balance`` over the whole balance (both
    0 once the group has no balance left). A group's recovery rate in month t, with ``r``
    the deal's rate for the other loans, is ``tape_recovery + r (1 - tape_share)``
    (:func:`group_recovery_rates`). The weights are scheduled balances, not cut-off ones,
    because the loans of a group share its default and prepayment rates: the balance that
    defaults in month t is split over them as their scheduled balances are, so the rate is
    exact for the initial pool whatever their terms and amortisation.
    """

    horizon_months: int
    initial: Profile
    purchase: Profile | None
    annual_pd: Array
    loan_count: NDArray[np.int64]
    effective_count: Array
    group_sector: NDArray[np.int64]
    sector_names: tuple[str, ...]
    loan_group: IntArray
    loan_purchasable: BoolArray
    lgd_share: float
    tape_share: Array
    tape_recovery: Array

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
    loan_group = index.astype(np.int64)
    purchasable = (np.zeros(len(balance), dtype=bool) if purchase_mask is None
                   else np.asarray(purchase_mask, dtype=bool).copy())
    tape_share, tape_recovery = _tape_recovery(balance, schedule.balance, index, n_groups,
                                               horizon_months, loans["lgd"].to_numpy())
    tape_share.flags.writeable = tape_recovery.flags.writeable = False
    loan_group.flags.writeable = purchasable.flags.writeable = False
    # The receivables of one obligor default together, so a group is as granular as its
    # obligors (their balances in it summed), not its receivables. 1/HHI from balances
    # relative to the group's largest, so that no square overflows or vanishes whatever the
    # unit: balances of 1e200 would give inf / inf.
    codes, n_obligors = obligor_codes(pool)
    keys, holding = np.unique(index.astype(np.int64) * n_obligors + codes, return_inverse=True)
    held = np.bincount(holding.reshape(-1), weights=balance)
    held_group = keys // n_obligors
    largest = np.zeros(n_groups)
    np.maximum.at(largest, held_group, held)
    relative = held / largest[held_group]
    effective = (np.bincount(held_group, weights=relative, minlength=n_groups) ** 2
                 / np.bincount(held_group, weights=relative**2, minlength=n_groups))
    return PoolModel(
        horizon_months=horizon_months,
        initial=profile(None, unit=False),
        purchase=purchase,
        annual_pd=group_pd,
        loan_count=counts,
        effective_count=effective,
        group_sector=group_sector,
        sector_names=sector_names,
        loan_group=loan_group,
        loan_purchasable=purchasable,
        lgd_share=tape_lgd(pool)[0],
        tape_share=tape_share,
        tape_recovery=tape_recovery,
    )


def tape_lgd(pool: Pool) -> tuple[float, float]:
    """The share of ``pool``'s balance whose loans give an ``lgd`` on the tape, and their
    balance-weighted LGD (NaN when none gives one)."""
    balance = pool.loans["balance"].to_numpy(dtype=np.float64)
    lgd = pool.loans["lgd"].to_numpy(dtype=np.float64)
    given = ~np.isnan(lgd)
    covered = float(balance[given].sum())
    mean = float(balance[given] @ lgd[given] / covered) if covered > 0 else float("nan")
    return covered / float(balance.sum()), mean


def _tape_recovery(balance: Array, closing: Array, index: NDArray[np.int64], n_groups: int,
                   horizon_months: int, lgd: Array) -> tuple[Array, Array]:
    """:attr:`PoolModel.tape_share` and :attr:`PoolModel.tape_recovery` from the loans'
    cut-off ``balance`` (loans,), scheduled ``closing`` balances (loans, schedule months),
    groups ``index`` and tape ``lgd`` (loans,), NaN where not given."""
    given = ~np.isnan(lgd)
    share = np.zeros((n_groups, horizon_months))
    recovery = np.zeros((n_groups, horizon_months))
    if not given.any():
        return share, recovery
    rate = np.where(given, 1.0 - lgd, 0.0)
    # A month at a time: (loans,) temporaries, not another (loans, months) array at the
    # peak of the schedules' memory.
    for k in range(min(closing.shape[1], horizon_months)):
        opening = balance if k == 0 else closing[:, k - 1]
        total = np.bincount(index, weights=opening, minlength=n_groups)
        left = total > 0
        share[left, k] = (np.bincount(index, weights=opening * given, minlength=n_groups)[left]
                          / total[left])
        recovery[left, k] = (np.bincount(index, weights=opening * rate,
                                         minlength=n_groups)[left] / total[left])
    return share, recovery


def group_recovery_rates(model: PoolModel, rate: float) -> Array:
    """Each group's recovery rate by month, (groups, periods): the loans' tape rates, and
    ``rate`` for the loans without a tape LGD (:class:`PoolModel`). In months where a group
    has no scheduled balance left, ``rate``."""
    return model.tape_recovery + rate * (1.0 - model.tape_share)


@dataclass(frozen=True)
class Obligors:
    """The pool's loans gathered by obligor, for obligor-level default times.

    Loans are in obligor order: obligor ``o`` owns loans ``start[o]:start[o + 1]``. Loan
    ``i`` (in that order) belongs to group ``group[i]``, had ``balance[i]`` at the cut-off,
    and weighs ``purchase[i]`` (its balance if the receivables bought resemble it, else 0)
    in every unit bought while revolving. Its scheduled balance at the start of month
    ``k`` (index from 0, no default or prepayment) is ``schedule[schedule_start[i] + k]``
    for ``k < schedule_start[i + 1] - schedule_start[i]`` (its remaining term, cut at the
    horizon) and 0 after. ``sector`` (obligors,) is the sector of each obligor's largest
    loan (the first of equal ones). ``recovery[i]`` is ``1 - lgd`` of the tape, NaN where
    not given.
    """

    start: IntArray
    group: IntArray
    balance: Array
    purchase: Array
    schedule_start: IntArray
    schedule: Array
    sector: IntArray
    recovery: Array

    @property
    def count(self) -> int:
        return len(self.start) - 1


def obligor_codes(pool: Pool) -> tuple[IntArray, int]:
    """Each loan's obligor, 0..n-1, and n: one per distinct ``obligor_id``, and one of its own
    for every loan without an ``obligor_id``."""
    ids = pool.loans["obligor_id"]
    missing = ids.isna().to_numpy()
    codes = np.empty(len(ids), dtype=np.int64)
    named = pd.factorize(ids[~missing])[0]
    n_named = int(named.max()) + 1 if len(named) else 0
    codes[~missing] = named
    codes[missing] = n_named + np.arange(int(missing.sum()))
    return codes, n_named + int(missing.sum())


def build_obligors(pool: Pool, model: PoolModel) -> Obligors:
    """:class:`Obligors` of ``pool``, the pool ``model`` was built from.

    Costs loans x months once (the loans' schedules, as :func:`build_pool_model`), then
    keeps each loan's schedule only until its maturity.
    """
    loans = pool.loans
    codes, n_obligors = obligor_codes(pool)
    order = np.argsort(codes, kind="stable")
    start = np.searchsorted(codes[order], np.arange(n_obligors + 1)).astype(np.int64)
    balance = loans["balance"].to_numpy(dtype=np.float64)[order]
    term = loans["remaining_term"].to_numpy(dtype=np.int64)[order]
    kept = np.minimum(term, model.horizon_months)
    months = int(kept.max())
    closing = remaining_fraction(loans["rate"].to_numpy()[order], term,
                                 amortization_index(loans["amortization"].to_numpy())[order],
                                 months)
    opening = balance[:, None] * np.concatenate([np.ones((len(order), 1)),
                                                 closing[:, :-1]], axis=1)
    schedule = opening[np.arange(months)[None, :] < kept[:, None]]
    schedule_start = np.concatenate([[0], np.cumsum(kept)]).astype(np.int64)
    group = model.loan_group[order]
    # The largest loan of each obligor: the last of a sort by (obligor, balance), taking
    # the first of equal balances.
    by_size = np.lexsort((-np.arange(len(order)), balance, codes[order]))
    largest = by_size[start[1:] - 1]
    arrays = (start, group, balance,
              np.where(model.loan_purchasable[order], balance, 0.0),
              schedule_start, schedule, model.group_sector[group[largest]].astype(np.int64),
              1.0 - loans["lgd"].to_numpy(dtype=np.float64)[order])
    for a in arrays:
        a.flags.writeable = False
    return Obligors(*arrays)


@dataclass(frozen=True)
class TopObligors:
    """The largest obligors at the cut-off, largest first (ties in :func:`obligor_codes`
    order): their ``code`` (:func:`obligor_codes`), ``obligor_id`` (a loan without one is
    its own obligor, named by its ``loan_id``), ``balance`` and ``balance_share`` of the
    pool."""

    code: IntArray
    obligor_id: tuple[str, ...]
    balance: Array
    balance_share: Array


def top_obligors(pool: Pool, count: int) -> TopObligors:
    """The ``count`` largest obligors of ``pool`` (all of them when it has fewer)."""
    codes, n_obligors = obligor_codes(pool)
    balance = np.asarray(np.bincount(codes, weights=pool.loans["balance"].to_numpy(
        dtype=np.float64), minlength=n_obligors), dtype=np.float64)
    order = np.lexsort((np.arange(n_obligors), -balance))[:count]
    first_loan = np.full(n_obligors, len(codes))
    np.minimum.at(first_loan, codes, np.arange(len(codes)))
    loans = pool.loans.iloc[first_loan[order]]
    names = loans["obligor_id"].fillna(loans["loan_id"]).astype(str)
    total = balance.sum()
    return TopObligors(order.astype(np.int64), tuple(names), balance[order],
                       balance[order] / total if total > 0 else np.zeros(len(order)))
