"""Joint IGO membership counts: cases that mutation testing showed the other tests let through
(see docs/development/mutation.md).

Covers ``igo_cubes``, ``_memberships``, ``_pair_counts`` (and through it ``_year_counts``),
``_factorize_names``, ``_field_bits`` and ``_bit_chunks`` of ``coalitionlab.measures.igos`` on tiny
made-up membership tables (status 0/1/2/3 and missing codes, unknown ccodes, years outside the range,
duplicated rows, IGOs missing from the IGO list, security flagged by name and by ``is_security``).
The oracles never go through the code under test: every joint count is recomputed by a plain Python
loop over years, pairs of states and IGOs; bit widths and chunk offsets are worked out by hand and
written out; the arrays ``_memberships`` and ``_factorize_names`` return are written out by hand.
"""

from __future__ import annotations

import importlib
import itertools
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from coalitionlab.measures._common import CcodeIndex

igos = importlib.import_module("coalitionlab.measures.igos")

CODES = [2, 20, 200, 365]  # index positions 0, 1, 2, 3 (365 has no membership at all)
NAMES = ["ALPHA", "BETA", "GAMMA", "NATO", "ZETA", "osce"]
# made-up IGO list: no ``economic`` column (-> None); ALPHA security by ``is_security``,
# NATO and osce (any case) by name; ZETA is not in the list at all (every flag 0)
IGO_LIST = pd.DataFrame({
    "ioname": ["ALPHA", "BETA", "GAMMA", "NATO", "osce", "BETA"],
    "political": [1, 0, 1, 1, np.nan, 1],
    "social": [0, 1, 1, 0, 1, 0],
    "is_security": [1, 0, 0, 0, 0, 0],
})
POLITICAL = {"ALPHA", "GAMMA", "NATO"}   # BETA's duplicate row is dropped (first kept), osce NaN -> 0
SOCIAL = {"BETA", "GAMMA", "osce"}
SECURITY = {"ALPHA", "NATO", "osce"}

# (ccode, year, ioname, status)
ROWS = [
    (2, 1999, "ALPHA", 1),      # before the range
    (2, 2000, "ALPHA", 1), (2, 2000, "BETA", 2), (2, 2000, "NATO", 1), (2, 2000, "ZETA", 0),
    (2, 2000, "GAMMA", 3), (2, 2000, "osce", np.nan), (2, 2000, "osce", -9),
    (20, 2000, "ALPHA", 2), (20, 2000, "BETA", 1), (20, 2000, "NATO", 1), (20, 2000, "ZETA", 1),
    (200, 2000, "ALPHA", 1), (200, 2000, "GAMMA", 2), (200, 2000, "osce", 1),
    (999, 2000, "ALPHA", 1), (999, 2000, "BETA", 1),   # unknown state
    # 2001: no membership at all
    (2, 2002, "ALPHA", 1), (2, 2002, "ALPHA", 1),       # duplicated row
    (2, 2002, "osce", 2), (2, 2002, "GAMMA", 1), (2, 2002, "ZETA", 2),
    (20, 2002, "ALPHA", 2), (20, 2002, "osce", 2), (20, 2002, "GAMMA", 1), (20, 2002, "BETA", 0),
    (200, 2002, "osce", 1), (200, 2002, "NATO", 2), (200, 2002, "ZETA", 1),
    (2, 2003, "NATO", 1),       # after the range
]
Y0, Y1 = 2000, 2002


def _members(rows=ROWS, object_names=False):
    df = pd.DataFrame(rows, columns=["ccode", "year", "ioname", "status"])
    if object_names:
        df["ioname"] = df["ioname"].astype(object)
    return df


