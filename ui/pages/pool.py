"""Pool page: choose the pool (the one the loaded deal names, a built-in sample or an uploaded
tape), validate it, summarise and stratify it, and select the eligible loans.

Reads and writes the data keys of :mod:`ui.state`: ``pool`` / ``pool_key`` (the current pool),
``tape`` (the last upload), ``eligibility`` and ``pool_selected`` (after Apply). The deal runs
on the selected pool (:func:`ui.inputs.run_inputs`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import fields, replace

import altair as alt
import pandas as pd
import streamlit as st

from abs_tool import AbsToolError, InputError, Pool, PoolSummary, ValidationReport, glossary as g
from abs_tool.analysis.new_deal import (
    Carry,
    FixedAmount,
    FixedFees,
    NewDeal,
    carried_balance,
    eligibility_rules,
    name_from_file,
    new_deal_for_pool,
)
from abs_tool.analysis.pool_stats import STRAT_COLUMNS, STRATIFIABLE_COLUMNS, SUMMARY_LABELS
from abs_tool.io.samples import SAMPLE_NAMES
from abs_tool.io.tape import DEFAULT_MAX_BYTES
from abs_tool.model.eligibility import (
    EXCLUDED_COLUMNS,
    REPORT_COLUMNS,
    ConcentrationLimits,
    EligibilityCriteria,
    EligibilityResult,
    condition_text,
)
from abs_tool.report.format import money_unit_label
from ui import cache, format as fmt, inputs, state
from ui.labels import LABELS, column, deal_name, lang, money_unit, namer, summary_label, t

DEAL = "deal"
UPLOAD = "upload"
SOURCES: tuple[str, ...] = (DEAL, *SAMPLE_NAMES, UPLOAD)
RATE_UNITS: tuple[str, ...] = ("decimal", "percent")
ISSUE_COLUMNS: tuple[str, ...] = ("severity", "row", "column", "value", "reason")
# Summary figures shown as metrics, with how each is written.
METRICS: tuple[str, ...] = (
    "loan_count", "balance", "wac", "wa_remaining_term_months", "top10_obligor_share",
    "effective_obligors", "expected_lifetime_loss",
)
# What a metric is, where a newcomer would confuse it with another page's figure.
METRIC_HELP: dict[str, str] = {"expected_lifetime_loss": "note.pool_el"}
# Text columns with more buckets than this chart only the largest ones (obligor_id has one
# bucket per obligor); the table lists all.
MAX_CHART_BUCKETS = 30
LABEL_KEYS = frozenset(LABELS)


# --- Source ----------------------------------------------------------------------------------


def choose_pool() -> tuple[Pool, str] | None:
    """Draw the source inputs; return the chosen pool and its key, or None if there is none."""
    source = st.radio(
        t("pool.source"), SOURCES, format_func=namer("source", SOURCES), horizontal=True,
        index=state.index("pool_source", SOURCES),
        **state.widget("pool_source", labelled=True),
    )
    if source == DEAL:
        return deal_pool()
    if source != UPLOAD:
        return cache.sample_pool(source), cache.sample_key(source)

    left, middle, right = st.columns([3, 1, 1])
    # .xls and .xlsm are let through so that the reader can say what to do with them.
    # Streamlit's uploader draws its own texts ("Drag and drop file here", "Browse files",
    # the size limit) in English whatever the language: the label and help say it here.
    upload = left.file_uploader(t("tape.upload"), type=["csv", "xlsx", "xlsm", "xls"],
                                key="tape_upload", max_upload_size=DEFAULT_MAX_BYTES // 2**20,
                                help=t("upload.help"))
    sheet = middle.text_input(t("tape.sheet"), value=state.default("tape_sheet"),
                              help=t("tape.sheet_help"), **state.widget("tape_sheet"))
    rate_unit = right.radio(t("tape.rate_unit"), RATE_UNITS,
                            index=state.index("tape_rate_unit", RATE_UNITS),
                            format_func=namer("rate_unit", RATE_UNITS),
                            **state.widget("tape_rate_unit", labelled=True))
    if upload is not None:
        data = upload.getvalue()
        sheet_name = sheet.strip() or None
        digest = hashlib.sha256(data).hexdigest()[:16]
        with state.show_errors():
            pool, report = cache.inspect_tape(data, upload.name, sheet_name, rate_unit)
            st.session_state[state.TAPE] = state.LoadedTape(
                upload.name, f"tape:{digest}:{sheet_name}:{rate_unit}", pool, report
            )
    loaded: state.LoadedTape | None = st.session_state[state.TAPE]
    if loaded is None:
        st.info(t("tape.waiting"))
        return None
    if upload is None:
        st.caption(t("tape.kept").format(file=loaded.file_name))
    show_report(loaded)
    if loaded.pool is None:
        return None
    new_deal_choice(loaded, loaded.pool)
    return loaded.pool, loaded.key


def deal_pool() -> tuple[Pool, str] | None:
    """The pool the loaded deal names (scaled and filtered as its pool section says), with
    its eligibility outcome; the deal file's rules are shown, not edited, here."""
    base = st.session_state[state.DEAL_BASE]
    outcome = None
    with state.show_errors():
        pool, result = cache.deal_pool(base.pool, base)
        outcome = (pool, inputs.pool_key_of(base.pool), result)
    if outcome is None:
        st.info(t("pool.deal_failed"))
        return None
    pool, key, result = outcome
    st.caption(t("pool.deal_source").format(deal=deal_name(base.name)))
    if result is not None:
        with st.expander(t("pool.deal_rules")):
            show_eligibility(result)
    return pool, key


