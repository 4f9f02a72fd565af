"""Inputs that would exhaust the machine are refused at once (issue 12; docs/limits.md).

Runs each case as ``abs-tool ...`` in a fresh process (a tape through ``validate-tape``) and
prints its exit status, wall time, peak resident memory (``ru_maxrss`` of that child, from
``os.wait4``) and the first line of its message. The first row, ``abs-tool --version``, is
the cost of starting the interpreter and importing the command line (pandas included), which
every other row contains. Target: every case refused (status 2) in under 2 s and 300 MB.

Before the limits, the far legal final allocated 14 GB in the amortization step, the 2115
legal final at 20,000 paths more than 9 GB, ``--paths 0`` raised ``KeyError`` and
``--paths 10**12`` ``MemoryError`` after 33 s, and deep nesting ``RecursionError``; a 2.7 MB
workbook of a million rows took 76 s and 1.2 GB, and a FIFO given as a tape hung forever.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

# Nothing of abs_tool is imported here: a child forked from a process holding pandas would
# count the parent's pages in its own peak. The deal is read as a file, and the tapes are
# written by hand.
CONSUMER = Path(__file__).resolve().parents[1] / "abs_tool/data/deals/consumer_baitiao.json"
TAPE_ROWS = 1_000_001
"""Loan rows of the over-long tapes: one more than the reader's default limit."""
TAPE_HEADER = ("loan_id", "balance", "rate", "remaining_term")
_SHEET_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _deal(folder: Path, name: str, change: dict[str, object]) -> str:
    data = json.loads(CONSUMER.read_text(encoding="utf-8"))
    for path, value in change.items():
        node = data
        *parents, last = path.split(".")
        for key in parents:
            node = node[key]
        node[last] = value
    target = folder / name
    target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(target)


def _fifo(path: Path) -> str:
    os.mkfifo(path)
    return str(path)


def _text(folder: Path, name: str, text: str) -> str:
    target = folder / name
    target.write_text(text, encoding="utf-8")
    return str(target)


