"""Lake's security hierarchy: cases that mutation testing showed the other tests let through
(see docs/development/mutation.md).

The oracles are hand counts on a small made-up ATOP member frame, and the raw files read with plain
pandas (troopdata's country-year file, isard's population, ATOP v4.01's member level, COW's state list),
never through the loaders or the code under test. The definition (module docstring of
src/coalitionlab/measures/hierarchy.py): US troops per inhabitant and the state's ATOP alliances the
USA is not in (an alliance's phases bridged into one spell, first entry to last exit, exit year
included, no exit = still in force), each over its largest value among the system members (the USA
left out) in the reference year, the second reversed; the measure is their mean, missing when either
part is.
"""

from __future__ import annotations

import dataclasses
import importlib

import numpy as np
import pandas as pd
import pytest

from coalitionlab.data import get_source
from coalitionlab.errors import CoverageError, DataFileError, PanelTypeError, StaleDataWarning, UnknownOptionError
from coalitionlab.measures import add_hierarchy, create_dyadyears, create_stateyears, security_hierarchy
from coalitionlab.measures.hierarchy import _independent_alliances

hierarchy = importlib.import_module("coalitionlab.measures.hierarchy")

RAW = ["us_troops_pc", "n_independent_alliances"]
HIER = ["hier_troops", "hier_independent_alliances", "security_hierarchy"]


# ------------------------------------------------------------------ _independent_alliances by hand


def _members(rows):
    """An ATOP member frame as the loader gives it: (atopid, ccode, start, end or None = in force)."""
    return pd.DataFrame({
        "atopid": np.array([r[0] for r in rows], dtype="int64"),
        "ccode": np.array([r[1] for r in rows], dtype="int64"),
        "start_date": pd.to_datetime([r[2] for r in rows]),
        "end_date": pd.to_datetime([r[3] for r in rows]),
    })


MEMBERS = _members([
    # alliance 10: the USA from 2001 to 2004 (so shared 2001..2004, the end year included);
    # state 100 from 2000 and still in force, state 200 2001..2003
    (10, 2, "2001-03-01", "2004-06-30"),
    (10, 100, "2000-01-15", None),
    (10, 200, "2001-03-01", "2003-12-31"),
    # alliance 20 without the USA, two phases with a gap (2001, 2002): bridged into 1999..2006
    (20, 100, "1999-05-01", "2000-12-31"),
    (20, 100, "2003-01-01", "2006-07-01"),
    (20, 300, "1999-05-01", "2000-12-31"),
    (20, 300, "2003-01-01", "2006-07-01"),
    # alliance 30: state 300 with the USA, the USA in it since 1990 and still: never independent
    (30, 2, "1990-01-01", None),
    (30, 300, "2002-01-01", "2008-12-31"),
    # alliance 50 without the USA: state 400, a first phase that ended, a second still in force: 1995..
    (50, 400, "1995-01-01", "1998-12-31"),
    (50, 400, "2000-01-01", None),
    (50, 500, "1995-01-01", "1996-06-30"),  # state 500 left before the years asked
])


def test_independent_alliances_by_hand():
    """Counts per state-year worked out from the rows above for 1999-2008 (years given unsorted, repeated):

    state 100: alliance 20 in 1999-2006 (bridged over the 2001-2002 gap), alliance 10 in 2000 and from
    2005 on (the USA is in it 2001-2004): 1, 2, 1, 1, 1, 1, 2, 2, 1, 1. State 200: only alliance 10, always
    with the USA: no row. State 300: alliance 20, 1999-2006 (alliance 30 is shared). State 400: alliance 50
    every year (the in-force phase wins the bridged end). The USA: no row (every alliance of its own is
    shared). Catches a shared spell that starts a year late or ends a year early (``>``/``<`` on the
    dominant state's spell: 100 would count 2 in 2001 or 2004 and 200 would appear), a state's own spell
    ending a year early (100 and 300 in 2006), and ccodes that come back as floats."""
    years = np.array([2008, 1999, 2003, 2000, 2001, 2002, 2004, 2005, 2006, 2007, 2003], dtype="int64")
    counts = {
        100: [1, 2, 1, 1, 1, 1, 2, 2, 1, 1],
        300: [1, 1, 1, 1, 1, 1, 1, 1, 0, 0],
        400: [1] * 10,
    }
    rows = [(c, y, n) for c, ns in counts.items() for y, n in zip(range(1999, 2009), ns) if n]
    want = pd.DataFrame({"ccode": np.array([r[0] for r in rows], dtype="int64"),
                         "year": np.array([r[1] for r in rows], dtype="int64"),
                         "n_independent": np.array([r[2] for r in rows], dtype="int64")})
    got = _independent_alliances(MEMBERS, 2, years)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want)


