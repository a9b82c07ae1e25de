"""Dataset 2026.2: operations (phases grouped), theatres, entrepreneurs, and the overlap check behind them."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coalitionlab.coalitions import (
    DATASET_VERSION,
    add_coalitions,
    coalition_panel,
    coalitions,
    membership_overlap,
    memberships,
    read_coalitions_csv,
)
from coalitionlab.coalitions.dataset import DATA_DIR
from coalitionlab.data.regions import REGIONS, region_of
from coalitionlab.errors import DataFileError, PanelTypeError, UnknownOptionError

# The operation groups of docs/data/coalitions.md ("Operations"), written out by hand.
GROUPS = {
    "vietnam_war_1964": {"vietnam_1964", "cambodian_campaign_1970"},
    "northern_iraq_1991": {"provide_comfort_1991", "provide_comfort_ii_1991", "northern_watch_1997"},
    "southern_iraq_1992": {"southern_watch_1992", "desert_fox_1998"},
    "bosnia_air_1993": {"deny_flight_1993", "deliberate_force_1995"},
    "bosnia_dayton_1995": {"ifor_1995", "sfor_1996", "eufor_althea_2004"},
    "afghanistan_nato_2003": {"isaf_2003", "resolute_support_2015"},
    "gulf_of_aden_nato_2009": {"allied_protector_2009", "ocean_shield_2009"},
    "libya_2011": {"odyssey_dawn_2011", "unified_protector_2011"},
    "bougainville_1997": {"bougainville_tmg_1997", "bougainville_pmg_1998"},
    "darfur_2004": {"amis_2004", "unamid_2007"},
    "mali_un_2013": {"afisma_2013", "minusma_2013"},
    "sahel_france_2013": {"serval_2013", "barkhane_2014", "takuba_2020"},
}

OLD_HEADER = ("coalition_id,name,start_date,end_date,lead_ccode,lead,kind,un_authorisation,un_resolution,"
              "target_ccode,target,mission_type,sources")
NEW_HEADER = ("coalition_id,name,start_date,end_date,lead_ccode,lead,kind,un_authorisation,un_resolution,"
              "target_ccode,target,mission_type,operation,theatre,entrepreneur_ccode,sources")
MEMBERSHIP_HEADER = "coalition_id,ccode,country,role,join_date,leave_date,peak_personnel,source"
OLD_ROW = ("timor_test_1999,Test force,1999-09-20,2000-02-28,900,Australia,ad_hoc,yes,UNSCR 1264,860,East Timor,"
           "peace_operation,test source 2024")
MEMBERS = [
    "timor_test_1999,900,Australia,lead,,,,test note",
    "timor_test_1999,920,New Zealand,combat,,,,test note",
]


def _write(tmp_path: Path, header: str, rows: list[str], members: list[str] = MEMBERS) -> tuple[Path, Path]:
    c, m = tmp_path / "my_coalitions.csv", tmp_path / "my_memberships.csv"
    c.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    m.write_text("\n".join([MEMBERSHIP_HEADER, *members]) + "\n", encoding="utf-8")
    return c, m


def _new_row(operation: str = "", theatre: str = "", entrepreneur: str = "", target: str = "860",
             cid: str = "timor_test_1999") -> str:
    return (f"{cid},Test force,1999-09-20,2000-02-28,900,Australia,ad_hoc,yes,UNSCR 1264,{target},East Timor,"
            f"peace_operation,{operation},{theatre},{entrepreneur},test source 2024")


# ---------------------------------------------------------------- operations


def test_version_and_columns() -> None:
    assert DATASET_VERSION == "2026.3"
    c = coalitions()
    assert {"operation", "theatre", "entrepreneur_ccode"} <= set(c.columns)
    assert str(c["entrepreneur_ccode"].dtype) == "Int64"
    assert c["operation"].notna().all() and c["theatre"].notna().all()


def test_operation_groups_are_the_documented_ones() -> None:
    c = coalitions()
    groups = {op: set(g) for op, g in c.groupby("operation")["coalition_id"] if len(g) > 1}
    assert groups == GROUPS
    singletons = c[~c["operation"].isin(list(GROUPS))]
    assert (singletons["operation"] == singletons["coalition_id"]).all()  # a singleton is its own operation
    ops = c.set_index("coalition_id")["operation"]
    assert ops["ifor_1995"] == ops["sfor_1996"] == "bosnia_dayton_1995"
    assert ops["korea_1950"] == "korea_1950" and ops["kfor_1999"] == "kfor_1999"
    assert ops["oef_afghanistan_2001"] != ops["isaf_2003"]  # parallel commands: not one operation
    assert c["operation"].nunique() == len(c) - sum(len(g) - 1 for g in GROUPS.values())


def test_operation_groups_follow_the_rule() -> None:
    """The rule's checkable parts: one theatre, each later phase starting at most 92 days after the
    earlier phases end (or inside them), and the id ending in the first phase's start year."""
    c = coalitions()
    for op, ids in GROUPS.items():
        g = c[c["coalition_id"].isin(ids)].sort_values("start_date")
        assert g["theatre"].nunique() == 1, op
        assert int(op[-4:]) == g["start_date"].dt.year.min(), op
        ends = g["end_date"].fillna(pd.Timestamp("2024-12-31"))
        for i in range(1, len(g)):
            gap = (g["start_date"].iloc[i] - ends.iloc[:i].max()).days
            assert gap <= 92, (op, g["coalition_id"].iloc[i], gap)


