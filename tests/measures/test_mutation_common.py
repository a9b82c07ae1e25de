"""Shared helpers of the measures stage: cases that mutation testing showed the other tests let through
(see docs/development/mutation.md).

Every helper is called directly on tiny made-up inputs. The oracles never go through the code under
test: expected values written out by hand, a Python loop over the pairs of a set or the rows of a
table (first row of a key wins), numpy/pandas semantics written out (a float array, NaN for missing,
a ``pd.Series`` on the panel's index), and for memory ``tracemalloc``'s peak against the byte size of
the arrays the docstring says are built.
"""

from __future__ import annotations

import importlib
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest

from coalitionlab.errors import DataFileError
from coalitionlab.measures._common import (
    RELEASE_ROWS,
    CcodeIndex,
    StateYears,
    _blank,
    cube_years,
    dyad_lookup,
    dyad_values,
    interval_cube,
    nullable_counts,
    pick_column,
    release_memory,
    source_version,
    state_values,
    year_of,
    years_with_rows,
)

common = importlib.import_module("coalitionlab.measures._common")


def _same(got, want) -> None:
    """Equal as float arrays, NaN where ``want`` is NaN."""
    got = np.asarray(got)
    assert got.dtype == np.float64, got.dtype
    np.testing.assert_array_equal(got, np.asarray(want, dtype="float64"))


# ------------------------------------------------------------------ year_of, years_with_rows, source_version


def test_year_of_datetime_and_numeric_columns_give_float_years():
    """The years of a datetime column (NaT -> NaN, also tz-aware), and of int, nullable, object and text
    columns (a value that is no number -> NaN), always as a float64 array. Catches a datetime column read
    as numbers (nanoseconds since 1970), int32/int64 years when no value is missing (the dtype argument
    dropped), and a text value that raises instead of becoming NaN."""
    dates = pd.Series(pd.to_datetime(["2000-05-01", None, "1999-12-31"]))
    _same(year_of(dates), [2000, np.nan, 1999])
    _same(year_of(pd.Series(pd.to_datetime(["2000-05-01", "1816-01-01"]))), [2000, 1816])  # no NaT: int32
    _same(year_of(pd.Series(pd.to_datetime(["2003-07-01", None]).tz_localize("UTC"))), [2003, np.nan])
    _same(year_of(pd.Series([1990, 2024], dtype="int64")), [1990, 2024])
    _same(year_of(pd.Series([1990, None], dtype="Int64")), [1990, np.nan])
    _same(year_of(pd.Series([1990, "n/a", None], dtype=object)), [1990, np.nan, np.nan])
    _same(year_of(pd.Series(["2001", "", "abc"])), [2001, np.nan, np.nan])


@pytest.fixture
def held_years(monkeypatch):
    """``un_ideal_points`` (registry coverage 1946-2023) as a file holding rows for 1990, 1991 and 1993 only:
    1992 is a gap. The loader is replaced, nothing is read from disk."""
    frame = pd.DataFrame({"ccode": [2, 2, 200, 2], "year": np.array([1990, 1991, 1993, 1993], dtype="int64")})
    monkeypatch.setattr(common, "load_source", lambda name, data_dir: frame)
    return "un_ideal_points"


def test_years_with_rows_true_only_for_held_years(held_years):
    """True exactly for 1990, 1991 and 1993; False for the gap (1992), before and after the rows (1989, 1994)
    and for a NaN year, and the NaN is never cast to an integer (numpy's 'invalid value' warning, made an
    error here). Catches the NaN mask dropped or inverted (all False, or a cast NaN) and the looked-up
    values thrown away."""
    years = np.array([1989, 1990, 1991, np.nan, 1992, 1993, 1994])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = years_with_rows(held_years, None, years)
    assert got.dtype == bool
    assert got.tolist() == [False, True, True, False, False, True, False]


