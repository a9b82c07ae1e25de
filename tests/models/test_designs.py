"""The designs added to the robustness battery for the critique ("cooperators keep cooperating";
"personal ties, not the count of ties"), each on simulated data where the truth is known, and the
whole battery on the real panel."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from coalitionlab.errors import EstimationError, MissingValueWarning
from coalitionlab.models.robustness import DESIGNS, HENKE_CONTROLS, robustness


def _expit(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _frame(n_coal: int, n_state: int, *, leads: np.ndarray | None = None, first_year: int = 1980) -> pd.DataFrame:
    """Coalition x state rows, one coalition a year from ``first_year``, all led by ccode 2 unless ``leads``."""
    leads = np.full(n_coal, 2) if leads is None else leads
    years = first_year + np.arange(n_coal)
    return pd.DataFrame({
        "coalition_id": np.repeat([f"c{i:02d}" for i in range(n_coal)], n_state),
        "ccode": np.tile(np.arange(100, 100 + n_state), n_coal),
        "lead_ccode": np.repeat(leads, n_state),
        "start_date": pd.to_datetime(np.repeat([f"{y}-03-01" for y in years], n_state)),
        "year": np.repeat(years, n_state),
    })


@pytest.fixture(scope="module")
def state_driven() -> pd.DataFrame:
    """Joining depends only on a persistent state trait; embeddedness is that trait plus noise over time."""
    rng = np.random.default_rng(11)
    df = _frame(40, 60)
    trait = rng.normal(0, 1.2, 60)[df["ccode"] - 100]
    df["embeddedness_log1p"] = 2 + trait + rng.normal(0, 0.5, len(df))
    df["cinc"] = rng.exponential(0.01, len(df))
    df["joined"] = (rng.random(len(df)) < _expit(-2 + 1.5 * trait)).astype(int)
    return df


@pytest.fixture(scope="module")
def within_effect() -> pd.DataFrame:
    """Joining depends on a state's trait and on its embeddedness, which moves over time (truth: 1.0)."""
    rng = np.random.default_rng(12)
    df = _frame(40, 60)
    trait = rng.normal(0, 1, 60)[df["ccode"] - 100]
    df["embeddedness_log1p"] = 2 + trait + rng.normal(0, 1.0, len(df))
    df["cinc"] = rng.exponential(0.01, len(df))
    df["joined"] = (rng.random(len(df)) < _expit(-3 + trait + 1.0 * df["embeddedness_log1p"])).astype(int)
    return df


def _table(panel: pd.DataFrame, designs: list[str], **kw) -> pd.DataFrame:
    return robustness(panel, controls=kw.pop("controls", ("cinc",)), designs=designs, **kw).table.set_index("design")


def _clustered(fit_rows: pd.DataFrame, X: np.ndarray):
    """statsmodels' logit of ``joined`` on ``X`` (with an intercept), SEs clustered by coalition."""
    return sm.Logit(fit_rows["joined"].to_numpy(float), sm.add_constant(X)).fit(
        disp=0, maxiter=200, cov_type="cluster", cov_kwds={"groups": pd.factorize(fit_rows["coalition_id"])[0]})


def _state_fe_reference(panel: pd.DataFrame):
    """statsmodels' logit with a dummy per state, on the states whose outcome varies, clustered by coalition."""
    share = panel.groupby("ccode")["joined"].transform("mean")
    rows = panel[(share > 0) & (share < 1)]
    X = pd.get_dummies(rows["ccode"], prefix="s", drop_first=True, dtype=float)
    X.insert(0, "cinc", rows["cinc"])
    X.insert(0, "emb", rows["embeddedness_log1p"])
    return _clustered(rows, X.to_numpy(float))


def _check_row(row: pd.Series, ref, k: int = 1) -> None:
    """A table row's estimate, SE, p-value and 95% interval against statsmodels' coefficient ``k``."""
    assert (row["estimate"], row["std_error"], row["p_value"]) == pytest.approx(
        (ref.params[k], ref.bse[k], ref.pvalues[k]), rel=1e-6)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(tuple(ref.conf_int()[k]), rel=1e-6)


