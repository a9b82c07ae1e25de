"""Monadic and dyadic add_* steps: capabilities, democracy, UN affinity, troops, distance, contiguity,
S-score and Lake's security hierarchy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from coalitionlab.data import load
from coalitionlab.errors import CoverageError, PanelTypeError
from coalitionlab.measures import (
    add_alliance_similarity,
    add_capabilities,
    add_contiguity,
    add_democracy,
    add_distance,
    add_hierarchy,
    add_un_affinity,
    add_us_troops,
    create_dyadyears,
    create_stateyears,
    s_score_matrix,
)


@pytest.fixture(scope="module")
def nd(shared_data):
    return create_dyadyears(years="2014:2020", directed=False, data_dir=shared_data)


@pytest.fixture(scope="module")
def sy(shared_data):
    return create_stateyears(years="1945:2024", data_dir=shared_data)


def _flip(df):
    out = df.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
    out.attrs = dict(df.attrs)
    return out


def test_capabilities_values_and_coverage(shared_data, sy):
    out = add_capabilities(sy, data_dir=shared_data)
    nmc = load("nmc", shared_data)
    m = out.merge(nmc[["ccode", "year", "cinc"]], on=["ccode", "year"], suffixes=("", "_ref"))
    assert np.allclose(m["cinc"], m["cinc_ref"], equal_nan=True)
    assert out.loc[out.year == 2023, "cinc"].isna().all()
    assert out.attrs["columns"]["cinc"]["coverage"] == [1816, 2022]
    carried = add_capabilities(sy, data_dir=shared_data, mry=True)
    a = carried[carried.year == 2024].set_index("ccode")["cinc"]
    b = carried[carried.year == 2022].set_index("ccode")["cinc"]
    assert np.allclose(a.reindex(b.index), b, equal_nan=True) and carried.attrs["mry"]["cinc"]


def test_dyadic_monadic_columns(shared_data, nd):
    out = add_democracy(add_capabilities(nd, data_dir=shared_data), data_dir=shared_data)
    s = add_capabilities(create_stateyears(years="2014:2020", data_dir=shared_data), data_dir=shared_data)
    lookup = s.set_index(["ccode", "year"])["cinc"]
    exp = lookup.reindex(pd.MultiIndex.from_arrays([out.ccode2, out.year])).to_numpy()
    assert np.allclose(out["cinc2"], exp, equal_nan=True)
    assert {"euds1", "polity21", "v2x_polyarchy2"} <= set(out.columns)
    assert set(out.attrs["sources"]) >= {"nmc", "democracy", "cow_states"}


def test_un_affinity_symmetric(shared_data, nd):
    a = add_un_affinity(nd, data_dir=shared_data)
    b = add_un_affinity(_flip(nd), data_dir=shared_data)
    assert np.allclose(a["un_ideal_distance"], b["un_ideal_distance"], equal_nan=True)
    assert a["un_ideal_distance"].notna().mean() > 0.9
    us_uk = a[(a.ccode1 == 2) & (a.ccode2 == 200)]["un_ideal_distance"]
    us_cuba = a[(a.ccode1 == 2) & (a.ccode2 == 40)]["un_ideal_distance"]
    assert (us_uk.to_numpy() < us_cuba.to_numpy()).all()
    # every dyad-year against the raw file: |ideal point 1 - ideal point 2|, session s read as year 1945 + s
    raw = pd.read_csv(shared_data / "un_voting" / "IdealpointestimatesAll_Jun2024.csv.gz",
                      usecols=["ccode", "session", "IdealPointAll"])
    ip = raw.assign(year=raw["session"] + 1945).set_index(["ccode", "year"])["IdealPointAll"]
    want = (ip.reindex(pd.MultiIndex.from_arrays([a["ccode1"], a["year"]])).to_numpy()
            - ip.reindex(pd.MultiIndex.from_arrays([a["ccode2"], a["year"]])).to_numpy())
    np.testing.assert_allclose(a["un_ideal_distance"].to_numpy(), np.abs(want), rtol=1e-12, equal_nan=True)


def test_us_troops_zero_inside_nan_outside(shared_data, sy):
    out = add_us_troops(sy, data_dir=shared_data)
    assert out.loc[out.year < 1950, "us_troops"].isna().all()
    assert out.loc[out.year >= 1950, "us_troops"].notna().all()
    ger = out[(out.ccode == 255) & (out.year == 2000)].iloc[0]
    assert ger["us_troops"] > 50_000 and 0.5 < ger["us_troops_per_1000"] < 1.0
    # by hand from the raw files: active-duty troops (troops_ad) over the population (isard pwtpop, millions)
    raw = pd.read_csv(shared_data / "us_military_presence" / "troopdata_country_year.csv.gz")
    pop = pd.read_csv(shared_data / "isard" / "cw_gdppop.csv.gz")
    troops = raw.loc[(raw.ccode == 255) & (raw.year == 2000), "troops_ad"].sum()
    people = pop.loc[(pop.ccode == 255) & (pop.year == 2000), "pwtpop"].iloc[0] * 1e6
    assert ger["us_troops"] == troops == 69_203
    assert ger["us_troops_per_1000"] == pytest.approx(troops / people * 1000, rel=1e-12)


def test_distance_and_contiguity_symmetric(shared_data, nd):
    a = add_contiguity(add_distance(nd, data_dir=shared_data), data_dir=shared_data)
    b = add_contiguity(add_distance(_flip(nd), data_dir=shared_data), data_dir=shared_data)
    for col in ("mindist", "capdist", "conttype"):
        assert np.allclose(a[col], b[col], equal_nan=True), col
    us_can = a[(a.ccode1 == 2) & (a.ccode2 == 20) & (a.year == 2015)].iloc[0]
    assert us_can["conttype"] == 1 and us_can["mindist"] == 0 and 700 < us_can["capdist"] < 800
    # capdist by hand: the great-circle distance between the capitals' coordinates in the raw file
    caps = pd.read_csv(shared_data / "peacesciencer" / "cow_capitals.csv").set_index("ccode")
    (la1, lo1), (la2, lo2) = (np.radians(caps.loc[c, ["lat", "lng"]].to_numpy(float)) for c in (2, 20))
    hav = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    assert us_can["capdist"] == pytest.approx(2 * 6371.0 * np.arcsin(np.sqrt(hav)), rel=1e-9)  # mean Earth radius
    assert a.loc[a.year == 2017, "conttype"].isna().all() and a.loc[a.year == 2016, "conttype"].notna().all()
    assert a.loc[a.year == 2020, "mindist"].isna().all()


def test_s_score_formula_against_direct_definition():
    rng = np.random.default_rng(7)
    n = 12
    upper = np.triu(rng.random((n, n)) < 0.3, 1)
    A = (upper | upper.T).astype(float)
    S = s_score_matrix(sp.csr_matrix(A))
    P = A + np.eye(n)
    direct = 1 - 2 * np.abs(P[:, None, :] - P[None, :, :]).sum(axis=2) / n
    assert np.allclose(S, direct) and np.allclose(np.diag(S), 1)


def test_alliance_similarity_panel(shared_data):
    nd = create_dyadyears(years="2017:2019", directed=False, data_dir=shared_data)
    out = add_alliance_similarity(nd, data_dir=shared_data)
    assert out.loc[out.year <= 2018, "atop_sscore"].between(-1, 1).all()
    assert out.loc[out.year == 2019, "atop_sscore"].isna().all()
    back = add_alliance_similarity(_flip(nd), data_dir=shared_data)
    assert np.allclose(out["atop_sscore"], back["atop_sscore"], equal_nan=True)
    # ATOP 5.1 ties the USA and Russia to most of Europe by consultation pacts, so on any tie
    # their portfolios are close; on defence pacts the US-UK portfolios are closer than US-Russia
    s = out[out.year == 2018].set_index(["ccode1", "ccode2"])["atop_sscore"]
    assert s.loc[(2, 365)] > 0.5
    d = add_alliance_similarity(nd, data_dir=shared_data, ties="defense")
    s = d[d.year == 2018].set_index(["ccode1", "ccode2"])["atop_sscore_defense"]
    assert s.loc[(2, 200)] > s.loc[(2, 365)]
    # by the definition, with sets: each state's portfolio is itself plus every COW member of 2018 it has an
    # obligation with, in either direction (ATOP 5.1 dyad-years, raw file); S = 1 - 2 |P_i xor P_j| / n
    raw = pd.read_csv(shared_data / "peacesciencer" / "atop_alliance.csv.gz")
    raw = raw[raw["year"] == 2018]
    states = pd.read_csv(shared_data / "cow_states" / "statelist2024.csv")
    members = set(states.loc[(states["styear"] <= 2018) & (states["endyear"] >= 2018), "ccode"])
    flags = ["atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul"]
    any_tie = out[out.year == 2018].set_index(["ccode1", "ccode2"])["atop_sscore"]
    for cols, got in ((flags, any_tie), (["atop_defense"], s)):
        tied = raw[raw[cols].fillna(0).sum(axis=1) > 0]

        def portfolio(c: int, tied: pd.DataFrame = tied) -> set:
            return (set(tied.loc[tied["ccode1"] == c, "ccode2"]) | set(tied.loc[tied["ccode2"] == c, "ccode1"])
                    | {c}) & members

        for a, b in ((2, 365), (2, 200), (200, 365), (2, 20), (365, 710), (2, 740), (732, 740)):  # 740: one-sided
            want = 1 - 2 * len(portfolio(a) ^ portfolio(b)) / len(members)
            assert got.loc[(a, b)] == pytest.approx(want, abs=1e-12), (cols, a, b)


def test_hierarchy(shared_data):
    sy = create_stateyears(years="1990:2010", data_dir=shared_data)
    out = add_hierarchy(sy, data_dir=shared_data)
    ref = out[out.year == 1995]
    assert np.isclose(ref["hier_troops"].max(), 1.0)
    assert np.isclose(ref["hier_independent_alliances"].min(), 0.0)
    assert out.loc[out.ccode == 2, "security_hierarchy"].isna().all()
    y2003 = out[out.year == 2003].set_index("ccode")["security_hierarchy"]
    assert y2003.loc[740] > y2003.loc[365]  # Japan under more US security hierarchy than Russia
    with pytest.raises(CoverageError, match="reference_year"):
        add_hierarchy(sy, data_dir=shared_data, reference_year=1900)
    from coalitionlab.errors import UnknownOptionError

    with pytest.raises(UnknownOptionError, match="US deployments only"):
        add_hierarchy(sy, data_dir=shared_data, dominant=365)


def test_dyad_only_steps_refuse_state_years(shared_data, sy):
    for step in (add_distance, add_contiguity, add_alliance_similarity):
        with pytest.raises(PanelTypeError, match="create_dyadyears"):
            step(sy, data_dir=shared_data)


def test_exercises(shared_data):
    from coalitionlab.measures import add_exercises

    nd = create_dyadyears(years="1979:2011", directed=False, data_dir=shared_data)
    out = add_exercises(nd, data_dir=shared_data)
    assert out.loc[out.year.isin([1979, 2011]), "mme_joint_exercises"].isna().all()
    assert out.loc[out.year.between(1980, 2010), "mme_joint_exercises"].notna().all()
    ex = load("military_exercises", shared_data)
    us = ex[ex.ccode == 2][["exercise_id", "start_year"]].merge(ex[ex.ccode == 200][["exercise_id"]])
    expected = us.drop_duplicates().groupby("start_year").size()
    got = out[(out.ccode1 == 2) & (out.ccode2 == 200)].set_index("year")["mme_joint_exercises"]
    assert (got.loc[expected.index] == expected).all() and expected.sum() > 50
    back = add_exercises(_flip(nd), data_dir=shared_data)
    assert np.allclose(out["mme_joint_exercises"], back["mme_joint_exercises"], equal_nan=True)
    sy = add_exercises(create_stateyears(years=[2000], data_dir=shared_data), data_dir=shared_data)
    assert sy.set_index("ccode").loc[2, "mme_exercises"] == ex[(ex.ccode == 2) & (ex.start_year == 2000)][
        "exercise_id"].nunique()


def test_us_troops_attrs_name_only_real_columns(shared_data):
    # the population helper column "_pop" used to be left in attrs["mry"], and us_troops_per_1000 was
    # stamped with the population's coverage (1816-2019) though it needs troops too (from 1950)
    sy = create_stateyears(years=[2000, 2021], data_dir=shared_data)
    out = add_us_troops(sy, data_dir=shared_data, mry=True)
    assert set(out.attrs["mry"]) <= set(out.columns)
    assert out.attrs["mry"].get("us_troops_per_1000") is True
    assert out.attrs["columns"]["us_troops_per_1000"]["coverage"] == [1950, 2019]
    nd = add_us_troops(create_dyadyears(years=[2000], directed=False, data_dir=shared_data), data_dir=shared_data)
    assert set(nd.attrs["columns"]) <= set(nd.columns)
    assert nd.attrs["columns"]["us_troops_per_10002"]["coverage"] == [1950, 2019]


def test_un_distance_is_marked_mry_like_its_inputs(shared_data):
    nd = create_dyadyears(years=[2024], directed=False, data_dir=shared_data)
    out = add_un_affinity(nd, data_dir=shared_data, mry=True)
    assert out["un_ideal_distance"].notna().mean() > 0.9  # read at 2023
    assert out.attrs["mry"].get("un_ideal_distance") is True
    assert out.attrs["columns"]["un_ideal_distance"] is not out.attrs["columns"]["un_ideal_point1"]


def test_an_exercise_id_reused_in_another_year_pairs_no_one_across_years(shared_data):
    """MME 7 codes mme3460 for an exercise of Ukraine and the USA in 1995 and one of China, Japan and South
    Korea in 2005: Ukraine-China is no joint exercise in 1995 or 2005. Oracle: the pairs counted by hand from
    the participant rows of each (id, start year)."""
    ex = load("military_exercises", shared_data).dropna(subset=["exercise_id", "ccode", "start_year"])
    rows = ex[ex["exercise_id"].eq("mme3460")]
    assert sorted(rows["start_year"].astype(int).unique()) == [1995, 2005]

    def by_hand(a: int, b: int, year: int) -> int:
        one = ex[ex["start_year"].astype(int) == year]
        return sum(1 for _, m in one.groupby("exercise_id")["ccode"] if a in set(m) and b in set(m))

    pairs = [(369, 710), (2, 710), (2, 369), (710, 740), (369, 740)]
    df = pd.DataFrame([(a, b, y) for a, b in pairs for y in (1995, 2005)], columns=["ccode1", "ccode2", "year"])
    df.attrs = {"unit": "dyad_year", "directed": False}
    from coalitionlab.measures import add_exercises

    got = add_exercises(df, data_dir=shared_data)["mme_joint_exercises"].to_numpy()
    want = [by_hand(a, b, y) for a, b, y in df.itertuples(index=False)]
    assert got.tolist() == want
    assert got[0] == got[1] == 0  # Ukraine-China
