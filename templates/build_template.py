"""Build the term-sheet template: templates/term_sheet.xlsx and its shipped copy.

    .venv/bin/python templates/build_template.py

The template owns the workbook's look: named styles, column widths, fixed labels (in
English; the code translates them), the logo area, page setup and frozen title rows. Where the
code writes is given by defined names (abs_tool/excel/template.py): key-figure cells and one
body anchor per sheet. The same bytes are written to abs_tool/data/templates/ so an installed
package has the template; a test checks that the two files are identical.

Edit this script and run it, or edit templates/term_sheet.xlsx by hand in Excel and copy it
over the shipped one (LibreOffice drops frozen panes when it re-saves a workbook).
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from abs_tool.report.excel.labels import LABELS, SHEETS
from abs_tool.report.excel.template import ANCHORS, SHEET_KEYS, TEMPLATE_NAME

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = (ROOT / "templates" / TEMPLATE_NAME,
           ROOT / "abs_tool" / "data" / "templates" / TEMPLATE_NAME)

FONT = "Calibri"  # LibreOffice renders it with the metric-compatible Carlito
NAVY, GREY_TEXT, RULE = "1F3864", "595959", "8EA9DB"

# Fixed, so that rebuilding an unchanged template changes no document property.
BUILT = datetime(2024, 1, 1)


def _styles() -> list[NamedStyle]:
    """Every named style; each font has a name (LibreOffice falls back to a serif without)."""
    thin = Side(style="thin", color=RULE)

    def style(name: str, number_format: str = "General", **font: object) -> NamedStyle:
        return NamedStyle(name, font=Font(name=FONT, size=font.pop("size", 10), **font),
                          number_format=number_format)

    header = style("ts_header", bold=True, color="FFFFFF")
    header.fill = PatternFill("solid", fgColor=NAVY)
    header.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    section = style("ts_section", size=12, bold=True, color=NAVY)
    section.border = Border(bottom=Side(style="medium", color=NAVY))
    return [
        style("ts_title", size=16, bold=True, color=NAVY),
        style("ts_subtitle", size=13, bold=True),
        section,
        # 10 points: page 1 prints at about 0.9 of its size, and no text may fall below 8.
        style("ts_note", italic=True, color=GREY_TEXT),
        style("ts_label", color=GREY_TEXT),
        style("ts_text"),
        header,
        style("ts_money", '#,##0;[Red]-#,##0;"-"'),
        style("ts_int", "#,##0"),
        style("ts_number", "#,##0.00"),
        style("ts_pct", "0.00%"),
        style("ts_pct_fine", "0.0000%"),
        style("ts_bp", '#,##0.0" bp"'),
        style("ts_date", "yyyy-mm-dd"),
    ]


def _label(ws: Worksheet, coordinate: str, key: str, style: str = "ts_label") -> None:
    ws[coordinate] = LABELS[key][0]
    ws[coordinate].style = style


def _figure(wb: Workbook, ws: Worksheet, coordinate: str, name: str, style: str) -> None:
    ws[coordinate].style = style
    column, row = coordinate[0], coordinate[1:]
    wb.defined_names[name] = DefinedName(name, attr_text=f"'{ws.title}'!${column}${row}")


def _page(ws: Worksheet, widths: dict[str, float], default_width: float, columns: int) -> None:
    """Widths, A4 landscape fitted to one page wide, title rows repeated, no grid lines.
    Narrow margins: page 1 of the Term Sheet must hold the whole summary."""
    for i in range(1, columns + 1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = widths.get(letter, default_width)
    ws.sheet_view.showGridLines = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.page_margins.header = ws.page_margins.footer = 0.2
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = "1:2"
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "&P / &N"
    ws.oddFooter.left.font = ws.oddFooter.right.font = FONT


TERM_SHEET_WIDTHS: dict[str, float] = {
    "A": 14, "B": 12, "C": 15, "D": 9, "E": 12, "F": 10, "G": 12, "H": 9, "I": 9, "J": 11.5,
    "K": 11.5, "L": 10, "M": 13, "N": 11,
}
"""Page 1's columns: the capital structure table's, and the three blocks above it (Deal:
labels A-B, values C; Parties: labels E-F, values G-I; Cost of funds: labels J-L, values M).
About 0.9 of their width fits A4 landscape, so 10-point text prints at 9 points."""


def _block(wb: Workbook, ws: Worksheet, columns: tuple[str, str], rows: tuple[
        tuple[str, str, str], ...], align: str = "right") -> None:
    """Label and value rows from row 6: ``(label key, defined name, style)``."""
    for row, (key, name, style) in enumerate(rows, start=6):
        _label(ws, f"{columns[0]}{row}", key)
        _figure(wb, ws, f"{columns[1]}{row}", name, style)
        ws[f"{columns[1]}{row}"].alignment = Alignment(horizontal=align)


def _term_sheet(wb: Workbook, ws: Worksheet) -> None:
    _label(ws, "A1", "ts.title", "ts_title")
    _figure(wb, ws, "A2", "DealName", "ts_subtitle")
    _label(ws, "A3", "ts.disclaimer", "ts_note")
    # Logo area: a reserved block the code never writes; put the logo image over it.
    ws.merge_cells("M1:N3")
    _label(ws, "A5", "ts.deal", "ts_section")
    _label(ws, "E5", "ts.parties", "ts_section")
    _label(ws, "J5", "ts.cost", "ts_section")
    _block(wb, ws, ("A", "C"), (
        ("ts.currency", "Currency", "ts_text"), ("ts.cutoff", "CutoffDate", "ts_date"),
        ("ts.closing", "ClosingDate", "ts_date"),
        ("ts.first_payment", "FirstPaymentDate", "ts_date"),
        ("ts.legal_final", "LegalFinalDate", "ts_date"),
        ("ts.pool_balance", "PoolBalance", "ts_money"),
        ("ts.loan_count", "LoanCount", "ts_int"), ("ts.pool_wac", "PoolWAC", "ts_pct")))
    # Party names are long: left-aligned, running on over the empty cells to their right.
    # The dates conventions below them keep every block at 8 rows: page 1 is full.
    _block(wb, ws, ("E", "G"), (
        ("ts.originator", "Originator", "ts_text"), ("ts.servicer", "Servicer", "ts_text"),
        ("ts.manager", "Manager", "ts_text"), ("ts.trustee", "Trustee", "ts_text"),
        ("ts.underwriter", "LeadUnderwriter", "ts_text"),
        ("ts.rating_agency", "RatingAgencies", "ts_text"),
        ("ts.day_count", "DayCount", "ts_text"),
        ("ts.business_day", "BusinessDayConvention", "ts_text")), align="left")
    _block(wb, ws, ("J", "M"), (
        ("ts.senior_size", "SeniorSize", "ts_money"),
        ("ts.senior_share", "SeniorShare", "ts_pct"),
        ("ts.wa_coupon", "WACoupon", "ts_pct"), ("ts.all_in", "AllInCost", "ts_pct"),
        ("ts.benchmark", "BenchmarkRate", "ts_pct"),
        ("ts.saving", "CostSavingBp", "ts_bp"), ("ts.upfront", "UpfrontFees", "ts_money"),
        ("ts.excess_spread", "ExcessSpread", "ts_pct")))
    _label(ws, "A15", "ts.capital_structure", "ts_section")
    ws.freeze_panes = "A4"
    _page(ws, TERM_SHEET_WIDTHS, 11, len(TERM_SHEET_WIDTHS))


# Sheet key -> (column widths, default width, columns set), for the sheets with a body only.
_BODY_SHEETS: dict[str, tuple[dict[str, float], float, int]] = {
    "pool": ({"A": 30}, 14, 8),
    "assumptions": ({"A": 44, "B": 42}, 12, 16),
    "monte_carlo": ({"A": 28}, 12, 18),
    "cash_flows": ({"A": 8, "B": 11.5}, 13.5, 40),
    "structuring": ({"A": 24}, 13, 16),
    "static_pool": ({"A": 34, "B": 16}, 13, 16),
    "stress": ({"A": 26, "B": 34}, 14, 12),
    "audit": ({"A": 38, "B": 72}, 12, 4),
}


def build() -> bytes:
    wb = Workbook()
    for style in _styles():
        wb.add_named_style(style)
    wb.remove(wb.active)
    for key in SHEET_KEYS:
        ws = wb.create_sheet(SHEETS[f"sheet.{key}"][0])
        wb.defined_names[ANCHORS[key]] = DefinedName(
            ANCHORS[key], attr_text=f"'{ws.title}'!$A${16 if key == 'term_sheet' else 3}")
        if key == "term_sheet":
            _term_sheet(wb, ws)
            continue
        _label(ws, "A1", f"sheet.{key}", "ts_title")
        ws.freeze_panes = "A2"
        _page(ws, *_BODY_SHEETS[key])
    wb.properties.creator = "abs-tool"
    wb.properties.created = wb.properties.modified = BUILT
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def main() -> None:
    data = build()
    for path in OUTPUTS:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"wrote {path.relative_to(ROOT)} ({len(data):,} bytes)")


if __name__ == "__main__":
    main()
