"""A source file missing a year, or cut to its header, never gives 0s.

A year inside a source's coverage that the loaded file has no rows for is NaN (with a
StaleDataWarning naming it), and the neighbouring years equal an untouched run; a file cut to its
header is a DataFileError at load. The oracle of the real-data tests is the untouched run on the
shared data (which the damaged copy must reproduce outside the dropped year) and the hand-known
dropped year; the synthetic test counts joint memberships by hand.
"""

from __future__ import annotations

import gzip
import os
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coalitionlab.errors import DataFileError, StaleDataWarning
from coalitionlab.measures import (
    add_alliances,
    add_capabilities,
    add_igos,
    create_dyadyears,
    create_stateyears,
    embeddedness,
)
from coalitionlab.measures._common import YearCoverage

YEARS = range(2000, 2005)
DROPPED = 2002


def _data_dir(tmp_path: Path, shared: Path, copied: dict[str, list[str]]) -> Path:
    """A data directory whose ``copied`` folders hold writable copies of the named files (the rest of each
    folder is linked), every other folder a link to the shared data."""
    root = tmp_path / "data"
    root.mkdir()
    for folder in os.listdir(shared):
        if not (shared / folder).is_dir():
            continue
        if folder not in copied:
            (root / folder).symlink_to(shared / folder)
            continue
        (root / folder).mkdir()
        for name in os.listdir(shared / folder):
            if name in copied[folder]:
                shutil.copyfile(shared / folder / name, root / folder / name)
            else:
                (root / folder / name).symlink_to(shared / folder / name)
    return root


def _drop_year(path: Path, year: int = DROPPED) -> None:
    frame = pd.read_csv(path, low_memory=False)
    assert (frame["year"] == year).any()
    frame[frame["year"] != year].to_csv(path, index=False)


def _header_only(path: Path) -> None:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        header = fh.readline()
    with opener(path, "wt", encoding="utf-8") as fh:
        fh.write(header)


def _stale(record) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, StaleDataWarning)]


def _same_outside(damaged: pd.DataFrame, base: pd.DataFrame, column: str, year: int = DROPPED) -> None:
    keep = (base["year"] != year).to_numpy()
    np.testing.assert_array_equal(damaged[column].to_numpy("float64")[keep], base[column].to_numpy("float64")[keep])
    assert base.loc[~keep, column].notna().any()  # the untouched run has values in the dropped year ...
    assert damaged.loc[~keep, column].isna().all()  # ... the damaged one NaN, not 0


# ---------------------------------------------------------------- synthetic files, hand-counted


def _write(path: Path, frame: pd.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)


def _synthetic_igo_dir(root: Path, years) -> Path:
    """IGO "A" has members 2, 20, 200; IGO "B" 2 and 20; every year in ``years``; the roster lists 2000-2004."""
    members = pd.DataFrame([(c, y, io, 1) for y in years for io, cs in (("A", (2, 20, 200)), ("B", (2, 20)))
                            for c in cs], columns=["ccode", "year", "ioname", "status"])
    _write(root / "cow_igo" / "igo_membership_long.csv.gz", members)
    _write(root / "cow_igo" / "state_year_formatv3.csv.gz",
           pd.DataFrame([(c, y) for c in (2, 20, 200) for y in YEARS], columns=["ccode", "year"]))
    listing = pd.DataFrame({
        "ioname": ["A", "B"], "orgname": ["Org A", "Org B"], "sdate": [1990, 1990], "deaddate": [None, None],
        "longorgname": ["Organisation A", "Organisation B"], "ionum": [1, 2], "igocode": [1, 2], "version": [3.0, 3.0],
        "accuracyofpre1965membershipdates": [None, None], "sourcesandnotes": [None, None], "imputed": [0, 0],
        "political": [1, 0], "social": [0, 1], "economic": [0, 0]})
    _write(root / "cow_igo" / "igo_list.csv", listing)
    _write(root / "cow_igo" / "igo_year_formatv3.csv.gz",
           pd.DataFrame({"ioname": ["A", "B"], "dead": [0, 0], "integrated": [0, 0], "replaced": [0, 0]}))
    return root


def _pairs() -> pd.DataFrame:
    panel = pd.DataFrame([(a, b, y) for y in YEARS for a, b in ((2, 20), (2, 200), (20, 200))],
                         columns=["ccode1", "ccode2", "year"])
    panel.attrs = {"unit": "dyad_year", "directed": False}
    return panel


