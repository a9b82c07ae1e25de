"""Existence: a state that was not a COW system member (or that a source does not record) gets NaN, never 0.

Oracles: the COW state list's dates (written out below from the v2024 list and checked against the raw
file read with plain pandas), and peacesciencer's cow_igo_ndy / cow_igo_sy (NA where they have no row).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coalitionlab import measures
from coalitionlab.measures._common import EXISTENCE_RULE, member_mask

# (ccode, a year the state was not a system member, a neighbouring year it was), COW v2024 dates
BOUNDARIES = [
    (349, 1991, 1992),  # Slovenia: member from 1992-05-22
    (316, 1992, 1993),  # Czech Republic: from 1993-01-01
    (315, 1993, 1992),  # Czechoslovakia: until 1992-12-31
    (678, 1991, 1989),  # Yemen Arab Republic: until 1990-05-22 (1990 itself: see test_yemen_1990)
    (626, 2010, 2011),  # South Sudan: from 2011-07-09
]
LOST_IN_1990 = (260, 265, 678, 680)  # in the system for part of 1990, absent from COW IGO's 1990 roster

# columns that hold a value inside the source's coverage for every boundary state (others, e.g.
# mindist for Slovenia in 1992, may be missing in the source itself)
DYAD_PRIMARY = {
    "add_igos": ["igo_joint_any", "igo_joint_security"],
    "add_alliances": ["atop_defense", "atop_any", "atop_alliances"],
    "add_agreements": ["desta_pta", "unctad_iia"],
    "add_alliance_similarity": ["atop_sscore"],
    "add_exercises": ["mme_joint_exercises"],
    "add_un_affinity": ["un_ideal_point1", "un_ideal_point2", "un_ideal_distance"],
    "add_capabilities": ["cinc1", "cinc2"],
    "add_distance": ["capdist"],
    "add_contiguity": ["conttype"],
    "add_democracy": ["polity21", "polity22"],
    "add_us_troops": ["us_troops1", "us_troops2", "us_troops_per_10001", "us_troops_per_10002"],
    "add_hierarchy": ["security_hierarchy2"],  # of ccode2; NaN when ccode2 is the USA itself
}
STATE_PRIMARY = {
    "add_igos": ["igo_any"],
    "add_exercises": ["mme_exercises"],
    "add_un_affinity": ["un_ideal_point"],
    "add_capabilities": ["cinc"],
    "add_democracy": ["polity2"],
    "add_us_troops": ["us_troops", "us_troops_per_1000"],
    "add_hierarchy": ["security_hierarchy"],
}
COVERAGE = {"add_exercises": (1980, 2010)}  # the only step whose coverage misses a boundary (South Sudan)


def _dyads(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["ccode1", "ccode2", "year"])
    df.attrs = {"unit": "dyad_year", "system": "cow", "directed": True}
    return df


def _states(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["ccode", "year"])
    df.attrs = {"unit": "state_year", "system": "cow"}
    return df


def _boundaries(step: str):
    lo, hi = COVERAGE.get(step, (1816, 2014))
    return [b for b in BOUNDARIES if lo <= b[1] <= hi and lo <= b[2] <= hi]


@pytest.fixture(scope="module")
def nd_1990(shared_data):
    return measures.create_dyadyears(years=[1990], directed=False, data_dir=shared_data)


def test_boundary_dates_are_the_cow_list(shared_data):
    """The years written out above, against the raw COW list read with plain pandas."""
    raw = pd.read_csv(shared_data / "cow_states" / "statelist2024.csv")
    for ccode, absent, present in BOUNDARIES:
        spells = raw[raw.ccode == ccode]
        member = ((spells.styear <= present) & (spells.endyear >= present)).any()
        gone = ((spells.styear <= absent) & (spells.endyear >= absent)).any()
        assert member and not gone, ccode


def test_member_mask_equals_the_raw_state_list(shared_data):
    raw = pd.read_csv(shared_data / "cow_states" / "statelist2024.csv")
    codes = np.r_[np.unique(raw.ccode), 999]  # 999: no COW state at all
    years = np.arange(1814, 2028)
    c, y = (a.ravel() for a in np.meshgrid(codes, years, indexing="ij"))
    got = member_mask(c, c, y, data_dir=shared_data)
    # brute force: a member in any year a spell touches; the list ends 2024 (later years: as in 2024)
    at = np.minimum(y, 2024)
    members = {(cc, yy) for cc, a, b in zip(raw.ccode, raw.styear, raw.endyear, strict=True) for yy in range(a, b + 1)}
    expected = np.array([(cc, yy) in members for cc, yy in zip(c, at, strict=True)])
    expected[c == 999] = True  # not judged
    assert np.array_equal(got, expected)
    assert not got[(c == 2) & (y == 1815)].any() and got[(c == 2) & (y == 2026)].all()


def test_igos_1990_germanys_and_yemens_are_nan(shared_data):
    panel = measures.create_dyadyears(years="1989:1991", data_dir=shared_data)
    out = measures.add_igos(panel, data_dir=shared_data, source="full")
    v = out.set_index(["ccode1", "ccode2", "year"])["igo_joint_any"]
    assert pd.isna(v[(260, 2, 1990)]) and pd.isna(v[(2, 260, 1990)])  # missing (<NA> in the Int16 column)
    assert v[(255, 2, 1990)] > 0 and v[(255, 2, 1991)] > 0 and v[(260, 2, 1989)] > 0
    nan = out["igo_joint_any"].isna()
    lost = out["ccode1"].isin(LOST_IN_1990) | out["ccode2"].isin(LOST_IN_1990)
    assert (nan == (lost & (out["year"] == 1990))).all()
    assert out.loc[nan, list(measures.igos.IGO_COLUMNS)].isna().all().all()
    # recount against peacesciencer: the panel's 1990 dyads that cow_igo_ndy has no row for, both directions
    ref = pd.read_csv(shared_data / "peacesciencer" / "cow_igo_ndy.csv.gz")
    nd = panel[(panel.ccode1 < panel.ccode2) & (panel.year == 1990)]
    absent = nd.merge(ref, on=["ccode1", "ccode2", "year"], how="left")["dyadigos"].isna().sum()
    print(f"\nadd_igos: {nan.sum():,} directed dyad-years NaN in 1989-1991 (cow_igo_ndy lacks {absent} "
          f"non-directed 1990 dyads)")
    assert nan.sum() == 2 * absent == 1284
    assert out.attrs["existence"] == EXISTENCE_RULE
    assert "cow_igo" in out.attrs["existence_recorded"]


def test_state_year_igos_nan_where_cow_has_no_row(shared_data):
    sy = measures.add_igos(measures.create_stateyears(years="1816:2014", data_dir=shared_data),
                           data_dir=shared_data, source="full")
    ref = pd.read_csv(shared_data / "peacesciencer" / "cow_igo_sy.csv")
    m = sy.merge(ref, on=["ccode", "year"], how="left")
    assert (m["igo_any"].isna() == m["sum_igo_full"].isna()).all()
    assert sorted(m.loc[m.igo_any.isna(), ["ccode", "year"]].itertuples(index=False, name=None)) == [
        (c, 1990) for c in LOST_IN_1990]
    inside = m[m["sum_igo_full"].notna()]
    assert (inside["igo_full"] == inside["sum_igo_full"]).all()


@pytest.mark.parametrize("step", list(DYAD_PRIMARY))
def test_dyad_steps_both_sides_of_each_boundary(step, shared_data):
    cases = _boundaries(step)
    rows = [(a, b, y) for x, absent, present in cases for y in (absent, present) for a, b in ((2, x), (x, 2))]
    out = getattr(measures, step)(_dyads(rows), data_dir=shared_data)
    added = [c for c in out.columns if c not in ("ccode1", "ccode2", "year")]
    assert set(DYAD_PRIMARY[step]) <= set(added)
    absent_years = {(x, y) for x, y, _ in cases}
    other = np.where(out.ccode1 == 2, out.ccode2, out.ccode1)
    gone = np.array([(x, y) in absent_years for x, y in zip(other, out.year, strict=True)])
    assert out.loc[gone, added].isna().all().all(), out[gone]  # every column, both directions, both states' sides
    there = out[~gone]
    if step == "add_hierarchy":
        there = there[there.ccode2 != 2]  # the USA's own hierarchy is always NaN
    assert there[DYAD_PRIMARY[step]].notna().all().all(), there
    assert out.attrs["existence"] == EXISTENCE_RULE


def test_yemen_1990_exists_but_cow_igo_does_not_record_it(shared_data):
    panel = _dyads([(2, 678, 1990), (678, 2, 1990), (2, 678, 1989)])
    assert measures.add_igos(panel, data_dir=shared_data, source="full")["igo_joint_any"].isna().tolist() == [
        True, True, False]
    # a system member in 1990 (until 22 May): event sources, where absence means "no tie", have a value
    for step, col in (("add_alliances", "atop_defense"), ("add_agreements", "desta_pta"),
                      ("add_capabilities", "cinc2"), ("add_contiguity", "conttype")):
        assert getattr(measures, step)(panel, data_dir=shared_data)[col].notna().all(), step


@pytest.mark.parametrize("step", list(STATE_PRIMARY))
def test_state_steps_both_sides_of_each_boundary(step, shared_data):
    cases = _boundaries(step)
    rows = [(x, y) for x, absent, present in cases for y in (absent, present)]
    out = getattr(measures, step)(_states(rows), data_dir=shared_data)
    added = [c for c in out.columns if c not in ("ccode", "year")]
    gone = np.array([(x, y) in {(c[0], c[1]) for c in cases} for x, y in zip(out.ccode, out.year, strict=True)])
    assert out.loc[gone, added].isna().all().all(), out[gone]
    assert out.loc[~gone, STATE_PRIMARY[step]].notna().all().all(), out[~gone]
    assert out.attrs["existence"] == EXISTENCE_RULE


def test_seed_igos_apply_the_same_rule(shared_data):
    # the seed records the states that are system members on 31 December (its membership rule):
    # Yemen (YAR) left in May 1990 and South Vietnam in April 1975, so both are NaN in that year on
    # the seed, while COW IGO's roster does list South Vietnam in 1975
    rows = [(2, x, y) for x, absent, present in BOUNDARIES for y in (absent, present)]
    rows += [(2, 678, 1990), (2, 817, 1975), (2, 817, 1974)]
    panel = _dyads(rows)
    seed = measures.add_igos(panel, data_dir=shared_data, source="seed")
    full = measures.add_igos(panel, data_dir=shared_data, source="full")
    expected_nan = [y == absent for _, absent, present in BOUNDARIES for y in (absent, present)]
    assert seed["igo_joint_any"].isna().tolist() == [*expected_nan, True, True, False]
    assert full["igo_joint_any"].isna().tolist() == [*expected_nan, True, False, False]
    assert seed.attrs["is_seed"] is True and seed.attrs["existence"] == EXISTENCE_RULE


def test_mry_reads_the_roster_at_the_carried_year(shared_data):
    panel = _dyads([(2, 626, 2016), (2, 626, 2010), (2, 678, 2016), (2, 255, 2016)])
    out = measures.add_igos(panel, data_dir=shared_data, source="full", mry=True)
    assert out["igo_joint_any"].isna().tolist() == [False, True, True, False]


def test_a_code_outside_the_cow_list_is_not_judged(shared_data):
    # ccode 999 is no COW state: the rule does not apply and the step behaves as before (0 = no tie)
    panel = _dyads([(2, 999, 2000), (2, 349, 1991)])
    out = measures.add_alliances(measures.add_igos(panel, data_dir=shared_data, source="full"), data_dir=shared_data)
    assert out["igo_joint_any"].tolist()[0] == 0 and out["atop_defense"].tolist()[0] == 0
    assert out[["igo_joint_any", "atop_defense"]].iloc[1].isna().all()


def test_created_panels_lose_no_value_to_the_system_rule(shared_data, nd_1990):
    # every row of create_dyadyears is a pair of members, so only COW IGO's roster makes NaN
    out = measures.add_contiguity(measures.add_alliances(nd_1990, data_dir=shared_data), data_dir=shared_data)
    assert out[["atop_defense", "atop_alliances", "conttype"]].notna().all().all()
