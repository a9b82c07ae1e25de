"""The coalition dataset (coalitions/dataset.py): cases that mutation testing showed the other tests let
through (docs/development/mutation.md).

Each case writes a tiny CSV pair by hand and states the expected result in full: the whole error
message with the file, column and line ``DataFileError`` appends (``[path, column 'x', row n]``, the
line counted in the file as a text editor shows it), the documented bounds (ccodes 2-999 inclusive,
``peak_personnel`` 0 .. 1,500,000), the documented ``attrs`` with file hashes computed here with
hashlib, and pandas' own row labels for frames that are documented as appended. The shipped files
are read afresh (an empty cache) where the reading itself is under test, since a warm cache would
skip it.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from coalitionlab.coalitions import add_coalitions, coalitions, memberships, read_coalitions_csv
from coalitionlab.coalitions import dataset as ds
from coalitionlab.errors import DataFileError

C_HEADER = ("coalition_id,name,start_date,end_date,lead_ccode,lead,kind,un_authorisation,un_resolution,"
            "target_ccode,target,mission_type,operation,theatre,entrepreneur_ccode,sources")
M_HEADER = "coalition_id,ccode,country,role,join_date,leave_date,peak_personnel,source"
DATA = Path(ds.__file__).resolve().parent / "data"  # the package's data folder, found here independently


def _coalition(cid: str = "pacific_test_1999", *, name: str = "Test force", end: str = "2000-02-28",
               lead: str = "900,Australia", target: str = ",", mission: str = "peace_operation",
               theatre: str = "oceania", entrepreneur: str = "") -> str:
    return (f"{cid},{name},1999-09-20,{end},{lead},ad_hoc,yes,UNSCR 1264,{target},{mission},,{theatre},"
            f"{entrepreneur},test source 2024")


MEMBERS = [
    "pacific_test_1999,900,Australia,lead,,,5500,test note",        # line 2
    "pacific_test_1999,920,New Zealand,combat,,,,test note",        # line 3
    "pacific_test_1999,800,Thailand,combat,1999-10-01,,,test note",  # line 4
]


def _files(tmp_path: Path, coalition_rows: list[str] | None = None,
           member_rows: list[str] | None = None) -> tuple[Path, Path]:
    c, m = tmp_path / "my_coalitions.csv", tmp_path / "my_memberships.csv"
    c.write_text("\n".join([C_HEADER, *([_coalition()] if coalition_rows is None else coalition_rows)]) + "\n",
                 encoding="utf-8")
    m.write_text("\n".join([M_HEADER, *(MEMBERS if member_rows is None else member_rows)]) + "\n",
                 encoding="utf-8")
    return c, m


def _refused(paths: tuple[Path, Path]) -> DataFileError:
    with pytest.raises(DataFileError) as info:
        read_coalitions_csv(*paths)
    return info.value


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- the shipped files, read afresh


def test_a_fresh_read_of_the_shipped_files_is_stamped_with_their_hashes(monkeypatch) -> None:
    """Catches a read path that breaks when the cache is empty (the key, the read, the stamp, the
    cached pair) and a stamp with a misspelt key or a wrong flag."""
    monkeypatch.setattr(ds, "_CACHE", {})
    c, m = coalitions(), memberships()
    names = [p.name for kind in ("coalitions", "memberships") for p in sorted(DATA.glob(f"{kind}_*.csv"))]
    assert len(names) >= 2
    expected = {"dataset": "coalitionlab_coalitions", "version": ds.DATASET_VERSION,
                "files": {name: _sha256(DATA / name) for name in names}, "authored": True, "is_seed": False}
    assert c.attrs == expected and m.attrs == expected
    # one row per data line of the coalition files; every membership file is read too
    c_rows = sum(len(pd.read_csv(DATA / n)) for n in names if n.startswith("coalitions_"))
    m_rows = sum(len(pd.read_csv(DATA / n)) for n in names if n.startswith("memberships_"))
    assert len(c) == c_rows and len(m) == m_rows
    assert sorted(set(c["file"])) == [n for n in names if n.startswith("coalitions_")]
    assert sorted(set(m["file"])) == [n for n in names if n.startswith("memberships_")]


def test_the_cache_is_renewed_when_a_shipped_file_changes(tmp_path: Path, monkeypatch) -> None:
    """Catches a cache key that ignores the files (the second call would return the stale stamp)."""
    for p in DATA.glob("*.csv"):
        shutil.copy(p, tmp_path / p.name)
    monkeypatch.setattr(ds, "DATA_DIR", tmp_path)
    monkeypatch.setattr(ds, "_CACHE", {})
    before = _sha256(tmp_path / "memberships_us.csv")
    assert coalitions().attrs["files"]["memberships_us.csv"] == before
    with open(tmp_path / "memberships_us.csv", "a", encoding="utf-8") as fh:
        fh.write("\n\n")  # blank lines: the same rows, another size and hash
    after = _sha256(tmp_path / "memberships_us.csv")
    assert after != before
    assert memberships().attrs["files"]["memberships_us.csv"] == after


def test_an_empty_data_folder_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    """Catches a lost or altered message or folder in the 'no coalition files' error."""
    monkeypatch.setattr(ds, "DATA_DIR", tmp_path)
    monkeypatch.setattr(ds, "_CACHE", {})
    with pytest.raises(DataFileError) as info:
        coalitions()
    assert str(info.value) == f"no coalitions_*.csv in the package data folder [{tmp_path}]"
    assert info.value.path == tmp_path and info.value.column is None and info.value.row is None


def test_a_users_file_is_stamped_too(tmp_path: Path) -> None:
    """Catches a stamp with a misspelt key or a wrong flag on the frames read from a user's files."""
    c_path, m_path = _files(tmp_path)
    c, m = read_coalitions_csv(c_path, m_path)
    expected = {"dataset": "coalitionlab_coalitions", "version": ds.DATASET_VERSION,
                "files": {"my_coalitions.csv": _sha256(c_path), "my_memberships.csv": _sha256(m_path)},
                "authored": True, "is_seed": False}
    assert c.attrs == expected and m.attrs == expected


