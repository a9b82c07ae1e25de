"""The public embeddedness functions: cases that mutation testing showed the other tests let through
(see docs/development/mutation.md).

Covers ``embeddedness`` (errors, the lead and partner list, the totals, shares, z-scores, column and
row order and ``attrs``) and ``add_embeddedness`` (column checks, dates, incomplete rows, the
de-duplicated (lead, ccode, date) rows it asks for, the merge back onto the panel, z-scores per lead
and date, dtypes, prefix and ``attrs``). The oracles never go through the code under test: a
recorder stands in for ``embeddedness_pairs`` (and for ``_mode``, ``_spells``, ``_coverage``,
``_versions`` and ``parse_date`` where needed) so the test sees exactly what was asked and chooses
what comes back; expected values, error and warning texts are written out by hand; z-scores and
sort orders come from plain Python loops (``statistics.pstdev``); one real seed call is checked
against a loop over the state-system spells.
"""

from __future__ import annotations

import importlib
import math
import statistics
import warnings

import numpy as np
import pandas as pd
import pytest

from coalitionlab.errors import CoverageError, MissingValueWarning, PanelTypeError, UnknownCountryError

emb = importlib.import_module("coalitionlab.measures.embeddedness")

D = pd.Timestamp  # short


def _spells_frame() -> pd.DataFrame:
    """A tiny state system (COW dates), deliberately not sorted by ccode."""
    rows = [
        (200, "1816-01-01", "2024-12-31"),
        (345, "1878-07-13", "2024-12-31"),
        (2, "1816-01-01", "2024-12-31"),
        (316, "1993-01-01", "2024-12-31"),
        (255, "1816-01-01", "1945-05-08"),
        (255, "1990-10-03", "2024-12-31"),
        (20, "1920-01-10", "2024-12-31"),
        (260, "1955-05-05", "1990-10-02"),
        (315, "1945-05-10", "1992-12-31"),
    ]
    return pd.DataFrame({"ccode": np.array([r[0] for r in rows], "int64"),
                         "start_date": pd.to_datetime([r[1] for r in rows]).astype("datetime64[us]"),
                         "end_date": pd.to_datetime([r[2] for r in rows]).astype("datetime64[us]")})


SEED_SOURCES = {"seed.us_defence_treaties": "2026.11", "seed.igo_membership_long": "2026.11"}

# partner -> (alliances, igos, nonsecurity, sociability_igos); embeddedness = alliances + igos
VALUES = {20: (1.0, 0.0, 0.0, 11.0), 200: (2.0, 2.0, 1.0, 12.0), 255: (0.0, 4.0, 3.0, 13.0),
          316: (1.0, 0.0, 0.0, 14.0), 345: (np.nan, np.nan, np.nan, 15.0),
          2: (5.0, 5.0, 5.0, 16.0), 260: (6.0, 6.0, 6.0, 17.0), 315: (7.0, 7.0, 7.0, 18.0)}
SLOT = {"alliances": 0, "igos": 1}  # which VALUES entry a component takes
PARTNERS_2000 = [20, 200, 255, 316, 345]  # members on 2000-06-15 but the USA, by ccode


class PairsRecorder:
    """Stands in for ``embeddedness_pairs``: records the call, returns chosen values aligned with ``pairs``."""

    def __init__(self, totals=None, years=None, is_seed=True, weights=None, stale=None, extra=True):
        self.calls = []
        self.totals, self.years, self.is_seed = totals, years, is_seed
        self.weights, self.stale, self.extra = weights, stale, extra

    def __call__(self, pairs, **kw):
        self.calls.append((pairs.copy(), kw))
        comps = list(kw["components"] or ["alliances", "igos"])
        n = len(pairs)
        vals = pd.DataFrame(index=pairs.index)
        ccodes = pairs["ccode"].to_numpy()
        for j, c in enumerate(comps):
            vals[c] = [VALUES[int(k)][SLOT[c]] for k in ccodes]
        tot = (self.totals if self.totals is not None
               else [sum(VALUES[int(k)][SLOT[c]] for c in comps) for k in ccodes])
        vals["embeddedness"] = np.asarray(tot, "float64")
        vals["embeddedness_nonsecurity"] = [VALUES[int(k)][2] for k in ccodes]
        vals["embeddedness_security"] = vals["embeddedness"] - vals["embeddedness_nonsecurity"]
        if self.extra:
            vals["sociability_igos"] = [VALUES[int(k)][3] for k in ccodes]
            vals["sociability_treaties"] = [VALUES[int(k)][3] + 100 for k in ccodes]
            vals["junk"] = 1.0
        years = self.years or {c: np.full(n, 2000.0 - j) for j, c in enumerate(comps)}
        for c in comps:
            vals[f"{c}_year"] = pd.Series(years[c], index=pairs.index).astype("Int64")
        vals["inherited_from"] = pd.Series(np.where(ccodes == 316, 315, np.nan), index=pairs.index).astype("Int64")
        meta = {"components": comps, "weights": self.weights or {c: 1.0 + j for j, c in enumerate(comps)},
                "years_used": years, "is_seed": self.is_seed, "stale": self.stale or {},
                "lag_years": kw["lag_years"], "successors": kw["successors"],
                "carry_forward": kw["carry_forward"]}
        return vals, meta


