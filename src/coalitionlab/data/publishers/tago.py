"""Tago (2005): US uses of force 1948-1998 and whether they were coalitional. Quirks:
``docs/data/sources.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from coalitionlab.data import schemas
from coalitionlab.data.publishers._readers import flags, floats, integers, read_csv, texts
from coalitionlab.data.registry import Source, register

# ---------------------------------------------------------------- Tago (2005): US uses of force

_TAGO_FLAGS = ["use_of_force", "coalitional_use_of_force", "igo_authorized_use_of_force", "recession_year",
               "senate_divided", "house_divided", "ground_forces", "non_neo", "latin_america", "europe",
               "middle_east", "sub_saharan_africa", "asia_pacific", "post_cold_war", "post_vietnam_war"]


def _read_tago_us_force(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["multilat_force_tago2005.csv"]
    raw = read_csv(path, required=["start_year", "conflict", "operation", "budget_constraints", "election_cycle",
                                   "severity", *_TAGO_FLAGS])
    n = integers(raw, ["start_year", "election_cycle", "severity"], path=path)
    out = pd.DataFrame({
        # events have no id and 8 (year, conflict, operation) triples repeat; the id is the row in the file
        "event_id": np.arange(1, len(raw) + 1, dtype="int64"),
        "start_year": n["start_year"],
        **texts(raw, ["conflict", "operation"]),
        **flags(raw, _TAGO_FLAGS, path=path),
        **floats(raw, ["budget_constraints"], path=path),
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
