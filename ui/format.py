"""Display formatting of numbers for Streamlit: the library's formatting functions
(:mod:`abs_tool.report.format`: one per kind, shared with the workbook and the CLI) in the
language and money unit chosen in the sidebar, and column configs that show them.

Text helpers are pure functions of a value (and the language where words differ); they never
change a number, they only write it. The ``*_column`` helpers give Streamlit column configs so
that tables keep numbers (sortable, testable) and only show them formatted;
:func:`markdown_table` writes a small static table through those text helpers. Missing values
(None, NaN) show as :data:`MISSING`. Amounts in Chinese are in 万元 or 亿元
(:func:`ui.labels.money_unit`): a table's amounts are divided by the library
(:func:`abs_tool.report.format.money_frame`) and its header names the unit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

import pandas as pd
import streamlit as st

from abs_tool.report import format as lib
from abs_tool.report.format import (
    MISSING,
    bp,
    count,
    is_missing as _missing,
    number,
    percent,
    percent_significant,
    yield_percent,
)

from .labels import lang as current_lang, money_unit

__all__ = [
    "MISSING", "bp", "count", "number", "percent", "percent_significant", "yield_percent",
]


def money(value: float | None, lang: str, decimals: int | None = None,
          unit: str | None = None) -> str:
    """An amount: ``RMB 1,234`` in English, ``80,000.00 万元`` / ``8.00 亿元`` in Chinese (the
    unit chosen in the sidebar unless ``unit`` is given)."""
    return lib.money(value, lang, unit or money_unit(), decimals)


def months(value: float | None, lang: str, decimals: int = 1) -> str:
    """A term in months: ``7.3 months`` / ``7.3 个月``."""
    return lib.months(value, lang, decimals)


def money_label(label: str) -> str:
    """A header of amounts: as it is in English (RMB), with ``(万元)`` / ``(亿元)`` in
    Chinese, where :func:`money_table` has divided the figures."""
    if current_lang() == "en":
        return label
    return f"{label}({lib.money_unit_label(current_lang(), money_unit())})"


def money_table(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """``frame`` with the amounts of ``columns`` in the chosen unit (a copy)."""
    return lib.money_frame(frame, columns, current_lang(), money_unit())


def money_values(values: pd.Series) -> pd.Series:
    """Amounts for a chart axis, in the chosen unit."""
    return lib.money_frame(values.to_frame("v"), ["v"], current_lang(), money_unit())["v"]


def summary_value(value: float | None, unit: str) -> str:
    """A pool-summary figure by its unit key (:data:`abs_tool.analysis.pool_stats.UNIT_LABELS`),
    without
    the unit (the summary table shows it in its own column).

    Rates and shares show as percent; counts that are whole numbers without decimals, others
    (the effective number of obligors) with one.
    """
    if unit == "money":
        return MISSING if _missing(value) else number(
            lib.money_value(float(value), current_lang(), money_unit()), 2)  # type: ignore[arg-type]
    if unit == "months":
        return number(value, 2)
    if unit in ("rate", "share"):
        return percent(value)
    if unit == "count":
        if _missing(value) or float(value).is_integer():  # type: ignore[arg-type]
            return count(value)
        return number(value, decimals=1)
    return MISSING if _missing(value) else str(value)


# Characters that would start Markdown (or Streamlit's LaTeX) inside a table cell.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|$~])")


def markdown_text(text: str) -> str:
    """``text`` escaped for Markdown: a class named ``A|1*`` shows as written."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_table(
    rows: list[dict[str, object]],
    headers: Mapping[str, str],
    formats: Mapping[str, Callable[[object], str]],
) -> str:
    """A Markdown table of ``rows`` with the columns and headers of ``headers``; a column with
    a format is a number (right-aligned, written by its format), the others text.

    Streamlit draws it as plain HTML: no grid to load in the browser, unlike ``st.table``.
    """
    def cell(name: str, value: object) -> str:
        if name in formats:
            return formats[name](value)
        return MISSING if _missing(value) else markdown_text(str(value))

    names = list(headers)
    lines = ["| " + " | ".join(markdown_text(headers[n]) for n in names) + " |",
             "|" + "|".join("---:" if n in formats else ":---" for n in names) + "|"]
    lines += ["| " + " | ".join(cell(n, row[n]) for n in names) + " |" for row in rows]
    return "\n".join(lines)


# --- Column configs for st.dataframe ----------------------------------------------------------


def money_column(label: str) -> st.column_config.NumberColumn:
    """Amounts: ``1,234.00``; in Chinese the header names the unit (:func:`money_label`)
    and the figures must come through :func:`money_table`."""
    return st.column_config.NumberColumn(money_label(label), format="accounting")



def count_column(label: str) -> st.column_config.NumberColumn:
    """Whole numbers: ``20,000``."""
    return st.column_config.NumberColumn(label, format="localized")


def percent_column(label: str) -> st.column_config.NumberColumn:
    """Fractions shown as percent: 0.0877 -> ``8.77%``."""
    return st.column_config.NumberColumn(label, format="percent")


def decimal_column(label: str, decimals: int = 2) -> st.column_config.NumberColumn:
    """Plain numbers with ``decimals`` places."""
    return st.column_config.NumberColumn(label, format=f"%.{decimals}f")


def text_column(label: str) -> st.column_config.TextColumn:
    return st.column_config.TextColumn(label)
