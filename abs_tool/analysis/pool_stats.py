"""Pool analytics: summary figures and stratification tables.

Pure functions of a :class:`~abs_tool.model.pool.Pool`, vectorised over loans. Weighted averages
are weighted by current balance. Shares are fractions (0.25 = 25%), rates annual decimals,
terms in months, money in the pool's currency (RMB for the built-in samples).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from abs_tool import glossary as g
from abs_tool.errors import InputError
from abs_tool.model.columns import ALL_COLUMNS, INTEGER_COLUMNS, TEXT_COLUMNS
from abs_tool.model.conventions import cumulative_pd
from abs_tool.model.pool import Pool

LANGS: tuple[str, ...] = g.LANGS

# One table per concept: summary field -> (English label, Chinese label, unit key); the terms
# the glossary has come from it (abs_tool.glossary).
SUMMARY_LABELS: dict[str, tuple[str, str, str]] = {
    "loan_count": (*g.DEAL["loan_count"], "count"),
    "obligor_count": ("Number of obligors", "借款人户数", "count"),
    "balance": (*g.DEAL["pool_balance"], "money"),
    "wac": (*g.METRICS["wac"], "rate"),
    "wa_remaining_term_months": ("WA remaining term", "加权平均剩余期限", "months"),
    "wa_seasoning_months": ("WA seasoning", "加权平均账龄", "months"),
    "wa_original_term_months": ("WA original term", "加权平均合同期限", "months"),
    "average_balance": ("Average balance", "单笔平均未偿本金", "money"),
    "max_balance": ("Largest balance", "单笔最大未偿本金", "money"),
    "top1_obligor_share": ("Largest obligor share", "最大借款人占比", "share"),
    "top10_obligor_share": ("Top-10 obligors share", "前十大借款人占比", "share"),
    "effective_obligors": ("Effective number of obligors (1/HHI)", "有效借款人数(1/赫芬达尔指数)",
                           "count"),
    "wa_annual_pd": ("WA annual PD", "加权平均年违约概率", "rate"),
    "pd_coverage": ("Balance with a PD", "有违约概率的本金占比", "share"),
    "expected_lifetime_loss": ("Expected lifetime loss", "预期存续期损失率", "share"),
    "el_coverage": ("Balance with PD and LGD", "有违约概率和损失率的本金占比", "share"),
}

# Unit key -> (English, Chinese).
UNIT_LABELS: dict[str, tuple[str, str]] = {
    "count": ("", ""),
    "money": g.UNITS["yuan"],
    "rate": g.UNITS["annual"],
    "months": g.UNITS["months"],
    "share": g.UNITS["of_balance"],
}

# Stratification words -> (English, Chinese).
STRAT_WORDS: dict[str, tuple[str, str]] = {
    "total": g.DEAL["total"],
    "missing": ("(missing)", "(缺失)"),
}

STRAT_COLUMNS: tuple[str, ...] = (
    "bucket", "count", "balance", "share", "wac", "wa_remaining_term", "wa_annual_pd",
)

# Stratifying by loan_id would give one bucket per loan.
STRATIFIABLE_COLUMNS: tuple[str, ...] = tuple(c for c in ALL_COLUMNS if c != "loan_id")

DEFAULT_BUCKETS = 8
# An integer column with at most this many distinct values gets one bucket per value.
_MAX_VALUE_BUCKETS = 12
# A positive non-integer column spanning at least this ratio (max/min) gets 1-2-5 log-spaced
# edges: balances are lognormal-like, and equal steps would put most loans in one bucket.
_LOG_SPAN = 20.0


@dataclass(frozen=True)
class PoolSummary:
    """Headline figures of a pool.

    Attributes
    ----------
    loan_count, obligor_count
        Loans; distinct ``obligor_id`` values.
    balance, average_balance, max_balance
        Current principal: total, mean and largest loan (currency units).
    wac
        Balance-weighted annual rate (for ``installment_fee`` loans, the flat fee rate).
    wa_remaining_term_months, wa_seasoning_months, wa_original_term_months
        Balance-weighted terms, months.
    top1_obligor_share, top10_obligor_share
        Share of the pool balance owed by the largest one and ten obligors.
    effective_obligors
        1 / HHI, where HHI = sum over obligors of (obligor balance / pool balance)^2.
    wa_annual_pd, pd_coverage
        Balance-weighted annual PD over the loans that have one; the share of the pool
        balance with a PD. NaN when no loan has a PD.
    expected_lifetime_loss, el_coverage
        Sum of balance x lifetime PD x LGD over the loans with both, divided by their balance
        (so it is a rate on the covered part, comparable across coverages); the share of the
        pool balance covered. Lifetime PD = 1 - (1 - annual_pd)^(remaining_term / 12), the
        constant-hazard F(t) of DOMAIN.md at the loan's maturity.
    """

    loan_count: int
    obligor_count: int
    balance: float
    wac: float
    wa_remaining_term_months: float
    wa_seasoning_months: float
    wa_original_term_months: float
    average_balance: float
    max_balance: float
    top1_obligor_share: float
    top10_obligor_share: float
    effective_obligors: float
    wa_annual_pd: float
    pd_coverage: float
    expected_lifetime_loss: float
    el_coverage: float

    def rows(self, lang: str = "en") -> list[tuple[str, float | int, str]]:
        """``(label, value, unit)`` per figure, in field order, labelled in ``lang``.

        Values are raw (shares and rates as fractions); formatting is the display's job.

        Raises
        ------
        InputError
            ``lang`` not in :data:`LANGS`.
        """
        i = _lang_index(lang)
        return [
            (SUMMARY_LABELS[f.name][i], getattr(self, f.name),
             UNIT_LABELS[SUMMARY_LABELS[f.name][2]][i])
            for f in fields(self)
        ]

    def to_frame(self, lang: str = "en") -> pd.DataFrame:
        """The :meth:`rows` as a DataFrame with columns ``label``, ``value``, ``unit``."""
        return pd.DataFrame(self.rows(lang), columns=["label", "value", "unit"])


def pool_summary(pool: Pool, *, default_lgd: float | None = None) -> PoolSummary:
    """Headline figures of ``pool``; see :class:`PoolSummary` for each definition.

    Parameters
    ----------
    pool
        The loans.
    default_lgd
        LGD in [0, 1] used for loans whose ``lgd`` is missing; ``None`` leaves them out of
        the expected loss (and out of ``el_coverage``).

    Returns
    -------
    PoolSummary

    Raises
    ------
    InputError
        ``default_lgd`` outside [0, 1].

    Notes
    -----
    Expected lifetime loss = sum_i B_i x PD_i x LGD_i / sum_i B_i over the loans i with both
    a PD and an LGD, where B_i is the balance and PD_i = 1 - (1 - annual_pd_i)^(T_i / 12)
    with T_i the remaining term in months (constant hazard to maturity, DOMAIN.md F(t)).
    Times ``el_coverage`` it is the expected loss as a share of the whole pool when the
    loans without PD or LGD are assumed loss-free.
    """
    if default_lgd is not None and not 0.0 <= default_lgd <= 1.0:
        raise InputError(f"`default_lgd` (got {default_lgd!r}) must be in [0, 1]")
    loans = pool.loans
    balance = loans["balance"].to_numpy()
    total = float(balance.sum())

    def wa(column: str) -> float:
        return float(loans[column].to_numpy() @ balance / total)

    obligor_balance = np.sort(_obligor_balances(loans))[::-1]
    obligor_share = obligor_balance / total
    # 1/HHI from balances relative to the largest, so that no square overflows or vanishes
    # whatever the unit (shares of a pool of 1e-300 balances would square to nothing).
    relative = obligor_balance / obligor_balance[0]

    annual_pd = loans["annual_pd"].to_numpy()
    has_pd = ~np.isnan(annual_pd)
    pd_balance = float(balance[has_pd].sum())
    lgd = loans["lgd"].to_numpy()
    if default_lgd is not None:
        lgd = np.where(np.isnan(lgd), default_lgd, lgd)
    covered = has_pd & ~np.isnan(lgd)
    el_balance = float(balance[covered].sum())
    lifetime_pd = cumulative_pd(annual_pd[covered], loans["remaining_term"].to_numpy()[covered])
    expected_loss = float(balance[covered] @ (lifetime_pd * lgd[covered]))

    return PoolSummary(
        loan_count=len(loans),
        obligor_count=len(obligor_share),
        balance=total,
        wac=wa("rate"),
        wa_remaining_term_months=wa("remaining_term"),
        wa_seasoning_months=wa("seasoning"),
        wa_original_term_months=wa("original_term"),
        average_balance=total / len(loans),
        max_balance=float(balance.max()),
        top1_obligor_share=float(obligor_share[0]),
        top10_obligor_share=float(obligor_share[:10].sum()),
        effective_obligors=float(relative.sum() ** 2 / (relative @ relative)),
        wa_annual_pd=(
            float(annual_pd[has_pd] @ balance[has_pd] / pd_balance) if pd_balance else math.nan
        ),
        pd_coverage=pd_balance / total,
        expected_lifetime_loss=expected_loss / el_balance if el_balance else math.nan,
        el_coverage=el_balance / total,
    )


def stratify(
    pool: Pool,
    column: str,
    *,
    bins: int | Sequence[float] | None = None,
    labels: Sequence[str] | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """Stratification table of ``pool`` by ``column``.

    Text columns give one bucket per value, largest balance first (ties by value). Numeric
    columns give left-closed intervals ``[a, b)`` in ascending order:

    - ``bins=None``: an integer column with at most 12 distinct values gets one bucket per
      value; a positive non-integer column whose max/min >= 20 gets 1-2-5 log-spaced edges
      (500, 1,000, 2,000, 5,000, ...); otherwise about 8 equal "nice" steps (1, 2, 2.5 or
      5 x 10^k).
    - ``bins=k``: about ``k`` equal nice steps.
    - ``bins=[e0, e1, ...]``: these edges (strictly increasing). Loans below ``e0`` or at
      or above the last edge get buckets ``< e0`` and ``>= eN``, so no loan is dropped.

    Interior buckets are listed even when empty; loans with no value (NaN) get a
    ``(missing)`` bucket. The last row is the total.

    Parameters
    ----------
    pool
        The loans.
    column
        One of :data:`STRATIFIABLE_COLUMNS`.
    bins
        Bucketing of a numeric column, as above.
    labels
        Names of the interior buckets, one per interval (``len(edges) - 1``), replacing the
        ``[a, b)`` labels.
    lang
        Language of the total and missing labels, one of :data:`LANGS`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`STRAT_COLUMNS`: ``bucket`` (str), ``count`` (loans), ``balance``
        (currency), ``share`` (of pool balance), ``wac`` (annual), ``wa_remaining_term``
        (months), ``wa_annual_pd`` (over loans with a PD). Weighted averages of an empty
        bucket are NaN.

    Raises
    ------
    InputError
        Unknown ``column``; ``bins`` or ``labels`` on a text column; edges not strictly
        increasing or fewer than two; ``bins`` not >= 1; wrong number of ``labels``;
        unknown ``lang``.
    """
    lang_ix = _lang_index(lang)
    if column not in STRATIFIABLE_COLUMNS:
        raise InputError(
            f"cannot stratify by `{column}`; expected one of {list(STRATIFIABLE_COLUMNS)}"
        )
    values = pool.loans[column].to_numpy()
    missing_label = STRAT_WORDS["missing"][lang_ix]
    if column in TEXT_COLUMNS:
        if bins is not None or labels is not None:
            raise InputError(
                f"`bins` and `labels` apply to numeric columns; `{column}` is text "
                "(one bucket per value)"
            )
        codes, names, order = _text_buckets(
            values, pool.loans["balance"].to_numpy(), missing_label
        )
    else:
        codes, names, order = _numeric_buckets(
            values.astype(np.float64), column, bins, labels, missing_label
        )
    body = _bucket_columns(pool.loans, codes, len(names))
    total = _bucket_columns(pool.loans, np.zeros(len(values), dtype=np.int64), 1)
    columns: dict[str, NDArray[Any]] = {
        "bucket": np.append(names[order], STRAT_WORDS["total"][lang_ix])
    }
    columns.update({key: np.append(body[key][order], total[key]) for key in body})
    return pd.DataFrame(columns)


def _lang_index(lang: str) -> int:
    if lang not in LANGS:
        raise InputError(f"`lang` (got {lang!r}) must be one of {list(LANGS)}")
    return LANGS.index(lang)


def _obligor_balances(loans: pd.DataFrame) -> NDArray[np.float64]:
    """Balance per distinct obligor; a loan with no ``obligor_id`` is its own obligor."""
    obligor = loans["obligor_id"].fillna(loans["loan_id"]).to_numpy()
    codes, uniques = pd.factorize(obligor)
    return np.bincount(codes, weights=loans["balance"].to_numpy(), minlength=len(uniques)).astype(
        np.float64
    )


def _bucket_columns(
    loans: pd.DataFrame, codes: NDArray[np.int64], n: int
) -> dict[str, NDArray[Any]]:
    """The numeric columns of :data:`STRAT_COLUMNS` per bucket code 0..n-1, shape ``(n,)``."""
    balance = loans["balance"].to_numpy()
    annual_pd = loans["annual_pd"].to_numpy()
    has_pd = ~np.isnan(annual_pd)
    bucket_balance = np.bincount(codes, weights=balance, minlength=n)
    return {
        "count": np.bincount(codes, minlength=n).astype(np.int64),
        "balance": bucket_balance,
        "share": bucket_balance / balance.sum(),
        "wac": _weighted_mean(codes, balance, loans["rate"].to_numpy(), n),
        "wa_remaining_term": _weighted_mean(
            codes, balance, loans["remaining_term"].to_numpy().astype(np.float64), n
        ),
        "wa_annual_pd": _weighted_mean(codes[has_pd], balance[has_pd], annual_pd[has_pd], n),
    }


def _weighted_mean(
    codes: NDArray[np.int64], weight: NDArray[np.float64], x: NDArray[np.float64], n: int
) -> NDArray[np.float64]:
    """Per bucket code 0..n-1: sum(weight * x) / sum(weight); NaN where the weight is zero."""
    total = np.bincount(codes, weights=weight, minlength=n)
    weighted = np.bincount(codes, weights=weight * x, minlength=n)
    out = np.full(n, np.nan)
    np.divide(weighted, total, out=out, where=total > 0)
    return out


def _text_buckets(
    values: NDArray[np.object_], balance: NDArray[np.float64], missing_label: str
) -> tuple[NDArray[np.int64], NDArray[np.str_], NDArray[np.int64]]:
    """Codes per loan, bucket names and display order: balance descending, missing last."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    names = np.asarray(uniques).astype(str)
    is_missing = np.zeros(len(names), dtype=bool)
    if (codes < 0).any():
        codes = np.where(codes < 0, len(names), codes)
        names = np.append(names, missing_label)
        is_missing = np.append(is_missing, True)
    bucket_balance = np.bincount(codes, weights=balance, minlength=len(names))
    # Ties by name so the order does not depend on loan order.
    order = np.lexsort((names, -bucket_balance, is_missing))
    return codes.astype(np.int64), names, order


