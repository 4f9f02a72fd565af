"""Reading one worksheet of an untrusted XLSX workbook, within limits (an I/O edge).

The loan-tape reader (:mod:`abs_tool.io.tape`) hands a workbook's bytes to :func:`read_sheet` and
gets back the cell values of one worksheet, or a :class:`WorkbookRefused` whose problems say
why not. Nothing here raises anything else for a damaged or hostile file.

python-calamine (Rust) reads the values: fast, and formulas are never evaluated (a formula
cell gives its saved result). It builds a dense grid of the sheet, so before it sees the
workbook: the zip directory is checked for bombs, the parts it reads when opening are bounded,
the shared strings are counted, and the sheet's XML is streamed through a compiled scanner
(:func:`_scan_xml`) that places every cell where python-calamine will, so that the grid is
known to be within the row and cell limits. The scan also finds the cells whose content is
itself the problem: formulas with no saved result, and spreadsheet errors such as ``#DIV/0!``,
which python-calamine reads as empty.
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError

import numpy as np
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml
from numba import njit
from python_calamine import CalamineError, CalamineWorkbook

from abs_tool.model.columns import HEADER_ROW

__all__ = [
    "MAX_COLUMNS",
    "MAX_COMPRESSION_RATIO",
    "MAX_UNCOMPRESSED_FACTOR",
    "MAX_WORKBOOK_PARTS",
    "MAX_WORKBOOK_XML_BYTES",
    "CellContent",
    "ReadLimits",
    "SheetValues",
    "WorkbookRefused",
    "read_sheet",
]

# Zip-bomb guards: a workbook may unpack to at most this multiple of the file-size limit, and
# no member may be compressed more than this ratio (real sheets compress about 5-20:1).
MAX_UNCOMPRESSED_FACTOR = 10
MAX_COMPRESSION_RATIO = 200
MAX_WORKBOOK_PARTS = 10_000
"""Most parts (zip members) of a workbook; Excel writes a few dozen."""
MAX_WORKBOOK_XML_BYTES = 32 * 2**20
"""Largest unpacked size of each workbook part read before any sheet: the workbook, its
relationships and the styles."""
MAX_COLUMNS = 16_384
"""Most columns of a sheet: a spreadsheet's last column is XFD, the 16,384th."""


@dataclass(frozen=True)
class ReadLimits:
    """What reading one file may cost: its size in bytes, the rows below the header and the
    cells (see :func:`abs_tool.io.tape.inspect_tape`)."""

    max_bytes: int
    max_rows: int
    max_cells: int


class WorkbookRefused(Exception):  # noqa: N818 - a refusal to report, not a program error
    """The workbook cannot be read within the limits; ``problems`` say why, one sentence
    each, ready for a validation report."""

    def __init__(self, *problems: str) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


NO_RESULT, ERROR_VALUE = 1, 2
"""Kinds of :class:`CellContent`: a formula cell with no saved result, a cell holding a
spreadsheet error."""


@dataclass(frozen=True)
class CellContent:
    """A cell whose content is itself a problem: ``kind`` :data:`NO_RESULT` (``text`` is the
    formula without its '=') or :data:`ERROR_VALUE` (``text`` is the error, e.g. #DIV/0!);
    1-based spreadsheet ``row`` and ``column``."""

    kind: int
    row: int
    column: int
    text: str


@dataclass(frozen=True)
class SheetValues:
    """The values of one worksheet, row by row from A1 (list row i is spreadsheet row i + 1),
    as python-calamine reads them ('' for an empty cell); the cells whose content is a
    problem, and how many more of those there were than are listed."""

    title: str
    rows: list[list[Any]]
    contents: list[CellContent]
    dropped: int


def read_sheet(data: bytes, sheet: str | None, limits: ReadLimits) -> SheetValues:
    """Read worksheet ``sheet`` of the workbook ``data`` (the first visible one when None).

    Raises
    ------
    WorkbookRefused
        A possible zip bomb, a damaged workbook of any kind (the problem names the sheet and
        the failure), no such sheet, or a sheet over ``limits``.
    """
    problems = _zip_problems(data, limits.max_bytes)
    if problems:
        raise WorkbookRefused(*problems)
    where = ""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {n.lower(): n for n in archive.namelist()}
            chosen = _choose_sheet(_workbook_sheets(archive, members), sheet)
            where = f", sheet {chosen.title!r}"
            part = members.get((chosen.part or "").lower())
            if part is None:
                raise WorkbookRefused(f"damaged workbook{where}: its part {chosen.part!r} is "
                                      "missing; save it again from Excel as .xlsx, or export "
                                      "CSV")
            _check_workbook_parts(archive, members, limits)
            scan = _scan_part(archive, part, limits)
            _check_scan(scan, f"sheet {chosen.title!r}", limits)
            contents = _cell_contents(archive, part, scan.records)
            rows = _calamine_rows(data, chosen.title)
    except WorkbookRefused:
        raise
    except _WORKBOOK_ERRORS as exc:
        raise WorkbookRefused(_damaged(where, exc)) from None
    except BaseException as exc:
        if not _is_rust_panic(exc):
            raise
        raise WorkbookRefused(_damaged(where, exc)) from None
    return SheetValues(chosen.title, rows, contents, scan.dropped)

