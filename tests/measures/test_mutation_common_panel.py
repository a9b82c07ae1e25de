"""Shared helpers of the measures stage, second part: panel checks, the existence rule and provenance stamps
(``check_panel``, ``new_attrs``, ``stamp``, ``member_mask``, ``finish``, ``resolve_source``); cases that
mutation testing showed the other tests let through (see docs/development/mutation.md).

Every helper is called directly on tiny made-up inputs. The oracles never go through the code under
test: error messages and ``attrs`` dictionaries written out in full, membership by a Python loop over the
spells of a toy COW state list (a data directory written by the test, which differs from the shipped copy
of the COW list on purpose, so that it shows which of the two a call read), facts of the real COW list
written out by hand, pandas' column-assignment semantics written out, and for memory ``tracemalloc``'s
peak against the byte size of the arrays the code's comments say are built.
"""

from __future__ import annotations

import importlib
import sys
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest

from coalitionlab._validation import UnknownOptionError
from coalitionlab.errors import MissingDataError, PanelTypeError, SeedDataWarning
from coalitionlab.measures._common import (
    EXISTENCE_RULE,
    RELEASE_ROWS,
    StateYears,
    _check_key_column,
    _grid_mask,
    check_panel,
    finish,
    member_mask,
    new_attrs,
    resolve_source,
    stamp,
)

common = importlib.import_module("coalitionlab.measures._common")
paths = importlib.import_module("coalitionlab.data.paths")

# ------------------------------------------------------------------ a toy COW state list in a data directory

#: (stateabb, ccode, first day, last day): the USA and Canada as in COW v2024, Russia only 2000-2001 (in COW it
#: is a member throughout, 1816-2024), no West Germany. The list ends in 2024: later years read as 2024.
TOY_SPELLS = [("USA", 2, (1816, 1, 1), (2024, 12, 31)), ("CAN", 20, (1920, 1, 10), (2024, 12, 31)),
              ("RUS", 365, (2000, 1, 1), (2001, 12, 31))]


def toy_member(c: int, y: int) -> bool:
    """A member on any day of the year in the toy list; a code the list does not have is not judged."""
    spells = [(s[0], e[0]) for _, code, s, e in TOY_SPELLS if code == c]
    return not spells or any(a <= min(y, 2024) <= b for a, b in spells)


#: The real COW v2024 list (the copy shipped with the crosswalk), by hand: the USA and Russia throughout,
#: Canada from 10 January 1920, West Germany (260) 1955-05-05 to 1990-10-02; years after 2024 read as 2024.
COW_MEMBER = {(20, 1919): False, (20, 1990): True, (20, 2030): True, (260, 1991): False, (365, 1999): True,
              (365, 2000): True, (365, 2030): True}


@pytest.fixture
def toy_dir(tmp_path):
    """A data directory holding only ``cow_states/statelist2024.csv`` with the toy list."""
    folder = tmp_path / "toy" / "cow_states"
    folder.mkdir(parents=True)
    lines = ["stateabb,ccode,statenme,styear,stmonth,stday,endyear,endmonth,endday,version"]
    for abb, code, s, e in TOY_SPELLS:
        lines.append(f"{abb},{code},{abb},{s[0]},{s[1]},{s[2]},{e[0]},{e[1]},{e[2]},2024")
    (folder / "statelist2024.csv").write_text("\n".join(lines) + "\n")
    return tmp_path / "toy"


# rows (ccode1, ccode2, year) and whether the real COW list keeps them; 999 is no COW state (not judged)
ROWS = [(2, 20, 1990), (365, 2, 1999), (2, 365, 1999), (365, 365, 2000), (20, 2, 1919), (999, 2, 1990),
        (2, 260, 1991), (365, 20, 2030)]


def _cow(c: int, y: int) -> bool:
    return c in (2, 999) or COW_MEMBER[c, y]


COW_KEEP = [_cow(a, y) and _cow(b, y) for a, b, y in ROWS]
TOY_KEEP = [toy_member(a, y) and toy_member(b, y) for a, b, y in ROWS]


def _columns(rows, *, float_years: bool = False):
    c1 = np.array([r[0] for r in rows])
    c2 = np.array([r[1] for r in rows])
    y = np.array([r[2] for r in rows], dtype="float64" if float_years else "int64")
    return c1, c2, y


# ------------------------------------------------------------------ check_panel, _check_key_column


def _panel(unit: str | None, **cols) -> pd.DataFrame:
    df = pd.DataFrame(cols)
    if unit is not None:
        df.attrs["unit"] = unit
    return df


