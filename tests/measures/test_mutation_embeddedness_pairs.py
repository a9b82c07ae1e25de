"""``embeddedness_pairs``: cases that mutation testing showed the other tests let through (see
docs/development/mutation.md).

Covers the checks of ``successors`` and ``weights``, the lag, the ``date`` and ``year`` columns, the
data year each component reads (the year of the day for a dated component, the year before for a
yearly one; ``carry_forward``; the first and last year of a source; the stale and gap messages),
existence and ``successors="inherit"`` (also for the year a yearly component reads), the day a dated
component is measured on past its source's end, the weighted totals and their security split,
sociability, the ``<component>_year`` and ``inherited_from`` columns and the meta dict.

The oracles never go through the code under test: the module's collaborators (``_spells``,
``_coverage``, ``_dated_values``, ``_yearly_values``, ``_sociability``, ``_mode`` and
``_common.years_with_rows``) are replaced by tiny fakes that record what they were called with and
return values built from their inputs (``ccode2 * 10000 + year``), so a misaligned row, a wrong day
or a wrong year shows in the result; every expected call, value, data year and warning text is
written out by hand; the warnings' place is checked against the frame two above the function's own
(read from the stack by the ``_spells`` fake). Only ``_existence`` runs for real, on a hand-written
spells table. One last test runs everything for real on the embedded seed (``source="seed"``) against
alliance counts read by hand from the seed's CSV files.
"""

from __future__ import annotations

import importlib
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from coalitionlab.errors import MissingDataError, StaleDataWarning, UnknownOptionError

_common = importlib.import_module("coalitionlab.measures._common")
emb = importlib.import_module("coalitionlab.measures.embeddedness")  # the package re-exports a function of that name

DD = "/nonexistent/embeddedness-data"  # a data_dir sentinel: every reader is faked, nothing is read

#: The state system of the tests: 255 (Germany) succeeds 260 (GFR) on 1990-10-03; 700 joins in 1992.
SPELLS = pd.DataFrame({
    "ccode": [2, 200, 255, 260, 700],
    "start_date": pd.to_datetime(["1816-01-01", "1816-01-01", "1990-10-03", "1955-05-05", "1992-01-01"]),
    "end_date": pd.to_datetime(["2024-12-31", "2024-12-31", "2024-12-31", "1990-10-02", "2024-12-31"]),
})

NA = pd.NA
NAN = np.nan


def _days(*s):
    return np.array(s, dtype="datetime64[ns]")


class Fakes:
    """Recorders standing in for the module's collaborators."""

    def __init__(self):
        self.coverage: dict[str, tuple[int, int]] = {}
        self.gap_years: set[int] = set()
        self.calls: dict[str, list] = {k: [] for k in ("spells", "coverage", "dated", "yearly", "soc", "ywr",
                                                       "mode", "progress")}

    def spells(self, data_dir, is_seed):
        self.calls["spells"].append((data_dir, is_seed))
        # where stacklevel=3 points: two frames above the function body that called this fake
        up = sys._getframe(1).f_back.f_back
        self.where = (up.f_code.co_filename, up.f_lineno)
        return SPELLS

    def cov(self, comp, is_seed):
        self.calls["coverage"].append((comp, is_seed))
        return self.coverage[comp.name]

    def dated(self, name, src, c1, c2, days):
        self.calls["dated"].append(dict(name=name, src=src, c1=np.array(c1), c2=np.array(c2), days=np.array(days)))
        year = pd.DatetimeIndex(days).year.to_numpy().astype("float64")
        return np.asarray(c2, "float64") * 10000 + year, year.copy()

    def yearly(self, name, src, c1, c2, years):
        self.calls["yearly"].append(dict(name=name, src=src, c1=np.array(c1), c2=np.array(c2),
                                         years=np.array(years)))
        return np.asarray(c2, "float64") * 10000 + np.asarray(years, "float64"), np.asarray(c2, "float64")

    def soc(self, src, ccode, days, igo_years, *, treaty_codes=None):
        self.calls["soc"].append(dict(src=src, ccode=np.array(ccode), days=np.array(days),
                                      igo_years=np.array(igo_years), treaty_codes=np.array(treaty_codes)))
        return {"sociability_igos": np.asarray(igo_years, "float64") + 0.5,
                "sociability_treaties": np.asarray(treaty_codes, "float64") + 0.25}

    def ywr(self, name, data_dir, years):
        self.calls["ywr"].append((name, data_dir, np.array(years)))
        y = np.asarray(years, "float64")
        return ~np.isnan(y) & ~np.isin(y, sorted(self.gap_years))

    def mode(self, source, data_dir):
        self.calls["mode"].append((source, data_dir))
        return True

    def progress(self, name):
        self.calls["progress"].append(name)


