"""The tie network among all states on a day, and brokers between a lead state and each candidate.

Henke (2019) argues that embeddedness gives a lead state *brokers*: a third state embedded with both
the lead and a candidate can pass information or lend credibility, lowering the lead's cost of
reaching the candidate. This module turns the embeddedness counts into a network and reads brokers
off it (docs/measures/network.md):

* :func:`tie_matrix` counts the institutional ties between every pair of states in the system on a
  day, with the components and rules of :func:`~coalitionlab.measures.embeddedness.embeddedness`
  (one sparse product per component instead of one query per lead), so row ``k`` equals
  ``embeddedness(k, date)``.
* :func:`tie_strength` maps a count to an absolute strength ``s = 1 - exp(-count / TIE_SCALE)`` in
  [0, 1).
* :func:`brokers` gives, for each candidate ``j`` of a lead ``L``, the strength of the best two-step
  path ``L - k - j``: ``max_k s(e_Lk) * s(e_kj)`` over third states ``k`` (the project's
  construction, after Burt's (1992) brokerage across structural holes), the broker ``k`` that
  attains it, how many ``k`` have both ties at least 0.5, and the direct strength ``s(e_Lj)``.
* :func:`add_brokers` adds these to a coalition x candidate panel, one matrix per distinct date.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from coalitionlab._validation import parse_date
from coalitionlab.data.countries import country_name
from coalitionlab.errors import (
    CoverageError,
    MissingDataError,
    MissingValueWarning,
    PanelTypeError,
    StaleDataWarning,
    UnknownCountryError,
)
from coalitionlab.measures._common import CcodeIndex, SourceChoice

__all__ = ["BROKER_THRESHOLD", "NETWORK_SEED_COMPONENTS", "TIE_SCALE", "add_brokers", "broker_scores", "brokers",
           "tie_matrices", "tie_matrix", "tie_strength"]

#: The count at which a tie has strength ``1 - 1/e`` (about 0.63): ``s(count) = 1 - exp(-count / TIE_SCALE)``.
#: The one absolute scale of a total tie count in the package: the bargaining channels
#: (``coalitionlab.bargaining.channels.SCALE_CONSTANTS["embeddedness"]``) import it from here. It is the
#: 90th percentile of the positive totals (default components) over the 16,060 (coalition, candidate)
#: pairs of the full participation panel (every lead, 1950-2024): a tie as strong as the top tenth of
#: all ties sits at 0.63, the median positive total (33 ties, also the USA's median partner on
#: 2003-03-20) at ``s(33) = 0.45``. An assumption: the constant uses data later than some of the dates
#: it is applied to (with coalitions before 2003-03-20 only it would be 49); recompute it with
#: ``coalitionlab.bargaining.channels.scale_constants_from_panel``. A fixed, absolute scale: strengths
#: are comparable across leads and dates (a relative scale such as a rank among the lead's partners
#: would make every lead equally well connected). It is set for the default components on the full
#: sources; other components or the seed give smaller counts and so weaker ties.
TIE_SCALE: float = 55.0

#: A tie this strong or stronger counts towards ``n_brokers``: strength one half, a count of
#: ``TIE_SCALE * ln 2 = 38.1`` ties or more (the 65th percentile of the positive totals of the panel).
BROKER_THRESHOLD: float = 0.5

#: The components the network can use on the embedded seed: its IGO memberships cover every state,
#: its alliances only the USA's treaties (a pair of two other states would be unknown).
NETWORK_SEED_COMPONENTS: tuple[str, ...] = ("igos",)


# ---------------------------------------------------------------- the tie matrix


def _is_seed(source: SourceChoice, data_dir) -> bool:
    """Whether to use the seed; warn when ``"auto"`` falls back to it."""
    from coalitionlab.measures.embeddedness import _mode

    return _mode(source, data_dir, fallback=(
        "tie network: the full sources are not in the data directory; using the embedded seed data "
        "(igos = joint memberships in the seed's organisations). Pass data_dir= or set $COALITIONLAB_DATA."),
        stacklevel=4, what="tie network")


def _components(components: Iterable[str] | None, is_seed: bool) -> list[str]:
    from coalitionlab.measures.embeddedness import _check_components

    if components is None and is_seed:
        return list(NETWORK_SEED_COMPONENTS)
    comps = _check_components(components, is_seed)
    if is_seed:
        us_only = [c for c in comps if c not in NETWORK_SEED_COMPONENTS]
        if us_only:
            raise MissingDataError(f"the tie network needs the full sources for {', '.join(us_only)}: the embedded "
                                   "seed lists the USA's defence treaties only, so a tie between two other states "
                                   "is unknown; pass data_dir= (or components=['igos'] on the seed)")
    return comps


def _day(date) -> pd.Timestamp:
    ts = parse_date(date)
    if ts.tzinfo is not None:
        raise CoverageError(f"date {date!r} carries a time zone; give a calendar day, e.g. '2003-03-20'")
    return ts.normalize()


class _Network:
    """Sources loaded once, and the per-component count matrices for one day at a time."""

    def __init__(self, data_dir, is_seed: bool, comps: list[str], lag: int, carry_forward: bool) -> None:
        from coalitionlab.measures.embeddedness import _Sources, _spells

        self.data_dir, self.is_seed, self.comps = data_dir, is_seed, comps
        self.lag, self.carry_forward = lag, bool(carry_forward)
        self.src = _Sources(data_dir, is_seed)
        self.spells = _spells(data_dir, is_seed)
        self.stale: dict[str, str] = {}

    # one day -> (codes, names, {component: K x K float array}, years used, measured day)
    def day(self, ts: pd.Timestamp) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], dict, pd.Timestamp]:
        from coalitionlab.measures.embeddedness import (
            COMPONENTS,
            STALE_AFTER_YEARS,
            _coverage,
            _is_member,
            _measurement_days,
            _members_at,
        )

        states = _members_at(self.spells, ts).sort_values("ccode")
        if states.empty:
            first, last = self.spells["start_date"].min(), self.spells["end_date"].max()
            raise CoverageError(f"no state is a COW system member on {ts:%Y-%m-%d}; the state list covers "
                                f"{first:%Y-%m-%d} to {last:%Y-%m-%d}")
        codes = states["ccode"].to_numpy("int64")
        names = country_name(codes, date=ts)  # one name per ccode across outputs
        measured = pd.Timestamp(_measurement_days(np.array([ts.to_datetime64()], dtype="datetime64[ns]"), self.lag)[0])
        mday = np.full(len(codes), measured.to_datetime64(), dtype="datetime64[ns]")
        exists = _is_member(self.spells, codes, mday)
        pair_ok = np.outer(exists, exists)
        np.fill_diagonal(pair_ok, False)
        myear = measured.year
        mats: dict[str, np.ndarray] = {}
        years: dict[str, int | None] = {}
        for name in self.comps:
            comp = COMPONENTS[name]
            first, last = _coverage(comp, self.is_seed)
            want = myear - 1 if comp.kind == "yearly" else myear
            used = min(want, last) if self.carry_forward else (want if want <= last else None)
            if used is not None and used < first:
                used = None
            if want > last and (not self.carry_forward or myear - last > STALE_AFTER_YEARS):
                self.stale[name] = (f"{name}: data end in {last}; " +
                                    (f"days measured after {last + STALE_AFTER_YEARS} use {last} (carry_forward=True)"
                                     if self.carry_forward else
                                     f"days measured after it are NaN (pass carry_forward=True to use {last})"))
            years[name] = used
            m = np.full((len(codes), len(codes)), np.nan)
            if used is not None:
                if comp.kind == "dated":
                    at = measured if myear <= last else pd.Timestamp(f"{last}-12-31")
                    m = self._dated(name, codes, at)
                elif name == "igos":
                    m = self._igos(codes, used)
                else:
                    m = self._yearly_pairs(name, codes, used)
                m[~pair_ok] = np.nan
            mats[name] = m
        return codes, names, mats, years, measured

    def _ties(self, name: str) -> pd.DataFrame:
        """The tie table a dated component counts (the selection ``embeddedness`` makes)."""
        from coalitionlab.measures import ties

        if name in ("alliances", "defense_pacts"):
            return self.src.alliance_ties(name == "defense_pacts")
        if name in ("treaties_bilateral", "treaties_multilateral"):
            t = self.src.treaty_ties()
            return t[t["is_bilateral"].to_numpy() == (name == "treaties_bilateral")]
        build = ties.desta_ties if name == "trade_agreements" else ties.unctad_ties
        return self.src.get(name, lambda: build(self.data_dir))

    def _dated(self, name: str, codes: np.ndarray, at: pd.Timestamp) -> np.ndarray:
        """Ties in force on ``at`` between every pair: ``start <= at < end`` (``ties.count_ties``' rule)."""
        from coalitionlab.measures.ties import _days

        t = self._ties(name)
        start, end = _days(t["start"]), _days(t["end"])
        d = _days(np.array([at.to_datetime64()], dtype="datetime64[ns]"))[0]
        live = (start <= d) & (d < end) & (end > start)
        index = CcodeIndex(codes)
        i = index(t["ccode1"].to_numpy()[live])
        j = index(t["ccode2"].to_numpy()[live])
        keep = (i >= 0) & (j >= 0) & (i != j)
        k = len(codes)
        a = sp.coo_matrix((np.ones(int(keep.sum())), (i[keep], j[keep])), shape=(k, k)).tocsr()
        return (a + a.T).toarray()

    def _igos(self, codes: np.ndarray, year: int) -> np.ndarray:
        """Joint IGO memberships ``M @ M.T`` in ``year`` without the alliance organisations (``add_igos``' rules)."""
        from coalitionlab.measures._common import system_members
        from coalitionlab.measures.embeddedness import ALLIANCE_IGOS, SEED_ALLIANCE_ORGS
        from coalitionlab.measures.igos import igo_cubes, recorded_states

        members = self.src.igo_members()
        orgs = {o.lower() for o in (SEED_ALLIANCE_ORGS if self.is_seed else ALLIANCE_IGOS)}
        m = members[members["year"].to_numpy() == year]
        if m.empty:  # a year the membership file lacks is unknown, never zero joint memberships
            return np.full((len(codes), len(codes)), np.nan)
        m = m[~m["ioname"].astype(str).str.lower().isin(orgs)]
        index = CcodeIndex(codes)
        cubes, _ = igo_cubes(m, self.src.igo_list(), np.array([year]), index)
        joint = cubes["any"][0].astype("float64")
        # add_igos' existence rule: a system member in the year read, and recorded by the source in it
        system = system_members(self.data_dir, seed=self.is_seed)
        recorded = recorded_states(self.data_dir, is_seed=self.is_seed)
        yrs = np.full(len(codes), year)
        ok = system.allows(codes, yrs) & recorded.allows(codes, yrs)
        joint[~np.outer(ok, ok)] = np.nan
        return joint

    def _yearly_pairs(self, name: str, codes: np.ndarray, year: int) -> np.ndarray:
        """A yearly component other than IGOs (exercises): ``embeddedness``' own lookup over all pairs."""
        from coalitionlab.measures.embeddedness import _yearly_values

        i, j = np.triu_indices(len(codes), 1)
        vals, _ = _yearly_values(name, self.src, codes[i], codes[j], np.full(len(i), year))
        out = np.full((len(codes), len(codes)), np.nan)
        out[i, j] = vals
        out[j, i] = vals
        return out


def _versions(comps: list[str], is_seed: bool) -> dict[str, str]:
    from coalitionlab.measures.embeddedness import _versions as versions

    return versions(comps, is_seed)


def _frame(m: np.ndarray, codes: np.ndarray) -> pd.DataFrame:
    idx = pd.Index(codes, name="ccode")
    return pd.DataFrame(m, index=idx, columns=idx.copy())


def _check_lag(lag_years) -> int:
    from coalitionlab.measures.embeddedness import _check_lag as check

    return check(lag_years)


def tie_matrices(date: str | pd.Timestamp, *, data_dir: str | os.PathLike | None = None,
                 components: Iterable[str] | None = None, lag_years: int = 0, source: SourceChoice = "auto",
                 carry_forward: bool = True) -> dict[str, pd.DataFrame]:
    """Per-component tie counts between every pair of states in the system on a day.

    Parameters are those of :func:`tie_matrix`.

    Returns
    -------
    dict of str to pandas.DataFrame
        Component name -> square count matrix (index and columns: the ccodes of the states in the
        COW system on ``date``, ascending; diagonal NaN; a pair NaN when either state is not a
        system member on the measurement day or the component has no data for it). Each frame's
        ``attrs`` is that of :func:`tie_matrix`.
    """
    ts = _day(date)
    lag = _check_lag(lag_years)
    is_seed = _is_seed(source, data_dir)
    comps = _components(components, is_seed)
    net = _Network(data_dir, is_seed, comps, lag, carry_forward)
    codes, names, mats, years, measured = net.day(ts)
    _check_years(years, comps, ts, lag, is_seed, carry_forward)
    for message in net.stale.values():
        warnings.warn(message, StaleDataWarning, stacklevel=2)
    attrs = _attrs(ts, measured, comps, years, is_seed, lag, carry_forward, net.stale, names)
    out = {}
    for name, m in mats.items():
        out[name] = _frame(m, codes)
        out[name].attrs = dict(attrs)
    return out


def _check_years(years: dict, comps: list[str], ts: pd.Timestamp, lag: int, is_seed: bool, carry_forward: bool) -> None:
    from coalitionlab.measures.embeddedness import COMPONENTS, _coverage

    if all(years[c] is None for c in comps):
        hint = "" if carry_forward else "; pass carry_forward=True to use each source's last year"
        raise CoverageError(f"no component has data on or before {ts:%Y-%m-%d} (lag {lag}); coverage: "
                            + ", ".join(f"{c} {_coverage(COMPONENTS[c], is_seed)}" for c in comps) + hint)


def _attrs(ts, measured, comps, years, is_seed, lag, carry_forward, stale, names) -> dict:
    return {"unit": "state_pair_matrix", "date": f"{ts:%Y-%m-%d}", "measured_on": f"{measured:%Y-%m-%d}",
            "components": list(comps), "years_used": dict(years), "is_seed": bool(is_seed), "lag_years": lag,
            "carry_forward": bool(carry_forward), "stale": dict(stale), "countries": list(names),
            "sources": _versions(comps, is_seed)}


def tie_matrix(date: str | pd.Timestamp, *, data_dir: str | os.PathLike | None = None,
               components: Iterable[str] | None = None, lag_years: int = 0, source: SourceChoice = "auto",
               carry_forward: bool = True) -> pd.DataFrame:
    """Institutional ties between every pair of states in the system on a day (all-pairs embeddedness).

    Cell ``(k, j)`` is the number of ties between ``k`` and ``j``, summed over the components: the
    ``embeddedness`` of ``j`` in ``embeddedness(k, date)`` with the same arguments, for every ``k`` at
    once (alliances and treaties in force on the day from the tie tables, joint IGO memberships of the
    year before as one sparse product ``M @ M.T``; docs/measures/embeddedness.md gives the rules).

    Parameters
    ----------
    date
        The day (``"2003-03-20"``).
    data_dir
        Data directory with the full sources.
    components
        Components to count (:data:`~coalitionlab.measures.embeddedness.COMPONENTS`); default
        :data:`~coalitionlab.measures.embeddedness.DEFAULT_COMPONENTS` on the full sources and
        ``("igos",)`` on the seed (its alliances are the USA's only: asking for them there is a
        :class:`~coalitionlab.errors.MissingDataError`).
    lag_years
        Count the ties ``lag_years`` years before the date (the measurement day).
    source
        ``"auto"`` (full sources when present, else the seed with a
        :class:`~coalitionlab.errors.SeedDataWarning`), ``"full"`` or ``"seed"``.
    carry_forward
        Past a source's last year, use that year (as ``embeddedness`` does, with a
        :class:`~coalitionlab.errors.StaleDataWarning` when more than two years old); ``False``
        leaves such components NaN.

    Returns
    -------
    pandas.DataFrame
        Square, symmetric; index and columns the ccodes (ascending) of the states in the COW system
        on ``date``, a state not in the system is absent. The diagonal is NaN; a pair is NaN when
        either state is not a system member on the measurement day (with a lag) or a component has
        no value for it (e.g. a state COW IGO does not record in the year read). ``attrs``:
        ``date``, ``measured_on``, ``components``, ``years_used``, ``is_seed``, ``lag_years``,
        ``carry_forward``, ``stale``, ``countries`` (names in the order of the index), ``sources``.

    Raises
    ------
    CoverageError
        When the date cannot be read, no state is a system member on it, or no component has data
        on or before it.
    UnknownOptionError
        For an unknown or overlapping component, or an unknown source.
    MissingDataError
        For a component the seed does not have for every pair (alliances, defence pacts ...).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     t = tie_matrix("2003-03-20", source="seed")
    >>> t.shape, t.attrs["components"], bool((t.values == t.values.T)[~t.isna().values].all())
    ((192, 192), ['igos'], True)
    """
    mats = tie_matrices(date, data_dir=data_dir, components=components, lag_years=lag_years, source=source,
                        carry_forward=carry_forward)
    frames = list(mats.values())
    total = frames[0].copy()
    for f in frames[1:]:
        total = total + f
    total.attrs = dict(frames[0].attrs)
    return total


# ---------------------------------------------------------------- strength and brokers


def tie_strength(counts, scale: float = TIE_SCALE):
    """Absolute tie strength ``s = 1 - exp(-count / scale)``: 0 for no tie, rising towards 1.

    Parameters
    ----------
    counts
        Non-negative tie counts: a number, a numpy array, a Series or a DataFrame (NaN stays NaN).
    scale
        The count with strength ``1 - 1/e``; default :data:`TIE_SCALE` (the 90th percentile of the
        positive totals of the participation panel; the median, 33 ties, has strength 0.45).

    Returns
    -------
    The same kind of object with strengths in [0, 1) (in floating point a count above about
    ``36.7 * scale``, 2,020 ties at the default, rounds to 1.0; real counts stay below 200).

    Raises
    ------
    CoverageError
        For a negative or infinite count, or a scale that is not a positive finite number.

    Examples
    --------
    >>> round(float(tie_strength(33)), 3), round(float(tie_strength(55)), 3), float(tie_strength(0))
    (0.451, 0.632, 0.0)
    """
    if isinstance(scale, bool) or not np.isfinite(float(scale)) or float(scale) <= 0:
        raise CoverageError(f"tie scale must be a positive finite number, got {scale!r}")
    if isinstance(counts, (pd.DataFrame, pd.Series)):
        values = counts.to_numpy("float64", na_value=np.nan)
    else:
        values = np.asarray(counts, dtype="float64")
    bad = ~np.isnan(values) & ((values < 0) | ~np.isfinite(values))
    if bad.any():
        raise CoverageError(f"tie counts must be non-negative and finite, got {values[bad].flat[0]!r}")
    s = -np.expm1(-values / float(scale))
    if isinstance(counts, pd.DataFrame):
        out = pd.DataFrame(s, index=counts.index, columns=counts.columns)
        out.attrs = dict(counts.attrs)
        return out
    if isinstance(counts, pd.Series):
        return pd.Series(s, index=counts.index, name=counts.name)
    return s if np.ndim(counts) else np.float64(s)


def _check_matrix(ties: pd.DataFrame) -> np.ndarray:
    if not isinstance(ties, pd.DataFrame):
        raise PanelTypeError(f"broker_scores() needs a square DataFrame of tie counts, got {type(ties).__name__}")
    if ties.shape[0] != ties.shape[1] or not ties.index.equals(ties.columns):
        raise PanelTypeError("broker_scores() needs a square tie matrix with the same ccodes as index and columns")
    if ties.index.has_duplicates:
        raise PanelTypeError("broker_scores(): the tie matrix names a state twice")
    values = ties.to_numpy("float64", na_value=np.nan)
    both = ~np.isnan(values) & ~np.isnan(values.T)
    if not np.array_equal(values[both], values.T[both]):
        raise PanelTypeError("broker_scores(): the tie matrix is not symmetric (ties have no direction)")
    return values


def broker_scores(ties: pd.DataFrame, lead_ccode: int, *, scale: float = TIE_SCALE,
                  threshold: float = BROKER_THRESHOLD) -> pd.DataFrame:
    """Brokers between a lead and every other state of a tie-count matrix.

    For each candidate ``j`` (every state of the matrix but the lead), with ``s = tie_strength``:
    ``broker`` = ``max_k s(e_Lk) * s(e_kj)`` over third states ``k`` (``k`` neither the lead nor
    ``j``), the strength of the best two-step path; ``broker_ccode`` = that ``k`` (the lowest ccode
    on a tie; NA when the best path has strength 0); ``n_brokers`` = the number of ``k`` with
    ``s(e_Lk) >= threshold`` and ``s(e_kj) >= threshold``; ``direct`` = ``s(e_Lj)``. A path through a
    NaN tie is skipped; when every path is NaN (the candidate did not exist) all four are NaN/NA.
    One matrix product-like broadcast over the whole matrix, no loop over pairs.

    Parameters
    ----------
    ties
        Square symmetric tie counts, index and columns the same ccodes (:func:`tie_matrix`).
    lead_ccode
        The lead's ccode (must be in the matrix).
    scale, threshold
        :data:`TIE_SCALE` and :data:`BROKER_THRESHOLD` by default.

    Returns
    -------
    pandas.DataFrame
        ``ccode, direct, broker, broker_ccode, n_brokers`` (one row per candidate, in the matrix's
        order), plus ``lead_tie`` and ``partner_tie``: ``s(e_Lk)`` and ``s(e_kj)`` of the best broker.

    Raises
    ------
    UnknownCountryError
        When the lead is not in the matrix.
    PanelTypeError
        When ``ties`` is not a square symmetric matrix with the same ccodes on both axes.

    Examples
    --------
    >>> t = pd.DataFrame([[np.nan, 55, 0], [55, np.nan, 110], [0, 110, np.nan]],
    ...                  index=[2, 200, 710], columns=[2, 200, 710])
    >>> b = broker_scores(t, 2)
    >>> b[["ccode", "broker_ccode"]].values.tolist(), round(float(b["broker"].iloc[1]), 3)
    ([[200, <NA>], [710, 200]], 0.547)
    """
    values = _check_matrix(ties)
    if not 0 <= float(threshold) <= 1:
        raise CoverageError(f"broker threshold must be a strength in [0, 1], got {threshold!r}")
    codes = ties.index.to_numpy()
    hit = np.flatnonzero(codes == lead_ccode)
    if not len(hit):
        raise UnknownCountryError(lead_ccode, where="the tie matrix (not a system member on the date)")
    lead = int(hit[0])
    s = tie_strength(values, scale)
    n = len(codes)
    own = np.arange(n)
    s[own, own] = np.nan                   # k == j: no path through the candidate itself
    a = s[lead].copy()                     # s(e_Lk) over k
    a[lead] = np.nan                       # k == L: no path through the lead itself
    paths = a[:, None] * s                 # paths[k, j] = s(e_Lk) * s(e_kj)
    known = ~np.isnan(paths)
    any_path = known.any(axis=0)
    filled = np.where(known, paths, -np.inf)
    best_k = np.argmax(filled, axis=0)     # first maximum: the lowest ccode on a tie
    best = filled[best_k, own]
    broker = np.where(any_path, best, np.nan)
    strong = (a[:, None] >= threshold) & (s >= threshold)  # NaN compares False
    n_brokers = strong.sum(axis=0).astype("float64")
    n_brokers[~any_path] = np.nan
    broker_ccode = np.where(any_path & (broker > 0), codes[best_k].astype("float64"), np.nan)
    out = pd.DataFrame({
        "ccode": codes,
        "direct": s[lead],
        "broker": broker,
        "broker_ccode": pd.array(broker_ccode, dtype="Int64"),
        "n_brokers": pd.array(n_brokers, dtype="Int64"),
        "lead_tie": np.where(any_path & (broker > 0), a[best_k], np.nan),
        "partner_tie": np.where(any_path & (broker > 0), s[best_k, own], np.nan),
    })
    out = out[out["ccode"] != lead_ccode].reset_index(drop=True)
    out.attrs = {"lead_ccode": int(lead_ccode), "scale": float(scale), "threshold": float(threshold)}
    return out


def _lead(lead: str | int, ts: pd.Timestamp) -> int:
    from coalitionlab.measures.embeddedness import _to_ccode

    try:
        return _to_ccode(lead, ts)
    except UnknownCountryError as exc:  # say it is the brokers' lead
        raise UnknownCountryError(lead, where="brokers lead") from exc


def brokers(lead: str | int, date: str | pd.Timestamp, *, data_dir: str | os.PathLike | None = None,
            components: Iterable[str] | None = None, lag_years: int = 0, source: SourceChoice = "auto",
            carry_forward: bool = True, scale: float = TIE_SCALE, threshold: float = BROKER_THRESHOLD) -> pd.DataFrame:
    """The best broker between a lead state and every candidate on a day.

    A broker of candidate ``j`` is a third state ``k`` tied to both the lead ``L`` and ``j``; the
    strength of the path ``L - k - j`` is the product of its two tie strengths
    (:func:`tie_strength`), and ``broker`` is the strongest such path (:func:`broker_scores` gives
    the definition; docs/measures/network.md its reasons).

    Parameters
    ----------
    lead
        The lead state: a name, an ISO3 code, a COW abbreviation or a COW ccode.
    date
        The day (``"2003-03-20"``).
    data_dir, components, lag_years, source, carry_forward
        As in :func:`tie_matrix`.
    scale, threshold
        :data:`TIE_SCALE` and :data:`BROKER_THRESHOLD` by default.

    Returns
    -------
    pandas.DataFrame
        One row per other state in the system on ``date``: ``ccode, country, ties`` (the count with
        the lead, as in ``embeddedness``), ``direct``, ``broker``, ``broker_ccode``,
        ``broker_country``, ``n_brokers``, ``lead_tie``, ``partner_tie``. Sorted by ``broker``
        (strongest first). ``attrs``: those of :func:`tie_matrix` plus ``lead_ccode``, ``scale``,
        ``threshold``.

    Raises
    ------
    UnknownCountryError
        When ``lead`` is not a known state.
    CoverageError
        When the date cannot be read or is outside the state list, or the lead is not a system
        member on the date or on the measurement day.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     b = brokers("USA", "2003-03-20", source="seed")
    >>> b.attrs["lead_ccode"], len(b), bool(b["broker"].between(0, 1).all())
    (2, 191, True)
    """
    ts = _day(date)
    lead_ccode = _lead(lead, ts)
    mats = tie_matrices(ts, data_dir=data_dir, components=components, lag_years=lag_years, source=source,
                        carry_forward=carry_forward)
    frames = list(mats.values())
    counts = frames[0]
    for f in frames[1:]:
        counts = counts + f
    attrs = dict(frames[0].attrs)
    if lead_ccode not in counts.index:
        raise CoverageError(f"lead {lead!r} (ccode {lead_ccode}) is not a state-system member on {ts:%Y-%m-%d}")
    if counts.loc[lead_ccode].isna().all():
        raise CoverageError(f"lead {lead!r} (ccode {lead_ccode}) has no known tie on the measurement day "
                            f"{attrs['measured_on']} (not a system member then, or no data)")
    out = broker_scores(counts, lead_ccode, scale=scale, threshold=threshold)
    names = pd.Series(attrs.pop("countries"), index=counts.index)
    out.insert(1, "country", names.reindex(out["ccode"]).to_numpy())
    out.insert(2, "ties", counts.loc[lead_ccode].reindex(out["ccode"]).to_numpy())
    bc = out["broker_ccode"]
    out.insert(out.columns.get_loc("broker_ccode") + 1, "broker_country",
               names.reindex(bc.fillna(-1).astype("int64")).to_numpy())
    out = out.sort_values(["broker", "ccode"], ascending=[False, True], na_position="last", ignore_index=True)
    out.attrs = {**attrs, "unit": "lead_partner", "lead_ccode": int(lead_ccode), "scale": float(scale),
                 "threshold": float(threshold)}
    return out


# ---------------------------------------------------------------- the panel step


BROKER_COLUMNS = ("direct", "broker", "broker_ccode", "n_brokers")


def add_brokers(panel: pd.DataFrame, *, lead_col: str = "lead_ccode", date_col: str = "start_date",
                data_dir: str | os.PathLike | None = None, components: Iterable[str] | None = None,
                lag_years: int = 0, source: SourceChoice = "auto", carry_forward: bool = False,
                scale: float = TIE_SCALE, threshold: float = BROKER_THRESHOLD, prefix: str = "") -> pd.DataFrame:
    """Add each candidate's best broker with its row's lead on its row's date to a coalition x candidate panel.

    The tie matrix is built once per distinct date (and the sources read once for all dates), the
    brokers once per distinct (lead, date).

    Parameters
    ----------
    panel
        One row per coalition x candidate, with ``ccode``, ``lead_col`` (the lead's ccode) and
        ``date_col`` (a date, or a year when the column is integer: 1 January of that year).
    lead_col, date_col
        Column names.
    data_dir, components, lag_years, source
        As in :func:`tie_matrix`.
    carry_forward
        Past a source's last year, use that year; by default such values are NaN (as in
        ``add_embeddedness``).
    scale, threshold
        :data:`TIE_SCALE` and :data:`BROKER_THRESHOLD` by default.
    prefix
        Put before every added column name.

    Returns
    -------
    pandas.DataFrame
        A copy with ``direct``, ``broker``, ``broker_ccode`` (Int64) and ``n_brokers`` (Int64), see
        :func:`broker_scores`: NaN/NA where the candidate is the lead, was not a system member on the
        date or the measurement day, where the lead was not, where a date has no data, and (with a
        :class:`~coalitionlab.errors.MissingValueWarning`) where the lead, candidate or date is
        missing. ``attrs["brokers"]`` records components, lag, scale, threshold, carry_forward,
        stale components, ``is_seed`` and the dates without data.

    Raises
    ------
    PanelTypeError
        When a needed column is missing or holds something other than ccodes.
    """
    if not isinstance(panel, pd.DataFrame):
        raise PanelTypeError(f"add_brokers() needs a pandas DataFrame panel, got {type(panel).__name__}")
    missing = [c for c in ("ccode", lead_col, date_col) if c not in panel.columns]
    if missing:
        raise PanelTypeError(f"add_brokers() needs columns {', '.join(missing)}; pass lead_col=/date_col= to name them")
    tie_strength(0.0, scale)  # check the scale before any work
    if not 0 <= float(threshold) <= 1:
        raise CoverageError(f"broker threshold must be a strength in [0, 1], got {threshold!r}")
    dates = panel[date_col]
    if pd.api.types.is_integer_dtype(dates):
        day = pd.to_datetime(dates.astype("Int64").astype(str) + "-01-01", errors="coerce")
    else:
        day = pd.to_datetime(dates, errors="coerce")
    if getattr(day.dt, "tz", None) is not None:
        raise PanelTypeError(f"add_brokers(): column {date_col!r} carries a time zone; give calendar days")
    for c in (lead_col, "ccode"):
        v = panel[c]
        unreadable = pd.to_numeric(v, errors="coerce").isna().to_numpy() & v.notna().to_numpy()
        if unreadable.any():
            raise PanelTypeError(f"add_brokers(): column {c!r} holds {v[unreadable].iloc[0]!r} (position "
                                 f"{int(np.flatnonzero(unreadable)[0])}); it needs COW ccodes")
    lag = _check_lag(lag_years)
    is_seed = _is_seed(source, data_dir)
    comps = _components(components, is_seed)
    lead = pd.to_numeric(panel[lead_col], errors="coerce").to_numpy("float64", na_value=np.nan)
    cand = pd.to_numeric(panel["ccode"], errors="coerce").to_numpy("float64", na_value=np.nan)
    days = day.dt.normalize().to_numpy("datetime64[ns]")
    incomplete = np.isnan(lead) | np.isnan(cand) | np.isnat(days)
    if incomplete.any():
        warnings.warn(f"add_brokers(): {int(incomplete.sum())} row(s) lack a {lead_col}, ccode or {date_col} "
                      f"(first at position {int(np.flatnonzero(incomplete)[0])}); their brokers are NaN",
                      MissingValueWarning, stacklevel=2)
    n = len(panel)
    cols = {c: np.full(n, np.nan) for c in BROKER_COLUMNS}
    net = _Network(data_dir, is_seed, comps, lag, carry_forward)
    no_data: list[str] = []
    rows = pd.DataFrame({"lead": lead, "ccode": cand, "day": days})[~incomplete]
    for d, at_day in rows.groupby("day", sort=True):
        ts = pd.Timestamp(d)
        try:
            codes, _, mats, years, _ = net.day(ts)
        except CoverageError:  # no system member on the day
            no_data.append(f"{ts:%Y-%m-%d}")
            continue
        if all(years[c] is None for c in comps):
            no_data.append(f"{ts:%Y-%m-%d}")
            continue
        counts = _frame(sum(mats.values()), codes)
        for lead_code, grp in at_day.groupby("lead", sort=True):
            if int(lead_code) not in counts.index or counts.loc[int(lead_code)].isna().all():
                continue  # the lead did not exist (then): NaN
            b = broker_scores(counts, int(lead_code), scale=scale, threshold=threshold).set_index("ccode")
            got = b.reindex(grp["ccode"].astype("int64").to_numpy())
            pos = grp.index.to_numpy()
            for c in BROKER_COLUMNS:
                cols[c][pos] = got[c].to_numpy("float64", na_value=np.nan)
    for message in net.stale.values():
        warnings.warn(message, StaleDataWarning, stacklevel=2)
    out = panel.copy(deep=False)
    for c in BROKER_COLUMNS:
        out[prefix + c] = pd.array(cols[c], dtype="Int64") if c in ("broker_ccode", "n_brokers") else cols[c]
    attrs = dict(panel.attrs)
    attrs["sources"] = {**attrs.get("sources", {}), **_versions(comps, is_seed)}
    attrs["brokers"] = {"components": comps, "lag_years": lag, "scale": float(scale), "threshold": float(threshold),
                        "carry_forward": bool(carry_forward), "stale": dict(net.stale), "is_seed": is_seed,
                        "dates_without_data": no_data, "lead_col": lead_col, "date_col": date_col}
    attrs["is_seed"] = bool(attrs.get("is_seed", False) or is_seed)
    out.attrs = attrs
    return out