def test_operations_of_users_files(tmp_path: Path) -> None:
    # a file without the new columns: operation = own id, theatre = region of the target, no entrepreneur
    c, _ = read_coalitions_csv(*_write(tmp_path, OLD_HEADER, [OLD_ROW]))
    row = c.iloc[0]
    assert row["operation"] == "timor_test_1999" and row["theatre"] == "asia"  # COW 860 lies in 700-899: Asia
    assert pd.isna(row["entrepreneur_ccode"])
    # the same with the columns present but empty, and an explicit theatre kept as written
    c, _ = read_coalitions_csv(*_write(tmp_path, NEW_HEADER, [_new_row()]))
    assert (c.iloc[0]["operation"], c.iloc[0]["theatre"]) == ("timor_test_1999", "asia")
    c, _ = read_coalitions_csv(*_write(tmp_path, NEW_HEADER, [_new_row("timor_1999", "oceania", target="")]))
    assert (c.iloc[0]["operation"], c.iloc[0]["theatre"]) == ("timor_1999", "oceania")


def test_user_coalitions_join_the_shipped_dataset_and_panel(tmp_path: Path) -> None:
    c, m = add_coalitions(*_write(tmp_path, OLD_HEADER, [OLD_ROW]))
    assert c["operation"].notna().all() and c["theatre"].notna().all()
    p = coalition_panel(["timor_test_1999", "korea_1950"], coalitions_df=c, memberships_df=m)
    mine = p[p.coalition_id == "timor_test_1999"]
    assert set(mine["operation"]) == {"timor_test_1999"} and set(mine["theatre"]) == {"asia"}
    assert set(mine["kind"]) == {"ad_hoc"} and set(mine["target_ccode"].astype(int)) == {860}


