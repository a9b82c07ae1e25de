"""Diplomatic embeddedness (Henke): institutional ties between a lead state and every other state.

Embeddedness is the (weighted) count of the bilateral and multilateral institutional ties between
the lead and a country at a date: agreements in force (alliances, trade agreements, investment
treaties) plus joint IGO memberships. Each component is read at the latest year with data on or
before the date (minus ``lag_years``); the year used for each one is stored in ``attrs``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coalitionlab._validation import check_option, parse_date
from coalitionlab.errors import (
    CoverageError,
    MissingDataError,
    MissingValueWarning,
    SeedDataWarning,
    UnknownCountryError,
)
from coalitionlab.measures._common import SourceChoice

__all__ = ["COMPONENTS", "DEFAULT_COMPONENTS", "Component", "add_embeddedness", "embeddedness",
           "embeddedness_pairs"]


@dataclass(frozen=True)
class Component:
    """One embeddedness component: the panel column that holds it and where it comes from."""

    name: str
    column: str
    step: str
    source: str
    is_security: bool
    nonsecurity_column: str | None
    description: str


COMPONENTS: dict[str, Component] = {c.name: c for c in (
    Component("alliances", "atop_alliances", "alliances", "atop_members", True, None,
              "ATOP v4.01 alliances (any obligation) both states belong to"),
    Component("trade_agreements", "desta_pta", "agreements", "desta_dyads", False, "desta_pta",
              "DESTA 02_02 preferential trade agreements in force between the two"),
    Component("investment_treaties", "unctad_iia", "agreements_unctad", "unctad_iia", False, "unctad_iia",
              "UNCTAD BITs and TIPs in force between the two"),
    Component("igos", "igo_joint_any", "igos", "cow_igo", False, "igo_joint_nonsecurity",
              "COW IGO v3.0 joint memberships (full or associate); non-security total drops security IGOs"),
    Component("defense_pacts", "atop_defense_pacts", "alliances", "atop_members", True, None,
              "ATOP v4.01 alliances with a defence obligation both states belong to (a subset of alliances)"),
    Component("exercises", "mme_joint_exercises", "exercises", "military_exercises", True, None,
              "MME v7 multinational military exercises both took part in that year (1980-2010)"),
)}

#: Henke's definition: agreements (alliances, trade, investment) plus joint IGO memberships.
DEFAULT_COMPONENTS: tuple[str, ...] = ("alliances", "trade_agreements", "investment_treaties", "igos")
#: What the embedded seed holds (used by default when the full sources are absent).
SEED_COMPONENTS: tuple[str, ...] = ("alliances", "igos")
#: Components the seed can also give when asked for (not in its default).
SEED_OPTIONAL: tuple[str, ...] = ("defense_pacts",)


# ---------------------------------------------------------------- helpers


def _to_ccode(lead: str | int, date: pd.Timestamp) -> int:
    """Map a name, ISO3 code or COW ccode to a ccode through the date-aware crosswalk."""
    from coalitionlab.data import countries

    day = f"{date:%Y-%m-%d}"
    try:
        return int(countries.to_ccode(lead, date=day, where="embeddedness lead"))
    except UnknownCountryError:
        if isinstance(lead, str) and len(lead) == 3 and lead.isalpha():  # a COW abbreviation (UKG, GMY)?
            try:
                return int(countries.to_ccode(lead.upper(), scheme="stateabb", date=day, where="embeddedness lead"))
            except UnknownCountryError:
                pass
        raise
    except (KeyError, ValueError, TypeError) as exc:
        raise UnknownCountryError(lead, where="embeddedness lead") from exc


def _has_full(data_dir) -> bool:
    from coalitionlab.data.registry import source_paths

    try:
        source_paths("cow_igo", data_dir)
        source_paths("cow_states", data_dir)
    except MissingDataError:
        return False
    return True


def _mode(source: SourceChoice, data_dir) -> bool:
    """Return ``is_seed``; warn when ``"auto"`` falls back to the seed."""
    check_option(source, ["auto", "full", "seed"], name="source")
    if source == "seed":
        return True
    if source == "full" or _has_full(data_dir):
        return False
    from coalitionlab.data import seed

    warnings.warn(
        "embeddedness: the full sources are not in the data directory; using the embedded seed data "
        f"(alliances = US bilateral defence agreements, igos = the seed's {len(seed.igo_list())} organisations, "
        "the UN among them). "
        "Pass data_dir= or set $COALITIONLAB_DATA.",
        SeedDataWarning, stacklevel=3,
    )
    return True


def _spells(data_dir, is_seed: bool) -> pd.DataFrame:
    from coalitionlab.measures.panel import system_spells

    return system_spells(data_dir, source="seed" if is_seed else "full")


def _members_at(spells: pd.DataFrame, date: pd.Timestamp) -> pd.DataFrame:
    alive = (spells["start_date"] <= date) & (spells["end_date"] >= date)
    return spells[alive].drop_duplicates("ccode")


def _coverage(comp: Component, is_seed: bool) -> tuple[int, int]:
    if is_seed:
        from coalitionlab.data import seed

        return int(seed.FIRST_YEAR), int(seed.LAST_YEAR)
    from coalitionlab.measures.agreements import _coverage as source_coverage

    return source_coverage(comp.source)


def _check_components(components: Iterable[str] | None, is_seed: bool) -> list[str]:
    if components is None:
        return list(SEED_COMPONENTS if is_seed else DEFAULT_COMPONENTS)
    if isinstance(components, str):
        components = [c.strip() for c in components.split(",") if c.strip()]
    # a component named twice counts once (it was summed twice and given two columns of one name)
    comps = list(dict.fromkeys(check_option(c, COMPONENTS, name="embeddedness component") for c in components))
    if not comps:
        from coalitionlab.errors import UnknownOptionError

        raise UnknownOptionError(f"no embeddedness component given; allowed: {', '.join(COMPONENTS)}")
    if is_seed:
        missing = [c for c in comps if c not in SEED_COMPONENTS + SEED_OPTIONAL]
        if missing:
            raise MissingDataError(
                f"component(s) {', '.join(missing)} need the full sources (the embedded seed has "
                f"{', '.join(SEED_COMPONENTS)}); pass --data-dir / data_dir="
            )
    return comps


def _seed_alliances(c1: np.ndarray, c2: np.ndarray, years: np.ndarray, *, pacts_only: bool = False) -> np.ndarray:
    """Seed alliances: the US bilateral defence agreements per year (``seed.agreements_long()``)."""
    from coalitionlab.data import seed
    from coalitionlab.measures._common import dyad_values

    # bilateral only: the multilateral treaties (NATO, Rio ...) enter as seed IGOs
    agr = seed.agreements_long(defence_pacts_only=pacts_only)
    counts = agr.groupby(["ccode1", "ccode2", "year"], as_index=False).size().rename(columns={"size": "n"})
    vals = dyad_values(counts, ["n"], c1, c2, years, symmetric=True)["n"]
    vals = np.where(np.isnan(vals), 0.0, vals)
    # the seed lists the USA's agreements only: for a pair without the USA the count is unknown
    vals[(np.asarray(c1) != 2) & (np.asarray(c2) != 2)] = np.nan
    return vals


def _component_values(comp: Component, c1: np.ndarray, c2: np.ndarray, years: np.ndarray, *,
                      data_dir, is_seed: bool) -> dict[str, np.ndarray]:
    """Values of one component (and its non-security version) for dyads in the given years."""
    frame = pd.DataFrame({"ccode1": c1, "ccode2": c2, "year": years})
    frame.attrs = {"unit": "dyad_year", "directed": True}
    out: dict[str, np.ndarray] = {}
    if comp.step == "igos":
        from coalitionlab.measures.igos import add_igos

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SeedDataWarning)  # the caller already warned
            res = add_igos(frame, data_dir=data_dir, source="seed" if is_seed else "full")
    elif comp.step == "alliances":
        if is_seed:
            return {comp.column: _seed_alliances(c1, c2, years, pacts_only=comp.name == "defense_pacts")}
        from coalitionlab.measures.alliances import add_alliances

        res = add_alliances(frame, data_dir=data_dir)
    elif comp.step == "exercises":
        from coalitionlab.measures.other import add_exercises

        res = add_exercises(frame, data_dir=data_dir)
    elif comp.step == "agreements":
        from coalitionlab.measures.agreements import add_agreements

        res = add_agreements(frame, data_dir=data_dir, sources=("desta",))
    else:
        from coalitionlab.measures.agreements import add_agreements

        res = add_agreements(frame, data_dir=data_dir, sources=("unctad",))
    out[comp.column] = res[comp.column].to_numpy(dtype="float64")
    if comp.nonsecurity_column and comp.nonsecurity_column != comp.column:
        out[comp.nonsecurity_column] = res[comp.nonsecurity_column].to_numpy(dtype="float64")
    return out


def embeddedness_pairs(pairs: pd.DataFrame, *, data_dir: str | os.PathLike | None = None,
                       components: Iterable[str] | None = None, weights: Mapping[str, float] | None = None,
                       lag_years: int = 0, source: SourceChoice = "auto", is_seed: bool | None = None,
                       progress: Callable[[str], None] | None = None) -> tuple[pd.DataFrame, dict]:
    """Components and totals for many (lead, partner, year) rows at once.

    Parameters
    ----------
    pairs
        Columns ``lead_ccode``, ``ccode`` and ``year`` (the year of the date).
    data_dir, components, weights, lag_years, source
        As in :func:`embeddedness`.
    is_seed
        Skip the source detection (used by :func:`embeddedness`, which has already decided).
    progress
        Called with each component's name before it is computed.

    Returns
    -------
    (pandas.DataFrame, dict)
        The component columns (named as the components), ``embeddedness`` and
        ``embeddedness_nonsecurity`` aligned with ``pairs``; and a dict with ``components``,
        ``weights``, ``years_used`` (component -> array of years) and ``is_seed``.
    """
    if is_seed is None:
        is_seed = _mode(source, data_dir)
    comps = _check_components(components, is_seed)
    w = {c: 1.0 for c in comps}
    if weights:
        for k, v in weights.items():
            check_option(k, comps, name="weight key (a chosen component)")
            w[k] = float(v)
    if int(lag_years) != lag_years or lag_years < 0:
        raise CoverageError(f"lag_years must be a non-negative whole number, got {lag_years!r}")
    year = pairs["year"].to_numpy().astype("int64") - int(lag_years)
    c1 = pairs["lead_ccode"].to_numpy().astype("int64")
    c2 = pairs["ccode"].to_numpy().astype("int64")
    cols: dict[str, np.ndarray] = {}
    nonsec: dict[str, np.ndarray] = {}
    years_used: dict[str, np.ndarray] = {}
    for name in comps:
        comp = COMPONENTS[name]
        if progress is not None:
            progress(name)
        first, last = _coverage(comp, is_seed)
        used = np.minimum(year, last).astype("float64")
        used[used < first] = np.nan
        years_used[name] = used
        ok = ~np.isnan(used)
        vals = np.full(len(pairs), np.nan)
        ns = np.full(len(pairs), np.nan)
        if ok.any():
            got = _component_values(comp, c1[ok], c2[ok], used[ok].astype("int64"), data_dir=data_dir,
                                    is_seed=is_seed)
            vals[ok] = got[comp.column]
            if comp.is_security:
                ns[ok] = 0.0
            else:
                ns[ok] = got.get(comp.nonsecurity_column, got[comp.column])
        cols[name] = vals
        nonsec[name] = ns
    out = pd.DataFrame(cols, index=pairs.index)
    out["embeddedness"] = sum(w[c] * cols[c] for c in comps)
    out["embeddedness_nonsecurity"] = sum(w[c] * nonsec[c] for c in comps)
    meta = {"components": comps, "weights": w, "years_used": years_used, "is_seed": bool(is_seed),
            "lag_years": int(lag_years)}
    return out, meta


def _versions(comps: list[str], is_seed: bool) -> dict[str, str]:
    if is_seed:
        from coalitionlab.data import seed

        tables = {"alliances": "seed.agreements_long", "defense_pacts": "seed.agreements_long",
                  "igos": "seed.igo_membership_long"}
        return {tables[c]: seed.SEED_VERSION for c in comps}
    from coalitionlab.data import get_source

    out = {"cow_states": get_source("cow_states").version}
    for c in comps:
        out[COMPONENTS[c].source] = get_source(COMPONENTS[c].source).version
        if c == "igos":
            out["cow_igo_list"] = get_source("cow_igo_list").version
        if c == "trade_agreements":
            out["desta_withdrawals"] = get_source("desta_withdrawals").version
    return out


def embeddedness(lead: str | int, date: str | pd.Timestamp, *, data_dir: str | os.PathLike | None = None,
                 components: Iterable[str] | None = None, weights: Mapping[str, float] | None = None,
                 lag_years: int = 0, source: SourceChoice = "auto") -> pd.DataFrame:
    """Diplomatic embeddedness of every other system member with a lead state at a date.

    Parameters
    ----------
    lead
        The lead state: a name (``"United States"``), an ISO3 code (``"USA"``) or a COW ccode (``2``).
    date
        The date of the intervention (``"2003-03-20"``).
    data_dir
        Data directory with the full sources.
    components
        Components to count (see :data:`COMPONENTS`); default :data:`DEFAULT_COMPONENTS` (alliances,
        trade agreements, investment treaties, joint IGO memberships) on the full sources, and
        ``("alliances", "igos")`` on the seed.
    weights
        Weight per component (default 1 each).
    lag_years
        Read each component at most at ``year(date) - lag_years``.
    source
        ``"auto"`` (full sources when present, else the seed with a
        :class:`~coalitionlab.errors.SeedDataWarning`), ``"full"`` or ``"seed"``.

    Returns
    -------
    pandas.DataFrame
        One row per other state in the system at ``date``: ``ccode, country``, one column per
        component, ``embeddedness`` (weighted total), ``embeddedness_log1p``, ``embeddedness_share``
        (share of the lead's total over all partners), ``embeddedness_z`` (z-score among partners),
        ``embeddedness_nonsecurity`` (without alliances and security IGOs). Sorted by embeddedness.
        ``attrs``: ``lead_ccode``, ``date``, ``is_seed``, ``components``, ``weights``, ``years_used``
        (component -> year), ``sources`` (name -> version), ``lag_years``.

    Raises
    ------
    UnknownCountryError
        When ``lead`` is not a known state.
    CoverageError
        When the date cannot be read, the lead is not a system member on that date, or every
        component lacks data on or before the date.
    UnknownOptionError
        For an unknown component, weight or source.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     e = embeddedness("USA", "2003-03-20", source="seed")
    >>> e.attrs["is_seed"], e.attrs["lead_ccode"]
    (True, 2)

    References
    ----------
    Henke, M. E. 2019. *Constructing Allied Cooperation: Diplomacy, Payments, and Power in
    Multilateral Military Coalitions.* Cornell University Press.
    """
    is_seed = _mode(source, data_dir)
    comps = _check_components(components, is_seed)
    ts = parse_date(date)
    lead_ccode = _to_ccode(lead, ts)
    if is_seed and components is None and lead_ccode != 2:
        comps = ["igos"]  # the seed's agreements are the USA's only
    spells = _spells(data_dir, is_seed)
    lead_spells = spells[spells["ccode"] == lead_ccode]
    if lead_spells.empty:
        raise UnknownCountryError(lead, where="not in the COW state system")
    if not ((lead_spells["start_date"] <= ts) & (lead_spells["end_date"] >= ts)).any():
        periods = "; ".join(f"{s:%Y-%m-%d} to {e:%Y-%m-%d}" for s, e in
                            zip(lead_spells["start_date"], lead_spells["end_date"], strict=True))
        raise CoverageError(f"lead {lead!r} (ccode {lead_ccode}) is not a state-system member on {ts:%Y-%m-%d}; "
                            f"member {periods}")
    others = _members_at(spells, ts)
    others = others[others["ccode"] != lead_ccode].sort_values("ccode")
    pairs = pd.DataFrame({"lead_ccode": lead_ccode, "ccode": others["ccode"].to_numpy(), "year": ts.year})
    vals, meta = embeddedness_pairs(pairs, data_dir=data_dir, components=comps, weights=weights,
                                    lag_years=lag_years, is_seed=is_seed)
    if all(np.isnan(meta["years_used"][c]).all() for c in comps):
        raise CoverageError(f"no component has data on or before {ts:%Y-%m-%d} (lag {lag_years}); "
                            f"coverage: " + ", ".join(f"{c} {_coverage(COMPONENTS[c], is_seed)}" for c in comps))
    out = pd.concat([pd.DataFrame({"ccode": others["ccode"].to_numpy(), "country": others["statenme"].to_numpy()}),
                     vals.reset_index(drop=True)], axis=1)
    out = out[["ccode", "country", *comps, "embeddedness", "embeddedness_nonsecurity"]]
    total = out["embeddedness"]
    out.insert(len(comps) + 3, "embeddedness_log1p", np.log1p(total))
    denom = total.sum(min_count=1)
    out.insert(len(comps) + 4, "embeddedness_share", total / denom if denom and denom > 0 else np.nan)
    sd = total.std(ddof=0)
    out.insert(len(comps) + 5, "embeddedness_z", (total - total.mean()) / sd if sd and sd > 0 else np.nan)
    out = out.sort_values(["embeddedness", "ccode"], ascending=[False, True], ignore_index=True,
                          na_position="last")
    out.attrs = {
        "unit": "lead_partner", "lead_ccode": lead_ccode, "date": f"{ts:%Y-%m-%d}", "is_seed": meta["is_seed"],
        "components": comps, "weights": meta["weights"], "lag_years": int(lag_years),
        "years_used": {c: (None if np.isnan(meta["years_used"][c][0]) else int(meta["years_used"][c][0]))
                       for c in comps} if len(pairs) else {},
        "sources": _versions(comps, is_seed),
    }
    return out


def add_embeddedness(panel: pd.DataFrame, *, lead_col: str = "lead_ccode", date_col: str = "start_date",
                     data_dir: str | os.PathLike | None = None, components: Iterable[str] | None = None,
                     weights: Mapping[str, float] | None = None, lag_years: int = 0,
                     source: SourceChoice = "auto", prefix: str = "",
                     progress: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Add embeddedness with each row's lead at each row's date to a coalition x candidate panel.

    Every distinct (lead, partner, year) is computed once, and every component once for all rows,
    so thousands of (lead, date) pairs cost about as much as one.

    Parameters
    ----------
    panel
        One row per coalition x candidate state, with ``ccode``, ``lead_col`` (the lead's ccode) and
        ``date_col`` (a date, or a year when the column is integer).
    lead_col, date_col
        Column names.
    data_dir, components, weights, lag_years, source
        As in :func:`embeddedness`.
    prefix
        Put before every added column name.
    progress
        Called with the name of each component as it is computed.

    Returns
    -------
    pandas.DataFrame
        A copy with the component columns, ``embeddedness`` and ``embeddedness_nonsecurity`` (NaN
        where the candidate is the lead, and, with a :class:`~coalitionlab.errors.MissingValueWarning`,
        where the lead, the candidate or the date is missing); ``attrs["embeddedness"]`` records
        components, weights, lag and ``is_seed``.

    Raises
    ------
    PanelTypeError
        When a needed column is missing.
    """
    from coalitionlab.errors import PanelTypeError

    missing = [c for c in ("ccode", lead_col, date_col) if c not in panel.columns]
    if missing:
        raise PanelTypeError(f"add_embeddedness() needs columns {', '.join(missing)}; "
                             f"pass lead_col=/date_col= to name them")
    dates = panel[date_col]
    year = pd.to_numeric(dates, errors="coerce") if pd.api.types.is_integer_dtype(dates) \
        else pd.to_datetime(dates).dt.year
    rows = pd.DataFrame({c: pd.to_numeric(v, errors="coerce").to_numpy("float64", na_value=np.nan)
                         for c, v in (("lead_ccode", panel[lead_col]), ("ccode", panel["ccode"]), ("year", year))})
    for c, v in ((lead_col, panel[lead_col]), ("ccode", panel["ccode"])):
        unreadable = pd.to_numeric(v, errors="coerce").isna().to_numpy() & v.notna().to_numpy()
        if unreadable.any():
            raise PanelTypeError(f"add_embeddedness(): column {c!r} holds {v[unreadable].iloc[0]!r} (position "
                                 f"{int(np.flatnonzero(unreadable)[0])}); it needs COW ccodes")
    incomplete = rows.isna().any(axis=1).to_numpy()
    if incomplete.any():
        warnings.warn(f"add_embeddedness(): {int(incomplete.sum())} row(s) lack a {lead_col}, ccode or {date_col} "
                      f"(first at position {int(np.flatnonzero(incomplete)[0])}); their embeddedness is NaN",
                      MissingValueWarning, stacklevel=2)
    rows = rows.astype({"lead_ccode": "Int64", "ccode": "Int64", "year": "Int64"})
    uniq = rows[~incomplete].drop_duplicates(ignore_index=True).astype("int64")
    uniq = uniq[uniq["lead_ccode"] != uniq["ccode"]].reset_index(drop=True)
    vals, meta = embeddedness_pairs(uniq, data_dir=data_dir, components=components, weights=weights,
                                    lag_years=lag_years, source=source, progress=progress)
    table = pd.concat([uniq, vals], axis=1)
    merged = rows.merge(table, on=["lead_ccode", "ccode", "year"], how="left")
    out = panel.copy(deep=False)
    for col in vals.columns:
        out[prefix + col] = merged[col].to_numpy()
    attrs = dict(panel.attrs)
    attrs["sources"] = {**attrs.get("sources", {}), **_versions(list(meta["components"]), meta["is_seed"])}
    attrs["embeddedness"] = {"components": meta["components"], "weights": meta["weights"],
                             "lag_years": meta["lag_years"], "is_seed": meta["is_seed"],
                             "lead_col": lead_col, "date_col": date_col}
    attrs["is_seed"] = bool(attrs.get("is_seed", False) or meta["is_seed"])
    out.attrs = attrs
    return out
