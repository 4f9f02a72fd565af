"""The stress table (:class:`~abs_tool.analysis.stress.StressTable`) as a small formatted
workbook: one sheet, "Stress tests", written atomically.

English labels for now; every label is in :data:`LABELS`, so a translation is a second table
of the same keys (the term sheet's bilingual labels are a later task). User text (deal,
scenario and class names) is always written as text, never as a formula.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from abs_tool.analysis.stress import INDICATIVE_NOTE, StressTable
from abs_tool.io.atomic import write_atomic
from abs_tool.model.scales import LOCAL_SCALE

SHEET = "Stress tests"

LABELS: dict[str, str] = {
    "title": "Stress tests",
    "indicative": "Indicative, editable",
    "base_rate": "Base-case lifetime default rate",
    "tdr_source": "TDR source",
    "tdr_multiples": "rating multiples x base-case lifetime default rate",
    "tdr_monte_carlo": "Monte Carlo TDR of each class (quantile at the rating's confidence)",
    "multiples": "Default multiples by rating",
    "rating": "Rating",
    "multiple": "Multiple",
    "tdr": "TDR",
    "scenarios": "Scenarios",
    "scenario": "Scenario",
    "changes": "What it changes",
    "scenario_rate": "Lifetime default rate (unstressed)",
    "mean_month": "Mean default month",
    "results": "Break-even default rate (BDR) against target default rate (TDR)",
    "legend": "Each rating column shows the TDR; green: BDR >= TDR (passes), red: fails.",
    "class": "Class",
    "bdr": "BDR",
    "lower_bound": "BDR is a lower bound",
    "highest": "Highest rating",
    "summary": "Highest rating passed in every scenario",
    "reference": "BDR, base timing in lifetime form",
    "yes": "yes",
    "no": "",
    "note": "Note",
}
"""Every label of the sheet, by key."""

FORMULA_PREFIXES = ("=", "+", "-", "@")
_FONT = "Calibri"
_PASS = PatternFill("solid", start_color="C6EFCE", end_color="C6EFCE")
_FAIL = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
_HEAD = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
_THIN = Side(style="thin", color="BFBFBF")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_PCT = "0.00%"


def _put(ws: Worksheet, row: int, column: int, value: Any, *, bold: bool = False,
         fmt: str | None = None, fill: PatternFill | None = None, box: bool = False,
         size: int = 11) -> None:
    """One cell: text stays text (never a formula), NaN and inf are left empty."""
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True
    cell.font = Font(name=_FONT, size=size, bold=bold)
    if fmt is not None:
        cell.number_format = fmt
    if fill is not None:
        cell.fill = fill
    if box:
        cell.border = _BOX


def _header(ws: Worksheet, row: int, titles: Sequence[str]) -> None:
    for j, title in enumerate(titles, start=1):
        _put(ws, row, j, title, bold=True, fill=_HEAD, box=True)
        ws.cell(row=row, column=j).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[row].height = 30


def stress_workbook_bytes(table: StressTable, labels: dict[str, str] | None = None) -> bytes:
    """The workbook of ``table`` as .xlsx bytes (labels by key, default :data:`LABELS`)."""
    t = labels or LABELS
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has its sheet
    ws.title = SHEET
    ws.sheet_view.showGridLines = False
    row = 1
    _put(ws, row, 1, f"{t['title']}: {table.deal_name}", bold=True, size=14)
    row += 1
    if table.multiples.indicative or table.scenarios_indicative:
        _put(ws, row, 1, t["indicative"], bold=True)
        _put(ws, row, 2, INDICATIVE_NOTE)
        last = get_column_letter(5 + len(_ratings(table)))
        ws.merge_cells(f"B{row}:{last}{row}")
        ws.cell(row=row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = 30
        row += 1
    _put(ws, row, 1, t["base_rate"])
    _put(ws, row, 2, table.base_lifetime_default_rate, fmt=_PCT)
    row += 1
    _put(ws, row, 1, t["tdr_source"])
    _put(ws, row, 2, t["tdr_multiples"] if table.tdr_source == "multiples"
         else t["tdr_monte_carlo"])
    row += 2

    if table.tdr_source == "multiples":
        _put(ws, row, 1, t["multiples"] + (f" ({t['indicative'].lower()})"
                                           if table.multiples.indicative else ""), bold=True)
        row += 1
        _header(ws, row, [t["rating"], t["multiple"], t["tdr"]])
        for rating, multiple in table.multiples.multiples:
            row += 1
            _put(ws, row, 1, rating, box=True)
            _put(ws, row, 2, multiple, fmt='0.00"x"', box=True)
            _put(ws, row, 3, multiple * table.base_lifetime_default_rate, fmt=_PCT, box=True)
        row += 2

    _put(ws, row, 1, t["scenarios"] + (f" ({t['indicative'].lower()})"
                                       if table.scenarios_indicative else ""), bold=True)
    row += 1
    _header(ws, row, [t["scenario"], t["changes"], t["scenario_rate"], t["mean_month"]])
    for s in table.scenarios:
        row += 1
        _put(ws, row, 1, s.scenario.name, box=True)
        _put(ws, row, 2, s.scenario.describe(), box=True)
        _put(ws, row, 3, s.lifetime_default_rate, fmt=_PCT, box=True)
        _put(ws, row, 4, s.mean_default_month, fmt="0.0", box=True)
    row += 2

    _put(ws, row, 1, t["results"], bold=True)
    row += 1
    _put(ws, row, 1, t["legend"])
    row += 1
    ratings = _ratings(table)
    _header(ws, row, [t["scenario"], t["class"], t["bdr"], t["lower_bound"],
                      *(f"{t['tdr']} {r}" for r in ratings), t["highest"]])
    for s in table.scenarios:
        for c in s.classes:
            row += 1
            _put(ws, row, 1, s.scenario.name, box=True)
            _put(ws, row, 2, c.class_name, box=True)
            _put(ws, row, 3, c.bdr, fmt=_PCT, box=True)
            _put(ws, row, 4, t["no"] if c.loses else t["yes"], box=True)
            tdr, passes = c.tdr_by_rating(), c.passes_by_rating()
            for j, rating in enumerate(ratings, start=5):
                if rating in tdr:
                    _put(ws, row, j, tdr[rating], fmt=_PCT, box=True,
                         fill=_PASS if passes[rating] else _FAIL)
            _put(ws, row, 5 + len(ratings), c.highest_rating, bold=True, box=True)
    row += 2

    _put(ws, row, 1, t["summary"], bold=True)
    row += 1
    reference = table.lifetime_reference
    _header(ws, row, [t["class"], t["highest"]] + ([t["reference"]] if reference else []))
    for j, name in enumerate(table.class_names):
        row += 1
        _put(ws, row, 1, name, box=True)
        _put(ws, row, 2, table.highest_rating(name), bold=True, box=True)
        if reference:
            _put(ws, row, 3, reference[j].default_rate, fmt=_PCT, box=True)

    widths = [26, 34, 16, 14] + [11] * len(ratings) + [14]
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _ratings(table: StressTable) -> list[str]:
    """Every rating level of the table, best first (the union over classes)."""
    levels = {r for s in table.scenarios for c in s.classes for r in c.ratings}
    return sorted(levels, key=LOCAL_SCALE.index)


def write_stress_workbook(path: str, table: StressTable) -> None:
    """Write the workbook of ``table`` to ``path`` atomically.

    Raises
    ------
    OutputError
        The file cannot be written (:func:`~abs_tool.io.atomic.write_atomic`).
    """
    write_atomic(path, stress_workbook_bytes(table))
