"""Chart shapes the pages share (layout only; the numbers come from the library)."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from .labels import column, t


def monthly_bars(frame: pd.DataFrame, order: Sequence[str], title: str | None = None
                 ) -> alt.Chart:
    """Stacked bars by month of a tidy frame with columns ``date``, ``series`` (labels, in
    ``order``) and ``amount``."""
    series_title = t("cf.series")
    chart = alt.Chart(frame, title=title) if title else alt.Chart(frame)
    return chart.mark_bar().encode(
        x=alt.X("yearmonth(date):T", title=column("cfc", "date")),
        y=alt.Y("amount:Q", title=t("cf.amount"), stack="zero"),
        color=alt.Color("series:N", title=series_title, sort=list(order)),
        tooltip=[alt.Tooltip("yearmonth(date):T", title=column("cfc", "date")),
                 alt.Tooltip("series:N", title=series_title),
                 alt.Tooltip("amount:Q", title=t("cf.amount"), format=",.2f")],
    )
