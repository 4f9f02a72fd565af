"""Page 1 of the term sheet (issue 18 item 2): what a structurer sends, readable on A4.

Both samples, both languages: every page-1 text prints at 8 points or more once the sheet is
fitted to the A4 width (computed from the workbook's column widths and fonts); parties,
dates conventions, the credit enhancement broken down, the structure (amortisation,
payments, revolving criteria, triggers with their levels, reserve, clean-up call) and the
key risks are there, equal to the deal and the analysis; page 1 ends with the key risks.
"""

import dataclasses
import io

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from abs_tool import (
    analyse,
    build_term_sheet_inputs,
    load_deal_pool,
    load_sample_deal,
    prepare_deal,
    run_monte_carlo,
    term_sheet_bytes,
)
from abs_tool.model.eligibility import EligibilityCriteria
from abs_tool.report.excel.labels import text
from abs_tool.report.excel.writer import PAGE_ONE_COLUMNS, page_one_risks

# A4 landscape less the template's 0.4-inch side margins, in points.
A4_LANDSCAPE_WIDTH_PT = 841.89 - 2 * 0.4 * 72
MIN_PRINTED_PT = 8.0


def _column_points(width: float) -> float:
    """Excel's column width (characters of Calibri 11's digit, 7 px) in points: 7 px a
    character plus 5 px of padding, at 96 px an inch."""
    return (7 * width + 5) * 0.75


@pytest.fixture(scope="module")
def analyses():
    out = {}
    for name in ("consumer", "factoring"):
        deal = load_sample_deal(name)
        pool, _ = load_deal_pool(deal, None)
        prepared = prepare_deal(deal, pool)
        mc = run_monte_carlo(prepared, paths=1024, seed=3, workers=1)
        out[name] = build_term_sheet_inputs(analyse(prepared, monte_carlo=mc))
    return out


def _sheet(inputs, lang):
    wb = load_workbook(io.BytesIO(term_sheet_bytes(inputs, lang)))
    return wb.worksheets[0]


def _page_one_rows(ws) -> int:
    """The last row of page 1: the sheet's first manual page break."""
    (first, *_) = ws.row_breaks.brk
    return first.id


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("sample", ["consumer", "factoring"])
def test_no_page_one_text_prints_under_8_points(analyses, sample, lang):
    ws = _sheet(analyses[sample], lang)
    width = sum(_column_points(ws.column_dimensions[get_column_letter(c)].width)
                for c in range(1, PAGE_ONE_COLUMNS + 1))
    # Fitted to one page wide: the sheet prints at this scale (never above 100%).
    scale = min(1.0, A4_LANDSCAPE_WIDTH_PT / width)
    assert ws.print_area.split("!")[1].startswith("$A$1:$N$")
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1
    small = [f"{c.coordinate} {c.font.sz} pt" for row in ws.iter_rows(
        max_row=_page_one_rows(ws), max_col=PAGE_ONE_COLUMNS) for c in row
        if c.value is not None and c.font.sz * scale < MIN_PRINTED_PT]
    assert small == [], f"scale {scale:.3f}"
    # Nothing on page 1 lies right of the printed columns.
    assert all(c.value is None for row in ws.iter_rows(max_row=_page_one_rows(ws),
                                                       min_col=PAGE_ONE_COLUMNS + 1)
               for c in row)


def _rows(ws) -> dict[str, list[object]]:
    """Label in column A -> the values of page 1's row(s) that carry it (text in C)."""
    out: dict[str, list[object]] = {}
    for r in range(1, _page_one_rows(ws) + 1):
        label = ws.cell(r, 1).value
        if isinstance(label, str):
            out.setdefault(label, []).append(ws.cell(r, 3).value)
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_one_states_the_structure(analyses, lang):
    inputs = analyses["consumer"]
    deal = inputs.analysis.deal
    ws = _sheet(inputs, lang)
    rows = _rows(ws)
    # The consumer sample: revolving 12 months, sequential, classes paying quarterly while
    # revolving; three triggers; a 10% clean-up call.
    structure = deal.structure
    assert structure.revolving.months == 12
    amortisation = rows[text("st.amortisation", lang)][0]
    assert amortisation.startswith(text("st.revolving", lang, months=12))
    assert structure.classes[0].name in amortisation
    triggers = rows[text("st.trigger", lang)]
    assert len(triggers) == len(structure.triggers) == 3
    for shown, trigger in zip(triggers, structure.triggers, strict=True):
        assert f"{trigger.threshold[-1]:.2%}" in shown
        assert text(f"action.{trigger.action.value}", lang) in shown
    quarterly = [c.name for c in structure.classes if c.payment_frequency_months == 3]
    assert all(name in rows[text("st.payments", lang)][0] for name in quarterly)
    assert deal.dates.first_payment.isoformat() in rows[text("st.payments", lang)][0]
    # No reserve account in this sample.
    assert (structure.reserve.initial_share, structure.reserve.target_share) == (0, 0)
    assert rows[text("st.reserve", lang)] == [text("st.reserve_none", lang)]
    assert f"{structure.clean_up_call.threshold_share:.2%}" in rows[text("st.clean_up", lang)][0]
    risks = [ws.cell(r, 1).value for r in range(1, _page_one_rows(ws) + 1)
             if str(ws.cell(r, 1).value or "")[:3] in {f"{i}. " for i in range(1, 10)}]
    assert risks == [f"{i}. {text(key, lang, **values)}"
                     for i, (key, values) in enumerate(page_one_risks(inputs), start=1)]
    assert ws.cell(_page_one_rows(ws), 1).value == risks[-1]


def test_page_one_risks_follow_the_deal(analyses):
    inputs = analyses["factoring"]
    keys = [key for key, _ in page_one_risks(inputs)]
    # Always: concentration first (with its shares), commingling last.
    assert keys[0] == "risk.obligors"
    assert keys[-1] == "risk.commingling"
    summary = inputs.analysis.summary
    assert dict(page_one_risks(inputs))["risk.obligors"] == {
        "top1": summary.top1_obligor_share, "top10": summary.top10_obligor_share,
        "effective": summary.effective_obligors}
    revolving = inputs.analysis.deal.structure.revolving
    assert ("risk.revolving" in keys) == (revolving is not None and revolving.months > 0)
    # The analysis's flagged risks keep their order between them.
    flagged = [r.key for r in inputs.risks if r.key != "risk.concentration"]
    assert [k for k in keys if k in flagged] == flagged


def test_excluded_obligors_are_counted_never_named(analyses):
    inputs = analyses["consumer"]
    analysis = inputs.analysis
    deal = analysis.deal
    names = ("OBLIGOR-SECRET-1", "OBLIGOR-SECRET-2")
    criteria = dataclasses.replace(deal.structure.revolving.eligibility or EligibilityCriteria(),
                                   excluded_obligors=names)
    revolving = dataclasses.replace(deal.structure.revolving, eligibility=criteria)
    deal = dataclasses.replace(deal, structure=dataclasses.replace(deal.structure,
                                                                   revolving=revolving))
    changed = dataclasses.replace(inputs, analysis=dataclasses.replace(analysis, deal=deal))
    for lang in ("en", "zh"):
        ws = _sheet(changed, lang)
        assert text("st.excluded", lang, n=2) in _rows(ws)[text("st.criteria", lang)][0]
        cells = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert not any(name in value for value in cells for name in names)
