"""The sidebar's Dask field (issue 19 item 2): off by default; an address that is not one, or a
scheduler out of reach, is a message in the page's language (never a traceback) and runs stay
on this machine's threads; ``local:1`` opens one LocalCluster for the session, the Monte Carlo
runs there with the same numbers as on threads, and switching the field off closes it."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from abs_tool.limits import MAX_WORKERS
from ui import labels, state

Start = Callable[..., AppTest]
RESULTS = "ui/pages/results.py"
STRESS = "ui/pages/stress.py"  # a light page: the sidebar alone is under test


def label(key: str, lang: str) -> str:
    return labels.LABELS[key][labels.LANGS.index(lang)]


def with_address(at: AppTest, address: str) -> AppTest:
    at.session_state["dask_on"] = True
    at.session_state["dask_address"] = address
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_off_by_default(app: Start) -> None:
    at = app(STRESS)
    assert at.sidebar.checkbox(key="dask_on").value is False
    assert at.session_state[state.DASK] is None


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_address_that_is_not_one_is_a_message(app: Start, lang: str) -> None:
    at = with_address(app(STRESS, lang=lang), "localhost:8786")
    errors = [e.value for e in at.sidebar.error]
    expected = ("expected `local`, `local:N` or a scheduler address `tcp://HOST:8786` "
                "(got 'localhost:8786')" if lang == "en"
                else label("dask.bad_spec", "zh").format(max=MAX_WORKERS))
    assert errors == [expected]
    assert at.session_state[state.DASK].executor is None


@pytest.mark.slow  # Dask retries a refused connection until its 5 s timeout
def test_a_scheduler_out_of_reach_is_a_message_within_seconds(app: Start) -> None:
    pytest.importorskip("distributed")
    started = time.perf_counter()
    at = with_address(app(STRESS), "tcp://127.0.0.1:9")  # the discard port: nothing listens
    assert time.perf_counter() - started < 15
    [error] = [e.value for e in at.sidebar.error]
    assert "could not reach the Dask scheduler at tcp://127.0.0.1:9" in error
    # Kept for the session: the next run does not wait again; runs stay on threads.
    held = at.session_state[state.DASK]
    at.run()
    assert at.session_state[state.DASK] is held
    assert held.executor is None


@pytest.mark.slow
def test_local_1_runs_the_monte_carlo_with_the_same_numbers(app: Start) -> None:
    pytest.importorskip("distributed")
    threads = app(RESULTS)
    on_threads = {m.label: m.value for m in threads.metric}
    at = app(STRESS)
    at = with_address(at, "local:1")
    held = at.session_state[state.DASK]
    assert held.executor is not None, held.error
    assert [s.value for s in at.sidebar.success] == [label("dask.connected", "en").format(
        address=held.executor.address, workers=1)]
    import streamlit as st

    st.cache_data.clear()  # the Monte Carlo runs again, on the cluster
    at.switch_page(RESULTS).run(timeout=120)
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state[state.DASK] is held  # one executor for the session
    assert {m.label: m.value for m in at.metric} == on_threads
    at.session_state["dask_on"] = False
    at.run()
    assert at.session_state[state.DASK] is None
    assert held.executor.client.status == "closed"
