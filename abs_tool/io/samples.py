"""Built-in sample pools, generated from a seed.

Two pools modelled on the reference deals of DOMAIN.md, for the demo, the tests and the UI:

``consumer``
    白条-like consumer instalment receivables: many small unsecured loans, mostly
    ``installment_fee`` (equal principal plus a flat monthly fee on original principal), the
    rest ``level`` annuities.
``factoring``
    京保贝-like supply-chain trade receivables: about 2,000 suppliers with 1-10 invoices each,
    ``bullet`` repayment at invoice maturity, a heavy-tailed obligor size so that obligor
    concentration matters.

Every draw comes from one ``np.random.default_rng(seed)`` in a fixed order, so the same name,
seed and loan count give the identical pool. Generation is vectorised over loans.
The distributions are illustrative, not calibrated to any originator's data.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import ndtri

from abs_tool.errors import InputError
from abs_tool.model.columns import Amortization
from abs_tool.model.pool import POOL_DTYPES, Pool

SAMPLE_NAMES: tuple[str, ...] = ("consumer", "factoring")

# Display names (English, Chinese) for the UI.
SAMPLE_LABELS: dict[str, tuple[str, str]] = {
    "consumer": ("Consumer instalment receivables (Baitiao-like)", "消费分期应收账款(白条类)"),
    "factoring": (
        "Supply-chain factoring receivables (Jingbaobei-like)", "供应链保理应收账款(京保贝类)"
    ),
}

# The sample deal files' own names (as their "name" field has them) -> (English, Chinese), so a
# Chinese display names a sample deal in Chinese; any other deal keeps the name it was given.
SAMPLE_DEAL_NAMES: dict[str, tuple[str, str]] = {
    "Baitiao-like consumer instalment ABS 2015-1": (
        "Baitiao-like consumer instalment ABS 2015-1", "白条类消费分期资产支持证券 2015-1"),
    "Jingbaobei-like supply-chain factoring ABS 2016-1": (
        "Jingbaobei-like supply-chain factoring ABS 2016-1",
        "京保贝类供应链保理资产支持证券 2016-1"),
}


def display_name(name: str, lang: str) -> str:
    """A deal's name as shown in ``lang`` (``"en"`` or ``"zh"``): a sample deal's in that
    language, any other as its user wrote it."""
    pair = SAMPLE_DEAL_NAMES.get(name)
    return name if pair is None else pair[1 if lang == "zh" else 0]


DEFAULT_SEED = 20151
DEFAULT_LOANS: dict[str, int] = {"consumer": 20_000, "factoring": 11_000}
# A bound on what a UI input can ask for, so a typo cannot exhaust memory.
MAX_SAMPLE_LOANS = 2_000_000

GRADES: tuple[str, ...] = ("A", "B", "C", "D", "E")

# Consumer: annual PD per grade spans 0.5%-8%; the mix leans to the better grades, as an
# originator's approved book does.
_CONSUMER_PD = np.array([0.005, 0.012, 0.025, 0.045, 0.080])
_CONSUMER_GRADE_MIX = np.array([0.30, 0.30, 0.22, 0.12, 0.06])
_CONSUMER_SCORE_MEAN = np.array([720.0, 680.0, 640.0, 600.0, 560.0])
_CONSUMER_TERMS = np.array([3, 6, 12, 18, 24])
_CONSUMER_TERM_MIX = np.array([0.20, 0.25, 0.30, 0.10, 0.15])
_CONSUMER_REGIONS = np.array(
    ["广东", "江苏", "北京", "上海", "浙江", "山东", "四川", "河南", "湖北", "福建"], dtype=object
)
_CONSUMER_REGION_MIX = np.array([0.20, 0.12, 0.11, 0.10, 0.10, 0.09, 0.08, 0.08, 0.06, 0.06])
_CONSUMER_INDUSTRY = "consumer"
_INSTALLMENT_FEE_SHARE = 0.75
# Loans per borrower: nearly all borrowers have one instalment plan in the pool.
_CONSUMER_LOANS_PER_OBLIGOR = np.array([1, 2, 3])
_CONSUMER_LOANS_PER_OBLIGOR_MIX = np.array([0.97, 0.025, 0.005])

# Factoring: suppliers are rated companies, so the PD range is narrower than for consumers.
_FACTORING_PD = np.array([0.010, 0.018, 0.028, 0.040, 0.060])
_FACTORING_GRADE_MIX = np.array([0.20, 0.30, 0.25, 0.15, 0.10])
_FACTORING_TERMS = np.array([1, 2, 3, 4, 5, 6])  # 30-180 day invoices
_FACTORING_TERM_MIX = np.array([0.10, 0.25, 0.30, 0.15, 0.10, 0.10])
_FACTORING_INDUSTRIES = np.array(
    ["电子", "家电", "食品饮料", "日用百货", "物流", "服装", "汽车配件", "办公用品"], dtype=object
)
_FACTORING_INDUSTRY_MIX = np.array([0.22, 0.18, 0.14, 0.12, 0.10, 0.09, 0.08, 0.07])
_FACTORING_REGIONS = np.array(
    ["广东", "浙江", "江苏", "上海", "北京", "山东", "福建", "河南", "四川", "湖北"], dtype=object
)
_FACTORING_REGION_MIX = np.array([0.25, 0.15, 0.15, 0.10, 0.08, 0.08, 0.07, 0.04, 0.04, 0.04])
# Supplier exposure is lognormal with this log-sd; sigma = 1.4 over ~2,000 suppliers puts the
# largest near 2.5% of the pool and the top ten near 11.5%.
_FACTORING_SIZE_SIGMA = 1.4
_FACTORING_MEDIAN_EXPOSURE = 250_000.0  # RMB per supplier
_FACTORING_MIN_INVOICE = 1_000.0  # RMB


def sample_pool(name: str, *, seed: int = DEFAULT_SEED, n_loans: int | None = None) -> Pool:
    """A built-in sample pool.

    Parameters
    ----------
    name
        One of :data:`SAMPLE_NAMES`.
    seed
        Seed of ``np.random.default_rng``, an integer >= 0. Same name, seed and ``n_loans``
        give the identical pool.
    n_loans
        Number of loans (receivables); ``None`` gives :data:`DEFAULT_LOANS` ``[name]``
        (20,000 consumer loans; 11,000 receivables, about 2,000 suppliers, for factoring).

    Returns
    -------
    Pool
        Balances in RMB, rates annual decimals, terms in months; named ``sample:<name>``.

    Raises
    ------
    InputError
        Unknown ``name``, a negative or non-integer ``seed``, or ``n_loans`` outside
        1..:data:`MAX_SAMPLE_LOANS`.
    """
    if name not in SAMPLE_NAMES:
        raise InputError(f"unknown sample pool {name!r}; expected one of {list(SAMPLE_NAMES)}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"`seed` (got {seed!r}) must be an integer >= 0")
    count = DEFAULT_LOANS[name] if n_loans is None else n_loans
    if (
        isinstance(count, bool)
        or not isinstance(count, int | np.integer)
        or not 1 <= count <= MAX_SAMPLE_LOANS
    ):
        raise InputError(
            f"`n_loans` (got {n_loans!r}) must be an integer from 1 to {MAX_SAMPLE_LOANS:,}"
        )
    rng = np.random.default_rng(seed)
    frame = _consumer(rng, int(count)) if name == "consumer" else _factoring(rng, int(count))
    return Pool(frame, name=f"sample:{name}")


def _consumer(rng: np.random.Generator, n: int) -> pd.DataFrame:
    obligor = _obligor_of_loan(
        rng.choice(_CONSUMER_LOANS_PER_OBLIGOR, size=n, p=_CONSUMER_LOANS_PER_OBLIGOR_MIX), n
    )
    n_obligors = int(obligor[-1]) + 1
    # Grade, score and region belong to the borrower, so all of a borrower's loans share them.
    grade_ix = rng.choice(len(GRADES), size=n_obligors, p=_CONSUMER_GRADE_MIX)[obligor]
    score = np.clip(
        np.round(_CONSUMER_SCORE_MEAN[grade_ix] + rng.normal(0.0, 20.0, n_obligors)[obligor]),
        350.0,
        850.0,
    )
    region = rng.choice(_CONSUMER_REGIONS, size=n_obligors, p=_CONSUMER_REGION_MIX)[obligor]

    # Purchase amounts (original principal) are lognormal within the credit-line range; the
    # current balance follows from the repayment type and the months already paid, so it can
    # fall below RMB 500 late in a plan.
    original_balance = np.round(
        np.clip(rng.lognormal(np.log(6_000.0), 0.9, n), 500.0, 50_000.0), 2
    )
    original_term = rng.choice(_CONSUMER_TERMS, size=n, p=_CONSUMER_TERM_MIX)
    seasoning = rng.integers(0, original_term)
    remaining_term = original_term - seasoning

    is_fee = rng.random(n) < _INSTALLMENT_FEE_SHARE
    # Worse grades pay more: the monthly fee rises 0.06% per grade from 0.50% (A) to 0.80% (E),
    # the level-loan rate 1.6% per grade from 10% (A) to 18% (E).
    monthly_fee = np.round(0.005 + 0.0006 * grade_ix + rng.uniform(0.0, 0.0006, n), 4)
    level_rate = np.round(0.10 + 0.016 * grade_ix + rng.uniform(0.0, 0.016, n), 4)
    rate = np.where(is_fee, np.round(12.0 * monthly_fee, 6), level_rate)

    # Installment-fee loans repay equal principal: balance = original * remaining / original
    # term. Level loans follow the annuity balance after k of n payments at monthly rate r:
    # B_k = P ((1+r)^n - (1+r)^k) / ((1+r)^n - 1).
    growth_n = (1.0 + rate / 12.0) ** original_term
    growth_k = (1.0 + rate / 12.0) ** seasoning
    balance = np.round(
        np.where(
            is_fee,
            original_balance * remaining_term / original_term,
            original_balance * (growth_n - growth_k) / (growth_n - 1.0),
        ),
        2,
    )
    amortization = np.where(
        is_fee, Amortization.INSTALLMENT_FEE.value, Amortization.LEVEL.value
    ).astype(object)

    return _frame(
        {
            "loan_id": _ids("CN", np.arange(1, n + 1)),
            "balance": balance,
            "rate": rate,
            "remaining_term": remaining_term,
            "amortization": amortization,
            "original_balance": original_balance,
            "original_term": original_term,
            "seasoning": seasoning,
            "annual_pd": _CONSUMER_PD[grade_ix],
            "lgd": np.round(rng.uniform(0.85, 0.95, n), 4),
            "grade": np.array(GRADES, dtype=object)[grade_ix],
            "obligor_id": _ids("CU", obligor + 1),
            "region": region,
            "industry": np.full(n, _CONSUMER_INDUSTRY, dtype=object),
            "score": score,
        }
    )


def _factoring(rng: np.random.Generator, n: int) -> pd.DataFrame:
    # Supplier exposures sit at the midpoints of m equal-probability strata of a lognormal, in
    # a random order, times a small noise. Drawing them freely would make the largest supplier
    # swing between 1% and 5% of the pool from seed to seed; strata keep the concentration
    # profile stable while the pool stays random.
    # Draws for n suppliers: each has at least one invoice, so the first m <= n take them all.
    size_rank = rng.permutation(n)
    noise = rng.lognormal(0.0, 0.1, n)
    invoices_p = 0.25 + 0.5 * size_rank / max(n - 1, 1)  # larger suppliers bill more often
    invoices = 1 + rng.binomial(9, invoices_p)
    obligor = _obligor_of_loan(invoices, n)
    m = int(obligor[-1]) + 1
    # The largest of the m suppliers sits at the 1 - 1/(2m) quantile.
    z = ndtri((np.argsort(np.argsort(size_rank[:m])) + 0.5) / m)
    exposure = _FACTORING_MEDIAN_EXPOSURE * np.exp(_FACTORING_SIZE_SIGMA * z) * noise[:m]

    grade_ix = rng.choice(len(GRADES), size=m, p=_FACTORING_GRADE_MIX)
    rate = np.round(0.06 + 0.012 * grade_ix + rng.uniform(0.0, 0.012, m), 4)
    lgd = np.round(rng.uniform(0.5, 0.7, m), 4)
    region = rng.choice(_FACTORING_REGIONS, size=m, p=_FACTORING_REGION_MIX)
    industry = rng.choice(_FACTORING_INDUSTRIES, size=m, p=_FACTORING_INDUSTRY_MIX)

    # Split each supplier's exposure over its invoices with gamma(2) weights (a Dirichlet).
    weight = rng.gamma(2.0, 1.0, n)
    weight /= np.bincount(obligor, weights=weight, minlength=m)[obligor]
    balance = np.round(np.maximum(exposure[obligor] * weight, _FACTORING_MIN_INVOICE), 2)
    original_term = rng.choice(_FACTORING_TERMS, size=n, p=_FACTORING_TERM_MIX)
    seasoning = rng.integers(0, original_term)

    starts = np.concatenate(([0], np.cumsum(np.bincount(obligor, minlength=m))[:-1]))
    invoice_no = np.arange(n) - starts[obligor] + 1
    return _frame(
        {
            "loan_id": _ids("FR", obligor + 1, suffix=invoice_no),
            "balance": balance,
            "rate": rate[obligor],
            "remaining_term": original_term - seasoning,
            "amortization": np.full(n, Amortization.BULLET.value, dtype=object),
            # A bullet receivable has repaid nothing, so its balance is its face value.
            "original_balance": balance,
            "original_term": original_term,
            "seasoning": seasoning,
            "annual_pd": _FACTORING_PD[grade_ix][obligor],
            "lgd": lgd[obligor],
            "grade": np.array(GRADES, dtype=object)[grade_ix][obligor],
            "obligor_id": _ids("SP", obligor + 1),
            "region": region[obligor],
            "industry": industry[obligor],
            # Trade-receivable tapes carry the supplier's grade, not a score.
            "score": np.full(n, np.nan),
        }
    )


def _frame(columns: dict[str, NDArray[Any]]) -> pd.DataFrame:
    """The pool frame with the canonical dtypes; text stays ``object`` (no string inference)."""
    return pd.DataFrame(
        {name: pd.Series(values, dtype=POOL_DTYPES[name]) for name, values in columns.items()}
    )


def _obligor_of_loan(loans_per_obligor: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    """Obligor index (0-based, sorted) of each of ``n`` loans.

    Obligors take ``loans_per_obligor`` loans each, in order, until ``n`` loans are assigned;
    the last obligor gets what is left. ``loans_per_obligor`` must sum to at least ``n``.
    """
    total = np.cumsum(loans_per_obligor)
    m = int(np.searchsorted(total, n)) + 1
    counts = loans_per_obligor[:m].copy()
    counts[-1] -= total[m - 1] - n
    return np.repeat(np.arange(m), counts)


def _ids(
    prefix: str, numbers: NDArray[np.int64], suffix: NDArray[np.int64] | None = None
) -> NDArray[np.object_]:
    """Identifiers ``prefix`` + zero-padded number (six digits or more) [+ "-" + 2-digit suffix]."""
    width = max(6, len(str(int(numbers.max()))))
    ids = np.strings.add(prefix, np.strings.zfill(numbers.astype(str), width))
    if suffix is not None:
        ids = np.strings.add(np.strings.add(ids, "-"), np.strings.zfill(suffix.astype(str), 2))
    return ids.astype(object)
