"""Forecast features: a candidate's relation to a coalition's target and theatre, and its record.

:func:`add_target_features` adds, to each coalition x candidate row, what the participation panel
of :mod:`coalitionlab.models.data` lacks: where the candidate is relative to the state the
coalition acts against (distance, contiguity, same region as the theatre), its military ties to
the lead (US troops hosted, joint exercises) and its record (earlier joins of coalitions with
the same lead, against the same target, in the same theatre). The same function builds the
training panel's features and the forecast candidates' (:func:`~coalitionlab.models.predict.predict_participation`).

Timing (no look-ahead): dyadic and monadic inputs are measured in the year before onset, as the
panel's controls; the record counts only joins dated strictly before the coalition's start date.
Where a source ends before the year asked for, its last year is used and the row says so
(``<input>_year`` columns; :func:`input_years` for a forecast). docs/models/forecasts.md gives the
exact definitions.

Target-less coalitions (maritime operations, regional stabilisation without a single target
state) have ``target_ccode`` NaN: their target features are NaN (never a made-up distance), except
``same_region`` which needs only the theatre. :func:`add_model_columns` turns them into model
columns: the feature where the target is known, 0 where it is not, always together with the
indicator ``no_target`` in the formula (the missing-indicator method).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from coalitionlab import measures
from coalitionlab.coalitions.dataset import SENDING_ROLES
from coalitionlab.errors import PanelTypeError

DEFAULT_HALF_LIFE = 10.0  # years; chosen on the pre-2005 coalitions only (docs/models/forecasts.md)
EXERCISE_WINDOW = 5  # years before onset over which joint exercises are counted
HOSTS_US_TROOPS_MIN = 100  # US active-duty personnel: below this, embassy guards and attaches
STALE_AFTER_YEARS = 2  # as in measures.embeddedness: older data than this are reported stale

TARGET_FEATURES = {
    "distance_target_log": "log(1 + capital-to-capital km) between the candidate and the target state, year before onset",
    "contiguous_target": "1 if the candidate and the target are directly contiguous (COW types 1-5), year before onset",
    "same_region": "1 if the candidate's COW region is the coalition's theatre",
    "hosts_us_troops": f"1 if at least {HOSTS_US_TROOPS_MIN} US active-duty troops were stationed in the candidate, year before onset",
    "us_troops_log": "log(1 + US troops per 1,000 inhabitants) in the candidate, year before onset",
    "joint_exercises_lead": f"joint military exercises (MME) of the candidate and the lead in the {EXERCISE_WINDOW} years before onset",
    "past_joins_lead_decayed": "sum over the candidate's earlier joins of coalitions with the same lead of 2^(-age / half_life)",
    "past_joins_target": "the candidate's earlier joins of coalitions against the same target state",
    "past_joins_theatre": "the candidate's earlier joins of coalitions in the same theatre",
}
# features that need a target state: NaN for target-less coalitions, 0-filled with ``no_target`` in models
NEEDS_TARGET = ("distance_target_log", "contiguous_target", "past_joins_target")
# the forecast model (docs/models/forecasts.md): embeddedness and the panel's controls except the distance
# to the lead, plus the target, tie and record features; chosen before any out-of-sample figure was seen
FORECAST_FORMULA = ("joined ~ embeddedness_log1p + atop_defense + cinc + democracy + un_ideal_distance"
                    " + hosts_us_troops + joint_exercises_lead_log1p_or0 + no_exercise_data"
                    " + distance_target_log_or0 + contiguous_target_or0 + same_region_or0 + no_target"
                    " + past_joins_lead_decayed_log1p + past_joins_target_log1p_or0")


def _coalition_frames(coalitions_df: pd.DataFrame | None, memberships_df: pd.DataFrame | None
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    from coalitionlab.coalitions import coalitions, memberships

    return (coalitions() if coalitions_df is None else coalitions_df,
            memberships() if memberships_df is None else memberships_df)


def coalition_theatres(coalitions_df: pd.DataFrame) -> pd.Series:
    """The theatre of each coalition: its ``theatre`` column when the dataset has one, else the COW
    region of its target state (:func:`coalitionlab.data.regions.region_of`); None where neither is known."""
    from coalitionlab.data.regions import region_of

    derived = pd.Series(region_of(coalitions_df["target_ccode"]), index=coalitions_df.index, dtype=object)
    if "theatre" in coalitions_df.columns:
        authored = coalitions_df["theatre"].astype(object).where(coalitions_df["theatre"].notna(), None)
        return authored.where(authored.notna(), derived)
    return derived


def _target_and_theatre(panel: pd.DataFrame, coal: pd.DataFrame, target_col: str,
                        theatre_col: str) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the target ccode (float, NaN when none) and the theatre (object, None when unknown).

    The panel's own columns win; a column it lacks comes from the coalition dataset by ``coalition_id``."""
    info = pd.DataFrame({"coalition_id": coal["coalition_id"].to_numpy(),
                         "_target": pd.to_numeric(coal["target_ccode"], errors="coerce").to_numpy(float),
                         "_theatre": coalition_theatres(coal).to_numpy(object)})
    rows = panel[["coalition_id"]].merge(info, on="coalition_id", how="left")
    if target_col in panel.columns:
        target = pd.to_numeric(panel[target_col], errors="coerce").to_numpy(float)
    else:
        target = rows["_target"].to_numpy(float)
    if theatre_col in panel.columns:
        theatre = panel[theatre_col].astype(object).where(panel[theatre_col].notna(), None).to_numpy(object)
    elif target_col in panel.columns:  # a target given with the rows: its region (the dataset's derivation)
        from coalitionlab.data.regions import region_of

        theatre = np.asarray(region_of(pd.Series(target)), dtype=object)
        known = rows["_theatre"].to_numpy(object)
        theatre = np.where(pd.isna(theatre), known, theatre)
    else:
        theatre = rows["_theatre"].to_numpy(object)
    return target, theatre


