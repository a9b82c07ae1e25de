"""Model 8: Olson-Zeckhauser equilibrium (Nash check, nashpy cross-check, exploitation) and Riker."""

from __future__ import annotations

import itertools
import warnings

import nashpy as nash
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from coalitionlab.bargaining.burden import (
    BenefitParams,
    best_response_to_others,
    contribution_equilibrium,
    minimum_winning_coalition,
)
from coalitionlab.errors import InfeasibleError, UnknownOptionError

benefits = st.builds(BenefitParams, kind=st.sampled_from(["log", "exp", "power"]), scale=st.floats(0.2, 5),
                     eta=st.floats(0.3, 4).filter(lambda e: abs(e - 1) > 1e-3))
sizes = st.lists(st.floats(0.1, 20), min_size=1, max_size=12)


def test_worked_example() -> None:
    # log benefit, scale 1: X = max(0, 3 - (1 + X)) + max(0, 1 - (1 + X))  ->  X = 1, the small member free-rides
    eq = contribution_equilibrium([3.0, 1.0])
    assert eq.attrs["total"] == pytest.approx(1.0)
    assert eq["contribution"].tolist() == pytest.approx([1.0, 0.0])
    assert eq.attrs["is_unique"] and eq.attrs["sign_changes"] == 1


@settings(max_examples=100, deadline=None)
@given(sizes, benefits, st.floats(0.2, 5))
def test_equilibrium_is_nash(w: list[float], b: BenefitParams, v: float) -> None:
    eq = contribution_equilibrium(w, v, benefit=b)
    x = eq["contribution"].to_numpy()
    others = x.sum() - x
    br = best_response_to_others(others, w, v, benefit=b)
    assert x == pytest.approx(br, abs=1e-7)
    assert eq.attrs["is_unique"]
    assert eq.attrs["residual"] < 1e-9


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.1, 20), min_size=1, max_size=6), benefits, st.integers(0, 2**32 - 1))
def test_best_response_dynamics_from_anywhere_reach_the_same_point(w: list[float], b: BenefitParams,
                                                                     seed: int) -> None:
    # numerical evidence of uniqueness independent of the fixed-point argument: sequential
    # (Gauss-Seidel) best responses from random starts all end at the computed equilibrium
    eq = contribution_equilibrium(w, benefit=b)
    rng = np.random.default_rng(seed)
    wa = np.asarray(w)
    for _ in range(3):
        x = rng.random(len(w)) * wa * 0.99
        for _ in range(500):
            before = x.copy()
            for i in range(len(w)):
                x[i] = best_response_to_others(x.sum() - x[i], wa[i:i + 1], benefit=b)[0]
            if np.max(np.abs(x - before)) < 1e-12:
                break
        assert x.sum() == pytest.approx(eq.attrs["total"], abs=1e-6)
        assert x == pytest.approx(eq["contribution"].to_numpy(), abs=1e-5)


@settings(max_examples=100, deadline=None)
@given(sizes, benefits, st.floats(0.2, 5))
def test_exploitation_of_the_great_by_the_small(w: list[float], b: BenefitParams, v: float) -> None:
    eq = contribution_equilibrium(w, v, benefit=b).sort_values("size")
    # the burden (share of income spent) never falls with size ...
    assert np.all(np.diff(eq["burden"].to_numpy()) >= -1e-9)
    # ... so the largest member pays at least its share of income
    if eq.attrs["total"] > 0:
        top = eq.iloc[-1]
        assert top["burden_share"] >= top["size_share"] - 1e-9


@pytest.mark.parametrize(("w", "kind"), [([2.6, 2.4], "log"), ([3.0, 1.0], "log"), ([3.0, 1.2], "log"),
                                         ([4.0, 1.0], "power")])
def test_nashpy_agrees_on_a_discretised_two_member_game(w: list[float], kind: str) -> None:
    # the game on a 0.2-grid of contributions, solved by nashpy's vertex enumeration (all equilibria)
    b = BenefitParams(kind=kind)
    eq = contribution_equilibrium(w, benefit=b)
    grid = np.linspace(0.0, 2.0, 11)
    step = grid[1] - grid[0]
    g1, g2 = grid[grid < w[0]], grid[grid < w[1]]  # a member cannot give all its income
    total = g1[:, None] + g2[None, :]
    A = np.log(w[0] - g1)[:, None] + b.benefit(total)
    B = np.log(w[1] - g2)[None, :] + b.benefit(total)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        found = list(nash.Game(A, B).vertex_enumeration())
    assert found
    for s1, s2 in found:
        x1, x2 = float(s1 @ g1), float(s2 @ g2)
        assert x1 + x2 == pytest.approx(eq.attrs["total"], abs=step)
        assert x1 == pytest.approx(eq["contribution"].iloc[0], abs=step + 1e-9)
        assert x2 == pytest.approx(eq["contribution"].iloc[1], abs=step + 1e-9)


