"""Stage 4a, models: who joins. Participation regressions, robustness designs, sensitivity, prediction."""

from typing import TYPE_CHECKING

from coalitionlab._lazy import lazy_exports

if TYPE_CHECKING:  # the public names; each submodule is imported on first use (coalitionlab/_lazy.py)
    from coalitionlab.models.data import add_participation_features, candidate_frame, participation_data
    from coalitionlab.models.features import FORECAST_FORMULA, add_target_features, forecast_features
    from coalitionlab.models.effects import first_difference, predicted_probabilities
    from coalitionlab.models.firth import firth_logit
    from coalitionlab.models.participation import ParticipationResult, fit_participation
    from coalitionlab.models.predict import predict_participation
    from coalitionlab.models.replication import replicate_henke
    from coalitionlab.models.permutation import cluster_bootstrap, permutation_test
    from coalitionlab.models.robustness import RobustnessResult, robustness
    from coalitionlab.models.sensitivity import lpm_sensitivity, oster_delta, oster_delta_approx, partial_r2, robustness_value
    from coalitionlab.models.separation import detect_separation
    from coalitionlab.models.tables import RegressionTable, regression_table
    from coalitionlab.models.validation import (
        CVResult,
        ParticipationClassifier,
        cross_validate,
        labels_as_of,
        select_half_life,
    )

__all__ = [
    "CVResult",
    "FORECAST_FORMULA",
    "ParticipationClassifier",
    "ParticipationResult",
    "RegressionTable",
    "RobustnessResult",
    "add_participation_features",
    "add_target_features",
    "candidate_frame",
    "cluster_bootstrap",
    "cross_validate",
    "detect_separation",
    "first_difference",
    "firth_logit",
    "fit_participation",
    "forecast_features",
    "labels_as_of",
    "lpm_sensitivity",
    "oster_delta",
    "oster_delta_approx",
    "partial_r2",
    "participation_data",
    "permutation_test",
    "predict_participation",
    "predicted_probabilities",
    "regression_table",
    "replicate_henke",
    "robustness",
    "robustness_value",
    "select_half_life",
]

__getattr__, __dir__ = lazy_exports(__name__, __file__)
