"""Typed results -> pandas DataFrames and JSON data for display, CSV and Excel
(presentation only).

Nothing here computes finance: it lays out what the engine, the metrics and the analysis
(:class:`~abs_tool.analysis.deal_analysis.DealAnalysis`) produced.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from abs_tool import glossary as g
from abs_tool.analysis.break_even import BreakEven
from abs_tool.analysis.deal_analysis import ClassRating, ClassTdr, DealAnalysis, payment_dates
from abs_tool.engine.metrics import ClassMetrics
from abs_tool.engine.montecarlo import (
    ESTIMATORS,
    Concentration,
    Distribution,
    Estimate,
    MonteCarloResult,
    ObligorContribution,
)
from abs_tool.engine.waterfall import POOL_LINES, WaterfallResult, period_fractions
from abs_tool.errors import InputError
from abs_tool.model.deal import Deal, NoteClass
from abs_tool.report import format as fmt

if TYPE_CHECKING:  # these modules (and scipy.optimize, scipy.stats) load only when used
    from abs_tool.analysis.closed_form import ClosedFormCheck
    from abs_tool.analysis.structuring import StructuringResult

CONVERGENCE_POINTS = 200
"""Most points of a run's running EL in the JSON and the app (evenly spread blocks, the last
always kept)."""

BAND_SE = 2.0
"""Half-width of the band drawn around a running EL, in standard errors."""


LIQUIDITY_LINES: tuple[str, ...] = (
    "liquidity_open", "liquidity_released", "liquidity_drawn", "liquidity_replenished",
    "liquidity_close", "liquidity_target",
)
"""The liquidity reserve's lines (:class:`~abs_tool.engine.waterfall.WaterfallResult` fields):
close = open - released - drawn + replenished."""

ADVANCE_LINES: tuple[str, ...] = (
    "advance_open", "advance_interest", "advance_reimbursed", "advance_made", "advance_lost",
    "advance_close",
)
"""The servicer advance's lines: close = open + interest + made - reimbursed - lost."""


@dataclass(frozen=True)
class CashflowTables:
    """Period tables of one path: the pool, each class, fees, reserve, triggers, and the
    liquidity reserve and servicer advance of a deal that has them.

    Every table is indexed by ``period`` (1..T) with a ``date`` column. When the deal's
    dates set a business-day convention or a day count (``DealDates.dated_accrual``) the
    dates are those paid (moved to business days) and the pool table has ``accrual_days``,
    the days each period's coupons accrue; ``provisional_years`` then names the years whose
    official calendar was not known (only weekends taken as holidays: the dates may move).

    The pool table always has ``principal_due``, step 4's principal amount of the month
    (before any cap by the principal funds; in the revolving period, what may buy new
    receivables). A class table has ``reinstated`` when the deal reinstates written-down
    principal, ``target_balance`` when the class has a target balance,
    ``coupon_month_annual`` (the all-in annual rate it accrued in the month, before any step-up)
    when its coupon floats or steps up, and ``step_up`` (the step-up applied that month)
    when it steps up. ``liquidity`` (:data:`LIQUIDITY_LINES`) and ``advance``
    (:data:`ADVANCE_LINES`) are None for a deal without that support; a deal without any of
    these features has the tables it had before them, plus ``principal_due``.
    """

    pool: pd.DataFrame
    classes: dict[str, pd.DataFrame]
    fees: pd.DataFrame
    reserve: pd.DataFrame
    triggers: pd.DataFrame
    provisional_years: tuple[int, ...] = ()
    liquidity: pd.DataFrame | None = None
    advance: pd.DataFrame | None = None

    def wide(self) -> pd.DataFrame:
        """All tables side by side, columns prefixed by table (for CSV export); the
        liquidity and advance lines keep their names, which say their account."""
        parts = [self.pool.add_prefix("pool.")]
        parts += [t.drop(columns="date").add_prefix(f"{name}.")
                  for name, t in self.classes.items()]
        parts += [self.fees.drop(columns="date").add_prefix("fee."),
                  self.reserve.drop(columns="date").add_prefix("reserve."),
                  self.triggers.drop(columns="date").add_prefix("trigger.")]
        parts += [t.drop(columns="date") for t in (self.liquidity, self.advance)
                  if t is not None]
        out = pd.concat(parts, axis=1)
        return out.rename(columns={"pool.date": "date"})


