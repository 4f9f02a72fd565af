"""The stress table (:class:`~abs_tool.analysis.stress.StressTable`) as a small workbook of
one sheet, "Stress tests" (压力测试), in English or Chinese, written atomically.

The sheet is the term sheet's own (:func:`abs_tool.report.excel.writer.stress_sheet`), on the
term-sheet template's Stress tests sheet with its styles, page setup and number formats; the
template's other sheets and defined names are dropped.
"""

from __future__ import annotations

import io

from abs_tool.analysis.pool_stats import LANGS
from abs_tool.analysis.stress import StressTable
from abs_tool.errors import InputError
from abs_tool.glossary import MONEY_UNITS
from abs_tool.io.atomic import write_atomic
from abs_tool.report.excel.labels import SHEETS
from abs_tool.report.excel.template import load_template
from abs_tool.report.excel.writer import Cursor, excel_value, finish, stress_sheet, translate

SHEET = SHEETS["sheet.stress"][0]
"""The sheet's English title (Chinese: ``SHEETS["sheet.stress"][1]``)."""


def stress_workbook_bytes(table: StressTable, lang: str = "en") -> bytes:
    """The workbook of ``table`` as .xlsx bytes, in ``lang`` (``"en"`` or ``"zh"``).

    Raises
    ------
    InputError
        ``lang`` unknown.
    """
    if lang not in LANGS:
        raise InputError(f"`lang` (got {lang!r}) must be one of {list(LANGS)}")
    template = load_template()
    if lang != "en":
        translate(template, lang)
    wb = template.workbook
    ws = template.sheet("stress")
    for other in [w for w in wb.worksheets if w is not ws]:
        wb.remove(other)
    for name in list(wb.defined_names):
        del wb.defined_names[name]
    cursor = Cursor(*template.anchors["stress"])
    stress_sheet(cursor, table, lang)
    # No amounts on the sheet: the money unit is the default one.
    finish(wb, [cursor], lang, MONEY_UNITS[0])
    wb.properties.title = excel_value(table.deal_name)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_stress_workbook(path: str, table: StressTable, lang: str = "en") -> None:
    """Write the workbook of ``table`` to ``path`` atomically, in ``lang``.

    Raises
    ------
    OutputError
        The file cannot be written (:func:`~abs_tool.io.atomic.write_atomic`).
    """
    write_atomic(path, stress_workbook_bytes(table, lang))
