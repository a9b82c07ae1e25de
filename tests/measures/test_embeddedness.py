"""embeddedness() and add_embeddedness() on the real sources, and their errors.

The oracles read the raw files with plain pandas (COW IGO's state-year table, ATOP's member level,
UNCTAD's treaty list, COW's state list), never through the loaders or the code under test.
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest

from coalitionlab.errors import CoverageError, StaleDataWarning, UnknownCountryError, UnknownOptionError
from coalitionlab.measures import add_embeddedness, embeddedness

COMPS = ["alliances", "igos"]
# COW IGOs whose founding treaty ATOP codes as an alliance (checked by hand against ATOP's alliance list)
ALLIANCE_ORGS = {"anzus", "cento", "csto", "nato", "seato", "weu", "wpact", "oas", "loas", "osce", "eu", "cis", "au"}


# ---------------------------------------------------------------- independent oracles from the raw files


@pytest.fixture(scope="module")
def raw_igo(shared_data):
    """COW IGO v3 state-year table: (ccode, year) -> row of statuses, IGO columns only."""
    t = pd.read_csv(shared_data / "cow_igo" / "state_year_formatv3.csv.gz")
    return t.set_index(["ccode", "year"]).drop(columns=["state"])


def raw_joint_igos(raw_igo, a: int, b: int, year: int, *, drop=ALLIANCE_ORGS) -> float:
    """IGOs in which both are full (1) or associate (2) members in ``year``, alliance organisations left out."""
    if (a, year) not in raw_igo.index or (b, year) not in raw_igo.index:
        return np.nan
    ra, rb = raw_igo.loc[(a, year)], raw_igo.loc[(b, year)]
    both = ra.isin([1, 2]) & rb.isin([1, 2])
    return float(both[[c for c in both.index if c not in drop]].sum())


@pytest.fixture(scope="module")
def raw_atop(shared_data):
    m = pd.read_csv(shared_data / "atop_v4" / "atop4_01_member_level.csv.gz")
    return m


def raw_alliances(raw_atop, a: int, b: int, day: str) -> int:
    """ATOP v4.01 alliances both belong to on ``day`` (entry <= day <= exit; exit year 0 = in force)."""
    d = pd.Timestamp(day)

    def member_on(row) -> bool:
        # an unknown day (blank or 0) is the first of the month for an entry, the last for an exit
        known = not pd.isna(row.dayent) and int(row.dayent) > 0
        start = pd.Timestamp(int(row.yrent), int(row.moent), int(row.dayent) if known else 1)
        if int(row.yrexit) == 0:
            return start <= d
        if not pd.isna(row.dayexit) and int(row.dayexit) > 0:
            end = pd.Timestamp(int(row.yrexit), int(row.moexit), int(row.dayexit))
        else:
            end = pd.Timestamp(int(row.yrexit), int(row.moexit), 1) + pd.offsets.MonthEnd(0)
        return start <= d <= end

    ids = []
    for code in (a, b):
        rows = raw_atop[raw_atop["member"] == code]
        ids.append({r.atopid for r in rows.itertuples() if member_on(r)})
    return len(ids[0] & ids[1])


@pytest.fixture(scope="module")
def raw_states(shared_data):
    s = pd.read_csv(shared_data / "cow_states" / "statelist2024.csv")
    return s


def raw_member(raw_states, ccode: int, day: str) -> bool:
    d = pd.Timestamp(day)
    rows = raw_states[raw_states["ccode"] == ccode]
    for r in rows.itertuples():
        start = pd.Timestamp(int(r.styear), int(r.stmonth), int(r.stday))
        end = pd.Timestamp(int(r.endyear), int(r.endmonth), int(r.endday))
        if start <= d <= end:
            return True
    return False


# ---------------------------------------------------------------- the measure on the real data


@pytest.fixture(scope="module")
def us2003(shared_data):
    return embeddedness("USA", "2003-03-20", data_dir=shared_data, components=COMPS, source="full")


def test_us_2003_shape_and_order(us2003, raw_states):
    e = us2003
    assert list(e.columns[:4]) == ["ccode", "country", "alliances", "igos"]
    assert 2 not in set(e["ccode"])
    assert e["embeddedness"].is_monotonic_decreasing
    # IGOs are yearly: read the year before the day; alliances on the day itself
    assert e.attrs["years_used"] == {"alliances": 2003, "igos": 2002}
    assert (e["igos_year"] == 2002).all() and (e["alliances_year"] == 2003).all()
    # one row per other system member on the date (COW's list read directly)
    expected = {c for c in raw_states["ccode"].unique() if raw_member(raw_states, c, "2003-03-20")} - {2}
    assert set(e["ccode"]) == expected
    assert np.isclose(e["embeddedness_share"].sum(), 1.0)
    assert (e["embeddedness"] == e["alliances"] + e["igos"]).all()
    assert np.allclose(e["embeddedness_log1p"], np.log1p(e["embeddedness"]))


def test_igos_are_the_raw_joint_count_of_the_year_before(us2003, raw_igo):
    e = us2003.set_index("ccode")
    for partner in (200, 20, 640, 645, 710, 365, 770):
        assert e.loc[partner, "igos"] == raw_joint_igos(raw_igo, 2, partner, 2002), partner
    # NATO and the OSCE count once: as alliances, not again as IGOs (the USA was never in the WEU or EU);
    # Canada also shares the OAS
    assert raw_joint_igos(raw_igo, 2, 200, 2002, drop=set()) - e.loc[200, "igos"] == 2
    assert raw_joint_igos(raw_igo, 2, 20, 2002, drop=set()) - e.loc[20, "igos"] == 3
    assert raw_joint_igos(raw_igo, 2, 710, 2002, drop=set()) == e.loc[710, "igos"]  # China: no alliance IGO


def test_alliances_are_the_raw_atop_count_on_the_day(us2003, raw_atop):
    e = us2003.set_index("ccode")
    for partner in (200, 20, 740, 732, 640, 70, 770):
        assert e.loc[partner, "alliances"] == raw_alliances(raw_atop, 2, partner, "2003-03-20"), partner


def test_alliance_counted_from_its_day_not_its_year(shared_data, raw_atop):
    # ATOP dates ANZUS (atopid 3215) from 1951-09-01, and New Zealand's exit 1986-09-17 (its last day)
    def alliances(day):
        e = embeddedness("USA", day, data_dir=shared_data, components=["alliances"], source="full")
        return e.set_index("ccode")["alliances"]

    before, after = alliances("1951-08-31"), alliances("1951-09-01")
    for partner in (900, 920):
        assert before.loc[partner] == raw_alliances(raw_atop, 2, partner, "1951-08-31")
        assert after.loc[partner] == raw_alliances(raw_atop, 2, partner, "1951-09-01")
    assert (after.loc[[900, 920]] - before.loc[[900, 920]] == 1).all()
    last, gone = alliances("1986-09-17"), alliances("1986-09-18")
    assert last.loc[920] - gone.loc[920] == 1 and last.loc[900] == gone.loc[900]
    assert gone.loc[920] == raw_alliances(raw_atop, 2, 920, "1986-09-18")


def test_iraq_2003_treaties_in_force_later_that_year_are_not_counted(shared_data):
    # UNCTAD: Saudi-US TIFA in force 2003-07-31, Pakistan-US TIFA 2003-06-25, Jordan-US BIT 2003-06-12
    raw = pd.read_csv(shared_data / "unctad_iia" / "unctad_iia_treaties_scraped.csv.gz")
    us = raw[raw["parties"].str.contains("United States of America", regex=False)]
    partners = {670: "Saudi Arabia", 770: "Pakistan", 663: "Jordan"}

    def raw_count(name: str, day: str) -> int:
        t = us[us["parties"].str.contains(name, regex=False)]
        eif = pd.to_datetime(t["date_of_entry_into_force"])
        term = pd.to_datetime(t["termination_date"])
        return int(((eif <= day) & (term.isna() | (term > day))).sum())

    for day in ("2003-03-20", "2003-12-31"):
        e = embeddedness("USA", day, data_dir=shared_data, components=["investment_treaties"], source="full")
        got = e.set_index("ccode")["investment_treaties"]
        for code, name in partners.items():
            assert got.loc[code] == raw_count(name, day), (day, name)
    assert [raw_count(n, "2003-12-31") - raw_count(n, "2003-03-20") for n in partners.values()] == [1, 1, 1]


# ---------------------------------------------------------------- existence and successors


@pytest.mark.parametrize(("ccode", "day", "lag", "exists"), [
    (349, "1990-06-01", 0, False), (349, "1993-06-01", 0, True),      # Slovenia (1992-01-15)
    (349, "1995-12-14", 5, False), (349, "1997-06-01", 5, True),
    (316, "1995-12-14", 3, False), (316, "1996-01-02", 3, True),      # Czech Republic (1993-01-01)
    (368, "1995-12-14", 5, False), (366, "1996-09-07", 5, True),      # Lithuania, Estonia (1991-09-06)
    (626, "2011-07-08", 0, False), (626, "2011-07-09", 0, True),      # South Sudan, day by day
])
def test_a_state_that_did_not_exist_is_missing_not_zero(shared_data, raw_states, ccode, day, lag, exists):
    e = embeddedness("USA", day, data_dir=shared_data, components=["alliances"], source="full", lag_years=lag)
    measured = (pd.Timestamp(day) - pd.DateOffset(years=lag)).strftime("%Y-%m-%d")
    assert raw_member(raw_states, ccode, measured) is exists
    row = e.set_index("ccode")
    if ccode not in row.index:  # not a member on the day itself: no row at all
        assert not raw_member(raw_states, ccode, day)
        return
    value = row.loc[ccode, "alliances"]
    assert (not np.isnan(value)) is exists


def test_successors_inherit_their_predecessors_ties(shared_data, raw_igo, raw_atop):
    # measured on 1990-06-01 (lag 5 from 1995-06-01): the Czech Republic and Slovakia take Czechoslovakia's
    # ties, Germany West Germany's; Yemen (formed 1990-05-22) exists, but COW IGO's year read (1989) knows
    # only North Yemen, whose memberships it then takes
    kw = dict(data_dir=shared_data, components=COMPS, source="full", lag_years=5)
    missing = embeddedness("USA", "1995-06-01", **kw).set_index("ccode")
    inherit = embeddedness("USA", "1995-06-01", successors="inherit", **kw).set_index("ccode")
    for code in (316, 317, 255):
        assert np.isnan(missing.loc[code, "embeddedness"])
    for code, pred in ((316, 315), (317, 315), (255, 260)):
        assert inherit.loc[code, "inherited_from"] == pred
        assert inherit.loc[code, "igos"] == raw_joint_igos(raw_igo, 2, pred, 1989)
        assert inherit.loc[code, "alliances"] == raw_alliances(raw_atop, 2, pred, "1990-06-01")
    assert np.isnan(missing.loc[679, "igos"]) and missing.loc[679, "alliances"] == 0
    assert inherit.loc[679, "igos"] == raw_joint_igos(raw_igo, 2, 678, 1989)
    assert inherit.loc[679, "inherited_from"] == 678
    # a state with no predecessor stays NaN
    assert np.isnan(inherit.loc[349, "embeddedness"]) and pd.isna(inherit.loc[349, "inherited_from"])
    # nothing changes for states that existed
    same = missing.index[missing["embeddedness"].notna()]
    assert inherit.loc[same, "embeddedness"].equals(missing.loc[same, "embeddedness"])


def test_lagged_measure_reads_the_earlier_day(shared_data, raw_igo, raw_atop):
    e = embeddedness("France", "1991-01-17", data_dir=shared_data, components=COMPS, source="full", lag_years=1,
                     weights={"igos": 0.5}).set_index("ccode")
    assert e.attrs["measured_on"] == "1990-01-17" and e.attrs["years_used"] == {"alliances": 1990, "igos": 1989}
    for partner in (2, 200, 255 if 255 in e.index else 260):
        if np.isnan(e.loc[partner, "embeddedness"]):
            continue
        assert e.loc[partner, "alliances"] == raw_alliances(raw_atop, 220, partner, "1990-01-17")
        assert e.loc[partner, "igos"] == raw_joint_igos(raw_igo, 220, partner, 1989)
    assert np.allclose(e["embeddedness"], e["alliances"] + 0.5 * e["igos"], equal_nan=True)


# ---------------------------------------------------------------- staleness


def test_stale_data_are_visible(shared_data):
    with pytest.warns(StaleDataWarning, match="igos: data end in 2014"):
        e = embeddedness("USA", "2020-01-01", data_dir=shared_data, components=COMPS, source="full")
    assert e.attrs["years_used"] == {"alliances": 2016, "igos": 2014}
    assert "igos" in e.attrs["stale"] and e["igos"].notna().all()
    with pytest.warns(StaleDataWarning, match="NaN"):
        off = embeddedness("USA", "2016-06-01", data_dir=shared_data, components=COMPS, source="full",
                           carry_forward=False)
    assert off["igos"].isna().all() and off["alliances"].notna().any()
    with pytest.raises(CoverageError, match="carry_forward=True"), warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleDataWarning)
        embeddedness("USA", "2020-01-01", data_dir=shared_data, components=COMPS, source="full", carry_forward=False)
    # two years past the end is not stale yet
    with warnings.catch_warnings():
        warnings.simplefilter("error", StaleDataWarning)
        embeddedness("USA", "2016-06-01", data_dir=shared_data, components=["igos"], source="full")


def test_add_embeddedness_carries_forward_only_when_asked(shared_data):
    p = pd.DataFrame({"ccode": [200, 200], "lead_ccode": 2, "start_date": pd.to_datetime(["2003-03-20", "2019-01-01"])})
    with pytest.warns(StaleDataWarning):
        out = add_embeddedness(p, data_dir=shared_data, components=["igos"], source="full")
    assert out["igos"].notna().tolist() == [True, False]
    with pytest.warns(StaleDataWarning):
        fwd = add_embeddedness(p, data_dir=shared_data, components=["igos"], source="full", carry_forward=True)
    assert fwd["igos_year"].tolist() == [2002, 2014] and fwd.attrs["embeddedness"]["carry_forward"] is True


# ---------------------------------------------------------------- panel version, variants, errors


def test_add_embeddedness_matches_single_calls(shared_data, us2003):
    fr = embeddedness("FRA", "1991-01-17", data_dir=shared_data, components=COMPS, source="full")
    panel = pd.concat([
        pd.DataFrame({"coalition": "iraq2003", "lead_ccode": 2, "start_date": pd.Timestamp("2003-03-20"),
                      "ccode": us2003["ccode"]}),
        pd.DataFrame({"coalition": "gulf1991", "lead_ccode": 220, "start_date": pd.Timestamp("1991-01-17"),
                      "ccode": fr["ccode"]}),
    ], ignore_index=True)
    out = add_embeddedness(panel, data_dir=shared_data, components=COMPS, source="full")
    assert len(out) == len(panel) and "embeddedness" not in panel.columns
    for name, ref in (("iraq2003", us2003), ("gulf1991", fr)):
        got = out[out.coalition == name].set_index("ccode")
        want = ref.set_index("ccode").loc[got.index]
        for col in ("embeddedness", "igos", "alliances", "embeddedness_z", "igos_z"):
            assert np.allclose(got[col], want[col], equal_nan=True), (name, col)
    assert out.attrs["embeddedness"]["components"] == COMPS


def test_z_scores_are_sums_of_component_z(us2003):
    e = us2003
    zs = []
    for c in COMPS:
        v = e[c].to_numpy(float)
        zs.append((v - np.nanmean(v)) / np.nanstd(v))
    assert np.allclose(e["embeddedness_z"], zs[0] + zs[1], equal_nan=True)
    assert np.allclose(e["igos_z"], zs[1], equal_nan=True)


def test_sociability_is_the_partners_own_igo_count(us2003, raw_igo):
    e = us2003.set_index("ccode")
    for partner in (200, 710, 770):
        own = float(raw_igo.loc[(partner, 2002)].isin([1, 2]).sum())
        assert e.loc[partner, "sociability_igos"] == own


def test_overlapping_components_are_refused(shared_data):
    with pytest.raises(UnknownOptionError, match="trade_agreements and treaties_bilateral overlap"):
        embeddedness("USA", "2003-03-20", data_dir=shared_data, source="full",
                     components=["trade_agreements", "treaties_bilateral"])
    with pytest.raises(UnknownOptionError, match="overlap"):
        embeddedness("USA", "2003-03-20", data_dir=shared_data, source="full", components=["alliances", "defense_pacts"])


def test_unknown_lead_is_clear(shared_data):
    with pytest.raises(UnknownCountryError, match="Atlantis"):
        embeddedness("Atlantis", "2003-03-20", data_dir=shared_data, source="full")


def test_bad_dates_and_lags(shared_data):
    with pytest.raises(CoverageError, match="not a state-system member on 1900-01-01"):
        embeddedness("Canada", "1900-01-01", data_dir=shared_data, components=COMPS, source="full")
    with pytest.raises(CoverageError, match="2031"):
        embeddedness("USA", "2031-01-01", data_dir=shared_data, components=COMPS, source="full")
    with pytest.raises(CoverageError, match="cannot read date"):
        embeddedness("USA", "20th of March", data_dir=shared_data, components=COMPS, source="full")
    with pytest.raises(CoverageError, match="time zone"):
        embeddedness("USA", pd.Timestamp("2003-03-20", tz="UTC"), data_dir=shared_data, source="full")
    for lag in (-1, 1.5, 10**22):
        with pytest.raises(CoverageError, match="lag_years"):
            embeddedness("USA", "2003-03-20", data_dir=shared_data, components=COMPS, source="full", lag_years=lag)


def test_date_outside_every_component(shared_data):
    with pytest.raises(CoverageError, match="no component has data"):
        embeddedness("UKG", "1816-06-01", data_dir=shared_data, components=["igos"], source="full")  # IGOs of 1815
    with pytest.raises(CoverageError, match="measurement day 1811-06-01"):
        embeddedness("UKG", "1816-06-01", data_dir=shared_data, components=["igos"], source="full", lag_years=5)


def test_unknown_component_and_source(shared_data):
    with pytest.raises(UnknownOptionError, match="embassies"):
        embeddedness("USA", "2003-03-20", data_dir=shared_data, components=["igos", "embassies"], source="full")
    with pytest.raises(UnknownOptionError, match="source"):
        embeddedness("USA", "2003-03-20", data_dir=shared_data, source="cloud")
    with pytest.raises(UnknownOptionError, match="weight"):
        embeddedness("USA", "2003-03-20", data_dir=shared_data, components=COMPS, weights={"ptas": 2},
                     source="full")
    with pytest.raises(UnknownOptionError, match="successors"):
        embeddedness("USA", "2003-03-20", data_dir=shared_data, components=COMPS, successors="merge", source="full")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        embeddedness("USA", "2003-03-20", data_dir=shared_data, components=COMPS, source="full")


def test_full_source_missing_is_an_error(tmp_path):
    from coalitionlab.errors import MissingDataError

    with pytest.raises(MissingDataError):
        embeddedness("USA", "2003-03-20", data_dir=tmp_path, components=COMPS, source="full")


def test_add_embeddedness_rows_without_lead_or_date_are_nan(shared_data, us2003):
    from coalitionlab.errors import MissingValueWarning

    p = pd.DataFrame({"ccode": [200, 20, 200], "lead_ccode": [2.0, np.nan, 2.0],
                      "start_date": pd.to_datetime(["2003-03-20", "2003-03-20", None])})
    for comps in (["igos"], COMPS):
        with pytest.warns(MissingValueWarning, match="2 row"):
            out = add_embeddedness(p, data_dir=shared_data, components=comps, source="full")
        assert out["embeddedness"].iloc[1:].isna().all()
        uk = us2003.set_index("ccode").loc[200]
        assert out["embeddedness"].iloc[0] == (uk["igos"] if comps == ["igos"] else uk["embeddedness"])


def test_add_embeddedness_lead_names_are_an_error(shared_data):
    from coalitionlab.errors import PanelTypeError

    p = pd.DataFrame({"ccode": [200], "lead_ccode": ["USA"], "start_date": pd.to_datetime(["2003-03-20"])})
    with pytest.raises(PanelTypeError, match="'USA'.*ccodes"):
        add_embeddedness(p, data_dir=shared_data, components=["igos"], source="full")


def test_integer_years_mean_the_first_of_january(shared_data):
    p = pd.DataFrame({"ccode": [770], "lead_ccode": [2], "year": [2004]})
    out = add_embeddedness(p, date_col="year", data_dir=shared_data, components=["investment_treaties"],
                           source="full")
    # the Pakistan TIFA (2003-06-25) is in force on 2004-01-01; a 2004 treaty would not be
    day = embeddedness("USA", "2004-01-01", data_dir=shared_data, components=["investment_treaties"], source="full")
    assert out["investment_treaties"].iloc[0] == day.set_index("ccode").loc[770, "investment_treaties"]


# ---------------------------------------------------------------- the seed


def seed_counts_by_hand(day: str) -> pd.DataFrame:
    """The seed's alliances and IGOs with the USA on ``day``, from its three CSV files with pandas only.

    IGOs: organisations (the UN from its own table) where both are full or associate members on 31 December
    of the year before, the alliance organisations left out. Alliances: US bilateral treaties in force on the
    day, plus each multilateral treaty in force whose organisation the partner belongs to on the day, unless
    the partner's own row for that treaty has ended (the US suspended ANZUS for New Zealand in 1986).
    """
    from importlib.resources import files

    d = pd.Timestamp(day)
    folder = files("coalitionlab.data.seed")
    spells = pd.read_csv(folder / "igo_spells.csv", parse_dates=["start_date", "end_date"])
    un = pd.read_csv(folder / "un_membership.csv", parse_dates=["admission_date", "end_date"])
    spells = pd.concat([spells, un.rename(columns={"admission_date": "start_date"}).assign(org="un", status="full")])
    treaties = pd.read_csv(folder / "us_defence_treaties.csv", parse_dates=["in_force_date", "end_date"])

    def active(frame: pd.DataFrame, start: str, on: pd.Timestamp) -> pd.DataFrame:
        return frame[(frame[start] <= on) & (frame["end_date"].isna() | (frame["end_date"] >= on))]

    members = active(spells[spells["status"].isin(["full", "associate"])], "start_date", pd.Timestamp(d.year - 1, 12, 31))
    us_orgs = set(members.loc[members["ccode"] == 2, "org"]) - {"nato", "anzus", "seato", "cento", "warsaw", "rio"}
    out = pd.DataFrame({"igos": members[members["org"].isin(us_orgs)].groupby("ccode")["org"].nunique()})
    live = active(treaties, "in_force_date", d)
    bilateral = live[live["kind"] == "bilateral"].groupby("ccode").size()
    alliances: dict[int, int] = {int(c): int(n) for c, n in bilateral.items()}
    multi = treaties[treaties["kind"] == "multilateral"]
    for row in live[(live["kind"] == "multilateral") & live["ccode"].isna()].itertuples():
        for c in set(active(spells[spells["org"] == row.org], "start_date", d)["ccode"]) - {2}:
            own = multi[(multi["org"] == row.org) & (multi["ccode"] == c)]
            if len(own) == 0 or len(active(own, "in_force_date", d)):
                alliances[int(c)] = alliances.get(int(c), 0) + 1
    out = out.join(pd.Series(alliances, name="alliances", dtype=float), how="outer").fillna(0.0)
    return out.assign(embeddedness=out["alliances"] + out["igos"])


def test_seed_counts_the_us_defence_treaties_on_the_day(tmp_path):
    """Oracle: the seed's own CSV of US treaties, read with pandas and expanded by hand. No data location
    given (the test session's user data directory is empty): source="auto" falls back to the seed."""
    from importlib.resources import files

    from coalitionlab.data import seed
    from coalitionlab.errors import MissingDataError, SeedDataWarning

    with pytest.warns(SeedDataWarning, match="seed"):
        e = embeddedness("USA", "2003-03-20")
    assert e.attrs["is_seed"] is True and e.attrs["components"] == ["alliances", "igos"]
    raw = pd.read_csv(files("coalitionlab.data.seed") / "us_defence_treaties.csv",
                      parse_dates=["in_force_date", "end_date"])
    day = pd.Timestamp("2003-03-20")
    bil = raw[raw["kind"].eq("bilateral")]
    bil = bil[(bil["in_force_date"] <= day) & (bil["end_date"].isna() | (bil["end_date"] >= day))]
    got = e.set_index("ccode")["alliances"]
    # every state's counts, exactly, against the hand expansion of the seed's CSV files
    want = seed_counts_by_hand("2003-03-20").reindex(got.index).fillna(0.0)
    for col in ("alliances", "igos", "embeddedness"):
        np.testing.assert_array_equal(e.set_index("ccode")[col].to_numpy(), want[col].to_numpy(), err_msg=col)
    # the Philippines (840): 1951 Mutual Defense Treaty + 1999 Visiting Forces Agreement; Japan (740) 1960
    # treaty; Korea (732) 1954 treaty + 1967 status of forces agreement
    for code in (840, 740, 732):
        assert got.loc[code] == (bil["ccode"] == code).sum() >= 1
    # multilateral treaties count through the organisation's members: NATO for the UK and Turkey, Rio for Mexico
    assert got.loc[200] >= 1 and got.loc[640] >= 1 and got.loc[70] >= 1
    assert got.loc[365] == 0  # Russia: no US defence treaty
    # NATO counted once: the seed's igos leave the alliance organisations out
    spells = seed.igo_spells()
    orgs_uk = spells[(spells.ccode == 200) & (spells.start_date <= dt.datetime(2002, 12, 31))
                     & (spells.end_date.isna() | (spells.end_date >= dt.datetime(2002, 12, 31)))]["org"]
    orgs_us = spells[(spells.ccode == 2) & (spells.start_date <= dt.datetime(2002, 12, 31))
                     & (spells.end_date.isna() | (spells.end_date >= dt.datetime(2002, 12, 31)))]["org"]
    joint = set(orgs_uk) & set(orgs_us) - {"nato", "anzus", "seato", "cento", "warsaw", "rio"}
    assert e.set_index("ccode").loc[200, "igos"] == len(joint)
    with pytest.raises(MissingDataError, match="full sources"):
        embeddedness("USA", "2003-03-20", data_dir=tmp_path, components=["trade_agreements"], source="seed")
    with pytest.raises(CoverageError, match="no component has data"):
        embeddedness("USA", "1900-01-01", data_dir=tmp_path, source="seed")


def test_seed_for_another_lead_counts_igos_only():
    from coalitionlab.errors import SeedDataWarning

    with pytest.warns(SeedDataWarning):
        e = embeddedness("France", "1991-01-17")
    assert e.attrs["components"] == ["igos"] and e["igos"].notna().all()
    with pytest.warns(SeedDataWarning):
        a = embeddedness("France", "1991-01-17", components=["alliances", "igos"])
    others = a[a.ccode != 2]  # the seed lists the USA's treaties only: France-X is unknown, not zero
    assert others["alliances"].isna().all() and others["embeddedness"].isna().all()
    assert a.set_index("ccode").loc[2, "alliances"] == 1  # NATO, France-USA, known from the USA's list


@pytest.mark.parametrize("source", ["seed", "full"])
def test_security_split_is_a_partition(shared_data, source):
    """0 <= non-security <= total and security = total - non-security, on the seed and the full sources
    (an alliance organisation taken out of the IGO count twice made the seed's non-security total -1)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lead, day in (("USA", "2003-03-20"), ("USA", "1965-06-01"), ("France", "1991-01-17")):
            e = embeddedness(lead, day, data_dir=shared_data, source=source)
            ok = e["embeddedness"].notna()
            assert (e.loc[ok, "embeddedness_nonsecurity"] >= 0).all()
            assert (e.loc[ok, "embeddedness_nonsecurity"] <= e.loc[ok, "embeddedness"]).all()
            assert (e.loc[ok, "embeddedness_security"] >= 0).all()
            assert (e.loc[ok, "embeddedness_security"] <= e.loc[ok, "embeddedness"]).all()
    # (security = total - non-security by definition; the two parts are counted from the raw files below)


def test_security_and_nonsecurity_totals_from_the_raw_files_with_weights(shared_data, raw_igo, raw_atop):
    """Each part counted from COW IGO's state-year table and ATOP's member level, with weights other than 1:
    non-security = w_igos x the joint IGOs that are neither security organisations (SECURITY_IGOS, the
    measure's documented list) nor alliance organisations (counted as alliances); security = w_alliances x
    the ATOP alliances + w_igos x the joint security organisations that are not alliance organisations."""
    from coalitionlab.measures.igos import SECURITY_IGOS

    security = {s.lower() for s in SECURITY_IGOS}
    w = {"alliances": 2.0, "igos": 0.5}
    e = embeddedness("USA", "2003-03-20", data_dir=shared_data, components=COMPS, source="full",
                     weights=w).set_index("ccode")
    seen_security_igos = 0
    for partner in (200, 20, 640, 710, 365, 770, 740, 645):
        igos = raw_joint_igos(raw_igo, 2, partner, 2002)
        other = raw_joint_igos(raw_igo, 2, partner, 2002, drop=ALLIANCE_ORGS | security)
        alliances = raw_alliances(raw_atop, 2, partner, "2003-03-20")
        assert e.loc[partner, "embeddedness"] == pytest.approx(2.0 * alliances + 0.5 * igos), partner
        assert e.loc[partner, "embeddedness_nonsecurity"] == pytest.approx(0.5 * other), partner
        assert e.loc[partner, "embeddedness_security"] == pytest.approx(2.0 * alliances + 0.5 * (igos - other)), partner
        seen_security_igos += igos - other
    assert seen_security_igos > 0  # the partners share security organisations with the USA (EAPC, Wassenaar ...)


def test_a_lead_that_did_not_exist_on_the_measurement_day_is_an_error(shared_data, raw_igo):
    # the Czech Republic (from 1993-01-01) measured on 1990-01-01: an all-NaN table was returned silently
    with pytest.raises(CoverageError, match="measurement day 1990-01-01.*successors='inherit'"):
        embeddedness("Czech Republic", "2000-01-01", data_dir=shared_data, components=COMPS, source="full",
                     lag_years=10)
    e = embeddedness("Czech Republic", "2000-01-01", data_dir=shared_data, components=COMPS, source="full",
                     lag_years=10, successors="inherit").set_index("ccode")
    assert e.loc[2, "igos"] == raw_joint_igos(raw_igo, 315, 2, 1989)  # Czechoslovakia's, the year before


def test_inherited_sociability_follows_the_igo_year(shared_data, raw_igo):
    # Germany measured on 1990-12-14 existed, but COW IGO's 1989 knows only West Germany
    e = embeddedness("USA", "1995-12-14", data_dir=shared_data, components=COMPS, source="full", lag_years=5,
                     successors="inherit").set_index("ccode")
    assert e.loc[255, "sociability_igos"] == float(raw_igo.loc[(260, 1989)].isin([1, 2]).sum())


def test_panel_year_columns_stay_whole_numbers(shared_data):
    p = pd.DataFrame({"ccode": [200, 200], "lead_ccode": 2, "start_date": pd.to_datetime(["2003-03-20", "2019-01-01"])})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleDataWarning)
        out = add_embeddedness(p, data_dir=shared_data, components=["igos"], source="full")
    assert str(out["igos_year"].dtype) == "Int64" and out["igos_year"].tolist()[0] == 2002
    assert pd.isna(out["igos_year"].iloc[1])
