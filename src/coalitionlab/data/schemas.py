"""One pandera schema per source: column names, dtypes, value ranges, the unique key and coverage.

Every loader's output is validated against its schema (``lazy=True``, so all failures show at
once) by :func:`coalitionlab.data.registry.validate`; a failure becomes a
:class:`~coalitionlab.errors.DataFileError` naming the column.

Conventions: country codes are COW ``ccode`` (``int64``; dyadic ``ccode1``/``ccode2``), years
are ``int64`` ``year`` bounded by the source's coverage, dates are ``datetime64[ns]`` columns
named ``*_date``, 0/1 indicators are ``Int64`` (nullable where the source has missing values)
and text is pandas' ``str`` dtype.

Every schema also says, in its ``description`` and ``metadata``:

* **Years** (:class:`Years`): how the source's years are counted. ``rows``: a panel, every year of
  the source's coverage has rows, and a year without rows is a gap (the measures give NaN there,
  ``coalitionlab data check`` reports ``GAPS``); ``spells``: records run from a start to an end, and
  a year inside their span that no record covers is a gap; ``events``: a year may have no event, so
  no year is a gap; ``none``: no time column. ``known_gaps`` are years without rows for a documented
  reason (not flagged).
* **Codes**: every ``ccode`` column must hold a COW state code (the COW state list v2024, embedded
  as ``crosswalk/cow_system.csv``; a code such as 999 fails with its file row). ``codes="system"``
  sources must also have the state in the COW system in the row's year (a member on any day of it;
  years after 2024 read as 2024): checked by the source's reader (``publishers._readers.check_codes``)
  so the error names the file row. ``codes="known"`` sources code some states outside their system
  years; each says why.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal

import numpy as np
import pandas as pd

try:  # pandera >= 0.24 splits the pandas API out
    import pandera.pandas as pa
except ImportError:  # pragma: no cover - older pandera
    import pandera as pa

Check = pa.Check
Column = pa.Column

# COW country codes run from 2 (USA) to 990 (Samoa); the Gleditsch-Ward system adds codes up to 999.
CCODE_MIN, CCODE_MAX = 2, 999
DATE = "datetime64[ns]"
#: Years of the embedded COW state list (v2024); later years are read as its last year.
SYSTEM_FIRST, SYSTEM_LAST = 1816, 2024

YearBasis = Literal["rows", "spells", "events", "none"]
CodeRule = Literal["known", "system"]


@dataclass(frozen=True)
class Years:
    """How a source's years are counted (see the module docstring).

    ``start`` is the year or date column (``rows``, ``events``: the year of each row; ``spells``: the
    first year of each record), ``end`` the last year or date of a spell (empty: still running at
    the source's last year; no ``end`` column: every record runs to the source's last year).
    ``known_gaps`` maps a year without rows to the documented reason.

    Examples
    --------
    >>> Years("rows", "year", known_gaps={1964: "no recorded votes"}).describe()
    "rows per year (column 'year'); known gaps: 1964 (no recorded votes)"
    """

    basis: YearBasis
    start: str | None = None
    end: str | None = None
    known_gaps: Mapping[int, str] = field(default_factory=dict)

    def describe(self) -> str:
        """One line for a schema's description and ``coalitionlab data check``."""
        text = {"rows": f"rows per year (column {self.start!r})",
                "spells": f"spells from {self.start!r}" + (f" to {self.end!r}" if self.end else " on"),
                "events": f"events dated by {self.start!r} (a year without an event is not a gap)",
                "none": "no time column"}[self.basis]
        if self.known_gaps:
            text += "; known gaps: " + ", ".join(f"{y} ({why})" for y, why in sorted(self.known_gaps.items()))
        return text


