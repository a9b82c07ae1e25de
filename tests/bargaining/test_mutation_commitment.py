"""Credible commitment: cases that mutation testing showed the other tests let through (docs/development/mutation.md).

Errors are checked field by field against literals and against the error pydantic itself raises for the
same constraint (``check_array`` promises errors "like the errors of the pydantic parameter models");
expected costs are worked out by hand from the closed form in the module docstring.
"""

from __future__ import annotations

import math
import warnings
from typing import Annotated

import numpy as np
import pytest
from pydantic import Field, TypeAdapter, ValidationError

from coalitionlab.bargaining.commitment import CommitmentParams, check_array, credibility, recruitment_cost


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> list[dict]:
    return exc.value.errors(include_url=False)


def _pydantic_error(value: float, **constraint: float) -> dict:
    """The error pydantic itself gives for ``value`` under ``constraint`` (loc dropped)."""
    with pytest.raises(ValidationError) as exc:
        TypeAdapter(Annotated[float, Field(allow_inf_nan=False, **constraint)]).validate_python(value)
    (err,) = _errors(exc)
    del err["loc"]
    return err


def test_check_array_gt_bound_like_pydantic():
    # catches a dropped, inverted (flat <= gt) or weakened (>=) gt check and a misspelt error type or ctx key
    ok = check_array([2.0, 0.5], name="sizes", where="contribution_equilibrium", gt=0)
    assert ok.tolist() == [2.0, 0.5]
    with pytest.raises(ValidationError) as exc:
        check_array([2.0, 0.0, -1.0], name="sizes", where="contribution_equilibrium", gt=0)
    assert exc.value.title == "contribution_equilibrium"
    assert _errors(exc) == [{"type": "greater_than", "loc": ("sizes", 1), "msg": "Input should be greater than 0",
                             "input": 0.0, "ctx": {"gt": 0}}]
    assert _errors(exc)[0] == {"loc": ("sizes", 1), **_pydantic_error(0.0, gt=0)}


def test_scalar_input_error_has_no_position_and_names_the_call():
    # catches loc = (name, i) for a 0-d input, a wrong name/where for reservation, a dropped "input" key
    with pytest.raises(ValidationError) as exc:
        recruitment_cost(-1.0, rho=0.5)
    assert str(exc.value).startswith(
        "1 validation error for recruitment_cost\nreservation\n  Input should be greater than or equal to 0 "
        "[type=greater_than_equal, input_value=-1.0, input_type=float]")
    assert _errors(exc) == [{"type": "greater_than_equal", "loc": ("reservation",),
                             "msg": "Input should be greater than or equal to 0", "input": -1.0, "ctx": {"ge": 0}}]
    assert _errors(exc)[0] == {"loc": ("reservation",), **_pydantic_error(-1.0, ge=0)}


def test_non_finite_error_carries_no_context():
    # pydantic's finite_number error has no ctx; catches ctx={} always attached, and a wrong name/where
    with pytest.raises(ValidationError) as exc:
        credibility([0.0, math.inf])
    assert exc.value.title == "credibility"
    assert _errors(exc) == [{"type": "finite_number", "loc": ("embeddedness", 1),
                             "msg": "Input should be a finite number", "input": math.inf}]
    assert _errors(exc)[0] == {"loc": ("embeddedness", 1), **_pydantic_error(math.inf)}


def test_negative_embeddedness_is_rejected():
    # catches credibility dropping ge=0 (exp(+kappa e) would give rho below rho0, even negative)
    with pytest.raises(ValidationError) as exc:
        credibility([1.0, -0.5])
    assert exc.value.title == "credibility"
    assert _errors(exc) == [{"type": "greater_than_equal", "loc": ("embeddedness", 1),
                             "msg": "Input should be greater than or equal to 0", "input": -0.5, "ctx": {"ge": 0}}]


def test_two_dimensional_input_reports_the_flat_position():
    # catches check_array not flattening (flat[3] of a 2x2 array is out of range): docstring, flat position
    p = CommitmentParams(rho0=0.2, kappa=0.1)
    got = credibility([[0.0, 10.0], [0.0, 10.0]], params=p)
    assert got == pytest.approx(np.array([[0.2, 1 - 0.8 * math.exp(-1.0)]] * 2))
    with pytest.raises(ValidationError) as exc:
        credibility([[0.0, 1.0], [2.0, -1.0]], params=p)
    assert _errors(exc)[0]["loc"] == ("embeddedness", 3) and _errors(exc)[0]["input"] == -1.0


