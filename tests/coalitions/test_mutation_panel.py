"""coalition_panel(): cases that mutation testing showed the other tests let through
(docs/development/mutation.md).

Most cases use a toy coalition, toy memberships and toy COW spells written here, so every expected
candidate set, ``joined`` value and ``members_outside_panel`` entry is read off the frames by hand with
the rules of the ``coalition_panel`` docstring: a candidate is a system member on the start date (spell
``start_date <= day <= end_date``), minus the lead, minus the target unless it is a member; ``joined``
counts the listed roles joined by the coalition's end date.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import coalitionlab.data
from coalitionlab.coalitions import coalition_panel, coalitions, memberships
from coalitionlab.data.paths import resolve_data_dir
from coalitionlab.errors import DataFileError, MissingDataError, PanelTypeError, UnknownOptionError

COLUMNS = ["coalition_id", "ccode", "lead_ccode", "start_date", "year", "joined", "role", "join_date",
           "operation", "kind", "theatre", "target_ccode"]
SENDING = ["lead", "combat", "non_combat", "token", "medical", "gendarmerie"]  # the documented default


def _dates(values) -> pd.DatetimeIndex:
    return pd.to_datetime(values).as_unit("ns")  # nanoseconds, as in the shipped frames


def _coalitions(rows, index=None) -> pd.DataFrame:
    """rows: (coalition_id, start, end, lead, target or None, entrepreneur or None)."""
    return pd.DataFrame({
        "coalition_id": [r[0] for r in rows],
        "start_date": _dates([r[1] for r in rows]),
        "end_date": _dates([r[2] for r in rows]),
        "lead_ccode": [r[3] for r in rows],
        "target_ccode": pd.array([r[4] for r in rows], dtype="Int64"),
        "operation": [r[0] + "_op" for r in rows],
        "kind": "ad_hoc",
        "theatre": "europe",
        "entrepreneur_ccode": pd.array([r[5] for r in rows], dtype="Int64"),
    }, index=index)


def _members(rows) -> pd.DataFrame:
    """rows: (coalition_id, ccode, role, join_date)."""
    return pd.DataFrame({"coalition_id": [r[0] for r in rows], "ccode": [r[1] for r in rows],
                         "role": [r[2] for r in rows], "join_date": _dates([r[3] for r in rows])})


def _spells(rows, index=None) -> pd.DataFrame:
    return pd.DataFrame({"ccode": [r[0] for r in rows], "start_date": _dates([r[1] for r in rows]),
                         "end_date": _dates([r[2] for r in rows])}, index=index)


# toy coalition: starts 2000-03-01, ends 2000-06-30, led by the USA (2) against Iraq (645)
TOY = _coalitions([("toy_2000", "2000-03-01", "2000-06-30", 2, 645, None)])
TOY_MEMBERS = _members([
    ("toy_2000", 2, "lead", "2000-03-01"),
    ("toy_2000", 20, "combat", "2000-06-30"),    # joins on the end date: joined
    ("toy_2000", 200, "combat", "2000-03-01"),
    ("toy_2000", 220, "combat", "2000-03-01"),
    ("toy_2000", 225, "combat", "2000-03-01"),   # no system member on the start date: outside the panel
    ("toy_2000", 230, "host", "2000-03-01"),     # not a system member either, but hosts: not reported
    ("toy_2000", 380, "medical", "2000-07-01"),  # joins after the end date: joined = 0
    ("toy_2000", 740, "financial", "2000-03-01"),
])
# spells given out of ccode order, with a non-default index
TOY_SPELLS = _spells([
    (740, "1816-01-01", "2024-12-31"),
    (645, "1932-10-03", "2024-12-31"),
    (230, "2000-03-02", "2024-12-31"),   # starts the day after the start date: out
    (225, "1816-01-01", "2000-02-29"),   # ends the day before: out
    (220, "1816-01-01", "2000-03-01"),   # ends on the start date: in
    (200, "2000-03-01", "2024-12-31"),   # starts on the start date: in
    (390, "1816-01-01", "2024-12-31"),
    (380, "1816-01-01", "2024-12-31"),
    (20, "1920-01-10", "2024-12-31"),
    (2, "1816-01-01", "2024-12-31"),
], index=[41, 7, 3, 99, 12, 5, 60, 8, 30, 1])
# by hand: members on 2000-03-01 are 2, 20, 200, 220, 380, 390, 645, 740; minus the lead (2), minus Iraq
TOY_EXPECTED = [  # (ccode, joined, role)
    (20, 1, "combat"), (200, 1, "combat"), (220, 1, "combat"), (380, 0, "medical"), (390, 0, None),
    (740, 0, "financial")]


def _rows(p: pd.DataFrame) -> list[tuple]:
    return [(int(r.ccode), int(r.joined), None if pd.isna(r.role) else r.role) for r in p.itertuples()]


def _assert_panel_dtypes(p: pd.DataFrame) -> None:
    assert list(p.columns) == COLUMNS
    assert {col: str(p[col].dtype) for col in ["ccode", "lead_ccode", "start_date", "year", "joined", "join_date",
                                               "target_ccode"]} == {
        "ccode": "int64", "lead_ccode": "int64", "start_date": "datetime64[ns]", "year": "int64",
        "joined": "int64", "join_date": "datetime64[ns]", "target_ccode": "Int64"}
    for col in ("coalition_id", "role", "operation", "kind", "theatre"):
        assert pd.api.types.is_string_dtype(p[col]) or p[col].dtype == object, col


def test_spell_boundaries_on_the_start_date_and_row_order():
    """Catches ``>`` for ``>=`` and ``<`` for ``<=`` in the spell test (a state entering or leaving the
    system on the start date is a candidate), ``<`` for ``<=`` against the end date (a state joining on
    the last day joined), and an index left unsorted (rows must come sorted, indexed 0..n-1)."""
    p = coalition_panel(coalitions_df=TOY, memberships_df=TOY_MEMBERS, states=TOY_SPELLS)
    assert _rows(p) == TOY_EXPECTED
    pd.testing.assert_index_equal(p.index, pd.RangeIndex(len(TOY_EXPECTED)))
    assert p.loc[0, "join_date"] == pd.Timestamp("2000-06-30")
    assert set(p["lead_ccode"]) == {2} and set(p["year"]) == {2000} and set(p["target_ccode"]) == {645}


def test_members_outside_the_panel_are_the_joiners_only():
    """Only members counted as joining (and not the lead) are reported when the panel cannot hold them:
    catches ``|`` for ``&`` in that filter (would add the lead and the host 230) and a missing coded
    lead read as ``True`` (would add the host 230)."""
    p = coalition_panel(coalitions_df=TOY, memberships_df=TOY_MEMBERS, states=TOY_SPELLS)
    assert p.attrs["members_outside_panel"] == [("toy_2000", 225)]
    # counting hosts as joining reports 230 too (and no longer the combat member 225)
    h = coalition_panel(coalitions_df=TOY, memberships_df=TOY_MEMBERS, states=TOY_SPELLS, roles=("host",))
    assert h.attrs["members_outside_panel"] == [("toy_2000", 230)]


def test_attrs_are_exactly_the_documented_ones():
    """Every documented key with its value; catches renamed keys, ``directed`` flipped, ``keys`` renamed."""
    p = coalition_panel(coalitions_df=TOY, memberships_df=TOY_MEMBERS, states=TOY_SPELLS)
    assert p.attrs == {
        "unit": "coalition_candidate", "system": "cow", "directed": True, "keys": ["coalition_id", "ccode"],
        "sources": {"coalitionlab_coalitions": "user", "cow_states": "user"},
        "columns": {}, "roles_joined": SENDING, "drop_target": True, "nato_lead": "saceur",
        "members_outside_panel": [("toy_2000", 225)], "authored": True, "is_seed": False}
    q = coalition_panel(coalitions_df=TOY, memberships_df=TOY_MEMBERS, states=TOY_SPELLS, drop_target=False)
    assert q.attrs["drop_target"] is False and 645 in set(q["ccode"])


def test_recorded_versions_of_user_frames():
    """The versions stamped on user frames are recorded; without one, both are ``"user"`` (a bare frame is
    not the shipped dataset). Catches the fallbacks and attrs keys replaced."""
    c, s = TOY.copy(), TOY_SPELLS.copy()
    c.attrs = {"version": "toy-7"}
    s.attrs = {"version": "spells-3"}
    p = coalition_panel(coalitions_df=c, memberships_df=TOY_MEMBERS, states=s)
    assert p.attrs["sources"] == {"coalitionlab_coalitions": "toy-7", "cow_states": "spells-3"}
    c.attrs, s.attrs = {}, {}
    p = coalition_panel(coalitions_df=c, memberships_df=TOY_MEMBERS, states=s)
    assert p.attrs["sources"] == {"coalitionlab_coalitions": "user", "cow_states": "user"}


def test_recorded_versions_of_the_embedded_data():
    """Shipped dataset + embedded COW list: the dataset's own version and ``"2024"`` (COW v2024)."""
    p = coalition_panel("gulf_war_1990")
    assert p.attrs["sources"] == {"coalitionlab_coalitions": coalitions().attrs["version"], "cow_states": "2024"}