STATE = {"ccode": [2, 20], "year": [2000, 2000]}
DYAD = {"ccode1": [2, 20], "ccode2": [20, 2], "year": [2000, 2000]}


def test_check_panel_not_a_frame_message_names_the_step_and_the_type():
    """A list or None instead of a panel: the message names the step (default ``'this step'``) and the type
    given, written out. Catches the default step misspelt, the message dropped and the type of another
    object named."""
    with pytest.raises(PanelTypeError) as err:
        check_panel([1, 2], "state_year")
    assert str(err.value) == "this step needs a pandas DataFrame panel, got list"
    with pytest.raises(PanelTypeError) as err:
        check_panel({"ccode": [2]}, step="add_igos()")
    assert str(err.value) == "add_igos() needs a pandas DataFrame panel, got dict"


def test_check_panel_wrong_unit_messages_say_which_panel_to_start_with():
    """Each wrong-unit message in full: the allowed unit(s) joined by ' or ', the unit found, and the
    function to start with (``create_dyadyears()`` whenever a dyad-year panel is allowed, else
    ``create_stateyears()``). Catches a dyad-year panel let through a state-year-only step (the allowed
    units widened), the start function forced either way, inverted or misspelt, and the join misspelt."""
    with pytest.raises(PanelTypeError) as err:
        check_panel(_panel("dyad_year", **DYAD), "state_year", step="add_x()")
    assert str(err.value) == ("add_x() needs a state_year panel, got attrs['unit']='dyad_year'; "
                              "start with create_stateyears()")
    with pytest.raises(PanelTypeError) as err:
        check_panel(_panel("state_year", **STATE), "dyad_year", step="add_y()")
    assert str(err.value) == ("add_y() needs a dyad_year panel, got attrs['unit']='state_year'; "
                              "start with create_dyadyears()")
    with pytest.raises(PanelTypeError) as err:
        check_panel(_panel(None, **STATE))
    assert str(err.value) == ("this step needs a state_year or dyad_year panel, got attrs['unit']=None; "
                              "start with create_dyadyears()")


def test_check_panel_takes_a_list_of_units_and_names_an_unknown_one():
    """Allowed units as a list (or another iterable) are each accepted; an unknown unit is an
    UnknownOptionError naming the option 'panel unit' and the allowed values. Catches a list wrapped as
    one unit (then refused as unknown) or dropped, and the option's name lost or misspelt."""
    assert check_panel(_panel("dyad_year", **DYAD), ["state_year", "dyad_year"]) == "dyad_year"
    assert check_panel(_panel("state_year", **STATE), ("dyad_year", "state_year")) == "state_year"
    assert check_panel(_panel("state_year", **STATE), iter(["state_year"])) == "state_year"
    with pytest.raises(UnknownOptionError) as err:
        check_panel(_panel("state_year", **STATE), "country_year")
    assert str(err.value) == "unknown panel unit 'country_year'; allowed: 'state_year', 'dyad_year'"


def test_check_panel_missing_key_columns_are_listed():
    """A dyad-year panel without ``ccode2`` (and one without both codes): the message lists the missing
    columns, joined by ', '. Catches the check dropped (a KeyError later instead), the message lost and
    the join misspelt."""
    with pytest.raises(PanelTypeError) as err:
        check_panel(_panel("dyad_year", ccode1=[2], year=[2000]), "dyad_year", step="add_z()")
    assert str(err.value) == "add_z(): dyad_year panel lacks key column(s) ccode2; start with create_dyadyears()"
    with pytest.raises(PanelTypeError) as err:
        check_panel(_panel("dyad_year", year=[2000]), step="add_z()")
    assert str(err.value) == ("add_z(): dyad_year panel lacks key column(s) ccode1, ccode2; "
                              "start with create_dyadyears()")


def test_check_panel_key_column_messages_name_the_step_value_and_position():
    """Bad key values, with the message written out: a name in an object column (the first bad row and the
    count of bad rows), a missing value in a nullable Int64 column (``<NA>``, which must not pass as an
    integer column), and in a nullable boolean column. Catches the step dropped from the message, an
    Int64 column with ``<NA>`` let through as whole numbers, and the numbers not converted to float64 (a
    TypeError from numpy instead of the panel error)."""
    years = pd.Series([2000, "x", None, 2001.5], dtype=object)
    with pytest.raises(PanelTypeError) as err:
        check_panel(_panel("state_year", ccode=[2, 2, 2, 2], year=years), step="add_w()")
    assert str(err.value) == ("add_w(): key column 'year' holds 'x' at position 1 (3 such row(s)); it needs whole "
                              "numbers (COW ccodes and years), with no missing values")
    codes = pd.Series([2, None, 20], dtype="Int64")
    with pytest.raises(PanelTypeError) as err:
        check_panel(_panel("state_year", ccode=codes, year=[2000, 2000, 2000]))
    assert str(err.value) == ("this step: key column 'ccode' holds <NA> at position 1 (1 such row(s)); it needs "
                              "whole numbers (COW ccodes and years), with no missing values")
    with pytest.raises(PanelTypeError) as err:
        _check_key_column(pd.Series([True, None], dtype="boolean"), "ccode1", "add_v()")
    assert str(err.value) == ("add_v(): key column 'ccode1' holds <NA> at position 1 (1 such row(s)); it needs "
                              "whole numbers (COW ccodes and years), with no missing values")
    _check_key_column(pd.Series([2, 20], dtype="Int64"), "ccode", "add_v()")  # no missing value: fine