def _brute(rows, codes, y0, y1, split):
    """{measure: {(year, a, b): count}} by loops: sum over IGOs of (rows of a) x (rows of b)."""
    anyc, fullc = Counter(), Counter()
    for c, y, name, st in rows:
        if y0 <= y <= y1 and c in codes and st in (1, 2):
            anyc[(y, c, name)] += 1
            if st == 1:
                fullc[(y, c, name)] += 1
    base = anyc if split == "any" else fullc
    names = {k[2] for k in anyc}
    res = {m: {} for m in ("any", "full", "political", "social", "security", "nonsecurity")}
    for y in range(y0, y1 + 1):
        for a in codes:
            for b in codes:
                def s(cnt, keep):
                    return sum(cnt[(y, a, n)] * cnt[(y, b, n)] for n in names if keep(n))
                res["any"][(y, a, b)] = s(anyc, lambda n: True)
                res["full"][(y, a, b)] = s(fullc, lambda n: True)
                res["political"][(y, a, b)] = s(base, lambda n: n in POLITICAL)
                res["social"][(y, a, b)] = s(base, lambda n: n in SOCIAL)
                res["security"][(y, a, b)] = s(base, lambda n: n in SECURITY)
                res["nonsecurity"][(y, a, b)] = s(base, lambda n: n not in SECURITY)
    return res


# ---------------------------------------------------------------- igo_cubes

@pytest.mark.parametrize("split", ["any", "full"])
def test_igo_cubes_match_brute_force(split):
    """Catches wrong status/year/state filters, swapped any/full, wrong split weights or basis."""
    index = CcodeIndex(CODES)
    cubes, y0 = igos.igo_cubes(_members(), IGO_LIST, np.array([2002, 2000, 2001]), index,
                               split_membership=split)
    assert y0 == 2000
    assert set(cubes) == {"any", "full", "political", "social", "economic", "security", "nonsecurity"}
    assert cubes["economic"] is None
    exp = _brute(ROWS, CODES, Y0, Y1, split)
    for m in ("any", "full", "political", "social", "security", "nonsecurity"):
        cube = cubes[m]
        assert cube.shape == (3, 4, 4) and cube.dtype == np.int16, m
        for (y, a, b), v in exp[m].items():
            assert cube[y - 2000, CODES.index(a), CODES.index(b)] == v, (m, y, a, b)


def test_igo_cubes_hand_values():
    """Catches any off-by-one in the year bounds: a few cells worked out by hand."""
    index = CcodeIndex(CODES)
    cubes, y0 = igos.igo_cubes(_members(), IGO_LIST, np.array([2000, 2001, 2002]), index)
    assert y0 == 2000
    # 2000: state 2 any = ALPHA, BETA, NATO = 3; with 20: ALPHA, BETA, NATO = 3; full 2-20: NATO = 1
    assert cubes["any"][0, 0, 0] == 3 and cubes["any"][0, 0, 1] == 3 and cubes["full"][0, 0, 1] == 1
    assert cubes["security"][0, 0, 1] == 2 and cubes["nonsecurity"][0, 0, 1] == 1
    assert (cubes["any"][1] == 0).all()  # 2001 empty
    # 2002: duplicated ALPHA row of state 2 -> 2*2 + osce + GAMMA + ZETA = 7
    assert cubes["any"][2, 0, 0] == 7
    assert cubes["any"][2, 0, 1] == 2 * 1 + 1 + 1  # ALPHA(2x1), osce, GAMMA
    assert (cubes["any"][:, 3, :] == 0).all()


def test_igo_cubes_single_year():
    """Catches a wrong y0/y1 when only one year is asked for (range of cubes)."""
    index = CcodeIndex(CODES)
    cubes, y0 = igos.igo_cubes(_members(), IGO_LIST, [2002], index, split_membership="full")
    assert y0 == 2002 and cubes["any"].shape == (1, 4, 4)
    exp = _brute(ROWS, CODES, 2002, 2002, "full")
    for m in ("any", "full", "political", "social", "security", "nonsecurity"):
        for (y, a, b), v in exp[m].items():
            assert cubes[m][0, CODES.index(a), CODES.index(b)] == v, (m, a, b)


# ---------------------------------------------------------------- _memberships / _factorize_names

