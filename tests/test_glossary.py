"""One bilingual glossary (issue 18): every label table of the app, the workbook, the pool
summary and the Structuring tables translates an English term one way; no Chinese label uses
a variant the glossary replaced; placeholders match; the tape reader's coded reasons are the
glossary's templates, word for word in English and complete in Chinese."""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from abs_tool import glossary as g
from abs_tool.analysis import pool_stats
from abs_tool.io.tape import inspect_tape
from abs_tool.model.eligibility import ConcentrationLimits, EligibilityCriteria, condition_text
from abs_tool.report import tables
from abs_tool.report.excel import labels as excel_labels

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `ui` is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from ui import labels as ui_labels  # noqa: E402

TAPES = ROOT / "tests" / "fixtures" / "tapes"


def all_labels() -> dict[str, tuple[str, str]]:
    """Every (English, Chinese) label of every table, keyed by where it is."""
    found: dict[str, tuple[str, str]] = {}
    for key, pair in ui_labels.LABELS.items():
        found[f"ui:{key}"] = pair
    for key, pair in excel_labels.LABELS.items():
        found[f"workbook:{key}"] = pair
    for key, (en, zh, _) in pool_stats.SUMMARY_LABELS.items():
        found[f"summary:{key}"] = (en, zh)
    for name, table in (("unit", pool_stats.UNIT_LABELS), ("strat", pool_stats.STRAT_WORDS),
                        ("sizing", tables._STRUCTURING_HEADERS),
                        ("sizing-word", tables._STRUCTURING_VALUES)):
        for key, pair in table.items():
            found[f"{name}:{key}"] = pair
    for i, table in enumerate(g.TABLES):
        for key, pair in table.items():
            found[f"glossary{i}:{key}"] = pair
    return found


def test_no_english_term_is_translated_two_ways() -> None:
    by_english: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for where, (en, zh) in all_labels().items():
        if en.strip():
            by_english[en.strip().casefold()][zh].append(where)
    twice = {en: dict(zhs) for en, zhs in by_english.items() if len(zhs) > 1}
    assert twice == {}


def test_no_chinese_label_uses_a_replaced_variant() -> None:
    found = [(where, variant) for where, (_, zh) in all_labels().items()
             for variants in g.AVOID.values() for variant in variants if variant in zh]
    assert found == []


def test_tiers_read_as_a_chinese_rating_report_has_them() -> None:
    assert [zh for _, zh in g.TIERS.values()] == ["优先级", "中间级", "次级"]
    for table in (ui_labels.LABELS, excel_labels.LABELS):
        assert [table[f"tier.{k}"][1] for k in g.TIERS] == ["优先级", "中间级", "次级"]


@pytest.mark.parametrize("table", [*g.TABLES, g.REASONS, excel_labels.LABELS, ui_labels.LABELS])
def test_placeholders_match(table: dict[str, tuple[str, str]]) -> None:
    for key, (en, zh) in table.items():
        assert {p.removesuffix("_zh") for p in g.placeholders(zh)} <= g.placeholders(en) | {
            "aliases", "hint", "rows", "expected", "note", "first", "column"}, key
        assert all(text.strip() for text in (en, zh)), key


@pytest.mark.parametrize("tape", sorted(p.name for p in TAPES.glob("*.csv")))
def test_coded_reasons_are_the_glossarys_templates(tape: str) -> None:
    """The English reason is the glossary's template filled with the finding's values, so a
    display in Chinese says the same thing; every Chinese reason fills completely."""
    _, report = inspect_tape(TAPES / tape)
    for issue in report.issues:
        if issue.code is None:
            continue
        params = dict(issue.params)
        assert g.reason(issue.code, params, "en") == issue.reason, (tape, issue)
        zh = issue.reason_in("zh")
        assert "{" not in zh, (tape, zh)
        assert re.search(r"[\u4e00-\u9fff]", zh), (tape, zh)


def test_most_findings_of_the_bad_tapes_carry_a_code() -> None:
    issues = [i for p in sorted(TAPES.glob("bad_*.csv")) for i in inspect_tape(p)[1].issues]
    coded = [i for i in issues if i.code is not None]
    assert len(issues) > 20
    assert len(coded) >= 0.7 * len(issues), [i.reason for i in issues if i.code is None]


def test_a_report_in_chinese() -> None:
    _, report = inspect_tape(TAPES / "bad_non_numeric.csv")
    rows = report.to_records("zh")
    assert rows
    assert [r["reason"] for r in rows] == [i.reason_in("zh") for i in report.issues]
    assert report.to_records() == report.to_records("en")
    assert any("不是数字" in str(r["reason"]) for r in rows)


def test_rule_conditions_in_chinese() -> None:
    rules = (EligibilityCriteria(max_rate=0.2, allowed_grades=("A",)).active_rules()
             + ConcentrationLimits(max_obligor_share=0.02).active_rules())
    assert [condition_text(c, "zh") for _, c in rules] == [
        "利率 ≤ 20.00%", "信用等级 属于 A", "单一借款人占比 ≤ 2.00%"]
    assert [condition_text(c, "en") for _, c in rules] == [c for _, c in rules]


def test_unknown_language_and_code() -> None:
    with pytest.raises(KeyError, match="lang"):
        g.term(g.TIERS, "senior", "fr")
    with pytest.raises(KeyError):
        g.reason("no_such_code", {}, "en")
