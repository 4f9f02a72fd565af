"""Display formatting of numbers: thousands separators, percent, basis points, currency.

Text helpers are pure functions of a value (and the language where words differ); they
never change a number, they only write it. The ``*_column`` helpers give Streamlit column
configs so that tables keep numbers (sortable, testable) and only show them formatted;
:func:`markdown_table` writes a small static table through those text helpers.
Missing values (None, NaN) show as :data:`MISSING`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from numbers import Real

import streamlit as st

MISSING = "—"

CURRENCY: dict[str, str] = {"en": "RMB", "zh": "元"}
MONTHS: dict[str, str] = {"en": "months", "zh": "个月"}


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, Real) and math.isnan(float(value)))


def count(value: float | None) -> str:
    """A whole number with thousands separators: ``20,000``."""
    return MISSING if _missing(value) else f"{round(float(value)):,d}"


def number(value: float | None, decimals: int = 2) -> str:
    """A number with thousands separators: ``7,848.35``."""
    return MISSING if _missing(value) else f"{float(value):,.{decimals}f}"


def percent(value: float | None, decimals: int = 2) -> str:
    """A fraction as a percentage: 0.08774 -> ``8.77%``."""
    return MISSING if _missing(value) else f"{float(value):.{decimals}%}"


def percent_significant(value: float | None, digits: int = 2) -> str:
    """A fraction as a percentage with ``digits`` significant digits and at least two
    decimals: 6.9e-7 -> ``0.000069%``, 0.0123 -> ``1.23%``. A senior class's expected loss
    (the AAA threshold is about 0.001%) would otherwise show as 0.00%."""
    if _missing(value):
        return MISSING
    shown = abs(float(value)) * 100
    if shown == 0:
        return percent(value)
    decimals = max(2, digits - 1 - math.floor(math.log10(shown)))
    return f"{float(value):.{decimals}%}"


def bp(value: float | None, decimals: int = 0) -> str:
    """A number already in basis points: 12.3 -> ``12 bp``."""
    return MISSING if _missing(value) else f"{float(value):,.{decimals}f} bp"


def money(value: float | None, lang: str, decimals: int = 0) -> str:
    """An amount with thousands separators and currency: ``RMB 1,234`` / ``1,234 元``."""
    if _missing(value):
        return MISSING
    shown = f"{float(value):,.{decimals}f}"
    return f"{CURRENCY['en']} {shown}" if lang == "en" else f"{shown} {CURRENCY['zh']}"


def months(value: float | None, lang: str, decimals: int = 1) -> str:
    """A term in months: ``7.3 months`` / ``7.3 个月``."""
    if _missing(value):
        return MISSING
    return f"{float(value):,.{decimals}f} {MONTHS.get(lang, MONTHS['en'])}"


def summary_value(value: float | None, unit: str) -> str:
    """A pool-summary figure by its unit key (:data:`abs_tool.analysis.pool_stats.UNIT_LABELS`),
    without
    the unit (the summary table shows it in its own column).

    Rates and shares show as percent; counts that are whole numbers without decimals, others
    (the effective number of obligors) with one.
    """
    if unit in ("money", "months"):
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
    """Amounts: ``1,234.00``."""
    return st.column_config.NumberColumn(label, format="accounting")


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
