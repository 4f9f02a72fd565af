"""Fill the term-sheet template with :class:`~abs_tool.report.excel.inputs.TermSheetInputs`:
layout only, every figure comes from the analysis.

Every value goes through :func:`put`: text is stored as text (never a formula, whatever it
starts with), numbers as numbers (NaN as an empty cell), each cell with a named style of the
template. Sheets are written top-down from their anchors by a :class:`Cursor`.
"""

from __future__ import annotations

import io
import math
import platform
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
from numpy.typing import NDArray
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import absolute_coordinate, get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from abs_tool import glossary as g
from abs_tool.analysis.deal_analysis import RATING_CRITERIA, ClassRating, DealAnalysis
from abs_tool.analysis.pool_stats import LANGS, STRAT_WORDS, SUMMARY_LABELS
from abs_tool.analysis.static_pool import StaticPoolAnalysis
from abs_tool.analysis.stress import StressScenario, StressTable
from abs_tool.io.dealfile import deal_to_dict
from abs_tool.io.rating_tables import rating_table_to_frame
from abs_tool.io.samples import display_name
from abs_tool.model.deal import Deal, DealParties, PrincipalMode, Tier, TriggerAction
from abs_tool.model.eligibility import condition_text
from abs_tool.model.scales import LOCAL_SCALE
from abs_tool.report import format as fmt
from abs_tool.report.excel.inputs import TermSheetInputs
from abs_tool.report.excel.inspection import stress_inspection
from abs_tool.report.excel.labels import LABELS, text, translation
from abs_tool.report.excel.template import (
    ANCHORS,
    SHEET_KEYS,
    Template,
    TemplateSource,
    load_template,
)
from abs_tool.report.format import (
    EXCEL_YIELD_FORMAT,
    excel_money_format,
    excel_number_format,
    excel_percent_format,
    money_value,
)
from abs_tool.report.structure_text import structure_description
from abs_tool.report.tables import (
    ADVANCE_LINES,
    LIQUIDITY_LINES,
    cashflow_tables,
    loss_buckets,
)

FORMULA_PREFIXES = ("=", "+", "-", "@")
"""Text starting with one of these could be read as a formula when a user edits the cell."""

PAGE_ONE_COLUMNS = 14
"""Columns A-N of the Term Sheet: page 1's width (the template's column widths)."""

CHART_ROWS = 16
"""Rows a 7.5 cm high chart takes (with a margin), kept in the print area."""

LINE_HEIGHT = 13.5
"""Height (points) of one line of 10-point text."""

HEADER_HEIGHT = 30.0
"""Height (points) of a table's header row: two lines of 10-point text."""

LOSS_BUCKETS = 20
"""Rows of the pool loss-rate distribution table on the Monte Carlo sheet."""

# Number formats a Structuring table may ask for (frame.attrs["formats"]) -> named style.
FORMAT_STYLES: dict[str, str] = {
    "money": "ts_money", "pct": "ts_pct", "pct_fine": "ts_pct_fine", "bp": "ts_bp",
    "yield": "ts_pct",  # and EXCEL_YIELD_FORMAT: a total loss shows as -100%
    "number": "ts_number", "int": "ts_int", "date": "ts_date", "text": "ts_text",
}

# Deal-file fields (last key) shown as percentages on the Assumptions sheet.
_PERCENT_FIELDS = frozenset({
    "coupon_annual", "rate_annual", "rate", "annual", "cumulative_rate", "timing", "threshold",
    "initial_share", "target_share", "floor_share", "threshold_share", "benchmark_rate_annual",
    "min_rate", "max_rate", "max_obligor_share", "max_region_share", "max_industry_share",
    "share_of_placed", "correlation", "sector_correlation", "recovery_correlation",
    "recovery_volatility",
})

_SUMMARY_STYLES = {"count": "ts_int", "money": "ts_money", "rate": "ts_pct",
                   "months": "ts_number", "share": "ts_pct"}
_STRAT_STYLES = {"count": "ts_int", "balance": "ts_money", "share": "ts_pct", "wac": "ts_pct",
                 "wa_remaining_term": "ts_number", "wa_annual_pd": "ts_pct"}
_POOL_FLOWS = ("balance_close", "collections", "default", "recovery", "loss", "purchases",
               "principal_due", "cumulative_default_rate")
_NOTE_FLOWS = ("interest_paid", "interest_shortfall", "principal_paid", "writedown",
               "balance_close")
_RESIDUAL_FLOWS = ("residual", "principal_paid", "writedown", "balance_close")
# A class's lines of the waterfall options, shown when its period table has them
# (abs_tool.report.tables.CashflowTables), after its usual lines.
_OPTION_FLOWS = ("reinstated", "target_balance", "coupon_month_annual", "step_up")
# Cash-flow lines that are not amounts -> style (flags are written as yes / no).
_FLOW_STYLES = {"cumulative_default_rate": "ts_pct", "coupon_month_annual": "ts_pct"}
# Estimates of a class on the Monte Carlo sheet (ClassResult fields) -> style.
_CLASS_ESTIMATES = {
    "expected_loss": "ts_pct_fine", "principal_loss": "ts_pct_fine", "pd": "ts_pct_fine",
    "lgd": "ts_pct_fine", "wal_years": "ts_number", "yield_annual": "ts_pct",
    "dirr_bp": "ts_bp",
}

Column = tuple[str, Sequence[Any] | NDArray[Any], str | Sequence[str]]
"""(header, values, style): one style for the column, or one a row."""
"""A table column: header, values top-down, named style."""


