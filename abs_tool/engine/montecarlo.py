"""The Monte Carlo driver: blocks of paths, each from its own seed, through the one engine.

Paths come in fixed blocks of :data:`BLOCK_PATHS`; block ``b`` draws from child ``b`` of
``numpy.random.SeedSequence(seed)``. Executors group blocks into work units as they like,
every block returns its own partial sums, and the sums are added in block order, so the
numbers for a seed do not depend on work-unit size, thread count or executor
(:mod:`abs_tool.engine.executor`: this process's threads, or a Dask cluster's workers, to
which the pool model goes once and from which only each block's sums come back). Memory is
bounded by the blocks in flight: distributions are kept as fine fixed-bin histograms, not
as per-path arrays. The sums behind each class's EL are also kept after every block (a few
numbers a class), so a result carries its own convergence (:class:`Convergence`).

Every estimate is a weighted mean ``sum(w x) / N`` (weights are 1 without importance
sampling) and carries its standard error ``sd(w x) / sqrt(N)``.

Defaults are drawn obligor by obligor (exact mode) or per PD group (grouped mode,
:mod:`abs_tool.credit.copula`), as ``run.default_method`` or the ``default_method`` argument
says; ``"auto"`` runs exact when the pool has at most
:data:`~abs_tool.limits.EXACT_MAX_OBLIGORS` obligors (a loan without ``obligor_id`` is its
own obligor), grouped above. Both give the engine the same default fractions, so everything
after the draw is the same code. With loan-level recovery rates from the tape
(:mod:`abs_tool.engine.projection`), grouped mode recovers each group's balance-weighted
rate, the same numbers for every path, and exact mode the rate of the receivables that
default on the path (:mod:`abs_tool.credit.copula`); a path's Beta-distributed recovery R
scales either by R / m (m = ``recovery.rate``), capped at 1.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtri

from abs_tool.credit.copula import (
    ExactDefaults,
    conditional_cumulative_pd,
    default_fractions,
    draw_factors,
    exact_default_fractions,
    exact_defaults,
    plain_paths,
    recovery_rates,
)
from abs_tool.credit.curves import cumulative_default_probability
from abs_tool.engine.deterministic import PreparedDeal, run_paths, summarise_paths
from abs_tool.engine.executor import Executor, Kept, LocalThreads, Shared
from abs_tool.engine.metrics import ClassMetrics
from abs_tool.engine.projection import HazardDefaults, loan_recovery
from abs_tool.engine.waterfall import PoolFlows
from abs_tool.errors import AbsToolError, FieldError
from abs_tool.limits import (
    EXACT_MAX_OBLIGORS,
    MAX_PATHS,
    MAX_SEED,
    MAX_WORKERS,
    Cost,
    check_cost,
    check_integer,
    estimate,
    memory_budget,
    workers_within_budget,
)
from abs_tool.model.assumptions import Recovery
from abs_tool.model.deal import Deal, DefaultMethod, Tier
from abs_tool.model.pool import Pool
from abs_tool.model.pool_model import (
    PoolModel,
    TopObligors,
    build_obligors,
    obligor_codes,
    top_obligors,
)
from abs_tool.types import Array, ByPaths

BLOCK_PATHS = 4096
"""Paths per block: part of the model (changing it changes the numbers for a seed)."""

BLOCKS_PER_UNIT = 2
"""Blocks of one work unit by default: one engine call (the numbers do not depend on it)."""

TOP_OBLIGORS = 10
"""Obligors whose share of the expected loss a run in exact mode reports
(:attr:`MonteCarloResult.top_obligors`)."""

RATE_BINS = 20_000
"""Bins of the pool default- and loss-rate histograms on [0, 1] (resolution 0.005%)."""

WAL_BINS, YIELD_BINS = 400, 400
YIELD_RANGE = (-1.0, 1.0)

QUANTILES = (0.5, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9997, 0.9999)

MAX_SHIFT = 6.0

MIN_RATIO_PATHS = 30
"""Fewest paths with a loss from which a class's LGD gets a standard error: the delta method
on fewer understates it (the consumer sample's senior class, 4,096 importance-sampled paths,
a handful losing: the spread over seeds was 3.2 times the reported error)."""


class CancelledError(AbsToolError):
    """The run was cancelled before it finished."""


# Per-block sums: for each per-path quantity x, sum(w x) and sum((w x)^2) ...
_CLASS_STATS = ("loss_pv", "principal_loss", "defaulted", "wal_years", "yield_annual")


@dataclass
class _Sums:
    """Additive partial results of some blocks (all sums are weighted)."""

    n_classes: int
    horizon_years: float
    paths: int = 0
    weight: float = 0.0
    first: dict[str, Array] = field(default_factory=dict)
    second: dict[str, Array] = field(default_factory=dict)
    loss_and_default: Array | None = None  # sum of (w loss)(w defaulted), per class
    pool_default_hist: Array = field(default_factory=lambda: np.zeros(RATE_BINS))
    pool_default_hist_sq: Array = field(default_factory=lambda: np.zeros(RATE_BINS))  # w^2
    pool_loss_hist: Array = field(default_factory=lambda: np.zeros(RATE_BINS))
    pool_first: Array = field(default_factory=lambda: np.zeros(2))
    pool_second: Array = field(default_factory=lambda: np.zeros(2))
    wal_hist: Array | None = None
    yield_hist: Array | None = None
    # The same sums over the shifted paths alone (importance sampling): the two halves are
    # drawn in fixed numbers (strata), so a variance is the sum of the two halves' variances.
    shifted: _Sums | None = None

    def add(self, other: _Sums) -> None:
        self.paths += other.paths
        self.weight += other.weight
        for name, value in other.first.items():
            self.first[name] = self.first.get(name, 0.0) + value
            self.second[name] = self.second.get(name, 0.0) + other.second[name]
        for name in ("loss_and_default", "wal_hist", "yield_hist"):
            mine, theirs = getattr(self, name), getattr(other, name)
            if theirs is not None:  # a stratum's sums have no histograms
                setattr(self, name, theirs.copy() if mine is None else mine + theirs)
        self.pool_default_hist += other.pool_default_hist
        self.pool_default_hist_sq += other.pool_default_hist_sq
        self.pool_loss_hist += other.pool_loss_hist
        self.pool_first += other.pool_first
        self.pool_second += other.pool_second
        if other.shifted is not None:
            if self.shifted is None:
                self.shifted = _Sums(self.n_classes, self.horizon_years)
            self.shifted.add(other.shifted)

    def __reduce__(self) -> tuple[Callable[[dict[str, object]], _Sums], tuple[object, ...]]:
        """Pickled (a block's sums coming back from a cluster's worker) with the histograms
        as their non-zero bins: a block's 4,096 paths fill a few hundred of the pool
        rates' 20,000 bins, so its sums travel as a few kilobytes instead of half a
        megabyte, and unpickle to the same arrays, bit for bit."""
        state: dict[str, object] = dict(self.__dict__)
        for name in _HISTOGRAMS:
            value = state[name]
            if value is not None:
                state[name] = _SparseBins.of(np.asarray(value))
        return _sums_from_state, (state,)


_HISTOGRAMS = ("pool_default_hist", "pool_default_hist_sq", "pool_loss_hist", "wal_hist",
               "yield_hist")


@dataclass(frozen=True)
class _SparseBins:
    """A float64 histogram as the positions and values of its bins that are not +0.0
    (compared bit by bit, so that -0.0 or NaN would travel too)."""

    shape: tuple[int, ...]
    where: NDArray[np.int32]
    values: Array

    @classmethod
    def of(cls, dense: Array) -> _SparseBins:
        flat = np.ascontiguousarray(dense, dtype=np.float64).reshape(-1)
        where = np.flatnonzero(flat.view(np.uint64)).astype(np.int32)
        return cls(dense.shape, where, flat[where])

    def dense(self) -> Array:
        out = np.zeros(math.prod(self.shape))
        out[self.where] = self.values
        return out.reshape(self.shape)


def _sums_from_state(state: dict[str, object]) -> _Sums:
    """:class:`_Sums` from what :meth:`_Sums.__reduce__` pickled."""
    sums = _Sums.__new__(_Sums)
    for name in _HISTOGRAMS:
        value = state[name]
        if isinstance(value, _SparseBins):
            state[name] = value.dense()
    sums.__dict__.update(state)
    return sums


def importance_shift(prepared: PreparedDeal) -> float:
    """A mean shift of the systematic factor that makes senior-class losses common.

    The factor value at which the large-pool loss, ``LGD * Phi((Phi^-1(p) - sqrt(rho) z) /
    sqrt(1 - rho))``, reaches the credit enhancement of the most senior class (the share of
    the pool below it); p is the pool's balance-weighted default probability by the legal
    final date, and LGD the pool's (with loan-level rates, 1 - their balance-weighted mean
    at the cut-off). Any shift gives unbiased estimates; this one puts the senior tail in
    the middle of the sampled paths. Capped at +-:data:`MAX_SHIFT`.
    """
    assumptions = prepared.deal.assumptions
    rho = assumptions.correlation
    if rho == 0:
        return 0.0
    model = prepared.model
    weights = model.initial.balance / model.initial.balance.sum()
    pd_pool = float(weights @ cumulative_default_probability(model, assumptions.default)[:, -1])
    rates = loan_recovery(model, assumptions.recovery)
    recovery = assumptions.recovery.rate if rates is None else float(weights @ rates[0, :, 0])
    lgd = 1.0 - recovery
    balances = np.asarray(prepared.class_balances)
    enhancement = 1.0 - balances[0] / balances.sum()
    if lgd <= 0 or pd_pool <= 0:
        return 0.0
    target = min(max(enhancement / lgd, 1e-12), 1 - 1e-12)
    z = (ndtri(pd_pool) - math.sqrt(1 - rho) * ndtri(target)) / math.sqrt(rho)
    return float(np.clip(z, -MAX_SHIFT, MAX_SHIFT))


@dataclass(frozen=True)
class BlockDraws:
    """The asset side of one block of paths: what the copula drew, before any waterfall."""

    fractions: Array  # (paths, groups, periods) default fraction of the performing balance
    recovery: Array  # (paths,) recovery rate
    weight: Array  # (paths,) importance-sampling weight (1 without)
    plain: int  # the first this many paths are not shifted (all of them without sampling)
    # (paths, groups, periods) recovery rate of the defaults: exact mode with loan-level
    # rates only (grouped mode's are the pool model's, the same on every path)
    loan_recovery: Array | None = None
    # Exact mode: (paths, TOP_OBLIGORS) the largest obligors' defaulted balances and their
    # recovery rates (:class:`~abs_tool.credit.copula.ExactDraws`)
    top_default: Array | None = None
    top_recovery: Array | None = None

    @property
    def nbytes(self) -> int:
        kept = (self.fractions, self.recovery, self.weight, self.loan_recovery,
                self.top_default, self.top_recovery)
        return sum(a.nbytes for a in kept if a is not None)


def draw_block(
    prepared: PreparedDeal, seed: np.random.SeedSequence, n_paths: int, shift: float,
    exact: ExactDefaults | None = None,
) -> BlockDraws:
    """Draw one block of paths from its own seed: obligor by obligor with ``exact``
    (:func:`exact_inputs`), else per PD group."""
    assumptions = prepared.deal.assumptions
    model = prepared.model
    rng = np.random.default_rng(seed)
    draws = draw_factors(rng, n_paths, len(model.sector_names), assumptions, shift)
    if exact is None:
        fractions = default_fractions(rng, model,
                                      conditional_cumulative_pd(model, assumptions, draws))
        return BlockDraws(fractions, recovery_rates(assumptions, draws), draws.weight,
                          plain_paths(n_paths) if shift else n_paths)
    drawn = exact_default_fractions(rng, model, exact, assumptions, draws)
    return BlockDraws(drawn.fractions, recovery_rates(assumptions, draws), draws.weight,
                      plain_paths(n_paths) if shift else n_paths, drawn.rates,
                      drawn.top_default, drawn.top_recovery)


def resolve_default_method(prepared: PreparedDeal, method: str | None = None) -> str:
    """``"exact"`` or ``"grouped"``: ``method`` (None: the deal's ``run.default_method``),
    with ``"auto"`` exact when the pool has at most :data:`EXACT_MAX_OBLIGORS` obligors.

    Raises
    ------
    FieldError
        ``default_method`` not one of ``"auto"``, ``"exact"``, ``"grouped"``.
    """
    if method is None:
        method = prepared.deal.run.default_method
    elif not (isinstance(method, str) and method in set(DefaultMethod)):
        raise FieldError("default_method", f"must be one of {[m.value for m in DefaultMethod]}"
                         f" (got {method!r})")
    if method == DefaultMethod.AUTO:
        exact = obligor_codes(prepared.pool)[1] <= EXACT_MAX_OBLIGORS
        return DefaultMethod.EXACT.value if exact else DefaultMethod.GROUPED.value
    return DefaultMethod(method).value


def exact_inputs(prepared: PreparedDeal) -> ExactDefaults:
    """What exact mode needs of ``prepared``, once per run: the loans by obligor and their
    schedules, the obligors' default curves, the balance of receivables bought on the
    path without defaults (one path of the engine), and the :data:`TOP_OBLIGORS` largest
    obligors to follow one by one."""
    model = prepared.model
    periods = model.horizon_months
    purchased = np.zeros(periods)
    if model.purchase is not None:
        flows = run_paths(prepared, HazardDefaults(np.zeros((1, model.n_groups, periods))), 1)
        left = prepared.deal.assumptions.prepayment.survival(periods)
        initial = np.concatenate([[model.initial.balance.sum()],
                                  model.initial.balance_end.sum(axis=0)[:-1]])
        with np.errstate(divide="ignore", invalid="ignore"):  # nothing left: nothing bought
            bought = np.where(left > 0, flows.pool.balance_open[0] / left - initial, 0.0)
        purchased = np.maximum(bought, 0.0)
    assumptions = prepared.deal.assumptions
    return exact_defaults(model, build_obligors(prepared.pool, model), assumptions, purchased,
                          loan_recovery(model, assumptions.recovery) is not None,
                          top_obligors(prepared.pool, TOP_OBLIGORS).code)


@dataclass(frozen=True)
class AssetPaths:
    """The asset side of a whole run, drawn once and kept (:func:`simulate_assets`).

    Structures that differ only in their liabilities (class sizes and coupons) run on the
    same pool model, so they can be evaluated on these same paths (common random numbers):
    :func:`run_monte_carlo` with ``assets=`` reruns only the pool cash flows and the
    waterfall, and gives exactly what a fresh run with the same seed and shift would.
    The draws stay where the executor that drew them keeps them: in this process, or in a
    Dask cluster's workers (never sent back); runs on them must use that executor.
    """

    model: object  # the PoolModel the paths were drawn for
    seed: int
    shift: float
    kept: Kept[BlockDraws]  # one per block, in block order
    default_method: str  # "exact" or "grouped"
    sizes: tuple[int, ...]  # paths of each block
    loan_rates: bool  # the blocks carry recovery rates per path (exact mode, loan-level)

    @property
    def blocks(self) -> tuple[BlockDraws, ...]:
        """The draws of every block, when they are kept in this process.

        Raises
        ------
        ValueError
            The draws are kept in a cluster's workers.
        """
        if self.kept.local is None:
            raise ValueError("these asset paths are kept in a Dask cluster's workers")
        return self.kept.local

    @property
    def paths(self) -> int:
        return sum(self.sizes)

    @property
    def nbytes(self) -> int:
        """Bytes of the draws held in this process (0 when a cluster keeps them)."""
        return sum(b.nbytes for b in self.kept.local or ())

    def head(self, n_blocks: int) -> AssetPaths:
        """The first ``n_blocks`` blocks alone: a run of that many blocks' paths."""
        return replace(self, kept=self.kept.head(n_blocks), sizes=self.sizes[:n_blocks])


def _settings(prepared: PreparedDeal, paths: int | None,
              seed: int | None) -> tuple[int, int, str]:
    """``paths`` and ``seed``, the deal's where None, checked against the limits, and the
    name of where the number of paths came from (``paths`` or the deal's ``run.paths``)."""
    run = prepared.deal.run
    if seed is not None:
        check_integer("seed", seed, 0, MAX_SEED)
    if paths is None:
        return run.paths, run.seed if seed is None else seed, "run.paths"
    check_integer("paths", paths, 1, MAX_PATHS)
    return paths, run.seed if seed is None else seed, "paths"


def run_cost(prepared: PreparedDeal, paths: int, *, workers: int = 1, kept_paths: int = 0,
             paths_in_flight: int = BLOCKS_PER_UNIT * BLOCK_PATHS,
             method: str = DefaultMethod.GROUPED, kept_rates: bool | None = None) -> Cost:
    """Estimated peak memory and time of a Monte Carlo run of ``prepared``
    (:func:`abs_tool.limits.estimate`): ``paths`` in all, ``paths_in_flight`` at a time in
    each of ``workers`` threads, ``kept_paths`` asset paths kept throughout, defaults drawn
    by ``method`` (``"exact"`` or ``"grouped"``). Exact mode with loan-level recovery
    rates draws a rate per path, group and month too, and so do the kept paths when
    ``kept_rates`` (None: when ``method`` draws them)."""
    model, structure = prepared.model, prepared.deal.structure
    obligors = loan_months = 0
    by_path = False
    if method == DefaultMethod.EXACT:
        by_path = loan_recovery(model, prepared.deal.assumptions.recovery) is not None
        obligors = obligor_codes(prepared.pool)[1]
        loan_months = int(np.minimum(prepared.pool.loans["remaining_term"].to_numpy(),
                                     model.horizon_months).sum())
    if kept_rates is None:
        kept_rates = by_path
    return estimate(months=model.horizon_months, groups=model.n_groups,
                    classes=len(structure.classes), fees=len(structure.fees),
                    triggers=len(structure.triggers), paths=paths,
                    paths_in_flight=min(paths, paths_in_flight), workers=workers,
                    kept_paths=kept_paths, obligors=obligors, loan_months=loan_months,
                    recovery_by_path=by_path, kept_rates=kept_rates)


def _checked_workers(prepared: PreparedDeal, paths: int, workers: int | None,
                     blocks_per_unit: int, *, kept_paths: int, paths_field: str,
                     method: str, kept_rates: bool | None = None) -> int:
    """The threads of a run: ``workers``, or as many as the machine has cores and the
    memory budget allows; the run's memory and time checked against the budget first
    (``method`` and ``kept_rates`` as :func:`run_cost` takes them).

    Raises
    ------
    LimitError
        ``workers`` when the threads asked for need too much memory together and one
        would fit, else ``paths_field`` when the run needs too much memory or time.
    """
    if workers is not None:
        check_integer("workers", workers, 1, MAX_WORKERS)
    in_flight = blocks_per_unit * BLOCK_PATHS
    units = math.ceil(paths / in_flight)
    fixed = run_cost(prepared, 0, kept_paths=kept_paths, method=method,
                     kept_rates=kept_rates).bytes
    one = run_cost(prepared, paths, kept_paths=kept_paths, paths_in_flight=in_flight,
                   method=method, kept_rates=kept_rates)
    if workers is None:
        chosen = workers_within_budget(fixed, one.bytes - fixed,
                                       min(os.cpu_count() or 1, units))
    else:
        chosen = workers
    cost = run_cost(prepared, paths, workers=min(chosen, units), kept_paths=kept_paths,
                    paths_in_flight=in_flight, method=method, kept_rates=kept_rates)
    kept = ", kept for structuring," if kept_paths else ""
    what = (f"a run of {paths:,} paths{kept} of {prepared.model.n_groups:,} groups over "
            f"{prepared.model.horizon_months} months on {chosen} worker(s)")
    if workers is not None and workers > 1 and one.bytes <= memory_budget():
        # Memory only: more workers make a run shorter, never longer.
        check_cost(Cost(cost.bytes, 0.0), field="workers", value=workers, what=what)
    check_cost(cost, field=paths_field, value=paths, what=what)
    return chosen


def _block_plan(paths: int, seed: int) -> tuple[list[np.random.SeedSequence], list[int]]:
    """One seed child and one size per block: fixed by ``paths`` and ``seed`` alone."""
    n_blocks = math.ceil(paths / BLOCK_PATHS)
    children = np.random.SeedSequence(seed).spawn(n_blocks)
    return children, [min(BLOCK_PATHS, paths - b * BLOCK_PATHS) for b in range(n_blocks)]


def _shift(prepared: PreparedDeal, importance_sampling: bool | None,
           shift: float | None) -> float:
    """The mean shift a run uses: none without importance sampling, else the one given, the
    deal's, or :func:`importance_shift`."""
    run = prepared.deal.run
    use_is = run.importance_sampling if importance_sampling is None else importance_sampling
    if not use_is:
        return 0.0
    if shift is not None:
        if not (isinstance(shift, int | float) and math.isfinite(shift) and -8 <= shift <= 8):
            raise FieldError("shift", "must be a number in [-8, 8] (standard deviations of "
                             f"the factor) (got {shift!r})")
        return shift
    return run.importance_shift if run.importance_shift is not None else importance_shift(
        prepared)


@dataclass(frozen=True)
class _RunInputs:
    """What every work unit of a run reads besides the pool: the deal (the structures a
    sizing tries differ only here), its class balances, and how blocks are drawn. A few
    kilobytes (exact mode's obligor inputs more): sent to a cluster once per run."""

    deal: Deal
    class_balances: tuple[float, ...]
    shift: float
    exact: ExactDefaults | None

    def prepared(self, pool_side: tuple[Pool, PoolModel]) -> PreparedDeal:
        pool, model = pool_side
        return PreparedDeal(self.deal, pool, model, self.class_balances)


def _share_run(executor: Executor, prepared: PreparedDeal, shift: float,
               exact: ExactDefaults | None) -> tuple[Shared[_RunInputs],
                                                     Shared[tuple[Pool, PoolModel]]]:
    """The shared inputs of a run's work units: the deal once per run, the pool and its
    model once per pool model (a cluster keeps them for later runs on the same model, such
    as every structure a sizing tries)."""
    return (executor.share(_RunInputs(prepared.deal, prepared.class_balances, shift, exact)),
            executor.share((prepared.pool, prepared.model), key=prepared.model))


BlockPlan = tuple[np.random.SeedSequence, int]
"""A block to draw: its seed and its number of paths."""


def _draw_unit(block: BlockPlan, run: _RunInputs,
               pool_side: tuple[Pool, PoolModel]) -> BlockDraws:
    """Work unit: draw one block (to be kept, :func:`simulate_assets`)."""
    seed, n_paths = block
    return draw_block(run.prepared(pool_side), seed, n_paths, run.shift, run.exact)


def _fresh_unit(blocks: Sequence[BlockPlan], run: _RunInputs,
                pool_side: tuple[Pool, PoolModel]) -> list[_Sums]:
    """Work unit: draw blocks from their seeds, run them, and return each block's sums."""
    prepared = run.prepared(pool_side)
    return _simulate_unit(prepared, [draw_block(prepared, seed, n_paths, run.shift, run.exact)
                                     for seed, n_paths in blocks])


def _kept_unit(blocks: Sequence[BlockDraws], run: _RunInputs,
               pool_side: tuple[Pool, PoolModel]) -> list[_Sums]:
    """Work unit: run blocks drawn before (a cluster hands the unit the blocks its workers
    keep, :meth:`~abs_tool.engine.executor.Executor.keep`) and return each block's sums."""
    return _simulate_unit(run.prepared(pool_side), blocks)


def simulate_assets(
    prepared: PreparedDeal,
    *,
    paths: int | None = None,
    seed: int | None = None,
    importance_sampling: bool | None = None,
    shift: float | None = None,
    workers: int | None = None,
    default_method: str | None = None,
    executor: Executor | None = None,
) -> AssetPaths:
    """Draw every block of a run and keep the draws (memory: paths x groups x periods x 8
    bytes, e.g. 144 MB for 100,000 paths of 5 groups over 36 months); ``default_method``
    overrides the deal's ``run.default_method`` (:func:`resolve_default_method`).
    ``executor`` (default: ``workers`` threads here) draws them and keeps them: on a Dask
    cluster, in its workers' memory.

    Raises
    ------
    FieldError
        ``paths``, ``seed`` or ``workers`` outside their limits (:mod:`abs_tool.limits`),
        or an unknown ``default_method``.
    LimitError
        The kept paths and the blocks in flight need more memory than the budget, or the
        run more time.
    """
    paths, seed, field = _settings(prepared, paths, seed)
    mu = _shift(prepared, importance_sampling, shift)
    # The paths are drawn to be run through the waterfall: budget for both.
    method = resolve_default_method(prepared, default_method)
    chosen = _checked_workers(prepared, paths, workers, BLOCKS_PER_UNIT, kept_paths=paths,
                              paths_field=field, method=method)
    exact = exact_inputs(prepared) if method == DefaultMethod.EXACT else None
    children, sizes = _block_plan(paths, seed)
    executor = executor or LocalThreads()
    kept = executor.keep(_draw_unit, list(zip(children, sizes, strict=True)),
                         *_share_run(executor, prepared, mu, exact), threads=chosen)
    return AssetPaths(prepared.model, seed, mu, kept, method, tuple(sizes),
                      loan_rates=exact is not None and exact.loan_level)


def pool_rates(pool: PoolFlows) -> tuple[ByPaths, ByPaths]:
    """Each path's lifetime pool default rate (defaults over the initial pool plus the
    receivables bought) and loss rate (net losses over the same base): the figures of
    :attr:`MonteCarloResult.pool_default_rate` and :attr:`MonteCarloResult.pool_loss_rate`."""
    default_rate = pool.cumulative_default_rate[:, -1]
    defaults = pool.default.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):  # same denominator as the rate
        loss_rate = np.where(defaults > 0, default_rate * pool.loss.sum(axis=1)
                             / defaults, 0.0)
    return default_rate, loss_rate


