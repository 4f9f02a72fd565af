"""Read and write loan tapes: CSV or XLSX files with one row per loan or receivable.

This is an edge module, the only place where tape files are parsed. A tape becomes a validated
:class:`~abs_tool.model.pool.Pool` plus a :class:`~abs_tool.errors.ValidationReport` that lists
every finding (file, spreadsheet row, column, value, reason). Nothing is silently dropped or fudged:
a fatal finding stops the load, and every default filled in is reported as a warning.

Uploads are untrusted, and no file may cost more than the documented limits allow. A path is
opened only if it is a regular file. Size, zip-bomb, row and cell limits are checked before
anything large is parsed: a CSV's records are counted by a compiled pass over its bytes, and a
worksheet is read by :mod:`abs_tool.io.workbook` only once it is known to be within the limits.
Formulas are never evaluated, and text that a spreadsheet could run as a formula is
neutralised when a tape is written. Damaged files of any kind are findings, never tracebacks.
The format and the limits are described in ``docs/tape.md``.

The other table readers (:mod:`abs_tool.io.static_pool`, :mod:`abs_tool.io.default_schedule`)
read their files through the same safe reader and findings: :func:`read_table`,
:class:`Findings`, :class:`RawTable` and the column checks (:func:`check_numeric`,
:func:`check_text`, :func:`check_loan_ids`) are this module's interface to them.
"""

from __future__ import annotations

import codecs
import difflib
import functools
import io
import operator
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import openpyxl
import pandas as pd
from numba import njit
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.utils import get_column_letter

from abs_tool.errors import InputError, Issue, TapeError, ValidationReport
from abs_tool.io.atomic import read_input, too_large, write_atomic
from abs_tool.io.csvsafe import neutralise_text, unquote_text
from abs_tool.io.workbook import (
    MAX_COLUMNS,
    MAX_COMPRESSION_RATIO,
    MAX_UNCOMPRESSED_FACTOR,
    MAX_WORKBOOK_PARTS,
    MAX_WORKBOOK_XML_BYTES,
    NO_RESULT,
    CellContent,
    ReadLimits,
    SheetValues,
    WorkbookRefused,
    read_sheet,
)
from abs_tool.limits import MAX_LOAN_AMOUNT, MIN_AMOUNT
from abs_tool.model.columns import (
    ALL_COLUMNS,
    AMORTIZATION_ALIASES,
    AMORTIZATION_CODES,
    COLUMN_ALIASES,
    HEADER_ROW,
    INTEGER_COLUMNS,
    NUMERIC_COLUMNS,
    REQUIRED_COLUMNS,
    Amortization,
)
from abs_tool.model.pool import POOL_DTYPES, Pool

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

__all__ = [
    "ACCEPTED_SUFFIXES",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_CELLS",
    "DEFAULT_MAX_ROWS",
    "MAX_COLUMNS",
    "MAX_COMPRESSION_RATIO",
    "MAX_LISTED_CELLS",
    "MAX_TERM_MONTHS",
    "MAX_TEXT_CHARS",
    "MAX_UNCOMPRESSED_FACTOR",
    "MAX_WORKBOOK_PARTS",
    "MAX_WORKBOOK_XML_BYTES",
    "inspect_tape",
    "load_tape",
    "tape_bytes",
    "write_tape",
]

RateUnit = Literal["decimal", "percent"]
TapeFormat = Literal["csv", "xlsx"]
Source = str | os.PathLike[str] | bytes

ACCEPTED_SUFFIXES: tuple[str, ...] = (".csv", ".xlsx", ".xlsm")
DEFAULT_MAX_BYTES = 100 * 2**20
DEFAULT_MAX_ROWS = 1_000_000
"""Most loan rows (below the header) of one tape."""
DEFAULT_MAX_CELLS = 25_000_000
"""Most cells of one tape: room for 1,000,000 loans of 25 columns. The full canonical tape has
15 columns; more cells than this mean a sheet much wider or longer than any tape."""
# A term beyond 100 years is a typo, and the bound keeps terms safely inside int64.
MAX_TERM_MONTHS = 1200
MAX_TEXT_CHARS = 32_767
"""Longest text a spreadsheet cell holds (Excel's limit); a longer text cell is an error rather
than cut when the tape is written as a workbook."""
MAX_LISTED_CELLS = 1_000
"""Most cells reported one by one for one rule in one column; the rest are counted in one
more finding that names their first rows."""

LOAN_ID_RE = r"[A-Za-z0-9_][A-Za-z0-9_.\-/]*"
_KEY_SEPARATORS_RE = r"[\s\-]+"
# Every byte except the control characters that a workbook cannot store (tab, LF, CR are fine).
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if b >= 0x20 or b in (0x09, 0x0A, 0x0D))
_UNIT_SUFFIX_RE = re.compile(r"\s*[(（][^()（）]*[)）]$")

_FORMULA_REASON = ("formula with no saved result (the file was not calculated and saved by a "
                   "spreadsheet); open and save it in Excel, or paste the cells as values")

_TEXT_COLUMNS = tuple(c for c in ALL_COLUMNS if c not in NUMERIC_COLUMNS)

# What an optional column becomes where the tape does not give it (see docs/tape.md).
_DEFAULT_NOTES: dict[str, str] = {
    "amortization": "'level' (等额本息, annuity)",
    "original_balance": "the current `balance`",
    "original_term": "`remaining_term` + `seasoning`",
    "seasoning": "`original_term` - `remaining_term` where `original_term` is given, else 0",
    "annual_pd": "NaN: not on the tape, the deal's default assumptions apply",
    "lgd": "NaN: not on the tape, the deal's recovery assumptions apply",
    "score": "NaN: not on the tape",
    "grade": "'NR' (not rated)",
    "obligor_id": "the `loan_id` (one obligor per loan)",
    "region": "'UNKNOWN'",
    "industry": "'UNKNOWN'",
}
_TEXT_DEFAULTS: dict[str, str] = {
    "amortization": Amortization.LEVEL.value,
    "grade": "NR",
    "region": "UNKNOWN",
    "industry": "UNKNOWN",
}


@dataclass(frozen=True)
class _Rule:
    """The range a numeric column must satisfy, and how to say so."""

    low: float
    high: float
    low_inclusive: bool
    high_inclusive: bool
    expected: str

    def outside(self, values: np.ndarray) -> np.ndarray:
        """True where a finite value breaks the range; NaN (empty or bad) is never outside."""
        below = values < self.low if self.low_inclusive else values <= self.low
        above = values > self.high if self.high_inclusive else values >= self.high
        return below | above


