"""`coalitionlab simulate` calibrates prices to the participation model's P(join) by default."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from coalitionlab.cli.main import app


def _run(args: list[str]) -> dict:
    out = CliRunner().invoke(app, ["simulate", "--lead", "USA", "--date", "2003-03-20", "--episodes", "4000",
                                   "--seed", "3", "--format", "json", *args])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def test_prices_follow_the_participation_model(shared_data: Path) -> None:
    calibrated = _run(["--data-dir", str(shared_data)])
    prior = calibrated["assumptions"]["prior_from"]
    assert prior["train_until"] == 2002 and prior["model"].startswith("joined ~ embeddedness_log1p")
    assert prior["n_train_coalitions"] > 20
    # the calibrated world reproduces the model's expected coalition size (tens of states, not most of them)
    size = calibrated["summary"]["coalition_size"]["mean"]
    assert 5 < size < 40
    uncalibrated = _run(["--data-dir", str(shared_data), "--no-prior-from-model"])
    assert "prior_from" not in uncalibrated["assumptions"]


def test_price_channel_options_conflict_with_the_calibration(shared_data: Path) -> None:
    # the calibration sets every mean price, so --price-mean / --price-slope would be silently ignored
    for option in (["--price-mean", "3"], ["--price-slope", "1.5"]):
        out = CliRunner().invoke(app, ["simulate", "--lead", "USA", "--date", "2003-03-20", "--episodes", "100",
                                       "--data-dir", str(shared_data), *option])
        assert out.exit_code == 1
        assert option[0] in out.output and "--no-prior-from-model" in out.output
        assert "Traceback" not in out.output
    calibrated = _run(["--data-dir", str(shared_data)])
    assert "price_mean" not in calibrated["assumptions"] and "price_slope" not in calibrated["assumptions"]
    assert calibrated["assumptions"]["price_means_from"] == "p_join"
    # without the calibration the options are used, and reported
    cheap = _run(["--data-dir", str(shared_data), "--no-prior-from-model", "--price-mean", "0.5"])
    assert cheap["assumptions"]["price_mean"] == 0.5
    dear = _run(["--data-dir", str(shared_data), "--no-prior-from-model", "--price-mean", "1.5"])
    assert cheap["summary"]["coalition_size"]["mean"] > dear["summary"]["coalition_size"]["mean"]
