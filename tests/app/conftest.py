"""Fixtures for the app tests: the repository root on sys.path, fresh caches per test."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `ui` is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

APP = ROOT / "streamlit_app.py"
POOL_PAGE = "ui/pages/pool.py"
# The first run imports pandas, altair and the library (a few seconds on a busy machine).
TIMEOUT_S = 60


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    """st.cache_data / st.cache_resource outlive an AppTest: clear them around every test."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def app() -> Callable[..., AppTest]:
    """A function that starts the app on a page (the Pool page unless told; the app itself
    opens on Results) in a language, and runs it once."""

    def start(page: str = POOL_PAGE, lang: str = "en") -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
        at.session_state["lang"] = lang
        at.switch_page(page).run()
        return at

    return start
