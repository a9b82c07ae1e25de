"""Trust at the edges: no tracebacks, no runaway work.

Every refusal here is one ``error:`` line on stderr with exit code 1 (never a traceback), and it comes
before the expensive work: the function that would do that work is replaced by one that fails the
test if it is called (or, for the import-time check, the modules loaded are counted). No wall-clock
assertions.
"""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from coalitionlab.cli.main import app
from coalitionlab.errors import CoalitionlabError, CoverageError, EstimationError, InfeasibleError, UnknownOptionError

SIMULATE = ["simulate", "--lead", "USA", "--date", "2003-03-20", "--episodes", "50"]


@pytest.fixture(autouse=True)
def _no_user_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No data location given and an empty user data directory: the embedded seed, never the user's data."""
    monkeypatch.delenv("COALITIONLAB_DATA", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("COALITIONLAB_MAX_MEMORY", raising=False)
    monkeypatch.delenv("COALITIONLAB_DEBUG", raising=False)


def _module(name: str):
    """The module itself (``coalitionlab.bargaining.sweep`` is also the name of a function there)."""
    import importlib

    return importlib.import_module(name)


def _never(what: str):
    def fail(*_args, **_kwargs):
        raise AssertionError(f"{what} ran before the arguments were checked")

    return fail


def _fails_cleanly(args: list[str], *needles: str, code: int = 1) -> str:
    """Run the CLI: exit ``code``, nothing on stdout, one ``error:`` line on stderr (warnings aside)."""
    out = CliRunner().invoke(app, args)
    assert out.exit_code == code, (args, out.output, out.exception)
    assert out.stdout == "", out.stdout
    err = "\n".join(ln for ln in out.stderr.strip().splitlines() if not ln.startswith("warning: "))
    assert "Traceback" not in out.stderr and "ran before the arguments were checked" not in out.stderr, out.stderr
    assert len(err.splitlines()) == 1 and err.startswith("error:"), out.stderr
    for needle in needles:
        assert needle in err, (needle, err)
    return err


@pytest.fixture()
def no_bargaining_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """`simulate` must not read data or build a world before its options are checked."""
    import coalitionlab.measures
    import coalitionlab.planner
    from coalitionlab.bargaining import World

    monkeypatch.setattr(coalitionlab.planner, "candidates_with_p_join", _never("candidates_with_p_join"))
    monkeypatch.setattr(coalitionlab.measures, "embeddedness", _never("embeddedness"))
    monkeypatch.setattr(World, "from_frame", _never("World.from_frame"))


# --------------------------------------------------------------------------- non-finite parameters


@pytest.mark.parametrize(("extra", "needles"), [
    (["--value", "inf"], ["--value", "finite", "inf"]),  # was an IndexError traceback after 17 s
    (["--price-scale", "inf"], ["--price-scale", "finite", "inf"]),
    (["--no-prior-from-model", "--price-slope", "nan"], ["--price-slope", "finite", "nan"]),
    (["--payment-scale", "inf"], ["--payment-scale", "finite", "inf"]),  # was a run with null costs
    (["--no-prior-from-model", "--price-mean", "-1e300"], ["--price-mean", "-1e+300", "-1000000"]),
    (["--no-prior-from-model", "--price-slope", "-100"], ["--price-slope", "-50"]),
    (["--precision-base", "1e300"], ["--precision-base", "1e+300"]),
    (["--bias-slope", "nan"], ["--bias-slope", "nan"]),
    (["--reoffer-cost", "inf"], ["--reoffer-cost", "inf"]),
    (["--mission-value", "-inf"], ["--mission-value", "-inf"]),
])
def test_simulate_refuses_non_finite_or_absurd_numbers_before_any_work(no_bargaining_work, extra, needles) -> None:
    _fails_cleanly([*SIMULATE, *extra], *needles)


def test_the_parameter_models_refuse_non_finite_values() -> None:
    from coalitionlab.bargaining import ChannelParams, EmbeddednessMapping, OnePartnerParams, PriceParams
    from coalitionlab.bargaining.channels import PartnerValuation
    from coalitionlab.bargaining.params import MAX_PRECISION, MAX_PRICE_LEVEL, MAX_SLOPE
    from coalitionlab.bargaining.world import check_world_scalars

    bad = [(EmbeddednessMapping, {"value": math.inf}), (EmbeddednessMapping, {"price_scale": math.inf}),
           (EmbeddednessMapping, {"price_slope": math.nan}), (EmbeddednessMapping, {"price_mean": math.nan}),
           (ChannelParams, {"bias_slope": math.nan}), (ChannelParams, {"reoffer_cost": math.inf}),
           (PartnerValuation, {"mission_value": math.inf}), (OnePartnerParams, {
               "p0": 0.5, "delta": 0.2, "omega": math.inf, "sigma": 0.5, "c": 0.1, "eta": 1, "a": 0.2}),
           (PriceParams, {"mean": -1e300}), (PriceParams, {"mean": MAX_PRICE_LEVEL * 1.01}),
           (PriceParams, {"precision": MAX_PRECISION * 10}), (PriceParams, {"value": math.inf})]
    for model, kwargs in bad:
        with pytest.raises(ValidationError) as info:
            model(**kwargs)
        field = next(k for k, v in kwargs.items() if not np.isfinite(v) or abs(v) > 1e5)
        assert info.value.errors()[0]["loc"] == (field,), (model, kwargs, info.value)
    with pytest.raises(ValidationError, match="payment_scale"):
        check_world_scalars(payment_scale=math.inf)
    # the bounds themselves are allowed; the simulator's un-capped commitment purse (inf) still is
    assert PriceParams(mean=-MAX_PRICE_LEVEL, precision=MAX_PRECISION, value=MAX_PRICE_LEVEL).mean == -1e6
    assert EmbeddednessMapping(price_slope=-MAX_SLOPE).price_slope == -50.0
    assert math.isinf(ChannelParams().commitment.upfront_cap)


def test_world_from_frame_refuses_an_infinite_payment_scale() -> None:
    from coalitionlab.bargaining import World

    frame = pd.DataFrame({"ccode": [20, 200], "embeddedness": [1.0, 3.0]})
    with pytest.raises(ValidationError, match="payment_scale"):
        World.from_frame(frame, lead="USA", date="2003-03-20", payment_scale=math.inf)


@pytest.mark.parametrize("prior", ["normal", "lognormal", "uniform"])
def test_the_extreme_values_the_models_allow_still_give_finite_results(prior: str) -> None:
    """The bounds sit inside the simulator's working range: at each of them the world builds and every
    summary is a finite number (beyond them, e.g. price_slope -100 or a mean price of 1e9, its value
    solver stopped on NaN)."""
    from coalitionlab.bargaining import EmbeddednessMapping, World, simulate
    from coalitionlab.bargaining.params import MAX_PRECISION, MAX_PRICE_LEVEL, MAX_SLOPE
    from coalitionlab.measures import embeddedness

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = embeddedness("USA", "2003-03-20", source="seed")
        for kwargs in ({"price_mean": MAX_PRICE_LEVEL}, {"price_mean": -MAX_PRICE_LEVEL},
                       {"price_slope": MAX_SLOPE}, {"price_slope": -MAX_SLOPE},
                       {"precision_base": MAX_PRECISION}, {"precision_slope": MAX_PRECISION},
                       {"value": MAX_PRICE_LEVEL}):
            world = World.from_frame(frame, lead="USA", date="2003-03-20", prior=prior,
                                     mapping=EmbeddednessMapping(**kwargs))
            summary = simulate(world, 20, seed=1).summary
            assert np.isfinite(summary["mean"].to_numpy(float)).all(), (prior, kwargs)


def test_a_sweep_refuses_an_absurd_price_mean_before_any_run(tmp_path: Path, monkeypatch) -> None:
    import dataclasses

    sweep_module = _module("coalitionlab.bargaining.sweep")

    monkeypatch.setitem(sweep_module.TARGETS, "simulate", dataclasses.replace(
        sweep_module.TARGETS["simulate"], run=_never("a simulate run"), load_context=_never("the simulate context")))
    cfg = {"target": "simulate", "fixed": {"price_mean": -1e300}, "grid": {"value": [2.0]}}
    with pytest.raises(ValidationError, match="price_mean"):
        sweep_module.sweep(cfg, seed=1, n_jobs=1)
    path = tmp_path / "pm.toml"
    path.write_text('target = "simulate"\n[fixed]\nprice_mean = -1e300\n[grid]\nvalue = [2.0]\n')
    _fails_cleanly(["sweep", str(path), "--n-jobs", "1"], "price_mean", "-1e+300")
    path.write_text('target = "simulate"\n[fixed]\nvalue = inf\n[grid]\nprice_scale = [0.5]\n')
    _fails_cleanly(["sweep", str(path), "--n-jobs", "1"], "value", "finite")


# --------------------------------------------------------------------------- requests that cannot fit


def _no_procurement_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    sweep_module = _module("coalitionlab.bargaining.sweep")

    monkeypatch.setitem(sweep_module.TARGETS, "procurement", dataclasses.replace(
        sweep_module.TARGETS["procurement"], run=_never("a procurement run")))
    monkeypatch.setitem(sweep_module.TARGETS, "linkage", dataclasses.replace(
        sweep_module.TARGETS["linkage"], run=_never("a linkage run")))


@pytest.fixture()
def no_sweep_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    sweep_module = _module("coalitionlab.bargaining.sweep")

    monkeypatch.setattr(sweep_module.SweepConfig, "runs", _never("building the runs"))
    _no_procurement_runs(monkeypatch)


def test_a_sweep_too_large_for_memory_is_refused_before_any_run(tmp_path: Path, no_sweep_runs) -> None:
    reps = tmp_path / "reps.toml"
    reps.write_text('target = "linkage"\nreplications = 1000000000000\n[grid]\nembeddedness = [1.0]\n')
    # 2,048 bytes a run (RUN_BYTES): 10**12 runs are 1.8 PiB, against the 8 GiB default limit
    _fails_cleanly(["sweep", str(reps), "--n-jobs", "1"], "1,000,000,000,000 runs", "1.8 PiB", "8 GiB",
                   "COALITIONLAB_MAX_MEMORY")
    grid = tmp_path / "grid.toml"
    values = ", ".join(["1.0"] * 100_000)
    grid.write_text(f'target = "linkage"\n[grid]\nembeddedness = [{values}]\nreservation = [{values}]\n')
    _fails_cleanly(["sweep", str(grid), "--n-jobs", "1"], "10,000,000,000 runs", "100,000 x 100,000")


def test_a_procurement_run_too_large_for_memory_is_refused_before_any_run(tmp_path: Path, monkeypatch) -> None:
    _no_procurement_runs(monkeypatch)  # the one run is built and checked, never run
    cfg = tmp_path / "draws.toml"
    cfg.write_text('target = "procurement"\n[fixed]\ndraws = 1000000000\n[grid]\nhigh = [1.5]\n')
    # 10**9 draws x (16 x 10 partners + 600) bytes = 708 GiB
    _fails_cleanly(["sweep", str(cfg), "--n-jobs", "1"], "draws=1000000000", "708 GiB", "8 GiB")


def test_simulate_procurement_refuses_draws_that_cannot_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    from coalitionlab.bargaining import procurement
    from coalitionlab.bargaining.procurement import PriceDistribution, simulate_procurement

    monkeypatch.setattr(PriceDistribution, "sample", _never("drawing prices"))
    partners = pd.DataFrame({"partner": list("ABCD"), "flags": 1})
    with pytest.raises(InfeasibleError, match=r"draws=1,000,000,000\) with 4 partners would need about 618 GiB"):
        simulate_procurement(partners, PriceDistribution(), requirements={"flags": 2}, draws=10**9, seed=1)
    assert procurement.procurement_bytes(4, 10**9) == 10**9 * (16 * 4 + 600)


def test_the_memory_limit_can_be_raised_or_lowered(monkeypatch: pytest.MonkeyPatch) -> None:
    from coalitionlab._validation import MAX_MEMORY, check_memory, memory_limit
    from coalitionlab.bargaining.sweep import sweep

    assert memory_limit() == MAX_MEMORY == 8 * 2**30
    monkeypatch.setenv("COALITIONLAB_MAX_MEMORY", "1MB")
    assert memory_limit() == 2**20
    cfg = {"target": "linkage", "grid": {"embeddedness": [0.0, 20.0]}, "fixed": {"reservation": 6.0}}
    assert len(sweep({**cfg, "replications": 256}, seed=1, n_jobs=1)) == 512  # 512 x 2,048 bytes = 1 MiB: fits
    with pytest.raises(InfeasibleError, match=r"a sweep of 514 runs .* more than the limit of 1 MiB"):
        sweep({**cfg, "replications": 257}, seed=1, n_jobs=1)
    monkeypatch.setenv("COALITIONLAB_MAX_MEMORY", "2TB")
    check_memory("a large request", 2**41)  # exactly the limit: allowed
    monkeypatch.setenv("COALITIONLAB_MAX_MEMORY", "lots")
    with pytest.raises(UnknownOptionError, match="COALITIONLAB_MAX_MEMORY='lots' is not a memory size"):
        memory_limit()


def test_robustness_refuses_permutations_that_cannot_fit_before_the_panel(monkeypatch) -> None:
    import coalitionlab.models.data

    monkeypatch.setattr(coalitionlab.models.data, "participation_data", _never("building the panel"))
    # 10**12 draws x 40 bytes (DRAW_BYTES) x 2 designs = 73 TiB
    _fails_cleanly(["robustness", "--permutations", "1000000000000"], "1,000,000,000,000 draws",
                   "permutation and bootstrap", "73 TiB", "8 GiB")
    _fails_cleanly(["robustness", "--permutations", "1000000000000", "--designs", "bootstrap"], "36 TiB")


def _toy_panel(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_coal, n_cand = 12, 25
    df = pd.DataFrame({"coalition_id": np.repeat([f"c{i}" for i in range(n_coal)], n_cand),
                       "ccode": np.tile(np.arange(n_cand) + 100, n_coal), "lead_ccode": 2,
                       "start_date": np.repeat(pd.date_range("1990-01-01", periods=n_coal, freq="180D"), n_cand)})
    df["embeddedness_log1p"] = rng.gamma(2.0, 1.0, len(df))
    df["cinc"] = rng.random(len(df))
    df["joined"] = (rng.random(len(df)) < 1 / (1 + np.exp(2 - df["embeddedness_log1p"]))).astype(int)
    return df


def test_the_resampling_api_refuses_draws_that_cannot_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    rob = _module("coalitionlab.models.robustness")
    from coalitionlab.models.permutation import chunk_plan

    with pytest.raises(InfeasibleError, match="1,000,000,000,000 permutation or bootstrap draws"):
        chunk_plan(10**12, 50, 0)
    monkeypatch.setattr(rob, "fit_participation", _never("a design"))
    monkeypatch.setattr(rob, "add_past_cooperation", _never("preparing the panel"))
    with pytest.raises(InfeasibleError, match="73 TiB"):
        rob.robustness(_toy_panel(), n_permutations=10**12)


# --------------------------------------------------------------------------- one-line errors


def test_simulate_episodes_are_checked_before_anything_is_imported() -> None:
    """`--episodes 0` was refused after 13 s of imports; now before coalitionlab.measures or the
    bargaining models are imported (counted in a fresh interpreter, not timed)."""
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom coalitionlab.cli.main import app\n"
            "r = CliRunner().invoke(app, ['simulate', '--lead', 'USA', '--date', '2003-03-20', '--episodes', '0'])\n"
            "print(r.exit_code, repr(r.stderr.strip()))\n"
            "print(sorted(m for m in sys.modules if m.startswith(('coalitionlab.bargaining', 'coalitionlab.measures',"
            " 'coalitionlab.models', 'coalitionlab.planner'))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    status, loaded = out.stdout.strip().splitlines()
    assert status.startswith("1 'error: --episodes") and "positive integer; got 0" in status, out.stdout
    assert loaded == "[]", loaded


def test_an_episode_count_that_is_not_an_integer_is_a_usage_error(no_bargaining_work) -> None:
    out = CliRunner().invoke(app, [*SIMULATE[:-1], "1e12"])
    assert out.exit_code == 2 and "Traceback" not in out.output and "valid integer" in out.output


@pytest.mark.parametrize("date", ["2003", "2003-03", "20030320", "2003-03-20T00:00+05:00", "2003-03-20T00:00Z"])
def test_partial_or_zoned_dates_are_refused_before_any_work(date: str, no_bargaining_work, monkeypatch) -> None:
    import coalitionlab.models.predict
    import coalitionlab.reports.demo

    monkeypatch.setattr(coalitionlab.models.predict, "predict_participation", _never("predict"))
    monkeypatch.setattr(coalitionlab.reports.demo, "run_demo", _never("the report"))
    needle = "time zone" if ("+" in date or date.endswith("Z")) else "YYYY-MM-DD"
    for cmd in (SIMULATE[:3] + ["--episodes", "50"], ["embeddedness", "--lead", "USA"],
                ["predict", "--lead", "USA", "--train-until", "2002"], ["report"]):
        _fails_cleanly([*cmd, "--date", date], repr(date), needle)


def test_parse_date_takes_only_whole_calendar_days() -> None:
    import datetime

    from coalitionlab._validation import parse_date

    assert parse_date("2003-03-20") == pd.Timestamp("2003-03-20")
    assert parse_date(" 2003-03-20 00:00:00 ") == pd.Timestamp("2003-03-20")  # str() of a Timestamp
    assert parse_date(datetime.date(2003, 3, 20)) == pd.Timestamp("2003-03-20")
    for bad in ("2003", "2003-03", "2003-3-20", "20030320", "2003-02-30", 2003, None):
        with pytest.raises(CoverageError, match="write it as YYYY-MM-DD"):
            parse_date(bad)  # '2003' was read as 2003-01-01, 2003 (a number) as 1970-01-01
    for zoned in ("2003-03-20T00:00+05:00", "2003-03-20 23:00:00-05:00", pd.Timestamp("2003-03-20", tz="UTC")):
        with pytest.raises(CoverageError, match="carries a time zone"):
            parse_date(zoned)


def test_lag_years_beyond_the_limit_is_refused_before_any_data(monkeypatch) -> None:
    import coalitionlab.measures

    monkeypatch.setattr(coalitionlab.measures, "embeddedness", _never("embeddedness"))
    for lag in ("10000000000000000000000", "201", "-1"):
        _fails_cleanly(["embeddedness", "--lead", "USA", "--date", "2003-03-20", "--lag-years", lag],
                       f"--lag-years {lag}", "from 0 to 200")


def test_payment_unit_is_printed_as_written_not_read_as_markup(tmp_path: Path) -> None:
    # '[/]' crashed rich's markup parser after the whole simulation had run
    out = CliRunner().invoke(app, [*SIMULATE, "--payment-unit", "[/]", "--top", "2"])
    assert out.exit_code == 0, (out.output, out.exception)
    assert "prices in [/] (scale 1" in " ".join(out.stdout.split())


def test_an_unusable_scheduler_address_is_refused_before_any_work(tmp_path: Path, no_sweep_runs,
                                                                  monkeypatch) -> None:
    import coalitionlab.models.data
    from coalitionlab.bargaining.sweep import sweep
    from coalitionlab.models.permutation import run_chunks

    monkeypatch.setattr(coalitionlab.models.data, "participation_data", _never("building the panel"))
    cfg = tmp_path / "ok.toml"
    cfg.write_text('target = "linkage"\n[grid]\nembeddedness = [1.0]\n')
    for address in ("notanaddress", "tcp://host", "tcp://host:99999", "http://x:1"):
        # 'notanaddress' was a ValueError traceback from distributed, then a 20 s hang in Client.__del__
        _fails_cleanly(["sweep", str(cfg), "--scheduler", address], f"--scheduler {address!r}", "tcp://HOST:PORT")
        _fails_cleanly(["robustness", "--scheduler", address], f"--scheduler {address!r}")
        with pytest.raises(UnknownOptionError, match="not a Dask scheduler address"):
            sweep(str(cfg), seed=1, scheduler=address)
        with pytest.raises(UnknownOptionError, match="not a Dask scheduler address"):
            run_chunks(_never("a chunk"), [()], n_jobs=1, scheduler=address)


def test_empty_lists_and_formulas_are_errors_not_defaults(monkeypatch) -> None:
    import coalitionlab.models.data

    monkeypatch.setattr(coalitionlab.models.data, "participation_data", _never("building the panel"))
    # --designs "" ran every design; --controls "" the default controls
    _fails_cleanly(["robustness", "--designs", ""], "--designs ''", "names nothing")
    _fails_cleanly(["robustness", "--designs", " , "], "--designs ' , '")
    _fails_cleanly(["robustness", "--controls", ""], "--controls ''")
    for cmd in (["fit"], ["cv"], ["predict", "--lead", "USA", "--date", "2003-03-20", "--train-until", "2002"]):
        for formula in ("", "   "):
            _fails_cleanly([*cmd, "--formula", formula], "--formula is empty")
    from coalitionlab.models.robustness import check_battery_request

    with pytest.raises(UnknownOptionError, match="no design named"):
        check_battery_request([])


def test_a_treatment_must_be_a_column_that_varies(monkeypatch) -> None:
    import coalitionlab.models.data
    rob = _module("coalitionlab.models.robustness")

    monkeypatch.setattr(coalitionlab.models.data, "participation_data", _never("building the panel"))
    _fails_cleanly(["robustness", "--treatment", "I(2*embeddedness_log1p)"], "must be a column name")
    panel = _toy_panel()
    with pytest.raises(EstimationError, match="must be a column name"):  # was a KeyError
        rob.robustness(panel, treatment="I(2*embeddedness_log1p)", designs=["baseline"], n_permutations=10)
    flat = panel.assign(flat=1.0)
    # a constant treatment: the permutation design alone returned a p-value for a ridge artefact
    with pytest.raises(EstimationError, match=r"treatment 'flat' does not vary .* \(every value is 1.0\)"):
        rob.robustness(flat, treatment="flat", designs=["permutation"], n_permutations=10, controls=[])


def test_constant_and_collinear_regressors_are_named() -> None:
    from coalitionlab.models import fit_participation
    from coalitionlab.models.permutation import cluster_bootstrap, permutation_test

    panel = _toy_panel().assign(flat=1.0)
    with pytest.raises(EstimationError, match=r"^flat does not vary in the estimation sample \(flat = 1 in every row\)"):
        fit_participation("joined ~ embeddedness_log1p + flat", panel)
    with pytest.raises(EstimationError, match=r"^I\(2 \* embeddedness_log1p\) is a linear combination"):
        fit_participation("joined ~ embeddedness_log1p + I(2*embeddedness_log1p)", panel)
    # the resampling tests ran on a singular design and reported draws of a ridge artefact
    with pytest.raises(EstimationError, match="'flat' does not vary"):
        permutation_test("joined ~ flat + cinc", panel, treatment="flat", within="coalition_id", n_permutations=9)
    twice = panel.assign(twice=2 * panel["cinc"])
    with pytest.raises(EstimationError, match="twice is a linear combination"):
        permutation_test("joined ~ cinc + twice", twice, treatment="cinc", within="coalition_id", n_permutations=9)
    with pytest.raises(EstimationError, match="twice is a linear combination"):
        cluster_bootstrap("joined ~ cinc + twice", twice, term="cinc", cluster="coalition_id", n_boot=9)


# --------------------------------------------------------------------------- the error handler


def test_an_unexpected_exception_is_one_line_and_debug_shows_it(monkeypatch) -> None:
    import coalitionlab.measures

    def boom(*_args, **_kwargs):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(coalitionlab.measures, "embeddedness", boom)
    args = ["embeddedness", "--lead", "USA", "--date", "2003-03-20"]
    err = _fails_cleanly(args, "RuntimeError: boom second line", "(rerun with --debug for the traceback)")
    assert err.startswith("error: RuntimeError")
    out = CliRunner().invoke(app, [*args, "--debug"])
    assert isinstance(out.exception, RuntimeError)  # --debug: the exception itself, for its traceback
    monkeypatch.setenv("COALITIONLAB_DEBUG", "1")
    assert isinstance(CliRunner().invoke(app, args).exception, RuntimeError)


def test_ctrl_c_exits_130_with_one_line(monkeypatch) -> None:
    import coalitionlab.measures

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(coalitionlab.measures, "embeddedness", interrupted)
    _fails_cleanly(["embeddedness", "--lead", "USA", "--date", "2003-03-20"], "interrupted", code=130)


def test_every_command_goes_through_the_error_handler() -> None:
    import typer

    def commands(group, prefix=""):
        for name, cmd in group.commands.items():
            if hasattr(cmd, "commands"):
                yield from commands(cmd, f"{prefix}{name} ")
            else:
                yield f"{prefix}{name}", cmd

    from coalitionlab.cli.options import handle_errors

    code = handle_errors(lambda: None).__code__  # the handler's wrapper (functools.wraps copies only the names)

    def handled(func) -> bool:  # typer's and handle_errors' wrappers both keep the wrapped one in __wrapped__
        while func is not None:
            if getattr(func, "__code__", None) is code:
                return True
            func = getattr(func, "__wrapped__", None)
        return False

    found = dict(commands(typer.main.get_command(app)))
    assert {"simulate", "sweep", "fit", "robustness", "embeddedness", "plan", "replay", "data check"} <= set(found)
    assert not handled(found["version"].callback)  # printing the version cannot fail: the check can say no
    unwrapped = [name for name, cmd in found.items() if name != "version" and not handled(cmd.callback)]
    assert unwrapped == [], unwrapped


def test_coalitionlab_errors_are_all_one_line_in_the_handler() -> None:
    """CoalitionlabError subclasses keep their own message (no type prefix, no --debug hint)."""
    from coalitionlab.cli.options import handle_errors

    @handle_errors
    def command(debug: bool = False) -> None:
        raise CoverageError("no such year\nat all")

    import typer

    runner_app = typer.Typer()
    runner_app.command()(command)
    out = CliRunner().invoke(runner_app, [])
    assert out.exit_code == 1 and out.stderr.strip() == "error: no such year at all"
    assert issubclass(CoverageError, CoalitionlabError)
