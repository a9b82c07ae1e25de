"""Ex-ante outcomes of model 4 (``expected_outcomes``): cases that mutation testing showed the other tests
let through (docs/development/mutation.md).

The other tests check properties the module's own arithmetic guarantees (``value + rent + efficiency_loss
== full_information_value`` holds node by node whatever the integrand) or monotonicity; here each of the six
outputs is compared with a number the module does not compute:

* no information (precision 0): the offer is one number ``t`` (``optimal_offer`` is used only as the
  policy; the offer rule is tested elsewhere), and every output is an integral over the prior alone,
  done here with ``scipy.integrate.quad`` over the price;
* with a signal: the posterior is worked out by hand (conjugate normal updating; for the uniform prior,
  the normal likelihood truncated to the support), its pieces come from ``scipy.stats`` and the partial
  expectations written out below, and the integral over the signal is a trapezoid rule on a fine
  uniform grid (not the module's Gauss rules), with the marginal density of the signal written out;
* sharp signals (high precision), where the integrand jumps: the same trapezoid rule on 400,001 signals;
* the vectorised form ``_expected`` against the scalar one, lane by lane.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import integrate, stats

from coalitionlab.bargaining import PriceParams, expected_outcomes, optimal_offer
from coalitionlab.bargaining.offers import _expected, uniform_bounds

KEYS = ("value", "acceptance", "payment", "rent", "efficiency_loss", "full_information_value")


def _outcomes(prior: str, mean: float, scale: float, precision: float, value: float, **kw) -> dict[str, float]:
    """expected_outcomes, with any RuntimeWarning (a division by zero, a log of 0) turned into an error."""
    p = PriceParams(prior=prior, mean=mean, scale=scale, precision=precision, value=value)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return expected_outcomes(p, **kw)


def _pieces(value, t, cdf, pos) -> dict[str, np.ndarray]:
    """The six outcomes given an offer ``t >= 0`` and a price distribution: ``cdf(c) = P(theta <= c)`` and
    ``pos(c) = E[max(theta, 0) 1(theta <= c)]``. The partner joins iff ``theta <= t``; its rent is
    ``(t - max(theta, 0))`` when it joins; a deal is lost when ``t < theta <= V``."""
    acc = cdf(t)
    top = np.maximum(value, t)
    return {"value": acc * (value - t), "acceptance": acc, "payment": t * acc, "rent": t * acc - pos(t),
            "efficiency_loss": value * (cdf(top) - acc) - (pos(top) - pos(t)),
            "full_information_value": value * cdf(value) - pos(value)}


def _truncated_normal(m, s, lo, hi):
    """cdf and ``E[max(theta, 0) 1(theta <= c)]`` of ``N(m, s^2)`` truncated to ``[lo, hi]`` (infinite
    bounds: the normal itself), from ``E[theta 1(theta <= c)] = m Phi(z) - s phi(z)`` for the normal."""
    Phi, phi = stats.norm.cdf, stats.norm.pdf
    za, zb = (lo - m) / s, (hi - m) / s
    mass = Phi(zb) - Phi(za)

    def cdf(c):
        return (Phi(np.clip((c - m) / s, za, zb)) - Phi(za)) / mass

    def part(c):  # E[theta 1(lo < theta <= c)]
        zc = np.clip((c - m) / s, za, zb)
        return (m * (Phi(zc) - Phi(za)) - s * (phi(zc) - phi(za))) / mass

    return cdf, lambda c: part(c) - part(np.zeros_like(c))


def _lognormal(m, s):
    """cdf and ``E[theta 1(theta <= c)]`` of ``theta = exp(N(m, s^2))``: the size-biased lognormal is
    ``exp(N(m + s^2, s^2))``, so ``E[theta 1(theta <= c)] = e^(m + s^2/2) P(N(m + s^2, s^2) <= log c)``."""
    def cdf(c):
        with np.errstate(divide="ignore"):
            return stats.norm.cdf(np.log(c), m, s)

    def pos(c):
        with np.errstate(divide="ignore"):
            return np.exp(m + s * s / 2) * stats.norm.cdf(np.log(c), m + s * s, s)
    return cdf, pos


def _signal_integral(prior: str, mean: float, scale: float, precision: float, value: float,
                     n: int = 20001) -> dict[str, float]:
    """The outcomes integrated over the signal by a trapezoid rule on a uniform grid (converged to ~1e-9)."""
    p = PriceParams(prior=prior, mean=mean, scale=scale, precision=precision, value=value)
    noise = scale / np.sqrt(precision)
    if prior == "uniform":
        lo, hi = (float(b) for b in uniform_bounds(mean, scale))
        x = np.linspace(lo - 10 * noise, hi + 10 * noise, n)
        # x = theta + e: the density of x is the uniform density convolved with N(0, noise^2)
        density = (stats.norm.cdf((hi - x) / noise) - stats.norm.cdf((lo - x) / noise)) / (hi - lo)
        cdf, pos = _truncated_normal(x, noise, lo, hi)  # posterior: the likelihood truncated to [lo, hi]
    else:
        x = np.linspace(mean - 10 * np.hypot(scale, noise), mean + 10 * np.hypot(scale, noise), n)
        density = stats.norm.pdf(x, mean, np.hypot(scale, noise))
        post_var = 1.0 / (1.0 / scale**2 + 1.0 / noise**2)
        mu, s = post_var * (mean / scale**2 + x / noise**2), np.sqrt(post_var)
        cdf, pos = _truncated_normal(mu, s, -np.inf, np.inf) if prior == "normal" else _lognormal(mu, s)
    with np.errstate(invalid="ignore", divide="ignore"):  # far-out signals: 0/0 posterior, weight 0
        out = _pieces(value, optimal_offer(p, x), cdf, pos)
    w = density * (x[1] - x[0])
    w[[0, -1]] /= 2
    return {k: float(np.nansum(out[k] * w)) for k in KEYS}


def _prior_integral(prior: str, mean: float, scale: float, value: float) -> dict[str, float]:
    """No information: the outcomes of the one offer ``t`` as integrals over the prior, by quad."""
    t = float(optimal_offer(PriceParams(prior=prior, mean=mean, scale=scale, precision=0.0, value=value)))
    if prior == "normal":
        pdf, lo, hi = stats.norm(mean, scale).pdf, mean - 40 * scale, mean + 40 * scale
    elif prior == "lognormal":
        pdf, lo, hi = stats.lognorm(scale, scale=np.exp(mean)).pdf, 0.0, np.exp(mean + 40 * scale)
    else:
        lo, hi = (float(b) for b in uniform_bounds(mean, scale))

        def pdf(theta, lo=lo, hi=hi):
            return 1.0 / (hi - lo)

    def quad(f, a, b):
        a, b = max(a, lo), min(b, hi)
        pts = [c for c in (0.0, mean, np.exp(mean)) if a < c < b]
        return integrate.quad(lambda th: f(th) * pdf(th), a, b, points=pts or None, epsabs=1e-14, epsrel=1e-12,
                              limit=200)[0] if b > a else 0.0

    acc = quad(lambda th: 1.0, -np.inf, t)
    return {"value": acc * (value - t), "acceptance": acc, "payment": t * acc,
            "rent": quad(lambda th: t - max(th, 0.0), -np.inf, t),
            "efficiency_loss": quad(lambda th: value - th, t, value),
            "full_information_value": quad(lambda th: value - max(th, 0.0), -np.inf, value)}


def _check(got: dict[str, float], want: dict[str, float], abs_tol: float, rel: float = 0.0) -> None:
    for key in KEYS:
        assert got[key] == pytest.approx(want[key], abs=abs_tol, rel=rel), (key, got, want)


# ----------------------------------------------------------------------------------------------
# no information: integrals over the prior


@pytest.mark.parametrize(("mean", "scale", "value"), [
    (1.0, 0.5, 2.0),   # value above the support, lo > 0: full = V - E[theta]
    (1.0, 0.5, 1.5),   # value inside, interior offer (V + lo)/2
    (0.2, 0.8, 3.0),   # lo < 0 < offer: prices below 0 count as 0 in rents
    (0.2, 0.8, 1.0),   # lo < 0, offer (V + lo)/2 < 0 clipped to 0
    (0.9, 0.25, 0.6),  # value inside a support of positive prices, small offer
    (3.0, 0.5, 1.0),   # value below every price: nothing happens
])
def test_uniform_prior_without_information_matches_the_prior_integrals(mean, scale, value):
    """Catches the closed forms of the blind uniform branch: the clip of vv at hi dropped (218), the floor
    max(lo, 0) raised to 1 (227), any changed sign, power, factor 2 or division by width in the rent
    (229-242) or in the full-information value (244, 251-265), the payment t/pt (270) and the efficiency
    loss (271-274)."""
    _check(_outcomes("uniform", mean, scale, 0.0, value), _prior_integral("uniform", mean, scale, value),
           abs_tol=1e-11, rel=1e-9)


@pytest.mark.parametrize("prior", ["normal", "lognormal"])
@pytest.mark.parametrize(("mean", "value"), [(1.0, 2.0), (-0.2, 0.5)])
def test_normal_and_lognormal_priors_without_information_match_the_prior_integrals(prior, mean, value):
    """Precision 0: the posterior is the prior, whatever the signal. Catches the normal prior sent down the
    lognormal or uniform branch ('normal' misspelt or the test inverted: 32, 33, 51-53; the prior dropped
    in expected_outcomes: expected_outcomes 9), the lognormal sent to the uniform branch (34, 35), the
    posterior sd scale/sqrt(2 + precision) (42) and the lognormal mean exp(mu - s^2/2) (lognormal 19)."""
    _check(_outcomes(prior, mean, 0.6, 0.0, value), _prior_integral(prior, mean, 0.6, value), abs_tol=1e-10,
           rel=1e-9)


# ----------------------------------------------------------------------------------------------
# with a signal: integrals over the signal


@pytest.mark.parametrize(("prior", "mean", "scale", "precision", "value", "tol"), [
    ("normal", 1.0, 0.5, 2.0, 2.0, 2e-5),
    ("normal", 1.0, 0.5, 0.5, 0.5, 2e-5),
    ("lognormal", 0.2, 0.8, 2.0, 2.0, 1e-8),
    ("lognormal", -0.3, 0.3, 0.5, 0.5, 1e-8),
    ("uniform", 1.0, 0.5, 0.5, 2.0, 5e-5),   # precision below 1: informed all the same
    ("uniform", 1.0, 0.5, 2.0, 2.0, 5e-5),   # value above the support
    ("uniform", 0.2, 0.8, 2.0, 0.5, 5e-5),   # support across 0, value inside
    ("uniform", -0.3, 0.3, 2.0, 0.5, 5e-5),
    ("uniform", 1.0, 0.5, 50.0, 2.0, 5e-5),  # sharp signal: the signal grid must cover the support
])
def test_outcomes_match_the_integral_over_the_signal(prior, mean, scale, precision, value, tol):
    """Every output against the trapezoid integral over the signal. Catches, for the normal and lognormal
    priors, the wrong branch (32-35, 51-53, expected_outcomes 9), the posterior sd (42) and the spread of
    the posterior mean (mu = mean + scale sqrt(precision / (2 + precision)) u: 50), the lognormal mean
    (lognormal 19); for the uniform prior, precision <= 1 treated as no information (101), the signal grid
    centred at 0.5 / (left + right) (125), the value's z left unclipped above hi (truncnorm 18), the partial
    expectation multiplied by the mass (57), and the signs in the efficiency loss (82, 84, 85), the
    full-information value (89, 91) and the payment t / pt (95). Also that no RuntimeWarning is raised: a node
    where the posterior mass rounds to 0 is skipped quietly (mass >= 0 divides by it: truncnorm 44)."""
    _check(_outcomes(prior, mean, scale, precision, value), _signal_integral(prior, mean, scale, precision, value),
           abs_tol=tol)


def test_uniform_quadrature_node_exactly_on_the_lower_end_of_the_support():
    """At this precision (mean 1, scale 0.5, the default 160 nodes) a signal node falls exactly on ``lo``,
    so ``a = (lo - x)/noise`` is exactly 0 there. Catches the density term at ``a`` computed as ``a / a``
    or ``1 / a * a`` (NaN at a = 0, a whole node dropped from the rent, loss and full value: truncnorm 49, 50)."""
    precision = 9.57375936181725
    _check(_outcomes("uniform", 1.0, 0.5, precision, 2.0), _signal_integral("uniform", 1.0, 0.5, precision, 2.0),
           abs_tol=5e-5)


@pytest.mark.parametrize("precision", [0.0, 1.0, 30.0])
def test_every_price_below_zero_pays_nothing_and_loses_nothing(precision):
    """Support [-0.93, -0.07]: the partner joins for an offer of 0, so value = full-information value = V,
    acceptance 1, payment, rent and efficiency loss 0 (max(theta, 0) = 0 for every price). Catches the
    clip of the zero price's z at b dropped (the floor moves below b: full > V, truncnorm 27)."""
    out = _outcomes("uniform", -0.5, 0.25, precision, 1.5)
    assert out == pytest.approx({"value": 1.5, "acceptance": 1.0, "payment": 0.0, "rent": 0.0,
                                 "efficiency_loss": 0.0, "full_information_value": 1.5}, abs=1e-9)


