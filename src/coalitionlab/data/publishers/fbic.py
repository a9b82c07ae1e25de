"""Formal Bilateral Influence Capacity (Pardee Center), 18-country subset, ISO3 mapped to COW
through the crosswalk. Quirks: ``docs/data/sources_named.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from coalitionlab.data import schemas_named
from coalitionlab.data.countries import to_ccode
from coalitionlab.data.publishers._readers import int_column, read_csv, text_column
from coalitionlab.data.registry import Source, register
from coalitionlab.errors import DataFileError

# ---------------------------------------------------------------- FBIC (18-country subset)

FBIC_CITATION = ("Moyer, Jonathan D., Collin J. Meisel, Austin S. Matthews, David K. Bohl, and Mathew J. Burrows. "
                 "2021. \"China-US Competition: Measuring Global Influence.\" Atlantic Council / Frederick S. Pardee "
                 "Center for International Futures. FBIC data: https://korbel.du.edu/pardee/content/"
                 "formal-bilateral-influence-capacity-fbic (18-country subset from the Saptow/T5G1 repository).")
#: ISO3 codes in the FBIC subset that are not COW states.
FBIC_NON_STATES: frozenset[str] = frozenset({"HKG"})
FBIC_MEASURES = ("exportsallgoodatob_alldata", "importsallgoodafromb_alldata", "totaltradeawithb", "totaltradeabgdpb",
                 "fbic", "bandwidth", "dependence", "norm_lor_avg", "tradeagreementindex", "norm_allianceindex",
                 "securitybandwidth", "securitydependence", "maritime_connectivity")


def _read_fbic_subset(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["fbic_18country_subset_1999_2023.csv.gz"]
    raw = read_csv(path, required=["iso3a", "iso3b", "year", *FBIC_MEASURES])
    a, b = text_column(raw, "iso3a"), text_column(raw, "iso3b")
    keep = ~(a.isin(FBIC_NON_STATES) | b.isin(FBIC_NON_STATES)).to_numpy()
    year = int_column(raw, "year", path=path)[keep].reset_index(drop=True)
    where = f"fbic_subset, file {path.name}"
    out = pd.DataFrame({
        "ccode1": to_ccode(a[keep].to_numpy(), scheme="iso3", date=year.to_numpy(), where=where,
                           rows=np.flatnonzero(keep) + 2),
        "ccode2": to_ccode(b[keep].to_numpy(), scheme="iso3", date=year.to_numpy(), where=where,
                           rows=np.flatnonzero(keep) + 2),
        "year": year,
    })
    for column in FBIC_MEASURES:
        values = pd.to_numeric(raw[column], errors="coerce")
        bad = values.isna() & raw[column].notna()
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataFileError(f"non-numeric value {raw[column].iloc[pos]!r}", path=path, column=column, row=pos + 2)
        out[column] = values[keep].astype(float).reset_index(drop=True)
    return out.sort_values(["ccode1", "ccode2", "year"], ignore_index=True)


FBIC_SUBSET = register(Source(
    name="fbic_subset", folder="fbic", files=("fbic_18country_subset_1999_2023.csv.gz",), version="FBIC (2023 release)",
    publisher="Frederick S. Pardee Center for International Futures", citation=FBIC_CITATION,
    terms="No licence file in the source repository; research use with attribution to the Pardee Center.",
    first_year=1999, last_year=2023, code_scheme="iso3",
    description="Formal Bilateral Influence Capacity, directed dyad-years among 17 states (18 minus Hong Kong), "
                "1999-2023: ccode1 = influencer A, ccode2 = target B; trade, FBIC, bandwidth, dependence, "
                "diplomatic representation, trade-agreement and alliance indices (maritime_connectivity was added "
                "by the repository's authors, not FBIC). Not a full FBIC panel: a subset for exploration.",
    reader=_read_fbic_subset, schema=schemas_named.FBIC_SUBSET, key=("ccode1", "ccode2", "year"), urls={},
))
