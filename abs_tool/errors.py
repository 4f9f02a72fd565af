"""Error hierarchy.

Every error a user can cause derives from :class:`InputError`; the UI and the CLI catch
:class:`AbsToolError` in one place and show its message. Anything else is a bug and surfaces
as one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field


class AbsToolError(Exception):
    """Base class of every error the tool raises on purpose."""


class InputError(AbsToolError):
    """Bad input from a user: a file, a field, a parameter."""


class ConvergenceError(AbsToolError):
    """A solver did not converge; the message says what was tried."""


@dataclass(frozen=True)
class Issue:
    """One finding about one value of an input file.

    ``row`` is the 1-based data row as a spreadsheet user counts it (the header is row 1,
    the first loan row 2); ``None`` when the finding concerns the whole file or a column.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str
    fatal: bool = True
    code: str | None = None
    """What the finding is, for a display in another language
    (:data:`abs_tool.glossary.REASONS`); None for a reason with no code (shown as written)."""
    params: tuple[tuple[str, str], ...] = ()
    """The values of the reason's template, as ``(name, text)`` pairs."""

    def reason_in(self, lang: str) -> str:
        """The reason in ``lang`` (``"en"``: :attr:`reason` itself); a finding without a code
        is said through the error messages' templates
        (:data:`abs_tool.glossary.MESSAGES`), or kept in English where none fits."""
        from abs_tool import glossary as g

        if lang == "en":
            return self.reason
        if self.code is None:
            return g.message(self.reason, lang) or self.reason
        return g.reason(self.code, dict(self.params), lang)

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column `{self.column}`"
        shown = "" if self.value is None else f" (got {self.value!r})"
        return f"{where}: {self.reason}{shown}"


@dataclass(frozen=True)
class ValidationReport:
    """All findings about one input, errors and warnings alike, in file order."""

    file: str
    issues: tuple[Issue, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.fatal)

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if not i.fatal)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_records(self, lang: str = "en") -> list[dict[str, object]]:
        """Rows for a table: severity, row, column, value, reason (the reason in ``lang``
        where the finding has a code, :meth:`Issue.reason_in`)."""
        return [
            {
                "severity": "error" if i.fatal else "warning",
                "row": i.row,
                "column": i.column,
                "value": i.value,
                "reason": i.reason_in(lang),
            }
            for i in self.issues
        ]

    def __str__(self) -> str:
        lines = [
            f"{self.file}: {len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        ]
        lines += [("ERROR   " if i.fatal else "WARNING ") + str(i) for i in self.issues]
        return "\n".join(lines)


class TapeError(InputError):
    """A loan tape that cannot be loaded; carries the whole report."""

    def __init__(self, report: ValidationReport, limit: int = 20) -> None:
        self.report = report
        shown = [str(i) for i in report.errors[:limit]]
        more = len(report.errors) - len(shown)
        tail = [f"... and {more} more error(s)"] if more > 0 else []
        super().__init__(
            f"{report.file}: the tape was not loaded, {len(report.errors)} error(s):\n"
            + "\n".join(shown + tail)
        )


class DealFileError(InputError):
    """A deal file with invalid fields; each message names the field path."""

    def __init__(self, problems: list[str], file: str = "deal file") -> None:
        self.problems = tuple(problems)
        self.file = file
        super().__init__(f"{file}: " + "; ".join(problems) if len(problems) == 1 else
                         f"{file}: {len(problems)} problem(s):\n" + "\n".join(problems))

    def __reduce__(self) -> tuple[type[DealFileError], tuple[list[str], str]]:
        return type(self), (list(self.problems), self.file)


class AssumptionError(InputError):
    """An assumption (default, prepayment, recovery) that cannot be used."""


class FieldError(InputError):
    """An invalid field of a domain object.

    ``field`` is the path inside the object (``coupon``, ``classes[1].coupon``); a loader
    that knows where the object sits prefixes it (``structure.classes[1].coupon``), so the
    message always names the full path.
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")

    def __reduce__(self) -> tuple[type[FieldError], tuple[str, str]]:
        # Exceptions pickle as ``type(*args)``, and ``args`` holds the one joined text.
        return type(self), (self.field, self.message)

    @property
    def code(self) -> str | None:
        """The code of the message's template (:data:`abs_tool.glossary.MESSAGES`), or None
        for a message no template fits."""
        from abs_tool.glossary import message_code

        return message_code(self.message)

    def within(self, parent: str) -> FieldError:
        """The same error one level up: ``parent.field``."""
        joined = f"{parent}{self.field}" if self.field.startswith("[") else f"{parent}.{self.field}"
        return type(self)(joined, self.message)


class LimitError(FieldError):
    """A request over one of the documented limits (``docs/limits.md``): too many paths, a
    horizon too long, a run whose estimated memory or time exceeds the budget.

    ``field`` names what to change (a field path such as ``dates.legal_final``, or a
    parameter such as ``paths``); the message gives the limit and the value asked for.
    """


class OutputError(InputError, OSError):
    """An output file that cannot be written; the message names the target, never the
    temporary file beside it. It is an :class:`OSError` too, for callers that handle
    those."""


def render(error: BaseException, lang: str) -> str:
    """``error``'s message in ``lang``, as the app and the command line show it.

    English is ``str(error)``. In Chinese: a field error names its field by the glossary's
    field names (结构.第2档.票面利率) and says the message through
    :data:`abs_tool.glossary.MESSAGES`; a deal-file error lists each problem so; an error
    carrying a :class:`ValidationReport` (a tape, a static pool, a default schedule, a rating
    table) lists its findings' reasons (:meth:`Issue.reason_in`) after its lead sentence
    (:data:`abs_tool.glossary.ERROR_TEXT`); any other library error is its message
    translated. A message no template fits is shown in English after a lead sentence that
    says so. Every word around the messages is the glossary's.
    """
    from abs_tool import glossary as g

    if g.lang_index(lang) == 0:
        return str(error)

    said = functools.partial(render_message, lang=lang)
    if isinstance(error, FieldError):
        return f"{g.field_path(error.field, lang)}:{said(error.message)}"
    if isinstance(error, DealFileError):
        if len(error.problems) == 1:
            return f"{error.file}:{said(error.problems[0])}"
        lines = [said(p) for p in error.problems]
        return g.term(g.ERROR_TEXT, "problems", lang).format(file=error.file, n=len(lines)) \
            + "\n" + "\n".join(lines)
    report = getattr(error, "report", None)
    lead = next((f"report.{c.__name__}" for c in type(error).__mro__
                 if f"report.{c.__name__}" in g.ERROR_TEXT), None)
    if isinstance(report, ValidationReport) and lead is not None:
        row = g.term(g.ERROR_TEXT, "row", lang)
        findings = [("" if i.row is None else row.format(row=i.row)) + i.reason_in(lang)
                    for i in report.errors]
        return g.term(g.ERROR_TEXT, lead, lang).format(file=report.file, n=len(findings)) \
            + "\n" + "\n".join(findings)
    return said(str(error))


def render_message(text: str, lang: str) -> str:
    """A library error message (without its field) in ``lang``, as :func:`render` says it."""
    from abs_tool import glossary as g

    shown = g.message(text, lang)
    return g.term(g.ERROR_TEXT, "untranslated", lang).format(message=text) if shown is None \
        else shown
