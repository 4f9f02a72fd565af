"""The deal as inputs: load a deal into the widgets, rebuild the deal from them.

One source of truth: a loaded deal (a sample or an uploaded deal file) is written into the
session state of the Assumptions and Structure widgets (:func:`load`); every run rebuilds
the deal from those values through :func:`abs_tool.io.dealfile.deal_from_dict` (:func:`current`),
so the library validates every input exactly as it validates a deal file. Each problem it
reports names a field path (``structure.classes[1].coupon_annual: ...``); :data:`FIELD_WIDGETS`
maps the path to the widget that holds the field, and :func:`show_problems` draws the message
next to that widget.

Fields that no widget edits (dates, the revolving period's eligibility, the sector factor,
recovery volatility) pass through from the loaded deal unchanged.

Tables (note classes, running and upfront fees, triggers, PD by grade) are ``st.data_editor``
widgets. An editor's edits live in its widget state only while its page is shown, so the
edited table is kept under a data key (:func:`table_editor`) and becomes the editor's
starting table the next time the page is drawn.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import streamlit as st

from abs_tool import Deal, DealFileError, Pool
from abs_tool.errors import render_message
from abs_tool.io import dealfile
from abs_tool.io.samples import DEFAULT_SEED
from abs_tool.io.tape import tape_bytes
from abs_tool.model.deal import PoolSource

from . import cache, state
from .labels import lang

INTERACTIVE_PATHS = 10_000
"""Paths the app starts a built-in sample deal with: the Results page then renders within a
second or so on two cores. A deal file's own setting is kept as uploaded."""

DEFAULT_KINDS: tuple[str, ...] = ("annual_pd", "cdr", "lifetime")
COPULAS: tuple[str, ...] = ("gaussian", "student_t")
PRINCIPAL_MODES: tuple[str, ...] = ("sequential", "pro_rata")
# Shown for a default kind the loaded deal does not use, so that switching to it starts from
# a valid assumption: a flat 2% CDR, or a 5% lifetime default spread evenly over a year.
FALLBACK_CDR = "0.02"
FALLBACK_LIFETIME = 0.05
FALLBACK_TIMING = ", ".join([f"{1 / 12:.10g}"] * 12)

# Scalar inputs: widget key -> path of the field in the deal file, and its Python type (the
# number widgets need a value of their own type).
SCALARS: dict[str, tuple[tuple[str, ...], type]] = {
    "as_correlation": (("assumptions", "correlation"), float),
    "as_copula": (("assumptions", "copula"), str),
    "as_t_dof": (("assumptions", "t_degrees_of_freedom"), float),
    "as_recovery": (("assumptions", "recovery", "rate"), float),
    "as_lag": (("assumptions", "recovery", "lag_months"), int),
    "as_recovery_tape": (("assumptions", "recovery", "from_tape"), bool),
    "run_paths": (("run", "paths"), int),
    "run_seed": (("run", "seed"), int),
    "run_is": (("run", "importance_sampling"), bool),
    "st_reserve_initial": (("structure", "reserve", "initial_share"), float),
    "st_reserve_target": (("structure", "reserve", "target_share"), float),
    "st_reserve_floor": (("structure", "reserve", "floor_share"), float),
    "st_principal_mode": (("structure", "principal_mode"), str),
    "st_turbo": (("structure", "turbo"), bool),
    "st_loss_timing": (("structure", "loss_allocation", "timing"), str),
    "st_reinstate": (("structure", "loss_allocation", "reinstate"), bool),
    "st_excess_use": (("structure", "excess_interest", "use"), str),
    "st_cover_limit": (("structure", "excess_interest", "cover_limit_per_month"), float),
    "st_haircut": (("structure", "excess_interest", "haircut_share"), float),
    "st_benchmark": (("benchmark_rate_annual",), float),
    # Floating coupons (issue 16 item 4b): the benchmark path's name (its rates: a table).
    "as_benchmark_name": (("assumptions", "benchmark", "name"), str),
}

