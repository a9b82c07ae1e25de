"""Diplomatic embeddedness (Henke): institutional ties between a lead state and every other state.

Embeddedness is the (weighted) count of the bilateral and multilateral institutional ties between
the lead and a country on a day: alliances, treaties in force, and joint IGO memberships. The rules
(docs/measures/embeddedness.md):

* **Exact dates.** A component whose source gives days (ATOP alliances, the treaty record, UNCTAD)
  counts a tie only if it is in force on the measurement day; a source that gives years only for a
  start (DESTA) counts it from 31 December of that year (:mod:`coalitionlab.measures.ties`); a
  source that gives memberships per year (COW IGO, exercises) is read the year before the
  measurement day (*t - 1*), since the year of the day itself may hold later events.
* **Existence.** The measurement day is the date minus ``lag_years``. A pair is NaN when either
  state is not a COW system member on that day, never 0; ``successors="inherit"`` gives a successor
  its predecessor's ties for days before it existed (:data:`SUCCESSORS`).
* **No tie twice.** An alliance organisation that is also a COW IGO (NATO, SEATO ...,
  :data:`ALLIANCE_IGOS`) counts as an ATOP alliance only, not again as an IGO; the treaty record
  leaves out treaties that are ATOP alliances (:mod:`coalitionlab.measures.treaties`); DESTA and
  UNCTAD are part of the treaty record, so their own components cannot be added beside it.
* **Staleness is visible.** Each component records the data year it used per row; a
  :class:`~coalitionlab.errors.StaleDataWarning` names a component whose data end more than two years
  before the day. Past a source's end the value is NaN unless ``carry_forward=True``.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from coalitionlab._validation import check_option, parse_date
from coalitionlab.errors import (
    CoverageError,
    MissingDataError,
    MissingValueWarning,
    SeedDataWarning,
    StaleDataWarning,
    UnknownCountryError,
    UnknownOptionError,
)
from coalitionlab.measures._common import SourceChoice

__all__ = ["ALLIANCE_IGOS", "COMPONENTS", "DEFAULT_COMPONENTS", "SUCCESSORS", "Component", "add_embeddedness",
           "embeddedness", "embeddedness_pairs"]

Successors = Literal["missing", "inherit"]


@dataclass(frozen=True)
class Component:
    """One embeddedness component: how it is measured and where it comes from.

    ``kind`` is ``"dated"`` (ties in force on the measurement day) or ``"yearly"`` (the source's
    year before the measurement day).
    """

    name: str
    kind: str
    source: str
    is_security: bool
    description: str


COMPONENTS: dict[str, Component] = {c.name: c for c in (
    Component("alliances", "dated", "atop_members", True,
              "ATOP v4.01 alliances (any obligation) both states belong to on the day"),
    Component("treaties_bilateral", "dated", "manytreaties_parties", False,
              "bilateral treaties in force on the day (GGO/HUGGO, IEADB, TFDD, DESTA, UNCTAD; each once; "
              "not ATOP alliances)"),
    Component("treaties_multilateral", "dated", "manytreaties_parties", False,
              "multilateral treaties both states are parties to on the day (same record)"),
    Component("igos", "yearly", "cow_igo", False,
              "COW IGO v3.0 joint memberships (full or associate) the year before, alliance organisations "
              "left to the alliances component"),
    Component("trade_agreements", "dated", "desta_dyads", False,
              "DESTA 02_02 preferential trade agreements in force (from 31 Dec of the entry-into-force year); "
              "part of the treaties components"),
    Component("investment_treaties", "dated", "unctad_iia", False,
              "UNCTAD BITs and TIPs in force on the day; part of the treaties components"),
    Component("defense_pacts", "dated", "atop_members", True,
              "ATOP v4.01 alliances with a defence obligation both states belong to (a subset of alliances)"),
    Component("exercises", "yearly", "military_exercises", True,
              "MME multinational military exercises both took part in the year before (1980-2010)"),
)}

#: Henke's count: bilateral agreements plus joint IO memberships, with alliances (bilateral or run by an
#: organisation). Multilateral conventions without an organisation (``treaties_multilateral``: mostly open
#: environmental and technical conventions) are a component to add, not in the default: their count
#: follows the number of conventions in the world and the partner's own treaty activity more than its
#: ties with the lead (docs/measures/embeddedness.md, "What the measure is made of").
DEFAULT_COMPONENTS: tuple[str, ...] = ("alliances", "treaties_bilateral", "igos")
#: What the embedded seed holds (used by default when the full sources are absent).
SEED_COMPONENTS: tuple[str, ...] = ("alliances", "igos")
#: Components the seed can also give when asked for (not in its default).
SEED_OPTIONAL: tuple[str, ...] = ("defense_pacts",)
#: Components that are parts of others: asking for both would count a tie twice.
_PART_OF = {"trade_agreements": ("treaties_bilateral", "treaties_multilateral"),
            "investment_treaties": ("treaties_bilateral", "treaties_multilateral"),
            "defense_pacts": ("alliances",)}

#: COW IGOs whose constituent treaty ATOP v4.01 codes as an alliance (COW ``ioname`` -> ATOP
#: ``atopid``; matched by the treaty's date, organisation and members): the tie is the alliance, so the
#: ``igos`` component leaves these IGOs out (the full COW count stays in ``add_igos``' ``igo_joint_any``).
ALLIANCE_IGOS: dict[str, int] = {
    "LOAS": 3015,   # Pact of the League of Arab States, 1945-03-22
    "WEU": 3130,    # Brussels Treaty, 1948-03-17 (Western European Union)
    "OAS": 3150,    # Charter of the Organization of American States, 1948-04-30
    "NATO": 3180,   # North Atlantic Treaty, 1949-04-04
    "ANZUS": 3215,  # ANZUS Treaty, 1951-09-01
    "SEATO": 3260,  # Southeast Asia Collective Defense Treaty, 1954-09-08
    "CENTO": 3275,  # Baghdad Pact, 1955-02-24
    "WPact": 3285,  # Warsaw Treaty, 1955-05-14
    "OSCE": 3740,   # Helsinki Final Act, 1975-08-01 (CSCE, then OSCE)
    "EU": 4175,     # Treaty on European Union, 1992-02-07
    "CSTO": 4220,   # Collective Security Treaty (Tashkent), 1992-05-15
    "CIS": 4400,    # Charter of the Commonwealth of Independent States, 1993-01-22
    "AU": 4953,     # Constitutive Act of the African Union, 2000-07-12
}
#: The seed's organisations that are alliances (its ``alliances`` component holds their treaties).
SEED_ALLIANCE_ORGS: tuple[str, ...] = ("nato", "anzus", "seato", "cento", "warsaw", "rio")

#: Successor -> predecessor, for ``successors="inherit"``: on a day the successor was not a system
#: member but the predecessor was, the successor takes the predecessor's ties. COW keeps one code for
#: the USSR/Russia (365) and Yugoslavia/Serbia (345), so those need no entry.
SUCCESSORS: dict[int, int] = {
    316: 315,  # Czech Republic <- Czechoslovakia (1993-01-01)
    317: 315,  # Slovakia <- Czechoslovakia
    255: 260,  # Germany <- German Federal Republic (1990-10-03)
    679: 678,  # Yemen <- Yemen Arab Republic (1990-05-22)
}

#: A component's data may end this many years before the measurement year without a warning.
STALE_AFTER_YEARS = 2


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


#: The sources whose presence makes ``source="auto"`` read the full sources (the state system and the IGOs).
FULL_MARKERS: tuple[str, ...] = ("cow_states", "cow_igo")


def _mode(source: SourceChoice, data_dir, *, fallback: str | None = None, stacklevel: int = 3,
          what: str = "embeddedness") -> bool:
    """Return ``is_seed``; warn when ``"auto"`` falls back to the seed.

    The fallback happens only when no data location was given: a data directory the user named
    (``data_dir=``, ``$COALITIONLAB_DATA``) without ``cow_states`` and ``cow_igo`` is a
    :class:`MissingDataError` naming the missing folders (:func:`coalitionlab.data.paths.seed_fallback`).
    ``fallback`` is the warning's text (default: what embeddedness reads from the seed); ``stacklevel``
    names the place of the warning (3: the caller's caller); ``what`` names the caller in the error.
    """
    check_option(source, ["auto", "full", "seed"], name="source")
    if source == "seed":
        return True
    if source == "full":
        return False
    if fallback is None:
        from coalitionlab.data import seed

        fallback = ("embeddedness: the full sources are not in the data directory; using the embedded seed data "
                    f"(alliances = US defence treaties, igos = the seed's {len(seed.igo_list())} organisations, "
                    "the UN among them). Pass data_dir= or set $COALITIONLAB_DATA.")
    from coalitionlab.data.paths import seed_fallback

    return seed_fallback(FULL_MARKERS, data_dir, what=what, message=fallback, stacklevel=stacklevel)


def _spells(data_dir, is_seed: bool) -> pd.DataFrame:
    from coalitionlab.measures.panel import system_spells

    return system_spells(data_dir, source="seed" if is_seed else "full")


def _members_at(spells: pd.DataFrame, date: pd.Timestamp) -> pd.DataFrame:
    alive = (spells["start_date"] <= date) & (spells["end_date"] >= date)
    return spells[alive].drop_duplicates("ccode")


def _is_member(spells: pd.DataFrame, ccode: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Whether each ``ccode[i]`` is a system member on ``days[i]`` (spells' end day included)."""
    from coalitionlab.measures.ties import count_own_ties

    ties = pd.DataFrame({"ccode1": spells["ccode"].to_numpy(), "ccode2": -1,
                         "start": spells["start_date"].to_numpy("datetime64[ns]"),
                         "end": spells["end_date"].to_numpy("datetime64[ns]") + np.timedelta64(1, "D")})
    return count_own_ties(ties, ccode, days) > 0


def _coverage(comp: Component, is_seed: bool) -> tuple[int, int]:
    if is_seed:
        from coalitionlab.data import seed

        return int(seed.FIRST_YEAR), int(seed.LAST_YEAR)
    if comp.source == "manytreaties_parties":
        from coalitionlab.measures.treaties import record_coverage

        return record_coverage()
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
        raise UnknownOptionError(f"no embeddedness component given; allowed: {', '.join(COMPONENTS)}")
    for part, wholes in _PART_OF.items():
        both = [w for w in wholes if w in comps]
        if part in comps and both:
            raise UnknownOptionError(f"embeddedness components {part} and {both[0]} overlap ({part} is part of "
                                     f"{' and '.join(wholes)}): a tie would count twice; choose one")
    if is_seed:
        missing = [c for c in comps if c not in SEED_COMPONENTS + SEED_OPTIONAL]
        if missing:
            raise MissingDataError(
                f"component(s) {', '.join(missing)} need the full sources (the embedded seed has "
                f"{', '.join(SEED_COMPONENTS)}); pass --data-dir / data_dir="
            )
    return comps


def _check_lag(lag_years) -> int:
    # a number test first: int() of NaN, infinity or None raised its own ValueError/OverflowError/TypeError
    ok = (isinstance(lag_years, (int, float, np.integer, np.floating)) and not isinstance(lag_years, bool)
          and math.isfinite(lag_years) and int(lag_years) == lag_years and 0 <= lag_years <= 200)
    if not ok:
        raise CoverageError(f"lag_years must be a whole number from 0 to 200, got {lag_years!r}")
    return int(lag_years)


def _measurement_days(days: np.ndarray, lag: int) -> np.ndarray:
    """The day ``lag`` years before each day (29 February -> 28 February)."""
    if not lag:
        return days
    return (pd.DatetimeIndex(days) - pd.DateOffset(years=lag)).to_numpy("datetime64[ns]")


def _year(days: np.ndarray) -> np.ndarray:
    return pd.DatetimeIndex(days).year.to_numpy().astype("float64")


# ---------------------------------------------------------------- the components


class _Sources:
    """Tie tables and membership tables, each loaded once per call (many components share them)."""

    def __init__(self, data_dir, is_seed: bool) -> None:
        self.data_dir, self.is_seed = data_dir, is_seed
        self._cache: dict[str, object] = {}

    def get(self, key: str, build: Callable[[], object]):
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def alliance_ties(self, pacts_only: bool) -> pd.DataFrame:
        from coalitionlab.measures import ties

        if self.is_seed:
            return self.get(f"seed_alliances{pacts_only}",
                            lambda: ties.seed_alliance_ties(defence_pacts_only=pacts_only))
        from coalitionlab.measures._common import load_source

        allt = self.get("atop", lambda: ties.alliance_ties(load_source("atop_members", self.data_dir)))
        return allt[allt["defense"] > 0] if pacts_only else allt

    def treaty_ties(self) -> pd.DataFrame:
        from coalitionlab.measures.treaties import treaty_ties

        return self.get("treaties", lambda: treaty_ties(self.data_dir))

    def igo_members(self) -> pd.DataFrame:
        if self.is_seed:
            from coalitionlab.data import seed

            return self.get("seed_igos", seed.igo_membership_long)
        from coalitionlab.measures._common import load_source

        return self.get("cow_igo", lambda: load_source("cow_igo", self.data_dir))

    def igo_list(self) -> pd.DataFrame:
        if self.is_seed:
            from coalitionlab.data import seed

            return self.get("seed_igo_list", seed.igo_list)
        from coalitionlab.measures._common import load_source

        return self.get("cow_igo_list", lambda: load_source("cow_igo_list", self.data_dir))


def _joint_alliance_orgs(members: pd.DataFrame, orgs: Iterable[str], c1, c2, years) -> np.ndarray:
    """Joint memberships (status 1 or 2) of the two states in the alliance organisations, per year."""
    wanted = {o.lower() for o in orgs}
    m = members[members["ioname"].astype(str).str.lower().isin(wanted) & members["status"].isin([1, 2])]
    out = np.zeros(len(c1))
    y = np.asarray(years, "int64")
    for _, rows in m.groupby("ioname"):
        keys = np.unique(rows["year"].to_numpy("int64") * 1000 + rows["ccode"].to_numpy("int64"))
        out += (np.isin(y * 1000 + np.asarray(c1, "int64"), keys) & np.isin(y * 1000 + np.asarray(c2, "int64"), keys))
    return out


def _dated_values(name: str, src: _Sources, c1, c2, days) -> tuple[np.ndarray, np.ndarray]:
    """Counts on the given days for a dated component, and their non-security part."""
    from coalitionlab.measures import ties

    if name in ("alliances", "defense_pacts"):
        vals = ties.count_ties(src.alliance_ties(name == "defense_pacts"), c1, c2, days)
        if src.is_seed:  # the seed lists the USA's treaties only: for a pair without the USA the count is unknown
            vals[(np.asarray(c1) != 2) & (np.asarray(c2) != 2)] = np.nan
        return vals, np.zeros_like(vals)
    if name in ("treaties_bilateral", "treaties_multilateral"):
        t = src.treaty_ties()
        t = t[t["is_bilateral"].to_numpy() == (name == "treaties_bilateral")]
        return ties.count_ties(t, c1, c2, days), ties.count_ties(t[~t["is_security"].to_numpy()], c1, c2, days)
    build = ties.desta_ties if name == "trade_agreements" else ties.unctad_ties
    vals = ties.count_ties(src.get(name, lambda: build(src.data_dir)), c1, c2, days)
    return vals, vals


def _yearly_values(name: str, src: _Sources, c1, c2, years) -> tuple[np.ndarray, np.ndarray]:
    """Values in the given years for a yearly component, and their non-security part."""
    frame = pd.DataFrame({"ccode1": c1, "ccode2": c2, "year": np.asarray(years, "int64")})
    frame.attrs = {"unit": "dyad_year", "directed": True}
    if name == "exercises":
        from coalitionlab.measures.other import add_exercises

        vals = add_exercises(frame, data_dir=src.data_dir)["mme_joint_exercises"].to_numpy("float64")
        return vals, np.zeros_like(vals)
    from coalitionlab.measures.igos import add_igos

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeedDataWarning)  # the caller already warned
        res = add_igos(frame, data_dir=src.data_dir, source="seed" if src.is_seed else "full")
    from coalitionlab.measures.igos import security_flags

    orgs = list(SEED_ALLIANCE_ORGS if src.is_seed else ALLIANCE_IGOS)
    flags = security_flags(src.igo_list())  # the flags add_igos splits by
    security = {str(name).lower() for name, is_sec in flags.items() if is_sec}
    overlap = _joint_alliance_orgs(src.igo_members(), orgs, c1, c2, years)
    # alliance organisations not flagged security (OAS, EU ...) are in igo_joint_nonsecurity: take them out too
    overlap_nonsec = _joint_alliance_orgs(src.igo_members(), [o for o in orgs if o.lower() not in security],
                                          c1, c2, years)
    return (res["igo_joint_any"].to_numpy(dtype="float64", na_value=np.nan) - overlap,
            res["igo_joint_nonsecurity"].to_numpy(dtype="float64", na_value=np.nan) - overlap_nonsec)


