"""Sitting leaders (Archigos 4.1) and the time two of them have shared in office.

These measures give an *opportunity* for a personal relationship between the lead state's leader and
a candidate state's leader: how long the two people in office on a day have both been in office. They
are not a measure of personal ties: the data directory has no record of meetings, summits,
correspondence or any other contact between leaders (docs/measures/leaders.md).

Rules:

* **Who is in office.** A leader is in office on every day from the spell's start to its end date,
  both included (Archigos dates a hand-over to the same day for both leaders in most states); when two
  spells of one state include the day, the later-entering leader is the one in office (on equal
  start dates, the longer spell: Archigos lists a same-day interim leader first).
* **Years.** Days divided by 365.25. A leader's tenure counts from the start of the current spell;
  a leader who returns after a break starts again.
* **Missing, never 0.** NaN on a day outside Archigos 4.1 (1875-01-01 to 2015-12-31; a
  :class:`~coalitionlab.errors.StaleDataWarning` counts such rows), for a state that is not a COW
  system member on the day, and for a state without a leader in Archigos on the day (gaps between
  spells, states Archigos does not cover such as the European microstates).
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np
import pandas as pd

from coalitionlab._validation import parse_date
from coalitionlab.errors import CoverageError, MissingDataError, MissingValueWarning, PanelTypeError, StaleDataWarning
from coalitionlab.measures._common import load_source

__all__ = ["SOURCE", "YEAR_DAYS", "add_leader_ties", "archigos_coverage", "leaders_on"]

#: The registered source the measures read.
SOURCE = "archigos_leaders"
#: Days in a year for every duration in years.
YEAR_DAYS = 365.25
_COLUMNS = ("leader_overlap_years", "leader_tenure_candidate", "lead_leader_tenure")
_NOTE = ("opportunity for a personal relationship (shared time in office of the two sitting leaders), "
         "not a measure of personal ties; no data on meetings or correspondence between leaders")


def archigos_coverage() -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day Archigos covers (1 January of its first year, 31 December of its last).

    Examples
    --------
    >>> [f"{d:%Y-%m-%d}" for d in archigos_coverage()]
    ['1875-01-01', '2015-12-31']
    """
    from coalitionlab.data import get_source

    s = get_source(SOURCE)
    return pd.Timestamp(f"{s.first_year}-01-01"), pd.Timestamp(f"{s.last_year}-12-31")


