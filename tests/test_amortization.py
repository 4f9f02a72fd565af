"""Scheduled flows against closed forms: annuity payment, equal-principal sums, bullet."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from abs_tool import InputError
from abs_tool.model.amortization import KIND, amortization_index, scheduled_flows
from abs_tool.model.columns import Amortization

TOL = 1e-9


def one_loan(kind, balance=10_000.0, rate=0.12, term=12, original=None, periods=None):
    return scheduled_flows(
        [balance], [rate], [term], [KIND[kind]], [original or balance], periods
    )


def test_level_payment_is_the_annuity_formula():
    # Annuity: P = B r / (1 - (1 + r)^-n), B = 10,000, r = 1% a month, n = 12 -> 888.4878867834
    s = one_loan(Amortization.LEVEL)
    payment = s.interest[0] + s.principal[0]
    expected = 10_000 * 0.01 / (1 - 1.01**-12)
    assert expected == pytest.approx(888.4878867834, abs=1e-9)
    np.testing.assert_allclose(payment, expected, rtol=0, atol=TOL)
    assert s.principal.sum() == pytest.approx(10_000, abs=TOL)
    assert s.balance[0, -1] == 0.0


def test_level_balance_after_k_payments_closed_form():
    # B_k = B (1+r)^k - P ((1+r)^k - 1) / r
    b, r, n = 250_000.0, 0.049 / 12, 36
    s = one_loan(Amortization.LEVEL, balance=b, rate=0.049, term=n)
    p = b * r / (1 - (1 + r) ** -n)
    k = np.arange(1, n + 1)
    expected = b * (1 + r) ** k - p * ((1 + r) ** k - 1) / r
    np.testing.assert_allclose(s.balance[0], np.maximum(expected, 0), rtol=0, atol=1e-7)


def test_zero_rate_level_is_linear():
    s = one_loan(Amortization.LEVEL, rate=0.0, term=4, balance=1000.0)
    np.testing.assert_allclose(s.principal[0], [250, 250, 250, 250], atol=TOL)
    assert not s.interest.any()


def test_equal_principal_sums():
    # Principal B/n each month; interest r B (n + 1 - k) / n, summing to r B (n + 1) / 2.
    b, n = 12_000.0, 12
    s = one_loan(Amortization.EQUAL_PRINCIPAL, balance=b, term=n)
    np.testing.assert_allclose(s.principal[0], b / n, atol=TOL)
    assert s.interest.sum() == pytest.approx(0.01 * b * (n + 1) / 2, abs=TOL)
    k = np.arange(1, n + 1)
    np.testing.assert_allclose(s.interest[0], 0.01 * b * (n + 1 - k) / n, atol=TOL)


def test_bullet_pays_principal_and_simple_interest_at_maturity():
    s = one_loan(Amortization.BULLET, balance=5_000.0, rate=0.06, term=4, periods=6)
    np.testing.assert_allclose(s.principal[0], [0, 0, 0, 5_000, 0, 0], atol=TOL)
    np.testing.assert_allclose(s.interest[0], [0, 0, 0, 5_000 * 0.005 * 4, 0, 0], atol=TOL)
    np.testing.assert_allclose(s.balance[0], [5_000] * 3 + [0] * 3, atol=TOL)


def test_interest_only_pays_interest_monthly():
    s = one_loan(Amortization.INTEREST_ONLY, balance=5_000.0, rate=0.06, term=3)
    np.testing.assert_allclose(s.interest[0], [25, 25, 25], atol=TOL)
    np.testing.assert_allclose(s.principal[0], [0, 0, 5_000], atol=TOL)


def test_installment_fee_is_flat_on_original_principal():
    # 白条 style: 6-month plan seasoned 2 months: balance 4,000 of 6,000 original, fee rate
    # 0.6%/month (0.072 annual) -> 36 a month for the 4 remaining months, no interest.
    s = one_loan(Amortization.INSTALLMENT_FEE, balance=4_000.0, rate=0.072, term=4,
                 original=6_000.0, periods=5)
    np.testing.assert_allclose(s.fee[0], [36, 36, 36, 36, 0], atol=TOL)
    np.testing.assert_allclose(s.principal[0], [1_000] * 4 + [0], atol=TOL)
    assert not s.interest.any()


def test_unknown_code_is_named():
    with pytest.raises(InputError, match=r"unknown amortization 'balloon'; expected one of"):
        amortization_index(["level", "balloon"])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0.01, 1e7),
            st.floats(0.0, 0.99),
            st.integers(1, 360),
            st.sampled_from(list(Amortization)),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_principal_paid_equals_balance_and_balances_fall(loans):
    balance, rate, term, kind = (np.array(x) for x in zip(*loans, strict=True))
    codes = np.array([KIND[k] for k in kind])
    s = scheduled_flows(balance, rate, term, codes, balance)
    np.testing.assert_allclose(s.principal.sum(axis=1), balance, rtol=1e-12)
    assert np.all(s.principal >= -1e-9 * balance[:, None])
    assert np.all(np.diff(s.balance, axis=1) <= 1e-9 * balance[:, None])
    assert np.all(s.balance[np.arange(len(term)), term - 1] == 0)
    for column in (s.interest, s.fee):
        assert np.all(column >= 0)
