"""Membership roles: documented, and filterable in the panel, the API and the CLI.

Built on a small coalition file written here (the shipped data are re-authored from time to time);
the expected panel values are written out by hand from the file.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from coalitionlab.cli.main import app
from coalitionlab.coalitions import (
    ROLES,
    SENDING_ROLES,
    coalition_members,
    coalition_panel,
    coalitions,
    memberships,
    read_coalitions_csv,
)
from coalitionlab.coalitions import dataset as dataset_module
from coalitionlab.coalitions.dataset import DATA_DIR
from coalitionlab.errors import UnknownOptionError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "data" / "coalitions.md"

C_HEADER = ("coalition_id,name,start_date,end_date,lead_ccode,lead,kind,un_authorisation,un_resolution,"
            "target_ccode,target,mission_type,operation,theatre,entrepreneur_ccode,sources")
M_HEADER = "coalition_id,ccode,country,role,join_date,leave_date,peak_personnel,source"
COALITION = ("pacific_test_1999,Test force,1999-09-20,2000-02-28,900,Australia,ad_hoc,yes,UNSCR 1264,,East Timor,"
             "peace_operation,,oceania,,test source 2024")
# one row per role that matters here; the state -> role map is the oracle
ROWS = {900: "lead", 920: "combat", 840: "medical", 235: "gendarmerie", 800: "host", 830: "basing",
        740: "financial", 20: "observer", 2: "national_command", 200: "withdrew"}
NAMES = {900: "Australia", 920: "New Zealand", 840: "Philippines", 235: "Portugal", 800: "Thailand",
         830: "Singapore", 740: "Japan", 20: "Canada", 2: "United States", 200: "United Kingdom"}


@pytest.fixture()
def user_data(tmp_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    c, m = tmp_path / "c.csv", tmp_path / "m.csv"
    c.write_text(f"{C_HEADER}\n{COALITION}\n", encoding="utf-8")
    members = [f"pacific_test_1999,{cc},{NAMES[cc]},{role},,,,test note" for cc, role in ROWS.items()]
    m.write_text("\n".join([M_HEADER, *members]) + "\n", encoding="utf-8")
    return read_coalitions_csv(c, m)


def _joined(panel: pd.DataFrame) -> dict[int, int]:
    rows = panel.set_index("ccode")
    return {cc: int(rows.loc[cc, "joined"]) for cc in ROWS if cc != 900}


def test_default_panel_counts_the_sending_roles_only(user_data) -> None:
    c, m = user_data
    p = coalition_panel(coalitions_df=c, memberships_df=m)
    expected = {920: 1, 840: 1, 235: 1, 800: 0, 830: 0, 740: 0, 20: 0, 2: 0, 200: 0}
    assert _joined(p) == expected
    assert p["joined"].sum() == 3  # no candidate outside the file joins
    assert p.set_index("ccode").loc[800, "role"] == "host"  # kept, with its role, as joined = 0
    assert p.attrs["roles_joined"] == list(SENDING_ROLES)


def test_roles_host_counts_the_host_rows_as_joined(user_data) -> None:
    c, m = user_data
    p = coalition_panel(roles=("host",), coalitions_df=c, memberships_df=m)
    expected = {920: 0, 840: 0, 235: 0, 800: 1, 830: 0, 740: 0, 20: 0, 2: 0, 200: 0}
    assert _joined(p) == expected and p.attrs["roles_joined"] == ["host"]
    wider = coalition_panel(roles=SENDING_ROLES + ("host", "basing"), coalitions_df=c, memberships_df=m)
    assert _joined(wider) == {**expected, 920: 1, 840: 1, 235: 1, 830: 1}


def test_roles_joined_is_an_alias_and_both_are_refused(user_data) -> None:
    c, m = user_data
    by_new = coalition_panel(roles="financial", coalitions_df=c, memberships_df=m)
    by_old = coalition_panel(roles_joined=("financial",), coalitions_df=c, memberships_df=m)
    pd.testing.assert_frame_equal(by_new, by_old)
    assert _joined(by_new)[740] == 1 and sum(_joined(by_new).values()) == 1
    with pytest.raises(UnknownOptionError, match="roles= or roles_joined=.*not both"):
        coalition_panel(roles=("host",), roles_joined=("host",), coalitions_df=c, memberships_df=m)
    with pytest.raises(UnknownOptionError, match="unknown role in roles 'hosts'"):
        coalition_panel(roles=("hosts",), coalitions_df=c, memberships_df=m)
    with pytest.raises(UnknownOptionError, match="unknown role in roles_joined 'allied'"):
        coalition_panel(roles_joined=("allied",), coalitions_df=c, memberships_df=m)


def _csv_roles() -> list[tuple[str, str]]:
    """(coalition_id, role) of every row of the shipped membership files, read with the csv module."""
    out = []
    for path in sorted(DATA_DIR.glob("memberships_*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            out += [(r["coalition_id"], r["role"].strip()) for r in csv.DictReader(fh)]
    return out


def test_memberships_and_coalition_members_filter_by_role() -> None:
    rows = _csv_roles()
    for roles in [("lead",), ("combat", "token"), SENDING_ROLES, ("host", "basing", "withdrew")]:
        got = memberships(roles=roles)
        assert len(got) == sum(role in roles for _, role in rows), roles
        assert set(got["role"]) <= set(roles)
    assert len(memberships()) == len(rows)  # no filter: every row
    assert len(memberships(roles="lead")) == len(coalitions())  # one lead row per coalition
    assert memberships(roles=["lead"]).attrs["roles"] == ["lead"]
    korea = [role for cid, role in rows if cid == "korea_1950"]
    sending = coalition_members("korea_1950", roles=SENDING_ROLES)
    assert len(sending) == sum(role in SENDING_ROLES for role in korea)
    assert coalition_members("korea_1950", roles="lead")["ccode"].tolist() == [2]
    with pytest.raises(UnknownOptionError, match="unknown role in roles 'ally'"):
        memberships(roles=("ally",))


def test_cli_roles_option() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["coalitions", "show", "korea_1950", "--roles", "lead", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(io.StringIO(result.stdout))["ccode"].tolist() == [2]
    result = runner.invoke(app, ["coalitions", "list", "--roles", "lead", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(io.StringIO(result.stdout))["n_members"]) == {1}  # one lead row each
    rows = _csv_roles()
    result = runner.invoke(app, ["coalitions", "list", "--roles", "combat,token", "--roles", "lead", "--format", "csv"])
    listed = pd.read_csv(io.StringIO(result.stdout)).set_index("coalition_id")["n_members"]
    assert int(listed["korea_1950"]) == sum(cid == "korea_1950" and role in ("combat", "token", "lead")
                                            for cid, role in rows)
    result = runner.invoke(app, ["coalitions", "show", "korea_1950", "--roles", "hots"])
    assert result.exit_code == 1 and "unknown role in roles 'hots'" in result.output


def test_every_role_is_documented() -> None:
    table = re.findall(r"^\| `([a-z_]+)` \| (yes|no) \|", DOCS.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert [role for role, _ in table] == list(ROLES)
    assert [role for role, joins in table if joins == "yes"] == list(SENDING_ROLES)
    doc = dataset_module.__doc__
    assert all(f"``{role}``" in doc for role in ROLES)