def _amount_rule(column: str) -> _Rule:
    return _Rule(MIN_AMOUNT, MAX_LOAN_AMOUNT, True, True,
                 f"`{column}` must be from {MIN_AMOUNT:g} to {MAX_LOAN_AMOUNT:,.0f} (one cent to "
                 "ten trillion)")


_INF = float("inf")
_RULES: dict[str, _Rule] = {
    "balance": _amount_rule("balance"),
    "rate": _Rule(0, 1, True, False, "`rate` must be an annual decimal in [0, 1), e.g. 0.051"),
    "remaining_term": _Rule(
        1, MAX_TERM_MONTHS, True, True,
        f"`remaining_term` must be from 1 to {MAX_TERM_MONTHS} months",
    ),
    "original_balance": _amount_rule("original_balance"),
    "original_term": _Rule(
        1, MAX_TERM_MONTHS, True, True,
        f"`original_term` must be from 1 to {MAX_TERM_MONTHS} months",
    ),
    "seasoning": _Rule(
        0, MAX_TERM_MONTHS, True, True,
        f"`seasoning` must be from 0 to {MAX_TERM_MONTHS} months (not negative)",
    ),
    "annual_pd": _Rule(0, 1, True, True, "`annual_pd` must be a decimal in [0, 1], e.g. 0.02"),
    "lgd": _Rule(0, 1, True, True, "`lgd` must be a decimal in [0, 1], e.g. 0.45"),
    "score": _Rule(-_INF, _INF, True, True, "`score` must be a number"),
}


def _key(text: str) -> str:
    """Normalise a header or code: trimmed, lower case, spaces and hyphens as '_'."""
    return re.sub(_KEY_SEPARATORS_RE, "_", text.strip().lower())


def _header_key(header: str) -> str:
    """A header's lookup key; a trailing unit in brackets ("剩余本金（元）") is ignored."""
    return _key(_UNIT_SUFFIX_RE.sub("", header.strip()))


@dataclass(frozen=True)
class TableColumns:
    """The columns of one kind of table file, as the reader maps and checks them.

    The loan tape's are :data:`TAPE_COLUMNS`; other readers of CSV/XLSX tables (the
    static-pool reader, :mod:`abs_tool.io.static_pool`) give their own, and share the
    file handling, limits and findings of this module.

    ``names`` are the canonical names in report order, ``aliases`` map other headers onto
    them; ``numbered`` (when not None) turns a header that is a whole number ``k`` into the
    numeric column ``f"{numbered}{k}"`` (a wide table's month columns). ``noun`` names the
    file and ``rows`` its data rows in messages.
    """

    names: tuple[str, ...]
    required: tuple[str, ...]
    numeric: frozenset[str]
    integer: frozenset[str]
    aliases: dict[str, str]
    numbered: str | None = None
    noun: str = "tape"
    rows: str = "loan rows"

    @functools.cached_property
    def lookup(self) -> dict[str, str]:
        """Header key -> canonical name."""
        return {_key(c): c for c in self.names} | {
            _header_key(alias): canonical for alias, canonical in self.aliases.items()
        }

    @functools.cached_property
    def order(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.names)}

    def canonical(self, header: str) -> str | None:
        """The column a header names, or None."""
        key = _header_key(header)
        found = self.lookup.get(key)
        if found is None and self.numbered is not None:
            match = _NUMBERED_RE.fullmatch(key)
            if match is not None and int(match.group(1)) >= 1:
                return f"{self.numbered}{int(match.group(1))}"
        return found

    def is_numeric(self, column: str) -> bool:
        return column in self.numeric or (
            self.numbered is not None and column not in self.names
            and column.startswith(self.numbered))


_NUMBERED_RE = re.compile(r"(?:mob|m|第)?_?(\d{1,4})(?:期|个月|月)?")

TAPE_COLUMNS = TableColumns(ALL_COLUMNS, REQUIRED_COLUMNS, NUMERIC_COLUMNS, INTEGER_COLUMNS,
                            COLUMN_ALIASES)
"""The loan tape's columns (:mod:`abs_tool.model.columns`)."""
_AMORTIZATION_LOOKUP: dict[str, str] = {_key(c): c for c in AMORTIZATION_CODES} | {
    _key(alias): str(code) for alias, code in AMORTIZATION_ALIASES.items()
}
_ACCEPTED_AMORTIZATION = ", ".join(
    [repr(c) for c in AMORTIZATION_CODES] + [repr(a) for a in AMORTIZATION_ALIASES]
)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def inspect_tape(
    source: Source,
    *,
    file_name: str | None = None,
    sheet: str | None = None,
    rate_unit: RateUnit = "decimal",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_cells: int = DEFAULT_MAX_CELLS,
) -> tuple[Pool | None, ValidationReport]:
    """Read and validate a loan tape, returning the pool (if loadable) and every finding.

    Parameters
    ----------
    source
        A path to a ``.csv``, ``.xlsx`` or ``.xlsm`` file, or the raw bytes of an uploaded
        file (then ``file_name`` names it).
    file_name
        The name used to tell the format (by suffix) and shown in messages. Defaults to the
        path's file name; required in practice for bytes.
    sheet
        XLSX only: the worksheet to read; the first visible one when None.
    rate_unit
        ``"decimal"`` (0.051 = 5.1%) or ``"percent"`` (5.1 = 5.1%, divided by 100 on load).
    max_bytes
        Largest accepted file size in bytes; an xlsx may unpack to at most
        ``MAX_UNCOMPRESSED_FACTOR * max_bytes``.
    max_rows
        Most loan rows below the header. A worksheet that declares more (in its dimension)
        or holds a value further down is refused as soon as that is seen, before its values
        are read.
    max_cells
        Most cells: a CSV's records times its widest record; a worksheet's rows times
        columns up to its last value, and the cell elements it holds.

    Returns
    -------
    pool, report
        ``pool`` is None when the report has any error; otherwise a :class:`Pool` named after
        the file, with the columns and dtypes of :data:`abs_tool.model.pool.POOL_DTYPES`. The report
        lists errors and warnings (defaults filled, columns ignored), spreadsheet rows counted
        with the header as row 1.

    Raises
    ------
    InputError
        Only for invalid arguments (``rate_unit``, a limit that is not a positive whole
        number); problems with the file itself are findings in the report.
    """
    if rate_unit not in ("decimal", "percent"):
        raise InputError(f"`rate_unit` must be 'decimal' or 'percent' (got {rate_unit!r})")
    for label, limit in (("max_bytes", max_bytes), ("max_rows", max_rows),
                         ("max_cells", max_cells)):
        if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
            raise InputError(f"`{label}` must be > 0, a whole number (got {limit!r})")
    name = display_name(source, file_name)
    found = Findings(name)
    raw = read_table(source, name, sheet, ReadLimits(max_bytes, max_rows, max_cells), found)
    frame = None if raw is None else _validate(raw, rate_unit, found)
    report = found.report()
    if frame is None or not report.ok:
        return None, report
    return Pool(frame, name=name), report