def _dyads(c1: np.ndarray, c2: np.ndarray, year: np.ndarray) -> pd.DataFrame:
    d = pd.DataFrame({"ccode1": np.asarray(c1, "int64"), "ccode2": np.asarray(c2, "int64"),
                      "year": np.asarray(year, "int64")})
    d.attrs = {"unit": "dyad_year", "system": "cow", "directed": True}
    return d


def _last_year(attrs: dict, column: str) -> int:
    return int(attrs["columns"][column]["coverage"][1])


def _history(coal: pd.DataFrame, mem: pd.DataFrame, roles: tuple[str, ...]) -> pd.DataFrame:
    """Every join that counts in a record: ``ccode, join_date, h_coalition, h_lead, h_target, h_theatre``.

    A join is a membership in one of ``roles`` dated on or before its coalition's end (as the panel's
    ``joined``); ``join_date`` is the state's own join date (the coalition's start when not recorded)."""
    c = pd.DataFrame({"coalition_id": coal["coalition_id"].to_numpy(), "h_start": pd.to_datetime(coal["start_date"]).to_numpy(),
                      "h_end": pd.to_datetime(coal["end_date"]).to_numpy(),
                      "h_lead": coal["lead_ccode"].to_numpy("int64"),
                      "h_target": pd.to_numeric(coal["target_ccode"], errors="coerce").to_numpy(float),
                      "h_theatre": coalition_theatres(coal).to_numpy(object)})
    m = mem[mem["role"].isin(list(roles))][["coalition_id", "ccode", "join_date"]].merge(c, on="coalition_id")
    joined_on = pd.to_datetime(m["join_date"]).fillna(m["h_start"])
    within = m["h_end"].isna() | (joined_on <= m["h_end"])
    return pd.DataFrame({"ccode": m["ccode"].to_numpy("int64"), "join_date": joined_on.to_numpy(),
                         "h_coalition": m["coalition_id"].to_numpy(), "h_lead": m["h_lead"].to_numpy(),
                         "h_target": m["h_target"].to_numpy(), "h_theatre": m["h_theatre"].to_numpy()})[within.to_numpy()]