def test_user_frames_with_float_codes_give_the_documented_dtypes():
    """A coalition file read with missing values elsewhere may hold float codes: the panel still has
    int64 ``ccode``/``lead_ccode``/``year`` and nullable Int64 ``target_ccode``. Catches the casts dropped or
    made with no dtype (float64)."""
    c = TOY.copy()
    c["lead_ccode"] = c["lead_ccode"].astype("float64")
    c["target_ccode"] = c["target_ccode"].astype("float64")
    p = coalition_panel(coalitions_df=c, memberships_df=TOY_MEMBERS, states=TOY_SPELLS)
    _assert_panel_dtypes(p)
    assert _rows(p) == TOY_EXPECTED  # 645 still dropped as the target


def test_microsecond_dates_give_the_same_embedded_panel():
    """pandas 3 parses dates to microseconds: a coalitions_df in that unit gives, with the embedded COW
    list, the same panel as the shipped nanosecond frame (start_date in nanoseconds). Catches the candidate
    dates left in the coalition frame's unit instead of cast to nanoseconds."""
    c, m = coalitions(), memberships()
    c = c[c["coalition_id"].eq("gulf_war_1990")]
    us = c.assign(start_date=c["start_date"].astype("datetime64[us]"), end_date=c["end_date"].astype("datetime64[us]"))
    p = coalition_panel(coalitions_df=us, memberships_df=m)
    assert str(p["start_date"].dtype) == "datetime64[ns]"
    pd.testing.assert_frame_equal(p, coalition_panel(coalitions_df=c, memberships_df=m))


