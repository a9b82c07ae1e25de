"""Model 3 (restraint vs resolve).

Known-cost version (the project's reduced form): pure PBE cross-checked with nashpy; regions where war
rises or falls. Private-cost version (the target's cost of war is private): the closed form against a
brute-force enumeration of demands, a hand-computed case, a simulation of the target's cost, and the
boundaries where the equilibrium changes type.
"""

from __future__ import annotations

import itertools

import nashpy
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from coalitionlab.bargaining import RestraintParams, solve_restraint, war_effect_regions, war_probability_effect
from coalitionlab.bargaining.restraint import (
    MESSAGES,
    RestraintPrivateCostParams,
    normal_form,
    solve_restraint_known_cost,
    solve_restraint_private_cost,
    war_effect_regions_known_cost,
    war_effect_regions_private_cost,
    war_probability_effect_known_cost,
    war_probability_effect_private_cost,
)
from coalitionlab.errors import UnknownOptionError

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



# ------------------------------------------------------------------------------------------------
# labels: the known-cost solver is the project's reduced form, and says so in its output


def test_known_cost_version_is_labelled_and_old_names_still_work() -> None:
    assert solve_restraint is solve_restraint_known_cost
    assert war_probability_effect is war_probability_effect_known_cost
    assert war_effect_regions is war_effect_regions_known_cost
    (eq,) = solve_restraint_known_cost(RestraintParams(**SEPARATING))
    assert eq.model == "restraint_known_cost"
    eff = war_probability_effect_known_cost(RestraintParams(**REGIONS))
    assert eff.attrs["model"] == "restraint_known_cost" and "not his exact model" in eff.attrs["label"]


# ------------------------------------------------------------------------------------------------
# private-cost version

BASE = dict(p0=0.4, delta=0.2, war_cost_lead=0.1, burden_share=0.5, coalition_cost=0.02, demand_cap=0.55,
            cost_low=0.0, cost_high=0.5)


def _uniform_oracle(p: float, k: float, cap: float, a: float, b: float, n: int = 200_001) -> tuple[float, float, float]:
    """Best demand, war probability and payoff by enumerating demands on a grid (from the payoffs alone)."""
    value = p - k
    if value < 0:
        return 0.0, 0.0, 0.0
    x = np.linspace(0.0, cap, n)
    fight = np.clip((x - p - a) / (b - a), 0.0, 1.0)
    u = x * (1 - fight) + fight * value
    i = int(np.argmax(u))
    return float(x[i]), float(fight[i]), float(u[i])


def test_private_cost_hand_computed_case() -> None:
    # alone: p = .4, k = .1, cost ~ U[0, .5]. On [.4, .9], U(x) = x (1 - 2(x - .4)) + 2(x - .4) .3,
    # U'(x) = 1 - 4x + .8 + .6 = 0 -> x = .6; cutoff .2, war .2/.5 = .4, payoff .6 * .6 + .4 * .3 = .48.
    # coalition: p = .6, k = .05, the free optimum .6 + .225 = .825 exceeds the cap .55: demand .55,
    # cutoff -.05, nobody fights, payoff .55 - .02 = .53 > .48: the partner's restraint lowers war.
    eq = solve_restraint_private_cost(RestraintPrivateCostParams(**BASE))
    alone, coal = eq.options.iloc[0], eq.options.iloc[1]
    assert (alone["demand"], alone["cutoff"], alone["war_probability"], alone["lead_payoff"]) == pytest.approx(
        (0.6, 0.2, 0.4, 0.48))
    assert (coal["demand"], coal["war_probability"], coal["net_payoff"]) == pytest.approx((0.55, 0.0, 0.53))
    assert coal["regime"] == "capped by the partner" and alone["regime"] == "risky demand"
    assert (eq.choice, eq.effect) == ("coalition", "lowers")
    assert eq.model == "restraint_private_cost" and eq.options.attrs["model"] == "restraint_private_cost"


