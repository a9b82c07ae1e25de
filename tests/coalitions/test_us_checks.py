"""Part A of the coalition dataset (US-led coalitions), checked against the real data in ../shared/data.

* every member and lead is a COW state-system member on its join date (COW v2024 list);
* every state on the US side of a matching COW inter-state war is a member (deliberate exceptions
  listed with their reasons);
* every coalitional US use of force 1948-1998 in Tago (2005) is mapped to a coalition or listed,
  with a reason, in the exclusion table of ``docs/data/coalitions.md``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from coalitionlab.coalitions import check_system_membership, coalitions, memberships
from coalitionlab.data import load

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "data" / "coalitions.md"
PART_A = "coalitions_us.csv"

# ------------------------------------------------------------------ COW inter-state wars (v4.0)
# warnum -> coalition whose members must include every state on the US side.
COW_WARS = {
    151: "korea_1950",               # Korean War
    163: "vietnam_1964",             # Vietnam War, phase 2
    176: "cambodian_campaign_1970",  # Communist Coalition (Cambodia 1970-71)
    211: "gulf_war_1990",            # Gulf War
    221: "allied_force_1999",        # War for Kosovo
    225: "oef_afghanistan_2001",     # Invasion of Afghanistan
    227: "iraq_2003",                # Invasion of Iraq
}
WAR_EXCEPTIONS = {
    (163, 811): "Khmer Republic (Cambodia) fought the DRV from 1970 alongside the US and RVN but never joined the "
                "Free World Military Assistance Forces; it is a member of cambodian_campaign_1970 (COW war 176)",
}
# US inter-state wars since 1950 that match no coalition, and why.
WARS_WITHOUT_COALITION = {
    170: "Laos 1968-73 (US air war with the Royal Lao Government and Thai irregulars): no combined command, "
         "no multilateral force; not coded",
}

# ------------------------------------------------------------------ Tago (2005), coalitional US uses of force
# (start_year, conflict, operation) -> coalition_id
TAGO_MAPPED = {
    (1950, "Korean War (Defense of ROK)", "War with North Korea and PRC"): "korea_1950",
    (1962, "Protection of Thai Border", "Military Cooperation"): "seato_thailand_1962",
    (1962, "Cuban Missile Crisis", "Naval Blockade with Allied Forces"): "cuban_quarantine_1962",
    (1965, "Vietnam War (Ground Ops)", "Army Military Cooperation"): "vietnam_1964",
    (1965, "Dominica Unrest", "Creation of International Forces"): "dominican_1965",
    (1980, "Iran-Iraq War", "Naval Deployment"): "earnest_will_1987",
    (1982, "Suez International Forces", "Participating MNF"): "mfo_sinai_1982",
    (1982, "Lebanon MNF", "Participating MNF"): "lebanon_mnf_1982",
    (1983, "Grenada Intervention", "Deployment of Marines and Creation of MNF"): "grenada_1983",
    (1990, "Persian Gulf War", "Participating MNF"): "gulf_war_1990",
    (1991, "Protection of Kurds", "Setting Non-fly Zone and Humanitarian Aid"): "provide_comfort_1991",
    (1991, "Protection of Shiite", "Setting Non-fly Zone and Humanitarian Aid"): "southern_watch_1992",
    (1992, "Yugoslavia Conflict", "Naval Deployment"): "maritime_monitor_1992",
    (1992, "Somalia Civil War", "Participating MNF"): "unitaf_1992",
    (1992, "Yugoslavia Conflict", "Setting Non-fly Zone and Humanitarian Aid"): "deny_flight_1993",
    (1993, "Iraq Problem", "Air Strikes"): "southern_watch_1992",
    (1994, "Yugoslavia Conflict", "NATO mission"): "deny_flight_1993",
    (1994, "Haiti Unrest", "Participating UN PKO"): "uphold_democracy_1994",
    (1995, "Yugoslavia Conflict", "Srebrenica"): "deny_flight_1993",
    (1995, "Yugoslavia Conflict", "Gorazde"): "deliberate_force_1995",
    (1995, "Yugoslavia Conflict", "IFOR"): "ifor_1995",
    (1998, "Iraq Problem", "Air Strikes"): "desert_fox_1998",
}
# (start_year, conflict, operation) -> reason for leaving it out (same table in docs/data/coalitions.md)
TAGO_EXCLUDED = {
    (1948, "Arab-Israel War", "Participating UN PKO"): "before 1950; UN-led observer mission (UNTSO), not US-led",
    (1948, "Security of Berlin", "Airlift Operations"): "before 1950 (Berlin airlift 1948-49)",
    (1954, "Dien Bien Phu", "NEO"): "evacuation planning/ air support offer only; no combined operation",
    (1954, "Honduras-Guatemala", "Military Cooperation"): "covert operation (PBSUCCESS) with no allied forces under combined command",
    (1956, "Suez War", "Participating UN PKO"): "UN-led (UNEF); US gave airlift only",
    (1958, "Jordan Unrest", "Deployment of Navy and Marines"): "UK-led intervention in Jordan; the US sent no forces under a combined command",
    (1958, "Lebanon Unrest", "Deployment of Navy and Marines"): "unilateral US landing (Operation Blue Bat); UK forces went to Jordan separately",
    (1959, "Panama Unrest", "Military Cooperation"): "OAS-sanctioned patrols; participants and command not documented in public sources",
    (1959, "Panama Unrest", "Joint Naval Patrol under OAS mandate"): "OAS-sanctioned patrols; participants and command not documented in public sources",
    (1960, "Evacuation from Congo", "NEO (Participating UN PKO)"): "UN-led (ONUC); US airlift only",
    (1961, "Congo Internal Conflict", "Participating UN PKO"): "UN-led (ONUC); US airlift only",
    (1961, "Independence of Kuwait", "Naval Deployment"): "UK-led (Operation Vantage); US naval presence outside the British force",
    (1963, "Indonesia-Malaysia Tension", "Naval Deployment"): "UK-led Commonwealth operation (Confrontation); US naval deployment outside it",
    (1964, "Operation Red Dragon", "NEO with Belgium"): "bilateral rescue: Belgian paratroopers under Belgian command, US airlift; two states",
    (1980, "Security of Poland", "Deployment of Air Force"): "deterrent AWACS deployment to Western Europe; no operation",
    (1984, "Red Sea Patrol", "Clearing Mines"): "national mine-clearing groups working in parallel at Egypt's request; no combined command",
    (1992, "Angola Civil War", "Participating UN PKO"): "UN-led (UNAVEM II)",
    (1992, "Yugoslavia Conflict", "Participating UN PKO"): "UN-led (UNPROFOR)",
    (1993, "Yugoslavia Conflict", "Participating UN PKO"): "UN-led (UNPROFOR Macedonia/ UNPREDEP; US Operation Able Sentry)",
    (1994, "Rwanda Civil War", "Participating MNF"): "US humanitarian relief (Operation Support Hope) beside, not in, a combined force",
    (1995, "Peru-Equador Conflict", "Supervising Cease-fire"): "MOMEP guarantor observer mission coordinated by Brazil; not US-led",
    (1996, "Great Lakes Problem", "Participating MNF"): "Canada-led Multinational Force for Eastern Zaire (never deployed in full)",
    (1998, "Kosovo Conflict", "Deployment of Air Force"): "air exercise (Determined Falcon), a show of force with no operation",
    (1998, "Kosovo Conflict", "Setting Non-fly Zone and Humanitarian Aid"): "unarmed NATO air verification (Eagle Eye) of the OSCE mission; precursor of allied_force_1999",
}


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    return coalitions(), memberships()


def test_size(data) -> None:
    c, _ = data
    assert (c["file"] == PART_A).sum() >= 45
    assert len(c) >= 80  # parts A and B together


def test_members_are_cow_states_on_join_date(data, shared_data: Path) -> None:
    """Against the COW v2024 list in ../shared/data/cow_states (not the embedded copy)."""
    c, m = data
    states = load("cow_states", shared_data)
    check_system_membership(c, m, states=states)  # raises naming the first offender
    # the lead is a member (role 'lead'), joined at the start, and in the system on the start date
    leads = m[m.role == "lead"].merge(c, on="coalition_id")
    assert (leads["ccode"] == leads["lead_ccode"]).all() and len(leads) == len(c)
    assert (leads["join_date"] == leads["start_date"]).all()


def test_part_a_rows_are_consistent(data) -> None:
    c, m = data
    a = c[c.file == PART_A]
    ma = m[m.coalition_id.isin(a.coalition_id)]
    assert (ma["file"] == "memberships_us.csv").all()
    assert (a["lead_ccode"] == 2).all()  # part A: US-led by definition
    assert not ma.duplicated(["coalition_id", "ccode"]).any()
    assert (a["end_date"].isna() | (a["start_date"] <= a["end_date"])).all()
    life = ma.merge(a[["coalition_id", "start_date", "end_date"]], on="coalition_id")
    assert (life["join_date"] >= life["start_date"]).all()
    assert (life["end_date"].isna() | (life["join_date"] <= life["end_date"])).all()
    assert (life["leave_date"].isna() | (life["leave_date"] >= life["join_date"])).all()
    # every coalition has at least one other state that sent military personnel
    sent = ma[ma.role.isin(["combat", "non_combat", "token", "medical", "gendarmerie"])].groupby("coalition_id").size()
    assert set(sent.index) == set(a.coalition_id)
    # every row has a source note; peak personnel, when given, is a positive whole number
    assert ma["source"].str.len().min() >= 5 and (ma["peak_personnel"].dropna() > 0).all()
    # country label agrees with the COW code (spot checks of the codes the brief names)
    names = dict(zip(ma.ccode, ma.country))
    assert names[200] == "United Kingdom" and names[260] == "German Federal Republic" and names[817] == "Republic of Vietnam"


def test_korea_and_gulf_war_lists_are_complete(data) -> None:
    _, m = data
    korea = m[m.coalition_id == "korea_1950"]
    combat16 = {200, 20, 640, 900, 840, 920, 530, 350, 220, 100, 211, 560, 210, 800, 212}  # + the US = 16
    medical5 = {390, 750, 325, 385, 380}
    assert combat16 <= set(korea.loc[korea.role.isin(["combat", "token"]), "ccode"]) and 2 in set(korea.ccode)
    # the five hospital contributions (Italy's Red Cross hospital among them) are 'medical' members
    assert medical5 == set(korea.loc[korea.role == "medical", "ccode"])
    assert set(korea.ccode) == combat16 | medical5 | {2, 732}
    gulf = m[m.coalition_id == "gulf_war_1990"]
    sent = gulf[gulf.role.isin(["lead", "combat", "non_combat", "token", "medical", "gendarmerie"])]
    assert len(sent) >= 35  # the ~35 states that sent forces (DoD 1992 final report, app. I)


@pytest.fixture(scope="module")
def wars(shared_data: Path) -> pd.DataFrame:
    path = shared_data / "peacesciencer" / "cow_war_inter.csv"
    assert path.is_file(), f"missing {path}"
    return pd.read_csv(path)


def test_cow_war_sides_are_members(data, wars: pd.DataFrame) -> None:
    _, m = data
    problems = []
    for warnum, cid in COW_WARS.items():
        war = wars[wars.warnum == warnum]
        assert len(war), f"war {warnum} not in cow_war_inter"
        us_side = war.loc[war.ccode1 == 2, "sidea1"].iloc[0]
        side = set(war.loc[war.sidea1 == us_side, "ccode1"])
        members = set(m.loc[(m.coalition_id == cid) & (m.role != "financial"), "ccode"])
        missing = {s for s in side - members if (warnum, s) not in WAR_EXCEPTIONS}
        problems += [f"war {warnum} ({cid}): ccode {s} on the US side is not a member" for s in sorted(missing)]
        # the COW adversary is never a member
        assert not (set(war.loc[war.sidea1 != us_side, "ccode1"]) & members), cid
    assert not problems, "\n".join(problems)
    # every exception is still needed (the state really is on the side and really is not a member)
    for (warnum, s), reason in WAR_EXCEPTIONS.items():
        war = wars[wars.warnum == warnum]
        us_side = war.loc[war.ccode1 == 2, "sidea1"].iloc[0]
        assert s in set(war.loc[war.sidea1 == us_side, "ccode1"]) and reason
        assert s not in set(m.loc[m.coalition_id == COW_WARS[warnum], "ccode"])


def test_every_us_war_since_1950_is_matched_or_explained(wars: pd.DataFrame) -> None:
    us = set(wars.loc[(wars.ccode1 == 2) & (wars.year >= 1950), "warnum"])
    assert us == set(COW_WARS) | set(WARS_WITHOUT_COALITION)


@pytest.fixture(scope="module")
def tago(shared_data: Path) -> pd.DataFrame:
    path = shared_data / "tago_us_multilateral_force" / "multilat_force_tago2005.csv"
    assert path.is_file(), f"missing {path}"
    t = pd.read_csv(path)
    return t[t.coalitional_use_of_force == 1]


def test_tago_coalitional_uses_of_force_are_covered(data, tago: pd.DataFrame) -> None:
    c, _ = data
    assert len(tago) == 46
    keys = list(zip(tago.start_year, tago.conflict, tago.operation))
    assert len(set(keys)) == 46
    assert not set(TAGO_MAPPED) & set(TAGO_EXCLUDED)
    assert set(keys) == set(TAGO_MAPPED) | set(TAGO_EXCLUDED), "Tago events neither mapped nor excluded"
    assert set(TAGO_MAPPED.values()) <= set(c.coalition_id)
    # a mapped event starts no later than its coalition ends (Tago years are the years the US used force)
    ends = c.set_index("coalition_id")["end_date"].dt.year
    for (year, *_), cid in TAGO_MAPPED.items():
        assert pd.isna(ends[cid]) or year <= ends[cid], (year, cid)


def test_tago_exclusions_are_documented() -> None:
    assert DOC.is_file(), f"missing {DOC}"
    text = DOC.read_text(encoding="utf-8")
    rows = re.findall(r"^\|\s*(\d{4})\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|$", text, flags=re.M)
    documented = {(int(y), conflict, op): reason for y, conflict, op, reason in rows}
    missing = [k for k in TAGO_EXCLUDED if k not in documented]
    assert not missing, f"Tago exclusions missing from {DOC.name}: {missing}"
    for key, reason in TAGO_EXCLUDED.items():
        assert documented[key] == reason, key


def test_country_labels_agree_with_ccodes(data) -> None:
    """Each row's country name maps back to its ccode through the date-aware crosswalk."""
    from coalitionlab.data.countries import to_ccode

    _, m = data
    a = m[m.file == "memberships_us.csv"]
    first = a.sort_values("join_date").drop_duplicates(["country", "ccode"])
    mismatched = []
    for country, ccode, when in zip(first["country"], first["ccode"], first["join_date"]):
        mapped = int(to_ccode(country, date=when.date()))
        if mapped != ccode:
            mismatched.append(f"{country!r}: row says {ccode}, crosswalk says {mapped}")
    assert not mismatched, "\n".join(mismatched)


def test_tago_authorisation_agrees(data, tago: pd.DataFrame) -> None:
    """No UN authorisation is coded where Tago finds no IGO authorisation at all (UNSC, UNGA, NATO, OAS).

    The converse does not hold: Tago counts OAS, SEATO and NATO decisions, which are not UNSC
    authorisations (Cuba 1962, Thailand 1962, the Dominican Republic 1965).
    """
    c, _ = data
    auth = c.set_index("coalition_id")["un_authorisation"]
    unauthorised = tago[tago.igo_authorized_use_of_force == 0]
    keys = [k for k in zip(unauthorised.start_year, unauthorised.conflict, unauthorised.operation) if k in TAGO_MAPPED]
    assert len(keys) >= 5
    wrong = [(k, TAGO_MAPPED[k]) for k in keys if auth[TAGO_MAPPED[k]] == "yes"]
    assert not wrong, wrong
