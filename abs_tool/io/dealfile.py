"""Read and write deal files: a :class:`~abs_tool.model.deal.Deal` as versioned JSON.

This is an edge module, the only place where deal files are parsed. The JSON keys are the
dataclass field names of :mod:`abs_tool.model.deal` and :mod:`abs_tool.model.assumptions`; one
generic reader walks the type hints of those dataclasses, so a field added there is read and
written here without new code, and appears in the JSON Schema that
:mod:`abs_tool.io.deal_schema` derives from the same walk. Every problem in a file is collected
with its full field path (``structure.classes[1].coupon_annual: must be in [0, 1) (got 1.5)``)
and reported in one :class:`~abs_tool.errors.DealFileError`.
``deal_from_dict(deal_to_dict(d)) == d`` for every deal. The format is described in
``docs/deal_file.md``.
"""

from __future__ import annotations

import difflib
import functools
import json
import math
import os
import re
import types
from collections.abc import Callable, Mapping
from dataclasses import MISSING, Field, dataclass, fields, is_dataclass
from datetime import date
from enum import Enum
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Literal, Union, cast, get_args, get_origin, get_type_hints

from abs_tool.errors import DealFileError, FieldError, InputError
from abs_tool.io.atomic import checked_path, read_input, too_large, write_atomic
from abs_tool.io.samples import SAMPLE_NAMES, sample_pool
from abs_tool.io.tape import RateUnit as TapeRateUnit, load_tape
from abs_tool.limits import (
    MAX_DEAL_FILE_BYTES,
    MAX_JSON_DEPTH,
    MAX_JSON_INT_DIGITS,
    MAX_JSON_VALUES,
    check_amount,
)
from abs_tool.model.assumptions import AnnualPd, CdrVector, LifetimeDefault
from abs_tool.model.deal import Deal, NoteClass, PoolSource, SizeUnit, Structure
from abs_tool.model.eligibility import EligibilityCriteria, EligibilityResult, apply_eligibility
from abs_tool.model.pool import Pool

__all__ = [
    "DEAL_FILE_VERSION",
    "MAX_DEAL_FILE_BYTES",
    "SAMPLE_DEALS",
    "SCHEMA_KEY",
    "deal_from_dict",
    "deal_from_json",
    "deal_json",
    "deal_to_dict",
    "load_deal",
    "load_deal_pool",
    "load_sample_deal",
    "sample_deal_path",
    "save_deal",
]

DEAL_FILE_VERSION = 1

SCHEMA_KEY = "$schema"
"""Top-level key naming a JSON Schema for editors (``docs/deal_file.md``); the reader takes a
string there and ignores it."""

SAMPLE_DEALS: dict[str, str] = {
    "consumer": "consumer_baitiao.json",
    "factoring": "factoring_jingbaobei.json",
}
"""Built-in sample deal name -> file under ``abs_tool/data/deals``."""

_SAMPLE_DIR = Path(__file__).parents[1] / "data" / "deals"

# A field typed as a union of dataclasses is a tagged variant: its JSON object names the
# variant in "type", and the other keys are that variant's fields.
_VARIANT_TAGS: dict[type, str] = {
    AnnualPd: "annual_pd",
    CdrVector: "cdr",
    LifetimeDefault: "lifetime",
}
_TAG_KEY = "type"

# difflib's default cutoff (0.6) misses a dropped suffix: "cupon" vs "coupon_annual" is 0.56.
_SUGGEST_CUTOFF = 0.5
_SHOWN_CHARS = 60
# [0-9], not \d: the schema's "pattern" reuses it, and Python's \d takes other scripts' digits.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

_INVALID: Any = object()
"""What a reader returns for a value it could not read; the problem is already recorded."""

# Quoted JSON strings, escapes included: removed to count the values outside them.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')


