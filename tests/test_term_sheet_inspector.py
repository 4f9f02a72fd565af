"""The Cash Flows sheet's waterfall inspector of the stress case (issue 16 item 8, issue 18):
the month shown follows the stated rule (first interest shortfall of a rated class, else first
trigger breach, else largest pool loss) or the user's choice; every cell of its three tables
equals :func:`~abs_tool.analysis.inspector.inspect_waterfall` for that month (amounts in 万元
in Chinese), in money and percent formats, never General or scientific."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from abs_tool import (
    analyse,
    build_term_sheet_inputs,
    load_deal_pool,
    load_sample_deal,
    prepare_deal,
    term_sheet_bytes,
)
from abs_tool.analysis.inspector import inspect_waterfall
from abs_tool.errors import FieldError
from abs_tool.model.deal import Tier
from abs_tool.report.excel.inspection import committee_month
from abs_tool.report.excel.labels import text
from abs_tool.report.format import money_value
from abs_tool.report.tables import cashflow_tables


@pytest.fixture(scope="module", params=["consumer", "factoring"])
def analysis(request):
    deal = load_sample_deal(request.param)
    pool, _ = load_deal_pool(deal, None)
    return analyse(prepare_deal(deal, pool), monte_carlo=False)


def sheet(analysis, lang: str, **options) -> Worksheet:
    data = term_sheet_bytes(build_term_sheet_inputs(analysis, **options), lang)
    book = load_workbook(io.BytesIO(data))
    return book[text("sheet.cash_flows", lang)]


def block(ws: Worksheet, title: str) -> tuple[list[str], list[list[object]], list[list[str]]]:
    """The table under the heading ``title`` (in column A): headers, values, formats."""
    rows = list(ws.iter_rows())
    start = next(i for i, row in enumerate(rows) if row[0].value == title)
    headers = [c.value for c in rows[start + 1] if c.value is not None]
    values, formats = [], []
    for row in rows[start + 2:]:
        if all(c.value is None for c in row[:len(headers)]):
            break
        values.append([c.value for c in row[:len(headers)]])
        formats.append([c.number_format for c in row[:len(headers)]])
    return headers, values, formats


def same(shown, expected) -> bool:
    """Cell values equal the figures (an empty cell for NaN), to the 15 significant digits a
    workbook stores."""
    return len(shown) == len(expected) and all(
        a is None if b is None or (isinstance(b, float) and np.isnan(b))
        else a == pytest.approx(b, rel=1e-14, abs=1e-9) for a, b in zip(shown, expected,
                                                                       strict=True))


def first_month(flags: np.ndarray) -> int | None:
    return int(np.flatnonzero(flags)[0]) + 1 if flags.any() else None


def test_the_month_follows_the_rule(analysis, request) -> None:
    """Recomputed from the stress case's period tables: a rated class's first interest
    shortfall, else the first trigger breach (the samples' stress cases have one or the
    other)."""
    stress, deal = analysis.stress, analysis.deal
    tables = cashflow_tables(stress.result, deal)
    shortfall = np.zeros(stress.result.n_periods, dtype=bool)
    for note in deal.structure.classes:
        if note.tier != Tier.SUBORDINATED:
            shortfall |= tables.classes[note.name]["interest_shortfall"].to_numpy() > 0
    breached = [c for c in tables.triggers.columns if c.endswith(" breached")]
    breach = tables.triggers[breached].to_numpy().any(axis=1)
    expected = ((first_month(shortfall), "interest_shortfall") if shortfall.any()
                else (first_month(breach), "trigger_breach"))
    assert committee_month(analysis) == expected
    # The consumer class B misses interest from month 3; the factoring deal's principal
    # deficiency trigger trips in month 1 (the period tables above).
    assert expected == {"consumer": (3, "interest_shortfall"),
                        "factoring": (1, "trigger_breach")}[request.node.callspec.params[
                            "analysis"]]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_cells_are_the_inspection(analysis, lang: str) -> None:
    month, reason = committee_month(analysis)
    ws = sheet(analysis, lang)
    stress = analysis.stress
    inspection = inspect_waterfall(stress.result, analysis.deal, month,
                                   lag_months=stress.assumptions.recovery.lag_months)
    rows = list(ws.iter_rows(values_only=True))
    title = next(i for i, row in enumerate(rows) if row[0] == text("insp.title", lang))
    assert rows[title + 1][:2] == (text("cfc.period", lang), month)
    date = cashflow_tables(stress.result, analysis.deal).pool["date"].iloc[month - 1]
    assert rows[title + 2][1].date() == date
    assert rows[title + 3][1] == text(f"insp.why.{reason}", lang)

    def money(values) -> list[float | None]:
        return [None if np.isnan(v) else money_value(float(v), lang) for v in values]

    headers, values, formats = block(ws, text("insp.steps", lang))
    assert len(headers) == 9
    assert len(values) == len(inspection.steps)
    shown = list(zip(*values, strict=True))
    assert list(shown[0]) == inspection.steps["step"].tolist()
    for i, name in enumerate(("funds_before", "received", "due", "paid", "shortfall",
                              "funds_after"), start=3):
        assert same(shown[i], money(inspection.steps[name])), name
    # Class and fee names as the deal has them; codes in the language.
    names = {c.name for c in analysis.deal.structure.classes} | {
        f.name for f in analysis.deal.structure.fees}
    assert names & set(shown[2]) == {c.name for c in analysis.deal.structure.classes} | {
        f.name for f in analysis.deal.structure.fees}

    headers, values, formats = block(ws, text("insp.triggers", lang))
    shown = list(zip(*values, strict=True))
    assert list(shown[0]) == inspection.triggers["trigger"].tolist()
    for i, name in enumerate(("value", "level", "headroom"), start=2):
        assert same(shown[i], inspection.triggers[name].tolist()), name
    assert list(shown[5]) == [text("yes" if b else "no", lang)
                              for b in inspection.triggers["breached"]]

    _, values, ledger_formats = block(ws, text("insp.ledgers", lang))
    ledgers = inspection.ledgers
    expected = [v if item == "cumulative_default_rate" else money_value(v, lang)
                for item, v in zip(ledgers["item"], ledgers["value"], strict=True)]
    assert same([row[2] for row in values], expected)
    for row, fmts in zip(values, ledger_formats, strict=True):
        assert fmts[2] != "General", row
        assert "E" not in fmts[2].upper().replace("[RED]", ""), row
    _, values, formats = block(ws, text("insp.steps", lang))
    for row, fmts in zip(values, formats, strict=True):
        for value, number_format in zip(row, fmts, strict=True):
            if isinstance(value, int | float):
                assert number_format != "General", row
                assert "E+" not in number_format, row


def test_a_chosen_month(analysis) -> None:
    ws = sheet(analysis, "en", inspector_month=5)
    rows = list(ws.iter_rows(values_only=True))
    title = next(i for i, row in enumerate(rows) if row[0] == text("insp.title", "en"))
    assert rows[title + 1][1] == 5
    assert rows[title + 3][1] == text("insp.why.chosen", "en")
    _, values, _ = block(ws, text("insp.steps", "en"))
    paid = inspect_waterfall(analysis.stress.result, analysis.deal, 5,
                             lag_months=analysis.stress.assumptions.recovery.lag_months
                             ).steps["paid"]
    assert same([row[6] for row in values], paid.tolist())


@pytest.mark.parametrize("month", [0, 37, 2.0, True])
def test_a_month_outside_the_stress_case_is_refused(analysis, month) -> None:
    with pytest.raises(FieldError, match=r"inspector_month: must be a whole month of the "
                                         r"stress case, 1 to 36"):
        build_term_sheet_inputs(analysis, inspector_month=month)


def test_no_loss_shows_the_first_month(analysis) -> None:
    """A stress path with no shortfall, breach or loss: month 1 (the rule's last case)."""
    result = analysis.stress.result
    quiet = replace(result, classes=replace(
        result.classes, interest_shortfall=np.zeros_like(result.classes.interest_shortfall)),
        trigger_breached=np.zeros_like(result.trigger_breached),
        pool=replace(result.pool, loss=np.zeros_like(result.pool.loss)))
    assert committee_month(replace(analysis, stress=replace(analysis.stress, result=quiet))
                           ) == (1, "first_month")
    lossy = replace(quiet, pool=replace(quiet.pool, loss=result.pool.loss))
    assert committee_month(replace(analysis, stress=replace(analysis.stress, result=lossy))
                           ) == (int(np.argmax(result.pool.loss[0])) + 1, "largest_loss")
