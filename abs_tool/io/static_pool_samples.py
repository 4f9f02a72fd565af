"""Sample static-pool data for the two sample deals, generated from a seed and a stated truth.

The true vintage curve of each sample comes from its sample deal (``abs_tool/data/deals``)
and that deal's pool (:func:`abs_tool.io.samples.sample_pool` with the deal's
``sample_seed``), taking each loan as newly lent: its original balance, original term and
repayment type, its annual PD from the tape (the deals' default assumption is ``annual_pd``
with no grade table, so the tape's PDs, times the deal's multiplier), a constant monthly
hazard ``h = -ln(1 - PD) / 12`` (DOMAIN.md), the deal's CPR as a monthly probability of
prepaying the loan in full, and the deal's recovery rate and lag. For loan ``i`` alive at the
start of month on book ``t <= term``, the expected defaulted balance of the month is its
scheduled balance times ``1 - exp(-h)``; summed over the loans and divided by their original
balance this is the true cumulative default curve by balance (by count: the same without the
balances). :func:`static_pool_truth` returns it; for the samples as shipped:

``consumer`` (白条-like, deal ``consumer_baitiao.json``)
    Lifetime default rate 1.0292% by balance and 1.8220% by count (balances at default are
    amortised), over 24 months on book (the longest term), front-loaded (17.3% of the
    lifetime defaults in month 1, 50% by month 4), CPR 10%, recovery 10% after 6 months,
    correlation 0.10, default seed 20151. 36 monthly
    vintages, 2012-09 to 2015-08 (the deal's cut-off is 2015-10-01), observed to 2015-09: the
    newest 1 month, at most 24, so 13 are complete and 23 unfinished. Vintage ``i`` lends
    ``round(20,000 * 1.03^i)`` loans at the pool's mean original balance (RMB 8,777).
``factoring`` (京保贝-like, deal ``factoring_jingbaobei.json``)
    Lifetime default rate 0.6844% by balance and 0.7070% by count, all within 6 months on
    book (the longest invoice; 30.8%, 28.0%, 20.6%, 11.0%, 6.4%, 3.1% by month), no
    prepayment, recovery 40% after 6 months, correlation 0.20, default seed 20161. 24
    monthly vintages, 2014-11 to 2016-10 (cut-off 2016-12-01), tracked for 12 months on book
    so that recoveries show, observed to 2016-11: 13 complete. Vintage ``i`` finances
    ``round(11,000 * 1.02^i)`` invoices at the pool's mean (RMB 119,898).

Each vintage draws its own conditions from the deal's one-factor model: with ``Z_v`` standard
normal, its lifetime default probability by count is ``Phi((Phi^-1(p) - sqrt(rho) Z_v) /
sqrt(1 - rho))`` (``p`` the true one, ``rho`` the deal's correlation) and its default curve is
the true one scaled to it; the number of loans defaulting in each month on book is then
multinomial over its loans, and each default's balance is the true expected balance at default
of that month. Prepayments, the outstanding balance and recoveries (the defaults ``lag``
months earlier times the recovery rate) follow the expected curves. Draws come from
``np.random.default_rng(seed)`` in a fixed order (``Z`` for every vintage, then each vintage's
defaults, oldest first), so the same name and seed give the same file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

from abs_tool.errors import InputError
from abs_tool.io.dealfile import load_sample_deal
from abs_tool.io.samples import sample_pool
from abs_tool.io.static_pool import StaticPoolData, month_label, parse_month
from abs_tool.model.amortization import amortization_index, remaining_fraction
from abs_tool.model.assumptions import AnnualPd
from abs_tool.model.conventions import hazard_from_annual_pd, smm_from_cpr
from abs_tool.types import Array

__all__ = ["SAMPLE_STATIC_POOLS", "StaticPoolTruth", "sample_static_pool", "static_pool_truth"]


@dataclass(frozen=True)
class _Spec:
    vintages: int
    months: int
    first_count: int
    growth: float


SAMPLE_STATIC_POOLS: dict[str, _Spec] = {
    "consumer": _Spec(vintages=36, months=24, first_count=20_000, growth=1.03),
    "factoring": _Spec(vintages=24, months=12, first_count=11_000, growth=1.02),
}
"""The samples: vintages, months on book tracked at most, loans lent by the oldest vintage,
monthly growth of the lending."""


@dataclass(frozen=True, eq=False)
class StaticPoolTruth:
    """The true curves behind a sample (module docstring).

    Attributes
    ----------
    lifetime_default_rate, lifetime_default_rate_by_count
        Expected lifetime cumulative default rate by balance and by count.
    default_by_month, default_count_by_month
        Shape (months,): expected defaulted balance per unit lent, and defaults per loan
        lent, in each month on book.
    prepaid_by_month, outstanding
        Shape (months,): expected prepaid balance per unit lent in each month, and the
        expected outstanding share at each month's end.
    cpr_annual, recovery_rate, recovery_lag_months, correlation
        The deal's assumptions used.
    mean_original_balance
        Mean original balance of the pool's loans.
    seed
        The default seed (the deal's ``sample_seed``).
    first_vintage
        The oldest vintage, ``YYYY-MM``.
    """

    lifetime_default_rate: float
    lifetime_default_rate_by_count: float
    default_by_month: Array
    default_count_by_month: Array
    prepaid_by_month: Array
    outstanding: Array
    cpr_annual: float
    recovery_rate: float
    recovery_lag_months: int
    correlation: float
    mean_original_balance: float
    seed: int
    first_vintage: str

    @property
    def timing(self) -> Array:
        """Share of lifetime defaults (balance) by month on book; sums to 1."""
        return np.asarray(self.default_by_month / self.default_by_month.sum())

    @property
    def months(self) -> int:
        return int(self.default_by_month.size)


def static_pool_truth(name: str) -> StaticPoolTruth:
    """The true curves of sample ``name`` (``"consumer"`` or ``"factoring"``), computed from
    its sample deal and pool (module docstring).

    Raises
    ------
    InputError
        For an unknown name.
    """
    if name not in SAMPLE_STATIC_POOLS:
        raise InputError(f"unknown sample static pool {name!r}; expected one of "
                         f"{list(SAMPLE_STATIC_POOLS)}")
    deal = load_sample_deal(name)
    loans = sample_pool(name, seed=deal.pool.sample_seed).loans
    assumptions = deal.assumptions
    multiplier = (assumptions.default.multiplier if isinstance(assumptions.default, AnnualPd)
                  else 1.0)
    pd_annual = np.minimum(loans["annual_pd"].to_numpy() * multiplier, 0.999)
    term = loans["original_term"].to_numpy().astype(np.int64)
    spec = SAMPLE_STATIC_POOLS[name]
    months = max(int(term.max()), spec.months)
    original = loans["original_balance"].to_numpy()
    scheduled = remaining_fraction(loans["rate"].to_numpy(), term,
                                   amortization_index(loans["amortization"].to_numpy()), months)
    opening = np.concatenate([np.ones((len(term), 1)), scheduled[:, :-1]], axis=1)
    t = np.arange(1, months + 1)[None, :]
    live = t <= term[:, None]
    default_p = -np.expm1(-hazard_from_annual_pd(pd_annual))[:, None] * live
    cpr = float(assumptions.prepayment.annual[0])
    prepay_p = float(smm_from_cpr(cpr)) * (t < term[:, None])
    stay = (1 - default_p) * (1 - prepay_p)
    alive = np.concatenate([np.ones((len(term), 1)), np.cumprod(stay, axis=1)[:, :-1]], axis=1)
    weight = original[:, None] / original.sum()
    default_by_month = (weight * opening * alive * default_p).sum(axis=0)
    prepaid_by_month = (weight * scheduled * alive * (1 - default_p) * prepay_p).sum(axis=0)
    outstanding = (weight * scheduled * alive * stay).sum(axis=0)
    count_by_month = (alive * default_p).mean(axis=0)
    cutoff = parse_month(deal.dates.cutoff.isoformat()[:7])
    return StaticPoolTruth(
        lifetime_default_rate=float(default_by_month.sum()),
        lifetime_default_rate_by_count=float(count_by_month.sum()),
        default_by_month=default_by_month, default_count_by_month=count_by_month,
        prepaid_by_month=prepaid_by_month, outstanding=outstanding, cpr_annual=cpr,
        recovery_rate=float(assumptions.recovery.rate),
        recovery_lag_months=int(assumptions.recovery.lag_months),
        correlation=float(assumptions.correlation),
        mean_original_balance=float(original.mean()), seed=int(deal.pool.sample_seed),
        first_vintage=month_label(cutoff - 2 - (spec.vintages - 1)))


def sample_static_pool(name: str, *, seed: int | None = None) -> StaticPoolData:
    """Sample static-pool data for sample deal ``name`` (module docstring).

    Parameters
    ----------
    name
        ``"consumer"`` or ``"factoring"``.
    seed
        Seed of ``np.random.default_rng``, an integer >= 0; default the deal's
        ``sample_seed`` (20151 consumer, 20161 factoring).

    Returns
    -------
    StaticPoolData
        Long-shape data with counts, prepayments, recoveries and outstanding balances.

    Raises
    ------
    InputError
        An unknown name or a bad seed.
    """
    truth = static_pool_truth(name)
    seed = truth.seed if seed is None else seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"`seed` must be an integer >= 0 (got {seed!r})")
    spec = SAMPLE_STATIC_POOLS[name]
    n, months = spec.vintages, truth.months
    rng = np.random.default_rng(int(seed))
    counts = np.round(spec.first_count * spec.growth ** np.arange(n)).astype(np.int64)
    lent = counts * truth.mean_original_balance
    p, rho = truth.lifetime_default_rate_by_count, truth.correlation
    factor = rng.standard_normal(n)
    conditional = ndtr((ndtri(p) - np.sqrt(rho) * factor) / np.sqrt(1 - rho))
    scale = conditional / p
    # Expected balance at default of a loan defaulting in each month, per unit of the mean
    # original balance: it makes the balance curve's expectation the true one.
    per_default = truth.default_by_month / np.where(truth.default_count_by_month > 0,
                                                    truth.default_count_by_month, 1.0)
    defaults = np.empty((n, months))
    numbers = np.empty((n, months))
    for v in range(n):  # one multinomial draw per vintage, oldest first
        probabilities = scale[v] * truth.default_count_by_month
        drawn = rng.multinomial(counts[v], [*probabilities, max(0.0, 1 - probabilities.sum())])
        numbers[v] = drawn[:-1]
        defaults[v] = drawn[:-1] * truth.mean_original_balance * per_default
    cumulative_defaults = np.cumsum(defaults, axis=1)
    observed_months = np.minimum(months, n - np.arange(n))
    unobserved = np.arange(months)[None, :] >= observed_months[:, None]

    def triangle(values: object) -> Array:
        out = np.array(values, dtype=np.float64)
        out[unobserved] = np.nan
        return out

    lag = truth.recovery_lag_months
    shifted = np.zeros_like(cumulative_defaults)
    shifted[:, lag:] = cumulative_defaults[:, :months - lag]
    prepaid = lent[:, None] * np.cumsum(truth.prepaid_by_month)[None, :]
    outstanding = np.maximum(lent[:, None] * truth.outstanding[None, :]
                             - (cumulative_defaults - lent[:, None]
                                * np.cumsum(truth.default_by_month)[None, :]), 0.0)
    first = parse_month(truth.first_vintage)
    return StaticPoolData(
        vintages=tuple(month_label(first + i) for i in range(n)),
        original_balance=np.round(lent, 2),
        cumulative_default_balance=triangle(np.round(cumulative_defaults, 2)),
        original_count=counts.astype(np.float64),
        cumulative_default_count=triangle(np.cumsum(numbers, axis=1, dtype=np.float64)),
        cumulative_prepaid_balance=triangle(np.round(prepaid, 2)),
        cumulative_recovery_balance=triangle(np.round(truth.recovery_rate * shifted, 2)),
        outstanding_balance=triangle(np.round(outstanding, 2)),
        name=f"sample:{name}",
    )
