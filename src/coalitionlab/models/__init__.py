"""Stage 4a, models: who joins. Participation regressions, robustness designs, sensitivity, prediction."""

from coalitionlab.models.firth import firth_logit
from coalitionlab.models.participation import ParticipationResult, fit_participation
from coalitionlab.models.sensitivity import oster_delta, partial_r2, robustness_value
from coalitionlab.models.separation import detect_separation

__all__ = [
    "ParticipationResult",
    "detect_separation",
    "firth_logit",
    "fit_participation",
    "oster_delta",
    "partial_r2",
    "robustness_value",
]
