"""Model 4 offer solvers: cases that mutation testing showed the other tests let through (docs/development/mutation.md).

Oracles, none of them computed by :mod:`coalitionlab.bargaining.offers`:

* normal posterior: ``z + Phi(z)/phi(z) = k`` solved by ``scipy.optimize.brentq`` with
  ``Phi/phi = sqrt(pi/2) erfcx(-z/sqrt 2)`` (scipy's scaled complementary error function, exact far into
  the left tail), and the asymptote ``z = k - 1/|k|`` where that is below the resolution of ``k``;
* lognormal posterior: the first-order condition of ``max_t Phi((log t - mu)/s) (V - t)`` written in the
  distance ``d = k - z`` below the value, ``expm1(s d) = s Phi/phi(k - d)``, solved by brentq in ``log d``,
  the offer then ``V exp(-s d)`` (no cancellation in ``mu + s z``);
* uniform prior with a signal: the first-order condition ``(V - t) f(t) = F(t)`` of the posterior, a
  normal truncated to the support, from ``scipy.stats.truncnorm``; without a signal the closed form
  ``t* = (V + lo)/2``, derived in the test from the objective ``(t - lo)/(hi - lo) (V - t)``;
* conjugate normal updating by hand (precisions add, means are precision-weighted).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import optimize, special, stats

from coalitionlab.bargaining import PriceParams, normal_offer_z, optimal_offer
from coalitionlab.bargaining.offers import posterior, uniform_bounds

_SQRT3 = math.sqrt(3.0)


def _log_mills(z: float) -> float:
    """log(Phi(z)/phi(z)) from scipy's erfcx: Phi(z)/phi(z) = sqrt(pi/2) erfcx(-z/sqrt 2)."""
    return 0.5 * math.log(math.pi / 2) + math.log(special.erfcx(-z / math.sqrt(2.0)))


def _z_star(k: float) -> float:
    """Root of z + Phi(z)/phi(z) = k (the left end: z + Phi/phi - k < 0 at min(k, 0) - 2; > 0 at k)."""
    return optimize.brentq(lambda z: z + math.exp(_log_mills(z)) - k, min(k, 0.0) - 2.0, k, xtol=1e-300,
                           rtol=8.9e-16, maxiter=500)


def _lognormal_offer(value: float, mu: float, s: float) -> float:
    """argmax_t Phi((log t - mu)/s) (V - t): expm1(s d) = s Phi/phi(k - d) in d = k - z, t = V exp(-s d)."""
    k = (math.log(value) - mu) / s

    def foc(u: float) -> float:  # increasing in u = log d
        x = s * math.exp(u)
        log_expm1 = x + math.log(-math.expm1(-x))  # log(e^x - 1), stable for small and large x
        return log_expm1 - math.log(s) - _log_mills(k - math.exp(u))

    u = optimize.brentq(foc, -60.0, 10.0, xtol=1e-15, rtol=8.9e-16, maxiter=500)
    return value * math.exp(-s * math.exp(u))


def _uniform_offer(value: float, mean: float, scale: float, precision: float, signal: float) -> float:
    """Offer under U[lo, hi] and a signal of noise sd scale/sqrt(precision): the posterior is N(signal,
    noise^2) truncated to [lo, hi]; root of (k - z) f(z) = F(z) on offers in [max(lo, 0), hi]."""
    lo, hi = mean - _SQRT3 * scale, mean + _SQRT3 * scale
    s = scale / math.sqrt(precision)
    a, b, k = (lo - signal) / s, (hi - signal) / s, (value - signal) / s
    post = stats.truncnorm(a, b)

    def foc(z: float) -> float:  # decreasing: +inf at a, -inf at k
        return math.log(k - z) + post.logpdf(z) - post.logcdf(z)

    zl, zh = max(a, -signal / s), min(b, k)
    if zh < k and foc(zh) >= 0:
        return signal + s * zh  # the whole support is worth buying: offer hi
    if zl > a and foc(zl) <= 0:
        return signal + s * zl  # the optimum is below 0: offer 0
    left = zl if zl > a else a + 1e-9 * max(1.0, abs(a))
    right = zh if zh < k else k - 1e-12 * max(1.0, abs(k))
    return signal + s * optimize.brentq(foc, left, right, xtol=1e-15, rtol=8.9e-16, maxiter=500)


# ----------------------------------------------------------------------------------------------
# normal posterior