# What the zip layer, the XML parsers and python-calamine raise for damaged workbooks: input
# problems to report, not bugs. (A Rust panic in python-calamine derives from BaseException
# and is caught by name, see _is_rust_panic.)
_WORKBOOK_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
                    KeyError, ValueError, OverflowError, NotImplementedError, RuntimeError,
                    struct.error, ParseError, DefusedXmlException, CalamineError)


def _is_rust_panic(exc: BaseException) -> bool:
    """Whether ``exc`` is pyo3's PanicException (a Rust panic inside python-calamine)."""
    kind = type(exc)
    return kind.__name__ == "PanicException" and kind.__module__ == "pyo3_runtime"


@dataclass(frozen=True)
class _SheetEntry:
    """A sheet as the workbook lists it; ``part`` is its zip member, when it has one."""

    title: str
    part: str | None
    visible: bool
    worksheet: bool


def _damaged(where: str, exc: BaseException) -> str:
    kind = type(exc)
    # zlib's error is called "error"; its module says what it is.
    name = kind.__name__ if kind.__name__ != "error" else f"{kind.__module__}.error"
    return (f"damaged workbook{where}: it cannot be read ({name}: {exc}); save it again from "
            "Excel as .xlsx, or export CSV")


def _zip_problems(data: bytes, max_bytes: int) -> list[str]:
    """Reasons to refuse a workbook before any XML is parsed.

    Sizes come from the zip directory. ``zipfile`` never inflates a member beyond its
    declared size (it fails the CRC check instead), so these limits also bound decompression.
    Part names must be unique ignoring case (python-calamine looks them up that way), so
    that every check here concerns the part the reader will read.
    """
    # Each part has a 46-byte central directory record with this signature; counting them
    # bounds the part list before zipfile builds an object for each.
    if data.count(b"PK\x01\x02") > MAX_WORKBOOK_PARTS:
        return [f"the workbook has more than {MAX_WORKBOOK_PARTS:,} parts; refused as a "
                "possible zip bomb"]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, struct.error,
            NotImplementedError):
        return ["not a valid .xlsx workbook (the file is not a zip archive); save it from "
                "Excel as .xlsx, or export CSV"]
    problems = []
    total = sum(m.file_size for m in members)
    limit = MAX_UNCOMPRESSED_FACTOR * max_bytes
    if total > limit:
        problems.append(f"the workbook unpacks to {total:,} bytes, over the limit of "
                        f"{limit:,} bytes ({MAX_UNCOMPRESSED_FACTOR} x the file-size limit); "
                        "refused as a possible zip bomb")
    for m in members:
        ratio = m.file_size / max(m.compress_size, 1)
        if ratio > MAX_COMPRESSION_RATIO:
            problems.append(f"workbook part {m.filename!r} is compressed {ratio:,.0f}:1, over "
                            f"the limit of {MAX_COMPRESSION_RATIO}:1; refused as a possible "
                            "zip bomb")
    seen: dict[str, str] = {}
    for m in members:
        key = m.filename.lower()
        if key in seen:
            problems.append(f"the workbook has two parts named {seen[key]!r} and "
                            f"{m.filename!r}; refused as damaged")
        seen.setdefault(key, m.filename)
    return problems


def _local(tag: str) -> str:
    """An ElementTree tag or attribute name without its namespace."""
    return tag.rpartition("}")[2]


def _small_part(archive: zipfile.ZipFile, members: dict[str, str], name: str) -> bytes | None:
    """A workbook part read whole (None if absent), refused when over the size limit."""
    member = members.get(name.lower())
    if member is None:
        return None
    size = archive.getinfo(member).file_size
    if size > MAX_WORKBOOK_XML_BYTES:
        raise WorkbookRefused(f"workbook part {member!r} unpacks to {size:,} bytes, over the "
                            f"limit of {MAX_WORKBOOK_XML_BYTES:,}; copy the loans into a new "
                            "workbook and save that, or export CSV")
    return archive.read(member)


