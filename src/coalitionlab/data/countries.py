"""The date-aware country crosswalk: COW ccode <-> Gleditsch-Ward <-> ISO 3166 <-> names.

Every loader keys its output to the Correlates of War (COW) ``ccode``. The crosswalk is two
tables authored by the project and shipped with the package (``data/crosswalk/``):

* ``entities.csv`` - one row per COW state and period with its COW abbreviation and name,
  Gleditsch-Ward code, ISO 3166 alpha-3/alpha-2/numeric codes (withdrawn codes of former
  states included) and English name variants. Codes and names shared by several states over
  time (``"Germany"``, ``"Yemen"``, ``DEU``, ``CS`` ...) carry the period in which they
  refer to each state, so a date picks the right one.
* ``cow_system.csv`` - the COW v2024 state-system membership spells, used by
  :func:`states_on` and :func:`is_member`.

Names are matched after normalisation (case, accents, punctuation, ``"the"``, ``"&"``,
``"Rep."``/``"Dem."``/``"St."``, inverted forms such as ``"Korea, Republic of"``); names not in
the table fall back on the regular expressions of ``country_converter``. Anything that still
cannot be mapped raises :class:`~coalitionlab.errors.UnknownCountryError` naming the value,
the scheme, the place and the closest known names; nothing is dropped silently.

Examples
--------
>>> from coalitionlab.data.countries import to_ccode, ccode_to, country_name
>>> int(to_ccode("United States"))
2
>>> to_ccode(["DEU", "GBR"], scheme="iso3", date=1970).tolist()
[260, 200]
>>> country_name(345, date="2010-01-01")
'Serbia'
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import numpy as np
import pandas as pd

from coalitionlab._validation import check_option
from coalitionlab.errors import AmbiguousCountryError, CoverageError, UnknownCountryError

__all__ = [
    "SHORT_NAMES",
    "ccode_to",
    "ccodes_named",
    "country_name",
    "cow_system",
    "crosswalk",
    "crosswalk_agreement",
    "is_member",
    "normalise_name",
    "states_on",
    "to_ccode",
]

Scheme = Literal["name", "iso3", "iso2", "isonum", "gw", "cow", "stateabb", "auto"]
OutScheme = Literal["name", "iso3", "iso2", "isonum", "gw", "cow", "stateabb"]
SCHEMES: tuple[str, ...] = ("name", "iso3", "iso2", "isonum", "gw", "cow", "stateabb", "auto")
OUT_SCHEMES: tuple[str, ...] = ("name", "iso3", "iso2", "isonum", "gw", "cow", "stateabb")

#: First and last day of the COW v2024 list; an open spell runs to the end of the list.
SYSTEM_START = _dt.date(1816, 1, 1)
SYSTEM_END = _dt.date(2024, 12, 31)

_OPEN_LO = np.int64(-(10**9))  # "unbounded" validity, in days since 1970-01-01
_OPEN_HI = np.int64(10**9)
_TOKEN_EXPAND = {
    "rep": "republic", "repub": "republic", "dem": "democratic", "st": "saint", "ste": "sainte",
    "fed": "federal", "is": "islands", "isl": "islands", "sts": "states", "utd": "united",
    "peoples": "people",
}
_DROP_TOKENS = {"the"}


# ------------------------------------------------------------------------------ the tables


def normalise_name(name: str) -> str:
    """Normalise a country name for lookup.

    Lower case, accents and apostrophes removed, ``&`` -> ``and``, punctuation -> spaces,
    ``"the"`` dropped, abbreviations expanded (``Rep.`` -> republic, ``Dem.`` -> democratic,
    ``St.`` -> saint), and inverted forms turned round (``"Korea, Republic of"`` ->
    ``"republic of korea"``; ``"Gambia, The"`` -> ``"gambia"``).

    Examples
    --------
    >>> normalise_name("Korea, Rep. of")
    'republic of korea'
    >>> normalise_name("  CÔTE D'IVOIRE ")
    'cote divoire'
    >>> normalise_name("The Gambia") == normalise_name("Gambia, The")
    True
    """
    s = unicodedata.normalize("NFKD", str(name))
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = s.replace("&", " and ").replace("'", "").replace("\u2019", "").replace("`", "")
    if "," in s:
        head, _, tail = s.partition(",")
        tail_tokens = re.findall(r"[a-z0-9]+", tail)
        if tail_tokens and (tail_tokens[-1] == "of" or tail_tokens == ["the"]):
            s = f"{tail} {head}"
    tokens = [_TOKEN_EXPAND.get(t, t) for t in re.findall(r"[a-z0-9]+", s)]
    return " ".join(t for t in tokens if t not in _DROP_TOKENS)


def _read_table(name: str) -> pd.DataFrame:
    ref = resources.files("coalitionlab.data") / "crosswalk" / name
    with ref.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def _days(values: pd.Series, fill: np.int64) -> np.ndarray:
    """ISO date strings -> int64 days since 1970-01-01; empty -> ``fill``."""
    out = np.full(len(values), fill, dtype=np.int64)
    present = values.to_numpy() != ""
    if present.any():
        out[present] = np.array(values[present].tolist(), dtype="datetime64[D]").astype(np.int64)
    return out


def _split(cell: str) -> list[str]:
    """Every code or name of a ``|``-separated cell."""
    return [c.strip() for c in cell.split("|") if c.strip()]


def _canonical(cell: str) -> str | None:
    """The canonical (first) code of a cell; an empty first entry means there is none."""
    first = cell.split("|")[0].strip()
    return first or None


@dataclass(frozen=True)
class _Table:
    rows: pd.DataFrame            # entities.csv, one row per state-period
    ccode: np.ndarray             # int64 per row
    valid_from: np.ndarray        # int64 days per row (_OPEN_LO if unbounded)
    valid_to: np.ndarray          # int64 days per row (_OPEN_HI if unbounded)
    index: dict[str, dict[Any, np.ndarray]]   # scheme -> key -> row numbers
    regexes: list[tuple[re.Pattern, str]]     # country_converter regex -> ISO3
    any_regex: re.Pattern
    spells: pd.DataFrame          # cow_system.csv
    spell_ccode: np.ndarray
    spell_start: np.ndarray
    spell_end: np.ndarray


def _coco_names() -> pd.DataFrame:
    """The name table bundled with ``country_converter`` (read directly: its class needs
    pandas < 3 to build, but its data file is plain TSV)."""
    ref = resources.files("country_converter") / "country_data.tsv"
    with ref.open("r", encoding="utf-8") as fh:
        data = pd.read_csv(fh, sep="\t", dtype=str, keep_default_na=False)
    return data[["name_short", "name_official", "regex", "ISO3", "obsolete"]]


@lru_cache(maxsize=1)
def _table() -> _Table:
    rows = _read_table("entities.csv")
    ccode = rows["ccode"].astype(np.int64).to_numpy()
    vf = _days(rows["valid_from"], _OPEN_LO)
    vt = _days(rows["valid_to"], _OPEN_HI)

    index: dict[str, dict[Any, list[int]]] = {s: {} for s in OUT_SCHEMES}

    def add(scheme: str, key: Any, i: int) -> None:
        bucket = index[scheme].setdefault(key, [])
        if i not in bucket:
            bucket.append(i)

    coco = _coco_names()
    coco_by_iso3 = {r.ISO3: r for r in coco.itertuples(index=False)}
    for i, r in enumerate(rows.itertuples(index=False)):
        add("cow", int(r.ccode), i)
        add("stateabb", r.stateabb.upper(), i)
        if r.gwcode:
            add("gw", int(r.gwcode), i)
        for code in _split(r.iso3):
            add("iso3", code.upper(), i)
        for code in _split(r.iso2):
            add("iso2", code.upper(), i)
        for code in _split(r.isonum):
            add("isonum", int(code), i)
        names = [r.cow_name, *_split(r.aliases)]
        iso3 = _split(r.iso3)
        current = r.valid_to == ""
        for code in iso3:
            c = coco_by_iso3.get(code)
            # country_converter's names describe today's state (or, for its obsolete rows,
            # the former state): attach them to the open-ended row only, or to the former state.
            if c is not None and (current == (c.obsolete == "")):
                names += [c.name_short, c.name_official]
        for name in names:
            key = normalise_name(name)
            if key:
                add("name", key, i)

    regexes = []
    for c in coco.itertuples(index=False):
        if c.ISO3 in index["iso3"]:
            regexes.append((re.compile(c.regex, re.IGNORECASE), c.ISO3))
    any_regex = re.compile("|".join(f"(?:{p.pattern})" for p, _ in regexes), re.IGNORECASE)

    spells = _read_table("cow_system.csv")
    return _Table(
        rows=rows,
        ccode=ccode,
        valid_from=vf,
        valid_to=vt,
        index={s: {k: np.array(v, dtype=np.int64) for k, v in d.items()} for s, d in index.items()},
        regexes=regexes,
        any_regex=any_regex,
        spells=spells,
        spell_ccode=spells["ccode"].astype(np.int64).to_numpy(),
        spell_start=_days(spells["start_date"], _OPEN_LO),
        spell_end=_days(spells["end_date"], _OPEN_HI),
    )


def crosswalk() -> pd.DataFrame:
    """Return the whole crosswalk: one row per COW state and period.

    Returns
    -------
    pandas.DataFrame
        Columns ``ccode, stateabb, cow_name, gwcode`` (nullable integers where a code is
        missing), ``iso3, iso2, isonum`` (the canonical code; ``iso3_all, iso2_all,
        isonum_all`` list every accepted code), ``valid_from, valid_to`` (datetimes, NaT =
        unbounded), ``aliases`` (list of name variants). ``attrs["sources"]`` names the
        reference lists.

    Examples
    --------
    >>> cw = crosswalk()
    >>> gdr = cw.loc[cw.ccode == 265].iloc[0]
    >>> gdr.cow_name, gdr.iso3, int(gdr.gwcode)
    ('German Democratic Republic', 'DDR', 265)
    """
    t = _table()
    raw = t.rows
    out = pd.DataFrame({
        "ccode": t.ccode,
        "stateabb": raw["stateabb"],
        "cow_name": raw["cow_name"],
        "gwcode": pd.array([int(g) if g else None for g in raw["gwcode"]], dtype="Int64"),
        "iso3": [_canonical(c) for c in raw["iso3"]],
        "iso2": [_canonical(c) for c in raw["iso2"]],
        "isonum": pd.array([None if _canonical(c) is None else int(_canonical(c)) for c in raw["isonum"]],
                           dtype="Int64"),
        "iso3_all": [_split(c) for c in raw["iso3"]],
        "iso2_all": [_split(c) for c in raw["iso2"]],
        "isonum_all": [[int(x) for x in _split(c)] for c in raw["isonum"]],
        "valid_from": pd.to_datetime(raw["valid_from"].replace("", None)),
        "valid_to": pd.to_datetime(raw["valid_to"].replace("", None)),
        "aliases": [_split(c) for c in raw["aliases"]],
    })
    out.attrs = {"sources": {"cow_states": "2024", "iso3166": "ISO 3166-1/-3", "gleditsch_ward": "GW list"}}
    return out


def cow_system() -> pd.DataFrame:
    """Return the COW v2024 membership spells: ``ccode, stateabb, start_date, end_date``.

    ``end_date`` of a state still in the system is the last day of the list, 2024-12-31.

    Examples
    --------
    >>> cow_system().query("ccode == 345")[["stateabb", "start_date"]].astype(str).values.tolist()
    [['YUG', '1878-07-13'], ['YUG', '1944-10-20'], ['SRB', '2006-06-03']]
    """
    spells = _table().spells
    return pd.DataFrame({
        "ccode": spells["ccode"].astype(np.int64),
        "stateabb": spells["stateabb"],
        "start_date": pd.to_datetime(spells["start_date"]),
        "end_date": pd.to_datetime(spells["end_date"].replace("", SYSTEM_END.isoformat())),
    })


# ------------------------------------------------------------------------------ dates


def _day(value: Any) -> np.int64:
    """A date (string, datetime, Timestamp, numpy datetime64) as days since 1970-01-01."""
    if isinstance(value, str):
        try:  # numpy reads ISO dates of any century (pandas stops at 1677)
            return np.datetime64(value.strip(), "D").astype(np.int64)
        except ValueError:
            pass
    if isinstance(value, (_dt.date, np.datetime64)) and not isinstance(value, pd.Timestamp):
        return np.datetime64(value, "D").astype(np.int64)
    return np.datetime64(pd.Timestamp(value).date(), "D").astype(np.int64)


def _scalar_bounds(value: Any) -> tuple[np.int64, np.int64]:
    """A date or a year -> (first day, last day) in days since 1970-01-01."""
    if isinstance(value, (bool, np.bool_)):
        raise CoverageError(f"not a date or year: {value!r}")
    if isinstance(value, (int, np.integer)) or (isinstance(value, (float, np.floating)) and float(value).is_integer()):
        year = int(value)
        if not 1 <= year <= 9999:
            raise CoverageError(f"not a year: {value!r}")
        return (np.datetime64(f"{year:04d}-01-01", "D").astype(np.int64),
                np.datetime64(f"{year:04d}-12-31", "D").astype(np.int64))
    if isinstance(value, str) and re.fullmatch(r"\s*\d{4}\s*", value):
        return _scalar_bounds(int(value))
    try:
        day = _day(value)
    except (ValueError, TypeError, OverflowError) as exc:
        raise CoverageError(f"not a date or year: {value!r} ({exc})") from None
    return day, day


def _date_bounds(date: Any, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """``date`` (scalar or length-``n`` array) -> (lo, hi, has_date) arrays; None if no date."""
    if date is None:
        return None
    if np.ndim(date) == 0 and not isinstance(date, (list, tuple)):
        if pd.isna(date):
            return None
        lo, hi = _scalar_bounds(date)
        return np.full(n, lo), np.full(n, hi), np.ones(n, dtype=bool)
    arr = pd.Series(date)
    if len(arr) != n:
        raise CoverageError(f"date has {len(arr)} values but there are {n} countries to map")
    lo = np.zeros(n, dtype=np.int64)
    hi = np.zeros(n, dtype=np.int64)
    has = arr.notna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(arr.dtype):
        days = arr.dt.tz_localize(None) if getattr(arr.dt, "tz", None) is not None else arr
        d = days[has].to_numpy().astype("datetime64[D]").astype(np.int64)
        lo[has] = d
        hi[has] = d
    elif pd.api.types.is_numeric_dtype(arr.dtype):
        years = arr[has].to_numpy()
        if len(years) and (np.any(years % 1 != 0) or years.min() < 1 or years.max() > 9999):
            bad = years[(years % 1 != 0) | (years < 1) | (years > 9999)][0]
            raise CoverageError(f"not a year: {bad!r}")
        y = years.astype(np.int64)
        distinct = np.unique(y)
        first = np.array([f"{v:04d}-01-01" for v in distinct], dtype="datetime64[D]").astype(np.int64)
        last = np.array([f"{v:04d}-12-31" for v in distinct], dtype="datetime64[D]").astype(np.int64)
        pos = np.searchsorted(distinct, y)
        lo[has] = first[pos]
        hi[has] = last[pos]
    else:
        codes, uniques = pd.factorize(arr[has])
        bounds = np.array([_scalar_bounds(u) for u in uniques], dtype=np.int64).reshape(-1, 2)
        lo[has] = bounds[codes, 0]
        hi[has] = bounds[codes, 1]
    return lo, hi, has


def _label(date: Any, pos: int) -> Any:
    if date is None:
        return None
    if np.ndim(date) == 0 and not isinstance(date, (list, tuple)):
        return date
    value = pd.Series(date).iloc[pos]
    if pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.date().isoformat()
    return value


# ------------------------------------------------------------------------------ to_ccode


def _as_int(value: Any) -> int | None:
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return int(value) if np.isfinite(value) and float(value).is_integer() else None
    if isinstance(value, str):
        s = value.strip()
        if re.fullmatch(r"[+-]?\d{1,9}(\.0*)?", s):
            return int(float(s))
    return None


def _regex_iso3(text: str) -> str | None:
    """ISO3 of the one country_converter regex that matches ``text`` (None if 0 or >1)."""
    t = _table()
    if len(text) > 80 or not t.any_regex.search(text):
        return None
    hits = {iso3 for pattern, iso3 in t.regexes if pattern.search(text)}
    return hits.pop() if len(hits) == 1 else None


def _candidates(value: Any, scheme: str) -> np.ndarray | None:
    """Row numbers of the crosswalk that ``value`` names under ``scheme`` (None: none)."""
    index = _table().index
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if scheme in ("cow", "gw", "isonum"):
        key = _as_int(value)
        return None if key is None else index[scheme].get(key)
    if scheme in ("iso3", "iso2", "stateabb"):
        return index[scheme].get(str(value).strip().upper()) if isinstance(value, str) else None
    if scheme == "name":
        if not isinstance(value, str):
            return None
        found = index["name"].get(normalise_name(value))
        if found is None:
            plain = unicodedata.normalize("NFKD", value)
            plain = "".join(c for c in plain if not unicodedata.combining(c)).strip()
            iso3 = _regex_iso3(plain) if plain else None
            found = index["iso3"].get(iso3) if iso3 else None
        return found
    # auto: a number is a COW ccode; two or three capital letters an ISO code; else a name
    if _as_int(value) is not None:
        return _candidates(value, "cow")
    if isinstance(value, str):
        s = value.strip()
        if s.isalpha() and s.isupper() and len(s) in (2, 3):
            found = _candidates(s, "iso2" if len(s) == 2 else "iso3")
            if found is not None:
                return found
        return _candidates(value, "name")
    return None


def _closest(value: Any, scheme: str) -> list[str]:
    """The closest known names (difflib) or codes, for error messages."""
    t = _table()
    if scheme in ("name", "auto") or not isinstance(value, (int, np.integer)):
        key = normalise_name(value) if isinstance(value, str) else str(value)
        keys = list(t.index["name"]) if scheme in ("name", "auto") else [str(k) for k in t.index[scheme]]
        close = difflib.get_close_matches(key, keys, n=3, cutoff=0.6)
        if scheme in ("name", "auto"):
            out = []
            for k in close:
                rows = t.index["name"][k]
                codes = sorted({int(t.ccode[r]) for r in rows})
                label = t.rows["cow_name"].iloc[rows[0]] if normalise_name(t.rows["cow_name"].iloc[rows[0]]) == k else k
                out.append(f"{label!r} ({', '.join(map(str, codes))})")
            return out
        return [repr(c) for c in close]
    keys = np.array(sorted(k for k in t.index[scheme] if isinstance(k, (int, np.integer))))
    if not len(keys):
        return []
    near = keys[np.argsort(np.abs(keys - int(value)))[:3]]
    return [f"{int(k)} ({t.rows['cow_name'].iloc[t.index[scheme][int(k)][0]]})" for k in near]


def _resolve_rows(rows: np.ndarray, lo: np.ndarray | None, hi: np.ndarray | None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Pick the ccode named by candidate ``rows`` for each date interval.

    Returns ``(ccode, status)`` arrays: status 0 ok, 1 ambiguous, 2 no state on that date.
    """
    t = _table()
    codes = np.unique(t.ccode[rows])
    n = 1 if lo is None else len(lo)
    if len(codes) == 1:
        return np.full(n, codes[0]), np.zeros(n, dtype=np.int8)
    if lo is None:  # no date: the latest state to use the name or code
        latest = rows[np.argmax(t.valid_to[rows])]
        return np.full(n, t.ccode[latest]), np.zeros(n, dtype=np.int8)
    vf, vt, cc = t.valid_from[rows], t.valid_to[rows], t.ccode[rows]
    overlap = (vf[None, :] <= hi[:, None]) & (vt[None, :] >= lo[:, None])
    at_end = (vf[None, :] <= hi[:, None]) & (vt[None, :] >= hi[:, None])
    per_code_overlap = np.stack([overlap[:, cc == c].any(axis=1) for c in codes], axis=1)
    per_code_end = np.stack([at_end[:, cc == c].any(axis=1) for c in codes], axis=1)
    n_overlap = per_code_overlap.sum(axis=1)
    # a year spanning a change of state: keep the state(s) valid on its last day
    use = np.where((n_overlap > 1)[:, None] & (per_code_end.sum(axis=1) > 0)[:, None],
                   per_code_end, per_code_overlap)
    n_use = use.sum(axis=1)
    out = codes[np.argmax(use, axis=1)]
    status = np.where(n_use == 1, 0, np.where(n_use == 0, 2, 1)).astype(np.int8)
    return out, status


