"""The value of diplomacy: re-plan a mission with the lead's ties changed.

A :class:`TieChange` names what the lead loses: IGOs it leaves (``without_igos``), agreements it
lets lapse (``without_agreements``: treaty-record agreements or ATOP alliances) and factors that
scale whole embeddedness components (``scale``). :func:`apply_change` rewrites the candidates'
embeddedness columns accordingly, from the raw membership and treaty tables (never by guessing);
:func:`counterfactual` plans the mission on the original and on the changed features with the same
random numbers and reports what the change costs; :func:`diplomacy_value_curve` does it for a lead
across years and uniform scale factors. The participation model's coefficients and the bargaining
world's channel constants are held fixed: these are counterfactuals about ties, not about the model
(docs/planner/counterfactuals.md).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from coalitionlab._validation import parse_date
from coalitionlab.errors import CoverageError, SeedDataWarning, UnknownOptionError

__all__ = ["COMPARED", "TieChange", "apply_change", "change_from_cli", "counterfactual", "diplomacy_value_curve"]

#: The plan outcomes :func:`counterfactual` compares (keys of ``Plan.expected``).
COMPARED: tuple[str, ...] = ("cost", "size", "shortfall_risk", "p_meets_requirements")

#: Scale keys that stand for several components.
_ALIASES: dict[str, tuple[str, ...]] = {
    "treaties": ("treaties_bilateral", "treaties_multilateral"),
    "all": (),  # every component the features hold
    "embeddedness": (),
}
#: Components :func:`apply_change` knows how to change (a subset of measures.embeddedness.COMPONENTS).
_CHANGEABLE = ("alliances", "defense_pacts", "treaties_bilateral", "treaties_multilateral", "igos",
               "trade_agreements", "investment_treaties", "exercises")


def _closest(value: str, names: Iterable[str], n: int = 3) -> str:
    names = list(dict.fromkeys(str(x) for x in names))
    low = {x.lower(): x for x in names}
    hits = difflib.get_close_matches(value.lower(), list(low), n=n, cutoff=0.5)
    return ", ".join(low[h] for h in hits) if hits else "none close"


@dataclass(frozen=True)
class TieChange:
    """A change to the lead's ties: IGOs left, agreements lapsed, components scaled.

    Parameters
    ----------
    without_igos
        IGOs the lead leaves, by COW IGO abbreviation (``ioname``, e.g. ``"WHO"``, ``"UNESCO"``;
        case-insensitive) or full name. Every joint membership through them is lost. An alliance
        organisation (NATO, OAS ..., :data:`coalitionlab.measures.embeddedness.ALLIANCE_IGOS`) is
        counted as its ATOP alliance, so leaving it removes that alliance tie.
    without_agreements
        Agreements the lead lets lapse: a treaty-record ``agreement_id``
        (:func:`coalitionlab.measures.treaties.treaty_ties`, e.g. ``"UNCTAD:2935"``) or an ATOP
        alliance as ``"ATOP:3180"`` (or the bare ``atopid``).
    scale
        Component -> factor >= 0 applied after the removals (``{"treaties_bilateral": 0.5}``);
        ``"treaties"`` means every treaty component the features hold and ``"all"`` every component.

    Examples
    --------
    >>> c = TieChange(without_igos=["WHO"], scale={"igos": 0.5})
    >>> c.without_igos, c.scale, c.is_empty
    (('WHO',), {'igos': 0.5}, False)
    >>> TieChange().is_empty
    True
    """

    without_igos: tuple[str, ...] = ()
    without_agreements: tuple[str, ...] = ()
    scale: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("without_igos", "without_agreements"):
            raw = getattr(self, name)
            if isinstance(raw, (str, int)):
                raw = [raw]
            vals = tuple(dict.fromkeys(str(v).strip() for v in raw))
            if any(not v for v in vals):
                raise UnknownOptionError(f"{name} holds an empty name")
            object.__setattr__(self, name, vals)
        scale: dict[str, float] = {}
        for key, factor in dict(self.scale).items():
            key = str(key).strip()
            if key not in _CHANGEABLE and key not in _ALIASES:
                raise UnknownOptionError(f"unknown scale component {key!r}; allowed: "
                                         f"{', '.join(map(repr, (*_CHANGEABLE, *_ALIASES)))}")
            try:
                f = float(factor)
            except (TypeError, ValueError):
                raise UnknownOptionError(f"scale factor of {key} must be a number >= 0, got {factor!r}") from None
            if not math.isfinite(f) or f < 0:
                raise UnknownOptionError(f"scale factor of {key} must be a finite number >= 0, got {factor!r}")
            scale[key] = f
        object.__setattr__(self, "scale", scale)

    @property
    def is_empty(self) -> bool:
        """True when the change changes nothing (no removal, every factor 1)."""
        return not self.without_igos and not self.without_agreements and all(f == 1.0 for f in self.scale.values())

    def describe(self) -> str:
        """One line saying what the change is, e.g. ``"without IGOs WHO, UNESCO; treaties x 0.5"``."""
        parts = []
        if self.without_igos:
            parts.append("without IGOs " + ", ".join(self.without_igos))
        if self.without_agreements:
            parts.append("lapsed " + ", ".join(self.without_agreements))
        parts += [f"{k} x {v:g}" for k, v in self.scale.items()]
        return "; ".join(parts) or "no change"


def change_from_cli(without_igo: Sequence[str] | None = None, lapse: Sequence[str] | None = None,
                    scale: Sequence[str] | None = None) -> TieChange:
    """Build a :class:`TieChange` from the ``plan`` command's repeatable options.

    ``scale`` items are ``COMPONENT=FACTOR`` (``"treaties=0.5"``); a component given twice keeps the
    last factor; several items may also be joined by commas (``"igos=0.5,alliances=0"``).

    Examples
    --------
    >>> change_from_cli(["WHO", "UNESCO"], [], ["treaties=0.5"]).describe()
    'without IGOs WHO, UNESCO; treaties x 0.5'
    >>> change_from_cli([], [], ["treaties:0.5"])
    Traceback (most recent call last):
    ...
    coalitionlab.errors.UnknownOptionError: --scale 'treaties:0.5' is not COMPONENT=FACTOR (e.g. treaties=0.5)
    """
    factors: dict[str, float] = {}
    for item in scale or ():
        for part in (p.strip() for p in str(item).split(",")):
            if not part:
                continue
            key, eq, value = part.partition("=")
            if not eq or not key.strip() or not value.strip():
                raise UnknownOptionError(f"--scale {part!r} is not COMPONENT=FACTOR (e.g. treaties=0.5)")
            try:
                factors[key.strip()] = float(value)
            except ValueError:
                raise UnknownOptionError(f"--scale {part!r}: {value.strip()!r} is not a number") from None
    return TieChange(without_igos=tuple(without_igo or ()), without_agreements=tuple(lapse or ()), scale=factors)


# ---------------------------------------------------------------- the measurement side


def _components(features: pd.DataFrame) -> list[str]:
    comps = features.attrs.get("components") or (features.attrs.get("embeddedness") or {}).get("components")
    if comps:
        return [c for c in comps if c in features.columns]
    return [c for c in _CHANGEABLE if c in features.columns]


def _weights(features: pd.DataFrame, comps: list[str]) -> dict[str, float]:
    w = features.attrs.get("weights") or (features.attrs.get("embeddedness") or {}).get("weights") or {}
    return {c: float(w.get(c, 1.0)) for c in comps}


def _is_seed(features: pd.DataFrame) -> bool:
    return bool(features.attrs.get("is_seed", False))


def _year_used(features: pd.DataFrame, comp: str, default: int) -> np.ndarray:
    """The data year each row's ``comp`` was read from (``<comp>_year``), else ``default``."""
    col = f"{comp}_year"
    if col in features.columns:
        y = pd.to_numeric(features[col], errors="coerce").to_numpy("float64", na_value=np.nan)
        return np.where(np.isnan(y), float(default), y)
    return np.full(len(features), float(default))


