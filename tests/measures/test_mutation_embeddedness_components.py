"""Component values of the embeddedness measure: cases that mutation testing showed the other tests
let through (see docs/development/mutation.md).

Covers the private helpers ``_joint_alliance_orgs``, ``_dated_values``, ``_yearly_values`` and
``_sociability`` of :mod:`coalitionlab.measures.embeddedness` on tiny made-up inputs. The sources
object is a fake holding hand-written tie and membership tables. The oracles never go through the
code under test: expected values written out by hand or counted by a plain Python loop over the
rows of those tables, and recorders standing in for ``add_igos``, ``add_exercises``,
``security_flags``, ``count_own_agreements`` and the DESTA/UNCTAD tie builders that check exactly
what they were called with (the frame's columns, dtypes, ``attrs``, ``data_dir``, ``source``) and
return known values.
"""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pandas as pd
import pytest

from coalitionlab.errors import SeedDataWarning, StaleDataWarning

emb = importlib.import_module("coalitionlab.measures.embeddedness")
ties_module = importlib.import_module("coalitionlab.measures.ties")
igos_module = importlib.import_module("coalitionlab.measures.igos")
other_module = importlib.import_module("coalitionlab.measures.other")
treaties_module = importlib.import_module("coalitionlab.measures.treaties")

#: Stands in for the data directory: the collaborators must receive exactly this object.
DATA_DIR = object()
_UNSET = object()

#: The organisations written out by hand (embeddedness.ALLIANCE_IGOS / SEED_ALLIANCE_ORGS, lower case).
FULL_ALLIANCE_ORGS = {"loas", "weu", "oas", "nato", "anzus", "seato", "cento", "wpact", "osce", "eu", "csto",
                      "cis", "au"}
SEED_ALLIANCE_ORGS = {"nato", "anzus", "seato", "cento", "warsaw", "rio"}


def _check(got, expected) -> None:
    """``got`` is a float64 array of exactly ``expected``'s length and values (NaN == NaN)."""
    assert isinstance(got, np.ndarray), type(got)
    assert got.dtype == np.float64, got.dtype
    assert got.shape == (len(expected),), got.shape
    exp = np.asarray(expected, dtype="float64")
    assert np.array_equal(got, exp, equal_nan=True), (got.tolist(), exp.tolist())


def _frame(rows, columns) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def _ties(rows, **flags) -> pd.DataFrame:
    """A tie table from (ccode1, ccode2, start, end-or-None[, flag values...]) rows."""
    cols = ["ccode1", "ccode2", "start", "end", *flags]
    t = pd.DataFrame(rows, columns=cols)
    t["start"] = pd.to_datetime(t["start"]).astype("datetime64[ns]")
    t["end"] = pd.to_datetime(t["end"]).astype("datetime64[ns]")
    for name, dtype in flags.items():
        t[name] = t[name].astype(dtype)
    return t


def _loop_count(table: pd.DataFrame, c1, c2, days) -> list[float]:
    """Ties in force (start <= day < end, no end = open) between each pair, either order: a Python loop."""
    out = []
    for a, b, day in zip(c1, c2, days):
        day = pd.Timestamp(day)
        n = 0
        for r in table.itertuples():
            if {int(r.ccode1), int(r.ccode2)} != {int(a), int(b)}:
                continue
            if pd.Timestamp(r.start) <= day and (pd.isna(r.end) or day < pd.Timestamp(r.end)):
                n += 1
        out.append(float(n))
    return out


def _loop_joint(rows, orgs, c1, c2, years) -> list[float]:
    """Alliance organisations both states belong to (status 1 or 2) in the year: a Python loop."""
    wanted = {o.lower() for o in orgs}
    out = []
    for a, b, y in zip(c1, c2, years):
        n = 0
        for org in sorted({r[0].lower() for r in rows} & wanted):
            def member(c, org=org, y=y):
                return any(r[0].lower() == org and int(r[1]) == int(c) and int(r[2]) == int(y) and r[3] in (1, 2)
                           for r in rows)
            n += member(a) and member(b)
        out.append(float(n))
    return out