def to_ccode(
    values: Any,
    *,
    scheme: Scheme = "auto",
    date: Any = None,
    where: str | None = None,
    extra: Mapping[Any, int] | None = None,
    errors: Literal["raise", "coerce"] = "raise",
    rows: Any = None,
) -> np.ndarray | int | float:
    """Map country names or codes to COW ccodes, optionally as of a date.

    Vectorised: each distinct value is looked up once and the result broadcast, so a long
    Series with few countries is fast.

    Parameters
    ----------
    values
        A name or code, or a list / array / Series of them.
    scheme
        What the values are: ``"name"`` (English name, any common variant), ``"iso3"``,
        ``"iso2"``, ``"isonum"`` (ISO 3166 numeric), ``"gw"`` (Gleditsch-Ward), ``"cow"``
        (COW ccode, checked), ``"stateabb"`` (COW abbreviation) or ``"auto"`` (numbers are
        COW ccodes; two or three capital letters are ISO codes; anything else a name).
    date
        A date or a year (or an array of them, one per value). Names and codes shared by
        several states over time resolve to the state they meant on that date ("DEU" in 1970
        is the German Federal Republic, 260). A year means the whole year; when it spans a
        change (Germany 1990), the state valid on 31 December wins. Without a date the latest
        state to use the name or code is returned. A date never rejects a name that only one
        state ever used: use :func:`is_member` to check membership.
    where
        Where the values come from, for error messages (e.g. ``"desta, file dyads"``).
    extra
        Source-specific codes or names to add, ``{value: ccode}`` (e.g. DESTA's 900 for
        Kosovo); they take precedence over the crosswalk.
    errors
        ``"raise"`` (default) raises on the first value that cannot be mapped, with a count of
        all of them; ``"coerce"`` returns NaN for them instead.
    rows
        The row number to name in error messages for each value (loaders pass the line of the
        file); default the value's 1-based position.

    Returns
    -------
    numpy.ndarray or int
        int64 ccodes (float64 with NaN under ``errors="coerce"``); a scalar for a scalar input.

    Raises
    ------
    UnknownCountryError
        A value that names no COW state (the message names the value, the scheme, ``where``,
        the row and the closest matches, and counts all failing rows).
    AmbiguousCountryError
        A value that names several states on the date (e.g. "Germany" in 1970: 260 and 265).
    UnknownOptionError
        An unknown ``scheme`` or ``errors``.

    Examples
    --------
    >>> int(to_ccode("Germany", date=2000))
    255
    >>> int(to_ccode("DEU", scheme="iso3", date=1970))
    260
    >>> int(to_ccode("South Vietnam", date=1965)), int(to_ccode("Vietnam", date=1965))
    (817, 816)
    >>> to_ccode(["Korea, Rep. of", "TÜRKIYE", "the Netherlands"]).tolist()
    [732, 640, 210]
    >>> to_ccode("Yemen", date=1980)
    Traceback (most recent call last):
    ...
    coalitionlab.errors.AmbiguousCountryError: ambiguous country 'Yemen' (as auto) on 1980: could be Yemen Arab Republic (678), Yemen People's Republic (680); pass the specific name or a COW ccode
    """
    check_option(scheme, SCHEMES, name="country code scheme")
    check_option(errors, ("raise", "coerce"), name="errors")
    scalar = np.ndim(values) == 0 and not isinstance(values, (list, tuple))
    arr = np.empty(1, dtype=object) if scalar else pd.Series(values, dtype=object).to_numpy()
    if scalar:
        arr[0] = values
    n = len(arr)
    bounds = _date_bounds(date, n)
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    t = _table()
    extra = dict(extra or {})

    # 1. each distinct value once: its ccode if only one state ever used it, else its rows
    unique_code = np.zeros(len(uniques) + 1, dtype=np.int64)     # last slot: missing values
    unique_status = np.zeros(len(uniques) + 1, dtype=np.int8)    # 0 ok, 3 unknown, 9 needs a date
    unique_status[-1] = 3
    shared: dict[int, np.ndarray] = {}
    for u, value in enumerate(uniques):
        if isinstance(value, (str, int, np.integer)) and value in extra:
            unique_code[u] = int(extra[value])
            continue
        cand = _candidates(value, scheme)
        if cand is None:
            unique_status[u] = 3
        elif len(np.unique(t.ccode[cand])) == 1:
            unique_code[u] = t.ccode[cand[0]]
        else:
            unique_status[u] = 9
            shared[u] = cand
    out = unique_code[codes]          # codes == -1 (missing) picks the last slot
    status = unique_status[codes]

    # 2. names and codes shared by several states over time: resolve on each row's date
    for u, cand in shared.items():
        pos = np.flatnonzero(codes == u)
        if bounds is None:
            res, st = _resolve_rows(cand, None, None)
            out[pos], status[pos] = res[0], st[0]
            continue
        lo, hi, has = bounds
        dated, undated = pos[has[pos]], pos[~has[pos]]
        if len(undated):
            res, st = _resolve_rows(cand, None, None)
            out[undated], status[undated] = res[0], st[0]
        if len(dated):
            out[dated], status[dated] = _resolve_rows(cand, lo[dated], hi[dated])

    if status.any():
        if errors == "coerce":
            result = out.astype(np.float64)
            result[status > 0] = np.nan
            return float(result[0]) if scalar else result
        _raise_unmapped(arr, status, scheme, date, where, scalar=scalar, rows=rows)
    return int(out[0]) if scalar else out


