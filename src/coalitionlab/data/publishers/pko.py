"""Peace operations: UN peacekeeper fatalities by contributor-mission-month and the UN / non-UN
peace operations of Bara & Hultman. Quirks: ``docs/data/sources.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from coalitionlab.data import schemas
from coalitionlab.data.countries import is_member, to_ccode
from coalitionlab.data.publishers._readers import check_codes, date_from_parts, floats, integers, read_csv, texts
from coalitionlab.data.registry import Source, register, to_date, to_integer
from coalitionlab.errors import DataFileError

# ---------------------------------------------------------------- peace operations

_FATALITIES = {"Illness": "fatalities_illness", "Accident": "fatalities_accident",
               "Malicious": "fatalities_malicious", "Other": "fatalities_other", "Total": "fatalities_total",
               "Mil": "fatalities_military", "Obs": "fatalities_observers", "Police": "fatalities_police",
               "Local": "fatalities_local_staff", "International": "fatalities_international_staff",
               "Otherstaff": "fatalities_other_staff"}


def _read_pko_contingent_fatalities(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["contingent_mission_month_fatalities.csv"]
    raw = read_csv(path, required=["Year", "Month", "Nationality", "Mission", "Cowcontr", *_FATALITIES])
    n = integers(raw, ["Year", "Month"], path=path)
    counts = integers(raw, list(_FATALITIES), path=path)
    out = pd.DataFrame({
        "ccode": to_integer(raw, "Cowcontr", path=path, nullable=True),
        "contributor_name": texts(raw, ["Nationality"])["Nationality"],
        "mission": texts(raw, ["Mission"])["Mission"],
        "year": n["Year"],
        "month": n["Month"],
        "month_date": date_from_parts(n["Year"], n["Month"], pd.Series(1, index=raw.index), path=path, column="Month"),
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
    n = integers(raw, ints, path=path)
    month = to_date(raw, "date", path=path)
    wrong_year = month.dt.year != n["year"]
    if wrong_year.any():
        pos = int(np.flatnonzero(wrong_year.to_numpy())[0])
        raise DataFileError("date and year disagree", path=path, column="year", row=pos + 2)
    out = pd.DataFrame({
        "ccode": n["ccode"],
        "host_name": texts(raw, ["location"])["location"],
        "conflict_id": n["conflictid"],
        "episode_id": n["episodenum"],
        "is_active_conflict": n["activity"].eq(1),
        "incompatibility": n["incomp"],
        "month_date": month,
        "year": n["year"],
        "mission_id": n["missionid"],
        "mission": texts(raw, ["mission"])["mission"],
        "org": n["org"],
        "is_police_only": n["onlypolice"].eq(1),
        **{personnel[c]: v for c, v in floats(raw, list(personnel), path=path).items()},
        **{raw_counts[c]: v for c, v in floats(raw, list(raw_counts), path=path).items()},
    })
    return check_codes(out, schemas.PKO_UN_NONUN, path=path).sort_values(["mission_id", "conflict_id", "month_date"],
                                                                         kind="stable")


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
