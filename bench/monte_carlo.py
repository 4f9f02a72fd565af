"""The Monte Carlo on a sample deal (issue 4 targets, consumer deal on 2 cores: 20,000
paths under 1 s, 100,000 under 3 s, 1,000,000 under 30 s, peak memory under 2 GB).

``--defaults exact|grouped|auto`` picks how defaults are drawn (issue 15 target: the
factoring sample at 100,000 paths in exact mode under 2 s on 2 cores).

Prints the first block's time (numba compiles its kernels, or loads them from its cache),
then a table: paths, workers, seconds and process CPU seconds (best of --repeat), paths per
second, peak resident memory of the process so far; with --profile, where the time of one
block goes.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import time

import numpy as np

from abs_tool import load_deal_pool, load_sample_deal, prepare_deal, run_monte_carlo
from abs_tool.engine.montecarlo import (
    BLOCK_PATHS,
    _simulate_unit,
    draw_block,
    exact_inputs,
    resolve_default_method,
)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deal", default="consumer")
    parser.add_argument("--paths", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--importance-sampling", action="store_true")
    parser.add_argument("--defaults", choices=["auto", "exact", "grouped"], default=None,
                        help="default method (default: the deal's run.default_method)")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    parser.add_argument("--profile", action="store_true",
                        help="where one block's time goes (compiled kernels show as one line)")
    args = parser.parse_args()

    deal = load_sample_deal(args.deal)
    pool, _ = load_deal_pool(deal, None)
    prepared = prepare_deal(deal, pool)
    method = resolve_default_method(prepared, args.defaults)
    start = time.perf_counter()
    run_monte_carlo(prepared, paths=BLOCK_PATHS, workers=1, default_method=method)
    first = time.perf_counter() - start
    start = time.perf_counter()
    run_monte_carlo(prepared, paths=BLOCK_PATHS, workers=1, default_method=method)
    warm = time.perf_counter() - start
    print(f"deal: {deal.name}; {prepared.model.n_groups} groups x "
          f"{prepared.model.horizon_months} months; blocks of {BLOCK_PATHS} paths; "
          f"defaults {method}")
    print(f"first block in this process {first:.2f} s, then {warm:.2f} s: the difference is "
          f"numba compiling the kernels, or loading them from its cache in __pycache__")
    print(f"best of {args.repeat}; cpu s = process CPU time of that run (the machine may be "
          f"shared)")
    print(f"{'paths':>10}{'workers':>9}{'seconds':>10}{'cpu s':>8}{'paths/s':>11}{'peak MB':>10}")
    for paths in args.paths:
        for workers in args.workers:
            runs = []
            for _ in range(args.repeat):
                start, cpu = time.perf_counter(), time.process_time()
                run_monte_carlo(prepared, paths=paths, workers=workers,
                                importance_sampling=args.importance_sampling,
                                default_method=method)
                runs.append((time.perf_counter() - start, time.process_time() - cpu))
            seconds, cpu = min(runs)
            print(f"{paths:>10,}{workers:>9}{seconds:>10.2f}{cpu:>8.2f}{paths / seconds:>11,.0f}"
                  f"{peak_rss_mb():>10.0f}")
    if args.profile:
        seed = np.random.SeedSequence(1).spawn(1)[0]
        profiler = cProfile.Profile()
        exact = exact_inputs(prepared) if method == "exact" else None
        profiler.runcall(lambda: _simulate_unit(
            prepared, [draw_block(prepared, seed, BLOCK_PATHS, 0.0, exact)]))
        pstats.Stats(profiler).sort_stats("tottime").print_stats(12)


if __name__ == "__main__":
    main()
