"""The Chinese walk (issue 18, item 3): every app page in Chinese, after a Monte Carlo run and a
structuring run, and every sheet of the term sheet of both sample deals written in Chinese,
show no English word outside an allowlist: the deal's own texts (class, fee and trigger
names, as their user wrote them), codes (tape columns, deal-file fields and values, rating
symbols, file formats, SHA-256), units (bp) and proper names (Vasicek, Streamlit, Excel).

Texts are read from every element Streamlit would send to the browser (labels, help, options,
captions, table headers and text cells, chart titles), and from every text cell of the
workbook. (About 8 s: not marked slow, so the development lane runs it too.)
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from chinese_words import WORD, deal_words, english_words
from google.protobuf.message import Message
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from abs_tool import (
    analyse,
    build_term_sheet_inputs,
    load_deal_pool,
    load_sample_deal,
    prepare_deal,
    run_monte_carlo,
    sample_pool,
    structure_deal,
    term_sheet_bytes,
)
from abs_tool.io.dealfile import deal_json
from abs_tool.io.tape import tape_bytes
from abs_tool.model.dates import BusinessDayConvention
from abs_tool.report.tables import structuring_tables

Start = Callable[..., AppTest]
PAGES = ("deal", "pool", "assumptions", "structure", "results", "structuring", "static_pool",
         "stress", "cashflows", "export")
# --- The app ---------------------------------------------------------------------------------

_SKIPPED_FIELDS = frozenset({"id", "form_id", "key", "type", "default", "spec_id",
                             "vega_lite_chart",
                             "dataset", "data", "arrow_data", "format", "url", "file_id",
                             "element_id", "icon", "column_config", "editing_mode", "color",
                             "use_container_width", "label_visibility", "page_script_hash",
                             "selection_mode", "widget_id", "placeholder_id"})


# Element internals that are not shown: ids and hashes, heading tags, the theme's name.
_INTERNAL = re.compile(r"(data-)?[0-9a-f]{32}|h\d|streamlit")


def _strings(message: Message) -> Iterator[str]:
    """Every text a protobuf element holds, a chart spec's titles included."""
    for field, value in message.ListFields():
        if field.name in ("spec",) and isinstance(value, str):
            yield from _chart_texts(json.loads(value))
            continue
        if field.name in _SKIPPED_FIELDS:
            continue
        repeated = hasattr(value, "__len__") and not isinstance(value, str | bytes | Message)
        values = list(value) if repeated else [value]
        for item in values:
            if isinstance(item, Message):
                yield from _strings(item)
            elif isinstance(item, str) and not _INTERNAL.fullmatch(item):
                yield item


