"""Documented limits on what one input may ask of the machine (``docs/limits.md``).

Every run is bounded before it starts: the numbers a user gives (paths, seed, workers,
horizon, amounts) have fixed ranges, and the memory and time a run needs are estimated from
its shape (loans, groups, months, paths, workers) and compared with a budget that the
environment variables :data:`MEMORY_ENV` and :data:`SECONDS_ENV` may change. A request over
a limit raises :class:`~abs_tool.errors.LimitError` naming the field or parameter to change,
the limit and the value, before anything large is allocated.

The estimates are calibrated against measurements of this engine (``bench/refusals.py``
prints them next to measured peaks): memory is an upper bound with a margin, time is a
typical figure for one core of a 2020s machine, since a refusal on time should only stop
runs that are clearly too long.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from abs_tool.errors import FieldError, InputError, LimitError

__all__ = [
    "AMOUNT",
    "AMOUNT_OR_ZERO",
    "EXACT_CHUNK_DOUBLES",
    "EXACT_MAX_OBLIGORS",
    "MAX_DEAL_AMOUNT",
    "MAX_DEAL_FILE_BYTES",
    "MAX_HORIZON_MONTHS",
    "MAX_JSON_DEPTH",
    "MAX_JSON_INT_DIGITS",
    "MAX_JSON_VALUES",
    "MAX_LOAN_AMOUNT",
    "MAX_PATHS",
    "MAX_SECTORS",
    "MAX_SEED",
    "MAX_WORKERS",
    "MEMORY_ENV",
    "MIN_AMOUNT",
    "MIN_SIZE_STEP",
    "SECONDS_ENV",
    "Cost",
    "check_amount",
    "check_cost",
    "check_integer",
    "estimate",
    "memory_budget",
    "shown_value",
    "time_budget",
    "workers_within_budget",
]

MAX_HORIZON_MONTHS = 600
"""Longest horizon, cut-off to legal final: 50 years."""

MAX_PATHS = 10_000_000
"""Most Monte Carlo paths of one run."""

MAX_SEED = 2**64 - 1
"""Largest root seed (any unsigned 64-bit integer)."""

MAX_WORKERS = 256
"""Most threads one run may use."""

MAX_SECTORS = 100
"""Most distinct values of the sector column (``assumptions.sector_column``)."""

EXACT_MAX_OBLIGORS = 5_000
"""Most obligors for which ``run.default_method = "auto"`` draws defaults obligor by obligor
(exact mode); a pool with more is drawn per PD group. Exact mode costs about 8 ns of CPU per
obligor and path on top of the engine (bench/monte_carlo.py --defaults, 2 cores): at this
limit about 2 s more for 100,000 paths. The factoring sample (1,989 obligors) runs exact
(1.5 s against 0.8 s grouped), the consumer sample (19,326) grouped (exact would take 8.5 s
against 0.6 s)."""

EXACT_CHUNK_DOUBLES = 2**21
"""Most uniforms exact mode draws at once (16 MiB), which bounds its memory per block."""

MIN_AMOUNT = 0.01
"""Smallest positive money amount of a deal file or of one loan on a tape (one cent)."""

MAX_LOAN_AMOUNT = 1e13
"""Largest balance of one loan on a tape (ten trillion). With at most a million loans
(:data:`abs_tool.io.tape.DEFAULT_MAX_ROWS`) the pool total stays below 1e19 and squares of
amounts stay finite."""

MAX_DEAL_AMOUNT = 1e15
"""Largest money amount of a deal file (a thousand trillion)."""

AMOUNT: dict[str, bool] = {"amount": False}
"""Metadata of a dataclass field that a deal file gives as a money amount in
[:data:`MIN_AMOUNT`, :data:`MAX_DEAL_AMOUNT`] (the deal-file reader checks it)."""

AMOUNT_OR_ZERO: dict[str, bool] = {"amount": True}
"""Metadata of a money field that may also be 0 (a fee that is not charged)."""

MIN_SIZE_STEP = 1e-4
"""Finest grid of class sizes in structuring (0.01% of the pool)."""

MAX_CONFIDENCE_SE = 10.0
"""Most standard errors a structuring pass may ask a metric to be inside its threshold."""

MAX_DEAL_FILE_BYTES = 64 * 2**20
"""Largest deal file (64 MiB: room for a tape of a few hundred thousand loans embedded)."""

MAX_JSON_VALUES = 100_000
"""Most JSON values (numbers, strings, lists, objects) of a deal file outside its strings'
text; a deal file has a few thousand at most. Each value costs about 100 bytes once parsed,
so this bounds the memory of parsing whatever the file size."""

MAX_JSON_DEPTH = 32
"""Deepest nesting of lists and objects in a deal file (the format needs 6)."""

MAX_JSON_INT_DIGITS = 400
"""Longest integer of a deal file, in digits (the largest float has 309)."""

MEMORY_ENV = "ABS_TOOL_MAX_MEMORY_MB"
"""Environment variable: memory budget of one run in MiB (default 4096)."""

SECONDS_ENV = "ABS_TOOL_MAX_SECONDS"
"""Environment variable: time budget of one run in seconds (default 3600)."""

_DEFAULT_MEMORY_MB = 4096
_DEFAULT_SECONDS = 3600.0

# Calibration (bench/refusals.py, consumer and factoring samples, 2 cores):
# - payment schedules: 6 float64 (loans, months) arrays at the peak of build_pool_model,
#   and 16 (groups, months) ones for the grouped profiles; 1.2e-7 s per loan-month;
# - engine paths in flight: the waterfall's outputs per path and month take 8 float64 per
#   class, 2 per fee, 1 per trigger and about 20 more (pool, accounts, metrics), and the
#   copula draws 2 per group; 4e-7 s + 6.5e-8 s per group, per path-month on one core;
# - kept asset paths (structuring): one float64 per path, group and month, two in exact
#   mode with loan-level recovery rates (the rates of each path's defaults), which also
#   draws one more per group in flight;
# - exact defaults: a chunk of uniforms (at most EXACT_CHUNK_DOUBLES) per worker, and per
#   obligor its curve (months + groups), per loan-month of schedule about 3 numbers;
#   8e-9 s per path and obligor on one core (both samples, bench/monte_carlo.py).
# Memory figures carry a margin of a quarter over the largest measured.
_MARGIN = 1.25
_SCHEDULE_ARRAYS = 7
_PROFILE_ARRAYS = 16
_SECONDS_PER_LOAN_MONTH = 1.2e-7
# Float64 per path and month: the engine's output rows (abs_tool.engine.kernel: 12 pool and
# 20 account rows, the flags, and 10 rows per class; tests/test_limits.py keeps these in step).
_PATH_BASE, _PATH_PER_GROUP, _PATH_PER_CLASS, _PATH_PER_FEE, _PATH_PER_TRIGGER = 33, 2, 10, 2, 1
_SECONDS_PER_PATH_MONTH, _SECONDS_PER_PATH_GROUP_MONTH = 4e-7, 6.5e-8
_SCHEDULE_NUMBERS, _SECONDS_PER_PATH_OBLIGOR = 3, 8e-9


def _env_number(name: str, default: float) -> float:
    text = os.environ.get(name)
    if text is None or not text.strip():
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise InputError(f"the environment variable {name} must be a number > 0 "
                         f"(got {text!r}); unset it for the default {default:,.0f}")
    return value


def memory_budget() -> float:
    """Bytes one run may use: :data:`MEMORY_ENV` MiB, 4096 by default.

    Raises
    ------
    InputError
        The variable is set to something other than a positive number.
    """
    return _env_number(MEMORY_ENV, _DEFAULT_MEMORY_MB) * 2**20


def time_budget() -> float:
    """Seconds one run may take: :data:`SECONDS_ENV`, 3600 by default.

    Raises
    ------
    InputError
        The variable is set to something other than a positive number.
    """
    return _env_number(SECONDS_ENV, _DEFAULT_SECONDS)


@dataclass(frozen=True)
class Cost:
    """What a run is estimated to need: peak ``bytes`` of memory and ``seconds``."""

    bytes: float
    seconds: float


def estimate(
    *,
    months: int,
    loans: int = 0,
    schedule_months: int = 0,
    groups: int = 1,
    classes: int = 1,
    fees: int = 0,
    triggers: int = 0,
    paths: int = 0,
    paths_in_flight: int = 0,
    workers: int = 1,
    kept_paths: int = 0,
    obligors: int = 0,
    loan_months: int = 0,
    recovery_by_path: bool = False,
    kept_rates: bool = False,
) -> Cost:
    """Peak memory and time of one engine task, from its shape alone (nothing allocated).

    Parameters
    ----------
    months
        Periods modelled (the deal's horizon).
    loans, schedule_months
        Loans whose payment schedules are built, and the months each schedule covers
        (at most ``months``): the cost of :func:`abs_tool.model.pool_model.build_pool_model`.
    groups, classes, fees, triggers
        The pool model's groups and the structure's sizes.
    paths
        Paths simulated in all (time).
    paths_in_flight
        Paths one worker holds at once (memory).
    workers
        Workers running at once; time assumes no more than the machine's cores help.
    kept_paths
        Asset paths kept for the whole run (:func:`abs_tool.engine.montecarlo.simulate_assets`).
    obligors, loan_months
        Exact-mode defaults (:func:`abs_tool.credit.copula.exact_default_fractions`): the
        obligors drawn for each path, and the months of the loans' schedules kept (the sum
        of their remaining terms, cut at the horizon); 0 for grouped defaults.
    recovery_by_path, kept_rates
        Exact-mode defaults with loan-level recovery rates draw a rate per path, group and
        month beside the default fraction (in flight), and kept asset paths keep it too.

    Returns
    -------
    Cost
        Bytes (an upper bound, with a margin) and seconds (typical).
    """
    doubles = (_SCHEDULE_ARRAYS * loans * schedule_months + _PROFILE_ARRAYS * groups * months
               + kept_paths * groups * months * (2 if kept_rates else 1))
    per_path_group = _PATH_PER_GROUP + (1 if recovery_by_path else 0)
    per_path_month = (_PATH_BASE + per_path_group * groups + _PATH_PER_CLASS * classes
                      + _PATH_PER_FEE * fees + _PATH_PER_TRIGGER * triggers)
    doubles += workers * paths_in_flight * months * per_path_month
    if obligors:
        chunk = min(paths_in_flight * obligors, max(EXACT_CHUNK_DOUBLES, obligors))
        doubles += (obligors * (months + groups) + _SCHEDULE_NUMBERS * loan_months
                    + workers * chunk)
    parallel = max(1, min(workers, os.cpu_count() or 1))
    seconds = (_SECONDS_PER_LOAN_MONTH * loans * schedule_months
               + paths * (months * (_SECONDS_PER_PATH_MONTH
                                    + _SECONDS_PER_PATH_GROUP_MONTH * groups)
                          + _SECONDS_PER_PATH_OBLIGOR * obligors) / parallel)
    return Cost(8.0 * doubles * _MARGIN, seconds)


def workers_within_budget(fixed_bytes: float, per_worker_bytes: float, wanted: int) -> int:
    """The most workers, up to ``wanted``, whose memory (``fixed_bytes`` plus
    ``per_worker_bytes`` each) fits the budget; at least 1 (then :func:`check_cost` says
    whether one fits)."""
    room = memory_budget() - fixed_bytes
    fits = int(room // per_worker_bytes) if per_worker_bytes > 0 else wanted
    return max(1, min(wanted, fits))


def _bytes_text(n: float) -> str:
    return f"{n / 2**30:,.1f} GiB" if n >= 2**30 else f"{n / 2**20:,.0f} MiB"


def _seconds_text(s: float) -> str:
    if s >= 7200:
        return f"{s / 3600:,.1f} hours"
    return f"{s / 60:,.1f} minutes" if s >= 120 else f"{s:,.0f} s"


def shown_value(value: object) -> str:
    """``value`` for a message: integers with thousands separators, and an integer too long
    to print (Python refuses over 4,300 digits) by its number of digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > 256:
            return f"an integer of {math.floor(value.bit_length() * math.log10(2)) + 1:,} digits"
        return f"{value:,}"
    return repr(value)


