"""Pool summary and stratification, checked against hand-computed small pools."""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np
import pandas as pd
import pytest

from abs_tool import InputError, Pool, PoolSummary, pool_summary, sample_pool, stratify
from abs_tool.analysis.pool_stats import (
    LANGS,
    STRAT_COLUMNS,
    STRAT_WORDS,
    SUMMARY_LABELS,
    UNIT_LABELS,
)
from abs_tool.model.columns import ALL_COLUMNS

NAN = math.nan


def make_pool(rows: list[dict[str, object]]) -> Pool:
    """A pool from partial rows; unspecified columns get neutral values."""
    defaults: dict[str, object] = {
        "amortization": "level", "original_balance": 0.0, "original_term": 12, "seasoning": 0,
        "annual_pd": NAN, "lgd": NAN, "grade": "A", "obligor_id": None, "region": "广东",
        "industry": "consumer", "score": NAN,
    }
    frame = pd.DataFrame([{**defaults, **row} for row in rows])
    frame["original_balance"] = np.maximum(frame["original_balance"], frame["balance"])
    return Pool(frame[list(ALL_COLUMNS)], name="hand")


# Four loans, three obligors; L3 has no PD, L4 no LGD.
HAND_COLUMNS = ("loan_id", "balance", "rate", "remaining_term", "seasoning", "original_term",
                "obligor_id", "annual_pd", "lgd", "region", "grade")
HAND = [
    dict(zip(HAND_COLUMNS, row, strict=True))
    for row in [
        ("L1", 100.0, 0.10, 12, 0, 12, "A", 0.02, 0.5, "广东", "A"),
        ("L2", 200.0, 0.05, 6, 6, 12, "A", 0.04, 0.5, "江苏", "B"),
        ("L3", 300.0, 0.08, 24, 12, 36, "B", NAN, 0.6, "江苏", "A"),
        ("L4", 400.0, 0.06, 3, 3, 6, "C", 0.10, NAN, "北京", "C"),
    ]
]


@pytest.fixture
def hand() -> Pool:
    return make_pool(HAND)


def test_summary_of_hand_pool(hand: Pool) -> None:
    s = pool_summary(hand)
    assert s.loan_count == 4
    assert s.obligor_count == 3
    assert s.balance == 1000.0
    # (100*0.10 + 200*0.05 + 300*0.08 + 400*0.06) / 1000 = 68 / 1000
    assert s.wac == pytest.approx(0.068, rel=1e-12)
    # (100*12 + 200*6 + 300*24 + 400*3) / 1000 = 10,800 / 1000
    assert s.wa_remaining_term_months == pytest.approx(10.8, rel=1e-12)
    # (0 + 200*6 + 300*12 + 400*3) / 1000 = 6,000 / 1000
    assert s.wa_seasoning_months == pytest.approx(6.0, rel=1e-12)
    # (100*12 + 200*12 + 300*36 + 400*6) / 1000 = 16,800 / 1000
    assert s.wa_original_term_months == pytest.approx(16.8, rel=1e-12)
    assert s.average_balance == 250.0
    assert s.max_balance == 400.0
    # Obligors A = 100 + 200, B = 300, C = 400: shares 0.3, 0.3, 0.4.
    assert s.top1_obligor_share == pytest.approx(0.4, rel=1e-12)
    assert s.top10_obligor_share == pytest.approx(1.0, rel=1e-12)
    # HHI = 0.09 + 0.09 + 0.16 = 0.34; 1 / 0.34 = 2.941176...
    assert s.effective_obligors == pytest.approx(1 / 0.34, rel=1e-12)
    # PD over L1, L2, L4 (700 of 1000): (100*0.02 + 200*0.04 + 400*0.10) / 700 = 50 / 700
    assert s.wa_annual_pd == pytest.approx(50 / 700, rel=1e-12)
    assert s.pd_coverage == pytest.approx(0.7, rel=1e-12)
    # Only L1 and L2 have PD and LGD. Lifetime PD = 1 - (1 - p)^(term / 12):
    # L1: 1 - 0.98^1 = 0.02, loss 100 * 0.02 * 0.5 = 1.0
    # L2: 1 - 0.96^0.5 = 0.0202041029, loss 200 * 0.0202041029 * 0.5 = 2.0204102887
    # EL = 3.0204102887 / 300 = 0.0100680343
    assert s.expected_lifetime_loss == pytest.approx(3.0204102887 / 300, rel=1e-10)
    assert s.el_coverage == pytest.approx(0.3, rel=1e-12)