# ---------------------------------------------------------------- whole numbers


def test_an_empty_required_ccode_names_file_column_and_line(tmp_path: Path) -> None:
    """Catches a lost message, path, column or line in the 'empty value' error of a whole-number column."""
    paths = _files(tmp_path, member_rows=[*MEMBERS[:2], "pacific_test_1999,,Thailand,combat,,,,test note"])
    err = _refused(paths)
    assert str(err) == f"empty value in a required column [{paths[1]}, column 'ccode', row 4]"
    assert (err.path, err.column, err.row) == (paths[1], "ccode", 4)


def test_an_empty_lead_ccode_names_file_and_line(tmp_path: Path) -> None:
    """Catches the coalitions file's path or lines not passed on to the lead_ccode parser."""
    paths = _files(tmp_path, [_coalition(), _coalition("other_test_1999", lead=",Australia")])
    err = _refused(paths)
    assert str(err) == f"empty value in a required column [{paths[0]}, column 'lead_ccode', row 3]"
    assert (err.path, err.column, err.row) == (paths[0], "lead_ccode", 3)


def test_whole_numbers_written_with_a_zero_fraction_are_read(tmp_path: Path) -> None:
    """Catches a parser that splits '900.0' at something else than the decimal point."""
    members = ["pacific_test_1999,900.,Australia,lead,,,5500.00,test note", *MEMBERS[1:]]
    c, m = read_coalitions_csv(*_files(tmp_path, [_coalition(lead="900.0,Australia")], members))
    assert c["lead_ccode"].tolist() == [900] and str(c["lead_ccode"].dtype) == "int64"
    assert m["ccode"].tolist() == [900, 920, 800] and m["peak_personnel"].iloc[0] == 5500


@pytest.mark.parametrize(("where", "row_text", "message", "column", "line"), [
    # ccodes run from 2 to 999, both ends inclusive (the schema's between(2, 999))
    ("m", "pacific_test_1999,1000,Thailand,combat,,,,test note",
     "ccode 1000 is not a COW ccode (they run from 2 to 999)", "ccode", 4),
    ("c", _coalition(lead="1000,Australia"), "lead_ccode 1000 is not a COW ccode (they run from 2 to 999)",
     "lead_ccode", 2),
    ("c", _coalition(target="1,Atlantis"), "target_ccode 1 is not a COW ccode (they run from 2 to 999)",
     "target_ccode", 2),
    ("c", _coalition(target="1000,Atlantis"), "target_ccode 1000 is not a COW ccode (they run from 2 to 999)",
     "target_ccode", 2),
    ("c", _coalition(entrepreneur="1"), "entrepreneur_ccode 1 is not a COW ccode (they run from 2 to 999)",
     "entrepreneur_ccode", 2),
    ("c", _coalition(entrepreneur="1000"), "entrepreneur_ccode 1000 is not a COW ccode (they run from 2 to 999)",
     "entrepreneur_ccode", 2),
    ("m", "pacific_test_1999,800,Thailand,combat,,,1500001,test note",
     "peak_personnel 1,500,001 is above 1,500,000, more than any state has deployed to one coalition since "
     "1945; give the largest contingent in the field, or leave it empty", "peak_personnel", 4),
])
def test_a_number_out_of_range_names_file_column_and_line(tmp_path: Path, where, row_text, message, column,
                                                          line) -> None:
    """Catches a bound moved by one (a 1000 or a 1 let through, or a 2 refused: see the next test) and a
    lost path or column in the out-of-range error."""
    paths = (_files(tmp_path, member_rows=[*MEMBERS[:2], row_text]) if where == "m"
             else _files(tmp_path, [row_text]))
    err = _refused(paths)
    path = paths[1] if where == "m" else paths[0]
    assert str(err) == f"{message} [{path}, column {column!r}, row {line}]"
    assert (err.path, err.column, err.row) == (path, column, line)