def show_report(loaded: state.LoadedTape) -> None:
    """The validation outcome: a summary line and the table of findings."""
    report = loaded.report
    if loaded.pool is None:
        st.error(t("tape.not_loaded").format(
            file=loaded.file_name, errors=len(report.errors), warnings=len(report.warnings)))
    else:
        st.success(t("tape.loaded").format(file=loaded.file_name,
                                           loans=fmt.count(len(loaded.pool))))
        if report.warnings:
            st.warning(t("tape.warnings").format(warnings=len(report.warnings)))
    if report.issues:
        st.markdown(f"**{t('tape.report')}**")
        st.dataframe(issue_table(report), hide_index=True, width="stretch",
                     column_config={c: column("issue", c) for c in ISSUE_COLUMNS})


def issue_table(report: ValidationReport) -> pd.DataFrame:
    """The report's findings, one row each, in the chosen language (a column by its name,
    a reason through the glossary where the finding has a code); rows as whole numbers
    (empty: whole file)."""
    language = lang()
    table = pd.DataFrame(report.to_records(language), columns=list(ISSUE_COLUMNS))
    table["severity"] = [column("severity", s) for s in table["severity"]]
    if language != "en":  # English shows the tape's own column names
        table["column"] = [t(f"col.{c}") if f"col.{c}" in LABEL_KEYS else c
                           for c in table["column"]]
    table["row"] = table["row"].astype("Int64")
    return table


# --- A new tape starts a new deal -------------------------------------------------------------

# The choices of fixed fees, the parts kept unless unticked, and the label of each structure
# field a new deal may clear.
FIXED_FEES: tuple[str, ...] = tuple(f.value for f in FixedFees)
KEPT_BY_DEFAULT = frozenset(Carry) - {Carry.DATES}
STRUCTURE_LABELS: dict[str, str] = {
    "reserve": "st.reserve", "principal_mode": "st.principal_mode", "revolving": "st.revolving",
    "clean_up_call": "st.cleanup_on", "turbo": "st.turbo", "loss_allocation": "nd.loss_allocation",
    "excess_interest": "nd.excess_interest",
}


def rule_label(rule: str) -> str:
    """An eligibility rule of :func:`~abs_tool.analysis.new_deal.eligibility_rules` by name."""
    if rule.startswith("revolving."):
        return t("nd.revolving_rule").format(rule=t(f"rule.{rule.removeprefix('revolving.')}"))
    return t(f"rule.{rule}")


