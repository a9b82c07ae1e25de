"""Every CLI command driven with generated arguments (hypothesis): exit code 0, 1 or 2, never a traceback
without --debug, and nothing written outside the output paths the arguments name and the cache.

The examples are derandomised (the same on every run, so CI cannot flake) and run on the embedded seed
(no data location: an empty default data dir). Values mix plausible ones with the hostile inputs the
trust issue lists: non-finite and huge numbers, partial and time-zone dates, rich markup, terminal escapes,
NUL bytes, formula code, empty lists, paths that do not exist. Not driven: `app` (it serves until
stopped; its arguments are checked in tests/webapp) and `data fetch` without `--dry-run` (it would go to
the network). ATTEMPTS counts the invocations, for the record.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from coalitionlab.cli.main import app

EXAMPLES_PER_COMMAND = 6
HOSTILE = ["inf", "-inf", "nan", "-1e300", "1e12", "0", "-1", "", " ", "[/]", "[red]x", "\x1b[31mred",
           "a\x00b", "2003", "2003-03", "2003-03-20T00:00+05:00", "1816-01-01", "2999-01-01", "USA", "FRA",
           "Narnia", "999", "joined ~ x + {__import__('os').system('id')}", "joined ~", "__import__('os')",
           "none", "all", "1:2", "2000:1990", "../../etc", "=cmd|' /C calc'!A0"]
PLAUSIBLE = {
    "--lead": ["USA", "United Kingdom", "2", "fra"], "--date": ["2003-03-20", "1991-01-17", "2024-01-12"],
    "--target": ["IRQ", "middle_east", "Iraq"], "--format": ["table", "csv", "json"],
    "--episodes": ["10", "200"], "--seed": ["1", "7"], "--top": ["3", "5"], "--years": ["2000:2002", "2001"],
    "--method": ["logit", "probit", "lpm", "firth"], "--scheme": ["leave_one_coalition_out", "temporal"],
    "--formula": ["joined ~ embeddedness_log1p"], "--train-until": ["2002", "1990"],
    "--components": ["igos", "alliances,igos"], "--lag-years": ["0", "1"], "--roles": ["combat", "host"],
    "--permutations": ["5"], "--designs": ["baseline", "lpm"], "--until": ["2010"], "--k": ["3"],
    "--prior": ["normal", "uniform"], "--value": ["2.0"], "--price-scale": ["1.0"], "--payment-scale": ["1"],
}
SKIP = {("app",)}
OUTPUTS = {"--out", "--table-out", "--plot-out"}

ATTEMPTS: list[int] = []


def _commands() -> list[tuple[tuple[str, ...], click.Command]]:
    found = []

    def walk(cmd: click.Command, path: tuple[str, ...]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, (*path, name))
        elif path not in SKIP:
            found.append((path, cmd))

    walk(typer.main.get_command(app), ())
    return found


COMMANDS = _commands()


def _argv(draw, path: tuple[str, ...], cmd: click.Command, out_dir: Path) -> tuple[list[str], list[Path]]:
    argv, outputs = list(path), []
    params = [p for p in cmd.params if getattr(p, "param_type_name", "") == "option" and p.opts[0] != "--help"]
    chosen = draw(st.lists(st.sampled_from(params), max_size=4, unique_by=lambda p: p.opts[0])) if params else []
    for param in chosen:
        name = param.opts[0]
        if name == "--debug":
            continue  # the property is about runs without --debug
        if getattr(param, "is_flag", False):
            argv.append(name)
        elif name in OUTPUTS:
            target = out_dir / draw(st.sampled_from(["report", "out.csv", "plot.png", "t.tex", "x/y.parquet"]))
            outputs.append(target)
            argv += [name, str(target)]
        elif name in ("--data-dir", "--mirror", "--from-dir", "--base-url", "--mission"):
            argv += [name, draw(st.sampled_from([str(out_dir / "nowhere"), str(out_dir), "", "/dev/null"]))]
        elif name == "--scheduler":
            argv += [name, draw(st.sampled_from(["notanaddress", "tcp://127.0.0.1:1", ""]))]
        else:
            argv += [name, draw(st.sampled_from(PLAUSIBLE.get(name, []) + HOSTILE))]
    for arg in (p for p in cmd.params if getattr(p, "param_type_name", "") == "argument"):
        argv.append(draw(st.sampled_from(["korea_1950", "iraq_2003", "nope", str(out_dir / "none.toml"),
                                          "cow_states", "all", "\x1b[2J", "../x"])))
    if path == ("data", "fetch"):
        argv.append("--dry-run")  # never the network
    return argv, outputs


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("path,cmd", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_generated_arguments_never_crash_or_write_elsewhere(path, cmd, tmp_path_factory, monkeypatch) -> None:
    work = tmp_path_factory.mktemp("fuzz")
    home, out_dir = work / "home", work / "out"
    home.mkdir()
    out_dir.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))  # no data location: the seed
    monkeypatch.delenv("COALITIONLAB_DATA", raising=False)
    monkeypatch.delenv("COALITIONLAB_DEBUG", raising=False)
    runner = CliRunner()
    cache = Path(os.environ["COALITIONLAB_CACHE"])
    defaults = [work / str(p.default) for p in cmd.params
                if getattr(p, "param_type_name", "") == "option" and p.opts[0] in OUTPUTS and p.default]

    @settings(max_examples=EXAMPLES_PER_COMMAND, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data) -> None:
        argv, outputs = _argv(data.draw, path, cmd, out_dir)
        before = _files(work)
        result = runner.invoke(app, argv)
        ATTEMPTS.append(1)
        shown = f"coalitionlab {' '.join(map(repr, argv))}"
        assert result.exit_code in (0, 1, 2), f"{shown}: exit {result.exit_code}\n{result.output[-2000:]}"
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            f"{shown}: {type(result.exception).__name__}: {result.exception}"
        assert "Traceback" not in result.output, f"{shown}:\n{result.output[-2000:]}"
        new = _files(work) - before
        # allowed: the outputs named, the documented default outputs (demo's ./report), caches under $HOME/.cache
        allowed = [*outputs, *defaults, home / ".cache"]
        stray = [p for p in new if not any(p == o or o in p.parents for o in allowed)]
        assert not stray, f"{shown} wrote outside its outputs: {sorted(map(str, stray))[:5]}"
        assert not any(cache in p.parents for p in new)  # the cache is elsewhere, never in the work dir

    run()


def test_attempts_are_counted() -> None:
    """Runs last in this module: every command got its examples (the closing note quotes the count)."""
    if len(ATTEMPTS) < len(COMMANDS):  # the module ran only in part (-k): nothing to count
        pytest.skip("fuzz tests deselected")
    print(f"{len(ATTEMPTS)} generated invocations over {len(COMMANDS)} commands")
    assert len(ATTEMPTS) >= len(COMMANDS) * 2
