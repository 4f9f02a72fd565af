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

    * cash: collections + call proceeds + reserve and held cash brought in = excess-spread
      haircut + fees + interest + principal (reinstatements included) + purchases +
      residuals + reserve and held cash carried, every path and month; held cash is carried
      only to the next month's opening;
    * pool roll-forward: opening - scheduled principal - prepayments - defaults + purchases
      - balance taken by a call = closing, and each month opens where the last closed;
    * class identity: opening - principal - write-down + reinstated = closing, and each
      month opens where the last closed;
    * the write-down ledger: balance + cumulative write-downs - cumulative reinstatements
      = original - cumulative principal paid; no class has more reinstated than written
      down so far; write-downs and reinstatements are never negative;
    * write-downs fall on the most junior class first: a class is written down only in a
      month that leaves every class below it at zero but for what is reinstated to it
      later in the month; reinstatements go senior first: a
      class is reinstated only in a month that leaves every class above it with nothing
      written down outstanding;
    * no class receives more principal than its balance (plus what is reinstated),
      balances never go negative;
    * nothing goes to the residual while a coupon on a payment date is left unpaid;
    * liquidity support (:func:`_liquidity_violations`): cash in includes the liquidity
      reserve brought in and the servicer's advances, cash out the liquidity reserve
      carried and the reimbursements; both accounts reconcile month to month.
    * between the deal's payment dates (``payment_date`` false) nothing is paid: no fee,
      interest, principal, residual, reimbursement, draw or advance; the reserve and the
      liquidity reserve keep their balances.
    """
    tol = RELATIVE_TOLERANCE * float(result.original_balance.sum())
    pool, classes = result.pool, result.classes
    cash_in = pool.collections + pool.call_proceeds + result.reserve_open + result.held_open
    cash_out = (result.excess_spread_haircut + result.fees_paid.sum(axis=1)
                + classes.interest_paid.sum(axis=1) + classes.principal_paid.sum(axis=1)
                + pool.purchases + classes.residual.sum(axis=1) + result.originator_residual
                + result.reserve_close + result.held_close)
    # Liquidity support: the liquidity reserve is an account like the reserve, and the
    # servicer's advances are external cash in, their reimbursements cash out.
    cash_in = cash_in + result.liquidity_open + result.advance_made
    cash_out = cash_out + result.liquidity_close + result.advance_reimbursed
    out = _violations("cash in = cash out", cash_in - cash_out, tol)
    out += _liquidity_violations(result, tol)
    out += _violations("held cash opens where it closed",
                       result.held_open[:, 1:] - result.held_close[:, :-1], tol)
    out += _violations("held cash at the start", result.held_open[:, 0], tol)
    out += _between_dates_violations(result, tol)

    called_balance = np.where(pool.call_proceeds > 0,
                              pool.balance_open - pool.scheduled_principal - pool.prepayment
                              - pool.default, 0.0)
    roll = (pool.balance_open - pool.scheduled_principal - pool.prepayment - pool.default
            + pool.purchases - called_balance - pool.balance_close)
    out += _violations("pool roll-forward", roll, tol)
    out += _violations("pool opens where it closed",
                       pool.balance_open[:, 1:] - pool.balance_close[:, :-1], tol)

    out += _violations("negative haircut", np.minimum(result.excess_spread_haircut, 0.0), tol)
    identity = (classes.balance_open - classes.principal_paid - classes.writedown
                + classes.reinstated - classes.balance_close)
    out += _violations("class balance identity", identity, tol)
    out += _violations("class opens where it closed",
                       classes.balance_open[..., 1:] - classes.balance_close[..., :-1], tol)
    out += _violations("class opens at its original balance",
                       classes.balance_open[..., 0] - result.original_balance, tol)
    written = np.cumsum(classes.writedown, axis=2)
    reinstated = np.cumsum(classes.reinstated, axis=2)
    ledger = (classes.balance_close + written - reinstated
              - (result.original_balance[:, None] - np.cumsum(classes.principal_paid, axis=2)))
    out += _violations("write-down ledger", ledger, tol)
    out += _violations("reinstated more than written down",
                       np.maximum(reinstated - written, 0.0), tol)
    out += _violations("negative write-down or reinstatement", np.minimum(np.minimum(
        classes.writedown, classes.reinstated), 0.0), tol)
    # Junior classes are those after a class: what they close with, less what was
    # reinstated to them after the write-downs of the month, summed.
    left = np.maximum(classes.balance_close - classes.reinstated, 0.0)
    below = np.cumsum(left[:, ::-1], axis=1)[:, ::-1] - left
    out += _violations("write-down above a junior class with a balance",
                       np.where(classes.writedown > tol, below, 0.0), tol)
    outstanding = written - reinstated
    above = np.cumsum(outstanding, axis=1) - outstanding
    out += _violations("reinstated below a senior class still written down",
                       np.where(classes.reinstated > tol, above, 0.0), tol)
    out += _violations("principal paid above balance",
                       np.maximum(classes.principal_paid - classes.balance_open
                                  - classes.reinstated, 0.0), tol)
    out += _violations("negative balance", np.minimum(classes.balance_close, 0.0), tol)
    out += _violations("negative payment", np.minimum(np.minimum(
        classes.interest_paid, classes.principal_paid), 0.0), tol)

    arrears = (classes.interest_shortfall > tol).any(axis=1) & (classes.interest_due > 0).any(
        axis=1)
    residual = classes.residual.sum(axis=1) + result.originator_residual
    out += _violations("residual paid while interest unpaid", np.where(arrears, residual, 0.0),
                       tol)
    return out


def _liquidity_violations(result: WaterfallResult, tol: float) -> list[str]:
    """The liquidity reserve and the servicer advance (docs/waterfall.md): each reconciles
    (``close = open - released - drawn + replenished``; ``close = open + interest + made -
    reimbursed - lost``) and opens where it closed; nothing is negative; the liquidity
    reserve keeps at most its target after the release and the replenishment; and what
    the two pay (``drawn + made``) never exceeds the month's senior fees and the senior
    classes' interest paid (they pay nothing else)."""
    r = result
    out = _violations("liquidity reserve reconciles", r.liquidity_open - r.liquidity_released
                      - r.liquidity_drawn + r.liquidity_replenished - r.liquidity_close, tol)
    out += _violations("liquidity reserve opens where it closed",
                       r.liquidity_open[:, 1:] - r.liquidity_close[:, :-1], tol)
    out += _violations("advances reconcile", r.advance_open + r.advance_interest
                       + r.advance_made - r.advance_reimbursed - r.advance_lost
                       - r.advance_close, tol)
    out += _violations("advances open where they closed",
                       r.advance_open[:, 1:] - r.advance_close[:, :-1], tol)
    out += _violations("advances at the start", r.advance_open[:, 0], tol)
    lines = (r.liquidity_open, r.liquidity_target, r.liquidity_released, r.liquidity_drawn,
             r.liquidity_replenished, r.liquidity_close, r.advance_open, r.advance_interest,
             r.advance_reimbursed, r.advance_made, r.advance_lost, r.advance_close)
    out += _violations("negative liquidity support line",
                       np.minimum(np.min(np.stack(lines), axis=0), 0.0), tol)
    # Released on payment dates only (deal payment frequency, issue 16 item 4b).
    out += _violations("liquidity reserve above its target after the release",
                       np.where(r.payment_date, np.maximum(
                           r.liquidity_open - r.liquidity_released - r.liquidity_target,
                           0.0), 0.0), tol)
    out += _violations("liquidity reserve replenished above its target",
                       np.where(r.liquidity_replenished > tol, np.maximum(
                           r.liquidity_close - r.liquidity_target, 0.0), 0.0), tol)
    # The draws and advances pay only senior fees and senior interest: at most what those
    # received in the month (classes reported senior by ``senior``).
    senior = r.senior_classes
    covered = (r.fees_paid.sum(axis=1)
               + (r.classes.interest_paid * senior[None, :, None]).sum(axis=1))
    out += _violations("liquidity support paid more than senior fees and interest",
                       np.maximum(r.liquidity_drawn + r.advance_made - covered, 0.0), tol)
    return out


def _between_dates_violations(r: WaterfallResult, tol: float) -> list[str]:
    """Months that are not payment dates of the deal (deal payment frequency, issue 16 item
    4b), while the deal runs: nothing paid, the reserves unchanged."""
    months = np.arange(1, r.n_periods + 1)
    idle = (months[None, :] <= r.end_month[:, None]) & ~r.payment_date
    if not idle.any():
        return []
    c = r.classes
    paid = (r.fees_paid.sum(axis=1) + c.interest_paid.sum(axis=1) + c.principal_paid.sum(axis=1)
            + c.residual.sum(axis=1) + r.originator_residual + r.advance_reimbursed
            + r.advance_made + r.liquidity_drawn + r.liquidity_replenished
            + r.liquidity_released)
    out = _violations("paid between payment dates", np.where(idle, paid, 0.0), tol)
    out += _violations("reserve moved between payment dates",
                       np.where(idle, r.reserve_close - r.reserve_open, 0.0), tol)
    out += _violations("liquidity reserve moved between payment dates",
                       np.where(idle, r.liquidity_close - r.liquidity_open, 0.0), tol)
    return out