def engine_inputs(prepared: PreparedDeal, blocks: Sequence[BlockDraws]
                  ) -> tuple[HazardDefaults, Array, Array | None]:
    """What the engine takes for drawn blocks, their paths in order: the default fractions,
    each path's recovery rate (with loan-level rates, the scale R / m of them), and the
    loan-level rates (None without)."""
    recovery = prepared.deal.assumptions.recovery
    rates = np.concatenate([b.recovery for b in blocks])
    loan_rates = loan_recovery(prepared.model, recovery)
    if loan_rates is not None:
        # Each path's draw scales the loans' rates by R / m; without volatility R = m.
        rates = rates / recovery.rate if recovery.rate > 0 else np.ones_like(rates)
        drawn = [b.loan_recovery for b in blocks if b.loan_recovery is not None]
        if len(drawn) == len(blocks):
            loan_rates = np.concatenate(drawn)
    return HazardDefaults(np.concatenate([b.fractions for b in blocks])), rates, loan_rates


def _simulate_unit(prepared: PreparedDeal, blocks: Sequence[BlockDraws]) -> list[_Sums]:
    """Run blocks of drawn paths through one engine call, and reduce each block to its
    own sums.

    The engine treats every path on its own, so a path's numbers do not depend on which
    blocks share the call; one call for several blocks only saves interpreter overhead.
    """
    # Only the pool's lines and the class metrics are kept: not writing every class line of
    # every path saves a third of the engine's time.
    defaults, rates, loan_rates = engine_inputs(prepared, blocks)
    summary = summarise_paths(prepared, defaults, sum(len(b.weight) for b in blocks),
                              recovery_rate=rates, loan_rates=loan_rates)
    metrics = summary.metrics
    default_rate, loss_rate = pool_rates(summary.pool)
    pool_loss = summary.pool.loss.sum(axis=1)
    out = []
    start = 0
    for b in blocks:
        block = slice(start, start + len(b.weight))
        start += len(b.weight)
        top = None
        if b.top_default is not None:
            top = _TopPaths(b.top_default, _obligor_loss(
                b, prepared.deal.assumptions.recovery, loan_rates is not None),
                pool_loss[block])
        out.append(_block_sums(prepared, b.weight, metrics, block, default_rate[block],
                               loss_rate[block], b.plain, top=top))
    return out


