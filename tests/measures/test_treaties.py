"""The treaty record: counts against brute force on the raw files, de-duplication, the ATOP rule, dates."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coalitionlab.errors import PanelTypeError, UnknownOptionError
from coalitionlab.measures.treaties import (
    SOURCE_COVERAGE,
    add_treaties,
    atop_matches,
    count_own_agreements,
    count_ties,
    record_coverage,
    treaty_instruments,
    treaty_ties,
)

DAYS = ["1950-06-30", "1975-12-31", "2003-03-20", "2020-12-31"]
PARTNERS = {"CAN": 20, "MEX": 70, "GBR": 200, "RUS": 365, "JPN": 740}
# codes of parties that are not states, as they appear beside the USA in GGO's small treaties
NON_STATES = {"EUE", "EUU", "EC", "NIU", "TKL", "COK"}


@pytest.fixture(scope="module")
def ties(shared_data):
    return treaty_ties(shared_data)


@pytest.fixture(scope="module")
def instruments(shared_data):
    return treaty_instruments(shared_data)


def in_force(t: pd.DataFrame, day: str) -> pd.DataFrame:
    d = pd.Timestamp(day)
    return t[(t["start"] <= d) & (t["end"].isna() | (d < t["end"]))]


# ---------------------------------------------------------------- brute force on the raw GGO file


def _latest(text: str) -> pd.Timestamp | None:
    """A start date as its latest day (only the formats GGO's Force columns use)."""
    text = text.strip().rstrip("?~")
    if not text or text.startswith("9999"):
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return pd.Timestamp(text)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return pd.Timestamp(text + "-01") + pd.offsets.MonthEnd(0)
    if re.fullmatch(r"\d{4}", text):
        return pd.Timestamp(text + "-12-31")
    return None


def _earliest(text: str) -> pd.Timestamp | None:
    """An end date as its earliest day."""
    text = text.strip().rstrip("?~")
    if not text or text.startswith("9999"):
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return pd.Timestamp(text)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return pd.Timestamp(text + "-01")
    if re.fullmatch(r"\d{4}", text):
        return pd.Timestamp(text + "-01-01")
    return None


def ggo_bilateral_reference(path) -> dict[tuple[str, str], int]:
    """USA bilateral GGO treaties in force per (partner, day), by a row-by-row loop over the raw file.

    A treaty is (treatyID, Title); amendments (type letter E) are not treaties; bilateral = exactly two
    state codes. A party counts from its own StateForce (the treaty's Force if it has none) until its
    StateEnd (the treaty's End if none; an end on or before the start is ignored).
    """
    g = pd.read_csv(path, dtype=str, keep_default_na=False).drop_duplicates()
    us = g[g.stateID == "USA"][["treatyID", "Title"]].drop_duplicates()
    rows = g.merge(us, on=["treatyID", "Title"])
    out = {(p, d): 0 for p in PARTNERS for d in DAYS}
    for (tid, _title), t in rows.groupby(["treatyID", "Title"]):
        if re.search(r"_\d{4}E", tid.split(":")[0]):
            continue
        states = set(t.stateID) - NON_STATES
        if len(states) != 2:
            continue
        (partner,) = states - {"USA"}
        if partner not in PARTNERS:
            continue
        spells: dict[str, list] = {"USA": [], partner: []}
        for r in t.itertuples():
            if r.stateID not in spells:
                continue
            start = _latest(r.StateForce) if r.StateForce.strip() else _latest(r.Force)
            if start is None:
                continue
            end = _earliest(r.StateEnd) if r.StateEnd.strip() else _earliest(r.End)
            if end is not None and end <= start:
                end = None
            spells[r.stateID].append((start, end))
        for d in DAYS:
            day = pd.Timestamp(d)
            live = [any(s <= day and (e is None or day < e) for s, e in spells[c]) for c in ("USA", partner)]
            out[(partner, d)] += all(live)
    return out


def test_ggo_bilateral_counts_match_a_loop_over_the_raw_file(shared_data):
    t = treaty_ties(shared_data, sources="ggo")
    bil = t[t["is_bilateral"]]
    want = ggo_bilateral_reference(shared_data / "manytreaties" / "parties_GGO.csv.gz")
    got = {}
    for p, c in PARTNERS.items():
        counts = count_ties(bil, [2] * len(DAYS), [c] * len(DAYS), DAYS)
        got.update({(p, d): int(n) for d, n in zip(DAYS, counts)})
    assert got == want
    assert want[("CAN", "2003-03-20")] > 20 and want[("MEX", "1975-12-31")] > 5  # the test can fail


# ---------------------------------------------------------------- each agreement once


def _raw_parties(shared_data, dataset: str, treaty_id: str) -> set[str]:
    p = pd.read_csv(shared_data / "manytreaties" / f"parties_{dataset}.csv.gz", dtype=str, keep_default_na=False)
    return set(p.loc[p.treatyID == treaty_id, "stateID"])


def test_unfccc_listed_by_ggo_and_ieadb_counts_once(shared_data, ties):
    # the raw files: both GGO and IEADB list the USA and the UK as parties of UNFCCC_1992A
    for ds in ("GGO", "IEADB"):
        assert {"USA", "GBR"} <= _raw_parties(shared_data, ds, "UNFCCC_1992A")
    t = in_force(ties[(ties.ccode1 == 2) & (ties.ccode2 == 200)], "2003-03-20")
    unfccc = t[t.title.str.fullmatch("United Nations Framework Convention On Climate Change")]
    assert len(unfccc) == 1 and unfccc.iloc[0]["sources"] == "GGO+IEADB"


def test_nafta_from_four_sources_counts_once(shared_data, ties, instruments):
    # the raw files: NAFTA is GGO and IEADB NRTAFT_1992A, DESTA base treaty 636, an UNCTAD TIP
    assert {"USA", "CAN", "MEX"} <= _raw_parties(shared_data, "GGO", "NRTAFT_1992A")
    assert {"USA", "CAN", "MEX"} <= _raw_parties(shared_data, "IEADB", "NRTAFT_1992A")
    desta = pd.read_csv(shared_data / "desta" / "desta_list_of_treaties_02_02.csv.gz")
    assert desta.loc[desta.number.astype(str) == "636", "name"].str.contains("NAFTA").all()
    unctad = pd.read_csv(shared_data / "unctad_iia" / "unctad_iia_treaties_scraped.csv.gz")
    assert unctad.astype(str).apply(lambda c: c.str.contains("NAFTA")).any(axis=None)
    nafta = instruments[instruments.title.str.contains("NAFTA|North American Free Trade", regex=True)]
    assert set(nafta.dataset) == {"GGO", "IEADB", "DESTA", "UNCTAD"}
    assert nafta.agreement_id.nunique() == 1
    for partner in (20, 70):
        t = in_force(ties[(ties.ccode1 == 2) & (ties.ccode2 == partner)], "2003-03-20")
        n = t[t.agreement_id == nafta.agreement_id.iloc[0]]
        assert len(n) == 1 and set(n.iloc[0]["sources"].split("+")) == {"GGO", "IEADB", "UNCTAD", "DESTA"}
        assert n.iloc[0]["start"] == pd.Timestamp("1994-01-01")  # GGO's day, not DESTA's 31 December


@pytest.mark.parametrize(("ggo", "dataset", "other", "rule"), [
    ("MI08WT_1972N", "IEADB", "ED09WC_1972A", "same_text"),   # IBWC Minute 240 (USA-Mexico), one day
    ("PD04WD_1992A", "IEADB", "PD04WD_1993A", "same_title"),  # the Chemical Weapons Convention, 1992 / 1993
    ("CAN-USA_1965A", "DESTA", "170", "desta_name"),          # the Canada-US Auto Pact, DESTA base treaty 170
])
def test_known_duplicates_are_one_agreement(shared_data, instruments, ggo, dataset, other, rule):
    a = instruments[(instruments.dataset == "GGO") & (instruments.treaty_id == ggo)]
    b = instruments[(instruments.dataset == dataset) & (instruments.treaty_id == other)]
    assert len(a) == 1 and len(b) == 1
    assert a.agreement_id.iloc[0] == b.agreement_id.iloc[0]
    assert rule in b.matched_by.iloc[0].split("+")


def test_same_day_different_agreements_stay_apart(instruments):
    # 1973-02-21: the USA and the USSR signed several fishery agreements; IEADB's king and tanner crab
    # agreement is not GGO's north-east Pacific fishery agreement of the same day
    crab = instruments[(instruments.dataset == "IEADB") & (instruments.treaty_id == "RUS-USA[KTC]_1973A")]
    pacific = instruments[(instruments.dataset == "GGO") & (instruments.treaty_id == "RUS-USA_1973A")]
    assert crab.agreement_id.iloc[0] != pacific.agreement_id.iloc[0]


def test_each_pair_of_an_agreement_once_at_a_time(ties):
    live = in_force(ties, "2003-03-20")
    assert not live.duplicated(["agreement_id", "ccode1", "ccode2"]).any()
    assert (ties.ccode1 < ties.ccode2).all()
    assert ties.ccode1.dtype == "int64" and str(ties.start.dtype) == "datetime64[ns]"


# ---------------------------------------------------------------- alliances are ATOP's


def _atop_raw(shared_data) -> pd.DataFrame:
    a = pd.read_csv(shared_data / "atop_v4" / "atop4_01_member_level.csv.gz")[["atopid", "member", "yrent",
                                                                               "moent", "dayent"]].copy()
    a["day"] = pd.to_datetime(dict(year=a.yrent, month=a.moent, day=a.dayent.fillna(1)), errors="coerce")
    return a


def _atopid(raw: pd.DataFrame, a: int, b: int, day: str) -> int:
    """The ATOP alliance of states a and b that begins on ``day``, read from the raw member file."""
    both = set(raw[raw.member == a].atopid) & set(raw[raw.member == b].atopid)
    first = raw[raw.atopid.isin(both)].groupby("atopid")["day"].min()
    ids = first[first == pd.Timestamp(day)].index.tolist()
    assert len(ids) == 1, ids
    return int(ids[0])


NATO_1949 = [2, 20, 200, 210, 211, 212, 220, 235, 325, 385, 390, 395]
KNOWN_ALLIANCES = [  # title, signature day, parties
    ("North Atlantic Treaty", "1949-04-04", NATO_1949),
    ("Security Treaty Between The United States Of America And Japan", "1951-09-08", [2, 740]),
    ("Treaty Of Mutual Cooperation And Security Between Japan And The United States Of America", "1960-01-19",
     [2, 740]),
    ("Mutual Defense Treaty Between The United States And The Republic Of Korea", "1953-10-01", [2, 732]),
]


def _agreements(rows):
    agr = pd.DataFrame({"agreement_id": [f"x{i}" for i in range(len(rows))], "title": [r[0] for r in rows],
                        "domain": [r[3] if len(r) > 3 else "other" for r in rows],
                        "is_bilateral": [len(r[2]) == 2 for r in rows],
                        "signature_date": pd.to_datetime([r[1] for r in rows])})
    agr["sig_year"] = agr.signature_date.dt.year.astype(float)
    members = pd.DataFrame([(f"x{i}", c) for i, r in enumerate(rows) for c in r[2]], columns=["agreement_id", "ccode"])
    return agr, members


def test_atop_rule_finds_nato_and_the_us_security_treaties(shared_data):
    from coalitionlab.data import load

    raw = _atop_raw(shared_data)
    want = {"x0": _atopid(raw, 2, 200, "1949-04-04"), "x1": _atopid(raw, 2, 740, "1951-09-08"),
            "x2": _atopid(raw, 2, 740, "1960-01-19"), "x3": _atopid(raw, 2, 732, "1953-10-01")}
    agr, members = _agreements(KNOWN_ALLIANCES)
    hits = atop_matches(agr, members, load("atop_members", shared_data))
    got = hits.drop_duplicates("agreement_id").set_index("agreement_id")["atopid"].to_dict()
    assert got == want
    # every NATO founder's pair is an alliance tie
    assert set(hits.loc[hits.agreement_id == "x0", "ccode"]) == set(NATO_1949)


def test_atop_rule_needs_a_security_title_the_same_states_and_the_day(shared_data):
    from coalitionlab.data import load

    controls = [
        ("Agreement Concerning Fisheries", "1951-09-08", [2, 740], "environment"),  # not a security agreement
        ("Security Treaty Between The United States And Japan", "1955-09-08", [2, 740]),  # not the day
        ("Mutual Defence Agreement", "1949-04-04", [2, 200]),                     # 2 of NATO's 12 founders
        ("Comprehensive Nuclear Test Ban Treaty", "1996-09-24", [2, 200, 310, 360, 365, 373, 705]),
    ]
    agr, members = _agreements(controls)
    assert atop_matches(agr, members, load("atop_members", shared_data)).empty


def test_the_record_holds_no_us_alliance_treaty(ties):
    # NATO, the US-Japan and US-ROK treaties are not in the record (documented): no tie of these pairs
    # carries their titles, so nothing is counted twice
    pattern = r"North Atlantic Treaty$|Security Treaty|Mutual Cooperation And Security|Mutual Defen[cs]e Treaty"
    for partner in (200, 732, 740):
        t = ties[(ties.ccode1 == 2) & (ties.ccode2 == partner)]
        assert not t.title.str.contains(pattern, regex=True).any()


def test_record_agreements_that_are_atop_alliances_are_left_out(shared_data, ties, instruments):
    raw = _atop_raw(shared_data)
    # the 1994 Israel-Jordan peace treaty and the 1979 US-Kiribati treaty of friendship are ATOP alliances
    for tid, a, b, day in (("ISR-JOR_1994A", 663, 666, "1994-10-26"), ("KIR-USA_1979A", 2, 946, "1979-09-20")):
        row = instruments[(instruments.dataset == "GGO") & (instruments.treaty_id == tid)]
        assert row.atopid.iloc[0] == _atopid(raw, a, b, day)
        assert not (ties.agreement_id == row.agreement_id.iloc[0]).any()


def test_an_alliance_in_the_party_files_is_dropped_end_to_end(shared_data):
    from coalitionlab.data import load
    from coalitionlab.measures.treaties import _build

    def party(tid, title, state, ccode, day):
        return {"dataset": "GGO", "treaty_id": tid, "state_id": state, "ccode": ccode, "is_state": True,
                "title": title, "signature_date": pd.Timestamp(day), "ratification_date": pd.NaT,
                "force_date": pd.Timestamp(day), "end_date": pd.NaT, "force_precision": "day",
                "end_precision": None, "force_from_treaty": False, "source_id": None, "record": 1}

    rows = []
    for tid, title, day in (("JPN-USA_1951A", "Security Treaty Between The United States Of America And Japan",
                             "1951-09-08"),
                            ("JPN-USA_1951B", "Convention On Fisheries Between Japan And The United States",
                             "1951-09-08")):
        rows += [party(tid, title, "USA", 2, day), party(tid, title, "JPN", 740, day)]
    parties = pd.DataFrame(rows).astype({"ccode": "Int64"})
    agreements = pd.DataFrame({c: pd.Series(dtype="str") for c in ("dataset", "treaty_id", "domain")})
    frames = {"manytreaties_parties": parties, "manytreaties_agreements": agreements,
              "atop_members": load("atop_members", shared_data)}
    inst, t, stats = _build(frames, ("ggo",))
    assert t.title.tolist() == ["Convention On Fisheries Between Japan And The United States"]
    assert stats["atop_ties_removed"] == 1


def test_unified_germany_continues_the_federal_republics_treaties(shared_data, ties):
    # the raw file: GGO lists DEU in Geneva Convention I with a StateForce before unification (the FRG's)
    g = pd.read_csv(shared_data / "manytreaties" / "parties_GGO.csv.gz", dtype=str, keep_default_na=False)
    deu = g[(g.treatyID == "GA05FF_1949A") & (g.stateID == "DEU")]
    usa = g[(g.treatyID == "GA05FF_1949A") & (g.stateID == "USA")]
    assert len(deu) == 1 and deu.StateForce.iloc[0] < "1990-10-03"
    t = ties[(ties.ccode1 == 2) & ties.title.str.startswith("Geneva Convention (1)")]
    frg, germany = t[t.ccode2 == 260], t[t.ccode2 == 255]
    assert len(frg) == 1 and frg.start.iloc[0] == pd.Timestamp(max(deu.StateForce.iloc[0], usa.StateForce.iloc[0]))
    assert len(germany) == 1 and germany.start.iloc[0] == pd.Timestamp("1990-10-03")


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(("partner", "pattern", "eif"), [
    (670, "Saudi Arabia - US TIFA", "2003-07-31"),
    (770, "Pakistan - US TIFA", "2003-06-25"),
    (663, "Jordan - United States of America BIT", "2003-06-12"),
])
def test_no_look_ahead_on_exact_days(shared_data, ties, partner, pattern, eif):
    raw = pd.read_csv(shared_data / "unctad_iia" / "unctad_iia_treaties_scraped.csv.gz", dtype=str)
    hit = raw[raw.short_title.str.startswith(pattern, na=False)]
    assert hit.date_of_entry_into_force.tolist() == [eif] and hit.termination_date.isna().all()
    t = ties[(ties.ccode1 == 2) & (ties.ccode2 == partner) & ties.title.str.startswith(pattern)]
    assert len(t) == 1 and t.iloc[0]["start"] == pd.Timestamp(eif)
    assert count_ties(t, [2, partner], [partner, 2], ["2003-03-20", "2003-12-31"]).tolist() == [0.0, 1.0]


def test_desta_years_start_on_31_december(ties):
    successors = [255, 316, 317, 679]  # their copies of a predecessor's tie start on their first day
    d = ties[(ties.sources == "DESTA") & ~ties.ccode1.isin(successors) & ~ties.ccode2.isin(successors)]
    assert len(d) and (d.start.dt.strftime("%m-%d") == "12-31").all() and (d.start_precision == "year").all()


def test_coverage_is_the_years_in_the_data(shared_data):
    g = pd.read_csv(shared_data / "manytreaties" / "parties_GGO.csv.gz", dtype=str, keep_default_na=False)
    years = pd.to_numeric(g.Signature.str[:4], errors="coerce")
    assert years[years < 2500].max() == SOURCE_COVERAGE["ggo"][1]
    ie = pd.read_csv(shared_data / "manytreaties" / "parties_IEADB.csv.gz", dtype=str, keep_default_na=False)
    years = pd.to_numeric(ie.Force.str[:4], errors="coerce")
    assert years[years < 2500].max() == SOURCE_COVERAGE["ieadb"][1]
    assert record_coverage() == (1816, 2023) and record_coverage("unctad") == (1816, 2025)


def test_an_end_another_source_records_ends_the_tie(shared_data, ties):
    # GGO codes the two 1967 USA-USSR agreements with no StateForce (no tie of its own) but with a
    # StateEnd; IEADB, matched to them, dates the tie with no end. The GGO end must end the tie.
    g = pd.read_csv(shared_data / "manytreaties" / "parties_GGO.csv.gz", dtype=str, keep_default_na=False)
    raw = g[(g.treatyID == "RUS-USA_1967A") & g.stateID.isin(["USA", "RUS"])]
    assert (raw.StateForce == "").all() and (raw.StateEnd != "").all()
    ends = sorted(pd.to_datetime(raw.groupby("Title").StateEnd.min()))
    assert [str(e.date()) for e in ends] == ["1970-12-31", "1971-02-12"]  # what the reviewer read
    t = ties[(ties.ccode1 == 2) & (ties.ccode2 == 365) & ties.agreement_id.str.startswith("GGO:RUS-USA_1967A")]
    assert len(t) == 2 and sorted(t.end) == ends
    assert in_force(t, "2003-03-20").empty and len(in_force(t, "1968-01-01")) == 2


def test_one_ieadb_agreement_under_two_numbers_counts_once(shared_data, ties, instruments):
    ie = pd.read_csv(shared_data / "manytreaties" / "parties_IEADB.csv.gz", dtype=str, keep_default_na=False)
    two = ie[ie.ieadbID.isin(["4902", "4917"])]
    rows = two.drop(columns="ieadbID").drop_duplicates()
    # the raw file: the same ID, title, signature day and parties under two numbers
    assert two.ieadbID.nunique() == 2 and len(rows) == 2 and set(rows.stateID) == {"USA", "PER"}
    assert rows.Signature.unique().tolist() == ["2008-09-18"] and rows.Title.nunique() == 1
    ins = instruments[(instruments.dataset == "IEADB") & (instruments.treaty_id == "ET04AB_2008A")]
    assert len(ins) == 2 and ins.agreement_id.nunique() == 1 and (ins.matched_by == "same_record").all()
    bil = ties[ties.is_bilateral]
    assert count_ties(bil, [2, 2], [135, 135], ["2008-09-17", "2008-09-18"]).tolist() == [0.0, 1.0]


def test_same_day_renewals_of_one_source_are_not_merged(instruments):
    # same_record needs the same signature day: instruments of one dataset it links share title,
    # day and parties exactly
    linked = instruments[instruments.matched_by.str.contains("same_record")]
    assert len(linked) >= 2
    key = linked.title.str.lower().str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip() \
        + "|" + linked.signature_date.astype(str) + "|" + linked.ccodes + "|" + linked.dataset
    assert (linked.groupby(key).agreement_id.nunique() == 1).all()
    assert (linked.groupby("agreement_id").apply(lambda g: key[g.index].nunique()) == 1).all()


def test_treaties_before_1678(shared_data, ties):
    g = pd.read_csv(shared_data / "manytreaties" / "parties_GGO.csv.gz", dtype=str, keep_default_na=False)
    sweden = g[g.treatyID == "GBR-SWE_1656A"]
    castile = g[g.treatyID == "ESP-GBR_1351A"]
    assert (sweden.StateForce == "1656-11-14").all() and (sweden.StateEnd == "").all()
    assert (castile.StateEnd == "1371-07-31").all()
    gb = ties[ties.ccode1 == 200]
    # GB-Sweden: in force from the first day datetime64[ns] holds, with no end
    swe = gb[gb.agreement_id == "GGO:GBR-SWE_1656A"]
    assert len(swe) == 1 and swe.start.iloc[0] == pd.Timestamp("1677-09-22") and swe.end.isna().all()
    assert len(in_force(swe, "1816-01-01")) == 1
    # England-Castile ended in 1371: in force on no day of the record (not "for ever")
    cas = gb[gb.agreement_id == "GGO:ESP-GBR_1351A"]
    assert in_force(cas, "1816-01-01").empty and in_force(cas, "1677-09-22").empty


def test_count_ties_counts_a_treaty_before_1678(ties):
    # numpy's datetime64[ns] -> [D] cast turned 1677-09-22 into 2262-04-11, so these never counted
    swe = ties[ties.agreement_id == "GGO:GBR-SWE_1656A"]
    assert count_ties(swe, [200], [380], ["1816-01-01"]).tolist() == [1.0]


# ---------------------------------------------------------------- add_treaties


def _dyads(rows, years):
    df = pd.DataFrame([(a, b, y) for a, b in rows for y in years], columns=["ccode1", "ccode2", "year"])
    df.attrs["unit"] = "dyad_year"
    return df


def test_add_treaties_counts_on_31_december_and_is_nan_outside_coverage(shared_data, ties):
    panel = _dyads([(2, 20), (20, 2), (2, 740), (2, 200)], [1815, 1990, 2003, 2023, 2024])
    out = add_treaties(panel, data_dir=shared_data)
    outside = out.year.isin([1815, 2024])
    for col in ("treaties_bilateral", "treaties_multilateral", "treaties_nonsecurity"):
        assert out.loc[outside, col].isna().all() and out.loc[~outside, col].notna().all()
    # a loop over the tie table: in force on 31 December
    for r in out[~outside].itertuples():
        d = pd.Timestamp(f"{r.year}-12-31")
        pair = ties[(ties.ccode1 == min(r.ccode1, r.ccode2)) & (ties.ccode2 == max(r.ccode1, r.ccode2))]
        live = [(s <= d) and (pd.isna(e) or d < e) for s, e in zip(pair.start, pair.end)]
        live = np.array(live, dtype=bool)
        assert r.treaties_bilateral == (live & pair.is_bilateral.to_numpy()).sum()
        assert r.treaties_multilateral == (live & ~pair.is_bilateral.to_numpy()).sum()
        assert r.treaties_nonsecurity == (live & ~pair.is_security.to_numpy()).sum()
    assert out.attrs["columns"]["treaties_bilateral"]["coverage"] == [1816, 2023]
    carried = add_treaties(panel, data_dir=shared_data, mry=True).set_index(["ccode1", "ccode2", "year"])
    assert (carried.xs(2024, level="year").treaties_multilateral
            == carried.xs(2023, level="year").treaties_multilateral).all()


def test_a_state_that_left_during_the_year_is_counted_on_its_last_day(shared_data, ties):
    # COW: the Federal Republic (260) left the system on 1990-10-02 (unification); Germany (255) was a
    # member on 31 December 1990
    out = add_treaties(_dyads([(2, 260), (2, 255)], [1990]), data_dir=shared_data).set_index("ccode2")
    bil, multi = ties[ties.is_bilateral], ties[~ties.is_bilateral]
    for c, day in ((260, "1990-10-02"), (255, "1990-12-31")):
        assert out.loc[c, "treaties_bilateral"] == count_ties(bil, [2], [c], [day])[0]
        assert out.loc[c, "treaties_multilateral"] == count_ties(multi, [2], [c], [day])[0]
    # the test can fail: counted on 31 December the FRG would have another number
    assert count_ties(multi, [2], [260], ["1990-12-31"])[0] != out.loc[260, "treaties_multilateral"]
    state = pd.DataFrame({"ccode": [260], "year": [1990]})
    state.attrs["unit"] = "state_year"
    own = add_treaties(state, data_dir=shared_data).treaties_own.iloc[0]
    live = in_force(ties, "1990-10-02")
    assert own == live[(live.ccode1 == 260) | (live.ccode2 == 260)].agreement_id.nunique()


def test_a_state_before_it_existed_is_nan(shared_data):
    # the Czech Republic (316) entered the system on 1993-01-01, South Sudan (626) on 2011-07-09
    out = add_treaties(_dyads([(2, 316), (2, 626)], [1992, 1993, 2010, 2011]), data_dir=shared_data)
    got = out.set_index(["ccode2", "year"])["treaties_multilateral"]
    assert np.isnan(got[(316, 1992)]) and got[(316, 1993)] > 0
    assert np.isnan(got[(626, 2010)]) and not np.isnan(got[(626, 2011)])


def test_nonsecurity_differs_from_the_total(shared_data):
    out = add_treaties(_dyads([(2, 200), (2, 365)], [2003]), data_dir=shared_data)
    total = out.treaties_bilateral + out.treaties_multilateral
    # the USA shares the NPT, the chemical and biological weapons conventions, the Geneva conventions ...
    assert (total - out.treaties_nonsecurity >= 5).all()


def test_state_year_own_counts(shared_data, ties):
    panel = pd.DataFrame({"ccode": [2, 2, 946], "year": [2003, 2024, 2003]})
    panel.attrs["unit"] = "state_year"
    out = add_treaties(panel, data_dir=shared_data)
    assert np.isnan(out.treaties_own.iloc[1])
    live = in_force(ties, "2003-12-31")
    for i, c in ((0, 2), (2, 946)):
        mine = live[(live.ccode1 == c) | (live.ccode2 == c)]
        assert out.treaties_own.iloc[i] == mine.agreement_id.nunique() > 0
        assert out.treaties_own_bilateral.iloc[i] == mine[mine.is_bilateral].agreement_id.nunique()


def test_bad_input(shared_data):
    with pytest.raises(UnknownOptionError):
        treaty_ties(shared_data, sources=("ggo", "wto"))
    with pytest.raises(PanelTypeError):
        add_treaties(pd.DataFrame({"ccode": [2], "year": [2000]}), data_dir=shared_data)


# ---------------------------------------------------------------- the state's own total


CODES = [2, 20, 200, 365]
DAY = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2030, 12, 31))


