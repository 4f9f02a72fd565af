"""Structuring page: size the rated classes to their target ratings, price them, and show what
the sized deal costs (:func:`abs_tool.analysis.structuring.structure_deal`).

Targets are the classes' target ratings (Structure page). The result is cached on the deal,
the pool and the settings, so coming back to the page shows it again without a rerun; "Use
this structure" loads the sized deal into every input. A two-way sensitivity grid runs on
request below. Figures come from the library; this page lays them out.
"""

from __future__ import annotations

import threading

import altair as alt
import pandas as pd
import streamlit as st

from abs_tool import CancelledError, Deal, StructuringResult, Tier
from abs_tool.analysis.structuring import SENSITIVITY_PARAMETERS, Criterion
from abs_tool.report.format import format_kind
from abs_tool.report.tables import figure_format, sizing_table, structuring_label
from ui import cache, format as fmt, inputs, run, state
from ui.charts import coarse_bins
from ui.labels import column, columns, lang, money_unit, namer, t

CRITERIA: tuple[str, ...] = tuple(c.value for c in Criterion)
PARAMETERS: tuple[str, ...] = SENSITIVITY_PARAMETERS
# The format of a criterion's metric, threshold and margin (EL, PD and the TDR criterion's
# probability as percent with significant digits; DIRR in bp): text, never 1.2e-05.
CRITERION_FORMATS: dict[str, str] = {"el": "pct_fine", "pd": "pct_fine", "tdr": "pct_fine",
                                     "dirr": "bp"}
# Formats of the sensitivity grid's figures (the assumptions' values are plain numbers).
GRID_FORMATS: dict[str, str] = {"size_share": "pct", "el": "pct_fine", "el_se": "pct_fine",
                                "pd": "pct_fine", "all_in": "pct", "saving_bp": "bp"}
# The retained class's IRR chart: bars at most, and the share of the non-total-loss paths
# their range covers.
IRR_BARS = 30
IRR_COVER = 0.998
SIZING_COLUMNS: tuple[str, ...] = (
    "class", "tier", "target", "size_share", "amount", "coupon", "wal_years", "metric",
    "metric_se", "threshold", "margin", "margin_se", "meets", "binding",
)


def settings(deal: Deal) -> cache.StructuringSettings:
    """Draw the sizing settings; they are read back from the session (as the Export page
    reads them) by :func:`ui.run.structuring_settings`."""
    left, middle, right = st.columns(3)
    left.selectbox(t("sz.criterion"), CRITERIA, index=state.index("sz_criterion", CRITERIA),
                   format_func=namer("sz.criterion", CRITERIA), help=t("sz.criterion_help"),
                   **state.widget("sz_criterion", labelled=True))
    middle.number_input(t("sz.paths"), min_value=1_000, max_value=1_000_000,
                        value=state.default("sz_paths"), step=10_000, help=t("sz.paths_help"),
                        **state.widget("sz_paths"))
    right.number_input(t("sz.seed"), min_value=0, value=state.default("sz_seed"), step=1,
                       **state.widget("sz_seed"))
    left, middle, right = st.columns(3)
    left.number_input(t("sz.step"), min_value=0.01, max_value=10.0,
                      value=state.default("sz_step"), step=0.05, format="%.2f",
                      help=t("sz.step_help"), **state.widget("sz_step"))
    middle.number_input(t("sz.retained"), min_value=0.0, max_value=50.0,
                        value=state.default("sz_retained"), step=0.5, format="%.1f",
                        help=t("sz.retained_help"), **state.widget("sz_retained"))
    right.checkbox(t("sz.price"), value=state.default("sz_price"),
                   disabled=deal.pricing is None,
                   help=t("sz.price_help" if deal.pricing else "sz.no_pricing"),
                   **state.widget("sz_price"))
    left, right = st.columns([1, 2])
    left.number_input(t("sz.min_class"), min_value=0.0, max_value=50.0,
                      value=state.default("sz_min_class"), step=0.5, format="%.1f",
                      help=t("sz.min_class_help"), **state.widget("sz_min_class"))
    rated = [c.name for c in deal.structure.classes if c.tier != Tier.SUBORDINATED]
    # Classes renamed or removed on the Structure page can no longer be held.
    st.session_state["sz_fixed"] = [name for name in st.session_state.get(
        "sz_fixed", state.default("sz_fixed")) if name in rated]
    right.multiselect(t("sz.fixed"), rated, help=t("sz.fixed_help"),
                      **state.widget("sz_fixed"))
    return run.structuring_settings()


