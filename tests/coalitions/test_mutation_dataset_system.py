"""check_system_membership(), membership_overlap() and the loaders' filters: cases that mutation testing
showed the other tests let through (docs/development/mutation.md).

Most cases use toy coalitions, toy memberships and toy COW spells written here, so every expected
message, row number, member set and pair is read off the frames by hand with the rules of the
docstrings: a member is in the system when a spell of its ccode has ``start_date <= join_date <=
end_date``; a row number is the ``_line`` of the row, else its position + 2 (header = line 1); the
member sets of ``membership_overlap`` are the states with one of ``roles``, minus the lead.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coalitionlab.coalitions import (
    check_system_membership,
    coalition_members,
    coalitions,
    membership_overlap,
    memberships,
    read_coalitions_csv,
)
from coalitionlab.coalitions.dataset import DATASET_VERSION, _unknown_coalition_error
from coalitionlab.errors import DataFileError, PanelTypeError, UnknownCountryError, UnknownOptionError

SENDING = ["lead", "combat", "non_combat", "token", "medical", "gendarmerie"]  # the documented default


def _dates(values) -> pd.DatetimeIndex:
    return pd.to_datetime(values).as_unit("ns")


def _spells(rows) -> pd.DataFrame:
    return pd.DataFrame({"ccode": [r[0] for r in rows], "start_date": _dates([r[1] for r in rows]),
                         "end_date": _dates([r[2] for r in rows])}, index=[10 * i + 7 for i in range(len(rows))])


SPELLS = _spells([
    (2, "1816-01-01", "2024-12-31"),
    (200, "1816-01-01", "2024-12-31"),
    (220, "1816-01-01", "2024-12-31"),
    (315, "1918-11-14", "1992-12-31"),   # leaves the system on 1992-12-31
    (341, "2006-06-12", "2024-12-31"),   # enters the system on 2006-06-12
    (645, "1932-10-03", "2024-12-31"),
    (860, "2002-09-27", "2024-12-31"),   # a target need not be a system member on the start date
])


def _coalitions(rows, *, files: bool = False, drop: tuple[str, ...] = ()) -> pd.DataFrame:
    """rows: (coalition_id, start, lead, target or None, entrepreneur or None[, _line])."""
    out = pd.DataFrame({
        "coalition_id": [r[0] for r in rows],
        "start_date": _dates([r[1] for r in rows]),
        "lead_ccode": [r[2] for r in rows],
        "target_ccode": pd.array([r[3] for r in rows], dtype="Int64"),
        "entrepreneur_ccode": pd.array([r[4] for r in rows], dtype="Int64"),
        "file": "coalitions_toy.csv",
    })
    if files:
        out["_path"] = "/toy/my_coalitions.csv"
        out["_line"] = [r[5] for r in rows]
    return out.drop(columns=list(drop))


def _members(rows, *, files: bool = False) -> pd.DataFrame:
    """rows: (coalition_id, ccode, country, join_date[, _line])."""
    out = pd.DataFrame({
        "coalition_id": [r[0] for r in rows], "ccode": [r[1] for r in rows], "country": [r[2] for r in rows],
        "role": "combat", "join_date": _dates([r[3] for r in rows]), "file": "memberships_toy.csv",
    })
    if files:
        out["_path"] = "/toy/my_memberships.csv"
        out["_line"] = [r[4] for r in rows]
    return out


C_OK = _coalitions([("toy_1992", "1992-06-01", 2, None, None, 2),
                    ("toy_2000", "2000-03-01", 2, 860, 200, 5)], files=True)
M_OK = [("toy_1992", 2, "United States", "1992-06-01", 2),
        ("toy_1992", 315, "Czechoslovakia", "1992-12-31", 3),   # joins on the last day of its spell: in
        ("toy_2000", 2, "United States", "2000-03-01", 4),
        ("toy_2000", 200, "United Kingdom", "2000-03-01", 6),
        ("toy_2000", 220, "France", "2000-03-01", 9)]


# ---------------------------------------------------------------- check_system_membership


def test_a_member_joining_on_the_last_day_of_its_spell_is_in_the_system():
    """A spell covers its end date (``join_date <= end_date``): catches ``<`` for ``<=`` in _in_system.
    The target 860 enters the system after the start date and is still accepted."""
    assert check_system_membership(C_OK, _members(M_OK, files=True), states=SPELLS) is None


def test_an_unknown_member_ccode_names_path_line_and_coalition():
    """The first member ccode that never was a COW state, with the row's own path and file line (17, not
    its position + 2): catches the first hit replaced by the second, the value, scheme or place dropped,
    the path read from ``file`` and the line from the position."""
    rows = [*M_OK[:1], ("toy_1992", 998, "Atlantis", "1992-06-01", 17), *M_OK[1:2],
            ("toy_1992", 999, "Utopia", "1992-06-01", 21), *M_OK[2:]]
    with pytest.raises(UnknownCountryError) as info:
        check_system_membership(C_OK, _members(rows, files=True), states=SPELLS)
    assert str(info.value) == ("unknown country 998 (as COW ccode) "
                               "(/toy/my_memberships.csv, column 'ccode', row 17, coalition 'toy_1992')")
    assert info.value.value == 998 and info.value.scheme == "COW ccode"


def test_an_unknown_member_ccode_without_file_lines_uses_the_file_and_position():
    """A frame as returned by memberships() has ``file`` but no ``_path``/``_line``: the place is the file
    and the row is position + 2 (position 2 -> row 4). Catches the ``file`` fallback dropped or misspelt and
    the row fallback changed."""
    rows = [r[:4] for r in M_OK]
    rows.insert(2, ("toy_1992", 998, "Atlantis", "1992-06-01"))
    with pytest.raises(UnknownCountryError) as info:
        check_system_membership(C_OK, _members(rows), states=SPELLS)
    assert str(info.value) == ("unknown country 998 (as COW ccode) "
                               "(memberships_toy.csv, column 'ccode', row 4, coalition 'toy_1992')")


def test_an_unknown_lead_names_the_column_and_line():
    """Leads are checked: catches 'lead_ccode' misspelt (skipped), the first hit replaced by the second,
    the value, scheme or place dropped, and the path/line read from the wrong keys."""
    c = _coalitions([("toy_1992", "1992-06-01", 2, None, None, 2),
                     ("toy_2000", "2000-03-01", 997, 860, None, 9),
                     ("toy_2001", "2001-03-01", 996, None, None, 12)], files=True)
    with pytest.raises(UnknownCountryError) as info:
        check_system_membership(c, _members(M_OK, files=True), states=SPELLS)
    assert str(info.value) == "unknown country 997 (as COW ccode) (/toy/my_coalitions.csv, column 'lead_ccode', row 9)"
    assert info.value.value == 997 and info.value.scheme == "COW ccode"


def test_an_unknown_target_without_file_lines_uses_the_file_and_position():
    """Targets are checked (a missing one is skipped): catches 'target_ccode' misspelt, the ``file``
    fallback dropped or misspelt and the row fallback changed (position 1 -> row 3)."""
    c = _coalitions([("toy_1992", "1992-06-01", 2, None, None),
                     ("toy_2000", "2000-03-01", 2, 995, 200)])
    with pytest.raises(UnknownCountryError) as info:
        check_system_membership(c, _members([r[:4] for r in M_OK]), states=SPELLS)
    assert str(info.value) == "unknown country 995 (as COW ccode) (coalitions_toy.csv, column 'target_ccode', row 3)"


def test_an_unknown_entrepreneur_is_found_when_a_column_before_it_is_absent():
    """A frame without ``target_ccode`` is still checked on ``entrepreneur_ccode``: catches ``break`` for
    ``continue``, the test on the column turned round, and 'entrepreneur_ccode' misspelt."""
    c = _coalitions([("toy_1992", "1992-06-01", 2, None, None),
                     ("toy_2000", "2000-03-01", 2, None, 994)], drop=("target_ccode",))
    with pytest.raises(UnknownCountryError) as info:
        check_system_membership(c, _members([r[:4] for r in M_OK]), states=SPELLS)
    assert str(info.value) == ("unknown country 994 (as COW ccode) "
                               "(coalitions_toy.csv, column 'entrepreneur_ccode', row 3)")


def test_a_member_outside_the_system_names_path_column_and_line():
    """Montenegro (341) enters on 2006-06-12, so not a member on 2000-03-01: the error carries the row's
    ``_path``, column 'ccode' and ``_line``. Catches each of them dropped, misspelt or replaced."""
    rows = [*M_OK, ("toy_2000", 341, "Montenegro", "2000-03-01", 12)]
    with pytest.raises(DataFileError) as info:
        check_system_membership(C_OK, _members(rows, files=True), states=SPELLS)
    assert str(info.value) == ("ccode 341 (Montenegro) is not a COW system member on its join date 2000-03-01 "
                               "(coalition 'toy_2000') [/toy/my_memberships.csv, column 'ccode', row 12]")
    assert (info.value.path, info.value.column, info.value.row) == ("/toy/my_memberships.csv", "ccode", 12)


def test_a_member_outside_the_system_without_file_lines_names_the_file():
    """Without ``_path``/``_line`` the error names the ``file`` column's value and no row (catches the
    fallback dropped or misspelt and the ``_line`` test forced true, which fails on the missing key)."""
    rows = [*(r[:4] for r in M_OK), ("toy_2000", 341, "Montenegro", "2000-03-01")]
    with pytest.raises(DataFileError) as info:
        check_system_membership(C_OK, _members(rows), states=SPELLS)
    assert str(info.value) == ("ccode 341 (Montenegro) is not a COW system member on its join date 2000-03-01 "
                               "(coalition 'toy_2000') [memberships_toy.csv, column 'ccode']")
    assert (info.value.path, info.value.column, info.value.row) == ("memberships_toy.csv", "ccode", None)


def test_spells_with_a_missing_ccode_are_refused():
    """COW spells whose ccode column has a gap are damaged: the check raises (a ValueError) rather than
    passing over the gap. Catches the integer cast of the spells' ccodes removed."""
    spells = SPELLS.astype({"ccode": "float64"})
    spells.loc[spells.index[3], "ccode"] = np.nan
    with pytest.raises(ValueError):
        check_system_membership(C_OK.iloc[1:], _members(M_OK[2:], files=True), states=spells)


