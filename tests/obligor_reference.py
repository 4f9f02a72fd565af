"""An independent obligor-by-obligor simulation of the one-factor Gaussian copula, and the
heterogeneous pools it is checked on (issue 15).

The reference shares no code with :mod:`abs_tool.credit.copula`: it is the model of DOMAIN.md
written out plainly for the one case where it needs no waterfall, bullet receivables that
all mature at the horizon T, no prepayment, no interest and immediate recovery. Then

- an obligor's cumulative default probability by T is ``F_o = 1 - (1 - p_o)^(T / 12)``, the
  constant-hazard curve that the tool applies to an :class:`~abs_tool.AnnualPd` assumption
  (DOMAIN.md: h = -ln(1 - p) / 12, F(t) = 1 - exp(-h t); ``default_curves`` in
  abs_tool/credit/curves.py computes it as ``-expm1(log1p(-p) t / 12)`` with p capped at
  ``PD_CAP`` = 0.9999), where ``p_o`` is the balance-weighted annual PD of the obligor's
  receivables;
- obligor o defaults by T iff ``sqrt(rho) Z + sqrt(1 - rho) e_o <= Phi^-1(F_o)``, with Z and
  the e_o independent standard normals, and then all of its receivables default: a bullet
  receivable is outstanding until T, so its whole balance;
- the pool loses ``L = LGD x (balance of defaulted obligors) / (pool balance)``.

With zero-coupon classes, no fees and sequential pay (:func:`builders.tranched_deal`), a
class [a, d] loses ``min((L - a)^+, d - a) / (d - a)`` of its balance, so every class figure
of the tool is a function of the sample of L.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from abs_tool import Pool

MONTHS = 12  # the deal's legal final: F(T) is then the annual PD itself
PD_CAP = 0.9999  # the tool's cap on annual PDs (abs_tool.model.pool_model.PD_CAP)
LATENT_VALUES_PER_CHUNK = 1 << 22  # 32 MB per (paths, obligors) float64 array
SHORTFALL_TOLERANCE = 1e-9  # a class "defaults" past this share of its balance (DOMAIN.md PD)


def cumulative_pd(annual_pd, months: int = MONTHS) -> np.ndarray:
    """F(T) for an annual PD under a constant monthly hazard (module docstring)."""
    p = np.minimum(np.asarray(annual_pd, dtype=np.float64), PD_CAP)
    return 1.0 - (1.0 - p) ** (months / 12.0)


@dataclass(frozen=True)
class Obligors:
    """Each obligor's total balance and its cumulative PD by the horizon, shape (obligors,)."""

    balance: np.ndarray
    cumulative_pd: np.ndarray

    @property
    def count(self) -> int:
        return len(self.balance)

    @property
    def effective_number(self) -> float:
        """1 / HHI of obligor balances."""
        share = self.balance / self.balance.sum()
        return float(1.0 / (share**2).sum())


def obligors_of(pool: Pool, months: int = MONTHS) -> Obligors:
    """Sum a pool's receivables by ``obligor_id``; the obligor's annual PD is the
    balance-weighted mean of its receivables' tape ``annual_pd``."""
    loans = pool.loans
    if not (loans["amortization"] == "bullet").all() or not (
            loans["remaining_term"] == months).all():
        raise ValueError(f"the reference needs bullet receivables maturing at month {months}")
    frame = pd.DataFrame({"obligor": loans["obligor_id"].to_numpy(),
                          "balance": loans["balance"].to_numpy(dtype=np.float64),
                          "pd_x_balance": (loans["balance"] * loans["annual_pd"]).to_numpy()})
    sums = frame.groupby("obligor", sort=True)[["balance", "pd_x_balance"]].sum()
    balance = sums["balance"].to_numpy()
    annual = sums["pd_x_balance"].to_numpy() / balance
    return Obligors(balance, cumulative_pd(annual, months))


@dataclass(frozen=True)
class Figure:
    """A Monte Carlo estimate and its standard error."""

    value: float
    se: float


@dataclass(frozen=True)
class TrancheFigures:
    attach: float
    detach: float
    el: Figure
    pd: Figure


