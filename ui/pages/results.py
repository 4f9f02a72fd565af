"""Results page: the Monte Carlo of the current deal on the selected pool.

Shows the pool loss distribution with the classes' attachment points and, where the pool fits
it, the Vasicek large-pool curve of its homogeneous equivalent (else why not), the class table
(EL, PD, LGD, WAL, IRR, DIRR with standard errors, break-even default rate, implied ratings),
the running EL of each class against paths with its standard-error band, the
target default rate of each rating against each class's break-even rate, the expected and a
stressed deterministic scenario (the cumulative default rate against the triggers' levels, and
the cash flow of each class), and the cost of funds against the benchmark.
Figures come from the run's :class:`~abs_tool.analysis.deal_analysis.DealAnalysis` (laid out by
:mod:`abs_tool.report.tables`) and the engine; this page lays them out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from abs_tool import Deal, Scenario
from abs_tool.analysis.closed_form import MAX_GRANULARITY_GAP, MAX_SHAPE_GAP, ClosedFormCheck
from abs_tool.analysis.deal_analysis import RATING_CRITERIA
from abs_tool.engine.montecarlo import Distribution, MonteCarloResult
from abs_tool.limits import EXACT_MAX_OBLIGORS
from abs_tool.model.assumptions import Assumptions
from abs_tool.model.pool_model import obligor_codes
from abs_tool.report.tables import (
    BAND_SE,
    cashflow_tables,
    concentration_dict,
    convergence_frame,
    monte_carlo_dict,
)
from abs_tool.types import Array
from ui import cache, format as fmt, run, state
from ui.charts import default_rate_against_triggers, monthly_bars, through_end
from ui.labels import column, columns, deal_name, lang, t

# Bars of the loss histogram, and the probability its range covers at least.
HISTOGRAM_BARS = 80
HISTOGRAM_COVER = 0.9999
# The class tables: what each class is and the ratings it can carry; then the Monte Carlo
# estimates, each followed by its standard error. Both start with the class name.
RATING_COLUMNS: tuple[str, ...] = (
    "name", "tier", "balance", "coupon", "bdr", "target_rating",
    *(f"rating_{c}" for c in RATING_CRITERIA),
)
ESTIMATES: tuple[str, ...] = ("expected_loss", "pd", "lgd", "wal_years", "irr_mean", "dirr_bp")
ESTIMATE_COLUMNS: tuple[str, ...] = (
    "name", *(c for name in ESTIMATES for c in (name, f"{name}_se")))
TABLE_COLUMNS: tuple[str, ...] = (*RATING_COLUMNS, *ESTIMATE_COLUMNS[1:])
# Rates shown with significant digits (a AAA expected loss is about 0.001%), and the others.
SMALL_RATES: frozenset[str] = frozenset({"expected_loss", "pd", "lgd"})
RATES: frozenset[str] = frozenset({"irr_mean_se", "coupon", "bdr"})
# A class that receives nothing has a yield of -100% (abs_tool.report.format).
YIELDS: frozenset[str] = frozenset({"irr_mean"})
FLOW_SERIES: tuple[str, ...] = ("interest_paid", "principal_paid", "writedown")


def loss_histogram(dist: Distribution, classes: list[str], attach: list[float],
                   lhp: Array | None = None) -> alt.Chart:
    """The pool loss distribution in :data:`HISTOGRAM_BARS` bars over the range that holds
    :data:`HISTOGRAM_COVER` of it (and every attachment point), the classes marked; with
    ``lhp`` (the probability of each of ``dist``'s bins under the closed-form curve), that
    curve on the same bars as a line."""
    fine = dist.edges[1] - dist.edges[0]
    top = max(dist.quantile(HISTOGRAM_COVER), *(a for a in attach if a < 1), fine)
    n_fine = min(len(dist.density), math.ceil(top * 1.05 / fine))
    group = max(1, math.ceil(n_fine / HISTOGRAM_BARS))
    bars = math.ceil(n_fine / group)

    def grouped(probability: Array) -> Array:
        shown = np.zeros(bars * group)
        shown[:n_fine] = probability[:n_fine]
        return shown.reshape(bars, group).sum(axis=1)

    bins = pd.DataFrame({"low": dist.edges[0:bars * group:group][:bars],
                         "probability": grouped(dist.density)})
    bins["high"] = bins["low"] + group * fine
    marks = pd.DataFrame({"class": classes, "attachment": attach})
    x_title = t("res.loss_rate")
    histogram = alt.Chart(bins).mark_rect().encode(
        x=alt.X("low:Q", title=x_title, axis=alt.Axis(format="%")), x2="high:Q",
        y=alt.Y("probability:Q", title=t("res.probability"), axis=alt.Axis(format="%")),
        y2=alt.datum(0),
        tooltip=[alt.Tooltip("low:Q", title=x_title, format=".2%"),
                 alt.Tooltip("probability:Q", title=t("res.probability"), format=".3%")])
    rules = alt.Chart(marks[marks["attachment"] > 0]).mark_rule(strokeDash=[6, 3]).encode(
        x="attachment:Q", color=alt.Color("class:N", title=column("mc", "name"), sort=classes),
        tooltip=[alt.Tooltip("class:N", title=column("mc", "name")),
                 alt.Tooltip("attachment:Q", title=t("res.attachment"), format=".2%")])
    chart = histogram + rules
    if lhp is not None:
        bins["lhp"] = grouped(lhp)
        bins["middle"] = (bins["low"] + bins["high"]) / 2
        chart += alt.Chart(bins).mark_line(color="black").encode(
            x="middle:Q", y="lhp:Q",
            tooltip=[alt.Tooltip("low:Q", title=x_title, format=".2%"),
                     alt.Tooltip("probability:Q", title=t("res.simulated"), format=".3%"),
                     alt.Tooltip("lhp:Q", title=t("res.lhp"), format=".3%")])
    return chart.properties(title=t("res.loss_chart"), height=300)


def closed_form_captions(check: ClosedFormCheck, assumptions: Assumptions) -> list[str]:
    """What the loss histogram's closed-form curve is and how the simulation compares with
    it, or why it is not drawn."""
    eq = check.equivalent
    figures: dict[str, str] = {
        "gap": fmt.percent(check.shape_gap if check.reason == "heterogeneous"
                           else check.granularity_gap, 0),
        "limit": fmt.percent(MAX_SHAPE_GAP if check.reason == "heterogeneous"
                             else MAX_GRANULARITY_GAP, 0),
        "sector": fmt.number(assumptions.sector_correlation),
        "volatility": fmt.number(assumptions.recovery_volatility),
    }
    if eq is not None:
        figures |= {"pd": fmt.percent_significant(eq.pd, 3), "rho": fmt.number(eq.rho),
                    "lgd": fmt.percent(eq.lgd), "loans": fmt.count(eq.effective_loans),
                    "loss": fmt.percent_significant(eq.mean_loss, 3)}
    if not check.applicable:
        reason = t(f"res.lhp_why.{check.reason}").format(**figures)
        return [t("res.lhp_not_shown").format(reason=reason)]
    rows = {(c.figure, c.level): c for c in check.comparisons}
    mean = next(c for c in check.comparisons if c.figure == "mean")
    q99, q999 = rows[("quantile", 0.99)], rows[("quantile", 0.999)]
    compare = t("res.lhp_compare").format(
        mean_sim=fmt.percent_significant(mean.simulated, 3),
        mean_se=fmt.percent_significant(mean.simulated_se),
        mean_lhp=fmt.percent_significant(mean.lhp, 3),
        q99_sim=fmt.percent(q99.simulated), q99_lhp=fmt.percent(q99.lhp),
        q999_sim=fmt.percent(q999.simulated), q999_lhp=fmt.percent(q999.lhp))
    return [t("res.lhp_shown").format(**figures), compare]


def convergence_chart(result: MonteCarloResult) -> alt.Chart:
    """Each class's running EL against paths with its band, one panel a class (their ELs
    differ by orders of magnitude, so each has its own scale)."""
    frame = convergence_frame(result)
    names = [c.name for c in result.classes]
    x = alt.X("paths:Q", title=t("res.conv_paths"))
    el_title = t("res.conv_el")
    band = alt.Chart().mark_area(opacity=0.3).encode(
        x=x, y=alt.Y("low:Q", title=el_title, axis=alt.Axis(format="%")), y2="high:Q")
    line = alt.Chart().mark_line().encode(
        x=x, y="el:Q",
        tooltip=[alt.Tooltip("paths:Q", title=t("res.conv_paths"), format=","),
                 alt.Tooltip("el:Q", title=el_title, format=".4%"),
                 alt.Tooltip("el_se:Q", title=column("mc", "expected_loss_se"), format=".4%")])
    return alt.layer(band, line, data=frame).properties(width=150, height=180).facet(
        facet=alt.Facet("class:N", title=None, sort=names), columns=3,
    ).resolve_scale(y="independent").properties(title=t("res.convergence"))


def class_table(outcome: run.Outcome) -> pd.DataFrame:
    analysis = outcome.analysis
    data = monte_carlo_dict(outcome.monte_carlo, break_evens=analysis.break_evens,
                            ratings=analysis.ratings, histograms=False)
    table = pd.DataFrame(data["classes"])
    table["tier"] = [t(f"tier.{tier}") for tier in table["tier"]]
    targets = {c.name: c.target_rating for c in outcome.inputs.deal.structure.classes}
    table["target_rating"] = [targets.get(name) or fmt.MISSING for name in table["name"]]
    for criterion in RATING_CRITERIA:
        table[f"rating_{criterion}"] = [r.get(criterion, fmt.MISSING)
                                        for r in table["implied_ratings"]]
    return table[list(TABLE_COLUMNS)]


def show_class_table(outcome: run.Outcome) -> None:
    """The class tables as Markdown: the browser draws them as plain HTML, with no table
    component to load (a grid's code is the largest part of the page's first draw, and three
    to five rows need no sorting). Two narrow tables, not one wide one, so the ratings are in
    view without scrolling sideways."""
    st.subheader(t("res.classes"))
    rows = class_table(outcome).to_dict("records")
    language = lang()
    formats: dict[str, Callable[[object], str]] = {}
    for name in TABLE_COLUMNS:
        base = name.removesuffix("_se")
        if name == "balance":
            formats[name] = partial(fmt.money, lang=language)
        elif base in SMALL_RATES:
            formats[name] = fmt.percent_significant
        elif name in YIELDS:
            formats[name] = fmt.yield_percent
        elif name in RATES or base in RATES:
            formats[name] = fmt.percent
        elif base in ("wal_years", "dirr_bp"):
            formats[name] = fmt.number
    for shown in (RATING_COLUMNS, ESTIMATE_COLUMNS):
        st.markdown(fmt.markdown_table(rows, columns("mc", shown), formats))
    st.caption(t("res.classes_help"))


TOP_COLUMNS: tuple[str, ...] = (
    "rank", "obligor_id", "balance_share", "pd", "pd_se", "expected_loss",
    "expected_loss_se", "el_share", "el_share_se")


def show_top_obligors(outcome: run.Outcome) -> None:
    """The largest obligors' share of the expected loss (exact mode only). The app is the
    structurer's own view, so it names them; the term sheet shows ranks only."""
    st.subheader(t("res.top_obligors"))
    top = outcome.monte_carlo.concentration
    if top is None:
        st.caption(t("res.top_obligors_grouped"))
        return
    rows = concentration_dict(top)["obligors"]
    assert isinstance(rows, list)
    formats: dict[str, Callable[[object], str]] = dict.fromkeys(TOP_COLUMNS[2:],
                                                                 fmt.percent_significant)
    st.markdown(fmt.markdown_table(rows, columns("top", TOP_COLUMNS), formats))
    st.caption(t("res.top_obligors_help").format(
        count=len(top.obligors), balance=fmt.percent(top.balance_share),
        share=fmt.percent(top.el_share.value)))


