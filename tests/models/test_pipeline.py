"""The participation pipeline end to end on the real data: panel, fit, prediction, CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from coalitionlab.cli.main import app
from coalitionlab.errors import CoverageError, UnknownCountryError
from coalitionlab.models import fit_participation
from coalitionlab.models.data import DEFAULT_FORMULA, participation_data
from coalitionlab.models.predict import predict_participation
from coalitionlab.models.replication import replicate_henke


@pytest.fixture(scope="module")
def real_panel(shared_data: Path) -> pd.DataFrame:
    return participation_data(data_dir=shared_data)


def test_panel_has_every_feature_and_its_sources(real_panel: pd.DataFrame) -> None:
    for col in ("joined", "embeddedness_log1p", "embeddedness_lag3_log1p", "embeddedness_nonsecurity_log1p",
                "embeddedness_log1p_focal", "atop_defense", "distance_log", "cinc", "democracy",
                "un_ideal_distance", "s_score", "joint_exercises", "dod_visits"):
        assert col in real_panel.columns, col
    assert real_panel["coalition_id"].nunique() >= 80
    assert {"cow_igo", "atop_dyads", "nmc"} <= set(real_panel.attrs["sources"])
    # visits exist only for US-led coalitions whose 5-year window sits inside 1992-2012
    visits = real_panel.dropna(subset=["dod_visits"])
    assert (visits["lead_ccode"] == 2).all() and visits["year"].between(1997, 2013).all()


def test_embeddedness_predicts_joining_us_coalitions(real_panel: pd.DataFrame) -> None:
    us = real_panel[real_panel["lead_ccode"] == 2]
    res = fit_participation(DEFAULT_FORMULA, us, cluster="coalition_id")
    row = res.tidy().loc["embeddedness_log1p"]
    assert row["estimate"] > 0 and row["p_value"] < 0.01
    assert res.fit_stats["n_clusters"] == us["coalition_id"].nunique()
    # the numbers behind the finding, against statsmodels' logit on the complete rows, clustered by coalition
    import statsmodels.api as sm

    terms = [t.strip() for t in DEFAULT_FORMULA.split("~")[1].split("+")]
    rows = us.dropna(subset=["joined", *terms])
    ref = sm.Logit(rows["joined"].to_numpy(float), sm.add_constant(rows[terms].to_numpy(float))).fit(
        disp=0, cov_type="cluster", cov_kwds={"groups": pd.factorize(rows["coalition_id"])[0]})
    np.testing.assert_allclose(res.tidy().loc[terms, ["estimate", "std_error"]].to_numpy(),
                               np.column_stack([ref.params[1:], ref.bse[1:]]), rtol=1e-6)
    assert res.fit_stats["n_obs"] == len(rows)


def test_predict_for_a_new_us_coalition(real_panel: pd.DataFrame, shared_data: Path) -> None:
    out = predict_participation("USA", "2014-08-08", train_until=2013, data_dir=shared_data, panel=real_panel)
    assert list(out.columns[:3]) == ["ccode", "country", "p_join"]
    assert 2 not in set(out["ccode"]) and len(out) > 180
    p = out["p_join"].dropna()
    assert p.between(0, 1).all() and p.is_monotonic_decreasing
    assert out.loc[out["p_join"].isna(), "missing"].str.len().gt(0).all()  # every NaN says why
    assert out.attrs["n_train_coalitions"] < real_panel["coalition_id"].nunique()
    top10 = set(out.head(10)["ccode"])
    assert {200, 20} & top10  # the UK or Canada is among the ten likeliest joiners
    with pytest.raises(CoverageError, match="no coalition started by 1940"):
        predict_participation("USA", "2014-08-08", train_until=1940, data_dir=shared_data, panel=real_panel)
    with pytest.raises(UnknownCountryError, match="Atlantis"):
        predict_participation("Atlantis", "2014-08-08", train_until=2013, data_dir=shared_data, panel=real_panel)


def test_predict_cli_csv_contract(shared_data: Path, real_panel: pd.DataFrame) -> None:
    import io

    import statsmodels.api as sm

    out = CliRunner().invoke(app, ["predict", "--lead", "USA", "--date", "2014-08-08", "--train-until", "2013",
                                   "--data-dir", str(shared_data), "--format", "csv"])
    assert out.exit_code == 0, out.output
    header = out.stdout.splitlines()[0]
    assert header.startswith("ccode,country,p_join")
    values = [float(line.split(",")[2]) for line in out.stdout.splitlines()[1:] if line.split(",")[2]]
    assert np.all(np.diff(values) <= 0)
    # the printed probabilities against statsmodels' logit refitted on the coalitions begun by 2013 (labels
    # as they stood on 2013-12-31), applied to the feature columns the CSV itself prints
    csv = pd.read_csv(io.StringIO(out.stdout))
    terms = [t.strip() for t in DEFAULT_FORMULA.split("~")[1].split("+")]
    assert set(terms) <= set(csv.columns)
    train = real_panel[pd.to_datetime(real_panel["start_date"]).dt.year <= 2013]
    known = pd.to_datetime(train["join_date"]).fillna(pd.to_datetime(train["start_date"])) <= "2013-12-31"
    train = train.assign(joined=((train["joined"] == 1) & known).astype(int)).dropna(subset=terms)
    beta = sm.Logit(train["joined"].to_numpy(float), sm.add_constant(train[terms].to_numpy(float))).fit(disp=0).params
    scored = csv.dropna(subset=["p_join"])
    assert len(scored) > 150 and scored[terms].notna().all().all()
    eta = beta[0] + scored[terms].to_numpy(float) @ beta[1:]
    np.testing.assert_allclose(scored["p_join"], 1 / (1 + np.exp(-eta)), rtol=1e-5)


def test_replicate_henke_on_the_project_data(real_panel: pd.DataFrame) -> None:
    import statsmodels.api as sm

    from coalitionlab.models.replication import HENKE_FORMULA

    rep = replicate_henke(panel=real_panel)
    tidy = rep.tidy()
    # the reconstruction, refitted here with statsmodels: US-led coalitions begun by 2010, every row with all
    # of Henke's variables, a logit with SEs clustered by coalition
    terms = [t.strip() for t in HENKE_FORMULA.split("~")[1].split("+")]
    rows = real_panel[(real_panel["lead_ccode"] == 2) & (real_panel["year"] <= 2010)].dropna(subset=["joined", *terms])
    ref = sm.Logit(rows["joined"].to_numpy(float), sm.add_constant(rows[terms].to_numpy(float))).fit(
        disp=0, cov_type="cluster", cov_kwds={"groups": pd.factorize(rows["coalition_id"])[0]})
    np.testing.assert_allclose(tidy.loc[terms, "estimate"], ref.params[1:], rtol=1e-6)
    np.testing.assert_allclose(tidy.loc[terms, "std_error"], ref.bse[1:], rtol=1e-6)
    np.testing.assert_allclose(tidy.loc[terms, "p_value"], ref.pvalues[1:], rtol=1e-5)
    assert rep.result.fit_stats["n_coalitions"] == rows["coalition_id"].nunique() >= 30
    # n_coalitions counts the sample's coalitions before rows with a missing variable are dropped
    us = real_panel[(real_panel["lead_ccode"] == 2) & (real_panel["year"] <= 2010)]
    assert rep.n_coalitions == us["coalition_id"].nunique()
    row = tidy.loc["embeddedness_log1p"]
    assert row["estimate"] > 0 and row["p_value"] < 0.01  # the finding, on the refitted numbers
    assert replicate_henke(panel=real_panel, until=None).n_coalitions > rep.n_coalitions  # Henke's sample ends 2010
    assert {"coalitions", "embeddedness", "alliance"} <= set(rep.differences["element"])
    # every element says how sure we are of Henke's choice and what ours is; none passes as fact
    assert set(rep.differences["henke_status"]) <= {"documented", "assumed"}
    assert set(rep.differences["ours_is"]) <= {"reconstructed", "substitute", "missing"}
    assert rep.differences.set_index("element").loc["treaty source", "henke_status"] == "assumed"
    comparison = rep.comparison().set_index("term")
    assert comparison.loc["embeddedness_log1p", "ours"] == "positive, significant at 5%"
    assert comparison.loc["embeddedness_log1p", "henke_reports"].startswith("positive, significant")
    assert (comparison.drop(index="embeddedness_log1p")["henke_reports"] == "not stated here").all()
    assert "Intercept" not in comparison.index


def _conditional_loglik_by_group(groups: list[tuple[np.ndarray, np.ndarray]], beta: np.ndarray) -> np.ndarray:
    """Each group's conditional log-likelihood, sum of the joiners' x'b minus log e_k(exp(x'b)): e_k, the sum
    of exp(x'b) over every set of k members, by a log-space recursion over the rows (all groups at once)."""
    size = max(len(y) for _, y in groups)
    k = np.array([int(y.sum()) for _, y in groups])
    eta = np.full((len(groups), size), -np.inf)
    for i, (X, _) in enumerate(groups):
        eta[i, :len(X)] = X @ beta
    L = np.full((len(groups), k.max() + 1), -np.inf)
    L[:, 0] = 0.0
    for r in range(size):
        L[:, 1:] = np.logaddexp(L[:, 1:], L[:, :-1] + eta[:, r:r + 1])
    joined = np.array([(X @ beta)[y == 1].sum() for X, y in groups])
    return joined - L[np.arange(len(groups)), k]


def test_conditional_logit_converges_on_the_full_specification(real_panel: pd.DataFrame) -> None:
    """Large coalitions with many joiners overflow a naive conditional likelihood (statsmodels'
    ConditionalLogit does not converge here); the fit must converge, to the estimate and clustered SE of
    an independent implementation: the conditional likelihood in log space (above), maximised by scipy,
    per-group scores and the Hessian by central differences, sandwich with G/(G-1)."""
    from scipy import optimize

    us = real_panel[real_panel["lead_ccode"] == 2]
    formula = DEFAULT_FORMULA + " + un_ideal_distance"
    res = fit_participation(formula, us, method="clogit", fe="coalition_id", cluster="coalition_id")
    tidy = res.tidy()
    cols = list(tidy.index)
    assert cols == ["embeddedness_log1p", "atop_defense", "distance_log", "cinc", "democracy", "un_ideal_distance"]
    rows = us.dropna(subset=["joined", *cols])
    groups = [(g[cols].to_numpy(float), g["joined"].to_numpy(int)) for _, g in rows.groupby("coalition_id")
              if 0 < g["joined"].sum() < len(g)]
    assert max(int(y.sum()) for _, y in groups) >= 40  # the many-joiner groups that overflow a naive product
    sd = rows[cols].to_numpy(float).std(axis=0)  # finite-difference steps scaled to each regressor

    def scores(beta: np.ndarray, h: float = 1e-6) -> np.ndarray:
        return np.column_stack([(_conditional_loglik_by_group(groups, beta + e * h / s)
                                 - _conditional_loglik_by_group(groups, beta - e * h / s)) / (2 * h / s)
                                for e, s in zip(np.eye(len(cols)), sd)])

    def hessian(beta: np.ndarray, h: float = 1e-4) -> np.ndarray:
        return np.column_stack([(scores(beta + e * h / s).sum(0) - scores(beta - e * h / s).sum(0)) / (2 * h / s)
                                for e, s in zip(np.eye(len(cols)), sd)])

    beta = optimize.minimize(lambda b: -_conditional_loglik_by_group(groups, b).sum(), np.zeros(len(cols)),
                             method="BFGS").x
    beta = beta - np.linalg.solve(hessian(beta), scores(beta).sum(0))  # one Newton step to polish
    S, bread = scores(beta), np.linalg.inv(-hessian(beta))
    G = len(groups)
    se = np.sqrt(np.diag(G / (G - 1) * bread @ S.T @ S @ bread))
    np.testing.assert_allclose(tidy["estimate"], beta, rtol=1e-6)
    np.testing.assert_allclose(tidy["std_error"], se, rtol=1e-3)
    assert res.fit_stats["n_clusters"] == G and res.fit_stats["n_obs"] == sum(len(y) for _, y in groups)
    assert tidy.loc["embeddedness_log1p", "estimate"] > 0


def test_oster_delta_compares_short_and_long_on_one_sample(real_panel: pd.DataFrame) -> None:
    """Oster's delta contrasts two regressions on the same rows; democracy and UN distance are missing
    for hundreds of US-coalition candidates, so the short regression must use the long one's sample.
    The oracle is computed here with statsmodels from the moments Oster's formula needs."""
    import warnings

    import statsmodels.api as sm

    from coalitionlab.errors import MissingValueWarning
    from coalitionlab.models import oster_delta, robustness

    controls = ("atop_defense", "distance_log", "cinc", "democracy", "un_ideal_distance")
    us = real_panel[real_panel["lead_ccode"] == 2]
    sample = us.dropna(subset=["joined", "embeddedness_log1p", *controls])
    assert len(sample) < len(us)  # the real data do have missing controls
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValueWarning)
        sens = robustness(real_panel, controls=controls, designs=["lpm"]).sensitivity
    y, x = sample["joined"].to_numpy(float), sample["embeddedness_log1p"].to_numpy(float)
    W = sm.add_constant(sample[list(controls)].to_numpy(float))
    long = sm.OLS(y, np.column_stack([W, x])).fit()
    short = sm.OLS(y, sm.add_constant(x)).fit()
    tau = np.var(sm.OLS(x, W).fit().resid)
    expected = oster_delta(short.params[1], short.rsquared, long.params[-1], long.rsquared, var_y=np.var(y),
                           var_x=np.var(x), var_x_resid=tau)
    assert sens["oster_delta"] == pytest.approx(expected, rel=1e-9)
    # the sensitivity statistics use the classical t of that long regression (as sensemakr does)
    assert sens["t_classical"] == pytest.approx(long.tvalues[-1], rel=1e-9)


def test_replication_table_describes_the_igo_years_actually_used(real_panel: pd.DataFrame) -> None:
    """Coalitions after 2014 get the 2014 IGO memberships by default; the data-differences table said
    'only if asked'."""
    from coalitionlab.models.replication import DATA_DIFFERENCES

    late = real_panel[real_panel["year"] > 2014]
    assert late["igos"].notna().all() and len(late) > 0  # read at 2014, not missing
    text = DATA_DIFFERENCES.set_index("element").loc["IGO data", "coalitionlab"]
    assert "only if asked" not in text and "2014 memberships" in text