@dataclass(frozen=True)
class ReferenceResult:
    """The sample of the pool loss fraction L, shape (paths,), and what follows from it."""

    losses: np.ndarray

    @property
    def paths(self) -> int:
        return len(self.losses)

    def mean_loss(self) -> Figure:
        return _mean(self.losses)

    def tranche(self, attach: float, detach: float) -> TrancheFigures:
        width = detach - attach
        written_down = np.clip(self.losses - attach, 0.0, width) / width
        hit = written_down > SHORTFALL_TOLERANCE
        return TrancheFigures(attach, detach, _mean(written_down), _mean(hit.astype(float)))

    def tranches(self, cuts) -> list[TrancheFigures]:
        """Figures of the classes cut at ``cuts`` (0 .. 1), senior first as
        :attr:`abs_tool.MonteCarloResult.classes`."""
        return [self.tranche(a, d) for a, d in zip(cuts[:-1], cuts[1:], strict=True)][::-1]

    def quantile(self, q: float) -> float:
        """The lower q-quantile inf{x : F_n(x) >= q} of the sample."""
        ordered = self._ordered
        # q n may land a rounding error above an integer; that must not skip an order statistic
        index = min(max(math.ceil(q * self.paths - 1e-9) - 1, 0), self.paths - 1)
        return float(ordered[index])

    def quantile_bracket(self, q: float, eps: float) -> tuple[float, float]:
        """Sample quantiles at q -+ eps: where the true q-quantile lies when eps is k
        standard errors sqrt(q (1 - q) / paths) of the empirical CDF (an order-statistic
        interval; it needs no density, which a lumpy loss distribution does not have)."""
        return self.quantile(max(q - eps, 0.0)), self.quantile(min(q + eps, 1.0))

    def quantile_se(self, q: float) -> float:
        """Half the width of the one-standard-error order-statistic interval: an asymptotic
        s.e. of the sample quantile (Q'(q) sqrt(q (1 - q) / n) by finite differences)."""
        low, high = self.quantile_bracket(q, math.sqrt(q * (1 - q) / self.paths))
        return 0.5 * (high - low)

    @functools.cached_property
    def _ordered(self) -> np.ndarray:
        return np.sort(self.losses)


def _mean(x: np.ndarray) -> Figure:
    return Figure(float(x.mean()), float(x.std(ddof=1) / math.sqrt(len(x))))


