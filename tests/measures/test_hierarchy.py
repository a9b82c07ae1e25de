"""Lake's security hierarchy (``security_hierarchy``, ``add_hierarchy``) against the raw files.

The oracles read the raw files with plain pandas, never through the loaders or the code under test:
troopdata's country-year file (US active-duty troops, ``troops_ad``), isard's population
(``pwtpop``, millions), ATOP v4.01's member level and COW's state list. The definition
(src/coalitionlab/measures/hierarchy.py, after Lake 2007, 2009): US troops per inhabitant, and the
state's ATOP alliances the USA is not in, each over its largest value among the system members
(the USA left out) in the reference year 1995, the second reversed (1 - x); the measure is their mean.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coalitionlab.measures import add_hierarchy, create_stateyears, security_hierarchy

YEARS = [1949, 1995, 2003, 2013, 2016, 2019, 2020]
COLS = ["us_troops_pc", "n_independent_alliances", "hier_troops", "hier_independent_alliances", "security_hierarchy"]


class Raw:
    """The raw files, and the definition computed from them for one state-year."""

    def __init__(self, data) -> None:
        self.troops = pd.read_csv(data / "us_military_presence" / "troopdata_country_year.csv.gz")
        self.pop = pd.read_csv(data / "isard" / "cw_gdppop.csv.gz").set_index(["ccode", "year"])["pwtpop"]
        self.atop = pd.read_csv(data / "atop_v4" / "atop4_01_member_level.csv.gz")
        self.states = pd.read_csv(data / "cow_states" / "statelist2024.csv")

    def members(self, year: int) -> set[int]:
        """COW system members on any day of ``year``."""
        s = self.states
        return set(s.loc[(s["styear"] <= year) & (s["endyear"] >= year), "ccode"].astype(int))

    def troops_pc(self, ccode: int, year: int) -> float:
        """US troops over inhabitants; the troop file's rows of the state-year summed (a year inside the file
        with no row for the state: 0 troops), NaN outside the troop file's years or without a population."""
        if not 1950 <= year <= int(self.troops["year"].max()):
            return np.nan
        t = self.troops
        n = t.loc[(t["ccode"] == ccode) & (t["year"] == year), "troops_ad"].sum()
        return float(n / (self.pop.get((ccode, year), np.nan) * 1e6))

    def alliances(self, ccode: int, year: int) -> set[int]:
        """ATOP alliances the state is in during ``year`` (entry year <= year <= exit year; exit 0 = in force)."""
        a = self.atop
        on = (a["member"] == ccode) & (a["yrent"] <= year) & ((a["yrexit"] >= year) | (a["yrexit"] == 0))
        return set(a.loc[on, "atopid"])

    def independent(self, ccode: int, year: int) -> float:
        """Alliances of the state in ``year`` that the USA is not in that year; NaN after ATOP's last year."""
        if year > 2016:
            return np.nan
        return float(len(self.alliances(ccode, year) - self.alliances(2, year)))

    def normalisers(self, year: int = 1995) -> tuple[float, float, int, int]:
        """The largest troops per inhabitant and independent-alliance count among the members (not the USA)
        in ``year``, and which states hold them."""
        states = sorted(self.members(year) - {2})
        pc = pd.Series({c: self.troops_pc(c, year) for c in states}).dropna()
        ind = pd.Series({c: self.independent(c, year) for c in states})
        return float(pc.max()), float(ind.max()), int(pc.idxmax()), int(ind.idxmax())

    def row(self, ccode: int, year: int) -> dict[str, float]:
        tmax, imax, _, _ = self.normalisers()
        pc, ind = self.troops_pc(ccode, year), self.independent(ccode, year)
        h_t, h_i = pc / tmax, 1 - ind / imax
        return {"us_troops_pc": pc, "n_independent_alliances": ind, "hier_troops": h_t,
                "hier_independent_alliances": h_i, "security_hierarchy": (h_t + h_i) / 2}


@pytest.fixture(scope="module")
def raw(shared_data) -> Raw:
    return Raw(shared_data)


@pytest.fixture(scope="module")
def hier(shared_data) -> pd.DataFrame:
    return security_hierarchy(data_dir=shared_data, years=np.array(YEARS)).set_index(["ccode", "year"])


