"""Model 6 (credible commitment): closed form against an LP, comparative statics, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from scipy.optimize import linprog

from coalitionlab.bargaining.commitment import CommitmentParams, credibility, recruitment_cost
from coalitionlab.errors import InfeasibleError

params = st.builds(CommitmentParams, rho0=st.floats(0.01, 1), kappa=st.floats(0, 1), beta=st.floats(0, 1),
                   upfront_cap=st.floats(0, 10))


@settings(max_examples=150, deadline=None)
@given(params, st.floats(0, 10), st.floats(0.01, 1))
def test_closed_form_matches_the_lp(p: CommitmentParams, r: float, rho: float) -> None:
    # min u + beta m  s.t.  u + rho m >= r, 0 <= u <= U, m >= 0, solved independently
    lp = linprog([1.0, p.beta], A_ub=[[-1.0, -rho]], b_ub=[-r], bounds=[(0, p.upfront_cap), (0, None)],
                 method="highs")
    got = recruitment_cost([r], rho=[rho], params=p)
    assert got["cost"].iloc[0] == pytest.approx(lp.fun, rel=1e-7, abs=1e-6)  # HiGHS tolerance
    assert got["upfront"].iloc[0] + rho * got["promised"].iloc[0] == pytest.approx(r, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(params, st.floats(0, 10), st.floats(0, 1), st.floats(0, 1))
def test_cost_falls_as_credibility_rises(p: CommitmentParams, r: float, a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    if lo == 0 and r > p.upfront_cap:
        return  # worthless promises and a capped purse: infeasible, tested below
    costs = recruitment_cost([r, r], rho=[lo, hi], params=p)["cost"].to_numpy()
    assert costs[1] <= costs[0] + 1e-9 * max(1.0, costs[0])


@settings(max_examples=100, deadline=None)
@given(params, st.floats(0, 10), st.floats(0, 100), st.floats(0, 100))
def test_cost_falls_as_embeddedness_rises(p: CommitmentParams, r: float, a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    rho = credibility([lo, hi], params=p)
    assert p.rho0 - 1e-12 <= rho[0] <= rho[1] <= 1.0
    costs = recruitment_cost([r, r], embeddedness=[lo, hi], params=p)["cost"].to_numpy()
    assert costs[1] <= costs[0] + 1e-9 * max(1.0, costs[0])


def test_credibility_form() -> None:
    p = CommitmentParams(rho0=0.2, kappa=0.1)
    rho = credibility([0.0, 10.0, 1e6], params=p)
    assert rho == pytest.approx([0.2, 1 - 0.8 * np.exp(-1.0), 1.0])


def test_recruitment_decision_and_vectorisation() -> None:
    p = CommitmentParams(rho0=0.3, kappa=0.05, beta=0.9, upfront_cap=1.0)
    out = recruitment_cost([2.0, 2.0, 2.0], embeddedness=[0.0, 20.0, 100.0], params=p, value=2.5)
    assert list(out.columns) == ["reservation", "rho", "upfront", "promised", "cost", "value", "is_recruited"]
    # rho0 = 0.3 < beta: cap up-front, promise the rest: 1 + 0.9 * 1/0.3 = 4 > 2.5 -> not recruited
    assert out["cost"].iloc[0] == pytest.approx(4.0)
    # e = 20: rho = 0.7425 < beta: 1 + 0.9 / 0.7425 = 2.21 <= 2.5; e = 100: rho > beta, all promised
    assert out["cost"].iloc[1] == pytest.approx(1 + 0.9 / (1 - 0.7 * np.exp(-1.0)))
    assert out["upfront"].iloc[2] == 0.0
    assert out["is_recruited"].tolist() == [False, True, True]
    assert out["cost"].is_monotonic_decreasing


def test_worthless_promises_are_infeasible() -> None:
    p = CommitmentParams(rho0=0.0, kappa=0.0, beta=0.5, upfront_cap=1.0)
    with pytest.raises(InfeasibleError, match="rho = 0"):
        recruitment_cost([2.0], embeddedness=[0.0], params=p)
    assert recruitment_cost([0.5], embeddedness=[0.0], params=p)["cost"].iloc[0] == pytest.approx(0.5)


@pytest.mark.parametrize(("field", "value"), [("rho0", 1.5), ("beta", -0.1), ("kappa", -1.0), ("upfront_cap", -1.0)])
def test_out_of_domain_parameters_name_the_field(field: str, value: float) -> None:
    with pytest.raises(ValidationError, match=field):
        CommitmentParams(**{field: value})


def test_bad_arguments_are_clear() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        recruitment_cost([1.0])
    with pytest.raises(ValidationError, match=r"rho\.1\n.*less than or equal to 1"):
        recruitment_cost([1.0, 1.0], rho=[0.5, 1.2])
    with pytest.raises(ValidationError, match="reservation"):
        recruitment_cost([-1.0], rho=[0.5])
    with pytest.raises(ValidationError, match="embeddedness"):
        credibility([1.0, float("nan")])
    with pytest.raises(ValidationError, match="value"):
        recruitment_cost([1.0], rho=[0.5], value=[-2.0])


# ------------------------------------------------------------------------------------------------
# Results that hold by construction (the cost falls with rho and with embeddedness; rho(0) = rho0)
# are checked above only as the code's fidelity to its definitions. Oracles it could fail:


@settings(max_examples=120, deadline=None)
@given(params, st.floats(0, 10), st.floats(0.02, 1))
def test_closed_form_matches_brute_force_over_upfront_payments(p: CommitmentParams, r: float, rho: float) -> None:
    # for each up-front payment u on a fine grid the cheapest promise is m = max(r - u, 0)/rho; minimise
    u = np.linspace(0.0, min(p.upfront_cap, r), 20_001)
    cost = u + p.beta * np.maximum(r - u, 0.0) / rho
    got = recruitment_cost([r], rho=[rho], params=p).iloc[0]
    assert got["cost"] == pytest.approx(cost.min(), rel=1e-9, abs=1e-9)  # the cost is linear in u: an end is optimal
    # the package reported is feasible and costs what is reported
    assert 0 <= got["upfront"] <= p.upfront_cap and got["upfront"] + rho * got["promised"] >= r - 1e-9
    assert got["upfront"] + p.beta * got["promised"] == pytest.approx(got["cost"], rel=1e-12, abs=1e-12)


def test_both_branches_agree_at_rho_equal_beta() -> None:
    # the branches switch at rho = beta; both give the reservation value there, so the cost is continuous
    p = CommitmentParams(rho0=0.3, kappa=0.05, beta=0.6, upfront_cap=0.5)
    eps = 1e-9
    out = recruitment_cost([2.0, 2.0, 2.0], rho=[0.6 - eps, 0.6, 0.6 + eps], params=p)
    assert out["upfront"].tolist() == [0.5, 0.5, 0.0]
    # derived: .5 + .6 (1.5)/(.6 - eps) and .6 * 2/(.6 + eps), both -> 2
    assert out["cost"].to_numpy() == pytest.approx([2.0, 2.0, 2.0], abs=1e-8)


def test_credibility_against_an_independent_integration() -> None:
    # rho solves d rho/de = kappa (1 - rho), rho(0) = rho0: integrate the ODE numerically (scipy)
    from scipy.integrate import solve_ivp

    p = CommitmentParams(rho0=0.25, kappa=0.07)
    sol = solve_ivp(lambda e, y: p.kappa * (1 - y), (0.0, 60.0), [p.rho0], t_eval=[0.0, 10.0, 35.0, 60.0],
                    rtol=1e-10, atol=1e-12)
    assert credibility(sol.t, params=p) == pytest.approx(sol.y[0], abs=1e-8)
