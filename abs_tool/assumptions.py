"""Default, prepayment and recovery assumptions as small tagged variants.

A default assumption is one of :class:`AnnualPd` (loan PDs from the tape or a grade table),
:class:`CdrVector` or :class:`LifetimeDefault`; prepayment is a :class:`Cpr` vector; recovery
a :class:`Recovery`. :func:`monthly_vector` turns an annual vector whose last value repeats
into one value per month.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .conventions import mdr_from_cdr, smm_from_cpr
from .errors import FieldError

TIMING_TOLERANCE = 1e-6
"""A default timing curve must sum to 1 within this."""


def _rates(name: str, values: tuple[float, ...], upper_open: bool = True) -> None:
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
        _rates("annual", self.annual)

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
        _rates("cumulative_rate", (self.cumulative_rate,), upper_open=False)
        _rates("timing", self.timing, upper_open=False)
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
        _rates("annual", self.annual)

    def monthly(self, n_periods: int) -> NDArray[np.float64]:
        """Single monthly mortality (SMM) by period."""
        return smm_from_cpr(monthly_vector(self.annual, n_periods))


@dataclass(frozen=True)
class Recovery:
    """Recovery ``rate`` (= 1 - LGD) of the defaulted balance, received ``lag_months`` later."""

    rate: float = 0.0
    lag_months: int = 0

    def __post_init__(self) -> None:
        _rates("rate", (self.rate,), upper_open=False)
        if not (isinstance(self.lag_months, int) and self.lag_months >= 0):
            raise FieldError("lag_months", f"must be an integer >= 0 (got {self.lag_months!r})")


@dataclass(frozen=True)
class Assumptions:
    """Everything the pool projection and the Monte Carlo assume about the assets.

    ``correlation`` is the asset correlation rho of the one-factor Gaussian copula.
    """

    default: DefaultAssumption = field(default_factory=AnnualPd)
    prepayment: Cpr = field(default_factory=Cpr)
    recovery: Recovery = field(default_factory=Recovery)
    correlation: float = 0.15

    def __post_init__(self) -> None:
        if not isinstance(self.default, AnnualPd | CdrVector | LifetimeDefault):
            raise FieldError(
                "default",
                "must be one of: annual PD by loan/grade, CDR vector, lifetime cumulative "
                f"default with timing curve (got {type(self.default).__name__})",
            )
        rho = self.correlation
        if not (isinstance(rho, int | float) and math.isfinite(rho) and 0 <= rho < 1):
            raise FieldError("correlation", f"must be in [0, 1) (got {rho!r})")