@pytest.mark.parametrize("object_names", [False, True])
def test_memberships_arrays_by_hand(object_names):
    """Catches wrong filters, offsets, codes or full flags in _memberships (arrow and object names)."""
    rows = [
        (20, 2000, "B", 1), (2, 2001, "A", 2), (999, 2001, "C", 1), (2, 1999, "D", 1),
        (200, 2001, "E", 3), (20, 2002, "C", 2), (2, 2003, "F", 1), (200, 2002, "A", np.nan),
    ]
    mem = _members(rows, object_names=object_names)
    yr, row, io, full, names = igos._memberships(mem, CcodeIndex([2, 20, 200]), 2000, 2002)
    # selected rows: (20,2000,B,1) (2,2001,A,2) (999,2001,C,1) (20,2002,C,2); names A,B,C; 999 dropped
    assert list(names) == ["A", "B", "C"]
    assert yr.tolist() == [0, 1, 2] and yr.dtype == np.int64
    assert row.tolist() == [1, 0, 1]
    assert io.tolist() == [1, 0, 2] and io.dtype == np.int64
    assert full.tolist() == [True, False, False]


@pytest.mark.parametrize("kind", ["arrow", "object", "arrow_nan"])
def test_factorize_names_by_hand(kind):
    """Catches a wrong sort, wrong selection or names of unselected rows kept in _factorize_names."""
    vals = ["d", "b", "a", "d", "c", "b", "e"]
    sel = np.array([True, True, False, True, False, True, False])
    if kind == "arrow":
        s = pd.Series(vals, dtype="string[pyarrow]")
    elif kind == "object":
        s = pd.Series(vals, dtype=object)
    else:
        s = pd.Series(vals[:-1] + [None], dtype="string[pyarrow]")
    codes, names = igos._factorize_names(s, sel)
    assert list(names) == ["b", "d"]
    assert names.dtype == object
    assert np.asarray(codes).tolist() == [1, 0, 1, 0]
    if kind != "object":
        assert np.asarray(codes).dtype == np.int64


def test_factorize_names_arrow_many_chunks_order():
    """Catches codes taken from the unsorted unique list (arrow path): names sorted, codes follow."""
    s = pd.Series(["z", "y", "x", "y", "w"], dtype="string[pyarrow]")
    codes, names = igos._factorize_names(s, np.ones(5, bool))
    assert list(names) == ["w", "x", "y", "z"]
    assert np.asarray(codes).tolist() == [3, 2, 1, 2, 0]


# ---------------------------------------------------------------- _field_bits / _bit_chunks

def test_field_bits_by_hand():
    """Catches a wrong product, bit_length or floor of 1 in _field_bits."""
    assert igos._field_bits(0, 1.0) == 1
    assert igos._field_bits(1, 1.0) == 1
    assert igos._field_bits(3, 1.0) == 2
    assert igos._field_bits(4, 1.0) == 3
    assert igos._field_bits(7, 1.0) == 3
    assert igos._field_bits(8, 1.0) == 4
    assert igos._field_bits(3, 4.0) == 4      # 12
    assert igos._field_bits(2, 2.5) == 3      # int(5.0) = 5
    assert igos._field_bits(1, 1.9) == 1      # int(1.9) = 1


def test_bit_chunks_by_hand():
    """Catches wrong offsets, a wrong split test (> vs >=) or a wrong limit in _bit_chunks."""
    f20 = np.ones(20, bool)                       # 20 -> 5 bits
    f1000 = np.ones(1000, bool)                   # 1000 -> 10 bits
    fz = np.zeros(7, bool)                        # 0 -> 1 bit
    fields = [("a", f1000, True), ("b", f1000, True), ("c", f20, False), ("d", f1000, True),
              ("e", f1000, True), ("f", f1000, True), ("g", fz, True), ("h", f20, True)]
    chunks = igos._bit_chunks(fields, 1.0)
    got = [[(n, b, o) for n, _, b, o in ch] for ch in chunks]
    # a 0-10, b 10-20, c 20-25, d 25-35, e 35-45, f 45-55 > 53 -> new chunk: f 0-10, g 10-11, h 11-16
    assert got == [[("a", True, 0), ("b", True, 10), ("c", False, 20), ("d", True, 25), ("e", True, 35)],
                   [("f", True, 0), ("g", True, 10), ("h", True, 11)]]
    assert chunks[0][2][1] is f20
    # exactly 53 bits fit: 10*5 + 3 = 53
    f4 = np.ones(4, bool)   # 3 bits
    exact = [("a", f1000, True)] * 5 + [("z", f4, True)]
    assert [[o for *_, o in ch] for ch in igos._bit_chunks(exact, 1.0)] == [[0, 10, 20, 30, 40, 50]]
    # one more bit does not: 8 -> 4 bits
    over = [("a", f1000, True)] * 5 + [("z", np.ones(8, bool), True)]
    assert [[o for *_, o in ch] for ch in igos._bit_chunks(over, 1.0)] == [[0, 10, 20, 30, 40], [0]]
    # amax2 widens every field: 20 * 9 = 180 -> 8 bits; limit given explicitly
    assert [[o for *_, o in ch] for ch in igos._bit_chunks([("a", f20, True)] * 3, 9.0, limit=16)] \
        == [[0, 8], [0]]
    assert igos._bit_chunks([], 1.0) == []


