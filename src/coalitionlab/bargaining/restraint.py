"""Model 3: restraint vs resolve -- what a coalition partner does to the risk of war (after Wolford 2014).

Two versions, both the project's constructions **after** Wolford (2014), neither his exact model.

**Known-cost version** (:func:`solve_restraint_known_cost`; ``solve_restraint`` is the same function
under its earlier name). A reduced form: the *lead's* aims are private, the *target's* cost of war is
known to everyone. Nature draws the lead's aims: ``limited`` (prior ``1 - q``) or ``expansive``
(prior ``q``). The lead either acts ``alone`` or builds a ``coalition``; the partner joins only a
limited campaign, so with a coalition the lead's aims are capped at the limited ones (the expansive
type gives up ``v_expansive - v_limited``) and it pays ``coalition_cost``. The target sees the
choice, updates its belief that the aims are expansive, and concedes or resists. If it resists, the
lead fights iff war pays, ``p_m v - cost_m >= 0`` with ``p_alone = p0``, ``p_coalition = p0 + delta``
and the war cost reduced by the partner's ``burden_share``; otherwise it backs down (0 for both).
Payoffs (type ``t``, choice ``m``): concession -> lead ``v(t, m)``, target ``-z(t, m)``; war -> lead
``p_m v(t, m) - cost_m``, target ``-p_m z(t, m) - war_cost_target``. Because the target's cost is
known and its action is pure, the probability of war in a pure equilibrium can only be 0, ``q``,
``1 - q`` or 1.

**Private-cost version** (:func:`solve_restraint_private_cost`). The target's cost of war ``c`` is
its private information, drawn from a known distribution (uniform on ``[cost_low, cost_high]``, or
a discrete one). The lead (with or without the partner) demands a share ``x`` of a good worth 1
that the target holds; the target accepts iff ``1 - x >= 1 - p_m - c``, i.e. it fights iff its cost
is below the cutoff ``x - p_m``. The partner's *restraint* caps the coalition's demand at
``demand_cap``; its *resolve* raises the win probability to ``p0 + delta`` and carries
``burden_share`` of the lead's war cost. The lead picks the demand that maximises its expected
payoff given its belief about the target's cost, and builds the coalition iff that pays more than
acting alone net of ``coalition_cost``. The equilibrium probability of war varies continuously with
the parameters inside each regime (see :func:`solve_restraint_private_cost` for the closed form).

What is Wolford's: the question (a partner who joins only a limited campaign waters down the
lead's threat, yet can raise or lower the probability of war) and the two effects. What is the
project's: in Wolford (2014) the privately informed side is the *lead* (its resolve), signalled by
costly mobilisation that the partner limits; here the known-cost version keeps private *aims* and
the private-cost version puts the private information on the *target's* cost of war, which makes
it a screening (risk-return) game rather than a signalling one.

References
----------
Wolford, S. (2014). Showing restraint, signaling resolve: Coalitions, cooperation, and crisis
bargaining. *American Journal of Political Science* 58(1), 144-156.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from coalitionlab.bargaining.params import Probability, RestraintParams, _Params
from coalitionlab.errors import UnknownOptionError

TYPES = ("limited", "expansive")
MESSAGES = ("alone", "coalition")
ACTIONS = ("concede", "resist")
_TOL = 1e-12


@dataclass(frozen=True)
class Equilibrium:
    """One pure perfect Bayesian equilibrium of the known-cost version (the project's reduced form).

    Attributes
    ----------
    lead : dict
        Each type's choice, ``{"limited": "coalition", "expansive": "alone"}``.
    target : dict
        The target's action after each choice.
    belief : dict
        The target's belief that the aims are expansive after each choice (``None`` off the path
        when any belief in an interval supports the action; then ``belief_range`` gives it).
    belief_range : dict
        For each choice, the interval of beliefs under which the target's action is optimal.
    kind : str
        ``"separating"``, ``"pooling (alone)"`` or ``"pooling (coalition)"``.
    war_probability : float
        Probability of war.
    coalition_probability : float
        Probability the lead builds a coalition.
    model : str
        ``"restraint_known_cost"``: which version of model 3 produced it.
    """

    lead: dict[str, str]
    target: dict[str, str]
    belief: dict[str, float | None]
    belief_range: dict[str, tuple[float, float]]
    kind: str
    war_probability: float
    coalition_probability: float
    model: str = "restraint_known_cost"


KNOWN_COST_LABEL = ("restraint, known-cost version: the project's reduced form after Wolford 2014, not his "
                    "exact model (the lead's aims are private, the target's cost of war is known)")


def _tables(prm: RestraintParams):
    """Arrays indexed [type, message]: lead value, target loss, win prob, lead war cost, fights?"""
    v = np.array([[prm.v_limited, prm.v_limited], [prm.v_expansive, prm.v_limited]])
    z = np.array([[prm.z_limited, prm.z_limited], [prm.z_expansive, prm.z_limited]])
    p = np.array([prm.p0, prm.p0 + prm.delta])[None, :].repeat(2, axis=0)
    cost = np.array([prm.war_cost_lead, prm.war_cost_lead * (1 - prm.burden_share)])[None, :].repeat(2, axis=0)
    fights = p * v - cost >= -_TOL
    return v, z, p, cost, fights


def payoffs(prm: RestraintParams) -> tuple[np.ndarray, np.ndarray]:
    """Lead and target payoffs indexed ``[type, message, action]`` (action 0 concede, 1 resist)."""
    v, z, p, cost, fights = _tables(prm)
    lead = np.empty((2, 2, 2))
    target = np.empty((2, 2, 2))
    lead[:, :, 0] = v
    target[:, :, 0] = -z
    lead[:, :, 1] = np.where(fights, p * v - cost, 0.0)
    target[:, :, 1] = np.where(fights, -p * z - prm.war_cost_target, 0.0)
    lead[:, 1, :] -= prm.coalition_cost
    return lead, target


def _belief_interval(gain_expansive: float, gain_limited: float, action: int) -> tuple[float, float] | None:
    """Beliefs mu in [0, 1] at which ``action`` is optimal; gains are resist-minus-concede by type."""
    # resist - concede at belief mu: (1 - mu) gl + mu ge, linear in mu
    def ok(mu: float) -> bool:
        d = (1 - mu) * gain_limited + mu * gain_expansive
        return d >= -_TOL if action == 1 else d <= _TOL

    slope = gain_expansive - gain_limited
    if abs(slope) < _TOL:
        return (0.0, 1.0) if ok(0.0) else None
    root = -gain_limited / slope  # where the target is indifferent
    candidates = [0.0, 1.0] + ([root] if 0 < root < 1 else [])
    good = [mu for mu in candidates if ok(mu)]
    if not good:
        return None
    return (min(good), max(good))


def solve_restraint_known_cost(params: RestraintParams) -> list[Equilibrium]:
    """All pure perfect Bayesian equilibria of the known-cost restraint game (the project's reduced form).

    The target's cost of war is known, so the war probability of a pure equilibrium is 0, ``q``,
    ``1 - q`` or 1 by construction; :func:`solve_restraint_private_cost` is the version with the
    target's private cost. ``solve_restraint`` is this function under its earlier name.

    Parameters
    ----------
    params
        The game's parameters.

    Returns
    -------
    list of Equilibrium
        Every pure PBE (a game always has at least a mixed one; this list can be empty).

    Examples
    --------
    >>> prm = RestraintParams(q=0.5, p0=0.5, delta=0.1, v_limited=1, v_expansive=3, z_limited=0.3,
    ...                       z_expansive=3, war_cost_lead=0.2, war_cost_target=0.5, coalition_cost=0.01)
    >>> [(e.kind, e.lead["limited"], e.war_probability) for e in solve_restraint_known_cost(prm)]
    [('separating', 'coalition', 0.5)]
    """
    lead, target = payoffs(params)
    prior = np.array([1 - params.q, params.q])
    _, _, _, _, fights = _tables(params)
    found = []
    for msgs in itertools.product((0, 1), repeat=2):
        for acts in itertools.product((0, 1), repeat=2):
            # the lead: each type's choice is a best response to the target's actions
            if any(lead[t, msgs[t], acts[msgs[t]]] < lead[t, 1 - msgs[t], acts[1 - msgs[t]]] - _TOL for t in (0, 1)):
                continue
            belief: dict[str, float | None] = {}
            ranges: dict[str, tuple[float, float]] = {}
            ok = True
            for m in (0, 1):
                gains = target[:, m, 1] - target[:, m, 0]
                interval = _belief_interval(gains[1], gains[0], acts[m])
                senders = [t for t in (0, 1) if msgs[t] == m]
                if senders:  # on the path: Bayes' rule
                    mu = float(prior[1] * (1 in senders) / prior[senders].sum())
                    if interval is None or not (interval[0] - _TOL <= mu <= interval[1] + _TOL):
                        ok = False
                        break
                    belief[MESSAGES[m]] = mu
                    ranges[MESSAGES[m]] = (mu, mu)
                else:  # off the path: some belief must support the action
                    if interval is None:
                        ok = False
                        break
                    belief[MESSAGES[m]] = None
                    ranges[MESSAGES[m]] = interval
            if not ok:
                continue
            war = sum(prior[t] * (acts[msgs[t]] == 1) * fights[t, msgs[t]] for t in (0, 1))
            kind = "separating" if msgs[0] != msgs[1] else f"pooling ({MESSAGES[msgs[0]]})"
            found.append(Equilibrium(
                lead={TYPES[t]: MESSAGES[msgs[t]] for t in (0, 1)},
                target={MESSAGES[m]: ACTIONS[acts[m]] for m in (0, 1)},
                belief=belief, belief_range=ranges, kind=kind, war_probability=float(war),
                coalition_probability=float(sum(prior[t] * msgs[t] for t in (0, 1)))))
    return found


def war_probability_alone(params: RestraintParams) -> tuple[float, float]:
    """Lowest and highest equilibrium probability of war when no partner is available (known-cost version)."""
    _, target = payoffs(params)
    _, _, _, _, fights = _tables(params)
    prior = np.array([1 - params.q, params.q])
    gain = float(prior @ (target[:, 0, 1] - target[:, 0, 0]))  # resist minus concede at the prior
    war_if_resist = float(prior @ fights[:, 0])
    options = [war_if_resist] if gain > _TOL else [0.0] if gain < -_TOL else [0.0, war_if_resist]
    return min(options), max(options)


def war_probability_effect_known_cost(params: RestraintParams) -> pd.DataFrame:
    """The partner's effect on the probability of war, one row per pure equilibrium (known-cost version).

    ``war_probability_effect`` is this function under its earlier name; the frame's
    ``attrs["model"]`` says which version produced it.

    Returns
    -------
    pandas.DataFrame
        ``kind, limited, expansive, after_alone, after_coalition, war_probability,
        war_probability_no_partner_low, war_probability_no_partner_high, effect`` where ``effect`` is
        ``"raises"``, ``"lowers"`` or ``"none"`` against every equilibrium of the game without a partner
        (``"ambiguous"`` when the baseline has equilibria on both sides).
    """
    low, high = war_probability_alone(params)
    rows = []
    for eq in solve_restraint_known_cost(params):
        w = eq.war_probability
        effect = ("raises" if w > high + _TOL else "lowers" if w < low - _TOL
                  else "none" if abs(w - low) <= _TOL and abs(w - high) <= _TOL else "ambiguous")
        rows.append({"kind": eq.kind, "limited": eq.lead["limited"], "expansive": eq.lead["expansive"],
                     "after_alone": eq.target["alone"], "after_coalition": eq.target["coalition"],
                     "war_probability": w, "war_probability_no_partner_low": low,
                     "war_probability_no_partner_high": high, "effect": effect})
    out = pd.DataFrame(rows, columns=["kind", "limited", "expansive", "after_alone", "after_coalition",
                                      "war_probability", "war_probability_no_partner_low",
                                      "war_probability_no_partner_high", "effect"])
    out.attrs = {"model": "restraint_known_cost", "label": KNOWN_COST_LABEL}
    return out


def war_effect_regions_known_cost(params: RestraintParams, *, x: str, x_values, y: str,
                                  y_values) -> pd.DataFrame:
    """Map the partner's effect on war over a grid of two parameters (known-cost version).

    ``war_effect_regions`` is this function under its earlier name.

    Parameters
    ----------
    params
        Base parameters; ``x`` and ``y`` are replaced by the grid values (each point is validated).
    x, y
        Names of two :class:`RestraintParams` fields.
    x_values, y_values
        Grid values.

    Returns
    -------
    pandas.DataFrame
        One row per grid point: ``x, y, n_equilibria, war_min, war_max, war_no_partner_low,
        war_no_partner_high, effect`` (``"raises"`` / ``"lowers"`` when every equilibrium agrees,
        ``"mixed"`` when they differ, ``"none"``, or ``"no pure equilibrium"``).
    """
    rows = []
    for xv in x_values:
        for yv in y_values:
            prm = RestraintParams(**{**params.model_dump(), x: float(xv), y: float(yv)})
            eff = war_probability_effect_known_cost(prm)
            low, high = war_probability_alone(prm)
            if eff.empty:
                label = "no pure equilibrium"
            else:
                kinds = set(eff["effect"])
                label = kinds.pop() if len(kinds) == 1 else "mixed"
            rows.append({x: float(xv), y: float(yv), "n_equilibria": len(eff),
                         "war_min": float(eff["war_probability"].min()) if len(eff) else np.nan,
                         "war_max": float(eff["war_probability"].max()) if len(eff) else np.nan,
                         "war_no_partner_low": low, "war_no_partner_high": high, "effect": label})
    out = pd.DataFrame(rows)
    out.attrs = {"model": "restraint_known_cost", "label": KNOWN_COST_LABEL}
    return out


def normal_form(params: RestraintParams) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]], list[tuple[int, int]]]:
    """The game's normal form: lead strategies (choice of each type) x target strategies (action per choice).

    Returns the lead's and the target's expected payoff matrices and the strategy labels, for an
    independent solver (e.g. ``nashpy``) to check against.
    """
    lead, target = payoffs(params)
    prior = np.array([1 - params.q, params.q])
    lead_strats = list(itertools.product((0, 1), repeat=2))
    target_strats = list(itertools.product((0, 1), repeat=2))
    a = np.zeros((4, 4))
    b = np.zeros((4, 4))
    for i, msgs in enumerate(lead_strats):
        for j, acts in enumerate(target_strats):
            a[i, j] = sum(prior[t] * lead[t, msgs[t], acts[msgs[t]]] for t in (0, 1))
            b[i, j] = sum(prior[t] * target[t, msgs[t], acts[msgs[t]]] for t in (0, 1))
    return a, b, lead_strats, target_strats



# ----------------------------------------------------------------------------------------------
# private-cost version: the target's cost of war is its private information

FiniteNonNegative = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
OPTIONS = ("alone", "coalition")
PRIVATE_COST_LABEL = ("restraint, private-cost version: the project's construction after Wolford 2014, not his "
                      "exact model (the target's cost of war is private; the lead screens with its demand)")
REGIMES = ("no credible threat", "safe demand", "risky demand", "capped by the partner")


class RestraintPrivateCostParams(_Params):
    """Parameters of the private-cost restraint model (after Wolford 2014; not his exact model).

    The target's cost of war is uniform on ``[cost_low, cost_high]`` (give both), or discrete with
    support ``cost_points`` and probabilities ``cost_probs`` (give both instead). Payoffs are shares of
    a good worth 1 that the target holds.

    Attributes
    ----------
    p0 : float
        The lead's win probability alone.
    delta : float
        What the partner adds to the win probability (``p0 + delta <= 1``).
    war_cost_lead : float
        The lead's cost of war alone (>= 0, in units of the good).
    burden_share : float
        Share of the lead's war cost the partner carries, in [0, 1] (resolve).
    coalition_cost : float
        The lead's cost of assembling the coalition (>= 0).
    demand_cap : float
        The most the coalition may demand, in [0, 1]: the partner joins only a limited campaign
        (restraint). Acting alone the lead may demand the whole good.
    cost_low, cost_high : float
        Support of the uniform prior of the target's cost (``0 <= cost_low < cost_high``, finite).
    cost_points, cost_probs : tuple of float
        A discrete prior instead: cost values (>= 0, finite) and their probabilities (summing to 1).

    Examples
    --------
    >>> RestraintPrivateCostParams(p0=0.4, war_cost_lead=0.1, cost_low=0.0, cost_high=0.5).demand_cap
    1.0
    """

    p0: Probability
    delta: Probability = 0.0
    war_cost_lead: FiniteNonNegative
    burden_share: Probability = 0.0
    coalition_cost: FiniteNonNegative = 0.0
    demand_cap: Probability = 1.0
    cost_low: FiniteNonNegative | None = None
    cost_high: FiniteNonNegative | None = None
    cost_points: tuple[FiniteNonNegative, ...] | None = None
    cost_probs: tuple[Probability, ...] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> RestraintPrivateCostParams:
        if self.p0 + self.delta > 1.0 + 1e-12:
            raise ValueError(f"delta: p0 + delta = {self.p0 + self.delta:g} exceeds 1")
        uniform = (self.cost_low, self.cost_high)
        discrete = (self.cost_points, self.cost_probs)
        if any(v is not None for v in uniform) and any(v is not None for v in discrete):
            raise ValueError("cost_low: give either cost_low/cost_high (uniform) or cost_points/cost_probs "
                             "(discrete), not both")
        if any(v is not None for v in discrete):
            if self.cost_points is None or self.cost_probs is None:
                raise ValueError("cost_points: a discrete cost prior needs both cost_points and cost_probs")
            if len(self.cost_points) == 0 or len(self.cost_points) != len(self.cost_probs):
                raise ValueError(f"cost_probs: need one probability per cost point; got {len(self.cost_points)} "
                                 f"points and {len(self.cost_probs)} probabilities")
            if abs(sum(self.cost_probs) - 1.0) > 1e-9:
                raise ValueError(f"cost_probs: must sum to 1, got {sum(self.cost_probs):g}")
            return self
        if self.cost_low is None or self.cost_high is None:
            raise ValueError("cost_low: give the target's cost prior: cost_low and cost_high (uniform), or "
                             "cost_points and cost_probs (discrete)")
        if not self.cost_high > self.cost_low:
            raise ValueError(f"cost_high: must exceed cost_low ({self.cost_high:g} <= {self.cost_low:g}); "
                             "for a known cost use solve_restraint_known_cost or a one-point discrete prior")
        return self

    @property
    def is_uniform(self) -> bool:
        """Whether the target's cost prior is the uniform one."""
        return self.cost_points is None


def _fight_probability(prm: RestraintPrivateCostParams, cutoff: float) -> float:
    """P(cost < cutoff): the share of target types that fight a demand with this cutoff."""
    if prm.is_uniform:
        return float(np.clip((cutoff - prm.cost_low) / (prm.cost_high - prm.cost_low), 0.0, 1.0))
    c, w = np.asarray(prm.cost_points), np.asarray(prm.cost_probs)
    return float(w[c < cutoff - _TOL].sum())  # a target indifferent between a deal and war accepts


def _best_demand(prm: RestraintPrivateCostParams, p: float, value: float, cap: float) -> float:
    """The lead's optimal demand in [0, cap] against a target whose cost has the prior of ``prm``."""
    if prm.is_uniform:
        # U(x) = x (1 - F(x - p)) + F(x - p) value is increasing below p + cost_low, concave on
        # [p + cost_low, p + cost_high] with stationary point p + (cost_high - (p - value)) / 2, constant above
        return float(min(cap, p + max(prm.cost_low, (prm.cost_high - (p - value)) / 2.0)))
    # discrete: U rises with slope P(accept) between the demands p + c_i that leave type i indifferent,
    # and drops just above each; the maximum is at one of those demands or at the cap
    cands = sorted({float(cap)} | {p + c for c in prm.cost_points if p + c <= cap})
    best, key = cands[0], None
    for x in cands:
        f = _fight_probability(prm, x - p)
        u = x * (1 - f) + f * value
        k = (-u, f, x)  # highest payoff; ties to the lower war probability, then the lower demand
        if key is None or (k[0] < key[0] - _TOL) or (abs(k[0] - key[0]) <= _TOL and k[1:] < key[1:]):
            best, key = x, k
    return float(best)


def _private_cost_option(prm: RestraintPrivateCostParams, coalition: bool) -> dict:
    p = prm.p0 + (prm.delta if coalition else 0.0)
    k = prm.war_cost_lead * ((1.0 - prm.burden_share) if coalition else 1.0)
    cap = prm.demand_cap if coalition else 1.0
    value = p - k  # the lead's expected payoff of war
    row = {"option": OPTIONS[coalition], "win_probability": p, "lead_war_cost": k, "lead_war_value": value,
           "credible": value >= -_TOL, "demand_cap": cap}
    if value < -_TOL:
        # the lead would back down if refused: every type refuses any positive demand, no war
        row |= {"demand": 0.0, "cutoff": np.nan, "war_probability": 0.0, "lead_payoff": 0.0,
                "regime": "no credible threat"}
    else:
        x = _best_demand(prm, p, value, cap)
        free = _best_demand(prm, p, value, 1.0)
        war = _fight_probability(prm, x - p)
        regime = ("capped by the partner" if coalition and free > cap + _TOL
                  else "risky demand" if war > _TOL else "safe demand")
        row |= {"demand": x, "cutoff": x - p, "war_probability": war, "lead_payoff": x * (1 - war) + war * value,
                "regime": regime}
    row["coalition_cost"] = prm.coalition_cost if coalition else 0.0
    row["net_payoff"] = row["lead_payoff"] - row["coalition_cost"]
    return row


@dataclass(frozen=True)
class PrivateCostEquilibrium:
    """The equilibrium of the private-cost restraint model (after Wolford 2014; not his exact model).

    Attributes
    ----------
    choice : str
        ``"alone"`` or ``"coalition"``: what the lead does.
    demand : float
        The lead's demand (share of the good).
    cutoff : float
        The target fights iff its cost is below ``cutoff = demand - win probability`` (NaN when the
        lead's threat is not credible and every type refuses).
    war_probability : float
        Probability of war in equilibrium.
    war_probability_no_partner : float
        Probability of war when no partner is available (the ``alone`` option).
    effect : str
        ``"raises"``, ``"lowers"`` or ``"none"``: the partner's effect on the probability of war.
    regime : str
        The equilibrium's type for the chosen option: one of ``REGIMES``.
    options : pandas.DataFrame
        One row per option (``alone``, ``coalition``) with its demand, cutoff, war probability,
        payoffs and regime.
    model : str
        ``"restraint_private_cost"``.
    """

    choice: str
    demand: float
    cutoff: float
    war_probability: float
    war_probability_no_partner: float
    effect: str
    regime: str
    options: pd.DataFrame
    model: str = "restraint_private_cost"


def solve_restraint_private_cost(params: RestraintPrivateCostParams) -> PrivateCostEquilibrium:
    """Equilibrium of the restraint model with the target's private cost of war (after Wolford 2014).

    Not Wolford's exact model: the project's construction (see the module docstring). The lead acts
    alone (win probability ``p0``, war cost ``k0 = war_cost_lead``, demand at most 1) or with the
    partner (``p1 = p0 + delta``, ``k1 = k0 (1 - burden_share)``, demand at most ``demand_cap``, minus
    ``coalition_cost``). It demands ``x``; the target with cost ``c`` accepts iff
    ``1 - x >= 1 - p - c``, so it fights iff ``c < x - p`` (the cutoff). If refused, the lead fights iff
    ``p - k >= 0``; otherwise its threat is not credible, every type refuses and nobody fights. With a
    credible threat the lead maximises ``U(x) = x (1 - F(x - p)) + F(x - p) (p - k)``, which for the
    uniform prior on ``[a, b]`` gives

    ``x* = min(cap, p + max(a, (b - k) / 2))``, ``war = F(x* - p) = clip((x* - p - a) / (b - a), 0, 1)``;

    for a discrete prior the maximum is at a demand that leaves one type indifferent, or at the cap.
    The lead builds the coalition iff its net payoff is strictly higher (ties: alone). This is a
    perfect Bayesian equilibrium: the uninformed lead moves first with the prior as its belief, and
    the target's best reply is the cutoff rule.

    Parameters
    ----------
    params
        The model's parameters.

    Returns
    -------
    PrivateCostEquilibrium

    Examples
    --------
    >>> prm = RestraintPrivateCostParams(p0=0.4, war_cost_lead=0.1, cost_low=0.0, cost_high=0.5)
    >>> eq = solve_restraint_private_cost(prm)  # no partner worth having: delta = 0
    >>> eq.choice, round(eq.demand, 4), round(eq.cutoff, 4), round(eq.war_probability, 4), eq.regime
    ('alone', 0.6, 0.2, 0.4, 'risky demand')
    """
    rows = [_private_cost_option(params, c) for c in (False, True)]
    options = pd.DataFrame(rows)
    options.attrs = {"model": "restraint_private_cost", "label": PRIVATE_COST_LABEL}
    pick = rows[1] if rows[1]["net_payoff"] > rows[0]["net_payoff"] + _TOL else rows[0]
    base = rows[0]["war_probability"]
    war = pick["war_probability"]
    effect = "raises" if war > base + _TOL else "lowers" if war < base - _TOL else "none"
    return PrivateCostEquilibrium(choice=pick["option"], demand=float(pick["demand"]), cutoff=float(pick["cutoff"]),
                                  war_probability=float(war), war_probability_no_partner=float(base),
                                  effect=effect, regime=pick["regime"], options=options)


def war_probability_effect_private_cost(params: RestraintPrivateCostParams) -> pd.DataFrame:
    """The partner's effect on the probability of war in the private-cost version, as a one-row frame.

    Returns
    -------
    pandas.DataFrame
        ``choice, regime, demand, cutoff, war_probability, war_probability_no_partner, effect``;
        ``attrs["model"]`` is ``"restraint_private_cost"``.

    Examples
    --------
    >>> prm = RestraintPrivateCostParams(p0=0.3, delta=0.2, war_cost_lead=0.4, burden_share=0.5,
    ...                                  coalition_cost=0.02, demand_cap=0.8, cost_low=0.0, cost_high=0.5)
    >>> war_probability_effect_private_cost(prm)[["choice", "war_probability", "effect"]].round(4)
          choice  war_probability  effect
    0  coalition              0.3  raises
    """
    eq = solve_restraint_private_cost(params)
    out = pd.DataFrame([{"choice": eq.choice, "regime": eq.regime, "demand": eq.demand, "cutoff": eq.cutoff,
                         "war_probability": eq.war_probability,
                         "war_probability_no_partner": eq.war_probability_no_partner, "effect": eq.effect}])
    out.attrs = {"model": "restraint_private_cost", "label": PRIVATE_COST_LABEL}
    return out


def war_effect_regions_private_cost(params: RestraintPrivateCostParams, *, x: str, x_values, y: str,
                                    y_values) -> pd.DataFrame:
    """Map the partner's effect on war over a grid of two parameters (private-cost version).

    Parameters
    ----------
    params
        Base parameters; ``x`` and ``y`` are replaced by the grid values (each point is validated).
    x, y
        Names of two :class:`RestraintPrivateCostParams` fields.
    x_values, y_values
        Grid values.

    Returns
    -------
    pandas.DataFrame
        One row per grid point: ``x, y, choice, regime, war_probability, war_probability_no_partner,
        effect``.
    """
    fields = set(RestraintPrivateCostParams.model_fields)
    for name in (x, y):
        if name not in fields:
            raise UnknownOptionError(f"unknown parameter {name!r}; choose from {sorted(fields)}")
    rows = []
    for xv in x_values:
        for yv in y_values:
            prm = RestraintPrivateCostParams(**{**params.model_dump(), x: float(xv), y: float(yv)})
            eq = solve_restraint_private_cost(prm)
            rows.append({x: float(xv), y: float(yv), "choice": eq.choice, "regime": eq.regime,
                         "war_probability": eq.war_probability,
                         "war_probability_no_partner": eq.war_probability_no_partner, "effect": eq.effect})
    out = pd.DataFrame(rows)
    out.attrs = {"model": "restraint_private_cost", "label": PRIVATE_COST_LABEL}
    return out


# earlier names of the known-cost version, kept working
solve_restraint = solve_restraint_known_cost
war_probability_effect = war_probability_effect_known_cost
war_effect_regions = war_effect_regions_known_cost
