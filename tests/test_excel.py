"""The Excel term sheet: every figure read back equals the result it came from; user text never
becomes a formula; every sheet exists in both languages; writes are atomic; LibreOffice
renders it."""

import dataclasses
import hashlib
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from PIL import Image

from abs_tool import (
    InputError,
    Pool,
    analyse,
    break_even,
    build_term_sheet_inputs,
    cost_of_funds,
    load_deal_pool,
    load_sample_deal,
    pool_summary,
    prepare_deal,
    run_monte_carlo,
    run_scenario,
    sample_pool,
    save_deal,
    stratify,
    term_sheet_bytes,
    write_tape,
    write_term_sheet,
)
from abs_tool.analysis.deal_analysis import class_ratings, key_risks, target_default_rates
from abs_tool.analysis.static_pool import analyse_static_pool
from abs_tool.analysis.stress import stress_table
from abs_tool.cli import main
from abs_tool.io.static_pool_samples import sample_static_pool
from abs_tool.report import format as fmt
from abs_tool.report.excel import KEY_FIGURES, TemplateError, load_template
from abs_tool.report.excel.labels import LABELS, SHEETS, TEMPLATE, TIERS, text
from abs_tool.report.excel.writer import LOSS_BUCKETS
from abs_tool.report.tables import cashflow_tables, loss_buckets

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ('=HYPERLINK("http://x","y")', "@SUM(1)", "+1+1", "-2")
MC_PATHS, MC_SEED = 2048, 7


@pytest.fixture(scope="module")
def consumer():
    """The consumer sample deal with a small seeded Monte Carlo and its term-sheet inputs."""
    deal = load_sample_deal("consumer")
    pool, _ = load_deal_pool(deal, None)
    prepared = prepare_deal(deal, pool)
    mc = run_monte_carlo(prepared, paths=MC_PATHS, seed=MC_SEED, workers=1)
    sizing = pd.DataFrame({"class": ["A", "B", "C"], "size": [0.75, 0.13, 0.12],
                           "coupon": [0.051, 0.073, 0.0]})
    sizing.attrs["formats"] = {"size": "pct", "coupon": "pct"}
    structuring = {"Sizing": sizing}
    # Every optional sheet: tests/test_term_sheet_sheets.py checks the last two's figures.
    inputs = build_term_sheet_inputs(
        analyse(prepared, monte_carlo=mc), structuring=structuring,
        sources={"deal.json": "ab" * 32},
        static_pool=analyse_static_pool(sample_static_pool("consumer")),
        stress=stress_table(prepared))
    return prepared, mc, inputs


@pytest.fixture(scope="module")
def xlsx(consumer):
    return {lang: term_sheet_bytes(consumer[2], lang) for lang in ("en", "zh")}


@pytest.fixture(scope="module")
def workbooks(xlsx):
    """Read back once; reading a cell beyond a sheet's end creates it, so tests that check
    sheet extents load their own copy."""
    return {lang: load_workbook(io.BytesIO(data)) for lang, data in xlsx.items()}


@pytest.fixture(scope="module")
def hostile():
    """A small deal whose name, class names, loan ids and regions are formula-like text."""
    base = load_sample_deal("consumer")
    loans = sample_pool("consumer", n_loans=60).loans.sort_values("balance", ascending=False)
    # The four largest loans (so among the largest obligors listed) carry hostile ids.
    loans["loan_id"] = list(HOSTILE) + [f"L{i}" for i in range(4, len(loans))]
    loans["obligor_id"] = None
    # At the sample deal's size, so that its fixed fees stay small against the notes.
    scale = 8e8 / loans["balance"].sum()
    loans[["balance", "original_balance"]] *= scale
    loans["region"] = HOSTILE[0]
    classes = tuple(dataclasses.replace(c, name=name)
                    for c, name in zip(base.structure.classes, HOSTILE[1:], strict=True))
    deal = dataclasses.replace(base, name=HOSTILE[0] + "\x01",
                               structure=dataclasses.replace(base.structure, classes=classes))
    prepared = prepare_deal(deal, Pool(loans))
    return prepared, build_term_sheet_inputs(analyse(prepared, monte_carlo=False))


