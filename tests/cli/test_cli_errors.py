"""Bad input gives a non-zero exit and one clear `error:` line on stderr, never a traceback."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from coalitionlab.cli.main import app


def _fails_cleanly(args: list[str], *needles: str) -> str:
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 1, out.output
    assert out.stdout == "", out.stdout
    # warnings (e.g. stale data) may precede the error: one line each, and one error line
    err = "\n".join(ln for ln in out.stderr.strip().splitlines() if not ln.startswith("warning: "))
    assert "Traceback" not in out.stderr and len(err.splitlines()) == 1, out.stderr
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
    monkeypatch.delenv("COALITIONLAB_DATA", raising=False)  # no data location given: the seed, with a warning
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg_data"))  # an empty user data directory
    out = CliRunner().invoke(app, ["panel", "--years", "2000", "--state-years", "--out", str(tmp_path / "p.csv")])
    assert out.exit_code == 0, out.output
    lines = out.stderr.strip().splitlines()
    assert lines and all(line.startswith("warning: ") for line in lines), out.stderr
    assert any("embedded seed data" in line for line in lines)
    assert ".py:" not in out.stderr


def test_reversed_or_unreadable_years(tmp_path: Path, shared_data: Path) -> None:
    # '2014:1950' was an empty range, reported as "no years requested; pass e.g. years=range(...)"
    _fails_cleanly(["panel", "--years", "2014:1950", "--out", str(tmp_path / "p.csv"), "--data-dir", str(shared_data)],
                   "'2014:1950' run backwards", "'1950:2014'")
    _fails_cleanly(["panel", "--years", "abc", "--out", str(tmp_path / "p.csv"), "--data-dir", str(shared_data)],
                   "cannot read years 'abc'")
    assert not (tmp_path / "p.csv").exists()


def test_a_formula_without_a_tilde_is_a_clear_error(shared_data: Path) -> None:
    # 'joined' alone was an AttributeError traceback from inside the model matrix
    for cmd in (["fit"], ["predict", "--lead", "USA", "--date", "2014-08-08", "--train-until", "2013"]):
        _fails_cleanly([*cmd, "--formula", "joined", "--data-dir", str(shared_data), "--format", "csv"],
                       "formula 'joined'", "~")


def test_predict_with_an_unreadable_date_is_a_clear_error(shared_data: Path) -> None:
    for date in ("2014-13-08", "garbage"):
        _fails_cleanly(["predict", "--lead", "USA", "--date", date, "--train-until", "2013",
                        "--data-dir", str(shared_data), "--format", "csv"], f"cannot read date '{date}'")


def test_counts_below_one_are_rejected() -> None:
    # predict --top 0 / -3 listed every state; robustness --permutations -5 ran 45 permutations
    for args in (["predict", "--lead", "USA", "--date", "2014-08-08", "--train-until", "2013", "--top", "0"],
                 ["predict", "--lead", "USA", "--date", "2014-08-08", "--train-until", "2013", "--top", "-3"],
                 ["robustness", "--permutations", "-5"], ["robustness", "--n-jobs", "0"]):
        out = CliRunner().invoke(app, args)
        assert out.exit_code == 2 and "Traceback" not in out.output, out.output
        assert out.stdout == ""


def test_robustness_api_rejects_a_non_positive_number_of_draws() -> None:
    import pytest

    from coalitionlab.errors import EstimationError
    from coalitionlab.models.robustness import _chunk_plan

    assert sum(n for _s, n in _chunk_plan(45, 10, 0)) == 45
    for n in (0, -5):
        with pytest.raises(EstimationError, match="positive whole number"):
            _chunk_plan(n, 10, 0)


def test_a_component_named_twice_counts_once(shared_data: Path) -> None:
    import io

    import pandas as pd

    def table(components: str) -> pd.DataFrame:
        out = CliRunner().invoke(app, ["embeddedness", "--lead", "USA", "--date", "2003-03-20", "--top", "5",
                                       "--components", components, "--data-dir", str(shared_data), "--format", "csv"])
        assert out.exit_code == 0, out.output
        return pd.read_csv(io.StringIO(out.stdout))

    once, twice = table("igos,alliances"), table("igos, alliances,igos")
    assert list(twice.columns[:5]) == ["ccode", "country", "igos", "alliances", "embeddedness"]
    pd.testing.assert_frame_equal(once, twice)
    _fails_cleanly(["embeddedness", "--lead", "USA", "--date", "2003-03-20", "--components", ",,",
                    "--data-dir", str(shared_data)], "no embeddedness component")


def test_an_unknown_format_is_refused_before_any_work(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before any work: no source is read (a read fails the test), not "within N seconds"."""
    import coalitionlab.data as data_pkg
    from coalitionlab.data import registry

    def no_read(name, *args, **kwargs):
        raise AssertionError(f"{name} was read before the format was checked")

    monkeypatch.setattr(registry, "load", no_read)
    monkeypatch.setattr(data_pkg, "load", no_read)
    for cmd in (["cv"], ["replicate"], ["robustness", "--permutations", "10"], ["fit"], ["data", "check"]):
        _fails_cleanly([*cmd, "--format", "xml", "--data-dir", str(shared_data)], "unknown format 'xml'")


def test_lag_years_help_says_the_components_are_read_earlier() -> None:
    # the help said "at most this many years before the date"; the lag reads them at least that early
    import typer

    command = typer.main.get_command(app).commands["embeddedness"]
    (option,) = [p for p in command.params if p.name == "lag_years"]
    assert "at most" not in option.help and "N years before the date" in option.help
