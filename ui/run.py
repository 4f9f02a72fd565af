"""Run the current deal: the Monte Carlo (with a progress bar and a Cancel button), the
break-even default rates and the deal's analysis (ratings, cost of funds, scenarios), each
cached on the inputs it depends on (:mod:`ui.cache`). The Results and Export pages share it,
so switching between them never reruns anything.

Where the Monte Carlo and the sizing runs execute: this process's threads, or the Dask
cluster named in the sidebar (:func:`connect`, :func:`executor`). One executor per browser
session, opened once and kept (a LocalCluster per run would cost seconds each time), closed
when the sidebar field is switched off or changed, or when the session ends.
"""

from __future__ import annotations

import contextlib
import importlib.util
import threading
import weakref
from dataclasses import dataclass
from typing import Any

import streamlit as st

from abs_tool import CancelledError, DealAnalysis, MonteCarloResult, PreparedDeal
from abs_tool.engine.executor import (
    INSTALL_HINT,
    DaskExecutor,
    Executor,
    ExecutorError,
    open_executor,
    parse_spec,
)
from abs_tool.limits import MAX_WORKERS

from . import cache, format as fmt, inputs, state
from .labels import lang, t


class SessionExecutor:
    """The executor a spec names, opened for one session: :attr:`executor` when it opened,
    else :attr:`error` says why. A failure is kept too, so that a scheduler out of reach is
    not waited for on every rerun (the sidebar offers to try again)."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.executor: Executor | None = None
        self._problem: tuple[str, dict[str, object], str] | None = None
        self._stack = contextlib.ExitStack()
        # Closed with the session too (its state is dropped): a LocalCluster's processes
        # must not outlive it.
        self._finalizer = weakref.finalize(self, self._stack.close)
        try:
            parse_spec(spec)
        except ExecutorError as err:
            self._problem = ("dask.bad_spec", {"max": MAX_WORKERS}, str(err))
            return
        if importlib.util.find_spec("distributed") is None:
            self._problem = ("dask.missing", {"command": INSTALL_HINT}, "")
            return
        try:
            self.executor = self._stack.enter_context(open_executor(spec))
        # Out of reach, not a scheduler, workers of another version (ExecutorError); a
        # cluster that failed while starting or connecting (OSError, TimeoutError from Dask).
        except (ExecutorError, OSError, TimeoutError) as err:
            self._problem = ("dask.failed", {"detail": str(err)}, "")

    @property
    def error(self) -> str | None:
        """Why the executor did not open, in the chosen language (None when it did). A bad
        spec shows the library's own message in English, which names what was given."""
        if self._problem is None:
            return None
        key, params, english = self._problem
        return english if english and lang() == "en" else t(key).format(**params)

    @property
    def where(self) -> str:
        """Where runs execute, in the chosen language."""
        if isinstance(self.executor, DaskExecutor):
            return t("dask.connected").format(address=self.executor.address,
                                              workers=self.executor.workers)
        return t("dask.threads")

    def close(self) -> None:
        self._finalizer()


def connect(spec: str | None) -> SessionExecutor | None:
    """Open the session's executor for ``spec`` (None: this process's threads), reusing the
    one already open for the same spec and closing one for another."""
    held: SessionExecutor | None = st.session_state.get(state.DASK)
    if held is not None and held.spec == spec:
        return held
    if held is not None:
        held.close()
        st.session_state[state.DASK] = None
    if spec is None:
        return None
    opened = SessionExecutor(spec)
    st.session_state[state.DASK] = opened
    return opened


def executor() -> Executor | None:
    """Where this session's runs execute: the Dask executor the sidebar opened, or None
    (this process's threads; also while the sidebar's cluster failed to open)."""
    held: SessionExecutor | None = st.session_state.get(state.DASK)
    return None if held is None else held.executor