def test_bit_chunks_default_limit_is_53():
    """Catches a changed default limit: 53 one-bit fields fit in one chunk, 54 do not."""
    one = np.ones(1, bool)
    assert [len(c) for c in igos._bit_chunks([("x", one, True)] * 53, 1.0)] == [53]
    assert [len(c) for c in igos._bit_chunks([("x", one, True)] * 54, 1.0)] == [53, 1]
    offs = [o for *_, o in igos._bit_chunks([("x", one, True)] * 54, 1.0)[0]]
    assert offs == list(range(53))


# ---------------------------------------------------------------- _pair_counts / _year_counts

def _all_pairs(years, codes, shuffle):
    t, i, j, keys = [], [], [], []
    for ty, y in enumerate(years):
        for a, b in itertools.product(range(len(codes)), repeat=2):
            t.append(ty)
            i.append(a)
            j.append(b)
            keys.append((y, codes[a], codes[b]))
    order = np.arange(len(t))
    if shuffle:
        order = np.random.default_rng(7).permutation(len(t))
    return (np.asarray(t, dtype="int64")[order], np.asarray(i)[order], np.asarray(j)[order],
            [keys[k] for k in order])


ALL = {"any", "full", "political", "social", "economic", "security", "nonsecurity"}


@pytest.mark.parametrize("split", ["any", "full"])
@pytest.mark.parametrize("wanted", [
    ALL, {"any"}, {"full"}, {"nonsecurity"}, {"political", "economic"}, {"social", "full"},
    {"security", "any"}, {"political", "social", "security"},
])
@pytest.mark.parametrize("shuffle", [False, True])
def test_pair_counts_match_brute_force(split, wanted, shuffle):
    """Catches any wrong field, block, offset, mask or row order in _pair_counts/_year_counts."""
    index = CcodeIndex(CODES)
    mem = igos._memberships(_members(), index, Y0, Y1)
    t, i, j, keys = _all_pairs(range(Y0, Y1 + 1), CODES, shuffle)
    out = igos._pair_counts(mem, IGO_LIST, index, Y0, Y1, t, i, j, set(wanted), split)
    exp = _brute(ROWS, CODES, Y0, Y1, split)
    want = set(wanted)
    if "nonsecurity" in want:
        want |= {split, "security"}
    assert set(out) == want
    for m in want:
        if m == "economic":
            assert out[m] is None
            continue
        assert out[m].dtype == np.int16, m
        assert out[m].tolist() == [exp[m][k] for k in keys], m


def test_pair_counts_some_years_without_rows():
    """Catches year bounds that misplace rows when the panel skips a year or a year has no members."""
    index = CcodeIndex(CODES)
    mem = igos._memberships(_members(), index, Y0, Y1)
    # only 2002 and 2001 rows, unsorted; a few pairs
    keys = [(2002, 2, 20), (2001, 2, 2), (2002, 200, 2), (2002, 365, 2), (2002, 2, 2), (2002, 20, 200)]
    t = np.array([k[0] - Y0 for k in keys], dtype="int32")
    i = np.array([CODES.index(k[1]) for k in keys])
    j = np.array([CODES.index(k[2]) for k in keys])
    out = igos._pair_counts(mem, IGO_LIST, index, Y0, Y1, t, i, j, ALL, "any")
    exp = _brute(ROWS, CODES, Y0, Y1, "any")
    for m in ("any", "full", "political", "social", "security", "nonsecurity"):
        assert out[m].tolist() == [exp[m][k] for k in keys], m
    # by hand: 2002 2-20 any: ALPHA 2x1 + osce + GAMMA = 4; full: GAMMA = 1; own count of 2 in 2002 = 7
    assert out["any"].tolist()[0] == 4 and out["full"].tolist()[0] == 1 and out["any"].tolist()[4] == 7


