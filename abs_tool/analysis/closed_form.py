"""The closed-form cross-check of a Monte Carlo run: the large homogeneous pool (Vasicek).

Beside the simulated pool loss distribution the app and ``abs-tool run`` show the Vasicek
large-pool distribution (:mod:`abs_tool.credit.vasicek`) of a *homogeneous equivalent* of the
deal's pool, where the pool fits that model, and say why not where it does not.

Homogeneous equivalent
----------------------
The pool's own large-pool limit comes first: in factor state ``Z = z`` an infinitely granular
pool defaults, in every group and month, exactly its conditional probability ``p_g(t | z)``
(:func:`abs_tool.credit.copula.large_pool_fractions`). The engine runs those defaults on a
grid of z (:data:`FACTOR_STEP` apart on +-:data:`FACTOR_RANGE`) through the deal's own pool
model, prepayment, recoveries, revolving purchases and clean-up call, and
:func:`abs_tool.engine.montecarlo.pool_rates` gives each state's lifetime default rate D(z)
and loss rate L(z): the figures the simulated histograms count. Then

- ``pd = E[D(Z)]`` (trapezoidal rule in z against the normal density): the pool's expected
  lifetime default rate as a share of the initial balance plus receivables bought, after
  amortisation and prepayment (a loan that has repaid can no longer default). Defaults are
  linear in the default counts, so for a pool that does not revolve and has no clean-up call
  this is the expected simulated default rate itself;
- ``rho``: the deal's asset correlation;
- ``lgd = E[L(Z)] / E[D(Z)]``: 1 - the recovery rate, less any recoveries that would come
  after the legal final date;

and the curve is ``lgd`` times a Vasicek(``pd``, ``rho``) default rate, with mean ``pd x lgd``
equal to the large-pool mean loss.

When it is not shown
--------------------
In this order (:attr:`ClosedFormCheck.reason`):

- ``student_t``: a Student-t copula's large-pool loss is not Vasicek (it has tail dependence);
- ``sector_factor``: sector factors add a correlation of their own, so the pool's defaults
  have more than one common factor;
- ``random_recovery``: the recovery rate is random and moves with the factor, so the loss is
  not a fixed LGD times the default rate;
- ``no_correlation``: with ``rho = 0`` the large-pool loss is a constant, not a
  distribution (the simulated spread is then all idiosyncratic);
- ``no_loss``: the equivalent PD or LGD is 0;
- ``not_granular``: the pool is too concentrated for the large-pool limit: its default
  rate, in each state normal around D(z) with the binomial variance ``sum_g w_g^2
  p_g(T|z)(1 - p_g(T|z)) / n_g`` (group balance shares w_g, effective loan counts n_g =
  1/HHI, as the copula draws them) and mixed over the states, has a quantile at one of
  :data:`SHAPE_QUANTILES` whose distance from the large-pool one, plus the step of one
  default ``1 / n`` (n the pool's 1/HHI: counts are whole, which the normal approximation
  misses), is more than :data:`MAX_GRANULARITY_GAP` of it;
- ``heterogeneous``: the pool's own large-pool loss quantiles (PD mix across groups, the
  timing of defaults on an amortising pool, revolving) differ from the homogeneous
  equivalent's by more than :data:`MAX_SHAPE_GAP` (relative) at one of
  :data:`SHAPE_QUANTILES`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize
from scipy.special import ndtr

from abs_tool.credit.copula import FactorDraws, conditional_cumulative_pd, large_pool_fractions
from abs_tool.credit.vasicek import lhp_cdf, lhp_quantile
from abs_tool.engine.deterministic import PreparedDeal, run_paths
from abs_tool.engine.montecarlo import MonteCarloResult, pool_rates
from abs_tool.engine.projection import HazardDefaults
from abs_tool.model.assumptions import Copula
from abs_tool.types import Array

__all__ = ["DERIVATION", "ClosedFormCheck", "Comparison", "HomogeneousEquivalent",
           "LargePool", "closed_form_check", "large_pool"]

METHOD = "vasicek_lhp"

FACTOR_STEP = 0.01
FACTOR_RANGE = 8.5
"""The factor grid of :func:`large_pool` (the normal mass beyond 8.5 is 2e-17). The trapezoidal
rule against the normal density converges geometrically for a smooth D(z) and as the square
of the step at a kink (a trigger that ends revolving in some states): a step of 0.01 puts the
1,701 states' rule error far below any Monte Carlo standard error."""