@dataclass(frozen=True)
class _Unreadable:
    """A JSON value the parser accepts but a deal file cannot hold (NaN, Infinity, an
    integer of thousands of digits): kept in place of the value so that the field reader
    reports it with its path."""

    shown: str
    message: str

    def __repr__(self) -> str:
        return self.shown


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def deal_from_dict(data: Mapping[str, Any], *, file: str = "deal file") -> Deal:
    """Build a :class:`Deal` from the parsed JSON of a deal file.

    Parameters
    ----------
    data
        The JSON object: ``version`` plus the fields of :class:`Deal` (``docs/deal_file.md``),
        and optionally a :data:`SCHEMA_KEY` string, which is not read.
    file
        The name shown in front of every problem.

    Returns
    -------
    Deal
        The validated deal.

    Raises
    ------
    DealFileError
        With every problem found, each naming its field path: unsupported ``version``, unknown
        or missing keys, wrong JSON types, values a domain object rejects, share-sized classes
        that do not add up to the pool; lists and objects nested deeper than
        :data:`~abs_tool.limits.MAX_JSON_DEPTH`.
    """
    if not isinstance(data, Mapping):
        raise DealFileError([f"a deal file holds one JSON object {{...}} (got {_shown(data)})"],
                            file)
    if _depth(data) > MAX_JSON_DEPTH:
        # The reader walks the file by the dataclasses' fields, but messages show values,
        # and showing a value nested thousands deep would overflow Python's stack.
        raise DealFileError([f"lists and objects are nested more than {MAX_JSON_DEPTH} levels "
                             "deep; a deal file needs 6"], file)
    problems: list[str] = []
    version = data.get("version", _INVALID)
    if isinstance(version, _Unreadable):
        raise DealFileError([f"version: {version.message}"], file)
    if version is _INVALID:
        problems.append(f"version: required; this tool reads version {DEAL_FILE_VERSION}")
    elif isinstance(version, bool) or version != DEAL_FILE_VERSION:
        # A file of another version is laid out differently: reading it by this version's
        # rules would only bury this one message under consequential ones.
        raise DealFileError([f"version: unsupported deal file version {_shown(version)}; "
                             f"this tool reads version {DEAL_FILE_VERSION}"], file)
    if SCHEMA_KEY in data:
        _read(str, data[SCHEMA_KEY], SCHEMA_KEY, problems)
    deal = _read_dataclass(Deal, data, "", problems, extra_keys=("version", SCHEMA_KEY))
    if problems:
        raise DealFileError(problems, file)
    return cast(Deal, deal)


def deal_to_dict(deal: Deal, *, schema: str | None = None) -> dict[str, Any]:
    """The JSON-ready dict of ``deal``; :func:`deal_from_dict` gives back an equal deal.

    Fields that are ``None`` and default to ``None`` are left out; every other field is
    written, defaults included, so that a file shows every number the tool uses.

    Parameters
    ----------
    deal
        The deal.
    schema
        Written first as :data:`SCHEMA_KEY` when given: the schema's URL or path relative to
        the file, for an editor to check the file against (``docs/deal_file.md``).
    """
    head = {} if schema is None else {SCHEMA_KEY: schema}
    return {**head, "version": DEAL_FILE_VERSION, **_write(Deal, deal)}


def deal_json(deal: Deal, *, schema: str | None = None) -> str:
    """The deal file text of ``deal`` (``schema`` as in :func:`deal_to_dict`): JSON indented
    by two spaces, Chinese kept as is, and lists of numbers or strings on one line (they are
    vectors a person reads across)."""
    return _format(deal_to_dict(deal, schema=schema), "") + "\n"


