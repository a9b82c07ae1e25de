"""The other ``add_*`` steps: capabilities, democracy, distance, contiguity, UN affinity, US troops, exercises.

Monadic variables go onto a state-year panel under their own name and onto a dyad-year panel as
``<name>1`` and ``<name>2``. Each step fills zeros only inside its source's years (for counts), leaves
NaN outside and for states that were not COW system members that year (on a dyad-year: if either
state was not; ``_common.finish``), and records the source, version and coverage in ``attrs``.

A source's years are the years the loaded table holds (``_common.year_coverage``), not its nominal
range: a year without rows (a file missing a year) is NaN, with a
:class:`~coalitionlab.errors.StaleDataWarning` naming it, never 0; ``mry`` carries the last year present.
Sources given as spells (contiguity, capitals) keep their nominal years.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from coalitionlab.measures._common import (
    check_panel,
    coverage,
    dyad_values,
    finish,
    load_source,
    new_attrs,
    pick_column,
    stamp,
    state_values,
    year_coverage,
)

__all__ = ["add_capabilities", "add_contiguity", "add_democracy", "add_distance", "add_exercises",
           "add_un_affinity", "add_us_troops"]


def _version(df: pd.DataFrame, name: str) -> str:
    from coalitionlab.data import get_source

    return str(df.attrs.get("version", get_source(name).version))


def _monadic(panel: pd.DataFrame, table: pd.DataFrame, columns: dict[str, str], *, source: str, step: str,
             mry: bool, data_version: str, data_dir: str | os.PathLike | None, fill_zero: bool = False) -> pd.DataFrame:
    """Add state-year ``columns`` ({table column: output name}) to a state- or dyad-year panel."""
    unit = check_panel(panel, None, step=step)
    cov = year_coverage(source, table, "year")  # the years the table holds: a year without rows is NaN
    first, last = cov.first, cov.last
    attrs = new_attrs(panel)
    years = panel["year"].to_numpy().astype("int64")
    look = np.minimum(years, last) if mry else years
    inside = cov.inside(look)
    cov.warn(look, step)
    new: dict[str, np.ndarray] = {}
    sides = [("ccode", "")] if unit == "state_year" else [("ccode1", "1"), ("ccode2", "2")]
    for col_name, suffix in sides:
        vals = state_values(table, list(columns), panel[col_name].to_numpy(), look)
        for src_col, out_col in columns.items():
            v = vals[src_col]
            if fill_zero:
                v[inside & np.isnan(v)] = 0.0
            v[~inside] = np.nan
            new[out_col + suffix] = v
    stamp(attrs, source, data_version, new, coverage=(first, last), mry=mry, gaps=cov.gaps)
    return finish(panel, new, attrs, data_dir=data_dir)


def add_capabilities(panel: pd.DataFrame, *, data_dir: str | os.PathLike | None = None,
                     mry: bool = False) -> pd.DataFrame:
    """Add COW National Material Capabilities (``cinc``; dyad-years ``cinc1, cinc2``), 1816-2022.

    Parameters
    ----------
    panel
        A state-year or dyad-year panel from :func:`create_stateyears` or :func:`create_dyadyears`.
    data_dir
        Data directory.
    mry
        Carry the source's last year forward to later panel years (recorded in ``attrs["mry"]``).

    Returns
    -------
    pandas.DataFrame
        A copy of ``panel`` with the columns above; ``attrs`` records source, version and coverage.

    Raises
    ------
    PanelTypeError
        If ``panel`` is not a state-year or dyad-year panel.

    References
    ----------
    Singer, J. D., S. Bremer and J. Stuckey. 1972. "Capability Distribution, Uncertainty, and Major
    Power War, 1820-1965." In *Peace, War, and Numbers*, ed. B. Russett. Sage.
    """
    nmc = load_source("nmc", data_dir)
    return _monadic(panel, nmc, {"cinc": "cinc"}, source="nmc", step="add_capabilities()", mry=mry,
                    data_version=_version(nmc, "nmc"), data_dir=data_dir)


def add_democracy(panel: pd.DataFrame, *, data_dir: str | os.PathLike | None = None,
                  mry: bool = False) -> pd.DataFrame:
    """Add democracy scores (``euds``, ``polity2``, ``v2x_polyarchy``; dyad-years with suffixes 1/2).

    Parameters
    ----------
    panel
        A state-year or dyad-year panel from :func:`create_stateyears` or :func:`create_dyadyears`.
    data_dir
        Data directory.
    mry
        Carry the source's last year forward to later panel years (recorded in ``attrs["mry"]``).

    Returns
    -------
    pandas.DataFrame
        A copy of ``panel`` with the columns above; ``attrs`` records source, version and coverage.

    References
    ----------
    Marquez 2016 (extended UDS); Marshall 2020 (Polity5); Coppedge et al. (V-Dem v16), via isard.
    """
    dem = load_source("democracy", data_dir)
    cols = {c: c for c in ("euds", "polity2", "v2x_polyarchy") if c in dem.columns}
    return _monadic(panel, dem, cols, source="democracy", step="add_democracy()", mry=mry,
                    data_version=_version(dem, "democracy"), data_dir=data_dir)


def add_un_affinity(panel: pd.DataFrame, *, data_dir: str | os.PathLike | None = None,
                    mry: bool = False) -> pd.DataFrame:
    """Add UNGA ideal points and their distance (Bailey, Strezhnev and Voeten 2017).

    State-years get ``un_ideal_point`` and ``un_us_agree``; dyad-years get ``un_ideal_point1``,
    ``un_ideal_point2`` and ``un_ideal_distance = |ideal_point1 - ideal_point2|`` (symmetric;
    smaller = more affinity). Years are sessions (year = 1945 + session), 1946-2023.

    Parameters
    ----------
    panel
        A state-year or dyad-year panel from :func:`create_stateyears` or :func:`create_dyadyears`.
    data_dir
        Data directory.
    mry
        Carry the source's last year forward to later panel years (recorded in ``attrs["mry"]``).

    Returns
    -------
    pandas.DataFrame
        A copy of ``panel`` with the columns above; ``attrs`` records source, version and coverage.

    References
    ----------
    Bailey, M. A., A. Strezhnev and E. Voeten. 2017. "Estimating Dynamic State Preferences from United
    Nations Voting Data." *Journal of Conflict Resolution* 61(2): 430-456.
    """
    un = load_source("un_ideal_points", data_dir)
    ip = pick_column(un, ["ideal_point", "IdealPointAll", "idealpoint"], source="un_ideal_points")
    cols = {ip: "un_ideal_point"}
    agree = [c for c in ("us_agree", "USAgree") if c in un.columns]
    if agree:
        cols[agree[0]] = "un_us_agree"
    out = _monadic(panel, un, cols, source="un_ideal_points", step="add_un_affinity()", mry=mry,
                   data_version=_version(un, "un_ideal_points"), data_dir=data_dir)
    if out.attrs["unit"] == "dyad_year":
        attrs = out.attrs
        out = out.copy(deep=False)
        out["un_ideal_distance"] = (out["un_ideal_point1"] - out["un_ideal_point2"]).abs()
        attrs["columns"]["un_ideal_distance"] = dict(attrs["columns"]["un_ideal_point1"])
        if mry:
            attrs["mry"]["un_ideal_distance"] = True
        out.attrs = attrs
    return out


def add_us_troops(panel: pd.DataFrame, *, data_dir: str | os.PathLike | None = None,
                  mry: bool = False) -> pd.DataFrame:
    """Add US active-duty troops stationed in the country (1950-2024), and per 1,000 inhabitants.

    State-years get ``us_troops`` and ``us_troops_per_1000``; dyad-years the same with suffixes 1/2.
    Country-years without a record inside the coverage are 0 (the data list hosts, and absent
    hosts had no reported US personnel); population is Fariss et al. (isard ``pwtpop``, to 2019).

    Parameters
    ----------
    panel
        A state-year or dyad-year panel from :func:`create_stateyears` or :func:`create_dyadyears`.
    data_dir
        Data directory.
    mry
        Carry the source's last year forward to later panel years (recorded in ``attrs["mry"]``).

    Returns
    -------
    pandas.DataFrame
        A copy of ``panel`` with the columns above; ``attrs`` records source, version and coverage.

    References
    ----------
    Allen, M. A., M. E. Flynn and C. Martinez Machain. 2022. "Global U.S. Military Deployment Data:
    1950-2020." *Conflict Management and Peace Science* 39(3): 351-370.
    """
    troops = load_source("us_troops", data_dir)
    tcol = pick_column(troops, ["troops", "troops_ad"], source="us_troops")
    t = troops.groupby(["ccode", "year"], as_index=False)[tcol].sum()
    out = _monadic(panel, t, {tcol: "us_troops"}, source="us_troops", step="add_us_troops()", mry=mry,
                   data_version=_version(troops, "us_troops"), data_dir=data_dir, fill_zero=True)
    pop = load_source("gdp_population", data_dir)
    pcol = pick_column(pop, ["population", "pwtpop"], source="gdp_population")
    with_pop = _monadic(out, pop, {pcol: "_pop"}, source="gdp_population", step="add_us_troops()", mry=mry,
                        data_version=_version(pop, "gdp_population"), data_dir=data_dir)
    attrs = with_pop.attrs
    res = out.copy(deep=False)
    suffixes = [""] if attrs["unit"] == "state_year" else ["1", "2"]
    tf, tl = attrs["columns"]["us_troops" + suffixes[0]]["coverage"]
    pf, pl = attrs["columns"]["_pop" + suffixes[0]]["coverage"]
    for s in suffixes:
        # population is in millions: troops per 1,000 inhabitants = troops / (pop * 1000)
        res["us_troops_per_1000" + s] = res["us_troops" + s] / (with_pop["_pop" + s] * 1000.0)
        attrs["columns"].pop("_pop" + s)
        # the ratio needs both sources: its coverage is where they overlap
        attrs["columns"]["us_troops_per_1000" + s] = {
            "source": "us_troops", "coverage": [max(tf, pf), min(tl, pl)],
            "note": "per 1,000 inhabitants; population from gdp_population"}
        if attrs["mry"].pop("_pop" + s, False):
            attrs["mry"]["us_troops_per_1000" + s] = True
    res.attrs = attrs
    return res


def add_distance(panel: pd.DataFrame, *, data_dir: str | os.PathLike | None = None,
                 mry: bool = False) -> pd.DataFrame:
    """Add minimum distance (km, CShapes 2.0, 1886-2019) and capital-to-capital great-circle distance.

    Dyad-years get ``mindist`` and ``capdist`` (km; haversine on the capitals in office that year).
    Both symmetric.

    Parameters
    ----------
    panel
        A dyad-year panel from :func:`create_dyadyears`.
    data_dir
        Data directory.
    mry
        Carry the source's last year forward to later panel years (recorded in ``attrs["mry"]``).

    Returns
    -------
    pandas.DataFrame
        A copy of ``panel`` with the columns above; ``attrs`` records source, version and coverage.

    References
    ----------
    Schvitz, G. et al. 2022. "Mapping the International System, 1886-2019: The CShapes 2.0 Dataset."
    *Journal of Conflict Resolution* 66(1).
    """
    check_panel(panel, "dyad_year", step="add_distance()")
    attrs = new_attrs(panel)
    c1, c2 = panel["ccode1"].to_numpy(), panel["ccode2"].to_numpy()
    years = panel["year"].to_numpy().astype("int64")
    dist = load_source("distances", data_dir)
    cov = year_coverage("distances", dist)
    first, last = cov.first, cov.last
    look = np.minimum(years, last) if mry else years
    v = dyad_values(dist, ["mindist"], c1, c2, look, symmetric=True)["mindist"]
    v[~cov.inside(look)] = np.nan
    cov.warn(look, "add_distance()")
    new = {"mindist": v}
    stamp(attrs, "distances", _version(dist, "distances"), ["mindist"], coverage=(first, last), mry=mry,
          gaps=cov.gaps)
    caps = load_source("capitals", data_dir)
    cf, cl = coverage("capitals")
    cap_years = _spells_to_years(caps, ["lat", "lng"], cf, cl)
    lat1 = state_values(cap_years, ["lat", "lng"], c1, years)
    lat2 = state_values(cap_years, ["lat", "lng"], c2, years)
    new["capdist"] = _haversine(lat1["lat"], lat1["lng"], lat2["lat"], lat2["lng"])
    stamp(attrs, "capitals", _version(caps, "capitals"), ["capdist"], coverage=(cf, cl))
    return finish(panel, new, attrs, data_dir=data_dir)


def _expand_years(y0: np.ndarray, y1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row positions and years of every year ``y0[k] <= year <= y1[k]`` of each spell ``k`` (no loop)."""
    y0, y1 = np.asarray(y0, "int64"), np.asarray(y1, "int64")
    n = np.maximum(y1 - y0 + 1, 0)
    rows = np.repeat(np.arange(len(y0)), n)
    return rows, y0[rows] + (np.arange(len(rows)) - np.repeat(np.cumsum(n) - n, n))