def _numeric_buckets(
    values: NDArray[np.float64],
    column: str,
    bins: int | Sequence[float] | None,
    labels: Sequence[str] | None,
    missing_label: str,
) -> tuple[NDArray[np.int64], NDArray[np.str_], NDArray[np.int64]]:
    """Codes per loan, bucket names and display order (ascending, missing last)."""
    present = values[~np.isnan(values)]
    distinct = np.unique(present)
    if bins is None and column in INTEGER_COLUMNS and len(distinct) <= _MAX_VALUE_BUCKETS:
        if labels is not None and len(labels) != len(distinct):
            raise InputError(
                f"`labels` needs {len(distinct)} names (one per value of `{column}`), "
                f"got {len(labels)}"
            )
        names = list(labels) if labels is not None else [_fmt(v) for v in distinct]
        codes = np.searchsorted(distinct, values)
        return _with_missing(values, codes, names, [], missing_label)

    edges = _edges(present, bins, log_allowed=column not in INTEGER_COLUMNS)
    if labels is not None and len(labels) != len(edges) - 1:
        raise InputError(
            f"`labels` needs {len(edges) - 1} names (one per interval of edges "
            f"{[_fmt(e) for e in edges]}), got {len(labels)}"
        )
    names = (
        list(labels)
        if labels is not None
        else [f"[{_fmt(a)}, {_fmt(b)})" for a, b in zip(edges[:-1], edges[1:], strict=True)]
    )
    # Interval i holds edges[i] <= x < edges[i+1]; -1 is below, len(edges)-1 at or above.
    position = np.searchsorted(edges, values, side="right") - 1
    below = position < 0
    above = (position >= len(edges) - 1) & ~np.isnan(values)
    extra: list[tuple[int, str]] = []
    codes = position.copy()
    if below.any():
        codes[below] = len(names) + len(extra)
        extra.append((-1, f"< {_fmt(edges[0])}"))
    if above.any():
        codes[above] = len(names) + len(extra)
        extra.append((len(names), f">= {_fmt(edges[-1])}"))
    return _with_missing(values, codes, names, extra, missing_label)