@dataclass(frozen=True)
class _TopPaths:
    """Per path of a block: the followed obligors' defaulted balances and losses (paths,
    top), and the pool's loss (paths,)."""

    default: Array
    loss: Array
    pool_loss: Array

    def __getitem__(self, rows: slice) -> _TopPaths:
        return _TopPaths(self.default[rows], self.loss[rows], self.pool_loss[rows])


def _obligor_loss(block: BlockDraws, recovery: Recovery, loan_level: bool) -> Array:
    """Each followed obligor's loss on each path of ``block``: its defaulted balance less
    what it recovers. As the engine recovers a group's defaults
    (:mod:`abs_tool.engine.projection`), but at the obligor's own rate: with loan-level
    rates, its receivables' rate scaled by the path's draw R / m and capped at 1; else the
    path's rate."""
    assert block.top_default is not None
    assert block.top_recovery is not None
    if loan_level:
        scale = (block.recovery / recovery.rate if recovery.rate > 0
                 else np.ones_like(block.recovery))
        rate = np.minimum(block.top_recovery * scale[:, None], 1.0)
    else:
        rate = block.recovery[:, None]
    return np.asarray(block.top_default * (1.0 - rate))


def _block_sums(
    prepared: PreparedDeal,
    w: Array,
    all_metrics: ClassMetrics,
    block: slice,
    default_rate: Array,
    loss_rate: Array,
    plain: int,
    histograms: bool = True,
    top: _TopPaths | None = None,
) -> _Sums:
    """The additive sums of one block's paths, of which the first ``plain`` are not
    shifted (and the sums of the shifted ones on their own, without histograms but the
    default rate's); with ``top`` (exact mode), those of the largest obligors' losses."""
    sums = _Sums(n_classes=len(prepared.class_balances),
                 horizon_years=prepared.model.horizon_months / 12.0, paths=len(w),
                 weight=float(w.sum()))
    metrics = {name: getattr(all_metrics, name)[block] for name in
               (*_CLASS_STATS, "wal_years", "yield_annual")}
    for name in _CLASS_STATS:
        weighted = w[:, None] * np.nan_to_num(metrics[name].astype(np.float64))
        sums.first[name] = weighted.sum(axis=0)
        sums.second[name] = (weighted**2).sum(axis=0)
    # Yields are self-normalised (divided by the sum of weights, not the path count): they
    # are far from zero on most paths, where weights that do not average exactly 1 in a
    # finite sample would otherwise bias them.
    # As that ratio, sum(w y) / sum(w), their error needs the sums of w, w^2 and w^2 y.
    y = metrics["yield_annual"]
    sums.first["weight"] = np.full(sums.n_classes, float(w.sum()))
    sums.second["weight"] = np.full(sums.n_classes, float((w**2).sum()))
    sums.first["yield_cross"] = ((w**2)[:, None] * y).sum(axis=0)
    sums.second["yield_cross"] = np.zeros(sums.n_classes)
    wal_paid = ~np.isnan(metrics["wal_years"])
    sums.first["wal_count"] = (w[:, None] * wal_paid).sum(axis=0)
    sums.second["wal_count"] = ((w[:, None] * wal_paid) ** 2).sum(axis=0)
    # The WAL's error (a ratio over the paths repaid) needs the sum of (w wal)(w paid); the
    # LGD's, how many paths lose.
    sums.first["wal_cross"] = (w[:, None] ** 2 * np.nan_to_num(metrics["wal_years"])).sum(axis=0)
    sums.second["wal_cross"] = np.zeros(sums.n_classes)
    sums.first["loss_paths"] = (metrics["defaulted"] > 0).sum(axis=0).astype(np.float64)
    sums.second["loss_paths"] = np.zeros(sums.n_classes)
    sums.loss_and_default = ((w[:, None] * metrics["loss_pv"])
                             * (w[:, None] * metrics["defaulted"])).sum(axis=0)
    pool_values = np.stack([default_rate, loss_rate], axis=1) * w[:, None]
    sums.pool_first = pool_values.sum(axis=0)
    sums.pool_second = (pool_values**2).sum(axis=0)
    # The probability that the default rate exceeds a level (a class's break-even rate)
    # and its standard error need the sums of w and w^2 above it, per stratum too.
    default_bins = _bin(default_rate, RATE_BINS, 0.0, 1.0)
    sums.pool_default_hist += np.bincount(default_bins, weights=w, minlength=RATE_BINS)
    sums.pool_default_hist_sq += np.bincount(default_bins, weights=w**2, minlength=RATE_BINS)
    if top is not None:
        # Each obligor's loss, and in the last column the followed obligors' together, as
        # ratios sum(w L) / sum(w L_pool): their errors need the cross sums with the pool's.
        followed = w[:, None] * np.column_stack([top.loss, top.loss.sum(axis=1)])
        pooled = np.full(followed.shape[1], float(w @ top.pool_loss))
        sums.first["top_loss"] = followed.sum(axis=0)
        sums.second["top_loss"] = (followed**2).sum(axis=0)
        sums.first["top_pool_loss"] = pooled
        sums.second["top_pool_loss"] = np.full_like(pooled, float((w * top.pool_loss)
                                                                  @ (w * top.pool_loss)))
        sums.first["top_cross"] = ((w * top.pool_loss) @ followed)
        sums.second["top_cross"] = np.zeros_like(pooled)
        hit = w[:, None] * np.column_stack([top.default > 0, (top.default > 0).any(axis=1)])
        sums.first["top_defaulted"] = hit.sum(axis=0)
        sums.second["top_defaulted"] = (hit**2).sum(axis=0)
    if plain < len(w):
        rest = slice(plain, None)
        sums.shifted = _block_sums(prepared, w[rest], all_metrics,
                                   slice(block.start + plain, block.stop),
                                   default_rate[rest], loss_rate[rest], len(w) - plain,
                                   histograms=False, top=None if top is None else top[rest])
    if not histograms:  # a stratum's sums serve only its standard errors
        return sums
    sums.pool_loss_hist += np.bincount(_bin(loss_rate, RATE_BINS, 0.0, 1.0), weights=w,
                                       minlength=RATE_BINS)
    sums.wal_hist = np.zeros((sums.n_classes, WAL_BINS))
    sums.yield_hist = np.zeros((sums.n_classes, YIELD_BINS))
    for j in range(sums.n_classes):
        paid = wal_paid[:, j]
        sums.wal_hist[j] = np.bincount(
            _bin(metrics["wal_years"][paid, j], WAL_BINS, 0.0, sums.horizon_years),
            weights=w[paid], minlength=WAL_BINS)
        sums.yield_hist[j] = np.bincount(
            _bin(metrics["yield_annual"][:, j], YIELD_BINS, *YIELD_RANGE), weights=w,
            minlength=YIELD_BINS)
    return sums


