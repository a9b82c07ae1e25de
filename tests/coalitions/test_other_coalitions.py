"""Part B of the coalition dataset (coalitions led by pivotal states other than the US, and UN operations).

Checked through the public API (``coalitions()``, ``memberships()``) against the real data in
``../shared/data``: the COW state list, UN peacekeeping fatalities by contributor and the COW
inter-state war list. See ``docs/data/coalitions.md``, "Part B".
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coalitionlab.coalitions import ROLES, coalitions, memberships

PART_B = "coalitions_other.csv"
PART_B_MEMBERS = "memberships_other.csv"

# UN missions of part B that appear in ../shared/data/pko_contingent_fatalities (column ``Mission``).
PKO_MISSIONS = {
    "unef_1956": "UNEF",  # the file's "UNEF" also holds UNEF II (1973-79); the coalition's dates exclude it
    "onuc_1960": "ONUC",
    "unmis_2005": "UNMIS",
    "unamid_2007": "UNAMID",
    "unifil_2006": "UNIFIL",
    "minusma_2013": "MINUSMA",
}

# Deliberate exceptions: a military fatality of this nationality does not make the state a contributor.
PKO_EXCEPTIONS = {
    ("onuc_1960", 200): "British officers seconded to the Ghanaian army (British-officered until Sept 1961); "
                        "the UK sent no ONUC contingent",
    ("onuc_1960", 490): "host state: a Congolese (ANC) battalion was attached to ONUC from Feb 1963 (UN DPKO)",
    ("onuc_1960", 484): "coded Congo-Brazzaville in the file but no Congo-Brazzaville contingent served in ONUC; "
                        "deaths of Feb-Dec 1963 match the attached Congolese (ANC) battalion",
}

# Wars in ../shared/data/peacesciencer/cow_war_inter.csv matching a part B coalition:
# coalition_id -> (warnum, a member whose COW side is the coalition's side).
COW_WARS = {
    "suez_1956": (155, 200),
    "ogaden_1977": (187, 40),
}
# States on the coalition's side that are deliberately not members.
WAR_EXCEPTIONS = {
    ("ogaden_1977", 530): "Ethiopia is the host state the coalition fought for (target_ccode), not a member",
}
# Matching coalitions that COW does not list as inter-state wars (documented, no check possible):
# warsaw_pact_czechoslovakia_1968 (no war in COW), yemen_2015 and later (COW inter-state v4 ends 2007).


@pytest.fixture(scope="module")
def both() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The whole shipped dataset (parts A and B) through the public API."""
    return coalitions(), memberships()


@pytest.fixture(scope="module")
def part_b(both) -> tuple[pd.DataFrame, pd.DataFrame]:
    c, m = both
    cb = c[c["file"] == PART_B].reset_index(drop=True)
    mb = m[m["file"] == PART_B_MEMBERS].reset_index(drop=True)
    return cb, mb


@pytest.fixture(scope="module")
def cow_spells(shared_data: Path) -> pd.DataFrame:
    s = pd.read_csv(shared_data / "cow_states" / "statelist2024.csv")
    return pd.DataFrame({
        "ccode": s["ccode"].astype("int64"),
        "start": pd.to_datetime(dict(year=s.styear, month=s.stmonth, day=s.stday)),
        "end": pd.to_datetime(dict(year=s.endyear, month=s.endmonth, day=s.endday)),
    })


def _in_system(ccodes: pd.Series, dates: pd.Series, spells: pd.DataFrame) -> np.ndarray:
    probe = pd.DataFrame({"_i": np.arange(len(ccodes)), "ccode": ccodes.to_numpy(dtype="int64"),
                          "date": pd.to_datetime(dates).to_numpy()})
    j = probe.merge(spells, on="ccode")
    hit = j.loc[(j["date"] >= j["start"]) & (j["date"] <= j["end"]), "_i"]
    ok = np.zeros(len(ccodes), dtype=bool)
    ok[hit.to_numpy()] = True
    return ok


# ------------------------------------------------------------------ integrity


def test_part_b_has_at_least_40_multilateral_coalitions_1950_2024(part_b):
    c, m = part_b
    assert len(c) >= 40
    assert c["start_date"].dt.year.between(1950, 2024).all()
    n_members = m.groupby("coalition_id").size().reindex(c["coalition_id"], fill_value=0)
    assert (n_members >= 2).all(), n_members[n_members < 2].to_dict()
    # part B is about pivotal states other than the US, except UN operations the US assembled
    us_led = c[c["lead_ccode"] == 2]
    assert (us_led["kind"] == "un").all(), us_led["coalition_id"].tolist()


