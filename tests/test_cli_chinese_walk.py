"""The command line's Chinese walk and its formatted output (issue 18, items 3 and 4): every
command run on the sample deals in Chinese prints no English word outside the walks' one
allowlist (tests/chinese_words.py); no output in either language is in scientific notation;
printed figures are their result objects' figures as abs_tool.report.format writes them;
``--json`` prints what ``--out-json`` writes."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from chinese_words import WORD, deal_words, english_words

from abs_tool import Scenario, break_even, load_sample_deal, prepare_deal, run_scenario
from abs_tool.cli import main
from abs_tool.io.dealfile import load_deal_pool
from abs_tool.report import format as fmt
from abs_tool.report.console import Printer
from abs_tool.report.tables import class_table

SCIENTIFIC = re.compile(r"\d\.?\d*[eE][+-]?\d")
OPTION = re.compile(r"--[a-z][a-z-]*")


def commands(tmp: Path) -> list[list[str]]:
    """Every command, small: a few hundred paths, a coarse size grid, a short tape."""
    tape, static = str(tmp / "tape.csv"), str(tmp / "static.csv")
    small = ["--paths", "256", "--quiet"]
    return [
        ["sample-pool", "consumer", "--loans", "300", "--out", tape],
        ["validate-tape", tape],
        ["summary", tape, "--by", "grade", "region"],
        ["new-deal", tape, "--like", "consumer", "--keep", "structure,fees,triggers",
         "--out", str(tmp / "new.json")],
        ["cashflows", "consumer", "--cdr", "0.05", "--recovery", "0.2"],
        ["inspect", "consumer", "--month", "12"],
        ["grid", "factoring", "--cdr", "0,0.2", "--recovery", "0.3"],
        ["run", "consumer", *small, "--out-json", str(tmp / "run.json")],
        ["batch", "factoring", "--paths", "256", "--out-dir", str(tmp / "batch")],
        ["structure", "consumer", *small, "--step", "0.01"],
        ["sample-static-pool", "consumer", "--out", static],
        ["static-pool", static],
        ["stress", "factoring"],
    ]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    status = main(argv)
    captured = capsys.readouterr()
    assert status == 0, (argv, captured.err)
    return captured.out + captured.err


@pytest.fixture(scope="module")
def allowed() -> frozenset[str]:
    """The walks' allowlist, and the sample deals' names as their files give them."""
    names = {w for sample in ("consumer", "factoring")
             for w in WORD.findall(load_sample_deal(sample).name)}
    return deal_words() | names


@pytest.mark.slow
def test_every_command_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  allowed: frozenset[str]) -> None:
    found = []
    for argv in commands(tmp_path):
        # File names as the user gave them.
        given = allowed | {w for arg in argv if str(tmp_path) in arg for w in WORD.findall(arg)}
        printed = run([*argv, "--lang", "zh"], capsys)
        assert printed.strip(), argv
        found += [f"{argv[0]}: {sorted(words)} in {line!r}" for line in printed.splitlines()
                  # An option's name (--scenarios) is a code the user types.
                  if (words := english_words(OPTION.sub("", line), frozenset(given)))]
        assert not SCIENTIFIC.search(printed), (argv, SCIENTIFIC.findall(printed))
        assert "\x1b" not in printed  # no colour or cursor codes when not on a terminal
    assert found == [], "\n".join(found)


@pytest.mark.slow
def test_no_scientific_notation_in_english(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    for argv in commands(tmp_path):
        printed = run(argv, capsys)
        assert not SCIENTIFIC.search(printed), (argv, SCIENTIFIC.findall(printed))


@pytest.mark.parametrize(("lang", "unit"), [("en", "wan"), ("zh", "wan"), ("zh", "yi")])
def test_the_class_table_prints_the_result_objects_figures(
        lang: str, unit: str, capsys: pytest.CaptureFixture[str]) -> None:
    deal = load_sample_deal("consumer")
    pool, _ = load_deal_pool(deal, None)
    prepared = prepare_deal(deal, pool)
    result = run_scenario(prepared, Scenario(cdr_annual=0.05, recovery_rate=0.2))
    table = class_table(deal, result.metrics, break_evens=break_even(prepared))
    printed = run(["cashflows", "consumer", "--cdr", "0.05", "--recovery", "0.2",
                   "--lang", lang, "--money-unit", unit], capsys)
    for row in table.to_dict(orient="records"):
        line = next(x for x in printed.splitlines() if x.startswith(f"{row['class']} "))
        for figure in (fmt.money(row["original_balance"], lang, unit), fmt.percent(row["coupon"]),
                       fmt.money(row["interest_received"], lang, unit),
                       fmt.yield_percent(row["yield"]), fmt.percent(row["bdr"])):
            assert figure in line, (figure, line)
    # Written back to a number, a printed amount is the figure to its last shown digit.
    senior = table.iloc[0]
    shown = fmt.money(senior["interest_received"], lang, unit)
    scale = fmt.MONEY_SCALES[fmt.money_unit(lang, unit)]
    digits = re.sub(r"[^\d.]", "", shown)
    decimals = len(digits.partition(".")[2])
    assert float(digits) * scale == pytest.approx(senior["interest_received"],
                                                  abs=0.5 * scale * 10.0 ** -decimals)


@pytest.mark.parametrize("argv", [
    ["run", "consumer", "--paths", "256", "--seed", "3", "--quiet"],
    ["structure", "consumer", "--paths", "256", "--step", "0.01", "--quiet"],
    ["stress", "factoring"],
    ["static-pool", "consumer"],
], ids=lambda argv: argv[0])
def test_json_prints_what_out_json_writes(argv: list[str], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.json"
    assert main([*argv, "--json", "--out-json", str(out), "--lang", "zh"]) == 0
    printed = capsys.readouterr().out
    assert json.loads(printed) == json.loads(out.read_text(encoding="utf-8"))


def test_json_of_a_table_command_is_its_rows(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grid", "factoring", "--cdr", "0,0.2", "--recovery", "0.3", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 2 * 3  # two CDRs, three classes
    assert {"cdr", "recovery", "class", "yield"} <= set(rows[0])


def test_an_error_keeps_its_exit_status_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "no-such-deal", "--lang", "zh"]) == 2
    assert capsys.readouterr().err.startswith("错误:")


class _Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_only() -> None:
    plain = Printer(stderr=io.StringIO())
    with plain.progress() as update:
        assert update is None  # a log or a pipe gets no progress display
    terminal = _Terminal()
    shown = Printer(lang="zh", stderr=terminal)
    with shown.progress() as update:
        assert update is not None
        update(3, 4, "")
    assert "计算中" in terminal.getvalue() or "3/4" in terminal.getvalue()
    with shown.progress(enabled=False) as update:  # --quiet
        assert update is None
