"""Default, prepayment and recovery assumptions as small tagged variants.

A default assumption is one of :class:`AnnualPd` (loan PDs from the tape or a grade table),
:class:`CdrVector` or :class:`LifetimeDefault`; prepayment is a :class:`Cpr` vector; recovery
a :class:`Recovery`. :func:`monthly_vector` turns an annual vector whose last value repeats
into one value per month. Fields that only the Monte Carlo reads are marked
:data:`MONTE_CARLO_ONLY`, and :func:`deterministic_inputs` drops them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from abs_tool.errors import FieldError
from abs_tool.limits import MAX_HORIZON_MONTHS, check_integer
from abs_tool.model.conventions import mdr_from_cdr, smm_from_cpr

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

TIMING_TOLERANCE = 1e-6
"""A default timing curve must sum to 1 within this."""

MIN_RECOVERY_VOLATILITY = 1e-6
"""Smallest positive ``recovery_volatility``: below about 1e-9 the Beta distribution's
parameters pass 1e17 and its quantiles are NaN (scipy's ``betaincinv``)."""

MONTE_CARLO_ONLY: dict[str, bool] = {"monte_carlo_only": True}
"""Metadata of a dataclass field that only the Monte Carlo reads: a deterministic scenario,
a break-even search or the cost of funds gives the same numbers whatever its value. Such a
field needs a default. Unmarked fields count as deterministic inputs, so a new field makes
cached deterministic results recompute, never go stale (:func:`deterministic_inputs`)."""

_T = TypeVar("_T", bound="DataclassInstance")


def deterministic_inputs(value: _T) -> _T:
    """What a deterministic run reads of ``value``: ``value`` with every field marked
    :data:`MONTE_CARLO_ONLY` reset to its default, in it and in the dataclasses its fields
    hold, recursively.

    Values with equal deterministic inputs give equal deterministic results, so this is the
    key to cache those under. Dataclasses inside tuples are kept whole: none has such a
    field, and one that did would only make the key finer (a recompute, never a stale
    result).

    Parameters
    ----------
    value
        A dataclass instance: a :class:`~abs_tool.model.deal.Deal`, :class:`Assumptions`...

    Returns
    -------
    Same type as ``value``
        ``value`` itself when every marked field already holds its default.

    Raises
    ------
    FieldError
        When the defaults do not validate with the other fields (a marked field's default
        must fit any value of the unmarked ones).
    """
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(value):
        current = getattr(value, f.name)
        if f.metadata.get("monte_carlo_only"):
            factory = f.default_factory
            default = f.default if factory is dataclasses.MISSING else factory()
            if default != current:
                changes[f.name] = default
        elif dataclasses.is_dataclass(current) and not isinstance(current, type):
            inner = deterministic_inputs(current)
            if inner is not current:
                changes[f.name] = inner
    return dataclasses.replace(value, **changes) if changes else value


def check_rates(name: str, values: Sequence[float], upper_open: bool = True) -> None:
    """Refuse an empty vector or a value that is not a finite rate in [0, 1) (``[0, 1]``
    unless ``upper_open``).

    Raises
    ------
    FieldError
        Naming ``name[i]`` of the first bad value, the interval and the value.
    """
    if len(values) == 0:
        raise FieldError(name, "must have at least one value (got [])")
    for i, v in enumerate(values):
        ok = isinstance(v, int | float) and math.isfinite(v) and v >= 0
        ok = ok and (v < 1 if upper_open else v <= 1)
        if not ok:
            interval = "[0, 1)" if upper_open else "[0, 1]"
            raise FieldError(f"{name}[{i}]", f"must be in {interval} (got {v!r})")


def monthly_vector(values: tuple[float, ...], n_periods: int) -> NDArray[np.float64]:
    """Values by month 1..n_periods; the last given value repeats."""
    given = np.asarray(values, dtype=np.float64)[:n_periods]
    return np.concatenate([given, np.full(n_periods - len(given), given[-1])])


@dataclass(frozen=True)
class AnnualPd:
    """Loan-level annual PDs (constant monthly hazard -ln(1-p)/12, DOMAIN.md).

    A loan takes ``by_grade[grade]`` when its grade is in the table, else its tape
    ``annual_pd``. ``multiplier`` scales every PD (stress), capped below 1.
    """

    by_grade: tuple[tuple[str, float], ...] = ()
    multiplier: float = 1.0

    def __post_init__(self) -> None:
        grades = [g for g, _ in self.by_grade]
        for i, (grade, pd) in enumerate(self.by_grade):
            if grade in grades[:i]:
                raise FieldError(f"by_grade[{grade!r}]", "duplicate grade")
            if not (isinstance(pd, int | float) and math.isfinite(pd) and 0 <= pd < 1):
                raise FieldError(f"by_grade[{grade!r}]", f"must be in [0, 1) (got {pd!r})")
        m = self.multiplier
        if not (isinstance(m, int | float) and math.isfinite(m) and m >= 0):
            raise FieldError("multiplier", f"must be >= 0 (got {m!r})")

    @property
    def grade_table(self) -> dict[str, float]:
        return dict(self.by_grade)


@dataclass(frozen=True)
class CdrVector:
    """Annual constant default rates by month (last value repeats), on the surviving balance."""

    annual: tuple[float, ...]

    def __post_init__(self) -> None:
        check_rates("annual", self.annual)

    def monthly(self, n_periods: int) -> NDArray[np.float64]:
        """Monthly default rate (MDR) by period."""
        return mdr_from_cdr(monthly_vector(self.annual, n_periods))


@dataclass(frozen=True)
class LifetimeDefault:
    """A lifetime cumulative default rate spread over months by a timing curve.

    The default amount of month t is ``cumulative_rate * timing[t-1]`` times the initial pool
    balance plus the receivables bought so far (revolving), capped by the performing balance.
    ``timing`` gives the share of lifetime defaults in each month and sums to 1.
    """

    cumulative_rate: float
    timing: tuple[float, ...]

    def __post_init__(self) -> None:
        check_rates("cumulative_rate", (self.cumulative_rate,), upper_open=False)
        check_rates("timing", self.timing, upper_open=False)
        total = math.fsum(self.timing)
        if abs(total - 1) > TIMING_TOLERANCE:
            raise FieldError("timing", f"shares must sum to 1 (got {total:.8g})")

    def amounts_share(self, n_periods: int) -> NDArray[np.float64]:
        """Default amount by month as a share of the initial pool (plus purchases)."""
        shares = np.zeros(n_periods)
        given = np.asarray(self.timing[:n_periods], dtype=np.float64)
        shares[: len(given)] = given
        return self.cumulative_rate * shares


DefaultAssumption = AnnualPd | CdrVector | LifetimeDefault


@dataclass(frozen=True)
class Cpr:
    """Annual constant prepayment rates by month (last value repeats)."""

    annual: tuple[float, ...] = (0.0,)

    def __post_init__(self) -> None:
        check_rates("annual", self.annual)

    def monthly(self, n_periods: int) -> NDArray[np.float64]:
        """Single monthly mortality (SMM) by period."""
        return smm_from_cpr(monthly_vector(self.annual, n_periods))

    def survival(self, n_periods: int) -> NDArray[np.float64]:
        """The share of a scheduled balance that prepayments leave at the start of each
        period: the product of (1 - SMM) over the periods before it."""
        return np.concatenate([[1.0], np.cumprod(1.0 - self.monthly(n_periods))[:-1]])


@dataclass(frozen=True)
class Recovery:
    """Recovery ``rate`` (= 1 - LGD) of the defaulted balance, received ``lag_months`` later
    (at most :data:`~abs_tool.limits.MAX_HORIZON_MONTHS`).

    With ``from_tape`` (the default), a loan whose tape gives an ``lgd`` recovers ``1 - lgd``
    of its defaulted balance instead, and ``rate`` applies to the loans without one: the
    tape is information the analyst gave. ``from_tape=False`` applies ``rate`` to every
    loan. How the engines use loan-level rates: :mod:`abs_tool.engine.projection`.
    """

    rate: float = 0.0
    lag_months: int = 0
    from_tape: bool = True

    def __post_init__(self) -> None:
        check_rates("rate", (self.rate,), upper_open=False)
        check_integer("lag_months", self.lag_months, 0, MAX_HORIZON_MONTHS)
        if not isinstance(self.from_tape, bool):
            raise FieldError("from_tape", f"must be true or false (got {self.from_tape!r})")


class Copula(StrEnum):
    GAUSSIAN = "gaussian"
    STUDENT_T = "student_t"


class SectorColumn(StrEnum):
    REGION = "region"
    INDUSTRY = "industry"


# Floating coupons (issue 16 item 4b): the benchmark rate path of a scenario.
def _check_benchmark_rate(value: float) -> None:
    if not (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value) and 0 <= value < 1):
        raise FieldError("rate_annual", f"must be in [0, 1) (got {value!r})")


