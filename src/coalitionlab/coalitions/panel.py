"""The coalition x candidate-state panel that participation models are fitted on."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

import pandas as pd

from coalitionlab._validation import check_option
from coalitionlab.coalitions.dataset import (
    ROLES,
    SENDING_ROLES,
    _unknown_coalition_error,
    coalitions,
    memberships,
)
from coalitionlab.errors import (
    DataFileError,
    MissingDataError,
    PanelTypeError,
    UnknownOptionError,
)

UNIT = "coalition_candidate"
PANEL_COLUMNS = ("coalition_id", "ccode", "lead_ccode", "start_date", "year", "joined", "role", "join_date",
                 "operation", "kind", "theatre", "target_ccode")
NATO_LEADS = ("saceur", "entrepreneur")
# coalition-level columns every panel row carries
_COALITION_COLUMNS = ("coalition_id", "start_date", "end_date", "lead_ccode", "target_ccode", "operation", "kind",
                      "theatre")


def coalition_panel(
    ids: str | Iterable[str] | None = None,
    *,
    roles: str | Sequence[str] | None = None,
    roles_joined: str | Sequence[str] | None = None,
    drop_target: bool = True,
    coalitions_df: pd.DataFrame | None = None,
    memberships_df: pd.DataFrame | None = None,
    states: pd.DataFrame | None = None,
    data_dir: str | os.PathLike | None = None,
    nato_lead: str = "saceur",
) -> pd.DataFrame:
    """One row per coalition x candidate state, with whether the state joined.

    The candidates of a coalition are every COW state-system member on the coalition's start
    date except the lead (and, by default, except the target state unless it joined).

    Parameters
    ----------
    ids
        Coalition id(s); ``None`` = every coalition.
    roles
        Membership roles that count as ``joined = 1``, one role or several of
        :data:`~coalitionlab.coalitions.ROLES`. Default :data:`~coalitionlab.coalitions.SENDING_ROLES`:
        ``lead, combat, non_combat, token, medical, gendarmerie`` (the state sent military personnel
        under the coalition's command). ``financial``, ``observer``, ``host``, ``basing``,
        ``national_command`` and ``withdrew`` rows stay ``joined = 0`` (with their ``role`` shown)
        unless listed, e.g. ``roles=SENDING_ROLES + ("host",)`` to count host states as joining.
        Every role is defined in :mod:`coalitionlab.coalitions.dataset` and ``docs/data/coalitions.md``.
    roles_joined
        The former name of ``roles``, still accepted; pass one of the two, not both.
    drop_target
        Leave out the coalition's target state (``target_ccode``) unless it is itself a member
        (e.g. the Republic of Korea in Korea 1950 is host and member, so it stays).
    coalitions_df, memberships_df
        Frames from :func:`~coalitionlab.coalitions.add_coalitions` to use instead of the shipped
        dataset.
    states
        COW state-system spells (``ccode, start_date, end_date``) to use instead of the embedded
        COW v2024 list (:func:`coalitionlab.data.countries.states_on`; works offline).
    data_dir
        A data directory: the candidates come from its ``cow_states`` source
        (``coalitionlab.data.load("cow_states", data_dir)``, validated and cached). A named directory
        without a ``cow_states`` folder is a :class:`~coalitionlab.errors.MissingDataError` naming what
        is missing. ``None`` (default): the embedded copy of the same COW v2024 list. Pass ``states`` or ``data_dir``, not both.
    nato_lead
        Who leads a coalition that has an ``entrepreneur_ccode`` (NATO's Unified Protector and the
        Odyssey Dawn phase before it, driven by France but commanded by the US). ``"saceur"``
        (default): the coded command lead. ``"entrepreneur"``: the entrepreneur becomes
        ``lead_ccode`` and leaves the candidates; the coded lead becomes a candidate that joined
        (``joined = 1``, ``role = "lead"``, whatever ``roles`` says: it commanded the
        operation). Coalitions without an entrepreneur are unchanged.

    Returns
    -------
    pandas.DataFrame
        Columns ``coalition_id, ccode, lead_ccode, start_date, year, joined, role, join_date,
        operation, kind, theatre, target_ccode``, sorted by coalition and ccode; ``joined`` is
        ``int64`` 0/1, ``role`` is the membership role (missing for non-members), ``join_date`` the
        member's join date; the last four are the coalition's (``operation`` groups the phases of one
        operation, e.g. for clustered standard errors; ``target_ccode`` is nullable ``Int64``).
        ``attrs``: ``nato_lead``, ``unit =
        "coalition_candidate"``, ``system = "cow"``, ``directed = True`` (lead -> candidate),
        ``sources = {"coalitionlab_coalitions": version, "cow_states": version}`` (``"user"`` for a
        ``coalitions_df`` or ``states`` frame that carries no ``attrs["version"]``),
        ``roles_joined`` (the roles counted as joining), ``authored = True``, ``is_seed = False``, and ``members_outside_panel``:
        members that were not COW system members on the start date (states that became
        independent later, e.g. Montenegro in ISAF), which the panel cannot hold.

    Raises
    ------
    PanelTypeError
        When ``coalitions_df`` / ``memberships_df`` lack the dataset's columns.
    DataFileError
        When an id is not in the dataset (the message names the closest ids), or when
        ``coalitions_df`` / ``memberships_df`` repeat a coalition or a (coalition, state) row.
    UnknownOptionError
        When a role in ``roles`` is not one of the dataset's roles, when both ``roles`` and
        ``roles_joined`` are given, when ``nato_lead`` is not ``"saceur"`` or ``"entrepreneur"``, or
        when both ``states`` and ``data_dir`` are given.
    MissingDataError
        When ``data_dir`` is not an existing directory (the message names it).

    Examples
    --------
    >>> from coalitionlab.coalitions import coalition_panel
    >>> p = coalition_panel("gulf_war_1990")
    >>> p.attrs["unit"]
    'coalition_candidate'
    >>> int(p.loc[p.ccode == 200, "joined"].item()), int(p.loc[p.ccode == 365, "joined"].item())
    (1, 0)
    >>> e = coalition_panel("unified_protector_2011", nato_lead="entrepreneur")
    >>> int(e["lead_ccode"].iloc[0]), int(e.loc[e.ccode == 2, "joined"].item())
    (220, 1)
    >>> g = coalition_panel("gulf_war_1990", roles=SENDING_ROLES + ("financial",))
    >>> g.loc[g.ccode == 740, ["role", "joined"]].values.tolist()  # Japan paid: joined only when counted
    [['financial', 1]]
    """
    if roles is not None and roles_joined is not None:
        raise UnknownOptionError("coalition_panel(): pass roles= or roles_joined= (its former name), not both")
    name = "roles" if roles_joined is None else "roles_joined"
    roles_joined = SENDING_ROLES if roles is None and roles_joined is None else (
        roles if roles is not None else roles_joined)
    if isinstance(roles_joined, str):  # a single role given as a string
        roles_joined = (roles_joined,)
    roles_joined = tuple(roles_joined)
    for role in roles_joined:
        check_option(role, ROLES, name=f"role in {name}")
    check_option(nato_lead, NATO_LEADS, name="nato_lead")
    if data_dir is not None:
        if states is not None:
            raise UnknownOptionError("coalition_panel(): pass states= or data_dir=, not both "
                                     "(both give the COW state-system spells of the candidates)")
        states, states_version = _data_dir_spells(data_dir)
    else:
        states_version = None
    c = coalitions() if coalitions_df is None else coalitions_df
    m = memberships() if memberships_df is None else memberships_df
    needed = _COALITION_COLUMNS + (("entrepreneur_ccode",) if nato_lead == "entrepreneur" else ())
    for frame, cols, what in ((c, needed, "coalitions_df"),
                              (m, ("coalition_id", "ccode", "role", "join_date"), "memberships_df")):
        missing = [col for col in cols if col not in frame.columns]
        if missing:
            raise PanelTypeError(f"coalition_panel(): {what} lacks column(s) {', '.join(missing)}; "
                                 "use coalitions()/memberships() or add_coalitions()")
    if ids is not None:
        wanted = [ids] if isinstance(ids, str) else list(ids)
        unknown = [i for i in wanted if i not in set(c["coalition_id"])]
        if unknown:
            raise _unknown_coalition_error(unknown[0], c["coalition_id"])
        c = c[c["coalition_id"].isin(wanted)]
    coal = c[list(_COALITION_COLUMNS)].reset_index(drop=True)
    coal["_coded_lead"] = pd.Series(pd.NA, index=coal.index, dtype="Int64")  # set where the entrepreneur leads
    if nato_lead == "entrepreneur":
        ent = pd.array(c["entrepreneur_ccode"].to_numpy(), dtype="Int64")
        swap = ~pd.isna(ent)
        coal.loc[swap, "_coded_lead"] = coal.loc[swap, "lead_ccode"].astype("int64").to_numpy()
        coal.loc[swap, "lead_ccode"] = ent[swap].astype("int64")
    _check_no_repeats(coal, m[m["coalition_id"].isin(coal["coalition_id"])])
    if states is None:
        members_on = _states_on_dates(coal["start_date"])
        states_version = states_version or "2024"
    else:
        members_on = _spells_on_dates(states, coal["start_date"])
        states_version = states_version or str(states.attrs.get("version", "user"))
    grid = coal.merge(members_on, on="start_date", how="inner")
    grid = grid.loc[grid["ccode"] != grid["lead_ccode"]].drop_duplicates(["coalition_id", "ccode"])

    mem = m[["coalition_id", "ccode", "role", "join_date"]]
    mem = mem[mem["coalition_id"].isin(coal["coalition_id"])]
    out = grid.merge(mem, on=["coalition_id", "ccode"], how="left")
    within = out["end_date"].isna() | (out["join_date"] <= out["end_date"])
    was_lead = (out["ccode"] == out["_coded_lead"]).fillna(False).astype(bool)  # the coded lead, now a candidate
    out["joined"] = ((out["role"].isin(list(roles_joined)) & within) | was_lead).astype("int64")
    if drop_target:
        is_target = out["target_ccode"].notna() & (out["ccode"] == out["target_ccode"].astype("float64"))
        out = out.loc[~(is_target & out["role"].isna())]
    out["year"] = out["start_date"].dt.year.astype("int64")
    out["ccode"] = out["ccode"].astype("int64")
    out["lead_ccode"] = out["lead_ccode"].astype("int64")
    out["target_ccode"] = out["target_ccode"].astype("Int64")
    out = out[list(PANEL_COLUMNS)].sort_values(["coalition_id", "ccode"], ignore_index=True)

    # members the panel cannot hold: not system members on the start date (and not the lead)
    key = mem.merge(coal[["coalition_id", "lead_ccode", "_coded_lead"]], on="coalition_id")
    key = key[(key["ccode"] != key["lead_ccode"])
              & (key["role"].isin(list(roles_joined)) | (key["ccode"] == key["_coded_lead"]).fillna(False))]
    held = key.merge(out[["coalition_id", "ccode"]], on=["coalition_id", "ccode"], how="left", indicator=True)
    outside = held.loc[held["_merge"] == "left_only", ["coalition_id", "ccode"]]

    out.attrs = {
        "unit": UNIT,
        "system": "cow",
        "directed": True,
        "keys": ["coalition_id", "ccode"],
        # a frame without a version (built by the user, not from add_coalitions) is not the shipped dataset
        "sources": {"coalitionlab_coalitions": str(c.attrs.get("version", "user")),
                    "cow_states": states_version},
        "columns": {},
        "roles_joined": list(roles_joined),
        "drop_target": drop_target,
        "nato_lead": nato_lead,
        "members_outside_panel": [(str(a), int(b)) for a, b in zip(outside["coalition_id"], outside["ccode"])],
        "authored": True,
        "is_seed": False,
    }
    return out


def _check_no_repeats(coal: pd.DataFrame, mem: pd.DataFrame) -> None:
    """A coalition or (coalition, state) given twice would duplicate panel rows: refuse it."""
    dup = coal["coalition_id"].duplicated().to_numpy()
    if dup.any():
        raise DataFileError(f"coalitions_df repeats coalition_id {coal['coalition_id'][dup].iloc[0]!r}; "
                            "pass each coalition once (add_coalitions() checks this)")
    dup = mem.duplicated(["coalition_id", "ccode"]).to_numpy()
    if dup.any():
        first = mem.loc[dup].iloc[0]
        raise DataFileError(f"memberships_df repeats (coalition_id, ccode) ({first['coalition_id']!r}, "
                            f"{int(first['ccode'])}); pass each membership once (add_coalitions() checks this)")


def _data_dir_spells(data_dir: str | os.PathLike) -> tuple[pd.DataFrame | None, str]:
    """The ``cow_states`` spells of ``data_dir`` and their version.

    A data directory the caller named must hold ``cow_states``: one that does not exist or lacks it
    is a MissingDataError naming the path and the expected file. ``None`` (the embedded list, the
    same COW v2024 spells) only for the default user data directory (see
    :func:`coalitionlab.data.paths.data_dir_is_explicit`).
    """
    from coalitionlab.data import load
    from coalitionlab.data.paths import data_dir_is_explicit, missing_sources, missing_sources_error, resolve_data_dir

    root = resolve_data_dir(data_dir)
    if missing_sources(["cow_states"], root):
        if data_dir_is_explicit(data_dir):
            raise missing_sources_error(root, ["cow_states"], data_dir=data_dir,
                                        what=f"coalition_panel(data_dir={str(data_dir)!r})")
        return None, "2024 (embedded)"
    spells = load("cow_states", root)
    return spells, str(spells.attrs.get("version", "unknown"))


def _states_on_dates(dates: pd.Series) -> pd.DataFrame:
    """``start_date, ccode`` for every COW system member on each distinct date (embedded list)."""
    from coalitionlab.data.countries import states_on

    parts = [pd.DataFrame({"start_date": d, "ccode": states_on(d.date())}) for d in dates.drop_duplicates()]
    if not parts:
        return pd.DataFrame({"start_date": pd.Series([], dtype="datetime64[ns]"), "ccode": pd.Series([], dtype="int64")})
    out = pd.concat(parts, ignore_index=True)
    out["start_date"] = out["start_date"].astype("datetime64[ns]")
    return out


def _spells_on_dates(states: pd.DataFrame, dates: pd.Series) -> pd.DataFrame:
    """``start_date, ccode`` from user-given spells (``ccode, start_date, end_date``)."""
    spells = states[["ccode", "start_date", "end_date"]].rename(columns={"start_date": "_s", "end_date": "_e"})
    grid = pd.DataFrame({"start_date": dates.drop_duplicates()}).merge(spells, how="cross")
    grid = grid.loc[(grid["start_date"] >= grid["_s"]) & (grid["start_date"] <= grid["_e"])]
    return grid[["start_date", "ccode"]].astype({"ccode": "int64"})
