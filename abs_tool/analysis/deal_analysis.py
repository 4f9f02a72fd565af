"""One analysis of a deal on its pool, computed once: :func:`analyse` -> :class:`DealAnalysis`.

It holds everything the term sheet (:mod:`abs_tool.report.excel`), ``abs-tool run`` and
``abs-tool structure`` and the app's Results and Export pages show: the base and stress
deterministic scenarios, break-even default rates, the cost of funds, indicative ratings and
target default rates (with a Monte Carlo result), credit enhancement, expected final dates,
the pool's summary and stratifications, and the key risks. Those callers lay it out; none of
them computes any of it again.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from abs_tool import __version__
from abs_tool.analysis import break_even as break_even_search
from abs_tool.analysis.break_even import BreakEven
from abs_tool.analysis.economics import CostOfFunds, cost_of_funds
from abs_tool.analysis.pool_stats import PoolSummary, pool_summary, stratify
from abs_tool.analysis.rating import (
    TargetDefaultRates,
    bdr_tdr_pass,
    dirr_rating,
    el_rating,
    pd_rating,
    rating_threshold,
    tdr,
)
from abs_tool.engine import montecarlo
from abs_tool.engine.deterministic import PreparedDeal, Scenario, ScenarioResult, run_scenario
from abs_tool.engine.metrics import DEFAULT_THRESHOLD
from abs_tool.engine.montecarlo import MonteCarloResult
from abs_tool.errors import FieldError, InputError
from abs_tool.io.dealfile import deal_json
from abs_tool.io.rating_tables import RatingTables
from abs_tool.model.assumptions import AnnualPd
from abs_tool.model.deal import Deal, Tier
from abs_tool.model.pool import Pool
from abs_tool.model.scales import LOCAL_SCALE, NOT_RATED, to_local_scale

if TYPE_CHECKING:  # these modules (and scipy.optimize, scipy.stats) load only when used
    from abs_tool.analysis.closed_form import ClosedFormCheck
    from abs_tool.analysis.structuring import StructuringResult

RATING_CRITERIA: tuple[str, ...] = ("el", "pd", "dirr", "tdr")
"""The criteria of :class:`ClassRating`, in the order the term sheet and the app show them."""

STRATIFIED_COLUMNS: tuple[str, ...] = (
    "grade", "amortization", "region", "industry", "remaining_term", "seasoning", "balance",
    "rate",
)
"""Loan-tape columns the pool is stratified by (the term sheet's Pool sheet), when the tape
has values in them."""

TOP_OBLIGORS = 10
"""Largest obligors listed (the term sheet's Pool sheet)."""

RATING_HORIZON_YEARS = 10.0
"""The rating tables stop at 10 years: EL thresholds and TDR confidence levels are taken at
the class WAL capped there."""

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


# --------------------------------------------------------------------------------------------
# Typed results


@dataclass(frozen=True)
class CriterionRating:
    """A class's indicative rating under one criterion and the figures that gave it.

    Attributes
    ----------
    criterion : str
        One of :data:`RATING_CRITERIA`.
    moodys, local : str
        The rating on Moody's scale (a symbol of the criterion's table) and on the local
        scale (``"AA-"``); both ``"NR"`` when no rating of the table is met or the class has
        no positive WAL.
    metric : float
        The class's figure that was compared: ``el`` the Monte Carlo EL and ``pd`` the PD
        (fractions of the class balance, capped at 1: importance-sampled estimates of a
        near-certain loss can exceed 1 by their noise), ``dirr`` the DIRR (bp), ``tdr`` the
        break-even default rate (fraction of the pool).
    threshold : float
        The bound of the rating given: the EL threshold at the class WAL (capped at
        :data:`RATING_HORIZON_YEARS`), the idealized PD at the class WAL, the DIRR upper
        bound (bp), each met as ``metric <= threshold``; for ``tdr`` the target default rate
        of the rating, met as ``metric >= threshold``. NaN when not rated.
    """

    criterion: str
    moodys: str
    local: str
    metric: float
    threshold: float


@dataclass(frozen=True)
class ClassRating:
    """Indicative ratings of one class by every criterion (docs/ratings.md).

    ``el``: Moody's-style EL at the class WAL; ``pd``: idealized PD at the class WAL;
    ``dirr``: reduction in yield; ``tdr``: the best rating whose target default rate the
    class's break-even default rate withstands.
    """

    class_name: str
    el: CriterionRating
    pd: CriterionRating
    dirr: CriterionRating
    tdr: CriterionRating

    def criteria(self) -> tuple[CriterionRating, ...]:
        """The four ratings in :data:`RATING_CRITERIA` order."""
        return (self.el, self.pd, self.dirr, self.tdr)

    def local(self) -> dict[str, str]:
        """``{criterion: local-scale rating}`` in :data:`RATING_CRITERIA` order."""
        return {r.criterion: r.local for r in self.criteria()}


@dataclass(frozen=True)
class ClassTdr:
    """Target default rates of one class against its break-even default rate.

    Attributes
    ----------
    class_name : str
    bdr : float
        Break-even lifetime pool default rate of the class (fraction of the pool).
    targets : TargetDefaultRates or None
        TDR of every rating of the PD table (Moody's symbols) at the class WAL capped at
        :data:`RATING_HORIZON_YEARS`; None when the class has no positive WAL.
    """

    class_name: str
    bdr: float
    targets: TargetDefaultRates | None

    def by_rating(self) -> dict[str, float]:
        """``{local-scale rating: TDR}``, best first; empty without targets.

        The local scale does not split CCC: Caa1 to Caa3 share the key, which keeps the last
        (Caa3's) TDR.
        """
        if self.targets is None:
            return {}
        return {str(to_local_scale(r)): float(v)
                for r, v in zip(self.targets.ratings, self.targets.tdr, strict=True)}

    def passes(self) -> dict[str, bool]:
        """``{local-scale rating: BDR >= TDR}`` for the ratings of :meth:`by_rating`."""
        return {level: self.bdr >= value for level, value in self.by_rating().items()}


@dataclass(frozen=True)
class KeyRisk:
    """A risk the numbers show: the label key of its sentence and the figures it quotes."""

    key: str
    values: Mapping[str, object]


@dataclass(frozen=True)
class DealAnalysis:
    """Everything shown of one deal on its pool (:func:`analyse`).

    Per-class tuples follow the deal's classes, senior first. Rates and shares are decimals,
    money in the deal's currency.

    Attributes
    ----------
    deal
        The deal analysed.
    class_balances
        Original balance of each class.
    summary, strats
        Pool summary; stratification tables by the columns of :data:`STRATIFIED_COLUMNS` the
        tape has values in (English bucket labels, the total last).
    top_obligors
        The :data:`TOP_OBLIGORS` largest obligors: columns ``obligor`` (``obligor_id``, or the
        ``loan_id`` of a loan without one, as :func:`abs_tool.analysis.pool_stats.pool_summary`
        counts them), ``loans``, ``balance``, ``share`` of the pool.
    pd_by_grade
        Columns ``grade``, ``annual_pd``, ``source`` (``deal`` or ``tape``): the PD each grade
        is modelled with under an annual-PD assumption (tape PDs balance-weighted by grade);
        empty for other default assumptions or a tape without grades.
    base, stress
        The base scenario (the deal's assumptions) and the stress scenario: the deal's
        default assumption times ``stress_multiplier``, the break-even multiplier of
        ``stress_class``, the most junior placed class (the most junior class when none is
        placed), so the stress case shows the path on which that class starts to lose.
    stress_class, stress_multiplier
    break_evens
        BDR of each class (:func:`abs_tool.analysis.break_even.break_even`).
    base_loss_annual
        Base-case pool losses a year over the pool balance (the denominator of
        ``cost.excess_spread_annual``).
    attachment_points
        Share of the notes below each class: where its losses start, 0 for the most junior.
    credit_enhancement
        Share of the pool below each class plus the reserve funded at closing (excess spread
        not counted).
    expected_final
        Payment date of the base-case period in which each class's balance is paid off (the
        deal's last period if never).
    monte_carlo
        The simulation, or None (then no ratings and no target default rates).
    closed_form
        With a simulation: the Vasicek large-pool cross-check of its pool loss distribution,
        or why the pool does not fit that model
        (:func:`abs_tool.analysis.closed_form.closed_form_check`); None without one.
    target_default_rates, ratings
        Per class, with a Monte Carlo result: :class:`ClassTdr` and :class:`ClassRating`;
        None without one.
    rating_tables
        The EL, PD and DIRR tables the ratings use, all three given (shipped ones loaded).
    cost_refusal
        ``(field, message)`` of the :class:`~abs_tool.errors.FieldError` that makes the cost
        of funds undefined (the upfront fees take all the placed notes' proceeds), else None.
        The rest of the analysis stands; :attr:`cost` and :attr:`risks` raise it.
    deal_sha256, pool_sha256
        SHA-256 of the deal as canonical JSON and of pandas' row hashes of the pool's loans
        (a fingerprint of the pool as modelled).
    created, tool_version
        When the analysis was computed (UTC, whole seconds) and by which abs-tool version.
    """

    deal: Deal
    class_balances: tuple[float, ...]
    summary: PoolSummary
    strats: Mapping[str, pd.DataFrame]
    top_obligors: pd.DataFrame
    pd_by_grade: pd.DataFrame
    base: ScenarioResult
    stress: ScenarioResult
    stress_class: str
    stress_multiplier: float
    break_evens: tuple[BreakEven, ...]
    base_loss_annual: float
    attachment_points: tuple[float, ...]
    credit_enhancement: tuple[float, ...]
    expected_final: tuple[date, ...]
    monte_carlo: MonteCarloResult | None
    closed_form: ClosedFormCheck | None
    target_default_rates: tuple[ClassTdr, ...] | None
    ratings: tuple[ClassRating, ...] | None
    rating_tables: RatingTables
    cost_refusal: tuple[str, str] | None
    deal_sha256: str
    pool_sha256: str
    created: datetime
    tool_version: str
    _cost: CostOfFunds | None

    @property
    def cost(self) -> CostOfFunds:
        """Cost of funds in the base scenario.

        Raises
        ------
        FieldError
            The cost is undefined (:attr:`cost_refusal`).
        """
        if self._cost is None:
            assert self.cost_refusal is not None
            raise FieldError(*self.cost_refusal)
        return self._cost

    @property
    def risks(self) -> tuple[KeyRisk, ...]:
        """Key risks, in the order the term sheet lists them (:func:`key_risks`).

        Raises
        ------
        FieldError
            The cost of funds is undefined (:attr:`cost_refusal`).
        """
        return key_risks(self.deal, self.summary, self.base, self.cost, self.base_loss_annual,
                         self.ratings)


# --------------------------------------------------------------------------------------------
# The analysis


def analyse(
    prepared: PreparedDeal,
    *,
    monte_carlo: MonteCarloResult | bool = True,
    break_evens: Sequence[BreakEven] | None = None,
    tables: RatingTables | None = None,
    structuring: StructuringResult | None = None,
) -> DealAnalysis:
    """Analyse ``prepared``: everything :class:`DealAnalysis` holds.

    The slow parts (the Monte Carlo, the break-even search) are used as given when the caller
    has them and computed otherwise.

    Parameters
    ----------
    prepared
        The deal on its pool.
    monte_carlo
        A simulation of ``prepared`` (:func:`abs_tool.engine.montecarlo.run_monte_carlo`);
        True runs one with the deal's run settings; False leaves it out (no ratings, no
        target default rates).
    break_evens
        :func:`abs_tool.analysis.break_even.break_even` of ``prepared``; computed when None.
    tables
        The rating tables to rate with; by default the shipped indicative ones.
    structuring
        A sizing whose sized deal is ``prepared``'s: its Monte Carlo, break-evens and rating
        tables are used (give none of those three with it).

    Returns
    -------
    DealAnalysis

    Raises
    ------
    InputError
        ``structuring`` given with ``monte_carlo``, ``break_evens`` or ``tables``, or for
        another deal; a Monte Carlo result or break-evens of other classes than the deal's.

    An undefined cost of funds is not raised here but kept (:attr:`DealAnalysis.cost_refusal`):
    the app still shows the rest of the analysis.
    """
    deal = prepared.deal
    if structuring is not None:
        if monte_carlo is not True or break_evens is not None or tables is not None:
            raise InputError("give `structuring` alone: its Monte Carlo, break-evens and "
                             "rating tables are the ones used")
        if structuring.deal != deal:
            raise InputError("`structuring` sized another deal than `prepared`'s: analyse "
                             "prepare_deal(structuring.deal, pool)")
        monte_carlo, break_evens = structuring.monte_carlo, structuring.break_even
        tables = structuring.tables
    classes = deal.structure.classes
    names = [c.name for c in classes]
    # Through their modules, so that a caller (or a test) sees every call at the boundary.
    if isinstance(monte_carlo, MonteCarloResult):
        mc: MonteCarloResult | None = monte_carlo
    elif monte_carlo:
        mc = montecarlo.run_monte_carlo(prepared)
    else:
        mc = None
    if mc is not None:
        _check_classes("monte_carlo", [c.name for c in mc.classes], names,
                       "run_monte_carlo(prepared)")
    if break_evens is None:
        bdrs = break_even_search.break_even(prepared)
    else:
        bdrs = tuple(break_evens)
        _check_classes("break_evens", [b.class_name for b in bdrs], names,
                       "break_even(prepared)")
    resolved = RatingTables(*(tables or RatingTables()).resolved())

    base = run_scenario(prepared)
    cost: CostOfFunds | None = None
    refusal = None
    try:
        cost = cost_of_funds(prepared, base)
    except FieldError as err:
        # The cost alone is undefined: ratings, scenarios and the pool still stand.
        refusal = (err.field, err.message)
    placed = [j for j, c in enumerate(classes) if c.tier != Tier.SUBORDINATED]
    j_stress = placed[-1] if placed else len(classes) - 1
    multiplier = float(bdrs[j_stress].multiplier)
    stress = run_scenario(prepared, Scenario(default_multiplier=multiplier))

    tdrs = ratings = check = None
    if mc is not None:
        from abs_tool.analysis import closed_form  # scipy.stats: loaded only with a simulation

        tdrs = target_default_rates(mc, bdrs, resolved)
        ratings = class_ratings(mc, tdrs, resolved)
        check = closed_form.closed_form_check(prepared, mc)

    pool = prepared.pool
    balances = np.asarray(prepared.class_balances, dtype=np.float64)
    pool_flows = base.result.pool
    pool_years = pool_flows.balance_open[0].sum() / 12.0
    base_loss = float(pool_flows.loss[0].sum() / pool_years) if pool_years > 0 else 0.0
    strats = {column: stratify(pool, column) for column in STRATIFIED_COLUMNS
              if pool.loans[column].notna().any()}
    return DealAnalysis(
        deal=deal,
        class_balances=tuple(float(b) for b in balances),
        summary=pool_summary(pool),
        strats=strats,
        top_obligors=top_obligors(pool),
        pd_by_grade=_pd_by_grade(deal, strats.get("grade")),
        base=base,
        stress=stress,
        stress_class=classes[j_stress].name,
        stress_multiplier=multiplier,
        break_evens=tuple(bdrs),
        base_loss_annual=base_loss,
        attachment_points=attachment_points(balances),
        credit_enhancement=credit_enhancement(balances, deal.structure.reserve.initial_share),
        expected_final=expected_final_dates(base, deal),
        monte_carlo=mc,
        closed_form=check,
        target_default_rates=tdrs,
        ratings=ratings,
        rating_tables=resolved,
        cost_refusal=refusal,
        deal_sha256=hashlib.sha256(deal_json(deal).encode("utf-8")).hexdigest(),
        pool_sha256=hashlib.sha256(
            pd.util.hash_pandas_object(pool.loans, index=False).to_numpy().tobytes()
        ).hexdigest(),
        created=datetime.now(UTC).replace(microsecond=0),
        tool_version=__version__,
        _cost=cost,
    )


def _check_classes(name: str, given: list[str], expected: list[str], fix: str) -> None:
    if given != expected:
        raise InputError(f"`{name}` is for classes {given}, the deal has {expected}: pass "
                         f"{fix} of the same prepared deal")


# --------------------------------------------------------------------------------------------
# Ratings and target default rates


def target_default_rates(
    monte_carlo: MonteCarloResult,
    break_evens: Sequence[BreakEven],
    tables: RatingTables | None = None,
) -> tuple[ClassTdr, ...]:
    """TDR of every rating level at each class's WAL: the quantile of the simulated lifetime
    pool default rate at the level's confidence (docs/ratings.md), against the class's BDR.

    Parameters
    ----------
    monte_carlo
        The simulation (its pool default-rate distribution and class WALs, years).
    break_evens
        BDR of each class, in the simulation's class order.
    tables
        Its ``pd`` table gives the confidence levels; by default the shipped one.
    """
    pd_table = (tables or RatingTables()).pd
    out = []
    for c, be in zip(monte_carlo.classes, break_evens, strict=True):
        wal = c.wal_years.value
        targets = (tdr(monte_carlo.pool_default_rate.quantile_array,
                       wal_years=min(wal, RATING_HORIZON_YEARS), table=pd_table)
                   if wal > 0 else None)
        out.append(ClassTdr(c.name, be.default_rate, targets))
    return tuple(out)


def class_ratings(
    monte_carlo: MonteCarloResult,
    targets: Sequence[ClassTdr],
    tables: RatingTables | None = None,
) -> tuple[ClassRating, ...]:
    """Indicative ratings of each class by every criterion (:class:`ClassRating`).

    Parameters
    ----------
    monte_carlo
        The simulation: class EL, PD, DIRR and WAL (years).
    targets
        :func:`target_default_rates` of the same simulation (BDR and TDRs of each class).
    tables
        The EL, PD and DIRR tables; by default the shipped indicative ones (docs/ratings.md).
    """
    tables = tables or RatingTables()
    out = []
    for c, t in zip(monte_carlo.classes, targets, strict=True):
        wal = c.wal_years.value
        metrics = {"el": min(c.expected_loss.value, 1.0), "pd": min(c.pd.value, 1.0),
                   "dirr": c.dirr_bp.value, "tdr": t.bdr}
        if t.targets is None:
            out.append(ClassRating(c.name, *(
                CriterionRating(k, NOT_RATED, NOT_RATED, metrics[k], math.nan)
                for k in RATING_CRITERIA)))
            continue
        horizon = min(wal, RATING_HORIZON_YEARS)
        moodys = {
            "el": str(el_rating(metrics["el"], horizon, tables.el)),
            "pd": str(pd_rating(metrics["pd"], wal, tables.pd)),
            "dirr": str(dirr_rating(metrics["dirr"], tables.dirr)),
            "tdr": str(bdr_tdr_pass(t.bdr, t.targets)),
        }
        out.append(ClassRating(c.name, *(
            CriterionRating(k, moodys[k], str(to_local_scale(moodys[k])), metrics[k],
                            _threshold(k, moodys[k], wal, tables, t.targets))
            for k in RATING_CRITERIA)))
    return tuple(out)


def _threshold(criterion: str, moodys: str, wal: float, tables: RatingTables,
               targets: TargetDefaultRates) -> float:
    """The bound of rating ``moodys`` under ``criterion`` (:attr:`CriterionRating.threshold`)
    for a class of WAL ``wal`` years."""
    if moodys == NOT_RATED:
        return math.nan
    if criterion == "el":
        return rating_threshold("el", moodys, min(wal, RATING_HORIZON_YEARS), tables.el)
    if criterion == "pd":
        return rating_threshold("pd", moodys, wal, tables.pd)
    if criterion == "dirr":
        return rating_threshold("dirr_bp", moodys, table=tables.dirr)
    return targets.by_rating()[moodys]


# --------------------------------------------------------------------------------------------
# Structure and pool figures


def payment_dates(first_payment: date, n_periods: int,
                  frequency_months: int = 1) -> list[date]:
    """Date of each month: monthly, the first payment date, then monthly; paid every
    ``frequency_months`` N months, the first payment date is month N's and month t's is
    N - t months before or t - N after it (``DealDates.schedule``)."""
    start = pd.Timestamp(first_payment)
    return [(start + pd.DateOffset(months=k + 1 - frequency_months)).date()
            for k in range(n_periods)]


def attachment_points(balances: ArrayLike) -> tuple[float, ...]:
    """Share of the notes below each class (listed senior first): where its losses start,
    0 for the most junior."""
    b = np.asarray(balances, dtype=np.float64)
    return tuple(float(x) for x in (b.sum() - np.cumsum(b)) / b.sum())


def credit_enhancement(balances: ArrayLike, reserve_share: float) -> tuple[float, ...]:
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
    dates = payment_dates(deal.dates.first_payment, base.result.n_periods,
                          deal.dates.payment_frequency_months)
    return tuple(dates[int(k)] for k in period)


def top_obligors(pool: Pool, n: int = TOP_OBLIGORS) -> pd.DataFrame:
    """The ``n`` largest obligors by balance (see :attr:`DealAnalysis.top_obligors`)."""
    loans = pool.loans
    by_obligor = (loans.assign(obligor=loans["obligor_id"].fillna(loans["loan_id"]))
                  .groupby("obligor", sort=False)["balance"].agg(["size", "sum"])
                  .nlargest(n, "sum", keep="first"))
    return pd.DataFrame({"obligor": by_obligor.index.to_numpy(),
                         "loans": by_obligor["size"].to_numpy(),
                         "balance": by_obligor["sum"].to_numpy(),
                         "share": by_obligor["sum"].to_numpy() / pool.balance})


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


# --------------------------------------------------------------------------------------------
# Key risks


def key_risks(
    deal: Deal,
    summary: PoolSummary,
    base: ScenarioResult,
    cost: CostOfFunds,
    base_loss_annual: float,
    ratings: Sequence[ClassRating] | None,
) -> tuple[KeyRisk, ...]:
    """Risks the figures show, each with the numbers it quotes (thresholds above).

    ``ratings`` follow the deal's classes; a class rated below its target by any criterion
    is a risk.
    """
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
                                          **rating.local()})
                  for c, rating in zip(classes, ratings, strict=True)
                  if _misses_target(c.target_rating, rating)]
    if cost.saving_bp < 0:
        risks.append(KeyRisk("risk.cost", {"all_in": cost.all_in, "benchmark": cost.benchmark}))
    return tuple(risks)


def _misses_target(target: str | None, rating: ClassRating) -> bool:
    """True when a criterion rates the class below its target (NR counts as below).

    A target is a local-scale symbol (AAA, AA-) or a Moody's one (Aaa, Aa3); anything else
    cannot be compared and is not flagged.
    """
    rank = {r: i for i, r in enumerate(LOCAL_SCALE)}
    local = target if target is None or target in rank else _local_or_none(target)
    if local not in rank:
        return False
    worst = max(rank.get(r.local, len(LOCAL_SCALE)) for r in rating.criteria())
    return worst > rank[local]


def _local_or_none(symbol: str) -> str | None:
    try:
        return str(to_local_scale(symbol))
    except InputError:
        return None
