"""fit_participation against statsmodels on the same data, Firth against its closed form,
separation detection, clustering rules and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from statsmodels.discrete.conditional_models import ConditionalLogit

from coalitionlab.errors import EstimationError, MissingValueWarning, UnknownOptionError
from coalitionlab.models.firth import firth_logit
from coalitionlab.models.participation import fit_participation
from coalitionlab.models.separation import detect_separation


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    """A coalition x candidate panel with a known data-generating process."""
    rng = np.random.default_rng(7)
    n_coal, n_cand = 40, 60
    df = pd.DataFrame({"coalition_id": np.repeat(np.arange(n_coal), n_cand),
                       "ccode": np.tile(np.arange(n_cand), n_coal)})
    df["embeddedness"] = rng.gamma(2.0, 10.0, len(df))
    df["cinc"] = rng.exponential(0.01, len(df))
    alpha = rng.normal(-2, 0.5, n_coal)[df["coalition_id"]]
    eta = alpha + 0.04 * df["embeddedness"] + 20 * df["cinc"]
    df["joined"] = (rng.random(len(df)) < 1 / (1 + np.exp(-eta))).astype(int)
    return df


@pytest.mark.parametrize("method,sm_fn", [("logit", smf.logit), ("probit", smf.probit)])
def test_ml_matches_statsmodels_clustered(panel: pd.DataFrame, method: str, sm_fn) -> None:
    ours = fit_participation("joined ~ embeddedness + cinc", panel, method=method, cluster="coalition_id")
    ref = sm_fn("joined ~ embeddedness + cinc", panel).fit(
        disp=0, cov_type="cluster", cov_kwds={"groups": panel["coalition_id"]})
    tidy = ours.tidy()
    np.testing.assert_allclose(tidy["estimate"], ref.params.to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(tidy["std_error"], ref.bse.to_numpy(), rtol=1e-6)
    assert ours.fit_stats["n_clusters"] == 40 and "clustered by coalition_id" in ours.vcov_type


def test_lpm_matches_ols_two_way(panel: pd.DataFrame) -> None:
    ours = fit_participation("joined ~ embeddedness", panel, method="lpm", cluster=["coalition_id", "ccode"])
    groups = np.column_stack([pd.factorize(panel[c])[0] for c in ("coalition_id", "ccode")])
    ref = smf.ols("joined ~ embeddedness", panel).fit(cov_type="cluster", cov_kwds={"groups": groups})
    np.testing.assert_allclose(ours.tidy()["estimate"], ref.params.to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(ours.tidy()["std_error"], ref.bse.to_numpy(), rtol=1e-6)


def test_average_marginal_effects_match_statsmodels(panel: pd.DataFrame) -> None:
    ours = fit_participation("joined ~ embeddedness + cinc", panel).marginal_effects()
    ref = smf.logit("joined ~ embeddedness + cinc", panel).fit(disp=0).get_margeff(at="overall")
    np.testing.assert_allclose(ours["ame"], ref.margeff, rtol=1e-6)
    np.testing.assert_allclose(ours["std_error"], ref.margeff_se, rtol=1e-4)


def test_conditional_logit_matches_statsmodels(panel: pd.DataFrame) -> None:
    ours = fit_participation("joined ~ embeddedness + cinc", panel, method="clogit", fe="coalition_id")
    ref = ConditionalLogit(panel["joined"], panel[["embeddedness", "cinc"]], groups=panel["coalition_id"]).fit(disp=0)
    np.testing.assert_allclose(ours.tidy()["estimate"], ref.params.to_numpy(), rtol=1e-4)
    np.testing.assert_allclose(ours.tidy()["std_error"], ref.bse.to_numpy(), rtol=1e-3)
    # the true coefficient is 0.04; conditional logit removes the coalition intercepts
    assert abs(ours.tidy().loc["embeddedness", "estimate"] - 0.04) < 0.01
    with pytest.raises(EstimationError, match="not identified"):
        ours.marginal_effects()
    with pytest.raises(EstimationError, match="conditioning group"):
        fit_participation("joined ~ embeddedness", panel, method="clogit", fe="coalition_id", cluster="ccode")


def test_state_fixed_effects_drop_uninformative_states(panel: pd.DataFrame) -> None:
    df = panel.copy()
    df.loc[df["ccode"] == 0, "joined"] = 0  # a state that never joins has no estimable effect
    with pytest.warns(MissingValueWarning, match="never varies"):
        res = fit_participation("joined ~ embeddedness", df, fe="ccode")
    assert res.fit_stats["n_obs"] == len(df) - 40


def test_firth_closed_form_for_a_binary_regressor() -> None:
    """With one binary regressor Firth's estimate is the log odds ratio with 1/2 added to each cell."""
    rng = np.random.default_rng(3)
    x = rng.integers(0, 2, 80)
    y = (rng.random(80) < np.where(x == 1, 0.7, 0.3)).astype(int)
    cells = {(a, b): ((x == a) & (y == b)).sum() + 0.5 for a in (0, 1) for b in (0, 1)}
    log_or = np.log(cells[1, 1] * cells[0, 0] / (cells[1, 0] * cells[0, 1]))
    fit = firth_logit(np.column_stack([np.ones(80), x]), y)
    assert fit.params[1] == pytest.approx(log_or, abs=1e-7)
    assert fit.params[0] == pytest.approx(np.log(cells[0, 1] / cells[0, 0]), abs=1e-7)