@functools.lru_cache(maxsize=1)
def _cow_tables() -> tuple[np.ndarray, np.ndarray]:
    """``known`` (bool per ccode 0..999) and ``member`` (bool per ccode and year 1816..2024, a system
    member on any day of the year) from the embedded COW v2024 state list."""
    ref = resources.files("coalitionlab.data") / "crosswalk" / "cow_system.csv"
    with ref.open("r", encoding="utf-8") as fh:
        spells = pd.read_csv(fh, dtype=str, keep_default_na=False)
    codes = spells["ccode"].astype("int64").to_numpy()
    first = spells["start_date"].str[:4].astype("int64").to_numpy()
    last = spells["end_date"].replace("", str(SYSTEM_LAST)).str[:4].astype("int64").to_numpy()
    known = np.zeros(1000, dtype=bool)
    known[codes] = True
    member = np.zeros((1000, SYSTEM_LAST - SYSTEM_FIRST + 1), dtype=bool)
    for code, a, b in zip(codes, first, last, strict=True):  # 244 spells
        member[code, a - SYSTEM_FIRST:b - SYSTEM_FIRST + 1] = True
    return known, member


def is_cow_code(values) -> np.ndarray:
    """True for each value that is a COW state code (COW state list v2024); missing values count as True.

    Examples
    --------
    >>> is_cow_code([2, 255, 999, 1]).tolist()
    [True, True, False, False]
    """
    known, _ = _cow_tables()
    v = pd.to_numeric(pd.Series(np.asarray(values)), errors="coerce").to_numpy("float64", na_value=np.nan)
    ok = np.isnan(v)
    whole = ~ok & (v >= 0) & (v < len(known)) & (v % 1 == 0)
    ok[whole] = known[v[whole].astype("int64")]
    return ok


def is_system_member(ccode, year) -> np.ndarray:
    """True where ``ccode`` was a COW system member on any day of ``year`` (years after 2024 read as 2024).

    Missing codes or years count as True (a missing value is the schema's business, not this check's).

    Examples
    --------
    >>> is_system_member([255, 255, 260, 2], [1989, 1990, 1991, 2030]).tolist()
    [False, True, False, True]
    """
    _, member = _cow_tables()
    c = pd.to_numeric(pd.Series(np.asarray(ccode)), errors="coerce").to_numpy("float64", na_value=np.nan)
    y = pd.to_numeric(pd.Series(np.asarray(year)), errors="coerce").to_numpy("float64", na_value=np.nan)
    ok = np.isnan(c) | np.isnan(y)
    test = ~ok & (c >= 0) & (c < member.shape[0]) & (y >= SYSTEM_FIRST)
    col = np.minimum(y[test], SYSTEM_LAST).astype("int64") - SYSTEM_FIRST
    ok[test] = member[c[test].astype("int64"), col]
    return ok


def _known_check(values: pd.Series) -> pd.Series:
    return pd.Series(is_cow_code(values.to_numpy()), index=values.index)


def ccode(*, nullable: bool = False) -> pa.Column:
    """A COW country code column: a code of the COW state list v2024 (not merely a number from 2 to 999)."""
    return Column(int if not nullable else "Int64", Check(_known_check, error="a COW state code (COW list v2024)"),
                  nullable=nullable)


def year(first: int, last: int, *, nullable: bool = False) -> pa.Column:
    """An integer year column inside the coverage ``first``-``last``."""
    return Column(int if not nullable else "Int64", Check.between(first, last), nullable=nullable)


def date(first: int, last: int, *, nullable: bool = False) -> pa.Column:
    """A ``datetime64[ns]`` date column inside the years ``first``-``last``."""
    return Column(DATE, Check.between(f"{first}-01-01", f"{last}-12-31"), nullable=nullable)


def flag(*, nullable: bool = False) -> pa.Column:
    """A 0/1 indicator (nullable ``Int64``)."""
    return Column("Int64", Check.isin([0, 1]), nullable=nullable)


def text(*, nullable: bool = False, unique: bool = False) -> pa.Column:
    """A text column."""
    return Column(str, nullable=nullable, unique=unique)


def count(*, nullable: bool = False, upper: float | None = None) -> pa.Column:
    """A non-negative count (``Int64``)."""
    checks = [Check.ge(0)] + ([Check.le(upper)] if upper is not None else [])
    return Column("Int64", checks, nullable=nullable)