def _workbook_sheets(archive: zipfile.ZipFile, members: dict[str, str]) -> list[_SheetEntry]:
    """The sheets that xl/workbook.xml lists, in order, with their parts.

    Parts are found as python-calamine finds them: the fixed paths of the workbook and its
    relationships, and a sheet target that starts with '/' taken from the package root,
    any other from ``xl/``. Only a part directly in ``xl/worksheets/`` is a worksheet here,
    so that the part scanned is the one the reader reads.
    """
    book = _small_part(archive, members, "xl/workbook.xml")
    relations = _small_part(archive, members, "xl/_rels/workbook.xml.rels")
    if book is None or relations is None:
        raise WorkbookRefused(
            "not a readable .xlsx workbook (it has no xl/workbook.xml or no "
            "xl/_rels/workbook.xml.rels); save it from Excel as .xlsx, or export CSV")
    targets = {rel.get("Id"): rel.get("Target") or ""
               for rel in parse_xml(relations).iter() if _local(rel.tag) == "Relationship"}
    entries = []
    for element in parse_xml(book).iter():
        if _local(element.tag) == "sheet":
            entries.append(_sheet_entry(element, targets))
    return entries


def _sheet_entry(element: Element, targets: dict[str | None, str]) -> _SheetEntry:
    relation = next((v for k, v in element.attrib.items()
                     if k.startswith("{") and _local(k) == "id"), None)
    target = targets.get(relation)
    part = None
    if target is not None:
        part = target[1:] if target.startswith("/") else f"xl/{target}"
    worksheet = part is not None and re.fullmatch(r"xl/worksheets/[^/]+", part, re.I) is not None
    visible = element.get("state", "visible") == "visible"
    return _SheetEntry(element.get("name") or "", part, visible, worksheet)


def _choose_sheet(entries: list[_SheetEntry], sheet: str | None) -> _SheetEntry:
    """The sheet named ``sheet``, or the first visible worksheet."""
    if sheet is None:
        chosen = next((e for e in entries if e.worksheet and e.visible), None)
        if chosen is None:
            raise WorkbookRefused("the workbook has no visible worksheet")
        return chosen
    chosen = next((e for e in entries if e.title == sheet), None)
    if chosen is None:
        titles = ", ".join(repr(e.title) for e in entries)
        raise WorkbookRefused(f"no sheet named {sheet!r}; the workbook has {titles}"
                              if entries else "the workbook has no worksheet")
    if not chosen.worksheet:
        raise WorkbookRefused(f"sheet {sheet!r} is not a worksheet (a chart or dialog sheet "
                              "has no loans)")
    return chosen


def _check_workbook_parts(archive: zipfile.ZipFile, members: dict[str, str],
                          limits: ReadLimits) -> None:
    """Bound what python-calamine reads when it opens the workbook, before any sheet."""
    _small_part(archive, members, "xl/styles.xml")
    strings = members.get("xl/sharedstrings.xml")
    if strings is not None:
        _check_scan(_scan_part(archive, strings, limits), "the shared-string table", limits,
                    unit="entries")


# The scanner keeps its state in an int64 array (so that a part can be fed in chunks) with
# these slots: element depth; depth of the open <sheetData> (0 outside it) and whether one was
# seen; the current row and column index as python-calamine counts them (0-based); the open
# cell's depth (0 when none), position, error type, formula and value flags and the spans of
# its formula and value text; the extent of the cells with a value; counts of cells and of
# <si> (shared strings); the sheet's declared dimension; the number of content records waiting
# to be collected; and where the XML went wrong.
(_S_DEPTH, _S_DATA_DEPTH, _S_DATA_SEEN, _S_ROW, _S_COL, _S_CELL_DEPTH, _S_CELL_ROW,
 _S_CELL_COL, _S_CELL_ERROR, _S_CELL_FORMULA, _S_CELL_VALUE, _S_CELL_RESULT, _S_F_START,
 _S_F_END, _S_V_START, _S_V_END, _S_MAX_ROW, _S_MAX_COL, _S_CELLS, _S_STRINGS, _S_DIM_ROWS,
 _S_DIM_COLS, _S_RECORDS, _S_ERROR_AT) = range(24)