@pytest.mark.parametrize("k", [-58.9, -58.0, -57.4, -59.5, -1e6, -3e7])
def test_normal_condition_at_the_table_ends_and_far_left(k: float) -> None:
    """k just above -59 is the first stretch of the lookup table, k far below it the left asymptote.

    Catches a wrong table index scale ((N-1) * (hi - lo) instead of (N-1) / (hi - lo): k in (-59, -57.3)
    reads an entry far down the table) and a wrong or dropped start on the left asymptote (2k, or the
    dense table's end at z = -60: three Newton steps from there miss by 1e-4 relative at k = -1e6)."""
    z = float(normal_offer_z(k))
    assert z == pytest.approx(_z_star(k), rel=1e-15, abs=1e-14)
    if k < -1e5:
        assert z < k  # the offer sits 1/|k| standard deviations below V: z + 1/|z| = k
        assert k - z == pytest.approx(1.0 / abs(k), abs=2 * np.spacing(abs(k)))


def test_normal_condition_beyond_the_lookup_table() -> None:
    """k = -1e17 (a price known to 1e-16 and 10 above the value) is 38 units of asinh k below the table.

    Catches the table index not clipped at 0 (a negative index past the table's length: IndexError).
    The root k - 1/|k| rounds to k itself."""
    assert float(normal_offer_z(-1e17)) == -1e17
    p = PriceParams(prior="normal", mean=10.0, scale=1e-10, precision=1e12, value=0.0)
    assert float(optimal_offer(p, 10.0)) == 0.0


# ----------------------------------------------------------------------------------------------
# lognormal posterior


@pytest.mark.parametrize(("mean", "scale", "value"), [(-38.19, 1.0, 1.0), (-45.45, 2.0, 1.0), (-27.8, 0.5, 1000.0),
                                                      (-54.39, 1.0, 1.0)])
def test_lognormal_offer_far_below_the_value(mean: float, scale: float, value: float) -> None:
    """The price is e^30 to e^45 times below the value: at the optimum V/t - 1 = e^y - 1 with y = 30.5,
    30.3, 30.8 and 45, where log(e^y - 1) is computed as y + log1p(-e^-y).

    Catches that branch dropped (log expm1(min(y, 30)) = 30 for every y), its threshold moved to 31, and
    log1p(-e^{+y}) (NaN)."""
    t = float(optimal_offer(PriceParams(prior="lognormal", mean=mean, scale=scale, value=value)))
    assert t == pytest.approx(_lognormal_offer(value, mean, scale), rel=1e-12)


@pytest.mark.parametrize("signal", [5.0, 20.0])
def test_lognormal_offer_for_a_sharp_price_far_above_the_value(signal: float) -> None:
    """precision 1e11: log theta is known to 3e-6 and lies 5 or 20 above log V, so k = -1.6e6 or -6.3e6;
    the offer is V (1 - ~1e-12), where the safeguarded Newton solver has to bisect.

    Catches a bisection step at 1.5 (lo + hi) or 0.5 / (lo + hi) or 0.5 (lo - hi), and a lower bracket that
    never moves up (the solver ends 6e-5 below the optimum)."""
    p = PriceParams(prior="lognormal", mean=0.0, scale=1.0, precision=1e11, value=1.0)
    post_var = 1.0 / (1.0 + 1e11)  # prior variance 1, noise variance 1e-11
    mu, s = post_var * (signal / 1e-11), math.sqrt(post_var)
    assert float(optimal_offer(p, signal)) == pytest.approx(_lognormal_offer(1.0, mu, s), rel=1e-9)


@pytest.mark.parametrize("prior", ["normal", "lognormal", "uniform"])
@pytest.mark.parametrize("precision", [0.0, 2.0])
def test_zero_value_offers_exactly_nothing(prior: str, precision: float) -> None:
    """V = 0: any t > 0 loses F(t) t, so the offer is 0 exactly (uniform mean 0.5: support [-0.37, 1.37],
    partners with a negative price join for free; mean 1: support [0.13, 1.87], nobody joins).

    Catches the lognormal's value-0 branch returning 1, the uniform solver's value <= max(lo, 0) branch
    dropped or made strict (the solver's interior answer, ~1e-11 or lo, is returned) and its answer floored
    at 1 instead of 0."""
    signal = np.array([0.4, 1.2, -0.3]) if precision > 0 else None  # precision 0: one offer, signal ignored
    for mean in (0.5, 1.0):
        p = PriceParams(prior=prior, mean=mean, scale=0.5, precision=precision, value=0.0)
        assert np.all(optimal_offer(p, signal) == 0.0), mean


