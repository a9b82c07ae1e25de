"""Participation data alone cannot tell a price channel from an information channel.

Two stories make embedded states join more often:

* **price** -- embeddedness lowers a state's reservation price (the lead's information is the same
  for everyone);
* **information** -- embeddedness sharpens the lead's signal about the price (prices do not depend on
  embeddedness).

:func:`identification_demo` builds a world of the first kind, records each candidate's participation
probability, and then calibrates a world of the second kind to reproduce those probabilities
exactly (:func:`coalitionlab.bargaining.world.calibrate_price_means`). The two worlds are
observationally equivalent on who joins, yet the payments differ: in the price world a joiner's
payment falls steeply with embeddedness because embedded states are cheap; in the information world
the prices of the embedded are no lower -- the lead just pays them less rent -- so the payment
gradient, the information rent and the dispersion of payments differ. Data on payments made
(amounts per joiner, against embeddedness) separate the two; participation data cannot.

By construction: the equal participation probabilities are an identity of the construction (the
information world's mean prices are calibrated to reproduce them), so their gap measures only the
calibration's accuracy; the findings are the payment differences. Both worlds use model 4's offer
alone (the information channel only, a fixed value per partner, embeddedness over its largest value).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from coalitionlab.bargaining.params import PriorKind
from coalitionlab.bargaining.world import EmbeddednessMapping, World


@dataclass(frozen=True)
class IdentificationDemo:
    """Result of :func:`identification_demo`.

    Attributes
    ----------
    candidates : pandas.DataFrame
        One row per candidate: ``ccode, embeddedness``, and for each world (suffix ``_price`` /
        ``_information``) ``price_mean, precision, p_join, payment, payment_if_joined, rent``.
    summary : pandas.DataFrame
        One row per world: ``max_abs_p_join_gap`` (between the worlds), ``mean_p_join``,
        ``total_payment``, ``total_rent``, ``payment_slope`` (OLS slope of a joiner's expected
        payment on normalised embeddedness) and ``rent_slope``.
    price_world, information_world : World
        The two calibrated worlds.
    """

    candidates: pd.DataFrame
    summary: pd.DataFrame
    price_world: World
    information_world: World


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    x = x - x.mean()
    return float(x @ (y - y.mean()) / (x @ x)) if x @ x > 0 else float("nan")


def identification_demo(
    candidates: pd.DataFrame,
    *,
    prior: PriorKind = "normal",
    price_mean: float = 1.0,
    price_scale: float = 0.5,
    price_slope: float = 0.8,
    precision: float = 1.0,
    precision_base: float = 0.25,
    precision_slope: float = 12.0,
    value: float = 2.0,
    lead: str = "USA",
    date: str = "2003-03-20",
) -> IdentificationDemo:
    """Two worlds with identical participation probabilities but different payments.

    By construction: the information world is calibrated to the price world's participation
    probabilities, so ``max_abs_p_join_gap`` is the calibration's numerical error, not a finding.

    Parameters
    ----------
    candidates
        Frame with ``ccode`` and ``embeddedness`` (e.g. ``coalitionlab.measures.embeddedness(...)``).
    prior
        Price prior family, shared by both worlds.
    price_mean, price_scale, price_slope, precision
        The price world: mean price ``price_mean * exp(-price_slope * e)`` and a common ``precision``.
    precision_base, precision_slope
        The information world: precision ``precision_base + precision_slope * e``; its mean prices are
        calibrated to reproduce the price world's participation probabilities.
    value
        The lead's value of each partner (price units), shared.
    lead, date
        Stored on the worlds.

    Returns
    -------
    IdentificationDemo

    Examples
    --------
    >>> frame = pd.DataFrame({"ccode": [2, 20, 200, 640, 365], "embeddedness": [0.0, 40, 120, 60, 10]})
    >>> demo = identification_demo(frame)
    >>> bool(demo.summary.loc["price", "max_abs_p_join_gap"] < 1e-8)
    True
    """
    # model 4 alone: the offer with the information channel only, a fixed value per partner and
    # embeddedness over its largest value (the other channels and valuations would blur the comparison)
    pinned = {"channels": ("information",), "valuation": "fixed", "scale": "max"}
    price_world = World.from_frame(
        candidates, lead=lead, date=date, prior=prior, **pinned,
        mapping=EmbeddednessMapping(price_mean=price_mean, price_scale=price_scale, price_slope=price_slope,
                                    precision_base=precision, precision_slope=0.0, value=value))
    base = price_world.expected()
    keep = ["ccode", "embeddedness"] + (["country"] if "country" in candidates.columns else [])
    observed = candidates[keep].merge(
        price_world.candidates[["ccode"]].assign(p_join=base["acceptance"].to_numpy()), on="ccode")
    info_world = World.from_frame(
        observed, lead=lead, date=date, prior=prior, calibrate=True, **pinned,
        mapping=EmbeddednessMapping(price_mean=price_mean, price_scale=price_scale, price_slope=0.0,
                                    precision_base=precision_base, precision_slope=precision_slope, value=value))
    info = info_world.expected()
    out = price_world.candidates[["ccode", "embeddedness"]].copy()
    top = out["embeddedness"].max()
    e = (out["embeddedness"] / top).to_numpy(float) if top > 0 else np.zeros(len(out))
    rows = {}
    for name, world, res in (("price", price_world, base), ("information", info_world, info)):
        out[f"price_mean_{name}"] = world.candidates["price_mean"].to_numpy()
        out[f"precision_{name}"] = world.candidates["precision"].to_numpy()
        out[f"p_join_{name}"] = res["acceptance"].to_numpy()
        out[f"payment_{name}"] = res["payment"].to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"payment_if_joined_{name}"] = (res["payment"] / res["acceptance"]).to_numpy()
        out[f"rent_{name}"] = res["rent"].to_numpy()
    gap = float(np.max(np.abs(out["p_join_price"] - out["p_join_information"])))
    for name in ("price", "information"):
        rows[name] = {
            "max_abs_p_join_gap": gap,
            "mean_p_join": float(out[f"p_join_{name}"].mean()),
            "total_payment": float(out[f"payment_{name}"].sum()),
            "total_rent": float(out[f"rent_{name}"].sum()),
            "payment_slope": _slope(e, out[f"payment_if_joined_{name}"].to_numpy(float)),
            "rent_slope": _slope(e, out[f"rent_{name}"].to_numpy(float)),
        }
    summary = pd.DataFrame.from_dict(rows, orient="index")
    summary.index.name = "world"
    return IdentificationDemo(candidates=out, summary=summary, price_world=price_world,
                              information_world=info_world)
