"""COW-coded sources load from the real files in ../shared/data, validate, and match their READMEs.

Row counts and spot facts come from each folder's README or the dataset's codebook; the cache
test checks that a second load is the same frame; the damage tests write a copy of a real file
with one defect to ``tmp_path`` and expect a :class:`DataFileError` naming the column.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from coalitionlab.data import get_source, load
from coalitionlab.data.registry import file_sha256
from coalitionlab.errors import DataFileError

# name -> rows stated in the folder README (or counted from the file and stated in docs/data/sources.md)
ROWS = {
    "cow_states": 244,
    "cow_igo": 538_965,
    "cow_igo_list": 534,
}


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


@pytest.mark.parametrize("name", sorted(ROWS))
def test_second_load_comes_from_cache(name: str, shared_data: Path, tmp_path: Path) -> None:
    first = load(name, shared_data, cache_dir=tmp_path)
    assert len(list(tmp_path.glob(f"{name}-*.parquet"))) == 1
    second = load(name, shared_data, cache_dir=tmp_path)
    pd.testing.assert_frame_equal(first, second)
    assert second.attrs == first.attrs
    fresh = load(name, shared_data, cache=False)
    pd.testing.assert_frame_equal(first, fresh)


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
    assert igos.is_integrated.sum() == 25 and igos.is_replaced.sum() == 35
    assert (igos.end_year.dropna() >= igos.start_year[igos.end_year.notna()]).all()


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


def test_igo_status_outside_codebook_names_status(shared_data: Path, tmp_path: Path) -> None:
    folder = _copy_source("cow_igo", shared_data, tmp_path)
    raw = pd.read_csv(folder / "igo_membership_long.csv.gz")
    raw.loc[10, "status"] = 7
    raw.to_csv(folder / "igo_membership_long.csv.gz", index=False)
    with pytest.raises(DataFileError, match="status") as info:
        load("cow_igo", tmp_path, cache=False)
    assert info.value.column == "status"


def test_impossible_state_date_names_row(shared_data: Path, tmp_path: Path) -> None:
    folder = _copy_source("cow_states", shared_data, tmp_path)
    raw = pd.read_csv(folder / "statelist2024.csv")
    raw.loc[3, "stmonth"] = 2
    raw.loc[3, "stday"] = 30
    raw.to_csv(folder / "statelist2024.csv", index=False)
    with pytest.raises(DataFileError, match="impossible date") as info:
        load("cow_states", tmp_path, cache=False)
    assert info.value.row == 5
