"""Users' coalition CSVs: labels against ccodes, targets, control characters, personnel range, real line
numbers, and CSV written back out that a spreadsheet cannot run."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from coalitionlab._csv import safe_csv_frame, safe_csv_value
from coalitionlab.coalitions import read_coalitions_csv
from coalitionlab.coalitions.dataset import MAX_PEAK_PERSONNEL
from coalitionlab.errors import DataFileError, UnknownCountryError

C_HEADER = ("coalition_id,name,start_date,end_date,lead_ccode,lead,kind,un_authorisation,un_resolution,"
            "target_ccode,target,mission_type,operation,theatre,entrepreneur_ccode,sources")
M_HEADER = "coalition_id,ccode,country,role,join_date,leave_date,peak_personnel,source"


def _coalition(lead: str = "900,Australia", target: str = ",", mission: str = "peace_operation",
               name: str = "Test force") -> str:
    return (f"pacific_test_1999,{name},1999-09-20,2000-02-28,{lead},ad_hoc,yes,UNSCR 1264,{target},{mission},,"
            "oceania,,test source 2024")


MEMBERS = [
    "pacific_test_1999,900,Australia,lead,,,5500,test note",
    "pacific_test_1999,920,New Zealand,combat,,,,test note",
    "pacific_test_1999,800,Thailand,combat,1999-10-01,,,test note",
]


def _write(tmp_path: Path, c_text: str, m_text: str, newline: str = "\n") -> tuple[Path, Path]:
    c, m = tmp_path / "my_coalitions.csv", tmp_path / "my_memberships.csv"
    c.write_bytes(c_text.replace("\n", newline).encode("utf-8"))
    m.write_bytes(m_text.replace("\n", newline).encode("utf-8"))
    return c, m


def _files(tmp_path: Path, coalition_rows: list[str] | None = None, member_rows: list[str] | None = None):
    c_rows = [_coalition()] if coalition_rows is None else coalition_rows
    m_rows = MEMBERS if member_rows is None else member_rows
    return _write(tmp_path, "\n".join([C_HEADER, *c_rows]) + "\n", "\n".join([M_HEADER, *m_rows]) + "\n")


def _line_of(path: Path, needle: str) -> int:
    """The 1-based line of the file that holds ``needle`` (the oracle: the file as a text editor shows it)."""
    lines = path.read_bytes().decode("utf-8").replace("\r\n", "\n").split("\n")
    hits = [i + 1 for i, text in enumerate(lines) if needle in text]
    assert len(hits) == 1, hits
    return hits[0]


# ---------------------------------------------------------------- labels against ccodes


def test_any_name_or_code_of_the_state_is_accepted_and_the_output_uses_one_name(tmp_path: Path) -> None:
    members = ["pacific_test_1999,900,aus,lead,,,,test note",               # ISO3, lower case
               "pacific_test_1999,920,NZ,combat,,,,test note",              # ISO2
               "pacific_test_1999,800,Kingdom of Thailand,combat,,,,test note",
               "pacific_test_1999,2,United States of America,non_combat,,,,test note"]
    c, m = read_coalitions_csv(*_files(tmp_path, [_coalition(lead="900,AUSTRALIA")], members))
    assert c["lead"].tolist() == ["Australia"]
    assert m["country"].tolist() == ["Australia", "New Zealand", "Thailand", "United States"]


def test_a_member_label_naming_another_state_names_both(tmp_path: Path) -> None:
    paths = _files(tmp_path, member_rows=[*MEMBERS, "pacific_test_1999,2,France,token,,,,test note"])
    with pytest.raises(DataFileError, match=r"country 'France' is ccode 220 \(France\), but ccode is 2 "
                                            r"\(United States\)") as info:
        read_coalitions_csv(*paths)
    assert info.value.column == "country" and info.value.row == 5 and "my_memberships.csv" in str(info.value)


def test_a_lead_label_naming_another_state_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"lead 'New Zealand' is ccode 920 .*lead_ccode is 900 \(Australia\)") as info:
        read_coalitions_csv(*_files(tmp_path, [_coalition(lead="900,New Zealand")]))
    assert info.value.column == "lead" and info.value.row == 2


def test_a_label_that_names_no_state_is_refused(tmp_path: Path) -> None:
    paths = _files(tmp_path, member_rows=[*MEMBERS[:2], "pacific_test_1999,800,Atlantis,combat,,,,test note"])
    with pytest.raises(DataFileError, match="country 'Atlantis' names no known state; ccode 800 is 'Thailand'") as info:
        read_coalitions_csv(*paths)
    assert info.value.row == 4


# ---------------------------------------------------------------- targets


def test_a_coalition_targeting_its_lead_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="target_ccode 900 of 'pacific_test_1999' is its lead") as info:
        read_coalitions_csv(*_files(tmp_path, [_coalition(target="900,Australia")]))
    assert info.value.column == "target_ccode" and info.value.row == 2


def test_a_member_cannot_be_the_target_of_a_war_but_a_host_may_be(tmp_path: Path) -> None:
    war = [_coalition(target="800,Thailand", mission="war")]
    with pytest.raises(DataFileError, match="ccode 800 is a member of 'pacific_test_1999' and also its target") as info:
        read_coalitions_csv(*_files(tmp_path, war))
    assert info.value.column == "ccode" and info.value.row == 4
    # a peace operation's target column names the host, which may send forces (seato_thailand_1962)
    c, m = read_coalitions_csv(*_files(tmp_path, [_coalition(target="800,Thailand")]))
    assert int(c["target_ccode"].iloc[0]) == 800 and 800 in set(m["ccode"])


def test_a_target_that_never_was_a_state_is_named(tmp_path: Path) -> None:
    with pytest.raises(UnknownCountryError, match=r"998.*my_coalitions.csv, column 'target_ccode', row 2"):
        read_coalitions_csv(*_files(tmp_path, [_coalition(target="998,Atlantis")]))
    with pytest.raises(DataFileError, match="target_ccode 1000 is not a COW ccode") as info:
        read_coalitions_csv(*_files(tmp_path, [_coalition(target="1000,Atlantis")]))
    assert info.value.row == 2


# ---------------------------------------------------------------- peak personnel


@pytest.mark.parametrize(("value", "match"), [
    (str(MAX_PEAK_PERSONNEL + 1), "peak_personnel 1,500,001 is above 1,500,000"),
    ("-5", "peak_personnel -5 is negative"),
    ("9" * 30, "is above 1,500,000"),          # would overflow int64: still one clear error
    ("1.5", "non-numeric or non-integer value '1.5'"),
    ("1,000", "fields but the header has"),    # an unquoted thousands separator adds a field
])
def test_peak_personnel_out_of_range_is_a_data_file_error(tmp_path: Path, value: str, match: str) -> None:
    paths = _files(tmp_path, member_rows=[*MEMBERS[:2], f"pacific_test_1999,800,Thailand,combat,,,{value},note"])
    with pytest.raises(DataFileError, match=match) as info:
        read_coalitions_csv(*paths)
    assert info.value.row == 4


def test_peak_personnel_bounds_are_inclusive(tmp_path: Path) -> None:
    rows = [*MEMBERS[:2], f"pacific_test_1999,800,Thailand,combat,,,{MAX_PEAK_PERSONNEL},note"]
    _, m = read_coalitions_csv(*_files(tmp_path, member_rows=[rows[0].replace(",5500,", ",0,"), *rows[1:]]))
    assert m["peak_personnel"].tolist()[0] == 0 and m["peak_personnel"].tolist()[2] == 1_500_000
    assert str(m["peak_personnel"].dtype) == "Int64"


# ---------------------------------------------------------------- control characters


@pytest.mark.parametrize(("cell", "match"), [
    ("New\x00Zealand", r"NUL byte \(U\+0000\)"),
    ("\x1b[31mNew Zealand\x1b[0m", r"ESC, which starts a terminal escape sequence \(U\+001B\)"),
    ("New\x9b2JZealand", r"CSI, which starts a terminal escape sequence \(U\+009B\)"),
    ("New\x07Zealand", r"control character \(U\+0007\)"),
])
def test_control_characters_are_refused_with_line_and_column(tmp_path: Path, cell: str, match: str) -> None:
    paths = _files(tmp_path, member_rows=[MEMBERS[0], f"pacific_test_1999,920,{cell},combat,,,,note", MEMBERS[2]])
    with pytest.raises(DataFileError, match=match) as info:
        read_coalitions_csv(*paths)
    assert info.value.column == "country" and info.value.row == 3


def test_a_control_character_in_a_multi_line_cell_names_its_own_line(tmp_path: Path) -> None:
    note = '"first line of the note\nsecond line\nthird \x1b[2J line"'
    paths = _files(tmp_path, member_rows=[MEMBERS[0], f"pacific_test_1999,920,New Zealand,combat,,,,{note}",
                                          MEMBERS[2]])
    with pytest.raises(DataFileError, match="ESC") as info:
        read_coalitions_csv(*paths)
    assert info.value.column == "source" and info.value.row == _line_of(paths[1], "third") == 5


def test_a_control_character_in_the_coalitions_header_is_refused(tmp_path: Path) -> None:
    paths = _write(tmp_path, C_HEADER.replace("sources", "sour\x1bces") + "\n" + _coalition() + "\n",
                   "\n".join([M_HEADER, *MEMBERS]) + "\n")
    with pytest.raises(DataFileError, match="in the header") as info:
        read_coalitions_csv(*paths)
    assert info.value.row == 1


def test_tabs_and_multi_line_cells_are_plain_text(tmp_path: Path) -> None:
    note = '"a note\nover two lines\twith a tab"'
    row = f"pacific_test_1999,800,Thailand,combat,,,,{note}"
    _, m = read_coalitions_csv(*_files(tmp_path, member_rows=[*MEMBERS[:2], row]))
    assert m["source"].iloc[2] == "a note\nover two lines\twith a tab"


# ---------------------------------------------------------------- real line numbers


def test_line_numbers_count_blank_lines_and_multi_line_cells(tmp_path: Path) -> None:
    members = "\n".join([
        M_HEADER,
        "",                                                                        # line 2: blank
        MEMBERS[0],                                                                # line 3
        'pacific_test_1999,920,New Zealand,combat,,,,"a note that',                # lines 4-6: one record
        "runs over",
        'three lines"',
        "",                                                                        # line 7: blank
        "pacific_test_1999,800,Thailand,combat,,,about 1500,the bad row",          # line 8
    ]) + "\n"
    for newline in ("\n", "\r\n"):
        c, m = _write(tmp_path, C_HEADER + "\n" + _coalition() + "\n", members, newline=newline)
        with pytest.raises(DataFileError, match="non-numeric") as info:
            read_coalitions_csv(c, m)
        assert info.value.row == _line_of(m, "the bad row") == 8, newline
        assert info.value.column == "peak_personnel"


def test_line_numbers_of_checks_after_typing_are_file_lines(tmp_path: Path) -> None:
    # the duplicate row is found after reading; its line still counts the blank lines before it
    c_rows = ["", _coalition(), "", ""]
    m_rows = [MEMBERS[0], "", MEMBERS[1], "pacific_test_1999,920,New Zealand,token,,,,duplicate here"]
    with pytest.raises(DataFileError, match=r"duplicate \(coalition_id, ccode\)") as info:
        read_coalitions_csv(*_files(tmp_path, c_rows, m_rows))
    assert info.value.row == _line_of(tmp_path / "my_memberships.csv", "duplicate here") == 5
    # and a coalition-level check after reading: the lead label, on line 3 after one blank line
    with pytest.raises(DataFileError, match="lead 'France'") as info:
        read_coalitions_csv(*_files(tmp_path, ["", _coalition(lead="900,France")]))
    assert info.value.row == 3


def test_a_line_with_the_wrong_number_of_fields_is_named(tmp_path: Path) -> None:
    paths = _files(tmp_path, member_rows=[*MEMBERS, "pacific_test_1999,2,United States,token"])
    with pytest.raises(DataFileError, match="the line has 4 fields but the header has 8") as info:
        read_coalitions_csv(*paths)
    assert info.value.row == 5


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    c, m = _files(tmp_path)
    c.write_bytes(b"\xef\xbb\xbf" + c.read_bytes())
    assert read_coalitions_csv(c, m)[0]["coalition_id"].tolist() == ["pacific_test_1999"]


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    c, m = _files(tmp_path, member_rows=[*MEMBERS[:2], "pacific_test_1999,800,Tha\xefland,combat,,,,note"])
    m.write_bytes(m.read_bytes().replace("Tha\xefland".encode(), b"Tha\xefland"))
    with pytest.raises(DataFileError, match="not UTF-8") as info:
        read_coalitions_csv(c, m)
    assert info.value.row == 4


# ---------------------------------------------------------------- formulas when writing CSV


def test_formula_cells_are_neutralised_when_written() -> None:
    cells = ["=1+1", "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A9)", "\t=1", "\r=1",
             "-5", "+1.5e3", "France", "", "a=b"]
    expected = ["'=1+1", "'+1+1", "'-2+3+cmd|' /C calc'!A0", "'@SUM(A1:A9)", "'\t=1", "'\r=1",
                "-5", "+1.5e3", "France", "", "a=b"]   # written out by hand (OWASP: = + - @ tab CR)
    df = pd.DataFrame({"text": cells, "n": range(len(cells))})
    df.attrs["source"] = "test"
    out = safe_csv_frame(df)
    assert out["text"].tolist() == expected and out["n"].tolist() == list(range(len(cells)))
    assert out.attrs == {"source": "test"} and df["text"].tolist() == cells  # the input is not changed
    assert [safe_csv_value(v) for v in (-5, 1.5, None)] == [-5, 1.5, None]
    assert list(safe_csv_frame(pd.DataFrame({"=bad": [1]})).columns) == ["'=bad"]
    cat = safe_csv_frame(pd.DataFrame({"c": pd.Categorical(["=x", "y"])}))
    assert cat["c"].tolist() == ["'=x", "y"]


def test_a_users_formula_label_is_data_on_reading_and_inert_on_writing(tmp_path: Path) -> None:
    name = '"=HYPERLINK(""http://example.org"",""x"")"'
    c, _ = read_coalitions_csv(*_files(tmp_path, [_coalition(name=name)]))
    assert c["name"].iloc[0] == '=HYPERLINK("http://example.org","x")'   # read as written
    written = safe_csv_frame(c).to_csv(index=False)
    cells = [cell for row in csv.reader(io.StringIO(written)) for cell in row]
    assert "'=HYPERLINK(\"http://example.org\",\"x\")" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@")]