def test_pair_counts_empty_panel_and_no_memberships():
    """Catches crashes or non-zero counts with no panel rows / no memberships in the range."""
    index = CcodeIndex(CODES)
    mem = igos._memberships(_members(), index, 2001, 2001)
    t = np.array([0, 0]); i = np.array([0, 1]); j = np.array([1, 1])
    out = igos._pair_counts(mem, IGO_LIST, index, 2001, 2001, t, i, j, ALL, "any")
    for m in ("any", "full", "political", "social", "security", "nonsecurity"):
        assert out[m].tolist() == [0, 0], m
        assert out[m].dtype == np.int16
    mem = igos._memberships(_members(), index, Y0, Y1)
    out = igos._pair_counts(mem, IGO_LIST, index, Y0, Y1, np.array([], "int64"), np.array([], "int64"),
                            np.array([], "int64"), {"any", "full"}, "any")
    assert out["any"].tolist() == [] and out["full"].tolist() == []


BIG_IGOS = [f"I{k:02d}" for k in range(40)]
BIG_DUP = 201


def _big_rows():
    """State 2 holds BIG_DUP duplicated full rows in each of 40 IGOs (2010): every field at its widest."""
    rows = []
    for k, name in enumerate(BIG_IGOS):
        rows += [(2, 2010, name, 1)] * BIG_DUP
        rows.append((20, 2010, name, 1 if k % 3 else 2))
        if k % 2:
            rows.append((200, 2010, name, 2))
        if k % 5 == 0:
            rows.append((200, 2010, name, 1))   # 200 twice in some IGOs (any), once full
    return rows


def _big_list():
    return pd.DataFrame({
        "ioname": BIG_IGOS,
        "political": [1] * 40,
        "social": [int(k % 2 == 0) for k in range(40)],
        "economic": [int(k % 7 == 0) for k in range(40)],
        "is_security": [int(k < 13) for k in range(40)],
    })


def _big_brute(rows, codes, split):
    lst = _big_list()
    pol = set(lst.ioname[lst.political > 0]); soc = set(lst.ioname[lst.social > 0])
    eco = set(lst.ioname[lst.economic > 0]); sec = set(lst.ioname[lst.is_security > 0])
    anyc, fullc = Counter(), Counter()
    for c, y, name, st in rows:
        if st in (1, 2):
            anyc[(c, name)] += 1
        if st == 1:
            fullc[(c, name)] += 1
    base = anyc if split == "any" else fullc
    res = {}
    for a in codes:
        for b in codes:
            def s(cnt, keep):
                return sum(cnt[(a, n)] * cnt[(b, n)] for n in BIG_IGOS if keep(n))
            res[(a, b)] = {
                "any": s(anyc, lambda n: True), "full": s(fullc, lambda n: True),
                "political": s(base, lambda n: n in pol), "social": s(base, lambda n: n in soc),
                "economic": s(base, lambda n: n in eco), "security": s(base, lambda n: n in sec),
                "nonsecurity": s(base, lambda n: n not in sec),
            }
    return res


@pytest.mark.parametrize("split", ["any", "full"])
def test_pair_counts_fields_split_over_products_at_full_width(split):
    """Catches wrong chunk offsets/masks when 7 fields of 21 bits need three products, counts at the top."""
    codes = [2, 20, 200]
    rows = _big_rows()
    index = CcodeIndex(codes)
    mem = igos._memberships(_members(rows), index, 2010, 2010)
    t, i, j, keys = _all_pairs([2010], codes, shuffle=True)
    out = igos._pair_counts(mem, _big_list(), index, 2010, 2010, t, i, j, ALL, split)
    exp = _big_brute(rows, codes, split)
    for m in ALL:
        assert out[m].dtype == np.int32, m
        assert out[m].tolist() == [exp[k[1:]][m] for k in keys], m
    # by hand: own count of state 2 = 40 * 201**2 = 1,616,040 (21 bits, the field's full width)
    k22 = keys.index((2010, 2, 2))
    assert out["any"][k22] == 40 * BIG_DUP ** 2 == out["full"][k22] == out["political"][k22]
    assert out["security"][k22] == 13 * BIG_DUP ** 2


