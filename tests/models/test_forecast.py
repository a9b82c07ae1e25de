"""Forecast features, the target option, the explanation of a forecast and its stale inputs.

Oracles: the raw capitals and contiguity CSVs (read with plain pandas, distances with a haversine
written here), the shipped membership CSVs (read with plain pandas), a published great-circle
distance (London-Baghdad, about 4,090 km), scipy's logit of the predicted probabilities.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import logit
from typer.testing import CliRunner

import coalitionlab.coalitions
from coalitionlab.cli.main import app
from coalitionlab.errors import (CoverageError, EstimationError, MissingValueWarning, PanelTypeError,
                                 StaleDataWarning, UnknownCountryError)
from coalitionlab.models.data import participation_data
from coalitionlab.models.features import (FORECAST_FORMULA, add_model_columns, add_target_features, input_years,
                                          past_joins)
from coalitionlab.models.predict import predict_participation, resolve_target
from coalitionlab.models.validation import CVResult, auc_by_group, cross_validate, select_half_life

CSV_DIR = Path(coalitionlab.coalitions.__file__).parent / "data"
SENDING = {"lead", "combat", "non_combat", "token"}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def decayed_joins_by_hand(ccode: int, lead: int, start: str, half_life: float) -> tuple[float, int]:
    """Sum of 2^(-age/half_life) over ``ccode``'s joins of ``lead``'s coalitions dated before ``start``,
    from the membership CSVs; also the number of joins with that lead dated on or after ``start``
    among coalitions that started before it (the ones that must not count)."""
    coal = pd.concat([pd.read_csv(f) for f in sorted(CSV_DIR.glob("coalitions_*.csv"))], ignore_index=True)
    mem = pd.concat([pd.read_csv(f) for f in sorted(CSV_DIR.glob("memberships_*.csv"))], ignore_index=True)
    m = mem.merge(coal[["coalition_id", "start_date", "end_date", "lead_ccode"]], on="coalition_id")
    m = m[(m["ccode"] == ccode) & (m["lead_ccode"] == lead) & m["role"].isin(SENDING)]
    join = pd.to_datetime(m["join_date"]).fillna(pd.to_datetime(m["start_date"]))
    end = pd.to_datetime(m["end_date"])
    t0 = pd.Timestamp(start)
    ok = (join < t0) & (end.isna() | (join <= end))
    total = sum(2.0 ** (-((t0 - d).days / 365.25) / half_life) for d in join[ok])
    late = int(((join >= t0) & (pd.to_datetime(m["start_date"]) < t0)).sum())
    return total, late


# ---------------------------------------------------------------- offline


def test_resolve_target_state_region_and_unknown() -> None:
    assert resolve_target("Iraq", "2014-08-08") == (645, "middle_east")
    assert resolve_target("IRQ", "2014-08-08") == (645, "middle_east")
    assert resolve_target(645, "2014-08-08") == (645, "middle_east")
    assert resolve_target("Middle East", "2014-08-08") == (None, "middle_east")
    assert resolve_target("africa", "2014-08-08") == (None, "africa")
    with pytest.raises(UnknownCountryError, match="Narnia.*region") as info:
        resolve_target("Narnia", "2014-08-08")
    assert "\n" not in str(info.value)


def test_past_joins_counts_only_earlier_joins_and_decays_by_half_life() -> None:
    rows = pd.DataFrame({"coalition_id": ["x", "y"], "ccode": [200, 200], "lead_ccode": [2, 2],
                         "start_date": pd.to_datetime(["2010-01-01", "2010-01-01"]),
                         "target": [645.0, np.nan], "theatre": ["middle_east", None]})
    hist = pd.DataFrame({
        "ccode": [200, 200, 200, 200, 220],
        "join_date": pd.to_datetime(["1999-12-31", "2005-01-01", "2010-01-01", "2012-05-01", "2005-01-01"]),
        "h_coalition": ["a", "b", "c", "d", "b"], "h_lead": [2, 2, 2, 2, 2],
        "h_target": [645.0, 700.0, 645.0, 645.0, 700.0], "h_theatre": ["middle_east", "asia", "middle_east",
                                                                        "middle_east", "asia"]})
    out = past_joins(rows, hist, half_life=5)
    # joins dated 1999-12-31 and 2005-01-01 count; the one on the start day and the later one do not
    ages = [(pd.Timestamp("2010-01-01") - pd.Timestamp(d)).days / 365.25 for d in ("1999-12-31", "2005-01-01")]
    expected = sum(0.5 ** (a / 5) for a in ages)
    assert out["past_joins_lead_decayed"].tolist() == pytest.approx([expected, expected], rel=1e-12)
    assert out["past_joins_lead"].tolist() == [2, 2]
    assert out["past_joins_target"].iloc[0] == 1 and np.isnan(out["past_joins_target"].iloc[1])
    assert out["past_joins_theatre"].iloc[0] == 1 and np.isnan(out["past_joins_theatre"].iloc[1])
    with pytest.raises(EstimationError, match="half_life"):
        past_joins(rows, hist, half_life=0)


def test_model_columns_fill_only_the_missing_target() -> None:
    rows = pd.DataFrame({"no_target": [0.0, 1.0, 0.0, 0.0], "distance_target_log": [7.0, np.nan, np.nan, 6.0],
                         "contiguous_target": [0.0, np.nan, 1.0, 0.0], "past_joins_target": [2.0, np.nan, 0.0, 0.0],
                         "same_region": [1.0, 0.0, 1.0, 0.0], "joint_exercises_lead": [3.0, np.nan, 0.0, np.nan],
                         # row 1: window before MME; row 3: a state that did not exist in the window
                         "no_exercise_data": [0.0, 1.0, 0.0, np.nan],
                         "past_joins_lead_decayed": [1.0, 0.0, 0.0, 0.0]})
    out = add_model_columns(rows)
    assert out["distance_target_log_or0"].iloc[1] == 0  # target-less: 0, flagged by no_target
    assert np.isnan(out["distance_target_log_or0"].iloc[2])  # missing for another reason: stays NaN
    assert out["same_region_or0"].tolist() == [1.0, 0.0, 1.0, 0.0]  # a known theatre is kept for target-less rows
    assert out["past_joins_target_log1p_or0"].tolist() == pytest.approx([math.log(3), 0.0, 0.0, 0.0])
    ex = out["joint_exercises_lead_log1p_or0"].to_numpy()
    assert ex[:3].tolist() == pytest.approx([math.log(4), 0.0, 0.0]) and np.isnan(ex[3])  # never 0 for a non-state
    assert np.isnan(out["no_exercise_data"].iloc[3])
    with pytest.raises(PanelTypeError, match="add_target_features"):
        add_model_columns(rows.drop(columns=["no_target"]))
    with pytest.raises(PanelTypeError, match="no_exercise_data"):
        add_model_columns(rows.drop(columns=["no_exercise_data"]))


def test_contributions_are_nan_for_a_row_with_an_incomplete_input() -> None:
    """A row with a NaN input (a plain column, or a category formulaic would encode as the base level)
    gets no explanation: every c_* NaN. Oracle for the complete rows: statsmodels' logit and the
    definition c_k = beta_k (x_k - mean of x_k over the complete rows)."""
    import statsmodels.api as sm

    from coalitionlab.models import fit_participation
    from coalitionlab.models.predict import contributions

    rng = np.random.default_rng(7)
    n = 500
    train = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n), "g": rng.choice(["a", "b"], n)})
    train["joined"] = (rng.random(n) < 1 / (1 + np.exp(-(train["x1"] - 0.5 * train["x2"])))).astype(int)
    fit = fit_participation("joined ~ x1 + x2 + C(g)", train)
    feats = train.head(8).copy()
    feats.loc[feats.index[1], "x1"] = np.nan
    feats.loc[feats.index[2], "g"] = None  # formulaic would give it the dummies of level "a"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # formulaic's warning about the unseen category
        out = contributions(fit, feats)
    terms = [c for c in out.columns if c.startswith("c_")]
    assert terms == ["c_x1", "c_x2", "c_C(g)[T.b]"]
    assert out.iloc[[1, 2]][terms + ["index", "index_mean"]].isna().all().all()
    X = sm.add_constant(np.column_stack([train["x1"], train["x2"], (train["g"] == "b").astype(float)]))
    beta = sm.Logit(train["joined"].to_numpy(), X).fit(disp=0).params
    ok = feats.drop(index=feats.index[[1, 2]])
    xb = np.column_stack([ok["x1"], ok["x2"], (ok["g"] == "b").astype(float)])
    expected = beta[1:] * (xb - xb.mean(axis=0))
    np.testing.assert_allclose(out.loc[ok.index, terms].to_numpy(), expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(out.loc[ok.index, "index"], beta[0] + xb @ beta[1:], rtol=1e-5)


def _late_join_panel() -> pd.DataFrame:
    """Twelve coalitions, 1990-2001, forty candidates; one state (coalition c05, ccode 7) joined only
    in 2006. ``f1`` and ``f2`` are one feature under two half-lives and differ only on that row: low
    under half-life 1, high under half-life 2."""
    rng = np.random.default_rng(3)
    n_c, n_s = 12, 40
    df = pd.DataFrame({"coalition_id": np.repeat([f"c{i:02d}" for i in range(n_c)], n_s),
                       "ccode": np.tile(np.arange(n_s), n_c),
                       "start_date": pd.to_datetime(np.repeat([f"{1990 + i}-06-01" for i in range(n_c)], n_s))})
    x = rng.normal(size=len(df))
    df["joined"] = (rng.random(len(df)) < 1 / (1 + np.exp(-(-1.5 + x)))).astype(int)
    df["join_date"] = df["start_date"].where(df["joined"] == 1)
    late = df.index[(df["coalition_id"] == "c05") & (df["ccode"] == 7)][0]
    df.loc[late, ["joined", "join_date"]] = [1, pd.Timestamp("2006-01-01")]
    df["f1"], df["f2"] = x, x
    df.loc[late, "f1"], df.loc[late, "f2"] = -4.0, 4.0
    return df


def test_select_half_life_never_sees_a_label_dated_after_the_cut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    import coalitionlab.models.features as features

    def fake_features(panel: pd.DataFrame, *, data_dir=None, half_life: float) -> pd.DataFrame:
        return panel.assign(feature=panel["f1" if half_life == 1.0 else "f2"])

    monkeypatch.setattr(features, "forecast_features", fake_features)
    df = _late_join_panel()
    # the construction works: with the 2006 join counted as a join, half-life 2 would clearly win
    uncut = [cross_validate(df.assign(feature=df[f]), formula="joined ~ feature").auc for f in ("f1", "f2")]
    assert uncut[1] > uncut[0] + 0.005
    table = select_half_life(df, grid=(1.0, 2.0), before=2005, formula="joined ~ feature")
    assert table.attrs["labels_as_of"] == "2004-12-31" and table.attrs["late_joins_relabelled"] == 1
    assert table.loc[table["chosen"], "half_life"].tolist() == [1.0]
    # the oracle: the same panel with the late join removed by hand gives the very same table
    by_hand = df.copy()
    by_hand.loc[by_hand["join_date"] > pd.Timestamp("2004-12-31"), ["joined", "join_date"]] = [0, pd.NaT]
    again = select_half_life(by_hand, grid=(1.0, 2.0), before=2005, formula="joined ~ feature")
    pd.testing.assert_frame_equal(table, again, check_exact=True)


def test_cross_validate_drops_a_term_constant_in_the_training_fold_only() -> None:
    """``flag`` varies in the panel but is constant (0) before 2001; the fold's model leaves it out.
    Oracle: statsmodels' logit on the training rows, AUC by counting pairs."""
    import statsmodels.api as sm

    df = _late_join_panel().drop(columns=["join_date"])
    df["x"] = df["f1"]
    df["flag"] = (df["coalition_id"] == "c11").astype(float)
    with pytest.raises(EstimationError, match="flag"):
        cross_validate(df, formula="joined ~ x + flag", scheme="temporal", split_year=2001)
    res = cross_validate(df, formula="joined ~ x + flag", scheme="temporal", split_year=2001, drop_constant=True)
    assert res.dropped_terms == ["flag"] and res.summary()["dropped_terms"] == "flag"
    assert res.folds["dropped_terms"].tolist() == ["flag"]
    year = df["start_date"].dt.year
    train, test = df[year < 2001], df[year >= 2001]
    beta = sm.Logit(train["joined"].to_numpy(), sm.add_constant(train[["x"]].to_numpy())).fit(disp=0).params
    score = beta[0] + beta[1] * test["x"].to_numpy()
    y = test["joined"].to_numpy()
    pos, neg = score[y == 1], score[y == 0]
    auc = ((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (len(pos) * len(neg))
    assert res.auc == pytest.approx(auc, abs=1e-12)
    # leave-one-coalition-out: only the fold that holds out c11 trains on a constant flag
    loco = cross_validate(df, formula="joined ~ x + flag", drop_constant=True)
    assert loco.folds.set_index("fold")["dropped_terms"].to_dict() == {f"c{i:02d}": ("flag" if i == 11 else "")
                                                                       for i in range(12)}


def test_auc_by_group_against_sklearn_free_count() -> None:
    pred = pd.DataFrame({"coalition_id": ["a", "a", "a", "b", "b", "b"], "joined": [1, 0, 0, 1, 0, 1],
                         "p_join": [0.9, 0.2, 0.4, 0.3, 0.6, 0.8], "fold": "x", "ccode": range(6)})
    res = CVResult(scheme="x", auc=0.5, brier=0.1, folds=pd.DataFrame(), calibration=pd.DataFrame(),
                   predictions=pred)
    panel = pd.DataFrame({"coalition_id": ["a", "b"], "lead_ccode": [2, 200]})
    out = auc_by_group(res, panel).set_index("lead_ccode")
    # AUC by counting pairs: a: 1 joiner above both non-joiners -> 1; b: (0.3 vs 0.6) loses, (0.8 vs 0.6) wins -> 0.5
    assert out.loc[2, "auc"] == 1.0 and out.loc[200, "auc"] == 0.5
    assert out["n_coalitions"].tolist() == [1, 1]


# ---------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def panel(shared_data: Path) -> pd.DataFrame:
    return participation_data(data_dir=shared_data, lags=(), contact=False, source="full")


@pytest.fixture(scope="module")
def featured(panel: pd.DataFrame, shared_data: Path) -> pd.DataFrame:
    return add_target_features(panel, data_dir=shared_data)


def test_distance_and_contiguity_to_the_target_from_the_raw_files(featured: pd.DataFrame, shared_data: Path) -> None:
    caps = pd.read_csv(shared_data / "peacesciencer" / "cow_capitals.csv").set_index("ccode")
    km = haversine_km(caps.loc[200, "lat"], caps.loc[200, "lng"], caps.loc[645, "lat"], caps.loc[645, "lng"])
    assert km == pytest.approx(4090, abs=25)  # London-Baghdad, published great-circle distance
    row = featured[(featured["coalition_id"] == "iraq_2003") & (featured["ccode"] == 200)].iloc[0]
    assert row["target_ccode"] == 645 and row["theatre"] == "middle_east"
    assert row["distance_target_log"] == pytest.approx(math.log1p(km), rel=1e-9)
    assert row["same_region"] == 0 and row["contiguous_target"] == 0 and row["no_target"] == 0
    cont = pd.read_csv(shared_data / "peacesciencer" / "cow_contdir.csv")
    spell = cont[(cont["ccode1"] == 645) & cont["conttype"].between(1, 5)
                 & (pd.to_datetime(cont["stdate"]).dt.year <= 2002) & (pd.to_datetime(cont["enddate"]).dt.year >= 2002)]
    neighbours = set(spell["ccode2"])
    assert {640, 670, 690} <= neighbours  # Turkey, Saudi Arabia, Kuwait
    rows = featured[featured["coalition_id"] == "iraq_2003"].set_index("ccode")
    got = set(rows.index[rows["contiguous_target"] == 1])
    assert got == neighbours & set(rows.index)
    assert rows.loc[640, "same_region"] == 1 and rows.loc[200, "same_region"] == 0


def test_past_joins_lead_decayed_by_hand_with_a_late_join_left_out(featured: pd.DataFrame) -> None:
    # Oman (698) joined CTF-150 (US-led, started 2002) only in 2024: not part of its record in 2023
    expected, late = decayed_joins_by_hand(698, 2, "2023-12-18", half_life=10)
    assert late >= 1
    row = featured[(featured["coalition_id"] == "prosperity_guardian_2023") & (featured["ccode"] == 698)].iloc[0]
    assert row["past_joins_lead_decayed"] == pytest.approx(expected, rel=1e-12)
    # the United Kingdom's long record with the United States, at the start of Iraq 2003
    expected_uk, _ = decayed_joins_by_hand(200, 2, "2003-03-20", half_life=10)
    row = featured[(featured["coalition_id"] == "iraq_2003") & (featured["ccode"] == 200)].iloc[0]
    assert expected_uk > 3 and row["past_joins_lead_decayed"] == pytest.approx(expected_uk, rel=1e-12)


def test_target_less_coalitions_have_no_fake_distance(featured: pd.DataFrame) -> None:
    ctf = featured[featured["coalition_id"] == "ctf150_2002"]
    assert (ctf["no_target"] == 1).all()
    assert ctf[["distance_target_log", "contiguous_target", "past_joins_target"]].isna().all().all()
    model = add_model_columns(ctf)
    assert (model["distance_target_log_or0"] == 0).all()


def test_the_panel_s_own_theatre_wins(panel: pd.DataFrame, shared_data: Path) -> None:
    rows = panel[panel["coalition_id"] == "ctf150_2002"].assign(theatre="middle_east")
    out = add_target_features(rows, data_dir=shared_data).set_index("ccode")
    assert out.loc[698, "same_region"] == 1 and out.loc[200, "same_region"] == 0  # Oman, the UK
    assert out["no_target"].eq(1).all()


def test_exercises_window_and_staleness(featured: pd.DataFrame) -> None:
    early = featured[featured["coalition_id"] == "korea_1950"]
    assert early["joint_exercises_lead"].isna().all()  # before MME: never carried back
    late = featured[featured["coalition_id"] == "inherent_resolve_2014"]
    known = late.dropna(subset=["joint_exercises_lead"])  # South Sudan (2011) has no year of the 2006-10 window
    assert len(known) > 0.95 * len(late) and late.loc[late["joint_exercises_lead"].isna(), "ccode"].tolist() == [626]
    assert (known["joint_exercises_lead_year"] == 2010).all() and known["joint_exercises_lead_stale"].all()
    mid = featured[featured["coalition_id"] == "iraq_2003"]
    assert (mid["joint_exercises_lead_year"] == 2002).all() and not mid["joint_exercises_lead_stale"].any()


def test_no_exercise_data_only_outside_mme_and_nan_for_a_state_that_did_not_exist(
        featured: pd.DataFrame, shared_data: Path) -> None:
    """1 only where the 5-year window lies before MME (1980); NaN, never 0 or 1, where the candidate
    or the lead was no system member in any year of the window. Oracle: the COW state list, read here."""
    states = pd.read_csv(shared_data / "cow_states" / "statelist2024.csv")

    def member(ccode: int, year: int) -> bool:
        s = states[states["ccode"] == ccode]
        return bool(((s["styear"] <= year) & (s["endyear"] >= year)).any())

    flag = featured["no_exercise_data"]
    assert set(flag.dropna().unique()) <= {0.0, 1.0}
    early = featured[featured["year"] - 1 < 1980]
    existed = np.array([any(member(int(lead), y) and member(int(c), y) for y in range(int(t) - 5, int(t)))
                        for lead, c, t in zip(early["lead_ccode"], early["ccode"], early["year"])])
    assert (~existed).sum() > 5  # e.g. states independent in 1960, at ONUC's start
    assert (early.loc[existed, "no_exercise_data"] == 1).all()
    assert early.loc[~existed, "no_exercise_data"].isna().all()
    onuc = featured[featured["coalition_id"] == "onuc_1960"].set_index("ccode")
    assert np.isnan(onuc.loc[471, "no_exercise_data"])  # Cameroon, independent 1 January 1960
    assert onuc.loc[200, "no_exercise_data"] == 1  # the United Kingdom
    later = featured[featured["year"] - 1 >= 1980]
    assert (later["no_exercise_data"] != 1).all()
    assert (later["no_exercise_data"].isna() == later["joint_exercises_lead"].isna()).all()
    # South Sudan (2011) in 2014: MME's last window, 2006-10, predates it: NaN, and so is the model column
    model = add_model_columns(featured[featured["coalition_id"] == "inherent_resolve_2014"]).set_index("ccode")
    assert np.isnan(model.loc[626, "no_exercise_data"]) and np.isnan(model.loc[626, "joint_exercises_lead_log1p_or0"])
    assert model.drop(index=626)["joint_exercises_lead_log1p_or0"].notna().all()


def test_predict_with_a_state_target(panel: pd.DataFrame, shared_data: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValueWarning)
        with pytest.warns(StaleDataWarning, match="military_exercises 2010"):
            out = predict_participation("USA", "2014-08-08", train_until=2013, data_dir=shared_data, panel=panel,
                                        target="Iraq", explain=True)
    assert 645 not in set(out["ccode"]) and 2 not in set(out["ccode"])  # neither target nor lead is a candidate
    assert out.attrs["formula"] == FORECAST_FORMULA and out.attrs["target"] == {"ccode": 645, "theatre": "middle_east"}
    # explain: the average candidate's logit plus the contributions is each state's logit ...
    scored = out.dropna(subset=["p_join"])
    terms = [c for c in out.columns if c.startswith("c_")]
    assert len(terms) == len(out.attrs["coefficients"]) - 1  # every term but the intercept
    np.testing.assert_allclose(scored["logit_mean"] + scored[terms].sum(axis=1), scored["logit"], atol=1e-10)
    # ... and that logit is the one behind p_join; contributions average 0 over the candidates
    np.testing.assert_allclose(scored["logit"], logit(scored["p_join"]), atol=1e-8)
    np.testing.assert_allclose(scored[terms].mean(), 0, atol=1e-10)
    beta = out.attrs["coefficients"]["distance_target_log_or0"]["estimate"]
    x = scored["distance_target_log_or0"]
    np.testing.assert_allclose(scored["c_distance_target_log_or0"], beta * (x - x.mean()), atol=1e-12)
    assert beta < 0  # nearer the target, likelier to join
    # South Sudan: no exercise window before it existed, so no forecast and no explanation (never from a 0)
    ssd = out.set_index("ccode").loc[626]
    assert np.isnan(ssd["p_join"]) and ssd[terms + ["logit", "logit_mean"]].isna().all()
    assert "joint_exercises_lead_log1p_or0" in ssd["missing"]
    # the candidates' features come from the same function as the training panel's
    iraq = add_target_features(panel[panel["coalition_id"] == "inherent_resolve_2014"],
                               data_dir=shared_data).set_index("ccode")
    turkey = out.set_index("ccode").loc[640]
    assert turkey["distance_target_log_or0"] == pytest.approx(iraq.loc[640, "distance_target_log"], rel=1e-12)
    years = pd.DataFrame(out.attrs["input_years"]).set_index("input")
    assert years.loc["contiguous_target_or0", "data_year"] == 2013 and not years.loc["contiguous_target_or0", "stale"]
    assert "joint_exercises_lead_log1p_or0 (military_exercises 2010)" in out.attrs["stale_inputs"]


def test_region_target_keeps_every_state(panel: pd.DataFrame, shared_data: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        region = predict_participation("USA", "2014-08-08", train_until=2013, data_dir=shared_data, panel=panel,
                                       target="middle_east")
        state = predict_participation("USA", "2014-08-08", train_until=2013, data_dir=shared_data, panel=panel,
                                      target="IRQ")
    assert region.attrs["target"] == {"ccode": None, "theatre": "middle_east"}
    assert 645 in set(region["ccode"]) and 645 not in set(state["ccode"])
    r = region.set_index("ccode")
    assert (r["no_target"] == 1).all() and (r["distance_target_log_or0"] == 0).all()
    assert r.loc[640, "same_region_or0"] == 1 and r.loc[200, "same_region_or0"] == 0


def test_early_forecast_leaves_out_the_constant_terms(panel: pd.DataFrame, shared_data: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = predict_participation("USA", "1980-06-01", train_until=1979, data_dir=shared_data, panel=panel,
                                    target="Iran")
    # no target-less coalition and no exercise data before 1980: both indicators are constant in training
    assert out.attrs["dropped_terms"] == ["joint_exercises_lead_log1p_or0", "no_exercise_data", "no_target"]
    assert "no_target" not in out.attrs["coefficients"] and out["p_join"].notna().sum() > 100


def test_target_errors(panel: pd.DataFrame, shared_data: Path) -> None:
    with pytest.raises(UnknownCountryError, match="Narnia"):
        predict_participation("USA", "2014-08-08", train_until=2013, data_dir=shared_data, panel=panel, target="Narnia")
    with pytest.raises(EstimationError, match="is the lead"):
        predict_participation("USA", "2014-08-08", train_until=2013, data_dir=shared_data, panel=panel, target="USA")
    with pytest.raises(CoverageError, match="not a state-system member"):
        predict_participation("USA", "2014-08-08", train_until=2013, data_dir=shared_data, panel=panel,
                              target="South Vietnam")


def test_cli_target_json_and_errors(shared_data: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["predict", "--lead", "USA", "--date", "2014-08-08", "--train-until", "2013",
                              "--target", "Iraq", "--top", "5", "--data-dir", str(shared_data), "--format", "json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["target"] == {"ccode": 645, "theatre": "middle_east"}
    assert doc["training"]["train_until"] == 2013 and doc["training"]["labels_as_of"] == "2013-12-31"
    assert doc["training"]["n_coalitions"] > 50 and doc["training"]["n_rows"] > 5000
    assert {c["term"] for c in doc["coefficients"]} >= {"Intercept", "distance_target_log_or0", "no_target"}
    assert len(doc["forecast"]) == 5
    first = doc["forecast"][0]
    contrib = sum(v for k, v in first.items() if k.startswith("c_"))
    assert first["logit_mean"] + contrib == pytest.approx(first["logit"], abs=1e-9)
    assert any(s.startswith("joint_exercises") for s in doc["stale_inputs"])
    bad = runner.invoke(app, ["predict", "--lead", "USA", "--date", "2014-08-08", "--train-until", "2013",
                              "--target", "Narnia", "--data-dir", str(shared_data)])
    assert bad.exit_code == 1 and bad.stdout == ""
    err = [ln for ln in bad.stderr.strip().splitlines() if not ln.startswith("warning: ")]
    assert len(err) == 1 and err[0].startswith("error:") and "Narnia" in err[0], bad.stderr


def test_cli_table_prints_coefficients_training_and_stale_inputs(shared_data: Path) -> None:
    out = CliRunner().invoke(app, ["predict", "--lead", "USA", "--date", "2014-08-08", "--train-until", "2013",
                                   "--target", "middle_east", "--explain", "--top", "3", "--data-dir", str(shared_data)],
                             env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    text = out.stdout
    assert "training sample:" in text and "labels as of 2013-12-31" in text
    assert "distance_target_log_or0" in text and "logit_mean" in text
    assert "stale inputs for 2014-08-08" in text


def test_input_years_marks_old_sources_stale(shared_data: Path) -> None:
    years = input_years(["contiguous_target_or0", "cinc", "hosts_us_troops", "same_region_or0"], "2022-06-01",
                        data_dir=shared_data).set_index("input")
    assert years.loc["contiguous_target_or0", "data_year"] == 2016 and years.loc["contiguous_target_or0", "stale"]
    assert years.loc["hosts_us_troops", "data_year"] == 2021 and not years.loc["hosts_us_troops", "stale"]
    assert "same_region_or0" not in years.index  # needs no data


def test_forecast_cv_beats_the_target_blind_default_and_the_temporal_split_is_clean(
        panel: pd.DataFrame, shared_data: Path) -> None:
    from coalitionlab.models.data import DEFAULT_FORMULA
    from coalitionlab.models.features import forecast_features

    us = forecast_features(panel[panel["lead_ccode"] == 2], data_dir=shared_data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValueWarning)
        new = cross_validate(us, formula=FORECAST_FORMULA, scheme="temporal", split_year=2005)
        old = cross_validate(us, formula=DEFAULT_FORMULA, scheme="temporal", split_year=2005)
    assert new.auc > old.auc + 0.03
    assert new.late_joins_relabelled == old.late_joins_relabelled > 0


def test_select_half_life_uses_only_the_early_coalitions(panel: pd.DataFrame, shared_data: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValueWarning)
        table = select_half_life(panel, data_dir=shared_data, grid=(2.0, 1000.0), before=2000)
        poisoned = panel.copy()
        late = pd.to_datetime(poisoned["start_date"]).dt.year >= 2000
        poisoned.loc[late, "joined"] = 1 - poisoned.loc[late, "joined"]  # the later coalitions cannot matter
        again = select_half_life(poisoned, data_dir=shared_data, grid=(2.0, 1000.0), before=2000)
    assert table["chosen"].sum() == 1 and table.attrs["before"] == 2000
    np.testing.assert_allclose(table["inner_auc"], again["inner_auc"], rtol=0, atol=0)