def load_tape(
    source: Source,
    *,
    file_name: str | None = None,
    sheet: str | None = None,
    rate_unit: RateUnit = "decimal",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_cells: int = DEFAULT_MAX_CELLS,
) -> Pool:
    """Read a loan tape into a :class:`Pool`, or raise one error listing every problem.

    Parameters are those of :func:`inspect_tape`, which also returns the warnings.

    Returns
    -------
    Pool
        The validated loans.

    Raises
    ------
    TapeError
        When the tape has any fatal finding; ``error.report`` holds the whole report.
    """
    pool, report = inspect_tape(
        source, file_name=file_name, sheet=sheet, rate_unit=rate_unit, max_bytes=max_bytes,
        max_rows=max_rows, max_cells=max_cells,
    )
    if pool is None:
        raise TapeError(report)
    return pool


def tape_bytes(pool: Pool, fmt: TapeFormat) -> bytes:
    """Serialise a pool as a tape file with the canonical English headers.

    CSV is UTF-8 with a byte-order mark (so Excel shows Chinese text), floats in shortest
    round-trip form, empty cells for NaN, and a leading apostrophe on text starting with
    ``= + - @ tab CR``. XLSX has one sheet ``loans``; text cells are typed as strings so that
    nothing can become a formula, and floats are stored exactly. Either reads back with
    :func:`load_tape` to an equal pool.

    Parameters
    ----------
    pool
        The loans to write.
    fmt
        ``"csv"`` or ``"xlsx"``.

    Returns
    -------
    bytes
        The file's content.

    Raises
    ------
    InputError
        For an unknown ``fmt``.
    """
    if fmt == "csv":
        return _csv_bytes(pool.loans)
    if fmt == "xlsx":
        return _xlsx_bytes(pool.loans)
    raise InputError(f"`fmt` must be 'csv' or 'xlsx' (got {fmt!r})")


def write_tape(pool: Pool, path: str | os.PathLike[str]) -> None:
    """Write a pool to a ``.csv`` or ``.xlsx`` tape, atomically.

    The content goes to a temporary file in the target's folder, which then replaces the
    target in one step: a failure leaves the old file (or none) and no partial or temporary
    file behind.

    Parameters
    ----------
    pool
        The loans to write.
    path
        Target file; its suffix picks the format.

    Raises
    ------
    InputError
        For a suffix other than ``.csv`` or ``.xlsx``.
    OSError
        When the folder cannot be written.
    """
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise InputError(f"tape file `{target.name}` must end in .csv or .xlsx")
    data = tape_bytes(pool, "csv" if fmt == "csv" else "xlsx")
    write_atomic(target, data)




# --------------------------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------------------------


@dataclass
class Findings:
    """Collects the issues about one tape; rows are spreadsheet rows (header = row 1).

    A workbook cell whose content is itself the problem (a formula with no saved result, a
    spreadsheet error such as ``#DIV/0!``) is reported once, for what it is: ``cell_issues``
    holds those findings, and other findings about the same cell are dropped.
    """

    file: str
    issues: list[Issue] = field(default_factory=list)
    cell_issues: set[Issue] = field(default_factory=set)
    columns: TableColumns = TAPE_COLUMNS

    def add(self, row: int | None, column: str | None, value: str | None, reason: str,
            fatal: bool = True, code: str | None = None,
            params: Mapping[str, object] | None = None) -> None:
        """One finding; ``code`` and ``params`` let a display translate the reason
        (:data:`abs_tool.glossary.REASONS`)."""
        self.issues.append(Issue(self.file, row, column, value, reason, fatal, code,
                                 _params(params)))

    def cells(self, rows: np.ndarray, mask: np.ndarray, column: str | None,
              reasons: str | Sequence[str], shown: Sequence[str | None],
              code: str | None = None,
              params: Mapping[str, object] | Sequence[Mapping[str, object]] | None = None,
              ) -> None:
        """One error per flagged row; ``reasons``, ``shown`` and ``params`` are per flagged
        row or shared (``code`` and ``params``: see :meth:`add`).

        Beyond :data:`MAX_LISTED_CELLS` flagged rows, one more error counts the rest, so that
        a tape with a million bad cells gives a report of bounded size.
        """
        picked = rows[mask]
        per_row = [reasons] * len(picked) if isinstance(reasons, str) else reasons
        listed = min(len(picked), MAX_LISTED_CELLS)
        row_params = ([_params(params)] * listed if params is None or isinstance(params, Mapping)
                      else [_params(p) for p in params[:listed]])
        self.issues.extend(
            Issue(self.file, int(r), column, v, why, True, code, p)
            for r, v, why, p in zip(picked[:listed], shown[:listed], per_row[:listed],
                                    row_params, strict=True)
        )
        if len(picked) > listed:
            rest = picked[listed:]
            self.add(None, column, None,
                     f"{per_row[listed]}: also in {len(rest):,} more row(s) not listed one by "
                     f"one ({row_list(rest)})")

    def cell_content(self, row: int, column: str, value: str | None, reason: str) -> None:
        """A finding about what a workbook cell holds, which replaces any other about it."""
        issue = Issue(self.file, row, column, value, reason)
        self.issues.append(issue)
        self.cell_issues.add(issue)

    def report(self) -> ValidationReport:
        """The findings in file order; a cell with a content finding shows only that one."""
        marked = {(i.row, i.column) for i in self.cell_issues}
        kept = [i for i in self.issues
                if (i.row, i.column) not in marked or i in self.cell_issues]
        order = self.columns.order
        kept.sort(key=lambda i: (i.row is not None, i.row or 0,
                                 order.get(i.column or "", len(order))))
        return ValidationReport(self.file, tuple(kept))


def _params(params: Mapping[str, object] | None) -> tuple[tuple[str, str], ...]:
    """A finding's template values as hashable text pairs."""
    return tuple((k, str(v)) for k, v in (params or {}).items())


def _row_params(rows: np.ndarray, limit: int = 5) -> dict[str, object]:
    """The rows of :func:`row_list` as template values: the text, the numbers listed and
    how many more."""
    return {"rows": row_list(rows, limit),
            "row_numbers": ",".join(str(int(r)) for r in rows[:limit]),
            "more": max(0, len(rows) - limit)}


def row_list(rows: np.ndarray, limit: int = 5) -> str:
    """'rows 3, 5 and 7' style list, cut after ``limit`` rows."""
    shown = ", ".join(str(int(r)) for r in rows[:limit])
    more = f" and {len(rows) - limit:,} more" if len(rows) > limit else ""
    return f"row{'s' if len(rows) > 1 else ''} {shown}{more}"