class FakeSources:
    """Stands in for ``emb._Sources``: hand-written tables, and a log of what was asked for."""

    def __init__(self, is_seed: bool, *, alliances=None, pacts=None, treaties=None, members=None, igo_list=None):
        self.is_seed, self.data_dir = is_seed, DATA_DIR
        self._alliances, self._pacts, self._treaties = alliances, pacts, treaties
        self._members, self._igo_list = members, igo_list
        self.calls: list[tuple] = []
        self._cache: dict[str, object] = {}

    def alliance_ties(self, pacts_only):
        self.calls.append(("alliance_ties", pacts_only))
        assert pacts_only is True or pacts_only is False, pacts_only
        return self._pacts if pacts_only else self._alliances

    def treaty_ties(self):
        self.calls.append(("treaty_ties",))
        assert self._treaties is not None, "treaty_ties asked for"
        return self._treaties

    def igo_members(self):
        self.calls.append(("igo_members",))
        return self._members

    def igo_list(self):
        self.calls.append(("igo_list",))
        return self._igo_list

    def get(self, key, build):
        self.calls.append(("get", key))
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]


# ------------------------------------------------------------------ _joint_alliance_orgs

_MEMBER_COLUMNS = ["ioname", "ccode", "year", "status"]
_MEMBERS = [
    ("Nato", 2, 2000, 1), ("Nato", 20, 2000, 2), ("Nato", 200, 2000, 3), ("Nato", 255, 2000, 0),
    ("Nato", 2, 2001, 1), ("Nato", 20, 2001, 1), ("Nato", 200, 2001, 1),
    ("oas", 2, 2000, 1), ("oas", 20, 2000, 1), ("oas", 200, 2000, 1),
    ("EU", 200, 2000, 1), ("EU", 255, 2000, 2),
    ("UN", 2, 2000, 1), ("UN", 20, 2000, 1), ("UN", 200, 2000, 1), ("UN", 255, 2000, 1),
    ("WPact", 2, 2000, 1), ("WPact", 365, 2001, 2),
]
_ORGS = ["NATO", "OAS", "eU", "WPact"]
_Q1 = [2, 20, 2, 200, 2, 2, 2, 2, 255]
_Q2 = [20, 2, 200, 255, 20, 365, 365, 20, 200]
_QY = [2000, 2000, 2000, 2000, 2001, 2001, 2000, 1999, 2001]


def test_joint_alliance_orgs_matches_a_loop_and_hand_counts():
    """Catches: status filter [1, 3] / or-ed filters, names matched case-sensitively, keys not per org, year
    or ccode packing changed, either side of the pair ignored, ``=`` / ``-=`` for ``+=``."""
    members = _frame(_MEMBERS, _MEMBER_COLUMNS)
    got = emb._joint_alliance_orgs(members, _ORGS, np.array(_Q1), np.array(_Q2), np.array(_QY))
    # 2-20 in 2000: NATO (statuses 1 and 2) and OAS; 2-200: OAS only (200 is NATO status 3);
    # 200-255: EU (1 and 2; 255 is NATO status 0); 2-20 in 2001: NATO; WPact years never meet; UN not wanted
    _check(got, [2, 2, 1, 1, 1, 0, 0, 0, 0])
    _check(got, _loop_joint(_MEMBERS, _ORGS, _Q1, _Q2, _QY))


def test_joint_alliance_orgs_counts_only_the_organisations_asked_for():
    """Catches: the organisation filter dropped or inverted (UN and EU memberships counted)."""
    members = _frame(_MEMBERS, _MEMBER_COLUMNS)
    got = emb._joint_alliance_orgs(members, ["nato"], _Q1, _Q2, _QY)
    _check(got, [1, 1, 0, 0, 1, 0, 0, 0, 0])
    _check(got, _loop_joint(_MEMBERS, ["nato"], _Q1, _Q2, _QY))