def test_synthetic_igo_gap_year_is_nan_not_zero(tmp_path: Path) -> None:
    root = _synthetic_igo_dir(tmp_path, [y for y in YEARS if y != DROPPED])
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        out = add_igos(_pairs(), data_dir=root, source="full", columns=["any"])
    by_hand = {(2, 20): 2.0, (2, 200): 1.0, (20, 200): 1.0}  # A and B; A only; A only
    for row in out.itertuples():
        if row.year == DROPPED:
            assert pd.isna(row.igo_joint_any), row  # <NA>, never 0
        else:
            assert row.igo_joint_any == by_hand[(row.ccode1, row.ccode2)], row
    assert any("2002" in m and "cow_igo" in m for m in _stale(record))
    assert out.attrs["columns"]["igo_joint_any"]["gaps"] == [DROPPED]
    assert out.attrs["columns"]["igo_joint_any"]["coverage"] == [2000, 2004]  # the years present, not 1816-2014


def test_synthetic_igo_file_cut_to_header_is_an_error(tmp_path: Path) -> None:
    root = _synthetic_igo_dir(tmp_path, YEARS)
    with gzip.open(root / "cow_igo" / "igo_membership_long.csv.gz", "wt", encoding="utf-8") as fh:
        fh.write("ccode,year,ioname,status\n")
    with pytest.raises(DataFileError, match="no data rows"):
        add_igos(_pairs(), data_dir=root, source="full")


def test_year_coverage_by_hand() -> None:
    cov = YearCoverage("x", [2001, 2000, 2004, 2004, np.nan], 1816, 2014, known_gaps=[2003])
    assert (cov.first, cov.last) == (2000, 2004)
    assert cov.gaps.tolist() == [2002, 2003]
    assert cov.inside([1999, 2000, 2001, 2002, 2003, 2004, 2005]).tolist() == [False, True, True, False, False, True,
                                                                                 False]
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        assert cov.warn([2001, 2003], "step") == []  # 2003 is a known gap: not warned
        assert cov.warn([2002, 2004], "step") == [2002]
    assert len(_stale(record)) == 1


# ---------------------------------------------------------------- real files, copied and damaged


@pytest.fixture(scope="module")
def base_dyads(shared_data: Path) -> pd.DataFrame:
    panel = create_dyadyears(years=YEARS, data_dir=shared_data)
    return add_alliances(add_igos(panel, data_dir=shared_data, source="full"), data_dir=shared_data, counts=False)


@pytest.mark.slow  # rewrites a full source file: run by make test, left out of mutation runs
def test_real_cow_igo_missing_a_year(tmp_path: Path, shared_data: Path, base_dyads: pd.DataFrame) -> None:
    root = _data_dir(tmp_path, shared_data, {"cow_igo": ["igo_membership_long.csv.gz"]})
    _drop_year(root / "cow_igo" / "igo_membership_long.csv.gz")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        out = add_igos(create_dyadyears(years=YEARS, data_dir=shared_data), data_dir=root, source="full")
    for col in ("igo_joint_any", "igo_joint_security", "igo_joint_nonsecurity"):
        _same_outside(out, base_dyads, col)
    assert any("cow_igo" in m and "2002" in m for m in _stale(record))


@pytest.mark.slow  # rewrites a full source file: run by make test, left out of mutation runs
def test_real_cow_igo_roster_missing_a_year(tmp_path: Path, shared_data: Path, base_dyads: pd.DataFrame) -> None:
    root = _data_dir(tmp_path, shared_data, {"cow_igo": ["state_year_formatv3.csv.gz"]})
    _drop_year(root / "cow_igo" / "state_year_formatv3.csv.gz")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        out = add_igos(create_dyadyears(years=YEARS, data_dir=shared_data), data_dir=root, source="full")
    _same_outside(out, base_dyads, "igo_joint_any")
    assert any("cow_igo_roster" in m and "2002" in m for m in _stale(record))


