"""The identification demo's bookkeeping: cases that mutation testing showed the other tests let through
(docs/development/mutation.md).

The oracles are written here: the documented column and index names literally, the summary recomputed
from the returned table (scipy's linregress for the slopes), the closed form of an uninformed uniform
world, and the inputs (lead, date, names, precisions) read back from what the worlds record.
"""

from __future__ import annotations

import warnings
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from coalitionlab.bargaining import identification_demo
from coalitionlab.bargaining.identification import _slope

FRAME = pd.DataFrame({"ccode": [2, 20, 200, 640, 365], "embeddedness": [0.0, 40.0, 120.0, 60.0, 10.0]})
WORLDS = ("price", "information")
OUTCOMES = ("price_mean", "precision", "p_join", "payment", "payment_if_joined", "rent")


def test_table_and_summary_names_as_documented() -> None:
    # catches a renamed summary key (max_abs_p_join_gap, mean_p_join, total_rent ...) or index name ("world")
    demo = identification_demo(FRAME)
    assert list(demo.candidates.columns) == ["ccode", "embeddedness"] + [
        f"{what}_{name}" for name in WORLDS for what in OUTCOMES]
    assert list(demo.summary.columns) == ["max_abs_p_join_gap", "mean_p_join", "total_payment", "total_rent",
                                          "payment_slope", "rent_slope"]
    assert list(demo.summary.index) == ["price", "information"]
    assert demo.summary.index.name == "world"


def test_summary_recomputed_from_the_candidate_table() -> None:
    # catches a gap that is not max |p_join_price - p_join_information| (a sum, or None), and a summary row
    # that does not add up its world's columns; slopes by scipy's least squares on e = embeddedness / max
    demo = identification_demo(FRAME, price_slope=1.5, precision_slope=6.0)
    c, s = demo.candidates, demo.summary
    gap = max(abs(a - b) for a, b in zip(c["p_join_price"].tolist(), c["p_join_information"].tolist()))
    e = [v / 120.0 for v in FRAME["embeddedness"]]
    for name in WORLDS:
        row = s.loc[name]
        assert isinstance(row["max_abs_p_join_gap"], float)
        assert row["max_abs_p_join_gap"] == pytest.approx(gap, abs=1e-15)
        assert row["max_abs_p_join_gap"] < 1e-8  # the calibration reproduces the price world's acceptance
        assert row["mean_p_join"] == pytest.approx(sum(c[f"p_join_{name}"]) / 5, rel=1e-12)
        assert row["total_payment"] == pytest.approx(sum(c[f"payment_{name}"]), rel=1e-12)
        assert row["total_rent"] == pytest.approx(sum(c[f"rent_{name}"]), rel=1e-12)
        per_joiner = [p / a for p, a in zip(c[f"payment_{name}"], c[f"p_join_{name}"])]
        assert c[f"payment_if_joined_{name}"].tolist() == pytest.approx(per_joiner, rel=1e-12)
        assert row["payment_slope"] == pytest.approx(stats.linregress(e, per_joiner).slope, rel=1e-9)
        assert row["rent_slope"] == pytest.approx(stats.linregress(e, c[f"rent_{name}"]).slope, rel=1e-9)


def test_precisions_reported_per_world() -> None:
    # catches a precision column left empty: the price world has the common precision, the information world
    # precision_base + precision_slope * e (e = embeddedness / its largest value, by hand below)
    demo = identification_demo(FRAME, precision=1.7, precision_base=0.3, precision_slope=5.0)
    c = demo.candidates
    assert c["precision_price"].tolist() == pytest.approx([1.7] * 5, rel=1e-12)
    e = np.array([0.0, 1 / 3, 1.0, 0.5, 1 / 12])
    assert c["precision_information"].to_numpy(float) == pytest.approx(0.3 + 5.0 * e, rel=1e-12)


def test_uninformed_uniform_worlds_by_hand() -> None:
    """Catches price_scale or value not reaching either world (the mapping's defaults 0.5 and 2 used instead).

    Uniform prior on [lo, hi] = mean -/+ sqrt(3) s and no signal in either world (precision 0): the offer is
    (V + lo)/2 (inside the support here), accepted with probability p = (V - lo) / (2 (hi - lo)) and paid
    offer x p. The information world, calibrated to the same p with the same s and V, must then have
    lo = V - 4 sqrt(3) s p, i.e. mean = V - 4 sqrt(3) s p + sqrt(3) s: the price world's means again.
    """
    s, v = 0.3, 3.0
    demo = identification_demo(FRAME, prior="uniform", price_mean=2.0, price_scale=s, price_slope=0.3,
                               precision=0.0, precision_base=0.0, precision_slope=0.0, value=v)
    c = demo.candidates
    e = np.array([0.0, 1 / 3, 1.0, 0.5, 1 / 12])
    mean = 2.0 * np.exp(-0.3 * e)
    lo, hi = mean - np.sqrt(3) * s, mean + np.sqrt(3) * s
    offer = (v + lo) / 2
    assert np.all((offer > lo) & (offer < hi))
    p = (v - lo) / (2 * (hi - lo))
    for name, world in (("price", demo.price_world), ("information", demo.information_world)):
        assert world.candidates["price_scale"].tolist() == [s] * 5, name
        assert world.candidates["value"].tolist() == [v] * 5, name
        assert c[f"p_join_{name}"].to_numpy() == pytest.approx(p, abs=1e-9), name
        assert c[f"payment_{name}"].to_numpy() == pytest.approx(offer * p, abs=1e-9), name
    assert c["price_mean_information"].to_numpy() == pytest.approx(v - 4 * np.sqrt(3) * s * p + np.sqrt(3) * s,
                                                                   abs=1e-7)