COMPARED_QUANTILES = (0.5, 0.9, 0.99, 0.999)
SHAPE_QUANTILES = (0.5, 0.99, 0.999)

MAX_GRANULARITY_GAP = 0.10
"""Largest relative gap between the pool's default-rate quantiles as granular as it is and in
its large-pool limit (at :data:`SHAPE_QUANTILES`, one default's step included) at which the
large-pool limit is shown."""

MAX_SHAPE_GAP = 0.10
"""Largest relative gap between the homogeneous equivalent's and the pool's own large-pool
loss quantiles at which the equivalent stands for the pool."""

DERIVATION: dict[str, str] = {
    "pd": "E[D(Z)]: expected lifetime pool default rate (defaults / (initial pool + "
          "receivables bought)) of the infinitely granular pool, from the engine run on a "
          "grid of the systematic factor Z with each group defaulting its conditional "
          "probability p_g(t|Z); includes amortisation, prepayment and revolving",
    "rho": "the deal's asset correlation on the systematic factor",
    "lgd": "E[L(Z)] / E[D(Z)]: 1 - recovery rate, less recoveries due after the legal final "
           "date",
}
"""How each parameter of the homogeneous equivalent is derived (the module docstring says
more)."""


@dataclass(frozen=True)
class LargePool:
    """The pool's own large-pool limit on the factor grid (:func:`large_pool`).

    All arrays are shaped (states,): factor values ``z`` with trapezoidal ``weight`` summing
    to 1; lifetime pool ``default_rate`` and ``loss_rate`` in each state; and
    ``idiosyncratic_variance``, the variance of the default rate a pool of the model's
    effective loan counts has around ``default_rate`` in each state (module docstring).
    """

    z: Array
    weight: Array
    default_rate: Array
    loss_rate: Array
    idiosyncratic_variance: Array

    @property
    def mean_default(self) -> float:
        return float(self.weight @ self.default_rate)

    @property
    def mean_loss(self) -> float:
        return float(self.weight @ self.loss_rate)

    def loss_quantile(self, q: float) -> float:
        """The q-quantile of the large-pool loss rate L(Z), linear between states."""
        return _weighted_quantile(self.loss_rate, self.weight, q)

    def default_quantile(self, q: float) -> float:
        """The q-quantile of the large-pool default rate D(Z), linear between states."""
        return _weighted_quantile(self.default_rate, self.weight, q)

    def finite_default_quantile(self, q: float) -> float:
        """The q-quantile of the default rate of the pool as granular as it is: in each state
        normal around D(z) with the idiosyncratic variance (the binomial counts' normal
        approximation), mixed over the states; by bisection on [0, 1]."""
        sd = np.sqrt(self.idiosyncratic_variance)

        def cdf(x: float) -> float:
            with np.errstate(divide="ignore", invalid="ignore"):
                z = (x - self.default_rate) / sd
            # A state without idiosyncratic noise is a step at its rate.
            return float(self.weight @ np.where(sd > 0, ndtr(z), x >= self.default_rate))

        if cdf(0.0) >= q:
            return 0.0
        if cdf(1.0) <= q:
            return 1.0
        return float(optimize.brentq(lambda x: cdf(x) - q, 0.0, 1.0, xtol=1e-12))


def _weighted_quantile(values: Array, weight: Array, q: float) -> float:
    """Quantile of ``values`` with probabilities ``weight``, each value at the middle of its
    probability (correct whatever the order of the states)."""
    order = np.argsort(values, kind="stable")
    w = weight[order]
    return float(np.interp(q, np.cumsum(w) - 0.5 * w, values[order]))


