"""The planner end to end on the real data (one example mission)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coalitionlab.planner import build_inputs, load_mission, mission_from_dict, plan_from_inputs

MISSIONS = Path(__file__).resolve().parents[2] / "examples" / "missions"


@pytest.fixture(scope="module")
def red_sea(shared_data):
    return build_inputs(load_mission(MISSIONS / "red_sea_2024.toml"), data_dir=shared_data)


def _system_members(shared_data, day: pd.Timestamp) -> set[int]:
    """COW's state list read directly: every state whose membership spell covers ``day``."""
    s = pd.read_csv(shared_data / "cow_states" / "statelist2024.csv")
    start = pd.to_datetime({"year": s["styear"], "month": s["stmonth"], "day": s["stday"]})
    end = pd.to_datetime({"year": s["endyear"], "month": s["endmonth"], "day": s["endday"]})
    return set(s.loc[(start <= day) & (day <= end), "ccode"].astype(int))


def test_p_join_is_a_logit_fitted_by_statsmodels(red_sea, shared_data):
    """Oracle: the forecast model refitted with statsmodels on the training rows built here (every coalition
    started by 2023, joins dated after 31 December 2023 relabelled 0 by hand), and each candidate's p_join
    computed by hand as expit(x'beta) from features built here with the upstream feature functions (the
    candidates of 10 January 2024 less the target Yemen); the planner's p_join must be that number for the
    same ccode, for every candidate it scores. The candidates themselves: COW's list read directly, less the
    lead, the target, the excluded Iran and the states lacking an input."""
    import statsmodels.api as sm
    from scipy.special import expit

    from coalitionlab.models.data import add_participation_features, candidate_frame, participation_data
    from coalitionlab.models.features import FORECAST_FORMULA, forecast_features

    date, target = pd.Timestamp("2024-01-10"), 679  # Yemen
    terms = [t.strip() for t in FORECAST_FORMULA.split("~")[1].split("+")]
    # the training rows: coalitions started by the year before the mission, labels as known on 2023-12-31
    panel = participation_data(data_dir=shared_data, lags=(), contact=False, source="full")
    train = panel[pd.to_datetime(panel["start_date"]).dt.year <= 2023].copy()
    joined_on = pd.to_datetime(train["join_date"]).fillna(pd.to_datetime(train["start_date"]))
    late = (train["joined"] == 1) & (joined_on > pd.Timestamp("2023-12-31"))
    assert late.sum() > 0  # the relabelling has teeth: some training joins came after the cut-off
    train.loc[late, "joined"] = 0
    train = forecast_features(train, data_dir=shared_data, half_life=10.0)
    rows = train.dropna(subset=["joined", *terms])
    assert all(rows[t].nunique() > 1 for t in terms)  # no term is constant: the whole formula is the model
    ref = sm.Logit(rows["joined"].to_numpy(float), sm.add_constant(rows[terms].to_numpy(float))).fit(
        disp=0, method="newton", maxiter=100)
    assert red_sea.model.fit_stats["n_obs"] == len(rows)
    np.testing.assert_allclose(red_sea.model.params.to_numpy(), ref.params, rtol=1e-6, atol=1e-9)
    # the candidates' features, built here from the feature stage (not the planner's inputs)
    cand = candidate_frame("USA", date, data_dir=shared_data, source="full")
    cand = cand[cand["ccode"] != target].reset_index(drop=True)
    cand["target_ccode"], cand["theatre"] = float(target), "middle_east"
    feats = forecast_features(add_participation_features(cand, data_dir=shared_data, lags=(), contact=False,
                                                         source="full"), data_dir=shared_data, half_life=10.0)
    X = feats.set_index("ccode")[terms]
    scored = X.dropna()
    want = pd.Series(expit(sm.add_constant(scored.to_numpy(float)) @ ref.params), index=scored.index)
    want = want.drop(630)  # Iran is excluded by the mission
    assert set(X.index) == _system_members(shared_data, date) - {2, target}
    p = plan_from_inputs(red_sea, n_scenarios=30, sensitivity=False, time_limit=2.0, n_eval=200)
    got = p.candidates.set_index("ccode")["p_join"]
    assert set(got.index) == set(want.index) == _system_members(shared_data, date) - {2, target, 630} \
        - set(X.index[X.isna().any(axis=1)])
    for ccode in (200, 220, 694, 710):  # the United Kingdom, France, Qatar, China by name
        assert got.loc[ccode] == pytest.approx(want.loc[ccode], rel=1e-6)
    np.testing.assert_allclose(got.loc[want.index].to_numpy(), want.to_numpy(), rtol=1e-6)


