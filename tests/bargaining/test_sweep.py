"""Parameter sweeps: same seed, same result serially, in local processes and on Dask; configs; CLI."""

from __future__ import annotations

import importlib
import itertools
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from distributed import LocalCluster
from pydantic import ValidationError
from typer.testing import CliRunner

from coalitionlab.bargaining.sweep import TARGETS, SweepConfig, load_sweep_config, run_target, sweep
from coalitionlab.cli.main import app
from coalitionlab.errors import UnknownOptionError

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"target": "procurement", "grid": {"requirement_share": [0.3, 0.7], "high": [1.5, 3.0]},
         "fixed": {"n_partners": 6, "draws": 3}, "replications": 2}


def toy_target(a: float, b: float, seed: np.random.Generator) -> dict[str, float]:
    """A user-defined target for the ``module:function`` form."""
    return {"y": a * b, "noise": float(seed.normal())}


def touch_target(path: str, seed: np.random.Generator) -> dict[str, int]:
    """A user-defined target with a side effect: it creates ``path``."""
    Path(path).touch()
    return {"touched": 1}


@pytest.fixture(scope="module")
def serial() -> pd.DataFrame:
    return sweep(SMALL, seed=11, n_jobs=1)


def test_local_processes_match_serial(serial: pd.DataFrame) -> None:
    pooled = sweep(SMALL, seed=11, n_jobs=2)
    assert pooled.attrs["backend"] == "processes"
    pd.testing.assert_frame_equal(pooled, serial)