def large_pool(prepared: PreparedDeal) -> LargePool:
    """Run the deal's pool in its large-pool limit on the factor grid (module docstring).

    Only the systematic factor moves: sector factors, the Student-t mixing variable and a
    random recovery rate are held at their central values (the checks of
    :func:`closed_form_check` refuse such deals before reading this).
    """
    model, assumptions = prepared.model, prepared.deal.assumptions
    half = math.ceil(FACTOR_RANGE / FACTOR_STEP)
    z = np.arange(-half, half + 1, dtype=np.float64) * FACTOR_STEP
    weight = np.exp(-0.5 * z**2)
    weight /= weight.sum()
    # 1,701 states are fewer paths than one Monte Carlo work unit: no budget check of its own.
    n = len(z)
    draws = FactorDraws(systematic=z, sector=np.zeros((n, len(model.sector_names))),
                        mixing=np.ones(n), recovery_driver=np.zeros(n), weight=np.ones(n))
    conditional = conditional_cumulative_pd(model, assumptions, draws)
    # The deal's own recoveries (the tape's loan-level ones where it uses them), as the
    # Monte Carlo's; the equivalent's LGD is then the pool's, E[L] / E[D].
    result = run_paths(prepared, HazardDefaults(large_pool_fractions(conditional)), n)
    default_rate, loss_rate = pool_rates(result.pool)
    share = model.initial.balance / model.initial.balance.sum()
    lifetime = conditional[:, :, -1]
    # Binomial counts of each group's effective loans, as the copula draws them; an upper
    # bound on an amortising pool, where a loan defaulting late counts for less balance.
    idiosyncratic = (lifetime * (1.0 - lifetime)) @ (share**2 / _effective_loans(prepared))
    return LargePool(z, weight, default_rate, loss_rate, idiosyncratic)


def _effective_loans(prepared: PreparedDeal) -> Array:
    """Each group's number of loans as the copula draws them (1/HHI, rounded, at least 1)."""
    return np.maximum(np.rint(prepared.model.effective_count), 1.0)


@dataclass(frozen=True)
class HomogeneousEquivalent:
    """The Vasicek parameters standing for the pool (:data:`DERIVATION`): ``pd`` the lifetime
    default probability, ``rho`` the asset correlation, ``lgd`` the loss given default,
    ``effective_loans`` the pool's 1/HHI of balances."""

    pd: float
    rho: float
    lgd: float
    effective_loans: float

    @property
    def mean_loss(self) -> float:
        """Mean of the Vasicek loss: ``pd x lgd``."""
        return self.pd * self.lgd


@dataclass(frozen=True)
class Comparison:
    """One figure of the pool loss rate three ways: ``simulated`` (with its standard error
    ``simulated_se`` for the mean, NaN for a quantile), ``lhp`` (the homogeneous equivalent's
    Vasicek distribution) and ``large_pool`` (the pool's own large-pool limit). ``figure`` is
    ``"mean"`` or ``"quantile"`` at ``level``."""

    figure: str
    level: float
    simulated: float
    simulated_se: float
    lhp: float
    large_pool: float


@dataclass(frozen=True)
class ClosedFormCheck:
    """The closed-form cross-check of a run's pool loss distribution.

    Attributes
    ----------
    applicable : bool
        Whether the Vasicek curve is shown.
    reason : str or None
        Why not: a code of the module docstring's list; None when applicable.
    message : str
        The reason in words with its figures (English); empty when applicable.
    equivalent : HomogeneousEquivalent or None
        None when a structural reason (``student_t``, ``sector_factor``,
        ``random_recovery``) stops the check before the large-pool run.
    granularity_gap, shape_gap : float
        The figures of the ``not_granular`` and ``heterogeneous`` rules (NaN when not
        reached): largest relative quantile gaps.
    probability : ndarray or None
        Probability of each bin of the run's pool loss-rate histogram under the Vasicek
        curve (same edges); None when not applicable.
    comparisons : tuple of Comparison
        Mean and :data:`COMPARED_QUANTILES` of the pool loss rate; empty when not applicable.
    """

    applicable: bool
    reason: str | None
    message: str
    equivalent: HomogeneousEquivalent | None
    granularity_gap: float
    shape_gap: float
    probability: Array | None
    comparisons: tuple[Comparison, ...]

    method = METHOD
    derivation = DERIVATION


def _refused(reason: str, message: str, equivalent: HomogeneousEquivalent | None = None,
             granularity: float = math.nan, shape: float = math.nan) -> ClosedFormCheck:
    return ClosedFormCheck(False, reason, message, equivalent, granularity, shape, None, ())


