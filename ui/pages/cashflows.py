"""Cash flows page: the current deal (:mod:`ui.inputs`) on the pool selected on the Pool page,
under one deterministic scenario.

Shows the class table (with break-even default rates), charts of class balances, pool
collections and the cumulative default rate against the triggers' levels (each to the month
the deal ends), and the period tables, all laid out by :mod:`abs_tool.report.tables` (with the
dates paid and accrual days when the deal accrues between business-day dates; the principal
due; the lines of the waterfall options the deal uses: target balances, the coupon of the month
and the step-up, reinstatements, and tabs for the liquidity reserve and the servicer advance),
and the waterfall inspector of one month: of the page's scenario, or of the deal's Monte Carlo
path at a pool loss quantile.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from abs_tool import Deal, PreparedDeal, Scenario, ScenarioResult
from abs_tool.analysis.inspector import PickedPath, inspect_waterfall, inspection_xlsx
from abs_tool.io.csvsafe import csv_text
from abs_tool.io.default_schedule import DefaultSchedule, inspect_default_schedule
from abs_tool.model.pool import Pool
from abs_tool.report.format import shown_yield
from abs_tool.report.tables import CashflowTables, cashflow_tables, class_table
from ui import cache, format as fmt, inputs, run, state
from ui.charts import (
    date_axis,
    date_format,
    default_rate_against_triggers,
    monthly_bars,
    through_end,
)
from ui.labels import LABELS, column, deal_name, lang, namer, t
from ui.pages.pool import ISSUE_COLUMNS, issue_table

CLASS_COLUMNS: tuple[str, ...] = (
    "class", "tier", "original_balance", "coupon", "wal_years", "yield", "principal_loss",
    "loss_pv", "dirr_bp", "bdr", "bdr_reached",
)
COLLECTION_LINES: tuple[str, ...] = (
    "interest", "scheduled_principal", "prepayment", "recovery", "fee_income",
)
# Period-table columns by display kind; the rest are amounts.
PERCENT_COLUMNS = frozenset({"cumulative_default_rate", "coupon_month_annual"})
COUNT_COLUMNS = frozenset({"accrual_days"})
FLAG_COLUMNS = frozenset({"revolving", "accelerated", "step_up"})


def current_deal() -> tuple[inputs.RunInputs, PreparedDeal] | None:
    """The current deal prepared on the selected pool, or None after saying why not."""
    ready = run.prepared_inputs()
    if ready is None:
        return None
    chosen, prepared = ready
    st.caption(t("cf.deal_caption").format(
        deal=deal_name(chosen.deal.name), loans=fmt.count(len(chosen.pool)),
        balance=fmt.money(chosen.pool.balance, lang())))
    return chosen, prepared


def schedule_input(deal: Deal, pool: Pool) -> DefaultSchedule | None:
    """The default schedule uploaded, checked against the pool; None without one, or after
    showing why it is not used (every finding, as for a tape)."""
    upload = st.file_uploader(t("cf.schedule_upload"), type=["csv", "xlsx", "xlsm", "xls"],
                              key="cf_schedule_upload", help=t("cf.schedule_help"))
    if upload is None:
        return None
    schedule, report = inspect_default_schedule(upload.getvalue(), file_name=upload.name,
                                                pool=pool,
                                                horizon_months=deal.dates.horizon_months)
    if schedule is None:
        st.error(t("cf.schedule_rejected").format(file=upload.name, errors=len(report.errors)))
        st.dataframe(issue_table(report), hide_index=True, width="stretch",
                     column_config={c: column("issue", c) for c in ISSUE_COLUMNS})
        return None
    st.caption(t("cf.schedule_loaded").format(file=upload.name, loans=fmt.count(len(schedule))))
    return schedule


def scenario_inputs(deal: Deal, pool: Pool) -> Scenario:
    """Draw the scenario inputs; empty ones keep the deal's assumption."""
    st.subheader(t("cf.scenario"))
    st.caption(t("cf.scenario_help"))
    assumed = deal.assumptions

    def deal_value(text: str) -> str:
        return t("cf.deal_value").format(value=text)

    c1, c2, c3, c4, c5 = st.columns([1.3, 1, 1, 1, 1])
    cdr_on = c1.checkbox(t("cf.cdr_on"), value=state.default("cf_cdr_on"),
                         **state.widget("cf_cdr_on"))
    cdr = c1.number_input(t("cf.cdr"), value=state.default("cf_cdr"), step=0.01, format="%.4f",
                          disabled=not cdr_on, **state.widget("cf_cdr"))
    prepay = assumed.prepayment.annual
    cpr = c2.number_input(
        t("cf.cpr"), value=state.default("cf_cpr"), step=0.01, format="%.4f",
        placeholder=deal_value(fmt.percent(prepay[0]) + (" …" if len(prepay) > 1 else "")),
        **state.widget("cf_cpr"))
    recovery = c3.number_input(
        t("cf.recovery"), value=state.default("cf_recovery"), step=0.05, format="%.4f",
        placeholder=deal_value(fmt.percent(assumed.recovery.rate)),
        **state.widget("cf_recovery"))
    lag = c4.number_input(
        t("cf.lag"), value=state.default("cf_lag"), step=1,
        placeholder=deal_value(str(assumed.recovery.lag_months)), **state.widget("cf_lag"))
    multiplier = c5.number_input(t("cf.multiplier"), min_value=0.0,
                                 value=state.default("cf_multiplier"), step=0.25,
                                 format="%.2f", **state.widget("cf_multiplier"))
    schedule = schedule_input(deal, pool)
    return Scenario(
        cdr_annual=cdr if cdr_on else None,
        cpr_annual=cpr,
        recovery_rate=recovery,
        lag_months=None if lag is None else int(lag),
        default_multiplier=multiplier,
        default_schedule=schedule,
    )


