"""The estimation panel: coalition x candidate rows with embeddedness, its variants and the controls.

Built from the public API of the earlier stages only: ``coalitions.coalition_panel`` for the
rows and ``measures.add_*`` for the columns, so the same steps build the training panel and
the frame a prediction is made on (:func:`candidate_frame`).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from coalitionlab import measures
from coalitionlab import coalitions
from coalitionlab.errors import EstimationError, StaleDataWarning

CONTROL_COLUMNS = {
    "atop_defense": "defence pact with the lead (ATOP 5.1)",
    "atop_any": "any ATOP alliance with the lead",
    "atop_sscore": "alliance-portfolio S-score with the lead (ATOP v4)",
    "distance_log": "log(1 + capital-to-capital km)",
    "cinc": "candidate's CINC (NMC 7.0)",
    "democracy": "candidate's V-Dem polyarchy",
    "un_ideal_distance": "|UNGA ideal point - lead's| (Bailey et al.)",
    "polity2": "candidate's Polity5 score",
    "us_troops_log": "log(1 + US troops per 1,000 inhabitants) in the candidate",
    "s_score": "same as atop_sscore (the robustness battery's name)",
}
DEFAULT_FORMULA = "joined ~ embeddedness_log1p + atop_defense + distance_log + cinc + democracy"
LAGS = (1, 3, 5)
CONTACT_WINDOW = 5  # years before onset over which visits and exercises are counted


def _embeddedness_columns(panel: pd.DataFrame, *, data_dir, lag: int, lead_col: str, suffix: str,
                          source: str) -> dict[str, np.ndarray]:
    # coalitions after a source's last year (COW IGO: 2014) use that year: an explicit choice, recorded in
    # attrs["embeddedness"]["carry_forward"] and warned about (StaleDataWarning) where the gap exceeds 2 years
    base = not suffix and not lag
    emb = measures.add_embeddedness(panel, lead_col=lead_col, date_col="start_date", data_dir=data_dir,
                                    lag_years=lag, source=source, carry_forward=True, sociability=base)
    total, nonsec = emb["embeddedness"].to_numpy(float), emb["embeddedness_nonsecurity"].to_numpy(float)
    lag_part = f"_lag{lag}" if lag else ""
    cols = {f"embeddedness{lag_part}{suffix}": total, f"embeddedness{lag_part}_log1p{suffix}": np.log1p(total)}
    if not suffix:
        cols[f"embeddedness_nonsecurity{lag_part}_log1p"] = np.log1p(nonsec)
        if base:
            cols["embeddedness_nonsecurity"] = nonsec
            cols["embeddedness_z"] = emb["embeddedness_z"].to_numpy(float)
            comps = emb.attrs["embeddedness"]["components"]
            cols.update({c: emb[c].to_numpy(float) for c in comps})
            cols.update({f"{c}_year": emb[f"{c}_year"].to_numpy(float, na_value=np.nan) for c in comps})
            for social in ("sociability_igos", "sociability_treaties"):
                if social in emb.columns:
                    cols[social] = emb[social].to_numpy(float)
                    cols[f"{social}_log1p"] = np.log1p(emb[social].to_numpy(float))
    return cols, emb.attrs


def _placebo_columns(panel: pd.DataFrame, *, data_dir, years: int, source: str) -> tuple[dict[str, np.ndarray], dict]:
    """Embeddedness with the lead ``years`` years *after* onset: a placebo, never a feature.

    Measured on the start date plus ``years`` (29 February -> 28 February) with the same rules as at onset,
    except that nothing is carried forward: a measurement day past a component's data is NaN, as is a
    pair in which either state was not a system member on that day.
    """
    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or not 1 <= years <= 50:
        raise EstimationError(f"placebo years must be a whole number from 1 to 50, got {years!r}")
    years = int(years)
    shifted = panel[["ccode", "lead_ccode"]].assign(
        _placebo_day=pd.to_datetime(panel["start_date"]) + pd.DateOffset(years=years))
    with warnings.catch_warnings():  # past the sources' end the values are NaN by design (the design says so)
        warnings.simplefilter("ignore", StaleDataWarning)
        emb = measures.add_embeddedness(shifted, lead_col="lead_ccode", date_col="_placebo_day", data_dir=data_dir,
                                        source=source, carry_forward=False)
    total = emb["embeddedness"].to_numpy(float)
    return {f"embeddedness_lead{years}": total, f"embeddedness_lead{years}_log1p": np.log1p(total)}, emb.attrs


def _as_float(column: pd.Series) -> np.ndarray:
    return column.to_numpy(dtype="float64", na_value=np.nan)


def _controls(panel: pd.DataFrame, *, data_dir) -> tuple[pd.DataFrame, dict]:
    """Dyadic controls, measured the year before onset (pre-treatment), most recent year carried
    forward where a source ends before the coalition began (recorded in attrs)."""
    dyads = pd.DataFrame({"ccode1": panel["lead_ccode"].to_numpy(), "ccode2": panel["ccode"].to_numpy(),
                          "year": panel["year"].to_numpy() - 1}).drop_duplicates(ignore_index=True)
    dyads.attrs = {"unit": "dyad_year", "system": "cow", "directed": True}
    for step in (measures.add_alliances, measures.add_distance, measures.add_capabilities,
                 measures.add_democracy, measures.add_un_affinity, measures.add_us_troops):
        dyads = step(dyads, data_dir=data_dir, mry=True)
    dyads = measures.add_alliance_similarity(dyads, data_dir=data_dir)
    out = pd.DataFrame({
        "ccode1": dyads["ccode1"], "ccode2": dyads["ccode2"], "year": dyads["year"] + 1,
        # the panel stores flags as nullable Int8 (pd.NA); the models want float with NaN
        "atop_defense": _as_float(dyads["atop_defense"]), "atop_any": _as_float(dyads["atop_any"]),
        "atop_sscore": dyads["atop_sscore"],
        "s_score": dyads["atop_sscore"], "distance_log": np.log1p(dyads["capdist"]), "cinc": dyads["cinc2"],
        "democracy": dyads["v2x_polyarchy2"], "polity2": dyads["polity22"],
        "un_ideal_distance": dyads["un_ideal_distance"],
        "us_troops_log": np.log1p(dyads["us_troops_per_10002"]),
    })
    return out, dict(dyads.attrs)


def _contact(panel: pd.DataFrame, *, data_dir) -> pd.DataFrame:
    """Personal-contact measures over the CONTACT_WINDOW years before onset, NaN outside coverage:
    joint military exercises with the lead (MME, 1980-2010) and visits by senior US defence officials
    (1992-2012; defined for US-led coalitions only)."""
    from coalitionlab.data import get_source, load

    keys = pd.DataFrame({"ccode1": panel["lead_ccode"].to_numpy(), "ccode2": panel["ccode"].to_numpy(),
                         "year": panel["year"].to_numpy()}).drop_duplicates(ignore_index=True)
    # summed over the window's years in which both states existed (a year before one existed is NaN in
    # add_exercises, not 0); NaN only when no year of the window has a value
    per_year = []
    for back in range(1, CONTACT_WINDOW + 1):
        d = keys.assign(year=keys["year"] - back)
        d.attrs = {"unit": "dyad_year", "system": "cow", "directed": True}
        per_year.append(measures.add_exercises(d, data_dir=data_dir)["mme_joint_exercises"].to_numpy(float))
    stacked = np.vstack(per_year)
    exercises = np.where(np.isnan(stacked).all(axis=0), np.nan, np.nansum(stacked, axis=0))
    mme = get_source("military_exercises")  # the whole window must lie inside MME's years
    mme_first, mme_last = mme.first_year, mme.last_year
    outside = ((keys["year"] - CONTACT_WINDOW < mme_first) | (keys["year"] - 1 > mme_last)).to_numpy()
    exercises[outside] = np.nan
    visits = load("dod_visits", data_dir)
    vyear = visits["start_date"].dt.year.to_numpy()
    first, last = int(vyear.min()), int(vyear.max())
    counts = pd.Series(1, index=pd.MultiIndex.from_arrays([visits["ccode"].to_numpy(), vyear])).groupby(level=[0, 1]).sum()
    v = np.zeros(len(keys))
    for back in range(1, CONTACT_WINDOW + 1):
        idx = pd.MultiIndex.from_arrays([keys["ccode2"].to_numpy(), keys["year"].to_numpy() - back])
        v += counts.reindex(idx).fillna(0).to_numpy()
    window_inside = (keys["year"] - CONTACT_WINDOW >= first) & (keys["year"] - 1 <= last)
    v[~window_inside.to_numpy() | (keys["ccode1"].to_numpy() != 2)] = np.nan
    return keys.assign(joint_exercises=exercises, dod_visits=v)


def add_participation_features(
    panel: pd.DataFrame,
    *,
    data_dir: str | os.PathLike | None = None,
    lags: Sequence[int] = LAGS,
    focal_lead: int = 2,
    contact: bool = True,
    source: str = "auto",
    placebo_years: Sequence[int] = (),
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Add embeddedness (now, lagged, non-security, with the focal lead), controls and contact measures.

    ``panel`` needs ``coalition_id, ccode, lead_ccode, start_date, year`` (a coalition x candidate
    panel, or the one-coalition frame of :func:`candidate_frame`). Returns a copy; ``attrs["sources"]``
    lists every source and version used.

    ``placebo_years`` (e.g. ``(5,)``) adds ``embeddedness_lead5`` and ``embeddedness_lead5_log1p``:
    embeddedness with the lead measured 5 years *after* onset, for the timing placebo of the
    robustness battery. These columns are dated after the coalition began, so they are a placebo
    only and must never be used as features of a model that predicts; no carry-forward: a day past
    a source's data, or a state not a system member on that day, is NaN. ``attrs["placebo_years"]``
    lists them.
    """
    say = progress or (lambda _s: None)
    out = panel.copy()
    sources: dict[str, str] = dict(panel.attrs.get("sources", {}))
    is_seed = bool(panel.attrs.get("is_seed", False))
    for lag in (0, *lags):
        say(f"embeddedness (lag {lag})")
        cols, attrs = _embeddedness_columns(panel, data_dir=data_dir, lag=lag, lead_col="lead_ccode", suffix="",
                                            source=source)
        for name, values in cols.items():
            out[name] = values
        is_seed |= bool(attrs.get("is_seed"))
        sources.update(attrs.get("sources", {}))
    say("embeddedness with the focal lead")
    focal = panel.assign(_focal=focal_lead)
    cols, _ = _embeddedness_columns(focal, data_dir=data_dir, lag=0, lead_col="_focal", suffix="_focal", source=source)
    for name, values in cols.items():
        out[name] = values
    for k in placebo_years:
        say(f"embeddedness {k} years after onset (timing placebo)")
        cols, _ = _placebo_columns(panel, data_dir=data_dir, years=k, source=source)
        for name, values in cols.items():
            out[name] = values
    if not is_seed:
        say("controls")
        controls, attrs = _controls(panel, data_dir=data_dir)
        sources.update(attrs.get("sources", {}))
        out = out.merge(controls, left_on=["lead_ccode", "ccode", "year"], right_on=["ccode1", "ccode2", "year"],
                        how="left").drop(columns=["ccode1", "ccode2"])
        if contact:
            say("contact measures")
            c = _contact(panel, data_dir=data_dir)
            out = out.merge(c, left_on=["lead_ccode", "ccode", "year"], right_on=["ccode1", "ccode2", "year"],
                            how="left").drop(columns=["ccode1", "ccode2"])
            sources.update({"military_exercises": "7", "dod_visits": "troopdata 1.0.4.9000"})
            say("leaders' shared time in office")
            leaders = measures.add_leader_ties(out[["ccode", "lead_ccode", "start_date"]], data_dir=data_dir)
            for col in ("leader_overlap_years", "leader_tenure_candidate", "lead_leader_tenure"):
                out[col] = leaders[col].to_numpy()
            sources.update({"archigos_leaders": leaders.attrs.get("leaders", {}).get("version", "4.1")})
    out.attrs = {**panel.attrs, "sources": sources, "is_seed": is_seed, "lags": list(lags), "focal_lead": focal_lead,
                 "placebo_years": [int(k) for k in placebo_years],
                 "controls_measured": "year before onset, most recent year carried forward past a source's end"}
    return out


