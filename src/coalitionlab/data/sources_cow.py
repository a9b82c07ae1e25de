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