def _bin(values: Array, bins: int, low: float, high: float) -> NDArray[np.int64]:
    scaled = (np.asarray(values, dtype=np.float64) - low) / (high - low) * bins
    return np.clip(np.nan_to_num(scaled, nan=0.0), 0, bins - 1).astype(np.int64)


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate and its standard error."""

    value: float
    se: float


@dataclass(frozen=True)
class TailSums:
    """Per-bin sums of the weights w and of w^2 of a histogram's paths, over all of them and
    over the shifted ones (importance sampling): what :meth:`Distribution.exceedance` needs."""

    weight: Array
    weight_squared: Array
    paths: int
    shifted: tuple[Array, Array, int] | None


@dataclass(frozen=True)
class Distribution:
    """A distribution on [low, high] as a weighted histogram, with summary statistics."""

    mean: Estimate
    sd: float
    quantiles: dict[float, float]
    edges: Array
    density: Array  # probability of each bin
    tail: TailSums | None = None  # the pool default rate's only

    def exceedance(self, x: float) -> Estimate:
        """P(value > x) as a weighted mean over the paths (unbiased under importance
        sampling, unlike the self-normalised quantiles), with its standard error
        (stratified). The whole bin holding ``x`` counts as above it: a bin's width (0.005%
        for the pool rates) too much at most, never too little.

        Raises
        ------
        ValueError
            The distribution keeps no tail sums.
        """
        if self.tail is None:
            raise ValueError("this distribution keeps no tail sums")
        t = self.tail
        start = int(np.clip(np.searchsorted(self.edges, x, side="right") - 1, 0,
                            len(t.weight)))
        shifted = None if t.shifted is None else (
            t.shifted[0][start:].sum(), t.shifted[1][start:].sum(), t.shifted[2])
        mean, se = _estimate(t.weight[start:].sum(), t.weight_squared[start:].sum(), t.paths,
                             shifted)
        return Estimate(min(float(mean), 1.0), float(se))

    def quantile(self, q: float) -> float:
        """Inverse of the histogram's CDF, linear within a bin."""
        return float(self.quantile_array(np.asarray(q))[()])

    def quantile_array(self, q: NDArray[np.float64]) -> NDArray[np.float64]:
        """:meth:`quantile` for an array of probabilities."""
        cdf = np.concatenate([[0.0], np.cumsum(self.density)])
        cdf /= cdf[-1] if cdf[-1] > 0 else 1.0
        return np.interp(q, cdf, self.edges)


