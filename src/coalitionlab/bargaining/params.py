"""Parameters of the bargaining models, as pydantic models with their domains.

Every model takes one of these. A value outside its domain (a probability above 1, a negative
cost where costs cannot be negative, an infinite or NaN value anywhere) raises
:class:`pydantic.ValidationError` naming the field; a combination that no choice can satisfy raises
:class:`coalitionlab.errors.InfeasibleError` from the solver, saying why.

Every float of a parameter model must be finite (``inf``/``nan`` gave index errors or all-NaN results
deep inside the solvers). Price-unit levels, slopes and signal precisions are also bounded by
:data:`MAX_PRICE_LEVEL`, :data:`MAX_SLOPE` and :data:`MAX_PRECISION`: beyond them the simulator's
arithmetic (exponentials of slopes, prices over their spread) leaves float64's range and its solvers
stop on NaN, so such values are refused up front (:data:`PriceLevel`, :data:`Slope`, :data:`Precision`).

Examples
--------
>>> OnePartnerParams(p0=0.5, delta=0.2, omega=1, sigma=0.5, c=0.1, eta=1, a=0.2).a_threshold()
-1.0
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]

#: Largest magnitude of a price-unit level (a mean price, the value of a partner). The simulator
#: stops on NaN from about 1e9 (a normal prior of scale 0.5); a million times the default price
#: (1) leaves a wide margin.
MAX_PRICE_LEVEL = 1e6
#: Largest magnitude of a slope in embeddedness (``price_slope``): ``exp(50)`` is 5e21, already a
#: price ratio no calibration means; at -100 the simulator's value solver stopped on NaN.
MAX_SLOPE = 50.0
#: Largest signal precision (relative to the prior's): at 1e18 the simulator stopped on NaN; 1e12
#: is a signal a million times sharper than the prior's standard deviation.
MAX_PRECISION = 1e12

#: A level in price units, finite and within :data:`MAX_PRICE_LEVEL` of 0.
PriceLevel = Annotated[float, Field(ge=-MAX_PRICE_LEVEL, le=MAX_PRICE_LEVEL, allow_inf_nan=False)]
#: A non-negative level in price units, at most :data:`MAX_PRICE_LEVEL`.
NonNegativePriceLevel = Annotated[float, Field(ge=0.0, le=MAX_PRICE_LEVEL, allow_inf_nan=False)]
#: A slope in embeddedness, within :data:`MAX_SLOPE` of 0.
Slope = Annotated[float, Field(ge=-MAX_SLOPE, le=MAX_SLOPE, allow_inf_nan=False)]
#: A signal precision in [0, :data:`MAX_PRECISION`].
Precision = Annotated[float, Field(ge=0.0, le=MAX_PRECISION, allow_inf_nan=False)]

PriorKind = Literal["normal", "lognormal", "uniform"]
PRIOR_KINDS: tuple[str, ...] = ("normal", "lognormal", "uniform")


class _Params(BaseModel):
    """Base of every parameter model: frozen, no unknown fields, every float finite."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class OnePartnerParams(_Params):
    """Model 1: one partner, concessions and political insecurity (after Wolford & Ritter 2016).

    Attributes
    ----------
    p0 : float
        The lead's probability of winning alone, in [0, 1].
    delta : float
        What the partner adds to the win probability, in [0, 1 - p0].
    omega : float
        The leader's office value (>= 0), held only if the war is won.
    sigma : float
        The leader's political insecurity in [0, 1]: the weight on office value.
    c : float
        The partner's cost of fighting (>= 0).
    eta : float
        Concession efficiency (> 0): one unit of concession costs the lead ``1/eta``.
    a : float
        The partner's affinity with the lead's war aims (any sign).
    """

    p0: Probability
    delta: Probability
    omega: NonNegative
    sigma: Probability
    c: NonNegative
    eta: Positive
    a: float

    @model_validator(mode="after")
    def _win_probability_at_most_one(self) -> OnePartnerParams:
        if self.p0 + self.delta > 1.0 + 1e-12:
            raise ValueError(f"delta: p0 + delta = {self.p0 + self.delta:g} exceeds 1 (delta must be <= 1 - p0)")
        return self

    def a_threshold(self) -> float:
        """The affinity threshold ``a* = c/delta - min(eta (1 + omega sigma), (p0 + delta)/delta)``.

        The second term of the min is the concession cap (a share of the spoils, at most 1): a partner
        whose shortfall exceeds what a concession of 1 buys stays out whatever the lead offers.
        ``-inf`` when delta = 0 and c = 0, ``inf`` when delta = 0 and c > 0.
        """
        if self.delta == 0:
            return -np.inf if self.c == 0 else np.inf
        return float(self.c / self.delta - min(self.eta * (1.0 + self.omega * self.sigma),
                                               (self.p0 + self.delta) / self.delta))