def test_independent_alliances_boundaries_of_one_year():
    """One year at a time, the edges of each spell: in 2001 (the USA's first year in alliance 10) and 2004
    (its last) state 100 has only alliance 20; in 2006, the exit year of alliance 20, it still counts it; in
    2007 it no longer does."""
    def n(year: int, ccode: int) -> int:
        got = _independent_alliances(MEMBERS, 2, np.array([year]))
        return int(got.loc[got["ccode"] == ccode, "n_independent"].sum())

    assert [n(y, 100) for y in (2000, 2001, 2004, 2005, 2006, 2007)] == [2, 1, 1, 2, 2, 1]
    assert [n(y, 200) for y in (2001, 2003)] == [0, 0]
    assert [n(y, 300) for y in (2006, 2007)] == [1, 0]


# ------------------------------------------------------------------ the raw files


class Raw:
    """The raw files, and the definition computed from them."""

    def __init__(self, data) -> None:
        t = pd.read_csv(data / "us_military_presence" / "troopdata_country_year.csv.gz",
                        usecols=["ccode", "year", "troops_ad"])
        # the loader's documented recoding: before 1990 troopdata files West Germany and North Yemen under the
        # unified states' codes (255, 679), COW codes them 260 and 678; before 1975 its "Vietnam" (816) is
        # South Vietnam, COW 817
        early = t["year"] < 1990
        t.loc[early & (t["ccode"] == 255), "ccode"] = 260
        t.loc[early & (t["ccode"] == 679), "ccode"] = 678
        t.loc[(t["year"] < 1975) & (t["ccode"] == 816), "ccode"] = 817
        self.troops = t.groupby(["ccode", "year"])["troops_ad"].sum()
        self.troop_years = set(t["year"])
        self.pop = pd.read_csv(data / "isard" / "cw_gdppop.csv.gz").set_index(["ccode", "year"])["pwtpop"]
        a = pd.read_csv(data / "atop_v4" / "atop4_01_member_level.csv.gz", usecols=["atopid", "member", "yrent",
                                                                                   "yrexit"])
        a["yrexit"] = a["yrexit"].replace(0, np.inf)  # 0: still in force
        # one spell per member and alliance, phases bridged: first entry to last exit
        self.spells = a.groupby(["atopid", "member"]).agg(start=("yrent", "min"), end=("yrexit", "max")).reset_index()
        self.states = pd.read_csv(data / "cow_states" / "statelist2024.csv")

    def members(self, year: int) -> list[int]:
        s = self.states
        return sorted(set(s.loc[(s["styear"] <= year) & (s["endyear"] >= year), "ccode"].astype(int)))

    def troops_pc(self, ccode: int, year: int) -> float:
        """NaN outside the troop file's years; a state-year the file lacks has 0 troops."""
        if year not in self.troop_years:
            return np.nan
        return float(self.troops.get((ccode, year), 0) / (self.pop.get((ccode, year), np.nan) * 1e6))

    def alliances(self, ccode: int, year: int) -> set[int]:
        s = self.spells
        return set(s.loc[(s["member"] == ccode) & (s["start"] <= year) & (s["end"] >= year), "atopid"])

    def independent(self, ccode: int, year: int) -> float:
        if not 1815 <= year <= 2016:  # ATOP v4.01
            return np.nan
        return float(len(self.alliances(ccode, year) - self.alliances(2, year)))

    def normalisers(self, year: int) -> tuple[pd.Series, pd.Series]:
        """Troops per inhabitant and independent alliances of every member but the USA in ``year``."""
        states = [c for c in self.members(year) if c != 2]
        return (pd.Series({c: self.troops_pc(c, year) for c in states}).dropna(),
                pd.Series({c: self.independent(c, year) for c in states}))

    def row(self, ccode: int, year: int, reference_year: int = 1995) -> dict[str, float]:
        pc, ind = self.normalisers(reference_year)
        t, i = self.troops_pc(ccode, year), self.independent(ccode, year)
        h_t, h_i = t / pc.max(), 1 - i / ind.max()
        return {"us_troops_pc": t, "n_independent_alliances": i, "hier_troops": h_t,
                "hier_independent_alliances": h_i, "security_hierarchy": (h_t + h_i) / 2}


