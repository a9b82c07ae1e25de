"""Conditional logit (models/clogit.py) against oracles it does not compute, for the gaps mutation testing
found: its log-likelihood, per-group scores and Hessian were never checked as numbers (only the estimates,
against statsmodels). Small groups: the conditional likelihood by enumerating every subset of joiners.
A large group (where the naive recursion overflows): the elementary symmetric polynomial in log space."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from scipy import optimize
from scipy.special import logsumexp

from coalitionlab.errors import EstimationError
from coalitionlab.models.clogit import conditional_logit


def _group_loglik_by_enumeration(X: np.ndarray, y: np.ndarray, beta: np.ndarray) -> float:
    eta = X @ beta
    k = int(y.sum())
    subsets = [eta[list(s)].sum() for s in combinations(range(len(y)), k)]
    return float(y @ eta - logsumexp(subsets))


def _group_loglik_log_space(X: np.ndarray, y: np.ndarray, beta: np.ndarray) -> float:
    """log e_k(exp(eta)) by the recursion e_j <- e_j + w_i e_{j-1}, carried out on logarithms."""
    eta = X @ beta
    k = int(y.sum())
    log_e = np.full(k + 1, -np.inf)
    log_e[0] = 0.0
    for value in eta:
        log_e[1:] = np.logaddexp(log_e[1:], log_e[:-1] + value)
    return float(y @ eta - log_e[k])


@pytest.fixture(scope="module")
def small() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(8)
    sizes = [6, 7, 8, 5, 8, 7, 6, 8, 7, 6]
    groups = np.repeat(np.arange(len(sizes)), sizes)
    X = np.column_stack([rng.normal(size=len(groups)), rng.binomial(1, 0.4, len(groups)) + 0.0])
    y = np.zeros(len(groups))
    for g, n in enumerate(sizes):
        rows = np.flatnonzero(groups == g)
        p = np.exp(X[rows] @ [1.0, -0.7])
        y[rng.choice(rows, size=1 + g % 3, replace=False, p=p / p.sum())] = 1.0
    return X, y, groups


def _total(X, y, groups, beta) -> float:
    return sum(_group_loglik_by_enumeration(X[groups == g], y[groups == g], beta) for g in np.unique(groups))


def test_loglik_estimates_scores_and_hessian_against_enumeration(small) -> None:
    X, y, groups = small
    fit = conditional_logit(X, y, groups)
    assert fit.n_groups == 10
    assert fit.loglik == pytest.approx(_total(X, y, groups, fit.params), abs=1e-9)
    best = optimize.minimize(lambda b: -_total(X, y, groups, b), np.zeros(2), method="BFGS", options={"gtol": 1e-9})
    np.testing.assert_allclose(fit.params, best.x, atol=1e-5)
    h = 1e-5
    for g in range(10):  # each group's score: the derivative of its own log-likelihood, on the data's scale
        rows = groups == g
        grad = [(_group_loglik_by_enumeration(X[rows], y[rows], fit.params + h * e)
                 - _group_loglik_by_enumeration(X[rows], y[rows], fit.params - h * e)) / (2 * h) for e in np.eye(2)]
        np.testing.assert_allclose(fit.group_scores[g], grad, atol=1e-6)
    hess = np.array([[(_total(X, y, groups, fit.params + h * (ei + ej)) - _total(X, y, groups, fit.params + h * (ei - ej))
                       - _total(X, y, groups, fit.params - h * (ei - ej)) + _total(X, y, groups, fit.params - h * (ei + ej)))
                      / (4 * h * h) for ej in np.eye(2)] for ei in np.eye(2)])
    np.testing.assert_allclose(fit.hessian, hess, rtol=1e-3)


@pytest.mark.parametrize(("n", "k"), [(170, 40), (500, 200)])
def test_a_coalition_sized_group_keeps_an_exact_loglik(n: int, k: int) -> None:
    # two groups of n candidates and k joiners: 170 x 40 is a large coalition; for 500 x 200 e_k passes
    # 1e100 (C(500, 200) is about 1e144), where the recursion rescales as it goes
    rng = np.random.default_rng(2)
    X = rng.normal(size=(2 * n, 2)) * [3.0, 1.0]
    groups = np.repeat([0, 1], n)
    y = np.zeros(2 * n)
    for g in (0, 1):
        rows = np.flatnonzero(groups == g)
        p = np.exp(X[rows] @ [0.8, 0.5])
        y[rng.choice(rows, size=k, replace=False, p=p / p.sum())] = 1.0
    fit = conditional_logit(X, y, groups)
    want = sum(_group_loglik_log_space(X[groups == g], y[groups == g], fit.params) for g in (0, 1))
    assert fit.loglik == pytest.approx(want, rel=1e-10)
    best = optimize.minimize(lambda b: -sum(_group_loglik_log_space(X[groups == g], y[groups == g], b) for g in (0, 1)),
                             np.zeros(2), method="BFGS", options={"gtol": 1e-8})
    np.testing.assert_allclose(fit.params, best.x, atol=1e-4)


def test_errors_say_what_to_drop(small) -> None:
    X, y, groups = small
    with pytest.raises(EstimationError,
                       match="^a regressor does not vary in the sample; drop it for a conditional logit$"):
        conditional_logit(np.column_stack([X, np.ones(len(y))]), y, groups)
    with pytest.raises(EstimationError, match="^a group where nobody or everybody joined carries no information; "
                                              "drop it first$"):
        conditional_logit(X, np.where(groups == 0, 0.0, y), groups)
    separated = X.copy()
    separated[:, 1] = y  # joining itself as a regressor: the likelihood rises without bound
    with pytest.raises(EstimationError, match="^the conditional logit estimate does not exist: separation within "
                                              "coalitions along (x, )?joined \\(a combination"):
        conditional_logit(separated, y, groups, names=["x", "joined"])


def test_a_large_but_finite_estimate_is_not_called_separation() -> None:
    # the top-ranked state joins in 11 coalitions; in the twelfth the second-ranked one does, 0.01 below the
    # top: the maximum is finite but large (about 51, 49 standard deviations: the separation check runs and
    # must find none). Enumeration of the conditional likelihood is the oracle.
    rng = np.random.default_rng(4)
    groups = np.repeat(np.arange(12), 6)
    x = rng.normal(size=72)
    rows = np.flatnonzero(groups == 0)
    order = rows[np.argsort(-x[rows])]
    x[order[0]] = x[order[1]] + 0.01
    y = np.zeros(72)
    for g in range(12):
        rows = np.flatnonzero(groups == g)
        order = rows[np.argsort(-x[rows])]
        y[order[1 if g == 0 else 0]] = 1.0
    X = x[:, None]
    fit = conditional_logit(X, y, groups)
    assert fit.params[0] * x.std() > 8  # past the threshold of the separation check
    best = optimize.minimize_scalar(lambda b: -_total(X, y, groups, np.array([b])), bounds=(0, 200), method="bounded",
                                    options={"xatol": 1e-9})
    assert fit.params[0] == pytest.approx(best.x, rel=1e-4)


def test_the_log_space_fallback_agrees_with_the_rescaled_recursion() -> None:
    # two algorithms for one group where both are exact: the rescaled recursion and the one on logarithms
    from coalitionlab.models.clogit import _group_terms, _group_terms_log

    rng = np.random.default_rng(6)
    X = rng.normal(size=(60, 3))
    y = np.zeros(60)
    y[rng.choice(60, 15, replace=False)] = 1.0
    beta = np.array([0.7, -0.4, 1.1])
    ll, score = _group_terms(X, y, beta)
    ll_log, score_log = _group_terms_log(X, y, X @ beta)
    assert ll == pytest.approx(ll_log, rel=1e-12)
    np.testing.assert_allclose(score, score_log, rtol=1e-10, atol=1e-12)
    assert ll == pytest.approx(_group_loglik_log_space(X, y, beta), rel=1e-12)


@pytest.fixture()
def no_fallback(monkeypatch):
    """The log-space fallback turned into an error: the rescaled recursion alone must be exact."""
    import importlib

    clogit = importlib.import_module("coalitionlab.models.clogit")

    def refuse(*args, **kwargs):
        raise AssertionError("the log-space fallback was used")

    monkeypatch.setattr(clogit, "_group_terms_log", refuse)
    return clogit._group_terms


def _score_by_differences(X, y, beta, loglik, h=1e-6):
    return np.array([(loglik(X, y, beta + h * e) - loglik(X, y, beta - h * e)) / (2 * h) for e in np.eye(len(beta))])


def test_the_rescaled_recursion_alone_is_exact_on_small_groups(no_fallback, small) -> None:
    # every group of the small design, at a point away from the optimum: the fast path (no fallback) against
    # enumeration of the subsets, for the log-likelihood and for the score
    X, y, groups = small
    beta = np.array([0.9, -1.3])
    for g in np.unique(groups):
        rows = groups == g
        ll, score = no_fallback(X[rows], y[rows], beta)
        assert ll == pytest.approx(_group_loglik_by_enumeration(X[rows], y[rows], beta), rel=1e-12)
        np.testing.assert_allclose(score, _score_by_differences(X[rows], y[rows], beta, _group_loglik_by_enumeration),
                                   atol=1e-7)


def test_the_rescaled_recursion_alone_survives_e_k_beyond_the_float_range(no_fallback) -> None:
    # 1,200 candidates and 600 joiners near beta = 0: e_600 is about C(1200, 600), some 1e359, past the largest
    # float (1.8e308), so only a recursion that rescales as it goes (several times here) keeps e_k finite
    rng = np.random.default_rng(11)
    X = rng.normal(size=(1200, 2))
    y = np.zeros(1200)
    y[rng.choice(1200, 600, replace=False)] = 1.0
    beta = np.array([0.05, -0.02])
    ll, score = no_fallback(X, y, beta)
    assert ll == pytest.approx(_group_loglik_log_space(X, y, beta), rel=1e-11)
    np.testing.assert_allclose(score, _score_by_differences(X, y, beta, _group_loglik_log_space, h=1e-5),
                               rtol=1e-6, atol=1e-6)


def test_the_log_space_recursion_raises_no_floating_point_warning() -> None:
    # log(0) - log(0) where no subset of a size exists yet is expected, and silenced: a user running with
    # warnings as errors (or reading them) must not see it
    import warnings

    from coalitionlab.models.clogit import _group_terms_log

    rng = np.random.default_rng(5)
    X = rng.normal(size=(30, 2))
    y = np.zeros(30)
    y[:12] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ll, _ = _group_terms_log(X, y, X @ np.array([0.3, -0.2]))
    assert ll == pytest.approx(_group_loglik_log_space(X, y, np.array([0.3, -0.2])), rel=1e-12)


def test_quasi_separation_within_groups_is_named_even_where_the_sums_do_not_separate() -> None:
    # within each coalition the joiner's x is the largest but tied with two non-joiners' (x = 1, 1, 1, -3):
    # the likelihood rises without bound in beta (quasi-complete separation on the differences joiner minus
    # non-joiner: 0, 0, 4). The sums joiner plus non-joiner (2, 2, -2) separate nothing, so a check on the
    # wrong combination would let a runaway estimate through.
    x = np.tile([1.0, 1.0, 1.0, -3.0], 6) + np.repeat(np.arange(6) * 10.0, 4)
    y = np.tile([1.0, 0.0, 0.0, 0.0], 6)
    groups = np.repeat(np.arange(6), 4)
    with pytest.raises(EstimationError, match=r"^the conditional logit estimate does not exist: separation within "
                                              r"coalitions along gap \(a combination of them ranks every joiner at "
                                              r"or above every non-joiner of its coalition\); drop or recode it$"):
        conditional_logit(x[:, None], y, groups, names=["gap"])


def test_the_estimate_is_polished_to_the_stated_tolerance(small) -> None:
    # the returned estimate is a maximum to tol: the score summed over groups, on the standardised scale the
    # optimiser works in, below tol * n (BFGS alone stops at a gradient of 1e-6)
    X, y, groups = small
    fit = conditional_logit(X, y, groups)
    assert np.abs(fit.group_scores.sum(axis=0) / X.std(axis=0)).max() < 1e-9 * len(y)


@pytest.mark.parametrize("start", ["nan", "zero"])
def test_an_optimiser_that_goes_nowhere_is_reported_not_returned(small, monkeypatch, start) -> None:
    # the optimiser is replaced by one that returns NaN, or stays at 0 with Newton steps made negligible
    # (a Hessian of 1e12 I): either way the estimate is not a maximum. The two regressors are mirror images
    # (x2 = -x1), so their scores are equal and opposite: only the largest absolute score, not their sum,
    # shows that the gradient is not zero.
    import importlib
    from types import SimpleNamespace

    clogit = importlib.import_module("coalitionlab.models.clogit")
    X, y, groups = small
    mirrored = np.column_stack([X[:, 0], -X[:, 0]])
    value = np.nan if start == "nan" else 0.0
    monkeypatch.setattr(clogit, "minimize", lambda *a, **k: SimpleNamespace(x=np.full(2, value)))
    monkeypatch.setattr(clogit, "_hessian", lambda parts, beta: 1e12 * np.eye(len(beta)))
    with pytest.raises(EstimationError, match="^the conditional logit did not converge; check for a regressor that "
                                              "separates joiners within coalitions$"):
        conditional_logit(mirrored, y, groups)


def test_a_fit_raises_no_warning(small) -> None:
    # a clean fit is silent: an option the optimiser does not know (a misspelt setting) or an overflow would
    # show as a warning here, with warnings turned into errors
    import warnings

    X, y, groups = small
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = conditional_logit(X, y, groups)
    assert np.isfinite(fit.params).all()


def test_the_quasi_newton_stage_alone_reaches_the_maximum(small, monkeypatch) -> None:
    # the Newton polish made powerless (a Hessian of 1e12 I: steps of ~1e-12): what is returned is then the
    # BFGS stage's point, which must already be the maximum to BFGS's own tolerance (a gradient below 1e-6
    # on the standardised scale) and match the enumeration oracle's maximiser. A BFGS fed the wrong sign of
    # the objective or its gradient, or left at scipy's looser default tolerance (1e-5), fails here.
    import importlib

    clogit = importlib.import_module("coalitionlab.models.clogit")
    X, y, groups = small
    best = optimize.minimize(lambda b: -_total(X, y, groups, b), np.zeros(2), method="BFGS", options={"gtol": 1e-10}).x
    monkeypatch.setattr(clogit, "_hessian", lambda parts, beta: 1e12 * np.eye(len(beta)))
    fit = clogit.conditional_logit(X, y, groups)
    assert np.abs(fit.group_scores.sum(axis=0) / X.std(axis=0)).max() < 1e-6
    np.testing.assert_allclose(fit.params, best, atol=1e-6)