def test_joint_alliance_orgs_without_matching_rows_is_zeros_of_the_query_length():
    """Catches: ``out`` replaced by None or built with a wrong length when no organisation matches."""
    members = _frame(_MEMBERS, _MEMBER_COLUMNS)
    _check(emb._joint_alliance_orgs(members, ["anzus"], [2, 20, 200], [20, 2, 2], [2000, 2000, 2001]), [0, 0, 0])


def test_joint_alliance_orgs_converts_codes_and_years_given_as_text():
    """Catches: the int64 casts of years, ccodes and the queried pairs dropped (text would be repeated, not
    multiplied, or fail to add)."""
    rows = [(o, str(c), str(y), s) for o, c, y, s in _MEMBERS]
    members = _frame(rows, _MEMBER_COLUMNS)
    got = emb._joint_alliance_orgs(members, _ORGS, [str(c) for c in _Q1], [str(c) for c in _Q2],
                                   [str(y) for y in _QY])
    _check(got, [2, 2, 1, 1, 1, 0, 0, 0, 0])


# ------------------------------------------------------------------ _dated_values

_DAYS = np.array(["2000-06-01", "2000-06-01", "1985-01-01", "2000-06-01", "2010-01-01", "2000-06-01"],
                 dtype="datetime64[ns]")
_D1 = np.array([2, 200, 2, 200, 2, 255])
_D2 = np.array([200, 2, 200, 255, 255, 365])

_ALLIANCES = _ties([
    (2, 200, "1949-08-24", None), (200, 2, "1990-01-01", "2005-01-01"), (200, 255, "1995-01-01", None),
    (255, 2, "2001-01-01", None), (365, 255, "1999-01-01", "2003-01-01"), (255, 365, "1990-01-01", None),
])
_PACTS = _ties([(2, 200, "1949-08-24", None), (200, 255, "1999-01-01", None), (2, 255, "2005-01-01", "2012-01-01")])


def test_dated_values_alliances_full_counts_ties_in_force_and_no_nonsecurity_part():
    """Catches: the alliance branch skipped or fed the wrong table / pairs / days; a non-zero or scalar
    non-security part; the seed rule applied outside the seed."""
    src = FakeSources(False, alliances=_ALLIANCES, pacts=_PACTS)
    vals, nonsec = emb._dated_values("alliances", src, _D1, _D2, _DAYS)
    _check(vals, [2, 2, 1, 1, 1, 2])
    _check(vals, _loop_count(_ALLIANCES, _D1, _D2, _DAYS))
    _check(nonsec, [0] * 6)
    assert src.calls == [("alliance_ties", False)]


def test_dated_values_defense_pacts_reads_the_pacts_table():
    """Catches: ``alliance_ties`` asked for all alliances (or None) for defense_pacts."""
    src = FakeSources(False, alliances=_ALLIANCES, pacts=_PACTS)
    vals, nonsec = emb._dated_values("defense_pacts", src, _D1, _D2, _DAYS)
    _check(vals, [1, 1, 1, 1, 1, 0])
    _check(vals, _loop_count(_PACTS, _D1, _D2, _DAYS))
    _check(nonsec, [0] * 6)
    assert src.calls == [("alliance_ties", True)]


@pytest.mark.parametrize("name", ["alliances", "defense_pacts"])
def test_dated_values_seed_alliances_are_nan_for_pairs_without_the_usa(name):
    """Catches: the seed rule's mask inverted, or-ed, or testing ccode 3 on either side."""
    table = _ALLIANCES if name == "alliances" else _PACTS
    src = FakeSources(True, alliances=_ALLIANCES, pacts=_PACTS)
    vals, nonsec = emb._dated_values(name, src, _D1, _D2, _DAYS)
    loop = _loop_count(table, _D1, _D2, _DAYS)
    usa = [a == 2 or b == 2 for a, b in zip(_D1, _D2)]
    _check(vals, [v if u else np.nan for v, u in zip(loop, usa)])
    _check(nonsec, [0] * 6)


