"""The Excel term sheet (issue 6): a workbook for investors and rating analysts.

:func:`build_term_sheet_inputs` takes what the workbook shows from a
:class:`~abs_tool.analysis.deal_analysis.DealAnalysis`; :func:`term_sheet_bytes` fills the
template (``templates/term_sheet.xlsx``, shipped in ``abs_tool/data/templates``) in English or
Chinese; :func:`write_term_sheet` writes it to a file atomically. Sheets and
defined names are described in docs/term_sheet.md.
"""

from __future__ import annotations

import os

from abs_tool.analysis.pool_stats import LANGS
from abs_tool.errors import InputError
from abs_tool.glossary import MONEY_UNITS
from abs_tool.io.atomic import write_atomic
from abs_tool.report.excel.inputs import (
    TermSheetInputs,
    build_term_sheet_inputs,
    file_sha256,
)
from abs_tool.report.excel.template import (
    KEY_FIGURES,
    TemplateError,
    TemplateSource,
    load_template,
)
from abs_tool.report.excel.writer import term_sheet_workbook_bytes


def term_sheet_bytes(inputs: TermSheetInputs, lang: str = "en",
                     template: TemplateSource = None, money_unit: str = "wan") -> bytes:
    """The term-sheet workbook as .xlsx bytes (for a download button).

    Parameters
    ----------
    inputs
        From :func:`build_term_sheet_inputs`.
    lang
        ``"en"`` or ``"zh"``: labels, sheet names and tier names (优先级 / 中间级 / 次级;
        class names as the deal gives them), from :mod:`abs_tool.glossary`.
    template
        A template file or its bytes; default the shipped one.
    money_unit
        How Chinese amounts show: ``"wan"`` (万元, one decimal) or ``"yi"`` (亿元, two
        decimals), by a custom number format: the cells keep the amounts in yuan, so
        formulas and the defined names (``PoolBalance``) stay in yuan. English amounts show
        in RMB with thousands separators.

    Raises
    ------
    InputError
        ``lang`` or ``money_unit`` unknown.
    TemplateError
        The template lacks a sheet, named style or defined name the code fills.
    """
    if lang not in LANGS:
        raise InputError(f"`lang` (got {lang!r}) must be one of {list(LANGS)}")
    if money_unit not in MONEY_UNITS:
        raise InputError(f"`money_unit` (got {money_unit!r}) must be one of {list(MONEY_UNITS)}")
    return term_sheet_workbook_bytes(inputs, lang, template, money_unit)


def write_term_sheet(path: str | os.PathLike[str], inputs: TermSheetInputs, lang: str = "en",
                     template: TemplateSource = None, money_unit: str = "wan") -> None:
    """Write the workbook to ``path`` atomically: a reader sees the old file or the whole new
    one, and a failure (while building or writing) leaves no new file behind."""
    write_atomic(path, term_sheet_bytes(inputs, lang, template, money_unit))


__all__ = [
    "KEY_FIGURES",
    "TemplateError",
    "TemplateSource",
    "TermSheetInputs",
    "build_term_sheet_inputs",
    "file_sha256",
    "load_template",
    "term_sheet_bytes",
    "write_term_sheet",
]
