"""Who joins: participation regressions on the coalition x candidate panel.

One function, :func:`fit_participation`, with a formula first, then the data, then the
inference choice (after pyfixest). Estimation is statsmodels' (logit, probit, OLS for the linear
probability model) except Firth's logit (:mod:`.firth`) and the conditional logit
(:mod:`.clogit`), whose statsmodels version overflows on coalitions with many joiners; both are
tested against references.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit, ndtr, ndtri, stdtr, stdtrit

from coalitionlab._validation import check_option
from coalitionlab.errors import EstimationError, MissingValueWarning
from coalitionlab.models.formula import FORMULA_CONTEXT, check_formula
from coalitionlab.models.literals import METHODS
from coalitionlab.models.separation import SeparationReport

# statsmodels, scipy.stats, formulaic and the estimators are imported inside fit_participation: a
# result read back from the cache (fit_participation(cache=True)) needs none of them


@dataclass
class ParticipationResult:
    """A fitted participation model. ``tidy()`` is the one source of truth for the estimates.

    Attributes
    ----------
    method, formula, vcov_type
        What was fitted and how its standard errors were computed.
    params, cov
        Estimates (Series) and their covariance (DataFrame), indexed by term.
    fit_stats
        ``n_obs, n_events, n_clusters, n_coalitions, df_resid, loglik, pseudo_r2, r2, aic, bic, auc``.
    separation
        The separation check run before fitting.
    data_versions
        Sources and versions the data were built from (from ``data.attrs``).
    """

    method: str
    formula: str
    params: pd.Series
    cov: pd.DataFrame
    vcov_type: str
    fit_stats: dict[str, Any]
    separation: SeparationReport
    data_versions: dict[str, Any]
    pvalues_override: pd.Series | None = None
    _model_spec: Any = field(default=None, repr=False)
    _fitted: np.ndarray | None = field(default=None, repr=False)
    _X: np.ndarray | None = field(default=None, repr=False)
    _sm_result: Any = field(default=None, repr=False)

    def tidy(self, level: float = 0.95) -> pd.DataFrame:
        """Estimate, std_error, statistic (z or t), p_value, ci_low, ci_high, one row per term."""
        se = pd.Series(np.sqrt(np.diag(self.cov.to_numpy())), index=self.params.index)
        stat = self.params / se
        if self.method == "lpm":  # Student t with the residual degrees of freedom
            df = self.fit_stats["df_resid"]
            p = pd.Series(2 * stdtr(df, -np.abs(stat)), index=self.params.index)
            crit = float(stdtrit(df, 0.5 + level / 2))
        else:
            p = pd.Series(2 * ndtr(-np.abs(stat)), index=self.params.index)
            crit = float(ndtri(0.5 + level / 2))
        if self.pvalues_override is not None:
            p = self.pvalues_override
        out = pd.DataFrame({"estimate": self.params, "std_error": se, "statistic": stat, "p_value": p,
                            "ci_low": self.params - crit * se, "ci_high": self.params + crit * se})
        out.index.name = "term"
        return out

    def coef(self) -> pd.Series:
        return self.tidy()["estimate"]

    def se(self) -> pd.Series:
        return self.tidy()["std_error"]

    def pvalue(self) -> pd.Series:
        return self.tidy()["p_value"]

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Confidence intervals with columns ``lower`` and ``upper``."""
        t = self.tidy(level)
        return pd.DataFrame({"lower": t["ci_low"], "upper": t["ci_high"]})

    def marginal_effects(self) -> pd.DataFrame:
        """Average marginal effects (delta-method SEs) of every non-intercept term.

        Not identified for the conditional logit (the coalition intercepts cancel): raises.
        """
        if self.method == "clogit":
            raise EstimationError("average marginal effects are not identified in a conditional logit; "
                                  "use exp(estimate) (odds ratios) or fit method='logit' with fe=")
        terms = [t for t in self.params.index if t != "Intercept" and not t.startswith("C(")]
        beta = self.params.to_numpy()
        X = self._X
        eta = X @ beta
        if self.method == "lpm":
            grad = np.eye(len(beta))
            ame = beta.copy()
        else:
            if self.method == "probit":
                dens = np.exp(-eta**2 / 2) / np.sqrt(2 * np.pi)  # the standard normal density
                ddens = -eta * dens
            else:
                p = expit(eta)
                dens, ddens = p * (1 - p), p * (1 - p) * (1 - 2 * p)
            ame = dens.mean() * beta
            grad = np.eye(len(beta)) * dens.mean() + np.outer(beta, (ddens[:, None] * X).mean(axis=0))
        cov = grad @ self.cov.to_numpy() @ grad.T
        idx = [list(self.params.index).index(t) for t in terms]
        se = np.sqrt(np.diag(cov))[idx]
        est = ame[idx]
        z = est / se
        return pd.DataFrame({"ame": est, "std_error": se, "p_value": 2 * ndtr(-np.abs(z)),
                             "ci_low": est - 1.96 * se, "ci_high": est + 1.96 * se},
                            index=pd.Index(terms, name="term"))

    def predict(self, data: pd.DataFrame | None = None) -> np.ndarray:
        """Predicted probabilities of joining for ``data`` (default: the estimation rows)."""
        if self.method == "clogit":
            raise EstimationError("a conditional logit predicts only within-coalition odds; "
                                  "fit method='logit' for probabilities")
        # the fit's columns only: dummies of fixed-effect groups dropped before fitting are not in params
        if data is None:
            X = self._X
        else:  # the transforms of a checked formula, never the caller's variables
            mm = self._model_spec.get_model_matrix(data, na_action="ignore", context=FORMULA_CONTEXT)
            X = np.asarray(mm[list(self.params.index)], dtype=float)
        eta = X @ self.params.to_numpy()
        if self.method == "lpm":
            return np.clip(eta, 0, 1)
        return ndtr(eta) if self.method == "probit" else expit(eta)

    def summary(self) -> str:
        """A plain-text summary: the model, the inference, the tidy table and the fit statistics."""
        head = [f"{self.method} participation model: {self.formula}",
                f"standard errors: {self.vcov_type}; separation check: {self.separation}"]
        stats_line = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                               for k, v in self.fit_stats.items() if v is not None)
        return "\n".join(head + [self.tidy().to_string(float_format=lambda v: f"{v:.4f}"), stats_line])

    def __repr__(self) -> str:
        return f"ParticipationResult(method={self.method!r}, formula={self.formula!r}, n={self.fit_stats['n_obs']})"