# --------------------------------------------------------------------------------------------
# Reading: source -> raw columns
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawTable:
    """The loan rows of a tape as read, before validation.

    ``columns`` maps canonical names to the cells: stripped text ('' when empty), or numbers
    (NaN when empty) where the reader found only numbers. They are aligned with ``rows``,
    the spreadsheet row number of each loan row. ``control_chars`` is False when the file is
    known to hold no control characters, which spares a scan of every text column.
    ``apostrophes`` is True for CSV, where :func:`tape_bytes` quotes formula-like text.
    """

    columns: dict[str, pd.Series]
    rows: np.ndarray
    control_chars: bool
    apostrophes: bool


def display_name(source: Source, file_name: str | None) -> str:
    """The name shown in findings: ``file_name``, else the path's file name."""
    if file_name is not None:
        return file_name
    if isinstance(source, bytes):
        return "uploaded tape"
    return Path(source).name


# Compound File Binary (OLE2) files: Excel 97-2003 workbooks, and password-protected workbooks
# of any version (the encrypted package sits in a stream named EncryptedPackage).
_OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ENCRYPTION_STREAMS = tuple(s.encode("utf-16-le") for s in ("EncryptionInfo", "EncryptedPackage"))


def read_table(source: Source, name: str, sheet: str | None, limits: ReadLimits,
          found: Findings) -> RawTable | None:
    """Load the file's bytes, check its format and read its cells; None when unreadable."""
    suffix = Path(name).suffix.lower()
    if isinstance(source, bytes) and not suffix:
        found.add(None, None, None,
                  "give `file_name` with the uploaded bytes: its suffix tells the format "
                  f"({', '.join(ACCEPTED_SUFFIXES)})")
        return None
    # .xls is read only to say what the file really is.
    if suffix not in (*ACCEPTED_SUFFIXES, ".xls"):
        found.add(None, None, None, _unsupported(suffix, found.columns.noun))
        return None
    data = _source_bytes(source, limits.max_bytes, found)
    if data is None:
        return None
    if data.startswith(_OLE2_MAGIC):
        found.add(None, None, None,
                  "encrypted (password-protected) workbook: remove the password in Excel and "
                  "save as .xlsx" if any(s in data for s in _ENCRYPTION_STREAMS) else
                  "legacy Excel 97-2003 .xls workbook: save it as .xlsx")
        return None
    if suffix == ".xls":
        found.add(None, None, None, _unsupported(suffix, found.columns.noun))
        return None
    if suffix == ".csv":
        if sheet is not None:
            found.add(None, None, None, f"a CSV file has no sheets; sheet {sheet!r} ignored",
                      fatal=False)
        return _read_csv(data, limits, found)
    return _read_xlsx(data, sheet, limits, found)


def _unsupported(suffix: str, noun: str = "tape") -> str:
    return (f"unsupported file type {suffix or '(no suffix)'!r}; give a {noun} as "
            f"{', '.join(ACCEPTED_SUFFIXES)} (save .xls workbooks as .xlsx)")


def _source_bytes(source: Source, max_bytes: int, found: Findings) -> bytes | None:
    """The file content, refused (None, with a finding) when over ``max_bytes``, unreadable
    or not a regular file (:func:`abs_tool.io.atomic.read_input`)."""
    if isinstance(source, bytes):
        if len(source) > max_bytes:
            found.add(None, None, None, too_large(len(source), max_bytes))
            return None
        return source
    try:
        return read_input(source, max_bytes=max_bytes,
                          expected=f"a .csv or .xlsx {found.columns.noun}")
    except InputError as exc:
        found.add(None, None, None, str(exc))
        return None


def _map_headers(headers: Sequence[str], found: Findings) -> dict[str, int]:
    """Canonical column -> position; reports unknown, duplicate and missing columns."""
    positions: dict[str, list[int]] = {}
    columns = found.columns
    for pos, header in enumerate(headers):
        canonical = columns.canonical(header)
        if canonical is not None:
            positions.setdefault(canonical, []).append(pos)
        elif header.strip():
            found.add(HEADER_ROW, header.strip(), None,
                      f"unknown column (column {get_column_letter(pos + 1)}), ignored",
                      fatal=False, code="unknown_column",
                      params={"letter": get_column_letter(pos + 1)})
    for canonical, where in positions.items():
        if len(where) > 1:
            named = " and ".join(
                f"{headers[p].strip()!r} (column {get_column_letter(p + 1)})" for p in where
            )
            found.add(HEADER_ROW, canonical, None,
                      f"headers {named} all mean `{canonical}`; keep only one",
                      code="duplicate_headers", params={"named": named, "column": canonical})
    for required in columns.required:
        if required not in positions:
            aliases = [a for a, c in columns.aliases.items() if c == required]
            found.add(None, required, None,
                      f"required column `{required}` is missing; the header row (row 1) must "
                      f"name it `{required}`" + "".join(f" or {a!r}" for a in aliases))
    return {c: where[0] for c, where in positions.items()}


def _warn_unnamed(headers: Sequence[str], width: int, column: Callable[[int], pd.Series],
                  found: Findings) -> None:
    """Warn about data in columns without a header: they are not loaded.

    ``column(pos)`` gives the cells at field position ``pos`` (below the header).
    """
    for pos in range(width):
        unnamed = pos >= len(headers) or not headers[pos].strip()
        if unnamed and not _blank(column(pos)).all():
            found.add(HEADER_ROW, None, None,
                      f"column {get_column_letter(pos + 1)} has values but no header, ignored",
                      fatal=False, code="unnamed_column",
                      params={"letter": get_column_letter(pos + 1)})


def _blank(cells: pd.Series) -> np.ndarray:
    """True where a cell is empty or only whitespace."""
    if cells.dtype.kind in "biuf":
        return cells.isna().to_numpy()
    return (_text(cells) == "").to_numpy()


def _text(cells: pd.Series) -> pd.Series:
    """Cells as stripped text, '' where empty."""
    return cells.astype("str").fillna("").str.strip()