@pytest.fixture(scope="module")
def raw(shared_data) -> Raw:
    return Raw(shared_data)


@pytest.fixture(scope="module")
def default(shared_data) -> pd.DataFrame:
    return security_hierarchy(data_dir=shared_data)


@pytest.fixture(scope="module")
def edges(shared_data) -> pd.DataFrame:
    """The first and last years of the state system and of each source, and years outside the system."""
    return security_hierarchy(data_dir=shared_data, years=np.array([2025, 1815, 1816, 1949, 2003, 2016, 2019, 2024]))


def _check_row(got: pd.Series, want: dict[str, float], what) -> None:
    for col, w in want.items():
        if np.isnan(w):
            assert np.isnan(got[col]), (what, col)
        else:
            assert got[col] == pytest.approx(w, rel=1e-12, abs=1e-15), (what, col)


# ------------------------------------------------------------------ security_hierarchy


def test_default_years_run_from_the_troop_file_to_the_last_year_of_all_three_sources(default, raw):
    """Without ``years``: 1950 (the troop file's first year, later than ATOP's) to 2016 (ATOP v4.01's last,
    before the population's 2019 and the troops' 2024), every year once, each with one row per COW member
    (the raw state list). Catches a range a year short or long, one from 1816 or from year 0, or the
    default and given ``years`` swapped."""
    years = sorted(default["year"].unique())
    assert years == list(range(1950, 2017))
    for y in (1950, 1995, 2016):
        assert sorted(default.loc[default["year"] == y, "ccode"]) == raw.members(y)


def test_years_given_are_the_years_returned_outside_the_system_dropped(edges, raw):
    """Given years, those (plus the reference year 1995) come back, and no others; 1815 and 2025, outside the
    COW state system (1816-2024), are dropped, not an error; its first and last years 1816 and 2024 are
    kept with one row per member. Catches the full default range, all years, or a boundary of 1816..2024
    moved by one."""
    assert sorted(edges["year"].unique()) == [1816, 1949, 1995, 2003, 2016, 2019, 2024]
    for y in (1816, 2024):
        assert sorted(edges.loc[edges["year"] == y, "ccode"]) == raw.members(y)


@pytest.mark.parametrize(("ccode", "year"), [
    (200, 1816),  # the United Kingdom in the state system's first year: alliances only
    (365, 1949),  # Russia before the troop file: alliances known, troops NaN, so the measure NaN
    (740, 2003),  # Japan
    (20, 2003),   # Canada
    (70, 2003),   # Mexico: every alliance of it with the USA (hier_independent_alliances 1)
    (41, 2016),   # Haiti in ATOP's last year
    (255, 2016),  # Germany in ATOP's last year
    (740, 2019),  # after ATOP: alliances NaN (no in-force alliance carried on), troops known
    (200, 2024),  # after the population series: troops per inhabitant NaN
])
def test_state_years_by_hand(edges, raw, ccode, year):
    """Every column against the raw files. Catches ATOP's last year (2016) read as outside it, years after it
    filled with the alliances still in force, and a mean that skips a missing part (1949, 2019)."""
    got = edges.set_index(["ccode", "year"]).loc[(ccode, year)]
    want = raw.row(ccode, year)
    _check_row(got, want, (ccode, year))
    if year in (1949, 2019):
        assert np.isnan(got["security_hierarchy"]) and not np.isnan(got[["hier_troops",
                                                                          "hier_independent_alliances"]]).all()


