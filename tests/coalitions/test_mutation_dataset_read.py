"""Reading coalition CSVs: cases that mutation testing showed the other tests let through
(docs/development/mutation.md).

Every case writes a tiny coalition pair by hand into ``tmp_path``. The expected messages, file lines,
columns and parsed values are written out here from the file text (the header is line 1, blank lines
count, a multi-line quoted cell is numbered by its first line) and from the rules of the
``read_coalitions_csv`` docstring, never computed by the reader.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from coalitionlab.coalitions import read_coalitions_csv
from coalitionlab.coalitions.dataset import _read_pair
from coalitionlab.errors import DataFileError

C_COLUMNS = ["coalition_id", "name", "start_date", "end_date", "lead_ccode", "lead", "kind", "un_authorisation",
             "un_resolution", "target_ccode", "target", "mission_type", "operation", "theatre",
             "entrepreneur_ccode", "sources"]
M_COLUMNS = ["coalition_id", "ccode", "country", "role", "join_date", "leave_date", "peak_personnel", "source"]
C_HEADER = ",".join(C_COLUMNS)
M_HEADER = ",".join(M_COLUMNS)

# one coalition (Australia leads, 1999-09-20 .. 2000-02-28) and its three members
PACIFIC = ("pacific_test_1999,Test force,1999-09-20,2000-02-28,900,Australia,ad_hoc,yes,UNSCR 1264,,,"
           "peace_operation,,oceania,,test source 2024")
MEMBERS = [
    "pacific_test_1999,900,Australia,lead,,,5500,test note",
    "pacific_test_1999,920,New Zealand,combat,,,,test note",
    "pacific_test_1999,800,Thailand,combat,1999-10-01,,,test note",
]


def _coalition(**cells: str) -> str:
    """PACIFIC with some cells replaced (by column name)."""
    values = dict(zip(C_COLUMNS, PACIFIC.split(",")))
    values.update(cells)
    return ",".join(values[col] for col in C_COLUMNS)


def _pair(tmp_path: Path, c_lines: list[str], m_lines: list[str], newline: str = "\n") -> tuple[Path, Path]:
    """Write the two files line by line (headers included in the lists) and return their paths."""
    c, m = tmp_path / "my_coalitions.csv", tmp_path / "my_memberships.csv"
    c.write_bytes((newline.join(c_lines) + newline).encode("utf-8"))
    m.write_bytes((newline.join(m_lines) + newline).encode("utf-8"))
    return c, m


def _files(tmp_path: Path, coalition_rows: list[str] | None = None,
           member_rows: list[str] | None = None) -> tuple[Path, Path]:
    return _pair(tmp_path, [C_HEADER, *([PACIFIC] if coalition_rows is None else coalition_rows)],
                 [M_HEADER, *(MEMBERS if member_rows is None else member_rows)])


def _error(paths: tuple[Path, Path], **kw) -> DataFileError:
    with pytest.raises(DataFileError) as info:
        read_coalitions_csv(*paths, **kw)
    return info.value


# ---------------------------------------------------------------- files that cannot be read


def test_a_missing_file_names_its_path(tmp_path: Path) -> None:
    """Catches a 'file not found' error without its path or with another message."""
    _, m = _files(tmp_path)
    missing = tmp_path / "nowhere.csv"
    err = _error((missing, m))
    assert str(err) == f"file not found [{missing}]"
    assert err.path == missing and err.row is None and err.column is None


def test_a_gzipped_pair_reads_like_the_plain_pair(tmp_path: Path) -> None:
    """Catches a reader that no longer decompresses ``.gz`` files (wrong suffix test, data dropped)."""
    c, m = _files(tmp_path)
    cz, mz = tmp_path / "my_coalitions.csv.gz", tmp_path / "my_memberships.csv.gz"
    cz.write_bytes(gzip.compress(c.read_bytes()))
    mz.write_bytes(gzip.compress(m.read_bytes()))
    coal, mem = read_coalitions_csv(cz, mz)
    assert coal["coalition_id"].tolist() == ["pacific_test_1999"]
    assert mem["ccode"].tolist() == [900, 920, 800]
    assert mem["peak_personnel"].tolist()[0] == 5500
    assert coal["file"].tolist() == ["my_coalitions.csv.gz"]


def test_a_truncated_gzip_file_names_its_path(tmp_path: Path) -> None:
    """Catches the gzip error losing its message or its path."""
    c, m = _files(tmp_path)
    cz = tmp_path / "broken.csv.gz"
    cz.write_bytes(gzip.compress(c.read_bytes())[:-12])   # the end-of-stream marker cut off
    err = _error((cz, m))
    assert str(err).startswith("truncated or corrupt gzip file (") and str(err).endswith(f") [{cz}]")
    assert err.path == cz


def test_a_file_that_cannot_be_read_names_its_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Catches the OSError branch losing its message or its path (the read is made to fail: tests run as
    any user, so file permissions cannot be relied on)."""
    c, m = _files(tmp_path)
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == c:
            raise PermissionError("no permission to read")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    err = _error((c, m))
    assert str(err) == f"cannot read file (no permission to read) [{c}]"
    assert err.path == c