def _cell(wb, name):
    """The cell a defined name points at."""
    ((sheet, coordinate),) = wb.defined_names[name].destinations
    return wb[sheet][coordinate.replace("$", "")]


def _find_row(ws, value, column=1, start=1):
    """The first row from ``start`` whose cell in ``column`` holds ``value``."""
    return next(r for r in range(start, ws.max_row + 1) if ws.cell(r, column).value == value)


def _row(ws, row, headers):
    """``{header: value}`` of a table row, headers from the row ``headers``."""
    return {ws.cell(headers, c).value: ws.cell(row, c).value
            for c in range(1, ws.max_column + 1) if ws.cell(headers, c).value is not None}


def test_key_figures_equal_their_sources(consumer, workbooks):
    prepared, _, inputs = consumer
    wb = workbooks["en"]
    deal = prepared.deal
    cost = cost_of_funds(prepared)
    assert _cell(wb, "DealName").value == deal.name
    assert _cell(wb, "Currency").value == deal.currency
    expected = {
        "PoolBalance": prepared.pool.balance, "LoanCount": len(prepared.pool),
        "PoolWAC": float(np.average(prepared.pool.loans["rate"],
                                    weights=prepared.pool.loans["balance"])),
        "SeniorSize": prepared.class_balances[0],
        "SeniorShare": prepared.class_balances[0] / prepared.pool.balance,
        "WACoupon": cost.wa_coupon, "AllInCost": cost.all_in, "BenchmarkRate": cost.benchmark,
        "CostSavingBp": cost.saving_bp, "UpfrontFees": cost.upfront_fees,
        "ExcessSpread": cost.excess_spread_annual,
    }
    parties = deal.parties
    texts = {"DayCount": "30/360", "BusinessDayConvention": "Unadjusted",
             "Originator": parties.originator, "Servicer": parties.servicer,
             "Manager": parties.manager, "Trustee": parties.trustee,
             "LeadUnderwriter": parties.lead_underwriter,
             "RatingAgencies": ", ".join(parties.rating_agencies)}
    assert all(texts.values())  # the sample names every party
    assert set(expected) | set(texts) | {"DealName", "Currency", "CutoffDate", "ClosingDate",
                                         "FirstPaymentDate", "LegalFinalDate"} == set(KEY_FIGURES)
    for name, value in texts.items():
        assert _cell(wb, name).value == value, name
    for name, value in expected.items():
        assert _cell(wb, name).value == pytest.approx(value, rel=1e-12), name
    dates = deal.dates
    for name, value in (("CutoffDate", dates.cutoff), ("ClosingDate", dates.closing),
                        ("FirstPaymentDate", dates.first_payment),
                        ("LegalFinalDate", dates.legal_final)):
        assert _cell(wb, name).value.date() == value, name
    assert _cell(wb, "PoolBalance").number_format == '#,##0;[Red]-#,##0;"-"'
    assert _cell(wb, "AllInCost").number_format == "0.00%"