def _raise_unmapped(arr: np.ndarray, status: np.ndarray, scheme: str, date: Any, where: str | None,
                    *, scalar: bool = False, rows: Any = None) -> None:
    t = _table()
    bad = np.flatnonzero(status > 0)
    first = int(bad[0])
    value = arr[first]
    row = first + 1 if rows is None else np.asarray(rows)[first]
    place = where if scalar else (f"{where}, row {row}" if where else f"row {row}")
    when = _label(date, first)
    if status[first] == 1:
        cand = _candidates(value, scheme)
        lo, hi, _ = _date_bounds(when, 1)  # ambiguity needs a date, so ``when`` is set
        cand = cand[(t.valid_from[cand] <= hi[0]) & (t.valid_to[cand] >= lo[0])]
        pairs = sorted({(int(t.ccode[r]), t.rows["cow_name"].iloc[r]) for r in cand})
        exc: UnknownCountryError = AmbiguousCountryError(value, candidates=pairs, scheme=scheme,
                                                         where=place, date=when)
    elif status[first] == 2:
        cand = _candidates(value, scheme)
        names = sorted({f"{t.rows['cow_name'].iloc[r]} ({int(t.ccode[r])}, "
                        f"{t.rows['valid_from'].iloc[r] or '...'} to {t.rows['valid_to'].iloc[r] or '...'})"
                        for r in cand})
        exc = UnknownCountryError(value, scheme=scheme, where=place, date=when, closest=names)
        exc.args = (str(exc).replace("; closest:", "; no state used it then; it names"),)
    else:
        exc = UnknownCountryError(value, scheme=scheme, where=place, date=when,
                                  closest=_closest(value, scheme))
    if len(bad) > 1:
        counts = pd.Series(arr[bad], dtype=object).value_counts(dropna=False, sort=True)
        listed = ", ".join(f"{k!r} ({n})" for k, n in counts.head(8).items())
        more = f" and {len(counts) - 8} more" if len(counts) > 8 else ""
        src = f" of {where}" if where else ""
        exc.args = (f"{len(bad)} rows{src} could not be mapped: {listed}{more}; first: {exc.args[0]}",)
    raise exc


