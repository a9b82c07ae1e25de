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
    nullable_counts,
    one_arrow_thread,
    pick_column,
    release_memory,
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
        (5.1: 1815-2018; v4.01: 1815-2016), missing outside, and missing where either state was not a
        COW system member that year (``attrs["existence"]``; absence from ATOP means "no alliance").
        The flags are pandas nullable ``Int8`` and the counts ``Int16`` columns: a missing value is
        ``<NA>`` (``to_numpy("float64", na_value=np.nan)`` gives NaN), never 0. (A flag table whose
        values are not all 0/1 gives float64 flags, NaN for missing.)
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
    years = panel["year"].to_numpy()  # int16 keys: no int64 copy (every use below casts or names its type)
    index = CcodeIndex(np.concatenate([pd.unique(c1), pd.unique(c2)]))  # only the panel's states
    with one_arrow_thread(len(panel)):  # a large panel: see one_arrow_thread
        dy = load_source("atop_dyads", data_dir)
    release_memory(len(panel))  # what reading the Parquet file left behind goes back
    cov = year_coverage("atop_dyads", dy)  # the years the table holds: a year without rows is NaN, not 0
    first, last = cov.first, cov.last
    look = np.minimum(years, last) if mry else years
    inside = cov.inside(look)
    cov.warn(look, "add_alliances()")
    stamp(attrs, "atop_dyads", str(dy.attrs.get("version", "5.1")), [*ATOP_FLAGS, "atop_any"],
          coverage=(first, last), mry=mry, gaps=cov.gaps)
    cells = _flag_cells(dy, index, look, inside)
    looked_up = None if cells is not None else _flag_lookup(dy, c1, c2, look, inside)
    del dy  # the table's memory goes back before the cube and the panel-length arrays are made
    release_memory(len(panel))
    cube = None
    if cells is not None:
        key, bits, y0, y1 = cells
        del cells
        cube = np.zeros((y1 - y0 + 1) * len(index) * len(index), dtype="uint8")
        cube[key] = bits
        del key, bits
    positions = "int16" if len(index) <= np.iinfo("int16").max else "int32"  # state positions: < 1,000 states
    i, j = index(c1, dtype=positions), index(c2, dtype=positions)
    new: dict[str, np.ndarray | pd.arrays.IntegerArray] = (
        looked_up if cube is None else _read_flags(cube, y0, len(index), i, j, look, inside))
    del cube, looked_up, inside
    if counts:
        with one_arrow_thread(len(panel)):
            members = load_source("atop_members", data_dir)
        f2, l2 = coverage("atop_members")
        pairs = shared_alliance_table(members)
        look2 = np.minimum(years, l2) if mry else years
        span = cube_years(look2, f2, l2)
        # a count never exceeds the number of alliances: ``shift`` bits hold it
        shift = max(1, int(pairs["atopid"].nunique()).bit_length())
        count_dtype = "int16" if shift <= 15 else "int32" if shift <= 31 else "int64"
        if span is None:
            for col in ("atop_alliances", "atop_defense_pacts"):
                new[col] = nullable_counts(np.zeros(len(panel), dtype=count_dtype), np.ones(len(panel), dtype=bool))
        else:
            # both counts from one event cube: alliances in the low bits, defence pacts above them
            wide = "int32" if 2 * shift <= 31 else "int64"
            weight = 1 + (pairs["defense"].to_numpy() > 0).astype(wide) * (1 << shift)
            cube = interval_cube(pairs["ccode1"].to_numpy(), pairs["ccode2"].to_numpy(), pairs["start"].to_numpy(),
                                 pairs["end"].to_numpy(), index, *span, weight=weight, dtype=wide)
            packed, off = _gather(cube, span[0], i, j, look2)
            del cube
            # missing (<NA>) off the cube: outside ATOP v4.01's years
            new["atop_alliances"] = nullable_counts((packed & ((1 << shift) - 1)).astype(count_dtype), off)
            packed >>= shift
            new["atop_defense_pacts"] = nullable_counts(packed.astype(count_dtype), off)
            del packed, off
        stamp(attrs, "atop_members", str(members.attrs.get("version", "4.01")),
              ["atop_alliances", "atop_defense_pacts"], coverage=(f2, l2), mry=mry)
    del i, j  # freed before finish() builds the existence mask: a lower peak
    return finish(panel, new, attrs, data_dir=data_dir, owned=True)