def real(lower: float | None = None, upper: float | None = None, *, nullable: bool = True) -> pa.Column:
    """A float column, optionally bounded."""
    checks = []
    if lower is not None:
        checks.append(Check.ge(lower))
    if upper is not None:
        checks.append(Check.le(upper))
    return Column(float, checks, nullable=nullable)


#: A frame-level backstop: a source whose reader yields no rows fails (the readers already refuse a
#: file cut to its header, naming the file).
NOT_EMPTY = Check(lambda df: len(df) > 0, error="no data rows")

_CODE_RULES = {
    "known": "every ccode is a COW state code (COW list v2024)",
    "system": "every ccode is a COW state code and a system member in the row's year (COW list v2024)",
}


def meta(years: Years, codes: CodeRule, note: str = "") -> dict:
    """``description`` and ``metadata`` keyword arguments of a schema: its year basis and code rule."""
    text = f"Years: {years.describe()}. Codes: {_CODE_RULES[codes]}." + (f" {note}" if note else "")
    return {"description": text, "metadata": {"years": years, "codes": codes}}


def _frame(columns: dict[str, pa.Column], key: list[str], *, name: str, years: Years, codes: CodeRule = "known",
           note: str = "") -> pa.DataFrameSchema:
    # strict: a reader that adds or loses a column fails loudly instead of drifting silently
    return pa.DataFrameSchema(columns, unique=key, strict=True, ordered=False, name=name, checks=[NOT_EMPTY],
                              **meta(years, codes, note))


#: The year without rows in the UN voting sources, and why.
UN_NO_VOTES = {1964: "the 19th UN General Assembly session (1964-65) took no recorded votes, over the Article 19 "
                     "dispute about arrears"}


# ---------------------------------------------------------------- COW state system and IGOs

COW_STATES = _frame(
    {
        "ccode": ccode(),
        "stateabb": Column(str, Check.str_matches(r"^[A-Z]{3}$")),
        "statenme": text(),
        "start_date": date(1816, 2024),
        "end_date": date(1816, 2024),
        "version": Column(int, Check.eq(2024)),
    },
    ["ccode", "start_date"],
    name="cow_states",
    years=Years("spells", "start_date", "end_date"),
    codes="known",
    note="The COW state list itself.",
)

COW_IGO = _frame(
    {
        "ccode": ccode(),
        "year": year(1816, 2014),
        "ioname": text(),
        "status": Column(int, Check.isin([1, 2, 3])),
    },
    ["ccode", "year", "ioname"],
    name="cow_igo",
    years=Years("rows", "year"),
    codes="system",
)

COW_IGO_LIST = _frame(
    {
        "ioname": text(unique=True),
        "ionum": Column(int, Check.ge(1), unique=True),
        "igocode": Column("Int64", Check.ge(1), nullable=True),
        "orgname": text(),
        "longorgname": text(),
        "start_year": year(1815, 2014),
        "end_year": year(1816, 2014, nullable=True),
        "is_dead": Column(bool),
        "is_integrated": Column(bool),
        "is_replaced": Column(bool),
        "political": flag(nullable=True),
        "social": flag(nullable=True),
        "economic": flag(nullable=True),
        "imputed": flag(nullable=True),
        "accuracy_pre1965": text(nullable=True),
        "sources_notes": text(nullable=True),
        "cow_version": real(2.0, 3.0, nullable=False),
    },
    ["ioname"],
    name="cow_igo_list",
    years=Years("spells", "start_year", "end_year"),
    codes="known",
    note="No country codes.",
)


# ---------------------------------------------------------------- ATOP