def past_joins(rows: pd.DataFrame, history: pd.DataFrame, *, half_life: float) -> pd.DataFrame:
    """The record features of each row from a table of joins (no look-ahead: joins dated before ``start_date``).

    Parameters
    ----------
    rows
        ``coalition_id, ccode, lead_ccode, start_date, target, theatre`` (target NaN / theatre None when unknown).
    history
        ``ccode, join_date, h_coalition, h_lead, h_target, h_theatre``, one row per join.
    half_life
        Years after which a join to a coalition with the same lead weighs one half.

    Returns
    -------
    pandas.DataFrame
        ``past_joins_lead_decayed, past_joins_lead, past_joins_target, past_joins_theatre`` aligned with
        ``rows``: ``past_joins_lead`` is the undecayed count; ``past_joins_target`` is NaN where the row
        has no target and ``past_joins_theatre`` NaN where it has no theatre.

    Examples
    --------
    >>> rows = pd.DataFrame({"coalition_id": ["c"], "ccode": [200], "lead_ccode": [2],
    ...                      "start_date": pd.to_datetime(["2010-01-01"]), "target": [645.0], "theatre": ["middle_east"]})
    >>> hist = pd.DataFrame({"ccode": [200, 200, 200], "join_date": pd.to_datetime(["2000-01-01", "2009-12-31", "2011-01-01"]),
    ...                      "h_coalition": ["a", "b", "d"], "h_lead": [2, 2, 2], "h_target": [645.0, 700.0, 645.0],
    ...                      "h_theatre": ["middle_east", "asia", "middle_east"]})
    >>> out = past_joins(rows, hist, half_life=10)
    >>> round(float(out["past_joins_lead_decayed"].iloc[0]), 3), int(out["past_joins_target"].iloc[0])
    (1.5, 1)
    """
    if not half_life > 0:
        from coalitionlab.errors import EstimationError

        raise EstimationError(f"half_life must be a positive number of years, not {half_life!r}")
    r = rows.reset_index(drop=True).assign(_row=lambda f: np.arange(len(f)))
    pairs = r[["_row", "coalition_id", "ccode", "lead_ccode", "start_date", "target", "theatre"]].merge(
        history, on="ccode", how="inner")
    before = (pairs["join_date"] < pairs["start_date"]) & (pairs["h_coalition"] != pairs["coalition_id"])
    pairs = pairs[before.to_numpy()]
    age = (pairs["start_date"] - pairs["join_date"]).dt.days.to_numpy(float) / 365.25
    same_lead = (pairs["h_lead"] == pairs["lead_ccode"]).to_numpy()
    weight = np.where(same_lead, np.exp2(-age / float(half_life)), 0.0)
    same_target = (pairs["h_target"].to_numpy(float) == pairs["target"].to_numpy(float))  # NaN never equal
    same_theatre = np.array([a is not None and a == b for a, b in zip(pairs["h_theatre"], pairs["theatre"])], dtype=bool)
    agg = pd.DataFrame({"_row": pairs["_row"].to_numpy(), "d": weight, "n": same_lead.astype(float),
                        "t": same_target.astype(float), "th": same_theatre.astype(float)}).groupby("_row").sum()
    agg = agg.reindex(np.arange(len(r)), fill_value=0.0)
    out = pd.DataFrame({"past_joins_lead_decayed": agg["d"].to_numpy(), "past_joins_lead": agg["n"].to_numpy(),
                        "past_joins_target": agg["t"].to_numpy(), "past_joins_theatre": agg["th"].to_numpy()})
    out.loc[r["target"].isna().to_numpy(), "past_joins_target"] = np.nan
    out.loc[pd.isna(r["theatre"]).to_numpy(), "past_joins_theatre"] = np.nan
    return out


