"""Firth logit (models/firth.py) against oracles it does not compute, written for the gaps mutation testing
found: the penalised log-likelihood and its maximum by scipy, the covariance from statsmodels' logit
Hessian, the likelihood-ratio and Wald p-values by hand, the iteration count and the error messages."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats
from scipy.special import expit
from statsmodels.discrete.discrete_model import Logit

from coalitionlab.errors import EstimationError
from coalitionlab.models.firth import firth_cluster_cov, firth_logit


def _jeffreys_loglik(beta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    """log L + 1/2 log det I(beta), written out here (Firth 1993)."""
    eta = X @ beta
    p = 1 / (1 + np.exp(-eta))
    info = (X * (p * (1 - p))[:, None]).T @ X
    # log p = -log(1 + e^-eta), log(1 - p) = -log(1 + e^eta), in the form that stays finite for large |eta|
    return float(np.sum(-y * np.logaddexp(0, -eta) - (1 - y) * np.logaddexp(0, eta))
                 + 0.5 * np.log(np.linalg.det(info)))


def _maximise(X: np.ndarray, y: np.ndarray, fixed_zero: int | None = None) -> tuple[np.ndarray, float]:
    k = X.shape[1]
    free = [j for j in range(k) if j != fixed_zero]

    def negative(b_free: np.ndarray) -> float:
        b = np.zeros(k)
        b[free] = b_free
        return -_jeffreys_loglik(b, X, y)

    with np.errstate(over="ignore"):
        res = optimize.minimize(negative, np.zeros(len(free)), method="Nelder-Mead",
                                options={"maxiter": 20000, "xatol": 1e-10, "fatol": 1e-13})
        res = optimize.minimize(negative, res.x, method="BFGS", options={"gtol": 1e-9})  # polish
    b = np.zeros(k)
    b[free] = res.x
    return b, -res.fun


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20)
    n = 80
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.binomial(1, 0.3, n)])
    y = (rng.random(n) < expit(X @ np.array([-0.4, 0.9, 1.2]))).astype(float)
    return X, y


def test_estimate_loglik_covariance_and_p_values_against_independent_computations(data) -> None:
    X, y = data
    fit = firth_logit(X, y, lr_skip=(0,))
    beta, top = _maximise(X, y)
    np.testing.assert_allclose(fit.params, beta, atol=1e-5)
    assert fit.loglik == pytest.approx(_jeffreys_loglik(fit.params, X, y), abs=1e-10)
    assert fit.loglik == pytest.approx(top, abs=1e-8)
    # model-based covariance: the inverse Fisher information at the estimate, from statsmodels' logit Hessian
    cov = np.linalg.inv(-Logit(y, X).hessian(fit.params))
    np.testing.assert_allclose(fit.cov, cov, rtol=1e-10)
    # the intercept (lr_skip) gets the Wald p-value; the others the penalised LR test, chi-squared with 1 df
    assert fit.pvalues_lr[0] == pytest.approx(2 * stats.norm.sf(abs(fit.params[0]) / np.sqrt(cov[0, 0])), rel=1e-10)
    for j in (1, 2):
        _, restricted = _maximise(X, y, fixed_zero=j)
        want = stats.chi2.sf(2 * (top - restricted), 1)
        assert fit.pvalues_lr[j] == pytest.approx(want, rel=1e-4), j
    assert np.isnan(firth_logit(X, y, lr_tests=False).pvalues_lr).all()
    assert np.isfinite(firth_logit(X, y).pvalues_lr).all()  # LR tests by default, for every column


def test_integer_inputs_give_the_float_fit(data) -> None:
    X, y = data
    Xi, yi = np.round(X * 0).astype(int) + (X > 0).astype(int), y.astype(int)  # a 0/1 integer design
    got, want = firth_logit(Xi, yi), firth_logit(Xi.astype(float), yi.astype(float))
    np.testing.assert_array_equal(got.params, want.params)
    np.testing.assert_array_equal(got.pvalues_lr, want.pvalues_lr)
    groups = np.repeat(np.arange(8), 10)
    np.testing.assert_array_equal(firth_cluster_cov(Xi, yi, want.params, groups),
                                  firth_cluster_cov(Xi.astype(float), yi.astype(float), want.params, groups))


def test_a_start_at_the_optimum_converges_in_one_iteration() -> None:
    # x symmetric and y balanced within x: the penalised score is 0 at beta = 0 (worked by hand: p = 1/2,
    # h (1/2 - p) = 0, X'(y - 1/2) = 0), so the first Newton step is 0
    X = np.column_stack([np.ones(4), [-1.0, -1.0, 1.0, 1.0]])
    y = np.array([0.0, 1.0, 0.0, 1.0])
    fit = firth_logit(X, y, maxiter=1, lr_tests=False)
    assert fit.iterations == 1 and np.array_equal(fit.params, np.zeros(2))


def test_maxiter_is_the_number_of_newton_steps(data) -> None:
    X, y = data
    needed = firth_logit(X, y, lr_tests=False).iterations
    assert needed >= 3
    assert firth_logit(X, y, lr_tests=False, maxiter=needed).iterations == needed
    with pytest.raises(EstimationError, match=f"^Firth logit did not converge in {needed - 1} iterations$"):
        firth_logit(X, y, lr_tests=False, maxiter=needed - 1)


def test_a_singular_design_is_named() -> None:
    X = np.column_stack([np.ones(6), [0, 1, 0, 1, 1, 0], [0, 1, 0, 1, 1, 0]])
    with pytest.raises(EstimationError, match=r"^Firth logit: the design matrix is singular \(collinear regressors\)$"):
        firth_logit(X, np.array([0, 1, 0, 1, 0, 1.0]))


def test_two_clusters_are_enough_one_is_refused(data) -> None:
    X, y = data
    params = firth_logit(X, y, lr_tests=False).params
    two = np.repeat([0, 1], 40)
    assert np.isfinite(firth_cluster_cov(X, y, params, two)).all()
    with pytest.raises(EstimationError, match="^cannot cluster the Firth logit: fewer than two clusters$"):
        firth_cluster_cov(X, y, params, np.zeros(80, dtype=int))


def test_a_high_leverage_design_converges_to_the_penalised_maximum() -> None:
    # a Cauchy-distributed regressor (one value near 81): the modified-score iteration converges slowly
    # (836 steps here; the old default of 100 raised "did not converge"); the answer is scipy's maximum
    rng = np.random.default_rng(17)
    n = 30
    X = np.column_stack([np.ones(n), rng.normal(size=n) * 3, rng.standard_t(1, size=n)])
    with np.errstate(over="ignore"):
        y = (rng.random(n) < expit(X @ np.array([2.0, 3.0, 1.0]))).astype(float)
    fit = firth_logit(X, y, lr_tests=False)
    assert fit.iterations > 100
    beta, top = _maximise(X, y)
    np.testing.assert_allclose(fit.params, beta, atol=1e-4)
    assert fit.loglik == pytest.approx(top, abs=1e-8)


def test_a_regressor_without_effect_gets_a_large_lr_p_value() -> None:
    # an LR statistic below 1 (p above 0.32) must come out as computed, not floored
    rng = np.random.default_rng(5)
    n = 120
    X = np.column_stack([np.ones(n), rng.normal(size=n)])
    y = (rng.random(n) < 0.4).astype(float)  # x has no effect
    fit = firth_logit(X, y, lr_skip=(0,))
    _, top = _maximise(X, y)
    _, restricted = _maximise(X, y, fixed_zero=1)
    stat = 2 * (top - restricted)
    assert stat < 1
    assert fit.pvalues_lr[1] == pytest.approx(stats.chi2.sf(stat, 1), rel=1e-4)
