"""Bad input gives a non-zero exit and one clear `error:` line on stderr, never a traceback."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from coalitionlab.cli.main import app


def _fails_cleanly(args: list[str], *needles: str) -> str:
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 1, out.output
    assert out.stdout == "", out.stdout
    err = out.stderr.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert err.startswith("error:"), err
    for needle in needles:
        assert needle in err, err
    return err


def test_a_missing_data_dir_is_an_error_not_a_silent_fallback_to_the_seed(tmp_path: Path) -> None:
    missing = str(tmp_path / "no_such_dir")
    for args in (["embeddedness", "--lead", "USA", "--date", "2003-03-20"],
                 ["data", "check"],
                 ["predict", "--lead", "USA", "--date", "2014-08-08", "--train-until", "2013"],
                 ["panel", "--years", "2000", "--out", str(tmp_path / "p.csv")]):
        _fails_cleanly([*args, "--data-dir", missing], "does not exist", "no_such_dir")


def test_long_errors_stay_on_one_line(shared_data: Path) -> None:
    # rich wrapped messages at 80 columns; a formula error also carried colour codes and a second line
    _fails_cleanly(["embeddedness", "--lead", "Narnia", "--date", "2003-03-20", "--data-dir", str(shared_data)],
                   "unknown country 'Narnia'", "closest")
    err = _fails_cleanly(["fit", "--formula", "joined ~ ~ + (", "--data-dir", str(shared_data), "--format", "csv"],
                         "cannot build the design")
    assert "\x1b" not in err


def test_an_unwritable_output_path_is_an_error(tmp_path: Path, shared_data: Path) -> None:
    _fails_cleanly(["panel", "--years", "2000", "--data-dir", str(shared_data),
                    "--out", str(tmp_path / "missing_dir" / "p.csv")], "missing_dir")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    _fails_cleanly(["demo", "--out", str(blocker / "report")], "file")


def test_warnings_are_one_line_on_stderr_without_source_lines(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("COALITIONLAB_DATA", str(tmp_path / "empty"))
    out = CliRunner().invoke(app, ["panel", "--years", "2000", "--state-years", "--out", str(tmp_path / "p.csv")])
    assert out.exit_code == 0, out.output
    lines = out.stderr.strip().splitlines()
    assert lines and all(line.startswith("warning: ") for line in lines), out.stderr
    assert any("embedded seed data" in line for line in lines)
    assert ".py:" not in out.stderr
