"""The deal-file JSON Schema: shipped as generated, valid, in step with the reader.

The reader (:mod:`abs_tool.io.dealfile`) stays the reference; the schema must take every
file the reader takes, and refuse the shape errors the reader refuses, each side with its own
message.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import typing
from collections.abc import Callable
from dataclasses import MISSING, fields, is_dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from hypothesis import find, given, settings, strategies as st
from jsonschema import Draft202012Validator
from test_dealfile import drop, kitchen_sink_deal, set_at
from test_fuzz_dealfile import _at, _paths

from abs_tool import (
    AnnualPd,
    CdrVector,
    Deal,
    DealFileError,
    LifetimeDefault,
    load_deal,
    load_sample_deal,
    save_deal,
)
from abs_tool.io.deal_schema import DIALECT, SCHEMA_PATH, deal_schema, schema_json
from abs_tool.io.dealfile import (
    _VARIANT_TAGS,
    SAMPLE_DEALS,
    SCHEMA_KEY,
    deal_from_dict,
    deal_to_dict,
    sample_deal_path,
)

ROOT = Path(__file__).parents[1]
REGENERATE = "python -m abs_tool.io.deal_schema > abs_tool/data/deal.schema.json"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    # Format checking is off by default in draft 2020-12; an editor checks dates, so do we.
    return Draft202012Validator(deal_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def sample_json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(sample_deal_path(name).read_text(encoding="utf-8"))
    return data


def schema_errors(validator: Draft202012Validator, data: Any) -> list[str]:
    """``"json path: message"`` of every error, those of failed ``anyOf``/``oneOf`` branches
    included (an editor shows the one that fits; the test looks for it among them)."""
    found, errors = [], list(validator.iter_errors(data))
    while errors:
        error = errors.pop(0)
        found.append(f"{error.json_path}: {error.message}")
        errors.extend(error.context)
    return found


# --------------------------------------------------------------------------------------------
# The shipped file and the schema itself
# --------------------------------------------------------------------------------------------


def test_shipped_schema_is_the_generated_one() -> None:
    assert SCHEMA_PATH == ROOT / "abs_tool" / "data" / "deal.schema.json"
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_json(), (
        f"abs_tool/data/deal.schema.json is out of date; regenerate it with `{REGENERATE}`")


def test_module_prints_the_schema() -> None:
    out = subprocess.run([sys.executable, "-m", "abs_tool.io.deal_schema"], cwd=ROOT,
                         capture_output=True, check=True).stdout
    assert out == schema_json().encode("utf-8")


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = deal_schema()
    assert schema["$schema"] == DIALECT
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name", sorted(SAMPLE_DEALS))
def test_samples_name_the_shipped_schema_by_a_path_that_resolves(name: str) -> None:
    path = sample_deal_path(name)
    reference = sample_json(name)[SCHEMA_KEY]
    assert (path.parent / reference).resolve() == SCHEMA_PATH.resolve()


# --------------------------------------------------------------------------------------------
# Good files pass
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLE_DEALS))
def test_sample_deal_files_validate(validator: Draft202012Validator, name: str) -> None:
    assert schema_errors(validator, sample_json(name)) == []


@pytest.mark.parametrize("name", sorted(SAMPLE_DEALS))
def test_written_sample_deals_validate(validator: Draft202012Validator, name: str) -> None:
    deal = load_sample_deal(name)
    assert schema_errors(validator, deal_to_dict(deal)) == []
    assert schema_errors(validator, deal_to_dict(deal, schema="../deal.schema.json")) == []


@pytest.mark.parametrize(
    "default",
    [AnnualPd(by_grade=(("C", 0.03), ("A", 0.01)), multiplier=1.5), CdrVector((0.02, 0.04)),
     LifetimeDefault(0.05, (0.5, 0.5))],
    ids=["annual_pd", "cdr", "lifetime"],
)
def test_every_variant_and_optional_field_validates(validator: Draft202012Validator,
                                                    default: Any) -> None:
    sink = kitchen_sink_deal()
    deal = replace(sink, assumptions=replace(sink.assumptions, default=default))
    assert schema_errors(validator, deal_to_dict(deal)) == []


@pytest.mark.parametrize(("path", "value"), [
    (("assumptions", "prepayment", "annual"), 0.1),
    (("structure", "triggers", 0, "threshold"), 0.04),
    (("pool", "scale_to_balance"), 800_000_000),
    (("structure", "fees", 0, "fixed_annual"), 0),
    (("pool", "eligibility", "min_balance"), 0),
], ids=["single-number-vector", "single-number-threshold", "integer-amount", "zero-fee",
        "zero-min-balance"])
def test_forms_the_reader_takes_validate(validator: Draft202012Validator,
                                         path: tuple[str | int, ...], value: Any) -> None:
    data = sample_json("consumer")
    set_at(*path, value=value)(data)
    deal_from_dict(data)
    assert schema_errors(validator, data) == []


# --------------------------------------------------------------------------------------------
# Bad files fail both, each with its own message
# --------------------------------------------------------------------------------------------

BAD: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    # (id, change, one of the schema's errors as "json path: message", the reader's problem)
    ("unknown-top-key", set_at("benchmark_rate", value=0.06),
     "$: Additional properties are not allowed ('benchmark_rate' was unexpected)",
     "benchmark_rate: unknown field; did you mean 'benchmark_rate_annual'?"),
    ("unknown-nested-key", set_at("structure", "classes", 0, "cupon", value=0.05),
     "$.structure.classes[0]: Additional properties are not allowed ('cupon' was unexpected)",
     "structure.classes[0].cupon: unknown field; did you mean 'coupon_annual'?"),
    ("wrong-variant-type", set_at("assumptions", "default", "type", value="annual"),
     "$.assumptions.default.type: 'annual' is not one of ['annual_pd', 'cdr', 'lifetime']",
     "assumptions.default.type: must be one of 'annual_pd', 'cdr', 'lifetime' "
     "(got 'annual')"),
    ("missing-variant-type", drop("assumptions", "default", "type"),
     "$.assumptions.default: 'type' is a required property",
     "assumptions.default.type: required: one of 'annual_pd', 'cdr', 'lifetime'"),
    ("field-of-another-variant", set_at("assumptions", "default", "annual", value=[0.02]),
     "$.assumptions.default: {'type': 'annual_pd', 'by_grade': {}, 'multiplier': 1.0, "
     "'annual': [0.02]} is not valid under any of the given schemas",
     "assumptions.default.annual: unknown field; expected one of 'by_grade', 'multiplier'"),
    ("string-for-number", set_at("structure", "classes", 0, "coupon_annual", value="5%"),
     "$.structure.classes[0].coupon_annual: '5%' is not of type 'number'",
     'structure.classes[0].coupon_annual: must be a finite number (got "5%")'),
    ("string-for-integer", set_at("run", "paths", value="many"),
     "$.run.paths: 'many' is not of type 'integer'",
     'run.paths: must be an integer (got "many")'),
    ("string-in-vector", set_at("assumptions", "prepayment", "annual", value=[0.1, "x"]),
     "$.assumptions.prepayment.annual[1]: 'x' is not of type 'number'",
     'assumptions.prepayment.annual[1]: must be a finite number (got "x")'),
    ("negative-fee-amount", set_at("structure", "fees", 3, "fixed_annual", value=-3e5),
     "$.structure.fees[3].fixed_annual: -300000.0 is less than the minimum of 0",
     "structure.fees[3].fixed_annual: must be an amount of 0 or from 0.01 to 1e+15 "
     "(got -300000.0)"),
    ("negative-pool-amount", set_at("pool", "scale_to_balance", value=-1.0),
     "$.pool.scale_to_balance: -1.0 is less than the minimum of 0.01",
     "pool.scale_to_balance: must be an amount from 0.01 to 1e+15 (got -1.0)"),
    ("fee-below-a-cent", set_at("structure", "fees", 3, "fixed_annual", value=0.001),
     "$.structure.fees[3].fixed_annual: 0.001 is less than the minimum of 0.01",
     "structure.fees[3].fixed_annual: must be an amount of 0 or from 0.01 to 1e+15 "
     "(got 0.001)"),
    ("missing-required-field", drop("structure", "classes", 0, "size"),
     "$.structure.classes[0]: 'size' is a required property",
     "structure.classes[0].size: required"),
    ("missing-version", drop("version"),
     "$: 'version' is a required property",
     "version: required; this tool reads version 1"),
    ("wrong-enum", set_at("structure", "classes", 0, "tier", value="junior"),
     "$.structure.classes[0].tier: 'junior' is not one of ['senior', 'mezzanine', "
     "'subordinated']",
     "structure.classes[0].tier: must be one of 'senior', 'mezzanine', 'subordinated' "
     "(got 'junior')"),
    ("date-not-iso", set_at("dates", "cutoff", value="2015/10/01"),
     "$.dates.cutoff: '2015/10/01' is not a 'date'",
     "dates.cutoff: not an ISO date YYYY-MM-DD (got '2015/10/01')"),
    ("date-not-in-calendar", set_at("dates", "cutoff", value="2015-02-30"),
     "$.dates.cutoff: '2015-02-30' is not a 'date'",
     "dates.cutoff: not a calendar date: day is out of range for month (got '2015-02-30')"),
    ("null-where-required", set_at("structure", "classes", 0, "name", value=None),
     "$.structure.classes[0].name: None is not of type 'string'",
     "structure.classes[0].name: must be a string (got null)"),
    ("wrong-loss-timing", set_at("structure", "loss_allocation", "timing", value="on_sale"),
     "$.structure.loss_allocation.timing: 'on_sale' is not one of ['at_end', 'on_default', "
     "'on_liquidation']",
     "structure.loss_allocation.timing: must be one of 'at_end', 'on_default', "
     "'on_liquidation' (got 'on_sale')"),
    ("wrong-fee-basis", set_at("structure", "fees", 0, "basis", value="pool"),
     "$.structure.fees[0].basis: 'pool' is not one of ['performing_start_incl_defaults', "
     "'performing_start', 'notes', 'fixed']",
     "structure.fees[0].basis: must be one of 'performing_start_incl_defaults', "
     "'performing_start', 'notes', 'fixed' (got 'pool')"),
    ("fee-cap-below-a-cent", set_at("structure", "fees", 0, "cap_per_month", value=0.001),
     "$.structure.fees[0].cap_per_month: 0.001 is less than the minimum of 0.01",
     "structure.fees[0].cap_per_month: must be an amount from 0.01 to 1e+15 (got 0.001)"),
    ("string-for-reinstate", set_at("structure", "loss_allocation", "reinstate", value="no"),
     "$.structure.loss_allocation.reinstate: 'no' is not of type 'boolean'",
     'structure.loss_allocation.reinstate: must be true or false (got "no")'),
    ("schema-key-not-a-string", set_at(SCHEMA_KEY, value=5),
     "$['$schema']: 5 is not of type 'string'",
     "$schema: must be a string (got 5)"),
]


@pytest.mark.parametrize(("change", "schema_error", "reader_problem"),
                         [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_bad_file_fails_schema_and_reader(validator: Draft202012Validator,
                                          change: Callable[[dict[str, Any]], None],
                                          schema_error: str, reader_problem: str) -> None:
    data = sample_json("consumer")
    change(data)
    assert schema_error in schema_errors(validator, data)
    with pytest.raises(DealFileError) as caught:
        deal_from_dict(data)
    assert caught.value.problems == (reader_problem,)


# --------------------------------------------------------------------------------------------
# The reader and writer on "$schema"
# --------------------------------------------------------------------------------------------


def test_reader_ignores_the_schema_key() -> None:
    data = sample_json("factoring")
    assert data[SCHEMA_KEY] == "../deal.schema.json"
    without = {k: v for k, v in data.items() if k != SCHEMA_KEY}
    assert deal_from_dict(data) == deal_from_dict(without) == load_sample_deal("factoring")


def test_schema_key_is_written_only_when_asked() -> None:
    deal = load_sample_deal("consumer")
    assert SCHEMA_KEY not in deal_to_dict(deal)
    written = deal_to_dict(deal, schema="https://example.org/deal.schema.json")
    assert list(written)[:2] == [SCHEMA_KEY, "version"]
    assert deal_from_dict(written) == deal


def test_save_deal_writes_the_schema_key(tmp_path: Path) -> None:
    deal = load_sample_deal("consumer")
    target = tmp_path / "deal.json"
    save_deal(deal, target, schema="deal.schema.json")
    assert json.loads(target.read_text(encoding="utf-8"))[SCHEMA_KEY] == "deal.schema.json"
    assert load_deal(target) == deal


# --------------------------------------------------------------------------------------------
# No drift: every field the model has is in the schema, and nothing else
# --------------------------------------------------------------------------------------------


def _reachable(tp: Any, found: dict[str, type]) -> None:
    """Every dataclass and enum in type hint ``tp``, walked without the reader's code."""
    if is_dataclass(tp) and isinstance(tp, type):
        if tp.__name__ not in found:
            found[tp.__name__] = tp
            for hint in typing.get_type_hints(tp).values():
                _reachable(hint, found)
    elif isinstance(tp, type) and issubclass(tp, Enum):
        found[tp.__name__] = tp
    for arg in typing.get_args(tp):
        _reachable(arg, found)