def check_cost(cost: Cost, *, field: str, value: object, what: str) -> None:
    """Refuse a task whose estimated memory or time is over the budget.

    Parameters
    ----------
    cost
        The task's :func:`estimate`.
    field
        What the user should change (``paths``, ``run.paths``, ``workers``, ``pool`` ...).
    value
        The value given for ``field``, shown in the message (a string as it is).
    what
        The task in words, e.g. ``"20,000 paths of 5 groups over 36 months"``.

    Raises
    ------
    LimitError
        Over the memory budget (:data:`MEMORY_ENV`) or the time budget
        (:data:`SECONDS_ENV`); the message gives the estimate, the limit and the value.
    """
    shown = value if isinstance(value, str) else shown_value(value)
    memory = memory_budget()
    if cost.bytes > memory:
        raise LimitError(field, f"{what} needs about {_bytes_text(cost.bytes)} of memory, over "
                         f"the limit of {memory / 2**20:,.0f} MiB (got {shown}); ask for less, "
                         f"or raise the limit with the environment variable {MEMORY_ENV} "
                         "(docs/limits.md)")
    seconds = time_budget()
    if cost.seconds > seconds:
        raise LimitError(field, f"{what} would take about {_seconds_text(cost.seconds)}, over "
                         f"the limit of {seconds:,.0f} s (got {shown}); ask for less, or "
                         f"raise the limit with the environment variable {SECONDS_ENV} "
                         "(docs/limits.md)")


def check_integer(field: str, value: object, low: int, high: int) -> int:
    """``value`` if it is an integer (not a bool) in [low, high].

    Raises
    ------
    FieldError
        Naming ``field``, the range and the value.
    """
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FieldError(field, f"must be an integer from {low:,} to {high:,} "
                         f"(got {shown_value(value)})")
    return value


def check_amount(field: str, value: object, *, zero: bool = False) -> None:
    """Refuse a money amount outside [:data:`MIN_AMOUNT`, :data:`MAX_DEAL_AMOUNT`] (or 0 where
    ``zero``): beyond them float sums lose the cents, or squares overflow.

    Raises
    ------
    FieldError
        Naming ``field``, the range and the value.
    """
    ok = isinstance(value, int | float) and not isinstance(value, bool) and (
        (zero and value == 0) or MIN_AMOUNT <= value <= MAX_DEAL_AMOUNT)
    if not ok:
        allowed = f"from {MIN_AMOUNT:g} to {MAX_DEAL_AMOUNT:g}"
        raise FieldError(field, f"must be an amount {'of 0 or ' if zero else ''}{allowed} "
                         f"(got {value!r})")