def _loan_rows(columns: dict[str, pd.Series], found: Findings, *, control_chars: bool,
               apostrophes: bool) -> RawTable | None:
    """Strip text cells and drop empty rows (warning about those between loans).

    Returns None when no loan row is left.
    """
    if not columns:  # no known header at all: the missing columns are already reported
        return None
    columns = {c: s if s.dtype.kind in "iuf" else _text(s) for c, s in columns.items()}
    n = len(next(iter(columns.values())))
    rows = np.arange(n) + HEADER_ROW + 1
    empty = np.ones(n, dtype=bool)
    for cells in columns.values():
        empty &= cells.isna().to_numpy() if cells.dtype.kind in "iuf" else (cells == "").to_numpy()
    if empty.all():
        found.add(None, None, None,
                  f"the {found.columns.noun} has no {found.columns.rows} below the header")
        return None
    # Trailing empty rows are spreadsheet formatting; ones between loans may be a mistake.
    last = np.flatnonzero(~empty)[-1]
    inner = np.flatnonzero(empty[:last])
    if inner.size:
        found.add(None, None, None,
                  f"{inner.size} empty row(s) ignored ({row_list(rows[inner])})", fatal=False,
                  code="empty_rows", params={"n": inner.size, **_row_params(rows[inner])})
    keep = ~empty
    return RawTable({c: s[keep].reset_index(drop=True) for c, s in columns.items()}, rows[keep],
                    control_chars, apostrophes)


# CSV ----------------------------------------------------------------------------------------


def _read_csv(data: bytes, limits: ReadLimits, found: Findings) -> RawTable | None:
    """Read a CSV tape: UTF-8 (with or without BOM), else GBK/GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    encoding = _csv_encoding(data, found)
    if encoding is None or not _csv_within_limits(data, limits, found):
        return None
    try:
        head = _parse_csv(data, encoding, nrows=1, dtype=str)
    except pd.errors.EmptyDataError:
        found.add(None, None, None, "the file is empty", code="empty_file")
        return None
    headers = [str(h) if isinstance(h, str) else "" for h in head.iloc[0]]
    if _other_separator(headers, found):
        return None
    positions = _map_headers(headers, found)
    body = _csv_body(data, encoding, positions, len(headers), found)
    if body is None:
        return None
    _warn_unnamed(headers, body.shape[1], body.__getitem__, found)
    _flag_extra_fields(body, len(headers), found)
    # Bytes below 0x20 are single characters in both UTF-8 and GB18030, so one C-speed pass
    # over the file replaces a regex scan of every text column.
    control_chars = bool(data.translate(None, _NOT_CONTROL_BYTES))
    return _loan_rows({c: body[p] for c, p in positions.items()}, found,
                      control_chars=control_chars, apostrophes=True)


def _csv_encoding(data: bytes, found: Findings) -> str | None:
    """UTF-8 or, for Chinese Excel exports, GB18030 (a superset of GBK); None if neither."""
    if data.startswith(b"PK\x03\x04"):
        found.add(None, None, None,
                  "this is an Excel workbook (zip), not CSV text; name it .xlsx")
        return None
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    found.add(None, None, None,
              "the CSV text is neither UTF-8 nor GBK/GB18030; save it as 'CSV UTF-8'")
    return None


def _csv_within_limits(data: bytes, limits: ReadLimits, found: Findings) -> bool:
    """Count the records and fields as pandas will split them, before it allocates any."""
    records, widest = _csv_shape(np.frombuffer(data, np.uint8))
    loans = records - HEADER_ROW
    if loans > limits.max_rows:
        found.add(None, None, None,
                  f"the CSV has {loans:,} rows below the header, over the limit of "
                  f"{limits.max_rows:,} (`max_rows`); split the tape, or raise `max_rows`")
        return False
    if widest > MAX_COLUMNS:
        found.add(None, None, None,
                  f"the CSV has a row of {widest:,} fields, over the limit of {MAX_COLUMNS:,} "
                  "columns (as many as a spreadsheet has); check the separators and quotes")
        return False
    if records * widest > limits.max_cells:
        found.add(None, None, None,
                  f"the CSV has {records:,} rows of up to {widest:,} fields, "
                  f"{records * widest:,} cells, over the limit of {limits.max_cells:,} "
                  "(`max_cells`); remove unused columns, split the tape, or raise `max_cells`")
        return False
    return True


_OTHER_SEPARATORS = {";": "semicolons, as Excel writes CSV where the decimal separator is a "
                          "comma", "\t": "tabs (tab-separated text)"}


def _other_separator(headers: Sequence[str], found: Findings) -> bool:
    """Report (and return True) a header row that names known columns only when split at
    another separator than the comma: the whole file would read as one column."""
    known = found.columns.lookup
    if any(_header_key(h) in known for h in headers):
        return False
    line = ",".join(headers)
    for separator, what in _OTHER_SEPARATORS.items():
        if sum(_header_key(h) in known for h in line.split(separator)) >= 2:
            found.add(None, None, None,
                      f"the fields are separated by {what}, not by commas; save the "
                      f"{found.columns.noun} as "
                      "'CSV UTF-8 (comma delimited)' with ',' as the list separator, or as "
                      ".xlsx")
            return True
    return False


def _parse_csv(data: bytes, encoding: str, *, skiprows: int = 0, nrows: int | None = None,
               usecols: list[int] | None = None, dtype: type[str] | None = None) -> pd.DataFrame:
    """Parse CSV fields by position; only an empty field is NaN ("NA", "null" stay text)."""
    return pd.read_csv(io.BytesIO(data), header=None, encoding=encoding, keep_default_na=False,
                       na_values=[""], skip_blank_lines=False, skiprows=skiprows, nrows=nrows,
                       usecols=usecols, dtype=dtype)


def _csv_body(data: bytes, encoding: str, positions: dict[str, int], width: int,
              found: Findings) -> pd.DataFrame | None:
    """The rows below the header, one column per field position.

    Numeric columns are left to the C parser's own number inference (exact, and several
    times faster than reading every cell as text); text columns that it turned into numbers
    ("00123" -> 123) are read again as text.
    """
    try:
        body = _parse_csv(data, encoding, skiprows=1)
    except pd.errors.EmptyDataError:
        return pd.DataFrame(columns=range(width), dtype="str")
    except pd.errors.ParserError as exc:
        found.add(None, None, None,
                  f"cannot parse the CSV ({exc}); a value probably contains an unquoted comma "
                  "or quote")
        return None
    text_positions = [p for c, p in positions.items()
                      if not found.columns.is_numeric(c) and p < body.shape[1]
                      and not isinstance(body[p].dtype, pd.StringDtype)]
    if text_positions:
        again = _parse_csv(data, encoding, skiprows=1, usecols=text_positions, dtype=str)
        for p in text_positions:
            body[p] = again[p]
    # Headers with no field below them in any row read as empty columns.
    return body.reindex(columns=range(max(width, body.shape[1])))


def _flag_extra_fields(body: pd.DataFrame, width: int, found: Findings) -> None:
    """Rows with more fields than the header: their values have probably shifted."""
    if body.shape[1] <= width:
        return
    extra = ~np.logical_and.reduce([_blank(body[p]) for p in range(width, body.shape[1])])
    rows = np.arange(len(body)) + HEADER_ROW + 1
    found.cells(rows, extra, None,
                f"the row has more fields than the header ({width}); a value probably "
                "contains an unquoted comma; quote it or remove the comma",
                [None] * int(extra.sum()))


@njit(cache=True, nogil=True)
def _csv_shape(data: np.ndarray) -> tuple[int, int]:  # pragma: no cover - compiled
    """(records, most fields of one record) of CSV bytes, split as pandas' C parser does.

    Records end at LF, CR or CR LF outside quotes; an empty line is a record (the tape is
    read with ``skip_blank_lines=False``). A quote opens a quoted field only at the start of
    a field; inside one, a doubled quote is a quote and a single one closes it.
    """
    records = 0
    widest = 0
    fields = 1
    at_field_start = True
    in_quotes = False
    after_quote = False
    in_record = False
    i = 0
    n = len(data)
    while i < n:
        b = data[i]
        if in_quotes:
            if b == 34:
                in_quotes = False
                after_quote = True
        elif b == 44:
            fields += 1
            at_field_start = True
            after_quote = False
            in_record = True
        elif b == 10 or b == 13:
            records += 1
            widest = max(widest, fields)
            fields = 1
            at_field_start = True
            after_quote = False
            in_record = False
            if b == 13 and i + 1 < n and data[i + 1] == 10:
                i += 1
        else:
            if b == 34 and (at_field_start or after_quote):
                in_quotes = True
            at_field_start = False
            after_quote = False
            in_record = True
        i += 1
    if in_record or in_quotes:
        records += 1
        widest = max(widest, fields)
    return records, widest


# XLSX ---------------------------------------------------------------------------------------


def _read_xlsx(data: bytes, sheet: str | None, limits: ReadLimits,
               found: Findings) -> RawTable | None:
    """Read a worksheet's values (saved results, never formulas) within the limits; why a
    workbook cannot be read is a finding (:func:`abs_tool.io.workbook.read_sheet`)."""
    try:
        values = read_sheet(data, sheet, limits)
    except WorkbookRefused as refused:
        for problem in refused.problems:
            found.add(None, None, None, problem)
        return None
    if not values.rows:
        found.add(None, None, None, f"sheet {values.title!r} is empty")
        return None
    return _xlsx_rows(values, found)


def _xlsx_rows(values: SheetValues, found: Findings) -> RawTable | None:
    """The loan rows of a sheet's values, with its formula and error cells reported."""
    rows = values.rows
    width = max(map(len, rows))
    if any(len(r) < width for r in rows):
        rows = [r + [""] * (width - len(r)) for r in rows]
    headers = [_cell_text(v) for v in rows[0]]
    positions = _map_headers(headers, found)
    body = rows[1:]

    def column(pos: int, numeric: bool = False) -> pd.Series:
        return _xlsx_column(list(map(operator.itemgetter(pos), body)), numeric)

    _warn_unnamed(headers, width, column, found)
    _report_contents(values.contents, values.dropped, positions, found)
    columns = {c: column(p, found.columns.is_numeric(c)) for c, p in positions.items()}
    return _loan_rows(columns, found, control_chars=True, apostrophes=False)