_TREATIES = _ties([
    (2, 200, "1980-01-01", None, True, False),
    (200, 2, "1990-01-01", "2001-01-01", True, True),
    (2, 200, "1999-01-01", None, False, False),
    (200, 2, "1970-01-01", None, False, True),
    (255, 200, "1999-01-01", None, False, False),
    (2, 255, "2005-01-01", None, True, False),
    (365, 255, "1999-01-01", None, True, True),
], is_bilateral=bool, is_security=bool)


@pytest.mark.parametrize("name, bilateral", [("treaties_bilateral", True), ("treaties_multilateral", False)])
def test_dated_values_treaties_split_by_bilateral_and_security(name, bilateral):
    """Catches: the treaty branch skipped, the bilateral filter inverted, the wrong table, pairs or days,
    the non-security part counting all or only the security treaties."""
    src = FakeSources(False, treaties=_TREATIES)
    vals, nonsec = emb._dated_values(name, src, _D1, _D2, _DAYS)
    part = _TREATIES[_TREATIES["is_bilateral"] == bilateral]
    _check(vals, _loop_count(part, _D1, _D2, _DAYS))
    _check(nonsec, _loop_count(part[~part["is_security"]], _D1, _D2, _DAYS))
    if bilateral:
        _check(vals, [2, 2, 1, 0, 1, 1])
        _check(nonsec, [1, 1, 1, 0, 1, 0])
    else:
        _check(vals, [2, 2, 1, 1, 0, 0])
        _check(nonsec, [1, 1, 0, 1, 0, 0])
    assert src.calls == [("treaty_ties",)]


_DESTA = _ties([(2, 200, "1994-12-31", None), (255, 2, "2005-12-31", None), (200, 255, "1999-12-31", None)])
_UNCTAD = _ties([(200, 2, "1990-03-01", "2005-01-01"), (2, 200, "1999-01-01", None), (365, 255, "1990-01-01", None)])


@pytest.mark.parametrize("name, table, which", [("trade_agreements", _DESTA, "desta"),
                                                ("investment_treaties", _UNCTAD, "unctad")])
def test_dated_values_trade_and_investment_come_from_their_own_builder_through_the_cache(
        monkeypatch, name, table, which):
    """Catches: the wrong builder (DESTA for UNCTAD or the reverse), the builder given no data_dir, the
    cache keyed by something other than the component, the wrong pairs or days; the non-security part
    must be the same counts."""
    built = []

    def builder(tag, tab):
        def build(data_dir=_UNSET):
            built.append((tag, data_dir))
            return tab
        return build

    monkeypatch.setattr(ties_module, "desta_ties", builder("desta", _DESTA))
    monkeypatch.setattr(ties_module, "unctad_ties", builder("unctad", _UNCTAD))
    src = FakeSources(False)
    vals, nonsec = emb._dated_values(name, src, _D1, _D2, _DAYS)
    _check(vals, _loop_count(table, _D1, _D2, _DAYS))
    _check(nonsec, _loop_count(table, _D1, _D2, _DAYS))
    _check(vals, [1, 1, 0, 1, 1, 0] if which == "desta" else [2, 2, 0, 0, 0, 1])
    assert built == [(which, DATA_DIR)]
    assert src.calls == [("get", name)]


# ------------------------------------------------------------------ _yearly_values

