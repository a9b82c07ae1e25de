"""Model 4 (take-it-or-leave-it offers under incomplete information)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from scipy import optimize, special, stats

from coalitionlab.bargaining import PriceParams, expected_outcomes, normal_offer_z, optimal_offer
from coalitionlab.bargaining.offers import posterior, uniform_bounds


@pytest.mark.parametrize("k", [-300.0, -60.0, -59.0, -5.0, 0.0, 0.3, 7.0, 1e3, 1e8, 1e12, 1e15])
def test_normal_condition_matches_brentq(k: float) -> None:
    def g(z: float) -> float:
        return z + np.exp(stats.norm.logcdf(z) - stats.norm.logpdf(z)) - k
    ref = optimize.brentq(g, -400, 29, xtol=1e-14)
    assert float(normal_offer_z(k)) == pytest.approx(ref, abs=1e-9)


@pytest.mark.parametrize("prior", ["normal", "lognormal", "uniform"])
@pytest.mark.parametrize("signal", [-1.5, 0.4, 1.0, 2.5])
def test_offer_maximises_expected_surplus_on_a_grid(prior: str, signal: float) -> None:
    mean = 0.2 if prior == "lognormal" else 1.0
    p = PriceParams(prior=prior, mean=mean, scale=0.5, precision=2.0, value=2.0)
    grid = np.linspace(0.0, 2.0, 400_001)
    if prior == "uniform":
        lo, hi = uniform_bounds(1.0, 0.5)
        noise = 0.5 / np.sqrt(2.0)
        mass = stats.norm.cdf(hi, signal, noise) - stats.norm.cdf(lo, signal, noise)
        cdf = np.clip((stats.norm.cdf(grid, signal, noise) - stats.norm.cdf(lo, signal, noise)) / mass, 0, 1)
    else:
        # conjugate normal updating by hand (not the module's posterior()): prior variance 0.5^2, signal
        # noise variance 0.5^2 / precision; precisions (inverse variances) add, means are precision-weighted
        prior_var, noise_var = 0.5**2, 0.5**2 / 2.0
        post_var = 1.0 / (1.0 / prior_var + 1.0 / noise_var)
        mu, s = post_var * (mean / prior_var + signal / noise_var), np.sqrt(post_var)
        x = np.log(np.maximum(grid, 1e-300)) if prior == "lognormal" else grid
        cdf = stats.norm.cdf(x, mu, s)
    best = grid[np.argmax(cdf * (2.0 - grid))]
    assert float(optimal_offer(p, signal)) == pytest.approx(best, abs=2e-5)


@pytest.mark.parametrize("precision", [0.0, 0.3, 2.0, 25.0])
def test_posterior_is_bayes_rule_by_quadrature(precision: float) -> None:
    # brute force: prior density N(1, 0.4^2) times the signal's likelihood N(x | theta, 0.4^2 / precision),
    # normalised on a fine grid; its mean and sd against posterior() (precision 1 is the docstring's case)
    theta = np.linspace(-4.0, 6.0, 400_001)
    weight = stats.norm.pdf(theta, 1.0, 0.4)
    if precision > 0:
        weight = weight * stats.norm.pdf(2.3, theta, 0.4 / np.sqrt(precision))
    weight /= weight.sum()
    mean = float(weight @ theta)
    sd = float(np.sqrt(weight @ (theta - mean) ** 2))
    mu, s = posterior(1.0, 0.4, precision, 2.3)
    assert float(mu) == pytest.approx(mean, abs=1e-9)
    assert float(s) == pytest.approx(sd, abs=1e-9)


def test_uniform_prior_closed_form() -> None:
    # no information, theta ~ U[lo, hi]: t* = (V + lo)/2, value (V - lo)^2 / (4 (hi - lo)) when interior
    p = PriceParams(prior="uniform", mean=1.0, scale=0.5, precision=0.0, value=1.5)
    lo, hi = (float(b) for b in uniform_bounds(1.0, 0.5))
    assert float(optimal_offer(p)) == pytest.approx((1.5 + lo) / 2)
    out = expected_outcomes(p)
    assert out["value"] == pytest.approx((1.5 - lo) ** 2 / (4 * (hi - lo)), rel=1e-12)
    assert out["acceptance"] == pytest.approx(((1.5 + lo) / 2 - lo) / (hi - lo), rel=1e-12)


def test_uniform_prior_with_tiny_precision_approaches_closed_form() -> None:
    informed = expected_outcomes(PriceParams(prior="uniform", mean=1.0, scale=0.5, precision=1e-6, value=1.5))
    blind = expected_outcomes(PriceParams(prior="uniform", mean=1.0, scale=0.5, precision=0.0, value=1.5))
    assert informed["value"] == pytest.approx(blind["value"], abs=1e-4)


def test_offers_are_stable_deep_in_the_tails() -> None:
    # the signal says the price is 40 000 posterior sd above the value: the offer sits just below the value,
    # V - d, where the first-order condition d = s Phi(z)/phi(z), z = (V - d - mu)/s, is solved here by a
    # fixed point with scipy's erfcx (Phi/phi = sqrt(pi/2) erfcx(-z/sqrt 2), exact that far out)
    p = PriceParams(prior="normal", mean=0.0, scale=1.0, precision=1e6, value=1.0)
    t = optimal_offer(p, np.array([41.0, -41.0, 1.0 + 1e-3]))
    assert np.all(np.isfinite(t))
    post_var = 1.0 / (1.0 + 1e6)  # prior variance 1, noise variance 1e-6
    s = np.sqrt(post_var)
    mu = post_var * (0.0 + 41.0 / 1e-6)
    d = 0.0
    for _ in range(10):
        d = s * np.sqrt(np.pi / 2) * special.erfcx(-((1.0 - d - mu) / s) / np.sqrt(2))
    assert d == pytest.approx(2.5e-8, rel=1e-3)  # ~ s^2 / (mu - V): the offer is not 0
    assert t[0] == pytest.approx(1.0 - d, abs=1e-13)  # mu + s z loses ~1e-14 to rounding at mu = 41
    assert t[1] == 0.0  # the partner would pay to join: offer nothing
    # an ordinary case next to them in the same batch: mu + s z*, z* from brentq on z + Phi/phi = k
    mu2 = post_var * (1.0 + 1e-3) / 1e-6
    k = (1.0 - mu2) / s
    z = optimize.brentq(lambda z: z + np.exp(stats.norm.logcdf(z) - stats.norm.logpdf(z)) - k, -50, 29, xtol=1e-14)
    assert t[2] == pytest.approx(mu2 + s * z, abs=1e-12)


priors = st.sampled_from(["normal", "lognormal", "uniform"])


@settings(max_examples=60, deadline=None)
@given(priors, st.floats(-0.5, 1.5), st.floats(0.1, 1.0), st.floats(0.0, 1.5), st.floats(0.0, 30.0),
       st.floats(0.0, 30.0))
def test_value_never_falls_as_precision_rises(prior, mean, scale, value, tau1, tau2) -> None:
    lo, hi = sorted([tau1, tau2])
    a = expected_outcomes(PriceParams(prior=prior, mean=mean, scale=scale, precision=lo, value=value))
    b = expected_outcomes(PriceParams(prior=prior, mean=mean, scale=scale, precision=hi, value=value))
    assert b["value"] >= a["value"] - 1e-6


@settings(max_examples=60, deadline=None)
@given(priors, st.floats(-0.5, 1.5), st.floats(0.1, 1.0), st.floats(0.0, 1.5), st.floats(0.0, 30.0))
def test_surplus_adds_up(prior, mean, scale, value, tau) -> None:
    out = expected_outcomes(PriceParams(prior=prior, mean=mean, scale=scale, precision=tau, value=value))
    total = out["value"] + out["rent"] + out["efficiency_loss"]
    # three quadratures of the same integral: they agree to the quadrature's accuracy, not to machine precision
    assert total == pytest.approx(out["full_information_value"], abs=1e-5)
    assert 0 <= out["acceptance"] <= 1 + 1e-9


@pytest.mark.parametrize("prior", ["normal", "lognormal", "uniform"])
def test_information_rent_vanishes_as_precision_grows(prior: str) -> None:
    rents = [expected_outcomes(PriceParams(prior=prior, mean=0.8, scale=0.4, precision=t, value=2.0))["rent"]
             for t in (1.0, 1e2, 1e4, 1e6, 1e8)]
    assert rents[0] > 0.02
    assert all(b < a for a, b in zip(rents, rents[1:]))
    assert rents[-1] < 0.01 * rents[0]


@pytest.mark.parametrize(("field", "value"), [("scale", 0.0), ("precision", -1.0), ("value", -2.0), ("prior", "beta")])
def test_bad_parameters_name_the_field(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        PriceParams(**{field: value})


@settings(max_examples=40, deadline=None)
@given(priors, st.floats(-0.5, 1.5), st.floats(0.1, 1.0), st.floats(0.2, 1.5))
def test_information_rent_is_small_at_high_precision_everywhere(prior, mean, scale, value) -> None:
    # the rent falls like s sqrt(2 log(V/s)) with s = scale / sqrt(1 + precision); it need not fall
    # monotonically (an uninformed lead may offer 0 and pay no rent at all)
    sharp = expected_outcomes(PriceParams(prior=prior, mean=mean, scale=scale, precision=1e8, value=value))
    assert 0 <= sharp["rent"] <= 2e-3


@pytest.mark.parametrize("precision", [0.0, 1.0])
def test_partner_that_would_pay_to_join_gets_a_zero_offer(precision: float) -> None:
    # every price below 0: the partner joins for free, the lead keeps the whole value
    p = PriceParams(prior="uniform", mean=-0.5, scale=0.25, precision=precision, value=1.0)
    assert float(optimal_offer(p, -0.3)) == pytest.approx(0.0, abs=1e-9)
    out = expected_outcomes(p)
    assert out["value"] == pytest.approx(1.0, abs=1e-9)
    assert out["acceptance"] == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("precision", [0.0, 1.0])
def test_value_below_every_price_gives_no_rent_and_no_loss(precision: float) -> None:
    # the lead values the partner at 1 but every price lies in [2.13, 3.87]: no deal is efficient, the
    # offer is never accepted, so the partner earns no rent and no efficient deal is lost
    out = expected_outcomes(PriceParams(prior="uniform", mean=3.0, scale=0.5, precision=precision, value=1.0))
    assert out["acceptance"] == pytest.approx(0.0, abs=1e-12)
    assert out["rent"] == pytest.approx(0.0, abs=1e-12)
    assert out["efficiency_loss"] == pytest.approx(0.0, abs=1e-12)
    assert out["full_information_value"] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("prior", ["lognormal", "uniform"])
def test_batched_newton_offers_equal_one_at_a_time_and_maximise_the_objective(prior: str) -> None:
    # the solver stops each element when it has converged and goes on with the rest: a batch that
    # mixes fast and slow elements must give each element its own optimum
    from coalitionlab.bargaining.offers import _offers

    rng = np.random.default_rng(7)
    n = 300
    mean = rng.uniform(-1.0, 0.5, n) if prior == "lognormal" else rng.uniform(0.3, 1.5, n)
    scale, precision = rng.uniform(0.05, 1.0, n), rng.gamma(1.0, 3.0, n)
    value, signal = rng.uniform(0.05, 3.0, n), mean + rng.normal(0.0, 2.0, n) * scale
    batch = _offers(prior, value, mean, scale, precision, signal)
    single = np.array([float(_offers(prior, *(v[i:i + 1] for v in (value, mean, scale, precision, signal)))[0])
                       for i in range(n)])
    np.testing.assert_allclose(batch, single, rtol=1e-11, atol=1e-13)
    for i in rng.choice(n, 40, replace=False):
        p = PriceParams(prior=prior, mean=mean[i], scale=scale[i], precision=precision[i], value=value[i])
        if prior == "uniform":
            lo, hi = (float(b) for b in uniform_bounds(mean[i], scale[i]))
            noise = scale[i] / np.sqrt(precision[i])
            post = stats.truncnorm((lo - signal[i]) / noise, (hi - signal[i]) / noise, loc=signal[i], scale=noise)

            def cdf(t: float, post=post) -> float:
                return float(post.cdf(t))
        else:
            mu, s = posterior(mean[i], scale[i], precision[i], signal[i])

            def cdf(t: float, mu: float = float(mu), s: float = float(s)) -> float:
                return float(stats.norm.cdf(np.log(max(t, 1e-300)), mu, s))
        best = optimize.minimize_scalar(lambda t, v=value[i], cdf=cdf: -cdf(t) * (v - t), bounds=(0.0, value[i]),
                                        method="bounded", options={"xatol": 1e-10})
        ours = float(optimal_offer(p, signal[i]))
        # the objective is flat near its optimum: compare its values, not the offers
        assert cdf(ours) * (value[i] - ours) >= -best.fun - 1e-9


def test_many_quadrature_nodes_stay_finite_and_agree() -> None:
    """numpy's hermegauss overflows past ~300 nodes (NaN weights: expected outcomes silently NaN);
    400 nodes must give the 160-node answer (the integrand is smooth) and finite numbers."""
    from coalitionlab.bargaining import expected_outcomes
    from coalitionlab.bargaining.params import PriceParams

    for prior in ("normal", "lognormal", "uniform"):
        p = PriceParams(prior=prior, precision=2.0)
        few, many = expected_outcomes(p, nodes=160), expected_outcomes(p, nodes=400)
        for key, value in few.items():
            assert np.isfinite(many[key]) and many[key] == pytest.approx(value, abs=1e-6), (prior, key)
