"""Model 4: take-it-or-leave-it offers when the lead is unsure of the partner's price.

The partner joins iff the lead's offer ``t`` covers its reservation price ``theta``. The lead values
the partner's participation at ``V`` and sees a signal ``x = theta + e`` (for the lognormal prior,
``x = log theta + e``) with ``e ~ N(0, scale^2 / precision)``. Given the posterior ``F(. | x)`` it
offers::

    t*(x) = argmax_t  F(t | x) (V - t),   t >= 0,

which for a log-concave posterior is the unique root of the first-order condition
``(V - t) f(t|x) / F(t|x) = 1`` (clipped at 0). The ratio ``f/F`` is evaluated from log-CDFs and
log-survival functions (``scipy.special.log_ndtr``), so offers stay exact deep in the tails.

* normal prior: the posterior is normal; with ``z = (t - mu)/s`` the condition reads
  ``z + Phi(z)/phi(z) = (V - mu)/s``, one equation in one unknown, solved by a table and Newton steps
  (fast enough for millions of offers a second);
* lognormal prior: the posterior of ``log theta`` is normal; safeguarded Newton on the condition;
* uniform prior: the posterior is a normal truncated to the prior's support; the same
  condition (safeguarded Newton), with the closed form ``t* = (V + lo)/2`` (clipped to the support) when the lead has no
  information (``precision = 0``).

Ex-ante outcomes (lead's value, acceptance, payments, the partner's information rent, the efficiency
loss of trades that fail) are integrated over the signal by composite Gauss quadrature in
:func:`expected_outcomes`; they satisfy ``value + rent + efficiency_loss = full_information_value``.

References
----------
Myerson, R. (1981). Optimal auction design. *Mathematics of Operations Research* 6(1), 58-73.
Henke, M. E. (2019). *Constructing Allied Cooperation: Diplomacy, Payments, and Power in Multilateral
Military Coalitions*. Cornell University Press.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import special

from coalitionlab.bargaining.params import PriceParams

_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)
_LOG_SQRT_HALF_PI = 0.5 * np.log(0.5 * np.pi)
_Z_MAX = 30.0  # Phi/phi at z = 30 is ~1e196; beyond it no finite (V - mu)/s reaches
_SQRT3 = np.sqrt(3.0)


# ----------------------------------------------------------------------------------------------
# the first-order condition for a normal posterior: z + Phi(z)/phi(z) = k


def _log_mills_inverse(z: np.ndarray) -> np.ndarray:
    """``log(Phi(z) / phi(z))`` for any z: from the scaled complementary error function left of 0
    (``Phi/phi = sqrt(pi/2) erfcx(-z/sqrt 2)``; the log-CDF plus ``z^2/2`` cancels away all precision
    below z ~ -1e8), from the log-CDF right of it."""
    z = np.asarray(z, dtype=float)
    with np.errstate(divide="ignore"):
        left = _LOG_SQRT_HALF_PI + np.log(special.erfcx(-np.minimum(z, 0.0) / np.sqrt(2.0)))
    right = np.maximum(z, 0.0)
    return np.where(z < 0, left, special.log_ndtr(right) + 0.5 * right * right + _LOG_SQRT_2PI)


def _mills_inverse(z: np.ndarray) -> np.ndarray:
    """``Phi(z) / phi(z)`` (stable for any z below ~37)."""
    return np.exp(_log_mills_inverse(z))


@lru_cache(maxsize=1)
def _normal_table() -> tuple[np.ndarray, np.ndarray]:
    """Dense ``(asinh h(z), z)`` pairs for the far ends, where ``h(z) = z + Phi(z)/phi(z)``."""
    z = np.concatenate([np.linspace(-60.0, -8.0, 2001)[:-1], np.linspace(-8.0, _Z_MAX, 40001)])
    h = z + _mills_inverse(z)
    return np.arcsinh(h), z


_U_LO, _U_HI, _U_N = float(np.arcsinh(-59.0)), float(np.arcsinh(1e12)), 200_001


@lru_cache(maxsize=1)
def _uniform_table() -> np.ndarray:
    """``z*`` on a uniform grid of ``asinh k``, so a lookup is an index computation, not a search."""
    u = np.linspace(_U_LO, _U_HI, _U_N)
    k = np.sinh(u)
    ah, zt = _normal_table()
    z = np.interp(u, ah, zt)
    for _ in range(4):
        r = _mills_inverse(z)
        z = z - (z + r - k) / (2.0 + z * r)
    return z


def normal_offer_z(k: np.ndarray | float) -> np.ndarray:
    """Solve ``z + Phi(z)/phi(z) = k`` for z (the standardised optimal offer under a normal posterior).

    Parameters
    ----------
    k
        ``(V - mu) / s``: the lead's value above the posterior mean, in posterior standard deviations.

    Returns
    -------
    numpy.ndarray
        The root ``z*(k)``; the optimal offer is ``mu + s z*``.

    Examples
    --------
    >>> float(np.round(normal_offer_z(0.0), 6))  # V = mu: offer below the mean
    -0.751792
    """
    k = np.asarray(k, dtype=float)
    table = _uniform_table()
    pos = (np.arcsinh(k) - _U_LO) * ((_U_N - 1) / (_U_HI - _U_LO))
    inside = (pos >= 0) & (pos < _U_N - 1)  # False for a NaN k, whose z comes out NaN from the tail branch
    i = np.clip(np.where(inside, pos, 0.0), 0, _U_N - 2).astype(np.intp)
    frac = pos - i
    z = table[i] * (1.0 - frac) + table[i + 1] * frac
    if not np.all(inside):  # far tails: the dense table, or the left asymptote z + 1/|z| = k
        out = ~inside
        kt = k[out]
        ah, zt = _normal_table()
        with np.errstate(divide="ignore"):
            tail = np.where(kt < -59.0, kt + 1.0 / np.minimum(kt, -1.0), np.interp(np.arcsinh(kt), ah, zt))
        for _ in range(2):  # two more steps than the uniform table needs, for the far tails only
            r = _mills_inverse(tail)
            tail = tail - (tail + r - kt) / (2.0 + tail * r)
        z = np.array(z, dtype=float)
        z[out] = tail
    # the uniform table is accurate to ~1e-7; one Newton step takes it to ~1e-14
    r = _mills_inverse(z)
    z = z - (z + r - k) / (2.0 + z * r)
    return np.minimum(z, _Z_MAX)


def _offer_normal(value: np.ndarray, mu: np.ndarray, s: np.ndarray) -> np.ndarray:
    return np.maximum(mu + s * normal_offer_z((value - mu) / s), 0.0)


# ----------------------------------------------------------------------------------------------
# lognormal and truncated-normal posteriors: bisection on the first-order condition


def _safe_newton(g, lo: np.ndarray, hi: np.ndarray, x: np.ndarray, *, iterations: int,
                 tol: float = 1e-13) -> np.ndarray:
    """Root of a decreasing ``g`` on ``[lo, hi]``, elementwise over 1-d arrays: Newton steps, bisection
    when a step leaves the bracket.

    ``g(x, sel)`` returns ``(value, derivative)`` at ``x`` for the elements ``sel`` (a slice or an index
    array). An element stops once its step is below ``tol`` (relative); the others go on alone, so the
    few slow elements do not make every element pay for their iterations.
    """
    x, lo, hi = (np.array(v, dtype=float) for v in (x, lo, hi))  # copies, updated in place
    sel: slice | np.ndarray = slice(None)
    for _ in range(iterations):
        xs = x[sel].copy()
        val, der = g(xs, sel)
        right = val > 0  # g decreases: the root is right of x
        los = np.where(right, xs, lo[sel])
        his = np.where(right, hi[sel], xs)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = xs - val / der
        ok = np.isfinite(step) & (step >= los) & (step <= his)  # a root hit exactly stays put
        new = np.where(ok, step, 0.5 * (los + his))
        x[sel], lo[sel], hi[sel] = new, los, his
        moving = np.flatnonzero(~(np.abs(new - xs) <= tol * np.maximum(1.0, np.abs(xs))))
        if moving.size == 0:
            break
        sel = moving if isinstance(sel, slice) else sel[moving]
    return x


def _flat(*arrays) -> tuple[tuple[int, ...], list[np.ndarray]]:
    """Broadcast to one shape and flatten (the Newton solver works on 1-d arrays)."""
    arrays = np.broadcast_arrays(*(np.asarray(v, float) for v in arrays))
    return arrays[0].shape, [np.ravel(v) for v in arrays]


def _offer_lognormal(value: np.ndarray, mu: np.ndarray, s: np.ndarray, *, iterations: int = 12) -> np.ndarray:
    """Offer ``t = exp(mu + s z)`` with ``(V exp(-mu - s z) - 1) phi(z)/Phi(z) = s``."""
    shape, (value, mu, s) = _flat(value, mu, s)
    positive = value > 0
    log_v = np.log(np.where(positive, value, 1.0))

    # the condition in logs, H(z) = log(V e^{-mu-sz} - 1) - log s - log(Phi(z)/phi(z)) = 0 for z < k: both
    # sides are exponential-like in z, their logs are close to linear and Newton converges in a few steps
    def g(z: np.ndarray, sel):
        ss = s[sel]
        y = np.maximum(log_v[sel] - mu[sel] - ss * z, 1e-300)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_em1 = np.where(y > 30.0, y + np.log1p(-np.exp(-np.minimum(y, 700.0))),
                               np.log(np.expm1(np.minimum(y, 30.0))))
            log_r = _log_mills_inverse(z)
            return log_em1 - np.log(ss) - log_r, ss / np.expm1(-y) - np.exp(-log_r) - z

    k = (log_v - mu) / s  # at z = k the offer equals V: H = -inf there
    lo = np.minimum(k, 0.0) - 40.0
    k = k - 1e-12 * np.maximum(1.0, np.abs(k))
    z = _safe_newton(g, lo, k, np.clip(normal_offer_z(k), lo, k), iterations=iterations)
    return np.where(positive, np.exp(mu + s * z), 0.0).reshape(shape)


def _offer_truncnorm(value, x, s, lo, hi, *, iterations: int = 24) -> np.ndarray:
    """Offer on a normal ``N(x, s^2)`` truncated to ``[lo, hi]``, clipped to ``[max(lo, 0), hi]``."""
    shape, (value, x, s, lo, hi) = _flat(value, x, s, lo, hi)
    a = (lo - x) / s
    b = (hi - x) / s
    k = (value - x) / s
    floor = np.maximum(a, -x / s) + 1e-12  # offers are never negative, and z > a keeps the mass positive
    top = np.maximum(np.minimum(b, k - 1e-12 * np.maximum(1.0, np.abs(k))), floor)
    # log(Phi(z) - Phi(a)): from log-CDFs left of 0 and log-survival functions right of it
    # (Phi(z) - Phi(a) = Phi(-a) - Phi(-z)), so neither term rounds to 1; the terms in a are computed once
    # and each Newton step costs one log_ndtr, where the solver spends most of its time
    flip = a > 0
    log_a = special.log_ndtr(np.where(flip, -a, a))

    # the condition in logs, H(z) = log(k - z) + log phi(z) - log(Phi(z) - Phi(a)) = 0: H is decreasing and
    # behaves like -log(z - a) near the lower end, where Newton on the ratio itself would crawl
    def g(z: np.ndarray, sel):
        zz = np.maximum(z, a[sel] + 1e-12)
        gap = np.maximum(k[sel] - zz, 1e-300)
        fl, la = flip[sel], log_a[sel]
        log_z = special.log_ndtr(np.where(fl, -zz, zz))
        big, small = np.where(fl, la, log_z), np.where(fl, log_z, la)
        with np.errstate(divide="ignore"):
            log_mass = big + np.log1p(-np.exp(np.minimum(small - big, -1e-300)))
        log_r = -0.5 * zz * zz - _LOG_SQRT_2PI - log_mass
        return np.log(gap) + log_r, -1.0 / gap - zz - np.exp(log_r)

    start = normal_offer_z(k)
    start = np.where((start > floor) & (start < top), start, 0.5 * (floor + top))
    z = _safe_newton(g, floor, top, start, iterations=iterations)
    # the condition has no root inside: the offer sits on a bound
    every = slice(None)
    z = np.where(g(top, every)[0] >= 0, top, z)
    z = np.where(g(floor, every)[0] <= 0, floor, z)
    t = x + s * z
    return np.where(value <= np.maximum(lo, 0.0), np.maximum(np.minimum(value, hi), 0.0), t).reshape(shape)


# ----------------------------------------------------------------------------------------------
# posteriors and the public offer function


def uniform_bounds(mean: float | np.ndarray, scale: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Support ``[mean - scale sqrt(3), mean + scale sqrt(3)]`` of the uniform prior with that mean and sd."""
    mean, scale = np.asarray(mean, float), np.asarray(scale, float)
    return mean - _SQRT3 * scale, mean + _SQRT3 * scale