def _with_missing(
    values: NDArray[np.float64],
    codes: NDArray[np.int64],
    names: list[str],
    extra: list[tuple[int, str]],
    missing_label: str,
) -> tuple[NDArray[np.int64], NDArray[np.str_], NDArray[np.int64]]:
    """Append out-of-range and missing buckets; order: below, intervals, above, missing.

    ``extra`` holds (sort position, name) of the out-of-range buckets, coded after ``names``.
    """
    n_interior = len(names)
    sort_key = list(range(n_interior)) + [pos for pos, _ in extra]
    all_names = names + [name for _, name in extra]
    missing = np.isnan(values)
    if missing.any():
        codes = np.where(missing, len(all_names), codes)
        all_names.append(missing_label)
        sort_key.append(n_interior + 1)
    order = np.argsort(np.array(sort_key), kind="stable")
    return codes.astype(np.int64), np.array(all_names, dtype=str), order


def _edges(
    present: NDArray[np.float64], bins: int | Sequence[float] | None, *, log_allowed: bool
) -> NDArray[np.float64]:
    """Bucket edges: user-given, log 1-2-5, or nice equal steps (see :func:`stratify`)."""
    if bins is not None and not isinstance(bins, int | np.integer):
        edges = np.asarray(bins, dtype=np.float64)
        if edges.ndim != 1 or len(edges) < 2 or not np.all(np.diff(edges) > 0):
            raise InputError(
                f"`bins` edges (got {list(bins)}) must be at least two strictly increasing numbers"
            )
        return edges
    if bins is not None and (isinstance(bins, bool) or bins < 1):
        raise InputError(f"`bins` (got {bins!r}) must be an integer >= 1 or a list of edges")
    if len(present) == 0:
        # Only missing values: a single empty interval keeps the table shape.
        return np.array([0.0, 1.0])
    low, high = float(present.min()), float(present.max())
    if bins is None and log_allowed and low > 0 and high / low >= _LOG_SPAN:
        return _log_edges(low, high)
    return _nice_edges(low, high, DEFAULT_BUCKETS if bins is None else int(bins))