def test_ccode_2_is_a_valid_target_and_entrepreneur(tmp_path: Path) -> None:
    """Catches a lower bound of 3 for target_ccode or entrepreneur_ccode (the United States is ccode 2)."""
    rows = [_coalition(target="2,United States"),
            _coalition("second_test_1999", entrepreneur="2")]
    members = [*MEMBERS, "second_test_1999,900,Australia,lead,,,,test note",
               "second_test_1999,2,United States,combat,,,,test note"]
    c, _ = read_coalitions_csv(*_files(tmp_path, rows, members))
    assert c["target_ccode"].tolist() == [2, pd.NA] and c["entrepreneur_ccode"].tolist() == [pd.NA, 2]


# ---------------------------------------------------------------- dates and required text


@pytest.mark.parametrize(("where", "rows", "message", "column", "line"), [
    ("c", [_coalition(end="2000-02-30")], "not a YYYY-MM-DD date: '2000-02-30'", "end_date", 2),
    ("m", [*MEMBERS[:2], "pacific_test_1999,800,Thailand,combat,1999-13-01,,,test note"],
     "not a YYYY-MM-DD date: '1999-13-01'", "join_date", 4),
    ("m", [*MEMBERS[:2], "pacific_test_1999,800,Thailand,combat,,01/01/2000,,test note"],
     "not a YYYY-MM-DD date: '01/01/2000'", "leave_date", 4),
    # an empty required text cell on the second data row (line 3), the first row complete
    ("c", [_coalition(), _coalition("other_test_1999", name="")], "empty value in a required column", "name", 3),
    ("m", [MEMBERS[0], "pacific_test_1999,920,New Zealand,,,,,test note", MEMBERS[2]],
     "empty value in a required column", "role", 3),
    ("m", [*MEMBERS, "pacific_test_1999,2,United States,token,,,,"],
     "empty value in a required column", "source", 5),
])
def test_a_bad_date_or_empty_required_cell_names_file_column_and_line(tmp_path: Path, where, rows, message,
                                                                       column, line) -> None:
    """Catches a lost message, path, column or line (or the wrong empty cell picked) in the errors of
    the date parser and of the required-text check, in either file."""
    paths = _files(tmp_path, member_rows=rows) if where == "m" else _files(tmp_path, rows)
    err = _refused(paths)
    path = paths[1] if where == "m" else paths[0]
    assert str(err) == f"{message} [{path}, column {column!r}, row {line}]"
    assert (err.path, err.column, err.row) == (path, column, line)


def test_two_empty_required_cells_name_the_first(tmp_path: Path) -> None:
    """Catches the second empty cell reported instead of the first."""
    rows = [_coalition(), _coalition("other_test_1999", name=""), _coalition("third_test_1999", name="")]
    err = _refused(_files(tmp_path, rows))
    assert (err.column, err.row) == ("name", 3)


def test_no_theatre_and_no_target_lists_the_regions(tmp_path: Path) -> None:
    """Catches the regions joined with another separator in the 'no theatre' error."""
    paths = _files(tmp_path, [_coalition(theatre="")])
    err = _refused(paths)
    assert str(err) == ("no theatre for 'pacific_test_1999': give theatre (one of americas, europe, africa, "
                        f"middle_east, asia, oceania) or target_ccode [{paths[0]}, column 'theatre', row 2]")


# ---------------------------------------------------------------- checks across rows


def test_a_label_that_names_no_state_gives_the_whole_advice(tmp_path: Path) -> None:
    """Catches an altered tail of the 'names no known state' message."""
    paths = _files(tmp_path, member_rows=[*MEMBERS[:2], "pacific_test_1999,800,Atlantis,combat,,,,test note"])
    err = _refused(paths)
    assert str(err) == ("country 'Atlantis' names no known state; ccode 800 is 'Thailand': write a name or ISO3 "
                        f"code of that state [{paths[1]}, column 'country', row 4]")


def test_a_label_naming_several_other_states_lists_them_all(tmp_path: Path) -> None:
    """Catches another separator between the states a label names, and an altered advice."""
    paths = _files(tmp_path, member_rows=[*MEMBERS, "pacific_test_1999,2,Germany,token,,,,test note"])
    err = _refused(paths)
    # 'Germany' names the three COW Germanys: 255 (to 1945 and from 1990), 260 (FRG), 265 (GDR)
    assert str(err) == ("country 'Germany' is ccode 255 (Germany), 260 (German Federal Republic), "
                        "265 (German Democratic Republic), but ccode is 2 (United States); fix the label or "
                        f"the ccode [{paths[1]}, column 'country', row 5]")


