"""Stress tests page (issue 17 item 5): the indicative scenarios and multiples give the table
:func:`stress_table` gives run directly (BDRs, TDRs, pass/fail, highest ratings), in English
and Chinese; an edited scenario the library refuses is named by row and field; the Monte
Carlo's TDRs are used once the deal has been run."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from abs_tool import load_deal_pool, load_sample_deal, prepare_deal, stress_table
from abs_tool.analysis.stress import DEFAULT_SCENARIOS
from ui import labels, state

Start = Callable[..., AppTest]
PAGE = "ui/pages/stress.py"


def label(key: str, lang: str) -> str:
    return labels.LABELS[key][labels.LANGS.index(lang)]


@pytest.fixture(scope="module")
def expected():
    deal = load_sample_deal("consumer")
    pool, _ = load_deal_pool(deal, None)
    return stress_table(prepare_deal(deal, pool), DEFAULT_SCENARIOS)


def results(at: AppTest, lang: str):
    return next(d.value for d in at.dataframe if label("ss.col.bdr", lang) in d.value)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_indicative_table_is_the_library_s(app: Start, expected, lang: str) -> None:
    at = app(PAGE, lang=lang)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.dataframe or all(label("ss.col.bdr", lang) not in d.value
                                   for d in at.dataframe)  # nothing runs before the button
    at.button(key="ss_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    table = results(at, lang)
    records = expected.records()
    assert len(table) == len(records) == 8 * 3
    assert table[label("ss.col.bdr", lang)].tolist() == [r["bdr"] for r in records]
    for rating in ("AAA", "AA", "A", "BBB"):
        assert table[rating].tolist() == [r[f"tdr_{rating}"] for r in records]
    assert table[label("ss.col.highest", lang)].tolist() == [r["highest"] for r in records]
    # Scenario names in the page's language, classes as the deal names them.
    assert table[label("ss.col.scenario", lang)].iloc[0] == label("ss.name.base", lang)
    shown = {m.label: m.value for m in at.metric}
    for name, rating in expected.highest_ratings().items():
        assert shown[name] == rating
    assert len(at.get("vega_lite_chart")) == 1
    # Switching pages and back shows the same table without running again.
    at.switch_page("ui/pages/results.py").run()
    at.switch_page(PAGE).run()
    assert results(at, lang)[label("ss.col.bdr", lang)].tolist() == [r["bdr"] for r in records]


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "Row 4, CPR multiplier: must be a number >= 0 (got -1.0)"),
    ("zh", "第 4 行,早偿率倍数:须为不小于 0 的数"),
])
def test_an_invalid_scenario_names_its_row_and_field(app: Start, lang: str,
                                                     message: str) -> None:
    at = app(PAGE, lang=lang)
    at.session_state["ss_scenarios"] = {"edited_rows": {3: {"cpr_multiplier": -1.0}},
                                        "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [message]
    assert not [b for b in at.button if b.key == "ss_run"]


def test_a_repeated_name_and_bad_multiples_are_refused(app: Start) -> None:
    at = app(PAGE)
    at.session_state["ss_scenarios"] = {"edited_rows": {1: {"name": "base"}},
                                        "added_rows": [], "deleted_rows": []}
    at.session_state["ss_multiples"] = {"edited_rows": {0: {"multiple": 1.0}},
                                        "added_rows": [], "deleted_rows": []}
    at.run()
    errors = [e.value for e in at.error]
    assert errors[0].startswith("Row 2, Scenario: repeats the name 'base'")
    assert errors[1].startswith("Default multiples: multiples['AAA']: 1 is below AA's 3.5")


def test_the_monte_carlo_tdr_once_the_deal_has_run(app: Start, expected) -> None:
    at = app(PAGE)
    at.radio(key="ss_tdr_source").set_value("monte_carlo").run()
    assert at.info[0].value == label("ss.no_run", "en")
    at.switch_page("ui/pages/results.py").run()  # the Monte Carlo of the deal
    at.switch_page(PAGE).run()
    at.button(key="ss_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    table = results(at, "en")
    stored = at.session_state[state.STRESS][1]
    assert stored.tdr_source == "monte_carlo"
    for rating in stored.scenarios[0].classes[0].ratings:  # the table shows those TDRs
        assert table[rating].tolist() == [c.tdr_by_rating()[rating]
                                          for row in stored.scenarios for c in row.classes]
    # BDRs do not depend on the TDR source.
    assert table[label("ss.col.bdr", "en")].tolist() == [r["bdr"] for r in expected.records()]


def test_the_indicative_names_follow_the_language_and_edits_stay(app: Start) -> None:
    at = app(PAGE)
    at.session_state["lang"] = "zh"
    at.run()
    names = at.session_state["stress_scenarios_table"]["name"].tolist()
    assert names == [label(f"ss.name.{s.name}", "zh") for s in DEFAULT_SCENARIOS]
    # An edited table is the user's: a change of language leaves it as it is.
    at.session_state["ss_scenarios"] = {"edited_rows": {3: {"cpr_multiplier": 3.0}},
                                        "added_rows": [], "deleted_rows": []}
    at.run()
    at.switch_page("ui/pages/assumptions.py").run()  # the editor's own state is dropped
    at.session_state["lang"] = "en"
    at.switch_page(PAGE).run()
    table = at.session_state["stress_scenarios_table"]
    assert table["name"].iloc[0] == label("ss.name.base", "zh")
    assert table["cpr_multiplier"].iloc[3] == 3.0