def tdr_chart(outcome: run.Outcome) -> alt.Chart:
    """Target default rate by rating (at each class's WAL) against each class's BDR."""
    analysis = outcome.analysis
    rows = [{"class": targets.class_name, "rating": rating, "tdr": value}
            for targets in analysis.target_default_rates or ()
            for rating, value in targets.by_rating().items()]
    tdrs = pd.DataFrame(rows, columns=["class", "rating", "tdr"])
    order = list(dict.fromkeys(tdrs["rating"]))
    names = [b.class_name for b in analysis.break_evens]
    bdrs = pd.DataFrame({"class": names, "bdr": [b.default_rate for b in analysis.break_evens]})
    color = alt.Color("class:N", title=column("mc", "name"), sort=names)
    lines = alt.Chart(tdrs).mark_line(point=True).encode(
        x=alt.X("rating:N", sort=order, title=t("res.rating")),
        y=alt.Y("tdr:Q", title=t("res.default_rate"), axis=alt.Axis(format="%")),
        color=color,
        tooltip=[alt.Tooltip("class:N", title=column("mc", "name")),
                 alt.Tooltip("rating:N", title=t("res.rating")),
                 alt.Tooltip("tdr:Q", title=t("res.tdr"), format=".2%")])
    rules = alt.Chart(bdrs).mark_rule(strokeDash=[6, 3]).encode(
        y="bdr:Q", color=color,
        tooltip=[alt.Tooltip("class:N", title=column("mc", "name")),
                 alt.Tooltip("bdr:Q", title=column("mc", "bdr"), format=".2%")])
    return (lines + rules).properties(title=t("res.tdr_chart"), height=300)