def closed_form_check(prepared: PreparedDeal, result: MonteCarloResult) -> ClosedFormCheck:
    """The Vasicek large-pool curve of the homogeneous equivalent of ``prepared``'s pool beside
    ``result``'s pool loss distribution, or the reason it does not fit (module docstring).

    Parameters
    ----------
    prepared
        The deal on its pool.
    result
        A Monte Carlo run of ``prepared``: its pool loss-rate histogram and figures.

    Returns
    -------
    ClosedFormCheck
    """
    assumptions = prepared.deal.assumptions
    if assumptions.copula == Copula.STUDENT_T:
        return _refused("student_t", "the Student-t copula's large-pool loss has tail "
                        "dependence; the Vasicek distribution is that of the Gaussian copula")
    if assumptions.sector_correlation > 0:
        return _refused("sector_factor", "sector factors (sector_correlation "
                        f"{assumptions.sector_correlation:g}) add a second common factor; "
                        "the Vasicek distribution has one")
    if assumptions.recovery_volatility > 0:
        return _refused("random_recovery", "the recovery rate is random (recovery_volatility "
                        f"{assumptions.recovery_volatility:g}) and moves with the factor; "
                        "the Vasicek loss is a fixed LGD times the default rate")
    limit = large_pool(prepared)
    pd = limit.mean_default
    lgd = limit.mean_loss / pd if pd > 0 else 0.0
    rho = assumptions.correlation
    balance = prepared.model.initial.balance
    effective = float(1.0 / ((balance / balance.sum()) ** 2 / _effective_loans(prepared)).sum())
    equivalent = HomogeneousEquivalent(pd, rho, lgd, effective)
    if rho == 0:
        return _refused("no_correlation", "with no asset correlation the large-pool loss is "
                        f"the constant {equivalent.mean_loss:.4%}: the simulated spread is all "
                        "idiosyncratic", equivalent)
    if not (0 < pd < 1 and 0 < lgd <= 1):
        return _refused("no_loss", f"the pool's expected default rate ({pd:.4%}) or loss "
                        f"given default ({lgd:.4%}) leaves no loss distribution", equivalent)
    # Counts are whole: one default moves the rate by 1/n, whatever the approximation says.
    granular = _gap([limit.finite_default_quantile(q) for q in SHAPE_QUANTILES],
                    [limit.default_quantile(q) for q in SHAPE_QUANTILES], 1.0 / effective)
    if granular[0] > MAX_GRANULARITY_GAP:
        return _refused("not_granular", f"with {effective:,.0f} effective loans (1/HHI) the "
                        "pool's default rate can differ from its large-pool limit by "
                        f"{granular[0]:.0%} at the {granular[1]:.1%} quantile, one default's "
                        f"step included (at most {MAX_GRANULARITY_GAP:.0%})", equivalent,
                        granular[0])
    shape = _gap([float(lhp_quantile(q, pd, rho, lgd)) for q in SHAPE_QUANTILES],
                 [limit.loss_quantile(q) for q in SHAPE_QUANTILES])
    if shape[0] > MAX_SHAPE_GAP:
        return _refused("heterogeneous", "the pool's own large-pool loss (its PD mix, the "
                        "timing of defaults as it amortises, revolving) differs from the "
                        f"homogeneous equivalent's by {shape[0]:.0%} at the {shape[1]:.1%} "
                        f"quantile (at most {MAX_SHAPE_GAP:.0%})", equivalent, granular[0],
                        shape[0])
    simulated = result.pool_loss_rate
    cdf = lhp_cdf(simulated.edges, pd, rho, lgd)
    comparisons = [Comparison("mean", math.nan, simulated.mean.value, simulated.mean.se,
                              equivalent.mean_loss, limit.mean_loss)]
    comparisons += [Comparison("quantile", q, simulated.quantile(q), math.nan,
                               float(lhp_quantile(q, pd, rho, lgd)), limit.loss_quantile(q))
                    for q in COMPARED_QUANTILES]
    return ClosedFormCheck(True, None, "", equivalent, granular[0], shape[0], np.diff(cdf),
                           tuple(comparisons))


def _gap(values: list[float], reference: list[float],
         step: float = 0.0) -> tuple[float, float]:
    """The largest gap ``|value - reference| + step`` relative to ``reference`` at
    :data:`SHAPE_QUANTILES`, and its level."""
    gaps = [(abs(v - r) + step) / r if r > 0 else (0.0 if v == 0 and step == 0 else math.inf)
            for v, r in zip(values, reference, strict=True)]
    worst = int(np.argmax(gaps))
    return gaps[worst], SHAPE_QUANTILES[worst]