def test_years_with_rows_takes_a_plain_list_with_none(held_years):
    """Years as a plain list (an object array once converted) with ``None`` for an unknown year: read as
    float, ``None`` as NaN (False). Catches the float conversion dropped (``isnan`` of an object array
    raises)."""
    assert years_with_rows(held_years, None, [1993, None, 1990, 1992]).tolist() == [True, False, True, False]
    assert years_with_rows(held_years, None, []).tolist() == []


def test_source_version_reads_the_version_of_the_named_source_only():
    """The loaded frame's ``attrs["version"]`` as text when ``attrs["source"]`` is the name asked for or is
    absent; ``"unknown"`` when the version is absent or the frame is another source's. Catches the
    condition forced either way or inverted, the keys or defaults misspelt, and ``None``/``"None"`` for a
    missing version."""
    def frame(**attrs):
        df = pd.DataFrame({"x": [1]})
        df.attrs.update(attrs)
        return df

    assert source_version(frame(source="atop", version="5.1"), "atop") == "5.1"
    assert source_version(frame(version=2024), "cow_states") == "2024"  # no source recorded: trusted
    assert source_version(frame(source="atop"), "atop") == "unknown"
    assert source_version(frame(), "atop") == "unknown"
    assert source_version(frame(source="cow_igo", version="3.0"), "atop") == "unknown"
    assert source_version(frame(source="atop", version="5.1", atop="other"), "atop") == "5.1"


# ------------------------------------------------------------------ _blank, nullable_counts, release_memory


def test_blank_float_array_copied_unless_in_place():
    """A float64 numpy array gets NaN at the dropped rows: on a copy by default (the input unchanged), in
    the same array with ``in_place=True``. Catches the in-place branch taken without ``in_place`` (the
    caller's array overwritten) and never taken for float64 (a copy)."""
    drop = np.array([False, True, False, True])
    values = np.array([1.5, 2.5, 3.5, 4.5])
    out = _blank(values, drop, pd.RangeIndex(4))
    assert out is not values and values.tolist() == [1.5, 2.5, 3.5, 4.5]
    _same(out, [1.5, np.nan, 3.5, np.nan])
    same = _blank(values, drop, pd.RangeIndex(4), in_place=True)
    assert same is values
    _same(values, [1.5, np.nan, 3.5, np.nan])


def test_blank_integer_and_bool_arrays_become_float_arrays():
    """An int16, uint8 or bool numpy array (also with ``in_place=True``, which applies to float64 only)
    becomes a new float64 numpy array, NaN at the dropped rows, the input unchanged. Catches NaN written
    into an integer array (an error), and numeric arrays sent down the object path (a Series)."""
    drop = np.array([True, False, False])
    for values, want in ((np.array([3, -1, 7], dtype="int16"), [np.nan, -1, 7]),
                         (np.array([200, 0, 9], dtype="uint8"), [np.nan, 0, 9]),
                         (np.array([True, False, True]), [np.nan, 0, 1])):
        before = values.copy()
        for in_place in (False, True):
            out = _blank(values, drop, pd.RangeIndex(3), in_place=in_place)
            assert isinstance(out, np.ndarray)
            _same(out, want)
            np.testing.assert_array_equal(values, before)


def test_blank_other_values_become_a_masked_series_on_the_panel_index():
    """Text or datetime values become a ``pd.Series`` on the panel's index (here 10, 20, 30), missing at the
    dropped rows and unchanged elsewhere. Catches them cast to float (an error), the mask or the values
    lost, and a default 0..n-1 index."""
    index = pd.Index([10, 20, 30])
    drop = np.array([False, True, False])
    out = _blank(np.array(["a", "b", "c"], dtype=object), drop, index)
    assert isinstance(out, pd.Series)
    assert out.index.tolist() == [10, 20, 30]
    assert out.isna().tolist() == [False, True, False] and out[10] == "a" and out[30] == "c"
    days = np.array(["2000-01-01", "2001-01-01", "2002-01-01"], dtype="datetime64[ns]")
    out = _blank(days, drop, index)
    assert out.index.tolist() == [10, 20, 30]
    assert out.isna().tolist() == [False, True, False] and out[30] == pd.Timestamp("2002-01-01")


