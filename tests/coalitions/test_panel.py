"""coalition_panel(): one row per coalition x candidate state, checked against the COW list."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coalitionlab.coalitions import coalition_panel, coalitions, memberships
from coalitionlab.data import load
from coalitionlab.errors import DataFileError, UnknownOptionError


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return coalition_panel()


def test_stamps_and_columns(panel: pd.DataFrame) -> None:
    assert panel.attrs["unit"] == "coalition_candidate" and panel.attrs["system"] == "cow"
    assert panel.attrs["authored"] is True and panel.attrs["is_seed"] is False
    assert "coalitionlab_coalitions" in panel.attrs["sources"]
    assert list(panel.columns[:6]) == ["coalition_id", "ccode", "lead_ccode", "start_date", "year", "joined"]
    assert not panel.duplicated(["coalition_id", "ccode"]).any()
    assert set(panel["joined"].unique()) <= {0, 1} and panel["joined"].dtype == "int64"
    assert (panel["ccode"] != panel["lead_ccode"]).all()
    assert (panel["year"] == panel["start_date"].dt.year).all()
    assert set(panel["coalition_id"]) == set(coalitions()["coalition_id"])


def test_candidates_are_the_cow_system_on_the_start_date(panel: pd.DataFrame, shared_data: Path) -> None:
    """Checked against the COW v2024 list read from ../shared/data (not the embedded copy)."""
    states = load("cow_states", shared_data)
    c = coalitions().set_index("coalition_id")
    m = memberships()
    for cid in ["korea_1950", "gulf_war_1990", "iraq_2003", "kfor_1999", "prosperity_guardian_2023"]:
        start = c.loc[cid, "start_date"]
        system = set(states.loc[(states.start_date <= start) & (states.end_date >= start), "ccode"])
        members = set(m.loc[m.coalition_id == cid, "ccode"])
        target = c.loc[cid, "target_ccode"]
        expected = system - {c.loc[cid, "lead_ccode"]}
        if pd.notna(target) and int(target) not in members:
            expected -= {int(target)}
        assert set(panel.loc[panel.coalition_id == cid, "ccode"]) == expected, cid


def test_joined_matches_memberships(panel: pd.DataFrame) -> None:
    korea = panel[panel.coalition_id == "korea_1950"]
    # 16 combat + 5 medical states + the ROK host; North Korea (target) is not a candidate
    assert korea["joined"].sum() == 22 - 1 and 731 not in set(korea["ccode"])
    gulf = panel[panel.coalition_id == "gulf_war_1990"].set_index("ccode")
    assert gulf.loc[260, "joined"] == 0 and gulf.loc[260, "role"] == "financial"  # paid, sent no forces
    assert gulf.loc[200, "joined"] == 1 and gulf.loc[365, "joined"] == 0
    merged = panel.merge(memberships(), on=["coalition_id", "ccode"], how="left", suffixes=("", "_m"))
    sent = merged["role_m"].isin(["combat", "non_combat", "token", "medical", "gendarmerie"])
    assert (merged["joined"] == sent.astype("int64")).all()


def test_roles_joined_option() -> None:
    p = coalition_panel("gulf_war_1990", roles_joined=("combat", "financial")).set_index("ccode")
    assert p.loc[260, "joined"] == 1 and p.loc[380, "joined"] == 0  # Sweden: field hospital only
    single = coalition_panel("gulf_war_1990", roles_joined="combat").set_index("ccode")
    assert single.loc[200, "joined"] == 1 and single.loc[380, "joined"] == 0
    with pytest.raises(UnknownOptionError, match="'allied'.*allowed: 'lead'"):
        coalition_panel(roles_joined=("allied",))


def test_ids_and_unknown_id() -> None:
    p = coalition_panel(["korea_1950", "vietnam_1964"])
    assert set(p.coalition_id) == {"korea_1950", "vietnam_1964"}
    with pytest.raises(DataFileError, match="closest: korea_1950"):
        coalition_panel("korea_1951")


def test_members_outside_the_panel_are_reported(panel: pd.DataFrame) -> None:
    # Montenegro (COW member from 2006) joined ISAF in 2010 but was no state when ISAF began
    assert ("isaf_2003", 341) in panel.attrs["members_outside_panel"]
    assert 341 not in set(panel.loc[panel.coalition_id == "isaf_2003", "ccode"])


def test_drop_target_false_keeps_the_target(panel: pd.DataFrame) -> None:
    p = coalition_panel("gulf_war_1990", drop_target=False)
    assert 645 in set(p["ccode"]) and len(p) == (panel.coalition_id == "gulf_war_1990").sum() + 1


def test_user_state_spells_and_input_not_mutated() -> None:
    c, m = coalitions(), memberships()
    before = m.copy()
    spells = pd.DataFrame({"ccode": [2, 200, 220, 645], "start_date": pd.Timestamp("1900-01-01"),
                           "end_date": pd.Timestamp("2024-12-31")})
    p = coalition_panel("gulf_war_1990", coalitions_df=c, memberships_df=m, states=spells)
    assert sorted(p["ccode"]) == [200, 220] and p["joined"].tolist() == [1, 1]
    pd.testing.assert_frame_equal(m, before)
    assert np.all(p["lead_ccode"] == 2)


def test_panel_needs_no_data_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dataset and the panel are embedded: they work with an empty data directory (offline)."""
    monkeypatch.setenv("COALITIONLAB_DATA", str(tmp_path))
    p = coalition_panel("korea_1950")
    assert p["joined"].sum() == 21 and len(coalitions()) >= 45


def test_duplicated_rows_in_user_frames_are_an_error() -> None:
    """A coalition or membership given twice (e.g. the shipped frames concatenated again) would duplicate
    panel rows or be collapsed silently; it is refused, naming the first repeat."""
    c, m = coalitions(), memberships()
    with pytest.raises(DataFileError, match="memberships_df repeats .coalition_id, ccode. .'korea_1950', 2."):
        coalition_panel("korea_1950", coalitions_df=c, memberships_df=pd.concat([m, m], ignore_index=True))
    with pytest.raises(DataFileError, match="coalitions_df repeats coalition_id 'korea_1950'"):
        coalition_panel("korea_1950", coalitions_df=pd.concat([c, c], ignore_index=True), memberships_df=m)
    # before this check, the repeated memberships doubled every member's row
    assert not coalition_panel("korea_1950").duplicated(["coalition_id", "ccode"]).any()
