"""Year coverage, state-year sets and ccode indexes of the measures stage: cases that mutation testing
showed the other tests let through (see docs/development/mutation.md).

Covers ``YearCoverage``, ``year_coverage``, ``StateYears``, ``spell_years``, ``system_members`` and
``CcodeIndex`` on tiny made-up inputs. The oracles never go through the code under test: expected
values written out by hand, Python loops over the pairs of a set or the days of a spell, the exact
warning text written out, a recorder standing in for the state-list reader, and for memory
``tracemalloc``'s peak against the byte size of the arrays the code comments say are built.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import sys
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest

from coalitionlab.data.registry import REGISTRY, get_source
from coalitionlab.errors import MissingDataError, StaleDataWarning
from coalitionlab.measures._common import (
    CcodeIndex,
    StateYears,
    YearCoverage,
    spell_years,
    system_members,
    year_coverage,
)

panel_module = importlib.import_module("coalitionlab.measures.panel")
check_module = importlib.import_module("coalitionlab.data.check")


def _peak(fn) -> int:
    """Peak bytes traced while ``fn()`` runs."""
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def _years(a) -> list[int]:
    """An int64 year array as a list (the dtype is part of the check)."""
    a = np.asarray(a)
    assert a.dtype == np.int64, a.dtype
    return a.tolist()


# ------------------------------------------------------------------ YearCoverage


def test_year_coverage_drops_years_outside_the_nominal_coverage_on_either_side():
    """Years before ``first`` and after ``last`` are left out, the bounds themselves kept; it does so when
    only one side is out of range too. Written out by hand. Catches the out-of-range filter skipped (both
    sides needed, or never run), its bounds made strict (1988 or 2000 lost), its two tests joined by ``|``
    (nothing dropped) and the filtered years thrown away."""
    cov = YearCoverage("x", [2003, 1985, 1988, 1993, 2000, 1990, 1993], 1988, 2000)
    assert (cov.first, cov.last) == (1988, 2000)
    assert _years(cov.present) == [1988, 1990, 1993, 2000]
    assert cov.gaps.tolist() == [1989, 1991, 1992] + list(range(1994, 2000))
    below = YearCoverage("x", [1985, 1990, 1991], 1988, 2000)  # only the low side out of range
    assert (below.first, below.last, _years(below.present)) == (1990, 1991, [1990, 1991])
    above = YearCoverage("x", np.array([1990, 1991, 2005]), 1988, 2000)  # only the high side
    assert (above.first, above.last, _years(above.present)) == (1990, 1991, [1990, 1991])


def test_year_coverage_float_years_with_nan_are_whole_years():
    """Float years (NaN for a missing one) and a list with ``None`` count as whole years, the missing ones
    ignored. Catches NaN cast to an integer and float years kept as floats."""
    cov = YearCoverage("x", np.array([1990.0, np.nan, 1992.0, 1990.0]), 1946, 2023)
    assert (cov.first, cov.last, _years(cov.present), cov.gaps.tolist()) == (1990, 1992, [1990, 1992], [1991])
    cov = YearCoverage("x", [1993, None, 1990], 1946, 2023)
    assert (cov.first, cov.last, _years(cov.present)) == (1990, 1993, [1990, 1993])


@pytest.mark.parametrize("years", [[], np.array([], dtype="int64"), [np.nan, np.nan], [1800, 2100]],
                         ids=["empty-list", "empty-int", "all-nan", "all-outside"])
def test_year_coverage_without_any_year_holds_nothing(years):
    """No year inside the coverage (none at all, all missing, all outside): nothing is present (an empty
    int64 array), the span ``first..last`` holds zero years, there are no gaps, and ``inside`` is False
    everywhere. Catches the empty case sent down the path of a non-empty one (``min`` of nothing, an
    index error), a made-up present year 0, a span of one or two years and the wrong fallbacks."""
    cov = YearCoverage("x", years, 1990, 2000)
    assert _years(cov.present) == []
    assert cov.first == 1990 and cov.last - cov.first + 1 == 0
    assert cov.gaps.tolist() == [] and cov.known_gaps.tolist() == []
    assert cov.inside([1989, 1990, 1995, 2000]).tolist() == [False] * 4


def test_year_coverage_known_gaps_are_int_years_among_the_gaps():
    """``known_gaps`` keeps the documented gaps that are gaps here (1964), not those that are held (1990)
    or outside the span (2030); with none documented it is an empty int64 array like ``gaps``. Catches
    the documented years converted without the int64 dtype (an empty float64 array)."""
    cov = YearCoverage("x", [1963, 1965, 1990], 1946, 2023, known_gaps=[1964, 1990, 2030])
    assert _years(cov.known_gaps) == [1964]
    assert _years(YearCoverage("x", [1963, 1965], 1946, 2023).known_gaps) == []
    assert _years(YearCoverage("x", [1963, 1965], 1946, 2023, known_gaps=()).known_gaps) == []


def test_year_coverage_int_years_are_counted_without_a_float_copy():
    """The code's comment: integer years skip the float conversion (used for NaN). For a million int64 years
    the peak is the one int64 temporary of the count (8 MB), with 50% slack; a float copy and its
    filtered int copy would need three times as much. Catches int years sent down the float path (the
    dtype test misspelt)."""
    years = np.random.default_rng(5).integers(1950, 2020, 1_000_000)
    peak = _peak(lambda: YearCoverage("x", years, 1946, 2023))
    assert peak <= 1.5 * years.nbytes, (peak, years.nbytes)


def test_year_coverage_inside_and_warn_tables_span_first_to_last_only():
    """``inside`` marks held years in a table of ``last - first + 1`` cells and ``warn`` counts the years read
    in a table spanning the unknown gaps, whatever the years' size: with years near a million the peak of
    each stays small (under 64 KiB), and the answers are the hand-written ones. Catches the tables sized
    by ``last + first`` (2 MB of bools) or by the sum of the first and last gap (16 MB of counts)."""
    base = 1_000_000
    cov = YearCoverage("x", [base, base + 1, base + 3], 0, 2 * base)
    look = np.array([base - 1, base, base + 2, base + 3, base + 4])
    assert cov.inside(look).tolist() == [False, True, False, True, False]
    assert _peak(lambda: cov.inside(look)) < 64 * 1024
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleDataWarning)
        assert cov.warn(look, "add_x") == [base + 2]  # the import of the warning's helpers done once
        assert _peak(lambda: cov.warn(look, "add_x")) < 64 * 1024


# ------------------------------------------------------------------ YearCoverage.warn


def _step(cov: YearCoverage, look):
    """A stand-in for an ``add_*`` step calling ``warn``: the warning must point at this function's caller."""
    return cov.warn(look, "add_x")


