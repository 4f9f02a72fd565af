"""Every message translated, beyond the deal file (issue 18 item 3): real errors of each module
family (analysis, credit, engine, io, report) in natural Chinese; the reports of findings with
their own lead sentence; the command line's own errors and argparse's usage errors in
Chinese (the app's errors: tests/app/test_chinese_errors.py). The source scan of every
module is :func:`test_error_messages.test_every_message_has_a_chinese_template`."""

from __future__ import annotations

import importlib
import pkgutil
import string
from collections.abc import Callable
from pathlib import Path

import pytest
from chinese_words import deal_words, english_words
from test_error_messages import ERRORS, REPORTS, english

import abs_tool
from abs_tool import glossary as g
from abs_tool.cli import build_parser, main
from abs_tool.errors import AbsToolError, render


def _raised(call: Callable[[], object]) -> AbsToolError:
    with pytest.raises(AbsToolError) as caught:
        call()
    return caught.value


def _stratify_unknown() -> object:
    from abs_tool.analysis.pool_stats import stratify
    from abs_tool.io.samples import sample_pool

    return stratify(sample_pool("consumer", n_loans=50), "colour")


def _scenarios_empty() -> object:
    from abs_tool.analysis.stress import scenarios_from_json

    return scenarios_from_json([])


def _tranche_inverted() -> object:
    from abs_tool.credit.vasicek import lhp_tranche_el

    return lhp_tranche_el(0.3, 0.1, pd=0.02, rho=0.15)


def _cluster_spec() -> object:
    from abs_tool.engine.executor import parse_spec

    return parse_spec("cluster-7")


def _sample_pool_unknown() -> object:
    from abs_tool.io.samples import sample_pool

    return sample_pool("mortgage")


def _month_unreadable() -> object:
    from abs_tool.io.static_pool import parse_month

    return parse_month("spring")


def _rating_table_missing(tmp: Path) -> Callable[[], object]:
    from abs_tool.io.rating_tables import load_rating_table

    return lambda: load_rating_table(tmp / "agency.csv")


def _results_without_mc() -> object:
    from abs_tool import analyse, load_sample_deal, prepare_deal
    from abs_tool.io.dealfile import load_deal_pool
    from abs_tool.report.tables import analysis_dict

    deal = load_sample_deal("factoring")
    prepared = prepare_deal(deal, load_deal_pool(deal, None)[0])
    return analysis_dict(analyse(prepared, monte_carlo=False))


# Family -> (the call that raises, what its Chinese says).
EXAMPLES: dict[str, tuple[Callable[..., object], str]] = {
    "analysis.pool_stats": (_stratify_unknown, "不能按“colour”分层;可接受:"),
    "analysis.stress": (_scenarios_empty, "至少需要一个情景(实际为空)"),
    "credit.vasicek": (_tranche_inverted, "分层起点应低于终点(实际起点为 0.3,终点为 0.1)"),
    "engine.executor": (_cluster_spec, "应为“local”、“local:N”或调度器地址"),
    "io.samples": (_sample_pool_unknown, "无法识别的样本资产池 'mortgage';可接受:"),
    "io.static_pool": (_month_unreadable, "应为 年-月 格式的月份,如 2015-01"),
    "io.rating_tables": (_rating_table_missing, "找不到文件;评级表由一个 .csv 文件"),
}


@pytest.mark.parametrize("family", sorted(EXAMPLES))
def test_a_library_error_in_chinese(family: str, tmp_path: Path) -> None:
    call, expected = EXAMPLES[family]
    error = _raised(call(tmp_path) if family == "io.rating_tables" else call)
    shown = render(error, "zh")
    assert expected in shown, shown
    assert not shown.startswith(g.term(g.ERROR_TEXT, "untranslated", "zh").format(message=""))
    # Codes a message repeats for the user to type (`local:N`) are quoted; the file is the
    # user's.
    assert english(shown.replace(str(tmp_path), ""), {"csv", "json", "agency", "N"}) == set(), \
        shown
    assert render(error, "en") == str(error)


@pytest.mark.slow
def test_a_report_error_in_chinese() -> None:
    error = _raised(_results_without_mc)
    assert render(error, "zh") == \
        "结果 JSON 需要含蒙特卡洛模拟结果的分析:analyse(prepared, monte_carlo=...)"


