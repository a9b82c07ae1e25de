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
    unctad_ties,
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


# ISO 3166 numeric -> COW ccode for the states the two oracles below use (written by hand from both code lists)
_ISO_TO_COW = {826: 200, 40: 305, 8: 339, 56: 211, 250: 220, 380: 325, 724: 230, 752: 380}


def test_desta_withdrawals_end_the_tie_on_1_january_of_the_withdrawal_year(shared_data):
    """Every dyadic withdrawal in the raw file (Brexit's 2020 ones, the UK's 1973 exit from EFTA ...)
    between two states of the hand-coded table ends the matching tie on 1 January of its year."""
    raw = pd.read_csv(shared_data / "desta" / "desta_dyadic_withdrawal_02_02.csv.gz",
                      usecols=["iso1", "iso2", "base_treaty", "year"])
    raw = raw[raw["iso1"].isin(_ISO_TO_COW) & raw["iso2"].isin(_ISO_TO_COW)]
    t = desta_ties(shared_data)
    checked = 0
    for iso1, iso2, treaty, year in raw.itertuples(index=False):
        a, b = sorted((_ISO_TO_COW[iso1], _ISO_TO_COW[iso2]))
        tie = t[(t.ccode1 == a) & (t.ccode2 == b) & (t.base_treaty == treaty)
                & (t.start < pd.Timestamp(f"{year}-01-01"))]
        if tie.empty:  # a pair on the same side of a regional agreement is no tie in DESTA's dyads
            continue
        ends = tie["end"].dropna()
        assert (ends == pd.Timestamp(f"{year}-01-01")).any(), (a, b, treaty, year, tie)
        counts = count_ties(tie, [a, a], [b, b], [f"{year - 1}-12-31", f"{year}-01-01"])
        assert counts[0] > counts[1], (a, b, treaty, year)
        checked += 1
    assert checked >= 10  # 11 on DESTA 02_02; e.g. UK-Austria: the Lisbon treaty (324) and EFTA (375, ended 1973-01-01)
    uk_at = t[(t.ccode1 == 200) & (t.ccode2 == 305)].set_index("base_treaty")["end"]
    assert uk_at[324] == pd.Timestamp("2020-01-01") and uk_at[375] == pd.Timestamp("1973-01-01")


def test_unctad_ties_take_the_treaty_dates_of_the_raw_file(shared_data):
    """Published cases (UNCTAD's IIA Navigator): the US BITs with Bolivia (in force 2001-06-06, terminated
    2012-06-10), Ecuador (1997-05-11 to 2018-05-18) and Argentina (1994-10-20, in force), and the first BIT,
    West Germany-Pakistan (1962-04-28; ccode 260 then). Then every BIT of the raw file between two states of
    the hand table: one tie with the raw entry-into-force and termination dates; never in force, no tie."""
    t = unctad_ties(shared_data)
    got = t.set_index("treaty_id")
    for treaty, pair, start, end in ((2176, (2, 145), "2001-06-06", "2012-06-10"),
                                     (3129, (2, 130), "1997-05-11", "2018-05-18"),
                                     (3357, (2, 160), "1994-10-20", None), (3924, (260, 770), "1962-04-28", None)):
        row = got.loc[treaty]
        assert (row.ccode1, row.ccode2) == pair and row.start == pd.Timestamp(start)
        assert (pd.isna(row.end) if end is None else row.end == pd.Timestamp(end)), treaty
    names = {"United Kingdom": 200, "Austria": 305, "Albania": 339, "Belgium": 211, "France": 220, "Italy": 325,
             "Spain": 230, "Sweden": 380}
    raw = pd.read_csv(shared_data / "unctad_iia" / "unctad_iia_treaties_scraped.csv.gz")
    raw = raw[raw["type"].eq("BITs")]
    checked = 0
    for a_name, a in names.items():
        for b_name, b in names.items():
            for r in raw[raw["parties"].eq(f"{a_name}, {b_name}")].itertuples():
                tie = t[t.treaty_id == r.treaty_id]
                if pd.isna(r.date_of_entry_into_force):
                    assert tie.empty, r.short_title
                    continue
                assert len(tie) == 1 and tuple(tie[["ccode1", "ccode2"]].iloc[0]) == tuple(sorted((a, b)))
                assert tie["start"].iloc[0] == pd.Timestamp(r.date_of_entry_into_force)
                want_end = pd.Timestamp(r.termination_date) if pd.notna(r.termination_date) else pd.NaT
                assert tie["end"].iloc[0] is pd.NaT if want_end is pd.NaT else tie["end"].iloc[0] == want_end
                checked += 1
    assert checked >= 5