def test_check_key_column_integer_column_without_a_float_copy():
    """The comment's fast path: an int64 key column of a million rows is checked without converting it to
    float (peak below 2 bytes a row: only the missing-value test's booleans), measured with tracemalloc.
    Catches the integer test dropped or inverted (the 8-byte float copy for every panel)."""
    values = pd.Series(np.arange(1_000_000, dtype="int64"))
    tracemalloc.start()
    try:
        _check_key_column(values, "year", "x")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * len(values), peak


# ------------------------------------------------------------------ new_attrs, stamp


def test_new_attrs_adds_the_bookkeeping_keys_without_overriding():
    """An empty attrs gets exactly the four bookkeeping entries, ``is_seed`` the bool False; a panel already
    marked seed keeps True, and the copy is deep (the panel's dictionaries untouched). Catches
    ``is_seed`` misspelt, None, True or missing."""
    got = new_attrs(pd.DataFrame({"x": [1]}))
    assert got == {"sources": {}, "columns": {}, "mry": {}, "is_seed": False}
    assert got["is_seed"] is False
    panel = pd.DataFrame({"x": [1]})
    panel.attrs.update(unit="state_year", is_seed=True, sources={"atop": "5.1"})
    got = new_attrs(panel)
    assert got == {"unit": "state_year", "is_seed": True, "sources": {"atop": "5.1"}, "columns": {}, "mry": {}}
    got["sources"]["x"] = "1"
    assert panel.attrs["sources"] == {"atop": "5.1"}


def test_stamp_records_source_columns_and_flags_exactly():
    """The attrs after stamps, written out in full: the version under ``sources``; per column the source and
    the coverage as a list, a note and gaps only when given; ``mry`` True only with ``mry=True``;
    ``is_seed`` left alone by default. Catches the defaults of ``is_seed``/``mry`` flipped, the version or
    the mry flag replaced, the keys misspelt, and the note or empty gaps recorded always or never."""
    attrs = {"sources": {}, "columns": {}, "mry": {}, "is_seed": False}
    stamp(attrs, "atop", "5.1", ["a", "b"], coverage=(1815, 2018))
    assert attrs == {"sources": {"atop": "5.1"}, "mry": {}, "is_seed": False,
                     "columns": {"a": {"source": "atop", "coverage": [1815, 2018]},
                                 "b": {"source": "atop", "coverage": [1815, 2018]}}}
    stamp(attrs, "un_votes", "2024", ["c"], coverage=(1946, 2023), mry=True, note="ideal points",
          gaps=np.array([1964], dtype="int16"), is_seed=True)
    assert attrs["sources"] == {"atop": "5.1", "un_votes": "2024"}
    assert attrs["columns"]["c"] == {"source": "un_votes", "coverage": [1946, 2023], "note": "ideal points",
                                     "gaps": [1964]}
    assert type(attrs["columns"]["c"]["gaps"][0]) is int
    assert attrs["mry"] == {"c": True} and attrs["mry"]["c"] is True
    assert attrs["is_seed"] is True


# ------------------------------------------------------------------ _grid_mask


SYSTEM_PAIRS = [(0, 1990), (2, 1990), (2, 1991), (365, 1991)]
RECORDED_PAIRS = [(2, 1990), (2, 1991)]


def _allows(pairs, universe, c, y) -> bool:
    """StateYears.allows by a loop: the pair is in the set, or the code is neither in it nor in the universe."""
    return (c, y) in pairs or c not in {p[0] for p in pairs} | set(universe)


def _systems():
    system = StateYears([c for c, _ in SYSTEM_PAIRS], [y for _, y in SYSTEM_PAIRS])
    recorded = StateYears([c for c, _ in RECORDED_PAIRS], [y for _, y in RECORDED_PAIRS], universe=[700])
    return system, recorded