def excel_value(value: Any) -> Any:
    """``value`` as openpyxl stores it: plain Python numbers, NaN and inf as empty cells,
    text without the control characters XML cannot hold."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def put(ws: Worksheet, row: int, column: int, value: Any, style: str) -> Cell | MergedCell:
    """Write one cell: text is always text (data type "s"; a leading = + - @ is kept as the
    text's first character and marked with a quote prefix), never a formula."""
    cell = ws.cell(row=row, column=column)
    cell.value = excel_value(value)
    cell.style = style
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True
    return cell


@dataclass
class Cursor:
    """Writes blocks one below another from ``(row, column)`` of ``ws``."""

    ws: Worksheet
    row: int
    column: int

    def line(self, *cells: tuple[Any, str]) -> int:
        """One row of ``(value, style)`` cells from the cursor's column; returns its row."""
        for offset, (value, style) in enumerate(cells):
            put(self.ws, self.row, self.column + offset, value, style)
        self.row += 1
        return self.row - 1

    def heading(self, title: str) -> None:
        self.line((title, "ts_section"))

    def note(self, note: str) -> None:
        self.line((note, "ts_note"))

    def groups(self, offset: int, groups: Sequence[tuple[str, int]]) -> None:
        """A row of group headers over the table below, from ``offset`` columns right of the
        cursor: each ``(name, width)`` merged across its columns."""
        column = self.column + offset
        for name, width in groups:
            put(self.ws, self.row, column, name, "ts_header")
            self.ws.merge_cells(start_row=self.row, start_column=column, end_row=self.row,
                                end_column=column + width - 1)
            column += width
        self.row += 1

    def table(self, columns: Sequence[Column], *, gap: int = 1) -> int:
        """A header row and one row per value (a shorter column leaves its last cells empty);
        returns the first data row."""
        # Two lines: headers wrap, and neither Excel nor LibreOffice grows a row on load.
        self.ws.row_dimensions[self.row].height = HEADER_HEIGHT
        self.line(*((header, "ts_header") for header, _, _ in columns))
        first = self.row
        for i in range(max((len(values) for _, values, _ in columns), default=0)):
            self.line(*((values[i] if i < len(values) else None,
                         style if isinstance(style, str) else style[i])
                        for _, values, style in columns))
        self.row += gap
        return first


def fill(template: Template, inputs: TermSheetInputs, lang: str,
         money_unit: str = "wan") -> None:
    """Write every sheet of ``template`` in place (see :func:`term_sheet_bytes`); Chinese
    amounts show in ``money_unit`` (万元 or 亿元), their cells holding the amount in that unit
    (:func:`_number_formats`)."""
    wb = template.workbook
    if lang != "en":
        translate(template, lang)
    cursors = {key: Cursor(*template.anchors[key]) for key in SHEET_KEYS}
    _key_figures(template, inputs, lang)
    _term_sheet(cursors["term_sheet"], inputs, lang, money_unit)
    _pool(cursors["pool"], inputs, lang)
    _assumptions(cursors["assumptions"], inputs, lang)
    _monte_carlo(cursors["monte_carlo"], inputs, lang)
    _cash_flows(cursors["cash_flows"], inputs, lang)
    _audit(cursors["audit"], inputs, lang)
    # The optional sheets: written when given, removed otherwise.
    optional: tuple[tuple[str, Any, Callable[[Cursor, Any], None]], ...] = (
        ("structuring", inputs.structuring, _structuring),
        ("static_pool", inputs.static_pool, lambda cur, a: static_pool_sheet(cur, a, lang)),
        ("stress", inputs.stress, lambda cur, table: stress_sheet(cur, table, lang)))
    for key, content, write in optional:
        if content is None:
            wb.remove(template.sheet(key))
        else:
            write(cursors[key], content)
    for name in ANCHORS.values():
        del wb.defined_names[name]
    # Names are rewritten because sheets may have been renamed (Chinese titles).
    for name, (ws, row, column) in template.figures.items():
        wb.defined_names[name] = DefinedName(name, attr_text=(
            f"{quote_sheetname(ws.title)}!{absolute_coordinate(ws.cell(row, column).coordinate)}"))
    finish(wb, cursors.values(), lang, money_unit)
    analysis = inputs.analysis
    wb.properties.title = excel_value(display_name(analysis.deal.name, lang))
    wb.properties.creator = f"abs-tool {analysis.tool_version}"
    wb.properties.created = wb.properties.modified = analysis.created.replace(tzinfo=None)


def term_sheet_workbook_bytes(inputs: TermSheetInputs, lang: str,
                              template: TemplateSource, money_unit: str = "wan") -> bytes:
    """Load the template, fill it, and return the .xlsx bytes."""
    loaded = load_template(template)
    fill(loaded, inputs, lang, money_unit)
    out = io.BytesIO()
    loaded.workbook.save(out)
    return out.getvalue()


def finish(wb: openpyxl.Workbook, cursors: Iterable[Cursor], lang: str,
           money_unit: str) -> None:
    """Print areas to each sheet's last cell (or the cursor's last row: a chart below the
    last cell must print), and the number formats (:func:`_number_formats`)."""
    last_rows = {cur.ws.title: cur.row for cur in cursors}
    for ws in wb.worksheets:
        ws.print_area = (f"A1:{get_column_letter(ws.max_column)}"
                         f"{max(ws.max_row, last_rows.get(ws.title, 0))}")
    _number_formats(wb, lang, money_unit)


def _number_formats(wb: openpyxl.Workbook, lang: str, money_unit: str) -> None:
    """Number formats that depend on the figure or the language, on every written cell:
    amounts in the language's unit (Chinese: the cell holds the amount in 万元 or 亿元,
    since no Excel format divides by 10,000 and keeps thousands separators), small
    percentages with two significant digits (0.0012%, not 0.0000%), and no number in
    Excel's General format, which writes 1.19E-05 (:mod:`abs_tool.report.format`)."""
    money = excel_money_format(lang, money_unit)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if cell.style == "ts_money":
                    cell.number_format = money
                if isinstance(value, bool) or not isinstance(value, int | float):
                    continue
                if cell.style == "ts_money":
                    cell.value = money_value(value, lang, money_unit)
                    continue
                if cell.style == "ts_pct_fine":
                    cell.number_format = excel_percent_format(value)
                elif cell.number_format == "General":
                    cell.number_format = excel_number_format(value)


def translate(template: Template, lang: str) -> None:
    """Fixed texts and sheet titles of the template into ``lang``."""
    words = translation(lang)
    for ws in template.workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value in words:
                    cell.value = words[cell.value]
    for key in SHEET_KEYS:
        template.sheet(key).title = text(f"sheet.{key}", lang)


PARTIES: dict[str, str] = {
    "Originator": "originator", "Servicer": "servicer", "Manager": "manager",
    "Trustee": "trustee", "LeadUnderwriter": "lead_underwriter",
    "RatingAgencies": "rating_agencies",
}
"""Page-1 party figure -> its field of :class:`~abs_tool.model.deal.DealParties`."""


def _party(parties: DealParties, name: str, lang: str) -> str:
    """A party's name (rating agencies joined), or "not given"."""
    value = getattr(parties, name)
    if isinstance(value, tuple):
        value = ("、" if lang == "zh" else ", ").join(value)
    return value or text("party.none", lang)


def _payment_frequency(deal: Deal, lang: str) -> str:
    """The deal's payment frequency: quarterly or semi-annual, or monthly and which classes
    pay quarterly while revolving (a class's own rule adds nothing to a deal paid every 3 or
    6 months)."""
    if deal.dates.payment_frequency_months != 1:
        return text(f"freq.{deal.dates.payment_frequency_months}", lang)
    revolving = deal.structure.revolving
    quarterly = [c.name for c in deal.structure.classes if c.payment_frequency_months == 3]
    if not quarterly or revolving is None or revolving.months == 0:
        return text("freq.1", lang)
    return text("freq.revolving", lang, classes=("、" if lang == "zh" else ", ").join(quarterly))


def _key_figures(template: Template, inputs: TermSheetInputs, lang: str) -> None:
    """Values of the Term Sheet's defined-name cells (their formats are the template's)."""
    analysis, cost = inputs.analysis, inputs.cost
    deal, summary = analysis.deal, analysis.summary
    values: dict[str, Any] = {
        "DealName": display_name(deal.name, lang), "Currency": deal.currency,
        "CutoffDate": deal.dates.cutoff,
        "ClosingDate": deal.dates.closing, "FirstPaymentDate": deal.dates.first_payment,
        "LegalFinalDate": deal.dates.legal_final,
        "DayCount": deal.dates.day_count.value,
        "BusinessDayConvention": text(f"bdc.{deal.dates.business_day_convention.value}", lang),
        "PoolBalance": summary.balance,
        "LoanCount": summary.loan_count, "PoolWAC": summary.wac,
        "SeniorSize": analysis.class_balances[0],
        "SeniorShare": analysis.class_balances[0] / summary.balance,
        "WACoupon": cost.wa_coupon, "AllInCost": cost.all_in, "BenchmarkRate": cost.benchmark,
        "CostSavingBp": cost.saving_bp, "UpfrontFees": cost.upfront_fees,
        "ExcessSpread": cost.excess_spread_annual,
    } | {name: _party(deal.parties, field, lang) for name, field in PARTIES.items()}
    for name, (ws, row, column) in template.figures.items():
        cell = ws.cell(row, column)
        put(ws, row, column, values[name], cell.style)


def indicative_rating(rating: ClassRating) -> str:
    """The lowest local-scale rating of a class's four criteria (NR below every rating): the
    one rating page 1 shows."""
    order = {r: i for i, r in enumerate(LOCAL_SCALE)}
    return max((r.local for r in rating.criteria()), key=lambda r: order.get(r, len(order)))


def _term_sheet(cur: Cursor, inputs: TermSheetInputs, lang: str, money_unit: str) -> None:
    """Page 1 below the template's blocks: capital structure, structure and triggers, key
    risks; then, after a page break, the ratings by criterion and the charts."""
    analysis = inputs.analysis
    deal = analysis.deal
    classes = deal.structure.classes
    n = len(classes)
    pool_balance = analysis.summary.balance
    balances = analysis.class_balances
    reserve = deal.structure.reserve.initial_share
    indicative = ([indicative_rating(r) for r in analysis.ratings] if analysis.ratings
                  else [None] * n)
    total = [text("total", lang)]
    columns: list[Column] = [
        (text("col.class", lang), [c.name for c in classes] + total, "ts_text"),
        (text("col.tier", lang), [text(f"tier.{c.tier.value}", lang) for c in classes],
         "ts_text"),
        (text("col.amount", lang), [*balances, sum(balances)], "ts_money"),
        (text("col.share", lang),
         [b / pool_balance for b in balances] + [sum(balances) / pool_balance], "ts_pct"),
        (text("col.subordination", lang), analysis.attachment_points, "ts_pct"),
        (text("col.reserve", lang), [reserve] * n, "ts_pct"),
        (text("col.ce", lang), analysis.credit_enhancement, "ts_pct"),
        (text("col.coupon", lang),
         [text("residual", lang) if c.tier == Tier.SUBORDINATED and not c.coupon_annual
          else c.coupon_annual for c in classes], "ts_pct"),
        (text("col.wal", lang), analysis.base.metrics.wal_years[0], "ts_number"),
        (text("col.expected_final", lang), analysis.expected_final, "ts_date"),
        (text("col.legal_final", lang), [deal.dates.legal_final] * n, "ts_date"),
        (text("col.bdr", lang), [b.default_rate for b in analysis.break_evens], "ts_pct"),
        (text("col.indicative", lang), indicative, "ts_text"),
        (text("col.target", lang), [c.target_rating for c in classes], "ts_text"),
    ]
    first = cur.table(columns, gap=0)
    _mark_lower_bounds(cur, first, columns, lang, analysis)
    cur.note(text("note.ce", lang, spread=inputs.cost.excess_spread_annual))
    cur.note(text("note.rating", lang) if analysis.ratings else text("note.no_mc", lang))
    cur.row += 1
    cur.heading(text("st.title", lang))
    for key, value in _structure_rows(deal, lang, money_unit):
        cur.line((text(key, lang), "ts_label"), (None, "ts_text"), (value, "ts_text"))
    cur.row += 1
    cur.heading(text("risks.title", lang))
    sentences = [text(key, lang, **values) for key, values in page_one_risks(inputs)]
    for i, sentence in enumerate(sentences, start=1):
        cur.line((f"{i}. {sentence}", "ts_text"))
    # Page 1 ends here, whatever the sheet holds below.
    cur.ws.row_breaks.append(Break(id=cur.row - 1))
    cur.row += 1
    _structure_in_words(cur, inputs.analysis.deal, lang)
    _ratings_by_criterion(cur, inputs, lang)
    _capital_structure_charts(cur, inputs, lang)


def _structure_in_words(cur: Cursor, deal: Deal, lang: str) -> None:
    """Page 2 opens with the structure in words, one rule a paragraph
    (:func:`~abs_tool.report.structure_text.structure_description`): page 1 has no room for
    it at a readable size. Each paragraph wraps across the page width."""
    cur.heading(text("st.description", lang))
    width = sum(cur.ws.column_dimensions[get_column_letter(c)].width or 0
                for c in range(cur.column, cur.column + PAGE_ONE_COLUMNS))
    for line in structure_description(deal, lang):
        row = cur.line((line, "ts_text"))
        cur.ws.merge_cells(start_row=row, start_column=cur.column, end_row=row,
                           end_column=cur.column + PAGE_ONE_COLUMNS - 1)
        cell = cur.ws.cell(row, cur.column)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        # Neither Excel nor LibreOffice grows a merged row: size it, a CJK character being
        # two character widths.
        units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in line)
        cur.ws.row_dimensions[row].height = LINE_HEIGHT * math.ceil(units / (0.95 * width))
    cur.row += 1