def _atop_provisions() -> dict[str, pa.Column]:
    """Obligation flags and provision codes shared by the member- and alliance-level files (ATOP codebook ranges)."""
    cols = {c: flag() for c in ("bilat", "wartime", "defense", "offense", "neutral", "nonagg", "consul",
                                "active", "conditional", "asymmetric")}
    cols.update({
        "secrecy": Column("Int64", Check.isin([0, 1, 2]), nullable=True),
        "milcon": Column("Int64", Check.isin([0, 1, 2, 3]), nullable=True),
        "milaid": Column("Int64", Check.isin([0, 1, 2, 3, 4]), nullable=True),
        "intcom": flag(nullable=True),
        "organ1": Column("Int64", Check.isin([0, 1, 2, 3]), nullable=True),
        "base": Column("Int64", Check.isin([0, 1, 2, 3]), nullable=True),
        "contrib": flag(nullable=True),
        "ecaid": Column("Int64", Check.isin([0, 1, 2, 3]), nullable=True),
    })
    return cols


ATOP_MEMBERS = _frame(
    {
        "atopid": Column(int, Check.between(1000, 9999)),
        "ccode": ccode(),
        "phase": Column(int, Check.between(0, 4)),
        "max_phase": Column(int, Check.between(0, 4)),
        "start_date": date(1815, 2016),
        "end_date": date(1815, 2016, nullable=True),
        "is_date_approximate": Column(bool),
        "is_in_effect": Column(bool),
        "is_system_member": Column(bool),
        "cow_war": Column("Int64", Check.ge(1), nullable=True),
        **_atop_provisions(),
    },
    ["atopid", "ccode", "phase", "start_date"],
    name="atop_members",
    years=Years("spells", "start_date", "end_date"),
    codes="known",
    note="ATOP lists members in years they are not COW system members (the 1815 alliances, before the COW "
         "system starts in 1816).",
)

ATOP_ALLIANCES = _frame(
    {
        "atopid": Column(int, Check.between(1000, 9999)),
        "start_date": date(1815, 2016),
        "end_date": date(1815, 2016, nullable=True),
        "is_date_approximate": Column(bool),
        "is_in_effect": Column(bool),
        "max_phase": Column(int, Check.between(0, 4)),
        "n_members": Column(int, Check.between(2, 59)),
        **_atop_provisions(),
        "milinst": Column("Int64", Check.isin([0, 1, 2]), nullable=True),
        "formal": Column("Int64", Check.isin([0, 1, 2]), nullable=True),
    },
    ["atopid"],
    name="atop_alliances",
    years=Years("spells", "start_date", "end_date"),
    codes="known",
    note="No country codes.",
)

ATOP_DYADS = _frame(
    {
        "ccode1": ccode(),
        "ccode2": ccode(),
        "year": year(1815, 2018),
        **{f"atop_{c}": flag() for c in ("defense", "offense", "neutral", "nonagg", "consul")},
    },
    ["ccode1", "ccode2", "year"],
    name="atop_dyads",
    years=Years("rows", "year"),
    codes="known",
    note="ATOP 5.1 codes alliances of states outside the COW system (Monaco 221 and San Marino 331 before "
         "1993, the Netherlands 210 and Belgium 211 in 1944).",
)


# ---------------------------------------------------------------- capabilities, geography, democracy

NMC = _frame(
    {
        "ccode": ccode(),
        "year": year(1816, 2022),
        "milex": real(0),
        "milper": real(0),
        "irst": real(0),
        "pec": real(0),
        "tpop": real(0),
        "upop": real(0),
        "cinc": real(0, 1, nullable=False),
    },
    ["ccode", "year"],
    name="nmc",
    years=Years("rows", "year"),
    codes="system",
)

CONTIGUITY = _frame(
    {
        "ccode1": ccode(),
        "ccode2": ccode(),
        "conttype": Column(int, Check.between(0, 5)),
        "is_contiguous": Column(bool),
        "start_date": date(1816, 2016),
        "end_date": date(1816, 2016),
    },
    ["ccode1", "ccode2", "start_date"],
    name="contiguity",
    years=Years("spells", "start_date", "end_date"),
    codes="known",
    note="Spells: not checked against system years.",
)

