"""Every Monte Carlo result shows its own convergence and a closed-form cross-check.

- The running EL of each class (:class:`abs_tool.engine.montecarlo.Convergence`) is the final
  estimator on the blocks so far: its last point is the reported EL and standard error to the
  bit, and its point after b blocks is a run of b x 4096 paths with the same seed.
- The Vasicek large-pool curve of the pool's homogeneous equivalent
  (:mod:`abs_tool.analysis.closed_form`) matches the simulation on a granular homogeneous
  pool, and a pool that does not fit the model says why.

Reference pool (as tests/test_simulation.py): n equal zero-coupon bullet loans maturing at the
12-month legal final, so the lifetime default probability is the annual PD, and the pool loss
rate is LGD x defaults / n.
"""

from dataclasses import replace

import numpy as np
import pytest
from builders import homogeneous_pool, make_deal, make_pool, tranched_deal
from scipy.stats import norm

from abs_tool import Cpr, Recovery, Structure, analyse, prepare_deal, run_monte_carlo
from abs_tool.analysis.closed_form import (
    COMPARED_QUANTILES,
    MAX_GRANULARITY_GAP,
    MAX_SHAPE_GAP,
    closed_form_check,
)
from abs_tool.credit.vasicek import finite_pool_pmf, lhp_pdf, lhp_quantile
from abs_tool.engine.montecarlo import BLOCK_PATHS, Convergence
from abs_tool.model.assumptions import Copula, SectorColumn
from abs_tool.model.deal import NoteClass, Tier
from abs_tool.report.tables import (
    CONVERGENCE_POINTS,
    analysis_dict,
    convergence_frame,
    monte_carlo_dict,
)

K_SE = 4.0
CUTS = (0.0, 0.03, 0.10, 1.0)


def homogeneous(n, pd, rho, lgd, paths, seed=7):
    return prepare_deal(tranched_deal(CUTS, rho, lgd, paths=paths, seed=seed),
                        homogeneous_pool(n, pd, lgd))


@pytest.fixture(scope="module")
def granular():
    """5,000 loans, PD 2%, rho 0.2, LGD 0.6, 16 blocks: (prepared, result)."""
    prepared = homogeneous(5000, 0.02, 0.20, 0.6, paths=16 * BLOCK_PATHS)
    return prepared, run_monte_carlo(prepared, workers=2)


# --------------------------------------------------------------------------------------------
# Running EL


@pytest.mark.parametrize("importance_sampling", [False, True])
def test_last_point_is_the_reported_el_to_the_bit(importance_sampling):
    prepared = homogeneous(1000, 0.01, 0.20, 1.0, paths=5 * BLOCK_PATHS + 100)
    result = run_monte_carlo(prepared, importance_sampling=importance_sampling, workers=2)
    conv = result.convergence
    assert conv.paths.tolist() == [BLOCK_PATHS * b for b in range(1, 6)] + [result.paths]
    assert conv.el.shape == conv.el_se.shape == (6, len(result.classes))
    for j, c in enumerate(result.classes):
        assert conv.el[-1, j] == c.expected_loss.value, c.name
        assert conv.el_se[-1, j] == c.expected_loss.se, c.name


@pytest.mark.parametrize("importance_sampling", [False, True])
def test_running_el_after_b_blocks_is_a_run_of_b_blocks(importance_sampling):
    # Block b draws from child b of SeedSequence(seed) whatever the number of blocks, and the
    # estimator (stratified under importance sampling) reads only the sums so far.
    prepared = homogeneous(1000, 0.01, 0.20, 1.0, paths=6 * BLOCK_PATHS)
    full = run_monte_carlo(prepared, importance_sampling=importance_sampling, workers=2)
    for blocks in (1, 2, 5):
        short = run_monte_carlo(prepared, paths=blocks * BLOCK_PATHS,
                                importance_sampling=importance_sampling, workers=2)
        assert short.importance_shift == full.importance_shift
        for j, c in enumerate(short.classes):
            assert full.convergence.el[blocks - 1, j] == c.expected_loss.value, (blocks, c.name)
            assert full.convergence.el_se[blocks - 1, j] == c.expected_loss.se, (blocks, c.name)