def participation_data(
    *,
    data_dir: str | os.PathLike | None = None,
    ids: Sequence[str] | None = None,
    lags: Sequence[int] = LAGS,
    focal_lead: int = 2,
    contact: bool = True,
    source: str = "auto",
    placebo_years: Sequence[int] = (),
    nato_lead: str = "saceur",
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """The coalition x candidate panel with every feature the participation models use.

    ``source`` is passed to the embeddedness steps: ``"auto"`` (full sources when present, else the
    embedded seed), ``"full"`` or ``"seed"``. On the seed the panel holds embeddedness only (the
    seed has no controls). ``placebo_years`` adds embeddedness measured that many years after onset
    (the timing placebo; see :func:`add_participation_features`). ``nato_lead`` (``"saceur"`` or
    ``"entrepreneur"``) is passed to :func:`~coalitionlab.coalitions.coalition_panel`: who counts as
    the lead of a coalition that has an entrepreneur (NATO's Libya operations), recorded in
    ``attrs["nato_lead"]``.

    On a data directory the panel is kept in the disk cache (the user cache directory), keyed by the
    SHA-256 of the data files, of the package's code and every argument; warnings are issued again
    when it is served from there.

    Examples
    --------
    >>> panel = participation_data(data_dir="../shared/data")  # doctest: +SKIP
    >>> panel[["joined", "embeddedness_log1p", "atop_defense"]].describe()  # doctest: +SKIP
    """
    from coalitionlab._cache import cache_key, cached, code_fingerprint, data_fingerprint

    def build() -> pd.DataFrame:
        rows = coalitions.coalition_panel(ids, nato_lead=nato_lead)
        return add_participation_features(rows, data_dir=data_dir, lags=lags, focal_lead=focal_lead, contact=contact,
                                          source=source, placebo_years=placebo_years, progress=progress)

    dfp = data_fingerprint(data_dir)
    if dfp == "seed":  # the seed is quick to build; an explicit missing directory raises in build()
        return build()
    key = cache_key(dfp, code_fingerprint(), None if ids is None else [ids] if isinstance(ids, str) else list(ids),
                    list(lags), int(focal_lead),
                    bool(contact), source, list(placebo_years), nato_lead)
    return cached("panel", key, build, folder_name="models", replay_warnings=True)[0]


def candidate_frame(lead: int | str, date: str | pd.Timestamp, *, data_dir: str | os.PathLike | None = None,
                    source: str = "auto") -> pd.DataFrame:
    """A one-coalition frame (``coalition_id = "new"``) of every system member at ``date`` except ``lead``,
    ready for :func:`add_participation_features`; ``country`` names from the embeddedness table."""
    emb = measures.embeddedness(lead, date, data_dir=data_dir, source=source)
    ts = pd.Timestamp(date)
    frame = pd.DataFrame({"coalition_id": "new", "ccode": emb["ccode"].to_numpy(), "country": emb["country"].to_numpy(),
                          "lead_ccode": int(emb.attrs["lead_ccode"]), "start_date": ts, "year": ts.year, "joined": 0})
    frame.attrs = {"unit": "coalition_candidate", "system": "cow", "is_seed": bool(emb.attrs.get("is_seed"))}
    return frame
