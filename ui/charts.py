"""Chart shapes the pages share (layout only; the numbers come from the library), and the
time axis in the chosen language: Chinese dates are written with numbers (``2016年03月``),
so no month name depends on the browser's locale."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

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