def fit_participation(
    formula: str,
    data: pd.DataFrame,
    *,
    method: str = "logit",
    cluster: str | list[str] | None = None,
    fe: str | list[str] | None = None,
    check_separation: bool = True,
    cache: bool = False,
) -> ParticipationResult:
    """Fit a participation model ``joined ~ embeddedness + controls`` on a coalition x candidate panel.

    Parameters
    ----------
    formula
        Wilkinson formula (formulaic syntax), e.g. ``"joined ~ embeddedness_log1p + cinc"``: columns,
        operators and the transforms of :mod:`coalitionlab.models.formula` only, checked before
        anything is evaluated (:func:`~coalitionlab.models.formula.check_formula`).
    data
        One row per coalition x candidate state.
    method
        ``logit``, ``probit``, ``firth`` (bias-reduced logit for separated data), ``clogit``
        (conditional logit: coalition fixed effects conditioned out; needs ``fe``) or ``lpm``
        (linear probability model, OLS).
    cluster
        One or two columns to cluster standard errors by (e.g. ``"coalition_id"`` or
        ``["coalition_id", "ccode"]``). None: model-based SEs (HC1 for ``lpm``). Clustering that
        cannot be done raises; it never falls back quietly.
    fe
        Fixed effects. For ``clogit`` the one conditioning group (``"coalition_id"``); for the
        others, columns added as dummies (``"ccode"`` for state fixed effects). Groups whose
        outcome never varies carry no information under logit FE and are dropped, with a warning
        (a regressor that varies only within them raises :class:`EstimationError`).
    check_separation
        Run the separation check first (logit/probit raise on separation and point to
        ``method="firth"``; Firth reports it). A conditional logit is checked on the within-coalition
        differences (joiner minus non-joiner) when an estimate runs away, and raises on separation.
    cache
        Read the fit back from the disk cache when this call was made before, else fit and store it
        (``$COALITIONLAB_CACHE``; :mod:`coalitionlab._cache`). The key is a hash of ``data`` (every
        value, column name, dtype and the row index), the arguments and the package's code, so a
        changed row or rule is never served stale; the warnings the fit issued are issued again.
        The cached result omits the statsmodels object and so reads back without importing
        statsmodels or scipy.stats (what keeps a warm ``coalitionlab fit`` under two seconds).

    Returns
    -------
    ParticipationResult

    Raises
    ------
    EstimationError, UnknownOptionError
        Among others (one line each): a formula that is not allowed, a regressor that does not vary
        in the estimation sample (beside an intercept), one that is a linear combination of the
        others (collinear), separation (logit, probit), too few clusters.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"x": rng.normal(size=400), "g": np.repeat(np.arange(20), 20)})
    >>> df["joined"] = (rng.random(400) < 1 / (1 + np.exp(-df.x))).astype(int)
    >>> res = fit_participation("joined ~ x", df, cluster="g")
    >>> bool(res.tidy().loc["x", "estimate"] > 0)
    True

    References
    ----------
    Henke, M. E. (2017). The politics of diplomacy: how the United States builds multilateral
    military coalitions. *International Studies Quarterly* 61(2), 410-424.
    """
    check_option(method, METHODS, name="method")
    check_formula(formula, data.columns)  # before formulaic evaluates any of it: no code from input
    if cache:
        return _cached_fit(formula, data, method=method, cluster=cluster, fe=fe, check_separation=check_separation)
    from formulaic import model_matrix
    from statsmodels.discrete.discrete_model import Logit, Probit
    from statsmodels.regression.linear_model import OLS

    from coalitionlab.models.clogit import conditional_logit
    from coalitionlab.models.firth import firth_cluster_cov, firth_logit
    from coalitionlab.models.separation import detect_separation

    fe_cols = [fe] if isinstance(fe, str) else list(fe or [])
    cluster_cols = [cluster] if isinstance(cluster, str) else list(cluster or [])
    if len(cluster_cols) > 2:
        raise EstimationError("at most two-way clustering is supported")
    for col in fe_cols + cluster_cols:
        if col not in data.columns:
            raise EstimationError(f"column {col!r} (fixed effect or cluster) is not in the data")
    if method == "clogit" and len(fe_cols) != 1:
        raise EstimationError("method='clogit' needs exactly one conditioning group, e.g. fe='coalition_id'")

    # Rows missing a variable, a cluster or a fixed effect are dropped together, and said so.
    extra = list(dict.fromkeys(fe_cols + cluster_cols))
    work = (data.dropna(subset=extra) if extra else data).reset_index(drop=True)  # rows matched by position
    rhs_fe = "" if method == "clogit" else "".join(f" + C({c})" for c in fe_cols)
    full_formula = check_formula(formula + rhs_fe + (" - 1" if method == "clogit" else ""), work.columns)
    try:
        mm = model_matrix(full_formula, work, na_action="drop", context=FORMULA_CONTEXT)
    except Exception as exc:  # formulaic's own messages are clear; add the formula
        raise EstimationError(f"cannot build the design from {formula!r}: {exc}") from None
    y_frame, X_frame = mm.lhs, mm.rhs
    rows = X_frame.index
    n_dropped = len(data) - len(rows)
    if n_dropped:
        warnings.warn(f"{n_dropped} of {len(data)} rows dropped for missing values in {formula!r}",
                      MissingValueWarning, stacklevel=2)
    y = y_frame.iloc[:, 0].to_numpy(dtype=float)
    if not np.isin(y, (0, 1)).all():
        raise EstimationError(f"the outcome {y_frame.columns[0]!r} must be 0/1")
    X = X_frame.to_numpy(dtype=float)
    names = list(X_frame.columns)
    frame = work.loc[rows]

    if fe_cols and method in ("logit", "probit", "firth"):
        keep = np.ones(len(y), dtype=bool)
        for col in fe_cols:
            share = pd.Series(y, index=rows).groupby(frame[col].to_numpy()).transform("mean").to_numpy()
            keep &= (share > 0) & (share < 1)
        if not keep.all():
            warnings.warn(f"{int((~keep).sum())} rows dropped: their {', '.join(fe_cols)} group never varies in the "
                          "outcome, so its fixed effect is not estimable", MissingValueWarning, stacklevel=2)
            X, y, frame = X[keep], y[keep], frame.loc[keep]
            constant = X.std(axis=0) == 0
            is_fe = np.array([n.startswith(tuple(f"C({c})[" for c in fe_cols)) for n in names])
            lost = [n for n, c, f in zip(names, constant, is_fe) if c and not f and n != "Intercept"]
            if lost:
                raise EstimationError(f"{', '.join(lost)} does not vary once the {', '.join(fe_cols)} groups that "
                                      "never vary in the outcome are dropped; it cannot be estimated with these "
                                      "fixed effects")
            nonconstant = ~(constant & is_fe)  # only the dummies of the dropped groups go
            X = X[:, nonconstant]
            names = [n for n, k in zip(names, nonconstant) if k]
            if "Intercept" in names:
                for col in fe_cols:  # the reference group was dropped: its first remaining group becomes it
                    dummies = [i for i, n in enumerate(names) if n.startswith(f"C({col})[")]
                    if dummies and np.all(X[:, dummies].sum(axis=1) == 1):
                        X = np.delete(X, dummies[0], axis=1)
                        names = names[:dummies[0]] + names[dummies[0] + 1:]
    if len(y) == 0 or y.min() == y.max():
        raise EstimationError("the outcome does not vary in the estimation sample")

    constant = [n for n, flat in zip(names, np.ptp(X, axis=0) == 0, strict=True)
                if flat and n != "Intercept" and not n.startswith(tuple(f"C({c})[" for c in fe_cols))]
    if constant and ("Intercept" in names or method == "clogit"):  # e.g. a treatment with one value in the sample
        values = ", ".join(f"{n} = {X[0, names.index(n)]:g}" for n in constant)
        raise EstimationError(f"{', '.join(constant)} does not vary in the estimation sample ({values} in every row), "
                              "so its coefficient cannot be told from the "
                              + ("intercept" if method != "clogit" else "coalition's fixed effect") + "; drop it")
    collinear = _collinear_terms(X, names)
    if collinear:  # a singular design has no unique estimate: say which term is redundant, never a LinAlgError
        raise EstimationError(f"{', '.join(collinear)} is a linear combination of the other regressors in the "
                              "estimation sample (collinear); drop it")

    separation = SeparationReport(False)
    if check_separation and method in ("logit", "probit", "firth"):
        separation = detect_separation(X, y, names)
        if separation.is_separated and method != "firth":
            raise EstimationError(f"{separation}; the ML estimate does not exist: use method='firth'")

    groups = _cluster_codes(frame, cluster_cols)
    n_clusters = None if groups is None else int(
        np.unique(groups).size if groups.ndim == 1 else min(np.unique(g).size for g in groups.T))
    if groups is not None and n_clusters < 2:
        raise EstimationError(f"cannot cluster by {cluster_cols}: fewer than two clusters in the sample")

    pvals = None
    sm_result = None
    if method in ("logit", "probit"):
        model = (Logit if method == "logit" else Probit)(y, X)
        kwargs = {"cov_type": "cluster", "cov_kwds": {"groups": groups}} if groups is not None else {}
        sm_result = model.fit(disp=0, maxiter=200, **kwargs)
        params, cov = sm_result.params, sm_result.cov_params()
        # the constant-only model's maximum (logit and probit alike: the fitted probability is the share
        # joined), in closed form; statsmodels refits it by Nelder-Mead, over a second per call
        share = float(y.mean())
        loglik, llnull = sm_result.llf, len(y) * (share * np.log(share) + (1 - share) * np.log(1 - share))
        vcov_type = f"clustered by {' and '.join(cluster_cols)}" if groups is not None else "model-based (inverse information)"
    elif method == "lpm":
        model = OLS(y, X)
        kwargs = {"cov_type": "cluster", "cov_kwds": {"groups": groups}} if groups is not None else {"cov_type": "HC1"}
        sm_result = model.fit(**kwargs)
        params, cov = sm_result.params, sm_result.cov_params()
        loglik, llnull = sm_result.llf, np.nan
        vcov_type = f"clustered by {' and '.join(cluster_cols)}" if groups is not None else "heteroskedasticity-robust (HC1)"
    elif method == "firth":
        if groups is not None:  # clustered rows are not independent: a sandwich, not the LR tests
            fit = firth_logit(X, y, lr_tests=False)
            params, cov = fit.params, firth_cluster_cov(X, y, fit.params, groups)
            vcov_type = (f"clustered by {' and '.join(cluster_cols)} (sandwich of the modified score at the "
                         "Firth estimate); Wald p-values")
        else:
            fit = firth_logit(X, y, lr_skip=tuple(i for i, n in enumerate(names) if n == "Intercept"))
            params, cov = fit.params, fit.cov
            pvals = pd.Series(fit.pvalues_lr, index=names)
            vcov_type = "model-based; p-values from penalised likelihood-ratio tests (Wald for the intercept)"
        loglik, llnull = fit.loglik, np.nan
    else:  # clogit
        group_codes = pd.factorize(frame[fe_cols[0]])[0]
        keep_groups = pd.Series(y).groupby(group_codes).transform(lambda s: 0 < s.sum() < len(s)).to_numpy(bool)
        if not keep_groups.all():
            warnings.warn(f"{int((~keep_groups).sum())} rows in groups where nobody or everybody joined carry no "
                          "information in a conditional logit and are dropped", MissingValueWarning, stacklevel=2)
        X, y, frame, group_codes = X[keep_groups], y[keep_groups], frame.loc[keep_groups], group_codes[keep_groups]
        if cluster_cols and cluster_cols != fe_cols:
            raise EstimationError("a conditional logit can cluster only by its conditioning group "
                                  f"({fe_cols[0]!r}); per-group scores do not split across other clusters")
        fit = conditional_logit(X, y, group_codes, names=names)
        params = fit.params
        hess_inv = np.linalg.inv(-fit.hessian)
        if cluster_cols:
            g = fit.n_groups
            cov = (g / (g - 1)) * hess_inv @ (fit.group_scores.T @ fit.group_scores) @ hess_inv
            vcov_type = f"clustered by {fe_cols[0]}"
            n_clusters = g
        else:
            cov = hess_inv
            vcov_type = "model-based (inverse information)"
        loglik, llnull = fit.loglik, np.nan
    params = pd.Series(np.asarray(params), index=names)
    cov = pd.DataFrame(np.asarray(cov), index=names, columns=names)
    fitted = None
    if method != "clogit":
        eta = X @ params.to_numpy()
        fitted = np.clip(eta, 0, 1) if method == "lpm" else (ndtr(eta) if method == "probit" else expit(eta))
    k = len(names)
    n = len(y)
    fit_stats = {
        "n_obs": n,
        "n_events": int(y.sum()),
        "n_clusters": n_clusters,
        "n_coalitions": int(frame["coalition_id"].nunique()) if "coalition_id" in frame.columns else None,
        "df_resid": n - k,
        "loglik": float(loglik),
        "pseudo_r2": float(1 - loglik / llnull) if np.isfinite(llnull) and llnull != 0 else None,
        "r2": float(sm_result.rsquared) if method == "lpm" else None,
        "aic": float(2 * k - 2 * loglik),
        "bic": float(k * np.log(n) - 2 * loglik),
        "auc": _auc(y, fitted) if fitted is not None else None,
    }
    return ParticipationResult(
        method=method, formula=formula, params=params, cov=cov, vcov_type=vcov_type, fit_stats=fit_stats,
        separation=separation, data_versions=dict(data.attrs.get("sources", {})), pvalues_override=pvals,
        _model_spec=X_frame.model_spec, _fitted=fitted, _X=X, _sm_result=sm_result,
    )