def _spells_to_years(spells: pd.DataFrame, columns: list[str], first: int, last: int) -> pd.DataFrame:
    """Expand ``ccode, start_date, end_date`` spells to ``ccode, year`` rows (the later spell wins)."""
    rows, year = _expand_years(spells["start_date"].dt.year.clip(lower=first).to_numpy(),
                               spells["end_date"].dt.year.fillna(last).clip(upper=last).to_numpy())
    out = pd.DataFrame({"ccode": spells["ccode"].to_numpy()[rows], "year": year,
                        **{c: spells[c].to_numpy()[rows] for c in columns}})
    return out.drop_duplicates(["ccode", "year"], keep="last")


def _haversine(lat1, lon1, lat2, lon2) -> np.ndarray:
    r = 6371.0
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * r * np.arcsin(np.sqrt(a))


def add_contiguity(panel: pd.DataFrame, *, data_dir: str | os.PathLike | None = None,
                   mry: bool = False) -> pd.DataFrame:
    """Add COW direct contiguity (v3.2): ``conttype`` 1 land ... 5 water up to 400 miles, 0 none.

    The closest type in force at any time in the year; 0 inside 1816-2016, NaN outside. Symmetric.

    Parameters
    ----------
    panel
        A dyad-year panel from :func:`create_dyadyears`.
    data_dir
        Data directory.
    mry
        Carry the source's last year forward to later panel years (recorded in ``attrs["mry"]``).

    Returns
    -------
    pandas.DataFrame
        A copy of ``panel`` with the columns above; ``attrs`` records source, version and coverage.

    References
    ----------
    Stinnett, D. M. et al. 2002. "The Correlates of War Project Direct Contiguity Data, Version 3."
    *Conflict Management and Peace Science* 19(2): 58-66.
    """
    check_panel(panel, "dyad_year", step="add_contiguity()")
    attrs = new_attrs(panel)
    cont = load_source("contiguity", data_dir)
    first, last = coverage("contiguity")
    rows, year = _expand_years(cont["start_date"].dt.year.to_numpy(), cont["end_date"].dt.year.fillna(last).to_numpy())
    long = pd.DataFrame({"ccode1": cont["ccode1"].to_numpy()[rows], "ccode2": cont["ccode2"].to_numpy()[rows],
                         "year": year, "conttype": cont["conttype"].to_numpy()[rows]})
    long = long.groupby(["ccode1", "ccode2", "year"], as_index=False)["conttype"].min()
    years = panel["year"].to_numpy().astype("int64")
    look = np.minimum(years, last) if mry else years
    v = dyad_values(long, ["conttype"], panel["ccode1"].to_numpy(), panel["ccode2"].to_numpy(), look,
                    symmetric=True)["conttype"]
    inside = (look >= first) & (look <= last)
    v[inside & np.isnan(v)] = 0.0
    v[~inside] = np.nan
    stamp(attrs, "contiguity", _version(cont, "contiguity"), ["conttype"], coverage=(first, last), mry=mry)
    return finish(panel, {"conttype": v}, attrs, data_dir=data_dir)