def test_running_el_does_not_depend_on_threads_or_work_units():
    prepared = homogeneous(500, 0.02, 0.20, 1.0, paths=5 * BLOCK_PATHS)
    one = run_monte_carlo(prepared, workers=1, blocks_per_unit=1).convergence
    other = run_monte_carlo(prepared, workers=2, blocks_per_unit=3).convergence
    for name in ("paths", "el", "el_se"):
        assert np.array_equal(getattr(one, name), getattr(other, name)), name


def test_running_el_standard_error_shrinks_like_one_over_root_paths(granular):
    # A sanity check of the band: s.e. x sqrt(paths) is stable once a few blocks are in
    # (its own relative noise is about 1 / sqrt(2 x losing paths), a few percent here).
    _, result = granular
    conv = result.convergence
    junior = len(result.classes) - 1
    scaled = conv.el_se[3:, junior] * np.sqrt(conv.paths[3:])
    assert scaled.max() / scaled.min() < 1.25, scaled


def test_json_convergence_thins_to_at_most_200_points_and_keeps_the_last(granular):
    _, result = granular
    data = monte_carlo_dict(result)["convergence"]
    assert data["paths"] == result.convergence.paths.tolist()  # 16 blocks: all kept
    for j, (row, c) in enumerate(zip(data["classes"], result.classes, strict=True)):
        assert row["name"] == c.name
        assert row["el"] == result.convergence.el[:, j].tolist()
        assert row["el_se"][-1] == c.expected_loss.se
    blocks = 1001
    many = replace(result, convergence=Convergence(
        np.arange(1, blocks + 1) * BLOCK_PATHS, np.linspace(0, 1, blocks)[:, None].repeat(3, 1),
        np.zeros((blocks, 3))))
    thinned = monte_carlo_dict(many)["convergence"]
    assert len(thinned["paths"]) == CONVERGENCE_POINTS
    assert thinned["paths"][0] == BLOCK_PATHS
    assert thinned["paths"][-1] == blocks * BLOCK_PATHS
    assert len(set(np.diff(thinned["paths"]))) <= 2  # evenly spread (steps of 5 or 6 blocks)
    assert thinned["classes"][0]["el"][-1] == 1.0


def test_convergence_frame_band_is_two_standard_errors(granular):
    _, result = granular
    frame = convergence_frame(result)
    assert list(frame.columns) == ["class", "paths", "el", "el_se", "low", "high"]
    assert len(frame) == len(result.classes) * len(result.convergence.paths)
    assert np.allclose(frame["high"] - frame["el"], 2 * frame["el_se"], rtol=0, atol=1e-15)
    assert np.allclose(frame["el"] - frame["low"], 2 * frame["el_se"], rtol=0, atol=1e-15)


# --------------------------------------------------------------------------------------------
# Closed-form cross-check


def test_homogeneous_equivalent_of_a_bullet_pool_is_its_own_parameters(granular):
    prepared, result = granular
    check = closed_form_check(prepared, result)
    assert check.applicable, check.message
    assert check.reason is None
    assert check.message == ""
    eq = check.equivalent
    # F(12 months) = annual PD for a 12-month bullet; immediate recoveries of 40%.
    assert eq.pd == pytest.approx(0.02, rel=1e-12)
    assert eq.lgd == pytest.approx(0.6, rel=1e-12)
    assert eq.rho == 0.2
    assert eq.effective_loans == pytest.approx(5000)
    assert check.shape_gap < 1e-3  # the pool IS the homogeneous pool
    assert check.granularity_gap < MAX_GRANULARITY_GAP