def cashflow_tables(result: WaterfallResult, deal: Deal, path: int = 0) -> CashflowTables:
    """Lay out path ``path`` of ``result`` as period tables (:class:`CashflowTables`)."""
    n = result.n_periods
    index = pd.RangeIndex(1, n + 1, name="period")
    dates = payment_dates(deal.dates.first_payment, n, deal.dates.payment_frequency_months)
    dated: dict[str, object] = {}
    provisional: tuple[int, ...] = ()
    if deal.dates.dated_accrual:
        schedule = deal.dates.schedule(n)
        dates, provisional = list(schedule.paid), schedule.provisional_years
        dated = {"accrual_days": list(schedule.accrual_days)}
    pool = result.pool
    pool_table = pd.DataFrame(
        {"date": dates} | dated
        | {name: getattr(pool, name)[path] for name in POOL_LINES}
        | {"purchases": pool.purchases[path], "call_proceeds": pool.call_proceeds[path],
           "collections": pool.collections[path], "principal_due": result.principal_due[path],
           "cumulative_default_rate": pool.cumulative_default_rate[path],
           "revolving": result.revolving[path], "accelerated": result.accelerated[path]},
        index=index,
    )
    flows = result.classes
    # The coupon accrued in a period, back to a year: x 12, or / the accrual fraction.
    fractions = period_fractions(deal.dates, n)

    def class_lines(j: int, note: NoteClass) -> dict[str, object]:
        lines: dict[str, object] = {
            "date": dates,
            "balance_open": flows.balance_open[path, j],
            "interest_due": flows.interest_due[path, j],
            "interest_paid": flows.interest_paid[path, j],
            "interest_shortfall": flows.interest_shortfall[path, j],
            "principal_paid": flows.principal_paid[path, j],
            "writedown": flows.writedown[path, j],
            "residual": flows.residual[path, j],
            "balance_close": flows.balance_close[path, j],
        }
        if deal.structure.loss_allocation.reinstate:
            lines["reinstated"] = flows.reinstated[path, j]
        if note.target_balance is not None:
            lines["target_balance"] = flows.target_balance[path, j]
        if note.floating is not None or note.step_up_bp > 0:
            per_period = result.coupon_period[j]
            lines["coupon_month_annual"] = (per_period * 12.0 if fractions is None
                                      else per_period / fractions)
        if note.step_up_bp > 0:
            lines["step_up"] = result.step_up[path]
        return lines

    classes = {note.name: pd.DataFrame(class_lines(j, note), index=index)
               for j, note in enumerate(deal.structure.classes)}
    fees = pd.DataFrame({"date": dates} | {
        f"{fee.name} paid": result.fees_paid[path, i] for i, fee in enumerate(deal.structure.fees)
    } | {
        f"{fee.name} unpaid": result.fees_unpaid[path, i]
        for i, fee in enumerate(deal.structure.fees)
    }, index=index)
    reserve = pd.DataFrame({"date": dates, "balance_open": result.reserve_open[path],
                            "target": result.reserve_target[path],
                            "balance_close": result.reserve_close[path],
                            "held_open": result.held_open[path],
                            "held_close": result.held_close[path]}, index=index)
    triggers = pd.DataFrame({"date": dates}, index=index)
    for i, trig in enumerate(deal.structure.triggers):
        label = trig.name or f"{trig.metric.value} -> {trig.action.value}"
        triggers[f"{label} value"] = result.trigger_value[path, i]
        triggers[f"{label} threshold"] = [trig.threshold[min(k, len(trig.threshold) - 1)]
                                          for k in range(n)]
        triggers[f"{label} breached"] = result.trigger_breached[path, i]

    def account(lines: tuple[str, ...], present: object) -> pd.DataFrame | None:
        if present is None:
            return None
        return pd.DataFrame({"date": dates} | {name: getattr(result, name)[path]
                                               for name in lines}, index=index)

    structure = deal.structure
    return CashflowTables(pool_table, classes, fees, reserve, triggers, provisional,
                          liquidity=account(LIQUIDITY_LINES, structure.liquidity_reserve),
                          advance=account(ADVANCE_LINES, structure.servicer_advance))