def test_coalitions_indexed_by_their_id_give_the_same_panel():
    """A coalitions_df indexed by ``coalition_id`` (kept as a column): the index is dropped, not turned
    into a clashing column. Catches ``reset_index(drop=False)``."""
    c = TOY.set_index("coalition_id", drop=False)
    p = coalition_panel(coalitions_df=c, memberships_df=TOY_MEMBERS, states=TOY_SPELLS)
    assert _rows(p) == TOY_EXPECTED


# two coalitions on one start date; the first (in the frame) has no entrepreneur, the second has France
NATO = _coalitions([("plain_2001", "2001-01-10", "2001-05-01", 2, None, None),
                    ("nato_2001", "2001-01-10", "2001-05-01", 2, None, 220)], index=[7, 3])
NATO_MEMBERS = _members([
    ("plain_2001", 2, "lead", "2001-01-10"), ("plain_2001", 200, "combat", "2001-01-10"),
    ("plain_2001", 325, "basing", "2001-01-10"),
    ("nato_2001", 2, "lead", "2001-01-10"), ("nato_2001", 220, "combat", "2001-01-10"),
    ("nato_2001", 200, "combat", "2001-01-10"), ("nato_2001", 325, "basing", "2001-01-10"),
])
NATO_SPELLS = _spells([(2, "1816-01-01", "2024-12-31"), (200, "1816-01-01", "2024-12-31"),
                       (220, "1816-01-01", "2024-12-31"), (380, "1816-01-01", "2024-12-31")])  # no 325