@dataclass(frozen=True)
class ClassResult:
    """Monte Carlo figures of one class (losses as shares of its original balance)."""

    name: str
    tier: str
    balance: float
    coupon: float
    expected_loss: Estimate  # PV at the coupon (DOMAIN.md EL)
    principal_loss: Estimate
    pd: Estimate
    lgd: Estimate  # given loss
    wal_years: Estimate
    yield_annual: Estimate
    dirr_bp: Estimate  # coupon minus mean yield; NaN without a coupon
    wal_distribution: Distribution
    yield_distribution: Distribution


@dataclass(frozen=True)
class Convergence:
    """Each class's running expected loss at the end of every block, in block order.

    Point ``b`` is the estimate from blocks 0..b alone, by the estimator of the final figure
    (stratified errors under importance sampling), so the last point is each class's
    :attr:`ClassResult.expected_loss`, and point ``b`` is what a run of ``paths[b]`` paths
    with the same seed and shift reports: block b's seed does not depend on the number of
    blocks.
    """

    paths: NDArray[np.int64]  # (blocks,) paths simulated by the end of each block
    el: Array  # (blocks, classes) running EL, share of the class's original balance
    el_se: Array  # (blocks, classes) its standard error


@dataclass(frozen=True)
class ObligorContribution:
    """One of the largest obligors, in a run of exact mode."""

    rank: int  # 1 for the largest by cut-off balance
    obligor_id: str
    balance_share: float  # of the pool at the cut-off
    pd: Estimate  # probability that it defaults within the horizon
    expected_loss: Estimate  # its expected loss, share of its cut-off balance
    el_share: Estimate  # its expected loss, share of the pool's expected loss