@pytest.fixture
def world(monkeypatch):
    """Fake state system and a recorder for embeddedness_pairs; returns a namespace to tune them."""
    class W:
        pass

    w = W()
    w.spells_calls = []
    w.pairs = PairsRecorder()

    def fake_spells(data_dir, is_seed):
        w.spells_calls.append((data_dir, is_seed))
        return _spells_frame()

    monkeypatch.setattr(emb, "_spells", fake_spells)
    monkeypatch.setattr(emb, "embeddedness_pairs", lambda pairs, **kw: w.pairs(pairs, **kw))
    return w


def _z(values):
    """Population z-scores of a list with NaNs left out (NaN when the spread is 0)."""
    ok = [v for v in values if not math.isnan(v)]
    sd = statistics.pstdev(ok) if ok else 0.0
    mean = statistics.fmean(ok) if ok else 0.0
    return [math.nan if (math.isnan(v) or not sd) else (v - mean) / sd for v in values]


def _same(got, expected):
    got = [float(x) for x in got]
    assert len(got) == len(expected), (got, expected)
    for g, e in zip(got, expected):
        assert (math.isnan(g) and math.isnan(e)) or g == pytest.approx(e, rel=1e-12, abs=1e-12), (got, expected)


# ====================================================================== embeddedness(): errors


def test_time_zone_date_is_refused_with_its_text(world, monkeypatch):
    """a zoned Timestamp from the date reader is refused, with the exact text (catches a dropped or inverted check)."""
    monkeypatch.setattr(emb, "parse_date", lambda d: pd.Timestamp("2000-06-15 00:00", tz="Europe/Paris"))
    with pytest.raises(CoverageError) as e:
        emb.embeddedness(2, "2000-06-15", source="seed")
    assert str(e.value) == "date '2000-06-15' carries a time zone; give a calendar day, e.g. '2003-03-20'"


def test_lead_outside_the_state_system_is_unknown(world):
    """a lead with no spell at all: UnknownCountryError naming the lead as given and the reason."""
    with pytest.raises(UnknownCountryError) as e:
        emb.embeddedness("Spain", "2000-06-15", source="seed")
    assert str(e.value) == "unknown country 'Spain' (not in the COW state system)"


def test_lead_not_a_member_on_the_date_lists_every_period(world):
    """the error names every spell of the lead (its own, '; '-joined), not another state's."""
    with pytest.raises(CoverageError) as e:
        emb.embeddedness(255, "1970-01-01", source="seed")
    assert str(e.value) == ("lead 255 (ccode 255) is not a state-system member on 1970-01-01; "
                            "member 1816-01-01 to 1945-05-08; 1990-10-03 to 2024-12-31")


@pytest.mark.parametrize("day", ["1990-10-03", "1945-05-08"])
def test_first_and_last_day_of_a_spell_count_as_member(world, day):
    """a lead is a member on the first and on the last day of its spell (catches < / > for <= / >=)."""
    out = emb.embeddedness(255, day, source="seed", components=["igos"])
    assert out.attrs["date"] == day
    assert 255 not in out["ccode"].tolist()


@pytest.mark.parametrize("lead, date, lag, successors, text", [
    (255, "1991-01-01", 2, "missing",
     "lead 255 (ccode 255) was not a state-system member on the measurement day 1989-01-01 "
     "(1991-01-01 minus lag 2); successors='inherit' uses its predecessor's ties"),
    (255, "1991-01-01", 40, "inherit",
     "lead 255 (ccode 255) was not a state-system member on the measurement day 1951-01-01 "
     "(1991-01-01 minus lag 40)"),
    (20, "2000-06-15", 90, "missing",
     "lead 20 (ccode 20) was not a state-system member on the measurement day 1910-06-15 "
     "(2000-06-15 minus lag 90)"),
])
def test_lead_not_a_member_on_the_measurement_day(world, lead, date, lag, successors, text):
    """exact text; the successors hint only for a successor state read with successors='missing'."""
    with pytest.raises(CoverageError) as e:
        emb.embeddedness(lead, date, source="seed", components=["igos"], lag_years=lag, successors=successors)
    assert str(e.value) == text


