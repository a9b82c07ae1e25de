"""Cross-validation: LOCO and temporal splits recover a real signal and not a fake one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coalitionlab.errors import EstimationError
from coalitionlab.models.validation import ParticipationClassifier, calibration_table, cross_validate

from tests.models.test_robustness import panel  # noqa: F401  (fixture)


def test_loco_auc_sees_the_signal(panel: pd.DataFrame) -> None:
    res = cross_validate(panel, formula="joined ~ embeddedness_log1p")
    assert len(res.folds) == panel["coalition_id"].nunique()
    assert res.auc > 0.7 and 0 < res.brier < 0.25
    assert res.calibration["n"].sum() == len(panel)
    # calibration: observed shares rise with predicted probabilities
    assert np.corrcoef(res.calibration["mean_predicted"], res.calibration["observed"])[0, 1] > 0.8


def test_noise_gives_chance_auc(panel: pd.DataFrame) -> None:
    noisy = panel.assign(noise=np.random.default_rng(0).normal(size=len(panel)))
    res = cross_validate(noisy, formula="joined ~ noise")
    assert abs(res.auc - 0.5) < 0.08


def test_temporal_split(panel: pd.DataFrame) -> None:
    res = cross_validate(panel, formula="joined ~ embeddedness_log1p", scheme="temporal", split_year=2000)
    assert len(res.folds) == 1 and res.auc > 0.7
    with pytest.raises(EstimationError, match="empty training"):
        cross_validate(panel, scheme="temporal", split_year=1950)


def test_classifier_api() -> None:
    clf = ParticipationClassifier(formula="joined ~ x")
    with pytest.raises(EstimationError, match="not fitted"):
        clf.predict_proba(pd.DataFrame({"x": [1.0]}))
    assert calibration_table(np.array([0, 1, 0, 1]), np.array([0.1, 0.9, 0.2, 0.8]), bins=2)["observed"].tolist() == [0, 1]


def test_split_year_is_not_silently_ignored(panel: pd.DataFrame) -> None:
    """split_year only means something for the temporal scheme; with leave-one-coalition-out it was dropped."""
    with pytest.raises(EstimationError, match="split_year"):
        cross_validate(panel, scheme="leave_one_coalition_out", split_year=2000)


def _synthetic_panel(n_coalitions: int = 25, per: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_coalitions * per
    x = rng.normal(size=n)
    z = rng.normal(size=n)
    cid = np.repeat([f"c{i:02d}" for i in range(n_coalitions)], per)
    late = np.repeat(np.arange(n_coalitions) == n_coalitions - 1, per).astype(float)  # one coalition only
    eta = -1.5 + 1.2 * x - 0.5 * z + 0.7 * late
    panel = pd.DataFrame({"coalition_id": cid, "ccode": np.tile(np.arange(per), n_coalitions), "x": x, "z": z,
                          "late": late, "start_date": pd.Timestamp("2000-01-01"),
                          "joined": (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)})
    panel.loc[rng.choice(n, 40, replace=False), "z"] = np.nan  # missing inputs: those rows are never predicted
    return panel


def test_shared_design_folds_equal_refitting_every_fold() -> None:
    """Oracle: each fold refitted through fit_participation (statsmodels) gives the same predictions."""
    panel = _synthetic_panel()
    formula = "joined ~ x + z + late"
    fast = cross_validate(panel, formula=formula, drop_constant=True)
    slow = cross_validate(panel, formula=formula, drop_constant=True, shared_design=False)
    assert fast.predictions["p_join"].to_numpy() == pytest.approx(slow.predictions["p_join"].to_numpy(), abs=1e-7)
    pd.testing.assert_frame_equal(fast.predictions.drop(columns="p_join"), slow.predictions.drop(columns="p_join"))
    assert fast.folds["dropped_terms"].tolist() == slow.folds["dropped_terms"].tolist()
    assert fast.dropped_terms == ["late"]  # the one late coalition held out: "late" constant in training
    assert fast.auc == pytest.approx(slow.auc, abs=1e-12)


def test_fold_auc_is_scikit_learns() -> None:
    from sklearn.metrics import roc_auc_score

    from coalitionlab.models.validation import _auc

    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 500)
    p = np.round(rng.random(500), 1)  # many ties: each counts one half
    assert _auc(y, p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)


def test_a_fold_that_does_not_converge_is_refitted_and_explained(monkeypatch) -> None:
    """Separation in one fold's training rows: the Newton fit gives up and fit_participation says why."""
    panel = _synthetic_panel(n_coalitions=6, per=40)
    panel["sep"] = np.where(panel["joined"] == 1, 1.0, 0.0)  # separates the outcome perfectly
    calls = []
    import coalitionlab.models.validation as validation

    real = validation.fit_participation
    monkeypatch.setattr(validation, "fit_participation", lambda *a, **k: calls.append(1) or real(*a, **k))
    with pytest.raises(EstimationError, match="separat"):
        cross_validate(panel, formula="joined ~ x + sep")
    assert calls  # the fallback ran
    calls.clear()
    cross_validate(panel, formula="joined ~ x + z")  # a plain formula never needs it
    assert not calls
    cross_validate(panel, formula="joined ~ x + log1p(z)")  # a transform: every fold refitted
    assert len(calls) == 6