def _nice_edges(low: float, high: float, target: int) -> NDArray[np.float64]:
    """Equal steps of 1, 2, 2.5 or 5 x 10^k, about ``target`` of them, covering [low, high]."""
    raw = (high - low) / target if high > low else max(abs(high), 1.0) / target
    exponent = math.floor(math.log10(raw))
    step = next(m * 10.0**exponent for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * 10.0**exponent >= raw)
    decimals = max(0, 2 - exponent)

    def edge(k: int) -> float:
        return round(k * step, decimals)

    # low / step can land just off an integer (0.18 / 0.01 = 17.999...); the checks after the
    # floor make the rounded edges cover [low, high] with the maximum strictly inside.
    first = math.floor(low / step)
    first -= edge(first) > low
    last = math.floor(high / step) + 1
    last += edge(last) <= high
    return np.array([edge(k) for k in range(first, last + 1)])


def _log_edges(low: float, high: float) -> NDArray[np.float64]:
    """1-2-5 edges per decade from the last one <= ``low`` to the first one > ``high``."""
    decades = np.arange(math.floor(math.log10(low)), math.floor(math.log10(high)) + 2)
    grid: NDArray[np.float64] = np.round(
        (np.array([1.0, 2.0, 5.0])[None, :] * 10.0 ** decades[:, None]).ravel(), 12
    )
    start = np.searchsorted(grid, low, side="right") - 1
    stop = np.searchsorted(grid, high, side="right")
    return grid[start : stop + 1]


def _fmt(x: float) -> str:
    """A bucket edge for a label: thousands separators, no trailing zeros."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.10g}"