def simulate_pool_losses(obligors: Obligors, rho: float, lgd: float, paths: int,
                         seed: int) -> ReferenceResult:
    """Draw ``paths`` pool loss fractions, obligor by obligor.

    Obligor o defaults iff ``U_o <= Phi((Phi^-1(F_o) - sqrt(rho) Z) / sqrt(1 - rho))`` with
    U_o uniform: the event ``sqrt(rho) Z + sqrt(1 - rho) e_o <= Phi^-1(F_o)`` for
    ``e_o = Phi^-1(U_o)``, drawn as a uniform because numpy's uniforms cost a third of its
    normals. Paths go in chunks of at most :data:`LATENT_VALUES_PER_CHUNK` obligor draws
    (memory stays near 100 MB for any pool), each chunk from its own child of
    ``SeedSequence(seed)``.
    """
    if not 0.0 <= rho < 1.0:
        raise ValueError(f"rho must be in [0, 1) (got {rho})")
    # Conditional PDs once per distinct PD, not per obligor: ndtr is the costly step.
    distinct, which = np.unique(obligors.cumulative_pd, return_inverse=True)
    threshold = ndtri(distinct)  # -inf for PD 0: never defaults
    share = obligors.balance / obligors.balance.sum()
    chunk = max(1, LATENT_VALUES_PER_CHUNK // obligors.count)
    n_chunks = math.ceil(paths / chunk)
    losses = np.empty(paths)
    children = np.random.SeedSequence(seed).spawn(n_chunks)
    for i, child in enumerate(children):
        rng = np.random.default_rng(child)
        start = i * chunk
        size = min(chunk, paths - start)
        z = rng.standard_normal(size)
        conditional = ndtr((threshold[None, :] - math.sqrt(rho) * z[:, None])
                           / math.sqrt(1.0 - rho))
        defaulted = rng.random((size, obligors.count)) <= conditional[:, which]
        losses[start:start + size] = lgd * (defaulted @ share)
    return ReferenceResult(losses)


def reference_for(pool: Pool, rho: float, lgd: float, paths: int, seed: int,
                  months: int = MONTHS) -> ReferenceResult:
    return simulate_pool_losses(obligors_of(pool, months), rho, lgd, paths, seed)


def loss_moments(obligors: Obligors, rho: float, lgd: float,
                 nodes: int = 4001) -> tuple[float, float]:
    """E[L] and Var[L] by quadrature over the factor, a check on the simulation that needs
    no sampling: given Z the obligors default independently with ``p_o(Z)``, so
    ``Var L = Var_Z(E[L | Z]) + E_Z(Var[L | Z])`` with ``E[L | Z] = LGD sum s_o p_o(Z)`` and
    ``Var[L | Z] = LGD^2 sum s_o^2 p_o(Z) (1 - p_o(Z))`` (s_o: balance shares). The
    trapezoidal rule on [-8.5, 8.5] is exact to rounding for these smooth integrands."""
    z = np.linspace(-8.5, 8.5, nodes)
    w = np.exp(-0.5 * z**2)
    w /= w.sum()
    share = obligors.balance / obligors.balance.sum()
    p = ndtr((ndtri(obligors.cumulative_pd)[None, :] - math.sqrt(rho) * z[:, None])
             / math.sqrt(1.0 - rho))  # (nodes, obligors)
    conditional_mean = lgd * (p @ share)
    conditional_var = lgd**2 * (p * (1.0 - p)) @ share**2
    mean = float(w @ conditional_mean)
    return mean, float(w @ (conditional_mean - mean) ** 2 + w @ conditional_var)


@dataclass(frozen=True)
class Comparison:
    """One figure of a tool run against the reference, with the interval the tool's value
    must fall in: K combined standard errors for means, an order-statistic bracket widened
    by one histogram bin for quantiles (the tool reports no quantile s.e.)."""

    figure: str
    tool: float
    tool_se: float | None
    reference: float
    reference_se: float
    low: float
    high: float

    @property
    def ok(self) -> bool:
        return self.low <= self.tool <= self.high

    @property
    def relative(self) -> float:
        return self.tool / self.reference - 1.0 if self.reference else math.nan

    @property
    def z(self) -> float:
        """Difference in combined standard errors (NaN for quantiles)."""
        if self.tool_se is None:
            return math.nan
        combined = math.hypot(self.tool_se, self.reference_se)
        return (self.tool - self.reference) / combined if combined else math.nan

    def __str__(self) -> str:
        tool_se = "-" if self.tool_se is None else f"{self.tool_se:.2g}"
        return (f"{self.figure}: tool {self.tool:.6g} (se {tool_se}), reference "
                f"{self.reference:.6g} (se {self.reference_se:.2g}), accepted "
                f"[{self.low:.6g}, {self.high:.6g}], relative {self.relative:+.1%}")


QUANTILE_LEVELS = (0.99, 0.999)


def compare(result, reference: ReferenceResult, cuts, k: float) -> list[Comparison]:
    """Every class's EL and PD and the pool loss quantiles of ``result`` (an
    :class:`abs_tool.MonteCarloResult` of :func:`builders.tranched_deal` cut at ``cuts``,
    plain sampling) against ``reference``."""
    rows = []
    for cls, ref in zip(result.classes, reference.tranches(cuts), strict=True):
        for what, tool, exact in (("EL", cls.expected_loss, ref.el), ("PD", cls.pd, ref.pd)):
            band = k * math.hypot(tool.se, exact.se)
            rows.append(Comparison(f"{cls.name} {what}", tool.value, tool.se, exact.value,
                                   exact.se, exact.value - band, exact.value + band))
    band = k * math.hypot(result.pool_loss_rate.mean.se, reference.mean_loss().se)
    mean = reference.mean_loss().value
    rows.append(Comparison("pool EL", result.pool_loss_rate.mean.value,
                           result.pool_loss_rate.mean.se, mean, reference.mean_loss().se,
                           mean - band, mean + band))
    bin_width = 1.0 / len(result.pool_loss_rate.density)
    for q in QUANTILE_LEVELS:
        # Both empirical CDFs stray from the true one by ~sqrt(q (1 - q) / n) at the
        # quantile, so the tool's quantile lies between the reference's at q -+ k times
        # their combined spread; the tool's histogram puts it anywhere in its bin.
        eps = k * math.sqrt(q * (1 - q) * (1 / result.paths + 1 / reference.paths))
        low, high = reference.quantile_bracket(q, eps)
        rows.append(Comparison(f"pool q{q:g}", result.pool_loss_rate.quantiles[q], None,
                               reference.quantile(q), reference.quantile_se(q),
                               low - bin_width, high + bin_width))
    return rows


def binned_cdf(losses: np.ndarray, bins: int) -> np.ndarray:
    """The CDF at the right edge of each of ``bins`` equal bins on [0, 1], binned as the
    tool bins its pool loss histogram."""
    index = np.clip(np.floor(losses * bins), 0, bins - 1).astype(np.int64)
    return np.cumsum(np.bincount(index, minlength=bins)) / len(losses)


def ks_distance(cdf_a: np.ndarray, cdf_b: np.ndarray) -> float:
    """sup |F_a - F_b| over bin edges, allowing either CDF one bin of shift: an atom of the
    loss on a bin edge may fall in either neighbour depending on rounding."""
    return float(max(0.0, (cdf_a[:-1] - cdf_b[1:]).max(), (cdf_b[:-1] - cdf_a[1:]).max()))


def ks_critical(n: int, m: int, alpha: float) -> float:
    """Two-sample Kolmogorov-Smirnov critical distance at level ``alpha`` (asymptotic; for
    distributions with atoms and for binned data the test is conservative). ``m = 0`` for
    one sample against an exact CDF."""
    scale = 1.0 / n + (1.0 / m if m else 0.0)
    return math.sqrt(-math.log(alpha / 2.0) / 2.0 * scale)


# ---------------------------------------------------------------------------------------------
# Pools: bullet, zero-rate receivables maturing at the deal's legal final (builders.tranched_deal
# with months=MONTHS), so that the reference above is exact for the tool's model.


def receivables_pool(balance, obligor, annual_pd, lgd: float, name: str,
                     months: int = MONTHS) -> Pool:
    """A pool of bullet receivables at zero rate, one row each; ``obligor`` and
    ``annual_pd`` are per receivable."""
    balance = np.asarray(balance, dtype=np.float64)
    n = len(balance)
    ids = [f"R{i:05d}" for i in range(n)]
    return Pool(pd.DataFrame({
        "loan_id": ids, "balance": balance, "rate": 0.0, "remaining_term": months,
        "amortization": "bullet", "original_balance": balance, "original_term": months,
        "seasoning": 0, "annual_pd": np.broadcast_to(np.asarray(annual_pd, float), n),
        "lgd": lgd, "grade": "A", "obligor_id": [str(o) for o in obligor], "region": "R",
        "industry": "I", "score": np.nan,
    }), name)


def lognormal_pool(pd_annual: float, lgd: float, *, loans: int = 300, sigma: float = 1.0,
                   seed: int = 11) -> Pool:
    """(a) One loan per obligor, lognormal balances."""
    rng = np.random.default_rng(seed)
    balance = 1e5 * rng.lognormal(0.0, sigma, loans)
    return receivables_pool(balance, [f"O{i}" for i in range(loans)], pd_annual, lgd,
                            "lognormal")


def zipf_exponent(obligors: int, top_share: float) -> float:
    """The s for which the largest of ``obligors`` Zipf weights k^-s holds ``top_share``."""
    k = np.arange(1, obligors + 1, dtype=np.float64)
    low, high = 0.0, 10.0  # share rises with s: 1 / obligors at 0, ~1 at 10
    for _ in range(100):
        s = 0.5 * (low + high)
        if 1.0 / (k**-s).sum() < top_share:
            low = s
        else:
            high = s
    return 0.5 * (low + high)


def split_among(total: np.ndarray, counts: np.ndarray, rng: np.random.Generator,
                concentration: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Split each ``total[o]`` into ``counts[o]`` receivables by Dirichlet shares; returns
    (balance, owner index), rows shuffled so that an obligor's receivables are not adjacent
    (the tool must not rely on tape order)."""
    owner = np.repeat(np.arange(len(total)), counts)
    weight = rng.gamma(concentration, 1.0, len(owner))
    per_owner = np.bincount(owner, weights=weight, minlength=len(total))
    balance = total[owner] * weight / per_owner[owner]
    order = rng.permutation(len(owner))
    return balance[order], owner[order]


def zipf_pool(lgd: float, *, receivables: int = 2000, obligors: int = 150,
              top_share: float = 0.05, pds=(0.02, 0.03, 0.04), seed: int = 12) -> Pool:
    """(b) Receivables of Zipf-sized obligors, the largest holding ``top_share``; each
    obligor's receivables in proportion to its size (at least one). Receivable PDs are drawn
    from ``pds``, so an obligor's PD is a balance-weighted mix (issue 15, item 1)."""
    rng = np.random.default_rng(seed)
    s = zipf_exponent(obligors, top_share)
    size = np.arange(1, obligors + 1, dtype=np.float64) ** -s
    size /= size.sum()
    extra = receivables - obligors
    counts = 1 + np.floor(size * extra).astype(np.int64)
    leftover = receivables - counts.sum()
    counts[np.argsort(-(size * extra % 1.0))[:leftover]] += 1  # largest remainders
    balance, owner = split_among(1e8 * size, counts, rng)
    pd_annual = rng.choice(np.asarray(pds), len(balance))
    return receivables_pool(balance, [f"O{o}" for o in owner], pd_annual, lgd, "zipf")


def factoring_pool(lgd: float, *, obligors: int = 1500,
                   core_shares=(0.03, 0.02, 0.015, 0.012, 0.01), core_receivables: int = 150,
                   sigma: float = 1.0, core_pd: float = 0.015, pds=(0.02, 0.03, 0.045),
                   seed: int = 13) -> Pool:
    """(c) Factoring-like: a few core obligors with large shares and many receivables each,
    and a lognormal tail of small obligors with 1 + Poisson(4) receivables each. PDs are per
    obligor (core obligors better rated), as a supply-chain tape carries them."""
    rng = np.random.default_rng(seed)
    core = np.asarray(core_shares, dtype=np.float64)
    tail = rng.lognormal(0.0, sigma, obligors - len(core))
    tail *= (1.0 - core.sum()) / tail.sum()
    size = np.concatenate([core, tail])
    counts = np.concatenate([np.full(len(core), core_receivables),
                             1 + rng.poisson(4.0, len(tail))])
    obligor_pd = np.concatenate([np.full(len(core), core_pd),
                                 rng.choice(np.asarray(pds), len(tail))])
    balance, owner = split_among(2e9 * size, counts, rng)
    return receivables_pool(balance, [f"O{o}" for o in owner], obligor_pd[owner], lgd,
                            "factoring")


def equal_pool(pd_annual: float, lgd: float, *, loans: int = 300) -> Pool:
    """(d) One loan per obligor, equal balances: the finite homogeneous pool."""
    return receivables_pool(np.full(loans, 1e5), [f"O{i}" for i in range(loans)], pd_annual,
                            lgd, "equal")


def merged_by_obligor(pool: Pool) -> Pool:
    """One loan per obligor: its receivables' balance summed, its PD their balance-weighted
    annual PD (the same obligor model, so the same loss distribution)."""
    loans = pool.loans
    frame = pd.DataFrame({"obligor": loans["obligor_id"].to_numpy(),
                          "balance": loans["balance"].to_numpy(dtype=np.float64),
                          "pd_x_balance": (loans["balance"] * loans["annual_pd"]).to_numpy(),
                          "lgd": loans["lgd"].to_numpy()})
    if frame.groupby("obligor")["lgd"].nunique().max() > 1:
        raise ValueError("merging needs one LGD per obligor")
    sums = frame.groupby("obligor", sort=True).agg(
        balance=("balance", "sum"), pd_x_balance=("pd_x_balance", "sum"), lgd=("lgd", "first"))
    return receivables_pool(sums["balance"], sums.index,
                            sums["pd_x_balance"] / sums["balance"], float(sums["lgd"].iloc[0]),
                            f"{pool.name} merged by obligor",
                            months=int(loans["remaining_term"].iloc[0]))