def class_table(
    deal: Deal,
    metrics: ClassMetrics,
    path: int = 0,
    break_evens: tuple[BreakEven, ...] | None = None,
) -> pd.DataFrame:
    """One row per class for one path: balances, cash received, losses, WAL, yield, BDR."""
    table = pd.DataFrame({
        "class": [c.name for c in deal.structure.classes],
        "tier": [c.tier.value for c in deal.structure.classes],
        "original_balance": metrics.original_balance,
        "coupon": metrics.coupon_annual,
        "interest_received": metrics.interest_received[path],
        "principal_received": metrics.principal_received[path],
        "residual_received": metrics.residual_received[path],
        "principal_loss": metrics.principal_loss[path],
        "loss_pv": metrics.loss_pv[path],
        "wal_years": metrics.wal_years[path],
        "yield": metrics.yield_annual[path],
        "modified_duration_years": metrics.modified_duration_years[path],
        "dirr_bp": metrics.dirr_bp[path],
    })
    if break_evens is not None:
        table["bdr"] = [b.default_rate for b in break_evens]
        table["bdr_reached"] = [b.loses for b in break_evens]
    return table


def _estimate_dict(name: str, estimate: Estimate) -> dict[str, float | None]:
    return {name: _number(estimate.value), f"{name}_se": _number(estimate.se)}


def _number(value: float) -> float | None:
    """JSON has no NaN: a figure that does not exist is null."""
    value = float(value)
    return None if value != value else value


def _distribution_dict(dist: Distribution) -> dict[str, object]:
    mean = dist.mean
    return {
        "mean": _number(mean.value), "mean_se": _number(mean.se),
        "sd": _number(dist.sd),
        "quantiles": {f"{q:.4%}": _number(v) for q, v in dist.quantiles.items()},
        "histogram": {"edges": [float(e) for e in dist.edges],
                      "probability": [float(p) for p in dist.density]},
    }


def _thinned(n: int) -> NDArray[np.int64]:
    """At most :data:`CONVERGENCE_POINTS` indices of 0..n-1, evenly spread, first and last
    kept."""
    return np.unique(np.linspace(0, n - 1, min(n, CONVERGENCE_POINTS)).round().astype(np.int64))


def convergence_dict(result: MonteCarloResult) -> dict[str, object]:
    """The running EL of each class against paths (:class:`~abs_tool.engine.montecarlo.
    Convergence`), thinned to :data:`CONVERGENCE_POINTS` blocks."""
    conv = result.convergence
    keep = _thinned(len(conv.paths))
    return {"paths": [int(p) for p in conv.paths[keep]],
            "classes": [{"name": c.name, "el": [float(v) for v in conv.el[keep, j]],
                         "el_se": [float(v) for v in conv.el_se[keep, j]]}
                        for j, c in enumerate(result.classes)]}


def convergence_frame(result: MonteCarloResult) -> pd.DataFrame:
    """:func:`convergence_dict` as a tidy table: columns ``class``, ``paths``, ``el``,
    ``el_se``, and ``low`` / ``high``, the running EL -+ :data:`BAND_SE` standard errors."""
    conv = result.convergence
    keep = _thinned(len(conv.paths))
    frame = pd.concat([pd.DataFrame({"class": c.name, "paths": conv.paths[keep],
                                     "el": conv.el[keep, j], "el_se": conv.el_se[keep, j]})
                       for j, c in enumerate(result.classes)], ignore_index=True)
    frame["low"] = frame["el"] - BAND_SE * frame["el_se"]
    frame["high"] = frame["el"] + BAND_SE * frame["el_se"]
    return frame


def closed_form_dict(check: ClosedFormCheck, histograms: bool = True) -> dict[str, object]:
    """The Vasicek cross-check of a run's pool loss distribution as plain JSON data (schema in
    docs/results.md); with ``histograms`` the curve's probability on the bins of the run's
    ``pool.loss_rate`` histogram."""
    out: dict[str, object] = {"method": check.method, "applicable": check.applicable}
    if not check.applicable:
        out |= {"reason": check.reason, "message": check.message}
    eq = check.equivalent
    if eq is not None:
        out["equivalent"] = {"pd": eq.pd, "rho": eq.rho, "lgd": eq.lgd,
                             "effective_loans": eq.effective_loans,
                             "derivation": dict(check.derivation)}
    out["granularity_gap"] = _number(check.granularity_gap)
    out["shape_gap"] = _number(check.shape_gap)
    if check.applicable:
        figures = {("mean" if c.figure == "mean" else f"{c.level:.4%}"): {
            "simulated": _number(c.simulated), "simulated_se": _number(c.simulated_se),
            "lhp": _number(c.lhp), "large_pool": _number(c.large_pool)}
            for c in check.comparisons}
        out["comparison"] = {"mean": figures.pop("mean"), "quantiles": figures}
        if histograms and check.probability is not None:
            out["histogram"] = {"probability": [float(p) for p in check.probability]}
    return out