def _mark_lower_bounds(cur: Cursor, first: int, columns: Sequence[Column], lang: str,
                       analysis: DealAnalysis) -> None:
    """A class that never lost up to the largest multiplier shows its BDR as "≥ x"."""
    column = cur.column + [h for h, _, _ in columns].index(text("col.bdr", lang))
    for j, be in enumerate(analysis.break_evens):
        if not be.loses:
            cur.ws.cell(first + j, column).number_format = '"≥ "0.00%'


def _structure_rows(deal: Deal, lang: str, money_unit: str) -> list[tuple[str, str]]:
    """``(label key, text)`` rows of page 1's structure block: amortisation, payments,
    revolving criteria, each trigger with its level, reserve and clean-up call. Obligors
    excluded by name are counted, never named."""
    structure = deal.structure
    rows = []
    first = structure.classes[0].name
    amortisation = text("st.sequential" if structure.principal_mode == PrincipalMode.SEQUENTIAL
                        else "st.pro_rata", lang, first=first)
    revolving = structure.revolving
    if revolving is not None and revolving.months > 0:
        amortisation = text("st.revolving", lang, months=revolving.months) + amortisation
    rows.append(("st.amortisation", amortisation))
    rows.append(("st.payments", text("st.payments_text", lang,
                                     frequency=_payment_frequency(deal, lang),
                                     first=deal.dates.first_payment.isoformat())))
    if revolving is not None and revolving.months > 0:
        rules = []
        criteria = revolving.eligibility or deal.pool.eligibility
        if criteria is not None:
            rules = [condition_text(rule, lang, lambda v: fmt.money(v, lang, money_unit))
                     for name, rule in criteria.active_rules() if name != "excluded_obligors"]
            if criteria.excluded_obligors:
                rules.append(text("st.excluded", lang, n=len(criteria.excluded_obligors)))
        if deal.pool.concentration is not None:
            rules += [condition_text(rule, lang)
                      for _, rule in deal.pool.concentration.active_rules()]
        rows.append(("st.criteria", ("; " if lang == "en" else ";").join(rules)
                     or text("st.criteria_none", lang)))
    for trigger in structure.triggers:
        rows.append(("st.trigger", text(
            "st.trigger_text", lang, metric=text(f"metric.{trigger.metric.value}", lang),
            level=_trigger_level(trigger.threshold, lang),
            action=text(f"action.{trigger.action.value}", lang))))
    if not structure.triggers:
        rows.append(("st.trigger", text("st.triggers_none", lang)))
    reserve = structure.reserve
    rows.append(("st.reserve", text(
        "st.reserve_text", lang, initial=fmt.percent(reserve.initial_share),
        target=fmt.percent(reserve.target_share), floor=fmt.percent(reserve.floor_share))
        if reserve.initial_share or reserve.target_share else text("st.reserve_none", lang)))
    # Liquidity support (issue 16 item 5): stated beside the reserve, and not counted in the
    # credit enhancement (it pays the senior fees and interest, never principal).
    liquidity, advance = structure.liquidity_reserve, structure.servicer_advance
    if liquidity is not None:
        rows.append(("st.liquidity", text(
            "st.liquidity_text", lang, initial=fmt.percent(liquidity.initial_share),
            target=fmt.percent(liquidity.target_share),
            floor=fmt.money(liquidity.floor_amount, lang, money_unit),
            after=text(f"st.liquidity_after.{liquidity.replenish_after.value}", lang))))
    if advance is not None:
        limit = (fmt.money(advance.limit_amount, lang, money_unit) if advance.limit_amount
                 else text("st.advance_share", lang, share=fmt.percent(advance.limit_share)))
        rows.append(("st.advance", text("st.advance_text", lang, limit=limit,
                                        rate=fmt.percent(advance.rate_annual))))
    if structure.clean_up_call is not None:
        rows.append(("st.clean_up", text("st.clean_up_text", lang,
                                         share=fmt.percent(structure.clean_up_call
                                                           .threshold_share))))
    return rows