def _report_contents(contents: list[CellContent], dropped: int,
                     positions: dict[str, int], found: Findings) -> None:
    """Formula cells with no saved result and spreadsheet errors, in the loan columns."""
    at = {p + 1: c for c, p in positions.items()}
    for cell in contents:
        column, row, text = at.get(cell.column), cell.row, cell.text
        if column is None or row <= HEADER_ROW:
            continue
        if cell.kind == NO_RESULT:
            found.cell_content(row, column, f"={text}" if text else None, _FORMULA_REASON)
        else:
            found.cell_content(row, column, text,
                               f"the cell holds the spreadsheet error {text} instead of a value; "
                               "correct the formula or the cells it uses")
    if dropped:
        found.add(None, None, None,
                  f"{dropped:,} more cells hold formulas with no saved result or spreadsheet "
                  "errors, not listed one by one; open and save the file in Excel")


def _cell_text(value: object) -> str:
    """A cell value as text; numbers as written (5, 0.051), exactly for parsing back."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return "" if value is None else str(value)


def _xlsx_column(values: list[Any], numeric: bool) -> pd.Series:
    """One column's cells: floats (NaN where empty) for a numeric column holding only
    numbers, else text ('' where empty), which validation parses and reports cell by cell."""
    kinds = set(map(type, values))
    if numeric and kinds <= {float, str} and (str not in kinds or all(
            v == "" for v in values if type(v) is str)):
        return pd.Series([np.nan if v == "" else v for v in values], dtype=float)
    if kinds <= {str}:
        return pd.Series(values, dtype="str")
    return pd.Series([_cell_text(v) for v in values], dtype="str")


# --------------------------------------------------------------------------------------------
# Validation: raw columns -> loan frame
# --------------------------------------------------------------------------------------------


def _validate(raw: RawTable, rate_unit: RateUnit, found: Findings) -> pd.DataFrame | None:
    """Check every cell, then build the pool frame with defaults; None on any error."""
    present = raw.columns
    numbers = {c: check_numeric(c, present[c], raw.rows, found)
               for c in ALL_COLUMNS if c in NUMERIC_COLUMNS and c in present}
    if "rate" in numbers:
        numbers["rate"] = _check_rate(numbers["rate"], present["rate"], raw.rows, rate_unit,
                                      found)
    for column, values in numbers.items():
        _check_range(column, values, present[column], raw.rows, found)
    texts = {c: check_text(c, present[c], raw, found)
             for c in _TEXT_COLUMNS if c in present}
    if "loan_id" in texts:
        check_loan_ids(texts["loan_id"], raw.rows, found)
    if "amortization" in texts:
        texts["amortization"] = _check_amortization(texts["amortization"], raw.rows, found)
    if any(i.fatal for i in found.issues):
        return None
    seasoning = _default_seasoning(numbers, raw.rows, found)
    if seasoning is None:
        return None
    _warn_defaults(present, numbers, texts, raw.rows, found)
    return _assemble(numbers, texts, seasoning)


def shown_cells(cells: pd.Series, mask: np.ndarray) -> list[str | None]:
    """The flagged cells as the user wrote them (numbers without a spurious '.0')."""
    picked = cells[mask]
    if picked.dtype.kind in "iuf":
        return [_number_text(float(v)) for v in picked]
    return [None if v is None or v != v else str(v) for v in picked]


def _number_text(value: float) -> str:
    """A number as a person would write it: 5 rather than 5.0, else the exact repr."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)