def new_deal_choice(loaded: state.LoadedTape, pool: Pool) -> None:
    """Ask what the deal this tape starts keeps of the current one; start it on request.

    The choice shows until a deal is started from the tape (then folded away); until then
    it says what the current deal does on the tape, eligibility rules it leaves out included.
    """
    ss = st.session_state
    base = ss[state.DEAL_BASE]
    started = (ss[state.NEW_DEAL] is not None and ss[state.NEW_DEAL][2] == loaded.key
               and ss[state.NEW_DEAL][1] == ss[state.DEAL_ORIGIN])
    if ss.get("nd_for") != loaded.key:  # a new tape: the choices start again
        ss["nd_for"] = loaded.key
        ss["nd_name"] = name_from_file(loaded.file_name)
        for part in Carry:
            ss[f"nd_keep_{part.value}"] = part in KEPT_BY_DEFAULT
    if started:
        st.caption(t("nd.started_from"))
    else:
        rules = ", ".join(rule_label(r) for r in eligibility_rules(base)) or fmt.MISSING
        st.info(t("nd.pending").format(rules=rules))
    box = (st.expander(t("nd.again")) if started
           else st.container(border=True))
    box.markdown(f"**{t('nd.title').format(file=loaded.file_name)}**")
    box.caption(t("nd.intro").format(deal=deal_name(base.name)))
    box.text_input(t("nd.name"), key="nd_name")
    for part in Carry:
        label = t(f"nd.keep.{part.value}")
        if part == Carry.DATES:
            label = label.format(today=dt.date.today().isoformat())
        box.checkbox(label, key=f"nd_keep_{part.value}")
    keep = frozenset(p for p in Carry if ss[f"nd_keep_{p.value}"])
    old = new = None
    with state.show_errors(box):
        old = cache.deal_pool(base.pool, base)[0].balance
    if old is not None:
        try:
            new = carried_balance(base, pool, keep)
        except InputError as exc:  # a preview, not a mistake: said beside the choice
            box.markdown(f"⚠️ {t('nd.no_eligible').format(message=exc)}")
    if old is not None and new is not None and Carry.FEES in keep:
        ratio = new / old
        language = lang()
        labels = {FixedFees.SCALE.value: t("nd.fixed.scale").format(
                      ratio=fmt.number(ratio, 4), new=fmt.money(new, language),
                      old=fmt.money(old, language)),
                  FixedFees.KEEP.value: t("nd.fixed.keep")}
        box.radio(t("nd.fixed"), FIXED_FEES, index=state.index("nd_fixed", FIXED_FEES),
                  format_func=labels.__getitem__, **state.widget("nd_fixed", labelled=True))
    box.button(t("nd.start"), type="primary", key="nd_start", disabled=new is None,
               on_click=start_new_deal, args=(loaded, pool, old))
    if ss[state.NEW_DEAL_ERROR] is not None:
        box.error(ss[state.NEW_DEAL_ERROR])
        ss[state.NEW_DEAL_ERROR] = None


def start_new_deal(loaded: state.LoadedTape, pool: Pool, old_balance: float) -> None:
    """The Start button's callback (it runs before the page, so that it may set the pool
    source): the current deal, as the inputs have it, carried onto ``pool`` and loaded.
    The choices are read here: they may have changed with the click."""
    ss = st.session_state
    keep = frozenset(p for p in Carry if ss[f"nd_keep_{p.value}"])
    current = inputs.current()
    if current is None:  # the inputs' problems are shown on their pages
        ss[state.NEW_DEAL_ERROR] = t("pool.deal_failed")
        return
    # The inputs' deal runs on the uploaded tape; its own pool section holds the eligibility
    # rules to carry over.
    current = replace(current, pool=ss[state.DEAL_BASE].pool)
    try:
        made = new_deal_for_pool(current, pool, old_balance=old_balance, keep=keep,
                                 fixed_fees=FixedFees(ss["nd_fixed"]),
                                 name=ss["nd_name"].strip() or None, cutoff=dt.date.today())
    except AbsToolError as exc:
        ss[state.NEW_DEAL_ERROR] = str(exc)
        return
    origin = f"tape:{loaded.file_name}"
    inputs.load(made.deal, origin, interactive_paths=False)
    ss[state.NEW_DEAL] = (made, origin, loaded.key)