SEVEN_RANGES = [1950, 1952, 1954, 1956, 1958, 1960, 1962]  # seven single-year ranges, gaps in between


def test_warn_message_years_and_location(monkeypatch):
    """Reading unknown gap years warns once with the exact text (the years read, and the held years as at
    most six ranges and a count of the others) and returns those years; a known gap (1953) and held or
    outside years are not reported. The warning points at the frame two above ``warn``'s own (its
    ``stacklevel=3``: the caller of the step), found by walking the stack from ``compact_years``, which
    ``warn`` calls. Catches the six-range limit dropped or changed and the stack level changed."""
    where: list[tuple[str, int]] = []
    real = check_module.compact_years

    def recording(years, **kw):
        caller = sys._getframe(1).f_back.f_back  # warn's frame, then two up
        where.append((caller.f_code.co_filename, caller.f_lineno))
        return real(years, **kw)

    monkeypatch.setattr(check_module, "compact_years", recording)
    cov = YearCoverage("un_ideal_points", SEVEN_RANGES, 1946, 2023, known_gaps=[1953])
    look = np.array([1951, 1953, 1961, 1961, 1940, 1970, 1950])
    with pytest.warns(StaleDataWarning) as rec:
        read = _step(cov, look)
    assert read == [1951, 1961]
    assert len(rec) == 1
    assert str(rec[0].message) == (
        "add_x: source 'un_ideal_points' has no rows for 1951, 1961 (it holds 1950, 1952, 1954, 1956, 1958, "
        "1960, ... (1 more ranges)); values read there are NaN, not 0. Run 'coalitionlab data check' on the "
        "data directory")
    assert (rec[0].filename, rec[0].lineno) == where[0]