# ---------------------------------------------------------------- users' files: unknown ccodes

C_HEADER = ("coalition_id,name,start_date,end_date,lead_ccode,lead,kind,un_authorisation,un_resolution,"
            "target_ccode,target,mission_type,operation,theatre,entrepreneur_ccode,sources")
M_HEADER = "coalition_id,ccode,country,role,join_date,leave_date,peak_personnel,source"
USER_C = ("pacific_test_1999,Test force,1999-09-20,2000-02-28,900,Australia,ad_hoc,yes,UNSCR 1264,,,peace_operation,,"
          "oceania,,test source 2024")
USER_M = ["pacific_test_1999,900,Australia,lead,,,5500,test note",
          "pacific_test_1999,920,New Zealand,combat,,,,test note"]


def test_an_unknown_ccode_in_a_users_file_names_the_scheme(tmp_path: Path):
    """The crosswalk check names the value, the scheme 'COW ccode', the file, column and line (row 4 of
    the file as an editor shows it). Catches the scheme dropped or changed."""
    c, m = tmp_path / "my_coalitions.csv", tmp_path / "my_memberships.csv"
    c.write_text(f"{C_HEADER}\n{USER_C}\n", encoding="utf-8")
    m.write_text("\n".join([M_HEADER, *USER_M, "pacific_test_1999,998,Atlantis,token,,,,test note"]) + "\n",
                 encoding="utf-8")
    with pytest.raises(UnknownCountryError) as info:
        read_coalitions_csv(c, m)
    assert str(info.value) == f"unknown country 998 (as COW ccode) ({m}, column 'ccode', row 4)"
    assert info.value.scheme == "COW ccode"