def test_capital_structure_equals_the_results(consumer, workbooks):
    prepared, mc, inputs = consumer
    deal = prepared.deal
    ws = workbooks["en"]["Term Sheet"]
    headers = _find_row(ws, "Class")
    by_criterion = _find_row(ws, "Class", start=headers + 1)
    bdrs = break_even(prepared)
    ratings = class_ratings(mc, target_default_rates(mc, bdrs))
    scale = ["AAA", "AA+", "AA", "AA-", "A+", "A", "A-", "BBB+", "BBB", "BBB-", "BB+", "BB",
             "BB-", "B+", "B", "B-", "CCC", "CC", "C", "NR"]
    base = run_scenario(prepared)
    flows = cashflow_tables(base.result, deal).classes
    pool_balance = prepared.pool.balance
    for j, (note, be) in enumerate(zip(deal.structure.classes, bdrs, strict=True)):
        row = _row(ws, headers + 1 + j, headers)
        detail = _row(ws, by_criterion + 1 + j, by_criterion)
        balance = prepared.class_balances[j]
        below = sum(prepared.class_balances[j + 1:])
        table = flows[note.name]
        paid_off = table.loc[table["balance_close"] <= 1e-9 * balance, "date"]
        assert row["Class"] == note.name
        assert row["Tier"] == text(f"tier.{note.tier.value}", "en")
        assert row["Amount"] == pytest.approx(balance)
        assert row["Share"] == pytest.approx(balance / pool_balance)
        assert row["Subordination"] == pytest.approx(below / pool_balance)
        assert row["Reserve account"] == deal.structure.reserve.initial_share
        assert row["Credit enhancement"] == pytest.approx(
            below / pool_balance + deal.structure.reserve.initial_share)
        assert row["Coupon"] == (note.coupon_annual if note.tier != "subordinated"
                                 else "residual")
        assert row["WAL (years)"] == pytest.approx(base.metrics.wal_years[0, j])
        assert row["Expected final"].date() == paid_off.iloc[0]
        assert row["Legal final"].date() == deal.dates.legal_final
        assert row["BDR"] == detail["BDR"] == pytest.approx(be.default_rate)
        # One rating on page 1: the lowest of the four criteria, on the local scale.
        local = [r.local for r in ratings[j].criteria()]
        assert row["Indicative rating"] == max(local, key=scale.index)
        assert row["Target rating"] == note.target_rating
        assert detail["Class"] == note.name
        assert detail["EL"] == pytest.approx(mc.classes[j].expected_loss.value)
        assert detail["PD"] == pytest.approx(mc.classes[j].pd.value)
        for criterion in ("el", "pd", "dirr"):
            assert detail[f"Rating ({criterion.upper()})"] == getattr(ratings[j],
                                                                      criterion).local
        assert detail["Rating (BDR ≥ TDR)"] == ratings[j].tdr.local
    total = _row(ws, headers + 1 + len(deal.structure.classes), headers)
    assert (total["Class"], total["Amount"]) == ("Total", pytest.approx(pool_balance))
    risks = _find_row(ws, "Key risks")
    summary = inputs.analysis.summary
    listed = [("risk.obligors", {"top1": summary.top1_obligor_share,
                                 "top10": summary.top10_obligor_share,
                                 "effective": summary.effective_obligors})]
    listed += [(r.key, r.values) for r in inputs.risks if r.key != "risk.concentration"]
    # The consumer sample: ample excess spread, a 12-month revolving period, two triggers
    # that can end it.
    listed += [("risk.spread_dependence", {"spread": inputs.cost.excess_spread_annual,
                                           "loss": inputs.analysis.base_loss_annual}),
               ("risk.revolving", {"months": 12, "triggers": 2}), ("risk.commingling", {})]
    sentences = [ws.cell(risks + 1 + i, 1).value for i in range(len(listed))]
    assert sentences == [f"{i}. {text(key, 'en', **values)}"
                         for i, (key, values) in enumerate(listed, start=1)]
    assert ws.cell(risks + 1 + len(listed), 1).value is None
    # Page 1 ends after the key risks.
    assert [b.id for b in ws.row_breaks.brk][0] == risks + len(listed)


def test_a_class_that_never_loses_shows_its_bdr_as_a_lower_bound(consumer):
    inputs = consumer[2]
    bdrs = inputs.analysis.break_evens
    never = dataclasses.replace(bdrs[0], loses=False)
    analysis = dataclasses.replace(inputs.analysis, break_evens=(never, *bdrs[1:]))
    data = term_sheet_bytes(dataclasses.replace(inputs, analysis=analysis))
    ws = load_workbook(io.BytesIO(data))["Term Sheet"]
    first = _find_row(ws, "Class")
    for headers in (first, _find_row(ws, "Class", start=first + 1)):  # page 1 and page 2
        column = next(c for c in range(1, ws.max_column + 1)
                      if ws.cell(headers, c).value == "BDR")
        cells = [ws.cell(headers + 1 + j, column) for j in range(2)]
        assert cells[0].value == pytest.approx(never.default_rate)
        assert [c.number_format for c in cells] == ['"≥ "0.00%', "0.00%"]