def test_no_alliance_outside_atop_years_and_the_usa_has_no_value(edges, raw):
    """2019 and 2024 are after ATOP v4.01: every state's alliance count is NaN, not a count of the alliances
    still in force nor 0. The USA itself has NaN in every column (not the troops the file lists at home
    nor its 0 alliances without itself), and the columns are exactly the documented ones."""
    assert list(edges.columns) == ["ccode", "year", *RAW, *HIER]
    for y in (2019, 2024):
        assert edges.loc[edges["year"] == y, "n_independent_alliances"].isna().all(), y
    us = edges[edges["ccode"] == 2]
    assert len(us) == 7 and us[RAW + HIER].isna().all().all()
    assert raw.troops_pc(2, 2003) > 0 and raw.independent(2, 2003) == 0  # what a missed blank would show


def _serve(monkeypatch, name: str, change) -> None:
    """Serve the real source ``name`` through ``change`` (a function of the loaded frame)."""
    original = hierarchy.load_source

    def patched(source, data_dir=None):
        frame = original(source, data_dir)
        if source != name:
            return frame
        out = change(frame.copy())
        out.attrs = dict(frame.attrs)
        return out

    monkeypatch.setattr(hierarchy, "load_source", patched)


def test_a_state_the_troop_file_lacks_in_a_covered_year_has_no_troops(shared_data, raw, monkeypatch):
    """Japan's 2003 row taken out of the troop file: inside the file's years a state without a row has 0
    troops (hier_troops 0, the measure half its alliance part), not NaN or 1. Mexico has no alliance without
    the USA in 2003 (by hand): 0 independent alliances (hier_independent_alliances 1), not NaN or 1."""
    _serve(monkeypatch, "us_troops", lambda f: f[~((f["ccode"] == 740) & (f["year"] == 2003))])
    got = security_hierarchy(data_dir=shared_data, years=np.array([2003])).set_index(["ccode", "year"])
    japan = got.loc[(740, 2003)]
    want = raw.row(740, 2003)
    assert japan["us_troops_pc"] == 0.0 and japan["hier_troops"] == 0.0
    assert japan["security_hierarchy"] == pytest.approx(want["hier_independent_alliances"] / 2, rel=1e-12)
    assert raw.independent(70, 2003) == 0
    mexico = got.loc[(70, 2003)]
    assert mexico["n_independent_alliances"] == 0.0 and mexico["hier_independent_alliances"] == 1.0


def test_a_year_missing_from_the_troop_file_is_nan_with_a_warning(shared_data, raw, monkeypatch):
    """The troop file without 2000: the 2000 troop values are NaN (no data, not "no troops"), with a
    StaleDataWarning naming the step and the year, while 1999 and 2001 keep their hand values."""
    _serve(monkeypatch, "us_troops", lambda f: f[f["year"] != 2000])
    with pytest.warns(StaleDataWarning, match=r"^security_hierarchy\(\): source 'us_troops' has no rows for 2000 "):
        got = security_hierarchy(data_dir=shared_data, years=np.array([1999, 2000, 2001]))
    y2000 = got[got["year"] == 2000]
    assert len(y2000) > 150 and y2000["us_troops_pc"].isna().all() and y2000["security_hierarchy"].isna().all()
    assert y2000["n_independent_alliances"].notna().sum() == len(y2000) - 1  # all but the USA
    got = got.set_index(["ccode", "year"])
    for year in (1999, 2001):
        assert got.loc[(740, year), "us_troops_pc"] == pytest.approx(raw.troops_pc(740, year), rel=1e-12)


