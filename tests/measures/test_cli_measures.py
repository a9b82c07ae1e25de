"""`coalitionlab embeddedness` and `coalitionlab panel` through typer's CliRunner."""

from __future__ import annotations

import io
import json

import pandas as pd
from typer.testing import CliRunner

from coalitionlab.cli.main import app
from tests.measures.test_embeddedness import raw_alliances, raw_joint_igos, raw_member

runner = CliRunner()


def test_embeddedness_csv_header_and_rows(shared_data):
    res = runner.invoke(app, ["embeddedness", "--lead", "USA", "--date", "2003-03-20", "--data-dir", str(shared_data),
                              "--components", "alliances,igos", "--format", "csv", "--top", "5"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].startswith("ccode,country,alliances,igos,embeddedness,")
    df = pd.read_csv(io.StringIO(res.stdout))
    assert len(df) == 5
    # the oracle reads the raw files (COW IGO's state-year table for 2002, ATOP's member level on the day,
    # COW's state list), not the API the command calls: the five rows are the five largest raw totals
    raw_igo = pd.read_csv(shared_data / "cow_igo" / "state_year_formatv3.csv.gz").set_index(["ccode", "year"]).drop(
        columns=["state"])
    raw_atop = pd.read_csv(shared_data / "atop_v4" / "atop4_01_member_level.csv.gz")
    states = pd.read_csv(shared_data / "cow_states" / "statelist2024.csv")
    partners = {c for c in states["ccode"] if raw_member(states, c, "2003-03-20")} - {2}
    total = {c: raw_alliances(raw_atop, 2, c, "2003-03-20") + raw_joint_igos(raw_igo, 2, c, 2002) for c in partners}
    assert df["alliances"].tolist() == [raw_alliances(raw_atop, 2, c, "2003-03-20") for c in df["ccode"]]
    assert df["igos"].tolist() == [raw_joint_igos(raw_igo, 2, c, 2002) for c in df["ccode"]]
    assert df["embeddedness"].tolist() == [total[c] for c in df["ccode"]]
    assert df["embeddedness"].is_monotonic_decreasing
    rest = [v for c, v in total.items() if c not in set(df["ccode"])]
    assert df["embeddedness"].iloc[-1] >= max(rest)  # nobody left out has more ties


def test_embeddedness_json_and_table(shared_data):
    res = runner.invoke(app, ["embeddedness", "--lead", "France", "--date", "1991-01-17", "--data-dir",
                              str(shared_data), "--components", "igos", "--format", "json", "--top", "3"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert len(rows) == 3 and {"ccode", "country", "igos", "embeddedness"} <= set(rows[0])
    res = runner.invoke(app, ["embeddedness", "--lead", "USA", "--date", "2003-03-20", "--data-dir",
                              str(shared_data), "--components", "igos", "--top", "3"])
    assert res.exit_code == 0 and "Canada" in res.stdout


def test_embeddedness_errors_are_one_line(shared_data):
    res = runner.invoke(app, ["embeddedness", "--lead", "Atlantis", "--date", "2003-03-20", "--data-dir",
                              str(shared_data)])
    assert res.exit_code == 1 and "Atlantis" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["embeddedness", "--lead", "USA", "--date", "2003-03-20", "--data-dir",
                              str(shared_data), "--components", "igos,embassies"])
    assert res.exit_code == 1 and "embassies" in res.output


def test_panel_command_writes_parquet(shared_data, tmp_path):
    out = tmp_path / "panel.parquet"
    res = runner.invoke(app, ["panel", "--non-directed", "--years", "2000:2002", "--add", "igos,alliances",
                              "--out", str(out), "--data-dir", str(shared_data)])
    assert res.exit_code == 0, res.output
    df = pd.read_parquet(out)
    assert {"ccode1", "ccode2", "year", "igo_joint_any", "atop_defense"} <= set(df.columns)
    assert (df.ccode1 < df.ccode2).all() and set(df.year) == {2000, 2001, 2002}
    res = runner.invoke(app, ["panel", "--years", "2000", "--add", "igos,telepathy", "--out", str(out),
                              "--data-dir", str(shared_data)])
    assert res.exit_code == 1 and "telepathy" in res.output


def test_embeddedness_top_must_be_positive(shared_data):
    # --top -3 used to print all rows but the last 3 (pandas head(-3)) instead of an error
    res = runner.invoke(app, ["embeddedness", "--lead", "USA", "--date", "2003-03-20", "--data-dir",
                              str(shared_data), "--components", "igos", "--format", "csv", "--top", "-3"])
    assert res.exit_code != 0 and "--top" in res.output


def test_panel_mry_says_which_steps_ignore_it(shared_data, tmp_path):
    # hierarchy and similarity have no mry option: --mry used to be dropped for them without a word
    out = tmp_path / "panel.csv"
    res = runner.invoke(app, ["panel", "--non-directed", "--years", "2017", "--add", "igos,similarity", "--mry",
                              "--out", str(out), "--data-dir", str(shared_data)])
    assert res.exit_code == 0, res.output
    assert "--mry" in res.output and "similarity" in res.output
    df = pd.read_csv(out)
    assert df["igo_joint_any"].notna().all()  # carried forward from 2014
