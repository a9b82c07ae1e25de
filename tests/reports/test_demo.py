"""The main job runs offline on the embedded seed and writes a labelled, self-contained report."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from coalitionlab.cli.main import app


def test_demo_runs_without_any_data_dir(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("COALITIONLAB_DATA", raising=False)
    out = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "rep")])
    assert out.exit_code == 0, out.output
    page = (tmp_path / "rep" / "index.html").read_text(encoding="utf-8")
    assert "Embedded seed data" in page and "(SEED)" in page
    assert "<table" in page and "cow_states" in page
    for heading in ("Diplomatic embeddedness with the USA", "The coalition dataset", "Who joins US-led coalitions",
                    "under each design", "Out of sample", "Who would join a US coalition",
                    "Buying a coalition"):
        assert heading in page, heading
    assert page.count("data:image/png;base64,") >= 4