def test_bad_input_is_clear() -> None:
    with pytest.raises(ValidationError, match="scale"):
        BenefitParams(scale=0.0)
    with pytest.raises(ValidationError, match="kind"):
        BenefitParams(kind="linear")
    with pytest.raises(ValidationError, match=r"sizes\.1"):
        contribution_equilibrium([1.0, -2.0])
    with pytest.raises(ValidationError, match=r"valuations\.1"):
        contribution_equilibrium([1.0, 2.0], [1.0, 0.0])


# ---------------------------------------------------------------- Riker


def brute_force_min_weight(weights: list[float], quota: float) -> float:
    best = np.inf
    for k in range(1, len(weights) + 1):
        for s in itertools.combinations(weights, k):
            if sum(s) >= quota - 1e-12 * max(1.0, quota):  # the documented rounding tolerance
                best = min(best, sum(s))
    return best


@st.composite
def bodies(draw: st.DrawFn) -> tuple[pd.DataFrame, float]:
    n = draw(st.integers(1, 10))
    w = draw(st.lists(st.integers(1, 20), min_size=n, max_size=n))
    price = draw(st.lists(st.floats(0, 10), min_size=n, max_size=n))
    quota = draw(st.floats(0.5, 1.0)) * sum(w)
    return pd.DataFrame({"member": [f"m{i}" for i in range(n)], "weight": np.array(w, float), "price": price}), quota


@settings(max_examples=100, deadline=None)
@given(bodies())
def test_gamma_zero_is_rikers_minimum_winning_coalition(body: tuple[pd.DataFrame, float]) -> None:
    members, quota = body
    choice = minimum_winning_coalition(members.drop(columns="price"), quota=quota)
    assert choice.weight >= quota - 1e-12 * max(1.0, quota)
    assert choice.weight == pytest.approx(brute_force_min_weight(members["weight"].tolist(), quota))


@settings(max_examples=150, deadline=None)
@given(bodies(), st.floats(0, 10), st.floats(0, 10))
def test_size_weakly_increases_with_legitimacy(body: tuple[pd.DataFrame, float], g1: float, g2: float) -> None:
    members, quota = body
    lo, hi = sorted((g1, g2))
    small = minimum_winning_coalition(members, quota=quota, gamma=lo)
    large = minimum_winning_coalition(members, quota=quota, gamma=hi)
    assert large.size >= small.size


@settings(max_examples=40, deadline=None)
@given(bodies(), st.floats(0, 10))
def test_milp_matches_enumeration(body: tuple[pd.DataFrame, float], gamma: float) -> None:
    members, quota = body
    a = minimum_winning_coalition(members, quota=quota, gamma=gamma, method="enumerate")
    b = minimum_winning_coalition(members, quota=quota, gamma=gamma, method="milp")
    assert b.net_value == pytest.approx(a.net_value, abs=1e-7)


def test_riker_bad_input() -> None:
    m = pd.DataFrame({"member": list("AB"), "weight": [1.0, 2.0]})
    with pytest.raises(InfeasibleError, match="short of the quota 5 by 2"):
        minimum_winning_coalition(m, quota=5.0)
    with pytest.raises(ValidationError, match="gamma"):
        minimum_winning_coalition(m, quota=1.0, gamma=-1.0)
    with pytest.raises(ValidationError, match="quota"):
        minimum_winning_coalition(m, quota=0.0)
    with pytest.raises(UnknownOptionError, match="'milp'"):
        minimum_winning_coalition(m, quota=1.0, method="greedy")
    # a price column named explicitly but absent is an error, not a silent fallback to the weights
    with pytest.raises(ValueError, match="'cost'"):
        minimum_winning_coalition(m, quota=1.0, price="cost")


@pytest.mark.parametrize("method", ["enumerate", "milp"])
def test_quota_equal_to_the_total_weight_is_won_by_everyone(method: str) -> None:
    # troop-sized weights: their sum in another order differs from w.sum() by more than 1e-12 in
    # absolute terms, so an absolute tolerance left no coalition winning (and a TypeError)
    w = np.random.default_rng(4).lognormal(0.0, 1.0, 12) * 1e5
    m = pd.DataFrame({"member": [f"m{i}" for i in range(12)], "weight": w})
    choice = minimum_winning_coalition(m, quota=float(w.sum()), method=method)
    assert choice.size == 12 and choice.weight == pytest.approx(w.sum(), rel=1e-12)
