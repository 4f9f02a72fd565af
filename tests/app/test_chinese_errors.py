"""A library error the app shows in Chinese mode says it in Chinese, with no English word
outside the walks' allowlist (issue 18 item 3: every message translated)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from chinese_words import deal_words, english_words
from streamlit.testing.v1 import AppTest


@pytest.mark.slow
def test_a_limit_error_on_the_assumptions_page_in_chinese(app: Callable[..., AppTest]) -> None:
    at = app("ui/pages/assumptions.py", lang="zh")
    at.number_input(key="run_paths").set_value(0).run()
    shown = [e.value for e in at.error]
    assert any("应为 1 至 10,000,000 之间的整数(实际为 0)" in s for s in shown), shown
    assert all(english_words(s, deal_words()) == set() for s in shown), shown