def show_classes(table: pd.DataFrame) -> None:
    st.subheader(t("cf.classes"))
    # A class that receives nothing has a yield of -100% (abs_tool.report.format).
    shown = fmt.money_table(table, ["original_balance"]).assign(
        tier=[t(f"tier.{tier}") for tier in table["tier"]],
        **{"yield": [shown_yield(float(y)) for y in table["yield"]]})
    kinds = {
        "class": fmt.text_column, "tier": fmt.text_column,
        "original_balance": fmt.money_column, "coupon": fmt.percent_column,
        "yield": fmt.percent_column, "principal_loss": fmt.percent_column,
        "loss_pv": fmt.percent_column, "bdr": fmt.percent_column,
    }
    config: dict[str, object] = {
        c: kinds.get(c, fmt.decimal_column)(column("ct", c)) for c in CLASS_COLUMNS
    }
    config["dirr_bp"] = fmt.decimal_column(column("ct", "dirr_bp"), 1)
    config["bdr_reached"] = st.column_config.CheckboxColumn(column("ct", "bdr_reached"))
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config,
                 column_order=CLASS_COLUMNS)
    st.caption(t("cf.bdr_help"))


def show_charts(tables: CashflowTables, result: ScenarioResult, deal: Deal) -> None:
    """Class balances, pool collections, and the cumulative default rate against the
    triggers' levels, each month to the one the deal ends in (:func:`ui.charts.through_end`)."""
    engine = result.result
    balances = pd.concat(
        [
            pd.DataFrame({"date": pd.to_datetime(flows["date"]), "class": name,
                          "balance": fmt.money_values(flows["balance_close"])})
            for name, flows in ((name, through_end(frame, engine))
                                for name, frame in tables.classes.items())
        ],
        ignore_index=True,
    )
    class_title = column("ct", "class")
    balance_title = fmt.money_label(column("cfc", "balance_close"))
    balance_chart = (
        alt.Chart(balances, title=t("cf.balances_chart"))
        .mark_line(point=True)
        .encode(
            x=date_axis(),
            y=alt.Y("balance:Q", title=balance_title),
            color=alt.Color("class:N", title=class_title, sort=list(tables.classes)),
            tooltip=[alt.Tooltip("date:T", title=column("cfc", "date"), format=date_format()),
                     alt.Tooltip("class:N", title=class_title),
                     alt.Tooltip("balance:Q", title=balance_title, format=",.2f")],
        )
    )
    pool = through_end(tables.pool, engine)
    collections = pd.concat(
        [
            pd.DataFrame({"date": pd.to_datetime(pool["date"]),
                          "series": column("cfc", line),
                          "amount": fmt.money_values(pool[line])})
            for line in COLLECTION_LINES
        ],
        ignore_index=True,
    )
    collection_chart = monthly_bars(collections,
                                    [column("cfc", line) for line in COLLECTION_LINES],
                                    t("cf.collections_chart"))
    left, right = st.columns(2)
    left.altair_chart(balance_chart, width="stretch")
    right.altair_chart(collection_chart, width="stretch")
    st.altair_chart(default_rate_against_triggers({t("cf.scenario"): (engine, tables)}, deal),
                    width="stretch")
    st.caption(t("dc.help"))


# Columns named after a fee or trigger of the deal (its user's words) and what they hold.
SUFFIXES: dict[str, str] = {" unpaid": "cfc.fee_unpaid", " paid": "cfc.fee_paid",
                            " value": "cfc.trigger_value", " threshold": "trg.threshold",
                            " breached": "cfc.breached"}


