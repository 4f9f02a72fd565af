"""The waterfall inspector: one month of one path, step by step in the order of the
priority of payments (docs/waterfall.md), from the engine's output lines alone.

:func:`inspect_waterfall` lays out, for a month of a
:class:`~abs_tool.engine.waterfall.WaterfallResult` path, each step with the funds before
it, what it received, what was due, what it paid, the shortfall carried and the funds
after it (``funds_after = funds_before + received - paid`` on every row; the last row's
funds after are the cash the trust account keeps to the next month); the triggers'
values against their levels with the headroom; and the reserve, the classes' ledgers,
the fees carried and the principal deficiency. :func:`monte_carlo_path` picks the Monte
Carlo path at a quantile of the pool loss and reruns it with all its lines.

What the lines give: every amount paid, received or carried is an output line, and so is
the *principal due* of step 4 (``WaterfallResult.principal_due``, what the kernel computed
by the rule of ``docs/waterfall.md``: the notes after the month's write-downs, less the
performing pool before purchases and the defaults awaiting liquidation, plus the
reinstatements), shown uncapped where excess interest is released (the shortfall is then
the deficiency the principal funds left). In the month the deal ends, what is still
outstanding after step 4 is written down when the classes close. Under acceleration the
principal is paid in step 2, class by class after its interest (rows of their own). A
class with a target balance (计划摊还 / 目标余额) shows it in the ledgers
(``target_balance``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import openpyxl
import pandas as pd

from abs_tool.engine.deterministic import PreparedDeal, run_paths, summarise_paths
from abs_tool.engine.montecarlo import engine_inputs, simulate_assets
from abs_tool.engine.projection import HazardDefaults
from abs_tool.engine.waterfall import WaterfallResult
from abs_tool.errors import FieldError
from abs_tool.model.assumptions import monthly_vector
from abs_tool.model.deal import CouponPriority, Deal, LiquidityReplenishment, LossTiming

__all__ = ["PickedPath", "WaterfallInspection", "inspect_waterfall", "inspection_xlsx",
           "monte_carlo_path"]

STEP_COLUMNS = ("step", "part", "item", "funds_before", "received", "due", "paid",
                "shortfall", "funds_after")
TRIGGER_COLUMNS = ("trigger", "metric", "value", "level", "headroom", "breached")
LEDGER_COLUMNS = ("ledger", "item", "value")
COLLECTION_LINES = ("interest", "scheduled_principal", "prepayment", "recovery",
                    "fee_income", "call_proceeds")


@dataclass(frozen=True)
class WaterfallInspection:
    """One month of one path (:func:`inspect_waterfall`), as display tables.

    ``steps`` has :data:`STEP_COLUMNS`: ``step`` 0 (available funds: the collections, the
    call proceeds, the reserve balance and the cash held are *received*; the excess-spread
    haircut is *paid* out) to 5, ``part`` a code (``collections``, ``haircut``, ``fee``,
    ``interest``, ``accelerated_principal``, ``reserve``, ``principal``, ``purchases``,
    ``turbo``, ``residual``; with liquidity support also ``liquidity`` (its release in
    step 0, its replenishment after step 2 or after principal), ``advance`` (the
    reimbursement in step 0, before the fees), and after the interest rows, per senior fee
    and senior class, ``liquidity_draw`` and ``advance_made``: what the reserve and the
    servicer paid of what the funds left unpaid, shown as received and paid, while the fee
    and interest rows show what the funds paid), ``item`` a line code or the name of a
    class or fee; amounts
    in currency, NaN where a row has none. ``triggers`` has :data:`TRIGGER_COLUMNS`
    (``headroom`` = level - value: negative when breached this month; a breach acts from
    the next month). ``ledgers`` has :data:`LEDGER_COLUMNS`: per class, fee, the reserve,
    the held cash, the liquidity reserve and the servicer's advances, and the pool, the
    month's balances.
    """

    month: int
    path: int
    steps: pd.DataFrame
    triggers: pd.DataFrame
    ledgers: pd.DataFrame

    def frame(self) -> pd.DataFrame:
        """The three tables in one (a ``table`` column first), for a CSV file."""
        parts = [t.assign(table=name) for name, t in (("steps", self.steps),
                                                      ("triggers", self.triggers),
                                                      ("ledgers", self.ledgers))]
        out = pd.concat(parts, ignore_index=True)
        return out[["table", *[c for c in out.columns if c != "table"]]]


def inspect_waterfall(result: WaterfallResult, deal: Deal, month: int, *, path: int = 0,
                      lag_months: int | None = None) -> WaterfallInspection:
    """Month ``month`` (1..T) of path ``path`` of ``result``, step by step (module
    docstring).

    ``deal`` is the deal the result is of (its names, trigger levels and rules);
    ``lag_months`` the recovery lag of the run (default: the deal's), which says which
    defaults await liquidation.

    Raises
    ------
    FieldError
        ``month`` not in 1..T, or ``path`` not one of the result's paths.
    """
    horizon = result.n_periods
    if isinstance(month, bool) or not isinstance(month, int | np.integer) \
            or not 1 <= month <= horizon:
        raise FieldError("month", f"must be a whole number in 1..{horizon} (got {month!r})")
    if isinstance(path, bool) or not isinstance(path, int | np.integer) \
            or not 0 <= path < result.n_paths:
        raise FieldError("path", f"must be in 0..{result.n_paths - 1} (got {path!r})")
    structure = deal.structure
    lag = deal.assumptions.recovery.lag_months if lag_months is None else lag_months
    p, k = int(path), int(month) - 1
    pool, c = result.pool, result.classes
    names = [note.name for note in structure.classes]
    accelerated = bool(result.accelerated[p, k])
    revolving = bool(result.revolving[p, k])

    rows: list[tuple[int, str, str, float, float, float, float]] = []

    def row(step: int, part: str, item: str, *, received: float = 0.0,
            due: float = np.nan, paid: float = 0.0, shortfall: float = np.nan) -> None:
        rows.append((step, part, item, received, due, paid, shortfall))

    for line in COLLECTION_LINES:
        row(0, "collections", line, received=float(getattr(pool, line)[p, k]))
    row(0, "reserve", "reserve_open", received=float(result.reserve_open[p, k]))
    row(0, "held", "held_open", received=float(result.held_open[p, k]))
    haircut = float(result.excess_spread_haircut[p, k])
    row(0, "haircut", "excess_spread_haircut", due=haircut, paid=haircut, shortfall=0.0)
    liquidity, advance = structure.liquidity_reserve, structure.servicer_advance
    if liquidity is not None:
        row(0, "liquidity", "liquidity_released",
            received=float(result.liquidity_released[p, k]))
    if advance is not None:
        owed = float(result.advance_open[p, k] + result.advance_interest[p, k])
        repaid = float(result.advance_reimbursed[p, k])
        row(0, "advance", "advance_reimbursed", due=owed, paid=repaid, shortfall=owed - repaid)
    # What the liquidity reserve and the servicer paid of each senior fee and senior
    # class's interest (after step 2, in this order): the fee and interest rows then show
    # what the available funds paid, and what they left unpaid as the shortfall.
    covered = _covered(result, deal, p, k, float(sum(r[3] - r[5] for r in rows)))
    for f, fee in enumerate(structure.fees):
        paid, unpaid = float(result.fees_paid[p, f, k]), float(result.fees_unpaid[p, f, k])
        cover = sum(covered[("fee", fee.name)][1:])
        row(1, "fee", fee.name, due=paid + unpaid, paid=paid - cover,
            shortfall=unpaid + cover)
    for j, name in enumerate(names):
        cover = sum(covered[("interest", name)][1:])
        row(2, "interest", name, due=float(c.interest_due[p, j, k]),
            paid=float(c.interest_paid[p, j, k]) - cover,
            shortfall=float(c.interest_shortfall[p, j, k]) + cover)
        if accelerated:
            owed, paid = float(c.balance_open[p, j, k]), float(c.principal_paid[p, j, k])
            row(2, "accelerated_principal", name, due=owed, paid=paid, shortfall=owed - paid)
    for (kind, name), (gap, by_reserve, by_servicer) in covered.items():
        if kind == "other":
            continue
        if liquidity is not None and gap > 0:
            row(2, "liquidity_draw", name, received=by_reserve, due=gap, paid=by_reserve,
                shortfall=gap - by_reserve)
        if advance is not None and gap > 0:
            row(2, "advance_made", name, received=by_servicer, due=gap - by_reserve,
                paid=by_servicer, shortfall=gap - by_reserve - by_servicer)
    if liquidity is not None:
        kept = float(result.liquidity_open[p, k] - result.liquidity_released[p, k]
                     - result.liquidity_drawn[p, k])
        need = max(float(result.liquidity_target[p, k]) - kept, 0.0)
        topped = float(result.liquidity_replenished[p, k])
        late = liquidity.replenish_after == LiquidityReplenishment.PRINCIPAL
        replenish = (4 if late else 2, "liquidity", "liquidity_replenished", 0.0, need,
                     topped, need - topped)
        if not late:
            rows.append(replenish)
    target, reserve = float(result.reserve_target[p, k]), float(result.reserve_close[p, k])
    row(3, "reserve", "reserve_top_up", due=target, paid=reserve, shortfall=target - reserve)
    if not accelerated:
        purchases = float(pool.purchases[p, k])
        paid = purchases if revolving else float(c.principal_paid[p, :, k].sum())
        due = float(result.principal_due[p, k])
        principal = min(paid, due) if structure.turbo and not revolving else paid
        row(4, "purchases" if revolving else "principal", "notes" if not revolving
            else "receivables", due=due, paid=principal, shortfall=max(due - principal, 0.0))
        if liquidity is not None and replenish[0] == 4:
            rows.append(replenish)
        if structure.turbo and not revolving:
            row(4, "turbo", "rated_classes", paid=paid - principal)
    # The subordinated class's column, or the originator's line when there is none.
    residual = float(c.residual[p, :, k].sum()) + float(result.originator_residual[p, k])
    row(5, "residual", "residual", paid=residual)

    steps = pd.DataFrame(rows, columns=["step", "part", "item", "received", "due", "paid",
                                        "shortfall"])
    flow = steps["received"].to_numpy() - steps["paid"].to_numpy()
    after = np.cumsum(flow)
    steps["funds_before"] = after - flow
    steps["funds_after"] = after
    return WaterfallInspection(int(month), p, steps[list(STEP_COLUMNS)],
                               _triggers(result, deal, p, k), _ledgers(result, deal, p, k, lag))


def _covered(result: WaterfallResult, deal: Deal, p: int, k: int,
             funds: float) -> dict[tuple[str, str], tuple[float, float, float]]:
    """For each senior fee and class (keys ``("fee", name)``, ``("interest", name)``; the
    other classes ``0``): what the available funds ``funds`` (before step 1) left unpaid
    of it in steps 1 and 2, and what of that the liquidity reserve and then the servicer
    paid. The support pays only once the funds are spent, in the order of the fees and
    then of the senior classes (docs/waterfall.md), so walking that order with the funds,
    then with the amount drawn and the amount advanced, splits every payment."""
    s, c = deal.structure, result.classes
    accelerated = bool(result.accelerated[p, k])
    drawn, made = float(result.liquidity_drawn[p, k]), float(result.advance_made[p, k])
    out: dict[tuple[str, str], tuple[float, float, float]] = {}
    items: list[tuple[str, str, float, float]] = []  # kind, name, paid, left unpaid
    for f, fee in enumerate(s.fees):
        items.append(("fee", fee.name, float(result.fees_paid[p, f, k]),
                      float(result.fees_unpaid[p, f, k])))
    for j, note in enumerate(s.classes):
        late = note.coupon_priority == CouponPriority.AFTER_PRINCIPAL and not accelerated
        paid = 0.0 if late else float(c.interest_paid[p, j, k])
        senior = bool(result.senior_classes[j])
        items.append(("interest" if senior else "other", note.name, paid,
                      float(c.interest_shortfall[p, j, k])))
        if accelerated:
            items.append(("other", note.name, float(c.principal_paid[p, j, k]), 0.0))
    for kind, name, paid, unpaid in items:
        from_funds = min(max(funds, 0.0), paid) if drawn + made > 0 else paid
        funds -= from_funds
        cover = paid - from_funds if kind != "other" else 0.0
        by_reserve = min(drawn, cover)
        drawn -= by_reserve
        by_servicer = min(made, cover - by_reserve)
        made -= by_servicer
        out[(kind, name)] = (cover + unpaid if cover > 0 else 0.0, by_reserve, by_servicer)
    for note in s.classes:  # the classes the support does not cover: nothing
        out.setdefault(("interest", note.name), (0.0, 0.0, 0.0))
    return out


def _triggers(result: WaterfallResult, deal: Deal, p: int, k: int) -> pd.DataFrame:
    triggers = deal.structure.triggers
    horizon = result.n_periods
    level = [monthly_vector(t.threshold, horizon)[k] for t in triggers]
    value = result.trigger_value[p, :, k]
    return pd.DataFrame({
        "trigger": [t.name or t.metric.value for t in triggers],
        "metric": [t.metric.value for t in triggers],
        "value": value, "level": level, "headroom": np.asarray(level) - value,
        "breached": result.trigger_breached[p, :, k].astype(bool),
    }, columns=list(TRIGGER_COLUMNS))


def _ledgers(result: WaterfallResult, deal: Deal, p: int, k: int, lag: int) -> pd.DataFrame:
    pool, c = result.pool, result.classes
    items: list[tuple[str, str, float]] = []
    for j, note in enumerate(deal.structure.classes):
        for line in ("balance_open", "interest_due", "interest_paid", "interest_shortfall",
                     "principal_paid", "writedown", "reinstated", "residual",
                     "balance_close"):
            items.append((note.name, line, float(getattr(c, line)[p, j, k])))
        net = float((c.writedown[p, j, :k + 1] - c.reinstated[p, j, :k + 1]).sum())
        items.append((note.name, "written_down_to_date", net))
        if note.target_balance is not None:
            items.append((note.name, "target_balance", float(c.target_balance[p, j, k])))
        if note.floating is not None or note.step_up_bp > 0:  # issue 16 item 4b
            items.append((note.name, "coupon_period", float(result.coupon_period[j, k])))
            items.append((note.name, "step_up", float(result.step_up[p, k])))
    for f, fee in enumerate(deal.structure.fees):
        items.append((fee.name, "fee_unpaid", float(result.fees_unpaid[p, f, k])))
    for line in ("reserve_open", "reserve_target", "reserve_close"):
        items.append(("reserve", line, float(getattr(result, line)[p, k])))
    for line in ("held_open", "held_close"):
        items.append(("held", line, float(getattr(result, line)[p, k])))
    if deal.dates.payment_frequency_months != 1:  # deal payment frequency (issue 16 item 4b)
        items.append(("held", "payment_date", float(result.payment_date[p, k])))
    if deal.structure.liquidity_reserve is not None:
        for line in ("liquidity_open", "liquidity_target", "liquidity_released",
                     "liquidity_drawn", "liquidity_replenished", "liquidity_close"):
            items.append(("liquidity", line, float(getattr(result, line)[p, k])))
    if deal.structure.servicer_advance is not None:
        for line in ("advance_open", "advance_interest", "advance_reimbursed", "advance_made",
                     "advance_lost", "advance_close"):
            items.append(("servicer_advance", line, float(getattr(result, line)[p, k])))
    for line in ("balance_open", "default", "recovery", "loss", "purchases", "balance_close",
                 "cumulative_default_rate"):
        items.append(("pool", line, float(getattr(pool, line)[p, k])))
    awaiting = (float(pool.default[p, max(k + 1 - lag, 0):k + 1].sum())
                if deal.structure.loss_allocation.timing == LossTiming.ON_LIQUIDATION else 0.0)
    deficiency = max(float(c.balance_close[p, :, k].sum()) - float(pool.balance_close[p, k])
                     - awaiting, 0.0)
    items.append(("pool", "principal_deficiency", deficiency))
    return pd.DataFrame(items, columns=list(LEDGER_COLUMNS))


def inspection_xlsx(inspection: WaterfallInspection) -> bytes:
    """The inspection as a workbook: one sheet per table. Names from the deal are written
    as text, never as formulas."""
    book = openpyxl.Workbook(write_only=True)
    for title, table in (("Steps", inspection.steps), ("Triggers", inspection.triggers),
                         ("Ledgers", inspection.ledgers)):
        sheet = book.create_sheet(title)
        sheet.append(list(table.columns))
        for values in table.itertuples(index=False):
            cells: list[object] = []
            for value in values:
                if isinstance(value, str):
                    cell = openpyxl.cell.WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"  # a name such as "=1+1" stays text
                    cells.append(cell)
                elif isinstance(value, float) and np.isnan(value):
                    cells.append(None)
                else:
                    cells.append(value.item() if isinstance(value, np.generic) else value)
            sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class PickedPath:
    """A Monte Carlo path picked by its lifetime pool loss (:func:`monte_carlo_path`):
    ``result`` is that path rerun with all its lines (one path), ``index`` its place in
    the run (0 to ``paths - 1``), ``pool_loss`` its lifetime pool loss (currency),
    ``quantile`` the level asked for and ``paths`` how many paths the run drew."""

    result: WaterfallResult
    index: int
    pool_loss: float
    quantile: float
    paths: int


def monte_carlo_path(prepared: PreparedDeal, quantile: float, *, paths: int | None = None,
                     seed: int | None = None) -> PickedPath:
    """The path of the deal's Monte Carlo (its ``paths`` and ``seed`` unless given, its
    default method and importance sampling) whose lifetime pool loss is the
    ``quantile``-quantile of the run's: the first path, in increasing loss, at which the
    paths' cumulative weight (1 each without importance sampling) reaches ``quantile`` of
    the total (numpy's ``inverted_cdf``). It is rerun alone through the engine, which
    gives the numbers it had in the run (a path's numbers do not depend on the others).

    Raises
    ------
    FieldError
        ``quantile`` not in (0, 1]; ``paths``, ``seed`` as the Monte Carlo raises them.
    """
    if isinstance(quantile, bool) or not isinstance(quantile, int | float) \
            or not 0 < quantile <= 1:
        raise FieldError("quantile", f"must be in (0, 1] (got {quantile!r})")
    blocks = simulate_assets(prepared, paths=paths, seed=seed).blocks
    weight = np.concatenate([b.weight for b in blocks])
    defaults, rates, loan_rates = engine_inputs(prepared, blocks)
    fractions = defaults.monthly
    summary = summarise_paths(prepared, defaults, len(weight), recovery_rate=rates,
                              loan_rates=loan_rates)
    loss = summary.pool.loss.sum(axis=1)
    order = np.argsort(loss, kind="stable")
    cumulative = np.cumsum(weight[order])
    at = min(int(np.searchsorted(cumulative, quantile * cumulative[-1], side="left")),
             len(order) - 1)
    i = int(order[at])
    one = (None if loan_rates is None
           else loan_rates[i:i + 1] if loan_rates.shape[0] > 1 else loan_rates)
    result = run_paths(prepared, HazardDefaults(fractions[i:i + 1]), 1,
                       recovery_rate=rates[i:i + 1], loan_rates=one)
    return PickedPath(result, i, float(loss[i]), float(quantile), len(weight))
