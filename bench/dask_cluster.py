"""The Monte Carlo on a Dask LocalCluster against this process's threads: paths per second,
bytes sent per work unit and per run, and a re-sizing sensitivity grid; every cluster
result checked bit-identical to the local one.

``python bench/dask_cluster.py [--paths 200000] [--grid 3] [--grid-paths 8192]`` prints the tables
(docs/dask.md quotes them). Each timing is the best of ``--repeat`` runs after one warm-up
run on the same executor (a fresh worker process imports the tool and loads numba's cache
at its first unit); the warm-up's own time is shown as "first run". The last table repeats
the consumer run on a cluster whose workers keep Dask's own MALLOC_TRIM_THRESHOLD_=65536
(RECIPES.md: it slows numpy temporaries), which this tool's LocalCluster leaves out.

(Not named ``bench/dask.py``: run as a script, bench/ comes first on ``sys.path``, and the
file would stand in for the ``dask`` package, here and in the worker processes.)
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import time
from collections.abc import Callable
from typing import Any

import abs_tool
from abs_tool.analysis.structuring import sensitivity_grid
from abs_tool.engine import montecarlo as mc
from abs_tool.engine.executor import DaskExecutor, Executor, LocalThreads, open_executor


def _digest(result: mc.MonteCarloResult) -> str:
    from digest import SKIPPED, digest  # bench/digest.py: every number by its bytes

    SKIPPED.add("runtime_seconds")
    return digest(result)


def _best(run: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(first run's seconds, best later run's seconds, the last result)."""
    started = time.perf_counter()
    result = run()
    first = time.perf_counter() - started
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return first, best, result


def _deal(name: str) -> tuple[abs_tool.Deal, abs_tool.Pool]:
    deal = abs_tool.load_sample_deal(name)
    return deal, abs_tool.load_deal_pool(deal, None)[0]


def throughput(executors: dict[str, Callable[[], Any]], paths: int, repeat: int) -> None:
    print(f"\n## Paths per second, {paths:,} paths (best of {repeat} after a first run)\n")
    print("| deal | executor | first run (s) | best (s) | paths/s | vs threads | identical |")
    print("|---|---|---|---|---|---|---|")
    for name in ("consumer", "factoring"):
        prepared = abs_tool.prepare_deal(*_deal(name))
        reference = None
        base = None
        for label, opener in executors.items():
            with opener() as executor:
                first, best, result = _best(
                    lambda executor=executor, prepared=prepared: mc.run_monte_carlo(
                        prepared, paths=paths, seed=1, executor=executor), repeat)
            d = _digest(result)
            reference = reference or d
            base = base or best
            print(f"| {name} | {label} | {first:.2f} | {best:.2f} | {paths / best:,.0f} | "
                  f"{base / best:.2f}x | {'yes' if d == reference else 'NO'} |")


