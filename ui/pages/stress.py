"""Stress tests page (压力测试): the break-even default rate (BDR) of every class under a table
of scenarios the user edits, against the target default rate (TDR) of each rating, from
editable default multiples or from the Monte Carlo run of the Results page.

The scenario table is an ``st.data_editor`` (one row per
:class:`~abs_tool.analysis.stress.StressScenario`, every field a column; a value the library
refuses is shown by row and field); the numbers are
:func:`~abs_tool.analysis.stress.stress_table`'s, run on the button and kept for the
inputs they were run with.
"""

from __future__ import annotations

import math
from dataclasses import fields, replace
from typing import Any

import pandas as pd
import streamlit as st

from abs_tool import FieldError, PreparedDeal, RatingMultiples, StressScenario, StressTable
from abs_tool.analysis.stress import DEFAULT_SCENARIOS, INDICATIVE_MULTIPLES, TIMINGS
from abs_tool.model.scales import LOCAL_SCALE
from ui import cache, charts, format as fmt, inputs, run, state
from ui.labels import LABELS, column, lang, lang_index, namer, t

SCENARIO_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(StressScenario))
MULTIPLE_COLUMNS: tuple[str, ...] = ("rating", "multiple")
TDR_SOURCES: tuple[str, ...] = ("multiples", "monte_carlo")
# Where each edited table is kept while the page is left (the editors' own state is dropped).
TABLES: dict[str, str] = {"ss_scenarios": "stress_scenarios_table",
                          "ss_multiples": "stress_multiples_table"}
PASS_COLOUR = "background-color: #d4edda"
FAIL_COLOUR = "background-color: #f8d7da"


# --- Tables ------------------------------------------------------------------------------------


def scenario_name(name: str) -> str:
    """An indicative scenario's name in the chosen language; a user's name as written."""
    key = f"ss.name.{name}"
    return t(key) if key in LABELS else name


def default_scenarios() -> pd.DataFrame:
    """The indicative scenarios as rows, named in the chosen language."""
    rows = [{**{c: getattr(s, c) for c in SCENARIO_COLUMNS}, "name": scenario_name(s.name)}
            for s in DEFAULT_SCENARIOS]
    return pd.DataFrame(rows, columns=list(SCENARIO_COLUMNS)).astype(
        {"timing_power": "float64", "cpr_annual": "float64", "recovery_rate": "float64"})


def default_multiples() -> pd.DataFrame:
    return pd.DataFrame(list(INDICATIVE_MULTIPLES), columns=list(MULTIPLE_COLUMNS))


def _indicative_in_other_language(table: pd.DataFrame) -> bool:
    """The indicative scenarios, values untouched, named in the language not chosen now."""
    scenarios, _ = scenarios_of(table)
    if scenarios is None or len(scenarios) != len(DEFAULT_SCENARIOS):
        return False
    other = 1 - lang_index()
    return all(replace(s, name=d.name) == d
               and s.name == LABELS[f"ss.name.{d.name}"][other] != scenario_name(d.name)
               for s, d in zip(scenarios, DEFAULT_SCENARIOS, strict=True))