def monte_carlo_dict(
    result: MonteCarloResult,
    *,
    break_evens: Sequence[BreakEven] | None = None,
    ratings: Sequence[ClassRating] | None = None,
    target_default_rates: Sequence[ClassTdr] | None = None,
    closed_form: ClosedFormCheck | None = None,
    histograms: bool = True,
) -> dict[str, object]:
    """The results of a Monte Carlo run as plain JSON data (schema in docs/results.md, less
    what :func:`analysis_dict` adds); ``break_evens``, ``ratings`` and
    ``target_default_rates`` follow its classes; ``closed_form`` (the run's
    :attr:`DealAnalysis.closed_form`) adds the key ``closed_form``."""
    def dist(d: Distribution) -> dict[str, object]:
        out = _distribution_dict(d)
        if not histograms:
            out.pop("histogram")
        return out

    classes = []
    for j, c in enumerate(result.classes):
        row: dict[str, object] = {"name": c.name, "tier": c.tier, "balance": c.balance,
                                  "coupon": c.coupon}
        row |= _estimate_dict("expected_loss", c.expected_loss)
        row |= _estimate_dict("principal_loss", c.principal_loss)
        row |= _estimate_dict("pd", c.pd)
        row |= _estimate_dict("lgd", c.lgd)
        row |= _estimate_dict("wal_years", c.wal_years)
        row |= {"irr_mean": _number(c.yield_annual.value),
                "irr_mean_se": _number(c.yield_annual.se)}
        row |= _estimate_dict("dirr_bp", c.dirr_bp)
        if break_evens is not None:
            row["bdr"] = break_evens[j].default_rate
            row["bdr_reached"] = break_evens[j].loses
        if ratings is not None:
            row["implied_ratings"] = ratings[j].local()
        row["wal_distribution"] = dist(c.wal_distribution)
        row["irr_distribution"] = dist(c.yield_distribution)
        if target_default_rates is not None:
            row["tdr_by_rating"] = target_default_rates[j].by_rating()
            row["tdr_pass"] = target_default_rates[j].passes()
        classes.append(row)
    return {
        "paths": result.paths,
        "seed": result.seed,
        "block_paths": result.block_paths,
        "importance_shift": result.importance_shift,
        "sampling": {"method": result.sampling, "estimators": dict(ESTIMATORS)},
        "default_method": result.default_method,
        "runtime_seconds": result.runtime_seconds,
        "pool": {"default_rate": dist(result.pool_default_rate),
                 "loss_rate": dist(result.pool_loss_rate)},
        "classes": classes,
        "convergence": convergence_dict(result),
    } | ({} if closed_form is None else {"closed_form": closed_form_dict(closed_form,
                                                                          histograms)}
         ) | ({} if result.concentration is None
              else {"concentration": concentration_dict(result.concentration)})


def concentration_dict(concentration: Concentration) -> dict[str, object]:
    """The largest obligors' shares of the expected loss as plain JSON data (docs/results.md);
    they carry obligor ids: not for an investor document."""
    def figures(row: ObligorContribution | Concentration) -> dict[str, object]:
        out: dict[str, object] = {"balance_share": row.balance_share}
        return (out | _estimate_dict("pd", row.pd)
                | _estimate_dict("expected_loss", row.expected_loss)
                | _estimate_dict("el_share", row.el_share))

    return {"obligors": [{"rank": o.rank, "obligor_id": o.obligor_id} | figures(o)
                         for o in concentration.obligors],
            "together": figures(concentration)}


