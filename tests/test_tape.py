"""Tests for abs_tool.io.tape: reading, validating and writing loan tapes.

Fixture tapes live in tests/fixtures/tapes (a few rows each); workbooks are built with openpyxl
inside the tests so that no binary file is committed. Expected row numbers are spreadsheet rows
counted by hand in the fixture files (header = row 1, first loan = row 2).
"""

from __future__ import annotations

import io
import math
import os
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from abs_tool import (
    InputError,
    Pool,
    TapeError,
    ValidationReport,
    inspect_tape,
    limits,
    load_tape,
    write_tape,
)
from abs_tool.errors import Issue
from abs_tool.io import tape
from abs_tool.io.tape import tape_bytes
from abs_tool.model.columns import ALL_COLUMNS, AMORTIZATION_CODES, OPTIONAL_COLUMNS
from abs_tool.model.pool import POOL_DTYPES

TAPES = Path(__file__).parent / "fixtures" / "tapes"


def fixture(name: str) -> Path:
    return TAPES / name


def only_error(report: ValidationReport) -> Issue:
    assert len(report.errors) == 1, str(report)
    return report.errors[0]


def cells(report: ValidationReport) -> list[tuple[int | None, str | None]]:
    """(row, column) of every error, in report order."""
    return [(i.row, i.column) for i in report.errors]


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """A workbook with the given sheets (first = first in the dict), rows as lists."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def rewrite_zip(data: bytes, edit: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    """A copy of a zip archive with some members' content replaced and others added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, edit.get(info.filename, src.read(info.filename)))
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


GOOD_ROWS: list[list[object]] = [
    ["loan_id", "balance", "rate", "remaining_term", "amortization"],
    ["X1", 1000.5, 0.05, 12, "level"],
    ["X2", 2000, 0.06, 24, "bullet"],
]


def small_pool(**overrides: object) -> Pool:
    """Three loans with every column given, awkward values included."""
    frame = pd.DataFrame({
        "loan_id": ["A-1", "B_2", "c.3/x"],
        "balance": [0.1 + 0.2, limits.MIN_AMOUNT, 123456789.123456789],
        "rate": [0.051, 0.0, 0.999999],
        "remaining_term": [1, 12, 1200],
        "amortization": ["level", "installment_fee", "bullet"],
        "original_balance": [1.0, 2.5, 3e9],
        "original_term": [12, 24, 1200],
        "seasoning": [11, 12, 0],
        "annual_pd": [0.02, np.nan, 1.0],
        "lgd": [np.nan, 0.45, 0.0],
        "grade": ["AAA", "=1+1", "NR"],
        "obligor_id": ["张三", "00123", "'=x"],
        "region": ['=HYPERLINK("http://evil.example","click")', "北京", "+cmd"],
        "industry": ["@SUM(A1)", "-5", "TRUE"],
        "score": [700.0, np.nan, -1.5],
    })
    for column, values in overrides.items():
        frame[column] = values
    return Pool(frame, name="small")


# --------------------------------------------------------------------------------------------
# Good tapes
# --------------------------------------------------------------------------------------------


def test_english_tape_loads_with_exact_dtypes_and_no_findings() -> None:
    pool, report = inspect_tape(fixture("good_en.csv"))
    assert pool is not None, str(report)
    assert report.issues == ()
    assert pool.name == "good_en.csv"
    assert dict(pool.loans.dtypes.astype(str)) == POOL_DTYPES
    assert list(pool.loans.columns) == list(ALL_COLUMNS)
    assert all(type(v) is str for c in ("loan_id", "region") for v in pool.loans[c])
    first = pool.loans.iloc[0]
    assert first["loan_id"] == "L001"
    assert first["balance"] == 10000.5
    assert first["rate"] == 0.051
    assert first["remaining_term"] == 12
    assert list(pool.loans["amortization"]) == list(AMORTIZATION_CODES[:3]) + [
        "installment_fee", "interest_only"]
    assert pool.loans["score"].tolist() == [710, 650.5, 600, 580, 780]


