"""Export page, the term sheet as PDF (issue 18 item 2): a button makes it with LibreOffice,
then a download; where LibreOffice is missing, a note naming the package, in English and
Chinese."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from abs_tool.report import pdf
from ui import labels
from ui.pages import export

EXPORT = "ui/pages/export.py"
Start = Callable[..., AppTest]


def _downloads(at: AppTest) -> list[str]:
    return [b.label for b in at.get("download_button")]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_without_libreoffice_a_note_names_the_package(app: Start, monkeypatch, lang) -> None:
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    at = app(EXPORT, lang)
    assert not at.exception, [e.value for e in at.exception]
    notes = [i.value for i in at.info]
    assert labels.LABELS["ex.pdf_missing"][lang == "zh"] in notes
    assert "libreoffice-calc-nogui" in notes[-1]
    assert not any(b.key == "ex_pdf_make" for b in at.button)


def test_the_button_makes_the_pdf_then_offers_it(app: Start, monkeypatch) -> None:
    made: list[bytes] = []

    def convert(workbook: bytes) -> bytes:  # the library boundary: LibreOffice itself
        made.append(workbook)
        return b"%PDF-1.7 test"

    monkeypatch.setattr(pdf, "find_soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(pdf, "xlsx_to_pdf", convert)
    at = app(EXPORT)
    assert labels.LABELS["ex.pdf_button"][0] not in _downloads(at)
    at.button(key="ex_pdf_make").click().run()
    assert not at.exception, [e.value for e in at.exception]
    term_sheet = labels.LABELS["ex.term_sheet_button"][0]
    shown = _downloads(at)
    assert shown[shown.index(term_sheet) + 1] == labels.LABELS["ex.pdf_button"][0]
    assert len(made) == 1
    assert made[0][:2] == b"PK"
    assert at.session_state[export.PDF_STATE][1] == b"%PDF-1.7 test"
    at.run()  # a rerun offers the same PDF without converting again
    assert len(made) == 1
    assert labels.LABELS["ex.pdf_button"][0] in _downloads(at)


def test_a_conversion_error_shows_as_a_message(app: Start, monkeypatch) -> None:
    def fail(workbook: bytes) -> bytes:
        raise pdf.PdfError("LibreOffice wrote no PDF (exit status 3): cannot open")

    monkeypatch.setattr(pdf, "find_soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(pdf, "xlsx_to_pdf", fail)
    at = app(EXPORT)
    at.button(key="ex_pdf_make").click().run()
    assert not at.exception
    assert any("exit status 3" in e.value for e in at.error)
    assert labels.LABELS["ex.pdf_button"][0] not in _downloads(at)
