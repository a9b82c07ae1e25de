"""`coalitionlab coalitions list | show` take --data-dir like every command (they refused it before)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from coalitionlab.cli.main import app

runner = CliRunner()
DATA = Path(__file__).resolve().parents[2] / "src" / "coalitionlab" / "coalitions" / "data"


def _csv(args: list[str]) -> pd.DataFrame:
    out = runner.invoke(app, [*args, "--format", "csv"])
    assert out.exit_code == 0, out.output
    return pd.read_csv(io.StringIO(out.stdout))


def test_list_and_show_accept_a_data_dir(tmp_path: Path) -> None:
    # the coalition dataset ships with coalitionlab: a data directory does not change what is listed
    for args in (["coalitions", "list", "--lead", "USA"], ["coalitions", "show", "korea_1950"]):
        pd.testing.assert_frame_equal(_csv([*args, "--data-dir", str(tmp_path)]), _csv(args))
    # oracle: the korea_1950 rows of the shipped memberships CSVs, counted with the csv module
    rows = [r for f in sorted(DATA.glob("memberships_*.csv"))
            for r in csv.DictReader(io.StringIO(f.read_text(encoding="utf-8"))) if r["coalition_id"] == "korea_1950"]
    shown = _csv(["coalitions", "show", "korea_1950", "--data-dir", str(tmp_path)])
    assert sorted(shown["ccode"]) == sorted(int(r["ccode"]) for r in rows) and len(rows) == 22


def test_list_and_show_refuse_a_missing_data_dir_in_one_line(tmp_path: Path) -> None:
    missing = str(tmp_path / "no_such_dir")
    for args in (["coalitions", "list"], ["coalitions", "show", "korea_1950"]):
        out = runner.invoke(app, [*args, "--data-dir", missing])
        assert out.exit_code == 1 and out.stdout == "", out.output
        err = out.stderr.strip()
        assert len(err.splitlines()) == 1 and err.startswith("error:"), err
        assert "no_such_dir" in err and "does not exist" in err, err
