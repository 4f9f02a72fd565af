"""Sizing a structure on a sample deal (issue 5 target: the consumer deal's three classes at
100,000 paths, simulation included, under 10 s on 2 cores).

Prints one row per run: paths, criterion, structures evaluated, simulation seconds, total
seconds, seconds per structure, peak resident memory; then the sized classes.
"""

from __future__ import annotations

import argparse
import resource

from abs_tool import load_deal_pool, load_sample_deal, structure_deal
from abs_tool.report.tables import sizing_table


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deal", default="consumer")
    parser.add_argument("--paths", type=int, nargs="+", default=[100_000])
    parser.add_argument("--criterion", nargs="+", default=["el"])
    parser.add_argument("--workers", type=int)
    args = parser.parse_args()

    deal = load_sample_deal(args.deal)
    pool, _ = load_deal_pool(deal, None)
    structure_deal(deal, pool, paths=4096, workers=args.workers)  # warm caches
    print(f"deal: {deal.name}; {len(deal.structure.classes)} classes")
    print(f"{'paths':>10}{'criterion':>10}{'structures':>11}{'sim s':>8}{'total s':>9}"
          f"{'s/struct':>10}{'peak MB':>9}")
    for paths in args.paths:
        for criterion in args.criterion:
            result = structure_deal(deal, pool, paths=paths, criterion=criterion,
                                    workers=args.workers)
            per = (result.runtime_seconds - result.simulation_seconds) / result.evaluations
            print(f"{paths:>10,}{criterion:>10}{result.evaluations:>11}"
                  f"{result.simulation_seconds:>8.2f}{result.runtime_seconds:>9.2f}"
                  f"{per:>10.3f}{peak_rss_mb():>9.0f}")
    print(sizing_table(result)[["class", "target", "size_share", "coupon", "metric",
                                "threshold", "binding"]].to_string(index=False))


if __name__ == "__main__":
    main()
