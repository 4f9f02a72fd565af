"""Assumptions page: defaults (PD by grade, a CDR vector, or a lifetime default with its
timing curve), prepayment, recovery and lag, whether the tape's loan-level LGD is used (and
for what share of the pool balance it is given), the copula and its correlation, and the
Monte Carlo settings (paths, seed, importance sampling).

Every input is a field of the deal (:mod:`ui.inputs`); a value the library refuses shows its
message below the input.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from abs_tool import Pool
from abs_tool.model.pool_model import tape_lgd
from ui import cache, format as fmt, inputs, state
from ui.labels import column, lang, namer, t


def number(where, label_key: str, key: str, *, step: float | int, fmt_: str | None = None,
           help_key: str | None = None) -> None:
    """A number input holding a deal field, with its problems below it."""
    where.number_input(t(label_key), step=step, format=fmt_,
                       help=None if help_key is None else t(help_key), **state.widget(key))
    inputs.show_problems(key, where)


def text(where, label_key: str, key: str, help_key: str) -> None:
    where.text_input(t(label_key), help=t(help_key), **state.widget(key))
    inputs.show_problems(key, where)


def grade_table(pool: Pool, pool_key: str) -> None:
    """Rows for the pool's grades (with the tape's balance-weighted PD for reference) and any
    grade the deal sets, keeping the PDs entered so far. Rebuilt when the pool changes."""
    ss = st.session_state
    if ss.get("pd_table_pool") == pool_key:
        return
    entered = {str(r["grade"]): r["annual_pd"] for r in inputs.table_rows("as_pd_grades")
               if r["annual_pd"] is not None}
    rows = []
    if "grade" in pool.loans and pool.loans["grade"].notna().any():
        strat = cache.stratify(pool_key, pool, "grade", lang()).iloc[:-1]  # without the total
        rows = [{"grade": str(b), "tape_pd": p, "annual_pd": entered.pop(str(b), None)}
                for b, p in zip(strat["bucket"], strat["wa_annual_pd"], strict=True)]
    rows += [{"grade": g, "tape_pd": None, "annual_pd": p} for g, p in entered.items()]
    inputs.restart_table("as_pd_grades", pd.DataFrame(rows, columns=list(inputs.PD_COLUMNS)))
    ss["pd_table_pool"] = pool_key


def defaults_section(run: inputs.RunInputs | None) -> None:
    st.subheader(t("as.defaults"))
    kind = st.radio(t("as.default_kind"), inputs.DEFAULT_KINDS, horizontal=True,
                    index=state.index("as_default_kind", inputs.DEFAULT_KINDS),
                    format_func=namer("default_kind", inputs.DEFAULT_KINDS),
                    **state.widget("as_default_kind", labelled=True))
    inputs.show_problems("as_default_kind")
    if kind == "annual_pd":
        st.caption(t("as.pd_help"))
        if run is not None:
            grade_table(run.pool, run.pool_key)
        left, right = st.columns([2, 1])
        with left:
            inputs.table_editor(
                "as_pd_grades", hide_index=True, width="stretch", num_rows="fixed",
                disabled=["grade", "tape_pd"],
                column_config={
                    "grade": fmt.text_column(column("pdt", "grade")),
                    "tape_pd": st.column_config.NumberColumn(column("pdt", "tape_pd"),
                                                             format="%.4f"),
                    "annual_pd": st.column_config.NumberColumn(column("pdt", "annual_pd"),
                                                               format="%.4f", step=0.0001),
                })
        number(right, "as.pd_multiplier", "as_pd_multiplier", step=0.1, fmt_="%.2f",
               help_key="as.pd_multiplier_help")
    elif kind == "cdr":
        text(st, "as.cdr", "as_cdr", "as.vector_help")
    else:
        left, right = st.columns([1, 3])
        number(left, "as.lifetime_rate", "as_lifetime_rate", step=0.005, fmt_="%.4f")
        text(right, "as.timing", "as_timing", "as.timing_help")


def tape_recovery(pool: Pool | None) -> None:
    """The checkbox that uses or ignores the tape's LGD, and what it covers."""
    st.checkbox(t("as.recovery_tape"), help=t("as.recovery_tape_help"),
                **state.widget("as_recovery_tape"))
    inputs.show_problems("as_recovery_tape")
    if pool is None:
        return
    share, lgd = tape_lgd(pool)
    if share == 0:
        st.caption(t("as.recovery_tape_none"))
    elif st.session_state["as_recovery_tape"]:
        st.caption(t("as.recovery_tape_used").format(share=fmt.percent(share, 1),
                                                    lgd=fmt.percent(lgd, 1)))
    else:
        st.caption(t("as.recovery_tape_ignored").format(share=fmt.percent(share, 1)))


def credit_section(pool: Pool | None) -> None:
    st.subheader(t("as.credit"))
    c1, c2, c3 = st.columns(3)
    number(c1, "as.correlation", "as_correlation", step=0.01, fmt_="%.4f",
           help_key="as.correlation_help")
    copula = c2.radio(t("as.copula"), inputs.COPULAS, horizontal=True,
                      index=state.index("as_copula", inputs.COPULAS),
                      format_func=namer("copula", inputs.COPULAS),
                      **state.widget("as_copula", labelled=True))
    inputs.show_problems("as_copula", c2)
    if copula == "student_t":
        number(c3, "as.t_dof", "as_t_dof", step=1.0, fmt_="%.1f")
    st.subheader(t("as.cash"))
    c1, c2, c3 = st.columns(3)
    text(c1, "as.cpr", "as_cpr", "as.vector_help")
    number(c2, "as.recovery", "as_recovery", step=0.05, fmt_="%.4f")
    number(c3, "as.lag", "as_lag", step=1)
    tape_recovery(pool)
    benchmark_section()


def benchmark_section() -> None:
    """The benchmark path of floating coupons (issue 16 item 4b): its name and a table of
    (from month, annual rate)."""
    st.subheader(t("as.benchmark"))
    st.caption(t("as.benchmark_help"))
    c1, c2 = st.columns([1, 2])
    c1.text_input(t("as.benchmark_name"), **state.widget("as_benchmark_name"))
    inputs.show_problems("as_benchmark_name", c1)
    with c2:
        inputs.table_editor(
            "as_benchmark", hide_index=True, width="stretch", num_rows="dynamic",
            column_config={
                "month": st.column_config.NumberColumn(column("bm", "month"), min_value=1,
                                                       step=1, format="%d"),
                "rate_annual": st.column_config.NumberColumn(column("bm", "rate_annual"),
                                                             format="%.4f", step=0.0001),
            })


def run_section() -> None:
    st.subheader(t("as.run"))
    c1, c2, c3 = st.columns(3)
    number(c1, "as.paths", "run_paths", step=1000, help_key="as.paths_help")
    number(c2, "as.seed", "run_seed", step=1)
    c3.checkbox(t("as.importance_sampling"), help=t("as.importance_help"),
                **state.widget("run_is"))
    inputs.show_problems("run_is", c3)


def main() -> None:
    st.title(t("as.title"))
    run = inputs.run_inputs(lambda problems: None)  # problems show next to each input
    defaults_section(run)
    credit_section(None if run is None else run.pool)
    run_section()
    inputs.show_problems("")


# Streamlit runs a page as "__main__"; tests import it for its constants.
if __name__ == "__main__":
    main()