def test_monte_carlo_sheet_equals_the_simulation(consumer, workbooks):
    _, mc, inputs = consumer
    ws = workbooks["en"]["Monte Carlo"]
    headers = _find_row(ws, "Class")
    for j, c in enumerate(mc.classes):
        cells = [ws.cell(headers + 1 + j, k).value for k in range(1, 16)]
        expected = [c.name] + [x for e in (c.expected_loss, c.principal_loss, c.pd, c.lgd,
                                           c.wal_years, c.yield_annual, c.dirr_bp)
                               for x in (e.value, e.se)]
        assert cells[0] == expected[0]
        np.testing.assert_allclose(np.array(cells[1:], dtype=float),
                                   np.array(expected[1:], dtype=float), rtol=1e-12)
    row = _find_row(ws, "99.90% quantile")
    assert ws.cell(row, 2).value == pytest.approx(mc.pool_default_rate.quantiles[0.999])
    assert ws.cell(row, 3).value == pytest.approx(mc.pool_loss_rate.quantiles[0.999])
    assert len(ws._charts) == 1
    bdr_row = _find_row(ws, "BDR")
    assert [ws.cell(bdr_row, 2 + 2 * j).value for j in range(3)] == pytest.approx(
        [be.default_rate for be in inputs.analysis.break_evens])
    tdr_row = _find_row(ws, "AAA")
    senior_aaa = inputs.analysis.target_default_rates[0].by_rating()["AAA"]
    assert ws.cell(tdr_row, 2).value == pytest.approx(senior_aaa)
    passes = inputs.analysis.break_evens[0].default_rate >= senior_aaa
    assert ws.cell(tdr_row, 3).value == ("pass" if passes else "fail")


def test_loss_buckets_add_up_to_the_histogram(consumer):
    dist = consumer[1].pool_loss_rate
    table = loss_buckets(dist, LOSS_BUCKETS)
    assert table["probability"].sum() == pytest.approx(1.0, abs=1e-12)
    # Bucket edges fall on histogram edges, so the CDF there is a plain sum of bins.
    for to, cumulative in zip(table["to"].iloc[:-1], table["cumulative"].iloc[:-1],
                              strict=True):
        assert cumulative == pytest.approx(dist.density[dist.edges[1:] <= to + 1e-12].sum())
    # The step is the smallest of 1, 2, 2.5, 5 x 10^k covering the 99.99% quantile: at most
    # twice what is needed.
    assert dist.quantile(0.9999) <= table["to"].iloc[-1] < 2 * dist.quantile(0.9999)