@pytest.mark.parametrize("reference_year", [1950, 2016])
def test_the_reference_year_is_scaled_to_one(shared_data, raw, reference_year):
    """The first (1950) and last (2016) years the three sources share are valid reference years: there the
    largest troops per inhabitant (by hand over the members, USA left out) gives hier_troops exactly 1 and
    the largest alliance count hier_independent_alliances exactly 0. attrs name the dominant state and the
    reference year, under those keys."""
    got = security_hierarchy(data_dir=shared_data, reference_year=reference_year, years=np.array([2003]))
    assert got.attrs == {"dominant": 2, "reference_year": reference_year}
    assert sorted(got["year"].unique()) == sorted({reference_year, 2003})
    ref = got[got["year"] == reference_year].set_index("ccode")
    pc, ind = raw.normalisers(reference_year)
    assert ref.loc[pc.idxmax(), "hier_troops"] == 1.0 and ref["hier_troops"].max() == 1.0
    assert ref.loc[ind.idxmax(), "hier_independent_alliances"] == 0.0
    assert ref["us_troops_pc"].max() == pytest.approx(pc.max(), rel=1e-12)
    japan = got.set_index(["ccode", "year"]).loc[(740, 2003)]
    _check_row(japan, raw.row(740, 2003, reference_year), reference_year)


@pytest.mark.parametrize("reference_year", [1949, 2017])
def test_a_reference_year_outside_the_common_years_is_refused(shared_data, reference_year):
    """1950-2016 by hand: troops from 1950, ATOP to 2016 (population 1816-2019 in between)."""
    with pytest.raises(CoverageError, match=rf"^reference_year {reference_year} outside the years with troops, "
                                            r"population and alliances \(1950-2016\)$"):
        security_hierarchy(data_dir=shared_data, reference_year=reference_year)


def _narrow(monkeypatch, name: str, **years) -> None:
    """The registry as it would read if source ``name`` covered other years (a new release)."""
    import coalitionlab.data as data

    original = data.get_source
    narrowed = dataclasses.replace(original(name), **years)
    monkeypatch.setattr(data, "get_source", lambda n: narrowed if n == name else original(n))


@pytest.mark.parametrize(("name", "years", "span"), [
    ("atop_members", {"first_year": 1996}, "1996-2016"),
    ("gdp_population", {"first_year": 1996}, "1996-2016"),
    ("us_troops", {"last_year": 1994}, "1950-1994"),
    ("gdp_population", {"last_year": 1994}, "1950-1994"),
    ("atop_members", {"last_year": 1994}, "1950-1994"),
])
def test_each_source_bounds_the_reference_year(shared_data, monkeypatch, name, years, span):
    """The reference year must lie in all three sources: with any one of them (in turn) starting after or
    ending before 1995 in the registry, 1995 is refused, and the message gives the common years by hand.
    In today's registry ATOP starts first and ends first, so leaving out another bound would go unseen."""
    _narrow(monkeypatch, name, **years)
    with pytest.raises(CoverageError, match=rf"^reference_year 1995 outside the years with troops, population "
                                            rf"and alliances \({span}\)$"):
        security_hierarchy(data_dir=shared_data)


def test_the_first_year_of_atop_counts_as_inside_it(shared_data, raw, monkeypatch):
    """With the registry saying ATOP starts in 1990, 1990 has alliance counts (the UK's by hand) and 1989 has
    none: the first year is inside the source. (ATOP v4.01 starts in 1815, before the state system, so only
    a moved first year shows the boundary.)"""
    _narrow(monkeypatch, "atop_members", first_year=1990)
    got = security_hierarchy(data_dir=shared_data, years=np.array([1989, 1990]))
    assert got.loc[got["year"] == 1989, "n_independent_alliances"].isna().all()
    uk = got.set_index(["ccode", "year"]).loc[(200, 1990)]
    assert uk["n_independent_alliances"] == raw.independent(200, 1990)
    assert got.loc[(got["year"] == 1990) & (got["ccode"] != 2), "n_independent_alliances"].notna().all()