@pytest.fixture
def fakes(monkeypatch):
    f = Fakes()
    monkeypatch.setattr(emb, "_spells", f.spells)
    monkeypatch.setattr(emb, "_coverage", f.cov)
    monkeypatch.setattr(emb, "_dated_values", f.dated)
    monkeypatch.setattr(emb, "_yearly_values", f.yearly)
    monkeypatch.setattr(emb, "_sociability", f.soc)
    monkeypatch.setattr(emb, "_mode", f.mode)
    monkeypatch.setattr(_common, "years_with_rows", f.ywr)
    return f


def _run(pairs, **kw):
    """Call embeddedness_pairs, returning (out, meta, [(category, message), ...])."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out, meta = emb.embeddedness_pairs(pairs, **kw)
    return out, meta, [(w.category, str(w.message)) for w in rec]


def _pairs(rows, index=None, col="date"):
    return pd.DataFrame({"lead_ccode": [r[0] for r in rows], "ccode": [r[1] for r in rows],
                         col: [r[2] for r in rows]}, index=index)


def _eq(a, b, dtype=None):
    a = np.asarray(a)
    if dtype is not None:
        assert a.dtype == np.dtype(dtype), a.dtype
    np.testing.assert_array_equal(a, np.asarray(b, dtype=a.dtype if dtype is None else dtype))


def _src_ok(src, is_seed):
    assert isinstance(src, emb._Sources)
    assert src.data_dir == DD
    assert src.is_seed is is_seed


def _frame(cols, index):
    out = pd.DataFrame(index=index)
    for k, (v, dtype) in cols.items():
        out[k] = pd.Series(v, index=index, dtype=dtype)
    return out


# ------------------------------------------------------------------ the main case: dates, defaults, gaps


def test_dates_missing_successors_no_carry_forward_gap_and_stale(fakes):
    """Catches wrong data years (year before, first/last year, > vs >=), rows read that do not exist,
    misaligned or missing columns, wrong weights/totals, wrong messages, and wrong collaborator arguments."""
    fakes.coverage = {"alliances": (1950, 2000), "igos": (1950, 2000)}
    fakes.gap_years = {1984, 1999}
    idx = [10, 20, 30, 40, 50, 60, 70]
    pairs = _pairs([(2, 200, "1999-06-15"), (2, 200, "2000-03-01"), (2, 200, "2001-07-04"), (2, 700, "1985-01-01"),
                    (2, 200, "1950-05-05"), (2, 200, "2002-02-02"), (2, 200, "1951-03-03")], index=idx)
    out, meta, warned = _run(pairs, data_dir=DD, components=["alliances", "igos"], weights={"igos": 0.5},
                             is_seed=False, sociability=True, progress=fakes.progress)
    c = fakes.calls
    assert c["mode"] == []
    assert c["spells"] == [(DD, False)]
    assert c["progress"] == ["alliances", "igos"]
    assert [(comp.name, s) for comp, s in c["coverage"]] == [("alliances", False), ("igos", False), ("igos", False)]
    assert all(comp is emb.COMPONENTS[comp.name] for comp, _ in c["coverage"])
    # the gap check: yearly components only, on the years after the coverage rules (700 does not exist: still asked)
    assert len(c["ywr"]) == 1
    name, data_dir, years = c["ywr"][0]
    assert (name, data_dir) == ("cow_igo", DD)
    _eq(years, [1998, 1999, 2000, 1984, NAN, NAN, 1950], "float64")
    # alliances: the day itself; 2001 and 2002 are past 2000 (NaN), 1985 has no 700, 1950 is the first year
    (d,) = c["dated"]
    assert d["name"] == "alliances"
    _src_ok(d["src"], False)
    _eq(d["c1"], [2, 2, 2, 2], "int64")
    _eq(d["c2"], [200, 200, 200, 200], "int64")
    _eq(d["days"], _days("1999-06-15", "2000-03-01", "1950-05-05", "1951-03-03"), "datetime64[ns]")
    # igos: the year before; 1999 and 1984 are gaps, 1949 is before the first year, 2001 past the last
    (y,) = c["yearly"]
    assert y["name"] == "igos"
    assert y["src"] is d["src"]
    _eq(y["c1"], [2, 2, 2], "int64")
    _eq(y["c2"], [200, 200, 200], "int64")
    _eq(y["years"], [1998, 2000, 1950], "float64")
    # sociability: the year before, NaN past 2000, before 1950 and where the pair does not exist
    (s,) = c["soc"]
    assert s["src"] is d["src"]
    _eq(s["ccode"], [200, 200, 200, 700, 200, 200, 200], "int64")
    _eq(s["treaty_codes"], [200, 200, 200, 700, 200, 200, 200], "int64")
    _eq(s["igo_years"], [1998, 1999, 2000, NAN, NAN, NAN, 1950], "float64")
    _eq(s["days"], _days("1999-06-15", "2000-03-01", "2001-07-04", "NaT", "1950-05-05", "2002-02-02", "1951-03-03"),
        "datetime64[ns]")
    expected = _frame({
        "alliances": ([2001999, 2002000, NAN, NAN, 2001950, NAN, 2001951], "float64"),
        "igos": ([2001998, NAN, 2002000, NAN, NAN, NAN, 2001950], "float64"),
        "embeddedness": ([2001999 + 0.5 * 2001998, NAN, NAN, NAN, NAN, NAN, 2001951 + 0.5 * 2001950], "float64"),
        "embeddedness_nonsecurity": ([1999 + 100, NAN, NAN, NAN, NAN, NAN, 1951 + 100], "float64"),
        "embeddedness_security": ([2001999 + 1000999 - 2099, NAN, NAN, NAN, NAN, NAN, 2001951 + 1000975 - 2051],
                                  "float64"),
        "sociability_igos": ([1998.5, 1999.5, 2000.5, NAN, NAN, NAN, 1950.5], "float64"),
        "sociability_treaties": ([200.25, 200.25, 200.25, 700.25, 200.25, 200.25, 200.25], "float64"),
        "alliances_year": ([1999, 2000, NA, NA, 1950, NA, 1951], "Int64"),
        "igos_year": ([1998, NA, 2000, NA, NA, NA, 1950], "Int64"),
        "inherited_from": ([NA] * 7, "Int64"),
    }, idx)
    pd.testing.assert_frame_equal(out, expected, check_exact=True)
    assert warned == [
        (StaleDataWarning, "alliances: data end in 2000; rows measured after it are NaN "
                           "(pass carry_forward=True to use 2000)"),
        (StaleDataWarning, "igos: data end in 2000; rows measured after it are NaN (pass carry_forward=True to use "
                           "2000); igos: source cow_igo has no rows for 1984, 1999; NaN there"),
    ]
    assert set(meta) == {"components", "weights", "years_used", "is_seed", "lag_years", "successors",
                         "carry_forward", "stale"}
    assert meta["components"] == ["alliances", "igos"]
    assert meta["weights"] == {"alliances": 1.0, "igos": 0.5}
    assert meta["is_seed"] is False and meta["carry_forward"] is False
    assert meta["lag_years"] == 0 and meta["successors"] == "missing"
    assert meta["stale"] == {k: v for k, (_, v) in zip(["alliances", "igos"], warned, strict=True)}
    assert list(meta["years_used"]) == ["alliances", "igos"]
    _eq(meta["years_used"]["alliances"], [1999, 2000, NAN, 1985, 1950, NAN, 1951], "float64")
    _eq(meta["years_used"]["igos"], [1998, NAN, 2000, NAN, NAN, NAN, 1950], "float64")


# ------------------------------------------------------------------ years, lag, carry_forward


def test_year_column_lag_and_carry_forward(fakes):
    """Catches a lag not applied, a wrong 'year' column reading, carry_forward off, the last-day rule for
    dated components (> vs >=, 31 December), and the stale rule/text with carry_forward."""
    fakes.coverage = {"alliances": (1950, 1999), "igos": (1950, 1995)}
    idx = ["a", "b", "c", "d"]
    pairs = _pairs([(2, 200, 2002), (2, 200, 1999), (2, 200, 1997), (2, 200, 2000)], index=idx, col="year")
    out, meta, warned = _run(pairs, data_dir=DD, components=["alliances", "igos"], lag_years=1, is_seed=False,
                             carry_forward=True, sociability=True)
    c = fakes.calls
    # 1 January of the year, one year back; past 1999 a dated component is measured on 1999-12-31
    (d,) = c["dated"]
    _eq(d["days"], _days("1999-12-31", "1998-01-01", "1996-01-01", "1999-01-01"), "datetime64[ns]")
    _eq(d["c2"], [200] * 4, "int64")
    (y,) = c["yearly"]
    _eq(y["years"], [1995] * 4, "float64")
    (s,) = c["soc"]
    _eq(s["igo_years"], [1995] * 4, "float64")
    _eq(s["days"], _days("2001-01-01", "1998-01-01", "1996-01-01", "1999-01-01"), "datetime64[ns]")
    _eq(c["ywr"][0][2], [1995] * 4, "float64")
    expected = _frame({
        "alliances": ([2001999, 2001998, 2001996, 2001999], "float64"),
        "igos": ([2001995] * 4, "float64"),
        "embeddedness": ([4003994, 4003993, 4003991, 4003994], "float64"),
        "embeddedness_nonsecurity": ([2199, 2198, 2196, 2199], "float64"),
        "embeddedness_security": ([4001795] * 4, "float64"),
        "sociability_igos": ([1995.5] * 4, "float64"),
        "sociability_treaties": ([200.25] * 4, "float64"),
        "alliances_year": ([1999, 1998, 1996, 1999], "Int64"),
        "igos_year": ([1995] * 4, "Int64"),
        "inherited_from": ([NA] * 4, "Int64"),
    }, idx)
    pd.testing.assert_frame_equal(out, expected, check_exact=True)
    # alliances end 2 years before the last measurement year (2001): no warning; igos 6 years: warned
    msg = "igos: data end in 1995; rows measured after 1997 use 1995 (carry_forward=True)"
    assert warned == [(StaleDataWarning, msg)]
    assert meta["stale"] == {"igos": msg}
    assert meta["lag_years"] == 1 and meta["carry_forward"] is True
    assert meta["weights"] == {"alliances": 1.0, "igos": 1.0}


def test_last_year_itself_is_used_without_warning(fakes):
    """Catches '>=' for '>' in the past-the-end rule and in the stale test, and 'or' for 'and' there."""
    fakes.coverage = {"alliances": (1950, 2000), "igos": (1950, 1999)}
    pairs = _pairs([(2, 200, "2000-12-31"), (2, 200, "2000-01-01")])
    out, meta, warned = _run(pairs, data_dir=DD, components=["alliances", "igos"], is_seed=False)
    assert warned == []
    assert meta["stale"] == {}
    assert out["alliances_year"].tolist() == [2000, 2000]
    assert out["igos_year"].tolist() == [1999, 1999]
    _eq(fakes.calls["dated"][0]["days"], _days("2000-12-31", "2000-01-01"), "datetime64[ns]")
    _eq(fakes.calls["yearly"][0]["years"], [1999, 1999], "float64")
    assert list(out.columns) == ["alliances", "igos", "embeddedness", "embeddedness_nonsecurity",
                                 "embeddedness_security", "alliances_year", "igos_year", "inherited_from"]
    assert fakes.calls["soc"] == []


def test_year_column_without_lag_reaches_the_components_in_nanoseconds(fakes):
    """Catches the 1 January days left in the parser's unit (to_numpy without 'datetime64[ns]')."""
    fakes.coverage = {"alliances": (1950, 2020)}
    out, _, _ = _run(_pairs([(2, 200, 2003)], col="year"), data_dir=DD, components=["alliances"], is_seed=False)
    _eq(fakes.calls["dated"][0]["days"], _days("2003-01-01"), "datetime64[ns]")
    assert out["alliances"].tolist() == [2002003.0]


