"""Exact (obligor-level) defaults: every receivable of an obligor defaults with it.

References: the finite-pool one-factor Gaussian copula (O'Kane 2008, ch. 18) through
:func:`test_importance_sampling.exact_figures` for homogeneous pools; otherwise properties
that hold exactly in the model: an obligor's receivables merged into one loan give the same
distribution, and with one loan per obligor and equal balances the grouped mode's
Binomial(n, p_g) is the exact law too, so both modes agree. Tolerances are K_SE standard
errors at fixed seeds.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from builders import make_pool, tranched_deal
from test_importance_sampling import CUTS, exact_figures, within
from test_simulation import homogeneous

import abs_tool.credit.copula as copula
from abs_tool import Pool, RunSettings, prepare_deal, run_monte_carlo
from abs_tool.engine.montecarlo import (
    resolve_default_method,
    run_cost,
    simulate_assets,
)
from abs_tool.errors import FieldError
from abs_tool.model.assumptions import Copula, SectorColumn
from abs_tool.report.tables import monte_carlo_dict

K_SE = 4.0


def tape(balances, obligors, *, pd_annual=0.03, term=12, amortization="bullet",
         industry=None) -> Pool:
    n = len(balances)
    return Pool(pd.DataFrame({
        "loan_id": [f"L{i}" for i in range(n)], "balance": balances, "rate": 0.0,
        "remaining_term": np.broadcast_to(term, n), "amortization": amortization,
        "original_balance": balances, "original_term": np.broadcast_to(term, n),
        "seasoning": 0, "annual_pd": np.broadcast_to(pd_annual, n), "lgd": np.nan,
        "grade": "A", "obligor_id": obligors, "region": "R",
        "industry": "I" if industry is None else industry, "score": np.nan,
    }), "test")


def prepared_on(pool, *, rho=0.2, lgd=0.6, paths=8192, seed=3, **assumptions):
    deal = tranched_deal(CUTS, rho, lgd, paths=paths, seed=seed)
    if assumptions:
        deal = replace(deal, assumptions=replace(deal.assumptions, **assumptions))
    return prepare_deal(deal, pool)


def agree(a, b):
    """Two independent estimates within K_SE standard errors of their difference."""
    return abs(a.value - b.value) <= K_SE * np.hypot(a.se, b.se) + 1e-12


def figures(result):
    top = result.concentration
    return ([(c.expected_loss.value, c.pd.value, c.expected_loss.se) for c in result.classes],
            result.pool_loss_rate.quantiles,
            None if top is None else [(o.el_share, o.pd) for o in top.obligors])


def zipf_pool(n_obligors=120, seed=0):
    """Receivables of Zipf-sized obligors (several each), equal terms, two PDs."""
    rng = np.random.default_rng(seed)
    counts = 1 + rng.zipf(1.6, n_obligors).clip(max=40)
    owner = np.repeat(np.arange(n_obligors), counts)
    balances = rng.lognormal(0.0, 0.8, len(owner))
    pds = np.where(owner % 3 == 0, 0.06, 0.02)
    return tape(balances, [f"O{o}" for o in owner], pd_annual=pds), owner, balances, pds


def test_same_seed_same_numbers_for_any_workers_units_and_chunks(monkeypatch):
    pool, *_ = zipf_pool()
    prepared = prepared_on(pool, paths=3 * 4096 + 100)
    base = run_monte_carlo(prepared, workers=1, blocks_per_unit=1, default_method="exact")
    assert base.default_method == "exact"
    again = run_monte_carlo(prepared, workers=2, blocks_per_unit=3, default_method="exact")
    assert figures(base) == figures(again)
    monkeypatch.setattr(copula, "EXACT_CHUNK_DOUBLES", 1000)  # a few paths per chunk
    chunked = run_monte_carlo(prepared, workers=2, default_method="exact")
    assert figures(base) == figures(chunked)
    kept = simulate_assets(prepared, default_method="exact")
    assert kept.default_method == "exact"
    assert figures(run_monte_carlo(prepared, assets=kept)) == figures(base)


def test_an_obligors_receivables_default_together():
    # Merged into one loan per obligor (bullets of one term: the same schedule), the pool
    # has the same loss distribution; as independent receivables it would have less tail.
    pool, owner, balances, pds = zipf_pool()
    merged = tape(np.bincount(owner, weights=balances), [f"O{o}" for o in range(owner.max() + 1)],
                  pd_annual=np.array([pds[owner == o][0] for o in range(owner.max() + 1)]))
    many = run_monte_carlo(prepared_on(pool, paths=20_000), default_method="exact")
    one = run_monte_carlo(prepared_on(merged, paths=20_000, seed=11), default_method="exact")
    for a, b in zip(many.classes, one.classes, strict=True):
        assert agree(a.expected_loss, b.expected_loss), (a.name, a.expected_loss, b.expected_loss)
        assert agree(a.pd, b.pd), (a.name, a.pd, b.pd)
    assert agree(many.pool_loss_rate.mean, one.pool_loss_rate.mean)
    # Receivables alone (each its own obligor) lose the concentration: the senior and
    # mezzanine classes lose less (seed 3: senior EL 0.00059 against 0.00098).
    alone = run_monte_carlo(prepared_on(tape(balances, [None] * len(owner), pd_annual=pds),
                                        paths=20_000), default_method="exact")
    for a, b in zip(alone.classes[:2], many.classes[:2], strict=True):
        gap = K_SE * np.hypot(a.expected_loss.se, b.expected_loss.se)
        assert a.expected_loss.value < b.expected_loss.value - gap, (a.name, a, b)


@pytest.mark.parametrize("case", [
    {},
    {"importance": True},
    {"copula": Copula.STUDENT_T, "t_degrees_of_freedom": 5.0},
    {"sector_column": SectorColumn.INDUSTRY, "sector_correlation": 0.15, "correlation": 0.1},
])
def test_exact_and_grouped_agree_on_equal_loans_one_per_obligor(case):
    case = dict(case)
    importance = case.pop("importance", False)
    rho = case.pop("correlation", 0.2)
    n = 300
    pool = tape(np.ones(n), [f"O{i}" for i in range(n)],
                pd_annual=np.where(np.arange(n) % 2 == 0, 0.01, 0.05),
                industry=np.where(np.arange(n) % 3 == 0, "A", "B"))
    prepared = prepared_on(pool, rho=rho, paths=20_000, **case)
    runs = [run_monte_carlo(prepared, importance_sampling=importance, default_method=m,
                            seed=seed)
            for m, seed in (("exact", 5), ("grouped", 6))]
    assert [r.default_method for r in runs] == ["exact", "grouped"]
    if importance:
        assert runs[0].importance_shift < 0
    for a, b in zip(*(r.classes for r in runs), strict=True):
        assert agree(a.expected_loss, b.expected_loss), (a.name, a.expected_loss, b.expected_loss)
        assert agree(a.pd, b.pd), (a.name, a.pd, b.pd)


@pytest.mark.parametrize(("n", "pd_annual", "rho", "lgd", "importance"), [
    (1000, 0.01, 0.20, 1.0, False),
    (1000, 0.01, 0.20, 1.0, True),
    (50, 0.05, 0.30, 0.6, False),
])
def test_homogeneous_pools_match_the_finite_pool_model(n, pd_annual, rho, lgd, importance):
    prepared = homogeneous(n, pd_annual, rho, lgd, cuts=CUTS, paths=20_000)
    result = run_monte_carlo(prepared, importance_sampling=importance, default_method="exact")
    els, pds, _, _ = exact_figures(n, pd_annual, rho, lgd, CUTS)
    for cls, el, p in zip(result.classes, els, pds, strict=True):
        assert within(cls.expected_loss, el), (cls.name, cls.expected_loss, el)
        assert within(cls.pd, p), (cls.name, cls.pd, p)
    assert within(result.pool_loss_rate.mean, pd_annual * lgd)


def test_amortising_receivables_default_their_scheduled_balance():
    # Level loans of different terms in one group: the engine scales the group's schedule,
    # so a default takes the group's average schedule, not the loan's own; its mean default
    # amount still matches sum_i sum_t s_i(t) P(default in t) (docs/results.md).
    n = 400
    rng = np.random.default_rng(1)
    pool = tape(rng.lognormal(0, 0.5, n), [f"O{i // 2}" for i in range(n)], pd_annual=0.08,
                term=np.where(np.arange(n) % 2 == 0, 6, 24), amortization="level")
    prepared = prepared_on(pool, rho=0.1, paths=20_000)
    result = run_monte_carlo(prepared, default_method="exact")
    grouped = run_monte_carlo(prepared, default_method="grouped", seed=9)
    assert agree(result.pool_default_rate.mean, grouped.pool_default_rate.mean)


def test_the_method_is_chosen_validated_and_reported(monkeypatch):
    pool, *_ = zipf_pool()
    prepared = prepared_on(pool, paths=4096)
    assert resolve_default_method(prepared) == "exact"  # 120 obligors, "auto"
    import abs_tool.engine.montecarlo as montecarlo
    monkeypatch.setattr(montecarlo, "EXACT_MAX_OBLIGORS", 119)
    assert resolve_default_method(prepared) == "grouped"
    assert resolve_default_method(prepared, "exact") == "exact"
    with pytest.raises(FieldError, match="default_method: must be one of"):
        resolve_default_method(prepared, "fast")
    with pytest.raises(FieldError, match="default_method: must be one of"):
        RunSettings(default_method="fast")
    result = run_monte_carlo(prepared)
    assert result.default_method == "grouped"
    assert json.loads(json.dumps(monte_carlo_dict(result)))["default_method"] == "grouped"
    # Exact mode's draws are budgeted: its chunk of uniforms and the obligors' curves.
    assert run_cost(prepared, 4096, method="exact").bytes > run_cost(prepared, 4096).bytes


def test_the_samples_methods():
    from abs_tool import load_deal_pool, load_sample_deal

    for name, method in (("factoring", "exact"), ("consumer", "grouped")):
        deal = load_sample_deal(name)
        pool, _ = load_deal_pool(deal, None)
        assert resolve_default_method(prepare_deal(deal, pool)) == method, name


def test_the_grouped_mode_counts_obligors_not_receivables():
    """600 obligors of three equal bullet receivables each: the grouped mode's effective
    number is 600 (it was 1,800, as if the receivables defaulted one by one), and it then
    agrees with the exact mode within 4 s.e.; a tape without obligor ids keeps 1/HHI of the
    loans."""
    loans = make_pool([1000.0] * 1800, term=12, amortization="bullet", pd_annual=0.03).loans
    loans["obligor_id"] = [f"O{i // 3}" for i in range(1800)]
    pool = Pool(loans)
    deal = tranched_deal((0, 0.05, 0.15, 1.0), 0.2, 0.6, paths=16_384, targets=None)
    prepared = prepare_deal(deal, pool)
    assert prepared.model.effective_count == pytest.approx([600.0])
    runs = [run_monte_carlo(prepared, default_method=m) for m in ("exact", "grouped")]
    for a, b in zip(*(r.classes for r in runs), strict=True):
        assert agree(a.expected_loss, b.expected_loss), (a.name, a.expected_loss,
                                                         b.expected_loss)
        assert agree(a.pd, b.pd), (a.name, a.pd, b.pd)
    loans["obligor_id"] = None
    assert prepare_deal(deal, Pool(loans)).model.effective_count == pytest.approx([1800.0])
