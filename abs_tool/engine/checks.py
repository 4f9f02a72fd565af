"""Invariants of an engine run, vectorised over paths and periods.

Tests call :func:`waterfall_violations` on every engine output; a benchmark flag can run it
inside the Monte Carlo. Each invariant is one line of arithmetic that must hold on every
path and every month, to a tolerance relative to the pool size.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from abs_tool.engine.waterfall import WaterfallResult

RELATIVE_TOLERANCE = 1e-9
"""Tolerance as a share of the original note balance."""


def _violations(name: str, gap: NDArray[np.float64], tol: float) -> list[str]:
    bad = np.abs(gap) > tol
    if not bad.any():
        return []
    where = np.argwhere(bad)[0]
    return [f"{name}: {int(bad.sum())} cell(s) off, worst {np.abs(gap).max():.6g} "
            f"(first at index {tuple(int(i) for i in where)})"]


def waterfall_violations(result: WaterfallResult) -> list[str]:
    """Every invariant that fails, described; an empty list when all hold.

    * cash: collections + call proceeds + reserve and held cash brought in = fees + interest
      + principal + purchases + residuals + reserve and held cash carried, every path and
      month; held cash is carried only to the next month's opening;
    * pool roll-forward: opening - scheduled principal - prepayments - defaults + purchases
      - balance taken by a call = closing, and each month opens where the last closed;
    * class identity: opening - principal - write-down = closing;
    * no class receives more principal than its balance, balances never go negative;
    * nothing goes to the residual while a coupon on a payment date is left unpaid.
    """
    tol = RELATIVE_TOLERANCE * float(result.original_balance.sum())
    pool, classes = result.pool, result.classes
    cash_in = pool.collections + pool.call_proceeds + result.reserve_open + result.held_open
    cash_out = (result.fees_paid.sum(axis=1) + classes.interest_paid.sum(axis=1)
                + classes.principal_paid.sum(axis=1) + pool.purchases
                + classes.residual.sum(axis=1) + result.originator_residual
                + result.reserve_close + result.held_close)
    out = _violations("cash in = cash out", cash_in - cash_out, tol)
    out += _violations("held cash opens where it closed",
                       result.held_open[:, 1:] - result.held_close[:, :-1], tol)
    out += _violations("held cash at the start", result.held_open[:, 0], tol)

    called_balance = np.where(pool.call_proceeds > 0,
                              pool.balance_open - pool.scheduled_principal - pool.prepayment
                              - pool.default, 0.0)
    roll = (pool.balance_open - pool.scheduled_principal - pool.prepayment - pool.default
            + pool.purchases - called_balance - pool.balance_close)
    out += _violations("pool roll-forward", roll, tol)
    out += _violations("pool opens where it closed",
                       pool.balance_open[:, 1:] - pool.balance_close[:, :-1], tol)

    identity = (classes.balance_open - classes.principal_paid - classes.writedown
                - classes.balance_close)
    out += _violations("class balance identity", identity, tol)
    out += _violations("principal paid above balance",
                       np.maximum(classes.principal_paid - classes.balance_open, 0.0), tol)
    out += _violations("negative balance", np.minimum(classes.balance_close, 0.0), tol)
    out += _violations("negative payment", np.minimum(np.minimum(
        classes.interest_paid, classes.principal_paid), 0.0), tol)

    arrears = (classes.interest_shortfall > tol).any(axis=1) & (classes.interest_due > 0).any(
        axis=1)
    residual = classes.residual.sum(axis=1) + result.originator_residual
    out += _violations("residual paid while interest unpaid", np.where(arrears, residual, 0.0),
                       tol)
    return out
