"""Tests for the tape reader's hardening (issue 12): damaged files, row and cell limits, amount
range, special paths, and the small cases of item 10.

Workbooks are built in the tests: a sheet's XML is written by hand (so that the case is exactly
the one named) into the parts of a one-loan tape written by :func:`tape_bytes`. Expected rows,
columns and counts are those of the XML written here.
"""

from __future__ import annotations

import io
import os
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from abs_tool import InputError, ValidationReport, inspect_tape, limits, sample_pool
from abs_tool.errors import Issue
from abs_tool.io import tape, workbook as sheet_reader
from abs_tool.io.tape import tape_bytes

SHEET = "xl/worksheets/sheet1.xml"
OPEN = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
HEADER = ["loan_id", "balance", "rate", "remaining_term"]
TEMPLATE = tape_bytes(sample_pool("consumer", n_loans=1), "xlsx")


def only_error(report: ValidationReport) -> Issue:
    assert len(report.errors) == 1, str(report)
    return report.errors[0]


def letters(column: int) -> str:
    """Spreadsheet column letters of a 1-based column number."""
    text = ""
    while column:
        column, rest = divmod(column - 1, 26)
        text = chr(65 + rest) + text
    return text


def cell_xml(ref: str, value: object) -> str:
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
    return f'<c r="{ref}"><v>{value!r}</v></c>'


def sheet_xml(rows: list[list[object]], *, dimension: str | None = None, extra: str = "") -> bytes:
    """A worksheet holding ``rows`` from A1, with ``extra`` XML appended inside <sheetData>."""
    body = "".join(
        f'<row r="{r}">'
        + "".join(cell_xml(f"{letters(c)}{r}", v) for c, v in enumerate(row, 1) if v is not None)
        + "</row>"
        for r, row in enumerate(rows, 1)
    )
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return OPEN + f"{declared}<sheetData>{body}{extra}</sheetData></worksheet>".encode()


def workbook(sheet: bytes, parts: dict[str, bytes] | None = None) -> bytes:
    """The one-loan template with its sheet replaced (and other parts replaced or added)."""
    replaced = {SHEET: sheet, **(parts or {})}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(TEMPLATE)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replaced.pop(info.filename, None)
                            or source.read(info.filename))
        for name, content in replaced.items():
            target.writestr(name, content)
    return out.getvalue()


def loans(n: int) -> list[list[object]]:
    return [HEADER] + [[f"L{i}", 1000.5, 0.05, 12] for i in range(n)]