def _trigger_level(threshold: Sequence[float], lang: str) -> str:
    """A trigger's level: one rate, or a vector by month (its last value repeats)."""
    if len(set(threshold)) == 1:
        return fmt.percent(threshold[0])
    # The month (1-based) from which the last value holds: one after the last other value.
    month = max(i for i, v in enumerate(threshold, start=1) if v != threshold[-1]) + 1
    return text("st.level_vector", lang, first=fmt.percent(threshold[0]),
                last=fmt.percent(threshold[-1]), month=month)


def page_one_risks(inputs: TermSheetInputs) -> list[tuple[str, Mapping[str, object]]]:
    """Page 1's key risks, ``(label key, figures)``: obligor concentration (always, with the
    top shares), the flagged risks of the analysis, excess-spread dependence, the revolving
    period, and commingling (not modelled)."""
    analysis = inputs.analysis
    summary, deal = analysis.summary, analysis.deal
    risks: list[tuple[str, Mapping[str, object]]] = [("risk.obligors", {
        "top1": summary.top1_obligor_share, "top10": summary.top10_obligor_share,
        "effective": summary.effective_obligors})]
    risks += [(r.key, r.values) for r in inputs.risks if r.key != "risk.concentration"]
    if not any(r.key == "risk.excess_spread" for r in inputs.risks):
        risks.append(("risk.spread_dependence", {"spread": inputs.cost.excess_spread_annual,
                                                 "loss": analysis.base_loss_annual}))
    revolving = deal.structure.revolving
    if revolving is not None and revolving.months > 0:
        risks.append(("risk.revolving", {"months": revolving.months, "triggers": sum(
            t.action == TriggerAction.END_REVOLVING for t in deal.structure.triggers)}))
    risks.append(("risk.commingling", {}))
    return risks


def _ratings_by_criterion(cur: Cursor, inputs: TermSheetInputs, lang: str) -> None:
    """Page 2: EL, PD, BDR and the rating by each criterion; the simulation's notes."""
    analysis = inputs.analysis
    mc = analysis.monte_carlo
    classes = analysis.deal.structure.classes
    n = len(classes)

    def rating(criterion: str) -> list[str | None]:
        if analysis.ratings is None:
            return [None] * n
        return [getattr(r, criterion).local for r in analysis.ratings]

    def estimate(name: str) -> list[float | None]:
        return [getattr(c, name).value for c in mc.classes] if mc else [None] * n

    cur.heading(text("ts.by_criterion", lang))
    columns: list[Column] = [
        (text("col.class", lang), [c.name for c in classes], "ts_text"),
        (text("col.el", lang), estimate("expected_loss"), "ts_pct_fine"),
        (text("col.pd", lang), estimate("pd"), "ts_pct_fine"),
        (text("col.bdr", lang), [b.default_rate for b in analysis.break_evens], "ts_pct"),
        *((text(f"col.rating_{k}", lang), rating(k), "ts_text") for k in RATING_CRITERIA),
        (text("col.indicative", lang),
         [indicative_rating(r) for r in analysis.ratings] if analysis.ratings else [None] * n,
         "ts_text"),
    ]
    first = cur.table(columns, gap=0)
    _mark_lower_bounds(cur, first, columns, lang, analysis)
    cur.note(text("note.mc", lang, paths=mc.paths, seed=mc.seed) if mc
             else text("note.no_mc", lang))
    cur.note(text("note.bdr", lang))
    stress_bdr = analysis.break_evens[[c.name for c in classes].index(analysis.stress_class)]
    cur.note(text("note.stress", lang, multiplier=analysis.stress_multiplier,
                  cls=analysis.stress_class, rate=stress_bdr.default_rate))
    cur.row += 1


def _capital_structure_charts(cur: Cursor, inputs: TermSheetInputs, lang: str) -> None:
    """The capital structure as one stacked bar (each class's share of the pool), and each
    class's credit enhancement stacked: subordination, reserve, excess spread a year."""
    analysis = inputs.analysis
    classes = analysis.deal.structure.classes
    n = len(classes)
    pool_balance = analysis.summary.balance
    # On a page of their own: a chart is never cut across pages.
    cur.ws.row_breaks.append(Break(id=cur.row - 1))
    cur.heading(text("ts.chart_structure", lang))
    first = cur.table([
        (text("col.class", lang), [c.name for c in classes], "ts_text"),
        (text("col.share", lang), [b / pool_balance for b in analysis.class_balances],
         "ts_pct"),
        (text("col.subordination", lang), analysis.attachment_points, "ts_pct"),
        (text("col.reserve", lang), [analysis.deal.structure.reserve.initial_share] * n,
         "ts_pct"),
        (text("ts.excess_spread", lang), [inputs.cost.excess_spread_annual] * n, "ts_pct"),
    ])
    last = first + n - 1
    ws, c0 = cur.ws, cur.column
    structure = _bar_chart(text("ts.capital_structure", lang), stacked=True)
    # One series a class (its row: name, share), most junior at the bottom of the bar.
    for row in range(last, first - 1, -1):
        structure.add_data(Reference(ws, min_col=c0, max_col=c0 + 1, min_row=row),
                           from_rows=True, titles_from_data=True)
    structure.set_categories(Reference(ws, min_col=c0 + 1, min_row=first - 1))
    structure.legend.position = "r"
    enhancement = _bar_chart(text("col.ce", lang), stacked=True)
    enhancement.add_data(Reference(ws, min_col=c0 + 2, max_col=c0 + 4, min_row=first - 1,
                                   max_row=last), titles_from_data=True)
    enhancement.set_categories(Reference(ws, min_col=c0, min_row=first, max_row=last))
    enhancement.legend.position = "b"
    structure.y_axis.scaling.min, structure.y_axis.scaling.max = 0.0, 1.0
    # Below the table, side by side: about 8 and 14 cm across the page's 30.
    structure.width, structure.height = 8, 7.5
    enhancement.width, enhancement.height = 14, 7.5
    ws.add_chart(structure, f"{get_column_letter(c0)}{cur.row}")
    ws.add_chart(enhancement, f"{get_column_letter(c0 + 4)}{cur.row}")
    cur.row += CHART_ROWS


def _bar_chart(title: str, *, stacked: bool) -> BarChart:
    """A column chart with percent axes shown (openpyxl omits <c:delete> otherwise, and Excel
    then hides the axes)."""
    chart = BarChart()
    chart.type, chart.style, chart.title = "col", 10, title
    if stacked:
        chart.grouping, chart.overlap = "stacked", 100
    chart.y_axis.numFmt = "0%"
    chart.x_axis.delete = chart.y_axis.delete = False
    return chart


