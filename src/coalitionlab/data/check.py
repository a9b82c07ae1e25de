"""Validate every registered source present in a data directory, one row per source.

Besides loading (which validates each file against its schema: columns, types, ranges, COW codes, no
empty file), the check compares the years a source actually holds with the years it should hold. How
a source's years are counted is its schema's :class:`~coalitionlab.data.schemas.Years` rule:

* ``rows`` (a panel): every year of the registry's coverage must have rows; a year without rows is a gap.
* ``spells``: records run from a start to an end year; a year between the first and the last year the
  records cover that no record covers is a gap.
* ``events``: a year may have no event, so no year is a gap (the years present are still reported).

Years listed in a schema's ``known_gaps`` (the UN General Assembly held no recorded vote in 1964) are
not flagged. A source with a gap gets the status ``GAPS``: its measures are NaN in the missing years,
never 0, but the file is probably cut or damaged.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from coalitionlab.data.paths import resolve_data_dir
from coalitionlab.data.registry import Source, get_source, load, sources
from coalitionlab.errors import CoalitionlabError, MissingDataError

#: Columns of :func:`check_sources`.
COLUMNS = ["source", "version", "rows", "first_year", "last_year", "years_expected", "years_present", "gaps",
           "status", "detail"]
#: At most this many ranges are written out in ``years_present`` (the rest are counted).
MAX_RANGES = 12


def compact_years(years: Iterable[int], *, limit: int | None = None) -> str:
    """Years as compact ranges: ``[1990, 1995, 1996]`` -> ``"1990, 1995-1996"``.

    ``limit`` writes out at most that many ranges and counts the others.

    Examples
    --------
    >>> compact_years([1995, 1990, 1996, 1997, 2001])
    '1990, 1995-1997, 2001'
    >>> compact_years([])
    ''
    >>> compact_years([1, 3, 5, 7], limit=2)
    '1, 3, ... (2 more ranges)'
    """
    y = np.unique(np.asarray(list(years), dtype="int64"))
    if not len(y):
        return ""
    breaks = np.flatnonzero(np.diff(y) != 1)
    starts = np.concatenate([[y[0]], y[breaks + 1]])
    ends = np.concatenate([y[breaks], [y[-1]]])
    parts = [f"{a}" if a == b else f"{a}-{b}" for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    if limit is not None and len(parts) > limit:
        return ", ".join(parts[:limit]) + f", ... ({len(parts) - limit} more ranges)"
    return ", ".join(parts)


def _years_of(values: pd.Series) -> np.ndarray:
    """Years of an integer year column or a date column, as float (missing: NaN)."""
    if values.dtype.kind in "iu":  # a plain int64 year column: no parsing
        return values.to_numpy().astype("float64")
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.year.to_numpy(dtype="float64", na_value=np.nan)
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _distinct(years: np.ndarray) -> np.ndarray:
    """Sorted distinct whole years of a float array (NaN dropped), by counting: no sort of millions of rows."""
    y = years[~np.isnan(years)].astype("int64")
    if not len(y):
        return y
    lo = int(y.min())
    return np.flatnonzero(np.bincount(y - lo)) + lo


def years_present(df: pd.DataFrame, source: Source | str) -> np.ndarray:
    """The years a loaded source holds, counted by its schema's ``Years`` rule (sorted int64).

    ``rows`` and ``events``: the distinct years of the rule's column. ``spells``: every year from a
    record's start to its end (an empty end, or no end column: the source's last year), limited to the
    registry's coverage. ``none``: an empty array.

    Examples
    --------
    >>> import pandas as pd
    >>> years_present(pd.DataFrame({"ccode": [2, 2, 20], "year": [1990, 1992, 1992]}), "cow_igo_roster").tolist()
    [1990, 1992]
    """
    src = get_source(source) if isinstance(source, str) else source
    rule = src.schema.metadata["years"] if src.schema is not None else None
    if rule is None or rule.basis == "none" or not len(df):
        return np.zeros(0, dtype="int64")
    start = _years_of(df[rule.start])
    if rule.basis != "spells":
        return _distinct(start)
    end = _years_of(df[rule.end]) if rule.end else np.full(len(df), np.nan)
    end = np.where(np.isnan(end), src.last_year, end)
    ok = ~np.isnan(start)
    lo, hi = src.first_year, src.last_year
    a = np.clip(start[ok], lo, hi + 1).astype("int64") - lo
    b = np.clip(np.maximum(end[ok], start[ok]), lo - 1, hi).astype("int64") - lo + 1  # exclusive
    keep = b > a
    diff = np.zeros(hi - lo + 2, dtype="int64")
    np.add.at(diff, a[keep], 1)
    np.add.at(diff, b[keep], -1)
    return np.flatnonzero(np.cumsum(diff)[:-1] > 0) + lo


def year_gaps(present: np.ndarray, source: Source | str) -> np.ndarray:
    """The years missing from ``present`` by the source's ``Years`` rule (known gaps left out).

    ``rows``: every year of the registry's coverage is expected. ``spells``: the years between the
    first and the last year present. ``events`` and ``none``: nothing is expected (no gaps).

    Examples
    --------
    >>> year_gaps(np.array([1816, 1817, 1819]), "cow_igo_roster")[:3].tolist()
    [1818, 1820, 1821]
    >>> year_gaps(np.arange(1946, 2024), "un_ideal_points").tolist()  # 1964 is a known gap
    []
    """
    src = get_source(source) if isinstance(source, str) else source
    rule = src.schema.metadata["years"] if src.schema is not None else None
    if rule is None or rule.basis in ("events", "none"):
        return np.zeros(0, dtype="int64")
    if rule.basis == "rows":
        expected = np.arange(src.first_year, src.last_year + 1)
    elif len(present):
        expected = np.arange(int(present.min()), int(present.max()) + 1)
    else:
        expected = np.zeros(0, dtype="int64")
    missing = np.setdiff1d(expected, present)
    return missing[~np.isin(missing, list(rule.known_gaps))]


def _manifest_problems(root: Path, folder: str, files: tuple[str, ...], done: dict) -> str:
    """Checksum problems of the source's files by the folder's ``SHA256SUMS`` (``""``: none, or no manifest).

    Uses :func:`coalitionlab.data.fetch.verify_manifest` when that exists (it reads back the manifest
    that ``coalitionlab data fetch`` writes and reports each file ``ok``, ``mismatch`` or ``missing``).
    """
    if folder not in done:
        done[folder] = None
        try:
            from coalitionlab.data.fetch import verify_manifest
        except ImportError:  # not available in this version: nothing to compare
            return ""
        if (root / folder / "SHA256SUMS").is_file():
            try:
                done[folder] = verify_manifest(root / folder)
            except (CoalitionlabError, OSError, ValueError) as exc:
                done[folder] = f"cannot read {folder}/SHA256SUMS ({exc})"
    report = done[folder]
    if report is None:
        return ""
    if isinstance(report, str):
        return report
    if not {"file", "status"} <= set(report.columns):
        return ""
    names = report["file"].astype(str).map(lambda f: Path(f).name)
    bad = report[names.isin(files).to_numpy() & (report["status"].astype(str) == "mismatch").to_numpy()]
    if not len(bad):
        return ""
    return f"checksum differs from {folder}/SHA256SUMS: {', '.join(map(str, bad['file']))}"


def _check_one(name: str, root: Path, manifests: dict) -> dict:
    source = get_source(name)
    row: dict = {"source": name, "version": source.version, "rows": pd.NA, "first_year": pd.NA,
                 "last_year": pd.NA, "years_expected": f"{source.first_year}-{source.last_year}",
                 "years_present": "", "gaps": "", "status": "valid", "detail": ""}
    try:
        df = load(name, root)
    except MissingDataError as exc:
        row["status"], row["detail"] = "absent", str(exc)
        return row
    except CoalitionlabError as exc:
        row["status"], row["detail"] = "INVALID", str(exc)
        return row
    except Exception as exc:  # noqa: BLE001 - a reader bug must still give one line, never a traceback
        row["status"], row["detail"] = "INVALID", f"cannot read the source: {type(exc).__name__}: {exc}"
        return row
    row["rows"] = len(df)
    rule = source.schema.metadata.get("years") if source.schema is not None else None
    try:
        present = years_present(df, source)
        gaps = year_gaps(present, source)
    except Exception as exc:  # noqa: BLE001 - reported as one line
        row["status"], row["detail"] = "INVALID", f"cannot count the years: {type(exc).__name__}: {exc}"
        return row
    if len(present):
        row["first_year"], row["last_year"] = int(present.min()), int(present.max())
    row["years_present"] = compact_years(present, limit=MAX_RANGES)
    row["gaps"] = compact_years(gaps)
    notes = [f"years: {rule.describe()}"] if rule is not None else []
    if len(gaps):
        row["status"] = "GAPS"
        notes.insert(0, f"no rows for {compact_years(gaps)} inside the expected years "
                        f"{row['years_expected']}; measures read there are NaN")
    checksum = _manifest_problems(root, source.folder, source.files, manifests)
    if checksum:
        row["status"] = "INVALID"
        notes.insert(0, checksum)
    row["detail"] = "; ".join(notes)
    return row


def check_sources(
    data_dir: str | os.PathLike | None = None,
    *,
    names: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Load and validate each source, and compare the years it holds with the years it should hold.

    Parameters
    ----------
    data_dir
        Data directory; default from :func:`~coalitionlab.data.resolve_data_dir`.
    names
        Only these sources (default: every registered source).
    progress
        Called with each source's name before it is checked.

    Returns
    -------
    pandas.DataFrame
        One row per source: ``source, version, rows``, ``first_year, last_year`` (of the years
        present), ``years_expected`` (the registry's coverage), ``years_present`` and ``gaps``
        (compact ranges, e.g. ``"1990, 1995-1996"``), ``status`` and ``detail``. ``status`` is
        ``valid``; ``GAPS`` (a year without rows inside the expected years, see the module
        docstring); ``INVALID`` (the source does not load: a bad value with its file row, an unknown
        COW code, a file cut to its header; or a checksum that differs from the folder's
        ``SHA256SUMS``), with the error in ``detail``; or ``absent`` (no files).

    Raises
    ------
    UnknownSourceError
        For an unknown name in ``names``.
    """
    root = resolve_data_dir(data_dir)
    chosen = names or list(sources()["name"])
    for name in chosen:
        get_source(name)  # an unknown name fails before any source is read
    manifests: dict = {}
    rows = []
    for name in chosen:
        if progress:
            progress(name)
        rows.append(_check_one(name, root, manifests))
    return pd.DataFrame(rows, columns=COLUMNS)
