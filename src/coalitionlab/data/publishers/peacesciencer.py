"""Sources compiled by the R package peacesciencer (Steven V. Miller) itself: state capitals
and CShapes 2.0 minimum distances. (COW and ATOP files that peacesciencer only converts are
registered with their publisher, in :mod:`.cow` and :mod:`.atop`.) Quirks: ``docs/data/sources.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from coalitionlab.data import schemas
from coalitionlab.data.publishers._readers import PEACESCIENCER_NOTE, floats, integers, texts
from coalitionlab.data.registry import Source, read_csv, register, to_date
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
