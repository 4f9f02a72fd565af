"""Every class figure on heterogeneous pools against an independent obligor-by-obligor
simulation (issue 15).

The reference (:mod:`obligor_reference`) simulates the one-factor Gaussian copula obligor by
obligor on pools of bullet receivables maturing at the 12-month legal final date, so that
F(T) is the annual PD and, with :func:`builders.tranched_deal` (zero coupons, no fees,
immediate recovery, no prepayment), each class is a tranche of the pool loss. It is checked
first against closed forms: the finite homogeneous pool (O'Kane 2008, ch. 18, computed by
:func:`abs_tool.credit.vasicek.finite_pool_pmf`) on equal balances, and the mean and
variance of the loss by quadrature (law of total variance) on the heterogeneous pools.

The exact mode's tests need ``run_monte_carlo(..., default_method=...)``; until it exists
they skip, and they run as soon as the signature has it. Tolerances are K_SE combined
standard errors sqrt(se_tool^2 + se_ref^2) at fixed seeds; quantiles lie in order-statistic
brackets widened by one histogram bin; whole distributions are compared by the
Kolmogorov-Smirnov distance at level KS_LEVEL (about the two-sided chance of 4 s.e.).
"""

from __future__ import annotations

import functools
import inspect
import math
from types import SimpleNamespace

import numpy as np
import pytest
from builders import tranched_deal
from obligor_reference import (
    MONTHS,
    QUANTILE_LEVELS,
    ReferenceResult,
    binned_cdf,
    compare,
    equal_pool,
    factoring_pool,
    ks_critical,
    ks_distance,
    lognormal_pool,
    loss_moments,
    merged_by_obligor,
    obligors_of,
    reference_for,
    zipf_pool,
)

from abs_tool import Pool, prepare_deal, run_monte_carlo
from abs_tool.credit.vasicek import finite_pool_pmf, finite_pool_tranche_el

K_SE = 4.0
KS_LEVEL = 1e-4
CUTS = (0.0, 0.05, 0.15, 1.0)  # sub [0, 5%), mezz [5%, 15%), senior [15%, 100%]
TARGETS = ["AAA", "A", None]  # senior first
# PD 3%, rho 0.2, LGD 0.75: the senior class loses on about 0.6% of paths, some 600 paths of
# the tool's 100,000 and 1,200 of the reference's 200,000 (a PD s.e. near 4%).
PD, RHO, LGD = 0.03, 0.20, 0.75
REFERENCE_PATHS, TOOL_PATHS = 200_000, 100_000
REFERENCE_SEED, TOOL_SEED = 20_240_515, 3

POOLS = {
    "lognormal": lambda: lognormal_pool(PD, LGD),  # (a) 300 loans, sigma 1
    "zipf": lambda: zipf_pool(LGD),  # (b) 2,000 receivables, 150 obligors, top 5%
    "factoring": lambda: factoring_pool(LGD),  # (c) ~8,200 receivables, 1,500 obligors
    "equal": lambda: equal_pool(PD, LGD),  # (d) 300 equal loans
}
HETEROGENEOUS = ["lognormal", "zipf", "factoring"]

EXACT_MODE = "default_method" in inspect.signature(run_monte_carlo).parameters
requires_exact_mode = pytest.mark.skipif(
    not EXACT_MODE,
    reason="run_monte_carlo has no `default_method` yet: the exact obligor-level mode of "
           "issue 15 is not in; these tests run once it is")


@functools.cache
def pool(name: str) -> Pool:
    return POOLS[name]()


@functools.cache
def reference(name: str) -> ReferenceResult:
    return reference_for(pool(name), RHO, LGD, REFERENCE_PATHS, REFERENCE_SEED)


def run(the_pool: Pool, method: str | None, *, seed: int = TOOL_SEED, paths: int = TOOL_PATHS):
    """The tool on ``the_pool``; ``method`` None is the default call of today."""
    deal = tranched_deal(CUTS, RHO, LGD, paths=paths, seed=seed, targets=TARGETS,
                         months=MONTHS)
    kwargs = {} if method is None else {"default_method": method}
    return run_monte_carlo(prepare_deal(deal, the_pool), **kwargs)


