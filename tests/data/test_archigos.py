"""The ``archigos_leaders`` source: Archigos 4.1 from peacesciencer, keyed to COW ccode.

Oracles are the raw file read with plain pandas and facts stated by hand (who led which state when,
which Gleditsch-Ward codes differ from COW), never the loader's own mapping.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from coalitionlab.data import get_source, load
from coalitionlab.data.countries import to_ccode
from coalitionlab.data.publishers.peacesciencer import ARCHIGOS_GW_WITHOUT_COW
from coalitionlab.data.registry import register
from coalitionlab.errors import DataFileError, UnknownCountryError

FILE = "archigos.csv.gz"


@pytest.fixture(scope="module")
def raw(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(shared_data / "peacesciencer" / FILE)


@pytest.fixture(scope="module")
def leaders(shared_data: Path) -> pd.DataFrame:
    return load("archigos_leaders", shared_data)


def _on(leaders: pd.DataFrame, ccode: int, day: str) -> pd.DataFrame:
    t = pd.Timestamp(day)
    return leaders[(leaders["ccode"] == ccode) & (leaders["ccode_start_date"] <= t) & (leaders["ccode_end_date"] >= t)]


def test_rows_columns_and_provenance(leaders: pd.DataFrame, raw: pd.DataFrame) -> None:
    assert len(raw) == 3_409  # the README's Archigos row count
    dropped = raw["gwcode"].isin(list(ARCHIGOS_GW_WITHOUT_COW))
    assert int(dropped.sum()) == 30  # Transvaal 9, Orange Free State 9, Tibet 6, Annam 6
    # every other spell once, plus one more row for each of the two spells split at a change of COW code
    assert len(leaders) == 3_409 - 30 + 2
    assert set(leaders["obsid"]) == set(raw.loc[~dropped, "obsid"])
    assert list(leaders.columns) == ["obsid", "ccode", "gwcode", "leader_id", "leader", "start_date", "end_date",
                                     "ccode_start_date", "ccode_end_date", "entry", "exit", "yrborn", "gender"]
    for col in ("start_date", "end_date", "ccode_start_date", "ccode_end_date"):
        assert leaders[col].dtype == "datetime64[ns]"
    assert leaders["ccode"].dtype == "int64" and str(leaders["yrborn"].dtype) == "Int64"
    assert not leaders.duplicated(["obsid", "ccode"]).any()
    source = get_source("archigos_leaders")
    assert source.version == "4.1" and source.code_scheme == "gw"
    assert (source.first_year, source.last_year) == (1875, 2015)
    assert leaders.attrs["version"] == "4.1"
    assert "Goemans" in leaders.attrs["citation"] and "Chiozza" in leaders.attrs["citation"]
    assert "2009" in leaders.attrs["citation"]
    # yrborn is missing in the file for 19 spells, 15 of them kept; none is invented
    assert int(raw["yrborn"].isna().sum()) == 19
    assert int(leaders["yrborn"].isna().sum()) == int(raw.loc[~dropped, "yrborn"].isna().sum()) == 15


def test_leaders_in_office_on_2003_03_20(leaders: pd.DataFrame) -> None:
    us, uk = _on(leaders, 2, "2003-03-20"), _on(leaders, 200, "2003-03-20")
    assert us["leader"].tolist() == ["G.W. Bush"]  # Archigos' spelling
    assert us["start_date"].tolist() == [pd.Timestamp("2001-01-21")]  # Archigos dates Bush from 21 January
    assert uk["leader"].tolist() == ["Blair"]
    assert uk["start_date"].tolist() == [pd.Timestamp("1997-05-02")]
    assert us["gender"].tolist() == ["M"] and us["yrborn"].tolist() == [1946]


@pytest.mark.parametrize(("obsid", "gwcode", "ccode"), [
    ("GMY-1933", 255, 255),   # Hitler: GW 255 Germany is COW 255
    ("GFR-1949", 260, 260),   # Adenauer: GW 260 is the German Federal Republic, COW 260
    ("GFR-1998", 260, 255),   # Schroeder: GW keeps 260 for unified Germany, COW 255 from 3 October 1990
    ("GFR-2005", 260, 255),   # Merkel
    ("SER-2014", 340, 345),   # Vucic: GW 340 Serbia is COW 345 after 2006
    ("YUG-1989", 345, 345),   # Milosevic: Yugoslavia is 345 in both
    ("YPR-1986", 680, 680),   # South Yemen
    ("YEM-1974", 678, 678),   # North Yemen before unification: COW 678 (unified Yemen is COW 679, GW 678)
])
def test_gleditsch_ward_codes_map_to_cow(leaders: pd.DataFrame, obsid: str, gwcode: int, ccode: int) -> None:
    rows = leaders[leaders["obsid"] == obsid]
    assert rows["gwcode"].tolist() == [gwcode]
    assert rows["ccode"].tolist() == [ccode]


def test_vietnam_codes(leaders: pd.DataFrame, raw: pd.DataFrame) -> None:
    # GW and COW both use 816 for (North) Vietnam and 817 for the Republic of Vietnam
    for gw in (816, 817):
        ids = set(raw.loc[raw["gwcode"] == gw, "obsid"])
        assert ids, gw
        assert set(leaders.loc[leaders["obsid"].isin(ids), "ccode"]) == {gw}
    # GW 815 (Vietnam before French rule, to 1893) has no COW state: left out, not mapped to 816
    assert not leaders["obsid"].isin(set(raw.loc[raw["gwcode"] == 815, "obsid"])).any()


def test_spells_spanning_a_code_change_are_split(leaders: pd.DataFrame) -> None:
    kohl = leaders[leaders["obsid"] == "GFR-1982"].sort_values("ccode_start_date")
    assert kohl["ccode"].tolist() == [260, 255]
    assert kohl["ccode_start_date"].tolist() == [pd.Timestamp("1982-10-01"), pd.Timestamp("1990-10-03")]
    assert kohl["ccode_end_date"].tolist() == [pd.Timestamp("1990-10-02"), pd.Timestamp("1998-10-27")]
    assert set(kohl["start_date"]) == {pd.Timestamp("1982-10-01")}  # the spell itself is unchanged
    saleh = leaders[leaders["obsid"] == "YEM-1978"].sort_values("ccode_start_date")
    assert saleh["ccode"].tolist() == [678, 679]
    assert saleh["ccode_end_date"].tolist()[0] == pd.Timestamp("1990-05-21")
    assert saleh["ccode_start_date"].tolist()[1] == pd.Timestamp("1990-05-22")
    # every other row covers its whole spell
    rest = leaders[~leaders["obsid"].isin(["GFR-1982", "YEM-1978"])]
    assert (rest["ccode_start_date"] == rest["start_date"]).all() and (rest["ccode_end_date"] == rest["end_date"]).all()


def test_left_out_codes_really_have_no_cow_state(raw: pd.DataFrame) -> None:
    """The four codes are left out because no date maps them, not because the list hides a mappable code."""
    out = raw[raw["gwcode"].isin(list(ARCHIGOS_GW_WITHOUT_COW))]
    mapped = to_ccode(out["gwcode"].to_numpy(), scheme="gw", date=pd.to_datetime(out["startdate"]), errors="coerce")
    assert pd.isna(mapped).all()
    assert set(out["gwcode"]) == set(ARCHIGOS_GW_WITHOUT_COW)


def _damaged(shared_data: Path, tmp_path: Path, edit) -> Path:
    folder = tmp_path / "peacesciencer"
    folder.mkdir(parents=True)
    df = pd.read_csv(shared_data / "peacesciencer" / FILE)
    edit(df)
    df.to_csv(folder / FILE, index=False)
    return tmp_path


def test_unknown_gw_code_is_an_error_naming_the_row(shared_data: Path, tmp_path: Path) -> None:
    def edit(df: pd.DataFrame) -> None:
        df.loc[5, "gwcode"] = 7  # no state has GW code 7

    data = _damaged(shared_data, tmp_path, edit)
    with pytest.raises(UnknownCountryError, match="7") as info:
        load("archigos_leaders", data, cache=False)
    assert "row 7" in str(info.value) and "\n" not in str(info.value)


def test_spell_ending_before_it_starts_names_the_row(shared_data: Path, tmp_path: Path) -> None:
    def edit(df: pd.DataFrame) -> None:
        df.loc[3, "enddate"] = "1800-01-01"

    data = _damaged(shared_data, tmp_path, edit)
    with pytest.raises(DataFileError, match="ends before it starts") as info:
        load("archigos_leaders", data, cache=False)
    assert info.value.row == 5 and info.value.column == "enddate"


def test_bad_date_names_the_row(shared_data: Path, tmp_path: Path) -> None:
    def edit(df: pd.DataFrame) -> None:
        df.loc[10, "startdate"] = "2001-02-30"

    data = _damaged(shared_data, tmp_path, edit)
    with pytest.raises(DataFileError, match="YYYY-MM-DD") as info:
        load("archigos_leaders", data, cache=False)
    assert info.value.row == 12


def test_second_load_comes_from_cache(shared_data: Path, tmp_path: Path) -> None:
    first = load("archigos_leaders", shared_data, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("archigos_leaders-*.parquet"))) == 1
    source = get_source("archigos_leaders")

    def no_reading(paths: dict) -> pd.DataFrame:
        raise AssertionError("archigos_leaders was read again instead of coming from the cache")

    register(dataclasses.replace(source, reader=no_reading))
    try:
        second = load("archigos_leaders", shared_data, cache_dir=tmp_path)
    finally:
        register(source)
    pd.testing.assert_frame_equal(first, second)
    assert second.attrs == first.attrs
