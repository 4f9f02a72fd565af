"""The largest obligors' share of the expected loss (exact mode, issue 15 item 5).

References: on bullet receivables that mature at the horizon, an obligor that defaults loses
its whole balance times the LGD, so its expected loss is ``b_o * LGD * F_o(T)`` with
``F_o(T)`` its cumulative PD by the horizon (the annual PD for a 12-month horizon), and its
share of the pool's expected loss is that over the sum of the same for every obligor: the
Monte Carlo estimates must agree within K_SE standard errors. On a pool of at most
TOP_OBLIGORS obligors, they are all followed, and their losses add up to the pool's on every
path (the same engine lines), so their shares sum to 1 to float rounding.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from test_exact_defaults import K_SE, prepared_on, tape, zipf_pool

from abs_tool import run_monte_carlo
from abs_tool.engine.montecarlo import TOP_OBLIGORS
from abs_tool.model.assumptions import Cpr, Recovery
from abs_tool.model.pool_model import top_obligors
from abs_tool.report.tables import monte_carlo_dict

LGD = 0.6


def within(estimate, truth):
    return abs(estimate.value - truth) <= K_SE * estimate.se + 1e-12


@pytest.mark.parametrize("importance", [False, True])
def test_the_largest_obligors_expected_losses_match_the_closed_form(importance):
    pool, owner, balances, pds = zipf_pool()
    obligor_balance = np.bincount(owner, weights=balances)
    obligor_pd = np.array([pds[owner == o][0] for o in range(len(obligor_balance))])
    pool_el = LGD * obligor_balance @ obligor_pd
    prepared = prepared_on(pool, lgd=LGD, paths=40_000)
    result = run_monte_carlo(prepared, importance_sampling=importance, default_method="exact")
    top = result.concentration
    assert top is not None
    assert len(top.obligors) == TOP_OBLIGORS
    order = np.lexsort((np.arange(len(obligor_balance)), -obligor_balance))[:TOP_OBLIGORS]
    for rank, (o, row) in enumerate(zip(order, top.obligors, strict=True), start=1):
        assert row.rank == rank
        assert row.obligor_id == f"O{o}"
        assert row.balance_share == pytest.approx(obligor_balance[o] / balances.sum(), 1e-12)
        assert within(row.pd, obligor_pd[o]), (rank, row.pd, obligor_pd[o])
        assert within(row.expected_loss, LGD * obligor_pd[o]), (rank, row.expected_loss)
        truth = LGD * obligor_balance[o] * obligor_pd[o] / pool_el
        assert within(row.el_share, truth), (rank, row.el_share, truth)
        assert 0 < row.el_share.se < 0.2 * truth
    together = LGD * obligor_balance[order] @ obligor_pd[order]
    assert within(top.el_share, together / pool_el), (top.el_share, together / pool_el)
    assert within(top.expected_loss, together / obligor_balance[order].sum())
    assert top.balance_share == pytest.approx(obligor_balance[order].sum() / balances.sum())


@pytest.mark.parametrize("case", ["stochastic_recovery", "loan_level"])
def test_all_obligors_followed_carry_the_whole_pool_loss(case):
    # Eight obligors, three amortising receivables each (one term, rate and repayment: the
    # engine's group schedule is then theirs exactly), prepayments, a recovery lag.
    n = 24
    rng = np.random.default_rng(4)
    pool = tape(rng.lognormal(0, 0.7, n), [f"O{i % 8}" for i in range(n)],
                pd_annual=np.where(np.arange(n) % 8 < 3, 0.15, 0.05), amortization="level")
    if case == "loan_level":
        pool = replace(pool, loans=pool.loans.assign(lgd=rng.uniform(0.3, 0.9, n)))
        extra = {"recovery": Recovery(0.4, 2, from_tape=True)}
    else:
        extra = {"recovery": Recovery(0.4, 2), "recovery_volatility": 0.2,
                 "recovery_correlation": 0.3}
    prepared = prepared_on(pool, paths=8192, prepayment=Cpr((0.1,)), **extra)
    result = run_monte_carlo(prepared, default_method="exact")
    top = result.concentration
    assert top is not None
    assert len(top.obligors) == 8
    assert top.balance_share == pytest.approx(1.0, abs=1e-12)
    assert top.el_share.value == pytest.approx(1.0, abs=1e-9)
    assert top.el_share.se == pytest.approx(0.0, abs=1e-9)
    assert sum(o.el_share.value for o in top.obligors) == pytest.approx(1.0, abs=1e-9)
    assert top.expected_loss.value * pool.loans["balance"].sum() == pytest.approx(
        result.pool_loss_rate.mean.value * pool.loans["balance"].sum(), rel=1e-9)


def test_grouped_mode_has_no_obligor_view_and_the_json_carries_it():
    pool, *_ = zipf_pool()
    prepared = prepared_on(pool, paths=4096)
    assert run_monte_carlo(prepared, default_method="grouped").concentration is None
    assert "concentration" not in monte_carlo_dict(
        run_monte_carlo(prepared, default_method="grouped"))
    data = monte_carlo_dict(run_monte_carlo(prepared, default_method="exact"))
    rows = data["concentration"]["obligors"]
    assert [r["rank"] for r in rows] == list(range(1, TOP_OBLIGORS + 1))
    assert rows[0]["obligor_id"] == top_obligors(pool, 1).obligor_id[0]
    assert {"balance_share", "pd", "pd_se", "expected_loss", "expected_loss_se", "el_share",
            "el_share_se"} <= set(rows[0])


def test_top_obligors_name_a_loan_without_an_obligor_by_its_loan_id():
    pool = tape(np.array([1.0, 5.0, 2.0, 2.0]), ["A", None, "A", None])
    top = top_obligors(pool, 10)
    # A owes 3 (loans L0 and L2), L1 5 and L3 2: largest first.
    assert top.obligor_id == ("L1", "A", "L3")
    np.testing.assert_allclose(top.balance_share, [0.5, 0.3, 0.2])