def _pool(cur: Cursor, inputs: TermSheetInputs, lang: str) -> None:
    analysis = inputs.analysis
    cur.heading(text("pool.summary", lang))
    rows = analysis.summary.rows(lang)
    units = [SUMMARY_LABELS[f.name][2] for f in fields(analysis.summary)]
    cur.line(*((text(k, lang), "ts_header") for k in ("col.figure", "col.value", "col.unit")))
    for (label, value, unit), unit_key in zip(rows, units, strict=True):
        cur.line((label, "ts_text"), (value, _SUMMARY_STYLES[unit_key]), (unit, "ts_text"))
    cur.row += 1
    top = analysis.top_obligors
    cur.heading(text("pool.top_obligors", lang, n=len(top)))
    # An investor document names no borrower: the obligors by rank, with their shares.
    ranks = [text("pool.obligor_rank", lang, n=i) for i in range(1, len(top) + 1)]
    cur.table([(text("col.obligor", lang), ranks, "ts_text"),
               (text("col.count", lang), top["loans"].to_numpy(), "ts_int"),
               (text("col.balance", lang), top["balance"].to_numpy(), "ts_money"),
               (text("col.share", lang), top["share"].to_numpy(), "ts_pct_fine")])
    # The tables were made with English bucket words; the last row is the total.
    missing = {STRAT_WORDS["missing"][0]: _strat_words(lang)["missing"]}
    for column, frame in analysis.strats.items():
        cur.heading(text("pool.strat", lang, column=text(f"poolcol.{column}", lang)))
        buckets = [missing.get(b, b) for b in frame["bucket"]]
        if column == "amortization" and lang != "en":  # repayment types by name, not code
            buckets = [g.term(g.AMORTIZATION, b, lang) if b in g.AMORTIZATION else b
                       for b in buckets]
        buckets[-1] = _strat_words(lang)["total"]
        cur.table([(text("col.bucket", lang), buckets, "ts_text")] + [
            (text(f"col.{name}", lang), frame[name].to_numpy(), style)
            for name, style in _STRAT_STYLES.items()])


def _strat_words(lang: str) -> dict[str, str]:
    """The stratification words (total, missing) in ``lang``."""
    return {key: words[LANGS.index(lang)] for key, words in STRAT_WORDS.items()}


def _run_rows(cur: Cursor, analysis: DealAnalysis, lang: str) -> None:
    """Paths, seed, block size, importance shift and runtime of the simulation."""
    mc = analysis.monte_carlo
    not_run = text("not_run", lang)
    rows = (("as.paths", "paths", "ts_int"), ("as.seed", "seed", "ts_text"),
            ("as.block_paths", "block_paths", "ts_int"),
            ("as.shift", "importance_shift", "ts_number"),
            ("as.runtime", "runtime_seconds", "ts_number"))
    for key, attr, style in rows:
        cur.line((text(key, lang), "ts_label"),
                 (getattr(mc, attr) if mc else not_run, style if mc else "ts_text"))


def _assumptions(cur: Cursor, inputs: TermSheetInputs, lang: str) -> None:
    analysis = inputs.analysis
    cur.heading(text("as.run", lang))
    _run_rows(cur, analysis, lang)
    cur.row += 1
    cur.heading(text("as.stress", lang))
    cur.line((text("as.multiplier", lang), "ts_label"),
             (analysis.stress_multiplier, "ts_number"))
    cur.line((text("as.stress_class", lang), "ts_label"), (analysis.stress_class, "ts_text"))
    cur.row += 1
    grades = analysis.pd_by_grade
    if len(grades):
        cur.heading(text("as.pd_by_grade", lang))
        cur.table([(text("col.grade", lang), grades["grade"].to_numpy(), "ts_text"),
                   (text("col.annual_pd", lang), grades["annual_pd"].to_numpy(), "ts_pct"),
                   (text("col.source", lang),
                    [text(f"source.{s}", lang) for s in grades["source"]], "ts_text")])
    cur.heading(text("as.inputs", lang))
    cur.line(*((text(k, lang), "ts_header") for k in ("col.input", "col.field", "col.values")))
    for path, values in _flatten(deal_to_dict(analysis.deal)):
        if path == "pool.embedded_csv":  # the loan tape: loan-level data, not for investors
            values = [text("as.embedded_tape", lang)]
        parts = re.sub(r"\[\d+\]", "", path).split(".")
        key = "field." + ".".join(parts)
        # A by_grade entry is keyed by the grade: its value is a PD.
        percent = parts[-1] in _PERCENT_FIELDS or parts[-2:-1] == ["by_grade"]
        cur.line((text(key, lang) if key in LABELS else "", "ts_label"), (path, "ts_text"),
                 *((v, "ts_pct_fine" if percent else "ts_text") for v in values))
    cur.row += 1
    cur.heading(text("as.tables", lang))
    for table in analysis.rating_tables.resolved():
        for key, value in (("col.table", table.name), ("col.kind", table.kind),
                           ("col.label", table.label), ("col.source", table.source),
                           ("col.description", table.description)):
            cur.line((text(key, lang), "ts_label"), (value, "ts_text"))
        frame = rating_table_to_frame(table)
        style = "ts_pct_fine" if table.kind == "el" else "ts_text"
        cur.table([(text("col.rating", lang), frame["rating"].to_numpy(), "ts_text")] + [
            (name, frame[name].to_numpy(), style) for name in frame.columns[1:]])


def _flatten(data: Any, path: str = "") -> list[tuple[str, list[Any]]]:
    """``(field path, values)`` rows of a deal-file dict; a list of numbers or strings is one
    row of values (a vector), a list of objects one block per item."""
    if isinstance(data, dict):
        return [row for key, value in data.items()
                for row in _flatten(value, f"{path}.{key}" if path else str(key))]
    if isinstance(data, list) and any(isinstance(v, dict | list) for v in data):
        return [row for i, value in enumerate(data) for row in _flatten(value, f"{path}[{i}]")]
    return [(path, list(data) if isinstance(data, list) else [data])]


def _monte_carlo(cur: Cursor, inputs: TermSheetInputs, lang: str) -> None:
    mc = inputs.analysis.monte_carlo
    if mc is None:
        cur.note(text("mc.none", lang))
        return
    _run_rows(cur, inputs.analysis, lang)
    cur.row += 1
    cur.heading(text("mc.quantiles", lang))
    dists = (mc.pool_default_rate, mc.pool_loss_rate)
    levels = list(mc.pool_default_rate.quantiles)
    stats = [text("stat.mean", lang), text("stat.mean_se", lang), text("stat.sd", lang),
             *(text("stat.quantile", lang, q=q) for q in levels)]
    cur.table([(text("col.statistic", lang), stats, "ts_text")] + [
        (text(key, lang), [d.mean.value, d.mean.se, d.sd, *(d.quantiles[q] for q in levels)],
         "ts_pct_fine")
        for key, d in zip(("col.default_rate", "col.loss_rate"), dists, strict=True)])
    cur.heading(text("mc.distribution", lang))
    table = loss_buckets(mc.pool_loss_rate, LOSS_BUCKETS)
    top = cur.row
    first = cur.table([(text(f"col.{name}", lang), table[name].to_numpy(), "ts_pct")
                       for name in ("from", "to", "probability", "cumulative")])
    chart = BarChart()
    chart.type, chart.style, chart.legend = "col", 10, None
    chart.title = text("mc.distribution", lang)
    chart.y_axis.title, chart.x_axis.title = (text("col.probability", lang),
                                              text("col.loss_rate", lang))
    chart.y_axis.numFmt = chart.x_axis.numFmt = "0.0%"
    # openpyxl omits <c:delete> otherwise, and Excel then hides the axes.
    chart.x_axis.delete = chart.y_axis.delete = False
    last = first + len(table) - 1
    chart.add_data(Reference(cur.ws, min_col=cur.column + 2, min_row=first - 1, max_row=last),
                   titles_from_data=True)
    chart.set_categories(Reference(cur.ws, min_col=cur.column, min_row=first, max_row=last))
    chart.width, chart.height = 18, 9
    cur.ws.add_chart(chart, f"{get_column_letter(cur.column + 5)}{top}")
    cur.heading(text("mc.classes", lang))
    se = text("col.se", lang)
    first = cur.row + 1
    yield_column = cur.column + 1 + 2 * list(_CLASS_ESTIMATES).index("yield_annual")
    cur.table([(text("col.class", lang), [c.name for c in mc.classes], "ts_text")] + [
        column
        for name, style in _CLASS_ESTIMATES.items()
        for column in (
            (text(f"stat.{name}", lang), [getattr(c, name).value for c in mc.classes], style),
            (se, [getattr(c, name).se for c in mc.classes], style))])
    for j in range(len(mc.classes)):  # a total loss shows as -100% (report.format)
        cur.ws.cell(first + j, yield_column).number_format = EXCEL_YIELD_FORMAT
    _tdr_table(cur, inputs, lang)