def test_stale_warning_points_two_frames_above_the_function(fakes):
    """Catches a changed stacklevel: the warning names the caller's caller of embeddedness_pairs (3)."""
    fakes.coverage = {"alliances": (1950, 2000)}
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        emb.embeddedness_pairs(_pairs([(2, 200, "2003-01-01")]), data_dir=DD, components=["alliances"],
                               is_seed=False)
    assert [str(w.message) for w in rec] == [
        "alliances: data end in 2000; rows measured after it are NaN (pass carry_forward=True to use 2000)"]
    assert (rec[0].filename, rec[0].lineno) == fakes.where


def test_date_column_of_seconds_reaches_the_components_in_nanoseconds(fakes):
    """Catches the day array left in the column's own unit (to_numpy without 'datetime64[ns]')."""
    fakes.coverage = {"alliances": (1950, 2020)}
    pairs = pd.DataFrame({"lead_ccode": [2], "ccode": [200],
                          "date": pd.Series(pd.to_datetime(["2001-05-06"])).astype("datetime64[s]")})
    out, _, _ = _run(pairs, data_dir=DD, components=["alliances"], is_seed=False)
    _eq(fakes.calls["dated"][0]["days"], _days("2001-05-06"), "datetime64[ns]")
    assert out["alliances"].tolist() == [2002001.0]