def posterior(mean, scale, precision, signal) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and sd of a normal prior ``N(mean, scale^2)`` after a signal of relative precision.

    The signal noise has variance ``scale^2 / precision``; precision 0 leaves the prior unchanged.

    Examples
    --------
    >>> m, s = posterior(1.0, 0.5, 1.0, 2.0)
    >>> float(m), round(float(s), 4)
    (1.5, 0.3536)
    """
    mean, scale, precision = (np.asarray(v, float) for v in (mean, scale, precision))
    signal = np.asarray(mean if signal is None else signal, float)
    mu = (mean + precision * signal) / (1.0 + precision)
    return mu, scale / np.sqrt(1.0 + precision)


def optimal_offer(params: PriceParams, signal: float | np.ndarray | None = None) -> np.ndarray:
    """The lead's optimal take-it-or-leave-it offer after observing ``signal``.

    Parameters
    ----------
    params
        Prior, signal precision and the lead's value (:class:`PriceParams`).
    signal
        Observed signal(s) ``x`` (of ``log theta`` for the lognormal prior); ignored when
        ``params.precision == 0``.

    Returns
    -------
    numpy.ndarray
        The offer for each signal, in price units (never negative, never above the value).

    Examples
    --------
    >>> round(float(optimal_offer(PriceParams(prior="uniform", mean=1.0, scale=0.5, value=2.0))), 4)  # (V + lo)/2
    1.067
    """
    return _offers(params.prior, params.value, params.mean, params.scale, params.precision,
                   params.mean if signal is None or params.precision == 0 else signal)


def _uniform_blind_offer(value: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The closed-form offer under a uniform prior on ``[lo, hi]`` with no information: ``(V + lo)/2``
    clipped to the support and at 0 (``hi < 0``: everyone joins for free at 0); ``V`` itself (capped at
    ``hi``) when the value does not exceed ``max(lo, 0)``."""
    closed = np.maximum(np.clip((value + lo) / 2.0, lo, hi), 0.0)
    return np.where(value <= np.maximum(lo, 0.0), np.maximum(np.minimum(value, hi), 0.0), closed)