def test_a_file_that_is_not_utf8_names_the_byte_file_and_line(tmp_path: Path) -> None:
    """Catches the not-UTF-8 error without its path, or naming no byte or two bytes."""
    c, m = _files(tmp_path)
    # a lone Latin-1 i-diaeresis (0xEF) followed by 'l', on line 4 of the memberships file
    m.write_bytes(m.read_bytes().replace(b"Thailand", b"Tha\xefland"))
    err = _error((c, m))
    assert str(err) == f"file is not UTF-8 (byte b'\\xef') [{m}, row 4]"
    assert err.path == m and err.row == 4


def test_an_empty_file_is_named(tmp_path: Path) -> None:
    """Catches the 'file is empty' error losing its message or its path."""
    c, m = _files(tmp_path)
    c.write_bytes(b"  \n\n \n")
    err = _error((c, m))
    assert str(err) == f"file is empty [{c}]"
    assert err.path == c


# ---------------------------------------------------------------- CSV syntax and line numbers


def test_malformed_quoting_is_refused_with_its_line(tmp_path: Path) -> None:
    """Catches a non-strict CSV reader (which would read '"New Zealand"x' as a cell) and the malformed-CSV
    error losing its message, path or line."""
    paths = _files(tmp_path, member_rows=[MEMBERS[0], 'pacific_test_1999,920,"New Zealand"x,combat,,,,note',
                                          MEMBERS[2]])
    err = _error(paths)
    assert str(err) == f"malformed CSV (',' expected after '\"') [{paths[1]}, row 3]"
    assert err.path == paths[1] and err.row == 3


def test_a_bare_carriage_return_inside_a_quoted_cell_is_refused(tmp_path: Path) -> None:
    """Catches a reader that turns a CR inside a cell into a newline (universal-newline translation),
    which lets the control character through."""
    paths = _files(tmp_path, member_rows=[MEMBERS[0], 'pacific_test_1999,920,New Zealand,combat,,,,"a\rnote"',
                                          MEMBERS[2]])
    err = _error(paths)
    assert str(err) == ("carriage return inside a cell (U+000D) in a cell; coalition files hold plain text: "
                        f"remove it [{paths[1]}, column 'source', row 3]")


def test_classic_mac_line_endings_read_like_unix_ones(tmp_path: Path) -> None:
    """Catches a reader that only splits lines on LF (a CR-only file is then one malformed line).
    A CR that ends a line is a line end, not a control character; lines still count."""
    rows = [MEMBERS[0], "", "pacific_test_1999,920,New Zealand,combat,,,,test note", MEMBERS[2]]
    paths = _pair(tmp_path, [C_HEADER, PACIFIC], [M_HEADER, *rows], newline="\r")
    coal, mem = read_coalitions_csv(*paths)
    assert coal["coalition_id"].tolist() == ["pacific_test_1999"]
    assert mem["ccode"].tolist() == [900, 920, 800]
    bad = [MEMBERS[0], "", "pacific_test_1999,920,New Zealand,combat,,,lots,test note"]
    paths = _pair(tmp_path, [C_HEADER, PACIFIC], [M_HEADER, *bad], newline="\r")
    err = _error(paths)
    assert err.column == "peak_personnel" and err.row == 4   # header 1, row 2, blank 3, bad row 4


