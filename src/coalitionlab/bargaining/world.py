"""The `World` a simulation runs in: a lead, a date, candidate partners and the user's assumptions.

A world is built from any frame with ``ccode`` and ``embeddedness`` (e.g. the output of
``coalitionlab.measures.embeddedness(lead, date)`` or of
:func:`coalitionlab.bargaining.channels.candidate_frame`) by :meth:`World.from_frame`. Embeddedness is
put on one absolute scale (:func:`coalitionlab.bargaining.channels.scale_components`:
``e_c = 1 - exp(-count_c / k_c)`` per component, ``e`` their mean, fixed constants), so worlds of
different leads and dates are comparable, and enters through

* the price channel: each candidate's prior mean price is ``price_mean * exp(-price_slope * e)``;
* Henke's four channels, each switchable (:data:`coalitionlab.bargaining.channels.CHANNELS`):
  information (signal precision ``precision_base + precision_slope * e``, optionally biased),
  linkage, credibility and brokers (see ``docs/bargaining/channels.md``).

Each candidate's value to the lead is its marginal contribution to the contest success probability
times the value of success (:class:`~coalitionlab.bargaining.channels.PartnerValuation`), at the
coalition the lead expects (a fixed point of values and acceptance probabilities). When the frame has
a ``p_join`` column (a participation model's fitted probabilities), the mean prices are calibrated so
that the model reproduces ``p_join`` exactly with the world's channels (default: every available one),
an unbiased lead and one offer. This happens once: the world's prices are then fixed, and
``simulate``/``expected``/``effective`` with ``channels=...`` switch channels off in this same world
(as do the rotten-carrot bias and re-offers of ``ChannelParams``). Prices are in model units;
``payment_scale`` (money per unit) is an explicit user assumption, because participation data alone
cannot identify it (see ``docs/bargaining/identification.md``).

``scale="max"`` keeps the first edition's scale (embeddedness over its largest value among the
candidates, for the price and information channels) and ``valuation="fixed"`` its fixed value per
partner; both are kept for backward compatibility only (labelled legacy).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from coalitionlab._validation import check_option
from coalitionlab.bargaining.channels import (
    CHANNELS,
    ChannelParams,
    PartnerValuation,
    _outcomes,
    _reoffer_outcomes,
    check_channels,
    credibility_factor,
    linkage_costs,
    marginal_values,
    partner_contributions,
    scale_components,
    win_probability,
)
from coalitionlab.bargaining.params import (
    PRIOR_KINDS,
    NonNegative,
    NonNegativePriceLevel,
    Positive,
    Precision,
    PriceLevel,
    PriorKind,
    Slope,
    _Params,
)
from coalitionlab.errors import CoalitionlabWarning, InfeasibleError, MissingValueWarning, PanelTypeError

CANDIDATE_COLUMNS = ["ccode", "country", "embeddedness", "price_mean", "price_scale", "precision", "value", "weight"]
Scale = Literal["absolute", "max"]


class ChannelWarning(CoalitionlabWarning):
    """A requested channel cannot run in this world (e.g. brokers without a ``broker`` column)."""


class EmbeddednessMapping(_Params):
    """How embeddedness moves prices and information (all user assumptions, validated).

    Attributes
    ----------
    price_mean : float
        Prior mean price of a candidate with zero embeddedness (of ``log price`` for the lognormal prior).
    price_scale : float
        Prior standard deviation of the price (> 0).
    price_slope : float
        Price channel: the mean is ``price_mean * exp(-price_slope * e)`` (``e`` the absolute
        embeddedness in [0, 1); for the lognormal prior the log mean falls by ``price_slope * e``);
        0 switches the channel off; negative makes embedded states dearer.
    precision_base : float
        Information channel: signal precision (relative to the prior's) at zero embeddedness (>= 0);
        the precision of every candidate when the channel is off.
    precision_slope : float
        Extra precision at ``e = 1`` (>= 0).
    value : float
        With ``valuation="fixed"`` (legacy) the lead's value of every partner; otherwise, unless
        ``PartnerValuation.mission_value`` is given, the value of the average candidate joining the lead
        alone (it sets the value of success). Price units (>= 0).
    """

    price_mean: PriceLevel = 1.0
    price_scale: Positive = 0.5
    price_slope: Slope = 0.0
    precision_base: Precision = 0.5
    precision_slope: Precision = 4.0
    value: NonNegativePriceLevel = 2.0


class _WorldScalars(_Params):
    payment_scale: Positive
    lead_strength: NonNegative
    target_strength: Positive
    decisiveness: Positive


def check_world_scalars(*, payment_scale: float = 1.0, lead_strength: float = 1.0, target_strength: float = 1.0,
                        decisiveness: float = 1.0) -> None:
    """Validate a world's scalars before any data are read (pydantic's ValidationError names the field).

    Examples
    --------
    >>> check_world_scalars(payment_scale=2.0)
    """
    _WorldScalars(payment_scale=payment_scale, lead_strength=lead_strength, target_strength=target_strength,
                  decisiveness=decisiveness)


@dataclass(frozen=True)
class World:
    """A lead, a date, candidate partners with their price priors, and the user's assumptions.

    Attributes
    ----------
    lead, date : str
        The lead state and the date of the coalition call.
    candidates : pandas.DataFrame
        One row per candidate: ``ccode, country, embeddedness, price_mean, price_scale, precision,
        value, weight`` (``precision`` with the information channel on, ``value`` the lead's value of
        the candidate with the world's channels), ``e`` and ``e_<component>`` (absolute scale),
        ``personnel, capability, regional`` (what it brings), ``broker, broker_ccode`` when given, and
        ``p_join`` when calibrated.
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
    assumptions : dict
        The mapping, the valuation, the channel constants and where the inputs came from.
    channels : tuple of str
        The channels ``simulate`` and ``expected`` use by default (those available among the requested).
    channel_params : ChannelParams
        The channels' constants.
    mission_value : float or None
        The lead's value of success (price units); ``None`` with the legacy fixed values.
    notes : dict
        Why a channel is unavailable, where personnel and capabilities came from.
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
    channels: tuple[str, ...] = ("information",)
    channel_params: ChannelParams = field(default_factory=ChannelParams)
    mission_value: float | None = None
    notes: dict[str, str] = field(default_factory=dict)
    _values_cache: dict = field(default_factory=dict, repr=False, compare=False)

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
        check_channels(self.channels)
        if self.channel_params.max_offers > 1 and self.prior != "normal":
            raise InfeasibleError(f"re-offers (ChannelParams.max_offers > 1) are implemented for the normal prior; "
                                  f"got prior {self.prior!r}")

    @property
    def n(self) -> int:
        """Number of candidates."""
        return len(self.candidates)

    @property
    def available_channels(self) -> tuple[str, ...]:
        """Channels this world can run (brokers need a ``broker`` column)."""
        return tuple(c for c in CHANNELS if c != "brokers" or "broker" in self.candidates.columns)

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
        channels: str | tuple[str, ...] | list[str] | None = "all",
        channel_params: ChannelParams | None = None,
        valuation: PartnerValuation | Literal["fixed"] | None = None,
        target_ccode: int | None = None,
        scale: Scale = "absolute",
    ) -> World:
        """Build a world from a frame of candidates with ``ccode`` and ``embeddedness``.

        Parameters
        ----------
        df
            One row per candidate; needs ``ccode`` and ``embeddedness``. Used when present:
            ``country``, ``p_join``, the embeddedness components (``alliances``, ``treaties_bilateral``,
            ``igos`` ...), ``peak_personnel``, ``milper``, ``cinc``, named capability columns
            (:data:`~coalitionlab.bargaining.channels.CAPABILITY_COLUMNS`), ``broker`` (in [0, 1)) and
            ``broker_ccode`` (from ``coalitionlab.measures.network``), and the weight column. The lead
            itself (if listed) should be dropped first.
        lead, date
            Stored for reporting.
        payment_scale, payment_unit
            Money per price unit and its name (explicit assumptions).
        prior
            Price prior family.
        mapping
            Price and information constants (default :class:`EmbeddednessMapping()`).
        weight_column
            Column with each candidate's contest contribution (e.g. troops), normalised to sum to
            ``pool_strength``; default: personnel, capability and legitimacy (``valuation``).
        lead_strength, target_strength, decisiveness
            Contest success function parameters.
        calibrate
            When ``p_join`` is present, set each candidate's mean price so the model's acceptance
            probability with the world's channels, an unbiased lead and one offer equals ``p_join`` (the
            price channel is then replaced by the calibration: ``assumptions`` records
            ``price_means_from="p_join"`` and ``calibrated_with``). Done once: channels switched off
            later, the bias and re-offers never change these prices.
        channels
            The channels the world is calibrated with and runs by default: ``"all"`` (those available;
            the natural choice: then pass subsets to ``simulate``/``expected`` to switch channels off in
            this fixed world), ``"none"`` or names. A requested
            channel the frame cannot support (brokers without ``broker``) is dropped with a
            :class:`ChannelWarning` and recorded in ``notes``.
        channel_params
            Channel constants (default :class:`~coalitionlab.bargaining.channels.ChannelParams()`).
        valuation
            What partners bring and what success is worth (default ``PartnerValuation()``); ``"fixed"``:
            the legacy fixed value ``mapping.value`` per partner (the win probability changes no decision).
        target_ccode
            The target state: candidates in its region bring regional legitimacy (default:
            ``df.attrs["target_ccode"]`` when set, else no legitimacy term).
        scale
            ``"absolute"`` (default) or ``"max"``: legacy, ``e`` = embeddedness over its largest value
            among the candidates for the price and information channels (worlds not comparable).

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
            No candidate is left, a ``broker`` outside [0, 1), or a ``p_join`` cannot be reproduced.
        UnknownOptionError
            An unknown channel, prior or scale.

        Examples
        --------
        >>> frame = pd.DataFrame({"ccode": [200, 220, 640], "embeddedness": [90.0, 80.0, 30.0]})
        >>> w = World.from_frame(frame, lead="USA", date="2003-03-20")
        >>> w.candidates[["ccode", "e", "precision"]].round(3).to_dict("list")
        {'ccode': [200, 220, 640], 'e': [0.805, 0.766, 0.42], 'precision': [3.721, 3.566, 2.182]}
        >>> w.channels
        ('information', 'linkage', 'credibility')
        """
        check_option(prior, PRIOR_KINDS, name="prior")
        check_option(scale, ["absolute", "max"], name="scale")
        _WorldScalars(payment_scale=payment_scale, lead_strength=lead_strength, target_strength=target_strength,
                      decisiveness=decisiveness)
        mapping = mapping or EmbeddednessMapping()
        params = channel_params or ChannelParams()
        requested = check_channels(channels)
        fixed = isinstance(valuation, str)
        if fixed:
            check_option(valuation, ["fixed"], name="valuation")
        val = None if fixed else (valuation or PartnerValuation())
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
        out = df.copy()
        bad = out[["embeddedness"] + ([weight_column] if weight_column else [])].isna().any(axis=1)
        if bad.any():
            warnings.warn(f"World.from_frame(): dropped {int(bad.sum())} candidates with missing embeddedness "
                          "or weight", MissingValueWarning, stacklevel=2)
            out = out.loc[~bad]
        if len(out) == 0:
            raise InfeasibleError("World.from_frame(): no candidate with a known embeddedness")
        out = out.reset_index(drop=True)
        emb = out["embeddedness"].to_numpy(float)
        if np.any(emb < 0):
            raise InfeasibleError("World.from_frame(): embeddedness must be >= 0 (it counts agreements and IGOs)")
        if "country" not in out.columns:  # the name every output uses; a code COW does not know stays a number
            out["country"] = out["ccode"].map(_name_or_code)
        notes: dict[str, str] = {}
        scaled = scale_components(out, params.constants())
        if scale == "max":  # legacy: relative to the world's most embedded candidate
            top = emb.max()
            e_price = emb / top if top > 0 else np.zeros_like(emb)
        else:
            e_price = scaled["e"].to_numpy(float)
        if "broker" in out.columns:
            b = pd.to_numeric(out["broker"], errors="coerce").to_numpy(float)
            if np.any((b < 0) | (b >= 1)):
                raise InfeasibleError("World.from_frame(): broker scores must lie in [0, 1) (the absolute scale)")
            if np.isnan(b).any():  # no broker score: no discount, and said so
                notes["broker_missing"] = (f"{int(np.isnan(b).sum())} of {len(b)} candidates have no value in "
                                           "broker: counted as 0 (no broker discount)")
            out["broker"] = np.nan_to_num(b, nan=0.0)
            if "broker_ccode" not in out.columns:
                out["broker_ccode"] = pd.NA
        else:
            notes["brokers"] = ("off: the frame has no broker column (coalitionlab.measures.network gives "
                                "broker and broker_ccode)")
        chosen = tuple(c for c in requested if c != "brokers" or "broker" in out.columns)
        if "brokers" in requested and "brokers" not in chosen and channels not in ("all", None):
            warnings.warn(f"World.from_frame(): channel brokers is {notes['brokers']}", ChannelWarning, stacklevel=2)
        out["price_mean"] = mapping.price_mean * np.exp(-mapping.price_slope * e_price)
        if prior == "lognormal":  # the slope acts on the price, i.e. additively on log price
            out["price_mean"] = mapping.price_mean - mapping.price_slope * e_price
        out["price_scale"] = mapping.price_scale
        out["precision"] = mapping.precision_base + mapping.precision_slope * e_price
        for col in scaled.columns:
            out[col] = scaled[col].to_numpy()
        out["e_information"] = e_price
        target = target_ccode if target_ccode is not None else df.attrs.get("target_ccode")
        if val is not None:
            contrib, value_notes = partner_contributions(out, val, target_ccode=target)
            notes.update(value_notes)
            for col in ("personnel", "capability", "regional"):
                out[col] = contrib[col].to_numpy()
        if weight_column is None:
            out["weight"] = (contrib["weight"].to_numpy() if val is not None else np.full(len(out), 1.0 / len(out)))
        else:
            w = out[weight_column].to_numpy(float)
            if np.any(w < 0) or w.sum() <= 0:
                raise InfeasibleError(f"weight column {weight_column!r} must be >= 0 with a positive sum")
            out["weight"] = w / w.sum() * (val.pool_strength if val is not None else 1.0)
            notes["weight"] = f"column {weight_column}"
        weight = out["weight"].to_numpy(float)
        mission_value = None
        if val is not None:
            if val.mission_value is not None:
                mission_value = float(val.mission_value)
            else:
                alone = (win_probability(lead_strength + weight, target_strength, decisiveness)
                         - win_probability(lead_strength, target_strength, decisiveness)).mean()
                if not alone > 0:
                    raise InfeasibleError("World.from_frame(): no candidate adds to the win probability; give "
                                          "PartnerValuation(mission_value=...) or positive weights")
                mission_value = mapping.value / alone
        out["value"] = mapping.value
        assumptions = mapping.model_dump()
        if fixed:
            assumptions["valuation"] = "fixed (legacy: every partner is worth value)"
        else:
            assumptions["valuation"] = val.model_dump()
            assumptions["mission_value"] = mission_value
            if val.mission_value is not None:
                del assumptions["value"]
        assumptions["scale"] = ("absolute" if scale == "absolute"
                                else "max (legacy: embeddedness / its largest value among the candidates)")
        assumptions["scale_constants"] = scaled.attrs["constants"]
        assumptions["channels"] = list(chosen)
        assumptions["channel_params"] = {"bias_slope": params.bias_slope, "max_offers": params.max_offers,
                                         "reoffer_cost": params.reoffer_cost, "broker_discount": params.broker_discount,
                                         "commitment": params.commitment.model_dump(),
                                         "instruments": [i.model_dump() for i in params.instruments]}
        if target is not None:
            assumptions["target_ccode"] = int(target)
        world = cls(
            lead=str(lead), date=str(date), candidates=out, prior=prior, payment_scale=float(payment_scale),
            payment_unit=payment_unit or ("price units" if payment_scale == 1 else "money units"),
            lead_strength=float(lead_strength), target_strength=float(target_strength),
            decisiveness=float(decisiveness), is_seed=bool(df.attrs.get("is_seed", False)),
            assumptions=assumptions, channels=chosen, channel_params=params, mission_value=mission_value,
            notes=notes,
        )
        assumptions["calibrated_with"] = None
        if calibrate and "p_join" in out.columns:
            # the world's true prices: fixed once, with the world's channels (default: every available one),
            # one offer and an unbiased lead. Switching channels off (simulate/expected/effective with
            # channels=...), the rotten carrot and re-offers are then experiments in this same world.
            p_join = out["p_join"].to_numpy(float)
            eff = world._inputs(chosen)
            value = (marginal_values(weight, p_join, mission_value=mission_value, lead_strength=lead_strength,
                                     target_strength=target_strength, decisiveness=decisiveness)
                     if mission_value is not None else eff["value"])
            out["price_mean"] = calibrate_price_means(
                p_join, prior=prior, scale=out["price_scale"].to_numpy(float), precision=eff["precision"],
                value=value / eff["unit_cost"], bias=0.0)
            # the calibration replaces the price channel: record where the means came from, not unused values
            del assumptions["price_mean"], assumptions["price_slope"]
            assumptions["price_means_from"] = "p_join"
            assumptions["calibrated_with"] = {"channels": list(chosen), "bias_slope": 0.0, "max_offers": 1}
        if mission_value is not None:
            out["value"] = world._cached_values(chosen, world._inputs(chosen))
        return world

    def _cached_values(self, channels: tuple[str, ...], inputs: dict[str, np.ndarray]) -> np.ndarray:
        """:meth:`_values`, computed once per channel set (a world's inputs do not change)."""
        if channels not in self._values_cache:
            self._values_cache[channels] = self._values(channels, inputs)
        return self._values_cache[channels].copy()

    # ---------------------------------------------------------------- channels

    def _inputs(self, channels: tuple[str, ...]) -> dict[str, np.ndarray]:
        """Per-candidate precision, bias, unit cost (and its factors) with ``channels`` on."""
        c, p = self.candidates, self.channel_params
        if "e" not in c.columns:  # a World built by hand: the absolute scale of its total
            c = c.assign(e=scale_components(c, p.constants())["e"].to_numpy())
        e = c["e"].to_numpy(float)
        e_info = c["e_information"].to_numpy(float) if "e_information" in c.columns else e
        base = float(self.assumptions.get("precision_base", c["precision"].min()))
        info = "information" in channels
        precision = c["precision"].to_numpy(float) if info else np.full(self.n, base)
        bias = p.bias_slope * e_info * c["price_scale"].to_numpy(float) if info else np.zeros(self.n)
        links = linkage_costs(c, p.instruments)
        if "linkage" in channels:
            link, instrument = links["linkage_cost"].to_numpy(float), links["instrument"].to_numpy(object)
        else:  # only the always-open instruments (aid)
            always = [i for i in p.instruments if not i.components]
            best = min(always, key=lambda i: i.base_cost)
            link, instrument = np.full(self.n, best.base_cost), np.full(self.n, best.name, dtype=object)
        rho, cred = credibility_factor(e if "credibility" in channels else np.zeros(self.n), p.commitment)
        brokers = "brokers" in channels and "broker" in c.columns
        broker = 1.0 - p.broker_discount * c["broker"].to_numpy(float) if brokers else np.ones(self.n)
        unit = link * cred * broker
        return {"precision": precision, "bias": bias, "linkage_cost": link, "instrument": instrument,
                "credibility": rho, "credibility_cost": cred, "broker_factor": broker,
                "unit_cost": unit, "value": c["value"].to_numpy(float),
                "reoffer_in_value": np.full(self.n, float(p.reoffer_cost)) / unit}  # in units of value to the partner

    def _values(self, channels: tuple[str, ...], inputs: dict[str, np.ndarray], *, nodes: int = 80) -> np.ndarray:
        """Values at the fixed point: each candidate's marginal contribution at the coalition strength
        expected when every candidate answers the optimal offer made with those values.

        The strength ``S`` of the joined candidates solves ``S = sum_j w_j a_j(V(S))`` (one equation in
        one unknown, Brent's method on ``[0, sum w]``; the right side falls with ``S`` when the contest
        function is concave, ``decisiveness <= 1``, so the root is then unique).
        """
        from scipy.optimize import brentq

        c = self.candidates
        weight = c["weight"].to_numpy(float)
        kw = {"mission_value": self.mission_value, "lead_strength": self.lead_strength,
              "target_strength": self.target_strength, "decisiveness": self.decisiveness}
        mean, scale = c["price_mean"].to_numpy(float), c["price_scale"].to_numpy(float)
        total = float(weight.sum())

        def values(strength: float) -> np.ndarray:
            return marginal_values(weight, np.full(self.n, strength / total if total > 0 else 0.0), **kw)

        def gap(strength: float) -> float:
            a = _outcomes(self.prior, values(strength) / inputs["unit_cost"], mean, scale, inputs["precision"],
                          inputs["bias"], nodes=nodes, max_offers=self.channel_params.max_offers,
                          reoffer_cost=inputs["reoffer_in_value"])[1]
            return float(a @ weight) - strength

        if total <= 0:
            return values(0.0)
        lo, hi = gap(0.0), gap(total)
        if lo <= 0:
            return values(0.0)
        if hi >= 0:
            return values(total)
        return values(brentq(gap, 0.0, total, xtol=1e-13 * max(1.0, total), rtol=1e-13, maxiter=200))

    def effective(self, channels: str | tuple[str, ...] | list[str] | None = None) -> pd.DataFrame:
        """Each candidate's inputs to the offer problem with ``channels`` on (default: the world's).

        Returns
        -------
        pandas.DataFrame
            ``ccode, country, e, precision, bias, instrument, linkage_cost, credibility, credibility_cost,
            broker_factor, unit_cost, weight, value``: ``unit_cost`` is the lead's cost per unit of value
            to the partner (linkage x credibility x brokers; 1 with every channel off) and ``value`` the
            lead's value of the candidate (price units). ``attrs["channels"]`` lists the channels used,
            ``attrs["off"]`` the requested channels this world cannot run and why.
        """
        used, off = self._resolve(channels)
        inputs = self._inputs(used)
        if self.mission_value is not None:
            inputs["value"] = self._cached_values(used, inputs)
        c = self.candidates
        out = c[["ccode", "country"]].copy()
        out["e"] = c["e"].to_numpy(float) if "e" in c.columns else scale_components(c)["e"].to_numpy()
        for name in ("precision", "bias", "instrument", "linkage_cost", "credibility", "credibility_cost",
                     "broker_factor", "unit_cost"):
            out[name] = inputs[name]
        out["weight"] = c["weight"].to_numpy(float)
        out["value"] = inputs["value"]
        out.attrs = {"channels": list(used), "off": off}
        return out

    def _resolve(self, channels) -> tuple[tuple[str, ...], dict[str, str]]:
        if channels is None:
            return self.channels, {}
        explicit = not (isinstance(channels, str) and channels.strip().lower() == "all")
        asked = check_channels(channels)
        off: dict[str, str] = {}
        if "brokers" in asked and "broker" not in self.candidates.columns:
            off["brokers"] = self.notes.get("brokers", "off: no broker column")
            if explicit:
                warnings.warn(f"channel brokers is {off['brokers']}", ChannelWarning, stacklevel=3)
        return tuple(ch for ch in asked if ch not in off), off

    def expected(self, *, nodes: int = 80, channels: str | tuple[str, ...] | list[str] | None = None) -> pd.DataFrame:
        """Exact (quadrature) per-candidate outcomes of the optimal offer: acceptance, payment, rent ...

        Parameters
        ----------
        nodes
            Quadrature nodes over the signal.
        channels
            Channels on (default: the world's).

        Returns
        -------
        pandas.DataFrame
            ``ccode, country, embeddedness``, ``unit_cost`` and the columns of
            :func:`coalitionlab.bargaining.offers.expected_outcomes` in the lead's cost units (the
            partner-value amounts times ``unit_cost``), money columns times ``payment_scale``, then
            ``reoffers`` (expected number of re-offers, ``ChannelParams.max_offers``) and ``reoffer_cost``
            (what they cost the lead). ``value`` is net of ``reoffer_cost``:
            ``value + rent + efficiency_loss + reoffer_cost = full_information_value``.
        """
        eff = self.effective(channels)
        c = self.candidates
        gamma = eff["unit_cost"].to_numpy(float)
        params = self.channel_params
        vals = _reoffer_outcomes(self.prior, eff["value"].to_numpy(float) / gamma, c["price_mean"], c["price_scale"],
                                 eff["precision"], eff["bias"], nodes=nodes, max_offers=params.max_offers,
                                 reoffer_cost=params.reoffer_cost / gamma)
        out = c[["ccode", "country", "embeddedness"]].copy()
        out["unit_cost"] = gamma
        names = ("value", "acceptance", "payment", "rent", "efficiency_loss", "full_information_value", "reoffers")
        for name, v in zip(names, vals, strict=True):
            out[name] = v if name in ("acceptance", "reoffers") else v * gamma * self.payment_scale
        out["reoffer_cost"] = out["reoffers"] * params.reoffer_cost * self.payment_scale
        out.attrs = {"unit": "candidate", "lead": self.lead, "date": self.date, "prior": self.prior,
                     "payment_scale": self.payment_scale, "payment_unit": self.payment_unit, "is_seed": self.is_seed,
                     "channels": eff.attrs["channels"], "channels_off": eff.attrs["off"]}
        return out