def analysis_dict(analysis: DealAnalysis) -> dict[str, object]:
    """An analysis with its Monte Carlo result as plain JSON data: what ``abs-tool run``
    writes (schema in docs/results.md).

    Raises
    ------
    InputError
        The analysis has no Monte Carlo result.
    FieldError
        Its cost of funds is undefined (:attr:`DealAnalysis.cost`).
    """
    mc = analysis.monte_carlo
    if mc is None:
        raise InputError("the results JSON needs an analysis with a Monte Carlo result: "
                         "analyse(prepared, monte_carlo=...)")
    data = monte_carlo_dict(mc, break_evens=analysis.break_evens, ratings=analysis.ratings,
                            target_default_rates=analysis.target_default_rates,
                            closed_form=analysis.closed_form)
    data["deal"] = analysis.deal.name
    data["cost_of_funds"] = asdict(analysis.cost)
    return data


def monte_carlo_table(
    result: MonteCarloResult,
    break_evens: Sequence[BreakEven] | None = None,
    ratings: Sequence[ClassRating] | None = None,
) -> pd.DataFrame:
    """One row per class: EL, PD, LGD, WAL, IRR, DIRR with their standard errors, BDR, and
    the local-scale rating by each criterion (columns ``rating (el)`` ...)."""
    rows = []
    for j, c in enumerate(result.classes):
        row = {"class": c.name, "tier": c.tier, "balance": c.balance, "coupon": c.coupon,
               "EL": c.expected_loss.value, "EL se": c.expected_loss.se,
               "PD": c.pd.value, "PD se": c.pd.se, "LGD": c.lgd.value,
               "WAL (y)": c.wal_years.value, "IRR": c.yield_annual.value,
               "IRR se": c.yield_annual.se, "DIRR (bp)": c.dirr_bp.value}
        if break_evens is not None:
            row["BDR"] = break_evens[j].default_rate
        if ratings is not None:
            row |= {f"rating ({r.criterion})": r.local for r in ratings[j].criteria()}
        rows.append(row)
    return pd.DataFrame(rows)


def loss_buckets(dist: Distribution, buckets: int) -> pd.DataFrame:
    """``dist`` in ``buckets`` equal, round-width buckets from 0 up to its 99.99% quantile;
    the last bucket also holds everything above.

    Returns columns ``from``, ``to`` (rates), ``probability``, ``cumulative`` (probability of
    a rate below ``to``; 1 in the last row).
    """
    top = max(dist.quantile(0.9999), 1e-4)
    raw = top / buckets
    steps = np.array([1.0, 2.0, 2.5, 5.0, 10.0]) * 10.0 ** math.floor(math.log10(raw))
    step = float(steps[np.argmax(steps >= raw)])
    edges = step * np.arange(buckets + 1)
    cdf = np.concatenate([[0.0], np.cumsum(dist.density)])
    cumulative = np.interp(edges, dist.edges, cdf / cdf[-1] if cdf[-1] > 0 else cdf)
    cumulative[-1] = 1.0
    return pd.DataFrame({"from": edges[:-1], "to": edges[1:],
                         "probability": np.diff(cumulative), "cumulative": cumulative[1:]})


def sizing_table(result: StructuringResult) -> pd.DataFrame:
    """One row per class of a sized structure: size, coupon, the criterion's figure against
    its threshold, margin and what bound the size. ``attrs["formats"]`` names each number
    column's format for the term sheet."""
    frame = pd.DataFrame([{
        "class": c.name, "tier": c.tier, "target": c.target, "size_share": c.size_share,
        "amount": c.amount, "coupon": c.coupon, "wal_years": c.wal_years,
        "criterion": c.criterion, "metric": c.metric, "metric_se": c.metric_se,
        "threshold": c.threshold, "margin": c.margin, "margin_se": c.margin_se,
        "meets": c.meets,
        "binding": c.binding,
    } for c in result.classes])
    frame.attrs["formats"] = {"size_share": "pct", "amount": "money", "coupon": "pct",
                              "wal_years": "number"}
    return frame