def test_successor_lead_inherits_on_the_measurement_day(world):
    """with successors='inherit' Germany in 1989 stands on the German Federal Republic: no error."""
    out = emb.embeddedness(255, "1991-01-01", source="seed", components=["igos"], lag_years=2, successors="inherit")
    assert out.attrs["measured_on"] == "1989-01-01"
    assert world.pairs.calls[0][1]["successors"] == "inherit"


@pytest.mark.parametrize("carry, hint", [(True, ""), (False, "; pass carry_forward=True to use each source's last year")])
def test_no_component_with_data_names_the_coverage(world, carry, hint):
    """every component NaN: the error gives each component's seed coverage, and the hint only without carry_forward."""
    world.pairs.years = {"alliances": np.full(5, np.nan), "igos": np.full(5, np.nan)}
    with pytest.raises(CoverageError) as e:
        emb.embeddedness(2, "2000-06-15", source="seed", carry_forward=carry)
    assert str(e.value) == ("no component has data on or before 2000-06-15 (lag 0); "
                            "coverage: alliances (1945, 2024), igos (1945, 2024)" + hint)


def test_no_component_with_data_asks_coverage_per_component(world, monkeypatch):
    """the coverage is asked for each component with the run's is_seed (a recorder stands in for it)."""
    calls = []

    def fake_coverage(comp, is_seed):
        calls.append((comp.name, is_seed))
        return (comp.name[:3], is_seed)

    monkeypatch.setattr(emb, "_coverage", fake_coverage)
    monkeypatch.setattr(emb, "_mode", lambda source, data_dir: False)
    world.pairs.years = {"alliances": np.full(5, np.nan), "igos": np.full(5, np.nan)}
    with pytest.raises(CoverageError) as e:
        emb.embeddedness(2, "2000-06-15", components=["alliances", "igos"], lag_years=0)
    assert str(e.value) == ("no component has data on or before 2000-06-15 (lag 0); "
                            "coverage: alliances ('all', False), igos ('igo', False)")
    assert calls == [("alliances", False), ("igos", False)]


# ====================================================================== embeddedness(): what it asks


def test_defaults_reach_the_collaborators(world, monkeypatch):
    """source='auto', lag 0, successors='missing', carry_forward=True, sociability=True by default."""
    modes = []
    monkeypatch.setattr(emb, "_mode", lambda source, data_dir: modes.append((source, data_dir)) or True)
    out = emb.embeddedness(2, "2000-06-15")
    assert modes == [("auto", None)]
    assert world.spells_calls == [(None, True)]
    pairs, kw = world.pairs.calls[0]
    assert kw == {"data_dir": None, "components": ["alliances", "igos"], "weights": None, "lag_years": 0,
                  "is_seed": True, "successors": "missing", "carry_forward": True, "sociability": True}
    assert out.attrs["lag_years"] == 0 and out.attrs["measured_on"] == "2000-06-15"
    assert out.attrs["carry_forward"] is True and out.attrs["successors"] == "missing"


def test_arguments_are_passed_through(world, monkeypatch):
    """data_dir, components (in the given order), weights, lag, is_seed, successors, carry_forward reach the calls."""
    modes = []
    monkeypatch.setattr(emb, "_mode", lambda source, data_dir: modes.append((source, data_dir)) or True)
    weights = {"igos": 2.0}
    out = emb.embeddedness(2, "2000-02-29 00:00", data_dir="/no/such/dir", components=["igos", "alliances"],
                           weights=weights, lag_years=3, source="seed", successors="inherit", carry_forward=0)
    assert modes == [("seed", "/no/such/dir")]
    assert world.spells_calls == [("/no/such/dir", True)]
    pairs, kw = world.pairs.calls[0]
    assert kw == {"data_dir": "/no/such/dir", "components": ["igos", "alliances"], "weights": {"igos": 2.0},
                  "lag_years": 3, "is_seed": True, "successors": "inherit", "carry_forward": 0, "sociability": True}
    assert kw["weights"] is weights
    assert out.attrs["measured_on"] == "1997-02-28" and out.attrs["date"] == "2000-02-29"
    assert out.attrs["lag_years"] == 3 and out.attrs["successors"] == "inherit"
    assert out.attrs["carry_forward"] is False


def test_pairs_are_the_members_on_the_date_but_the_lead_sorted(world):
    """pairs: lead_ccode, ccode (members on the date minus the lead, by ccode), date (the day, normalised)."""
    emb.embeddedness(2, "2000-06-15 13:45", source="seed", components=["igos"])
    pairs, _ = world.pairs.calls[0]
    assert list(pairs.columns) == ["lead_ccode", "ccode", "date"]
    assert pairs["lead_ccode"].tolist() == [2] * 5
    assert pairs["ccode"].tolist() == PARTNERS_2000
    assert pairs["date"].tolist() == [D("2000-06-15")] * 5


