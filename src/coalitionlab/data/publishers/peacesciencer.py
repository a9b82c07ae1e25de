"""Sources compiled by the R package peacesciencer (Steven V. Miller) itself: state capitals
and CShapes 2.0 minimum distances. (COW and ATOP files that peacesciencer only converts are
registered with their publisher, in :mod:`.cow` and :mod:`.atop`.) Quirks: ``docs/data/sources.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from coalitionlab.data import schemas
from coalitionlab.data.countries import crosswalk, to_ccode
from coalitionlab.data.publishers._readers import PEACESCIENCER_NOTE, check_codes, floats, integers, read_csv, texts
from coalitionlab.data.registry import Source, register, to_date
from coalitionlab.errors import DataFileError

# ---------------------------------------------------------------- capitals and minimum distances

def _read_capitals(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["cow_capitals.csv"]
    raw = read_csv(path, required=["ccode", "statenme", "capital", "stdate", "enddate", "lat", "lng"])
    out = pd.DataFrame({
        **integers(raw, ["ccode"], path=path),
        **texts(raw, ["statenme", "capital"]),
        "start_date": to_date(raw, "stdate", path=path),
        "end_date": to_date(raw, "enddate", path=path),
        **floats(raw, ["lat", "lng"], path=path),
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
    out = pd.DataFrame({**integers(raw, ["ccode1", "ccode2", "year"], path=path),
                        **floats(raw, ["mindist"], path=path)})
    unordered = out["ccode1"] >= out["ccode2"]
    if unordered.any():  # the file is non-directed with ccode1 < ccode2; anything else would double count
        pos = int(np.flatnonzero(unordered.to_numpy())[0])
        raise DataFileError("non-directed file needs ccode1 < ccode2", path=path, column="ccode1", row=pos + 2)
    return check_codes(out, schemas.DISTANCES, path=path).sort_values(["ccode1", "ccode2", "year"], kind="stable")


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


# ---------------------------------------------------------------- Archigos leaders

#: Gleditsch-Ward states with leaders in Archigos 4.1 that were never COW states (no COW ccode on any
#: date in the crosswalk): their 30 leader spells cannot be keyed to COW and are left out, by code.
#: Any other code the crosswalk cannot map is an error, never a silent drop.
ARCHIGOS_GW_WITHOUT_COW: dict[int, str] = {
    563: "Transvaal",
    564: "Orange Free State",
    711: "Tibet",
    815: "Vietnam (Annam/Cochin China/Tonkin), before 1893",
}

ARCHIGOS_CITATION = (
    "Goemans, Henk E., Kristian Skrede Gleditsch, and Giacomo Chiozza. 2009. \"Introducing Archigos: A Dataset "
    "of Political Leaders.\" Journal of Peace Research 46(2): 269-283 (version 4.1)." + PEACESCIENCER_NOTE
)


def _read_archigos(paths: dict[str, Path]) -> pd.DataFrame:
    """Archigos 4.1 leader spells keyed to COW ccode through the date-aware crosswalk.

    A spell whose state changes COW code while the leader is in office (Kohl: GW 260 is COW 260 until
    2 October 1990 and COW 255 from 3 October; Saleh: GW 678 is COW 678 until 21 May 1990 and COW 679
    from 22 May) becomes one row per ccode; ``start_date``/``end_date`` stay the leader's spell,
    ``ccode_start_date``/``ccode_end_date`` bound the part of it under that ccode.
    """
    path = paths["archigos.csv.gz"]
    raw = read_csv(path, required=["obsid", "gwcode", "leadid", "leader", "yrborn", "gender", "startdate",
                                   "enddate", "entry", "exit"])
    out = pd.DataFrame({
        **texts(raw, ["obsid"]),
        **integers(raw, ["gwcode"], path=path),
        "leader_id": texts(raw, ["leadid"])["leadid"],
        **texts(raw, ["leader"]),
        "start_date": to_date(raw, "startdate", path=path),
        "end_date": to_date(raw, "enddate", path=path),
        **texts(raw, ["entry", "exit"]),
        **integers(raw, ["yrborn"], path=path, nullable=True),
        **texts(raw, ["gender"]),
    })
    backwards = out["end_date"] < out["start_date"]
    if backwards.any():
        pos = int(np.flatnonzero(backwards.to_numpy())[0])
        raise DataFileError("leader spell ends before it starts", path=path, column="enddate", row=pos + 2)
    out = out[~out["gwcode"].isin(list(ARCHIGOS_GW_WITHOUT_COW))]
    where = f"archigos_leaders, file {path.name}"
    lines = out.index.to_numpy() + 2
    at_start = to_ccode(out["gwcode"].to_numpy(), scheme="gw", date=out["start_date"].reset_index(drop=True),
                        where=where, rows=lines)
    at_end = to_ccode(out["gwcode"].to_numpy(), scheme="gw", date=out["end_date"].reset_index(drop=True),
                      where=where, rows=lines)
    out = out.assign(ccode=at_start, ccode_start_date=out["start_date"], ccode_end_date=out["end_date"])
    changed = at_start != at_end
    if changed.any():
        # the day the state's COW code changed: where the crosswalk's row for the end code begins
        cw = crosswalk().dropna(subset=["gwcode", "valid_from"]).astype({"gwcode": "int64", "ccode": "int64"})
        spans = out[changed].assign(ccode=at_end[changed], _pos=np.arange(int(changed.sum())))
        found = spans.merge(cw[["gwcode", "ccode", "valid_from"]], on=["gwcode", "ccode"])
        found = found[(found["valid_from"] > found["start_date"]) & (found["valid_from"] <= found["end_date"])]
        starts = np.full(len(spans), np.datetime64("NaT"), dtype="datetime64[ns]")
        once = found["_pos"].value_counts()
        once = once[once == 1].index.to_numpy()
        found = found[found["_pos"].isin(once)]
        starts[found["_pos"].to_numpy()] = found["valid_from"].to_numpy("datetime64[ns]")
        ok = ~np.isnat(starts)
        before = np.where(ok, starts - np.timedelta64(1, "D"), spans["start_date"].to_numpy("datetime64[ns]"))
        again = to_ccode(spans["gwcode"].to_numpy(), scheme="gw", date=pd.Series(before), where=where,
                         rows=spans.index.to_numpy() + 2)
        ok &= again == at_start[changed]
        if not ok.all():
            pos = int(spans.index[np.flatnonzero(~ok)[0]])
            raise DataFileError("leader spell spans more than one change of COW code; cannot split it",
                                path=path, column="gwcode", row=pos + 2)
        first = out[changed].assign(ccode_end_date=before)
        second = spans.drop(columns="_pos").assign(ccode_start_date=starts)
        out = pd.concat([out[~changed], first, second])
    out = out.astype({"ccode": "int64", "ccode_start_date": "datetime64[ns]", "ccode_end_date": "datetime64[ns]"})
    columns = ["obsid", "ccode", "gwcode", "leader_id", "leader", "start_date", "end_date", "ccode_start_date",
               "ccode_end_date", "entry", "exit", "yrborn", "gender"]
    return out[columns].sort_values(["ccode", "ccode_start_date", "ccode_end_date"], kind="stable")


register(Source(
    name="archigos_leaders",
    folder="peacesciencer",
    files=("archigos.csv.gz",),
    version="4.1",
    publisher="Goemans, Gleditsch & Chiozza (Archigos), via Steven V. Miller (peacesciencer)",
    citation=ARCHIGOS_CITATION,
    terms="Archigos: free for research use, cite Goemans, Gleditsch & Chiozza 2009; peacesciencer package GPL-2.",
    first_year=1875,
    last_year=2015,
    code_scheme="gw",
    description="Archigos 4.1 political leaders: one row per leader spell in office (per COW ccode when the "
                "state's code changed during the spell), with entry/exit manner, birth year and gender. "
                "Gleditsch-Ward codes mapped to COW ccode on the spell's dates; the 30 spells of four GW states "
                "that were never COW states (Transvaal, Orange Free State, Tibet, Annam) are left out.",
    reader=_read_archigos,
    schema=schemas.ARCHIGOS_LEADERS,
    key=("obsid", "ccode"),
    urls={},
))