# ---------------------------------------------------------------- loaders and their filters


def test_unknown_coalition_id_with_no_close_id_points_to_the_list():
    """No id is close to 'zzz': the message points to the CLI list (catches the closest-list branch
    forced and the hint's text changed)."""
    with pytest.raises(DataFileError) as info:
        coalition_members("zzz")
    assert str(info.value) == "unknown coalition id 'zzz'; see 'coalitionlab coalitions list'"


def test_unknown_coalition_id_names_the_three_closest_at_ratio_one_half():
    """By hand, SequenceMatcher ratios to 'abcdefghij' are 2*matches/(len a + len b): 'abcdefghiz' 18/20,
    'abcdefgzzz' 14/20, 'abcdefzzzzz' 12/21 = 0.57, 'abcdezzzzz' 10/20, 'zzzzzzzzzz' 0. The three closest
    with ratio >= 0.5: catches the cutoff raised to the default 0.6 (drops 'abcdefzzzzz'), four names,
    and the separator changed."""
    known = ["zzzzzzzzzz", "abcdezzzzz", "abcdefzzzzz", "abcdefgzzz", "abcdefghiz"]
    err = _unknown_coalition_error("abcdefghij", known)
    assert isinstance(err, DataFileError)
    assert str(err) == "unknown coalition id 'abcdefghij'; closest: abcdefghiz, abcdefgzzz, abcdefzzzzz"