def test_private_cost_resolve_raises_war() -> None:
    # alone p0 = .3 < k = .4: the threat is not credible, nobody fights. With the partner p = .5,
    # k = .2: demand .5 + (.5 - .2)/2 = .65 (below the cap .8), cutoff .15, war .3; payoff
    # .65 * .7 + .3 * .3 - .02 = .525 > 0
    prm = RestraintPrivateCostParams(p0=0.3, delta=0.2, war_cost_lead=0.4, burden_share=0.5, coalition_cost=0.02,
                                     demand_cap=0.8, cost_low=0.0, cost_high=0.5)
    eq = solve_restraint_private_cost(prm)
    assert eq.options.iloc[0]["regime"] == "no credible threat"
    assert (eq.choice, eq.demand, eq.cutoff, eq.war_probability) == ("coalition", pytest.approx(0.65),
                                                                     pytest.approx(0.15), pytest.approx(0.3))
    assert eq.effect == "raises"
    assert eq.options.iloc[1]["net_payoff"] == pytest.approx(0.525)


def test_private_cost_war_probability_varies_continuously() -> None:
    # the issue with the known-cost version: war could only be 0, q, 1 - q or 1
    wars = [solve_restraint_private_cost(RestraintPrivateCostParams(**{**BASE, "war_cost_lead": k}))
            .war_probability_no_partner for k in np.linspace(0.0, 0.3, 13)]
    # risky regime: war = ((b - k)/2 - a)/(b - a) = (.25 - k/2)/.5 = .5 - k
    assert wars == pytest.approx(list(0.5 - np.linspace(0.0, 0.3, 13)))
    assert len(set(np.round(wars, 9))) == 13


@settings(max_examples=150, deadline=None)
@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 0.6), st.floats(0, 1), st.floats(0, 1),
       st.floats(0, 0.8), st.floats(0.02, 1))
def test_private_cost_uniform_matches_grid_enumeration(p0: float, frac: float, k: float, beta: float, cap: float,
                                                       a: float, width: float) -> None:
    prm = RestraintPrivateCostParams(p0=p0, delta=frac * (1 - p0), war_cost_lead=k, burden_share=beta,
                                     demand_cap=cap, cost_low=a, cost_high=a + width)
    eq = solve_restraint_private_cost(prm)
    for row, coalition in zip(eq.options.itertuples(), (False, True), strict=True):
        p = p0 + (prm.delta if coalition else 0.0)
        kk = k * (1 - beta if coalition else 1.0)
        x, war, u = _uniform_oracle(p, kk, cap if coalition else 1.0, a, a + width)
        if abs(p - kk) < 1e-9:
            continue  # at the credibility boundary (tested below)
        step = (cap if coalition else 1.0) / 200_000
        assert row.lead_payoff == pytest.approx(u, abs=2 * step)
        assert row.lead_payoff >= u - 1e-12  # the grid cannot beat the optimum
        assert row.demand == pytest.approx(x, abs=2e-3)  # the payoff is flat near its maximum
        assert row.war_probability == pytest.approx(war, abs=2e-3 / width + 1e-9)


def _discrete_oracle(p: float, k: float, cap: float, points: list[float], probs: list[float],
                     step: float) -> tuple[float, float, float]:
    """Enumerate demands 0, step, 2 step, ... up to cap; ties to the lower war, then the lower demand."""
    value = p - k
    if value < 0:
        return 0.0, 0.0, 0.0
    best = None
    for j in range(int(round(cap / step)) + 1):
        x = j * step
        fight = sum(w for c, w in zip(points, probs, strict=True) if c < x - p)
        u = x * (1 - fight) + fight * value
        key = (-u, fight, x)
        if best is None or key[0] < best[0] - 1e-12 or (abs(key[0] - best[0]) <= 1e-12 and key[1:] < best[1:]):
            best = key
    return best[2], best[1], -best[0]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 64), st.integers(0, 64), st.integers(0, 48), st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]),
       st.integers(0, 64), st.lists(st.tuples(st.integers(0, 48), st.integers(1, 8)), min_size=1, max_size=5),
       st.integers(0, 8))
def test_private_cost_discrete_matches_enumeration_of_demands(p0: int, d: int, k: int, beta: float, cap: int,
                                                              support: list[tuple[int, int]], kc: int) -> None:
    # dyadic values (multiples of 1/64): every breakpoint p + c_i lies on the demand grid, and between
    # breakpoints the payoff rises, so the grid maximum is the maximum over all demands
    step = 1 / 64
    d = min(d, 64 - p0)
    points = [c * step for c, _ in support]
    total = sum(w for _, w in support)
    probs = [w / total for _, w in support]
    prm = RestraintPrivateCostParams(p0=p0 * step, delta=d * step, war_cost_lead=k * step, burden_share=beta,
                                     coalition_cost=kc * step / 8, demand_cap=cap * step, cost_points=tuple(points),
                                     cost_probs=tuple(probs))
    eq = solve_restraint_private_cost(prm)
    nets = []
    for row, coalition in zip(eq.options.itertuples(), (False, True), strict=True):
        p = prm.p0 + (prm.delta if coalition else 0.0)
        kk = prm.war_cost_lead * (1 - beta if coalition else 1.0)
        x, war, u = _discrete_oracle(p, kk, prm.demand_cap if coalition else 1.0, points, probs, step)
        assert (row.demand, row.war_probability, row.lead_payoff) == pytest.approx((x, war, u), abs=1e-12)
        nets.append((u - (prm.coalition_cost if coalition else 0.0), war))
    choice = "coalition" if nets[1][0] > nets[0][0] + 1e-12 else "alone"
    assert eq.choice == choice
    assert eq.war_probability == pytest.approx(nets[choice == "coalition"][1])


