"""Loading tapes.

Loads a 200,000-loan tape (issue 2 target for CSV: load and summary under 3 s on 2 cores;
issue 12 target for XLSX: under 10 s) and prints a table: step, seconds (best of --repeat
runs). ``--xlsx`` adds the same pool as a workbook (writing it takes about a minute). The
refusal of tapes over the limits is timed by ``bench/refusals.py``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from timing import best_of

from abs_tool import load_tape, pool_summary, sample_pool, stratify
from abs_tool.io.tape import tape_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loans", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--xlsx", action="store_true", help="also load the tape as XLSX")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
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


if __name__ == "__main__":
    main()