def _offers(prior: str, value, mean, scale, precision, signal) -> np.ndarray:
    value, mean, scale, precision, signal = np.broadcast_arrays(
        *(np.asarray(v, float) for v in (value, mean, scale, precision, signal)))
    if prior in ("normal", "lognormal"):
        mu, s = posterior(mean, scale, precision, signal)
        return _offer_normal(value, mu, s) if prior == "normal" else _offer_lognormal(value, mu, s)
    lo, hi = uniform_bounds(mean, scale)
    informed = precision > 0
    noise = scale / np.sqrt(np.where(informed, precision, 1.0))
    closed = _uniform_blind_offer(value, lo, hi)
    if not np.any(informed):
        return closed
    return np.where(informed, _offer_truncnorm(value, signal, noise, lo, hi), closed)


# ----------------------------------------------------------------------------------------------
# ex-ante outcomes by quadrature


@lru_cache(maxsize=4)
def _hermite(n: int) -> tuple[np.ndarray, np.ndarray]:
    # scipy's roots stay finite past ~300 nodes, where numpy's hermegauss overflows to NaN
    x, w = special.roots_hermitenorm(n)
    return x, w / np.sqrt(2.0 * np.pi)


@lru_cache(maxsize=4)
def _legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    return special.roots_legendre(n)  # once per node count, not on every call


