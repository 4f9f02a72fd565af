"""Loading and summarising a 200,000-loan CSV tape (issue 2 target: under 3 s, 2 cores).

Prints a table: step, seconds (best of --repeat runs).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from timing import best_of

from abs_tool.analytics import pool_summary, stratify
from abs_tool.samples import sample_pool
from abs_tool.tape import load_tape, tape_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loans", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tape.csv"
        path.write_bytes(tape_bytes(sample_pool("consumer", n_loans=args.loans), "csv"))
        size_mb = path.stat().st_size / 2**20
        load_s, pool = best_of(args.repeat, lambda: load_tape(path))
        summary_s, _ = best_of(args.repeat, lambda: pool_summary(pool))
        strat_s, _ = best_of(args.repeat, lambda: [stratify(pool, c) for c in
                                                   ("grade", "region", "balance", "rate")])
        total_s, _ = best_of(args.repeat, lambda: pool_summary(load_tape(path)))

    rows = [
        ("load_tape (read + validate)", load_s),
        ("pool_summary", summary_s),
        ("stratify x4 (grade, region, balance, rate)", strat_s),
        ("load + summary (target < 3 s)", total_s),
    ]
    print(f"tape: {args.loans:,} loans, {size_mb:.1f} MiB CSV; best of {args.repeat}")
    print(f"{'step':<45}{'seconds':>10}")
    for name, seconds in rows:
        print(f"{name:<45}{seconds:>10.3f}")


if __name__ == "__main__":
    main()