def cashflow_charts(outcome: run.Outcome) -> None:
    """The cumulative default rate against the triggers' levels, and each class's payments
    and write-downs: the base scenario and a stressed one, each to the month it ends in (the
    Monte Carlo result keeps no months, so the deterministic scenarios stand for it).

    Drawn when the panel is opened, and only the chosen class's chart: the page's first draw
    shows the distribution, the class table and the cost sooner (each chart is the browser's
    work, not the engine's; the Cash flows page has every class and period).
    """
    panel = st.expander(t("res.cashflows"), key="res_cf_open", on_change="rerun")
    if not panel.open:
        return
    run_inputs = outcome.inputs
    deal = run_inputs.deal
    stress = panel.number_input(t("res.stress"), min_value=0.0,
                                value=state.default("res_stress"), step=0.25, format="%.2f",
                                help=t("res.stress_help"), **state.widget("res_stress"))
    fixed = cache.deterministic_part(deal)
    scenarios = {
        t("res.expected"): cache.scenario(fixed, run_inputs.pool_key, Scenario(),
                                          outcome.prepared),
        t("res.stressed").format(m=fmt.number(stress)): cache.scenario(
            fixed, run_inputs.pool_key, Scenario(default_multiplier=stress), outcome.prepared),
    }
    tables = {label: (result.result, cashflow_tables(result.result, deal))
              for label, result in scenarios.items()}
    panel.altair_chart(default_rate_against_triggers(tables, deal), width="stretch")
    panel.caption(f"{t('dc.help')} {t('dc.results_help')}")
    names = [c.name for c in deal.structure.classes]
    tabs = panel.tabs(names, key="res_cf_class", on_change="rerun")
    for tab, name in zip(tabs, names, strict=True):
        if not tab.open:
            continue
        frames = []
        for label, (result, period_tables) in tables.items():
            flows = through_end(period_tables.classes[name], result)
            frames.extend(pd.DataFrame({"date": pd.to_datetime(flows["date"]), "scenario": label,
                                        "series": column("cfc", series),
                                        "amount": fmt.money_values(flows[series])})
                          for series in FLOW_SERIES)
        bars = monthly_bars(pd.concat(frames, ignore_index=True),
                            [column("cfc", s) for s in FLOW_SERIES])
        chart = bars.properties(height=220, width=360).facet(
            column=alt.Column("scenario:N", title=None, sort=list(scenarios)))
        # Below the two panels, the legend stays inside the page's width.
        tab.altair_chart(chart.configure_legend(orient="bottom"))


