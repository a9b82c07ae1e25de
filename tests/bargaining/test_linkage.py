"""Model 5 (issue linkage): LP against an independent greedy solution, comparative statics, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from coalitionlab.bargaining.linkage import Instrument, cheapest_package, default_instruments
from coalitionlab.errors import InfeasibleError


def greedy_cost(instruments: list[Instrument], reservation: float, embeddedness: float = math.inf) -> float:
    """Fractional knapsack: fill from the lowest cost per unit of partner value (independent of the LP)."""
    avail = [i for i in instruments if i.min_embeddedness <= embeddedness and i.value > 0]
    avail.sort(key=lambda i: i.cost / i.value)
    need, cost = reservation, 0.0
    if need == 0:
        return 0.0
    for i in avail:
        units = min(i.cap, need / i.value)
        cost += units * i.cost
        need -= units * i.value
        if need <= 1e-12:
            return cost
    return math.inf


def cost_or_inf(instruments: list[Instrument], reservation: float, embeddedness: float = math.inf) -> float:
    try:
        return cheapest_package(instruments, reservation=reservation, embeddedness=embeddedness).cost
    except InfeasibleError:
        return math.inf


instrument = st.builds(
    Instrument,
    name=st.uuids().map(str),
    # magnitudes a solver can resolve: zero or at least 1e-3 (HiGHS' tolerances are ~1e-7)
    cost=st.one_of(st.just(0.0), st.floats(1e-3, 10)),
    value=st.one_of(st.just(0.0), st.floats(1e-3, 10)),
    cap=st.one_of(st.floats(0, 20), st.just(math.inf)),
    min_embeddedness=st.floats(0, 50),
)


def test_worked_example_by_hand() -> None:
    # embeddedness 20 opens cash, military aid and trade; trade (0.4 per unit of value) fills first:
    # 3 units worth 3 cost 1.2, then military aid 2.5 units worth 3 cost 2.0 -> 3.2
    pkg = cheapest_package(default_instruments(), reservation=6.0, embeddedness=20.0)
    assert pkg.cost == pytest.approx(3.2)
    assert pkg.value == pytest.approx(6.0)
    assert pkg.amounts["trade_concession"] == pytest.approx(3.0)
    assert pkg.amounts["military_aid"] == pytest.approx(2.5)
    assert pkg.available == ("cash", "military_aid", "trade_concession")
    # one more unit of value would come from military aid at 0.8/1.2
    assert pkg.shadow_price == pytest.approx(0.8 / 1.2)


@settings(max_examples=150, deadline=None)
@given(st.lists(instrument, min_size=1, max_size=6, unique_by=lambda i: i.name), st.floats(0, 60), st.floats(0, 60))
def test_lp_matches_greedy(instruments: list[Instrument], reservation: float, embeddedness: float) -> None:
    expect = greedy_cost(instruments, reservation, embeddedness)
    got = cost_or_inf(instruments, reservation, embeddedness)
    if math.isinf(expect):
        reach = sum(i.value * i.cap for i in instruments if i.min_embeddedness <= embeddedness and i.value > 0)
        assert math.isinf(got) or reservation == pytest.approx(reach, rel=1e-9)  # at the boundary
    else:
        assert got == pytest.approx(expect, rel=1e-7, abs=1e-7)


@settings(max_examples=150, deadline=None)
@given(st.lists(instrument, min_size=0, max_size=5, unique_by=lambda i: i.name), instrument, st.floats(0, 40))
def test_adding_an_instrument_never_raises_the_cost(instruments: list[Instrument], extra: Instrument,
                                                     reservation: float) -> None:
    if extra.name in {i.name for i in instruments}:
        return
    before = cost_or_inf(instruments, reservation)
    after = cost_or_inf([*instruments, extra], reservation)
    assert after <= before + 1e-7 * max(1.0, before if math.isfinite(before) else 1.0)


@settings(max_examples=100, deadline=None)
@given(st.lists(instrument, min_size=1, max_size=6, unique_by=lambda i: i.name), st.floats(0, 40),
       st.floats(0, 50), st.floats(0, 50))
def test_embeddedness_never_raises_the_cost(instruments: list[Instrument], reservation: float,
                                            e1: float, e2: float) -> None:
    lo, hi = sorted((e1, e2))
    assert cost_or_inf(instruments, reservation, hi) <= cost_or_inf(instruments, reservation, lo) + 1e-7


def test_embeddedness_widens_the_set_of_instruments() -> None:
    sizes = [len(cheapest_package(default_instruments(), reservation=1.0, embeddedness=e).available)
             for e in (0, 5, 15, 30)]
    assert sizes == [1, 2, 3, 4]


def test_infeasible_names_the_shortfall() -> None:
    capped = [Instrument(name="aid", cost=1.0, value=2.0, cap=3.0)]
    with pytest.raises(InfeasibleError, match=r"worth at most 6 .*shortfall 4"):
        cheapest_package(capped, reservation=10.0)
    # without ties the lead has no instrument at all
    with pytest.raises(InfeasibleError, match="none"):
        cheapest_package([Instrument(name="trade", cost=1, value=1, cap=5, min_embeddedness=10)],
                         reservation=1.0, embeddedness=0.0)


@pytest.mark.parametrize(("field", "kwargs"), [
    ("cost", {"cost": -1.0}), ("value", {"value": -0.5}), ("cap", {"cap": -1.0}),
    ("min_embeddedness", {"min_embeddedness": -2.0}),
])
def test_out_of_domain_instrument_names_the_field(field: str, kwargs: dict) -> None:
    args = {"name": "cash", "cost": 1.0, "value": 1.0, "cap": 1.0} | kwargs
    with pytest.raises(ValidationError, match=field):
        Instrument(**args)


def test_out_of_domain_reservation_names_the_field() -> None:
    with pytest.raises(ValidationError, match="reservation"):
        cheapest_package(default_instruments(), reservation=-1.0)
    with pytest.raises(ValueError, match="unique"):
        cheapest_package([Instrument(name="a", cost=1, value=1, cap=1)] * 2, reservation=1.0)


def test_zero_reservation_costs_nothing() -> None:
    pkg = cheapest_package(default_instruments(), reservation=0.0)
    assert pkg.cost == 0.0 and np.all(pkg.amounts == 0)


@settings(max_examples=100, deadline=None)
@given(st.lists(instrument, min_size=0, max_size=6, unique_by=lambda i: i.name),
       st.lists(st.tuples(st.floats(0, 40), st.floats(0, 60)), min_size=1, max_size=8))
def test_vectorised_costs_match_the_lp(instruments: list[Instrument], partners: list[tuple[float, float]]) -> None:
    from coalitionlab.bargaining.linkage import package_costs

    r = np.array([p[0] for p in partners])
    e = np.array([p[1] for p in partners])
    fast = package_costs(instruments, r, embeddedness=e)
    for k in range(len(partners)):
        lp = cost_or_inf(instruments, r[k], e[k])
        if math.isinf(lp):
            assert not fast["is_feasible"].iloc[k] or fast["cost"].iloc[k] == pytest.approx(
                greedy_cost(instruments, r[k], e[k]), rel=1e-7)
        else:
            assert fast["is_feasible"].iloc[k]
            # HiGHS meets a requirement only to its feasibility tolerance (1e-7): a reservation of 1e-7 can
            # cost 0 in the LP, so the costs agree to that tolerance times the dearest price per unit of value
            dearest = max([1.0] + [i.cost / i.value for i in instruments if i.value > 0])
            assert fast["cost"].iloc[k] == pytest.approx(lp, rel=1e-7, abs=1e-6 * dearest)


def test_vectorised_costs_worked_example() -> None:
    from coalitionlab.bargaining.linkage import package_costs

    out = package_costs(default_instruments(), [6.0, 6.0, 6.0, 0.0], embeddedness=[0.0, 20.0, 40.0, 0.0])
    # e = 40 adds policy concessions (0.2/0.9 per unit): 2 units worth 1.8 cost 0.4, then trade 3 for 1.2,
    # then military aid 1.2/1.2 = 1 unit for 0.8 -> 2.4
    assert out["cost"].tolist() == pytest.approx([6.0, 3.2, 2.4, 0.0])
    assert out["marginal_cost"].iloc[1] == pytest.approx(0.8 / 1.2)
    capped = [Instrument(name="aid", cost=1.0, value=1.0, cap=2.0)]
    assert package_costs(capped, [3.0])["is_feasible"].tolist() == [False]


def test_package_costs_names_missing_embeddedness() -> None:
    from coalitionlab.bargaining.linkage import package_costs

    # NaN is embeddedness outside a source's coverage: the error says it is missing, not negative
    with pytest.raises(ValueError, match=r"1 missing"):
        package_costs(default_instruments(), [6.0, 6.0], embeddedness=[np.nan, 20.0])
    with pytest.raises(ValueError, match=r"1 negative"):
        package_costs(default_instruments(), [6.0, 6.0], embeddedness=[-1.0, 20.0])


# ------------------------------------------------------------------------------------------------
# Oracles the LP could fail. (The two comparative statics above hold by construction -- the feasible
# set only grows -- so they check only that the code keeps to the model's definitions.)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 8), st.sampled_from([0.5, 1.0, 2.0]), st.integers(0, 6)),
                min_size=1, max_size=3),
       st.integers(0, 40))
def test_lp_matches_brute_force_over_a_grid_of_packages(spec: list[tuple[int, float, int]], r4: int) -> None:
    # dyadic costs (k/4), values (1/2, 1, 2), caps (k/2) and reservation (k/4): the optimal package's
    # amounts are multiples of 1/8, so enumerating every package on that grid finds the optimum exactly
    instruments = [Instrument(name=f"i{j}", cost=c / 4, value=v, cap=cap / 2) for j, (c, v, cap) in enumerate(spec)]
    reservation = r4 / 4
    axes = [np.arange(0.0, i.cap + 1e-12, 1 / 8) for i in instruments]
    grid = np.stack([a.ravel() for a in np.meshgrid(*axes, indexing="ij")], axis=1)
    value = grid @ np.array([i.value for i in instruments])
    cost = grid @ np.array([i.cost for i in instruments])
    ok = value >= reservation - 1e-12
    expect = float(cost[ok].min()) if ok.any() else math.inf
    assert cost_or_inf(instruments, reservation) == pytest.approx(expect, abs=1e-7)


@settings(max_examples=80, deadline=None)
@given(st.lists(instrument, min_size=1, max_size=5, unique_by=lambda i: i.name), st.floats(0.5, 30))
def test_shadow_price_is_the_derivative_of_the_cost(instruments: list[Instrument], reservation: float) -> None:
    # the LP dual against finite differences of the optimal cost in the reservation value (at a kink the
    # dual lies between the one-sided derivatives)
    h = 1e-4
    try:
        pkg = cheapest_package(instruments, reservation=reservation)
        up = cheapest_package(instruments, reservation=reservation + h).cost
    except InfeasibleError:
        return
    down = cheapest_package(instruments, reservation=reservation - h).cost
    left, right = (pkg.cost - down) / h, (up - pkg.cost) / h
    slack = 1e-3 * max(1.0, right)
    assert min(left, right) - slack <= pkg.shadow_price <= max(left, right) + slack


def test_shadow_price_by_hand_at_a_kink_free_point() -> None:
    # e = 40: policy (0.2/0.9) then trade (0.4) then military aid (0.8/1.2); r = 3 ends inside trade
    pkg = cheapest_package(default_instruments(), reservation=3.0, embeddedness=40.0)
    assert pkg.cost == pytest.approx(0.4 + (3.0 - 1.8) * 0.4)
    assert pkg.shadow_price == pytest.approx(0.4)