def test_a_line_of_spaces_is_a_blank_line(tmp_path: Path) -> None:
    """Catches the blank-line test going wrong: a line holding only spaces is skipped (and counted)."""
    rows = [MEMBERS[0], "   ", MEMBERS[1], "\t", MEMBERS[2]]
    coal, mem = read_coalitions_csv(*_files(tmp_path, member_rows=rows))
    assert mem["country"].tolist() == ["Australia", "New Zealand", "Thailand"]
    # the line count includes both blank lines: the bad row below is line 6
    rows = [MEMBERS[0], "   ", MEMBERS[1], "\t", "pacific_test_1999,800,Thailand,combat,1999-10-01,,x,note"]
    err = _error(_files(tmp_path, member_rows=rows))
    assert err.row == 6 and err.column == "peak_personnel"


def test_a_row_whose_first_cell_is_empty_is_not_a_blank_line(tmp_path: Path) -> None:
    """Catches a reader that skips every record whose first cell is blank (a row would vanish silently)."""
    rows = [MEMBERS[0], ",920,New Zealand,combat,,,,test note", MEMBERS[2]]
    paths = _files(tmp_path, member_rows=rows)
    err = _error(paths)
    assert str(err) == f"empty value in a required column [{paths[1]}, column 'coalition_id', row 3]"


def test_a_line_with_too_few_fields_gets_the_whole_message(tmp_path: Path) -> None:
    """Catches the field-count error losing its advice or its path."""
    paths = _files(tmp_path, member_rows=[*MEMBERS, "pacific_test_1999,2,United States,token"])
    err = _error(paths)
    assert str(err) == (f"the line has 4 fields but the header has 8; quote cells that contain commas "
                        f"[{paths[1]}, row 5]")
    assert err.path == paths[1]


# ---------------------------------------------------------------- control characters


def test_a_control_character_after_a_multi_line_cell_names_its_own_line(tmp_path: Path) -> None:
    """Catches the line of a control character not counting the newlines of the cells before it
    (subtracted, or counted as another string), a wrong 'in the header' / 'in a cell', and a lost path."""
    rows = [MEMBERS[0], 'pacific_test_1999,920,"New\nZealand",combat,,,,"a \x07 note"', MEMBERS[2]]
    paths = _files(tmp_path, member_rows=rows)
    err = _error(paths)
    # the record starts on line 3; its country cell ends on line 4, where the BEL (U+0007) sits
    assert str(err) == ("control character (U+0007) in a cell; coalition files hold plain text: remove it "
                        f"[{paths[1]}, column 'source', row 4]")
    assert err.path == paths[1] and err.row == 4


def test_a_control_character_in_a_field_beyond_the_header_names_the_field(tmp_path: Path) -> None:
    """Catches the column of a field past the header's last column: 'field 9' for the ninth field
    (not an IndexError, not field 7 or 10)."""
    rows = [MEMBERS[0], "pacific_test_1999,920,New Zealand,combat,,,,test note,\x1b[2J", MEMBERS[2]]
    paths = _files(tmp_path, member_rows=rows)
    err = _error(paths)
    assert str(err) == ("ESC, which starts a terminal escape sequence (U+001B) in a cell; coalition files hold "
                        f"plain text: remove it [{paths[1]}, column 'field 9', row 3]")


def test_a_control_character_in_the_header_says_so(tmp_path: Path) -> None:
    """Catches the header case of the message being changed."""
    paths = _pair(tmp_path, [C_HEADER.replace("sources", "sour\x1bces"), PACIFIC], [M_HEADER, *MEMBERS])
    err = _error(paths)
    assert str(err) == ("ESC, which starts a terminal escape sequence (U+001B) in the header; coalition files "
                        f"hold plain text: remove it [{paths[0]}, row 1]")
    assert err.column is None


# ---------------------------------------------------------------- header problems


def test_columns_given_twice_are_all_named(tmp_path: Path) -> None:
    """Catches the repeated-column check being dropped or weakened (a column given twice would be
    read from its last copy) and its message, path or column changing."""
    header = M_HEADER + ",source,role"
    rows = [row + ",note,combat" for row in MEMBERS]
    paths = _pair(tmp_path, [C_HEADER, PACIFIC], [header, *rows])
    err = _error(paths)
    assert str(err) == f"column(s) 'role', 'source' appear twice in the header [{paths[1]}, column 'role']"
    assert err.path == paths[1] and err.column == "role"


