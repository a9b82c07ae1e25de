"""Unit frames in the style of peacesciencer: state-years and dyad-years from the COW state system."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd

from coalitionlab._validation import check_option
from coalitionlab.errors import CoverageError
from coalitionlab.measures._common import SourceChoice, check_panel, resolve_source

__all__ = ["check_panel", "create_dyadyears", "create_stateyears", "parse_years", "system_spells"]

System = Literal["cow"]


def parse_years(spec: str | int | Iterable[int] | None) -> list[int] | None:
    """Turn ``"1950:2014"``, ``"2003"``, ``"1990,1995"``, an int or an iterable of ints into a sorted year list.

    Examples
    --------
    >>> parse_years("2001:2003")
    [2001, 2002, 2003]
    >>> parse_years([1995, 1990])
    [1990, 1995]
    """
    if spec is None:
        return None
    if isinstance(spec, str):
        years: list[int] = []
        for part in spec.replace(" ", "").split(","):
            if not part:
                continue
            try:
                lo, hi = (int(y) for y in part.split(":", 1)) if ":" in part else (int(part), int(part))
            except ValueError:
                raise CoverageError(f"cannot read years {spec!r}; write e.g. '1950:2014' or '1990,1995'") from None
            if lo > hi:  # range() would quietly give no years
                raise CoverageError(f"years {part!r} run backwards; write the first year first, e.g. '{hi}:{lo}'")
            years.extend(range(lo, hi + 1))
        return sorted(set(years))
    if isinstance(spec, (int, np.integer)):
        return [int(spec)]
    out = set()
    for y in spec:
        if int(y) != y:  # 2003.5 is not a year (int() would quietly make it 2003)
            raise CoverageError(f"cannot read year {y!r} in {spec!r}; years are whole numbers")
        out.add(int(y))
    return sorted(out)


def _crosswalk_spells() -> pd.DataFrame:
    """The COW v2024 spells shipped with the package's country crosswalk (no data directory needed)."""
    from coalitionlab.data import countries

    spells = countries.cow_system()
    ends = pd.to_datetime(spells["end_date"]).fillna(pd.Timestamp("2024-12-31"))
    names = countries.country_name(spells["ccode"].to_numpy(), date=ends.dt.strftime("%Y-%m-%d").to_numpy())
    out = spells.assign(statenme=np.asarray(names, dtype=object), end_date=ends)
    out.attrs = {"source": "cow_states", "version": "2024 (crosswalk copy)", "is_seed": True}
    return out


def system_spells(data_dir: str | os.PathLike | None = None, *, source: SourceChoice = "auto") -> pd.DataFrame:
    """COW state-system spells: ``ccode, stateabb, statenme, start_date, end_date`` (datetime64).

    Read through ``coalitionlab.data.load("cow_states")``; with ``source="auto"`` and no data
    directory, the copy of the same COW v2024 list shipped with the country crosswalk is used
    (with a :class:`~coalitionlab.errors.SeedDataWarning`). ``attrs`` carries the version and
    ``is_seed``.
    """
    states, is_seed = resolve_source("cow_states", data_dir, source, _crosswalk_spells, what="state system")
    out = states[["ccode", "stateabb", "statenme", "start_date", "end_date"]].copy()
    out["start_date"] = pd.to_datetime(out["start_date"])
    out["end_date"] = pd.to_datetime(out["end_date"])
    out["ccode"] = out["ccode"].astype("int64")
    out.attrs = {"source": "cow_states", "version": str(states.attrs.get("version", "unknown")),
                 "is_seed": bool(is_seed)}
    return out


#: dtypes of the key columns of the panels: COW ccodes (2-990) and years (1816-2024) fit int16, which
#: keeps a 1.8-million-row dyad-year panel's keys at 11 MB instead of 44 MB. Arithmetic that can leave
#: the int16 range (``year * 1000 + ccode`` ...) must cast to int64 first, as ``_common._key`` does.
KEY_DTYPE = "int16"


