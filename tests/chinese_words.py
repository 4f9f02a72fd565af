"""The English-word detector of the Chinese walks (issue 18, item 3): the app's pages and the
workbook's sheets (tests/app/test_chinese_walk.py) and every command line command
(tests/test_cli_chinese_walk.py) fail on an English word outside one allowlist: the deal's own
texts (class, fee and trigger names, as their user wrote them), codes (tape columns, deal-file
fields and values, rating symbols, file formats, SHA-256), units (bp) and proper names
(Vasicek, Streamlit, Excel).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from abs_tool import load_sample_deal
from abs_tool.io.dealfile import deal_to_dict
from abs_tool.model.columns import ALL_COLUMNS
from abs_tool.model.scales import LOCAL_SCALE

WORD = re.compile(r"[A-Za-z][A-Za-z_'’\-]*[A-Za-z]|[A-Za-z]")

# Words that are not English prose in a Chinese display.
ALLOWED: frozenset[str] = frozenset({
    # units and currencies
    "bp", "RMB", "CNY",
    # file formats, codes and tools named as such
    "CSV", "XLSX", "XLSM", "XLS", "JSON", "UTF", "SHA", "UTC", "Excel", "Streamlit", "Python",
    "numpy", "pandas", "openpyxl", "abs-tool", "embedded_csv", "json", "xlsx",
    "PDF", "pdf", "LibreOffice", "Debian", "Ubuntu", "libreoffice-calc-nogui",
    # proper names (a model named after its author) and a formula's symbols
    "Vasicek", "HHI", "t", "n", "x",
    # the sidebar's cluster field: the tool's name and the address schemes it accepts
    "Dask", "tcp", "local",
    # the language switch names both languages, so that a reader of either finds it
    "Language", "English",
    # the tape's code values the reader fills in, shown as the data says them
    "NR", "UNKNOWN", "level",
    # Moody's-style rating symbols of the indicative tables
    "Aaa", "Aa", "Baa", "Ba", "Caa", "Ca",
})


def english_words(text: str, allowed: frozenset[str]) -> set[str]:
    """English words of ``text`` that are not allowed (any word of an allowed phrase is)."""
    words = set(WORD.findall(text))
    return {w for w in words if w not in allowed and w.rstrip("0123456789") not in allowed
            and not re.fullmatch(r"[A-Z]|[A-D][A-D+\-]*", w)}  # grades, rating symbols: AAA, AA-


def deal_words() -> frozenset[str]:
    """Every word of the sample deals' own texts and codes (class, fee and trigger names, field
    names and code values, as the deal files write them), and the tape's column names."""
    words: set[str] = set(ALLOWED) | set(LOCAL_SCALE)
    for name in ("consumer", "factoring"):
        data = deal_to_dict(load_sample_deal(name))

        for text in _deal_texts({k: v for k, v in data.items() if k != "name"}):
            words |= set(WORD.findall(text))
    for column in ALL_COLUMNS:
        words |= {column, *column.split("_")}
    return frozenset(words)


def _deal_texts(value: object) -> Iterator[str]:
    """The keys and text values of a deal file's data, nested."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _deal_texts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _deal_texts(v)
    elif isinstance(value, str):
        yield value
