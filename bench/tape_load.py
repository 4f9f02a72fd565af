"""Loading tapes, and refusing tapes over the limits.

Loads a 200,000-loan tape (issue 2 target for CSV: load and summary under 3 s on 2 cores;
issue 12 target for XLSX: under 10 s) and prints a table: step, seconds (best of --repeat
runs). ``--xlsx`` adds the same pool as a workbook (writing it takes about a minute).

``--refusals`` builds files over the default limits in a temporary folder and refuses each in
a fresh process (issue 12 target: under 2 s and 300 MB each), printing: file, its size,
seconds of the refusal, peak memory of the process and its memory after the imports.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from timing import best_of

from abs_tool.analytics import pool_summary, stratify
from abs_tool.samples import sample_pool
from abs_tool.tape import DEFAULT_MAX_ROWS, load_tape, tape_bytes

# Refuses one file in a fresh process; prints seconds and peak memory (MiB) as JSON.
_REFUSE = """
import json, resource, sys, time
from abs_tool.tape import inspect_tape
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
pool, report = inspect_tape(sys.argv[1])
seconds = time.perf_counter() - start
assert pool is None, report
print(json.dumps({"seconds": seconds, "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                  / 1024, "imports": before, "reason": report.errors[0].reason}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loans", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--xlsx", action="store_true", help="also load the tape as XLSX")
    parser.add_argument("--refusals", action="store_true",
                        help="time the refusal of files over the limits instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.refusals:
            refusals(Path(folder))
        else:
            loads(Path(folder), args.loans, args.repeat, args.xlsx)


def loads(folder: Path, loans: int, repeat: int, xlsx: bool) -> None:
    pool = sample_pool("consumer", n_loans=loans)
    path = folder / "tape.csv"
    path.write_bytes(tape_bytes(pool, "csv"))
    size_mb = path.stat().st_size / 2**20
    load_s, pool = best_of(repeat, lambda: load_tape(path))
    summary_s, _ = best_of(repeat, lambda: pool_summary(pool))
    strat_s, _ = best_of(repeat, lambda: [stratify(pool, c) for c in
                                          ("grade", "region", "balance", "rate")])
    total_s, _ = best_of(repeat, lambda: pool_summary(load_tape(path)))
    rows = [
        ("load_tape (read + validate)", load_s),
        ("pool_summary", summary_s),
        ("stratify x4 (grade, region, balance, rate)", strat_s),
        ("load + summary (target < 3 s)", total_s),
    ]
    print(f"tape: {loans:,} loans, {size_mb:.1f} MiB CSV; best of {repeat}")
    if xlsx:
        book = folder / "tape.xlsx"
        book.write_bytes(tape_bytes(pool, "xlsx"))
        xlsx_s, _ = best_of(repeat, lambda: load_tape(book))
        rows.append(("load_tape of the XLSX (target < 10 s)", xlsx_s))
        print(f"      {book.stat().st_size / 2**20:.1f} MiB XLSX")
    print(f"{'step':<45}{'seconds':>10}")
    for name, seconds in rows:
        print(f"{name:<45}{seconds:>10.3f}")


def refusals(folder: Path) -> None:
    rows = DEFAULT_MAX_ROWS + 1
    files = {
        "xlsx, dimension declares the rows": write_workbook(folder / "declared.xlsx", rows,
                                                           declare=True),
        "xlsx, no dimension (rows counted)": write_workbook(folder / "counted.xlsx", rows,
                                                           declare=False),
        "csv": write_csv(folder / "long.csv", rows),
    }
    fifo = folder / "pipe.csv"
    os.mkfifo(fifo)
    files["FIFO named .csv"] = fifo
    print(f"{rows:,} loan rows, 4 columns; each refused in a fresh process")
    print(f"{'file':<36}{'MiB':>8}{'unpacked':>10}{'seconds':>9}{'peak MiB':>10}"
          f"{'imports':>9}")
    for label, path in files.items():
        size, unpacked = file_sizes(path)
        run = subprocess.run([sys.executable, "-c", _REFUSE, str(path)], capture_output=True,
                             text=True, check=True, timeout=120)
        got = json.loads(run.stdout)
        print(f"{label:<36}{size:>8.1f}{unpacked:>10.1f}{got['seconds']:>9.3f}"
              f"{got['peak']:>10.0f}{got['imports']:>9.0f}")
        print(f"    {got['reason'][:100]}")


def file_sizes(path: Path) -> tuple[float, float]:
    """Size and unpacked size (MiB) of a tape; a FIFO has none."""
    if not path.is_file():
        return 0.0, 0.0
    size = path.stat().st_size / 2**20
    if path.suffix != ".xlsx":
        return size, size
    with zipfile.ZipFile(path) as archive:
        return size, sum(i.file_size for i in archive.infolist()) / 2**20


def write_workbook(path: Path, rows: int, *, declare: bool) -> Path:
    """A workbook of ``rows`` loan rows below the header (the four required columns), its
    sheet streamed into the zip; ``declare`` writes the true <dimension>, else none."""
    template = tape_bytes(sample_pool("consumer", n_loans=1), "xlsx")
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(io.BytesIO(template)) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != sheet:
                target.writestr(info.filename, source.read(info.filename))
        with target.open(sheet, "w") as stream:
            stream.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                         b'2006/main">')
            if declare:
                stream.write(f'<dimension ref="A1:D{rows + 1}"/>'.encode())
            stream.write(b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>loan_id</t>'
                         b'</is></c><c r="B1" t="inlineStr"><is><t>balance</t></is></c>'
                         b'<c r="C1" t="inlineStr"><is><t>rate</t></is></c><c r="D1" '
                         b't="inlineStr"><is><t>remaining_term</t></is></c></row>')
            # The same loan in every row (cells placed by their order): it compresses about
            # 50:1, under the zip-bomb ratio limit, as a few MB of workbook.
            for first in range(2, rows + 2, 10_000):
                stream.write("".join(
                    f'<row r="{r}"><c t="inlineStr"><is><t>L1</t></is></c><c><v>1000.5</v>'
                    '</c><c><v>0.05</v></c><c><v>12</v></c></row>'
                    for r in range(first, min(first + 10_000, rows + 2))).encode())
            stream.write(b"</sheetData></worksheet>")
    return path


def write_csv(path: Path, rows: int) -> Path:
    """A CSV of ``rows`` loans below the header (the four required columns)."""
    with path.open("w") as stream:
        stream.write("loan_id,balance,rate,remaining_term\n")
        for first in range(2, rows + 2, 10_000):
            stream.write("".join(f"L{r},{1000 + r % 997}.5,0.05,{1 + r % 360}\n"
                                 for r in range(first, min(first + 10_000, rows + 2))))
    return path


if __name__ == "__main__":
    main()