def grouped(the_pool: Pool, **kwargs):
    """The grouped mode: the default today, asked for by name once the exact mode exists
    (its default may then be "auto")."""
    return run(the_pool, "grouped" if EXACT_MODE else None, **kwargs)


def as_tool_result(sample: ReferenceResult, bins: int = 20_000) -> SimpleNamespace:
    """A reference sample dressed as the parts of a MonteCarloResult that the comparison
    reads, its quantiles read off a histogram the way the tool reads them."""
    classes = [SimpleNamespace(name=f"C{j}", expected_loss=f.el, pd=f.pd)
               for j, f in enumerate(sample.tranches(CUTS))]
    cdf = binned_cdf(sample.losses, bins)
    edges = np.linspace(0.0, 1.0, bins + 1)
    quantiles = {q: float(np.interp(q, np.r_[0.0, cdf], edges)) for q in QUANTILE_LEVELS}
    distribution = SimpleNamespace(mean=sample.mean_loss(), density=np.diff(np.r_[0.0, cdf]),
                                   quantiles=quantiles)
    return SimpleNamespace(classes=classes, pool_loss_rate=distribution, paths=sample.paths)


def assert_matches_reference(result, ref: ReferenceResult, label: str) -> None:
    rows = compare(result, ref, CUTS, K_SE)
    failed = [str(r) for r in rows if not r.ok]
    assert not failed, f"{label}: " + "; ".join(failed)
    bins = len(result.pool_loss_rate.density)
    distance = ks_distance(np.cumsum(result.pool_loss_rate.density),
                           binned_cdf(ref.losses, bins))
    critical = ks_critical(result.paths, ref.paths, KS_LEVEL)
    assert distance <= critical, (label, "KS distance of the pool loss", distance, critical)


# ---------------------------------------------------------------------------------------------
# The reference itself


def test_reference_matches_the_finite_homogeneous_pool():
    # O'Kane (2008) ch. 18: n equal loans, K ~ E_Z[Binom(n, p(Z))], L = K LGD / n.
    ref = reference("equal")
    n = obligors_of(pool("equal")).count
    pmf = finite_pool_pmf(n, PD, RHO)
    losses = np.arange(n + 1) * LGD / n
    for fig in ref.tranches(CUTS):
        el = float(finite_pool_tranche_el(n, PD, RHO, LGD, fig.attach, fig.detach))
        hit = float(pmf[losses - fig.attach > 1e-9 * (fig.detach - fig.attach)].sum())
        assert abs(fig.el.value - el) <= K_SE * fig.el.se, (fig, el)
        assert abs(fig.pd.value - hit) <= K_SE * fig.pd.se, (fig, hit)
    assert abs(ref.mean_loss().value - PD * LGD) <= K_SE * ref.mean_loss().se
    cdf = np.cumsum(pmf)
    for q in QUANTILE_LEVELS:
        eps = K_SE * math.sqrt(q * (1 - q) / ref.paths)
        low = losses[np.searchsorted(cdf, q - eps)]
        high = losses[min(np.searchsorted(cdf, q + eps), n)]
        assert low - 1e-12 <= ref.quantile(q) <= high + 1e-12, (q, ref.quantile(q), low, high)
    # The whole distribution: one-sample KS against the exact CDF at every default count.
    counts = np.rint(ref.losses * n / LGD).astype(np.int64)
    empirical = np.cumsum(np.bincount(counts, minlength=n + 1)) / ref.paths
    distance = float(np.abs(empirical - cdf).max())
    assert distance <= ks_critical(ref.paths, 0, KS_LEVEL), distance


@pytest.mark.parametrize("name", HETEROGENEOUS)
def test_reference_loss_mean_and_variance_match_quadrature(name):
    # Balance- and obligor-dependent: the variance carries sum s_o^2 over obligors, so a
    # reference that split obligors or mis-weighted balances would miss it.
    ref = reference(name)
    mean, variance = loss_moments(obligors_of(pool(name)), RHO, LGD)
    assert abs(ref.mean_loss().value - mean) <= K_SE * ref.mean_loss().se, (mean, ref.mean_loss())
    centred = ref.losses - ref.losses.mean()
    sample_var = float(centred.var(ddof=1))
    # s.e. of a sample variance: sqrt((m4 - s^4) / n)
    var_se = math.sqrt((float((centred**4).mean()) - sample_var**2) / ref.paths)
    assert abs(sample_var - variance) <= K_SE * var_se, (sample_var, variance, var_se)


