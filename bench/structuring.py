"""Sizing a structure on a sample deal (issue 14 target: each criterion sizing the consumer
deal's three classes at 100,000 paths, simulation included, under 5 s on 2 cores).

Prints one row per run: paths, criterion, structures evaluated on all the paths and on the
coarse ones, simulation seconds, total seconds, peak resident memory; with
``--fresh-seeds N``, how many of N fresh runs of the sized deal (as many paths, other seeds,
the sizing's importance shift) find every class meeting its target on the estimate alone;
then the last sizing's classes.
"""

from __future__ import annotations

import argparse
import resource

from abs_tool import (
    break_even,
    load_deal_pool,
    load_sample_deal,
    prepare_deal,
    run_monte_carlo,
    structure_deal,
)
from abs_tool.analysis.structuring import Evaluation, check_class
from abs_tool.report.tables import sizing_table


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def fresh_passes(result, pool, seeds: range) -> int:  # type: ignore[no-untyped-def]
    """Fresh runs of the sized deal in which every rated class meets its target."""
    prepared = prepare_deal(result.deal, pool)
    evens = break_even(prepared)
    rated = [c for c in result.classes[:-1] if c.size_share > 0]
    passes = 0
    for seed in seeds:
        mc = run_monte_carlo(prepared, paths=result.monte_carlo.paths, seed=seed,
                             importance_sampling=bool(result.monte_carlo.importance_shift),
                             shift=result.monte_carlo.importance_shift or None)
        fresh = Evaluation(prepared, mc, evens)
        passes += all(check_class(fresh, j, c.target, result.criterion, result.tables).meets
                      for j, c in enumerate(rated))
    return passes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deal", default="consumer")
    parser.add_argument("--paths", type=int, nargs="+", default=[100_000])
    parser.add_argument("--criterion", nargs="+", default=["el", "pd", "dirr", "tdr"])
    parser.add_argument("--workers", type=int)
    parser.add_argument("--fresh-seeds", type=int, default=0, metavar="N")
    args = parser.parse_args()

    deal = load_sample_deal(args.deal)
    pool, _ = load_deal_pool(deal, None)
    structure_deal(deal, pool, paths=4096, workers=args.workers)  # warm caches
    print(f"deal: {deal.name}; {len(deal.structure.classes)} classes")
    print(f"{'paths':>10}{'criterion':>10}{'full':>6}{'coarse':>7}{'sim s':>8}{'total s':>9}"
          f"{'peak MB':>9}" + (f"{'fresh passes':>14}" if args.fresh_seeds else ""))
    for paths in args.paths:
        for criterion in args.criterion:
            result = structure_deal(deal, pool, paths=paths, criterion=criterion,
                                    workers=args.workers)
            row = (f"{paths:>10,}{criterion:>10}{result.evaluations:>6}"
                   f"{result.coarse_evaluations:>7}{result.simulation_seconds:>8.2f}"
                   f"{result.runtime_seconds:>9.2f}{peak_rss_mb():>9.0f}")
            if args.fresh_seeds:
                seeds = range(result.verification_seed + 1,
                              result.verification_seed + 1 + args.fresh_seeds)
                row += f"{fresh_passes(result, pool, seeds):>9} / {args.fresh_seeds}"
            print(row, flush=True)
    print(sizing_table(result)[["class", "target", "size_share", "coupon", "metric",
                                "threshold", "margin_se", "binding"]].to_string(index=False))


if __name__ == "__main__":
    main()
