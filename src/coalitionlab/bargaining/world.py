"""The `World` a simulation runs in: a lead, a date, candidate partners and the user's assumptions.

A world is built from any frame with ``ccode`` and ``embeddedness`` (e.g. the output of
``coalitionlab.measures.embeddedness(lead, date)``) by :meth:`World.from_frame`. Embeddedness enters
through an explicit :class:`EmbeddednessMapping`:

* price channel: each candidate's prior mean price is ``price_mean * exp(-price_slope * e)``;
* information channel: the lead's signal precision is ``precision_base + precision_slope * e``;

where ``e`` is embeddedness divided by its largest value among the candidates (so ``e`` is in
[0, 1]). When the frame has a ``p_join`` column (a participation model's fitted probabilities), the
mean prices are calibrated instead so that the optimal-offer model reproduces ``p_join`` exactly.
Prices are in model units; ``payment_scale`` (money per unit) is an explicit user assumption,
because participation data alone cannot identify it (see ``docs/bargaining/identification.md``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from coalitionlab._validation import check_option
from coalitionlab.bargaining.offers import _expected
from coalitionlab.bargaining.params import PRIOR_KINDS, NonNegative, Positive, PriorKind, _Params
from coalitionlab.errors import InfeasibleError, MissingValueWarning, PanelTypeError

CANDIDATE_COLUMNS = ["ccode", "country", "embeddedness", "price_mean", "price_scale", "precision", "value", "weight"]


class EmbeddednessMapping(_Params):
    """How embeddedness moves prices and information (all user assumptions, validated).

    Attributes
    ----------
    price_mean : float
        Prior mean price of a candidate with zero embeddedness (of ``log price`` for the lognormal prior).
    price_scale : float
        Prior standard deviation of the price (> 0).
    price_slope : float
        Price channel: the mean falls by the factor ``exp(-price_slope)`` from a candidate with zero
        embeddedness to the most embedded one (``e`` is embeddedness over the candidates' maximum, not
        rescaled from their minimum; for the lognormal prior the log mean falls by ``price_slope``);
        0 switches the channel off; negative makes embedded states dearer.
    precision_base : float
        Information channel: signal precision (relative to the prior's) at zero embeddedness (>= 0).
    precision_slope : float
        Extra precision at the highest embeddedness (>= 0).
    value : float
        The lead's value of one partner's participation, in price units (>= 0).
    """

    price_mean: float = 1.0
    price_scale: Positive = 0.5
    price_slope: float = 0.0
    precision_base: NonNegative = 0.5
    precision_slope: NonNegative = 4.0
    value: NonNegative = 2.0


class _WorldScalars(_Params):
    payment_scale: Positive
    lead_strength: NonNegative
    target_strength: Positive
    decisiveness: Positive


@dataclass(frozen=True)
class World:
    """A lead, a date, candidate partners with their price priors, and the user's assumptions.

    Attributes
    ----------
    lead, date : str
        The lead state and the date of the coalition call.
    candidates : pandas.DataFrame
        One row per candidate: ``ccode, country, embeddedness, price_mean, price_scale, precision,
        value, weight`` (``p_join`` too when calibrated).
    prior : {"normal", "lognormal", "uniform"}
        The price prior family.
    payment_scale : float
        Money per price unit (explicit assumption); costs and rents are reported times this.
    payment_unit : str
        Name of the money unit (e.g. ``"USD"``), or ``"price units"`` when the scale is 1.
    lead_strength, target_strength, decisiveness : float
        Contest success function ``p = K^r / (K^r + T^r)``, ``K = lead_strength + sum of joined weights``.
    is_seed : bool
        Whether the candidates came from the embedded seed data rather than full sources.
    """

    lead: str
    date: str
    candidates: pd.DataFrame
    prior: PriorKind = "normal"
    payment_scale: float = 1.0
    payment_unit: str = "price units"
    lead_strength: float = 1.0
    target_strength: float = 1.0
    decisiveness: float = 1.0
    is_seed: bool = False
    assumptions: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_option(self.prior, PRIOR_KINDS, name="prior")
        missing = [c for c in CANDIDATE_COLUMNS if c not in self.candidates.columns]
        if missing:
            raise PanelTypeError(f"World.candidates lacks columns {missing}; build a World with World.from_frame()")
        if len(self.candidates) == 0:
            raise InfeasibleError("World has no candidate partners")
        # out-of-domain scalars raise pydantic's ValidationError naming the field
        _WorldScalars(payment_scale=self.payment_scale, lead_strength=self.lead_strength,
                      target_strength=self.target_strength, decisiveness=self.decisiveness)

    @property
    def n(self) -> int:
        """Number of candidates."""
        return len(self.candidates)

    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        *,
        lead: str,
        date: str,
        payment_scale: float = 1.0,
        payment_unit: str | None = None,
        prior: PriorKind = "normal",
        mapping: EmbeddednessMapping | None = None,
        weight_column: str | None = None,
        lead_strength: float = 1.0,
        target_strength: float = 1.0,
        decisiveness: float = 1.0,
        calibrate: bool = True,
    ) -> World:
        """Build a world from a frame of candidates with ``ccode`` and ``embeddedness``.

        Parameters
        ----------
        df
            One row per candidate; needs ``ccode`` and ``embeddedness``; ``country``, ``p_join`` and the
            weight column are used when present. The lead itself (if listed) should be dropped first.
        lead, date
            Stored for reporting.
        payment_scale, payment_unit
            Money per price unit and its name (explicit assumptions).
        prior
            Price prior family.
        mapping
            How embeddedness moves prices and precision (default :class:`EmbeddednessMapping()`).
        weight_column
            Column with each candidate's capability or troops; weights are normalised to sum to 1, so
            the whole pool is as strong as a lead of strength 1. Default: equal weights.
        lead_strength, target_strength, decisiveness
            Contest success function parameters.
        calibrate
            When ``p_join`` is present, set each candidate's mean price so the model's acceptance
            probability equals ``p_join`` (the price channel is then replaced by the calibration:
            ``mapping.price_mean`` and ``mapping.price_slope`` are unused, and ``assumptions`` records
            ``price_means_from="p_join"`` instead of them).

        Returns
        -------
        World

        Raises
        ------
        pydantic.ValidationError
            A scalar outside its domain (e.g. ``payment_scale <= 0``), naming the field.
        PanelTypeError
            A required column is missing, or a ``ccode`` is listed twice.
        InfeasibleError
            No candidate is left, or a ``p_join`` cannot be reproduced.

        Examples
        --------
        >>> frame = pd.DataFrame({"ccode": [200, 220, 640], "embeddedness": [90.0, 80.0, 30.0]})
        >>> w = World.from_frame(frame, lead="USA", date="2003-03-20")
        >>> w.candidates[["ccode", "precision"]].round(3).to_dict("list")
        {'ccode': [200, 220, 640], 'precision': [4.5, 4.056, 1.833]}
        """
        check_option(prior, PRIOR_KINDS, name="prior")
        _WorldScalars(payment_scale=payment_scale, lead_strength=lead_strength, target_strength=target_strength,
                      decisiveness=decisiveness)
        mapping = mapping or EmbeddednessMapping()
        missing = [c for c in ("ccode", "embeddedness") if c not in df.columns]
        if weight_column is not None and weight_column not in df.columns:
            missing.append(weight_column)
        if missing:
            raise PanelTypeError(
                f"World.from_frame() needs columns {missing}; pass a frame such as the output of "
                "coalitionlab.measures.embeddedness()"
            )
        dup = df["ccode"].duplicated(keep=False)
        if dup.any():
            raise PanelTypeError(f"World.from_frame(): duplicated ccode {sorted(set(df.loc[dup, 'ccode'].tolist()))}; "
                                 "one row per candidate is needed (a join may have duplicated rows)")
        keep = ["ccode", "embeddedness"] + [c for c in ("country", "p_join") if c in df.columns]
        if weight_column is not None:
            keep.append(weight_column)
        out = df[keep].copy()
        bad = out[["embeddedness"] + ([weight_column] if weight_column else [])].isna().any(axis=1)
        if bad.any():
            warnings.warn(f"World.from_frame(): dropped {int(bad.sum())} candidates with missing embeddedness "
                          "or weight", MissingValueWarning, stacklevel=2)
            out = out.loc[~bad]
        if len(out) == 0:
            raise InfeasibleError("World.from_frame(): no candidate with a known embeddedness")
        emb = out["embeddedness"].to_numpy(float)
        if np.any(emb < 0):
            raise InfeasibleError("World.from_frame(): embeddedness must be >= 0 (it counts agreements and IGOs)")
        top = emb.max()
        e = emb / top if top > 0 else np.zeros_like(emb)
        if "country" not in out.columns:
            out["country"] = out["ccode"].astype(str)
        out["price_mean"] = mapping.price_mean * np.exp(-mapping.price_slope * e)
        if prior == "lognormal":  # the slope acts on the price, i.e. additively on log price
            out["price_mean"] = mapping.price_mean - mapping.price_slope * e
        out["price_scale"] = mapping.price_scale
        out["precision"] = mapping.precision_base + mapping.precision_slope * e
        out["value"] = mapping.value
        if weight_column is None:
            out["weight"] = 1.0 / len(out)
        else:
            w = out[weight_column].to_numpy(float)
            if np.any(w < 0) or w.sum() <= 0:
                raise InfeasibleError(f"weight column {weight_column!r} must be >= 0 with a positive sum")
            out["weight"] = w / w.sum()
        assumptions = mapping.model_dump()
        if calibrate and "p_join" in out.columns:
            out["price_mean"] = calibrate_price_means(
                out["p_join"].to_numpy(float), prior=prior, scale=out["price_scale"].to_numpy(float),
                precision=out["precision"].to_numpy(float), value=out["value"].to_numpy(float))
            # the calibration replaces the price channel: record where the means came from, not unused values
            del assumptions["price_mean"], assumptions["price_slope"]
            assumptions["price_means_from"] = "p_join"
        cols = CANDIDATE_COLUMNS + (["p_join"] if "p_join" in out.columns else [])
        out = out[cols].reset_index(drop=True)
        return cls(
            lead=str(lead), date=str(date), candidates=out, prior=prior, payment_scale=float(payment_scale),
            payment_unit=payment_unit or ("price units" if payment_scale == 1 else "money units"),
            lead_strength=float(lead_strength), target_strength=float(target_strength),
            decisiveness=float(decisiveness), is_seed=bool(df.attrs.get("is_seed", False)),
            assumptions=assumptions,
        )

    def expected(self, *, nodes: int = 80) -> pd.DataFrame:
        """Exact (quadrature) per-candidate outcomes of the optimal offer: acceptance, payment, rent ...

        Returns
        -------
        pandas.DataFrame
            ``ccode, country, embeddedness`` and the columns of
            :func:`coalitionlab.bargaining.offers.expected_outcomes` (money columns times ``payment_scale``).
        """
        c = self.candidates
        vals = _expected(self.prior, c["value"], c["price_mean"], c["price_scale"], c["precision"], nodes=nodes)
        out = c[["ccode", "country", "embeddedness"]].copy()
        names = ("value", "acceptance", "payment", "rent", "efficiency_loss", "full_information_value")
        for name, v in zip(names, vals, strict=True):
            out[name] = v if name == "acceptance" else v * self.payment_scale
        out.attrs = {"unit": "candidate", "lead": self.lead, "date": self.date, "prior": self.prior,
                     "payment_scale": self.payment_scale, "payment_unit": self.payment_unit, "is_seed": self.is_seed}
        return out


def calibrate_price_means(p_join, *, prior: str, scale, precision, value, nodes: int = 80,
                          tol: float = 1e-12, max_iterations: int = 100) -> np.ndarray:
    """Mean prices at which the optimal offer is accepted with probability ``p_join`` (vectorised).

    Acceptance falls as the mean price rises (the offer problem only shifts), so each mean is the root
    of ``acceptance(mean) - p_join`` on a bracket around the value (6, else 40 or 400 prior sds wide),
    found by the Illinois variant of false position (bracketing, superlinear).

    Raises
    ------
    InfeasibleError
        A ``p_join`` outside (0, 1) or not reachable on the bracket.
    """
    p = np.asarray(p_join, float)
    if np.any(~np.isfinite(p)):
        raise InfeasibleError(f"p_join must lie strictly between 0 and 1 to calibrate prices; "
                              f"{int(np.sum(~np.isfinite(p)))} missing or infinite")
    if np.any((p <= 0) | (p >= 1)):
        raise InfeasibleError("p_join must lie strictly between 0 and 1 to calibrate prices; "
                              f"got values in [{p.min():g}, {p.max():g}]")
    scale, precision, value, p = np.broadcast_arrays(np.asarray(scale, float), np.asarray(precision, float),
                                                     np.asarray(value, float), p)

    def gap(mean: np.ndarray, idx: np.ndarray) -> np.ndarray:
        return _expected(prior, value[idx], mean, scale[idx], precision[idx], nodes=nodes)[1] - p[idx]

    every = np.arange(len(p))
    centre = np.log(np.maximum(value, 1e-300)) if prior == "lognormal" else value
    # a narrow bracket first (false position converges faster on it), widened where it misses the root
    lo, hi = centre - 6.0 * scale, centre + 6.0 * scale
    f_lo, f_hi = gap(lo, every), gap(hi, every)
    for width in (40.0, 400.0):
        miss = np.flatnonzero((f_lo < 0) | (f_hi > 0))
        if miss.size == 0:
            break
        lo[miss], hi[miss] = centre[miss] - width * scale[miss], centre[miss] + width * scale[miss]
        f_lo[miss], f_hi[miss] = gap(lo[miss], miss), gap(hi[miss], miss)
    if np.any(f_lo < 0) or np.any(f_hi > 0):
        raise InfeasibleError("p_join cannot be reproduced by the offer model for some candidates "
                              "(acceptance probabilities out of reach on the price bracket)")
    x = 0.5 * (lo + hi)
    side = np.zeros(len(p), np.int8)  # which end moved last: -1 the upper, +1 the lower
    active = every
    for _ in range(max_iterations):
        a, b, fa, fb = lo[active], hi[active], f_lo[active], f_hi[active]
        c = b - fb * (b - a) / (fb - fa)
        c = np.where(np.isfinite(c) & (c > a) & (c < b), c, 0.5 * (a + b))
        fc = gap(c, active)
        x[active] = c
        upper = fc < 0  # the root lies below c: c becomes the upper end
        last = side[active]
        hi[active] = np.where(upper, c, b)
        f_hi[active] = np.where(upper, fc, np.where(last == 1, 0.5 * fb, fb))  # Illinois halving
        lo[active] = np.where(upper, a, c)
        f_lo[active] = np.where(upper, np.where(last == -1, 0.5 * fa, fa), fc)
        side[active] = np.where(upper, -1, 1)
        done = (np.abs(fc) <= tol) | (b - a <= 1e-13 * np.maximum(1.0, np.abs(c)))
        active = active[~done]
        if active.size == 0:
            break
    return x
