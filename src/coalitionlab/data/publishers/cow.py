"""Correlates of War Project sources: the state system, IGO v3.0 (and its peacesciencer reference counts),
National Material Capabilities, direct contiguity and inter-state wars.

COW-coded readers keep the file's row positions as the frame's index (``load`` resets it after
validation), so a schema failure reports the data row of the file. Quirks of each file and what
the reader does about them: ``docs/data/sources.md``.

Examples
--------
>>> from coalitionlab.data import get_source
>>> get_source("cow_igo").code_scheme
'cow'
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from coalitionlab.data import schemas
from coalitionlab.data.publishers._readers import (
    PEACESCIENCER_NOTE,
    check_codes,
    date_from_parts,
    flags,
    floats,
    integers,
    read_csv,
    texts,
)
from coalitionlab.data.registry import Source, register, to_date
from coalitionlab.errors import DataFileError

COW_TERMS = "Free for research use; cite the dataset and its version (Correlates of War Project terms)."


# ---------------------------------------------------------------- COW state system


def _read_cow_states(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["statelist2024.csv"]
    cols = ["stateabb", "ccode", "statenme", "styear", "stmonth", "stday", "endyear", "endmonth", "endday", "version"]
    raw = read_csv(path, required=cols)
    n = integers(raw, cols[1:2] + cols[3:], path=path)
    out = pd.DataFrame({
        "ccode": n["ccode"],
        **texts(raw, ["stateabb", "statenme"]),
        "start_date": date_from_parts(n["styear"], n["stmonth"], n["stday"], path=path, column="styear"),
        "end_date": date_from_parts(n["endyear"], n["endmonth"], n["endday"], path=path, column="endyear"),
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
    n = integers(raw, ["ccode", "year", "status"], path=path)
    out = pd.DataFrame({"ccode": n["ccode"], "year": n["year"], **texts(raw, ["ioname"]), "status": n["status"]})
    return check_codes(out, schemas.COW_IGO, path=path).sort_values(["ccode", "year", "ioname"], kind="stable")


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
    n = integers(raw, ["ionum", "sdate"], path=path)
    m = integers(raw, ["igocode", "deaddate"], path=path, nullable=True)
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
        **texts(raw, ["ioname"]),
        "ionum": n["ionum"],
        "igocode": m["igocode"],
        **texts(raw, ["orgname", "longorgname"]),
        "start_year": n["sdate"],
        "end_year": m["deaddate"],
        "is_dead": ends["dead"].eq(1) | m["deaddate"].notna().to_numpy(),
        "is_integrated": ends["integrated"].eq(1),
        "is_replaced": ends["replaced"].eq(1),
        **flags(raw, ["political", "social", "economic", "imputed"], path=path),
        "accuracy_pre1965": texts(raw, ["accuracyofpre1965membershipdates"])["accuracyofpre1965membershipdates"],
        "sources_notes": texts(raw, ["sourcesandnotes"])["sourcesandnotes"],
        "cow_version": floats(raw, ["version"], path=path)["version"],
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


# ---------------------------------------------------------------- COW National Material Capabilities

NMC_COLUMNS = ["milex", "milper", "irst", "pec", "tpop", "upop", "cinc"]


def _read_nmc(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["cow_nmc.csv.gz"]
    raw = read_csv(path, required=["ccode", "year", *NMC_COLUMNS])
    # -9 is COW's missing code; peacesciencer already turned it into NA, but a raw COW file would still carry it
    out = pd.DataFrame({**integers(raw, ["ccode", "year"], path=path),
                        **floats(raw, NMC_COLUMNS, path=path, missing=[-9])})
    return check_codes(out, schemas.NMC, path=path).sort_values(["ccode", "year"], kind="stable")


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
    n = integers(raw, ["ccode1", "ccode2", "conttype"], path=path)
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


# ---------------------------------------------------------------- COW inter-state wars (peacesciencer)

def _read_cow_war_inter(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["cow_war_inter.csv"]
    cols = ["warnum", "ccode1", "ccode2", "year", "cowinteronset", "resume", "sidea1", "sidea2", "initiator1",
            "initiator2"]
    raw = read_csv(path, required=[*cols, "outcome1", "outcome2", "batdeath1", "batdeath2"])
    n = integers(raw, cols, path=path)
    deaths = integers(raw, ["batdeath1", "batdeath2"], path=path, missing=[-9, -8])
    outcomes = integers(raw, ["outcome1", "outcome2"], path=path, nullable=True)
    out = pd.DataFrame({
        "warnum": n["warnum"], "ccode1": n["ccode1"], "ccode2": n["ccode2"], "year": n["year"],
        "is_onset": n["cowinteronset"].eq(1), "is_resumed": n["resume"].eq(1),
        "side1": n["sidea1"], "side2": n["sidea2"],
        "is_initiator1": n["initiator1"].eq(1), "is_initiator2": n["initiator2"].eq(1),
        **outcomes, **deaths,
    })
    return check_codes(out, schemas.COW_WAR_INTER, path=path).sort_values(["warnum", "ccode1", "ccode2", "year", "is_resumed"], kind="stable")


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


# ---------------------------------------------------------------- COW IGO reference counts (peacesciencer)

def _read_cow_igo_roster(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["state_year_formatv3.csv.gz"]
    # only the key columns: the roster says which state-years COW IGO records at all
    raw = read_csv(path, required=["ccode", "year"], usecols=lambda c: c in ("ccode", "year"))
    n = integers(raw, ["ccode", "year"], path=path)
    out = pd.DataFrame({"ccode": n["ccode"], "year": n["year"]})
    return check_codes(out, schemas.COW_IGO_ROSTER, path=path).sort_values(["ccode", "year"], kind="stable")


register(Source(
    name="cow_igo_roster",
    folder="cow_igo",
    files=("state_year_formatv3.csv.gz",),
    version="3.0",
    publisher="Correlates of War Project",
    citation=IGO_CITATION,
    terms=COW_TERMS,
    first_year=1816,
    last_year=2014,
    code_scheme="cow",
    description="The state-years COW IGO v3.0 records (ccode, year of state_year_formatv3): a system member "
                "absent in a year is not recorded (its memberships are unknown), unlike one in no IGO.",
    reader=_read_cow_igo_roster,
    schema=schemas.COW_IGO_ROSTER,
    key=("ccode", "year"),
    urls={},
))


def _read_cow_igo_ndy(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["cow_igo_ndy.csv.gz"]
    raw = read_csv(path, required=["ccode1", "ccode2", "year", "dyadigos"])
    out = pd.DataFrame(integers(raw, ["ccode1", "ccode2", "year", "dyadigos"], path=path))
    unordered = out["ccode1"] >= out["ccode2"]
    if unordered.any():
        pos = int(np.flatnonzero(unordered.to_numpy())[0])
        raise DataFileError("non-directed file needs ccode1 < ccode2", path=path, column="ccode1", row=pos + 2)
    return check_codes(out, schemas.COW_IGO_NDY, path=path).sort_values(["ccode1", "ccode2", "year"], kind="stable")


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
    n = integers(raw, ["ccode", "year", *counts], path=path)
    out = pd.DataFrame({"ccode": n["ccode"], "year": n["year"], **{counts[c]: n[c] for c in counts}})
    return check_codes(out, schemas.COW_IGO_STATES_YEAR, path=path).sort_values(["ccode", "year"], kind="stable")


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