def _exercises(keys: pd.DataFrame, data_dir) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Joint exercises with the lead over the EXERCISE_WINDOW years before onset, the window's last
    year, and ``no_exercise_data``.

    The window ends the year before onset, or at MME's last year (2010) for later onsets (carried
    forward: the last five years of data stand in for the years asked; flagged stale by the caller).
    Years of the window before MME's first year (1980) are left out; a window wholly before it is NaN
    (carrying 1980s data back to earlier coalitions would be look-ahead).

    ``no_exercise_data`` is 1 where the window lies wholly before MME (onsets up to 1980) and both
    states were system members in at least one of its years; 0 where the window has data; NaN
    where a state was no member in any year of the window (inside MME: the count is NaN too)."""
    from coalitionlab.measures._common import member_mask

    probe = measures.add_exercises(_dyads([2], [200], [2000]), data_dir=data_dir)
    first, last = (int(v) for v in probe.attrs["columns"]["mme_joint_exercises"]["coverage"])
    year = keys["year"].to_numpy("int64")
    end = np.minimum(year - 1, last)
    per_year = []
    for back in range(EXERCISE_WINDOW):
        y = end - back
        vals = measures.add_exercises(_dyads(keys["ccode1"], keys["ccode2"], np.clip(y, first, last)),
                                      data_dir=data_dir)["mme_joint_exercises"].to_numpy(float, copy=True)
        vals[(y < first) | (y > last)] = np.nan
        per_year.append(vals)
    stacked = np.vstack(per_year)
    total = np.where(np.isnan(stacked).all(axis=0), np.nan, np.nansum(stacked, axis=0))
    outside = end < first  # the whole window precedes MME: no data, whoever existed
    existed = np.zeros(len(keys), dtype=bool)
    if outside.any():
        c1, c2 = keys["ccode1"].to_numpy("int64")[outside], keys["ccode2"].to_numpy("int64")[outside]
        for back in range(EXERCISE_WINDOW):
            existed[outside] |= member_mask(c1, c2, end[outside] - back, data_dir=data_dir)
    no_data = np.where(outside, np.where(existed, 1.0, np.nan), np.where(np.isnan(total), np.nan, 0.0))
    return total, np.where(np.isnan(total), np.nan, end.astype(float)), no_data


def add_target_features(
    panel: pd.DataFrame,
    *,
    data_dir: str | os.PathLike | None = None,
    target_col: str = "target_ccode",
    theatre_col: str = "theatre",
    half_life: float = DEFAULT_HALF_LIFE,
    coalitions_df: pd.DataFrame | None = None,
    memberships_df: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Add each candidate's relation to the coalition's target and theatre, its ties to the lead and its record.

    Parameters
    ----------
    panel
        Coalition x candidate rows with ``coalition_id, ccode, lead_ccode, start_date, year``
        (:func:`~coalitionlab.models.data.participation_data` or
        :func:`~coalitionlab.models.data.candidate_frame`).
    data_dir
        The data directory of the sources (capitals, contiguity, US troops, exercises).
    target_col, theatre_col
        The target state's ccode (NaN for a target-less coalition) and the theatre (one of
        :data:`coalitionlab.data.regions.REGIONS`). When the panel lacks them they come from the
        coalition dataset by ``coalition_id`` (the theatre from its ``theatre`` column when it has
        one, else the region of the target); a panel with a target but no theatre gets the
        target's region.
    half_life
        Years after which an earlier join with the same lead weighs one half in
        ``past_joins_lead_decayed`` (weight ``2 ** (-age / half_life)``, i.e. ``exp(-age ln 2 / half_life)``).
    coalitions_df, memberships_df
        The coalition dataset whose joins make the record (default: the shipped one,
        :func:`coalitionlab.coalitions.coalitions` and :func:`~coalitionlab.coalitions.memberships`).

    Returns
    -------
    pandas.DataFrame
        A copy with ``target_ccode`` and ``theatre`` (as used), the columns of :data:`TARGET_FEATURES`
        (``us_troops_log`` kept when the panel has it), ``past_joins_lead`` (undecayed count),
        ``no_target`` (1 where the coalition has no target state) and the data years
        ``capitals_year, contiguity_year, us_troops_year, joint_exercises_lead_year`` with
        ``joint_exercises_lead_stale`` (its data end more than two years before the year before onset),
        and ``no_exercise_data``: 1 where the exercise window lies wholly before MME's first year
        (onsets up to 1980), 0 where it has data, NaN where the candidate or the lead was no system
        member in any year of the window (a state that did not exist is never 0 or 1).
        ``attrs["target_features"]``: half-life, definitions and the sources' last years.

    Raises
    ------
    PanelTypeError
        The panel lacks a needed column.

    Examples
    --------
    >>> from coalitionlab.models.data import participation_data
    >>> panel = add_target_features(participation_data(data_dir="../shared/data"),
    ...                             data_dir="../shared/data")  # doctest: +SKIP
    """
    need = [c for c in ("coalition_id", "ccode", "lead_ccode", "start_date", "year") if c not in panel.columns]
    if need:
        raise PanelTypeError(f"add_target_features(): the panel lacks column(s) {', '.join(need)}")
    coal, mem = _coalition_frames(coalitions_df, memberships_df)
    target, theatre = _target_and_theatre(panel, coal, target_col, theatre_col)
    out = panel.copy()
    out["target_ccode"] = target
    out["theatre"] = theatre
    out["no_target"] = np.isnan(target).astype(float)
    ccode = out["ccode"].to_numpy("int64")
    before = out["year"].to_numpy("int64") - 1
    has_target = ~np.isnan(target)

    # geography of the target, the year before onset (most recent year where a source ends earlier)
    t_codes = np.where(has_target, target, 2).astype("int64")  # placeholder code, blanked below
    geo = measures.add_contiguity(measures.add_distance(_dyads(t_codes, ccode, before), data_dir=data_dir, mry=True),
                                  data_dir=data_dir, mry=True)
    dist = np.log1p(geo["capdist"].to_numpy(float))
    cont = geo["conttype"].to_numpy(float)
    contiguous = np.where(np.isnan(cont), np.nan, ((cont >= 1) & (cont <= 5)).astype(float))
    dist[~has_target], contiguous[~has_target] = np.nan, np.nan
    out["distance_target_log"], out["contiguous_target"] = dist, contiguous
    cap_last = _last_year(geo.attrs, "capdist")
    cont_last = _last_year(geo.attrs, "conttype")
    out["capitals_year"] = np.where(has_target, np.minimum(before, cap_last), np.nan)
    out["contiguity_year"] = np.where(has_target, np.minimum(before, cont_last), np.nan)

    from coalitionlab.data.regions import region_of

    own = np.asarray(region_of(out["ccode"]), dtype=object)
    out["same_region"] = np.array([np.nan if t is None or pd.isna(t) else float(r == t) for r, t in zip(own, theatre)])

    # US troops in the candidate: the lead's troops only when the lead is the United States (docs)
    troops = measures.add_us_troops(_dyads(out["lead_ccode"], ccode, before), data_dir=data_dir, mry=True)
    count = troops["us_troops2"].to_numpy(float)
    out["hosts_us_troops"] = np.where(np.isnan(count), np.nan, (count >= HOSTS_US_TROOPS_MIN).astype(float))
    if "us_troops_log" not in out.columns:
        out["us_troops_log"] = np.log1p(troops["us_troops_per_10002"].to_numpy(float))
    troops_last = _last_year(troops.attrs, "us_troops2")
    out["us_troops_year"] = np.minimum(before, troops_last).astype(float)

    keys = pd.DataFrame({"ccode1": out["lead_ccode"].to_numpy("int64"), "ccode2": ccode,
                         "year": out["year"].to_numpy("int64")})
    uniq = keys.drop_duplicates(ignore_index=True)
    ex, ex_year, no_ex = _exercises(uniq, data_dir)
    ex_frame = uniq.assign(joint_exercises_lead=ex, joint_exercises_lead_year=ex_year, no_exercise_data=no_ex)
    merged = keys.merge(ex_frame, on=["ccode1", "ccode2", "year"], how="left")
    out["joint_exercises_lead"] = merged["joint_exercises_lead"].to_numpy(float)
    out["joint_exercises_lead_year"] = merged["joint_exercises_lead_year"].to_numpy(float)
    out["no_exercise_data"] = merged["no_exercise_data"].to_numpy(float)
    out["joint_exercises_lead_stale"] = (before - out["joint_exercises_lead_year"].to_numpy(float)) > STALE_AFTER_YEARS

    roles = tuple(panel.attrs.get("roles_joined", SENDING_ROLES))
    record = past_joins(pd.DataFrame({"coalition_id": out["coalition_id"].to_numpy(), "ccode": ccode,
                                      "lead_ccode": out["lead_ccode"].to_numpy("int64"),
                                      "start_date": pd.to_datetime(out["start_date"]).to_numpy(),
                                      "target": target, "theatre": theatre}),
                        _history(coal, mem, roles), half_life=half_life)
    for col in record.columns:
        out[col] = record[col].to_numpy()

    out.attrs = {**panel.attrs, "target_features": {
        "half_life": float(half_life), "definitions": dict(TARGET_FEATURES),
        "last_years": {"capitals": cap_last, "contiguity": cont_last, "us_troops": troops_last,
                       "military_exercises": int(np.nanmax(ex_year)) if np.isfinite(ex_year).any() else None},
        "roles_joined": list(roles), "measured": "year before onset; record: joins dated before the start date"}}
    return out