def test_p_join_follows_its_candidate_when_the_rows_are_shuffled(red_sea):
    """Property: a candidate's p_join is the prediction for ITS row of features, whatever the order of the
    planner's input rows (a p_join attached by position to another ordering of the candidates, e.g. one
    sorted by ccode, would not follow the shuffle). The model's predictions are checked against statsmodels
    in the test above."""
    from dataclasses import replace

    feats = red_sea.features
    order = np.random.default_rng(7).permutation(len(feats))
    assert not np.array_equal(order, np.arange(len(feats)))
    shuffled = replace(red_sea, features=feats.iloc[order].reset_index(drop=True))
    p = plan_from_inputs(shuffled, n_scenarios=30, sensitivity=False, time_limit=2.0, n_eval=100)
    got = p.candidates.set_index("ccode")
    own = pd.DataFrame({"country": feats["country"].to_numpy(), "p_join": np.asarray(red_sea.model.predict(feats))},
                       index=feats["ccode"].to_numpy()).loc[got.index]
    assert (got["country"] == own["country"]).all()
    np.testing.assert_allclose(got["p_join"].to_numpy(), own["p_join"].to_numpy(), rtol=1e-12)


def test_plan_meets_the_requirements_in_sample(red_sea):
    p = plan_from_inputs(red_sea, n_scenarios=60, seed=1, sensitivity=False, time_limit=5.0, n_eval=500)
    c = p.candidates
    assert list(c.columns[:6]) == ["ccode", "country", "p_join", "price", "offer", "in_plan"]
    assert p.infeasible is None
    planned = c[c["in_plan"]]
    assert 200 in set(planned["ccode"])  # the United Kingdom is required
    assert p.expected["p_meets_in_sample"] >= 0.8
    assert p.expected["n_asked"] == len(planned)
    assert 0 <= p.expected["shortfall_risk"] <= 1
    assert p.expected["size"] <= len(planned)
    # offers carried only by instruments the mission allows, or none for an unpaid ask
    allowed = set(red_sea.mission.instruments) | {"none (unpaid ask)"}
    assert set(planned["instruments"]) <= allowed
    # the plan's cost is the sum of its expected payments
    assert math.isclose(p.attrs["solver"]["objective"], planned["expected_payment"].sum() + 1e-3 * len(planned),
                        rel_tol=1e-9)


def test_changed_embeddedness_changes_p_join(red_sea):
    from dataclasses import replace

    feats = red_sea.features.copy()
    uk = feats.index[feats["ccode"] == 200][0]
    for col in ("embeddedness", "embeddedness_log1p", "alliances", "treaties_bilateral", "igos"):
        feats.loc[uk, col] = 0.0
    before = red_sea.model.predict(red_sea.features)[uk]
    after = red_sea.model.predict(feats)[uk]
    assert after < before  # embeddedness has a positive coefficient in the forecast model
    # by hand: the log-odds move by the coefficient of each changed term times the term's change (only
    # embeddedness_log1p of the zeroed columns is a term of the forecast formula)
    params = red_sea.model.params
    changed = [c for c in ("embeddedness", "embeddedness_log1p", "alliances", "treaties_bilateral", "igos")
               if c in params.index]
    assert changed == ["embeddedness_log1p"]
    shift = sum(params[c] * (0.0 - red_sea.features.loc[uk, c]) for c in changed)
    assert np.log(after / (1 - after)) == pytest.approx(np.log(before / (1 - before)) + shift, abs=1e-9)
    p = plan_from_inputs(replace(red_sea, features=feats), n_scenarios=30, sensitivity=False, time_limit=2.0, n_eval=100)
    assert p.candidates.set_index("ccode").loc[200, "p_join"] == pytest.approx(after)


