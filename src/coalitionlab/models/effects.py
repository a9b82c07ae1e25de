"""Substantive effects of a fitted participation model: predicted probabilities and first differences.

Both use the observed-value approach (Hanmer & Kalkan 2013): the chosen regressor is set to a
value for *every* row of the sample, the other regressors keep their observed values, and the
predicted probabilities are averaged over the rows. This answers "what share of candidates would
join if every candidate's embeddedness were v", rather than describing a hypothetical "average
state" with every control at its mean.

Uncertainty comes from the coefficients' sampling distribution, with the model's own covariance
(clustered if the fit was clustered):

- ``interval="simulation"`` (King, Tomz & Wittenberg 2000): ``n_sims`` coefficient vectors are
  drawn from N(β̂, V̂) with a seeded numpy Generator; each gives an average predicted probability;
  the interval is their central ``level`` quantiles and ``std_error`` their standard deviation.
  The same draws serve every value, so a curve's band and a difference's interval are coherent.
- ``interval="delta"``: the delta method, se = √(g'V̂g) with g = mean_i f(x_i'β̂) x_i, the gradient
  of the average prediction (f the density of the link), and a normal interval.

The point estimate is always the average prediction at β̂. For the linear probability model the
prediction is the linear predictor x'β̂, not clipped to [0, 1] (clipping would bias the average).
The conditional logit predicts no probabilities (its coalition intercepts are conditioned out) and
is refused.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit

from coalitionlab._validation import check_option
from coalitionlab.errors import EstimationError, MissingValueWarning
from coalitionlab.models.formula import FORMULA_CONTEXT
from coalitionlab.models.participation import ParticipationResult

INTERVALS: tuple[str, ...] = ("simulation", "delta")
_SIM_CHUNK = 4_000_000  # rows x draws evaluated at once


def predicted_probabilities(
    result: ParticipationResult,
    data: pd.DataFrame,
    term: str,
    *,
    values: Sequence[float] | None = None,
    n: int = 50,
    level: float = 0.95,
    interval: str = "simulation",
    seed: int = 0,
    n_sims: int = 1000,
) -> pd.DataFrame:
    """Average predicted probability of joining with ``term`` set to each value, over the sample.

    Parameters
    ----------
    result
        A fitted logit, probit, Firth logit or linear probability model (not ``clogit``).
    data
        The sample to average over, usually the data the model was fitted on. Rows missing any of
        the model's other variables are left out (as in the fit), with a warning.
    term
        A data column the model uses (e.g. ``"embeddedness_log1p"``); transforms of it in the
        formula (``I(x ** 2)``, ``log1p(x)``) follow the value it is set to.
    values
        Values to set ``term`` to. Default: ``n`` evenly spaced values from the sample minimum to
        the maximum of ``term``.
    n
        Number of values when ``values`` is None.
    level
        Coverage of the interval.
    interval
        ``"simulation"`` (draws from the coefficients' normal distribution) or ``"delta"``.
    seed, n_sims
        Seed of the numpy Generator and number of coefficient draws (simulation only).

    Returns
    -------
    pandas.DataFrame
        ``term, value, estimate, std_error, ci_low, ci_high``; ``attrs`` carry ``n_obs``,
        ``method``, ``interval``, ``level``, ``n_sims`` and ``seed``.

    Raises
    ------
    EstimationError
        A conditional logit, a term that is not a column the model uses, no usable rows, or bad
        ``level``/``n``/``n_sims``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from coalitionlab.models import fit_participation
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=500)})
    >>> df["joined"] = (rng.random(500) < 1 / (1 + np.exp(-df.x))).astype(int)
    >>> res = fit_participation("joined ~ x", df)
    >>> pp = predicted_probabilities(res, df, "x", values=[-1, 0, 1], interval="delta")
    >>> bool(pp["estimate"].is_monotonic_increasing)
    True
    """
    _check_common(result, level, interval, n_sims)
    X0, keep, beta, cov, observed = _design(result, data, term)
    if values is None:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
            raise EstimationError(f"n must be a whole number of at least 2, got {n!r}")
        values = np.linspace(observed.min(), observed.max(), int(n))
    vals = np.asarray(values, dtype=float).ravel()
    if vals.size == 0 or not np.isfinite(vals).all():
        raise EstimationError("values must be one or more finite numbers")
    designs = [_set_term(result, data, term, v, keep) for v in vals]
    est, se, lo, hi = _average_predictions(result, designs, beta, cov, [np.eye(len(vals))], level, interval,
                                           seed, n_sims)[0]
    out = pd.DataFrame({"term": term, "value": vals, "estimate": est, "std_error": se, "ci_low": lo, "ci_high": hi})
    out.attrs.update(n_obs=int(X0.shape[0]), method=result.method, interval=interval, level=level,
                     n_sims=n_sims if interval == "simulation" else None,
                     seed=seed if interval == "simulation" else None)
    return out


def first_difference(
    result: ParticipationResult,
    data: pd.DataFrame,
    term: str,
    *,
    low_q: float = 0.1,
    high_q: float = 0.9,
    low: float | None = None,
    high: float | None = None,
    level: float = 0.95,
    interval: str = "simulation",
    seed: int = 0,
    n_sims: int = 1000,
) -> pd.DataFrame:
    """Change in the average predicted probability when ``term`` moves from a low to a high value.

    The values are the ``low_q`` and ``high_q`` quantiles of ``term`` in the sample (default the
    10th and 90th percentiles; numpy's linear interpolation), unless ``low``/``high`` are given.
    Every row keeps its other regressors (observed-value approach); the difference and its
    interval come from the same coefficient draws (simulation) or from the delta method.

    Parameters
    ----------
    result, data, term, level, interval, seed, n_sims
        As in :func:`predicted_probabilities`.
    low_q, high_q
        Quantiles of ``term`` (0 <= low_q < high_q <= 1).
    low, high
        Explicit values instead of the quantiles.

    Returns
    -------
    pandas.DataFrame
        One row: ``term, low, high, p_low, p_high, difference, std_error, ci_low, ci_high``
        (``p_low``/``p_high`` the average predicted probabilities at the two values).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from coalitionlab.models import fit_participation
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=500)})
    >>> df["joined"] = (rng.random(500) < 1 / (1 + np.exp(-df.x))).astype(int)
    >>> fd = first_difference(fit_participation("joined ~ x", df), df, "x", seed=1)
    >>> bool(fd.loc[0, "ci_low"] > 0)
    True
    """
    _check_common(result, level, interval, n_sims)
    X0, keep, beta, cov, observed = _design(result, data, term)
    if low is None or high is None:
        if not (0 <= low_q < high_q <= 1):
            raise EstimationError(f"quantiles must satisfy 0 <= low_q < high_q <= 1, got {low_q!r} and {high_q!r}")
    lo_v = float(np.quantile(observed, low_q)) if low is None else float(low)
    hi_v = float(np.quantile(observed, high_q)) if high is None else float(high)
    if not (np.isfinite(lo_v) and np.isfinite(hi_v)):
        raise EstimationError("low and high must be finite numbers")
    if lo_v == hi_v:
        raise EstimationError(f"the low and high values of {term!r} are equal ({lo_v:g}): nothing to difference")
    designs = [_set_term(result, data, term, v, keep) for v in (lo_v, hi_v)]
    contrasts = [np.eye(2), np.array([[-1.0, 1.0]])]
    (levels, diff) = _average_predictions(result, designs, beta, cov, contrasts, level, interval, seed, n_sims)
    out = pd.DataFrame({"term": [term], "low": [lo_v], "high": [hi_v], "p_low": [levels[0][0]],
                        "p_high": [levels[0][1]], "difference": diff[0], "std_error": diff[1],
                        "ci_low": diff[2], "ci_high": diff[3]})
    out.attrs.update(n_obs=int(X0.shape[0]), method=result.method, interval=interval, level=level,
                     low_q=low_q if low is None else None, high_q=high_q if high is None else None,
                     n_sims=n_sims if interval == "simulation" else None,
                     seed=seed if interval == "simulation" else None)
    return out


# --- internals -------------------------------------------------------------------------------

def _check_common(result: ParticipationResult, level: float, interval: str, n_sims: int) -> None:
    if not isinstance(result, ParticipationResult):
        raise EstimationError(f"expected a fitted participation model, got {type(result).__name__}")
    if result.method == "clogit":
        raise EstimationError("a conditional logit predicts no probabilities (its coalition intercepts are "
                              "conditioned out); fit method='logit' (with fe= if needed) for predicted probabilities")
    check_option(interval, INTERVALS, name="interval")
    if not (isinstance(level, (int, float)) and 0 < level < 1):
        raise EstimationError(f"level must be between 0 and 1, got {level!r}")
    if interval == "simulation" and (isinstance(n_sims, bool) or not isinstance(n_sims, (int, np.integer))
                                     or n_sims < 2):
        raise EstimationError(f"n_sims must be a whole number of at least 2, got {n_sims!r}")


def _matrix(result: ParticipationResult, data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The fit's design columns for ``data`` and the rows to keep (complete, inside the fitted groups)."""
    try:  # a non-finite regressor (log of 0) is caught by the caller, not warned about here
        with np.errstate(divide="ignore", invalid="ignore"):
            mm = result._model_spec.get_model_matrix(data, na_action="ignore", context=FORMULA_CONTEXT)
    except Exception as exc:  # formulaic's message names the column; keep it on one line
        raise EstimationError(f"cannot rebuild the model's regressors from the data: {exc}") from None
    names = list(result.params.index)
    X = np.asarray(mm[names], dtype=float)
    complete = np.isfinite(X).all(axis=1)
    fitted_group = np.ones(len(X), dtype=bool)
    extra = [c for c in mm.columns if c not in names]
    if extra:  # dummies of fixed-effect groups dropped in the fit: those rows have no estimated effect
        fitted_group = ~(np.asarray(mm[extra], dtype=float) != 0).any(axis=1)
    return X, complete, fitted_group