def test_grid_mask_against_a_loop_with_a_recorded_set():
    """The fast path's answer, row by row, against a loop over the pairs of both sets (system and recorded
    states, both codes of a row); ``look`` equal to the years (the same array, an equal copy, or None).
    Catches the system's verdict overwritten by the recorded set's (365 in 1990: not a member, but not
    judged by the recorded set), and an equal ``look`` or None refused."""
    system, recorded = _systems()
    c1 = np.array([2, 2, 365, 365, 0, 999, 700, 2, 2, 2])
    c2 = np.array([365, 0, 2, 365, 2, 2, 2, 999, 2, 365])
    years = np.array([1991, 1990, 1991, 1990, 1990, 1991, 1990, 1989, 1991, 1990])
    want = [all(_allows(p, u, c, y) for p, u in ((SYSTEM_PAIRS, ()), (RECORDED_PAIRS, [700])) for c in (a, b))
            for a, b, y in zip(c1, c2, years, strict=True)]
    assert want == [True, True, True, False, True, True, False, False, True, False]  # the cases, by hand
    for look in (None, years, years.copy()):
        got = _grid_mask(system, recorded, c1, c2, years, look)
        assert got is not None and got.tolist() == want
    alone = [_allows(SYSTEM_PAIRS, (), a, y) and _allows(SYSTEM_PAIRS, (), b, y)
             for a, b, y in zip(c1, c2, years, strict=True)]
    assert _grid_mask(system, None, c1, c2, years, None).tolist() == alone
    assert _grid_mask(system, None, c1, c1, years, None).tolist() == [_allows(SYSTEM_PAIRS, (), a, y)
                                                                      for a, y in zip(c1, years, strict=True)]


def test_grid_mask_applies_exactly_to_its_documented_case():
    """The docstring's domain: integer (signed or unsigned) codes 0..999 read at the panel's own years, a
    year span up to 5000; ``None`` (the caller's general path) for a code below 0 or above 999, more than
    5000 years, float codes or years, no rows, or ``look`` differing from the years. Against the loop
    where it applies. Catches each bound off by one or joined with ``and``, the dtype tests inverted,
    misspelt or joined with ``and``, and the no-rows test inverted."""
    system, _ = _systems()

    def loop(c1, c2, years):
        return [_allows(SYSTEM_PAIRS, (), a, y) and _allows(SYSTEM_PAIRS, (), b, y)
                for a, b, y in zip(c1, c2, years, strict=True)]

    years = np.array([1990, 1991, 1991])
    cases = [  # (c1, c2, years): all inside the domain
        (np.array([0, 2, 365]), np.array([2, 0, 2]), years),
        (np.array([999, 2, 0]), np.array([2, 999, 2]), years),
        (np.array([2, 365, 2], dtype="uint16"), np.array([365, 2, 2], dtype="uint16"), years.astype("uint16")),
        (np.array([2, 2, 0]), np.array([0, 2, 2]), np.array([1990, 1991, 1990 + 4999])),  # 5000 years
    ]
    for c1, c2, y in cases:
        got = _grid_mask(system, None, c1, c2, y, None)
        assert got is not None and got.tolist() == loop(c1, c2, y), (c1, c2, y)
    ints = np.array([2, 365, 0])
    outside = [
        (np.array([-1, 2, 2]), ints, years, None),
        (ints, np.array([2, 1000, 2]), years, None),
        (np.array([2, 2, 0]), np.array([0, 2, 2]), np.array([1990, 1991, 1990 + 5000]), None),  # 5001 years
        (ints.astype("float64"), ints, years, None),
        (ints, ints.astype("float64"), years, None),
        (ints, ints, years.astype("float64"), None),
        (ints, ints + 0, years, years - 1),
        (ints[:0], ints[:0], years[:0], None),
    ]
    for c1, c2, y, look in outside:
        assert _grid_mask(system, None, c1, c2, y, look) is None, (c1, c2, y, look)