# ----------------------------------------------------------------------------------------------
# uniform prior


_UNIFORM_CASES = [
    # mean, scale, precision, value, signal
    (0.959, 0.877, 0.256, 10.37, -0.329), (-0.032, 0.892, 0.258, 8.901, -1.173), (0.964, 0.2, 0.331, 4.556, 0.597),
    (0.876, 0.142, 0.302, 5.841, 0.442), (0.606, 0.066, 0.055, 0.889, 0.876), (0.231, 0.625, 0.011, 3.954, -13.453),
    (1.043, 0.074, 0.023, 1.553, -0.782), (0.178, 0.376, 0.036, 0.636, -3.381), (0.105, 0.719, 0.034, 1.075, 5.921),
    (0.371, 0.805, 0.03, 1.015, 8.874), (0.938, 0.543, 0.044, 1.773, 9.663), (1.81, 0.667, 915.3, 1.237, 3.12),
    (0.999, 0.71, 626.5, 0.967, 2.733), (0.569, 0.85, 568.6, 0.285, 3.322),
]


def test_uniform_offers_solve_the_truncated_normal_condition() -> None:
    """Fourteen ordinary uniform-prior cases (a noisy signal, or a sharp one above the support).

    Catches a Newton derivative with -2/gap for -1/gap, the table start replaced by the bracket midpoint,
    a Newton step that lands on the bracket's lower end rejected (> for >=), a lower bracket end that
    never moves, and a broken bisection step (0.5 / (lo + hi), 0.5 (lo - hi)): each leaves some case 1e-8
    or more from the optimum after the 12 iterations."""
    for mean, scale, precision, value, signal in _UNIFORM_CASES:
        p = PriceParams(prior="uniform", mean=mean, scale=scale, precision=precision, value=value)
        want = _uniform_offer(value, mean, scale, precision, signal)
        case = (mean, scale, precision, value, signal)
        assert float(optimal_offer(p, signal)) == pytest.approx(want, abs=1e-10), case


def test_offers_stay_inside_zero_and_the_value() -> None:
    """The offer is never negative and never above V (``optimal_offer``'s docstring).

    * all prices negative (support [-0.92, -0.85]) or the signal far below 0: the optimum is t = 0;
    * V = 0.1 below the support [0.134, 1.866]: nothing is accepted and the offer is V, with or without a
      signal.

    Catches the solver's floor set 1e-12 below 0 instead of above (offers of -1e-12), the no-information
    branch for V <= max(lo, 0) dropped (offer lo > V) or floored at 1, and the informed solver's
    V <= max(lo, 0) branch dropped (offer ~ lo > V)."""
    negative = PriceParams(prior="uniform", mean=-0.886, scale=0.02, precision=0.4, value=0.65)
    t = optimal_offer(negative, np.array([-23.2, -5.0, -0.9, 0.0]))
    assert np.all(t >= 0.0) and t.tolist() == pytest.approx([0.0] * 4, abs=1e-11)
    far = PriceParams(prior="uniform", mean=0.5, scale=0.5, precision=1.0, value=1.0)
    assert float(optimal_offer(far, -40.0)) >= 0.0
    blind = PriceParams(prior="uniform", mean=1.0, scale=0.5, precision=0.0, value=0.1)
    assert float(optimal_offer(blind)) == 0.1
    informed = PriceParams(prior="uniform", mean=1.0, scale=0.5, precision=3.0, value=0.1)
    assert optimal_offer(informed, np.array([1.0, 0.2, 0.14])).tolist() == [0.1, 0.1, 0.1]


@pytest.mark.parametrize("value", [0.3, 0.8, 1.0, 3.0, 5.0])
def test_uninformed_uniform_offer_is_the_closed_form(value: float) -> None:
    """precision 0, U[lo, hi] with lo = 1 - 0.5 sqrt 3 = 0.134: the objective (t - lo)/(hi - lo) (V - t) has
    its peak at (V + lo)/2, clipped to hi (V = 5); checked against a dense grid as well.

    Catches the V <= max(lo, 0) test against max(lo, 1) (V = 0.3, 0.8 and 1 would be offered V itself)."""
    lo, hi = 1.0 - 0.5 * _SQRT3, 1.0 + 0.5 * _SQRT3
    want = min((value + lo) / 2.0, hi)
    grid = np.linspace(lo, hi, 200_001)
    best = grid[np.argmax((grid - lo) / (hi - lo) * (value - grid))]
    assert want == pytest.approx(best, abs=2e-5)
    got = float(optimal_offer(PriceParams(prior="uniform", mean=1.0, scale=0.5, precision=0.0, value=value)))
    assert got == pytest.approx(want, rel=1e-15)


