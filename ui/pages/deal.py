"""Deal page: the deal's name, dates (cut-off, closing, first payment, legal final, the
business-day convention and day count), payment frequency and parties.

These fields have no input on the other pages: they pass from the loaded deal
(:data:`ui.state.DEAL_BASE`) into the deal the inputs rebuild (:mod:`ui.inputs`). The page
fills its inputs from the loaded deal whenever another deal was loaded, and writes a valid
change back into it, so that every page, the deal file and the term sheet see it. A value
the library refuses is shown below its input, in the page's language, naming the field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import fields, replace

import streamlit as st

from abs_tool import Deal, FieldError
from abs_tool.errors import render_message
from abs_tool.glossary import field_path
from abs_tool.model.dates import BusinessDayConvention, DayCount
from abs_tool.model.deal import DEAL_PAYMENT_FREQUENCIES, DealDates, DealParties
from ui import state
from ui.labels import lang, namer, t

DATES: tuple[str, ...] = ("cutoff", "closing", "first_payment", "legal_final")
PARTIES: tuple[str, ...] = tuple(f.name for f in fields(DealParties))
CONVENTIONS: tuple[str, ...] = tuple(c.value for c in BusinessDayConvention)
DAY_COUNTS: tuple[str, ...] = tuple(c.value for c in DayCount)
FREQUENCIES: tuple[str, ...] = tuple(str(n) for n in DEAL_PAYMENT_FREQUENCIES)
# Date inputs reach back and forward far enough for any deal (Streamlit's own range is ten
# years either side of the value).
EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2150, 12, 31)
# The loaded deal the inputs were last filled from (compared by identity). (A comment, not
# a docstring: Streamlit would show a bare string of a page.)
FILLED_FROM = "dl_filled_from"
# Rating agencies are typed as one text: commas (either width) or 、 between names.
_AGENCY_SEPARATORS = re.compile(r"[,,、]")


def fill(deal: Deal) -> None:
    """Write ``deal``'s name, dates and parties into the inputs."""
    ss = st.session_state
    ss["dl_name"] = deal.name
    for name in DATES:
        ss[f"dl_{name}"] = getattr(deal.dates, name)
    ss["dl_business_day_convention"] = deal.dates.business_day_convention.value
    ss["dl_day_count"] = deal.dates.day_count.value
    ss["dl_payment_frequency_months"] = str(deal.dates.payment_frequency_months)
    parties = deal.parties
    for name in PARTIES:
        value = getattr(parties, name)
        ss[f"dl_{name}"] = ", ".join(value) if name == "rating_agencies" else value
    ss[FILLED_FROM] = deal


def agencies(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in _AGENCY_SEPARATORS.split(text) if n.strip())


def message(error: FieldError) -> str:
    """``error`` in the page's language, naming its field by its label."""
    name = error.field.split(".")[-1].split("[")[0]
    language = lang()
    label = (t(f"dl.{name}") if f"dl.{name}" in _FIELD_LABELS
             else field_path(error.field, language))
    return t("dl.error").format(field=label, message=render_message(error.message, language))


_FIELD_LABELS = frozenset({f"dl.{n}" for n in ("name", *DATES, "business_day_convention",
                                                "day_count", "payment_frequency_months",
                                                *PARTIES)})


def edited(base: Deal) -> tuple[Deal | None, FieldError | None]:
    """The loaded deal with the inputs' name, dates and parties, or the first problem."""
    ss = st.session_state
    try:
        dates = DealDates(
            **{name: ss[f"dl_{name}"] for name in DATES},
            business_day_convention=BusinessDayConvention(ss["dl_business_day_convention"]),
            day_count=DayCount(ss["dl_day_count"]),
            payment_frequency_months=int(ss["dl_payment_frequency_months"]),
        )
        parties = DealParties(**{name: (agencies(ss[f"dl_{name}"]) if name == "rating_agencies"
                                        else ss[f"dl_{name}"].strip()) for name in PARTIES})
        return replace(base, name=ss["dl_name"].strip(), dates=dates, parties=parties), None
    except FieldError as exc:
        return None, exc


def show_error(error: FieldError | None, names: tuple[str, ...], where) -> None:
    """``error`` below an input, when it names one of ``names``."""
    if error is not None and error.field.split(".")[-1].split("[")[0] in names:
        where.error(message(error))


def main() -> None:
    st.title(t("dl.title"))
    st.caption(t("dl.help"))
    ss = st.session_state
    base: Deal = ss[state.DEAL_BASE]
    if ss.get(FILLED_FROM) is not base:
        fill(base)
    # The widgets are drawn first and the deal rebuilt from their values after: each input's
    # problem is then shown below it on the run that changed it.
    holders = {}
    st.text_input(t("dl.name"), **state.widget("dl_name"))
    holders["name"] = st.empty()
    st.subheader(t("dl.dates"))
    columns = st.columns(len(DATES))
    for column, name in zip(columns, DATES, strict=True):
        column.date_input(t(f"dl.{name}"), min_value=EARLIEST, max_value=LATEST,
                          format="YYYY-MM-DD", **state.widget(f"dl_{name}"))
        holders[name] = column.empty()
    left, middle, right = st.columns(3)
    left.selectbox(t("dl.business_day_convention"), CONVENTIONS,
                   index=state.index("dl_business_day_convention", CONVENTIONS),
                   format_func=namer("dl.bdc", CONVENTIONS),
                   **state.widget("dl_business_day_convention", labelled=True))
    middle.selectbox(t("dl.day_count"), DAY_COUNTS,
                     index=state.index("dl_day_count", DAY_COUNTS),
                     format_func=namer("dl.dc", DAY_COUNTS),
                     **state.widget("dl_day_count", labelled=True))
    right.selectbox(t("dl.payment_frequency_months"), FREQUENCIES,
                    index=state.index("dl_payment_frequency_months", FREQUENCIES),
                    format_func=namer("dl.every", FREQUENCIES), help=t("dl.every_help"),
                    **state.widget("dl_payment_frequency_months", labelled=True))
    holders["payment_frequency_months"] = right.empty()
    if base.dates.payment_frequency_months == 1:
        frequency = "; ".join(f"{c.name} {t(f'dl.freq.{c.payment_frequency_months}')}"
                              for c in base.structure.classes)
        right.caption(t("dl.frequency_text").format(classes=frequency))
    horizon = st.empty()
    st.subheader(t("dl.parties"))
    columns = st.columns(3)
    for i, name in enumerate(PARTIES):
        where = columns[i % 3]
        help_text = t("dl.rating_agencies_help") if name == "rating_agencies" else None
        where.text_input(t(f"dl.{name}"), help=help_text, **state.widget(f"dl_{name}"))
        holders[name] = where.empty()

    deal, error = edited(base)
    for name, holder in holders.items():
        show_error(error, (name,), holder)
    if error is not None and error.field.split(".")[-1].split("[")[0] not in holders:
        st.error(message(error))  # a rule across fields, such as the revolving period's end
    if deal is None:
        return
    horizon.caption(t("dl.horizon").format(months=deal.dates.horizon_months))
    if deal != base:
        ss[state.DEAL_BASE] = deal
        ss[FILLED_FROM] = deal
        st.rerun()  # the sidebar, drawn before this page, names the deal


# Streamlit runs a page as "__main__"; tests import it for its constants.
if __name__ == "__main__":
    main()
