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


# ------------------------------------------------------------------------------------------------
# By construction: the information world is calibrated to reproduce the price world's participation
# probabilities, so their equality (above) checks the calibration's accuracy, not a finding. The
# findings are about payments, computed by quadrature; the tests below check them against a
# simulation of the model's stochastic part and against the closed form of the uniform prior.

FRAME = pd.DataFrame({"ccode": [2, 20, 200, 640, 365], "embeddedness": [0.0, 40.0, 120.0, 60.0, 10.0]})


def _simulate(world, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Draw each candidate's price and the lead's signal, make the optimal offer, record who joins."""
    from coalitionlab.bargaining.offers import optimal_offer, uniform_bounds
    from coalitionlab.bargaining.params import PriceParams

    rows = []
    for c in world.candidates.itertuples():
        if world.prior == "uniform":
            lo, hi = uniform_bounds(c.price_mean, c.price_scale)
            theta = rng.uniform(float(lo), float(hi), n)
        else:
            theta = rng.normal(c.price_mean, c.price_scale, n)
        noise = c.price_scale / np.sqrt(c.precision) if c.precision > 0 else 0.0
        signal = theta + noise * rng.standard_normal(n)
        offer = optimal_offer(PriceParams(prior=world.prior, mean=c.price_mean, scale=c.price_scale,
                                          precision=c.precision, value=c.value), signal)
        joins = theta <= offer
        pay = np.where(joins, offer, 0.0)
        rows.append({"ccode": c.ccode, "p_join": joins.mean(), "p_join_se": joins.std() / np.sqrt(n),
                     "payment": pay.mean(), "payment_se": pay.std() / np.sqrt(n)})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("prior", ["normal", "uniform"])
def test_simulated_worlds_match_the_quadrature(prior: str) -> None:
    demo = identification_demo(FRAME, prior=prior)
    rng = np.random.default_rng(2019)
    c = demo.candidates
    for name, world in (("price", demo.price_world), ("information", demo.information_world)):
        sim = _simulate(world, 200_000, rng)
        assert np.all(np.abs(sim["p_join"] - c[f"p_join_{name}"]) < 4 * sim["p_join_se"] + 1e-9)
        assert np.all(np.abs(sim["payment"] - c[f"payment_{name}"]) < 4 * sim["payment_se"] + 1e-9)
    # and the observational equivalence survives the simulation: the same join rates in both worlds
    # (independent draws: the difference has twice the variance)
    a, b = _simulate(demo.price_world, 200_000, rng), _simulate(demo.information_world, 200_000, rng)
    assert np.all(np.abs(a["p_join"] - b["p_join"]) < 4 * np.sqrt(2) * a["p_join_se"] + 1e-9)


def test_uninformed_uniform_price_world_by_hand() -> None:
    # uniform prior on [lo, hi] = mean -/+ sqrt(3) scale and no signal: the offer is (V + lo)/2 (inside the
    # support here), accepted with probability (offer - lo)/(hi - lo); the payment is offer x acceptance
    demo = identification_demo(FRAME, prior="uniform", precision=0.0, price_slope=0.8)
    cand = demo.price_world.candidates
    e = cand["embeddedness"] / cand["embeddedness"].max()
    mean = 1.0 * np.exp(-0.8 * e)  # the price channel's mapping
    assert cand["price_mean"].to_numpy() == pytest.approx(mean.to_numpy())
    lo, hi = mean - np.sqrt(3) * 0.5, mean + np.sqrt(3) * 0.5
    offer = (cand["value"] + lo) / 2
    assert np.all((offer > lo) & (offer < hi))
    accept = (offer - lo) / (hi - lo)
    assert demo.candidates["p_join_price"].to_numpy() == pytest.approx(accept.to_numpy(), abs=1e-12)
    assert demo.candidates["payment_price"].to_numpy() == pytest.approx((offer * accept).to_numpy(), abs=1e-12)


def test_summary_slopes_against_numpy_polyfit() -> None:
    demo = identification_demo(FRAME)
    c, s = demo.candidates, demo.summary
    e = c["embeddedness"] / c["embeddedness"].max()
    for name in ("price", "information"):
        assert s.loc[name, "payment_slope"] == pytest.approx(np.polyfit(e, c[f"payment_if_joined_{name}"], 1)[0])
        assert s.loc[name, "rent_slope"] == pytest.approx(np.polyfit(e, c[f"rent_{name}"], 1)[0])
        assert s.loc[name, "total_payment"] == pytest.approx(c[f"payment_{name}"].sum())