def check_numeric(column: str, cells: pd.Series, rows: np.ndarray,
                   found: Findings) -> np.ndarray:
    """Parse a numeric column; NaN where empty or invalid (each invalid cell reported)."""
    if cells.dtype.kind in "iuf":
        values = cells.to_numpy(dtype=float, copy=True)
        empty = np.isnan(values)
    else:
        empty = (cells == "").to_numpy()
        values = pd.to_numeric(cells, errors="coerce").to_numpy(
            dtype=float, na_value=np.nan, copy=True)
    bad = ~empty & ~np.isfinite(values)
    found.cells(rows, bad, column,
                f"`{column}` is not a number; write plain digits, without thousands "
                "separators, % signs or units", shown_cells(cells, bad), code="not_a_number",
                params={"column": column})
    values[bad] = np.nan
    if column in found.columns.required:
        found.cells(rows, empty, column, f"required value `{column}` is empty",
                    [None] * int(empty.sum()), code="required_empty", params={"column": column})
    if column in found.columns.integer:
        fraction = np.isfinite(values) & (values != np.floor(values))
        found.cells(rows, fraction, column,
                    f"`{column}` must be a whole number of months (3.0 is fine, 3.5 is not)",
                    shown_cells(cells, fraction), code="whole_months", params={"column": column})
        values[fraction] = np.nan
    return values


def _check_rate(values: np.ndarray, cells: pd.Series, rows: np.ndarray, rate_unit: RateUnit,
                found: Findings) -> np.ndarray:
    """Apply the rate unit; catch percent figures given as decimals (and the reverse).

    In decimal mode, rates from 1 to 100 are percent figures. When they are most of the
    column, the column is in percent: one error says so, instead of one per row. When they
    are a few among decimals, each is an error of its row (the range check) and a warning
    says how to write it.
    """
    given = values[np.isfinite(values)]
    if rate_unit == "percent":
        if given.size and 0 < given.max() <= 1:
            found.add(None, "rate", None,
                      f"rate unit is 'percent' but every `rate` is <= 1 (largest "
                      f"{_number_text(float(given.max()))}, read as "
                      f"{given.max() / 100:.6g}); check that the rates are in percent",
                      fatal=False)
        return values / 100
    percent = (values > 1) & (values <= 100)
    if not percent.any():
        return values
    first = float(values[percent][0])
    if 2 * percent.sum() > given.size:
        found.add(None, "rate", None,
                  f"`rate` looks like percent (got {_number_text(first)}); give "
                  f"{first / 100:.10g} or choose rate unit 'percent'", code="rate_percent",
                  params={"value": _number_text(first), "decimal": f"{first / 100:.10g}"})
        # Report only the rows that are wrong in either unit, not every percent figure.
        return np.where(percent, np.nan, values)
    found.add(None, "rate", None,
              f"{row_list(rows[percent])}: a `rate` above 1 among decimal rates looks like "
              f"percent; write {first / 100:.10g} for {_number_text(first)}%", fatal=False)
    return values


def _check_range(column: str, values: np.ndarray, cells: pd.Series, rows: np.ndarray,
                 found: Findings) -> None:
    """Report values outside the column's range and blank them (NaN) in ``values``."""
    rule = _RULES[column]
    outside = rule.outside(values)
    found.cells(rows, outside, column, rule.expected, shown_cells(cells, outside), code="range",
                params={"column": column, "expected": rule.expected})
    values[outside] = np.nan


def check_text(column: str, text: pd.Series, raw: RawTable, found: Findings) -> pd.Series:
    """The text less quoting apostrophes; control characters cannot be stored in a workbook,
    nor more than :data:`MAX_TEXT_CHARS` characters in one cell."""
    rows = raw.rows
    # Undo the apostrophe that tape_bytes puts before formula-like text in CSV.
    if raw.apostrophes and text.str.startswith("'").any():
        text = unquote_text(text)
    if raw.control_chars:
        control = text.str.contains(ILLEGAL_CHARACTERS_RE.pattern).to_numpy(dtype=bool)
        found.cells(rows, control, column,
                    f"`{column}` contains a control character; remove it",
                    shown_cells(text, control),
                    code="control_char", params={"column": column})
    lengths = text.str.len().to_numpy()
    long = lengths > MAX_TEXT_CHARS
    if long.any():
        found.cells(rows, long, column,
                    [f"`{column}` has {n:,} characters, more than the {MAX_TEXT_CHARS:,} a "
                     "spreadsheet cell holds; shorten it" for n in lengths[long]],
                    [f"{v[:40]}..." for v in text[long]])
    if column in found.columns.required:
        empty = (text == "").to_numpy()
        found.cells(rows, empty, column, f"required value `{column}` is empty",
                    [None] * int(empty.sum()), code="required_empty", params={"column": column})
    return text


def check_loan_ids(ids: pd.Series, rows: np.ndarray, found: Findings) -> None:
    """Loan ids: safe characters only (no formula injection), each id once."""
    given = (ids != "").to_numpy()
    unsafe = given & ~ids.str.fullmatch(LOAN_ID_RE).to_numpy(dtype=bool)
    found.cells(rows, unsafe, "loan_id",
                "`loan_id` may hold only letters A-Z a-z, digits and _ . - /, and must start "
                "with a letter, digit or _ (a leading = + - @ could run as a spreadsheet "
                "formula)", shown_cells(ids, unsafe), code="loan_id_chars")
    duplicate = given & ids.duplicated(keep="first").to_numpy()
    if duplicate.any():
        first_rows = pd.Series(rows[given], index=ids[given]).groupby(level=0).first()
        dup_ids = ids[duplicate]
        firsts = list(dup_ids.map(first_rows))
        found.cells(rows, duplicate, "loan_id",
                    [f"duplicate `loan_id`, first given in row {r}" for r in firsts],
                    list(dup_ids), code="duplicate_id", params=[{"first": r} for r in firsts])


def _check_amortization(text: pd.Series, rows: np.ndarray, found: Findings) -> pd.Series:
    """Map amortization codes and aliases (any case) onto the canonical codes; an unknown
    value is answered with the closest accepted spelling, where one is close."""
    lookup = pd.Series(_AMORTIZATION_LOOKUP)
    codes = text.str.lower().map(lookup)
    missed = codes.isna() & (text != "")
    if missed.any():  # only unusual spellings ("Interest Only") pay for the regex
        codes[missed] = text[missed].str.lower().str.replace(
            _KEY_SEPARATORS_RE, "_", regex=True).map(lookup)
    unknown = (codes.isna() & (text != "")).to_numpy()
    if unknown.any():
        values = list(text[unknown])
        # Only the cells listed one by one need a suggestion (see Findings.cells).
        reasons = [_unknown_amortization(v) for v in values[:MAX_LISTED_CELLS]]
        reasons += [_unknown_amortization("")] * (len(values) - len(reasons))
        found.cells(rows, unknown, "amortization", reasons, values)
    return codes.fillna("").astype("str")


