"""The embedded seed: internal consistency, spot facts, and agreement with COW IGO v3.

The seed is authored from public facts, never computed from the real files; here the real
files (../shared/data) are the reference it is checked against.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coalitionlab.data import load, seed
from coalitionlab.data.countries import cow_system
from coalitionlab.errors import CoverageError, UnknownOptionError

COW_END = pd.Timestamp("2024-12-31")

#: States whose memberships may start before their COW system entry, and why. COW enters a
#: state when it is sovereign and recognised (the Pacific and European microstates only on UN
#: admission, the FRG on 1955-05-05, Austria on 1955-07-27), but organisations admitted some
#: of them earlier. Membership must never outlast a state's COW lifetime.
PRE_ENTRY = {
    221: "Monaco: CSCE participant from 1973, COW entry at UN admission 1993",
    223: "Liechtenstein: CSCE 1973, Council of Europe 1978, COW entry at UN admission 1990",
    232: "Andorra: COW entry at UN admission 1993",
    260: "FRG: OEEC 1949, Council of Europe 1950, COW entry 1955-05-05",
    305: "Austria: OEEC 1948 under four-power occupation, COW re-entry 1955-07-27",
    331: "San Marino: CSCE 1973, Council of Europe 1988, COW entry at UN admission 1992",
    343: "North Macedonia: IMF succession to the SFRY effective 1992-12-14, COW entry 1993-04-08",
    369: "Ukraine: original UN member as the Ukrainian SSR",
    370: "Belarus: original UN member as the Byelorussian SSR",
    436: "Niger: UN admission 1960-09-20, COW entry 1960-10-03",
    581: "Comoros: OAU 1975-07-18 and UN 1975-11-12, COW entry 1975-12-31",
    404: "Guinea-Bissau: OAU admission 1973 before Portugal's recognition (COW 1974-09-10)",
    511: "Zanzibar: UN admission 1963-12-16, COW entry 1963-12-19",
    652: "Syria: original UN and Arab League member, COW entry 1946-04-17",
    660: "Lebanon: original UN and Arab League member, COW entry 1946-03-10",
    663: "Jordan: Arab League founder as Transjordan, COW entry 1946-03-22",
    698: "Oman: Arab League 1971-09-29, COW entry 1971-10-07",
    750: "India: original UN member, COW entry 1947-08-15",
    840: "Philippines: original UN member, COW entry 1946-07-04",
    860: "Timor-Leste: IMF 2002-07-23 after independence (2002-05-20), COW entry at UN admission 2002-09-27",
    935: "Vanuatu: Commonwealth at independence 1980-07-30, COW entry at UN admission 1981-09-15",
    946: "Kiribati: Commonwealth 1979, COW entry at UN admission 1999",
    947: "Tuvalu: Commonwealth 1978, COW entry at UN admission 2000",
    955: "Tonga: Commonwealth 1970, WTO, COW entry at UN admission 1999",
    970: "Nauru: Commonwealth special member 1968, COW entry at UN admission 1999",
    990: "Samoa: Commonwealth 1970, COW entry at UN admission 1976",
}


@pytest.fixture(scope="module")
def spells() -> pd.DataFrame:
    return seed.igo_spells()


@pytest.fixture(scope="module")
def system() -> pd.DataFrame:
    return cow_system()


# ---------------------------------------------------------------- stamps and shapes


@pytest.mark.parametrize("table", ["un_membership", "igo_spells", "igo_list", "us_defence_treaties",
                                   "igo_membership_long", "agreements_long", "describe"])
def test_every_table_is_stamped(table):
    df = getattr(seed, table)()
    assert df.attrs["is_seed"] is True
    assert df.attrs["source"] == "seed"
    assert df.attrs["version"] == seed.SEED_VERSION
    assert len(df) > 0


def test_tables_ship_in_the_package():
    from importlib import resources

    names = {p.name for p in resources.files("coalitionlab.data.seed").iterdir()}
    assert {"un_membership.csv", "igo_spells.csv", "igo_list.csv", "us_defence_treaties.csv",
            "README.md"} <= names


def test_every_row_has_a_source_note(spells):
    for df in (seed.un_membership(), spells, seed.igo_list(), seed.us_defence_treaties()):
        assert df["source"].notna().all()
        assert (df["source"].str.len() > 5).all()


def test_results_are_fresh_copies():
    a = seed.igo_spells()
    a.loc[0, "ccode"] = -1
    assert seed.igo_spells().loc[0, "ccode"] != -1


# ---------------------------------------------------------------- internal consistency


def test_every_ccode_is_a_cow_state(spells, system):
    known = set(system["ccode"])
    for df in (seed.un_membership(), spells, seed.us_defence_treaties()):
        unknown = set(df["ccode"]) - known
        assert not unknown, f"not COW states: {sorted(unknown)}"


def _outside_cow(spells: pd.DataFrame, system: pd.DataFrame) -> pd.DataFrame:
    """Days of each spell outside the state's COW spells, and how many of them precede its (re-)entry."""
    s = spells.reset_index(drop=True).assign(row=lambda d: d.index)
    s["end"] = s["end_date"].fillna(COW_END).clip(upper=COW_END)
    s = s[s["end"] >= s["start_date"]]  # memberships beginning after the COW list ends
    # COW v2024 splits ccode 345 into Yugoslavia and Serbia on 2006-06-03: merge abutting spells
    system = system.sort_values(["ccode", "start_date"])
    new_run = system["start_date"] > system.groupby("ccode")["end_date"].shift() + pd.Timedelta(days=1)
    system = system.assign(run=new_run.groupby(system["ccode"]).cumsum()).groupby(["ccode", "run"], as_index=False) \
        .agg(start_date=("start_date", "min"), end_date=("end_date", "max"))
    pairs = s.merge(system[["ccode", "start_date", "end_date"]], on="ccode", suffixes=("", "_cow"))
    lo = np.maximum(pairs["start_date"], pairs["start_date_cow"])
    hi = np.minimum(pairs["end"], pairs["end_date_cow"])
    pairs["overlap"] = (hi - lo).dt.days.add(1).clip(lower=0)
    overlap = pairs.groupby("row")["overlap"].sum().reindex(s["row"], fill_value=0).to_numpy()
    # the (re-)entry a spell leads up to: the last COW spell start on or before the spell's end
    starts = pairs[pairs["start_date_cow"] <= pairs["end"]].groupby("row")["start_date_cow"].max()
    entry = pd.Series(starts.reindex(s["row"]).to_numpy(), index=s.index)
    # a spell wholly before the state's first entry (Nauru's special membership from 1968)
    entry = entry.fillna(s["ccode"].map(system.groupby("ccode")["start_date"].min()))
    before = (np.minimum(entry, s["end"] + pd.Timedelta(days=1)) - s["start_date"]).dt.days.clip(lower=0)
    total = (s["end"] - s["start_date"]).dt.days + 1
    return s.assign(outside=total.to_numpy() - overlap, before=before.to_numpy())


