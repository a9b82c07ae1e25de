"""Sources of the R package isard (Steven V. Miller): democracy scores, latent GDP and population,
and the COW / Gleditsch-Ward state-year panel. Quirks: ``docs/data/sources.md``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from coalitionlab.data import schemas
from coalitionlab.data.publishers._readers import check_codes, floats, integers, read_csv, texts
from coalitionlab.data.registry import Source, register, to_integer

# ---------------------------------------------------------------- democracy (isard)

ISARD_NOTE = " Converted from the R package isard v0.2.0 (Steven V. Miller)."


def _read_democracy(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["cw_democracy.csv.gz"]
    measures = ["euds", "aeuds", "polity2", "v2x_polyarchy"]
    raw = read_csv(path, required=["ccode", "year", *measures])
    # Polity's -66 (interruption), -77 (interregnum) and -88 (transition) are not scores
    out = pd.DataFrame({**integers(raw, ["ccode", "year"], path=path),
                        **floats(raw, measures, path=path, missing=[-66, -77, -88])})
    return check_codes(out, schemas.DEMOCRACY, path=path).sort_values(["ccode", "year"], kind="stable")


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
    out = pd.DataFrame({**integers(raw, ["ccode", "year"], path=path), **floats(raw, measures, path=path)})
    return check_codes(out, schemas.GDP_POPULATION, path=path).sort_values(["ccode", "year"], kind="stable")


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
        **texts(raw, ["stateabb"]),
        "cow_name": texts(raw, ["cw_name"])["cw_name"],
        **texts(raw, ["gw_name"]),
    })
    # 210 rows are Gleditsch-Ward state-years with no COW state (e.g. Canada 1867-1919): not COW-keyed, dropped
    out = out[out["ccode"].notna()].astype({"ccode": "int64"})
    return check_codes(out, schemas.GW_COW_PANEL, path=path).sort_values(["ccode", "year"], kind="stable")


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
