"""Structuring: size the note classes to target ratings, price them, and the deal's economics.

Sizing (:func:`structure_deal`): the asset side is drawn once (:func:`simulate_assets`) and
every candidate structure runs on those same paths (common random numbers), so the search
reruns only the pool cash flows and the waterfall, and a class's figures move smoothly with
its size instead of jumping with Monte Carlo noise. Sizes live on a grid of
``size_step_share`` of the pool balance. Classes are sized senior first: the largest size of
class j that meets its target, with the classes above it at their sizes, the classes below
it at their current sizes (none yet on the first round; they give way when room runs out,
but each keeps room for its minimum size unless it cannot meet its target there) and the
subordinated class taking the rest, never less than the retention floor. A rated class is
either left out or at least the minimum class size; a class may be held at a fixed size.
A class's figures depend on the classes below it too (their interest ranks ahead of its
principal), and with a pricing grid its coupon depends on its WAL, so rounds repeat until
neither sizes nor coupons change: a fixed point, reported as converged or not. On a large
run the fixed point is first found on the first :data:`COARSE_BLOCKS` blocks of paths, and
then settled on all of them, which decide every pass. The deal as given runs on the same
paths too, so the result compares the two without noise.

On a Dask cluster (``executor``, :mod:`abs_tool.engine.executor`) the asset paths are drawn
and kept in the workers' memory, and every structure's blocks run there: only the deal's
liabilities travel per structure, and each block's sums come back. A sensitivity grid
sends its cells to the cluster as tasks, each running (and, with ``resize``, sizing) on one
worker thread. The numbers are those of a local run with the same seed, to the bit.

Criteria (DOMAIN.md "Metrics"): ``el`` class EL at most the idealized EL of the target at
the class WAL; ``pd`` class PD at most the idealized PD at the WAL; ``dirr`` class DIRR at
most the target's bound; ``tdr`` the class's break-even default rate at least the target
default rate (quantile of the simulated pool default rate) of the target at the class WAL,
tested in its equivalent form: the probability that the pool default rate exceeds the BDR at
most the target's idealized PD at the WAL, which has a standard error like the others.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np
import pandas as pd

from abs_tool.analysis.break_even import BreakEven, break_even
from abs_tool.analysis.economics import CostOfFunds, IssuerFlows, cost_of_funds, issuer_flows
from abs_tool.analysis.rating import el_rating, rating_threshold
from abs_tool.engine.deterministic import PreparedDeal, prepare_deal, run_scenario
from abs_tool.engine.executor import Executor, LocalThreads
from abs_tool.engine.montecarlo import (
    AssetPaths,
    Estimate,
    MonteCarloResult,
    run_cost,
    run_monte_carlo,
    simulate_assets,
)
from abs_tool.errors import FieldError
from abs_tool.io.rating_tables import RatingTable, RatingTables
from abs_tool.limits import (
    MAX_CONFIDENCE_SE,
    MAX_HORIZON_MONTHS,
    MAX_PATHS,
    MAX_SEED,
    MIN_SIZE_STEP,
    Cost,
    check_cost,
    check_integer,
)
from abs_tool.model.assumptions import AnnualPd, CdrVector, Cpr, LifetimeDefault
from abs_tool.model.deal import Deal, Pricing, SizeUnit, Tier
from abs_tool.model.pool import Pool
from abs_tool.model.scales import from_local_scale, to_local_scale


class Criterion(StrEnum):
    EL = "el"
    PD = "pd"
    DIRR = "dirr"
    TDR = "tdr"


SIZE_STEP_SHARE = 0.001
"""Default grid of class sizes: 0.1% of the pool balance."""

RETAINED_SHARE = 0.05
"""Default smallest subordinated class, as a share of the pool: the originator retains at
least 5% of the deal in the most junior class (China's risk-retention rule, horizontal)."""

CONFIDENCE_SE = 2.77
"""Default confidence of a pass: a class meets its target only when its metric is inside
the threshold by this many standard errors, so that a fresh run of as many paths on another
seed also finds it inside with about 97.5% probability (one-sided, normal) rather than a coin
toss at the boundary: the fresh estimate and the sizing one each carry an error, and their
difference sqrt(2) times one, so the margin is 1.96 x sqrt(2) = 2.77 standard errors."""

MAX_ROUNDS = 8
"""Default limit on sizing-and-pricing rounds before the fixed point is declared failed."""

MIN_CLASS_SHARE = 0.01
"""Default smallest rated class, as a share of the pool: a thinner class is not worth
placing, so a class that cannot meet its target at this size is left out, and says so."""

COUPON_DECIMALS = 5
"""Priced coupons are set to 0.1 bp (finer than any quote), so the sizing-and-pricing fixed
point reaches equal coupons instead of creeping by fractions of a basis point, each creep a
new round of structures to evaluate."""

COARSE_BLOCKS = 4
"""Blocks of paths (16,384) the search first runs on: it finds the sizes nearly, cheaply,
and the full paths then only confirm or correct them by a step or two. Used when the run
has at least four times as many blocks. The full paths decide every pass, so the result is
a fixed point of the sizing on them; where the sizing has more than one (a class's figures
depend on the sizes below it) it may be a neighbouring one, a step of the grid from where a
search on the full paths alone would stop."""

SIZE_CURVE_SCALES = (0.125, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0)
"""Deal sizes of the all-in cost curve, as multiples of the deal's pool balance."""

ProgressCallback = Callable[[int, str], None]
"""Called as ``progress(evaluations_done, what)`` after each candidate structure."""


# --------------------------------------------------------------------------------------------
# Pricing


def _interp(x: float, xs: Sequence[float], ys: Sequence[float]) -> float:
    """Linear between points, flat beyond the ends."""
    return float(np.interp(x, np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)))


def market_coupon(pricing: Pricing, rating: str, wal_years: float) -> float:
    """The coupon a class of ``rating`` (local or Moody's) and WAL is placed at: the
    benchmark curve at the WAL plus the rating's spread at the WAL.

    Raises
    ------
    FieldError
        ``pricing.spreads`` has no row for the rating.
    """
    wanted = from_local_scale(rating)
    rows = [r for r in pricing.spreads if from_local_scale(r.rating) == wanted]
    if not rows:
        listed = ", ".join(r.rating for r in pricing.spreads)
        raise FieldError("pricing.spreads", f"no spread for rating {rating} (the grid has "
                         f"{listed})")
    curve = pricing.benchmark_curve
    base = _interp(wal_years, [p.tenor_years for p in curve], [p.rate_annual for p in curve])
    spread = _interp(wal_years, pricing.spread_wal_years, rows[0].spreads_bp)
    return base + spread * 1e-4


