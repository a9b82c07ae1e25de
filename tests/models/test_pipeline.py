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


def test_predict_cli_csv_contract(shared_data: Path) -> None:
    out = CliRunner().invoke(app, ["predict", "--lead", "USA", "--date", "2014-08-08", "--train-until", "2013",
                                   "--data-dir", str(shared_data), "--format", "csv"])
    assert out.exit_code == 0, out.output
    header = out.stdout.splitlines()[0]
    assert header.startswith("ccode,country,p_join")
    values = [float(line.split(",")[2]) for line in out.stdout.splitlines()[1:] if line.split(",")[2]]
    assert np.all(np.diff(values) <= 0)


def test_replicate_henke_on_the_project_data(real_panel: pd.DataFrame) -> None:
    rep = replicate_henke(panel=real_panel)
    row = rep.tidy().loc["embeddedness_log1p"]
    assert row["estimate"] > 0 and row["p_value"] < 0.01
    assert rep.n_coalitions >= 30
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


def test_conditional_logit_converges_on_the_full_specification(real_panel: pd.DataFrame) -> None:
    """Large coalitions with many joiners overflow a naive conditional likelihood; the fit must converge."""
    us = real_panel[real_panel["lead_ccode"] == 2]
    formula = DEFAULT_FORMULA + " + un_ideal_distance"
    res = fit_participation(formula, us, method="clogit", fe="coalition_id", cluster="coalition_id")
    row = res.tidy().loc["embeddedness_log1p"]
    assert np.isfinite(row["std_error"]) and row["estimate"] > 0
    logit = fit_participation(formula, us, cluster="coalition_id").tidy().loc["embeddedness_log1p", "estimate"]
    assert abs(row["estimate"] - logit) < 1.5  # same sign and size as the pooled logit


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