def _tdr_table(cur: Cursor, inputs: TermSheetInputs, lang: str) -> None:
    """Ratings down, per class its TDR and whether its BDR reaches it; BDRs on top."""
    analysis = inputs.analysis
    tdrs = analysis.target_default_rates or ()
    by_rating = {t.class_name: t.by_rating() for t in tdrs}
    passes = {t.class_name: t.passes() for t in tdrs}
    classes = [c.name for c in analysis.deal.structure.classes]
    levels = [r for r in LOCAL_SCALE if any(r in t for t in by_rating.values())]
    cur.heading(text("mc.tdr", lang))
    cur.groups(1, [(name, 2) for name in classes])
    columns: list[Column] = [(text("col.rating", lang), [text("col.bdr", lang), *levels],
                              "ts_text")]
    for name, be in zip(classes, analysis.break_evens, strict=True):
        by_level, passed = by_rating.get(name, {}), passes.get(name, {})
        shown = [text("pass" if passed[r] else "fail", lang) if r in by_level else None
                 for r in levels]
        columns += [(text("col.tdr", lang), [be.default_rate, *map(by_level.get, levels)],
                     "ts_pct"),
                    (text("col.pass", lang), [None, *shown], "ts_text")]
    cur.table(columns)


def _cash_flows(cur: Cursor, inputs: TermSheetInputs, lang: str) -> None:
    """Expected and stress case, one below the other, in the same columns; headers frozen;
    then the stress case's waterfall inspector (:func:`_stress_inspector`). The pool's group
    has the principal due; a class's group its lines of the waterfall options, and the
    liquidity reserve and the servicer advance their groups, where the deal has them
    (:class:`~abs_tool.report.tables.CashflowTables`)."""
    analysis = inputs.analysis
    deal = analysis.deal
    header_rows = []
    for title, scenario in (
            (text("cf.expected", lang), analysis.base),
            (text("cf.stress", lang, multiplier=analysis.stress_multiplier), analysis.stress)):
        tables = cashflow_tables(scenario.result, deal)
        cur.heading(title)
        groups: list[tuple[str, pd.DataFrame, Sequence[str]]] = [
            (text("cf.pool", lang), tables.pool, _POOL_FLOWS)]
        for c in deal.structure.classes:
            frame = tables.classes[c.name]
            usual = _RESIDUAL_FLOWS if c.tier == Tier.SUBORDINATED else _NOTE_FLOWS
            groups.append((c.name, frame,
                           (*usual, *(flow for flow in _OPTION_FLOWS if flow in frame))))
        groups += [(text(key, lang), frame, lines) for key, frame, lines in (
            ("cf.liquidity", tables.liquidity, LIQUIDITY_LINES),
            ("cf.advance", tables.advance, ADVANCE_LINES)) if frame is not None]
        cur.groups(2, [(name, len(flows)) for name, _, flows in groups])
        header_rows.append(cur.row)
        columns: list[Column] = [
            (text("cfc.period", lang), tables.pool.index.to_numpy(), "ts_int"),
            (text("cfc.date", lang), tables.pool["date"].to_numpy(), "ts_date")]
        columns += [_flow_column(flow, frame[flow], lang)
                    for _, frame, flows in groups for flow in flows]
        cur.table(columns)
    cur.ws.freeze_panes = cur.ws.cell(header_rows[0] + 1, cur.column + 2).coordinate
    cur.ws.print_title_rows = f"{header_rows[0] - 1}:{header_rows[0]}"
    _stress_inspector(cur, inputs, tables.pool["date"], lang)  # the loop ended on the stress


def _flow_column(flow: str, values: pd.Series, lang: str) -> Column:
    """A period-table line as a Cash Flows column: amounts in money format, rates as
    percentages, flags as yes / no."""
    header = text(f"cfc.{flow}", lang)
    if values.dtype == bool:
        return header, [text("yes" if v else "no", lang) for v in values], "ts_text"
    return header, values.to_numpy(), _FLOW_STYLES.get(flow, "ts_money")


# Columns of the inspector's steps that hold amounts (the rest: step number, codes, names).
_STEP_AMOUNTS = ("funds_before", "received", "due", "paid", "shortfall", "funds_after")


def _inspector_code(kind: str, code: str, lang: str) -> str:
    """A code of the inspector's tables in ``lang``; a class's, fee's or trigger's name (the
    user's words) as it is, a period-table line by its header."""
    for key in (f"insp.{kind}.{code}", f"cfc.{code}"):
        if key in LABELS:
            return text(key, lang)
    return code


def _stress_inspector(cur: Cursor, inputs: TermSheetInputs, dates: pd.Series,
                      lang: str) -> None:
    """The stress case's month (:mod:`abs_tool.report.excel.inspection`) step by step: the
    priority of payments, the triggers against their levels, the accounts and ledgers, as
    :func:`~abs_tool.analysis.inspector.inspect_waterfall` gives them (amounts in money
    format, rates as percentages; nothing loan-level)."""
    inspected = stress_inspection(inputs.analysis, inputs.inspector_month)
    inspection = inspected.inspection
    cur.heading(text("insp.title", lang))
    cur.line((text("cfc.period", lang), "ts_text"), (inspected.month, "ts_int"))
    cur.line((text("cfc.date", lang), "ts_text"), (dates.iloc[inspected.month - 1], "ts_date"))
    cur.line((text("insp.why", lang), "ts_text"),
             (text(f"insp.why.{inspected.reason}", lang), "ts_text"))
    cur.note(text("insp.note", lang))
    cur.row += 1
    steps = inspection.steps
    cur.heading(text("insp.steps", lang))
    cur.table([(text("insp.col.step", lang), steps["step"].to_numpy(), "ts_int"),
               *((text(f"insp.col.{c}", lang),
                  [_inspector_code(c, v, lang) for v in steps[c]], "ts_text")
                 for c in ("part", "item")),
               *((text(f"insp.col.{c}", lang), steps[c].to_numpy(), "ts_money")
                 for c in _STEP_AMOUNTS)])
    triggers = inspection.triggers
    if len(triggers):
        cur.heading(text("insp.triggers", lang))
        cur.table([(text("insp.col.trigger", lang), list(triggers["trigger"]), "ts_text"),
                   (text("insp.col.metric", lang),
                    [text(f"metric.{m}", lang) for m in triggers["metric"]], "ts_text"),
                   *((text(f"insp.col.{c}", lang), triggers[c].to_numpy(), "ts_pct")
                     for c in ("value", "level", "headroom")),
                   (text("insp.col.breached", lang),
                    [text("yes" if b else "no", lang) for b in triggers["breached"]],
                    "ts_text")])
    ledgers = inspection.ledgers
    cur.heading(text("insp.ledgers", lang))
    cur.table([(text("insp.col.ledger", lang),
                [_inspector_code("part", v, lang) for v in ledgers["ledger"]], "ts_text"),
               (text("insp.col.item", lang),
                [_inspector_code("item", v, lang) for v in ledgers["item"]], "ts_text"),
               (text("col.amount", lang), ledgers["value"].to_numpy(),
                ["ts_pct" if item == "cumulative_default_rate" else "ts_money"
                 for item in ledgers["item"]])])