def test_entrepreneur_as_lead_with_a_non_default_index():
    """nato_lead="entrepreneur" on a frame indexed 7, 3: France leads nato_2001 and leaves its candidates,
    the USA becomes a candidate that joined (role lead); plain_2001 is unchanged. 325 (basing, not in the
    system) is never reported. Catches the coded lead compared with ``!=`` (would report 325 in nato_2001)
    and unsorted or mis-indexed rows."""
    p = coalition_panel(coalitions_df=NATO, memberships_df=NATO_MEMBERS, states=NATO_SPELLS, nato_lead="entrepreneur")
    got = [(r.coalition_id, int(r.ccode), int(r.lead_ccode), int(r.joined), None if pd.isna(r.role) else r.role)
           for r in p.itertuples()]
    assert got == [("nato_2001", 2, 220, 1, "lead"), ("nato_2001", 200, 220, 1, "combat"),
                   ("nato_2001", 380, 220, 0, None),
                   ("plain_2001", 200, 2, 1, "combat"), ("plain_2001", 220, 2, 0, None),
                   ("plain_2001", 380, 2, 0, None)]
    pd.testing.assert_index_equal(p.index, pd.RangeIndex(6))
    _assert_panel_dtypes(p)
    assert p.attrs["members_outside_panel"] == [] and p.attrs["nato_lead"] == "entrepreneur"
    # the coded lead joined whatever roles says; with roles=basing, 325 is a joiner outside the panel
    b = coalition_panel(coalitions_df=NATO, memberships_df=NATO_MEMBERS, states=NATO_SPELLS,
                        nato_lead="entrepreneur", roles="basing")
    assert b.loc[b.coalition_id.eq("nato_2001"), "joined"].tolist() == [1, 0, 0]
    assert b.attrs["members_outside_panel"] == [("plain_2001", 325), ("nato_2001", 325)]


def test_no_coalition_gives_an_empty_panel_with_the_columns_and_dtypes():
    """ids=[] (no start date at all): an empty panel with the documented columns and dtypes, not an error.
    Catches the empty candidate frame of the embedded list built with wrong column names or dtypes."""
    p = coalition_panel(ids=[])
    assert len(p) == 0
    _assert_panel_dtypes(p)
    assert p.attrs["members_outside_panel"] == []


def test_a_start_date_with_no_system_member_gives_an_empty_panel():
    """User spells that all end before the start date: no candidate, an empty panel with the documented
    dtypes; every joining member (not the lead) is then outside the panel, in membership order."""
    spells = _spells([(2, "1816-01-01", "1999-12-31"), (200, "1816-01-01", "2000-02-29")])
    p = coalition_panel(coalitions_df=TOY, memberships_df=TOY_MEMBERS, states=spells)
    assert len(p) == 0
    _assert_panel_dtypes(p)
    assert p.attrs["members_outside_panel"] == [("toy_2000", cc) for cc in (20, 200, 220, 225, 380)]


def test_a_state_listed_twice_with_different_roles_is_refused():
    """The check is on (coalition_id, ccode), not on whole rows: two different roles for one state are a
    repeat. Catches ``duplicated()`` on every column."""
    m = pd.concat([TOY_MEMBERS, _members([("toy_2000", 200, "host", "2000-04-01")])], ignore_index=True)
    with pytest.raises(DataFileError) as info:
        coalition_panel(coalitions_df=TOY, memberships_df=m, states=TOY_SPELLS)
    assert str(info.value) == ("memberships_df repeats (coalition_id, ccode) ('toy_2000', 200); "
                               "pass each membership once (add_coalitions() checks this)")


