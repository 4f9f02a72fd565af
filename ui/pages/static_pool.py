"""Static pool page: an originator's vintage data (a sample or an uploaded file, validated
like a tape) analysed to a base case, and that base case made the deal's assumptions.

Shows the vintage curves (observed solid, chain-ladder extrapolation dashed), a table of
vintages, the base-case lifetime default rate with its dispersion, the timing curve, CPR,
recovery rate and lag, and the implied correlation (a suggestion). The numbers are
:func:`abs_tool.analysis.static_pool.analyse_static_pool`'s; "use as the deal's base case"
loads the deal with :func:`~abs_tool.analysis.static_pool.base_case_assumptions` in place of
its default, prepayment and recovery assumptions, as the Structuring page loads a sized deal.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from abs_tool import Assumptions, StaticPoolAnalysis, StaticPoolData, base_case_assumptions
from abs_tool.analysis.static_pool import WEIGHTINGS
from abs_tool.io.static_pool import DEFAULT_MAX_BYTES
from abs_tool.model.assumptions import AnnualPd, CdrVector, LifetimeDefault
from ui import cache, charts, format as fmt, inputs, run, state
from ui.labels import column, columns, lang, namer, t
from ui.pages.pool import ISSUE_COLUMNS, issue_table

UPLOAD = "upload"
SOURCES: tuple[str, ...] = ("consumer", "factoring", UPLOAD)
VINTAGE_COLUMNS: tuple[str, ...] = (
    "vintage", "original_balance", "months_observed", "observed_rate", "developed_share",
    "chain_ladder_lifetime_rate", "fit_lifetime_rate", "in_base_case", "weight",
)


# --- Source ----------------------------------------------------------------------------------


def choose_data() -> tuple[StaticPoolData, str, str] | None:
    """Draw the source inputs; the chosen data, its cache key and its name, or None."""
    source = st.radio(t("sp.source"), SOURCES, format_func=namer("sp.source", SOURCES),
                      horizontal=True, index=state.index("sp_source", SOURCES),
                      **state.widget("sp_source", labelled=True))
    if source != UPLOAD:
        data = cache.sample_static_pool(source)
        name = column("sp.source", source)
        st.caption(t("sp.loaded").format(file=name, vintages=fmt.count(data.n_vintages),
                                         months=data.n_months))
        return data, f"sample:{source}", name
    # .xls and .xlsm are let through so that the reader can say what to do with them.
    upload = st.file_uploader(t("sp.upload"), type=["csv", "xlsx", "xlsm", "xls"],
                              key="static_pool_upload", help=t("upload.help"),
                              max_upload_size=DEFAULT_MAX_BYTES // 2**20)
    if upload is not None:
        raw = upload.getvalue()
        with state.show_errors():
            data, report = cache.inspect_static_pool(raw, upload.name)
            digest = hashlib.sha256(raw).hexdigest()[:16]
            st.session_state[state.STATIC_POOL_UPLOAD] = state.LoadedStaticPool(
                upload.name, f"upload:{digest}", data, report)
    loaded: state.LoadedStaticPool | None = st.session_state[state.STATIC_POOL_UPLOAD]
    if loaded is None:
        st.info(t("sp.waiting"))
        return None
    if upload is None:
        st.caption(t("sp.kept").format(file=loaded.file_name))
    show_report(loaded)
    return None if loaded.data is None else (loaded.data, loaded.key, loaded.file_name)


def show_report(loaded: state.LoadedStaticPool) -> None:
    """The validation outcome, as the Pool page shows a tape's: a line and every finding."""
    report = loaded.report
    if loaded.data is None:
        st.error(t("sp.not_loaded").format(file=loaded.file_name, errors=len(report.errors),
                                           warnings=len(report.warnings)))
    else:
        st.success(t("sp.loaded").format(file=loaded.file_name,
                                         vintages=fmt.count(loaded.data.n_vintages),
                                         months=loaded.data.n_months))
        if report.warnings:
            st.warning(t("tape.warnings").format(warnings=len(report.warnings)))
    if report.issues:
        st.markdown(f"**{t('tape.report')}**")
        st.dataframe(issue_table(report), hide_index=True, width="stretch",
                     column_config={c: column("issue", c) for c in ISSUE_COLUMNS})
        # The findings proper to static pools have no code yet: their reason is English.
        if lang() != "en" and any(i.code is None for i in report.issues):
            st.caption(t("sp.english_reasons"))


# --- The analysis ----------------------------------------------------------------------------