def test_chinese_headers_and_amortization_aliases() -> None:
    pool, report = inspect_tape(fixture("good_zh.csv"))
    assert pool is not None, str(report)
    loans = pool.loans
    assert loans["loan_id"].tolist() == ["ZH-001", "ZH-002", "ZH-003", "ZH-004", "ZH-005"]
    assert loans["amortization"].tolist() == [
        "level", "equal_principal", "bullet", "installment_fee", "interest_only"]
    assert loans["obligor_id"].tolist() == ["张三", "李四", "王五", "张三", "赵六"]
    assert loans["region"].iloc[0] == "北京"
    assert loans["industry"].iloc[2] == "信息技术"
    # Columns the Chinese tape lacks: one warning each, none for the columns it has.
    warned = {i.column for i in report.warnings}
    assert warned == {"original_balance", "original_term", "seasoning", "annual_pd", "lgd",
                      "grade", "score"}


def test_minimal_tape_gets_documented_defaults_with_one_warning_per_column() -> None:
    pool, report = inspect_tape(fixture("minimal.csv"))
    assert pool is not None
    loans = pool.loans
    assert loans["amortization"].tolist() == ["level"] * 3
    assert loans["original_balance"].tolist() == loans["balance"].tolist()
    assert loans["seasoning"].tolist() == [0, 0, 0]
    assert loans["original_term"].tolist() == loans["remaining_term"].tolist()
    assert loans[["annual_pd", "lgd", "score"]].isna().all().all()
    assert loans["grade"].tolist() == ["NR"] * 3
    assert loans["obligor_id"].tolist() == loans["loan_id"].tolist()
    assert loans["region"].tolist() == loans["industry"].tolist() == ["UNKNOWN"] * 3
    assert report.errors == ()
    assert [i.column for i in report.warnings] == list(OPTIONAL_COLUMNS)
    assert all(i.row is None for i in report.warnings)
    pd_warning = next(i for i in report.warnings if i.column == "annual_pd")
    assert "not on the tape" in pd_warning.reason
    assert "assumptions apply" in pd_warning.reason


def test_empty_optional_cells_are_filled_and_counted_once_per_column() -> None:
    pool, report = inspect_tape(fixture("empty_optional_cells.csv"))
    assert pool is not None, str(report)
    loans = pool.loans
    assert loans["amortization"].tolist() == ["level", "bullet", "level", "level"]
    # seasoning: E1 from original_term - remaining_term (24 - 12), E3 no original term -> 0
    assert loans["seasoning"].tolist() == [12, 6, 0, 2]
    # original_term: E2 remaining 24 + seasoning 6, E3 36 + 0
    assert loans["original_term"].tolist() == [24, 30, 36, 12]
    assert np.isnan(loans["annual_pd"].iloc[1])
    assert loans["grade"].tolist() == ["NR", "A", "B", "NR"]
    assert loans["region"].tolist() == ["Beijing", "UNKNOWN", "UNKNOWN", "Shanghai"]
    by_column = {i.column: i for i in report.warnings}
    assert by_column["amortization"].reason.startswith("2 empty cell(s) filled with 'level'")
    assert "rows 2, 5" in by_column["amortization"].reason
    assert "rows 3, 4" in by_column["region"].reason
    assert "rows 2, 4" in by_column["seasoning"].reason
    assert len(report.warnings) == len(by_column)  # never one warning per row


def test_headers_are_case_and_space_insensitive_and_ignore_units_and_unknowns() -> None:
    pool, report = inspect_tape(fixture("unknown_columns.csv"))
    assert pool is not None, str(report)
    assert pool.loans["balance"].tolist() == [1000, 2000]  # from 剩余本金（元）
    assert pool.loans["remaining_term"].tolist() == [12, 24]  # from "Remaining Term"
    header_warnings = [i for i in report.warnings if i.row == 1]
    assert [(i.column, i.reason) for i in header_warnings] == [
        ("notes", "unknown column (column E), ignored"),
        (None, "column G has values but no header, ignored"),
    ]


def test_empty_rows_between_loans_are_reported_and_trailing_ones_ignored() -> None:
    pool, report = inspect_tape(fixture("empty_rows.csv"))
    assert pool is not None
    assert pool.loans["loan_id"].tolist() == ["G1", "G3"]
    empty = [i for i in report.warnings if "empty row" in i.reason]
    assert [i.reason for i in empty] == ["1 empty row(s) ignored (row 3)"]