class PartnerSetParams(_Params):
    """Model 2: choosing a set of partners under a contest success function.

    ``p(S) = K(S)^r / (K(S)^r + T^r)`` with ``K(S) = lead_strength + sum of member strengths``.

    Attributes
    ----------
    strengths : tuple of float
        Each candidate's military strength (>= 0).
    costs : tuple of float
        Each candidate's cost of fighting (>= 0).
    affinities : tuple of float
        Each candidate's affinity with the lead's war aims (any sign).
    lead_strength, target_strength : float
        The lead's own strength (>= 0) and the target's (> 0).
    r : float
        Decisiveness of the contest (> 0); 1 is the ratio form.
    omega, sigma, eta : float
        As in :class:`OnePartnerParams`.
    """

    strengths: tuple[NonNegative, ...]
    costs: tuple[NonNegative, ...]
    affinities: tuple[float, ...]
    lead_strength: NonNegative = 1.0
    target_strength: Positive = 1.0
    r: Positive = 1.0
    omega: NonNegative = 1.0
    sigma: Probability = 0.5
    eta: Positive = 1.0

    @model_validator(mode="after")
    def _same_length(self) -> PartnerSetParams:
        n = len(self.strengths)
        if n == 0:
            raise ValueError("strengths: at least one candidate is needed")
        if len(self.costs) != n or len(self.affinities) != n:
            raise ValueError(
                f"costs/affinities: need one per candidate ({n}); got {len(self.costs)} costs and "
                f"{len(self.affinities)} affinities"
            )
        if self.lead_strength == 0 and sum(self.strengths) == 0:
            raise ValueError("lead_strength: the lead and all candidates have zero strength")
        return self

    @property
    def n(self) -> int:
        """Number of candidates."""
        return len(self.strengths)


class RestraintParams(_Params):
    """Model 3: restraint vs resolve (after Wolford 2014).

    Two lead types: ``limited`` aims (prior ``1 - q``) and ``expansive`` aims (prior ``q``). A partner
    joins only a limited campaign, so with a coalition the lead's aims are capped at the limited ones.

    Attributes
    ----------
    q : float
        Prior probability that the lead's aims are expansive, in (0, 1).
    p0 : float
        The lead's win probability alone.
    delta : float
        What the partner adds to the win probability (``p0 + delta <= 1``).
    v_limited, v_expansive : float
        The lead's value of the limited and the expansive prize (``0 <= v_limited <= v_expansive``).
    z_limited, z_expansive : float
        The target's loss if the limited / expansive aims are imposed (``0 <= z_limited <= z_expansive``).
    war_cost_lead : float
        The lead's cost of war alone (>= 0).
    burden_share : float
        Share of the lead's war cost the partner carries, in [0, 1].
    coalition_cost : float
        The lead's cost of assembling the coalition (side payment, coordination; >= 0).
    war_cost_target : float
        The target's cost of war (>= 0).
    """

    q: Annotated[float, Field(gt=0.0, lt=1.0)]
    p0: Probability
    delta: Probability
    v_limited: NonNegative
    v_expansive: NonNegative
    z_limited: NonNegative
    z_expansive: NonNegative
    war_cost_lead: NonNegative
    burden_share: Probability = 0.0
    coalition_cost: NonNegative = 0.0
    war_cost_target: NonNegative

    @model_validator(mode="after")
    def _ordered(self) -> RestraintParams:
        if self.p0 + self.delta > 1.0 + 1e-12:
            raise ValueError(f"delta: p0 + delta = {self.p0 + self.delta:g} exceeds 1")
        if self.v_limited > self.v_expansive:
            raise ValueError("v_limited: must not exceed v_expansive")
        if self.z_limited > self.z_expansive:
            raise ValueError("z_limited: must not exceed z_expansive")
        return self


class PriceParams(_Params):
    """Model 4: the partner's reservation price and the lead's signal about it.

    Attributes
    ----------
    prior : {"normal", "lognormal", "uniform"}
        The prior of the reservation price ``theta``. For ``normal`` it is ``N(mean, scale^2)``; for
        ``lognormal``, ``log theta ~ N(mean, scale^2)``; for ``uniform``, ``U[mean - scale*sqrt(3),
        mean + scale*sqrt(3)]`` (so ``scale`` is the standard deviation in every case).
    mean : float
        Prior mean (of ``log theta`` for the lognormal).
    scale : float
        Prior standard deviation (> 0; of ``log theta`` for the lognormal).
    precision : float
        Relative precision of the lead's signal (>= 0): the signal is ``theta + e`` (``log theta + e``
        for the lognormal) with ``e ~ N(0, scale^2 / precision)``; 0 means no information.
    value : float
        The lead's value of the partner's participation, in price units (>= 0).
    """

    prior: PriorKind = "normal"
    mean: PriceLevel = 1.0
    scale: Positive = 0.5
    precision: Precision = 0.0
    value: NonNegativePriceLevel = 2.0