def test_nullable_counts_takes_any_truthy_missing_flags():
    """``missing`` as 0/1 integers (not a bool array) still marks the rows ``<NA>``, the counts elsewhere
    kept. Catches the mask passed on without the bool conversion (pandas rejects a non-bool mask)."""
    a = nullable_counts(np.array([4, 0, 9], dtype="int16"), np.array([0, 1, 0], dtype="int8"))
    assert a.dtype == "Int16"
    assert a.isna().tolist() == [False, True, False]
    assert a.to_numpy("float64", na_value=np.nan)[[0, 2]].tolist() == [4.0, 9.0]
    assert nullable_counts(np.array([1, 2], dtype="int8"), [True, 0]).isna().tolist() == [True, False]


def test_release_memory_trims_from_release_rows_on(monkeypatch):
    """With glibc's ``malloc_trim`` replaced by a recorder: nothing below ``RELEASE_ROWS`` rows, one
    ``malloc_trim(0)`` at exactly ``RELEASE_ROWS`` and without ``rows``; no call and no error where there
    is no ``malloc_trim``. Catches the threshold off by one (``<=``), the trim never called or called only
    when missing, and a non-zero pad."""
    calls: list[int] = []
    monkeypatch.setattr(common, "_malloc_trim", lambda: calls.append)
    release_memory(RELEASE_ROWS - 1)
    assert calls == []
    release_memory(RELEASE_ROWS)
    assert calls == [0]
    release_memory()
    assert calls == [0, 0]
    monkeypatch.setattr(common, "_malloc_trim", lambda: None)
    release_memory()  # macOS, Windows, musl: nothing to call


# ------------------------------------------------------------------ StateYears


PAIRS = [(2, 1989), (2, 1990), (260, 1989), (5, 1991), (5, 1991), (-3, 1990)]


def test_state_years_membership_and_known_codes_by_a_loop():
    """``s(ccode, year)`` against a loop over the pairs (negative codes dropped), for codes in the set, in
    ``universe`` only, unknown, negative and beyond 999, and years before, inside and after the set; with
    ``carry_forward`` a year after 1991 reads as 1991. ``known`` is the set's codes and ``universe``.
    Catches wrong arguments passed on to the lookup (an error) and ``known`` reading the year column (it
    would say 'no' for every code)."""
    pairs = {(c, y) for c, y in PAIRS if c >= 0}
    codes = [-3, 0, 2, 5, 260, 365, 999, 1500]
    years = list(range(1986, 1995))
    qc = np.array([c for c in codes for _ in years])
    qy = np.array([y for _ in codes for y in years])
    for carry in (False, True):
        s = StateYears([c for c, _ in PAIRS], [y for _, y in PAIRS], universe=[365], carry_forward=carry)
        want = [(c, min(y, 1991) if carry else y) in pairs for c, y in zip(qc, qy, strict=True)]
        assert s(qc, qy).tolist() == want
        assert s.known(codes).tolist() == [False, False, True, True, True, True, False, False]
        assert s.known(np.array([[260, 4]])).tolist() == [[True, False]]  # any shape
        assert bool(s(2, 1990)) and not bool(s(260, 1990))  # scalars


# ------------------------------------------------------------------ dyad_lookup, interval_cube, cube_years