@dataclass(frozen=True)
class Concentration:
    """How much of the pool's expected loss its :data:`TOP_OBLIGORS` largest obligors carry
    (exact mode): each of them, and all of them together (``pd``: that any defaults)."""

    obligors: tuple[ObligorContribution, ...]
    balance_share: float
    pd: Estimate
    expected_loss: Estimate
    el_share: Estimate


@dataclass(frozen=True)
class MonteCarloResult:
    """Everything a run produces; see docs/results.md for the JSON schema."""

    paths: int
    seed: int
    block_paths: int
    importance_shift: float
    runtime_seconds: float
    pool_default_rate: Distribution
    pool_loss_rate: Distribution
    classes: tuple[ClassResult, ...]
    convergence: Convergence
    default_method: str  # which ran: "exact" (obligor by obligor) or "grouped"
    concentration: Concentration | None = None  # exact mode only

    @property
    def sampling(self) -> str:
        """``"plain"``, or ``"defensive_mixture"`` (importance sampling: half of each block's
        paths shifted by :attr:`importance_shift`, :func:`~abs_tool.credit.copula.draw_factors`);
        :data:`ESTIMATORS` says how each figure is estimated from the weighted paths."""
        return "defensive_mixture" if self.importance_shift else "plain"


ESTIMATORS: dict[str, str] = {
    "expected_loss": "weighted mean",
    "principal_loss": "weighted mean",
    "pd": "weighted mean",
    "pool_default_rate.mean": "weighted mean",
    "pool_loss_rate.mean": "weighted mean",
    "lgd": "ratio of weighted means (expected_loss / pd), delta-method s.e. (stratified; "
           "none from fewer than MIN_RATIO_PATHS losing paths)",
    "wal_years": "ratio of weighted means (over paths that receive principal), delta-method "
                 "s.e. (stratified)",
    "irr_mean": "self-normalised weighted mean, delta-method s.e. (stratified)",
    "concentration.el_share": "ratio of weighted means (an obligor's loss / the pool's), "
                              "delta-method s.e. (stratified)",
    "quantiles and histograms": "self-normalised weighted histogram",
}
"""How each reported figure is estimated from the paths and their weights w (all 1 in a plain
run). A weighted mean is sum(w x) / paths: unbiased under importance sampling, and a
probability or a loss share is capped at 1 (bounded weights can carry a sure event slightly
past it). Ratio and self-normalised estimators divide by the weights' sum instead; with the
defensive mixture's weights (at most 2) their bias is of order 1 / paths, far below their
standard errors."""