def _sociability(src: _Sources, ccode, days, igo_years, *, treaty_codes=None) -> dict[str, np.ndarray]:
    """The partner's own ties with everyone: IGO memberships (year before; ``ccode``) and treaties in force
    on the day (``treaty_codes``, default ``ccode``)."""
    from coalitionlab.measures.igos import add_igos

    out = {}
    ok = ~np.isnan(igo_years)
    own = np.full(len(ccode), np.nan)
    if ok.any():
        frame = pd.DataFrame({"ccode": np.asarray(ccode)[ok], "year": igo_years[ok].astype("int64")})
        frame.attrs = {"unit": "state_year"}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SeedDataWarning)
            own[ok] = add_igos(frame, data_dir=src.data_dir,
                               source="seed" if src.is_seed else "full")["igo_any"].to_numpy(
                                   dtype="float64", na_value=np.nan)
    out["sociability_igos"] = own
    if not src.is_seed:
        from coalitionlab.measures.treaties import count_own_agreements

        out["sociability_treaties"] = count_own_agreements(src.treaty_ties(),
                                                           ccode if treaty_codes is None else treaty_codes, days)
    return out


def embeddedness_pairs(pairs: pd.DataFrame, *, data_dir: str | os.PathLike | None = None,
                       components: Iterable[str] | None = None, weights: Mapping[str, float] | None = None,
                       lag_years: int = 0, source: SourceChoice = "auto", is_seed: bool | None = None,
                       successors: Successors = "missing", carry_forward: bool = False,
                       sociability: bool = False,
                       progress: Callable[[str], None] | None = None) -> tuple[pd.DataFrame, dict]:
    """Components and totals for many (lead, partner, day) rows at once.

    Parameters
    ----------
    pairs
        Columns ``lead_ccode``, ``ccode`` and ``date`` (the day of the intervention; a column
        ``year`` instead means 1 January of that year, so nothing later in the year counts).
    data_dir, components, weights, lag_years, source, successors, carry_forward
        As in :func:`embeddedness`.
    is_seed
        Skip the source detection (used by :func:`embeddedness`, which has already decided).
    sociability
        Also return the partner's own IGO (and, on the full sources, treaty) totals.
    progress
        Called with each component's name before it is computed.

    Returns
    -------
    (pandas.DataFrame, dict)
        The component columns (named as the components), ``embeddedness``,
        ``embeddedness_nonsecurity`` and ``embeddedness_security``, ``<component>_year`` (the data year each value comes from) and
        ``inherited_from`` (the predecessor whose ties a successor took, else NA), aligned with
        ``pairs``; and a dict with ``components``, ``weights``, ``years_used`` (component -> array),
        ``is_seed``, ``lag_years``, ``successors``, ``carry_forward``, ``stale`` (component -> message).
    """
    if is_seed is None:
        is_seed = _mode(source, data_dir)
    check_option(successors, ["missing", "inherit"], name="successors")
    comps = _check_components(components, is_seed)
    w = {c: 1.0 for c in comps}
    for k, v in (weights or {}).items():
        check_option(k, comps, name="weight key (a chosen component)")
        if not np.isfinite(float(v)):
            raise UnknownOptionError(f"weight of {k} must be a finite number, got {v!r}")
        w[k] = float(v)
    lag = _check_lag(lag_years)
    if "date" in pairs.columns:
        days = pd.to_datetime(pairs["date"]).to_numpy("datetime64[ns]")
    else:
        days = pd.to_datetime(pairs["year"].astype("int64").astype(str) + "-01-01").to_numpy("datetime64[ns]")
    mdays = _measurement_days(days, lag)
    c1 = pairs["lead_ccode"].to_numpy().astype("int64")
    c2 = pairs["ccode"].to_numpy().astype("int64")
    n = len(pairs)
    spells = _spells(data_dir, is_seed)
    c1_asked, c2_asked = c1, c2
    c1, c2, inherited, exists = _existence(spells, c1, c2, mdays, successors)
    src = _Sources(data_dir, is_seed)
    cols: dict[str, np.ndarray] = {}
    nonsec: dict[str, np.ndarray] = {}
    years_used: dict[str, np.ndarray] = {}
    stale: dict[str, str] = {}
    myear = _year(mdays)
    for name in comps:
        comp = COMPONENTS[name]
        if progress is not None:
            progress(name)
        first, last = _coverage(comp, is_seed)
        want = myear - 1 if comp.kind == "yearly" else myear.copy()
        used = np.minimum(want, last) if carry_forward else np.where(want > last, np.nan, want)
        used[used < first] = np.nan
        late = want > last
        if late.any() and (not carry_forward or np.nanmax(myear) - last > STALE_AFTER_YEARS):
            stale[name] = (f"{name}: data end in {last}; " +
                           (f"rows measured after {last + STALE_AFTER_YEARS} use {last} (carry_forward=True)"
                            if carry_forward else
                            f"rows measured after it are NaN (pass carry_forward=True to use {last})"))
        if comp.kind == "yearly" and not is_seed:  # a year inside the coverage that the file lacks: NaN, said
            from coalitionlab.data.check import compact_years
            from coalitionlab.measures._common import years_with_rows

            gap = ~np.isnan(used) & ~years_with_rows(comp.source, data_dir, used)
            if gap.any():
                said = f"{name}: source {comp.source} has no rows for {compact_years(used[gap].astype(int))}; NaN there"
                stale[name] = f"{stale[name]}; {said}" if name in stale else said
                used[gap] = np.nan
        years_used[name] = used
        ok = ~np.isnan(used) & exists
        vals = np.full(n, np.nan)
        ns = np.full(n, np.nan)
        if ok.any():
            if comp.kind == "dated":
                at = mdays[ok].copy()
                beyond = myear[ok] > last
                at[beyond] = np.datetime64(f"{last}-12-31", "ns")
                v, s = _dated_values(name, src, c1[ok], c2[ok], at)
            else:
                y1, y2 = c1[ok], c2[ok]
                if successors == "inherit":  # a successor that did not exist in the year read takes its predecessor's
                    dec31 = pd.to_datetime(used[ok].astype("int64").astype(str) + "-12-31").to_numpy("datetime64[ns]")
                    y1, y2, pred, _ = _existence(spells, c1_asked[ok], c2_asked[ok], dec31, "inherit")
                    got = ~np.isnan(pred)
                    inherited[np.flatnonzero(ok)[got]] = pred[got]
                v, s = _yearly_values(name, src, y1, y2, used[ok])
            vals[ok], ns[ok] = v, s
        cols[name] = vals
        nonsec[name] = ns
    out = pd.DataFrame(cols, index=pairs.index)
    out["embeddedness"] = sum(w[c] * cols[c] for c in comps)
    out["embeddedness_nonsecurity"] = sum(w[c] * nonsec[c] for c in comps)
    # the security ties alone: about a tenth of the total, so the non-security total barely differs from
    # the total while this part does (docs/measures/embeddedness.md)
    out["embeddedness_security"] = out["embeddedness"] - out["embeddedness_nonsecurity"]
    if sociability:
        igo_year = myear - 1
        igo_first, igo_last = _coverage(COMPONENTS["igos"], is_seed)
        igo_year = np.minimum(igo_year, igo_last) if carry_forward else np.where(igo_year > igo_last, np.nan, igo_year)
        igo_year[(igo_year < igo_first) | ~exists] = np.nan
        at = mdays.copy()
        at[~exists] = np.datetime64("NaT")
        own = c2
        if successors == "inherit":  # the IGO year read may predate the state, as for the igos component
            read = ~np.isnan(igo_year)
            own = c2.copy()
            dec31 = pd.to_datetime(igo_year[read].astype("int64").astype(str) + "-12-31").to_numpy("datetime64[ns]")
            own[read] = _existence(spells, c2_asked[read], c2_asked[read], dec31, "inherit")[1]
        for col, v in _sociability(src, own, at, igo_year, treaty_codes=c2).items():
            out[col] = v
    for name in comps:
        out[f"{name}_year"] = pd.Series(np.where(exists, years_used[name], np.nan), index=pairs.index).astype("Int64")
    out["inherited_from"] = pd.Series(inherited, index=pairs.index).astype("Int64")
    for message in stale.values():
        warnings.warn(message, StaleDataWarning, stacklevel=3)
    meta = {"components": comps, "weights": w, "years_used": years_used, "is_seed": bool(is_seed),
            "lag_years": lag, "successors": successors, "carry_forward": bool(carry_forward), "stale": stale}
    return out, meta


