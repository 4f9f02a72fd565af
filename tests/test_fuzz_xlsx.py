"""Damaged workbooks (issue 12): every outcome is a finding or a loaded pool, never an exception.

A fixed-seed fuzzer corrupts a valid 50-loan XLSX tape: single bytes changed anywhere in the
file, truncations, and deflate streams broken so that decompression fails. A second one changes
bytes of the unpacked sheet XML and packs it again, so that the XML itself is damaged. Every
case must return from :func:`inspect_tape` within a time limit, and a pool that loads must hold
finite balances, rates and terms. A third checks the sheet scanner against python-calamine on
random sheets: the scanner must never place the cells the reader stores nearer than they are,
since it is what keeps the reader from allocating an over-limit sheet.
"""

from __future__ import annotations

import io
import random
import time
import zipfile
from collections import Counter
from collections.abc import Callable

import numpy as np
import pytest
from python_calamine import CalamineWorkbook

from abs_tool import inspect_tape, sample_pool
from abs_tool.io import tape, workbook
from abs_tool.io.tape import tape_bytes

SEED = 20240612
SHEET = "xl/worksheets/sheet1.xml"
VALID = tape_bytes(sample_pool("consumer", n_loans=50), "xlsx")
CASE_SECONDS = 3.0  # a 50-loan tape reads in about 10 ms


def member_data(data: bytes, name: str) -> tuple[int, int]:
    """(offset, size) of a member's compressed bytes in a zip file."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    # Local file header: 30 bytes, then the name and the extra field (lengths at 26 and 28).
    header = info.header_offset
    start = (header + 30 + int.from_bytes(data[header + 26:header + 28], "little")
             + int.from_bytes(data[header + 28:header + 30], "little"))
    return start, info.compress_size


def repacked(data: bytes, name: str, content: bytes) -> bytes:
    """The workbook with one part's unpacked content replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == name
                            else source.read(info.filename))
    return out.getvalue()


def broken_deflate(data: bytes, name: str) -> bytes:
    """The workbook with the first deflate block of part ``name`` of the reserved type 3."""
    start, _ = member_data(data, name)
    damaged = bytearray(data)
    damaged[start] = 0b111  # BFINAL=1, BTYPE=11: "invalid block type"
    return bytes(damaged)


def outcome(data: bytes) -> str:
    """Read ``data`` as a tape and check the contract; the kind of outcome, for the counts."""
    start = time.perf_counter()
    pool, report = inspect_tape(data, file_name="fuzz.xlsx")
    seconds = time.perf_counter() - start
    assert seconds < CASE_SECONDS, f"took {seconds:.1f} s"
    if pool is None:
        assert report.errors, "no pool and no error"
        return report.errors[0].reason.split(":")[0].split("(")[0].strip()
    values = pool.loans[["balance", "rate", "remaining_term"]].to_numpy(dtype=float)
    assert np.isfinite(values).all()
    return "loaded"


def test_bad_deflate_stream_in_the_sheet_is_a_finding() -> None:
    _, report = inspect_tape(broken_deflate(VALID, SHEET), file_name="t.xlsx")
    assert [i.reason for i in report.errors] == [
        "damaged workbook, sheet 'loans': it cannot be read (zlib.error: Error -3 while "
        "decompressing data: invalid block type); save it again from Excel as .xlsx, or "
        "export CSV"]


def file_cases(rng: random.Random) -> list[bytes]:
    """700 single-byte changes, 60 truncations, a broken deflate stream in each part."""
    cases = []
    for _ in range(700):
        damaged = bytearray(VALID)
        damaged[rng.randrange(len(VALID))] ^= rng.randrange(1, 256)
        cases.append(bytes(damaged))
    cases += [VALID[:rng.randrange(len(VALID))] for _ in range(60)]
    with zipfile.ZipFile(io.BytesIO(VALID)) as archive:
        cases += [broken_deflate(VALID, name) for name in archive.namelist()]
    return cases


