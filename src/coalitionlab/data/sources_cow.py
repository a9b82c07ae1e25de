"""Sources coded in COW country codes: their definitions and readers.

Each ``register(Source(...))`` below adds one dataset to the registry; :func:`coalitionlab.data.load`
reads it through its reader, validates it against its schema in :mod:`coalitionlab.data.schemas`
and caches it. Every reader returns one tidy frame keyed to COW ``ccode`` (dyadic: ``ccode1``,
``ccode2``), years as ``int64`` ``year``, dates as ``datetime64[ns]`` ``*_date`` columns, and
documented missing-value codes (such as ``-9``) turned into NaN. Quirks of each file, and what the
reader does about them, are in ``docs/data/sources.md``.

Examples
--------
>>> from coalitionlab.data import get_source
>>> get_source("cow_igo").code_scheme
'cow'
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from coalitionlab.data import schemas
from coalitionlab.data.registry import Source, read_csv, register, to_integer
from coalitionlab.errors import DataFileError

COW_TERMS = "Free for research use; cite the dataset and its version (Correlates of War Project terms)."
PEACESCIENCER_NOTE = (
    " Converted from the R package peacesciencer (Miller 2022, International Interactions 48(1): 142-157)."
)


# ---------------------------------------------------------------- helpers


def _integers(raw: pd.DataFrame, columns: Iterable[str], *, path: Path, nullable: bool = False,
              missing: Iterable[int] = ()) -> dict[str, pd.Series]:
    """Convert ``columns`` to integers; values in ``missing`` (documented codes) become NA."""
    out = {}
    missing = list(missing)
    for column in columns:
        values = to_integer(raw, column, path=path, nullable=nullable or bool(missing))
        if missing:  # a documented missing code becomes NA, so the column must be nullable
            values = values.mask(values.isin(missing))
        out[column] = values
    return out


def _flags(raw: pd.DataFrame, columns: Iterable[str], *, path: Path, missing: Iterable[int] = ()) -> dict[str, pd.Series]:
    """0/1 indicator columns as nullable ``Int64``; documented missing codes become NA."""
    return {c: v.astype("Int64") for c, v in _integers(raw, columns, path=path, nullable=True,
                                                         missing=missing).items()}


def _floats(raw: pd.DataFrame, columns: Iterable[str], *, path: Path, missing: Iterable[float] = ()) -> dict[str, pd.Series]:
    """Convert ``columns`` to float; text that is not a number is an error naming its row."""
    out = {}
    missing = list(missing)
    for column in columns:
        values = pd.to_numeric(raw[column], errors="coerce")
        bad = values.isna() & raw[column].notna()
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataFileError(f"non-numeric value {raw[column].iloc[pos]!r}", path=path, column=column,
                                row=pos + 2)
        values = values.astype(float)
        if missing:
            values = values.mask(values.isin(missing))
        out[column] = values
    return out


def _texts(raw: pd.DataFrame, columns: Iterable[str]) -> dict[str, pd.Series]:
    """Text columns as pandas ``str`` dtype with surrounding blanks stripped; empty text is NA."""
    out = {}
    for column in columns:
        values = raw[column].astype("str").str.strip()
        out[column] = values.mask(values.eq("") | raw[column].isna())
    return out


def _date(year: pd.Series, month: pd.Series, day: pd.Series, *, path: Path, column: str) -> pd.Series:
    """Build ``datetime64[ns]`` dates from year/month/day; a missing part gives NaT, an impossible date an error."""
    parts = pd.DataFrame({"year": year, "month": month, "day": day}).astype("Int64")
    ok = parts.notna().all(axis=1)
    out = pd.Series(pd.NaT, index=year.index, dtype="datetime64[ns]")
    if ok.any():
        good = parts[ok].astype("int64")
        dates = pd.to_datetime(good, errors="coerce")
        if dates.isna().any():
            pos = int(np.flatnonzero(ok.to_numpy())[int(np.flatnonzero(dates.isna().to_numpy())[0])])
            raise DataFileError(f"impossible date {tuple(parts.iloc[pos])}", path=path, column=column, row=pos + 2)
        out[ok] = dates.astype("datetime64[ns]")
    return out


def _iso_date(raw: pd.DataFrame, column: str, *, path: Path) -> pd.Series:
    """Parse an ISO ``YYYY-MM-DD`` column to ``datetime64[ns]``; empty stays NaT, garbage is an error."""
    values = pd.to_datetime(raw[column], format="%Y-%m-%d", errors="coerce")
    bad = values.isna() & raw[column].notna()
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFileError(f"not a YYYY-MM-DD date: {raw[column].iloc[pos]!r}", path=path, column=column,
                            row=pos + 2)
    return values.astype("datetime64[ns]")


def _drop_exact_duplicates(df: pd.DataFrame) -> pd.DataFrame:
    """Drop rows that repeat another row in every column (documented per source)."""
    return df.drop_duplicates(ignore_index=True)


# ---------------------------------------------------------------- COW state system


def _read_cow_states(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["statelist2024.csv"]
    cols = ["stateabb", "ccode", "statenme", "styear", "stmonth", "stday", "endyear", "endmonth", "endday", "version"]
    raw = read_csv(path, required=cols)
    n = _integers(raw, cols[1:2] + cols[3:], path=path)
    out = pd.DataFrame({
        "ccode": n["ccode"],
        **_texts(raw, ["stateabb", "statenme"]),
        "start_date": _date(n["styear"], n["stmonth"], n["stday"], path=path, column="styear"),
        "end_date": _date(n["endyear"], n["endmonth"], n["endday"], path=path, column="endyear"),
        "version": n["version"],
    })
    backwards = out["end_date"] < out["start_date"]
    if backwards.any():
        pos = int(np.flatnonzero(backwards.to_numpy())[0])
        raise DataFileError("spell ends before it starts", path=path, column="endyear", row=pos + 2)
    return out.sort_values(["ccode", "start_date"], ignore_index=True)


COW_STATES = register(Source(
    name="cow_states",
    folder="cow_states",
    files=("statelist2024.csv",),
    version="2024",
    publisher="Correlates of War Project",
    citation='Correlates of War Project. 2024. "State System Membership List, v2024." '
             "Online, https://correlatesofwar.org.",
    terms=COW_TERMS,
    first_year=1816,
    last_year=2024,
    code_scheme="cow",
    description="COW state system membership: one row per continuous spell as a system member "
                "(end_date 2024-12-31 = still a member at the end of v2024).",
    reader=_read_cow_states,
    schema=schemas.COW_STATES,
    key=("ccode", "start_date"),
    urls={},
))


# ---------------------------------------------------------------- COW IGO v3.0

IGO_CITATION = (
    "Pevehouse, Jon C.W., Timothy Nordstrom, Roseanne W. McManus, and Anne Spencer Jamison. 2020. "
    '"Tracking Organizations in the World: The Correlates of War IGO Version 3.0 Datasets." '
    "Journal of Peace Research 57(3): 492-503. doi:10.1177/0022343319881175."
)


def _read_cow_igo(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["igo_membership_long.csv.gz"]
    raw = read_csv(path, required=["ccode", "year", "ioname", "status"])
    n = _integers(raw, ["ccode", "year", "status"], path=path)
    out = pd.DataFrame({"ccode": n["ccode"], "year": n["year"], **_texts(raw, ["ioname"]), "status": n["status"]})
    return out.sort_values(["ccode", "year", "ioname"], ignore_index=True)


COW_IGO = register(Source(
    name="cow_igo",
    folder="cow_igo",
    files=("igo_membership_long.csv.gz",),
    version="3.0",
    publisher="Correlates of War Project",
    citation=IGO_CITATION,
    terms=COW_TERMS,
    first_year=1816,
    last_year=2014,
    code_scheme="cow",
    description="COW IGO v3.0 membership, long: one row per state-year-IGO where the state is a full (1), "
                "associate (2) or observer (3) member. Absent rows mean not a member, not in the system, "
                "or IGO not in existence; pre-1965 years are interpolated from 5-year observations.",
    reader=_read_cow_igo,
    schema=schemas.COW_IGO,
    key=("ccode", "year", "ioname"),
    urls={},
))


def _read_cow_igo_list(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["igo_list.csv"]
    raw = read_csv(path, required=["ioname", "orgname", "sdate", "deaddate", "longorgname", "ionum", "igocode",
                                   "version", "accuracyofpre1965membershipdates", "sourcesandnotes", "imputed",
                                   "political", "social", "economic"])
    n = _integers(raw, ["ionum", "sdate"], path=path)
    m = _integers(raw, ["igocode", "deaddate"], path=path, nullable=True)
    # igo_list.csv took dead/integrated/replaced from each IGO's first year, where they are always 0;
    # COW sets them only in an IGO's last year, so they are recomputed from the IGO-year file.
    ypath = paths["igo_year_formatv3.csv.gz"]
    years = read_csv(ypath, required=["ioname", "dead", "integrated", "replaced"],
                     usecols=["ioname", "dead", "integrated", "replaced"])
    ends = years.groupby("ioname")[["dead", "integrated", "replaced"]].max()
    missing = sorted(set(raw["ioname"]) - set(ends.index))
    if missing:
        raise DataFileError(f"IGO(s) {', '.join(missing[:5])} absent from the IGO-year file", path=ypath,
                            column="ioname")
    ends = ends.reindex(raw["ioname"]).reset_index(drop=True)
    out = pd.DataFrame({
        **_texts(raw, ["ioname"]),
        "ionum": n["ionum"],
        "igocode": m["igocode"],
        **_texts(raw, ["orgname", "longorgname"]),
        "start_year": n["sdate"],
        "end_year": m["deaddate"],
        "is_dead": ends["dead"].eq(1) | m["deaddate"].notna().to_numpy(),
        "is_integrated": ends["integrated"].eq(1),
        "is_replaced": ends["replaced"].eq(1),
        **_flags(raw, ["political", "social", "economic", "imputed"], path=path),
        "accuracy_pre1965": _texts(raw, ["accuracyofpre1965membershipdates"])["accuracyofpre1965membershipdates"],
        "sources_notes": _texts(raw, ["sourcesandnotes"])["sourcesandnotes"],
        "cow_version": _floats(raw, ["version"], path=path)["version"],
    })
    return out.sort_values("ioname", ignore_index=True)


COW_IGO_LIST = register(Source(
    name="cow_igo_list",
    folder="cow_igo",
    files=("igo_list.csv", "igo_year_formatv3.csv.gz"),
    version="3.0",
    publisher="Correlates of War Project",
    citation=IGO_CITATION,
    terms=COW_TERMS,
    first_year=1815,
    last_year=2014,
    code_scheme="none",
    description="COW IGO v3.0 organisations: one row per IGO with start/end year, issue-area flags "
                "(political, social, economic) and the fate flags recomputed from the IGO-year file.",
    reader=_read_cow_igo_list,
    schema=schemas.COW_IGO_LIST,
    key=("ioname",),
    urls={},
))


# ---------------------------------------------------------------- ATOP v4.01 (member and alliance level)

ATOP_CITATION = (
    "Leeds, Brett Ashley, Jeffrey M. Ritter, Sara McLaughlin Mitchell, and Andrew G. Long. 2002. "
    '"Alliance Treaty Obligations and Provisions, 1815-1944." International Interactions 28: 237-260; '
    "ATOP v4.01 codebook (Leeds 2018), http://www.atopdata.org."
)
ATOP_TERMS = "Free for research use; cite Leeds et al. 2002 and the ATOP version used."
# ATOP codes members that never were COW system members with its own 4-digit numbers (e.g. 8152, Annam 1874)
ATOP_NON_COW_MIN = 1000

# ATOP column -> output column (0/1 flags and ordinal provision codes, both kept as nullable Int64)
_ATOP_PROVISIONS = {
    "bilat": "bilat", "wartime": "wartime", "defense": "defense", "offense": "offense", "neutral": "neutral",
    "nonagg": "nonagg", "consul": "consul", "active": "active", "conditio": "conditional", "asymm": "asymmetric",
    "pubsecr": "secrecy", "milcon": "milcon", "milaid": "milaid", "intcom": "intcom", "organ1": "organ1",
    "base": "base", "contrib": "contrib", "ecaid": "ecaid",
}


def _atop_date(year: pd.Series, month: pd.Series, day: pd.Series, *, end: bool, path: Path,
               column: str) -> tuple[pd.Series, pd.Series]:
    """ATOP date parts to ``(date, is_approximate)``.

    Year 0 means "still in force at the end of the data" and gives NaT. A missing or 0 day (the
    codebook's unknown day) becomes the first day of the month for a start and the last day for an
    end, flagged approximate.
    """
    year = year.astype("Int64")
    month = month.astype("Int64")
    day = day.astype("Int64")
    open_ended = year.eq(0).fillna(False)
    unknown_day = (day.isna() | day.eq(0)).fillna(True) & ~open_ended
    first = pd.Series(1, index=day.index, dtype="Int64")
    exact = _date(year.mask(open_ended), month.mask(open_ended), day.mask(unknown_day | open_ended),
                  path=path, column=column)
    month_start = _date(year.mask(~unknown_day), month.mask(~unknown_day), first.mask(~unknown_day),
                        path=path, column=column)
    if end:
        month_start = month_start + pd.offsets.MonthEnd(0)
    out = exact.where(~unknown_day, month_start)
    return out.astype("datetime64[ns]"), unknown_day.astype(bool)


def _atop_provisions(raw: pd.DataFrame, *, path: Path) -> dict[str, pd.Series]:
    values = _flags(raw, list(_ATOP_PROVISIONS), path=path)
    return {_ATOP_PROVISIONS[c]: v for c, v in values.items()}


def _read_atop_members(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["atop4_01_member_level.csv.gz"]
    dates = ["yrent", "moent", "dayent", "yrexit", "moexit", "dayexit"]
    raw = read_csv(path, required=["atopid", "member", "phase", "maxphase", "cowsys", "ineffect", "cowwar",
                                   *dates, *_ATOP_PROVISIONS])
    n = _integers(raw, ["atopid", "member", "phase", "maxphase", "cowsys", "ineffect", "cowwar"], path=path)
    d = _integers(raw, dates, path=path, nullable=True)
    start, start_approx = _atop_date(d["yrent"], d["moent"], d["dayent"], end=False, path=path, column="yrent")
    end, end_approx = _atop_date(d["yrexit"], d["moexit"], d["dayexit"], end=True, path=path, column="yrexit")
    out = pd.DataFrame({
        "atopid": n["atopid"],
        "ccode": n["member"],
        "phase": n["phase"],
        "max_phase": n["maxphase"],
        "start_date": start,
        "end_date": end,
        "is_date_approximate": start_approx | end_approx,
        "is_in_effect": n["ineffect"].eq(1),
        "is_system_member": n["cowsys"].eq(1),
        "cow_war": n["cowwar"].mask(n["cowwar"].eq(0)).astype("Int64"),  # 0 = not during a COW war
        **_atop_provisions(raw, path=path),
    })
    inconsistent = out["is_in_effect"] != out["end_date"].isna()
    if inconsistent.any():
        pos = int(np.flatnonzero(inconsistent.to_numpy())[0])
        raise DataFileError("ineffect disagrees with a zero exit year", path=path, column="ineffect", row=pos + 2)
    # members outside the COW code range are ATOP's own codes for non-system polities: dropped (documented)
    out = out[out["ccode"] < ATOP_NON_COW_MIN]
    return out.sort_values(["atopid", "ccode", "phase", "start_date"], ignore_index=True)


register(Source(
    name="atop_members",
    folder="atop_v4",
    files=("atop4_01_member_level.csv.gz",),
    version="4.01",
    publisher="ATOP project (Brett Ashley Leeds et al.)",
    citation=ATOP_CITATION,
    terms=ATOP_TERMS,
    first_year=1815,
    last_year=2016,
    code_scheme="cow",
    description="ATOP v4.01 member level: one row per alliance-member-phase spell with entry and exit dates "
                "(end_date NaT = still in force at the end of 2016) and the member's obligations.",
    reader=_read_atop_members,
    schema=schemas.ATOP_MEMBERS,
    key=("atopid", "ccode", "phase", "start_date"),
    urls={},
))


def _read_atop_alliances(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["atop4_01_alliance_level.csv"]
    dates = ["begyr", "begmo", "begday", "endyr", "endmo", "endday"]
    raw = read_csv(path, required=["atopid", "ineffect", "maxphase", "milinst", "formal", *dates, *_ATOP_PROVISIONS])
    n = _integers(raw, ["atopid", "ineffect", "maxphase"], path=path)
    d = _integers(raw, dates, path=path, nullable=True)
    start, start_approx = _atop_date(d["begyr"], d["begmo"], d["begday"], end=False, path=path, column="begyr")
    end, end_approx = _atop_date(d["endyr"], d["endmo"], d["endday"], end=True, path=path, column="endyr")
    members = raw.filter(regex=r"^mem\d+$")
    out = pd.DataFrame({
        "atopid": n["atopid"],
        "start_date": start,
        "end_date": end,
        "is_date_approximate": start_approx | end_approx,
        "is_in_effect": n["ineffect"].eq(1),
        "max_phase": n["maxphase"],
        "n_members": members.notna().sum(axis=1).astype("int64"),
        **_atop_provisions(raw, path=path),
        **_flags(raw, ["milinst", "formal"], path=path),
    })
    return out.sort_values("atopid", ignore_index=True)


register(Source(
    name="atop_alliances",
    folder="atop_v4",
    files=("atop4_01_alliance_level.csv",),
    version="4.01",
    publisher="ATOP project (Brett Ashley Leeds et al.)",
    citation=ATOP_CITATION,
    terms=ATOP_TERMS,
    first_year=1815,
    last_year=2016,
    code_scheme="none",
    description="ATOP v4.01 alliance level: one row per alliance with its dates, obligations, provisions "
                "and number of members (members themselves are in atop_members).",
    reader=_read_atop_alliances,
    schema=schemas.ATOP_ALLIANCES,
    key=("atopid",),
    urls={},
))


# ---------------------------------------------------------------- ATOP 5.1 dyad-years (peacesciencer)

ATOP_DYAD_COLUMNS = ["atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul"]


def _read_atop_dyads(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["atop_alliance.csv.gz"]
    raw = read_csv(path, required=["ccode1", "ccode2", "year", *ATOP_DYAD_COLUMNS])
    n = _integers(raw, ["ccode1", "ccode2", "year"], path=path)
    out = pd.DataFrame({**n, **_flags(raw, ATOP_DYAD_COLUMNS, path=path)})
    self_dyads = out["ccode1"] == out["ccode2"]
    if self_dyads.any():
        pos = int(np.flatnonzero(self_dyads.to_numpy())[0])
        raise DataFileError("a state allied with itself", path=path, column="ccode2", row=pos + 2)
    return out.sort_values(["ccode1", "ccode2", "year"], ignore_index=True)


register(Source(
    name="atop_dyads",
    folder="peacesciencer",
    files=("atop_alliance.csv.gz",),
    version="5.1",
    publisher="ATOP project (Brett Ashley Leeds et al.), via peacesciencer",
    citation=ATOP_CITATION.replace("ATOP v4.01 codebook (Leeds 2018)", "ATOP v5.1 codebook")
    + PEACESCIENCER_NOTE,
    terms=ATOP_TERMS,
    first_year=1815,
    last_year=2018,
    code_scheme="cow",
    description="ATOP 5.1 directed dyad-years: atop_* = 1 if ccode1 has that obligation towards ccode2 in an "
                "alliance in force that year. Only allied dyads are present; both orderings of each dyad are.",
    reader=_read_atop_dyads,
    schema=schemas.ATOP_DYADS,
    key=("ccode1", "ccode2", "year"),
    urls={},
))


# ---------------------------------------------------------------- COW National Material Capabilities

NMC_COLUMNS = ["milex", "milper", "irst", "pec", "tpop", "upop", "cinc"]


def _read_nmc(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["cow_nmc.csv.gz"]
    raw = read_csv(path, required=["ccode", "year", *NMC_COLUMNS])
    # -9 is COW's missing code; peacesciencer already turned it into NA, but a raw COW file would still carry it
    out = pd.DataFrame({**_integers(raw, ["ccode", "year"], path=path),
                        **_floats(raw, NMC_COLUMNS, path=path, missing=[-9])})
    return out.sort_values(["ccode", "year"], ignore_index=True)


register(Source(
    name="nmc",
    folder="peacesciencer",
    files=("cow_nmc.csv.gz",),
    version="7.0",
    publisher="Correlates of War Project, via peacesciencer",
    citation="Singer, J. David, Stuart Bremer, and John Stuckey. 1972. \"Capability Distribution, Uncertainty, "
             "and Major Power War, 1820-1965.\" In Bruce Russett (ed.), Peace, War, and Numbers, 19-48. "
             "Sage; Singer, J. David. 1987. \"Reconstructing the Correlates of War Dataset on Material "
             "Capabilities of States, 1816-1985.\" International Interactions 14: 115-32. NMC v7.0."
             + PEACESCIENCER_NOTE,
    terms=COW_TERMS,
    first_year=1816,
    last_year=2022,
    code_scheme="cow",
    description="COW National Material Capabilities v7.0 state-years: military expenditure (thousands of "
                "current USD; pounds sterling before 1914), military personnel (thousands), iron and steel "
                "production (thousands of tons), primary energy consumption (thousands of coal-ton "
                "equivalents), total and urban population (thousands) and CINC (share of system capabilities).",
    reader=_read_nmc,
    schema=schemas.NMC,
    key=("ccode", "year"),
    urls={},
))


# ---------------------------------------------------------------- COW direct contiguity

def _read_contiguity(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["cow_contdir.csv"]
    raw = read_csv(path, required=["ccode1", "ccode2", "conttype", "stdate", "enddate"])
    n = _integers(raw, ["ccode1", "ccode2", "conttype"], path=path)
    out = pd.DataFrame({
        **n,
        "is_contiguous": n["conttype"].between(1, 5),
        "start_date": _iso_date(raw, "stdate", path=path),
        "end_date": _iso_date(raw, "enddate", path=path),
    })
    backwards = out["end_date"] < out["start_date"]
    if backwards.any():
        pos = int(np.flatnonzero(backwards.to_numpy())[0])
        raise DataFileError("spell ends before it starts", path=path, column="enddate", row=pos + 2)
    return out.sort_values(["ccode1", "ccode2", "start_date"], ignore_index=True)


register(Source(
    name="contiguity",
    folder="peacesciencer",
    files=("cow_contdir.csv",),
    version="3.2",
    publisher="Correlates of War Project, via peacesciencer",
    citation="Stinnett, Douglas M., Jaroslav Tir, Philip Schafer, Paul F. Diehl, and Charles Gochman. 2002. "
             "\"The Correlates of War Project Direct Contiguity Data, Version 3.\" Conflict Management and "
             "Peace Science 19(2): 58-66. Direct Contiguity v3.2." + PEACESCIENCER_NOTE,
    terms=COW_TERMS,
    first_year=1816,
    last_year=2016,
    code_scheme="cow",
    description="COW direct contiguity v3.2, directed dyad spells with month precision: conttype 1 land or "
                "river border, 2-5 separated by at most 12, 24, 150, 400 miles of water; 0 no direct contiguity.",
    reader=_read_contiguity,
    schema=schemas.CONTIGUITY,
    key=("ccode1", "ccode2", "start_date"),
    urls={},
))


# ---------------------------------------------------------------- capitals and minimum distances

def _read_capitals(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["cow_capitals.csv"]
    raw = read_csv(path, required=["ccode", "statenme", "capital", "stdate", "enddate", "lat", "lng"])
    out = pd.DataFrame({
        **_integers(raw, ["ccode"], path=path),
        **_texts(raw, ["statenme", "capital"]),
        "start_date": _iso_date(raw, "stdate", path=path),
        "end_date": _iso_date(raw, "enddate", path=path),
        **_floats(raw, ["lat", "lng"], path=path),
    })
    return out.sort_values(["ccode", "start_date"], ignore_index=True)


register(Source(
    name="capitals",
    folder="peacesciencer",
    files=("cow_capitals.csv",),
    version="2020",
    publisher="Steven V. Miller (peacesciencer)",
    citation="Miller, Steven V. 2022. \"peacesciencer: An R Package for Quantitative Peace Science Research.\" "
             "Conflict Management and Peace Science 39(6) (cow_capitals data).",
    terms="GPL-2 (peacesciencer package data); cite the package.",
    first_year=1816,
    last_year=2024,
    code_scheme="cow",
    description="Capitals of COW states with start/end dates and latitude/longitude (one row per capital spell).",
    reader=_read_capitals,
    schema=schemas.CAPITALS,
    key=("ccode", "start_date"),
    urls={},
))


def _read_distances(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["cow_mindist.csv.gz"]
    raw = read_csv(path, required=["ccode1", "ccode2", "year", "mindist"])
    out = pd.DataFrame({**_integers(raw, ["ccode1", "ccode2", "year"], path=path),
                        **_floats(raw, ["mindist"], path=path)})
    unordered = out["ccode1"] >= out["ccode2"]
    if unordered.any():  # the file is non-directed with ccode1 < ccode2; anything else would double count
        pos = int(np.flatnonzero(unordered.to_numpy())[0])
        raise DataFileError("non-directed file needs ccode1 < ccode2", path=path, column="ccode1", row=pos + 2)
    return out.sort_values(["ccode1", "ccode2", "year"], ignore_index=True)


register(Source(
    name="distances",
    folder="peacesciencer",
    files=("cow_mindist.csv.gz",),
    version="CShapes 2.0",
    publisher="Steven V. Miller (peacesciencer), from CShapes 2.0",
    citation="Schvitz, Guy, Luc Girardin, Seraina Ruegger, Nils B. Weidmann, Lars-Erik Cederman, and Kristian "
             "Skrede Gleditsch. 2022. \"Mapping the International System, 1886-2019: The CShapes 2.0 Dataset.\" "
             "Journal of Conflict Resolution 66(1): 144-161." + PEACESCIENCER_NOTE,
    terms="CShapes: CC BY-NC-SA 4.0; peacesciencer package GPL-2.",
    first_year=1886,
    last_year=2019,
    code_scheme="cow",
    description="Minimum distance in km between the borders of two COW states (0 = contiguous), "
                "non-directed dyad-years with ccode1 < ccode2, measured on 1 January of each year.",
    reader=_read_distances,
    schema=schemas.DISTANCES,
    key=("ccode1", "ccode2", "year"),
    urls={},
))


# ---------------------------------------------------------------- democracy (isard)

ISARD_NOTE = " Converted from the R package isard v0.2.0 (Steven V. Miller)."


def _read_democracy(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["cw_democracy.csv.gz"]
    measures = ["euds", "aeuds", "polity2", "v2x_polyarchy"]
    raw = read_csv(path, required=["ccode", "year", *measures])
    # Polity's -66 (interruption), -77 (interregnum) and -88 (transition) are not scores
    out = pd.DataFrame({**_integers(raw, ["ccode", "year"], path=path),
                        **_floats(raw, measures, path=path, missing=[-66, -77, -88])})
    return out.sort_values(["ccode", "year"], ignore_index=True)


register(Source(
    name="democracy",
    folder="isard",
    files=("cw_democracy.csv.gz",),
    version="isard 0.2.0 (eUDS democracyData 0.7.1, Polity5, V-Dem v16)",
    publisher="Steven V. Miller (isard), from Marquez, Polity5 and V-Dem",
    citation="Marquez, Xavier. 2016. \"A Quick Method for Extending the Unified Democracy Scores.\" SSRN 2753830; "
             "Pemstein, Meserve and Melton. 2010. Political Analysis 18(4): 426-449; Marshall, Monty G. 2020. "
             "Polity5; Coppedge et al. V-Dem v16." + ISARD_NOTE,
    terms="GPL-2 (isard package data); cite each underlying measure.",
    first_year=1816,
    last_year=2025,
    code_scheme="cow",
    description="Democracy state-years on the COW system: extended UDS (euds) and its adjusted form (aeuds, "
                "0 = average cut-point of dichotomous measures), Polity5 polity2 (-10..10) and V-Dem polyarchy (0..1).",
    reader=_read_democracy,
    schema=schemas.DEMOCRACY,
    key=("ccode", "year"),
    urls={},
))
