"""Scheduled (no default, no prepayment) cash flows per loan, vectorised over loans.

Every array is shaped ``(loans, periods)``; period ``k`` (column ``k - 1``) is month ``k``
after the cut-off date. Conventions per amortization type (also in docs/tape.md), with
``B`` the current balance, ``r = rate / 12`` and ``n`` the remaining term in months:

``level`` (等额本息)
    Annuity payment ``B r / (1 - (1 + r)^-n)`` (``B / n`` when ``r = 0``), interest on the
    opening balance, principal the rest.
``equal_principal`` (等额本金)
    Principal ``B / n`` each month, interest on the opening balance.
``interest_only`` (先息后本)
    Interest on the balance monthly, all principal in month ``n``.
``bullet`` (到期一次还本付息)
    Principal and simple interest ``B r n`` together in month ``n`` (trade receivables).
``installment_fee`` (分期手续费, 白条 / BNPL)
    Principal ``B / n`` each month and no interest; instead a flat fee of
    ``original_balance * rate / 12`` each month, so ``rate`` is the annual flat fee rate on
    the original principal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from abs_tool.errors import InputError
from abs_tool.model.columns import AMORTIZATION_CODES, Amortization
from abs_tool.model.conventions import monthly_rate
from abs_tool.types import LoansByPeriods

KIND: dict[Amortization, int] = {a: AMORTIZATION_CODES.index(a) for a in Amortization}
"""Integer code of each amortization type, as used in the ``kind`` arrays."""


@dataclass(frozen=True)
class Schedule:
    """Scheduled flows of each loan, all shaped (loans, periods), in currency units.

    ``balance`` is the balance at the end of each period, after that period's principal.
    """

    interest: LoansByPeriods
    principal: LoansByPeriods
    fee: LoansByPeriods
    balance: LoansByPeriods

    @property
    def n_periods(self) -> int:
        return int(self.balance.shape[1])


def amortization_index(codes: ArrayLike) -> NDArray[np.int8]:
    """Position of each code in :data:`AMORTIZATION_CODES` (raises on unknown codes)."""
    values = np.asarray(codes, dtype=object)
    lookup = {code: i for i, code in enumerate(AMORTIZATION_CODES)}
    try:
        return np.fromiter((lookup[v] for v in values), dtype=np.int8, count=len(values))
    except KeyError as exc:
        raise InputError(
            f"unknown amortization {exc.args[0]!r}; expected one of {list(AMORTIZATION_CODES)}"
        ) from None


def remaining_fraction(
    rate_annual: ArrayLike, term_months: ArrayLike, kind: ArrayLike, n_periods: int
) -> LoansByPeriods:
    """Scheduled balance after each month as a fraction of the current balance.

    Parameters
    ----------
    rate_annual, term_months
        Shape (loans,): annual rate and remaining term in months (>= 1).
    kind
        Shape (loans,): index into :data:`AMORTIZATION_CODES` (see :func:`amortization_index`).
    n_periods
        Number of monthly columns to produce.

    Returns
    -------
    ndarray, shape (loans, n_periods), values in [0, 1], zero from month ``term`` on.
    """
    r = monthly_rate(rate_annual)[:, None]
    n = np.asarray(term_months, dtype=np.float64)[:, None]
    kind = np.asarray(kind)[:, None]
    k = np.arange(1, n_periods + 1, dtype=np.float64)[None, :]

    linear = np.clip(1.0 - k / n, 0.0, None)
    until_maturity = (k < n).astype(np.float64)
    # Annuity balance B_k / B = ((1+r)^n - (1+r)^k) / ((1+r)^n - 1); r = 0 is the linear case.
    with np.errstate(divide="ignore", invalid="ignore"):
        growth_n = np.expm1(n * np.log1p(r))
        growth_k = np.expm1(np.minimum(k, n) * np.log1p(r))
        annuity = np.where(r > 0, (growth_n - growth_k) / growth_n, linear)
    annuity = np.clip(annuity, 0.0, None)

    is_level = kind == KIND[Amortization.LEVEL]
    linear_kinds = [KIND[Amortization.EQUAL_PRINCIPAL], KIND[Amortization.INSTALLMENT_FEE]]
    is_linear = np.isin(kind, linear_kinds)
    return np.where(is_level, annuity, np.where(is_linear, linear, until_maturity))


def scheduled_flows(
    balance: ArrayLike,
    rate_annual: ArrayLike,
    term_months: ArrayLike,
    kind: ArrayLike,
    original_balance: ArrayLike,
    n_periods: int | None = None,
) -> Schedule:
    """Scheduled interest, principal, fee and balance of each loan (see module docstring).

    Parameters
    ----------
    balance, rate_annual, term_months, original_balance
        Shape (loans,). Balances in currency, rates annual decimals, terms in months.
    kind
        Shape (loans,): index into :data:`AMORTIZATION_CODES`.
    n_periods
        Columns of the result; defaults to the longest remaining term.
    """
    balance = np.asarray(balance, dtype=np.float64)
    term = np.asarray(term_months, dtype=np.int64)
    kind = np.asarray(kind)
    periods = int(term.max()) if n_periods is None else int(n_periods)
    r = monthly_rate(rate_annual)

    closing = balance[:, None] * remaining_fraction(rate_annual, term, kind, periods)
    opening = np.concatenate([balance[:, None], closing[:, :-1]], axis=1)
    principal = opening - closing
    alive = np.arange(1, periods + 1)[None, :] <= term[:, None]

    bullet = kind == KIND[Amortization.BULLET]
    fee_based = kind == KIND[Amortization.INSTALLMENT_FEE]
    accruing = ~(bullet | fee_based)
    interest = np.where(accruing[:, None], opening * r[:, None], 0.0)
    maturity = np.arange(1, periods + 1)[None, :] == term[:, None]
    interest += np.where(bullet[:, None] & maturity, (balance * r * term)[:, None], 0.0)
    fee_monthly = np.where(fee_based, np.asarray(original_balance, dtype=np.float64) * r, 0.0)
    fee = np.where(alive, fee_monthly[:, None], 0.0)
    return Schedule(interest=interest, principal=principal, fee=fee, balance=closing)