@pytest.mark.parametrize(
    ("header", "rows", "members", "match", "column", "row"),
    [
        # neither theatre nor target
        (OLD_HEADER, [OLD_ROW.replace(",860,", ",,")], MEMBERS, "no theatre for 'timor_test_1999'", "theatre", 2),
        (NEW_HEADER, [_new_row(target="")], MEMBERS, "no theatre for 'timor_test_1999'", "theatre", 2),
        # a theatre that is not a region (second row)
        (NEW_HEADER, [_new_row(theatre="asia"), _new_row(theatre="pacific", cid="other_test_1999")],
         [*MEMBERS, "other_test_1999,900,Australia,lead,,,,a note"],
         "unknown theatre 'pacific'; allowed: americas, europe", "theatre", 3),
        # an operation id that is no slug
        (NEW_HEADER, [_new_row(operation="Timor Op")], MEMBERS, "operation 'Timor Op' is not a lower-case slug",
         "operation", 2),
        # one operation over two theatres
        (NEW_HEADER, [_new_row("timor_1999", "asia"), _new_row("timor_1999", "oceania", cid="other_test_1999")],
         [*MEMBERS, "other_test_1999,900,Australia,lead,,,,a note"],
         "theatre 'oceania' of 'other_test_1999' differs from 'asia'", "theatre", 3),
        # entrepreneur = lead, entrepreneur not a member, not a number
        (NEW_HEADER, [_new_row(entrepreneur="900")], MEMBERS, "entrepreneur_ccode 900 .* is its lead",
         "entrepreneur_ccode", 2),
        (NEW_HEADER, [_new_row(entrepreneur="800")], MEMBERS, "entrepreneur_ccode 800 .* has no membership row",
         "entrepreneur_ccode", 2),
        (NEW_HEADER, [_new_row(entrepreneur="France")], MEMBERS, "non-numeric", "entrepreneur_ccode", 2),
    ],
)
def test_bad_new_columns_name_the_line(tmp_path: Path, header, rows, members, match, column, row) -> None:
    with pytest.raises(DataFileError, match=match) as info:
        read_coalitions_csv(*_write(tmp_path, header, rows, members))
    assert "my_coalitions.csv" in str(info.value) and "\n" not in str(info.value)
    assert info.value.column == column and info.value.row == row


def test_user_phase_of_a_shipped_operation_must_share_its_theatre(tmp_path: Path) -> None:
    ok = _new_row("bosnia_dayton_1995", "europe")
    c, _ = add_coalitions(*_write(tmp_path, NEW_HEADER, [ok]))
    assert (c["operation"] == "bosnia_dayton_1995").sum() == 4
    with pytest.raises(DataFileError, match="differs from 'europe'.*'bosnia_dayton_1995'") as info:
        add_coalitions(*_write(tmp_path, NEW_HEADER, [_new_row("bosnia_dayton_1995", "asia")]))
    assert info.value.row == 2


# ---------------------------------------------------------------- theatres


def test_theatres() -> None:
    c = coalitions().set_index("coalition_id")
    assert set(c["theatre"]) <= set(REGIONS)
    has_target = c["target_ccode"].notna()
    expected = region_of(c.loc[has_target, "target_ccode"].astype(int))
    assert (c.loc[has_target, "theatre"].to_numpy() == expected).all()
    # hand-coded: COW regions by code range (Libya 620 is Africa in COW), authored seas
    hand = {"gulf_war_1990": "middle_east", "unified_protector_2011": "africa", "korea_1950": "asia",
            "kfor_1999": "europe", "uphold_democracy_1994": "americas", "ramsi_2003": "oceania",
            "ocean_shield_2009": "middle_east", "earnest_will_1987": "middle_east",
            "active_endeavour_2001": "europe", "interfet_1999": "asia", "mnjtf_2015": "africa"}
    assert c.loc[list(hand), "theatre"].to_dict() == hand
    # every authored theatre (no target) gives its reason in the sources
    for cid, row in c[~has_target].iterrows():
        assert f"theatre {row['theatre']}:" in row["sources"], cid


# ---------------------------------------------------------------- entrepreneurs


def test_entrepreneurs_are_coded_with_a_source() -> None:
    c = coalitions().set_index("coalition_id")
    coded = c["entrepreneur_ccode"].dropna().astype(int).to_dict()
    assert coded == {"odyssey_dawn_2011": 220, "unified_protector_2011": 220}
    for cid in coded:
        assert "entrepreneur France" in c.loc[cid, "sources"] and "Davidson 2013" in c.loc[cid, "sources"]