_N_STATE = 24
_MAX_DEPTH = 64
# Why the scanner stopped.
(_SCAN_DONE, _SCAN_MORE, _SCAN_FULL, _SCAN_MALFORMED, _SCAN_DTD, _SCAN_DEEP, _SCAN_BAD_REF,
 _SCAN_ROWS, _SCAN_CELLS, _SCAN_AREA, _SCAN_COLUMNS, _SCAN_DIMENSION) = range(12)
# Local names the scanner acts on.
_LN_OTHER, _LN_ROW, _LN_C, _LN_V, _LN_F, _LN_IS, _LN_SHEET_DATA, _LN_DIMENSION, _LN_SI = range(9)
_SCAN_CHUNK_BYTES = 4 * 2**20
_MAX_TOKEN_BYTES = 16 * 2**20
_RECORD_BATCH = 4096
_MAX_RECORDS = 100_000
_Record = tuple[int, int, int, int, int]  # kind, row, column, text start, text end


@dataclass
class _Scan:
    """What scanning one workbook part found: the final state (slots above), why it
    stopped, the content records (kind, row, column, text start, text end; 1-based rows and
    columns, offsets in the unpacked part) and how many more there were."""

    state: np.ndarray
    code: int
    records: list[_Record]
    dropped: int


def _scan_part(archive: zipfile.ZipFile, member: str, limits: ReadLimits) -> _Scan:
    """Stream one XML part through _scan_xml, chunk by chunk, stopping at the first limit."""
    state = np.zeros(_N_STATE, np.int64)
    names = np.zeros(_MAX_DEPTH, np.int64)
    kinds = np.zeros(_MAX_DEPTH, np.int64)
    opens = np.zeros(_MAX_DEPTH, np.int64)
    batch = np.zeros((_RECORD_BATCH, 5), np.int64)
    # References are counted up to 2**31 (_cell_ref): the limits stay below, so that any
    # larger reference is over them.
    bounds = np.array([min(limits.max_rows, 2**31 - 2), min(limits.max_cells, 2**62)], np.int64)
    records: list[_Record] = []
    dropped = 0
    carry = b""
    base = 0
    code = _SCAN_DONE
    with archive.open(member) as stream:
        for chunk in _chunks(stream):
            final = not chunk
            buffer = carry + chunk
            view = np.frombuffer(buffer, np.uint8)
            position = 0
            while True:
                position, code = _scan_xml(view, position, len(view), final, base, state,
                                           names, kinds, opens, batch, bounds)
                count = int(state[_S_RECORDS])
                kept = min(count, _MAX_RECORDS - len(records))
                records.extend(map(tuple, batch[:kept].tolist()))
                dropped += count - kept
                state[_S_RECORDS] = 0
                if code != _SCAN_FULL:
                    break
            if code not in (_SCAN_DONE, _SCAN_MORE):
                break
            carry = buffer[position:]
            base += position
            if len(carry) > _MAX_TOKEN_BYTES:
                state[_S_ERROR_AT] = base
                code = _SCAN_MALFORMED
                break
    if code == _SCAN_DONE and state[_S_DEPTH] != 0:
        state[_S_ERROR_AT] = base
        code = _SCAN_MALFORMED
    return _Scan(state, code, records, dropped)


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    """The stream's content in chunks, then one empty chunk to mark the end."""
    while chunk := stream.read(_SCAN_CHUNK_BYTES):
        yield chunk
    yield b""


