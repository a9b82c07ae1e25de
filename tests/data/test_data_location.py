"""A data location the user names never falls back to the embedded seed.

With ``data_dir=`` / ``--data-dir`` or ``$COALITIONLAB_DATA`` given, a missing source is a one-line
MissingDataError that names the directory (and, for the variable, the variable and its value), the
missing folders and the files expected there; only with no location given (the default user data
directory, here an empty ``XDG_DATA_HOME``) does ``source="auto"`` use the seed, with a warning.
The expected file paths below are written out by hand from the official releases' layout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coalitionlab.cli.main import app
from coalitionlab.errors import MissingDataError, SeedDataWarning

runner = CliRunner()
EMB = ["embeddedness", "--lead", "USA", "--date", "2003-03-20", "--format", "csv"]
STATES = "cow_states/statelist2024.csv"
IGOS = "cow_igo/igo_membership_long.csv.gz"
HEADER = "stateabb,ccode,statenme,styear,stmonth,stday,endyear,endmonth,endday,version\n"
ROWS = ["USA,2,United States of America,1816,1,1,2024,12,31,2024",
        "UKG,200,United Kingdom,1816,1,1,2024,12,31,2024",
        "FRN,220,France,1944,8,25,2024,12,31,2024"]


@pytest.fixture()
def no_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No data location given: $COALITIONLAB_DATA unset, an empty default user data directory."""
    monkeypatch.delenv("COALITIONLAB_DATA", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return tmp_path


@pytest.fixture()
def states_only(tmp_path: Path) -> Path:
    """A data directory with cow_states (three states, by hand) and no cow_igo."""
    root = tmp_path / "partial"
    (root / "cow_states").mkdir(parents=True)
    (root / STATES).write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    return root


def _one_line_error(out, *needles: str) -> str:
    assert out.exit_code == 1, out.output
    assert out.stdout == "", out.stdout
    err = out.stderr.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error:"), err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


# ---------------------------------------------------------------- --data-dir / data_dir=


def test_cli_data_dir_without_sources_is_an_error_naming_path_folders_and_layout(tmp_path: Path) -> None:
    # the parent of a data directory: it exists, holds a folder, but no source
    parent = tmp_path / "shared"
    (parent / "data" / "cow_states").mkdir(parents=True)
    out = runner.invoke(app, [*EMB, "--data-dir", str(parent)])
    err = _one_line_error(out, str(parent), "cow_states", "cow_igo", "--data-dir",
                          f"{parent}/{STATES}", f"{parent}/{IGOS}", "coalitionlab data fetch")
    assert "seed" in err  # says how to ask for the seed on purpose


def test_cli_parent_of_the_real_data_dir_is_refused(shared_data: Path) -> None:
    """The issue's reproduction: ``--data-dir`` one level too high ran on the seed with exit code 0."""
    out = runner.invoke(app, [*EMB, "--data-dir", str(shared_data.parent)])
    _one_line_error(out, f"{shared_data.parent}/{STATES}", f"{shared_data.parent}/{IGOS}")


def test_a_missing_source_folder_is_named(states_only: Path) -> None:
    from coalitionlab.measures import add_igos, embeddedness

    with pytest.raises(MissingDataError) as info:
        embeddedness("USA", "2003-03-20", data_dir=states_only)
    msg = str(info.value)
    assert "\n" not in msg and f"{states_only}/{IGOS}" in msg and "lacks cow_igo:" in msg
    assert STATES not in msg  # it is there
    import pandas as pd

    panel = pd.DataFrame({"ccode1": [2], "ccode2": [200], "year": [2003]})
    panel.attrs = {"unit": "dyad_year", "directed": True}
    with pytest.raises(MissingDataError, match="cow_igo"):
        add_igos(panel, data_dir=states_only)
    # the seed on purpose stays allowed with any data directory
    e = embeddedness("USA", "2003-03-20", data_dir=states_only, source="seed")
    assert e.attrs["is_seed"] is True and e.set_index("ccode").loc[200, "alliances"] >= 1


@pytest.mark.parametrize("call", ["system_spells", "create_stateyears", "tie_matrices", "embeddedness_pairs"])
def test_every_auto_caller_refuses_an_empty_explicit_dir(call: str, tmp_path: Path) -> None:
    import pandas as pd

    from coalitionlab.measures import embeddedness_pairs, tie_matrices
    from coalitionlab.measures.panel import create_stateyears, system_spells

    run = {
        "system_spells": lambda: system_spells(tmp_path),
        "create_stateyears": lambda: create_stateyears(years=2000, data_dir=tmp_path),
        "tie_matrices": lambda: tie_matrices("2003-03-20", data_dir=tmp_path),
        "embeddedness_pairs": lambda: embeddedness_pairs(
            pd.DataFrame({"lead_ccode": [2], "ccode": [200], "date": ["2003-03-20"]}), data_dir=tmp_path),
    }[call]
    with warnings.catch_warnings():
        warnings.simplefilter("error", SeedDataWarning)  # before: a warning and seed numbers
        with pytest.raises(MissingDataError) as info:
            run()
    assert str(tmp_path) in str(info.value) and f"{tmp_path}/{STATES}" in str(info.value)


def test_planner_refuses_an_empty_explicit_dir(tmp_path: Path) -> None:
    from coalitionlab.planner.mission import mission_from_dict
    from coalitionlab.planner.plan import build_inputs

    m = mission_from_dict({"name": "x", "lead": "USA", "date": "2003-03-20", "target": "middle_east",
                           "requirements": {"min_flags": 2}})
    with pytest.raises(MissingDataError, match=r"^planner: data directory .*lacks cow_states, cow_igo"):
        build_inputs(m, data_dir=tmp_path, cache=False)


def test_sweep_with_a_nonexistent_data_dir_stops_before_any_run(tmp_path: Path) -> None:
    from coalitionlab.bargaining.sweep import sweep

    missing = str(tmp_path / "nonexistent")
    cfg = {"target": "simulate", "grid": {"episodes": [10]}, "fixed": {"data_dir": missing}}
    with pytest.raises(MissingDataError) as info:
        sweep(cfg, seed=1, n_jobs=1)
    msg = str(info.value)
    assert "\n" not in msg and "sweep target 'simulate'" in msg and f"'{missing}'" in msg
    assert "does not exist" in msg and f"{missing}/{STATES}" in msg


# ---------------------------------------------------------------- $COALITIONLAB_DATA


def test_env_typo_is_an_error_naming_the_variable_and_its_value(tmp_path: Path) -> None:
    typo = str(tmp_path / "typo")
    out = runner.invoke(app, EMB, env={"COALITIONLAB_DATA": typo})
    err = _one_line_error(out, f"$COALITIONLAB_DATA={typo!r}", "does not exist")
    assert "set $COALITIONLAB_DATA" not in err  # it is set: say to correct it, not to set it


def test_env_typo_in_python_names_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from coalitionlab.measures import embeddedness

    typo = str(tmp_path / "typo")
    monkeypatch.setenv("COALITIONLAB_DATA", typo)
    with pytest.raises(MissingDataError) as info:
        embeddedness("USA", "2003-03-20")
    assert f"$COALITIONLAB_DATA={typo!r}" in str(info.value) and f"{typo}/{IGOS}" in str(info.value)


def test_env_dir_without_sources_names_the_variable(states_only: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from coalitionlab.measures import embeddedness

    monkeypatch.setenv("COALITIONLAB_DATA", str(states_only))
    with pytest.raises(MissingDataError, match=r"\$COALITIONLAB_DATA=.*lacks cow_igo: expected"):
        embeddedness("USA", "2003-03-20")


# ---------------------------------------------------------------- no location given: the seed


def test_no_location_falls_back_to_the_seed_naming_what_is_missing(no_location: Path) -> None:
    from coalitionlab.measures import embeddedness

    with pytest.warns(SeedDataWarning, match=r"embedded seed data.*missing in .*xdg.*: cow_states, cow_igo"):
        e = embeddedness("USA", "2003-03-20")
    assert e.attrs["is_seed"] is True


def test_default_dir_passed_on_by_a_caller_is_not_explicit(no_location: Path) -> None:
    """A caller that resolved the default directory and passes it down still gets the seed."""
    from coalitionlab.data.paths import data_dir_is_explicit, resolve_data_dir
    from coalitionlab.measures.panel import system_spells

    default = resolve_data_dir()
    assert default == no_location / "xdg" / "coalitionlab"
    assert not data_dir_is_explicit(default) and data_dir_is_explicit(no_location)
    with pytest.warns(SeedDataWarning):
        assert system_spells(default).attrs["is_seed"] is True


def test_subprocess_typo_fails_and_no_location_runs_on_the_seed(tmp_path: Path) -> None:
    """As a user runs it: a mistyped $COALITIONLAB_DATA exits 1 (it ran on the seed with 0); with no data
    location at all the command still runs on the seed and exits 0, saying so."""
    env = {k: v for k, v in os.environ.items() if k != "COALITIONLAB_DATA"}
    env.update(XDG_DATA_HOME=str(tmp_path / "xdg"), COALITIONLAB_CACHE=str(tmp_path / "cache"))

    def run(**extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "coalitionlab.cli.main", *EMB], env={**env, **extra},
                              cwd=tmp_path, capture_output=True, text=True, timeout=300)

    typo = run(COALITIONLAB_DATA=str(tmp_path / "typo"))
    assert typo.returncode == 1 and typo.stdout == "", typo.stdout
    assert f"$COALITIONLAB_DATA={str(tmp_path / 'typo')!r}" in typo.stderr
    seeded = run()
    assert seeded.returncode == 0, seeded.stderr
    assert "embedded seed data" in seeded.stderr and "ccode" in seeded.stdout


# ---------------------------------------------------------------- coalitions list / show / coalition_panel


def test_coalitions_commands_need_no_source_but_check_the_location(tmp_path: Path) -> None:
    for args in (["coalitions", "list", "--format", "csv"], ["coalitions", "show", "korea_1950", "--format", "csv"]):
        plain = runner.invoke(app, args)
        assert plain.exit_code == 0, plain.output
        with_dir = runner.invoke(app, [*args, "--data-dir", str(tmp_path)])  # the dataset ships: no source needed
        assert with_dir.exit_code == 0 and with_dir.stdout == plain.stdout, with_dir.output
        typo = str(tmp_path / "typo")
        _one_line_error(runner.invoke(app, args, env={"COALITIONLAB_DATA": typo}),
                        f"$COALITIONLAB_DATA={typo!r}", "does not exist")


def test_coalition_panel_data_dir_without_cow_states_is_an_error(tmp_path: Path) -> None:
    from coalitionlab.coalitions import coalition_panel

    with pytest.raises(MissingDataError) as info:
        coalition_panel("gulf_war_1990", data_dir=tmp_path)
    msg = str(info.value)
    assert "\n" not in msg and "coalition_panel(data_dir=" in msg and f"{tmp_path}/{STATES}" in msg
    # with cow_states there, its states are the candidates
    (tmp_path / "cow_states").mkdir()
    (tmp_path / STATES).write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    p = coalition_panel("gulf_war_1990", data_dir=tmp_path)
    assert list(p["ccode"]) == [200, 220]  # by hand: the file's three states minus the lead (USA)