def test_warn_reads_gaps_beyond_the_largest_year_looked_at():
    """Unknown gaps 1951..1961 and a look at 1951 and 1952 only: 1951 is reported (the gaps after the largest
    year looked at are counted as not read). Catches the count table sized by the years looked at
    instead of the gaps (an index error for 1955)."""
    cov = YearCoverage("x", SEVEN_RANGES, 1946, 2023)
    with pytest.warns(StaleDataWarning, match=r"has no rows for 1951 \(it holds"):
        assert _step(cov, [1951, 1952]) == [1951]


def test_warn_silent_for_known_gaps_and_held_years():
    """Only known gaps, held years or years outside the span are looked at: no warning, nothing returned."""
    cov = YearCoverage("x", [1963, 1965, 1966], 1946, 2023, known_gaps=[1964])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _step(cov, [1964, 1963, 1966, 2000]) == []
    cov = YearCoverage("x", SEVEN_RANGES, 1946, 2023)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _step(cov, [1950, 1962, 1940]) == []


# ------------------------------------------------------------------ year_coverage (registry schemas)


def test_year_coverage_of_a_source_uses_its_year_column_and_known_gaps():
    """``un_ideal_points`` (registry 1946-2023, year column ``year``, documented gap 1964): an int64 year
    column with 1964 and 1966 missing, a year before the coverage and one after. By hand: first 1960, last
    1970, gaps 1964 and 1966, known gap 1964. Catches the schema's year rule not read (no known gaps) and
    the known gaps not passed on."""
    frame = pd.DataFrame({"year": np.array([1940, 1960, 1961, 1962, 1963, 1965, 1967, 1968, 1969, 1970, 2030]),
                          "ccode": 2})
    cov = year_coverage("un_ideal_points", frame)
    assert (cov.source, cov.first, cov.last) == ("un_ideal_points", 1960, 1970)
    assert cov.gaps.tolist() == [1964, 1966]
    assert cov.known_gaps.tolist() == [1964]
    other = frame.rename(columns={"year": "session_year"}).assign(year=1990)
    cov = year_coverage("un_ideal_points", other, "session_year")  # an explicit column wins
    assert (cov.first, cov.last, cov.gaps.tolist()) == (1960, 1970, [1964, 1966])


def test_year_coverage_of_a_dated_source_reads_its_date_column():
    """``un_votes`` counts rows by ``vote_date`` (a datetime column, registry 1946-2020): the years of the
    dates, NaT ignored, a date before 1946 left out, 1964 a known gap. The frame has no ``year`` column.
    Catches the default ``year`` column used instead of the schema's, dates read as raw numbers and the
    year extraction called on the wrong object."""
    dates = pd.to_datetime(pd.Series(["1963-05-01", "1965-02-01", None, "1966-12-31", "1940-01-01"]))
    cov = year_coverage("un_votes", pd.DataFrame({"rcid": range(5), "vote_date": dates}))
    assert (cov.first, cov.last, _years(cov.present)) == (1963, 1966, [1963, 1965, 1966])
    assert cov.gaps.tolist() == [1964] and cov.known_gaps.tolist() == [1964]


def test_year_coverage_defaults_to_the_year_column_without_a_start_column():
    """``desta_members`` has a year rule with no start column (basis ``none``; registry 1948-2023): the
    ``year`` column is read, with no known gaps. Catches the rule's empty start column (``None``) used as
    the column name and a misspelt default column."""
    frame = pd.DataFrame({"year": [1950, 1952, 2030], "ccode": [2, 2, 2]})
    cov = year_coverage("desta_members", frame)
    assert (cov.first, cov.last, cov.gaps.tolist(), cov.known_gaps.tolist()) == (1950, 1952, [1951], [])


