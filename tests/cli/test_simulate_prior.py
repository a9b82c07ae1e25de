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