def test_panel_with_the_entrepreneur_as_lead() -> None:
    saceur, ent = coalition_panel(), coalition_panel(nato_lead="entrepreneur")
    assert saceur.attrs["nato_lead"] == "saceur" and ent.attrs["nato_lead"] == "entrepreneur"
    pd.testing.assert_frame_equal(saceur, coalition_panel(nato_lead="saceur"))
    before = saceur[saceur.coalition_id == "unified_protector_2011"].set_index("ccode")
    up = ent[ent.coalition_id == "unified_protector_2011"].set_index("ccode")
    assert set(up["lead_ccode"]) == {220} and set(before["lead_ccode"]) == {2}
    assert 220 not in up.index and 2 in up.index
    assert set(up.index) == (set(before.index) - {220}) | {2}
    assert up.loc[2, "joined"] == 1 and up.loc[2, "role"] == "lead"
    assert before.loc[220, "joined"] == 1  # France was a joiner under the coded lead
    assert up["joined"].sum() == before["joined"].sum()  # one joiner out (France), one in (USA)
    others = ~saceur.coalition_id.isin(["unified_protector_2011", "odyssey_dawn_2011"])
    pd.testing.assert_frame_equal(saceur[others].reset_index(drop=True),
                                  ent[~ent.coalition_id.isin(["unified_protector_2011", "odyssey_dawn_2011"])]
                                  .reset_index(drop=True))
    # the coded lead counts as joined whatever roles_joined says: it commanded the operation
    combat = coalition_panel("unified_protector_2011", nato_lead="entrepreneur", roles_joined=("combat",))
    assert combat.set_index("ccode").loc[2, "joined"] == 1


def test_nato_lead_option_is_checked() -> None:
    with pytest.raises(UnknownOptionError,
                       match="unknown nato_lead 'france'; allowed: 'saceur', 'entrepreneur'") as info:
        coalition_panel("korea_1950", nato_lead="france")
    assert "\n" not in str(info.value)
    c, m = coalitions(), memberships()
    with pytest.raises(PanelTypeError, match="entrepreneur_ccode"):
        coalition_panel("korea_1950", coalitions_df=c.drop(columns="entrepreneur_ccode"), memberships_df=m,
                        nato_lead="entrepreneur")
    # without the option the column is not needed
    assert len(coalition_panel("korea_1950", coalitions_df=c.drop(columns="entrepreneur_ccode"), memberships_df=m))


def test_panel_rows_carry_the_coalition_columns() -> None:
    p = coalition_panel()
    assert list(p.columns) == ["coalition_id", "ccode", "lead_ccode", "start_date", "year", "joined", "role",
                               "join_date", "operation", "kind", "theatre", "target_ccode"]
    c = coalitions().set_index("coalition_id")
    for col in ("operation", "kind", "theatre"):
        assert (p[col].to_numpy() == c.loc[p["coalition_id"], col].to_numpy()).all(), col
    t = c.loc[p["coalition_id"], "target_ccode"].to_numpy(dtype=float, na_value=np.nan)
    assert np.array_equal(p["target_ccode"].to_numpy(dtype=float, na_value=np.nan), t, equal_nan=True)
    assert str(p["target_ccode"].dtype) == "Int64"


# ---------------------------------------------------------------- membership overlap


def _frames(sets: dict[str, tuple[int, set[int]]], ops: dict[str, str] | None = None):
    c = pd.DataFrame({"coalition_id": list(sets), "lead_ccode": [lead for lead, _ in sets.values()],
                      "start_date": pd.to_datetime([f"{2000 + i}-01-01" for i in range(len(sets))])})
    c["operation"] = [(ops or {}).get(cid, cid) for cid in sets]
    rows = [(cid, s, "lead" if s == lead else "combat") for cid, (lead, states) in sets.items() for s in sorted(states)]
    m = pd.DataFrame(rows, columns=["coalition_id", "ccode", "role"])
    return c, m