def test_partner_list_another_lead_and_day(world):
    """lead 200 in 1980: partners 2, 20, 260, 315, 345 (not 255, between its spells); a loop over the spells agrees."""
    emb.embeddedness(200, "1980-01-01", source="seed", components=["igos"])
    pairs, _ = world.pairs.calls[0]
    sp = _spells_frame()
    expected = sorted({int(c) for c, s, e in zip(sp["ccode"], sp["start_date"], sp["end_date"])
                       if s <= D("1980-01-01") <= e and c != 200})
    assert expected == [2, 20, 260, 315, 345]
    assert pairs["ccode"].tolist() == expected


@pytest.mark.parametrize("lead, components, mode, expected", [
    (2, None, True, ["alliances", "igos"]),          # the USA on the seed: both seed components
    (200, None, True, ["igos"]),                     # another lead on the seed: igos only
    (2, ["alliances"], True, ["alliances"]),         # components given: kept
    (200, ["alliances", "igos"], True, ["alliances", "igos"]),
    (200, ["alliances"], False, ["alliances"]),      # full sources: never cut to igos
])
def test_components_asked_for(world, monkeypatch, lead, components, mode, expected):
    """the seed's agreements are the USA's: only a non-USA lead with default components is cut to igos."""
    monkeypatch.setattr(emb, "_mode", lambda source, data_dir: mode)
    monkeypatch.setattr(emb, "_versions", lambda comps, is_seed: {"v": (tuple(comps), is_seed)})
    out = emb.embeddedness(lead, "2000-06-15", components=components)
    assert world.pairs.calls[0][1]["components"] == expected
    assert out.attrs["components"] == expected
    assert out.attrs["sources"] == {"v": (tuple(expected), mode)}


# ====================================================================== embeddedness(): the table


COLUMNS = ["ccode", "country", "alliances", "igos", "embeddedness", "embeddedness_log1p", "embeddedness_share",
           "embeddedness_z", "embeddedness_nonsecurity", "embeddedness_security", "alliances_z", "igos_z",
           "sociability_igos", "sociability_treaties", "alliances_year", "igos_year", "inherited_from"]


def test_table_values_order_and_names(world):
    """columns in the documented order, rows by embeddedness desc then ccode asc with NaN last, every value."""
    out = emb.embeddedness(2, "2000-06-15", source="seed")
    assert list(out.columns) == COLUMNS
    assert isinstance(out.index, pd.RangeIndex) and out.index.tolist() == [0, 1, 2, 3, 4]
    # totals: 20 -> 1, 200 -> 4, 255 -> 4, 316 -> 1, 345 -> NaN
    assert out["ccode"].tolist() == [200, 255, 20, 316, 345]
    assert out["country"].tolist() == ["United Kingdom", "Germany", "Canada", "Czech Republic", "Yugoslavia"]
    _same(out["embeddedness"], [4, 4, 1, 1, math.nan])
    _same(out["alliances"], [2, 0, 1, 1, math.nan])
    _same(out["igos"], [2, 4, 0, 0, math.nan])
    _same(out["embeddedness_log1p"], [math.log(5), math.log(5), math.log(2), math.log(2), math.nan])
    _same(out["embeddedness_share"], [0.4, 0.4, 0.1, 0.1, math.nan])
    _same(out["embeddedness_nonsecurity"], [1, 3, 0, 0, math.nan])
    _same(out["embeddedness_security"], [3, 1, 1, 1, math.nan])
    _same(out["sociability_igos"], [12, 13, 11, 14, 15])
    _same(out["sociability_treaties"], [112, 113, 111, 114, 115])
    za, zi = _z([2, 0, 1, 1, math.nan]), _z([2, 4, 0, 0, math.nan])
    _same(out["alliances_z"], za)
    _same(out["igos_z"], zi)
    _same(out["embeddedness_z"], [a + b for a, b in zip(za, zi)])
    assert str(out["alliances_year"].dtype) == "Int64"
    assert out["alliances_year"].tolist() == [2000] * 5 and out["igos_year"].tolist() == [1999] * 5
    assert out["inherited_from"].tolist()[3] == 315 and out["inherited_from"].isna().sum() == 4


def test_attrs_every_key(world):
    """attrs: every documented key with its exact value (weights and stale from the pairs' meta)."""
    world.pairs.weights = {"alliances": 1.0, "igos": 0.5}
    world.pairs.stale = {"igos": "igos: stale"}
    out = emb.embeddedness("USA", "2000-06-15 08:00", source="seed", carry_forward=1)
    assert out.attrs == {
        "unit": "lead_partner", "lead_ccode": 2, "date": "2000-06-15", "measured_on": "2000-06-15",
        "is_seed": True, "components": ["alliances", "igos"], "weights": {"alliances": 1.0, "igos": 0.5},
        "lag_years": 0, "successors": "missing", "carry_forward": True, "stale": {"igos": "igos: stale"},
        "years_used": {"alliances": 2000, "igos": 1999}, "sources": SEED_SOURCES,
    }
    assert type(out.attrs["years_used"]["alliances"]) is int
    assert out.attrs["carry_forward"] is True