def test_lead_filter_rows_index_attrs_and_error_place():
    """coalitions(lead=2) is the brute-force list of rows led by ccode 2, indexed 0..n-1 with no extra
    column, and keeps the dataset's attrs (catches ``reset_index`` keeping the old index as a column);
    an unknown lead names the call (catches ``where`` dropped or changed)."""
    every = coalitions()
    expected = [cid for cid, lead in zip(every["coalition_id"], every["lead_ccode"]) if lead == 2]
    led = coalitions(lead=2)
    assert led["coalition_id"].tolist() == expected and 0 < len(expected) < len(every)
    assert list(led.columns) == list(every.columns)
    pd.testing.assert_index_equal(led.index, pd.RangeIndex(len(expected)))
    assert led.attrs == every.attrs
    with pytest.raises(UnknownCountryError) as info:
        coalitions(lead=999)
    assert info.value.where == "coalitions(lead=...)" and "(coalitions(lead=...))" in str(info.value)


def test_roles_filter_rows_index_and_attrs():
    """memberships(roles=...) is the brute-force list of rows with those roles, indexed 0..n-1 with the
    same columns, and its attrs are the dataset's plus ``roles`` (catches the dataset attrs dropped and
    the old index kept as a column)."""
    every = memberships()
    keep = ("host", "basing")
    expected = [(cid, cc) for cid, cc, role in zip(every["coalition_id"], every["ccode"], every["role"])
                if role in keep]
    out = memberships(roles=keep)
    assert list(zip(out["coalition_id"], out["ccode"])) == expected and len(expected) > 0
    assert list(out.columns) == list(every.columns)
    pd.testing.assert_index_equal(out.index, pd.RangeIndex(len(expected)))
    assert out.attrs == {**every.attrs, "roles": ["host", "basing"]}
    assert {"dataset", "version", "files", "authored", "is_seed"} <= set(out.attrs)


def test_coalition_members_index_columns_and_attrs():
    """The rows of one coalition: the memberships rows of that id (brute force), indexed 0..n-1 with the
    same columns, attrs = the dataset's plus ``coalition_id`` (catches the old index kept as a column,
    the dataset attrs dropped and the id not recorded)."""
    every = memberships()
    expected = {int(cc) for cid, cc in zip(every["coalition_id"], every["ccode"]) if cid == "korea_1950"}
    out = coalition_members("korea_1950")
    assert set(out["ccode"]) == expected and len(out) == len(expected)
    assert list(out.columns) == list(every.columns)
    pd.testing.assert_index_equal(out.index, pd.RangeIndex(len(expected)))
    assert out.attrs == {**every.attrs, "coalition_id": "korea_1950"}


# ---------------------------------------------------------------- membership_overlap

# four coalitions led by the USA, given out of start order; 'd' starts first.
# members by sending role, without the lead: a = {200, 220}, b = {200, 220}, c = {} (a host only), d = {}
OV_C = pd.DataFrame({
    "coalition_id": ["a_2001", "b_2002", "c_2003", "d_2000"],
    "start_date": _dates(["2001-01-01", "2002-01-01", "2003-01-01", "2000-01-01"]),
    "lead_ccode": [2, 2, 2, 2],
    "operation": ["a_2001", "a_2001", "c_2003", "d_2000"],
})
OV_M = pd.DataFrame([
    ("a_2001", 2, "lead"), ("a_2001", 200, "combat"), ("a_2001", 220, "token"),
    ("b_2002", 2, "lead"), ("b_2002", 200, "combat"), ("b_2002", 220, "combat"),
    ("c_2003", 2, "lead"), ("c_2003", 300, "host"),
    ("d_2000", 2, "lead"),
], columns=["coalition_id", "ccode", "role"])


