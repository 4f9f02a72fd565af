"""Read and write static-pool (vintage) data: CSV or XLSX, three shapes, one triangle.

An originator's static-pool data say, for each origination month (vintage), how much of what
was lent had defaulted (and prepaid, and been recovered) by each month on book. This module
reads them into a :class:`StaticPoolData`: arrays shaped ``(vintages, months_on_book)``, the
input of :mod:`abs_tool.analysis.static_pool`. Three shapes are accepted (``docs/static_pool.md``):

``long``
    One row per vintage and month on book: ``vintage`` (YYYY-MM), ``months_on_book``
    (integer >= 1), ``original_balance`` (of the vintage), ``cumulative_default_balance``;
    optional ``original_count``, ``cumulative_default_count``, ``cumulative_prepaid_balance``,
    ``cumulative_recovery_balance``, ``outstanding_balance``.
``wide``
    One row per vintage: ``vintage``, ``original_balance`` (optional ``original_count``) and
    the cumulative default balance by month on book in columns headed ``1``, ``2``, ... (or
    ``M1``, ``MOB1``, ``第1期``).
``loans``
    Loan-level performance history, one row per loan: ``loan_id``, ``vintage`` (the
    origination month), ``original_balance``, and where the loan defaulted ``default_month``
    and ``default_balance``; where it recovered, ``recovery_balance`` and ``recovery_month``.
    The tool aggregates it into vintages, observed up to ``as_of``.

Months on book count calendar months after the origination month: a loan originated in
2015-01 is 1 month on book in 2015-02 (a default in the origination month itself counts at
month on book 1, with a warning).

The file is read by the loan-tape reader's machinery (:mod:`abs_tool.io.tape`): the same
size, zip-bomb, row and cell limits checked before parsing, the same header handling (English
or Chinese aliases, units in brackets ignored), formulas never evaluated, and one
:class:`~abs_tool.errors.ValidationReport` of every finding by file, row, column, value and
reason. Nothing loads while an error remains.
"""

from __future__ import annotations

import io
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.cell import WriteOnlyCell

from abs_tool.errors import FieldError, InputError, TapeError, ValidationReport
from abs_tool.io.atomic import write_atomic
from abs_tool.io.csvsafe import csv_text
from abs_tool.io.tape import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_CELLS,
    DEFAULT_MAX_ROWS,
    LOAN_ID_RE,
    Findings,
    RawTable,
    Source,
    TableColumns,
    check_numeric,
    check_text,
    display_name,
    read_table,
    row_list,
    shown_cells,
)
from abs_tool.io.workbook import ReadLimits
from abs_tool.limits import MAX_DEAL_AMOUNT, MAX_HORIZON_MONTHS, MIN_AMOUNT
from abs_tool.model.columns import HEADER_ROW
from abs_tool.types import Array

__all__ = [
    "MAX_COUNT",
    "MAX_MONTHS_ON_BOOK",
    "MAX_VINTAGES",
    "SHAPES",
    "StaticPoolData",
    "StaticPoolError",
    "inspect_static_pool",
    "load_static_pool",
    "month_label",
    "parse_month",
    "static_pool_bytes",
    "write_static_pool",
]

Shape = Literal["auto", "long", "wide", "loans"]
SHAPES: tuple[str, ...] = ("long", "wide", "loans")

MAX_MONTHS_ON_BOOK = MAX_HORIZON_MONTHS
"""Longest month on book a file may give (50 years)."""
MAX_VINTAGES = 1_200
"""Most vintages of one file (a hundred years of monthly vintages); with
:data:`MAX_MONTHS_ON_BOOK` this bounds the triangle at 720,000 cells."""
MAX_COUNT = 1e12
"""Largest loan count of one vintage."""
CUMULATIVE_TOLERANCE = 1e-9
"""Relative tolerance of the checks on cumulative figures (falls, more than the balance):
rounding in a spreadsheet is not an error."""

_MONTH_RE = (r"^\s*(\d{4})\s*(?:[-/.年]\s*(\d{1,2})|(\d{2}))\s*月?"
             r"(?:\s*[-/.]\s*\d{1,2}\s*日?)?(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*$")
_MONTH_PATTERN = re.compile(_MONTH_RE)
_MIN_YEAR, _MAX_YEAR = 1900, 2200
_MONTH_EXPECTED = "a month YYYY-MM, e.g. 2015-01 (2015/01, 201501, 2015年1月 and dates also read)"

# Canonical columns of every shape, in report order.
_AMOUNTS = ("original_balance", "cumulative_default_balance", "cumulative_prepaid_balance",
            "cumulative_recovery_balance", "outstanding_balance", "default_balance",
            "recovery_balance")
_COUNTS = ("original_count", "cumulative_default_count")
_NAMES: tuple[str, ...] = (
    "loan_id", "vintage", "months_on_book", "original_balance", "original_count",
    "cumulative_default_balance", "cumulative_default_count", "cumulative_prepaid_balance",
    "cumulative_recovery_balance", "outstanding_balance", "default_month", "default_balance",
    "recovery_month", "recovery_balance",
)
_ALIASES: dict[str, str] = {
    "origination_month": "vintage", "cohort": "vintage", "放款月份": "vintage",
    "发放月份": "vintage", "放款月": "vintage", "放款批次": "vintage", "批次": "vintage",
    "mob": "months_on_book", "month_on_book": "months_on_book", "账龄": "months_on_book",
    "账龄月数": "months_on_book",
    "放款金额": "original_balance", "放款本金": "original_balance",
    "初始本金": "original_balance", "合同金额": "original_balance",
    "原始本金": "original_balance",
    "放款笔数": "original_count", "贷款笔数": "original_count",
    "累计违约金额": "cumulative_default_balance", "累计违约本金": "cumulative_default_balance",
    "累计违约笔数": "cumulative_default_count",
    "累计提前还款金额": "cumulative_prepaid_balance",
    "累计早偿金额": "cumulative_prepaid_balance",
    "累计回收金额": "cumulative_recovery_balance",
    "期末未偿本金": "outstanding_balance", "未偿本金余额": "outstanding_balance",
    "贷款编号": "loan_id", "资产编号": "loan_id",
    "违约月份": "default_month", "违约金额": "default_balance", "违约本金": "default_balance",
    "回收月份": "recovery_month", "回收金额": "recovery_balance",
}
# Columns each shape needs; of these, every cell of _FILLED[shape] must hold a value.
_REQUIRED: dict[str, tuple[str, ...]] = {
    "long": ("vintage", "months_on_book", "original_balance", "cumulative_default_balance"),
    "wide": ("vintage", "original_balance"),
    "loans": ("loan_id", "vintage", "original_balance", "default_month", "default_balance"),
}
_FILLED: dict[str, tuple[str, ...]] = {
    "long": _REQUIRED["long"],
    "wide": _REQUIRED["wide"],
    "loans": ("loan_id", "vintage", "original_balance"),
}
_OPTIONAL: dict[str, tuple[str, ...]] = {
    "long": ("original_count", "cumulative_default_count", "cumulative_prepaid_balance",
             "cumulative_recovery_balance", "outstanding_balance"),
    "wide": ("original_count",),
    "loans": ("recovery_month", "recovery_balance"),
}
_MOB_PREFIX = "mob_"
_NUMERIC = frozenset({"months_on_book", *_AMOUNTS, *_COUNTS})
_INTEGER = frozenset({"months_on_book", *_COUNTS})