def _chart_texts(spec: object) -> Iterator[str]:
    """Titles of a Vega-Lite specification (fields are column names, not shown)."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "title" and isinstance(value, str):
                yield value
            elif key == "title" and isinstance(value, dict) and isinstance(value.get("text"), str):
                yield value["text"]
            elif key not in ("datasets", "data", "$schema"):
                yield from _chart_texts(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from _chart_texts(item)


def app_texts(at: AppTest) -> Iterator[tuple[str, str]]:
    """(what, text) of every element of the run, in the main area and the sidebar."""
    def nodes(node: object) -> Iterator[object]:
        yield node
        for child in getattr(node, "children", {}).values():
            yield from nodes(child)

    for root in (at.main, at.sidebar):
        for node in nodes(root):
            kind = type(node).__name__
            if kind == "Dataframe":
                frame = node.value  # type: ignore[attr-defined]
                # Headers as shown: the column configs' labels, else the frame's names.
                config = json.loads(node.proto.columns or "{}")  # type: ignore[attr-defined]
                order = list(node.proto.column_order)  # type: ignore[attr-defined]
                for column in order or frame.columns:
                    shown = config.get(str(column), {})
                    if not shown.get("hidden"):
                        yield "dataframe header", str(shown.get("label") or column)
                for column in order or frame.columns:
                    if column in frame and frame[column].dtype == object:
                        yield from (("dataframe cell", str(v)) for v in frame[column]
                                    if isinstance(v, str))
                continue
            proto = getattr(node, "proto", None)
            if isinstance(proto, Message):
                yield from ((kind, text) for text in _strings(proto))


def offenders(texts: Iterator[tuple[str, str]], allowed: frozenset[str]) -> list[str]:
    found = []
    for what, text in texts:
        words = english_words(text, allowed)
        if words:
            found.append(f"{what}: {sorted(words)} in {text[:120]!r}")
    return sorted(set(found))


@pytest.fixture(scope="module")
def allowed() -> frozenset[str]:
    return deal_words()


def test_every_page_in_chinese_after_a_run(app: Start, allowed: frozenset[str]) -> None:
    at = app("ui/pages/results.py", lang="zh")  # the Monte Carlo of the consumer deal
    assert not at.exception, [e.value for e in at.exception]
    found = offenders(app_texts(at), allowed)
    at.switch_page("ui/pages/structuring.py")
    at.session_state["sz_paths"] = 2048
    at.run()
    at.button(key="sz_run").click().run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    assert at.success  # sized and priced: the sizing tables, economics and comparison shown
    found += offenders(app_texts(at), allowed)
    for page in PAGES:
        at.switch_page(f"ui/pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        texts = [text for _, text in app_texts(at)]
        assert len(texts) > 20, (page, texts)  # the walk reads the page's texts
        # The Deal page's name input holds the deal's name as its user wrote it.
        shown = allowed | set(WORD.findall(at.session_state["deal_base"].name))
        found += [f"{page}: {line}" for line in offenders(app_texts(at), frozenset(shown))]
    # The stress table, after its run (its scenarios named in Chinese).
    at.switch_page("ui/pages/stress.py").run()
    at.button(key="ss_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    found += [f"stress: {line}" for line in offenders(app_texts(at), allowed)]
    assert sorted(set(found)) == [], "\n".join(sorted(set(found)))


def test_the_pool_page_of_the_factoring_sample_in_yi(app: Start, allowed: frozenset[str]) -> None:
    at = app("ui/pages/pool.py", lang="zh")
    at.session_state["money_unit"] = "yi"
    at.radio(key="pool_source").set_value("factoring").run()
    assert not at.exception
    assert any("亿元" in m.value for m in at.metric)
    assert offenders(app_texts(at), allowed) == []


def test_the_new_pool_dialogue_in_chinese(app: Start, allowed: frozenset[str]) -> None:
    at = app("ui/pages/pool.py", lang="zh")
    at.radio(key="pool_source").set_value("upload").run()
    data = tape_bytes(sample_pool("consumer"), "csv")  # every loan eligible
    at.file_uploader(key="tape_upload").set_value(("资产清单.csv", data, "text/csv")).run()
    assert not at.exception
    assert at.button(key="nd_start").label == "开始新交易"
    allowed = allowed | {"csv"}  # the file's name, as its user gave it
    found = offenders(app_texts(at), allowed)
    at.checkbox(key="nd_keep_triggers").uncheck()
    at.checkbox(key="nd_keep_structure").uncheck()
    at.button(key="nd_start").click().run()
    assert not at.exception
    assert at.success[0].value == "已以 资产清单.csv 开始新交易 资产清单。"
    assert len(at.warning) == 2  # the triggers and the structure cleared, each listed
    found += offenders(app_texts(at), allowed)
    assert found == [], "\n".join(found)


def test_the_inspector_and_dated_accrual_in_chinese(app: Start, allowed: frozenset[str]) -> None:
    """The Cash flows page of a deal paid on business days in years no official calendar
    covers yet (its warning), inspecting a Monte Carlo path by its pool loss quantile."""
    deal = load_sample_deal("consumer")
    dates = deal.dates
    moved = {name: getattr(dates, name).replace(year=getattr(dates, name).year + 83)
             for name in ("cutoff", "closing", "first_payment", "legal_final")}
    deal = replace(deal, dates=replace(dates, **moved,
                                       business_day_convention=BusinessDayConvention.FOLLOWING))
    at = app("ui/pages/cashflows.py", lang="zh")
    at.file_uploader(key="deal_upload").set_value(
        ("交易.json", deal_json(deal).encode("utf-8"), "application/json")).run()
    at.switch_page("ui/pages/cashflows.py").run()
    at.radio(key="cf_inspect_source").set_value("quantile").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.warning[0].value.startswith("2099, 2100, 2101 年的法定节假日安排尚未公布")
    assert any(c.value.startswith("第 ") and "号路径" in c.value for c in at.caption)
    assert offenders(app_texts(at), allowed) == []


# --- The workbook ----------------------------------------------------------------------------


@pytest.mark.parametrize("sample", ["consumer", "factoring"])
def test_every_sheet_of_the_term_sheet_in_chinese(sample: str, allowed: frozenset[str]) -> None:
    deal = load_sample_deal(sample)
    pool, _ = load_deal_pool(deal, None)
    prepared = prepare_deal(deal, pool)
    mc = run_monte_carlo(prepared, paths=2048, seed=7, workers=1)
    sized = structure_deal(deal, pool, paths=2048, seed=1)
    tables = structuring_tables(sized, lang="zh")
    inputs = build_term_sheet_inputs(analyse(prepared, monte_carlo=mc), structuring=tables,
                                     sources={"deal.json": "ab" * 32})
    wb = load_workbook(io.BytesIO(term_sheet_bytes(inputs, "zh")))
    analysis = inputs.analysis
    # The rating tables are editable data files: their names, labels, sources and
    # descriptions are shown as the files write them; the Assumptions sheet's column of
    # deal-file field paths is a column of codes.
    data = set(allowed)
    for table in analysis.rating_tables.resolved():
        for text in (table.name, table.kind, table.label, table.source, table.description):
            data |= set(WORD.findall(str(text)))
    # The deal file's own name is among the deal-file values listed there as the file holds
    # them (the title of the term sheet names a sample deal in Chinese); input file names and
    # SHA-256 digests are on the Audit sheet.
    data |= set(WORD.findall(deal.name)) | {w for name in inputs.sources
                                            for w in WORD.findall(name)}
    codes = frozenset(data)
    found = []
    for ws in wb.worksheets:
        field_column = None
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str):
                    continue
                if cell.value == "交易文件字段":
                    field_column = cell.column
                if cell.column == field_column or re.fullmatch(r"[0-9a-f]{64}", cell.value):
                    continue
                words = english_words(cell.value, codes)
                if words:
                    found.append(f"{ws.title}!{cell.coordinate}: {sorted(words)} "
                                 f"in {cell.value[:100]!r}")
    assert found == [], "\n".join(found)


def test_a_deal_file_error_in_chinese(app: Start, allowed: frozenset[str]) -> None:
    """An uploaded deal file with wrong fields: the sidebar's error names each field and says
    each problem in Chinese (no English but the values the file holds)."""
    from abs_tool.io.dealfile import deal_to_dict

    data = deal_to_dict(load_sample_deal("consumer"))
    data["structure"]["classes"][1]["coupon_annual"] = 1.5
    data["dates"]["closing"] = "2015-09-01"
    data["pool"]["eligibility"] = {"max_rate": 2, "allowed_grades": []}
    at = app("ui/pages/deal.py", lang="zh")
    at.file_uploader(key="deal_upload").set_value(
        ("交易.json", json.dumps(data).encode("utf-8"), "application/json")).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [e.value for e in at.sidebar.error]
    assert len(shown) == 1, shown
    assert "结构.第2档.票面利率:应在 [0, 1) 内(实际为 1.5)" in shown[0], shown
    assert offenders(iter([("sidebar error", shown[0])]), allowed) == []