def calibrate_price_means(p_join, *, prior: str, scale, precision, value, bias=0.0, nodes: int = 80,
                          tol: float = 1e-12, max_iterations: int = 100) -> np.ndarray:
    """Mean prices at which the optimal offer is accepted with probability ``p_join`` (vectorised).

    Acceptance falls as the mean price rises (the offer problem only shifts), so each mean is the root
    of ``acceptance(mean) - p_join`` on a bracket around the value (6, else 40 or 400 prior sds wide),
    found by the Illinois variant of false position (bracketing, superlinear).

    ``bias`` (default 0) is the rotten-carrot bias of the lead's signal
    (:class:`~coalitionlab.bargaining.channels.ChannelParams`); with a bias the acceptance is the exact
    biased one (normal and lognormal priors).

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
    scale, precision, value, bias, p = np.broadcast_arrays(np.asarray(scale, float), np.asarray(precision, float),
                                                           np.asarray(value, float), np.asarray(bias, float), p)

    def gap(mean: np.ndarray, idx: np.ndarray) -> np.ndarray:
        return _outcomes(prior, value[idx], mean, scale[idx], precision[idx], bias[idx], nodes=nodes)[1] - p[idx]

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


def _name_or_code(ccode: object) -> str:
    from coalitionlab.data.countries import country_name
    from coalitionlab.errors import UnknownCountryError

    try:
        return str(country_name(int(ccode)))
    except (UnknownCountryError, TypeError, ValueError):
        return str(ccode)
