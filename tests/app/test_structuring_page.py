"""AppTest of the Structuring page: the sizing it shows is the library's, it is cached across
page switches, "Use this structure" loads it into the inputs, the sensitivity grid runs, the
Export page's term sheet then carries it, and the page works in Chinese."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest
from streamlit.testing.v1 import AppTest

from abs_tool import load_deal_pool, load_sample_deal, structure_deal
from abs_tool.report.tables import structuring_label
from ui import labels, state

Start = Callable[..., AppTest]
STRUCTURING = "ui/pages/structuring.py"
PATHS = 4096


def en(key: str) -> str:
    return labels.LABELS[key][0]


def sized(app: Start, lang: str = "en") -> AppTest:
    """The Structuring page of the consumer deal after pressing the button."""
    at = app(STRUCTURING, lang)
    assert not at.exception, [e.value for e in at.exception]
    at.session_state["sz_paths"] = PATHS
    at.button(key="sz_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sizing_frame(at: AppTest, lang: str = "en"):
    """The sizing table (the page also draws the pricing grid's editors)."""
    header = labels.LABELS["sz.col.size_share"][0 if lang == "en" else 1]
    return next(d.value for d in at.dataframe if header in d.value.columns)


@pytest.fixture(scope="module")
def library_result():
    deal = load_sample_deal("consumer")
    pool, _ = load_deal_pool(deal, None)
    # The app opens the sample at its interactive path count, which only the Monte Carlo
    # of the Results page uses; the sizing runs with the page's own settings.
    return structure_deal(deal, pool, paths=PATHS, seed=1)


def test_the_sizing_shown_is_the_librarys(app: Start, library_result) -> None:
    at = sized(app)
    table = sizing_frame(at)
    expected = library_result.classes
    assert list(table[en("sz.col.class")]) == [c.name for c in expected]
    assert list(table[en("sz.col.size_share")]) == pytest.approx(
        [c.size_share for c in expected], abs=1e-12)
    assert list(table[en("sz.col.coupon")]) == pytest.approx([c.coupon for c in expected],
                                                             abs=1e-12)
    all_in = next(m for m in at.metric if m.label == en("res.all_in"))
    assert all_in.value == f"{library_result.economics.cost.all_in:.3%}"
    assert any(en("sz.converged").split("{")[0] in s.value for s in at.success)
    # The check on an independent seed is reported with its seed and outcome.
    seed = str(library_result.verification_seed)
    shrunk = [c.name for c in expected if c.binding == "verification"]
    shown = [i.value for i in at.info] if shrunk else [c.value for c in at.caption]
    assert any(f"({seed})" in text for text in shown)


def test_the_sizing_is_kept_across_pages_and_can_be_loaded(app: Start,
                                                           library_result) -> None:
    at = sized(app)
    at.switch_page("ui/pages/results.py").run()
    at.switch_page(STRUCTURING).run()
    assert not at.exception
    assert sizing_frame(at) is not None, "shown without pressing the button again"
    at.button(key="sz_use").click().run()
    assert not at.exception
    assert any(s.value == en("sz.loaded") for s in at.success)
    classes = at.session_state[state.DEAL].structure.classes
    by_name = {c.name: c for c in library_result.deal.structure.classes}
    assert [c.name for c in classes] == list(by_name)
    for c in classes:
        assert c.size == pytest.approx(by_name[c.name].size, abs=1e-9)
        assert c.coupon_annual == pytest.approx(by_name[c.name].coupon_annual, abs=1e-12)
    at.switch_page("ui/pages/export.py").run(timeout=120)
    assert not at.exception
    assert any(en("ex.with_structuring") == c.value for c in at.caption), (
        "the loaded deal is the sizing's structure: the term sheet keeps its sheet "
        "(issue 18 item 6; tests/app/test_stumbles.py)")


def test_the_export_page_puts_the_sizing_on_the_term_sheet(app: Start) -> None:
    at = sized(app)
    at.switch_page("ui/pages/export.py").run(timeout=120)
    assert not at.exception
    assert any(c.value == en("ex.with_structuring") for c in at.caption)


def test_the_sensitivity_grid_runs_on_the_sized_deal(app: Start) -> None:
    at = sized(app)
    at.session_state["sz_values1"] = "1, 2"
    at.session_state["sz_values2"] = "0.1, 0.2"
    at.button(key="sz_run_grid").click().run(timeout=300)
    assert not at.exception
    grid = at.dataframe[-1].value
    assert len(grid) == 2 * 2 * len(sizing_frame(at).query(
        f"`{en('sz.col.size_share')}` > 0"))  # cells x classes of the sized deal
    # Headers and words as the Structuring tables label them; figures as text (EL: 0.0012%).
    label = partial(structuring_label, lang="en")
    senior = grid[grid[label("tier")] == label("senior")].set_index(
        [label("default_multiplier"), label("correlation")])
    el = senior[label("el")].str.rstrip("%").astype(float)
    assert el.loc[(2.0, 0.2)] >= el.loc[(1.0, 0.1)]


def test_bad_sensitivity_values_are_a_message(app: Start) -> None:
    at = sized(app)
    at.session_state["sz_values1"] = "1, x"
    at.run()
    assert not at.exception
    assert any(e.value == en("sz.bad_values") for e in at.error)


def test_the_page_works_in_chinese(app: Start) -> None:
    at = sized(app, lang="zh")
    assert at.title[0].value == labels.LABELS["sz.title"][1]
    assert sizing_frame(at, "zh") is not None


def test_the_pricing_grid_is_edited_on_the_page_and_prices_the_classes(app: Start) -> None:
    at = app(STRUCTURING)
    table = at.data_editor(key="sz_spreads").value
    assert list(table["rating"])[:2] == ["AAA", "AA+"]
    # Every AAA spread 50 bp higher (still below AA+'s, as the grid must be).
    before = at.session_state[state.DEAL].pricing.spreads[0].spreads_bp
    higher = ", ".join(f"{v + 50:g}" for v in before)
    at.session_state["sz_spreads"] = {"edited_rows": {0: {"spreads_bp": higher}},
                                      "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert at.session_state[state.DEAL].pricing.spreads[0].spreads_bp == tuple(
        v + 50 for v in before)
    # A spread list of the wrong length is refused next to the grid, by its field path.
    at.session_state["sz_spread_wals"] = "1, 2"
    at.run()
    assert any("pricing.spreads[0].spreads_bp" in e.value for e in at.error)
    assert at.session_state[state.DEAL] is None



@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_minimum_class_size_and_a_class_held_at_its_size(app: Start, lang: str) -> None:
    """Sized on PD above a 1% retained class, a 30% minimum class size leaves the mezzanine
    out, and the page says why in its language; then the mezzanine held at its
    Structure-page size: the library's sizing, with "fixed size" as what bound it."""
    deal = load_sample_deal("consumer")
    pool, _ = load_deal_pool(deal, None)
    k = 0 if lang == "en" else 1
    at = app(STRUCTURING, lang)
    at.session_state["sz_paths"] = PATHS
    at.session_state["sz_criterion"] = "pd"
    at.session_state["sz_retained"] = 1.0
    at.session_state["sz_min_class"] = 30.0
    at.button(key="sz_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    strict = structure_deal(deal, pool, paths=PATHS, seed=1, criterion="pd",
                            retained_share=0.01, min_class_share=0.3)
    left_out = [c for c in strict.classes[:-1] if not c.meets]
    assert [c.binding for c in left_out] == ["cannot_meet"]
    expected_text = labels.LABELS["sz.shortfall.cannot_meet"][k].format(
        name=left_out[0].name, target=left_out[0].target, min="30.0%")
    assert expected_text in [w.value for w in at.warning]

    mezzanine = deal.structure.classes[1].name
    held = structure_deal(deal, pool, paths=PATHS, seed=1, criterion="pd",
                          retained_share=0.01, fixed=[mezzanine])
    at.session_state["sz_min_class"] = 1.0
    at.session_state["sz_fixed"] = [mezzanine]
    at.button(key="sz_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    table = sizing_frame(at, lang)
    assert list(table[labels.LABELS["sz.col.size_share"][k]]) == pytest.approx(
        [c.size_share for c in held.classes], abs=1e-12)
    assert table[labels.LABELS["sz.col.binding"][k]].iloc[1] == \
        labels.LABELS["sz.binding.fixed"][k]