def test_dyad_lookup_float_years_and_codes_outside_the_index():
    """A hand-made (2 years x 2 states) cube from 2000: float years (as from a column with a missing year)
    read the same cells as int years; a code outside the index in a covered year is 0 (no tie), a year
    off the cube or NaN is NaN. Catches the years left as floats (a float index: an error) and a wrong
    fill for unknown codes inside the cube (NaN or 1)."""
    index = CcodeIndex([2, 200])
    cube = np.array([[[0, 3], [3, 0]], [[0, 5], [5, 0]]], dtype="int16")
    c1 = np.array([2, 200, 2, 999, 2, 2, 2])
    c2 = np.array([200, 2, 200, 2, 999, 200, 200])
    want = [3, 5, 5, 0, 0, np.nan, np.nan]
    with np.errstate(invalid="ignore"):  # NaN cast to int64
        got_f = dyad_lookup(cube, 2000, index, c1, c2, np.array([2000.0, 2001.0, 2001.0, 2000.0, 2001.0, 2002.0,
                                                                 np.nan]))
    _same(got_f, want)
    _same(dyad_lookup(cube, 2000, index, c1[:6], c2[:6], [2000, 2001, 2001, 2000, 2001, 1999]), want[:5] + [np.nan])


def _brute_cube(rows, codes, first, last):
    """Sum of the weights of the ties in force (``start <= year < end``, end None: in force) per year and
    unordered pair of different known codes."""
    out = {}
    for y in range(first, last + 1):
        for a in codes:
            for b in codes:
                out[y, a, b] = sum(w for c1, c2, s, e, w in rows
                                   if {c1, c2} == {a, b} and a != b and s <= y and (e is None or y < e) and
                                   (e is None or e > s))
    return out


def test_interval_cube_int64_bit_fields_beyond_float_precision():
    """``dtype="int64"`` with bit-field weights of 1 and 2**54 (two kinds of tie) for one pair: where both are
    in force the count is 2**54 + 1, which float64 cannot hold and int32 cannot either. Against the loop.
    Catches the working cube or the weights kept in float64 or int32 for an 8-byte dtype, and misspelt
    dtype names."""
    codes = [2, 200, 365]
    index = CcodeIndex(codes)
    big = 1 << 54
    rows = [(2, 200, 2000, 2004, 1), (200, 2, 2002, None, big), (2, 365, 1990, 2001, big + 4),
            (365, 365, 2000, 2003, 1)]
    cube = interval_cube(np.array([r[0] for r in rows]), np.array([r[1] for r in rows]),
                         np.array([r[2] for r in rows], dtype="float64"),
                         np.array([np.nan if r[3] is None else r[3] for r in rows]), index, 1999, 2005,
                         weight=np.array([r[4] for r in rows], dtype="int64"), dtype="int64")
    assert cube.dtype == np.int64 and cube.shape == (7, 3, 3)
    want = _brute_cube(rows, codes, 1999, 2005)
    for (y, a, b), w in want.items():
        assert int(cube[y - 1999, codes.index(a), codes.index(b)]) == w, (y, a, b)
    assert int(cube[2002 - 1999, 0, 1]) == big + 1


def test_interval_cube_unsigned_and_bool_weights():
    """Weights as a uint8 bit field (1, 2, 4 for three kinds) or as 0/1 flags in a bool array: a tie adds its
    weight while in force and nothing after its end. Catches the weights kept in their own dtype (the end's
    ``-w`` of a uint8 wraps to 256 - w; of a bool array it raises)."""
    codes = [2, 200, 365, 710]
    index = CcodeIndex(codes)
    rows = [(2, 200, 2000, 2002, 1), (2, 200, 2001, 2003, 2), (365, 2, 1998, None, 4), (710, 365, 2001, 2002, 2)]
    args = (np.array([r[0] for r in rows]), np.array([r[1] for r in rows]),
            np.array([r[2] for r in rows], dtype="float64"), np.array([np.nan if r[3] is None else r[3] for r in rows]),
            index, 1999, 2004)
    want = _brute_cube(rows, codes, 1999, 2004)
    flags = [(c1, c2, s, e, int(w == 2)) for c1, c2, s, e, w in rows]
    want_flags = _brute_cube(flags, codes, 1999, 2004)
    for dtype in ("int16", "int32"):
        cube = interval_cube(*args, weight=np.array([r[4] for r in rows], dtype="uint8"), dtype=dtype)
        flag_cube = interval_cube(*args, weight=np.array([r[4] == 2 for r in rows]), dtype=dtype)
        assert cube.dtype == dtype
        for (y, a, b), w in want.items():
            assert cube[y - 1999, codes.index(a), codes.index(b)] == w, (dtype, y, a, b)
            assert flag_cube[y - 1999, codes.index(a), codes.index(b)] == want_flags[y, a, b], (dtype, y, a, b)