def _normal_pieces(value, mu, s, t):
    """value, acceptance, payment, rent, loss, full given a normal posterior N(mu, s^2) and offer t >= 0."""
    zt, zv, z0 = (t - mu) / s, (value - mu) / s, -mu / s
    pt, pv, p0 = special.ndtr(zt), special.ndtr(zv), special.ndtr(z0)
    dt, dv, d0 = (np.exp(-0.5 * z * z - _LOG_SQRT_2PI) for z in (zt, zv, z0))
    # E[theta+ 1(theta <= t)] = E[theta 1(0 < theta <= t)]: a partner with a negative price joins for free,
    # and what it gains then is not information rent
    pos_t = mu * (pt - p0) + s * (d0 - dt)
    pos_v = mu * (pv - p0) + s * (d0 - dv)
    rent = t * pt - pos_t
    full = value * pv - pos_v
    loss = value * (pv - pt) - (pos_v - pos_t)
    return pt * (value - t), pt, t * pt, np.maximum(rent, 0.0), np.maximum(loss, 0.0), full


def _lognormal_pieces(value, mu, s, t):
    with np.errstate(divide="ignore"):
        zt = (np.log(t) - mu) / s
        zv = (np.log(np.maximum(value, 0.0)) - mu) / s
    mean = np.exp(mu + 0.5 * s * s)
    pt, pv = special.ndtr(zt), special.ndtr(zv)
    below_t = mean * special.ndtr(zt - s)  # E[theta 1(theta <= t)]
    below_v = mean * special.ndtr(zv - s)
    rent = t * pt - below_t
    loss = value * (pv - pt) - (below_v - below_t)
    full = value * pv - below_v
    return pt * (value - t), pt, t * pt, rent, np.maximum(loss, 0.0), full