def _enum_lists(node: Any) -> list[list[Any]]:
    if isinstance(node, dict):
        own = [node["enum"]] if "enum" in node else []
        return own + [e for v in node.values() for e in _enum_lists(v)]
    if isinstance(node, list):
        return [e for v in node for e in _enum_lists(v)]
    return []


def test_every_model_field_is_in_the_schema_and_nothing_else() -> None:
    schema = deal_schema()
    found: dict[str, type] = {}
    _reachable(Deal, found)
    classes = {name: tp for name, tp in found.items() if is_dataclass(tp)}
    assert set(schema["$defs"]) | {"Deal"} == set(classes)
    tags = {cls.__name__ for cls in _VARIANT_TAGS}
    for name, cls in classes.items():
        node = schema if name == "Deal" else schema["$defs"][name]
        extra = ["type"] if name in tags else [SCHEMA_KEY, "version"] if name == "Deal" else []
        names = [f.name for f in fields(cls)]
        required = [f.name for f in fields(cls)
                    if f.default is MISSING and f.default_factory is MISSING]
        assert list(node["properties"]) == extra + names, name
        assert node["required"] == [e for e in extra if e != SCHEMA_KEY] + required, name
        assert node["additionalProperties"] is False, name


def test_every_model_enum_is_in_the_schema() -> None:
    found: dict[str, type] = {}
    _reachable(Deal, found)
    enums = sorted([m.value for m in tp] for tp in found.values() if issubclass(tp, Enum))
    tags = list(_VARIANT_TAGS.values())
    # An enum may type several fields (Tier: a class's tier and a tier rule's): compare the
    # distinct lists.
    distinct = {tuple(e) for e in _enum_lists(deal_schema()) if e != tags}
    assert sorted(distinct) == sorted({tuple(e) for e in enums})