# ------------------------------------------------------------------------------ from ccodes


def _rows_for(ccodes: np.ndarray, bounds: tuple[np.ndarray, np.ndarray, np.ndarray] | None) -> np.ndarray:
    """The crosswalk row describing each ccode (on each date, if given)."""
    t = _table()
    codes, uniques = pd.factorize(ccodes)
    first_row = np.empty(len(uniques), dtype=np.int64)
    periods: dict[int, np.ndarray] = {}
    for u, c in enumerate(uniques):
        rows = t.index["cow"].get(int(c))
        if rows is None:
            pos = int(np.flatnonzero(codes == u)[0])
            raise UnknownCountryError(int(c), scheme="cow", where=f"row {pos + 1}", closest=_closest(int(c), "cow"))
        first_row[u] = rows[np.argmax(t.valid_to[rows])]  # the latest period
        if len(rows) > 1:
            periods[u] = rows
    out = first_row[codes]
    if bounds is None:
        return out
    lo, hi, has = bounds
    for u, rows in periods.items():  # states with several periods (Germany, Yugoslavia/Serbia, USSR ...)
        pos = np.flatnonzero((codes == u) & has)
        vf, vt = t.valid_from[rows], t.valid_to[rows]
        h = hi[pos][:, None]
        # the row valid on the last day of the interval, else the nearest row in time
        dist = np.maximum(vf[None, :] - h, 0) + np.maximum(h - vt[None, :], 0)
        out[pos] = rows[np.argmin(dist, axis=1)]
    return out


