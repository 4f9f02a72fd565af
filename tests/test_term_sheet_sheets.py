"""The term sheet's Static pool analysis and Stress tests sheets (issue 17 item 5): present
with their inputs and absent without, in English and Chinese; every figure from its result
object; no English prose in Chinese; no number in General format; the standalone stress
workbook is the same sheet."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from openpyxl import load_workbook

from abs_tool import (
    build_term_sheet_inputs,
    load_deal_pool,
    load_sample_deal,
    prepare_deal,
    term_sheet_bytes,
)
from abs_tool.analysis.deal_analysis import analyse
from abs_tool.analysis.static_pool import analyse_static_pool
from abs_tool.analysis.stress import DEFAULT_SCENARIOS, StressScenario, stress_table
from abs_tool.cli import main
from abs_tool.io.static_pool_samples import sample_static_pool
from abs_tool.report.excel.labels import text
from abs_tool.report.excel.writer import curve_vintages, scenario_name, scenario_words
from abs_tool.report.format import MONEY_SCALES
from abs_tool.report.stress_xlsx import SHEET, stress_workbook_bytes
from tests.app.test_chinese_walk import deal_words, english_words

LANGS = ("en", "zh")
REL = 1e-14  # a cell keeps 15 significant digits


@pytest.fixture(scope="module")
def made():
    deal = load_sample_deal("consumer")
    pool, _ = load_deal_pool(deal, None)
    prepared = prepare_deal(deal, pool)
    analysis = analyse(prepared, monte_carlo=False)
    static = analyse_static_pool(sample_static_pool("consumer"))
    table = stress_table(prepared)
    full = build_term_sheet_inputs(analysis, static_pool=static, stress=table)
    bare = build_term_sheet_inputs(analysis)
    books = {(lang, given): load_workbook(io.BytesIO(term_sheet_bytes(inputs, lang)))
             for lang in LANGS for given, inputs in ((True, full), (False, bare))}
    return static, table, books


def _values(ws):
    return [c for row in ws.iter_rows() for c in row if c.value is not None]


def _at(ws, label, offset=1):
    row = next(c.row for c in _values(ws) if c.value == label)
    return ws.cell(row, 1 + offset).value


def _table(ws, header):
    """Rows under the header row whose first cell is ``header`` until an empty row, as
    ``{column header: values}``."""
    top = next(c.row for c in _values(ws) if c.column == 1 and c.value == header)
    heads = [ws.cell(top, j).value for j in range(1, ws.max_column + 1)]
    rows = []
    r = top + 1
    while ws.cell(r, 1).value is not None:
        rows.append([ws.cell(r, j).value for j in range(1, len(heads) + 1)])
        r += 1
    return {h: [row[j] for row in rows] for j, h in enumerate(heads) if h is not None}


@pytest.mark.parametrize("lang", LANGS)
def test_sheets_present_with_inputs_and_absent_without(made, lang):
    _, _, books = made
    names = (text("sheet.static_pool", lang), text("sheet.stress", lang))
    assert all(n in books[lang, True].sheetnames for n in names)
    assert not any(n in books[lang, False].sheetnames for n in names)
    assert books["zh", True].sheetnames[-3:-1] == ["静态池分析", "压力测试"]


@pytest.mark.parametrize("lang", LANGS)
def test_static_pool_figures_equal_the_analysis(made, lang):
    static, _, books = made
    ws = books[lang, True][text("sheet.static_pool", lang)]
    assert _at(ws, text("sp.lifetime", lang)) == pytest.approx(static.lifetime_default_rate, REL)
    assert _at(ws, text("sp.std", lang)) == pytest.approx(static.dispersion.std, REL)
    assert _at(ws, text("sp.vintages_used", lang)) == static.dispersion.n_vintages
    assert _at(ws, text("sp.recovery_rate", lang)) == pytest.approx(static.recovery.rate, REL)
    assert _at(ws, text("sp.correlation", lang)) == pytest.approx(static.correlation.rho, REL)
    assert [_at(ws, text("sp.correlation_interval", lang), k) for k in (1, 2)] == pytest.approx(
        list(static.correlation.interval), REL)
    curves = _table(ws, text("col.months_on_book", lang))
    assert curves[text("col.timing", lang)] == pytest.approx(static.timing_curve.tolist())
    assert curves[text("sp.timing_cumulative", lang)][-1] == pytest.approx(1.0)
    data = static.data
    for v in curve_vintages(static):
        column = curves[data.vintages[v]]
        seen = int(min(data.observed_months[v], static.months))
        expected = data.cumulative_default_balance[v, :seen] / data.original_balance[v]
        assert column[:seen] == pytest.approx(expected.tolist())
        assert all(x is None for x in column[seen:])
    vintages = _table(ws, text("col.vintage", lang))
    records = static.vintage_records()
    assert vintages[text("col.vintage", lang)] == [r["vintage"] for r in records]
    assert vintages[text("col.observed_rate", lang)] == pytest.approx(
        [r["observed_rate"] for r in records], REL)
    # A Chinese workbook's amount cells hold 万元 (the default unit).
    scale = 1.0 if lang == "en" else MONEY_SCALES["wan"]
    assert vintages[text("col.original_balance", lang)] == pytest.approx(
        [r["original_balance"] / scale for r in records], REL)
    assert len(ws._charts) == 1  # the native line chart of the vintage curves
    assert len(ws._charts[0].series) == len(curve_vintages(static))


@pytest.mark.parametrize("lang", LANGS)
def test_stress_figures_equal_the_table(made, lang):
    _, table, books = made
    ws = books[lang, True][text("sheet.stress", lang)]
    values = [c.value for c in _values(ws)]
    assert text("ss.indicative_note", lang) in values  # the defaults are indicative
    assert _at(ws, text("ss.base_rate", lang)) == pytest.approx(
        table.base_lifetime_default_rate, REL)
    results = _table(ws, text("col.scenario", lang))  # the scenarios' table comes first
    assert results[text("col.scenario", lang)] == [scenario_name(s.name, lang)
                                                   for s in DEFAULT_SCENARIOS]
    assert results[text("col.changes", lang)] == [scenario_words(s, lang)
                                                  for s in DEFAULT_SCENARIOS]
    top = [c.row for c in _values(ws) if c.value == text("col.bdr", lang)][-1]
    cells = [c for r in table.scenarios for c in r.classes]
    for i, c in enumerate(cells):
        assert ws.cell(top + 1 + i, 3).value == pytest.approx(c.bdr, REL)
        passes = c.passes_by_rating()
        for j, rating in enumerate(sorted(passes, key=list(passes).index)):
            cell = ws.cell(top + 1 + i, 5 + j)
            assert cell.value == pytest.approx(c.tdr_by_rating()[rating], REL)
            assert cell.fill.fgColor.rgb == ("00C6EFCE" if passes[rating] else "00FFC7CE")
    summary = _table(ws, text("col.class", lang))
    assert summary[text("col.summary_rating", lang)] == [
        table.highest_rating(n) for n in table.class_names]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_scenario_words_name_every_change_a_scenario_can_make(lang):
    """Each field of a scenario set away from its default is said (the base says nothing
    changes); a new field left out of the words fails here."""
    changes = {"timing": "front", "cpr_multiplier": 2.0, "cpr_annual": 0.2,
               "recovery_multiplier": 0.5, "recovery_rate": 0.1, "extra_lag_months": 6,
               "yield_compression_annual": 0.02, "benchmark_shift_bp": 50.0}
    fields = set(StressScenario.__dataclass_fields__) - {"name", "timing_power"}
    assert fields == set(changes)
    unchanged = scenario_words(StressScenario("base"), lang)
    for field, value in changes.items():
        words = scenario_words(StressScenario("s", **{field: value}), lang)
        assert words != unchanged, field
    assert scenario_words(StressScenario("s", benchmark_shift_bp=-25.0), "en") == (
        "benchmark -25 bp")


def test_no_english_in_the_chinese_sheets(made):
    _, _, books = made
    allowed = deal_words()
    for key in ("sheet.static_pool", "sheet.stress"):
        ws = books["zh", True][text(key, "zh")]
        found = set().union(*(english_words(c.value, allowed) for c in _values(ws)
                              if isinstance(c.value, str)))
        assert not found, (key, found)


@pytest.mark.parametrize("lang", LANGS)
def test_no_number_in_general_or_scientific_format(made, lang):
    _, _, books = made
    for key in ("sheet.static_pool", "sheet.stress"):
        for cell in _values(books[lang, True][text(key, lang)]):
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                assert cell.number_format != "General", (key, cell.coordinate)
                unquoted = re.sub(r'"[^"]*"', "", cell.number_format)
                assert not re.search(r"[Ee][+-]", unquoted), (key, cell.coordinate)


def test_standalone_workbook_is_the_term_sheets_sheet(made, tmp_path):
    _, table, books = made
    for lang in LANGS:
        wb = load_workbook(io.BytesIO(stress_workbook_bytes(table, lang)))
        assert wb.sheetnames == [text("sheet.stress", lang)]
        alone = [(c.coordinate, c.value) for c in _values(wb.active)]
        inside = [(c.coordinate, c.value)
                  for c in _values(books[lang, True][text("sheet.stress", lang)])]
        assert alone == inside
    out = tmp_path / "stress.xlsx"
    assert main(["stress", "consumer", "--quiet", "--out-xlsx", str(out), "--lang", "zh"]) == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["压力测试"]
    assert SHEET == "Stress tests"
    assert np.isclose(wb.active.cell(4, 2).value, table.base_lifetime_default_rate)