@pytest.mark.parametrize("name", HETEROGENEOUS)
def test_reference_pools_are_the_ones_the_issue_describes(name):
    the_pool = pool(name)
    obligors = obligors_of(the_pool)
    top = obligors.balance.max() / obligors.balance.sum()
    described = {  # (receivables, obligors, top share range)
        "lognormal": (300, 300, (0.005, 0.05)),
        "zipf": (2000, 150, (0.0499, 0.0501)),
        "factoring": (None, 1500, (0.02, 0.05)),
    }[name]
    receivables, count, (low, high) = described
    assert receivables is None or len(the_pool) == receivables
    assert obligors.count == count
    assert low <= top <= high, top
    if name == "factoring":
        assert len(the_pool) >= 5000
    # Zero-rate bullets at the horizon: the reference's model is exactly the tool's.
    loans = the_pool.loans
    assert (loans["amortization"] == "bullet").all()
    assert (loans["remaining_term"] == MONTHS).all()
    assert (loans["rate"] == 0.0).all()
    assert tranched_deal(CUTS, RHO, LGD).assumptions.prepayment.annual == (0.0,)


# ---------------------------------------------------------------------------------------------
# The tool against the reference


def test_grouped_mode_matches_the_reference_on_equal_balances():
    # One loan per obligor, equal balances: the grouped Binomial(n_eff = n, p(Z)) is exact.
    result = grouped(pool("equal"))
    assert_matches_reference(result, reference("equal"), "grouped, equal balances")


def test_the_comparison_detects_the_grouped_shortcut():
    # The check has power: on lognormal balances the grouped mode draws defaults among
    # n_eff = 1/HHI ~ 145 loans, not 300, and misses P(any default) (issue 15: 0.68 against
    # 0.88 there; here about 0.80 against 0.89), tens of standard errors off.
    rows = {r.figure: r for r in compare(grouped(pool("lognormal")), reference("lognormal"),
                                         CUTS, K_SE)}
    equity_pd = rows["C2 PD"]
    assert not equity_pd.ok, str(equity_pd)
    assert equity_pd.z < -10, str(equity_pd)


@pytest.mark.parametrize("name", [*HETEROGENEOUS, "equal"])
def test_an_independent_obligor_sample_passes_the_comparison(name):
    # What the exact mode must pass is passable: a second reference sample of the tool's
    # size, from another seed and read off a histogram as the tool reads it, passes.
    other = reference_for(pool(name), RHO, LGD, TOOL_PATHS, REFERENCE_SEED + 1)
    assert_matches_reference(as_tool_result(other), reference(name), f"second sample, {name}")


@requires_exact_mode
@pytest.mark.parametrize("name", [*HETEROGENEOUS, "equal"])
def test_exact_mode_matches_the_obligor_reference(name):
    result = run(pool(name), "exact")
    assert result.default_method == "exact"
    assert_matches_reference(result, reference(name), f"exact, {name}")


@requires_exact_mode
@pytest.mark.parametrize("name", ["zipf", "factoring"])
def test_merging_an_obligors_receivables_changes_nothing(name):
    # Same obligors, same PDs and balances: the same loss distribution, whatever the seed.
    split = run(pool(name), "exact")
    merged = run(merged_by_obligor(pool(name)), "exact", seed=TOOL_SEED + 1)
    assert len(merged_by_obligor(pool(name))) == obligors_of(pool(name)).count
    for a, b in zip(split.classes, merged.classes, strict=True):
        for what in ("expected_loss", "pd"):
            x, y = getattr(a, what), getattr(b, what)
            assert abs(x.value - y.value) <= K_SE * math.hypot(x.se, y.se), (a.name, what, x, y)
    distance = ks_distance(np.cumsum(split.pool_loss_rate.density),
                           np.cumsum(merged.pool_loss_rate.density))
    assert distance <= ks_critical(split.paths, merged.paths, KS_LEVEL), distance
    assert_matches_reference(merged, reference(name), f"exact, {name} merged")