def _estimate(first: Array, second: Array, n: int,
              shifted: tuple[Array, Array, int] | None = None) -> tuple[Array, Array]:
    """Mean and standard error of a weighted mean from the sums of x and x^2 over n paths;
    with ``shifted`` (the sums and count of the shifted paths), the error of a stratified
    sample: each half's variance counted on its own."""
    mean = first / n
    if shifted is None:
        variance = np.maximum(second / n - mean**2, 0.0)
        return mean, np.sqrt(variance / max(n - 1, 1))
    error = np.zeros_like(mean)
    first_s, second_s, n_s = shifted
    for s1, s2, k in ((first - first_s, second - second_s, n - n_s), (first_s, second_s, n_s)):
        stratum_mean = s1 / k
        error += np.maximum(s2 - k * stratum_mean**2, 0.0) * k / max(k - 1, 1)
    return mean, np.sqrt(error) / n


@dataclass(frozen=True)
class _RunningSums:
    """The sums behind the class EL after some blocks: a few scalars a class, kept for every
    block (:class:`Convergence`)."""

    paths: int
    first: Array
    second: Array
    shifted: tuple[Array, Array, int] | None

    @classmethod
    def of(cls, sums: _Sums) -> _RunningSums:
        s = sums.shifted
        return cls(sums.paths, sums.first["loss_pv"].copy(), sums.second["loss_pv"].copy(),
                   None if s is None else (s.first["loss_pv"].copy(),
                                           s.second["loss_pv"].copy(), s.paths))


def _convergence(running: Sequence[_RunningSums]) -> Convergence:
    """The running EL of every block, by the same steps as :func:`_finish` (so the last
    point is the final figure to the bit)."""
    el, se = zip(*(_estimate(r.first, r.second, r.paths, r.shifted) for r in running),
                 strict=True)
    return Convergence(np.array([r.paths for r in running], dtype=np.int64),
                       np.minimum(np.array(el), 1.0), np.array(se))


def _distribution(hist: Array, low: float, high: float, mean: Estimate, sd: float,
                  tail: TailSums | None = None) -> Distribution:
    edges = np.linspace(low, high, len(hist) + 1)
    total = hist.sum()
    density = hist / total if total > 0 else hist
    dist = Distribution(mean, sd, {}, edges, density)
    return Distribution(mean, sd, {q: dist.quantile(q) for q in QUANTILES}, edges, density,
                        tail)


def _finish(prepared: PreparedDeal, sums: _Sums, seed: int, shift: float,
            runtime: float, running: Sequence[_RunningSums], method: str,
            top: TopObligors | None = None) -> MonteCarloResult:
    n = sums.paths
    # Every run has at least one block, which sets the per-class sums.
    assert sums.loss_and_default is not None
    assert sums.wal_hist is not None
    assert sums.yield_hist is not None
    shifted = sums.shifted
    pool_mean, pool_se = _estimate(sums.pool_first, sums.pool_second, n, None if shifted is None
                                   else (shifted.pool_first, shifted.pool_second, shifted.paths))
    pool_mean = np.minimum(pool_mean, 1.0)
    pool_sd = np.sqrt(np.maximum(sums.pool_second / n - pool_mean**2, 0.0))
    default_dist = _distribution(
        sums.pool_default_hist, 0.0, 1.0, Estimate(float(pool_mean[0]), float(pool_se[0])),
        float(pool_sd[0]), TailSums(sums.pool_default_hist, sums.pool_default_hist_sq, n,
                                    None if shifted is None else (
                                        shifted.pool_default_hist,
                                        shifted.pool_default_hist_sq, shifted.paths)))
    loss_dist = _distribution(sums.pool_loss_hist, 0.0, 1.0,
                              Estimate(float(pool_mean[1]), float(pool_se[1])),
                              float(pool_sd[1]))
    stats = {name: _estimate(sums.first[name], sums.second[name], n, None if shifted is None
                             else (shifted.first[name], shifted.second[name], shifted.paths))
             for name in sums.first}
    for name in ("loss_pv", "principal_loss", "defaulted"):  # shares and probabilities
        stats[name] = (np.minimum(stats[name][0], 1.0), stats[name][1])
    el, el_se = stats["loss_pv"]
    pd, pd_se = stats["defaulted"]
    def ratio_se(numerator: str, denominator: str,
                 cross: Callable[[_Sums], Array]) -> Array:
        """The error of sum(w x) / sum(w d) by the delta method: of the mean residual
        w (x - R d) over the mean of w d, stratum by stratum like every other error (a
        covariance over all the paths beside stratified variances understated the LGD's by
        up to 1.7 times under importance sampling, and the weights' own spread overstated the
        WAL's up to 50 times, and an unstratified residual the IRR's up to 25 times)."""
        ratio = sums.first[numerator] / sums.first[denominator]

        def residual(s: _Sums) -> tuple[Array, Array]:
            return (s.first[numerator] - ratio * s.first[denominator],
                    s.second[numerator] - 2 * ratio * cross(s)
                    + ratio**2 * s.second[denominator])

        error = _estimate(*residual(sums), n, None if shifted is None
                          else (*residual(shifted), shifted.paths))[1]
        return np.asarray(error / (sums.first[denominator] / n))

    def loss_and_default(s: _Sums) -> Array:
        assert s.loss_and_default is not None
        return s.loss_and_default

    with np.errstate(divide="ignore", invalid="ignore"):
        # LGD given loss = E[L] / P[loss]; its error only from enough losing paths.
        lgd = el / pd
        lgd_se = np.where(sums.first["loss_paths"] >= MIN_RATIO_PATHS,
                          ratio_se("loss_pv", "defaulted", loss_and_default), np.nan)
        wal = stats["wal_years"][0] / stats["wal_count"][0]
        wal_se = ratio_se("wal_years", "wal_count", lambda s: s.first["wal_cross"])
        yields = sums.first["yield_annual"] / sums.weight
        yields_se = ratio_se("yield_annual", "weight", lambda s: s.first["yield_cross"])
        concentration = None
        if top is not None:
            share = sums.first["top_loss"] / sums.first["top_pool_loss"]
            share_se = ratio_se("top_loss", "top_pool_loss", lambda s: s.first["top_cross"])
            balance = np.append(top.balance, top.balance.sum())
            loss, loss_se = stats["top_loss"][0] / balance, stats["top_loss"][1] / balance
            top_pd, top_pd_se = stats["top_defaulted"]
            figures = [(Estimate(float(top_pd[i]), float(top_pd_se[i])),
                        Estimate(float(loss[i]), float(loss_se[i])),
                        Estimate(float(share[i]), float(share_se[i])))
                       for i in range(len(balance))]
            concentration = Concentration(
                tuple(ObligorContribution(i + 1, top.obligor_id[i],
                                          float(top.balance_share[i]), *figures[i])
                      for i in range(len(top.balance))),
                float(top.balance_share.sum()), *figures[-1])
    classes = []
    for j, note in enumerate(prepared.deal.structure.classes):
        coupon = note.coupon_annual
        has_coupon = note.tier != Tier.SUBORDINATED and coupon > 0
        classes.append(ClassResult(
            name=note.name, tier=note.tier.value, balance=prepared.class_balances[j],
            coupon=coupon,
            expected_loss=Estimate(float(el[j]), float(el_se[j])),
            principal_loss=Estimate(float(stats["principal_loss"][0][j]),
                                    float(stats["principal_loss"][1][j])),
            pd=Estimate(float(pd[j]), float(pd_se[j])),
            lgd=Estimate(float(lgd[j]), float(lgd_se[j])),
            wal_years=Estimate(float(wal[j]), float(wal_se[j])),
            yield_annual=Estimate(float(yields[j]), float(yields_se[j])),
            dirr_bp=(Estimate((coupon - float(yields[j])) * 1e4, float(yields_se[j]) * 1e4)
                     if has_coupon else Estimate(math.nan, math.nan)),
            wal_distribution=_distribution(sums.wal_hist[j], 0.0, sums.horizon_years,
                                           Estimate(float(wal[j]), float(wal_se[j])),
                                           math.nan),
            yield_distribution=_distribution(sums.yield_hist[j], *YIELD_RANGE,
                                             Estimate(float(yields[j]),
                                                      float(yields_se[j])), math.nan),
        ))
    return MonteCarloResult(
        paths=n, seed=seed, block_paths=BLOCK_PATHS, importance_shift=shift,
        runtime_seconds=runtime, pool_default_rate=default_dist, pool_loss_rate=loss_dist,
        classes=tuple(classes), convergence=_convergence(running), default_method=method,
        concentration=concentration,
    )