# --------------------------------------------------------------------------------------------
# Property: whatever the reader takes, the schema takes
# --------------------------------------------------------------------------------------------


_SAMPLES = [sample_json(name) for name in sorted(SAMPLE_DEALS)]
# The samples' own values, moved between places, are often of the right type and range, so
# that a fair share of the mutated files is one the reader takes.
_MOVED = [_at(data, place) for data in _SAMPLES for place in _paths(data)]
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**6)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                max_size=3),
    max_leaves=6,
)
_VALUES = st.sampled_from(_MOVED) | _JSON | st.sampled_from(
    [0, 0.0, 0.01, 1e15, 1e16, "2016-02-29", "2015-02-30", "cdr", "lifetime", "student_t"])


@st.composite
def mutated_deals(draw: st.DrawFn) -> dict[str, Any]:
    """A sample deal file with one to three keys set, deleted or added."""
    data = copy.deepcopy(draw(st.sampled_from(_SAMPLES)))
    for _ in range(draw(st.integers(1, 3))):
        place = draw(st.sampled_from(_paths(data)))
        parent, key = _at(data, place[:-1]), place[-1]
        action = draw(st.sampled_from(["set", "set", "delete", "add"]))
        if action == "delete":
            del parent[key]
            continue
        if action == "add" and isinstance(parent, dict):
            key = draw(st.sampled_from(["type", "annual", "extra", "size_units"]))
        parent[key] = copy.deepcopy(draw(_VALUES))
    return data


def _reader_takes(data: dict[str, Any]) -> bool:
    try:
        deal_from_dict(data)
    except DealFileError:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(data=mutated_deals())
def test_the_schema_takes_every_file_the_reader_takes(validator: Draft202012Validator,
                                                      data: dict[str, Any]) -> None:
    if _reader_takes(data):
        assert schema_errors(validator, data) == []


def test_the_mutations_reach_files_the_reader_takes() -> None:
    # Else the property above would hold for want of cases.
    find(mutated_deals(), lambda data: data != _SAMPLES[0] and data != _SAMPLES[1]
         and _reader_takes(data), settings=settings(max_examples=300, database=None))