def test_attrs_is_seed_comes_from_the_meta(world):
    """attrs['is_seed'] is what the pairs computation reports."""
    world.pairs.is_seed = "from-meta"
    out = emb.embeddedness(2, "2000-06-15", source="seed")
    assert out.attrs["is_seed"] == "from-meta"


def test_years_used_none_where_the_first_row_is_nan(world):
    """years_used is the first row's year: None when it is NaN, else an int (not the second row's)."""
    world.pairs.years = {"alliances": np.array([np.nan, 2000, 2000, 2000, 2000.0]),
                         "igos": np.array([1999, np.nan, np.nan, np.nan, np.nan])}
    out = emb.embeddedness(2, "2000-06-15", source="seed")
    assert out.attrs["years_used"] == {"alliances": None, "igos": 1999}


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # log1p(-1)
@pytest.mark.parametrize("totals, share", [
    ([np.nan, np.nan, 3.0, np.nan, np.nan], {255: 1.0}),                 # one partner with a total: share 1
    ([0.25, 0.25, 0.0, 0.0, np.nan], {20: 0.5, 200: 0.5, 255: 0.0, 316: 0.0}),  # a sum under 1 still divides
    ([-1.0, -1.0, 0.0, 0.0, 0.0], {}),                                  # a negative sum: NaN
    ([0.0, 0.0, 0.0, 0.0, 0.0], {}),                                    # a zero sum: NaN
])
def test_share_is_total_over_sum_only_for_a_positive_sum(world, totals, share):
    """embeddedness_share = total / sum of totals (NaN ignored), NaN everywhere when the sum is not > 0."""
    world.pairs.totals = totals
    out = emb.embeddedness(2, "2000-06-15", source="seed")
    got = dict(zip(out["ccode"], out["embeddedness_share"]))
    for c in PARTNERS_2000:
        e = share.get(c, math.nan)
        assert (math.isnan(got[c]) and math.isnan(e)) or got[c] == pytest.approx(e), (c, got)


def test_sort_ties_by_ccode_and_nan_last(world):
    """equal totals by ccode ascending; NaN totals last whatever their ccode."""
    world.pairs.totals = [np.nan, 5.0, 5.0, 7.0, 5.0]  # 20 NaN, 200/255/345 tie, 316 top
    out = emb.embeddedness(2, "2000-06-15", source="seed")
    rows = sorted(zip(out["ccode"], out["embeddedness"]))
    order = [c for c, _ in sorted(rows, key=lambda r: (math.isnan(r[1]), -(0 if math.isnan(r[1]) else r[1]), r[0]))]
    assert order == [316, 200, 255, 345, 20]
    assert out["ccode"].tolist() == order


def test_country_names_follow_the_date(world):
    """345 is Yugoslavia before 2006-06-03 and Serbia after: names are read on the date."""
    out = emb.embeddedness(2, "2010-01-01", source="seed", components=["igos"])
    assert dict(zip(out["ccode"], out["country"]))[345] == "Serbia"
    out = emb.embeddedness(2, "2000-06-15", source="seed", components=["igos"])
    assert dict(zip(out["ccode"], out["country"]))[345] == "Yugoslavia"


# ====================================================================== embeddedness(): real seed


def test_real_seed_usa_and_uk():
    """one real seed call each: partners = a loop over the seed spells, sorted as documented, attrs by hand."""
    from coalitionlab.measures.panel import system_spells

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = emb.embeddedness("USA", "2003-03-20", source="seed")
        uk = emb.embeddedness("United Kingdom", "2003-03-20", source="seed")
        sp = system_spells(source="seed")
    day = D("2003-03-20")
    members = {int(c) for c, s, e in zip(sp["ccode"], sp["start_date"], sp["end_date"]) if s <= day <= e}
    assert sorted(out["ccode"]) == sorted(members - {2})
    assert sorted(uk["ccode"]) == sorted(members - {200})
    assert out.attrs["years_used"] == {"alliances": 2003, "igos": 2002}
    assert out.attrs["sources"] == SEED_SOURCES and out.attrs["is_seed"] is True
    assert uk.attrs["components"] == ["igos"] and uk.attrs["sources"] == {"seed.igo_membership_long": "2026.11"}
    assert "alliances" not in uk.columns
    tot = out["embeddedness"].tolist()
    keys = [((1, 0) if math.isnan(t) else (0, -t), c) for t, c in zip(tot, out["ccode"])]
    assert keys == sorted(keys)
    s = sum(t for t in tot if not math.isnan(t))
    _same(out["embeddedness_share"], [t / s for t in tot])