# --------------------------------------------------------------------------------------------
# Candidate structures on shared paths


@dataclass(frozen=True)
class Evaluation:
    """One structure run on the shared asset paths."""

    prepared: PreparedDeal
    monte_carlo: MonteCarloResult
    break_even: tuple[BreakEven, ...] | None  # computed when the criterion needs it

    @property
    def deal(self) -> Deal:
        return self.prepared.deal


@dataclass(frozen=True)
class Check:
    """A class against its target under one criterion: it meets the target when
    ``metric + confidence_se * metric_se <= threshold`` (for ``tdr`` the metric is the
    probability that the pool default rate exceeds the class's BDR, the threshold the
    target's PD at the class WAL)."""

    metric: float
    metric_se: float
    threshold: float
    confidence_se: float = 0.0

    @property
    def bound(self) -> float:
        """The metric plus ``confidence_se`` standard errors: what must meet the threshold."""
        if math.isfinite(self.metric_se):
            return self.metric + self.confidence_se * self.metric_se
        return self.metric

    @property
    def meets(self) -> bool:
        return bool(self.bound <= self.threshold)

    @property
    def ratio(self) -> float:
        """bound / threshold: the search works on its logarithm."""
        if self.threshold > 0:
            return self.bound / self.threshold
        return 0.0 if self.bound <= 0 else math.inf

    @property
    def margin_se(self) -> float:
        """(threshold - metric) in standard errors; NaN without one."""
        if math.isfinite(self.metric_se) and self.metric_se > 0:
            return (self.threshold - self.metric) / self.metric_se
        return math.nan


def check_class(evaluation: Evaluation, j: int, target: str, criterion: Criterion,
                tables: RatingTables | None = None, confidence_se: float = 0.0) -> Check:
    """Class ``j`` of an evaluated structure against ``target`` (local or Moody's), with
    ``tables`` (default: the shipped indicative ones), passing only ``confidence_se``
    standard errors inside the threshold."""
    tables = tables or RatingTables()
    c = evaluation.monte_carlo.classes[j]
    wal = c.wal_years.value
    if not wal > 0:  # never repaid any principal on any path
        return Check(math.inf, math.nan, 0.0)
    horizon = min(wal, 10.0)  # the rating tables stop at 10 years
    if criterion == Criterion.EL:
        return Check(c.expected_loss.value, c.expected_loss.se,
                     rating_threshold("el", target, horizon, tables.el), confidence_se)
    if criterion == Criterion.PD:
        return Check(c.pd.value, c.pd.se, rating_threshold("pd", target, wal, tables.pd),
                     confidence_se)
    if criterion == Criterion.DIRR:
        return Check(c.dirr_bp.value, c.dirr_bp.se,
                     rating_threshold("dirr_bp", target, table=tables.dirr), confidence_se)
    assert evaluation.break_even is not None
    # BDR >= TDR, the default-rate quantile at the target's confidence 1 - PD, is the same
    # test as P(default rate > BDR) <= PD, and in that form it has a standard error.
    be = evaluation.break_even[j]
    exceeded = evaluation.monte_carlo.pool_default_rate.exceedance(
        be.default_rate if be.loses else math.inf)
    return Check(exceeded.value, exceeded.se,
                 rating_threshold("pd", target, horizon, tables.pd), confidence_se)


class _Candidates:
    """Builds and evaluates structures of the deal's classes on the shared paths, once each.

    A structure is given by the rated classes' sizes in whole steps of the size grid
    (integers, so that equal structures are equal keys) and the coupons; a class held at a
    fixed size has that share whatever its steps, and the subordinated class, last, takes
    the rest of the pool. An evaluation runs on all the paths, or (``coarse``) on the first
    :data:`COARSE_BLOCKS` blocks, whose checks use the standard errors the full paths would
    have so that a coarse search aims at the full one's answer.
    """

    def __init__(self, prepared: PreparedDeal, assets: AssetPaths, criterion: Criterion,
                 tables: RatingTables, step: float, fixed_shares: Mapping[int, float],
                 workers: int | None, progress: ProgressCallback | None,
                 cancel: threading.Event | None, confidence_se: float,
                 executor: Executor | None = None) -> None:
        self.prepared = prepared
        self.executor = executor
        self.confidence_se = confidence_se
        self.tables = tables
        self.cancel = cancel
        self.assets = assets
        self.coarse_assets = (assets.head(COARSE_BLOCKS)
                              if len(assets.sizes) >= 4 * COARSE_BLOCKS else None)
        self.criterion = criterion
        self.step = step
        self.fixed_shares = dict(fixed_shares)
        self.workers = workers
        self.progress = progress
        self.cache: dict[tuple[tuple[int, ...], tuple[float, ...], bool], Evaluation] = {}
        self.break_evens: dict[tuple[tuple[int, ...], tuple[float, ...]],
                               tuple[BreakEven, ...]] = {}

    def check(self, evaluation: Evaluation, name: str, target: str) -> Check:
        """Class ``name`` of an evaluated structure against its target, with the standard
        error it would have on all the paths."""
        check = check_class(evaluation, _position(evaluation, name), target, self.criterion,
                            self.tables, self.confidence_se)
        scale = math.sqrt(evaluation.monte_carlo.paths / self.assets.paths)
        return check if scale == 1 else replace(check, metric_se=check.metric_se * scale)

    def shares(self, units: Sequence[int]) -> list[float]:
        rated = [self.fixed_shares.get(j, u * self.step) for j, u in enumerate(units)]
        return [*rated, 1.0 - math.fsum(rated)]

    def structure(self, units: Sequence[int], coupons: Sequence[float]) -> PreparedDeal:
        """The deal with these sizes and coupons, on the same pool model (only liabilities
        change, so the drawn paths stay valid)."""
        notes = self.prepared.deal.structure.classes
        classes = tuple(
            replace(note, size=share, size_unit=SizeUnit.SHARE, coupon_annual=coupon)
            for note, share, coupon in zip(notes, self.shares(units), coupons, strict=True)
            if share > 0)  # a rated class of size 0 is left out
        structure = replace(self.prepared.deal.structure, classes=classes)
        deal = replace(self.prepared.deal, structure=structure)
        return replace(self.prepared, deal=deal,
                       class_balances=structure.class_amounts(self.prepared.pool.balance))

    def verify(self, units: Sequence[int], coupons: Sequence[float], seed: int) -> Evaluation:
        """The structure on fresh paths: as many, the same shift, another seed."""
        prepared = self.structure(units, coupons)
        shift = self.assets.shift
        mc = run_monte_carlo(prepared, paths=self.assets.paths, seed=seed,
                             importance_sampling=bool(shift), shift=shift or None,
                             workers=self.workers, cancel=self.cancel,
                             executor=self.executor)
        # Break-even rates are deterministic: the sizing paths' are the fresh run's.
        return Evaluation(prepared, mc, self.evaluate(units, coupons).break_even)

    def evaluate(self, units: Sequence[int], coupons: Sequence[float],
                 coarse: bool = False) -> Evaluation:
        coarse = coarse and self.coarse_assets is not None
        key = (tuple(units), tuple(coupons), coarse)
        if key not in self.cache:
            prepared = self.structure(units, coupons)
            mc = run_monte_carlo(prepared, assets=self.coarse_assets if coarse else self.assets,
                                 workers=self.workers, cancel=self.cancel,
                                 executor=self.executor)
            be = None
            if self.criterion == Criterion.TDR:  # deterministic: one per structure
                if key[:2] not in self.break_evens:
                    self.break_evens[key[:2]] = break_even(prepared)
                be = self.break_evens[key[:2]]
            self.cache[key] = Evaluation(prepared, mc, be)
            if self.progress is not None:
                self.progress(len(self.cache), "sizes " + ", ".join(
                    f"{s:.1%}" for s in self.shares(units)))
        return self.cache[key]

    @property
    def evaluations(self) -> tuple[int, int]:
        """Structures evaluated on all the paths, and on the coarse ones."""
        coarse = sum(key[2] for key in self.cache)
        return len(self.cache) - coarse, coarse