def _igo_tables(data_dir, is_seed: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Membership (``ccode, year, ioname, status``) and the list (``ioname``, names, ``is_security``)."""
    from coalitionlab.measures.igos import security_flags

    if is_seed:
        from coalitionlab.data import seed

        members = seed.igo_membership_long()
        lst = seed.igo_list().rename(columns={"org": "ioname", "name": "orgname"})
    else:
        from coalitionlab.data import load

        members = load("cow_igo", data_dir)
        lst = load("cow_igo_list", data_dir)
    lst = lst.assign(ioname=lst["ioname"].astype(str))
    lst["is_security"] = security_flags(lst).to_numpy()
    return members, lst


def _resolve_igo(name: str, lst: pd.DataFrame) -> str:
    """The IGO's ``ioname`` for an abbreviation or a full name (case-insensitive)."""
    low = name.lower()
    for col in ("ioname", "orgname", "longorgname", "cow_ioname"):
        if col in lst.columns:
            hit = lst[lst[col].astype(str).str.lower() == low]
            if len(hit):
                return str(hit["ioname"].iloc[0])
    raise UnknownOptionError(f"unknown IGO {name!r}; closest: {_closest(name, lst['ioname'])} "
                             f"(COW IGO abbreviations, e.g. 'WHO', 'UNESCO')")


def _alliance_ties(data_dir, is_seed: bool) -> pd.DataFrame:
    """ATOP alliance ties with an ``agreement`` key ``ATOP:<atopid>`` (seed: ``SEED:<treaty>``)."""
    from coalitionlab.measures import ties

    if is_seed:
        t = ties.seed_alliance_ties()
        return t.assign(agreement=("SEED:" + t["treaty"].astype(str)).to_numpy())
    from coalitionlab.data import load

    t = ties.alliance_ties(load("atop_members", data_dir))
    return t.assign(agreement=("ATOP:" + t["atopid"].astype("int64").astype(str)).to_numpy())


def _in_force(t: pd.DataFrame, day: np.datetime64) -> np.ndarray:
    start, end = t["start"].to_numpy("datetime64[ns]"), t["end"].to_numpy("datetime64[ns]")
    return (start <= day) & (np.isnat(end) | (day < end))


def _pair_rows(t: pd.DataFrame, lead: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows of a tie table involving the lead, and the partner of each."""
    a, b = t["ccode1"].to_numpy("int64"), t["ccode2"].to_numpy("int64")
    sel = (a == lead) | (b == lead)
    sub = t[sel]
    return sub, np.where(a[sel] == lead, b[sel], a[sel])


def _dated_days(features: pd.DataFrame, comp: str, day: pd.Timestamp) -> np.ndarray:
    """The day each row's dated component was counted on: the day, or 31 December of its last data year."""
    years = _year_used(features, comp, day.year)
    out = np.full(len(features), day.to_datetime64(), dtype="datetime64[ns]")
    late = years < day.year
    if late.any():
        out[late] = pd.to_datetime(years[late].astype("int64").astype(str) + "-12-31").to_numpy("datetime64[ns]")
    return out


def _count_shared(t: pd.DataFrame, partner: np.ndarray, ccodes: np.ndarray, days: np.ndarray) -> np.ndarray:
    """For each row (candidate ``ccodes[i]`` counted on ``days[i]``): rows of ``t`` with that partner in force."""
    out = np.zeros(len(ccodes))
    if not len(t):
        return out
    start, end = t["start"].to_numpy("datetime64[ns]"), t["end"].to_numpy("datetime64[ns]")
    for i, (c, d) in enumerate(zip(ccodes, days, strict=True)):
        m = (partner == c) & (start <= d) & (np.isnat(end) | (d < end))
        out[i] = float(m.sum())
    return out


def _seed_treaty(org: str, lst: pd.DataFrame) -> str:
    """The seed's alliance treaty (``SEED:<treaty>``) behind one of its alliance organisations."""
    from coalitionlab.measures import ties

    source = str(lst.loc[lst["ioname"].str.lower() == org.lower(), "source"].iloc[0]).lower() \
        if "source" in lst.columns else ""
    for treaty in ties.seed_alliance_ties()["treaty"].astype(str).unique():
        if source.startswith(treaty.split(" (")[0].lower()) or treaty.lower().startswith(org.lower() + " "):
            return f"SEED:{treaty}"
    raise UnknownOptionError(f"IGO {org}: the embedded seed holds no alliance treaty for it; pass data_dir= "
                             f"with the full sources")


def _igo_removals(features: pd.DataFrame, lead: int, day: pd.Timestamp, names: Sequence[str], data_dir,
                  is_seed: bool, comps: list[str]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray],
                                                            list[str], list[str]]:
    """Joint memberships lost per component (and their security part) when the lead leaves ``names``."""
    from coalitionlab.measures.embeddedness import ALLIANCE_IGOS, SEED_ALLIANCE_ORGS

    members, lst = _igo_tables(data_dir, is_seed)
    n = len(features)
    ccodes = features["ccode"].to_numpy("int64")
    lost: dict[str, np.ndarray] = {}
    lost_sec: dict[str, np.ndarray] = {}
    as_alliance: list[str] = []
    resolved: list[str] = []
    default_year = day.year - 1
    if "igos" in comps:
        years = _year_used(features, "igos", default_year)
    else:
        years = np.full(n, float(default_year))
    alliance_orgs = {k.lower(): v for k, v in ALLIANCE_IGOS.items()} if not is_seed else \
        {o: o for o in SEED_ALLIANCE_ORGS}
    m = members[members["status"].isin([1, 2])]
    for name in names:
        io = _resolve_igo(name, lst)
        resolved.append(io)
        rows = m[m["ioname"].astype(str) == io]
        lead_years = set(rows.loc[rows["ccode"] == lead, "year"].astype("int64"))
        asked = sorted({int(y) for y in years[~np.isnan(years)]})
        if not asked:
            asked = [default_year]
        absent = [y for y in asked if y not in lead_years]
        if absent:
            have = sorted(lead_years)
            span = f"member {have[0]}-{have[-1]}" if have else "never a member in the data"
            raise CoverageError(f"the lead (ccode {lead}) was not in IGO {io} in {absent[0]} (the year its IGO "
                                f"memberships are read for {day:%Y-%m-%d}; {span}): it cannot leave it")
        if io.lower() in alliance_orgs:  # counted as its ATOP alliance, not in the igos component
            as_alliance.append(f"ATOP:{alliance_orgs[io.lower()]}" if not is_seed else _seed_treaty(io, lst))
            continue
        if "igos" not in comps:
            raise UnknownOptionError(f"IGO {io}: the features hold no igos component, so leaving it changes nothing")
        keys = set(zip(rows["ccode"].astype("int64"), rows["year"].astype("int64"), strict=True))
        shared = np.array([(not np.isnan(y)) and (int(c), int(y)) in keys and int(y) in lead_years
                           for c, y in zip(ccodes, years, strict=True)], dtype=float)
        is_sec = bool(lst.loc[lst["ioname"] == io, "is_security"].any())
        lost["igos"] = lost.get("igos", np.zeros(n)) + shared
        lost_sec["igos"] = lost_sec.get("igos", np.zeros(n)) + (shared if is_sec else 0.0)
    return lost, lost_sec, as_alliance, resolved


def _agreement_removals(features: pd.DataFrame, lead: int, day: pd.Timestamp, ids: Sequence[str], data_dir,
                        is_seed: bool, comps: list[str]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Ties lost per component (and their security part) when the lead lets the agreements ``ids`` lapse."""
    n = len(features)
    ccodes = features["ccode"].to_numpy("int64")
    lost: dict[str, np.ndarray] = {}
    lost_sec: dict[str, np.ndarray] = {}
    if not ids:
        return lost, lost_sec
    atop_ids = [i for i in ids if i.upper().startswith(("ATOP:", "SEED:")) or i.isdigit()]
    treaty_ids = [i for i in ids if i not in atop_ids]
    if atop_ids:
        at = _alliance_ties(data_dir, is_seed)
        sub, partner = _pair_rows(at, lead)
        known = {a.upper(): a for a in at["agreement"].unique()}
        for raw in atop_ids:
            key = ("ATOP:" + raw) if raw.isdigit() else raw.upper()
            if key not in known:
                raise UnknownOptionError(f"unknown alliance {raw!r}; closest: {_closest(key, known.values())} "
                                         f"(write ATOP:<atopid>)")
            agreement = known[key]
            rows = sub[sub["agreement"].to_numpy() == agreement]
            p = partner[sub["agreement"].to_numpy() == agreement]
            if not _in_force(rows, day.to_datetime64()).any():
                raise CoverageError(f"the lead (ccode {lead}) was in no alliance {agreement} on {day:%Y-%m-%d}: "
                                    f"it cannot let it lapse")
            hit = [c for c in ("alliances", "defense_pacts") if c in comps]
            if not hit:
                raise UnknownOptionError(f"alliance {agreement}: the features hold no alliances component, so "
                                         f"letting it lapse changes nothing")
            for comp in hit:
                sel = rows if comp == "alliances" else rows[rows["defense"].to_numpy() > 0]
                psel = p if comp == "alliances" else p[rows["defense"].to_numpy() > 0]
                got = _count_shared(sel, psel, ccodes, _dated_days(features, comp, day))
                lost[comp] = lost.get(comp, np.zeros(n)) + got
                lost_sec[comp] = lost_sec.get(comp, np.zeros(n)) + got
    if treaty_ids:
        if is_seed:
            raise UnknownOptionError(f"agreement {treaty_ids[0]!r}: the embedded seed holds no treaty record; "
                                     f"pass data_dir= with the full sources")
        from coalitionlab.measures.treaties import treaty_ties

        tt = treaty_ties(data_dir)
        sub, partner = _pair_rows(tt, lead)
        aid = sub["agreement_id"].astype(str).to_numpy()
        lead_ids = {a.upper(): a for a in np.unique(aid)}
        for raw in treaty_ids:
            agreement = lead_ids.get(raw.upper())
            if agreement is None:
                everywhere = tt["agreement_id"].astype(str)
                if (everywhere.str.upper() == raw.upper()).any():
                    raise CoverageError(f"the lead (ccode {lead}) is party to no tie through agreement {raw!r}")
                live = np.unique(aid[_in_force(sub, day.to_datetime64())])
                raise UnknownOptionError(f"unknown agreement {raw!r}; closest among the lead's agreements in force: "
                                         f"{_closest(raw, live)}")
            pick = aid == agreement
            rows, p = sub[pick], partner[pick]
            if not _in_force(rows, day.to_datetime64()).any():
                raise CoverageError(f"agreement {agreement} ties the lead (ccode {lead}) to no state on "
                                    f"{day:%Y-%m-%d}: it cannot lapse")
            comp = "treaties_bilateral" if bool(rows["is_bilateral"].iloc[0]) else "treaties_multilateral"
            if comp not in comps:
                raise UnknownOptionError(f"agreement {agreement} counts in {comp}, which the features do not hold "
                                         f"(components: {', '.join(comps)}); letting it lapse changes nothing")
            got = _count_shared(rows, p, ccodes, _dated_days(features, comp, day))
            lost[comp] = lost.get(comp, np.zeros(n)) + got
            lost_sec[comp] = lost_sec.get(comp, np.zeros(n)) + (got if bool(rows["is_security"].iloc[0]) else 0.0)
    return lost, lost_sec


def _security_part(features: pd.DataFrame, comp: str, lead: int, day: pd.Timestamp, data_dir,
                   is_seed: bool) -> np.ndarray:
    """The security part of a component's value per row (needed to scale ``embeddedness_nonsecurity``)."""
    n = len(features)
    ccodes = features["ccode"].to_numpy("int64")
    if comp in ("alliances", "defense_pacts", "exercises"):
        return features[comp].to_numpy("float64")
    if comp in ("trade_agreements", "investment_treaties"):
        return np.zeros(n)
    if comp in ("treaties_bilateral", "treaties_multilateral"):
        from coalitionlab.measures.treaties import treaty_ties

        tt = treaty_ties(data_dir)
        tt = tt[(tt["is_bilateral"].to_numpy() == (comp == "treaties_bilateral")) & tt["is_security"].to_numpy()]
        sub, partner = _pair_rows(tt, lead)
        return _count_shared(sub, partner, ccodes, _dated_days(features, comp, day))
    # igos: joint memberships in security IGOs that are not alliance organisations
    from coalitionlab.measures.embeddedness import ALLIANCE_IGOS, SEED_ALLIANCE_ORGS

    members, lst = _igo_tables(data_dir, is_seed)
    skip = {o.lower() for o in (SEED_ALLIANCE_ORGS if is_seed else ALLIANCE_IGOS)}
    sec = {io for io in lst.loc[lst["is_security"], "ioname"] if io.lower() not in skip}
    m = members[members["status"].isin([1, 2]) & members["ioname"].astype(str).isin(sec)]
    years = _year_used(features, "igos", day.year - 1)
    lead_m = m[m["ccode"] == lead]
    lead_sets = lead_m.groupby("year")["ioname"].agg(set)
    cand = m.groupby(["ccode", "year"])["ioname"].agg(set)
    out = np.zeros(n)
    for i, (c, y) in enumerate(zip(ccodes, years, strict=True)):
        if np.isnan(y):
            continue
        a, b = lead_sets.get(int(y), set()), cand.get((int(c), int(y)), set())
        out[i] = len(a & b)
    return out


def apply_change(features: pd.DataFrame, lead_ccode: int, date: str | pd.Timestamp, change: TieChange, *,
                 data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """The candidates' embeddedness after the lead's ties change.

    For each candidate: subtract from ``igos`` the named IGOs the lead and the candidate both
    belonged to (status full or associate) in the year the component was read (``igos_year``, the
    year before ``date`` unless carried forward); subtract from the component that counts it each
    named agreement the pair shared on the day (``alliances``/``defense_pacts`` for an ATOP alliance,
    ``treaties_bilateral`` or ``treaties_multilateral`` for a treaty-record agreement); then multiply
    each component named in ``change.scale`` by its factor. The totals follow:
    ``embeddedness`` changes by the weighted sum of the component changes, ``embeddedness_log1p``
    is ``log1p`` of the new total, ``embeddedness_nonsecurity`` and ``embeddedness_security`` change
    by the non-security and security parts, ``embeddedness_share`` is recomputed over the frame, and
    ``<component>_z`` / ``embeddedness_z`` move by the change over the baseline's standard deviation
    (the reference distribution held fixed, so a loss of ties lowers them). NaN stays NaN.

    Parameters
    ----------
    features
        One row per candidate with ``ccode`` and the component columns (as from
        :func:`coalitionlab.measures.embeddedness` or the planner's inputs); ``<component>_year``
        columns, when present, give the data year each value was read from.
    lead_ccode
        The lead's COW code.
    date
        The mission's date (the measurement day).
    change
        What changes (:class:`TieChange`).
    data_dir
        Data directory with the full sources (the embedded seed when ``features.attrs["is_seed"]``).

    Returns
    -------
    pandas.DataFrame
        A copy of ``features`` with the changed columns; ``attrs["tie_change"]`` records the change,
        the IGOs as resolved, alliance organisations counted as alliances, and the ties lost per
        component.

    Raises
    ------
    UnknownOptionError
        An unknown IGO or agreement (the message lists the closest names), a scale component the
        features do not hold, a negative factor, or a removal that cannot change the features.
    CoverageError
        The lead was not in a named IGO in the year read, or not party to a named agreement on the day.

    Examples
    --------
    >>> f = pd.DataFrame({"ccode": [20, 200], "alliances": [2.0, 1.0], "igos": [10.0, 4.0]})
    >>> f["embeddedness"] = f["alliances"] + f["igos"]
    >>> apply_change(f, 2, "2003-03-20", TieChange(scale={"igos": 0.5}))["embeddedness"].tolist()
    [7.0, 3.0]
    """
    if not isinstance(change, TieChange):
        raise UnknownOptionError(f"change must be a TieChange, got {type(change).__name__}")
    if "ccode" not in features.columns:
        from coalitionlab.errors import PanelTypeError

        raise PanelTypeError("apply_change() needs a frame with a ccode column (one row per candidate)")
    day = parse_date(date).normalize()
    lead = int(lead_ccode)
    comps = _components(features)
    if not comps:
        raise UnknownOptionError("the features hold no embeddedness component column "
                                 f"(one of {', '.join(_CHANGEABLE)})")
    w = _weights(features, comps)
    is_seed = _is_seed(features)
    scale: dict[str, float] = {}
    for key, f in change.scale.items():
        targets = _ALIASES.get(key, (key,)) or tuple(comps)
        present = [c for c in targets if c in comps]
        if not present:
            raise UnknownOptionError(f"scale component {key!r} is not in the features; they hold: {', '.join(comps)}")
        for c in present:
            scale[c] = f
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeedDataWarning)  # the features already carry attrs["is_seed"]
        lost, lost_sec, as_alliance, resolved = _igo_removals(features, lead, day, change.without_igos, data_dir,
                                                              is_seed, comps) if change.without_igos else \
            ({}, {}, [], [])
        agreements = list(dict.fromkeys([*change.without_agreements, *as_alliance]))
        l2, s2 = _agreement_removals(features, lead, day, agreements, data_dir, is_seed, comps)
    for comp, v in l2.items():
        lost[comp] = lost.get(comp, 0.0) + v
        lost_sec[comp] = lost_sec.get(comp, 0.0) + s2[comp]
    out = features.copy()
    need_nonsec = "embeddedness_nonsecurity" in out.columns or "embeddedness_security" in out.columns
    delta_total = np.zeros(len(out))
    delta_sec = np.zeros(len(out))
    deltas: dict[str, np.ndarray] = {}
    for comp in comps:
        old = out[comp].to_numpy("float64")
        new = old - lost.get(comp, 0.0)
        sec_old_part = lost_sec.get(comp, np.zeros(len(out)))
        d_sec = -np.asarray(sec_old_part, dtype=float)
        if comp in scale and scale[comp] != 1.0:
            f = scale[comp]
            if need_nonsec:
                sec = _security_part(features, comp, lead, day, data_dir, is_seed) - sec_old_part
                d_sec = d_sec + (f - 1.0) * sec
            new = new * f
        new = np.where(np.isnan(old), np.nan, new)
        deltas[comp] = new - old
        delta_total = delta_total + w[comp] * (new - old)
        delta_sec = delta_sec + w[comp] * d_sec
        out[comp] = new
        zc = f"{comp}_z"
        if zc in out.columns:
            sd = np.nanstd(old)
            out[zc] = out[zc].to_numpy("float64") + (deltas[comp] / sd if sd > 0 else np.nan)
    if "embeddedness" in out.columns:
        total = out["embeddedness"].to_numpy("float64") + delta_total
    else:
        total = sum(w[c] * out[c].to_numpy("float64") for c in comps)
    out["embeddedness"] = total
    if "embeddedness_log1p" in out.columns or "embeddedness" not in features.columns:
        out["embeddedness_log1p"] = np.log1p(total)
    if "embeddedness_nonsecurity" in out.columns:
        nonsec = out["embeddedness_nonsecurity"].to_numpy("float64") + (delta_total - delta_sec)
        out["embeddedness_nonsecurity"] = nonsec
        if "embeddedness_nonsecurity_log1p" in out.columns:
            out["embeddedness_nonsecurity_log1p"] = np.log1p(nonsec)
        if "embeddedness_security" in out.columns:
            out["embeddedness_security"] = total - nonsec
    if "embeddedness_share" in out.columns:
        denom = np.nansum(total)
        out["embeddedness_share"] = total / denom if denom > 0 else np.nan
    if "embeddedness_z" in out.columns:
        zcols = [f"{c}_z" for c in comps if f"{c}_z" in out.columns]
        if len(zcols) == len(comps):
            out["embeddedness_z"] = out[zcols].sum(axis=1, min_count=len(zcols))
        else:  # no per-component z-scores: move the sum by each change over that component's baseline sd
            shift = np.zeros(len(out))
            for comp in comps:
                sd = np.nanstd(features[comp].to_numpy("float64"))
                shift = shift + (deltas[comp] / sd if sd > 0 else np.nan)
            out["embeddedness_z"] = out["embeddedness_z"].to_numpy("float64") + shift
    out.attrs = {**features.attrs, "tie_change": {
        "change": change.describe(), "without_igos": resolved, "as_alliances": as_alliance,
        "without_agreements": list(change.without_agreements), "scale": scale,
        "ties_lost": {c: float(np.nansum(-d)) for c, d in deltas.items()}, "date": f"{day:%Y-%m-%d}",
        "lead_ccode": lead}}
    return out


# ---------------------------------------------------------------- re-planning


def _expected(plan) -> dict[str, float]:
    exp = plan.expected
    return {k: float(exp[k]) if exp.get(k) is not None else np.nan for k in COMPARED}


def _rep_seeds(seed: int, n_reps: int) -> list[int]:
    return [int(c.generate_state(1)[0]) for c in np.random.SeedSequence(seed).spawn(n_reps)]


def _same_ties(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Whether two feature frames are equal in every column (NaN equal to NaN)."""
    return a.shape == b.shape and list(a.columns) == list(b.columns) and a.equals(b)


class _Planner:
    """Plans of one set of inputs for several seeds, each solved once."""

    def __init__(self, inputs, kw: dict) -> None:
        self.inputs, self.kw = inputs, kw
        self._plans: dict[int, object] = {}

    def __call__(self, seed: int):
        if seed not in self._plans:
            from coalitionlab.planner.plan import plan_from_inputs

            self._plans[seed] = plan_from_inputs(self.inputs, seed=seed, sensitivity=False, **self.kw)
        return self._plans[seed]


def _compare(base: _Planner, changed_inputs, seed: int, n_reps: int) -> tuple[pd.DataFrame, dict]:
    """Before/after/difference rows for :data:`COMPARED`, paired on each seed."""
    same = _same_ties(base.inputs.features, changed_inputs.features)
    alt = base if same else _Planner(changed_inputs, base.kw)
    seeds = [seed, *_rep_seeds(seed, n_reps)]
    pairs = [(_expected(base(s)), _expected(alt(s))) for s in seeds]
    rows = []
    for k in COMPARED:
        b, a = pairs[0][0][k], pairs[0][1][k]
        reps = np.array([pa[k] - pb[k] for pb, pa in pairs], dtype=float)
        ok = reps[~np.isnan(reps)]
        low, high = (float(ok.min()), float(ok.max())) if n_reps and len(ok) else (np.nan, np.nan)
        rows.append({"outcome": k, "before": b, "after": a, "difference": a - b, "difference_low": low,
                     "difference_high": high})
    first_b, first_a = base(seed), alt(seed)
    meta = {"solver_before": first_b.attrs.get("solver", {}).get("status"),
            "solver_after": first_a.attrs.get("solver", {}).get("status"),
            "infeasible_before": first_b.infeasible, "infeasible_after": first_a.infeasible,
            "identical_inputs": same, "seeds": seeds}
    return pd.DataFrame(rows), meta


def counterfactual(mission, change: TieChange, *, data_dir: str | os.PathLike | None = None,
                   n_scenarios: int = 200, seed: int = 0, n_reps: int = 4, inputs=None,
                   payment_scale: float | None = None, time_limit: float = 3.0) -> pd.DataFrame:
    """Plan ``mission`` with the lead's ties as they are and as ``change`` leaves them; compare.

    Both plans use the same inputs (the participation model fitted before the mission's date, the
    bargaining world's constants) except the embeddedness columns, and the same random numbers
    (common random numbers: the same ``seed`` draws the same price scenarios for both). The
    difference is then the change's effect plus whatever the solver does differently; when the
    changed features equal the original ones the plan is not solved twice, so a change that changes
    nothing gives exactly zero. The point values use ``seed``; the interval is the range (smallest
    to largest) of the paired difference over ``seed`` and ``n_reps`` further seeds
    (``numpy.random.SeedSequence(seed).spawn``), each a full re-plan of both sides. It measures how
    much the difference moves with the scenarios drawn (and with a MILP stopped at its time limit),
    not the uncertainty of the model's coefficients, which are held fixed.

    Parameters
    ----------
    mission
        A :class:`~coalitionlab.planner.mission.Mission`, a dict or a path to a mission TOML.
    change
        The change (:class:`TieChange`).
    data_dir
        Data directory with the full sources.
    n_scenarios, seed, payment_scale, time_limit
        Passed to :func:`~coalitionlab.planner.plan.plan_from_inputs` (without its sensitivity table).
    n_reps
        Further seeds for the interval (0: no interval, the interval columns are NaN).
    inputs
        Prebuilt ``PlanningInputs`` for ``mission`` (saves rebuilding them when comparing many changes).

    Returns
    -------
    pandas.DataFrame
        One row per outcome (:data:`COMPARED`: ``cost, size, shortfall_risk, p_meets_requirements``):
        ``outcome, before, after, difference`` (after - before), ``difference_low``,
        ``difference_high``. ``attrs``: ``change``, ``ties_lost`` (component -> ties removed over all
        candidates), ``seed``, ``seeds``, ``n_scenarios``, ``n_reps``, ``mission``, ``date``,
        ``lead_ccode``, ``infeasible_before`` / ``infeasible_after`` (the plan's shortfalls, or None),
        ``solver_before`` / ``solver_after`` (HiGHS status), ``identical_inputs``.

    Examples
    --------
    >>> cf = counterfactual("examples/missions/us_air_campaign.toml", TieChange(without_igos=["WHO"]),
    ...                     data_dir="../shared/data")  # doctest: +SKIP
    """
    from coalitionlab.planner.plan import build_inputs

    if isinstance(n_reps, bool) or not isinstance(n_reps, (int, np.integer)) or n_reps < 0:
        raise UnknownOptionError(f"n_reps must be a whole number >= 0, got {n_reps!r}")
    mission = _as_mission(mission)
    if inputs is None:
        inputs = build_inputs(mission, data_dir=data_dir)
    kw = {"n_scenarios": n_scenarios, "payment_scale": payment_scale, "time_limit": time_limit}
    return _counterfactual(_Planner(inputs, kw), change, data_dir=data_dir, seed=seed, n_reps=int(n_reps))


def _counterfactual(base: _Planner, change: TieChange, *, data_dir, seed: int, n_reps: int) -> pd.DataFrame:
    inputs = base.inputs
    lead = _lead_ccode(inputs)
    date = str(inputs.mission.date)
    changed_features = apply_change(inputs.features, lead, date, change, data_dir=data_dir)
    changed = dataclasses.replace(inputs, features=changed_features)
    out, meta = _compare(base, changed, seed, n_reps)
    out.attrs = {"change": change.describe(), "ties_lost": changed_features.attrs["tie_change"]["ties_lost"],
                 "seed": seed, "n_scenarios": base.kw["n_scenarios"], "n_reps": n_reps,
                 "mission": getattr(inputs.mission, "name", None), "date": date, "lead_ccode": lead,
                 "embeddedness_before": float(np.nansum(inputs.features["embeddedness"].to_numpy("float64"))),
                 "embeddedness_after": float(np.nansum(changed_features["embeddedness"].to_numpy("float64"))),
                 **meta}
    return out


def _as_mission(mission):
    """A Mission from a Mission, a dict or a TOML path."""
    from coalitionlab.planner import mission as mission_mod

    if isinstance(mission, (str, os.PathLike)):
        return mission_mod.load_mission(mission)
    if isinstance(mission, Mapping):
        return mission_mod.mission_from_dict(dict(mission))
    return mission


def _lead_ccode(inputs) -> int:
    """The lead's ccode from the planning inputs (features attrs, else the crosswalk on the mission date)."""
    if getattr(inputs.mission, "lead_ccode", None) is not None:
        return int(inputs.mission.lead_ccode)
    for where in (inputs.features.attrs, getattr(inputs, "attrs", {}) or {}):
        if where.get("lead_ccode") is not None:
            return int(where["lead_ccode"])
    lead = getattr(inputs.mission, "lead", None)
    if isinstance(lead, (int, np.integer)):
        return int(lead)
    from coalitionlab.data import countries

    return int(countries.to_ccode(lead, date=str(inputs.mission.date), where="mission lead"))


def diplomacy_value_curve(lead: str | int, years: Iterable[int], mission_template, *,
                          factors: Sequence[float] = (1.0, 0.75, 0.5, 0.25, 0.0),
                          data_dir: str | os.PathLike | None = None, n_scenarios: int = 200, seed: int = 0,
                          n_reps: int = 0, payment_scale: float | None = None,
                          time_limit: float = 3.0) -> pd.DataFrame:
    """The standard mission's expected cost for ``lead`` in each year when all its embeddedness is scaled.

    The template (a Mission, dict or TOML path) is re-dated to the same month and day in each year
    and given ``lead``; everything else (target, requirements, budget, instruments) stays. For each
    year the inputs are built once (model fitted on the coalitions before that date) and the mission
    planned with every component multiplied by each factor (:class:`TieChange` ``scale={"all": f}``),
    each against the unchanged plan of the same year with the same seed (:func:`counterfactual`).

    Returns
    -------
    pandas.DataFrame
        One row per (year, factor): ``year, factor, date, cost, size, shortfall_risk,
        p_meets_requirements`` (the plan at that factor), ``cost_change`` (minus the cost at the
        year's actual ties), ``cost_change_low``, ``cost_change_high`` (interval over ``n_reps``
        further seeds; NaN when 0), ``embeddedness_total`` (the lead's embeddedness summed over the
        candidates at that factor), ``feasible`` (the plan met the requirements as asked),
        ``solver`` (HiGHS status).

    Examples
    --------
    >>> curve = diplomacy_value_curve("USA", [2003, 2008], "examples/missions/us_air_campaign.toml",
    ...                               data_dir="../shared/data")  # doctest: +SKIP
    """
    from coalitionlab.planner.plan import build_inputs

    template = _as_mission(mission_template)
    factors = [float(f) for f in factors]
    for f in factors:
        if not math.isfinite(f) or f < 0:
            raise UnknownOptionError(f"factors must be finite numbers >= 0, got {f!r}")
    if isinstance(n_reps, bool) or not isinstance(n_reps, (int, np.integer)) or n_reps < 0:
        raise UnknownOptionError(f"n_reps must be a whole number >= 0, got {n_reps!r}")
    base_date = parse_date(str(template.date))
    kw = {"n_scenarios": n_scenarios, "payment_scale": payment_scale, "time_limit": time_limit}
    rows = []
    for year in years:
        year = int(year)
        try:
            day = base_date.replace(year=year)
        except ValueError:  # 29 February
            day = base_date.replace(year=year, day=28)
        data = template.model_dump(mode="json")
        data.update({"lead": str(lead), "date": f"{day:%Y-%m-%d}", "name": f"{template.name} ({year})"})
        mission = _as_mission(data)
        base = _Planner(build_inputs(mission, data_dir=data_dir), kw)
        for f in factors:
            res = _counterfactual(base, TieChange(scale={"all": f}), data_dir=data_dir, seed=seed, n_reps=int(n_reps))
            r = res.set_index("outcome")
            rows.append({"year": year, "factor": f, "date": f"{day:%Y-%m-%d}",
                         **{k: r.loc[k, "after"] for k in COMPARED},
                         "cost_change": r.loc["cost", "difference"],
                         "cost_change_low": r.loc["cost", "difference_low"],
                         "cost_change_high": r.loc["cost", "difference_high"],
                         "embeddedness_total": res.attrs["embeddedness_after"],
                         "feasible": res.attrs["infeasible_after"] is None,
                         "solver": res.attrs["solver_after"]})
    out = pd.DataFrame(rows)
    out.attrs = {"lead": lead, "factors": factors, "seed": seed, "n_scenarios": n_scenarios, "n_reps": n_reps,
                 "mission": template.name}
    return out
