"""Eligibility criteria, concentration limits and their dict round trip."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from abs_tool import InputError, Pool, sample_pool
from abs_tool.model.columns import ALL_COLUMNS
from abs_tool.model.eligibility import (
    EXCLUDED_COLUMNS,
    REPORT_COLUMNS,
    ConcentrationLimits,
    EligibilityCriteria,
    EligibilityResult,
    apply_eligibility,
    criteria_from_dict,
    limits_from_dict,
)

LIMIT_COLUMN = {
    "max_obligor_share": "obligor_id",
    "max_region_share": "region",
    "max_industry_share": "industry",
}


def make_pool(rows: list[dict[str, object]]) -> Pool:
    """A pool from partial rows; unspecified columns get values every criterion below passes."""
    defaults: dict[str, object] = {
        "rate": 0.10, "remaining_term": 12, "amortization": "level", "original_balance": 0.0,
        "original_term": 24, "seasoning": 12, "annual_pd": 0.02, "lgd": 0.9, "grade": "A",
        "region": "广东", "industry": "电子", "score": math.nan,
    }
    frame = pd.DataFrame([{**defaults, **row} for row in rows])
    frame["original_balance"] = np.maximum(frame["original_balance"], frame["balance"])
    if "obligor_id" not in frame:
        frame["obligor_id"] = frame["loan_id"]
    return Pool(frame[list(ALL_COLUMNS)], name="hand")


CRITERIA = EligibilityCriteria(
    min_balance=100, max_balance=4_000, min_rate=0.05, max_rate=0.25,
    min_remaining_term_months=2, max_remaining_term_months=36,
    min_seasoning_months=1, max_seasoning_months=24,
    allowed_amortization=["level", "installment_fee"], allowed_grades=["A", "B", "C", "D"],
    allowed_regions=["广东", "江苏"], allowed_industries=["电子", "家电"],
    excluded_obligors=["BAD"],
)

# Each loan fails the rule named in its id, in the order the rules apply; E1 and E2 pass.
# min_bal also fails max_rate and grade: the first rule claims it.
RULE_POOL = [
    {"loan_id": "min_bal", "balance": 50.0, "rate": 0.30, "grade": "E"},
    {"loan_id": "max_bal", "balance": 5_000.0},
    {"loan_id": "min_rate", "balance": 1_000.0, "rate": 0.04},
    {"loan_id": "max_rate", "balance": 1_100.0, "rate": 0.30},
    {"loan_id": "min_term", "balance": 1_200.0, "remaining_term": 1, "original_term": 13},
    {"loan_id": "max_term", "balance": 1_300.0, "remaining_term": 40, "original_term": 52},
    {"loan_id": "min_seas", "balance": 1_400.0, "seasoning": 0, "original_term": 12},
    {"loan_id": "max_seas", "balance": 1_500.0, "seasoning": 30, "original_term": 42},
    {"loan_id": "amort", "balance": 1_600.0, "amortization": "bullet"},
    {"loan_id": "grade", "balance": 1_700.0, "grade": "E"},
    {"loan_id": "grade_nan", "balance": 1_750.0, "grade": None},
    {"loan_id": "region", "balance": 1_800.0, "region": "西藏"},
    {"loan_id": "industry", "balance": 1_900.0, "industry": "矿业"},
    {"loan_id": "obligor", "balance": 2_000.0, "obligor_id": "BAD"},
    {"loan_id": "E1", "balance": 2_100.0},
    {"loan_id": "E2", "balance": 2_200.0},
]


def test_each_criterion_removes_its_loans() -> None:
    pool = make_pool(RULE_POOL)
    result = apply_eligibility(pool, CRITERIA)
    assert result.pool.loans["loan_id"].tolist() == ["E1", "E2"]
    report = result.report
    assert list(report.columns) == list(REPORT_COLUMNS)
    assert report["rule"].tolist() == [
        "min_balance", "max_balance", "min_rate", "max_rate", "min_remaining_term_months",
        "max_remaining_term_months", "min_seasoning_months", "max_seasoning_months",
        "allowed_amortization", "allowed_grades", "allowed_regions", "allowed_industries",
        "excluded_obligors",
    ]
    assert report["loans_removed"].tolist() == [1] * 9 + [2] + [1] * 3
    # allowed_grades removes "grade" (1,700) and "grade_nan" (1,750, no grade).
    assert report["balance_removed"].tolist() == [
        50.0, 5_000.0, 1_000.0, 1_100.0, 1_200.0, 1_300.0, 1_400.0, 1_500.0, 1_600.0,
        3_450.0, 1_800.0, 1_900.0, 2_000.0,
    ]
    before = sum(r["balance"] for r in RULE_POOL)  # 27,600
    assert result.balance_before == before == 27_600.0
    assert report["share_removed"].tolist() == pytest.approx(
        (report["balance_removed"] / 27_600.0).tolist()
    )
    assert (result.loans_before, result.loans_after) == (16, 2)
    assert result.balance_after == 4_300.0
    assert report.loc[0, "condition"] == "balance >= 100"
    assert report.loc[12, "condition"] == "obligor_id not in ['BAD']"

    excluded = result.excluded
    assert list(excluded.columns) == list(EXCLUDED_COLUMNS)
    assert excluded["loan_id"].tolist()[:3] == ["min_bal", "max_bal", "min_rate"]
    assert (excluded["round"] == 0).all()
    assert len(excluded) + result.loans_after == result.loans_before
    # Every loan is counted once: the report adds up to the whole pool.
    assert report["balance_removed"].sum() + result.balance_after == pytest.approx(before)


def test_no_criteria_keeps_the_pool() -> None:
    pool = make_pool(RULE_POOL)
    result = apply_eligibility(pool, EligibilityCriteria())
    assert result.pool is pool
    assert result.report.empty
    assert result.excluded.empty


def test_obligor_limit_removes_largest_loans_of_the_breaching_obligor() -> None:
    # Criteria go first: Z1 fails max_balance, so shares are of the other 100.
    # A = 30 + 20 + 10 = 60% of 100 breaches a 40% limit. It must shed R with
    # 60 - R <= 0.4 (100 - R), i.e. R >= 33.33: largest first, 30 then 20 (R = 50).
    # After: A 10, B 20, C 15, D 5 of 50; B sits exactly at 40% and stays.
    pool = make_pool([
        {"loan_id": "A1", "balance": 30.0, "obligor_id": "A"},
        {"loan_id": "A2", "balance": 20.0, "obligor_id": "A"},
        {"loan_id": "A3", "balance": 10.0, "obligor_id": "A"},
        {"loan_id": "B1", "balance": 20.0, "obligor_id": "B"},
        {"loan_id": "C1", "balance": 15.0, "obligor_id": "C"},
        {"loan_id": "D1", "balance": 5.0, "obligor_id": "D"},
        {"loan_id": "Z1", "balance": 500.0, "obligor_id": "Z"},
    ])
    result = apply_eligibility(pool, EligibilityCriteria(max_balance=50), ConcentrationLimits(0.4))
    assert result.excluded["loan_id"].tolist() == ["Z1", "A1", "A2"]
    assert result.excluded["round"].tolist() == [0, 1, 1]
    assert result.report["rule"].tolist() == ["max_balance", "max_obligor_share"]
    assert result.report["loans_removed"].tolist() == [1, 2]
    assert result.report["balance_removed"].tolist() == [500.0, 50.0]
    assert result.balance_after == 50.0


def test_region_limit_can_push_an_obligor_over_its_limit() -> None:
    # Obligors are within 30% at first (N1 30%, S 25%). Region 北 (50 of 100) breaches 46%:
    # shed R >= 50 - (0.46 / 0.54) * 50 = 7.41, the largest loan N1 (30). The pool is then 70
    # and obligor S (S1 + S2 = 25) holds 35.7% > 30%: round 2 removes S1
    # (R >= 25 - (0.3 / 0.7) * 45 = 5.71). Pool 55: 北 20, 南 10, 西 25 (45.5% < 46%),
    # largest obligor W2 15 (27%): done.
    pool = make_pool([
        {"loan_id": "N1", "balance": 30.0, "obligor_id": "N1", "region": "北"},
        {"loan_id": "N2", "balance": 10.0, "obligor_id": "N2", "region": "北"},
        {"loan_id": "N3", "balance": 10.0, "obligor_id": "N3", "region": "北"},
        {"loan_id": "S1", "balance": 15.0, "obligor_id": "S", "region": "南"},
        {"loan_id": "S2", "balance": 10.0, "obligor_id": "S", "region": "南"},
        {"loan_id": "W1", "balance": 10.0, "obligor_id": "W1", "region": "西"},
        {"loan_id": "W2", "balance": 15.0, "obligor_id": "W2", "region": "西"},
    ])
    limits = ConcentrationLimits(max_obligor_share=0.3, max_region_share=0.46)
    result = apply_eligibility(pool, EligibilityCriteria(), limits)
    assert result.excluded[["loan_id", "rule", "round"]].values.tolist() == [
        ["N1", "max_region_share", 1], ["S1", "max_obligor_share", 2],
    ]
    assert result.report["loans_removed"].tolist() == [1, 1]


def test_criterion_that_empties_the_pool_is_named() -> None:
    with pytest.raises(InputError, match=r"eligibility rule `min_balance` \(balance >= 1,000,000\) "
                                         r"removed the last eligible loan of pool `hand`"):
        apply_eligibility(make_pool(RULE_POOL), EligibilityCriteria(min_balance=1e6))


def test_unreachable_concentration_limit_is_named() -> None:
    # Two equal obligors can never be under a 40% limit each.
    pool = make_pool([{"loan_id": "X", "balance": 1.0}, {"loan_id": "Y", "balance": 1.0}])
    with pytest.raises(InputError, match=r"eligibility rule `max_obligor_share` \(obligor share "
                                         r"<= 0.4\) removed the last eligible loan"):
        apply_eligibility(pool, EligibilityCriteria(), ConcentrationLimits(0.4))


def test_sample_pool_meets_limits_after_eligibility() -> None:
    pool = sample_pool("factoring", n_loans=3_000)
    limits = ConcentrationLimits(0.01, 0.2, 0.2)
    result = apply_eligibility(pool, EligibilityCriteria(min_balance=2_000), limits)
    _assert_limits_hold(result.pool.loans, limits)


@st.composite
def pools_and_limits(draw: st.DrawFn) -> tuple[Pool, ConcentrationLimits]:
    n = draw(st.integers(1, 40))
    balances = draw(st.lists(st.integers(1, 100_000), min_size=n, max_size=n))
    labels = [
        draw(st.lists(st.sampled_from(values), min_size=n, max_size=n))
        for values in ([f"O{i}" for i in range(10)], ["R0", "R1", "R2", "R3", "R4"],
                       ["I0", "I1", "I2", "I3"])
    ]
    rows = [
        {"loan_id": f"L{i}", "balance": balances[i] / 100, "obligor_id": labels[0][i],
             "region": labels[1][i], "industry": labels[2][i]}
        for i in range(n)
    ]
    # Floors well under 1 / (number of groups) would empty most pools; a few still do.
    limits = ConcentrationLimits(
        *(draw(st.none() | st.floats(low, 1.0)) for low in (0.15, 0.25, 0.3))
    )
    return make_pool(rows), limits


@settings(max_examples=200, deadline=None)
@given(pools_and_limits())
def test_concentration_rounds_follow_the_stated_rule(case: tuple[Pool, ConcentrationLimits]
                                                     ) -> None:
    pool, limits = case
    try:
        result = apply_eligibility(pool, EligibilityCriteria(), limits)
    except InputError as error:
        # Tight limits over few groups can be unreachable; that must be the only failure.
        assert "removed the last eligible loan" in str(error)  # noqa: PT017
        return
    _assert_rounds_follow_the_rule(pool, limits, result)


def test_many_concentration_rounds_on_the_factoring_sample() -> None:
    # Tight region and industry caps ping-pong with the obligor cap over a dozen rounds.
    pool = sample_pool("factoring", n_loans=3_000)
    limits = ConcentrationLimits(0.01, 0.2, 0.2)
    result = apply_eligibility(pool, EligibilityCriteria(), limits)
    assert result.excluded["round"].max() >= 5
    _assert_rounds_follow_the_rule(pool, limits, result)


def _assert_rounds_follow_the_rule(
    pool: Pool, limits: ConcentrationLimits, result: EligibilityResult
) -> None:
    """The rule in the docstring of apply_eligibility, checked round by round."""
    loans = pool.loans.set_index("loan_id")
    final = set(result.pool.loans["loan_id"])
    excluded = result.excluded
    assert len(final) + len(excluded) == len(pool)
    _assert_limits_hold(result.pool.loans, limits)

    # Replay the rounds: P_k = final pool + loans removed in round k or later.
    last_round = int(excluded["round"].max()) if len(excluded) else 0
    for k in range(1, last_round + 1):
        removed_k = excluded[excluded["round"] == k]
        (rule,) = set(removed_k["rule"])
        limit = getattr(limits, rule)
        column = LIMIT_COLUMN[rule]
        before = loans.loc[sorted(final | set(excluded.loc[excluded["round"] >= k, "loan_id"]))]
        after = before.drop(index=removed_k["loan_id"])
        for group, lost in loans.loc[removed_k["loan_id"]].groupby(column):
            group_before = before[before[column] == group]["balance"]
            group_after = after[after[column] == group]["balance"]
            # Only a group over its limit loses loans ...
            assert group_before.sum() > limit * before["balance"].sum()
            # ... its largest ones ...
            assert lost["balance"].min() >= (group_after.max() if len(group_after) else 0.0)
            # ... and no more than needed: keeping the smallest removed loan would breach.
            smallest = lost["balance"].min()
            share_if_kept = (group_after.sum() + smallest) / (after["balance"].sum() + smallest)
            assert share_if_kept > limit * (1 - 1e-12)


def _assert_limits_hold(loans: pd.DataFrame, limits: ConcentrationLimits) -> None:
    total = loans["balance"].sum()
    for rule, column in LIMIT_COLUMN.items():
        limit = getattr(limits, rule)
        if limit is not None:
            largest = loans.groupby(column)["balance"].sum().max() / total
            assert largest <= limit + 1e-9, (rule, largest, limit)


def test_criteria_round_trip_through_json() -> None:
    data = json.loads(json.dumps(CRITERIA.to_dict()))
    assert criteria_from_dict(data) == CRITERIA
    assert data["allowed_regions"] == ["广东", "江苏"]
    assert criteria_from_dict({}) == EligibilityCriteria()
    limits = ConcentrationLimits(max_obligor_share=0.02, max_industry_share=0.3)
    assert limits.to_dict() == {"max_obligor_share": 0.02, "max_industry_share": 0.3}
    assert limits_from_dict(json.loads(json.dumps(limits.to_dict()))) == limits


def test_unknown_keys_are_named_with_a_suggestion() -> None:
    with pytest.raises(InputError, match=r"eligibility criteria: unknown key\(s\) `min_bal` "
                                         r"\(did you mean `min_balance`\?\), `colour`; expected"):
        criteria_from_dict({"min_bal": 1, "colour": "red"})
    with pytest.raises(InputError, match=r"concentration limits: unknown key\(s\) "
                                         r"`max_obligor` \(did you mean `max_obligor_share`\?\)"):
        limits_from_dict({"max_obligor": 0.1})
    with pytest.raises(InputError, match=r"eligibility criteria must be an object of key: value "
                                         r"\(got list\)"):
        criteria_from_dict([1, 2])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_balance": -1}, r"`min_balance` \(got -1\) must be >= 0"),
        ({"max_balance": 0}, r"`max_balance` \(got 0\) must be > 0"),
        ({"min_balance": "100"}, r"`min_balance` \(got '100'\) must be a number"),
        ({"max_balance": math.nan}, r"`max_balance` \(got nan\) must be a number; give None"),
        ({"min_rate": 5.1}, r"`min_rate` \(got 5.1\) must be in \[0, 1\); it looks like "
                            r"percent: give 0.051"),
        ({"max_rate": -0.1}, r"`max_rate` \(got -0.1\) must be in \[0, 1\)$"),
        ({"min_remaining_term_months": 0}, r"`min_remaining_term_months` \(got 0\) must be >= 1"),
        ({"max_seasoning_months": 2.5}, r"`max_seasoning_months` \(got 2.5\) must be a whole "
                                        r"number of months"),
        ({"min_seasoning_months": -1}, r"`min_seasoning_months` \(got -1\) must be >= 0"),
        ({"allowed_regions": "广东"}, r"`allowed_regions` \(got '广东'\) must be a list of "
                                      r"strings"),
        ({"allowed_grades": ["A", 1]}, r"`allowed_grades` \(got \['A', 1\]\) must be a list of "
                                       r"strings"),
        ({"allowed_regions": {"A", 1}}, r"`allowed_regions` \(got .*\) must be a list of strings"),
        ({"allowed_amortization": "level"}, r"`allowed_amortization` \(got 'level'\) must be a "
                                            r"list of strings$"),
        ({"allowed_grades": []}, r"`allowed_grades` is empty, which would exclude every loan"),
        ({"allowed_amortization": ["level", "balloon"]},
         r"`allowed_amortization` has unknown code\(s\) \['balloon'\]; expected some of"),
        ({"min_balance": 500, "max_balance": 100},
         r"`min_balance` \(500.0\) must be <= `max_balance` \(100.0\)"),
        ({"min_remaining_term_months": 12, "max_remaining_term_months": 6},
         r"`min_remaining_term_months` \(12\) must be <= `max_remaining_term_months` \(6\)"),
    ],
)
def test_criteria_validation_names_the_field(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=r"^eligibility criteria: .*" + message):
        EligibilityCriteria(**kwargs)  # type: ignore[arg-type]


def test_criteria_validation_reports_every_problem_at_once() -> None:
    with pytest.raises(InputError, match=r"`min_balance` \(got -1\) must be >= 0; "
                                         r"`min_rate` \(got 2.0\) must be in"):
        EligibilityCriteria(min_balance=-1, min_rate=2.0)


def test_criteria_are_normalised_and_hashable() -> None:
    criteria = EligibilityCriteria(min_balance=500, allowed_grades=["A", "B"],
                                   allowed_regions={"江苏", "广东"}, excluded_obligors=[])
    assert criteria.min_balance == 500.0
    assert isinstance(criteria.min_balance, float)
    assert criteria.allowed_grades == ("A", "B")
    assert criteria.allowed_regions == tuple(sorted({"江苏", "广东"}))
    assert criteria.active_rules()[-1][0] == "allowed_regions"  # empty exclusion list is no rule
    hash(criteria)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_obligor_share": 0}, r"`max_obligor_share` \(got 0\) must be in \(0, 1\]"),
        ({"max_region_share": 20}, r"`max_region_share` \(got 20\) must be in \(0, 1\]; "
                                   r"it looks like percent: give 0.2"),
        ({"max_industry_share": "0.2"}, r"`max_industry_share` \(got '0.2'\) must be a number"),
        ({"max_obligor_share": math.nan}, r"`max_obligor_share` \(got nan\) must be in"),
    ],
)
def test_limit_validation_names_the_field(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=r"^concentration limits: " + message):
        ConcentrationLimits(**kwargs)  # type: ignore[arg-type]