def test_missing_columns_are_named_with_the_header_found(tmp_path: Path) -> None:
    """Catches the missing-column message (list, header shown, ellipsis) and its path or column changing."""
    header = "coalition_id,ccode,country,join_date,leave_date,peak_personnel"
    rows = ["pacific_test_1999,900,Australia,,,5500"]
    paths = _pair(tmp_path, [C_HEADER, PACIFIC], [header, *rows])
    err = _error(paths)
    assert str(err) == ("missing column(s) 'role', 'source'; found coalition_id, ccode, country, join_date, "
                        f"leave_date, peak_personnel [{paths[1]}, column 'role']")
    assert err.path == paths[1] and err.column == "role"


@pytest.mark.parametrize(("dropped", "shown"), [
    # 16 - 3 = 13 columns: the first 12 are shown, then " ..."
    (("name", "lead", "sources"),
     "coalition_id, start_date, end_date, lead_ccode, kind, un_authorisation, un_resolution, target_ccode, "
     "target, mission_type, operation, theatre ..."),
    # 16 - 4 = 12 columns: all are shown, no ellipsis
    (("name", "lead", "target", "sources"),
     "coalition_id, start_date, end_date, lead_ccode, kind, un_authorisation, un_resolution, target_ccode, "
     "mission_type, operation, theatre, entrepreneur_ccode"),
])
def test_a_long_header_is_cut_after_twelve_columns(tmp_path: Path, dropped: tuple[str, ...], shown: str) -> None:
    """Catches the 12-column cut of the header in the missing-column message moving (11, 13) or the
    ellipsis being shown when nothing was cut."""
    keep = [col for col in C_COLUMNS if col not in dropped]
    values = dict(zip(C_COLUMNS, PACIFIC.split(",")))
    paths = _pair(tmp_path, [",".join(keep), ",".join(values[col] for col in keep)], [M_HEADER, *MEMBERS])
    err = _error(paths)
    missing = ", ".join(repr(col) for col in dropped)
    assert str(err) == f"missing column(s) {missing}; found {shown} [{paths[0]}, column 'name']"


def test_unexpected_columns_are_named_with_the_allowed_ones(tmp_path: Path) -> None:
    """Catches the unexpected-column check being dropped (the column would be ignored silently) and its
    message, path or column changing."""
    header = M_HEADER + ",notes,remarks"
    rows = [row + ",x,y" for row in MEMBERS]
    paths = _pair(tmp_path, [C_HEADER, PACIFIC], [header, *rows])
    err = _error(paths)
    assert str(err) == ("unexpected column(s) 'notes', 'remarks'; allowed: coalition_id, ccode, country, role, "
                        f"join_date, leave_date, peak_personnel, source [{paths[1]}, column 'notes']")
    assert err.path == paths[1] and err.column == "notes"


# ---------------------------------------------------------------- schema messages


@pytest.mark.parametrize(("cells", "column", "message"), [
    ({"un_authorisation": "maybe"}, "un_authorisation", "unknown un_authorisation 'maybe'; allowed: yes, no, later"),
    ({"mission_type": "raid"}, "mission_type",
     "unknown mission_type 'raid'; allowed: war, intervention, stabilisation, peace_operation, maritime_security, "
     "air_campaign"),
    ({"operation": "Bosnia"}, "operation",
     "operation 'Bosnia' is not a lower-case slug ending in a year (e.g. 'bosnia_dayton_1995'); leave it empty "
     "for a coalition that is its own operation"),
    ({"name": "X"}, "name", "name: value 'X' is too short (a real name is required)"),
    ({"start_date": "1940-01-01"}, "start_date",
     "start_date: fails in_range(1945-01-01, 2024-12-31) (value Timestamp('1940-01-01 00:00:00'))"),
])
def test_schema_errors_have_their_own_messages(tmp_path: Path, cells: dict, column: str, message: str) -> None:
    """Catches the allowed-values table losing un_authorisation or mission_type, the operation / short-value
    / generic messages changing, and a ' (+N more problems)' suffix for a single problem."""
    paths = _files(tmp_path, [_coalition(**cells)])
    err = _error(paths)
    assert str(err) == f"{message} [{paths[0]}, column '{column}', row 2]"