def test_ids_unique_across_both_parts_and_carry_the_start_year(both, part_b):
    c, _ = both
    assert c["coalition_id"].is_unique
    cb, _ = part_b
    years = cb["coalition_id"].str.extract(r"_(\d{4})$")[0].astype(int)
    assert (years == cb["start_date"].dt.year).all(), cb.loc[years != cb["start_date"].dt.year, "coalition_id"].tolist()
    assert cb["coalition_id"].map(lambda s: re.fullmatch(r"[a-z][a-z0-9_]*_\d{4}", s) is not None).all()


def test_every_coalition_has_exactly_one_lead_row_matching_lead_ccode(part_b):
    c, m = part_b
    leads = m[m["role"] == "lead"]
    assert leads["coalition_id"].is_unique
    merged = c.merge(leads[["coalition_id", "ccode"]], on="coalition_id", how="left")
    wrong = merged["ccode"] != merged["lead_ccode"]
    assert not wrong.any(), merged.loc[wrong, "coalition_id"].tolist()


def test_no_duplicate_memberships_and_valid_vocabulary(part_b):
    c, m = part_b
    assert not m.duplicated(["coalition_id", "ccode"]).any()
    assert m["role"].isin(ROLES).all()
    assert m["coalition_id"].isin(c["coalition_id"]).all()
    assert (m["source"].str.len() > 5).all() and (c["sources"].str.len() > 5).all()
    assert (m["peak_personnel"].dropna() > 0).all()


def test_target_or_host_state_is_never_a_member(part_b):
    c, m = part_b
    j = m.merge(c[["coalition_id", "target_ccode"]], on="coalition_id")
    clash = j[j["target_ccode"].notna() & (j["ccode"] == j["target_ccode"])]
    assert clash.empty, clash[["coalition_id", "country"]]


def test_police_only_contributors_are_left_out_not_coded_observer(part_b):
    _, m = part_b
    # part B rule: UN military observers and staff officers are `token`; police-only contributors
    # are not members at all, so the `observer` role is never used
    assert not (m["role"] == "observer").any(), m.loc[m["role"] == "observer", ["coalition_id", "country"]]
    # `financial` members sent no personnel, so they carry no personnel figure
    assert m.loc[m["role"] == "financial", "peak_personnel"].isna().all()


def test_dates_are_ordered(part_b):
    c, m = part_b
    assert (c["end_date"].isna() | (c["start_date"] <= c["end_date"])).all()
    life = m.merge(c[["coalition_id", "start_date", "end_date"]], on="coalition_id")
    end = life["end_date"].fillna(pd.Timestamp("2024-12-31"))
    assert (life["join_date"] >= life["start_date"]).all()
    assert (life["join_date"] <= end).all()
    left = life["leave_date"].notna()
    assert (life.loc[left, "leave_date"] >= life.loc[left, "join_date"]).all()
    assert (life.loc[left, "leave_date"] <= end[left]).all()
    # the lead is there from the start
    assert life.loc[life["role"] == "lead", "join_date"].eq(life.loc[life["role"] == "lead", "start_date"]).all()


def test_every_member_lead_and_target_is_a_cow_state_on_the_date(part_b, cow_spells):
    c, m = part_b
    ok = _in_system(m["ccode"], m["join_date"], cow_spells)
    assert ok.all(), m.loc[~ok, ["coalition_id", "ccode", "country", "join_date"]].to_string()
    ok = _in_system(c["lead_ccode"], c["start_date"], cow_spells)
    assert ok.all(), c.loc[~ok, ["coalition_id", "lead_ccode"]]
    t = c[c["target_ccode"].notna()]
    ok = _in_system(t["target_ccode"].astype("int64"), t["start_date"], cow_spells)
    assert ok.all(), t.loc[~ok, ["coalition_id", "target_ccode", "target"]]


def test_cow_codes_follow_the_system_rules(part_b):
    _, m = part_b
    # Germany before reunification is 260 (or 265), Yemen after 1990 is 679: never the wrong code for the date
    assert not ((m["ccode"] == 255) & (m["join_date"] < "1990-10-03")).any()
    assert not ((m["ccode"].isin([260, 265])) & (m["join_date"] >= "1990-10-03")).any()
    assert not ((m["ccode"].isin([678, 680])) & (m["join_date"] >= "1990-05-22")).any()


# ------------------------------------------------------------------ UN contributor evidence