@st.composite
def agreement_ties(draw):
    rows = []
    for _ in range(draw(st.integers(0, 20))):
        a, b = sorted(draw(st.lists(st.sampled_from(CODES), min_size=2, max_size=2, unique=True)))
        start = draw(DAY)
        end = draw(st.one_of(st.none(), DAY.filter(lambda d, s=start: d > s)))
        rows.append((a, b, draw(st.sampled_from("xyz")), start, end))
    return pd.DataFrame({"ccode1": [r[0] for r in rows], "ccode2": [r[1] for r in rows],
                         "agreement_id": [r[2] for r in rows], "start": pd.to_datetime([r[3] for r in rows]),
                         "end": pd.to_datetime([r[4] for r in rows])})


@given(agreement_ties(), st.lists(st.tuples(st.sampled_from(CODES), DAY), min_size=1, max_size=15))
def test_count_own_agreements_equals_a_loop(t, queries):
    got = count_own_agreements(t, [q[0] for q in queries], [q[1] for q in queries])
    want = []
    for c, day in queries:
        d = pd.Timestamp(day)
        ids = {r.agreement_id for r in t.itertuples()
               if c in (r.ccode1, r.ccode2) and r.start <= d and (pd.isna(r.end) or d < r.end)}
        want.append(float(len(ids)))
    assert got.tolist() == want