def test_amortization_codes_are_case_insensitive_and_unknown_ones_listed() -> None:
    _, report = inspect_tape(fixture("bad_amortization.csv"))
    error = only_error(report)
    assert (error.row, error.column, error.value) == (4, "amortization", "balloon")
    assert "accepted: 'level', 'equal_principal', 'bullet'" in error.reason
    assert "'等额本息'" in error.reason


# --------------------------------------------------------------------------------------------
# Bad tapes: one fixture per rule, exact row, column and reason
# --------------------------------------------------------------------------------------------

# The amount range of docs/tape.md: limits.MIN_AMOUNT to limits.MAX_LOAN_AMOUNT.
AMOUNTS = "from 0.01 to 10,000,000,000,000"

BAD_TAPES = [
    ("bad_required_empty.csv",
     [(3, "balance", "required value `balance` is empty"),
      (4, "loan_id", "required value `loan_id` is empty"),
      (5, "remaining_term", "required value `remaining_term` is empty")]),
    ("bad_non_numeric.csv",
     [(4, "balance", "`balance` is not a number"),
      (5, "rate", "`rate` is not a number"),
      (5, "score", "`score` is not a number")]),
    ("bad_balance.csv",
     [(3, "balance", f"`balance` must be {AMOUNTS}"),
      (4, "balance", f"`balance` must be {AMOUNTS}")]),
    ("bad_remaining_term.csv",
     [(3, "remaining_term", "must be a whole number of months"),
      (4, "remaining_term", "`remaining_term` must be from 1 to 1200 months"),
      (5, "remaining_term", "`remaining_term` must be from 1 to 1200 months")]),
    ("bad_rate_range.csv",
     [(3, "rate", "`rate` must be an annual decimal in [0, 1)"),
      (4, "rate", "`rate` must be an annual decimal in [0, 1)"),
      (5, "rate", "`rate` must be an annual decimal in [0, 1)")]),
    ("bad_pd_lgd.csv",
     [(3, "annual_pd", "`annual_pd` must be a decimal in [0, 1]"),
      (4, "lgd", "`lgd` must be a decimal in [0, 1]"),
      (5, "lgd", "`lgd` must be a decimal in [0, 1]")]),
    ("bad_optional_numbers.csv",
     [(3, "original_balance", f"`original_balance` must be {AMOUNTS}"),
      (4, "original_term", "`original_term` must be from 1 to 1200 months"),
      (5, "seasoning", "`seasoning` must be from 0 to 1200 months (not negative)"),
      (6, "seasoning", "`seasoning` must be a whole number of months")]),
    ("bad_original_term_short.csv",
     [(3, "original_term", "`original_term` is shorter than `remaining_term`")]),
    ("bad_duplicate_ids.csv",
     [(4, "loan_id", "duplicate `loan_id`, first given in row 2"),
      (6, "loan_id", "duplicate `loan_id`, first given in row 2")]),
    ("bad_amortization.csv", [(4, "amortization", "unknown `amortization`; accepted:")]),
    ("bad_loan_ids.csv",
     [(row, "loan_id", "`loan_id` may hold only letters A-Z a-z, digits and _ . - /")
      for row in (2, 3, 4, 5, 7)]),
    ("bad_duplicate_headers.csv",
     [(1, "balance", "headers 'balance' (column B) and '剩余本金' (column E) all mean "
                     "`balance`; keep only one")]),
    ("bad_missing_columns.csv",
     [(None, "rate", "required column `rate` is missing"),
      (None, "remaining_term", "required column `remaining_term` is missing")]),
    ("bad_extra_fields.csv",
     [(2, None, "the row has more fields than the header (5)")]),
    ("bad_header_only.csv", [(None, None, "the tape has no loan rows below the header")]),
]


@pytest.mark.parametrize(("name", "expected"), BAD_TAPES, ids=[n for n, _ in BAD_TAPES])
def test_bad_tape_reports_every_bad_cell(
        name: str, expected: list[tuple[int | None, str | None, str]]) -> None:
    pool, report = inspect_tape(fixture(name))
    assert pool is None
    assert cells(report) == [(row, column) for row, column, _ in expected], str(report)
    for issue, (_, _, fragment) in zip(report.errors, expected, strict=True):
        assert fragment in issue.reason, f"{issue} lacks {fragment!r}"
    with pytest.raises(TapeError, match=r"the tape was not loaded") as caught:
        load_tape(fixture(name))
    assert caught.value.report == report


