"""Cached wrappers around the slow library calls, keyed on hashable inputs.

Reruns and page switches reuse results instead of recomputing. Keys are the inputs that
determine a result: a sample name and seed, uploaded bytes and read options, a frozen
:class:`~abs_tool.model.deal.Deal` and :class:`~abs_tool.engine.deterministic.Scenario`. A pool is
passed with
the string that names its content (``pool_key``) and as ``_pool``, which Streamlit does not
hash (a leading underscore): the key stands for it.

``st.cache_data`` returns a fresh copy per call, so a session can never alter another's
result. ``st.cache_resource`` is used only for
:class:`~abs_tool.engine.deterministic.PreparedDeal`, which
is immutable and expensive to copy; its arrays are never written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from abs_tool import (
    BreakEven,
    Deal,
    DealAnalysis,
    MonteCarloResult,
    Pool,
    PoolSummary,
    PreparedDeal,
    Scenario,
    ScenarioResult,
    ValidationReport,
)
from abs_tool.analysis import (
    break_even as break_even_search,
    deal_analysis,
    pool_stats as analytics,
)
from abs_tool.engine import montecarlo as simulation
from abs_tool.engine.deterministic import (
    prepare_deal as _prepare_deal,
    run_scenario as _run_scenario,
)
from abs_tool.io import dealfile, samples, tape
from abs_tool.model.deal import PoolSource
from abs_tool.model.eligibility import (
    ConcentrationLimits,
    EligibilityCriteria,
    EligibilityResult,
    apply_eligibility,
)
from abs_tool.report import tables as report

if TYPE_CHECKING:  # loaded by the pages that use them: the first page opens sooner
    from abs_tool import (
        RatingMultiples,
        StaticPoolAnalysis,
        StaticPoolData,
        StressScenario,
        StressTable,
        StructuringResult,
    )
    from abs_tool.analysis.deal_analysis import ClassTdr
    from abs_tool.analysis.inspector import PickedPath
    from abs_tool.engine.executor import Executor

def sample_key(name: str, seed: int = samples.DEFAULT_SEED) -> str:
    """The ``pool_key`` of a built-in sample pool."""
    return f"sample:{name}:{seed}"


@st.cache_data(show_spinner=False, max_entries=8)
def sample_pool(name: str, seed: int = samples.DEFAULT_SEED) -> Pool:
    """:func:`abs_tool.io.samples.sample_pool` with its default size."""
    return samples.sample_pool(name, seed=seed)


@st.cache_data(show_spinner=False, max_entries=8)
def inspect_tape(
    data: bytes, file_name: str, sheet: str | None, rate_unit: str
) -> tuple[Pool | None, ValidationReport]:
    """:func:`abs_tool.io.tape.inspect_tape` of uploaded bytes, keyed on the bytes and options."""
    return tape.inspect_tape(data, file_name=file_name, sheet=sheet,
                             rate_unit=rate_unit)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False, max_entries=32)
def pool_summary(pool_key: str, _pool: Pool) -> PoolSummary:
    """:func:`abs_tool.analysis.pool_stats.pool_summary` of the pool named ``pool_key``."""
    return analytics.pool_summary(_pool)


@st.cache_data(show_spinner=False, max_entries=64)
def stratify(pool_key: str, _pool: Pool, column: str, lang: str) -> pd.DataFrame:
    """:func:`abs_tool.analysis.pool_stats.stratify` (default buckets) of the pool named
    ``pool_key``."""
    return analytics.stratify(_pool, column, lang=lang)


@st.cache_data(show_spinner=False, max_entries=16)
def eligibility(
    pool_key: str,
    _pool: Pool,
    criteria: EligibilityCriteria,
    limits: ConcentrationLimits | None,
) -> EligibilityResult:
    """:func:`abs_tool.model.eligibility.apply_eligibility` on the pool named ``pool_key``."""
    return apply_eligibility(_pool, criteria, limits)


@st.cache_data(show_spinner=False)
def sample_deal(name: str) -> Deal:
    """The built-in sample deal ``name`` (:func:`abs_tool.io.dealfile.load_sample_deal`)."""
    return dealfile.load_sample_deal(name)


@st.cache_data(show_spinner=False, max_entries=8)
def deal_pool(source: PoolSource, _deal: Deal) -> tuple[Pool, EligibilityResult | None]:
    """The pool of ``_deal`` (:func:`abs_tool.io.dealfile.load_deal_pool`), keyed on its pool
    section ``source`` alone, with no file read (``allow_files=False``): a deal may come from
    an upload. (Class sizes that do not fit the pool are refused again by :func:`prepared`.)
    """
    return dealfile.load_deal_pool(_deal, None, allow_files=False)


@st.cache_resource(show_spinner=False, max_entries=8)
def prepared(deal: Deal, pool_key: str, _pool: Pool) -> PreparedDeal:
    """:func:`abs_tool.engine.deterministic.prepare_deal` of ``deal`` on the pool named
    ``pool_key``."""
    return _prepare_deal(deal, _pool)


def deterministic_part(deal: Deal) -> Deal:
    """``deal`` with the inputs only the Monte Carlo reads set to their defaults
    (:meth:`~abs_tool.model.deal.Deal.deterministic_inputs`: the library declares which).

    Deterministic scenarios and break-even rates are cached under this key, so a changed
    correlation or path count reruns the simulation only.
    """
    return deal.deterministic_inputs()


@st.cache_data(show_spinner=False, max_entries=64)
def scenario(
    deal: Deal, pool_key: str, scenario: Scenario, _prepared: PreparedDeal
) -> ScenarioResult:
    """:func:`~abs_tool.engine.deterministic.run_scenario` of ``deal`` on the pool ``pool_key``;
    ``deal`` is the key (:func:`deterministic_part` of the prepared deal's)."""
    return _run_scenario(_prepared, scenario)


@st.cache_data(show_spinner=False, max_entries=8)
def quantile_path(deal: Deal, pool_key: str, quantile: float,
                  _prepared: PreparedDeal) -> PickedPath:
    """:func:`~abs_tool.analysis.inspector.monte_carlo_path` of ``deal`` (the whole deal:
    its run settings pick the paths) on the pool ``pool_key`` at ``quantile``."""
    from abs_tool.analysis.inspector import monte_carlo_path

    return monte_carlo_path(_prepared, quantile)


@st.cache_data(show_spinner=False, max_entries=16)
def break_evens(deal: Deal, pool_key: str, _prepared: PreparedDeal) -> tuple[BreakEven, ...]:
    """:func:`~abs_tool.analysis.break_even.break_even` of ``deal`` (key as :func:`scenario`)."""
    return break_even_search.break_even(_prepared)


class _NotStoredError(Exception):
    """:func:`_stored_monte_carlo` holds no result for these inputs yet."""


@st.cache_data(show_spinner=False, max_entries=16)
def _stored_monte_carlo(
    deal: Deal, pool_key: str, _result: MonteCarloResult | None = None
) -> MonteCarloResult:
    """The Monte Carlo result stored for ``deal`` on the pool ``pool_key``.

    The simulation runs outside the cached function (:func:`monte_carlo`) because its
    progress bar lives outside: Streamlit would record the bar's updates as part of the
    cached function and replay them. So this function only stores: called without
    ``_result`` it raises :class:`_NotStoredError` (an exception is never cached); called with
    it, it keeps it.
    """
    if _result is None:
        raise _NotStoredError
    return _result


def cached_monte_carlo(deal: Deal, pool_key: str) -> MonteCarloResult | None:
    """The Monte Carlo result of ``deal`` (its own run settings) on the pool ``pool_key``, if
    it was run (by any session: the cache returns a copy)."""
    try:
        return _stored_monte_carlo(deal, pool_key)
    except _NotStoredError:
        return None


def monte_carlo(
    deal: Deal,
    pool_key: str,
    prepared_deal: PreparedDeal,
    progress: Callable[[int, int], None],
    cancel: threading.Event,
    executor: Executor | None = None,
) -> MonteCarloResult:
    """Run :func:`abs_tool.engine.montecarlo.run_monte_carlo` of ``deal`` on the pool ``pool_key``
    (on ``executor``: None, this process's threads) and store the result for
    :func:`cached_monte_carlo`. The numbers do not depend on the executor, so neither does
    the key.

    Raises
    ------
    abs_tool.engine.montecarlo.CancelledError
        When ``cancel`` was set during the run (nothing is stored).
    """
    result = simulation.run_monte_carlo(prepared_deal, progress=progress, cancel=cancel,
                                        executor=executor)
    return _stored_monte_carlo(deal, pool_key, result)


@st.cache_data(show_spinner=False, max_entries=16)
def analysis(
    deal: Deal, pool_key: str, _prepared: PreparedDeal, _result: MonteCarloResult,
    _break_evens: tuple[BreakEven, ...],
) -> DealAnalysis:
    """:func:`~abs_tool.analysis.deal_analysis.analyse` of ``deal`` on the pool ``pool_key``
    with its Monte Carlo result and its break-evens (:func:`break_evens`, cached on the
    deterministic part of the deal: a changed correlation does not search them again)."""
    return deal_analysis.analyse(_prepared, monte_carlo=_result, break_evens=_break_evens)


@st.cache_data(show_spinner=False, max_entries=8)
def term_sheet(
    deal: Deal,
    pool_key: str,
    lang: str,
    money_unit: str,
    sized_with: StructuringSettings | None,
    _analysis: DealAnalysis,
    _sized: StructuringResult | None = None,
) -> bytes:
    """The Excel term sheet (:mod:`abs_tool.report.excel`) of ``deal`` on the pool
    ``pool_key`` (``_analysis``: :func:`analysis`), in ``lang`` with Chinese amounts in
    ``money_unit`` (万元 or 亿元); with the sizing of ``deal``
    run with ``sized_with`` on its Structuring sheet when there is one."""
    from abs_tool import build_term_sheet_inputs, term_sheet_bytes

    tables = None if _sized is None else report.structuring_tables(_sized, lang=lang,
                                                                   money_unit=money_unit)
    return term_sheet_bytes(build_term_sheet_inputs(_analysis, structuring=tables), lang=lang,
                            money_unit=money_unit)


@dataclass(frozen=True)
class StructuringSettings:
    """The Structuring page's settings (hashable: a cache key)."""

    criterion: str
    paths: int
    seed: int
    size_step_share: float
    retained_share: float
    min_class_share: float
    fixed: tuple[str, ...]
    price: bool


@st.cache_data(show_spinner=False, max_entries=8)
def _stored_structuring(
    deal: Deal, pool_key: str, settings: StructuringSettings,
    _result: StructuringResult | None = None,
) -> StructuringResult:
    """Stores a sizing like :func:`_stored_monte_carlo` stores a simulation (the sizing's
    progress bar lives outside the cached function)."""
    if _result is None:
        raise _NotStoredError
    return _result


def cached_structuring(deal: Deal, pool_key: str,
                       settings: StructuringSettings) -> StructuringResult | None:
    """The sizing of ``deal`` on the pool ``pool_key`` with ``settings``, if it was run."""
    try:
        return _stored_structuring(deal, pool_key, settings)
    except _NotStoredError:
        return None


def structuring(
    deal: Deal,
    pool_key: str,
    settings: StructuringSettings,
    pool: Pool,
    progress: Callable[[int, str], None],
    cancel: threading.Event,
    executor: Executor | None = None,
) -> StructuringResult:
    """Run :func:`abs_tool.analysis.structuring.structure_deal` (on ``executor``, as
    :func:`monte_carlo`) and store the result for :func:`cached_structuring`.

    Raises
    ------
    abs_tool.engine.montecarlo.CancelledError
        When ``cancel`` was set during the run (nothing is stored).
    """
    from abs_tool import structure_deal

    result = structure_deal(
        deal, pool, criterion=settings.criterion, paths=settings.paths, seed=settings.seed,
        size_step_share=settings.size_step_share, retained_share=settings.retained_share,
        min_class_share=settings.min_class_share, fixed=settings.fixed,
        price=settings.price, progress=progress, cancel=cancel, executor=executor)
    return _stored_structuring(deal, pool_key, settings, result)


SensitivityKey = tuple[tuple[str, tuple[float, ...]], tuple[str, tuple[float, ...]], bool, int]
"""(first axis, second axis, size afresh in each cell, paths)."""


@st.cache_data(show_spinner=False, max_entries=8)
def _stored_sensitivity(
    sized: Deal, pool_key: str, settings: StructuringSettings, key: SensitivityKey,
    _grid: pd.DataFrame | None = None,
) -> pd.DataFrame:
    if _grid is None:
        raise _NotStoredError
    return _grid


def cached_sensitivity(sized: Deal, pool_key: str, settings: StructuringSettings,
                       key: SensitivityKey) -> pd.DataFrame | None:
    """The sensitivity grid of the sized deal, if it was run."""
    try:
        return _stored_sensitivity(sized, pool_key, settings, key)
    except _NotStoredError:
        return None


def sensitivity(sized: Deal, pool_key: str, settings: StructuringSettings,
                key: SensitivityKey, pool: Pool,
                executor: Executor | None = None) -> pd.DataFrame:
    """:func:`abs_tool.analysis.structuring.sensitivity_grid` of the sized deal (its cells
    on ``executor``, as :func:`monte_carlo`), stored."""
    from abs_tool import sensitivity_grid

    x, y, resize, paths = key
    grid = sensitivity_grid(sized, pool, x, y, resize=resize, criterion=settings.criterion,
                            paths=paths, seed=settings.seed, executor=executor)
    return _stored_sensitivity(sized, pool_key, settings, key, grid)


# --- Static pools and stress tests -----------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=4)
def sample_static_pool(name: str) -> StaticPoolData:
    """:func:`abs_tool.io.static_pool_samples.sample_static_pool` with its default seed."""
    from abs_tool import sample_static_pool as sample

    return sample(name)


@st.cache_data(show_spinner=False, max_entries=8)
def inspect_static_pool(data: bytes, file_name: str
                        ) -> tuple[StaticPoolData | None, ValidationReport]:
    """:func:`abs_tool.io.static_pool.inspect_static_pool` of uploaded bytes (shape detected
    from the columns), keyed on the bytes."""
    from abs_tool import inspect_static_pool as inspect

    return inspect(data, file_name=file_name)


@st.cache_data(show_spinner=False, max_entries=16)
def static_pool_analysis(key: str, _data: StaticPoolData, weighting: str) -> StaticPoolAnalysis:
    """:func:`abs_tool.analysis.static_pool.analyse_static_pool` of the data named ``key``."""
    from abs_tool import analyse_static_pool

    return analyse_static_pool(_data, weighting=weighting)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False, max_entries=8)
def stress(
    deal: Deal, pool_key: str, scenarios: tuple[StressScenario, ...],
    multiples: RatingMultiples, monte_carlo_tdr: bool, _prepared: PreparedDeal,
    _tdrs: tuple[ClassTdr, ...] | None = None,
    _executor: Executor | None = None,
) -> StressTable:
    """:func:`abs_tool.analysis.stress.stress_table` of ``deal`` on the pool ``pool_key``:
    ``deal`` is its :func:`deterministic_part` for TDRs from the multiples, the whole deal
    for the Monte Carlo's (``_tdrs``, from its analysis); a scenario a unit on
    ``_executor`` (the table does not depend on it)."""
    from abs_tool import stress_table

    return stress_table(_prepared, scenarios, multiples,
                        target_default_rates=_tdrs if monte_carlo_tdr else None,
                        executor=_executor)
