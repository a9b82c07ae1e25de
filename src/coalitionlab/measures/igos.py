"""Joint IGO memberships (COW IGO v3.0) by matrix products, one per year.

For each year a state x IGO 0/1 matrix ``M`` gives all joint memberships at once, ``J = M @ M.T``;
an issue-area count weights the IGOs, ``M @ diag(w) @ M.T``. :func:`add_igos` packs all the
splits' weights into bit fields of one weight per IGO, so one dense product per year gives every
split (:func:`_pair_counts`), and reads the panel's pairs straight from it. :func:`igo_cubes`
returns the same counts as dense (year x state x state) cubes, one sparse product per year and
split. No loop over dyads, no self-join of the membership table.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from coalitionlab._validation import check_option
from coalitionlab.measures._common import (
    CcodeIndex,
    SourceChoice,
    StateYears,
    YearCoverage,
    check_panel,
    finish,
    new_attrs,
    nullable_counts,
    one_arrow_thread,
    release_memory,
    resolve_source,
    stamp,
    system_members,
    year_coverage,
)

__all__ = ["SECURITY_IGOS", "IGO_COLUMNS", "add_igos", "igo_cubes", "recorded_states", "security_flags"]

#: IGOs counted as security organisations (COW ``ioname``): alliances with a standing organisation,
#: defence boards and forces, arms-control and military-cooperation bodies. Chosen by name and
#: mandate from the 88 IGOs COW flags ``political``, plus ICMMP (flagged ``social``); see
#: docs/measures/igos.md for the reasons.
SECURITY_IGOS: tuple[str, ...] = (
    "ANZUS",    # Australia-New Zealand-US Treaty Organization (defence pact)
    "BALTBAT",  # Baltic Battalion (joint military unit)
    "CENTO",    # Central Treaty Organization (defence pact)
    "CICA",     # Conference on Interaction and Confidence-Building Measures in Asia
    "CSTO",     # Collective Security Treaty Organization (defence pact)
    "EAPC",     # Euro-Atlantic Partnership Council (NATO partnership)
    "IADefB",   # Inter-American Defense Board
    "ICMMP",    # International Committee of Military Medicine and Pharmacy
    "IDC",      # Imperial Defence Committee
    "MFO",      # Multinational Force and Observers (Sinai)
    "NATO",     # North Atlantic Treaty Organization
    "OPANAL",   # Agency for the Prohibition of Nuclear Weapons in Latin America
    "OSCE",     # Organization for Security and Co-operation in Europe
    "RECSA",    # Regional Centre on Small Arms and Light Weapons
    "SCO",      # Shanghai Cooperation Organisation (security cooperation charter)
    "SEATO",    # Southeast Asia Treaty Organization (defence pact)
    "WEU",      # Western European Union (mutual defence clause)
    "WPact",    # Warsaw Treaty Organization
    "Wassen",   # Wassenaar Arrangement (export controls on arms)
)

ISSUE_AREAS = ("political", "social", "economic")

#: Columns :func:`add_igos` adds to a dyad-year panel (a state-year panel gets the same names
#: without ``_joint``).
IGO_COLUMNS = ("igo_joint_any", "igo_joint_full", "igo_joint_political", "igo_joint_social",
               "igo_joint_economic", "igo_joint_security", "igo_joint_nonsecurity")


def security_flags(igo_list: pd.DataFrame) -> pd.Series:
    """``True`` for the IGOs in :data:`SECURITY_IGOS` (or flagged ``is_security`` by the list itself)."""
    col = "ioname" if "ioname" in igo_list.columns else "org"
    names = igo_list[col].astype(str).str.lower()
    flag = names.isin({s.lower() for s in SECURITY_IGOS})
    if "is_security" in igo_list.columns:
        flag |= pd.to_numeric(igo_list["is_security"], errors="coerce").fillna(0).to_numpy() > 0
    return pd.Series(flag.to_numpy(), index=igo_list[col].astype(str).to_numpy(), name="is_security")


def _seed_members() -> pd.DataFrame:
    from coalitionlab.data import seed

    return seed.igo_membership_long()


def _seed_list() -> pd.DataFrame:
    from coalitionlab.data import seed

    return seed.igo_list()


def _membership(data_dir, source: SourceChoice, what: str) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    members, is_seed = resolve_source("cow_igo", data_dir, source, _seed_members, what=what)
    if is_seed:
        igo_list = _seed_list()
    else:
        from coalitionlab.measures._common import load_source

        igo_list = load_source("cow_igo_list", data_dir)
    return members, igo_list, is_seed


def _weights(igo_list: pd.DataFrame, ionames: np.ndarray) -> dict[str, np.ndarray]:
    """Per-IGO 0/1 weight vectors (aligned with ``ionames``) for the issue-area and security splits."""
    if "ioname" not in igo_list.columns and "org" in igo_list.columns:  # the seed names IGOs ``org``
        igo_list = igo_list.rename(columns={"org": "ioname"})
    lst = igo_list.assign(ioname=igo_list["ioname"].astype(str)).drop_duplicates("ioname").set_index("ioname")
    out = {}
    for area in ISSUE_AREAS:
        if area in lst.columns:
            out[area] = pd.to_numeric(lst[area], errors="coerce").reindex(ionames).fillna(0).to_numpy() > 0
        else:  # the seed list may lack an area flag: the column stays NaN rather than a false 0
            out[area] = None
    sec = security_flags(lst.reset_index())
    out["security"] = sec.reindex(ionames).fillna(False).to_numpy().astype(bool)
    return out


def igo_cubes(members: pd.DataFrame, igo_list: pd.DataFrame, years: np.ndarray, index: CcodeIndex,
              *, split_membership: Literal["full", "any"] = "any") -> tuple[dict[str, np.ndarray | None], int]:
    """Joint-membership counts for every pair of states in every year, as dense (year x K x K) cubes.

    Parameters
    ----------
    members
        Long membership table ``ccode, year, ioname, status`` (``load("cow_igo")``).
    igo_list
        ``ioname`` plus the ``political, social, economic`` flags (``load("cow_igo_list")``).
    years
        The years wanted (consecutive from the first returned year).
    index
        Maps ccodes to the cube's state axis.
    split_membership
        Which membership the issue-area and security splits count: ``"any"`` (status 1 or 2) or ``"full"``.

    Returns
    -------
    (dict, int)
        ``{"any", "full", "political", "social", "economic", "security", "nonsecurity"}`` -> int16
        cube (``None`` for an area the IGO list does not flag), and the first year of the cubes.
        The diagonal ``cube[y, i, i]`` is state i's own number of memberships.
    """
    years = np.asarray(years, dtype="int64")
    y0, y1 = int(years.min()), int(years.max())
    m = members[(members["year"] >= y0) & (members["year"] <= y1) & members["status"].isin([1, 2])]
    io_idx, ionames = pd.factorize(m["ioname"].astype(str), sort=True)
    ionames = np.asarray(ionames, dtype=object)
    row = index(m["ccode"].to_numpy())
    keep = row >= 0
    m_year = m["year"].to_numpy()[keep]
    row, io_idx = row[keep], io_idx[keep]
    is_full = (m["status"].to_numpy() == 1)[keep]
    w = _weights(igo_list, ionames)
    K, J, Y = len(index), len(ionames), y1 - y0 + 1
    names = ["any", "full", *ISSUE_AREAS, "security"]
    cubes: dict[str, np.ndarray | None] = {
        n: (None if n in ISSUE_AREAS and w[n] is None else np.zeros((Y, K, K), dtype="int16")) for n in names
    }
    order = np.argsort(m_year, kind="stable")
    bounds = np.searchsorted(m_year[order], np.arange(y0, y1 + 2))
    for t in range(Y):  # one sparse product per year and measure
        sel = order[bounds[t]:bounds[t + 1]]
        if not len(sel):
            continue
        ones = np.ones(len(sel), dtype="int32")
        M_any = sp.csr_matrix((ones, (row[sel], io_idx[sel])), shape=(K, J))
        M_full = sp.csr_matrix((ones[is_full[sel]], (row[sel][is_full[sel]], io_idx[sel][is_full[sel]])),
                               shape=(K, J))
        cubes["any"][t] = (M_any @ M_any.T).toarray()
        cubes["full"][t] = (M_full @ M_full.T).toarray()
        base = M_any if split_membership == "any" else M_full
        for area in (*ISSUE_AREAS, "security"):
            if cubes[area] is None:
                continue
            Mw = base[:, w[area]]  # 0/1 weights: M @ diag(w) @ M.T == M[:, w] @ M[:, w].T
            cubes[area][t] = (Mw @ Mw.T).toarray()
    basis = cubes["any"] if split_membership == "any" else cubes["full"]
    cubes["nonsecurity"] = (basis - cubes["security"]).astype("int16")
    return cubes, y0


def _memberships(members: pd.DataFrame, index: CcodeIndex, y0: int,
                 y1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The full or associate memberships (status 1 or 2) of years ``y0..y1`` as arrays, for :func:`_pair_counts`:
    year - ``y0``, state position (``index``), IGO code, whether full (status 1), and the IGO names the
    codes stand for (sorted). Memberships of states the index does not know are left out. The caller
    can then let the table go before the panel-length arrays are made."""
    # the needed columns of the rows in the years wanted, as arrays (no filtered copy of the whole table)
    sel = ((members["year"] >= y0) & (members["year"] <= y1) & members["status"].isin([1, 2])).to_numpy()
    io_idx, ionames = _factorize_names(members["ioname"], sel)
    row = index(members["ccode"].to_numpy()[sel])
    keep = row >= 0
    yr = members["year"].to_numpy()[sel].astype("int64")[keep] - y0
    is_full = (members["status"].to_numpy()[sel] == 1)[keep]
    return yr, row[keep], io_idx[keep].astype("int64"), is_full, ionames