def test_lead_and_date_recorded_on_both_worlds() -> None:
    # catches a changed default lead/date or one not passed on to a world (None would be stored as "None")
    frame = FRAME.iloc[:3]
    default = identification_demo(frame)
    other = identification_demo(frame, lead="GBR", date="1990-08-02")
    for world in (default.price_world, default.information_world):
        assert (world.lead, world.date) == ("USA", "2003-03-20")
    for world in (other.price_world, other.information_world):
        assert (world.lead, world.date) == ("GBR", "1990-08-02")


def test_country_names_given_are_kept_by_the_information_world() -> None:
    # catches the information world re-deriving names from the codes instead of keeping the frame's country
    frame = FRAME.assign(country=["Alpha", "Beta", "Gamma", "Delta", "Epsilon"])
    demo = identification_demo(frame)
    for world in (demo.price_world, demo.information_world):
        assert world.candidates.set_index("ccode").loc[[2, 20, 200, 640, 365], "country"].tolist() == [
            "Alpha", "Beta", "Gamma", "Delta", "Epsilon"]
    assert "country" not in demo.candidates.columns  # the table is documented without names


@pytest.mark.parametrize("level", [0.0, 7.0])
def test_equal_embeddedness_gives_nan_slopes_silently(level: float) -> None:
    """Every candidate equally embedded (none at all: top == 0; or all at 7: e = 1): the regressor is
    constant, so each slope is NaN -- returned without an exception or a RuntimeWarning (0/0) -- while the
    totals are still reported. Catches float(None) / float("XXnanXX") in the constant case, np.zeros(None),
    and the 0/0 division taken when the guard x @ x > 0 is dropped or weakened to >= 0."""
    frame = pd.DataFrame({"ccode": [2, 20, 200], "embeddedness": [level] * 3})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        demo = identification_demo(frame)
    s = demo.summary
    assert s[["payment_slope", "rent_slope"]].isna().all().all()
    assert np.isfinite(s[["mean_p_join", "total_payment", "total_rent"]].to_numpy()).all()
    assert s.loc["price", "total_payment"] == pytest.approx(demo.candidates["payment_price"].sum())


def test_embeddedness_below_one_is_still_scaled() -> None:
    # catches e set to zero unless the largest embeddedness exceeds 1: with values in [0, 0.8] e = emb / 0.8
    # still varies, so the slopes are finite and equal scipy's least squares on it
    frame = pd.DataFrame({"ccode": [2, 20, 200, 640], "embeddedness": [0.0, 0.2, 0.5, 0.8]})
    demo = identification_demo(frame)
    c, s = demo.candidates, demo.summary
    e = [0.0, 0.25, 0.625, 1.0]
    for name in WORLDS:
        assert s.loc[name, "payment_slope"] == pytest.approx(
            stats.linregress(e, c[f"payment_if_joined_{name}"]).slope, rel=1e-9)
        assert s.loc[name, "rent_slope"] == pytest.approx(stats.linregress(e, c[f"rent_{name}"]).slope, rel=1e-9)


def test_decimal_embeddedness_gives_the_float_result() -> None:
    # embeddedness as exact decimals (an object column, as some database drivers return numeric columns):
    # the same summary as with floats. Catches the normalised embeddedness left in the column's dtype
    # (Decimal minus float raises in the slope)
    decimal = FRAME.assign(embeddedness=[Decimal(str(v)) for v in FRAME["embeddedness"]])
    assert decimal["embeddedness"].dtype == object
    got, want = identification_demo(decimal).summary, identification_demo(FRAME).summary
    pd.testing.assert_frame_equal(got, want, rtol=1e-12)


def test_slope_ignores_the_level_of_the_regressand() -> None:
    # least squares: adding a constant to y moves the intercept, never the slope (y = 10 x here, numpy.polyfit on
    # the unshifted points). Catches y centred by adding its mean: x @ (y + mean y) is x @ y only up to the
    # rounding of sum(x - mean x), which a level of 1e12 turns into a visible error (2e-3 here)
    x, y = np.array([0.1, 0.2, 0.4]), np.array([1.0, 2.0, 4.0])
    assert np.polyfit(x, y, 1)[0] == pytest.approx(10.0, rel=1e-12)
    for level in (0.0, 1e12):
        assert _slope(x, y + level) == pytest.approx(10.0, rel=1e-9), level