def add_model_columns(panel: pd.DataFrame) -> pd.DataFrame:
    """Model-ready columns from :func:`add_target_features` (the forecast formula's inputs).

    * ``<feature>_or0`` for each of :data:`NEEDS_TARGET`, and ``same_region_or0``: the feature, 0 where
      it is NaN because the coalition has no target state (for ``same_region``: no known theatre
      either). A formula that uses them must also hold ``no_target``, the target-less coalitions' own
      intercept (the missing-indicator method); the 0 is never read as a distance.
    * ``past_joins_target_log1p_or0``: ``log(1 + past_joins_target)``, 0 without a target.
    * ``past_joins_lead_decayed_log1p``: ``log(1 + past_joins_lead_decayed)``.
    * ``joint_exercises_lead_log1p_or0``: ``log(1 + joint_exercises_lead)``, 0 where the exercise
      window lies wholly outside MME (``no_exercise_data`` = 1, from :func:`add_target_features`);
      NaN where a state did not exist in the window (``no_exercise_data`` NaN).

    A NaN with another cause (a state outside a source's coverage, or not a system member) stays NaN
    and the row is left out of a fit, as elsewhere.

    Examples
    --------
    >>> rows = pd.DataFrame({"no_target": [0.0, 1.0, 0.0], "distance_target_log": [7.5, np.nan, 6.0],
    ...                      "contiguous_target": [1.0, np.nan, 0.0], "past_joins_target": [3.0, np.nan, 0.0],
    ...                      "same_region": [1.0, np.nan, 0.0], "joint_exercises_lead": [np.nan, 4.0, np.nan],
    ...                      "no_exercise_data": [1.0, 0.0, np.nan], "past_joins_lead_decayed": [0.0, 1.0, 0.0]})
    >>> out = add_model_columns(rows)
    >>> out["distance_target_log_or0"].tolist()[:2], out["joint_exercises_lead_log1p_or0"].round(3).tolist()
    ([7.5, 0.0], [0.0, 1.609, nan])
    """
    need = [c for c in ("no_target", *NEEDS_TARGET, "same_region", "joint_exercises_lead", "no_exercise_data",
                        "past_joins_lead_decayed") if c not in panel.columns]
    if need:
        raise PanelTypeError(f"add_model_columns(): the panel lacks {', '.join(need)}; run add_target_features() first")
    out = panel.copy()
    no_target = out["no_target"].to_numpy(float) == 1
    for col in NEEDS_TARGET:
        out[f"{col}_or0"] = np.where(no_target, 0.0, out[col].to_numpy(float))
    out["past_joins_target_log1p_or0"] = np.log1p(out["past_joins_target_or0"].to_numpy(float))
    same = out["same_region"].to_numpy(float)
    out["same_region_or0"] = np.where(no_target & np.isnan(same), 0.0, same)
    out["past_joins_lead_decayed_log1p"] = np.log1p(out["past_joins_lead_decayed"].to_numpy(float))
    ex = out["joint_exercises_lead"].to_numpy(float)
    no_data = out["no_exercise_data"].to_numpy(float)
    out["joint_exercises_lead_log1p_or0"] = np.where(no_data == 1, 0.0, np.log1p(ex))  # NaN stays NaN
    return out