def test_more_schema_problems_are_counted(tmp_path: Path) -> None:
    """Two short names: the first is named, the other counted as '+1 more problems' (not +0, +2, none)."""
    rows = [_coalition(name="X"), _coalition(coalition_id="other_test_1999", name="Y")]
    paths = _files(tmp_path, rows)
    err = _error(paths)
    assert str(err) == ("name: value 'X' is too short (a real name is required) (+1 more problems) "
                        f"[{paths[0]}, column 'name', row 2]")


# ---------------------------------------------------------------- checks across the two files


# two coalitions: a one-day operation (start == end) and PACIFIC with boundary dates
ONE_DAY = ("oneday_test_2003,One day force,2003-03-20,2003-03-20,2,United States,ad_hoc,no,,,,intervention,,"
           "middle_east,,test source 2024")
BOUNDARY_MEMBERS = [
    "pacific_test_1999,900,Australia,lead,,,,test note",
    "pacific_test_1999,920,New Zealand,combat,2000-02-28,,,joins on the end date",
    "pacific_test_1999,800,Thailand,combat,1999-10-01,1999-10-01,,leaves the day it joins",
    "pacific_test_1999,2,United States,non_combat,,2000-02-28,,leaves on the end date",
    "pacific_test_1999,200,United Kingdom,token,,1999-12-31,,leaves before the end",
    "oneday_test_2003,2,United States,lead,,,,test note",
]


