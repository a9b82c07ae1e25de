"""The authored coalition dataset: reading, validating and extending it.

The package ships its own dataset of multilateral military coalitions (1950-2024), authored
from public sources because none exists (see ``docs/data/coalitions.md``). It sits as CSV pairs in
``coalitionlab/coalitions/data/``: every ``coalitions_*.csv`` holds one row per coalition and every
``memberships_*.csv`` one row per (coalition, state). :func:`coalitions` and :func:`memberships`
read all of them, validate them and return typed frames; :func:`read_coalitions_csv` and
:func:`add_coalitions` let users bring their own coalitions in the same shape.

Row numbers in error messages are file lines (the header is line 1; blank lines count, and a
record whose quoted cell spans several lines is numbered by the line it starts on).

Membership roles (column ``role``; :data:`ROLES`). The first six count as joining the coalition by
default (:data:`SENDING_ROLES`: the state sent military personnel under the coalition's command):

* ``lead`` - the pivotal state that assembled and commanded (or framed) the coalition;
* ``combat`` - sent combat units (ground troops, combat aircraft, warships), whether or not they fired;
* ``non_combat`` - sent military personnel in support roles only (engineering, logistics, transport,
  training, staff);
* ``token`` - sent fewer than about 100 personnel, or a symbolic contingent;
* ``medical`` - sent a medical unit the coalition's command listed as a national contribution (a military field
  hospital or ambulance train, a hospital ship, or a national Red Cross hospital such as Korea 1950's);
* ``gendarmerie`` - sent gendarmerie or formed police units under the coalition's command (carabinieri,
  constabulary); individual police officers are not members.

The other six are recorded but are not members by default:

* ``financial`` - paid, sent no military personnel;
* ``observer`` - attached observers or liaison officers only;
* ``host`` - the operation ran on its territory with its consent, its own forces not under the
  coalition's command;
* ``basing`` - granted bases, overflight or transit, sent no forces;
* ``national_command`` - sent forces that stayed under national command alongside the coalition;
* ``withdrew`` - pledged or began to deploy, then withdrew before taking part.

:func:`memberships`, :func:`coalition_members` and :func:`coalitionlab.coalitions.coalition_panel`
take ``roles=`` to choose which roles to keep or count.

User files are read with the same checks as the shipped ones, and more: every ``country`` and
``lead`` label must name the state of its ccode (through the crosswalk of
:mod:`coalitionlab.data.countries`; any of its names, ISO codes or COW abbreviations, any case),
no coalition targets its lead, no member of a war or air campaign is its target, ``peak_personnel``
lies in 0 .. :data:`MAX_PEAK_PERSONNEL`, and a cell holding a NUL byte, a terminal escape or another
control character is refused. On reading, ``country`` and ``lead`` are re-written from the ccodes
with :func:`coalitionlab.data.countries.country_name`, so a state has one name in every output.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
import re
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

try:  # pandera >= 0.24 splits the pandas API out
    import pandera.pandas as pa
except ImportError:  # pragma: no cover - older pandera
    import pandera as pa

from coalitionlab._validation import check_option
from coalitionlab.data.regions import REGIONS, region_of
from coalitionlab.errors import DataFileError, UnknownCountryError

DATA_DIR = Path(__file__).resolve().parent / "data"
DATASET_VERSION = "2026.3"
DATASET_NAME = "coalitionlab_coalitions"

#: Membership roles. The first six sent military personnel under the coalition's command and count as
#: joining by default (:data:`SENDING_ROLES`); the rest are recorded but are not members by default.
ROLES = (
    "lead", "combat", "non_combat", "token", "medical", "gendarmerie",
    "financial", "observer", "host", "basing", "national_command", "withdrew",
)
SENDING_ROLES = ("lead", "combat", "non_combat", "token", "medical", "gendarmerie")
KINDS = ("ad_hoc", "nato", "eu", "au", "un", "regional")
UN_AUTHORISATION = ("yes", "no", "later")
MISSION_TYPES = ("war", "intervention", "stabilisation", "peace_operation", "maritime_security", "air_campaign")

COALITION_COLUMNS = (
    "coalition_id", "name", "start_date", "end_date", "lead_ccode", "lead", "kind", "un_authorisation",
    "un_resolution", "target_ccode", "target", "mission_type", "operation", "theatre", "entrepreneur_ccode", "sources",
)
# Columns a user's coalitions file may leave out (added in version 2026.2): ``operation`` then defaults to
# the coalition's id, ``theatre`` to the region of ``target_ccode``, ``entrepreneur_ccode`` to missing.
OPTIONAL_COALITION_COLUMNS = ("operation", "theatre", "entrepreneur_ccode")
MEMBERSHIP_COLUMNS = (
    "coalition_id", "ccode", "country", "role", "join_date", "leave_date", "peak_personnel", "source",
)

# Dates of the dataset's coverage; an ongoing coalition has an empty end_date.
FIRST_DATE, LAST_DATE = "1945-01-01", "2024-12-31"
#: The largest ``peak_personnel`` a membership row may hold. The largest figures in the shipped data
#: are the Republic of Korea in Korea 1950 (590,911) and the United States in Vietnam (543,400); the
#: largest deployment of any state since 1945 stayed under 600,000, so a figure above 1.5 million is
#: a typing error (a stray digit, a total for all coalition members), not a contingent.
MAX_PEAK_PERSONNEL = 1_500_000
#: Mission types whose ``target_ccode`` is the adversary: no member of the coalition can be its target.
#: In the other types the target column may name the host state, which may itself send forces
#: (Thailand in ``seato_thailand_1962``).
ADVERSARY_MISSIONS = ("war", "air_campaign")
_SLUG = r"^[a-z][a-z0-9_]*_(19[4-9][0-9]|20[0-2][0-9])$"

_DATE = "datetime64[ns]"

COALITIONS_SCHEMA = pa.DataFrameSchema(
    {
        "coalition_id": pa.Column(str, pa.Check.str_matches(_SLUG)),  # uniqueness: _check_unique (clearer)
        "name": pa.Column(str, pa.Check.str_length(min_value=2)),
        "start_date": pa.Column(_DATE, pa.Check.between(FIRST_DATE, LAST_DATE)),
        "end_date": pa.Column(_DATE, pa.Check.between(FIRST_DATE, LAST_DATE), nullable=True),
        "lead_ccode": pa.Column("int64", pa.Check.between(2, 999)),
        "lead": pa.Column(str),
        "kind": pa.Column(str, pa.Check.isin(KINDS)),
        "un_authorisation": pa.Column(str, pa.Check.isin(UN_AUTHORISATION)),
        "un_resolution": pa.Column(str, nullable=True),
        "target_ccode": pa.Column("Int64", pa.Check.between(2, 999), nullable=True),
        "target": pa.Column(str, nullable=True),
        "mission_type": pa.Column(str, pa.Check.isin(MISSION_TYPES)),
        "operation": pa.Column(str, pa.Check.str_matches(_SLUG)),
        "theatre": pa.Column(str, pa.Check.isin(REGIONS)),
        "entrepreneur_ccode": pa.Column("Int64", pa.Check.between(2, 999), nullable=True),
        "sources": pa.Column(str, pa.Check.str_length(min_value=3)),
    },
    strict=True,  # date order and cross-table rules: _read_pair (messages name the row)
    ordered=False,
    name="coalitions",
)

MEMBERSHIPS_SCHEMA = pa.DataFrameSchema(
    {
        "coalition_id": pa.Column(str, pa.Check.str_matches(_SLUG)),
        "ccode": pa.Column("int64", pa.Check.between(2, 999)),
        "country": pa.Column(str),
        "role": pa.Column(str, pa.Check.isin(ROLES)),
        "join_date": pa.Column(_DATE, pa.Check.between(FIRST_DATE, LAST_DATE), nullable=True),
        "leave_date": pa.Column(_DATE, pa.Check.between(FIRST_DATE, LAST_DATE), nullable=True),
        "peak_personnel": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "source": pa.Column(str, pa.Check.str_length(min_value=3)),
    },
    strict=True,
    ordered=False,
    name="memberships",
)


# ---------------------------------------------------------------- public API


def coalitions(*, lead: str | int | None = None) -> pd.DataFrame:
    """The coalitions of the shipped dataset, one row per coalition.

    Reads every ``coalitions_*.csv`` (with its ``memberships_*.csv``) in the package's data folder
    and validates them together (types, allowed kinds and roles, ordered dates, unique ids, every
    membership's coalition exists, the lead has a ``lead`` row).

    Parameters
    ----------
    lead
        Keep only coalitions led by this state: a COW ccode, an ISO3 code or a name
        (``2``, ``"USA"``, ``"United States"``), resolved by :func:`coalitionlab.data.countries.to_ccode`.

    Returns
    -------
    pandas.DataFrame
        Columns ``coalition_id, name, start_date, end_date, lead_ccode, lead, kind,
        un_authorisation, un_resolution, target_ccode, target, mission_type, operation, theatre,
        entrepreneur_ccode, sources`` plus ``file`` (the CSV it came from); dates are
        ``datetime64[ns]`` (``end_date`` NaT = ongoing at the end of 2024). ``operation`` groups the
        phases of one operation (a singleton's is its own id), ``theatre`` is one of
        :data:`coalitionlab.data.regions.REGIONS`, ``entrepreneur_ccode`` (nullable ``Int64``) names
        the state that drove the operation where it differs from the coded lead (rules:
        ``docs/data/coalitions.md``). ``attrs``: ``dataset``, ``version``, ``files`` (name ->
        SHA-256), ``authored=True``, ``is_seed=False``.

    Raises
    ------
    DataFileError
        When a shipped file is damaged (names the file, column and line).
    UnknownCountryError
        When ``lead`` names no known state.

    Examples
    --------
    >>> from coalitionlab.coalitions import coalitions
    >>> c = coalitions()
    >>> c.loc[c.coalition_id == "gulf_war_1990", "lead_ccode"].item()
    2
    >>> c.attrs["authored"]
    True
    >>> bool((coalitions(lead="USA")["lead_ccode"] == 2).all())
    True
    >>> c.set_index("coalition_id").loc[["ifor_1995", "sfor_1996"], "operation"].tolist()
    ['bosnia_dayton_1995', 'bosnia_dayton_1995']
    """
    out = _shipped()[0]
    if lead is None:
        return out
    from coalitionlab.data.countries import to_ccode

    code = int(to_ccode(lead, where="coalitions(lead=...)"))
    kept = out.loc[out["lead_ccode"] == code].reset_index(drop=True)
    kept.attrs = dict(out.attrs)
    return kept


def coalition_members(coalition_id: str, *, roles: str | Sequence[str] | None = None) -> pd.DataFrame:
    """The member rows of one coalition, lead first, then by role and country.

    Parameters
    ----------
    coalition_id
        An id of :func:`coalitions` (e.g. ``"korea_1950"``).
    roles
        Keep only rows with these roles (see :data:`ROLES`); ``None`` (default) keeps every row.

    Returns
    -------
    pandas.DataFrame
        The :func:`memberships` rows of that coalition; ``attrs`` as in :func:`coalitions` plus
        ``coalition_id``.

    Raises
    ------
    DataFileError
        When the id is unknown (the message names the closest ids).
    UnknownOptionError
        A role that is not one of :data:`ROLES`.

    Examples
    --------
    >>> from coalitionlab.coalitions import coalition_members
    >>> len(coalition_members("korea_1950"))
    22
    >>> coalition_members("korea_1950", roles="lead")["country"].tolist()
    ['United States']
    """
    keep = _check_roles(roles, "roles")
    c, m = _shipped()
    if coalition_id not in set(c["coalition_id"]):
        raise _unknown_coalition_error(coalition_id, c["coalition_id"])
    rows = m.loc[m["coalition_id"] == coalition_id]
    if keep is not None:
        rows = rows.loc[rows["role"].isin(list(keep))]
    order = rows["role"].map({r: i for i, r in enumerate(ROLES)})
    out = rows.assign(_o=order).sort_values(["_o", "country"]).drop(columns="_o").reset_index(drop=True)
    out.attrs = dict(m.attrs, coalition_id=coalition_id)
    return out


def memberships(*, roles: str | Sequence[str] | None = None) -> pd.DataFrame:
    """The memberships of the shipped dataset, one row per (coalition, state).

    Parameters
    ----------
    roles
        Keep only rows with these roles (one role or several, from :data:`ROLES`; e.g.
        ``SENDING_ROLES`` for the states that sent forces, ``("host", "basing")`` for the hosts).
        ``None`` (default): every row, whatever its role.

    Returns
    -------
    pandas.DataFrame
        Columns ``coalition_id, ccode, country, role, join_date, leave_date, peak_personnel,
        source`` plus ``file``. ``country`` is :func:`coalitionlab.data.countries.country_name` of
        ``ccode`` on the coalition's start date (the CSV's own label is checked against the ccode,
        then replaced, so a state has the same name here as in every other output). ``role`` is
        one of :data:`ROLES` (meanings in this module's docstring and ``docs/data/coalitions.md``).
        An empty ``join_date`` in the CSV is filled with the coalition's start date; ``leave_date``
        stays NaT unless the state left before the coalition ended. ``peak_personnel`` is nullable
        ``Int64`` (empty where no public figure was found). ``attrs`` as in :func:`coalitions`,
        plus ``roles`` (the roles kept) when ``roles`` is given.

    Raises
    ------
    UnknownOptionError
        A role that is not one of :data:`ROLES`.

    Examples
    --------
    >>> from coalitionlab.coalitions import ROLES, coalitions, memberships
    >>> m = memberships()
    >>> bool(set(m["role"]) <= set(ROLES))
    True
    >>> leads = memberships(roles="lead")  # one lead row per coalition
    >>> sorted(leads["role"].unique()), len(leads) == len(coalitions())
    (['lead'], True)
    """
    keep = _check_roles(roles, "roles")
    out = _shipped()[1]
    if keep is None:
        return out
    kept = out.loc[out["role"].isin(list(keep))].reset_index(drop=True)
    kept.attrs = dict(out.attrs, roles=list(keep))
    return kept


def _check_roles(roles: str | Sequence[str] | None, name: str) -> tuple[str, ...] | None:
    """``roles`` as a tuple of known roles (a single string is one role); ``None`` stays ``None``."""
    if roles is None:
        return None
    chosen = (roles,) if isinstance(roles, str) else tuple(roles)
    for role in chosen:
        check_option(role, ROLES, name=f"role in {name}")
    return chosen


def read_coalitions_csv(
    coalitions_path: str | os.PathLike,
    memberships_path: str | os.PathLike,
    *,
    states: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read and validate a user's pair of coalition CSVs (same columns as the shipped ones).

    Parameters
    ----------
    coalitions_path, memberships_path
        CSV files with the columns of ``coalitions_*.csv`` and ``memberships_*.csv`` (see
        ``docs/data/coalitions.md``). The coalitions file may leave out ``operation``, ``theatre``
        and ``entrepreneur_ccode`` (columns or cells): ``operation`` then defaults to the
        coalition's id, ``theatre`` to the region of ``target_ccode``
        (:func:`coalitionlab.data.regions.region_of`), ``entrepreneur_ccode`` to missing.
    states
        COW state-system spells (``ccode, start_date, end_date``) used to check that every lead
        and member is a system member on its join date; default: the COW v2024 list embedded in
        :func:`coalitionlab.data.countries.cow_system` (works offline).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Typed coalitions and memberships, as :func:`coalitions` and :func:`memberships`.

    Raises
    ------
    DataFileError
        A missing column, a bad date or number, an unknown role, kind, mission type or theatre, a
        duplicate coalition id or (coalition, ccode) row, a membership whose coalition is missing, a
        lead without a ``lead`` row, a ccode that is not a COW state on its join date, a row with
        neither ``theatre`` nor ``target_ccode``, an operation whose coalitions lie in different
        theatres, an ``entrepreneur_ccode`` that is the lead or no member; a ``country`` or ``lead``
        label that names another state than its ccode (both are named) or no state; a
        ``target_ccode`` equal to ``lead_ccode``, or a member that is the target of a war or air
        campaign (:data:`ADVERSARY_MISSIONS`); a ``peak_personnel`` below 0 or above
        :data:`MAX_PEAK_PERSONNEL`; a ccode outside 2-999; a cell holding a NUL byte, a terminal
        escape (ESC, CSI) or another control character than tab and newline; a line with more or
        fewer fields than the header; a file that is not UTF-8. The message names the file, the
        column and the line: the file's own line, blank lines and multi-line quoted cells counted.
    UnknownCountryError
        A ``lead_ccode``, ``ccode``, ``target_ccode`` or ``entrepreneur_ccode`` that never was a
        COW state (a ValueError, like DataFileError).

    Notes
    -----
    ``country`` and ``lead`` in the returned frames are re-written from the ccodes with
    :func:`coalitionlab.data.countries.country_name` (``"USA"`` in the file becomes
    ``"United States"``), so that a state has one name in every output.
    """
    c, m = _read_user(coalitions_path, memberships_path, states=states)
    return _public(c), _public(m)


def add_coalitions(
    coalitions_path: str | os.PathLike,
    memberships_path: str | os.PathLike,
    *,
    states: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shipped dataset plus a user's own coalitions, validated together.

    Parameters
    ----------
    coalitions_path, memberships_path
        The user's CSV pair (see :func:`read_coalitions_csv`).
    states
        As in :func:`read_coalitions_csv`.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Coalitions and memberships (shipped rows first); pass them to
        :func:`~coalitionlab.coalitions.coalition_panel` as ``coalitions_df`` / ``memberships_df``.
        ``attrs["authored"]`` stays ``True`` and ``attrs["user_files"]`` lists the added files.

    Raises
    ------
    DataFileError
        As :func:`read_coalitions_csv`, when a user's coalition id repeats a shipped one, and when a
        user's coalition joins a shipped operation (same ``operation``) in another theatre.
    """
    user_c, user_m = _read_user(coalitions_path, memberships_path, states=states)
    base_c, base_m = _shipped()
    clash = user_c["coalition_id"].isin(base_c["coalition_id"])
    if clash.any():
        pos = int(np.flatnonzero(clash.to_numpy())[0])
        cid = user_c["coalition_id"].iloc[pos]
        raise DataFileError(
            f"duplicate coalition_id {cid!r}: already in the shipped dataset "
            f"({base_c.loc[base_c.coalition_id == cid, 'file'].iloc[0]}); rename it",
            path=coalitions_path, column="coalition_id", row=int(user_c["_line"].iloc[pos]),
        )
    _check_operation_theatres(user_c, base_c)
    attrs = dict(base_c.attrs)
    attrs["user_files"] = [str(coalitions_path), str(memberships_path)]
    out_c = pd.concat([base_c, _public(user_c)], ignore_index=True)
    out_m = pd.concat([base_m, _public(user_m)], ignore_index=True)
    out_c.attrs, out_m.attrs = dict(attrs), dict(attrs)
    return out_c, out_m


def check_system_membership(coalitions_df: pd.DataFrame, memberships_df: pd.DataFrame, *,
                            states: pd.DataFrame) -> None:
    """Raise unless every lead and member is a COW state-system member on its join date.

    Also checks that every ``target_ccode`` and ``entrepreneur_ccode`` is a COW state (a target need
    not be a system member on the start date: East Timor in 1999 was not).

    Parameters
    ----------
    coalitions_df, memberships_df
        Frames as returned by :func:`coalitions` / :func:`memberships`.
    states
        COW spells with ``ccode, start_date, end_date`` (e.g. ``coalitionlab.data.countries.cow_system()``
        or ``coalitionlab.data.load("cow_states")``).

    Raises
    ------
    DataFileError
        Naming the coalition, the ccode, the date, the file and line; a ccode (lead, member,
        target or entrepreneur) that never was a COW state raises
        :class:`~coalitionlab.errors.UnknownCountryError` (also a ValueError).
    """
    m = memberships_df
    known = set(states["ccode"].astype("int64"))
    unknown = ~m["ccode"].isin(known)
    if unknown.any():
        pos = int(np.flatnonzero(unknown.to_numpy())[0])
        row = m.iloc[pos]
        raise UnknownCountryError(
            int(row["ccode"]), scheme="COW ccode",
            where=f"{row.get('_path', row.get('file'))}, column 'ccode', row {row.get('_line', pos + 2)}, "
                  f"coalition {row['coalition_id']!r}",
        )
    for column in ("lead_ccode", "target_ccode", "entrepreneur_ccode"):
        if column not in coalitions_df.columns:
            continue
        codes = coalitions_df[column]
        unknown_code = (codes.notna() & ~codes.isin(known)).to_numpy(dtype=bool)
        if unknown_code.any():
            pos = int(np.flatnonzero(unknown_code)[0])
            row = coalitions_df.iloc[pos]
            raise UnknownCountryError(
                int(row[column]), scheme="COW ccode",
                where=f"{row.get('_path', row.get('file'))}, column {column!r}, row {row.get('_line', pos + 2)}",
            )
    ok = _in_system(m["ccode"].to_numpy(), m["join_date"].to_numpy(), states)
    if not ok.all():
        pos = int(np.flatnonzero(~ok)[0])
        row = m.iloc[pos]
        raise DataFileError(
            f"ccode {int(row['ccode'])} ({row['country']}) is not a COW system member on its join date "
            f"{row['join_date'].date()} (coalition {row['coalition_id']!r})",
            path=row.get("_path", row.get("file")), column="ccode",
            row=int(row["_line"]) if "_line" in row else None,
        )


def membership_overlap(
    coalitions_df: pd.DataFrame | None = None,
    memberships_df: pd.DataFrame | None = None,
    *,
    same_lead: bool = True,
    include_lead: bool = False,
    roles: Sequence[str] = SENDING_ROLES,
) -> pd.DataFrame:
    """How many member states every pair of coalitions shares (the check behind the operation groups).

    For each pair, the member sets are the states with one of ``roles`` in each coalition;
    ``jaccard`` is common / union and ``overlap`` is common / the smaller set (the overlap
    coefficient, 1 whenever one set lies inside the other).

    Parameters
    ----------
    coalitions_df, memberships_df
        Frames as from :func:`coalitions` / :func:`memberships` or :func:`add_coalitions`
        (default: the shipped dataset).
    same_lead
        Only pairs with the same ``lead_ccode`` (default) or every pair.
    include_lead
        Count each coalition's own lead as a member (default ``False``: in a same-lead pair the lead
        is common by construction and is no joining decision).
    roles
        Membership roles that make a state a member (default: the roles that sent military personnel,
        as ``coalition_panel``'s ``roles_joined``).

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``coalition_a, coalition_b`` (a started first), ``lead_a, lead_b, n_a, n_b,
        n_common, jaccard, overlap`` (NaN when a set is empty) and ``same_operation`` (bool),
        sorted by ``jaccard`` (highest first), then the ids.

    Raises
    ------
    UnknownOptionError
        A role that is not one of the dataset's roles.
    PanelTypeError
        A frame without the dataset's columns.

    Examples
    --------
    >>> from coalitionlab.coalitions import membership_overlap
    >>> pairs = membership_overlap()
    >>> row = pairs[(pairs.coalition_a == "ifor_1995") & (pairs.coalition_b == "sfor_1996")].iloc[0]
    >>> int(row.n_common), bool(row.same_operation)
    (28, True)
    """
    from coalitionlab.errors import PanelTypeError

    if isinstance(roles, str):
        roles = (roles,)
    for role in roles:
        check_option(role, ROLES, name="role in roles")
    c = coalitions() if coalitions_df is None else coalitions_df
    m = memberships() if memberships_df is None else memberships_df
    for frame, cols, what in ((c, ("coalition_id", "start_date", "lead_ccode", "operation"), "coalitions_df"),
                              (m, ("coalition_id", "ccode", "role"), "memberships_df")):
        missing = [col for col in cols if col not in frame.columns]
        if missing:
            raise PanelTypeError(f"membership_overlap(): {what} lacks column(s) {', '.join(missing)}; "
                                 "use coalitions()/memberships() or add_coalitions()")
    c = c.sort_values(["start_date", "coalition_id"], kind="stable")
    lead = dict(zip(c["coalition_id"], c["lead_ccode"].astype("int64")))
    kept = m.loc[m["role"].isin(list(roles)), ["coalition_id", "ccode"]]
    members = {cid: set(group.astype("int64")) for cid, group in kept.groupby("coalition_id")["ccode"]}
    sets = {cid: members.get(cid, set()) - (set() if include_lead else {lead[cid]}) for cid in c["coalition_id"]}
    op = dict(zip(c["coalition_id"], c["operation"]))
    ids = list(c["coalition_id"])
    rows = []
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if same_lead and lead[a] != lead[b]:
                continue
            common, union = len(sets[a] & sets[b]), len(sets[a] | sets[b])
            smaller = min(len(sets[a]), len(sets[b]))
            rows.append((a, b, lead[a], lead[b], len(sets[a]), len(sets[b]), common,
                         common / union if union else np.nan, common / smaller if smaller else np.nan,
                         op[a] == op[b]))
    out = pd.DataFrame(rows, columns=["coalition_a", "coalition_b", "lead_a", "lead_b", "n_a", "n_b", "n_common",
                                      "jaccard", "overlap", "same_operation"])
    out = out.astype({"lead_a": "int64", "lead_b": "int64", "n_a": "int64", "n_b": "int64", "n_common": "int64",
                      "jaccard": "float64", "overlap": "float64", "same_operation": "bool"})
    out = out.sort_values(["jaccard", "coalition_a", "coalition_b"], ascending=[False, True, True],
                          na_position="last", ignore_index=True)
    out.attrs = {"dataset": DATASET_NAME, "version": str(c.attrs.get("version", DATASET_VERSION)),
                 "same_lead": same_lead, "include_lead": include_lead, "roles": list(roles)}
    return out


def _unknown_coalition_error(coalition_id: str, known: Iterable[str]) -> DataFileError:
    """The error for an id that is not in ``known``, naming the closest ids."""
    import difflib

    close = difflib.get_close_matches(coalition_id, list(known), n=3, cutoff=0.5)
    return DataFileError(f"unknown coalition id {coalition_id!r}"
                         + (f"; closest: {', '.join(close)}" if close else "; see 'coalitionlab coalitions list'"))


# ---------------------------------------------------------------- internals


def _read_user(coalitions_path, memberships_path, *, states) -> tuple[pd.DataFrame, pd.DataFrame]:
    files = [Path(coalitions_path), Path(memberships_path)]
    c, m = _read_pair(files[:1], files[1:])
    check_system_membership(c, m, states=states if states is not None else _state_spells())
    return _stamp(c, files), _stamp(m, files)


def _public(df: pd.DataFrame) -> pd.DataFrame:
    """Drop the internal bookkeeping columns (file line, full path); keep attrs."""
    out = df.drop(columns=[c for c in ("_line", "_path") if c in df.columns])
    out.attrs = dict(df.attrs)
    return out


def _in_system(ccodes: np.ndarray, dates: np.ndarray, states: pd.DataFrame) -> np.ndarray:
    """Boolean array: ccode[i] is in a COW spell that covers dates[i] (vectorised over spells)."""
    spells = states[["ccode", "start_date", "end_date"]]
    probe = pd.DataFrame({"_i": np.arange(len(ccodes)), "ccode": np.asarray(ccodes, dtype="int64"),
                          "_date": pd.to_datetime(dates)})
    j = probe.merge(spells, on="ccode", how="inner")
    hit = j.loc[(j["_date"] >= j["start_date"]) & (j["_date"] <= j["end_date"]), "_i"]
    out = np.zeros(len(ccodes), dtype=bool)
    out[hit.to_numpy()] = True
    return out


def _state_spells() -> pd.DataFrame:
    """COW v2024 state-system spells ``ccode, start_date, end_date`` (embedded; offline)."""
    from coalitionlab.data.countries import cow_system

    return cow_system()[["ccode", "start_date", "end_date"]]


_CACHE: dict[tuple, tuple[pd.DataFrame, pd.DataFrame]] = {}


def _shipped() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shipped dataset, read once per set of file contents; callers get copies."""
    c_files = sorted(DATA_DIR.glob("coalitions_*.csv"))
    m_files = sorted(DATA_DIR.glob("memberships_*.csv"))
    if not c_files:
        raise DataFileError("no coalitions_*.csv in the package data folder", path=DATA_DIR)
    key = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in c_files + m_files)
    if key not in _CACHE:
        _CACHE.clear()
        c, m = _read_pair(c_files, m_files)
        _CACHE[key] = (_stamp(c, c_files + m_files), _stamp(m, c_files + m_files))
    c, m = _CACHE[key]
    return _public(c), _public(m)


def _stamp(df: pd.DataFrame, files: Iterable[Path]) -> pd.DataFrame:
    df.attrs = {
        "dataset": DATASET_NAME,
        "version": DATASET_VERSION,
        "files": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files},
        "authored": True,
        "is_seed": False,
    }
    return df


def _read_pair(c_files: list[Path], m_files: list[Path]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read, type and validate coalition and membership files, then check them against each other."""
    c = pd.concat([_read_one(p, COALITION_COLUMNS, _type_coalitions, COALITIONS_SCHEMA) for p in c_files],
                  ignore_index=True)
    m = pd.concat([_read_one(p, MEMBERSHIP_COLUMNS, _type_memberships, MEMBERSHIPS_SCHEMA) for p in m_files],
                  ignore_index=True)
    backwards = (c["end_date"].notna() & (c["start_date"] > c["end_date"])).to_numpy()
    if backwards.any():
        _fail(c, backwards, "end_date", lambda r: f"start_date {r['start_date'].date()} after end_date "
                                                    f"{r['end_date'].date()} ({r['coalition_id']!r})")
    wrong_year = (c["coalition_id"].str[-4:].astype("int64") != c["start_date"].dt.year).to_numpy()
    if wrong_year.any():
        _fail(c, wrong_year, "coalition_id", lambda r: f"coalition_id {r['coalition_id']!r} ends in "
                                                         f"{r['coalition_id'][-4:]} but start_date is "
                                                         f"{r['start_date'].date()}; end the id in the start year")
    _check_unique(c, ["coalition_id"], "duplicate coalition_id")
    _check_unique(m, ["coalition_id", "ccode"], "duplicate (coalition_id, ccode) row")
    _check_operation_theatres(c)
    # every membership's coalition exists
    orphan = ~m["coalition_id"].isin(c["coalition_id"])
    if orphan.any():
        _fail(m, orphan, "coalition_id", lambda r: f"membership of unknown coalition {r['coalition_id']!r}; "
                                                     "add it to the coalitions file")
    # fill join_date, then check it lies within the coalition's life and before leave_date
    life = m[["coalition_id"]].merge(c[["coalition_id", "start_date", "end_date", "lead_ccode"]],
                                     on="coalition_id", how="left")
    m["join_date"] = m["join_date"].fillna(life["start_date"])
    early = (m["join_date"] < life["start_date"]).to_numpy()
    if early.any():
        _fail(m, early, "join_date", lambda r: f"join_date {r['join_date'].date()} before the start of "
                                                 f"{r['coalition_id']!r}")
    late = (life["end_date"].notna() & (m["join_date"] > life["end_date"])).to_numpy()
    if late.any():
        _fail(m, late, "join_date", lambda r: f"join_date {r['join_date'].date()} after the end of "
                                                f"{r['coalition_id']!r}")
    after = (m["leave_date"].notna() & (m["leave_date"] < m["join_date"])).to_numpy()
    if after.any():
        _fail(m, after, "leave_date", lambda r: f"join_date {r['join_date'].date()} after leave_date "
                                                  f"{r['leave_date'].date()}")
    past_end = (m["leave_date"].notna() & life["end_date"].notna() & (m["leave_date"] > life["end_date"])).to_numpy()
    if past_end.any():
        _fail(m, past_end, "leave_date", lambda r: f"leave_date after the end of {r['coalition_id']!r}; "
                                                     "leave it empty when the state stayed to the end")
    # the lead has a 'lead' row, and only the lead does
    is_lead_row = m["role"] == "lead"
    wrong_lead = (is_lead_row & (m["ccode"] != life["lead_ccode"])).to_numpy()
    if wrong_lead.any():
        _fail(m, wrong_lead, "role", lambda r: f"role 'lead' for ccode {r['ccode']} but the lead of "
                                                 f"{r['coalition_id']!r} is another state")
    led = m.loc[is_lead_row, ["coalition_id", "ccode"]].rename(columns={"ccode": "lead_ccode"})
    no_lead = (c[["coalition_id", "lead_ccode"]].merge(led, how="left", indicator=True)["_merge"]
               == "left_only").to_numpy()
    if no_lead.any():
        _fail(c, no_lead, "lead_ccode", lambda r: f"lead {r['lead_ccode']} of {r['coalition_id']!r} has no "
                                                    "membership row with role 'lead'")
    # the entrepreneur (where coded) is another state than the lead, and a member
    ent = c["entrepreneur_ccode"]
    is_lead = (ent.notna() & (ent == c["lead_ccode"])).fillna(False).to_numpy(dtype=bool)
    if is_lead.any():
        _fail(c, is_lead, "entrepreneur_ccode", lambda r: f"entrepreneur_ccode {r['entrepreneur_ccode']} of "
                                                            f"{r['coalition_id']!r} is its lead; leave it empty")
    pairs = set(zip(m["coalition_id"], m["ccode"]))
    absent = np.array([pd.notna(e) and (cid, int(e)) not in pairs
                       for cid, e in zip(c["coalition_id"], ent)], dtype=bool)
    if absent.any():
        _fail(c, absent, "entrepreneur_ccode", lambda r: f"entrepreneur_ccode {r['entrepreneur_ccode']} of "
                                                           f"{r['coalition_id']!r} has no membership row")
    _check_targets(c, m, life)
    _check_known(c, ("lead_ccode", "target_ccode", "entrepreneur_ccode"))
    _check_known(m, ("ccode",))
    _check_labels(c, "lead", "lead_ccode")
    _check_labels(m, "country", "ccode")
    # one name per ccode in every output: the labels were only checked, the names come from the crosswalk
    from coalitionlab.data.countries import country_name

    c["lead"] = country_name(c["lead_ccode"].to_numpy(), date=c["start_date"].to_numpy()) if len(c) else c["lead"]
    m["country"] = country_name(m["ccode"].to_numpy(), date=life["start_date"].to_numpy()) if len(m) else m["country"]
    return c, m


def _check_targets(c: pd.DataFrame, m: pd.DataFrame, life: pd.DataFrame) -> None:
    """No coalition targets its own lead; in a war or air campaign no member is the target."""
    target = c["target_ccode"].astype("float64")
    own = (target == c["lead_ccode"]).to_numpy()
    if own.any():
        _fail(c, own, "target_ccode", lambda r: f"target_ccode {r['target_ccode']} of {r['coalition_id']!r} is its "
                                                  "lead; for an operation on the lead's own territory leave "
                                                  "target_ccode empty and give theatre")
    kind = life[["coalition_id"]].merge(c[["coalition_id", "target_ccode", "mission_type"]], on="coalition_id",
                                        how="left")
    hit = ((kind["target_ccode"].astype("float64") == m["ccode"].to_numpy())
           & kind["mission_type"].isin(ADVERSARY_MISSIONS)).to_numpy()
    if hit.any():
        _fail(m, hit, "ccode", lambda r: f"ccode {r['ccode']} is a member of {r['coalition_id']!r} and also its "
                                         f"target_ccode; in a {', '.join(ADVERSARY_MISSIONS)} mission the target is "
                                         "the adversary (name the host state in the row's source note instead)")


def _check_known(df: pd.DataFrame, columns: tuple[str, ...]) -> None:
    """Every ccode is a COW state of the country crosswalk (an UnknownCountryError names the file and line)."""
    from coalitionlab.data.countries import crosswalk

    known = set(crosswalk()["ccode"].astype("int64"))
    for column in columns:
        codes = df[column]
        bad = (codes.notna() & ~codes.isin(known)).to_numpy(dtype=bool)
        if bad.any():
            row = df.iloc[int(np.flatnonzero(bad)[0])]
            raise UnknownCountryError(int(row[column]), scheme="COW ccode",
                                      where=f"{row['_path']}, column {column!r}, row {row['_line']}")


def _check_labels(df: pd.DataFrame, label: str, code: str) -> None:
    """Every hand-written state label is a name or code the crosswalk maps to the row's ccode."""
    from coalitionlab.data.countries import ccodes_named, country_name

    named = {value: ccodes_named(value) for value in df[label].unique()}
    wrong = np.array([int(cc) not in named[value] for value, cc in zip(df[label], df[code])], dtype=bool)
    if not wrong.any():
        return

    def message(r: pd.Series) -> str:
        cc, meant = int(r[code]), sorted(named[r[label]])
        if not meant:
            return (f"{label} {r[label]!r} names no known state; {code} {cc} is {country_name(cc)!r}: "
                    "write a name or ISO3 code of that state")
        them = ", ".join(f"{k} ({country_name(k)})" for k in meant)
        return (f"{label} {r[label]!r} is ccode {them}, but {code} is {cc} ({country_name(cc)}); "
                "fix the label or the ccode")

    _fail(df, wrong, label, message)


def _check_operation_theatres(c: pd.DataFrame, base: pd.DataFrame | None = None) -> None:
    """Every coalition of one operation lies in one theatre (``base``: shipped rows the user's may join)."""
    cols = ["operation", "theatre"]
    frames = [c[cols]] if base is None else [base[cols], c[cols]]
    first = pd.concat(frames, ignore_index=True).drop_duplicates("operation").set_index("operation")["theatre"]
    expected = c["operation"].map(first)
    wrong = (c["theatre"] != expected).to_numpy()
    if wrong.any():
        _fail(c, wrong, "theatre", lambda r: f"theatre {r['theatre']!r} of {r['coalition_id']!r} differs from "
                                               f"{first[r['operation']]!r}, the theatre of the other coalitions of "
                                               f"operation {r['operation']!r}; one operation has one theatre")


# C0 controls other than tab and newline, DEL, the C1 controls (U+009B is the one-character CSI that
# starts a terminal escape sequence) and a carriage return that does not end a line.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
_CONTROL_NAMES = {0x00: "NUL byte", 0x1b: "ESC, which starts a terminal escape sequence",
                  0x9b: "CSI, which starts a terminal escape sequence", 0x0d: "carriage return inside a cell",
                  0x7f: "DEL"}
_INTEGER = re.compile(r"[+-]?[0-9]+(?:\.0*)?")


def _read_rows(path: Path, columns: tuple[str, ...], optional: tuple[str, ...]) -> tuple[pd.DataFrame, np.ndarray]:
    """Parse a coalition CSV into stripped strings (empty -> NaN) and the file line of every record.

    The file is parsed here rather than by pandas so that line numbers are the file's real lines:
    blank lines are skipped but counted, and a record whose quoted cell spans several lines is
    numbered by the line it starts on. NUL bytes, terminal escapes and other control characters
    are refused, naming the line they are on and their column.
    """
    if not path.is_file():
        raise DataFileError("file not found", path=path)
    try:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise DataFileError(f"truncated or corrupt gzip file ({exc})", path=path) from None
    except OSError as exc:
        raise DataFileError(f"cannot read file ({exc})", path=path) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFileError(f"file is not UTF-8 (byte {data[exc.start:exc.start + 1]!r})", path=path,
                            row=data[:exc.start].count(b"\n") + 1) from None
    if not text.strip():
        raise DataFileError("file is empty", path=path)
    scan = _CONTROL.search(text) is not None  # most files hold none: no need to look cell by cell
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    records: list[list[str]] = []
    lines: list[int] = []
    end = 0
    try:
        for record in reader:
            start, end = end + 1, reader.line_num
            if not record or (len(record) == 1 and not record[0].strip()):
                continue  # a blank line
            if scan:
                _check_controls(record, start, header, path)
            if header is None:
                header = [cell.strip() for cell in record]
                continue
            if len(record) != len(header):
                raise DataFileError(f"the line has {len(record)} fields but the header has {len(header)}; "
                                    "quote cells that contain commas", path=path, row=start)
            records.append(record)
            lines.append(start)
    except csv.Error as exc:
        raise DataFileError(f"malformed CSV ({exc})", path=path, row=reader.line_num) from None
    assert header is not None  # the text is not blank
    repeated = sorted({col for col in header if header.count(col) > 1})
    if repeated:
        raise DataFileError(f"column(s) {', '.join(map(repr, repeated))} appear twice in the header", path=path,
                            column=repeated[0])
    missing = [col for col in columns if col not in header and col not in optional]
    if missing:
        raise DataFileError(f"missing column(s) {', '.join(map(repr, missing))}; found {', '.join(header[:12])}"
                            + (" ..." if len(header) > 12 else ""), path=path, column=missing[0])
    extra = [col for col in header if col not in columns]
    if extra:
        raise DataFileError(f"unexpected column(s) {', '.join(map(repr, extra))}; allowed: {', '.join(columns)}",
                            path=path, column=extra[0])
    position = {col: j for j, col in enumerate(header)}
    cells: dict[str, list] = {}
    for col in columns:  # stripped text; an empty cell (or a column left out) is missing
        j = position.get(col)
        cells[col] = [np.nan] * len(records) if j is None else [r[j].strip() or np.nan for r in records]
    raw = pd.DataFrame({col: pd.Series(values, dtype=str) for col, values in cells.items()})
    return raw, np.asarray(lines, dtype=np.int64)


def _check_controls(record: list[str], start: int, header: list[str] | None, path: Path) -> None:
    """Refuse a control character (NUL, ESC ...) in any cell of a record, naming its line and column."""
    for j, cell in enumerate(record):
        hit = _CONTROL.search(cell)
        if hit is None:
            continue
        char = ord(hit.group()[0])
        line = start + sum(c.count("\n") for c in record[:j]) + cell[:hit.start()].count("\n")
        what = _CONTROL_NAMES.get(char, "control character")
        column = None if header is None else (header[j] if j < len(header) else f"field {j + 1}")
        place = "in the header" if header is None else "in a cell"
        raise DataFileError(f"{what} (U+{char:04X}) {place}; coalition files hold plain text: remove it",
                            path=path, column=column, row=line)


def _read_one(path: Path, columns: tuple[str, ...], typer, schema: pa.DataFrameSchema) -> pd.DataFrame:
    optional = OPTIONAL_COALITION_COLUMNS if columns == COALITION_COLUMNS else ()
    raw, lines = _read_rows(path, columns, optional)
    df = typer(raw, path, lines)
    try:
        df = schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        first = cases.iloc[0]
        column = first.get("column")
        column = None if column is None or pd.isna(column) or column == schema.name else str(column)
        index = first.get("index")
        row = int(lines[int(index)]) if index is not None and pd.notna(index) else None
        value = first.get("failure_case")
        check = str(first.get("check"))
        allowed = {"role": ROLES, "kind": KINDS, "un_authorisation": UN_AUTHORISATION,
                   "mission_type": MISSION_TYPES, "theatre": REGIONS}
        if column in allowed and "isin" in check:
            msg = f"unknown {column} {value!r}; allowed: {', '.join(allowed[column])}"
        elif "str_length" in check:
            msg = f"{column}: value {value!r} is too short (a real {column} is required)"
        elif column == "coalition_id" and "str_matches" in check:
            msg = f"coalition_id {value!r} is not a lower-case slug ending in the start year (e.g. 'korea_1950')"
        elif column == "operation" and "str_matches" in check:
            msg = (f"operation {value!r} is not a lower-case slug ending in a year (e.g. 'bosnia_dayton_1995'); "
                   "leave it empty for a coalition that is its own operation")
        elif column is None:
            msg = f"{check}"
        else:
            msg = f"{column}: fails {check} (value {value!r})"
        more = f" (+{len(cases) - 1} more problems)" if len(cases) > 1 else ""
        raise DataFileError(msg + more, path=path, column=column, row=row) from None
    df["file"] = path.name
    df["_path"] = str(path)
    df["_line"] = lines
    return df


def _type_coalitions(raw: pd.DataFrame, path: Path, lines: np.ndarray) -> pd.DataFrame:
    out = raw.copy()
    out["start_date"] = _dates(raw, "start_date", path, lines)
    out["end_date"] = _dates(raw, "end_date", path, lines)
    out["lead_ccode"] = _integers(raw, "lead_ccode", path, lines, bounds=(2, 999))
    out["target_ccode"] = _integers(raw, "target_ccode", path, lines, nullable=True, bounds=(2, 999))
    out["entrepreneur_ccode"] = _integers(raw, "entrepreneur_ccode", path, lines, nullable=True, bounds=(2, 999))
    for col in ("coalition_id", "name", "lead", "kind", "un_authorisation", "mission_type", "sources"):
        _required(raw, col, path, lines)
    out["operation"] = raw["operation"].fillna(raw["coalition_id"])
    # theatre: default the region of the target (checked to lie in 2-999 above)
    target = out["target_ccode"].astype("float64")
    valid = target.notna().to_numpy()
    default = pd.Series(None, index=raw.index, dtype="object")
    default[valid] = region_of(target[valid].astype("int64"))
    out["theatre"] = raw["theatre"].fillna(default)
    lost = (out["theatre"].isna() & target.isna()).to_numpy()
    if lost.any():
        pos = int(np.flatnonzero(lost)[0])
        raise DataFileError(f"no theatre for {raw['coalition_id'].iloc[pos]!r}: give theatre (one of "
                            f"{', '.join(REGIONS)}) or target_ccode", path=path, column="theatre", row=int(lines[pos]))
    return out


def _type_memberships(raw: pd.DataFrame, path: Path, lines: np.ndarray) -> pd.DataFrame:
    out = raw.copy()
    out["ccode"] = _integers(raw, "ccode", path, lines, bounds=(2, 999))
    out["join_date"] = _dates(raw, "join_date", path, lines)
    out["leave_date"] = _dates(raw, "leave_date", path, lines)
    out["peak_personnel"] = _integers(raw, "peak_personnel", path, lines, nullable=True,
                                      bounds=(0, MAX_PEAK_PERSONNEL))
    for col in ("coalition_id", "country", "role", "source"):
        _required(raw, col, path, lines)
    return out


def _integers(raw: pd.DataFrame, column: str, path: Path, lines: np.ndarray, *, nullable: bool = False,
              bounds: tuple[int, int]) -> pd.Series:
    """Whole numbers within ``bounds`` (``nullable``: empty cells allowed), naming the line of the first bad one."""
    values = raw[column]
    lo, hi = bounds
    parsed: list[int | None] = []
    for pos, value in enumerate(values):
        if pd.isna(value):
            if not nullable:
                raise DataFileError("empty value in a required column", path=path, column=column,
                                    row=int(lines[pos]))
            parsed.append(None)
            continue
        if not _INTEGER.fullmatch(value):
            raise DataFileError(f"non-numeric or non-integer value {value!r}", path=path, column=column,
                                row=int(lines[pos]))
        number = int(value.split(".")[0])
        if not lo <= number <= hi:
            if column == "peak_personnel":
                why = ("negative" if number < 0 else
                       f"above {MAX_PEAK_PERSONNEL:,}, more than any state has deployed to one coalition since 1945")
                msg = f"peak_personnel {number:,} is {why}; give the largest contingent in the field, or leave it empty"
            else:
                msg = f"{column} {number} is not a COW ccode (they run from {lo} to {hi})"
            raise DataFileError(msg, path=path, column=column, row=int(lines[pos]))
        parsed.append(number)
    return pd.Series(pd.array(parsed, dtype="Int64"), index=raw.index).astype("Int64" if nullable else "int64")


def _dates(raw: pd.DataFrame, column: str, path: Path, lines: np.ndarray) -> pd.Series:
    """ISO ``YYYY-MM-DD`` dates (empty -> NaT), naming the line of the first cell that is not one."""
    values = raw[column]
    parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    bad = (parsed.isna() & values.notna()).to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataFileError(f"not a YYYY-MM-DD date: {values.iloc[pos]!r}", path=path, column=column,
                            row=int(lines[pos]))
    return parsed.astype("datetime64[ns]")


def _required(raw: pd.DataFrame, column: str, path: Path, lines: np.ndarray) -> None:
    empty = raw[column].isna()
    if empty.any():
        pos = int(np.flatnonzero(empty.to_numpy())[0])
        raise DataFileError("empty value in a required column", path=path, column=column, row=int(lines[pos]))


def _check_unique(df: pd.DataFrame, keys: list[str], what: str) -> None:
    dup = df.duplicated(keys, keep="first").to_numpy()
    if dup.any():
        pos = int(np.flatnonzero(dup)[0])
        first = df[(df[keys] == df[keys].iloc[pos]).all(axis=1)].iloc[0]
        # plain Python values, so the message reads ('gulf-1990', 800), not np.int64(800)
        _fail(df, dup, keys[-1], lambda r: f"{what} {_plain_key(r, keys)!r} "
                                            f"(first at {first['file']} row {int(first['_line'])})")


def _plain_key(row: pd.Series, keys: list[str]):
    """The row's key as plain Python values: one value, or a tuple for several columns."""
    values = tuple(v.item() if isinstance(v, np.generic) else v for v in row[keys])
    return values if len(keys) > 1 else values[0]


def _fail(df: pd.DataFrame, mask, column: str, message) -> None:
    pos = int(np.flatnonzero(np.asarray(mask))[0])
    row = df.iloc[pos]
    raise DataFileError(message(row), path=row["_path"], column=column, row=int(row["_line"]))
