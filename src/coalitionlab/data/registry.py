"""The source registry, validated loading and the checksum-keyed cache.

Each real dataset is a :class:`Source`: where its files sit in the data directory, its
version and citation, its coverage, and a ``reader`` that turns the files into one tidy frame
keyed to COW ccode, validated by a pandera ``schema``. :func:`load` finds the files, reads them
once, validates, and keeps the result in a Parquet cache keyed by the files' SHA-256, so every
later load is a fast Parquet read.
"""

from __future__ import annotations

import difflib
import gzip
import hashlib
import importlib
import json
import os
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

try:  # pandera >= 0.24 splits the pandas API out
    import pandera.pandas as pa
except ImportError:  # pragma: no cover - older pandera
    import pandera as pa

from coalitionlab import __version__
from coalitionlab.data.digests import cached_sha256, file_sha256  # noqa: F401  (re-exported)
from coalitionlab.data.paths import resolve_data_dir, usable_cache_dir, write_atomic
from coalitionlab.errors import CoverageError, DataFileError, MissingDataError, UnknownSourceError

Reader = Callable[[dict[str, Path]], pd.DataFrame]


@dataclass(frozen=True)
class Source:
    """One real public dataset and how to read it.

    ``files`` are paths relative to ``folder`` inside the data directory, exactly as in the
    official release (or its documented conversion). The official address, archive member,
    conversion and pinned SHA-256 of every file are in :mod:`coalitionlab.data.official`, which
    ``coalitionlab data fetch`` uses. Here, ``sha256`` (a pin) takes precedence over that table's
    pin, and ``urls`` gives an address (a file served as is, no conversion) for a file the table
    does not list.
    """

    name: str
    folder: str
    files: tuple[str, ...]
    version: str
    publisher: str
    citation: str
    terms: str
    first_year: int
    last_year: int
    code_scheme: str
    description: str
    reader: Reader | None = field(default=None, compare=False, repr=False)
    schema: pa.DataFrameSchema | None = field(default=None, compare=False, repr=False)
    key: tuple[str, ...] = ()
    urls: dict[str, str] = field(default_factory=dict, compare=False)  # files data.official does not list
    sha256: dict[str, str] = field(default_factory=dict, compare=False)  # takes precedence over data.official's pin
    loader_version: int = 1


REGISTRY: dict[str, Source] = {}


def register(source: Source) -> Source:
    """Add ``source`` to the registry (replacing one of the same name) and return it."""
    REGISTRY[source.name] = source
    return source


def get_source(name: str) -> Source:
    """Return the registered source called ``name``; an unknown name names the closest ones."""
    _ensure_loaders()
    try:
        return REGISTRY[name]
    except KeyError:
        close = difflib.get_close_matches(name, REGISTRY, n=3, cutoff=0.4)
        hint = f"; closest: {', '.join(close)}" if close else f"; known: {', '.join(sorted(REGISTRY))}"
        raise UnknownSourceError(f"unknown data source {name!r}{hint}") from None


def sources() -> pd.DataFrame:
    """One row per registered source: name, version, publisher, citation, terms, coverage, codes, files.

    Examples
    --------
    >>> from coalitionlab.data import sources
    >>> "cow_states" in set(sources()["name"])
    True
    """
    _ensure_loaders()
    rows = [
        {
            "name": s.name,
            "version": s.version,
            "publisher": s.publisher,
            "citation": s.citation,
            "terms": s.terms,
            "first_year": s.first_year,
            "last_year": s.last_year,
            "code_scheme": s.code_scheme,
            "folder": s.folder,
            "files": ", ".join(s.files),
            "description": s.description,
        }
        for s in sorted(REGISTRY.values(), key=lambda s: s.name)
    ]
    columns = ["name", "version", "publisher", "citation", "terms", "first_year", "last_year",
               "code_scheme", "folder", "files", "description"]
    return pd.DataFrame(rows, columns=columns)


def cite(name: str) -> str:
    """Return the citation of source ``name``."""
    return get_source(name).citation


def versions() -> dict[str, str]:
    """Return ``{source name: version}`` for every registered source."""
    _ensure_loaders()
    return {s.name: s.version for s in sorted(REGISTRY.values(), key=lambda s: s.name)}


def source_paths(name: str, data_dir: str | os.PathLike | None = None) -> dict[str, Path]:
    """Return ``{file name: path}`` for a source, raising :class:`MissingDataError` for missing files."""
    source = get_source(name)
    root = resolve_data_dir(data_dir)
    folder = root / source.folder
    paths = {f: folder / f for f in source.files}
    missing = [f for f, p in paths.items() if not p.is_file()]
    if missing:
        raise MissingDataError(
            f"source {name!r}: missing {', '.join(missing)} in {folder}; "
            f"run 'coalitionlab data fetch {name}' or pass --data-dir"
        )
    return paths