def test_spells_lie_inside_cow_lifetimes(spells, system):
    un = seed.un_membership().rename(columns={"admission_date": "start_date"}).assign(org="un_table")
    checked = pd.concat([spells, un], ignore_index=True)
    out = _outside_cow(checked, system)
    bad = out[out["outside"] > out["before"]]  # outside after entry: in a gap or after exit
    assert bad.empty, bad[["org", "ccode", "start_date", "end_date", "outside"]].to_string()
    early = out[out["before"] > 0]
    unexplained = sorted(set(early["ccode"]) - set(PRE_ENTRY))
    assert not unexplained, early[early["ccode"].isin(unexplained)][["org", "ccode", "start_date"]].to_string()


def test_dates_are_ordered(spells):
    assert (spells["end_date"].isna() | (spells["end_date"] >= spells["start_date"])).all()
    t = seed.us_defence_treaties()
    assert (t["in_force_date"] >= t["signed_date"]).all()
    assert (t["end_date"].isna() | (t["end_date"] >= t["in_force_date"])).all()
    assert (spells["end_date"].dropna() <= seed.REFERENCE_DATE).all()


def test_no_duplicate_or_overlapping_spells(spells):
    s = spells.sort_values(["org", "ccode", "start_date"])
    assert not s.duplicated(["org", "ccode", "start_date"]).any()
    prev_end = s.groupby(["org", "ccode"])["end_date"].shift()
    same = s.groupby(["org", "ccode"]).cumcount() > 0
    # every later spell starts after the previous one ended (which must have ended)
    assert (~same | (prev_end.notna() & (s["start_date"] > prev_end))).all(), \
        s[same & ~(prev_end.notna() & (s["start_date"] > prev_end))].to_string()


