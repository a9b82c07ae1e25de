"""`data check` reports the years each source holds against the years it should hold, flags gaps, refuses
files cut to their header and codes that are not COW states, and never ends in a traceback.

Oracles are hand-written: the years dropped from a file, the file line of a planted bad code (header =
line 1), the COW membership of a few states (West Germany 260 from 1955-05-05 to 1990-10-02, Germany 255
from 1990-10-03, per the COW state list v2024).
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from coalitionlab.cli.main import app
from coalitionlab.data import fetch
from coalitionlab.data.check import check_sources, compact_years, year_gaps, years_present
from coalitionlab.data.publishers.desta import _DESTA_COMMON_RAW
from coalitionlab.data.schemas import is_cow_code, is_system_member

ROSTER = "state_year_formatv3.csv.gz"


def _write_gz(path: Path, frame_or_header: pd.DataFrame | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        if isinstance(frame_or_header, str):
            fh.write(frame_or_header)
        else:
            frame_or_header.to_csv(fh, index=False)


def _roster(root: Path, years, ccodes=(2, 200)) -> Path:
    """A synthetic COW IGO roster (ccode, year) for the given states and years."""
    frame = pd.DataFrame([(c, y) for c in ccodes for y in years], columns=["ccode", "year"])
    _write_gz(root / "cow_igo" / ROSTER, frame)
    return root


def _copy(src: Path, dst: Path) -> Path:
    """Copy a real source folder, writable (the shared data may be read-only)."""
    shutil.copytree(src, dst, copy_function=shutil.copyfile)
    dst.chmod(0o755)
    return dst


def _row(result: pd.DataFrame, name: str) -> pd.Series:
    return result.set_index("source").loc[name]


# ---------------------------------------------------------------- helpers, by hand


def test_compact_years_ranges_by_hand() -> None:
    assert compact_years([1990, 1995, 1996]) == "1990, 1995-1996"
    assert compact_years([2002]) == "2002"
    assert compact_years(np.array([1816, 1817, 1818, 2014])) == "1816-1818, 2014"
    assert compact_years([]) == ""


def test_cow_codes_and_membership_by_hand() -> None:
    assert is_cow_code([2, 20, 255, 260, 999, 0, 1000]).tolist() == [True, True, True, True, False, False, False]
    # 260 (GFR) from 1955 to 1990, 255 (Germany) 1816-1945 and from 1990; 2 in every year, 2030 read as 2024
    assert is_system_member([260, 260, 260, 255, 255, 255, 2], [1954, 1955, 1991, 1946, 1989, 1990, 2030]).tolist() == [
        False, True, False, False, False, True, True]


def test_years_present_and_gaps_by_rule() -> None:
    rows = pd.DataFrame({"ccode": [2, 2, 200], "year": [1816, 1818, 1818]})
    present = years_present(rows, "cow_igo_roster")
    assert present.tolist() == [1816, 1818]
    # rows: every year of the coverage 1816-2014 is expected
    assert year_gaps(present, "cow_igo_roster").tolist() == [1817, *range(1819, 2015)]
    # spells: a year inside the records' span that no record covers; an open end runs to the last year (2016)
    spells = pd.DataFrame({"start_date": pd.to_datetime(["1900-05-01", "1905-01-01", "2010-01-01"]),
                           "end_date": pd.to_datetime(["1902-12-31", "1905-06-30", None])})
    present = years_present(spells, "atop_alliances")
    assert present.tolist() == [1900, 1901, 1902, 1905, *range(2010, 2017)]
    assert year_gaps(present, "atop_alliances").tolist() == [1903, 1904, *range(1906, 2010)]
    # events: a year without an event is not a gap; known gaps of a panel are not flagged
    assert year_gaps(np.array([1823, 1900]), "cow_war_inter").tolist() == []
    assert year_gaps(np.array([y for y in range(1946, 2024) if y != 1964]), "un_ideal_points").tolist() == []
    assert year_gaps(np.array([y for y in range(1946, 2024) if y != 1970]), "un_ideal_points").tolist() == [1970]


# ---------------------------------------------------------------- synthetic files


def test_a_missing_year_is_reported_as_gaps(tmp_path: Path) -> None:
    root = _roster(tmp_path, [y for y in range(1816, 2015) if y not in (1990, 1995, 1996)])
    row = _row(check_sources(tmp_path, names=["cow_igo_roster"]), "cow_igo_roster")
    assert row["status"] == "GAPS"
    assert row["gaps"] == "1990, 1995-1996"
    assert row["years_expected"] == "1816-2014"
    assert row["years_present"] == "1816-1989, 1991-1994, 1997-2014"
    assert (row["first_year"], row["last_year"]) == (1816, 2014)
    out = CliRunner().invoke(app, ["data", "check", "--data-dir", str(root), "--source", "cow_igo_roster"])
    assert out.exit_code == 1, out.output
    assert "GAPS" in out.output and "1990, 1995-1996" in out.output


def test_a_complete_file_is_valid(tmp_path: Path) -> None:
    _roster(tmp_path, range(1816, 2015))
    row = _row(check_sources(tmp_path, names=["cow_igo_roster"]), "cow_igo_roster")
    assert (row["status"], row["gaps"], row["years_present"]) == ("valid", "", "1816-2014")


def test_a_file_cut_to_its_header_is_invalid(tmp_path: Path) -> None:
    _write_gz(tmp_path / "cow_igo" / ROSTER, "ccode,year\n")
    row = _row(check_sources(tmp_path, names=["cow_igo_roster"]), "cow_igo_roster")
    assert row["status"] == "INVALID"
    assert "no data rows" in row["detail"] and ROSTER in row["detail"]


def test_header_only_desta_dyads_is_invalid_not_a_traceback(tmp_path: Path) -> None:
    header = ",".join(["country1", "country2", "iso1", "iso2", *_DESTA_COMMON_RAW]) + "\n"
    _write_gz(tmp_path / "desta" / "desta_list_of_treaties_02_02_dyads.csv.gz", header)
    row = _row(check_sources(tmp_path, names=["desta_dyads"]), "desta_dyads")
    assert row["status"] == "INVALID" and "no data rows" in row["detail"]
    out = CliRunner().invoke(app, ["data", "check", "--data-dir", str(tmp_path), "--source", "desta_dyads"])
    assert out.exit_code == 1
    assert "Traceback" not in out.output and "no data rows" in out.output


def test_an_unknown_ccode_is_invalid_with_its_file_line(tmp_path: Path) -> None:
    frame = pd.DataFrame({"ccode": [2, 2, 999, 200], "year": [1816, 1817, 1817, 1816]})
    _write_gz(tmp_path / "cow_igo" / ROSTER, frame)
    row = _row(check_sources(tmp_path, names=["cow_igo_roster"]), "cow_igo_roster")
    assert row["status"] == "INVALID"
    assert "999" in row["detail"] and "row 4" in row["detail"]  # the third data row is file line 4


def test_a_state_outside_the_system_that_year_is_invalid(tmp_path: Path) -> None:
    # the roster's rule is "in the system that year": West Germany (260) was not a member in 1950
    frame = pd.DataFrame({"ccode": [2, 260, 260], "year": [1950, 1960, 1950]})
    _write_gz(tmp_path / "cow_igo" / ROSTER, frame)
    row = _row(check_sources(tmp_path, names=["cow_igo_roster"]), "cow_igo_roster")
    assert row["status"] == "INVALID"
    assert "260" in row["detail"] and "1950" in row["detail"] and "row 4" in row["detail"]


def test_a_checksum_mismatch_from_the_manifest_is_invalid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _roster(tmp_path, range(1816, 2015))
    (tmp_path / "cow_igo" / "SHA256SUMS").write_text(f"{'0' * 64}  {ROSTER}\n")
    seen = []

    def fake_verify(folder):
        seen.append(Path(folder))
        return pd.DataFrame({"file": [ROSTER], "status": ["mismatch"]})

    monkeypatch.setattr(fetch, "verify_manifest", fake_verify, raising=False)
    row = _row(check_sources(tmp_path, names=["cow_igo_roster"]), "cow_igo_roster")
    assert seen == [tmp_path / "cow_igo"]
    assert row["status"] == "INVALID" and "SHA256SUMS" in row["detail"] and ROSTER in row["detail"]


# ---------------------------------------------------------------- real files, copied and damaged


def test_real_data_every_source_valid_and_years_stated(shared_data: Path) -> None:
    result = check_sources(shared_data).set_index("source")
    assert (result["status"] == "valid").all(), result[result["status"] != "valid"][["status", "detail"]]
    assert result.loc["cow_igo", "years_present"] == "1816-2014"
    # the UN General Assembly held no recorded vote in 1964: a known gap, shown but not flagged
    assert result.loc["un_ideal_points", "years_present"] == "1946-1963, 1965-2023"
    assert result.loc["un_ideal_points", "gaps"] == ""


def test_real_cow_igo_missing_a_year(tmp_path: Path, shared_data: Path) -> None:
    path = _copy(shared_data / "cow_igo", tmp_path / "cow_igo") / "igo_membership_long.csv.gz"
    members = pd.read_csv(path)
    members[members["year"] != 2002].to_csv(path, index=False)
    result = check_sources(tmp_path, names=["cow_igo", "cow_igo_list", "cow_igo_roster"]).set_index("source")
    assert result.loc["cow_igo", "status"] == "GAPS"
    assert result.loc["cow_igo", "gaps"] == "2002"
    assert result.loc["cow_igo", "years_present"] == "1816-2001, 2003-2014"
    assert (result.loc[["cow_igo_list", "cow_igo_roster"], "status"] == "valid").all()


def test_real_desta_dyads_cut_to_header(tmp_path: Path, shared_data: Path) -> None:
    path = _copy(shared_data / "desta", tmp_path / "desta") / "desta_list_of_treaties_02_02_dyads.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        header = fh.readline()
    _write_gz(path, header)
    result = check_sources(tmp_path, names=["desta_dyads", "desta_treaties"]).set_index("source")
    assert result.loc["desta_dyads", "status"] == "INVALID"
    assert "no data rows" in result.loc["desta_dyads", "detail"]
    assert result.loc["desta_treaties", "status"] == "valid"


def test_a_changed_file_fails_against_the_real_manifest_reader(tmp_path: Path) -> None:
    if not hasattr(fetch, "verify_manifest"):
        pytest.skip("coalitionlab.data.fetch.verify_manifest is not in this version")
    _roster(tmp_path, range(1816, 2015))
    manifest = tmp_path / "cow_igo" / "SHA256SUMS"
    manifest.write_text(f"{'0' * 64}  {ROSTER}\n")  # not the file's SHA-256
    row = _row(check_sources(tmp_path, names=["cow_igo_roster"]), "cow_igo_roster")
    assert row["status"] == "INVALID" and ROSTER in row["detail"]
    from coalitionlab.data.registry import file_sha256

    manifest.write_text(f"{file_sha256(tmp_path / 'cow_igo' / ROSTER)}  {ROSTER}\n")
    assert _row(check_sources(tmp_path, names=["cow_igo_roster"]), "cow_igo_roster")["status"] == "valid"