# ------------------------------------------------------------------ successors


def test_inherit_for_dated_yearly_and_sociability(fakes):
    """Catches the predecessor not taken (on the day, and in the year a yearly component or sociability
    reads), the lead's inheritance lost, an inheritance of the day overwritten by the year read, a
    misaligned inherited_from, a gap message joined to a missing stale message."""
    fakes.coverage = {"alliances": (1950, 2020), "igos": (1950, 2020)}
    fakes.gap_years = {1990}
    idx = [5, 6, 7, 8, 9]
    pairs = _pairs([(2, 255, "1990-11-01"), (2, 255, "1985-06-01"), (255, 200, "1990-12-01"), (2, 200, "1991-01-01"),
                    (2, 255, "1955-06-01")], index=idx)
    out, meta, warned = _run(pairs, data_dir=DD, components=["alliances", "igos"], is_seed=False,
                             successors="inherit", sociability=True)
    c = fakes.calls
    (d,) = c["dated"]
    _eq(d["c1"], [2, 2, 255, 2, 2], "int64")
    _eq(d["c2"], [255, 260, 200, 200, 260], "int64")  # 255 exists on 1990-11-01; in 1985 and 1955 it takes 260's ties
    _eq(d["days"], _days("1990-11-01", "1985-06-01", "1990-12-01", "1991-01-01", "1955-06-01"), "datetime64[ns]")
    # 1989 and 1984: 255 did not exist on 31 December, 260 did; 1954: neither did, 255 is read as asked
    (y,) = c["yearly"]
    _eq(y["c1"], [2, 2, 260, 2], "int64")
    _eq(y["c2"], [260, 260, 200, 255], "int64")
    _eq(y["years"], [1989, 1984, 1989, 1954], "float64")
    (s,) = c["soc"]
    _eq(s["ccode"], [260, 260, 200, 200, 255], "int64")
    _eq(s["treaty_codes"], [255, 260, 200, 200, 260], "int64")
    _eq(s["igo_years"], [1989, 1984, 1989, 1990, 1954], "float64")
    expected = _frame({
        "alliances": ([2551990, 2601985, 2001990, 2001991, 2601955], "float64"),
        "igos": ([2601989, 2601984, 2001989, NAN, 2551954], "float64"),
        "embeddedness": ([5153979, 5203969, 4003979, NAN, 5153909], "float64"),
        "embeddedness_nonsecurity": ([2250, 2245, 2190, NAN, 2210], "float64"),
        "embeddedness_security": ([5151729, 5201724, 4001789, NAN, 5151699], "float64"),
        "sociability_igos": ([1989.5, 1984.5, 1989.5, 1990.5, 1954.5], "float64"),
        "sociability_treaties": ([255.25, 260.25, 200.25, 200.25, 260.25], "float64"),
        "alliances_year": ([1990, 1985, 1990, 1991, 1955], "Int64"),
        "igos_year": ([1989, 1984, 1989, NA, 1954], "Int64"),
        "inherited_from": ([260, 260, NA, NA, 260], "Int64"),
    }, idx)
    pd.testing.assert_frame_equal(out, expected, check_exact=True)
    msg = "igos: source cow_igo has no rows for 1990; NaN there"
    assert warned == [(StaleDataWarning, msg)]
    assert meta["stale"] == {"igos": msg}
    assert meta["successors"] == "inherit"