def test_interval_cube_end_years_as_a_list_with_none():
    """``end`` as a plain list with ``None`` for a tie still in force: read as float, ``None`` as NaN.
    Catches the float conversion of ``end`` dropped (``isnan`` of an object array raises)."""
    index = CcodeIndex([2, 200, 365])
    cube = interval_cube([2, 200], [200, 365], [2000, 2001], [2002, None], index, 2000, 2003)
    assert cube[:, 0, 1].tolist() == [1, 1, 0, 0] and cube[:, 1, 0].tolist() == [1, 1, 0, 0]
    assert cube[:, 1, 2].tolist() == [0, 1, 1, 1] and cube[:, 2, 1].tolist() == [0, 1, 1, 1]


@pytest.mark.parametrize("dtype", ["int16", "int32"])
def test_interval_cube_memory_is_one_int32_cube(dtype):
    """The docstring's memory rule: for a 2- or 4-byte ``dtype`` the sum is kept in int32 and summed in place,
    so the peak is one int32 (years + 1) x K x K working cube, plus the result when ``dtype`` is narrower
    (int16); for int32 the result is that cube's first years, no copy. Measured with tracemalloc, 15%
    slack. Catches an int64 working cube for these dtypes and a copy of the int32 result."""
    codes = np.arange(2, 900, 3)  # K = 300
    index = CcodeIndex(codes)
    rng = np.random.default_rng(7)
    n = 500
    c1, c2 = rng.choice(codes, n), rng.choice(codes, n)
    start = rng.integers(1990, 2010, n).astype("float64")
    end = start + rng.integers(1, 6, n)
    years, k = 10, len(codes)
    work = (years + 1) * k * k * 4
    result = 0 if dtype == "int32" else years * k * k * np.dtype(dtype).itemsize
    tracemalloc.start()
    try:
        cube = interval_cube(c1, c2, start, end, index, 1995, 1995 + years - 1, dtype=dtype)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert cube.dtype == dtype and cube.shape == (years, k, k)
    assert peak <= 1.15 * (work + result), (peak, work, result)


def test_cube_years_spans_the_looked_up_years_inside_the_coverage():
    """The smallest and largest looked-up years inside ``first..last``, the bounds included; None when none
    is inside. Catches years outside the coverage counted (``|``) and the first year excluded."""
    assert cube_years(np.array([1985, 1995, 1990, 2005, 1993]), 1990, 2000) == (1990, 1995)
    assert cube_years([2000, 1980, 2000], 1990, 2000) == (2000, 2000)
    assert cube_years([1990], 1990, 2000) == (1990, 1990)
    assert cube_years([1989, 2001], 1990, 2000) is None
    assert cube_years(np.array([], dtype="int64"), 1990, 2000) is None


# ------------------------------------------------------------------ state_values, dyad_values, pick_column


STATE_TABLE = pd.DataFrame({
    "ccode": [200, 2, 365, 2],
    "year": [2000, 2001, 2001, 2000],
    "v": [3.0, 2.0, 4.0, 1.0],
    "w": pd.Series([10, "n/a", 30, None], dtype=object),  # a text value: NaN
})


