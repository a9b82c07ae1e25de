"""Stage 4a, models: who joins. Participation regressions, robustness designs, sensitivity, prediction."""

from coalitionlab.models.data import add_participation_features, candidate_frame, participation_data
from coalitionlab.models.firth import firth_logit
from coalitionlab.models.participation import ParticipationResult, fit_participation
from coalitionlab.models.predict import predict_participation
from coalitionlab.models.replication import replicate_henke
from coalitionlab.models.robustness import RobustnessResult, permutation_test, robustness
from coalitionlab.models.sensitivity import oster_delta, partial_r2, robustness_value
from coalitionlab.models.separation import detect_separation
from coalitionlab.models.validation import CVResult, ParticipationClassifier, cross_validate, labels_as_of

__all__ = [
    "CVResult",
    "ParticipationClassifier",
    "ParticipationResult",
    "RobustnessResult",
    "add_participation_features",
    "candidate_frame",
    "cross_validate",
    "labels_as_of",
    "detect_separation",
    "firth_logit",
    "fit_participation",
    "oster_delta",
    "partial_r2",
    "participation_data",
    "permutation_test",
    "predict_participation",
    "replicate_henke",
    "robustness",
    "robustness_value",
]