# The structuring tables' titles and column headers, and the words in their cells, in English
# and Chinese; the key is the code name a table is built with.
_STRUCTURING_HEADERS: dict[str, tuple[str, str]] = {
    "Sizing": ("Sizing", "分层规模"), "Cost of funds": g.METRICS["cost_of_funds"],
    "Economics": ("Economics", "经济性"),
    "All-in cost by deal size": ("All-in cost by deal size", "不同发行规模的综合融资成本"),
    "Sizing and pricing rounds": ("Sizing and pricing rounds", "规模与定价迭代过程"),
    "Sensitivity": ("Sensitivity", "敏感性分析"),
    "The deal as given and sized": ("The deal as given and sized", "原结构与分层结果对比"),
    "class": g.DEAL["class"], "tier": g.DEAL["tier"], "target": g.DEAL["target_rating"],
    "size_share": ("Size (share of the pool)", "占比"),
    "amount": g.DEAL["class_amount"], "coupon": g.DEAL["coupon"],
    "wal_years": g.METRICS["wal_years"],
    "criterion": ("Criterion", "评级标准"), "metric": ("Metric", "指标"),
    "metric_se": ("Metric: standard error", "指标标准误"), "threshold": g.METRICS["threshold"],
    "margin": g.METRICS["margin"], "margin_se": ("Margin (standard errors)", "余量(标准误倍数)"),
    "meets": ("Meets its target", "达标"), "binding": ("Size bound by", "规模约束"),
    "item": ("Item", "项目"), "rate": g.FIELDS["rate"], "value": g.DEAL["value"],
    "unit": g.DEAL["unit"], "round": ("Round", "轮次"), "paths": g.METRICS["paths"],
    "share": g.DEAL["share"], "pool_balance": g.DEAL["pool_balance"],
    "placed_notes": ("Placed notes", "对外发行证券"), "upfront_fees": g.DEAL["upfront_fees"],
    "all_in": g.METRICS["all_in"], "saving_bp": g.METRICS["saving_bp"],
    "as given": ("As given", "原结构"), "sized": ("Sized", "分层结果"),
    "difference": ("Sized - as given", "分层结果 - 原结构"), "el": g.METRICS["el"],
    "el_se": ("EL: standard error", "预期损失标准误"), "pd": g.METRICS["pd"],
    "el_rating": ("EL rating", "预期损失评级"),
    "default_multiplier": g.METRICS["default_multiplier"],
    "correlation": g.METRICS["correlation"], "sector_correlation": g.METRICS["sector_correlation"],
    "recovery_rate": g.METRICS["recovery_rate"], "cpr_annual": g.METRICS["cpr_annual"],
    "cdr_annual": g.METRICS["cdr_annual"], "lag_months": g.METRICS["recovery_lag"],
}
_STRUCTURING_VALUES: dict[str, tuple[str, str]] = {
    "senior": g.TIERS["senior"], "mezzanine": g.TIERS["mezzanine"],
    "subordinated": g.TIERS["subordinated"], "deal": ("the deal", "交易"),
    "target": ("its target", "目标评级"), "available": ("room left", "剩余空间"),
    "cannot_meet": ("cannot meet its target", "无法达标"), "rest": ("the rest", "剩余部分"),
    "verification": ("fresh-seed check", "独立种子复核"), "fixed": ("fixed size", "固定规模"),
    "no_room": ("no room for the minimum", "空间不足"),
    "el": g.METRICS["el"], "pd": g.METRICS["pd"], "dirr": g.METRICS["dirr_bp"],
    "tdr": ("P(default rate > BDR)", "违约率超过临界违约率的概率"),
    "size_share": ("size (share of the pool)", "占比"), "coupon": g.DEAL["coupon"],
    "expected_loss": ("expected loss", "预期损失"), "wal_years": g.METRICS["wal_years"],
    "irr": g.METRICS["irr"], "wa_coupon": ("WA coupon", "加权平均票面利率"),
    "all_in": g.METRICS["all_in"], "saving_bp": g.METRICS["saving_bp"],
    "upfront_fees": g.DEAL["upfront_fees"],
    "excess_spread_annual": g.METRICS["excess_spread_annual"],
    "pool_expected_loss": ("pool expected loss", "资产池预期损失"),
    "WA coupon (placed classes)": ("WA coupon (placed classes)",
                                   "加权平均票面利率(对外发行档次)"),
    "all-in cost of funds": ("all-in cost of funds", "综合融资成本"),
    "benchmark funding rate": g.METRICS["benchmark"],
    "excess spread (a year, on the pool)": ("excess spread (a year, on the pool)",
                                            "超额利差(年化,占资产池)"),
    "retained class: expected IRR": ("Retained class: expected IRR",
                                     "自持次级档次:预期内部收益率"),
    "saving vs benchmark (bp)": g.METRICS["saving_bp"],
    "upfront fees": g.DEAL["upfront_fees"],
    "break-even pool balance": ("break-even pool balance", "盈亏平衡资产池规模"),
    "bp": g.UNITS["bp"], "yes": ("yes", "是"), "no": ("no", "否"),
}
# How a figure named in a table's ``metric`` column (the comparison) is formatted.
_FIGURE_FORMATS: dict[str, str] = {
    "size_share": "pct", "coupon": "pct", "expected_loss": "pct_fine", "pd": "pct_fine",
    "wal_years": "number", "irr": "yield", "wa_coupon": "pct", "all_in": "pct",
    "saving_bp": "bp", "upfront_fees": "money", "excess_spread_annual": "pct",
    "pool_expected_loss": "pct_fine",
}
# The unit of a criterion's metric, threshold and margin.
_CRITERION_FORMATS = {"el": "pct_fine", "pd": "pct_fine", "tdr": "pct_fine", "dirr": "bp"}