@lru_cache(maxsize=None)
def _column_values(scheme: str) -> np.ndarray:
    """The canonical value of ``scheme`` on every crosswalk row (object array, None if absent)."""
    t = _table()
    if scheme == "cow":
        return t.ccode.astype(object)
    column = {"name": "cow_name", "gw": "gwcode"}.get(scheme, scheme)
    first = [_canonical(c) for c in t.rows[column]]
    if scheme in ("gw", "isonum"):
        first = [None if f is None else int(f) for f in first]
    return np.array(first, dtype=object)


def ccode_to(ccodes: Any, scheme: OutScheme, *, date: Any = None) -> Any:
    """Map COW ccodes to another scheme, optionally as of a date.

    Parameters
    ----------
    ccodes
        A COW ccode or a list / array / Series of them.
    scheme
        ``"name"`` (COW name), ``"iso3"``, ``"iso2"``, ``"isonum"``, ``"gw"``, ``"stateabb"``
        or ``"cow"`` (identity, checked).
    date
        A date or year (or one per ccode): 365 in 1980 is ``SUN`` (USSR), in 2000 ``RUS``.
        Without a date, the codes of the state's latest period.

    Returns
    -------
    numpy.ndarray, pandas.arrays.IntegerArray or scalar
        Strings (object array, ``None`` where the state has no such code, e.g. Zanzibar in
        ISO) or, for ``"gw"``, ``"isonum"`` and ``"cow"``, a nullable ``Int64`` array.

    Raises
    ------
    UnknownCountryError
        A ccode that is not a COW state.

    Examples
    --------
    >>> ccode_to(365, "iso3", date=1980), ccode_to(365, "iso3", date=2000)
    ('SUN', 'RUS')
    >>> ccode_to([2, 255, 679], "gw").tolist()
    [2, 260, 678]
    """
    check_option(scheme, OUT_SCHEMES, name="country code scheme")
    scalar = np.ndim(ccodes) == 0 and not isinstance(ccodes, (list, tuple))
    raw = np.atleast_1d(np.asarray(ccodes, dtype=object)) if scalar else pd.Series(ccodes, dtype=object).to_numpy()
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    if (codes < 0).any():
        raise UnknownCountryError(None, scheme="cow", where=f"row {int(np.flatnonzero(codes < 0)[0]) + 1}")
    as_int = [_as_int(v) for v in uniques]
    for v, k in zip(uniques, as_int):
        if k is None:
            pos = int(np.flatnonzero(codes == list(uniques).index(v))[0])
            raise UnknownCountryError(v, scheme="cow", where=f"row {pos + 1}")
    ints = np.array(as_int, dtype=np.int64)[codes]
    rows = _rows_for(ints, _date_bounds(date, len(ints)))
    picked = _column_values(scheme)[rows]
    values: Any = pd.array(picked, dtype="Int64") if scheme in ("gw", "isonum", "cow") else picked
    if scalar:
        v = values[0]
        return None if v is pd.NA else (int(v) if scheme in ("gw", "isonum", "cow") else v)
    return values