_Y1 = np.array([2, 20, 2, 2, 365, 255])
_Y2 = np.array([20, 2, 200, 365, 2, 200])
_YY = np.array([2000.0, 2000.0, 2000.0, 2000.0, 2001.0, 2000.0])  # floats, as _year gives them
_IGO_MEMBERS = [
    ("NATO", 2, 2000, 1), ("NATO", 20, 2000, 1), ("NATO", 200, 2000, 1), ("NATO", 2, 2001, 1), ("NATO", 365, 2001, 2),
    ("OAS", 2, 2000, 1), ("OAS", 20, 2000, 2), ("OAS", 255, 2000, 1), ("OAS", 200, 2000, 1),
    ("warsaw", 2, 2000, 1), ("warsaw", 365, 2000, 1),
    ("WPact", 2, 2000, 2), ("WPact", 365, 2000, 1),
    ("rio", 2, 2000, 1), ("rio", 20, 2000, 1), ("rio", 200, 2000, 3),
    ("UN", 2, 2000, 1), ("UN", 20, 2000, 1), ("UN", 200, 2000, 1), ("UN", 365, 2000, 1), ("UN", 365, 2001, 1),
]
#: security flags as security_flags is made to return them (index case differs from the organisations')
_FLAGS = pd.Series([True, False, True, False, True], index=["Nato", "oas", "WARSAW", "UN", "Anzus"],
                   name="is_security")
_JOINT_ANY = [10, 8, 9, pd.NA, 7, 6]
_JOINT_NONSEC = [6, 5, 4, pd.NA, 3, 2]


def _igo_recorder(calls, result_cols):
    def add_igos(panel, *, data_dir=_UNSET, source=_UNSET, **kw):
        calls.append({"columns": list(panel.columns), "attrs": dict(panel.attrs), "data_dir": data_dir,
                      "source": source, "kw": kw, "dtypes": {c: str(t) for c, t in panel.dtypes.items()},
                      "values": {c: panel[c].tolist() for c in panel.columns}})
        warnings.warn("seed data used", SeedDataWarning, stacklevel=2)
        warnings.warn("igo data end in 2014", StaleDataWarning, stacklevel=2)
        res = panel.copy()
        for col, values in result_cols.items():
            res[col] = pd.Series(values, index=panel.index, dtype=object)  # NA must become NaN
        return res
    return add_igos


def _no_exercises(*args, **kwargs):
    raise AssertionError("add_exercises called for an IGO component")


@pytest.mark.parametrize("is_seed", [False, True])
def test_yearly_values_igos_take_out_alliance_organisations(monkeypatch, is_seed):
    """Catches: add_igos given a wrong frame (columns, float years, attrs), data_dir or source; a SeedDataWarning
    let out, or every other warning (StaleDataWarning) silenced too; the seed's organisations swapped with
    ALLIANCE_IGOS; the security flags not read from the IGO list or compared in the wrong case; the
    overlaps added, swapped, or computed for wrong pairs/years; NA not turned into NaN; a non-float result."""
    calls, flag_calls = [], []
    monkeypatch.setattr(igos_module, "add_igos", _igo_recorder(
        calls, {"igo_joint_any": _JOINT_ANY, "igo_joint_nonsecurity": _JOINT_NONSEC}))
    igo_list = pd.DataFrame({"ioname": ["made-up list"]})

    def security_flags(lst):
        flag_calls.append(lst)
        return _FLAGS

    monkeypatch.setattr(igos_module, "security_flags", security_flags)
    monkeypatch.setattr(other_module, "add_exercises", _no_exercises)
    src = FakeSources(is_seed, members=_frame(_IGO_MEMBERS, _MEMBER_COLUMNS), igo_list=igo_list)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        vals, nonsec = emb._yearly_values("igos", src, _Y1, _Y2, _YY)
    assert [w for w in caught if issubclass(w.category, SeedDataWarning)] == []
    assert [str(w.message) for w in caught if issubclass(w.category, StaleDataWarning)] == ["igo data end in 2014"]
    assert calls == [{"columns": ["ccode1", "ccode2", "year"], "attrs": {"unit": "dyad_year", "directed": True},
                      "data_dir": DATA_DIR, "source": "seed" if is_seed else "full", "kw": {},
                      "dtypes": {"ccode1": "int64", "ccode2": "int64", "year": "int64"},
                      "values": {"ccode1": _Y1.tolist(), "ccode2": _Y2.tolist(),
                                 "year": [2000, 2000, 2000, 2000, 2001, 2000]}}]
    assert len(flag_calls) == 1 and flag_calls[0] is igo_list
    orgs = SEED_ALLIANCE_ORGS if is_seed else FULL_ALLIANCE_ORGS
    security = {"nato", "warsaw", "anzus"}
    overlap = _loop_joint(_IGO_MEMBERS, orgs, _Y1, _Y2, _YY)
    overlap_nonsec = _loop_joint(_IGO_MEMBERS, orgs - security, _Y1, _Y2, _YY)
    any_ = [np.nan if v is pd.NA else v for v in _JOINT_ANY]
    ns = [np.nan if v is pd.NA else v for v in _JOINT_NONSEC]
    _check(vals, [a - o for a, o in zip(any_, overlap)])
    _check(nonsec, [a - o for a, o in zip(ns, overlap_nonsec)])
    if is_seed:  # nato, warsaw (security) and rio (not): 2-20 nato+rio, 2-200 nato, 2-365 warsaw, 365-2 nato
        _check(vals, [8, 6, 8, np.nan, 6, 6])
        _check(nonsec, [5, 4, 4, np.nan, 3, 2])
    else:  # NATO (security), OAS and WPact (not)
        _check(vals, [8, 6, 7, np.nan, 6, 5])
        _check(nonsec, [5, 4, 3, np.nan, 3, 1])