MAX_BENCHMARK_NAME_CHARS = 40
"""The longest benchmark name (a term sheet cell shows it: "1Y LPR")."""


@dataclass(frozen=True)
class BenchmarkStep:
    """The benchmark's annual rate from ``month`` (1 = the first month after the cut-off)
    on, until the next step."""

    month: int
    rate_annual: float

    def __post_init__(self) -> None:
        if not (isinstance(self.month, int) and not isinstance(self.month, bool)
                and 1 <= self.month <= MAX_HORIZON_MONTHS):
            raise FieldError("month", f"must be an integer in [1, {MAX_HORIZON_MONTHS}] "
                             f"(got {self.month!r})")
        _check_benchmark_rate(self.rate_annual)


@dataclass(frozen=True)
class BenchmarkPath:
    """The benchmark of floating coupons (e.g. the 1-year LPR), an annual rate by month:
    ``rate_annual`` from month 1, then each of ``steps`` sets the rate from its month on
    (months increasing; a month not listed holds the rate before it). ``name`` is what the
    term sheet calls it. A scenario may replace the path or shift it
    (:class:`~abs_tool.engine.deterministic.Scenario`); the Monte Carlo runs on the
    deal's path. Fixed-coupon classes never read it."""

    name: str = "1Y LPR"
    rate_annual: float = 0.03
    steps: tuple[BenchmarkStep, ...] = ()

    def __post_init__(self) -> None:
        name = self.name
        if not (isinstance(name, str) and 0 < len(name) <= MAX_BENCHMARK_NAME_CHARS
                and name == name.strip() and name.isprintable()):
            raise FieldError("name", f"must be a name of 1 to {MAX_BENCHMARK_NAME_CHARS} "
                             f"characters on one line (got {name!r})")
        _check_benchmark_rate(self.rate_annual)
        for i, step in enumerate(self.steps):
            if not isinstance(step, BenchmarkStep):
                raise FieldError(f"steps[{i}]", f"must be a BenchmarkStep (got {step!r})")
            if i and step.month <= self.steps[i - 1].month:
                raise FieldError(f"steps[{i}].month", "months must increase (got "
                                 f"{step.month!r} after {self.steps[i - 1].month!r})")

    def monthly(self, n_periods: int) -> NDArray[np.float64]:
        """(n_periods,) the annual rate of months 1..n_periods."""
        rates = np.full(n_periods, float(self.rate_annual))
        for step in self.steps:
            rates[step.month - 1:] = step.rate_annual
        return rates

    def average(self, years: float) -> float:
        """The mean annual rate of months 1..n, n = 12 ``years`` rounded up (at least 1):
        the benchmark a floating class of WAL ``years`` is priced against."""
        months = max(1, math.ceil(12 * years - 1e-9)) if math.isfinite(years) else 1
        return float(self.monthly(months).mean())

    def shifted(self, shift_bp: float) -> BenchmarkPath:
        """This path with every rate moved by ``shift_bp`` basis points.

        Raises
        ------
        FieldError
            ``shift_bp`` when a shifted rate leaves [0, 1).
        """
        if not (isinstance(shift_bp, int | float) and math.isfinite(shift_bp)):
            raise FieldError("shift_bp", f"must be a number of basis points (got {shift_bp!r})")
        if shift_bp == 0:
            return self
        move = shift_bp / 1e4
        rates = [self.rate_annual + move] + [s.rate_annual + move for s in self.steps]
        if not all(0 <= r < 1 for r in rates):
            raise FieldError("shift_bp", f"moves a rate of the benchmark path out of [0, 1) "
                             f"(got {shift_bp!r} bp on rates from {min(rates) - move:.4%} to "
                             f"{max(rates) - move:.4%})")
        return BenchmarkPath(self.name, rates[0], tuple(
            BenchmarkStep(s.month, r) for s, r in zip(self.steps, rates[1:], strict=True)))


