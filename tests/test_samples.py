"""Built-in sample pools: determinism, shapes and the distributions promised in samples.py."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from abs_tool import InputError, Pool, sample_pool
from abs_tool.io.samples import (
    DEFAULT_LOANS,
    GRADES,
    MAX_SAMPLE_LOANS,
    SAMPLE_LABELS,
    SAMPLE_NAMES,
)
from abs_tool.model.pool import POOL_DTYPES

ID_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-/]*$")


@pytest.fixture(scope="module")
def consumer() -> pd.DataFrame:
    return sample_pool("consumer").loans


@pytest.fixture(scope="module")
def factoring() -> pd.DataFrame:
    return sample_pool("factoring").loans


def obligor_shares(loans: pd.DataFrame) -> np.ndarray:
    by_obligor = loans.groupby("obligor_id")["balance"].sum().to_numpy()
    return np.sort(by_obligor)[::-1] / loans["balance"].sum()


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_same_seed_gives_identical_pool_and_another_seed_does_not(name: str) -> None:
    first = sample_pool(name, seed=7, n_loans=3_000).loans
    pd.testing.assert_frame_equal(first, sample_pool(name, seed=7, n_loans=3_000).loans)
    other = sample_pool(name, seed=8, n_loans=3_000).loans
    assert not np.array_equal(first["balance"].to_numpy(), other["balance"].to_numpy())


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_pool_has_canonical_dtypes_unique_ids_and_default_size(name: str) -> None:
    pool = sample_pool(name)
    assert isinstance(pool, Pool)
    assert pool.name == f"sample:{name}"
    assert len(pool) == DEFAULT_LOANS[name]
    assert {c: str(t) for c, t in pool.loans.dtypes.items()} == POOL_DTYPES
    ids = pool.loans["loan_id"]
    assert ids.is_unique
    assert ids.map(lambda s: bool(ID_PATTERN.match(s))).all()
    assert set(SAMPLE_LABELS) == set(SAMPLE_NAMES)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
@pytest.mark.parametrize("n_loans", [1, 7, 250])
def test_n_loans_sets_the_loan_count(name: str, n_loans: int) -> None:
    assert len(sample_pool(name, n_loans=n_loans)) == n_loans


def test_consumer_balances_terms_and_amortization(consumer: pd.DataFrame) -> None:
    balance = consumer["balance"].to_numpy()
    original = consumer["original_balance"].to_numpy()
    # Purchase amounts lie in the credit-line range; the current balance is at most that.
    assert original.min() >= 500.0
    assert original.max() <= 50_000.0
    assert balance.min() > 0.0
    assert np.all(balance <= original)
    assert np.array_equal(np.round(balance, 2), balance)
    assert 80e6 < balance.sum() < 200e6

    term, seasoning = consumer["original_term"], consumer["seasoning"]
    assert set(term) == {3, 6, 12, 18, 24}
    assert (seasoning >= 0).all()
    assert (seasoning <= term - 1).all()
    assert (consumer["remaining_term"] == term - seasoning).all()

    is_fee = (consumer["amortization"] == "installment_fee").to_numpy()
    assert set(consumer["amortization"]) == {"installment_fee", "level"}
    assert 0.72 < is_fee.mean() < 0.78
    # Monthly fee 0.50%-0.80% on original principal, i.e. 6%-9.6% a year.
    assert consumer["rate"][is_fee].between(0.06, 0.096).all()
    assert consumer["rate"][~is_fee].between(0.10, 0.18).all()


def test_consumer_original_balance_matches_amortization_type(consumer: pd.DataFrame) -> None:
    loans = consumer
    is_fee = loans["amortization"] == "installment_fee"
    fee, level = loans[is_fee], loans[~is_fee]
    # Equal principal: balance = original * remaining / original term (rounded to cents).
    np.testing.assert_allclose(
        fee["balance"], fee["original_balance"] * fee["remaining_term"] / fee["original_term"],
        atol=0.005 + 1e-9,
    )
    # Annuity: B_k = P ((1+r)^n - (1+r)^k) / ((1+r)^n - 1), r = rate / 12.
    growth = 1.0 + level["rate"] / 12.0
    g_n, g_k = growth ** level["original_term"], growth ** level["seasoning"]
    np.testing.assert_allclose(
        level["balance"], level["original_balance"] * (g_n - g_k) / (g_n - 1.0), atol=0.005 + 1e-9
    )


def test_consumer_grades_pd_lgd_score_and_regions(consumer: pd.DataFrame) -> None:
    by_grade = consumer.groupby("grade")
    assert tuple(sorted(by_grade.groups)) == GRADES
    # One PD per grade, rising from 0.5% (A) to 8% (E).
    assert (by_grade["annual_pd"].nunique() == 1).all()
    grade_pd = by_grade["annual_pd"].first().to_numpy()
    assert grade_pd[0] == 0.005
    assert grade_pd[-1] == 0.08
    assert np.all(np.diff(grade_pd) > 0)
    assert np.all(np.diff(by_grade["score"].mean().to_numpy()) < 0)
    assert consumer["lgd"].between(0.85, 0.95).all()
    assert (consumer["industry"] == "consumer").all()
    region_share = consumer.groupby("region")["balance"].sum() / consumer["balance"].sum()
    assert len(region_share) == 10
    assert region_share.idxmax() == "广东"


def test_consumer_obligors_mostly_hold_one_loan(consumer: pd.DataFrame) -> None:
    loans_per_obligor = consumer.groupby("obligor_id").size()
    assert loans_per_obligor.max() == 3
    assert 0.95 < (loans_per_obligor == 1).mean() < 0.99
    # A borrower's loans share the borrower's grade and region.
    assert (consumer.groupby("obligor_id")[["grade", "region"]].nunique() == 1).all().all()


@pytest.mark.parametrize("seed", [20151, 1, 2, 3])
def test_factoring_obligor_concentration_is_material(seed: int) -> None:
    loans = sample_pool("factoring", seed=seed).loans
    shares = obligor_shares(loans)
    assert 1_800 <= len(shares) <= 2_200
    assert 0.015 <= shares[0] <= 0.03, shares[0]
    assert 0.10 <= shares[:10].sum() <= 0.15, shares[:10].sum()


def test_factoring_receivables(factoring: pd.DataFrame) -> None:
    loans = factoring
    assert set(loans["amortization"]) == {"bullet"}
    assert (loans["original_balance"] == loans["balance"]).all()
    assert loans["balance"].min() >= 1_000.0
    assert set(loans["remaining_term"]) == set(range(1, 7))
    assert (loans["remaining_term"] == loans["original_term"] - loans["seasoning"]).all()
    assert loans["rate"].between(0.06, 0.12).all()
    assert loans["annual_pd"].between(0.01, 0.06).all()
    assert loans["lgd"].between(0.5, 0.7).all()
    assert loans["score"].isna().all()
    assert loans["industry"].nunique() == 8
    invoices = loans.groupby("obligor_id").size()
    assert invoices.min() >= 1
    assert invoices.max() <= 10
    # "FR000123-04" is invoice 4 of supplier "SP000123".
    assert (loans["loan_id"].str[2:8] == loans["obligor_id"].str[2:]).all()
    per_supplier = loans.groupby("obligor_id")[["rate", "grade", "region", "industry"]]
    assert (per_supplier.nunique() == 1).all().all()


def test_unknown_name_lists_the_samples() -> None:
    with pytest.raises(InputError, match=r"unknown sample pool 'retail'; expected one of "
                                         r"\['consumer', 'factoring'\]"):
        sample_pool("retail")


@pytest.mark.parametrize("n_loans", [0, -5, 2.5, True, MAX_SAMPLE_LOANS + 1])
def test_bad_n_loans(n_loans: object) -> None:
    with pytest.raises(InputError, match=r"`n_loans` \(got .*\) must be an integer from 1 to"):
        sample_pool("consumer", n_loans=n_loans)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [-1, 1.5, "7"])
def test_bad_seed(seed: object) -> None:
    with pytest.raises(InputError, match=r"`seed` \(got .*\) must be an integer >= 0"):
        sample_pool("consumer", seed=seed)  # type: ignore[arg-type]