def test_year_coverage_of_a_source_without_schema(monkeypatch):
    """A source registered without a schema (``schema=None``, coverage 1950-2024 copied from ``us_troops``):
    the ``year`` column and no known gaps. Catches the schema's metadata or the rule's gaps read when there
    is no schema (an AttributeError)."""
    src = dataclasses.replace(get_source("us_troops"), name="no_schema_source", schema=None)
    monkeypatch.setitem(REGISTRY, "no_schema_source", src)
    cov = year_coverage("no_schema_source", pd.DataFrame({"year": [1949, 1960, 1962]}))
    assert (cov.first, cov.last, cov.gaps.tolist(), cov.known_gaps.tolist()) == (1960, 1962, [1961], [])


def test_year_coverage_int_year_column_is_read_without_a_float_copy():
    """The code's comment: an int64 year column is passed on as it is ("no float copy"). A million rows:
    the peak is the one int64 temporary of the count (8 MB), with 50% slack; the float path (``year_of``
    and the float filter) needs about four times as much. Catches the int test inverted, misspelt or
    forced to the float path."""
    frame = pd.DataFrame({"year": np.random.default_rng(6).integers(1950, 2020, 1_000_000)})
    year_coverage("un_ideal_points", frame.iloc[:3])  # the registry loaded before measuring
    peak = _peak(lambda: year_coverage("un_ideal_points", frame))
    assert peak <= 1.5 * 8 * len(frame), peak


# ------------------------------------------------------------------ StateYears


def test_state_years_float_codes_and_years_and_code_zero():
    """Pairs and lookups as float arrays (a float column) and ccode 0 (a valid code, 0-999): membership
    against a loop over the pairs, ``known`` true for 0. Catches the int64 conversions dropped (a float
    index: an error) and code 0 dropped or treated as an unknown code."""
    pairs = [(0, 1990), (2, 1989), (2, 1990), (260, 1989)]
    s = StateYears(np.array([float(c) for c, _ in pairs]), np.array([float(y) for _, y in pairs]))
    codes, years = [0, 1, 2, 260, 999], range(1987, 1993)
    qc = np.array([float(c) for c in codes for _ in years])
    qy = np.array([float(y) for _ in codes for y in years])
    want = [(int(c), int(y)) in set(pairs) for c, y in zip(qc, qy, strict=True)]  # the loop
    assert s(qc, qy).tolist() == want
    assert s(0, 1990) and not s(0, 1989)
    assert s.known([0, 1, 2, 260, 999]).tolist() == [True, False, True, True, False]
    assert s.allows([0, 0, 999], [1990, 1991, 1991]).tolist() == [True, False, True]


def test_state_years_without_universe_and_default_no_carry():
    """No ``universe`` (the codes of the pairs only) and the default ``carry_forward=False``: a year after
    the last is not in the set, ``carry_forward`` is recorded as given, and ``first``/``last`` are the
    smallest and largest year. Catches a missing universe read as a float array (an index error) or as
    ``None`` (an error), carry-forward on by default or whenever there are years, and ``first`` forced
    to 0."""
    s = StateYears([2, 2, 260], [1989, 1990, 1989])
    assert (s.first, s.last) == (1989, 1990)
    assert s.carry_forward is False
    assert s([2, 2, 260, 260], [1990, 1991, 1989, 2000]).tolist() == [True, False, True, False]
    assert s.known([2, 260, 5]).tolist() == [True, True, False]
    c = StateYears([2, 5], [1990, 1991], carry_forward=True)
    assert c.carry_forward is True
    assert c([5, 2, 5, 2], [1995, 1995, 1990, 1991]).tolist() == [True, False, False, False]