def deal_from_json(text: str | bytes, *, file: str = "deal file") -> Deal:
    """Parse deal file text (an upload, say) into a :class:`Deal`.

    Parameters
    ----------
    text
        The JSON text, or its bytes in UTF-8 (a byte-order mark is accepted); at most
        :data:`~abs_tool.limits.MAX_DEAL_FILE_BYTES` bytes (characters for text).
    file
        The name shown in front of every problem.

    Raises
    ------
    DealFileError
        Text over the size limit or with more than :data:`~abs_tool.limits.MAX_JSON_VALUES`
        values outside its strings (checked before parsing, so that memory stays bounded),
        bytes that are not UTF-8, invalid JSON (with line and column), duplicate keys,
        nesting deeper than :data:`~abs_tool.limits.MAX_JSON_DEPTH`, and everything
        :func:`deal_from_dict` raises (NaN, Infinity and integers of more than
        :data:`~abs_tool.limits.MAX_JSON_INT_DIGITS` digits are reported at their field).
    """
    if len(text) > MAX_DEAL_FILE_BYTES:
        raise DealFileError([too_large(len(text), MAX_DEAL_FILE_BYTES)], file)
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DealFileError([f"not UTF-8 text (byte {exc.start}); save the file as "
                                 "UTF-8"], file) from None
    text = text.removeprefix("\ufeff")
    values = _json_values(text)
    if values > MAX_JSON_VALUES:
        raise DealFileError([f"the file holds about {values:,} JSON values (numbers, strings, "
                             f"lists, objects), over the limit of {MAX_JSON_VALUES:,}; a deal "
                             "file needs a few thousand"], file)
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_non_finite,
                          parse_int=_integer)
    except json.JSONDecodeError as exc:
        raise DealFileError([f"invalid JSON at line {exc.lineno}, column {exc.colno}: "
                             f"{exc.msg}"], file) from None
    except _JsonValueError as exc:
        raise DealFileError([str(exc)], file) from None
    except RecursionError:
        raise DealFileError([f"lists and objects are nested more than {MAX_JSON_DEPTH} levels "
                             "deep; a deal file needs 6"], file) from None
    return deal_from_dict(data, file=file)


def load_deal(path: str | os.PathLike[str]) -> Deal:
    """Read a deal file.

    Parameters
    ----------
    path
        The ``.json`` file; a tape it names is resolved against its folder by
        :func:`load_deal_pool`.

    Raises
    ------
    DealFileError
        When the file cannot be read, is not a regular file (a folder, a pipe, a device),
        is larger than :data:`~abs_tool.limits.MAX_DEAL_FILE_BYTES` (refused before it is
        read), or as :func:`deal_from_json`; messages start with ``path``.
    InputError
        A path with a NUL character.
    """
    checked_path(path, "deal file")  # before the path is printed in a message
    try:
        data = read_input(path, max_bytes=MAX_DEAL_FILE_BYTES, expected="a .json deal file")
    except InputError as exc:
        raise DealFileError([str(exc)], str(path)) from None
    return deal_from_json(data, file=str(path))


def save_deal(deal: Deal, path: str | os.PathLike[str], *, schema: str | None = None) -> None:
    """Write ``deal`` to ``path`` as a deal file, atomically; ``schema`` as in
    :func:`deal_to_dict`.

    The text goes to a temporary file in the target's folder, which then replaces the target
    in one step: a failure leaves the old file (or none) and no partial or temporary file.

    Raises
    ------
    OutputError
        When the target cannot be written (an :class:`OSError` too); the message names it.
    """
    write_atomic(path, deal_json(deal, schema=schema).encode("utf-8"))


def sample_deal_path(name: str) -> Path:
    """The packaged deal file of a built-in sample deal.

    Parameters
    ----------
    name
        A key of :data:`SAMPLE_DEALS`: ``"consumer"`` (Baitiao-like consumer instalment ABS)
        or ``"factoring"`` (Jingbaobei-like supply-chain factoring ABS).

    Raises
    ------
    InputError
        For an unknown name; the message lists the known ones.
    """
    if name not in SAMPLE_DEALS:
        raise InputError(f"unknown sample deal {name!r}; expected one of {list(SAMPLE_DEALS)}")
    return _SAMPLE_DIR / SAMPLE_DEALS[name]


def load_sample_deal(name: str) -> Deal:
    """The built-in sample deal ``name`` (see :func:`sample_deal_path`)."""
    return load_deal(sample_deal_path(name))