def test_infeasible_mission_says_which_requirement(red_sea):
    from dataclasses import replace

    spec = red_sea.mission.model_dump()
    spec["requirements"]["capabilities"] = {"air_refuelling": 40}
    m = mission_from_dict(spec)
    p = plan_from_inputs(replace(red_sea, mission=m), n_scenarios=20, sensitivity=False, time_limit=2.0, n_eval=50)
    assert p.infeasible is not None
    item = p.infeasible[0]
    assert item["requirement"] == "requirements.capabilities.air_refuelling"
    assert item["needed"] == 40 and item["available"] == 15 and item["short_by"] == 25  # top 15 spenders
    assert not p.candidates["in_plan"].any()


def test_cli_csv_columns_and_warm_cache(red_sea, shared_data):
    from typer.testing import CliRunner

    from coalitionlab.cli.main import app

    res = CliRunner().invoke(app, ["plan", str(MISSIONS / "red_sea_2024.toml"), "--format", "csv",
                                   "--data-dir", str(shared_data), "--scenarios", "20"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0].startswith("ccode,country,p_join,price,offer,in_plan")
    again = build_inputs(red_sea.mission, data_dir=shared_data)
    assert again.attrs["cached"] == {"model": True, "features": True}


def test_cli_bad_mission_is_one_line(tmp_path):
    from typer.testing import CliRunner

    from coalitionlab.cli.main import app

    bad = tmp_path / "m.toml"
    bad.write_text('name = "x"\nlead = "USA"\ndate = "2014-08-08"\ntarget = "Iraq"\n[requirements]\npersonnel = -3\n')
    res = CliRunner().invoke(app, ["plan", str(bad)])
    assert res.exit_code == 1
    assert "mission.requirements.personnel: must be a positive whole number, got -3" in res.output


def test_plan_on_the_seed():
    """No data location given (the test session's user data directory is empty): the seed plan."""
    m = mission_from_dict({"name": "seed", "lead": "USA", "date": "2003-03-20", "target": "middle_east",
                           "requirements": {"min_flags": 2}})
    inputs = build_inputs(m)
    assert inputs.attrs["is_seed"]
    p = plan_from_inputs(inputs, n_scenarios=20, sensitivity=False, time_limit=2.0, n_eval=100)
    assert p.infeasible is None and p.expected["p_meets_in_sample"] >= 0.8


def test_plan_holds_its_probability_out_of_sample(shared_data):
    """The expected coalition is measured on fresh scenarios the plan never saw (neither the planning
    nor the tuning ones): the calibrated plan meets the Sahel mission's 70% there too (3 standard
    errors of slack for 2,000 draws), unless the calibration ran out of rounds."""
    from coalitionlab.planner.plan import CALIBRATION_ROUNDS

    inputs = build_inputs(load_mission(MISSIONS / "sahel_france.toml"), data_dir=shared_data)
    p = plan_from_inputs(inputs, sensitivity=False, time_limit=2.0)
    goal = inputs.mission.probability
    assert p.infeasible is None
    assert p.attrs["in_sample_target"] >= goal
    if p.attrs["calibration_rounds"] < CALIBRATION_ROUNDS:
        assert p.expected["p_meets_requirements"] >= goal - 3 * math.sqrt(goal * (1 - goal) / 2000)