def write_workbook(path: Path, rows: int, *, declare: bool) -> str:
    """A workbook of ``rows`` loan rows below the header (the four required columns), its
    sheet streamed into the zip; ``declare`` writes the true <dimension>, else none. The same
    loan in every row compresses about 50:1, under the zip-bomb ratio limit: a few MB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.worksheet+xml"/></Types>'))
        book.writestr("_rels/.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="' + _REL_NS.decode() + '/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'))
        book.writestr("xl/workbook.xml", (
            b"<workbook " + _SHEET_NS + b' xmlns:r="' + _REL_NS + b'"><sheets><sheet '
            b'name="loans" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        book.writestr("xl/_rels/workbook.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="' + _REL_NS.decode() + '/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'))
        with book.open("xl/worksheets/sheet1.xml", "w") as stream:
            stream.write(b"<worksheet " + _SHEET_NS + b">")
            if declare:
                stream.write(f'<dimension ref="A1:D{rows + 1}"/>'.encode())
            header = "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in TAPE_HEADER)
            stream.write(f'<sheetData><row r="1">{header}</row>'.encode())
            for first in range(2, rows + 2, 10_000):
                stream.write("".join(
                    f'<row r="{r}"><c t="inlineStr"><is><t>L1</t></is></c><c><v>1000.5</v>'
                    '</c><c><v>0.05</v></c><c><v>12</v></c></row>'
                    for r in range(first, min(first + 10_000, rows + 2))).encode())
            stream.write(b"</sheetData></worksheet>")
    return str(path)


def write_csv(path: Path, rows: int) -> str:
    """A CSV of ``rows`` loans below the header (the four required columns)."""
    with path.open("w") as stream:
        stream.write(",".join(TAPE_HEADER) + "\n")
        for first in range(2, rows + 2, 10_000):
            stream.write("".join(f"L{r},{1000 + r % 997}.5,0.05,{1 + r % 360}\n"
                                 for r in range(first, min(first + 10_000, rows + 2))))
    return str(path)


def cases(folder: Path) -> list[tuple[str, list[str]]]:
    """(what, abs-tool arguments) of each case."""
    consumer = CONSUMER.read_text(encoding="utf-8")
    big = folder / "big.json"
    with big.open("wb") as handle:
        handle.write(consumer.encode("utf-8"))
        handle.truncate(100 * 2**20)
    return [
        ("interpreter and imports (baseline)", ["--version"]),
        (f"tape: XLSX of {TAPE_ROWS:,} rows, declared",
         ["validate-tape", write_workbook(folder / "declared.xlsx", TAPE_ROWS, declare=True)]),
        (f"tape: XLSX of {TAPE_ROWS:,} rows, counted",
         ["validate-tape", write_workbook(folder / "counted.xlsx", TAPE_ROWS, declare=False)]),
        (f"tape: CSV of {TAPE_ROWS:,} rows", ["validate-tape", write_csv(folder / "long.csv",
                                                                        TAPE_ROWS)]),
        ("tape: a FIFO named .csv", ["validate-tape", _fifo(folder / "pipe.csv")]),
        ("legal_final 9999-12-31",
         ["run", _deal(folder, "far.json", {"dates.legal_final": "9999-12-31"}), "--quiet"]),
        ("legal_final 2115, 20,000 paths",
         ["run", _deal(folder, "2115.json", {"dates.legal_final": "2115-10-01"}), "--paths",
          "20000", "--quiet"]),
        ("--paths 0", ["run", "consumer", "--paths", "0"]),
        ("--paths -5", ["run", "consumer", "--paths", "-5"]),
        ("--paths 10**12", ["run", "consumer", "--paths", str(10**12)]),
        ("deal file of 100 MB", ["run", str(big)]),
        ("deal file nested 100,000 deep",
         ["run", _text(folder, "deep.json", "[" * 100_000 + "]" * 100_000)]),
        ("deal file nested 900 deep in a field",
         ["run", _text(folder, "deep900.json", consumer.replace(
             '"currency": "CNY"', '"currency": ' + "[" * 900 + "]" * 900))]),
        ("deal file of 20 million empty lists",
         ["run", _text(folder, "lists.json", "[" + "[]," * 20_000_000 + "[]]")]),
        ("a 5,000-digit integer",
         ["run", _text(folder, "digits.json", consumer.replace('"paths": 20000',
                                                               '"paths": ' + "9" * 5000))]),
        ("output folder missing", ["run", "consumer", "--out-json", "/nonexistent/out.json"]),
        ("output folder read-only (/proc)", ["run", "consumer", "--out-json", "/proc/out.json"]),
        ("structuring 10,000,000 paths (memory budget)",
         ["structure", "consumer", "--paths", "10000000", "--quiet"]),
        ("grid of 1,000 x 1,000 scenarios (memory budget)",
         ["grid", "consumer", "--cdr", ",".join(f"{i / 2000:.4f}" for i in range(1000)),
          "--recovery", ",".join(f"{i / 1000:.3f}" for i in range(1000))]),
    ]


def measure(args: list[str]) -> tuple[int, float, float, str]:
    """Exit status, wall seconds, peak RSS in MB and the first line of stderr of one run."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "abs_tool.cli", *args],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert child.stderr is not None
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    first = next((line for line in err.splitlines() if "error" in line), err.strip()[:1] or "")
    return child.returncode, elapsed, usage.ru_maxrss / 1024, first  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--message-width", type=int, default=110)
    width = parser.parse_args().message_width
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'case':<48}{'exit':>5}{'seconds':>9}{'peak MB':>9}  message")
        for what, args in cases(Path(folder)):
            code, seconds, peak, message = measure(args)
            print(f"{what:<48}{code:>5}{seconds:>9.2f}{peak:>9.0f}  {message[:width]}")


if __name__ == "__main__":
    main()