def load_deal_pool(
    deal: Deal, base_dir: Path | None, *, allow_files: bool = True
) -> tuple[Pool, EligibilityResult | None]:
    """Build the pool a deal names: load it, scale it, select the eligible loans.

    Steps, in order: the source (``sample``: :func:`abs_tool.io.samples.sample_pool` with
    ``sample_seed``; ``tape``: :func:`abs_tool.io.tape.load_tape` of the path relative to
    ``base_dir``; ``embedded_csv``: the CSV text in the file); then ``scale_to_balance``
    multiplies every ``balance`` and ``original_balance`` by one factor, so the pool balance
    equals it to float rounding; then ``eligibility`` and ``concentration`` through
    :func:`abs_tool.model.eligibility.apply_eligibility`. Last, the class sizes must add up to the
    resulting pool balance.

    Parameters
    ----------
    deal
        The deal.
    base_dir
        The deal file's folder, against which a ``tape`` path is resolved; ``None`` when the
        deal has no folder (then a ``tape`` is refused).
    allow_files
        ``False`` refuses any ``tape`` path. The web app loads uploaded deal files this way so
        that an upload can never read a file on the server.

    Returns
    -------
    pool, eligibility
        The pool the deal is modelled on, and the eligibility outcome (``None`` when the deal
        sets no eligibility criteria or concentration limits).

    Raises
    ------
    DealFileError
        A ``tape`` path that is refused (``allow_files=False``, no ``base_dir``, absolute, or
        leading outside ``base_dir``); class sizes that do not add up to the pool
        (``structure.classes``).
    TapeError
        The tape cannot be loaded; the error carries the whole report.
    InputError
        Eligibility removed every loan.
    """
    source = deal.pool
    rate_unit: TapeRateUnit = source.rate_unit.value
    if source.sample is not None:
        pool = sample_pool(source.sample, seed=source.sample_seed)
    elif source.tape is not None:
        path = _tape_path(source.tape, base_dir, allow_files)
        pool = load_tape(path, file_name=source.tape, sheet=source.sheet, rate_unit=rate_unit)
    else:
        assert source.embedded_csv is not None  # PoolSource holds exactly one source
        pool = load_tape(source.embedded_csv.encode("utf-8"), file_name="embedded.csv",
                         rate_unit=rate_unit)
        if source.file_name is not None:  # the file it came from (its suffix is no format)
            pool = Pool(pool.loans, name=source.file_name)
    if source.scale_to_balance is not None:
        pool = _scaled(pool, source.scale_to_balance)
    result = None
    if source.eligibility is not None or source.concentration is not None:
        result = apply_eligibility(pool, source.eligibility or EligibilityCriteria(),
                                   source.concentration)
        pool = result.pool
    try:
        deal.structure.class_amounts(pool.balance)
    except FieldError as exc:
        raise DealFileError([str(exc.within("structure"))]) from None
    return pool, result


# --------------------------------------------------------------------------------------------
# Pool helpers
# --------------------------------------------------------------------------------------------


def _tape_path(tape: str, base_dir: Path | None, allow_files: bool) -> Path:
    """The tape file of ``pool.tape``, refused unless it lies inside ``base_dir``."""
    def refuse(reason: str) -> DealFileError:
        return DealFileError([f"pool.tape: {reason} (got {tape!r})"])

    if not allow_files:
        raise refuse("this deal file may not read files (an uploaded deal file cannot name "
                     "a tape on the server); give the pool as `embedded_csv` or `sample`, or "
                     "upload the tape separately")
    if base_dir is None:
        raise refuse("the deal has no folder to find a tape in; give the pool as "
                      "`embedded_csv` or `sample`")
    if PurePosixPath(tape).is_absolute() or PureWindowsPath(tape).is_absolute() \
            or PureWindowsPath(tape).drive:
        raise refuse("an absolute path is not allowed; give the path relative to the deal "
                     "file's folder")
    root = base_dir.resolve()
    path = (root / tape).resolve()
    if not path.is_relative_to(root):
        raise refuse("the path leads outside the deal file's folder; put the tape in that "
                     "folder or below it")
    return path