def _columns(shape: str | None) -> TableColumns:
    """The columns the tape reader maps: all shapes' (``None``, nothing required) or one."""
    required = () if shape is None else _FILLED[shape]
    return TableColumns(_NAMES, required, _NUMERIC, _INTEGER, _ALIASES,
                        numbered=_MOB_PREFIX if shape in (None, "wide") else None,
                        noun="static-pool file", rows="data rows")


class StaticPoolError(TapeError):
    """A static-pool file that cannot be loaded; ``report`` holds every finding."""

    def __init__(self, report: ValidationReport, limit: int = 20) -> None:
        self.report = report
        shown = [str(i) for i in report.errors[:limit]]
        more = len(report.errors) - len(shown)
        tail = [f"... and {more} more error(s)"] if more > 0 else []
        InputError.__init__(
            self, f"{report.file}: the static-pool data were not loaded, "
            f"{len(report.errors)} error(s):\n" + "\n".join(shown + tail))


# --------------------------------------------------------------------------------------------
# The data
# --------------------------------------------------------------------------------------------


def parse_month(text: str) -> int:
    """A month ``YYYY-MM`` (or 2015/01, 201501, 2015年1月, an ISO date) as ``12 * year +
    month - 1``.

    Raises
    ------
    InputError
        When ``text`` is not such a month.
    """
    months = _month_index(pd.Series([text], dtype="str"))
    if months[0] < 0:
        raise InputError(f"expected {_MONTH_EXPECTED} (got {text!r})")
    return int(months[0])