def cost_section(outcome: run.Outcome) -> None:
    st.subheader(t("res.cost"))
    cof = None
    with state.show_errors():  # the library refuses a cost the upfront fees make undefined
        cof = outcome.analysis.cost
    if cof is None:
        return
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("res.wa_coupon"), fmt.percent(cof.wa_coupon, 3))
    c2.metric(t("res.all_in"), fmt.percent(cof.all_in, 3))
    c3.metric(t("res.benchmark"), fmt.percent(cof.benchmark, 3))
    c4.metric(t("res.saving"), fmt.bp(cof.saving_bp, 1))
    st.caption(t("res.cost_help"))


def summary(outcome: run.Outcome) -> None:
    mc = outcome.monte_carlo
    run_inputs = outcome.inputs
    language = lang()
    st.caption(t("res.caption").format(
        deal=deal_name(run_inputs.deal.name), loans=fmt.count(len(run_inputs.pool)),
        balance=fmt.money(run_inputs.pool.balance, language), paths=fmt.count(mc.paths),
        seed=mc.seed, seconds=fmt.number(mc.runtime_seconds, 2)))
    st.caption(t(f"res.defaults.{mc.default_method}").format(
        obligors=fmt.count(obligor_codes(run_inputs.pool)[1]), limit=fmt.count(EXACT_MAX_OBLIGORS)))
    default, loss = mc.pool_default_rate, mc.pool_loss_rate
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("res.mean_default"), fmt.percent(default.mean.value),
              help=t("res.se").format(se=fmt.percent(default.mean.se, 3)))
    c2.metric(t("res.mean_loss"), fmt.percent(loss.mean.value),
              help=t("res.se").format(se=fmt.percent(loss.mean.se, 3)) + "\n\n"
              + t("note.mc_loss"))
    c3.metric(t("res.loss_999"), fmt.percent(loss.quantile(0.999)))
    c4.metric(t("res.default_999"), fmt.percent(default.quantile(0.999)))


