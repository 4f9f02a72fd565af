"""AppTest of the Deal page's payment frequency (issue 16 item 4b): the select shows the
loaded deal's frequency, in English and in Chinese, and a choice reaches the deal every page
runs and its deal file."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from abs_tool.io.dealfile import deal_from_json, deal_json
from ui import state

DEAL_PAGE = "ui/pages/deal.py"
Start = Callable[..., AppTest]


def no_problem(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_quarterly_reaches_the_deal_and_its_file(app: Start) -> None:
    at = app(DEAL_PAGE)
    no_problem(at)
    select = at.selectbox(key="dl_payment_frequency_months")
    assert select.value == "1"
    assert select.options == ["monthly", "quarterly (every 3 months)",
                              "semi-annually (every 6 months)"]
    select.set_value("3").run()
    no_problem(at)
    assert not list(at.error)
    dates = at.session_state[state.DEAL_BASE].dates
    assert dates.payment_frequency_months == 3
    assert deal_from_json(deal_json(at.session_state[state.DEAL_BASE])).dates == dates


def test_the_choices_in_chinese(app: Start) -> None:
    at = app(DEAL_PAGE, lang="zh")
    no_problem(at)
    select = at.selectbox(key="dl_payment_frequency_months")
    assert select.label == "兑付频率"
    assert select.options == ["按月", "按季兑付(每3个月)", "按半年兑付(每6个月)"]
