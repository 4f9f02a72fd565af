"""The term sheet as PDF (issue 18 item 2): LibreOffice converts the workbook; without it a
clear error names the package. Rendering tests are marked ``libreoffice`` (skipped without
soffice and pdftoppm unless ABS_REQUIRE_E2E=1)."""

import os
import re
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from abs_tool import (
    analyse,
    build_term_sheet_inputs,
    load_deal_pool,
    load_sample_deal,
    prepare_deal,
    run_monte_carlo,
    term_sheet_bytes,
)
from abs_tool.cli import main
from abs_tool.report import pdf
from abs_tool.report.excel.labels import text
from abs_tool.report.excel.writer import page_one_risks

# Carlito's (Calibri's) ascent + descent: 1.221 em; pdftotext's word boxes span both.
LINE_EM = 1.221


@pytest.fixture
def no_soffice(monkeypatch):
    monkeypatch.delenv("ABS_SOFFICE", raising=False)
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)


def test_missing_libreoffice_names_the_package(no_soffice):
    assert not pdf.pdf_available()
    with pytest.raises(pdf.PdfUnavailable, match="libreoffice-calc-nogui"):
        pdf.xlsx_to_pdf(b"not read")


def test_cli_without_libreoffice_writes_neither_file(no_soffice, tmp_path, capsys):
    xlsx, out = tmp_path / "ts.xlsx", tmp_path / "ts.pdf"
    code = main(["run", "consumer", "--paths", "256", "--seed", "1", "--quiet",
                 "--out-xlsx", str(xlsx), "--out-pdf", str(out)])
    assert code != 0
    assert "libreoffice-calc-nogui" in capsys.readouterr().err
    assert not xlsx.exists()
    assert not out.exists()


def test_failed_conversion_is_reported(monkeypatch, tmp_path):
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\necho 'cannot open' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("ABS_SOFFICE", str(fake))
    with pytest.raises(pdf.PdfError, match=r"exit status 3\): cannot open"):
        pdf.xlsx_to_pdf(b"x")
    target = tmp_path / "out.pdf"
    with pytest.raises(pdf.PdfError):
        pdf.write_pdf(target, b"x")
    assert not target.exists()


def _tools() -> tuple[str, str, str]:
    tools = tuple(shutil.which(t) for t in ("soffice", "pdftoppm", "pdftotext"))
    if None in tools:
        if os.environ.get("ABS_REQUIRE_E2E") == "1":
            pytest.fail("ABS_REQUIRE_E2E=1 but soffice, pdftoppm or pdftotext is missing")
        pytest.skip("LibreOffice (soffice) or poppler-utils is not installed")
    return tools  # type: ignore[return-value]


@pytest.fixture(scope="module")
def consumer_inputs():
    deal = load_sample_deal("consumer")
    pool, _ = load_deal_pool(deal, None)
    prepared = prepare_deal(deal, pool)
    mc = run_monte_carlo(prepared, paths=1024, seed=3, workers=1)
    return build_term_sheet_inputs(analyse(prepared, monte_carlo=mc))


@pytest.mark.libreoffice
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_one_renders_whole_and_readable(consumer_inputs, lang, tmp_path):
    _, pdftoppm, pdftotext = _tools()
    target = tmp_path / "ts.pdf"
    pdf.write_pdf(target, term_sheet_bytes(consumer_inputs, lang))
    subprocess.run([pdftoppm, "-png", "-r", "50", "-f", "1", "-l", "1", str(target),
                    str(tmp_path / "page")], check=True, capture_output=True, timeout=60)
    (png,) = tmp_path.glob("page*.png")
    pixels = np.asarray(Image.open(png).convert("L"))
    assert (pixels < 128).mean() > 0.002  # text and the dark header: not a blank page
    page_one = subprocess.run([pdftotext, "-f", "1", "-l", "1", "-layout", str(target), "-"],
                              check=True, capture_output=True, text=True, timeout=60).stdout
    flat = "".join(page_one.split())
    # Page 1 holds the parties and every key risk, the last one included.
    deal = consumer_inputs.analysis.deal
    assert deal.parties.originator in flat
    for key, values in page_one_risks(consumer_inputs):
        assert "".join(text(key, lang, **values).split()) in flat, key
    if lang == "en":  # Carlito's metrics: the word boxes give the printed size
        boxes = subprocess.run([pdftotext, "-f", "1", "-l", "1", "-bbox", str(target), "-"],
                               check=True, capture_output=True, text=True, timeout=60).stdout
        heights = [float(b) - float(a) for a, b in re.findall(
            r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', boxes)]
        assert min(heights) / LINE_EM >= 8.0


@pytest.mark.libreoffice
def test_cli_writes_the_pdf(tmp_path, capsys):
    _tools()
    out = tmp_path / "ts.pdf"
    assert main(["run", "consumer", "--paths", "256", "--seed", "1", "--quiet", "--lang", "zh",
                 "--out-pdf", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert f"已写入 {out}" in capsys.readouterr().out  # --lang zh: printed in Chinese too