def add_exercises(panel: pd.DataFrame, *, data_dir: str | os.PathLike | None = None,
                  mry: bool = False) -> pd.DataFrame:
    """Add joint military exercises (MME v7, 1980-2010).

    Dyad-years get ``mme_joint_exercises``: the number of exercises starting that year in which both
    states took part (symmetric); state-years get ``mme_exercises``, the number the state took part in.
    Exercises are counted by their start year; participants are matched to ccodes by the loader.

    Parameters
    ----------
    panel
        A state-year or dyad-year panel from :func:`create_stateyears` or :func:`create_dyadyears`.
    data_dir
        Data directory.
    mry
        Carry the source's last year forward to later panel years (recorded in ``attrs["mry"]``).

    Returns
    -------
    pandas.DataFrame
        A copy of ``panel`` with the columns above; ``attrs`` records source, version and coverage.

    References
    ----------
    D'Orazio, V. and K. Galambos. 2021. "Multinational Military Exercises, 1980-2010." Harvard
    Dataverse, doi:10.7910/DVN/KHFODX.
    """
    unit = check_panel(panel, None, step="add_exercises()")
    ex = load_source("military_exercises", data_dir)
    eid = pick_column(ex, ["exercise_id", "mmeid", "MMEID"], source="military_exercises")
    ycol = pick_column(ex, ["year", "start_year", "s.year"], source="military_exercises")
    e = pd.DataFrame({"eid": ex[eid].to_numpy(), "ccode": pd.to_numeric(ex["ccode"], errors="coerce"),
                      "year": pd.to_numeric(ex[ycol], errors="coerce")}).dropna().drop_duplicates()
    e = e.astype({"ccode": "int64", "year": "int64"})
    cov = year_coverage("military_exercises", e, "year")  # MME has exercises in every year it covers
    first, last = cov.first, cov.last
    attrs = new_attrs(panel)
    years = panel["year"].to_numpy().astype("int64")
    look = np.minimum(years, last) if mry else years
    inside = cov.inside(look)
    cov.warn(look, "add_exercises()")
    if unit == "state_year":
        t = e.groupby(["ccode", "year"], as_index=False).size()
        v = state_values(t, ["size"], panel["ccode"].to_numpy(), look)["size"]
        name = "mme_exercises"
    else:
        # pairs within one exercise and start year: MME 7 reuses three ids (mme3457, mme3458, mme3460) for
        # exercises of different years, which must not pair a 1995 participant with a 2005 one
        pairs = e.merge(e[["eid", "year", "ccode"]], on=["eid", "year"], suffixes=("1", "2"))
        pairs = pairs[pairs["ccode1"] < pairs["ccode2"]]
        t = pairs.groupby(["ccode1", "ccode2", "year"], as_index=False).size()
        v = dyad_values(t, ["size"], panel["ccode1"].to_numpy(), panel["ccode2"].to_numpy(), look,
                        symmetric=True)["size"]
        name = "mme_joint_exercises"
    v[inside & np.isnan(v)] = 0.0
    v[~inside] = np.nan
    stamp(attrs, "military_exercises", _version(ex, "military_exercises"), [name], coverage=(first, last), mry=mry,
          gaps=cov.gaps)
    return finish(panel, {name: v}, attrs, data_dir=data_dir)