def _pairs(out: pd.DataFrame) -> list[tuple]:
    return [(r.coalition_a, r.coalition_b, r.n_a, r.n_b, r.n_common,
             None if np.isnan(r.jaccard) else r.jaccard, None if np.isnan(r.overlap) else r.overlap,
             bool(r.same_operation)) for r in out.itertuples()]


def test_overlap_of_empty_sets_is_missing_and_ties_sort_by_ids():
    """By hand (a started before b, d first): a-b share both members (1, 1); a set against an empty one
    has jaccard 0 and no overlap (smaller set empty); two empty sets have neither (union empty). Rows sort
    by jaccard, ties by coalition_a then coalition_b, missing last, indexed 0..n-1. Catches the empty-set
    guards forced (division by zero), a coalition with no member read as ``None``, either id sorted
    backwards and the index left unsorted."""
    out = membership_overlap(OV_C, OV_M)
    assert _pairs(out) == [
        ("a_2001", "b_2002", 2, 2, 2, 1.0, 1.0, True),
        ("a_2001", "c_2003", 2, 0, 0, 0.0, None, False),
        ("b_2002", "c_2003", 2, 0, 0, 0.0, None, False),
        ("d_2000", "a_2001", 0, 2, 0, 0.0, None, False),
        ("d_2000", "b_2002", 0, 2, 0, 0.0, None, False),
        ("d_2000", "c_2003", 0, 0, 0, None, None, False),
    ]
    pd.testing.assert_index_equal(out.index, pd.RangeIndex(6))


def test_overlap_attrs_and_a_single_role_string():
    """attrs record the dataset, the version of the frames given (else the package's dataset version),
    same_lead, include_lead and the roles; one role may be given as a string. Catches every attrs key
    renamed, the version fallback lost or replaced, and a string role replaced by ``None``."""
    c = OV_C.copy()
    c.attrs = {"version": "2099.1"}
    out = membership_overlap(c, OV_M)
    assert out.attrs == {"dataset": "coalitionlab_coalitions", "version": "2099.1", "same_lead": True,
                         "include_lead": False, "roles": SENDING}
    # combat only: a = {200}, b = {200, 220}: 1 common, union 2, smaller 1
    one = membership_overlap(OV_C, OV_M, roles="combat", include_lead=True)
    assert one.attrs == {"dataset": "coalitionlab_coalitions", "version": DATASET_VERSION, "same_lead": True,
                         "include_lead": True, "roles": ["combat"]}
    assert _pairs(one)[0] == ("a_2001", "b_2002", 1, 2, 1, 0.5, 1.0, True)


def test_overlap_error_messages_are_exact():
    """The messages word for word: the option's name, and which frame lacks which columns."""
    with pytest.raises(UnknownOptionError) as info:
        membership_overlap(OV_C, OV_M, roles=("allied",))
    assert str(info.value) == ("unknown role in roles 'allied'; allowed: 'lead', 'combat', 'non_combat', 'token', "
                               "'medical', 'gendarmerie', 'financial', 'observer', 'host', 'basing', "
                               "'national_command', 'withdrew'")
    with pytest.raises(PanelTypeError) as info:
        membership_overlap(OV_C.drop(columns=["lead_ccode", "operation"]), OV_M)
    assert str(info.value) == ("membership_overlap(): coalitions_df lacks column(s) lead_ccode, operation; "
                               "use coalitions()/memberships() or add_coalitions()")
    with pytest.raises(PanelTypeError) as info:
        membership_overlap(OV_C, OV_M.drop(columns=["ccode", "role"]))
    assert str(info.value) == ("membership_overlap(): memberships_df lacks column(s) ccode, role; "
                               "use coalitions()/memberships() or add_coalitions()")


def test_a_missing_lead_or_member_ccode_is_refused_not_skipped():
    """A coalition without a lead ccode cannot be paired by lead, and a membership row without a ccode is no
    state: both raise (a ValueError) instead of dropping the coalition's pairs silently or counting the
    missing code as a member. Catches the integer casts of the leads and of the member codes removed."""
    c = OV_C.astype({"lead_ccode": "Int64"})
    c.loc[1, "lead_ccode"] = pd.NA
    with pytest.raises(ValueError):
        membership_overlap(c, OV_M)
    m = OV_M.astype({"ccode": "Int64"})
    m.loc[len(m)] = ["a_2001", pd.NA, "combat"]
    with pytest.raises(ValueError):
        membership_overlap(OV_C, m)