# ----------------------------------------------------------------------------------------------
# the signal and the posterior


@pytest.mark.parametrize("prior", ["normal", "uniform"])
def test_missing_signal_reads_as_the_prior_mean(prior: str) -> None:
    """``signal=None`` with precision 2: the posterior is the prior mean with variance 0.25/3.

    Catches optimal_offer passing None on (NaN offers) when precision > 0 (the None test made "and", or
    dropped)."""
    p = PriceParams(prior=prior, mean=1.0, scale=0.5, precision=2.0, value=2.0)
    if prior == "normal":
        s = 0.5 / math.sqrt(3.0)
        want = 1.0 + s * _z_star((2.0 - 1.0) / s)
    else:
        want = _uniform_offer(2.0, 1.0, 0.5, 2.0, 1.0)
    assert float(optimal_offer(p)) == pytest.approx(want, abs=1e-12)


def test_signal_is_used_at_precision_one_and_ignored_at_zero() -> None:
    """precision 1: the posterior mean is (mean + signal)/2, sd scale/sqrt 2; precision 0: the signal, even
    NaN, is ignored (the docstring).

    Catches the precision == 0 test against 1 (the signal dropped at precision 1) and the "signal is None or
    precision == 0" test made "and" (a NaN signal reaches the posterior at precision 0)."""
    p = PriceParams(prior="normal", mean=1.0, scale=0.5, precision=1.0, value=2.0)
    mu, s = (1.0 + 2.5) / 2.0, 0.5 / math.sqrt(2.0)
    assert float(optimal_offer(p, 2.5)) == pytest.approx(mu + s * _z_star((2.0 - mu) / s), abs=1e-12)
    blind = PriceParams(prior="normal", mean=1.0, scale=0.5, precision=0.0, value=2.0)
    want = 1.0 + 0.5 * _z_star(2.0)
    for signal in (np.nan, 7.0):
        assert float(optimal_offer(blind, signal)) == pytest.approx(want, abs=1e-12)


def test_posterior_without_a_signal_is_the_prior_mean() -> None:
    """posterior(mean, scale, precision, None): mean (mean + precision mean)/(1 + precision) = mean.

    Catches the None test dropped (np.asarray(None, float) is NaN)."""
    mu, s = posterior(1.0, 0.5, 1.0, None)
    assert float(mu) == 1.0 and float(s) == pytest.approx(0.5 / math.sqrt(2.0), rel=1e-15)


def test_object_inputs_are_read_as_floats() -> None:
    """Arrays of Python floats with dtype object (a pandas column with missing values, say) are read as
    float arrays by posterior, uniform_bounds and normal_offer_z.

    Catches a dropped float cast: object arrays come back as object arrays, or np.sqrt / np.arcsinh
    fail on them (TypeError)."""
    obj = np.array([0.4, 1.3], dtype=object)
    mu, s = posterior(obj, 0.5, 2.0, 1.0)
    assert mu.dtype == np.float64 and mu.tolist() == pytest.approx([(0.4 + 2.0) / 3.0, (1.3 + 2.0) / 3.0])
    mu, s = posterior(1.0, 0.5, 2.0, obj)
    assert mu.dtype == np.float64 and mu.tolist() == pytest.approx([(1.0 + 0.8) / 3.0, (1.0 + 2.6) / 3.0])
    mu, s = posterior(1.0, obj, obj, 1.0)
    assert s.dtype == np.float64 and s.tolist() == pytest.approx([0.4 / math.sqrt(1.4), 1.3 / math.sqrt(2.3)])
    for lo, hi in (uniform_bounds(obj, 0.5), uniform_bounds(1.0, obj)):
        assert lo.dtype == np.float64 and hi.dtype == np.float64
    lo, hi = uniform_bounds(1.0, obj)
    assert lo.tolist() == pytest.approx([1.0 - 0.4 * _SQRT3, 1.0 - 1.3 * _SQRT3])
    z = normal_offer_z(obj)
    assert z.dtype == np.float64 and z.tolist() == pytest.approx([_z_star(0.4), _z_star(1.3)], abs=1e-14)


