"""The term-sheet template: what it must hold, and loading it.

The template (``templates/term_sheet.xlsx``, shipped as
``abs_tool/data/templates/term_sheet.xlsx``) owns the look: named styles, column widths,
titles and fixed labels, the logo area, page setup and frozen title rows. The code finds
where to write through defined names:

- a *key figure* name (:data:`KEY_FIGURES`) is the cell of one figure; the code writes the
  value only, so its number format comes from the template, and the name stays in the
  output for formulas and readers;
- an *anchor* name (:data:`ANCHORS`) is the top-left cell of a sheet's body, where the code
  writes its tables one below another; anchors are removed from the output.

Sheets are found by their English titles (:data:`abs_tool.report.excel.labels.SHEETS`).
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from importlib import resources

from openpyxl import Workbook, load_workbook
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet.worksheet import Worksheet

from abs_tool.errors import InputError
from abs_tool.report.excel.labels import SHEETS

TEMPLATE_NAME = "term_sheet.xlsx"

SHEET_KEYS: tuple[str, ...] = tuple(key.removeprefix("sheet.") for key in SHEETS)
"""Sheets of the workbook in order: term_sheet, pool, assumptions, monte_carlo, cash_flows,
structuring, audit."""

ANCHORS: dict[str, str] = {key: f"Anchor_{key}" for key in SHEET_KEYS}
"""Sheet key -> defined name of the top-left cell of the sheet's body."""

KEY_FIGURES: tuple[str, ...] = (
    "DealName", "Currency", "CutoffDate", "ClosingDate", "FirstPaymentDate", "LegalFinalDate",
    "DayCount", "BusinessDayConvention",
    "PoolBalance", "LoanCount", "PoolWAC", "SeniorSize", "SeniorShare", "WACoupon",
    "AllInCost", "BenchmarkRate", "CostSavingBp", "UpfrontFees", "ExcessSpread",
    "Originator", "Servicer", "Manager", "Trustee", "LeadUnderwriter", "RatingAgencies",
)
"""Defined names of the Term Sheet's key figures (each one cell)."""

STYLES: tuple[str, ...] = (
    "ts_title", "ts_subtitle", "ts_section", "ts_note", "ts_label", "ts_text", "ts_header",
    "ts_money", "ts_int", "ts_number", "ts_pct", "ts_pct_fine", "ts_bp", "ts_date",
)
"""Named styles the code applies to the cells it writes."""


TemplateSource = str | os.PathLike[str] | bytes | None
"""A template file, its bytes, or None for the shipped one."""


class TemplateError(InputError):
    """A term-sheet template that lacks what the code fills (every problem listed)."""


@dataclass
class Template:
    """A loaded template: the workbook and the cells its defined names point at.

    ``anchors`` and ``figures`` map a name to ``(worksheet, row, column)``.
    """

    workbook: Workbook
    anchors: dict[str, tuple[Worksheet, int, int]]
    figures: dict[str, tuple[Worksheet, int, int]]

    def sheet(self, key: str) -> Worksheet:
        """The worksheet of sheet ``key`` (its anchor's sheet)."""
        return self.anchors[key][0]


def default_template() -> bytes:
    """The shipped template's bytes."""
    return resources.files("abs_tool").joinpath("data", "templates", TEMPLATE_NAME).read_bytes()


def load_template(source: TemplateSource = None) -> Template:
    """Load and check a template (default: the shipped one).

    Raises
    ------
    TemplateError
        Missing sheets, named styles, key-figure or anchor names, or names that do not
        point at one cell; all of them in one message.
    """
    data = default_template() if source is None else source
    workbook = load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data)
    where = "the shipped template" if source is None else (
        "the template" if isinstance(source, bytes) else str(source))
    problems = [f"missing sheet `{SHEETS['sheet.' + key][0]}`" for key in SHEET_KEYS
                if SHEETS["sheet." + key][0] not in workbook.sheetnames]
    problems += [f"missing named style `{s}`" for s in STYLES if s not in workbook.named_styles]
    cells = {}
    for name in (*ANCHORS.values(), *KEY_FIGURES):
        cell = _one_cell(workbook, name)
        if isinstance(cell, str):
            problems.append(cell)
        else:
            cells[name] = cell
    if problems:
        raise TemplateError(f"{where} cannot be filled: " + "; ".join(problems))
    misplaced = [f"`{ANCHORS[key]}` is not on sheet `{SHEETS['sheet.' + key][0]}`"
                 for key in SHEET_KEYS
                 if cells[ANCHORS[key]][0].title != SHEETS["sheet." + key][0]]
    if misplaced:
        raise TemplateError(f"{where} cannot be filled: " + "; ".join(misplaced))
    return Template(workbook, {key: cells[ANCHORS[key]] for key in SHEET_KEYS},
                    {name: cells[name] for name in KEY_FIGURES})


def _one_cell(workbook: Workbook, name: str) -> tuple[Worksheet, int, int] | str:
    """The cell a workbook-level defined name points at, or what is wrong with it."""
    if name not in workbook.defined_names:
        return f"missing defined name `{name}`"
    destinations = list(workbook.defined_names[name].destinations)
    if len(destinations) != 1 or ":" in destinations[0][1]:
        return f"defined name `{name}` must point at one cell"
    sheet, coordinate = destinations[0]
    if sheet not in workbook.sheetnames:
        return f"defined name `{name}` points at a missing sheet `{sheet}`"
    column, row = coordinate_from_string(coordinate.replace("$", ""))
    return workbook[sheet], row, column_index_from_string(column)
