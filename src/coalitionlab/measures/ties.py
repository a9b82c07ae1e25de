"""Dated ties between two states, and how many are in force on a given day.

A *tie table* has one row per (state pair, agreement or alliance): ``ccode1 < ccode2``, ``start`` and
``end`` (``datetime64[ns]``; ``end`` NaT while still in force). A tie is in force on day *d* when
``start <= d`` and (``end`` is NaT or ``d < end``): ``end`` is the first day it no longer binds.
Sources that give only a year are made dated without look-ahead: a start known only by its year
is the last day of that year (31 December), an end known only by its year the first (1 January),
so a tie is never counted on a day it may not yet have been in force.

The builders below turn each dated source into such a table (ATOP alliances, DESTA trade
agreements, UNCTAD investment treaties, the seed's US defence treaties); :func:`count_ties`
counts them for many (pair, day) queries at once by binary search over sorted keys.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

__all__ = ["TIE_COLUMNS", "alliance_ties", "count_own_ties", "count_ties", "desta_ties", "seed_alliance_ties",
           "unctad_ties", "year_end", "year_start"]

#: The columns every tie table has (others may follow).
TIE_COLUMNS = ("ccode1", "ccode2", "start", "end")

_DAY = np.timedelta64(1, "D")


def year_end(years) -> np.ndarray:
    """31 December of each year (NaN -> NaT): the latest day a start known only by its year can mean."""
    y = np.asarray(years, dtype="float64")
    out = np.full(len(y), np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = ~np.isnan(y)
    out[ok] = (y[ok].astype("int64") - 1970 + 1).astype("datetime64[Y]").astype("datetime64[ns]") - _DAY
    return out


def year_start(years) -> np.ndarray:
    """1 January of each year (NaN -> NaT): the earliest day an end known only by its year can mean."""
    y = np.asarray(years, dtype="float64")
    out = np.full(len(y), np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = ~np.isnan(y)
    out[ok] = (y[ok].astype("int64") - 1970).astype("datetime64[Y]").astype("datetime64[ns]")
    return out


def _days(values) -> np.ndarray:
    """Days since 1970 as int64 (NaT -> the largest int64, i.e. never).

    Floor division of the nanoseconds: numpy's ``datetime64[ns] -> [D]`` cast wraps days before
    1678 (1677-09-22 became 2262-04-11), so treaties dated that early never counted.
    """
    v = np.asarray(values, dtype="datetime64[ns]")
    out = v.astype("int64") // (86_400 * 10**9)
    out[np.isnat(v)] = np.iinfo("int64").max
    return out


def _pair_key(c1, c2) -> np.ndarray:
    a, b = np.asarray(c1, "int64"), np.asarray(c2, "int64")
    return np.minimum(a, b) * 1000 + np.maximum(a, b)


def _counts_by_key(keys: np.ndarray, start: np.ndarray, end: np.ndarray, qkeys: np.ndarray,
                   qdays: np.ndarray) -> np.ndarray:
    """For each query (key, day): rows with that key and ``start <= day < end``.

    Count = #(start <= day) - #(end <= day) within the key, each found with one searchsorted on
    (key, day) pairs packed into one int64 (days fit in 32 bits; keys in 20).
    """
    shift = np.int64(1) << 32
    offset = np.int64(1) << 31  # days since 1970 may be negative (1816...)

    def packed(k, d):
        d = np.clip(d, -offset, offset - 1)
        return np.asarray(k, "int64") * shift + (d + offset)

    live = end > start  # a spell that ends before it starts binds on no day
    keys, start, end = keys[live], start[live], end[live]
    starts = np.sort(packed(keys, start))
    ends = np.sort(packed(keys, end))
    q = packed(qkeys, qdays)
    return (np.searchsorted(starts, q, side="right") - np.searchsorted(ends, q, side="right")).astype("float64")


def count_ties(ties: pd.DataFrame, c1, c2, dates) -> np.ndarray:
    """Number of ties in ``ties`` in force between ``c1[i]`` and ``c2[i]`` on ``dates[i]``.

    Parameters
    ----------
    ties
        A tie table (:data:`TIE_COLUMNS`; pairs in either order).
    c1, c2
        COW ccodes of the queried pairs (arrays of equal length).
    dates
        The day of each query (anything ``numpy.datetime64`` accepts); NaT gives NaN.

    Returns
    -------
    numpy.ndarray
        Float counts (0 where the pair has no tie in force); NaN where the date is missing.
        Whether a state existed, or the source covers the date, is the caller's business.

    Examples
    --------
    >>> t = pd.DataFrame({"ccode1": [2, 2], "ccode2": [200, 200],
    ...                   "start": pd.to_datetime(["1949-08-24", "1990-01-01"]),
    ...                   "end": pd.to_datetime([None, "1995-01-01"])})
    >>> count_ties(t, [200, 2, 2], [2, 200, 200], ["1991-06-01", "1995-01-01", "1949-08-23"]).tolist()
    [2.0, 1.0, 0.0]
    """
    d = np.asarray(dates, dtype="datetime64[ns]")
    out = _counts_by_key(_pair_key(ties["ccode1"], ties["ccode2"]), _days(ties["start"]), _days(ties["end"]),
                         _pair_key(c1, c2), _days(d))
    out[np.isnat(d)] = np.nan
    return out


def count_own_ties(ties: pd.DataFrame, ccode, dates) -> np.ndarray:
    """Number of ties of state ``ccode[i]`` (with anyone) in force on ``dates[i]``; see :func:`count_ties`.

    Each tie is counted once per state in it, so a multilateral agreement of ``n`` states that a
    tie table lists as ``n - 1`` pairs for this state counts ``n - 1`` times: deduplicate by
    agreement first (``ties.drop_duplicates([...])``) when the number of agreements is wanted.
    """
    d = np.asarray(dates, dtype="datetime64[ns]")
    keys = np.concatenate([np.asarray(ties["ccode1"], "int64"), np.asarray(ties["ccode2"], "int64")])
    start = np.concatenate([_days(ties["start"])] * 2)
    end = np.concatenate([_days(ties["end"])] * 2)
    out = _counts_by_key(keys, start, end, np.asarray(ccode, "int64"), _days(d))
    out[np.isnat(d)] = np.nan
    return out


def alliance_ties(members: pd.DataFrame) -> pd.DataFrame:
    """Dated ties from the ATOP member level: one row per (alliance, pair, spell).

    Parameters
    ----------
    members
        ``load("atop_members")``: ``atopid, ccode, start_date, end_date`` (the member's own entry and
        exit; NaT exit = in force at the end of the data) and ``defense``.

    Returns
    -------
    pandas.DataFrame
        ``atopid, ccode1, ccode2, start, end, defense``: the pair shares alliance ``atopid`` from the later
        of the two entries to the day after the earlier exit (ATOP's exit date is the last day bound).
        Phases of one alliance that overlap or touch make one spell, so a phase change is not a new tie.
    """
    m = pd.DataFrame({
        "atopid": members["atopid"].to_numpy(), "ccode": members["ccode"].to_numpy().astype("int64"),
        "start": members["start_date"].to_numpy("datetime64[ns]"),
        "end": members["end_date"].to_numpy("datetime64[ns]") + _DAY,
        "defense": pd.to_numeric(members["defense"], errors="coerce").fillna(0).to_numpy(),
    })
    p = m.merge(m, on="atopid", suffixes=("1", "2"))
    p = p[p["ccode1"] < p["ccode2"]]
    start = np.maximum(p["start1"].to_numpy(), p["start2"].to_numpy())
    e1, e2 = p["end1"].to_numpy(), p["end2"].to_numpy()
    end = np.where(np.isnat(e1), e2, np.where(np.isnat(e2), e1, np.minimum(e1, e2)))
    out = pd.DataFrame({"atopid": p["atopid"].to_numpy(), "ccode1": p["ccode1"].to_numpy(),
                        "ccode2": p["ccode2"].to_numpy(), "start": start, "end": end,
                        "defense": np.maximum(p["defense1"].to_numpy(), p["defense2"].to_numpy())})
    out = out[np.isnat(out["end"].to_numpy()) | (out["end"] > out["start"])]
    return _merge_spells(out, ["atopid", "ccode1", "ccode2"], {"defense": "max"})


def _merge_spells(ties: pd.DataFrame, keys: list[str], extra: dict[str, str] | None = None) -> pd.DataFrame:
    """Merge overlapping or touching spells of the same key into one (vectorised gaps-and-islands)."""
    if ties.empty:  # nothing to merge (e.g. no two members of an alliance ever overlapped)
        return ties[[*keys, "start", "end", *(extra or {})]].reset_index(drop=True)
    never = np.datetime64("2262-01-01", "ns")
    t = ties.assign(_end=ties["end"].fillna(never)).sort_values([*keys, "start"], ignore_index=True)
    same = np.ones(len(t), bool)
    for k in keys:
        v = t[k].to_numpy()
        same[1:] &= v[1:] == v[:-1]
    same[0] = False
    running = t.groupby(keys, sort=False)["_end"].cummax().to_numpy()
    new = ~same
    new[1:] |= same[1:] & (t["start"].to_numpy()[1:] > running[:-1])
    t["_spell"] = np.cumsum(new)
    agg = {"start": ("start", "min"), "_end": ("_end", "max"), **{c: (c, f) for c, f in (extra or {}).items()}}
    out = t.groupby([*keys, "_spell"], as_index=False, sort=False).agg(**agg)
    out["end"] = out["_end"].where(out["_end"] < never)
    return out.drop(columns=["_spell", "_end"])[[*keys, "start", "end", *(extra or {})]]


def desta_ties(data_dir: str | os.PathLike | None) -> pd.DataFrame:
    """DESTA trade agreements as dated ties: ``ccode1, ccode2, base_treaty, start, end, is_bilateral``.

    DESTA gives years only: a treaty counts from 31 December of its entry-into-force year and stops on
    1 January of the withdrawal year (:func:`year_end`, :func:`year_start`), the pairs and spells of
    :func:`coalitionlab.measures.agreements.desta_pairs`.
    """
    from coalitionlab.measures._common import load_source
    from coalitionlab.measures.agreements import desta_pairs

    pairs = desta_pairs(load_source("desta_dyads", data_dir), load_source("desta_withdrawals", data_dir))
    return pairs.assign(start=year_end(pairs["start"]), end=year_start(pairs["end"]))


def unctad_ties(data_dir: str | os.PathLike | None) -> pd.DataFrame:
    """UNCTAD investment treaties as dated ties: ``ccode1, ccode2, treaty_id, start, end, is_bilateral``.

    Exact days: in force from the entry-into-force date to the termination date; the pairs are those
    of :func:`coalitionlab.measures.agreements.unctad_pairs` (BLEU and successor rules).
    """
    from coalitionlab.measures._common import load_source
    from coalitionlab.measures.agreements import unctad_pairs

    parties = load_source("unctad_iia", data_dir)
    pairs = unctad_pairs(parties)
    dates = (parties.drop_duplicates("treaty_id").set_index("treaty_id")[["entry_force_date", "termination_date"]])
    got = dates.reindex(pairs["treaty_id"].to_numpy())
    return pairs.assign(start=got["entry_force_date"].to_numpy("datetime64[ns]"),
                        end=got["termination_date"].to_numpy("datetime64[ns]"))


def seed_alliance_ties(*, defence_pacts_only: bool = False) -> pd.DataFrame:
    """The seed's US defence treaties (bilateral and multilateral) as dated ties with the USA.

    ``end`` is the day after the treaty's last day in force. See
    :func:`coalitionlab.data.seed.us_defence_treaties`.
    """
    from coalitionlab.data import seed

    t = seed.us_defence_treaties()
    if defence_pacts_only:
        t = t[t["is_defence_pact"].eq(1)]
    return pd.DataFrame({"ccode1": 2, "ccode2": t["ccode"].to_numpy("int64"), "treaty": t["treaty"].to_numpy(),
                         "start": t["in_force_date"].to_numpy("datetime64[ns]"),
                         "end": t["end_date"].to_numpy("datetime64[ns]") + _DAY,
                         "defense": t["is_defence_pact"].to_numpy("int64")})
