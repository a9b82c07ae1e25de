"""Model 1 (one partner, concessions, insecurity): the worked check, the threshold and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from coalitionlab.bargaining import OnePartnerParams, solve_one_partner

WORKED = dict(p0=0.5, delta=0.2, omega=1.0, sigma=0.5, c=0.1, eta=1.0, a=0.2)


def test_worked_check_from_the_issue() -> None:
    sol = solve_one_partner(OnePartnerParams(**WORKED))
    assert sol.concession == pytest.approx(0.0857, abs=5e-5)
    assert sol.concession == pytest.approx(0.06 / 0.7, rel=1e-12)
    assert sol.gain == pytest.approx(0.24, abs=1e-12)
    assert sol.recruits
    assert sol.a_threshold == pytest.approx(-1.0, abs=1e-12)
    assert sol.win_probability == pytest.approx(0.7)
    assert sol.lead_utility == pytest.approx(0.7 * (1.5 - 0.06 / 0.7), abs=1e-12)  # .99, by hand
    secure = solve_one_partner(OnePartnerParams(**{**WORKED, "sigma": 0.0}))
    assert secure.a_threshold == pytest.approx(-0.5, abs=1e-12)
    # a dearer partner (c = .5): the shortfall .5 - .2 x .2 = .46 is buyable (s = .46/.7 < 1) but the gain
    # .2 x 1.5 - .46 = -.16 is negative: the lead declines and keeps p0 (1 + omega sigma) = .75, by hand
    dear = solve_one_partner(OnePartnerParams(**{**WORKED, "c": 0.5}))
    assert dear.concession == pytest.approx(0.46 / 0.7, abs=1e-12) and dear.gain == pytest.approx(-0.16, abs=1e-12)
    assert not dear.recruits and dear.win_probability == 0.5
    assert dear.lead_utility == pytest.approx(0.75, abs=1e-12)


def test_partner_just_indifferent_at_the_concession() -> None:
    p = OnePartnerParams(**WORKED)
    s = solve_one_partner(p).concession
    join = p.a * (p.p0 + p.delta) + (p.p0 + p.delta) * s - p.c
    assert join == pytest.approx(p.a * p.p0, abs=1e-12)


params = st.builds(
    lambda p0, frac, omega, sigma, c, eta, a: OnePartnerParams(
        p0=p0, delta=frac * (1 - p0), omega=omega, sigma=sigma, c=c, eta=eta, a=a),
    st.floats(0, 0.95), st.floats(0.01, 1), st.floats(0, 5), st.floats(0, 1), st.floats(0, 2),
    st.floats(0.1, 3), st.floats(-3, 3),
)


@settings(max_examples=200, deadline=None)
@given(params)
def test_recruits_iff_affinity_reaches_threshold(p: OnePartnerParams) -> None:
    sol = solve_one_partner(p)
    if abs(p.a - sol.a_threshold) > 1e-9:
        assert sol.recruits == (p.a >= sol.a_threshold)


@settings(max_examples=200, deadline=None)
@given(params, st.floats(0, 1))
def test_insecurity_lowers_threshold_and_raises_gain(p: OnePartnerParams, sigma2: float) -> None:
    lo, hi = sorted([p.sigma, sigma2])
    a = solve_one_partner(p.model_copy(update={"sigma": lo}))
    b = solve_one_partner(p.model_copy(update={"sigma": hi}))
    assert b.a_threshold <= a.a_threshold + 1e-12
    assert b.gain >= a.gain - 1e-12
    assert b.win_probability >= a.win_probability


@settings(max_examples=100, deadline=None)
@given(params, st.floats(-3, 3))
def test_affinity_lowers_the_concession(p: OnePartnerParams, a2: float) -> None:
    lo, hi = sorted([p.a, a2])
    assert solve_one_partner(p.model_copy(update={"a": hi})).concession <= \
        solve_one_partner(p.model_copy(update={"a": lo})).concession + 1e-12


@pytest.mark.parametrize(("field", "value"), [("p0", 1.5), ("sigma", -0.1), ("c", -0.2), ("eta", 0.0)])
def test_out_of_domain_values_name_the_field(field: str, value: float) -> None:
    with pytest.raises(ValidationError, match=field):
        OnePartnerParams(**{**WORKED, field: value})


def test_win_probability_above_one_is_rejected() -> None:
    with pytest.raises(ValidationError, match="delta"):
        OnePartnerParams(**{**WORKED, "p0": 0.9, "delta": 0.2})


# --- the concession is a share of the spoils: 0 <= s <= 1 -------------------------------------------

ISSUE = dict(p0=0.5, delta=0.2, omega=5.0, sigma=1.0, c=0.1, eta=1.0, a=-5.0)  # uncapped s* was 1.1/.7 = 1.57


def grid_lead_value(p: OnePartnerParams, n: int = 10_001) -> tuple[float, float]:
    """Brute force from the payoffs: the lead offers each s on a grid over [0, 1], the partner joins iff
    joining pays at least staying out; returns the lead's best value and the (smallest) best s."""
    s = np.linspace(0.0, 1.0, n)
    p1, stake = p.p0 + p.delta, 1.0 + p.omega * p.sigma
    joins = p.a * p1 + p1 * s - p.c >= p.a * p.p0 - 1e-12
    value = np.where(joins, p1 * (stake - s / p.eta), p.p0 * stake)
    best = int(np.argmax(value))
    return float(value[best]), float(s[best])