def _pair_counts(memberships: tuple, igo_list: pd.DataFrame, index: CcodeIndex, y0: int, y1: int,
                 t: np.ndarray, i: np.ndarray, j: np.ndarray, wanted: set[str],
                 split_membership: Literal["full", "any"]) -> dict[str, np.ndarray | None]:
    """Joint-membership counts of the pairs ``(year y0 + t, state i, state j)`` (``i == j``: own count).

    ``memberships`` is :func:`_memberships` of the same years and index. The same numbers as
    :func:`igo_cubes` (``cube[t, i, j]``), as integer arrays aligned with ``t`` (int16; int32 if a count
    could exceed 32,767: no state-year has that many memberships), without dense (year x K x K) cubes
    or one sparse product per year and measure. Each year is one
    dense matrix product over the states and IGOs active that year, ``A @ (A * w).T``, in which
    ``w`` packs every wanted split into its own bit field of a float64 integer (``w = sum_k flag_k *
    2**offset_k``, each field wide enough for the largest count it can reach and all fields within
    float64's 53 exact integer bits; further fields go to a second product): one BLAS call gives the
    joint counts of all splits at once, read back with a shift and a mask. The other membership
    (``full`` when the splits count ``any`` and vice versa) adds its own columns ``F @ F.T`` to the
    same product when the bits allow. Only the ``wanted`` measures are computed; the others are
    absent (an area the IGO list does not flag is ``None``).
    """
    yr, row, io_idx, is_full, ionames = memberships
    w = _weights(igo_list, ionames)
    K, J, Y = len(index), len(ionames), y1 - y0 + 1
    base_name = "any" if split_membership == "any" else "full"
    other_name = "full" if base_name == "any" else "any"
    if "nonsecurity" in wanted:
        wanted = wanted | {base_name, "security"}
    ones = np.ones(J, bool)
    # fields: (name, 0/1 weight per IGO, True = counts the base membership, False = the other one)
    fields = [(n, ones if n == base_name else w[n], True) for n in (base_name, *ISSUE_AREAS, "security")
              if n in wanted and (n == base_name or w[n] is not None)]
    if other_name in wanted:
        fields.append((other_name, ones, False))
    n = len(t)
    # a joint count of states i and j is at most (i's membership rows) x (j's) in a year: int16 when that fits
    most = int(np.bincount(yr * (K + 1) + row).max()) if len(row) else 0
    dtype = next(d for d in ("int16", "int32", "int64") if most * most <= np.iinfo(d).max)
    out: dict[str, np.ndarray | None] = {name: np.zeros(n, dtype=dtype) for name, _, _ in fields}
    counted_base = np.ones(len(row), bool) if base_name == "any" else is_full
    counted_other = is_full if other_name == "full" else np.ones(len(row), bool)
    # memberships and panel rows grouped by year
    m_order = np.argsort(yr, kind="stable")
    m_bounds = np.searchsorted(yr[m_order], np.arange(Y + 1))
    t = np.asarray(t)
    p_order = None if n < 2 or bool((t[1:] >= t[:-1]).all()) else np.argsort(t, kind="stable")
    # bounds in t's own dtype: searchsorted would otherwise cast all of t to int64 first
    p_bounds = np.searchsorted(t if p_order is None else t[p_order], np.arange(Y + 1, dtype=t.dtype))
    local = np.full(K + 1, -1, dtype="int64")
    has_other = other_name in wanted
    n_blocks = 2 if has_other and any(is_base for _, _, is_base in fields) else 1
    if n_blocks == 1 and has_other:  # only the other membership is wanted: it is the one block
        counted_base, fields = counted_other, [(name, f, True) for name, f, _ in fields]
        has_other = False
    with threadpool_limits(limits=1, user_api="blas"):  # small products: BLAS threads only add overhead
        for y in range(Y) if fields else ():
            _year_counts(y, out, fields, has_other, n_blocks, counted_base, counted_other, row, io_idx, i, j,
                         local, m_order, m_bounds, p_order, p_bounds)
    for name in ISSUE_AREAS:
        if name in wanted and w[name] is None:
            out[name] = None
    if "nonsecurity" in wanted:
        out["nonsecurity"] = out[base_name] - out["security"]
    return out


