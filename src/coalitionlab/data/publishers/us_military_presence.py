"""US military presence abroad, from the R package troopdata: troops by host state-year, base
sites, construction spending (COW-coded) and visits of senior defence officials (ISO3, mapped
through the crosswalk). Quirks: ``docs/data/sources.md`` and ``docs/data/sources_named.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from coalitionlab.data import schemas, schemas_named
from coalitionlab.data.countries import to_ccode
from coalitionlab.data.publishers._readers import (
    check_codes,
    drop_exact_duplicates,
    floats,
    int_column,
    integers,
    read_csv,
    text_column,
    texts,
)
from coalitionlab.data.registry import Source, register, to_integer
from coalitionlab.errors import DataFileError

# ---------------------------------------------------------------- US military presence (troopdata)

TROOPDATA_CITATION = (
    "Allen, Michael A., Michael E. Flynn, and Carla Martinez Machain. 2022. \"Global U.S. Military Deployment "
    "Data: 1950-2020.\" Conflict Management and Peace Science 39(3): 351-370; Kane, Tim. 2006. \"Global U.S. "
    "Troop Deployment, 1950-2005.\" Heritage Foundation. Data from the R package troopdata (Michael E. Flynn)."
)
TROOPDATA_TERMS = "GPL (>= 3) for the troopdata package; cite the data articles."
# troopdata codes US territories and non-sovereign places outside the COW state list: Puerto Rico 6 and 1001+
TROOPDATA_TERRITORIES = (6,)
# troopdata uses the unified state's code before unification: successor ccode -> (the COW code of the
# state the troops were in before, the first year the successor's code is right by the 31 December rule).
# Germany and Yemen unified in 1990; "Vietnam" (816) before 1975 is South Vietnam (COW 817, 1954 to
# 30 April 1975), where the US deployed, not North Vietnam, which COW codes 816.
TROOPDATA_PREDECESSORS = {255: (260, 1990), 679: (678, 1990), 816: (817, 1975)}


def _is_territory(codes: pd.Series) -> pd.Series:
    return codes.isin(TROOPDATA_TERRITORIES) | (codes > schemas.CCODE_MAX)


def _read_us_troops(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["troopdata_country_year.csv.gz"]
    counts = list(schemas.TROOP_COLUMNS)
    raw = read_csv(path, required=["countryname", "year", "ccode", "iso3c", "region", *counts])
    n = integers(raw, ["ccode", "year"], path=path)
    values = pd.DataFrame(integers(raw, counts, path=path, nullable=True))
    # six 1959 marine_corps_ad values are negative (-1 to -322) in the Heritage-based series: not counts
    values = values.mask(values < 0)
    out = pd.DataFrame({
        **n,
        "country_name": texts(raw, ["countryname"])["countryname"],
        **texts(raw, ["iso3c", "region"]),
        **values,
    })
    out = out[~_is_territory(out["ccode"])]
    # troopdata files West Germany 1950-1989 (40 rows) under unified Germany's 255, the Yemen Arab
    # Republic in 1964, 1977 and 1978 under unified Yemen's 679, and South Vietnam 1951-1974 under
    # Vietnam's 816; COW codes them 260 and 678 until 1990 and 817 until 1975 (the unification year itself
    # keeps the unified code: the state on 31 December, as in the crosswalk)
    for successor, (predecessor, since) in TROOPDATA_PREDECESSORS.items():
        out.loc[out["year"].lt(since) & out["ccode"].eq(successor), "ccode"] = predecessor
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
    flags = integers(raw, ["base", "lilypad", "fundedsite"], path=path)
    out = pd.DataFrame({
        **integers(raw, ["ccode"], path=path),
        "country_name": texts(raw, ["countryname"])["countryname"],
        **texts(raw, ["iso3c", "basename"]),
        **floats(raw, ["lat", "lon"], path=path),
        "is_major_base": flags["base"].eq(1),
        "is_lilypad": flags["lilypad"].eq(1),
        "is_funded_site": flags["fundedsite"].eq(1),
    })
    # Naval Support Activity Naples is listed twice, identically
    out = drop_exact_duplicates(out)
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
        **integers(raw, ["year"], path=path),
        **floats(raw, ["spend_construction"], path=path),
    })
    # rows are projects without an id; rows with no ccode (2,168: US territories, "Worldwide Unspecified",
    # classified locations) cannot be keyed to a state and are dropped; the rest are summed per host-year
    out = check_codes(out[out["ccode"].notna()].astype({"ccode": "int64"}), schemas.US_CONSTRUCTION, path=path)
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


# ---------------------------------------------------------------- visits of US defence officials

DOD_VISITS_CITATION = ("Allen, Michael A., Michael E. Flynn, and Carla Martinez Machain. 2022. \"Global U.S. Military "
                      "Deployment Data: 1950-2020.\" Conflict Management and Peace Science 39(3): 351-370. Data "
                      "from the R package troopdata (Flynn), file data-raw/visits_dod_officials.csv.")

#: Visited places in the visits file that are not COW states: US territories (domestic travel),
#: other dependencies, and Antarctica. "GNL" is the file's code for Greenland (Narsarsuaq).
DOD_NON_STATES: frozenset[str] = frozenset({
    "GUM", "VIR", "Saint Thomas", "Wake Island", "GUF", "HKG", "GNL", "Antarctica",
})
#: Visited places the file names by city: Nassau is the capital of the Bahamas.
DOD_PLACES = {"Nassau": 31}


def _read_dod_visits(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["visits_dod_officials.csv"]
    cols = ["Title", "Name", "Start Day", "Start Month", "Start Year", "City Visited", "State Visit", "End Day",
            "End Month", "End Year"]
    raw = read_csv(path, required=cols)
    n = {c: int_column(raw, c, path=path) for c in cols if c.startswith(("Start ", "End "))}
    start = pd.to_datetime(pd.DataFrame({"year": n["Start Year"], "month": n["Start Month"], "day": n["Start Day"]}),
                           errors="coerce")
    if start.isna().any():
        pos = int(np.flatnonzero(start.isna().to_numpy())[0])
        raise DataFileError("impossible start day", path=path, column="Start Day", row=pos + 2)
    end = pd.to_datetime(pd.DataFrame({"year": n["End Year"], "month": n["End Month"], "day": n["End Day"]}),
                         errors="coerce")
    # one trip (Nassau, 1994) ends before it starts: its end day is unknown, not negative
    end = end.mask(end < start)
    place = text_column(raw, "State Visit")
    keep = ~place.isin(DOD_NON_STATES).to_numpy()
    out = pd.DataFrame({
        "visit_id": np.arange(1, len(raw) + 1),  # the data row of the file
        "start_date": start.astype("datetime64[ns]"),
        "end_date": end.astype("datetime64[ns]"),
        "city": text_column(raw, "City Visited"),
        "title": text_column(raw, "Title"),
        "name": text_column(raw, "Name"),
    })[keep].reset_index(drop=True)
    # hosts are ISO3 codes, except a few written as names (Kosovo) - hence scheme "auto"
    out.insert(1, "ccode", to_ccode(place[keep].to_numpy(), scheme="auto", date=out["start_date"],
                                    where=f"dod_visits, file {path.name}", extra=DOD_PLACES,
                                    rows=np.flatnonzero(keep) + 2))
    return out


DOD_VISITS = register(Source(
    name="dod_visits", folder="us_military_presence", files=("visits_dod_officials.csv",), version="troopdata 1.0.4.9000",
    publisher="troopdata (Flynn)", citation=DOD_VISITS_CITATION,
    terms="troopdata package GPL (>= 3); provenance of this file inside the package is undocumented (exploratory).",
    first_year=1992, last_year=2012, code_scheme="iso3",
    description="Foreign trips of senior US defence officials (service secretaries, Marine Corps commandant, "
                "PACOM/STRATCOM commanders), one row per official x visited state: COW ccode of the host, "
                "start and end dates, city, title and name.",
    reader=_read_dod_visits, schema=schemas_named.DOD_VISITS, key=("visit_id",), urls={},
))
