"""The cumulative default rate against the triggers' levels by month (issue 18 item 5), on the
Cash flows page (its scenario) and in the Results page's cash-flow panel (the base and
stressed scenarios: the Monte Carlo result keeps no months), in English and Chinese:

- the line is the scenario's cumulative default rate by month, to its end month;
- each trigger on the cumulative default rate has its threshold by month as a step line;
- the first month each trigger is breached is marked on the line;
- every monthly chart of the Cash flows page ends in the month the deal ends
  (``WaterfallResult.end_month``), not at the horizon; dates are the deal's, written in
  Chinese numbers in Chinese.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from abs_tool import Scenario, load_deal_pool, load_sample_deal, prepare_deal, run_scenario
from abs_tool.model.assumptions import monthly_vector
from abs_tool.model.deal import TriggerMetric
from abs_tool.report.tables import cashflow_tables
from ui import labels, state

Start = Callable[..., AppTest]
CASHFLOWS = "ui/pages/cashflows.py"
RESULTS = "ui/pages/results.py"
MULTIPLIER = 15.0  # the consumer deal's cumulative default rate crosses 4% in month 1


def label(key: str, lang: str) -> str:
    return labels.LABELS[key][0 if lang == "en" else 1]


def charts(at: AppTest) -> dict[str, tuple[dict, list[pd.DataFrame]]]:
    """Title -> (Vega-Lite spec, its datasets as frames) of every chart of the run."""
    found = {}
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        title = spec.get("title")
        title = title.get("text") if isinstance(title, dict) else title
        frames = [pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets]
        found[str(title)] = (spec, frames)
    return found


def frame_with(frames: list[pd.DataFrame], *columns: str) -> pd.DataFrame:
    return next(f for f in frames if set(columns) <= set(f.columns))


def consumer(multiplier: float):
    deal = load_sample_deal("consumer")
    pool, _ = load_deal_pool(deal, None)
    prepared = prepare_deal(deal, pool)
    return deal, prepared, run_scenario(prepared, Scenario(default_multiplier=multiplier))


def check_scenario(frames: list[pd.DataFrame], scenario: str, deal, result) -> None:
    """The chart's layers for one scenario equal the result's lines through its end month."""
    end = int(result.end_month[0])
    dates = pd.to_datetime(cashflow_tables(result, deal).pool["date"]).iloc[:end]
    rates = frame_with(frames, "rate", "scenario")
    line = rates[rates["scenario"] == scenario]
    np.testing.assert_array_equal(line["rate"], result.pool.cumulative_default_rate[0, :end])
    assert list(pd.to_datetime(line["date"]).dt.date) == list(dates.dt.date)
    breaches = frame_with(frames, "trigger", "scenario", "rate")
    shown = breaches[breaches["scenario"] == scenario]
    expected = [(int(np.flatnonzero(months)[0]), trigger)
                for trigger, months in zip(deal.structure.triggers,
                                           result.trigger_breached[0], strict=True)
                if months.any()]
    assert len(shown) == len(expected)
    for (k, _), (_, row) in zip(expected, shown.iterrows(), strict=True):
        assert pd.Timestamp(row["date"]).date() == dates.iloc[k].date()
        assert row["rate"] == result.pool.cumulative_default_rate[0, k]


def check_levels(frames: list[pd.DataFrame], deal, months: int) -> None:
    levels = frame_with(frames, "level", "trigger")
    on_rate = [t for t in deal.structure.triggers
               if t.metric == TriggerMetric.CUMULATIVE_DEFAULT_RATE]
    assert list(dict.fromkeys(levels["trigger"])) == [t.name for t in on_rate]
    for trigger in on_rate:
        np.testing.assert_array_equal(levels[levels["trigger"] == trigger.name]["level"],
                                      monthly_vector(trigger.threshold, months))


def chinese_dates(spec: dict) -> None:
    """Every date axis and tooltip of the chart writes months in Chinese numbers."""
    text = json.dumps(spec, ensure_ascii=False)
    assert "%Y年%m月" in text
    assert "%b %Y" not in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_cash_flows_page_draws_defaults_against_triggers(app: Start, lang: str) -> None:
    at = app(CASHFLOWS, lang=lang)
    at.number_input(key="cf_multiplier").set_value(MULTIPLIER).run()
    assert not at.exception, [e.value for e in at.exception]
    deal, _, direct = consumer(MULTIPLIER)
    result = direct.result
    end = int(result.end_month[0])
    assert end < deal.dates.horizon_months  # the cut is visible: the deal ends early
    shown = charts(at)
    spec, frames = shown[label("dc.title", lang)]
    check_scenario(frames, label("cf.scenario", lang), deal, result)
    check_levels(frames, deal, end)
    assert len(frame_with(frames, "trigger", "scenario", "rate")) >= 1  # breached here
    # Every monthly series ends in the deal's end month (the breach marks are months of it).
    last = pd.Timestamp(cashflow_tables(result, deal).pool["date"].iloc[end - 1])
    for title, (_, chart_frames) in shown.items():
        for frame in chart_frames:
            if "date" in frame.columns and not {"trigger", "scenario"} <= set(frame.columns):
                assert pd.to_datetime(frame["date"]).max() == last, title
    if lang == "zh":
        chinese_dates(spec)
        assert not re.search(r"[A-Za-z]{3,}", label("dc.help", lang))
    assert label("dc.help", lang) in [c.value for c in at.caption]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_results_draws_the_base_and_stressed_scenarios(app: Start, lang: str) -> None:
    at = app(RESULTS, lang=lang)
    at.session_state["res_cf_open"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    stress = state.default("res_stress")
    deal, _, base = consumer(1.0)
    _, _, stressed = consumer(stress)
    spec, frames = charts(at)[label("dc.title", lang)]
    check_scenario(frames, label("res.expected", lang), deal, base.result)
    check_scenario(frames, label("res.stressed", lang).format(m=f"{stress:.2f}"), deal,
                   stressed.result)
    check_levels(frames, deal, int(max(base.result.end_month[0],
                                       stressed.result.end_month[0])))
    if lang == "zh":
        chinese_dates(spec)
    assert any(label("dc.results_help", lang) in c.value for c in at.caption)