def test_missing_successor_reads_its_own_code_in_the_year_before(fakes):
    """Catches the sociability code switched to the predecessor when successors='missing'."""
    fakes.coverage = {"alliances": (1950, 2020), "igos": (1950, 2020)}
    pairs = _pairs([(2, 255, "1990-11-01"), (2, 255, "1985-06-01")])
    out, _, _ = _run(pairs, data_dir=DD, components=["igos"], is_seed=False, sociability=True)
    (y,) = fakes.calls["yearly"]
    _eq(y["c2"], [255], "int64")
    _eq(y["years"], [1989], "float64")
    (s,) = fakes.calls["soc"]
    _eq(s["ccode"], [255, 255], "int64")
    _eq(s["igo_years"], [1989, NAN], "float64")
    assert out["inherited_from"].isna().all()
    assert out["igos"].tolist()[0] == 2551989.0 and np.isnan(out["igos"].tolist()[1])


# ------------------------------------------------------------------ the seed and the source choice


def test_seed_skips_the_gap_check_and_reports_seed(fakes):
    """Catches is_seed lost on the way (components, spells, sources, meta) and the gap check run on the seed."""
    fakes.coverage = {"alliances": (1945, 2024), "igos": (1945, 2024)}
    pairs = _pairs([(2, 200, "2000-01-01")])
    out, meta, warned = _run(pairs, data_dir=DD, is_seed=True)
    c = fakes.calls
    assert c["ywr"] == [] and c["mode"] == []
    assert c["spells"] == [(DD, True)]
    assert [(comp.name, s) for comp, s in c["coverage"]] == [("alliances", True), ("igos", True)]
    _src_ok(c["dated"][0]["src"], True)
    assert meta["components"] == ["alliances", "igos"] and meta["is_seed"] is True
    assert out["embeddedness"].tolist() == [2002000.0 + 2001999.0]
    assert warned == []