def structuring_label(word: str, lang: str) -> str:
    """A header or cell word of the structuring tables (a code name such as ``size_share``,
    ``senior`` or ``cannot_meet``) in ``lang``; another word (a class name) as it is."""
    k = 1 if lang == "zh" else 0
    for table in (_STRUCTURING_VALUES, _STRUCTURING_HEADERS):
        if word in table:
            return table[word][k]
    return word


def figure_format(metric: str) -> str:
    """The format kind of a figure named in a comparison's ``metric`` column."""
    return _FIGURE_FORMATS[metric]


def structuring_tables(
    result: StructuringResult, sensitivity: pd.DataFrame | None = None, lang: str = "en",
    money_unit: str = "wan",
) -> dict[str, pd.DataFrame]:
    """Titled tables of a structuring run (the Excel Structuring sheet and the app), their
    headers and words in English or Chinese (``lang="zh"``) and every number column with a
    format in ``attrs["formats"]`` (a format a column, or one a row). Amounts stay in yuan;
    the unit column of an amount names ``money_unit`` in Chinese (万元 or 亿元: the
    workbook's amount cells show that unit, :func:`abs_tool.report.format.excel_money_format`).
    """
    econ = result.economics
    cost = econ.cost
    nan = float("nan")
    rates = pd.DataFrame([
        ("WA coupon (placed classes)", cost.wa_coupon),
        ("all-in cost of funds", cost.all_in),
        ("benchmark funding rate", cost.benchmark),
        ("excess spread (a year, on the pool)", cost.excess_spread_annual),
        ("retained class: expected IRR",
         econ.retained_return.value if econ.retained_return else nan),
    ], columns=["item", "rate"])
    rates.attrs["formats"] = {"rate": ["pct", "pct", "pct", "pct", "yield"]}
    amounts = pd.DataFrame([
        ("saving vs benchmark (bp)", cost.saving_bp, "bp"),
        ("upfront fees", cost.upfront_fees, "currency"),
        ("break-even pool balance",
         nan if econ.break_even_balance is None else econ.break_even_balance, "currency"),
    ], columns=["item", "value", "unit"])
    amounts.attrs["formats"] = {"value": ["bp", "money", "money"]}
    curve = econ.size_curve.copy()
    curve.attrs["formats"] = {"pool_balance": "money", "placed_notes": "money",
                              "upfront_fees": "money", "all_in": "pct", "saving_bp": "bp"}
    rounds = pd.DataFrame([
        {"round": i + 1, "paths": r.paths,
         **{f"share {c.name}": s for c, s in zip(result.classes, r.shares, strict=True)},
         **{f"coupon {c.name}": k for c, k in zip(result.classes, r.coupons, strict=True)}}
        for i, r in enumerate(result.rounds)])
    rounds.attrs["formats"] = {name: "int" if name in ("round", "paths") else "pct"
                               for name in rounds.columns}
    sizing = sizing_table(result)
    sizing["meets"] = sizing["meets"].map({True: "yes", False: "no"})
    unit = _CRITERION_FORMATS[result.criterion]
    sizing.attrs["formats"] |= {"metric": unit, "metric_se": unit, "threshold": unit,
                                "margin": unit, "margin_se": "number"}
    comparison = result.comparison.copy()
    # A difference of yields is a difference, not a yield: no floor at -100%.
    comparison.attrs["formats"] = {
        name: [("pct" if name == "difference" and _FIGURE_FORMATS[m] == "yield"
                else _FIGURE_FORMATS[m]) for m in comparison["metric"]]
        for name in ("as given", "sized", "difference")}
    tables = {
        "Sizing": sizing,
        "Cost of funds": rates,
        "Economics": amounts,
        "All-in cost by deal size": curve,
        "Sizing and pricing rounds": rounds,
        "The deal as given and sized": comparison,
    }
    if sensitivity is not None:
        grid = sensitivity.copy()
        grid.attrs["formats"] = {
            name: {"size_share": "pct", "el": "pct_fine", "el_se": "pct_fine",
                   "pd": "pct_fine", "all_in": "pct", "saving_bp": "bp"}.get(name, "number")
            for name in grid.columns if name not in ("class", "tier", "el_rating")}
        tables["Sensitivity"] = grid
    k = 1 if lang == "zh" else 0
    currency = fmt.money_unit_label(lang, money_unit)

    def header(column: str) -> str:
        head, _, tail = column.partition(" ")  # "share <class>", "coupon <class>"
        if tail and head in _STRUCTURING_HEADERS and column not in _STRUCTURING_HEADERS:
            return f"{_STRUCTURING_HEADERS[head][k]} {tail}"
        return _STRUCTURING_HEADERS[column][k] if column in _STRUCTURING_HEADERS else column

    def translated(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.rename(columns=header)
        for column in ("item", "unit", "binding", "tier", "metric", "criterion", "meets"):
            if column in frame:
                out[header(column)] = frame[column].map(
                    lambda v: currency if v == "currency" else
                    _STRUCTURING_VALUES[v][k] if v in _STRUCTURING_VALUES else v)
        out.attrs["formats"] = {header(name): f
                                for name, f in frame.attrs.get("formats", {}).items()}
        return out

    return {_STRUCTURING_HEADERS[title][k]: translated(frame) for title, frame in tables.items()}


def structuring_dict(result: StructuringResult, analysis: DealAnalysis) -> dict[str, object]:
    """A structuring run as plain JSON data (schema in docs/structuring.md); ``analysis`` is
    the sized deal's (``analyse(prepare_deal(result.deal, pool), structuring=result)``), whose
    ratings it shows."""
    from abs_tool.io.dealfile import deal_to_dict

    econ = result.economics
    return {
        "deal": result.deal.name,
        "criterion": result.criterion,
        "confidence_se": result.confidence_se,
        "verification_seed": result.verification_seed,
        "converged": result.converged,
        "message": result.message,
        "evaluations": result.evaluations,
        "coarse_evaluations": result.coarse_evaluations,
        "size_step_share": result.size_step_share,
        "min_class_share": result.min_class_share,
        "fixed": list(result.fixed),
        "runtime_seconds": result.runtime_seconds,
        "simulation_seconds": result.simulation_seconds,
        "classes": [{k: (_number(v) if isinstance(v, float) else v) for k, v in row.items()}
                    for row in sizing_table(result).to_dict(orient="records")],
        "rounds": [{"shares": list(r.shares), "coupons": list(r.coupons), "paths": r.paths}
                   for r in result.rounds],
        "comparison": [{k: (_number(v) if isinstance(v, float) else v) for k, v in row.items()}
                       for row in result.comparison.to_dict(orient="records")],
        "economics": {
            "cost_of_funds": {k: _number(v) for k, v in asdict(econ.cost).items()},
            "retained_class": econ.retained,
            "retained_irr_mean": None if econ.retained_return is None else _number(
                econ.retained_return.value),
            "retained_irr_mean_se": None if econ.retained_return is None else _number(
                econ.retained_return.se),
            "retained_irr_quantiles": {f"{q:.4%}": _number(v)
                                       for q, v in econ.retained_irr_quantiles.items()},
            "size_curve": [{k: _number(v) for k, v in row.items()}
                           for row in econ.size_curve.to_dict(orient="records")],
            "break_even_pool_balance": None if econ.break_even_balance is None else _number(
                econ.break_even_balance),
        },
        "rating_tables": result.tables.names,
        "monte_carlo": monte_carlo_dict(result.monte_carlo, break_evens=result.break_even,
                                        ratings=analysis.ratings,
                                        closed_form=analysis.closed_form, histograms=False),
        "structured_deal": deal_to_dict(result.deal),
    }