def month_label(index: int) -> str:
    """``YYYY-MM`` of a month index (:func:`parse_month`)."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _month_index(text: pd.Series) -> np.ndarray:
    """Month index of each cell; -1 where it is not a month."""
    parts = text.str.extract(_MONTH_PATTERN)
    year = pd.to_numeric(parts[0], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    month = pd.to_numeric(parts[1].fillna(parts[2]), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan)
    ok = (year >= _MIN_YEAR) & (year <= _MAX_YEAR) & (month >= 1) & (month <= 12)
    return np.where(ok, np.nan_to_num(year) * 12 + np.nan_to_num(month) - 1, -1).astype(np.int64)


def _frozen(values: Array | None, name: str, shape: tuple[int, ...]) -> Array | None:
    if values is None:
        return None
    array = np.array(values, dtype=np.float64)
    if array.shape != shape:
        raise FieldError(name, f"must have shape {shape} (got {array.shape})")
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class StaticPoolData:
    """Static-pool data as a triangle: vintages by months on book.

    Every ``(vintages, months)`` array holds cumulative amounts in currency units (counts for
    ``cumulative_default_count``) at the end of month on book ``1 .. months`` (column
    ``a - 1`` is month on book ``a``), NaN where the vintage is not yet observed. A
    vintage is observed from month on book 1 up to its last observed month, with no gap:
    the reader fills gaps only where the user allows it, and says so.

    Attributes
    ----------
    vintages
        Origination months ``YYYY-MM``, oldest first, each once.
    original_balance
        Shape (vintages,): amount lent in each vintage.
    cumulative_default_balance
        Shape (vintages, months): defaulted principal by month on book.
    original_count, cumulative_default_count
        Optional: loans lent, shape (vintages,), and loans defaulted by month on book.
    cumulative_prepaid_balance, cumulative_recovery_balance, outstanding_balance
        Optional (vintages, months): principal prepaid, recoveries received, and the
        balance still outstanding at the end of each month on book.
    recovery_lag_months
        Optional, from loan-level history: the recovery-weighted mean months from default
        to recovery.
    name
        Where the data came from, for messages.
    """

    vintages: tuple[str, ...]
    original_balance: Array
    cumulative_default_balance: Array
    original_count: Array | None = None
    cumulative_default_count: Array | None = None
    cumulative_prepaid_balance: Array | None = None
    cumulative_recovery_balance: Array | None = None
    outstanding_balance: Array | None = None
    recovery_lag_months: float | None = None
    name: str = "static pool"
    _observed: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        vintages = tuple(self.vintages)
        object.__setattr__(self, "vintages", vintages)
        n = len(vintages)
        if not 1 <= n <= MAX_VINTAGES:
            raise FieldError("vintages", f"must hold 1 to {MAX_VINTAGES:,} vintages (got {n:,})")
        texts = [v if isinstance(v, str) else "" for v in vintages]
        months = [int(m) for m in _month_index(pd.Series(texts, dtype="str"))]
        if any(m < 0 for m in months) or [month_label(m) for m in months] != list(vintages):
            raise FieldError("vintages", f"each must be a month YYYY-MM (got {vintages[:3]!r}...)")
        if any(b <= a for a, b in zip(months, months[1:], strict=False)):
            raise FieldError("vintages", "must be in order, oldest first, each once")
        balance = np.array(self.cumulative_default_balance, dtype=np.float64)
        if balance.ndim != 2 or balance.shape[0] != n or not 1 <= balance.shape[1] <= \
                MAX_MONTHS_ON_BOOK:
            raise FieldError("cumulative_default_balance",
                             f"must have shape ({n}, months) with 1 to {MAX_MONTHS_ON_BOOK} "
                             f"months (got {balance.shape})")
        shape = balance.shape
        object.__setattr__(self, "cumulative_default_balance",
                           _frozen(balance, "cumulative_default_balance", shape))
        for name in ("cumulative_default_count", "cumulative_prepaid_balance",
                     "cumulative_recovery_balance", "outstanding_balance"):
            object.__setattr__(self, name, _frozen(getattr(self, name), name, shape))
        for name in ("original_balance", "original_count"):
            object.__setattr__(self, name, _frozen(getattr(self, name), name, (n,)))
        if (self.original_count is None) != (self.cumulative_default_count is None):
            raise FieldError("original_count", "give `original_count` and "
                             "`cumulative_default_count` together, or neither")
        original = self.original_balance
        if not np.all(np.isfinite(original) & (original >= MIN_AMOUNT)):
            bad = int(np.flatnonzero(~(np.isfinite(original) & (original >= MIN_AMOUNT)))[0])
            raise FieldError(f"original_balance[{vintages[bad]}]",
                             f"must be at least {MIN_AMOUNT:g} (got {original[bad]!r})")
        observed = ~np.isnan(balance)
        object.__setattr__(self, "_observed", observed)
        last = observed.sum(axis=1)
        prefix = np.arange(shape[1])[None, :] < last[:, None]
        for v in np.flatnonzero((observed != prefix).any(axis=1))[:1]:
            gap = int(np.flatnonzero(observed[v] != prefix[v])[0]) + 1
            raise FieldError(f"cumulative_default_balance[{vintages[v]}]",
                             f"month on book {gap} is missing inside the observed months; "
                             "fill it (the reader does so with `allow_gaps`) or remove the "
                             "later months")
        for v in np.flatnonzero(last == 0)[:1]:
            raise FieldError(f"cumulative_default_balance[{vintages[v]}]",
                             "the vintage has no observed month on book")
        self._check_cumulative("cumulative_default_balance", balance, original)
        if self.original_count is not None and self.cumulative_default_count is not None:
            counts = self.original_count
            if not np.all(np.isfinite(counts) & (counts >= 1) & (counts == np.floor(counts))):
                raise FieldError("original_count", "must be whole numbers >= 1")
            self._check_cumulative("cumulative_default_count", self.cumulative_default_count,
                                   counts)
        for name in ("cumulative_prepaid_balance", "cumulative_recovery_balance"):
            values = getattr(self, name)
            if values is not None:
                self._check_cumulative(name, values, None)
        if self.outstanding_balance is not None:
            out = self.outstanding_balance
            if (np.isnan(out) != ~observed).any() or (out[observed] < 0).any():
                raise FieldError("outstanding_balance",
                                 "must be >= 0 where the defaults are observed, NaN elsewhere")
        lag = self.recovery_lag_months
        if lag is not None and not (isinstance(lag, int | float) and math.isfinite(lag)
                                    and 0 <= lag <= MAX_MONTHS_ON_BOOK):
            raise FieldError("recovery_lag_months",
                             f"must be from 0 to {MAX_MONTHS_ON_BOOK} (got {lag!r})")

    def _check_cumulative(self, name: str, values: Array, cap: Array | None) -> None:
        """Observed exactly where the defaults are, >= 0, never falling, at most ``cap``."""
        observed = self._observed
        if (np.isnan(values) != ~observed).any():
            raise FieldError(name, "must be given exactly where `cumulative_default_balance` "
                             "is (NaN elsewhere)")
        filled = np.where(observed, values, np.inf)
        if (filled < 0).any():
            v = int(np.flatnonzero((filled < 0).any(axis=1))[0])
            raise FieldError(f"{name}[{self.vintages[v]}]", "must be >= 0")
        step = np.diff(np.where(observed, values, np.nan), axis=1)
        scale = np.nanmax(np.abs(values)) if observed.any() else 1.0
        falls = step < -CUMULATIVE_TOLERANCE * max(scale, 1.0)
        if falls.any():
            v, a = (int(x[0]) for x in np.nonzero(falls))
            raise FieldError(f"{name}[{self.vintages[v]}]",
                             f"falls from {values[v, a]:,.6g} at month on book {a + 1} to "
                             f"{values[v, a + 1]:,.6g} at {a + 2}; a cumulative figure "
                             "never falls")
        if cap is not None:
            over = observed & (values > cap[:, None] * (1 + CUMULATIVE_TOLERANCE))
            if over.any():
                v, a = (int(x[0]) for x in np.nonzero(over))
                raise FieldError(f"{name}[{self.vintages[v]}]",
                                 f"{values[v, a]:,.6g} at month on book {a + 1} is more than "
                                 f"the vintage's original {cap[v]:,.6g}")

    @property
    def n_vintages(self) -> int:
        return len(self.vintages)

    @property
    def n_months(self) -> int:
        """Months on book of the triangle: the longest observed."""
        return int(self.cumulative_default_balance.shape[1])

    @property
    def observed(self) -> np.ndarray:
        """Shape (vintages, months): True where the vintage is observed."""
        return self._observed

    @property
    def observed_months(self) -> np.ndarray:
        """Shape (vintages,): the last observed month on book of each vintage."""
        return np.asarray(self._observed.sum(axis=1), dtype=np.int64)

    @property
    def vintage_months(self) -> np.ndarray:
        """Shape (vintages,): month index of each vintage (:func:`parse_month`)."""
        return _month_index(pd.Series(list(self.vintages), dtype="str"))


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def inspect_static_pool(
    source: Source,
    *,
    file_name: str | None = None,
    sheet: str | None = None,
    shape: Shape = "auto",
    allow_gaps: bool = False,
    as_of: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_cells: int = DEFAULT_MAX_CELLS,
) -> tuple[StaticPoolData | None, ValidationReport]:
    """Read and validate static-pool data, returning the triangle (if loadable) and every
    finding.

    Parameters
    ----------
    source
        A path to a ``.csv``, ``.xlsx`` or ``.xlsm`` file, or the raw bytes of an upload
        (then ``file_name`` names it).
    file_name, sheet, max_bytes, max_rows, max_cells
        As for :func:`abs_tool.io.tape.inspect_tape` (the same limits and defaults).
    shape
        ``"long"``, ``"wide"``, ``"loans"`` (see the module docstring), or ``"auto"``:
        ``long`` when there is a ``months_on_book`` column, ``wide`` when there are
        numbered month columns, ``loans`` when there is a ``loan_id`` column.
    allow_gaps
        A vintage with a month on book missing inside its observed months is an error;
        with ``allow_gaps`` its cumulative figures are interpolated linearly between the
        neighbouring months (from 0 at month on book 0), with a warning per vintage.
    as_of
        Loan-level history only: the last month observed (``YYYY-MM``); a vintage is
        observed up to ``as_of`` minus its origination month. Default: the latest month in
        the file (with a warning saying so).

    Returns
    -------
    data, report
        ``data`` is None when the report has any error.

    Raises
    ------
    InputError
        Only for invalid arguments (``shape``, ``as_of``, a limit); problems with the file
        are findings in the report.
    """
    if shape not in ("auto", *SHAPES):
        raise InputError(f"`shape` must be one of 'auto', 'long', 'wide', 'loans' "
                         f"(got {shape!r})")
    for label, limit in (("max_bytes", max_bytes), ("max_rows", max_rows),
                         ("max_cells", max_cells)):
        if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
            raise InputError(f"`{label}` must be > 0, a whole number (got {limit!r})")
    as_of_month = None if as_of is None else parse_month(as_of)
    name = display_name(source, file_name)
    if isinstance(source, bytes) and file_name is None:
        name = "uploaded static-pool file"
    found = Findings(name, columns=_columns(None if shape == "auto" else shape))
    raw = read_table(source, name, sheet, ReadLimits(max_bytes, max_rows, max_cells), found)
    data = None
    if raw is not None:
        chosen = _shape_of(raw, shape, found)
        if chosen is not None:
            found.columns = _columns(chosen)
            reader = {"long": _long, "wide": _wide, "loans": _loans}[chosen]
            data = reader(raw, found, allow_gaps=allow_gaps, as_of=as_of_month, name=name)
    report = found.report()
    if data is None or not report.ok:
        return None, report
    return data, report


def load_static_pool(
    source: Source,
    *,
    file_name: str | None = None,
    sheet: str | None = None,
    shape: Shape = "auto",
    allow_gaps: bool = False,
    as_of: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_cells: int = DEFAULT_MAX_CELLS,
) -> StaticPoolData:
    """Read static-pool data, or raise one error listing every problem.

    Parameters are those of :func:`inspect_static_pool`, which also returns the warnings.

    Raises
    ------
    StaticPoolError
        When the file has any fatal finding; ``error.report`` holds the whole report.
    """
    data, report = inspect_static_pool(
        source, file_name=file_name, sheet=sheet, shape=shape, allow_gaps=allow_gaps,
        as_of=as_of, max_bytes=max_bytes, max_rows=max_rows, max_cells=max_cells)
    if data is None:
        raise StaticPoolError(report)
    return data


def _shape_of(raw: RawTable, shape: Shape, found: Findings) -> str | None:
    """The shape asked for, or the one the columns show; reports columns that shape does
    not use, and required columns it lacks (when detected)."""
    present = set(raw.columns)
    numbered = sorted(c for c in present if c.startswith(_MOB_PREFIX))
    chosen: str | None = None if shape == "auto" else shape
    if chosen is None:
        if "months_on_book" in present:
            chosen = "long"
        elif numbered:
            chosen = "wide"
        elif "loan_id" in present or "default_month" in present:
            chosen = "loans"
        else:
            found.add(None, None, None,
                      "cannot tell the shape of the data: give a `months_on_book` column "
                      "(long: one row per vintage and month on book), month columns headed "
                      "1, 2, 3 ... (wide: one row per vintage) or a `loan_id` column "
                      "(loan-level history); see docs/static_pool.md")
            return None
    # The tape reader has reported the missing columns of _FILLED where the shape was given.
    reported = () if shape == "auto" else _FILLED[chosen]
    for required in _REQUIRED[chosen]:
        if required not in present and required not in reported:
            aliases = [a for a, c in _ALIASES.items() if c == required]
            found.add(None, required, None,
                      f"required column `{required}` of the {chosen} shape is missing; "
                      f"the header row (row 1) must name it `{required}`"
                      + "".join(f" or {a!r}" for a in aliases))
    if chosen == "wide" and not numbered:
        found.add(None, None, None, "the wide shape needs month columns headed 1, 2, 3 ... "
                  "holding the cumulative default balance by month on book")
    used = {*_REQUIRED[chosen], *_OPTIONAL[chosen]}
    for column in sorted(present - used):
        if not (chosen == "wide" and column.startswith(_MOB_PREFIX)):
            found.add(HEADER_ROW, column, None,
                      f"column `{column}` is not part of the {chosen} shape, ignored",
                      fatal=False)
    return chosen if not any(i.fatal for i in found.issues) else None


def _numbers(raw: RawTable, found: Findings, column: str, low: float, high: float,
             expected: str) -> np.ndarray:
    """A numeric column parsed and range-checked (NaN where empty or invalid)."""
    values = check_numeric(column, raw.columns[column], raw.rows, found)
    outside = (values < low) | (values > high)
    found.cells(raw.rows, outside, column, expected, shown_cells(raw.columns[column], outside))
    values[outside] = np.nan
    return values


def _amounts(raw: RawTable, found: Findings, column: str, *, positive: bool) -> np.ndarray:
    low = MIN_AMOUNT if positive else 0.0
    what = f"from {MIN_AMOUNT:g}" if positive else "from 0"
    return _numbers(raw, found, column, low, MAX_DEAL_AMOUNT,
                    f"`{column}` must be an amount {what} to {MAX_DEAL_AMOUNT:g}")


def _months(raw: RawTable, found: Findings, column: str) -> np.ndarray:
    """Month index of each cell; -1 where empty, -2 where invalid (reported)."""
    text = check_text(column, raw.columns[column], raw, found)
    empty = (text == "").to_numpy()
    months = _month_index(text)
    bad = ~empty & (months < 0)
    found.cells(raw.rows, bad, column, f"`{column}` must be {_MONTH_EXPECTED}",
                shown_cells(text, bad))
    return np.where(empty, -1, np.where(bad, -2, months))


def _required_filled(raw: RawTable, found: Findings, values: dict[str, np.ndarray],
                     optional: tuple[str, ...]) -> None:
    """An optional column given must have a value in every row."""
    for column in optional:
        if column in values:
            empty = np.isnan(values[column]) & _blank(raw, column)
            found.cells(raw.rows, empty, column,
                        f"`{column}` is empty; give it in every row, or remove the column",
                        [None] * int(empty.sum()))


def _blank(raw: RawTable, column: str) -> np.ndarray:
    cells = raw.columns[column]
    if cells.dtype.kind in "iuf":
        return np.asarray(cells.isna().to_numpy(), dtype=bool)
    return np.asarray((cells == "").to_numpy(), dtype=bool)


def _vintage_index(months: np.ndarray, found: Findings) -> tuple[np.ndarray, np.ndarray] | None:
    """(sorted distinct vintage months, index of each row's vintage) within the limit."""
    distinct, index = np.unique(months, return_inverse=True)
    if len(distinct) > MAX_VINTAGES:
        found.add(None, "vintage", None,
                  f"the file has {len(distinct):,} vintages, over the limit of "
                  f"{MAX_VINTAGES:,}; analyse fewer vintages at a time")
        return None
    return distinct, index


def _check_constant(rows: np.ndarray, cells: pd.Series, found: Findings, column: str,
                    values: np.ndarray, index: np.ndarray, labels: list[str]) -> np.ndarray:
    """A per-vintage value (``original_balance``) given alike in every row of the vintage:
    returns it by vintage; rows that differ from the vintage's first are errors."""
    n = int(index.max()) + 1
    order = np.arange(len(index))
    first = np.full(n, len(index))
    np.minimum.at(first, index, order)
    reference = values[first[index]]
    differs = ~np.isnan(values) & ~np.isnan(reference) & ~np.isclose(values, reference,
                                                                       rtol=1e-12, atol=0.0)
    found.cells(rows, differs, column,
                [f"`{column}` of vintage {labels[v]} differs from row {rows[first[v]]} "
                 f"({_fmt(values[first[v]])}); a vintage has one `{column}`"
                 for v in index[differs]],
                shown_cells(cells, differs))
    return np.asarray(values[first], dtype=np.float64)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


_CUMULATIVE = ("cumulative_default_balance", "cumulative_default_count",
               "cumulative_prepaid_balance", "cumulative_recovery_balance")


def _long(raw: RawTable, found: Findings, *, allow_gaps: bool, as_of: int | None,
          name: str) -> StaticPoolData | None:
    present = raw.columns
    if as_of is not None:
        found.add(None, None, None, "`as_of` applies to loan-level history only; ignored",
                  fatal=False)
    vintage = _months(raw, found, "vintage")
    mob = _numbers(raw, found, "months_on_book", 1, MAX_MONTHS_ON_BOOK,
                   f"`months_on_book` must be a whole number from 1 to {MAX_MONTHS_ON_BOOK}")
    values: dict[str, np.ndarray] = {
        "original_balance": _amounts(raw, found, "original_balance", positive=True)}
    for column in ("cumulative_default_balance", "cumulative_prepaid_balance",
                   "cumulative_recovery_balance", "outstanding_balance"):
        if column in present:
            values[column] = _amounts(raw, found, column, positive=False)
    if "original_count" in present:
        values["original_count"] = _numbers(raw, found, "original_count", 1, MAX_COUNT,
                                            f"`original_count` must be from 1 to {MAX_COUNT:g}")
    if "cumulative_default_count" in present:
        values["cumulative_default_count"] = _numbers(
            raw, found, "cumulative_default_count", 0, MAX_COUNT,
            f"`cumulative_default_count` must be from 0 to {MAX_COUNT:g}")
    _required_filled(raw, found, values, _OPTIONAL["long"])
    if ("original_count" in values) != ("cumulative_default_count" in values):
        found.add(None, "original_count", None,
                  "give `original_count` and `cumulative_default_count` together (default "
                  "rates by count need both), or neither")
    # Rows with a valid vintage and month on book are checked against each other even where
    # other cells are bad, so that one report lists every problem.
    valid = (vintage >= 0) & np.isfinite(mob)
    if not valid.any():
        return None
    rows = raw.rows[valid]
    vintages = _vintage_index(vintage[valid], found)
    if vintages is None:
        return None
    distinct, index = vintages
    labels = [month_label(int(m)) for m in distinct]
    per_vintage: dict[str, np.ndarray] = {
        c: _check_constant(rows, present[c][valid], found, c, values[c][valid], index, labels)
        for c in ("original_balance", "original_count") if c in values}
    ages = mob[valid].astype(np.int64) - 1
    key = index * MAX_MONTHS_ON_BOOK + ages
    duplicate = pd.Series(key).duplicated().to_numpy()
    if duplicate.any():
        first_row = pd.Series(rows, index=key).groupby(level=0).first()
        found.cells(rows, duplicate, "months_on_book",
                    [f"vintage {labels[v]} month on book {a + 1} is given twice, first in row "
                     f"{first_row[k]}" for v, a, k in zip(index[duplicate], ages[duplicate],
                                                          key[duplicate], strict=True)],
                    shown_cells(present["months_on_book"][valid], duplicate))
    n_months = int(ages.max()) + 1
    grids = {c: _grid(values[c][valid], index, ages, len(distinct), n_months)
             for c in (*_CUMULATIVE, "outstanding_balance") if c in values}
    row_grid = np.zeros((len(distinct), n_months), dtype=np.int64)
    row_grid[index, ages] = rows
    given = np.zeros((len(distinct), n_months), dtype=bool)
    given[index, ages] = True
    _check_rows(found, grids, per_vintage, row_grid, labels)
    return _finish(found, grids, per_vintage, labels, allow_gaps, name, None, given, row_grid)


def _grid(values: np.ndarray, index: np.ndarray, ages: np.ndarray, n: int,
          n_months: int) -> np.ndarray:
    grid = np.full((n, n_months), np.nan)
    grid[index, ages] = values
    return grid


def _check_rows(found: Findings, grids: dict[str, np.ndarray],
                per_vintage: dict[str, np.ndarray], rows: np.ndarray,
                labels: list[str]) -> None:
    """Cumulative figures that fall from one observed month on book to the next, and more
    defaults (or defaults and prepayments) than the vintage lent; each at its row."""
    for column in _CUMULATIVE:
        if column not in grids:
            continue
        grid = grids[column]
        # The previous observed value of each cell (months in between may be missing).
        previous = pd.DataFrame(grid.T).ffill().shift(1).to_numpy().T
        scale = np.maximum(np.nan_to_num(np.abs(grid)), 1.0)
        falls = grid < previous - CUMULATIVE_TOLERANCE * scale
        v, a = np.nonzero(falls)
        found.cells(rows[v, a], np.ones(len(v), dtype=bool), column,
                    [f"vintage {labels[i]}: `{column}` falls from {_fmt(previous[i, j])} to "
                     f"{_fmt(grid[i, j])} at month on book {j + 1}; a cumulative figure never "
                     "falls (give the cumulative amount, not the month's)"
                     for i, j in zip(v, a, strict=True)],
                    [_fmt(grid[i, j]) for i, j in zip(v, a, strict=True)])
    caps = [("cumulative_default_balance", "original_balance", "defaults"),
            ("cumulative_default_count", "original_count", "defaulted loans")]
    for column, cap_column, what in caps:
        if column not in grids or cap_column not in per_vintage:
            continue
        cap = per_vintage[cap_column][:, None]
        over = grids[column] > cap * (1 + CUMULATIVE_TOLERANCE)
        v, a = np.nonzero(over)
        found.cells(rows[v, a], np.ones(len(v), dtype=bool), column,
                    [f"vintage {labels[i]}: more {what} than the vintage's `{cap_column}` "
                     f"({_fmt(cap[i, 0])}) at month on book {j + 1}"
                     for i, j in zip(v, a, strict=True)],
                    [_fmt(grids[column][i, j]) for i, j in zip(v, a, strict=True)])
    if "cumulative_prepaid_balance" in grids:
        total = grids["cumulative_default_balance"] + grids["cumulative_prepaid_balance"]
        cap = per_vintage["original_balance"][:, None]
        over = total > cap * (1 + CUMULATIVE_TOLERANCE)
        v, a = np.nonzero(over)
        found.cells(rows[v, a], np.ones(len(v), dtype=bool), "cumulative_prepaid_balance",
                    [f"vintage {labels[i]}: defaults plus prepayments ({_fmt(total[i, j])}) "
                     f"exceed the vintage's `original_balance` ({_fmt(cap[i, 0])}) at month "
                     f"on book {j + 1}" for i, j in zip(v, a, strict=True)],
                    [_fmt(grids["cumulative_prepaid_balance"][i, j])
                     for i, j in zip(v, a, strict=True)])
    if "cumulative_recovery_balance" in grids:
        over = grids["cumulative_recovery_balance"] > grids["cumulative_default_balance"] * (
            1 + CUMULATIVE_TOLERANCE) + CUMULATIVE_TOLERANCE
        if over.any():
            # A warning, not an error: recoveries of penalty interest can exceed the principal.
            found.add(None, "cumulative_recovery_balance", None,
                      f"recoveries exceed the defaulted balance in {row_list(rows[over])} "
                      "(interest or fees in the recoveries?); the recovery rate is then above 1",
                      fatal=False)


def _finish(found: Findings, grids: dict[str, np.ndarray], per_vintage: dict[str, np.ndarray],
            labels: list[str], allow_gaps: bool, name: str, lag: float | None,
            given: np.ndarray | None = None,
            rows: np.ndarray | None = None) -> StaticPoolData | None:
    """Find the gaps (error, or interpolate with a warning), then build the data unless an
    error has been found. ``given`` marks the cells the file gives (default: the non-NaN
    default balances), ``rows`` their spreadsheet rows (a gap is reported at the row after
    it)."""
    observed = ~np.isnan(grids["cumulative_default_balance"]) if given is None else given
    last = observed.shape[1] - np.argmax(observed[:, ::-1], axis=1)
    inside = np.arange(observed.shape[1])[None, :] < last[:, None]
    gaps = inside & ~observed
    for v in np.flatnonzero(gaps.any(axis=1)):
        missing = np.flatnonzero(gaps[v]) + 1
        listed = ", ".join(str(int(m)) for m in missing[:10]) + (
            f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        after = None if rows is None else int(rows[v, observed[v] & (
            np.arange(observed.shape[1]) >= missing[0])][0])
        if allow_gaps:
            found.add(after, "months_on_book", None,
                      f"vintage {labels[v]} has no figures for month(s) on book {listed}; "
                      "interpolated linearly between the neighbouring months (allow_gaps)",
                      fatal=False)
        else:
            found.add(after, "months_on_book", None,
                      f"vintage {labels[v]} has no figures for month(s) on book {listed} "
                      f"inside its observed months 1 to {last[v]}; add them, or allow gaps "
                      "(`allow_gaps=True`, --allow-gaps) to interpolate them")
    if any(i.fatal for i in found.issues):
        return None
    if gaps.any():
        ages = np.arange(observed.shape[1] + 1, dtype=np.float64)
        for column, grid in grids.items():
            for v in np.flatnonzero(gaps.any(axis=1)):
                known = np.flatnonzero(observed[v])
                x = np.concatenate(([0.0], known + 1.0))
                start = per_vintage["original_balance"][v] if column == "outstanding_balance" \
                    else 0.0
                y = np.concatenate(([start], grid[v, known]))
                grid[v, gaps[v]] = np.interp(ages[1:][gaps[v]], x, y)
    try:
        return StaticPoolData(
            vintages=tuple(labels),
            original_balance=per_vintage["original_balance"],
            cumulative_default_balance=grids["cumulative_default_balance"],
            original_count=per_vintage.get("original_count"),
            cumulative_default_count=grids.get("cumulative_default_count"),
            cumulative_prepaid_balance=grids.get("cumulative_prepaid_balance"),
            cumulative_recovery_balance=grids.get("cumulative_recovery_balance"),
            outstanding_balance=grids.get("outstanding_balance"),
            recovery_lag_months=lag,
            name=name,
        )
    except FieldError as exc:  # a check the row-level findings do not cover
        found.add(None, None, None, str(exc))
        return None


def _wide(raw: RawTable, found: Findings, *, allow_gaps: bool, as_of: int | None,
          name: str) -> StaticPoolData | None:
    present = raw.columns
    if as_of is not None:
        found.add(None, None, None, "`as_of` applies to loan-level history only; ignored",
                  fatal=False)
    vintage = _months(raw, found, "vintage")
    per_row = {"original_balance": _amounts(raw, found, "original_balance", positive=True)}
    if "original_count" in present:
        per_row["original_count"] = _numbers(raw, found, "original_count", 1, MAX_COUNT,
                                             f"`original_count` must be from 1 to {MAX_COUNT:g}")
    ages = sorted(int(c.removeprefix(_MOB_PREFIX)) for c in present
                  if c.startswith(_MOB_PREFIX))
    if ages and ages[-1] > MAX_MONTHS_ON_BOOK:
        found.add(HEADER_ROW, f"{_MOB_PREFIX}{ages[-1]}", None,
                  f"month on book {ages[-1]} is over the limit of {MAX_MONTHS_ON_BOOK}")
        return None
    n_months = ages[-1] if ages else 0
    grid = np.full((len(raw.rows), n_months), np.nan)
    for age in ages:
        column = f"{_MOB_PREFIX}{age}"
        grid[:, age - 1] = _amounts(raw, found, column, positive=False)
    duplicate = pd.Series(vintage).duplicated().to_numpy() & (vintage >= 0)
    if duplicate.any():
        first_row = pd.Series(raw.rows, index=vintage).groupby(level=0).first()
        found.cells(raw.rows, duplicate, "vintage",
                    [f"vintage given twice, first in row {first_row[m]}"
                     for m in vintage[duplicate]],
                    shown_cells(raw.columns["vintage"], duplicate))
    given = ~np.array([_blank(raw, f"{_MOB_PREFIX}{age}") for age in ages]).T.reshape(
        len(raw.rows), len(ages)) if ages else np.zeros((len(raw.rows), 0), dtype=bool)
    full = np.zeros((len(raw.rows), n_months), dtype=bool)
    full[:, np.array(ages, dtype=np.int64) - 1] = given
    empty_rows = np.asarray(~full.any(axis=1), dtype=bool)
    found.cells(raw.rows, empty_rows, None,
                "the vintage has no cumulative default balance in any month column",
                [None] * int(empty_rows.sum()))
    valid = (vintage >= 0) & ~duplicate & ~empty_rows
    if not valid.any():
        return None
    vintages = _vintage_index(vintage[valid], found)
    if vintages is None:
        return None
    distinct, index = vintages
    labels = [month_label(int(m)) for m in distinct]
    order = np.flatnonzero(valid)[np.argsort(index)]
    grids = {"cumulative_default_balance": grid[order]}
    per_vintage: dict[str, np.ndarray] = {c: v[order] for c, v in per_row.items()}
    # Wide data give defaults by balance only; counts need the long shape.
    per_vintage.pop("original_count", None)
    if "original_count" in per_row:
        found.add(None, "original_count", None, "the wide shape has no default counts, so "
                  "`original_count` is not used; give counts in the long shape", fatal=False)
    rows = np.repeat(raw.rows[order][:, None], n_months, axis=1)
    _check_rows(found, grids, per_vintage, rows, labels)
    return _finish(found, grids, per_vintage, labels, allow_gaps, name, None, full[order], rows)


def _loans(raw: RawTable, found: Findings, *, allow_gaps: bool, as_of: int | None,
           name: str) -> StaticPoolData | None:
    present = raw.columns
    ids = check_text("loan_id", present["loan_id"], raw, found)
    given = (ids != "").to_numpy()
    unsafe = given & ~ids.str.fullmatch(LOAN_ID_RE).to_numpy(dtype=bool)
    found.cells(raw.rows, unsafe, "loan_id",
                "`loan_id` may hold only letters A-Z a-z, digits and _ . - /, and must start "
                "with a letter, digit or _", shown_cells(ids, unsafe))
    duplicate = given & ids.duplicated(keep="first").to_numpy()
    found.cells(raw.rows, duplicate, "loan_id", "duplicate `loan_id`", shown_cells(ids, duplicate))
    vintage = _months(raw, found, "vintage")
    original = _amounts(raw, found, "original_balance", positive=True)
    default_month = _months(raw, found, "default_month")
    default_balance = _amounts(raw, found, "default_balance", positive=False)
    has_recovery = "recovery_balance" in present
    recovery = (_amounts(raw, found, "recovery_balance", positive=False) if has_recovery
                else np.zeros(len(raw.rows)))
    recovery_month = (_months(raw, found, "recovery_month") if "recovery_month" in present
                      else np.full(len(raw.rows), -1))
    rows = raw.rows
    defaulted = default_month >= 0
    no_balance = defaulted & np.isnan(default_balance) & _blank(raw, "default_balance")
    found.cells(rows, no_balance, "default_balance",
                "the loan has a `default_month` but no `default_balance`", [None] * int(
                    no_balance.sum()))
    no_month = (default_month == -1) & ~np.isnan(default_balance) & (default_balance > 0)
    found.cells(rows, no_month, "default_month",
                "the loan has a `default_balance` but no `default_month`",
                [None] * int(no_month.sum()))
    over = defaulted & (default_balance > original * (1 + CUMULATIVE_TOLERANCE))
    found.cells(rows, over, "default_balance",
                "`default_balance` is more than the loan's `original_balance`",
                shown_cells(raw.columns["default_balance"], over))
    early = defaulted & (vintage >= 0) & (default_month < vintage)
    found.cells(rows, early, "default_month", "`default_month` is before the loan's `vintage` "
                "(origination month)", shown_cells(raw.columns["default_month"], early))
    recovered = has_recovery & (np.nan_to_num(recovery) > 0)
    orphan = recovered & ~defaulted
    found.cells(rows, orphan, "recovery_balance",
                "a recovery on a loan with no `default_month`",
                shown_cells(raw.columns["recovery_balance"], orphan) if has_recovery else [])
    with_month = recovery_month >= 0
    before = with_month & defaulted & (recovery_month < default_month)
    found.cells(rows, before, "recovery_month", "`recovery_month` is before `default_month`",
                shown_cells(raw.columns["recovery_month"], before) if "recovery_month" in present
                else [])
    if recovered.any() and "recovery_month" in present:
        undated = recovered & (recovery_month == -1)
        found.cells(rows, undated, "recovery_month", "a recovery with no `recovery_month`",
                    [None] * int(undated.sum()))
    if any(i.fatal for i in found.issues):
        return None
    latest = int(max(vintage.max(), default_month.max(), recovery_month.max()))
    if as_of is None:
        as_of = latest
        found.add(None, None, None, f"observed up to {month_label(as_of)}, the latest month in "
                  "the file; give `as_of` (--as-of) if the history runs later", fatal=False)
    elif as_of < latest:
        found.add(None, None, month_label(as_of),
                  f"`as_of` {month_label(as_of)} is before the latest month in the file "
                  f"({month_label(latest)})")
        return None
    months_observed = as_of - vintage
    fresh = months_observed < 1
    if fresh.any():
        found.add(None, "vintage", None,
                  f"{int(fresh.sum()):,} loan(s) originated in {month_label(as_of)} (as of) have "
                  f"no month on book yet and are left out ({row_list(rows[fresh])})",
                  fatal=False)
    too_old = months_observed > MAX_MONTHS_ON_BOOK
    found.cells(rows, too_old, "vintage",
                f"more than {MAX_MONTHS_ON_BOOK} months on book by `as_of`; the triangle is "
                "limited to that", shown_cells(raw.columns["vintage"], too_old))
    if any(i.fatal for i in found.issues):
        return None
    keep = ~fresh
    if not keep.any():
        found.add(None, None, None, "no loan has a month on book by `as_of`")
        return None
    first_month = defaulted & (default_month == vintage)
    if first_month.any():
        found.add(None, "default_month", None,
                  f"{int(first_month.sum()):,} default(s) in the origination month itself, "
                  f"counted at month on book 1 ({row_list(rows[first_month])})", fatal=False)
    vint, dmob = vintage[keep], np.maximum(default_month[keep] - vintage[keep], 1)
    dflt, bal = defaulted[keep], original[keep]
    vintages = _vintage_index(vint, found)
    if vintages is None:
        return None
    distinct, index = vintages
    n, n_months = len(distinct), int(months_observed[keep].max())
    observed_months = as_of - distinct
    per_vintage: dict[str, np.ndarray] = {
                   "original_balance": np.bincount(index, weights=bal, minlength=n),
                   "original_count": np.bincount(index, minlength=n).astype(np.float64)}

    def cumulative(weights: np.ndarray, ages: np.ndarray, mask: np.ndarray) -> np.ndarray:
        grid = np.zeros((n, n_months))
        np.add.at(grid, (index[mask], np.minimum(ages[mask], n_months) - 1), weights[mask])
        grid = np.cumsum(grid, axis=1)
        grid[np.arange(n_months)[None, :] >= observed_months[:, None]] = np.nan
        return grid

    grids = {
        "cumulative_default_balance": cumulative(np.nan_to_num(default_balance[keep]), dmob,
                                                 dflt),
        "cumulative_default_count": cumulative(np.ones(len(vint)), dmob, dflt),
    }
    lag = None
    if has_recovery:
        rec = np.nan_to_num(recovery[keep])
        rmonth = recovery_month[keep]
        dated = rmonth >= 0
        rmob = np.where(dated, np.maximum(rmonth - vint, 1), dmob)
        if "recovery_month" not in present:
            found.add(None, "recovery_month", None,
                      "no `recovery_month`: recoveries are counted at the default month, and "
                      "the recovery lag is estimated from the vintage curves instead",
                      fatal=False)
        grids["cumulative_recovery_balance"] = cumulative(rec, rmob, rec > 0)
        weight = rec * (dated & (rec > 0))
        if weight.sum() > 0:
            lag = float(np.sum(weight * (rmonth - default_month[keep])) / weight.sum())
    labels = [month_label(int(m)) for m in distinct]
    return _finish(found, grids, per_vintage, labels, allow_gaps, name, lag)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _long_frame(data: StaticPoolData) -> pd.DataFrame:
    v, a = np.nonzero(data.observed)
    frame: dict[str, object] = {
        "vintage": np.array(data.vintages, dtype=object)[v],
        "months_on_book": a + 1,
        "original_balance": data.original_balance[v],
    }
    if data.original_count is not None:
        frame["original_count"] = data.original_count[v].astype(np.int64)
    frame["cumulative_default_balance"] = data.cumulative_default_balance[v, a]
    if data.cumulative_default_count is not None:
        frame["cumulative_default_count"] = data.cumulative_default_count[v, a].astype(np.int64)
    for name in ("cumulative_prepaid_balance", "cumulative_recovery_balance",
                 "outstanding_balance"):
        values = getattr(data, name)
        if values is not None:
            frame[name] = values[v, a]
    return pd.DataFrame(frame)


def _wide_frame(data: StaticPoolData) -> pd.DataFrame:
    frame = pd.DataFrame({"vintage": list(data.vintages),
                          "original_balance": data.original_balance})
    months = pd.DataFrame(data.cumulative_default_balance,
                          columns=[str(a) for a in range(1, data.n_months + 1)])
    return pd.concat([frame, months], axis=1)


def static_pool_bytes(data: StaticPoolData, fmt: Literal["csv", "xlsx"],
                      shape: Literal["long", "wide"] = "long") -> bytes:
    """Serialise static-pool data as a file :func:`load_static_pool` reads back.

    The long shape keeps every array; the wide shape keeps the default balances only.
    CSV is UTF-8 with a byte-order mark, floats in shortest round-trip form, and no text
    that a spreadsheet would run (:func:`abs_tool.io.csvsafe.csv_text`); XLSX has one sheet
    ``static_pool`` with text cells typed as text.

    Raises
    ------
    InputError
        For an unknown ``fmt`` or ``shape``.
    """
    if shape not in ("long", "wide"):
        raise InputError(f"`shape` must be 'long' or 'wide' (got {shape!r})")
    frame = _long_frame(data) if shape == "long" else _wide_frame(data)
    if fmt == "csv":
        return b"\xef\xbb\xbf" + csv_text(frame, index=False).encode("utf-8")
    if fmt != "xlsx":
        raise InputError(f"`fmt` must be 'csv' or 'xlsx' (got {fmt!r})")
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("static_pool")
    sheet.append([str(c) for c in frame.columns])
    for record in frame.itertuples(index=False):
        cells: list[object] = []
        for value in record:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                cells.append(cell)
            elif isinstance(value, float) and value != value:
                cells.append(None)
            else:
                cells.append(value.item() if isinstance(value, np.generic) else value)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_static_pool(data: StaticPoolData, path: str | os.PathLike[str],
                      shape: Literal["long", "wide"] = "long") -> None:
    """Write static-pool data to a ``.csv`` or ``.xlsx`` file, atomically (no partial file
    is ever left: :func:`abs_tool.io.atomic.write_atomic`).

    Raises
    ------
    InputError
        For a suffix other than ``.csv`` or ``.xlsx``, or an unknown ``shape``.
    OutputError
        When the target cannot be written.
    """
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise InputError(f"static-pool file `{target.name}` must end in .csv or .xlsx")
    write_atomic(target, static_pool_bytes(data, "csv" if fmt == "csv" else "xlsx", shape))
