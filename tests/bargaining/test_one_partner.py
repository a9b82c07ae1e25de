"""Model 1 (one partner, concessions, insecurity): the worked check, the threshold and bad input."""

from __future__ import annotations

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
    secure = solve_one_partner(OnePartnerParams(**{**WORKED, "sigma": 0.0}))
    assert secure.a_threshold == pytest.approx(-0.5, abs=1e-12)


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