def _scaled(pool: Pool, target: float) -> Pool:
    """``pool`` with every balance and original balance times ``target / pool.balance``.

    One factor for every loan keeps the pool's composition. The new balance equals ``target``
    to float rounding (a few 1e-16 relative, such as 2e-7 on RMB 2bn), which class sizing
    tolerates (:data:`abs_tool.model.deal.SHARE_TOLERANCE`).
    """
    factor = target / pool.balance
    loans = pool.loans.copy()
    loans["balance"] = loans["balance"] * factor
    loans["original_balance"] = loans["original_balance"] * factor
    return Pool(loans, name=pool.name)


# --------------------------------------------------------------------------------------------
# Cross-field checks the dataclasses cannot make alone
# --------------------------------------------------------------------------------------------


def _share_sizes_add_up(structure: Structure) -> list[tuple[str, str]]:
    """Share-sized classes must add up to the pool; amounts are checked once it is known."""
    if any(c.size_unit != SizeUnit.SHARE for c in structure.classes):
        return []
    try:
        structure.class_amounts(1.0)
    except FieldError:
        sizes = [c.size for c in structure.classes]
        return [("classes", f"class shares add up to {math.fsum(sizes):.8g}, not 1 "
                            f"(got {sizes}); the classes must add up to the whole pool")]
    return []


def _class_amount(note: NoteClass) -> list[tuple[str, str]]:
    """A class sized by amount has a money amount's range (``docs/limits.md``)."""
    if note.size_unit != SizeUnit.AMOUNT:
        return []
    try:
        check_amount("size", note.size)
    except FieldError as exc:
        return [("size", exc.message)]
    return []


def _sample_is_known(source: PoolSource) -> list[tuple[str, str]]:
    if source.sample is None or source.sample in SAMPLE_NAMES:
        return []
    return [("sample", f"unknown sample pool; expected one of {_listed(SAMPLE_NAMES)} "
                       f"(got {source.sample!r})")]


_CHECKS: dict[type, Callable[[Any], list[tuple[str, str]]]] = {
    Structure: _share_sizes_add_up,
    PoolSource: _sample_is_known,
    NoteClass: _class_amount,
}
"""Checks run on an object once it is built: ``(field, message)`` per problem."""


# --------------------------------------------------------------------------------------------
# The forms of JSON values: one reading of the type hints for the reader, writer and schema
# --------------------------------------------------------------------------------------------

_Form = Literal["optional", "variant", "pairs", "vector", "list", "object", "enum", "date",
                "scalar"]


def _form(tp: Any) -> tuple[_Form, Any]:
    """How a deal file gives a value of type hint ``tp``.

    The reader, the writer and :mod:`abs_tool.io.deal_schema` all branch on this, so the
    published schema describes the forms the reader takes.

    Returns
    -------
    form, detail
        ``"optional"``: the type without ``None``, and ``null`` besides. ``"variant"``:
        ``{tag: dataclass}``, an object naming its variant in ``"type"``. ``"pairs"``: the
        value type of ``tuple[tuple[str, X], ...]``, an object of key: value whose order is
        kept. ``"vector"``: ``float``, a list of numbers or one number (a vector whose last
        value repeats). ``"list"``: the item type. ``"object"``: the dataclass. ``"enum"``:
        the enum class, given by value. ``"date"``: an ISO date string. ``"scalar"``:
        ``bool``, ``int``, ``float`` or ``str``.

    Raises
    ------
    TypeError
        A type hint that no form covers: a model field of a new kind needs one here.
    """
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        members = tuple(a for a in get_args(tp) if a is not type(None))
        if len(members) < len(get_args(tp)):
            return "optional", Union[members]  # noqa: UP007 (`|` has no form for a tuple)
        return "variant", {_VARIANT_TAGS[m]: m for m in members}
    if origin is tuple:
        item = get_args(tp)[0]
        if get_origin(item) is tuple:
            return "pairs", get_args(item)[1]
        return ("vector" if item is float else "list"), item
    if is_dataclass(tp):
        return "object", tp
    if isinstance(tp, type) and issubclass(tp, Enum):
        return "enum", tp
    if tp is date:
        return "date", tp
    if tp in (bool, int, float, str):
        return "scalar", tp
    raise TypeError(f"no deal-file form for type {tp!r}")


