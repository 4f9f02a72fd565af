"""Loan-level default schedules: which loans default in which month of a deterministic
scenario, read from CSV/XLSX files and checked against the pool.

A schedule file has one row per loan that defaults: ``loan_id`` and ``default_month``
(1..horizon, the month in which the loan stops paying), and optionally ``recovery_rate`` (in
[0, 1], the share of its defaulted balance recovered ``lag`` months later; empty: the
scenario's rate). Chinese headers are accepted (资产编号, 违约月份, 回收率). The file is read
by the loan-tape reader's machinery (:mod:`abs_tool.io.tape`: size and cell limits, CSV
encodings, workbooks, formula cells), and every finding names the file, the spreadsheet row
(the header is row 1) and the column.

Checked against the pool (:func:`check_default_schedule`): a ``loan_id`` that is not on
the tape, a month outside 1..horizon, the same loan twice, and a loan scheduled to default
after its last month (``remaining_term``): it has no balance left then, so the row is an
error rather than a silent no-op. What a scenario does with a schedule:
:mod:`abs_tool.engine.deterministic` and ``docs/waterfall.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from abs_tool.errors import InputError, TapeError, ValidationReport
from abs_tool.io.tape import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_CELLS,
    DEFAULT_MAX_ROWS,
    Findings,
    Source,
    TableColumns,
    check_loan_ids,
    check_numeric,
    check_text,
    display_name,
    read_table,
    shown_cells,
)
from abs_tool.io.workbook import ReadLimits
from abs_tool.model.pool import Pool

__all__ = [
    "DefaultSchedule",
    "DefaultScheduleError",
    "check_default_schedule",
    "inspect_default_schedule",
    "load_default_schedule",
]

SCHEDULE_COLUMNS = TableColumns(
    names=("loan_id", "default_month", "recovery_rate"),
    required=("loan_id", "default_month"),
    numeric=frozenset({"default_month", "recovery_rate"}),
    integer=frozenset({"default_month"}),
    aliases={"资产编号": "loan_id", "贷款编号": "loan_id", "违约月份": "default_month",
             "违约期数": "default_month", "回收率": "recovery_rate"},
    noun="default schedule",
    rows="loan rows",
)
"""The columns of a default-schedule file."""

_HEADER_ROW = 1


@dataclass(frozen=True)
class DefaultSchedule:
    """Loans that default in given months of a deterministic scenario.

    ``loan_id`` (loans of the tape), ``default_month`` (1..horizon: the loan defaults at
    the start of that month, with the balance it has then, and pays nothing from it on),
    ``recovery_rate`` (in [0, 1], or None for the scenario's rate for that loan), all of
    one length; ``name`` is the file it came from and ``rows`` each loan's row there
    (spreadsheet rows, the header row 1: by default 2, 3, ...), which findings name.

    Raises
    ------
    DefaultScheduleError
        Lengths that differ, a month that is not a whole number >= 1, a rate outside
        [0, 1], a loan twice or an unsafe ``loan_id``: every finding, as for a file.
    """

    loan_id: tuple[str, ...]
    default_month: tuple[int, ...]
    recovery_rate: tuple[float | None, ...] = ()
    name: str = "default schedule"
    rows: tuple[int, ...] = field(default=())

    def __post_init__(self) -> None:
        n = len(self.loan_id)
        if not self.recovery_rate:
            object.__setattr__(self, "recovery_rate", (None,) * n)
        if not self.rows:
            object.__setattr__(self, "rows", tuple(range(_HEADER_ROW + 1, _HEADER_ROW + 1 + n)))
        found = Findings(self.name, columns=SCHEDULE_COLUMNS)
        for label in ("default_month", "recovery_rate", "rows"):
            if len(getattr(self, label)) != n:
                found.add(None, label, None, f"`{label}` has {len(getattr(self, label))} "
                          f"values for {n} loan(s); give one per `loan_id`")
        if found.issues:
            raise DefaultScheduleError(found.report())
        rows = np.asarray(self.rows, dtype=np.int64)
        months = self.default_month
        bad_month = np.array([isinstance(m, bool) or not isinstance(m, int | np.integer)
                              or m < 1 for m in months], dtype=bool)
        found.cells(rows, bad_month, "default_month", _MONTH_REASON,
                    [repr(m) for m, bad in zip(months, bad_month, strict=True) if bad],
                    code="schedule_month_whole")
        rates = self.recovery_rate
        bad_rate = np.array([r is not None and not (isinstance(r, int | float)
                                                    and not isinstance(r, bool)
                                                    and math.isfinite(r) and 0 <= r <= 1)
                             for r in rates], dtype=bool)
        found.cells(rows, bad_rate, "recovery_rate", _RATE_REASON,
                    [repr(r) for r, bad in zip(rates, bad_rate, strict=True) if bad],
                    code="schedule_recovery_range")
        check_loan_ids(pd.Series(self.loan_id, dtype=str), rows, found)
        report = found.report()
        if not report.ok:
            raise DefaultScheduleError(report)

    def __len__(self) -> int:
        return len(self.loan_id)


_MONTH_REASON = "`default_month` must be a whole number of months >= 1"
_RATE_REASON = "`recovery_rate` must be in [0, 1], a decimal such as 0.3 (empty: the " \
               "scenario's rate)"


class DefaultScheduleError(TapeError):
    """A default schedule that cannot be used; ``report`` holds every finding."""

    def __init__(self, report: ValidationReport, limit: int = 20) -> None:
        self.report = report
        shown = [str(i) for i in report.errors[:limit]]
        more = len(report.errors) - len(shown)
        tail = [f"... and {more} more error(s)"] if more > 0 else []
        InputError.__init__(self, f"{report.file}: the default schedule was not used, "
                            f"{len(report.errors)} error(s):\n" + "\n".join(shown + tail))


def check_default_schedule(schedule: DefaultSchedule, pool: Pool,
                           horizon_months: int) -> None:
    """Check ``schedule`` against the pool and the deal's horizon.

    Raises
    ------
    DefaultScheduleError
        Every row whose ``loan_id`` is not on the tape, whose ``default_month`` is past
        ``horizon_months`` or past the loan's last month (its ``remaining_term``: no
        balance is left to default then).
    """
    found = Findings(schedule.name, columns=SCHEDULE_COLUMNS)
    _pool_findings(pd.Series(schedule.loan_id, dtype=str),
                   np.asarray(schedule.default_month, dtype=np.float64),
                   np.asarray(schedule.rows, dtype=np.int64), pool, horizon_months, found)
    report = found.report()
    if not report.ok:
        raise DefaultScheduleError(report)


def _pool_findings(ids: pd.Series, months: np.ndarray, rows: np.ndarray, pool: Pool,
                   horizon_months: int, found: Findings) -> None:
    """Findings of rows against the pool; ``months`` NaN where already found invalid."""
    term = pd.Series(pool.loans["remaining_term"].to_numpy(),
                     index=pool.loans["loan_id"].astype(str))
    loan_term = ids.map(term).to_numpy(dtype=np.float64, na_value=np.nan)
    unknown = np.isnan(loan_term) & (ids != "").to_numpy()
    found.cells(rows, unknown, "loan_id", "`loan_id` is not on the deal's loan tape",
                list(ids[unknown]), code="schedule_unknown_loan")
    shown = pd.Series(months)
    late = months > horizon_months
    found.cells(rows, late, "default_month",
                f"`default_month` must be in 1..{horizon_months}, the deal's months",
                shown_cells(shown, late), code="schedule_month_horizon",
                params={"horizon": horizon_months})
    matured = ~np.isnan(loan_term) & ~late & (months > loan_term)
    found.cells(rows, matured, "default_month",
                [f"the loan's last month is {int(m)} (its `remaining_term`): it has no balance "
                 "left to default after it" for m in loan_term[matured]],
                shown_cells(shown, matured), code="schedule_after_maturity",
                params=[{"term": int(m)} for m in loan_term[matured]])


def inspect_default_schedule(
    source: Source,
    *,
    file_name: str | None = None,
    sheet: str | None = None,
    pool: Pool | None = None,
    horizon_months: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_cells: int = DEFAULT_MAX_CELLS,
) -> tuple[DefaultSchedule | None, ValidationReport]:
    """Read a default-schedule file and return it (None on any error) with every finding.

    Parameters
    ----------
    source
        A path to a ``.csv``, ``.xlsx`` or ``.xlsm`` file, or an upload's bytes (then
        ``file_name`` names it).
    pool, horizon_months
        When given, the rows are also checked against the pool and the deal's horizon
        (:func:`check_default_schedule`), in the same report.
    max_bytes, max_rows, max_cells
        Limits, as for a loan tape (:func:`abs_tool.io.tape.inspect_tape`).
    """
    name = display_name(source, file_name)
    if isinstance(source, bytes) and file_name is None:
        name = "uploaded default schedule"
    found = Findings(name, columns=SCHEDULE_COLUMNS)
    raw = read_table(source, name, sheet, ReadLimits(max_bytes, max_rows, max_cells), found)
    if raw is None or not all(c in raw.columns for c in SCHEDULE_COLUMNS.required):
        return None, found.report()  # a missing column is a finding already
    ids = check_text("loan_id", raw.columns["loan_id"], raw, found)
    check_loan_ids(ids, raw.rows, found)
    cells = raw.columns["default_month"]
    months = check_numeric("default_month", cells, raw.rows, found)
    low = months < 1
    found.cells(raw.rows, low, "default_month", _MONTH_REASON, shown_cells(cells, low),
                code="schedule_month_whole")
    rates = np.full(len(raw.rows), np.nan)
    if "recovery_rate" in raw.columns:
        rate_cells = raw.columns["recovery_rate"]
        rates = check_numeric("recovery_rate", rate_cells, raw.rows, found)
        outside = (rates < 0) | (rates > 1)
        found.cells(raw.rows, outside, "recovery_rate", _RATE_REASON,
                    shown_cells(rate_cells, outside), code="schedule_recovery_range")
    if pool is not None and horizon_months is not None:
        months[low] = np.nan
        _pool_findings(ids, months, raw.rows, pool, horizon_months, found)
    report = found.report()
    if not report.ok:
        return None, report
    return DefaultSchedule(
        tuple(str(i) for i in ids), tuple(int(m) for m in months),
        tuple(None if math.isnan(r) else float(r) for r in rates), name,
        tuple(int(r) for r in raw.rows)), report


def load_default_schedule(
    source: Source,
    *,
    file_name: str | None = None,
    sheet: str | None = None,
    pool: Pool | None = None,
    horizon_months: int | None = None,
) -> DefaultSchedule:
    """:func:`inspect_default_schedule`, raising on any error.

    Raises
    ------
    DefaultScheduleError
        The file has a fatal finding; ``error.report`` holds every finding.
    """
    schedule, report = inspect_default_schedule(source, file_name=file_name, sheet=sheet,
                                                pool=pool, horizon_months=horizon_months)
    if schedule is None:
        raise DefaultScheduleError(report)
    return schedule
