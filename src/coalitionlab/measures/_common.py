"""Internals shared by the ``add_*`` steps: loading, panel checks, dyad lookups, coverage, stamps.

Nothing here is public API; the ``add_*`` verbs in the sibling modules use these helpers so that
every step checks its panel the same way, fills zeros only inside a source's years, leaves NaN for
states that did not exist (:func:`finish` applies :func:`member_mask`) and records what it used in
``df.attrs``.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import functools
import os
import sys
import threading
import warnings
from collections.abc import Iterable, Iterator
from typing import Literal

import numpy as np
import pandas as pd

from coalitionlab._validation import check_option
from coalitionlab.errors import MissingDataError, PanelTypeError, SeedDataWarning

Unit = Literal["state_year", "dyad_year"]
SourceChoice = Literal["auto", "full", "seed"]

UNIT_KEYS: dict[str, tuple[str, ...]] = {
    "state_year": ("ccode", "year"),
    "dyad_year": ("ccode1", "ccode2", "year"),
}


def load_source(name: str, data_dir: str | os.PathLike | None) -> pd.DataFrame:
    """``coalitionlab.data.load(name, data_dir)``, imported lazily to keep ``import`` cheap."""
    from coalitionlab.data import load

    return load(name, data_dir)


def coverage(name: str) -> tuple[int, int]:
    """First and last year of a registered source (``coalitionlab.data.get_source``): its nominal years.

    For a source counted by rows per year (a panel), use :func:`year_coverage` on the loaded frame:
    the years it actually holds.
    """
    from coalitionlab.data import get_source

    s = get_source(name)
    return s.first_year, s.last_year


class YearCoverage:
    """The years a loaded source actually holds, inside its nominal coverage.

    ``first`` and ``last`` are the first and last year present (not the registry's nominal years),
    ``gaps`` the years between them without a row (a file missing a year), ``known_gaps`` those of
    them the source documents (the UN General Assembly held no recorded vote in 1964). A measure read
    at a gap year is NaN, never 0: :meth:`inside` is False there.

    Examples
    --------
    >>> cov = YearCoverage("x", [1990, 1991, 1993], 1990, 2000)
    >>> (cov.first, cov.last, cov.gaps.tolist())
    (1990, 1993, [1992])
    >>> cov.inside([1989, 1990, 1992, 1993, 1994]).tolist()
    [False, True, False, True, False]
    """

    def __init__(self, source: str, years, first: int, last: int, *, known_gaps: Iterable[int] = ()) -> None:
        y = np.asarray(years)
        if y.dtype.kind not in "iu":  # floats (NaN for missing): whole years only
            y = y.astype("float64")
            y = y[~np.isnan(y)].astype("int64")
        lo_y, hi_y = (int(y.min()), int(y.max())) if len(y) else (first, last)
        if lo_y < first or hi_y > last:
            y = y[(y >= first) & (y <= last)]
        self.source = source
        if len(y):
            lo = int(y.min())
            self.present = np.flatnonzero(np.bincount(y - lo)) + lo  # distinct years by counting: no sort
            self.present = self.present.astype("int64")
        else:
            self.present = np.zeros(0, dtype="int64")
        self.first = int(self.present[0]) if len(self.present) else int(first)
        self.last = int(self.present[-1]) if len(self.present) else int(first) - 1
        full = np.arange(self.first, self.last + 1)
        self.gaps = np.setdiff1d(full, self.present)
        self.known_gaps = np.intersect1d(self.gaps, np.asarray(list(known_gaps), dtype="int64"))

    def inside(self, look) -> np.ndarray:
        """True where a year is one the source holds (inside ``first..last`` and not a gap)."""
        look = np.asarray(look)
        ok = (look >= self.first) & (look <= self.last)
        if len(self.gaps):
            has = np.zeros(self.last - self.first + 1, dtype=bool)
            has[self.present - self.first] = True
            ok[ok] = has[look[ok].astype("int64") - self.first]
        return ok

    def warn(self, look, step: str) -> list[int]:
        """Warn (:class:`~coalitionlab.errors.StaleDataWarning`) when ``look`` reads a gap year that is not a
        known one; return those years."""
        unknown = np.setdiff1d(self.gaps, self.known_gaps)
        if not len(unknown):
            return []
        look = np.asarray(look)
        ok = (look >= unknown[0]) & (look <= unknown[-1])
        if not ok.any():
            return []
        counts = np.bincount(look[ok].astype("int64") - unknown[0], minlength=int(unknown[-1] - unknown[0]) + 1)
        read = [int(y) for y in unknown if counts[y - unknown[0]]]
        if read:
            from coalitionlab.data.check import compact_years
            from coalitionlab.errors import StaleDataWarning

            warnings.warn(f"{step}: source {self.source!r} has no rows for {compact_years(read)} (it holds "
                          f"{compact_years(self.present, limit=6)}); values read there are NaN, not 0. "
                          f"Run 'coalitionlab data check' on the data directory", StaleDataWarning, stacklevel=3)
        return read


def year_coverage(name: str, frame: pd.DataFrame, column: str | None = None) -> YearCoverage:
    """:class:`YearCoverage` of a loaded source: the years of ``column`` (default the schema's year column)
    inside the registry's coverage, with the schema's known gaps."""
    from coalitionlab.data import get_source

    src = get_source(name)
    rule = src.schema.metadata.get("years") if src.schema is not None else None
    col = column or (rule.start if rule is not None and rule.start else "year")
    known = list(rule.known_gaps) if rule is not None else []
    values = frame[col]
    years = values.to_numpy() if values.dtype.kind in "iu" else year_of(values)  # int64 columns: no float copy
    return YearCoverage(name, years, src.first_year, src.last_year, known_gaps=known)


def years_with_rows(name: str, data_dir: str | os.PathLike | None, years) -> np.ndarray:
    """True for each of ``years`` in which source ``name`` (counted by rows per year) holds rows.

    For a caller that reports which data year it reads (embeddedness' ``years_used``): a gap year is
    not one it can use. NaN years stay False.
    """
    frame = load_source(name, data_dir)
    y = np.asarray(years, dtype="float64")
    out = np.zeros(len(y), dtype=bool)
    ok = ~np.isnan(y)
    out[ok] = year_coverage(name, frame).inside(y[ok].astype("int64"))
    return out


def year_of(values: pd.Series) -> np.ndarray:
    """Years from an int/float year column or a datetime column, as float (NaN/NaT stays NaN)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.year.to_numpy(dtype="float64", na_value=np.nan)
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def source_version(df: pd.DataFrame, name: str) -> str:
    """The version a loaded frame carries in ``attrs`` (``"unknown"`` when absent)."""
    return str(df.attrs.get("version", "unknown")) if df.attrs.get("source", name) == name else "unknown"


def check_panel(df: pd.DataFrame, unit: Unit | Iterable[Unit] | None = None, *, step: str = "this step") -> str:
    """Check that ``df`` is a coalitionlab panel of the given unit and has its key columns.

    Parameters
    ----------
    df
        A frame made by :func:`create_stateyears` or :func:`create_dyadyears` (or any frame whose
        ``attrs["unit"]`` is set and that has the unit's key columns).
    unit
        The allowed unit(s): ``"state_year"``, ``"dyad_year"``; ``None`` accepts either.
    step
        Name of the calling step, used in the error message.

    Returns
    -------
    str
        The unit of ``df``.

    Raises
    ------
    PanelTypeError
        When ``df`` is not a DataFrame, carries no or another ``unit``, lacks key columns, or a key
        column holds a missing, non-numeric or non-integer value (named with its position).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"ccode": [2], "year": [2000]}); df.attrs["unit"] = "state_year"
    >>> check_panel(df, "state_year")
    'state_year'
    """
    allowed = list(UNIT_KEYS) if unit is None else ([unit] if isinstance(unit, str) else list(unit))
    for u in allowed:
        check_option(u, UNIT_KEYS, name="panel unit")
    if not isinstance(df, pd.DataFrame):
        raise PanelTypeError(f"{step} needs a pandas DataFrame panel, got {type(df).__name__}")
    found = df.attrs.get("unit")
    first = "create_dyadyears()" if "dyad_year" in allowed else "create_stateyears()"
    if found not in allowed:
        raise PanelTypeError(
            f"{step} needs a {' or '.join(allowed)} panel, got attrs['unit']={found!r}; start with {first}"
        )
    missing = [c for c in UNIT_KEYS[found] if c not in df.columns]
    if missing:
        raise PanelTypeError(f"{step}: {found} panel lacks key column(s) {', '.join(missing)}; start with {first}")
    for col in UNIT_KEYS[found]:
        _check_key_column(df[col], col, step)
    return found


def _check_key_column(values: pd.Series, col: str, step: str) -> None:
    """A key (ccode, year) must be a whole number in every row: a NaN or a name would otherwise be cast
    to a garbage integer or fail deep inside a lookup."""
    if pd.api.types.is_integer_dtype(values) and not values.hasnans:
        return  # the usual case, checked in O(1) for numpy integer columns
    numbers = pd.to_numeric(values, errors="coerce").to_numpy("float64", na_value=np.nan)
    bad = ~np.isfinite(numbers)  # missing, a name, or infinite
    bad[~bad] = numbers[~bad] % 1 != 0
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise PanelTypeError(f"{step}: key column {col!r} holds {values.iloc[pos]!r} at position {pos} "
                             f"({int(bad.sum())} such row(s)); it needs whole numbers (COW ccodes and years), "
                             f"with no missing values")


def new_attrs(panel: pd.DataFrame) -> dict:
    """A deep copy of the panel's attrs with the bookkeeping dictionaries present."""
    attrs = copy.deepcopy(dict(panel.attrs))
    attrs.setdefault("sources", {})
    attrs.setdefault("columns", {})
    attrs.setdefault("mry", {})
    attrs.setdefault("is_seed", False)
    return attrs


def finish(panel: pd.DataFrame, new: dict[str, np.ndarray | pd.Series], attrs: dict, *,
           data_dir: str | os.PathLike | None = None, seed: bool = False, recorded: StateYears | None = None,
           look: np.ndarray | None = None, owned: bool = False) -> pd.DataFrame:
    """Return a copy of ``panel`` with the ``new`` columns (replacing same-named ones) and ``attrs``.

    Every new column is NaN on the rows :func:`member_mask` rejects (a state that was not a COW
    system member in the panel's year, or that the source does not record in the year it is read
    at): the existence rule of every ``add_*`` step, applied here once. ``attrs["existence"]``
    records it.

    Parameters
    ----------
    panel, new, attrs
        The input panel, the columns to add and the attrs of the result.
    data_dir, seed
        Where the COW state spells come from (``seed=True``: the copy shipped with the crosswalk).
    recorded, look
        The state-years the source records and the years it is read at (default the panel's years;
        with ``mry`` the carried year): see :func:`member_mask`.
    owned
        The ``new`` numpy arrays and pandas nullable arrays (:func:`nullable_counts`) were made by the
        calling step for this result alone (no other object holds them): the result takes them without
        a copy, and the existence rule writes its NaN into float64 ones, and its ``<NA>`` into the masks
        of nullable ones, in place. Default ``False``: every new column is copied once.

    The result is built in one step from the panel's columns and the new ones (a frame from a
    dict of columns), not by assigning column after column, which would copy each of them.
    """
    out = panel.copy(deep=False)  # copy-on-write (pandas >= 3): the input is never mutated
    drop = None
    if new:
        if attrs.get("unit", panel.attrs.get("unit")) == "state_year":
            c1 = c2 = panel["ccode"].to_numpy()
        else:
            c1, c2 = panel["ccode1"].to_numpy(), panel["ccode2"].to_numpy()
        keep = member_mask(c1, c2, panel["year"].to_numpy(), data_dir=data_dir, seed=seed, recorded=recorded,
                           look=look)
        drop = None if keep.all() else ~keep
    cols: dict = {}
    for name, values in new.items():
        fresh = owned and isinstance(values, (np.ndarray, *MASKED_ARRAYS))
        if drop is not None:
            values, fresh = _blank(values, drop, panel.index, in_place=fresh), True
        if isinstance(values, (np.ndarray, *MASKED_ARRAYS)) and not fresh:
            values = values.copy()
        cols[name] = values
    if cols and panel.columns.is_unique and not any(isinstance(n, tuple) for n in (*panel.columns, *cols)):
        # one frame from the columns, no copies: same-named columns are replaced in place, new ones
        # appended, as column assignment would do
        merged = {c: out[c] for c in panel.columns}
        merged.update({name: (v if isinstance(v, pd.Series) else pd.Series(
            v, index=panel.index, copy=not isinstance(v, (np.ndarray, *MASKED_ARRAYS)))) for name, v in cols.items()})
        out = pd.DataFrame(merged, index=panel.index, copy=False)
        out.columns.name = panel.columns.name
    else:
        for name, values in cols.items():
            out[name] = values
    attrs["existence"] = EXISTENCE_RULE
    out.attrs = attrs
    if len(panel) >= RELEASE_ROWS:  # a large panel: the memory of the step's temporaries goes back
        del drop, cols, new
        release_memory()
    return out


#: Panels of at least this many rows return the memory their step's temporaries used (:func:`release_memory`)
#: in :func:`finish` and in the steps that read large sources: a few milliseconds, worth it only when the
#: temporaries were large (the full directed dyad-year panel has 1.8 million rows).
RELEASE_ROWS = 1 << 18


def _blank(values: np.ndarray | pd.Series | pd.api.extensions.ExtensionArray, drop: np.ndarray, index: pd.Index, *,
           in_place: bool = False) -> np.ndarray | pd.Series | pd.api.extensions.ExtensionArray:
    """``values`` missing at the ``drop`` rows: NaN in a numeric numpy array (which becomes float64),
    ``<NA>`` in a pandas nullable array (:func:`nullable_counts`; it keeps its dtype). A copy, unless
    ``in_place`` and ``values`` is a float64 numpy array or a nullable array: then the NaN (the mask)
    are written into it."""
    if isinstance(values, MASKED_ARRAYS):
        out = values if in_place else values.copy()
        out[drop] = pd.NA  # sets the mask only
        return out
    arr = np.asarray(values)
    if in_place and isinstance(values, np.ndarray) and arr.dtype == np.float64:
        arr[drop] = np.nan
        return arr
    if arr.dtype.kind in "biuf":
        return np.where(drop, np.nan, arr.astype("float64", copy=False))
    return pd.Series(arr, index=index).mask(drop)


#: The pandas nullable arrays :func:`finish` takes as they are (missing values in a mask, not NaN).
MASKED_ARRAYS: tuple[type, ...] = (pd.arrays.IntegerArray, pd.arrays.BooleanArray)


def nullable_counts(values: np.ndarray, missing: np.ndarray | None = None) -> pd.arrays.IntegerArray:
    """A numpy integer array (taken without a copy) as a pandas nullable integer array, ``<NA>`` where
    ``missing`` is True. The mask is a copy of ``missing`` (one ``missing`` array may serve several
    columns: each column owns its mask, so writing into one never changes another).

    For counts and 0/1 flags: an ``Int16`` count takes 3 bytes a row and an ``Int8`` flag 2, instead of
    float64's 8, and a missing value stays missing (``<NA>``; ``to_numpy("float64", na_value=np.nan)``
    gives NaN), never 0.

    Examples
    --------
    >>> import numpy as np
    >>> a = nullable_counts(np.array([3, 0, 7], dtype="int16"), np.array([False, False, True]))
    >>> a.dtype, a.to_numpy("float64", na_value=np.nan).tolist()
    (Int16Dtype(), [3.0, 0.0, nan])
    """
    mask = np.zeros(len(values), dtype=bool) if missing is None else np.array(missing, dtype=bool)
    return pd.arrays.IntegerArray(values, mask)


def release_memory(rows: int | None = None) -> None:
    """Give memory the allocators keep after large temporaries are freed back to the operating system.

    Reading a Parquet source leaves buffers in pyarrow's memory pool (which the numpy arrays of the
    next step cannot reuse), and the C allocator keeps freed pages in its heap; both count in the
    process's resident memory. This releases pyarrow's unused pool memory and, on Linux with glibc,
    calls ``malloc_trim(0)``. No value changes; elsewhere (macOS, Windows, musl) the second part is a
    no-op. With ``rows`` (the panel's length) it does nothing below :data:`RELEASE_ROWS`: a call costs
    up to a few milliseconds, worth it only after large temporaries.
    """
    if rows is not None and rows < RELEASE_ROWS:
        return
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except (ImportError, AttributeError):  # no pyarrow, or one without release_unused: nothing to release
        pass
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


_ARROW_THREADS_LOCK = threading.Lock()
_ARROW_THREADS: dict[str, int | None] = {"depth": 0, "saved": None}


@contextlib.contextmanager
def one_arrow_thread(rows: int | None = None) -> Iterator[None]:
    """Inside the block pyarrow computes on one CPU thread: for reading a large source for a large panel.

    Reading a Parquet file on several threads leaves freed memory in each thread's part of pyarrow's
    allocator, where the next read, done by other threads, does not find it: on the full dyad-year
    panel that is 10-20 MiB more peak memory, and the sources are small enough that one thread reads
    them as fast. pyarrow's thread count is process-wide: it is restored when the last block (of any
    thread) ends. With ``rows`` below :data:`RELEASE_ROWS` nothing changes.
    """
    if rows is not None and rows < RELEASE_ROWS:
        yield
        return
    try:
        import pyarrow as pa
    except ImportError:  # no pyarrow: nothing to limit
        yield
        return
    with _ARROW_THREADS_LOCK:
        if _ARROW_THREADS["depth"] == 0:
            _ARROW_THREADS["saved"] = pa.cpu_count()
            pa.set_cpu_count(1)
        _ARROW_THREADS["depth"] += 1
    try:
        yield
    finally:
        with _ARROW_THREADS_LOCK:
            _ARROW_THREADS["depth"] -= 1
            if _ARROW_THREADS["depth"] == 0:
                pa.set_cpu_count(_ARROW_THREADS["saved"])


@functools.cache
def _malloc_trim():
    """glibc's ``malloc_trim`` through ctypes, or ``None`` where there is none (not Linux, or musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        if not (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc"):
            return None
        fn = ctypes.CDLL(None).malloc_trim
    except (OSError, ValueError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_size_t]
    fn.restype = ctypes.c_int
    return fn


#: ``attrs["existence"]`` of every panel an ``add_*`` step returns: values exist only for COW system
#: members (see :func:`member_mask` and docs/measures/index.md, "Existence").
EXISTENCE_RULE = "cow_system_membership"


class StateYears:
    """A set of (COW ccode, year) pairs as a dense boolean (ccode x year) table, for vectorised lookups.

    Parameters
    ----------
    ccode, year
        The pairs in the set (duplicates allowed; ccodes are COW codes, 0-999).
    universe
        Further ccodes the set judges although it has no year for them (default: only the codes of
        the pairs). :meth:`allows` lets every code outside the set's codes and ``universe`` pass.
    carry_forward
        Answer years after the last year of the set as that last year (the COW list's convention:
        a state still a member at the end of the list is assumed to stay one).

    Examples
    --------
    >>> s = StateYears([2, 2, 260], [1989, 1990, 1989])
    >>> s([2, 260, 260, 999], [1990, 1989, 1990, 1990]).tolist()
    [True, True, False, False]
    >>> s.known([260, 999]).tolist(), s.allows([260, 999], [1990, 1990]).tolist()
    ([True, False], [False, True])
    """

    def __init__(self, ccode, year, *, universe=None, carry_forward: bool = False) -> None:
        ccode = np.asarray(ccode, dtype="int64")
        year = np.asarray(year, dtype="int64")
        keep = ccode >= 0
        ccode, year = ccode[keep], year[keep]
        codes = np.unique(np.concatenate([ccode, np.asarray([] if universe is None else universe, "int64")]))
        self.codes = codes[codes >= 0]
        codes = self.codes
        self.first = int(year.min()) if len(year) else 0
        self.last = int(year.max()) if len(year) else -1
        self.carry_forward = carry_forward
        k, n_years = (int(codes.max()) + 1 if len(codes) else 0), self.last - self.first + 1
        # rows: ccode 0..k-1, then row k for every other code; columns: before the first year, the
        # years, after the last year. Indexing by the raw ccode keeps a lookup at two gathers.
        self._in = np.zeros((k + 1, n_years + 2), dtype=bool)
        self._in[ccode, year - self.first + 1] = True
        if carry_forward and n_years:
            self._in[:, -1] = self._in[:, -2]
        self._known = np.zeros(k + 1, dtype=bool)
        self._known[codes] = True
        self._allow = self._in | ~self._known[:, None]

    def _at(self, ccode, year) -> tuple[np.ndarray, np.ndarray]:
        c = np.asarray(ccode, dtype="int64")
        other = len(self._known) - 1
        c = np.where((c >= 0) & (c < other), c, other)
        y = np.clip(np.asarray(year, dtype="int64") - (self.first - 1), 0, self._in.shape[1] - 1)
        return c, y

    def known(self, ccode) -> np.ndarray:
        """True for the ccodes the set judges (its codes and ``universe``)."""
        return self._known[self._at(ccode, np.zeros(np.shape(ccode), "int64"))[0]]

    def __call__(self, ccode, year) -> np.ndarray:
        """True where (ccode, year) is in the set."""
        return self._in[self._at(ccode, year)]

    def allows(self, ccode, year) -> np.ndarray:
        """True where (ccode, year) is in the set or the set does not judge ``ccode``."""
        return self._allow[self._at(ccode, year)]


def spell_years(spells: pd.DataFrame, rule: Literal["any", "dec31"] = "any") -> tuple[np.ndarray, np.ndarray]:
    """The (ccode, year) pairs covered by ``ccode, start_date, end_date`` spells (no loop).

    ``rule="any"``: a member on any day of the year (COW's and peacesciencer's state-year rule);
    ``"dec31"``: a member on 31 December (the seed's rule for IGO memberships).
    """
    start, end = pd.to_datetime(spells["start_date"]), pd.to_datetime(spells["end_date"])
    open_ = (start.isna() | end.isna()).to_numpy()
    if open_.any():  # a missing date would otherwise drop the state or build a huge array
        raise ValueError(f"spell_years: {int(open_.sum())} spell(s) without a start_date or end_date "
                         f"(first: ccode {spells['ccode'].to_numpy()[open_][0]}); give every spell both dates")
    y0 = start.dt.year.to_numpy("int64")
    y1 = end.dt.year.to_numpy("int64")
    if rule == "dec31":
        y1 = y1 - (~((end.dt.month == 12) & (end.dt.day == 31)).to_numpy()).astype("int64")
    n = np.maximum(y1 - y0 + 1, 0)
    rows = np.repeat(np.arange(len(y0)), n)
    years = y0[rows] + (np.arange(len(rows)) - np.repeat(np.cumsum(n) - n, n))
    return spells["ccode"].to_numpy("int64")[rows], years


def system_members(data_dir: str | os.PathLike | None = None, *, seed: bool = False,
                   rule: Literal["any", "dec31"] = "any") -> StateYears:
    """COW system membership (v2024) as :class:`StateYears`: who was a member in which year.

    Read from the data directory's ``cow_states``; with ``seed=True``, or when the data directory
    has no ``cow_states``, from the identical copy shipped with the country crosswalk
    (``system_spells(source="seed")``). Years after the list's end (2024) are read as 2024.
    """
    from coalitionlab.measures.panel import system_spells

    if seed:
        spells = system_spells(source="seed")
    else:
        try:
            spells = system_spells(data_dir, source="full")
        except MissingDataError:  # the crosswalk's copy is the same COW v2024 list
            spells = system_spells(source="seed")
    return StateYears(*spell_years(spells, rule), universe=spells["ccode"].to_numpy(), carry_forward=True)


def member_mask(c1, c2, years, *, data_dir: str | os.PathLike | None = None, seed: bool = False,
                recorded: StateYears | None = None, look=None) -> np.ndarray:
    """True where a (ccode1, ccode2, year) row may hold a value: the existence rule of the ``add_*`` steps.

    A row is rejected (False) when either state was not a COW system member in ``years`` (a member
    on any day of the year counts), or, with ``recorded``, when the source does not record either
    state in the year it is read at (``look``, default ``years``; e.g. COW IGO leaves out West and
    East Germany and the two Yemens in 1990 although they were members for part of it). A ccode that
    is no COW state at all is not judged (its rows keep whatever the source gives). For state-years
    pass the same codes twice. ``recorded`` judges the codes of its own ``universe`` (build it with
    the COW codes, see ``igos.recorded_states``).

    Examples
    --------
    >>> member_mask([2, 2, 2], [349, 349, 999], [1991, 1992, 1991], seed=True).tolist()
    [False, True, True]
    """
    system = system_members(data_dir, seed=seed)
    fast = _grid_mask(system, recorded, c1, c2, years, look)
    if fast is not None:
        return fast
    keep = system.allows(c1, years)
    if c2 is not c1:
        keep &= system.allows(c2, years)
    if recorded is not None:
        at = years if look is None else look
        keep &= recorded.allows(c1, at)
        if c2 is not c1:
            keep &= recorded.allows(c2, at)
    return keep


def _grid_mask(system: StateYears, recorded: StateYears | None, c1, c2, years, look) -> np.ndarray | None:
    """:func:`member_mask` by one small (ccode x year) table, for the usual case (sources read at the
    panel's own years, ccodes 0..999): the rule is evaluated once per state-year of the table and
    each row reads two cells, instead of four full-length lookups. ``None`` when it does not apply."""
    years = np.asarray(years)
    if not len(years) or not (look is None or look is years or np.array_equal(look, years)):
        return None
    c1 = np.asarray(c1)
    c2n = c1 if c2 is c1 else np.asarray(c2)
    if c1.dtype.kind not in "iu" or c2n.dtype.kind not in "iu" or years.dtype.kind not in "iu":
        return None
    lo = min(int(c1.min()), int(c2n.min()))
    hi = max(int(c1.max()), int(c2n.max()))
    y_lo, y_hi = int(years.min()), int(years.max())
    ny = y_hi - y_lo + 1
    if lo < 0 or hi > 999 or ny > 5000:
        return None
    cc = np.repeat(np.arange(hi + 1), ny)
    yy = np.tile(np.arange(y_lo, y_hi + 1), hi + 1)
    grid = system.allows(cc, yy)
    if recorded is not None:
        grid &= recorded.allows(cc, yy)
    # int32 cell numbers, built in place (cells < 1000 * 5000): two small temporaries, not four int64 ones
    offset = np.subtract(years, y_lo, dtype="int32", casting="unsafe")
    cell = np.multiply(c1, ny, dtype="int32", casting="unsafe")
    cell += offset
    keep = grid[cell]
    if c2 is not c1:
        np.multiply(c2n, ny, out=cell, dtype="int32", casting="unsafe")
        cell += offset
        keep &= grid[cell]
    return keep


def stamp(attrs: dict, source: str, version: str, columns: Iterable[str], *, coverage: tuple[int, int],
          is_seed: bool = False, mry: bool = False, note: str | None = None, gaps: Iterable[int] = ()) -> None:
    """Record a source, its version, its coverage and the columns it produced in ``attrs``.

    ``coverage`` is the first and last year the loaded source holds; ``gaps`` the years between them it
    has no rows for (recorded as ``"gaps"`` when there are any: the column is NaN there).
    """
    attrs["sources"][source] = version
    gaps = [int(g) for g in gaps]
    for col in columns:
        attrs["columns"][col] = {"source": source, "coverage": list(coverage), **({"note": note} if note else {}),
                                 **({"gaps": gaps} if gaps else {})}
        if mry:
            attrs["mry"][col] = True
    if is_seed:
        attrs["is_seed"] = True


#: Rows per block when :class:`CcodeIndex` gathers compact codes (a 512 KiB index copy per block).
_GATHER_BLOCK = 1 << 16


class CcodeIndex:
    """A compact 0..K-1 index over COW ccodes (unknown codes map to -1)."""

    def __init__(self, codes: Iterable[int]) -> None:
        arr = np.asarray(list(codes) if not isinstance(codes, np.ndarray) else codes, dtype="int64")
        self.codes = np.sort(pd.unique(arr))
        self._lut = np.full(int(self.codes.max()) + 2 if len(self.codes) else 1, -1, dtype="int64")
        self._lut[self.codes] = np.arange(len(self.codes))

    def __len__(self) -> int:
        return len(self.codes)

    def __call__(self, values: np.ndarray | pd.Series, dtype: str = "int64") -> np.ndarray:
        """Positions of ``values`` (``-1`` for unknown codes), as ``dtype`` (``"int32"`` saves memory)."""
        v = np.asarray(values)
        if v.dtype.kind not in "iu":
            v = v.astype("int64")
        if v.size and int(v.min()) >= 0 and int(v.max()) < len(self._lut):  # the usual case: one gather
            lut = self._lut.astype(dtype, copy=False)
            if v.dtype == np.intp or v.ndim != 1 or v.size <= _GATHER_BLOCK:
                return lut.take(v)
            # compact (int16/int32) codes: gathered block by block, without a full-length intp copy of them
            out = np.empty(v.shape, dtype=dtype)
            for start in range(0, v.size, _GATHER_BLOCK):
                lut.take(v[start:start + _GATHER_BLOCK], out=out[start:start + _GATHER_BLOCK])
            return out
        v = v.astype("int64", copy=False)
        ok = (v >= 0) & (v < len(self._lut))
        out = np.full(v.shape, -1, dtype=dtype)
        out[ok] = self._lut[v[ok]]
        return out


def dyad_lookup(cube: np.ndarray, first_year: int, index: CcodeIndex, c1: np.ndarray, c2: np.ndarray,
                year: np.ndarray) -> np.ndarray:
    """Values of ``cube[year - first_year, index(c1), index(c2)]`` as float; NaN off the cube.

    ``cube`` is a dense (years x K x K) array; rows whose year is outside the cube stay NaN,
    rows whose ccode is not in the index get 0 (the state is in no record of the source that
    year, which inside coverage means "no tie"). States that did not exist are made NaN later,
    by :func:`finish`.
    """
    y = np.asarray(year, dtype="int64") - first_year
    i, j = index(c1), index(c2)
    inside = (y >= 0) & (y < cube.shape[0])
    known = inside & (i >= 0) & (j >= 0)
    out = np.full(len(y), np.nan)
    out[inside] = 0.0
    out[known] = cube[y[known], i[known], j[known]]
    return out


def resolve_source(full_name: str, data_dir: str | os.PathLike | None, source: SourceChoice,
                   seed_loader, *, what: str) -> tuple[pd.DataFrame, bool]:
    """Load ``full_name`` (``source="full"``), the seed (``"seed"``) or the full one if present (``"auto"``).

    Returns the frame and whether it is the seed. ``"auto"`` falls back to the seed, with a
    :class:`SeedDataWarning`, only when no data location was given; a data directory the user named
    (``data_dir=``, ``$COALITIONLAB_DATA``) that lacks the source is a :class:`MissingDataError`
    (:func:`coalitionlab.data.paths.seed_fallback`).
    """
    check_option(source, ["auto", "full", "seed"], name="source")
    if source == "seed":
        return seed_loader(), True
    if source == "auto":
        from coalitionlab.data.paths import seed_fallback

        if seed_fallback([full_name], data_dir, what=what, stacklevel=3, message=(
                f"{what}: source {full_name!r} not found in the data directory; using the embedded seed data "
                "(a small subset; pass data_dir= or set $COALITIONLAB_DATA for the full sources)")):
            return seed_loader(), True
    return load_source(full_name, data_dir), False


def _key(c1: np.ndarray, c2: np.ndarray, year: np.ndarray) -> np.ndarray:
    """One int64 per (year, ccode1, ccode2): ccodes are < 1000."""
    return (np.asarray(year, "int64") * 1000 + np.asarray(c1, "int64")) * 1000 + np.asarray(c2, "int64")


def dyad_values(table: pd.DataFrame, columns: list[str], c1: np.ndarray, c2: np.ndarray, year: np.ndarray,
                *, symmetric: bool) -> dict[str, np.ndarray]:
    """Look up ``columns`` of a dyad-year ``table`` (``ccode1, ccode2, year``) for the given rows.

    A sorted-key binary search, not a merge; rows absent from the table get NaN. With
    ``symmetric=True`` the table's (a, b) row also answers (b, a).
    """
    t1, t2, ty = (table[c].to_numpy().astype("int64") for c in ("ccode1", "ccode2", "year"))
    vals = {c: pd.to_numeric(table[c], errors="coerce").to_numpy(dtype="float64", na_value=np.nan) for c in columns}
    if symmetric:
        t1, t2 = np.concatenate([t1, t2]), np.concatenate([t2, t1])
        ty = np.concatenate([ty, ty])
        vals = {c: np.concatenate([v, v]) for c, v in vals.items()}
    keys = _key(t1, t2, ty)
    keys, first = np.unique(keys, return_index=True)
    want = _key(c1, c2, year)
    pos = np.clip(np.searchsorted(keys, want), 0, max(len(keys) - 1, 0))
    hit = (keys[pos] == want) if len(keys) else np.zeros(len(want), bool)
    out = {}
    for c, v in vals.items():
        col = np.full(len(want), np.nan)
        col[hit] = v[first][pos[hit]]
        out[c] = col
    return out


def state_values(table: pd.DataFrame, columns: list[str], ccode: np.ndarray, year: np.ndarray) -> dict[str, np.ndarray]:
    """Look up ``columns`` of a state-year ``table`` (``ccode, year``); absent rows get NaN."""
    t = table.drop_duplicates(["ccode", "year"])
    keys = np.asarray(t["year"], "int64") * 1000 + np.asarray(t["ccode"], "int64")
    order = np.argsort(keys)
    keys = keys[order]
    want = np.asarray(year, "int64") * 1000 + np.asarray(ccode, "int64")
    pos = np.clip(np.searchsorted(keys, want), 0, max(len(keys) - 1, 0))
    hit = (keys[pos] == want) if len(keys) else np.zeros(len(want), bool)
    out = {}
    for c in columns:
        v = pd.to_numeric(t[c], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)[order]
        col = np.full(len(want), np.nan)
        col[hit] = v[pos[hit]]
        out[c] = col
    return out


def interval_cube(c1: np.ndarray, c2: np.ndarray, start: np.ndarray, end: np.ndarray, index: CcodeIndex,
                  first_year: int, last_year: int, *, weight: np.ndarray | None = None,
                  dtype: str = "int16") -> np.ndarray:
    """Counts of ties in force per (year, state, state): a tie counts in ``start <= year < end``.

    Built from +1/-1 events and a cumulative sum over years (no loop over ties or dyads); symmetric.
    ``end`` may be NaN (still in force). ``weight`` (int, one per tie; default 1) is what a tie adds:
    non-negative weights with a bit field per kind of tie count several kinds in one cube (ask for
    ``dtype="int32"`` or ``"int64"`` then; the sum is kept in int32, or int64 for an 8-byte ``dtype``).
    """
    Y, K = last_year - first_year + 1, len(index)
    cube = np.zeros((Y + 1, K, K), dtype="int64" if np.dtype(dtype).itemsize > 4 else "int32")
    i, j = index(c1), index(c2)
    s = np.asarray(start, "float64")
    e = np.asarray(end, "float64")
    ok = (i >= 0) & (j >= 0) & (i != j) & ~np.isnan(s) & (np.isnan(e) | (e > s))
    i, j, s, e = i[ok], j[ok], s[ok], e[ok]
    acc = "int64" if np.dtype(dtype).itemsize > 4 else "int32"
    w = np.ones(len(i), dtype=acc) if weight is None else np.asarray(weight, dtype=acc)[ok]
    s_idx = np.clip(s - first_year, 0, Y).astype("int64")
    e_idx = np.where(np.isnan(e), Y, np.clip(e - first_year, 0, Y)).astype("int64")
    for a, b in ((i, j), (j, i)):
        np.add.at(cube, (s_idx, a, b), w)
        np.add.at(cube, (e_idx, a, b), -w)
    np.cumsum(cube, axis=0, out=cube)  # in place: no second full-size cube
    return cube[:Y].astype(dtype, copy=False)


def cube_years(look: np.ndarray, first: int, last: int) -> tuple[int, int] | None:
    """The years an event cube must span for the looked-up years inside ``first..last`` (or None).

    Events before the first of these years are folded into it by :func:`interval_cube` (a
    cumulative sum does not need earlier years), so the cube can be much shorter than the source.
    """
    look = np.asarray(look)
    inside = look[(look >= first) & (look <= last)]
    if not len(inside):
        return None
    return int(inside.min()), int(inside.max())


def pick_column(df: pd.DataFrame, candidates: list[str], *, source: str) -> str:
    """The first of ``candidates`` that ``df`` has; otherwise a clear error naming them."""
    from coalitionlab.errors import DataFileError

    for c in candidates:
        if c in df.columns:
            return c
    raise DataFileError(f"source {source!r} has none of the columns {candidates}; found {list(df.columns)[:15]}")