def test_lognormal_with_zero_value_is_all_zero_and_quiet():
    """V = 0: the offer is 0 and log 0 = -inf is expected; no outcome is positive and no warning reaches
    the caller. Catches the errstate around the logs dropped (divide=None: lognormal 1)."""
    out = _outcomes("lognormal", 0.2, 0.8, 2.0, 0.0)
    assert out == {k: 0.0 for k in KEYS}


# ----------------------------------------------------------------------------------------------
# the nodes argument and the vectorised form


@pytest.mark.parametrize(("prior", "mean", "scale", "precision", "value"), [
    ("normal", 1.0, 0.5, 1e4, 0.5),
    ("normal", 1.0, 0.5, 1e8, 0.5),
    ("lognormal", 0.2, 0.8, 1e4, 2.0),
    ("lognormal", 0.0, 0.5, 1e6, 1.5),
    ("normal", -0.3, 0.3, 2.0, 0.5),   # the offer is clipped at 0 for low signals: a kink
    ("normal", 0.2, 1.0, 50.0, 0.1),
])
def test_sharp_signals_match_the_integral_over_the_signal(prior, mean, scale, precision, value):
    """At a high precision the acceptance jumps from 0 to 1 within ~1/sqrt(precision) prior sds of the signal
    at which the posterior mean passes the value. A fixed 160-node Gauss-Hermite rule cannot follow that
    jump: it put the acceptance 3% too high at precision 1e4 and the lognormal payment 5% too low, and even
    the full-information value, which does not depend on the precision, was off at 1e8. Against the
    trapezoid rule on 400,001 signals (spacing below the posterior sd) every output must agree to 1e-7;
    catches a rule over the signal that is not refined where the integrand turns (the value, 0, the offer's
    kink at 0)."""
    _check(_outcomes(prior, mean, scale, precision, value),
           _signal_integral(prior, mean, scale, precision, value, n=400_001), abs_tol=1e-7)