def test_cash_flows_sheet_shows_both_scenarios(consumer, workbooks):
    prepared, _, inputs = consumer
    inputs = inputs.analysis
    ws = workbooks["en"]["Cash Flows"]
    mezz = prepared.deal.structure.classes[1]
    # The stress case is the mezzanine class's break-even: it loses there, not in the base case.
    assert inputs.stress_class == mezz.name
    assert inputs.stress_multiplier == break_even(prepared)[1].multiplier
    assert inputs.stress.metrics.loss_pv[0, 1] > 0 == inputs.base.metrics.loss_pv[0, 1]
    for title, scenario in ((text("cf.expected", "en"), inputs.base),
                            (text("cf.stress", "en", multiplier=inputs.stress_multiplier),
                             inputs.stress)):
        headers = _find_row(ws, title) + 2
        tables = cashflow_tables(scenario.result, prepared.deal)
        period = 5
        row = [ws.cell(headers + period, c).value for c in range(1, ws.max_column + 1)]
        assert row[0] == period
        assert row[2:4] == pytest.approx([tables.pool.loc[period, "balance_close"],
                                          tables.pool.loc[period, "collections"]])
        classes = tables.classes[mezz.name]
        # Pool: 8 columns after period and date (its principal due the 7th); the senior
        # class 5; then the mezzanine.
        assert row[8] == pytest.approx(tables.pool.loc[period, "principal_due"])
        assert row[15:20] == pytest.approx(
            classes.loc[period, ["interest_paid", "interest_shortfall", "principal_paid",
                                 "writedown", "balance_close"]].tolist())
    assert ws.freeze_panes == f"C{_find_row(ws, text('cf.expected', 'en')) + 3}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_sheet_exists_and_has_content(xlsx, lang):
    wb = load_workbook(io.BytesIO(xlsx[lang]))
    assert wb.sheetnames == [label[0 if lang == "en" else 1] for label in SHEETS.values()]
    for ws in wb.worksheets:
        filled = sum(c.value is not None for row in ws.iter_rows() for c in row)
        assert filled >= 10, ws.title
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        # To the last cell, or below it where charts end a sheet.
        last = re.fullmatch(r".*!\$A\$1:\$([A-Z]+)\$(\d+)", ws.print_area)
        assert last[1] == get_column_letter(ws.max_column)
        assert int(last[2]) >= ws.max_row
        assert ws.freeze_panes is not None
    # Anchors are template internals; the key figures stay.
    assert set(wb.defined_names) == set(KEY_FIGURES)


def test_chinese_labels_and_tier_names(workbooks, consumer):
    wb = workbooks["zh"]
    ws = wb["条款概要"]
    assert ws["A1"].value == TEMPLATE["ts.title"][1]
    headers = _find_row(ws, "档次")
    tiers = [ws.cell(headers + 1 + j, 2).value for j in range(3)]
    # Tiers as a Chinese rating report names them (the glossary's); class names as written.
    assert tiers == [TIERS[k][1] for k in TIERS] == ["优先级", "中间级", "次级"]
    english = {label[0] for label in TEMPLATE.values()}
    left = [c.coordinate for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.value in english]
    assert left == []
    # A Chinese workbook's amount cells hold 万元 (the format cannot divide by 10,000).
    balance = _cell(wb, "PoolBalance")
    assert balance.value == pytest.approx(consumer[0].pool.balance / 1e4)
    assert balance.number_format == '#,##0.00"万元";[Red]-#,##0.00"万元";"-"'


def test_every_template_text_has_a_chinese_translation():
    english = {label[0] for label in LABELS.values()}
    wb = load_template().workbook
    texts = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)]
    assert texts
    assert [t for t in texts if t not in english] == []


def test_shipped_template_is_the_one_in_templates():
    shipped = ROOT / "abs_tool" / "data" / "templates" / "term_sheet.xlsx"
    assert shipped.read_bytes() == (ROOT / "templates" / "term_sheet.xlsx").read_bytes(), (
        "run .venv/bin/python templates/build_template.py (or copy templates/term_sheet.xlsx "
        "to abs_tool/data/templates/)")


def test_every_font_has_a_name():
    wb = load_template().workbook
    assert all(s.font.name for s in wb._named_styles)


def test_hostile_text_stays_text(hostile):
    _, inputs = hostile
    wb = load_workbook(io.BytesIO(term_sheet_bytes(inputs)))
    found = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str) and cell.value in HOSTILE:
                    assert cell.data_type == "s"
                    found[cell.value] = found.get(cell.value, 0) + 1
    assert set(found) == set(HOSTILE)
    term_sheet = wb["Term Sheet"]
    assert _cell(wb, "DealName").value == HOSTILE[0] + "\ufffd"  # control character replaced
    assert [term_sheet.cell(_find_row(term_sheet, "Class") + 1 + j, 1).value
            for j in range(3)] == list(HOSTILE[1:])
    pool_sheet = wb["Pool"]
    obligors = [pool_sheet.cell(_find_row(pool_sheet, text("col.obligor", "en")) + 1 + i,
                                1).value for i in range(10)]
    assert obligors == [f"Obligor {i}" for i in range(1, 11)]  # ranks, never the ids