def test_lhp_curve_on_the_histogram_bins(granular):
    prepared, result = granular
    check = closed_form_check(prepared, result)
    edges = result.pool_loss_rate.edges
    assert check.probability.shape == result.pool_loss_rate.density.shape
    assert check.probability.sum() == pytest.approx(1.0, abs=1e-12)
    # The curve's CDF at an edge is the Vasicek CDF there (bins up to the 99% quantile).
    x99 = float(lhp_quantile(0.99, 0.02, 0.2, 0.6))
    upto = np.searchsorted(edges, x99)
    assert check.probability[:upto].sum() == pytest.approx(
        float(norm.cdf((np.sqrt(0.8) * norm.ppf(edges[upto] / 0.6) - norm.ppf(0.02))
                       / np.sqrt(0.2))), abs=1e-12)


def test_simulated_pool_loss_agrees_with_the_lhp_within_its_derived_tolerance(granular):
    """Simulated pool-loss quantiles against the Vasicek LHP quantiles.

    Tolerance at level q, from the three ways they may differ:
    - the finite pool's own gap to the LHP, computed exactly: the q-quantile of LGD x K / n,
      K from :func:`finite_pool_pmf` (O'Kane 2008, ch. 18), minus the LHP quantile;
    - the lattice: K / n moves in steps of LGD / n and the histogram quantile interpolates
      between them; plus one histogram bin (1 / 20,000);
    - Monte Carlo noise: K_SE x the asymptotic s.e. of a sample quantile,
      sqrt(q (1 - q) / N) / f(x_q), f the LHP density at the quantile.
    The mean: K_SE reported standard errors (it is exactly PD x LGD in both models).
    """
    prepared, result = granular
    n, pd, rho, lgd = 5000, 0.02, 0.2, 0.6
    check = closed_form_check(prepared, result)
    cdf = np.cumsum(finite_pool_pmf(n, pd, rho))
    rows = {(c.figure, c.level if c.figure == "quantile" else None): c
            for c in check.comparisons}
    mean = rows[("mean", None)]
    assert mean.lhp == pytest.approx(pd * lgd, rel=1e-12)
    assert abs(mean.simulated - mean.lhp) <= K_SE * mean.simulated_se, mean
    assert {q for kind, q in rows if kind == "quantile"} == set(COMPARED_QUANTILES)
    for q in COMPARED_QUANTILES:
        row = rows[("quantile", q)]
        lhp = float(lhp_quantile(q, pd, rho, lgd))
        finite = np.searchsorted(cdf, q) * lgd / n
        se = np.sqrt(q * (1 - q) / result.paths) / float(lhp_pdf(lhp, pd, rho, lgd))
        tolerance = abs(finite - lhp) + lgd / n + 1 / 20_000 + K_SE * se
        assert row.lhp == pytest.approx(lhp, rel=1e-9)  # the equivalent PD by quadrature
        assert row.simulated == result.pool_loss_rate.quantile(q)
        assert row.large_pool == pytest.approx(lhp, rel=1e-3)  # the factor grid's rule
        assert abs(row.simulated - lhp) <= tolerance, (q, row, tolerance)


def test_equivalent_pd_is_the_expected_simulated_default_rate_of_an_amortising_pool():
    # Equal-principal 6-month loans with 20% CPR: many loans repay before they can default,
    # so the lifetime default rate is well below F(6) = 1 - 0.95^0.5.
    pool = make_pool(np.full(4000, 1.0), term=6, pd_annual=0.10)
    classes = (NoteClass("A", Tier.SENIOR, 0.9), NoteClass("S", Tier.SUBORDINATED, 0.1))
    deal = make_deal(Structure(classes=classes), replace(
        tranched_deal(CUTS, 0.2, 0.5).assumptions, prepayment=Cpr((0.2,))), months=6)
    prepared = prepare_deal(deal, pool)
    result = run_monte_carlo(prepared, paths=8 * BLOCK_PATHS, seed=3, workers=2)
    check = closed_form_check(prepared, result)
    pd = check.equivalent.pd
    assert pd < 0.8 * (1 - 0.9**0.5)
    simulated = result.pool_default_rate.mean
    assert abs(simulated.value - pd) <= K_SE * simulated.se, (simulated, pd)
    assert check.equivalent.lgd == pytest.approx(0.5, rel=1e-9)