def note_memo_read(name: str, attrs: dict) -> None:
    """Say that a frame of source ``name`` was used again from an in-process memo, without :func:`load`.

    A no-op here: it exists so that whoever records which sources a run read (the HTML report's
    provenance) can hear of reads that a memo served (``attrs``: the frame's version, citation, files).
    """


def load(
    name: str,
    data_dir: str | os.PathLike | None = None,
    *,
    cache: bool = True,
    cache_dir: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """Load a source as a validated DataFrame keyed to COW ccode.

    Parameters
    ----------
    name
        A registered source (see :func:`sources`).
    data_dir
        Data directory; default from :func:`resolve_data_dir`.
    cache
        Read from and write to the Parquet cache (keyed by the files' SHA-256 and the
        package and loader versions). A file's SHA-256 is computed once and reused while its
        size, mtime, ctime and inode stay the same (:func:`cached_sha256`); ``cache=False``
        hashes every file on every call.
    cache_dir
        Cache directory; default from :func:`~coalitionlab.data.paths.resolve_cache_dir` (never the data
        directory). A cache that cannot be created or written is skipped with one
        :class:`~coalitionlab.data.paths.CacheWarning`: the frame is the same, only slower to get.

    Returns
    -------
    pandas.DataFrame
        ``attrs`` holds ``source``, ``version``, ``files`` (name -> SHA-256), ``citation``
        and ``is_seed = False``.

    Raises
    ------
    UnknownSourceError, MissingDataError, DataFileError
    """
    source = get_source(name)
    paths = source_paths(name, data_dir)
    cache_root = usable_cache_dir(cache_dir) if cache else None  # None (one warning) when unusable
    # warm fast path: a file's digest is reused while its size, times and inode are unchanged
    digests = {f: (cached_sha256(p, cache_root) if cache else file_sha256(p)) for f, p in paths.items()}
    key = hashlib.sha256(
        json.dumps([name, digests, __version__, source.loader_version, _reader_fingerprint()],
                   sort_keys=True).encode()
    ).hexdigest()[:20]
    attrs = {
        "source": name,
        "version": source.version,
        "files": digests,
        "citation": source.citation,
        "is_seed": False,
    }
    cached = cache_root / f"{name}-{key}.parquet" if cache_root is not None else None
    if cached is not None and cached.is_file():
        try:
            df = pd.read_parquet(cached)
            df.attrs = dict(attrs)
            return df
        except Exception:  # a torn cache file is rebuilt, never trusted
            try:
                cached.unlink(missing_ok=True)
            except OSError:  # a read-only cache: rebuilt every time, never trusted
                pass
    if source.reader is None:
        raise MissingDataError(f"source {name!r} has no reader")
    df = source.reader(paths)
    df = validate(df, source, path=next(iter(paths.values())))
    df = df.reset_index(drop=True)
    if cached is not None:  # atomic, and skipped with one warning when the cache cannot be written
        write_atomic(cached, lambda tmp: df.to_parquet(tmp, index=False))
    df.attrs = dict(attrs)
    return df


def _reader_fingerprint() -> str:
    """Hash of the code and tables that read, map and validate sources (every module of the
    ``publishers`` package, the ``schemas*``, ``registry`` and ``countries`` modules of this
    package, and the crosswalk tables the name- and ISO-coded readers map through), so editing a
    reader, a schema or the crosswalk invalidates cached loads without a version bump. Keyed on the
    files, not the reader object, so a cache hit can be tested by swapping the reader."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    files = [*here.glob("publishers/*.py"), *here.glob("schemas*.py"), here / "registry.py",
             here / "countries.py", *here.glob("crosswalk/*.csv")]
    for f in sorted(files, key=lambda f: f.relative_to(here).as_posix()):
        h.update(f.relative_to(here).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def validate(df: pd.DataFrame, source: Source, *, path: object | None = None) -> pd.DataFrame:
    """Validate ``df`` against the source's pandera schema, all failures at once.

    A failure becomes a :class:`DataFileError` naming the file, the first failing column and
    row (the file line, header = line 1, when the reader kept the file's row positions as the
    index), and a short list of the failures.
    """
    if source.schema is None:
        return df
    try:
        return source.schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        first = cases.iloc[0]
        column = first.get("column")
        index = first.get("index")
        # readers keep the file's row positions as the index, so the file line is index + 2
        # (+1 for 1-based, +1 for the header line), the same convention as to_integer and check_years
        row = _file_line(index)
        summary = "; ".join(
            f"{c.get('column')}: {c.get('check')} (value {c.get('failure_case')!r}, row {_file_line(c.get('index'))})"
            for _, c in cases.head(5).iterrows()
        )
        raise DataFileError(
            f"source {source.name!r} fails validation ({len(cases)} problems): {summary}",
            path=path,
            column=None if column is None or pd.isna(column) else str(column),
            row=row,
        ) from None


def _file_line(index: object) -> int | None:
    """File line of a frame row whose index is its data position (+1 for 1-based, +1 for the header)."""
    try:
        return int(index) + 2 if index is not None and pd.notna(index) else None
    except (TypeError, ValueError):  # a non-positional index (e.g. a string label)
        return None


# ---------------------------------------------------------------- reading helpers for readers


def read_csv(path: Path, *, required: Iterable[str] = (), **kwargs) -> pd.DataFrame:
    """Read a (gzipped) CSV with clear errors for corrupt, truncated, non-UTF-8 or short files.

    ``required`` columns must all be present; a missing one is named.
    """
    try:
        df = pd.read_csv(path, encoding="utf-8", low_memory=False, **kwargs)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise DataFileError(f"truncated or corrupt gzip file ({exc})", path=path) from None
    except UnicodeDecodeError as exc:
        line, byte = _first_non_utf8_line(path)
        raise DataFileError(f"file is not UTF-8 (byte {byte!r} on line {line})", path=path, row=line) from None
    except pd.errors.EmptyDataError:
        raise DataFileError("file is empty", path=path) from None
    except pd.errors.ParserError as exc:
        raise DataFileError(f"malformed CSV ({exc})", path=path) from None
    except OSError as exc:
        raise DataFileError(f"cannot read file ({exc})", path=path) from None
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataFileError(
            f"missing column(s) {', '.join(map(repr, missing))}; found {', '.join(map(str, df.columns[:12]))}"
            + (" ..." if len(df.columns) > 12 else ""),
            path=path,
            column=missing[0],
        )
    return df


def _first_non_utf8_line(path: Path) -> tuple[int | None, bytes]:
    """Line number (1-based, header = 1) and offending byte of the first line that is not UTF-8.

    pandas decodes in chunks, so its error offset is not a file position; scanning lines is.
    """
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return number, line[exc.start:exc.start + 1]
    return None, b""


def to_integer(df: pd.DataFrame, column: str, *, path: object | None = None, nullable: bool = False) -> pd.Series:
    """Convert ``column`` to integers, naming the first row (file line) that is not a whole number."""
    values = pd.to_numeric(df[column], errors="coerce")
    bad = values.isna() & df[column].notna()
    frac = values.notna() & (values % 1 != 0)
    bad |= frac
    if not nullable:
        bad |= df[column].isna()
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFileError(
            f"non-numeric or non-integer value {df[column].iloc[pos]!r}",
            path=path, column=column, row=pos + 2,  # +1 for 1-based, +1 for the header line
        )
    return values.astype("Int64") if nullable else values.astype("int64")


def to_date(df: pd.DataFrame, column: str, *, path: object | None = None) -> pd.Series:
    """Parse an ISO ``YYYY-MM-DD`` column to ``datetime64[ns]``; empty stays NaT, anything else is a
    :class:`DataFileError` naming the file line."""
    values = df[column]
    text = values.astype("str").str.strip()
    empty = values.isna() | text.eq("")
    parsed = pd.to_datetime(text.mask(empty), format="%Y-%m-%d", errors="coerce")
    bad = parsed.isna() & ~empty
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFileError(f"not a YYYY-MM-DD date: {values.iloc[pos]!r}", path=path, column=column, row=pos + 2)
    return parsed.astype("datetime64[ns]")


def check_years(years: pd.Series, source: Source, *, path: object | None = None, column: str = "year") -> None:
    """Raise :class:`CoverageError` naming the first row whose year is outside the source's coverage."""
    bad = years.notna() & ~years.between(source.first_year, source.last_year)
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise CoverageError(
            f"year {years.iloc[pos]} outside {source.name} coverage {source.first_year}-{source.last_year} "
            f"[{path}, column {column!r}, row {pos + 2}]"
        )


_LOADED = False


def _ensure_loaders() -> None:
    """Import :mod:`coalitionlab.data.publishers`, whose modules register every source (once, lazily).

    By name, so this module never imports the source modules at import time (they import it):
    ``import coalitionlab.data.registry`` stays cheap and there is no import cycle.
    """
    global _LOADED
    if _LOADED:
        return
    importlib.import_module("coalitionlab.data.publishers")
    _LOADED = True