def test_every_error_class_is_scanned() -> None:
    """A new error class needs its message's position in the scan (or is a report)."""
    for module in pkgutil.walk_packages(abs_tool.__path__, "abs_tool."):
        if module.name != "abs_tool.cli":
            importlib.import_module(module.name)

    def every(cls: type) -> set[type]:
        return {cls}.union(*(every(c) for c in cls.__subclasses__()))

    names = {c.__name__ for c in every(AbsToolError) if c.__module__.startswith("abs_tool")}
    assert names - set(ERRORS) - set(REPORTS) == set()


def test_a_report_of_findings_has_its_own_lead() -> None:
    from abs_tool.errors import Issue, TapeError, ValidationReport
    from abs_tool.io.static_pool import StaticPoolError

    report = ValidationReport("vintages.csv", (
        Issue("vintages.csv", None, "vintage", None,
              "expected a month YYYY-MM, e.g. 2015-01 (2015/01, 201501, 2015年1月 and dates "
              "also read)"),))
    shown = render(StaticPoolError(report), "zh")
    assert shown.splitlines() == [
        "vintages.csv:静态池数据未能载入,1 个错误:",
        "应为 年-月 格式的月份,如 2015-01(也可读取 2015/01、201501、2015年1月和日期)"]
    assert render(TapeError(report), "zh").startswith("vintages.csv:资产清单未能载入,1 个错误:")


def test_templates_fill_only_what_the_english_gives() -> None:
    """Each Chinese hole is an English hole (``{x}``) or its Chinese (``{x_zh}``)."""
    for code, (en, zh) in g.MESSAGES.items():
        given = {n for _, n, _, _ in string.Formatter().parse(en) if n}
        wanted = {n.removesuffix("_zh") for _, n, _, _ in string.Formatter().parse(zh) if n}
        assert wanted <= given, code
    for table in (g.ERROR_TEXT,):
        for key, (en, zh) in table.items():
            assert g.placeholders(en) == g.placeholders(zh), key


# --- The command line ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def codes() -> frozenset[str]:
    """What a Chinese error may repeat as the user types it: the walks' allowlist, the
    commands' and options' names, the file and value the user gave."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")  # noqa: SLF001
    words = set(sub.choices)  # type: ignore[arg-type]
    for command in sub.choices.values():  # type: ignore[union-attr]
        for action in command._actions:  # noqa: SLF001
            words |= {o.strip("-") for o in action.option_strings}
            words |= {str(c) for c in action.choices or ()}
    return deal_words() | frozenset(words) | {"abs-tool", "nosuchdeal", "csv"}


@pytest.mark.parametrize(("argv", "said"), [
    (["run", "nosuchdeal.json"], "错误:nosuchdeal.json:没有这个交易文件,也不是样本交易"),
    (["run", "--paths", "x"], "错误:参数 --paths:应为 1 至 10,000,000 之间的整数(实际为 'x')"),
    (["run", "consumer", "--colour", "red"], "错误:无法识别的参数:--colour red"),
    (["run", "consumer", "--money-unit", "wanyuan"], "错误:参数 --money-unit:无效的选项"),
    (["inspect", "consumer"], "错误:缺少必需的参数:--month"),
    (["structure", "consumer", "--fix", "A=150%"], "错误:参数 --fix:比例应低于 100%"),
])
def test_a_command_line_error_in_chinese(argv: list[str], said: str, codes: frozenset[str],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*argv, "--lang", "zh"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(said), captured.err
    assert english_words(captured.err.replace("colour", "").replace("red", "")
                         .replace("wanyuan", ""), codes) == set(), captured.err


def test_argparse_keeps_its_english(capsys: pytest.CaptureFixture[str]) -> None:
    """English is argparse's own output: the usage, then ``prog: error: message``."""
    assert main(["run", "--paths", "x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: abs-tool run")
    assert "abs-tool run: error: argument --paths: must be an integer from 1 to" in err
    # A language the tool does not have falls back to English.
    assert main(["run", "consumer", "--lang", "fr"]) == 2
    assert "error: argument --lang: invalid choice: 'fr'" in capsys.readouterr().err