def pricing_grid() -> None:
    """The benchmark curve and the spread grid the coupons come from (part of the deal)."""
    with st.expander(t("sz.pricing")):
        st.checkbox(t("sz.pricing_on"), help=t("sz.pricing_on_help"),
                    **state.widget("sz_pricing_on"))
        if not st.session_state["sz_pricing_on"]:
            return
        left, right = st.columns([1, 2])
        with left:
            st.caption(t("sz.curve_table"))
            inputs.table_editor("sz_curve", hide_index=True, width="stretch",
                                num_rows="dynamic", column_config={
                                    "tenor_years": st.column_config.NumberColumn(
                                        t("sz.tenor"), format="%.2f", min_value=0.0),
                                    "rate_annual": st.column_config.NumberColumn(
                                        t("sz.rate"), format="%.4f", step=0.0001)})
        with right:
            st.text_input(t("sz.spread_wals"), help=t("sz.spread_wals_help"),
                          **state.widget("sz_spread_wals"))
            inputs.show_problems("sz_spread_wals")
            inputs.table_editor("sz_spreads", hide_index=True, width="stretch",
                                num_rows="dynamic", column_config={
                                    "rating": fmt.text_column(t("sz.col.target")),
                                    "spreads_bp": fmt.text_column(t("sz.spreads"))})


def targets_caption(deal: Deal) -> None:
    rated = [c for c in deal.structure.classes if c.tier != Tier.SUBORDINATED]
    listed = ", ".join(f"{c.name}: {c.target_rating or '—'}" for c in rated)
    st.caption(t("sz.targets").format(targets=listed))


def _size(run_inputs: inputs.RunInputs, chosen: cache.StructuringSettings
          ) -> StructuringResult | None:
    """The cached result, or a run with a progress bar and a Cancel button (a rerun the user
    causes meanwhile stops the sizing at its next progress update)."""
    run_settings = run_inputs.deal.run
    st.caption(t("note.sz_run_settings").format(
        paths=fmt.count(chosen.paths), seed=chosen.seed,
        run_paths=fmt.count(run_settings.paths), run_seed=run_settings.seed))
    stored = cache.cached_structuring(run_inputs.deal, run_inputs.pool_key, chosen)
    if stored is not None:
        return stored
    adopted = state.adopted_sizing(run_inputs.deal, run_inputs.pool_key, chosen)
    if adopted is not None:
        st.caption(t("note.sz_adopted"))
        return adopted
    if not st.button(t("sz.run"), key="sz_run", type="primary"):
        st.info(t("sz.waiting"))
        return None
    box = st.empty()
    with box.container():
        bar = st.progress(0.0, text=t("sz.progress").format(done=0))
        st.button(t("run.cancel"), key="sz_cancel")
    cancel = threading.Event()

    def progress(done: int, what: str) -> None:
        try:
            # The number of structures is not known in advance: the bar fills towards 1.
            bar.progress(1.0 - 0.9 ** done, text=t("sz.progress").format(done=done))
        except BaseException:  # Streamlit stops the script here for a rerun: stop the sizing
            cancel.set()
            raise

    try:
        with state.show_errors():
            return cache.structuring(run_inputs.deal, run_inputs.pool_key, chosen,
                                     run_inputs.pool, progress, cancel, run.executor())
    except CancelledError:
        st.info(t("run.cancelled"))
    finally:
        box.empty()
    return None