def test_a_coalition_targeting_its_lead_gives_the_whole_advice(tmp_path: Path) -> None:
    """Catches an altered tail of the 'target is its lead' message."""
    paths = _files(tmp_path, [_coalition(target="900,Australia")])
    err = _refused(paths)
    assert str(err) == ("target_ccode 900 of 'pacific_test_1999' is its lead; for an operation on the lead's own "
                        "territory leave target_ccode empty and give theatre "
                        f"[{paths[0]}, column 'target_ccode', row 2]")


def test_a_member_that_is_the_target_of_a_war_gives_the_whole_advice(tmp_path: Path) -> None:
    """Catches the adversary mission types joined with another separator, and an altered advice."""
    paths = _files(tmp_path, [_coalition(target="800,Thailand", mission="war")])
    err = _refused(paths)
    assert str(err) == ("ccode 800 is a member of 'pacific_test_1999' and also its target_ccode; in a war, "
                        "air_campaign mission the target is the adversary (name the host state in the row's "
                        f"source note instead) [{paths[1]}, column 'ccode', row 4]")


def test_a_duplicate_membership_is_named_by_its_pair(tmp_path: Path) -> None:
    """Catches a duplicate (coalition_id, ccode) row named by its coalition alone."""
    paths = _files(tmp_path, member_rows=[*MEMBERS, "pacific_test_1999,800,Thailand,token,,,,again"])
    err = _refused(paths)
    assert err.column == "ccode" and err.row == 5
    # the pair as a plain tuple (not np.int64(800)), then where it first was
    assert str(err) == ("duplicate (coalition_id, ccode) row ('pacific_test_1999', 800) "
                        f"(first at my_memberships.csv row 4) [{paths[1]}, column 'ccode', row 5]")


# ---------------------------------------------------------------- add_coalitions


def test_a_user_id_clashing_with_a_shipped_one_names_the_shipped_file_and_the_line(tmp_path: Path) -> None:
    """Catches the clash error naming another shipped file, or losing the path, column or line."""
    rows = [_coalition(), _coalition("kfor_1999")]  # kfor_1999 is in coalitions_us.csv; the clash is on line 3
    members = [*MEMBERS, "kfor_1999,900,Australia,lead,,,,test note"]
    paths = _files(tmp_path, rows, members)
    with pytest.raises(DataFileError) as info:
        add_coalitions(*paths)
    assert str(info.value) == ("duplicate coalition_id 'kfor_1999': already in the shipped dataset "
                               f"(coalitions_us.csv); rename it [{paths[0]}, column 'coalition_id', row 3]")
    assert (info.value.path, info.value.column, info.value.row) == (paths[0], "coalition_id", 3)


def test_add_coalitions_checks_the_users_states(tmp_path: Path) -> None:
    """Catches the user's ``states`` dropped for the default COW list."""
    day = pd.Timestamp
    states = pd.DataFrame({"ccode": [900, 920, 800],
                           "start_date": [day("1901-01-01"), day("1920-01-10"), day("2005-01-01")],
                           "end_date": [day("2024-12-31")] * 3})
    with pytest.raises(DataFileError) as info:
        add_coalitions(*_files(tmp_path), states=states)
    # Thailand joined on 1999-10-01, before its (made-up) spell starts
    assert str(info.value).startswith("ccode 800 (Thailand) is not a COW system member on its join date 1999-10-01 "
                                      "(coalition 'pacific_test_1999')")
    # the same spells with Thailand from 1816: accepted
    states.loc[2, "start_date"] = day("1816-01-01")
    c, _ = add_coalitions(*_files(tmp_path), states=states)
    assert c["coalition_id"].iloc[-1] == "pacific_test_1999"


def test_add_coalitions_appends_with_a_fresh_row_index_and_names_the_files(tmp_path: Path) -> None:
    """Catches the user's rows keeping their own labels 0, 1, ... after the shipped rows, and a lost file
    in ``attrs['user_files']``."""
    c_path, m_path = _files(tmp_path)
    n_c, n_m = len(coalitions()), len(memberships())
    c, m = add_coalitions(c_path, m_path)
    assert c.index.equals(pd.RangeIndex(n_c + 1)) and m.index.equals(pd.RangeIndex(n_m + 3))
    assert c.loc[n_c, "coalition_id"] == "pacific_test_1999"
    assert m.loc[n_m:, "ccode"].tolist() == [900, 920, 800]
    assert c.attrs["user_files"] == [str(c_path), str(m_path)] == m.attrs["user_files"]