# Tables: editor key -> (data key of the edited table, its columns).
CLASS_COLUMNS: tuple[str, ...] = (
    "name", "tier", "size", "size_unit", "coupon_annual", "coupon_priority",
    "payment_frequency_months", "target_rating",
    # target balances (issue 16 item 4a): NoteClass.target_balance as three cells
    "target_kind", "target_schedule", "target_share_of_pool",
    # Floating coupons and the step-up (issue 16 item 4b): `floating` a tick, its cap and
    # floor beside it (the deal file's `floating` object), `coupon_annual` then the margin.
    "floating", "cap_annual", "floor_annual", "step_up_bp",
)
TARGET_NONE = "none"
"""The ``target_kind`` cell of a class without a target balance (pass-through)."""
TIER_COLUMNS: tuple[str, ...] = ("tier", "principal")
FEE_COLUMNS: tuple[str, ...] = ("name", "rate_annual", "fixed_annual", "basis", "cap_per_month")
UPFRONT_COLUMNS: tuple[str, ...] = ("name", "share_of_placed", "fixed")
TRIGGER_COLUMNS: tuple[str, ...] = ("name", "metric", "threshold", "action")
PD_COLUMNS: tuple[str, ...] = ("grade", "tape_pd", "annual_pd")
CURVE_COLUMNS: tuple[str, ...] = ("tenor_years", "rate_annual")
SPREAD_COLUMNS: tuple[str, ...] = ("rating", "spreads_bp")  # spreads: one per WAL, as text
BENCHMARK_COLUMNS: tuple[str, ...] = ("month", "rate_annual")  # month 1: the starting rate
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "st_classes": ("classes_table", CLASS_COLUMNS),
    "st_fees": ("fees_table", FEE_COLUMNS),
    "st_upfront": ("upfront_table", UPFRONT_COLUMNS),
    "st_triggers": ("triggers_table", TRIGGER_COLUMNS),
    "st_tiers": ("tiers_table", TIER_COLUMNS),
    "as_pd_grades": ("pd_table", PD_COLUMNS),
    "sz_curve": ("curve_table", CURVE_COLUMNS),
    "sz_spreads": ("spreads_table", SPREAD_COLUMNS),
    "as_benchmark": ("benchmark_table", BENCHMARK_COLUMNS),
}
# Whole numbers in tables: a float the editor produced for an empty-capable column is given
# back as int when it is whole (a fraction stays, for the library to reject by name).
INT_COLUMNS = frozenset({"payment_frequency_months", "month"})