def _check_scan(scan: _Scan, what: str, limits: ReadLimits, unit: str = "cells") -> None:
    """Raise WorkbookRefused when the scan of ``what`` stopped at a limit or at damaged XML;
    ``unit`` names what the part holds (cells, shared strings)."""
    state = scan.state
    at = f"near byte {int(state[_S_ERROR_AT]):,} of the unpacked part"
    damaged = {
        _SCAN_MALFORMED: f"it is not well-formed XML ({at})",
        _SCAN_DTD: f"it contains a DTD or other <!...> declaration ({at}), which spreadsheets "
                   "never write",
        _SCAN_DEEP: f"its XML elements nest more than {_MAX_DEPTH} deep ({at})",
        _SCAN_BAD_REF: f"a row or cell reference is not a cell address ({at})",
    }
    if scan.code in damaged:
        raise WorkbookRefused(f"damaged workbook, {what}: {damaged[scan.code]}; save it again "
                            "from Excel as .xlsx, or export CSV")
    rows, cells = limits.max_rows, limits.max_cells
    if scan.code == _SCAN_DIMENSION:
        declared = (f"{what} declares {int(state[_S_DIM_ROWS]) - HEADER_ROW:,} rows below the "
                    f"header and {int(state[_S_DIM_COLS]):,} columns (its dimension)")
        raise WorkbookRefused(f"{declared}, over the limit of {rows:,} rows (`max_rows`) or "
                            f"{cells:,} cells (`max_cells`); delete the unused rows and "
                            "columns, split the tape, or raise the limit")
    if scan.code == _SCAN_ROWS:
        raise WorkbookRefused(f"{what} has more than {rows:,} rows below the header, the limit "
                            "(`max_rows`); split the tape, or raise `max_rows`")
    if scan.code == _SCAN_COLUMNS:
        raise WorkbookRefused(f"{what} has a value beyond column {MAX_COLUMNS:,} (XFD), the "
                            "last column of a spreadsheet; refused as damaged")
    if scan.code in (_SCAN_CELLS, _SCAN_AREA):
        counted = (unit if scan.code == _SCAN_CELLS else
                   "cells counting every row and column up to the last value")
        raise WorkbookRefused(f"{what} has more than {cells:,} {counted}, the limit "
                            "(`max_cells`); delete unused columns and rows, split the tape, or "
                            "raise `max_cells`")


def _cell_contents(archive: zipfile.ZipFile, member: str,
                   records: list[_Record]) -> list[CellContent]:
    """(kind, row, column, text) of each content record: the formula or the error text,
    read back from the part (a second pass, only when there are records)."""
    if not records:
        return []
    spans = sorted((s[3], s[4], i) for i, s in enumerate(records))
    texts: list[bytearray] = [bytearray() for _ in records]
    offset = 0
    pending = iter(spans)
    span = next(pending, None)
    with archive.open(member) as stream:
        for chunk in _chunks(stream):
            end = offset + len(chunk)
            while span is not None and span[0] < end:
                start, stop, i = span
                texts[i] += chunk[max(start - offset, 0):max(min(stop, end) - offset, 0)]
                if stop > end:
                    break
                span = next(pending, None)
            offset = end
    return [CellContent(kind, row, column, html.unescape(bytes(text).decode("utf-8", "replace")))
            for (kind, row, column, _, _), text in zip(records, texts, strict=True)]


def _calamine_rows(data: bytes, title: str) -> list[list[Any]]:
    """The sheet's cell values, row by row from A1 (so that list row i is spreadsheet row
    i + 1), as python-calamine reads them: saved results of formulas, '' for empty cells."""
    with CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
        return book.get_sheet_by_name(title).to_python(skip_empty_area=False)


# Bytes that end an element or attribute name: XML white space, '/', '<', '=' and '>'.
_NAME_ENDS = np.zeros(256, np.bool_)
_NAME_ENDS[[9, 10, 13, 32, 47, 60, 61, 62]] = True


@njit(cache=True, nogil=True)
def _is_space(b: int) -> bool:  # pragma: no cover - compiled
    return b == 32 or b == 9 or b == 10 or b == 13


@njit(cache=True, nogil=True)
def _matches(buf: np.ndarray, i: int, end: int, text: bytes) -> bool:  # pragma: no cover
    if i + len(text) > end:
        return False
    k = 0
    while k < len(text) and buf[i + k] == text[k]:
        k += 1
    return k == len(text)


@njit(cache=True, nogil=True)
def _find(buf: np.ndarray, i: int, end: int, text: bytes) -> int:  # pragma: no cover
    while i + len(text) <= end:
        if buf[i] == text[0] and _matches(buf, i, end, text):
            return i
        i += 1
    return -1


@njit(cache=True, nogil=True)
def _local_kind(buf: np.ndarray, k: int, stop: int) -> int:  # pragma: no cover - compiled
    """The kind (_LN_*) of an element whose name without prefix is buf[k:stop]."""
    n = stop - k
    if n == 1:
        return _LN_C if buf[k] == 99 else _LN_V if buf[k] == 118 else _LN_F if buf[k] == 102 \
            else _LN_OTHER
    if n == 2:
        return _LN_IS if _matches(buf, k, stop, b"is") else _LN_SI \
            if _matches(buf, k, stop, b"si") else _LN_OTHER
    if n == 3 and _matches(buf, k, stop, b"row"):
        return _LN_ROW
    if n == 9:
        return _LN_SHEET_DATA if _matches(buf, k, stop, b"sheetData") else _LN_DIMENSION \
            if _matches(buf, k, stop, b"dimension") else _LN_OTHER
    return _LN_OTHER


