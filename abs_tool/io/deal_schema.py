"""The JSON Schema of deal files, derived from the types the deal-file reader walks.

:mod:`abs_tool.io.dealfile` reads a deal file by walking the type hints of the deal's frozen
dataclasses. This module walks the same hints through the same forms
(:func:`abs_tool.io.dealfile._form`: optional, tagged variant, key: value pairs, vector, list,
object, enum, date, scalar) and states what the reader takes as a JSON Schema (draft 2020-12),
so that an editor completes and checks a deal file as it is typed (``docs/deal_file.md``).

The schema holds the shape of a file: its keys, JSON types, variants, choices, dates, and the
money range that fields declare in their metadata (:data:`abs_tool.limits.AMOUNT`). Rules the
dataclasses check in code (rates in [0, 1), dates in order, shares adding up to 1) stay with the
reader, whose messages are the reference: a file the reader takes always passes the schema, but
a file that passes the schema may still be refused.

The package ships the schema as ``abs_tool/data/deal.schema.json``; regenerate it with::

    python -m abs_tool.io.deal_schema > abs_tool/data/deal.schema.json
"""

from __future__ import annotations

import inspect
import sys
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

from abs_tool.io.dealfile import (
    _ISO_DATE,
    _TAG_KEY,
    DEAL_FILE_VERSION,
    SCHEMA_KEY,
    _form,
    _format,
    _hints,
    _money,
    _required,
    _write,
)
from abs_tool.limits import MAX_DEAL_AMOUNT, MIN_AMOUNT
from abs_tool.model.deal import Deal

__all__ = ["DIALECT", "SCHEMA_PATH", "deal_schema", "schema_json"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
"""The JSON Schema draft the schema is written in."""

SCHEMA_PATH = Path(__file__).parents[1] / "data" / "deal.schema.json"
"""The schema shipped with the package."""

_JSON_TYPES: dict[type, str] = {bool: "boolean", int: "integer", float: "number", str: "string"}


def deal_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a deal file.

    Returns
    -------
    dict
        The schema, JSON-ready: the :class:`~abs_tool.model.deal.Deal` object at the top, with
        the keys ``version`` (required) and ``$schema`` besides its fields, and every other
        dataclass under ``$defs`` by class name, in the order a file nests them.
    """
    defs: dict[str, Any] = {}
    extra = {
        SCHEMA_KEY: {"type": "string",
                     "description": "The URL or relative path of this schema, for editors; "
                                    "not read."},
        "version": {"const": DEAL_FILE_VERSION, "description": "Deal file format version."},
    }
    top = _object(Deal, defs, extra, required=("version",))
    return {"$schema": DIALECT, **top, "title": "abs_tool deal file", "$defs": defs}


def schema_json() -> str:
    """The text of :func:`deal_schema` as shipped in :data:`SCHEMA_PATH`, laid out as deal
    files are."""
    return _format(deal_schema(), "") + "\n"


def _schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    """The schema of a value of type hint ``tp``; dataclasses go to ``defs``."""
    form, detail = _form(tp)
    match form:
        case "optional":
            return {"anyOf": [_schema(detail, defs), {"type": "null"}]}
        case "variant":
            # The tag's choices beside the variants, so that a wrong tag is reported at "type"
            # (as the reader does) rather than as an object no variant matches.
            return {"properties": {_TAG_KEY: {"enum": list(detail)}}, "required": [_TAG_KEY],
                    "oneOf": [_ref(cls, defs, tag) for tag, cls in detail.items()]}
        case "pairs":
            return {"type": "object", "additionalProperties": _schema(detail, defs)}
        case "vector":
            item = _schema(detail, defs)
            return {"anyOf": [{"type": "array", "items": item}, item]}
        case "list":
            return {"type": "array", "items": _schema(detail, defs)}
        case "object":
            return _ref(detail, defs)
        case "enum":
            return {**_doc(detail), "enum": [m.value for m in detail]}
        case "date":
            # The pattern holds without format checking, which validators leave off by default.
            return {"type": "string", "format": "date", "pattern": f"^{_ISO_DATE.pattern}$"}
        case _:
            return {"type": _JSON_TYPES[detail]}


def _ref(cls: Any, defs: dict[str, Any], tag: str | None = None) -> dict[str, Any]:
    """A reference to ``cls`` under ``defs``, added there on first use; a variant's object
    also has its ``tag`` in ``"type"``."""
    name = cls.__name__
    if name not in defs:
        defs[name] = {}  # taken before the fields are walked: parents list before children
        extra = {} if tag is None else {_TAG_KEY: {"const": tag}}
        defs[name] = _object(cls, defs, extra, required=tuple(extra))
    return {"$ref": f"#/$defs/{name}"}


def _object(cls: Any, defs: dict[str, Any], extra: dict[str, Any],
            required: tuple[str, ...]) -> dict[str, Any]:
    """The schema of dataclass ``cls`` as an object with ``extra`` keys besides its fields
    (those in ``required`` required), and no other keys, as the reader takes it."""
    hints = _hints(cls)
    properties = dict(extra)
    for f in fields(cls):
        schema = _schema(hints[f.name], defs)
        zero = _money(f)
        if zero is not None:
            schema |= _amount_range(zero)
        if not _required(f):
            default = f.default if f.default_factory is MISSING else f.default_factory()
            schema["default"] = _write(hints[f.name], default)
        properties[f.name] = schema
    return {
        "title": cls.__name__,
        **_doc(cls),
        "type": "object",
        "properties": properties,
        "required": [*required, *(f.name for f in fields(cls) if _required(f))],
        "additionalProperties": False,
    }


def _amount_range(zero: bool) -> dict[str, Any]:
    """The range of :func:`abs_tool.limits.check_amount` (with 0 when ``zero``) in keywords that
    only numbers answer to, so that the ``null`` of an optional amount still passes."""
    if not zero:
        return {"minimum": MIN_AMOUNT, "maximum": MAX_DEAL_AMOUNT}
    return {"minimum": 0, "maximum": MAX_DEAL_AMOUNT,
            "if": {"exclusiveMinimum": 0}, "then": {"minimum": MIN_AMOUNT}}


def _doc(cls: type) -> dict[str, str]:
    """``cls``'s own docstring as a description (an enum without one inherits none)."""
    return {"description": inspect.cleandoc(cls.__doc__)} if cls.__doc__ else {}


if __name__ == "__main__":
    # Bytes, so that the file is UTF-8 with "\n" line ends whatever the console's encoding.
    sys.stdout.buffer.write(schema_json().encode("utf-8"))