def _space(j: int, units: Sequence[int], room: int, min_units: int, searched: Sequence[int],
           unable: Collection[int]) -> int:
    """Steps class j may take: the room less the classes above it and the minimum size of
    each searched class below it that can meet its target, as many of them as fit beside
    class j's own minimum (seniority first)."""
    free = room - sum(units[:j])
    below = sum(1 for i in searched if i > j and i not in unable)
    if free < min_units:
        return free
    return free - min_units * min(below, (free - min_units) // min_units)


def _fit(units: Sequence[int], j: int, k: int, room: int) -> list[int]:
    """Rated sizes (in steps) with class j at ``k``: the classes above it keep theirs, the
    ones below it keep theirs as far as ``room`` (the steps the rated classes may take in
    all) allows, seniority deciding who gives way."""
    out = [*units[:j], k]
    left = room - sum(out)
    for u in units[j + 1:]:
        out.append(min(u, max(left, 0)))
        left -= out[-1]
    return out


def _position(evaluation: Evaluation, name: str) -> int:
    return [c.name for c in evaluation.deal.structure.classes].index(name)


def _largest_passing(ratio: Callable[[int], float], start: int, k_max: int,
                     first_step: int) -> int:
    """Largest k in [0, k_max] with ratio(k) <= 1, for ratio non-decreasing in k (k = 0, no
    class at all, passes). Brackets from ``start`` with doubling steps, then narrows the
    bracket by interpolating log(ratio) linearly in k, bisecting whenever interpolation
    does not halve the bracket."""
    if k_max < 1:
        return 0
    known: dict[int, float] = {}

    def r(k: int) -> float:
        if k not in known:
            known[k] = ratio(k)
        return known[k]

    k = min(max(start, 1), k_max)
    step = max(first_step, 1)
    if r(k) <= 1:
        lo, hi = k, k_max + 1  # hi: a virtual failing point past the end
        while hi == k_max + 1 and lo < k_max:
            k = min(lo + step, k_max)
            if r(k) <= 1:
                lo = k
            else:
                hi = k
            step *= 2
        if lo == k_max:
            return k_max
    else:
        lo, hi = 0, k
        while lo == 0 and hi > 1:
            k = max(hi - step, 1)
            if r(k) <= 1:
                lo = k
            else:
                hi = k
            step *= 2
        if lo == 0:
            return 0
    bisect_next = False
    while hi - lo > 1:
        r_lo, r_hi = known[lo], known[hi]
        width = hi - lo
        if bisect_next or not (0 < r_lo <= 1 < r_hi < math.inf):
            k = lo + width // 2
        else:  # where log ratio crosses 0 on the chord
            k = lo + math.floor(width * -math.log(r_lo) / (math.log(r_hi) - math.log(r_lo)))
            k = min(max(k, lo + 1), hi - 1)
        if r(k) <= 1:
            lo = k
        else:
            hi = k
        bisect_next = hi - lo > width / 2
    return lo


# --------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class ClassSizing:
    """One class of the sized structure.

    ``binding`` says what set the class's size: ``"target"`` (one step more misses the
    target), ``"available"`` (all the room there was: the pool less the classes above it,
    the retained share of the subordinated class and the minimum size of each class below
    it that can meet its target), ``"fixed"`` (held at the size given), ``"verification"``
    (it passed on the sizing paths but missed its target, with the same margin, on an
    independent seed, and was shrunk until it met it there, or left out when that took it
    under the minimum size; or a class above it was, after this one was sized, so that it
    might now be a little larger); a class left out says why: ``"cannot_meet"`` (it misses its
    target even at the minimum size) or ``"no_room"`` (less than the minimum size is left
    for it).
    ``margin`` is threshold minus metric (in the metric's unit), ``margin_se`` the same in
    standard errors of the metric; ``meets`` asks for more than ``confidence_se`` of them.
    """

    name: str
    tier: str
    target: str
    size_share: float
    amount: float
    coupon: float
    wal_years: float
    criterion: str
    metric: float
    metric_se: float
    threshold: float
    margin: float
    margin_se: float
    meets: bool
    binding: str


@dataclass(frozen=True)
class Round:
    """One sizing round of the fixed point: the shares found, the coupons they price at,
    and the paths the round ran on (the first rounds may run on the coarse paths)."""

    shares: tuple[float, ...]
    coupons: tuple[float, ...]
    paths: int


@dataclass(frozen=True)
class Economics:
    """What the sized deal costs and earns.

    ``cost`` is the base-scenario cost of funds (upfront fees included); the retained class
    is the subordinated one, with its expected return (the Monte Carlo mean of its IRR) and
    IRR quantiles. ``size_curve`` gives the all-in cost for the same pool mix at other deal
    sizes, with fixed costs (fixed upfront and running fees) unchanged; ``break_even_balance``
    is the pool balance at which the all-in cost equals the benchmark rate (None when no
    size beats it; 0 when every size does).
    """

    cost: CostOfFunds
    retained: str | None
    retained_return: Estimate | None
    retained_irr_quantiles: dict[float, float]
    size_curve: pd.DataFrame
    break_even_balance: float | None


@dataclass(frozen=True)
class StructuringResult:
    """The sized and priced deal, how it was found, and its economics."""

    deal: Deal
    criterion: str
    confidence_se: float  # a class meets its target by at least this many standard errors
    tables: RatingTables
    classes: tuple[ClassSizing, ...]
    monte_carlo: MonteCarloResult
    break_even: tuple[BreakEven, ...]
    economics: Economics
    rounds: tuple[Round, ...]
    converged: bool
    message: str
    verification_seed: int  # the independent seed the sized structure was checked on
    evaluations: int  # structures run on all the paths
    coarse_evaluations: int  # structures run on the first COARSE_BLOCKS blocks only
    size_step_share: float
    min_class_share: float  # smallest rated class (a minimum amount as its share)
    fixed: tuple[str, ...]  # classes held at their given size
    runtime_seconds: float
    simulation_seconds: float
    comparison: pd.DataFrame  # the deal as given against the sized one, on the same paths


# --------------------------------------------------------------------------------------------
# Sizing


def _targets(deal: Deal, targets: Sequence[str] | None) -> list[str]:
    """Target rating of every rated class, senior first, checked against the scale."""
    classes = deal.structure.classes
    if classes[-1].tier != Tier.SUBORDINATED:
        raise FieldError("structure.classes", "structuring needs a subordinated class, "
                         "listed last, to take what the rated classes leave")
    rated = [(i, c) for i, c in enumerate(classes) if c.tier != Tier.SUBORDINATED]
    if not rated:
        raise FieldError("structure.classes", "there is no rated class to size")
    if targets is not None:
        if len(targets) != len(rated):
            names = ", ".join(c.name for _, c in rated)
            raise FieldError("targets", f"give one target rating per rated class ({names}), "
                             f"senior first (got {len(targets)})")
        chosen = list(targets)
    else:
        chosen = []
        for i, c in rated:
            if not c.target_rating:
                raise FieldError(f"structure.classes[{i}].target_rating",
                                 f"class `{c.name}` needs a target rating to be sized")
            chosen.append(c.target_rating)
    for r in chosen:
        from_local_scale(r)  # refuses an unknown symbol with the scale in the message
    return chosen


def _rated_position(deal: Deal, name: str) -> int:
    """Position of rated class ``name``; a class a size can be fixed for."""
    names = [c.name for c in deal.structure.classes]
    if name not in names:
        raise FieldError("fixed", f"there is no class named {name!r}; the classes are "
                         f"{', '.join(names)}")
    j = names.index(name)
    if j == len(names) - 1:  # _targets: the subordinated class is last
        raise FieldError("fixed", f"class `{name}` is the subordinated class, which takes "
                         "what the rated classes leave: hold it at a minimum with the "
                         "retained share instead")
    return j


def _fixed_shares(deal: Deal, pool: Pool, fixed: Collection[str]) -> dict[int, float]:
    """Position -> share of the pool of each class held at the size the deal gives it."""
    notes = deal.structure.classes
    out = {}
    for name in (fixed,) if isinstance(fixed, str) else fixed:
        j = _rated_position(deal, name)
        share = notes[j].amount(pool.balance) / pool.balance
        if not 0 < share < 1:
            raise FieldError(f"structure.classes[{j}].size", f"class `{name}` is fixed at "
                             f"{share:.2%} of the pool; a fixed size must be above 0 and "
                             "below the whole pool")
        out[j] = share
    return out


def resize_class(deal: Deal, pool: Pool, name: str, size: float,
                 size_unit: SizeUnit | str = SizeUnit.SHARE) -> Deal:
    """The deal with class ``name`` (a rated class) at ``size`` (a share of the pool or an
    amount), the subordinated class taking what the others leave: how a class is fixed at
    a size for :func:`structure_deal`.

    Raises
    ------
    FieldError
        ``fixed`` for an unknown class or the subordinated one, or a size that leaves the
        subordinated class nothing; the class's own size checks otherwise.
    """
    notes = deal.structure.classes
    j = _rated_position(deal, name)
    classes = list(notes)
    classes[j] = replace(notes[j], size=size, size_unit=SizeUnit(size_unit))
    others = math.fsum(c.amount(pool.balance) for c in classes[:-1])
    sub = notes[-1]
    rest = pool.balance - others
    if not rest > 0:
        raise FieldError("fixed", f"class `{name}` at {classes[j].amount(pool.balance):,.2f} "
                         f"leaves the subordinated class nothing of a pool of "
                         f"{pool.balance:,.2f}")
    classes[-1] = replace(sub, size=rest / pool.balance if sub.size_unit == SizeUnit.SHARE
                          else rest)
    return replace(deal, structure=replace(deal.structure, classes=tuple(classes)))


def structure_deal(
    deal: Deal,
    pool: Pool,
    *,
    targets: Sequence[str] | None = None,
    criterion: Criterion | str = Criterion.EL,
    paths: int | None = None,
    seed: int | None = None,
    importance_sampling: bool = True,
    size_step_share: float = SIZE_STEP_SHARE,
    retained_share: float = RETAINED_SHARE,
    min_class_share: float = MIN_CLASS_SHARE,
    min_class_amount: float = 0.0,
    fixed: Collection[str] = (),
    confidence_se: float = CONFIDENCE_SE,
    price: bool = True,
    max_rounds: int = MAX_ROUNDS,
    tables: RatingTables | None = None,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    executor: Executor | None = None,
) -> StructuringResult:
    """Size the rated classes to their targets (the largest senior class first) and
    price them from the deal's pricing grid, on one set of simulated asset paths.

    Parameters
    ----------
    deal, pool
        The deal (its classes give names, tiers, starting sizes and coupons) and its pool.
    targets
        Target ratings of the rated classes, senior first (local scale, e.g. ``AAA``,
        ``AA-``); by default each class's ``target_rating``.
    criterion
        ``el``, ``pd``, ``dirr`` or ``tdr`` (module docstring).
    paths, seed
        Monte Carlo settings; default the deal's ``run`` section.
    importance_sampling
        Shift the systematic factor to the senior tail (default on: senior targets are rare
        events); the shift is the deal's, or chosen from the deal's own structure.
    size_step_share
        Grid of class sizes, as a share of the pool balance, in
        [:data:`~abs_tool.limits.MIN_SIZE_STEP`, 0.1] (a finer grid means more structures
        to evaluate).
    retained_share
        Smallest subordinated class, as a share of the pool (at least one step).
    min_class_share, min_class_amount
        Smallest rated class, as a share of the pool and as an amount (the larger binds;
        rounded up to the size grid): a class that cannot meet its target at that size is
        left out, and the classes above it leave room for it when it can.
    fixed
        Names of rated classes held at the size the deal gives them (share or amount);
        they are priced and checked like the others, never resized.
    confidence_se
        Standard errors by which a class's metric must be inside its threshold to meet the
        target, in [0, :data:`MAX_CONFIDENCE_SE`] (:data:`CONFIDENCE_SE`: a fresh run
        passes with about 97.5%, one-sided); 0 passes on the estimate alone.
    price
        Set coupons from ``deal.pricing`` (ignored when the deal has none).
    max_rounds
        Rounds of the sizing-and-pricing fixed point before giving up (``converged`` False).
    tables
        Rating criteria tables (default: the shipped indicative ones).
    workers
        Threads for the Monte Carlo.
    progress
        Called after each structure evaluated.
    cancel
        When set, the running evaluation stops and
        :class:`~abs_tool.engine.montecarlo.CancelledError` is raised.
    executor
        Where the Monte Carlo's work units run (:mod:`abs_tool.engine.executor`); None:
        ``workers`` threads here. The result does not depend on it.

    Raises
    ------
    CancelledError
        ``cancel`` was set.
    FieldError
        No subordinated class, a rated class without target, an unknown rating, or a target
        rating missing from the pricing grid; ``size_step_share``, ``retained_share``,
        ``min_class_share``, ``min_class_amount``, ``confidence_se``, ``paths``, ``seed``
        or ``workers`` outside their ranges; ``fixed`` naming no rated class, or fixed
        classes leaving less than the retained share.
    LimitError
        The kept asset paths need more memory than the budget
        (:func:`abs_tool.engine.montecarlo.simulate_assets`).
    """
    started = time.perf_counter()
    criterion = Criterion(criterion)
    if not (MIN_SIZE_STEP <= size_step_share <= 0.1):
        raise FieldError("size_step_share", f"must be in [{MIN_SIZE_STEP:g}, 0.1] "
                         f"(got {size_step_share!r})")
    if not (0 <= retained_share < 1):
        raise FieldError("retained_share", f"must be in [0, 1) (got {retained_share!r})")
    if not (0 <= min_class_share < 1):
        raise FieldError("min_class_share", f"must be in [0, 1) (got {min_class_share!r})")
    if not (0 <= min_class_amount < math.inf):
        raise FieldError("min_class_amount", f"must be a finite amount >= 0 "
                         f"(got {min_class_amount!r})")
    if not (0 <= confidence_se <= MAX_CONFIDENCE_SE):
        raise FieldError("confidence_se", f"must be in [0, {MAX_CONFIDENCE_SE:g}] standard "
                         f"errors (got {confidence_se!r})")
    chosen = _targets(deal, targets)
    fixed_shares = _fixed_shares(deal, pool, fixed)
    step = size_step_share
    # The searched classes may take this many steps in all; the rest is the fixed classes
    # and the subordinated class.
    room = (math.floor((1.0 - math.fsum(fixed_shares.values())) / step + 1e-9)
            - max(1, math.ceil(retained_share / step - 1e-9)))
    if room < 0:
        raise FieldError("fixed", f"the fixed classes take {math.fsum(fixed_shares.values()):.2%}"
                         f" of the pool, leaving less than the retained share "
                         f"({retained_share:.2%}) for the subordinated class")
    min_share = max(min_class_share, min_class_amount / pool.balance)
    min_units = max(1, math.ceil(min_share / step - 1e-9))
    prepared = prepare_deal(deal, pool)
    assets = simulate_assets(prepared, paths=paths, seed=seed,
                             importance_sampling=importance_sampling, workers=workers,
                             executor=executor)
    simulated = time.perf_counter() - started
    # The deal as given, on the same paths: what the sizing changed, without noise.
    given = structure_figures(run_monte_carlo(prepared, assets=assets, workers=workers,
                                              cancel=cancel, executor=executor),
                              cost_of_funds(prepared))
    tables = tables or RatingTables()
    candidates = _Candidates(prepared, assets, criterion, tables, step, fixed_shares, workers,
                             progress, cancel, confidence_se, executor)
    notes = deal.structure.classes
    n_rated = len(notes) - 1
    searched = [j for j in range(n_rated) if j not in fixed_shares]
    units = [0 if j in fixed_shares else round(notes[j].amount(pool.balance) / pool.balance
                                                / step) for j in range(n_rated)]
    coupons = [c.coupon_annual for c in notes]
    pricing = deal.pricing if price else None
    unable: set[int] = set()  # classes that miss their target even at the minimum size

    def space(j: int, current: Sequence[int]) -> int:
        return _space(j, current, room, min_units, searched, unable)

    def largest(j: int, current: tuple[int, ...], start: int, first_step: int,
                coarse_only: bool) -> int:
        """Class j's largest size in steps that meets its target (on the coarse paths
        alone, or found on them and settled on all), or 0: sizes under the minimum are not
        searched (search point i stands for size min_units + i - 1)."""
        top = space(j, current) - min_units + 1

        def ratio(i: int, coarse: bool) -> float:
            evaluation = candidates.evaluate(_fit(current, j, i + min_units - 1, room),
                                             coupons, coarse)
            return candidates.check(evaluation, notes[j].name, chosen[j]).ratio

        i = max(start - min_units + 1, 1)
        if candidates.coarse_assets is not None:
            i = _largest_passing(lambda i: ratio(i, True), i, top, first_step)
            if not coarse_only:
                i = _largest_passing(lambda i: ratio(i, False), max(i, 1), top, 1)
        else:
            i = _largest_passing(lambda i: ratio(i, False), i, top, first_step)
        return 0 if i == 0 else i + min_units - 1

    def price_classes(evaluation: Evaluation) -> None:
        """Coupons of the classes in the structure from the pricing grid at their WALs (a
        floating class's margin: the grid's coupon less the benchmark over its WAL)."""
        if pricing is None:
            return
        for j in range(n_rated):
            if candidates.shares(units)[j] > 0:
                wal = evaluation.monte_carlo.classes[
                    _position(evaluation, notes[j].name)].wal_years.value
                coupon = market_coupon(pricing, chosen[j], wal)
                if notes[j].floating is not None:
                    # A floating class is priced on its margin: the market coupon less the
                    # deal's benchmark path averaged over the class's WAL.
                    coupon = max(coupon - deal.assumptions.benchmark.average(wal), 0.0)
                coupons[j] = round(coupon, COUPON_DECIMALS)

    # The fixed point runs on the coarse paths first when there are any, then on all.
    stages = (True, False) if candidates.coarse_assets is not None else (False,)
    rounds: list[Round] = []
    converged = False
    for stage, coarse in enumerate(stages):
        unable.clear()  # judged afresh on all the paths
        converged = False
        for round_number in range(max_rounds):
            first = stage == 0 and round_number == 0
            previous_units, previous_coupons = list(units), list(coupons)
            for j in searched:
                if j in unable:
                    continue
                if first:  # the classes below j are sized after it: none yet
                    units[j + 1:] = [0] * (n_rated - j - 1)
                current = tuple(units)
                if space(j, current) < min_units:
                    k = 0
                else:
                    k = largest(j, current, previous_units[j],
                                max(1, round(0.02 / step)) if first else 1, coarse)
                    if k == 0:
                        unable.add(j)
                units = _fit(current, j, k, room)
            evaluation = candidates.evaluate(units, coupons, coarse)
            price_classes(evaluation)
            rounds.append(Round(tuple(candidates.shares(units)), tuple(coupons),
                                evaluation.monte_carlo.paths))
            if units == previous_units and coupons == previous_coupons:
                converged = True
                break
    # A pass on the sizing paths is checked on independent ones, with the same margin: the
    # search keeps the largest size that passes, so it favours sizes whose sizing estimate
    # happens to be low (a winner's curse the margin alone does not remove), while the
    # independent paths know nothing of the search. A class that misses there gives up a
    # step, most senior first, until every class passes (a step less only helps those
    # below); under the minimum size it is left out. The coupons are priced again at the
    # new WALs, and the check is repeated on them.
    verification_seed = (assets.seed + 1) % (MAX_SEED + 1)
    shrunk = [0] * n_rated
    while True:
        fresh = candidates.verify(units, coupons, verification_seed)
        failing = [j for j in range(n_rated) if candidates.shares(units)[j] > 0
                   and not check_class(fresh, _position(fresh, notes[j].name), chosen[j],
                                       criterion, tables, confidence_se).meets]
        fixed_missed = {j for j in failing if j in fixed_shares}  # never resized
        failing = [j for j in failing if j not in fixed_shares]
        if not failing:
            break
        j = failing[0]
        units[j] = units[j] - 1 if units[j] > min_units else 0
        shrunk[j] += 1
        price_classes(candidates.evaluate(units, coupons))
    final = candidates.evaluate(units, coupons)
    be = final.break_even or break_even(final.prepared)
    sizing = _class_sizings(candidates, final, units, coupons, chosen, room, min_units,
                            unable, shrunk, fixed_missed)
    full_rounds = sum(r.paths == assets.paths for r in rounds)
    if converged:
        message = f"sizes and coupons converged in {full_rounds} rounds"
    else:
        message = (f"sizes and coupons did not converge in {max_rounds} rounds; the last "
                   "round is shown")
    if len(rounds) > full_rounds:
        message += (f" (after {len(rounds) - full_rounds} on the first "
                    f"{rounds[0].paths:,} paths)")
    given_up = [f"{notes[j].name} by {shrunk[j] * step:.2%} of the pool"
                for j in range(n_rated) if shrunk[j]]
    message += (f"; on an independent seed ({verification_seed}) every class meets its target"
                if not given_up else f"; shrunk to meet its target on an independent seed "
                f"({verification_seed}): {', '.join(given_up)}")
    message += "".join(f"; {_shortfall(c, min_units * step)}" for c in sizing
                       if c.tier != Tier.SUBORDINATED.value and not c.meets)
    econ = economics(final.prepared, final.monte_carlo)
    full, coarse_count = candidates.evaluations
    return StructuringResult(
        deal=final.deal,
        criterion=criterion.value,
        confidence_se=confidence_se,
        tables=tables,
        classes=sizing,
        monte_carlo=final.monte_carlo,
        break_even=be,
        economics=econ,
        rounds=tuple(rounds),
        converged=converged,
        message=message,
        verification_seed=verification_seed,
        evaluations=full,
        coarse_evaluations=coarse_count,
        size_step_share=step,
        min_class_share=min_units * step,
        fixed=tuple(notes[j].name for j in sorted(fixed_shares)),
        runtime_seconds=time.perf_counter() - started,
        simulation_seconds=simulated,
        comparison=compare_structures(
            given, structure_figures(final.monte_carlo, econ.cost), ("as given", "sized")),
    )


def _shortfall(c: ClassSizing, min_share: float) -> str:
    """Why a requested target has no class meeting it, in words."""
    if c.binding == "fixed":
        return (f"{c.name} fixed at {c.size_share:.2%} of the pool misses {c.target} (on the "
                "sizing paths or the independent seed)")
    if c.binding == "cannot_meet":
        return (f"{c.name} cannot meet {c.target} at or above the minimum size "
                f"({min_share:.2%} of the pool): left out")
    if c.binding == "no_room":
        return (f"{c.name} ({c.target}) has less than the minimum size ({min_share:.2%} of "
                "the pool) left above the retained share: left out")
    return (f"{c.name} missed {c.target} on the independent seed down to the minimum size "
            f"({min_share:.2%} of the pool): left out")


def _class_sizings(candidates: _Candidates, final: Evaluation, units: list[int],
                   coupons: list[float], targets: list[str], room: int, min_units: int,
                   unable: set[int], shrunk: list[int],
                   fixed_missed: set[int]) -> tuple[ClassSizing, ...]:
    criterion = candidates.criterion
    notes = candidates.prepared.deal.structure.classes
    balance = candidates.prepared.pool.balance
    shares = candidates.shares(units)
    searched = [j for j in range(len(notes) - 1) if j not in candidates.fixed_shares]
    out = []
    for j, note in enumerate(notes):
        if note.tier == Tier.SUBORDINATED:
            c = final.monte_carlo.classes[_position(final, note.name)]
            out.append(ClassSizing(note.name, note.tier.value, "", shares[j],
                                   shares[j] * balance, 0.0, c.wal_years.value,
                                   criterion.value, math.nan, math.nan, math.nan, math.nan,
                                   math.nan, True, "rest"))
            continue
        # What stopped the class is judged on one step more for it, the seniors unchanged
        # and the classes below that can meet their targets keeping their minimum.
        top = _space(j, units, room, min_units, searched, unable)
        if shares[j] == 0:
            out.append(ClassSizing(note.name, note.tier.value, targets[j], 0.0, 0.0,
                                   coupons[j], math.nan, criterion.value, math.nan, math.nan,
                                   math.nan, math.nan, math.nan, False,
                                   "verification" if shrunk[j] else
                                   "cannot_meet" if j in unable else "no_room"))
            continue
        position = _position(final, note.name)
        check = candidates.check(final, note.name, targets[j])
        if j in candidates.fixed_shares:
            binding = "fixed"
        elif shrunk[j]:
            binding = "verification"
        elif units[j] >= top:
            binding = "available"
        elif not candidates.check(candidates.evaluate(_fit(units, j, units[j] + 1, room),
                                                      coupons), note.name, targets[j]).meets:
            binding = "target"
        else:  # sized before a class above it gave up a step on the independent seed
            binding = "verification" if any(shrunk[:j]) else "available"
        out.append(ClassSizing(
            note.name, note.tier.value, targets[j], shares[j], shares[j] * balance,
            coupons[j], final.monte_carlo.classes[position].wal_years.value, criterion.value,
            check.metric, check.metric_se, check.threshold, check.threshold - check.metric,
            check.margin_se, check.meets and j not in fixed_missed, binding))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Economics


def economics(prepared: PreparedDeal, monte_carlo: MonteCarloResult,
              scales: Sequence[float] = SIZE_CURVE_SCALES) -> Economics:
    """Cost of funds, the retained class's return and the all-in cost by deal size."""
    base = run_scenario(prepared)
    flows = issuer_flows(prepared, base)
    cost = cost_of_funds(prepared, base, flows)
    benchmark = prepared.deal.benchmark_rate_annual
    scale = np.asarray(scales, dtype=np.float64)
    all_in = flows.all_in(scale)
    curve = pd.DataFrame({
        "pool_balance": scale * prepared.pool.balance,
        "placed_notes": scale * flows.proceeds,
        "upfront_fees": scale * flows.upfront_scaled + flows.upfront_fixed,
        "all_in": all_in,
        "saving_bp": (benchmark - all_in) * 1e4,
    })
    retained = next((c for c in monte_carlo.classes if c.tier == Tier.SUBORDINATED.value), None)
    return Economics(
        cost=cost,
        retained=None if retained is None else retained.name,
        retained_return=None if retained is None else retained.yield_annual,
        retained_irr_quantiles={} if retained is None else dict(
            retained.yield_distribution.quantiles),
        size_curve=curve,
        break_even_balance=_break_even_balance(flows, benchmark, prepared.pool.balance),
    )


def _break_even_balance(flows: IssuerFlows, benchmark: float, balance: float) -> float | None:
    """Pool balance where the all-in cost equals the benchmark: the all-in cost falls as the
    deal grows (fixed costs spread over more notes), so there is at most one."""
    def excess(log_scale: float) -> float:
        return float(flows.all_in(math.exp(log_scale))[0]) - benchmark

    # Just above the size where fixed fees take all the proceeds the cost is unbounded.
    low, high = math.log(max(flows.smallest_scale * (1 + 1e-6), 1e-4)), math.log(1e4)
    if excess(high) > 0:
        return None
    if excess(low) <= 0:
        return 0.0
    from scipy import optimize  # half a second to import: only when a deal is structured

    root = optimize.brentq(excess, low, high, xtol=1e-10)
    return math.exp(root) * balance


# --------------------------------------------------------------------------------------------
# Sensitivities and comparisons

SENSITIVITY_RANGES: dict[str, tuple[float, float, str]] = {
    "default_multiplier": (0.0, math.inf, "[0, inf)"),
    "correlation": (0.0, 1.0, "[0, 1)"),
    "recovery_rate": (0.0, 1.0, "[0, 1]"),
    "cpr_annual": (0.0, 1.0, "[0, 1)"),
    "cdr_annual": (0.0, 1.0, "[0, 1)"),
    "lag_months": (0.0, MAX_HORIZON_MONTHS, f"whole months in [0, {MAX_HORIZON_MONTHS}]"),
    "sector_correlation": (0.0, 1.0, "[0, 1)"),
}
"""Assumptions a sensitivity grid can move -> (low, high, the range in words); the range is
closed where the words say ``]``."""

SENSITIVITY_PARAMETERS = tuple(SENSITIVITY_RANGES)


def check_sensitivity_value(name: str, value: float) -> None:
    """Refuse an unknown sensitivity parameter, or a value outside its range (finite, and
    whole for ``lag_months``): checked for every value of a grid before any cell runs.

    Raises
    ------
    FieldError
        ``parameter`` for an unknown name (the known ones listed), else ``name``.
    """
    if name not in SENSITIVITY_RANGES:
        raise FieldError("parameter", f"unknown sensitivity parameter {name!r}; expected one "
                         f"of {', '.join(SENSITIVITY_PARAMETERS)}")
    low, high, words = SENSITIVITY_RANGES[name]
    number = isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isfinite(value)
    ok = number and low <= value and (value <= high if words.endswith("]") else value < high)
    if not ok or (name == "lag_months" and value != int(value)):
        raise FieldError(name, f"must be in {words} (got {value!r})")


def with_assumption(deal: Deal, name: str, value: float) -> Deal:
    """The deal with one assumption replaced (validated like any other).

    ``default_multiplier`` scales whichever default assumption applies (PD multiplier, CDR
    vector, lifetime rate); ``cdr_annual`` replaces it by a flat CDR.

    Raises
    ------
    FieldError
        An unknown parameter name or a value outside its range
        (:func:`check_sensitivity_value`).
    """
    check_sensitivity_value(name, value)
    a = deal.assumptions
    d = a.default
    if name == "default_multiplier":
        if isinstance(d, AnnualPd):
            a = replace(a, default=replace(d, multiplier=d.multiplier * value))
        elif isinstance(d, CdrVector):
            a = replace(a, default=CdrVector(tuple(min(x * value, 0.999) for x in d.annual)))
        elif isinstance(d, LifetimeDefault):
            a = replace(a, default=replace(d, cumulative_rate=min(d.cumulative_rate * value, 1.0)))
    elif name == "correlation":
        a = replace(a, correlation=float(value))
    elif name == "sector_correlation":
        a = replace(a, sector_correlation=float(value))
    elif name == "recovery_rate":  # the rate of every loan: the tape's LGDs set aside
        a = replace(a, recovery=replace(a.recovery, rate=float(value), from_tape=False))
    elif name == "lag_months":
        a = replace(a, recovery=replace(a.recovery, lag_months=int(value)))
    elif name == "cpr_annual":
        a = replace(a, prepayment=Cpr((float(value),)))
    else:  # cdr_annual: check_sensitivity_value knows no other name
        a = replace(a, default=CdrVector((float(value),)))
    return replace(deal, assumptions=a)


def sensitivity_grid(
    deal: Deal,
    pool: Pool,
    x: tuple[str, Sequence[float]],
    y: tuple[str, Sequence[float]],
    *,
    resize: bool = False,
    targets: Sequence[str] | None = None,
    criterion: Criterion | str = Criterion.EL,
    paths: int | None = None,
    seed: int | None = None,
    importance_sampling: bool = True,
    tables: RatingTables | None = None,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """Every pair of values of two assumptions: the structure's classes (EL, PD, WAL,
    EL rating) and its cost, one row per cell and class.

    Every cell uses the same seed, so neighbouring cells differ by the assumption, not by
    noise. With ``resize`` each cell is sized afresh (:func:`structure_deal`, no repricing)
    and the rows give the sizes found; otherwise the deal's structure is kept.

    The cells are work units of ``executor`` (None: one after another here, each on
    ``workers`` threads); on a Dask cluster each cell is a task that runs on one worker
    thread, the deal and pool sent once. The rows do not depend on where cells ran.

    Raises
    ------
    FieldError
        An unknown parameter or a value outside its range, before any cell runs.
    LimitError
        ``paths`` when the cells' simulations together would take longer than the time
        budget (one simulation per cell; sizing afresh takes longer still).
    """
    (x_name, x_values), (y_name, y_values) = x, y
    for name, values in ((x_name, x_values), (y_name, y_values)):
        for value in values:
            check_sensitivity_value(name, value)
    cells = [(xv, yv) for xv in x_values for yv in y_values]
    cell_paths = deal.run.paths if paths is None else check_integer("paths", paths, 1,
                                                                     MAX_PATHS)
    one = run_cost(prepare_deal(deal, pool), cell_paths,
                   workers=workers or os.cpu_count() or 1)
    check_cost(Cost(one.bytes, one.seconds * len(cells)), field="paths", value=cell_paths,
               what=f"a sensitivity grid of {len(cells):,} cells of {cell_paths:,} paths")
    executor = executor or LocalThreads()
    # A cluster's task runs its cell on one thread: the cluster's parallelism is the cells.
    settings = _GridSettings(x_name, y_name, resize, targets, criterion, paths, seed,
                             importance_sampling, tables,
                             1 if executor.distributed else workers)
    rows = []
    with contextlib.closing(executor.map_ordered(
            _grid_cell, cells, executor.share(settings), executor.share(deal),
            executor.share(pool))) as results:
        for n, cell_rows in enumerate(results):
            rows += cell_rows
            if progress is not None:
                xv, yv = cells[n]
                progress(n + 1, f"{x_name}={xv:g}, {y_name}={yv:g}")
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class _GridSettings:
    """What every cell of a sensitivity grid shares (:func:`sensitivity_grid`)."""

    x_name: str
    y_name: str
    resize: bool
    targets: Sequence[str] | None
    criterion: Criterion | str
    paths: int | None
    seed: int | None
    importance_sampling: bool
    tables: RatingTables | None
    workers: int | None


def _grid_cell(cell: tuple[float, float], settings: _GridSettings, deal: Deal,
               pool: Pool) -> list[dict[str, object]]:
    """Work unit: one cell of a sensitivity grid, its rows (one per class)."""
    s = settings
    xv, yv = cell
    changed = with_assumption(with_assumption(deal, s.x_name, xv), s.y_name, yv)
    if s.resize:
        result = structure_deal(changed, pool, targets=s.targets, criterion=s.criterion,
                                paths=s.paths, seed=s.seed,
                                importance_sampling=s.importance_sampling, price=False,
                                tables=s.tables, workers=s.workers)
        prepared, mc = prepare_deal(result.deal, pool), result.monte_carlo
        cost = result.economics.cost
    else:
        prepared = prepare_deal(changed, pool)
        mc = run_monte_carlo(prepared, paths=s.paths, seed=s.seed,
                             importance_sampling=s.importance_sampling, workers=s.workers)
        cost = cost_of_funds(prepared)
    rows: list[dict[str, object]] = []
    for note, balance in zip(prepared.deal.structure.classes, prepared.class_balances,
                             strict=True):
        c = next(r for r in mc.classes if r.name == note.name)
        rows.append({
            s.x_name: xv, s.y_name: yv, "class": note.name, "tier": note.tier.value,
            "size_share": balance / prepared.pool.balance, "el": c.expected_loss.value,
            "el_se": c.expected_loss.se, "pd": c.pd.value, "wal_years": c.wal_years.value,
            "el_rating": _el_rating_local(c.expected_loss.value, c.wal_years.value,
                                          (s.tables or RatingTables()).el),
            "all_in": cost.all_in, "saving_bp": cost.saving_bp,
        })
    return rows


def _el_rating_local(el: float, wal: float, table: RatingTable | None) -> str:
    if not wal > 0:
        return "NR"
    moodys = str(el_rating(el, min(wal, 10.0), table))
    return moodys if moodys == "NR" else str(to_local_scale(moodys))


def structure_figures(monte_carlo: MonteCarloResult,
                      cost: CostOfFunds) -> dict[tuple[str, str], float]:
    """The figures two structures are compared on, keyed by (item, metric)."""
    out: dict[tuple[str, str], float] = {}
    pool_balance = sum(c.balance for c in monte_carlo.classes)
    for c in monte_carlo.classes:
        out[(c.name, "size_share")] = c.balance / pool_balance
        out[(c.name, "coupon")] = c.coupon
        out[(c.name, "expected_loss")] = c.expected_loss.value
        out[(c.name, "pd")] = c.pd.value
        out[(c.name, "wal_years")] = c.wal_years.value
        out[(c.name, "irr")] = c.yield_annual.value
    for name in ("wa_coupon", "all_in", "saving_bp", "upfront_fees", "excess_spread_annual"):
        out[("deal", name)] = getattr(cost, name)
    out[("deal", "pool_expected_loss")] = monte_carlo.pool_loss_rate.mean.value
    return out


def compare_structures(
    a: Mapping[tuple[str, str], float], b: Mapping[tuple[str, str], float],
    labels: tuple[str, str] = ("A", "B"),
) -> pd.DataFrame:
    """Two structures side by side (:func:`structure_figures` of each): one row per item
    and metric, the two values and B - A; an item only one of them has shows NaN."""
    keys = list(a) + [k for k in b if k not in a]
    va = np.array([a.get(k, math.nan) for k in keys], dtype=np.float64)
    vb = np.array([b.get(k, math.nan) for k in keys], dtype=np.float64)
    return pd.DataFrame({
        "item": [k[0] for k in keys], "metric": [k[1] for k in keys],
        labels[0]: va, labels[1]: vb, "difference": vb - va,
    })


__all__ = [
    "SENSITIVITY_PARAMETERS",
    "SENSITIVITY_RANGES",
    "Check",
    "ClassSizing",
    "Criterion",
    "Economics",
    "Evaluation",
    "Round",
    "StructuringResult",
    "check_class",
    "check_sensitivity_value",
    "compare_structures",
    "economics",
    "market_coupon",
    "resize_class",
    "sensitivity_grid",
    "structure_deal",
    "structure_figures",
    "with_assumption",
]