@dataclass(frozen=True)
class Assumptions:
    """Everything the pool projection and the Monte Carlo assume about the assets.

    Credit model (DOMAIN.md): loan i has latent ``X_i = sqrt(rho) Z + sqrt(rho_s) Z_s +
    sqrt(1 - rho - rho_s) e_i`` with ``rho = correlation`` on the systematic factor and
    ``rho_s = sector_correlation`` on the factor of its sector (``sector_column``), and
    defaults by month t when ``Phi(X_i) <= F_i(t)``. With ``copula = "student_t"`` the
    latent variable is divided by ``sqrt(W / nu)``, W chi-squared with ``nu =
    t_degrees_of_freedom`` degrees, common to all loans (tail dependence). Each path's
    recovery rate R is Beta-distributed around ``recovery.rate`` (m) with standard deviation
    ``recovery_volatility``, driven by ``sqrt(c) Z + sqrt(1 - c) eta`` with
    ``c = recovery_correlation`` (recoveries fall in bad states); with loan-level rates
    from the tape (``recovery.from_tape``), the path scales every one of them by R / m,
    capped at 1 (:mod:`abs_tool.engine.projection`). Prepayment is
    deterministic. Only the Monte Carlo reads the fields marked :data:`MONTE_CARLO_ONLY`
    (the copula's and the recovery rate's randomness).
    """

    default: DefaultAssumption = field(default_factory=AnnualPd)
    prepayment: Cpr = field(default_factory=Cpr)
    recovery: Recovery = field(default_factory=Recovery)
    correlation: float = field(default=0.15, metadata=MONTE_CARLO_ONLY)
    copula: Copula = field(default=Copula.GAUSSIAN, metadata=MONTE_CARLO_ONLY)
    t_degrees_of_freedom: float = field(default=6.0, metadata=MONTE_CARLO_ONLY)
    # Not Monte Carlo only: the sectors split the pool model's groups.
    sector_column: SectorColumn | None = None
    sector_correlation: float = field(default=0.0, metadata=MONTE_CARLO_ONLY)
    recovery_volatility: float = field(default=0.0, metadata=MONTE_CARLO_ONLY)
    recovery_correlation: float = field(default=0.0, metadata=MONTE_CARLO_ONLY)
    # Floating coupons (issue 16 item 4b): the benchmark path of the base case.
    benchmark: BenchmarkPath = field(default_factory=BenchmarkPath)

    def __post_init__(self) -> None:
        if not isinstance(self.benchmark, BenchmarkPath):
            raise FieldError("benchmark", f"must be a BenchmarkPath (got {self.benchmark!r})")
        if not isinstance(self.default, AnnualPd | CdrVector | LifetimeDefault):
            raise FieldError(
                "default",
                "must be one of: annual PD by loan/grade, CDR vector, lifetime cumulative "
                f"default with timing curve (got {type(self.default).__name__})",
            )
        for name in ("correlation", "sector_correlation", "recovery_correlation"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and 0 <= value < 1):
                raise FieldError(name, f"must be in [0, 1) (got {value!r})")
        if self.correlation + self.sector_correlation >= 1:
            raise FieldError("sector_correlation", "correlation + sector_correlation must be "
                             f"below 1 (got {self.correlation + self.sector_correlation!r})")
        if self.sector_column is not None and self.sector_column not in set(SectorColumn):
            raise FieldError("sector_column", f"must be one of {[c.value for c in SectorColumn]}"
                             f" (got {self.sector_column!r})")
        if self.sector_correlation > 0 and self.sector_column is None:
            raise FieldError("sector_column", "name the column whose values are the sectors "
                             "('region' or 'industry') when sector_correlation > 0")
        if self.copula not in set(Copula):
            raise FieldError("copula", f"must be one of {[c.value for c in Copula]} "
                             f"(got {self.copula!r})")
        nu = self.t_degrees_of_freedom
        if not (isinstance(nu, int | float) and math.isfinite(nu) and nu > 2):
            raise FieldError("t_degrees_of_freedom", f"must be > 2 (got {nu!r})")
        mean, sd = self.recovery.rate, self.recovery_volatility
        limit = math.sqrt(mean * (1 - mean))
        if not (isinstance(sd, int | float) and math.isfinite(sd) and sd >= 0):
            raise FieldError("recovery_volatility", f"must be >= 0 (got {sd!r})")
        if 0 < sd < MIN_RECOVERY_VOLATILITY:
            raise FieldError("recovery_volatility", f"must be 0 or at least "
                             f"{MIN_RECOVERY_VOLATILITY:g}: a narrower Beta distribution is a "
                             f"constant recovery rate, give 0 (got {sd!r})")
        if sd > 0 and not sd < limit:
            raise FieldError("recovery_volatility", "a Beta distribution with mean "
                             f"{mean:g} needs a standard deviation below {limit:.6g} "
                             f"(got {sd!r})")
