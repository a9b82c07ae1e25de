"""Model 3: restraint vs resolve -- what a coalition partner tells the target (after Wolford 2014).

Nature draws the lead's aims: ``limited`` (prior ``1 - q``) or ``expansive`` (prior ``q``). The lead
either acts ``alone`` or builds a ``coalition``; the partner joins only a limited campaign, so with a
coalition the lead's aims are capped at the limited ones (the expansive type gives up
``v_expansive - v_limited``) and it pays ``coalition_cost``. The target sees the choice, updates its
belief that the aims are expansive, and concedes or resists. If it resists, the lead fights iff
war pays, ``p_m v - cost_m >= 0`` with ``p_alone = p0``, ``p_coalition = p0 + delta`` and the war cost
reduced by the partner's ``burden_share``; otherwise it backs down (payoff 0 for both).

Payoffs (type ``t``, choice ``m``): concession -> lead ``v(t, m)``, target ``-z(t, m)``; war -> lead
``p_m v(t, m) - cost_m``, target ``-p_m z(t, m) - war_cost_target``; minus ``coalition_cost`` for
the lead when it built a coalition.

The partner has two effects. *Restraint*: a coalition caps the aims, so the target's stake falls
and it concedes more readily; and when only limited types build coalitions, acting alone reveals
expansive aims. *Resolve*: the partner raises the win probability and carries part of the cost, so a
lead that would have backed down now fights -- if the target still resists, a crisis that would
have ended with the lead backing down becomes a war. :func:`solve_restraint` finds every pure
perfect Bayesian equilibrium (separating and pooling, with off-path beliefs that support them);
:func:`war_probability_effect` compares the probability of war with the option of a partner to
the game without one, and :func:`war_effect_regions` maps where the partner raises or lowers it.

References
----------
Wolford, S. (2014). Showing restraint, signaling resolve: Coalitions, cooperation, and crisis
bargaining. *American Journal of Political Science* 58(1), 144-156.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coalitionlab.bargaining.params import RestraintParams

TYPES = ("limited", "expansive")
MESSAGES = ("alone", "coalition")
ACTIONS = ("concede", "resist")
_TOL = 1e-12


@dataclass(frozen=True)
class Equilibrium:
    """One pure perfect Bayesian equilibrium.

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
    """

    lead: dict[str, str]
    target: dict[str, str]
    belief: dict[str, float | None]
    belief_range: dict[str, tuple[float, float]]
    kind: str
    war_probability: float
    coalition_probability: float


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


def solve_restraint(params: RestraintParams) -> list[Equilibrium]:
    """All pure perfect Bayesian equilibria of the restraint-vs-resolve game.

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
    >>> [(e.kind, e.lead["limited"], e.war_probability) for e in solve_restraint(prm)]
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
    """Lowest and highest equilibrium probability of war when no partner is available."""
    _, target = payoffs(params)
    _, _, _, _, fights = _tables(params)
    prior = np.array([1 - params.q, params.q])
    gain = float(prior @ (target[:, 0, 1] - target[:, 0, 0]))  # resist minus concede at the prior
    war_if_resist = float(prior @ fights[:, 0])
    options = [war_if_resist] if gain > _TOL else [0.0] if gain < -_TOL else [0.0, war_if_resist]
    return min(options), max(options)


def war_probability_effect(params: RestraintParams) -> pd.DataFrame:
    """The partner's effect on the probability of war, one row per pure equilibrium.

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
    for eq in solve_restraint(params):
        w = eq.war_probability
        effect = ("raises" if w > high + _TOL else "lowers" if w < low - _TOL
                  else "none" if abs(w - low) <= _TOL and abs(w - high) <= _TOL else "ambiguous")
        rows.append({"kind": eq.kind, "limited": eq.lead["limited"], "expansive": eq.lead["expansive"],
                     "after_alone": eq.target["alone"], "after_coalition": eq.target["coalition"],
                     "war_probability": w, "war_probability_no_partner_low": low,
                     "war_probability_no_partner_high": high, "effect": effect})
    return pd.DataFrame(rows, columns=["kind", "limited", "expansive", "after_alone", "after_coalition",
                                       "war_probability", "war_probability_no_partner_low",
                                       "war_probability_no_partner_high", "effect"])


def war_effect_regions(params: RestraintParams, *, x: str, x_values, y: str, y_values) -> pd.DataFrame:
    """Map the partner's effect on war over a grid of two parameters.

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
            eff = war_probability_effect(prm)
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
    return pd.DataFrame(rows)


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