def test_firth_likelihood_ratio_p_values_against_scipy() -> None:
    """The penalised LR p-values, recomputed from the definition: the log-likelihood plus half the log
    determinant of the Fisher information (Jeffreys' prior), maximised by scipy's BFGS with and without
    each coefficient fixed at 0; 2 x the difference against chi2(1). The intercept gets a Wald p-value."""
    from scipy import optimize, stats

    rng = np.random.default_rng(21)
    n = 60
    df = pd.DataFrame({"x": rng.normal(size=n), "z": rng.integers(0, 2, n).astype(float)})
    df["joined"] = (rng.random(n) < 1 / (1 + np.exp(-(-0.5 + 0.9 * df["x"] + 1.5 * df["z"])))).astype(int)
    X = np.column_stack([np.ones(n), df["x"], df["z"]])
    y = df["joined"].to_numpy(float)

    def penalised(beta: np.ndarray) -> float:
        eta = X @ beta
        p = 1 / (1 + np.exp(-eta))
        info = X.T @ (X * (p * (1 - p))[:, None])
        return float(np.sum(y * eta - np.logaddexp(0, eta)) + 0.5 * np.linalg.slogdet(info)[1])

    def best(free: list[int]) -> float:
        def neg(b: np.ndarray) -> float:
            beta = np.zeros(3)
            beta[free] = b
            return -penalised(beta)
        return -optimize.minimize(neg, np.zeros(len(free)), method="BFGS", options={"gtol": 1e-10}).fun

    full = best([0, 1, 2])
    res = fit_participation("joined ~ x + z", df, method="firth")
    tidy = res.tidy()
    assert res.fit_stats["loglik"] == pytest.approx(full, abs=1e-7)
    for j, term in ((1, "x"), (2, "z")):
        lr = 2 * (full - best([k for k in range(3) if k != j]))
        assert tidy.loc[term, "p_value"] == pytest.approx(stats.chi2.sf(lr, 1), rel=1e-5), term
    wald = 2 * stats.norm.sf(abs(tidy.loc["Intercept", "estimate"] / tidy.loc["Intercept", "std_error"]))
    assert tidy.loc["Intercept", "p_value"] == pytest.approx(wald, rel=1e-9)
    # the LR and Wald p-values differ here, so the check above tells them apart
    wald_x = 2 * stats.norm.sf(abs(tidy.loc["x", "estimate"] / tidy.loc["x", "std_error"]))
    assert abs(wald_x - tidy.loc["x", "p_value"]) > 0.01 * tidy.loc["x", "p_value"]


def test_firth_approaches_ml_in_large_samples(panel: pd.DataFrame) -> None:
    ml = smf.logit("joined ~ embeddedness", panel).fit(disp=0).params.to_numpy()
    firth = fit_participation("joined ~ embeddedness", panel, method="firth").tidy()["estimate"].to_numpy()
    np.testing.assert_allclose(firth, ml, rtol=0.02)


