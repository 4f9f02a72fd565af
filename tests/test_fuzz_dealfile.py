"""A deal-file fuzzer: mutated sample deals end in a named error or a sound run, nothing else.

Each case starts from one of the two sample deals, its pool given as a small embedded tape
(so that a case runs in milliseconds), applies one to three seeded mutations (keys deleted or
added, values swapped for other types, extreme numbers, NaN and Infinity, integers of
thousands of digits, far or impossible dates, empty and long lists, long and odd strings,
deep nesting, tape cells spoiled), and runs what a user would: read the file, build the
pool, prepare the deal, a deterministic scenario and the break-even rates, the cost of
funds, and a small Monte Carlo. Every outcome must be an :class:`AbsToolError` or a run
whose figures are finite, within a time limit per case. The seed and the count are fixed, so
CI sees the same cases every time; a failure names the case's seed and mutations.
"""

from __future__ import annotations

import copy
import json
import math
import random
import time
from typing import Any

import pytest

from abs_tool import (
    AbsToolError,
    break_even,
    cost_of_funds,
    deal_from_json,
    load_deal_pool,
    prepare_deal,
    run_monte_carlo,
    run_scenario,
    sample_pool,
)
from abs_tool.io.dealfile import sample_deal_path
from abs_tool.io.tape import tape_bytes

CASES = 800
SEED = 20240612
CASE_SECONDS = 10.0
LOANS = 40
MC_PATHS = 256

# How often each part of the file is mutated; a top-level scalar (version, name, currency,
# benchmark rate) is one place each, and almost every mutation of it stops at the reader.
SECTION_WEIGHTS = {"structure": 3.0, "assumptions": 3.0, "dates": 2.0, "pool": 2.0,
                   "run": 1.0, "pricing": 1.0}

# Values that are valid JSON but wrong for most fields, and raw JSON texts the standard
# parser accepts though no field can hold them (inserted as text, not as Python values).
NASTY: list[Any] = [
    0, -1, 1, 2, 12, 36, 600, 601, 10**6, 10**30, 0.5, -0.0, 1e-308, 5e-324, 1e308, -1e308,
    1e15, 1e16, 0.001, True, False, None, "", " ", "x" * 10_000, "优先A级", "\u202e\u0000",
    "=cmd|'/c calc'!A1", "9999-12-31", "0001-01-01", "2015-02-30", "2015-10-01", "annual_pd",
    "amount", "subordinated", [], {}, [0.1], [[[[[]]]]], {"type": "cdr"}, [None], ["AAA"],
]
RAW = ["NaN", "-Infinity", "Infinity", "1e999", "-1e999", "9" * 5000, "-" + "1" * 401,
       "1" * 400]
ENUMS = ["senior", "mezzanine", "subordinated", "share", "amount", "sequential", "pro_rata",
         "cumulative_default_rate", "reserve_shortfall", "principal_deficiency",
         "end_revolving", "accelerate", "gaussian", "student_t", "decimal", "percent",
         "annual_pd", "cdr", "lifetime", "region", "industry", "bullet", "level"]
CELLS = ["", "NaN", "-5", "0", "1e300", "1e-300", "inf", "=1+1", "abc", "99999999",
         "2.5", "\u00a0", "-0"]