def test_fine_discrete_prior_converges_to_the_uniform_closed_form() -> None:
    # two code paths: a 2000-point midpoint discretisation of U[.1, .6] against the uniform formula
    n = 2000
    pts = tuple(0.1 + 0.5 * (np.arange(n) + 0.5) / n)
    for k in (0.0, 0.1, 0.25, 0.35):
        uni = solve_restraint_private_cost(RestraintPrivateCostParams(**{**BASE, "war_cost_lead": k,
                                                                          "cost_low": 0.1, "cost_high": 0.6}))
        dis = solve_restraint_private_cost(RestraintPrivateCostParams(**{**BASE, "war_cost_lead": k, "cost_low": None,
                                                                          "cost_high": None, "cost_points": pts,
                                                                          "cost_probs": (1 / n,) * n}))
        for col in ("demand", "war_probability", "lead_payoff"):
            assert dis.options[col].to_numpy() == pytest.approx(uni.options[col].to_numpy(), abs=2e-3)


def test_simulated_target_costs_match_the_war_probability() -> None:
    # the stochastic part: draw the target's cost, apply its best reply to the equilibrium demand
    prm = RestraintPrivateCostParams(**{**BASE, "cost_low": 0.05, "cost_high": 0.45, "demand_cap": 1.0,
                                        "coalition_cost": 0.5})
    eq = solve_restraint_private_cost(prm)
    rng = np.random.default_rng(20140101)
    c = rng.uniform(prm.cost_low, prm.cost_high, 400_000)
    p = prm.p0  # the lead acts alone (the coalition is too dear)
    assert eq.choice == "alone"
    fights = (1 - eq.demand) < (1 - p - c)  # the target compares its share with its war payoff
    se = np.sqrt(eq.war_probability * (1 - eq.war_probability) / c.size)
    assert abs(fights.mean() - eq.war_probability) < 4 * se
    payoff = np.where(fights, p - prm.war_cost_lead, eq.demand)
    assert payoff.mean() == pytest.approx(eq.options.iloc[0]["lead_payoff"], abs=4 * payoff.std() / np.sqrt(c.size))


# boundaries where the equilibrium changes type: both sides agree, or the jump is the derived one

EPS = 1e-7


def _alone(**kw) -> pd.Series:
    prm = RestraintPrivateCostParams(**{**BASE, "delta": 0.0, "coalition_cost": 0.0, **kw})
    return solve_restraint_private_cost(prm).options.iloc[0]


def test_boundary_safe_to_risky_demand_is_continuous() -> None:
    # a = .1, b = .5, p0 = .5: the risky regime needs (b - k)/2 > a, i.e. k < b - 2a = .3
    kw = dict(p0=0.5, cost_low=0.1, cost_high=0.5)
    left, at, right = (_alone(war_cost_lead=0.3 + s, **kw) for s in (-EPS, 0.0, EPS))
    assert left["regime"] == "risky demand" and at["regime"] == right["regime"] == "safe demand"
    # derived: war = ((b - k)/2 - a)/(b - a) = EPS/2/.4 just below, 0 at and above; demand -> p + a = .6
    assert left["war_probability"] == pytest.approx(EPS / 0.8, rel=1e-6)
    assert at["war_probability"] == right["war_probability"] == 0.0
    assert left["demand"] == pytest.approx(0.6, abs=1e-6) and at["demand"] == pytest.approx(0.6)