def forecast_features(panel: pd.DataFrame, *, data_dir: str | os.PathLike | None = None,
                      half_life: float = DEFAULT_HALF_LIFE, **kwargs) -> pd.DataFrame:
    """:func:`add_target_features` then :func:`add_model_columns`: every column :data:`FORECAST_FORMULA`
    needs beyond the participation panel's (the same call for the training panel and the candidates)."""
    return add_model_columns(add_target_features(panel, data_dir=data_dir, half_life=half_life, **kwargs))


# input -> (add_* step, the column whose coverage it records, source label); measured the year before onset
_INPUTS = {
    "atop_defense": ("add_alliances", "atop_defense"), "atop_any": ("add_alliances", "atop_any"),
    "atop_sscore": ("add_alliance_similarity", "atop_sscore"), "s_score": ("add_alliance_similarity", "atop_sscore"),
    "cinc": ("add_capabilities", "cinc2"), "democracy": ("add_democracy", "v2x_polyarchy2"),
    "polity2": ("add_democracy", "polity22"), "un_ideal_distance": ("add_un_affinity", "un_ideal_distance"),
    "us_troops_log": ("add_us_troops", "us_troops_per_10002"), "hosts_us_troops": ("add_us_troops", "us_troops2"),
    "distance_log": ("add_distance", "capdist"), "distance_target_log": ("add_distance", "capdist"),
    "contiguous_target": ("add_contiguity", "conttype"), "joint_exercises_lead": ("add_exercises", "mme_joint_exercises"),
    "no_exercise_data": ("add_exercises", "mme_joint_exercises"),
}


