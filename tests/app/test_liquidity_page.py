"""AppTest of the Structure page's liquidity support (issue 16 item 5): the liquidity
reserve and the servicer advance are switched on and edited, become the deal's fields,
a refused value is shown below its input naming the field, the page reads in Chinese,
and a deal file with them loads into the inputs."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from abs_tool.model.deal import LiquidityReplenishment, LiquidityReserve, ServicerAdvance
from ui import inputs, labels, state

Start = Callable[..., AppTest]
STRUCTURE = "ui/pages/structure.py"


def no_problem(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def deal_of(at: AppTest):
    return at.session_state[state.DEAL]


def test_the_structure_page_edits_the_liquidity_reserve_and_the_servicer_advance(
        app: Start) -> None:
    at = app(STRUCTURE)
    no_problem(at)
    assert deal_of(at).structure.liquidity_reserve is None  # the sample has none
    at.checkbox(key="st_liquidity_on").check()
    at.checkbox(key="st_advance_on").check().run()
    at.number_input(key="st_liquidity_initial").set_value(0.02)
    at.number_input(key="st_liquidity_target").set_value(0.015)
    at.number_input(key="st_liquidity_floor").set_value(1_000_000.0)
    at.selectbox(key="st_liquidity_replenish").set_value("principal")
    at.number_input(key="st_advance_limit_share").set_value(0.0)
    at.number_input(key="st_advance_limit").set_value(5_000_000.0)
    at.number_input(key="st_advance_rate").set_value(0.05).run()
    no_problem(at)
    structure = deal_of(at).structure
    assert structure.liquidity_reserve == LiquidityReserve(
        0.02, 0.015, 1_000_000.0, LiquidityReplenishment.PRINCIPAL)
    assert structure.servicer_advance == ServicerAdvance(5_000_000.0, 0.0, 0.05)
    # Both limits at once are refused, the message below the input.
    at.number_input(key="st_advance_limit_share").set_value(0.01).run()
    assert deal_of(at) is None
    assert any("servicer_advance.limit_share" in e.value for e in at.error)
    at.number_input(key="st_advance_limit").set_value(0.0).run()
    assert deal_of(at).structure.servicer_advance == ServicerAdvance(0.0, 0.01, 0.05)
    # Switched off, they are gone from the deal.
    at.checkbox(key="st_liquidity_on").uncheck()
    at.checkbox(key="st_advance_on").uncheck().run()
    structure = deal_of(at).structure
    assert structure.liquidity_reserve is None
    assert structure.servicer_advance is None


def test_the_liquidity_section_reads_in_chinese(app: Start) -> None:
    at = app(STRUCTURE, lang="zh")
    no_problem(at)
    assert labels.LABELS["st.liquidity"][1] in [s.value for s in at.subheader]
    assert at.checkbox(key="st_liquidity_on").label == "流动性储备账户"
    assert at.checkbox(key="st_advance_on").label == "资产服务机构垫付"


def test_problem_paths_of_liquidity_support_map_to_their_inputs() -> None:
    assert inputs.problem_widget("structure.liquidity_reserve.floor_amount") == (
        "st_liquidity_floor")
    assert inputs.problem_widget("structure.liquidity_reserve") == "st_liquidity_on"
    assert inputs.problem_widget("structure.servicer_advance.limit_amount") == (
        "st_advance_limit")
    assert inputs.problem_widget("structure.servicer_advance.rate_annual") == "st_advance_rate"


def test_every_replenishment_option_has_a_label_in_both_languages() -> None:
    from ui.pages import structure

    for option in structure.REPLENISHMENTS:
        english, chinese = labels.LABELS[f"opt.liquidity_replenish.{option}"]
        assert english
        assert chinese