def show_sizing(result: StructuringResult) -> None:
    if result.converged:
        st.success(t("sz.converged").format(rounds=len(result.rounds),
                                            n=result.evaluations,
                                            coarse=result.coarse_evaluations,
                                            seconds=fmt.number(result.runtime_seconds, 1)))
    else:
        st.warning(t("sz.not_converged").format(rounds=len(result.rounds)))
    table = fmt.money_table(sizing_table(result)[list(SIZING_COLUMNS)], ["amount"])
    table["tier"] = table["tier"].map(namer("tier", table["tier"].unique()))
    kind = CRITERION_FORMATS[result.criterion]
    language = lang()
    for name in ("metric", "metric_se", "threshold", "margin"):
        table[name] = [format_kind(v, kind, language) for v in table[name]]
    table["binding"] = table["binding"].map(namer("sz.binding", table["binding"].unique()))
    metric = t(f"sz.metric.{result.criterion}")
    headers = columns("sz.col", SIZING_COLUMNS)
    headers["metric"] = metric
    st.dataframe(table.rename(columns=headers), hide_index=True, column_config={
        headers["size_share"]: fmt.percent_column(headers["size_share"]),
        headers["amount"]: fmt.money_column(headers["amount"]),
        headers["coupon"]: fmt.percent_column(headers["coupon"]),
        headers["wal_years"]: fmt.decimal_column(headers["wal_years"]),
        headers["margin_se"]: st.column_config.NumberColumn(headers["margin_se"],
                                                            format="%.1f"),
    })
    st.caption(t("sz.table_help").format(k=fmt.number(result.confidence_se, 2)))
    minimum = fmt.percent(result.min_class_share, 1)
    shortfalls = [t(f"sz.shortfall.{c.binding}").format(
        name=c.name, target=c.target, min=minimum, size=fmt.percent(c.size_share, 2))
        for c in result.classes if c.tier != Tier.SUBORDINATED.value and not c.meets]
    if shortfalls:
        st.warning("\n\n".join(shortfalls))
    shrunk = [c.name for c in result.classes if c.binding == "verification"]
    if shrunk:
        st.info(t("sz.verified_shrunk").format(seed=result.verification_seed,
                                               classes=", ".join(shrunk)))
    elif not shortfalls:
        st.caption(t("sz.verified").format(seed=result.verification_seed))


def show_economics(result: StructuringResult) -> None:
    econ = result.economics
    cost = econ.cost
    st.subheader(t("sz.economics"))
    c1, c2, c3, c4, c5 = st.columns(5)
    c1.metric(t("res.wa_coupon"), fmt.percent(cost.wa_coupon, 3))
    c2.metric(t("res.all_in"), fmt.percent(cost.all_in, 3))
    c3.metric(t("res.saving"), fmt.bp(cost.saving_bp, 1))
    c4.metric(t("sz.excess_spread"), fmt.percent(cost.excess_spread_annual, 2))
    retained = econ.retained_return
    c5.metric(t("sz.retained_irr"),
              fmt.MISSING if retained is None else fmt.yield_percent(retained.value, 1),
              help=None if retained is None else t("res.se").format(
                  se=fmt.percent(retained.se, 2)))
    size = econ.break_even_balance
    st.caption(t("sz.upfront").format(amount=fmt.money(cost.upfront_fees, lang())) + " "
               + (t("sz.no_break_even") if size is None else t("sz.break_even").format(
                   balance=fmt.money(size, lang()))))
    curve = fmt.money_table(econ.size_curve, ["pool_balance"]).assign(benchmark=cost.benchmark)
    balance_title = fmt.money_label(column("sz.col", "pool_balance"))
    x = alt.X("pool_balance:Q", title=balance_title, scale=alt.Scale(type="log"),
              axis=alt.Axis(format=",.0f"))
    line = alt.Chart(curve).mark_line(point=True).encode(
        x=x, y=alt.Y("all_in:Q", title=t("res.all_in"), axis=alt.Axis(format="%"),
                     scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("pool_balance:Q", title=balance_title, format=",.2f"),
                 alt.Tooltip("all_in:Q", title=t("res.all_in"), format=".3%"),
                 alt.Tooltip("saving_bp:Q", title=t("res.saving"), format=",.1f")])
    benchmark = alt.Chart(curve).mark_line(strokeDash=[6, 3], color="gray").encode(
        x=x, y="benchmark:Q")
    left, right = st.columns(2)
    left.altair_chart((line + benchmark).properties(title=t("sz.curve"), height=280),
                      width="stretch")
    chart, note = retained_chart(result)
    right.altair_chart(chart, width="stretch")
    if note:
        right.caption(note)