def test_without_monte_carlo_or_structuring(hostile):
    _, inputs = hostile
    wb = load_workbook(io.BytesIO(term_sheet_bytes(inputs, "zh")))
    assert text("sheet.structuring", "zh") not in wb.sheetnames
    assert wb["蒙特卡洛模拟"]["A3"].value == text("mc.none", "zh")
    ws = wb["条款概要"]
    headers = _find_row(ws, "档次")
    row = _row(ws, headers + 1, headers)
    assert row[text("col.indicative", "zh")] is None
    assert row[text("col.bdr", "zh")] == pytest.approx(inputs.analysis.break_evens[0].default_rate)
    assert ws.cell(_find_row(ws, text("note.no_mc", "zh")), 1).style == "ts_note"
    detail = _find_row(ws, "档次", start=headers + 1)
    row = _row(ws, detail + 1, detail)
    assert row[text("col.el", "zh")] is None
    assert row[text("col.rating_el", "zh")] is None


def test_key_risks_follow_the_numbers(consumer, hostile):
    prepared, mc, inputs = consumer
    deal, analysis = prepared.deal, inputs.analysis
    quiet = key_risks(deal, analysis.summary, analysis.base, inputs.cost,
                      analysis.base_loss_annual, analysis.ratings)
    assert [r.key for r in quiet] == (["risk.cost"] if inputs.cost.saving_bp < 0 else [])
    thin = dataclasses.replace(inputs.cost, excess_spread_annual=0.005, saving_bp=1.0)
    keys = [r.key for r in key_risks(deal, analysis.summary, analysis.base, thin,
                                     analysis.base_loss_annual, analysis.ratings)]
    assert keys == ["risk.excess_spread"]
    # The subordinated class aimed at AAA misses it on every criterion.
    aimed = dataclasses.replace(deal, structure=dataclasses.replace(
        deal.structure, classes=deal.structure.classes[:2] + (dataclasses.replace(
            deal.structure.classes[2], target_rating="Aaa"),)))
    missed = key_risks(aimed, analysis.summary, analysis.base, thin, analysis.base_loss_annual,
                       analysis.ratings)
    assert missed[-1].key == "risk.target"
    assert dict(missed[-1].values) == {"cls": "次级", "target": "Aaa",
                                       **analysis.ratings[2].local()}
    small = hostile[1]  # 60 loans, one obligor each: not granular
    concentration = small.risks[0]
    assert concentration.key == "risk.concentration"
    assert (concentration.values["effective"] == small.analysis.summary.effective_obligors
            < 100)


def test_missing_template_parts_are_all_named(tmp_path):
    wb = load_template().workbook
    del wb.defined_names["PoolBalance"]
    wb.remove(wb["Audit"])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(TemplateError, match=r"missing sheet `Audit`.*missing defined name "
                                            r"`PoolBalance`"):
        load_template(out.getvalue())


def test_failed_write_leaves_no_file(consumer, tmp_path):
    inputs = consumer[2]
    target = tmp_path / "term_sheet.xlsx"
    with pytest.raises(TemplateError, match="missing defined name `Anchor_audit`"):
        write_term_sheet(target, inputs, template=_broken_template())
    with pytest.raises(InputError, match="must be one of"):
        write_term_sheet(target, inputs, lang="fr")
    assert list(tmp_path.iterdir()) == []
    target.write_bytes(b"old")
    with pytest.raises(TemplateError):
        write_term_sheet(target, inputs, template=_broken_template())
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["term_sheet.xlsx"]


def _broken_template():
    wb = load_template().workbook
    del wb.defined_names["Anchor_audit"]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_cli_run_writes_the_term_sheet(tmp_path, capsys):
    deal_file = tmp_path / "deal.json"
    save_deal(load_sample_deal("consumer"), deal_file)
    out = tmp_path / "ts.xlsx"
    assert main(["run", str(deal_file), "--paths", "500", "--seed", "3", "--quiet",
                 "--out-xlsx", str(out), "--lang", "zh"]) == 0
    assert f"已写入 {out}" in capsys.readouterr().out  # --lang zh: printed in Chinese too
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "条款概要"
    assert text("sheet.structuring", "zh") not in wb.sheetnames
    audit = wb["审计信息"]
    row = _find_row(audit, str(deal_file))
    assert audit.cell(row, 2).value == hashlib.sha256(deal_file.read_bytes()).hexdigest()
    assert _find_row(wb["蒙特卡洛模拟"], text("as.paths", "zh")) > 0


