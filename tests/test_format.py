"""Number formats (issue 18, item 4): one function per kind, never scientific notation, empty
as a dash, amounts in RMB or 万元 / 亿元, a total loss's yield as -100%."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from abs_tool.report import format as fmt


@pytest.mark.parametrize(
    ("value", "shown"),
    [(6.9e-7, "0.000069%"), (1.19e-5, "0.0012%"), (0.0123, "1.23%"), (0.5, "50.00%"),
     (0.0, "0.00%"), (-2e-5, "-0.0020%"), (1.16e-12, "0.00000000012%"),
     (None, fmt.MISSING), (math.nan, fmt.MISSING)],
)
def test_small_rates_keep_two_significant_digits(value: float | None, shown: str) -> None:
    assert fmt.percent_significant(value) == shown


@pytest.mark.parametrize(
    ("value", "lang", "unit", "shown"),
    [(600_000_000, "en", "wan", "RMB 600,000,000"),
     (600_000_000, "zh", "wan", "60,000.00 万元"),
     (600_000_000, "zh", "yi", "6.00 亿元"),
     (50_000, "zh", "yi", "0.0005 亿元"),
     (-2_500_000, "zh", "wan", "-250.00 万元"),
     (None, "zh", "wan", fmt.MISSING)],
)
def test_money(value: float | None, lang: str, unit: str, shown: str) -> None:
    assert fmt.money(value, lang, unit) == shown


def test_an_unknown_money_unit_is_refused() -> None:
    with pytest.raises(KeyError, match="money_unit"):
        fmt.money(1.0, "zh", "qian")


@pytest.mark.parametrize(("value", "shown"), [(-12.0, "-100.00%"), (-3.5, "-100.00%"),
                                              (-0.25, "-25.00%"), (0.051, "5.10%"),
                                              (math.nan, fmt.MISSING)])
def test_a_total_loss_yields_minus_100_percent(value: float, shown: str) -> None:
    """The engine's nominal yield of a class that receives nothing is 12 x -100% = -1200%."""
    assert fmt.yield_percent(value) == shown


def test_no_text_helper_writes_scientific_notation() -> None:
    values = [1e-15, 1.19e-5, 5.1e-7, 1e-3, 0.5, 1.0, 123.456, 1e9, 1.00198e8]
    for value in values:
        for text in (fmt.percent(value), fmt.percent_significant(value), fmt.bp(value),
                     fmt.number(value), fmt.count(value), fmt.money(value, "en"),
                     fmt.money(value, "zh", "wan"), fmt.money(value, "zh", "yi"),
                     fmt.months(value, "zh"), fmt.yield_percent(value)):
            assert "e-" not in text, text
            assert "e+" not in text, text


def test_excel_formats_never_scientific() -> None:
    for value in (1.16e-12, 1.19e-5, 0.0123, 0.5):
        code = fmt.excel_percent_format(value)
        assert "E" not in code
        assert code.endswith("%")
    assert fmt.excel_percent_format(1.19e-5) == "0.0000%"  # shows 0.0012%
    assert fmt.excel_percent_format(1.16e-12) == "0." + "0" * 11 + "%"  # 0.00000000012%
    for value in (3, 0.051, 1.19e-5, 1e-13, 12345.678):
        assert "E" not in fmt.excel_number_format(value)
    assert fmt.excel_money_format("en") == '#,##0;[Red]-#,##0;"-"'
    assert "万元" in fmt.excel_money_format("zh", "wan")
    assert "亿元" in fmt.excel_money_format("zh", "yi")


def test_money_frame_divides_the_named_columns_only() -> None:
    frame = pd.DataFrame({"balance": [1e8, 2e8], "share": [0.3, 0.7]})
    shown = fmt.money_frame(frame, ["balance"], "zh", "yi")
    assert list(shown["balance"]) == [1.0, 2.0]
    assert list(shown["share"]) == [0.3, 0.7]
    assert list(frame["balance"]) == [1e8, 2e8]
    assert fmt.money_frame(frame, ["balance"], "en").equals(frame)


@pytest.mark.parametrize(("kind", "value", "shown"), [
    ("pct", 0.051, "5.10%"), ("pct_fine", 1.19e-5, "0.0012%"), ("bp", 12.34, "12.3 bp"),
    ("int", 20000, "20,000"), ("yield", -12.0, "-100.00%"), ("money", 1e8, "10,000.00 万元"),
    ("pct", None, fmt.MISSING), ("number", "A", "A")])
def test_format_kind(kind: str, value: object, shown: str) -> None:
    assert fmt.format_kind(value, kind, "zh", "wan") == shown


@pytest.mark.libreoffice
def test_a_wan_cell_renders_with_thousands_separators(tmp_path) -> None:
    """LibreOffice shows a Chinese workbook's amount cell (800,000,000 yuan, held in 万元) as
    ``80,000.00万元``: the old format with a literal point showed "800,00.0万元"."""
    import shutil
    import subprocess

    from openpyxl import Workbook

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    wb = Workbook()
    for row, (yuan, unit) in enumerate([(800_000_000, "wan"), (-123_456_789, "wan"),
                                        (800_000_000, "yi")], start=1):
        cell = wb.active.cell(row, 1, fmt.money_value(yuan, "zh", unit))
        cell.number_format = fmt.excel_money_format("zh", unit)
    wb.save(tmp_path / "amounts.xlsx")
    subprocess.run([soffice, "--headless", "--norestore", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true",
                    "--outdir", str(tmp_path), str(tmp_path / "amounts.xlsx")],
                   check=True, capture_output=True, timeout=120)
    shown = (tmp_path / "amounts.csv").read_text(encoding="utf-8").split()
    assert shown == ['"80,000.00万元"', '"-12,345.68万元"', "8.0000亿元"]