def test_dask_cluster_matches_local(serial: pd.DataFrame) -> None:
    with LocalCluster(processes=False, n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        seen: list[tuple[int, int]] = []
        on_dask = sweep(SMALL, seed=11, scheduler=cluster.scheduler_address, progress=lambda d, t: seen.append((d, t)))
    assert on_dask.attrs["backend"] == "dask"
    pd.testing.assert_frame_equal(on_dask, serial)
    assert seen[-1] == (8, 8) and len(seen) == 8


def test_runs_use_spawned_generators_in_grid_order(serial: pd.DataFrame) -> None:
    cfg = SweepConfig(**SMALL)
    rngs = np.random.default_rng(11).spawn(cfg.n_runs)
    for k in (0, 5):
        expect = run_target("procurement", cfg.runs()[k], rngs[k])
        got = serial.iloc[k]
        assert got["total_payment"] == pytest.approx(expect["total_payment"])
    assert list(serial["cell"]) == [0, 0, 1, 1, 2, 2, 3, 3]
    assert list(serial["replication"]) == [0, 1] * 4
    assert list(serial["requirement_share"]) == [0.3] * 4 + [0.7] * 4
    # replications differ (own generators); another seed gives other numbers
    assert serial["total_payment"].iloc[0] != serial["total_payment"].iloc[1]
    other = sweep(SMALL, seed=12, n_jobs=1)
    assert not np.allclose(other["total_payment"], serial["total_payment"])


def test_sweep_reproduces_a_comparative_static() -> None:
    out = sweep({"target": "linkage", "grid": {"embeddedness": [0.0, 5.0, 15.0, 30.0]},
                 "fixed": {"reservation": 8.0}}, seed=0, n_jobs=1)
    # by hand, filling 8 units of value from the cheapest instrument per unit open at each level:
    # e = 0 cash 8; e = 5 military aid 5 units (value 6, cost 4) + cash 2; e = 15 trade 3 (1.2) + aid 5/1.2
    # units (10/3); e = 30 policy 2 (value 1.8, cost 0.4) + trade 3 (1.2) + aid 3.2/1.2 units (8/3 x 0.8)
    assert out["cost"].tolist() == pytest.approx([8.0, 6.0, 1.2 + 10 / 3, 0.4 + 1.2 + 0.8 * 3.2 / 1.2], abs=1e-9)
    # common random numbers: every cell gets the same members, so size rises weakly with legitimacy
    riker = sweep({"target": "riker", "grid": {"gamma": [0.0, 0.5, 1.0, 2.0, 4.0]},
                   "fixed": {"n_members": 8, "instance_seed": 9}}, seed=4, n_jobs=1)
    assert riker["size"].is_monotonic_increasing and riker["size"].iloc[-1] > riker["size"].iloc[0]
    # at gamma = 0 the smallest-weight winning coalition of the instance's weights (lognormal, sigma 1, drawn
    # from instance_seed 9), by enumerating every subset here; its weight share is the same in every run
    w = np.random.default_rng(9).lognormal(0.0, 1.0, 8)
    best = min(sum(c) for k in range(1, 9) for c in itertools.combinations(w, k) if sum(c) >= 0.5 * w.sum())
    assert riker["weight_share"].iloc[0] == pytest.approx(best / w.sum(), rel=1e-12)


def test_custom_target() -> None:
    out = sweep({"target": "tests.bargaining.test_sweep:toy_target", "grid": {"a": [1.0, 2.0]},
                 "fixed": {"b": 3.0}}, seed=5, n_jobs=1, allow_code=True)
    assert out["y"].tolist() == [3.0, 6.0]
    rngs = np.random.default_rng(5).spawn(2)
    assert out["noise"].tolist() == [float(r.normal()) for r in rngs]


def test_config_from_toml(tmp_path: Path) -> None:
    example = load_sweep_config(ROOT / "examples" / "sweep_offers.toml")
    assert example.target == "simulate" and example.n_runs == 18 and example.seed == 1
    for run in example.runs():  # every run of the example is valid
        TARGETS["simulate"].params(**run)
    path = tmp_path / "s.toml"
    path.write_text('target = "burden"\nreplications = 2\n[grid]\nsize_sigma = [0.5, 1.5]\n[fixed]\nn_members = 5\n')
    out = sweep(path, seed=3, n_jobs=1)
    assert len(out) == 4
    assert (out["exploitation_ratio"] >= 1 - 1e-9).all()  # the largest pays at least its size share


def test_bad_configs_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="requirement_share"):
        sweep({"target": "procurement", "grid": {"requirement_share": [0.5, 1.5]}}, seed=1, n_jobs=1)
    with pytest.raises(ValidationError, match="extra"):
        sweep({"target": "linkage", "grid": {"reservaton": [1.0]}}, seed=1, n_jobs=1)
    with pytest.raises(ValidationError, match="unknown target 'auction'"):
        SweepConfig(target="auction", grid={"a": [1]})
    with pytest.raises(ValidationError, match="replications"):
        SweepConfig(target="linkage", grid={"reservation": [1.0]}, replications=0)
    with pytest.raises(ValueError, match="both fixed and swept"):
        sweep({"target": "linkage", "grid": {"reservation": [1.0]}, "fixed": {"reservation": 2.0}}, seed=1)
    with pytest.raises(FileNotFoundError, match="nowhere.toml"):
        load_sweep_config(tmp_path / "nowhere.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("target = \n")
    with pytest.raises(ValueError, match="not valid TOML"):
        load_sweep_config(bad)


def test_simulator_target_on_real_data(shared_data: Path) -> None:
    cfg = {"target": "simulate", "grid": {"precision_slope": [0.0, 8.0]},
           "fixed": {"episodes": 500, "data_dir": str(shared_data)}}
    a = sweep(cfg, seed=2, n_jobs=1)
    b = sweep(cfg, seed=2, n_jobs=2)
    pd.testing.assert_frame_equal(a, b)
    assert not a["is_seed"].any() and (a["candidates"] > 100).all()
    # a better-informed lead leaves less information rent to its partners
    assert a["information_rent"].iloc[1] < a["information_rent"].iloc[0]


def test_cli_sweep(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('target = "linkage"\n[grid]\nembeddedness = [0.0, 20.0]\n[fixed]\nreservation = 6.0\n')
    runner = CliRunner()
    res = runner.invoke(app, ["sweep", str(cfg), "--n-jobs", "1", "--format", "csv"])
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(__import__("io").StringIO(res.stdout))
    assert frame["cost"].tolist() == pytest.approx([6.0, 3.2])
    out = tmp_path / "r.csv"
    res = runner.invoke(app, ["sweep", str(cfg), "--n-jobs", "1", "--out", str(out), "--seed", "3"])
    assert res.exit_code == 0 and pd.read_csv(out).shape[0] == 2
    cfg.write_text('target = "linkage"\n[grid]\nreservation = [-1.0]\n')
    res = runner.invoke(app, ["sweep", str(cfg), "--n-jobs", "1"])
    assert res.exit_code == 1 and "reservation" in res.output
    res = runner.invoke(app, ["sweep", str(tmp_path / "missing.toml")])
    assert res.exit_code == 1 and "not found" in res.output
    # a parameter both fixed and swept is an invalid configuration, reported in one line
    cfg.write_text('target = "linkage"\n[grid]\nreservation = [1.0]\n[fixed]\nreservation = 2.0\n')
    res = runner.invoke(app, ["sweep", str(cfg), "--n-jobs", "1"])
    assert res.exit_code == 1 and "both fixed and swept" in res.output and "Traceback" not in res.output
    with pytest.raises(ValidationError, match="both fixed and swept"):
        load_sweep_config(cfg)
    cfg.write_text('target = "linkage"\n[grid]\nreservation = [1.0]\n')
    res = runner.invoke(app, ["sweep", str(cfg), "--n-jobs", "0"])
    assert res.exit_code == 2 and "--n-jobs" in res.output  # a usage error, not a ValueError traceback


def test_unreachable_scheduler_is_clear(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # the package re-exports the function sweep under the module's name; patch the module itself
    monkeypatch.setattr(importlib.import_module("coalitionlab.bargaining.sweep"), "CONNECT_TIMEOUT", "1s")
    cfg = {"target": "linkage", "grid": {"reservation": [1.0]}}
    with pytest.raises(OSError, match="cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'"):
        sweep(cfg, seed=1, scheduler="tcp://127.0.0.1:9")
    path = tmp_path / "c.toml"
    path.write_text('target = "linkage"\n[grid]\nreservation = [1.0]\n')
    res = CliRunner().invoke(app, ["sweep", str(path), "--scheduler", "tcp://127.0.0.1:9"])
    assert res.exit_code == 1 and "cannot reach the Dask scheduler" in res.output


# --------------------------------------------------------------------------- no code from a config file


def test_code_targets_are_refused_unless_allowed(tmp_path: Path) -> None:
    """A 'module:function' target runs code: refused by default, before anything runs; allowed with the flag."""
    marker = tmp_path / "touched"
    cfg = {"target": "tests.bargaining.test_sweep:touch_target", "grid": {"path": [str(marker)]}}
    for n_jobs in (1, 2):
        with pytest.raises(UnknownOptionError, match=r"arbitrary Python code.*allow_code=True.*--allow-code"):
            sweep(cfg, seed=1, n_jobs=n_jobs)
    with pytest.raises(UnknownOptionError, match="allow_code=True"):
        run_target("tests.bargaining.test_sweep:touch_target", {"path": str(marker)}, np.random.default_rng(0))
    assert not marker.exists()
    out = sweep(cfg, seed=1, n_jobs=1, allow_code=True)  # the oracle: the same config does run code when allowed
    assert marker.exists() and out["touched"].tolist() == [1]
    marker.unlink()
    run_target("tests.bargaining.test_sweep:touch_target", {"path": str(marker)}, np.random.default_rng(0),
               allow_code=True)
    assert marker.exists()
    # built-in targets need no flag; a target that is neither a name nor module:function is invalid
    assert run_target("linkage", {"reservation": 6.0, "embeddedness": 20.0}, np.random.default_rng(0))["cost"] == 3.2
    with pytest.raises(ValidationError, match="unknown target"):
        SweepConfig(target="os:system; rm", grid={"a": [1]})


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """The CLI in a fresh interpreter (the root logger has no handlers there, as for a user)."""
    code = "import sys; from coalitionlab.cli.main import app; sys.argv[0] = 'coalitionlab'; app()"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_cli_refuses_logging_basicconfig_without_allow_code(tmp_path: Path) -> None:
    """The reported attack: a TOML target logging:basicConfig wrote a file. Without --allow-code it is
    one error line and no file; with it the code runs (the file appears: the test can fail)."""
    log = tmp_path / "written_by_basicConfig.log"
    cfg = tmp_path / "attack.toml"
    cfg.write_text(f'target = "logging:basicConfig"\n[grid]\nfilename = ["{log.as_posix()}"]\n')
    assert load_sweep_config(cfg).target == "logging:basicConfig"  # reading the config runs nothing
    refused = _cli(["sweep", str(cfg), "--n-jobs", "1"], tmp_path)
    assert refused.returncode == 1, refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "--allow-code" in lines[0], refused.stderr
    assert refused.stdout == "" and not log.exists()
    allowed = _cli(["sweep", str(cfg), "--n-jobs", "1", "--allow-code"], tmp_path)
    assert log.exists(), allowed.stderr  # basicConfig ran (then rejected the extra `seed` argument)


def test_example_sweep_still_runs() -> None:
    """examples/sweep_offers.toml (target "simulate", a built-in) runs without --allow-code."""
    cfg = load_sweep_config(ROOT / "examples" / "sweep_offers.toml").model_dump()
    cfg["fixed"] = {**cfg["fixed"], "episodes": 50}
    cfg["grid"] = {"price_slope": [0.0], "precision_slope": [0.0, 16.0]}
    out = sweep(cfg, seed=1, n_jobs=1)
    assert len(out) == 4 and out.attrs["target"] == "simulate" and np.isfinite(out["information_rent"]).all()
