"""Participation data cannot separate the price channel from the information channel; payments can."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coalitionlab.bargaining import identification_demo
from coalitionlab.measures import embeddedness


@pytest.fixture(scope="module")
def usa_2003(shared_data) -> pd.DataFrame:
    return embeddedness("USA", "2003-03-20", data_dir=shared_data)


@pytest.mark.parametrize("prior", ["normal", "lognormal", "uniform"])
def test_same_participation_different_payments_on_real_embeddedness(usa_2003: pd.DataFrame, prior: str) -> None:
    demo = identification_demo(usa_2003, prior=prior, price_mean=0.2 if prior == "lognormal" else 1.0)
    c, s = demo.candidates, demo.summary
    assert len(c) == len(usa_2003)
    # observationally equivalent on who joins ...
    assert np.max(np.abs(c["p_join_price"] - c["p_join_information"])) < 1e-8
    # ... and participation does rise with embeddedness in both
    assert np.corrcoef(c["embeddedness"], c["p_join_information"])[0, 1] > 0.9
    # but payments differ: a joiner's payment falls with embeddedness far more steeply in the price world,
    # and the information rent falls with embeddedness only in the information world
    assert s.loc["price", "payment_slope"] < 0
    assert s.loc["information", "payment_slope"] > s.loc["price", "payment_slope"] + 0.15
    assert s.loc["price", "rent_slope"] > 0 > s.loc["information", "rent_slope"]
    assert abs(s.loc["information", "total_payment"] / s.loc["price", "total_payment"] - 1) > 0.05
    # both worlds keep the candidates' names
    for world in (demo.price_world, demo.information_world):
        assert world.candidates.set_index("ccode").loc[20, "country"] == "Canada"


def test_no_price_slope_and_no_precision_slope_make_identical_worlds() -> None:
    frame = pd.DataFrame({"ccode": [2, 20, 200, 640], "embeddedness": [0.0, 40.0, 120.0, 60.0]})
    demo = identification_demo(frame, price_slope=0.0, precision=1.0, precision_base=1.0, precision_slope=0.0)
    c = demo.candidates
    assert np.allclose(c["price_mean_price"], c["price_mean_information"], atol=1e-9)
    assert np.allclose(c["payment_price"], c["payment_information"], atol=1e-9)