@pytest.fixture
def reader_not_called(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if python-calamine is asked for the sheet: the refusal must come before."""
    def refuse(data: bytes, title: str) -> list[list[object]]:
        raise AssertionError("the sheet was read")

    monkeypatch.setattr(sheet_reader, "_calamine_rows", refuse)


# --------------------------------------------------------------------------------------------
# Item 2: damaged workbooks are findings
# --------------------------------------------------------------------------------------------


def test_reader_error_is_a_finding_naming_the_sheet() -> None:
    # A shared-string cell whose index is past the (absent) table: python-calamine raises.
    sheet = sheet_xml(loans(1), extra='<row r="3"><c r="A3" t="s"><v>7</v></c></row>')
    _, report = inspect_tape(workbook(sheet), file_name="t.xlsx")
    reason = only_error(report).reason
    assert reason.startswith("damaged workbook, sheet 'loans': it cannot be read "
                             "(CalamineError: ")
    assert reason.endswith("save it again from Excel as .xlsx, or export CSV")


def test_rust_panic_is_a_finding_and_an_interrupt_is_not(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # pyo3 raises a Rust panic as pyo3_runtime.PanicException, a BaseException.
    panic = type("PanicException", (BaseException,), {"__module__": "pyo3_runtime"})

    def panicking(data: bytes, title: str) -> list[list[object]]:
        raise panic("capacity overflow")

    monkeypatch.setattr(sheet_reader, "_calamine_rows", panicking)
    data = workbook(sheet_xml(loans(1)))
    _, report = inspect_tape(data, file_name="t.xlsx")
    assert only_error(report).reason.startswith(
        "damaged workbook, sheet 'loans': it cannot be read (PanicException: capacity overflow)")

    def interrupted(data: bytes, title: str) -> list[list[object]]:
        raise KeyboardInterrupt

    monkeypatch.setattr(sheet_reader, "_calamine_rows", interrupted)
    with pytest.raises(KeyboardInterrupt):
        inspect_tape(data, file_name="t.xlsx")


@pytest.mark.parametrize(("xml", "reason"), [
    (OPEN + b'<sheetData><row r="1"><c r="A1"><v>1</v></c></sheetData></worksheet>',
     "it is not well-formed XML"),
    (b'<!DOCTYPE w [<!ENTITY e "x">]>' + OPEN + b"<sheetData/></worksheet>",
     "it contains a DTD"),
    (OPEN + b'<sheetData><row r="1"><c r="A0"><v>1</v></c></row></sheetData></worksheet>',
     "a row or cell reference is not a cell address"),
    (OPEN + b"<sheetData>" + b"<x>" * 70 + b"</x>" * 70 + b"</sheetData></worksheet>",
     "its XML elements nest more than 64 deep"),
])
def test_malformed_sheet_xml_is_a_finding(xml: bytes, reason: str) -> None:
    _, report = inspect_tape(workbook(xml), file_name="t.xlsx")
    assert only_error(report).reason.startswith(f"damaged workbook, sheet 'loans': {reason}")


# --------------------------------------------------------------------------------------------
# Item 3: row and cell limits, checked before the values are read
# --------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("reader_not_called")
def test_xlsx_declaring_too_many_rows_is_refused_before_reading() -> None:
    # The dimension claims 11 loan rows below the header; the sheet holds 2.
    data = workbook(sheet_xml(loans(2), dimension="A1:D12"))
    _, report = inspect_tape(data, file_name="t.xlsx", max_rows=10)
    assert only_error(report).reason.startswith(
        "sheet 'loans' declares 11 rows below the header and 4 columns (its dimension), over "
        "the limit of 10 rows (`max_rows`)")


@pytest.mark.usefixtures("reader_not_called")
def test_xlsx_with_too_many_rows_and_no_dimension_is_refused_before_reading() -> None:
    _, report = inspect_tape(workbook(sheet_xml(loans(11))), file_name="t.xlsx", max_rows=10)
    assert only_error(report).reason.startswith(
        "sheet 'loans' has more than 10 rows below the header, the limit (`max_rows`)")


def test_xlsx_at_the_row_limit_loads() -> None:
    pool, report = inspect_tape(workbook(sheet_xml(loans(10))), file_name="t.xlsx",
                                max_rows=10)
    assert pool is not None, str(report)
    assert len(pool) == 10


@pytest.mark.usefixtures("reader_not_called")
def test_xlsx_far_away_cell_is_refused_by_the_cell_limit() -> None:
    # One value at the last cell of a sheet: the reader would allocate 1,048,576 x 16,384 cells.
    sheet = sheet_xml(loans(1), extra='<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    _, report = inspect_tape(workbook(sheet), file_name="t.xlsx")
    assert only_error(report).reason.startswith("sheet 'loans' has more than 1,000,000 rows")
    _, report = inspect_tape(workbook(sheet), file_name="t.xlsx", max_rows=2_000_000)
    assert only_error(report).reason.startswith(
        "sheet 'loans' has more than 25,000,000 cells counting every row and column up to the "
        "last value, the limit (`max_cells`)")


@pytest.mark.usefixtures("reader_not_called")
def test_xlsx_value_beyond_the_last_spreadsheet_column_is_refused() -> None:
    sheet = sheet_xml(loans(1), extra='<row r="3"><c r="XFE3"><v>1</v></c></row>')
    _, report = inspect_tape(workbook(sheet), file_name="t.xlsx")
    assert only_error(report).reason == (
        "sheet 'loans' has a value beyond column 16,384 (XFD), the last column of a "
        "spreadsheet; refused as damaged")


def test_csv_wider_than_a_spreadsheet_is_refused() -> None:
    data = b"loan_id,balance,rate,remaining_term" + b"," * 16_381 + b"\nA,1,0.05,1\n"
    _, report = inspect_tape(data, file_name="t.csv")
    assert only_error(report).reason.startswith(
        "the CSV has a row of 16,385 fields, over the limit of 16,384 columns")


@pytest.mark.usefixtures("reader_not_called")
def test_xlsx_cells_placed_by_order_count_towards_the_limit() -> None:
    # Cells without a reference take the next column: 30 of them reach column AD.
    extra = '<row r="3">' + "<c><v>1</v></c>" * 30 + "</row>"
    _, report = inspect_tape(workbook(sheet_xml(loans(1), extra=extra)), file_name="t.xlsx",
                             max_cells=3 * 29)
    assert "more than 87 cells counting every row and column" in only_error(report).reason


@pytest.mark.usefixtures("reader_not_called")
def test_xlsx_repeated_cells_count_towards_the_limit() -> None:
    # 100 cell elements at A3: one place, but each is parsed and kept by the reader.
    extra = '<row r="3">' + '<c r="A3"><v>1</v></c>' * 100 + "</row>"
    _, report = inspect_tape(workbook(sheet_xml(loans(1), extra=extra)), file_name="t.xlsx",
                             max_cells=100)
    assert only_error(report).reason.startswith(
        "sheet 'loans' has more than 100 cells, the limit (`max_cells`)")


@pytest.mark.usefixtures("reader_not_called")
def test_shared_strings_over_the_cell_limit_are_refused() -> None:
    strings = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               + b"<si><t>x</t></si>" * 101 + b"</sst>")
    data = workbook(sheet_xml(loans(1)), {"xl/sharedStrings.xml": strings})
    _, report = inspect_tape(data, file_name="t.xlsx", max_cells=100)
    assert only_error(report).reason.startswith(
        "the shared-string table has more than 100 entries, the limit (`max_cells`)")


def test_workbook_with_too_many_parts_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet_reader, "MAX_WORKBOOK_PARTS", 5)
    with zipfile.ZipFile(io.BytesIO(TEMPLATE)) as archive:
        assert len(archive.namelist()) == 9
    _, report = inspect_tape(TEMPLATE, file_name="t.xlsx")
    assert only_error(report).reason == (
        "the workbook has more than 5 parts; refused as a possible zip bomb")


def test_workbook_parts_read_whole_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    with zipfile.ZipFile(io.BytesIO(TEMPLATE)) as archive:
        styles = archive.getinfo("xl/styles.xml").file_size
    monkeypatch.setattr(sheet_reader, "MAX_WORKBOOK_XML_BYTES", styles - 1)
    _, report = inspect_tape(TEMPLATE, file_name="t.xlsx")
    assert only_error(report).reason.startswith(
        f"workbook part 'xl/styles.xml' unpacks to {styles:,} bytes, over the limit of "
        f"{styles - 1:,}")


def test_parts_whose_names_differ_only_in_case_are_refused() -> None:
    # The reader looks parts up ignoring case: it could read another part than the one checked.
    data = workbook(sheet_xml(loans(1)), {"XL/worksheets/Sheet1.xml": sheet_xml(loans(2))})
    _, report = inspect_tape(data, file_name="t.xlsx")
    assert only_error(report).reason == (
        "the workbook has two parts named 'xl/worksheets/sheet1.xml' and "
        "'XL/worksheets/Sheet1.xml'; refused as damaged")


def million_row_workbook(declare: bool) -> bytes:
    """1,000,001 loan rows of one repeated loan (cells placed by order), a 2.7 MB workbook."""
    rows = tape.DEFAULT_MAX_ROWS + 1
    row = ('<c t="inlineStr"><is><t>L1</t></is></c><c><v>1000.5</v></c><c><v>0.05</v></c>'
           "<c><v>12</v></c></row>")
    body = "".join(f'<row r="{r}">{row}' for r in range(2, rows + 2))
    dimension = f"A1:D{rows + 1}" if declare else None
    return workbook(sheet_xml([HEADER], dimension=dimension).replace(
        b"</sheetData>", body.encode() + b"</sheetData>"))


@pytest.mark.usefixtures("reader_not_called")
@pytest.mark.parametrize("declare", [True, False], ids=["declared", "counted"])
def test_million_row_workbook_is_refused_in_under_two_seconds(declare: bool) -> None:
    data = million_row_workbook(declare)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo(SHEET).file_size > 100 * 2**20  # passes the zip-bomb checks
    # The compiled scanner is loaded (or compiled, on a first run) before the clock starts.
    inspect_tape(workbook(sheet_xml(loans(2))), file_name="warm.xlsx", max_rows=1)
    start = time.process_time()
    _, report = inspect_tape(data, file_name="bomb.xlsx")
    seconds = time.process_time() - start
    assert "1,000,000" in only_error(report).reason
    assert seconds < 2, f"refused in {seconds:.2f} s"


def test_csv_over_the_row_limit_is_refused() -> None:
    data = b"loan_id,balance,rate,remaining_term\n" + b"A,1,0.05,1\n" * 11
    _, report = inspect_tape(data, file_name="t.csv", max_rows=10)
    assert only_error(report).reason.startswith(
        "the CSV has 11 rows below the header, over the limit of 10 (`max_rows`)")


def test_csv_line_breaks_inside_quotes_are_not_rows() -> None:
    # 10 loans on 20 lines: each region holds a line break.
    data = b"loan_id,balance,rate,remaining_term,region\n" + b'A%d,1,0.05,1,"a\nb"\n' * 10
    data = data % tuple(range(10))
    pool, report = inspect_tape(data, file_name="t.csv", max_rows=10)
    assert pool is not None, str(report)
    assert pool.loans["region"].tolist() == ["a\nb"] * 10


def test_csv_over_the_cell_limit_is_refused() -> None:
    # 3 records (header and 2 loans), the widest of 40 fields: 120 cells.
    data = b"loan_id,balance,rate,remaining_term\nA,1,0.05,1\nB,1,0.05,1" + b"," * 36 + b"\n"
    _, report = inspect_tape(data, file_name="t.csv", max_cells=100)
    assert only_error(report).reason.startswith(
        "the CSV has 3 rows of up to 40 fields, 120 cells, over the limit of 100 (`max_cells`)")


@pytest.mark.parametrize("limit", ["max_rows", "max_cells", "max_bytes"])
@pytest.mark.parametrize("value", [0, -1, 1.5, True])
def test_limits_must_be_positive_whole_numbers(limit: str, value: object) -> None:
    with pytest.raises(InputError, match=rf"`{limit}` must be > 0, a whole number"):
        inspect_tape(b"loan_id\n", file_name="t.csv", **{limit: value})  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Item 6: amounts within [MIN_AMOUNT, MAX_AMOUNT]
# --------------------------------------------------------------------------------------------


# (as written, as the report shows the number read)
AMOUNTS = [("1e-300", "1e-300"), ("0.0099", "0.0099"), ("1e200", "1e+200"),
           ("1.0000001e13", "10000001000000"), ("1e308", "1e+308")]


@pytest.mark.parametrize(("amount", "shown"), AMOUNTS, ids=[a for a, _ in AMOUNTS])
@pytest.mark.parametrize("column", ["balance", "original_balance"])
def test_amounts_outside_the_range_are_row_errors(amount: str, shown: str, column: str) -> None:
    values = {"balance": "100", "original_balance": "100", column: amount}
    data = ("loan_id,balance,rate,remaining_term,original_balance\n"
            f"A,{values['balance']},0.05,12,{values['original_balance']}\n").encode()
    _, report = inspect_tape(data, file_name="t.csv")
    error = only_error(report)
    assert (error.row, error.column, error.value) == (2, column, shown)
    assert error.reason == (f"`{column}` must be from 0.01 to 10,000,000,000,000 (one cent to "
                            "ten trillion)")


def test_two_loans_of_1e308_are_refused() -> None:
    # Their sum overflows to inf: validate-tape once called this tape valid.
    data = b"loan_id,balance,rate,remaining_term\nA,1e308,0.05,12\nB,1e308,0.05,12\n"
    _, report = inspect_tape(data, file_name="t.csv")
    assert [(i.row, i.column) for i in report.errors] == [(2, "balance"), (3, "balance")]


def test_amounts_at_the_bounds_load_and_the_total_is_finite() -> None:
    lines = [f"L{i},{limits.MAX_LOAN_AMOUNT:.0f},0.05,12" for i in range(1000)] + ["M,0.01,0.05,12"]
    data = ("loan_id,balance,rate,remaining_term\n" + "\n".join(lines)).encode()
    pool, report = inspect_tape(data, file_name="t.csv")
    assert pool is not None, str(report)
    assert pool.loans["balance"].min() == 0.01
    # 1000 x 1e13 + 0.01, exact to float rounding.
    assert pool.balance == pytest.approx(1e16, rel=1e-15)


# --------------------------------------------------------------------------------------------
# Item 8: only regular files are read
# --------------------------------------------------------------------------------------------


def inspect_within(path: Path, seconds: float = 5) -> ValidationReport:
    """inspect_tape in a thread, failing (not hanging) if it does not return in time."""
    result: list[ValidationReport] = []
    worker = threading.Thread(target=lambda: result.append(inspect_tape(path)[1]), daemon=True)
    worker.start()
    worker.join(seconds)
    assert result, f"inspect_tape({path.name}) still blocked after {seconds} s"
    return result[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "tape.csv"
    os.mkfifo(fifo)
    assert only_error(inspect_within(fifo)).reason == (
        "the path is a named pipe (FIFO), not a file; give the path of a .csv or .xlsx tape")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_fifo_swapped_in_after_the_check_is_caught_on_the_open_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fifo = tmp_path / "tape.csv"
    os.mkfifo(fifo)
    regular = os.stat(Path(__file__))
    monkeypatch.setattr(os, "stat", lambda path, *args, **kwargs: regular)
    assert "named pipe (FIFO)" in only_error(inspect_within(fifo)).reason


def test_folder_and_device_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "tape.csv"
    folder.mkdir()
    assert only_error(inspect_within(folder)).reason.startswith("the path is a folder, not a file")
    device = tmp_path / "null.csv"
    device.symlink_to(os.devnull)
    assert only_error(inspect_within(device)).reason.startswith(
        "the path is a character device, not a file")


def test_nul_byte_in_a_path_is_a_finding() -> None:
    _, report = inspect_tape("tape\0.csv")
    assert only_error(report).reason == (
        "file 'tape\\x00.csv': a path may not contain a NUL character")


# --------------------------------------------------------------------------------------------
# Item 10: small ones
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("separator", "what"), [(b";", "semicolons"), (b"\t", "tabs")])
def test_csv_with_another_separator_is_named_with_a_hint(separator: bytes, what: str) -> None:
    data = separator.join([b"loan_id", b"balance", b"rate", b"remaining_term"]) + b"\n"
    data += separator.join([b"A", b"1", b"0.05", b"12"]) + b"\n"
    _, report = inspect_tape(data, file_name="t.csv")
    reason = only_error(report).reason
    assert reason.startswith(f"the fields are separated by {what}")
    assert "save the tape as 'CSV UTF-8 (comma delimited)'" in reason


OLE2 = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)
ENCRYPTED = OLE2 + "EncryptionInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le")
LEGACY = "legacy Excel 97-2003 .xls workbook: save it as .xlsx"
PASSWORD = ("encrypted (password-protected) workbook: remove the password in Excel and save as "
            ".xlsx")


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("t.xls", OLE2, LEGACY), ("t.xlsx", OLE2, LEGACY), ("t.csv", OLE2, LEGACY),
    ("t.xlsx", ENCRYPTED, PASSWORD), ("t.xls", ENCRYPTED, PASSWORD),
])
def test_compound_files_say_what_they_are(name: str, data: bytes, reason: str) -> None:
    _, report = inspect_tape(data, file_name=name)
    assert only_error(report).reason == reason


def test_text_longer_than_a_cell_holds_is_an_error() -> None:
    region = "x" * tape.MAX_TEXT_CHARS
    data = (f"loan_id,balance,rate,remaining_term,region\nA,1,0.05,1,{region}\n"
            f"B,1,0.05,1,{region}y\n").encode()
    _, report = inspect_tape(data, file_name="t.csv")
    error = only_error(report)
    assert (error.row, error.column, error.value) == (3, "region", "x" * 40 + "...")
    assert error.reason == ("`region` has 32,768 characters, more than the 32,767 a spreadsheet "
                            "cell holds; shorten it")


def test_one_percent_figure_among_decimal_rates_names_its_row() -> None:
    data = b"loan_id,balance,rate,remaining_term\nA,1,0.05,1\nB,1,12.5,1\nC,1,0.06,1\n"
    _, report = inspect_tape(data, file_name="t.csv")
    error = only_error(report)
    assert (error.row, error.column, error.value) == (3, "rate", "12.5")
    assert error.reason == "`rate` must be an annual decimal in [0, 1), e.g. 0.051"
    advice = [i.reason for i in report.warnings if i.column == "rate"]
    assert advice == ["row 3: a `rate` above 1 among decimal rates looks like percent; write "
                      "0.125 for 12.5%"]


@pytest.mark.parametrize(("written", "code"), [
    ("按月付息", "interest_only"), ("按月付息到期还本", "interest_only"),
    ("先息后本", "interest_only"), ("到期一次性还本付息", "bullet"), ("一次性还本付息", "bullet"),
    ("利随本清", "bullet"), ("等额本息还款", "level"), ("按月等额本金", "equal_principal"),
])
def test_chinese_repayment_terms_are_accepted(written: str, code: str) -> None:
    data = f"loan_id,balance,rate,remaining_term,还款方式\nA,1,0.05,12,{written}\n".encode()
    pool, report = inspect_tape(data, file_name="t.csv")
    assert pool is not None, str(report)
    assert pool.loans["amortization"].tolist() == [code]


def test_unknown_repayment_term_is_answered_with_the_closest_accepted_one() -> None:
    data = "loan_id,balance,rate,remaining_term,还款方式\nA,1,0.05,12,按月还息\n".encode()
    _, report = inspect_tape(data, file_name="t.csv")
    error = only_error(report)
    assert (error.row, error.column, error.value) == (2, "amortization", "按月还息")
    assert error.reason.startswith("unknown `amortization`; closest accepted: '按月付息' "
                                   "(= 'interest_only'); accepted: 'level', ")


def test_bad_cells_are_listed_up_to_the_limit_then_counted() -> None:
    n = tape.MAX_LISTED_CELLS + 500
    data = b"loan_id,balance,rate,remaining_term\n" + b"".join(
        b"L%d,-1,0.05,12\n" % i for i in range(n))
    _, report = inspect_tape(data, file_name="t.csv")
    listed = [i for i in report.errors if i.row is not None]
    assert [i.row for i in listed] == list(range(2, 2 + tape.MAX_LISTED_CELLS))
    counted = [i for i in report.errors if i.row is None]
    assert [(i.column, i.reason) for i in counted] == [(
        "balance", "`balance` must be from 0.01 to 10,000,000,000,000 (one cent to ten trillion):"
        " also in 500 more row(s) not listed one by one (rows 1002, 1003, 1004, 1005, 1006 and "
        "495 more)")]


# --------------------------------------------------------------------------------------------
# Item 11: values read by python-calamine
# --------------------------------------------------------------------------------------------


def test_spreadsheet_error_cells_are_errors_not_empty_cells() -> None:
    # python-calamine reads an error cell as empty: an optional column would silently get
    # its default.
    rows: list[list[object]] = [[*HEADER, "annual_pd"], ["A", 1.0, 0.05, 12]]
    extra = ('<row r="3"><c r="A3" t="inlineStr"><is><t>B</t></is></c><c r="B3" t="e">'
             '<f>1/0</f><v>#DIV/0!</v></c><c r="C3"><v>0.05</v></c><c r="D3"><v>12</v></c>'
             '<c r="E3" t="e"><v>#N/A</v></c></row>')
    _, report = inspect_tape(workbook(sheet_xml(rows, extra=extra)), file_name="t.xlsx")
    assert [(i.row, i.column, i.value) for i in report.errors] == [
        (3, "balance", "#DIV/0!"), (3, "annual_pd", "#N/A")]
    assert report.errors[0].reason == ("the cell holds the spreadsheet error #DIV/0! instead of "
                                       "a value; correct the formula or the cells it uses")


def test_formula_without_saved_result_outside_the_loan_columns_is_ignored() -> None:
    rows: list[list[object]] = [[*HEADER, "notes"], ["A", 1.0, 0.05, 12]]
    extra = '<row r="3"><c r="E3"><f>1+1</f></c></row>'
    pool, report = inspect_tape(workbook(sheet_xml(rows, extra=extra)), file_name="t.xlsx")
    assert pool is not None, str(report)


def test_hidden_first_sheet_is_skipped(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "lookup"
    hidden.append(HEADER)
    hidden.append(["HIDDEN", 1, 0.05, 12])
    hidden.sheet_state = "hidden"
    shown = book.create_sheet("loans")
    shown.append(HEADER)
    shown.append(["SHOWN", 1, 0.05, 12])
    book.save(tmp_path / "t.xlsx")
    pool, report = inspect_tape(tmp_path / "t.xlsx")
    assert pool is not None, str(report)
    assert pool.loans["loan_id"].tolist() == ["SHOWN"]
    pool, _ = inspect_tape(tmp_path / "t.xlsx", sheet="lookup")
    assert pool is not None
    assert pool.loans["loan_id"].tolist() == ["HIDDEN"]


def test_chart_sheet_is_not_read() -> None:
    with zipfile.ZipFile(io.BytesIO(TEMPLATE)) as archive:
        book = archive.read("xl/workbook.xml")
        relations = archive.read("xl/_rels/workbook.xml.rels")
    book = book.replace(b"</sheets>", b'<sheet name="chart" sheetId="2" r:id="rId9"/></sheets>')
    relations = relations.replace(
        b"</Relationships>",
        b'<Relationship Id="rId9" Target="chartsheets/sheet1.xml" Type="http://schemas.openxml'
        b'formats.org/officeDocument/2006/relationships/chartsheet"/></Relationships>')
    data = workbook(sheet_xml(loans(1)), {"xl/workbook.xml": book,
                                          "xl/_rels/workbook.xml.rels": relations})
    _, report = inspect_tape(data, file_name="t.xlsx", sheet="chart")
    assert only_error(report).reason == (
        "sheet 'chart' is not a worksheet (a chart or dialog sheet has no loans)")
    pool, _ = inspect_tape(data, file_name="t.xlsx")
    assert pool is not None


def test_numbers_and_text_read_back_as_written() -> None:
    rows: list[list[object]] = [
        [*HEADER, "obligor_id", "score"],
        ["A", 0.1 + 0.2, 0.051, 12.0, 1001.0, 1e16],
        ["B", 123456789.123456789, 0.0, 1.0, "00123", -1.5],
    ]
    pool, report = inspect_tape(workbook(sheet_xml(rows)), file_name="t.xlsx")
    assert pool is not None, str(report)
    assert pool.loans["balance"].tolist() == [0.1 + 0.2, 123456789.123456789]
    assert pool.loans["remaining_term"].tolist() == [12, 1]
    # A whole number in a text column reads as written in a spreadsheet (1001, not 1001.0).
    assert pool.loans["obligor_id"].tolist() == ["1001", "00123"]
    assert np.array_equal(pool.loans["score"], [1e16, -1.5])