def _in_office(spells: pd.DataFrame, ccode: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Row position in ``spells`` of the leader in office in ``ccode[i]`` on ``days[i]`` (-1: none).

    An interval join: each distinct (ccode, day) is joined to every spell of its state, spells that do
    not include the day are dropped, and the later-entering of the rest is kept.
    """
    out = np.full(len(ccode), -1, dtype="int64")
    ok = (ccode >= 0) & ~np.isnat(days)
    if not ok.any():
        return out
    queries = pd.DataFrame({"ccode": ccode[ok], "day": days[ok]})
    uniq = queries.drop_duplicates(ignore_index=True)
    table = pd.DataFrame({"ccode": spells["ccode"].to_numpy("int64"),
                          "from": spells["ccode_start_date"].to_numpy("datetime64[ns]"),
                          "to": spells["ccode_end_date"].to_numpy("datetime64[ns]"),
                          "start": spells["start_date"].to_numpy("datetime64[ns]"),
                          "end": spells["end_date"].to_numpy("datetime64[ns]"),
                          "row": np.arange(len(spells))})
    pairs = uniq.reset_index(names="q").merge(table, on="ccode")
    pairs = pairs[(pairs["from"] <= pairs["day"]) & (pairs["day"] <= pairs["to"])]
    pairs = pairs.sort_values(["q", "start", "end", "row"], kind="stable").drop_duplicates("q", keep="last")
    found = np.full(len(uniq), -1, dtype="int64")
    found[pairs["q"].to_numpy()] = pairs["row"].to_numpy()
    back = queries.merge(uniq.assign(found=found), on=["ccode", "day"], how="left")["found"].to_numpy()
    out[ok] = back
    return out


def _members(ccode: np.ndarray, days: np.ndarray, data_dir: str | os.PathLike | None) -> np.ndarray:
    """Whether ``ccode[i]`` is a COW system member on ``days[i]`` (both ends of a spell included)."""
    from coalitionlab.measures.panel import system_spells

    try:
        spells = system_spells(data_dir, source="full")
    except MissingDataError:  # the crosswalk ships the same COW v2024 list
        spells = system_spells(source="seed")
    queries = pd.DataFrame({"ccode": ccode, "day": days})
    uniq = queries.drop_duplicates(ignore_index=True)
    pairs = uniq.reset_index(names="q").merge(spells[["ccode", "start_date", "end_date"]], on="ccode")
    inside = pairs[(pairs["start_date"] <= pairs["day"]) & (pairs["day"] <= pairs["end_date"])]
    member = np.zeros(len(uniq), dtype=bool)
    member[inside["q"].to_numpy()] = True
    return queries.merge(uniq.assign(member=member), on=["ccode", "day"], how="left")["member"].to_numpy(bool)


def _years(later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    """``later - earlier`` in years of 365.25 days (NaT -> NaN)."""
    delta = (later.astype("datetime64[ns]") - earlier.astype("datetime64[ns]")).astype("timedelta64[D]")
    out = delta.astype("float64") / YEAR_DAYS
    out[np.isnat(delta)] = np.nan
    return out


def leaders_on(date: Any, data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """The leader in office in every COW state on a day, from Archigos 4.1.

    Parameters
    ----------
    date
        A day, ``YYYY-MM-DD`` or a Timestamp, inside Archigos (1875-01-01 to 2015-12-31).
    data_dir
        Data directory holding ``peacesciencer/archigos.csv.gz``; default from
        :func:`coalitionlab.data.resolve_data_dir`.

    Returns
    -------
    pandas.DataFrame
        One row per COW system member on the day with a leader in Archigos: ``ccode``, ``leader_id``
        (Archigos ``leadid``), ``leader`` (Archigos spelling), ``in_office_since`` (start of the
        current spell), sorted by ccode. A state with no Archigos leader that day has no row. ``attrs``
        holds ``date``, ``source``, ``version`` and ``note``.

    Raises
    ------
    CoverageError
        An unreadable date, or a day outside Archigos.

    Examples
    --------
    >>> df = leaders_on("2003-03-20")  # doctest: +SKIP
    >>> df.loc[df["ccode"].isin([2, 200]), "leader"].tolist()  # doctest: +SKIP
    ['G.W. Bush', 'Blair']
    """
    ts = parse_date(date).normalize()
    first, last = archigos_coverage()
    if not first <= ts <= last:
        raise CoverageError(f"leaders_on(): {ts:%Y-%m-%d} is outside Archigos 4.1 ({first:%Y-%m-%d} to "
                            f"{last:%Y-%m-%d})")
    spells = load_source(SOURCE, data_dir)
    codes = np.unique(spells["ccode"].to_numpy("int64"))
    days = np.full(len(codes), np.datetime64(ts.to_datetime64(), "ns"))
    rows = _in_office(spells, codes, days)
    keep = (rows >= 0) & _members(codes, days, data_dir)
    picked = spells.iloc[rows[keep]]
    out = pd.DataFrame({"ccode": codes[keep],
                        "leader_id": picked["leader_id"].to_numpy(),
                        "leader": picked["leader"].to_numpy(),
                        "in_office_since": picked["start_date"].to_numpy("datetime64[ns]")})
    out.attrs = {"date": f"{ts:%Y-%m-%d}", "source": SOURCE, "version": str(spells.attrs.get("version", "unknown")),
                 "note": "COW system members on the day with a leader in Archigos"}
    return out


def _panel_days(panel: pd.DataFrame, date_col: str) -> np.ndarray:
    """The panel's dates as days (an integer column is a year: its 1 January); unreadable -> error."""
    values = panel[date_col]
    if pd.api.types.is_integer_dtype(values):
        text = (values.astype("Int64").astype("str") + "-01-01").mask(values.isna())
        day = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    elif pd.api.types.is_datetime64_any_dtype(values):
        day = values
    else:
        day = pd.to_datetime(values, format="ISO8601", errors="coerce")
    if getattr(day.dt, "tz", None) is not None:
        raise PanelTypeError(f"add_leader_ties(): column {date_col!r} carries a time zone; give calendar days")
    unreadable = day.isna().to_numpy() & values.notna().to_numpy()
    if unreadable.any():
        pos = int(np.flatnonzero(unreadable)[0])
        raise PanelTypeError(f"add_leader_ties(): column {date_col!r} holds {values.iloc[pos]!r} at position {pos}, "
                             "not a date; write dates as YYYY-MM-DD")
    return day.dt.normalize().to_numpy("datetime64[ns]")


def _codes(panel: pd.DataFrame, col: str) -> np.ndarray:
    """A ccode column as int64 (-1 where missing); text or fractions are an error naming the position."""
    values = panel[col]
    numbers = pd.to_numeric(values, errors="coerce").to_numpy("float64", na_value=np.nan)
    bad = (np.isnan(numbers) & values.notna().to_numpy()) | (np.isfinite(numbers) & (numbers % 1 != 0))
    bad |= np.isinf(numbers)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise PanelTypeError(f"add_leader_ties(): column {col!r} holds {values.iloc[pos]!r} at position {pos}; "
                             "it needs COW ccodes")
    return np.where(np.isnan(numbers), -1, numbers).astype("int64")


def add_leader_ties(panel: pd.DataFrame, *, lead_col: str = "lead_ccode", date_col: str = "start_date",
                    data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Add the shared time in office of the lead's and each candidate's leader on each row's date.

    For a row (lead state L, candidate state i, day t), with the leaders of L and i in office on t
    (Archigos 4.1, :func:`leaders_on`'s rule) having taken office on ``s_L`` and ``s_i``:

    * ``leader_overlap_years`` = (t - max(s_L, s_i)) / 365.25, how long the two have both been in
      office up to t: an opportunity for a personal relationship, not a measure of one (there is no
      data on meetings between leaders);
    * ``leader_tenure_candidate`` = (t - s_i) / 365.25 and ``lead_leader_tenure`` = (t - s_L) / 365.25.

    Parameters
    ----------
    panel
        One row per coalition x candidate: ``ccode`` (the candidate), ``lead_col`` and ``date_col``
        (a date, or a year when the column is integer: 1 January of that year).
    lead_col, date_col
        Column names.
    data_dir
        Data directory; default from :func:`coalitionlab.data.resolve_data_dir`.

    Returns
    -------
    pandas.DataFrame
        A copy with the three columns (float). NaN, never 0, on days outside Archigos (1875-01-01 to
        2015-12-31, with a :class:`~coalitionlab.errors.StaleDataWarning`), where a state is not a
        COW system member on the day or has no leader in Archigos then (a tenure needs its own state,
        the overlap both), where the candidate is the lead (overlap only), and, with a
        :class:`~coalitionlab.errors.MissingValueWarning`, where the lead, candidate or date is missing.
        ``attrs["leaders"]`` records the source, version, coverage and counts of each kind of NaN.

    Raises
    ------
    PanelTypeError
        A missing column, a ccode column holding something other than codes, or a date column
        holding text that is not a date.
    """
    if not isinstance(panel, pd.DataFrame):
        raise PanelTypeError(f"add_leader_ties() needs a pandas DataFrame panel, got {type(panel).__name__}")
    missing = [c for c in dict.fromkeys(("ccode", lead_col, date_col)) if c not in panel.columns]
    if missing:
        raise PanelTypeError(f"add_leader_ties() needs column(s) {', '.join(missing)}; "
                             "pass lead_col=/date_col= to name them")
    days = _panel_days(panel, date_col)
    lead, cand = _codes(panel, lead_col), _codes(panel, "ccode")
    incomplete = np.isnat(days) | (lead < 0) | (cand < 0)
    if incomplete.any():
        warnings.warn(f"add_leader_ties(): {int(incomplete.sum())} row(s) lack a {lead_col}, ccode or {date_col} "
                      f"(first at position {int(np.flatnonzero(incomplete)[0])}); their leader columns are NaN",
                      MissingValueWarning, stacklevel=2)
    first, last = archigos_coverage()
    f64, l64 = first.to_datetime64(), last.to_datetime64()
    after = ~np.isnat(days) & (days > l64)
    before = ~np.isnat(days) & (days < f64)
    for n, where, edge in ((after.sum(), "after its end", last), (before.sum(), "before its start", first)):
        if n:
            warnings.warn(f"add_leader_ties(): Archigos 4.1 covers {first:%Y-%m-%d} to {last:%Y-%m-%d}; "
                          f"{int(n)} row(s) dated {where} ({edge:%Y-%m-%d}) have NaN leader columns",
                          StaleDataWarning, stacklevel=2)
    inside = ~np.isnat(days) & ~after & ~before
    spells = load_source(SOURCE, data_dir)
    at = np.where(inside, days, np.datetime64("NaT"))
    # one lookup for both sides: the lead and candidate queries stacked
    both_codes = np.concatenate([np.where(inside, lead, -1), np.where(inside, cand, -1)])
    both_days = np.concatenate([at, at])
    rows = _in_office(spells, both_codes, both_days)
    known = both_codes >= 0
    member = np.zeros(len(both_codes), dtype=bool)
    member[known] = _members(both_codes[known], both_days[known], data_dir)
    rows = np.where(member, rows, -1)
    n = len(panel)
    starts = spells["start_date"].to_numpy("datetime64[ns]")
    since = np.where(rows >= 0, starts[np.clip(rows, 0, None)], np.datetime64("NaT"))
    lead_since, cand_since = since[:n], since[n:]
    latest = np.maximum(lead_since, cand_since)  # NaT propagates: both leaders are needed
    latest[np.isnat(lead_since) | np.isnat(cand_since) | (lead == cand)] = np.datetime64("NaT")
    out = panel.copy(deep=False)
    out["leader_overlap_years"] = _years(at, latest)
    out["leader_tenure_candidate"] = _years(at, cand_since)
    out["lead_leader_tenure"] = _years(at, lead_since)
    attrs = dict(panel.attrs)
    version = str(spells.attrs.get("version", "unknown"))
    sources = attrs.get("sources", {})
    if isinstance(sources, dict):
        attrs["sources"] = {**sources, SOURCE: version}
    else:
        attrs["sources"] = list(dict.fromkeys([*sources, SOURCE]))
    attrs["leaders"] = {
        "source": SOURCE, "version": version, "coverage": [f"{first:%Y-%m-%d}", f"{last:%Y-%m-%d}"],
        "lead_col": lead_col, "date_col": date_col, "columns": list(_COLUMNS), "note": _NOTE,
        "rows_outside_coverage": int(after.sum() + before.sum()), "rows_incomplete": int(incomplete.sum()),
        "lead_without_leader": int((inside & ~incomplete & np.isnat(lead_since)).sum()),
        "candidate_without_leader": int((inside & ~incomplete & np.isnat(cand_since)).sum()),
        "existence": "COW system member on the day, with a leader in Archigos on the day",
    }
    out.attrs = attrs
    return out
