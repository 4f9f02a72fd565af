"""Indicative ratings from metrics, with the criteria tables of
:mod:`abs_tool.io.rating_tables` (DOMAIN.md, "Metrics").

:func:`dirr_rating` (reduction in yield), :func:`pd_rating` (PD at the class WAL under a
constant hazard, ``1 - (1 - PD10)^(T/10)``), :func:`el_rating` (EL against thresholds by
horizon; the shipped EL table is *derived* as ``PD(T) x LGD_ref`` by :func:`derive_el_table`,
not Moody's published idealized EL), and target default rates (:func:`tdr`) compared with
break-even default rates. A rating is a Moody's symbol (:mod:`abs_tool.model.scales`);
``"NR"`` means no rating of the table is met (or the metric is NaN).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from abs_tool.errors import InputError
from abs_tool.io.rating_tables import RatingTable, TableKind, _default_table
from abs_tool.model.scales import _GENERIC_CAA, _RANK, NOT_RATED, from_local_scale

_RANK[_GENERIC_CAA] = _RANK["Caa2"]
_EL_HORIZONS = tuple(map(float, range(1, 11)))  # years of the shipped EL table

# Thresholds scaled to a WAL (power law) or interpolated carry rounding of ~1e-16; a class
# whose metric sits exactly on a tabulated bound must still get that rating, as the table
# states. A relative slack of 1e-12 absorbs that and is far below the tables' 2-4 digits.
_BOUND_SLACK = 1e-12


def derive_el_table(
    pd_table: RatingTable | None = None,
    lgd_ref: float = 1.0,
    horizons: Sequence[float] = _EL_HORIZONS,
    name: str = "idealized_el_derived",
) -> RatingTable:
    """EL thresholds derived from a PD table: ``EL(T) = (1 - (1 - PD10)^(T/10)) x LGD_ref``.

    This is how the shipped ``idealized_el_derived`` table was made (with ``LGD_ref = 1.0``
    and T = 1..10 years). It is a derivation by this tool, not Moody's published idealized
    expected loss rates, and the table says so in its source and label.

    Parameters
    ----------
    pd_table : RatingTable, optional
        A ``pd`` table; by default the built-in ``idealized_pd_moodys``.
    lgd_ref : float, default 1.0
        Reference LGD in (0, 1].
    horizons : sequence of float, default 1..10
        Horizons in years (increasing, positive).
    name : str
        Name of the new table.

    Returns
    -------
    RatingTable
        Kind ``el``, label "indicative", ``lgd_ref`` recorded.

    Raises
    ------
    InputError
        ``pd_table`` is not a ``pd`` table or ``lgd_ref`` is outside (0, 1].
    RatingTableError
        Invalid horizons.
    """
    source_table = _default_table(pd_table, "idealized_pd_moodys", "pd")
    if not (0.0 < lgd_ref <= 1.0):
        raise InputError(f"`lgd_ref` must be in (0, 1] (got {lgd_ref!r})")
    t = np.asarray(horizons, dtype=np.float64)
    pd_t = _scale_pd(source_table.values[:, 0], source_table.horizons[0], t[:, None]).T
    return RatingTable(
        name=name,
        kind="el",
        ratings=source_table.ratings,
        thresholds=tuple(tuple(float(v) for v in row) for row in pd_t * lgd_ref),
        horizons=tuple(float(h) for h in t),
        source=(
            f"Derived by abs_tool from `{source_table.name}` ({source_table.source}) as "
            f"EL(T) = (1 - (1 - PD10)^(T/10)) x LGD_ref with LGD_ref = {lgd_ref:g}; not Moody's "
            "published idealized expected loss rates."
        ),
        label="indicative",
        lgd_ref=float(lgd_ref),
        description=(
            "Expected-loss threshold by rating and horizon (fraction of the class balance). "
            "A class gets the best rating whose threshold at its WAL is at or above its EL; "
            "between horizons thresholds are interpolated linearly in WAL (from 0 at WAL 0)."
        ),
    )


# --------------------------------------------------------------------------------------------
# Ratings from metrics


def _scale_pd(pd_h: ArrayLike, horizon: float, wal_years: ArrayLike) -> NDArray[np.float64]:
    """Constant-hazard scaling of a cumulative PD at ``horizon`` to ``wal_years``.

    ``1 - (1 - PD_H)^(T/H)``, computed as ``-expm1(T/H * log1p(-PD_H))`` so that small PDs
    keep their digits; PD_H = 1 gives 1 for any T > 0.
    """
    with np.errstate(divide="ignore"):
        log_survival = np.log1p(-np.asarray(pd_h, dtype=np.float64))
    return np.asarray(-np.expm1(np.asarray(wal_years, dtype=np.float64) / horizon * log_survival))


def _wal(wal_years: ArrayLike) -> NDArray[np.float64]:
    t = np.asarray(wal_years, dtype=np.float64)
    bad = ~np.isnan(t) & ~((t > 0) & np.isfinite(t))
    if np.any(bad):
        raise InputError(
            f"`wal_years` must be a positive number of years (got {float(t[bad].flat[0])!r})"
        )
    return t


def _metric(name: str, value: ArrayLike, lo: float, hi: float) -> NDArray[np.float64]:
    v = np.asarray(value, dtype=np.float64)
    bad = ~np.isnan(v) & ((v < lo) | (v > hi))
    if np.any(bad):
        raise InputError(f"`{name}` must be in [{lo:g}, {hi:g}] (got {float(v[bad].flat[0])!r})")
    return v


def _assign(metric: NDArray[np.float64], bounds: NDArray[np.float64],
            ratings: tuple[str, ...]) -> Any:
    """Best rating whose bound is >= the metric; ``bounds`` has shape metric.shape + (n,).

    The bounds are non-decreasing along the last axis, so the number of bounds below the
    metric is the index of that rating; past the last one, or for NaN, "NR".
    """
    index = np.sum(bounds < metric[..., None], axis=-1)
    symbols = np.asarray((*ratings, NOT_RATED))
    out = symbols[index]
    out = np.where(np.isnan(metric), NOT_RATED, out)
    return out[()]


def dirr_rating(dirr_bp: ArrayLike, table: RatingTable | None = None) -> Any:
    """Rating from the reduction in yield: best rating whose DIRR bound (bp) is >= ``dirr_bp``.

    Parameters
    ----------
    dirr_bp : array_like
        Class DIRR in basis points (coupon minus realised yield; may be negative). NaN gives
        "NR".
    table : RatingTable, optional
        A ``dirr_bp`` table; by default the built-in ``dirr_moodys_style`` (indicative).

    Returns
    -------
    ndarray of str
        Moody's symbols, same shape as ``dirr_bp``; "NR" beyond the table's worst bound.

    Raises
    ------
    InputError
        ``table`` is not a ``dirr_bp`` table.
    """
    t = _default_table(table, "dirr_moodys_style", "dirr_bp")
    metric = np.asarray(dirr_bp, dtype=np.float64)
    bounds = np.broadcast_to(t.values[:, 0], (*metric.shape, len(t.ratings)))
    return _assign(metric, bounds, t.ratings)


def pd_rating(pd: ArrayLike, wal_years: ArrayLike, table: RatingTable | None = None) -> Any:
    """Rating from a class PD: best rating whose idealized PD at the class WAL is >= ``pd``.

    The threshold of rating R at a WAL of T years is ``1 - (1 - PD10_R)^(T/10)``: the
    10-year idealized PD scaled at a constant hazard (indicative, DOMAIN.md).

    Parameters
    ----------
    pd : array_like
        Probability that the class suffers any shortfall by legal final, in [0, 1]; NaN gives
        "NR".
    wal_years : array_like
        Class WAL in years (> 0), broadcast with ``pd_``; NaN gives "NR".
    table : RatingTable, optional
        A ``pd`` table; by default the built-in ``idealized_pd_moodys`` (indicative).

    Returns
    -------
    ndarray of str
        Moody's symbols, broadcast shape of ``pd_`` and ``wal_years``.

    Raises
    ------
    InputError
        ``pd_`` outside [0, 1], ``wal_years`` not positive, or not a ``pd`` table.
    """
    t = _default_table(table, "idealized_pd_moodys", "pd")
    p, wal = np.broadcast_arrays(_metric("pd", pd, 0.0, 1.0), _wal(wal_years))
    bounds = _scale_pd(t.values[:, 0], t.horizons[0], wal[..., None])
    metric = np.where(np.isnan(wal), np.nan, p)
    return _assign(metric, bounds * (1.0 + _BOUND_SLACK), t.ratings)


def el_rating(
    el: ArrayLike,
    wal_years: ArrayLike,
    table: RatingTable | None = None,
    lgd_ref: float | None = None,
) -> Any:
    """Rating from a class EL: best rating whose EL threshold at the class WAL is >= ``el``.

    The threshold at WAL T is interpolated linearly between the table's horizons, and from 0
    at T = 0 below the first; a WAL beyond the last horizon is refused rather than
    extrapolated. With the shipped derived table and ``lgd_ref = L`` the threshold is
    ``(1 - (1 - PD10)^(T/10)) x L`` at whole years.

    Parameters
    ----------
    el : array_like
        Class expected loss as a fraction of its balance, in [0, 1]; NaN gives "NR".
    wal_years : array_like
        Class WAL in years (> 0), broadcast with ``el``; NaN gives "NR".
    table : RatingTable, optional
        An ``el`` table; by default the built-in ``idealized_el_derived`` (indicative).
    lgd_ref : float, optional
        Reference LGD in (0, 1] that replaces the table's own ``lgd_ref``: thresholds are
        scaled by ``lgd_ref / table.lgd_ref``. Only for tables derived as PD x LGD_ref.

    Returns
    -------
    ndarray of str
        Moody's symbols, broadcast shape of ``el`` and ``wal_years``.

    Raises
    ------
    InputError
        ``el`` outside [0, 1], ``wal_years`` not positive or beyond the last horizon, not an
        ``el`` table, or ``lgd_ref`` given for a table without one or outside (0, 1].
    """
    t = _default_table(table, "idealized_el_derived", "el")
    scale = 1.0
    if lgd_ref is not None:
        if t.lgd_ref is None:
            raise InputError(
                f"rating table `{t.name}` is not derived as PD x LGD_ref (its `lgd_ref` is "
                "null), so `lgd_ref` cannot rescale it; leave `lgd_ref` out"
            )
        if not (0.0 < lgd_ref <= 1.0):
            raise InputError(f"`lgd_ref` must be in (0, 1] (got {lgd_ref!r})")
        scale = lgd_ref / t.lgd_ref
    e, wal = np.broadcast_arrays(_metric("el", el, 0.0, 1.0), _wal(wal_years))
    metric = np.where(np.isnan(wal), np.nan, e)
    return _assign(metric, _el_bounds(t, wal) * scale * (1.0 + _BOUND_SLACK), t.ratings)


def _el_bounds(t: RatingTable, wal: NDArray[np.float64]) -> NDArray[np.float64]:
    """EL thresholds of every rating at ``wal``: shape wal.shape + (ratings,)."""
    last = t.horizons[-1]
    if np.any(wal > last):
        raise InputError(
            f"`wal_years` {float(wal[wal > last].flat[0])!r} is beyond the last horizon of "
            f"rating table `{t.name}` ({last:g} years); add columns up to year_<WAL>"
        )
    grid = np.concatenate([[0.0], t.horizons])
    return np.stack(
        [np.interp(wal, grid, np.concatenate([[0.0], row])) for row in t.values], axis=-1
    )


def rating_threshold(
    kind: TableKind, rating: str, wal_years: float | None = None,
    table: RatingTable | None = None,
) -> float:
    """The bound a class must stay within to earn ``rating`` under one criterion: the EL or
    PD threshold at its WAL (``el``, ``pd``), or the DIRR upper bound in bp (``dirr_bp``).

    ``rating`` may be local or Moody's; a table without notches in Caa matches by rank.

    Raises
    ------
    InputError
        Unknown rating, a rating the table does not list, or a bad WAL.
    """
    defaults = {"el": "idealized_el_derived", "pd": "idealized_pd_moodys",
                "dirr_bp": "dirr_moodys_style"}
    t = _default_table(table, defaults[kind], kind)
    rank = _RANK[from_local_scale(rating)]
    rows = [i for i, r in enumerate(t.ratings) if _RANK[r] == rank]
    if not rows:
        raise InputError(f"rating {rating!r} is not in rating table `{t.name}`")
    row = rows[0]
    if kind == "dirr_bp":
        return float(t.values[row, 0])
    wal = _wal(np.nan if wal_years is None else wal_years)
    if np.isnan(wal):
        raise InputError(f"a {kind} threshold needs the class WAL in years (got {wal_years!r})")
    if kind == "pd":
        return float(_scale_pd(t.values[row, 0], t.horizons[0], wal))
    return float(_el_bounds(t, wal)[..., row])


# --------------------------------------------------------------------------------------------
# Target default rates (S&P / Chinese-agency style)


def weighted_quantile(
    values: ArrayLike, q: ArrayLike, weights: ArrayLike | None = None
) -> Any:
    """Quantile of a weighted sample: the smallest value whose weighted CDF is >= q.

    This is numpy's ``method="inverted_cdf"`` extended to weights (equal weights give exactly
    ``np.quantile(values, q, method="inverted_cdf")``). Importance-sampling weights are
    self-normalised: only their ratios matter.

    Parameters
    ----------
    values : array_like, shape (paths,)
        Sample; NaN is refused.
    q : array_like
        Probability levels in [0, 1].
    weights : array_like, shape (paths,), optional
        Non-negative finite weights with a positive sum; default all 1.

    Returns
    -------
    ndarray of float64
        Quantiles, shape of ``q``.

    Raises
    ------
    InputError
        Empty or NaN sample, weights of another length, negative, non-finite or all zero, or
        ``q`` outside [0, 1].
    """
    x = np.asarray(values, dtype=np.float64).ravel()
    if x.size == 0 or np.any(np.isnan(x)):
        raise InputError("the sample for a quantile must be non-empty and contain no NaN")
    qq = np.asarray(q, dtype=np.float64)
    if np.any(~((qq >= 0.0) & (qq <= 1.0))):
        raise InputError(f"quantile levels must be in [0, 1] (got {qq.ravel().tolist()})")
    if weights is None:
        w = np.ones_like(x)
    else:
        w = np.asarray(weights, dtype=np.float64).ravel()
        if w.shape != x.shape:
            raise InputError(
                f"`weights` must have one weight per sample value (got {w.size} for {x.size})"
            )
        if not np.all(np.isfinite(w)) or np.any(w < 0) or not w.sum() > 0:
            raise InputError("`weights` must be finite, >= 0 and not all zero")
    order = np.argsort(x, kind="stable")
    cumulative = np.cumsum(w[order])
    # Compare against q * total rather than dividing, so unit weights reproduce numpy's
    # integer arithmetic (index ceil(n q) - 1) exactly.
    index = np.searchsorted(cumulative, qq * cumulative[-1], side="left")
    return x[order][np.minimum(index, x.size - 1)][()]


@dataclass(frozen=True)
class TargetDefaultRates:
    """Target default rate per rating, from the simulated lifetime pool default rate.

    Attributes
    ----------
    ratings : tuple of str
        Ratings tested, best first.
    confidence : tuple of float
        ``1 - PD_R(T)`` with ``PD_R(T) = 1 - (1 - PD10_R)^(T/10)`` from the PD table.
    tdr : tuple of float
        Quantile of the pool's lifetime cumulative default rate at each confidence level
        (fraction of the pool balance).
    wal_years : float
        The horizon T used (the deal's or class's WAL, years).
    table : str
        Name of the PD table.
    tail_weight : tuple of float or None
        Share of the sample weight strictly above each TDR (None for a quantile function):
        the tail the quantile rests on. Far fewer paths there than ``1 / (1 - confidence)``
        means the TDR is the sample's extreme, not a resolved quantile.
    """

    ratings: tuple[str, ...]
    confidence: tuple[float, ...]
    tdr: tuple[float, ...]
    wal_years: float
    table: str
    tail_weight: tuple[float, ...] | None

    def by_rating(self) -> dict[str, float]:
        """``{rating: TDR}``, best rating first."""
        return dict(zip(self.ratings, self.tdr, strict=True))


def tdr(
    default_rates: ArrayLike | Callable[[NDArray[np.float64]], ArrayLike],
    ratings: Sequence[str] | None = None,
    *,
    wal_years: float,
    table: RatingTable | None = None,
    weights: ArrayLike | None = None,
) -> TargetDefaultRates:
    """Target default rates: the pool default rate each rating must withstand.

    TDR(R) is the quantile of the simulated lifetime cumulative pool default rate at R's
    confidence level, which this tool defines as ``1 - PD_R(T)``: one minus R's idealized
    default probability at the horizon T (``1 - (1 - PD10_R)^(T/10)``, constant-hazard
    scaling of the PD table). A class passes R when its break-even default rate is at or
    above TDR(R) (:func:`bdr_tdr_pass`).

    Parameters
    ----------
    default_rates : array_like, shape (paths,), or callable
        Simulated lifetime pool default rates (fractions of the pool balance), or a quantile
        function ``q -> rate`` such as ``lambda q: lhp_quantile(q, pd, rho)`` (LGD 1).
    ratings : sequence of str, optional
        Ratings to test; by default every rating of the table. Output is best first.
    wal_years : float
        Horizon T in years (> 0): the deal's or class's WAL.
    table : RatingTable, optional
        A ``pd`` table; by default the built-in ``idealized_pd_moodys``.
    weights : array_like, shape (paths,), optional
        Importance-sampling weights of the paths (weighted quantile, self-normalised).

    Returns
    -------
    TargetDefaultRates

    Raises
    ------
    InputError
        A rating not in the table, a bad horizon, sample or weights, or weights given with a
        quantile function.
    """
    t = _default_table(table, "idealized_pd_moodys", "pd")
    horizon_arr = _wal(wal_years)
    horizon = float(horizon_arr) if horizon_arr.ndim == 0 else math.nan
    if math.isnan(horizon):
        raise InputError(
            f"`wal_years` must be one positive number of years (got {wal_years!r})"
        )
    chosen = t.ratings if ratings is None else tuple(ratings)
    missing = [r for r in chosen if r not in t.ratings]
    if missing:
        raise InputError(
            f"rating(s) {missing} not in rating table `{t.name}`; expected some of "
            f"{list(t.ratings)}"
        )
    chosen = tuple(sorted(set(chosen), key=_RANK.__getitem__))
    pd10 = t.values[[t.ratings.index(r) for r in chosen], 0]
    confidence = 1.0 - _scale_pd(pd10, t.horizons[0], horizon)
    if callable(default_rates):
        if weights is not None:
            raise InputError("`weights` apply to a sample, not to a quantile function")
        rates = np.asarray(default_rates(confidence), dtype=np.float64).reshape(confidence.shape)
        tail: tuple[float, ...] | None = None
    else:
        sample = np.asarray(default_rates, dtype=np.float64).ravel()
        rates = np.asarray(weighted_quantile(sample, confidence, weights)).reshape(
            confidence.shape)
        w = np.ones_like(sample) if weights is None else np.asarray(weights, float).ravel()
        tail = tuple(float(w[sample > r].sum() / w.sum()) for r in rates)
    return TargetDefaultRates(
        ratings=chosen,
        confidence=tuple(float(c) for c in confidence),
        tdr=tuple(float(r) for r in rates),
        wal_years=horizon,
        table=t.name,
        tail_weight=tail,
    )


def bdr_tdr_pass(bdr: ArrayLike, tdr_by_rating: Mapping[str, float] | TargetDefaultRates) -> Any:
    """Best rating a class passes: the best R with ``BDR >= TDR(R)``; "NR" if none.

    Parameters
    ----------
    bdr : array_like
        Break-even lifetime pool default rate of the class (fraction); NaN gives "NR".
    tdr_by_rating : mapping or TargetDefaultRates
        ``{rating: TDR}`` with Moody's symbols, or the result of :func:`tdr`.

    Returns
    -------
    ndarray of str
        Shape of ``bdr``.

    Raises
    ------
    InputError
        An unknown rating or a non-finite TDR.
    """
    mapping = tdr_by_rating.by_rating() if isinstance(tdr_by_rating, TargetDefaultRates) else (
        dict(tdr_by_rating))
    unknown = [r for r in mapping if r not in _RANK]
    if unknown:
        raise InputError(f"unknown rating(s) {unknown} in the TDR table")
    bad = {r: v for r, v in mapping.items() if not math.isfinite(v)}
    if bad:
        raise InputError(f"TDRs must be finite numbers (got {bad})")
    ordered = sorted(mapping, key=_RANK.__getitem__)
    b = np.asarray(bdr, dtype=np.float64)
    out = np.full(b.shape, NOT_RATED, dtype=object)
    # Walk from worst to best so that the best passed rating is written last.
    for rating in reversed(ordered):
        out = np.where(b >= mapping[rating], rating, out)
    return np.asarray(out, dtype=str)[()]