def amounts_text(amounts: tuple[FixedAmount, ...], after: bool) -> str:
    language = lang()
    item = {"excess_interest": t("nd.excess_interest")}
    return "; ".join(
        f"{item.get(a.item, a.item)} {t(f'nd.field.{a.field}')} {fmt.money(a.before, language)}"
        + (f" → {fmt.money(a.after, language)}" if after else "") for a in amounts)


def cleared_items(part: Carry, items: tuple[str, ...]) -> str:
    if part == Carry.ELIGIBILITY:
        return ", ".join(rule_label(r) for r in items)
    if part == Carry.STRUCTURE:
        return ", ".join(t(STRUCTURE_LABELS[i]) for i in items)
    if part == Carry.TRIGGERS:  # a trigger without a name is named by its metric
        return ", ".join(t(f"opt.metric.{i}") if f"opt.metric.{i}" in LABEL_KEYS else i
                         for i in items)
    return ", ".join(items)


def show_new_deal_notes() -> None:
    """What the deal started from a tape carried over, scaled, flagged and cleared; shown
    while that deal is loaded."""
    ss = st.session_state
    if ss[state.NEW_DEAL] is None or ss[state.NEW_DEAL][1] != ss[state.DEAL_ORIGIN]:
        return
    made: NewDeal = ss[state.NEW_DEAL][0]
    language = lang()
    st.success(t("nd.started").format(name=made.deal.name,
                                      file=made.deal.pool.file_name or made.deal.pool.tape))
    if made.scaled:
        st.info(t("nd.scaled").format(ratio=fmt.number(made.balance_ratio, 4),
                                      items=amounts_text(made.scaled, after=True)))
    if made.flagged:
        st.warning(t("nd.flagged").format(old=fmt.money(made.old_balance, language),
                                          new=fmt.money(made.new_balance, language),
                                          items=amounts_text(made.flagged, after=False)))
    for cleared in made.cleared:
        st.warning(t(f"nd.cleared.{cleared.part.value}").format(
            items=cleared_items(cleared.part, cleared.items)))


# --- Summary ---------------------------------------------------------------------------------


def metric_text(summary: PoolSummary, name: str, language: str) -> str:
    """How the metric ``name`` of ``summary`` is written."""
    value = getattr(summary, name)
    if name == "loan_count":
        return fmt.count(value)
    if name == "balance":
        return fmt.money(value, language)
    if name == "wa_remaining_term_months":
        return fmt.months(value, language)
    if name == "effective_obligors":
        return fmt.number(value, 0)
    return fmt.percent(value)


def show_summary(pool: Pool, key: str) -> None:
    summary = cache.pool_summary(key, pool)
    language = lang()
    st.subheader(t("pool.summary"))
    st.caption(t("pool.name").format(name=pool.name))
    # The balance needs the widest column: "RMB 100,198,099".
    for row, widths in ((METRICS[:4], [1, 1.6, 1, 1]), (METRICS[4:], [1, 1.6, 1, 1])):
        for col, name in zip(st.columns(widths), row, strict=False):
            col.metric(summary_label(name), metric_text(summary, name, language),
                       help=t(METRIC_HELP[name]) if name in METRIC_HELP else None)
    money = money_unit_label(language, money_unit())  # amounts show in the chosen unit
    table = pd.DataFrame(
        [
            (label, fmt.summary_value(value, SUMMARY_LABELS[f.name][2]),
             money if SUMMARY_LABELS[f.name][2] == "money" else unit)
            for f, (label, value, unit) in zip(fields(summary), summary.rows(language),
                                               strict=True)
        ],
        columns=["label", "value", "unit"],
    )
    with st.expander(t("pool.summary_table"), expanded=True):
        st.dataframe(table, hide_index=True, width="stretch",
                     column_config={c: column("summary", c) for c in table.columns})