def _factorize_names(names: pd.Series, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(names[sel].astype(str), sort=True)``: codes of the selected rows, and the sorted names.

    Names held by pyarrow (pandas' default string dtype) are encoded by pyarrow without a Python string
    object per row (539,000 rows for COW IGO); other columns, or ones with a missing name, by pandas.
    """
    arrow = getattr(names.array, "__arrow_array__", None)
    if arrow is not None and not names.hasnans:
        import pyarrow as pa
        import pyarrow.compute as pc

        chunked = arrow()
        every = np.asarray(sorted(pc.unique(chunked).to_pylist()), dtype=object)
        codes = pc.index_in(chunked, value_set=pa.array(every.tolist(), type=chunked.type)).to_numpy()[sel]
        used, codes = np.unique(codes, return_inverse=True)  # the names of the selected rows only, sorted
        return codes.astype("int64", copy=False), every[used]
    codes, uniques = pd.factorize(names[sel].astype(str), sort=True)
    return codes, np.asarray(uniques, dtype=object)


def _year_counts(y: int, out: dict, fields: list, has_other: bool, n_blocks: int, counted_base: np.ndarray,
                 counted_other: np.ndarray, row: np.ndarray, io_idx: np.ndarray, i: np.ndarray, j: np.ndarray,
                 local: np.ndarray, m_order: np.ndarray, m_bounds: np.ndarray, p_order: np.ndarray | None,
                 p_bounds: np.ndarray) -> None:
    """One year of :func:`_pair_counts`: fill ``out[name][rows of year y]``."""
    rows = slice(p_bounds[y], p_bounds[y + 1]) if p_order is None else p_order[p_bounds[y]:p_bounds[y + 1]]
    sel = m_order[m_bounds[y]:m_bounds[y + 1]]
    if not len(sel) or p_bounds[y] == p_bounds[y + 1]:
        return  # no memberships: every count is 0
    states, r = np.unique(row[sel], return_inverse=True)
    igos, c = np.unique(io_idx[sel], return_inverse=True)
    ns, nj = len(states), len(igos)
    local[:] = ns  # states with no membership this year point at an all-zero row
    local[states] = np.arange(ns)
    # dense 0/1 (a duplicated row: 2) membership matrix of the year, one extra all-zero state row;
    # columns: the year's IGOs counting the base membership, then (if wanted) the other membership
    cols = [r[counted_base[sel]] * (n_blocks * nj) + c[counted_base[sel]]]
    if has_other:
        cols.append(r[counted_other[sel]] * (n_blocks * nj) + nj + c[counted_other[sel]])
    left = np.bincount(np.concatenate(cols) if has_other else cols[0],
                       minlength=(ns + 1) * n_blocks * nj).reshape(ns + 1, n_blocks * nj).astype("float64")
    amax2 = max(float(left.max()), 1.0) ** 2
    li, lj = local[i[rows]], local[j[rows]]
    for chunk in _bit_chunks([(name, f[igos], is_base) for name, f, is_base in fields], amax2):
        weight = np.zeros(n_blocks * nj)
        for _, f, is_base, offset in chunk:
            block = slice(0, nj) if is_base else slice((n_blocks - 1) * nj, n_blocks * nj)
            weight[block] += f * float(2 ** offset)
        packed = (left @ (left * weight).T)[li, lj].astype("int64")
        for name, f, _, offset in chunk:
            out[name][rows] = (packed >> offset) & ((1 << _field_bits(int(f.sum()), amax2)) - 1)


def _field_bits(n_igos: int, amax2: float) -> int:
    """Bits a packed count needs: at most ``n_igos * amax2`` (``amax2`` > 1 only for duplicated rows)."""
    return max(1, int(n_igos * amax2).bit_length())


def _bit_chunks(fields: list, amax2: float, limit: int = 53) -> list[list]:
    """Split ``(name, weight, is_base)`` fields into products whose packed fields fit in ``limit`` bits
    (float64 holds integers exactly up to 2**53); each field gets its bit offset."""
    chunks: list[list] = []
    used = limit
    for name, f, is_base in fields:
        width = _field_bits(int(f.sum()), amax2)
        if used + width > limit:
            chunks.append([])
            used = 0
        chunks[-1].append((name, f, is_base, used))
        used += width
    return chunks

def recorded_states(data_dir: str | os.PathLike | None, *, is_seed: bool) -> StateYears:
    """The state-years COW IGO records (its state-year roster); other state-years are NaN, not 0.

    COW IGO v3.0 lists every system member's status in every IGO once per year; a system member
    missing from that list in a year it covers (West and East Germany and the two Yemens in 1990,
    which left the system that year) is not recorded, so its joint memberships are unknown, as in
    peacesciencer. The roster is the ``(ccode, year)`` of COW's ``state_year_formatv3``
    (``load("cow_igo_roster")``; 15,557 state-years, the same as peacesciencer's ``cow_igo_sy``).
    The embedded seed records the states that are system members on 31 December, the rule it
    builds its memberships with (``seed.igo_membership_long``).

    A year the roster has no rows for (a file missing a year) records nobody: every value read there
    is NaN.

    Raises
    ------
    MissingDataError
        When the full source is used and the roster is not in the data directory.
    """
    return _recorded(data_dir, is_seed=is_seed)[0]


def _recorded(data_dir: str | os.PathLike | None, *, is_seed: bool) -> tuple[StateYears, YearCoverage | None]:
    """:func:`recorded_states` and the roster's :class:`YearCoverage` (``None`` for the seed)."""
    if is_seed:
        return system_members(seed=True, rule="dec31"), None
    from coalitionlab.errors import MissingDataError
    from coalitionlab.measures._common import load_source

    try:
        roster = load_source("cow_igo_roster", data_dir)
    except MissingDataError as exc:
        raise MissingDataError(
            "add_igos() needs COW IGO's state-year roster (source 'cow_igo_roster', "
            "cow_igo/state_year_formatv3.csv.gz) to tell a state COW IGO does not record (NaN) from one in no IGO "
            f"(0); {exc}") from None
    # every COW state is judged, even one the roster never lists
    return (StateYears(roster["ccode"].to_numpy(), roster["year"].to_numpy(), universe=system_members(data_dir).codes),
            year_coverage("cow_igo_roster", roster))


def _coverage(is_seed: bool) -> tuple[int, int]:
    """The nominal years of the membership source (the seed's years, or the registry's)."""
    if is_seed:
        from coalitionlab.data import seed

        return int(seed.FIRST_YEAR), int(seed.LAST_YEAR)
    from coalitionlab.data import get_source

    s = get_source("cow_igo")
    return s.first_year, s.last_year


def _wanted_keys(columns: Iterable[str] | None, prefix: str) -> list[str]:
    """The measure keys (``"any"``, ``"full"``, ...) for ``add_igos(columns=...)``, in the default order."""
    every = ["any", "full", *ISSUE_AREAS, "security", "nonsecurity"]
    if columns is None:
        return every
    if isinstance(columns, str):
        columns = [columns]
    allowed = [prefix + k for k in every]
    picked = set()
    for col in columns:
        key = col[len(prefix):] if isinstance(col, str) and col.startswith(prefix) else col
        if key not in every:
            check_option(col, allowed + every, name="add_igos() column")
        picked.add(key)
    if not picked:
        check_option("", allowed, name="add_igos() column (none given)")
    return [k for k in every if k in picked]


def add_igos(panel: pd.DataFrame, *, data_dir: str | os.PathLike | None = None, source: SourceChoice = "auto",
             split_membership: Literal["full", "any"] = "any", mry: bool = False,
             columns: Iterable[str] | None = None) -> pd.DataFrame:
    """Add joint (dyad-year) or own (state-year) IGO membership counts from COW IGO v3.0.

    The years are those the loaded membership table holds: a year inside 1816-2014 with no rows (a
    file missing a year) is NaN, with a :class:`~coalitionlab.errors.StaleDataWarning` naming it, never
    0; ``mry`` carries the last year present. ``attrs["columns"][col]`` records the ``coverage`` and any
    ``gaps``.

    Parameters
    ----------
    panel
        A dyad-year frame from :func:`create_dyadyears` or a state-year frame from
        :func:`create_stateyears`.
    data_dir
        Data directory.
    source
        ``"full"`` COW IGO v3.0, ``"seed"`` the embedded seed, ``"auto"`` the full source when present
        (else the seed, with a :class:`~coalitionlab.errors.SeedDataWarning`).
    split_membership
        Membership the issue-area and security splits count: ``"any"`` (full or associate, the COW
        dyadic definition) or ``"full"``.
    mry
        Carry the last covered year (2014) forward to later panel years; recorded in ``attrs["mry"]``.
    columns
        Only these of the columns below (e.g. ``["igo_joint_any"]``; the short names ``"any"``,
        ``"full"``, ``"political"``, ``"social"``, ``"economic"``, ``"security"``, ``"nonsecurity"``
        work for either unit); only they are computed. Default: all seven.

    Returns
    -------
    pandas.DataFrame
        A copy of ``panel`` with, for dyad-years, ``igo_joint_any`` (both full or associate members:
        COW's ``dyadigos``), ``igo_joint_full`` (both full members), ``igo_joint_political``,
        ``igo_joint_social``, ``igo_joint_economic`` (COW issue-area flags), ``igo_joint_security``
        and ``igo_joint_nonsecurity`` (see :data:`SECURITY_IGOS`); for state-years the same counts
        of the state's own memberships without ``_joint``. Missing outside 1816-2014 (unless ``mry``),
        and where either state was not a COW system member that year or is not recorded by COW IGO
        in the year read (:func:`recorded_states`; e.g. West Germany in 1990). ``attrs["existence"]``
        records the rule. The columns are pandas nullable ``Int16`` (3 bytes a row): a missing count
        is ``<NA>``, never 0 (``to_numpy("float64", na_value=np.nan)`` gives NaN); integer arithmetic
        on them stays in 16 bits.

    Raises
    ------
    PanelTypeError
        If ``panel`` is not a state-year or dyad-year panel.
    UnknownOptionError
        For a bad ``source``, ``split_membership`` or column name.
    MissingDataError
        When COW IGO's state-year roster (``cow_igo_roster``) is missing for the full source.

    References
    ----------
    Pevehouse, J. C. W., T. Nordstrom, R. W. McManus and A. S. Jamison. 2020. "Tracking Organizations
    in the World: The Correlates of War IGO Version 3.0 Datasets." *Journal of Peace Research* 57(3).
    """
    unit = check_panel(panel, None, step="add_igos()")
    check_option(split_membership, ["full", "any"], name="split_membership")
    prefix = "igo_joint_" if unit == "dyad_year" else "igo_"
    keys = _wanted_keys(columns, prefix)
    with one_arrow_thread(len(panel)):  # a large panel: see one_arrow_thread
        members, igo_list, is_seed = _membership(data_dir, source, "add_igos()")
    release_memory(len(panel))  # what reading the Parquet files left behind goes back
    cov = YearCoverage("cow_igo", members["year"].to_numpy(), *_coverage(is_seed))  # the years present
    first, last = cov.first, cov.last
    years = panel["year"].to_numpy()  # int16 keys: no int64 copy (every use below casts or names int32)
    look = np.minimum(years, last) if mry else years
    inside = cov.inside(look)
    cov.warn(look, "add_igos()")
    attrs = new_attrs(panel)
    if unit == "dyad_year":
        c1, c2 = panel["ccode1"].to_numpy(), panel["ccode2"].to_numpy()
    else:
        c1 = c2 = panel["ccode"].to_numpy()
    index = CcodeIndex(np.concatenate([members["ccode"].unique(), pd.unique(c1), pd.unique(c2)]))
    version = str(members.attrs.get("version", "seed" if is_seed else "unknown"))
    new: dict[str, pd.arrays.IntegerArray] = {}
    all_inside = bool(inside.all())
    wanted = look if all_inside else look[inside]
    counts: dict[str, np.ndarray | None] = {}
    if len(wanted):
        y0, y1 = int(wanted.min()), int(wanted.max())
        memberships = _memberships(members, index, y0, y1)
        del members  # the table's memory (and what reading it left) goes back before the panel-length arrays
        release_memory(len(panel))
        small = "int16" if len(index) <= np.iinfo("int16").max else "int32"  # state positions: < 1,000
        i = index(c1 if all_inside else c1[inside], dtype=small)
        j = i if c2 is c1 else index(c2 if all_inside else c2[inside], dtype=small)
        t = np.subtract(wanted, y0, dtype="int16", casting="unsafe")  # year offsets (< 300) fit int16
        counts = _pair_counts(memberships, igo_list, index, y0, y1, t, i, j, set(keys), split_membership)
        del i, j, t, memberships  # freed before finish() builds the existence mask: a lower peak
    else:
        del members
    outside = None if all_inside else ~inside
    for key in keys:  # nullable integer columns: <NA> outside the years read, never 0
        got = counts.pop(key, None)
        if got is not None and all_inside:
            new[prefix + key] = nullable_counts(got)
        elif got is not None:
            vals = np.zeros(len(panel), dtype=got.dtype)
            vals[inside] = got
            new[prefix + key] = nullable_counts(vals, outside)
        else:  # no year read, or an area the IGO list does not flag
            new[prefix + key] = nullable_counts(np.zeros(len(panel), dtype="int16"), np.ones(len(panel), dtype=bool))
        del got
    del counts
    recorded, roster = _recorded(data_dir, is_seed=is_seed)
    if roster is not None:  # a roster year without rows records nobody: NaN there (by finish), said here
        roster.warn(look, "add_igos()")
    stamp(attrs, "cow_igo", version, new, coverage=(first, last), is_seed=is_seed, mry=mry,
          note=f"splits count {split_membership} membership",
          gaps=np.union1d(cov.gaps, roster.gaps if roster is not None else []))
    attrs["igo_split_membership"] = split_membership
    attrs.setdefault("existence_recorded", {})["cow_igo"] = (
        "system members on 31 December (seed)" if is_seed else "COW IGO state-year roster (cow_igo_roster)")
    return finish(panel, new, attrs, data_dir=data_dir, seed=is_seed, recorded=recorded, look=look, owned=True)
