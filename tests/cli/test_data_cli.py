"""`coalitionlab data check | sources | cite` on the real data."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from coalitionlab.cli.main import app
from coalitionlab.data import sources


def test_data_check_lists_every_source_as_valid(shared_data: Path) -> None:
    out = CliRunner().invoke(app, ["data", "check", "--data-dir", str(shared_data), "--format", "csv"])
    assert out.exit_code == 0, out.output
    lines = out.stdout.strip().splitlines()
    assert lines[0].startswith("source,version,rows,first_year,last_year,years_expected,years_present,gaps,status")
    rows = lines[1:]
    assert len(rows) == len(sources())
    assert all(line.endswith(",valid") for line in rows), [r for r in rows if not r.endswith(",valid")]


def test_data_check_flags_an_invalid_source(tmp_path: Path, shared_data: Path) -> None:
    (tmp_path / "cow_states").mkdir()
    text = (shared_data / "cow_states" / "statelist2024.csv").read_text(encoding="utf-8")
    (tmp_path / "cow_states" / "statelist2024.csv").write_text(text.replace("stateabb", "abbrev", 1), encoding="utf-8")
    out = CliRunner().invoke(app, ["data", "check", "--data-dir", str(tmp_path), "--source", "cow_states"])
    assert out.exit_code == 1
    assert "INVALID" in out.output and "stateabb" in out.output


def test_sources_and_cite() -> None:
    runner = CliRunner()
    listing = runner.invoke(app, ["data", "sources", "--format", "csv"])
    assert listing.exit_code == 0 and "cow_igo" in listing.stdout
    cite = runner.invoke(app, ["data", "cite", "cow_igo"])
    assert cite.exit_code == 0 and "Pevehouse" in cite.stdout