def test_spells_sit_inside_their_organisation(spells):
    orgs = seed.igo_list().set_index("org")
    assert set(spells["org"]) == set(orgs.index)
    s = spells.join(orgs[["founded_date", "dissolved_date"]], on="org")
    assert (s["start_date"] >= s["founded_date"]).all(), s[s["start_date"] < s["founded_date"]].to_string()
    dead = s["dissolved_date"].notna()
    assert s.loc[dead, "end_date"].notna().all()
    assert (s.loc[dead, "end_date"] <= s.loc[dead, "dissolved_date"]).all()


def test_statuses_and_flags_are_valid(spells):
    assert set(spells["status"]) <= {"full", "associate", "observer"}
    orgs = seed.igo_list()
    for flag in ("is_security", "political", "economic", "social"):
        assert set(orgs[flag]) <= {0, 1}
    # each organisation has exactly one COW-style issue area
    assert (orgs[["political", "economic", "social"]].sum(axis=1) == 1).all()
    assert set(orgs.loc[orgs["is_security"].eq(1), "org"]) == {"nato", "anzus", "seato", "cento", "warsaw", "rio"}


def test_193_current_un_members_all_in_the_system(system):
    un = seed.un_membership()
    current = un[un["end_date"].isna()]
    assert len(current) == 193
    assert current["ccode"].is_unique
    alive = set(system.loc[system["end_date"] >= COW_END, "ccode"])
    assert set(current["ccode"]) <= alive
    # every state alive in the COW system at its end is a UN member, except Taiwan and Kosovo
    assert alive - set(current["ccode"]) == {713, 347}


# ---------------------------------------------------------------- spot facts


def _dates(spells, org, ccode, column="start_date"):
    rows = spells[(spells["org"] == org) & (spells["ccode"] == ccode)]
    return [None if pd.isna(d) else str(d.date()) for d in rows[column]]


def test_nato_spot_facts(spells):
    nato = spells[spells["org"] == "nato"]
    assert (nato["start_date"] == "1949-08-24").sum() == 12
    assert _dates(spells, "nato", 230) == ["1982-05-30"]
    assert _dates(spells, "nato", 350) == _dates(spells, "nato", 640) == ["1952-02-18"]
    assert _dates(spells, "nato", 343) == ["2020-03-27"]
    assert _dates(spells, "nato", 375) == ["2023-04-04"]
    assert _dates(spells, "nato", 380) == ["2024-03-07"]
    assert _dates(spells, "nato", 220, "end_date") == [None]  # France stayed a member after 1966
    long = seed.igo_membership_long(years=2024)
    assert (long["ioname"] == "nato").sum() == 32


