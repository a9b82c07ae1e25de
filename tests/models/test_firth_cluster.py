"""Clustered standard errors for the Firth logit, against statsmodels' clustered ML logit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.sandwich_covariance import cov_cluster_2groups

from coalitionlab.models import fit_participation
from coalitionlab.models.firth import firth_cluster_cov, firth_logit


def _clustered_world(n_groups: int, size: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(n_groups), size)
    shock = rng.normal(scale=0.8, size=n_groups)[g]  # within-cluster correlation the SEs must see
    x = rng.normal(size=n_groups * size) + 0.5 * rng.normal(size=n_groups)[g]
    eta = -1.0 + 0.7 * x + shock
    return pd.DataFrame({"g": g, "c": rng.integers(0, 40, n_groups * size), "x": x,
                         "joined": (rng.random(n_groups * size) < 1 / (1 + np.exp(-eta))).astype(int)})


def test_firth_clustered_se_tends_to_the_ml_logit_clustered_se() -> None:
    """In a large sample the Firth penalty is negligible: the estimate and its clustered SE agree with
    statsmodels' ML logit clustered by the same groups (same small-sample factor) to within 1%; the
    model-based SE is far smaller (the clustering matters here)."""
    df = _clustered_world(60, 200, seed=1)
    res = fit_participation("joined ~ x", df, method="firth", cluster="g")
    ml = sm.Logit(df["joined"], sm.add_constant(df[["x"]])).fit(disp=0, cov_type="cluster",
                                                                  cov_kwds={"groups": df["g"]})
    t = res.tidy()
    assert t.loc["x", "estimate"] == pytest.approx(ml.params["x"], rel=0.01)
    assert t.loc["x", "std_error"] == pytest.approx(ml.bse["x"], rel=0.01)
    unclustered = fit_participation("joined ~ x", df, method="firth")
    assert unclustered.tidy().loc["x", "std_error"] < 0.8 * t.loc["x", "std_error"]
    assert "clustered by g" in res.vcov_type and res.fit_stats["n_clusters"] == 60


def test_firth_two_way_clustering_matches_statsmodels_combination() -> None:
    df = _clustered_world(50, 160, seed=2)
    X = sm.add_constant(df[["x"]]).to_numpy()
    y = df["joined"].to_numpy(float)
    fit = firth_logit(X, y, lr_tests=False)
    ours = firth_cluster_cov(X, y, fit.params, df[["g", "c"]].to_numpy())
    ml = sm.Logit(y, X).fit(disp=0)
    oracle = cov_cluster_2groups(ml, df["g"].to_numpy(), df["c"].to_numpy())[0]
    np.testing.assert_allclose(np.sqrt(np.diag(ours)), np.sqrt(np.diag(oracle)), rtol=0.02)


def test_firth_clustered_under_separation_is_finite() -> None:
    """Where Firth is needed (x separates the outcome) the clustered SE still exists, and equals the sandwich
    recomputed here from its definition: the Firth estimate by scipy (the log-likelihood plus half the log
    determinant of the information, maximised), the modified score's per-cluster sums as the meat, the
    inverse information as the bread, statsmodels' small-sample factor G/(G-1) (N-1)/(N-K)."""
    from scipy import optimize
    from scipy.special import expit

    df = _clustered_world(10, 30, seed=3)
    df["sep"] = (df["joined"] == 1).astype(float) + np.random.default_rng(0).normal(scale=0.01, size=len(df))
    res = fit_participation("joined ~ sep", df, method="firth", cluster="g")
    assert np.isfinite(res.tidy().loc["sep", "std_error"]) and res.tidy().loc["sep", "std_error"] > 0
    X = np.column_stack([np.ones(len(df)), df["sep"]])
    y = df["joined"].to_numpy(float)

    def info(beta: np.ndarray) -> np.ndarray:
        p = expit(X @ beta)
        return X.T @ (X * (p * (1 - p))[:, None])

    def neg_penalised(beta: np.ndarray) -> float:
        eta = X @ beta
        return -(np.sum(y * eta - np.logaddexp(0, eta)) + 0.5 * np.linalg.slogdet(info(beta))[1])

    beta = optimize.minimize(neg_penalised, np.zeros(2), method="BFGS", options={"gtol": 1e-10}).x
    p = expit(X @ beta)
    bread = np.linalg.inv(info(beta))
    h = p * (1 - p) * np.einsum("ij,jk,ik->i", X, bread, X)  # hat values
    contrib = X * (y - p + h * (0.5 - p))[:, None]
    sums = pd.DataFrame(contrib).groupby(df["g"].to_numpy()).sum().to_numpy()
    G, (N, K) = len(sums), X.shape
    cov = G / (G - 1) * (N - 1) / (N - K) * bread @ sums.T @ sums @ bread
    tidy = res.tidy()
    np.testing.assert_allclose(tidy["estimate"], beta, rtol=1e-5)
    np.testing.assert_allclose(tidy["std_error"], np.sqrt(np.diag(cov)), rtol=1e-5)