def test_state_effects_remove_a_confounded_effect(state_driven: pd.DataFrame) -> None:
    t = _table(state_driven, ["baseline", "state_fe"])
    # both rows against statsmodels on the same data: the pooled logit, and the logit with state dummies
    _check_row(t.loc["baseline"], _clustered(state_driven, state_driven[["embeddedness_log1p", "cinc"]].to_numpy()))
    _check_row(t.loc["state_fe"], _state_fe_reference(state_driven))
    # the truth: joining depends on a trait constant within each state, so the within-state effect is 0 (the
    # state dummies absorb the trait: the model is correctly specified with a zero slope); the estimate lies
    # within 4 of its standard errors of it, while the pooled logit finds an "effect"
    assert abs(t.loc["state_fe", "estimate"] - 0.0) < 4 * t.loc["state_fe", "std_error"]
    assert t.loc["baseline", "p_value"] < 1e-6 and t.loc["state_fe", "p_value"] > 0.05
    # the states dropped (never / always joined), counted by hand
    share = state_driven.groupby("ccode")["joined"].mean()
    never, always = int((share == 0).sum()), int((share == 1).sum())
    assert never + always > 0
    note = t.loc["state_fe", "note"]
    assert f"{(share.between(0, 1, inclusive='neither')).sum()} state effects" in note
    assert f"{never} states that never joined and {always} that always joined are dropped" in note
    kept = state_driven[state_driven["ccode"].isin(share[share.between(0, 1, inclusive="neither")].index)]
    assert t.loc["state_fe", "n_obs"] == len(kept)


def test_state_effects_recover_a_within_state_effect(within_effect: pd.DataFrame) -> None:
    t = _table(within_effect, ["state_fe"])
    # against statsmodels' logit with the state dummies on the same rows (states that vary), clustered by coalition
    _check_row(t.loc["state_fe"], _state_fe_reference(within_effect))
    # the truth, 1.0, within 4 standard errors (the logit with 40 coalitions per state has an incidental-
    # parameter bias of order 1/40 of the slope, well inside that)
    assert abs(t.loc["state_fe", "estimate"] - 1.0) < 4 * t.loc["state_fe", "std_error"]


def test_state_effects_absorb_controls_that_never_change_within_a_state(within_effect: pd.DataFrame) -> None:
    df = within_effect.assign(region=(within_effect["ccode"] % 7).astype(float))  # constant within a state
    t = _table(df, ["state_fe"], controls=("cinc", "region"))
    assert "absorbed by the state effects: region" in t.loc["state_fe", "note"]
    assert t.loc["state_fe", "controls"] == "cinc"


