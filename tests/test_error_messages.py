"""Every error message of the library has a Chinese rendering (issue 18 item 3): a scan of
every module's source finds each message an error is raised with (a literal, an f-string, a
module's text constant, or one passed to a helper that raises), and the glossary's
:data:`~abs_tool.glossary.MESSAGES` must have a template for it; then one test per template
family checks a real error's Chinese (the deal file's here, the other modules' in
tests/test_error_messages_everywhere.py).

A new message in a scanned file fails :func:`test_every_message_has_a_chinese_template` until
a template is added (intended: the failure says what to add).
"""

from __future__ import annotations

import ast
import pickle
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from abs_tool import glossary as g
from abs_tool.errors import (
    DealFileError,
    FieldError,
    InputError,
    LimitError,
    render,
    render_message,
)
from abs_tool.io.dealfile import deal_from_dict, deal_to_dict, load_sample_deal
from abs_tool.model.eligibility import ConcentrationLimits, EligibilityCriteria

ROOT = Path(__file__).resolve().parent.parent
NOT_SCANNED = ("abs_tool/errors.py", "abs_tool/glossary.py")
"""The error classes and the templates themselves: no message is raised there."""
SCANNED = tuple(sorted(str(p.relative_to(ROOT)) for p in (ROOT / "abs_tool").rglob("*.py")
                       if str(p.relative_to(ROOT)) not in NOT_SCANNED))
"""Every library module: any of them may raise an error the app or the command line shows
(issue 18 item 3, "every message translated"). Out of scope: ValueError, TypeError and
KeyError, which the library raises only for a caller's bug (a wrong type, an unknown `lang`),
never for a user's input, and which the app and the command line show as a bug."""

ERRORS = {"FieldError": 1, "LimitError": 1, "InputError": 0, "AssumptionError": 0,
          "DealFileError": 0, "OutputError": 0, "ConvergenceError": 0, "ExecutorError": 0,
          "CancelledError": 0, "TemplateError": 0, "PdfUnavailable": 0, "PdfError": 0,
          "InsufficientHistoryError": 0, "AbsToolError": 0,
          # The command line's option checks: argparse prints the message after the option.
          "ArgumentTypeError": 0}
"""Error class -> the position of its message argument."""
REPORTS = ("TapeError", "StaticPoolError", "DefaultScheduleError", "RatingTableError")
"""Errors made from a :class:`~abs_tool.errors.ValidationReport`: their findings are coded
(:data:`abs_tool.glossary.REASONS`) or said through the messages' templates, and
:func:`~abs_tool.errors.render` gives each its lead sentence."""
HOLE = "⟨{}⟩"
WORD = re.compile(r"[A-Za-z][A-Za-z_'\-]*[A-Za-z]")


class DynamicError(Exception):
    """A message built at run time from something the scan cannot follow."""


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else \
        func.attr if isinstance(func, ast.Attribute) else None


