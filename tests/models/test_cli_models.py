"""The `cv` and `robustness` commands: requests checked before the panel is built, and the forecast
formula's constant terms judged on each fold's training sample.

The panel builders are replaced by a synthetic panel (the commands' own logic is what is tested);
oracles: statsmodels' logit and an AUC counted pair by pair.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from typer.testing import CliRunner

import coalitionlab.models.data as model_data
import coalitionlab.models.features as features
from coalitionlab.cli.main import app
from coalitionlab.models.features import FORECAST_FORMULA


def _forecast_panel() -> pd.DataFrame:
    """US-led coalitions 1982-1993, 50 candidates, every column of the forecast formula; the first
    target-less coalition starts in 1990, so ``no_target`` is 0 in every coalition before it."""
    rng = np.random.default_rng(17)
    n_c, n_s = 12, 50
    years = 1982 + np.arange(n_c)
    df = pd.DataFrame({"coalition_id": np.repeat([f"c{i:02d}" for i in range(n_c)], n_s),
                       "ccode": np.tile(np.arange(100, 100 + n_s), n_c), "lead_ccode": 2,
                       "start_date": pd.to_datetime(np.repeat([f"{y}-05-01" for y in years], n_s)),
                       "year": np.repeat(years, n_s)})
    terms = [t.strip() for t in FORECAST_FORMULA.split("~")[1].split("+")]
    for t in terms:
        df[t] = rng.normal(size=len(df))
    df["no_exercise_data"] = 0.0
    df["no_target"] = ((df["year"] >= 1990) & (df["coalition_id"].isin(["c08", "c10"]))).astype(float)
    eta = -2 + 0.8 * df["embeddedness_log1p"] - 0.5 * df["distance_target_log_or0"] + 0.5 * df["no_target"]
    df["joined"] = (rng.random(len(df)) < 1 / (1 + np.exp(-eta))).astype(int)
    df["join_date"] = df["start_date"].where(df["joined"] == 1)
    df.attrs = {"is_seed": False, "sources": {}}
    return df


@pytest.fixture
def fake_panel(monkeypatch: pytest.MonkeyPatch) -> pd.DataFrame:
    panel = _forecast_panel()
    monkeypatch.setattr(model_data, "participation_data", lambda **_kw: panel.copy())
    monkeypatch.setattr(features, "forecast_features", lambda p, **_kw: p)
    return panel


@pytest.fixture
def no_panel(monkeypatch: pytest.MonkeyPatch) -> None:
    """A request that must be refused before any data are read: building the panel fails the test."""
    def refuse(**_kw):
        raise AssertionError("the panel was built before the request was checked")

    monkeypatch.setattr(model_data, "participation_data", refuse)


def _one_error_line(result) -> str:
    assert result.exit_code == 1 and result.stdout == "", result.output
    lines = [ln for ln in result.stderr.strip().splitlines() if not ln.startswith("warning: ")]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    return lines[0]


def test_cv_drops_constant_terms_on_the_training_sample(fake_panel: pd.DataFrame) -> None:
    """Temporal split at 1990: no_target varies in the panel but not before 1990. The fold's model
    leaves it out (with the full-sample check it stayed in and the fit failed)."""
    out = CliRunner().invoke(app, ["cv", "--scheme", "temporal", "--split-year", "1990", "--format", "json"])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout)[0]
    assert summary["dropped_terms"] == "no_exercise_data,no_target"
    # oracle: the logit of the remaining terms on the training coalitions, AUC by counting pairs
    terms = [t.strip() for t in FORECAST_FORMULA.split("~")[1].split("+") if t.strip() not in
             ("no_target", "no_exercise_data")]
    train, test = fake_panel[fake_panel["year"] < 1990], fake_panel[fake_panel["year"] >= 1990]
    beta = sm.Logit(train["joined"].to_numpy(), sm.add_constant(train[terms].to_numpy())).fit(disp=0).params
    score = sm.add_constant(test[terms].to_numpy()) @ beta
    y = test["joined"].to_numpy()
    pos, neg = score[y == 1], score[y == 0]
    auc = ((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (len(pos) * len(neg))
    assert summary["auc"] == pytest.approx(auc, abs=1e-9)


def test_cv_leave_one_out_drops_per_fold(fake_panel: pd.DataFrame) -> None:
    """Leave-one-coalition-out: no_exercise_data is constant in every fold, no_target in none."""
    out = CliRunner().invoke(app, ["cv", "--lead", "USA", "--format", "json"])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout)[0]
    assert summary["dropped_terms"] == "no_exercise_data" and summary["n_folds"] == 12


def test_cv_unknown_lead_is_one_line_naming_it(no_panel: None) -> None:
    runner = CliRunner()
    line = _one_error_line(runner.invoke(app, ["cv", "--lead", "XYZ"]))
    assert "'XYZ'" in line and "--lead" in line
    line = _one_error_line(runner.invoke(app, ["cv", "--lead", "Luxembourg"]))
    assert "--lead 'Luxembourg' (ccode 212) led no coalition" in line
    line = _one_error_line(runner.invoke(app, ["cv", "--lead-ccode", "9999"]))
    assert "--lead-ccode 9999" in line
    line = _one_error_line(runner.invoke(app, ["cv", "--lead", "USA", "--lead-ccode", "2"]))
    assert "either --lead or --lead-ccode" in line


def test_robustness_checks_designs_and_controls_before_building_the_panel(no_panel: None) -> None:
    from coalitionlab.models.robustness import CONTROL_CHOICES, DESIGNS

    runner = CliRunner()
    line = _one_error_line(runner.invoke(app, ["robustness", "--designs", "baseline,lag_2"]))
    assert "unknown design 'lag_2'; valid designs: " + ", ".join(DESIGNS) in line
    line = _one_error_line(runner.invoke(app, ["robustness", "--controls", "cinc,cincc"]))
    assert "unknown control 'cincc'; valid controls: " + ", ".join(CONTROL_CHOICES) in line
    assert {"atop_defense", "distance_log", "cinc", "democracy", "un_ideal_distance", "polity2",
            "us_troops_log"} <= set(CONTROL_CHOICES)
