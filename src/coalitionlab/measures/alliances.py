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
    dyad_values,
    finish,
    interval_cube,
    load_source,
    new_attrs,
    pick_column,
    stamp,
    year_coverage,
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
        The flags' years are those the loaded dyad-year table holds: a year without rows (a file
        missing a year) is NaN, with a :class:`~coalitionlab.errors.StaleDataWarning`, never 0; ``mry``
        carries the last year present. ``attrs["columns"]`` records ``coverage`` and any ``gaps``.

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
    years = panel["year"].to_numpy().astype("int64", copy=False)
    index = CcodeIndex(np.concatenate([pd.unique(c1), pd.unique(c2)]))  # only the panel's states
    i, j = index(c1, dtype="int32"), index(c2, dtype="int32")
    dy = load_source("atop_dyads", data_dir)
    cov = year_coverage("atop_dyads", dy)  # the years the table holds: a year without rows is NaN, not 0
    first, last = cov.first, cov.last
    look = np.minimum(years, last) if mry else years
    inside = cov.inside(look)
    cov.warn(look, "add_alliances()")
    new: dict[str, np.ndarray] = _flags(dy, index, c1, c2, i, j, look, inside)
    stamp(attrs, "atop_dyads", str(dy.attrs.get("version", "5.1")), [*ATOP_FLAGS, "atop_any"],
          coverage=(first, last), mry=mry, gaps=cov.gaps)
    if counts:
        members = load_source("atop_members", data_dir)
        f2, l2 = coverage("atop_members")
        pairs = shared_alliance_table(members)
        look2 = np.minimum(years, l2) if mry else years
        span = cube_years(look2, f2, l2)
        if span is None:
            new["atop_alliances"] = np.full(len(panel), np.nan)
            new["atop_defense_pacts"] = np.full(len(panel), np.nan)
        else:
            # both counts from one event cube: alliances in the low bits, defence pacts above them (a
            # count never exceeds the number of alliances, so ``shift`` bits hold it)
            shift = max(1, int(pairs["atopid"].nunique()).bit_length())
            wide = "int32" if 2 * shift <= 31 else "int64"
            weight = 1 + (pairs["defense"].to_numpy() > 0).astype(wide) * (1 << shift)
            cube = interval_cube(pairs["ccode1"].to_numpy(), pairs["ccode2"].to_numpy(), pairs["start"].to_numpy(),
                                 pairs["end"].to_numpy(), index, *span, weight=weight, dtype=wide)
            packed = _gather(cube, span[0], i, j, look2)
            del cube
            new["atop_alliances"] = np.fmod(packed, 1 << shift)  # NaN (off the cube) stays NaN
            packed /= 1 << shift  # exact: a power of two
            new["atop_defense_pacts"] = np.floor(packed, out=packed)
        stamp(attrs, "atop_members", str(members.attrs.get("version", "4.01")),
              ["atop_alliances", "atop_defense_pacts"], coverage=(f2, l2), mry=mry)
    del i, j  # freed before finish() builds the existence mask: a lower peak
    return finish(panel, new, attrs, data_dir=data_dir, owned=True)


def _gather(cube: np.ndarray, first_year: int, i: np.ndarray, j: np.ndarray, year: np.ndarray) -> np.ndarray:
    """``cube[year - first_year, i, j]`` as float64, NaN for years off the cube (``i, j >= 0``)."""
    t = np.asarray(year) - first_year
    on = (t >= 0) & (t < cube.shape[0])
    out = np.full(len(t), np.nan)
    if on.all():
        out[:] = cube.reshape(-1)[_cells(year, first_year, cube.shape[1], i, j)]
    else:
        out[on] = cube.reshape(-1)[_cells(np.asarray(year)[on], first_year, cube.shape[1], i[on], j[on])]
    return out


def _cells(year: np.ndarray, first_year: int, K: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Flat positions ``((year - first_year) * K + i) * K + j`` in a (year x K x K) cube, built in place."""
    cell = np.subtract(year, first_year, dtype="int64")
    cell *= K
    cell += i
    cell *= K
    cell += j
    return cell


def _flags(dy: pd.DataFrame, index: CcodeIndex, c1: np.ndarray, c2: np.ndarray, i: np.ndarray, j: np.ndarray,
           look: np.ndarray, inside: np.ndarray) -> dict[str, np.ndarray]:
    """The ATOP 5.1 obligation flags and ``atop_any`` of the panel rows ``(look, i, j)``.

    The flags of the table's dyad-years in the panel's years are packed into the bits of one uint8
    (year x state x state) cube, and each panel row reads one cell; a dyad-year the table does not
    list is 0 inside coverage, every row outside coverage NaN (the first row wins for a duplicated
    dyad-year, as in :func:`dyad_values`). A table whose flags are not all 0/1 (or missing) is
    looked up by :func:`dyad_values` instead.
    """
    vals = {c: pd.to_numeric(dy[c], errors="coerce").to_numpy(dtype="float64", na_value=np.nan) for c in ATOP_FLAGS}
    binary = all(bool(np.isin(v[~np.isnan(v)], (0.0, 1.0)).all()) for v in vals.values())
    new: dict[str, np.ndarray] = {}
    wanted = look[inside]
    if binary and len(wanted):
        y0, y1 = int(wanted.min()), int(wanted.max())
        K = len(index)
        ti = dy["year"].to_numpy().astype("int64") - y0
        a, b = index(dy["ccode1"].to_numpy()), index(dy["ccode2"].to_numpy())
        ok = (ti >= 0) & (ti <= y1 - y0) & (a >= 0) & (b >= 0)
        key = (ti[ok] * K + a[ok]) * K + b[ok]
        bits = np.zeros(int(ok.sum()), dtype="uint8")
        for k, col in enumerate(ATOP_FLAGS):
            bits |= (np.nan_to_num(vals[col][ok]) > 0).astype("uint8") << k
        key, first_row = np.unique(key, return_index=True)
        cube = np.zeros((y1 - y0 + 1) * K * K, dtype="uint8")
        cube[key] = bits[first_row]
        if inside.all():
            packed = cube[_cells(look, y0, K, i, j)]
        else:
            packed = np.zeros(len(look), dtype="uint8")
            packed[inside] = cube[_cells(wanted, y0, K, i[inside], j[inside])]
        for k, col in enumerate(ATOP_FLAGS):
            v = ((packed >> k) & 1).astype("float64")
            v[~inside] = np.nan
            new[col] = v
        anyv = (packed > 0).astype("float64")
        anyv[~inside] = np.nan
        new["atop_any"] = anyv
        return new
    looked = dyad_values(dy, list(ATOP_FLAGS), c1, c2, look, symmetric=False)
    for col in ATOP_FLAGS:
        v = looked[col]
        v[inside & np.isnan(v)] = 0.0
        v[~inside] = np.nan
        new[col] = v
    new["atop_any"] = np.fmax.reduce([new[c] for c in ATOP_FLAGS])  # NaN stays NaN outside coverage
    return new