def _shapes(node: ast.expr, env: dict[str, list[str]], assigned: dict[str, list[ast.expr]]
            ) -> list[str]:
    """The texts ``node`` can be, each run-time value a hole ⟨n⟩."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        out = [""]
        for i, part in enumerate(node.values):
            if isinstance(part, ast.Constant):
                out = [o + str(part.value) for o in out]
                continue
            value = part.value  # type: ignore[attr-defined]
            if isinstance(value, ast.Name) and value.id in env:
                options = env[value.id]
            elif isinstance(value, ast.Name) and value.id in assigned:
                options = _shapes(value, env, assigned)
            elif isinstance(value, ast.IfExp) and all(
                    isinstance(b, ast.Constant) for b in (value.body, value.orelse)):
                options = [str(value.body.value), str(value.orelse.value)]  # type: ignore[attr-defined]
            else:
                options = [HOLE.format(i)]
            out = [o + s for o in out for s in options]
        return out
    if isinstance(node, ast.IfExp):
        return _shapes(node.body, env, assigned) + _shapes(node.orelse, env, assigned)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [a + b for a in _shapes(node.left, env, assigned)
                for b in _shapes(node.right, env, assigned)]
    if isinstance(node, ast.Name) and (node.id in env or node.id in assigned):
        return env.get(node.id) or [s for v in assigned[node.id] for s in _shapes(v, env, {})]
    raise DynamicError(ast.unparse(node))


def _messages(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, message)`` of each error raised in ``path`` (a message as an error's
    argument, an item of ``problems``, or given to a helper whose parameter ``message`` or
    ``reason`` makes the error's message)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    helpers: dict[str, tuple[int, str, ast.expr]] = {}
    for fn in functions:
        params = [a.arg for a in fn.args.args]
        for call in ast.walk(fn):
            if isinstance(call, ast.Call) and _name(call.func) in ERRORS and \
                    len(call.args) > ERRORS[_name(call.func)]:  # type: ignore[index]
                message = call.args[ERRORS[_name(call.func)]]  # type: ignore[index]
                used = {n.id for n in ast.walk(message) if isinstance(n, ast.Name)}
                for param in ("message", "reason"):
                    if param in used and param in params:
                        helpers[fn.name] = (params.index(param), param, message)
    helpers["_problem"] = (2, "message", ast.Name("message"))
    # A module's text constants (``_MONTH_EXPECTED = "a month YYYY-MM ..."``) are part of the
    # messages that name them.
    constants: dict[str, list[ast.expr]] = {
        target.id: [node.value] for node in tree.body if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        for target in node.targets if isinstance(target, ast.Name)}
    for fn in functions:
        assigned: dict[str, list[ast.expr]] = {k: list(v) for k, v in constants.items()}
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        assigned.setdefault(target.id, []).append(node.value)
        for call in ast.walk(fn):
            if not isinstance(call, ast.Call):
                continue
            name, env = _name(call.func), {}
            if name in ERRORS and fn.name not in helpers and \
                    len(call.args) > ERRORS[name]:  # type: ignore[index]
                argument: ast.expr | None = call.args[ERRORS[name]]  # type: ignore[index]
                wrapper: ast.expr = ast.Name("_")
            elif name == "append" and isinstance(call.func.value, ast.Name) and \
                    call.func.value.id == "problems":  # type: ignore[attr-defined]
                argument, wrapper = call.args[0], ast.Name("_")
            elif name in helpers:
                index, param, wrapper = helpers[name]
                argument = call.args[index] if len(call.args) > index else next(
                    (k.value for k in call.keywords if k.arg == param), None)
                wrapper = ast.Name("_") if param == "message" and name == "_problem" \
                    else wrapper
                param = "_" if name == "_problem" else param
            else:
                continue
            if argument is None:
                continue
            items = argument.elts if isinstance(argument, ast.List) else [argument]
            for item in items:
                try:
                    env = {"_": _shapes(item, {}, assigned)}
                    if name in helpers and name != "_problem":
                        env[param] = env.pop("_")
                    wrapped = wrapper.elts if isinstance(wrapper, ast.List) else [wrapper]
                    for w in wrapped:
                        for text in _shapes(w, env, {}):
                            yield call.lineno, text
                except DynamicError:
                    continue  # a message passed on (str(exc)): scanned where it is made


def scanned() -> list[tuple[str, str]]:
    return sorted({(f"{f}:{line}", text) for f in SCANNED
                   for line, text in _messages(ROOT / f)})


def test_the_scan_finds_the_messages() -> None:
    """The scan reads what it should: known messages of each kind of raise site."""
    texts = {text for _, text in scanned()}
    assert len(texts) > 100
    assert "must be in [0, 1) (got ⟨2⟩)" in texts  # _check_rate -> _check
    assert "must be a list (got ⟨1⟩)" in texts  # _problem(problems, path, f"...")
    assert "`⟨1⟩` (got ⟨3⟩) must be > 0" in texts  # problems.append, an if in an f-string


def test_every_message_has_a_chinese_template(monkeypatch: pytest.MonkeyPatch) -> None:
    # A hole stands for any value; as a phrase it says that any value has a Chinese.
    for i in range(20):
        monkeypatch.setitem(g.PHRASES_ZH, HOLE.format(i), HOLE.format(i))
    # A message that only passes another one on (``version: {message}``) is scanned where
    # the other is made.
    passed_on = re.compile(r"(?:[\w.]+|⟨\d+⟩): ⟨\d+⟩")
    missing = [f"  {where}: {text!r}" for where, text in scanned()
               if not passed_on.fullmatch(text) and g.message(text, "zh") is None]
    assert not missing, (
        "error messages with no Chinese template; add to abs_tool.glossary.MESSAGES an entry "
        '"code": ("English with {name} for each value", "中文,同样的 {name}"), the English '
        "being the message as raised (a value received ` (got ...)` at the end needs no "
        "template: the `got` wrapper adds it):\n" + "\n".join(missing))


# --- One test per template family: a real error's Chinese --------------------------------


def english(text: str, allowed: set[str] = set()) -> set[str]:  # noqa: B006
    """English words of ``text`` outside the quoted values and codes a message repeats."""
    unquoted = re.sub(r"'[^']*'|\"[^\"]*\"|“[^”]*”|\[[^\]]*\]", "", text)
    return {w for w in WORD.findall(unquoted) if w not in allowed}


def _bad(edit) -> DealFileError:  # type: ignore[no-untyped-def]
    data = deal_to_dict(load_sample_deal("consumer"))
    edit(data)
    with pytest.raises(DealFileError) as caught:
        deal_from_dict(data, file="deal.json")
    return caught.value


FAMILIES = {
    "kind": (lambda d: d["structure"]["classes"][0].update(coupon_annual="high"),
             "结构.第1档.票面利率:应为有限数值(实际为 \"high\")"),
    "range": (lambda d: d["structure"]["classes"][1].update(coupon_annual=1.5),
              "结构.第2档.票面利率:应在 [0, 1) 内(实际为 1.5)"),
    "required": (lambda d: d["dates"].pop("cutoff"), "日期.封包日:必填"),
    "unknown_field": (lambda d: d["structure"].update(tranches=[]), None),
    "dates": (lambda d: d["dates"].update(closing="2015-09-01"),
              "日期.起息日:不得早于“封包日”(2015-10-01)(实际为 '2015-09-01')"),
    "not_empty": (lambda d: d["structure"]["classes"][0].update(name=" "), None),
    "one_of": (lambda d: d["structure"]["classes"][0].update(tier="super"), None),
    "shares": (lambda d: d["structure"]["classes"][0].update(size=0.99), None),
    "criteria": (lambda d: d["pool"].update(eligibility={"max_rate": 2, "min_balance": -1}),
                 None),
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_a_deal_file_error_in_chinese(family: str) -> None:
    edit, expected = FAMILIES[family]
    error = _bad(edit)
    shown = render(error, "zh")
    for problem in error.problems:
        assert g.message(problem, "zh") is not None, problem
    if expected is not None:
        assert expected in shown, shown
    assert english(shown, {"deal", "json", "tranches"}) == set(), shown
    assert render(error, "en") == str(error)


def test_field_errors_and_limits_in_chinese() -> None:
    error = FieldError("structure.classes[1].coupon_annual", "must be in [0, 1) (got 1.5)")
    assert render(error, "zh") == "结构.第2档.票面利率:应在 [0, 1) 内(实际为 1.5)"
    assert error.code == "got"
    limit = LimitError("paths", "must be an integer from 1 to 1,000,000 (got 0)")
    assert render(limit, "zh") == "模拟路径数:应为 1 至 1,000,000 之间的整数(实际为 0)"
    with pytest.raises(InputError, match="eligibility criteria") as caught:
        EligibilityCriteria(max_rate=2.0, allowed_grades=[])
    assert english(render(caught.value, "zh")) == set(), render(caught.value, "zh")
    with pytest.raises(InputError, match="concentration limits") as caught:
        ConcentrationLimits(max_obligor_share=0)
    assert english(render(caught.value, "zh")) == set(), render(caught.value, "zh")


def test_an_untranslated_message_says_so() -> None:
    assert render_message("something new went wrong", "zh") == \
        "以下信息暂无中文译文:something new went wrong"
    assert render_message("something new went wrong", "en") == "something new went wrong"


def test_a_field_path_in_chinese() -> None:
    assert g.field_path("structure.classes[1].coupon_annual", "zh") == "结构.第2档.票面利率"
    assert g.field_path("structure.triggers[0].threshold[2]", "zh") == \
        "结构.触发事件第1项.阈值第3项"
    assert g.field_path("structure.classes[1].coupon_annual", "en") == \
        "structure.classes[1].coupon_annual"


def test_every_deal_field_has_a_chinese_name() -> None:
    import dataclasses
    import typing

    from abs_tool.model.deal import Deal

    seen: set[type] = set()
    names: set[str] = set()

    def walk(tp: object) -> None:
        for arg in typing.get_args(tp):
            walk(arg)
        if dataclasses.is_dataclass(tp) and isinstance(tp, type) and tp not in seen:
            seen.add(tp)
            hints = typing.get_type_hints(tp)
            for f in dataclasses.fields(tp):
                names.add(f.name)
                walk(hints[f.name])

    walk(Deal)
    assert names - set(g.DEAL_FIELDS_ZH) == set()


def test_field_errors_pickle() -> None:
    for error in (FieldError("a.b", "must be > 0 (got 0)"), LimitError("paths", "too many"),
                  DealFileError(["x: required"], "d.json")):
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error)
        assert str(back) == str(error)