def test_membership_overlap_against_a_hand_computation() -> None:
    # a = {2, 200, 220, 230}, b = {2, 200, 220, 325}, c = {2, 200} with lead 2; d led by France
    c, m = _frames({"a_2000": (2, {2, 200, 220, 230}), "b_2001": (2, {2, 200, 220, 325}),
                    "c_2002": (2, {2, 200}), "d_2003": (220, {220, 200, 2})}, ops={"b_2001": "a_2000"})
    out = membership_overlap(c, m).set_index(["coalition_a", "coalition_b"])
    assert len(out) == 3  # a-b, a-c, b-c (d has another lead)
    # without the lead: {200, 220, 230} vs {200, 220, 325}: 2 common, union 4, smaller 3
    ab = out.loc[("a_2000", "b_2001")]
    assert (ab["n_a"], ab["n_b"], ab["n_common"]) == (3, 3, 2)
    assert ab["jaccard"] == pytest.approx(2 / 4) and ab["overlap"] == pytest.approx(2 / 3)
    assert bool(ab["same_operation"]) and not bool(out.loc[("a_2000", "c_2002"), "same_operation"])
    # {200} inside {200, 220, 325}: jaccard 1/3, overlap 1
    bc = out.loc[("b_2001", "c_2002")]
    assert bc["jaccard"] == pytest.approx(1 / 3) and bc["overlap"] == 1.0
    # with the lead: {2, 200, 220, 230} vs {2, 200, 220, 325}: 3 common, union 5, smaller 4
    with_lead = membership_overlap(c, m, include_lead=True).set_index(["coalition_a", "coalition_b"])
    assert with_lead.loc[("a_2000", "b_2001"), "jaccard"] == pytest.approx(3 / 5)
    assert with_lead.loc[("a_2000", "b_2001"), "overlap"] == pytest.approx(3 / 4)
    # every pair, each without its own lead: a = {200, 220, 230}, d = {200, 2}: 1 common of union 4
    every = membership_overlap(c, m, same_lead=False).set_index(["coalition_a", "coalition_b"])
    assert len(every) == 6 and every.loc[("a_2000", "d_2003"), "jaccard"] == pytest.approx(1 / 4)
    assert list(out["jaccard"]) == sorted(out["jaccard"], reverse=True)
    with pytest.raises(UnknownOptionError, match="allied"):
        membership_overlap(c, m, roles=("allied",))


def test_membership_overlap_on_the_shipped_files() -> None:
    """ifor_1995 / sfor_1996 recounted from the raw CSV with the csv module (lead and non-sending roles out)."""
    with open(DATA_DIR / "memberships_us.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    sent = {"combat", "non_combat", "token", "medical", "gendarmerie"}
    ifor = {r["ccode"] for r in rows if r["coalition_id"] == "ifor_1995" and r["role"] in sent}
    sfor = {r["ccode"] for r in rows if r["coalition_id"] == "sfor_1996" and r["role"] in sent}
    row = membership_overlap().set_index(["coalition_a", "coalition_b"]).loc[("ifor_1995", "sfor_1996")]
    assert (row["n_a"], row["n_b"], row["n_common"]) == (len(ifor), len(sfor), len(ifor & sfor))
    assert row["jaccard"] == pytest.approx(len(ifor & sfor) / len(ifor | sfor))


def test_high_overlap_pairs_are_the_documented_ones() -> None:
    """The pairs listed in docs/data/coalitions.md (Jaccard >= 0.7 without the lead; 23 with it)."""
    pairs = membership_overlap()
    high = pairs[pairs["jaccard"] >= 0.7]
    assert set(zip(high["coalition_a"], high["coalition_b"])) == {
        ("deny_flight_1993", "deliberate_force_1995"), ("maritime_monitor_1992", "active_endeavour_2001"),
        ("maritime_monitor_1992", "allied_force_1999"), ("active_endeavour_2001", "ocean_shield_2009"),
        ("maritime_monitor_1992", "ocean_shield_2009"), ("isaf_2003", "resolute_support_2015"),
        ("kfor_1999", "isaf_2003"), ("allied_force_1999", "active_endeavour_2001"),
        ("kfor_1999", "resolute_support_2015"), ("ifor_1995", "sfor_1996"),
        # since the third pass (hosts and basing states are recorded but are not members by default)
        ("southern_watch_1992", "syria_strikes_2018"), ("mif_iraq_1991", "desert_thunder_1998"),
        ("prosperity_guardian_2023", "poseidon_archer_2024"), ("allied_force_1999", "ocean_shield_2009"),
        ("mif_iraq_1991", "poseidon_archer_2024"), ("mif_iraq_1991", "prosperity_guardian_2023"),
        ("provide_comfort_1991", "allied_force_1999"),
    }
    assert set(high.loc[high["same_operation"], "coalition_a"]) == {"deny_flight_1993", "isaf_2003", "ifor_1995"}
    assert (membership_overlap(include_lead=True)["jaccard"] >= 0.7).sum() == 23