@functools.lru_cache(maxsize=1024)
def _unknown_amortization(value: str) -> str:
    close = difflib.get_close_matches(_key(value), _AMORTIZATION_LOOKUP, n=1, cutoff=0.6)
    hint = "".join(f"closest accepted: {c!r} (= {_AMORTIZATION_LOOKUP[c]!r}); " for c in close)
    return f"unknown `amortization`; {hint}accepted: {_ACCEPTED_AMORTIZATION}"


def _default_seasoning(numbers: dict[str, np.ndarray], rows: np.ndarray,
                       found: Findings) -> np.ndarray | None:
    """Seasoning as given, else original_term - remaining_term, else 0; None if negative."""
    n = len(rows)
    given = numbers.get("seasoning", np.full(n, np.nan))
    original = numbers.get("original_term", np.full(n, np.nan))
    derived = original - numbers["remaining_term"]
    use_derived = np.isnan(given) & ~np.isnan(original)
    negative = use_derived & (derived < 0)
    found.cells(rows, negative, "original_term",
                "`original_term` is shorter than `remaining_term`, so `seasoning` would be "
                "negative; correct either term or give `seasoning`",
                [_number_text(float(v)) for v in original[negative]],
                code="negative_seasoning")
    if negative.any():
        return None
    return np.where(np.isnan(given), np.where(use_derived, derived, 0.0), given)


def _warn_defaults(present: dict[str, pd.Series], numbers: dict[str, np.ndarray],
                   texts: dict[str, pd.Series], rows: np.ndarray, found: Findings) -> None:
    """One warning per optional column that is missing or has empty cells."""
    for column, note in _DEFAULT_NOTES.items():
        if column not in present:
            found.add(None, column, None,
                      f"optional column `{column}` is not on the tape; every loan gets {note}",
                      fatal=False, code="optional_missing",
                      params={"column": column, "note": note})
            continue
        empty = (np.isnan(numbers[column]) if column in numbers
                 else (texts[column] == "").to_numpy())
        if empty.any():
            found.add(None, column, None,
                      f"{int(empty.sum())} empty cell(s) filled with {note} "
                      f"({row_list(rows[empty])})", fatal=False, code="empty_filled",
                      params={"n": int(empty.sum()), "column": column, "note": note,
                              **_row_params(rows[empty])})


def _assemble(numbers: dict[str, np.ndarray], texts: dict[str, pd.Series],
              seasoning: np.ndarray) -> pd.DataFrame:
    """The pool frame: every column, defaults filled, dtypes of POOL_DTYPES."""
    n = len(seasoning)
    nan = np.full(n, np.nan)
    balance = numbers["balance"]
    remaining = numbers["remaining_term"]
    original_balance = numbers.get("original_balance", nan)
    original_term = numbers.get("original_term", nan)
    loan_id = texts["loan_id"].to_numpy(dtype=object)
    data: dict[str, np.ndarray] = {
        "loan_id": loan_id,
        "balance": balance,
        "rate": numbers["rate"],
        "remaining_term": remaining,
        "original_balance": np.where(np.isnan(original_balance), balance, original_balance),
        "original_term": np.where(np.isnan(original_term), remaining + seasoning, original_term),
        "seasoning": seasoning,
        "annual_pd": numbers.get("annual_pd", nan),
        "lgd": numbers.get("lgd", nan),
        "score": numbers.get("score", nan),
        "obligor_id": _filled(texts.get("obligor_id"), loan_id, n),
    }
    for column, default in _TEXT_DEFAULTS.items():
        data[column] = _filled(texts.get(column), default, n)
    # Explicit dtypes: pandas would otherwise turn object arrays of str into its str dtype.
    return pd.DataFrame({c: pd.Series(data[c], dtype=POOL_DTYPES[c]) for c in ALL_COLUMNS})


def _filled(text: pd.Series | None, default: np.ndarray | str, n: int) -> np.ndarray:
    """Text as Python str objects, empty cells (or a missing column) taken from ``default``."""
    if text is None:
        return np.full(n, default, dtype=object)
    return np.where((text == "").to_numpy(), default, text.to_numpy(dtype=object))


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _csv_bytes(loans: pd.DataFrame) -> bytes:
    """RFC 4180 CSV, built column-wise: several times faster than ``DataFrame.to_csv``."""
    fields = [_csv_fields(loans[c]) for c in ALL_COLUMNS]
    lines = [",".join(ALL_COLUMNS), *map(",".join, zip(*fields, strict=True))]
    return codecs.BOM_UTF8 + ("\n".join(lines) + "\n").encode("utf-8")


def _csv_fields(values: pd.Series) -> list[str]:
    """One column as CSV fields: floats in repr form (exact on reading), '' for NaN, text
    neutralised against formulas and quoted where it holds a comma, quote or line break."""
    if values.dtype.kind == "f":
        array = values.to_numpy()
        text = np.array(list(map(float.__repr__, array.tolist())), dtype=object)
        text[np.isnan(array)] = ""
        return list(text)
    if values.dtype.kind in "iu":
        return list(map(str, values.tolist()))
    safe = neutralise_text(values.astype("str")).astype("str")
    special = safe.str.contains(r'[",\r\n]')
    return safe.where(~special, '"' + safe.str.replace('"', '""') + '"').tolist()


def _xlsx_bytes(loans: pd.DataFrame) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("loans")
    # A write-only sheet has no <dimension> element unless it is told its size, and without
    # one a read-only openpyxl parses the whole sheet an extra time just to size it.
    size = f"A1:{get_column_letter(len(ALL_COLUMNS))}{len(loans) + HEADER_ROW}"
    sheet.calculate_dimension = lambda: size
    sheet.append(list(ALL_COLUMNS))
    makers = [_cell_maker(sheet, loans[c].dtype.kind) for c in ALL_COLUMNS]
    for values in zip(*(loans[c].tolist() for c in ALL_COLUMNS), strict=True):
        sheet.append([make(v) for make, v in zip(makers, values, strict=True)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell_maker(sheet: WriteOnlyWorksheet, kind: str) -> Callable[[Any], object]:
    """A function turning one value of a column of dtype ``kind`` into a cell value."""

    def text_cell(value: object) -> Cell:
        # Typing the cell as a string stops openpyxl from storing "=..." as a formula.
        cell = WriteOnlyCell(sheet, value=str(value))
        cell.data_type = "s"
        return cell

    def float_cell(value: float) -> Cell | None:
        if value != value:
            return None
        # openpyxl writes numbers with 16 significant digits; repr text keeps them exact.
        cell = WriteOnlyCell(sheet, value=repr(float(value)))
        cell.data_type = "n"
        return cell

    if kind == "f":
        return float_cell
    if kind in "iu":
        return int
    return text_cell