def _truncnorm_pieces(value, x, s, lo, hi, t):
    a, b = (lo - x) / s, (hi - x) / s
    zt = np.clip((t - x) / s, a, b)
    zv = np.clip((value - x) / s, a, b)
    z0 = np.clip(-x / s, a, b)  # prices below 0 count as 0 in rents (see _normal_pieces)
    mass = special.ndtr(b) - special.ndtr(a)
    mass = np.where(mass > 0, mass, np.nan)
    da = np.exp(-0.5 * a * a - _LOG_SQRT_2PI)

    def cdf(z):
        return (special.ndtr(z) - special.ndtr(a)) / mass

    def below(z):  # E[theta 1(lo < theta <= x + s z)]
        return (x * (special.ndtr(z) - special.ndtr(a)) + s * (da - np.exp(-0.5 * z * z - _LOG_SQRT_2PI))) / mass

    pt, pv = cdf(zt), cdf(zv)
    floor = below(z0)
    rent = t * pt - (below(zt) - floor)
    loss = value * (pv - pt) - (below(zv) - below(zt))
    full = value * pv - (below(zv) - floor)
    return pt * (value - t), pt, t * pt, np.maximum(rent, 0.0), np.maximum(loss, 0.0), full


OUTCOMES = ("value", "acceptance", "payment", "rent", "efficiency_loss", "full_information_value")