@pytest.mark.libreoffice
def test_libreoffice_renders_page_one(consumer, tmp_path):
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if soffice is None or pdftoppm is None:
        if os.environ.get("ABS_REQUIRE_E2E") == "1":
            pytest.fail("ABS_REQUIRE_E2E=1 but soffice or pdftoppm is missing")
        pytest.skip("LibreOffice (soffice) or pdftoppm is not installed")
    workbook = tmp_path / "term_sheet.xlsx"
    write_term_sheet(workbook, consumer[2], "zh")
    subprocess.run([soffice, "--headless", "--norestore",
                    f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(workbook)],
                   check=True, capture_output=True, timeout=120)
    subprocess.run([pdftoppm, "-png", "-r", "50", "-f", "1", "-l", "1",
                    str(tmp_path / "term_sheet.pdf"), str(tmp_path / "page")],
                   check=True, capture_output=True, timeout=60)
    (png,) = tmp_path.glob("page*.png")
    pixels = np.asarray(Image.open(png).convert("L"))
    # Text and the dark table header: a blank page would be all white.
    assert (pixels < 128).mean() > 0.002


def test_structuring_tables_keep_their_formats(consumer, workbooks):
    sizing = consumer[2].structuring["Sizing"]
    ws = workbooks["en"]["Structuring"]
    assert ws["A3"].value == "Sizing"
    header = _find_row(ws, "class")
    assert [ws.cell(header, c).value for c in (1, 2, 3)] == list(sizing.columns)
    for i, (_, row) in enumerate(sizing.iterrows(), start=1):
        cells = [ws.cell(header + i, c) for c in (1, 2, 3)]
        assert cells[0].value == row["class"]
        assert cells[1].value == pytest.approx(row["size"])
        assert cells[1].number_format == cells[2].number_format == "0.00%"


def test_assumptions_show_every_input_and_the_rating_tables(consumer, workbooks):
    prepared, mc, inputs = consumer
    ws = workbooks["en"]["Assumptions"]
    rows = {ws.cell(r, 2).value: [ws.cell(r, c).value for c in range(3, ws.max_column + 1)]
            for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value is not None}
    assumptions = prepared.deal.assumptions
    assert rows["assumptions.correlation"][0] == assumptions.correlation
    assert rows["assumptions.copula"][0] == assumptions.copula.value
    assert rows["assumptions.recovery.rate"][0] == assumptions.recovery.rate
    assert rows["assumptions.recovery.lag_months"][0] == assumptions.recovery.lag_months
    cpr = assumptions.prepayment.annual
    assert rows["assumptions.prepayment.annual"][:len(cpr)] == list(cpr)
    assert rows["structure.classes[1].name"][0] == prepared.deal.structure.classes[1].name
    labels = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert (labels["Paths"], labels["Seed"]) == (mc.paths, mc.seed)
    sources = [ws.cell(r, 2).value for r in range(1, ws.max_row + 1)
               if ws.cell(r, 1).value == "Source"]
    tables = inputs.analysis.rating_tables.resolved()
    assert sources == [t.source for t in tables]
    assert [t.name for t in tables] == ["idealized_el_derived", "idealized_pd_moodys",
                                        "dirr_moodys_style"]
    # The sample deal has no grade table: each grade's tape PD, weighted by balance.
    loans = prepared.pool.loans
    tape = (loans["annual_pd"] * loans["balance"]).groupby(loans["grade"]).sum() / loans[
        "balance"].groupby(loans["grade"]).sum()
    grades = _find_row(ws, "Grade")
    shown = {ws.cell(grades + 1 + i, 1).value: ws.cell(grades + 1 + i, 2).value
             for i in range(len(tape))}
    assert shown == pytest.approx(tape.to_dict())