def _structuring(cur: Cursor, tables: Mapping[str, pd.DataFrame]) -> None:
    for title, frame in tables.items():
        cur.heading(title)
        first = cur.table([(str(name), frame[name].to_numpy(), _column_style(frame, name))
                           for name in frame.columns])
        for offset, name in enumerate(frame.columns):  # yields: a total loss shows as -100%
            chosen = frame.attrs.get("formats", {}).get(name)
            kinds = [chosen] * len(frame) if isinstance(chosen, str) else (chosen or [])
            for i, kind in enumerate(kinds):
                if kind == "yield":
                    cur.ws.cell(first + i, cur.column + offset).number_format = (
                        EXCEL_YIELD_FORMAT)


def _column_style(frame: pd.DataFrame, name: str) -> str | list[str]:
    """The style of a column of ``frame`` by its ``attrs["formats"]`` (one format, or one a
    row), else by its type."""
    chosen = frame.attrs.get("formats", {}).get(name)
    if chosen is None:
        return _default_style(frame[name])
    return FORMAT_STYLES[chosen] if isinstance(chosen, str) else [FORMAT_STYLES[f]
                                                                   for f in chosen]


def _default_style(series: pd.Series) -> str:
    """Integers with separators, dates as dates, anything else as it comes (General)."""
    if pd.api.types.is_integer_dtype(series):
        return "ts_int"
    if pd.api.types.is_datetime64_any_dtype(series) or isinstance(
            series.iloc[0] if len(series) else None, date):
        return "ts_date"
    return "ts_text"


def _audit(cur: Cursor, inputs: TermSheetInputs, lang: str) -> None:
    analysis = inputs.analysis
    mc = analysis.monte_carlo
    not_run = text("not_run", lang)
    libraries = (f"Python {platform.python_version()}, numpy {np.__version__}, "
                 f"pandas {pd.__version__}, openpyxl {openpyxl.__version__}")
    rows = (("au.version", analysis.tool_version, "ts_text"),
            ("au.generated", analysis.created.strftime("%Y-%m-%d %H:%M:%S"), "ts_text"),
            ("au.libraries", libraries, "ts_text"),
            ("au.deal", display_name(analysis.deal.name, lang), "ts_text"),
            ("au.seed", mc.seed if mc else not_run, "ts_text"),
            ("au.paths", mc.paths if mc else not_run, "ts_int" if mc else "ts_text"))
    cur.heading(text("au.tool", lang))
    for key, value, style in rows:
        cur.line((text(key, lang), "ts_label"), (value, style))
    cur.row += 1
    cur.heading(text("au.hashes", lang))
    names = [text("au.deal_hash", lang), text("au.pool_hash", lang), *inputs.sources]
    hashes = [analysis.deal_sha256, analysis.pool_sha256, *inputs.sources.values()]
    cur.table([(text("col.input_name", lang), names, "ts_text"),
               (text("col.sha256", lang), hashes, "ts_text")])



CURVE_VINTAGES = 6
"""Vintages drawn on the Static pool analysis sheet's chart: the oldest, the newest and evenly
between (every vintage's rates are in the vintage table)."""

_VINTAGE_STYLES: dict[str, str] = {
    "vintage": "ts_text", "original_balance": "ts_money", "months_observed": "ts_int",
    "observed_rate": "ts_pct", "developed_share": "ts_pct",
    "chain_ladder_lifetime_rate": "ts_pct", "fit_lifetime_rate": "ts_pct",
    "in_base_case": "ts_text", "weight": "ts_pct",
}
"""Columns of the vintage table (:meth:`StaticPoolAnalysis.vintage_records`) -> style."""


def curve_vintages(analysis: StaticPoolAnalysis) -> list[int]:
    """Indices of the vintages the chart draws (:data:`CURVE_VINTAGES` of them at most)."""
    n = len(analysis.data.vintages)
    return sorted({int(i) for i in np.linspace(0, n - 1, min(CURVE_VINTAGES, n)).round()})


def static_pool_sheet(cur: Cursor, analysis: StaticPoolAnalysis, lang: str) -> None:
    """The base case with its dispersion, the curves by month on book with a line chart of a
    few vintages' cumulative default rates, and the vintage table."""
    spread, recovery, corr = analysis.dispersion, analysis.recovery, analysis.correlation
    missing = (text("sp.not_found", lang), "ts_text")

    def rate(value: float | None) -> tuple[Any, str]:
        return missing if value is None else (value, "ts_pct")

    cpr = analysis.cpr_annual
    cpr_mean = None if cpr is None or not np.isfinite(cpr).any() else float(np.nanmean(cpr))
    rows: list[tuple[str, tuple[Any, str]]] = [
        ("sp.lifetime", (analysis.lifetime_default_rate, "ts_pct")),
        ("sp.weighting", (text(f"sp.weighting.{analysis.weighting}", lang,
                               months=analysis.half_life_months), "ts_text")),
        ("sp.vintages_used", (spread.n_vintages, "ts_int")),
        ("sp.std", (spread.std, "ts_pct")),
        ("sp.min", (spread.minimum, "ts_pct")),
        ("sp.max", (spread.maximum, "ts_pct")),
        ("sp.cv", (spread.coefficient_of_variation, "ts_number")),
        ("sp.by_count", rate(analysis.lifetime_default_rate_by_count)),
        ("sp.fit", (analysis.lifetime_default_rate_fit, "ts_pct")),
        ("sp.months", (analysis.months, "ts_int")),
        ("sp.cpr_mean", rate(cpr_mean)),
        ("sp.recovery_rate", rate(None if recovery is None else recovery.rate)),
        ("sp.recovery_lag", missing if recovery is None else (recovery.lag_months,
                                                              "ts_number")),
        ("sp.correlation", rate(None if corr is None else corr.rho)),
    ]
    cur.heading(text("sp.base_case", lang))
    for key, cell in rows:
        cur.line((text(key, lang), "ts_label"), cell)
    if corr is not None:
        low, high = corr.interval
        cur.line((text("sp.correlation_interval", lang), "ts_label"), (low, "ts_pct"),
                 (high, "ts_pct"))
    cur.row += 1

    data, months = analysis.data, analysis.months
    chosen = curve_vintages(analysis)
    ages = np.arange(1, months + 1)
    observed = data.cumulative_default_balance[chosen, :months] / data.original_balance[
        chosen, None]
    # Months not yet observed are empty cells: the chart's lines stop there.
    observed = np.where(ages[None, :] <= data.observed_months[chosen, None], observed, np.nan)
    cur.heading(text("sp.curves", lang))
    cur.note(text("sp.curves_help", lang))
    top = cur.row
    columns: list[Column] = [
        (text("col.months_on_book", lang), ages, "ts_int"),
        (text("col.timing", lang), analysis.timing_curve, "ts_pct"),
        (text("sp.timing_cumulative", lang), np.cumsum(analysis.timing_curve), "ts_pct"),
        (text("col.cpr", lang), [] if cpr is None else cpr, "ts_pct"),
    ]
    columns += [(data.vintages[v], observed[i], "ts_pct") for i, v in enumerate(chosen)]
    first = cur.table(columns)
    chart = LineChart()
    chart.style, chart.title = 12, text("sp.curves", lang)
    chart.x_axis.title, chart.y_axis.title = (text("col.months_on_book", lang),
                                              text("col.observed_rate", lang))
    chart.y_axis.numFmt = "0.0%"
    chart.x_axis.delete = chart.y_axis.delete = False  # else Excel hides the axes
    last = first + months - 1
    vintage_column = cur.column + 4
    chart.add_data(Reference(cur.ws, min_col=vintage_column, max_col=vintage_column
                             + len(chosen) - 1, min_row=first - 1, max_row=last),
                   titles_from_data=True)
    chart.set_categories(Reference(cur.ws, min_col=cur.column, min_row=first, max_row=last))
    chart.width, chart.height = 18, 9
    cur.ws.add_chart(chart, f"{get_column_letter(vintage_column + len(chosen) + 1)}{top}")
    cur.row = max(cur.row, top + CHART_ROWS + 2)

    cur.heading(text("sp.vintages", lang))
    records = analysis.vintage_records()
    yes_no = {True: text("yes", lang), False: text("no", lang)}
    cur.table([(text(f"col.{name}", lang),
                [yes_no[r[name]] if name == "in_base_case" else r[name] for r in records],
                style) for name, style in _VINTAGE_STYLES.items()])


