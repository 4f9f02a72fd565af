"""CSV text that a spreadsheet cannot run as a formula (an I/O edge).

Excel and LibreOffice read a CSV field that starts with ``= + - @``, a tab or a carriage
return as a formula (OWASP "CSV injection"), so user text such as a class name
``+cmd|'/c calc'!A1`` could run on the machine of whoever opens the file. Every CSV the tool
writes goes through :func:`csv_text` (tables) or :func:`neutralise_text` (the tape writer's
own fast path): such text gets one leading apostrophe, which a spreadsheet shows as the
literal text. Text that already starts with apostrophes before a trigger character gets one
more, so a reader that strips exactly one apostrophe (:func:`unquote_text`) gets the
original back.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["csv_text", "neutralise_text", "unquote_text"]

_TRIGGER_CLASS = r"[=+\-@\t\r]"
_NEEDS_QUOTE_RE = "'*" + _TRIGGER_CLASS
_QUOTED_RE = "'+" + _TRIGGER_CLASS


def _is_text(values: pd.Series | pd.Index) -> bool:
    """Whether ``values`` may hold text: any dtype but numbers, booleans and timestamps.

    Decided by what the dtype cannot hold rather than by a list of text dtypes, so that
    object, pandas' ``str`` and ``string``, and categorical columns are all covered.
    """
    dtype = values.dtype
    return not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
                or pd.api.types.is_datetime64_any_dtype(dtype)
                or pd.api.types.is_timedelta64_dtype(dtype))


def neutralise_text(values: pd.Series) -> pd.Series:
    """``values`` with an apostrophe before every string a spreadsheet would run.

    Non-string cells (numbers in an object column, dates, missing values) are left as they
    are; the result has object dtype where anything changed.
    """
    if not _is_text(values):
        return values
    as_text = values.astype(object)
    if isinstance(values.dtype, pd.StringDtype):
        is_str = values.notna().to_numpy(dtype=bool)
    else:
        is_str = as_text.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    if not is_str.any():
        return values
    risky = is_str.copy()
    risky[is_str] = as_text[is_str].astype(str).str.match(_NEEDS_QUOTE_RE).to_numpy(dtype=bool)
    if not risky.any():
        return values
    out = as_text.copy()
    out[risky] = "'" + as_text[risky].astype(str)
    return out


def unquote_text(text: pd.Series) -> pd.Series:
    """Undo :func:`neutralise_text` on CSV text read back: one apostrophe less before a
    trigger character (``text`` is a column of strings)."""
    quoted = text.str.match(_QUOTED_RE).to_numpy(dtype=bool)
    return text.where(~quoted, text.str.slice(1))


def _neutralise_labels(labels: pd.Index) -> pd.Index:
    """Index labels and the index's name(s), which ``to_csv`` writes as header cells."""
    if isinstance(labels, pd.MultiIndex):
        return pd.MultiIndex.from_arrays(
            [_neutralise_labels(labels.get_level_values(i)) for i in range(labels.nlevels)])
    names = neutralise_text(pd.Series([labels.name], dtype=object))
    if not _is_text(labels):
        renamed: pd.Index = labels.rename(names[0])
        return renamed
    neutral: pd.Index = pd.Index(neutralise_text(pd.Series(labels, dtype=object)), name=names[0])
    return neutral


def csv_text(frame: pd.DataFrame, *, index: bool = True) -> str:
    """``frame`` as CSV text in which no cell, header or index label runs as a formula.

    Every column that can hold text, whatever its dtype (object, ``str``, ``string``,
    categorical), and the labels are passed through :func:`neutralise_text`; numbers are
    written as pandas writes them. Lines end in CRLF (RFC 4180).
    """
    shown = frame.copy()
    for position in range(shown.shape[1]):
        column = shown.iloc[:, position]
        if _is_text(column):
            # pandas takes a Series here (aligned on the index); pandas-stubs omits it.
            shown.isetitem(position, neutralise_text(column))  # type: ignore[arg-type]
    shown.columns = _neutralise_labels(shown.columns)
    shown.index = _neutralise_labels(shown.index)
    # RFC 4180 line ends: the csv module quotes a field holding any character of the line
    # terminator, so with "\r\n" a lone CR inside a cell is quoted too (with "\n" it was not,
    # and a spreadsheet split the row there).
    return shown.to_csv(index=index, lineterminator="\r\n")