def test_seed_refuses_full_only_components(fakes):
    """Catches is_seed not passed to the component check (a seed call asking for treaties)."""
    with pytest.raises(MissingDataError, match="treaties_bilateral need the full sources"):
        emb.embeddedness_pairs(_pairs([(2, 200, "2000-01-01")]), components=["treaties_bilateral"], is_seed=True)


def test_source_auto_asks_mode_once(fakes):
    """Catches a wrong default source, _mode skipped or called with the wrong arguments."""
    fakes.coverage = {"alliances": (1945, 2024), "igos": (1945, 2024)}
    _, meta, _ = _run(_pairs([(2, 200, "2000-01-01")]), data_dir=DD)
    assert fakes.calls["mode"] == [("auto", DD)]
    assert meta["is_seed"] is True
    assert fakes.calls["spells"] == [(DD, True)]


def test_full_default_components_and_unit_weights(fakes):
    """Catches the chosen components replaced by the default, and a default weight other than 1."""
    fakes.coverage = {"treaties_bilateral": (1950, 2020)}
    out, meta, _ = _run(_pairs([(2, 200, "2000-01-01")]), data_dir=DD, components="treaties_bilateral",
                        is_seed=False)
    assert meta["components"] == ["treaties_bilateral"] and meta["weights"] == {"treaties_bilateral": 1.0}
    assert out["embeddedness"].tolist() == [2002000.0]
    assert out["embeddedness_nonsecurity"].tolist() == [2000.0]
    assert out["embeddedness_security"].tolist() == [2000000.0]


