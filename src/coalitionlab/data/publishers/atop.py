"""Alliance Treaty Obligations and Provisions (ATOP): v4.01 member and alliance level, and the 5.1
dyad-years converted by peacesciencer. Quirks: ``docs/data/sources.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from coalitionlab.data import schemas
from coalitionlab.data.publishers._readers import PEACESCIENCER_NOTE, date_from_parts, flags, integers, read_csv
from coalitionlab.data.registry import Source, register
from coalitionlab.errors import DataFileError

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
    exact = date_from_parts(year.mask(open_ended), month.mask(open_ended), day.mask(unknown_day | open_ended),
                  path=path, column=column)
    month_start = date_from_parts(year.mask(~unknown_day), month.mask(~unknown_day), first.mask(~unknown_day),
                        path=path, column=column)
    if end:
        month_start = month_start + pd.offsets.MonthEnd(0)
    out = exact.where(~unknown_day, month_start)
    return out.astype("datetime64[ns]"), unknown_day.astype(bool)


def _atop_provisions(raw: pd.DataFrame, *, path: Path) -> dict[str, pd.Series]:
    values = flags(raw, list(_ATOP_PROVISIONS), path=path)
    return {_ATOP_PROVISIONS[c]: v for c, v in values.items()}


def _read_atop_members(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["atop4_01_member_level.csv.gz"]
    dates = ["yrent", "moent", "dayent", "yrexit", "moexit", "dayexit"]
    raw = read_csv(path, required=["atopid", "member", "phase", "maxphase", "cowsys", "ineffect", "cowwar",
                                   *dates, *_ATOP_PROVISIONS])
    n = integers(raw, ["atopid", "member", "phase", "maxphase", "cowsys", "ineffect", "cowwar"], path=path)
    d = integers(raw, dates, path=path, nullable=True)
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
    n = integers(raw, ["atopid", "ineffect", "maxphase"], path=path)
    d = integers(raw, dates, path=path, nullable=True)
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
        **flags(raw, ["milinst", "formal"], path=path),
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
    n = integers(raw, ["ccode1", "ccode2", "year"], path=path)
    out = pd.DataFrame({**n, **flags(raw, ATOP_DYAD_COLUMNS, path=path)})
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