def test_default_lgd_fills_missing_lgd(hand: Pool) -> None:
    s = pool_summary(hand, default_lgd=0.8)
    # L4 joins: 1 - 0.9^0.25 = 0.0259962536, loss 400 * 0.0259962536 * 0.8 = 8.3188011439
    # EL = (1.0 + 2.0204102887 + 8.3188011439) / 700 = 11.3392114326 / 700 = 0.0161988735
    assert s.expected_lifetime_loss == pytest.approx(11.3392114326 / 700, rel=1e-10)
    assert s.el_coverage == pytest.approx(0.7, rel=1e-12)


def test_summary_without_pd_reports_nan_and_zero_coverage() -> None:
    pool = make_pool([{"loan_id": "X", "balance": 10.0, "rate": 0.1, "remaining_term": 3}])
    s = pool_summary(pool)
    assert math.isnan(s.wa_annual_pd)
    assert s.pd_coverage == 0.0
    assert math.isnan(s.expected_lifetime_loss)
    assert s.el_coverage == 0.0


def test_loans_without_obligor_are_their_own_obligor() -> None:
    pool = make_pool([
        {"loan_id": "X", "balance": 30.0, "rate": 0.1, "remaining_term": 3, "obligor_id": None},
        {"loan_id": "Y", "balance": 10.0, "rate": 0.1, "remaining_term": 3, "obligor_id": None},
    ])
    s = pool_summary(pool)
    assert s.obligor_count == 2
    assert s.top1_obligor_share == pytest.approx(0.75)
    # HHI = 0.75^2 + 0.25^2 = 0.625
    assert s.effective_obligors == pytest.approx(1 / 0.625)


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_default_lgd_out_of_range(hand: Pool, bad: float) -> None:
    with pytest.raises(InputError, match=r"`default_lgd` \(got .*\) must be in \[0, 1\]"):
        pool_summary(hand, default_lgd=bad)


def test_labels_cover_every_field_in_every_language(hand: Pool) -> None:
    names = [f.name for f in fields(PoolSummary)]
    assert list(SUMMARY_LABELS) == names
    assert {unit for _, _, unit in SUMMARY_LABELS.values()} <= set(UNIT_LABELS)
    assert all(len(pair) == len(LANGS) for pair in UNIT_LABELS.values())
    assert all(len(pair) == len(LANGS) for pair in STRAT_WORDS.values())
    summary = pool_summary(hand)
    zh = summary.to_frame("zh")
    assert list(zh.columns) == ["label", "value", "unit"]
    assert zh["label"].tolist() == [SUMMARY_LABELS[n][1] for n in names]
    assert summary.rows("en")[2] == ("Pool balance", 1000.0, "RMB")
    with pytest.raises(InputError, match=r"`lang` \(got 'fr'\) must be one of \['en', 'zh'\]"):
        summary.rows("fr")


def test_stratify_text_column_sorted_by_balance(hand: Pool) -> None:
    table = stratify(hand, "region")
    assert list(table.columns) == list(STRAT_COLUMNS)
    # 江苏 = L2 + L3 = 500, 北京 = L4 = 400, 广东 = L1 = 100.
    assert table["bucket"].tolist() == ["江苏", "北京", "广东", "Total"]
    assert table["count"].tolist() == [2, 1, 1, 4]
    assert table["balance"].tolist() == [500.0, 400.0, 100.0, 1000.0]
    assert table["share"].tolist() == pytest.approx([0.5, 0.4, 0.1, 1.0])
    # 江苏: wac (200*0.05 + 300*0.08) / 500 = 0.068; term (1200 + 7200) / 500 = 16.8;
    # PD only L2 has one: 0.04.
    assert table.loc[0, "wac"] == pytest.approx(0.068)
    assert table.loc[0, "wa_remaining_term"] == pytest.approx(16.8)
    assert table.loc[0, "wa_annual_pd"] == pytest.approx(0.04)
    assert stratify(hand, "region", lang="zh")["bucket"].iloc[-1] == "合计"


def test_stratify_text_ties_by_name_and_missing_last() -> None:
    pool = make_pool([
        {"loan_id": "a", "balance": 5.0, "rate": 0.1, "remaining_term": 1, "grade": "B"},
        {"loan_id": "b", "balance": 9.0, "rate": 0.1, "remaining_term": 1, "grade": None},
        {"loan_id": "c", "balance": 5.0, "rate": 0.1, "remaining_term": 1, "grade": "A"},
    ])
    assert stratify(pool, "grade")["bucket"].tolist() == ["A", "B", "(missing)", "Total"]


