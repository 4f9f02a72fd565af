"""Session-state keys and defaults, in one place, and the one place library errors are shown.

Everything a user builds lives in ``st.session_state`` (one per browser session), never in
module globals, so two sessions never share data. Two kinds of keys:

- **Data** (:data:`DATA_DEFAULTS`): objects the pages hand to each other: the loaded deal and
  the deal rebuilt from the inputs (:mod:`ui.inputs`), the current pool and its cache key,
  the uploaded tape, the eligibility outcome and the selected pool.
- **Widgets** (:data:`WIDGET_DEFAULTS`): the value of each input, under the widget's own key,
  with its default. Pages draw inputs with ``**widget(key)``, which sets
  ``persist_state="session"``: Streamlit keeps the value when another page runs, so inputs
  survive page switches.

Later pages add their keys to these two tables.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import streamlit as st

from abs_tool import AbsToolError, Deal, Pool, StaticPoolData, StructuringResult, ValidationReport
from abs_tool.errors import render

if TYPE_CHECKING:
    from .cache import StructuringSettings

from .labels import DEFAULT_LANG, DEFAULT_MONEY_UNIT, LANG_KEY, MONEY_UNIT_KEY, lang, t

_LOG = logging.getLogger(__name__)

# --- Data keys ---------------------------------------------------------------------------------

POOL = "pool"
"""The current pool (:class:`abs_tool.model.pool.Pool`): a sample or a valid uploaded tape."""
POOL_KEY = "pool_key"
"""A string naming the current pool's content (source and options); the cache key for it."""
TAPE = "tape"
"""The last uploaded tape (:class:`LoadedTape`), kept when the page is left."""
ELIGIBILITY = "eligibility"
"""The last :class:`abs_tool.model.eligibility.EligibilityResult` applied to the current pool."""
POOL_SELECTED = "pool_selected"
"""The pool after eligibility (the current pool itself until criteria are applied)."""
POOL_SELECTED_KEY = "pool_selected_key"
"""Cache key of :data:`POOL_SELECTED`."""
ELIGIBILITY_RULES = "eligibility_rules"
"""The ``(EligibilityCriteria, ConcentrationLimits)`` behind :data:`ELIGIBILITY`."""
DEAL = "deal"
"""The deal rebuilt from the inputs on this run (:class:`abs_tool.model.deal.Deal`), or None."""
DEAL_BASE = "deal_base"
"""The loaded deal: the fields no input edits come from it (:mod:`ui.inputs`)."""
DEAL_ORIGIN = "deal_origin"
"""What was loaded: a sample deal name, or ``upload:<file name>``."""
DEAL_UPLOAD = "deal_upload_digest"
"""Digest of the deal file loaded from the uploader (loaded once, not on every run)."""
PROBLEMS = "deal_problems"
"""``{input key: [message, ...]}`` of the current inputs ("" for fields without an input)."""
CANCELLED = "mc_cancelled"
"""The inputs (deal, pool key) whose Monte Carlo run was cancelled, until Run is pressed."""
SIZED_LOADED = "sized_loaded"
"""True for one run after the Structuring page loaded its sized deal into the inputs."""
SIZED_ADOPTED = "sized_adopted"
"""``(deal, pool key, settings, result)``: the sizing whose structure "Use this structure"
loaded, with the deal the inputs made of it; it stays that deal's sizing (Structuring page,
term sheet) while the inputs give that deal, the pool and the settings (:func:`adopted_sizing`),
or None."""
NEW_DEAL = "new_deal"
"""``(NewDeal, origin, tape key)`` of the last deal a tape started on the Pool page
(:func:`abs_tool.analysis.new_deal.new_deal_for_pool`), or None; its notes are shown while
that deal is loaded."""
NEW_DEAL_ERROR = "new_deal_error"
"""The message of a new deal the library refused, for one run, or None."""
STATIC_POOL_UPLOAD = "static_pool_loaded"
"""The last uploaded static-pool file (:class:`LoadedStaticPool`), kept when the page is left."""
BASE_CASE_APPLIED = "base_case_applied"
"""``(before, after)`` assumptions for one run after the Static pool page made its base case
the deal's."""
STATIC_POOL_ANALYSIS = "static_pool_analysis"
"""The Static pool page's last analysis, for the term sheet's Static pool analysis sheet, or
None."""
STRESS = "stress_result"
"""``(inputs key, StressTable)`` of the last stress-test run."""
DASK = "dask_executor"
"""The session's Dask executor (:class:`ui.run.SessionExecutor`), or None: one per session."""