def test_bad_values_are_shown_as_written() -> None:
    _, report = inspect_tape(fixture("bad_non_numeric.csv"))
    assert [i.value for i in report.errors] == ["1,000", "5%", "high"]
    _, report = inspect_tape(fixture("bad_loan_ids.csv"))
    assert report.errors[0].value == '=HYPERLINK("http://evil.example","x")'
    assert report.errors[-1].value == "贷款1"
    _, report = inspect_tape(fixture("bad_required_empty.csv"))
    assert [i.value for i in report.errors] == [None, None, None]


def test_tape_error_message_names_file_row_column_and_reason() -> None:
    with pytest.raises(TapeError, match=r"bad_balance\.csv, row 3, column `balance`: "
                                        r"`balance` must be from 0\.01 to "
                                        r"10,000,000,000,000 \(one cent to ten trillion\) "
                                        r"\(got '0'\)"):
        load_tape(fixture("bad_balance.csv"))


def test_hostile_loan_id_is_rejected_with_the_allowed_characters() -> None:
    with pytest.raises(TapeError, match=r"row 2, column `loan_id`: `loan_id` may hold only "
                                        r"letters A-Z a-z, digits and _ \. - /"):
        load_tape(b'loan_id,balance,rate,remaining_term\n"=1+1",1,0.05,1\n', file_name="t.csv")


def test_unquoted_comma_in_a_later_row_is_a_parse_error() -> None:
    data = b"loan_id,balance,rate,remaining_term\nA,1,0.05,1\nB,1,0.05,1,extra\n"
    _, report = inspect_tape(data, file_name="t.csv")
    error = only_error(report)
    assert error.row is None
    assert "Expected 4 fields in line 3, saw 5" in error.reason
    assert "unquoted comma" in error.reason


def test_control_character_in_text_is_an_error() -> None:
    data = b"loan_id,balance,rate,remaining_term,region\nA,1,0.05,1,Bei\x01jing\n"
    _, report = inspect_tape(data, file_name="t.csv")
    error = only_error(report)
    assert (error.row, error.column) == (2, "region")
    assert "control character" in error.reason


# --------------------------------------------------------------------------------------------
# Rate unit
# --------------------------------------------------------------------------------------------


def test_percent_rates_in_decimal_mode_say_how_to_fix() -> None:
    with pytest.raises(TapeError, match=r"`rate` looks like percent \(got 5\.1\); give 0\.051 "
                                        r"or choose rate unit 'percent'"):
        load_tape(fixture("percent_rates.csv"))
    _, report = inspect_tape(fixture("percent_rates.csv"))
    assert cells(report) == [(None, "rate")]  # one finding for the column, not one per row


def test_percent_mode_divides_rates_by_100() -> None:
    pool, report = inspect_tape(fixture("percent_rates.csv"), rate_unit="percent")
    assert pool is not None, str(report)
    assert pool.loans["rate"].tolist() == [5.1 / 100, 6 / 100, 0.5 / 100]


def test_percent_mode_on_decimal_rates_warns() -> None:
    pool, report = inspect_tape(fixture("minimal.csv"), rate_unit="percent")
    assert pool is not None
    rate_warnings = [i for i in report.warnings if i.column == "rate"]
    assert len(rate_warnings) == 1
    assert "every `rate` is <= 1" in rate_warnings[0].reason


def test_percent_mode_still_checks_the_range() -> None:
    data = b"loan_id,balance,rate,remaining_term\nA,1,5,1\nB,1,100,1\n"
    _, report = inspect_tape(data, file_name="t.csv", rate_unit="percent")
    assert cells(report) == [(3, "rate")]


def test_invalid_arguments_raise() -> None:
    with pytest.raises(InputError, match=r"`rate_unit` must be 'decimal' or 'percent'"):
        inspect_tape(fixture("minimal.csv"), rate_unit="bp")  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"`max_bytes` must be > 0"):
        inspect_tape(fixture("minimal.csv"), max_bytes=0)


# --------------------------------------------------------------------------------------------
# Sources, encodings, formats
# --------------------------------------------------------------------------------------------


def test_bytes_source_uses_file_name_for_format_and_messages() -> None:
    data = fixture("good_en.csv").read_bytes()
    pool = load_tape(data, file_name="upload.csv")
    assert pool.name == "upload.csv"
    assert pool.loans.equals(load_tape(fixture("good_en.csv")).loans)