def test_state_values_hits_the_first_and_last_keys_and_misses_outside():
    """Lookups by hand on a 4-row table (keys, sorted: (2000, 2), (2000, 200), (2001, 2), (2001, 365)): the
    smallest and the largest key are found, keys before the first, after the last and between are NaN,
    and a text value reads as NaN. Catches the search position clipped to 1 or to len - 2, or not clipped
    (an index error past the last key), every row taking a value, and text that raises."""
    ccode = np.array([2, 365, 2, 2, 365, 200, 2, 200])
    year = np.array([2000, 2001, 1999, 2002, 2000, 2000, 2001, 2005])
    got = state_values(STATE_TABLE, ["v", "w"], ccode, year)
    _same(got["v"], [1.0, 4.0, np.nan, np.nan, np.nan, 3.0, 2.0, np.nan])
    _same(got["w"], [np.nan, 30.0, np.nan, np.nan, np.nan, 10.0, np.nan, np.nan])


def test_state_values_one_row_and_empty_tables():
    """A one-row table answers its key and NaN before and after it; an empty table answers NaN everywhere.
    Catches the clip's upper bound forced to 1 (an index error on one row) and the empty-table branch
    broken (an index error or a non-boolean mask)."""
    one = STATE_TABLE.iloc[[0]]
    _same(state_values(one, ["v"], [2, 200, 900], [2000, 2000, 2000])["v"], [np.nan, 3.0, np.nan])
    empty = STATE_TABLE.iloc[:0]
    got = state_values(empty, ["v", "w"], np.array([2, 200]), np.array([2000, 2001]))
    _same(got["v"], [np.nan, np.nan])
    _same(got["w"], [np.nan, np.nan])


def test_state_values_first_row_of_a_repeated_key_wins():
    """A table where each of 300 state-years appears three times (shuffled, other columns differing): the
    first row of each key answers, as a loop keeping the first row per key says. Catches duplicates
    dropped on all columns instead of the key (the unstable sort then picks any of them)."""
    rng = np.random.default_rng(3)
    keys = [(c, y) for c in range(2, 102) for y in (2000, 2001, 2002)]
    rows = [(c, y, float(k)) for k in range(3) for c, y in keys]
    rows = [rows[i] for i in rng.permutation(len(rows))]
    table = pd.DataFrame(rows, columns=["ccode", "year", "v"])
    first: dict[tuple[int, int], float] = {}
    for c, y, v in rows:
        first.setdefault((c, y), v)
    got = state_values(table, ["v"], np.array([c for c, _ in keys]), np.array([y for _, y in keys]))["v"]
    _same(got, [first[k] for k in keys])


def test_dyad_values_text_values_become_nan():
    """A dyad table column holding a text value ('n/a') reads NaN there and the numbers elsewhere, with
    and without ``symmetric``. Catches the coercion of non-numbers dropped (an error)."""
    table = pd.DataFrame({"ccode1": [2, 2, 200], "ccode2": [200, 365, 365], "year": [2000, 2000, 2001],
                          "x": pd.Series([1.5, "n/a", 7], dtype=object)})
    c1, c2, yr = np.array([2, 365, 200, 200]), np.array([200, 2, 365, 2]), np.array([2000, 2000, 2001, 2000])
    _same(dyad_values(table, ["x"], c1, c2, yr, symmetric=False)["x"], [1.5, np.nan, 7.0, np.nan])
    _same(dyad_values(table, ["x"], c1, c2, yr, symmetric=True)["x"], [1.5, np.nan, 7.0, 1.5])


def test_pick_column_error_names_the_source_the_candidates_and_15_columns():
    """The first candidate the frame has, in the candidates' order; with none, a DataFileError whose message
    names the source, the candidates and the frame's first 15 columns (written out here). Catches an empty
    or broken message (a TypeError instead) and 16 columns listed."""
    df = pd.DataFrame({f"c{i:02d}": [0] for i in range(20)})
    assert pick_column(df, ["zz", "c07", "c03"], source="x") == "c07"
    first15 = ("['c00', 'c01', 'c02', 'c03', 'c04', 'c05', 'c06', 'c07', 'c08', 'c09', 'c10', 'c11', 'c12', "
               "'c13', 'c14']")
    with pytest.raises(DataFileError) as err:
        pick_column(df, ["a", "b"], source="atop")
    assert str(err.value) == f"source 'atop' has none of the columns ['a', 'b']; found {first15}"
