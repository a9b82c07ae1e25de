"""Model 7 (many partners): MILP vs enumeration, Myerson procurement, hold-outs, errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from coalitionlab.bargaining.procurement import (
    PriceDistribution,
    cheapest_coalition,
    enumerate_coalition,
    optimal_procurement,
    sequential_offers,
    simulate_procurement,
)
from coalitionlab.errors import InfeasibleError, UnknownOptionError


@st.composite
def instances(draw: st.DrawFn, max_n: int = 12) -> tuple[pd.DataFrame, dict[str, float]]:
    n = draw(st.integers(1, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    partners = pd.DataFrame({
        "partner": [f"p{i}" for i in range(n)],
        "troops": rng.integers(0, 5000, n).astype(float),
        "capability": np.round(rng.random(n), 3),
        "price": np.round(rng.gamma(2.0, 1.0, n), 3),
    })
    share = draw(st.floats(0.0, 1.0))
    req = {"troops": float(np.floor(share * partners["troops"].sum())),
           "flags": float(draw(st.integers(0, n)))}
    if draw(st.booleans()):
        req["capability"] = round(draw(st.floats(0.0, 1.0)) * partners["capability"].sum(), 3)
    return partners, req


@settings(max_examples=120, deadline=None)
@given(instances())
def test_milp_matches_enumeration(instance: tuple[pd.DataFrame, dict[str, float]]) -> None:
    partners, req = instance
    ref = enumerate_coalition(partners, requirements=req)
    got = cheapest_coalition(partners, requirements=req)
    assert got.cost == pytest.approx(ref.cost, rel=1e-9, abs=1e-9)
    for name, level in req.items():
        assert got.totals[name] >= level - 1e-9


def test_worked_example() -> None:
    partners = pd.DataFrame({"partner": ["GBR", "AUS", "POL", "ESP"], "troops": [45000, 2000, 200, 1300],
                             "price": [5.0, 1.0, 0.2, 0.8]})
    assert cheapest_coalition(partners, requirements={"troops": 3000}).members == ("AUS", "ESP")
    assert cheapest_coalition(partners, requirements={"troops": 3000, "flags": 3}).members == ("AUS", "POL", "ESP")
    assert cheapest_coalition(partners, requirements={"troops": 4000}).members == ("GBR",)


def test_infeasible_requirement_says_why() -> None:
    partners = pd.DataFrame({"partner": ["A", "B"], "troops": [100.0, 200.0], "price": [1.0, 1.0]})
    with pytest.raises(InfeasibleError, match=r"troops: need 500, all 2 available partners bring 300 \(short 200\)"):
        cheapest_coalition(partners, requirements={"troops": 500})
    with pytest.raises(InfeasibleError, match="flags: need 3"):
        enumerate_coalition(partners, requirements={"flags": 3})


def test_bad_requirements_are_clear() -> None:
    partners = pd.DataFrame({"partner": ["A"], "troops": [100.0], "price": [1.0]})
    with pytest.raises(UnknownOptionError, match="'tanks'.*'troops', 'flags'"):
        cheapest_coalition(partners, requirements={"tanks": 1})
    with pytest.raises(ValidationError, match="requirements.troops"):
        cheapest_coalition(partners, requirements={"troops": -1})
    with pytest.raises(ValueError, match="'price'"):
        cheapest_coalition(partners.assign(price=-1.0), requirements={"troops": 1})


# ---------------------------------------------------------------- private prices


def test_virtual_costs_and_regularity() -> None:
    u = PriceDistribution(kind="uniform", low=1.0, high=3.0)
    assert u.virtual_cost([1.0, 2.0, 3.0]) == pytest.approx([1.0, 3.0, 5.0])
    tn = PriceDistribution(kind="truncnorm", low=0.0, high=2.0, mean=1.0, sd=0.5)
    assert tn.has_monotone_hazard
    c = 0.7
    d = tn.frozen
    assert tn.virtual_cost(c) == pytest.approx(c + d.cdf(c) / d.pdf(c))
    assert PriceDistribution(kind="beta", low=0, high=1, a=2, b=3).has_monotone_hazard
    # a U-shaped beta prior: the virtual cost falls near the top, so Myerson's rule needs ironing
    with pytest.raises(ValidationError, match="not regular"):
        PriceDistribution(kind="beta", low=0.0, high=1.0, a=0.5, b=0.5)


@pytest.mark.parametrize(("field", "kwargs"), [("low", {"low": -1.0}), ("sd", {"sd": 0.0}), ("a", {"a": -1}),
                                                ("kind", {"kind": "cauchy"})])
def test_prior_out_of_domain_names_the_field(field: str, kwargs: dict) -> None:
    with pytest.raises(ValidationError, match=field):
        PriceDistribution(**kwargs)
    with pytest.raises(ValidationError, match="high must exceed low"):
        PriceDistribution(low=2.0, high=1.0)


def test_one_partner_gets_the_monopsony_price() -> None:
    # one partner, uniform[0, 1] price, value W: the lead posts p maximising (W - p) p -> p = W/2
    prior = PriceDistribution(low=0.0, high=1.0)
    W = 0.8
    grid = np.linspace(0, 1, 100001)
    p_star = grid[np.argmax((W - grid) * grid)]
    for price, selected in [(0.3, True), (0.45, False)]:
        out = optimal_procurement(pd.DataFrame({"partner": ["A"], "price": [price]}), prior,
                                  requirements={"flags": 1}, value=W)
        assert bool(out["is_selected"].iloc[0]) is selected
        if selected:
            assert out["payment"].iloc[0] == pytest.approx(p_star, abs=1e-4)


def _utility(partners: pd.DataFrame, priors: list[PriceDistribution], req: dict, value: float,
             i: int, report: float) -> float:
    true_cost = partners["price"].iloc[i]
    lie = partners.assign(price=partners["price"].where(partners.index != i, report))
    out = optimal_procurement(lie, priors, requirements=req, value=value)
    return float(out["payment"].iloc[i] - true_cost) if out["is_selected"].iloc[i] else 0.0


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 6))
def test_truth_telling_is_a_dominant_strategy(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    priors = [PriceDistribution(kind="uniform", low=0.0, high=float(h)) for h in rng.uniform(1, 3, n)]
    partners = pd.DataFrame({"partner": [f"p{i}" for i in range(n)], "troops": rng.integers(1, 10, n).astype(float),
                             "price": [float(rng.uniform(0, d.high)) for d in priors]})
    req = {"troops": float(rng.integers(1, partners["troops"].sum() + 1))}
    value = float(rng.uniform(1, 10))
    out = optimal_procurement(partners, priors, requirements=req, value=value)
    assert (out.loc[out.is_selected, "payment"] >= out.loc[out.is_selected, "price"] - 1e-9).all()
    for i in range(n):
        truthful = _utility(partners, priors, req, value, i, partners["price"].iloc[i])
        for report in np.linspace(0, priors[i].high, 9):
            assert _utility(partners, priors, req, value, i, float(report)) <= truthful + 1e-6


def test_critical_payment_by_scanning() -> None:
    # the payment is the highest price at which the member would still have been chosen
    rng = np.random.default_rng(7)
    n = 6
    prior = PriceDistribution(kind="truncnorm", low=0.0, high=2.0, mean=0.8, sd=0.6)
    partners = pd.DataFrame({"partner": list("ABCDEF"), "troops": rng.integers(1, 6, n).astype(float),
                             "price": prior.sample(n, seed=rng)})
    req = {"troops": 8.0}
    out = optimal_procurement(partners, prior, requirements=req, value=6.0)
    for i in np.flatnonzero(out["is_selected"]):
        grid = np.linspace(partners["price"].iloc[i], prior.high, 401)
        chosen = []
        for g in grid:  # reference: enumerate every coalition at the virtual costs
            psi = prior.virtual_cost(partners["price"].where(partners.index != i, g).to_numpy())
            best = enumerate_coalition(partners.assign(price=psi), requirements=req)
            chosen.append(best.cost <= 6.0 and bool(best.selected[i]))
        highest = grid[np.flatnonzero(chosen)[-1]]
        assert out["payment"].iloc[i] == pytest.approx(highest, abs=(grid[1] - grid[0]) * 1.01)


def test_simulation_is_seeded_and_each_draw_is_the_hand_outcome() -> None:
    partners = pd.DataFrame({"partner": list("ABCDE"), "troops": [5.0, 3.0, 3.0, 2.0, 1.0]})
    prior = PriceDistribution(kind="uniform", low=0.5, high=1.5)
    a = simulate_procurement(partners, prior, requirements={"troops": 6}, value=5.0, draws=40, seed=3)
    b = simulate_procurement(partners, prior, requirements={"troops": 6}, value=5.0, draws=40, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(simulate_procurement(partners, prior, requirements={"troops": 6}, value=5.0, draws=40, seed=4))
    # every draw by hand on one partner: a uniform [0, 1] price and a value W = .8. Myerson posts W/2 = .4:
    # bought iff theta <= .4, at .4, leaving the rent .4 - theta; the first-best buys whenever theta <= W,
    # so the deals with .4 < theta <= .8 are lost, worth W - theta; the full-information cost is theta itself
    one = simulate_procurement(pd.DataFrame({"partner": ["A"], "flags": [1]}), PriceDistribution(low=0.0, high=1.0),
                               requirements={"flags": 1}, value=0.8, draws=300, seed=5)
    theta = one["full_information_cost"].to_numpy()
    bought = theta <= 0.4
    assert 0 < bought.mean() < 1 and ((theta > 0.4) & (theta <= 0.8)).any()
    assert one["is_procured"].to_numpy().tolist() == bought.tolist()
    np.testing.assert_allclose(one["total_payment"], np.where(bought, 0.4, 0.0), atol=1e-9)
    np.testing.assert_allclose(one["information_rent"], np.where(bought, 0.4 - theta, 0.0), atol=1e-9)
    np.testing.assert_allclose(one["efficiency_loss"], np.where(~bought & (theta <= 0.8), 0.8 - theta, 0.0), atol=1e-9)
    from scipy import stats
    assert stats.kstest(theta, "uniform").pvalue > 0.01  # the prices are draws from the prior
    with pytest.raises(ValidationError, match="draws"):
        simulate_procurement(partners, prior, requirements={"troops": 6}, draws=0)


# ---------------------------------------------------------------- hold-outs


@settings(max_examples=60, deadline=None)
@given(instances(max_n=8), st.integers(0, 2**32 - 1))
def test_holdouts_never_lower_the_cost(instance: tuple[pd.DataFrame, dict[str, float]], seed: int) -> None:
    partners, req = instance
    rng = np.random.default_rng(seed)
    hold = rng.random(len(partners)) < 0.4
    value = float(partners["price"].sum() * 3 + 1)
    none = sequential_offers(partners.assign(is_holdout=False), requirements=req, value=value)
    assert none.attrs["total_payment"] == pytest.approx(none.attrs["milp_cost"])
    assert none.attrs["holdout_premium"] == pytest.approx(0.0, abs=1e-9)
    some = sequential_offers(partners.assign(is_holdout=hold), requirements=req, value=value)
    if some.attrs["is_complete"]:
        assert some.attrs["total_payment"] >= some.attrs["milp_cost"] - 1e-9
        recruited = some["round"] > 0
        for name, level in req.items():
            have = recruited.sum() if name == "flags" else partners.loc[recruited.to_numpy(), name].sum()
            assert have >= level - 1e-9


def test_indispensable_holdout_takes_the_surplus() -> None:
    partners = pd.DataFrame({"partner": ["A", "B", "C"], "troops": [10.0, 1.0, 1.0], "price": [2.0, 1.0, 1.5],
                             "is_holdout": [True, False, False]})
    out = sequential_offers(partners, requirements={"troops": 11}, value=9.0)
    # round 1: B accepts 1; A is indispensable and asks 2 + (9 - 1 - 2) = 8; total 9 = W
    assert out.set_index("partner")["payment"].to_dict() == {"A": 8.0, "B": 1.0, "C": 0.0}
    assert out.attrs["holdout_premium"] == pytest.approx(6.0)
    with pytest.raises(ValueError, match="indispensable"):
        sequential_offers(partners, requirements={"troops": 11})
    # two indispensable hold-outs each ask for the whole surplus: the coalition fails
    both = partners.assign(is_holdout=[True, True, False])
    out = sequential_offers(both, requirements={"troops": 12}, value=9.0)
    assert not out.attrs["is_complete"]
    assert out["payment"].sum() == 1.5  # C's round-1 payment is sunk


# ---------------------------------------------------------------- the hold-out game, against nashpy


def _nashpy_equilibria(row: np.ndarray, col: np.ndarray) -> list[tuple[float, float]]:
    import nashpy as nash

    return [(float(s1[1]), float(s2[1])) for s1, s2 in nash.Game(row, col).support_enumeration()]


def test_two_indispensable_holdouts_play_chicken() -> None:
    from coalitionlab.bargaining.procurement import holdout_game

    partners = pd.DataFrame({"partner": list("ABC"), "flags": 1, "price": 1.0})
    g = holdout_game(partners, requirements={"flags": 3}, players=("A", "B"), value=10.0, waiting_cost=1.0)
    # hold out alone: 1 + (10 - 2 - 1) = 8 paid, rent 7, less the waiting cost
    assert g.row.tolist() == [[0.0, 0.0], [6.0, -1.0]]
    ours = sorted(g.equilibria())
    theirs = sorted(_nashpy_equilibria(g.row, g.col))
    assert len(ours) == len(theirs) == 3
    for a, b in zip(ours, theirs, strict=True):
        assert a == pytest.approx(b)
    assert ours[1] == pytest.approx((1 - 1 / 7, 1 - 1 / 7))  # mixed: indifference at q = 1 - c/7


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_holdout_game_equilibria_match_nashpy(seed: int) -> None:
    from hypothesis import assume

    from coalitionlab.bargaining.procurement import holdout_game

    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 6))
    partners = pd.DataFrame({"partner": [f"p{i}" for i in range(n)], "troops": rng.integers(1, 8, n).astype(float),
                             "price": np.round(rng.uniform(0.5, 3.0, n), 2)})
    req = {"troops": float(rng.integers(1, partners["troops"].sum() + 1))}
    g = holdout_game(partners, requirements=req, players=("p0", "p1"), value=float(partners["price"].sum() + 5),
                     waiting_cost=float(np.round(rng.uniform(0.01, 1.0), 2)))
    A, B = g.row, g.col
    assume(A[0, 0] != A[1, 0] and A[0, 1] != A[1, 1] and B[0, 0] != B[0, 1] and B[1, 0] != B[1, 1])
    ours = sorted(g.equilibria())
    theirs = sorted(_nashpy_equilibria(A, B))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        assert a == pytest.approx(b, abs=1e-9)