def _collinear_terms(X: np.ndarray, names: list[str], tol: float = 1e-10) -> list[str]:
    """Regressors that add nothing to the span of those before them (pivoted QR on the scaled design)."""
    if X.shape[1] == 0:
        return []
    scale = np.sqrt((X**2).mean(axis=0))
    scale[scale == 0] = 1.0
    from scipy.linalg import qr

    _, r, _ = qr(X / scale, mode="economic", pivoting=True)
    rank = int((np.abs(np.diag(r)) > tol * max(1.0, abs(r[0, 0]))).sum())
    if rank == X.shape[1]:
        return []
    out, kept = [], np.empty((X.shape[0], 0))
    for j, name in enumerate(names):  # in formula order: the later of two collinear terms is named
        candidate = np.column_stack([kept, X[:, j] / scale[j]])
        if np.linalg.matrix_rank(candidate, tol=tol * np.sqrt(X.shape[0])) > kept.shape[1]:
            kept = candidate
        else:
            out.append(name)
    return out


def _cluster_codes(frame: pd.DataFrame, cols: list[str]) -> np.ndarray | None:
    if not cols:
        return None
    codes = [pd.factorize(frame[c])[0] for c in cols]
    return codes[0] if len(codes) == 1 else np.column_stack(codes)


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney form, ties counted half)."""
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, score))


def frame_digest(data: pd.DataFrame) -> str:
    """SHA-256 of a frame's values, row index, column names and dtypes (the data part of a cache key)."""
    import hashlib

    h = hashlib.sha256(repr([(str(c), str(t)) for c, t in data.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(data, index=True).to_numpy().tobytes())
    return h.hexdigest()


def _cached_fit(formula: str, data: pd.DataFrame, **kwargs: Any) -> ParticipationResult:
    from coalitionlab._cache import cache_key, cached, code_fingerprint

    def build() -> ParticipationResult:
        res = fit_participation(formula, data, cache=False, **kwargs)
        res._sm_result = None  # statsmodels' own object: rebuilt by no one, and it would pull statsmodels in
        return res

    try:
        digest = frame_digest(data)
    except TypeError:  # unhashable cells (lists, dicts): fit without the cache
        return build()
    cluster, fe = kwargs["cluster"], kwargs["fe"]
    key = cache_key(digest, sorted((str(k), str(v)) for k, v in data.attrs.get("sources", {}).items()),
                    code_fingerprint(), formula, kwargs["method"], cluster if isinstance(cluster, str) else list(cluster or []),
                    fe if isinstance(fe, str) else list(fe or []), kwargs["check_separation"])
    return cached("fit", key, build, folder_name="models", replay_warnings=True)[0]