def test_stratify_user_edges_with_out_of_range_buckets(hand: Pool) -> None:
    table = stratify(hand, "balance", bins=[150, 350])
    # < 150: L1; [150, 350): L2, L3; >= 350: L4.
    assert table["bucket"].tolist() == ["< 150", "[150, 350)", ">= 350", "Total"]
    assert table["count"].tolist() == [1, 2, 1, 4]
    assert table["balance"].tolist() == [100.0, 500.0, 400.0, 1000.0]
    named = stratify(hand, "balance", bins=[0, 150, 350, 1000], labels=["small", "mid", "big"])
    assert named["bucket"].tolist() == ["small", "mid", "big", "Total"]


def test_stratify_nice_equal_steps(hand: Pool) -> None:
    # Rates 0.05..0.10 in ~4 steps: raw step 0.0125 -> nice 0.02, edges 0.04..0.12.
    table = stratify(hand, "rate", bins=4)
    assert table["bucket"].tolist() == [
        "[0.04, 0.06)", "[0.06, 0.08)", "[0.08, 0.1)", "[0.1, 0.12)", "Total",
    ]
    # L2 (0.05); L4 (0.06 sits on an edge, so in the upper bucket); L3; L1.
    assert table["balance"].tolist() == [200.0, 400.0, 300.0, 100.0, 1000.0]


def test_stratify_empty_interior_bucket_and_missing_values(hand: Pool) -> None:
    table = stratify(hand, "annual_pd", bins=[0.0, 0.03, 0.06, 0.09, 0.12])
    assert table["bucket"].tolist() == [
        "[0, 0.03)", "[0.03, 0.06)", "[0.06, 0.09)", "[0.09, 0.12)", "(missing)", "Total",
    ]
    assert table["count"].tolist() == [1, 1, 0, 1, 1, 4]
    assert math.isnan(table.loc[2, "wac"])  # empty bucket
    assert math.isnan(table.loc[4, "wa_annual_pd"])  # L3 has no PD


def test_stratify_small_integer_column_one_bucket_per_value(hand: Pool) -> None:
    table = stratify(hand, "remaining_term")
    assert table["bucket"].tolist() == ["3", "6", "12", "24", "Total"]
    assert table["balance"].tolist() == [400.0, 200.0, 100.0, 300.0, 1000.0]


@pytest.mark.parametrize("name", ["consumer", "factoring"])
@pytest.mark.parametrize(
    "column", ["balance", "rate", "remaining_term", "seasoning", "annual_pd", "score", "grade",
               "region", "industry", "amortization", "obligor_id"],
)
def test_stratification_sums_equal_pool_totals(name: str, column: str) -> None:
    pool = sample_pool(name, n_loans=3_000)
    table = stratify(pool, column)
    body, total = table.iloc[:-1], table.iloc[-1]
    summary = pool_summary(pool)
    assert body["count"].sum() == total["count"] == summary.loan_count
    assert body["balance"].sum() == pytest.approx(summary.balance, rel=1e-12)
    assert body["share"].sum() == pytest.approx(1.0, rel=1e-12)
    assert total["wac"] == pytest.approx(summary.wac, rel=1e-12)
    assert total["wa_remaining_term"] == pytest.approx(summary.wa_remaining_term_months, rel=1e-12)
    assert total["wa_annual_pd"] == pytest.approx(summary.wa_annual_pd, rel=1e-12)


def test_default_balance_buckets_are_1_2_5() -> None:
    table = stratify(sample_pool("consumer", n_loans=3_000), "balance")
    assert "[500, 1,000)" in table["bucket"].tolist()
    assert "[1,000, 2,000)" in table["bucket"].tolist()


def test_stratify_errors(hand: Pool) -> None:
    with pytest.raises(InputError, match=r"cannot stratify by `foo`; expected one of \['balance'"):
        stratify(hand, "foo")
    with pytest.raises(InputError, match=r"`bins` and `labels` apply to numeric columns; "
                                         r"`region` is text"):
        stratify(hand, "region", bins=3)
    with pytest.raises(InputError, match=r"`bins` edges \(got \[5, 1\]\) must be at least two "
                                         r"strictly increasing numbers"):
        stratify(hand, "balance", bins=[5, 1])
    with pytest.raises(InputError, match=r"`bins` \(got 0\) must be an integer >= 1"):
        stratify(hand, "balance", bins=0)
    with pytest.raises(InputError, match=r"`labels` needs 2 names \(one per interval"):
        stratify(hand, "balance", bins=[0, 150, 2000], labels=["x"])
    with pytest.raises(InputError, match=r"`labels` needs 4 names \(one per value of "
                                         r"`remaining_term`\), got 1"):
        stratify(hand, "remaining_term", labels=["x"])
    with pytest.raises(InputError, match=r"`lang` \(got 'de'\)"):
        stratify(hand, "region", lang="de")
