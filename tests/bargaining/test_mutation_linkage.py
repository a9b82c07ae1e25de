"""Issue linkage: cases that mutation testing showed the other tests let through (docs/development/mutation.md).

Expected costs are fractional-knapsack sums worked out by hand: instruments are used in increasing
order of cost per unit of partner value, each up to its cap, until the reservation value is met.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from coalitionlab.bargaining.linkage import Instrument, cheapest_package, default_instruments, package_costs


def test_default_instruments_as_documented():
    got = [(i.name, i.cost, i.value, i.cap, i.min_embeddedness) for i in default_instruments()]
    assert got == [("cash", 1.0, 1.0, math.inf, 0.0), ("military_aid", 0.8, 1.2, 5.0, 5.0),
                   ("trade_concession", 0.4, 1.0, 3.0, 15.0), ("policy_concession", 0.2, 0.9, 2.0, 30.0)]


def test_military_aid_cap_binds():
    # embeddedness 10: cash (1.0 per unit of value) and military aid (0.8/1.2 = 2/3), aid capped at 5 units.
    # reservation 8: aid gives 6.0 of value for 4.0, cash the other 2.0 for 2.0 -> 6.0
    out = package_costs(default_instruments(), [8.0], embeddedness=[10.0])
    assert out["cost"].tolist() == pytest.approx([6.0])
    assert cheapest_package(default_instruments(), reservation=8.0, embeddedness=10.0).cost == pytest.approx(6.0)


def test_package_costs_columns_types_and_marginal_cost():
    inst = [Instrument(name="a", cost=1.0, value=2.0, cap=1.0), Instrument(name="b", cost=3.0, value=1.0, cap=1.0)]
    # reservations 0 (free, no marginal cost), 0.5 (a: 0.25), 2.5 (a full: 1.0, then b 0.5: 1.5 -> 2.5), 9 (infeasible)
    out = package_costs(inst, [0.0, 0.5, 2.5, 9.0])
    assert list(out.columns) == ["reservation", "embeddedness", "cost", "marginal_cost", "is_feasible"]
    assert out["cost"].dtype == np.dtype("float64") and out["marginal_cost"].dtype == np.dtype("float64")
    np.testing.assert_allclose(out["cost"], [0.0, 0.25, 2.5, np.nan])
    np.testing.assert_allclose(out["marginal_cost"], [np.nan, 0.5, 3.0, np.nan])
    assert out["is_feasible"].tolist() == [True, True, True, False]
    assert out.attrs == {"model": "issue_linkage"}


def test_small_caps_count():
    # one instrument with a cap below 1: worth 0.5 * 2 = 1.0 at most
    inst = [Instrument(name="a", cost=1.0, value=2.0, cap=0.5)]
    out = package_costs(inst, [1.0, 1.5])
    assert out["cost"].tolist()[0] == pytest.approx(0.5) and out["is_feasible"].tolist() == [True, False]


def test_package_costs_rejects_bad_input_naming_it():
    with pytest.raises(ValidationError, match=r"for package_costs\s[\s\S]*reservation\.1"):
        package_costs(default_instruments(), [1.0, -1.0])
    with pytest.raises(ValueError, match="1 missing"):
        package_costs(default_instruments(), [1.0, 2.0], embeddedness=[None, 3.0])


def test_free_unlimited_instrument_warns_nothing():
    inst = [Instrument(name="free", cost=0.0, value=1.0, cap=math.inf)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = package_costs(inst, [5.0])
    assert out["cost"].tolist() == [0.0]


def test_tidy_lists_the_package():
    pkg = cheapest_package(default_instruments(), reservation=6.0, embeddedness=20.0)
    # cheapest first: trade (0.4 per unit of value, 3 units -> 3.0 value), then aid (2/3): 2.5 units -> 3.0
    want = pd.DataFrame({"instrument": ["cash", "military_aid", "trade_concession"], "amount": [0.0, 2.5, 3.0]})
    pd.testing.assert_frame_equal(pkg.tidy().round(9), want, check_index_type=False)