def retained_chart(result: StructuringResult) -> tuple[alt.Chart, str | None]:
    """The retained (subordinated) class's IRR distribution, and what it leaves out.

    The yield histogram's lowest bin (-100% to -99.5%) holds the paths where the class gets
    nothing back: that mass is stated in words, not drawn as a bar dwarfing the others; the
    rest is drawn in at most :data:`IRR_BARS` bars over the central :data:`IRR_COVER` of it.
    """
    sub = next((c for c in result.monte_carlo.classes if c.tier == Tier.SUBORDINATED.value),
               None)
    if sub is None:
        return alt.Chart(pd.DataFrame({"x": []})).mark_bar(), None
    dist = sub.yield_distribution
    bins = coarse_bins(dist.edges[1:], dist.density[1:], IRR_BARS, IRR_COVER)
    note = None if bins.empty else t("note.irr_total_loss").format(
        share=fmt.percent_significant(float(dist.density[0])),
        low=fmt.yield_percent(float(bins["low"].iloc[0]), 1),
        high=fmt.yield_percent(float(bins["high"].iloc[-1]), 1))
    return alt.Chart(bins).mark_bar().encode(
        x=alt.X("low:Q", title=t("sz.irr"), axis=alt.Axis(format="%")), x2="high:Q",
        y=alt.Y("probability:Q", title=t("res.probability"), axis=alt.Axis(format="%")),
        tooltip=[alt.Tooltip("low:Q", title=t("sz.irr"), format=".1%"),
                 alt.Tooltip("probability:Q", title=t("res.probability"), format=".2%")],
    ).properties(title=t("sz.irr_chart").format(name=sub.name), height=280), note


def use_sized(result: StructuringResult, pool_key: str,
              chosen: cache.StructuringSettings) -> None:
    """Button callback (runs before the next script run draws any input). The sizing stays
    the loaded deal's (:func:`ui.state.adopted_sizing`): the term sheet keeps its sheet."""
    inputs.load(result.deal, "structured", interactive_paths=False)
    st.session_state[state.SIZED_LOADED] = True
    st.session_state[state.SIZED_ADOPTED] = (inputs.current(), pool_key, chosen, result)


def show_comparison(result: StructuringResult) -> None:
    with st.expander(t("sz.comparison")):
        language, unit = lang(), money_unit()
        frame = result.comparison.copy()
        kinds = [figure_format(m) for m in frame["metric"]]
        for name in ("as given", "sized", "difference"):
            frame[name] = [format_kind(v, "pct" if name == "difference" and k == "yield" else k,
                                       language, unit)
                           for v, k in zip(frame[name], kinds, strict=True)]
        for name in ("item", "metric"):
            frame[name] = [structuring_label(str(v), language) for v in frame[name]]
        frame = frame.rename(columns={
            "item": t("sz.item"), "metric": t("sz.figure"), "as given": t("sz.as_given"),
            "sized": t("sz.sized"), "difference": t("sz.difference")})
        st.dataframe(frame, hide_index=True)
        st.caption(t("sz.comparison_help"))


def show_rounds(result: StructuringResult) -> None:
    with st.expander(t("sz.rounds")):
        names = [c.name for c in result.classes]
        rows = [{t("sz.round"): i + 1,
                 **{f"{column('sz.col', 'size_share')} {n}": s for n, s in zip(
                     names, r.shares, strict=True)},
                 **{f"{column('sz.col', 'coupon')} {n}": k for n, k in zip(
                     names, r.coupons, strict=True)}}
                for i, r in enumerate(result.rounds)]
        frame = pd.DataFrame(rows)
        st.dataframe(frame, hide_index=True, column_config={
            name: fmt.percent_column(name) for name in frame.columns[1:]})
        st.caption(t("sz.rounds_help"))


