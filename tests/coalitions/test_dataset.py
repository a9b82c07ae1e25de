"""The coalitions API: reading, typing and validating the shipped files and users' own CSVs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from coalitionlab.coalitions import (
    KINDS,
    MISSION_TYPES,
    ROLES,
    UN_AUTHORISATION,
    add_coalitions,
    coalition_members,
    coalitions,
    memberships,
    read_coalitions_csv,
)
from coalitionlab.errors import DataFileError, UnknownCountryError

COALITION_HEADER = ("coalition_id,name,start_date,end_date,lead_ccode,lead,kind,un_authorisation,un_resolution,"
                    "target_ccode,target,mission_type,sources")
MEMBERSHIP_HEADER = "coalition_id,ccode,country,role,join_date,leave_date,peak_personnel,source"
# a file in the pre-2026.2 shape (no operation, theatre, entrepreneur_ccode): still accepted
GOOD_COALITION = ("timor_test_1999,Test force,1999-09-20,2000-02-28,900,Australia,ad_hoc,yes,UNSCR 1264,860,"
                  "East Timor,peace_operation,test source 2024")
GOOD_MEMBERS = [
    "timor_test_1999,900,Australia,lead,,,5500,test note",
    "timor_test_1999,920,New Zealand,combat,,,,test note",
    "timor_test_1999,800,Thailand,combat,1999-10-01,,,test note",
]


def _write(tmp_path: Path, coalition_rows: list[str], member_rows: list[str]) -> tuple[Path, Path]:
    c, m = tmp_path / "my_coalitions.csv", tmp_path / "my_memberships.csv"
    c.write_text("\n".join([COALITION_HEADER, *coalition_rows]) + "\n", encoding="utf-8")
    m.write_text("\n".join([MEMBERSHIP_HEADER, *member_rows]) + "\n", encoding="utf-8")
    return c, m


def test_shipped_dataset_is_typed_and_stamped() -> None:
    c, m = coalitions(), memberships()
    assert str(c["start_date"].dtype) == "datetime64[ns]" and str(m["join_date"].dtype) == "datetime64[ns]"
    assert c["lead_ccode"].dtype == "int64" and m["ccode"].dtype == "int64"
    assert str(m["peak_personnel"].dtype) == "Int64"
    assert set(c["kind"]) <= set(KINDS) and set(m["role"]) <= set(ROLES)
    assert set(c["un_authorisation"]) <= set(UN_AUTHORISATION) and set(c["mission_type"]) <= set(MISSION_TYPES)
    for df in (c, m):
        assert df.attrs["authored"] is True and df.attrs["is_seed"] is False
        assert df.attrs["dataset"] == "coalitionlab_coalitions" and df.attrs["version"]
        assert {"coalitions_us.csv", "memberships_us.csv"} <= set(df.attrs["files"])
    # join_date is filled with the coalition start where the CSV leaves it empty
    assert m["join_date"].notna().all()


def test_calls_return_independent_copies() -> None:
    c = coalitions()
    c.loc[0, "name"] = "changed"
    assert coalitions().loc[0, "name"] != "changed"


def test_lead_filter_accepts_names_codes_and_fails_clearly() -> None:
    by_name, by_code = coalitions(lead="United States"), coalitions(lead=2)
    assert len(by_name) == len(by_code) > 0 and (by_name["lead_ccode"] == 2).all()
    with pytest.raises(UnknownCountryError, match="Atlantis"):
        coalitions(lead="Atlantis")


def test_coalition_members_lead_first_and_unknown_id() -> None:
    rows = coalition_members("gulf_war_1990")
    assert rows["role"].iloc[0] == "lead" and rows["ccode"].iloc[0] == 2
    with pytest.raises(DataFileError, match="closest: gulf_war_1990"):
        coalition_members("gulf_war_1991")


def test_read_user_csv_round_trip(tmp_path: Path) -> None:
    c, m = read_coalitions_csv(*_write(tmp_path, [GOOD_COALITION], GOOD_MEMBERS))
    assert list(c["coalition_id"]) == ["timor_test_1999"]
    assert m.set_index("ccode").loc[920, "join_date"] == pd.Timestamp("1999-09-20")  # empty = coalition start
    assert m.set_index("ccode").loc[800, "join_date"] == pd.Timestamp("1999-10-01")
    assert m["peak_personnel"].tolist()[0] == 5500 and pd.isna(m["peak_personnel"].tolist()[1])
    assert "_line" not in m.columns and "_path" not in m.columns


def test_add_coalitions_appends_to_the_shipped_dataset(tmp_path: Path) -> None:
    c, m = add_coalitions(*_write(tmp_path, [GOOD_COALITION], GOOD_MEMBERS))
    assert len(c) == len(coalitions()) + 1 and len(m) == len(memberships()) + 3
    assert c.attrs["user_files"][0].endswith("my_coalitions.csv")


@pytest.mark.parametrize(
    ("coalition_rows", "member_rows", "match", "column", "row"),
    [
        # unknown role, named with the allowed ones
        ([GOOD_COALITION], [*GOOD_MEMBERS[:2], "timor_test_1999,800,Thailand,allied,,,,note"],
         "unknown role 'allied'; allowed: lead, combat", "role", 4),
        # unknown kind
        ([GOOD_COALITION.replace(",ad_hoc,", ",coalition,")], GOOD_MEMBERS, "unknown kind 'coalition'", "kind", 2),
        # a date that is not ISO
        ([GOOD_COALITION.replace("1999-09-20", "20/09/1999")], GOOD_MEMBERS, "not a YYYY-MM-DD date", "start_date", 2),
        # end before start
        ([GOOD_COALITION.replace("2000-02-28", "1999-01-01")], GOOD_MEMBERS,
         "start_date 1999-09-20 after end_date 1999-01-01", "end_date", 2),
        # duplicate coalition id
        ([GOOD_COALITION, GOOD_COALITION], GOOD_MEMBERS, "duplicate coalition_id 'timor_test_1999' .first at my_coalitions.csv row 2",
         "coalition_id", 3),
        # duplicate (coalition, ccode)
        ([GOOD_COALITION], [*GOOD_MEMBERS, "timor_test_1999,920,New Zealand,token,,,,again"],
         r"duplicate \(coalition_id, ccode\) row", "ccode", 5),
        # membership of a coalition that does not exist
        ([GOOD_COALITION], [*GOOD_MEMBERS, "atlantis_test_1999,920,New Zealand,token,,,,a note"],
         "membership of unknown coalition 'atlantis_test_1999'", "coalition_id", 5),
        # the lead has no lead row
        ([GOOD_COALITION], GOOD_MEMBERS[1:], "has no membership row with role 'lead'", "lead_ccode", 2),
        # joins before the coalition starts
        ([GOOD_COALITION], [*GOOD_MEMBERS[:2], "timor_test_1999,800,Thailand,combat,1999-01-01,,,a note"],
         "before the start", "join_date", 4),
        # leaves before joining
        ([GOOD_COALITION], [*GOOD_MEMBERS[:2], "timor_test_1999,800,Thailand,combat,1999-12-01,1999-11-01,,a note"],
         "join_date 1999-12-01 after leave_date 1999-11-01", "leave_date", 4),
        # a non-integer personnel figure
        ([GOOD_COALITION], [*GOOD_MEMBERS[:2], "timor_test_1999,800,Thailand,combat,,,about 1500,a note"],
         "non-numeric", "peak_personnel", 4),
        # a slug without the start year
        ([GOOD_COALITION.replace("timor_test_1999", "Timor Test")], [], "not a lower-case slug", "coalition_id", 2),
        # a slug whose year is not the start year (the docs promise "ending in the start year")
        ([GOOD_COALITION.replace("timor_test_1999", "timor_test_2001")],
         [r.replace("timor_test_1999", "timor_test_2001") for r in GOOD_MEMBERS],
         "coalition_id 'timor_test_2001' ends in 2001 but start_date is 1999-09-20", "coalition_id", 2),
    ],
)
def test_bad_user_files_name_file_column_and_row(tmp_path: Path, coalition_rows, member_rows, match, column, row) -> None:
    paths = _write(tmp_path, coalition_rows, member_rows or GOOD_MEMBERS)
    with pytest.raises(DataFileError, match=match) as info:
        read_coalitions_csv(*paths)
    assert "my_coalitions.csv" in str(info.value) or "my_memberships.csv" in str(info.value)
    if column is not None:
        assert info.value.column == column
    if row is not None:
        assert info.value.row == row


def test_unknown_ccode_is_named(tmp_path: Path) -> None:
    paths = _write(tmp_path, [GOOD_COALITION], [*GOOD_MEMBERS, "timor_test_1999,998,Atlantis,token,,,,a note"])
    with pytest.raises(UnknownCountryError, match="998.*my_memberships.csv.*row 5"):
        read_coalitions_csv(*paths)


def test_state_outside_the_system_on_its_join_date(tmp_path: Path) -> None:
    # Montenegro (341) enters the COW system on 2006-06-12
    paths = _write(tmp_path, [GOOD_COALITION], [*GOOD_MEMBERS, "timor_test_1999,341,Montenegro,token,,,,a note"])
    with pytest.raises(DataFileError, match="341 .*not a COW system member on its join date 1999-09-20") as info:
        read_coalitions_csv(*paths)
    assert info.value.row == 5


def test_missing_and_extra_columns(tmp_path: Path) -> None:
    c, m = _write(tmp_path, [GOOD_COALITION], GOOD_MEMBERS)
    m.write_text(m.read_text().replace(",source", ",sauce"), encoding="utf-8")
    with pytest.raises(DataFileError, match="missing column"):
        read_coalitions_csv(c, m)


def test_user_id_clashing_with_shipped_one(tmp_path: Path) -> None:
    row = GOOD_COALITION.replace("timor_test_1999", "kfor_1999")  # a shipped id with the same start year
    members = [r.replace("timor_test_1999", "kfor_1999") for r in GOOD_MEMBERS]
    with pytest.raises(DataFileError, match="duplicate coalition_id 'kfor_1999': already in the shipped"):
        add_coalitions(*_write(tmp_path, [row], members))


def test_missing_file_is_clear(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="file not found"):
        read_coalitions_csv(tmp_path / "nope.csv", tmp_path / "nope2.csv")