def test_other_spot_facts(spells):
    assert _dates(spells, "eu", 200, "end_date") == ["2020-01-31"]
    assert _dates(spells, "seato", 770, "end_date") == ["1973-11-07"]
    assert _dates(spells, "oas", 40) == ["1948-04-30", "2009-06-03"]
    assert _dates(spells, "oas", 40, "end_date")[0] == "1962-01-31"
    assert _dates(spells, "arab_league", 651) == ["1945-03-22", "1989-05-23"]
    assert _dates(spells, "commonwealth", 560) == ["1931-12-11", "1994-06-01"]
    assert _dates(spells, "anzus", 920, "end_date") == [None]
    nz = seed.us_defence_treaties().query("ccode == 920 and org == 'anzus'")
    assert nz["end_date"].dt.year.tolist() == [1986]
    imf = spells[(spells["org"] == "imf") & spells["end_date"].isna()]
    assert len(imf) == 190 and 347 in set(imf["ccode"])  # 190 members, Kosovo among them
    assert _dates(spells, "imf", 290) == ["1946-01-10", "1986-06-12"]  # Poland left 1950
    un = seed.un_membership()
    assert un.query("ccode == 710")["admission_date"].dt.year.tolist() == [1945, 1971]
    assert un.query("ccode == 713")["end_date"].dt.date.astype(str).tolist() == ["1971-10-25"]


def test_year_rule_is_31_december():
    long = seed.igo_membership_long(years=[2019, 2020], system_only=False)
    uk = long[(long["ccode"] == 200) & (long["ioname"] == "eu")]
    assert uk["year"].tolist() == [2019]  # left 2020-01-31: not a member on 2020-12-31
    anyday = seed.igo_membership_long(years=[2019, 2020], rule="any")
    assert anyday.query("ccode == 200 and ioname == 'eu'")["year"].tolist() == [2019, 2020]
    spain = seed.igo_membership_long(years=[1981, 1982])
    assert spain.query("ccode == 230 and ioname == 'nato'")["year"].tolist() == [1982]


def test_membership_long_has_the_cow_igo_shape(shared_data):
    cow = load("cow_igo", shared_data)
    mine = seed.igo_membership_long()
    assert list(mine.columns) == list(cow.columns) == ["ccode", "year", "ioname", "status"]
    assert mine.dtypes.astype(str).tolist()[:2] == cow.dtypes.astype(str).tolist()[:2]
    assert set(mine["status"]) <= {1, 2, 3}
    assert not mine.duplicated(["ccode", "year", "ioname"]).any()


def test_system_only_drops_pre_entry_years():
    kept = seed.igo_membership_long(years=1946, system_only=False)
    assert 750 in set(kept.query("ioname == 'un'")["ccode"])  # India, a member before independence
    assert 750 not in set(seed.igo_membership_long(years=1946).query("ioname == 'un'")["ccode"])


def test_agreements_long():
    a = seed.agreements_long(years=[1979, 1980])
    assert set(a["ccode1"]) == {2}
    roc = a[(a["ccode2"] == 713)]
    assert roc["year"].tolist() == [1979]  # ended 1980-01-01: in force on 1979-12-31 only
    assert set(a["kind"]) == {"bilateral"}
    pacts = seed.agreements_long(years=2000, defence_pacts_only=True)
    assert {732, 740, 840, 983, 986, 987} <= set(pacts["ccode2"])
    assert 230 not in set(pacts["ccode2"])  # Spain's bases agreements carry no defence commitment


def test_multilateral_treaties_follow_the_spells(spells):
    t = seed.us_defence_treaties()
    nato = t[t["org"] == "nato"]
    members = spells[(spells["org"] == "nato") & (spells["ccode"] != 2)]
    assert set(nato["ccode"]) == set(members["ccode"])
    mexico = t[(t["org"] == "rio") & (t["ccode"] == 70)]
    assert mexico["end_date"].dt.date.astype(str).tolist() == ["2004-09-06"]