# Field path prefix -> widget key, most specific first: where a problem is shown.
FIELD_WIDGETS: tuple[tuple[str, str], ...] = (
    ("assumptions.default.by_grade", "as_pd_grades"),
    ("assumptions.default.multiplier", "as_pd_multiplier"),
    ("assumptions.default.annual", "as_cdr"),
    ("assumptions.default.cumulative_rate", "as_lifetime_rate"),
    ("assumptions.default.timing", "as_timing"),
    ("assumptions.default", "as_default_kind"),
    ("assumptions.prepayment", "as_cpr"),
    ("assumptions.recovery.lag_months", "as_lag"),
    ("assumptions.recovery.from_tape", "as_recovery_tape"),
    ("assumptions.recovery", "as_recovery"),
    ("assumptions.correlation", "as_correlation"),
    ("assumptions.copula", "as_copula"),
    ("assumptions.t_degrees_of_freedom", "as_t_dof"),
    ("assumptions.benchmark.name", "as_benchmark_name"),
    ("assumptions.benchmark", "as_benchmark"),
    ("run.paths", "run_paths"),
    ("run.seed", "run_seed"),
    ("run.importance_sampling", "run_is"),
    ("structure.classes", "st_classes"),
    ("structure.fees", "st_fees"),
    ("structure.upfront_fees", "st_upfront"),
    ("structure.triggers", "st_triggers"),
    ("structure.tiers", "st_tiers"),
    ("structure.reserve.initial_share", "st_reserve_initial"),
    ("structure.reserve.target_share", "st_reserve_target"),
    ("structure.reserve.floor_share", "st_reserve_floor"),
    ("structure.revolving", "st_revolving"),
    ("structure.principal_mode", "st_principal_mode"),
    ("structure.turbo", "st_excess_use"),
    ("structure.loss_allocation.reinstate", "st_reinstate"),
    ("structure.loss_allocation", "st_loss_timing"),
    ("structure.excess_interest.cover_limit_per_month", "st_cover_limit"),
    ("structure.excess_interest.haircut_share", "st_haircut"),
    ("structure.excess_interest", "st_excess_use"),
    ("structure.clean_up_call.exercised", "st_cleanup_exercised"),
    ("structure.clean_up_call", "st_cleanup"),
    # Liquidity support (issue 16 item 5)
    ("structure.liquidity_reserve.initial_share", "st_liquidity_initial"),
    ("structure.liquidity_reserve.target_share", "st_liquidity_target"),
    ("structure.liquidity_reserve.floor_amount", "st_liquidity_floor"),
    ("structure.liquidity_reserve.replenish_after", "st_liquidity_replenish"),
    ("structure.liquidity_reserve", "st_liquidity_on"),
    ("structure.servicer_advance.limit_share", "st_advance_limit_share"),
    ("structure.servicer_advance.rate_annual", "st_advance_rate"),
    ("structure.servicer_advance", "st_advance_limit"),
    ("benchmark_rate_annual", "st_benchmark"),
    ("pricing.benchmark_curve", "sz_curve"),
    ("pricing.spread_wal_years", "sz_spread_wals"),
    ("pricing", "sz_spreads"),
    ("pool", "pool_source"),
)

# --- Loading a deal into the inputs -----------------------------------------------------------


def vector_text(values: list[float] | tuple[float, ...]) -> str:
    """A vector as the text of its input: ``0.1, 0.05``."""
    return ", ".join(f"{float(v):.10g}" for v in values)


def parse_vector(text: str) -> list[object]:
    """The items of a comma-separated vector; an item that is not a number stays text, so
    that the deal file reader names it (``must be a finite number (got "abc")``)."""
    items: list[object] = []
    for token in (t.strip() for t in str(text).replace(";", ",").split(",")):
        if not token:
            continue
        try:
            items.append(float(token))
        except ValueError:
            items.append(token)
    return items