def _required(f: Field[Any]) -> bool:
    """Whether a file must give the dataclass field ``f``: it has no default."""
    return f.default is MISSING and f.default_factory is MISSING


def _money(f: Field[Any]) -> bool | None:
    """``None`` unless the field is a money amount (metadata :data:`abs_tool.limits.AMOUNT`
    or :data:`~abs_tool.limits.AMOUNT_OR_ZERO`); then whether it may be 0."""
    zero = f.metadata.get("amount")
    return None if zero is None else bool(zero)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


# --------------------------------------------------------------------------------------------
# The generic reader: JSON value + type hint -> typed value
# --------------------------------------------------------------------------------------------


def _read(tp: Any, value: Any, path: str, problems: list[str]) -> Any:
    """``value`` as type ``tp``, or :data:`_INVALID` after appending the problem(s)."""
    if isinstance(value, _Unreadable):
        return _problem(problems, path, value.message)
    form, detail = _form(tp)
    match form:
        case "optional":
            return None if value is None else _read(detail, value, path, problems)
        case "variant":
            return _read_variant(detail, value, path, problems)
        case "pairs":
            return _read_pairs(detail, value, path, problems)
        case "vector" if not isinstance(value, list):
            # A vector whose last value repeats: one number means that value throughout.
            single = _read(detail, value, path, problems)
            return _INVALID if single is _INVALID else (single,)
        case "vector" | "list":
            return _read_list(detail, value, path, problems)
        case "object":
            return _read_dataclass(detail, value, path, problems)
        case "enum":
            allowed = [m.value for m in detail]
            if not isinstance(value, str) or value not in allowed:
                return _problem(problems, path, f"must be one of {_listed(allowed)} (got "
                                                f"{_shown(value, python=isinstance(value, str))})")
            return detail(value)
        case "date":
            return _read_date(value, path, problems)
        case _:
            return _read_scalar(detail, value, path, problems)


def _read_scalar(tp: type, value: Any, path: str, problems: list[str]) -> Any:
    # bool is an int in Python but not in JSON: `true` is no number of paths.
    if tp is bool:
        ok, expected = isinstance(value, bool), "true or false"
    elif tp is int:
        ok, expected = isinstance(value, int) and not isinstance(value, bool), "an integer"
    elif tp is float:
        # json reads 1e400 as inf; a deal file holds finite numbers only.
        ok = isinstance(value, int | float) and not isinstance(value, bool) and _finite(value)
        expected = "a finite number"
    else:
        ok, expected = isinstance(value, str), "a string"
        if ok and not _is_text(value):
            return _problem(problems, path, "holds a lone surrogate escape (\\ud800 to "
                                            "\\udfff), which is no character; give UTF-8 text")
    if not ok:
        return _problem(problems, path, f"must be {expected} (got {_shown(value)})")
    return float(value) if tp is float else value


def _read_date(value: Any, path: str, problems: list[str]) -> Any:
    if not isinstance(value, str):
        return _problem(problems, path, f"must be an ISO date string \"YYYY-MM-DD\" "
                                        f"(got {_shown(value)})")
    if not _ISO_DATE.fullmatch(value):
        return _problem(problems, path, f"not an ISO date YYYY-MM-DD (got {value!r})")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        return _problem(problems, path, f"not a calendar date: {exc} (got {value!r})")