def test_negative_rho_is_rejected():
    # catches rho losing ge=0 (a negative credibility would silently price the partner) and a wrong where
    with pytest.raises(ValidationError) as exc:
        recruitment_cost([1.0, 1.0], rho=[0.5, -0.1])
    assert exc.value.title == "recruitment_cost"
    assert _errors(exc) == [{"type": "greater_than_equal", "loc": ("rho", 1),
                             "msg": "Input should be greater than or equal to 0", "input": -0.1, "ctx": {"ge": 0}}]


def test_value_domain_and_error():
    # catches value's ge=0 raised to 1 (a value of 0.5 is legal), and a wrong name/where in its error
    p = CommitmentParams(rho0=0.3, kappa=0.05, beta=0.5, upfront_cap=1.0)
    # r = 0.25, rho = 0.5 <= beta: pay 0.25 up-front, promise nothing; 0.25 <= 0.5 -> recruited
    out = recruitment_cost([0.25], rho=[0.5], params=p, value=[0.5])
    assert out["cost"].tolist() == [0.25] and out["is_recruited"].tolist() == [True]
    with pytest.raises(ValidationError) as exc:
        recruitment_cost([1.0, 1.0], rho=[0.5, 0.5], value=[1.0, -2.0])
    assert exc.value.title == "recruitment_cost"
    assert _errors(exc) == [{"type": "greater_than_equal", "loc": ("value", 1),
                             "msg": "Input should be greater than or equal to 0", "input": -2.0, "ctx": {"ge": 0}}]


def test_neither_or_both_credibility_sources_message():
    # catches a changed ValueError message (the existing test matches only a substring)
    for kw in ({}, {"rho": [0.5], "embeddedness": [1.0]}):
        with pytest.raises(ValueError, match=r"^give exactly one of embeddedness= or rho=$"):
            recruitment_cost([1.0], **kw)


def test_integer_and_missing_inputs_become_floats():
    # check_array returns a float array: catches np.asarray without dtype=float (an int reservation column,
    # and None reaching np.isfinite as an object array -> TypeError instead of a finite_number error)
    assert check_array([1, 2], name="x", where="f").dtype == np.float64
    out = recruitment_cost([1, 2], rho=[1, 1], params=CommitmentParams(beta=0.5, upfront_cap=5.0))
    assert out["reservation"].dtype == np.float64 and out["rho"].dtype == np.float64
    assert out["cost"].tolist() == [0.5, 1.0]  # rho = 1 > beta: all promised, cost beta * r
    with pytest.raises(ValidationError) as exc:
        recruitment_cost([1.0, None], rho=[0.5, 0.5])
    (err,) = _errors(exc)
    assert err["type"] == "finite_number" and err["loc"] == ("reservation", 1) and math.isnan(err["input"])


def test_cost_equal_to_value_recruits():
    # "recruits when the cost does not exceed the value": catches cost < value
    p = CommitmentParams(rho0=0.3, kappa=0.05, beta=0.5, upfront_cap=1.0)
    # r = 2, rho = 0.5 <= beta: u = 1, m = (2 - 1)/0.5 = 2, cost = 1 + 0.5 * 2 = 2 exactly
    out = recruitment_cost([2.0], rho=[0.5], params=p, value=[2.0])
    assert out["cost"].tolist() == [2.0] and out["is_recruited"].tolist() == [True]


def test_free_promise_costs_nothing_even_when_it_overflows():
    # beta = 0: any rho > 0 beats paying; m = 1e300/1e-300 overflows to inf, but a free promise costs 0,
    # not 0 * inf = nan. Catches the beta > 0 guard made always true (or >= 0).
    p = CommitmentParams(rho0=0.3, kappa=0.05, beta=0.0, upfront_cap=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = recruitment_cost([1e300], rho=[1e-300], params=p, value=[0.0])
    assert out["upfront"].tolist() == [0.0] and out["promised"].tolist() == [math.inf]
    assert out["cost"].tolist() == [0.0] and out["is_recruited"].tolist() == [True]


def test_overflowing_promise_is_silent():
    # the promise r/rho = 1e300/1e-300 overflows (valid inputs); the errstate must silence it:
    # catches over="ignore" dropped from np.errstate
    p = CommitmentParams(rho0=0.3, kappa=0.05, beta=0.5, upfront_cap=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = recruitment_cost([1e300], rho=[1e-300], params=p)
    assert out["promised"].tolist() == [math.inf] and out["cost"].tolist() == [math.inf]


def test_attrs_record_model_and_params():
    # catches misspelt attrs keys or model name
    p = CommitmentParams(rho0=0.25, kappa=0.5, beta=0.75, upfront_cap=2.0)
    out = recruitment_cost([1.0], rho=[0.5], params=p)
    assert out.attrs == {"model": "credible_commitment",
                         "params": {"rho0": 0.25, "kappa": 0.5, "beta": 0.75, "upfront_cap": 2.0}}