def test_boundary_where_the_partner_cap_binds_is_continuous() -> None:
    # coalition p = .6, k = .05, U[0, .5]: free optimum .825; the cap binds below it
    rows = [solve_restraint_private_cost(RestraintPrivateCostParams(**{**BASE, "demand_cap": 0.825 + s})).options.iloc[1]
            for s in (-EPS, 0.0, EPS)]
    assert rows[0]["regime"] == "capped by the partner" and rows[2]["regime"] == "risky demand"
    wars = [r["war_probability"] for r in rows]
    assert wars == pytest.approx([0.45, 0.45, 0.45], abs=1e-6)  # (.825 - .6)/.5
    assert rows[1]["demand"] == pytest.approx(0.825)


def test_boundary_of_a_credible_threat_jumps_as_derived() -> None:
    # k = .3, U[0, .5]: at p0 = k the lead is indifferent between war and backing down and fights;
    # demand p + (b - k)/2 = p + .1, war .1/.5 = .2; just below, its threat is empty and nobody fights
    below, at, above = (_alone(war_cost_lead=0.3, p0=0.3 + s) for s in (-EPS, 0.0, EPS))
    assert below["regime"] == "no credible threat" and below["war_probability"] == 0.0
    assert at["war_probability"] == pytest.approx(0.2) and above["war_probability"] == pytest.approx(0.2)
    assert above["demand"] == pytest.approx(0.4, abs=1e-6)
    # the lead's payoff is continuous across the jump (0 on both sides of the boundary)
    assert at["lead_payoff"] == pytest.approx(0.4 * 0.8) and below["lead_payoff"] == 0.0


def test_boundary_of_the_coalition_choice_jumps_between_the_options() -> None:
    # BASE: the coalition nets .55 - cost, alone .48; the choice flips at coalition_cost = .07 (ties: alone)
    eqs = [solve_restraint_private_cost(RestraintPrivateCostParams(**{**BASE, "coalition_cost": 0.07 + s}))
           for s in (-EPS, 0.0, EPS)]
    assert [e.choice for e in eqs] == ["coalition", "alone", "alone"]
    assert [e.war_probability for e in eqs] == pytest.approx([0.0, 0.4, 0.4])
    # both sides agree on each option: only the choice changes
    for col in ("demand", "war_probability", "lead_payoff"):
        assert eqs[0].options[col].to_numpy() == pytest.approx(eqs[2].options[col].to_numpy())


def test_private_cost_region_map() -> None:
    prm = RestraintPrivateCostParams(**{**BASE, "p0": 0.3, "war_cost_lead": 0.35, "demand_cap": 0.7})
    grid = war_effect_regions_private_cost(prm, x="demand_cap", x_values=np.linspace(0.3, 1.0, 8),
                                           y="p0", y_values=np.linspace(0.2, 0.6, 5))
    assert len(grid) == 40 and grid.attrs["model"] == "restraint_private_cost"
    assert {"raises", "lowers"} <= set(grid["effect"])
    eff = war_probability_effect_private_cost(prm)
    assert list(eff.columns) == ["choice", "regime", "demand", "cutoff", "war_probability",
                                 "war_probability_no_partner", "effect"]


def test_private_cost_bad_input() -> None:
    with pytest.raises(ValidationError, match="cost_high"):
        RestraintPrivateCostParams(**{**BASE, "cost_high": 0.0})
    with pytest.raises(ValidationError, match="cost_low"):
        RestraintPrivateCostParams(**{**BASE, "cost_points": (0.1,), "cost_probs": (1.0,)})
    with pytest.raises(ValidationError, match="cost_low"):
        RestraintPrivateCostParams(p0=0.5, war_cost_lead=0.1)
    with pytest.raises(ValidationError, match="cost_probs"):
        RestraintPrivateCostParams(p0=0.5, war_cost_lead=0.1, cost_points=(0.1, 0.2), cost_probs=(0.5, 0.4))
    with pytest.raises(ValidationError, match="cost_probs"):
        RestraintPrivateCostParams(p0=0.5, war_cost_lead=0.1, cost_points=(0.1, 0.2), cost_probs=(1.0,))
    with pytest.raises(ValidationError, match="delta"):
        RestraintPrivateCostParams(**{**BASE, "p0": 0.9})
    with pytest.raises(ValidationError, match="cost_high"):
        RestraintPrivateCostParams(**{**BASE, "cost_high": float("inf")})
    with pytest.raises(UnknownOptionError, match="nonsense"):
        war_effect_regions_private_cost(RestraintPrivateCostParams(**BASE), x="nonsense", x_values=[1],
                                        y="p0", y_values=[0.5])