def curves_frame(analysis: StaticPoolAnalysis) -> pd.DataFrame:
    """Tidy rows of the vintage curves: observed months, then the chain-ladder projection
    from the last observed month on (``lifetime rate x F(a)``, the extrapolation's own
    definition), so that each dashed line starts where its solid one ends."""
    data, ladder, months = analysis.data, analysis.balance, analysis.months
    observed = (data.cumulative_default_balance[:, :months]
                / data.original_balance[:, None])
    projected = ladder.lifetime_rate[:, None] * ladder.cumulative_share[None, :]
    ages = np.arange(1, months + 1)
    last = np.minimum(data.observed_months, months)
    rows = []
    solid, dashed = t("sp.curve.observed"), t("sp.curve.extrapolated")
    for v, vintage in enumerate(data.vintages):
        seen = ages <= last[v]
        rows += [(vintage, int(a), float(r), solid) for a, r in zip(ages[seen], observed[v, seen],
                                                                    strict=True)]
        if last[v] < months and np.isfinite(ladder.lifetime_rate[v]):
            ahead = ages >= last[v]
            rows += [(vintage, int(a), float(r), dashed)
                     for a, r in zip(ages[ahead], projected[v, ahead], strict=True)]
    return pd.DataFrame(rows, columns=["vintage", "months_on_book", "rate", "curve"])


def vintage_table(analysis: StaticPoolAnalysis) -> None:
    st.subheader(t("sp.vintages"))
    table = pd.DataFrame(analysis.vintage_records(), columns=list(VINTAGE_COLUMNS))
    table = fmt.money_table(table, ["original_balance"])
    headers = columns("sp.col", VINTAGE_COLUMNS)
    rates = ("observed_rate", "developed_share", "chain_ladder_lifetime_rate",
             "fit_lifetime_rate", "weight")
    config: dict[str, object] = {name: fmt.percent_column(headers[name]) for name in rates}
    config.update({
        "vintage": fmt.text_column(headers["vintage"]),
        "original_balance": fmt.money_column(headers["original_balance"]),
        "months_observed": fmt.count_column(headers["months_observed"]),
        "in_base_case": st.column_config.CheckboxColumn(headers["in_base_case"]),
    })
    st.dataframe(table, hide_index=True, width="stretch", column_config=config)


def base_case(analysis: StaticPoolAnalysis) -> None:
    st.subheader(t("sp.base_case"))
    spread = analysis.dispersion
    c1, c2, c3, c4, c5 = st.columns(5)
    c1.metric(t("sp.lifetime"), fmt.percent(analysis.lifetime_default_rate, 3))
    c2.metric(t("sp.std"), fmt.percent(spread.std, 3))
    c3.metric(t("sp.range"), f"{fmt.percent(spread.minimum)} – {fmt.percent(spread.maximum)}")
    c4.metric(t("sp.by_count"), fmt.percent(analysis.lifetime_default_rate_by_count, 3))
    c5.metric(t("sp.fit"), fmt.percent(analysis.lifetime_default_rate_fit, 3))
    st.caption(t("sp.base_help").format(
        n=spread.n_vintages, share=fmt.percent(analysis.min_developed_share, 0),
        weighting=column("sp.weighting", analysis.weighting), months=analysis.months)
        + " " + f"{t('sp.cv')}: {fmt.number(spread.coefficient_of_variation, 2)}")
    ages = np.arange(1, analysis.months + 1)
    timing = pd.DataFrame({
        "months_on_book": np.concatenate([ages, ages]),
        "value": np.concatenate([analysis.timing_curve, analysis.fit.timing]),
        "series": [t("sp.method.chain_ladder")] * len(ages) + [t("sp.method.fit")] * len(ages),
    })
    left, right = st.columns(2)
    left.altair_chart(charts.share_lines(
        timing, t("sp.months_on_book"), t("sp.timing_share"), t("sp.method"),
        t("sp.timing")).properties(height=260), width="stretch")
    with right:
        prepayment(analysis, ages)
    recovery_and_correlation(analysis)


def prepayment(analysis: StaticPoolAnalysis, ages: np.ndarray) -> None:
    cpr = analysis.cpr_annual
    if cpr is None:
        st.info(t("sp.no_prepayment"))
        return
    frame = pd.DataFrame({"months_on_book": ages, "value": cpr, "series": t("sp.cpr")})
    st.altair_chart(charts.share_lines(
        frame.dropna(), t("sp.months_on_book"), t("sp.cpr"), t("sp.method"),
        t("sp.cpr_chart")).properties(height=220), width="stretch")
    st.metric(t("sp.cpr_mean"), fmt.percent(float(np.nanmean(cpr))))


def recovery_and_correlation(analysis: StaticPoolAnalysis) -> None:
    c1, c2, c3 = st.columns(3)
    found = analysis.recovery
    if found is None:
        c1.info(t("sp.no_recovery"))
    else:
        c1.metric(t("sp.recovery_rate"), fmt.percent(found.rate))
        c2.metric(t("sp.recovery_lag"), fmt.number(found.lag_months, 1))
    corr = analysis.correlation
    if corr is None:
        c3.info(t("sp.no_correlation"))
        return
    low, high = corr.interval
    c3.metric(t("sp.correlation"), fmt.percent(corr.rho, 1))
    st.caption(t("sp.correlation_help").format(n=corr.n_vintages, low=fmt.percent(low, 1),
                                               high=fmt.percent(high, 1)))


