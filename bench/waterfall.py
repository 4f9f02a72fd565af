"""The cash-flow engine on the consumer sample deal (issue 3 target: 10,000 paths x 36
periods in under 0.5 s on 2 cores, given the pool flows).

Each path gets its own stress multiplier on the default assumption, so the paths differ.
Prints a table: step, seconds (best of --repeat runs).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats

import numpy as np
from timing import best_of

from abs_tool import break_even, load_deal_pool, load_sample_deal, prepare_deal
from abs_tool.engine.deterministic import run_paths, summarise_paths
from abs_tool.engine.metrics import class_metrics
from abs_tool.engine.projection import HazardDefaults, deterministic_defaults


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deal", default="consumer")
    parser.add_argument("--paths", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print the top functions")
    args = parser.parse_args()

    deal = load_sample_deal(args.deal)
    pool, _ = load_deal_pool(deal, None)
    prepare_s, prepared = best_of(args.repeat, lambda: prepare_deal(deal, pool))
    multipliers = np.random.default_rng(1).uniform(0.5, 3.0, args.paths)
    driver = deterministic_defaults(prepared.model, deal.assumptions.default, multipliers)
    defaults = HazardDefaults(np.ascontiguousarray(driver.monthly))
    engine_s, result = best_of(args.repeat, lambda: run_paths(prepared, defaults, args.paths))
    metrics_s, _ = best_of(args.repeat, lambda: class_metrics(result, prepared.coupons))
    summary_s, _ = best_of(args.repeat, lambda: summarise_paths(prepared, defaults, args.paths,
                                                                with_duration=True))
    bdr_s, _ = best_of(args.repeat, lambda: break_even(prepared))

    print(f"deal: {deal.name}; {len(pool):,} loans in {prepared.model.n_groups} PD groups; "
          f"{args.paths:,} paths x {result.n_periods} periods; best of {args.repeat}")
    print(f"{'step':<52}{'seconds':>10}")
    for name, seconds in (
        ("prepare (schedules of every loan, grouped)", prepare_s),
        ("pool projection + waterfall, all paths", engine_s),
        ("class metrics (EL, WAL, yield, duration)", metrics_s),
        ("both, keeping only the pool lines and the metrics", summary_s),
        ("break-even default rate, every class", bdr_s),
    ):
        print(f"{name:<52}{seconds:>10.3f}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(run_paths, prepared, defaults, args.paths)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(8)


if __name__ == "__main__":
    main()
