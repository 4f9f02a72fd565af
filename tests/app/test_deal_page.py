"""AppTest of the Deal page: the loaded deal's name, dates and parties fill the inputs; an edit
of the name, a date or a party reaches the deal every page runs (and its deal file); a date
out of order shows the field's message below it, in English and in Chinese, and leaves the
deal as it was; loading another deal fills the inputs afresh."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from abs_tool import load_sample_deal
from abs_tool.io.dealfile import deal_from_json, deal_json
from ui import labels, state

DEAL_PAGE = "ui/pages/deal.py"
Start = Callable[..., AppTest]


def no_problem(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_the_inputs_show_the_loaded_deal(app: Start) -> None:
    at = app(DEAL_PAGE)
    no_problem(at)
    deal = load_sample_deal("consumer")
    assert at.text_input(key="dl_name").value == deal.name
    assert at.date_input(key="dl_cutoff").value == deal.dates.cutoff
    assert at.date_input(key="dl_legal_final").value == deal.dates.legal_final
    assert at.text_input(key="dl_originator").value == deal.parties.originator
    assert at.text_input(key="dl_rating_agencies").value == ", ".join(
        deal.parties.rating_agencies)
    # 2015-10-01 to 2018-10-01: 36 monthly periods
    assert any("36 monthly periods" in c.value for c in at.caption)


def test_edits_reach_the_deal_and_its_file(app: Start) -> None:
    at = app(DEAL_PAGE)
    at.text_input(key="dl_name").set_value("  白条 2016-1 ").run()
    at.date_input(key="dl_legal_final").set_value(dt.date(2019, 4, 1)).run()
    at.text_input(key="dl_servicer").set_value("某资产服务机构").run()
    at.text_input(key="dl_rating_agencies").set_value("甲评级, 乙评级、丙评级").run()
    no_problem(at)
    assert not at.error
    base = at.session_state[state.DEAL_BASE]
    assert base.name == "白条 2016-1"  # spaces around a name are not part of it
    assert base.dates.legal_final == dt.date(2019, 4, 1)
    assert base.dates.horizon_months == 42
    assert base.parties.servicer == "某资产服务机构"
    assert base.parties.rating_agencies == ("甲评级", "乙评级", "丙评级")
    # The deal the pages run (rebuilt from the inputs) and its deal file carry them.
    at.switch_page("ui/pages/structure.py").run()
    deal = at.session_state[state.DEAL]
    assert (deal.name, deal.parties, deal.dates) == (base.name, base.parties, base.dates)
    assert deal_from_json(deal_json(deal)).parties == base.parties
    assert "白条 2016-1" in at.sidebar.caption[0].value
    # Back on the page, the inputs hold the edits (not the sample's values again).
    at.switch_page(DEAL_PAGE).run()
    assert at.text_input(key="dl_servicer").value == "某资产服务机构"


def test_convention_and_day_count(app: Start) -> None:
    at = app(DEAL_PAGE)
    at.selectbox(key="dl_business_day_convention").set_value("modified_following").run()
    at.selectbox(key="dl_day_count").set_value("ACT/365").run()
    no_problem(at)
    dates = at.session_state[state.DEAL_BASE].dates
    assert (dates.business_day_convention.value, dates.day_count.value) == (
        "modified_following", "ACT/365")


def test_a_date_out_of_order_names_the_field_in_english(app: Start) -> None:
    at = app(DEAL_PAGE)
    at.date_input(key="dl_closing").set_value(dt.date(2015, 9, 1)).run()
    no_problem(at)
    assert [e.value for e in at.error] == [
        "Closing date: must be on or after `cutoff` (2015-10-01) (got '2015-09-01')"]
    # The deal keeps its valid dates.
    assert at.session_state[state.DEAL_BASE].dates == load_sample_deal("consumer").dates


def test_a_date_out_of_order_names_the_field_in_chinese(app: Start) -> None:
    at = app(DEAL_PAGE, lang="zh")
    at.date_input(key="dl_legal_final").set_value(dt.date(2015, 9, 30)).run()
    no_problem(at)
    assert [e.value for e in at.error] == [
        "法定到期日:不得早于“首个兑付日”(2016-01-26)(实际为 '2015-09-30')"]


def test_a_revolving_period_past_the_legal_final_is_shown(app: Start) -> None:
    # The consumer deal revolves 12 months: a legal final 6 months after the cut-off is
    # refused by the deal as a whole.
    at = app(DEAL_PAGE)
    at.date_input(key="dl_legal_final").set_value(dt.date(2016, 4, 1)).run()
    no_problem(at)
    assert len(at.error) == 1
    assert "structure.revolving.months" in at.error[0].value


def test_a_party_name_on_two_lines_is_refused(app: Start) -> None:
    at = app(DEAL_PAGE)
    at.text_input(key="dl_trustee").set_value("甲银行\n乙银行").run()
    no_problem(at)
    assert len(at.error) == 1
    assert at.error[0].value.startswith(labels.LABELS["dl.trustee"][0] + ": ")


def test_loading_another_deal_fills_the_inputs(app: Start) -> None:
    at = app(DEAL_PAGE)
    at.text_input(key="dl_name").set_value("edited").run()
    at.selectbox(key="deal_sample").set_value("factoring")
    at.button(key="deal_load_sample").click().run()
    no_problem(at)
    factoring = load_sample_deal("factoring")
    assert at.text_input(key="dl_name").value == factoring.name
    assert at.text_input(key="dl_originator").value == factoring.parties.originator


def test_the_toolbar_shows_no_deploy_button() -> None:
    # Streamlit's "viewer" toolbar leaves out the Deploy button and the developer options.
    config = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"
    assert tomllib.loads(config.read_text(encoding="utf-8"))["client"]["toolbarMode"] == "viewer"
