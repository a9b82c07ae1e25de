"""Trade (DESTA) and investment (UNCTAD) agreements in force, against a plain pandas reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coalitionlab.data import load
from coalitionlab.measures import add_agreements, create_dyadyears
from coalitionlab.measures.agreements import AGREEMENT_COLUMNS


@pytest.fixture(scope="module")
def panel(shared_data):
    return add_agreements(create_dyadyears(years="1945:2024", data_dir=shared_data), data_dir=shared_data)


def _reference_desta(shared_data, lead: int, years: np.ndarray) -> pd.DataFrame:
    """In-force PTAs of ``lead`` by brute force: every (partner, treaty, entry) x year, then filter.

    A base treaty ties the pair in a year when one of its entries (base treaty, accession,
    consolidated version) is in force by then and no withdrawal came between that entry and the year.
    """
    d = load("desta_dyads", shared_data)
    d = d[((d.ccode1 == lead) | (d.ccode2 == lead)) & d.entry_force_year.notna()]
    d = d.assign(partner=np.where(d.ccode1 == lead, d.ccode2, d.ccode1))
    entries = d[["partner", "base_treaty", "entry_force_year"]].rename(columns={"entry_force_year": "start"})
    w = load("desta_withdrawals", shared_data)
    w = w[(w.ccode1 == lead) | (w.ccode2 == lead)]
    w = w.assign(partner=np.where(w.ccode1 == lead, w.ccode2, w.ccode1))
    w = w[["partner", "base_treaty", "withdrawal_year"]]
    t = entries.merge(pd.DataFrame({"year": years}), how="cross")
    t = t[t.start <= t.year].reset_index(drop=True)
    hit = t.reset_index().merge(w, on=["partner", "base_treaty"])
    hit = hit[(hit.withdrawal_year >= hit.start) & (hit.withdrawal_year <= hit.year)]
    t = t.drop(index=hit["index"].unique())  # a withdrawal since this entry
    t = t.drop_duplicates(["partner", "base_treaty", "year"])
    return t.groupby(["partner", "year"]).size().rename("expected").reset_index()


@pytest.mark.parametrize("lead", [2, 200, 710])
def test_desta_matches_brute_force(shared_data, panel, lead):
    years = np.arange(1948, 2024)
    ref = _reference_desta(shared_data, lead, years)
    got = panel[(panel.ccode1 == lead) & panel.year.between(1948, 2023)]
    m = got.merge(ref, left_on=["ccode2", "year"], right_on=["partner", "year"], how="left")
    m["expected"] = m["expected"].fillna(0)
    assert (m["desta_pta"] == m["expected"]).all(), m.loc[m.desta_pta != m.expected].head()
    assert m["desta_pta"].sum() > 0


def test_unctad_matches_brute_force(shared_data, panel):
    u = load("unctad_iia", shared_data)
    us = u[u.ccode == 2][["treaty_id"]].merge(u, on="treaty_id")
    us = us[(us.ccode != 2) & us.entry_force_date.notna()]
    expected = {}
    for year in (1995, 2003, 2020):
        inforce = us[(us.entry_force_date.dt.year <= year)
                     & ~(us.termination_date.dt.year <= year)]
        expected[year] = inforce.groupby("ccode").size()
    for year, exp in expected.items():
        got = panel[(panel.ccode1 == 2) & (panel.year == year)].set_index("ccode2")["unctad_iia"]
        exp = exp.reindex(got.index, fill_value=0)
        assert (got == exp).all(), year
        assert got.sum() > 10  # the USA had dozens of BITs in force


def test_symmetric_nan_outside_and_splits(panel):
    back = panel.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
    m = panel.merge(back, on=["ccode1", "ccode2", "year"], suffixes=("", "_r"))
    for col in AGREEMENT_COLUMNS:
        assert m[col].fillna(-1).eq(m[col + "_r"].fillna(-1)).all(), col
    # DESTA starts in 1948: earlier years are unknown. UNCTAD lists every BIT ever signed (the first in
    # 1959), so earlier years hold 0 by construction, not NaN.
    assert panel.loc[panel.year == 1947, "desta_pta"].isna().all()
    assert panel.loc[panel.year == 1956, "unctad_iia"].eq(0).all()
    for src, first, last in (("desta_pta", 1948, 2023), ("unctad_iia", 1957, 2024)):
        assert panel.loc[panel.year == first, src].notna().all()
        if last < 2024:
            assert panel.loc[panel.year == last + 1, src].isna().all()
        assert panel.loc[panel.year == last, src].notna().all()
        inside = panel[panel[src].notna()]
        assert (inside[src] == inside[src + "_bilateral"] + inside[src + "_plurilateral"]).all()
    assert panel.attrs["sources"]["desta_dyads"] == "02_02"


def test_withdrawal_before_a_later_entry_does_not_cancel_it(panel):
    # the UK left the EU's PTAs in 2020 and rolled them over as DESTA "consolidated" entries in force
    # from 2021 (UK-Canada: CETA 2017, continuity agreement 2021); the Seychelles left SADC's trade
    # protocol in 2004 and re-acceded, in force 2015. The later entries count after the withdrawal.
    uk_ca = panel[(panel.ccode1 == 200) & (panel.ccode2 == 20)].set_index("year")["desta_pta"]
    assert uk_ca[2019] == 1 and uk_ca[2020] == 0 and uk_ca[2021] == 1
    drc_sey = panel[(panel.ccode1 == 490) & (panel.ccode2 == 591)].set_index("year")["desta_pta"]
    assert drc_sey[2015] == drc_sey[2014] + 1  # SADC (base treaty 672) in force again from 2015


def test_us_canada_ptas(panel):
    uc = panel[(panel.ccode1 == 2) & (panel.ccode2 == 20)].set_index("year")
    assert uc.loc[1965, "desta_pta"] == 0 and uc.loc[1966, "desta_pta"] == 1  # Auto Pact in force 1966
    assert uc.loc[1994, "desta_pta"] >= 3  # + CUSFTA 1989, NAFTA 1994


def test_mry_carries_the_last_year(shared_data):
    panel = create_dyadyears(years="2022:2024", directed=False, data_dir=shared_data)
    plain = add_agreements(panel, data_dir=shared_data, sources=("desta",))
    assert plain.loc[plain.year == 2024, "desta_pta"].isna().all()
    carried = add_agreements(panel, data_dir=shared_data, sources=("desta",), mry=True)
    assert carried.attrs["mry"]["desta_pta"] is True and "desta_pta" not in plain.attrs["mry"]
    a = carried[carried.year == 2024].set_index(["ccode1", "ccode2"])["desta_pta"]
    b = carried[carried.year == 2023].set_index(["ccode1", "ccode2"])["desta_pta"]
    common = a.index.intersection(b.index)
    assert np.array_equal(a[common].to_numpy(), b[common].to_numpy()) and a.sum() > 0


def test_bleu_treaties_do_not_tie_belgium_to_luxembourg(panel):
    # UNCTAD lists 101 treaties signed by the Belgium-Luxembourg Economic Union; the loader gives them
    # both states as parties, and every one of them used to count as a Belgium-Luxembourg investment
    # treaty (67 in force in 2020, "plurilateral"). BLEU is one side: it ties each member to the partner.
    be_lu = panel[(panel.ccode1 == 211) & (panel.ccode2 == 212)].set_index("year")
    assert (be_lu.loc[1960:2024, "unctad_iia"] == 0).all()
    be_cn = panel[(panel.ccode1 == 211) & (panel.ccode2 == 710) & (panel.year == 2020)].iloc[0]
    lu_cn = panel[(panel.ccode1 == 212) & (panel.ccode2 == 710) & (panel.year == 2020)].iloc[0]
    # the BLEU-China BIT (2005, in force 2009) is a bilateral treaty for each BLEU member
    assert be_cn["unctad_iia_bilateral"] >= 1 and lu_cn["unctad_iia_bilateral"] >= 1
    assert be_cn["unctad_iia_plurilateral"] == 0 and lu_cn["unctad_iia_plurilateral"] == 0


def test_a_treaty_listed_once_per_successor_counts_once(panel):
    # UNCTAD lists the 1990 Spain-USSR BIT once per successor (Russia, Georgia, Armenia ... 8 rows);
    # the loader maps each, signed before 1992, to the USSR/Russia (365): Spain-Russia counted 8 BITs
    es_ru = panel[(panel.ccode1 == 230) & (panel.ccode2 == 365)].set_index("year")["unctad_iia"]
    assert es_ru[1995] == 1 and es_ru[2020] == 1


def test_one_source_as_a_string(shared_data):
    # sources="desta" used to be read letter by letter: "unknown agreement source 'd'"
    panel = create_dyadyears(years=[2000], directed=False, data_dir=shared_data)
    one = add_agreements(panel, data_dir=shared_data, sources="desta")
    assert "desta_pta" in one.columns and "unctad_iia" not in one.columns
    assert one.equals(add_agreements(panel, data_dir=shared_data, sources=("desta",)))


def test_czechoslovakia_keeps_the_treaties_desta_files_under_its_successors(panel, shared_data):
    # DESTA codes Czechoslovakia's agreements (the 1974 treaty with Finland, the 1992 EFTA agreement)
    # with the Czech (203) and Slovak (703) ISO codes: before 1993 they tie Czechoslovakia (315)
    from coalitionlab.measures.agreements import desta_pairs

    pairs = desta_pairs(load("desta_dyads", shared_data), load("desta_withdrawals", shared_data))
    successors = pairs[pairs.ccode1.isin([316, 317]) | pairs.ccode2.isin([316, 317])]
    assert successors["start"].min() >= 1993
    cs_fin = panel[(panel.ccode1 == 315) & (panel.ccode2 == 375)].set_index("year")["desta_pta"]
    assert (cs_fin.loc[1975:1991] == 1).all() and cs_fin.loc[1992] == 2
    cz_fin = panel[(panel.ccode1 == 316) & (panel.ccode2 == 375)].set_index("year")["desta_pta"]
    assert cz_fin.loc[1993] == 2  # the successor carries both on
    # the 1992 Czech-Slovak customs union ties the two successors from 1993 and nobody before
    assert not ((pairs.ccode1 == 315) & (pairs.ccode2 == 315)).any()