def test_bad_years_and_options_are_clear():
    with pytest.raises(CoverageError, match="2030"):
        seed.igo_membership_long(years=2030)
    with pytest.raises(CoverageError, match="1940 outside the seed's coverage 1945-2024"):
        seed.agreements_long(years=range(1940, 1950))
    with pytest.raises(CoverageError, match="empty"):
        seed.agreements_long(years=[])
    with pytest.raises(UnknownOptionError, match="'dec31', 'any'"):
        seed.igo_membership_long(rule="june30")


def test_describe():
    d = seed.describe()
    assert list(d.columns) == ["table", "rows", "first_year", "last_year", "version"]
    assert d.set_index("table").loc["un_membership", "rows"] == len(seed.un_membership())
    assert (d["last_year"] <= seed.LAST_YEAR).all()
    long = d.set_index("table").loc["igo_membership_long"]
    assert (long["first_year"], long["last_year"]) == (seed.FIRST_YEAR, seed.LAST_YEAR) == (1945, 2024)


# ---------------------------------------------------------------- cross-check against COW IGO v3


def _agreement(shared_data, rule: str = "dec31") -> pd.DataFrame:
    """Per organisation: COW and seed state-years (full or associate), both, agreement share.

    Compared over the years both cover: from the later of the seed's founding and COW's first
    year for the IGO, to 2014 (COW's last year), on COW system members only.
    """
    cow = load("cow_igo", shared_data)
    cow = cow[cow["status"].isin([1, 2])]
    mine = seed.igo_membership_long(rule=rule)
    mine = mine[mine["status"].isin([1, 2]) & (mine["year"] <= 2014)]
    rows = []
    for org in seed.igo_list().dropna(subset=["cow_ioname"]).itertuples():
        c = cow.loc[cow["ioname"] == org.cow_ioname, ["ccode", "year"]]
        lo = max(org.founded_date.year, int(c["year"].min()))
        m = mine.loc[(mine["ioname"] == org.org) & (mine["year"] >= lo), ["ccode", "year"]]
        c = c[c["year"] >= lo]
        j = c.merge(m, how="outer", indicator=True)
        both = int((j["_merge"] == "both").sum())
        rows.append({"org": org.org, "cow": len(c), "seed": len(m), "both": both,
                     "only_cow": int((j["_merge"] == "left_only").sum()),
                     "only_seed": int((j["_merge"] == "right_only").sum()), "agreement": both / len(j)})
    return pd.DataFrame(rows)


def test_seed_agrees_with_cow_igo(shared_data):
    table = _agreement(shared_data)
    union = table["cow"] + table["seed"] - table["both"]
    overall = table["both"].sum() / union.sum()
    print("\nseed vs COW IGO v3 (state-years, full or associate, 31 December rule)")
    print(table.round(3).to_string(index=False))
    print(f"overall agreement {overall:.4f}")
    assert len(table) >= 20
    assert overall >= 0.98
    # the large organisations, where COW is most reliable, agree closely
    big = table.set_index("org").loc[["un", "nato", "eu", "oas", "osce", "wto", "imf", "oecd", "commonwealth"]]
    assert (big["agreement"] >= 0.97).all(), big
    # the weakest are the small pre-1965 pacts, where COW interpolates 5-yearly observations
    assert (table["agreement"] >= 0.75).all(), table


def test_year_rule_explains_most_end_year_disagreement(shared_data):
    dec31 = _agreement(shared_data, "dec31").set_index("org")
    anyday = _agreement(shared_data, "any").set_index("org")
    # COW counts the year a membership (or the IGO) ends; with that rule the seed agrees more
    assert anyday["only_cow"].sum() < dec31["only_cow"].sum()
    for org in ("seato", "warsaw", "oau"):
        assert anyday.loc[org, "agreement"] > dec31.loc[org, "agreement"]


# ---------------------------------------------------------------- offline use and damaged tables


def test_seed_needs_no_data_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("COALITIONLAB_DATA", str(tmp_path / "nowhere"))
    assert len(seed.igo_membership_long(years=2000)) > 0
    assert len(seed.agreements_long(years=2000)) > 0


