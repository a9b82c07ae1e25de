"""Validate every registered source present in a data directory, one row per source."""

from __future__ import annotations

import os
from collections.abc import Callable

import pandas as pd

from coalitionlab.data.paths import resolve_data_dir
from coalitionlab.data.registry import get_source, load, sources
from coalitionlab.errors import CoalitionlabError, MissingDataError


def check_sources(
    data_dir: str | os.PathLike | None = None,
    *,
    names: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Load and validate each source; return ``source, version, rows, first_year, last_year, status, detail``.

    ``status`` is ``valid``, ``absent`` (no files in the data directory) or ``INVALID`` (with the
    error in ``detail``). Observed coverage comes from the frame's ``year`` column, else its
    ``*_date`` columns.
    """
    root = resolve_data_dir(data_dir)
    rows = []
    for name in names or list(sources()["name"]):
        source = get_source(name)
        if progress:
            progress(name)
        row = {"source": name, "version": source.version, "rows": pd.NA, "first_year": pd.NA,
               "last_year": pd.NA, "status": "valid", "detail": ""}
        try:
            df = load(name, root)
            row["rows"] = len(df)
            row["first_year"], row["last_year"] = _observed_years(df)
        except MissingDataError as exc:
            row["status"], row["detail"] = "absent", str(exc)
        except CoalitionlabError as exc:
            row["status"], row["detail"] = "INVALID", str(exc)
        rows.append(row)
    return pd.DataFrame(rows)


def _observed_years(df: pd.DataFrame) -> tuple[object, object]:
    if "year" in df.columns and df["year"].notna().any():
        return int(df["year"].min()), int(df["year"].max())
    years = [df[c].dt.year for c in df.columns if c.endswith("_date") and pd.api.types.is_datetime64_any_dtype(df[c])]
    years += [pd.to_numeric(df[c], errors="coerce") for c in df.columns
              if c.endswith("_year") and pd.api.types.is_numeric_dtype(df[c]) and df[c].min() > 1000]
    if years:
        stacked = pd.concat(years).dropna()
        if len(stacked):
            return int(stacked.min()), int(stacked.max())
    return pd.NA, pd.NA