@pytest.mark.parametrize("carry", [False, True])
def test_state_years_empty_set_spans_no_years(carry):
    """No pairs (with and without ``carry_forward``, with and without a universe): the set spans zero years,
    holds nothing, judges only the universe's codes and lets every other code pass. Catches ``min`` or
    ``max`` of no years, of no codes, and a made-up span of one or more years."""
    s = StateYears([], [], carry_forward=carry)
    assert s.last - s.first + 1 == 0
    assert s([2, 0], [1990, 0]).tolist() == [False, False]
    assert s.known([2]).tolist() == [False]
    assert s.allows([2], [1990]).tolist() == [True]
    u = StateYears(np.array([], dtype="int64"), np.array([], dtype="int64"), universe=[2], carry_forward=carry)
    assert u.last - u.first + 1 == 0
    assert u.known([2, 3]).tolist() == [True, False]
    assert u.allows([2, 3], [1990, 1990]).tolist() == [False, True]


# ------------------------------------------------------------------ spell_years, system_members


SPELLS = [  # ccode, first day, last day
    (2, "1989-03-01", "1991-12-31"),
    (260, "1988-05-05", "1990-10-02"),  # ends in October: not a member on 31 December 1990
    (345, "1988-01-01", "1990-12-15"),  # ends in December, before the 31st
    (347, "1990-06-30", "1990-10-31"),  # a 31st, not of December; never a member on 31 December
    (365, "1991-12-31", "1991-12-31"),  # one day, a 31 December
]


def _spell_frame(spells, ccode_dtype="int64") -> pd.DataFrame:
    return pd.DataFrame({"ccode": np.array([c for c, _, _ in spells], dtype=ccode_dtype),
                         "start_date": [s for _, s, _ in spells], "end_date": [e for _, _, e in spells]})


def _loop_spell_years(spells, rule):
    """The (ccode, year) pairs by a loop over the years of each spell, in spell order: ``any`` a member on
    some day of the year, ``dec31`` a member on 31 December."""
    out = []
    for c, s, e in spells:
        s, e = dt.date.fromisoformat(s), dt.date.fromisoformat(e)
        for y in range(1980, 2000):
            if (rule == "any" and s <= dt.date(y, 12, 31) and e >= dt.date(y, 1, 1)) or \
                    (rule == "dec31" and s <= dt.date(y, 12, 31) <= e):
                out.append((c, y))
    return out


@pytest.mark.parametrize("rule", ["any", "dec31"])
def test_spell_years_against_a_loop_over_days(rule):
    """Both rules against the loop, for spells ending on 31 December, on another 31st, in December before
    the 31st, and within one year; ccodes from a float column come back as int64. Catches December or
    the 31st alone counted as 31 December, a spell that covers no 31 December given one year anyway,
    and the ccodes returned as floats."""
    for dtype in ("int64", "float64"):
        codes, years = spell_years(_spell_frame(SPELLS, dtype), rule)
        assert codes.dtype == np.int64 and years.dtype == np.int64
        assert list(zip(codes.tolist(), years.tolist(), strict=True)) == _loop_spell_years(SPELLS, rule)


def test_spell_years_default_rule_is_any():
    """Without ``rule``: a member on any day of the year (West Germany 260 counts in 1990)."""
    codes, years = spell_years(_spell_frame(SPELLS))
    assert list(zip(codes.tolist(), years.tolist(), strict=True)) == _loop_spell_years(SPELLS, "any")


@pytest.mark.parametrize("missing", ["start_date", "end_date"])
def test_spell_years_refuses_a_spell_without_a_date(missing):
    """A spell with no start (which used to drop the state silently) or no end (which used to fail with
    numpy's "array is too big") is refused with one line naming the first such state."""
    spells = _spell_frame(SPELLS)
    spells.loc[1, missing] = pd.NaT
    with pytest.raises(ValueError, match=rf"^spell_years: 1 spell\(s\) without a start_date or end_date "
                                         rf"\(first: ccode {int(spells.loc[1, 'ccode'])}\)"):
        spell_years(spells)