def test_only_the_usa_can_be_the_dominant_state(shared_data):
    with pytest.raises(UnknownOptionError, match=r"^dominant=365: the troop data \(troopdata\) record US deployments "
                                                 r"only, so Lake's security hierarchy can be built for the USA "
                                                 r"\(ccode 2\) only$"):
        security_hierarchy(data_dir=shared_data, dominant=365)


@pytest.mark.parametrize(("name", "column", "candidates"), [
    ("us_troops", "troops_ad", r"\['troops', 'troops_ad'\]"),
    ("gdp_population", "pwtpop", r"\['population', 'pwtpop'\]"),
])
def test_a_source_without_its_column_is_named_in_the_error(shared_data, monkeypatch, name, column, candidates):
    """The troop (population) file without its count column: the error names the source and the columns it
    looked for."""
    _serve(monkeypatch, name, lambda f: f.drop(columns=[column]))
    with pytest.raises(DataFileError, match=rf"^source '{name}' has none of the columns {candidates}; found \["):
        security_hierarchy(data_dir=shared_data, years=np.array([2003]))


def test_the_first_named_column_is_read_before_the_alternative(shared_data, raw, monkeypatch):
    """A troop file that also has a ``troops`` column (here three times troops_ad) and a population file that
    also has ``population`` (here twice pwtpop): those are read first, so the troops per inhabitant are
    3 / 2 of the raw troops_ad / pwtpop ratio. (The real files have only troops_ad and pwtpop, which the
    raw-file values above show are read when the first names are absent.)"""
    _serve(monkeypatch, "us_troops", lambda f: f.assign(troops=f["troops_ad"] * 3))
    original = hierarchy.load_source
    monkeypatch.setattr(hierarchy, "load_source", lambda n, d=None: original(n, d).assign(
        population=lambda f: f["pwtpop"] * 2) if n == "gdp_population" else original(n, d))
    got = security_hierarchy(data_dir=shared_data, years=np.array([2003])).set_index(["ccode", "year"])
    for c in (740, 200):
        assert got.loc[(c, 2003), "us_troops_pc"] == pytest.approx(raw.troops_pc(c, 2003) * 3 / 2, rel=1e-12)


# ------------------------------------------------------------------ add_hierarchy


def test_add_hierarchy_on_state_years_reads_the_panel_s_own_years(shared_data, raw):
    """Years outside the default 1950-2016 keep their values: 1949 has the alliance part, 2019 the troop
    part (by hand), so the panel's years, not the default range, must be computed."""
    sy = create_stateyears(years=[1949, 2003, 2019], data_dir=shared_data)
    out = add_hierarchy(sy, data_dir=shared_data).set_index(["ccode", "year"])
    for key in ((365, 1949), (740, 2003), (740, 2019), (200, 1949)):
        _check_row(out.loc[key], {c: raw.row(*key)[c] for c in HIER}, key)


def test_add_hierarchy_on_dyad_years_describes_the_second_state(shared_data, raw):
    """Dyad-years get the columns with the suffix 2, the values of ccode2 (by hand), NaN where ccode2 is the
    USA; no unsuffixed columns."""
    dy = create_dyadyears(years="2003:2003", data_dir=shared_data)
    out = add_hierarchy(dy, data_dir=shared_data)
    assert list(out.columns) == [*dy.columns, *(c + "2" for c in HIER)]
    for c2 in (740, 20):
        rows = out[out["ccode2"] == c2]
        assert len(rows) > 150
        want = raw.row(c2, 2003)
        for col in HIER:
            assert rows[col + "2"].to_numpy() == pytest.approx(np.full(len(rows), want[col]), rel=1e-12), (c2, col)
    assert out.loc[out["ccode2"] == 2, [c + "2" for c in HIER]].isna().all().all()