@pytest.fixture(scope="module")
def pko_military(shared_data: Path) -> pd.DataFrame:
    """Months with a military (troop or observer) fatality; police and civilian staff deaths do not count."""
    d = pd.read_csv(shared_data / "pko_contingent_fatalities" / "contingent_mission_month_fatalities.csv")
    # rows without a contributor code ("ZZ [Undetermined]") cannot be attributed to a state
    d = d[((d["Mil"] + d["Obs"]) > 0) & d["Cowcontr"].notna()]
    d = d.assign(ccode=d["Cowcontr"].astype("int64"),
                 month_start=pd.to_datetime(dict(year=d.Year, month=d.Month, day=1)))
    return d.assign(month_end=d["month_start"] + pd.offsets.MonthEnd(0))


def _fatalities_in(coalition: pd.Series, pko: pd.DataFrame) -> pd.DataFrame:
    end = coalition["end_date"] if pd.notna(coalition["end_date"]) else pd.Timestamp("2024-12-31")
    f = pko[(pko["Mission"] == PKO_MISSIONS[coalition["coalition_id"]])
            & (pko["month_end"] >= coalition["start_date"]) & (pko["month_start"] <= end)]
    return f


@pytest.mark.parametrize("coalition_id", sorted(PKO_MISSIONS))
def test_every_un_contributor_with_military_fatalities_is_a_member_at_that_time(part_b, pko_military, coalition_id):
    c, m = part_b
    coalition = c.set_index("coalition_id").loc[coalition_id].copy()
    coalition["coalition_id"] = coalition_id
    f = _fatalities_in(coalition, pko_military)
    assert len(f) >= 20, f"too few fatality rows for {coalition_id}: the mission mapping is wrong"
    f = f[~f["ccode"].map(lambda cc: (coalition_id, cc) in PKO_EXCEPTIONS)]
    mm = m[m["coalition_id"] == coalition_id][["ccode", "join_date", "leave_date"]]
    j = f.merge(mm, on="ccode", how="left")
    missing = j[j["join_date"].isna()]
    assert missing.empty, f"contributors with military deaths missing from {coalition_id}:\n" + \
        missing[["Year", "Month", "Nationality", "ccode", "Mil", "Obs"]].to_string()
    outside = j[(j["month_end"] < j["join_date"]) | (j["leave_date"].notna() & (j["month_start"] > j["leave_date"]))]
    assert outside.empty, f"military deaths outside the membership spell in {coalition_id}:\n" + \
        outside[["Year", "Month", "Nationality", "join_date", "leave_date"]].to_string()


def test_pko_exceptions_are_real_and_still_needed(part_b, pko_military):
    c, m = part_b
    for (cid, cc), reason in PKO_EXCEPTIONS.items():
        coalition = c.set_index("coalition_id").loc[cid].copy()
        coalition["coalition_id"] = cid
        f = _fatalities_in(coalition, pko_military)
        assert (f["ccode"] == cc).any(), f"exception {cid}/{cc} has no fatality rows: drop it ({reason})"
        is_member = ((m["coalition_id"] == cid) & (m["ccode"] == cc)).any()
        assert not is_member, f"{cid}/{cc} is a member: drop the exception"


# ------------------------------------------------------------------ COW inter-state wars


@pytest.fixture(scope="module")
def cow_wars(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(shared_data / "peacesciencer" / "cow_war_inter.csv")


@pytest.mark.parametrize("coalition_id", sorted(COW_WARS))
def test_every_state_on_the_coalitions_side_of_the_cow_war_is_a_member(part_b, cow_wars, coalition_id):
    c, m = part_b
    warnum, anchor = COW_WARS[coalition_id]
    w = cow_wars[cow_wars["warnum"] == warnum]
    assert not w.empty, f"COW war {warnum} not found"
    side = w.loc[w["ccode1"] == anchor, "sidea1"].unique()
    assert len(side) == 1, f"ccode {anchor} is not in COW war {warnum}"
    ours = set(w.loc[w["sidea1"] == side[0], "ccode1"])
    theirs = set(w.loc[w["sidea1"] != side[0], "ccode1"])
    coalition = c.set_index("coalition_id").loc[coalition_id]
    end = coalition["end_date"] if pd.notna(coalition["end_date"]) else pd.Timestamp("2024-12-31")
    assert w["year"].between(coalition["start_date"].year, end.year).any(), "war years do not overlap the coalition"
    members = set(m.loc[m["coalition_id"] == coalition_id, "ccode"])
    expected = {cc for cc in ours if (coalition_id, cc) not in WAR_EXCEPTIONS}
    assert expected <= members, f"COW side states missing from {coalition_id}: {sorted(expected - members)}"
    assert not (members & theirs), f"members on the opposing COW side: {sorted(members & theirs)}"
    for (cid, cc), reason in WAR_EXCEPTIONS.items():
        if cid == coalition_id:
            assert cc in ours and cc not in members, f"stale war exception {cid}/{cc} ({reason})"
            assert coalition["target_ccode"] == cc