def expected_outcomes(params: PriceParams, *, nodes: int = 160) -> dict[str, float]:
    """Ex-ante outcomes of the optimal offer, integrated over the lead's signal.

    Parameters
    ----------
    params
        Prior, precision and the lead's value.
    nodes
        Quadrature budget over the signal. Normal and lognormal priors: ``ceil(nodes / 20)`` (at least 8)
        Gauss-Legendre nodes in each panel of a mesh graded towards the signals where the integrand turns
        sharply (accurate at any precision); uniform prior: ``3 nodes`` Gauss-Legendre nodes over the
        signal's density (at a precision of 1e6 or more its acceptance can be off by ~6e-4).

    Returns
    -------
    dict
        ``value`` (the lead's expected surplus), ``acceptance`` (probability the partner joins),
        ``payment`` (expected payment made), ``rent`` (the partner's expected information rent,
        ``E[(t - max(theta, 0)) 1(joins)]``: what it is paid above what a lead who knew its price would
        pay), ``efficiency_loss`` (expected surplus of efficient deals that fail) and
        ``full_information_value`` (the lead's value if it knew theta, ``E[(V - max(theta, 0))+]``). ``value + rent +
        efficiency_loss == full_information_value``.

    Examples
    --------
    >>> out = expected_outcomes(PriceParams(prior="uniform", mean=1.0, scale=0.5, value=2.0))
    >>> round(out["value"], 4), round(out["value"] + out["rent"] + out["efficiency_loss"], 4)
    (0.5026, 1.0)
    """
    return {k: float(v) for k, v in zip(OUTCOMES, _expected(params.prior, params.value, params.mean,
                                                            params.scale, params.precision, nodes=nodes),
                                        strict=True)}


_U_MAX = 10.0  # the standardised signal beyond +-10 carries a mass of 1.5e-23
_GRADING = np.concatenate([-(4.0 ** np.arange(7, -1, -1)), [0.0], 4.0 ** np.arange(8)])


