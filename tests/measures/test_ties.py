"""Dated tie tables and counting ties in force on a day, against brute-force loops and the raw files."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from coalitionlab.measures.ties import (
    alliance_ties,
    count_own_ties,
    count_ties,
    desta_ties,
    year_end,
    year_start,
)

CODES = [2, 20, 200, 220, 365]
DAYS = st.dates(min_value=dt.date(1816, 1, 1), max_value=dt.date(2030, 12, 31))


@st.composite
def tie_tables(draw):
    n = draw(st.integers(0, 25))
    rows = []
    for _ in range(n):
        a, b = draw(st.sampled_from(CODES)), draw(st.sampled_from(CODES))
        if a == b:
            continue
        start = draw(DAYS)
        end = draw(st.one_of(st.none(), DAYS))
        rows.append((a, b, start, end))
    return pd.DataFrame({"ccode1": [r[0] for r in rows], "ccode2": [r[1] for r in rows],
                         "start": pd.to_datetime([r[2] for r in rows]),
                         "end": pd.to_datetime([r[3] for r in rows])})


def brute_count(ties: pd.DataFrame, a: int, b: int, day: dt.date) -> int:
    d = pd.Timestamp(day)
    n = 0
    for r in ties.itertuples():
        if {r.ccode1, r.ccode2} == {a, b} and r.start <= d and (pd.isna(r.end) or d < r.end):
            n += 1
    return n


@given(tie_tables(), st.lists(st.tuples(st.sampled_from(CODES), st.sampled_from(CODES), DAYS), min_size=1,
                              max_size=20))
def test_count_ties_equals_a_loop(ties, queries):
    got = count_ties(ties, [q[0] for q in queries], [q[1] for q in queries], [q[2] for q in queries])
    want = [brute_count(ties, *q) for q in queries]
    assert got.tolist() == want


@given(tie_tables(), st.lists(st.tuples(st.sampled_from(CODES), DAYS), min_size=1, max_size=20))
def test_count_own_ties_equals_a_loop(ties, queries):
    got = count_own_ties(ties, [q[0] for q in queries], [q[1] for q in queries])
    want = [sum(brute_count(ties, q[0], other, q[1]) for other in CODES if other != q[0]) for q in queries]
    assert got.tolist() == want


def test_boundaries_and_missing_days():
    t = pd.DataFrame({"ccode1": [2], "ccode2": [20], "start": pd.to_datetime(["2000-05-01"]),
                      "end": pd.to_datetime(["2001-05-01"])})
    got = count_ties(t, [2, 20, 2, 2], [20, 2, 20, 20], ["2000-04-30", "2000-05-01", "2001-05-01", None])
    assert got[:3].tolist() == [0.0, 1.0, 0.0] and np.isnan(got[3])


def test_year_only_dates_take_no_look_ahead():
    assert str(year_end([2003])[0])[:10] == "2003-12-31"
    assert str(year_start([2003])[0])[:10] == "2003-01-01"
    assert np.isnat(year_end([np.nan])[0]) and np.isnat(year_start([np.nan])[0])
    assert str(year_end([1816])[0])[:10] == "1816-12-31"  # before 1970


def test_desta_ties_count_from_the_last_day_of_the_entry_year(shared_data):
    # the raw DESTA dyads file: US (ISO 840) - Jordan (ISO 400) base treaties and their entry-into-force years
    raw = pd.read_csv(shared_data / "desta" / "desta_list_of_treaties_02_02_dyads.csv.gz")
    pair = raw[(raw[["iso1", "iso2"]].apply(set, axis=1) == {840, 400}) & raw["entry_type"].eq("base_treaty")]
    years = sorted(pd.to_numeric(pair["entryforceyear"], errors="coerce").dropna().astype(int))
    assert years  # the 2000 US-Jordan FTA, in force 2001
    t = desta_ties(shared_data)
    us_jor = t[(t.ccode1 == 2) & (t.ccode2 == 663)]
    assert sorted(us_jor["start"].dt.year) == years
    assert (us_jor["start"].dt.strftime("%m-%d") == "12-31").all()
    first = f"{years[0]}-12-31"
    day_before = f"{years[0]}-12-30"
    assert count_ties(t, [2], [663], [day_before])[0] == 0
    assert count_ties(t, [2], [663], [first])[0] == sum(y <= years[0] for y in years)


def test_alliance_ties_merge_phases_and_end_the_day_after_exit():
    m = pd.DataFrame({"atopid": [1, 1, 1, 2, 2], "ccode": [2, 20, 20, 2, 20],
                      "start_date": pd.to_datetime(["1950-01-01", "1950-06-01", "1960-01-01", "1970-01-01",
                                                    "1970-01-01"]),
                      "end_date": pd.to_datetime([None, "1959-12-31", None, "1980-12-31", "1975-06-30"]),
                      "defense": [1, 1, 1, 0, 0]})
    t = alliance_ties(m).sort_values(["atopid", "start"], ignore_index=True)
    # alliance 1: two touching phases of Canada make one spell from 1950-06-01, open-ended
    assert t.loc[0, "start"] == pd.Timestamp("1950-06-01") and pd.isna(t.loc[0, "end"]) and len(t) == 2
    # alliance 2: ends the day after the earlier exit
    assert t.loc[1, "end"] == pd.Timestamp("1975-07-01")
    assert count_ties(t, [2, 2], [20, 20], ["1975-06-30", "1975-07-01"]).tolist() == [2.0, 1.0]


def test_days_before_1678_are_not_wrapped():
    # numpy's datetime64[ns] -> datetime64[D] cast turns 1677-09-22 into 2262-04-11
    t = pd.DataFrame({"ccode1": [200], "ccode2": [380], "start": pd.to_datetime(["1677-09-22"]),
                      "end": pd.to_datetime([None])})
    assert count_ties(t, [200], [380], ["1700-01-01"])[0] == 1.0