@pytest.fixture
def spells_recorder(monkeypatch):
    """``panel.system_spells`` replaced by a recorder: returns the made-up spells (ccode 2 from 1990, 260
    only in 1990 to 3 October) for the "full" list and a one-state list (ccode 2 from 2000) for the seed;
    ``state["missing"]`` makes the full list a :class:`MissingDataError`."""
    calls: list[tuple] = []
    state = {"missing": False}
    full = _spell_frame([(2, "1990-01-01", "2024-12-31"), (260, "1990-01-01", "1990-10-02"),
                         (255, "1990-10-03", "2024-12-31")])
    seed = _spell_frame([(2, "2000-01-01", "2024-12-31")])

    def fake(data_dir=None, *, source="auto"):
        calls.append((data_dir, source))
        if source == "full" and state["missing"]:
            raise MissingDataError("no cow_states")
        return {"full": full, "seed": seed}[source]

    monkeypatch.setattr(panel_module, "system_spells", fake)
    return calls, state


def test_system_members_reads_the_full_list_of_the_named_directory(spells_recorder):
    """By default the "full" list of the data directory passed (here a made-up name) is asked for, and its
    spells decide (ccode 2 a member in 1995: the seed would say no); years after 2024 read as 2024.
    Catches the seed used by default, the directory dropped or replaced by ``None``, and ``source``
    left at its default (``"auto"``)."""
    calls, _ = spells_recorder
    s = system_members("some/data/dir")
    assert calls == [("some/data/dir", "full")]
    assert s([2, 2, 255, 260], [1995, 2030, 1990, 1991]).tolist() == [True, True, True, False]
    calls.clear()
    system_members()
    assert calls == [(None, "full")]


def test_system_members_seed_and_fallback(spells_recorder):
    """``seed=True`` reads only the seed; a data directory without the list falls back to the seed after
    asking for the full one."""
    calls, state = spells_recorder
    assert not system_members("d", seed=True)(2, 1995)
    assert calls == [(None, "seed")]
    calls.clear()
    state["missing"] = True
    assert not system_members("d")(2, 1995)
    assert calls == [("d", "full"), (None, "seed")]


def test_system_members_judges_every_listed_state_even_without_a_year(spells_recorder):
    """With ``rule="dec31"`` West Germany (260, member until 3 October 1990) is never a member on 31
    December, yet it is a listed COW state: it is judged (``known``) and rejected in 1990, not let through
    as an unknown code. Catches the list's codes not passed as the universe."""
    s = system_members("d", rule="dec31")
    assert s.known([260, 255, 999]).tolist() == [True, True, False]
    assert s.allows([260, 255, 999], [1990, 1990, 1990]).tolist() == [False, True, True]
    assert system_members("d").allows([260], [1990]).tolist() == [True]  # "any": a member on some day


# ------------------------------------------------------------------ CcodeIndex


def test_ccode_index_from_any_iterable_and_float_codes():
    """Codes from a set, a generator or a float array index the same sorted codes (0..K-1). Catches the
    ``list()`` of a non-array iterable skipped or inverted (numpy cannot read a set or a generator) and
    the int64 conversion dropped (float codes: an index error)."""
    for codes in ({365, 2, 200}, (c for c in [200, 365, 2, 2]), np.array([365.0, 2.0, 200.0]), [2, 200, 365]):
        idx = CcodeIndex(codes)
        assert _years(idx.codes) == [2, 200, 365] and len(idx) == 3
        assert idx([365, 2, 200, 5]).tolist() == [2, 0, 1, -1]