def _read_pairs(tp: Any, value: Any, path: str, problems: list[str]) -> Any:
    """``tuple[tuple[str, X], ...]``, such as grade -> PD, from an object (which keeps the
    order)."""
    if not isinstance(value, Mapping):
        return _problem(problems, path, f"must be an object of key: value (got {_shown(value)})")
    pairs = [(k, _read(tp, v, f"{path}[{k!r}]", problems)) for k, v in value.items()]
    return _INVALID if any(v is _INVALID for _, v in pairs) else tuple(pairs)


def _read_list(tp: Any, value: Any, path: str, problems: list[str]) -> Any:
    """``tuple[X, ...]`` from a list."""
    if not isinstance(value, list):
        return _problem(problems, path, f"must be a list (got {_shown(value)})")
    items = [_read(tp, v, f"{path}[{i}]", problems) for i, v in enumerate(value)]
    return _INVALID if any(v is _INVALID for v in items) else tuple(items)


def _read_variant(tags: dict[str, type], value: Any, path: str, problems: list[str]) -> Any:
    if not isinstance(value, Mapping):
        return _problem(problems, path, f"must be an object with \"{_TAG_KEY}\" one of "
                                        f"{_listed(tags)} (got {_shown(value)})")
    tag = value.get(_TAG_KEY, _INVALID)
    if tag is _INVALID:
        return _problem(problems, _join(path, _TAG_KEY),
                        f"required: one of {_listed(tags)}")
    if not isinstance(tag, str) or tag not in tags:
        return _problem(problems, _join(path, _TAG_KEY),
                        f"must be one of {_listed(tags)} "
                        f"(got {_shown(tag, python=isinstance(tag, str))})")
    return _read_dataclass(tags[tag], value, path, problems, extra_keys=(_TAG_KEY,))


def _read_dataclass(cls: Any, value: Any, path: str, problems: list[str],
                    extra_keys: tuple[str, ...] = ()) -> Any:
    """Build ``cls`` from a JSON object, reading each field by its type hint.

    Unknown keys, missing required fields and unreadable fields are all recorded before the
    object is built, so one pass reports every problem of the object; the object itself (and
    its own cross-field checks) is built only when all its fields could be read.
    """
    if not isinstance(value, Mapping):
        return _problem(problems, path, f"must be an object {{...}} (got {_shown(value)})")
    hints = _hints(cls)
    names = [f.name for f in fields(cls)]
    for key in value:
        if key not in names and key not in extra_keys:
            problems.append(f"{_join(path, str(key))}: {_unknown(str(key), names)}")
    kwargs: dict[str, Any] = {}
    complete = True
    for f in fields(cls):
        if f.name in value:
            read = _read(hints[f.name], value[f.name], _join(path, f.name), problems)
            zero = _money(f)
            if read is not _INVALID and read is not None and zero is not None:
                read = _amount(read, zero, _join(path, f.name), problems)
        elif _required(f):
            read = _problem(problems, _join(path, f.name), "required")
        else:
            continue  # the dataclass default applies
        if read is _INVALID:
            complete = False
        else:
            kwargs[f.name] = read
    if not complete:
        return _INVALID
    try:
        built = cls(**kwargs)
    except FieldError as exc:
        return _problem(problems, "", str(exc.within(path) if path else exc))
    except InputError as exc:  # eligibility rules report several fields in one message
        return _problem(problems, path, str(exc))
    found = _CHECKS.get(cls, lambda _: [])(built)
    problems.extend(f"{_join(path, name)}: {message}" for name, message in found)
    return _INVALID if found else built


# --------------------------------------------------------------------------------------------
# The generic writer: typed value + type hint -> JSON value
# --------------------------------------------------------------------------------------------