@pytest.mark.parametrize(("column", "value", "message"), [
    ("start_date", "1949-13-01", "not a YYYY-MM-DD date: '1949-13-01'"),
    ("start_date", "", "not a YYYY-MM-DD date: ''"),
    ("ccode", "USA", "not an integer: 'USA'"),
])
def test_damaged_table_names_column_and_row(column, value, message):
    from importlib import resources

    from coalitionlab.data.seed import _parse
    from coalitionlab.errors import DataFileError

    with resources.as_file(resources.files("coalitionlab.data.seed") / "igo_spells.csv") as path:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw.loc[41, column] = value
    with pytest.raises(DataFileError, match=message) as info:
        _parse(raw, "igo_spells.csv")
    assert (info.value.column, info.value.row) == (column, 43)  # data row 42 is file line 43


def test_wrong_columns_are_named():
    from coalitionlab.data.seed import _parse
    from coalitionlab.errors import DataFileError

    raw = pd.DataFrame({"org": ["nato"], "ccode": ["2"]})
    with pytest.raises(DataFileError, match="expected"):
        _parse(raw, "igo_spells.csv")


def test_us_defence_pacts_agree_with_atop(shared_data):
    """Every seed US bilateral defence-pact year is an ATOP defence obligation, except the Compacts.

    ATOP v4 does not code the Compacts of Free Association (FSM, Marshall Islands, Palau) as
    alliances; the seed counts them as defence pacts because the US is bound to defend them.
    """
    atop = load("atop_dyads", shared_data)
    atop = atop[(atop["ccode1"] == 2) & (atop["atop_defense"] == 1)][["ccode2", "year"]]
    mine = seed.agreements_long(defence_pacts_only=True)
    mine = mine[mine["year"] <= int(atop["year"].max())][["ccode2", "year"]].drop_duplicates()
    j = mine.merge(atop, how="left", indicator=True)
    missing = j[j["_merge"] == "left_only"]
    print("\nseed US defence-pact years not in ATOP:",
          missing.groupby("ccode2")["year"].agg(["min", "max", "count"]).to_dict("index"))
    assert set(missing["ccode2"]) == {983, 986, 987}
    assert len(j) - len(missing) >= 350


def test_us_multilateral_treaty_partners_agree_with_atop(shared_data):
    """Rio, NATO, ANZUS and SEATO partner-years (31 December rule) are all ATOP US defence dyads."""
    from coalitionlab.data.seed import _expand_years

    atop = load("atop_dyads", shared_data)
    atop = atop[(atop["ccode1"] == 2) & (atop["atop_defense"] == 1)][["ccode2", "year"]]
    multi = seed.us_defence_treaties().query("kind == 'multilateral'").reset_index(drop=True)
    rows, years = _expand_years(multi["in_force_date"], multi["end_date"])
    mine = pd.DataFrame({"ccode2": multi["ccode"].to_numpy()[rows], "year": years,
                         "org": multi["org"].to_numpy()[rows]})
    mine = mine[mine["year"] <= int(atop["year"].max())]
    j = mine.merge(atop, how="left", indicator=True)
    assert set(mine["org"]) == {"rio", "nato", "anzus", "seato"}
    assert len(mine) > 2000
    missing = j[j["_merge"] != "both"]
    assert missing.empty, missing.groupby(["org", "ccode2"])["year"].agg(["min", "max"])


def test_issue_area_flags_match_cow(shared_data):
    """The seed's political / economic / social flags equal COW IGO v3's for every matched IGO."""
    cow = load("cow_igo_list", shared_data).set_index("ioname")[["political", "economic", "social"]]
    orgs = seed.igo_list().dropna(subset=["cow_ioname"]).set_index("cow_ioname")[["political", "economic", "social"]]
    assert set(orgs.index) <= set(cow.index)
    theirs = cow.loc[orgs.index].astype("int64")
    assert (orgs.astype("int64") == theirs).all().all(), orgs.compare(theirs)