DATA_DEFAULTS: dict[str, Any] = {
    ELIGIBILITY_RULES: None,
    DEAL: None,
    DEAL_BASE: None,
    DEAL_ORIGIN: None,
    DEAL_UPLOAD: None,
    PROBLEMS: {},
    CANCELLED: None,
    SIZED_LOADED: False,
    SIZED_ADOPTED: None,
    NEW_DEAL: None,
    NEW_DEAL_ERROR: None,
    STATIC_POOL_UPLOAD: None,
    STATIC_POOL_ANALYSIS: None,
    BASE_CASE_APPLIED: None,
    STRESS: None,
    DASK: None,
    POOL: None,
    POOL_KEY: None,
    TAPE: None,
    ELIGIBILITY: None,
    POOL_SELECTED: None,
    POOL_SELECTED_KEY: None,
}

# --- Widget keys and their defaults --------------------------------------------------------

WIDGET_DEFAULTS: dict[str, Any] = {
    LANG_KEY: DEFAULT_LANG,
    MONEY_UNIT_KEY: DEFAULT_MONEY_UNIT,
    "deal_sample": "consumer",
    # Pool page ("deal": the pool the loaded deal names)
    "pool_source": "deal",
    "tape_sheet": "",
    "tape_rate_unit": "decimal",
    "strat_column": "grade",
    "elig_min_balance": None,
    "elig_max_balance": None,
    "elig_min_rate": None,
    "elig_max_rate": None,
    "elig_min_remaining_term_months": None,
    "elig_max_remaining_term_months": None,
    "elig_allowed_grades": None,
    "elig_allowed_regions": None,
    "elig_allowed_industries": None,
    "elig_max_obligor_share": None,
    "elig_max_region_share": None,
    "elig_max_industry_share": None,
    # Assumptions and Structure pages: None here, the value comes from the loaded deal
    # (ui.inputs.load).
    **dict.fromkeys((
        "as_default_kind", "as_pd_multiplier", "as_cdr", "as_lifetime_rate", "as_timing",
        "as_correlation", "as_copula", "as_t_dof", "as_recovery", "as_lag", "as_cpr",
        "as_recovery_tape",
        "run_paths", "run_seed", "run_is", "st_reserve_initial", "st_reserve_target",
        "st_reserve_floor", "st_revolving", "st_principal_mode", "st_turbo", "st_cleanup_on",
        "st_cleanup", "st_benchmark", "sz_pricing_on", "sz_spread_wals",
        "st_loss_timing", "st_reinstate", "st_excess_use", "st_cover_limit", "st_haircut",
        # Floating coupons and the step-up (issue 16 item 4b).
        "st_cleanup_exercised", "as_benchmark_name",
        # Liquidity support (issue 16 item 5)
        "st_liquidity_on", "st_liquidity_initial", "st_liquidity_target", "st_liquidity_floor",
        "st_liquidity_replenish", "st_advance_on", "st_advance_limit", "st_advance_limit_share",
        "st_advance_rate",
    )),
    # Results page
    "res_stress": 2.0,
    # Structuring page
    "sz_criterion": "el",
    "sz_paths": 20_000,
    "sz_seed": 1,
    "sz_step": 0.1,  # percent of the pool
    "sz_retained": 5.0,  # percent of the pool
    "sz_min_class": 1.0,  # percent of the pool
    "sz_fixed": [],  # names of classes held at their size
    "sz_price": True,
    "sz_axis1": "default_multiplier",
    "sz_values1": "1, 1.5, 2",
    "sz_axis2": "correlation",
    "sz_values2": "0.1, 0.15, 0.2",
    "sz_resize": False,
    # Cash flows page
    "cf_cdr_on": False,
    "cf_cdr": 0.05,
    "cf_cpr": None,
    "cf_recovery": None,
    "cf_lag": None,
    "cf_multiplier": 1.0,
    # Deal page: None here, the value comes from the loaded deal (ui.pages.deal.fill).
    **dict.fromkeys((
        "dl_name", "dl_cutoff", "dl_closing", "dl_first_payment", "dl_legal_final",
        "dl_business_day_convention", "dl_day_count", "dl_originator", "dl_servicer",
        "dl_manager", "dl_trustee", "dl_lead_underwriter", "dl_rating_agencies",
        "dl_payment_frequency_months",  # deal payment frequency (issue 16 item 4b)
    )),
    # Pool page, a new tape's deal: fixed fee amounts scaled to the new pool or kept
    "nd_fixed": "scale",
    # Static pool page
    "sp_source": "consumer",
    "sp_weighting": "balance",
    # Stress tests page
    "ss_tdr_source": "multiples",
    # Sidebar: run on a Dask cluster (off by default)
    "dask_on": False,
    "dask_address": "local:2",
}

# Language each labelled option widget was last drawn in (see `widget`).
_DRAWN_IN = "_drawn_in_lang"


@dataclass(frozen=True)
class LoadedStaticPool:
    """An uploaded static-pool file after validation: ``data`` is None when it has errors."""

    file_name: str
    key: str
    data: StaticPoolData | None
    report: ValidationReport


@dataclass(frozen=True)
class LoadedTape:
    """An uploaded tape after validation: ``pool`` is None when it has errors."""

    file_name: str
    key: str
    pool: Pool | None
    report: ValidationReport


