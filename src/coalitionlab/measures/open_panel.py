"""The open embeddedness panel: every lead x partner x year, with every embeddedness component.

:func:`embeddedness_panel` computes, for each year, the embeddedness of every state in the COW
system with every other, component by component, as
:func:`~coalitionlab.measures.embeddedness.embeddedness` would for each lead, and returns it as a
frame or writes it as Parquet partitioned by year (with a provenance sidecar); with a Dask
scheduler the years are computed in blocks on the cluster. :func:`read_embeddedness_panel` reads
a written panel back.

**Date convention.** The values of year *Y* are those of ``embeddedness(lead, date=f"{Y}-01-01")``:
the ties in force on 1 January of *Y* (minus ``lag_years``), the yearly components (COW IGO,
exercises) read in *Y - 1*, the states those in the COW system on 1 January of *Y*. Nothing
dated later in *Y* enters year *Y*, the rule :func:`~coalitionlab.measures.add_embeddedness`
follows for a year given as a whole number. A state that entered the system during *Y* first
appears in *Y + 1*.

**Rows and missing values.** One row per ordered pair (lead, partner) of distinct states in the
system on 1 January of the year: a state not in the system is absent, never a row of zeros. A
value is NaN when it is unknown: outside the source's years (unless ``carry_forward``), a state
that was not a system member on the measurement day (with a lag), or a state the source does not
record in the year read (COW IGO's roster).

**How it is computed** (no loop over leads or dyads). The state axis is every COW ccode. Dated
components (alliances, treaties, trade and investment agreements) are counted from their tie
tables by events: each tie enters the count on the first measurement day on or after its start
and leaves it on the first on or after its end, so one pass over the years keeps a running
(state x state) count. Joint IGO memberships are one sparse product ``M @ M.T`` per year read,
exercises one (state x state) table per year read. Each year's rows then read their cells. The
independent check is :func:`~coalitionlab.measures.embeddedness.embeddedness`, which counts the
ties of one lead by binary search over sorted keys (tests/measures/test_open_panel.py).

**Bootstrap** (``bootstrap=B``, an assumption, not a property of the sources). The recorded
institutions are treated as a sample of the ones that could have been: replicate *b* resamples the
*units* that create each component's ties (:data:`BOOTSTRAP_UNITS`: COW IGO organisations, ATOP
alliances, the treaty record's agreements, DESTA treaties, UNCTAD treaties, MME exercises) with
replacement over the whole record, so every unit gets a multiplicity drawn Multinomial(n_units,
1/n_units), the same in every year (one coherent alternative record per replicate). The
replicate's value of a component for a pair and year is the weighted count of the units tying the
pair then (IGOs: ``M diag(w) M^T``; dated ties: each tie in force counts its unit's weight;
exercises: each joint exercise its weight), and its total the weighted sum of the ``total``
components as for the point value. ``embeddedness_se`` is the standard deviation of the B replicate
totals (ddof=1), ``embeddedness_lo`` and ``embeddedness_hi`` their percentile interval at
``level`` (numpy's default linear interpolation). Components of one record share its units'
weights (``alliances`` and ``defense_pacts``: ATOP alliances; ``treaties_bilateral`` and
``treaties_multilateral``: the treaty record's agreements). Replicate *b*'s weights come only from
``numpy.random.default_rng(numpy.random.SeedSequence(seed).spawn(B)[b])``, drawing the records of
the ``total`` components in the order of :data:`BOOTSTRAP_UNITS`; never from the year block, so the
result does not depend on ``block_years`` or the scheduler, and replicate *b* is the same for any
``B`` (the replicates do depend on which records the total draws). The bootstrap does not resample
states, dates or the coding of a unit's members: it measures how much the value rests on
particular institutions, not measurement error in the sources.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import shutil
import sys
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from coalitionlab._validation import check_option
from coalitionlab.errors import CoverageError, StaleDataWarning, UnknownOptionError

__all__ = ["BOOTSTRAP_UNITS", "DATE_CONVENTION", "PROVENANCE_FILE", "embeddedness_panel",
           "read_embeddedness_panel"]

#: The date a panel year stands for (recorded in the provenance sidecar).
DATE_CONVENTION = ("year Y = embeddedness(lead, date='Y-01-01'): ties in force on 1 January of Y (minus lag_years), "
                   "yearly components (COW IGO, exercises) read in Y - 1, states in the COW system on 1 January of Y")
#: Name of the provenance sidecar in a written panel's directory (files starting with ``_`` are not
#: read as data by pyarrow).
PROVENANCE_FILE = "_provenance.json"
_KEY_DTYPE = "int16"
_VALUE_DTYPE = "float32"  # counts are whole numbers far below 2**24: exact in float32, and NaN is native
_YEARLY = ("igos", "exercises")

#: The units a bootstrap resamples per record (``embeddedness_panel(bootstrap=B)``), in the order their
#: weights are drawn: record -> (unit identifier, what a unit is, the components it ties). The units of
#: a record are the distinct identifiers in the table the components count (the tie table, or COW
#: IGO's memberships with status 1 or 2 without the alliance organisations, or MME's participations),
#: sorted; their weights are drawn in that order.
BOOTSTRAP_UNITS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "atop": ("atopid", "ATOP alliances", ("alliances", "defense_pacts")),
    "treaty_record": ("agreement_id", "agreements of the treaty record (treaty_ties)",
                      ("treaties_bilateral", "treaties_multilateral")),
    "cow_igo": ("ioname", "COW IGO organisations (alliance organisations left out)", ("igos",)),
    "desta": ("base_treaty", "DESTA trade agreements", ("trade_agreements",)),
    "unctad": ("treaty_id", "UNCTAD investment treaties", ("investment_treaties",)),
    "mme": ("exercise_id", "MME multinational military exercises", ("exercises",)),
}
_RECORD_OF = {c: r for r, (_, _, comps) in BOOTSTRAP_UNITS.items() for c in comps}
#: Bytes per (pair, replicate) of a year's replicate arrays at their peak: the replicate totals, one
#: component's replicate values and the cells they are gathered from (float64 each), per unordered
#: pair: the estimate refused past the memory limit is this x the rows of the largest year / 2 x B.
_BOOT_BYTES_PER_PAIR = 3 * 8
_BOOT_COLUMNS = ("embeddedness_se", "embeddedness_lo", "embeddedness_hi")


@dataclass(frozen=True)
class _Spec:
    """What to compute (picklable: sent to Dask workers)."""

    data_dir: str
    components: tuple[str, ...]
    total: tuple[str, ...]
    weights: dict[str, float]
    lag_years: int
    successors: str
    carry_forward: bool
    bootstrap: int = 0
    seed: int | None = None
    level: float = 0.95

    def records(self) -> tuple[str, ...]:
        """The records whose units the bootstrap resamples (those of ``total``), in drawing order."""
        return tuple(r for r in BOOTSTRAP_UNITS if self.bootstrap and any(_RECORD_OF[c] == r for c in self.total))


# ---------------------------------------------------------------- inputs (loaded once per process)


def _day(year: int, month: int = 1, day: int = 1) -> int:
    """Days since 1970-01-01 of a calendar day."""
    return int((np.datetime64(f"{year:04d}-{month:02d}-{day:02d}", "D") - np.datetime64("1970-01-01", "D"))
               .astype("int64"))


def _days(values) -> np.ndarray:
    """Days since 1970 as int64 (NaT -> the largest int64: never), as :func:`coalitionlab.measures.ties._days`."""
    from coalitionlab.measures.ties import _days as days

    return days(values)


class _Inputs:
    """The sources of one spec, loaded once per process (a Dask worker keeps them between blocks)."""

    def __init__(self, data_dir: str, successors: str) -> None:
        from coalitionlab.measures._common import CcodeIndex, system_members
        from coalitionlab.measures.embeddedness import _spells

        self.data_dir, self.successors = data_dir, successors
        spells = _spells(data_dir, False)
        self.sc = spells["ccode"].to_numpy("int64")
        self.s0 = _days(spells["start_date"])
        self.s1 = _days(spells["end_date"])
        self.index = CcodeIndex(self.sc)  # the state axis: every COW ccode
        self.K = len(self.index)
        self.system = system_members(data_dir)
        self.versions: dict[str, str] = {}
        self.files: dict[str, dict] = {}
        self.ties: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        self._igo: tuple | None = None
        self._atop: pd.DataFrame | None = None
        self._ex: pd.DataFrame | None = None
        self._recorded = None
        self._year_cache: dict[tuple[str, int], np.ndarray] = {}
        # the bootstrap's units (BOOTSTRAP_UNITS): per record its sorted unit labels; per dated component
        # the unit of each kept tie (as an identifier, or a category code of the treaty record)
        self.units: dict[str, np.ndarray] = {}
        self._record_ids: dict[str, np.ndarray] = {}
        self._unit_ids: dict[str, np.ndarray] = {}
        self._treaty_cats: np.ndarray | None = None
        self._tie_unit: dict[str, np.ndarray] = {}
        self._tie_keys: dict[str, np.ndarray] = {}
        self._ex_pairs: pd.DataFrame | None = None
        self._boot: tuple | None = None

    # membership ------------------------------------------------------------
    def members_on(self, day: int) -> np.ndarray:
        """Sorted ccodes of the system members on a day (start and end day included)."""
        return np.unique(self.sc[(self.s0 <= day) & (self.s1 >= day)])

    def mapped(self, codes: np.ndarray, day: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Codes whose ties count on ``day``, whether they are members then, and the predecessor used (-1: none).

        The rule of ``embeddedness._existence``: with ``successors="inherit"`` a successor that is not a
        member on the day takes its predecessor's code when the predecessor is one.
        """
        from coalitionlab.measures.embeddedness import SUCCESSORS

        alive = self.members_on(day)
        member = np.isin(codes, alive)
        used = codes.copy()
        pred = np.full(len(codes), -1, dtype="int64")
        if self.successors == "inherit":
            for succ, before in SUCCESSORS.items():
                hit = ~member & (codes == succ) & bool(np.isin(before, alive))
                used[hit], member[hit], pred[hit] = before, True, before
        return used, member, pred

    # dated components --------------------------------------------------------
    def tie_arrays(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(i, j, start day, end day)`` of the ties a dated component counts (``count_ties``' table)."""
        if name not in self.ties:
            if name in ("treaties_bilateral", "treaties_multilateral"):
                self._treaty_arrays()
            else:
                t = self._tie_table(name)
                self.ties[name], keep = self._arrays(t)
                record = _RECORD_OF[name]
                col = BOOTSTRAP_UNITS[record][0]
                self._unit_ids[name] = t[col].to_numpy()[keep]
                if record not in self._record_ids:
                    self._record_ids[record] = (self._atop if record == "atop" else t)[col].to_numpy()
        return self.ties[name]

    def _arrays(self, t: pd.DataFrame) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
        """A tie table as state positions and days, without the ties that never count; and which rows were kept."""
        i = self.index(t["ccode1"].to_numpy(), dtype="int64")
        j = self.index(t["ccode2"].to_numpy(), dtype="int64")
        start, end = _days(t["start"]), _days(t["end"])
        # count_ties' rule: a spell that ends before it starts binds on no day
        keep = (i >= 0) & (j >= 0) & (i != j) & (end > start)
        return (i[keep], j[keep], start[keep], end[keep]), keep

    def _treaty_arrays(self) -> None:
        """Both treaty components from one pass over the treaty record (bilateral: exactly two state parties);
        the record's frame is not kept (1.5 million ties), only its four columns as arrays."""
        from coalitionlab.measures.treaties import treaty_ties

        t = treaty_ties(self.data_dir)
        self.versions.update(t.attrs.get("record", {}).get("versions", {}))
        (i, j, start, end), keep = self._arrays(t)
        bilateral = t["is_bilateral"].to_numpy(bool)[keep]
        ids = t["agreement_id"].astype("category")  # categorical already: its codes, not 1.5 million strings
        codes, cats = ids.cat.codes.to_numpy(), np.asarray(ids.cat.categories, dtype=object)
        del t, ids
        self._treaty_cats = cats
        self._record_ids["treaty_record"] = cats[np.bincount(codes[codes >= 0], minlength=len(cats)) > 0]
        codes = codes[keep]
        for name, sel in (("treaties_bilateral", bilateral), ("treaties_multilateral", ~bilateral)):
            self.ties[name] = (i[sel], j[sel], start[sel], end[sel])
            self._unit_ids[name] = codes[sel]

    def _tie_table(self, name: str) -> pd.DataFrame:
        """The tie table ``embeddedness._dated_values`` counts for an alliance, trade or investment component."""
        from coalitionlab.measures import ties
        from coalitionlab.measures._common import load_source

        if name in ("alliances", "defense_pacts"):
            if self._atop is None:
                members = load_source("atop_members", self.data_dir)
                self.files["atop_members"] = dict(members.attrs.get("files", {}) or {})
                self._atop = ties.alliance_ties(members)
            t = self._atop
            return t[t["defense"] > 0] if name == "defense_pacts" else t
        build = ties.desta_ties if name == "trade_agreements" else ties.unctad_ties
        return build(self.data_dir)

    # yearly components -------------------------------------------------------
    def yearly(self, name: str, year: int) -> np.ndarray:
        """The (K x K) float table of a yearly component in ``year`` (NaN: not known for the pair)."""
        key = (name, year)
        if key not in self._year_cache:
            if len(self._year_cache) > 8:
                self._year_cache.clear()
            self._year_cache[key] = self._igos(year) if name == "igos" else self._exercises(year)
        return self._year_cache[key]

    def _load_igo(self) -> None:
        """COW IGO memberships (full or associate) without the alliance organisations, sorted by year."""
        from coalitionlab.measures._common import load_source
        from coalitionlab.measures.embeddedness import ALLIANCE_IGOS
        from coalitionlab.measures.igos import recorded_states

        if self._igo is None:
            members = load_source("cow_igo", self.data_dir)
            self.files["cow_igo"] = dict(members.attrs.get("files", {}) or {})
            orgs = {o.lower() for o in ALLIANCE_IGOS}
            m = members[members["status"].isin([1, 2]).to_numpy()
                        & ~members["ioname"].astype(str).str.lower().isin(orgs).to_numpy()]
            io_idx, ionames = pd.factorize(m["ioname"].astype(str), sort=True)
            self.units["cow_igo"] = np.asarray(ionames, dtype=object)  # the columns of the matrix, sorted
            row = self.index(m["ccode"].to_numpy(), dtype="int64")
            keep = row >= 0
            yr = m["year"].to_numpy("int64")[keep]
            order = np.argsort(yr, kind="stable")
            self._igo = (yr[order], row[keep][order], io_idx[keep][order].astype("int64"), len(ionames))
            self._recorded = recorded_states(self.data_dir, is_seed=False)

    def igo_matrix(self, year: int):
        """The (K x IGOs) sparse membership matrix of ``year`` (columns: ``units["cow_igo"]``)."""
        import scipy.sparse as sp

        self._load_igo()
        yr, row, col, n_igos = self._igo
        lo, hi = np.searchsorted(yr, [year, year + 1])
        return sp.csr_matrix((np.ones(hi - lo, dtype="int32"), (row[lo:hi], col[lo:hi])), shape=(self.K, n_igos))

    def _igos(self, year: int) -> np.ndarray:
        """Joint COW IGO memberships (full or associate) without the alliance organisations, ``add_igos``'
        existence rule (a system member in the year and recorded by COW IGO's roster in it)."""
        m = self.igo_matrix(year)
        joint = (m @ m.T).toarray().astype("float64")
        codes = self.index.codes
        yrs = np.full(len(codes), year)
        ok = self.system.allows(codes, yrs) & self._recorded.allows(codes, yrs)
        joint[~ok, :] = np.nan
        joint[:, ~ok] = np.nan
        return joint

    def _load_exercises(self) -> None:
        """MME's pairs of participants per exercise (``add_exercises``' pairs) and their counts per year."""
        from coalitionlab.measures._common import coverage, load_source, pick_column

        if self._ex is None:
            ex = load_source("military_exercises", self.data_dir)
            self.files["military_exercises"] = dict(ex.attrs.get("files", {}) or {})
            eid = pick_column(ex, ["exercise_id", "mmeid", "MMEID"], source="military_exercises")
            ycol = pick_column(ex, ["year", "start_year", "s.year"], source="military_exercises")
            e = pd.DataFrame({"eid": ex[eid].to_numpy(), "ccode": pd.to_numeric(ex["ccode"], errors="coerce"),
                              "year": pd.to_numeric(ex[ycol], errors="coerce")}).dropna().drop_duplicates()
            e = e.astype({"ccode": "int64", "year": "int64"})
            # an exercise is an id in a start year: MME 7 reuses three ids for exercises of different years
            e["eid"] = e["eid"].astype(str) + "@" + e["year"].astype(str)
            pairs = e.merge(e[["eid", "ccode"]], on="eid", suffixes=("1", "2"))
            pairs = pairs[pairs["ccode1"] < pairs["ccode2"]]
            self._ex_pairs = pairs
            self._record_ids["mme"] = e["eid"].to_numpy()
            self._ex = pairs.groupby(["ccode1", "ccode2", "year"], as_index=False).size()
            self._ex_cov = coverage("military_exercises")

    def _exercises(self, year: int) -> np.ndarray:
        """Joint multinational exercises starting in ``year`` (``add_exercises``' pairs, counts and rules)."""
        self._load_exercises()
        out = np.full((self.K, self.K), np.nan)
        if not self._ex_cov[0] <= year <= self._ex_cov[1]:
            return out
        t = self._ex[self._ex["year"].to_numpy() == year]
        i = self.index(t["ccode1"].to_numpy(), dtype="int64")
        j = self.index(t["ccode2"].to_numpy(), dtype="int64")
        v = t["size"].to_numpy("float64")
        ok = (i >= 0) & (j >= 0)
        out[:] = 0.0
        out[i[ok], j[ok]] = v[ok]
        out[j[ok], i[ok]] = v[ok]
        codes = self.index.codes
        alive = self.system.allows(codes, np.full(len(codes), year))
        out[~alive, :] = np.nan
        out[:, ~alive] = np.nan
        return out


    # bootstrap ------------------------------------------------------------------
    def record_units(self, record: str) -> np.ndarray:
        """The sorted unit labels of a record of :data:`BOOTSTRAP_UNITS` (loading the record)."""
        if record not in self.units:
            if record == "cow_igo":
                self._load_igo()
            else:
                if record == "mme":
                    self._load_exercises()
                else:
                    self.tie_arrays(BOOTSTRAP_UNITS[record][2][0])
                self.units[record] = np.unique(self._record_ids[record])
        return self.units[record]

    def tie_units(self, name: str) -> np.ndarray:
        """The unit (position in ``record_units``) of each tie of ``tie_arrays(name)``."""
        if name not in self._tie_unit:
            record = _RECORD_OF[name]
            labels = self.record_units(record)
            ids = self._unit_ids[name]
            if record == "treaty_record":  # category codes: each category's position among the labels
                pos = np.searchsorted(labels, self._treaty_cats)
                ids = pos[ids]
            else:
                ids = np.searchsorted(labels, ids)
            self._tie_unit[name] = ids.astype("int64")
        return self._tie_unit[name]

    def tie_keys(self, name: str) -> np.ndarray:
        """The unordered cell ``min(i, j) * K + max(i, j)`` of each tie of ``tie_arrays(name)``."""
        if name not in self._tie_keys:
            i, j = self.tie_arrays(name)[:2]
            self._tie_keys[name] = np.minimum(i, j) * self.K + np.maximum(i, j)
        return self._tie_keys[name]

    def boot_weights(self, spec: _Spec) -> dict[str, np.ndarray]:
        """Per record of ``spec.records()``, the (units x B) multiplicities of the B replicates.

        Column *b* comes only from ``default_rng(SeedSequence(seed).spawn(B)[b])``: Multinomial(n, 1/n)
        over the record's n units, the records drawn one after another in the order of
        :data:`BOOTSTRAP_UNITS`.
        """
        from coalitionlab._validation import check_memory

        records = spec.records()
        key = (spec.seed, spec.bootstrap, records)
        if self._boot is None or self._boot[0] != key:
            self._boot = None
            sizes = [len(self.record_units(r)) for r in records]
            check_memory(f"bootstrap={spec.bootstrap:,} weights of {sum(sizes):,} units",
                         8.0 * sum(sizes) * spec.bootstrap)
            weights = {r: np.zeros((n, spec.bootstrap)) for r, n in zip(records, sizes)}
            for b, child in enumerate(np.random.SeedSequence(spec.seed).spawn(spec.bootstrap)):
                rng = np.random.default_rng(child)
                for r, n in zip(records, sizes):
                    if n:
                        weights[r][:, b] = rng.multinomial(n, np.full(n, 1.0 / n))
            self._boot = (key, weights)
        return self._boot[1]

    def replicates(self, name: str, used: int, day: int | None, cells: np.ndarray, w: np.ndarray) -> np.ndarray:
        """(cells x B) replicate values of component ``name`` on the unordered ``cells`` (sorted, unique).

        ``used`` is the data year read (yearly components), ``day`` the day dated ties are read on,
        ``w`` the (units x B) weights of the component's record.
        """
        K = self.K
        if name == "igos":
            m = self.igo_matrix(used)
            pairs = m[cells // K].multiply(m[cells % K]).tocsr()  # joint memberships of each cell per IGO
            return np.asarray(pairs @ w)
        if name == "exercises":
            self._load_exercises()
            t = self._ex_pairs[self._ex_pairs["year"].to_numpy() == used]
            i = self.index(t["ccode1"].to_numpy(), dtype="int64")
            j = self.index(t["ccode2"].to_numpy(), dtype="int64")
            ok = (i >= 0) & (j >= 0)
            keys = np.minimum(i, j)[ok] * K + np.maximum(i, j)[ok]
            units = np.searchsorted(self.record_units("mme"), t["eid"].to_numpy()[ok])
            return _weighted_cells(cells, keys, units, w)
        _, _, start, end = self.tie_arrays(name)
        live = (start <= day) & (day < end)
        return _weighted_cells(cells, self.tie_keys(name)[live], self.tie_units(name)[live], w)


def _weighted_cells(cells: np.ndarray, keys: np.ndarray, units: np.ndarray, w: np.ndarray) -> np.ndarray:
    """(cells x B): per cell, the sum of ``w[unit]`` over the ties whose key is that cell."""
    import scipy.sparse as sp

    pos = np.minimum(np.searchsorted(cells, keys), max(len(cells) - 1, 0))
    hit = (cells[pos] == keys) if len(cells) else np.zeros(len(keys), bool)
    incidence = sp.csr_matrix((np.ones(int(hit.sum())), (pos[hit], units[hit])), shape=(len(cells), w.shape[0]))
    return np.asarray(incidence @ w)


#: A Dask worker's inputs, kept between the blocks it computes (one set at a time); a local call
#: builds its own and lets it go when it returns.
_WORKER_INPUTS: dict[tuple[str, str], _Inputs] = {}


def _worker_inputs(spec: _Spec) -> _Inputs:
    """The inputs of ``spec`` on a Dask worker, built once per worker process."""
    key = (spec.data_dir, spec.successors)
    if key not in _WORKER_INPUTS:
        _WORKER_INPUTS.clear()
        _WORKER_INPUTS[key] = _Inputs(*key)
    return _WORKER_INPUTS[key]


# ---------------------------------------------------------------- the computation


def _used_year(name: str, myear: int, carry_forward: bool) -> int | None:
    """The data year a component reads for a measurement year (``embeddedness_pairs``' rule)."""
    from coalitionlab.measures.embeddedness import COMPONENTS, _coverage

    comp = COMPONENTS[name]
    first, last = _coverage(comp, False)
    want = myear - 1 if comp.kind == "yearly" else myear
    used = min(want, last) if carry_forward else (want if want <= last else None)
    return None if used is None or used < first else used


class _DatedCounter:
    """Running (K x K) counts of ties in force on a nondecreasing sequence of days.

    A tie counts on day ``d`` when ``start <= d < end``; over a nondecreasing sequence of days it
    counts from the first index whose day is on or after ``start`` to (not including) the first
    whose day is on or after ``end``. Entries and exits are added to one running table as the
    sequence advances (both directions of each pair).
    """

    def __init__(self, ties: tuple[np.ndarray, ...], days: np.ndarray, K: int) -> None:
        i, j, start, end = ties
        self.K = K
        s_idx = np.searchsorted(days, start, side="left").astype("int32")
        e_idx = np.searchsorted(days, end, side="left").astype("int32")
        live = s_idx < e_idx  # in force on at least one of the days
        i, j, s_idx, e_idx = i[live], j[live], s_idx[live], e_idx[live]
        cells = np.concatenate([i * K + j, j * K + i]).astype("int32")  # K * K < 2**31
        self._in = self._by_step(np.tile(s_idx, 2), cells)
        self._out = self._by_step(np.tile(e_idx, 2), cells)
        self.running = np.zeros(K * K, dtype="int64")
        self.step = -1

    @staticmethod
    def _by_step(steps: np.ndarray, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(steps, kind="stable")
        return steps[order], cells[order]

    def _apply(self, events: tuple[np.ndarray, np.ndarray], lo: int, hi: int, sign: int) -> None:
        steps, cells = events
        a, b = np.searchsorted(steps, [lo, hi], side="left")
        if b > a:
            self.running += sign * np.bincount(cells[a:b], minlength=self.K * self.K)

    def advance(self, step: int) -> np.ndarray:
        """The running counts (flat K * K) on day ``step``; steps are asked for in increasing order."""
        self._apply(self._in, self.step + 1, step + 1, +1)  # ties entering on the days passed
        self._apply(self._out, self.step + 1, step + 1, -1)  # and leaving
        self.step = step
        return self.running


def _block(spec: _Spec, years: list[int], inp: _Inputs,
           keep: list | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """The panel rows of ``years`` (ascending) as column arrays, and their provenance (years used, rows).

    With ``spec.bootstrap`` and a list ``keep``, each year's replicate totals are appended to it as
    ``(year, pair of each row, replicates (pairs x B))`` (for tests).
    """
    from coalitionlab.measures.embeddedness import COMPONENTS, _coverage

    K, lag = inp.K, spec.lag_years
    comps = spec.components
    # measurement year and, per component, the data year used (None: NaN) and the day dated ties are read
    used = {c: [_used_year(c, y - lag, spec.carry_forward) for y in years] for c in comps}
    counters: dict[str, tuple[_DatedCounter, dict[int, int]]] = {}
    read_on: dict[str, dict[int, int]] = {}  # per dated component and year (position), the day read
    for c in comps:
        if c in _YEARLY:
            continue
        last = _coverage(COMPONENTS[c], False)[1]
        steps, days = {}, []
        for k, y in enumerate(years):
            if used[c][k] is None:
                continue
            myear = y - lag
            days.append(_day(myear) if myear <= last else _day(last, 12, 31))
            steps[k] = len(days) - 1
        read_on[c] = {k: days[s] for k, s in steps.items()}
        if days:
            counters[c] = (_DatedCounter(inp.tie_arrays(c), np.asarray(days, dtype="int64"), K), steps)
    boot = spec.bootstrap > 0
    weights = inp.boot_weights(spec) if boot else {}
    parts: dict[str, list[np.ndarray]] = {n: [] for n in ("year", "lead_ccode", "ccode", *comps, "embeddedness",
                                                          *(_BOOT_COLUMNS if boot else ()))}
    if spec.successors == "inherit":
        parts["inherited_from"] = []
    rows_per_year: dict[int, int] = {}
    for k, y in enumerate(years):
        codes = inp.members_on(_day(y))
        n = len(codes)
        a = np.repeat(np.arange(n), n)
        b = np.tile(np.arange(n), n)
        off = a != b
        a, b = a[off], b[off]
        mcodes, member, pred = inp.mapped(codes, _day(y - lag))
        exists = member[a] & member[b] & (mcodes[a] != mcodes[b])
        inherited = pred[b].astype("float64")
        inherited[inherited < 0] = np.nan
        parts["year"].append(np.full(len(a), y, dtype=_KEY_DTYPE))
        parts["lead_ccode"].append(codes[a].astype(_KEY_DTYPE))
        parts["ccode"].append(codes[b].astype(_KEY_DTYPE))
        total = np.zeros(len(a))
        if boot:  # replicate totals per unordered pair (the values are symmetric)
            pa, pb = np.triu_indices(n, 1)
            reps = np.zeros((len(pa), spec.bootstrap))
        for c in comps:
            u = used[c][k]
            vals = np.full(len(a), np.nan)
            if u is not None:
                if c in _YEARLY:
                    ycodes = mcodes
                    if spec.successors == "inherit":
                        ycodes, _, ypred = inp.mapped(codes, _day(u, 12, 31))
                        got = exists & (ypred[b] >= 0)
                        inherited[got] = ypred[b][got]
                    ix = inp.index(ycodes, dtype="int64")
                    vals = inp.yearly(c, u)[ix[a], ix[b]]
                else:
                    counter, steps = counters[c]
                    ix = inp.index(mcodes, dtype="int64")
                    vals = counter.advance(steps[k])[ix[a] * K + ix[b]].astype("float64")
                if boot and c in spec.total:
                    x, z = ix[pa], ix[pb]
                    cells, which = np.unique(np.minimum(x, z) * K + np.maximum(x, z), return_inverse=True)
                    r = inp.replicates(c, u, read_on.get(c, {}).get(k), cells, weights[_RECORD_OF[c]])[which]
                    r *= spec.weights.get(c, 1.0)
                    reps += r
                    del r
                vals[~exists] = np.nan
            parts[c].append(vals.astype(_VALUE_DTYPE))
            if c in spec.total:
                total += spec.weights.get(c, 1.0) * vals
        parts["embeddedness"].append(total.astype(_VALUE_DTYPE))
        if boot:
            pair = np.empty((n, n), dtype="int64")
            pair[pa, pb] = pair[pb, pa] = np.arange(len(pa))
            row_pair = pair[a, b]
            tail = (1.0 - spec.level) / 2
            stats = (reps.std(axis=1, ddof=1), *np.quantile(reps, [tail, 1.0 - tail], axis=1))
            unknown = np.isnan(total)
            for name, v in zip(_BOOT_COLUMNS, stats):
                v = v[row_pair]
                v[unknown] = np.nan
                parts[name].append(v.astype(_VALUE_DTYPE))
            if keep is not None:
                keep.append((y, row_pair, reps))
            del reps
        if spec.successors == "inherit":
            parts["inherited_from"].append(inherited)
        rows_per_year[y] = len(a)
    cols = {name: (np.concatenate(p) if p else np.empty(0)) for name, p in parts.items()}
    if "inherited_from" in cols:
        cols["inherited_from"] = pd.array(cols["inherited_from"], dtype="Int16")
    meta = {"rows": rows_per_year,
            "years_used": {c: {y: used[c][k] for k, y in enumerate(years)} for c in comps},
            "units": {r: len(inp.units[r]) for r in spec.records()},
            "versions": dict(inp.versions), "files": {n: dict(f) for n, f in inp.files.items()}}
    return cols, meta


# ---------------------------------------------------------------- writing


def _arrow_schema(spec: _Spec):
    import pyarrow as pa

    fields = [pa.field("lead_ccode", pa.int16()), pa.field("ccode", pa.int16())]
    fields += [pa.field(c, pa.float32()) for c in (*spec.components, "embeddedness",
                                                   *(_BOOT_COLUMNS if spec.bootstrap else ()))]
    if spec.successors == "inherit":
        fields.append(pa.field("inherited_from", pa.int16()))
    fields.append(pa.field("year", pa.int16()))
    return pa.schema(fields)


def _to_arrow(cols: dict, spec: _Spec):
    import pyarrow as pa

    schema = _arrow_schema(spec)
    arrays = []
    for f in schema:
        v = cols[f.name]
        if f.name == "inherited_from":
            arrays.append(pa.array(np.asarray(v.to_numpy("int16", na_value=0)), mask=np.asarray(v.isna()),
                                   type=pa.int16()))
        else:
            arrays.append(pa.array(v, type=f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _write(table, out: Path, tag: str) -> None:
    import pyarrow as pa
    import pyarrow.dataset as ds

    ds.write_dataset(table, out, format="parquet",
                     partitioning=ds.partitioning(pa.schema([("year", pa.int16())]), flavor="hive"),
                     basename_template=f"part-{tag}-{{i}}.parquet", existing_data_behavior="overwrite_or_ignore",
                     max_rows_per_group=1 << 20)


def _block_task(spec: _Spec, years: list[int], out: str | None, tag: str, inputs: _Inputs | None = None):
    """One block of years: write it under ``out`` (return the provenance) or return the Arrow table too.

    ``inputs`` default: the worker's own (a Dask task).
    """
    cols, meta = _block(spec, years, _worker_inputs(spec) if inputs is None else inputs)
    table = _to_arrow(cols, spec)
    if out is None:
        return table, meta
    _write(table, Path(out), tag)
    return None, meta


# ---------------------------------------------------------------- public API


def _check_out(out: Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise UnknownOptionError(f"out={str(out)!r} is a file; the open panel is a directory of Parquet files")
    if out.is_dir() and any(out.iterdir()):
        ours = all(p.name == PROVENANCE_FILE or (p.is_dir() and p.name.startswith("year=")) for p in out.iterdir())
        if not overwrite:
            raise UnknownOptionError(f"out directory {str(out)!r} is not empty; pass overwrite=True (--overwrite) "
                                     "to replace a panel written there, or choose a new directory")
        if not ours:
            raise UnknownOptionError(f"out directory {str(out)!r} holds files that are not a written panel; "
                                     "choose a new directory (overwrite replaces only year=... folders)")
        for p in out.iterdir():
            if p.is_dir():
                shutil.rmtree(p)
            else:
                p.unlink()


def _year_blocks(years: list[int], block_years: int) -> list[list[int]]:
    return [years[k:k + block_years] for k in range(0, len(years), block_years)]


def _client(scheduler: Any):
    """A ``dask.distributed.Client`` for ``scheduler`` (an address, ``"local"`` or a Client) and what to close."""
    from dask.distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        return scheduler, []
    if not isinstance(scheduler, str) or not scheduler.strip():
        raise UnknownOptionError(f"scheduler must be 'local', a Dask scheduler address (tcp://host:8786) or a "
                                 f"dask.distributed.Client, got {scheduler!r}")
    if scheduler.strip().lower() == "local":
        cluster = LocalCluster(n_workers=max(1, min(4, os.cpu_count() or 1)), threads_per_worker=1,
                               processes=True, dashboard_address=None)
        client = Client(cluster)
        return client, [client, cluster]
    try:
        client = Client(scheduler.strip(), timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise UnknownOptionError(f"cannot reach the Dask scheduler at {scheduler!r} ({type(exc).__name__}); "
                                 "start one (dask scheduler) or pass 'local'") from None
    return client, [client]


def embeddedness_panel(years: str | int | Iterable[int], *, data_dir: str | os.PathLike | None = None,
                       components: Iterable[str] | None = None, total: Iterable[str] | None = None,
                       weights: Mapping[str, float] | None = None, lag_years: int = 0,
                       successors: Literal["missing", "inherit"] = "missing", carry_forward: bool = False,
                       out: str | os.PathLike | None = None, scheduler: Any = None, block_years: int = 10,
                       overwrite: bool = False, command: str | None = None, bootstrap: int = 0,
                       seed: int | None = None, level: float = 0.95) -> pd.DataFrame | Path:
    """Embeddedness of every lead with every partner in every year, component by component.

    Year *Y* holds ``embeddedness(lead, date=f"{Y}-01-01", ...)`` for every lead in the COW system
    on that day (:data:`DATE_CONVENTION`; see the module docstring for the rules).

    Parameters
    ----------
    years
        Years (``"1816:2024"``, an int or an iterable), within the COW state system (1816-2024).
    data_dir
        Data directory with the full sources (the embedded seed is not enough for a panel of all leads).
    components
        Component columns (:data:`~coalitionlab.measures.embeddedness.COMPONENTS`); default all eight.
        Parts of others (``trade_agreements``, ``investment_treaties`` within the treaties,
        ``defense_pacts`` within alliances) are separate columns, never added to ``embeddedness``.
    total
        The components summed into ``embeddedness`` (no two overlapping; each must be among
        ``components``); default those of
        :data:`~coalitionlab.measures.embeddedness.DEFAULT_COMPONENTS` among ``components`` (else the
        first component).
    weights
        Weight per component of ``total`` (default 1).
    lag_years
        Measure the ties ``lag_years`` years before 1 January of each year (``embeddedness``' lag).
    successors
        ``"missing"`` or ``"inherit"`` (a successor takes its predecessor's ties on days before it
        existed, :data:`~coalitionlab.measures.embeddedness.SUCCESSORS`; adds ``inherited_from``).
    carry_forward
        Past a source's last year use that year (with a
        :class:`~coalitionlab.errors.StaleDataWarning` when more than two years old); default NaN.
    out
        A directory: write the panel there as Parquet partitioned by year (``year=1816/...``) with
        the provenance sidecar :data:`PROVENANCE_FILE`, and return its path. Default: return the frame.
    scheduler
        ``None`` (compute here), ``"local"`` (a ``dask.distributed.LocalCluster`` on this machine), a
        scheduler address (``"tcp://host:8786"``) or a ``dask.distributed.Client``: blocks of
        ``block_years`` years are computed on the cluster. Workers read ``data_dir`` and write
        ``out`` themselves, so both must be paths the workers see.
    block_years
        Years per block (one task each with a scheduler; one write each).
    overwrite
        Replace a panel already written in ``out`` (only its ``year=...`` folders and sidecar).
    command
        The command recorded in the provenance (the CLI passes its own); default the call.
    bootstrap
        Number of bootstrap replicates B (0: none; else at least 2). Each replicate resamples, with
        replacement, the units that create the ties of the ``total`` components
        (:data:`BOOTSTRAP_UNITS`), the same units in every year; see the module docstring. This
        treats the recorded institutions as a sample of possible ones (an assumption). Adds
        ``embeddedness_se`` (standard deviation of the replicate totals, ddof=1),
        ``embeddedness_lo`` and ``embeddedness_hi`` (their percentile interval at ``level``),
        float32, NaN wherever ``embeddedness`` is NaN.
    seed
        Seed of the replicates (required with ``bootstrap``): replicate *b* uses
        ``numpy.random.default_rng(numpy.random.SeedSequence(seed).spawn(B)[b])``, so the result is
        the same for any ``block_years`` and scheduler.
    level
        Coverage of the percentile interval, in (0, 1); default 0.95.

    Returns
    -------
    pandas.DataFrame or pathlib.Path
        Without ``out``: ``year, lead_ccode, ccode`` (int16), one float32 column per component,
        ``embeddedness`` (float32, the weighted sum of ``total``), with ``bootstrap`` the three
        ``embeddedness_se, embeddedness_lo, embeddedness_hi`` columns, and with
        ``successors="inherit"`` ``inherited_from`` (Int16), sorted by year, lead and partner;
        ``attrs`` holds the provenance. With ``out``: the directory written.

    Raises
    ------
    CoverageError
        For years outside the COW state system or a bad ``lag_years``.
    UnknownOptionError
        For an unknown or overlapping component, a bad weight, ``successors`` or ``scheduler``, or
        an ``out`` that is a file or a non-empty directory (without ``overwrite``); a ``bootstrap``
        that is not 0 or a whole number of at least 2, a missing ``seed``, a ``level`` outside (0, 1).
    InfeasibleError
        When the bootstrap's replicate arrays would need more memory than the limit
        (:func:`coalitionlab._validation.check_memory`): about 12 bytes x B x the rows of the
        largest year, per process computing a block.
    MissingDataError
        When a source the components need is not in the data directory.

    Examples
    --------
    >>> p = embeddedness_panel("2001:2002", data_dir="../shared/data")  # doctest: +SKIP
    >>> p.loc[(p.year == 2002) & (p.lead_ccode == 2) & (p.ccode == 200), "embeddedness"]  # doctest: +SKIP
    >>> b = embeddedness_panel(2003, data_dir="../shared/data", bootstrap=200, seed=1)  # doctest: +SKIP
    >>> b.loc[(b.lead_ccode == 2) & (b.ccode == 200), ["embeddedness", "embeddedness_lo", "embeddedness_hi"]]  # doctest: +SKIP
    """
    from coalitionlab.data.paths import resolve_data_dir
    from coalitionlab.measures.panel import _check_years, parse_years, system_spells

    yrs = parse_years(years)
    if not yrs:
        raise CoverageError("no years given; pass e.g. years='1816:2024'")
    spec = _make_spec(data_dir, components, total, weights, lag_years, successors, carry_forward,
                      bootstrap, seed, level)
    if isinstance(block_years, bool) or not isinstance(block_years, (int, np.integer)) or block_years < 1:
        raise UnknownOptionError(f"block_years must be a whole number of at least 1, got {block_years!r}")
    resolve_data_dir(spec.data_dir, must_exist=True)
    spells = system_spells(spec.data_dir, source="full")
    _check_years(yrs, spells)
    if spec.bootstrap:
        _check_boot_memory(spec, yrs, spells)
    out_path = None if out is None else Path(out).expanduser().resolve()
    if out_path is not None:
        _check_out(out_path, overwrite)
    blocks = _year_blocks(yrs, int(block_years))
    metas, tables = [], []
    started = _dt.datetime.now(_dt.UTC)
    if scheduler is None:
        inputs = _Inputs(spec.data_dir, spec.successors)
        for k, block in enumerate(blocks):
            table, meta = _block_task(spec, block, None if out_path is None else str(out_path), f"{k:04d}", inputs)
            metas.append(meta)
            if table is not None:
                tables.append(table)
    else:
        client, to_close = _client(scheduler)
        try:
            futures = client.map(_block_task, [spec] * len(blocks), blocks,
                                 [None if out_path is None else str(out_path)] * len(blocks),
                                 [f"{k:04d}" for k in range(len(blocks))], pure=False)
            for table, meta in client.gather(futures):
                metas.append(meta)
                if table is not None:
                    tables.append(table)
        finally:
            for obj in to_close:
                obj.close()
    prov = _provenance(spec, yrs, metas, command, started, scheduler, out_path)
    _warn_stale(spec, yrs)
    if out_path is not None:
        out_path.mkdir(parents=True, exist_ok=True)
        (out_path / PROVENANCE_FILE).write_text(json.dumps(prov, indent=1, default=str), encoding="utf-8")
        return out_path
    import pyarrow as pa

    frame = _frame(pa.concat_tables(tables))
    frame.attrs = prov
    return frame


def _check_bootstrap(bootstrap, seed, level) -> tuple[int, int | None, float]:
    """``bootstrap``, ``seed`` and ``level`` checked (one-line errors)."""
    def whole(v) -> bool:
        return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))

    if not whole(bootstrap) or bootstrap < 0:
        raise UnknownOptionError(f"bootstrap must be a whole number of replicates (0: none, or at least 2, e.g. "
                                 f"200), got {bootstrap!r}")
    if bootstrap == 1:
        raise UnknownOptionError("bootstrap=1 gives no standard deviation; ask for at least 2 replicates "
                                 "(e.g. 200), or 0 for none")
    try:
        lv = float(level)
    except (TypeError, ValueError):
        lv = float("nan")
    if isinstance(level, (bool, np.bool_)) or not 0.0 < lv < 1.0:
        raise UnknownOptionError(f"level must be a number between 0 and 1 (exclusive), e.g. 0.95, got {level!r}")
    if seed is not None and (not whole(seed) or seed < 0):
        raise UnknownOptionError(f"seed must be a whole number of at least 0, got {seed!r}")
    if bootstrap and seed is None:
        raise UnknownOptionError(f"bootstrap={bootstrap} needs a seed so that the replicates can be reproduced; "
                                 "pass seed=N (--seed N)")
    return int(bootstrap), (None if seed is None else int(seed)), lv


def _check_boot_memory(spec: _Spec, yrs: list[int], spells: pd.DataFrame) -> None:
    """Refuse a bootstrap whose replicate arrays for the largest year would pass the memory limit."""
    from coalitionlab._validation import check_memory

    start = _days(spells["start_date"])
    end = _days(spells["end_date"])
    n = max(len(np.unique(spells["ccode"].to_numpy()[(start <= _day(y)) & (end >= _day(y))])) for y in yrs)
    pairs = n * (n - 1) // 2
    check_memory(f"bootstrap={spec.bootstrap:,} replicates of {n * (n - 1):,} lead x partner rows (largest year)",
                 float(_BOOT_BYTES_PER_PAIR) * pairs * spec.bootstrap)


def _make_spec(data_dir, components, total, weights, lag_years, successors,
               carry_forward, bootstrap=0, seed=None, level=0.95) -> _Spec:
    from coalitionlab.data.paths import resolve_data_dir
    from coalitionlab.measures.embeddedness import (
        COMPONENTS,
        DEFAULT_COMPONENTS,
        _check_components,
        _check_lag,
    )

    check_option(successors, ["missing", "inherit"], name="successors")
    bootstrap, seed, level = _check_bootstrap(bootstrap, seed, level)
    if components is None:
        comps = list(COMPONENTS)
    else:
        if isinstance(components, str):
            components = [c.strip() for c in components.split(",") if c.strip()]
        comps = list(dict.fromkeys(check_option(c, COMPONENTS, name="embeddedness component") for c in components))
        if not comps:
            raise UnknownOptionError(f"no embeddedness component given; allowed: {', '.join(COMPONENTS)}")
    if total is None:
        summed = [c for c in DEFAULT_COMPONENTS if c in comps] or comps[:1]
    else:
        summed = _check_components(total, False)
        missing = [c for c in summed if c not in comps]
        if missing:
            raise UnknownOptionError(f"total component(s) {', '.join(missing)} are not among the components "
                                     f"{', '.join(comps)}; add them to components")
    _check_components(summed, False)  # no overlapping parts in the sum
    w = {c: 1.0 for c in summed}
    for k, v in (weights or {}).items():
        check_option(k, summed, name="weight key (a component of the total)")
        try:
            fv = float(v)
        except (TypeError, ValueError):
            fv = float("nan")
        if not math.isfinite(fv):
            raise UnknownOptionError(f"weight of {k} must be a finite number, got {v!r}")
        w[k] = fv
    return _Spec(data_dir=str(resolve_data_dir(data_dir).resolve()), components=tuple(comps), total=tuple(summed),
                 weights=w, lag_years=_check_lag(lag_years), successors=successors, carry_forward=bool(carry_forward),
                 bootstrap=bootstrap, seed=seed, level=level)


def _frame(table) -> pd.DataFrame:
    """The pandas frame of a panel table: ``year`` first, int16 keys, float32 values, Int16 ``inherited_from``."""
    cols = {"year": table.column("year").to_numpy().astype(_KEY_DTYPE)}
    for f in table.schema:
        if f.name == "year":
            continue
        col = table.column(f.name)
        if f.name == "inherited_from":
            cols[f.name] = pd.array(col.to_pandas(), dtype="Int16")
        else:
            cols[f.name] = col.to_numpy()
    return pd.DataFrame(cols, copy=False)


def _warn_stale(spec: _Spec, yrs: list[int]) -> None:
    from coalitionlab.measures.embeddedness import (
        COMPONENTS,
        STALE_AFTER_YEARS,
        _coverage,
    )

    if not spec.carry_forward:
        return
    for c in spec.components:
        last = _coverage(COMPONENTS[c], False)[1]
        if max(yrs) - spec.lag_years - last > STALE_AFTER_YEARS:
            warnings.warn(f"{c}: data end in {last}; years measured after {last + STALE_AFTER_YEARS} use {last} "
                          "(carry_forward=True)", StaleDataWarning, stacklevel=3)


def _provenance(spec: _Spec, yrs: list[int], metas: list[dict], command: str | None, started, scheduler,
                out: Path | None) -> dict:
    from coalitionlab import __version__
    from coalitionlab.measures.embeddedness import COMPONENTS, _coverage, _versions

    versions = _versions(list(spec.components), False)
    files: dict[str, dict] = {}
    rows: dict[int, int] = {}
    years_used: dict[str, dict[int, int | None]] = {c: {} for c in spec.components}
    record_versions: dict[str, str] = {}
    n_units: dict[str, int] = {}
    for m in metas:
        n_units.update(m["units"])
        rows.update(m["rows"])
        record_versions.update(m["versions"])
        for n, f in m["files"].items():
            files.setdefault(n, f)
        for c, d in m["years_used"].items():
            years_used[c].update(d)
    if command is None:
        args = {k: v for k, v in asdict(spec).items() if k not in ("data_dir", "columns")}
        command = f"coalitionlab.measures.open_panel.embeddedness_panel({yrs[0]}:{yrs[-1]}, {args})"
    return {
        "unit": "lead_partner_year",
        "date_convention": DATE_CONVENTION,
        "command": command,
        "package_version": __version__,
        "created_utc": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "years": [yrs[0], yrs[-1]] if yrs == list(range(yrs[0], yrs[-1] + 1)) else yrs,
        "components": list(spec.components),
        "total": list(spec.total),
        "weights": dict(spec.weights),
        "lag_years": spec.lag_years,
        "successors": spec.successors,
        "carry_forward": spec.carry_forward,
        "bootstrap": _boot_provenance(spec, n_units),
        "coverage": {c: list(_coverage(COMPONENTS[c], False)) for c in spec.components},
        "years_used": {c: {str(y): u for y, u in sorted(d.items())} for c, d in years_used.items()},
        "rows": {str(y): n for y, n in sorted(rows.items())},
        "n_rows": int(sum(rows.values())),
        "sources": versions,
        "treaty_record_inputs": record_versions,
        "files_sha256": files,
        "dtypes": {"year, lead_ccode, ccode": "int16", "components, embeddedness": "float32 (NaN: unknown)",
                   **({", ".join(_BOOT_COLUMNS): "float32 (NaN where embeddedness is NaN)"} if spec.bootstrap else {}),
                   **({"inherited_from": "int16, null: none"} if spec.successors == "inherit" else {})},
        "missing": "a state not in the COW system on 1 January of the year has no rows; NaN = unknown value",
        "computed_with": "dask.distributed" if scheduler is not None else "local process",
        "python": sys.version.split()[0],
    }


def _boot_provenance(spec: _Spec, n_units: dict[str, int]) -> dict:
    if not spec.bootstrap:
        return {"replicates": 0}
    return {
        "replicates": spec.bootstrap, "seed": spec.seed, "level": spec.level,
        "assumption": "the recorded institutions are a sample of possible ones: each replicate resamples the "
                      "units that create the ties with replacement, the same units in every year",
        "weights": "replicate b: numpy.random.default_rng(numpy.random.SeedSequence(seed).spawn(B)[b]), one "
                   "Multinomial(n_units, 1/n_units) per record, the records drawn in the order of draw_order",
        "draw_order": list(spec.records()),
        "columns": {"embeddedness_se": "standard deviation of the replicate totals (ddof=1)",
                    "embeddedness_lo, embeddedness_hi": f"percentile interval at level {spec.level} "
                                                        "(numpy.quantile, linear)"},
        "units_resampled": {c: {"record": _RECORD_OF[c], "unit": BOOTSTRAP_UNITS[_RECORD_OF[c]][0],
                                "what": BOOTSTRAP_UNITS[_RECORD_OF[c]][1], "n_units": n_units.get(_RECORD_OF[c])}
                            for c in spec.total},
    }


def read_embeddedness_panel(path: str | os.PathLike, *, years: str | int | Iterable[int] | None = None,
                            columns: Iterable[str] | None = None) -> pd.DataFrame:
    """Read a panel written by :func:`embeddedness_panel` (``out=``), optionally some years and columns only.

    Returns the frame :func:`embeddedness_panel` returns without ``out`` (``year`` int16 first,
    sorted by year, lead and partner), with the provenance sidecar in ``attrs``.

    Raises
    ------
    MissingDataError
        When ``path`` holds no written panel (no provenance sidecar).
    """
    import pyarrow as pa
    import pyarrow.dataset as ds

    from coalitionlab.errors import MissingDataError
    from coalitionlab.measures.panel import parse_years

    root = Path(path).expanduser()
    side = root / PROVENANCE_FILE
    if not side.is_file():
        raise MissingDataError(f"{str(root)!r} holds no embeddedness panel (no {PROVENANCE_FILE}); write one with "
                               "embeddedness_panel(..., out=DIR) or 'coalitionlab panel --all-leads --out DIR'")
    prov = json.loads(side.read_text(encoding="utf-8"))
    dataset = ds.dataset(root, format="parquet",
                         partitioning=ds.partitioning(pa.schema([("year", pa.int16())]), flavor="hive"))
    yrs = parse_years(years)
    filt = None if yrs is None else ds.field("year").isin(yrs)
    cols = None if columns is None else list(dict.fromkeys(["year", "lead_ccode", "ccode", *columns]))
    table = dataset.to_table(columns=cols, filter=filt)
    frame = _frame(table)
    frame = frame.sort_values(["year", "lead_ccode", "ccode"], ignore_index=True, kind="stable")
    frame.attrs = prov
    return frame