@pytest.mark.slow  # rewrites a full source file: run by make test, left out of mutation runs
def test_real_cow_igo_last_year_dropped_mry_carries_the_real_last_year(tmp_path: Path, shared_data: Path) -> None:
    root = _data_dir(tmp_path, shared_data, {"cow_igo": ["igo_membership_long.csv.gz"]})
    _drop_year(root / "cow_igo" / "igo_membership_long.csv.gz", 2014)
    panel = create_dyadyears(years=[2013, 2016], data_dir=shared_data)
    out = add_igos(panel, data_dir=root, source="full", mry=True, columns=["any"])
    base = add_igos(create_dyadyears(years=[2013], data_dir=shared_data), data_dir=shared_data, source="full",
                    columns=["any"])
    assert out.attrs["columns"]["igo_joint_any"]["coverage"] == [1816, 2013]
    late = out[out["year"] == 2016].merge(base[["ccode1", "ccode2", "igo_joint_any"]], on=["ccode1", "ccode2"],
                                          suffixes=("", "_2013"))
    assert len(late) > 30_000
    both = late["igo_joint_any"].notna()  # states that left or entered between 2013 and 2016 are NaN
    assert both.mean() > 0.95
    np.testing.assert_array_equal(late.loc[both, "igo_joint_any"], late.loc[both, "igo_joint_any_2013"])


@pytest.mark.slow  # rewrites a full source file: run by make test, left out of mutation runs
def test_real_atop_dyads_missing_a_year(tmp_path: Path, shared_data: Path, base_dyads: pd.DataFrame) -> None:
    root = _data_dir(tmp_path, shared_data, {"peacesciencer": ["atop_alliance.csv.gz"]})
    _drop_year(root / "peacesciencer" / "atop_alliance.csv.gz")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        out = add_alliances(create_dyadyears(years=YEARS, data_dir=shared_data), data_dir=root, counts=False)
    for col in ("atop_defense", "atop_any"):
        _same_outside(out, base_dyads, col)
    assert out.attrs["columns"]["atop_any"]["gaps"] == [DROPPED]
    assert any("atop_dyads" in m and "2002" in m for m in _stale(record))


def test_real_nmc_missing_a_year(tmp_path: Path, shared_data: Path) -> None:
    root = _data_dir(tmp_path, shared_data, {"peacesciencer": ["cow_nmc.csv.gz"]})
    _drop_year(root / "peacesciencer" / "cow_nmc.csv.gz")
    panel = create_stateyears(years=YEARS, data_dir=shared_data)
    base = add_capabilities(panel, data_dir=shared_data)
    with pytest.warns(StaleDataWarning, match="nmc.*2002"):
        out = add_capabilities(panel, data_dir=root)
    _same_outside(out, base, "cinc")


@pytest.mark.slow  # rewrites a full source file: run by make test, left out of mutation runs
def test_real_embeddedness_igos_gap_is_nan_other_components_unchanged(tmp_path: Path, shared_data: Path) -> None:
    root = _data_dir(tmp_path, shared_data, {"cow_igo": ["igo_membership_long.csv.gz"]})
    _drop_year(root / "cow_igo" / "igo_membership_long.csv.gz")
    comps = ["igos", "alliances", "trade_agreements"]
    base = embeddedness("USA", "2003-03-20", data_dir=shared_data, components=comps, source="full")
    with pytest.warns(StaleDataWarning, match="cow_igo.*2002"):
        out = embeddedness("USA", "2003-03-20", data_dir=root, components=comps, source="full")
    base, out = base.set_index("ccode").sort_index(), out.set_index("ccode").sort_index()
    assert base["igos"].notna().sum() > 150  # igos are read in 2002, the year before the day
    assert out["igos"].isna().all()
    for col in ("alliances", "trade_agreements"):
        pd.testing.assert_series_equal(out[col], base[col])


@pytest.mark.parametrize(("folder", "name"), [
    ("cow_igo", "igo_membership_long.csv.gz"),
    ("desta", "desta_list_of_treaties_02_02_dyads.csv.gz"),
    ("atop_v4", "atop4_01_member_level.csv.gz"),
])
def test_real_source_cut_to_header_is_an_error(tmp_path: Path, shared_data: Path, folder: str, name: str) -> None:
    root = _data_dir(tmp_path, shared_data, {folder: [name]})
    _header_only(root / folder / name)
    with pytest.raises(DataFileError, match="no data rows") as err:
        embeddedness("USA", "2003-03-20", data_dir=root, components=["igos", "alliances", "trade_agreements"],
                     source="full")
    assert name in str(err.value)