#: Where coalitionlab's country name differs from the COW v2024 name: COW's formal long form for a
#: state every table and report calls by its short name. Every other state is named as COW names it
#: (COW's names are already the short common ones: "United Kingdom", "Russia", "South Korea").
SHORT_NAMES: dict[int, str] = {2: "United States"}

NameStyle = Literal["common", "cow"]


def country_name(ccodes: Any, *, date: Any = None, style: NameStyle = "common") -> Any:
    """The English name of COW ccodes, the one name every coalitionlab output uses.

    Every ``country`` column coalitionlab produces (coalition tables, embeddedness, models,
    planner and report tables) comes from here, so a state has one name across outputs.

    Parameters
    ----------
    ccodes
        A COW ccode or a list / array / Series of them.
    date
        A date or year (or one per ccode). Only ccode 345 changes its name: COW v2024 names it
        Yugoslavia to 2006-06-02 and Serbia from 2006-06-03. Without a date, the name of the
        state's latest period.
    style
        ``"common"`` (default): the COW v2024 name, except the states in :data:`SHORT_NAMES`,
        named by their short form (2 is ``"United States"``, not ``"United States of America"``).
        ``"cow"``: exactly the COW v2024 ``statenme`` (to compare with COW's own files).

    Returns
    -------
    str or numpy.ndarray
        A string for a scalar ccode, else an object array of strings.

    Raises
    ------
    UnknownCountryError
        A ccode that is not a COW state.
    UnknownOptionError
        An unknown ``style``.

    Examples
    --------
    >>> country_name(345, date=1990), country_name(345, date=2010)
    ('Yugoslavia', 'Serbia')
    >>> country_name([2, 200, 365, 255, 260]).tolist()
    ['United States', 'United Kingdom', 'Russia', 'Germany', 'German Federal Republic']
    >>> country_name(2, style="cow")
    'United States of America'
    """
    check_option(style, ("common", "cow"), name="country name style")
    names = ccode_to(ccodes, "name", date=date)
    if style == "cow":
        return names
    if isinstance(names, str):
        return SHORT_NAMES.get(_as_int(ccodes), names)
    codes = pd.to_numeric(pd.Series(ccodes, dtype=object)).to_numpy()  # checked by ccode_to
    out = np.asarray(names, dtype=object).copy()
    for code, short in SHORT_NAMES.items():
        out[codes == code] = short
    return out


