"""The key under which the app caches deterministic results (Deal.deterministic_inputs, which
ui.cache.deterministic_part returns) changes with every field a deterministic run reads and
with no field that only the Monte Carlo reads; a new field counts as deterministic unless it
is marked.

Fields are walked programmatically, every leaf of the deal (through nested dataclasses), so
that a field added later is covered without editing this file.
"""

import typing
from dataclasses import field, fields, is_dataclass, make_dataclass, replace
from datetime import date, timedelta
from enum import Enum
from types import NoneType

import numpy as np
import pytest
from builders import make_pool

from abs_tool import AbsToolError, Assumptions, Deal, load_sample_deal, prepare_deal, run_scenario
from abs_tool.model.assumptions import MONTE_CARLO_ONLY, SectorColumn


def base_deal():
    """The factoring sample (pricing, revolving period, triggers, upfront fees) with a sector
    column, so that a sector correlation may be set."""
    deal = load_sample_deal("factoring")
    return replace(deal, assumptions=replace(deal.assumptions,
                                             sector_column=SectorColumn.INDUSTRY))


def candidates(value, hint):
    """Values of type ``hint`` other than ``value`` (some may not validate)."""
    if value is None:
        options = [a for a in typing.get_args(hint) if a is not NoneType]
        for kind in options:
            if isinstance(kind, type) and issubclass(kind, Enum):
                yield from kind
            elif is_dataclass(kind):
                try:
                    yield kind()
                except (TypeError, AbsToolError):
                    continue
            elif kind in (float, int):
                yield kind(1)
    elif isinstance(value, bool):
        yield not value
    elif isinstance(value, Enum):
        yield from (m for m in type(value) if m != value)
    elif isinstance(value, int | float):
        yield from (v for v in (value + 1, value + 0.01, value / 2, value - 0.01) if v != value)
    elif isinstance(value, str):
        yield value + "x"
    elif isinstance(value, date):
        yield from (value + timedelta(days=31), value - timedelta(days=31))
    elif isinstance(value, tuple) and value:
        yield from (value[:-1], value + value[-1:])


def leaves(obj, path=(), monte_carlo_only=False):
    """(path, value, type hint, Monte Carlo only?) of every non-dataclass field under
    ``obj``; a field inside one marked Monte Carlo only is so too."""
    hints = typing.get_type_hints(type(obj))
    for f in fields(obj):
        value = getattr(obj, f.name)
        marked = monte_carlo_only or bool(f.metadata.get("monte_carlo_only"))
        if is_dataclass(value):
            yield from leaves(value, (*path, f.name), marked)
        else:
            yield (*path, f.name), value, hints[f.name], marked


def with_leaf(obj, path, value):
    """``obj`` with the field at ``path`` set to ``value`` (validated on the way up)."""
    head, *rest = path
    inner = value if not rest else with_leaf(getattr(obj, head), rest, value)
    return replace(obj, **{head: inner})


def variants():
    """(path, Monte Carlo only?, changed deal) for every valid change of one leaf."""
    deal = base_deal()
    for path, value, hint, marked in leaves(deal):
        for candidate in candidates(value, hint):
            try:
                yield path, marked, with_leaf(deal, path, candidate)
            except (AbsToolError, TypeError):
                continue


def test_the_key_follows_every_deterministic_field_and_no_monte_carlo_only_one():
    deal = base_deal()
    key = deal.deterministic_inputs()
    assert key == deal.deterministic_inputs()  # a key is stable
    tested = set()
    for path, marked, changed in variants():
        same = changed.deterministic_inputs() == key
        assert same is marked, (".".join(path), "Monte Carlo only" if marked else "deterministic")
        tested.add(path)
    # Every field of Deal and of Assumptions, and every Monte-Carlo-only leaf, was changed.
    assert {p[0] for p in tested} == {f.name for f in fields(Deal)}
    assert {p[1] for p in tested if p[0] == "assumptions"} >= {f.name for f in
                                                                fields(Assumptions)}
    monte_carlo_leaves = {p for p, _, _, marked in leaves(deal) if marked}
    assert monte_carlo_leaves <= tested
    assert len(monte_carlo_leaves) >= 10  # the copula's six and the run settings' four


def test_a_deterministic_run_ignores_every_monte_carlo_only_field():
    """What the marks claim: a deterministic scenario gives the same numbers whatever the
    value of a field marked Monte Carlo only."""
    pool = make_pool([100.0, 250.0, 400.0], term=6, pd_annual=[0.02, 0.05, 0.1])
    expected = run_scenario(prepare_deal(base_deal(), pool))
    checked = 0
    for path, marked, changed in variants():
        if not marked:
            continue
        got = run_scenario(prepare_deal(changed, pool))
        for name in ("loss_pv", "wal_years", "yield_annual"):
            np.testing.assert_array_equal(getattr(got.metrics, name),
                                          getattr(expected.metrics, name), err_msg=str(path))
        np.testing.assert_array_equal(got.result.pool.collections,
                                      expected.result.pool.collections, err_msg=str(path))
        checked += 1
    assert checked >= 10


def extended(cls, metadata):
    """``cls`` with one more field, ``new_knob`` (default 0.0), carrying ``metadata``."""
    return make_dataclass(f"Extended{cls.__name__}",
                          [("new_knob", float, field(default=0.0, metadata=metadata))],
                          bases=(cls,), frozen=True)


def copy_as(cls, obj):
    return cls(**{f.name: getattr(obj, f.name) for f in fields(obj)})


@pytest.mark.parametrize("metadata", [{}, MONTE_CARLO_ONLY], ids=["unmarked", "marked"])
@pytest.mark.parametrize("where", ["deal", "assumptions"])
def test_a_new_field_is_in_the_key_unless_marked_monte_carlo_only(where, metadata):
    deal = base_deal()
    if where == "deal":
        before = copy_as(extended(Deal, metadata), deal)
    else:
        before = replace(deal, assumptions=copy_as(extended(Assumptions, metadata),
                                                   deal.assumptions))
    after = with_leaf(before, ("new_knob",) if where == "deal" else (where, "new_knob"), 1.0)
    changes_key = after.deterministic_inputs() != before.deterministic_inputs()
    assert changes_key is (metadata != MONTE_CARLO_ONLY)


def test_the_app_keys_deterministic_results_on_the_library_key():
    from ui.cache import deterministic_part

    deal = base_deal()
    assert deterministic_part(deal) == deal.deterministic_inputs()
    assert deterministic_part(deal).run == type(deal.run)()
    defaults = {f.name: f.default for f in fields(Assumptions)
                if f.metadata.get("monte_carlo_only")}
    assert {n: getattr(deterministic_part(deal).assumptions, n) for n in defaults} == defaults