def _graded_rule(centres: np.ndarray, width: np.ndarray, left: np.ndarray, right: np.ndarray,
                 per_panel: int, *, even: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss-Legendre nodes and weights on ``[left, right]`` (per lane; last axis = nodes).

    Panel edges: ten equal panels, plus edges at each centre ``+- width * 4^j`` (j = 0..7) clipped to the
    interval, so panels shrink geometrically towards the points where the integrand turns sharply. A
    fixed Gauss-Hermite rule misses a turn narrower than its node spacing (at a precision of 1e4 the
    acceptance was off by 3%); the graded panels resolve it at any width.
    """
    lanes = centres.shape[:-1]
    near = (centres[..., :, None] + width[..., None] * _GRADING).reshape(*lanes, -1)
    inner = left + (right - left) * np.linspace(0.0, 1.0, even + 1)[1:-1]
    edges = np.sort(np.concatenate([left, np.clip(near, left, right), inner, right], axis=-1), axis=-1)
    a, b = edges[..., :-1, None], edges[..., 1:, None]
    g, gw = _legendre(per_panel)
    nodes = 0.5 * (a + b) + 0.5 * (b - a) * g
    weights = 0.5 * (b - a) * gw
    return nodes.reshape(*lanes, -1), weights.reshape(*lanes, -1)


def _kink_mean(value: np.ndarray, s: np.ndarray) -> np.ndarray:
    """The posterior mean at which a normal posterior's optimal offer reaches 0 (where it is clipped).

    The offer is ``mu + s z*`` with ``z* + Phi(z*)/phi(z*) = (V - mu)/s``, so it is 0 where
    ``Phi(z)/phi(z) = V/s`` at ``z = z*``, i.e. ``mu = -s z``. ``Phi/phi`` is increasing: bisection on its
    logarithm. A value of 0 has no kink (every offer is 0); 0 is returned.
    """
    positive = value > 0
    with np.errstate(divide="ignore"):
        target = np.log(np.where(positive, value / s, 1.0))
    lo = np.full(target.shape, -1e9)  # Phi/phi(z) ~ 1/|z| below: reaches V/s above -s/V - 1
    lo = np.maximum(lo, -np.exp(np.minimum(-target, 700.0)) - 2.0)
    hi = np.full(target.shape, _Z_MAX + 10.0)
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        below = special.log_ndtr(mid) + 0.5 * mid * mid + _LOG_SQRT_2PI < target
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return np.where(positive, -s * 0.5 * (lo + hi), 0.0)


def _expected(prior, value, mean, scale, precision, *, nodes: int = 160) -> tuple[np.ndarray, ...]:
    """Vectorised :func:`expected_outcomes` over arrays of parameters (broadcast, last axis = nodes)."""
    value, mean, scale, precision = (np.asarray(v, float)[..., None] for v in np.broadcast_arrays(
        np.asarray(value, float), np.asarray(mean, float), np.asarray(scale, float), np.asarray(precision, float)))
    if prior in ("normal", "lognormal"):
        per_panel = max(8, -(-int(nodes) // 20))
        # over the standardised marginal signal u ~ N(0, 1): the posterior mean is mu = mean + slope u with
        # slope = scale sqrt(precision / (1 + precision)) and the posterior sd s = scale / sqrt(1 + precision),
        # whatever the precision (0 included). The integrand turns within ~s / slope = 1/sqrt(precision) of
        # where mu crosses the value (the partner's acceptance jumps there), 0 and the offer's kink at 0.
        s = scale / np.sqrt(1.0 + precision)
        slope = scale * np.sqrt(precision / (1.0 + precision))
        informed = slope > 0
        per_unit = np.where(informed, slope, 1.0)
        width = 1.0 / np.sqrt(np.where(informed, precision, 1.0))
        if prior == "normal":
            turns = np.concatenate([value, np.zeros_like(value), _kink_mean(value, s)], axis=-1)
        else:
            with np.errstate(divide="ignore"):
                turns = np.log(np.where(value > 0, value, 1.0))
        centres = np.where(informed, (turns - mean) / per_unit, 0.0)
        u, w = _graded_rule(centres, width, np.full_like(mean, -_U_MAX), np.full_like(mean, _U_MAX), per_panel)
        w = w * np.exp(-0.5 * u * u - _LOG_SQRT_2PI)
        mu = mean + slope * u
        if prior == "normal":
            t = _offer_normal(value, mu, s)
            pieces = _normal_pieces(value, mu, s, t)
        else:
            t = _offer_lognormal(value, mu, s)
            pieces = _lognormal_pieces(value, mu, s, t)
        return tuple(np.sum(p * w, axis=-1) for p in pieces)
    lo, hi = uniform_bounds(mean, scale)
    informed = precision > 0
    noise = scale / np.sqrt(np.where(informed, precision, 1.0))
    # the signal's density: (Phi((hi - x)/noise) - Phi((lo - x)/noise)) / (hi - lo), on lo - 9 noise .. hi + 9 noise
    g, gw = _legendre(nodes * 3)
    left, right = lo - 9.0 * noise, hi + 9.0 * noise
    x = 0.5 * (left + right) + 0.5 * (right - left) * g
    density = (special.ndtr((hi - x) / noise) - special.ndtr((lo - x) / noise)) / (hi - lo)
    weights = 0.5 * (right - left) * gw * density
    t = _offer_truncnorm(value, x, noise, lo, hi)
    informed_out = [np.nansum(p * weights, axis=-1) for p in _truncnorm_pieces(value, x, noise, lo, hi, t)]
    # no information: the posterior is the prior, a truncated normal with infinite noise; use the closed form
    t0 = _uniform_blind_offer(value, lo, hi)[..., 0]
    lo0, hi0, v0 = lo[..., 0], hi[..., 0], value[..., 0]
    width = hi0 - lo0
    pt = np.clip((t0 - lo0) / width, 0, 1)
    pv = np.clip((v0 - lo0) / width, 0, 1)
    vv = np.clip(v0, lo0, hi0)
    floor0 = np.maximum(lo0, 0.0)  # prices below 0 count as 0 in rents
    # t0 * pt, not t0 * (t0 - lo0) / width: an offer below the support (value < lo) is never accepted
    rent = t0 * pt - (t0**2 - np.minimum(floor0, t0) ** 2) / 2 / width
    full = np.where(v0 > lo0, (v0 * (vv - lo0) - (vv**2 - np.minimum(floor0, vv) ** 2) / 2) / width, 0.0)
    blind = (pt * (v0 - t0), pt, t0 * pt, rent, full - pt * (v0 - t0) - rent, full)
    inf = informed[..., 0]
    return tuple(np.where(inf, a, b) for a, b in zip(informed_out, blind, strict=True))
