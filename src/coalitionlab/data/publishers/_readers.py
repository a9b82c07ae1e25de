"""Helpers shared by the source readers of :mod:`coalitionlab.data.publishers`.

Column converters that turn a raw CSV frame into typed columns and name the file row of the first
bad value (header = line 1, as :func:`coalitionlab.data.registry.to_integer` does), plus the
citation note of files converted by peacesciencer. :func:`read_csv` is the registry's reader that
also refuses a file with no data rows (cut to its header); :func:`check_codes` applies a schema's
``codes="system"`` rule. The other generic readers (``to_integer``, ``to_date``, ``check_years``)
stay in :mod:`coalitionlab.data.registry`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

try:  # pandera >= 0.24 splits the pandas API out
    import pandera.pandas as pa
except ImportError:  # pragma: no cover - older pandera
    import pandera as pa

from coalitionlab.data import registry
from coalitionlab.data.registry import to_integer
from coalitionlab.data.schemas import is_cow_code, is_system_member
from coalitionlab.errors import DataFileError

PEACESCIENCER_NOTE = (
    " Converted from the R package peacesciencer (Miller 2022, International Interactions 48(1): 142-157)."
)


# ---------------------------------------------------------------- files and codes


def read_csv(path: Path, *, required: Iterable[str] = (), **kwargs) -> pd.DataFrame:
    """:func:`coalitionlab.data.registry.read_csv`, and a :class:`DataFileError` for a file with no data rows.

    A file cut to its header line would otherwise load as an empty source, and every measure read
    from it would be 0 ("no tie") instead of an error.
    """
    raw = registry.read_csv(path, required=required, **kwargs)
    if raw.empty:
        raise DataFileError("no data rows (the file holds only its header)", path=path)
    return raw


def check_codes(out: pd.DataFrame, schema: pa.DataFrameSchema, *, path: Path) -> pd.DataFrame:
    """Apply the schema's code rule: with ``codes="system"``, every ``ccode``, ``ccode1``, ``ccode2`` must be a
    COW system member in the row's year (the schema's ``Years.start`` column).

    The frame's index is the file's row position (as the COW-coded readers keep it), so the error names
    the file line of the first offending row (header = line 1). Vectorised: one table lookup per column.
    Returns ``out`` unchanged.
    """
    if schema.metadata.get("codes") != "system":
        return out
    years = out[schema.metadata["years"].start]
    for column in [c for c in ("ccode", "ccode1", "ccode2") if c in out.columns]:
        codes = out[column].to_numpy()
        unknown = ~is_cow_code(codes)
        bad = unknown | ~is_system_member(codes, years.to_numpy())
        if bad.any():
            pos = np.flatnonzero(bad)
            positional = pd.api.types.is_integer_dtype(out.index)
            first = pos[np.argmin(out.index.to_numpy()[pos])] if positional else pos[0]
            line = int(out.index[first]) + 2 if positional else None
            what = ("is not a COW state code (COW list v2024)" if unknown[first]
                    else f"was not a COW system member in {years.iloc[first]}")
            raise DataFileError(
                f"ccode {codes[first]} {what} ({int(bad.sum())} such row(s); the source's rule: codes of states "
                f"in the COW system in the row's year)", path=path, column=column, row=line)
    return out


# ---------------------------------------------------------------- column groups (COW-coded readers)


def integers(raw: pd.DataFrame, columns: Iterable[str], *, path: Path, nullable: bool = False,
              missing: Iterable[int] = ()) -> dict[str, pd.Series]:
    """Convert ``columns`` to integers; values in ``missing`` (documented codes) become NA."""
    out = {}
    missing = list(missing)
    for column in columns:
        values = to_integer(raw, column, path=path, nullable=nullable or bool(missing))
        if missing:  # a documented missing code becomes NA, so the column must be nullable
            values = values.mask(values.isin(missing))
        out[column] = values
    return out


def flags(raw: pd.DataFrame, columns: Iterable[str], *, path: Path,
           missing: Iterable[int] = ()) -> dict[str, pd.Series]:
    """0/1 indicator columns as nullable ``Int64``; documented missing codes become NA."""
    return {c: v.astype("Int64") for c, v in integers(raw, columns, path=path, nullable=True,
                                                         missing=missing).items()}


def floats(raw: pd.DataFrame, columns: Iterable[str], *, path: Path,
            missing: Iterable[float] = ()) -> dict[str, pd.Series]:
    """Convert ``columns`` to float; text that is not a number is an error naming its row."""
    out = {}
    missing = list(missing)
    for column in columns:
        values = pd.to_numeric(raw[column], errors="coerce")
        bad = values.isna() & raw[column].notna()
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataFileError(f"non-numeric value {raw[column].iloc[pos]!r}", path=path, column=column,
                                row=pos + 2)
        values = values.astype(float)
        if missing:
            values = values.mask(values.isin(missing))
        out[column] = values
    return out


def texts(raw: pd.DataFrame, columns: Iterable[str]) -> dict[str, pd.Series]:
    """Text columns as pandas ``str`` dtype with surrounding blanks stripped; empty text is NA."""
    out = {}
    for column in columns:
        values = raw[column].astype("str").str.strip()
        out[column] = values.mask(values.eq("") | raw[column].isna())
    return out


def date_from_parts(year: pd.Series, month: pd.Series, day: pd.Series, *, path: Path, column: str) -> pd.Series:
    """Build ``datetime64[ns]`` dates from year/month/day; a missing part gives NaT, an impossible date an error."""
    parts = pd.DataFrame({"year": year, "month": month, "day": day}).astype("Int64")
    ok = parts.notna().all(axis=1)
    out = pd.Series(pd.NaT, index=year.index, dtype="datetime64[ns]")
    if ok.any():
        good = parts[ok].astype("int64")
        # a year outside the nanosecond range (e.g. a stray 0) is an impossible date, not an overflow
        dates = pd.to_datetime(good.where(good["year"].between(1678, 2261)), errors="coerce")
        if dates.isna().any():
            pos = int(np.flatnonzero(ok.to_numpy())[int(np.flatnonzero(dates.isna().to_numpy())[0])])
            raise DataFileError(f"impossible date {tuple(parts.iloc[pos])}", path=path, column=column, row=pos + 2)
        out[ok] = dates.astype("datetime64[ns]")
    return out


def drop_exact_duplicates(df: pd.DataFrame) -> pd.DataFrame:
    """Drop rows that repeat another row in every column (documented per source)."""
    return df.drop_duplicates()


# ---------------------------------------------------------------- single columns (name- and ISO-coded readers)


def text_column(raw: pd.DataFrame, column: str) -> pd.Series:
    """A text column as pandas ``str`` with blanks stripped; empty text is NA."""
    values = raw[column].astype("str").str.strip()
    return values.mask(values.eq("") | raw[column].isna())


def int_column(raw: pd.DataFrame, column: str, *, path: Path, nullable: bool = False) -> pd.Series:
    """A whole-number column (``int64``, or ``Int64`` when ``nullable``); see ``to_integer``."""
    values = to_integer(raw, column, path=path, nullable=nullable)
    return values.astype("Int64") if nullable else values


def order_dyads(out: pd.DataFrame, a: np.ndarray, b: np.ndarray, *, path: Path) -> pd.DataFrame:
    """Store undirected dyads once, lower ccode first; a state paired with itself is an error."""
    same = a == b
    if same.any():
        pos = int(np.flatnonzero(same)[0])
        raise DataFileError(f"dyad of a state with itself (ccode {a[pos]})", path=path, row=pos + 2)
    out.insert(0, "ccode2", np.maximum(a, b))
    out.insert(0, "ccode1", np.minimum(a, b))
    return out