def test_pair_counts_int32_dtype_at_the_int16_edge():
    """Catches a wrong dtype choice: 181 rows of a state-year -> 181**2 = 32761 fits int16, 182 does not."""
    codes = [2, 20]
    index = CcodeIndex(codes)
    for dup, dtype in ((181, np.int16), (182, np.int32)):
        rows = [(2, 2010, "A", 1)] * dup + [(20, 2010, "A", 1)]
        mem = igos._memberships(_members(rows), index, 2010, 2010)
        out = igos._pair_counts(mem, IGO_LIST, index, 2010, 2010, np.array([0, 0]), np.array([0, 0]),
                                np.array([0, 1]), {"any", "full"}, "any")
        assert out["any"].dtype == dtype and out["full"].dtype == dtype
        assert out["any"].tolist() == [dup * dup, dup] and out["full"].tolist() == [dup * dup, dup]


def test_factorize_names_arrow_names_skip_pandas_factorize(monkeypatch):
    """Catches the pyarrow path skipped (Python string per row): pd.factorize must not run for arrow names."""
    calls = []

    def recorder(*a, **k):
        calls.append(a)
        raise AssertionError("pd.factorize called for arrow-backed names")

    s = pd.Series(["d", "b", "a", "d"], dtype="string[pyarrow]")
    monkeypatch.setattr(pd, "factorize", recorder)
    codes, names = igos._factorize_names(s, np.array([True, True, False, True]))
    assert calls == []
    assert list(names) == ["b", "d"] and np.asarray(codes).tolist() == [1, 0, 1]


@pytest.mark.parametrize("t", [[1, 0], [1, 0, 1], [0, 1, 0]])
def test_pair_counts_two_or_three_unsorted_rows(t):
    """Catches an unsorted panel of 2 or 3 rows taken as sorted (rows read from the wrong year)."""
    index = CcodeIndex(CODES)
    mem = igos._memberships(_members(), index, 2000, 2001)
    t = np.asarray(t)
    i = np.zeros(len(t), "int64")
    j = np.ones(len(t), "int64")
    out = igos._pair_counts(mem, IGO_LIST, index, 2000, 2001, t, i, j, {"any", "full"}, "any")
    # 2000, states 2 and 20: any ALPHA, BETA, NATO = 3, full NATO = 1; 2001: nothing
    assert out["any"].tolist() == [3 if y == 0 else 0 for y in t]
    assert out["full"].tolist() == [1 if y == 0 else 0 for y in t]


def test_pair_counts_dtype_counts_rows_per_state_year_not_across_years():
    """Catches state-year buckets that collide (K - 1 stride): 100 rows in two state-years stay int16."""
    index = CcodeIndex([2, 20])
    rows = [(20, 2010, "A", 1)] * 100 + [(2, 2011, "A", 1)] * 100
    mem = igos._memberships(_members(rows), index, 2010, 2011)
    out = igos._pair_counts(mem, IGO_LIST, index, 2010, 2011, np.array([0, 1, 1]), np.array([1, 0, 0]),
                            np.array([1, 0, 1]), {"any"}, "any")
    assert out["any"].dtype == np.int16
    assert out["any"].tolist() == [10000, 10000, 0]


def test_pair_counts_int64_when_int32_could_overflow():
    """Catches a broken int64 fallback: 46,341 rows of a state-year -> 46341**2 > 2**31 - 1."""
    index = CcodeIndex([2])
    dup = 46341
    mem = (np.zeros(dup, "int64"), np.zeros(dup, "int64"), np.zeros(dup, "int64"), np.ones(dup, bool),
           np.array(["A"], dtype=object))
    out = igos._pair_counts(mem, IGO_LIST, index, 2010, 2010, np.array([0]), np.array([0]), np.array([0]),
                            {"any"}, "any")
    assert out["any"].dtype == np.int64
    assert out["any"].tolist() == [2147488281]


