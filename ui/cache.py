"""Cached wrappers around the slow library calls, keyed on hashable inputs.

Reruns and page switches reuse results instead of recomputing. Keys are the inputs that
determine a result: a sample name and seed, uploaded bytes and read options, a frozen
:class:`~abs_tool.deal.Deal` and :class:`~abs_tool.engine.Scenario`. A pool is passed with
the string that names its content (``pool_key``) and as ``_pool``, which Streamlit does not
hash (a leading underscore): the key stands for it.

``st.cache_data`` returns a fresh copy per call, so a session can never alter another's
result. ``st.cache_resource`` is used only for :class:`~abs_tool.engine.PreparedDeal`, which
is immutable and expensive to copy; its arrays are never written.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from abs_tool import analytics, dealfile, engine, samples, tape
from abs_tool.analytics import PoolSummary
from abs_tool.deal import Deal
from abs_tool.eligibility import (
    ConcentrationLimits,
    EligibilityCriteria,
    EligibilityResult,
    apply_eligibility,
)
from abs_tool.engine import BreakEven, PreparedDeal, Scenario, ScenarioResult
from abs_tool.errors import ValidationReport
from abs_tool.pool import Pool


def sample_key(name: str, seed: int = samples.DEFAULT_SEED) -> str:
    """The ``pool_key`` of a built-in sample pool."""
    return f"sample:{name}:{seed}"


@st.cache_data(show_spinner=False, max_entries=8)
def sample_pool(name: str, seed: int = samples.DEFAULT_SEED) -> Pool:
    """:func:`abs_tool.samples.sample_pool` with its default size."""
    return samples.sample_pool(name, seed=seed)


@st.cache_data(show_spinner=False, max_entries=8)
def inspect_tape(
    data: bytes, file_name: str, sheet: str | None, rate_unit: str
) -> tuple[Pool | None, ValidationReport]:
    """:func:`abs_tool.tape.inspect_tape` of uploaded bytes, keyed on the bytes and options."""
    return tape.inspect_tape(data, file_name=file_name, sheet=sheet,
                             rate_unit=rate_unit)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False, max_entries=32)
def pool_summary(pool_key: str, _pool: Pool) -> PoolSummary:
    """:func:`abs_tool.analytics.pool_summary` of the pool named ``pool_key``."""
    return analytics.pool_summary(_pool)


@st.cache_data(show_spinner=False, max_entries=64)
def stratify(pool_key: str, _pool: Pool, column: str, lang: str) -> pd.DataFrame:
    """:func:`abs_tool.analytics.stratify` (default buckets) of the pool named ``pool_key``."""
    return analytics.stratify(_pool, column, lang=lang)


@st.cache_data(show_spinner=False, max_entries=16)
def eligibility(
    pool_key: str,
    _pool: Pool,
    criteria: EligibilityCriteria,
    limits: ConcentrationLimits | None,
) -> EligibilityResult:
    """:func:`abs_tool.eligibility.apply_eligibility` on the pool named ``pool_key``."""
    return apply_eligibility(_pool, criteria, limits)


@st.cache_data(show_spinner=False)
def sample_deal(name: str) -> Deal:
    """The built-in sample deal ``name`` (:func:`abs_tool.dealfile.load_sample_deal`)."""
    return dealfile.load_sample_deal(name)


@st.cache_resource(show_spinner=False, max_entries=8)
def deal_on_own_pool(deal: Deal) -> PreparedDeal:
    """``deal`` prepared on the pool it names (no files read: ``allow_files=False``)."""
    pool, _ = dealfile.load_deal_pool(deal, None, allow_files=False)
    return engine.prepare_deal(deal, pool)


@st.cache_data(show_spinner=False, max_entries=64)
def scenario(
    deal: Deal, pool_key: str, scenario: Scenario, _prepared: PreparedDeal
) -> ScenarioResult:
    """:func:`abs_tool.engine.run_scenario` of ``deal`` on the pool named ``pool_key``."""
    return engine.run_scenario(_prepared, scenario)


@st.cache_data(show_spinner=False, max_entries=16)
def break_evens(deal: Deal, pool_key: str, _prepared: PreparedDeal) -> tuple[BreakEven, ...]:
    """:func:`abs_tool.engine.break_even` of ``deal`` on the pool named ``pool_key``."""
    return engine.break_even(_prepared)