def init() -> None:
    """Put every data key in session state (run first, every run)."""
    for key, value in DATA_DEFAULTS.items():
        st.session_state.setdefault(key, value)


def default(key: str) -> Any:
    """The default value of the input ``key`` (:data:`WIDGET_DEFAULTS`)."""
    return WIDGET_DEFAULTS[key]


def widget(key: str, *, labelled: bool = False) -> dict[str, Any]:
    """Keyword arguments for the input ``key``: its key, kept for the whole session.

    ``labelled=True`` marks a radio or selectbox whose options are shown through labels:
    when the language changed since it was last drawn, its value is sent again, or the
    browser would keep showing the option's text in the old language. Such a widget takes
    ``index=index(key, options)``. (On that run Streamlit may log, once per server, that
    the value came both from ``index`` and session state; both are the same value.)

    Raises KeyError for a key missing from :data:`WIDGET_DEFAULTS` (every input is listed).
    """
    if key not in WIDGET_DEFAULTS:
        raise KeyError(f"widget key {key!r} is not in ui.state.WIDGET_DEFAULTS")
    if labelled:
        drawn_in = st.session_state.setdefault(_DRAWN_IN, {})
        if key in st.session_state and drawn_in.get(key, lang()) != lang():
            st.session_state[key] = st.session_state[key]
        drawn_in[key] = lang()
    return {"key": key, "persist_state": "session"}


def index(key: str, options: Sequence[Any]) -> int:
    """``index`` for the radio or selectbox ``key``: the position of its value in ``options``
    (the value in session state, else the default). Never None, which would make the
    choice clearable."""
    value = st.session_state.get(key, WIDGET_DEFAULTS[key])
    return list(options).index(value)


def set_pool(pool: Pool, key: str) -> Pool:
    """Make ``pool`` the current pool unless the pool named ``key`` already is.

    A new pool clears the eligibility outcome (the selected pool becomes the new pool).
    Returns the current pool (the one stored, so later runs reuse the same object).
    """
    if st.session_state.get(POOL_KEY) != key:
        st.session_state[POOL] = pool
        st.session_state[POOL_KEY] = key
        st.session_state[ELIGIBILITY] = None
        st.session_state[ELIGIBILITY_RULES] = None
        st.session_state[POOL_SELECTED] = pool
        st.session_state[POOL_SELECTED_KEY] = key
    current: Pool = st.session_state[POOL]
    return current


def set_selection(result: Any, key: str, rules: tuple[Any, Any]) -> None:
    """Store an eligibility outcome, the ``(criteria, limits)`` behind it, and make its pool
    the selected pool."""
    st.session_state[ELIGIBILITY] = result
    st.session_state[ELIGIBILITY_RULES] = rules
    st.session_state[POOL_SELECTED] = result.pool
    st.session_state[POOL_SELECTED_KEY] = key


def adopted_sizing(deal: Deal, pool_key: str, settings: StructuringSettings
                   ) -> StructuringResult | None:
    """The sizing "Use this structure" loaded (:data:`SIZED_ADOPTED`) when ``deal`` is the
    deal it loaded, on the same pool and settings; else None. The loaded deal is not the
    sizing's own deal bit for bit (its sizes pass through the inputs), so the cache, keyed on
    the deal, does not find the sizing under it."""
    adopted = st.session_state.get(SIZED_ADOPTED)
    if adopted is None or adopted[:3] != (deal, pool_key, settings):
        return None
    result: StructuringResult = adopted[3]
    return result


@contextmanager
def guard(where: Any = None) -> Iterator[None]:
    """Run a page (or the sidebar) so that no failure shows a traceback or a server path.

    A library error (:class:`AbsToolError`) shows its message, as :func:`show_errors` does.
    Anything else is a bug: its traceback goes to the server log under a short reference,
    and the user sees only that reference (``client.showErrorDetails`` is "none" too, for
    whatever escapes this). ``Exception``, not ``BaseException``: Streamlit stops and
    reruns scripts with exceptions outside that family, which must pass.
    """
    try:
        with show_errors(where):
            yield
    except Exception:
        reference = secrets.token_hex(4)
        _LOG.exception("the app failed (reference %s)", reference)
        (st if where is None else where).error(t("app.internal_error").format(
            reference=reference))


@contextmanager
def show_errors(where: Any = None) -> Iterator[None]:
    """Show a library error (:class:`AbsToolError`) as ``st.error(message)``, in ``where``.

    The one place the UI catches library errors: the message says what is wrong and how to
    fix it. Any other exception is a bug and propagates (to :func:`guard`, which logs it and
    shows a reference). Code after the ``with`` block runs
    in both cases, so set a result to None before the block and test it after.
    """
    try:
        yield
    except AbsToolError as exc:
        (st if where is None else where).error(render(exc, lang()))
