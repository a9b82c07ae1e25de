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