def test_the_normalisers_are_iceland_s_troops_and_russia_s_alliances(raw: Raw, hier: pd.DataFrame) -> None:
    """Recomputed over every 1995 member from the raw files: Iceland hosts the most US troops per inhabitant
    (1,982 over 0.27 million) and Russia has the most alliances without the USA (39); they get exactly
    1 (troops) and 0 (alliances, reversed)."""
    tmax, imax, top_troops, top_alliances = raw.normalisers()
    assert (top_troops, top_alliances) == (395, 365)
    ref = hier.xs(1995, level="year")
    assert ref["us_troops_pc"].max() == pytest.approx(tmax, rel=1e-12)
    assert ref["n_independent_alliances"].max() == imax == len(raw.alliances(365, 1995) - raw.alliances(2, 1995))
    assert ref.loc[395, "hier_troops"] == pytest.approx(1.0, rel=1e-12)
    assert ref.loc[365, "hier_independent_alliances"] == 0.0


@pytest.mark.parametrize(("ccode", "year"), [
    (740, 2003),  # Japan: 40,519 US troops, two alliances without the USA
    (365, 2003),  # Russia: 46 alliances without the USA, more than in 1995 (hier below 0: a 1995 scale)
    (200, 1995),  # the United Kingdom
    (255, 2003),  # Germany
    (395, 1995),  # Iceland, the troop normaliser itself
    (630, 2003),  # Iran: the troop file lists it with 0 troops
    (316, 2013),  # Czechia: two rows in the raw troop file that year (0 and 17 troops): 17 in all
    (41, 2016),   # Haiti, in ATOP's last year: 13 US troops, no alliance without the USA
])
def test_named_states_by_hand(raw: Raw, hier: pd.DataFrame, ccode: int, year: int) -> None:
    want = raw.row(ccode, year)
    got = hier.loc[(ccode, year)]
    for col in COLS:
        assert got[col] == pytest.approx(want[col], rel=1e-12, abs=1e-15), col


def test_no_troops_and_no_own_alliances_are_the_ends_of_the_scale(raw: Raw, hier: pd.DataFrame) -> None:
    """Property, over every 2003 member: hier_troops is 0 exactly where the troop file has no troops for the
    state (no row, or rows of 0), else positive; hier_independent_alliances is 1 exactly where the state has
    no alliance without the USA, and below 1 where it has one. The USA itself has no value."""
    y = hier.xs(2003, level="year")
    assert set(y.index) == raw.members(2003)  # one row per member, no more: a state that did not exist has none
    assert y.loc[2, COLS].isna().all()
    y = y.drop(index=2).dropna(subset=["hier_troops"])
    t = raw.troops[raw.troops["year"] == 2003].groupby("ccode")["troops_ad"].sum()
    none = t.reindex(y.index).fillna(0) == 0
    assert none.sum() > 20 and (~none).sum() > 50  # both kinds are there
    assert (y.loc[none, "hier_troops"] == 0).all() and (y.loc[~none, "hier_troops"] > 0).all()
    own = pd.Series({c: raw.independent(c, 2003) for c in y.index})
    assert (own == 0).sum() > 20 and (own > 0).sum() > 100
    assert (y.loc[own == 0, "hier_independent_alliances"] == 1).all()
    assert (y.loc[own > 0, "hier_independent_alliances"] < 1).all()


def test_years_outside_a_source_are_missing_not_zero(raw: Raw, hier: pd.DataFrame) -> None:
    """1949 is before the troop file (troops NaN, alliances known); 2019 after ATOP v4.01 (alliances NaN,
    troops known); 2020 after the population series (troops per inhabitant NaN). The measure is NaN in all
    three, never the value of a filled-in 0."""
    cases = {1949: ("hier_troops", "hier_independent_alliances"), 2019: ("hier_independent_alliances", "hier_troops"),
             2020: ("hier_troops", None)}
    for year, (gone, there) in cases.items():
        y = hier.xs(year, level="year").drop(index=2)
        assert y[gone].isna().all() and y["security_hierarchy"].isna().all(), year
        if there is not None:
            assert y[there].notna().mean() > 0.9, year
    assert hier.loc[(200, 1949), "hier_independent_alliances"] == pytest.approx(raw.row(200, 1949)[
        "hier_independent_alliances"], rel=1e-12)
    assert hier.loc[(740, 2019), "hier_troops"] == pytest.approx(raw.row(740, 2019)["hier_troops"], rel=1e-12)


def test_add_hierarchy_puts_the_hand_values_on_a_state_year_panel(shared_data, raw: Raw) -> None:
    sy = create_stateyears(years="2003:2003", data_dir=shared_data)
    out = add_hierarchy(sy, data_dir=shared_data).set_index("ccode")
    for ccode in (740, 365, 20, 666):  # Japan, Russia, Canada, Israel
        want = raw.row(ccode, 2003)
        for col in ("hier_troops", "hier_independent_alliances", "security_hierarchy"):
            assert out.loc[ccode, col] == pytest.approx(want[col], rel=1e-12, abs=1e-15), (ccode, col)
