"""The SAA MILP against brute-force enumeration of every plan on small random cases."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from coalitionlab.planner.plan import ASK_COST, solve_saa


def _case(seed: int, n: int = 6, k: int = 2, s: int = 12):
    rng = np.random.default_rng(seed)
    levels = np.sort(rng.uniform(0.0, 2.0, (n, k)), axis=1)
    price = rng.normal(1.0, 0.6, (s, n))
    accept = price[:, :, None] <= levels[None, :, :]
    cost = levels * accept.mean(axis=0) * rng.uniform(0.5, 1.0, (n, 1))
    contrib = np.column_stack([np.ones(n), rng.integers(0, 400, n).astype(float), rng.integers(0, 2, n).astype(float)])
    need = np.array([2.0, 500.0, 1.0])
    return cost, accept, contrib, need


def _brute(cost, accept, contrib, need, probability, budget=None, required=None):
    """Every assignment of a level (or no ask) to each candidate; the cheapest that meets the requirements
    in at least ceil(probability * S) scenarios. Independent of the code under test."""
    n, k = cost.shape
    S = accept.shape[0]
    m = math.ceil(probability * S - 1e-9)
    best, best_choice = math.inf, None
    for choice in itertools.product(range(-1, k), repeat=n):
        if required is not None and any(required[i] and choice[i] < 0 for i in range(n)):
            continue
        pay = sum(cost[i, c] for i, c in enumerate(choice) if c >= 0)
        if budget is not None and pay > budget + 1e-9:
            continue
        met = 0
        for s in range(S):
            got = np.zeros(len(need))
            for i, c in enumerate(choice):
                if c >= 0 and accept[s, i, c]:
                    got += contrib[i]
            met += bool(np.all(got >= need - 1e-9))
        if met >= m:
            total = pay + ASK_COST * sum(c >= 0 for c in choice)
            if total < best - 1e-12:
                best, best_choice = total, choice
    return best, best_choice


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("probability", [0.5, 0.75])
def test_milp_matches_brute_force(seed, probability):
    cost, accept, contrib, need = _case(seed)
    best, _ = _brute(cost, accept, contrib, need, probability)
    sol = solve_saa(cost, accept, contrib, need, probability)
    if math.isinf(best):
        assert not sol.feasible
    else:
        assert sol.feasible
        assert sol.objective == pytest.approx(best, abs=1e-7)
        assert sol.met.sum() >= math.ceil(probability * accept.shape[0])


@pytest.mark.parametrize("seed", [10, 11, 13, 14])
def test_milp_with_budget_and_required_matches_brute_force(seed):
    cost, accept, contrib, need = _case(seed, n=5, k=2, s=10)
    required = np.zeros(5, bool)
    required[0] = True
    free, _ = _brute(cost, accept, contrib, need, 0.6, required=required)
    assert not math.isinf(free)  # these seeds have a feasible plan
    budget = 0.95 * free  # binds: the cheapest unconstrained plan is out of reach
    best, _ = _brute(cost, accept, contrib, need, 0.6, budget=budget, required=required)
    sol = solve_saa(cost, accept, contrib, need, 0.6, budget=budget, required=required)
    assert sol.feasible == (not math.isinf(best))
    assert solve_saa(cost, accept, contrib, need, 0.6, budget=0.0, required=required).feasible is False or best == 0
    if sol.feasible:
        assert sol.objective == pytest.approx(best, abs=1e-7)
        assert sol.choice[0] >= 0


def test_infeasible_when_a_requirement_exceeds_the_pool():
    cost, accept, contrib, need = _case(3)
    need = np.array([2.0, contrib[:, 1].sum() + 1.0, 1.0])  # more personnel than every candidate has
    assert not solve_saa(cost, accept, contrib, need, 0.5).feasible


def test_by_hand_two_candidates():
    # candidate 0 accepts level 0 in scenarios 0,1; candidate 1 accepts in every scenario but costs more
    accept = np.array([[[True], [True]], [[True], [True]], [[False], [True]], [[False], [True]]])
    cost = np.array([[1.0], [3.0]])
    contrib = np.array([[1.0], [1.0]])
    half = solve_saa(cost, accept, contrib, np.array([1.0]), 0.5)
    assert half.choice.tolist() == [0, -1] and half.objective == pytest.approx(1.0 + ASK_COST)
    full = solve_saa(cost, accept, contrib, np.array([1.0]), 1.0)
    assert full.choice.tolist() == [-1, 0] and full.objective == pytest.approx(3.0 + ASK_COST)


def test_infeasibility_report_names_the_requirement_and_the_shortfall():
    from coalitionlab.planner.plan import _infeasibility

    cost, accept, contrib, need = _case(4)
    contrib = np.column_stack([contrib, np.array([1.0, 1.0, 0, 0, 0, 0])])  # two holders of the capability
    prob = {"accept": accept, "cost": cost, "contrib": contrib,
            "need": np.array([2.0, 100.0, 1.0, 4.0]),
            "names": ["min_flags", "personnel", "regional_members", "capabilities.naval_escort"]}
    report = _infeasibility(prob, 0.8, np.zeros(6, bool), None, None)
    assert len(report) == 1
    item = report[0]
    assert item["requirement"] == "requirements.capabilities.naval_escort"
    assert (item["needed"], item["available"], item["short_by"]) == (4.0, 2.0, 2.0)
    assert item["message"] == "requirements.capabilities.naval_escort: needs 4, at most 2 candidates can provide it"
    assert not solve_saa(cost, accept, contrib, prob["need"], 0.8).feasible


def test_calibrated_solve_raises_the_target_when_the_plan_falls_short_out_of_sample():
    """Hand case: candidate 0 (cost 1) accepts in 8 of 10 planning scenarios but only half of the
    tuning ones; candidate 1 (cost 2) always accepts. Asked for 80%, SAA picks candidate 0 (8/10 in
    sample), the tuning set shows 50%, the target rises to 1.0 and candidate 1 is planned instead."""
    from types import SimpleNamespace

    from coalitionlab.planner.plan import _calibrated_solve

    accept = np.zeros((10, 2, 1), bool)
    accept[:8, 0, 0] = True
    accept[:, 1, 0] = True
    tune = np.zeros((100, 2, 1), bool)
    tune[:50, 0, 0] = True
    tune[:, 1, 0] = True
    prob = {"cost": np.array([[1.0], [2.0]]), "accept": accept, "contrib": np.ones((2, 1)), "need": np.array([1.0])}
    mission = SimpleNamespace(probability=0.8)
    sol, target, rounds = _calibrated_solve(prob, mission, np.zeros(2, bool), None, 5.0, tune)
    assert sol.choice.tolist() == [-1, 0]
    assert target == pytest.approx(1.0) and rounds == 2
    # when the tuning scenarios agree with the planning ones, nothing is raised
    sol, target, rounds = _calibrated_solve(prob, mission, np.zeros(2, bool), None, 5.0, accept)
    assert sol.choice.tolist() == [0, -1] and target == 0.8 and rounds == 1
    # a stricter target that the budget forbids keeps the last feasible plan
    sol, target, rounds = _calibrated_solve(prob, mission, np.zeros(2, bool), 1.5, 5.0, tune)
    assert sol.choice.tolist() == [0, -1] and target == 0.8 and rounds == 2
