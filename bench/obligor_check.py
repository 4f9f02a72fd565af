"""The Monte Carlo's default modes against the independent obligor-by-obligor simulation of
tests/obligor_reference.py, on the heterogeneous pools of tests/test_obligor_validation.py
(issue 15): per pool and mode, every class's EL and PD, the pool EL and its 99% / 99.9% loss
quantiles, with standard errors, the relative difference and the difference in combined
standard errors (z). "ok" is the test's acceptance (4 combined s.e.; quantiles in the
order-statistic bracket widened by one histogram bin).

Modes: the default call of today ("default"), and "grouped" / "exact" where
``run_monte_carlo`` takes ``default_method``.
"""

from __future__ import annotations

import argparse
import inspect
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from obligor_reference import compare, obligors_of, reference_for  # noqa: E402
from test_obligor_validation import (  # noqa: E402
    CUTS,
    K_SE,
    LGD,
    POOLS,
    REFERENCE_SEED,
    RHO,
    TOOL_SEED,
    run,
)

from abs_tool import run_monte_carlo  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pools", nargs="+", default=["lognormal", "zipf", "factoring"],
                        choices=sorted(POOLS))
    parser.add_argument("--reference-paths", type=int, default=200_000)
    parser.add_argument("--paths", type=int, default=100_000)
    args = parser.parse_args()

    exact_available = "default_method" in inspect.signature(run_monte_carlo).parameters
    methods = ["grouped", "exact"] if exact_available else [None]
    print(f"rho {RHO}, LGD {LGD}, cuts {CUTS} (PDs: see tests/obligor_reference.py); reference "
          f"{args.reference_paths:,} paths (seed {REFERENCE_SEED}), tool {args.paths:,} paths "
          f"(seed {TOOL_SEED})")
    for name in args.pools:
        pool = POOLS[name]()
        obligors = obligors_of(pool)
        started = time.perf_counter()
        ref = reference_for(pool, RHO, LGD, args.reference_paths, REFERENCE_SEED)
        ref_seconds = time.perf_counter() - started
        top = obligors.balance.max() / obligors.balance.sum()
        print(f"\n== {name}: {len(pool):,} receivables, {obligors.count:,} obligors, top "
              f"obligor {top:.1%}, 1/HHI over obligors {obligors.effective_number:.0f}; "
              f"reference {ref_seconds:.1f} s")
        for method in methods:
            started = time.perf_counter()
            result = run(pool, method, paths=args.paths)
            seconds = time.perf_counter() - started
            label = method or "default (grouped)"
            tiers = ", ".join(f"{c.name} {c.tier}" for c in result.classes)
            print(f"-- {label}: {seconds:.2f} s ({tiers})")
            print(f"{'figure':<14}{'reference':>12}{'ref se':>10}{'tool':>12}{'se':>10}"
                  f"{'rel diff':>10}{'z':>8}  ok")
            for row in compare(result, ref, CUTS, K_SE):
                tool_se = "-" if row.tool_se is None else f"{row.tool_se:.2g}"
                z = "-" if math.isnan(row.z) else f"{row.z:+.1f}"
                print(f"{row.figure:<14}{row.reference:>12.5g}{row.reference_se:>10.2g}"
                      f"{row.tool:>12.5g}{tool_se:>10}{row.relative:>+10.1%}{z:>8}  "
                      f"{'yes' if row.ok else 'NO'}")


if __name__ == "__main__":
    main()