CAPITALS = _frame(
    {
        "ccode": ccode(),
        "statenme": text(),
        "capital": text(),
        "start_date": date(1816, 2024),
        "end_date": date(1816, 2024),
        "lat": real(-90, 90, nullable=False),
        "lng": real(-180, 180, nullable=False),
    },
    ["ccode", "start_date"],
    name="capitals",
    years=Years("spells", "start_date", "end_date"),
    codes="known",
    note="Capital spells start before a state enters the COW system (e.g. Canada 20 from 1867).",
)

DISTANCES = _frame(
    {
        "ccode1": ccode(),
        "ccode2": ccode(),
        "year": year(1886, 2019),
        "mindist": real(0, 20_100, nullable=False),
    },
    ["ccode1", "ccode2", "year"],
    name="distances",
    years=Years("rows", "year"),
    codes="system",
)

DEMOCRACY = _frame(
    {
        "ccode": ccode(),
        "year": year(1816, 2025),
        "euds": real(-5, 5),
        "aeuds": real(-5, 5),
        "polity2": real(-10, 10),
        "v2x_polyarchy": real(0, 1),
    },
    ["ccode", "year"],
    name="democracy",
    years=Years("rows", "year"),
    codes="system",
)


# ---------------------------------------------------------------- isard panels

GDP_POPULATION = _frame(
    {
        "ccode": ccode(),
        "year": year(1816, 2019),
        "mrgdppc": real(0),
        "sd_mrgdppc": real(0),
        "pwtrgdp": real(0),
        "sd_pwtrgdp": real(0),
        "pwtpop": real(0),
        "sd_pwtpop": real(0),
    },
    ["ccode", "year"],
    name="gdp_population",
    years=Years("rows", "year"),
    codes="system",
)

GW_COW_PANEL = _frame(
    {
        "ccode": ccode(),
        "year": year(1816, 2025),
        "gwcode": Column("Int64", Check.between(CCODE_MIN, CCODE_MAX), nullable=True),
        "stateabb": Column(str, Check.str_matches(r"^[A-Z]{3}$")),
        "cow_name": text(),
        "gw_name": text(nullable=True),
    },
    ["ccode", "year"],
    name="gw_cow_panel",
    years=Years("rows", "year"),
    codes="system",
    note="gwcode holds Gleditsch-Ward codes (not checked against the COW list).",
)


# ---------------------------------------------------------------- UN General Assembly ideal points

UN_IDEAL_POINTS = _frame(
    {
        "ccode": ccode(),
        "year": year(1946, 2023),
        "session": Column(int, Check.between(1, 78)),
        "iso3c": Column(str, Check.str_matches(r"^[A-Z]{3}$"), nullable=True),
        "country_name": text(),
        "n_votes": Column(int, Check.ge(1)),
        "ideal_point": real(-6, 6, nullable=False),
        **{f"ideal_point_q{q:02d}": real(-8, 8, nullable=False) for q in (0, 5, 10, 50, 90, 95, 100)},
        **{f"{c}_agree": real(0, 1) for c in ("us", "russia", "brazil", "china", "india", "israel")},
    },
    ["ccode", "session"],
    name="un_ideal_points",
    years=Years("rows", "year", known_gaps=UN_NO_VOTES),
    codes="known",
    note="UN members that were not COW system members vote (Ukraine 369 and Belarus 370 from 1946).",
)


# ---------------------------------------------------------------- US military presence

TROOP_COLUMNS = (
    "troops_ad", "army_ad", "navy_ad", "air_force_ad", "marine_corps_ad", "coast_guard_ad", "space_force_ad",
    "army_national_guard", "air_national_guard", "army_reserve", "navy_reserve", "marine_corps_reserve",
    "air_force_reserve", "coast_guard_reserve", "total_selected_reserve", "army_civilian", "navy_civilian",
    "marine_corps_civilian", "air_force_civilian", "dod_civilian", "total_civilian",
)

US_TROOPS = _frame(
    {
        "ccode": ccode(),
        "year": year(1950, 2024),
        "country_name": text(),
        "iso3c": Column(str, Check.str_matches(r"^[A-Z]{3}$"), nullable=True),
        "region": text(),
        **{c: count(nullable=True) for c in TROOP_COLUMNS},
    },
    ["ccode", "year"],
    name="us_troops",
    years=Years("rows", "year"),
    codes="known",
    note="Troops are recorded in hosts before independence (e.g. the Bahamas 31 from 1951).",
)