def test_ccode_index_lookups_against_a_dict():
    """Lookups against a dict (code -> position, else -1) for values in the table's range, just past it
    (366 and 367 for codes up to 365), negative, and float values; ``dtype="int32"`` on the path for
    out-of-range values too. Catches an unknown in-range code mapped to 1 or -2, the fast path taken one
    past the table (an index error), float values left as floats (an error), and the fill's dtype lost."""
    codes = [2, 200, 365]
    want = {c: i for i, c in enumerate(codes)}
    idx = CcodeIndex(codes)
    values = [2, 5, 0, 200, 365, 366]
    assert idx(np.array(values)).tolist() == [want.get(v, -1) for v in values]
    assert idx([367, 2]).tolist() == [-1, 0]
    assert idx(np.array([365.0, 2.0, 7.0])).tolist() == [2, 0, -1]
    for vals in ([-5, 0, 2, 10**6, 365], [2, 10**6]):
        got = idx(np.array(vals), dtype="int32")
        assert got.dtype == np.int32
        assert got.tolist() == [want.get(v, -1) for v in vals]


def test_ccode_index_code_zero_and_empty():
    """Code 0 is a code like the others, on the general path (a negative value in the input) too; an index
    of no codes maps everything to -1. Catches 0 excluded as out of range and ``max`` of no codes."""
    idx = CcodeIndex([5, 0])
    assert idx([0, 5, 3]).tolist() == [0, 1, -1]
    assert idx([0, -1, 5]).tolist() == [0, -1, 1]
    empty = CcodeIndex([])
    assert len(empty) == 0
    assert empty([0, 2, -1]).tolist() == [-1, -1, -1]


def test_ccode_index_compact_codes_gathered_without_an_intp_copy():
    """The code's comment: int16 codes (the panels' key dtype) longer than one block are gathered block by
    block, "without a full-length intp copy of them". A million codes, ``dtype="int32"``: the peak is the
    4 MB result plus one block's intp copy (512 KiB), with 25% slack; a full-length intp copy adds 8 MB.
    The codes run from 0, the bottom of the table, which is still the one-gather case. Values against a
    dict and a hand-made table. Catches the int16 input converted to int64 up front, the block path never
    taken for 1-D compact codes, and code 0 sent down the general path (full-length temporaries)."""
    codes = list(range(2, 1000, 7))
    idx = CcodeIndex(codes)
    v = np.random.default_rng(1).integers(0, 990, 1_000_000).astype("int16")
    want = {c: i for i, c in enumerate(codes)}
    got = idx(v, "int32")
    assert got.dtype == np.int32
    tail = v[-5000:].tolist()  # the last block (a partial one) by the dict
    assert got[-5000:].tolist() == [want.get(x, -1) for x in tail]
    table = np.full(1000, -1)  # and every row by a hand-made table
    table[codes] = np.arange(len(codes))
    assert np.array_equal(got, table[v.astype("int64")])
    peak = _peak(lambda: idx(v, "int32"))
    assert peak <= 1.25 * (4 * len(v) + 8 * (1 << 16)), peak


def test_ccode_index_reads_its_table_without_copying_it():
    """A lookup of a few codes as int64 (the table's own dtype) takes the table as it is: the peak stays under
    half the table's 8 KB (ccodes up to 989). Catches the table copied on every call (``copy=True``) and
    kept as float64 (then every int64 lookup converts it)."""
    idx = CcodeIndex(range(2, 1000, 7))
    few = np.array([2, 9, 16, 989, 5])
    assert idx(few).tolist() == [0, 1, 2, 141, -1]
    assert _peak(lambda: idx(few)) < 4000


def test_ccode_index_general_path_does_not_copy_int64_input():
    """A million int64 codes with one negative value take the general path. Its temporaries by the byte: the
    in-range mask (1 a row), the result (8), the in-range codes (8) and their positions (8): 25 bytes a
    row; the peak stays under 28. Values against a hand-made table. Catches the int64 input copied
    (``copy=True``: 33 bytes a row)."""
    codes = list(range(2, 1000, 7))
    idx = CcodeIndex(codes)
    v = np.random.default_rng(2).integers(0, 990, 1_000_000)
    v[0] = -1
    table = np.full(1000, -1)
    table[codes] = np.arange(len(codes))
    got = idx(v)
    assert got[0] == -1 and np.array_equal(got[1:], table[v[1:]])
    peak = _peak(lambda: idx(v))
    assert peak < 28 * len(v), peak