def editor(key: str, start: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
    """An ``st.data_editor`` whose edited table outlives the page (as
    :func:`ui.inputs.table_editor` keeps the deal's tables)."""
    table_key, start_key = TABLES[key], f"{TABLES[key]}_start"
    ss = st.session_state
    if table_key not in ss:
        ss[table_key] = start
    if key not in ss or start_key not in ss:
        ss[start_key] = ss[table_key]
    edited: pd.DataFrame = st.data_editor(ss[start_key], key=key, **kwargs)
    ss[table_key] = edited
    return edited


def restart(key: str, table: pd.DataFrame) -> None:
    """Button callback: the editor ``key`` starts again from ``table``."""
    st.session_state[TABLES[key]] = table
    st.session_state.pop(f"{TABLES[key]}_start", None)
    st.session_state.pop(key, None)


def _value(value: Any) -> Any:
    """A cell as a scenario field: empty is None, numpy scalars plain, whole lags int."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    return value


def _field_error(row: int, err: FieldError) -> str:
    """A refused field, by row and field: the library's message in English, the rule of the
    field in Chinese."""
    name = err.field.split(".")[-1].split("[")[0]
    label = column("ss.col", name) if f"ss.col.{name}" in LABELS else name
    message = err.message if lang() == "en" else t(f"ss.rule.{name}") \
        if f"ss.rule.{name}" in LABELS else err.message
    return t("ss.row_error").format(row=row, field=label, message=message)


def scenarios_of(table: pd.DataFrame) -> tuple[tuple[StressScenario, ...] | None, list[str]]:
    """The scenarios of the edited table, or None and a message per refused row and field."""
    scenarios, problems = [], []
    for i, record in enumerate(table.to_dict("records"), start=1):
        values = {c: _value(record.get(c)) for c in SCENARIO_COLUMNS}
        if all(v in (None, "") for v in values.values()):
            continue  # a row added and left blank
        given = {c: v for c, v in values.items() if v is not None}
        if isinstance(given.get("extra_lag_months"), float) and \
                given["extra_lag_months"].is_integer():
            given["extra_lag_months"] = int(given["extra_lag_months"])
        try:
            scenarios.append(StressScenario(**{"name": "", **given}))
        except FieldError as err:
            problems.append(_field_error(i, err))
    names = [s.name for s in scenarios]
    problems += [_field_error(i + 1, FieldError("name", f"repeats the name {n!r}; each "
                                                "scenario needs its own"))
                 for i, n in enumerate(names) if n in names[:i]]
    if not scenarios and not problems:
        problems.append(t("ss.row_error").format(row="—", field=t("ss.scenarios"),
                                                 message=t("ss.rule.scenarios")))
    return (None, problems) if problems else (tuple(scenarios), problems)


def multiples_of(table: pd.DataFrame) -> tuple[RatingMultiples | None, str | None]:
    """The multiples of the edited table (indicative while untouched), or None and why."""
    pairs = [(str(r), _value(m)) for r, m in zip(table["rating"], table["multiple"],
                                                 strict=True)
             if _value(r) not in (None, "") or _value(m) is not None]
    if pairs == list(INDICATIVE_MULTIPLES):
        return RatingMultiples(), None
    try:
        return RatingMultiples(tuple(pairs), indicative=False), None
    except FieldError as err:
        message = str(err) if lang() == "en" else t("ss.rule.multiples")
        return None, t("ss.multiples_error").format(message=message)


# --- Inputs ------------------------------------------------------------------------------------


def scenario_editor() -> tuple[StressScenario, ...] | None:
    st.subheader(t("ss.scenarios"))
    ss = st.session_state
    table_key = TABLES["ss_scenarios"]
    if table_key in ss and _indicative_in_other_language(ss[table_key]):
        restart("ss_scenarios", default_scenarios())  # the language changed: rename them
    st.caption(f"{t('ss.indicative')}. {t('ss.scenarios_help')}")
    percent = {"cpr_annual", "recovery_rate", "yield_compression_annual"}
    config: dict[str, object] = {
        "name": st.column_config.TextColumn(column("ss.col", "name"), required=True,
                                            max_chars=60),
        "timing": st.column_config.SelectboxColumn(
            column("ss.col", "timing"), options=list(TIMINGS), required=True,
            default="base", format_func=namer("ss.timing", TIMINGS)),
        "extra_lag_months": st.column_config.NumberColumn(
            column("ss.col", "extra_lag_months"), min_value=0, step=1, format="%d"),
    }
    for name in SCENARIO_COLUMNS:
        if name not in config:
            config[name] = st.column_config.NumberColumn(
                column("ss.col", name), format="%.4f" if name in percent else "%.2f")
    table = editor("ss_scenarios", default_scenarios(), hide_index=True, width="stretch",
                   num_rows="dynamic", column_config=config)
    st.button(t("ss.reset"), key="ss_reset", on_click=restart,
              args=("ss_scenarios", default_scenarios()))
    scenarios, problems = scenarios_of(table)
    for message in problems:
        st.error(message)
    return scenarios


def multiples_editor() -> RatingMultiples | None:
    st.subheader(t("ss.multiples"))
    st.caption(f"{t('ss.indicative')}. {t('ss.multiples_help')}")
    table = editor("ss_multiples", default_multiples(), hide_index=True, num_rows="dynamic",
                   column_config={
                       "rating": st.column_config.SelectboxColumn(
                           column("ss.col", "rating"), options=list(LOCAL_SCALE),
                           required=True),
                       "multiple": st.column_config.NumberColumn(
                           column("ss.col", "multiple"), min_value=0.0, format="%.2f")})
    multiples, problem = multiples_of(table)
    if problem is not None:
        st.error(problem)
    return multiples


def monte_carlo_tdrs(run_inputs: inputs.RunInputs, prepared: PreparedDeal) -> Any:
    """The Monte Carlo TDRs of every class when the deal has been run (None otherwise),
    from its analysis as the Results page shows it."""
    result = cache.cached_monte_carlo(run_inputs.deal, run_inputs.pool_key)
    if result is None:
        return None
    break_evens = cache.break_evens(cache.deterministic_part(run_inputs.deal),
                                    run_inputs.pool_key, prepared)
    analysis = cache.analysis(run_inputs.deal, run_inputs.pool_key, prepared, result,
                              break_evens)
    return analysis.target_default_rates


# --- Results -----------------------------------------------------------------------------------


def results_frame(table: StressTable) -> pd.DataFrame:
    """One row per scenario and class: BDR, the TDR of each rating, the highest rating."""
    rows = []
    for row in table.scenarios:
        for c in row.classes:
            rows.append({"scenario": scenario_name(row.scenario.name), "class": c.class_name,
                         "bdr": c.bdr, "lower_bound": not c.loses,
                         **dict(zip(c.ratings, c.tdr, strict=True)),
                         "highest": c.highest_rating})
    return pd.DataFrame(rows)


def show_results(table: StressTable) -> None:
    st.subheader(t("ss.results"))
    st.metric(t("ss.base_rate"), fmt.percent(table.base_lifetime_default_rate, 3))
    summary = table.highest_ratings()
    st.markdown(f"**{t('ss.summary')}**")
    for where, (name, rating) in zip(st.columns(len(summary)), summary.items(), strict=True):
        where.metric(name, rating)
    frame = results_frame(table)
    ratings = list(table.scenarios[0].classes[0].ratings)
    # Pass or fail of each rating column, row by row (the rows of `frame`).
    passes = pd.DataFrame([c.passes for row in table.scenarios for c in row.classes],
                          columns=ratings)
    headers = {name: column("ss.col", name)
               for name in ("scenario", "class", "bdr", "lower_bound", "highest")}
    shown = frame.rename(columns=headers)

    def colour(values: pd.Series) -> list[str]:
        return [PASS_COLOUR if ok else FAIL_COLOUR for ok in passes[values.name]]

    # A styled table keeps its numbers (sortable, and what the tests read); the colours
    # and the percent texts are styles (24 cells a class: drawn at once).
    styled = shown.style.apply(colour, subset=ratings).format(
        fmt.percent, subset=[*ratings, headers["bdr"]])
    st.dataframe(styled, hide_index=True, width="stretch")
    st.caption(t("ss.legend"))
    tdr = frame.melt(id_vars=["scenario", "class"], value_vars=ratings, var_name="rating",
                     value_name="tdr")
    st.altair_chart(charts.bdr_against_tdr(frame[["scenario", "class", "bdr"]], tdr),
                    width="stretch")


# --- Page ------------------------------------------------------------------------------------


def main() -> None:
    st.title(t("ss.title"))
    st.caption(t("ss.intro"))
    chosen = run.prepared_inputs()
    scenarios = scenario_editor()
    multiples = multiples_editor()
    source = st.radio(t("ss.tdr_source"), TDR_SOURCES, horizontal=True,
                      index=state.index("ss_tdr_source", TDR_SOURCES),
                      format_func=namer("ss.tdr", TDR_SOURCES),
                      **state.widget("ss_tdr_source", labelled=True))
    if chosen is None or scenarios is None or multiples is None:
        return
    run_inputs, prepared = chosen
    tdrs = None
    if source == "monte_carlo":
        tdrs = monte_carlo_tdrs(run_inputs, prepared)
        if tdrs is None:
            st.info(t("ss.no_run"))
            return
    monte_carlo = tdrs is not None
    # The Monte Carlo's TDRs depend on every input; the multiples' on the deterministic ones.
    deal = run_inputs.deal if monte_carlo else cache.deterministic_part(run_inputs.deal)
    # What the table is run with; its result is shown while the inputs match. A tuple:
    # a class defined here is defined anew on every run of the page, and never equal.
    asked = (deal, run_inputs.pool_key, scenarios, multiples, monte_carlo)
    stored = st.session_state[state.STRESS]
    if stored is None or stored[0] != asked:
        if not st.button(t("ss.run"), key="ss_run", type="primary"):
            st.info(t("ss.waiting").format(scenarios=len(scenarios),
                                           classes=len(deal.structure.classes)))
            return
        table = None
        with st.spinner(t("ss.running")), state.show_errors():
            table = cache.stress(deal, run_inputs.pool_key, scenarios, multiples, monte_carlo,
                                 prepared, tdrs, run.executor())
        if table is None:
            return
        stored = (asked, table)
        st.session_state[state.STRESS] = stored
    show_results(stored[1])


# Streamlit runs a page as "__main__"; tests import it for its functions.
if __name__ == "__main__":
    main()
