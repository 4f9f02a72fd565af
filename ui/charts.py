"""Chart shapes the pages share (layout only; the numbers come from the library), and the
time axis in the chosen language: Chinese dates are written with numbers (``2016年03月``),
so no month name depends on the browser's locale."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from abs_tool.engine.waterfall import WaterfallResult
from abs_tool.model.assumptions import monthly_vector
from abs_tool.model.deal import Deal, Trigger, TriggerMetric
from abs_tool.report.tables import CashflowTables
from abs_tool.types import Array

from .format import money_label
from .labels import column, lang, t

# d3 time formats of a month: English month names, Chinese years and months in numbers.
DATE_FORMATS: dict[str, str] = {"en": "%b %Y", "zh": "%Y年%m月"}


def date_format() -> str:
    """The d3 format of a month on an axis or in a tooltip, in the chosen language."""
    return DATE_FORMATS[lang()]


def date_axis(field: str = "date:T") -> alt.X:
    """A time x axis labelled by month in the chosen language."""
    return alt.X(field, title=column("cfc", "date"), axis=alt.Axis(format=date_format()))


def coarse_bins(edges: Array, density: Array, bars: int, cover: float
                ) -> pd.DataFrame:
    """A fine histogram (``edges`` (n + 1,), ``density`` (n,): probability per bin) redrawn
    in at most ``bars`` equal bars over the central ``cover`` of its mass: a few hundred fine
    bins over a narrow mass read as spikes, and the bars' range fits the mass instead of the
    histogram's whole domain. Columns ``low``, ``high`` and ``probability`` (each bar's, not
    renormalised: the mass outside the range is not drawn)."""
    total = float(density.sum())
    if total <= 0:
        return pd.DataFrame({"low": [], "high": [], "probability": []})
    cdf = np.cumsum(density) / total
    tail = (1.0 - cover) / 2
    first = int(np.searchsorted(cdf, tail, side="right"))
    last = int(np.searchsorted(cdf, 1.0 - tail, side="left"))
    group = max(1, math.ceil((last - first + 1) / bars))
    count = math.ceil((last - first + 1) / group)
    shown = np.zeros(count * group)
    stop = min(len(density), first + count * group)
    shown[:stop - first] = density[first:stop]
    low = edges[first] + (edges[1] - edges[0]) * group * np.arange(count)
    return pd.DataFrame({"low": low, "high": low + (edges[1] - edges[0]) * group,
                         "probability": shown.reshape(count, group).sum(axis=1)})


def monthly_bars(frame: pd.DataFrame, order: Sequence[str], title: str | None = None
                 ) -> alt.Chart:
    """Stacked bars by month of a tidy frame with columns ``date``, ``series`` (labels, in
    ``order``) and ``amount`` (in the chosen money unit: :func:`ui.format.money_values`)."""
    series_title = t("cf.series")
    chart = alt.Chart(frame, title=title) if title else alt.Chart(frame)
    return chart.mark_bar().encode(
        x=date_axis("yearmonth(date):T"),
        y=alt.Y("amount:Q", title=money_label(t("cf.amount")), stack="zero"),
        color=alt.Color("series:N", title=series_title, sort=list(order)),
        tooltip=[alt.Tooltip("yearmonth(date):T", title=column("cfc", "date"),
                             format=date_format()),
                 alt.Tooltip("series:N", title=series_title),
                 alt.Tooltip("amount:Q", title=money_label(t("cf.amount")), format=",.2f")],
    )


def vintage_curves(frame: pd.DataFrame) -> alt.Chart:
    """Cumulative default rate by month on book, a line per vintage: observed solid,
    extrapolated dashed. ``frame``: tidy, columns ``vintage``, ``months_on_book``, ``rate``
    and ``curve`` (the labels of observed and extrapolated, observed first)."""
    curves = list(dict.fromkeys(frame["curve"]))
    vintage, month, rate, curve = (t("sp.vintage"), t("sp.months_on_book"),
                                   t("sp.cumulative_default_rate"), t("sp.curve"))
    return alt.Chart(frame, title=t("sp.curves")).mark_line(strokeWidth=1.2).encode(
        x=alt.X("months_on_book:Q", title=month, axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("rate:Q", title=rate, axis=alt.Axis(format="%")),
        color=alt.Color("vintage:O", title=vintage, scale=alt.Scale(scheme="viridis"),
                        legend=alt.Legend(columns=2, symbolLimit=60)),
        strokeDash=alt.StrokeDash("curve:N", title=curve, sort=curves,
                                  scale=alt.Scale(domain=curves, range=[[1, 0], [5, 3]])),
        tooltip=[alt.Tooltip("vintage:O", title=vintage),
                 alt.Tooltip("months_on_book:Q", title=month),
                 alt.Tooltip("rate:Q", title=rate, format=".3%"),
                 alt.Tooltip("curve:N", title=curve)],
    )


def share_lines(frame: pd.DataFrame, x_title: str, y_title: str, series_title: str,
                title: str, y_format: str = "%") -> alt.Chart:
    """Lines of a share by month on book, one per series: ``frame`` tidy with columns
    ``months_on_book``, ``value`` and ``series`` (labels)."""
    return alt.Chart(frame, title=title).mark_line(point=True).encode(
        x=alt.X("months_on_book:Q", title=x_title, axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=y_format)),
        color=alt.Color("series:N", title=series_title,
                        sort=list(dict.fromkeys(frame["series"]))),
        tooltip=[alt.Tooltip("months_on_book:Q", title=x_title),
                 alt.Tooltip("series:N", title=series_title),
                 alt.Tooltip("value:Q", title=y_title, format=".2%")],
    )


def bdr_against_tdr(bdr: pd.DataFrame, tdr: pd.DataFrame) -> alt.LayerChart:
    """BDR bars by scenario (one per class, side by side) and a tick at each rating's TDR.

    ``bdr``: columns ``scenario``, ``class`` and ``bdr``; ``tdr``: ``scenario``, ``class``,
    ``rating`` and ``tdr`` (fractions of the pool). Scenarios keep their order."""
    order = list(dict.fromkeys(bdr["scenario"]))
    scenario, klass, rate = t("ss.col.scenario"), t("ss.col.class"), t("ss.rate")
    x = alt.X("scenario:N", title=scenario, sort=order, axis=alt.Axis(labelAngle=-30))
    offset = alt.XOffset("class:N", sort=list(dict.fromkeys(bdr["class"])))
    bars = alt.Chart(bdr).mark_bar().encode(
        x=x, xOffset=offset,
        y=alt.Y("bdr:Q", title=rate, axis=alt.Axis(format="%")),
        color=alt.Color("class:N", title=klass, sort=list(dict.fromkeys(bdr["class"]))),
        tooltip=[alt.Tooltip("scenario:N", title=scenario),
                 alt.Tooltip("class:N", title=klass),
                 alt.Tooltip("bdr:Q", title=t("ss.col.bdr"), format=".2%")])
    ticks = alt.Chart(tdr).mark_tick(color="black", thickness=2).encode(
        x=x, xOffset=offset, y=alt.Y("tdr:Q"),
        tooltip=[alt.Tooltip("scenario:N", title=scenario),
                 alt.Tooltip("class:N", title=klass),
                 alt.Tooltip("rating:N", title=t("ss.col.rating")),
                 alt.Tooltip("tdr:Q", title=t("ss.tdr"), format=".2%")])
    return (bars + ticks).properties(title=t("ss.chart"), height=320)


def through_end(frame: pd.DataFrame, result: WaterfallResult, path: int = 0) -> pd.DataFrame:
    """The rows of a period table (indexed by period 1..T) up to the month the deal ends on
    ``path`` (``WaterfallResult.end_month``: its last payment or balance), so that a monthly
    chart stops there instead of running empty months to the horizon."""
    return frame.loc[:int(result.end_month[path])]


def trigger_name(trigger: Trigger) -> str:
    """A trigger as its user named it, else its measure and action in the chosen language."""
    return trigger.name or (f"{t(f'opt.metric.{trigger.metric.value}')} → "
                            f"{t(f'opt.action.{trigger.action.value}')}")


def default_trigger_frames(scenarios: Mapping[str, tuple[WaterfallResult, CashflowTables]],
                           deal: Deal) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The layers of :func:`default_rate_against_triggers` for scenarios (label -> path 0 of
    a result and its period tables), each through its end month (:func:`through_end`).

    ``rates``: ``date``, ``scenario``, ``rate`` (the pool's cumulative default rate by
    month). ``levels``: ``date``, ``trigger``, ``level`` (the threshold by month of each
    trigger on the cumulative default rate, its schedule's last value repeated, over the
    longest scenario). ``breaches``: ``date``, ``scenario``, ``trigger``, ``rate`` (the month
    each trigger, on any measure, is first breached, placed on the scenario's rate line:
    its action takes effect from the next month)."""
    rates, breaches, longest = [], [], pd.Series(dtype="datetime64[ns]")
    triggers = deal.structure.triggers
    for label, (result, tables) in scenarios.items():
        pool = through_end(tables.pool, result)
        dates = pd.to_datetime(pool["date"]).reset_index(drop=True)
        rate = pool["cumulative_default_rate"].to_numpy()
        rates.append(pd.DataFrame({"date": dates, "scenario": label, "rate": rate}))
        breached = result.trigger_breached[0, :, :len(pool)]  # (triggers, months), sticky
        breaches += [{"date": dates[k], "scenario": label, "trigger": trigger_name(trigger),
                      "rate": rate[k]}
                     for trigger, months in zip(triggers, breached, strict=True)
                     for k in np.flatnonzero(months)[:1]]  # the first month, if any
        longest = dates if len(dates) > len(longest) else longest
    levels = [pd.DataFrame({"date": longest, "trigger": trigger_name(trigger),
                            "level": monthly_vector(trigger.threshold, len(longest))})
              for trigger in triggers if trigger.metric == TriggerMetric.CUMULATIVE_DEFAULT_RATE]
    return (pd.concat(rates, ignore_index=True),
            pd.concat(levels, ignore_index=True) if levels else pd.DataFrame(
                {"date": pd.Series(dtype="datetime64[ns]"), "trigger": [], "level": []}),
            pd.DataFrame(breaches, columns=["date", "scenario", "trigger", "rate"]))