def _state_year_days(spells: pd.DataFrame, years: list[int] | None) -> pd.DataFrame:
    """One row per ccode x year of membership, with the first and last member day inside that year.

    Sorted by year and ccode; ``ccode`` and ``year`` are :data:`KEY_DTYPE`.
    """
    y0 = spells["start_date"].dt.year.to_numpy("int64")
    y1 = spells["end_date"].dt.year.to_numpy("int64")
    n = y1 - y0 + 1
    rows = np.repeat(np.arange(len(spells)), n)
    year = y0[rows] + (np.arange(len(rows)) - np.repeat(np.cumsum(n) - n, n))
    if years is not None:
        keep = np.isin(year, years)
        rows, year = rows[keep], year[keep]
    sd = spells["start_date"].to_numpy("datetime64[D]")[rows]
    ed = spells["end_date"].to_numpy("datetime64[D]")[rows]
    jan1 = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    dec31 = (year - 1969).astype("datetime64[Y]").astype("datetime64[D]") - np.timedelta64(1, "D")
    sy = pd.DataFrame({
        "ccode": spells["ccode"].to_numpy()[rows].astype(KEY_DTYPE),
        "year": year.astype(KEY_DTYPE),
        "first_day": np.maximum(sd, jan1),
        "last_day": np.minimum(ed, dec31),
    })
    # a state with two spells in one year (exit and re-entry) is one state-year
    sy = sy.groupby(["year", "ccode"], as_index=False, sort=True).agg(first_day=("first_day", "min"),
                                                                      last_day=("last_day", "max"))
    return sy.reset_index(drop=True)


def _check_years(years: list[int] | None, spells: pd.DataFrame) -> None:
    if years is None:
        return
    lo, hi = int(spells["start_date"].dt.year.min()), int(spells["end_date"].dt.year.max())
    bad = [y for y in years if not lo <= y <= hi]
    if bad:
        raise CoverageError(f"year(s) {bad[:5]} outside the COW state system ({lo}-{hi}); pick years in {lo}:{hi}")
    if not years:
        raise CoverageError("no years requested; pass e.g. years=range(1950, 2015)")


def create_stateyears(system: System = "cow", *, years: str | int | Iterable[int] | None = None,
                      data_dir: str | os.PathLike | None = None, source: SourceChoice = "auto") -> pd.DataFrame:
    """All state-years of the state system: one row per system member and year.

    A state counts in a year if it was a member on any day of that year (peacesciencer's rule).

    Parameters
    ----------
    system
        The state system; only ``"cow"`` (COW State System Membership v2024) is available.
    years
        Years to keep (an iterable or a ``"1950:2014"`` string); default every system year.
    data_dir
        Data directory (see :func:`coalitionlab.data.resolve_data_dir`).
    source
        ``"full"`` the COW state list in the data directory, ``"seed"`` the copy shipped with the
        crosswalk, ``"auto"`` the first when present (else the second, with a warning).

    Returns
    -------
    pandas.DataFrame
        Columns ``ccode, year`` (int16, :data:`KEY_DTYPE`), ``stateabb, statenme``; ``attrs`` has
        ``unit="state_year"``, ``system``, ``sources`` and ``years``.

    Raises
    ------
    UnknownOptionError
        For a system other than ``"cow"``.
    CoverageError
        For years outside the state system.

    References
    ----------
    Correlates of War Project. 2024. "State System Membership List, v2024."
    Miller, S. V. 2022. "peacesciencer." *Conflict Management and Peace Science* 39(6).
    """
    check_option(system, ["cow"], name="system")
    spells = system_spells(data_dir, source=source)
    yrs = parse_years(years)
    _check_years(yrs, spells)
    sy = _state_year_days(spells, yrs)
    names = spells.drop_duplicates("ccode", keep="last").set_index("ccode")
    out = pd.DataFrame({
        "ccode": sy["ccode"].to_numpy(),
        "year": sy["year"].to_numpy(),
        "stateabb": names["stateabb"].reindex(sy["ccode"]).to_numpy(),
        "statenme": names["statenme"].reindex(sy["ccode"]).to_numpy(),
    }, copy=False)
    out.attrs = {
        "unit": "state_year", "system": system, "directed": None,
        "sources": {"cow_states": spells.attrs["version"]}, "columns": {}, "mry": {},
        "is_seed": spells.attrs["is_seed"],
        "years": [int(out["year"].min()), int(out["year"].max())] if len(out) else [],
    }
    return out


