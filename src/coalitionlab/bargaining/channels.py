"""Henke's four channels on one absolute embeddedness scale, and what a partner brings to the mission.

Embeddedness gives the pivotal state (a) information about each state's price, (b) issue linkages
through which to pay, (c) credibility for its promises and (d) brokers who can carry a deal
(Henke 2019). This module puts every component of embeddedness on one **absolute** scale,

    e_c = 1 - exp(-count_c / k_c),

with fixed constants ``k_c`` (:data:`SCALE_CONSTANTS`) that do not depend on the other candidates of a
world, so a USA-2003 world and a France-2013 world are comparable; the composite ``e`` is the mean of
the components present. It then gives each channel's per-candidate input:

* ``information``: the lead's signal precision ``precision_base + precision_slope * e`` and, with the
  rotten-carrot option, a bias of the signal ``bias_slope * e * price_scale`` (the lead under-estimates
  the price of the most embedded, offers too little, is refused and re-offers, at a cost, or fails:
  ``ChannelParams.max_offers``, ``reoffer_cost``);
* ``linkage``: the cheapest open instrument's cost per unit of value to the partner
  (:func:`linkage_costs`; an instrument is open only when the candidate shares its component with
  the lead, and its cost falls with that component);
* ``credibility``: the cost factor ``min(1, beta / rho(e))`` of paying by promise
  (:func:`coalitionlab.bargaining.commitment.credibility`, :func:`~coalitionlab.bargaining.commitment.recruitment_cost`);
* ``brokers``: the factor ``1 - broker_discount * broker`` from a third state embedded with both
  (the ``broker`` column of the frame, from ``coalitionlab.measures.network``; off when absent).

and what a partner is worth to the mission (:func:`partner_contributions`, :func:`marginal_values`):
its contest strength from personnel, named capabilities and regional legitimacy, and the lead's value
of it, the rise in the contest success probability it brings times the value of success.

Assumption: the constants ``k_c`` of the default components are the 90th percentiles of the positive
counts over every (coalition, candidate) pair of the full participation panel, 1950-2024, so they use
data later than some of the dates a world is built for (with the coalitions before 2003-03-20 alone
they would be 2, 5, 47 and 49 instead of 2, 4, 50 and 55). They are scale constants, not estimates of
any coalition's outcome; :func:`scale_constants_from_panel` recomputes them, for any cut-off date::

    from coalitionlab.models import participation_data
    panel = participation_data(data_dir="../shared/data", source="full")
    scale_constants_from_panel(panel), scale_constants_from_panel(panel, until="2003-03-20")

The total's constant is :data:`coalitionlab.measures.network.TIE_SCALE`, the network's tie scale, so
the channels and the broker network read a count of ties on one scale.

See ``docs/bargaining/channels.md`` for the equations and the constants' justification.

References
----------
Henke, M. E. (2019). *Constructing Allied Cooperation: Diplomacy, Payments, and Power in Multilateral
Military Coalitions*. Cornell University Press.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from coalitionlab.bargaining.commitment import CommitmentParams, credibility, recruitment_cost
from coalitionlab.bargaining.offers import (
    _expected,
    _hermite,
    _lognormal_pieces,
    _normal_pieces,
    _offer_lognormal,
    _offer_normal,
)
from coalitionlab.bargaining.params import NonNegative, Positive, _Params
from coalitionlab.errors import InfeasibleError, PanelTypeError, UnknownOptionError
from coalitionlab.measures.network import TIE_SCALE

__all__ = ["CHANNELS", "SCALE_CONSTANTS", "CAPABILITY_COLUMNS", "ChannelParams", "LinkageInstrument",
           "PartnerValuation", "absolute_scale", "add_broker_scores", "add_capabilities", "candidate_frame",
           "check_channels", "default_linkage_instruments", "linkage_costs", "marginal_values",
           "partner_contributions", "scale_components", "scale_constants_from_panel", "win_probability"]

#: The switchable channels, in Henke's order.
CHANNELS: tuple[str, ...] = ("information", "linkage", "credibility", "brokers")

#: ``k_c`` of ``e_c = 1 - exp(-count_c / k_c)``: the count at which a component reaches 1 - 1/e = 0.63 of
#: the scale. For the three default components and the total, ``k_c`` is the 90th percentile of the
#: positive counts over the 16,060 (coalition, candidate) pairs of the participation panel (every lead,
#: 1950-2024; alliances 2, bilateral treaties 4, joint IGOs 52, total 55), rounded: a tie as strong as
#: the top tenth of the ties of its kind sits at 0.63. The total's constant is the tie network's
#: :data:`~coalitionlab.measures.network.TIE_SCALE` (one scale, defined there). An assumption: the panel
#: runs past many simulated dates (:func:`scale_constants_from_panel` recomputes the constants up to
#: any date). The other components are not in the default measure and their constants are assumptions
#: set by analogy (labelled as such in the docs).
SCALE_CONSTANTS: dict[str, float] = {
    "alliances": 2.0,
    "treaties_bilateral": 4.0,
    "igos": 50.0,
    "embeddedness": TIE_SCALE,
    "treaties_multilateral": 50.0,
    "trade_agreements": 2.0,
    "investment_treaties": 1.0,
    "defense_pacts": 2.0,
    "exercises": 3.0,
}
#: Components (not the total) whose scaled values make up the composite ``e``.
_COMPONENTS = tuple(k for k in SCALE_CONSTANTS if k != "embeddedness")

#: Named capability columns read from a frame (booleans or ordinal levels >= 0).
CAPABILITY_COLUMNS: tuple[str, ...] = ("airlift", "sealift", "naval_escort", "isr", "air_refuelling",
                                       "special_forces", "medical", "engineering", "mine_countermeasures")


def absolute_scale(count, k: float) -> np.ndarray:
    """``1 - exp(-count / k)``: a count of ties mapped to [0, 1) by a fixed constant (NaN stays NaN).

    Examples
    --------
    >>> absolute_scale([0.0, 2.0, 4.0], 2.0).round(4).tolist()
    [0.0, 0.6321, 0.8647]
    """
    c = np.asarray(count, float)
    if not (k > 0 and math.isfinite(k)):
        raise InfeasibleError(f"scale constant k must be a finite number > 0; got {k!r}")
    if np.any(c[~np.isnan(c)] < 0):
        raise InfeasibleError("a count of ties must be >= 0")
    return -np.expm1(-c / k)


def scale_components(frame: pd.DataFrame, constants: dict[str, float] | None = None) -> pd.DataFrame:
    """Each embeddedness component of ``frame`` on the absolute scale, and the composite ``e``.

    Parameters
    ----------
    frame
        Needs ``embeddedness``; the component columns of :mod:`coalitionlab.measures.embeddedness`
        (``alliances``, ``treaties_bilateral``, ``igos`` ...) are used when present.
    constants
        ``k_c`` per component (default :data:`SCALE_CONSTANTS`; a partial dict overrides those keys).

    Returns
    -------
    pandas.DataFrame
        ``e_<component>`` for each component present and ``e``: the mean of the present components'
        scaled values (NaN components left out), or ``1 - exp(-embeddedness / k_embeddedness)`` when the
        frame has no component column (or a row has none known). ``attrs["constants"]`` holds the
        constants used, ``attrs["components"]`` the components found.

    Examples
    --------
    >>> f = pd.DataFrame({"embeddedness": [60.0, 0.0], "alliances": [2, 0], "igos": [50, 0]})
    >>> scale_components(f)["e"].round(4).tolist()
    [0.6321, 0.0]
    """
    k = dict(SCALE_CONSTANTS)
    for name, v in (constants or {}).items():
        if name not in SCALE_CONSTANTS:
            raise UnknownOptionError(f"unknown scale constant {name!r}; allowed: {', '.join(map(repr, SCALE_CONSTANTS))}")
        k[name] = float(v)
    if "embeddedness" not in frame.columns:
        raise PanelTypeError("scale_components() needs an embeddedness column")
    present = [c for c in _COMPONENTS if c in frame.columns]
    out = pd.DataFrame(index=frame.index)
    for c in present:
        out[f"e_{c}"] = absolute_scale(pd.to_numeric(frame[c], errors="coerce").to_numpy(float), k[c])
    total = absolute_scale(pd.to_numeric(frame["embeddedness"], errors="coerce").to_numpy(float), k["embeddedness"])
    if present:
        block = out[[f"e_{c}" for c in present]].to_numpy(float)
        known = ~np.isnan(block)
        with np.errstate(invalid="ignore"):
            mean = np.where(known.any(axis=1), np.nansum(block, axis=1) / np.maximum(known.sum(axis=1), 1), np.nan)
        out["e"] = np.where(np.isnan(mean), total, mean)
    else:
        out["e"] = total
    out.attrs = {"constants": {c: k[c] for c in [*present, "embeddedness"]}, "components": present}
    return out


def scale_constants_from_panel(panel: pd.DataFrame, *, quantile: float = 0.9, until: str | None = None,
                               date_col: str = "start_date") -> pd.DataFrame:
    """Recompute the scale constants ``k_c``: the ``quantile`` of the positive counts of each component.

    This is how :data:`SCALE_CONSTANTS` were chosen (the 90th percentile over the full participation
    panel, ``coalitionlab.models.participation_data(source="full")``, then rounded; the total's is
    :data:`coalitionlab.measures.network.TIE_SCALE`). With ``until`` only the rows dated before it are
    used, so the sensitivity of the constants to later data can be read off.

    Parameters
    ----------
    panel
        One row per (coalition, candidate) with the component counts (``alliances``,
        ``treaties_bilateral``, ``igos`` ...) and/or ``embeddedness``.
    quantile
        The quantile of the positive counts (in (0, 1); default 0.9).
    until
        Keep only rows with ``date_col`` before this date (YYYY-MM-DD); default: every row.
    date_col
        The date column ``until`` filters on.

    Returns
    -------
    pandas.DataFrame
        One row per component found: ``component, k`` (the quantile), ``k_default`` (the constant the
        package uses) and ``n_positive`` (positive counts it came from); ``attrs`` record the quantile
        and ``until``.

    Raises
    ------
    PanelTypeError
        No component column, or ``until`` without ``date_col``.
    InfeasibleError
        A quantile outside (0, 1), or no row left.

    Examples
    --------
    >>> f = pd.DataFrame({"alliances": [0, 1, 2, 3], "embeddedness": [0.0, 10.0, 20.0, 30.0]})
    >>> scale_constants_from_panel(f, quantile=0.5)[["component", "k", "k_default"]].values.tolist()
    [['alliances', 2.0, 2.0], ['embeddedness', 20.0, 55.0]]
    """
    if not (isinstance(quantile, (int, float)) and 0 < quantile < 1):
        raise InfeasibleError(f"quantile must lie strictly between 0 and 1; got {quantile!r}")
    names = [c for c in (*_COMPONENTS, "embeddedness") if c in panel.columns]
    if not names:
        raise PanelTypeError("scale_constants_from_panel() needs component columns (alliances, treaties_bilateral, "
                             "igos ...) or embeddedness, e.g. coalitionlab.models.participation_data()")
    rows = panel
    if until is not None:
        from coalitionlab._validation import parse_date

        if date_col not in panel.columns:
            raise PanelTypeError(f"scale_constants_from_panel(until=...) needs the date column {date_col!r}")
        rows = panel.loc[pd.to_datetime(panel[date_col]) < parse_date(until)]
    out = []
    for c in names:
        x = pd.to_numeric(rows[c], errors="coerce").to_numpy(float)
        x = x[x > 0]
        out.append({"component": c, "k": float(np.quantile(x, quantile)) if x.size else math.nan,
                    "k_default": SCALE_CONSTANTS[c], "n_positive": int(x.size)})
    if not any(r["n_positive"] for r in out):
        raise InfeasibleError("scale_constants_from_panel(): no positive count" + (f" before {until}" if until else ""))
    frame = pd.DataFrame(out)
    frame.attrs = {"quantile": float(quantile), "until": until}
    return frame


class LinkageInstrument(_Params):
    """An instrument the lead can pay through (trade, aid, security guarantees, institutional favours).

    Attributes
    ----------
    name : str
        Label.
    base_cost : float
        Cost to the lead per unit of value to the partner when the linked component is barely present (> 0).
    cost_slope : float
        The cost falls to ``base_cost * (1 - cost_slope * e_c)`` with the linked component's scaled
        value ``e_c`` (in [0, 1)).
    components : tuple of str
        Components that open the instrument (the largest scaled value among those present counts);
        empty: always open (aid).
    """

    name: str = Field(min_length=1)
    base_cost: Positive
    cost_slope: float = Field(default=0.0, ge=0.0, lt=1.0)
    components: tuple[str, ...] = ()


def default_linkage_instruments() -> tuple[LinkageInstrument, ...]:
    """The four default instruments (illustrative costs in price units, not estimates).

    Aid is always open and dearest (1 per unit of value: the reference); a security guarantee needs
    an alliance tie, a trade concession a bilateral treaty or trade tie, an institutional favour a
    joint IGO.

    Examples
    --------
    >>> [(i.name, i.base_cost) for i in default_linkage_instruments()]
    [('aid', 1.0), ('security_guarantee', 0.7), ('trade_concession', 0.8), ('institutional_favour', 0.9)]
    """
    return (
        LinkageInstrument(name="aid", base_cost=1.0),
        LinkageInstrument(name="security_guarantee", base_cost=0.7, cost_slope=0.5,
                          components=("alliances", "defense_pacts")),
        LinkageInstrument(name="trade_concession", base_cost=0.8, cost_slope=0.5,
                          components=("treaties_bilateral", "trade_agreements", "investment_treaties")),
        LinkageInstrument(name="institutional_favour", base_cost=0.9, cost_slope=0.4, components=("igos",)),
    )


def _default_commitment() -> CommitmentParams:
    return CommitmentParams(rho0=0.3, kappa=4.0, beta=0.9, upfront_cap=math.inf)


class ChannelParams(_Params):
    """Constants of the channels (user assumptions, validated).

    Attributes
    ----------
    scale_constants : dict
        ``k_c`` per component (default :data:`SCALE_CONSTANTS`).
    bias_slope : float
        Rotten carrot (information channel): the lead's signal of a price is too low by
        ``bias_slope * e * price_scale`` and the lead does not know it (>= 0; 0 = unbiased): it
        under-estimates the reluctance of its most embedded partners and offers them too little.
    max_offers : int
        Offers the lead may make to a partner (>= 1; default 1, a single take-it-or-leave-it offer).
        After a refusal the lead knows the price is above the refused offer and re-offers the best offer
        under its (still biased) belief truncated there, while it believes the re-offer worth its cost;
        normal prior only.
    reoffer_cost : float
        What each re-offer costs the lead (delay, diplomatic capital, re-planning), in price units
        (>= 0; added to the lead's cost).
    instruments : tuple of LinkageInstrument
        Linkage instruments; at least one must be always open (empty ``components``).
    commitment : CommitmentParams
        Credibility ``rho(e) = 1 - (1 - rho0) exp(-kappa e)`` and the lead's discount factor ``beta``
        (``e`` the composite absolute embeddedness); the up-front purse must be uncapped (costs stay linear).
    broker_discount : float
        Brokers: the cost falls by ``broker_discount * broker`` (in [0, 1)).
    """

    scale_constants: dict[str, Positive] = Field(default_factory=lambda: dict(SCALE_CONSTANTS))
    bias_slope: NonNegative = 0.0
    max_offers: int = Field(default=1, ge=1, le=50)
    reoffer_cost: NonNegative = 0.0
    instruments: tuple[LinkageInstrument, ...] = Field(default_factory=default_linkage_instruments)
    commitment: CommitmentParams = Field(default_factory=_default_commitment)
    broker_discount: float = Field(default=0.3, ge=0.0, lt=1.0)

    @model_validator(mode="after")
    def _check(self) -> ChannelParams:
        unknown = sorted(set(self.scale_constants) - set(SCALE_CONSTANTS))
        if unknown:
            raise ValueError(f"scale_constants: unknown components {unknown}")
        if not any(not i.components for i in self.instruments):
            raise ValueError("instruments: at least one instrument must be always open (no components), e.g. aid")
        names = [i.name for i in self.instruments]
        if len(set(names)) != len(names):
            raise ValueError(f"instruments: names must be unique, got {names}")
        if math.isfinite(self.commitment.upfront_cap):
            raise ValueError("commitment: upfront_cap must be inf in the simulator (a capped purse makes costs "
                             "non-linear); use coalitionlab.bargaining.commitment for capped purses")
        return self

    def constants(self) -> dict[str, float]:
        """All scale constants (defaults overridden by ``scale_constants``)."""
        return {**SCALE_CONSTANTS, **self.scale_constants}


class PartnerValuation(_Params):
    """What a partner brings to the mission, and what success is worth (user assumptions, validated).

    A candidate's contest strength is ``pool_strength * (a_p * personnel share + a_c * capability share +
    a_l * legitimacy share)`` (shares among the candidates; a term whose data are absent gives its weight
    to the others), and the lead values it at ``mission_value`` times the rise in the contest success
    probability it brings (:func:`marginal_values`).

    Attributes
    ----------
    mission_value : float or None
        The lead's value of success, in price units. ``None``: set so that the average candidate, joining
        the lead alone, is worth ``EmbeddednessMapping.value``.
    pool_strength : float
        Contest strength of the whole candidate pool (1: as strong as a lead of strength 1).
    personnel_weight, capability_weight, legitimacy_weight : float
        ``a_p, a_c, a_l`` (>= 0, positive sum).
    deployable_share : float
        Share of a state's armed forces (NMC ``milper``, thousands) it would deploy, used where no
        ``peak_personnel`` is given (default 0.01: the median ratio of peak personnel to armed forces is
        0.008 over the 239 shipped non-lead memberships with both figures).
    cinc_scale : float
        Default capability score ``1 - exp(-cinc / cinc_scale)`` when the frame has no named capability.
    """

    mission_value: Positive | None = None
    pool_strength: Positive = 1.0
    personnel_weight: NonNegative = 0.6
    capability_weight: NonNegative = 0.3
    legitimacy_weight: NonNegative = 0.1
    deployable_share: Positive = 0.01
    cinc_scale: Positive = 0.01

    @model_validator(mode="after")
    def _positive_sum(self) -> PartnerValuation:
        if self.personnel_weight + self.capability_weight + self.legitimacy_weight <= 0:
            raise ValueError("personnel_weight: the three weights must have a positive sum")
        return self


def check_channels(channels: str | Iterable[str] | None) -> tuple[str, ...]:
    """Parse a channel list: ``"all"``/``None`` (every channel), ``"none"``/``()`` or names (a string
    may be comma-separated).

    A string naming no channel (``""``, ``","``) or an unknown name raises
    :class:`~coalitionlab.errors.UnknownOptionError` with one line listing the valid channels.

    Examples
    --------
    >>> check_channels("information,linkage"), check_channels("none")
    (('information', 'linkage'), ())
    """
    allowed = f"valid channels: {', '.join(CHANNELS)}, or 'all' / 'none'"
    if channels is None:
        return CHANNELS
    if isinstance(channels, str):
        text = channels.strip().lower()
        if text == "all":
            return CHANNELS
        if text == "none":
            return ()
        channels = [c.strip() for c in text.split(",") if c.strip()]
        if not channels:
            raise UnknownOptionError(f"no channel named in {text!r}; {allowed}")
    names = list(channels)
    for c in names:
        if c not in CHANNELS:
            raise UnknownOptionError(f"unknown channel {c!r}; {allowed}")
    return tuple(c for c in CHANNELS if c in names)


def linkage_costs(scaled: pd.DataFrame, instruments: Iterable[LinkageInstrument]) -> pd.DataFrame:
    """Each candidate's cheapest open instrument and its cost per unit of value to the partner.

    Instrument ``k`` is open to a candidate when one of its components is present in ``scaled`` with a
    positive scaled value ``e_c`` (a tie actually shared); its cost is ``base_cost_k (1 - cost_slope_k e_c)``
    (``e_c`` the largest of its components). Costs are linear (no caps), so the cheapest mix is the
    cheapest open instrument.

    Parameters
    ----------
    scaled
        The output of :func:`scale_components` (``e_<component>`` columns).
    instruments
        The instruments (at least one always open).

    Returns
    -------
    pandas.DataFrame
        ``linkage_cost``, ``instrument`` and one ``cost_<name>`` column per instrument (NaN where closed).

    Examples
    --------
    >>> s = scale_components(pd.DataFrame({"embeddedness": [3.0, 0.0], "alliances": [2, 0], "igos": [1, 0]}))
    >>> linkage_costs(s, default_linkage_instruments())[["instrument", "linkage_cost"]].round(4).values.tolist()
    [['security_guarantee', 0.4788], ['aid', 1.0]]
    """
    instruments = list(instruments)
    n = len(scaled)
    out = pd.DataFrame(index=scaled.index)
    costs = []
    for inst in instruments:
        cols = [f"e_{c}" for c in inst.components if f"e_{c}" in scaled.columns]
        if not inst.components:
            cost = np.full(n, inst.base_cost)
        elif not cols:
            cost = np.full(n, np.nan)
        else:
            ec = np.nan_to_num(scaled[cols].to_numpy(float), nan=0.0).max(axis=1)
            cost = np.where(ec > 0, inst.base_cost * (1.0 - inst.cost_slope * ec), np.nan)
        out[f"cost_{inst.name}"] = cost
        costs.append(cost)
    block = np.column_stack(costs)
    best = np.nanargmin(np.where(np.isnan(block), np.inf, block), axis=1)
    out["linkage_cost"] = block[np.arange(n), best]
    out["instrument"] = np.asarray([i.name for i in instruments], dtype=object)[best]
    return out


def credibility_factor(e: np.ndarray, params: CommitmentParams) -> tuple[np.ndarray, np.ndarray]:
    """Credibility ``rho(e)`` and the cost per unit of value of the cheapest up-front/promise mix,
    ``min(1, beta / rho)`` (model 6 with an uncapped purse)."""
    rho = credibility(np.asarray(e, float), params=params)
    cost = recruitment_cost(np.ones(len(rho)), rho=rho, params=params)["cost"].to_numpy(float)
    return rho, cost


def win_probability(strength, target_strength: float, decisiveness: float) -> np.ndarray:
    """Contest success function ``K^r / (K^r + T^r)``."""
    kr = np.asarray(strength, float) ** decisiveness
    return kr / (kr + target_strength**decisiveness)


def marginal_values(weight, acceptance, *, mission_value: float, lead_strength: float, target_strength: float,
                    decisiveness: float) -> np.ndarray:
    """What each candidate is worth to the lead: the rise in the success probability it brings.

    ``V_i = W [p(K + w_i) - p(K)]`` with ``K = lead_strength + sum_j a_j w_j`` the coalition's expected
    strength (acceptance probabilities ``a_j``) and ``p`` the contest success function. Offers are made
    to every candidate at once, before anyone answers, so the lead values a candidate at what it adds to
    the coalition it expects (a mean-field approximation of ``E[p(K_-i + w_i) - p(K_-i)]``: for a small
    partner the two agree; a large partner's own expected share in ``K`` makes its value slightly low).

    Examples
    --------
    >>> marginal_values([1.0], [0.0], mission_value=10.0, lead_strength=1.0, target_strength=1.0,
    ...                 decisiveness=1.0).round(4).tolist()  # 10 (2/3 - 1/2)
    [1.6667]
    """
    w, a = np.asarray(weight, float), np.asarray(acceptance, float)
    k = lead_strength + a @ w
    return mission_value * (win_probability(k + w, target_strength, decisiveness)
                            - win_probability(k, target_strength, decisiveness))


def partner_contributions(frame: pd.DataFrame, valuation: PartnerValuation, *,
                          target_ccode: int | None = None) -> tuple[pd.DataFrame, dict[str, str]]:
    """Each candidate's personnel, capability, regional legitimacy and contest strength.

    * personnel: ``peak_personnel`` where given (a replay: what the member actually sent); otherwise
      ``deployable_share * milper * 1000`` (NMC armed forces, thousands); otherwise proportional to
      ``cinc``; otherwise absent;
    * capability: the mean of the named :data:`CAPABILITY_COLUMNS` present (each divided by its
      largest level, so a boolean is 0/1); otherwise ``1 - exp(-cinc / cinc_scale)``; otherwise absent;
    * legitimacy: 1 for a candidate in the target's region (:func:`coalitionlab.data.regions.region_of`),
      0 otherwise; absent without a target.

    Returns
    -------
    (pandas.DataFrame, dict)
        Columns ``personnel, capability, regional, weight`` aligned with ``frame`` (``weight`` sums to
        ``pool_strength``; with no term available, equal weights), and a dict saying where each term
        came from.
    """
    n = len(frame)
    notes: dict[str, str] = {}
    personnel = np.full(n, np.nan)
    used_cols: list[str] = []  # the columns personnel came from (for the note on missing values)
    if "peak_personnel" in frame.columns:
        used_cols.append("peak_personnel")
        personnel = pd.to_numeric(frame["peak_personnel"], errors="coerce").to_numpy(float)
        notes["personnel"] = "peak_personnel (replay)"
    if "milper" in frame.columns:
        used_cols.append("milper")
        est = valuation.deployable_share * 1000.0 * pd.to_numeric(frame["milper"], errors="coerce").to_numpy(float)
        filled = np.isnan(personnel) & ~np.isnan(est)
        if filled.any():
            notes["personnel"] = (notes.get("personnel", "") + "; " if "personnel" in notes else "") + \
                f"{valuation.deployable_share:g} x NMC milper where no peak_personnel"
        personnel = np.where(np.isnan(personnel), est, personnel)
    if "cinc" in frame.columns and np.isnan(personnel).all():
        personnel = pd.to_numeric(frame["cinc"], errors="coerce").to_numpy(float)
        notes["personnel"] = "proportional to cinc (no personnel data)"
        used_cols = ["cinc"]
    caps = [c for c in CAPABILITY_COLUMNS if c in frame.columns]
    capability = np.full(n, np.nan)
    if caps:
        block = frame[caps].apply(pd.to_numeric, errors="coerce").to_numpy(float)
        if np.any(block[~np.isnan(block)] < 0):
            raise InfeasibleError(f"capability columns {caps} must be >= 0 (booleans or ordinal levels)")
        top = np.nanmax(np.where(np.isnan(block), 0.0, block), axis=0)
        block = np.where(top > 0, block / np.where(top > 0, top, 1.0), 0.0)
        capability = np.nanmean(block, axis=1) if block.size else capability
        notes["capability"] = "named capabilities: " + ", ".join(caps)
    elif "cinc" in frame.columns:
        capability = absolute_scale(pd.to_numeric(frame["cinc"], errors="coerce").to_numpy(float),
                                    valuation.cinc_scale)
        notes["capability"] = f"1 - exp(-cinc / {valuation.cinc_scale:g}) (no named capability columns)"
    regional = np.full(n, np.nan)
    if target_ccode is not None:
        from coalitionlab.data.regions import region_of

        target_region = region_of(int(target_ccode))
        regional = (region_of(frame["ccode"].astype(int).tolist()) == target_region).astype(float)
        notes["legitimacy"] = f"same region as the target ({target_region})"
    consulted = {"personnel": used_cols, "capability": caps or [c for c in ("cinc",) if c in frame.columns]}
    terms = []
    for name, values, weight in (("personnel", personnel, valuation.personnel_weight),
                                 ("capability", capability, valuation.capability_weight),
                                 ("legitimacy", regional, valuation.legitimacy_weight)):
        v = np.nan_to_num(values, nan=0.0)
        if np.any(v < 0):
            raise InfeasibleError(f"{name} must be >= 0")
        if weight > 0 and v.sum() > 0:
            terms.append((weight, v / v.sum()))
            gaps = int(np.isnan(values).sum())
            if gaps:  # a missing value must not become 0 silently
                cols = ", ".join(consulted.get(name, [])) or name
                notes[f"{name}_missing"] = (f"{gaps} of {n} candidates have no value in {cols}: counted as 0 "
                                            f"{name} (no contribution of that kind)")
        elif name not in notes:
            notes[name] = "absent (weight given to the other terms)"
    if terms:
        total = sum(w for w, _ in terms)
        share = sum(w * s for w, s in terms) / total
    else:
        share = np.full(n, 1.0 / n)
        notes["weight"] = "equal (no personnel, capability or target data)"
    out = pd.DataFrame({"personnel": personnel, "capability": capability, "regional": regional,
                        "weight": valuation.pool_strength * share}, index=frame.index)
    return out, notes


def _outcomes(prior: str, value, mean, scale, precision, bias, *, nodes: int = 80, max_offers: int = 1,
              reoffer_cost=0.0) -> tuple[np.ndarray, ...]:
    """Exact (quadrature) outcomes of model 4 with a biased signal and re-offers (value, acceptance,
    payment, rent, efficiency loss, full-information value), in units of value to the partner.

    The lead reads the signal ``x`` as ``theta + noise`` while it is ``theta + noise - bias``: its
    posterior mean is too low by ``precision * bias / (1 + precision)``; the true posterior is the
    unbiased one. Bias 0 and one offer give :func:`coalitionlab.bargaining.offers._expected` itself.
    ``value`` is net of the re-offer costs (:func:`_reoffer_outcomes`).
    """
    return _reoffer_outcomes(prior, value, mean, scale, precision, bias, nodes=nodes, max_offers=max_offers,
                             reoffer_cost=reoffer_cost)[:6]


def _truncated_offer(value, believed, s, floor):
    """The best re-offer under the believed posterior ``N(believed, s^2)`` truncated to ``theta > floor``,
    and the believed probability that it is accepted (normal prior)."""
    from scipy import special

    from coalitionlab.bargaining.offers import _offer_truncnorm

    t = _offer_truncnorm(value, believed, s, floor, np.inf)
    with np.errstate(invalid="ignore"):
        q = -np.expm1(special.log_ndtr(-(t - believed) / s) - special.log_ndtr(-(floor - believed) / s))
    return t, np.nan_to_num(q, nan=0.0)


def _reoffer_outcomes(prior: str, value, mean, scale, precision, bias, *, nodes: int = 80, max_offers: int = 1,
                      reoffer_cost=0.0) -> tuple[np.ndarray, ...]:
    """:func:`_outcomes` plus the expected number of re-offers (a 7-tuple), in units of value to the partner.

    Offers ``t_1 < t_2 < ...``: ``t_1`` is model 4's offer under the lead's (biased) posterior; after a
    refusal of ``t_k`` the lead offers the best ``t`` under that posterior truncated to ``theta > t_k``
    and makes it while the believed gain ``q (V - t)`` exceeds ``reoffer_cost`` (``q`` the believed
    probability of acceptance), at most ``max_offers`` offers in all. The partner takes the first offer
    that covers its price. Expectations are over the true posterior at each signal node (normal prior).
    """
    if max_offers == 1:
        bias_arr = np.asarray(bias, float)
        if not np.any(bias_arr != 0):
            pieces = _expected(prior, value, mean, scale, precision, nodes=nodes)
        else:
            if prior == "uniform":
                raise InfeasibleError("exact outcomes with a biased signal (bias_slope > 0) are implemented for "
                                      "the normal and lognormal priors; simulate() handles the uniform prior")
            value_, mean_, scale_, precision_, bias_ = (np.asarray(v, float)[..., None] for v in np.broadcast_arrays(
                *(np.asarray(v, float) for v in (value, mean, scale, precision, bias))))
            u, w = _hermite(nodes)
            s = scale_ / np.sqrt(1.0 + precision_)
            mu = mean_ + scale_ * np.sqrt(precision_ / (1.0 + precision_)) * u  # the true posterior mean
            believed = mu - precision_ * bias_ / (1.0 + precision_)
            if prior == "normal":
                raw = _normal_pieces(value_, mu, s, _offer_normal(value_, believed, s))
            else:
                raw = _lognormal_pieces(value_, mu, s, _offer_lognormal(value_, believed, s))
            pieces = tuple(np.sum(p * w, axis=-1) for p in raw)
        return (*pieces, np.zeros_like(np.asarray(pieces[1], float)))
    if prior != "normal":
        raise InfeasibleError(f"re-offers (max_offers > 1) are implemented for the normal prior; got {prior!r}")
    from scipy import special

    value, mean, scale, precision, bias, cost = (np.asarray(v, float)[..., None] for v in np.broadcast_arrays(
        *(np.asarray(v, float) for v in (value, mean, scale, precision, bias, reoffer_cost))))
    # the decision to re-offer jumps with the signal, so the integrand is discontinuous and Gauss-Hermite
    # nodes would miss the jumps: a fine midpoint rule over the standardised signal instead (error of
    # order step x jump, step 16 / (16 nodes))
    m = 16 * int(nodes)
    u = -8.0 + (np.arange(m) + 0.5) * (16.0 / m)
    w = np.exp(-0.5 * u * u)
    w = w / w.sum()
    s = scale / np.sqrt(1.0 + precision)
    mu = mean + scale * np.sqrt(precision / (1.0 + precision)) * u  # the true posterior mean
    believed = mu - precision * bias / (1.0 + precision)
    value, s, believed, cost = np.broadcast_arrays(value, s, believed, cost)

    def cdf(t):  # the true posterior's
        return special.ndtr((t - mu) / s)

    def positive_below(t):  # E[theta 1(0 < theta <= t)] under the true posterior, t >= 0
        zt, z0 = (t - mu) / s, -mu / s
        return mu * (special.ndtr(zt) - special.ndtr(z0)) + s * (np.exp(-0.5 * z0 * z0) - np.exp(-0.5 * zt * zt)) \
            / math.sqrt(2.0 * math.pi)

    last = _offer_normal(value, believed, s)
    payment = last * cdf(last)
    reoffers = np.zeros_like(last)
    live = np.ones(last.shape, bool)
    for _ in range(max_offers - 1):
        t, q = _truncated_offer(value, believed, s, last)
        live = live & (q * (value - t) > cost) & (t > last)
        if not live.any():
            break
        refused = 1.0 - cdf(last)
        reoffers = reoffers + np.where(live, refused, 0.0)
        payment = payment + np.where(live, t * (cdf(t) - cdf(last)), 0.0)
        last = np.where(live, t, last)
    acceptance = cdf(last)
    rent = np.maximum(payment - positive_below(last), 0.0)
    full = value * cdf(value) - positive_below(value)
    loss = np.maximum(value * (cdf(value) - acceptance) - (positive_below(value) - positive_below(last)), 0.0)
    lead = value * acceptance - payment - cost * reoffers
    return tuple(np.sum(p * w, axis=-1) for p in (lead, acceptance, payment, rent, loss, full, reoffers))


def add_capabilities(frame: pd.DataFrame, date: str, *, data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Add NMC ``milper`` (armed forces, thousands) and ``cinc`` for the year before ``date`` (no look-ahead).

    On the embedded seed (``frame.attrs["is_seed"]``) there are no NMC data and the frame is returned
    unchanged. ``attrs["capabilities_year"]`` records the NMC year used (None without NMC); past the
    source's last year its last year is used.
    """
    from coalitionlab._validation import parse_date

    attrs = dict(frame.attrs)
    attrs["capabilities_year"] = None
    if attrs.get("is_seed", False):
        out = frame.copy()
        out.attrs = attrs
        return out
    from coalitionlab.data import get_source, load

    nmc = load("nmc", data_dir)
    year = parse_date(date).year - 1
    use = min(year, int(get_source("nmc").last_year), int(nmc["year"].max()))
    rows = nmc.loc[nmc["year"] == use, ["ccode", "milper", "cinc"]].drop_duplicates("ccode")
    out = frame.drop(columns=[c for c in ("milper", "cinc") if c in frame.columns]).merge(rows, on="ccode", how="left")
    attrs["capabilities_year"] = int(use)
    out.attrs = attrs
    return out


def add_broker_scores(frame: pd.DataFrame, lead: str | int, date: str, *,
                      data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Add ``broker`` and ``broker_ccode`` from :func:`coalitionlab.measures.network.brokers`.

    The broker score is the strength of the best two-step path lead - k - candidate on the network's
    absolute tie scale (in [0, 1)); candidates it does not list get NaN (no discount). Without the
    network module the frame is returned unchanged and ``attrs["brokers"]`` says why.
    """
    attrs = dict(frame.attrs)
    try:
        from coalitionlab.measures.network import brokers
    except ImportError:  # pragma: no cover - the module ships with the package
        out = frame.copy()
        out.attrs = {**attrs, "brokers": "coalitionlab.measures.network is not available"}
        return out
    import warnings

    from coalitionlab.errors import SeedDataWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeedDataWarning)  # the frame's is_seed says it
        b = brokers(lead, date, data_dir=data_dir, source="seed" if attrs.get("is_seed") else "auto")
    keep = b[["ccode", "broker", "broker_ccode"]].drop_duplicates("ccode")
    out = frame.drop(columns=[c for c in ("broker", "broker_ccode") if c in frame.columns]).merge(
        keep, on="ccode", how="left")
    attrs["brokers"] = "coalitionlab.measures.network.brokers"
    out.attrs = attrs
    return out


def candidate_frame(lead: str | int, date: str, *, data_dir: str | os.PathLike | None = None,
                    coalition_id: str | None = None, brokers: bool = True) -> pd.DataFrame:
    """Candidates for a world: embeddedness with the lead, NMC capabilities and, for a replay, personnel.

    Parameters
    ----------
    lead, date
        As in :func:`coalitionlab.measures.embeddedness`.
    data_dir
        Data directory (the seed has no NMC data: the capability columns are then absent).
    coalition_id
        A replay of a shipped coalition (:func:`coalitionlab.coalitions.coalitions`): adds the members'
        ``peak_personnel`` (known only after the fact: a replay, not a forecast) and
        ``attrs["target_ccode"]``.
    brokers
        Add ``broker`` and ``broker_ccode`` (:func:`add_broker_scores`).

    Returns
    -------
    pandas.DataFrame
        The embeddedness frame plus ``milper`` and ``cinc`` from NMC for the year before the date (no
        look-ahead; NaN for a state without a record), ``broker`` and ``broker_ccode``, and
        ``peak_personnel`` for a replay.
        ``attrs["capabilities_year"]`` records the NMC year (None without NMC).
    """
    from coalitionlab.measures import embeddedness

    frame = add_capabilities(embeddedness(lead, date, data_dir=data_dir), date, data_dir=data_dir)
    if brokers:
        frame = add_broker_scores(frame, lead, date, data_dir=data_dir)
    attrs = dict(frame.attrs)
    if coalition_id is not None:
        from coalitionlab.coalitions import coalition_members, coalitions

        c = coalitions()
        row = c.loc[c["coalition_id"] == coalition_id]
        members = coalition_members(coalition_id)  # a clear error for an unknown id
        peak = members.loc[members["role"] != "lead"].set_index("ccode")["peak_personnel"].astype("Float64")
        frame["peak_personnel"] = frame["ccode"].map(peak).astype(float)
        target = row["target_ccode"].iloc[0]
        attrs["target_ccode"] = None if pd.isna(target) else int(target)
        attrs["coalition_id"] = coalition_id
    frame.attrs = attrs
    return frame