# --- Stratification --------------------------------------------------------------------------


def strat_config() -> dict[str, object]:
    kinds = {"bucket": fmt.text_column, "count": fmt.count_column,
             "balance": fmt.money_column, "share": fmt.percent_column,
             "wac": fmt.percent_column, "wa_annual_pd": fmt.percent_column}
    return {c: kinds.get(c, fmt.decimal_column)(column("strat", c)) for c in STRAT_COLUMNS}


def show_stratification(pool: Pool, key: str) -> None:
    st.subheader(t("strat.title"))
    by = st.selectbox(t("strat.column"), STRATIFIABLE_COLUMNS,
                      index=state.index("strat_column", STRATIFIABLE_COLUMNS),
                      format_func=namer("col", STRATIFIABLE_COLUMNS),
                      **state.widget("strat_column", labelled=True))
    table = fmt.money_table(cache.stratify(key, pool, by, lang()), ["balance"])
    if by == "amortization" and lang() != "en":  # repayment types by name, not code
        table["bucket"] = [g.term(g.AMORTIZATION, b, lang()) if b in g.AMORTIZATION else b
                           for b in table["bucket"]]
    st.dataframe(table, hide_index=True, width="stretch", column_config=strat_config())
    buckets = table.iloc[:-1]  # the last row is the total
    if len(buckets) > MAX_CHART_BUCKETS:
        st.caption(t("strat.chart_top").format(n=MAX_CHART_BUCKETS, total=len(buckets)))
        buckets = buckets.iloc[:MAX_CHART_BUCKETS]
    chart = (
        alt.Chart(buckets, title=t("strat.chart_title"))
        .mark_bar()
        .encode(
            x=alt.X("bucket:N", sort=None, title=t(f"col.{by}")),
            y=alt.Y("share:Q", title=column("strat", "share"), axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("bucket:N", title=column("strat", "bucket")),
                alt.Tooltip("count:Q", title=column("strat", "count"), format=","),
                alt.Tooltip("balance:Q", title=fmt.money_label(column("strat", "balance")),
                            format=",.2f"),
                alt.Tooltip("share:Q", title=column("strat", "share"), format=".2%"),
            ],
        )
    )
    st.altair_chart(chart.properties(height=260), width="stretch")


# --- Eligibility -----------------------------------------------------------------------------


def _number(label_key: str, key: str, *, step: float | int, fmt_: str | None, where) -> object:
    return where.number_input(t(label_key), value=state.default(key), step=step, format=fmt_,
                              **state.widget(key))


def _choices(label_key: str, key: str, options: list[str], where) -> list[str]:
    if key in st.session_state:
        # A value kept from another pool may not be an option of this one.
        st.session_state[key] = [v for v in st.session_state[key] if v in options]
    return where.multiselect(t(label_key), options, placeholder=t("elig.any"),
                             **state.widget(key))


def _options(pool: Pool, name: str) -> list[str]:
    return sorted(str(v) for v in pool.loans[name].dropna().unique())