@dataclass(frozen=True)
class Outcome:
    """Everything the Results and Export pages show of one run: its inputs, the prepared
    deal (for the pages' own scenarios) and the analysis, which always has the Monte Carlo
    result (:attr:`monte_carlo`)."""

    inputs: inputs.RunInputs
    prepared: PreparedDeal
    analysis: DealAnalysis

    @property
    def monte_carlo(self) -> MonteCarloResult:
        result = self.analysis.monte_carlo
        assert result is not None  # outcome() analyses a simulation
        return result


def invalid_inputs(problems: dict[str, list[str]]) -> None:
    """The deal cannot run: say so and list the problems (each names its field)."""
    st.error(t("run.invalid"))
    for messages in problems.values():
        for message in messages:
            st.markdown(f"- {message}")


def _simulate(run: inputs.RunInputs, prepared: PreparedDeal) -> MonteCarloResult | None:
    """The cached Monte Carlo result, or a run with a progress bar and a Cancel button.

    Any rerun the user causes meanwhile (Cancel, another input) stops the script at the next
    progress update; the cancel event then stops the engine's remaining work units. A
    cancelled run stays cancelled for these inputs until Run is pressed.
    """
    ss = st.session_state
    inputs_key = (run.deal, run.pool_key)
    if ss.get("mc_cancel"):
        ss[state.CANCELLED] = inputs_key
    if ss.get("mc_run"):
        ss[state.CANCELLED] = None
    if ss[state.CANCELLED] == inputs_key:
        return _cancelled()
    stored = cache.cached_monte_carlo(run.deal, run.pool_key)
    if stored is not None:
        return stored
    box = st.empty()
    with box.container():
        bar = st.progress(0.0, text=t("run.progress").format(
            done=0, paths=fmt.count(run.deal.run.paths)))
        st.button(t("run.cancel"), key="mc_cancel")
    cancel = threading.Event()

    def progress(done: int, total: int) -> None:
        try:
            bar.progress(done / total, text=t("run.progress").format(
                done=round(100 * done / total), paths=fmt.count(run.deal.run.paths)))
        except BaseException:  # Streamlit stops the script here for a rerun: stop the engine
            cancel.set()
            raise

    try:
        return cache.monte_carlo(run.deal, run.pool_key, prepared, progress, cancel,
                                 executor())
    except CancelledError:
        ss[state.CANCELLED] = inputs_key
    finally:
        box.empty()
    return _cancelled()


def _cancelled() -> None:
    st.info(t("run.cancelled"))
    st.button(t("run.run"), key="mc_run", type="primary")


def prepared_inputs() -> tuple[inputs.RunInputs, PreparedDeal] | None:
    """The current deal prepared on the selected pool; None after saying why not."""
    run = inputs.run_inputs(invalid_inputs)
    if run is None:
        return None
    prepared = None
    with state.show_errors():
        prepared = cache.prepared(run.deal, run.pool_key, run.pool)
    return None if prepared is None else (run, prepared)


def outcome() -> Outcome | None:
    """Run (or fetch) everything for the current deal; None, after saying why, when it
    cannot run or the run was cancelled."""
    chosen = prepared_inputs()
    if chosen is None:
        return None
    run, prepared = chosen
    result = _simulate(run, prepared)
    if result is None:
        return None
    break_evens = cache.break_evens(cache.deterministic_part(run.deal), run.pool_key, prepared)
    analysis = cache.analysis(run.deal, run.pool_key, prepared, result, break_evens)
    return Outcome(run, prepared, analysis)


def structuring_settings() -> cache.StructuringSettings:
    """The Structuring page's settings as they stand (their defaults before it was shown)."""
    def value(key: str) -> Any:
        return st.session_state.get(key, state.default(key))

    deal = st.session_state.get(state.DEAL_BASE)
    return cache.StructuringSettings(
        criterion=str(value("sz_criterion")), paths=int(value("sz_paths")),
        seed=int(value("sz_seed")), size_step_share=float(value("sz_step")) / 100.0,
        retained_share=float(value("sz_retained")) / 100.0,
        min_class_share=float(value("sz_min_class")) / 100.0,
        fixed=tuple(value("sz_fixed")),
        price=bool(value("sz_price")) and deal is not None and deal.pricing is not None)
