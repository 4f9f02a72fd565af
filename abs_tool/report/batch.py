"""A batch of deals: each deal's Monte Carlo and analysis as one work unit, on this
process's threads or a Dask cluster's workers (:mod:`abs_tool.engine.executor`), each
giving exactly the results JSON that ``abs-tool run`` writes for it alone.

A unit runs its deal's whole Monte Carlo on one thread: its numbers do not depend on that
(blocks are seeded by their index), and deals, not blocks, are what a desk's monthly book
has many of. Every deal's cost is checked before the first starts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from abs_tool.analysis.deal_analysis import analyse
from abs_tool.engine.deterministic import PreparedDeal
from abs_tool.engine.executor import Executor, LocalThreads
from abs_tool.engine.montecarlo import resolve_default_method, run_cost, run_monte_carlo
from abs_tool.io.rating_tables import RatingTables
from abs_tool.limits import MAX_PATHS, MAX_SEED, Cost, check_cost, check_integer
from abs_tool.report.tables import analysis_dict


@dataclass(frozen=True)
class BatchSettings:
    """The run settings every deal of a batch takes; None keeps each deal's own."""

    paths: int | None = None
    seed: int | None = None
    importance_sampling: bool | None = None
    default_method: str | None = None

    def __post_init__(self) -> None:
        if self.paths is not None:
            check_integer("paths", self.paths, 1, MAX_PATHS)
        if self.seed is not None:
            check_integer("seed", self.seed, 0, MAX_SEED)


def _deal_unit(prepared: PreparedDeal, settings: BatchSettings,
               tables: RatingTables | None) -> dict[str, object]:
    """One deal's results JSON (a work unit of :func:`run_batch`)."""
    result = run_monte_carlo(prepared, paths=settings.paths, seed=settings.seed,
                             importance_sampling=settings.importance_sampling,
                             default_method=settings.default_method, workers=1)
    return analysis_dict(analyse(prepared, monte_carlo=result, tables=tables))


def check_batch(deals: Sequence[PreparedDeal], settings: BatchSettings, threads: int) -> None:
    """Refuse a batch before it starts when one of its deals would pass the memory or time
    budget, or the ``threads`` deals running at once the memory budget.

    Raises
    ------
    LimitError
        Naming the deal (its position and name) or the number of deals run at once.
    FieldError
        An unknown default method.
    """
    costs = []
    for i, prepared in enumerate(deals):
        paths = settings.paths if settings.paths is not None else prepared.deal.run.paths
        cost = run_cost(prepared, paths,
                        method=resolve_default_method(prepared, settings.default_method))
        check_cost(cost, field="paths", value=paths,
                   what=f"deal {i + 1} ({prepared.deal.name}), {paths:,} paths")
        costs.append(cost)
    at_once = sorted(costs, key=lambda c: c.bytes, reverse=True)[:max(1, threads)]
    check_cost(Cost(sum(c.bytes for c in at_once), max(c.seconds for c in at_once)),
               field="workers", value=threads, what=f"{len(at_once)} deals run at once")


def run_batch(
    deals: Sequence[PreparedDeal],
    settings: BatchSettings = BatchSettings(),
    *,
    tables: RatingTables | None = None,
    executor: Executor | None = None,
    threads: int = 1,
    cancel: threading.Event | None = None,
) -> Iterator[dict[str, object]]:
    """Each deal's results JSON (docs/results.md), in the deals' order, as each is ready.

    Parameters
    ----------
    deals
        The prepared deals.
    settings
        Paths, seed, importance sampling and default method for every deal (None: each
        deal's own run settings).
    tables
        Rating tables (None: the built-in ones).
    executor
        Where the deals run (default: this process's threads); a deal is one unit.
    threads
        Deals run at once on this process's threads (a cluster runs as many as it has
        worker threads).
    cancel
        When set, no further deal starts and the iteration ends.

    Raises
    ------
    LimitError
        Raised before any deal runs (:func:`check_batch`).
    """
    check_batch(deals, settings, 1 if executor is not None and executor.distributed
                else threads)
    runner = executor if executor is not None else LocalThreads()
    return runner.map_ordered(_deal_unit, deals, runner.share(settings),
                              runner.share(tables), threads=threads, cancel=cancel)
