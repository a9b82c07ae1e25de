"""A numerically stable conditional logit (Chamberlain 1980) for large groups with many events.

Coalitions have up to ~190 candidates and up to ~40 joiners. The conditional likelihood divides
by the elementary symmetric polynomial e_k(w_1..w_n) of w_i = exp(x_i'b) over all subsets of size
k, whose naive recursion overflows there (statsmodels' ``ConditionalLogit`` then returns NaN).
Here the polynomial and its gradient are built by the forward recursion
e_j <- e_j + w_i e_{j-1}, g_j <- g_j + w_i (x_i e_{j-1} + g_{j-1}), rescaled at every step so
nothing overflows, with x centred within each group (the likelihood is invariant to adding a
group constant to x'b). Tested against statsmodels where statsmodels converges.

References
----------
Chamberlain, G. (1980). Analysis of covariance with qualitative data. *Review of Economic
Studies* 47(1), 225-238.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from coalitionlab.errors import EstimationError


@dataclass(frozen=True)
class CLogitFit:
    """Estimates, the per-group scores at the optimum, the Hessian of the log-likelihood, and the log-likelihood."""

    params: np.ndarray
    hessian: np.ndarray
    group_scores: np.ndarray
    loglik: float
    n_groups: int


def _group_terms(X: np.ndarray, y: np.ndarray, beta: np.ndarray) -> tuple[float, np.ndarray]:
    """Log-likelihood and score of one group: y'Xb - log e_k(w), X'y - E[X'y | k].

    The recursion e_j <- e_j + w_i e_{j-1} is run on numbers rescaled by their largest element as it
    goes. The terms only grow (w_i >= 0) from e_0 = 1, so the largest element never falls below 1
    and is divided back to 1 whenever it passes 1e100. When e_k ends far below it (under 1e-200 of
    it: its digits may have been lost to underflow, e.g. 500 candidates, 200 joiners and a large
    coefficient) the group is computed again on logarithms (:func:`_group_terms_log`).
    """
    k = int(y.sum())
    eta = X @ beta
    shift = eta.max()
    w = np.exp(eta - shift)  # w scaled by exp(-shift): e_k scales by exp(-k shift), undone below
    p = X.shape[1]
    e = np.zeros(k + 1)
    g = np.zeros((k + 1, p))
    e[0] = 1.0
    log_scale = 0.0
    for i in range(len(w)):
        # update from the top so e[j-1] is still the previous value
        g[1:] = g[1:] + w[i] * (np.outer(e[:-1], X[i]) + g[:-1])
        e[1:] = e[1:] + w[i] * e[:-1]
        m = e.max()
        if m > 1e100:
            e /= m
            g /= m
            log_scale += np.log(m)
    if not e[k] > 1e-200 * e.max():
        return _group_terms_log(X, y, eta)
    log_ek = np.log(e[k]) + log_scale + k * shift
    ll = float(y @ eta - log_ek)
    score = X.T @ y - g[k] / e[k]
    return ll, score


def _group_terms_log(X: np.ndarray, y: np.ndarray, eta: np.ndarray) -> tuple[float, np.ndarray]:
    """:func:`_group_terms` on logarithms: log e_j, and the score's g_j as the ratio r_j = g_j / e_j (the
    mean of the regressors' sum over the subsets of size j), r_j <- a r_j + b (x_i + r_{j-1}) with
    a + b = 1. Nothing overflows or underflows; about five times slower, hence only the fallback."""
    k = int(y.sum())
    log_e = np.full(k + 1, -np.inf)
    log_e[0] = 0.0
    r = np.zeros((k + 1, X.shape[1]))
    with np.errstate(invalid="ignore"):  # -inf - -inf where no subset of that size exists yet: weight 0
        for i in range(len(eta)):
            grown = log_e[:-1] + eta[i]  # log(w_i e_{j-1}), j = 1..k
            new = np.logaddexp(log_e[1:], grown)
            a = np.nan_to_num(np.exp(log_e[1:] - new))
            b = np.nan_to_num(np.exp(grown - new))
            r[1:] = a[:, None] * r[1:] + b[:, None] * (X[i] + r[:-1])  # the right side uses the old rows
            log_e[1:] = new
    return float(y @ eta - log_e[k]), X.T @ y - r[k]


def _loglik_and_scores(groups: list[tuple[np.ndarray, np.ndarray]], beta: np.ndarray) -> tuple[float, np.ndarray]:
    total, scores = 0.0, np.empty((len(groups), len(beta)))
    for j, (X, y) in enumerate(groups):
        ll, s = _group_terms(X, y, beta)
        total += ll
        scores[j] = s
    return total, scores


def _hessian(parts: list[tuple[np.ndarray, np.ndarray]], beta: np.ndarray) -> np.ndarray:
    """Hessian of the log-likelihood by central differences of the analytic score."""
    p = len(beta)
    hess = np.empty((p, p))
    for j in range(p):
        h = 1e-5 * max(1.0, abs(beta[j]))
        up, down = beta.copy(), beta.copy()
        up[j] += h
        down[j] -= h
        hess[:, j] = (_loglik_and_scores(parts, up)[1].sum(axis=0)
                      - _loglik_and_scores(parts, down)[1].sum(axis=0)) / (2 * h)
    return (hess + hess.T) / 2


#: A standardised coefficient above this (an odds ratio of e^8, about 3,000, per standard deviation) sends
#: the fit through the separation check: a flat likelihood lets the optimiser stop at a large finite
#: value, with a vanishing gradient, where the maximum does not exist.
_SUSPECT_COEF = 8.0


def _raise_if_separated(parts: list[tuple[np.ndarray, np.ndarray]], names: list[str] | None) -> None:
    """Raise when some direction ranks every joiner at or above every non-joiner of its group (strictly for
    at least one pair): the conditional likelihood then rises without bound along it. The check is the
    separation LP on the within-group differences joiner minus non-joiner."""
    from coalitionlab.models.separation import detect_separation

    diffs = [(Xg[yy == 1][:, None, :] - Xg[yy == 0][None, :, :]).reshape(-1, Xg.shape[1]) for Xg, yy in parts]
    D = np.vstack(diffs)
    report = detect_separation(D, np.ones(len(D)), names)
    if report.is_separated:
        raise EstimationError(f"the conditional logit estimate does not exist: separation within coalitions along "
                              f"{', '.join(report.variables)} (a combination of them ranks every joiner at or above "
                              "every non-joiner of its coalition); drop or recode it")


def conditional_logit(X: np.ndarray, y: np.ndarray, groups: np.ndarray, *, tol: float = 1e-9,
                      names: list[str] | None = None) -> CLogitFit:
    """Fit a conditional logit; groups where nobody or everybody has y = 1 must be removed first.

    The columns are standardised for the optimiser (BFGS, then Newton steps), and everything is
    mapped back to the original scale. Returns estimates, the Hessian, the per-group scores (for a
    sandwich clustered by group) and the log-likelihood. Separation within groups (no finite estimate)
    raises, naming the regressors (``names``) along the separating direction.
    """
    X = np.asarray(X, float)
    y = np.asarray(y, float)
    scale = X.std(axis=0)
    if np.any(scale == 0):
        raise EstimationError("a regressor does not vary in the sample; drop it for a conditional logit")
    codes = np.asarray(groups)
    parts = []
    for g in np.unique(codes):
        rows = codes == g
        Xg = (X[rows] - X[rows].mean(axis=0)) / scale  # invariant to group constants; keeps exp() in range
        parts.append((Xg, y[rows]))
    if any(0 == yy.sum() or yy.sum() == len(yy) for _, yy in parts):
        raise EstimationError("a group where nobody or everybody joined carries no information; drop it first")

    def objective(beta: np.ndarray) -> tuple[float, np.ndarray]:
        ll, scores = _loglik_and_scores(parts, beta)
        return -ll, -scores.sum(axis=0)

    beta = minimize(objective, np.zeros(X.shape[1]), jac=True, method="BFGS",
                    options={"gtol": 1e-6, "maxiter": 500}).x
    for _ in range(25):  # Newton polish: quadratic convergence from BFGS's basin
        ll, scores = _loglik_and_scores(parts, beta)
        grad = scores.sum(axis=0)
        if np.abs(grad).max() < tol * len(y):
            break
        beta = beta - np.linalg.solve(_hessian(parts, beta), grad)
    ll, scores = _loglik_and_scores(parts, beta)
    if not np.all(np.isfinite(beta)) or np.abs(scores.sum(axis=0)).max() > 1e-6 * len(y):
        raise EstimationError("the conditional logit did not converge; check for a regressor that separates "
                              "joiners within coalitions")
    if np.abs(beta).max() > _SUSPECT_COEF:  # a runaway estimate: is it separation (no finite maximum)?
        _raise_if_separated(parts, names)
    hess = _hessian(parts, beta)
    # beta_s = beta * sd, so d/dbeta = sd * d/dbeta_s: scores and Hessian scale up, estimates down
    return CLogitFit(params=beta / scale, hessian=hess * np.outer(scale, scale), group_scores=scores * scale,
                     loglik=ll, n_groups=len(parts))