@pytest.mark.parametrize("reference_year", [1995, 2000])
def test_add_hierarchy_records_its_sources_and_settings(shared_data, reference_year):
    """attrs: the registry's version of each of the three sources, each new column stamped with the troop
    source, its coverage (troops' first year to ATOP's last) and the note, and the settings under
    ``hierarchy``."""
    sy = create_stateyears(years="2003:2003", data_dir=shared_data)
    out = add_hierarchy(sy, data_dir=shared_data, reference_year=reference_year)
    want_sources = dict(sy.attrs["sources"])
    want_sources.update({n: get_source(n).version for n in ("us_troops", "gdp_population", "atop_members")})
    assert out.attrs["sources"] == want_sources
    assert out.attrs["sources"]["atop_members"] == "4.01"
    for col in HIER:
        assert out.attrs["columns"][col] == {
            "source": "us_troops", "coverage": [1950, 2016],
            "note": f"Lake security hierarchy of ccode 2, normalised to {reference_year}"}
    assert out.attrs["hierarchy"] == {"dominant": 2, "reference_year": reference_year}


def test_add_hierarchy_errors_name_the_step(shared_data):
    not_a_panel = pd.DataFrame({"ccode": [2], "year": [2003]})
    with pytest.raises(PanelTypeError, match=r"^add_hierarchy\(\) needs a state_year or dyad_year panel, got "
                                             r"attrs\['unit'\]=None; start with create_dyadyears\(\)$"):
        add_hierarchy(not_a_panel, data_dir=shared_data)
    no_key = pd.DataFrame({"ccode1": [2], "year": [2003]})
    no_key.attrs["unit"] = "dyad_year"
    with pytest.raises(PanelTypeError, match=r"^add_hierarchy\(\): dyad_year panel lacks key column\(s\) ccode2; "
                                             r"start with create_dyadyears\(\)$"):
        add_hierarchy(no_key, data_dir=shared_data)


def test_the_data_dir_given_is_the_one_read(shared_data, state_system_reads):
    """$COALITIONLAB_DATA pointing at an empty folder (a named location, so no fallback to the embedded
    seed): an explicit ``data_dir`` is what every read uses, the state system of the panel and of the
    existence rule included (every read of it recorded), and the result is the plain call's."""
    sy = create_stateyears(years=[1990, 2003], data_dir=shared_data)
    want = add_hierarchy(sy, data_dir=shared_data)
    calls = state_system_reads()
    got = add_hierarchy(sy, data_dir=shared_data)
    pd.testing.assert_frame_equal(got, want)
    assert len(calls) >= 2
    assert all(str(d) == str(shared_data) and s != "seed" for d, s in calls), calls


def test_the_vietnam_war_deployment_is_south_vietnam_s(shared_data, raw):
    """1970: the raw troop file's 410,878 active-duty troops in "Vietnam" (its code 816) were in South
    Vietnam (COW 817); COW's 816 is North Vietnam then, which hosted none. Troops per inhabitant by hand
    from the raw troop and population rows."""
    raw_troops = pd.read_csv(shared_data / "us_military_presence" / "troopdata_country_year.csv.gz")
    in_1970 = raw_troops.loc[(raw_troops.year == 1970) & raw_troops.ccode.isin([816, 817]), "troops_ad"].sum()
    h = security_hierarchy(data_dir=shared_data, years=np.array([1970])).query("year == 1970").set_index("ccode")
    assert in_1970 == 410_878
    assert h.loc[816, "us_troops_pc"] == 0.0
    assert h.loc[817, "us_troops_pc"] == pytest.approx(in_1970 / (raw.pop.loc[(817, 1970)] * 1e6), rel=1e-12)


def test_a_year_that_is_not_a_whole_number_is_refused(shared_data):
    """2003.7 is not a year: an error naming it, not the hierarchy of 2003 (an integer cast would truncate)."""
    with pytest.raises(CoverageError, match=r"^cannot read year 2003\.7 in \[2003\.7\]; years are whole numbers"):
        security_hierarchy(data_dir=shared_data, years=np.array([2003.7]))
    whole = security_hierarchy(data_dir=shared_data, years=np.array([2003.0]))
    assert sorted(whole["year"].unique()) == [1995, 2003]