@njit(cache=True, nogil=True)
def _cell_ref(buf: np.ndarray, start: int, stop: int, out: np.ndarray) -> bool:  # pragma: no cover
    """Parse a reference ("AB12", "ab12", "12") as python-calamine does: letters, then digits.

    Writes the 1-based row and column (0 when there are no letters) to ``out``; values beyond
    2**31 are kept at 2**31, over any limit (see _scan_part), so that products of two stay
    inside int64. False when the reader would refuse it.
    """
    j = start
    col = 0
    while j < stop and ((65 <= buf[j] <= 90) or (97 <= buf[j] <= 122)):
        col = min(col * 26 + ((buf[j] | 32) - 96), 2**31)
        j += 1
    if j == stop:
        return False
    row = 0
    while j < stop:
        if buf[j] < 48 or buf[j] > 57:
            return False
        row = min(row * 10 + (buf[j] - 48), 2**31)
        j += 1
    out[0] = row
    out[1] = col
    return row > 0


@njit(cache=True, nogil=True)
def _scan_xml(buf: np.ndarray, pos: int, end: int, final: bool, base: int, st: np.ndarray,
              names: np.ndarray, kinds: np.ndarray, opens: np.ndarray, records: np.ndarray,
              limits: np.ndarray) -> tuple[int, int]:  # pragma: no cover - compiled
    """Scan the XML tokens of ``buf[pos:end]``, continuing from state ``st``.

    The tokenizer accepts well-formed XML only (it is stricter than the reader's, so that
    both see the same elements): tags with quoted attributes and no '<' in a value, matched
    end tags, comments, CDATA and processing instructions, and no DTD. In <sheetData> it
    places each cell as python-calamine does (a ``r`` reference, else the next column of the
    current row; a row's ``r`` sets the row, the end of a row moves to the next one) and
    requires rows directly in <sheetData> and cells directly in rows. A cell counts as
    holding a value if it has a <v> or <is> anywhere inside: python-calamine stores no cell
    without one, so the cells it stores lie within the extent counted here.

    ``names``, ``kinds`` and ``opens`` are the open elements (name hash, _LN_ kind, offset of
    their content); ``records`` receives content records (kind, row, column, text start,
    text end); ``limits`` is (max_rows, max_cells). Offsets are ``base`` plus indices of
    ``buf``. Returns the index reached and why it stopped (_SCAN_*): at the start of a token
    that ``buf`` does not hold whole (_SCAN_MORE, unless ``final``), when ``records`` is
    full, or at the first limit or flaw.
    """
    max_rows = limits[0]
    max_cells = limits[1]
    ref = np.zeros(2, np.int64)
    i = pos
    while i < end:
        if buf[i] != 60:  # text up to the next '<'
            while i < end and buf[i] != 60:
                i += 1
            continue
        start = i
        cut = _SCAN_MALFORMED if final else _SCAN_MORE
        if i + 1 >= end:
            return start, cut
        c1 = buf[i + 1]
        if c1 == 33:  # '!'
            if _matches(buf, i, end, b"<!--"):
                k = _find(buf, i + 4, end, b"-->")
                if k < 0:
                    return start, cut
                i = k + 3
                continue
            if _matches(buf, i, end, b"<![CDATA["):
                k = _find(buf, i + 9, end, b"]]>")
                if k < 0:
                    return start, cut
                i = k + 3
                continue
            if end - i < 9 and not final:
                return start, _SCAN_MORE
            st[_S_ERROR_AT] = base + start
            return start, _SCAN_DTD
        if c1 == 63:  # '?'
            k = _find(buf, i + 2, end, b"?>")
            if k < 0:
                return start, cut
            i = k + 2
            continue
        closing = c1 == 47  # '/'
        j = i + 2 if closing else i + 1
        name_start = j
        local_start = j
        name = np.int64(-3750763034362895579)  # FNV-1a, to match end tags with start tags
        while j < end and not _NAME_ENDS[buf[j]]:
            name = (name ^ np.int64(buf[j])) * np.int64(1099511628211)
            if buf[j] == 58:  # ':' ends a prefix
                local_start = j + 1
            j += 1
        if j >= end:
            return start, cut
        if j == name_start or buf[j] == 60:
            st[_S_ERROR_AT] = base + start
            return start, _SCAN_MALFORMED
        kind = _local_kind(buf, local_start, j)
        r_start = -1
        r_stop = -1
        error_type = False
        ref_start = -1
        ref_stop = -1
        self_closing = False
        tag_end = j
        if closing:
            while j < end and _is_space(buf[j]):
                j += 1
            if j >= end:
                return start, cut
            if buf[j] != 62:
                st[_S_ERROR_AT] = base + start
                return start, _SCAN_MALFORMED
            tag_end = j + 1
        else:
            while True:
                while j < end and _is_space(buf[j]):
                    j += 1
                if j >= end:
                    return start, cut
                if buf[j] == 62:
                    tag_end = j + 1
                    break
                if buf[j] == 47:
                    if j + 1 >= end:
                        return start, cut
                    if buf[j + 1] != 62:
                        st[_S_ERROR_AT] = base + start
                        return start, _SCAN_MALFORMED
                    self_closing = True
                    tag_end = j + 2
                    break
                if not _is_space(buf[j - 1]):  # attributes are separated by white space
                    st[_S_ERROR_AT] = base + start
                    return start, _SCAN_MALFORMED
                a_start = j
                while j < end and not _NAME_ENDS[buf[j]]:
                    j += 1
                a_stop = j
                while j < end and _is_space(buf[j]):
                    j += 1
                if j >= end:
                    return start, cut
                if buf[j] != 61 or a_stop == a_start:
                    st[_S_ERROR_AT] = base + start
                    return start, _SCAN_MALFORMED
                j += 1
                while j < end and _is_space(buf[j]):
                    j += 1
                if j >= end:
                    return start, cut
                quote = buf[j]
                if quote != 34 and quote != 39:
                    st[_S_ERROR_AT] = base + start
                    return start, _SCAN_MALFORMED
                j += 1
                v_start = j
                while j < end and buf[j] != quote and buf[j] != 60:
                    j += 1
                if j >= end:
                    return start, cut
                if buf[j] == 60:
                    st[_S_ERROR_AT] = base + start
                    return start, _SCAN_MALFORMED
                v_stop = j
                j += 1
                if a_stop - a_start == 1 and buf[a_start] == 114:  # r
                    if r_start >= 0:
                        st[_S_ERROR_AT] = base + start
                        return start, _SCAN_MALFORMED
                    r_start = v_start
                    r_stop = v_stop
                elif a_stop - a_start == 1 and buf[a_start] == 116:  # t
                    error_type = v_stop - v_start == 1 and buf[v_start] == 101  # t="e"
                elif a_stop - a_start == 3 and _matches(buf, a_start, a_stop, b"ref"):
                    ref_start = v_start
                    ref_stop = v_stop
        # The tag is whole: apply it.
        depth = st[_S_DEPTH]
        if not closing:
            if depth >= _MAX_DEPTH:
                st[_S_ERROR_AT] = base + start
                return start, _SCAN_DEEP
            parent = kinds[depth - 1] if depth > 0 else _LN_OTHER
            names[depth] = name
            kinds[depth] = kind
            opens[depth] = base + tag_end
            st[_S_DEPTH] = depth + 1
            if st[_S_DATA_DEPTH] == 0:
                if kind == _LN_SHEET_DATA:
                    if st[_S_DATA_SEEN] != 0 or depth != 1:
                        st[_S_ERROR_AT] = base + start
                        return start, _SCAN_MALFORMED
                    st[_S_DATA_SEEN] = 1
                    st[_S_DATA_DEPTH] = depth + 1
                elif kind == _LN_DIMENSION and depth == 1 and ref_start >= 0:
                    # "A1:O200001" or "A1": the largest row and column it names.
                    k = ref_start
                    while k <= ref_stop:
                        if k == ref_stop or buf[k] == 58:
                            if _cell_ref(buf, ref_start, k, ref):
                                st[_S_DIM_ROWS] = max(st[_S_DIM_ROWS], ref[0])
                                st[_S_DIM_COLS] = max(st[_S_DIM_COLS], ref[1])
                            ref_start = k + 1
                        k += 1
                    if st[_S_DIM_ROWS] - 1 > max_rows \
                            or st[_S_DIM_ROWS] * st[_S_DIM_COLS] > max_cells:
                        return tag_end, _SCAN_DIMENSION
                elif kind == _LN_SI:
                    st[_S_STRINGS] += 1
                    if st[_S_STRINGS] > max_cells:
                        return tag_end, _SCAN_CELLS
            elif kind == _LN_SHEET_DATA:
                st[_S_ERROR_AT] = base + start
                return start, _SCAN_MALFORMED
            elif kind == _LN_ROW:
                if parent != _LN_SHEET_DATA or depth != st[_S_DATA_DEPTH]:
                    st[_S_ERROR_AT] = base + start
                    return start, _SCAN_MALFORMED
                if r_start >= 0:
                    if not _cell_ref(buf, r_start, r_stop, ref):
                        st[_S_ERROR_AT] = base + start
                        return start, _SCAN_BAD_REF
                    st[_S_ROW] = ref[0] - 1
            elif kind == _LN_C:
                if parent != _LN_ROW or depth != st[_S_DATA_DEPTH] + 1:
                    st[_S_ERROR_AT] = base + start
                    return start, _SCAN_MALFORMED
                if r_start >= 0:
                    if not _cell_ref(buf, r_start, r_stop, ref) or ref[1] == 0:
                        st[_S_ERROR_AT] = base + start
                        return start, _SCAN_BAD_REF
                    st[_S_CELL_ROW] = ref[0] - 1
                    st[_S_CELL_COL] = ref[1] - 1
                else:
                    st[_S_CELL_ROW] = st[_S_ROW]
                    st[_S_CELL_COL] = st[_S_COL]
                st[_S_CELL_DEPTH] = depth + 1
                st[_S_CELL_ERROR] = 1 if error_type else 0
                st[_S_CELL_FORMULA] = 0
                st[_S_CELL_VALUE] = 0
                st[_S_CELL_RESULT] = 0
                st[_S_CELLS] += 1
                if st[_S_CELLS] > max_cells:
                    return tag_end, _SCAN_CELLS
            elif st[_S_CELL_DEPTH] > 0 and kind in (_LN_V, _LN_IS):
                st[_S_CELL_VALUE] = 1
                if kind == _LN_IS:
                    st[_S_CELL_RESULT] = 1
        if closing or self_closing:
            depth = st[_S_DEPTH] - 1
            if depth < 0 or names[depth] != name:
                st[_S_ERROR_AT] = base + start
                return start, _SCAN_MALFORMED
            st[_S_DEPTH] = depth
            content_end = base + (start if closing else tag_end)
            if st[_S_DATA_DEPTH] == 0:
                pass
            elif kind == _LN_SHEET_DATA:
                st[_S_DATA_DEPTH] = 0  # python-calamine reads nothing after </sheetData>
            elif kind == _LN_ROW:
                st[_S_ROW] += 1
                st[_S_COL] = 0
            elif kind == _LN_C and depth + 1 == st[_S_CELL_DEPTH]:
                st[_S_CELL_DEPTH] = 0
                row = st[_S_CELL_ROW] + 1
                col = st[_S_CELL_COL] + 1
                st[_S_COL] = col
                if st[_S_CELL_VALUE] != 0:
                    st[_S_MAX_ROW] = max(st[_S_MAX_ROW], row)
                    st[_S_MAX_COL] = max(st[_S_MAX_COL], col)
                    if st[_S_MAX_ROW] - 1 > max_rows:
                        return tag_end, _SCAN_ROWS
                    if st[_S_MAX_COL] > MAX_COLUMNS:
                        return tag_end, _SCAN_COLUMNS
                    if st[_S_MAX_ROW] * st[_S_MAX_COL] > max_cells:
                        return tag_end, _SCAN_AREA
                record = 0
                if st[_S_CELL_FORMULA] != 0 and st[_S_CELL_RESULT] == 0:
                    record = NO_RESULT
                    text_start = st[_S_F_START]
                    text_end = st[_S_F_END]
                elif st[_S_CELL_ERROR] != 0 and st[_S_CELL_RESULT] != 0:
                    record = ERROR_VALUE
                    text_start = st[_S_V_START]
                    text_end = st[_S_V_END]
                if record != 0:
                    n = st[_S_RECORDS]
                    records[n, 0] = record
                    records[n, 1] = row
                    records[n, 2] = col
                    records[n, 3] = text_start
                    records[n, 4] = text_end
                    st[_S_RECORDS] = n + 1
                    if n + 1 == records.shape[0]:
                        return tag_end, _SCAN_FULL
            elif st[_S_CELL_DEPTH] > 0 and kind == _LN_V:
                st[_S_V_START] = opens[depth]
                st[_S_V_END] = content_end
                if content_end > opens[depth]:
                    st[_S_CELL_RESULT] = 1
            elif st[_S_CELL_DEPTH] > 0 and kind == _LN_F:
                st[_S_CELL_FORMULA] = 1
                st[_S_F_START] = opens[depth]
                st[_S_F_END] = content_end
        i = tag_end
    return i, _SCAN_DONE