def _first_differences_by_hand(panel: pd.DataFrame, cols: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Consecutive coalitions of each (lead, state), in start order, differenced with plain loops."""
    ys, xs = [], []
    for _, g in panel.groupby(["lead_ccode", "ccode"]):
        g = g.sort_values(["start_date", "coalition_id"])
        vals = g[["joined", *cols]].to_numpy(float)
        for a, b in zip(vals[:-1], vals[1:]):
            d = b - a
            if not np.isnan(d).any():
                ys.append(d[0])
                xs.append(d[1:])
    return np.array(ys), np.array(xs)


def test_first_difference_matches_a_hand_computation(within_effect: pd.DataFrame, state_driven: pd.DataFrame) -> None:
    t = _table(within_effect, ["first_difference"])
    y, x = _first_differences_by_hand(within_effect, ["embeddedness_log1p", "cinc"])
    beta = np.linalg.lstsq(np.column_stack([np.ones(len(y)), x]), y, rcond=None)[0]
    row = t.loc["first_difference"]
    assert row["estimate"] == pytest.approx(beta[1], rel=1e-9)
    assert row["n_obs"] == len(y) == 39 * 60
    assert row["term"] == "d_embeddedness_log1p" and row["method"] == "lpm"
    assert row["estimate"] > 0 and row["p_value"] < 0.01  # a true within-state effect shows
    # two-way clustered (state, later coalition) standard error against a hand sandwich
    frame = within_effect.sort_values(["ccode", "start_date"])
    later = frame.groupby("ccode").cumcount() > 0
    states = frame.loc[later, "ccode"].to_numpy()
    coals = frame.loc[later, "coalition_id"].to_numpy()
    X = np.column_stack([np.ones(len(y)), x])
    assert row["std_error"] == pytest.approx(np.sqrt(_twoway_ols_cov(X, y - X @ beta, states, coals)[1, 1]), rel=1e-6)
    # no within-state effect: joining depends on a trait constant within each state, so the change in joining
    # is independent of the change in embeddedness and the true slope is 0. The row against the same hand
    # computation (slope and two-way clustered SE), then the truth within 4 of its standard errors
    t0 = _table(state_driven, ["first_difference"]).loc["first_difference"]
    y0, x0 = _first_differences_by_hand(state_driven, ["embeddedness_log1p", "cinc"])
    X0 = np.column_stack([np.ones(len(y0)), x0])
    b0 = np.linalg.lstsq(X0, y0, rcond=None)[0]
    frame0 = state_driven.sort_values(["ccode", "start_date"])
    later0 = frame0.groupby("ccode").cumcount() > 0
    se0 = np.sqrt(_twoway_ols_cov(X0, y0 - X0 @ b0, frame0.loc[later0, "ccode"].to_numpy(),
                                  frame0.loc[later0, "coalition_id"].to_numpy())[1, 1])
    assert (t0["estimate"], t0["std_error"]) == pytest.approx((b0[1], se0), rel=1e-6)
    assert abs(t0["estimate"] - 0.0) < 4 * t0["std_error"] and t0["p_value"] > 0.05


def _oneway_meat(S: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, int]:
    meat = np.zeros((S.shape[1], S.shape[1]))
    levels = pd.unique(groups)
    for g in levels:
        s = S[groups == g].sum(axis=0)
        meat += np.outer(s, s)
    return meat, len(levels)


def _twoway(bread: np.ndarray, S: np.ndarray, g1: np.ndarray, g2: np.ndarray) -> np.ndarray:
    """Cameron-Gelbach-Miller: V1 + V2 - V12, each one-way sandwich with G/(G-1) (N-1)/(N-K)."""
    n, k = S.shape
    both = np.array([f"{a}|{b}" for a, b in zip(g1, g2)])
    cov = np.zeros((k, k))
    for groups, sign in ((g1, 1), (g2, 1), (both, -1)):
        meat, G = _oneway_meat(S, groups)
        cov += sign * bread @ meat @ bread * G / (G - 1) * (n - 1) / (n - k)
    return cov


def _twoway_ols_cov(X: np.ndarray, resid: np.ndarray, g1: np.ndarray, g2: np.ndarray) -> np.ndarray:
    return _twoway(np.linalg.inv(X.T @ X), X * resid[:, None], g1, g2)


def test_twoway_clustered_se_against_a_hand_sandwich(within_effect: pd.DataFrame) -> None:
    t = _table(within_effect, ["baseline", "twoway_cluster"])
    row = t.loc["twoway_cluster"]
    assert row["estimate"] == pytest.approx(t.loc["baseline", "estimate"], rel=1e-9)
    X = np.column_stack([np.ones(len(within_effect)), within_effect["embeddedness_log1p"], within_effect["cinc"]])
    y = within_effect["joined"].to_numpy(float)
    fit = sm.Logit(y, X).fit(disp=0)
    p = _expit(X @ fit.params)
    bread = np.linalg.inv((X * (p * (1 - p))[:, None]).T @ X)
    cov = _twoway(bread, X * (y - p)[:, None], within_effect["coalition_id"].to_numpy(),
                  within_effect["ccode"].to_numpy())
    assert row["std_error"] == pytest.approx(np.sqrt(cov[1, 1]), rel=1e-6)
    assert row["std_error"] != pytest.approx(t.loc["baseline", "std_error"], rel=1e-3)
    assert row["n_clusters"] == 40 and "40 coalitions x 60 states" in row["note"]


def test_operation_cluster(within_effect: pd.DataFrame) -> None:
    t = _table(within_effect, ["operation_cluster"])
    assert t.loc["operation_cluster", "note"] == "not run: panel lacks operation"
    num = within_effect["coalition_id"].str[1:].astype(int)
    df = within_effect.assign(operation=np.where(num < 10, "op_a", "op_" + num.astype(str)))  # c00-c09 one operation
    row = _table(df, ["operation_cluster"]).loc["operation_cluster"]
    assert row["n_clusters"] == 31 and row["n_coalitions"] == 40
    assert "31 operations for 40 coalitions (1 operations span several)" in row["note"]
    X = sm.add_constant(df[["embeddedness_log1p", "cinc"]].to_numpy())
    ref = sm.Logit(df["joined"].to_numpy(), X).fit(disp=0)
    p = _expit(X @ ref.params)
    bread = np.linalg.inv((X * (p * (1 - p))[:, None]).T @ X)
    meat, G = _oneway_meat(X * (df["joined"].to_numpy() - p)[:, None], df["operation"].to_numpy())
    n, k = X.shape
    se = np.sqrt((bread @ meat @ bread)[1, 1] * G / (G - 1) * (n - 1) / (n - k))
    assert row["std_error"] == pytest.approx(se, rel=1e-6)


def _placebo_panel(seed: int, *, reverse: bool) -> pd.DataFrame:
    """Coalitions 1980-2019; the +5 measure exists to 2014 (NaN after, as past the sources' end).

    reverse=False: joining depends on embeddedness at onset; the +5 measure is it plus later noise.
    reverse=True: joining depends on a state trait, and joining raises later embeddedness (cooperators
    keep cooperating): the +5 measure predicts better than the one at onset.
    """
    rng = np.random.default_rng(seed)
    df = _frame(40, 60)
    trait = rng.normal(0, 1, 60)[df["ccode"] - 100]
    df["cinc"] = rng.exponential(0.01, len(df))
    if reverse:
        df["embeddedness_log1p"] = 2 + 0.3 * trait + rng.normal(0, 1, len(df))
        df["joined"] = (rng.random(len(df)) < _expit(-2 + 2 * trait)).astype(int)
        after = df["embeddedness_log1p"] + 1.5 * df["joined"] + rng.normal(0, 0.3, len(df))
    else:
        df["embeddedness_log1p"] = 2 + trait + rng.normal(0, 0.5, len(df))
        df["joined"] = (rng.random(len(df)) < _expit(-4 + 1.5 * df["embeddedness_log1p"])).astype(int)
        after = df["embeddedness_log1p"] + rng.normal(0, 1.0, len(df))
    after[df["year"] + 5 > 2014] = np.nan
    after[(df["ccode"] == 101) & (df["year"] >= 1990)] = np.nan  # a state that was gone five years later
    df["embeddedness_lead5_log1p"] = after
    return df


def test_timing_placebo_compares_both_measures_on_the_same_rows() -> None:
    df = _placebo_panel(21, reverse=False)
    row = _table(df, ["timing_placebo"]).loc["timing_placebo"]
    rows = df[(df["year"] <= 2009)].dropna(subset=["embeddedness_lead5_log1p"])
    assert row["n_obs"] == len(rows) == 30 * 60 - 20 and row["n_coalitions"] == 30
    assert row["sample"] == "US-led, 30 coalitions, 1980-2009, onset + 5 <= 2014"
    assert "onset + 5 <= 2014" in row["note"] and "20 rows without a +5 value" in row["note"]
    X = lambda col: sm.add_constant(rows[[col, "cinc"]].to_numpy())  # noqa: E731
    onset = sm.Logit(rows["joined"].to_numpy(), X("embeddedness_log1p")).fit(disp=0).params[1]
    after = sm.Logit(rows["joined"].to_numpy(), X("embeddedness_lead5_log1p")).fit(disp=0).params[1]
    assert row["estimate"] == pytest.approx(after, rel=1e-6)
    assert f"at onset {onset:.3f}" in row["note"] and f"at +5 {after:.3f}" in row["note"]
    assert after < onset  # ties before onset drive joining: the later measure predicts worse
    both = sm.Logit(rows["joined"].to_numpy(), sm.add_constant(
        rows[["embeddedness_lead5_log1p", "cinc", "embeddedness_log1p"]].to_numpy())).fit(disp=0).params
    assert f"both in one model: onset {both[3]:.3f}" in row["note"] and f"+5 {both[1]:.3f}" in row["note"]
    # how far the two measures can be told apart: their correlation on the same rows, and both fits
    r = np.corrcoef(rows["embeddedness_log1p"], rows["embeddedness_lead5_log1p"])[0, 1]
    assert f"correlation of the two measures r = {r:.2f}" in row["note"]
    ll = [sm.Logit(rows["joined"].to_numpy(), X(c)).fit(disp=0).llf for c in ("embeddedness_log1p",
                                                                               "embeddedness_lead5_log1p")]
    assert f"log-likelihood onset {ll[0]:.1f} vs +5 {ll[1]:.1f}" in row["note"]


def test_timing_placebo_flags_cooperators_who_keep_cooperating() -> None:
    df = _placebo_panel(22, reverse=True)
    row = _table(df, ["baseline", "timing_placebo"]).loc["timing_placebo"]
    # both coefficients against statsmodels on the rows the design uses (onset + 5 <= 2014, a +5 value),
    # clustered by coalition; the note's "at onset" figure is the onset fit's
    rows = df[df["year"] <= 2009].dropna(subset=["embeddedness_lead5_log1p"])
    assert row["n_obs"] == len(rows)
    onset = _clustered(rows, rows[["embeddedness_log1p", "cinc"]].to_numpy())
    after = _clustered(rows, rows[["embeddedness_lead5_log1p", "cinc"]].to_numpy())
    _check_row(row, after)
    assert f"at onset {onset.params[1]:.3f} (" in row["note"]
    # the data: joining depends on a trait, and joining adds 1.5 to the later measure; the measure taken
    # after onset predicts far better
    assert after.params[1] > 2 * onset.params[1] > 0


def test_timing_placebo_years_and_missing_column() -> None:
    df = _placebo_panel(21, reverse=False)
    t = _table(df, ["timing_placebo"], placebo_years=3)
    assert t.loc["timing_placebo", "note"].startswith("not run: panel lacks embeddedness_lead3_log1p")
    assert "placebo_years=(3,)" in t.loc["timing_placebo", "note"]
    with pytest.raises(EstimationError, match="placebo_years must be a whole number"):
        _table(df, ["timing_placebo"], placebo_years=0)


def test_sociability_absorbs_an_effect_of_the_partners_own_ties() -> None:
    rng = np.random.default_rng(31)
    df = _frame(30, 60)
    social = rng.normal(0, 1, len(df))
    df["sociability_igos_log1p"] = 3 + social
    df["sociability_treaties_log1p"] = 4 + 0.5 * social + rng.normal(0, 1, len(df))
    df["embeddedness_log1p"] = 2 + 0.8 * social + rng.normal(0, 0.6, len(df))
    df["cinc"] = rng.exponential(0.01, len(df))
    df["joined"] = (rng.random(len(df)) < _expit(-2 + 1.2 * social)).astype(int)
    t = _table(df, ["baseline", "sociability"])
    cols = ["embeddedness_log1p", "cinc", "sociability_igos_log1p", "sociability_treaties_log1p"]
    # both rows against statsmodels, clustered by coalition
    _check_row(t.loc["baseline"], _clustered(df, df[["embeddedness_log1p", "cinc"]].to_numpy(float)))
    _check_row(t.loc["sociability"], _clustered(df, df[cols].to_numpy(float)))
    # the truth: joining is logit(-2 + 1.2 social) and social = sociability_igos_log1p - 3 exactly, so beside
    # the sociability controls the model is correctly specified with a zero slope on embeddedness: within 4
    # of its standard errors of 0, while alone embeddedness (a proxy of sociability) looks like an effect
    assert abs(t.loc["sociability", "estimate"] - 0.0) < 4 * t.loc["sociability", "std_error"]
    assert t.loc["baseline", "p_value"] < 1e-6 and t.loc["sociability", "p_value"] > 0.05
    assert t.loc["sociability", "controls"] == "cinc,sociability_igos_log1p,sociability_treaties_log1p"
    assert "sociability_igos_log1p" in t.loc["sociability", "note"]
    assert _table(df.drop(columns=["sociability_igos_log1p", "sociability_treaties_log1p"]),
                  ["sociability"]).loc["sociability", "note"].startswith("not run: panel lacks sociability_igos")


def test_negative_control_separates_own_lead_ties_from_focal_lead_ties() -> None:
    """On coalitions of other leads, joining depends on ties with their own lead only; ties with the
    focal lead correlate with those. Alone, the focal term looks like an effect; beside the own-lead
    term it does not."""
    rng = np.random.default_rng(41)
    df = _frame(40, 60, leads=np.where(np.arange(40) < 10, 2, 220))
    own = rng.normal(2, 1, len(df))
    df["embeddedness_log1p"] = own
    df["embeddedness_log1p_focal"] = own + rng.normal(0, 0.6, len(df))
    df["cinc"] = rng.exponential(0.01, len(df))
    df["joined"] = (rng.random(len(df)) < _expit(-4 + 1.2 * own)).astype(int)
    t = _table(df, ["negative_control", "negative_control_alone"])
    alone, joint = t.loc["negative_control_alone"], t.loc["negative_control"]
    assert joint["term"] == "embeddedness_log1p_focal" and joint["n_coalitions"] == 30
    other = df[df["lead_ccode"] != 2]
    # both rows against statsmodels' logit on the other leads' coalitions, clustered by coalition
    for row, cols in ((alone, ["embeddedness_log1p_focal", "cinc"]),
                      (joint, ["embeddedness_log1p_focal", "cinc", "embeddedness_log1p"])):
        ref = sm.Logit(other["joined"].to_numpy(float), sm.add_constant(other[cols].to_numpy(float))).fit(
            disp=0, cov_type="cluster", cov_kwds={"groups": pd.factorize(other["coalition_id"])[0]})
        assert (row["estimate"], row["std_error"], row["p_value"]) == pytest.approx(
            (ref.params[1], ref.bse[1], ref.pvalues[1]), rel=1e-6)
    # the truth: beside the own-lead term the model is correctly specified and the focal-lead slope is 0
    # (within 4 of its standard errors); alone, the focal-lead term proxies the own-lead one
    assert abs(joint["estimate"] - 0.0) < 4 * joint["std_error"] and joint["p_value"] > 0.05
    assert alone["estimate"] > 0.4 and alone["p_value"] < 1e-6
    r = np.corrcoef(other["embeddedness_log1p"], other["embeddedness_log1p_focal"])[0, 1]
    assert f"r = {r:.2f}" in joint["note"] and f"r = {r:.2f}" in alone["note"]
    assert joint["controls"] == "cinc,embeddedness_log1p"
    assert joint["sample"] == "led by others than the US, 30 coalitions, 1990-2019"


def test_sample_options_change_the_rows_as_expected(within_effect: pd.DataFrame) -> None:
    df = within_effect.assign(kind=np.where(within_effect["coalition_id"].isin(["c03", "c17"]), "un", "multinational"))
    full = _table(df, ["baseline"]).loc["baseline"]
    assert full["n_obs"] == 40 * 60 and full["n_coalitions"] == 40
    no_un = _table(df, ["baseline"], exclude_un_operations=True).loc["baseline"]
    assert no_un["n_obs"] == 38 * 60 and no_un["n_coalitions"] == 38
    assert no_un["sample"] == "US-led, 38 coalitions, 1980-2019, UN operations excluded (2 coalitions of any lead)"
    early = _table(df, ["baseline"], until=1999).loc["baseline"]
    assert early["n_obs"] == 20 * 60 and early["sample"] == "US-led, 20 coalitions, 1980-1999, to 1999"
    with pytest.raises(EstimationError, match="'kind' column"):
        _table(within_effect, ["baseline"], exclude_un_operations=True)
    with pytest.raises(EstimationError, match=r"no coalitions led by ccode 2 in the panel \(to 1970\)"):
        _table(df, ["baseline"], until=1970)
    with pytest.raises(EstimationError, match="until must be a year"):
        _table(df, ["baseline"], until="2000")


def test_henke_spec_sets_its_controls_and_2010(within_effect: pd.DataFrame) -> None:
    rng = np.random.default_rng(5)
    df = within_effect.assign(**{c: rng.normal(size=len(within_effect)) for c in HENKE_CONTROLS})
    row = robustness(df, spec="henke", designs=["baseline"]).table.iloc[0]
    assert row["controls"] == ",".join(HENKE_CONTROLS) == \
        "atop_defense,un_ideal_distance,polity2,cinc,distance_log,us_troops_log"
    assert row["n_coalitions"] == 31 and row["sample"].endswith("1980-2010, to 2010")  # 1980-2010
    row = robustness(df, spec="henke", until=2019, controls=("cinc",), designs=["baseline"]).table.iloc[0]
    assert row["controls"] == "cinc" and row["n_coalitions"] == 40
    from coalitionlab.errors import UnknownOptionError

    with pytest.raises(UnknownOptionError, match="unknown spec 'henk'"):
        robustness(df, spec="henk", designs=["baseline"])


def test_a_design_that_cannot_be_estimated_says_why(within_effect: pd.DataFrame) -> None:
    """A control that separates the outcome: the state-effects logit cannot be estimated; its row says why
    and the other designs still run."""
    df = within_effect.assign(leak=within_effect["joined"].astype(float))
    t = _table(df, ["state_fe", "first_difference"], controls=("cinc", "leak"))
    assert t.loc["state_fe", "note"].startswith("not estimable: ") and "separation" in t.loc["state_fe", "note"]
    assert np.isnan(t.loc["state_fe", "estimate"]) and t.loc["state_fe", "n_obs"] == 0
    assert t.loc["first_difference", "n_obs"] == 39 * 60


def test_state_effects_leave_out_a_control_constant_within_the_states_that_vary(within_effect: pd.DataFrame) -> None:
    """A control that varies only in a state dropped for never joining is constant in every state kept."""
    df = within_effect.copy()
    df.loc[df["ccode"] == 100, "joined"] = 0
    df["only_in_100"] = np.where(df["ccode"] == 100, np.arange(len(df)) % 3, 0.0)
    row = _table(df, ["state_fe"], controls=("cinc", "only_in_100")).loc["state_fe"]
    assert row["note"].endswith("absorbed by the state effects: only_in_100") and row["controls"] == "cinc"


# ---------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def real_panel(shared_data: Path) -> pd.DataFrame:
    from coalitionlab.models.data import participation_data

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return participation_data(data_dir=shared_data, placebo_years=(5,))


def test_placebo_column_on_the_real_data(real_panel: pd.DataFrame) -> None:
    """Measured five years after onset, NaN past the sources' end (no carry-forward) and for states that
    were gone by then (Czechoslovakia, dissolved 1 January 1993, in 1992 coalitions)."""
    col = real_panel["embeddedness_lead5_log1p"]
    assert col[real_panel["year"] + 5 > 2015].isna().all()
    assert col[real_panel["year"] <= 2009].notna().mean() > 0.95
    assert col[(real_panel["ccode"] == 315) & (real_panel["year"] == 1992)].isna().all()
    assert real_panel.attrs["placebo_years"] == [5]
    us = real_panel[(real_panel["lead_ccode"] == 2) & (real_panel["year"] <= 2009)]
    assert np.corrcoef(*us[["embeddedness_log1p", "embeddedness_lead5_log1p"]].dropna().to_numpy().T)[0, 1] > 0.8


def test_every_design_runs_on_the_real_panel(real_panel: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValueWarning)
        t = robustness(real_panel, n_permutations=20, seed=0).table.set_index("design")
    assert list(t.index) == list(DESIGNS)
    assert (t["n_obs"] > 1000).all() and (t["n_coalitions"] >= 15).all(), t[["n_obs", "n_coalitions"]]
    assert t["controls"].str.contains("atop_defense").all() and t["sample"].str.len().gt(10).all()
    us = real_panel[real_panel["lead_ccode"] == 2]
    assert t.loc["baseline", "n_coalitions"] <= us["coalition_id"].nunique()
    assert t.loc["operation_cluster", "n_clusters"] < t.loc["operation_cluster", "n_coalitions"]
    assert "onset + 5 <=" in t.loc["timing_placebo", "sample"]
    assert t.loc["negative_control", "sample"].startswith("led by others than the US")
    assert t.loc["state_fe", "note"].split(" ")[1:3] == ["state", "effects;"]


def test_timing_placebo_on_the_real_panel_cannot_tell_onset_from_later_ties(real_panel: pd.DataFrame) -> None:
    """docs/models/index.md reads the placebo as an equal fit: the two log-likelihoods within one unit
    of each other on the same rows, and the two measures nearly the same variable. Recomputed here
    with statsmodels on the rows the row reports."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValueWarning)
        row = robustness(real_panel, designs=["timing_placebo"]).table.iloc[0]
    assert row["n_obs"] == 5876 and row["n_coalitions"] == 40  # the figures the docs quote
    ctrl = ["atop_defense", "distance_log", "cinc", "democracy", "un_ideal_distance"]
    us = real_panel[(real_panel["lead_ccode"] == 2) & (real_panel["year"] + 5 <= 2014)]
    rows = us.dropna(subset=["joined", "embeddedness_log1p", "embeddedness_lead5_log1p", *ctrl])
    assert len(rows) == row["n_obs"]
    ll = {c: sm.Logit(rows["joined"].to_numpy(float), sm.add_constant(rows[[c, *ctrl]].to_numpy(float))).fit(
        disp=0).llf for c in ("embeddedness_log1p", "embeddedness_lead5_log1p")}
    assert abs(ll["embeddedness_log1p"] - ll["embeddedness_lead5_log1p"]) < 1  # an equal fit
    assert f"log-likelihood onset {ll['embeddedness_log1p']:.1f} vs +5 {ll['embeddedness_lead5_log1p']:.1f}" \
        in row["note"]
    r = np.corrcoef(rows["embeddedness_log1p"], rows["embeddedness_lead5_log1p"])[0, 1]
    assert r > 0.9 and f"r = {r:.2f}" in row["note"]


def test_un_exclusion_and_henke_spec_on_the_real_panel(real_panel: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValueWarning)
        base = robustness(real_panel, designs=["baseline"]).table.iloc[0]
        no_un = robustness(real_panel, designs=["baseline"], exclude_un_operations=True).table.iloc[0]
        henke = robustness(real_panel, spec="henke", designs=["baseline"]).table.iloc[0]
    n_un = real_panel.loc[(real_panel["lead_ccode"] == 2) & (real_panel["kind"] == "un"), "coalition_id"].nunique()
    assert n_un == 3  # ONUC, UNMIS, UNAMID
    assert no_un["n_coalitions"] == base["n_coalitions"] - n_un
    # the Henke specification refitted with statsmodels: US-led coalitions to 2010, Henke's controls,
    # complete rows, SEs clustered by coalition
    terms = ["embeddedness_log1p", *HENKE_CONTROLS]
    us = real_panel[(real_panel["lead_ccode"] == 2) & (real_panel["year"] <= 2010)].dropna(subset=["joined", *terms])
    ref = sm.Logit(us["joined"].to_numpy(float), sm.add_constant(us[terms].to_numpy(float))).fit(
        disp=0, cov_type="cluster", cov_kwds={"groups": pd.factorize(us["coalition_id"])[0]})
    assert henke["estimate"] == pytest.approx(ref.params[1], rel=1e-6)
    assert henke["std_error"] == pytest.approx(ref.bse[1], rel=1e-6)
    assert henke["n_obs"] == len(us) and henke["n_coalitions"] == us["coalition_id"].nunique()


def test_nato_lead_reaches_the_panel(shared_data: Path) -> None:
    from coalitionlab.models.data import participation_data

    ids = ["odyssey_dawn_2011", "unified_protector_2011"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        saceur = participation_data(data_dir=shared_data, ids=ids, lags=(), contact=False)
        entre = participation_data(data_dir=shared_data, ids=ids, lags=(), contact=False, nato_lead="entrepreneur")
    assert set(saceur["lead_ccode"]) == {2} and set(entre["lead_ccode"]) == {220}
    assert entre.attrs["nato_lead"] == "entrepreneur"