def test_a_concentrated_pool_says_it_is_not_granular():
    prepared = homogeneous(200, 0.02, 0.2, 0.6, paths=BLOCK_PATHS)
    check = closed_form_check(prepared, run_monte_carlo(prepared, workers=1))
    assert not check.applicable
    assert check.reason == "not_granular"
    assert check.granularity_gap > MAX_GRANULARITY_GAP
    assert "200 effective loans" in check.message
    assert check.probability is None
    assert check.comparisons == ()
    assert check.equivalent.pd == pytest.approx(0.02)  # still stated: how far it is


def test_a_pool_with_very_different_pds_says_it_is_heterogeneous():
    # Half the balance at PD 0.2%, half at 30%: the mix is far from one Vasicek curve.
    pool = homogeneous_pool(4000, 0.002, 0.6)
    loans = pool.loans.copy()
    loans.loc[loans.index[:2000], "annual_pd"] = 0.30
    prepared = prepare_deal(tranched_deal(CUTS, 0.2, 0.6, paths=BLOCK_PATHS),
                            replace(pool, loans=loans))
    check = closed_form_check(prepared, run_monte_carlo(prepared, workers=1))
    assert check.reason == "heterogeneous", check.message
    assert check.shape_gap > MAX_SHAPE_GAP


@pytest.mark.parametrize(("change", "reason", "words"), [
    ({"copula": Copula.STUDENT_T}, "student_t", "Student-t"),
    ({"sector_column": SectorColumn.REGION, "sector_correlation": 0.1}, "sector_factor",
     "second common factor"),
    ({"recovery": Recovery(0.4, 0), "recovery_volatility": 0.1}, "random_recovery",
     "recovery rate is random"),
    ({"correlation": 0.0}, "no_correlation", "no asset correlation"),
])
def test_a_pool_that_does_not_fit_the_model_says_why(change, reason, words):
    deal = tranched_deal(CUTS, 0.2, 0.6, paths=BLOCK_PATHS)
    deal = replace(deal, assumptions=replace(deal.assumptions, **change))
    prepared = prepare_deal(deal, homogeneous_pool(5000, 0.02, 0.6))
    check = closed_form_check(prepared, run_monte_carlo(prepared, workers=1))
    assert not check.applicable
    assert check.reason == reason
    assert words in check.message
    assert check.probability is None


def test_analysis_json_has_convergence_and_closed_form(granular):
    prepared, result = granular
    data = analysis_dict(analyse(prepared, monte_carlo=result))
    closed = data["closed_form"]
    assert closed["method"] == "vasicek_lhp"
    assert closed["applicable"] is True
    eq = closed["equivalent"]
    assert eq["pd"] == pytest.approx(0.02)
    assert eq["rho"] == 0.2
    assert set(eq["derivation"]) == {"pd", "rho", "lgd"}
    assert set(closed["comparison"]["quantiles"]) == {f"{q:.4%}" for q in COMPARED_QUANTILES}
    assert closed["comparison"]["mean"]["lhp"] == pytest.approx(0.012)
    assert len(closed["histogram"]["probability"]) == len(
        data["pool"]["loss_rate"]["histogram"]["probability"])
    assert data["convergence"]["paths"][-1] == result.paths
    assert "histogram" not in monte_carlo_dict(result, closed_form=analyse(
        prepared, monte_carlo=result).closed_form, histograms=False)["closed_form"]


def test_analysis_json_of_a_pool_that_does_not_fit_gives_the_reason():
    prepared = homogeneous(200, 0.02, 0.2, 0.6, paths=BLOCK_PATHS)
    data = analysis_dict(analyse(prepared, monte_carlo=run_monte_carlo(prepared, workers=1)))
    closed = data["closed_form"]
    assert closed["applicable"] is False
    assert closed["reason"] == "not_granular"
    assert "effective loans" in closed["message"]
    assert "comparison" not in closed
    assert "histogram" not in closed

