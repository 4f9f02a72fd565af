"""Small deals whose answers are known in closed form, shared by the test modules."""

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from abs_tool import (
    AnnualPd,
    Assumptions,
    CdrVector,
    Cpr,
    Deal,
    DealDates,
    LifetimeDefault,
    NoteClass,
    Pool,
    Recovery,
    RunSettings,
    Structure,
    Tier,
)
from abs_tool.engine.checks import waterfall_violations
from abs_tool.engine.deterministic import run_paths, summarise_paths
from abs_tool.engine.metrics import class_metrics
from abs_tool.engine.projection import HazardDefaults
from abs_tool.model.deal import PoolSource


def homogeneous_pool(n_loans: int, pd_annual: float, lgd: float, months: int = 12) -> Pool:
    """n equal zero-coupon bullet loans maturing at month ``months``."""
    ids = [f"L{i}" for i in range(n_loans)]
    return Pool(pd.DataFrame({
        "loan_id": ids, "balance": 1.0, "rate": 0.0, "remaining_term": months,
        "amortization": "bullet", "original_balance": 1.0, "original_term": months,
        "seasoning": 0, "annual_pd": pd_annual, "lgd": lgd, "grade": "A", "obligor_id": ids,
        "region": "R", "industry": "I", "score": np.nan,
    }), "homogeneous")


def tranched_deal(cuts, rho: float, lgd: float, *, paths: int = 20_000, seed: int = 7,
                  targets=None, months: int = 12) -> Deal:
    """Zero-coupon classes cut at ``cuts`` (attachment points from 0 to 1, subordinated
    first), no fees, immediate recoveries, sequential pay, legal final at ``months``: each
    class is a tranche of the pool loss."""
    tiers = [Tier.SUBORDINATED, Tier.MEZZANINE, Tier.SENIOR][: len(cuts) - 1][::-1]
    widths = np.diff(cuts)[::-1]  # senior first
    targets = targets or [None] * len(widths)
    classes = tuple(NoteClass(f"C{j}", tier, float(w), target_rating=target)
                    for j, (tier, w, target) in enumerate(zip(tiers, widths, targets,
                                                              strict=True)))
    assumptions = Assumptions(default=AnnualPd(), recovery=Recovery(1.0 - lgd, 0),
                              correlation=rho)
    return replace(make_deal(Structure(classes=classes), assumptions, months),
                   name="homogeneous", run=RunSettings(paths=paths, seed=seed))


def make_pool(balances, rate=0.12, term=3, amortization="equal_principal", pd_annual=0.05):
    """Loans of the given balances, all alike otherwise (rate, term, repayment, PD)."""
    n = len(balances)
    ids = [f"L{i}" for i in range(n)]
    terms = np.broadcast_to(term, n)
    return Pool(pd.DataFrame({
        "loan_id": ids, "balance": balances, "rate": np.broadcast_to(rate, n),
        "remaining_term": terms, "amortization": np.broadcast_to(amortization, n),
        "original_balance": balances, "original_term": terms, "seasoning": 0,
        "annual_pd": np.broadcast_to(pd_annual, n), "lgd": np.nan, "grade": "A",
        "obligor_id": ids, "region": "R", "industry": "I", "score": np.nan,
    }), "test")


def make_deal(structure, assumptions, months=6):
    """A deal from 2020-01-01 to its legal final ``months`` later, on any pool."""
    end_year, end_month = 2020 + months // 12, 1 + months % 12
    dates = DealDates(date(2020, 1, 1), date(2020, 1, 1), date(2020, 2, 1),
                      date(end_year, end_month, 1))
    return Deal("test", dates, PoolSource(sample="consumer"), assumptions, structure)


@st.composite
def random_assets(draw, max_loans: int, max_term: int):
    """A random default assumption (annual PD, CDR or lifetime), CPR and recovery, and a
    pool of 1 to ``max_loans`` loans alike but for balance and PD, for the property tests of
    the waterfall's invariants."""
    default = draw(st.one_of(
        st.just(AnnualPd()),
        st.builds(lambda c: CdrVector((c,)), st.floats(0, 0.9)),
        st.builds(lambda c: LifetimeDefault(c, (0.25, 0.25, 0.25, 0.25)), st.floats(0, 1)),
    ))
    assumptions = Assumptions(default=default, prepayment=Cpr((draw(st.floats(0, 0.5)),)),
                              recovery=Recovery(draw(st.floats(0, 1)), draw(st.integers(0, 6))))
    n_loans = draw(st.integers(1, max_loans))
    pool = make_pool(
        draw(st.lists(st.floats(10, 10_000), min_size=n_loans, max_size=n_loans)),
        rate=draw(st.floats(0, 0.3)), term=draw(st.integers(1, max_term)),
        pd_annual=draw(st.lists(st.sampled_from([0.01, 0.05, 0.3]), min_size=n_loans,
                                max_size=n_loans)),
        amortization=draw(st.sampled_from(["level", "equal_principal", "bullet",
                                           "interest_only", "installment_fee"])))
    return assumptions, pool


def third_loan_defaults(default_month, months=6):
    """One path of a 3-loan pool (the hand-computed waterfall cases) in which the third loan
    defaults whole in ``default_month`` (0: none)."""
    values = np.zeros((1, 3, months))
    if default_month:
        values[0, 2, default_month - 1] = 1.0
    return HazardDefaults(values)


def run_checked(prepared, default_month=0):
    """One path of ``prepared`` with :func:`third_loan_defaults`, checked against the
    invariants, and the summary mode the Monte Carlo uses against the full run (the same
    class figures)."""
    result = run_paths(prepared, third_loan_defaults(default_month), 1)
    assert waterfall_violations(result) == []
    summary = summarise_paths(prepared, third_loan_defaults(default_month), 1)
    np.testing.assert_array_equal(summary.metrics.loss_pv,
                                  class_metrics(result, prepared.coupons).loss_pv)
    return result