# ====================================================================== add_embeddedness()


A, B = "2000-06-15", "2001-01-01"


def _panel():
    """Duplicates, a lead==ccode row, two dates, two leads; a shuffled, non-default index."""
    rows = [(2, 20, A), (2, 200, A), (2, 20, A), (2, 2, A), (2, 20, B), (200, 20, A), (2, 255, A), (2, 316, B)]
    p = pd.DataFrame({"lead_ccode": [r[0] for r in rows], "ccode": [r[1] for r in rows],
                      "start_date": [r[2] for r in rows], "note": list("abcdefgh")},
                     index=[17, 3, 11, 5, 29, 2, 8, 13])
    return p


UNIQ = [(2, 20, A), (2, 200, A), (2, 20, B), (200, 20, A), (2, 255, A), (2, 316, B)]


@pytest.fixture
def fake_pairs(monkeypatch):
    rec = PairsRecorder(extra=False)
    monkeypatch.setattr(emb, "embeddedness_pairs", rec)
    return rec


def _kw(**over):
    kw = {"data_dir": None, "components": ["alliances", "igos"], "weights": None, "lag_years": 0, "source": "seed",
          "successors": "missing", "carry_forward": False, "sociability": False, "progress": None}
    kw.update(over)
    return kw


def test_add_asks_each_distinct_pair_once(fake_pairs):
    """distinct (lead, ccode, date) rows in first-seen order, lead==ccode and duplicates left out, int64/ns, fresh index."""
    emb.add_embeddedness(_panel(), components=["alliances", "igos"], source="seed")
    pairs, kw = fake_pairs.calls[0]
    assert list(pairs.columns) == ["lead_ccode", "ccode", "date"]
    assert isinstance(pairs.index, pd.RangeIndex) and pairs.index.tolist() == list(range(6))
    assert [str(t) for t in pairs.dtypes] == ["int64", "int64", "datetime64[ns]"]
    assert list(zip(pairs["lead_ccode"], pairs["ccode"], pairs["date"])) == [(a, b, D(c)) for a, b, c in UNIQ]
    assert kw == _kw()


def test_add_defaults(fake_pairs):
    """defaults: source='auto', lag 0, successors='missing', carry_forward False, sociability False, no progress."""
    p = _panel()
    emb.add_embeddedness(p)
    assert fake_pairs.calls[0][1] == _kw(components=None, source="auto")


def test_add_arguments_are_passed_through(fake_pairs):
    """every option reaches embeddedness_pairs unchanged."""
    progress = print
    w = {"igos": 2.0}
    p = _panel().rename(columns={"lead_ccode": "lead", "start_date": "day"})
    emb.add_embeddedness(p, lead_col="lead", date_col="day", data_dir="/no/dir", components=["igos"], weights=w,
                         lag_years=1, source="full", successors="inherit", carry_forward=True, sociability=True,
                         prefix="p_", progress=progress)
    kw = fake_pairs.calls[0][1]
    assert kw == _kw(data_dir="/no/dir", components=["igos"], weights={"igos": 2.0}, lag_years=1, source="full",
                     successors="inherit", carry_forward=True, sociability=True, progress=progress)
    assert kw["weights"] is w