def notes(analysis: StaticPoolAnalysis) -> None:
    with st.expander(t("sp.notes")):
        st.markdown(t("sp.methods"))
        if lang() == "en":  # the library's notes are English
            st.markdown("\n".join(f"- {fmt.markdown_text(n)}" for n in analysis.notes))


# --- Use as the deal's base case ---------------------------------------------------------------


def use_base_case(analysis: StaticPoolAnalysis, run_inputs: inputs.RunInputs) -> None:
    """Button callback (runs before the next script run draws any input): load the deal
    with the base case's assumptions, the default conditioned on the pool's seasoning."""
    deal = run_inputs.deal
    after, _ = base_case_assumptions(analysis, deal.assumptions, run_inputs.pool)
    inputs.load(replace(deal, assumptions=after), "static_pool", interactive_paths=False)
    st.session_state[state.BASE_CASE_APPLIED] = (deal.assumptions, after)


def default_text(assumptions: Assumptions) -> str:
    default = assumptions.default
    kind = namer("default_kind", inputs.DEFAULT_KINDS)
    if isinstance(default, LifetimeDefault):
        return f"{kind('lifetime')}: " + t("sp.lifetime_value").format(
            rate=fmt.percent(default.cumulative_rate, 3), months=len(default.timing))
    if isinstance(default, CdrVector):
        return f"{kind('cdr')}: " + t("sp.mean_value").format(
            value=fmt.percent(float(np.mean(default.annual))))
    if isinstance(default, AnnualPd):
        return f"{kind('annual_pd')}, " + t("sp.multiplier_value").format(
            multiplier=fmt.number(default.multiplier, 2))
    return fmt.MISSING  # a kind the app does not edit


def show_change(before: Assumptions, after: Assumptions) -> None:
    """What "use as the deal's base case" changed, item by item."""
    language = lang()

    def cpr(a: Assumptions) -> str:
        return t("sp.mean_value").format(value=fmt.percent(float(np.mean(a.prepayment.annual))))

    def yes_no(flag: bool) -> str:
        return t("sp.yes") if flag else t("sp.no")

    rows = [
        (t("as.default_kind"), default_text(before), default_text(after)),
        (t("sp.cpr"), cpr(before), cpr(after)),
        (t("sp.recovery_rate"), fmt.percent(before.recovery.rate),
         fmt.percent(after.recovery.rate)),
        (t("sp.recovery_lag"), fmt.months(before.recovery.lag_months, language, 0),
         fmt.months(after.recovery.lag_months, language, 0)),
        (t("as.recovery_tape"), yes_no(before.recovery.from_tape),
         yes_no(after.recovery.from_tape)),
    ]
    headers = {"item": t("sp.change.item"), "before": t("sp.change.before"),
               "after": t("sp.change.after")}
    st.success(t("sp.used"))
    st.markdown(fmt.markdown_table([dict(zip(headers, r, strict=True)) for r in rows],
                                   headers, {}))


def use_button(analysis: StaticPoolAnalysis) -> None:
    run_inputs = inputs.run_inputs(run.invalid_inputs)
    if run_inputs is None:
        return
    st.button(t("sp.use"), key="sp_use", type="primary", help=t("sp.use_help"),
              on_click=use_base_case, args=(analysis, run_inputs))


# --- Page ------------------------------------------------------------------------------------


def main() -> None:
    st.title(t("sp.title"))
    st.caption(t("sp.intro"))
    applied = st.session_state.get(state.BASE_CASE_APPLIED)
    if applied is not None:
        show_change(*applied)
        st.session_state[state.BASE_CASE_APPLIED] = None
    chosen = choose_data()
    if chosen is None:
        return
    data, key, _ = chosen
    weighting = st.radio(t("sp.weighting"), WEIGHTINGS, horizontal=True,
                         index=state.index("sp_weighting", WEIGHTINGS),
                         format_func=namer("sp.weighting", WEIGHTINGS),
                         **state.widget("sp_weighting", labelled=True))
    analysis = None
    with state.show_errors():
        analysis = cache.static_pool_analysis(key, data, str(weighting))
    if analysis is None:
        return
    st.session_state[state.STATIC_POOL_ANALYSIS] = analysis
    st.altair_chart(charts.vintage_curves(curves_frame(analysis)).properties(height=360),
                    width="stretch")
    base_case(analysis)
    use_button(analysis)
    vintage_table(analysis)
    notes(analysis)


# Streamlit runs a page as "__main__"; tests import it for its functions.
if __name__ == "__main__":
    main()
