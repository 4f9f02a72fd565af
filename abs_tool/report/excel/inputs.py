"""What the term sheet shows, computed once: :class:`TermSheetInputs`.

:func:`build_term_sheet_inputs` runs the deterministic parts (base and stress scenarios,
break-even default rates, cost of funds, pool summary and stratifications, indicative ratings
when a Monte Carlo result is given) and derives the figures the workbook adds to them
(credit enhancement, expected final dates, key risks). The writer only lays these out.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from abs_tool import __version__
from abs_tool.analysis.break_even import BreakEven, break_even
from abs_tool.analysis.economics import CostOfFunds, cost_of_funds
from abs_tool.analysis.pool_stats import PoolSummary, pool_summary, stratify
from abs_tool.engine.deterministic import PreparedDeal, Scenario, ScenarioResult, run_scenario
from abs_tool.engine.metrics import DEFAULT_THRESHOLD
from abs_tool.engine.montecarlo import MonteCarloResult
from abs_tool.errors import InputError
from abs_tool.io.dealfile import deal_json
from abs_tool.io.rating_tables import RatingTable, RatingTables
from abs_tool.model.assumptions import AnnualPd
from abs_tool.model.deal import Deal, Tier
from abs_tool.model.pool import Pool
from abs_tool.model.scales import LOCAL_SCALE, to_local_scale
from abs_tool.report.tables import (
    attachment_points,
    implied_ratings,
    payment_dates,
    target_default_rates,
)

STRAT_COLUMNS: tuple[str, ...] = (
    "grade", "amortization", "region", "industry", "remaining_term", "seasoning", "balance",
    "rate",
)
"""Loan-tape columns the Pool sheet stratifies by, when the tape has values in them."""

# Key-risk thresholds. A pool with fewer than 100 effective obligors (1/HHI) is not granular:
# one default moves its loss rate by about 1% of the pool or more, the order of a thin class.
MIN_EFFECTIVE_OBLIGORS = 100.0
# One obligor above 2% of the pool defaulting at full loss wipes out a typical annual pool
# loss budget on its own.
MAX_TOP1_OBLIGOR_SHARE = 0.02
# Excess spread is the first loss buffer: below twice the base-case annual loss rate a
# moderate stress already eats into the notes; below 1% a year it is thin whatever the losses.
EXCESS_SPREAD_COVER = 2.0
MIN_EXCESS_SPREAD = 0.01

TOP_OBLIGORS = 10
"""Largest obligors listed on the Pool sheet."""


RATING_CRITERIA: tuple[str, ...] = ("el", "pd", "dirr", "tdr")
"""Keys of :func:`abs_tool.report.tables.implied_ratings`, in the order the term sheet shows
them."""


@dataclass(frozen=True)
class KeyRisk:
    """A risk the numbers show: the label key of its sentence and the figures it quotes."""

    key: str
    values: Mapping[str, object]


@dataclass(frozen=True)
class TermSheetInputs:
    """Everything the term-sheet workbook shows, already computed.

    Per-class tuples follow the deal's classes, senior first. Rates and shares are
    decimals, money in the deal's currency.

    Attributes
    ----------
    deal, pool
        The deal and the pool it is modelled on.
    summary, strats
        Pool summary; stratification tables by tape column (English bucket labels).
    top_obligors
        The :data:`TOP_OBLIGORS` largest obligors: columns ``obligor`` (``obligor_id``, or
        the ``loan_id`` of a loan without one, as :func:`abs_tool.analysis.pool_stats.pool_summary`
        counts them), ``loans``, ``balance``, ``share`` of the pool.
    monte_carlo
        The simulation, or None (the Monte Carlo sheet then says so; EL, PD and ratings are
        left out).
    break_even
        BDR of each class (:func:`abs_tool.analysis.break_even.break_even`).
    cost
        Cost of funds in the base scenario.
    base, stress, stress_label
        The base scenario (the deal's assumptions) and the stress scenario: the deal's
        default assumption times ``stress_multiplier``, the break-even multiplier of
        ``stress_class``, the most junior placed class (the most junior class when none is
        placed), so the stress case shows the path on which that class starts to lose.
        ``stress_label`` describes it in English (the workbook writes its own, localised).
    structuring
        Titled tables for the Structuring sheet, written one below another; the sheet is
        left out when None. A frame may name number formats of its columns in
        ``frame.attrs["formats"]`` (``{"column": "money" | "pct" | "bp" | "number" |
        "int" | "date"}``).
    sources
        Input name -> SHA-256 hex of its file (deal file, tape), for the Audit sheet.
    class_balances, credit_enhancement, expected_final
        Per class: original balance; share of the pool below the class plus the reserve
        funded at closing (excess spread not counted); payment date of the base-case
        period in which its balance is paid off (the deal's last period if never).
    ratings, target_default_rates
        :func:`abs_tool.report.tables.implied_ratings` and :func:`abs_tool.report.tables.
        target_default_rates` (local scale), None without a Monte Carlo.
    rating_tables
        The indicative tables those ratings use, with their source labels.
    pd_by_grade
        Columns ``grade``, ``annual_pd``, ``source`` (``deal`` or ``tape``): the PD each grade
        is modelled with under an annual-PD assumption (tape PDs balance-weighted by grade);
        empty for other default assumptions or a tape without grades.
    base_loss_annual
        Base-case pool losses a year over the pool balance (the denominator of
        ``cost.excess_spread_annual``).
    risks
        Key risks, in the order the term sheet lists them.
    deal_sha256, pool_sha256
        SHA-256 of the deal as canonical JSON and of pandas' row hashes of the pool's loans
        (a fingerprint of the pool as modelled).
    created, tool_version
        When the inputs were computed (UTC) and by which abs-tool version.
    """

    deal: Deal
    pool: Pool
    summary: PoolSummary
    strats: Mapping[str, pd.DataFrame]
    top_obligors: pd.DataFrame
    monte_carlo: MonteCarloResult | None
    break_even: tuple[BreakEven, ...]
    cost: CostOfFunds
    base: ScenarioResult
    stress: ScenarioResult
    stress_label: str
    stress_class: str
    stress_multiplier: float
    structuring: Mapping[str, pd.DataFrame] | None
    sources: Mapping[str, str]
    class_balances: tuple[float, ...]
    credit_enhancement: tuple[float, ...]
    expected_final: tuple[date, ...]
    ratings: Mapping[str, Mapping[str, str]] | None
    target_default_rates: Mapping[str, Mapping[str, float]] | None
    rating_tables: tuple[RatingTable, ...]
    pd_by_grade: pd.DataFrame
    base_loss_annual: float
    risks: tuple[KeyRisk, ...]
    deal_sha256: str
    pool_sha256: str
    created: datetime
    tool_version: str


def build_term_sheet_inputs(
    prepared: PreparedDeal,
    *,
    monte_carlo: MonteCarloResult | None = None,
    structuring: Mapping[str, pd.DataFrame] | None = None,
    sources: Mapping[str, str] | None = None,
    break_evens: tuple[BreakEven, ...] | None = None,
    tables: RatingTables | None = None,
) -> TermSheetInputs:
    """Compute everything the term sheet shows for ``prepared``.

    Parameters
    ----------
    prepared
        The deal on its pool.
    monte_carlo
        A simulation of the same prepared deal, or None.
    structuring
        Titled tables for the Structuring sheet (see :class:`TermSheetInputs`).
    sources
        Input name -> SHA-256 hex (:func:`file_sha256`).
    break_evens
        :func:`abs_tool.analysis.break_even.break_even` of ``prepared`` when the caller has it
        already
        (it is the slowest deterministic part); computed when None.
    tables
        The rating tables the run rates with (default: the shipped indicative ones).
    """
    tables = tables or RatingTables()
    deal, pool = prepared.deal, prepared.pool
    classes = deal.structure.classes
    bdrs = break_evens if break_evens is not None else break_even(prepared)
    base = run_scenario(prepared)
    cost = cost_of_funds(prepared, base)
    placed = [j for j, c in enumerate(classes) if c.tier != Tier.SUBORDINATED]
    j_stress = placed[-1] if placed else len(classes) - 1
    multiplier = float(bdrs[j_stress].multiplier)
    stress = run_scenario(prepared, Scenario(default_multiplier=multiplier))
    summary = pool_summary(pool)
    ratings = tdrs = None
    if monte_carlo is not None:
        ratings = implied_ratings(monte_carlo, bdrs, tables)
        tdrs = target_default_rates(monte_carlo, tables)
    balances = np.asarray(prepared.class_balances, dtype=np.float64)
    pool_flows = base.result.pool
    pool_years = pool_flows.balance_open[0].sum() / 12.0
    base_loss = float(pool_flows.loss[0].sum() / pool_years) if pool_years > 0 else 0.0
    strats = {column: stratify(pool, column) for column in STRAT_COLUMNS
              if pool.loans[column].notna().any()}
    return TermSheetInputs(
        deal=deal,
        pool=pool,
        summary=summary,
        strats=strats,
        top_obligors=top_obligors(pool),
        monte_carlo=monte_carlo,
        break_even=tuple(bdrs),
        cost=cost,
        base=base,
        stress=stress,
        stress_label=(f"default assumption x {multiplier:,.2f}: the break-even of "
                      f"{classes[j_stress].name} (lifetime pool default rate "
                      f"{bdrs[j_stress].default_rate:.2%})"),
        stress_class=classes[j_stress].name,
        stress_multiplier=multiplier,
        structuring=structuring,
        sources=dict(sources or {}),
        class_balances=tuple(float(b) for b in balances),
        credit_enhancement=credit_enhancement(balances, deal.structure.reserve.initial_share),
        expected_final=expected_final_dates(base, deal),
        ratings=ratings,
        target_default_rates=tdrs,
        rating_tables=tables.resolved(),
        pd_by_grade=_pd_by_grade(deal, strats.get("grade")),
        base_loss_annual=base_loss,
        risks=key_risks(deal, summary, base, cost, base_loss, ratings),
        deal_sha256=hashlib.sha256(deal_json(deal).encode("utf-8")).hexdigest(),
        pool_sha256=hashlib.sha256(
            pd.util.hash_pandas_object(pool.loans, index=False).to_numpy().tobytes()
        ).hexdigest(),
        created=datetime.now(UTC).replace(microsecond=0),
        tool_version=__version__,
    )


def top_obligors(pool: Pool, n: int = TOP_OBLIGORS) -> pd.DataFrame:
    """The ``n`` largest obligors by balance (see :attr:`TermSheetInputs.top_obligors`)."""
    loans = pool.loans
    by_obligor = (loans.assign(obligor=loans["obligor_id"].fillna(loans["loan_id"]))
                  .groupby("obligor", sort=False)["balance"].agg(["size", "sum"])
                  .nlargest(n, "sum", keep="first"))
    return pd.DataFrame({"obligor": by_obligor.index.to_numpy(),
                         "loans": by_obligor["size"].to_numpy(),
                         "balance": by_obligor["sum"].to_numpy(),
                         "share": by_obligor["sum"].to_numpy() / pool.balance})


def credit_enhancement(balances: np.ndarray, reserve_share: float) -> tuple[float, ...]:
    """Share of the pool below each class, plus the reserve funded at closing.

    The reserve is ``reserve_share`` of the initial notes, and the notes add up to the pool,
    so as a share of the pool it is ``reserve_share`` itself.
    """
    return tuple(a + reserve_share for a in attachment_points(balances))


def expected_final_dates(base: ScenarioResult, deal: Deal) -> tuple[date, ...]:
    """Payment date of the base-case period in which each class's balance reaches zero."""
    closing = base.result.classes.balance_close[0]  # (classes, periods)
    original = base.result.original_balance
    paid_off = closing <= DEFAULT_THRESHOLD * original[:, None]
    # argmax gives the first paid-off period; a class never paid off ends with the deal.
    last = base.result.n_periods - 1
    period = np.where(paid_off.any(axis=1), paid_off.argmax(axis=1), last)
    dates = payment_dates(deal.dates.first_payment, base.result.n_periods)
    return tuple(dates[int(k)] for k in period)


def _pd_by_grade(deal: Deal, grade_strat: pd.DataFrame | None) -> pd.DataFrame:
    """PD per grade as the model uses it: the deal's table, else the tape's (by balance)."""
    default = deal.assumptions.default
    if not isinstance(default, AnnualPd) or grade_strat is None:
        return pd.DataFrame({"grade": [], "annual_pd": [], "source": []})
    tape = grade_strat.iloc[:-1]  # the last row is the total
    table = default.grade_table
    in_table = tape["bucket"].isin(list(table))
    return pd.DataFrame({
        "grade": tape["bucket"].to_numpy(),
        "annual_pd": np.where(in_table, tape["bucket"].map(table), tape["wa_annual_pd"]),
        "source": np.where(in_table, "deal", "tape"),
    })


def key_risks(
    deal: Deal,
    summary: PoolSummary,
    base: ScenarioResult,
    cost: CostOfFunds,
    base_loss_annual: float,
    ratings: Mapping[str, Mapping[str, str]] | None,
) -> tuple[KeyRisk, ...]:
    """Risks the figures show, each with the numbers it quotes (thresholds above)."""
    risks = []
    if (summary.effective_obligors < MIN_EFFECTIVE_OBLIGORS
            or summary.top1_obligor_share > MAX_TOP1_OBLIGOR_SHARE):
        risks.append(KeyRisk("risk.concentration", {
            "top1": summary.top1_obligor_share, "top10": summary.top10_obligor_share,
            "effective": summary.effective_obligors}))
    spread = cost.excess_spread_annual
    if spread < max(EXCESS_SPREAD_COVER * base_loss_annual, MIN_EXCESS_SPREAD):
        risks.append(KeyRisk("risk.excess_spread", {"spread": spread, "loss": base_loss_annual}))
    classes = deal.structure.classes
    loss = base.metrics.loss_pv[0]
    risks += [KeyRisk("risk.base_loss", {"cls": c.name, "loss": float(loss[j])})
              for j, c in enumerate(classes)
              if c.tier != Tier.SUBORDINATED and loss[j] > DEFAULT_THRESHOLD]
    if ratings is not None:
        risks += [KeyRisk("risk.target", {"cls": c.name, "target": c.target_rating,
                                          **ratings[c.name]})
                  for c in classes if _misses_target(c.target_rating, ratings[c.name])]
    if cost.saving_bp < 0:
        risks.append(KeyRisk("risk.cost", {"all_in": cost.all_in, "benchmark": cost.benchmark}))
    return tuple(risks)


def _misses_target(target: str | None, ratings: Mapping[str, str]) -> bool:
    """True when a criterion rates the class below its target (NR counts as below).

    A target is a local-scale symbol (AAA, AA-) or a Moody's one (Aaa, Aa3); anything else
    cannot be compared and is not flagged.
    """
    rank = {r: i for i, r in enumerate(LOCAL_SCALE)}
    local = target if target is None or target in rank else _local_or_none(target)
    if local not in rank:
        return False
    worst = max(rank.get(ratings[k], len(LOCAL_SCALE)) for k in RATING_CRITERIA)
    return worst > rank[local]


def _local_or_none(symbol: str) -> str | None:
    try:
        return str(to_local_scale(symbol))
    except InputError:
        return None


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 hex of a file's bytes (for :attr:`TermSheetInputs.sources`)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
