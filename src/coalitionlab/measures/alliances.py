"""Alliances from ATOP: the 5.1 dyad-year obligation flags and counts of shared alliances (v4.01).

ATOP 5.1 is available only as directed dyad-years (via peacesciencer); its flags are directed (an
obligation of ``ccode1`` towards ``ccode2``: 0.4% of dyad-years are one-sided), so a non-directed
panel takes the (ccode1 < ccode2) direction, as peacesciencer does. The counts of shared
alliances come from the ATOP v4.01 member level (the only member-level release available) and
are symmetric.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from coalitionlab.measures._common import (
    CcodeIndex,
    check_panel,
    coverage,
    cube_years,
    dyad_lookup,
    dyad_values,
    finish,
    interval_cube,
    load_source,
    new_attrs,
    pick_column,
    stamp,
    year_of,
)

__all__ = ["ATOP_FLAGS", "add_alliances", "shared_alliance_table"]

ATOP_FLAGS = ("atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul")


def shared_alliance_table(members: pd.DataFrame) -> pd.DataFrame:
    """Pairs of ATOP members of the same alliance with the years both belonged.

    Parameters
    ----------
    members
        ATOP member level (``load("atop_members")``): alliance id, member ccode, entry and exit year,
        and the ``defense`` obligation flag.

    Returns
    -------
    pandas.DataFrame
        ``atopid, ccode1, ccode2 (ccode1 < ccode2), start, end, defense``: the pair shares alliance
        ``atopid`` in years ``start <= year < end`` (``end`` NaN: in force at the end of the data).
    """
    aid = pick_column(members, ["atopid"], source="atop_members")
    cc = pick_column(members, ["ccode", "member"], source="atop_members")
    y0 = pick_column(members, ["start_date", "start_year", "yrent"], source="atop_members")
    y1 = pick_column(members, ["end_date", "end_year", "yrexit"], source="atop_members")
    m = pd.DataFrame({
        "atopid": members[aid].to_numpy(),
        "ccode": members[cc].to_numpy().astype("int64"),
        "start": year_of(members[y0]),
        "end": year_of(members[y1]),
        "defense": pd.to_numeric(members.get("defense", pd.Series(0, index=members.index)),
                                 errors="coerce").fillna(0).to_numpy(),
    })
    m.loc[m["end"] <= 0, "end"] = np.nan  # ATOP codes exit year 0 (the loader: NaT) = still in force
    m["end"] = m["end"] + 1  # exit year is the last year in the alliance
    # pairs within an alliance (alliances are small: a self-join on atopid of ~2,400 rows)
    p = m.merge(m, on="atopid", suffixes=("1", "2"))
    p = p[p["ccode1"] < p["ccode2"]]
    start = np.maximum(p["start1"], p["start2"])
    end = np.fmin(p["end1"], p["end2"])
    out = pd.DataFrame({
        "atopid": p["atopid"].to_numpy(), "ccode1": p["ccode1"].to_numpy(), "ccode2": p["ccode2"].to_numpy(),
        "start": start.to_numpy(), "end": end.to_numpy(),
        "defense": np.maximum(p["defense1"].to_numpy(), p["defense2"].to_numpy()),
    })
    out = out[out["end"].isna() | (out["end"] > out["start"])]
    # an alliance's phases are separate member rows: one spell per pair and alliance, so a phase
    # change inside a year is not counted twice (gaps between phases are bridged; documented)
    g = out.assign(open=out["end"].isna()).groupby(["atopid", "ccode1", "ccode2"], as_index=False)
    out = g.agg(start=("start", "min"), end=("end", "max"), open=("open", "any"), defense=("defense", "max"))
    out.loc[out["open"], "end"] = np.nan
    return out.drop(columns="open")


def add_alliances(panel: pd.DataFrame, *, data_dir: str | os.PathLike | None = None, mry: bool = False,
                  counts: bool = True) -> pd.DataFrame:
    """Add ATOP alliance obligations (5.1 dyad-years) and counts of shared alliances (v4.01).

    Parameters
    ----------
    panel
        A dyad-year panel (:func:`create_dyadyears`).
    data_dir
        Data directory.
    mry
        Carry each source's last year forward to later panel years (recorded in ``attrs["mry"]``).
    counts
        Also add ``atop_alliances`` and ``atop_defense_pacts`` (numbers of ATOP v4.01 alliances, and of
        those with a defence obligation, that both states belong to).

    Returns
    -------
    pandas.DataFrame
        A copy with ``atop_defense, atop_offense, atop_neutral, atop_nonagg, atop_consul`` (0/1),
        ``atop_any`` (any of them), and with ``counts`` the two counts. 0 inside ATOP's years
        (5.1: 1815-2018; v4.01: 1815-2016), NaN outside, and NaN where either state was not a COW
        system member that year (``attrs["existence"]``; absence from ATOP means "no alliance").

    Raises
    ------
    PanelTypeError
        If ``panel`` is not a dyad-year panel.

    References
    ----------
    Leeds, B. A., J. M. Ritter, S. M. Mitchell and A. G. Long. 2002. "Alliance Treaty Obligations and
    Provisions, 1815-1944." *International Interactions* 28: 237-260.
    """
    check_panel(panel, "dyad_year", step="add_alliances()")
    attrs = new_attrs(panel)
    c1, c2 = panel["ccode1"].to_numpy(), panel["ccode2"].to_numpy()
    years = panel["year"].to_numpy().astype("int64")
    dy = load_source("atop_dyads", data_dir)
    first, last = coverage("atop_dyads")
    look = np.minimum(years, last) if mry else years
    vals = dyad_values(dy, list(ATOP_FLAGS), c1, c2, look, symmetric=False)
    inside = (look >= first) & (look <= last)
    new: dict[str, np.ndarray] = {}
    for col in ATOP_FLAGS:
        v = vals[col]
        v[inside & np.isnan(v)] = 0.0
        v[~inside] = np.nan
        new[col] = v
    new["atop_any"] = np.fmax.reduce([new[c] for c in ATOP_FLAGS])  # NaN stays NaN outside coverage
    stamp(attrs, "atop_dyads", str(dy.attrs.get("version", "5.1")), [*ATOP_FLAGS, "atop_any"],
          coverage=(first, last), mry=mry)
    if counts:
        members = load_source("atop_members", data_dir)
        f2, l2 = coverage("atop_members")
        pairs = shared_alliance_table(members)
        index = CcodeIndex(np.concatenate([pd.unique(c1), pd.unique(c2)]))  # only the panel's states
        look2 = np.minimum(years, l2) if mry else years
        span = cube_years(look2, f2, l2)
        for col, sel in (("atop_alliances", slice(None)), ("atop_defense_pacts", pairs["defense"] > 0)):
            if span is None:
                new[col] = np.full(len(panel), np.nan)
                continue
            p = pairs[sel]
            cube = interval_cube(p["ccode1"].to_numpy(), p["ccode2"].to_numpy(), p["start"].to_numpy(),
                                 p["end"].to_numpy(), index, *span)
            new[col] = dyad_lookup(cube, span[0], index, c1, c2, look2)
        stamp(attrs, "atop_members", str(members.attrs.get("version", "4.01")),
              ["atop_alliances", "atop_defense_pacts"], coverage=(f2, l2), mry=mry)
    return finish(panel, new, attrs, data_dir=data_dir)