def test_the_issue_s_example_is_capped_at_one() -> None:
    p = OnePartnerParams(**ISSUE)
    sol = solve_one_partner(p)
    assert sol.concession == 1.0
    # even the whole spoils leave the partner out: a Δ + (p0 + Δ) = -1 + .7 < c = .1, so the lead goes alone
    assert not sol.recruits and sol.gain == -np.inf
    assert sol.win_probability == 0.5
    assert sol.lead_utility == pytest.approx(0.5 * 6.0, abs=1e-12)  # p0 (1 + Ωσ), by hand
    best, _ = grid_lead_value(p)
    assert sol.lead_utility == pytest.approx(best, abs=1e-12)
    # the uncapped answer (recruit at 1.57, utility .7 (6 - 1.57) = 3.1) is no admissible choice
    assert best < 0.7 * (6.0 - 1.1 / 0.7) - 0.05
    assert sol.a_threshold == pytest.approx(0.5 - 3.5, abs=1e-12) and p.a < sol.a_threshold


def test_the_boundary_concession_of_exactly_one() -> None:
    # shortfall c - aΔ = .7 = p0 + Δ: the whole spoils just buy the partner
    at_cap = OnePartnerParams(**{**ISSUE, "a": 0.0, "c": 0.7})
    sol = solve_one_partner(at_cap)
    assert sol.concession == pytest.approx(1.0, abs=1e-12) and sol.recruits
    assert sol.lead_utility == pytest.approx(0.7 * (6.0 - 1.0), abs=1e-12)  # 3.5, by hand
    assert sol.lead_utility == pytest.approx(grid_lead_value(at_cap)[0], abs=1e-12)
    beyond = solve_one_partner(OnePartnerParams(**{**ISSUE, "a": 0.0, "c": 0.7 + 1e-6}))
    assert beyond.concession == 1.0 and not beyond.recruits and beyond.lead_utility == pytest.approx(3.0)


wide = st.builds(
    lambda p0, frac, omega, sigma, c, eta, a: OnePartnerParams(
        p0=p0, delta=frac * (1 - p0), omega=omega, sigma=sigma, c=c, eta=eta, a=a),
    st.floats(0, 0.95), st.floats(0, 1), st.floats(0, 5), st.floats(0, 1), st.floats(0, 2),
    st.floats(0.1, 3), st.floats(-6, 3),
)


@settings(max_examples=300, deadline=None)
@given(wide)
def test_concession_stays_in_the_unit_interval_and_matches_the_grid(p: OnePartnerParams) -> None:
    sol = solve_one_partner(p)
    assert 0.0 <= sol.concession <= 1.0
    h, p1 = 1e-4, p.p0 + p.delta
    best, s_best = grid_lead_value(p)
    slack = p1 * h / p.eta  # the grid's best point can lie up to one step above s*
    assert best - 1e-9 <= sol.lead_utility <= best + slack + 1e-9
    if sol.recruits and sol.gain > slack + 1e-6:  # a strict optimum: the grid finds the same concession
        assert abs(sol.concession - s_best) <= h + 1e-9
    assert sol.recruits == (p.a >= sol.a_threshold) or abs(p.a - sol.a_threshold) < 1e-9