US_BASES = _frame(
    {
        "ccode": ccode(),
        "country_name": text(),
        "iso3c": Column(str, Check.str_matches(r"^[A-Z]{3}$")),
        "basename": text(nullable=True),
        "lat": real(-90, 90),
        "lon": real(-180, 180),
        "is_major_base": Column(bool),
        "is_lilypad": Column(bool),
        "is_funded_site": Column(bool),
    },
    ["ccode", "basename"],
    name="us_bases",
    years=Years("none"),
    codes="known",
    note="One year (2018), no time column.",
)

US_CONSTRUCTION = _frame(
    {
        "ccode": ccode(),
        "year": year(2008, 2019),
        "spend_construction": real(nullable=False),
        "n_projects": Column(int, Check.ge(1)),
    },
    ["ccode", "year"],
    name="us_construction",
    years=Years("rows", "year"),
    codes="system",
)


# ---------------------------------------------------------------- wars and peace operations

COW_WAR_INTER = _frame(
    {
        "warnum": Column(int, Check.between(1, 999)),
        "ccode1": ccode(),
        "ccode2": ccode(),
        "year": year(1816, 2007),
        "is_onset": Column(bool),
        "is_resumed": Column(bool),
        "side1": Column(int, Check.isin([1, 2])),
        "side2": Column(int, Check.isin([1, 2])),
        "is_initiator1": Column(bool),
        "is_initiator2": Column(bool),
        "outcome1": Column("Int64", Check.between(1, 8), nullable=True),
        "outcome2": Column("Int64", Check.between(1, 8), nullable=True),
        "batdeath1": count(nullable=True),
        "batdeath2": count(nullable=True),
    },
    ["warnum", "ccode1", "ccode2", "year", "is_resumed"],
    name="cow_war_inter",
    years=Years("events", "year"),
    codes="system",
)

_FATALITY_COLUMNS = (
    "fatalities_illness", "fatalities_accident", "fatalities_malicious", "fatalities_other", "fatalities_total",
    "fatalities_military", "fatalities_observers", "fatalities_police", "fatalities_local_staff",
    "fatalities_international_staff", "fatalities_other_staff",
)

PKO_CONTINGENT_FATALITIES = _frame(
    {
        "ccode": ccode(),
        "contributor_name": text(),
        "mission": text(),
        "year": year(1948, 2015),
        "month": Column(int, Check.between(1, 12)),
        "month_date": date(1948, 2015),
        **{c: count() for c in _FATALITY_COLUMNS},
    },
    ["ccode", "mission", "month_date"],
    name="pko_contingent_fatalities",
    years=Years("events", "year"),
    codes="known",
    note="Contributors are coded before they enter the COW system (East Timor 860, 1999-2001).",
)

PKO_UN_NONUN = _frame(
    {
        "ccode": ccode(),
        "host_name": text(),
        "conflict_id": Column(int, Check.ge(1)),
        "episode_id": Column(int, Check.ge(1)),
        "is_active_conflict": Column(bool),
        "incompatibility": Column(int, Check.isin([1, 2])),
        "month_date": date(1993, 2016),
        "year": year(1993, 2016),
        "mission_id": Column(int, Check.ge(1)),
        "mission": text(),
        "org": Column(int, Check.isin([1, 2, 3])),
        "is_police_only": Column(bool),
        **{c: real(0) for c in ("troops", "police", "observers", "personnel")},
        **{f"sipri_{c}": real(0) for c in ("troops", "police", "observers", "totals")},
        **{f"ipi_{c}": real(0) for c in ("troops", "police", "observers", "totals")},
    },
    ["mission_id", "conflict_id", "month_date"],
    name="pko_un_nonun",
    years=Years("rows", "year"),
    codes="system",
)