def suffixed(name: str) -> str:
    """``"<fee or trigger> <what>"`` with ``what`` in the chosen language."""
    for suffix, key in SUFFIXES.items():
        if name.endswith(suffix):
            return f"{name.removesuffix(suffix)} {t(key)}"
    return name


def period_config(table: pd.DataFrame) -> dict[str, object]:
    """Column configs of a period table: known columns labelled, amounts formatted."""
    config: dict[str, object] = {"_index": fmt.count_column(column("cfc", "period"))}
    for name in table.columns:
        label = column("cfc", name) if f"cfc.{name}" in LABELS else suffixed(name)
        if name == "date":
            config[name] = st.column_config.DateColumn(label)
        elif name in PERCENT_COLUMNS:
            config[name] = fmt.percent_column(label)
        elif name in COUNT_COLUMNS:
            config[name] = fmt.count_column(label)
        elif name in FLAG_COLUMNS or table[name].dtype == bool:
            config[name] = st.column_config.CheckboxColumn(label)
        elif name.endswith((" value", " threshold")):
            config[name] = fmt.decimal_column(label, 4)
        else:
            config[name] = fmt.money_column(label)
    return config


def period_table(table: pd.DataFrame) -> None:
    config = period_config(table)
    amounts = [name for name, c in config.items() if name != "_index"
               and name not in PERCENT_COLUMNS | FLAG_COLUMNS | COUNT_COLUMNS
               and table[name].dtype != bool and name != "date"
               and not name.endswith((" value", " threshold"))]
    st.dataframe(fmt.money_table(table, amounts), width="stretch", column_config=config)


def show_periods(tables: CashflowTables, deal: Deal) -> None:
    st.subheader(t("cf.periods"))
    dates = deal.dates
    if dates.dated_accrual:
        st.caption(t("cf.dated").format(
            convention=t(f"dl.bdc.{dates.business_day_convention.value}"),
            day_count=t(f"dl.dc.{dates.day_count.value}")))
    if tables.provisional_years:
        st.warning(t("cf.provisional").format(
            years=", ".join(str(year) for year in tables.provisional_years)))
    # (title, table) in tab order; a class keeps its name (a list: it may equal a title).
    # The liquidity reserve's and the servicer advance's tabs only for a deal that has them.
    shown = [(t("cf.tab_pool"), tables.pool), *tables.classes.items(),
             (t("cf.tab_fees"), tables.fees), (t("cf.tab_reserve"), tables.reserve),
             *((t(key), table) for key, table in (("cf.tab_liquidity", tables.liquidity),
                                                  ("cf.tab_advance", tables.advance))
               if table is not None)]
    tabs = st.tabs([*(title for title, _ in shown), t("cf.tab_triggers")])
    for tab, (_, table) in zip(tabs, shown, strict=False):  # the last tab: the triggers
        with tab:
            period_table(table)
    with tabs[-1]:
        if len(tables.triggers.columns) > 1:
            period_table(tables.triggers)
        else:
            st.info(t("cf.no_triggers"))


# Inspector table columns that hold amounts (the rest: codes, names, rates, flags).
STEP_AMOUNTS: tuple[str, ...] = ("funds_before", "received", "due", "paid", "shortfall",
                                 "funds_after")


def coded(prefix: str, value: str) -> str:
    """A code of the inspector's tables in the chosen language; a class's or fee's name
    (the user's words) as it is, a period-table line by its header."""
    for key in (f"{prefix}.{value}", f"cfc.{value}"):
        if key in LABELS:
            return t(key)
    return value


SOURCES: tuple[str, ...] = ("page", "quantile")


def picked_path(run_inputs: inputs.RunInputs, prepared: PreparedDeal) -> PickedPath | None:
    """The deal's Monte Carlo path at the quantile asked for (cached: the deal's run
    settings and the quantile are the key), after saying which; None after an error."""
    percent = st.number_input(t("insp.quantile"), min_value=0.01, max_value=100.0,
                              value=99.0, step=0.1, format="%.2f", key="cf_inspect_quantile",
                              help=t("insp.quantile_help"))
    picked = None
    with state.show_errors():
        picked = cache.quantile_path(run_inputs.deal, run_inputs.pool_key, percent / 100,
                                     prepared)
    if picked is not None:
        st.caption(t("insp.picked").format(
            path=fmt.count(picked.index), last=fmt.count(picked.paths - 1),
            quantile=fmt.percent(picked.quantile), loss=fmt.money(picked.pool_loss, lang()),
            rate=fmt.percent(picked.pool_loss / run_inputs.pool.balance)))
    return picked