def test_pool_sheet_equals_the_analytics(consumer, workbooks):
    pool = consumer[0].pool
    ws = workbooks["zh"]["资产池"]
    summary = pool_summary(pool)
    for label, value, _ in summary.rows("zh"):
        assert _yuan(ws.cell(_find_row(ws, label), 2), "zh") == pytest.approx(value), label
    strat = stratify(pool, "region", lang="zh")
    header = _find_row(ws, "按地区分层") + 1
    shown = pd.DataFrame([[_yuan(ws.cell(header + 1 + i, c), "zh") for c in range(1, 8)]
                          for i in range(len(strat))], columns=strat.columns)
    pd.testing.assert_frame_equal(shown, strat, check_dtype=False)


def _yuan(cell, lang: str):
    """A cell's value, an amount cell's in yuan: a Chinese workbook's amount cells hold 万元
    (the default unit; no Excel format divides by 10,000 and keeps thousands separators)."""
    if cell.style == "ts_money" and lang == "zh" and isinstance(cell.value, int | float):
        return cell.value * fmt.MONEY_SCALES["wan"]
    return cell.value


def _tape_ids(pool) -> set[str]:
    loans = pool.loans
    return {str(v) for v in pd.concat([loans["loan_id"], loans["obligor_id"]]).dropna()}


def _leaks(data: bytes, ids: set[str]) -> list[str]:
    """Cells of a workbook that hold a loan or obligor id (as a whole value or as a word of
    a longer text), a text longer than Excel keeps, or a number in a format that can show
    scientific notation (General, or an exponent)."""
    found = []
    for ws in load_workbook(io.BytesIO(data)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, int | float) and not isinstance(cell.value, bool) and (
                        cell.number_format == "General" or "E+" in cell.number_format.upper()
                        or "E-" in cell.number_format.upper()):
                    found.append(f"{ws.title}!{cell.coordinate}: {cell.number_format}")
                if not isinstance(cell.value, str):
                    continue
                if len(cell.value) > 32_767:
                    found.append(f"{ws.title}!{cell.coordinate}: {len(cell.value)} characters")
                words = set(re.findall(r"[\w-]+", cell.value)) | {cell.value}
                found += [f"{ws.title}!{cell.coordinate}: {w}" for w in words & ids]
    return found


@pytest.mark.parametrize("source", ["consumer", "factoring", "uploaded"])
def test_the_term_sheet_carries_no_loan_or_obligor_identity(source, tmp_path):
    """An investor document: stratifications and concentration shares, but not one loan id or
    obligor id from the tape, in either language, checked cell by cell; an uploaded tape
    travels inside the deal file (a separate download), not in the workbook."""
    deal = load_sample_deal("consumer" if source == "uploaded" else source)
    pool, _ = load_deal_pool(deal, None)
    if source == "uploaded":  # the sample's own loans, as a tape inside the deal file
        tape = tmp_path / "tape.csv"
        write_tape(pool, tape)
        deal = dataclasses.replace(deal, pool=dataclasses.replace(
            deal.pool, sample=None, embedded_csv=tape.read_text(encoding="utf-8")))
        pool, _ = load_deal_pool(deal, None)
    prepared = prepare_deal(deal, pool)
    mc = run_monte_carlo(prepared, paths=MC_PATHS, seed=MC_SEED)
    inputs = build_term_sheet_inputs(analyse(prepared, monte_carlo=mc))
    ids = _tape_ids(pool)
    assert len(ids) > 1_000
    for lang in ("en", "zh"):
        assert _leaks(term_sheet_bytes(inputs, lang), ids) == [], lang
    if source == "uploaded":
        ws = load_workbook(io.BytesIO(term_sheet_bytes(inputs)))["Assumptions"]
        row = _find_row(ws, "pool.embedded_csv", column=2)
        assert ws.cell(row, 3).value == text("as.embedded_tape", "en")