def _design(result: ParticipationResult, data: pd.DataFrame, term: str):
    if not isinstance(data, pd.DataFrame):
        raise EstimationError(f"data must be a DataFrame, got {type(data).__name__}")
    if result._model_spec is None:
        raise EstimationError("this result carries no design specification to predict from")
    used = set(result._model_spec.required_variables)
    if term not in data.columns or term not in used:
        raise EstimationError(f"{term!r} is not a column the model uses; it uses: {', '.join(sorted(used))}")
    if not (pd.api.types.is_numeric_dtype(data[term]) and not pd.api.types.is_bool_dtype(data[term])):
        raise EstimationError(f"{term!r} must be a numeric column to set it to values (it is {data[term].dtype})")
    X, complete, fitted_group = _matrix(result, data)
    observed_term = data[term].to_numpy(dtype=float)
    complete &= np.isfinite(observed_term)
    keep = complete & fitted_group
    if not keep.any():
        raise EstimationError("no row of data has every variable of the model (in a group the fit kept)")
    if not complete.all():
        warnings.warn(f"{int((~complete).sum())} of {len(keep)} rows left out of the average: missing a variable "
                      "of the model", MissingValueWarning, stacklevel=3)
    if not fitted_group.all():
        warnings.warn(f"{int((complete & ~fitted_group).sum())} rows left out of the average: their fixed-effect "
                      "group was dropped in the fit (its outcome never varies)", MissingValueWarning, stacklevel=3)
    return X[keep], keep, result.params.to_numpy(float), result.cov.to_numpy(float), observed_term[keep]


