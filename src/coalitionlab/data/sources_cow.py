"""Sources coded in COW country codes: their definitions and readers.

Each ``register(Source(...))`` below adds one dataset to the registry; :func:`coalitionlab.data.load`
reads it through its reader, validates it against its schema in :mod:`coalitionlab.data.schemas`
and caches it. Every reader returns one tidy frame keyed to COW ``ccode`` (dyadic: ``ccode1``,
``ccode2``), years as ``int64`` ``year``, dates as ``datetime64[ns]`` ``*_date`` columns, and
documented missing-value codes (such as ``-9``) turned into NaN. Quirks of each file, and what the
reader does about them, are in ``docs/data/sources.md``.

Readers keep the file's row positions as the frame's index (``load`` resets it after validation),
so a schema failure reports the data row of the file, not a position in the sorted output.

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
from coalitionlab.data.countries import is_member, to_ccode
from coalitionlab.data.registry import Source, read_csv, register, to_date, to_integer
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


def _flags(raw: pd.DataFrame, columns: Iterable[str], *, path: Path,
           missing: Iterable[int] = ()) -> dict[str, pd.Series]:
    """0/1 indicator columns as nullable ``Int64``; documented missing codes become NA."""
    return {c: v.astype("Int64") for c, v in _integers(raw, columns, path=path, nullable=True,
                                                         missing=missing).items()}


def _floats(raw: pd.DataFrame, columns: Iterable[str], *, path: Path,
            missing: Iterable[float] = ()) -> dict[str, pd.Series]:
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
        # a year outside the nanosecond range (e.g. a stray 0) is an impossible date, not an overflow
        dates = pd.to_datetime(good.where(good["year"].between(1678, 2261)), errors="coerce")
        if dates.isna().any():
            pos = int(np.flatnonzero(ok.to_numpy())[int(np.flatnonzero(dates.isna().to_numpy())[0])])
            raise DataFileError(f"impossible date {tuple(parts.iloc[pos])}", path=path, column=column, row=pos + 2)
        out[ok] = dates.astype("datetime64[ns]")
    return out


def _drop_exact_duplicates(df: pd.DataFrame) -> pd.DataFrame:
    """Drop rows that repeat another row in every column (documented per source)."""
    return df.drop_duplicates()


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
    return out.sort_values(["ccode", "start_date"], kind="stable")


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
    return out.sort_values(["ccode", "year", "ioname"], kind="stable")


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
    return out.sort_values("ioname", kind="stable")


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
    return out.sort_values(["atopid", "ccode", "phase", "start_date"], kind="stable")


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
    return out.sort_values("atopid", kind="stable")


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
    return out.sort_values(["ccode1", "ccode2", "year"], kind="stable")


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
    return out.sort_values(["ccode", "year"], kind="stable")


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
        "start_date": to_date(raw, "stdate", path=path),
        "end_date": to_date(raw, "enddate", path=path),
    })
    backwards = out["end_date"] < out["start_date"]
    if backwards.any():
        pos = int(np.flatnonzero(backwards.to_numpy())[0])
        raise DataFileError("spell ends before it starts", path=path, column="enddate", row=pos + 2)
    return out.sort_values(["ccode1", "ccode2", "start_date"], kind="stable")


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
        "start_date": to_date(raw, "stdate", path=path),
        "end_date": to_date(raw, "enddate", path=path),
        **_floats(raw, ["lat", "lng"], path=path),
    })
    return out.sort_values(["ccode", "start_date"], kind="stable")


register(Source(
    name="capitals",
    folder="peacesciencer",
    files=("cow_capitals.csv",),
    version="2020",
    publisher="Steven V. Miller (peacesciencer)",
    citation="Miller, Steven V. 2022. \"peacesciencer: An R Package for Quantitative Peace Science Research.\" "
             "International Interactions 48(1): 142-157 (cow_capitals data).",
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
    return out.sort_values(["ccode1", "ccode2", "year"], kind="stable")


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
    return out.sort_values(["ccode", "year"], kind="stable")


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


def _read_gdp_population(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["cw_gdppop.csv.gz"]
    measures = ["mrgdppc", "sd_mrgdppc", "pwtrgdp", "sd_pwtrgdp", "pwtpop", "sd_pwtpop"]
    raw = read_csv(path, required=["ccode", "year", *measures])
    out = pd.DataFrame({**_integers(raw, ["ccode", "year"], path=path), **_floats(raw, measures, path=path)})
    return out.sort_values(["ccode", "year"], kind="stable")


register(Source(
    name="gdp_population",
    folder="isard",
    files=("cw_gdppop.csv.gz",),
    version="isard 0.2.0 (Fariss et al. 2022)",
    publisher="Steven V. Miller (isard), from Fariss, Anders, Markowitz and Barnum",
    citation="Fariss, Christopher J., Therese Anders, Jonathan N. Markowitz, and Miriam Barnum. 2022. \"New "
             "Estimates of Over 500 Years of Historic GDP and Population Data.\" Journal of Conflict Resolution "
             "66(3): 553-591." + ISARD_NOTE,
    terms="GPL-2 (isard package data); cite Fariss et al. 2022.",
    first_year=1816,
    last_year=2019,
    code_scheme="cow",
    description="Latent GDP and population state-years on the COW system: GDP per capita (2011 int'l $ PPP, "
                "Maddison-anchored), real GDP (millions of 2017 int'l $ PPP, PWT-anchored), population "
                "(millions), each with its standard deviation (sd_*).",
    reader=_read_gdp_population,
    schema=schemas.GDP_POPULATION,
    key=("ccode", "year"),
    urls={},
))


def _read_gw_cow_panel(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["cw_gw_panel.csv.gz"]
    raw = read_csv(path, required=["stateabb", "year", "gwcode", "ccode", "gw_name", "cw_name"])
    out = pd.DataFrame({
        "ccode": to_integer(raw, "ccode", path=path, nullable=True),
        "year": to_integer(raw, "year", path=path),
        "gwcode": to_integer(raw, "gwcode", path=path, nullable=True),
        **_texts(raw, ["stateabb"]),
        "cow_name": _texts(raw, ["cw_name"])["cw_name"],
        **_texts(raw, ["gw_name"]),
    })
    # 210 rows are Gleditsch-Ward state-years with no COW state (e.g. Canada 1867-1919): not COW-keyed, dropped
    out = out[out["ccode"].notna()].astype({"ccode": "int64"})
    return out.sort_values(["ccode", "year"], kind="stable")


register(Source(
    name="gw_cow_panel",
    folder="isard",
    files=("cw_gw_panel.csv.gz",),
    version="isard 0.2.0",
    publisher="Steven V. Miller (isard)",
    citation="Gleditsch, Kristian S., and Michael D. Ward. 1999. \"A Revised List of Independent States since the "
             "Congress of Vienna.\" International Interactions 25(4): 393-413; Correlates of War Project, State "
             "System Membership v2016." + ISARD_NOTE,
    terms="GPL-2 (isard package data); cite COW and Gleditsch-Ward.",
    first_year=1816,
    last_year=2025,
    code_scheme="cow",
    description="COW state-years (v2016 system, extended to 2025 assuming no new states) with the matching "
                "Gleditsch-Ward gwcode (NA where the state-year has no GW counterpart).",
    reader=_read_gw_cow_panel,
    schema=schemas.GW_COW_PANEL,
    key=("ccode", "year"),
    urls={},
))


# ---------------------------------------------------------------- UN General Assembly ideal points

_UN_QUANTILES = {"QO%All": "ideal_point_q00", "Q5%All": "ideal_point_q05", "Q10%All": "ideal_point_q10",
                 "Q50%All": "ideal_point_q50", "Q90%All": "ideal_point_q90", "Q95%All": "ideal_point_q95",
                 "Q100%All": "ideal_point_q100"}
_UN_AGREE = {"USAgree": "us_agree", "RUSSAgree": "russia_agree", "BrazilAgree": "brazil_agree",
             "ChinaAgree": "china_agree", "IndiaAgree": "india_agree", "IsraelAgree": "israel_agree"}


def _read_un_ideal_points(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["IdealpointestimatesAll_Jun2024.csv.gz"]
    raw = read_csv(path, required=["ccode", "session", "NVotesAll", "IdealPointAll", "iso3c", "Countryname",
                                   *_UN_QUANTILES, *_UN_AGREE])
    n = _integers(raw, ["ccode", "session", "NVotesAll"], path=path)
    quantiles = _floats(raw, list(_UN_QUANTILES), path=path)
    agree = _floats(raw, list(_UN_AGREE), path=path)
    out = pd.DataFrame({
        "ccode": n["ccode"],
        "year": n["session"] + 1945,  # session n opens in September of 1945 + n
        "session": n["session"],
        **_texts(raw, ["iso3c"]),
        "country_name": _texts(raw, ["Countryname"])["Countryname"],
        "n_votes": n["NVotesAll"],
        "ideal_point": _floats(raw, ["IdealPointAll"], path=path)["IdealPointAll"],
        **{_UN_QUANTILES[c]: v for c, v in quantiles.items()},
        **{_UN_AGREE[c]: v for c, v in agree.items()},
    })
    return out.sort_values(["ccode", "session"], kind="stable")


register(Source(
    name="un_ideal_points",
    folder="un_voting",
    files=("IdealpointestimatesAll_Jun2024.csv.gz",),
    version="June 2024",
    publisher="Erik Voeten, Anton Strezhnev and Michael Bailey (Harvard Dataverse)",
    citation="Bailey, Michael A., Anton Strezhnev, and Erik Voeten. 2017. \"Estimating Dynamic State "
             "Preferences from United Nations Voting Data.\" Journal of Conflict Resolution 61(2): 430-456; "
             "Voeten, Strezhnev and Bailey, \"United Nations General Assembly Voting Data\", Harvard Dataverse, "
             "hdl:1902.1/12379 (June 2024 release).",
    terms="CC0 (public domain); cite Bailey, Strezhnev and Voeten 2017.",
    first_year=1946,
    last_year=2023,
    code_scheme="cow",
    description="UNGA ideal points (all votes) by state-session 1-78 (year = 1945 + session), with the "
                "reported quantiles and the share of votes agreeing with the USA, Russia, Brazil, China, India "
                "and Israel.",
    reader=_read_un_ideal_points,
    schema=schemas.UN_IDEAL_POINTS,
    key=("ccode", "session"),
    urls={},
))


# ---------------------------------------------------------------- US military presence (troopdata)

TROOPDATA_CITATION = (
    "Allen, Michael A., Michael E. Flynn, and Carla Martinez Machain. 2022. \"Global U.S. Military Deployment "
    "Data: 1950-2020.\" Conflict Management and Peace Science 39(3): 351-370; Kane, Tim. 2006. \"Global U.S. "
    "Troop Deployment, 1950-2005.\" Heritage Foundation. Data from the R package troopdata (Michael E. Flynn)."
)
TROOPDATA_TERMS = "GPL (>= 3) for the troopdata package; cite the data articles."
# troopdata codes US territories and non-sovereign places outside the COW state list: Puerto Rico 6 and 1001+
TROOPDATA_TERRITORIES = (6,)
# troopdata uses the unified state's code before unification (1990): successor ccode -> COW predecessor
TROOPDATA_PREDECESSORS = {255: 260, 679: 678}


def _is_territory(codes: pd.Series) -> pd.Series:
    return codes.isin(TROOPDATA_TERRITORIES) | (codes > schemas.CCODE_MAX)


def _read_us_troops(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["troopdata_country_year.csv.gz"]
    counts = list(schemas.TROOP_COLUMNS)
    raw = read_csv(path, required=["countryname", "year", "ccode", "iso3c", "region", *counts])
    n = _integers(raw, ["ccode", "year"], path=path)
    values = pd.DataFrame(_integers(raw, counts, path=path, nullable=True))
    # six 1959 marine_corps_ad values are negative (-1 to -322) in the Heritage-based series: not counts
    values = values.mask(values < 0)
    out = pd.DataFrame({
        **n,
        "country_name": _texts(raw, ["countryname"])["countryname"],
        **_texts(raw, ["iso3c", "region"]),
        **values,
    })
    out = out[~_is_territory(out["ccode"])]
    # troopdata files West Germany 1950-1989 (40 rows) under unified Germany's 255 and the Yemen Arab
    # Republic in 1964, 1977 and 1978 under unified Yemen's 679; COW codes them 260 and 678 until 1990
    # (1990 itself stays 255/679: the state on 31 December, as in the crosswalk)
    before_1990 = out["year"] < 1990
    for successor, predecessor in TROOPDATA_PREDECESSORS.items():
        out.loc[before_1990 & out["ccode"].eq(successor), "ccode"] = predecessor
    # 29 ccode-years appear twice under two spellings of one name (e.g. "Czech Republic"/"Czechia"); one of
    # each pair is all zeros, so the counts are summed and the name of the row with more troops kept
    out = out.sort_values(["ccode", "year", "troops_ad"], ascending=[True, True, False], na_position="last")
    labels = out.groupby(["ccode", "year"], sort=False)[["country_name", "iso3c", "region"]].first()
    sums = out.groupby(["ccode", "year"], sort=False)[counts].sum(min_count=1)
    result = labels.join(sums).reset_index()
    # aggregated rows have no file line, so a fresh index is fine here
    return result.astype({c: "Int64" for c in counts}).sort_values(["ccode", "year"], ignore_index=True)


register(Source(
    name="us_troops",
    folder="us_military_presence",
    files=("troopdata_country_year.csv.gz",),
    version="troopdata 1.0.4.9000",
    publisher="Michael E. Flynn, Michael A. Allen and Carla Martinez Machain (troopdata)",
    citation=TROOPDATA_CITATION,
    terms=TROOPDATA_TERMS,
    first_year=1950,
    last_year=2024,
    code_scheme="cow",
    description="US military personnel stationed in each host state-year (active duty total troops_ad and by "
                "branch, guard/reserve, DoD civilians). Only state-years listed in the source are present; an "
                "absent host-year is not filled with 0 by the loader. US territories are dropped.",
    reader=_read_us_troops,
    schema=schemas.US_TROOPS,
    key=("ccode", "year"),
    urls={},
))


def _read_us_bases(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["basedata_vine.csv"]
    raw = read_csv(path, required=["countryname", "ccode", "iso3c", "basename", "lat", "lon", "base", "lilypad",
                                   "fundedsite"])
    flags = _integers(raw, ["base", "lilypad", "fundedsite"], path=path)
    out = pd.DataFrame({
        **_integers(raw, ["ccode"], path=path),
        "country_name": _texts(raw, ["countryname"])["countryname"],
        **_texts(raw, ["iso3c", "basename"]),
        **_floats(raw, ["lat", "lon"], path=path),
        "is_major_base": flags["base"].eq(1),
        "is_lilypad": flags["lilypad"].eq(1),
        "is_funded_site": flags["fundedsite"].eq(1),
    })
    # Naval Support Activity Naples is listed twice, identically
    out = _drop_exact_duplicates(out)
    return out.sort_values(["ccode", "basename"], kind="stable")


register(Source(
    name="us_bases",
    folder="us_military_presence",
    files=("basedata_vine.csv",),
    version="troopdata 1.0.4.9000 (Vine 2015, updated)",
    publisher="David Vine; Michael E. Flynn et al. (troopdata)",
    citation="Vine, David. 2015. Base Nation: How U.S. Military Bases Abroad Harm America and the World. "
             "Metropolitan Books; updated in the R package troopdata (Michael E. Flynn).",
    terms=TROOPDATA_TERMS,
    first_year=2018,
    last_year=2018,
    code_scheme="cow",
    description="US overseas base sites (cross-section, through 2018): host ccode, name, location and type "
                "(major base, lily pad, funded site).",
    reader=_read_us_bases,
    schema=schemas.US_BASES,
    key=("ccode", "basename"),
    urls={},
))


def _read_us_construction(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["builddata_milcon.csv.gz"]
    raw = read_csv(path, required=["countryname", "ccode", "year", "location", "spend_construction"])
    out = pd.DataFrame({
        "ccode": to_integer(raw, "ccode", path=path, nullable=True),
        **_integers(raw, ["year"], path=path),
        **_floats(raw, ["spend_construction"], path=path),
    })
    # rows are projects without an id; rows with no ccode (2,168: US territories, "Worldwide Unspecified",
    # classified locations) cannot be keyed to a state and are dropped; the rest are summed per host-year
    out = out[out["ccode"].notna()].astype({"ccode": "int64"})
    grouped = out.groupby(["ccode", "year"])["spend_construction"]
    result = pd.DataFrame({"spend_construction": grouped.sum(), "n_projects": grouped.size()}).reset_index()
    return result.astype({"n_projects": "int64"})


register(Source(
    name="us_construction",
    folder="us_military_presence",
    files=("builddata_milcon.csv.gz",),
    version="troopdata 1.0.4.9000",
    publisher="Michael A. Allen, Michael E. Flynn and Carla Martinez Machain (troopdata)",
    citation="Allen, Michael A., Michael E. Flynn, and Carla Martinez Machain. 2020. \"Outside the Wire: U.S. "
             "Military Deployments and Public Opinion in Host States.\" American Political Science Review "
             "114(2): 326-341 (construction data, R package troopdata).",
    terms=TROOPDATA_TERMS,
    first_year=2008,
    last_year=2019,
    code_scheme="cow",
    description="US military construction and housing spending (thousands of current USD) summed by host "
                "state-year from project rows, with the number of project rows; negative project rows "
                "(rescissions) are included in the sum.",
    reader=_read_us_construction,
    schema=schemas.US_CONSTRUCTION,
    key=("ccode", "year"),
    urls={},
))


# ---------------------------------------------------------------- COW inter-state wars (peacesciencer)

def _read_cow_war_inter(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["cow_war_inter.csv"]
    cols = ["warnum", "ccode1", "ccode2", "year", "cowinteronset", "resume", "sidea1", "sidea2", "initiator1",
            "initiator2"]
    raw = read_csv(path, required=[*cols, "outcome1", "outcome2", "batdeath1", "batdeath2"])
    n = _integers(raw, cols, path=path)
    deaths = _integers(raw, ["batdeath1", "batdeath2"], path=path, missing=[-9, -8])
    outcomes = _integers(raw, ["outcome1", "outcome2"], path=path, nullable=True)
    out = pd.DataFrame({
        "warnum": n["warnum"], "ccode1": n["ccode1"], "ccode2": n["ccode2"], "year": n["year"],
        "is_onset": n["cowinteronset"].eq(1), "is_resumed": n["resume"].eq(1),
        "side1": n["sidea1"], "side2": n["sidea2"],
        "is_initiator1": n["initiator1"].eq(1), "is_initiator2": n["initiator2"].eq(1),
        **outcomes, **deaths,
    })
    return out.sort_values(["warnum", "ccode1", "ccode2", "year", "is_resumed"], kind="stable")


register(Source(
    name="cow_war_inter",
    folder="peacesciencer",
    files=("cow_war_inter.csv",),
    version="4.0",
    publisher="Correlates of War Project, via peacesciencer",
    citation="Sarkees, Meredith Reid, and Frank Wayman. 2010. Resort to War: 1816-2007. CQ Press (COW "
             "Inter-State War Data v4.0)." + PEACESCIENCER_NOTE,
    terms=COW_TERMS,
    first_year=1816,
    last_year=2007,
    code_scheme="cow",
    description="COW inter-state wars as directed dyad-years of opposing participants: war number, sides "
                "(1 = side A, 2 = side B), initiators, outcomes (1 win, 2 loss, 3 compromise, 4 transformed, "
                "6 stalemate, 8 changed sides) and battle deaths of each participant. No dates: peacesciencer "
                "keeps years only.",
    reader=_read_cow_war_inter,
    schema=schemas.COW_WAR_INTER,
    key=("warnum", "ccode1", "ccode2", "year", "is_resumed"),
    urls={},
))


# ---------------------------------------------------------------- peace operations

_FATALITIES = {"Illness": "fatalities_illness", "Accident": "fatalities_accident",
               "Malicious": "fatalities_malicious", "Other": "fatalities_other", "Total": "fatalities_total",
               "Mil": "fatalities_military", "Obs": "fatalities_observers", "Police": "fatalities_police",
               "Local": "fatalities_local_staff", "International": "fatalities_international_staff",
               "Otherstaff": "fatalities_other_staff"}


def _read_pko_contingent_fatalities(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["contingent_mission_month_fatalities.csv"]
    raw = read_csv(path, required=["Year", "Month", "Nationality", "Mission", "Cowcontr", *_FATALITIES])
    n = _integers(raw, ["Year", "Month"], path=path)
    counts = _integers(raw, list(_FATALITIES), path=path)
    out = pd.DataFrame({
        "ccode": to_integer(raw, "Cowcontr", path=path, nullable=True),
        "contributor_name": _texts(raw, ["Nationality"])["Nationality"],
        "mission": _texts(raw, ["Mission"])["Mission"],
        "year": n["Year"],
        "month": n["Month"],
        "month_date": _date(n["Year"], n["Month"], pd.Series(1, index=raw.index), path=path, column="Month"),
        **{_FATALITIES[c]: v.astype("Int64") for c, v in counts.items()},
    })
    # 13 rows of undetermined nationality (no code) and 2 of the Occupied Palestinian Territory (code 1020,
    # not a COW state) cannot be keyed to a COW contributor and are dropped
    out = out[out["ccode"].notna() & out["ccode"].le(schemas.CCODE_MAX)].astype({"ccode": "int64"})
    # Cowcontr keeps a predecessor's code for its successor (260 for Germany 1993-2013, 315 for the Czech
    # Republic 1994-1995): where the code is not a system member that month, the contributor's name on
    # that month decides (a name that cannot be mapped keeps the file's code)
    stale = ~is_member(out["ccode"].to_numpy(), out["month_date"])
    if stale.any():
        by_name = to_ccode(out.loc[stale, "contributor_name"].to_numpy(), scheme="name",
                           date=out.loc[stale, "month_date"], errors="coerce")
        out.loc[stale, "ccode"] = np.where(np.isnan(by_name), out.loc[stale, "ccode"], by_name).astype("int64")
    return out.sort_values(["ccode", "mission", "month_date"], kind="stable")


register(Source(
    name="pko_contingent_fatalities",
    folder="pko_contingent_fatalities",
    files=("contingent_mission_month_fatalities.csv",),
    version="2015 (compiled for Wood, 'UN-Interested Suppliers')",
    publisher="UN DPKO fatality statistics, compiled in treywood10/Mandate_Contribute",
    citation="United Nations Department of Peacekeeping Operations, peacekeeper fatality statistics "
             "(contributor-mission-month compilation used by Trey Wood, \"UN-Interested Suppliers: Effects of "
             "Peacekeeping Mandates on Contributions\"); compiling author undocumented, verify before citing.",
    terms="UN statistics, public; provenance of the compilation undocumented.",
    first_year=1948,
    last_year=2015,
    code_scheme="cow",
    description="UN peacekeeper fatalities by contributing state, mission and month, by cause and personnel "
                "type; only months with at least one fatality appear (indirect evidence of contribution).",
    reader=_read_pko_contingent_fatalities,
    schema=schemas.PKO_CONTINGENT_FATALITIES,
    key=("ccode", "mission", "month_date"),
    urls={},
))


def _read_pko_un_nonun(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["un_nonun_peacekeeping_v2_2019.csv.gz"]
    personnel = {"troops_iepo": "troops", "police_iepo": "police", "observers_iepo": "observers",
                 "totals_iepo": "personnel"}
    raw_counts = {f"SIPRI_{c}": f"sipri_{c}" for c in ("troops", "police", "observers", "totals")}
    raw_counts |= {f"IPI_{c}": f"ipi_{c}" for c in ("troops", "police", "observers", "totals")}
    ints = ["ccode", "conflictid", "episodenum", "activity", "incomp", "year", "missionid", "org", "onlypolice"]
    raw = read_csv(path, required=[*ints, "location", "date", "mission", *personnel, *raw_counts])
    n = _integers(raw, ints, path=path)
    month = to_date(raw, "date", path=path)
    wrong_year = month.dt.year != n["year"]
    if wrong_year.any():
        pos = int(np.flatnonzero(wrong_year.to_numpy())[0])
        raise DataFileError("date and year disagree", path=path, column="year", row=pos + 2)
    out = pd.DataFrame({
        "ccode": n["ccode"],
        "host_name": _texts(raw, ["location"])["location"],
        "conflict_id": n["conflictid"],
        "episode_id": n["episodenum"],
        "is_active_conflict": n["activity"].eq(1),
        "incompatibility": n["incomp"],
        "month_date": month,
        "year": n["year"],
        "mission_id": n["missionid"],
        "mission": _texts(raw, ["mission"])["mission"],
        "org": n["org"],
        "is_police_only": n["onlypolice"].eq(1),
        **{personnel[c]: v for c, v in _floats(raw, list(personnel), path=path).items()},
        **{raw_counts[c]: v for c, v in _floats(raw, list(raw_counts), path=path).items()},
    })
    return out.sort_values(["mission_id", "conflict_id", "month_date"], kind="stable")


register(Source(
    name="pko_un_nonun",
    folder="pko_un_nonun",
    files=("un_nonun_peacekeeping_v2_2019.csv.gz",),
    version="2-2019",
    publisher="Corinne Bara and Lisa Hultman, from the SIPRI Multilateral Peace Operations Database",
    citation="Bara, Corinne, and Lisa Hultman. 2020. \"Just Different Hats? Comparing UN and Non-UN "
             "Peacekeeping.\" International Peacekeeping 27(3): 341-368; SIPRI. 2017. Multilateral Peace "
             "Operations Database.",
    terms="Free for research use; the codebook requires citing Bara & Hultman 2020 and SIPRI.",
    first_year=1993,
    last_year=2016,
    code_scheme="cow",
    description="Personnel of UN (org 1), regional (2) and international (3) peace operations in civil-conflict "
                "host states, by mission-conflict-month: troops, police, observers and total personnel "
                "(interpolated and extrapolated monthly, the dataset's main series), plus raw SIPRI and IPI counts.",
    reader=_read_pko_un_nonun,
    schema=schemas.PKO_UN_NONUN,
    key=("mission_id", "conflict_id", "month_date"),
    urls={},
))


# ---------------------------------------------------------------- Tago (2005): US uses of force

_TAGO_FLAGS = ["use_of_force", "coalitional_use_of_force", "igo_authorized_use_of_force", "recession_year",
               "senate_divided", "house_divided", "ground_forces", "non_neo", "latin_america", "europe",
               "middle_east", "sub_saharan_africa", "asia_pacific", "post_cold_war", "post_vietnam_war"]


def _read_tago_us_force(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["multilat_force_tago2005.csv"]
    raw = read_csv(path, required=["start_year", "conflict", "operation", "budget_constraints", "election_cycle",
                                   "severity", *_TAGO_FLAGS])
    n = _integers(raw, ["start_year", "election_cycle", "severity"], path=path)
    out = pd.DataFrame({
        # events have no id and 8 (year, conflict, operation) triples repeat; the id is the row in the file
        "event_id": np.arange(1, len(raw) + 1, dtype="int64"),
        "start_year": n["start_year"],
        **_texts(raw, ["conflict", "operation"]),
        **_flags(raw, _TAGO_FLAGS, path=path),
        **_floats(raw, ["budget_constraints"], path=path),
        "election_cycle": n["election_cycle"],
        "severity": n["severity"],
    })
    return out


register(Source(
    name="tago_us_force",
    folder="tago_us_multilateral_force",
    files=("multilat_force_tago2005.csv",),
    version="2005 (JPR replication, via polisciols)",
    publisher="Atsushi Tago (JPR replication archive, PRIO)",
    citation="Tago, Atsushi. 2005. \"Determinants of Multilateralism in US Use of Force: State of Economy, "
             "Election Cycle, and Divided Government.\" Journal of Peace Research 42(5): 585-604.",
    terms="JPR replication data, free for research use; cite Tago 2005.",
    first_year=1948,
    last_year=1998,
    code_scheme="none",
    description="288 US uses of force 1948-1998 (events, no country codes): whether coalitional (under unified "
                "command with other states) or IGO-authorised, with the author's domestic-politics covariates.",
    reader=_read_tago_us_force,
    schema=schemas.TAGO_US_FORCE,
    key=("event_id",),
    urls={},
))


# ---------------------------------------------------------------- COW IGO reference counts (peacesciencer)

def _read_cow_igo_ndy(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["cow_igo_ndy.csv.gz"]
    raw = read_csv(path, required=["ccode1", "ccode2", "year", "dyadigos"])
    out = pd.DataFrame(_integers(raw, ["ccode1", "ccode2", "year", "dyadigos"], path=path))
    unordered = out["ccode1"] >= out["ccode2"]
    if unordered.any():
        pos = int(np.flatnonzero(unordered.to_numpy())[0])
        raise DataFileError("non-directed file needs ccode1 < ccode2", path=path, column="ccode1", row=pos + 2)
    return out.sort_values(["ccode1", "ccode2", "year"], kind="stable")


register(Source(
    name="cow_igo_ndy",
    folder="peacesciencer",
    files=("cow_igo_ndy.csv.gz",),
    version="3.0",
    publisher="Correlates of War Project, via peacesciencer",
    citation=IGO_CITATION + PEACESCIENCER_NOTE,
    terms=COW_TERMS,
    first_year=1816,
    last_year=2014,
    code_scheme="cow",
    description="Reference joint IGO counts, non-directed dyad-years (ccode1 < ccode2): dyadigos = number of "
                "IGOs in which both states are full or associate members (COW dyadic_formatv3).",
    reader=_read_cow_igo_ndy,
    schema=schemas.COW_IGO_NDY,
    key=("ccode1", "ccode2", "year"),
    urls={},
))


def _read_cow_igo_states_year(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["cow_igo_sy.csv"]
    counts = {"sum_igo_full": "igo_full", "sum_igo_associate": "igo_associate", "sum_igo_observer": "igo_observer",
              "sum_igo_anytype": "igo_any"}
    raw = read_csv(path, required=["ccode", "year", *counts])
    n = _integers(raw, ["ccode", "year", *counts], path=path)
    out = pd.DataFrame({"ccode": n["ccode"], "year": n["year"], **{counts[c]: n[c] for c in counts}})
    return out.sort_values(["ccode", "year"], kind="stable")


register(Source(
    name="cow_igo_states_year",
    folder="peacesciencer",
    files=("cow_igo_sy.csv",),
    version="3.0",
    publisher="Correlates of War Project, via peacesciencer",
    citation=IGO_CITATION + PEACESCIENCER_NOTE,
    terms=COW_TERMS,
    first_year=1816,
    last_year=2014,
    code_scheme="cow",
    description="State-year counts of IGO memberships by type (full, associate, observer, any) from COW IGO v3.",
    reader=_read_cow_igo_states_year,
    schema=schemas.COW_IGO_STATES_YEAR,
    key=("ccode", "year"),
    urls={},
))
