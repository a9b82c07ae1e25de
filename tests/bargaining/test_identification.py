"""Participation data cannot separate the price channel from the information channel; payments can."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest

from coalitionlab.bargaining import identification_demo
from coalitionlab.measures import embeddedness


@pytest.fixture(scope="module")
def usa_2003(shared_data) -> pd.DataFrame:
    return embeddedness("USA", "2003-03-20", data_dir=shared_data)


@pytest.mark.parametrize("prior", ["normal", "lognormal", "uniform"])
def test_same_participation_different_payments_on_real_embeddedness(usa_2003: pd.DataFrame, prior: str) -> None:
    demo = identification_demo(usa_2003, prior=prior, price_mean=0.2 if prior == "lognormal" else 1.0)
    c, s = demo.candidates, demo.summary
    assert len(c) == len(usa_2003)
    # the numbers behind the findings below, for five states (the least and the most embedded, Canada, the
    # United Kingdom, Japan), against the quadrature written here (tolerance as in the FRAME test below)
    _world_inputs_by_hand(demo)
    named = list(dict.fromkeys([int(c.loc[c["embeddedness"].idxmin(), "ccode"]), 20, 200, 740,
                                int(c.loc[c["embeddedness"].idxmax(), "ccode"])]))
    rows = c.set_index("ccode").loc[named]
    for name, world in (("price", demo.price_world), ("information", demo.information_world)):
        module = np.stack([rows[f"p_join_{name}"], rows[f"payment_{name}"], rows[f"rent_{name}"]])
        np.testing.assert_allclose(module, _outcomes(prior, world, named), rtol=0, atol=2e-4, err_msg=name)
    # observationally equivalent on who joins ...
    assert np.max(np.abs(c["p_join_price"] - c["p_join_information"])) < 1e-8
    # ... and participation does rise with embeddedness in both
    assert np.corrcoef(c["embeddedness"], c["p_join_information"])[0, 1] > 0.9
    # but payments differ: a joiner's payment falls with embeddedness far more steeply in the price world,
    # and the information rent falls with embeddedness only in the information world
    assert s.loc["price", "payment_slope"] < 0
    assert s.loc["information", "payment_slope"] > s.loc["price", "payment_slope"] + 0.15
    assert s.loc["price", "rent_slope"] > 0 > s.loc["information", "rent_slope"]
    assert abs(s.loc["information", "total_payment"] / s.loc["price", "total_payment"] - 1) > 0.05
    # both worlds keep the candidates' names
    for world in (demo.price_world, demo.information_world):
        assert world.candidates.set_index("ccode").loc[20, "country"] == "Canada"


def test_no_price_slope_and_no_precision_slope_make_identical_worlds() -> None:
    frame = pd.DataFrame({"ccode": [2, 20, 200, 640], "embeddedness": [0.0, 40.0, 120.0, 60.0]})
    demo = identification_demo(frame, price_slope=0.0, precision=1.0, precision_base=1.0, precision_slope=0.0)
    c = demo.candidates
    assert np.allclose(c["price_mean_price"], c["price_mean_information"], atol=1e-9)
    assert np.allclose(c["payment_price"], c["payment_information"], atol=1e-9)


# ------------------------------------------------------------------------------------------------
# By construction: the information world is calibrated to reproduce the price world's participation
# probabilities, so their equality (above) checks the calibration's accuracy, not a finding. The
# findings are about payments, computed by the module with fixed-node quadrature. The oracles below
# are written here, from the model's definition, without the module's offer or outcome functions:
#
# * the offer: the lead sees x = theta + e (x = log theta + e for the lognormal), e ~ N(0, scale^2 /
#   precision), and offers t*(x) = argmax_{t >= 0} F(t | x) (V - t); found by bisection on the
#   first-order condition f(t | x) (V - t) = F(t | x) (in logs), and checked against a grid search;
# * the outcomes: acceptance P(theta <= t*), payment E[t* 1(joins)] and rent E[(t* - max(theta, 0))
#   1(joins)], integrated over the signal with scipy's adaptive quadrature (quad_vec);
# * a simulation of theta and the signal from the primitives, with a standard error per outcome.

FRAME = pd.DataFrame({"ccode": [2, 20, 200, 640, 365], "embeddedness": [0.0, 40.0, 120.0, 60.0, 10.0]})
SQRT3 = np.sqrt(3.0)


def _log_phi(z: np.ndarray) -> np.ndarray:
    return -0.5 * z * z - 0.5 * np.log(2 * np.pi)


def _log_mass(a: np.ndarray):
    """``z -> log(Phi(z) - Phi(a))`` for z >= a: from log-survival functions when a > 0 (both near 1), else
    from log-CDFs; the terms in ``a`` are computed once."""
    from scipy.special import log_ndtr

    flip = a > 0
    log_a = log_ndtr(np.where(flip, -a, a))

    def log_mass(z: np.ndarray) -> np.ndarray:
        log_z = log_ndtr(np.where(flip, -z, z))
        big, small = np.where(flip, log_a, log_z), np.where(flip, log_z, log_a)
        with np.errstate(divide="ignore"):
            return big + np.log1p(-np.exp(np.minimum(small - big, 0.0)))
    return log_mass


def _bisect(h, lo: np.ndarray, hi: np.ndarray, iterations: int = 44) -> np.ndarray:
    """Root of a decreasing ``h`` on [lo, hi] elementwise (brackets of width <= 2: 2^-43 after 44 halvings);
    ``lo`` where h(lo) <= 0 and ``hi`` where h(hi) >= 0 (the maximum is on a bound)."""
    a, b = (np.array(v, float) for v in np.broadcast_arrays(lo, hi))
    lo, hi = a.copy(), b.copy()
    for _ in range(iterations):
        mid = 0.5 * (a + b)
        right = h(mid) > 0
        a, b = np.where(right, mid, a), np.where(right, b, mid)
    with np.errstate(invalid="ignore"):
        return np.where(h(hi) >= 0, hi, np.where(h(lo) <= 0, lo, 0.5 * (a + b)))


def _offer(prior: str, value, mean, scale, precision, x) -> np.ndarray:
    """The lead's optimal offer after signal ``x`` (arrays broadcast), by bisection on the first-order condition."""
    from scipy.special import log_ndtr

    value, mean, scale, precision, x = np.broadcast_arrays(*(np.asarray(v, float) for v in
                                                             (value, mean, scale, precision, x)))
    if prior in ("normal", "lognormal"):  # posterior N(mu, s^2) of theta (of log theta), by Bayes' rule
        mu, s = (mean + precision * x) / (1 + precision), scale / np.sqrt(1 + precision)
        if prior == "normal":
            def h(t):
                z = (t - mu) / s
                with np.errstate(divide="ignore", invalid="ignore"):
                    return np.log(value - t) - np.log(s) + _log_phi(z) - log_ndtr(z)
            return _bisect(h, np.zeros_like(mu), value)

        def h_log(u):  # in u = log t: f(t) = phi(z) / (s t)
            z = (u - mu) / s
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.log(value - np.exp(u)) - np.log(s) - u + _log_phi(z) - log_ndtr(z)
        return np.exp(_bisect(h_log, np.log(value) - 40.0, np.log(value)))
    # uniform prior on [lo, hi]: the posterior is N(x, n^2) cut to [lo, hi]
    lo, hi = mean - SQRT3 * scale, mean + SQRT3 * scale
    n = scale / np.sqrt(precision)
    a = (lo - x) / n
    log_mass = _log_mass(a)

    def h(t):
        z = np.maximum((t - x) / n, a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(value - t) - np.log(n) + _log_phi(z) - log_mass(z)
    return _bisect(h, np.maximum(lo, 0.0), np.minimum(hi, value))


def _outcomes(prior: str, world, ccodes: list[int] | None = None) -> np.ndarray:
    """Acceptance, payment and rent (rows) of each candidate (columns; those of ``ccodes``, in that order,
    when given) of ``world``, by quad_vec over the signal.

    The signal's range is mapped on v in [0, 1] for every candidate: normal and lognormal priors
    integrate the signal's N(mean, scale^2 (1 + 1/precision)) density over +-12 sd; the uniform prior
    the joint density of theta and x over [lo - 12 n, hi + 12 n]. Where a candidate's offer starts or
    stops sitting on a bound (0 or the support's end) the integrand has a kink: those points are
    located on a grid and given to quad_vec as break points.
    """
    from scipy.integrate import quad_vec
    from scipy.special import ndtr

    c = world.candidates if ccodes is None else world.candidates.set_index("ccode").loc[ccodes]
    value, mean, scale, precision = (c[col].to_numpy(float)[:, None] for col in
                                     ("value", "price_mean", "price_scale", "precision"))

    def phi(z: np.ndarray) -> np.ndarray:
        return np.exp(_log_phi(z))

    if prior in ("normal", "lognormal"):
        sd_x = scale * np.sqrt(1 + 1 / precision)  # the signal's marginal sd
        width = 24.0

        def signal(v):
            return mean + sd_x * (-12.0 + width * v)

        def pieces(v):
            x = signal(v)
            t = _offer(prior, value, mean, scale, precision, x)
            mu, s = (mean + precision * x) / (1 + precision), scale / np.sqrt(1 + precision)
            u = -12.0 + width * v
            if prior == "normal":
                zt, z0 = (t - mu) / s, -mu / s
                accept = ndtr(zt)
                below = mu * (ndtr(zt) - ndtr(z0)) + s * (phi(z0) - phi(zt))  # E[theta 1(0 < theta <= t) | x]
            else:
                zt = (np.log(t) - mu) / s
                accept = ndtr(zt)
                below = np.exp(mu + s * s / 2) * ndtr(zt - s)  # E[theta 1(theta <= t) | x], lognormal
            dens = width * phi(u)
            return t, dens * np.stack([accept, t * accept, t * accept - below])
        bounds = (np.zeros_like(value), value)
    else:
        lo, hi = mean - SQRT3 * scale, mean + SQRT3 * scale
        n = scale / np.sqrt(precision)
        span = hi - lo + 24 * n
        floor = np.maximum(lo, 0.0)

        def pieces(v):
            x = lo - 12 * n + span * v
            t = _offer(prior, value, mean, scale, precision, x)
            zt, zl, zf = (t - x) / n, (lo - x) / n, (floor - x) / n
            # joint density of the signal x and theta <= t: int_lo^t (1/(hi - lo)) phi((x - theta)/n)/n dtheta
            accept = (ndtr(zt) - ndtr(zl)) / (hi - lo)
            below = (x * (ndtr(zt) - ndtr(zf)) + n * (phi(zf) - phi(zt))) / (hi - lo)
            return t, span * np.stack([accept, t * accept, t * accept - below])
        bounds = (floor, np.minimum(hi, value))
    grid = np.linspace(0.0, 1.0, 4001)[None, :]
    t = pieces(grid)[0]
    on_bound = (t <= bounds[0]) | (t >= bounds[1])
    kinks = grid[0, 1:][(np.diff(on_bound.astype(int), axis=1) != 0).any(axis=0)]
    out, _ = quad_vec(lambda v: pieces(np.array([[v]]))[1][..., 0], 0.0, 1.0, points=list(kinks),
                      epsabs=1e-8, epsrel=1e-8)
    return out


def _simulate(prior: str, world, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw each candidate's price from its prior and the lead's signal given the price; the offer from
    :func:`_offer`. Means and standard errors of acceptance, payment and rent (rows) per candidate."""
    c = world.candidates
    value, mean, scale, precision = (c[col].to_numpy(float) for col in ("value", "price_mean", "price_scale",
                                                                          "precision"))
    noise = scale / np.sqrt(precision)
    if prior == "uniform":
        theta = rng.uniform(mean - SQRT3 * scale, mean + SQRT3 * scale, (n, len(mean)))
        x = theta + noise * rng.standard_normal(theta.shape)
    else:
        level = rng.normal(mean, scale, (n, len(mean)))  # theta, or log theta for the lognormal
        x = level + noise * rng.standard_normal(level.shape)
        theta = np.exp(level) if prior == "lognormal" else level
    t = _offer(prior, value, mean, scale, precision, x)
    joins = theta <= t
    draws = np.stack([joins, t * joins, (t - np.maximum(theta, 0.0)) * joins])
    return draws.mean(axis=1), draws.std(axis=1) / np.sqrt(n)


@cache
def _demo(prior: str):
    """The demo on FRAME (computed once per prior: the offers and the outcomes tests share it)."""
    return identification_demo(FRAME, prior=prior, price_mean=0.2 if prior == "lognormal" else 1.0)


def _world_inputs_by_hand(demo) -> None:
    """The worlds' inputs from the demo's definition: price world mean ``1.0 exp(-0.8 e)`` (for the lognormal
    prior the price falls by the same factor: the mean of log price is ``0.2 - 0.8 e``), precision 1;
    information world precision ``0.25 + 12 e``; a fixed value 2 and scale 0.5; unit cost 1 (only the
    information channel on), no bias, one offer."""
    p, i = demo.price_world, demo.information_world
    e = p.candidates["embeddedness"].to_numpy(float) / p.candidates["embeddedness"].max()
    assert (i.candidates["ccode"].to_numpy() == p.candidates["ccode"].to_numpy()).all()
    mean = 0.2 - 0.8 * e if p.prior == "lognormal" else 1.0 * np.exp(-0.8 * e)
    assert p.candidates["price_mean"].to_numpy() == pytest.approx(mean, rel=1e-12, abs=1e-15)
    assert p.candidates["precision"].to_numpy() == pytest.approx(np.ones(len(e)))
    assert i.candidates["precision"].to_numpy() == pytest.approx(0.25 + 12.0 * e, rel=1e-12)
    for world in (p, i):
        eff = world.effective()
        assert (world.candidates["value"] == 2.0).all() and (world.candidates["price_scale"] == 0.5).all()
        assert (eff["unit_cost"] == 1.0).all() and (eff["bias"] == 0.0).all() and world.channel_params.max_offers == 1


@pytest.mark.parametrize("prior", ["normal", "uniform", "lognormal"])
def test_offers_are_the_lead_s_best_response(prior: str) -> None:
    """The module's offer at many signals equals the bisection on the first-order condition (to 1e-9), and
    the best of 40,001 offers on a grid of [0, V] by brute force (to two grid steps; F from scipy.stats)."""
    from scipy import stats

    from coalitionlab.bargaining.offers import optimal_offer
    from coalitionlab.bargaining.params import PriceParams

    world = _demo(prior).information_world
    grid = np.linspace(0.0, 2.0, 40_001)
    for c in world.candidates.itertuples():
        params = PriceParams(prior=prior, mean=c.price_mean, scale=c.price_scale, precision=c.precision, value=c.value)
        x = np.linspace(c.price_mean - 3.0, c.price_mean + 3.0, 61)
        got = optimal_offer(params, x)
        np.testing.assert_allclose(got, _offer(prior, c.value, c.price_mean, c.price_scale, c.precision, x),
                                   rtol=0, atol=1e-9)
        for xi, ti in zip(x[::6], got[::6]):
            mu, s = (c.price_mean + c.precision * xi) / (1 + c.precision), c.price_scale / np.sqrt(1 + c.precision)
            if prior == "normal":
                cdf = stats.norm.cdf(grid, mu, s)
            elif prior == "lognormal":
                cdf = stats.lognorm.cdf(grid, s, scale=np.exp(mu))
            else:
                # N(x, n^2) cut to [lo, hi]: F(t) = (Phi((t - x)/n) - Phi(a)) / (Phi(b) - Phi(a)) on [lo, hi]
                # (from survival functions when x < lo, where both terms are near 1)
                lo, hi = c.price_mean - SQRT3 * c.price_scale, c.price_mean + SQRT3 * c.price_scale
                n = c.price_scale / np.sqrt(c.precision)
                z, a, b = (np.clip(grid, lo, hi) - xi) / n, (lo - xi) / n, (hi - xi) / n
                if a > 0:
                    cdf = (stats.norm.sf(a) - stats.norm.sf(z)) / (stats.norm.sf(a) - stats.norm.sf(b))
                else:
                    cdf = (stats.norm.cdf(z) - stats.norm.cdf(a)) / (stats.norm.cdf(b) - stats.norm.cdf(a))
            best = grid[np.argmax(cdf * (c.value - grid))]
            assert abs(ti - best) <= 2 * (grid[1] - grid[0]), (c.ccode, xi, ti, best)


@pytest.mark.parametrize("prior", ["normal", "uniform", "lognormal"])
def test_simulated_worlds_match_the_quadrature(prior: str) -> None:
    """Each candidate's acceptance, payment and rent in both worlds against the quadrature written here
    and a seeded simulation of 60,000 draws per candidate.

    Tolerances: the module integrates with 80 fixed nodes over an integrand with kinks (where the offer
    sits on 0 or on the support's end), which is accurate to about 1e-5 here (7.1e-5 at worst, the uniform
    price world's payment; the error shrinks as the nodes grow) -- hence 2e-4 against the adaptive
    quadrature (itself accurate to 1e-8). The simulation is within 4 of its standard errors of the
    quadrature: for the 30 comparisons of a prior a false alarm has probability about 30 x 6e-5 = 0.2%.
    """
    demo = _demo(prior)
    _world_inputs_by_hand(demo)
    c = demo.candidates
    rng = np.random.default_rng(2019)
    exact = {}
    for name, world in (("price", demo.price_world), ("information", demo.information_world)):
        exact[name] = _outcomes(prior, world)
        module = np.stack([c[f"p_join_{name}"], c[f"payment_{name}"], c[f"rent_{name}"]])
        np.testing.assert_allclose(module, exact[name], rtol=0, atol=2e-4, err_msg=name)
        mean, se = _simulate(prior, world, 60_000, rng)
        assert np.all(np.abs(mean - exact[name]) < 4 * se), (name, (mean - exact[name]) / se)
    # observational equivalence by the oracle: the calibrated information world's acceptance is the price
    # world's; the payments are not (the finding)
    np.testing.assert_allclose(exact["information"][0], exact["price"][0], rtol=0, atol=2e-4)
    assert np.max(np.abs(exact["information"][1] - exact["price"][1])) > 0.01


def test_uninformed_uniform_price_world_by_hand() -> None:
    # uniform prior on [lo, hi] = mean -/+ sqrt(3) scale and no signal: the offer is (V + lo)/2 (inside the
    # support here), accepted with probability (offer - lo)/(hi - lo); the payment is offer x acceptance
    demo = identification_demo(FRAME, prior="uniform", precision=0.0, price_slope=0.8)
    cand = demo.price_world.candidates
    e = cand["embeddedness"] / cand["embeddedness"].max()
    mean = 1.0 * np.exp(-0.8 * e)  # the price channel's mapping
    assert cand["price_mean"].to_numpy() == pytest.approx(mean.to_numpy())
    lo, hi = mean - np.sqrt(3) * 0.5, mean + np.sqrt(3) * 0.5
    offer = (cand["value"] + lo) / 2
    assert np.all((offer > lo) & (offer < hi))
    accept = (offer - lo) / (hi - lo)
    assert demo.candidates["p_join_price"].to_numpy() == pytest.approx(accept.to_numpy(), abs=1e-12)
    assert demo.candidates["payment_price"].to_numpy() == pytest.approx((offer * accept).to_numpy(), abs=1e-12)


def test_summary_slopes_against_numpy_polyfit() -> None:
    demo = identification_demo(FRAME)
    c, s = demo.candidates, demo.summary
    e = c["embeddedness"] / c["embeddedness"].max()
    for name in ("price", "information"):
        assert s.loc[name, "payment_slope"] == pytest.approx(np.polyfit(e, c[f"payment_if_joined_{name}"], 1)[0])
        assert s.loc[name, "rent_slope"] == pytest.approx(np.polyfit(e, c[f"rent_{name}"], 1)[0])
        assert s.loc[name, "total_payment"] == pytest.approx(c[f"payment_{name}"].sum())