def _get(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    for name in path:
        data = data[name]
    return data


def _set(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for name in path[:-1]:
        data = data.setdefault(name, {})
    data[path[-1]] = value


def load(deal: Deal, origin: str, *, interactive_paths: bool) -> None:
    """Make ``deal`` the loaded deal: write its values into every input.

    ``interactive_paths`` caps the number of paths at :data:`INTERACTIVE_PATHS` (the
    built-in samples, opened for a quick look); an uploaded deal keeps its own.
    Run before any input is drawn in this run (the sidebar does it).
    """
    data = dealfile.deal_to_dict(deal)
    ss = st.session_state
    ss[state.DEAL_BASE] = deal
    ss[state.DEAL_ORIGIN] = origin
    for key, (path, kind) in SCALARS.items():
        ss[key] = kind(_get(data, path))
    if interactive_paths:
        ss["run_paths"] = min(ss["run_paths"], INTERACTIVE_PATHS)
    default = data["assumptions"]["default"]
    kind = default["type"]
    ss["as_default_kind"] = kind
    ss["as_pd_multiplier"] = float(default.get("multiplier", 1.0))
    ss["as_cdr"] = vector_text(default["annual"]) if kind == "cdr" else FALLBACK_CDR
    ss["as_lifetime_rate"] = float(default.get("cumulative_rate", FALLBACK_LIFETIME))
    ss["as_timing"] = (vector_text(default["timing"]) if kind == "lifetime"
                       else FALLBACK_TIMING)
    ss["as_cpr"] = vector_text(data["assumptions"]["prepayment"]["annual"])
    structure = data["structure"]
    ss["st_revolving"] = int((structure.get("revolving") or {}).get("months", 0))
    call = structure.get("clean_up_call")
    ss["st_cleanup_on"] = call is not None
    ss["st_cleanup"] = float((call or {}).get("threshold_share", 0.10))
    _load_liquidity(ss, structure)
    ss["st_cleanup_exercised"] = bool((call or {}).get("exercised", True))
    classes = [_class_row(row) | target_cells(row.get("target_balance"))
               for row in structure["classes"]]
    benchmark = data["assumptions"]["benchmark"]
    benchmark_rows = [{"month": 1, "rate_annual": benchmark["rate_annual"]},
                      *benchmark["steps"]]
    triggers = [{**t, "threshold": vector_text(t["threshold"])} for t in structure["triggers"]]
    pd_rows = [{"grade": g, "tape_pd": None, "annual_pd": p}
               for g, p in default.get("by_grade", {}).items()]
    pricing = data.get("pricing") or {}
    ss["sz_pricing_on"] = bool(pricing)
    ss["sz_spread_wals"] = vector_text(pricing.get("spread_wal_years", ()))
    spreads = [{"rating": r["rating"], "spreads_bp": vector_text(r["spreads_bp"])}
               for r in pricing.get("spreads", ())]
    for editor, rows in (("st_classes", classes), ("st_fees", structure["fees"]),
                         ("st_upfront", structure.get("upfront_fees", [])),
                         ("st_triggers", triggers), ("st_tiers", structure.get("tiers", [])),
                         ("as_pd_grades", pd_rows),
                         ("sz_curve", pricing.get("benchmark_curve", [])),
                         ("sz_spreads", spreads), ("as_benchmark", benchmark_rows)):
        table_key, columns = TABLES[editor]
        ss[table_key] = pd.DataFrame(rows, columns=list(columns))
        ss.pop(editor, None)  # the editor starts again from the new table
    ss["pd_table_pool"] = None
    # The loaded deal's own pool becomes the pool, until the Pool page chooses another.
    ss["pool_source"] = "deal"


def load_sample(name: str) -> None:
    load(cache.sample_deal(name), name, interactive_paths=True)


def load_upload(data: bytes, file_name: str) -> None:
    """Load an uploaded deal file; a file that cannot be read leaves the inputs as they are.

    Raises
    ------
    DealFileError
        With every problem of the file (the caller shows them next to the uploader).
    """
    deal = dealfile.deal_from_json(data, file=file_name)
    load(deal, f"upload:{file_name}", interactive_paths=False)


def ensure_loaded() -> None:
    """Open the app on the built-in consumer deal (first run of a session)."""
    if st.session_state.get(state.DEAL_BASE) is None:
        load_sample("consumer")


# --- Tables -------------------------------------------------------------------------------


def table_editor(editor: str, **kwargs: Any) -> pd.DataFrame:
    """Draw the ``st.data_editor`` ``editor``, keep its edited table, show its problems.

    While the editor is shown, its widget state holds the edits relative to the table it
    started from; when its page was left, Streamlit dropped that state, so the editor starts
    from the table as last edited.
    """
    table_key, _ = TABLES[editor]
    start_key = f"{table_key}_start"
    ss = st.session_state
    if editor not in ss or start_key not in ss:
        ss[start_key] = ss[table_key]
    edited = st.data_editor(ss[start_key], key=editor, **kwargs)
    ss[table_key] = edited
    # The deal was rebuilt before this edit reached the table: rebuild it for the messages.
    current()
    show_problems(editor)
    return edited


def restart_table(editor: str, table: pd.DataFrame) -> None:
    """Replace the table of ``editor`` (and its pending edits) by ``table``."""
    table_key, _ = TABLES[editor]
    st.session_state[table_key] = table
    st.session_state.pop(f"{table_key}_start", None)
    st.session_state.pop(editor, None)


def _cell(value: Any, column: str) -> Any:
    """A table cell as a deal-file value: empty is null, whole floats in int columns int."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if column in INT_COLUMNS and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def table_rows(editor: str) -> list[dict[str, Any]]:
    """The rows of a table that are not wholly empty (a row added and left blank)."""
    table_key, columns = TABLES[editor]
    table: pd.DataFrame = st.session_state[table_key]
    rows = []
    for record in table.to_dict("records"):
        row = {c: _cell(record.get(c), c) for c in columns}
        if any(v not in (None, "") for v in row.values()):
            rows.append(row)
    return rows


# --- Rebuilding the deal ------------------------------------------------------------------


def _default_assumption(ss: Any) -> dict[str, Any]:
    kind = ss["as_default_kind"]
    if kind == "annual_pd":
        by_grade = {str(r["grade"]): r["annual_pd"] for r in table_rows("as_pd_grades")
                    if r["annual_pd"] is not None}
        return {"type": kind, "by_grade": by_grade, "multiplier": ss["as_pd_multiplier"]}
    if kind == "cdr":
        return {"type": kind, "annual": parse_vector(ss["as_cdr"])}
    return {"type": kind, "cumulative_rate": ss["as_lifetime_rate"],
            "timing": parse_vector(ss["as_timing"])}


def _structure(ss: Any, data: dict[str, Any]) -> None:
    structure = data["structure"]
    classes = []
    for row in table_rows("st_classes"):
        if row["target_rating"] in (None, ""):
            row.pop("target_rating")
        target = target_field(row.pop("target_kind"), row.pop("target_schedule"),
                              row.pop("target_share_of_pool"))
        if target is not None:
            row["target_balance"] = target
        classes.append(_class_fields(row))
    structure["classes"] = classes
    structure["tiers"] = table_rows("st_tiers")
    structure["fees"] = table_rows("st_fees")
    structure["upfront_fees"] = table_rows("st_upfront")
    triggers = []
    for row in table_rows("st_triggers"):
        row["threshold"] = parse_vector(row["threshold"] or "")
        if row["name"] is None:
            row.pop("name")
        triggers.append(row)
    structure["triggers"] = triggers
    months = ss["st_revolving"]
    revolving = structure.get("revolving") or {}
    structure["revolving"] = {**revolving, "months": months} if months or revolving else None
    structure["clean_up_call"] = ({"threshold_share": ss["st_cleanup"],
                                   "exercised": ss["st_cleanup_exercised"]}
                                  if ss["st_cleanup_on"] else None)
    _liquidity(ss, structure)


# Liquidity support (issue 16 item 5): widget key -> field, and the value shown while the
# section is off (a 1% liquidity reserve kept at 1% of the senior notes; advances up to 1%
# of the pool, without interest).
LIQUIDITY_FIELDS: dict[str, tuple[str, Any]] = {
    "st_liquidity_initial": ("initial_share", 0.01),
    "st_liquidity_target": ("target_share", 0.01),
    "st_liquidity_floor": ("floor_amount", 0.0),
    "st_liquidity_replenish": ("replenish_after", "senior_interest"),
}
ADVANCE_FIELDS: dict[str, tuple[str, Any]] = {
    "st_advance_limit": ("limit_amount", 0.0),
    "st_advance_limit_share": ("limit_share", 0.01),
    "st_advance_rate": ("rate_annual", 0.0),
}


def _load_liquidity(ss: Any, structure: dict[str, Any]) -> None:
    """The liquidity reserve and the servicer advance of a loaded deal into their widgets."""
    for on, section, known in (("st_liquidity_on", "liquidity_reserve", LIQUIDITY_FIELDS),
                               ("st_advance_on", "servicer_advance", ADVANCE_FIELDS)):
        values = structure.get(section)
        ss[on] = values is not None
        for key, (name, fallback) in known.items():
            value = (values or {}).get(name, fallback)
            ss[key] = value if isinstance(fallback, str) else float(value)


def _liquidity(ss: Any, structure: dict[str, Any]) -> None:
    """The liquidity reserve and the servicer advance from their widgets (None when off)."""
    for on, section, known in (("st_liquidity_on", "liquidity_reserve", LIQUIDITY_FIELDS),
                               ("st_advance_on", "servicer_advance", ADVANCE_FIELDS)):
        structure[section] = ({name: ss[key] for key, (name, _) in known.items()}
                              if ss.get(on) else None)


def target_cells(target: dict[str, Any] | None) -> dict[str, Any]:
    """A class's ``target_balance`` (deal-file form) as its three table cells."""
    if target is None:
        return {"target_kind": TARGET_NONE, "target_schedule": "", "target_share_of_pool": None}
    points = ", ".join(f"{p['month']}: {p['share']!r}" for p in target.get("schedule", []))
    share = target.get("share_of_pool")
    return {"target_kind": target["kind"], "target_schedule": points,
            "target_share_of_pool": share if target["kind"] != "scheduled" else None}


def target_field(kind: Any, schedule: Any, share: Any) -> dict[str, Any] | None:
    """The three table cells as a class's ``target_balance`` (None: pass-through). A
    schedule is "month: share" pairs separated by commas; what does not parse is passed on
    as text for the library to reject by name."""
    if kind in (None, "", TARGET_NONE):
        return None
    if kind != "scheduled":
        return {"kind": kind, "share_of_pool": 0.0 if share is None else share}
    points: list[dict[str, object]] = []
    for part in str(schedule or "").split(","):
        if not part.strip():
            continue
        month_text, _, share_text = part.partition(":")
        month, value = (parse_vector(month_text) or [None])[0], parse_vector(share_text)
        if isinstance(month, float) and month.is_integer():
            month = int(month)
        points.append({"month": month, "share": value[0] if value else None})
    return {"kind": kind, "schedule": points}


def _class_row(note: dict[str, Any]) -> dict[str, Any]:
    """A class of the deal file as a row of the classes table: its ``floating`` object as a
    tick and the cap and floor beside it."""
    row = {c: note.get(c) for c in CLASS_COLUMNS}
    floating = note.get("floating")
    row["floating"] = floating is not None
    row["cap_annual"] = (floating or {}).get("cap_annual")
    row["floor_annual"] = (floating or {}).get("floor_annual")
    return row


def _class_fields(row: dict[str, Any]) -> dict[str, Any]:
    """A row of the classes table as the deal file's class (:func:`_class_row` reversed):
    a cap or floor without the tick is kept, for the reader to refuse by name."""
    cap, floor = row.pop("cap_annual"), row.pop("floor_annual")
    ticked = bool(row.pop("floating"))
    if ticked or cap is not None or floor is not None:
        row["floating"] = {"cap_annual": cap, "floor_annual": floor}
        if not ticked:
            row["floating"] = f"a cap or floor needs the `floating` tick (got {cap}, {floor})"
    if row["step_up_bp"] is None:
        row["step_up_bp"] = 0.0
    return row


def _benchmark(ss: Any) -> dict[str, Any]:
    """The benchmark path of the table: the row of month 1 is the starting rate, the others
    its steps (none for month 1 leaves the starting rate out, for the reader to name)."""
    rows = table_rows("as_benchmark")
    first = [r["rate_annual"] for r in rows if r["month"] == 1]
    return {"name": ss["as_benchmark_name"], "rate_annual": first[0] if first else None,
            "steps": [r for r in rows if r["month"] != 1]}


def _pricing(ss: Any) -> dict[str, Any] | None:
    """The pricing section: benchmark curve and spread grid (None when switched off)."""
    if not ss["sz_pricing_on"]:
        return None
    return {
        "benchmark_curve": table_rows("sz_curve"),
        "spread_wal_years": parse_vector(ss["sz_spread_wals"]),
        "spreads": [{"rating": row["rating"], "spreads_bp": parse_vector(row["spreads_bp"] or "")}
                    for row in table_rows("sz_spreads")],
    }


def _pool_source(base: Deal) -> PoolSource:
    """The pool section of the deal: the loaded deal's own pool, or the pool chosen on the
    Pool page written so that the deal file reproduces it (a sample by name and seed, an
    uploaded tape embedded as CSV, with the eligibility rules applied there)."""
    ss = st.session_state
    source = ss.get("pool_source", "deal")
    if source == "deal":
        return base.pool
    rules = ss.get(state.ELIGIBILITY_RULES) or (None, None)
    if source == "upload":
        loaded: state.LoadedTape | None = ss.get(state.TAPE)
        raw = ss.get(state.POOL)
        if loaded is None or raw is None:
            return base.pool
        csv = tape_bytes(raw, "csv").decode("utf-8-sig")
        return PoolSource(embedded_csv=csv, eligibility=rules[0], concentration=rules[1])
    return PoolSource(sample=source, sample_seed=DEFAULT_SEED, eligibility=rules[0],
                      concentration=rules[1])


def problem_widget(path: str) -> str:
    """The widget that holds the field at ``path`` ("" when no widget does)."""
    for prefix, key in FIELD_WIDGETS:
        if path == prefix or path.startswith((prefix + ".", prefix + "[")):
            return key
    return ""


def _problems(error: DealFileError) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for problem in error.problems:
        path = problem.split(": ", 1)[0] if ": " in problem else ""
        out.setdefault(problem_widget(path), []).append(problem)
    return out


def current() -> Deal | None:
    """The deal of the current inputs, or None; problems are kept in :data:`ui.state.PROBLEMS`."""
    ss = st.session_state
    base: Deal = ss[state.DEAL_BASE]
    # The pool section is set after reading (`_pool_source`): a stand-in keeps an embedded
    # tape out of the copy and the reader.
    data = dealfile.deal_to_dict(replace(base, pool=PoolSource(sample="consumer")))
    for key, (path, _) in SCALARS.items():
        _set(data, path, ss[key])
    data["assumptions"]["default"] = _default_assumption(ss)
    data["assumptions"]["prepayment"] = {"annual": parse_vector(ss["as_cpr"])}
    data["assumptions"]["benchmark"] = _benchmark(ss)
    _structure(ss, data)
    data["pricing"] = _pricing(ss)
    problems: dict[str, list[str]] = {}
    deal = None
    try:
        deal = replace(dealfile.deal_from_dict(data, file="inputs"), pool=_pool_source(base))
    except DealFileError as exc:
        problems = _problems(exc)
    ss[state.DEAL] = deal
    ss[state.PROBLEMS] = problems
    return deal


def show_problems(key: str, where: Any = None) -> None:
    """Draw the problems of the input ``key`` as error messages (below the input)."""
    for message in st.session_state.get(state.PROBLEMS, {}).get(key, []):
        (where or st).error(render_message(message, lang()))


# --- The deal and its pool, for the pages that run it -------------------------------------


@dataclass(frozen=True)
class RunInputs:
    """What a run needs: the deal, the pool it runs on and the pool's cache key."""

    deal: Deal
    pool: Pool
    pool_key: str


def pool_key_of(source: PoolSource) -> str:
    """Cache key of the pool a :class:`PoolSource` names (its full content, hashed)."""
    return "deal:" + hashlib.sha256(repr(source).encode()).hexdigest()[:16]


def run_inputs(invalid: Callable[[dict[str, list[str]]], None]) -> RunInputs | None:
    """The current deal on the selected pool; None (after ``invalid(problems)``) when the
    inputs are invalid, or after showing the library's message when the pool is."""
    deal = current()
    if deal is None:
        invalid(st.session_state[state.PROBLEMS])
        return None
    ss = st.session_state
    if ss.get("pool_source", "deal") != "deal" and ss.get(state.POOL_SELECTED) is not None:
        return RunInputs(deal, ss[state.POOL_SELECTED], ss[state.POOL_SELECTED_KEY])
    outcome = None
    with state.show_errors():
        pool, _ = cache.deal_pool(deal.pool, deal)
        outcome = RunInputs(deal, pool, pool_key_of(deal.pool))
    return outcome