def test_more_nodes_give_the_same_answer():
    """``nodes`` sets the Gauss-Legendre nodes per panel (nodes / 20, at least 8): 2,000 nodes and the
    default must agree to 1e-10 on a sharp and a smooth case (the default has converged)."""
    for precision in (0.7, 3e5):
        few = _outcomes("normal", 1.0, 0.5, precision, 0.8)
        many = _outcomes("normal", 1.0, 0.5, precision, 0.8, nodes=2000)
        _check(few, many, abs_tol=1e-10)


@pytest.mark.parametrize("prior", ["normal", "lognormal", "uniform"])
def test_vectorised_outcomes_equal_the_scalar_ones_lane_by_lane(prior):
    """``_expected`` is the vectorised expected_outcomes (channels and world call it with arrays): each lane
    of a 2 x 3 batch, mixing precision 0 and positive precisions, must be expected_outcomes of that lane's
    parameters, both at their default node counts. Catches the node sums over the whole batch
    (axis=None or no axis: 88, 90, 161, 163) and a default node count in either function that is not the
    other's (_expected 1, expected_outcomes 1)."""
    value = np.array([[2.0], [0.7]])
    mean = np.array([1.0, 0.3, 1.0]) if prior != "lognormal" else np.array([0.2, -0.3, 0.2])
    scale = np.array([0.5, 0.8, 0.4])
    precision = np.array([2.0, 0.0, 7.0])
    got = _expected(prior, value, mean, scale, precision)
    assert len(got) == len(KEYS)
    for i in range(2):
        for j in range(3):
            want = expected_outcomes(PriceParams(prior=prior, mean=mean[j], scale=scale[j], precision=precision[j],
                                                 value=value[i, 0]))
            for k, key in enumerate(KEYS):
                assert got[k].shape == (2, 3)
                assert got[k][i, j] == pytest.approx(want[key], rel=1e-10, abs=1e-13), (i, j, key)