def traffic(paths: int) -> None:
    """Bytes each run sends, by the pickled size of what travels (what Dask sends is the
    pickle of the same objects, plus a few hundred bytes of task metadata)."""
    print(f"\n## Bytes sent ({paths:,} paths, {mc.BLOCKS_PER_UNIT} blocks of "
          f"{mc.BLOCK_PATHS:,} paths a unit)\n")
    print("| deal | pool + model, once per pool model | deal etc., once per run | "
          "one unit's task | one block's sums back (dense) | per run | per path |")
    print("|---|---|---|---|---|---|---|")
    for name in ("consumer", "factoring"):
        prepared = abs_tool.prepare_deal(*_deal(name))
        method = mc.resolve_default_method(prepared)
        exact = mc.exact_inputs(prepared) if method == "exact" else None
        run = mc._RunInputs(prepared.deal, prepared.class_balances, 0.0, exact)
        pool_side = len(pickle.dumps((prepared.pool, prepared.model)))
        per_run = len(pickle.dumps(run))
        seeds, sizes = mc._block_plan(paths, 1)
        blocks = list(zip(seeds, sizes, strict=True))
        unit = blocks[:mc.BLOCKS_PER_UNIT]
        task = len(pickle.dumps((mc._fresh_unit, unit)))
        sums = mc._fresh_unit(unit, run, (prepared.pool, prepared.model))[0]
        back = len(pickle.dumps(sums))
        dense = sum(getattr(sums, h).nbytes for h in mc._HISTOGRAMS
                    if getattr(sums, h) is not None)
        units = -(-len(blocks) // mc.BLOCKS_PER_UNIT)
        total = pool_side + per_run + units * task + len(blocks) * back
        print(f"| {name} ({method}) | {pool_side / 1e6:.2f} MB | {per_run / 1e3:.1f} kB | "
              f"{task} B | {back / 1e3:.1f} kB ({dense / 1e3:.0f} kB) | {total / 1e6:.1f} MB | "
              f"{total / paths:.1f} B |")


def grid(executors: dict[str, Callable[[], Any]], n: int, paths: int) -> None:
    print(f"\n## Re-sizing grid, {n}x{n} cells of {paths:,} paths (consumer, sized afresh "
          "in every cell)\n")
    print("| executor | seconds | cells/min | identical |")
    print("|---|---|---|---|")
    deal, pool = _deal("consumer")
    x = ("correlation", [0.1 + 0.05 * i for i in range(n)])
    y = ("default_multiplier", [1.0 + 0.25 * i for i in range(n)])
    reference = None
    for label, opener in executors.items():
        with opener() as executor:
            # One cell first: the workers' first units load the engine.
            sensitivity_grid(deal, pool, ("correlation", [0.1]), ("default_multiplier", [1.0]),
                             paths=paths, seed=2, executor=executor)
            started = time.perf_counter()
            frame = sensitivity_grid(deal, pool, x, y, resize=True, paths=paths, seed=2,
                                     executor=executor)
            seconds = time.perf_counter() - started
        d = hashlib.sha256(frame.to_csv().encode()).hexdigest()
        reference = reference or d
        print(f"| {label} | {seconds:.1f} | {n * n / seconds * 60:.1f} | "
              f"{'yes' if d == reference else 'NO'} |")


def malloc_default(paths: int, repeat: int) -> None:
    """The consumer run on a LocalCluster whose workers keep Dask's malloc setting."""
    import contextlib

    import dask
    import distributed

    @contextlib.contextmanager
    def dask_default() -> Any:
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                           host="127.0.0.1", dashboard_address=":0")
        client = distributed.Client(cluster, set_as_default=False)
        executor = DaskExecutor(client, owns_cluster=True)
        try:
            yield executor
        finally:
            executor.close()

    assert dask.config.get("distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_")
    print(f"\n## Dask's MALLOC_TRIM_THRESHOLD_=65536 in the workers ({paths:,} paths)\n")
    print("| deal | executor | best (s) | paths/s |")
    print("|---|---|---|---|")
    prepared = abs_tool.prepare_deal(*_deal("consumer"))
    for label, opener in (("local:2 (this tool's)", lambda: open_executor("local:2")),
                          ("local:2, Dask's malloc setting", dask_default)):
        with opener() as executor:
            _, best, _ = _best(lambda executor=executor: mc.run_monte_carlo(
                prepared, paths=paths, seed=1, executor=executor), repeat)
        print(f"| consumer | {label} | {best:.2f} | {paths / best:,.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--grid", type=int, default=3, help="cells a side")
    parser.add_argument("--grid-paths", type=int, default=8192)
    args = parser.parse_args()

    class _Threads:
        def __enter__(self) -> Executor:
            return LocalThreads()

        def __exit__(self, *exc: object) -> None:
            return None

    executors: dict[str, Callable[[], Any]] = {
        "threads (2)": _Threads,
        "local:1": lambda: open_executor("local:1"),
        "local:2": lambda: open_executor("local:2"),
    }
    throughput(executors, args.paths, args.repeat)
    traffic(args.paths)
    grid({k: executors[k] for k in ("threads (2)", "local:2")}, args.grid, args.grid_paths)
    malloc_default(args.paths, args.repeat)


if __name__ == "__main__":  # Dask's worker processes re-import __main__: nothing above runs
    main()