def test_grid_mask_memory_is_two_int32_cell_arrays():
    """The comment's memory rule: the cell numbers are int32 (two arrays of 4 bytes a row, built in place),
    plus two boolean arrays and the small table; for a million int64 dyad rows the peak stays under 10
    bytes a row (15% slack) plus 64 bytes a table cell. Measured with tracemalloc. Catches the year
    offsets kept in int64."""
    system, recorded = _systems()
    n = 1_000_000
    rng = np.random.default_rng(5)
    c1, c2 = rng.integers(0, 999, n), rng.integers(0, 999, n)
    years = rng.integers(1988, 1994, n)
    cells = 1000 * 6
    tracemalloc.start()
    try:
        got = _grid_mask(system, recorded, c1, c2, years, None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got is not None and got.dtype == bool and len(got) == n
    assert peak <= 1.15 * 10 * n + 64 * cells, peak


# ------------------------------------------------------------------ member_mask


def test_member_mask_reads_the_named_data_directory_or_the_seed(toy_dir):
    """``data_dir`` names the COW list to use: the toy list there rejects Russia in 1999 and 2030 and does not
    judge West Germany; the shipped COW list (``seed=True``, also when a data directory is given) keeps
    Russia and rejects West Germany in 1991. Against the rows' expected values (a loop over the toy
    spells; the real list's facts by hand), for dyads and for state-years (the same codes twice).
    Catches the data directory or ``seed`` not passed on, and ``seed`` defaulting to True."""
    c1, c2, y = _columns(ROWS)
    assert member_mask(c1, c2, y, data_dir=toy_dir).tolist() == TOY_KEEP
    assert member_mask(c1, c2, y, data_dir=toy_dir, seed=True).tolist() == COW_KEEP
    assert member_mask(c1, c2, y, seed=True).tolist() == COW_KEEP
    assert member_mask(c1, c1, y, data_dir=toy_dir).tolist() == [toy_member(a, b) for a, b in zip(c1, y, strict=True)]


def test_member_mask_general_path_against_the_loop(toy_dir):
    """Float years (as from a column with a missing year) skip the grid: the general path, against the
    loop over the toy spells, for dyads whose first, second or both codes are not members. Catches the
    second code's test skipped, or replacing or widening (``|``) the first code's."""
    c1, c2, y = _columns(ROWS, float_years=True)
    assert member_mask(c1, c2, y, data_dir=toy_dir).tolist() == TOY_KEEP
    assert member_mask(c1, c1, y, data_dir=toy_dir).tolist() == [toy_member(a, int(b)) for a, b in zip(c1, y, strict=True)]


REC = [(2, 1995), (2, 1996), (20, 1995)]
REC_ROWS = [(2, 20, 1995), (2, 20, 1996), (20, 2, 1996), (365, 2, 1999), (365, 365, 2000), (2, 365, 1995),
            (700, 2, 1995), (2, 700, 1995), (999, 20, 1995)]


def _recorded():
    return StateYears([c for c, _ in REC], [y for _, y in REC], universe=[700])


def test_member_mask_with_a_recorded_set_against_the_loop(toy_dir):
    """With the states a source records (2 in 1995-96, 20 in 1995; 700 judged but never recorded): a row
    needs both codes to be system members in its year and recorded in the year read (``look``, default
    the year). Against the loop over the toy spells and the recorded pairs, on the general path (float
    years; ``look`` differing from the years) and the grid. Catches the recorded set ignored, the look
    years used when there are none, the system's verdict replaced or widened by the recorded one, and
    either code's recorded test skipped, replaced or widened."""
    rec = _recorded()

    def want(rows, look):
        return [toy_member(a, y) and toy_member(b, y) and _allows(REC, [700], a, at) and _allows(REC, [700], b, at)
                for (a, b, y), at in zip(rows, look, strict=True)]

    c1, c2, y = _columns(REC_ROWS, float_years=True)
    expected = want(REC_ROWS, [r[2] for r in REC_ROWS])
    assert expected == [True, False, False, False, True, False, False, False, True]  # the cases, by hand
    assert member_mask(c1, c2, y, data_dir=toy_dir, recorded=rec).tolist() == expected
    c1, c2, y = _columns(REC_ROWS)
    assert member_mask(c1, c2, y, data_dir=toy_dir, recorded=rec).tolist() == expected
    look = np.array([1995, 1995, 1995, 1995, 2000, 1995, 1995, 1995, 1996])
    assert member_mask(c1, c2, y, data_dir=toy_dir, recorded=rec, look=look).tolist() == want(REC_ROWS, look)
    assert want(REC_ROWS, look) == [True, True, True, False, True, False, False, False, False]


def test_member_mask_takes_the_grid_for_int_dyads():
    """For int codes 0..999 read at the panel's years, ``member_mask`` answers through the grid: for a million
    dyad rows the peak stays under 10 bytes a row (two int32 cell arrays and two boolean arrays, 15% slack)
    plus 64 bytes a table cell and 1 MiB for the COW list, where four full-length lookups take about 25.
    Measured with tracemalloc. Catches the grid skipped (its result dropped, or a code array not passed)."""
    n = 1_000_000
    rng = np.random.default_rng(11)
    c1, c2 = rng.integers(2, 999, n), rng.integers(2, 999, n)
    years = rng.integers(1990, 2000, n)
    member_mask(c1[:2], c2[:2], years[:2], seed=True)  # warm up: imports and caches outside the measurement
    tracemalloc.start()
    try:
        got = member_mask(c1, c2, years, seed=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got.dtype == bool and len(got) == n
    assert peak <= 1.15 * 10 * n + 64 * 1000 * 10 + (1 << 20), peak


# ------------------------------------------------------------------ finish


def _state_panel(rows, *, unit: str | None = "state_year", index=None) -> pd.DataFrame:
    panel = pd.DataFrame({"ccode": np.array([r[0] for r in rows], dtype="int16"),
                          "year": np.array([r[1] for r in rows], dtype="int16")}, index=index)
    if unit is not None:
        panel.attrs["unit"] = unit
    return panel


# (ccode, year): toy list keeps rows 0, 2, 4; the real COW list rows 0, 1, 2, 4
STATE_ROWS = [(2, 1990), (365, 1999), (365, 2000), (20, 1919), (20, 1990)]
INDEX = [10, 20, 30, 40, 50]


def test_finish_blanks_non_members_of_the_named_list_on_the_panel_index(toy_dir):
    """Float, text and nullable-int columns on a panel indexed 10..50 with a named column axis: NaN/``<NA>``
    where the toy list in ``data_dir`` rejects the row (Russia 1999, Canada 1919), or where the shipped
    COW list does (``seed=True``: Canada 1919 only); the values kept elsewhere, on the panel's index, the
    axis name kept, ``existence`` stamped. Catches ``data_dir``/``seed`` not passed on or ``seed``
    defaulting to True, a text column's mask built on a 0..n-1 index (then all missing after
    alignment), the new columns not put on the panel's index, and the column axis' name lost."""
    panel = _state_panel(STATE_ROWS, index=INDEX)
    panel.columns.name = "field"
    v = np.array([1.5, 2.5, 3.5, 4.5, 5.5])
    s = np.array(["a", "b", "c", "d", "e"], dtype=object)
    n = pd.arrays.IntegerArray(np.array([1, 2, 3, 4, 5]), np.zeros(5, dtype=bool))
    for kwargs, keep in (({"data_dir": toy_dir}, [toy_member(c, y) for c, y in STATE_ROWS]),
                         ({"data_dir": toy_dir, "seed": True}, [True, True, True, False, True])):
        out = finish(panel, {"v": v, "s": s, "n": n}, {"unit": "state_year"}, **kwargs)
        assert out.index.tolist() == INDEX and out.columns.tolist() == ["ccode", "year", "v", "s", "n"]
        assert out.columns.name == "field"
        assert out.attrs == {"unit": "state_year", "existence": EXISTENCE_RULE}
        np.testing.assert_array_equal(out["v"].to_numpy(), np.where(keep, v, np.nan))
        assert [x for x, k in zip(out["s"], keep, strict=True) if k] == [x for x, k in zip(s, keep, strict=True) if k]
        assert out["s"].isna().tolist() == [not k for k in keep]
        assert out["n"].dtype == "Int64" and out["n"].isna().tolist() == [not k for k in keep]
    assert toy_member(365, 1999) is False and toy_member(20, 1919) is False  # the toy list, as documented


def test_finish_keeps_integer_columns_when_every_row_exists():
    """When every row is a member, an int64 column stays int64 (the existence rule has nothing to blank); with
    one row rejected it becomes float64 with NaN there. Catches the rule applied to every column even
    when nothing is dropped (ints always turned into floats)."""
    panel = _state_panel([(2, 1990), (20, 1990)])
    out = finish(panel, {"k": np.array([7, 8], dtype="int64")}, {"unit": "state_year"}, seed=True)
    assert out["k"].dtype == np.int64 and out["k"].tolist() == [7, 8]
    panel = _state_panel([(2, 1990), (20, 1919)])
    out = finish(panel, {"k": np.array([7, 8], dtype="int64")}, {"unit": "state_year"}, seed=True)
    assert out["k"].dtype == np.float64 and out["k"].tolist()[0] == 7.0 and np.isnan(out["k"].iloc[1])


def test_finish_unit_from_attrs_else_from_the_panel():
    """The unit comes from the new ``attrs``, else from the panel's: a state-year panel whose attrs carry no
    unit, and one whose panel carries none but the new attrs do, both read ``ccode`` (no ``ccode1``
    column exists). Catches the key or the fallback misspelt or dropped (a KeyError for ``ccode1``)."""
    rows = [(2, 1990), (20, 1919)]
    want = [1.0, np.nan]
    out = finish(_state_panel(rows), {"v": np.array([1.0, 2.0])}, {}, seed=True)
    np.testing.assert_array_equal(out["v"].to_numpy(), want)
    out = finish(_state_panel(rows, unit=None), {"v": np.array([1.0, 2.0])}, {"unit": "state_year"}, seed=True)
    np.testing.assert_array_equal(out["v"].to_numpy(), want)


def _shares(out: pd.DataFrame, col: str, arr) -> bool:
    got = out[col].array
    got = got._data if isinstance(got, pd.arrays.IntegerArray) else np.asarray(got)
    return np.shares_memory(got, arr._data if isinstance(arr, pd.arrays.IntegerArray) else arr)


def test_finish_copies_once_unless_owned():
    """The docstring's copy rule, by ``np.shares_memory``: by default a new column is a copy (the caller's
    array untouched, also where rows are blanked); with ``owned=True`` the result takes the float64 and
    nullable arrays themselves and writes NaN/``<NA>`` into them in place; the panel's own columns are
    never copied. Catches the owned flag ignored, the blanking done on a copy or copied again, a copy
    of owned arrays (in the Series, in the frame, or by column assignment), no copy of a caller's
    array, and a deep copy of the panel."""
    for rows, keep in (([(2, 1990), (20, 1990)], [True, True]), ([(2, 1990), (20, 1919)], [True, False])):
        panel = _state_panel(rows)
        v = np.array([1.0, 2.0])
        out = finish(panel, {"v": v}, {"unit": "state_year"}, seed=True)
        assert not _shares(out, "v", v) and v.tolist() == [1.0, 2.0]
        assert _shares(out, "ccode", panel["ccode"].to_numpy()) and _shares(out, "year", panel["year"].to_numpy())
        n = pd.arrays.IntegerArray(np.array([3, 4]), np.zeros(2, dtype=bool))
        out = finish(panel, {"v": v, "n": n}, {"unit": "state_year"}, seed=True, owned=True)
        assert _shares(out, "v", v) and _shares(out, "n", n)
        np.testing.assert_array_equal(v, np.where(keep, [1.0, 2.0], np.nan))
        assert n.isna().tolist() == [not k for k in keep]
        assert _shares(out, "ccode", panel["ccode"].to_numpy())


def test_finish_copies_other_arrays_the_caller_passes():
    """A nullable float array (``Float64``, not one of the arrays ``owned`` hands over) and a datetime array,
    every row a member: the result holds copies, so writing into the caller's arrays afterwards leaves
    it unchanged. Catches such an array put into the frame as it is (shared with the caller)."""
    panel = _state_panel([(2, 1990), (20, 1990)])
    f = pd.array([1.5, None], dtype="Float64")
    d = pd.array(pd.to_datetime(["2000-01-01", "2001-06-30"]))
    out = finish(panel, {"f": f, "d": d}, {"unit": "state_year"}, seed=True)
    f[0] = 9.0
    d[1] = pd.Timestamp("1999-01-01")
    assert out["f"].tolist()[0] == 1.5 and out["f"].isna().tolist() == [False, True]
    assert out["d"].tolist() == [pd.Timestamp("2000-01-01"), pd.Timestamp("2001-06-30")]


def test_finish_takes_a_series_as_column_assignment_does():
    """A Series on the panel's index is taken as is (no copy); one on a reordered index with an extra label
    is aligned by label, as ``df[name] = series`` does: the panel's rows only, in the panel's order.
    Written out by hand; every row is a member. Catches the frame built without the panel's index (the
    Series' labels added as rows) and a Series rebuilt (copied) instead of taken."""
    panel = _state_panel([(2, 1990), (20, 1990), (365, 1990)], index=[10, 20, 30])
    same = pd.Series([1.0, 2.0, 3.0], index=[10, 20, 30])
    out = finish(panel, {"v": same}, {"unit": "state_year"}, seed=True)
    assert out["v"].tolist() == [1.0, 2.0, 3.0] and _shares(out, "v", same.to_numpy())
    moved = pd.Series([5.0, 6.0, 7.0, 8.0], index=[30, 99, 10, 20])
    out = finish(panel, {"v": moved}, {"unit": "state_year"}, seed=True)
    assert out.index.tolist() == [10, 20, 30] and out["v"].tolist() == [7.0, 8.0, 5.0]


def test_finish_duplicate_and_tuple_column_names_by_column_assignment():
    """A panel with two columns named ``x``, and a new column named by a tuple: the result is what column
    assignment gives, written out (the duplicates kept, the new columns appended with their values, a
    flat column axis). Catches the one-frame path taken for them (an error, or a MultiIndex), and None
    assigned instead of the values."""
    panel = _state_panel([(2, 1990), (20, 1919)])
    panel = pd.concat([panel, pd.DataFrame([[1, 2], [3, 4]], columns=["x", "x"])], axis=1)
    panel.attrs["unit"] = "state_year"
    out = finish(panel, {"v": np.array([1.0, 2.0])}, {"unit": "state_year"}, seed=True)
    assert out.columns.tolist() == ["ccode", "year", "x", "x", "v"]
    assert out.iloc[:, 2].tolist() == [1, 3] and out.iloc[:, 3].tolist() == [2, 4]
    assert out["v"].tolist()[0] == 1.0 and np.isnan(out["v"].iloc[1])
    out = finish(_state_panel([(2, 1990), (20, 1990)]), {("t", 1): np.array([1.0, 2.0])}, {"unit": "state_year"},
                 seed=True)
    assert not isinstance(out.columns, pd.MultiIndex)
    assert out.columns.tolist() == ["ccode", "year", ("t", 1)]
    assert out[("t", 1)].tolist() == [1.0, 2.0]


def test_finish_releases_memory_from_release_rows_on(monkeypatch):
    """With ``release_memory`` replaced by a recorder: a panel of exactly ``RELEASE_ROWS`` rows releases once,
    one row fewer does not. Catches the threshold off by one (``>``)."""
    calls: list[int] = []
    monkeypatch.setattr(common, "release_memory", lambda *a: calls.append(1))
    big = pd.DataFrame({"ccode": np.full(RELEASE_ROWS, 2, dtype="int16"), "year": np.full(RELEASE_ROWS, 1990,
                                                                                          dtype="int16")})
    big.attrs["unit"] = "state_year"
    finish(big.iloc[:-1], {}, {"unit": "state_year"})
    assert calls == []
    finish(big, {}, {"unit": "state_year"})
    assert calls == [1]


# ------------------------------------------------------------------ resolve_source


def _frame(tag: str) -> pd.DataFrame:
    return pd.DataFrame({"from": [tag]})


def test_resolve_source_unknown_choice_names_the_option():
    """``source`` outside auto/full/seed: an UnknownOptionError whose message names the option 'source' and
    the allowed values, written out. Catches the option's name dropped or misspelt."""
    with pytest.raises(UnknownOptionError) as err:
        resolve_source("cow_states", None, "ful", lambda: _frame("seed"), what="state system")
    assert str(err.value) == "unknown source 'ful'; allowed: 'auto', 'full', 'seed'"


def test_resolve_source_auto_with_a_named_directory_lacking_the_source(monkeypatch, tmp_path):
    """``source="auto"`` with a data directory the user named that lacks the source: a MissingDataError whose
    message starts with the caller's name (``what``). Catches ``what`` not passed on."""
    monkeypatch.delenv("COALITIONLAB_DATA", raising=False)
    with pytest.raises(MissingDataError) as err:
        resolve_source("cow_states", tmp_path, "auto", lambda: _frame("seed"), what="state system")
    assert str(err.value).startswith(f"state system: data directory {str(tmp_path)!r} ")


def test_resolve_source_auto_without_a_directory_warns_at_the_callers_caller(monkeypatch, tmp_path):
    """``source="auto"`` with no data location given and none at the default place: the seed, with a
    SeedDataWarning whose text is written out (the step, the source, the fix, the missing folder), and
    which points at the caller of the step that called ``resolve_source``: the frame two above
    ``resolve_source``'s own (its ``stacklevel=3``), found by walking the stack from the seed loader.
    Catches the custom message dropped or altered, and the stack level off by one either way."""
    monkeypatch.delenv("COALITIONLAB_DATA", raising=False)
    nowhere = tmp_path / "nowhere"
    monkeypatch.setattr(paths, "_default_data_dir", lambda: nowhere)
    where: list[tuple[str, int]] = []

    def seed_loader():
        caller = sys._getframe(1).f_back.f_back  # resolve_source's frame, then two up
        where.append((caller.f_code.co_filename, caller.f_lineno))
        return _frame("seed")

    def step():
        return resolve_source("cow_states", None, "auto", seed_loader, what="add_states()")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame, is_seed = step()
    assert is_seed is True and frame["from"].tolist() == ["seed"]
    seeds = [w for w in caught if issubclass(w.category, SeedDataWarning)]
    assert len(seeds) == 1
    assert str(seeds[0].message) == (
        "add_states(): source 'cow_states' not found in the data directory; using the embedded seed data (a small "
        f"subset; pass data_dir= or set $COALITIONLAB_DATA for the full sources) [missing in {nowhere}: cow_states]")
    assert (seeds[0].filename, seeds[0].lineno) == where[0]