def ccodes_named(label: Any) -> frozenset[int]:
    """Every COW ccode a name or code can mean, at any date (empty when it names no state).

    ``label`` is read as in :func:`to_ccode` with ``scheme="auto"``, and also as an ISO 3166 or
    COW abbreviation whatever its case (``"usa"``, ``"Gbr"``). No date narrows it: ``"Germany"``
    gives ``{255}`` and ``"Korea"`` ``{730, 732}``. Used to check that a hand-written label agrees
    with its ccode (a coalition file's ``country`` and ``lead`` columns).

    Examples
    --------
    >>> sorted(ccodes_named("usa")), sorted(ccodes_named("Korea")), sorted(ccodes_named("Atlantis"))
    ([2], [730, 732], [])
    """
    t = _table()
    found: set[int] = set()
    for scheme in ("auto", "name"):
        rows = _candidates(label, scheme)
        if rows is not None:
            found.update(int(c) for c in t.ccode[rows])
    if isinstance(label, str) and label.strip().isalpha() and len(label.strip()) in (2, 3):
        key = label.strip().upper()
        for scheme in ("iso2", "iso3", "stateabb"):
            rows = t.index[scheme].get(key)
            if rows is not None:
                found.update(int(c) for c in t.ccode[rows])
    return frozenset(found)


# ------------------------------------------------------------------------------ membership


def states_on(date: Any) -> np.ndarray:
    """COW ccodes of the states in the interstate system on a date (or during a year).

    Parameters
    ----------
    date
        A date, or a year: a year returns every state that was a member on at least one day
        of it (the COW state-year convention). Dates after 2024-12-31 assume no change since
        the end of the COW v2024 list.

    Returns
    -------
    numpy.ndarray
        Sorted int64 ccodes.

    Raises
    ------
    CoverageError
        A date before 1816-01-01.

    Examples
    --------
    >>> codes = states_on("1970-06-30")
    >>> bool(260 in codes and 265 in codes and 255 not in codes)
    True
    >>> len(states_on(2016))
    195
    """
    lo, hi = _scalar_bounds(date)
    if hi < _day(SYSTEM_START):
        raise CoverageError(f"date {date!r} is before the COW state system starts (1816-01-01)")
    t = _table()
    inside = (t.spell_start <= hi) & (t.spell_end >= lo)
    return np.unique(t.spell_ccode[inside])