def test_bytes_source_without_file_name_is_an_error() -> None:
    _, report = inspect_tape(b"loan_id\n")
    assert report.file == "uploaded tape"
    assert "give `file_name`" in only_error(report).reason


def test_gbk_encoded_csv_from_chinese_excel() -> None:
    data = fixture("good_zh.csv").read_text(encoding="utf-8").encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    pool = load_tape(data, file_name="gbk.csv")
    assert pool.loans.equals(load_tape(fixture("good_zh.csv")).loans)


def test_utf8_bom_csv() -> None:
    data = b"\xef\xbb\xbf" + fixture("good_zh.csv").read_bytes()
    pool = load_tape(data, file_name="bom.csv")
    assert pool.loans["loan_id"].iloc[0] == "ZH-001"


def test_undecodable_csv_is_an_error() -> None:
    _, report = inspect_tape(b"loan_id\n\xff\xff\xff\n", file_name="t.csv")
    assert "neither UTF-8 nor GBK/GB18030" in only_error(report).reason


@pytest.mark.parametrize("name", ["tape.xls", "tape.txt", "tape.json", "tape"])
def test_unsupported_file_type_names_the_accepted_formats(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(b"loan_id\n")
    _, report = inspect_tape(path)
    reason = only_error(report).reason
    assert "unsupported file type" in reason
    assert ".csv, .xlsx, .xlsm" in reason


def test_missing_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    _, report = inspect_tape(tmp_path / "nope.csv")
    assert "cannot read the file" in only_error(report).reason


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf"])
def test_empty_file_is_an_error(content: bytes) -> None:
    _, report = inspect_tape(content, file_name="t.csv")
    assert only_error(report).reason == "the file is empty"


def test_file_over_max_bytes_is_refused_before_reading(tmp_path: Path) -> None:
    path = fixture("good_en.csv")
    size = path.stat().st_size
    _, report = inspect_tape(path, max_bytes=size - 1)
    assert only_error(report).reason == (
        f"the file has {size:,} bytes, over the limit of {size - 1:,} bytes (0 MiB)")
    assert inspect_tape(path, max_bytes=size)[0] is not None


def test_csv_sheet_argument_is_ignored_with_a_warning() -> None:
    pool, report = inspect_tape(fixture("good_en.csv"), sheet="loans")
    assert pool is not None
    assert [i.reason for i in report.warnings] == [
        "a CSV file has no sheets; sheet 'loans' ignored"]


# --------------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------------


def test_workbook_xml_declaring_entities_is_refused(tmp_path: Path) -> None:
    # A "billion laughs" declaration: defusedxml refuses it before expanding anything.
    data = write_xlsx(tmp_path / "t.xlsx", {"s": GOOD_ROWS}).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = archive.read("xl/workbook.xml")
    bomb = b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    _, report = inspect_tape(rewrite_zip(data, {"xl/workbook.xml": bomb + book}),
                             file_name="t.xlsx")
    assert only_error(report).reason.startswith(
        "damaged workbook: it cannot be read (EntitiesForbidden: ")


def test_xlsx_first_sheet_is_read_by_default(tmp_path: Path) -> None:
    other = [["loan_id", "balance", "rate", "remaining_term"], ["Y1", 5, 0.1, 3]]
    path = write_xlsx(tmp_path / "t.xlsx", {"first": GOOD_ROWS, "second": other})
    pool = load_tape(path)
    assert pool.loans["loan_id"].tolist() == ["X1", "X2"]
    assert pool.loans["balance"].tolist() == [1000.5, 2000.0]
    assert pool.loans["remaining_term"].tolist() == [12, 24]
    assert dict(pool.loans.dtypes.astype(str)) == POOL_DTYPES


def test_xlsx_named_sheet(tmp_path: Path) -> None:
    other = [["贷款编号", "剩余本金", "年利率", "剩余期限", "还款方式"],
             [1001, 5, 0.1, 3, "等额本金"]]
    path = write_xlsx(tmp_path / "t.xlsm", {"first": GOOD_ROWS, "资产池": other})
    pool = load_tape(path, sheet="资产池")
    assert pool.loans["loan_id"].tolist() == ["1001"]  # a numeric id cell is read as text
    assert pool.loans["amortization"].tolist() == ["equal_principal"]


def test_xlsx_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", {"first": GOOD_ROWS, "second": GOOD_ROWS})
    with pytest.raises(TapeError, match=r"no sheet named 'loans'; the workbook has "
                                        r"'first', 'second'"):
        load_tape(path, sheet="loans")


def test_xlsx_validation_uses_spreadsheet_rows(tmp_path: Path) -> None:
    rows = [*GOOD_ROWS, ["X3", -1, 0.05, 2.5, "level"], [None] * 5, ["X1", 1, 0.05, 1, None]]
    _, report = inspect_tape(write_xlsx(tmp_path / "t.xlsx", {"s": rows}))
    assert cells(report) == [(4, "balance"), (4, "remaining_term"), (6, "loan_id")]
    assert report.errors[2].reason == "duplicate `loan_id`, first given in row 2"


def test_xlsx_formula_without_saved_result_is_an_error_for_that_cell(tmp_path: Path) -> None:
    rows = [*GOOD_ROWS, ["X3", "=1+1", 0.05, 12, "level"]]
    data = write_xlsx(tmp_path / "t.xlsx", {"s": rows}).read_bytes()
    _, report = inspect_tape(data, file_name="t.xlsx")
    error = only_error(report)
    assert (error.row, error.column, error.value) == (4, "balance", "=1+1")
    assert "formula with no saved result" in error.reason


def test_xlsx_formula_with_saved_result_uses_it_and_evaluates_nothing(tmp_path: Path) -> None:
    rows = [*GOOD_ROWS, ["X3", "=1+1", 0.05, 12, "level"]]
    data = write_xlsx(tmp_path / "t.xlsx", {"s": rows}).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    assert b"<f>1+1</f><v />" in sheet_xml
    # A cached 42 (not 2) proves the saved value is used and the formula is never evaluated.
    cached = rewrite_zip(data, {"xl/worksheets/sheet1.xml":
                                sheet_xml.replace(b"<f>1+1</f><v />", b"<f>1+1</f><v>42</v>")})
    pool = load_tape(cached, file_name="t.xlsx")
    assert pool.loans["balance"].tolist() == [1000.5, 2000.0, 42.0]


def test_xlsx_zip_bomb_member_is_refused_by_compression_ratio(tmp_path: Path) -> None:
    data = write_xlsx(tmp_path / "t.xlsx", {"s": GOOD_ROWS}).read_bytes()
    bomb = rewrite_zip(data, {}, {"xl/media/pad.bin": b"\0" * 3_000_000})
    _, report = inspect_tape(bomb, file_name="bomb.xlsx")
    error = only_error(report)
    assert error.reason.startswith("workbook part 'xl/media/pad.bin' is compressed ")
    assert "over the limit of 200:1" in error.reason
    assert "zip bomb" in error.reason


def test_xlsx_total_unpacked_size_is_limited(tmp_path: Path) -> None:
    data = write_xlsx(tmp_path / "t.xlsx", {"s": GOOD_ROWS}).read_bytes()
    # Random 2 kB blocks repeated: about 60:1, under the ratio limit but large when unpacked.
    padded = rewrite_zip(data, {}, {"xl/media/pad.bin": np.random.default_rng(0).bytes(2000)
                                    * 250})
    with zipfile.ZipFile(io.BytesIO(padded)) as archive:
        total = sum(i.file_size for i in archive.infolist())
        worst = max(i.file_size / i.compress_size for i in archive.infolist())
    max_bytes = len(padded)
    # The case this test is about: over the unpacked limit, under the ratio limit.
    assert total > 10 * max_bytes
    assert worst < 200
    _, report = inspect_tape(padded, file_name="big.xlsx", max_bytes=max_bytes)
    assert only_error(report).reason == (
        f"the workbook unpacks to {total:,} bytes, over the limit of {10 * max_bytes:,} bytes "
        "(10 x the file-size limit); refused as a possible zip bomb")


def test_xlsx_over_max_bytes_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", {"s": GOOD_ROWS})
    _, report = inspect_tape(path, max_bytes=1000)
    assert "over the limit of 1,000 bytes" in only_error(report).reason


def test_non_zip_file_with_xlsx_suffix_is_a_clear_error() -> None:
    _, report = inspect_tape(fixture("good_en.csv").read_bytes(), file_name="t.xlsx")
    assert only_error(report).reason.startswith(
        "not a valid .xlsx workbook (the file is not a zip archive)")


def test_zip_that_is_not_a_workbook_is_a_clear_error() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    _, report = inspect_tape(out.getvalue(), file_name="t.xlsx")
    assert only_error(report).reason.startswith("not a readable .xlsx workbook")


def test_workbook_saved_as_csv_is_detected(tmp_path: Path) -> None:
    data = write_xlsx(tmp_path / "t.xlsx", {"s": GOOD_ROWS}).read_bytes()
    _, report = inspect_tape(data, file_name="t.csv")
    assert "name it .xlsx" in only_error(report).reason


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_round_trip_is_exact(suffix: str, tmp_path: Path) -> None:
    pool = small_pool()
    path = tmp_path / f"tape{suffix}"
    write_tape(pool, path)
    again, report = inspect_tape(path)
    assert report.errors == (), str(report)
    assert again is not None
    pd.testing.assert_frame_equal(again.loans, pool.loans, check_exact=True)


def test_round_trip_of_a_loaded_tape(tmp_path: Path) -> None:
    pool = load_tape(fixture("good_zh.csv"))
    for suffix in (".csv", ".xlsx"):
        write_tape(pool, tmp_path / f"t{suffix}")
        pd.testing.assert_frame_equal(load_tape(tmp_path / f"t{suffix}").loans, pool.loans)


def test_xlsx_text_cells_are_strings_never_formulas() -> None:
    data = tape_bytes(small_pool(), "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active  # formulas kept as formulas
    headers = [c.value for c in sheet[1]]
    assert headers == list(ALL_COLUMNS)
    region = sheet.cell(row=2, column=headers.index("region") + 1)
    assert region.value == '=HYPERLINK("http://evil.example","click")'
    assert region.data_type == "s"
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    # The size is declared, so a read-only reader need not parse the sheet twice.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b'<dimension ref="A1:O4" />' in archive.read("xl/worksheets/sheet1.xml")


def test_csv_formula_like_text_gets_an_apostrophe() -> None:
    text = tape_bytes(small_pool(), "csv").decode("utf-8-sig")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert frame["region"].tolist() == [
        """'=HYPERLINK("http://evil.example","click")""", "北京", "'+cmd"]
    assert frame["industry"].tolist() == ["'@SUM(A1)", "'-5", "TRUE"]
    assert frame["obligor_id"].tolist() == ["张三", "00123", "''=x"]
    assert frame["balance"].iloc[0] == repr(0.1 + 0.2)


def test_csv_bytes_start_with_a_bom_for_excel() -> None:
    assert tape_bytes(small_pool(), "csv").startswith(b"\xef\xbb\xbf")


def test_unknown_formats_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"`fmt` must be 'csv' or 'xlsx' \(got 'xls'\)"):
        tape_bytes(small_pool(), "xls")  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"tape file `t\.json` must end in \.csv or \.xlsx"):
        write_tape(small_pool(), tmp_path / "t.json")