TAGO_US_FORCE = _frame(
    {
        "event_id": Column(int, Check.ge(1), unique=True),
        "start_year": year(1948, 1998),
        "conflict": text(),
        "operation": text(),
        **{c: flag() for c in ("use_of_force", "coalitional_use_of_force", "igo_authorized_use_of_force",
                               "recession_year", "senate_divided", "house_divided", "ground_forces", "non_neo",
                               "latin_america", "europe", "middle_east", "sub_saharan_africa", "asia_pacific",
                               "post_cold_war", "post_vietnam_war")},
        "budget_constraints": real(nullable=False),
        "election_cycle": Column(int, Check.between(0, 24)),
        "severity": Column(int, Check.between(1, 4)),
    },
    ["event_id"],
    name="tago_us_force",
    years=Years("events", "start_year"),
    codes="known",
    note="No country codes.",
)


# ---------------------------------------------------------------- COW IGO reference counts (peacesciencer)

COW_IGO_NDY = _frame(
    {"ccode1": ccode(), "ccode2": ccode(), "year": year(1816, 2014), "dyadigos": Column(int, Check.between(0, 534))},
    ["ccode1", "ccode2", "year"],
    name="cow_igo_ndy",
    years=Years("rows", "year"),
    codes="system",
)

COW_IGO_STATES_YEAR = _frame(
    {
        "ccode": ccode(),
        "year": year(1816, 2014),
        **{c: Column(int, Check.between(0, 534)) for c in ("igo_full", "igo_associate", "igo_observer", "igo_any")},
    },
    ["ccode", "year"],
    name="cow_igo_states_year",
    years=Years("rows", "year"),
    codes="system",
)

COW_IGO_ROSTER = _frame(
    {"ccode": ccode(), "year": year(1816, 2014)},
    ["ccode", "year"],
    name="cow_igo_roster",
    years=Years("rows", "year"),
    codes="system",
)


# ---------------------------------------------------------------- Archigos leaders (peacesciencer)

ARCHIGOS_ENTRY = ["Regular", "Irregular", "Foreign Imposition", "Unknown"]
ARCHIGOS_EXIT = ["Regular", "Irregular", "Natural Death", "Still in Office", "Foreign", "Retired Due to Ill Health",
                 "Suicide", "Unknown"]


def _archigos_dates_nest(df):
    """Each row's stretch under one ccode lies inside the leader's spell, and no date runs backwards."""
    return ((df["start_date"] <= df["ccode_start_date"]) & (df["ccode_start_date"] <= df["ccode_end_date"])
            & (df["ccode_end_date"] <= df["end_date"]))


ARCHIGOS_LEADERS = pa.DataFrameSchema(
    {
        "obsid": Column(str, Check.str_matches(r"^[A-Z]{3}-\d{4}(-\d+)?$")),
        "ccode": ccode(),
        "gwcode": Column(int, Check.between(CCODE_MIN, CCODE_MAX)),
        "leader_id": Column(str, Check.str_matches(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")),
        "leader": text(),
        "start_date": date(1800, 2015),
        "end_date": date(1800, 2015),
        "ccode_start_date": date(1800, 2015),
        "ccode_end_date": date(1800, 2015),
        "entry": Column(str, Check.isin(ARCHIGOS_ENTRY)),
        "exit": Column(str, Check.isin(ARCHIGOS_EXIT)),
        "yrborn": Column("Int64", Check.between(1700, 2000), nullable=True),
        "gender": Column(str, Check.isin(["M", "F"])),
    },
    unique=["obsid", "ccode"], strict=True, ordered=False, name="archigos_leaders",
    checks=[NOT_EMPTY,
            pa.Check(_archigos_dates_nest, error="start_date <= ccode_start_date <= ccode_end_date <= end_date")],
    **meta(Years("spells", "start_date", "end_date"), "known",
           "Archigos follows the Gleditsch-Ward list: leaders of states outside their COW system years (the "
           "Dominican Republic 42 in 1876); gwcode holds Gleditsch-Ward codes."),
)