@st.cache_data(show_spinner=False, max_entries=16)
def chart_specs(deal: Deal, pool_key: str, language: str,
                _outcome: run.Outcome) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The loss histogram (with the closed-form curve where it applies), the TDR chart and
    the convergence chart of the run of ``deal`` on the pool ``pool_key``, as Vega-Lite
    specifications in ``language``.

    Altair checks a chart against the Vega-Lite schema each time it is drawn: that was the
    largest part of this page's time on the server (0.1-0.35 s of a 0.3-0.6 s run on two busy
    cores). Stored, a result's charts are checked once, and every session draws them as they
    are.
    """
    mc = _outcome.monte_carlo
    classes = [c.name for c in mc.classes]
    attach = list(_outcome.analysis.attachment_points)
    check = _outcome.analysis.closed_form
    lhp = None if check is None else check.probability
    return (loss_histogram(mc.pool_loss_rate, classes, attach, lhp).to_dict(),
            tdr_chart(_outcome).to_dict(), convergence_chart(mc).to_dict())


def main() -> None:
    st.title(t("res.title"))
    outcome = run.outcome()
    if outcome is None:
        return
    summary(outcome)
    histogram, tdrs, convergence = chart_specs(outcome.inputs.deal, outcome.inputs.pool_key,
                                               lang(), outcome)
    left, right = st.columns(2)
    left.vega_lite_chart(histogram, width="stretch")
    right.vega_lite_chart(tdrs, width="stretch")
    st.caption(t("res.charts_help"))
    check = outcome.analysis.closed_form
    assert check is not None  # outcome() analyses a simulation
    for caption in closed_form_captions(check, outcome.inputs.deal.assumptions):
        st.caption(caption)
    show_class_table(outcome)
    show_top_obligors(outcome)
    st.vega_lite_chart(convergence, width="stretch")
    st.caption(t("res.conv_help").format(block=fmt.count(outcome.monte_carlo.block_paths),
                                         band=fmt.number(BAND_SE, 0)))
    cost_section(outcome)
    cashflow_charts(outcome)


# Streamlit runs a page as "__main__"; tests import it for its constants.
if __name__ == "__main__":
    main()