def test_add_values_merge_back_z_by_lead_and_date(fake_pairs):
    """each row gets its pair's values (duplicates alike, lead==ccode NaN), z-scores within lead|date, Int64 years."""
    p = _panel()
    before = p.copy()
    out = emb.add_embeddedness(p, components=["alliances", "igos"], source="seed", prefix="e_")
    added = ["alliances", "igos", "embeddedness", "embeddedness_nonsecurity", "embeddedness_security",
             "alliances_year", "igos_year", "inherited_from", "alliances_z", "igos_z", "embeddedness_z"]
    assert list(out.columns) == list(p.columns) + ["e_" + c for c in added]
    assert out.index.tolist() == [17, 3, 11, 5, 29, 2, 8, 13]
    pd.testing.assert_frame_equal(p, before)  # the panel is not modified
    assert list(p.columns) == list(before.columns)
    keys = list(zip(p["lead_ccode"], p["ccode"], p["start_date"]))
    # oracle z: group the distinct pairs by lead|date, a loop
    z = {}
    for comp, j in (("alliances", 0), ("igos", 1)):
        for lead, day in {(a, c) for a, _, c in UNIQ}:
            members = [(a, b, c) for a, b, c in UNIQ if a == lead and c == day]
            for key, zz in zip(members, _z([VALUES[b][j] for _, b, _ in members])):
                z[(comp, key)] = zz
    for i, key in enumerate(keys):
        lead, cc, _ = key
        if lead == cc:
            for c in added:
                assert pd.isna(out["e_" + c].iloc[i]), c
            continue
        assert out["e_alliances"].iloc[i] == VALUES[cc][0]
        assert out["e_igos"].iloc[i] == VALUES[cc][1]
        assert out["e_embeddedness"].iloc[i] == VALUES[cc][0] + VALUES[cc][1]
        assert out["e_embeddedness_nonsecurity"].iloc[i] == VALUES[cc][2]
        za, zi = z[("alliances", key)], z[("igos", key)]
        _same([out["e_alliances_z"].iloc[i], out["e_igos_z"].iloc[i], out["e_embeddedness_z"].iloc[i]],
              [za, zi, za + zi])
        assert out["e_alliances_year"].iloc[i] == 2000 and out["e_igos_year"].iloc[i] == 1999
        assert (out["e_inherited_from"].iloc[i] == 315) if cc == 316 else pd.isna(out["e_inherited_from"].iloc[i])
    for c in ("e_alliances_year", "e_igos_year", "e_inherited_from"):
        assert str(out[c].dtype) == "Int64", c
    assert str(out["e_alliances"].dtype) == "float64"
    # hand values for one group: 2|A alliances 1, 2, 0 (20, 200, 255) -> z 0, 1.2247, -1.2247
    assert out["e_alliances_z"].iloc[0] == 0.0
    assert out["e_alliances_z"].iloc[1] == pytest.approx(math.sqrt(1.5))
    assert out["e_alliances_z"].iloc[6] == pytest.approx(-math.sqrt(1.5))
    # 2|B igos 0, 0 (20, 316): no spread -> NaN; 200|A has one partner -> NaN
    assert math.isnan(out["e_igos_z"].iloc[4]) and math.isnan(out["e_alliances_z"].iloc[5])


def test_add_integer_year_column_is_first_of_january(fake_pairs):
    """an integer date column is a year: 1 January of it."""
    p = pd.DataFrame({"lead_ccode": [2, 2], "ccode": [20, 200], "year": np.array([2000, 2001], "int64")})
    emb.add_embeddedness(p, date_col="year", components=["igos"], source="seed")
    pairs = fake_pairs.calls[0][0]
    assert pairs["date"].tolist() == [D("2000-01-01"), D("2001-01-01")]
    assert str(pairs["date"].dtype) == "datetime64[ns]"


def test_add_nullable_year_with_missing_is_nan_with_warning(fake_pairs):
    """an Int64 year column with <NA>: that row is incomplete (warned, NaN), the others computed."""
    p = pd.DataFrame({"lead_ccode": [2, 2], "ccode": [20, 200], "year": pd.array([2000, None], dtype="Int64")})
    with pytest.warns(MissingValueWarning) as rec:
        out = emb.add_embeddedness(p, date_col="year", components=["igos"], source="seed")
    assert [str(w.message) for w in rec] == [
        "add_embeddedness(): 1 row(s) lack a lead_ccode, ccode or year (first at position 1); their embeddedness is NaN"]
    assert fake_pairs.calls[0][0]["date"].tolist() == [D("2000-01-01")]
    assert out["igos"].iloc[0] == 0.0 and math.isnan(out["igos"].iloc[1])


@pytest.mark.filterwarnings("ignore:Could not infer format:UserWarning")
def test_add_unreadable_date_is_incomplete(fake_pairs):
    """a date string that cannot be read is NaT (a warned, NaN row), not an exception."""
    p = pd.DataFrame({"lead_ccode": [2, 2], "ccode": [20, 200], "start_date": ["not a date", A]})
    with pytest.warns(MissingValueWarning):
        out = emb.add_embeddedness(p, components=["igos"], source="seed")
    assert fake_pairs.calls[0][0]["ccode"].tolist() == [200]
    assert math.isnan(out["igos"].iloc[0]) and out["igos"].iloc[1] == 2.0


def test_add_incomplete_rows_warning_text_count_and_place(fake_pairs):
    """the warning counts the incomplete rows, names the columns and the first position, and points at the caller."""
    p = pd.DataFrame({"lead": pd.array([2, None, 2, 2], dtype="Int64"), "ccode": pd.array([20, 200, None, 255], dtype="Int64"),
                      "when": [A, A, A, None]})
    with pytest.warns(MissingValueWarning) as rec:
        out = emb.add_embeddedness(p, lead_col="lead", date_col="when", components=["igos"], source="seed")
    assert len(rec) == 1
    assert str(rec[0].message) == ("add_embeddedness(): 3 row(s) lack a lead, ccode or when (first at position 1); "
                                   "their embeddedness is NaN")
    assert not rec[0].filename.endswith("embeddedness.py")  # points past add_embeddedness, at a caller
    assert fake_pairs.calls[0][0]["ccode"].tolist() == [20]
    _same(out["igos"], [0.0, math.nan, math.nan, math.nan])
    assert out["igos_year"].isna().tolist() == [False, True, True, True]


