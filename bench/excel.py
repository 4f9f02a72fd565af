"""The Excel term sheet of the consumer sample deal (issue 6 target: export under 2 s).

Export = :func:`abs_tool.analysis.deal_analysis.analyse` (base and stress scenarios,
break-even default rates, cost of funds, pool tables, ratings) laid out by
:func:`abs_tool.report.excel.build_term_sheet_inputs`, plus
:func:`abs_tool.report.excel.term_sheet_bytes` (fill the template, save); the Monte Carlo that
feeds it is timed apart. Prints a table: step, seconds (best of --repeat runs).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats

from timing import best_of

from abs_tool import (
    analyse,
    build_term_sheet_inputs,
    load_deal_pool,
    load_sample_deal,
    prepare_deal,
    run_monte_carlo,
    term_sheet_bytes,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deal", default="consumer")
    parser.add_argument("--paths", type=int, default=20_000)
    parser.add_argument("--lang", choices=["en", "zh"], default="en")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print the top functions")
    args = parser.parse_args()

    deal = load_sample_deal(args.deal)
    pool, _ = load_deal_pool(deal, None)
    prepared = prepare_deal(deal, pool)
    mc_s, mc = best_of(1, lambda: run_monte_carlo(prepared, paths=args.paths))
    build_s, inputs = best_of(args.repeat,
                              lambda: build_term_sheet_inputs(analyse(prepared, monte_carlo=mc)))
    write_s, data = best_of(args.repeat, lambda: term_sheet_bytes(inputs, args.lang))

    print(f"deal: {deal.name}; {len(pool):,} loans; Monte Carlo {mc.paths:,} paths; "
          f"workbook {len(data):,} bytes ({args.lang}); best of {args.repeat}")
    print(f"{'step':<52}{'seconds':>10}")
    for name, seconds in (
        ("Monte Carlo (not part of the export)", mc_s),
        ("term-sheet inputs (scenarios, BDR, tables, ratings)", build_s),
        ("fill the template and save (.xlsx bytes)", write_s),
        ("export = inputs + workbook (target < 2 s)", build_s + write_s),
    ):
        print(f"{name:<52}{seconds:>10.3f}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(term_sheet_bytes, inputs, args.lang)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(12)


if __name__ == "__main__":
    main()