ProgressCallback = Callable[[int, int], None]


def run_monte_carlo(
    prepared: PreparedDeal,
    *,
    paths: int | None = None,
    seed: int | None = None,
    importance_sampling: bool | None = None,
    shift: float | None = None,
    workers: int | None = None,
    blocks_per_unit: int = BLOCKS_PER_UNIT,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    assets: AssetPaths | None = None,
    default_method: str | None = None,
    executor: Executor | None = None,
) -> MonteCarloResult:
    """Simulate the deal; settings default to the deal's ``run`` section.

    Parameters
    ----------
    paths, seed, importance_sampling, shift
        Override the deal's run settings; ``shift`` is the importance-sampling mean shift
        (None: :func:`importance_shift` when importance sampling is on).
    workers
        Threads of the local executor (numpy releases the GIL in its array work); default:
        all cores.
    blocks_per_unit
        Blocks per work unit. The result does not depend on it (nor on ``workers`` or
        ``executor``).
    progress
        Called as ``progress(blocks_done, blocks_total)`` after each work unit.
    cancel
        When set, no further work unit starts and :class:`CancelledError` is raised.
    assets
        Paths already drawn (:func:`simulate_assets`) for this deal's pool model; they
        replace ``paths``, ``seed``, the shift and the default method, and only the
        waterfall runs.
    default_method
        ``"auto"``, ``"exact"`` or ``"grouped"`` (:func:`resolve_default_method`); None: the
        deal's ``run.default_method``. :attr:`MonteCarloResult.default_method` says which
        ran.
    executor
        Where the work units run (:mod:`abs_tool.engine.executor`); None: ``workers``
        threads of this process. The one that drew ``assets``, when given.

    Raises
    ------
    FieldError
        ``paths``, ``seed``, ``workers`` or ``blocks_per_unit`` outside their limits
        (:mod:`abs_tool.limits`), a ``shift`` outside [-8, 8], or an unknown
        ``default_method``.
    LimitError
        The run needs more memory or time than the budget (``ABS_TOOL_MAX_MEMORY_MB``,
        ``ABS_TOOL_MAX_SECONDS``); nothing is simulated.
    CancelledError
        ``cancel`` was set.
    """
    started = time.perf_counter()
    check_integer("blocks_per_unit", blocks_per_unit, 1, 1024)
    if assets is not None:
        if assets.model is not prepared.model:
            raise ValueError("the asset paths were drawn for another pool model")
        seed, mu = assets.seed, assets.shift
        n_blocks = len(assets.sizes)
        paths, kept, field = assets.paths, assets.paths, "assets"
        method = assets.default_method
    else:
        paths, seed, field = _settings(prepared, paths, seed)
        mu = _shift(prepared, importance_sampling, shift)
        kept = 0
        n_blocks = math.ceil(paths / BLOCK_PATHS)
        method = resolve_default_method(prepared, default_method)
    # Kept paths were drawn already: only their waterfall is to run.
    chosen = _checked_workers(prepared, paths, workers, blocks_per_unit, kept_paths=kept,
                              paths_field=field,
                              method=DefaultMethod.GROUPED if assets else method,
                              kept_rates=None if assets is None else assets.loan_rates)
    executor = executor or LocalThreads()
    exact = None
    fn: Callable[..., list[_Sums]]
    if assets is None:
        exact = exact_inputs(prepared) if method == DefaultMethod.EXACT else None
        fn, blocks = _fresh_unit, list(zip(*_block_plan(paths, seed), strict=True))
    else:
        fn, blocks = _kept_unit, list(assets.kept.handles)
    units = [blocks[i:i + blocks_per_unit] for i in range(0, n_blocks, blocks_per_unit)]
    total = _Sums(n_classes=len(prepared.class_balances),
                  horizon_years=prepared.model.horizon_months / 12.0)
    running: list[_RunningSums] = []
    done = 0
    # Units come back in block order, whenever they finish, and are added in that order, so
    # the sum is the same however blocks were grouped and wherever they ran. On cancel, an
    # error or Ctrl-C the units not started yet are dropped (closing the iterator).
    with contextlib.closing(executor.map_ordered(
            fn, units, *_share_run(executor, prepared, mu, exact), threads=chosen,
            cancel=cancel)) as results:
        for i, unit_sums in enumerate(results):
            for sums in unit_sums:
                total.add(sums)
                running.append(_RunningSums.of(total))
            done += len(units[i])
            if progress is not None:
                progress(done, n_blocks)
            if cancel is not None and cancel.is_set():
                raise CancelledError(
                    f"Monte Carlo cancelled after {done} of {n_blocks} blocks")
    if done < n_blocks:  # the executor stopped early: the cancel came while a unit ran
        raise CancelledError(f"Monte Carlo cancelled after {done} of {n_blocks} blocks")
    assert total.paths == paths
    top = (top_obligors(prepared.pool, TOP_OBLIGORS) if method == DefaultMethod.EXACT
           else None)
    return _finish(prepared, total, seed, mu, time.perf_counter() - started, running, method,
                   top)


__all__ = ["BLOCK_PATHS", "TOP_OBLIGORS", "AssetPaths", "BlockDraws", "CancelledError",
           "ClassResult", "Concentration", "Convergence", "Distribution", "Estimate",
           "MonteCarloResult", "ObligorContribution", "TailSums",
           "draw_block", "engine_inputs", "exact_inputs", "importance_shift", "pool_rates",
           "resolve_default_method", "run_cost", "run_monte_carlo", "simulate_assets"]