def test_write_failure_in_the_serializer_leaves_no_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_: pd.DataFrame) -> bytes:
        raise RuntimeError("disk full")

    monkeypatch.setattr(tape, "_xlsx_bytes", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        write_tape(small_pool(), tmp_path / "t.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_write_failure_midway_keeps_the_old_file_and_no_temp_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "t.csv"
    target.write_bytes(b"old content")

    def broken_replace(src: str, dst: object) -> None:
        assert Path(src).read_bytes() == tape_bytes(small_pool(), "csv")  # fully written
        raise OSError("rename failed")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="rename failed"):
        write_tape(small_pool(), target)
    assert list(tmp_path.iterdir()) == [target]
    assert target.read_bytes() == b"old content"


def test_write_replaces_an_existing_file_keeping_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "t.csv"
    target.write_bytes(b"old content")
    target.chmod(0o640)
    write_tape(small_pool(), target)
    assert target.read_bytes() == tape_bytes(small_pool(), "csv")
    assert target.stat().st_mode & 0o777 == 0o640
    assert list(tmp_path.iterdir()) == [target]


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=10
).filter(lambda s: s == s.strip())
_TEXT_VALUES = st.one_of(
    _TEXT,
    st.builds(str.__add__, st.sampled_from(["=", "+", "-", "@", "'", "'=", "''+", "0"]), _TEXT),
    st.sampled_from(["00123", "1e5", "TRUE", "nan", "NA", "null", "北京", "等额本息", "a,b",
                     'say "hi"', "line\nbreak", "tab\tin", "'quoted'"]),
)
_UNIT = st.floats(min_value=0, max_value=1)
_AMOUNT = st.floats(min_value=limits.MIN_AMOUNT, max_value=limits.MAX_LOAN_AMOUNT)
_OPTIONAL_UNIT = st.one_of(st.just(math.nan), _UNIT)


