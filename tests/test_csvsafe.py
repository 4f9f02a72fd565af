"""Every CSV the tool writes is formula-safe, whatever the dtype of a text column."""

import csv
import io
from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import given, strategies as st

from abs_tool import load_sample_deal, save_deal
from abs_tool.cli import main
from abs_tool.io.csvsafe import csv_text, neutralise_text, unquote_text

# The leading characters that make Excel or LibreOffice run a cell (OWASP CSV injection).
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ATTACK = "+cmd|'/c calc'!A1"

TEXT_DTYPES = [object, "str", "string", "category"]


def fields(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("dtype", TEXT_DTYPES)
def test_text_columns_of_every_dtype_are_neutralised(dtype):
    frame = pd.DataFrame({"name": pd.Series([ATTACK, "=1+1", "plain", "@SUM(1)"], dtype=dtype),
                          "amount": [-1.5, 2.0, 3.0, 4.0]})
    rows = fields(csv_text(frame, index=False))
    assert [r[0] for r in rows[1:]] == ["'" + ATTACK, "'=1+1", "plain", "'@SUM(1)"]
    # Numbers are numbers: a negative amount keeps its sign.
    assert [r[1] for r in rows[1:]] == ["-1.5", "2.0", "3.0", "4.0"]


def test_headers_and_index_labels_are_neutralised():
    frame = pd.DataFrame({ATTACK + ".principal": [1.0]}, index=pd.Index(["=x"], name="@i"))
    rows = fields(csv_text(frame))
    assert rows[0] == ["'@i", "'" + ATTACK + ".principal"]
    assert rows[1][0] == "'=x"


def test_numbers_in_an_object_column_are_left_alone():
    column = pd.Series([-3, "-3", None], dtype=object)
    assert neutralise_text(column).tolist() == [-3, "'-3", None]


@given(st.lists(st.text(max_size=8), min_size=1, max_size=20),
       st.sampled_from(TEXT_DTYPES))
def test_no_text_field_starts_a_formula_and_one_apostrophe_less_gives_it_back(texts, dtype):
    frame = pd.DataFrame({"text": pd.Series(texts, dtype=dtype)})
    rows = fields(csv_text(frame, index=False))
    written = [row[0] if row else "" for row in rows[1:]]
    assert not any(field.startswith(TRIGGERS) for field in written)
    # A CSV reader's view of line breaks differs from the cell's; compare the cells.
    neutral = neutralise_text(pd.Series(texts, dtype=object)).tolist()
    assert unquote_text(pd.Series(neutral, dtype=object).astype(str)).tolist() == texts


def test_grid_and_cashflow_csv_hold_no_formula(tmp_path):
    """Regression: `abs-tool grid ... --out` wrote a class name of pandas' str dtype as is."""
    deal = load_sample_deal("factoring")
    classes = deal.structure.classes
    renamed = (replace(classes[0], name=ATTACK), *classes[1:])
    deal_file = tmp_path / "deal.json"
    save_deal(replace(deal, structure=replace(deal.structure, classes=renamed)), deal_file)
    for command in (["grid", str(deal_file), "--cdr", "0,0.1", "--recovery", "0.3"],
                    ["cashflows", str(deal_file)]):
        out = tmp_path / f"{command[0]}.csv"
        assert main([*command, "--out", str(out)]) == 0
        text = out.read_bytes().decode("utf-8")
        assert ATTACK in text
        cells = [cell for row in fields(text) for cell in row]
        assert not [cell for cell in cells if cell.startswith(("=", "+", "@", "\t", "\r"))]
        assert not [cell for cell in cells
                    if cell.startswith("-") and not _is_number(cell)]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
