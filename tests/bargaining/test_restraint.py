"""Model 3 (restraint vs resolve): pure PBE, cross-checked with nashpy; regions where war rises or falls."""

from __future__ import annotations

import itertools

import nashpy
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from coalitionlab.bargaining import RestraintParams, solve_restraint, war_effect_regions, war_probability_effect
from coalitionlab.bargaining.restraint import MESSAGES, normal_form

SEPARATING = dict(q=0.5, p0=0.5, delta=0.1, v_limited=1, v_expansive=3, z_limited=0.3, z_expansive=3,
                  war_cost_lead=0.2, war_cost_target=0.5, coalition_cost=0.01)
REGIONS = dict(q=0.3, p0=0.3, delta=0.3, v_limited=1, v_expansive=3, z_limited=1, z_expansive=3,
               war_cost_lead=0.4, war_cost_target=0.2, coalition_cost=0.02, burden_share=0.3)


def test_separating_equilibrium_by_hand() -> None:
    (eq,) = solve_restraint(RestraintParams(**SEPARATING))
    # the expansive type keeps its aims and fights alone; the limited type signals restraint
    assert eq.kind == "separating"
    assert eq.lead == {"limited": "coalition", "expansive": "alone"}
    assert eq.target == {"alone": "resist", "coalition": "concede"}
    assert eq.belief == {"alone": 1.0, "coalition": 0.0}
    assert eq.war_probability == pytest.approx(0.5)


def test_partner_raises_war_where_it_makes_a_bluffing_lead_fight() -> None:
    # limited type: alone it backs down (0.3*1 < 0.4); with the partner it fights (0.5 - 0.28 > 0) and
    # the target still resists a limited coalition ((1 - 0.5) * 1 > 0.2)
    eff = war_probability_effect(RestraintParams(**{**REGIONS, "delta": 0.2}))
    assert len(eff) > 0 and set(eff["effect"]) == {"raises"}


def test_partner_lowers_war_where_it_makes_the_target_concede() -> None:
    eff = war_probability_effect(RestraintParams(**{**REGIONS, "delta": 0.6}))
    assert len(eff) > 0 and set(eff["effect"]) == {"lowers"}


def test_region_map_has_both_regions() -> None:
    grid = war_effect_regions(RestraintParams(**REGIONS), x="q", x_values=np.linspace(0.05, 0.95, 4),
                              y="delta", y_values=np.linspace(0.05, 0.65, 7))
    assert {"raises", "lowers"} <= set(grid["effect"])
    assert len(grid) == 28


def _eighths(lo: int, hi: int) -> st.SearchStrategy[float]:
    # dyadic values: every payoff is computed exactly in floating point, so ties are exact ties for
    # both solvers (nashpy compares without tolerance)
    return st.integers(lo, hi).map(lambda k: k / 8)


params = st.builds(
    lambda q, p0, frac, vl, vx, zl, zx, cl, beta, k, ct: RestraintParams(
        q=q, p0=p0, delta=frac * (1 - p0), v_limited=vl, v_expansive=vl + vx, z_limited=zl,
        z_expansive=zl + zx, war_cost_lead=cl, burden_share=beta, coalition_cost=k, war_cost_target=ct),
    _eighths(1, 7), _eighths(0, 8), _eighths(0, 8), _eighths(0, 16), _eighths(0, 16), _eighths(0, 16),
    _eighths(0, 16), _eighths(0, 8), _eighths(0, 8), _eighths(0, 2), _eighths(0, 8))


def _pure_nash(a: np.ndarray, b: np.ndarray) -> set[tuple[int, int]]:
    game = nashpy.Game(a, b)
    eye = np.eye(4)
    return {(i, j) for i, j in itertools.product(range(4), range(4)) if all(game.is_best_response(eye[i], eye[j]))}


@settings(max_examples=150, deadline=None)
@given(params)
def test_every_pbe_is_a_nash_equilibrium_of_the_normal_form(prm: RestraintParams) -> None:
    a, b, lead_strats, target_strats = normal_form(prm)
    nash = _pure_nash(a, b)
    found = set()
    for eq in solve_restraint(prm):
        i = lead_strats.index(tuple(MESSAGES.index(eq.lead[t]) for t in ("limited", "expansive")))
        j = target_strats.index(tuple(("concede", "resist").index(eq.target[m]) for m in MESSAGES))
        assert (i, j) in nash
        found.add((i, j))
    # with both choices on the path, Nash and PBE coincide: no separating Nash equilibrium is missed
    separating = {(i, j) for i, j in nash if lead_strats[i][0] != lead_strats[i][1]}
    assert separating <= found


@settings(max_examples=150, deadline=None)
@given(params)
def test_equilibria_are_consistent(prm: RestraintParams) -> None:
    for eq in solve_restraint(prm):
        assert 0 <= eq.war_probability <= 1
        for m in MESSAGES:
            senders = [t for t in ("limited", "expansive") if eq.lead[t] == m]
            if senders == ["limited"]:
                assert eq.belief[m] == 0.0
            elif senders == ["expansive"]:
                assert eq.belief[m] == 1.0
            elif len(senders) == 2:
                assert eq.belief[m] == pytest.approx(prm.q)
            else:
                lo, hi = eq.belief_range[m]
                assert 0 <= lo <= hi <= 1


def test_bad_input() -> None:
    with pytest.raises(ValidationError, match="q"):
        RestraintParams(**{**SEPARATING, "q": 1.0})
    with pytest.raises(ValidationError, match="v_limited"):
        RestraintParams(**{**SEPARATING, "v_limited": 5})
    with pytest.raises(ValidationError, match="war_cost_target"):
        RestraintParams(**{**SEPARATING, "war_cost_target": -1})