@st.composite
def pools(draw: st.DrawFn, max_loans: int = 8) -> Pool:
    """Random valid pools: every column, awkward floats and text, NaN where allowed."""
    n = draw(st.integers(min_value=1, max_value=max_loans))

    def column(strategy: st.SearchStrategy[object]) -> list[object]:
        return draw(st.lists(strategy, min_size=n, max_size=n))

    ids = draw(st.lists(st.from_regex(tape.LOAN_ID_RE, fullmatch=True).filter(
        lambda s: len(s) < 30), min_size=n, max_size=n, unique=True))
    frame = pd.DataFrame({
        "loan_id": ids,
        "balance": column(_AMOUNT),
        "rate": column(st.floats(min_value=0, max_value=1, exclude_max=True)),
        "remaining_term": column(st.integers(1, tape.MAX_TERM_MONTHS)),
        "amortization": column(st.sampled_from(AMORTIZATION_CODES)),
        "original_balance": column(_AMOUNT),
        "original_term": column(st.integers(1, tape.MAX_TERM_MONTHS)),
        "seasoning": column(st.integers(0, tape.MAX_TERM_MONTHS)),
        "annual_pd": column(_OPTIONAL_UNIT),
        "lgd": column(_OPTIONAL_UNIT),
        "grade": column(_TEXT_VALUES),
        "obligor_id": column(_TEXT_VALUES),
        "region": column(_TEXT_VALUES),
        "industry": column(_TEXT_VALUES),
        "score": column(st.one_of(st.just(math.nan), st.floats(-1e6, 1e6))),
    })
    return Pool(frame, name="random")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool=pools())
