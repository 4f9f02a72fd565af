"""AppTests of a newcomer's stumbles (issue 18 item 6): the two expected-loss figures say what
they are, the Structuring page states its own seed and paths, its two pricing boxes say how
they differ, "Use this structure" keeps the sizing for the term sheet, the heat map labels its
cells under one title, and the retained class's IRR chart states its total-loss mass."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from abs_tool import load_deal_pool, load_sample_deal
from abs_tool.analysis.pool_stats import SUMMARY_LABELS, pool_summary
from ui import labels, state
from ui.charts import coarse_bins

Start = Callable[..., AppTest]
STRUCTURING = "ui/pages/structuring.py"
PATHS = 4096


def text(key: str, lang: str) -> str:
    return labels.LABELS[key][0 if lang == "en" else 1]


def sized(app: Start, lang: str = "en") -> AppTest:
    at = app(STRUCTURING, lang)
    at.session_state["sz_paths"] = PATHS
    at.button(key="sz_run").click().run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_pool_pages_expected_lifetime_loss_says_what_it_is(app: Start, lang: str) -> None:
    at = app(lang=lang)
    assert not at.exception, [e.value for e in at.exception]
    label = SUMMARY_LABELS["expected_lifetime_loss"][0 if lang == "en" else 1]
    metric = next(m for m in at.metric if m.label == label)
    assert metric.proto.help == text("note.pool_el", lang)
    # The figure it describes: 1.15% on the consumer sample (pool_stats, balance x PD x LGD).
    deal = load_sample_deal("consumer")
    pool, _ = load_deal_pool(deal, None)
    assert metric.value == f"{pool_summary(pool).expected_lifetime_loss:.2%}" == "1.15%"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_results_pool_loss_rate_says_what_it_is(app: Start, lang: str) -> None:
    at = app("ui/pages/results.py", lang)
    assert not at.exception, [e.value for e in at.exception]
    metric = next(m for m in at.metric if m.label == text("res.mean_loss", lang))
    assert metric.proto.help.endswith(text("note.mc_loss", lang))
    # As the note says, below the Pool page's static figure (amortisation, prepayment and the
    # revolving purchases in the denominator): 0.64% against 1.15% on the consumer sample.
    assert float(metric.value.rstrip("%")) < 1.15


@pytest.mark.slow
def test_structuring_states_its_settings_and_keeps_an_adopted_sizing(app: Start) -> None:
    at = sized(app)
    run_settings = at.session_state[state.DEAL].run
    expected = text("note.sz_run_settings", "en").format(
        paths=f"{PATHS:,}", seed=1, run_paths=f"{run_settings.paths:,}",
        run_seed=run_settings.seed)
    assert any(c.value == expected for c in at.caption), [c.value for c in at.caption]
    # The two pricing boxes: one keeps the grid in the deal, the other uses it in the sizing;
    # each one's help names the other.
    grid, reprice = at.checkbox(key="sz_pricing_on"), at.checkbox(key="sz_price")
    assert grid.label != reprice.label
    assert reprice.label in grid.help
    assert grid.label in reprice.help
    at.button(key="sz_use").click().run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    assert any(c.value == text("note.sz_adopted", "en") for c in at.caption)
    assert "sz_use" in [b.key for b in at.button], "the adopted sizing is still shown"
    at.switch_page("ui/pages/export.py").run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    assert any(c.value == text("ex.with_structuring", "en") for c in at.caption)
    # Another seed is another sizing: the adopted one no longer applies.
    at.session_state["sz_seed"] = 2
    at.switch_page(STRUCTURING).run(timeout=300)
    assert not any(c.value == text("note.sz_adopted", "en") for c in at.caption)
    assert "sz_use" not in [b.key for b in at.button]


@pytest.mark.slow
def test_the_retained_irr_chart_states_its_total_loss_mass(app: Start) -> None:
    at = sized(app, "zh")
    note = text("note.irr_total_loss", "zh").split("{")[1].split("}")[1]
    assert any(note in c.value for c in at.caption), [c.value for c in at.caption]


@pytest.mark.slow
def test_the_heat_map_labels_its_cells_under_one_title(app: Start) -> None:
    at = sized(app)
    at.button(key="sz_run_grid").click().run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    title = text("sz.heat", "en").format(what=labels.column("sz.col", "el"))
    chart = next(c for c in at.get("vega_lite_chart") if title in c.proto.spec)
    spec = json.loads(chart.proto.spec)
    assert json.dumps(spec).count(title) == 1, "one title, no legend title repeating it"
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["rect", "text"]
    frames = [convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets]
    cells = [v for frame in frames if "text" in frame for v in frame["text"]]
    # 3 x 3 values of the default axes, the senior class's EL as the page's table writes it.
    assert len(cells) == 9, cells
    assert all(c.endswith("%") for c in cells), cells


def test_coarse_bins_fit_the_mass() -> None:
    # 400 bins of 0.5% on [-1, 1], the mass uniform on [0%, 10%) (bins 200-219): 20 fine bins
    # in at most 30 bars stay 20; in at most 6 they group by 4 into 5 bars of 2%.
    edges = np.linspace(-1.0, 1.0, 401)
    density = np.zeros(400)
    density[200:220] = 0.05
    fine = coarse_bins(edges, density, 30, 1.0)
    assert len(fine) == 20
    grouped = coarse_bins(edges, density, 6, 1.0)
    assert list(grouped["probability"]) == pytest.approx([0.2] * 5)
    assert grouped["low"].iloc[0] == pytest.approx(0.0)
    assert grouped["high"].iloc[-1] == pytest.approx(0.1)
    # Nothing to draw: an empty frame.
    assert coarse_bins(edges, np.zeros(400), 30, 0.998).equals(
        pd.DataFrame({"low": [], "high": [], "probability": []}))