def _gather(cube: np.ndarray, first_year: int, i: np.ndarray, j: np.ndarray,
            year: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """``cube[year - first_year, i, j]`` (``i, j >= 0``) and where the year is off the cube (``None``: nowhere;
    the value there is 0, to be masked)."""
    year = np.asarray(year)
    on = (year >= first_year) & (year < first_year + cube.shape[0])
    if on.all():
        return cube.reshape(-1)[_cells(year, first_year, cube.shape[1], i, j, cube.size)], None
    out = np.zeros(len(year), dtype=cube.dtype)
    out[on] = cube.reshape(-1)[_cells(year[on], first_year, cube.shape[1], i[on], j[on], cube.size)]
    return out, ~on


def _cells(year: np.ndarray, first_year: int, K: int, i: np.ndarray, j: np.ndarray, size: int) -> np.ndarray:
    """Flat positions ``((year - first_year) * K + i) * K + j`` in a (year x K x K) cube of ``size`` cells,
    built in place (int32 when the cube has fewer than 2**31 cells)."""
    cell = np.subtract(year, first_year, dtype="int32" if size < 2**31 else "int64")
    cell *= K
    cell += i
    cell *= K
    cell += j
    return cell


def _flag_values(dy: pd.DataFrame, col: str) -> np.ndarray:
    """One ATOP flag column of the dyad-year table as float64 (NaN for missing or unreadable)."""
    return pd.to_numeric(dy[col], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _flag_cells(dy: pd.DataFrame, index: CcodeIndex, look: np.ndarray,
                inside: np.ndarray) -> tuple[np.ndarray, np.ndarray, int, int] | None:
    """The ATOP 5.1 obligation flags of the table's dyad-years in the years read, packed into the bits of
    one uint8 each, and their cells in a flat (year x state x state) cube of years ``y0..y1``:
    ``(cells, bits, y0, y1)``, the cells sorted and distinct.

    A dyad-year the table does not list is 0 (no cell); the first row wins for a duplicated dyad-year,
    as in :func:`dyad_values`. ``None`` when the table's flags are not all 0/1 (or missing), or no year
    is read inside the coverage: then :func:`_flag_lookup` reads them.
    """
    binary = True
    for col in ATOP_FLAGS:  # one column at a time: no five float copies of the table at once
        v = _flag_values(dy, col)
        binary &= bool(np.isin(v[~np.isnan(v)], (0.0, 1.0)).all())
    read = look if inside.all() else look[inside]
    if not binary or not len(read):
        return None
    y0, y1 = int(read.min()), int(read.max())
    del read
    K = len(index)
    ti = dy["year"].to_numpy().astype("int64") - y0
    a, b = index(dy["ccode1"].to_numpy()), index(dy["ccode2"].to_numpy())
    ok = (ti >= 0) & (ti <= y1 - y0) & (a >= 0) & (b >= 0)
    key = (ti[ok] * K + a[ok]) * K + b[ok]
    del ti, a, b
    bits = np.zeros(len(key), dtype="uint8")
    for k, col in enumerate(ATOP_FLAGS):
        bits |= (np.nan_to_num(_flag_values(dy, col)[ok]) > 0).astype("uint8") << k
    key, first_row = np.unique(key, return_index=True)
    return key, bits[first_row], y0, y1


def _read_flags(cube: np.ndarray, y0: int, K: int, i: np.ndarray, j: np.ndarray, look: np.ndarray,
                inside: np.ndarray) -> dict[str, pd.arrays.IntegerArray]:
    """The flags and ``atop_any`` of the panel rows ``(look, i, j)`` from the cube of :func:`_flag_cells`:
    nullable ``Int8`` columns, 0/1 inside the coverage and ``<NA>`` outside it."""
    all_inside = bool(inside.all())
    if all_inside:
        packed = cube[_cells(look, y0, K, i, j, cube.size)]
    else:
        packed = np.zeros(len(look), dtype="uint8")
        packed[inside] = cube[_cells(look[inside], y0, K, i[inside], j[inside], cube.size)]
    outside = None if all_inside else ~inside
    new = {col: nullable_counts(np.bitwise_and(packed >> k, 1).view("int8"), outside)
           for k, col in enumerate(ATOP_FLAGS)}
    new["atop_any"] = nullable_counts(np.not_equal(packed, 0).view("int8"), outside)
    return new


def _flag_lookup(dy: pd.DataFrame, c1: np.ndarray, c2: np.ndarray, look: np.ndarray,
                 inside: np.ndarray) -> dict[str, np.ndarray | pd.arrays.IntegerArray]:
    """The flags and ``atop_any`` by :func:`dyad_values`, for a table :func:`_flag_cells` does not take: float64
    columns (NaN outside the coverage) for flags that are not all 0/1, ``<NA>`` ``Int8`` ones when no
    year is read inside the coverage."""
    if not inside.any():  # no year inside coverage: every flag missing
        return {col: nullable_counts(np.zeros(len(look), dtype="int8"), np.ones(len(look), dtype=bool))
                for col in (*ATOP_FLAGS, "atop_any")}
    looked = dyad_values(dy, list(ATOP_FLAGS), c1, c2, look, symmetric=False)
    new: dict[str, np.ndarray | pd.arrays.IntegerArray] = {}
    for col in ATOP_FLAGS:
        v = looked[col]
        v[inside & np.isnan(v)] = 0.0
        v[~inside] = np.nan
        new[col] = v
    new["atop_any"] = np.fmax.reduce([new[c] for c in ATOP_FLAGS])  # NaN stays NaN outside coverage
    return new