def test_separation_detected_and_firth_recommended() -> None:
    df = pd.DataFrame({"joined": [0, 0, 0, 1, 1, 1, 0, 1], "ally": [0, 0, 0, 1, 1, 1, 0, 1],
                       "x": [0.1, 0.4, -0.3, 0.2, 0.0, 0.5, 0.3, -0.1]})
    with pytest.raises(EstimationError, match="separation along .*ally.*use method='firth'"):
        fit_participation("joined ~ ally + x", df)
    res = fit_participation("joined ~ ally + x", df, method="firth")
    assert res.separation.is_separated and np.isfinite(res.tidy().loc["ally", "estimate"])
    rng = np.random.default_rng(0)
    X = np.column_stack([np.ones(300), rng.normal(size=300)])
    assert not detect_separation(X, (rng.random(300) < 0.5).astype(int)).is_separated


def test_missing_rows_are_announced(panel: pd.DataFrame) -> None:
    df = panel.copy()
    df.loc[:9, "embeddedness"] = np.nan
    with pytest.warns(MissingValueWarning, match="10 of 2400 rows dropped"):
        res = fit_participation("joined ~ embeddedness", df, cluster="coalition_id")
    assert res.fit_stats["n_obs"] == 2390


def test_bad_options_are_clear(panel: pd.DataFrame) -> None:
    with pytest.raises(UnknownOptionError, match="unknown method 'logitt'.*'firth'"):
        fit_participation("joined ~ embeddedness", panel, method="logitt")
    with pytest.raises(EstimationError, match="'state' .* not in the data"):
        fit_participation("joined ~ embeddedness", panel, cluster="state")
    with pytest.raises(EstimationError, match="fewer than two clusters"):
        fit_participation("joined ~ embeddedness", panel.assign(one=1), cluster="one")
    with pytest.raises(EstimationError, match="must be 0/1"):
        fit_participation("embeddedness ~ cinc", panel)
    with pytest.raises(EstimationError, match="at most two-way"):
        fit_participation("joined ~ embeddedness", panel, method="firth", cluster=["coalition_id", "ccode", "year"])


def test_collinear_regressors_are_named_not_a_linalg_error(panel: pd.DataFrame) -> None:
    """A regressor that is a linear combination of others has no unique coefficient: one line naming it,
    for every method (statsmodels' logit raised numpy's LinAlgError; OLS silently used a pseudo-inverse)."""
    df = panel.assign(copy=2 * panel["embeddedness"] + 1)
    for method in ("logit", "lpm", "firth"):
        with pytest.raises(EstimationError, match=r"^copy is a linear combination of the other regressors"):
            fit_participation("joined ~ embeddedness + copy", df, method=method)


def test_predict_on_new_rows(panel: pd.DataFrame) -> None:
    res = fit_participation("joined ~ embeddedness + cinc", panel)
    new = pd.DataFrame({"embeddedness": [0.0, 100.0], "cinc": [0.0, 0.0]})
    p = res.predict(new)
    assert p[1] > p[0] and ((0 < p) & (p < 1)).all()
    np.testing.assert_allclose(res.predict(), sm.Logit(panel["joined"], sm.add_constant(
        panel[["embeddedness", "cinc"]])).fit(disp=0).predict(), rtol=1e-6)