_PASS_FILL = PatternFill("solid", start_color="C6EFCE", end_color="C6EFCE")
_FAIL_FILL = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")


def scenario_name(name: str, lang: str) -> str:
    """An indicative scenario's name in ``lang``; a user's name as written."""
    return g.term(g.SCENARIOS, name, lang) if name in g.SCENARIOS else name


def scenario_words(scenario: StressScenario, lang: str) -> str:
    """What a scenario changes, in ``lang``: the one description of a stress scenario (the
    Stress tests sheet, the standalone stress workbook)."""
    s = scenario
    parts = []
    if s.timing != "base":
        parts.append(text("sc.timing", lang, timing=text(f"sc.timing.{s.timing}", lang),
                          power=s.power))
    if s.cpr_annual is not None:
        parts.append(text("sc.cpr", lang, rate=s.cpr_annual))
    elif s.cpr_multiplier != 1:
        parts.append(text("sc.cpr_times", lang, times=s.cpr_multiplier))
    if s.recovery_rate is not None:
        parts.append(text("sc.recovery", lang, rate=s.recovery_rate))
    elif s.recovery_multiplier != 1:
        parts.append(text("sc.recovery_times", lang, times=s.recovery_multiplier))
    if s.extra_lag_months:
        parts.append(text("sc.lag", lang, months=s.extra_lag_months))
    if s.yield_compression_annual:
        parts.append(text("sc.yield", lang, bp=s.yield_compression_annual * 1e4))
    if s.benchmark_shift_bp:
        parts.append(text("sc.benchmark", lang, bp=s.benchmark_shift_bp))
    return ("、" if lang == "zh" else ", ").join(parts) or text("sc.none", lang)


def stress_ratings(table: StressTable) -> list[str]:
    """Every rating level of the table, best first (the union over classes)."""
    levels = {r for s in table.scenarios for c in s.classes for r in c.ratings}
    return sorted(levels, key=LOCAL_SCALE.index)


def stress_sheet(cur: Cursor, table: StressTable, lang: str) -> None:
    """The Stress tests sheet (also the standalone workbook's,
    :mod:`abs_tool.report.stress_xlsx`): the TDR's source and multiples, the scenarios in
    words, the BDR/TDR table coloured pass/fail, and the highest rating of each class."""
    indicative = text("ss.indicative", lang)
    if table.multiples.indicative or table.scenarios_indicative:
        cur.note(text("ss.indicative_note", lang))
    cur.line((text("ss.base_rate", lang), "ts_label"),
             (table.base_lifetime_default_rate, "ts_pct"))
    cur.line((text("ss.tdr_source", lang), "ts_label"),
             (text(f"ss.tdr.{table.tdr_source}", lang), "ts_text"))
    cur.row += 1
    if table.tdr_source == "multiples":
        cur.heading(text("ss.multiples", lang)
                    + (indicative if table.multiples.indicative else ""))
        pairs = table.multiples.multiples
        cur.table([(text("col.rating", lang), [r for r, _ in pairs], "ts_text"),
                   (text("col.multiple", lang), [m for _, m in pairs], "ts_number"),
                   (text("col.tdr", lang),
                    [m * table.base_lifetime_default_rate for _, m in pairs], "ts_pct")])
    cur.heading(text("ss.scenarios", lang) + (indicative if table.scenarios_indicative else ""))
    rows = table.scenarios
    cur.table([(text("col.scenario", lang), [scenario_name(r.scenario.name, lang)
                                             for r in rows], "ts_text"),
               (text("col.changes", lang), [scenario_words(r.scenario, lang) for r in rows],
                "ts_text"),
               (text("col.scenario_rate", lang), [r.lifetime_default_rate for r in rows],
                "ts_pct"),
               (text("col.mean_month", lang), [r.mean_default_month for r in rows],
                "ts_number")])
    cur.heading(text("ss.results", lang))
    cur.note(text("ss.legend", lang))
    ratings = stress_ratings(table)
    cells = [(r.scenario.name, c) for r in rows for c in r.classes]
    yes_no = {True: text("yes", lang), False: text("no", lang)}
    by_rating = [c.tdr_by_rating() for _, c in cells]
    first = cur.table([
        (text("col.scenario", lang), [scenario_name(n, lang) for n, _ in cells], "ts_text"),
        (text("col.class", lang), [c.class_name for _, c in cells], "ts_text"),
        (text("col.bdr", lang), [c.bdr for _, c in cells], "ts_pct"),
        (text("col.lower_bound", lang), [yes_no[not c.loses] for _, c in cells], "ts_text"),
        *((text("col.tdr_rating", lang, rating=rating),
           [tdr.get(rating) for tdr in by_rating], "ts_pct") for rating in ratings),
        (text("col.highest", lang), [c.highest_rating for _, c in cells], "ts_text")])
    for i, (_, c) in enumerate(cells):
        passes = c.passes_by_rating()
        for j, rating in enumerate(ratings):
            if rating in passes:
                cur.ws.cell(first + i, cur.column + 4 + j).fill = (
                    _PASS_FILL if passes[rating] else _FAIL_FILL)
    cur.heading(text("ss.summary", lang))
    reference = table.lifetime_reference
    summary: list[Column] = [
        (text("col.class", lang), list(table.class_names), "ts_text"),
        (text("col.summary_rating", lang), [table.highest_rating(n) for n in table.class_names],
         "ts_text")]
    if reference:
        summary.append((text("col.reference", lang), [b.default_rate for b in reference],
                        "ts_pct"))
    cur.table(summary)
