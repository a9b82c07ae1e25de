"""`coalitionlab fit --table-out/--plot-out/--compare` write the table and the figure; bad paths fail first."""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt
from typer.testing import CliRunner

from coalitionlab.cli.main import app


def test_fit_writes_a_comparison_table_and_the_effects_figure(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("COALITIONLAB_DATA", raising=False)
    md, png = tmp_path / "out" / "fit.md", tmp_path / "fit.png"
    out = CliRunner().invoke(app, ["fit", "--formula", "joined ~ embeddedness", "--compare", "--table-out", str(md),
                                   "--plot-out", str(png), "--format", "csv"])
    assert out.exit_code == 0, out.output
    tokens = MarkdownIt("commonmark").enable("table").parse(md.read_text(encoding="utf-8"))
    header = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "th_open"]
    assert header == ["", "default", "--formula"]
    cells = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "td_open"]
    rows = [cells[i:i + 3] for i in range(0, len(cells), 3)]
    by_label = {r[0]: r[1:] for r in rows if r[0]}
    assert by_label["embeddedness"][0] == "" and by_label["embeddedness"][1] != ""  # only in the given model
    assert by_label["Method"] == ["Logit", "Logit"]
    # the printed tidy table (csv) carries the same estimate as the table's --formula column
    est = next(line for line in out.stdout.splitlines() if line.startswith("embeddedness,")).split(",")[1]
    assert by_label["embeddedness"][1].replace("\\*", "").rstrip("*") == f"{float(est):.3f}"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_fit_refuses_bad_output_paths_before_reading_data(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("COALITIONLAB_DATA", raising=False)
    for args, text in [(["--table-out", str(tmp_path / "t.csv")], ".html, .tex or .md"),
                       (["--plot-out", str(tmp_path / "p.jpg")], ".png, .pdf or .svg"),
                       (["--compare"], "give both --formula and --table-out")]:
        out = CliRunner().invoke(app, ["fit", *args])
        assert out.exit_code == 1
        assert not list(tmp_path.iterdir())
        assert text in out.output and out.output.count("error:") == 1, out.output