def is_member(ccode: Any, date: Any) -> bool | np.ndarray:
    """Whether each COW ccode is in the state system on a date or during a year.

    Vectorised over ``ccode`` and ``date`` (scalars broadcast).

    Examples
    --------
    >>> is_member(260, 1970), is_member(260, "1990-10-03"), is_member(255, 1990)
    (True, False, True)
    >>> is_member([2, 511], 1965).tolist()
    [True, False]
    """
    scalar = np.ndim(ccode) == 0 and np.ndim(date) == 0
    codes = np.atleast_1d(np.asarray(ccode)).astype(np.int64)
    n = len(codes) if np.ndim(ccode) else (1 if np.ndim(date) == 0 else len(date))
    codes = np.broadcast_to(codes, (n,))
    bounds = _date_bounds(date, n)
    if bounds is None:
        raise CoverageError("is_member() needs a date or year")
    lo, hi, has = bounds
    t = _table()
    out = np.zeros(n, dtype=bool)
    for c in np.unique(codes):
        pos = np.flatnonzero(codes == c)
        sel = t.spell_ccode == c
        s, e = t.spell_start[sel], t.spell_end[sel]
        out[pos] = ((s[None, :] <= hi[pos][:, None]) & (e[None, :] >= lo[pos][:, None])).any(axis=1)
    out &= has
    return bool(out[0]) if scalar else out


# ------------------------------------------------------------------------------ agreement with reference files


def crosswalk_agreement(data_dir: Any = None) -> pd.DataFrame:
    """Agreement of the crosswalk with the reference files of the data directory.

    Each row compares one mapping against a real file that carries both codes: the COW v2024
    list (spells, names, abbreviations), isard's COW-GW state-year panel, the UN ideal-point
    panel (ccode with iso3c and country names, per session) and troopdata's country-years
    (ccode with iso3c). Every disagreement is explained in ``docs/data/countries.md``.

    Parameters
    ----------
    data_dir
        Data directory laid out like ``../shared/data``; default from
        :func:`coalitionlab.data.paths.resolve_data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``reference, mapping, n, agree, rate``.
    """
    from coalitionlab.data.paths import resolve_data_dir

    root = resolve_data_dir(data_dir)
    rows = []

    def add(reference: str, mapping: str, ours: Any, theirs: Any) -> None:
        ours, theirs = np.asarray(ours, dtype=object), np.asarray(theirs, dtype=object)
        agree = int(sum(a == b for a, b in zip(ours.tolist(), theirs.tolist())))
        rows.append({"reference": reference, "mapping": mapping, "n": len(ours), "agree": agree,
                     "rate": agree / len(ours) if len(ours) else np.nan})

    sl = pd.read_csv(root / "cow_states" / "statelist2024.csv")
    start = pd.to_datetime(dict(year=sl.styear, month=sl.stmonth, day=sl.stday))
    end = pd.to_datetime(dict(year=sl.endyear, month=sl.endmonth, day=sl.endday))
    spells = cow_system()
    add("cow_states/statelist2024.csv", "spell dates", list(zip(spells.ccode, spells.start_date, spells.end_date)),
        list(zip(sl.ccode, start, end)))
    add("cow_states/statelist2024.csv", "ccode -> COW name",
        country_name(sl.ccode.to_numpy(), date=start, style="cow"), sl.statenme)
    add("cow_states/statelist2024.csv", "ccode -> stateabb", ccode_to(sl.ccode.to_numpy(), "stateabb", date=start),
        sl.stateabb)
    add("cow_states/statelist2024.csv", "COW name -> ccode",
        to_ccode(sl.statenme, scheme="name", date=start, errors="coerce"), sl.ccode.astype(float))
    years = range(1816, 2025)
    add("cow_states/statelist2024.csv", "states_on(year)", [tuple(states_on(y)) for y in years],
        [tuple(sorted(sl.ccode[(start.dt.year <= y) & (end.dt.year >= y)].unique())) for y in years])

    p = pd.read_csv(root / "isard" / "cw_gw_panel.csv.gz").dropna(subset=["ccode", "gwcode"])
    add("isard/cw_gw_panel.csv.gz", "ccode -> gwcode",
        np.asarray(ccode_to(p.ccode.astype(int).to_numpy(), "gw", date=p.year.to_numpy()), dtype=float), p.gwcode)
    add("isard/cw_gw_panel.csv.gz", "gwcode -> ccode",
        to_ccode(p.gwcode.astype(int).to_numpy(), scheme="gw", date=p.year.to_numpy(), errors="coerce"), p.ccode)

    u = pd.read_csv(root / "un_voting" / "IdealpointestimatesAll_Jun2024.csv.gz")
    add("un_voting/IdealpointestimatesAll_Jun2024.csv.gz", "iso3c -> ccode",
        to_ccode(u.iso3c, scheme="iso3", date=u.session + 1945, errors="coerce"), u.ccode.astype(float))
    add("un_voting/IdealpointestimatesAll_Jun2024.csv.gz", "Countryname -> ccode",
        to_ccode(u.Countryname, scheme="name", date=u.session + 1945, errors="coerce"), u.ccode.astype(float))

    t = pd.read_csv(root / "us_military_presence" / "troopdata_country_year.csv.gz").dropna(subset=["iso3c", "ccode"])
    add("us_military_presence/troopdata_country_year.csv.gz", "iso3c -> ccode",
        to_ccode(t.iso3c, scheme="iso3", date=t.year, errors="coerce"), t.ccode.astype(float))
    return pd.DataFrame(rows)
