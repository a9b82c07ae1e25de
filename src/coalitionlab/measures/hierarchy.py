"""Lake's security hierarchy of a dominant state (default the USA) over each country.

Lake (2007, 2009) measures security hierarchy with two indicators, each normalised to a
reference year (1995 in Lake) so that the largest value in that year is 1:

* ``hier_troops``: the dominant state's military personnel stationed in the country per capita;
* ``hier_independent_alliances``: the country's alliances *not* shared with the dominant state
  (ATOP v4.01), normalised and reversed (1 - x), since independent alliances signal autonomy.

``security_hierarchy`` is their mean. Lake's *economic* hierarchy (exchange-rate regime anchored
to the dominant currency; trade dependence on the dominant state relative to GDP) cannot be built
from the bundled sources: there is no exchange-rate regime data and no dyadic trade (only COW
state-year trade totals). See docs/measures/hierarchy.md.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from coalitionlab.measures._common import (
    check_panel,
    finish,
    load_source,
    new_attrs,
    pick_column,
    stamp,
    state_values,
    year_coverage,
)

__all__ = ["add_hierarchy", "security_hierarchy"]


def _independent_alliances(members: pd.DataFrame, dominant: int, years: np.ndarray) -> pd.DataFrame:
    """``ccode, year, n_independent``: ATOP alliances of the state that the dominant state is not in."""
    m = pd.DataFrame({
        "atopid": members["atopid"].to_numpy(),
        "ccode": members["ccode"].to_numpy().astype("int64"),
        "start": members["start_date"].dt.year.to_numpy(dtype="float64", na_value=np.nan),
        "end": members["end_date"].dt.year.to_numpy(dtype="float64", na_value=np.nan),
    })
    m["end"] = m["end"].fillna(np.inf)
    # one spell per state and alliance (phases bridged)
    m = m.groupby(["atopid", "ccode"], as_index=False).agg(start=("start", "min"), end=("end", "max"))
    dom = m[m["ccode"] == dominant][["atopid", "start", "end"]]
    yrs = pd.DataFrame({"year": np.unique(years)})
    long = m.merge(yrs, how="cross")
    long = long[(long["year"] >= long["start"]) & (long["year"] <= long["end"])]
    dl = dom.merge(yrs, how="cross")
    dl = dl[(dl["year"] >= dl["start"]) & (dl["year"] <= dl["end"])][["atopid", "year"]].assign(shared=True)
    long = long.merge(dl, on=["atopid", "year"], how="left")
    indep = long[long["shared"].isna()]
    return indep.groupby(["ccode", "year"], as_index=False).size().rename(columns={"size": "n_independent"})


def security_hierarchy(*, data_dir: str | os.PathLike | None = None, dominant: int = 2,
                       reference_year: int = 1995, years: np.ndarray | None = None) -> pd.DataFrame:
    """State-year security hierarchy of ``dominant`` over every system member.

    Returns
    -------
    pandas.DataFrame
        ``ccode, year, us_troops_pc, n_independent_alliances, hier_troops, hier_independent_alliances,
        security_hierarchy``; troops cover 1950-2024 (population to 2019), ATOP v4.01 1815-2016. A
        year the troop file has no rows for is NaN (with a :class:`~coalitionlab.errors.StaleDataWarning`),
        not "no US troops".

    Raises
    ------
    CoverageError
        When the reference year is outside the troop or alliance data.
    UnknownOptionError
        For a dominant state other than the USA (the troop data are US deployments only).

    References
    ----------
    Lake, D. A. 2007. "Escape from the State of Nature: Authority and Hierarchy in World Politics."
    *International Security* 32(1): 47-79. Lake, D. A. 2009. *Hierarchy in International Relations.*
    Cornell University Press.
    """
    from coalitionlab.data import get_source
    from coalitionlab.errors import CoverageError
    from coalitionlab.measures.panel import create_stateyears, parse_years

    if int(dominant) != 2:
        from coalitionlab.errors import UnknownOptionError

        raise UnknownOptionError(f"dominant={dominant!r}: the troop data (troopdata) record US deployments only, "
                                 "so Lake's security hierarchy can be built for the USA (ccode 2) only")
    tf, tl = get_source("us_troops").first_year, get_source("us_troops").last_year
    af, al = get_source("atop_members").first_year, get_source("atop_members").last_year
    pf, pl = get_source("gdp_population").first_year, get_source("gdp_population").last_year
    lo, hi = max(tf, af, pf), min(tl, al, pl)
    if not lo <= reference_year <= hi:
        raise CoverageError(f"reference_year {reference_year} outside the years with troops, population and "
                            f"alliances ({lo}-{hi})")
    # parse_years refuses a year that is not a whole number (the int64 cast would truncate 2003.7 to 2003)
    yrs = np.arange(max(tf, af), hi + 1) if years is None else np.asarray(
        parse_years(np.unique(np.asarray(years)).tolist()), "int64")
    yrs = np.union1d(yrs, [reference_year])
    sy = create_stateyears(years=yrs[(yrs >= 1816) & (yrs <= 2024)], data_dir=data_dir)
    troops = load_source("us_troops", data_dir)
    tcol = pick_column(troops, ["troops", "troops_ad"], source="us_troops")
    t = troops.groupby(["ccode", "year"], as_index=False)[tcol].sum()
    pop = load_source("gdp_population", data_dir)
    pcol = pick_column(pop, ["population", "pwtpop"], source="gdp_population")
    c, y = sy["ccode"].to_numpy(), sy["year"].to_numpy()
    tv = state_values(t, [tcol], c, y)[tcol]
    troop_years = year_coverage("us_troops", troops)  # a year the file lacks is NaN, not "no troops"
    t_in = troop_years.inside(y)
    troop_years.warn(y, "security_hierarchy()")
    tv[t_in & np.isnan(tv)] = 0.0
    tv[~t_in] = np.nan
    pv = state_values(pop, [pcol], c, y)[pcol]
    ind = _independent_alliances(load_source("atop_members", data_dir), dominant, y)
    iv = state_values(ind, ["n_independent"], c, y)["n_independent"]
    a_in = (y >= af) & (y <= al)
    iv[a_in & np.isnan(iv)] = 0.0
    iv[~a_in] = np.nan
    out = pd.DataFrame({"ccode": c, "year": y, "us_troops_pc": tv / (pv * 1e6),
                        "n_independent_alliances": iv})
    out.loc[out["ccode"] == dominant, ["us_troops_pc", "n_independent_alliances"]] = np.nan
    ref = out[out["year"] == reference_year]
    tmax, imax = ref["us_troops_pc"].max(), ref["n_independent_alliances"].max()
    out["hier_troops"] = out["us_troops_pc"] / tmax
    out["hier_independent_alliances"] = 1 - out["n_independent_alliances"] / imax
    out["security_hierarchy"] = out[["hier_troops", "hier_independent_alliances"]].mean(axis=1, skipna=False)
    out.attrs = {"dominant": dominant, "reference_year": reference_year}
    return out


def add_hierarchy(panel: pd.DataFrame, *, data_dir: str | os.PathLike | None = None, dominant: int = 2,
                  reference_year: int = 1995) -> pd.DataFrame:
    """Add Lake's security hierarchy of ``dominant`` over the state (state-years) or ``ccode2`` (dyad-years).

    Adds ``hier_troops``, ``hier_independent_alliances`` and ``security_hierarchy`` (dyad-years: of
    ``ccode2``, suffix ``2``). NaN for the dominant state itself and outside the sources' years.

    Raises
    ------
    PanelTypeError, CoverageError, UnknownOptionError
    """
    unit = check_panel(panel, None, step="add_hierarchy()")
    attrs = new_attrs(panel)
    years = panel["year"].to_numpy().astype("int64")
    h = security_hierarchy(data_dir=data_dir, dominant=dominant, reference_year=reference_year, years=years)
    cols = ["hier_troops", "hier_independent_alliances", "security_hierarchy"]
    key, suffix = ("ccode", "") if unit == "state_year" else ("ccode2", "2")
    vals = state_values(h, cols, panel[key].to_numpy(), years)
    new = {c + suffix: vals[c] for c in cols}
    from coalitionlab.data import get_source

    for name in ("us_troops", "gdp_population", "atop_members"):
        s = get_source(name)
        attrs["sources"][name] = s.version
    stamp(attrs, "us_troops", get_source("us_troops").version, new,
          coverage=(get_source("us_troops").first_year, get_source("atop_members").last_year),
          note=f"Lake security hierarchy of ccode {dominant}, normalised to {reference_year}")
    attrs["hierarchy"] = {"dominant": dominant, "reference_year": reference_year}
    return finish(panel, new, attrs, data_dir=data_dir)
