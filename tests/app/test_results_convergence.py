"""AppTest of the Results page's convergence chart and closed-form cross-check, in English and
Chinese.

- Every run shows each class's running EL against paths with its band (a third chart) and
  a caption that says what the band is.
- On a pool that fits the large homogeneous pool model (5,000 equal bullet loans), the loss
  histogram carries the Vasicek curve and a caption states how its PD, correlation and LGD
  are derived and compares the simulation with it.
- On a pool that does not fit (the consumer sample: its PD mix, amortisation and revolving
  period), no curve is drawn and the caption says why, in the page's language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace

import pytest
from builders import homogeneous_pool, tranched_deal
from streamlit.testing.v1 import AppTest

from abs_tool import deal_json, load_deal_pool, load_sample_deal, prepare_deal
from abs_tool.analysis.closed_form import closed_form_check
from abs_tool.engine.montecarlo import run_monte_carlo
from abs_tool.io.tape import tape_bytes
from ui import labels

Start = Callable[..., AppTest]
RESULTS = "ui/pages/results.py"
LANG = {"en": 0, "zh": 1}
HAN = re.compile(r"[\u4e00-\u9fff]")


def label(key: str, lang: str) -> str:
    return labels.LABELS[key][LANG[lang]]


def lead(key: str, lang: str) -> str:
    """A label's text before its first placeholder."""
    return label(key, lang).split("{")[0]


def no_problem(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def homogeneous_deal():
    """Five thousand equal 12-month bullet loans, PD 2%, rho 0.2, LGD 0.6, its tape embedded
    in the deal file."""
    pool = homogeneous_pool(5000, 0.02, 0.6)
    deal = tranched_deal((0.0, 0.03, 0.10, 1.0), 0.2, 0.6, paths=8192)
    csv = tape_bytes(pool, "csv").decode("utf-8-sig")
    return replace(deal, pool=replace(deal.pool, sample=None, embedded_csv=csv))


def results_of(app: Start, deal, lang: str) -> AppTest:
    at = app(RESULTS, lang=lang)
    at.file_uploader(key="deal_upload").set_value(
        ("homogeneous.json", deal_json(deal).encode("utf-8"), "application/json")).run()
    at.switch_page(RESULTS).run()
    no_problem(at)
    return at


def specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_convergence_chart_and_caption(app: Start, lang: str) -> None:
    at = app(RESULTS, lang=lang)
    no_problem(at)
    charts = specs(at)
    assert len(charts) == 3  # loss histogram, TDR vs BDR, convergence
    convergence = charts[2]
    assert convergence["title"] == label("res.convergence", lang)
    assert convergence["resolve"] == {"scale": {"y": "independent"}}
    assert any(c.startswith(lead("res.conv_help", lang)) for c in captions(at))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_pool_that_fits_shows_the_vasicek_curve_and_its_derivation(app: Start,
                                                                      lang: str) -> None:
    deal = homogeneous_deal()
    at = results_of(app, deal, lang)
    histogram = json.dumps(specs(at)[0], ensure_ascii=False)
    assert '"lhp"' in histogram  # the curve's layer, on the histogram's bars
    assert label("res.lhp", lang) in histogram
    shown = captions(at)
    derivation = next(c for c in shown if c.startswith(lead("res.lhp_shown", lang)))
    compare = next(c for c in shown if c.startswith(lead("res.lhp_compare", lang)))
    assert "0.20" in derivation  # the deal's correlation
    assert "60.00%" in derivation  # LGD = 1 - 40% recovery
    assert "5,000" in derivation  # effective loans
    pool, _ = load_deal_pool(deal, None)
    prepared = prepare_deal(deal, pool)
    expected = closed_form_check(prepared, run_monte_carlo(prepared))
    q999 = next(c for c in expected.comparisons if c.level == 0.999)
    assert f"{q999.lhp:.2%}" in compare
    if lang == "zh":
        assert HAN.search(derivation)
        assert HAN.search(compare)
        assert "Black line" not in derivation


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_pool_that_does_not_fit_says_why(app: Start, lang: str) -> None:
    at = app(RESULTS, lang=lang)
    no_problem(at)
    histogram = json.dumps(specs(at)[0], ensure_ascii=False)
    assert '"lhp"' not in histogram
    deal = load_sample_deal("consumer")
    pool, _ = load_deal_pool(deal, None)
    reason = closed_form_check(prepare_deal(deal, pool),
                               run_monte_carlo(prepare_deal(deal, pool), paths=4096)).reason
    why = label(f"res.lhp_why.{reason}", lang).split("{")[0]
    shown = [c for c in captions(at) if c.startswith(lead("res.lhp_not_shown", lang))]
    assert len(shown) == 1
    assert why in shown[0]
    if lang == "zh":
        assert not re.search(r"[A-Za-z]{4,}", shown[0].replace("Vasicek", "")), shown[0]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_says_how_defaults_were_drawn(app: Start, lang: str) -> None:
    """The consumer sample (19,326 obligors) runs grouped; a pool of 5,000 loans, each its own
    obligor, runs obligor by obligor; each caption in the page's language."""
    at = app(RESULTS, lang=lang)
    no_problem(at)
    grouped = [c for c in captions(at) if c.startswith(lead("res.defaults.grouped", lang))]
    assert len(grouped) == 1
    assert "19,326" in grouped[0]
    at = results_of(app, homogeneous_deal(), lang)
    exact = [c for c in captions(at) if c.startswith(lead("res.defaults.exact", lang))]
    assert len(exact) == 1
    assert "5,000" in exact[0]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_largest_obligors_share_of_the_expected_loss(app: Start, lang: str) -> None:
    """Exact mode (5,000 equal loans, each its own obligor): a table of the ten largest
    obligors with their shares, and a caption with the ten's share of the pool (0.20%) and of
    its expected loss; grouped mode (the consumer sample) says why there is none."""
    at = results_of(app, homogeneous_deal(), lang)
    tables = [m.value for m in at.markdown if label("top.el_share", lang) in m.value]
    assert len(tables) == 1
    rows = tables[0].splitlines()[2:]
    assert len(rows) == 10
    assert rows[0].startswith("| 1 | L0 | 0.020%")  # ties keep the tape's order
    caption = next(c for c in captions(at) if c.startswith(lead("res.top_obligors_help", lang)))
    assert "0.20%" in caption
    grouped = app(RESULTS, lang=lang)
    no_problem(grouped)
    assert label("res.top_obligors_grouped", lang) in captions(grouped)
    assert not [m for m in grouped.markdown if label("top.el_share", lang) in m.value]