def test_conditional_logit_is_stable_with_many_joiners() -> None:
    """Groups of 170 with ~40 joiners overflow a naive recursion; the estimate must match a logit with
    group dummies, which is nearly unbiased for groups this large."""
    rng = np.random.default_rng(11)
    n_groups, size = 12, 170
    df = pd.DataFrame({"g": np.repeat(np.arange(n_groups), size), "x": rng.normal(3, 2, n_groups * size)})
    eta = rng.normal(-3, 0.5, n_groups)[df["g"]] + 0.8 * df["x"]
    df["joined"] = (rng.random(len(df)) < 1 / (1 + np.exp(-eta))).astype(int)
    assert df.groupby("g")["joined"].sum().max() >= 40
    cl = fit_participation("joined ~ x", df, method="clogit", fe="g", cluster="g").tidy().loc["x"]
    dummies = smf.logit("joined ~ x + C(g)", df).fit(disp=0)
    assert cl["estimate"] == pytest.approx(dummies.params["x"], rel=0.03)
    # the clustered SE against a sandwich built from statsmodels' ConditionalLogit: its per-group scores
    # (score_grp) and Hessian at its own estimate, with the small-sample factor G/(G-1). (statsmodels'
    # fit(cov_type="cluster") silently returns the model-based SE for this model: not an oracle.)
    ref = ConditionalLogit(df["joined"], df[["x"]], groups=df["g"])
    beta = ref.fit(disp=0).params.to_numpy()
    assert cl["estimate"] == pytest.approx(beta[0], rel=1e-5)
    scores = np.array([ref.score_grp(g, beta) for g in range(ref._n_groups)])
    bread = np.linalg.inv(-ref.hessian(beta))
    G = len(scores)
    sandwich = G / (G - 1) * bread @ (scores.T @ scores) @ bread
    assert cl["std_error"] == pytest.approx(np.sqrt(sandwich[0, 0]), rel=1e-5)
    assert cl["std_error"] < 0.8 * np.sqrt(bread[0, 0])  # the clustering matters here: far from model-based


def test_state_fixed_effects_without_an_intercept(panel: pd.DataFrame) -> None:
    """Dropping never-varying states must not assume an Intercept column (the formula may omit it)."""
    df = panel.copy()
    df.loc[df["ccode"] == 0, "joined"] = 0
    with pytest.warns(MissingValueWarning, match="never varies"):
        res = fit_participation("joined ~ 0 + embeddedness", df, fe="ccode")
    assert "Intercept" not in res.params.index and "C(ccode)[0]" not in res.params.index
    assert res.fit_stats["n_obs"] == len(df) - 40


def test_predict_new_rows_after_fixed_effect_groups_were_dropped(panel: pd.DataFrame) -> None:
    """predict(data) must use the same columns as the fit, after the dummies of dropped groups went."""
    df = panel.copy()
    df.loc[df["ccode"] == 5, "joined"] = 0  # not the reference level: its dummy column goes
    with pytest.warns(MissingValueWarning, match="never varies"):
        res = fit_participation("joined ~ embeddedness", df, fe="ccode")
    assert "C(ccode)[T.5]" not in res.params.index
    rows = df[df["ccode"] != 5]
    np.testing.assert_allclose(res.predict(rows), res.predict(), rtol=1e-12)


def test_fixed_effects_never_drop_a_named_regressor_silently(panel: pd.DataFrame) -> None:
    """A regressor that varies only inside dropped groups cannot be estimated: say so, do not drop the term."""
    df = panel.copy()
    df.loc[df["ccode"] == 5, "joined"] = 0
    df["only_in_5"] = (df["ccode"] == 5).astype(float)
    with pytest.warns(MissingValueWarning, match="never varies"), pytest.raises(EstimationError, match="only_in_5"):
        fit_participation("joined ~ embeddedness + only_in_5", df, fe="ccode")


def test_formula_variables_names_only_data_columns() -> None:
    """predict_participation reports and checks the formula's columns; function names are not columns."""
    from coalitionlab.models.predict import formula_variables

    assert formula_variables("joined ~ embeddedness_log1p + cinc") == ["embeddedness_log1p", "cinc"]
    assert formula_variables("joined ~ np.sqrt(cinc) + I(distance_log ** 2) + C(kind) + cinc") == [
        "cinc", "distance_log", "kind"]


def test_a_repeated_row_index_does_not_break_clustering(panel: pd.DataFrame) -> None:
    """Panels glued with pd.concat keep repeated index labels; the fit must not depend on them."""
    glued = pd.concat([panel.iloc[:1200], panel.iloc[1200:]]).set_axis(np.arange(len(panel)) % 1200)
    a = fit_participation("joined ~ embeddedness + cinc", panel, cluster="coalition_id").tidy()
    b = fit_participation("joined ~ embeddedness + cinc", glued, cluster="coalition_id").tidy()
    pd.testing.assert_frame_equal(a, b)