def _set_term(result: ParticipationResult, data: pd.DataFrame, term: str, value: float,
              keep: np.ndarray) -> np.ndarray:
    """The design with ``term`` set to ``value`` in every kept row (transforms of it recomputed)."""
    X = _matrix(result, data.assign(**{term: value}))[0][keep]
    if not np.isfinite(X).all():
        raise EstimationError(f"setting {term!r} to {value:g} makes the model's regressors non-finite "
                              "(e.g. the log of 0); choose values inside the transform's domain")
    return X


def _link(method: str):
    """The inverse link and its derivative, as functions of the linear predictor."""
    if method == "lpm":
        return (lambda e: e), (lambda e: np.ones_like(e))
    if method == "probit":
        return stats.norm.cdf, stats.norm.pdf
    return expit, (lambda e: expit(e) * (1 - expit(e)))  # logit and Firth logit


def _average_predictions(result, designs, beta, cov, contrasts, level, interval, seed, n_sims):
    """For each contrast matrix C (rows over the designs): estimate, se, ci_low, ci_high of C @ m,
    with m_j the average prediction over the rows of design j."""
    F, f = _link(result.method)
    point = np.array([F(X @ beta).mean() for X in designs])
    alpha = 1 - level
    out = []
    if interval == "delta":
        grads = np.array([(f(X @ beta)[:, None] * X).mean(axis=0) for X in designs])  # d m_j / d beta
        z = stats.norm.ppf(1 - alpha / 2)
        for C in contrasts:
            G = C @ grads
            est = C @ point
            se = np.sqrt(np.einsum("ij,jk,ik->i", G, cov, G))
            out.append((est, se, est - z * se, est + z * se))
        return out
    rng = np.random.default_rng(seed)
    draws = rng.multivariate_normal(beta, cov, size=n_sims, method="svd")  # (n_sims, k)
    sims = np.empty((len(designs), n_sims))
    for j, X in enumerate(designs):
        step = max(1, _SIM_CHUNK // max(1, X.shape[0]))
        for s in range(0, n_sims, step):
            sims[j, s:s + step] = F(X @ draws[s:s + step].T).mean(axis=0)
    for C in contrasts:
        S = C @ sims
        out.append((C @ point, S.std(axis=1, ddof=1), np.quantile(S, alpha / 2, axis=1),
                    np.quantile(S, 1 - alpha / 2, axis=1)))
    return out
