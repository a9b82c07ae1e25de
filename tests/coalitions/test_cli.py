"""`coalitionlab coalitions list | show`, through typer's CliRunner."""

from __future__ import annotations

import io
import json

import pandas as pd
from typer.testing import CliRunner

from coalitionlab.cli.main import app
from coalitionlab.coalitions import coalition_members, coalitions

runner = CliRunner()


def test_list_csv_matches_the_api() -> None:
    result = runner.invoke(app, ["coalitions", "list", "--format", "csv"])
    assert result.exit_code == 0, result.output
    df = pd.read_csv(io.StringIO(result.stdout))
    assert list(df["coalition_id"]) == list(coalitions()["coalition_id"])
    assert df.loc[df.coalition_id == "korea_1950", "n_members"].item() == 22


def test_list_lead_filter_and_json() -> None:
    result = runner.invoke(app, ["coalitions", "list", "--lead", "USA", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and all(r["lead_ccode"] == 2 for r in rows)
    assert len(rows) == len(coalitions(lead=2))


def test_list_table() -> None:
    result = runner.invoke(app, ["coalitions", "list", "--lead", "2"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "korea_1950" in result.stdout


def test_show_members() -> None:
    result = runner.invoke(app, ["coalitions", "show", "gulf_war_1990", "--format", "csv"])
    assert result.exit_code == 0, result.output
    df = pd.read_csv(io.StringIO(result.stdout))
    assert len(df) == len(coalition_members("gulf_war_1990")) and df["role"].iloc[0] == "lead"
    assert "file" not in df.columns


def test_errors_are_one_line_and_exit_1() -> None:
    result = runner.invoke(app, ["coalitions", "show", "gulf_war_1991"])
    assert result.exit_code == 1 and "unknown coalition id 'gulf_war_1991'" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["coalitions", "list", "--lead", "Atlantis"])
    assert result.exit_code == 1 and "Atlantis" in result.output
    result = runner.invoke(app, ["coalitions", "list", "--format", "xml"])
    assert result.exit_code == 1 and "unknown format 'xml'" in result.output