def test_yearly_values_exercises_come_from_add_exercises(monkeypatch):
    """Catches: the exercises branch skipped or given a wrong frame (columns, float years, attrs) or
    data_dir; the result read from a wrong column or not as float; a non-zero or scalar non-security part."""
    calls = []

    def add_exercises(panel, *, data_dir=_UNSET, **kw):
        calls.append({"columns": list(panel.columns), "attrs": dict(panel.attrs), "data_dir": data_dir, "kw": kw,
                      "dtypes": {c: str(t) for c, t in panel.dtypes.items()},
                      "values": {c: panel[c].tolist() for c in panel.columns}})
        res = panel.copy()
        res["mme_joint_exercises"] = np.array([3, 0, 1, 2, 5, 4], dtype="int64")
        return res

    def no_igos(*args, **kwargs):
        raise AssertionError("add_igos called for exercises")

    monkeypatch.setattr(other_module, "add_exercises", add_exercises)
    monkeypatch.setattr(igos_module, "add_igos", no_igos)
    src = FakeSources(False)
    vals, nonsec = emb._yearly_values("exercises", src, _Y1, _Y2, _YY)
    _check(vals, [3, 0, 1, 2, 5, 4])
    _check(nonsec, [0] * 6)
    assert calls == [{"columns": ["ccode1", "ccode2", "year"], "attrs": {"unit": "dyad_year", "directed": True},
                      "data_dir": DATA_DIR, "kw": {},
                      "dtypes": {"ccode1": "int64", "ccode2": "int64", "year": "int64"},
                      "values": {"ccode1": _Y1.tolist(), "ccode2": _Y2.tolist(),
                                 "year": [2000, 2000, 2000, 2000, 2001, 2000]}}]
    assert src.calls == []


# ------------------------------------------------------------------ _sociability

_SC = np.array([2, 20, 200, 365])
_SDAYS = np.array(["2001-03-01", "2001-03-01", "2002-07-01", "1990-01-01"], dtype="datetime64[ns]")
_SYEARS = np.array([2000.0, np.nan, 2001.0, 1989.0])


def _own_agreements_recorder(calls, table):
    def count_own_agreements(ties, ccode, dates):
        calls.append((ties is table, ccode, dates))
        return np.array([4.0, 1.0, 0.0, 2.0])
    return count_own_agreements


