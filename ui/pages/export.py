"""Export page: the deal file (JSON) of the current inputs, the Excel term sheet
(:mod:`abs_tool.report.excel`) and its PDF (:mod:`abs_tool.report.pdf`, LibreOffice), and
the results of the Monte Carlo run (JSON, :func:`abs_tool.report.tables.monte_carlo_dict`).

The results come from the same cached run as the Results page (:mod:`ui.run`).
"""

from __future__ import annotations

import hashlib
import json
import re

import streamlit as st

from abs_tool import build_term_sheet_inputs, deal_json, term_sheet_bytes
from abs_tool.analysis.stress import StressTable
from abs_tool.report import pdf
from abs_tool.report.tables import monte_carlo_dict, structuring_tables
from ui import cache, inputs, run, state
from ui.labels import lang, money_unit, t

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_stem(name: str) -> str:
    """A file name from the deal name: letters, digits (any script), dashes."""
    return re.sub(r"[^\w-]+", "_", name).strip("_") or "deal"


# Session key of the last PDF made: (SHA-256 of its workbook, PDF bytes). A comment, not a
# docstring: Streamlit's magic would show a bare string on the page.
PDF_STATE = "ex_pdf"


def pdf_button(workbook: bytes, stem: str) -> None:
    """The term sheet as PDF: LibreOffice converts it on request (a few seconds, so not on
    every rerun), then a download button; a clear note instead where LibreOffice is not
    installed. A conversion error shows as a message (:func:`ui.state.show_errors`)."""
    if not pdf.pdf_available():
        st.info(t("ex.pdf_missing"))
        return
    digest = hashlib.sha256(workbook).hexdigest()
    made = st.session_state.get(PDF_STATE)
    if made is None or made[0] != digest:  # none yet, or made from an older workbook
        if not st.button(t("ex.pdf_make"), key="ex_pdf_make", help=t("ex.pdf_help")):
            return
        made = None
        with state.show_errors(), st.spinner(t("ex.pdf_making")):
            made = (digest, pdf.xlsx_to_pdf(workbook))
        if made is None:
            return
        st.session_state[PDF_STATE] = made
    st.download_button(t("ex.pdf_button"), made[1], file_name=f"{stem}.pdf",
                       mime="application/pdf", key="ex_term_sheet_pdf")


def stress_table(deal_name: str, pool_key: str) -> StressTable | None:
    """The Stress tests page's last table when it was run on this deal and pool (its inputs
    are ``(deal, pool key, ...)``, :data:`ui.state.STRESS`), else None."""
    stored = st.session_state.get(state.STRESS)
    if stored is None:
        return None
    (deal, key, *_), table = stored
    return table if deal.name == deal_name and key == pool_key else None


def main() -> None:
    st.title(t("ex.title"))
    deal = inputs.current()
    if deal is None:
        run.invalid_inputs(st.session_state[state.PROBLEMS])
        return
    stem = file_stem(deal.name)
    st.subheader(t("ex.deal"))
    st.caption(t("ex.deal_help"))
    st.download_button(t("ex.deal_button"), deal_json(deal).encode("utf-8"),
                       file_name=f"{stem}.json", mime="application/json", key="ex_deal")
    outcome = run.outcome()
    if outcome is None:
        return
    st.subheader(t("ex.term_sheet"))
    st.caption(t("ex.term_sheet_help"))
    settings = run.structuring_settings()
    sized = (cache.cached_structuring(deal, outcome.inputs.pool_key, settings)
             or state.adopted_sizing(deal, outcome.inputs.pool_key, settings))
    if sized is not None:
        st.caption(t("ex.with_structuring"))
    stress = stress_table(deal.name, outcome.inputs.pool_key)
    if stress is not None:
        st.caption(t("ex.with_stress"))
    static_pool = st.session_state[state.STATIC_POOL_ANALYSIS]
    if static_pool is not None:
        st.caption(t("ex.with_static_pool"))
    workbook = None
    with state.show_errors():
        if stress is None and static_pool is None:
            workbook = cache.term_sheet(deal, outcome.inputs.pool_key, lang(), money_unit(),
                                        None if sized is None else settings, outcome.analysis,
                                        sized)
        else:  # not cached: a stress table or static-pool analysis is the session's own
            tables = None if sized is None else structuring_tables(
                sized, lang=lang(), money_unit=money_unit())
            workbook = term_sheet_bytes(
                build_term_sheet_inputs(outcome.analysis, structuring=tables, stress=stress,
                                        static_pool=static_pool),
                lang=lang(), money_unit=money_unit())
    if workbook is not None:
        st.download_button(t("ex.term_sheet_button"), workbook, file_name=f"{stem}.xlsx",
                           mime=XLSX, key="ex_term_sheet", type="primary")
        pdf_button(workbook, stem)
    st.subheader(t("ex.results"))
    results = monte_carlo_dict(outcome.monte_carlo, break_evens=outcome.analysis.break_evens,
                               ratings=outcome.analysis.ratings,
                               closed_form=outcome.analysis.closed_form)
    st.download_button(t("ex.results_button"),
                       json.dumps(results, ensure_ascii=False, indent=2).encode("utf-8"),
                       file_name=f"{stem}_results.json", mime="application/json",
                       key="ex_results")


# Streamlit runs a page as "__main__"; tests import it for its constants.
if __name__ == "__main__":
    main()