def base_deals() -> list[dict[str, Any]]:
    """The two sample deals with a small embedded pool and no concentration limits (which
    would remove most of so small a pool)."""
    deals = []
    for name in ("consumer", "factoring"):
        data = json.loads(sample_deal_path(name).read_text(encoding="utf-8"))
        pool = sample_pool(name, n_loans=LOANS, seed=data["pool"]["sample_seed"])
        data["pool"].pop("sample")
        data["pool"].pop("sample_seed")
        data["pool"].pop("concentration")
        data["pool"]["embedded_csv"] = tape_bytes(pool, "csv").decode("utf-8-sig")
        deals.append(data)
    return deals


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in the tree, the root excepted."""
    out = []
    children = node.items() if isinstance(node, dict) else (
        enumerate(node) if isinstance(node, list) else ())
    for key, child in children:
        out.append((*path, key))
        out.extend(_paths(child, (*path, key)))
    return out


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


def _mutate(data: dict[str, Any], rng: random.Random, raw: dict[str, str]) -> str:
    """Apply one mutation in place; returns what it did."""
    # A section first, then a place in it: the pricing grid alone has more places than the
    # rest of the file, and most of its mutations stop at the reader.
    paths = _paths(data)
    sections = {str(p[0]) for p in paths}
    section = rng.choices(sorted(sections),
                          [SECTION_WEIGHTS.get(name, 0.2) for name in sorted(sections)])[0]
    path = rng.choice([p for p in paths if str(p[0]) == section])
    parent, key = _at(data, path[:-1]), path[-1]
    value = parent[key]
    kind = rng.choice(["nasty", "raw", "delete", "unknown", "number", "nest", "list",
                       "date", "cell", "tweak", "tweak", "tweak", "tweak", "tweak"])
    if kind == "raw":
        token = f"__raw_{len(raw)}__"
        raw[token] = rng.choice(RAW)
        parent[key] = token
        return f"{path} = {raw[token][:20]}"
    if kind == "delete":
        del parent[key]
        return f"del {path}"
    if kind == "unknown" and isinstance(value, dict):
        value[rng.choice(["extra", "cupon", "size_units", "Type"])] = rng.choice(NASTY)
        return f"{path} + unknown key"
    if kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        parent[key] = rng.choice([value * 10**rng.randint(1, 12), -value, value + 1,
                                  value / 1e9, int(value), float(value) + 0.5])
        return f"{path} = {parent[key]!r}"
    if kind == "nest":  # as text: json.dumps itself cannot nest 2,000 deep
        depth = rng.choice([2, 40, 2000])
        token = f"__raw_{len(raw)}__"
        raw[token] = "[" * depth + json.dumps(value) + "]" * depth
        parent[key] = token
        return f"{path} nested {depth} deep"
    if kind == "list" and isinstance(value, list):
        parent[key] = rng.choice([[], value * rng.choice([2, 50]), value[:1], value[::-1]])
        return f"{path} list of {len(parent[key])}"
    if kind == "date":
        dates = data.get("dates")
        if isinstance(dates, dict) and dates:
            field = rng.choice(list(dates))
            dates[field] = (f"{rng.choice([1, 1900, 2015, 2016, 2020, 2065, 2066, 2115, 9999])}"
                            f"-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
            return f"dates.{field} = {dates[field]}"
    if kind == "cell":
        pool = data.get("pool")
        lines = pool.get("embedded_csv") if isinstance(pool, dict) else None
        if isinstance(lines, str) and lines.count("\n") >= 1:
            lines = lines.split("\n")
            row = rng.randrange(1, len(lines))
            cells = lines[row].split(",")
            column = rng.randrange(len(cells))
            cells[column] = rng.choice(CELLS)
            lines[row] = ",".join(cells)
            pool["embedded_csv"] = "\n".join(lines)
            return f"tape row {row} column {column} = {cells[column]!r}"
    if kind == "nasty":
        parent[key] = copy.deepcopy(rng.choice(NASTY))
        return f"{path} = {str(parent[key])[:20]!r}"
    # "tweak", and any kind that does not apply here: a value of the same type at an edge
    # of its range, which the reader accepts more often than not.
    if isinstance(value, bool):
        parent[key] = not value
    elif isinstance(value, int):
        parent[key] = rng.choice([0, 1, 2, 3, 599, 600, value * 2, max(value - 1, 0)])
    elif isinstance(value, float):
        parent[key] = rng.choice([0.0, 1e-12, 0.01, 0.5, 0.999999, 1.0, value * 2,
                                  value / 2, value * 1e6, 1e15])
    elif isinstance(value, str) and value in ENUMS:
        parent[key] = rng.choice(ENUMS)
    elif isinstance(value, str) and len(value) == 10 and value[4] == "-":
        parent[key] = f"{rng.choice([2015, 2016, 2017, 2019, 2030, 2065])}-" \
                      f"{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    else:
        parent[key] = copy.deepcopy(rng.choice(NASTY))
    return f"{path} = {str(parent[key])[:20]!r}"


def _case(base: list[dict[str, Any]], seed: int) -> tuple[str, list[str]]:
    rng = random.Random(seed)
    data = copy.deepcopy(rng.choice(base))
    raw: dict[str, str] = {}
    done = [_mutate(data, rng, raw) for _ in range(rng.choices([1, 2, 3], [5, 3, 2])[0])]
    text = json.dumps(data, ensure_ascii=rng.random() < 0.5)
    for token, replacement in raw.items():
        text = text.replace(json.dumps(token), replacement)
    return text, done


def _run(text: str) -> None:
    """What a user does with a deal file; asserts that every figure shown is finite."""
    deal = deal_from_json(text, file="fuzzed.json")
    pool, _ = load_deal_pool(deal, None, allow_files=False)
    prepared = prepare_deal(deal, pool)
    scenario = run_scenario(prepared)
    assert all(math.isfinite(v) for v in scenario.metrics.loss_pv.ravel())
    assert all(math.isfinite(v) for v in scenario.metrics.principal_loss.ravel())
    for be in break_even(prepared):
        assert math.isfinite(be.default_rate)
        assert math.isfinite(be.multiplier)
    cost = cost_of_funds(prepared)
    assert math.isfinite(cost.wa_coupon)
    assert math.isfinite(cost.excess_spread_annual)
    result = run_monte_carlo(prepared, paths=MC_PATHS, workers=1)
    # WAL, yield, LGD given loss and DIRR are NaN by definition where a class is never paid,
    # never loses or has no coupon (docs/results.md); losses and default rates never are.
    figures = [result.pool_default_rate.mean.value, result.pool_loss_rate.mean.value]
    for c in result.classes:
        figures += [c.expected_loss.value, c.expected_loss.se, c.pd.value, c.pd.se,
                    c.principal_loss.value, c.principal_loss.se]
    assert all(math.isfinite(v) for v in figures), figures


def test_the_unmutated_small_deals_run() -> None:
    for data in base_deals():
        _run(json.dumps(data))


@pytest.mark.slow
def test_fuzzed_deal_files_end_in_a_named_error_or_a_sound_run() -> None:
    base = base_deals()
    outcomes: dict[str, int] = {}
    slowest = 0.0
    for case in range(CASES):
        seed = SEED + case
        text, done = _case(base, seed)
        started = time.perf_counter()
        try:
            _run(text)
            outcome = "ran"
        except AbsToolError as err:
            outcome = type(err).__name__
        except Exception as exc:  # noqa: BLE001 - the point: nothing else may escape
            pytest.fail(f"case seed {seed} ({'; '.join(done)}) raised {type(exc).__name__}: "
                        f"{str(exc)[:300]}")
        elapsed = time.perf_counter() - started
        assert elapsed < CASE_SECONDS, f"case seed {seed} ({'; '.join(done)}) took {elapsed:.1f} s"
        slowest = max(slowest, elapsed)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    # Both kinds of outcome occur, so the fuzzer neither only breaks files nor only runs them.
    assert outcomes.get("ran", 0) >= CASES // 10, outcomes
    assert sum(outcomes.values()) - outcomes.get("ran", 0) >= CASES // 10, outcomes
    print(f"\n{CASES} cases: {outcomes}; slowest {slowest:.2f} s")