def xml_cases(rng: random.Random) -> list[bytes]:
    """300 sheets with a few bytes of their XML changed, cut out or repeated, packed again."""
    with zipfile.ZipFile(io.BytesIO(VALID)) as archive:
        xml = archive.read(SHEET)
    cases = []
    for _ in range(300):
        damaged = bytearray(xml)
        for _ in range(rng.choice([1, 2, 5])):
            i = rng.randrange(len(damaged))
            choice = rng.random()
            if choice < 0.4:
                damaged[i] = rng.choice(b'<>/"=:!?&r0123456789AZ \n')
            elif choice < 0.7:
                del damaged[i:i + rng.randrange(1, 40)]
            else:
                j = rng.randrange(len(damaged))
                damaged[i:i] = damaged[j:j + rng.randrange(1, 80)]
        cases.append(repacked(VALID, SHEET, bytes(damaged)))
    return cases


@pytest.mark.slow
@pytest.mark.parametrize("cases", [file_cases, xml_cases], ids=["file bytes", "sheet XML"])
def test_damaged_workbooks_give_a_finding_or_a_pool(
        cases: Callable[[random.Random], list[bytes]]) -> None:
    start = time.perf_counter()
    counts = Counter(outcome(data) for data in cases(random.Random(SEED)))
    # For the record (run with -s): how the cases ended, and how long they took in all.
    print(f"\n{sum(counts.values())} cases in {time.perf_counter() - start:.1f} s")
    for kind, count in counts.most_common():
        print(f"{count:5}  {kind}")
    # The corruptions reach both outcomes and the scanner's checks, not only the zip layer.
    assert counts["loaded"] > 0
    assert len(counts) > 3


def random_sheet(rng: random.Random) -> bytes:
    """A sheet of rows and cells with and without references, in any order, some empty,
    some with formulas, errors or odd XML (prefixes, quotes, comments)."""
    def ref() -> str:
        column = "".join(rng.choice("ABCXYZ") for _ in range(rng.randint(1, 2)))
        return f' r="{column}{rng.randint(1, 60)}"' if rng.random() < 0.6 else ""

    def cell() -> str:
        name = rng.choice(["c", "c", "c", "x:c"])
        kind = rng.choice(["", ' t="str"', ' t="e"', ' t="inlineStr"', ' t="n"'])
        body = rng.choice(["", "<v>1</v>", "<v/>", "<f>1+1</f>", "<f>1+1</f><v>2</v>",
                           "<is><t>x</t></is>", "<!-- c --><v>3</v>", "<v>#N/A</v>"])
        if kind == ' t="e"':
            body = body.replace("<v>1</v>", "<v>#N/A</v>").replace("<v>2</v>", "<v>#REF!</v>")
        return f"<{name}{ref()}{kind}>{body}</{name}>" if body else f"<{name}{ref()}{kind}/>"

    rows = []
    for _ in range(rng.randint(0, 8)):
        row = f' r="{rng.randint(1, 60)}"' if rng.random() < 0.6 else ""
        rows.append(f"<row{row}>" + "".join(cell() for _ in range(rng.randint(0, 6)))
                    + "</row>" if rng.random() < 0.9 else f"<row{row}/>")
    return ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            + "".join(rows) + "</sheetData></worksheet>").encode()


def test_scanner_never_places_stored_cells_nearer_than_the_reader() -> None:
    rng = random.Random(SEED)
    limits = workbook.ReadLimits(tape.DEFAULT_MAX_BYTES, tape.DEFAULT_MAX_ROWS,
                                 tape.DEFAULT_MAX_CELLS)
    compared = 0
    for _ in range(400):
        data = repacked(VALID, SHEET, random_sheet(rng))
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            scan = workbook._scan_part(archive, SHEET, limits)
        try:
            with CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
                rows = book.get_sheet_by_name("loans").to_python(skip_empty_area=False)
        except Exception:  # noqa: BLE001 - a sheet the reader refuses allocates nothing
            continue
        assert scan.code == workbook._SCAN_DONE
        assert len(rows) <= scan.state[workbook._S_MAX_ROW]
        assert max(map(len, rows), default=0) <= scan.state[workbook._S_MAX_COL]
        compared += 1
    assert compared > 100  # most random sheets are ones the reader accepts