def test_property_csv_round_trip_has_no_errors_and_equal_data(pool: Pool) -> None:
    again, report = inspect_tape(tape_bytes(pool, "csv"), file_name="random.csv")
    assert report.errors == (), str(report)
    assert again is not None
    pd.testing.assert_frame_equal(again.loans, pool.loans, check_exact=True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool=pools(max_loans=4))
def test_property_xlsx_round_trip_has_no_errors_and_equal_data(pool: Pool) -> None:
    again, report = inspect_tape(tape_bytes(pool, "xlsx"), file_name="random.xlsx")
    assert report.errors == (), str(report)
    assert again is not None
    pd.testing.assert_frame_equal(again.loans, pool.loans, check_exact=True)


# --------------------------------------------------------------------------------------------
# Scale (not timed: the figure is printed for the record, run with -s to see it)
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_200k_row_csv_loads_exactly(tmp_path: Path) -> None:
    n = 200_000
    rng = np.random.default_rng(20240601)
    pool = Pool(pd.DataFrame({
        "loan_id": [f"L{i:07d}" for i in range(n)],
        "balance": rng.uniform(1_000, 100_000, n),
        "rate": rng.uniform(0.03, 0.2, n),
        "remaining_term": rng.integers(1, 60, n),
        "amortization": rng.choice(AMORTIZATION_CODES, n),
        "original_balance": rng.uniform(100_000, 200_000, n),
        "original_term": rng.integers(60, 120, n),
        "seasoning": rng.integers(0, 12, n),
        "annual_pd": rng.uniform(0, 0.1, n),
        "lgd": rng.uniform(0.2, 0.8, n),
        "grade": rng.choice(["AAA", "AA", "A", "BBB"], n),
        "obligor_id": [f"O{i:06d}" for i in rng.integers(0, 100_000, n)],
        "region": rng.choice(["北京", "上海", "广东", "Zhejiang"], n),
        "industry": rng.choice(["零售", "制造", "IT"], n),
        "score": rng.uniform(300, 900, n),
    }), name="big")
    path = tmp_path / "big.csv"
    write_tape(pool, path)
    loaded = load_tape(path)
    pd.testing.assert_frame_equal(loaded.loans, pool.loans, check_exact=True)