def test_sharp_signals_raise_no_runtime_warnings() -> None:
    """precision 1e12 (uniform) and a lognormal with scale 1e-12: the solvers evaluate log1p(-1) in masked
    branches and Newton steps inf/inf that they reject; a caller running with warnings as errors must
    still get the offers.

    Catches the errstate around those computations dropped or set to None (RuntimeWarning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for value in (0.1, 1.0):
            p = PriceParams(prior="uniform", mean=1.0, scale=0.5, precision=1e12, value=value)
            t = optimal_offer(p, np.array([1.0, 0.5]))
            assert np.all(np.isfinite(t))
        t = optimal_offer(PriceParams(prior="lognormal", mean=1e-5, scale=1e-12, value=1.0))
    assert float(t) == pytest.approx(1.0, rel=1e-15)  # the price is e^1e-5 > V: offer V (1 - 1e-19)


# ----------------------------------------------------------------------------------------------
# bugs these oracles found (each fixed)


@pytest.mark.parametrize("k", [-3093853269.680742, -1e12, -1e300])
def test_far_left_tail_is_the_asymptote_not_nan(k: float) -> None:
    """``log_ndtr(z) + z^2/2`` loses every digit below z ~ -1e8 (the two terms cancel), so ``normal_offer_z``
    gave NaN for about 1% of k below -3e9 and for -1e300. There ``Phi/phi(z) = 1/|z| (1 - 1/z^2 + ...)``,
    so the root of ``z + Phi/phi = k`` is ``k + 1/|k|`` to far below double precision."""
    z = float(normal_offer_z(k))
    assert z == pytest.approx(k + 1.0 / abs(k), rel=1e-15)


def test_sharp_signal_far_above_the_value_is_an_offer_not_nan() -> None:
    """The same cancellation made these offers NaN. With the posterior mean thousands of posterior sds
    above the value, the offer is the value less ``s / |k|`` (the asymptote) for the normal prior; for the
    lognormal prior it is the brentq oracle's."""
    p = PriceParams(prior="normal", mean=0.0, scale=1.0, precision=1e12, value=1.0)
    mu, s = (float(v) for v in posterior(0.0, 1.0, 1e12, 3163.0))
    k = (1.0 - mu) / s
    assert float(optimal_offer(p, 3163.0)) == pytest.approx(mu + s * (k + 1.0 / abs(k)), rel=1e-12)
    q = PriceParams(prior="lognormal", mean=0.0, scale=1.0, precision=1e12, value=1.0)
    mu, s = (float(v) for v in posterior(0.0, 1.0, 1e12, 3072.0))
    got = float(optimal_offer(q, 3072.0))
    # the solver keeps z below k - 1e-12 |k| (H is -inf at k), which costs up to 1e-12 |log V - mu| of the
    # offer, relative: 3e-9 here
    assert np.isfinite(got) and got == pytest.approx(_lognormal_offer(1.0, mu, s), rel=1e-12 * abs(0.0 - mu) + 1e-12)


def test_a_missing_signal_gives_a_missing_offer() -> None:
    """A NaN signal was cast to an integer table index (IndexError); the offer for it is NaN, and the
    other signals of the same call are unaffected."""
    p = PriceParams(prior="normal", precision=1.0)
    got = optimal_offer(p, np.array([np.nan, 1.0]))
    assert np.isnan(got[0]) and got[1] == pytest.approx(float(optimal_offer(p, 1.0)), rel=1e-15)


def test_uniform_offer_from_a_signal_below_the_support_converges() -> None:
    """12 safeguarded Newton steps stopped short when the signal lies a few noise sds below ``lo`` and the
    value is far above: the offer came out 37.7 noise sds above ``lo`` where the optimum is 2.35. The
    oracle is the brute-force maximum of ``F(t | x) (V - t)`` over a fine grid of offers (the posterior a
    normal truncated to the support, from scipy.stats.truncnorm)."""
    mean, scale, precision, value = 1.0, 0.5, 1e10, 2.0
    lo, hi = mean - _SQRT3 * scale, mean + _SQRT3 * scale
    noise = scale / math.sqrt(precision)
    x = lo - 5 * noise
    post = stats.truncnorm((lo - x) / noise, (hi - x) / noise, loc=x, scale=noise)
    t = lo + noise * np.linspace(0.0, 60.0, 600_001)
    best = t[np.argmax(post.cdf(t) * (value - t))]
    got = float(optimal_offer(PriceParams(prior="uniform", mean=mean, scale=scale, precision=precision,
                                          value=value), x))
    assert abs(got - best) <= 2e-4 * noise
