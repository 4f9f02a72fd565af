"""Closed forms of the one-factor Gaussian copula for a homogeneous pool (Vasicek).

Loan ``i`` defaults by the horizon iff ``sqrt(rho) Z + sqrt(1 - rho) e_i <= Phi^-1(pd)`` with
``Z, e_i`` independent standard normals (DOMAIN.md, "Correlated defaults"). Given the common
factor ``Z = z`` the loans default independently with the conditional probability
:func:`conditional_pd`; in the large homogeneous pool (LHP) limit the pool loss fraction is
that probability times LGD (law of large numbers), which gives the Vasicek distribution.

Sources
-------
- O. Vasicek, "Probability of loss on loan portfolio", KMV (1987), and "The distribution of
  loan portfolio value", Risk 15(12), 2002: the LHP loss CDF, quantile and density.
- D. O'Kane, *Modelling Single-name and Multi-name Credit Derivatives*, Wiley 2008, ch. 16
  ("The large homogeneous portfolio model"): tranche expected loss as a bivariate normal
  probability; ch. 17/18 for the finite homogeneous pool by integrating the conditional
  binomial over the factor.
- A. Genz, "Numerical computation of rectangular bivariate and trivariate normal and t
  probabilities", Statistics and Computing 14 (2004) 251-260, after Drezner & Wesolowsky
  (1990): the bivariate normal CDF used here, written for this module from the formulas of
  the paper.

Units: ``pd`` is the cumulative default probability to the horizon (a fraction, not an
annual rate unless the horizon is one year), ``rho`` the asset correlation, ``lgd`` the loss
given default as a fraction of balance, loss ``x`` a fraction of the pool's balance.
Every function broadcasts its array arguments (numpy rules); a result has the broadcast
shape, a scalar where all inputs are scalars.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import integrate, optimize
from scipy.special import ndtr, ndtri
from scipy.stats import binom

from abs_tool.errors import ConvergenceError, InputError
from abs_tool.types import Array

__all__ = [
    "conditional_pd",
    "finite_pool_pmf",
    "finite_pool_tranche_el",
    "lhp_attachment_for_el",
    "lhp_cdf",
    "lhp_pdf",
    "lhp_quantile",
    "lhp_tranche_el",
    "lhp_tranche_el_quadrature",
]


# Factor grid of the finite pool: half-width in Z and the coarsest step (see _factor_grid).
_FACTOR_RANGE = 8.5
_MAX_FACTOR_STEP = 0.1

# Genz (2004) switches to the Drezner-Wesolowsky expansion in sqrt(1 - r^2) above this
# correlation, where the integrand in asin(r) becomes too peaked for a fixed rule.
_BVN_HIGH_CORRELATION = 0.925
# 20-point Gauss-Legendre is the largest rule of Genz (2004); it gives ~1e-15 absolute
# accuracy in both branches, so the cheaper 6- and 12-point rules are not worth the branches.
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(20)


# --------------------------------------------------------------------------------------------
# Validation


def _interval_text(lo: float, hi: float, lo_open: bool, hi_open: bool) -> str:
    return f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"


def _param(
    name: str,
    value: ArrayLike,
    lo: float,
    hi: float,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
) -> Array:
    """``value`` as float64, or InputError naming the first element outside the interval."""
    arr = np.asarray(value, dtype=np.float64)
    ok = (arr > lo if lo_open else arr >= lo) & (arr < hi if hi_open else arr <= hi)
    if not np.all(ok):
        bad = arr[~ok] if arr.ndim else arr
        interval = _interval_text(lo, hi, lo_open, hi_open)
        raise InputError(f"`{name}` must be in {interval} (got {float(np.ravel(bad)[0])!r})")
    return arr


def _pd(value: ArrayLike, name: str = "pd") -> Array:
    return _param(name, value, 0.0, 1.0)


def _rho(value: ArrayLike) -> Array:
    # rho = 1 makes every loan default together; its conditional PD is a step in Z and the
    # closed forms divide by sqrt(1 - rho). Ask for a value below 1 instead.
    return _param("rho", value, 0.0, 1.0, hi_open=True)


def _lgd(value: ArrayLike) -> Array:
    return _param("lgd", value, 0.0, 1.0, lo_open=True)


def _tranche(attach: ArrayLike, detach: ArrayLike) -> tuple[Array, Array]:
    a = _param("attach", attach, 0.0, 1.0, hi_open=True)
    d = _param("detach", detach, 0.0, 1.0, lo_open=True)
    if np.any(a >= d):
        a_b, d_b = np.broadcast_arrays(a, d)
        i = np.flatnonzero(a_b >= d_b)[0]
        raise InputError(
            f"`attach` must be below `detach` (got attach={float(a_b.flat[i])!r}, "
            f"detach={float(d_b.flat[i])!r})"
        )
    return a, d


def _scalar_or_array(arr: Array) -> Any:
    # A 0-d result becomes a numpy scalar, as numpy's own ufuncs return for scalar inputs.
    return arr[()]


# --------------------------------------------------------------------------------------------
# Conditional default probability and the LHP loss distribution


def conditional_pd(pd_cum: ArrayLike, rho: ArrayLike, z: ArrayLike) -> Any:
    """Default probability of one loan given the common factor ``Z = z``.

    ``p(z) = Phi((Phi^-1(pd_cum) - sqrt(rho) z) / sqrt(1 - rho))``; a low ``z`` is a bad
    state of the economy. This is the kernel the Monte Carlo applies to its factor draws.

    Parameters
    ----------
    pd_cum : array_like
        Unconditional cumulative default probability to the horizon, in [0, 1]; 0 and 1
        give 0 and 1 for every ``z``.
    rho : array_like
        Asset correlation in [0, 1); ``rho = 0`` returns ``pd_cum`` exactly.
    z : array_like
        Factor values (finite), e.g. shape ``(paths, 1)`` against ``pd_cum`` of shape
        ``(loans,)`` to give ``(paths, loans)``.

    Returns
    -------
    ndarray of float64
        Conditional probabilities in [0, 1], broadcast shape of the three inputs.

    Raises
    ------
    InputError
        ``pd_cum`` outside [0, 1] or ``rho`` outside [0, 1).
    """
    p = _pd(pd_cum, "pd_cum")
    r = _rho(rho)
    zz = np.asarray(z, dtype=np.float64)
    # ndtri(0) = -inf and ndtri(1) = +inf already give 0 and 1 through ndtr; only rho = 0
    # needs its own branch, because ndtr(ndtri(p)) is p only to rounding.
    with np.errstate(invalid="ignore"):
        mixed = ndtr((ndtri(p) - np.sqrt(r) * zz) / np.sqrt(1.0 - r))
    p_b = np.broadcast_to(p, mixed.shape)
    return _scalar_or_array(np.where(np.broadcast_to(r, mixed.shape) == 0.0, p_b, mixed))


def lhp_cdf(x: ArrayLike, pd: ArrayLike, rho: ArrayLike, lgd: ArrayLike = 1.0) -> Any:
    """P(L <= x) for the large-homogeneous-pool loss fraction L (Vasicek 1987).

    ``P(L <= x) = Phi((sqrt(1 - rho) Phi^-1(x / lgd) - Phi^-1(pd)) / sqrt(rho))`` for
    ``0 <= x < lgd``. When ``rho = 0`` or ``pd`` is 0 or 1 the loss is the constant
    ``pd * lgd`` and the CDF is the step ``1{x >= pd * lgd}``.

    Parameters
    ----------
    x : array_like
        Pool loss as a fraction of the pool balance; below 0 gives 0, at or above ``lgd``
        gives 1, NaN gives NaN.
    pd : array_like
        Cumulative default probability to the horizon, in [0, 1].
    rho : array_like
        Asset correlation in [0, 1).
    lgd : array_like, default 1.0
        Loss given default in (0, 1].

    Returns
    -------
    ndarray of float64
        Probabilities in [0, 1], broadcast shape of the inputs.

    Raises
    ------
    InputError
        A parameter outside its interval.
    """
    xx = np.asarray(x, dtype=np.float64)
    p, r, g = _pd(pd), _rho(rho), _lgd(lgd)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = xx / g
        smooth = ndtr((np.sqrt(1.0 - r) * ndtri(y) - ndtri(p)) / np.sqrt(r))
    point_mass = (r == 0.0) | (p == 0.0) | (p == 1.0)
    out = np.where(point_mass, (xx >= p * g).astype(np.float64), smooth)
    out = np.where(xx < 0.0, 0.0, np.where(xx >= g, 1.0, out))
    return _scalar_or_array(np.where(np.isnan(xx), np.nan, out))


def lhp_quantile(q: ArrayLike, pd: ArrayLike, rho: ArrayLike, lgd: ArrayLike = 1.0) -> Any:
    """Loss fraction x with ``P(L <= x) = q`` under the LHP model (inverse of :func:`lhp_cdf`).

    ``x = lgd * Phi((Phi^-1(pd) + sqrt(rho) Phi^-1(q)) / sqrt(1 - rho))``: the conditional
    loss in the factor state that is exceeded with probability ``1 - q``.

    Parameters
    ----------
    q : array_like
        Probability level in [0, 1]; 0 gives 0 and 1 gives ``lgd`` (the support's ends).
    pd, rho, lgd : array_like
        As in :func:`lhp_cdf`. A degenerate distribution (``rho = 0`` or ``pd`` in {0, 1})
        returns ``pd * lgd`` at every level.

    Returns
    -------
    ndarray of float64
        Loss fractions in [0, lgd], broadcast shape of the inputs.

    Raises
    ------
    InputError
        ``q`` or a parameter outside its interval.
    """
    qq = _param("q", q, 0.0, 1.0)
    p, r, g = _pd(pd), _rho(rho), _lgd(lgd)
    with np.errstate(invalid="ignore", divide="ignore"):
        smooth = g * ndtr((ndtri(p) + np.sqrt(r) * ndtri(qq)) / np.sqrt(1.0 - r))
    point_mass = (r == 0.0) | (p == 0.0) | (p == 1.0)
    return _scalar_or_array(np.where(point_mass, p * g * np.ones_like(smooth), smooth))


def lhp_pdf(x: ArrayLike, pd: ArrayLike, rho: ArrayLike, lgd: ArrayLike = 1.0) -> Any:
    """Density of the LHP loss fraction with respect to x (derivative of :func:`lhp_cdf`).

    With ``u = Phi^-1(x / lgd)``:
    ``f(x) = sqrt((1 - rho) / rho) * exp(u^2 / 2 - (sqrt(1 - rho) u - Phi^-1(pd))^2 / (2 rho))
    / lgd`` on ``0 < x < lgd``, 0 elsewhere. For ``rho > 1/2`` it is unbounded near 0 and
    ``lgd`` (Vasicek 2002), so values may be ``inf`` at the ends of the support.

    Parameters
    ----------
    x : array_like
        Loss fraction; NaN gives NaN.
    pd : array_like
        Cumulative default probability in (0, 1): 0 and 1 make the loss a constant, which
        has no density.
    rho : array_like
        Asset correlation in (0, 1), for the same reason.
    lgd : array_like, default 1.0
        Loss given default in (0, 1].

    Returns
    -------
    ndarray of float64
        Density values (per unit of loss fraction), broadcast shape of the inputs.

    Raises
    ------
    InputError
        A parameter outside its interval.
    """
    xx = np.asarray(x, dtype=np.float64)
    p = _param("pd", pd, 0.0, 1.0, lo_open=True, hi_open=True)
    r = _param("rho", rho, 0.0, 1.0, lo_open=True, hi_open=True)
    g = _lgd(lgd)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        u = ndtri(xx / g)
        exponent = 0.5 * u**2 - (np.sqrt(1.0 - r) * u - ndtri(p)) ** 2 / (2.0 * r)
        dens = np.sqrt((1.0 - r) / r) * np.exp(exponent) / g
    inside = (xx > 0.0) & (xx < g)
    return _scalar_or_array(np.where(np.isnan(xx), np.nan, np.where(inside, dens, 0.0)))


# --------------------------------------------------------------------------------------------
# Tranche expected loss


def _bvn_upper(h: Array, k: Array, r: Array) -> Array:
    """P(X > h, Y > k) for standard normals with correlation r in [0, 1); 1-d arrays.

    Genz (2004), section 2: for r < 0.925 integrate the derivative in r,
    ``phi2(h, k; r)``, over ``asin r`` with Gauss-Legendre; above, integrate from r to 1 in
    ``x = sqrt(1 - t^2)``, subtracting a Taylor approximation of the integrand whose
    integral is known in closed form (Drezner & Wesolowsky 1990), and add
    ``L(h, k, 1) = Phi(-max(h, k))``.
    """
    out = np.empty(h.shape, dtype=np.float64)
    low = r < _BVN_HIGH_CORRELATION
    if np.any(low):
        hl, kl, rl = h[low], k[low], r[low]
        half_angle = 0.5 * np.arcsin(rl)
        sn = np.sin(half_angle[:, None] * (1.0 + _GL_NODES))
        hk = (hl * kl)[:, None]
        hs = (0.5 * (hl**2 + kl**2))[:, None]
        integrand = np.exp((sn * hk - hs) / (1.0 - sn**2))
        integral = half_angle * (integrand @ _GL_WEIGHTS)
        out[low] = ndtr(-hl) * ndtr(-kl) + integral / (2.0 * np.pi)
    high = ~low
    if np.any(high):
        hh, kh, rh = h[high], k[high], r[high]
        hk = hh * kh
        bs = (hh - kh) ** 2
        a_s = (1.0 - rh) * (1.0 + rh)
        a = np.sqrt(a_s)
        b = np.sqrt(bs)
        c = (4.0 - hk) / 8.0
        d = (12.0 - hk) / 16.0
        # Closed-form integral of exp(-(bs/x^2 + hk)/2) * (1 + c x^2 + c d x^4) over [0, a].
        series = a * np.exp(-0.5 * (bs / a_s + hk)) * (
            1.0 - c * (bs - a_s) * (1.0 - d * bs / 5.0) / 3.0 + c * d * a_s**2 / 5.0
        )
        # exp(-hk/2) overflows for very negative hk, where Phi(-b/a) underflows first: the
        # product is then far below double precision, as Genz's own guard assumes.
        with np.errstate(over="ignore", invalid="ignore"):
            tail = np.exp(-0.5 * hk) * np.sqrt(2.0 * np.pi) * ndtr(-b / a) * b * (
                1.0 - c * bs * (1.0 - d * bs / 5.0) / 3.0
            )
        series -= np.where(hk > -100.0, tail, 0.0)
        # The remainder, integrated numerically; it vanishes like x^6 at 0 so the rule is exact
        # to rounding. Exponents are combined so no factor overflows on its own.
        xs = (0.5 * a[:, None] * (1.0 + _GL_NODES)) ** 2
        rs = np.sqrt(1.0 - xs)
        hk2, bs2 = hk[:, None], bs[:, None]
        base = -0.5 * (bs2 / xs + hk2)
        exact = np.exp(base - hk2 * (1.0 - rs) / (2.0 * (1.0 + rs))) / rs
        approx = np.exp(base) * (1.0 + c[:, None] * xs * (1.0 + d[:, None] * xs))
        series += 0.5 * a * ((exact - approx) @ _GL_WEIGHTS)
        out[high] = ndtr(-np.maximum(hh, kh)) - series / (2.0 * np.pi)
    return np.clip(out, 0.0, 1.0)


def _lhp_excess_loss(strike: Array, pd: Array, rho: Array,
                     lgd: Array) -> Array:
    """E[(L - K)^+] under the LHP model for same-shaped arrays (the "call" on pool loss).

    With ``c = Phi^-1(pd)``, ``k = K / lgd`` and ``z_k = (c - sqrt(1 - rho) Phi^-1(k)) /
    sqrt(rho)`` (L > K iff Z < z_k): ``E[L 1{L > K}] = lgd * Phi2(c, z_k; sqrt(rho))``, the
    probability that a loan defaults and the factor is below ``z_k`` (their correlation is
    sqrt(rho)), and ``P(L > K) = Phi(z_k)`` (O'Kane 2008, ch. 16). So
    ``E[(L - K)^+] = lgd * (Phi2(c, z_k; sqrt(rho)) - k Phi(z_k))``.
    """
    out = np.empty(strike.shape, dtype=np.float64)
    mean = pd * lgd
    point_mass = (rho == 0.0) | (pd == 0.0) | (pd == 1.0)
    below = strike <= 0.0
    above = strike >= lgd
    out[point_mass] = np.maximum(mean - strike, 0.0)[point_mass]
    out[below] = mean[below]
    out[above & ~below] = 0.0
    smooth = ~(point_mass | below | above)
    if np.any(smooth):
        k = strike[smooth] / lgd[smooth]
        c = ndtri(pd[smooth])
        r = rho[smooth]
        z_k = (c - np.sqrt(1.0 - r) * ndtri(k)) / np.sqrt(r)
        # Phi2(h, k; r) = P(X > -h, Y > -k; r).
        joint = _bvn_upper(-c, -z_k, np.sqrt(r))
        out[smooth] = lgd[smooth] * np.maximum(joint - k * ndtr(z_k), 0.0)
    return out


def lhp_tranche_el(
    attach: ArrayLike,
    detach: ArrayLike,
    pd: ArrayLike,
    rho: ArrayLike,
    lgd: ArrayLike = 1.0,
) -> Any:
    """Expected loss of tranche [attach, detach] under the LHP model, as a fraction of its size.

    ``EL = (E[(L - a)^+] - E[(L - d)^+]) / (d - a) = E[min((L - a)^+, d - a)] / (d - a)``, each
    excess loss in closed form with the bivariate normal CDF (see :func:`_lhp_excess_loss`).
    The [0, 1] tranche has EL ``pd * lgd`` exactly, and EL times width adds up over adjacent
    tranches. Losses only: no coupon, timing or recovery lag.

    Parameters
    ----------
    attach, detach : array_like
        Tranche attachment and detachment as fractions of the pool, ``0 <= attach < detach
        <= 1``.
    pd, rho, lgd : array_like
        As in :func:`lhp_cdf`.

    Returns
    -------
    ndarray of float64
        Tranche expected loss in [0, 1] (fraction of tranche notional), broadcast shape.

    Raises
    ------
    InputError
        A parameter outside its interval or ``attach >= detach``.
    """
    return _tranche_el(_lhp_excess_loss, attach, detach, pd, rho, lgd)


def _tranche_el(
    excess_loss: Callable[[Array, Array, Array, Array], Array],
    attach: ArrayLike, detach: ArrayLike, pd: ArrayLike, rho: ArrayLike, lgd: ArrayLike,
) -> Any:
    """``(E[(L - a)^+] - E[(L - d)^+]) / (d - a)`` with the parameters checked and broadcast,
    whichever way ``excess_loss(strike, pd, rho, lgd)`` (flat arrays) computes E[(L - K)^+]."""
    a, d = _tranche(attach, detach)
    a, d, p, r, g = np.broadcast_arrays(a, d, _pd(pd), _rho(rho), _lgd(lgd))
    a1, d1, p1, r1, g1 = (np.ravel(v) for v in (a, d, p, r, g))
    el = (excess_loss(a1, p1, r1, g1) - excess_loss(d1, p1, r1, g1)) / (d1 - a1)
    return _scalar_or_array(np.clip(el, 0.0, 1.0).reshape(a.shape))


def _excess_loss_quadrature(strike: float, pd: float, rho: float, lgd: float) -> float:
    """E[(L - K)^+] = integral over z < z_K of (lgd p(z) - K) phi(z), by adaptive quadrature."""
    if strike >= lgd:
        return 0.0
    if rho == 0.0 or pd in (0.0, 1.0):
        return max(pd * lgd - strike, 0.0)
    c = ndtri(pd)
    # Upper limit: the factor value where the conditional loss equals the strike; beyond it
    # the integrand is zero, so the integral is smooth on its whole range.
    z_k = math.inf if strike <= 0.0 else (c - math.sqrt(1.0 - rho) * ndtri(strike / lgd)) / (
        math.sqrt(rho)
    )

    def integrand(z: float) -> float:
        p_z = ndtr((c - math.sqrt(rho) * z) / math.sqrt(1.0 - rho))
        return float((lgd * p_z - strike) * math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi))

    value, _ = integrate.quad(integrand, -math.inf, z_k, epsabs=1e-15, epsrel=1e-12, limit=200)
    return max(float(value), 0.0)


def lhp_tranche_el_quadrature(
    attach: ArrayLike,
    detach: ArrayLike,
    pd: ArrayLike,
    rho: ArrayLike,
    lgd: ArrayLike = 1.0,
) -> Any:
    """Tranche EL of :func:`lhp_tranche_el` by numerical integration over the factor Z.

    An independent cross-check of the closed form: each excess loss ``E[(L - K)^+]`` is the
    integral of ``(lgd p(z) - K) phi(z)`` over ``z < z_K`` with :func:`scipy.integrate.quad`
    (absolute tolerance 1e-15, relative 1e-12). It loops in Python, so use it for tests and
    tables, not inside solvers.

    Parameters
    ----------
    attach, detach, pd, rho, lgd : array_like
        As in :func:`lhp_tranche_el`.

    Returns
    -------
    ndarray of float64
        Tranche expected loss (fraction of tranche notional), broadcast shape.

    Raises
    ------
    InputError
        A parameter outside its interval or ``attach >= detach``.
    """
    return _tranche_el(np.vectorize(_excess_loss_quadrature, otypes=[np.float64]), attach,
                       detach, pd, rho, lgd)


def lhp_attachment_for_el(
    target_el: float,
    pd: float,
    rho: float,
    lgd: float = 1.0,
    detach: float = 1.0,
) -> float:
    """Attachment ``a`` of a tranche [a, detach] whose LHP expected loss equals ``target_el``.

    The tranche EL is the average of ``P(L > x)`` over ``x`` in [a, detach], so it falls
    strictly as ``a`` rises (while the loss distribution has mass above ``a``); the root is
    found with Brent's method to ``|EL(a) - target| <~ 1e-12``. The senior size is then
    ``detach - a``; it shrinks as ``pd`` or ``rho`` grows (the senior tranche's EL rises with
    both: first-order and convex order of the Vasicek distribution).

    Parameters
    ----------
    target_el : float
        Target expected loss of the tranche, fraction of its notional, in (0, 1).
    pd, rho, lgd : float
        As in :func:`lhp_cdf`.
    detach : float, default 1.0
        Detachment of the tranche, in (0, 1].

    Returns
    -------
    float
        Attachment point in (0, min(lgd, detach)).

    Raises
    ------
    InputError
        A parameter outside its interval.
    ConvergenceError
        No attachment in (0, min(lgd, detach)) meets the target: the tranche [0, detach]
        already has an EL at or below it, or even an infinitely thin tranche at ``detach``
        loses more (``P(L > detach) > target``). The message lists the inputs.
    """
    target = float(_param("target_el", target_el, 0.0, 1.0, lo_open=True, hi_open=True))
    p, r, g = float(_pd(pd)), float(_rho(rho)), float(_lgd(lgd))
    d = float(_param("detach", detach, 0.0, 1.0, lo_open=True))
    top = min(g, d)
    inputs = f"target_el={target!r}, pd={p!r}, rho={r!r}, lgd={g!r}, detach={d!r}"

    def excess(a: float) -> float:
        return float(lhp_tranche_el(a, d, p, r, g)) - target

    at_zero = excess(0.0)
    if at_zero <= 0.0:
        raise ConvergenceError(
            f"no attachment in (0, {top!r}) gives the target EL: the whole tranche [0, {d!r}] "
            f"already has EL {at_zero + target!r} <= target ({inputs}); attach at 0"
        )
    # As a -> detach (< lgd) the EL tends to P(L > detach); at a = lgd it is 0.
    limit_top = 0.0 if d >= g else float(1.0 - lhp_cdf(d, p, r, g))
    if limit_top >= target:
        raise ConvergenceError(
            f"no attachment in (0, {top!r}) gives the target EL: even a thin tranche at "
            f"{d!r} has EL {limit_top!r} > target ({inputs}); raise `detach` or the target"
        )

    def bracketed(a: float) -> float:
        return limit_top - target if a >= top else excess(a)

    root, info = optimize.brentq(bracketed, 0.0, top, xtol=1e-15, rtol=4 * np.finfo(float).eps,
                                 maxiter=200, full_output=True, disp=False)
    if not info.converged:
        raise ConvergenceError(f"attachment solver did not converge ({info.flag}; {inputs})")
    return float(root)


# --------------------------------------------------------------------------------------------
# Finite homogeneous pool


def _factor_grid(n: int, rho: float, step: float | None) -> tuple[Array, Array]:
    """Nodes and weights of the trapezoidal rule for E over Z ~ N(0, 1), summing to 1.

    The rule is the uniform grid ``z = j h`` on [-8.5, 8.5] (the normal mass beyond is 2e-17)
    with weights ``phi(z)``. For an analytic integrand against a Gaussian the trapezoidal
    rule converges geometrically in 1 / h (Trefethen & Weideman, SIAM Review 56, 2014), once
    ``h`` resolves the integrand. Here the integrand ``Binom(k; n, p(z))`` is a bump in z of
    width ``sqrt(p (1 - p) / n) / |p'(z)|``; with ``p'(z) = -sqrt(rho / (1 - rho))
    phi(Phi^-1(p))`` that width is at least ``W = 1.2533 sqrt((1 - rho) / rho) / sqrt(n)``
    (the minimum of ``sqrt(p (1 - p)) / phi(Phi^-1(p))`` is ``sqrt(pi / 2)``, at p = 1/2).
    ``h = min(0.1, W / 2)`` gave CDF errors below 1e-15 against ``h = W / 8`` for n up to
    5,000 and rho up to 0.9 (tests/test_vasicek.py checks a grid).
    """
    if step is None:
        narrowest = math.sqrt(math.pi / 2.0) * math.sqrt((1.0 - rho) / rho / n)
        step = min(_MAX_FACTOR_STEP, 0.5 * narrowest)
    elif not (math.isfinite(step) and step > 0.0):
        raise InputError(f"`step` must be a positive number (got {step!r})")
    half = math.ceil(_FACTOR_RANGE / step)
    z = np.arange(-half, half + 1, dtype=np.float64) * step
    w = np.exp(-0.5 * z**2)
    return z, w / w.sum()


def finite_pool_pmf(n: int, pd: float, rho: float, step: float | None = None) -> Array:
    """P(K = k), k = 0..n, defaults among n equal loans under the one-factor Gaussian copula.

    ``P(K = k) = E_Z[Binom(k; n, p(Z))]`` with ``p`` from :func:`conditional_pd` (O'Kane 2008,
    ch. 18), by the trapezoidal rule over Z on a grid fine enough to resolve the conditional
    binomial (see :func:`_factor_grid`). A fixed Gauss-Hermite rule is not used: with 200
    nodes the mixture of binomials is a comb for large pools (CDF errors of 1e-2 at n = 5,000)
    and numpy's Gauss-Hermite nodes overflow beyond a few hundred. With ``rho = 0`` (or
    ``pd`` in {0, 1}) the result is the binomial pmf of :mod:`scipy.stats` exactly. The pmf
    sums to 1 to rounding and its mean is ``n * pd`` to about 1e-15.

    Cost is about ``(n + 1) * 17 / step`` binomial terms: milliseconds for n = 500, seconds
    for n = 5,000 with rho = 0.9. For larger pools the LHP limit (:func:`lhp_cdf`) is the
    better tool.

    Parameters
    ----------
    n : int
        Number of loans, >= 1.
    pd : float
        Cumulative default probability of each loan to the horizon, in [0, 1].
    rho : float
        Asset correlation in [0, 1).
    step : float, optional
        Spacing of the factor grid; by default chosen from ``n`` and ``rho`` as above.

    Returns
    -------
    ndarray of float64, shape (n + 1,)
        Probabilities of 0..n defaults.

    Raises
    ------
    InputError
        ``n`` not an integer >= 1, ``step`` not positive, or a parameter outside its interval.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(f"`n` must be an integer >= 1 (got {n!r})")
    p, r = float(_pd(pd)), float(_rho(rho))
    k = np.arange(n + 1)
    if r == 0.0 or p in (0.0, 1.0):
        return np.asarray(binom.pmf(k, n, p), dtype=np.float64)
    z, w = _factor_grid(int(n), r, step)
    p_z = conditional_pd(p, r, z)
    # scipy's binomial overflows inside Boost for subnormal p; such a p is 0 to every digit
    # that matters here.
    p_z = np.where(p_z < np.finfo(np.float64).tiny, 0.0, p_z)
    pmf = w @ binom.pmf(k[None, :], n, p_z[:, None])
    return np.asarray(pmf / pmf.sum(), dtype=np.float64)


def finite_pool_tranche_el(
    n: int,
    pd: float,
    rho: float,
    lgd: float,
    attach: ArrayLike,
    detach: ArrayLike,
    step: float | None = None,
) -> Any:
    """Tranche EL for n equal bullet loans from :func:`finite_pool_pmf`.

    The pool loss with ``k`` defaults is ``k * lgd / n``; the tranche loses
    ``min((L - a)^+, d - a) / (d - a)`` of its notional. As ``n`` grows this tends to
    :func:`lhp_tranche_el`.

    Parameters
    ----------
    n, pd, rho, step
        As in :func:`finite_pool_pmf`.
    lgd : float
        Loss given default in (0, 1].
    attach, detach : array_like
        Tranche bounds, ``0 <= attach < detach <= 1``; broadcast together.

    Returns
    -------
    ndarray of float64
        Tranche expected loss (fraction of tranche notional), broadcast shape of the bounds.

    Raises
    ------
    InputError
        As :func:`finite_pool_pmf`, ``lgd`` outside (0, 1] or ``attach >= detach``.
    """
    g = float(_lgd(lgd))
    a, d = _tranche(attach, detach)
    pmf = finite_pool_pmf(n, pd, rho, step)
    loss = np.arange(n + 1) * g / n
    a_e, d_e = np.broadcast_arrays(a, d)
    tranche = np.clip(loss - a_e[..., None], 0.0, (d_e - a_e)[..., None])
    return _scalar_or_array((tranche @ pmf) / (d_e - a_e))