def test_pair_counts_limits_blas_to_one_thread(monkeypatch):
    """Catches a changed threadpool limit: the products run under threadpool_limits(limits=1, 'blas')."""
    import contextlib

    calls = []

    def recorder(*args, **kwargs):
        calls.append((args, kwargs))
        return contextlib.nullcontext()

    monkeypatch.setattr(igos, "threadpool_limits", recorder)
    index = CcodeIndex(CODES)
    mem = igos._memberships(_members(), index, Y0, Y1)
    out = igos._pair_counts(mem, IGO_LIST, index, Y0, Y1, np.array([0]), np.array([0]), np.array([1]),
                            {"any"}, "any")
    assert calls == [((), {"limits": 1, "user_api": "blas"})]
    assert out["any"].tolist() == [3]


def test_pair_counts_year_after_a_year_without_panel_rows():
    """Catches the early return testing the previous year's rows: 2002 counted though 2001 has none."""
    index = CcodeIndex(CODES)
    mem = igos._memberships(_members(), index, Y0, Y1)
    keys = [(2000, 2, 20), (2002, 2, 20), (2002, 2, 2)]
    t = np.array([k[0] - Y0 for k in keys])
    i = np.array([CODES.index(k[1]) for k in keys])
    j = np.array([CODES.index(k[2]) for k in keys])
    out = igos._pair_counts(mem, IGO_LIST, index, Y0, Y1, t, i, j, {"any"}, "any")
    assert out["any"].tolist() == [3, 4, 7]   # by hand, see test_igo_cubes_hand_values


def test_year_counts_field_widths_from_the_largest_cell(monkeypatch):
    """Catches a wrong amax2 (floor or power): _bit_chunks gets 1.0 in 2000 and 2**2 in 2002 (a duplicated row)."""
    seen = []
    real = igos._bit_chunks

    def recorder(fields, amax2, *args, **kwargs):
        seen.append(amax2)
        return real(fields, amax2, *args, **kwargs)

    monkeypatch.setattr(igos, "_bit_chunks", recorder)
    index = CcodeIndex(CODES)
    mem = igos._memberships(_members(), index, Y0, Y1)
    t, i, j, _ = _all_pairs(range(Y0, Y1 + 1), CODES, shuffle=False)
    igos._pair_counts(mem, IGO_LIST, index, Y0, Y1, t, i, j, {"any", "full"}, "any")
    assert seen == [1.0, 4.0]


def test_pair_counts_nothing_computable_skips_the_years(monkeypatch):
    """Catches the year loop run with no fields: only an unflagged area wanted -> None, no _year_counts call."""
    calls = []
    monkeypatch.setattr(igos, "_year_counts", lambda *a, **k: calls.append(a))
    index = CcodeIndex(CODES)
    mem = igos._memberships(_members(), index, Y0, Y1)
    out = igos._pair_counts(mem, IGO_LIST, index, Y0, Y1, np.array([0]), np.array([0]), np.array([1]),
                            {"economic"}, "any")
    assert out == {"economic": None}
    assert calls == []


def test_pair_counts_year_bounds_without_an_int64_copy_of_t():
    """Catches year bounds searched with int64 values: searchsorted then casts all of an int16 ``t``
    to int64 (8 bytes a row; here 8 MB). Budget: the int16 output (2 MB), the sortedness check (1 MB)
    and one year's row arrays (about 1.5 MB), under 6 MB in all."""
    import tracemalloc

    n, years = 1_000_000, 20
    index = CcodeIndex(CODES)
    yr = np.repeat(np.arange(years), 2)
    mem = (yr, np.tile([0, 1], years), np.zeros(2 * years, "int64"), np.ones(2 * years, bool),
           np.array(["A"], dtype=object))
    t = np.repeat(np.arange(years, dtype="int16"), n // years)
    i = np.zeros(n, "int8")
    j = np.ones(n, "int8")
    tracemalloc.start()
    try:
        out = igos._pair_counts(mem, pd.DataFrame({"ioname": ["A"]}), index, 0, years - 1, t, i, j,
                                {"any"}, "any")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 6_000_000, peak
    assert out["any"].dtype == np.int16 and int(out["any"].sum()) == n   # states 2 and 20 share A every year