def _existence(spells: pd.DataFrame, c1: np.ndarray, c2: np.ndarray, days: np.ndarray,
               successors: Successors) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Codes to look up, the predecessor used (NaN if none), and whether both states exist on the day."""
    c1, c2 = c1.copy(), c2.copy()
    inherited = np.full(len(c2), np.nan)
    m1, m2 = _is_member(spells, c1, days), _is_member(spells, c2, days)
    if successors == "inherit":
        for codes, member, track in ((c1, m1, None), (c2, m2, inherited)):
            for succ, pred in SUCCESSORS.items():
                hit = ~member & (codes == succ)
                if not hit.any():
                    continue
                ok = np.zeros(len(codes), bool)
                ok[hit] = _is_member(spells, np.full(int(hit.sum()), pred), days[hit])
                codes[ok], member[ok] = pred, True
                if track is not None:
                    track[ok] = pred
    exists = m1 & m2 & ~np.isnat(days) & (c1 != c2)
    return c1, c2, inherited, exists


def _versions(comps: list[str], is_seed: bool) -> dict[str, str]:
    if is_seed:
        from coalitionlab.data import seed

        tables = {"alliances": "seed.us_defence_treaties", "defense_pacts": "seed.us_defence_treaties",
                  "igos": "seed.igo_membership_long"}
        return {tables[c]: seed.SEED_VERSION for c in comps}
    from coalitionlab.data import get_source

    out = {"cow_states": get_source("cow_states").version}
    for c in comps:
        out[COMPONENTS[c].source] = get_source(COMPONENTS[c].source).version
        if c == "igos":
            out["cow_igo_list"] = get_source("cow_igo_list").version
        if c in ("trade_agreements", "treaties_bilateral", "treaties_multilateral"):
            out["desta_dyads"] = get_source("desta_dyads").version
            out["desta_withdrawals"] = get_source("desta_withdrawals").version
        if c in ("treaties_bilateral", "treaties_multilateral"):
            out["unctad_iia"] = get_source("unctad_iia").version
            out["manytreaties_agreements"] = get_source("manytreaties_agreements").version
            out["atop_members"] = get_source("atop_members").version
    return out


def _standardise(out: pd.DataFrame, comps: list[str], groups: pd.Series | None = None) -> pd.DataFrame:
    """``<component>_z`` (z-score among the partners of each lead and day) and ``embeddedness_z`` (their sum)."""
    def z(v: pd.Series) -> pd.Series:
        sd = v.std(ddof=0)
        return (v - v.mean()) / sd if sd and sd > 0 else v * np.nan

    for c in comps:
        out[f"{c}_z"] = out[c].groupby(groups).transform(z) if groups is not None else z(out[c])
    out["embeddedness_z"] = out[[f"{c}_z" for c in comps]].sum(axis=1, min_count=len(comps))
    return out


def embeddedness(lead: str | int, date: str | pd.Timestamp, *, data_dir: str | os.PathLike | None = None,
                 components: Iterable[str] | None = None, weights: Mapping[str, float] | None = None,
                 lag_years: int = 0, source: SourceChoice = "auto", successors: Successors = "missing",
                 carry_forward: bool = True) -> pd.DataFrame:
    """Diplomatic embeddedness of every other system member with a lead state on a day.

    Parameters
    ----------
    lead
        The lead state: a name (``"United States"``), an ISO3 code (``"USA"``) or a COW ccode (``2``).
    date
        The day of the intervention (``"2003-03-20"``).
    data_dir
        Data directory with the full sources.
    components
        Components to count (see :data:`COMPONENTS`); default :data:`DEFAULT_COMPONENTS` (alliances,
        bilateral treaties, joint IGO memberships) on the full sources, and ``("alliances", "igos")``
        on the seed.
    weights
        Weight per component (default 1 each).
    lag_years
        Measure the ties ``lag_years`` years before the date (the measurement day); states that were
        not system members on that day get NaN (or their predecessor's ties, see ``successors``).
    source
        ``"auto"`` (full sources when present, else the seed with a
        :class:`~coalitionlab.errors.SeedDataWarning`), ``"full"`` or ``"seed"``.
    successors
        ``"missing"`` (a state that did not exist on the measurement day is NaN) or ``"inherit"``
        (it takes its predecessor's ties, :data:`SUCCESSORS`).
    carry_forward
        Past a source's last year, use that year (with a :class:`~coalitionlab.errors.StaleDataWarning`
        when it is more than two years old); ``False`` leaves such components NaN.

    Returns
    -------
    pandas.DataFrame
        One row per other state in the system on ``date``: ``ccode, country`` (the state's name from
        :func:`coalitionlab.data.countries.country_name` on ``date``, as in every output), one column per
        component, ``embeddedness`` (weighted total), ``embeddedness_log1p``, ``embeddedness_share``
        (share of the lead's total over all partners), ``embeddedness_z`` (sum of the components'
        z-scores among partners), ``embeddedness_nonsecurity`` (without alliances, exercises, security
        IGOs and security treaties), ``embeddedness_security`` (those security ties alone),
        ``<component>_z``, ``sociability_igos`` and
        ``sociability_treaties`` (the partner's own totals: IGO memberships, treaties in force),
        ``<component>_year`` (the data year used), ``inherited_from``. Sorted by embeddedness.
        ``attrs``: ``lead_ccode``, ``date``, ``measured_on``, ``is_seed``, ``components``, ``weights``,
        ``years_used`` (component -> year), ``sources`` (name -> version), ``lag_years``,
        ``successors``, ``carry_forward``, ``stale``.

    Raises
    ------
    UnknownCountryError
        When ``lead`` is not a known state.
    CoverageError
        When the date cannot be read, the lead is not a system member on that date or on the
        measurement day (unless it inherits a predecessor), or every component lacks data on or
        before the date.
    UnknownOptionError
        For an unknown or overlapping component, weight or source.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     e = embeddedness("USA", "2003-03-20", source="seed")
    >>> e.attrs["is_seed"], e.attrs["lead_ccode"], e.attrs["years_used"]
    (True, 2, {'alliances': 2003, 'igos': 2002})

    References
    ----------
    Henke, M. E. 2019. *Constructing Allied Cooperation: Diplomacy, Payments, and Power in
    Multilateral Military Coalitions.* Cornell University Press.
    """
    is_seed = _mode(source, data_dir)
    comps = _check_components(components, is_seed)
    ts = parse_date(date)
    if ts.tzinfo is not None:
        raise CoverageError(f"date {date!r} carries a time zone; give a calendar day, e.g. '2003-03-20'")
    ts = ts.normalize()
    lag = _check_lag(lag_years)
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
    measured = pd.Timestamp(_measurement_days(np.array([ts.to_datetime64()], dtype="datetime64[ns]"), lag)[0])
    lead_then = _existence(spells, np.array([lead_ccode]), np.array([lead_ccode]),
                           np.array([measured.to_datetime64()], dtype="datetime64[ns]"), successors)
    if not _is_member(spells, lead_then[0], np.array([measured.to_datetime64()], dtype="datetime64[ns]"))[0]:
        raise CoverageError(f"lead {lead!r} (ccode {lead_ccode}) was not a state-system member on the measurement day "
                            f"{measured:%Y-%m-%d} ({ts:%Y-%m-%d} minus lag {lag})"
                            + ("" if successors == "inherit" or lead_ccode not in SUCCESSORS
                               else "; successors='inherit' uses its predecessor's ties"))
    others = _members_at(spells, ts)
    others = others[others["ccode"] != lead_ccode].sort_values("ccode")
    pairs = pd.DataFrame({"lead_ccode": lead_ccode, "ccode": others["ccode"].to_numpy(), "date": ts})
    vals, meta = embeddedness_pairs(pairs, data_dir=data_dir, components=comps, weights=weights,
                                    lag_years=lag, is_seed=is_seed, successors=successors,
                                    carry_forward=carry_forward, sociability=True)
    if all(np.isnan(meta["years_used"][c]).all() for c in comps):
        hint = "" if carry_forward else "; pass carry_forward=True to use each source's last year"
        raise CoverageError(f"no component has data on or before {ts:%Y-%m-%d} (lag {lag}); "
                            f"coverage: " + ", ".join(f"{c} {_coverage(COMPONENTS[c], is_seed)}" for c in comps)
                            + hint)
    from coalitionlab.data.countries import country_name

    # one name per ccode in every output (coalition tables use the same function)
    names = country_name(others["ccode"].to_numpy(), date=ts) if len(others) else np.array([], dtype=object)
    out = pd.concat([pd.DataFrame({"ccode": others["ccode"].to_numpy(), "country": names}),
                     vals.reset_index(drop=True)], axis=1)
    total = out["embeddedness"]
    out["embeddedness_log1p"] = np.log1p(total)
    denom = total.sum(min_count=1)
    out["embeddedness_share"] = total / denom if denom and denom > 0 else np.nan
    out = _standardise(out, comps)
    social = [c for c in ("sociability_igos", "sociability_treaties") if c in out.columns]
    order = ["ccode", "country", *comps, "embeddedness", "embeddedness_log1p", "embeddedness_share", "embeddedness_z",
             "embeddedness_nonsecurity", "embeddedness_security", *[f"{c}_z" for c in comps], *social, *[f"{c}_year" for c in comps],
             "inherited_from"]
    out = out[order].sort_values(["embeddedness", "ccode"], ascending=[False, True], ignore_index=True,
                                 na_position="last")
    out.attrs = {
        "unit": "lead_partner", "lead_ccode": lead_ccode, "date": f"{ts:%Y-%m-%d}",
        "measured_on": f"{measured:%Y-%m-%d}", "is_seed": meta["is_seed"],
        "components": comps, "weights": meta["weights"], "lag_years": lag, "successors": successors,
        "carry_forward": bool(carry_forward), "stale": meta["stale"],
        "years_used": {c: (None if not len(pairs) or np.isnan(meta["years_used"][c][0])
                           else int(meta["years_used"][c][0])) for c in comps},
        "sources": _versions(comps, is_seed),
    }
    return out


def add_embeddedness(panel: pd.DataFrame, *, lead_col: str = "lead_ccode", date_col: str = "start_date",
                     data_dir: str | os.PathLike | None = None, components: Iterable[str] | None = None,
                     weights: Mapping[str, float] | None = None, lag_years: int = 0,
                     source: SourceChoice = "auto", successors: Successors = "missing",
                     carry_forward: bool = False, sociability: bool = False, prefix: str = "",
                     progress: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Add embeddedness with each row's lead on each row's date to a coalition x candidate panel.

    Every distinct (lead, partner, day) is computed once, and every component once for all rows,
    so thousands of (lead, date) pairs cost about as much as one.

    Parameters
    ----------
    panel
        One row per coalition x candidate state, with ``ccode``, ``lead_col`` (the lead's ccode) and
        ``date_col`` (a date, or a year when the column is integer: 1 January of that year).
    lead_col, date_col
        Column names.
    data_dir, components, weights, lag_years, source, successors
        As in :func:`embeddedness`.
    carry_forward
        Past a source's last year, use that year (recorded in ``attrs`` and warned about when more
        than two years old); by default such values are NaN.
    sociability
        Also add ``sociability_igos`` and ``sociability_treaties`` (the candidate's own totals).
    prefix
        Put before every added column name.
    progress
        Called with the name of each component as it is computed.

    Returns
    -------
    pandas.DataFrame
        A copy with the component columns, ``embeddedness``, ``embeddedness_nonsecurity``,
        ``<component>_z`` and ``embeddedness_z`` (z-scores among the panel's candidates of the same
        lead and date), ``<component>_year`` and ``inherited_from`` (NaN where the candidate is the
        lead or did not exist, and, with a :class:`~coalitionlab.errors.MissingValueWarning`, where the
        lead, the candidate or the date is missing); ``attrs["embeddedness"]`` records components,
        weights, lag, successors, carry_forward, stale components and ``is_seed``.

    Raises
    ------
    PanelTypeError
        When a needed column is missing or holds something other than ccodes.
    """
    from coalitionlab.errors import PanelTypeError

    missing = [c for c in ("ccode", lead_col, date_col) if c not in panel.columns]
    if missing:
        raise PanelTypeError(f"add_embeddedness() needs columns {', '.join(missing)}; "
                             f"pass lead_col=/date_col= to name them")
    dates = panel[date_col]
    if pd.api.types.is_integer_dtype(dates):
        day = pd.to_datetime(dates.astype("Int64").astype(str) + "-01-01", errors="coerce")
    else:
        day = pd.to_datetime(dates, errors="coerce")
    if getattr(day.dt, "tz", None) is not None:
        raise PanelTypeError(f"add_embeddedness(): column {date_col!r} carries a time zone; give calendar days")
    for c, v in ((lead_col, panel[lead_col]), ("ccode", panel["ccode"])):
        unreadable = pd.to_numeric(v, errors="coerce").isna().to_numpy() & v.notna().to_numpy()
        if unreadable.any():
            raise PanelTypeError(f"add_embeddedness(): column {c!r} holds {v[unreadable].iloc[0]!r} (position "
                                 f"{int(np.flatnonzero(unreadable)[0])}); it needs COW ccodes")
    rows = pd.DataFrame({"lead_ccode": pd.to_numeric(panel[lead_col], errors="coerce").to_numpy("float64", na_value=np.nan),
                         "ccode": pd.to_numeric(panel["ccode"], errors="coerce").to_numpy("float64", na_value=np.nan),
                         "date": day.dt.normalize().to_numpy("datetime64[ns]")})
    incomplete = (rows[["lead_ccode", "ccode"]].isna().any(axis=1) | rows["date"].isna()).to_numpy()
    if incomplete.any():
        warnings.warn(f"add_embeddedness(): {int(incomplete.sum())} row(s) lack a {lead_col}, ccode or {date_col} "
                      f"(first at position {int(np.flatnonzero(incomplete)[0])}); their embeddedness is NaN",
                      MissingValueWarning, stacklevel=2)
    rows = rows.astype({"lead_ccode": "Int64", "ccode": "Int64"})
    uniq = rows[~incomplete].drop_duplicates(ignore_index=True).astype({"lead_ccode": "int64", "ccode": "int64"})
    uniq = uniq[uniq["lead_ccode"] != uniq["ccode"]].reset_index(drop=True)
    vals, meta = embeddedness_pairs(uniq, data_dir=data_dir, components=components, weights=weights,
                                    lag_years=lag_years, source=source, successors=successors,
                                    carry_forward=carry_forward, sociability=sociability, progress=progress)
    table = pd.concat([uniq, vals], axis=1)
    table = _standardise(table, list(meta["components"]), groups=table["lead_ccode"].astype(str) + "|" +
                         table["date"].astype(str))
    merged = rows.merge(table, on=["lead_ccode", "ccode", "date"], how="left")
    out = panel.copy(deep=False)
    added = [c for c in table.columns if c not in ("lead_ccode", "ccode", "date")]
    whole = set(table.select_dtypes("Int64").columns)  # data years and predecessors stay whole numbers
    for col in added:
        out[prefix + col] = pd.array(merged[col], dtype="Int64") if col in whole else merged[col].to_numpy()
    attrs = dict(panel.attrs)
    attrs["sources"] = {**attrs.get("sources", {}), **_versions(list(meta["components"]), meta["is_seed"])}
    attrs["embeddedness"] = {"components": meta["components"], "weights": meta["weights"],
                             "lag_years": meta["lag_years"], "is_seed": meta["is_seed"],
                             "successors": meta["successors"], "carry_forward": meta["carry_forward"],
                             "stale": meta["stale"], "lead_col": lead_col, "date_col": date_col}
    attrs["is_seed"] = bool(attrs.get("is_seed", False) or meta["is_seed"])
    out.attrs = attrs
    return out