def test_add_missing_columns(fake_pairs):
    """every missing column is named, ', '-joined."""
    with pytest.raises(PanelTypeError) as e:
        emb.add_embeddedness(pd.DataFrame({"lead_ccode": [2]}))
    assert str(e.value) == ("add_embeddedness() needs columns ccode, start_date; "
                            "pass lead_col=/date_col= to name them")


def test_add_time_zone_column_is_refused(fake_pairs):
    """a zoned date column is refused with its name."""
    p = pd.DataFrame({"lead_ccode": [2], "ccode": [20],
                      "start_date": pd.to_datetime([A]).tz_localize("UTC")})
    with pytest.raises(PanelTypeError) as e:
        emb.add_embeddedness(p, source="seed")
    assert str(e.value) == "add_embeddedness(): column 'start_date' carries a time zone; give calendar days"
    assert fake_pairs.calls == []


@pytest.mark.parametrize("col, values, text", [
    ("lead_ccode", ["2", "USA", "UKG"], "column 'lead_ccode' holds 'USA' (position 1); it needs COW ccodes"),
    ("ccode", [20, "x", "y"], "column 'ccode' holds 'x' (position 1); it needs COW ccodes"),
])
def test_add_unreadable_codes(fake_pairs, col, values, text):
    """the first value that is not a number, with its position and the column's name."""
    p = pd.DataFrame({"lead_ccode": [2, 2, 2], "ccode": [20, 200, 255], "start_date": [A, A, A]})
    p[col] = pd.Series(values, dtype=object)
    with pytest.raises(PanelTypeError) as e:
        emb.add_embeddedness(p, source="seed")
    assert str(e.value) == "add_embeddedness(): " + text


def test_add_numeric_strings_are_read(fake_pairs):
    """codes given as numeric strings are read as ccodes."""
    p = pd.DataFrame({"lead_ccode": ["2", "2"], "ccode": ["20", "200"], "start_date": [A, A]})
    out = emb.add_embeddedness(p, components=["igos"], source="seed")
    assert fake_pairs.calls[0][0]["ccode"].tolist() == [20, 200]
    _same(out["igos"], [0.0, 2.0])


def test_add_attrs(fake_pairs):
    """sources merged into the panel's, the embeddedness record, other attrs kept, the panel's attrs untouched."""
    fake_pairs.weights = {"alliances": 1.0, "igos": 3.0}
    fake_pairs.stale = {"igos": "igos: old"}
    p = _panel().rename(columns={"lead_ccode": "L", "start_date": "S"})
    p.attrs = {"sources": {"cow_states": "2024", "seed.igo_membership_long": "old"}, "unit": "coalition_candidate"}
    out = emb.add_embeddedness(p, lead_col="L", date_col="S", components=["alliances", "igos"], source="seed",
                               lag_years=2, successors="inherit", carry_forward=True)
    assert out.attrs == {
        "sources": {"cow_states": "2024", "seed.igo_membership_long": "2026.11",
                    "seed.us_defence_treaties": "2026.11"},
        "unit": "coalition_candidate",
        "embeddedness": {"components": ["alliances", "igos"], "weights": {"alliances": 1.0, "igos": 3.0},
                         "lag_years": 2, "is_seed": True, "successors": "inherit", "carry_forward": True,
                         "stale": {"igos": "igos: old"}, "lead_col": "L", "date_col": "S"},
        "is_seed": True,
    }
    assert p.attrs == {"sources": {"cow_states": "2024", "seed.igo_membership_long": "old"},
                       "unit": "coalition_candidate"}


@pytest.mark.parametrize("panel_seed, meta_seed, expected", [
    (True, False, True), (None, False, False), (None, True, True), (False, True, True), (False, False, False)])
def test_add_is_seed_is_or_of_panel_and_run(fake_pairs, monkeypatch, panel_seed, meta_seed, expected):
    """attrs['is_seed'] is true when the panel or this run used the seed; sources from the run's is_seed."""
    calls = []
    monkeypatch.setattr(emb, "_versions", lambda comps, is_seed: calls.append((list(comps), is_seed)) or {"v": "1"})
    fake_pairs.is_seed = meta_seed
    p = _panel()
    if panel_seed is not None:
        p.attrs = {"is_seed": panel_seed}
    out = emb.add_embeddedness(p, components=["igos"], source="seed")
    assert out.attrs["is_seed"] is expected
    assert out.attrs["embeddedness"]["is_seed"] is meta_seed
    assert out.attrs["sources"] == {"v": "1"}
    assert calls == [(["igos"], meta_seed)]