def show_inspector(result: ScenarioResult, run_inputs: inputs.RunInputs,
                   prepared: PreparedDeal) -> None:
    """One month of the page's scenario or of a Monte Carlo path, step by step, with its
    triggers and ledgers, and the three tables to download
    (:mod:`abs_tool.analysis.inspector`)."""
    st.subheader(t("insp.title"))
    st.caption(t("insp.help"))
    deal = run_inputs.deal
    source = st.radio(t("insp.source"), SOURCES, format_func=namer("insp.source", SOURCES),
                      horizontal=True, key="cf_inspect_source")
    inspected, lag, stem = (result.result, result.assumptions.recovery.lag_months,
                            "waterfall")
    if source == "quantile":
        picked = picked_path(run_inputs, prepared)
        if picked is None:
            return
        # The path ran on the deal's own assumptions: its recovery lag is the deal's.
        inspected, lag, stem = picked.result, None, f"waterfall_path_{picked.index}"
    months = list(range(1, inspected.n_periods + 1))
    month = st.selectbox(t("insp.month"), months, index=0, key="cf_inspect_month")
    inspection = inspect_waterfall(inspected, deal, int(month), lag_months=lag)
    steps = inspection.steps.assign(
        part=[coded("insp.part", v) for v in inspection.steps["part"]],
        item=[coded("insp.item", v) for v in inspection.steps["item"]])
    st.markdown(f"**{t('insp.steps')}**")
    config: dict[str, object] = {c: fmt.money_column(column("insp.col", c))
                                 for c in STEP_AMOUNTS}
    config |= {c: fmt.text_column(column("insp.col", c)) for c in ("step", "part", "item")}
    st.dataframe(fmt.money_table(steps, STEP_AMOUNTS), hide_index=True, width="stretch",
                 column_config=config)
    if len(inspection.triggers):
        st.markdown(f"**{t('insp.triggers')}**")
        triggers = inspection.triggers.assign(
            metric=[t(f"opt.metric.{m}") for m in inspection.triggers["metric"]])
        st.dataframe(triggers, hide_index=True, width="stretch", column_config={
            "trigger": fmt.text_column(column("insp.col", "trigger")),
            "metric": fmt.text_column(column("insp.col", "metric")),
            **{c: fmt.decimal_column(column("insp.col", c), 4)
               for c in ("value", "level", "headroom")},
            "breached": st.column_config.CheckboxColumn(column("insp.col", "breached"))})
    st.markdown(f"**{t('insp.ledgers')}**")
    ledgers = inspection.ledgers.assign(
        ledger=[coded("insp.part", v) for v in inspection.ledgers["ledger"]],
        item=[coded("insp.item", v) for v in inspection.ledgers["item"]])
    st.dataframe(ledgers, hide_index=True, width="stretch", column_config={
        "ledger": fmt.text_column(column("insp.col", "ledger")),
        "item": fmt.text_column(column("insp.col", "item")),
        "value": fmt.decimal_column(t("cf.amount"), 2)})
    stem = f"{stem}_month_{inspection.month}"
    left, right = st.columns(2)
    left.download_button(t("insp.csv"), csv_text(inspection.frame(), index=False),
                         file_name=f"{stem}.csv", mime="text/csv", key="cf_inspect_csv")
    right.download_button(t("insp.xlsx"), inspection_xlsx(inspection), file_name=f"{stem}.xlsx",
                          mime="application/vnd.openxmlformats-officedocument."
                               "spreadsheetml.sheet", key="cf_inspect_xlsx")


def main() -> None:
    st.title(t("cf.title"))
    chosen = current_deal()
    if chosen is None:
        return
    run_inputs, prepared = chosen
    deal = run_inputs.deal
    # Deterministic results depend on part of the deal only (ui.cache.deterministic_part).
    fixed = cache.deterministic_part(deal)
    outcome = None
    with state.show_errors():
        scenario = scenario_inputs(deal, run_inputs.pool)
        result = cache.scenario(fixed, run_inputs.pool_key, scenario, prepared)
        bdr = cache.break_evens(fixed, run_inputs.pool_key, prepared)
        outcome = (class_table(deal, result.metrics, break_evens=bdr),
                   cashflow_tables(result.result, deal), result)
    if outcome is None:
        return
    classes, tables, result = outcome
    show_classes(classes)
    show_charts(tables, result, deal)
    show_periods(tables, deal)
    show_inspector(result, run_inputs, prepared)


# Streamlit runs a page as "__main__"; tests import it for its constants.
if __name__ == "__main__":
    main()