def create_dyadyears(system: System = "cow", *, directed: bool = True, years: str | int | Iterable[int] | None = None,
                     data_dir: str | os.PathLike | None = None, source: SourceChoice = "auto") -> pd.DataFrame:
    """All dyad-years of the state system: pairs of states that were members at the same time that year.

    Pairs whose membership spells do not overlap within the year (one left before the other
    entered: peacesciencer's "false dyads") are left out.

    Parameters
    ----------
    system
        ``"cow"`` only.
    directed
        ``True``: both (a, b) and (b, a); ``False``: one row per pair with ``ccode1 < ccode2``.
    years
        Years to keep (an iterable or ``"1950:2014"``); default every system year.
    data_dir
        Data directory.
    source
        As in :func:`create_stateyears`.

    Returns
    -------
    pandas.DataFrame
        Columns ``ccode1, ccode2, year`` (int16, :data:`KEY_DTYPE`: 6 bytes a row) sorted by year,
        ccode1, ccode2; ``attrs`` has ``unit="dyad_year"``, ``system``, ``directed`` and ``sources``.

    Raises
    ------
    UnknownOptionError, CoverageError

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # no data directory: the crosswalk's copy of the list
    ...     dy = create_dyadyears(years=[1816], directed=False)
    >>> dy.attrs["unit"], len(dy)
    ('dyad_year', 253)
    """
    check_option(system, ["cow"], name="system")
    spells = system_spells(data_dir, source=source)
    yrs = parse_years(years)
    _check_years(yrs, spells)
    sy = _state_year_days(spells, yrs)
    year_vals, starts, counts = np.unique(sy["year"].to_numpy(), return_index=True, return_counts=True)
    c1, c2, year = _dyads(sy["ccode"].to_numpy(), sy["first_day"].to_numpy(), sy["last_day"].to_numpy(),
                          year_vals, starts, counts, directed=directed)
    out = pd.DataFrame({"ccode1": c1, "ccode2": c2, "year": year}, copy=False)
    out.attrs = {
        "unit": "dyad_year", "system": system, "directed": bool(directed),
        "sources": {"cow_states": spells.attrs["version"]}, "columns": {}, "mry": {},
        "is_seed": spells.attrs["is_seed"],
        "years": [int(year_vals.min()), int(year_vals.max())] if len(year_vals) else [],
    }
    return out


def _dyads(ccode: np.ndarray, first: np.ndarray, last: np.ndarray, year_vals: np.ndarray, starts: np.ndarray,
           counts: np.ndarray, *, directed: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The dyad-years of state-years grouped by year: ``ccode1, ccode2, year`` (:data:`KEY_DTYPE`).

    One vectorised block per year (~200), never a loop per dyad: the pairs of the year's ``n``
    states whose member days overlap, as an ``n x n`` boolean table (the largest, 2024, is 195 x
    195). The tables are kept (1.8 MB for 1816-2024) and the output arrays allocated once at their
    final size, so no full-length int64 index or intermediate copy is ever made. Rows come out
    sorted by year, ccode1, ccode2 (``ccode`` is sorted within each year).
    """
    masks = []
    for o, n in zip(starts, counts, strict=True):
        f, la = first[o:o + n], last[o:o + n]
        # overlap of [f_i, l_i] and [f_j, l_j]: max(f_i, f_j) <= min(l_i, l_j)
        ok = (f[:, None] <= la[None, :]) & (f[None, :] <= la[:, None])
        ok = ok & ~np.eye(n, dtype=bool) if directed else np.triu(ok, 1)
        masks.append(ok)
    sizes = np.fromiter((int(m.sum()) for m in masks), dtype="int64", count=len(masks))
    total = int(sizes.sum())
    c1 = np.empty(total, dtype=KEY_DTYPE)
    c2 = np.empty(total, dtype=KEY_DTYPE)
    year = np.repeat(year_vals.astype(KEY_DTYPE), sizes)
    pos = 0
    for o, ok, size in zip(starts, masks, sizes, strict=True):
        i, j = np.nonzero(ok)  # row-major: by i, then j
        block = slice(pos, pos + int(size))
        c1[block] = ccode[o + i]
        c2[block] = ccode[o + j]
        pos += int(size)
    return c1, c2, year