@pytest.mark.parametrize("is_seed", [False, True])
def test_sociability_igos_for_the_rows_with_a_year(monkeypatch, is_seed):
    """Catches: add_igos given a wrong frame (rows without a year, columns, year dtype, attrs), data_dir or
    source; a SeedDataWarning let out, or every other warning (StaleDataWarning) silenced too; NaN rows not
    NaN; igo_any read wrong or NA not NaN; the treaty count made in the seed or missing in the full data,
    or given wrong ties, codes or days."""
    calls, treaty_calls = [], []
    monkeypatch.setattr(igos_module, "add_igos", _igo_recorder(calls, {"igo_any": [5, pd.NA, 7]}))
    treaties = _ties([(2, 200, "1980-01-01", None)])
    monkeypatch.setattr(treaties_module, "count_own_agreements", _own_agreements_recorder(treaty_calls, treaties))
    src = FakeSources(is_seed, treaties=None if is_seed else treaties)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = emb._sociability(src, _SC, _SDAYS, _SYEARS)
    assert [w for w in caught if issubclass(w.category, SeedDataWarning)] == []
    assert [str(w.message) for w in caught if issubclass(w.category, StaleDataWarning)] == ["igo data end in 2014"]
    assert calls == [{"columns": ["ccode", "year"], "attrs": {"unit": "state_year"}, "data_dir": DATA_DIR,
                      "source": "seed" if is_seed else "full", "kw": {},
                      "dtypes": {"ccode": "int64", "year": "int64"},
                      "values": {"ccode": [2, 200, 365], "year": [2000, 2001, 1989]}}]
    _check(out["sociability_igos"], [5, np.nan, np.nan, 7])
    if is_seed:
        assert sorted(out) == ["sociability_igos"]
        assert treaty_calls == []
    else:
        assert sorted(out) == ["sociability_igos", "sociability_treaties"]
        _check(out["sociability_treaties"], [4, 1, 0, 2])
        assert len(treaty_calls) == 1
        same_ties, codes, dates = treaty_calls[0]
        assert same_ties and codes is _SC and dates is _SDAYS


def test_sociability_treaties_use_the_treaty_codes_when_given(monkeypatch):
    """Catches: ``treaty_codes`` ignored (``ccode`` always used) or the test on None inverted."""
    calls, treaty_calls = [], []
    monkeypatch.setattr(igos_module, "add_igos", _igo_recorder(calls, {"igo_any": [5, 6, 7]}))
    treaties = _ties([(2, 200, "1980-01-01", None)])
    monkeypatch.setattr(treaties_module, "count_own_agreements", _own_agreements_recorder(treaty_calls, treaties))
    codes = np.array([2, 20, 315, 365])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleDataWarning)
        out = emb._sociability(FakeSources(False, treaties=treaties), _SC, _SDAYS, _SYEARS, treaty_codes=codes)
    assert len(treaty_calls) == 1
    same_ties, got_codes, dates = treaty_calls[0]
    assert same_ties and got_codes is codes and dates is _SDAYS
    _check(out["sociability_treaties"], [4, 1, 0, 2])
    _check(out["sociability_igos"], [5, np.nan, 6, 7])


def test_sociability_without_any_igo_year_is_all_nan_and_asks_nothing(monkeypatch):
    """Catches: the year mask inverted (NaN years sent to add_igos) or ``own`` not a float NaN array."""
    def no_igos(*args, **kwargs):
        raise AssertionError("add_igos called with no year to ask for")

    monkeypatch.setattr(igos_module, "add_igos", no_igos)
    out = emb._sociability(FakeSources(True), _SC, _SDAYS, np.full(4, np.nan))
    assert sorted(out) == ["sociability_igos"]
    _check(out["sociability_igos"], [np.nan] * 4)
