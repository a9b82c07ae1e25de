"""COW-coded sources load from the real files in ../shared/data, validate, and match their READMEs.

Row counts and spot facts come from each folder's README or the dataset's codebook; the cache
test checks that a second load is the same frame; the damage tests write a copy of a real file
with one defect to ``tmp_path`` and expect a :class:`DataFileError` naming the column.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pandas as pd
import pytest

from coalitionlab.data import get_source, load
from coalitionlab.data.registry import file_sha256, register
from coalitionlab.errors import DataFileError

# name -> rows stated in the folder README (or counted from the file and stated in docs/data/sources.md)
ROWS = {
    "cow_states": 244,
    "archigos_leaders": 3_381,
    "cow_igo": 538_965,
    "cow_igo_list": 534,
    "atop_members": 2_397,  # README 2,398 member-phase rows, less one member with ATOP's non-COW code 8152
    "atop_alliances": 745,
    "atop_dyads": 273_296,
    "nmc": 17_121,
    "contiguity": 1_874,
    "capitals": 242,
    "distances": 952_244,
    "democracy": 17_706,
    "gdp_population": 16_536,
    "gw_cow_panel": 17_706,  # README 17,916 less 210 GW-only state-years without a COW code
    "un_ideal_points": 11_238,
    "us_troops": 12_157,  # README 13,135 less 946 territory rows, 29 duplicate spellings, 3 pre-1990 679 rows
    "us_bases": 413,  # README 414 less one exact duplicate
    "us_construction": 147,  # host-years summed from the 3,364 project rows with a ccode
    "cow_war_inter": 1_932,
    "pko_contingent_fatalities": 2_477,  # README 2,492 less 15 rows without a COW contributor
    "pko_un_nonun": 8_100,
    "tago_us_force": 288,
    "cow_igo_ndy": 917_695,
    "cow_igo_states_year": 15_557,
    "cow_igo_roster": 15_557,  # the rows of COW's state_year_formatv3 (README of cow_igo)
}
# the largest files are read from CSV once per session (into the session cache), never again
LARGE = {"distances", "cow_igo_ndy"}


@pytest.mark.parametrize("name", sorted(ROWS))
def test_source_loads_with_readme_rows_and_unique_key(name: str, shared_data: Path) -> None:
    source = get_source(name)
    df = load(name, shared_data)
    assert len(df) == ROWS[name]
    assert source.key, f"{name} declares no key"
    assert not df.duplicated(list(source.key)).any()
    assert df.attrs["source"] == name
    assert df.attrs["version"] == source.version
    assert set(df.attrs["files"]) == set(source.files)
    for file, digest in df.attrs["files"].items():
        assert digest == file_sha256(shared_data / source.folder / file)
    for column in df.columns:
        if column.endswith("_date"):
            assert df[column].dtype == "datetime64[ns]", column
    if "year" in df.columns:
        assert df["year"].dtype == "int64"
        assert df["year"].between(source.first_year, source.last_year).all()


def test_derived_row_counts_recomputed_from_the_raw_files(shared_data: Path) -> None:
    """The ROWS entries that differ from their README, recomputed from the raw files with plain pandas."""
    atop = pd.read_csv(shared_data / "atop_v4" / "atop4_01_member_level.csv.gz", usecols=["member"])
    assert len(atop) == 2_398 and ROWS["atop_members"] == (atop["member"] < 1000).sum()  # 8152 is ATOP's own code
    bases = pd.read_csv(shared_data / "us_military_presence" / "basedata_vine.csv")
    assert len(bases) == 414 and ROWS["us_bases"] == len(bases.drop_duplicates())
    igo = pd.read_csv(shared_data / "cow_igo" / "igo_membership_long.csv.gz", usecols=["status"])
    assert ROWS["cow_igo"] == len(igo) and igo["status"].value_counts().to_dict() == {1: 535_772, 3: 2_332, 2: 861}


@pytest.mark.parametrize("name", sorted(set(ROWS) - LARGE))
def test_second_load_comes_from_cache(name: str, shared_data: Path, tmp_path: Path) -> None:
    first = load(name, shared_data, cache_dir=tmp_path)  # read from the files (empty cache), then cached
    assert len(list(tmp_path.glob(f"{name}-*.parquet"))) == 1
    source = get_source(name)

    def no_reading(paths: dict) -> pd.DataFrame:
        raise AssertionError(f"{name} was read again instead of coming from the cache")

    register(dataclasses.replace(source, reader=no_reading))
    try:
        second = load(name, shared_data, cache_dir=tmp_path)
    finally:
        register(source)
    pd.testing.assert_frame_equal(first, second)
    assert second.attrs == first.attrs


# ---------------------------------------------------------------- spot facts


def test_cow_states_usa_since_1816_and_germany_spells(shared_data: Path) -> None:
    states = load("cow_states", shared_data)
    usa = states[states.ccode == 2]
    assert len(usa) == 1
    assert usa.iloc[0].start_date == pd.Timestamp("1816-01-01")
    assert usa.iloc[0].end_date == pd.Timestamp("2024-12-31")
    assert usa.iloc[0].stateabb == "USA"
    # Germany (255) has two spells, broken by occupation 1945-1990
    germany = states[states.ccode == 255].sort_values("start_date")
    assert list(germany.end_date.dt.year) == [1945, 2024]
    # v2024 splits 345 into Yugoslavia and Serbia on 2006-06-03
    serbia = states[(states.ccode == 345) & (states.stateabb == "SRB")]
    assert serbia.iloc[0].start_date == pd.Timestamp("2006-06-03")
    assert (states.end_date >= states.start_date).all()


def test_cow_igo_nato_and_usa_2014(shared_data: Path) -> None:
    igo = load("cow_igo", shared_data)
    nato_1950 = igo[(igo.ccode == 2) & (igo.year == 1950) & (igo.ioname == "NATO")]
    assert nato_1950.status.tolist() == [1]
    assert len(igo[(igo.ccode == 2) & (igo.year == 2014)]) == 93  # README sanity check
    assert igo.status.value_counts().to_dict() == {1: 535_772, 3: 2_332, 2: 861}
    # NATO does not exist before 1949
    assert igo[(igo.ioname == "NATO") & (igo.year < 1949)].empty


def test_cow_igo_list_matches_membership_and_fate_flags(shared_data: Path) -> None:
    igos = load("cow_igo_list", shared_data)
    members = load("cow_igo", shared_data)
    assert set(members.ioname) <= set(igos.ioname)
    nato = igos.set_index("ioname").loc["NATO"]
    assert nato.start_year == 1949 and pd.isna(nato.end_year) and not nato.is_dead and nato.political == 1
    pcb = igos.set_index("ioname").loc["PCB"]  # Pacific Cable Board, 1920-1928
    assert pcb.end_year == 1928 and pcb.is_dead
    assert igos.is_dead.sum() == igos.end_year.notna().sum()
    # COW sets integrated/replaced in an IGO's last year: counted here from the raw IGO-year file
    raw = pd.read_csv(shared_data / "cow_igo" / "igo_year_formatv3.csv.gz", usecols=["ioname", "integrated", "replaced"])
    ends = raw.groupby("ioname")[["integrated", "replaced"]].max()
    assert igos.is_integrated.sum() == (ends["integrated"] == 1).sum() == 25
    assert igos.is_replaced.sum() == (ends["replaced"] == 1).sum() == 35
    assert (igos.end_year.dropna() >= igos.start_year[igos.end_year.notna()]).all()


def test_atop_members_us_japan_and_nato(shared_data: Path) -> None:
    members = load("atop_members", shared_data)
    us = members[members.ccode == 2]
    japan = members[members.ccode == 740]
    shared = us.merge(japan, on="atopid", suffixes=("_us", "_jpn"))
    # the 1960 Treaty of Mutual Cooperation and Security (3375) is a defence pact still in force in 2016
    pact = shared[shared.start_date_us.dt.year == 1960].iloc[0]
    assert pact.atopid == 3375 and pact.defense_us == 1 and pact.is_in_effect_us
    assert pd.isna(pact.end_date_us) and pd.isna(pact.end_date_jpn)
    # its 1951 predecessor (3220) ended in 1960
    assert shared[shared.atopid == 3220].end_date_us.dt.year.tolist() == [1960]
    # NATO (3180): two phases for the founders, split when the 1951 protocol admitted Greece and Turkey
    nato = members[(members.atopid == 3180) & (members.ccode == 2)].sort_values("phase")
    assert nato.start_date.tolist() == [pd.Timestamp("1949-04-04"), pd.Timestamp("1951-06-19")]
    assert nato.defense.tolist() == [1, 1] and nato.end_date.isna().tolist() == [False, True]
    assert (members.end_date.isna() == members.is_in_effect).all()
    # rows with an unknown entry or exit day (blank or 0; exit year 0 = still in force), from the raw file
    raw = pd.read_csv(shared_data / "atop_v4" / "atop4_01_member_level.csv.gz")
    raw = raw[raw["member"] < 1000]  # ATOP's own code 8152 is not a COW state (dropped by the loader)

    def unknown(day: pd.Series) -> pd.Series:
        return day.isna() | (day == 0)

    approximate = unknown(raw["dayent"]) | ((raw["yrexit"] != 0) & unknown(raw["dayexit"]))
    assert members.is_date_approximate.sum() == approximate.sum() == 36
    assert members.ccode.max() < 1000


def test_atop_alliances_members_add_up(shared_data: Path) -> None:
    alliances = load("atop_alliances", shared_data)
    members = load("atop_members", shared_data)
    raw = pd.read_csv(shared_data / "atop_v4" / "atop4_01_alliance_level.csv")
    assert alliances.n_members.sum() == raw.filter(regex=r"^mem\d+$").notna().sum().sum() == 2_155  # mem1, mem2 ...
    assert set(members.atopid) <= set(alliances.atopid)
    assert alliances.is_in_effect.sum() == (raw["ineffect"] == 1).sum() == 334
    nato = alliances.set_index("atopid").loc[3180]
    assert nato.start_date == pd.Timestamp("1949-04-04") and nato.defense == 1 and nato.is_in_effect


def test_atop_dyads_directed_with_both_orderings(shared_data: Path) -> None:
    dyads = load("atop_dyads", shared_data)
    flipped = dyads.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
    both = dyads.merge(flipped, on=["ccode1", "ccode2", "year"], suffixes=("", "_rev"))
    assert len(both) == len(dyads)  # every dyad-year appears in both orders
    # ... but obligations can be one-sided, so the file is directed
    raw = pd.read_csv(shared_data / "peacesciencer" / "atop_alliance.csv.gz")
    raw_both = raw.merge(raw.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"}), on=["ccode1", "ccode2", "year"])
    one_sided = (raw_both["atop_defense_x"] != raw_both["atop_defense_y"]).sum()
    assert (both.atop_defense != both.atop_defense_rev).sum() == one_sided == 984
    us_japan = dyads[(dyads.ccode1 == 2) & (dyads.ccode2 == 740) & dyads.year.between(1960, 2018)]
    assert len(us_japan) == 2018 - 1960 + 1 and (us_japan.atop_defense == 1).all()  # every year of the 1960 treaty
    # the 1960 treaty obliges the USA to defend Japan, not Japan to defend the USA
    jp_us = dyads[(dyads.ccode1 == 740) & (dyads.ccode2 == 2) & (dyads.year == 2000)]
    assert jp_us.atop_defense.tolist() == [0] and jp_us.atop_consul.tolist() == [1]


def test_nmc_usa_1945(shared_data: Path) -> None:
    nmc = load("nmc", shared_data)
    usa = nmc[(nmc.ccode == 2) & (nmc.year == 1945)].iloc[0]
    assert usa.cinc == pytest.approx(0.383864, abs=1e-6)
    assert usa.milper == 12_123 and usa.tpop == 139_928
    # CINC shares sum to one or a little more each year (measured: 1.000 to 1.075, max in 1860), since
    # states with missing components keep shares computed over their available components
    assert nmc.groupby("year").cinc.sum().between(0.9999, 1.08).all()
    assert not (nmc[["milex", "milper", "irst", "pec", "tpop", "upop"]] < 0).any().any()


def test_contiguity_directed_and_us_canada(shared_data: Path) -> None:
    cont = load("contiguity", shared_data)
    flipped = cont.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
    assert len(cont.merge(flipped, on=["ccode1", "ccode2", "conttype", "start_date", "end_date"])) == len(cont)
    us_can = cont[(cont.ccode1 == 2) & (cont.ccode2 == 20)].iloc[0]
    assert us_can.conttype == 1 and us_can.start_date == pd.Timestamp("1920-01-01")
    raw = pd.read_csv(shared_data / "peacesciencer" / "cow_contdir.csv")
    assert cont.is_contiguous.sum() == raw["conttype"].between(1, 5).sum() == 1_874 - 180  # 180 rows of type 0
    assert (cont.start_date.dt.day == 1).all()  # month precision


def test_capitals_and_distances(shared_data: Path) -> None:
    caps = load("capitals", shared_data)
    assert caps[caps.ccode == 2].capital.tolist() == ["Washington D.C."]
    brazil = caps[caps.ccode == 140].sort_values("start_date")
    assert brazil.capital.tolist() == ["Rio de Janeiro", "Brasilia"]
    assert brazil.start_date.iloc[1] == pd.Timestamp("1960-04-21")
    dist = load("distances", shared_data)  # from the session cache
    assert (dist.ccode1 < dist.ccode2).all()
    assert dist[(dist.ccode1 == 2) & (dist.ccode2 == 20) & (dist.year == 2000)].mindist.tolist() == [0.0]
    us_japan = dist[(dist.ccode1 == 2) & (dist.ccode2 == 740) & (dist.year == 2000)].mindist.iloc[0]
    assert 500 < us_japan < 10_000  # Aleutians to Japan's islands, thousands of km at most


def test_democracy_usa(shared_data: Path) -> None:
    dem = load("democracy", shared_data)
    usa = dem[dem.ccode == 2].set_index("year")
    assert usa.loc[2020, "polity2"] == 5 and usa.loc[1816, "polity2"] == 6
    assert pd.isna(usa.loc[2025, "polity2"])  # Polity5 ends in 2018
    assert dem.polity2.dropna().between(-10, 10).all()


# ---------------------------------------------------------------- damaged copies fail clearly


def _copy_source(name: str, shared_data: Path, tmp_path: Path) -> Path:
    source = get_source(name)
    (tmp_path / source.folder).mkdir(parents=True, exist_ok=True)
    for file in source.files:
        shutil.copy(shared_data / source.folder / file, tmp_path / source.folder / file)
    return tmp_path / source.folder


def test_duplicated_state_spell_names_key_column(shared_data: Path, tmp_path: Path) -> None:
    folder = _copy_source("cow_states", shared_data, tmp_path)
    raw = pd.read_csv(folder / "statelist2024.csv")
    dup = raw.iloc[[0]].assign(statenme="United States again")
    pd.concat([raw, dup]).to_csv(folder / "statelist2024.csv", index=False)
    with pytest.raises(DataFileError, match="uniqueness") as info:
        load("cow_states", tmp_path, cache=False)
    assert info.value.column in {"ccode", "start_date"}
    assert info.value.row in {2, 246}  # the file lines of the USA row and of its copy (header = line 1)


def test_igo_status_outside_codebook_names_status(shared_data: Path, tmp_path: Path) -> None:
    folder = _copy_source("cow_igo", shared_data, tmp_path)
    raw = pd.read_csv(folder / "igo_membership_long.csv.gz").head(20_000)  # a short copy keeps the test fast
    raw.loc[10, "status"] = 7
    raw.to_csv(folder / "igo_membership_long.csv.gz", index=False)
    with pytest.raises(DataFileError, match="status") as info:
        load("cow_igo", tmp_path, cache=False)
    assert info.value.column == "status" and info.value.row == 12  # data row 10 (0-based) is file line 12


def test_impossible_state_date_names_row(shared_data: Path, tmp_path: Path) -> None:
    folder = _copy_source("cow_states", shared_data, tmp_path)
    raw = pd.read_csv(folder / "statelist2024.csv")
    raw.loc[3, "stmonth"] = 2
    raw.loc[3, "stday"] = 30
    raw.to_csv(folder / "statelist2024.csv", index=False)
    with pytest.raises(DataFileError, match="impossible date") as info:
        load("cow_states", tmp_path, cache=False)
    assert info.value.row == 5


def test_duplicated_atop_dyad_year_fails(shared_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "peacesciencer"
    folder.mkdir()
    raw = pd.read_csv(shared_data / "peacesciencer" / "atop_alliance.csv.gz").head(20_000)
    dup = raw.iloc[[5]].assign(atop_offense=1 - raw.atop_offense.iloc[5])
    pd.concat([raw, dup]).to_csv(folder / "atop_alliance.csv.gz", index=False)
    with pytest.raises(DataFileError, match="uniqueness") as info:
        load("atop_dyads", tmp_path, cache=False)
    assert info.value.column in {"ccode1", "ccode2", "year"}


def test_cinc_above_one_names_cinc(shared_data: Path, tmp_path: Path) -> None:
    folder = _copy_source("nmc", shared_data, tmp_path)
    raw = pd.read_csv(folder / "cow_nmc.csv.gz")
    raw.loc[100, "cinc"] = 1.5
    raw.to_csv(folder / "cow_nmc.csv.gz", index=False)
    with pytest.raises(DataFileError, match="cinc") as info:
        load("nmc", tmp_path, cache=False)
    assert info.value.column == "cinc"


def test_atop_text_in_member_code_names_row(shared_data: Path, tmp_path: Path) -> None:
    folder = _copy_source("atop_members", shared_data, tmp_path)
    raw = pd.read_csv(folder / "atop4_01_member_level.csv.gz")
    raw["member"] = raw["member"].astype(object)
    raw.loc[7, "member"] = "USA"
    raw.to_csv(folder / "atop4_01_member_level.csv.gz", index=False)
    with pytest.raises(DataFileError, match="'USA'") as info:
        load("atop_members", tmp_path, cache=False)
    assert info.value.column == "member" and info.value.row == 9


def test_cow_igo_roster_is_the_raw_state_year_key(shared_data: Path) -> None:
    raw = pd.read_csv(shared_data / "cow_igo" / "state_year_formatv3.csv.gz", usecols=["ccode", "year"])
    roster = load("cow_igo_roster", shared_data)
    assert sorted(zip(raw.ccode, raw.year)) == sorted(zip(roster.ccode, roster.year))
    # peacesciencer's cow_igo_sy, an independent conversion, lists the same state-years
    ps = pd.read_csv(shared_data / "peacesciencer" / "cow_igo_sy.csv", usecols=["ccode", "year"])
    assert set(zip(ps.ccode, ps.year)) == set(zip(roster.ccode, roster.year))
    # COW does not list West Germany or the two Yemens in 1990, the year they left the system
    assert not {(260, 1990), (678, 1990), (680, 1990), (265, 1990)} & set(zip(roster.ccode, roster.year))
    assert {(260, 1989), (255, 1990), (679, 1990)} <= set(zip(roster.ccode, roster.year))