def sensitivity(run_inputs: inputs.RunInputs, result: StructuringResult,
                chosen: cache.StructuringSettings) -> None:
    st.subheader(t("sz.sensitivity"))
    st.caption(t("sz.sensitivity_help"))
    cols = st.columns(2)
    axes = []
    for i, where in enumerate(cols):
        name = where.selectbox(t(f"sz.axis{i + 1}"), PARAMETERS,
                               index=state.index(f"sz_axis{i + 1}", PARAMETERS),
                               format_func=namer("sz.param", PARAMETERS),
                               **state.widget(f"sz_axis{i + 1}", labelled=True))
        text = where.text_input(t("sz.values"), value=state.default(f"sz_values{i + 1}"),
                                **state.widget(f"sz_values{i + 1}"))
        values = inputs.parse_vector(text)
        if not values or not all(isinstance(v, float) for v in values):
            where.error(t("sz.bad_values"))
            return
        axes.append((str(name), tuple(float(v) for v in values)))
    if axes[0][0] == axes[1][0]:
        st.error(t("sz.same_axes"))
        return
    resize = st.checkbox(t("sz.resize"), value=state.default("sz_resize"),
                         help=t("sz.resize_help"), **state.widget("sz_resize"))
    grid_paths = min(chosen.paths, 20_000)
    key = (axes[0], axes[1], bool(resize), grid_paths)
    grid = cache.cached_sensitivity(result.deal, run_inputs.pool_key, chosen, key)
    if grid is None:
        if not st.button(t("sz.run_grid"), key="sz_run_grid"):
            return
        with st.spinner(t("sz.grid_running")), state.show_errors():
            grid = cache.sensitivity(result.deal, run_inputs.pool_key, chosen, key,
                                     run_inputs.pool, run.executor())
        if grid is None:
            return
    (x_name, _), (y_name, _) = axes
    senior = grid[grid["tier"] == Tier.SENIOR.value]
    value = "size_share" if resize else "el"
    language = lang()
    st.altair_chart(heat_map(senior, x_name, y_name, value, language), width="stretch")
    shown = grid.copy()
    for name in shown.columns:
        if name in GRID_FORMATS:
            shown[name] = [format_kind(v, GRID_FORMATS[name], language) for v in shown[name]]
        elif name in ("class", "tier"):
            shown[name] = [structuring_label(str(v), language) for v in shown[name]]
    st.dataframe(shown.rename(columns=lambda c: structuring_label(str(c), language)),
                 hide_index=True)


def heat_map(senior: pd.DataFrame, x_name: str, y_name: str, value: str,
             language: str) -> alt.LayerChart:
    """The senior class's ``value`` over the grid's two axes, each cell labelled with its
    figure; the chart's title names the figure once (the colour legend has none)."""
    cells = senior.assign(text=[format_kind(v, GRID_FORMATS[value], language)
                                for v in senior[value]])
    x = alt.X(f"{x_name}:O", title=column("sz.param", x_name))
    y = alt.Y(f"{y_name}:O", title=column("sz.param", y_name))
    rect = alt.Chart(cells).mark_rect().encode(
        x=x, y=y,
        color=alt.Color(f"{value}:Q", title=None,
                        scale=alt.Scale(scheme="orangered" if value == "el" else "blues")),
        tooltip=[alt.Tooltip(f"{x_name}:O", title=column("sz.param", x_name)),
                 alt.Tooltip(f"{y_name}:O", title=column("sz.param", y_name)),
                 alt.Tooltip("text:N", title=column("sz.col", value)),
                 alt.Tooltip("el_rating:N", title=column("sz.col", "el_rating")),
                 alt.Tooltip("all_in:Q", title=t("res.all_in"), format=".3%")])
    # Dark text on the light half of the colour scale, white on the dark half.
    middle = float(cells[value].min() + cells[value].max()) / 2
    text = alt.Chart(cells).mark_text(fontSize=12).encode(
        x=x, y=y, text="text:N",
        color=alt.condition(alt.datum[value] > middle, alt.value("white"),
                            alt.value("black")))
    return (rect + text).properties(
        title=t("sz.heat").format(what=column("sz.col", value)), height=260)


def main() -> None:
    st.title(t("sz.title"))
    if st.session_state.get(state.SIZED_LOADED):
        st.success(t("sz.loaded"))
        st.session_state[state.SIZED_LOADED] = False
    # Part of the deal's inputs: drawn even when the deal is invalid, so it can be fixed here.
    pricing_grid()
    run_inputs = inputs.run_inputs(run.invalid_inputs)
    if run_inputs is None:
        return
    deal = run_inputs.deal
    targets_caption(deal)
    chosen = settings(deal)
    result = _size(run_inputs, chosen)
    if result is None:
        return
    show_sizing(result)
    st.button(t("sz.use"), key="sz_use", on_click=use_sized,
              args=(result, run_inputs.pool_key, chosen),
              help=t("sz.use_help"))
    show_economics(result)
    show_comparison(result)
    show_rounds(result)
    sensitivity(run_inputs, result, chosen)


# Streamlit runs a page as "__main__"; tests import it for its constants.
if __name__ == "__main__":
    main()
