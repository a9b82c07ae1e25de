"""Tie tables: cases that mutation testing showed the other tests let through (see docs/development/mutation.md).

Every expected value is worked out by hand from the tie-in-force rule of the module docstring
(``start <= day < end``, counted by calendar day) and ATOP's dating (a pair shares an alliance from the
later entry to the day after the earlier exit).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coalitionlab.measures.ties import (
    _days,
    alliance_ties,
    count_ties,
    seed_alliance_ties,
    year_end,
    year_start,
)


def _ties(rows):
    return pd.DataFrame({"ccode1": [r[0] for r in rows], "ccode2": [r[1] for r in rows],
                         "start": pd.to_datetime([r[2] for r in rows], format="ISO8601"),
                         "end": pd.to_datetime([r[3] for r in rows], format="ISO8601")})


def test_year_bounds_mix_known_and_missing_years():
    # a plain list with a missing year (object input) and a NaN between known years
    assert [str(x)[:10] for x in year_end([2003, None, 1816])] == ["2003-12-31", "NaT", "1816-12-31"]
    assert [str(x)[:10] for x in year_start([2003, np.nan, 1816])] == ["2003-01-01", "NaT", "1816-01-01"]
    assert [str(x)[:10] for x in year_start([2003, None])] == ["2003-01-01", "NaT"]
    assert year_start([1990, 1991]).dtype == np.dtype("datetime64[ns]")


def test_days_are_whole_int64_calendar_days():
    got = _days(pd.to_datetime(["1970-01-01 00:00", "1970-01-02 00:00", "1970-01-02 18:00", "1969-12-31 23:59",
                                "2000-01-01 00:00", None]))
    assert got.dtype == np.dtype("int64")
    # 2000-01-01: 30 years of 365 days plus 7 leap days (1972 ... 1996) = 10957
    assert got.tolist() == [0, 1, 1, -1, 10957, np.iinfo("int64").max]


def test_a_tie_counts_from_its_first_calendar_day():
    # starts 1970-01-02: not in force on 1 January, in force on 2 January whatever the hour
    t = _ties([(2, 20, "1970-01-02 18:00", None)])
    assert count_ties(t, [2, 2, 2], [20, 20, 20], pd.to_datetime(["1970-01-01", "1970-01-02 06:00", "1970-01-03"], format="ISO8601")).tolist() == \
        [0.0, 1.0, 1.0]


def test_an_open_tie_does_not_leak_into_the_next_pair_before_1970():
    # pairs (2, 20) and (2, 21) have adjacent keys; only (2, 20) has a tie, open-ended
    t = _ties([(2, 20, "1900-01-01", None)])
    got = count_ties(t, [2, 2, 2, 2], [21, 21, 20, 20], ["1950-01-01", "1990-01-01", "1950-01-01", "1990-01-01"])
    assert got.tolist() == [0.0, 0.0, 1.0, 1.0]


def _members(rows):
    return pd.DataFrame({"atopid": [r[0] for r in rows], "ccode": [r[1] for r in rows],
                         "start_date": pd.to_datetime([r[2] for r in rows]),
                         "end_date": pd.to_datetime([r[3] for r in rows]),
                         "defense": [r[4] for r in rows]})


def test_alliance_ties_keep_gaps_between_spells_of_each_pair():
    # alliance 7: the USA throughout; Canada (20) in two spells with a gap; Mexico (70) in three
    m = _members([(7, 2, "1950-01-01", None, 1),
                  (7, 20, "1950-01-01", "1954-12-31", 1), (7, 20, "1960-01-01", None, 1),
                  (7, 70, "1951-01-01", "1952-12-31", 1), (7, 70, "1953-06-01", "1953-12-31", 1),
                  (7, 70, "1956-01-01", None, 1),
                  # alliance 8: Mexico's two touching phases make one spell with each partner
                  (8, 2, "1950-01-01", None, 1), (8, 20, "1950-01-01", None, 1),
                  (8, 70, "1950-01-01", "1954-12-31", 1), (8, 70, "1955-01-01", None, 1)])
    t = alliance_ties(m)
    t8 = t[t["atopid"].eq(8)]
    assert sorted((r.ccode1, r.ccode2, str(r.start)[:10], str(r.end)[:10]) for r in t8.itertuples()) == [
        (2, 20, "1950-01-01", "NaT"), (2, 70, "1950-01-01", "NaT"), (20, 70, "1950-01-01", "NaT")]
    t = t[t["atopid"].eq(7)]
    got = sorted((r.ccode1, r.ccode2, str(r.start)[:10], str(r.end)[:10]) for r in t.itertuples())
    want = sorted([
        (2, 20, "1950-01-01", "1955-01-01"), (2, 20, "1960-01-01", "NaT"),
        (2, 70, "1951-01-01", "1953-01-01"), (2, 70, "1953-06-01", "1954-01-01"), (2, 70, "1956-01-01", "NaT"),
        # Canada and Mexico: overlaps 1951-52, 1953 (Jun-Dec), from 1960
        (20, 70, "1951-01-01", "1953-01-01"), (20, 70, "1953-06-01", "1954-01-01"), (20, 70, "1960-01-01", "NaT"),
    ])
    assert got == want


def test_alliance_ties_end_at_the_one_exit_when_the_other_member_stays():
    m = _members([(3, 2, "1950-01-01", None, 1), (3, 20, "1950-01-01", "1960-06-30", 1),
                  (4, 2, "1950-01-01", "1965-12-31", 1), (4, 20, "1950-01-01", None, 1)])
    t = alliance_ties(m).sort_values("atopid", ignore_index=True)
    assert [str(x)[:10] for x in t["end"]] == ["1960-07-01", "1966-01-01"]


def test_alliance_ties_drop_pairs_that_never_overlap():
    # 20 leaves on 1959-12-31 (bound through that day), 200 joins on 1960-01-01: no common day;
    # the USA (2) overlaps both
    m = _members([(5, 2, "1940-01-01", None, 1), (5, 20, "1950-01-01", "1959-12-31", 1),
                  (5, 200, "1960-01-01", None, 1)])
    assert sorted(zip(alliance_ties(m)["ccode1"], alliance_ties(m)["ccode2"])) == [(2, 20), (2, 200)]


def test_alliance_ties_types_and_defence_flag():
    # second-resolution dates in, nanoseconds out; a missing or non-numeric defence flag counts as 0;
    # the pair's flag is the larger of the two members' flags
    m = pd.DataFrame({"atopid": [1, 1, 2, 2], "ccode": [2.0, 20.0, 2.0, 20.0],
                      "start_date": pd.to_datetime(["1950-01-01"] * 4).astype("datetime64[s]"),
                      "end_date": pd.to_datetime([None] * 4).astype("datetime64[s]"),
                      "defense": [None, "unknown", "1", None]})
    t = alliance_ties(m).sort_values("atopid", ignore_index=True)
    assert list(t.columns) == ["atopid", "ccode1", "ccode2", "start", "end", "defense"]
    assert t["start"].dtype == np.dtype("datetime64[ns]") and t["end"].dtype == np.dtype("datetime64[ns]")
    assert t["ccode1"].dtype == np.dtype("int64") and t["ccode2"].dtype == np.dtype("int64")
    assert t["defense"].tolist() == [0, 1]


def test_seed_alliance_ties_with_japan_by_published_dates():
    # US-Japan: the 1951 Security Treaty in force 1952-04-28, superseded when the 1960 Treaty of Mutual
    # Cooperation and Security entered into force on 1960-06-23 (US Department of State, Treaties in Force)
    t = seed_alliance_ties()
    assert list(t.columns) == ["ccode1", "ccode2", "treaty", "start", "end", "defense"]
    assert t["ccode1"].eq(2).all() and t["ccode2"].dtype == np.dtype("int64")
    assert t["start"].dtype == np.dtype("datetime64[ns]") and t["end"].dtype == np.dtype("datetime64[ns]")
    jp = t[t["ccode2"].eq(740)].sort_values("start")
    assert [str(x)[:10] for x in jp["start"]] == ["1952-04-28", "1960-06-23"]
    assert [str(x)[:10] for x in jp["end"]] == ["1960-06-23", "NaT"]  # the first ends the day the second begins
    assert jp["defense"].tolist() == [1, 1]
    # exactly one treaty in force with Japan on every day from 1952-04-28 on, none the day before
    assert count_ties(t, [2] * 4, [740] * 4, ["1952-04-27", "1952-04-28", "1960-06-22", "1960-06-23"]).tolist() == \
        [0.0, 1.0, 1.0, 1.0]


def test_seed_alliance_ties_defence_pacts_only_drops_the_others():
    every, pacts = seed_alliance_ties(), seed_alliance_ties(defence_pacts_only=True)
    assert set(every["defense"]) == {0, 1} and set(pacts["defense"]) == {1}
    assert len(pacts) == int(every["defense"].sum()) and len(pacts) < len(every)


def test_an_alliance_whose_members_never_overlap_has_no_ties():
    """Two members, one leaving the day before the other joins: an empty table with the columns, no error."""
    m = _members([(5, 20, "1950-01-01", "1959-12-31", 1), (5, 200, "1960-01-01", None, 1)])
    ties = alliance_ties(m)
    assert ties.empty
    assert {"ccode1", "ccode2", "start", "end"} <= set(ties.columns)


def test_merging_no_spell_at_all_gives_an_empty_table_with_the_columns_of_a_full_one() -> None:
    # no two members of an alliance ever overlapped: nothing to merge. The empty result has exactly the
    # columns a non-empty one has (keys, start, end, then the extra columns), in that order, and a fresh index
    from coalitionlab.measures.ties import _merge_spells

    keys = ["atopid", "ccode1", "ccode2"]
    full = pd.DataFrame({"atopid": [1, 1], "ccode1": [2, 2], "ccode2": [20, 20], "defense": [0, 1],
                         "start": pd.to_datetime(["2000-01-01", "2000-06-01"]),
                         "end": pd.to_datetime(["2000-07-01", "2001-01-01"])}, index=[7, 3])
    merged = _merge_spells(full, keys, {"defense": "max"})
    assert merged.to_dict("list") == {"atopid": [1], "ccode1": [2], "ccode2": [20],
                                      "start": [pd.Timestamp("2000-01-01")], "end": [pd.Timestamp("2001-01-01")],
                                      "defense": [1]}
    empty = _merge_spells(full.iloc[:0], keys, {"defense": "max"})
    assert list(empty.columns) == list(merged.columns) == [*keys, "start", "end", "defense"]
    assert len(empty) == 0 and isinstance(empty.index, pd.RangeIndex)
    assert list(_merge_spells(full.iloc[:0].drop(columns="defense"), keys).columns) == [*keys, "start", "end"]
