"""The robustness battery on a panel with a known effect; permutation draws identical serially,
on local processes and on a local Dask cluster."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coalitionlab.errors import EstimationError, UnknownOptionError
from coalitionlab.models.robustness import add_past_cooperation, cluster_bootstrap, permutation_test, robustness


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n_coal, n_cand = 30, 50
    leads = np.where(np.arange(n_coal) < 20, 2, 220)
    df = pd.DataFrame({"coalition_id": np.repeat([f"c{i}" for i in range(n_coal)], n_cand),
                       "ccode": np.tile(np.arange(100, 100 + n_cand), n_coal),
                       "lead_ccode": np.repeat(leads, n_cand),
                       "start_date": np.repeat(pd.date_range("1990-01-01", periods=n_coal, freq="180D"), n_cand)})
    base = rng.gamma(2, 8, n_cand)[df["ccode"] - 100]
    df["embeddedness_log1p"] = np.log1p(base + rng.normal(0, 1, len(df)).clip(-1, None))
    for k in (1, 3, 5):
        df[f"embeddedness_lag{k}_log1p"] = df["embeddedness_log1p"] - 0.02 * k
    df["embeddedness_nonsecurity_log1p"] = df["embeddedness_log1p"] * 0.9
    df["embeddedness_log1p_focal"] = df["embeddedness_log1p"]
    df["cinc"] = rng.exponential(0.01, len(df))
    eta = -4 + 1.2 * df["embeddedness_log1p"]
    df["joined"] = (rng.random(len(df)) < 1 / (1 + np.exp(-eta))).astype(int)
    return df


def test_battery_reports_every_design(panel: pd.DataFrame) -> None:
    res = robustness(panel, controls=("cinc",), n_permutations=100, seed=1)
    table = res.table.set_index("design")
    assert list(table.index) == ["baseline", "lag_1", "lag_3", "lag_5", "non_security", "alignment",
                                 "past_cooperation", "coalition_fe", "firth", "lpm", "permutation",
                                 "bootstrap", "negative_control", "contact", "state_fe", "first_difference",
                                 "timing_placebo", "sociability", "negative_control_alone", "twoway_cluster",
                                 "operation_cluster", "leader_ties"]
    # the baseline against statsmodels' logit on the US-led rows (coalitions c0-c19), clustered by coalition
    import statsmodels.api as sm

    us = panel[panel["lead_ccode"] == 2]
    ref = sm.Logit(us["joined"], sm.add_constant(us[["embeddedness_log1p", "cinc"]])).fit(
        disp=0, cov_type="cluster", cov_kwds={"groups": pd.factorize(us["coalition_id"])[0]})
    for col, want in (("estimate", ref.params), ("std_error", ref.bse), ("p_value", ref.pvalues)):
        assert table.loc["baseline", col] == pytest.approx(want["embeddedness_log1p"], rel=1e-6), col
    assert table.loc["baseline", "n_obs"] == len(us) == 1000
    # the truth: the fixture joins with logit(-4 + 1.2 embeddedness_log1p), so the baseline is correctly
    # specified; its slope lies within 4 of its standard errors of 1.2
    assert abs(table.loc["baseline", "estimate"] - 1.2) < 4 * table.loc["baseline", "std_error"]
    # the fixture's lags are the measure shifted by a constant (0.02 k) and its non-security part 0.9 x the
    # measure: a logit slope ignores the shift and scales by 1/0.9 -- exact identities of the estimator
    for k in (1, 3, 5):
        assert table.loc[f"lag_{k}", "estimate"] == pytest.approx(ref.params["embeddedness_log1p"], rel=1e-6)
    assert table.loc["non_security", "estimate"] == pytest.approx(ref.params["embeddedness_log1p"] / 0.9, rel=1e-6)
    ols = sm.OLS(us["joined"], sm.add_constant(us[["embeddedness_log1p", "cinc"]])).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(us["coalition_id"])[0]})
    assert table.loc["lpm", "estimate"] == pytest.approx(ols.params["embeddedness_log1p"], rel=1e-6)
    assert table.loc["lpm", "std_error"] == pytest.approx(ols.bse["embeddedness_log1p"], rel=1e-6)
    assert table.loc["contact", "note"].startswith("not run: panel lacks dod_visits")
    assert table.loc["timing_placebo", "note"].startswith("not run: panel lacks embeddedness_lead5_log1p")
    assert table.loc["operation_cluster", "note"] == "not run: panel lacks operation"
    assert table.loc["leader_ties", "note"] == "not run: panel lacks leader_overlap_years, leader_tenure_candidate"
    # the fixture's focal-lead column is the own-lead one: the joint model is singular and says so
    assert table.loc["negative_control", "note"].startswith("not estimable: embeddedness_log1p is a linear combination")
    assert np.isnan(table.loc["permutation", "std_error"])  # the null's spread is not a standard error
    # every row that ran says what it used: rows, coalitions, clusters, controls, sample
    ran = table[table["n_obs"] > 0]
    assert (ran["controls"].str.split(",").map(lambda c: "cinc" in c or "d_cinc" in c)).all()  # d_: differenced
    assert ran["sample"].str.len().gt(0).all() and ran["n_coalitions"].gt(0).all()
    assert table.loc["baseline", "sample"] == "US-led, 20 coalitions, 1990-1999"
    # coalitions 20-29 start every 180 days from 1999-11-08 (1990-01-01 + 20 x 180 days)
    assert table.loc["negative_control_alone", "sample"] == "led by others than the US, 10 coalitions, 1999-2004"
    # the permutation row: the observed coefficient is the baseline's, and the p-value is the documented
    # two-sided count over the returned draws, 2 min(1 + #(draws >= b), 1 + #(draws <= b)) / (1 + B)
    b, draws = table.loc["permutation", "estimate"], res.permutation_draws
    assert b == pytest.approx(ref.params["embeddedness_log1p"], rel=1e-6) and len(draws) == 100
    hand_p = min(1.0, 2 * min(1 + np.sum(draws >= b), 1 + np.sum(draws <= b)) / (1 + len(draws)))
    assert table.loc["permutation", "p_value"] == pytest.approx(hand_p, rel=1e-12)
    assert hand_p < 0.05
    # the sensitivity statistics from the classical OLS t of the LPM (statsmodels) by Cinelli and Hazlett's
    # formulas: partial R2 = t^2 / (t^2 + df), RV = (sqrt(f^4 + 4 f^2) - f^2) / 2 with f^2 = t^2 / df;
    # Oster's R_max = min(1, 1.3 R2)
    classical = sm.OLS(us["joined"], sm.add_constant(us[["embeddedness_log1p", "cinc"]])).fit()
    tc, dof = classical.tvalues["embeddedness_log1p"], classical.df_resid
    f2 = tc**2 / dof
    sens = res.sensitivity
    assert sens["t_classical"] == pytest.approx(tc, rel=1e-9)
    assert sens["partial_r2"] == pytest.approx(tc**2 / (tc**2 + dof), rel=1e-9)
    assert sens["robustness_value"] == pytest.approx((np.sqrt(f2**2 + 4 * f2) - f2) / 2, rel=1e-9)
    assert sens["r2"] == pytest.approx(classical.rsquared, rel=1e-9)
    assert sens["r_max"] == pytest.approx(min(1.0, 1.3 * classical.rsquared), rel=1e-9)


def test_absent_default_controls_are_said_explicit_ones_refused(panel: pd.DataFrame) -> None:
    """The default controls may be missing (the embedded seed has none): the baseline says which. A control
    the caller names must be a column: one line naming the closest."""
    res = robustness(panel, designs=["baseline"])
    assert "controls absent: atop_defense, distance_log" in res.table.loc[0, "note"]
    assert res.table.loc[0, "controls"] == "cinc"  # the only default control the fixture has
    with pytest.raises(EstimationError, match=r"^control 'cincc': unknown column 'cincc'; closest: cinc"):
        robustness(panel, controls=("cincc",), designs=["baseline"])
    with pytest.raises(EstimationError, match="must be a column"):
        robustness(panel, controls=("log(cinc)",), designs=["baseline"])


def test_past_cooperation_counts_only_earlier_coalitions_with_the_same_lead() -> None:
    df = pd.DataFrame({"coalition_id": ["a", "a", "b", "b", "c", "c"], "ccode": [1, 2, 1, 2, 1, 2],
                       "lead_ccode": [2, 2, 2, 2, 220, 220],
                       "start_date": pd.to_datetime(["1990", "1990", "1995", "1995", "2000", "2000"]),
                       "joined": [1, 0, 1, 1, 1, 0]})
    out = add_past_cooperation(df)
    assert list(out["past_joins_same_lead"]) == [0, 0, 1, 0, 0, 0]


def test_past_cooperation_is_counted_before_the_sample_is_restricted(panel: pd.DataFrame) -> None:
    """A join of a UN operation is past cooperation even when UN operations are left out of the
    sample: the restricted battery uses the unrestricted panel's counts. Oracle: statsmodels' logit
    on the restricted rows with the counts of the whole panel."""
    import statsmodels.api as sm

    un = ["c0", "c2", "c5", "c9"]  # US-led (c0-c19), the earliest ones, so later rows count their joins
    df = panel.assign(kind=np.where(panel["coalition_id"].isin(un), "un", "multinational"))
    whole = add_past_cooperation(df)
    kept = whole[(whole["kind"] != "un") & (whole["lead_ccode"] == 2)]
    # the test has power: counted on the restricted rows alone, the same rows get other values
    alone = add_past_cooperation(df[df["kind"] != "un"]).set_index(["coalition_id", "ccode"])["past_joins_same_lead"]
    differs = alone.reindex(pd.MultiIndex.from_frame(kept[["coalition_id", "ccode"]])).to_numpy() \
        != kept["past_joins_same_lead"].to_numpy()
    assert differs.sum() > 100
    res = robustness(df, controls=("cinc",), exclude_un_operations=True, designs=["past_cooperation"]).table.iloc[0]
    X = sm.add_constant(kept[["embeddedness_log1p", "cinc", "past_joins_same_lead"]].to_numpy(float))
    ref = sm.Logit(kept["joined"].to_numpy(), X).fit(disp=0).params
    assert res["estimate"] == pytest.approx(ref[1], rel=1e-6)
    assert res["note"] == f"past_joins coef {ref[3]:.3f} (se {res['note'].split('se ')[1]}"
    assert res["n_obs"] == len(kept)
    # a restriction by year leaves every kept row's count as in the whole panel, too
    early = robustness(df, controls=("cinc",), until=1995, designs=["past_cooperation"]).table.iloc[0]
    rows = whole[(whole["lead_ccode"] == 2) & (whole["start_date"].dt.year <= 1995)]
    X = sm.add_constant(rows[["embeddedness_log1p", "cinc", "past_joins_same_lead"]].to_numpy(float))
    assert early["estimate"] == pytest.approx(sm.Logit(rows["joined"].to_numpy(), X).fit(disp=0).params[1], rel=1e-6)


def test_check_battery_request_lists_the_valid_names() -> None:
    from coalitionlab.models.robustness import CONTROL_CHOICES, DESIGNS, check_battery_request

    assert check_battery_request(None, None) == (list(DESIGNS), None)
    assert check_battery_request(["lpm", "lpm"], ["cinc", "polity2"]) == (["lpm"], ["cinc", "polity2"])
    with pytest.raises(UnknownOptionError, match=r"^unknown design 'fe'; valid designs: baseline, lag_1, "):
        check_battery_request(["fe"])
    with pytest.raises(UnknownOptionError, match=r"^unknown control 'gdp'; valid controls: ") as info:
        check_battery_request(["baseline"], ["gdp"])
    assert info.value.args[0].endswith(", ".join(CONTROL_CHOICES)) and "\n" not in str(info.value)


def test_permutation_is_reproducible_across_executors(panel: pd.DataFrame) -> None:
    from dask.distributed import LocalCluster

    main = panel[panel["lead_ccode"] == 2]
    f = "joined ~ embeddedness_log1p + cinc"
    serial = permutation_test(f, main, treatment="embeddedness_log1p", n_permutations=60, seed=3, chunk_size=20)
    procs = permutation_test(f, main, treatment="embeddedness_log1p", n_permutations=60, seed=3, chunk_size=20, n_jobs=2)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        dask = permutation_test(f, main, treatment="embeddedness_log1p", n_permutations=60, seed=3, chunk_size=20,
                                scheduler=cluster.scheduler_address)
    np.testing.assert_array_equal(serial.draws, procs.draws)
    np.testing.assert_array_equal(serial.draws, dask.draws)
    assert len(serial.draws) == 60 and serial.n_obs == len(main)
    other = permutation_test(f, main, treatment="embeddedness_log1p", n_permutations=60, seed=4, chunk_size=20)
    assert not np.array_equal(serial.draws, other.draws)


def test_bad_requests(panel: pd.DataFrame) -> None:
    with pytest.raises(UnknownOptionError, match="unknown design 'lag_2'"):
        robustness(panel, designs=["lag_2"])
    with pytest.raises(EstimationError, match="no coalitions led by ccode 365"):
        robustness(panel, focal_lead=365, designs=["baseline"])


def test_cluster_bootstrap_reproducible_and_sensible(panel: pd.DataFrame) -> None:
    from dask.distributed import LocalCluster

    from coalitionlab.models import fit_participation

    main = panel[panel["lead_ccode"] == 2]
    f = "joined ~ embeddedness_log1p + cinc"
    serial = cluster_bootstrap(f, main, term="embeddedness_log1p", n_boot=80, seed=2, chunk_size=20)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        dask = cluster_bootstrap(f, main, term="embeddedness_log1p", n_boot=80, seed=2, chunk_size=20,
                                 scheduler=cluster.scheduler_address)
    np.testing.assert_array_equal(serial.draws, dask.draws)
    clustered = fit_participation(f, main, cluster="coalition_id").tidy().loc["embeddedness_log1p"]
    assert serial.estimate == pytest.approx(clustered["estimate"], rel=1e-6)
    # the bootstrap SE is of the same order as the clustered sandwich SE
    assert 0.5 < serial.std_error / clustered["std_error"] < 2.0
    assert serial.ci_low < serial.estimate < serial.ci_high
    # brute force, from the documented scheme: 80 draws in chunks of 20, each chunk with its own child of
    # SeedSequence(2); a draw picks 20 of the 20 coalitions (in order of first appearance) with replacement,
    # and its value is statsmodels' logit coefficient on the stacked rows
    import statsmodels.api as sm

    groups = main["coalition_id"].to_numpy()
    index = [np.flatnonzero(groups == g) for g in pd.unique(groups)]
    X = sm.add_constant(main[["embeddedness_log1p", "cinc"]].to_numpy(float))
    y = main["joined"].to_numpy(float)
    draws = []
    for child in np.random.SeedSequence(2).spawn(4):
        rng = np.random.default_rng(child)
        for _ in range(20):
            rows = np.concatenate([index[g] for g in rng.integers(0, len(index), len(index))])
            draws.append(sm.Logit(y[rows], X[rows]).fit(disp=0).params[1])
    np.testing.assert_allclose(serial.draws, draws, rtol=1e-6)
    assert serial.std_error == pytest.approx(np.std(draws, ddof=1), rel=1e-6)
    assert (serial.ci_low, serial.ci_high) == pytest.approx(tuple(np.quantile(draws, [0.025, 0.975])), rel=1e-6)
    assert serial.n_obs == len(main.dropna(subset=["embeddedness_log1p", "cinc"]))
    with pytest.raises(EstimationError, match="fewer than two"):
        cluster_bootstrap(f, main.assign(one=1), term="embeddedness_log1p", cluster="one", n_boot=10)


def test_grouping_column_must_exist(panel: pd.DataFrame) -> None:
    """A misspelt within= / cluster= column is a clear EstimationError, not a bare KeyError."""
    main = panel[panel["lead_ccode"] == 2]
    with pytest.raises(EstimationError, match="'coalition'"):
        permutation_test("joined ~ embeddedness_log1p", main, treatment="embeddedness_log1p", within="coalition",
                         n_permutations=5)
    with pytest.raises(EstimationError, match="'coalition'"):
        cluster_bootstrap("joined ~ embeddedness_log1p", main, term="embeddedness_log1p", cluster="coalition",
                          n_boot=5)


def test_contact_note_states_the_visits_caveat(panel: pd.DataFrame) -> None:
    """The docs promise that the contact row's note states the visits data's limits."""
    rng = np.random.default_rng(3)
    df = panel.assign(dod_visits=rng.poisson(0.5, len(panel)).astype(float))
    note = robustness(df, controls=("cinc",), designs=["contact"]).table.loc[0, "note"]
    assert "dod_visits" in note and "only some senior US defence officials" in note


def test_past_cooperation_counts_joins_made_before_onset() -> None:
    """Real data: the Czech Republic joined OEF Afghanistan (began 7 Oct 2001) only in April 2002, after
    Active Endeavour began (26 Oct 2001); that join is not past cooperation for Active Endeavour."""
    from coalitionlab.coalitions import coalition_panel

    panel = coalition_panel()
    oef = panel[(panel["coalition_id"] == "oef_afghanistan_2001") & (panel["ccode"] == 316)].iloc[0]
    assert oef["joined"] == 1 and oef["join_date"] == pd.Timestamp("2002-04-01")
    out = add_past_cooperation(panel).set_index(["coalition_id", "ccode"])["past_joins_same_lead"]
    assert out[("active_endeavour_2001", 316)] == 3  # IFOR 1995, SFOR 1996, KFOR 1999
    assert out[("iraq_2003", 316)] == 4  # + OEF, joined April 2002


def test_repeated_row_index_does_not_change_the_draws(panel: pd.DataFrame) -> None:
    main = panel[panel["lead_ccode"] == 2].reset_index(drop=True)
    glued = main.set_axis(np.arange(len(main)) % 100)  # as after pd.concat of parts
    f = "joined ~ embeddedness_log1p + cinc"
    a = permutation_test(f, main, treatment="embeddedness_log1p", n_permutations=20, seed=2)
    b = permutation_test(f, glued, treatment="embeddedness_log1p", n_permutations=20, seed=2)
    np.testing.assert_array_equal(a.draws, b.draws)
    c = cluster_bootstrap(f, main, term="embeddedness_log1p", n_boot=20, seed=2)
    d = cluster_bootstrap(f, glued, term="embeddedness_log1p", n_boot=20, seed=2)
    np.testing.assert_array_equal(c.draws, d.draws)


def test_rows_without_a_group_are_dropped_and_said(panel: pd.DataFrame) -> None:
    """A row with no within=/cluster= value can be neither shuffled nor resampled: drop it, with a warning."""
    from coalitionlab.errors import MissingValueWarning

    main = panel[panel["lead_ccode"] == 2].reset_index(drop=True)
    holed = main.assign(coalition_id=main["coalition_id"].where(main.index >= 50))  # first 50 rows: no group
    f = "joined ~ embeddedness_log1p + cinc"
    with pytest.warns(MissingValueWarning, match="50 rows"):
        boot = cluster_bootstrap(f, holed, term="embeddedness_log1p", n_boot=10, seed=1)
    assert boot.n_obs == len(main) - 50 and boot.n_clusters == holed["coalition_id"].nunique()
    with pytest.warns(MissingValueWarning, match="50 rows"):
        perm = permutation_test(f, holed, treatment="embeddedness_log1p", n_permutations=10, seed=1)
    assert perm.n_obs == len(main) - 50