def eligibility_form(pool: Pool, key: str) -> None:
    st.subheader(t("elig.title"))
    st.caption(t("elig.help"))
    with st.form("eligibility_form"):
        c1, c2, c3, c4 = st.columns(4)
        min_balance = _number("rule.min_balance", "elig_min_balance", step=100.0,
                              fmt_="%.2f", where=c1)
        max_balance = _number("rule.max_balance", "elig_max_balance", step=100.0,
                              fmt_="%.2f", where=c1)
        min_rate = _number("rule.min_rate", "elig_min_rate", step=0.005, fmt_="%.4f", where=c2)
        max_rate = _number("rule.max_rate", "elig_max_rate", step=0.005, fmt_="%.4f", where=c2)
        min_term = _number("rule.min_remaining_term_months", "elig_min_remaining_term_months",
                           step=1, fmt_=None, where=c3)
        max_term = _number("rule.max_remaining_term_months", "elig_max_remaining_term_months",
                           step=1, fmt_=None, where=c3)
        obligor = _number("rule.max_obligor_share", "elig_max_obligor_share", step=0.001,
                          fmt_="%.4f", where=c4)
        region = _number("rule.max_region_share", "elig_max_region_share", step=0.01,
                         fmt_="%.4f", where=c4)
        industry = _number("rule.max_industry_share", "elig_max_industry_share", step=0.01,
                           fmt_="%.4f", where=c4)
        c5, c6, c7 = st.columns(3)
        grades = _choices("rule.allowed_grades", "elig_allowed_grades",
                          _options(pool, "grade"), c5)
        regions = _choices("rule.allowed_regions", "elig_allowed_regions",
                           _options(pool, "region"), c6)
        industries = _choices("rule.allowed_industries", "elig_allowed_industries",
                              _options(pool, "industry"), c7)
        applied = st.form_submit_button(t("elig.apply"), type="primary", key="elig_apply")
    if applied:
        with state.show_errors():
            criteria = EligibilityCriteria(
                min_balance=min_balance, max_balance=max_balance,
                min_rate=min_rate, max_rate=max_rate,
                min_remaining_term_months=min_term, max_remaining_term_months=max_term,
                allowed_grades=tuple(grades) or None, allowed_regions=tuple(regions) or None,
                allowed_industries=tuple(industries) or None,
            )
            limits = ConcentrationLimits(max_obligor_share=obligor, max_region_share=region,
                                         max_industry_share=industry)
            result = cache.eligibility(key, pool, criteria, limits)
            rules = hashlib.sha256(repr((criteria, limits)).encode()).hexdigest()[:16]
            state.set_selection(result, f"{key}|eligibility:{rules}", (criteria, limits))
    result = st.session_state[state.ELIGIBILITY]
    if result is not None:
        show_eligibility(result)


def show_eligibility(result: EligibilityResult) -> None:
    language = lang()
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("elig.loans_before"), fmt.count(result.loans_before))
    c2.metric(t("elig.loans_after"), fmt.count(result.loans_after))
    c3.metric(t("elig.balance_before"), fmt.money(result.balance_before, language))
    c4.metric(t("elig.balance_after"), fmt.money(result.balance_after, language))
    st.markdown(f"**{t('elig.report')}**")
    report = fmt.money_table(result.report, ["balance_removed"]).assign(
        rule=[t(f"rule.{r}") for r in result.report["rule"]],
        condition=[condition_text(c, language, lambda v: fmt.money(v, language))
                   for c in result.report["condition"]])
    st.dataframe(report, hide_index=True, width="stretch", column_config={
        "rule": fmt.text_column(column("report", "rule")),
        "condition": fmt.text_column(column("report", "condition")),
        "loans_removed": fmt.count_column(column("report", "loans_removed")),
        "balance_removed": fmt.money_column(column("report", "balance_removed")),
        "share_removed": fmt.percent_column(column("report", "share_removed")),
    }, column_order=REPORT_COLUMNS)
    with st.expander(t("elig.excluded").format(n=fmt.count(len(result.excluded)))):
        excluded = fmt.money_table(result.excluded, ["balance"]).assign(
            rule=[t(f"rule.{r}") for r in result.excluded["rule"]])
        config = {c: column("excluded", c) for c in EXCLUDED_COLUMNS}
        config["balance"] = fmt.money_column(column("excluded", "balance"))
        st.dataframe(excluded, hide_index=True, width="stretch",
                     column_config=config)


# --- Page ------------------------------------------------------------------------------------


def main() -> None:
    st.title(t("pool.title"))
    show_new_deal_notes()
    chosen = choose_pool()
    if chosen is None:
        return
    pool = state.set_pool(*chosen)
    key: str = st.session_state[state.POOL_KEY]
    show_summary(pool, key)
    show_stratification(pool, key)
    if st.session_state["pool_source"] != DEAL:
        eligibility_form(pool, key)


# Streamlit runs a page as "__main__"; tests import it for its constants.
if __name__ == "__main__":
    main()