def default_rate_against_triggers(scenarios: Mapping[str, tuple[WaterfallResult,
                                                                 CashflowTables]],
                                  deal: Deal) -> alt.LayerChart:
    """The pool's cumulative default rate by month, a line per scenario, against the
    thresholds of the triggers on it (dashed step lines, a threshold holding for its month),
    each trigger's first breach marked (:func:`default_trigger_frames`)."""
    rates, levels, breaches = default_trigger_frames(scenarios, deal)
    date, rate, level = column("cfc", "date"), t("dc.rate"), t("dc.level")
    scenario, trigger = t("dc.scenario"), t("dc.trigger")
    x = date_axis("date:T")
    y = alt.Y("rate:Q", title=rate, axis=alt.Axis(format="%"))
    when = alt.Tooltip("date:T", title=date, format=date_format())
    lines = alt.Chart(rates).mark_line(point=True).encode(
        x=x, y=y, color=alt.Color("scenario:N", title=scenario, sort=list(scenarios)),
        tooltip=[when, alt.Tooltip("scenario:N", title=scenario),
                 alt.Tooltip("rate:Q", title=rate, format=".2%")])
    steps = alt.Chart(levels).mark_line(interpolate="step-after", strokeDash=[6, 3]).encode(
        x=x, y=alt.Y("level:Q", title=rate),
        color=alt.Color("trigger:N", title=level, scale=alt.Scale(scheme="set1"),
                        sort=list(dict.fromkeys(levels["trigger"]))),
        tooltip=[when, alt.Tooltip("trigger:N", title=trigger),
                 alt.Tooltip("level:Q", title=level, format=".2%")])
    marks = alt.Chart(breaches).mark_point(shape="diamond", filled=True, size=120,
                                           color="black").encode(
        x=x, y=y,
        tooltip=[alt.Tooltip("date:T", title=t("dc.breach_month"), format=date_format()),
                 alt.Tooltip("scenario:N", title=scenario),
                 alt.Tooltip("trigger:N", title=trigger),
                 alt.Tooltip("rate:Q", title=rate, format=".2%")])
    return (lines + steps + marks).resolve_scale(color="independent").properties(
        title=t("dc.title"), height=300)