def test_boundary_dates_and_a_member_entrepreneur_are_accepted(tmp_path: Path) -> None:
    """All of these are allowed by the documented rules (checks are strict inequalities): start == end,
    join == end, leave == join, leave == end, a leave date before the end, and an entrepreneur that is a
    member other than the lead. Catches >= for >, | for &, and the membership pairs built without
    the coalition id."""
    pacific = _coalition(entrepreneur_ccode="920")
    coal, mem = read_coalitions_csv(*_files(tmp_path, [pacific, ONE_DAY], BOUNDARY_MEMBERS))
    assert coal["coalition_id"].tolist() == ["pacific_test_1999", "oneday_test_2003"]
    assert coal["entrepreneur_ccode"].tolist()[0] == 920
    assert mem["join_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "1999-09-20", "2000-02-28", "1999-10-01", "1999-09-20", "1999-09-20", "2003-03-20"]
    assert mem["leave_date"].dt.strftime("%Y-%m-%d").fillna("").tolist() == [
        "", "", "1999-10-01", "2000-02-28", "1999-12-31", ""]


@pytest.mark.parametrize(("row", "column", "message"), [
    ("pacific_test_1999,920,New Zealand,combat,2000-02-29,,,test note", "join_date",
     "join_date 2000-02-29 after the end of 'pacific_test_1999'"),
    ("pacific_test_1999,920,New Zealand,combat,,2000-03-01,,test note", "leave_date",
     "leave_date after the end of 'pacific_test_1999'; leave it empty when the state stayed to the end"),
    ("pacific_test_1999,920,New Zealand,lead,,,,test note", "role",
     "role 'lead' for ccode 920 but the lead of 'pacific_test_1999' is another state"),
    ("korea_test_1950,920,New Zealand,combat,,,,test note", "coalition_id",
     "membership of unknown coalition 'korea_test_1950'; add it to the coalitions file"),
])
def test_cross_file_errors_name_the_row(tmp_path: Path, row: str, column: str, message: str) -> None:
    """A join after the coalition's end, a leave after it, a 'lead' row for another state, a membership of
    an unknown coalition: each names the member's file, column and line (3, after the lead row).
    Catches these messages, columns and rows being changed or lost."""
    paths = _files(tmp_path, member_rows=[MEMBERS[0], row, MEMBERS[2]])
    err = _error(paths)
    assert str(err) == f"{message} [{paths[1]}, column '{column}', row 3]"


def test_a_duplicate_membership_names_the_pair(tmp_path: Path) -> None:
    """Catches the duplicate-membership message being changed."""
    paths = _files(tmp_path, member_rows=[*MEMBERS, "pacific_test_1999,920,New Zealand,token,,,,again"])
    err = _error(paths)
    assert str(err).startswith("duplicate (coalition_id, ccode) row ('pacific_test_1999', ")
    assert "(first at my_memberships.csv row 3)" in str(err)
    assert err.column == "ccode" and err.row == 5


def test_states_passed_by_the_user_are_used(tmp_path: Path) -> None:
    """Catches ``states=`` being ignored (the embedded COW list used instead): in these made-up spells
    Thailand only joins the system in 2000, after its join date 1999-10-01."""
    spells = pd.DataFrame({"ccode": [900, 920, 800],
                           "start_date": pd.to_datetime(["1816-01-01", "1816-01-01", "2000-01-01"]),
                           "end_date": pd.to_datetime(["2024-12-31"] * 3)})
    paths = _files(tmp_path)
    err = _error(paths, states=spells)
    assert str(err) == ("ccode 800 (Thailand) is not a COW system member on its join date 1999-10-01 "
                        f"(coalition 'pacific_test_1999') [{paths[1]}, column 'ccode', row 4]")


def test_names_are_those_of_the_coalition_date(tmp_path: Path) -> None:
    """ccode 345 is Yugoslavia until 2006-06-02 and Serbia after (country_name docstring): in a 1999
    coalition both the lead and the member are named Yugoslavia, whatever label the file used. Catches
    names looked up without the date (the latest name, Serbia)."""
    balkan = ("balkan_test_1999,Test force,1999-03-24,1999-06-10,345,Serbia,ad_hoc,no,,,,intervention,,europe,,"
              "test source 2024")
    members = ["balkan_test_1999,345,Serbia,lead,,,,test note", "balkan_test_1999,339,Albania,combat,,,,test note"]
    coal, mem = read_coalitions_csv(*_files(tmp_path, [balkan], members))
    assert coal["lead"].tolist() == ["Yugoslavia"]
    assert mem["country"].tolist() == ["Yugoslavia", "Albania"]


def test_an_empty_pair_reads_as_empty_frames_with_the_usual_types(tmp_path: Path) -> None:
    """Header-only files are a valid, empty dataset: the frames have the usual columns and the same
    dtypes as a non-empty pair. Catches the empty case looking up a wrong column or re-typing the names."""
    full_c, full_m = read_coalitions_csv(*_files(tmp_path))
    coal, mem = read_coalitions_csv(*_files(tmp_path, [], []))
    assert len(coal) == 0 and len(mem) == 0
    assert list(coal.columns) == [*C_COLUMNS, "file"] and list(mem.columns) == [*M_COLUMNS, "file"]
    assert coal.dtypes.to_dict() == full_c.dtypes.to_dict()
    assert mem.dtypes.to_dict() == full_m.dtypes.to_dict()


def test_several_files_are_numbered_from_zero_in_one_frame(tmp_path: Path) -> None:
    """Two coalition files and two membership files (as the shipped dataset has) read into frames with
    one 0..n-1 index; each row keeps its file and line. Catches the files' own indexes kept (0, 0, ...)."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    c1, m1 = _pair(tmp_path / "a", [C_HEADER, PACIFIC], [M_HEADER, *MEMBERS])
    c2, m2 = _pair(tmp_path / "b", [C_HEADER, "", ONE_DAY], [M_HEADER, "oneday_test_2003,2,USA,lead,,,,test note"])
    coal, mem = _read_pair([c1, c2], [m1, m2])
    assert coal.index.tolist() == [0, 1] and mem.index.tolist() == [0, 1, 2, 3]
    assert coal["coalition_id"].tolist() == ["pacific_test_1999", "oneday_test_2003"]
    assert coal["_line"].tolist() == [2, 3]
    assert mem["ccode"].tolist() == [900, 920, 800, 2]
    assert mem["_line"].tolist() == [2, 3, 4, 2]
    assert mem["country"].tolist() == ["Australia", "New Zealand", "Thailand", "United States"]


def test_an_empty_file_among_several_keeps_whole_line_numbers(tmp_path: Path) -> None:
    """A header-only membership file read with another one: the duplicate row of the other file is
    still named by whole line numbers ('row 3', not 'row 3.0'). Catches the line numbers of an empty
    file built as floats, which turn every line number of the combined frame into a float."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    c1, m_empty = _pair(tmp_path / "a", [C_HEADER, PACIFIC], [M_HEADER])
    _, m1 = _pair(tmp_path / "b", [C_HEADER, PACIFIC],
                  [M_HEADER, *MEMBERS, "pacific_test_1999,920,New Zealand,token,,,,again"])
    with pytest.raises(DataFileError) as info:
        _read_pair([c1], [m_empty, m1])
    assert str(info.value).endswith(f" (first at my_memberships.csv row 3) [{m1}, column 'ccode', row 5]")
