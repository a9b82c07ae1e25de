"""Henke's four channels on one absolute embeddedness scale, and what a partner brings to the mission.

Embeddedness gives the pivotal state (a) information about each state's price, (b) issue linkages
through which to pay, (c) credibility for its promises and (d) brokers who can carry a deal
(Henke 2019). This module puts every component of embeddedness on one **absolute** scale,

    e_c = 1 - exp(-count_c / k_c),

with fixed constants ``k_c`` (:data:`SCALE_CONSTANTS`) that do not depend on the other candidates of a
world, so a USA-2003 world and a France-2013 world are comparable; the composite ``e`` is the mean of
the components present. It then gives each channel's per-candidate input:

* ``information``: the lead's signal precision ``precision_base + precision_slope * e`` and, with the
  rotten-carrot option, an optimistic bias of the signal ``bias_slope * e * price_scale``;
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

__all__ = ["CHANNELS", "SCALE_CONSTANTS", "CAPABILITY_COLUMNS", "ChannelParams", "LinkageInstrument",
           "PartnerValuation", "absolute_scale", "add_broker_scores", "add_capabilities", "candidate_frame", "check_channels", "default_linkage_instruments",
           "linkage_costs", "marginal_values", "partner_contributions", "scale_components", "win_probability"]

#: The switchable channels, in Henke's order.
CHANNELS: tuple[str, ...] = ("information", "linkage", "credibility", "brokers")

#: ``k_c`` of ``e_c = 1 - exp(-count_c / k_c)``: the count at which a component reaches 1 - 1/e = 0.63 of
#: the scale. For the three default components and the total, ``k_c`` is the 90th percentile of the
#: positive counts over the 16,060 (coalition, candidate) pairs of the participation panel (every lead,
#: 1950-2024; alliances 2, bilateral treaties 4, joint IGOs 52, total 55), rounded: a tie as strong as
#: the top tenth of the ties of its kind sits at 0.63. The other components are not in the default
#: measure and their constants are assumptions set by analogy (labelled as such in the docs).
SCALE_CONSTANTS: dict[str, float] = {
    "alliances": 2.0,
    "treaties_bilateral": 4.0,
    "igos": 50.0,
    "embeddedness": 55.0,
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
        ``bias_slope * e * price_scale`` and the lead does not know it (>= 0; 0 = unbiased).
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
    may be comma-separated). An unknown name raises :class:`~coalitionlab.errors.UnknownOptionError`.

    Examples
    --------
    >>> check_channels("information,linkage"), check_channels("none")
    (('information', 'linkage'), ())
    """
    if channels is None:
        return CHANNELS
    if isinstance(channels, str):
        text = channels.strip().lower()
        if text == "all":
            return CHANNELS
        if text in ("none", ""):
            return ()
        channels = [c.strip() for c in text.split(",") if c.strip()]
    names = list(channels)
    for c in names:
        if c not in CHANNELS:
            raise UnknownOptionError(f"unknown channel {c!r}; allowed: {', '.join(map(repr, CHANNELS))}, "
                                     "or 'all' / 'none'")
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
    if "peak_personnel" in frame.columns:
        personnel = pd.to_numeric(frame["peak_personnel"], errors="coerce").to_numpy(float)
        notes["personnel"] = "peak_personnel (replay)"
    if "milper" in frame.columns:
        est = valuation.deployable_share * 1000.0 * pd.to_numeric(frame["milper"], errors="coerce").to_numpy(float)
        filled = np.isnan(personnel) & ~np.isnan(est)
        if filled.any():
            notes["personnel"] = (notes.get("personnel", "") + "; " if "personnel" in notes else "") + \
                f"{valuation.deployable_share:g} x NMC milper where no peak_personnel"
        personnel = np.where(np.isnan(personnel), est, personnel)
    if "cinc" in frame.columns and np.isnan(personnel).all():
        personnel = pd.to_numeric(frame["cinc"], errors="coerce").to_numpy(float)
        notes["personnel"] = "proportional to cinc (no personnel data)"
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
    terms = []
    for name, values, weight in (("personnel", personnel, valuation.personnel_weight),
                                 ("capability", capability, valuation.capability_weight),
                                 ("legitimacy", regional, valuation.legitimacy_weight)):
        v = np.nan_to_num(values, nan=0.0)
        if np.any(v < 0):
            raise InfeasibleError(f"{name} must be >= 0")
        if weight > 0 and v.sum() > 0:
            terms.append((weight, v / v.sum()))
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


def _outcomes(prior: str, value, mean, scale, precision, bias, *, nodes: int = 80) -> tuple[np.ndarray, ...]:
    """Exact (quadrature) outcomes of model 4 with a biased signal (value, acceptance, payment, rent,
    efficiency loss, full-information value), in units of value to the partner.

    The lead reads the signal ``x`` as ``theta + noise`` while it is ``theta + noise - bias``: its
    posterior mean is too low by ``precision * bias / (1 + precision)``; the true posterior is the
    unbiased one. Bias 0 everywhere gives :func:`coalitionlab.bargaining.offers._expected` itself.
    """
    bias = np.asarray(bias, float)
    if not np.any(bias != 0):
        return _expected(prior, value, mean, scale, precision, nodes=nodes)
    if prior == "uniform":
        raise InfeasibleError("exact outcomes with a biased signal (bias_slope > 0) are implemented for the "
                              "normal and lognormal priors; simulate() handles the uniform prior")
    value, mean, scale, precision, bias = (np.asarray(v, float)[..., None] for v in np.broadcast_arrays(
        *(np.asarray(v, float) for v in (value, mean, scale, precision, bias))))
    u, w = _hermite(nodes)
    s = scale / np.sqrt(1.0 + precision)
    mu = mean + scale * np.sqrt(precision / (1.0 + precision)) * u  # the true posterior mean
    believed = mu - precision * bias / (1.0 + precision)
    if prior == "normal":
        pieces = _normal_pieces(value, mu, s, _offer_normal(value, believed, s))
    else:
        pieces = _lognormal_pieces(value, mu, s, _offer_lognormal(value, believed, s))
    return tuple(np.sum(p * w, axis=-1) for p in pieces)


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