def _base_name(variable: str) -> str:
    for suffix in ("_or0", "_log1p"):
        variable = variable.removesuffix(suffix)
    return variable


def input_years(variables: list[str], date: str | pd.Timestamp, *, features: pd.DataFrame | None = None,
                data_dir: str | os.PathLike | None = None,
                coalitions_df: pd.DataFrame | None = None) -> pd.DataFrame:
    """The data year each input of a forecast for ``date`` uses, and whether it is stale.

    Dyadic and monadic inputs are wanted for the year before ``date`` (as the panel measures them);
    where their source ends earlier its last year is used (carried forward). Embeddedness is wanted
    in the year of ``date``; its components' years are read from the ``<component>_year`` columns of
    ``features`` (the candidates' frame). The record (``past_joins_*``) is wanted up to ``date`` and
    uses the coalition dataset's joins dated before it; its data year is the year of the last join it holds. ``same_region``
    and ``no_target`` need no data. An input is stale when its data year is more than two years
    before the year wanted (as :class:`~coalitionlab.errors.StaleDataWarning` in ``measures``).

    Returns
    -------
    pandas.DataFrame
        ``input, source, wanted_year, data_year, stale``, one row per input (an embeddedness
        variable gives one row per component).
    """
    from coalitionlab._validation import parse_date
    from coalitionlab.measures import COMPONENTS

    ts = parse_date(date)
    rows: list[dict] = []
    probes: dict[str, dict] = {}
    for var in dict.fromkeys(variables):
        base = _base_name(var)
        if base.startswith("embeddedness") and features is not None:
            comps = [c for c in COMPONENTS if f"{c}_year" in features.columns]
            for comp in comps:
                yrs = pd.to_numeric(features[f"{comp}_year"], errors="coerce")
                used = float(yrs.max()) if yrs.notna().any() else np.nan
                rows.append({"input": f"{var} ({comp})", "source": comp, "wanted_year": ts.year, "data_year": used})
        elif base in _INPUTS:
            step, column = _INPUTS[base]
            if step not in probes:
                probes[step] = getattr(measures, step)(_dyads([2], [200], [ts.year - 1]), data_dir=data_dir).attrs
            info = probes[step]["columns"][column]
            last = int(info["coverage"][1])
            rows.append({"input": var, "source": str(info.get("source", step)), "wanted_year": ts.year - 1,
                         "data_year": float(min(ts.year - 1, last))})
        elif base.startswith("past_joins"):
            _coal, mem = _coalition_frames(coalitions_df, None)
            joins = pd.to_datetime(mem["join_date"])
            known = joins[joins < ts]
            rows.append({"input": var, "source": "coalitionlab_coalitions", "wanted_year": ts.year,
                         "data_year": float(known.dt.year.max()) if len(known) else np.nan})
    out = pd.DataFrame(rows, columns=["input", "source", "wanted_year", "data_year"])
    out["stale"] = (out["wanted_year"] - out["data_year"]) > STALE_AFTER_YEARS
    return out


def drop_constant_terms(formula: str, data: pd.DataFrame) -> tuple[str, list[str]]:
    """``formula`` without the column terms that do not vary in ``data`` (among rows where they are known).

    For the forecast formula on an early training sample: with no target-less coalition (none
    before 1987) ``no_target`` is constant, collinear with the intercept and not estimable (the
    ``_or0`` columns are then the features themselves); with no coalition after 1980 the exercise
    columns are. Returns the formula and the dropped terms.

    Examples
    --------
    >>> drop_constant_terms("joined ~ x + no_target", pd.DataFrame({"x": [1, 2], "no_target": [0.0, 0.0]}))
    ('joined ~ x', ['no_target'])
    """
    lhs, rhs = formula.split("~", 1)
    terms = [t.strip() for t in rhs.split("+")]
    dropped = [t for t in terms if t in data.columns and data[t].nunique(dropna=True) < 2]
    if not dropped:
        return formula, []
    return f"{lhs.strip()} ~ " + " + ".join(t for t in terms if t not in dropped), dropped