def test_error_messages_are_exact():
    """The one-line messages, word for word (the other tests match parts of them)."""
    with pytest.raises(DataFileError) as info:
        coalition_panel(coalitions_df=pd.concat([TOY, TOY], ignore_index=True), memberships_df=TOY_MEMBERS,
                        states=TOY_SPELLS)
    assert str(info.value) == ("coalitions_df repeats coalition_id 'toy_2000'; "
                               "pass each coalition once (add_coalitions() checks this)")
    with pytest.raises(UnknownOptionError) as info:
        coalition_panel(roles="combat", roles_joined="combat")
    assert str(info.value) == "coalition_panel(): pass roles= or roles_joined= (its former name), not both"
    with pytest.raises(UnknownOptionError) as info:
        coalition_panel(states=TOY_SPELLS, data_dir="anywhere")
    assert str(info.value) == ("coalition_panel(): pass states= or data_dir=, not both "
                               "(both give the COW state-system spells of the candidates)")
    with pytest.raises(PanelTypeError) as info:
        coalition_panel(coalitions_df=TOY.drop(columns=["operation", "theatre"]), memberships_df=TOY_MEMBERS)
    assert str(info.value) == ("coalition_panel(): coalitions_df lacks column(s) operation, theatre; "
                               "use coalitions()/memberships() or add_coalitions()")
    with pytest.raises(PanelTypeError) as info:
        coalition_panel(coalitions_df=TOY, memberships_df=TOY_MEMBERS.drop(columns=["role", "join_date"]))
    assert str(info.value) == ("coalition_panel(): memberships_df lacks column(s) role, join_date; "
                               "use coalitions()/memberships() or add_coalitions()")


def test_a_named_data_dir_without_cow_states_message(tmp_path: Path):
    """The message names the call, the directory given by data_dir=, the expected file and the fetch
    command (format of coalitionlab.data.paths.missing_sources_error). Catches the call prefix or the
    data_dir origin dropped."""
    with pytest.raises(MissingDataError) as info:
        coalition_panel("gulf_war_1990", data_dir=tmp_path)
    d = str(tmp_path)
    assert str(info.value) == (
        f"coalition_panel(data_dir={d!r}): data directory {d!r} (given by data_dir= / --data-dir) lacks "
        f"cow_states: expected {d}/cow_states/statelist2024.csv (<data_dir>/<folder>/<file>); "
        f"run 'coalitionlab data fetch cow_states --data-dir {d}', or use source='seed' for the embedded seed")


def test_the_default_data_dir_without_cow_states_uses_the_embedded_list():
    """The default user data directory (not named by the user; empty in the tests) falls back to the
    embedded list, recorded as such."""
    p = coalition_panel("gulf_war_1990", data_dir=resolve_data_dir())
    assert p.attrs["sources"]["cow_states"] == "2024 (embedded)"
    pd.testing.assert_frame_equal(p, coalition_panel("gulf_war_1990"), check_flags=False)


def test_data_dir_versions(shared_data: Path, monkeypatch: pytest.MonkeyPatch):
    """The version stamped by the loader is recorded (COW v2024); spells loaded without one are recorded
    as ``"unknown"`` (not ``"None"``)."""
    p = coalition_panel("gulf_war_1990", data_dir=shared_data)
    assert p.attrs["sources"]["cow_states"] == "2024"
    real_load = coalitionlab.data.load

    def unstamped(name, data_dir=None, **kw):
        df = real_load(name, data_dir, **kw)
        df.attrs = {}
        return df

    monkeypatch.setattr(coalitionlab.data, "load", unstamped)
    q = coalition_panel("gulf_war_1990", data_dir=shared_data)
    assert q.attrs["sources"]["cow_states"] == "unknown"
    pd.testing.assert_frame_equal(q, p, check_flags=False)