def _write(tp: Any, value: Any) -> Any:
    """The JSON value of ``value``, the inverse of :func:`_read` for the same ``tp``."""
    if value is None:
        return None
    form, detail = _form(tp)
    match form:
        case "optional":
            return _write(detail, value)
        case "variant":
            variant = type(value)
            return {_TAG_KEY: _VARIANT_TAGS[variant], **_write(variant, value)}
        case "pairs":
            return {k: _write(detail, v) for k, v in value}
        case "vector" | "list":
            return [_write(detail, v) for v in value]
        case "object":
            hints = _hints(detail)
            out = {}
            for f in fields(detail):
                field_value = getattr(value, f.name)
                if field_value is None and f.default is None:
                    continue
                out[f.name] = _write(hints[f.name], field_value)
            return out
        case "date":
            return value.isoformat()
        case "enum":
            return detail(value).value
        case _:
            return detail(value)


def _format(value: Any, indent: str) -> str:
    """``value`` as JSON text; objects and lists of objects one item a line."""
    inner = indent + "  "
    if isinstance(value, dict) and value:
        items = [f"{inner}{_atom(k)}: {_format(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        items = [f"{inner}{_format(v, inner)}" for v in value]
        return "[\n" + ",\n".join(items) + f"\n{indent}]"
    return _atom(value)


def _atom(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


# --------------------------------------------------------------------------------------------
# Messages and JSON details
# --------------------------------------------------------------------------------------------


def _finite(number: float) -> bool:
    try:
        return math.isfinite(number)
    except OverflowError:  # an integer beyond float range
        return False


def _amount(value: float, zero: bool, path: str, problems: list[str]) -> Any:
    """A money field of the file (its dataclass field's metadata says so) within the range
    of :func:`abs_tool.limits.check_amount`, else :data:`_INVALID`."""
    try:
        check_amount(path, value, zero=zero)
    except FieldError as exc:
        return _problem(problems, path, exc.message)
    return value


def _problem(problems: list[str], path: str, message: str) -> Any:
    problems.append(f"{path}: {message}" if path else message)
    return _INVALID


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _unknown(key: str, names: list[str]) -> str:
    close = difflib.get_close_matches(key, names, n=1, cutoff=_SUGGEST_CUTOFF)
    if close:
        return f"unknown field; did you mean {close[0]!r}?"
    return f"unknown field; expected one of {_listed(names)}"


def _listed(values: Any) -> str:
    return ", ".join(repr(v) for v in values)


def _shown(value: Any, *, python: bool = False) -> str:
    """A value for a message: as written in JSON (a wrong JSON type), or Python's repr (a
    string with the wrong content, like the domain objects' messages); long values cut."""
    if python:
        text = repr(value)
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


class _JsonValueError(ValueError):
    """Valid JSON syntax that a deal file still refuses."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # The standard parser keeps the last of two equal keys; a deal file would then silently
    # lose the first value.
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _JsonValueError(f"duplicate key {key!r} in one JSON object; give it once")
        seen[key] = value
    return seen


def _non_finite(name: str) -> _Unreadable:
    return _Unreadable(name, f"{name} is not valid JSON; give a finite number")


def _integer(text: str) -> int | _Unreadable:
    # Python refuses to convert more than 4,300 digits (a ValueError without a field), and
    # no field takes an integer beyond any float, so long ones are reported at their field.
    digits = len(text.lstrip("-"))
    if digits > MAX_JSON_INT_DIGITS:
        return _Unreadable(f"<a number of {digits:,} digits>",
                           f"a number of {digits:,} digits is out of range")
    return int(text)


def _is_text(value: str) -> bool:
    """Whether ``value`` is encodable text: JSON's ``\\ud800`` escapes give lone surrogates,
    which no file, table or terminal can take."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json_values(text: str) -> int:
    """An upper bound on the JSON values of ``text`` (each comma, colon or opening bracket
    outside a string starts at most one), counted without parsing."""
    def count(t: str) -> int:
        return t.count(",") + t.count(":") + t.count("[") + t.count("{") + 1

    bound = count(text)
    # Commas inside strings (an embedded CSV) inflate the quick count: recount without them.
    return bound if bound <= MAX_JSON_VALUES else count(_JSON_STRING.sub("", text))


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value``; stops counting past the limit."""
    deepest, stack = 0, [(value, 1)]
    while stack and deepest <= MAX_JSON_DEPTH:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest
