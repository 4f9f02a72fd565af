"""How numbers are written, one function per kind, for the app, the workbook and the CLI.

Text helpers (:func:`money`, :func:`percent`, :func:`percent_significant`, :func:`bp`,
:func:`count`, :func:`months`, :func:`yield_percent`) are pure functions of a value (and the
language where the words differ): they never change a number, they only write it, never in
scientific notation, and a missing value (None, NaN) is :data:`MISSING`. The ``excel_*``
helpers give the Excel number formats that show the same thing in a workbook cell whose
value stays the exact figure.

Conventions
-----------
- Money: English in RMB with thousands separators (``RMB 1,234``); Chinese in 万元 or 亿元,
  the user's choice (:data:`abs_tool.glossary.MONEY_UNITS`), ``80,000.00 万元``.
- Rates and shares: percent, with significant digits where a figure is small (a senior
  class's expected loss of 1.19e-05 is ``0.0012%``, not 0.00% and not 1.19e-05).
- Yields: a class that receives nothing has a yield of -100%. The engine's yield is the
  nominal annual rate (12 x the monthly rate), which reaches -1200% for a total loss, so
  yields are shown no lower than -100% (:func:`shown_yield`); the results JSON keeps the
  engine's figure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Real

import pandas as pd

from abs_tool import glossary as g

MISSING = "—"
"""What an empty cell or a figure that does not exist shows."""

TOTAL_LOSS_YIELD = -1.0
"""The yield shown for a class that receives nothing (and the floor of any yield shown)."""

MONEY_SCALES: dict[str, float] = {"yuan": 1.0, "wan": 1e4, "yi": 1e8}
"""Money unit -> yuan in one unit."""

DEFAULT_MONEY_UNIT = "wan"
"""The Chinese money unit unless the user chooses another."""

MAX_DECIMALS = 12
"""Most decimals a significant-digit percentage gets (smaller figures show as 0.00...%)."""


def is_missing(value: object) -> bool:
    """True for None and NaN."""
    return value is None or (isinstance(value, Real) and math.isnan(float(value)))


def count(value: float | None) -> str:
    """A whole number with thousands separators: ``20,000``."""
    return MISSING if is_missing(value) else f"{round(float(value)):,d}"  # type: ignore[arg-type]


def number(value: float | None, decimals: int = 2) -> str:
    """A number with thousands separators: ``7,848.35``."""
    return MISSING if is_missing(value) else f"{float(value):,.{decimals}f}"  # type: ignore[arg-type]


def percent(value: float | None, decimals: int = 2) -> str:
    """A fraction as a percentage: 0.08774 -> ``8.77%``."""
    return MISSING if is_missing(value) else f"{float(value):.{decimals}%}"  # type: ignore[arg-type]


def significant_decimals(value: float, digits: int = 2, minimum: int = 2) -> int:
    """Decimals that show ``value`` (a percentage already x100, or any number) with
    ``digits`` significant digits, at least ``minimum``, at most :data:`MAX_DECIMALS`."""
    shown = abs(value)
    if shown == 0 or not math.isfinite(shown):
        return minimum
    return min(MAX_DECIMALS, max(minimum, digits - 1 - math.floor(math.log10(shown))))


def percent_significant(value: float | None, digits: int = 2) -> str:
    """A fraction as a percentage with ``digits`` significant digits and at least two
    decimals: 6.9e-7 -> ``0.000069%``, 0.0123 -> ``1.23%``."""
    if is_missing(value):
        return MISSING
    v = float(value)  # type: ignore[arg-type]
    return f"{v:.{significant_decimals(v * 100, digits)}%}"


def bp(value: float | None, decimals: int = 0) -> str:
    """A number already in basis points: 12.3 -> ``12 bp``."""
    return MISSING if is_missing(value) else f"{float(value):,.{decimals}f} bp"  # type: ignore[arg-type]


def shown_yield(value: float) -> float:
    """A yield as shown: no lower than :data:`TOTAL_LOSS_YIELD` (NaN stays NaN)."""
    return value if math.isnan(value) else max(value, TOTAL_LOSS_YIELD)


def yield_percent(value: float | None, decimals: int = 2) -> str:
    """A yield as a percentage, a total loss as ``-100.00%`` (:func:`shown_yield`)."""
    return MISSING if is_missing(value) else percent(shown_yield(float(value)), decimals)  # type: ignore[arg-type]


def check_money_unit(unit: str) -> str:
    """``unit`` if it is one of :data:`abs_tool.glossary.MONEY_UNITS`.

    Raises
    ------
    KeyError
        Another unit.
    """
    if unit not in g.MONEY_UNITS:
        raise KeyError(f"`money_unit` (got {unit!r}) must be one of {list(g.MONEY_UNITS)}")
    return unit


def money_unit(lang: str, unit: str = DEFAULT_MONEY_UNIT) -> str:
    """The unit amounts are shown in: ``"yuan"`` in English, ``unit`` in Chinese."""
    return "yuan" if lang == "en" else check_money_unit(unit)


def money_unit_label(lang: str, unit: str = DEFAULT_MONEY_UNIT) -> str:
    """``RMB``, ``万元`` or ``亿元``: the unit's name in ``lang``."""
    return g.term(g.UNITS, money_unit(lang, unit), lang)


def money_value(value: float, lang: str, unit: str = DEFAULT_MONEY_UNIT) -> float:
    """``value`` (yuan) in the unit of :func:`money_unit` (a number for a chart or a table
    whose header names the unit)."""
    return value / MONEY_SCALES[money_unit(lang, unit)]


def money(value: float | None, lang: str, unit: str = DEFAULT_MONEY_UNIT,
          decimals: int | None = None) -> str:
    """An amount: ``RMB 1,234`` in English; ``80,000.00 万元`` or ``8.00 亿元`` in Chinese.

    ``decimals`` default: 0 in yuan, else 2 (4 below one unit, so a small fee in 亿元 does
    not show as 0.00).
    """
    if is_missing(value):
        return MISSING
    chosen = money_unit(lang, unit)
    scaled = float(value) / MONEY_SCALES[chosen]  # type: ignore[arg-type]
    if decimals is None:
        decimals = 0 if chosen == "yuan" else (4 if 0 < abs(scaled) < 1 else 2)
    shown = f"{scaled:,.{decimals}f}"
    label = money_unit_label(lang, unit)
    return f"{label} {shown}" if lang == "en" else f"{shown} {label}"


def months(value: float | None, lang: str, decimals: int = 1) -> str:
    """A term in months: ``7.3 months`` / ``7.3 个月``."""
    if is_missing(value):
        return MISSING
    return f"{float(value):,.{decimals}f} {g.term(g.UNITS, 'months', lang)}"  # type: ignore[arg-type]


def money_frame(frame: pd.DataFrame, columns: Iterable[str], lang: str,
                unit: str = DEFAULT_MONEY_UNIT) -> pd.DataFrame:
    """A copy of ``frame`` with the amounts of ``columns`` in the unit of :func:`money_unit`
    (for a table whose headers name the unit; the figures are divided, not rounded)."""
    scale = MONEY_SCALES[money_unit(lang, unit)]
    out = frame.copy()
    for name in columns:
        if name in out:
            out[name] = out[name] / scale
    return out


# --- Excel number formats ----------------------------------------------------------------------

EXCEL_MONEY_FORMATS: dict[str, str] = {
    "yuan": '#,##0;[Red]-#,##0;"-"',
    # An Excel format cannot divide by 10,000: a comma divides by 1,000, and the old trick of
    # a literal "." before the last digit breaks the thousands separators, which count the
    # digits after that point as whole ones (LibreOffice showed 800,000,000 yuan as
    # "800,00.0万元"). So a Chinese workbook's amount cell holds the amount in the unit shown
    # (:func:`money_value`), and the format only adds separators and the unit's name.
    "wan": '#,##0.00"万元";[Red]-#,##0.00"万元";"-"',
    "yi": '#,##0.0000"亿元";[Red]-#,##0.0000"亿元";"-"',
}
"""Money unit -> Excel number format of an amount cell whose value is in that unit
(:func:`money_value`): ``80,000.00万元`` for 800,000,000 yuan, ``8.0000亿元`` (four
decimals in 亿元: one 万元)."""

EXCEL_YIELD_FORMAT = '[<=-1]"-100.00%";[<0]-0.00%;0.00%'
"""A yield cell: a total loss (the engine's -1200%) and any yield below -100% show as -100%."""


def excel_money_format(lang: str, unit: str = DEFAULT_MONEY_UNIT) -> str:
    """The number format of amount cells in ``lang`` (the unit of :func:`money_unit`), whose
    values are :func:`money_value` (yuan in English, 万元 or 亿元 in Chinese)."""
    return EXCEL_MONEY_FORMATS[money_unit(lang, unit)]


def excel_percent_format(value: float, digits: int = 2, minimum: int = 4) -> str:
    """A percent format that shows ``value`` with ``digits`` significant digits and at least
    ``minimum`` decimals (``0.0012%`` for 1.19e-05), never in scientific notation."""
    decimals = significant_decimals(value * 100, digits, minimum)
    return "0." + "0" * decimals + "%"


def excel_number_format(value: float) -> str:
    """A format for a plain number written without one (Excel's General shows 1.19E-05):
    whole numbers as they are, others with up to ten decimals."""
    if float(value).is_integer() and abs(value) < 1e15:
        return "0"
    return "0.0#########" if abs(value) >= 1e-10 else "0." + "0" * 12


def format_kind(value: object, kind: str, lang: str, unit: str = DEFAULT_MONEY_UNIT) -> str:
    """``value`` written as the format ``kind`` of a table column says (the kinds of
    ``frame.attrs["formats"]`` in :mod:`abs_tool.report.tables`: ``money``, ``pct``,
    ``pct_fine``, ``bp``, ``number``, ``int``, ``yield``); text as it is.

    Raises
    ------
    KeyError
        An unknown ``kind``.
    """
    if is_missing(value):
        return MISSING
    if isinstance(value, str) or kind in ("text", "date"):
        return str(value)
    v = float(value)  # type: ignore[arg-type]
    writers = {
        "money": lambda: money(v, lang, unit),
        "pct": lambda: percent(v),
        "pct_fine": lambda: percent_significant(v),
        "yield": lambda: yield_percent(v),
        "bp": lambda: bp(v, 1),
        "number": lambda: number(v),
        "int": lambda: count(v),
    }
    return writers[kind]()