# ------------------------------------------------------------------ errors


def test_unknown_successors_message(fakes):
    """Catches a changed successors check (allowed values, the name in the message)."""
    with pytest.raises(UnknownOptionError) as e:
        emb.embeddedness_pairs(_pairs([(2, 200, "2000-01-01")]), successors="bogus", is_seed=True)
    assert str(e.value) == "unknown successors 'bogus'; allowed: 'missing', 'inherit'"


def test_weight_key_must_be_a_chosen_component(fakes):
    """Catches a changed weight-key check."""
    with pytest.raises(UnknownOptionError) as e:
        emb.embeddedness_pairs(_pairs([(2, 200, "2000-01-01")]), weights={"exercises": 1}, is_seed=True)
    assert str(e.value) == "unknown weight key (a chosen component) 'exercises'; allowed: 'alliances', 'igos'"


@pytest.mark.parametrize("bad, shown", [(float("nan"), "nan"), (float("inf"), "inf")])
def test_weight_must_be_finite(fakes, bad, shown):
    """Catches the finite-weight check dropped or its message lost."""
    with pytest.raises(UnknownOptionError) as e:
        emb.embeddedness_pairs(_pairs([(2, 200, "2000-01-01")]), weights={"igos": bad}, is_seed=True)
    assert str(e.value) == f"weight of igos must be a finite number, got {shown}"


# ------------------------------------------------------------------ the seed, no fakes


def test_seed_alliances_us_new_zealand_by_hand():
    """Catches wrong days reaching the real alliance count on the seed (ANZUS, SEATO, the 1986 suspension).

    From us_defence_treaties.csv and igo_spells.csv: ANZUS in force 1952-04-29, the US leg to New Zealand
    ends 1986-08-11 (last day in force); SEATO binds both 1955-02-19 to 1977-06-30. A pair without the
    USA is unknown on the seed (NaN)."""
    pairs = _pairs([(2, 920, "1960-06-01"), (920, 2, "1980-06-01"), (2, 920, "1986-08-11"), (2, 920, "1986-08-12"),
                    (2, 920, "1952-04-28"), (200, 920, "1960-06-01")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # source="seed" asked for: no fallback or stale warning
        out, meta = emb.embeddedness_pairs(pairs, components=["alliances"], source="seed")
    assert meta["is_seed"] is True
    assert out["alliances"].tolist()[:5] == [2.0, 1.0, 1.0, 0.0, 0.0]
    assert np.isnan(out["alliances"].iloc[5])
    assert out["alliances_year"].tolist() == [1960, 1980, 1986, 1986, 1952, 1960]
    assert out["embeddedness_security"].tolist()[:5] == [2.0, 1.0, 1.0, 0.0, 0.0]
