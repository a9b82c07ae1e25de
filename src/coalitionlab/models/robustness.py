"""The robustness battery: the embeddedness effect under the designs that answer the critics.

The critique: cooperation sits on both sides of the regression (ties now, joining now), so the
effect may only say that cooperators keep cooperating; and personal contact, not the count of
ties, may do the work. Each design below changes one thing and reports the treatment's
coefficient, so the table reads as a sequence of tests:

=======================  ===================================================================
design                   what changes
=======================  ===================================================================
baseline                 logit, controls, SEs clustered by coalition
lag_1, lag_3, lag_5      embeddedness measured 1/3/5 years before onset
non_security             only non-security ties (no alliances, defence agreements, security IGOs)
alignment                + UN ideal-point distance, alliance-portfolio S-score, alliance
past_cooperation         + number of earlier coalitions the state joined with the same lead
coalition_fe             conditional logit (coalition fixed effects)
firth                    Firth's bias-reduced logit, SEs clustered by coalition (sandwich)
lpm                      linear probability model, with Cinelli-Hazlett (classical t) and Oster's
                         exact delta*
permutation              Freedman-Lane: the treatment's residual net of the controls and the
                         coalition permuted within coalition (randomisation p-value)
bootstrap                pairs cluster bootstrap over coalitions (percentile interval)
negative_control         coalitions of *other* leads, embeddedness with their own lead and with
                         the focal lead in one model (the focal term is reported)
contact                  count of ties beside opportunities for personal contact (senior US defence
                         visits, joint exercises in the 5 years before onset); not personal ties
state_fe                 logit with state (candidate) fixed effects
first_difference         LPM of the change in joining on the change in embeddedness between a
                         state's consecutive coalitions with the same lead
timing_placebo           embeddedness ``placebo_years`` years *after* onset, beside the one at onset
sociability              + the partner's own IGO and treaty counts (its sociability)
negative_control_alone   coalitions of other leads, on focal-lead embeddedness alone
twoway_cluster           SEs clustered by coalition and by state
operation_cluster        SEs clustered by operation (coalitions of one operation share a cluster)
leader_ties              + the two sitting leaders' shared time in office and the candidate leader's
                         tenure (Archigos; an opportunity for personal ties, not a measure of them)
=======================  ===================================================================

Every row states the rows it used (``n_obs``), its coalitions and clusters, its ``controls`` and
its ``sample``, so that two rows, or a row and ``coalitionlab fit``, can be reconciled.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from coalitionlab.errors import EstimationError, MissingValueWarning, UnknownOptionError
from coalitionlab.models.data import CONTROL_COLUMNS
from coalitionlab.models.formula import check_formula
from coalitionlab.models.participation import fit_participation
from coalitionlab.models.replication import HENKE_FORMULA
from coalitionlab.models.permutation import (  # noqa: F401  (re-exported: the battery's resampling tests)
    BootstrapResult,
    PermutationResult,
    bootstrap_p_value,
    DRAW_BYTES,
    chunk_plan as _chunk_plan,
    cluster_bootstrap,
    permutation_test,
)
from coalitionlab.models.sensitivity import lpm_sensitivity

DESIGNS: tuple[str, ...] = (
    "baseline", "lag_1", "lag_3", "lag_5", "non_security", "alignment", "past_cooperation",
    "coalition_fe", "firth", "lpm", "permutation", "bootstrap", "negative_control", "contact",
    # the critique's "cooperators keep cooperating": within-state designs and a timing placebo
    "state_fe", "first_difference", "timing_placebo",
    # "personal ties, not the count of ties": the partner's own sociability; the old negative control
    "sociability", "negative_control_alone",
    # inference when coalitions are not independent
    "twoway_cluster", "operation_cluster",
    # person-level data: the sitting leaders' shared time in office
    "leader_ties",
)
#: The battery's default controls, and those of Henke's specification (``spec="henke"``).
DEFAULT_CONTROLS: tuple[str, ...] = ("atop_defense", "distance_log", "cinc", "democracy", "un_ideal_distance")
HENKE_CONTROLS: tuple[str, ...] = tuple(
    t.strip() for t in HENKE_FORMULA.split("~", 1)[1].split("+") if t.strip() != "embeddedness_log1p")
HENKE_UNTIL = 2010
SPECS = ("default", "henke")
SOCIABILITY_CONTROLS = ("sociability_igos_log1p", "sociability_treaties_log1p")
#: The columns of :attr:`RobustnessResult.table`, in order.
TABLE_COLUMNS = ("design", "description", "term", "estimate", "std_error", "p_value", "ci_low", "ci_high", "n_obs",
                 "n_coalitions", "n_clusters", "controls", "sample", "method", "note")
ALIGNMENT_CONTROLS = ("un_ideal_distance", "s_score", "atop_any")
CONTACT_MEASURES = ("dod_visits", "joint_exercises")
#: Person-level: the shared time in office of the two sitting leaders (Archigos), and the candidate's tenure.
LEADER_MEASURES = ("leader_overlap_years", "leader_tenure_candidate")
#: The control names a request may give before the panel exists (the command line's ``--controls``):
#: the columns :func:`~coalitionlab.models.data.participation_data` builds for controls, sociability,
#: contact and leaders. :func:`robustness` itself accepts any column of the panel it is given.
CONTROL_CHOICES: tuple[str, ...] = tuple(dict.fromkeys(
    (*CONTROL_COLUMNS, *SOCIABILITY_CONTROLS, *CONTACT_MEASURES, *LEADER_MEASURES)))


@dataclass
class RobustnessResult:
    """One row per design (``table``) plus the sensitivity statistics and permutation draws."""

    table: pd.DataFrame
    sensitivity: dict[str, float] = field(default_factory=dict)
    permutation_draws: np.ndarray | None = None
    treatment: str = "embeddedness_log1p"

    def __repr__(self) -> str:
        return f"RobustnessResult({len(self.table)} designs, treatment={self.treatment!r})"


def check_battery_request(designs: Sequence[str] | None = None,
                          controls: Sequence[str] | None = None) -> tuple[list[str], list[str] | None]:
    """Check design and control names before any data are read (building the panel takes a while).

    Parameters
    ----------
    designs
        Names from :data:`DESIGNS` (None: all of them).
    controls
        Names from :data:`CONTROL_CHOICES` (None: the specification's defaults).

    Returns
    -------
    tuple
        The designs (all of :data:`DESIGNS` for None) and the controls (None stays None), duplicates removed.

    Raises
    ------
    UnknownOptionError
        An unknown design or control: one line naming it and listing the valid ones; an empty list
        of designs (``[]`` is not "all of them").

    Examples
    --------
    >>> check_battery_request(["baseline", "lpm"], ["cinc"])
    (['baseline', 'lpm'], ['cinc'])
    """
    if designs is not None and not list(designs):
        raise UnknownOptionError(f"no design named; give some of: {', '.join(DESIGNS)} (or None for all)")
    chosen = list(dict.fromkeys(designs)) if designs is not None else list(DESIGNS)
    for d in chosen:
        if d not in DESIGNS:
            raise UnknownOptionError(f"unknown design {d!r}; valid designs: {', '.join(DESIGNS)}")
    if controls is None:
        return chosen, None
    ctrl = list(dict.fromkeys(controls))
    for c in ctrl:
        if c not in CONTROL_CHOICES:
            raise UnknownOptionError(f"unknown control {c!r}; valid controls: {', '.join(CONTROL_CHOICES)}")
    return chosen, ctrl


def check_treatment(treatment: str, *, name: str = "treatment") -> str:
    """The treatment must be a column name (``embeddedness_log1p``), not an expression or code.

    Checked before any data are read; whether the panel has the column is checked by :func:`robustness`.

    Examples
    --------
    >>> check_treatment("embeddedness_log1p")
    'embeddedness_log1p'
    """
    if not isinstance(treatment, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", treatment.strip()):
        raise EstimationError(f"{name} {treatment!r} must be a column name of the panel (letters, digits and _), "
                              "e.g. embeddedness_log1p, not an expression")
    return treatment.strip()


def check_draws(designs: Sequence[str] | None, n_permutations: int) -> None:
    """Check the number of permutation and bootstrap draws before any data are read.

    A positive whole number, and the draws of the resampling designs among ``designs`` (None: all)
    must fit in :func:`coalitionlab._validation.memory_limit` (:data:`DRAW_BYTES` each).

    Examples
    --------
    >>> check_draws(["baseline", "permutation"], 500)
    """
    from coalitionlab._validation import check_memory

    if isinstance(n_permutations, bool) or not isinstance(n_permutations, (int, np.integer)) or n_permutations < 1:
        raise EstimationError(f"the number of permutations or bootstrap draws must be a positive whole number, "
                              f"got {n_permutations!r}")
    resampling = [d for d in (DESIGNS if designs is None else designs) if d in ("permutation", "bootstrap")]
    if resampling:
        check_memory(f"{int(n_permutations):,} draws for each of {' and '.join(resampling)}",
                     len(resampling) * int(n_permutations) * DRAW_BYTES)


def add_past_cooperation(panel: pd.DataFrame) -> pd.DataFrame:
    """Add ``past_joins_same_lead``: coalitions with the same lead the state joined *before* this one began.

    A join counts when its date (``join_date``, else the earlier coalition's start) precedes this
    coalition's start: a state that joined an earlier-started coalition only after this one began
    had not yet cooperated at onset.
    """
    out = panel.copy()
    coal = (out[["coalition_id", "lead_ccode", "start_date"]].drop_duplicates("coalition_id"))
    joined = out.loc[out["joined"] == 1, ["coalition_id", "ccode"]
                     + (["join_date"] if "join_date" in out.columns else [])].merge(coal, on="coalition_id")
    earlier = joined["start_date"] if "join_date" not in joined.columns else joined["join_date"].fillna(
        joined["start_date"])
    pairs = out[["coalition_id", "ccode", "lead_ccode", "start_date"]].merge(
        joined[["ccode", "lead_ccode"]].assign(earlier=earlier.to_numpy()), on=["ccode", "lead_ccode"], how="left")
    pairs["hit"] = (pairs["earlier"] < pairs["start_date"]).astype(int)
    counts = pairs.groupby(["coalition_id", "ccode"], sort=False)["hit"].sum()
    out["past_joins_same_lead"] = counts.reindex(pd.MultiIndex.from_frame(out[["coalition_id", "ccode"]])).to_numpy()
    return out


def _row(design: str, description: str, res, term: str, note: str = "", *, controls: Sequence[str] | None = None,
         sample: str | None = None) -> dict:
    """One table row from a fitted model: the term's estimate and the sample it came from.

    ``controls`` and ``sample`` left None are filled with the design's defaults (the battery's controls
    and main sample) by :func:`_complete`.
    """
    t = res.tidy()
    r = t.loc[term]
    row = {"design": design, "description": description, "term": term, "estimate": r["estimate"],
           "std_error": r["std_error"], "p_value": r["p_value"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
           "n_obs": res.fit_stats["n_obs"], "n_coalitions": res.fit_stats.get("n_coalitions"),
           "n_clusters": res.fit_stats.get("n_clusters"), "method": res.method, "note": note}
    if controls is not None:
        row["controls"] = ",".join(controls)
    if sample is not None:
        row["sample"] = sample
    return row


def _missing(design: str, description: str, term: str, cols: Sequence[str]) -> dict:
    return {"design": design, "description": description, "term": term, "estimate": np.nan, "std_error": np.nan,
            "p_value": np.nan, "ci_low": np.nan, "ci_high": np.nan, "n_obs": 0, "n_coalitions": 0,
            "n_clusters": 0, "controls": "", "sample": "", "method": "",
            "note": f"not run: panel lacks {', '.join(cols)}"}


def _complete(row: dict, defaults: dict) -> dict:
    """Fill the columns a design did not set (controls, sample, coalition and cluster counts) with the
    defaults of the main sample, and order the columns as :data:`TABLE_COLUMNS`."""
    for key, value in defaults.items():
        if key not in row:
            row[key] = value
    return {c: row.get(c) for c in TABLE_COLUMNS}


def robustness(
    panel: pd.DataFrame,
    *,
    treatment: str = "embeddedness_log1p",
    controls: Sequence[str] | None = None,
    spec: str = "default",
    until: int | None = None,
    exclude_un_operations: bool = False,
    placebo_years: int = 5,
    focal_lead: int = 2,
    designs: Sequence[str] | None = None,
    n_permutations: int = 500,
    seed: int = 0,
    n_jobs: int = 1,
    scheduler: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> RobustnessResult:
    """Run the robustness battery on a coalition x candidate panel.

    Parameters
    ----------
    panel
        One row per coalition x candidate with ``coalition_id, ccode, lead_ccode, start_date,
        joined`` and the measures: the treatment, its lags ``<treatment>_lag{1,3,5}`` (any
        suffix of the name works: ``embeddedness_lag3_log1p`` for ``embeddedness_log1p``),
        the non-security variant, the controls, alignment and contact measures,
        ``<treatment>_focal`` (embeddedness with ``focal_lead``) for the negative controls,
        ``<treatment>`` measured ``placebo_years`` after onset (``embeddedness_lead5_log1p``,
        from ``participation_data(placebo_years=(5,))``) for the timing placebo,
        ``sociability_igos_log1p`` and ``sociability_treaties_log1p``, and ``operation`` and
        ``kind`` (coalition attributes) for ``operation_cluster`` and ``exclude_un_operations``.
        A design whose columns are absent is reported as not run, with the columns it lacked.
    treatment
        Column name of the treatment.
    controls
        Control columns of every design. None: the specification's controls
        (:data:`DEFAULT_CONTROLS`, or :data:`HENKE_CONTROLS` with ``spec="henke"``), of which
        those the panel lacks (the embedded seed has none) are left out and listed in the baseline
        row's note. Controls given explicitly must all be columns (one-line error otherwise).
    spec
        ``"default"`` or ``"henke"``: Henke's controls (those of
        :data:`coalitionlab.models.replication.HENKE_FORMULA`) and ``until=2010`` unless given.
    until
        Last start year of the coalitions used (every lead's). None: all.
    exclude_un_operations
        Drop coalitions whose ``kind`` is ``"un"`` (UN operations). Needs the ``kind`` column.
        ``past_joins_same_lead`` (:func:`add_past_cooperation`) is counted on the whole panel before
        this and ``until`` restrict it: a join of a coalition left out is still past cooperation.
    placebo_years
        How many years after onset the timing placebo measures embeddedness (the panel must hold
        that column). Only coalitions with onset year + ``placebo_years`` no later than the last
        year the placebo column has a value for are used (the row's note states it).
    focal_lead
        COW code of the lead whose coalitions form the main sample (the negative controls use
        coalitions of every other lead).
    designs
        Subset of :data:`DESIGNS`; default all (checked first, :func:`check_battery_request`).
    n_permutations, seed, n_jobs, scheduler
        The permutation test and the cluster bootstrap (same seed, same draws locally or on Dask).
    progress
        Called with each design's name as it starts.

    Returns
    -------
    RobustnessResult
        ``table`` has the columns :data:`TABLE_COLUMNS`: every row its estimate, the rows
        (``n_obs``), coalitions and clusters it used, its ``controls`` (comma list) and
        ``sample`` (lead, number of coalitions, years and any restriction). The NATO lead rule
        is fixed when the panel is built (``participation_data(nato_lead=...)``); when the panel
        records it (``attrs["nato_lead"]``) the sample says so.

    Raises
    ------
    EstimationError, UnknownOptionError
        A control or treatment that is not a column, a treatment that does not vary, an unknown
        or empty list of designs, an unknown spec, a bad ``until``, ``placebo_years`` or
        ``n_permutations``, a ``scheduler`` that is not an address, ``exclude_un_operations``
        without a ``kind`` column, no coalitions of ``focal_lead`` left.
    InfeasibleError
        The permutation and bootstrap draws would need more memory than the limit
        (:func:`check_draws`).
    """
    from coalitionlab._validation import check_option, check_scheduler

    designs, _ = check_battery_request(designs)
    check_option(spec, SPECS, name="spec")
    check_draws(designs, n_permutations)
    check_scheduler(scheduler)
    say = progress or (lambda _d: None)
    check_formula(f"joined ~ {treatment}", panel.columns)  # code is refused as such, before anything else
    check_treatment(treatment)
    _check_column(treatment, panel.columns, what="treatment")  # a column, never an expression
    if until is None and spec == "henke":
        until = HENKE_UNTIL
    if until is not None and (isinstance(until, bool) or not isinstance(until, (int, np.integer))):
        raise EstimationError(f"until must be a year (a whole number), got {until!r}")
    if isinstance(placebo_years, bool) or not isinstance(placebo_years, (int, np.integer)) or not 1 <= placebo_years <= 50:
        raise EstimationError(f"placebo_years must be a whole number from 1 to 50, got {placebo_years!r}")
    explicit = controls is not None
    wanted = list(dict.fromkeys(controls if explicit else (HENKE_CONTROLS if spec == "henke" else DEFAULT_CONTROLS)))
    wanted = [c for c in wanted if c != treatment]
    if explicit:
        for c in wanted:
            _check_column(c, panel.columns, what="control")
    ctrl = [c for c in wanted if c in panel.columns]
    missing_ctrl = [c for c in wanted if c not in panel.columns]

    # past cooperation from the whole panel, before any restriction: a join of a coalition left out
    # below (a UN operation, one started after ``until``) is still cooperation that came before
    data = add_past_cooperation(panel) if "past_joins_same_lead" not in panel.columns else panel
    restrictions: list[str] = []
    if until is not None:
        data = data[_start_year(data) <= until]
        restrictions.append(f"to {int(until)}")
    if exclude_un_operations:
        if "kind" not in data.columns:
            raise EstimationError("exclude_un_operations needs the coalitions' 'kind' column, which the panel lacks")
        n_un = data.loc[data["kind"] == "un", "coalition_id"].nunique()
        data = data[data["kind"] != "un"]
        restrictions.append(f"UN operations excluded ({n_un} coalitions of any lead)")
    if panel.attrs.get("nato_lead"):
        restrictions.append(f"NATO lead: {panel.attrs['nato_lead']}")
    main = data[data["lead_ccode"] == focal_lead]
    if main.empty:
        raise EstimationError(f"no coalitions led by ccode {focal_lead} in the panel"
                              + (f" ({', '.join(restrictions)})" if restrictions else ""))
    values = main[treatment].dropna()
    if values.nunique() < 2:  # every design would fail, or (the resampling ones) return an artefact
        raise EstimationError(f"treatment {treatment!r} does not vary in the coalitions of ccode {focal_lead} "
                              + (f"(every value is {values.iloc[0]})" if len(values) else "(no value at all)")
                              + "; its effect cannot be estimated")
    rhs_controls = "".join(f" + {c}" for c in ctrl)
    base_note = f"controls absent: {', '.join(missing_ctrl)}" if missing_ctrl else ""

    def formula(term: str, extra: Sequence[str] = ()) -> str:
        return f"joined ~ {term}{rhs_controls}" + "".join(f" + {c}" for c in extra)

    ctx = _Context(treatment=treatment, ctrl=ctrl, focal_lead=focal_lead, placebo_years=int(placebo_years),
                   restrictions=restrictions)
    used = main.dropna(subset=["joined", treatment, *ctrl])
    defaults = {"controls": ",".join(ctrl), "sample": ctx.sample(main, [treatment, *ctrl]),
                "n_coalitions": int(used["coalition_id"].nunique()), "n_clusters": int(used["coalition_id"].nunique())}
    with warnings.catch_warnings():
        # every row reports the rows it used (n_obs); the per-fit drop warnings would only repeat that
        warnings.simplefilter("ignore", MissingValueWarning)
        rows, sens, draws = _run_designs(designs, data, main, treatment, ctrl, base_note, formula, focal_lead,
                                         n_permutations, seed, n_jobs, scheduler, say, ctx)
    table = pd.DataFrame([_complete(r, defaults) for r in rows], columns=list(TABLE_COLUMNS))
    return RobustnessResult(table=table, sensitivity=sens, permutation_draws=draws, treatment=treatment)


def _check_column(name: str, columns, *, what: str) -> None:
    """A name must be a plain column of the data: one line naming the closest columns otherwise."""
    try:
        check_formula(f"joined ~ {name}", list(columns) + ["joined"])
    except EstimationError as exc:
        detail = str(exc).split(": ", 1)[-1]
        raise EstimationError(f"{what} {name!r}: {detail}") from None
    if name not in columns:  # a transform such as log(x) is a formula, not a column
        raise EstimationError(f"{what} {name!r} must be a column of the panel, not an expression")


def _start_year(frame: pd.DataFrame) -> pd.Series:
    return frame["year"] if "year" in frame.columns else pd.to_datetime(frame["start_date"]).dt.year


@dataclass
class _Context:
    """What the designs beyond the original battery need to label their rows."""

    treatment: str
    ctrl: list[str]
    focal_lead: int
    placebo_years: int
    restrictions: list[str]

    def who(self, others: bool = False) -> str:
        name = "US" if self.focal_lead == 2 else f"ccode {self.focal_lead}"
        if others:
            return f"led by others than {'the ' if self.focal_lead == 2 else ''}{name}"
        return f"{name}-led" if self.focal_lead == 2 else f"led by {name}"

    def sample(self, frame: pd.DataFrame, cols: Sequence[str], *, others: bool = False,
               extra: Sequence[str] = ()) -> str:
        """``"US-led, 49 coalitions, 1950-2024"`` for the complete cases of ``cols`` in ``frame``."""
        used = frame.dropna(subset=["joined", *[c for c in cols if c in frame.columns]])
        years = _start_year(used)
        span = f"{int(years.min())}-{int(years.max())}" if len(used) else "no rows"
        return ", ".join([self.who(others), f"{used['coalition_id'].nunique()} coalitions", span,
                          *self.restrictions, *extra])


def _run_designs(designs, data, main, treatment, ctrl, base_note, formula, focal_lead, n_permutations, seed,
                 n_jobs, scheduler, say, ctx: _Context) -> tuple[list[dict], dict, np.ndarray | None]:
    rows, sens, draws = [], {}, None
    for design in designs:
        say(design)
        if design == "baseline":
            res = fit_participation(formula(treatment), main, cluster="coalition_id")
            rows.append(_row(design, "logit, clustered by coalition", res, treatment, base_note))
        elif design.startswith("lag_"):
            k = design.split("_")[1]
            col = _lag_name(treatment, k)
            if col not in data.columns:
                rows.append(_missing(design, f"embeddedness {k} years before onset", col, [col]))
                continue
            res = fit_participation(formula(col), main, cluster="coalition_id")
            rows.append(_row(design, f"embeddedness {k} years before onset", res, col,
                             sample=ctx.sample(main, [col, *ctrl])))
        elif design == "non_security":
            col = treatment.replace("embeddedness", "embeddedness_nonsecurity")
            if col not in data.columns:
                rows.append(_missing(design, "non-security ties only", col, [col]))
                continue
            res = fit_participation(formula(col), main, cluster="coalition_id")
            rows.append(_row(design, "non-security ties only", res, col, sample=ctx.sample(main, [col, *ctrl])))
        elif design == "alignment":
            extra = [c for c in ALIGNMENT_CONTROLS if c in data.columns and c not in ctrl]
            absent = [c for c in ALIGNMENT_CONTROLS if c not in data.columns]
            res = fit_participation(formula(treatment, extra), main, cluster="coalition_id")
            rows.append(_row(design, "+ alignment (UN distance, S-score, alliance)", res, treatment,
                             f"absent: {', '.join(absent)}" if absent else "", controls=[*ctrl, *extra],
                             sample=ctx.sample(main, [treatment, *ctrl, *extra])))
        elif design == "past_cooperation":
            res = fit_participation(formula(treatment, ["past_joins_same_lead"]), main, cluster="coalition_id")
            row = _row(design, "+ earlier coalitions joined with the same lead", res, treatment,
                       controls=[*ctrl, "past_joins_same_lead"])
            t = res.tidy().loc["past_joins_same_lead"]
            row["note"] = f"past_joins coef {t['estimate']:.3f} (se {t['std_error']:.3f})"
            rows.append(row)
        elif design == "coalition_fe":
            res = fit_participation(formula(treatment), main, method="clogit", fe="coalition_id", cluster="coalition_id")
            rows.append(_row(design, "conditional logit, coalition fixed effects", res, treatment))
        elif design == "firth":
            res = fit_participation(formula(treatment), main, method="firth", cluster="coalition_id")
            rows.append(_row(design, "Firth bias-reduced logit, clustered by coalition", res, treatment,
                             "SEs: sandwich of the modified score, clustered by coalition; Wald p-value"))
        elif design == "lpm":
            res = fit_participation(formula(treatment), main, method="lpm", cluster="coalition_id")
            rows.append(_row(design, "linear probability model", res, treatment))
            # the sensitivity formulas are identities of the classical OLS t (as in sensemakr), and
            # Oster's short regression runs on the long one's rows: lpm_sensitivity does both
            stats = lpm_sensitivity(formula(treatment), main, treatment=treatment)
            sens = {
                "partial_r2": float(stats["partial_r2"]),
                "robustness_value": float(stats["robustness_value"]),
                "robustness_value_05": float(stats["robustness_value_alpha"]),
                "oster_delta": float(stats["oster_delta"]),
                "oster_delta_approx": float(stats["oster_delta_approx"]),
                "t_classical": float(stats["t_classical"]),
                "r2": float(stats["r2_long"]),
                "r2_short": float(stats["r2_short"]),
                "r_max": float(stats["r_max"]),
            }
            rows[-1]["note"] = (f"classical t {sens['t_classical']:.2f}: partial R2 {sens['partial_r2']:.4f}, "
                                f"RV {sens['robustness_value']:.3f}, RV(0.05) {sens['robustness_value_05']:.3f}; "
                                f"Oster delta* {sens['oster_delta']:.2f} (exact; R_max = 1.3 R2 = {sens['r_max']:.3f})")
        elif design == "permutation":
            perm = permutation_test(formula(treatment), main, treatment=treatment, n_permutations=n_permutations,
                                    seed=seed, n_jobs=n_jobs, scheduler=scheduler)
            draws = perm.draws
            rows.append({"design": design, "description": "Freedman-Lane permutation within coalition",
                         "term": treatment, "estimate": perm.observed, "std_error": np.nan, "p_value": perm.p_value,
                         "ci_low": np.nan, "ci_high": np.nan, "n_obs": perm.n_obs, "n_coalitions": perm.n_groups,
                         "n_clusters": perm.n_groups, "method": "logit",
                         "note": f"{len(draws)} permutations of the treatment's residual net of the controls and the "
                                 f"coalition; permuted coefficients: median {perm.null_median:.3f}, 95% in "
                                 f"[{perm.null_low:.3f}, {perm.null_high:.3f}] (not centred at 0: a within-coalition "
                                 "permutation keeps the between-coalition part of the pooled coefficient)"})
        elif design == "bootstrap":
            boot = cluster_bootstrap(formula(treatment), main, term=treatment, n_boot=n_permutations, seed=seed,
                                     n_jobs=n_jobs, scheduler=scheduler)
            rows.append({"design": design, "description": "pairs cluster bootstrap over coalitions", "term": treatment,
                         "estimate": boot.estimate, "std_error": boot.std_error,
                         "p_value": bootstrap_p_value(boot.draws),
                         "ci_low": boot.ci_low, "ci_high": boot.ci_high, "n_obs": boot.n_obs,
                         "n_coalitions": boot.n_clusters, "n_clusters": boot.n_clusters, "method": "logit",
                         "note": f"{len(boot.draws)} resamples of {boot.n_clusters} coalitions; percentile interval; "
                                 "p = 2 (1 + draws on the far side of 0) / (1 + B)"})
        elif design in ("negative_control", "negative_control_alone"):
            try:
                rows.append(_negative_control(design, data, formula, ctx))
            except EstimationError as exc:  # e.g. focal and own-lead embeddedness coincide: say so, run the others
                rows.append({**_missing(design, design.replace("_", " "), f"{treatment}_focal", []),
                             "note": f"not estimable: {exc}"})
        elif design == "contact":
            present = [c for c in CONTACT_MEASURES if c in data.columns]
            if not present:
                rows.append(_missing(design, "count of ties beside opportunities for contact", treatment,
                                     CONTACT_MEASURES))
                continue
            covered = main.dropna(subset=present)
            res = fit_participation(formula(treatment, present), covered, cluster="coalition_id")
            row = _row(design, "count of ties beside opportunities for contact", res, treatment,
                       controls=[*ctrl, *present], sample=ctx.sample(covered, [treatment, *ctrl]))
            t = res.tidy()
            row["note"] = ("opportunities for contact, not personal ties: "
                           + "; ".join(f"{c} {t.loc[c, 'estimate']:.3f} (p {t.loc[c, 'p_value']:.3f})" for c in present)
                           + f"; sample = coalitions with contact data ({covered['coalition_id'].nunique()})"
                           + ("; visits cover only some senior US defence officials, 1992-2012"
                              if "dod_visits" in present else ""))
            rows.append(row)
        elif design == "leader_ties":
            present = [c for c in LEADER_MEASURES if c in data.columns]
            if len(present) < len(LEADER_MEASURES):
                rows.append(_missing(design, "count of ties beside the leaders' shared time in office", treatment,
                                     [c for c in LEADER_MEASURES if c not in present]))
                continue
            covered = main.dropna(subset=present)
            res = fit_participation(formula(treatment, present), covered, cluster="coalition_id")
            row = _row(design, "count of ties beside the leaders' shared time in office", res, treatment,
                       controls=[*ctrl, *present], sample=ctx.sample(covered, [treatment, *ctrl]))
            t = res.tidy()
            row["note"] = ("person-level opportunity, not a measure of personal ties (no data on meetings between "
                           "leaders): " + "; ".join(f"{c} {t.loc[c, 'estimate']:.3f} (p {t.loc[c, 'p_value']:.3f})"
                                                   for c in present)
                           + "; Archigos 4.1 ends 2015: later coalitions are not in this row")
            rows.append(row)
        elif design in _EXTRA_DESIGNS:
            try:
                rows.append(_EXTRA_DESIGNS[design](main, formula, ctx))
            except EstimationError as exc:  # e.g. separation under state effects: say so, run the others
                rows.append({**_missing(design, design.replace("_", " "), treatment, []),
                             "note": f"not estimable: {exc}"})
    return rows, sens, draws


def _fmt(t: pd.DataFrame, term: str) -> str:
    """``1.234 (se 0.456)`` for a term of a tidy table."""
    return f"{t.loc[term, 'estimate']:.3f} (se {t.loc[term, 'std_error']:.3f})"


def _negative_control(design: str, data: pd.DataFrame, formula, ctx: _Context) -> dict:
    """Coalitions of leads other than the focal one: does embeddedness with the focal lead predict
    joining them? ``negative_control`` holds embeddedness with the coalition's own lead in the same
    model, so the focal term is not a proxy for it; ``negative_control_alone`` is the focal term alone."""
    treatment, ctrl = ctx.treatment, ctx.ctrl
    col = f"{treatment}_focal"
    joint = design == "negative_control"
    desc = ("coalitions of other leads: embeddedness with their own lead and with the focal lead"
            if joint else "coalitions of other leads, on focal-lead embeddedness alone")
    other = data[data["lead_ccode"] != ctx.focal_lead]
    if col not in data.columns or other.empty:
        return _missing(design, desc, col, [col] if col not in data.columns else ["coalitions of other leads"])
    cols = [col, treatment, *ctrl]
    used = other.dropna(subset=["joined", *cols])
    r = float(np.corrcoef(used[col], used[treatment])[0, 1]) if len(used) > 2 else np.nan
    if joint:
        res = fit_participation(formula(col, [treatment]), other, cluster="coalition_id")
        note = (f"own lead's {treatment} {_fmt(res.tidy(), treatment)} in the same model; correlation of "
                f"the two on these rows r = {r:.2f}")
        return _row(design, desc, res, col, note, controls=[*ctrl, treatment],
                    sample=ctx.sample(other, cols, others=True))
    res = fit_participation(formula(col), other, cluster="coalition_id")
    note = (f"{other['coalition_id'].nunique()} coalitions; focal-lead embeddedness also proxies ties with the "
            f"coalition's own lead (r = {r:.2f} on the rows where both exist): see negative_control")
    return _row(design, desc, res, col, note, sample=ctx.sample(other, [col, *ctrl], others=True))


def _state_fe(main: pd.DataFrame, formula, ctx: _Context) -> dict:
    """Logit with a dummy per candidate state: beta from changes in a state's embeddedness over time.

    States whose outcome never varies (never joined, or joined every time) carry no information
    and are dropped; controls that do not vary within any remaining state are absorbed by the
    state effects and left out (both counted in the note).
    """
    treatment, ctrl = ctx.treatment, ctx.ctrl
    used = main.dropna(subset=["joined", "ccode", treatment, *ctrl])
    share = used.groupby("ccode")["joined"].mean()
    varying = share[(share > 0) & (share < 1)].index
    kept = used[used["ccode"].isin(varying)]
    absorbed = [c for c in ctrl if kept.groupby("ccode")[c].nunique().max() <= 1] if len(kept) else []
    keep_ctrl = [c for c in ctrl if c not in absorbed]
    f = f"joined ~ {treatment}" + "".join(f" + {c}" for c in keep_ctrl)
    res = fit_participation(f, main, fe="ccode", cluster="coalition_id")
    note = (f"{len(varying)} state effects; {int((share == 0).sum())} states that never joined and "
            f"{int((share == 1).sum())} that always joined are dropped (no within-state variation; "
            f"{len(used) - len(kept)} rows)")
    if absorbed:
        note += f"; absorbed by the state effects: {', '.join(absorbed)}"
    return _row("state_fe", "logit with state fixed effects, clustered by coalition", res, treatment, note,
                controls=keep_ctrl, sample=ctx.sample(kept, []))


def _first_difference(main: pd.DataFrame, _formula, ctx: _Context) -> dict:
    """OLS of the change in joining on the change in embeddedness (and in the controls) between a
    state's consecutive coalitions with the same lead.

    For state i and lead L, order the coalitions of L in which i was a candidate by start date
    (then id); each pair of consecutive ones (c', c) gives d_joined = joined_ic - joined_ic' in
    {-1, 0, 1} and d_x = x_ic - x_ic'. Differencing removes everything constant about i and its
    relation with L. A linear probability model (a difference of 0/1 outcomes is not 0/1), with an
    intercept and SEs clustered by state and by the later coalition; controls whose difference is
    always 0 drop out.
    """
    import statsmodels.api as sm
    from scipy import stats

    treatment, ctrl = ctx.treatment, ctx.ctrl
    cols = [treatment, *ctrl]
    d = main[["coalition_id", "ccode", "lead_ccode", "start_date", "joined", *cols]].sort_values(
        ["lead_ccode", "ccode", "start_date", "coalition_id"], kind="stable")
    prev = d.groupby(["lead_ccode", "ccode"], sort=False)[["joined", *cols]].shift(1)
    diffs = d[["joined", *cols]].astype(float) - prev.astype(float)
    frame = pd.concat([d, diffs.add_prefix("d_")], axis=1).dropna(subset=[f"d_{c}" for c in ["joined", *cols]])
    term = f"d_{treatment}"
    desc = "LPM of the change in joining on the change in embeddedness, consecutive same-lead coalitions"
    if len(frame) < 3 or frame[term].std() == 0:
        return _missing("first_difference", desc, term, ["states in two or more coalitions with embeddedness"])
    dropped = [c for c in ctrl if frame[f"d_{c}"].std() == 0]
    names = [term] + [f"d_{c}" for c in ctrl if c not in dropped]
    X = sm.add_constant(frame[names].to_numpy(float), has_constant="add")
    groups = np.column_stack([pd.factorize(frame["ccode"])[0], pd.factorize(frame["coalition_id"])[0]])
    y = frame["d_joined"].to_numpy(float)
    fit = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": groups})
    se_note = "SEs clustered by state and by coalition"
    if not fit.cov_params()[1, 1] > 0:  # V_state + V_coalition - V_both need not be positive
        fit = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": groups[:, 0]})
        se_note = "SEs clustered by state (the two-way variance was not positive)"
    se = float(np.sqrt(fit.cov_params()[1, 1]))
    p_value = float(2 * stats.t(fit.df_resid).sf(abs(fit.params[1]) / se)) if fit.use_t else \
        float(2 * stats.norm.sf(abs(fit.params[1]) / se))
    crit = stats.t(fit.df_resid).ppf(0.975) if fit.use_t else stats.norm.ppf(0.975)
    ci = (fit.params[1] - crit * se, fit.params[1] + crit * se)
    levels = fit_participation(f"joined ~ {treatment}" + "".join(f" + {c}" for c in ctrl), frame, method="lpm",
                               cluster=["coalition_id", "ccode"])
    note = (f"{len(frame)} consecutive pairs; change in embeddedness 0 in {float((frame[term] == 0).mean()):.0%} "
            f"of them; {se_note}; levels LPM on the later rows of the same pairs: "
            f"{_fmt(levels.tidy(), treatment)}; probability scale, not comparable to the logit rows")
    if dropped:
        note += f"; no change in {', '.join(dropped)} (left out)"
    return {"design": "first_difference", "description": desc, "term": term, "estimate": float(fit.params[1]),
            "std_error": se, "p_value": p_value, "ci_low": float(ci[0]),
            "ci_high": float(ci[1]), "n_obs": int(fit.nobs), "n_coalitions": int(frame["coalition_id"].nunique()),
            "n_clusters": int(min(frame["ccode"].nunique(), frame["coalition_id"].nunique())),
            "controls": ",".join(f"d_{c}" for c in ctrl if c not in dropped),
            "sample": ctx.sample(frame, [], extra=["pairs of consecutive coalitions"]), "method": "lpm",
            "note": note}


def _timing_placebo(main: pd.DataFrame, formula, ctx: _Context) -> dict:
    """Embeddedness ``k`` years after onset against embeddedness at onset, on the same rows.

    If joining a coalition raises embeddedness later (cooperators keep cooperating), the measure
    taken after onset predicts joining at least as well as the one at onset; if ties before the
    coalition matter, it should not predict better. The test separates the two only as far as
    embeddedness moves between onset and onset + k: the note gives the correlation of the two
    measures on the rows used and both log-likelihoods (equal fits mean the design cannot tell them
    apart). Only coalitions whose onset year + k is no later than the last year the after-onset
    measure has a value for are used, and only rows with both.
    """
    treatment, ctrl, k = ctx.treatment, ctx.ctrl, ctx.placebo_years
    col = _lead_name(treatment, k)
    desc = f"embeddedness {k} years after onset (placebo), beside the one at onset"
    if col not in main.columns or main[col].notna().sum() == 0:
        row = _missing("timing_placebo", desc, col, [col])
        row["note"] += f" (build the panel with participation_data(placebo_years=({k},)))"
        if col in main.columns:
            row["note"] = f"not run: {col} has no values in this sample"
        return row
    year = _start_year(main)
    last = int((year[main[col].notna()] + k).max())
    inside = main[year + k <= last]
    rows = inside.dropna(subset=["joined", treatment, col, *ctrl])
    n_gone = int((inside[treatment].notna() & inside[col].isna()).sum())
    onset = fit_participation(formula(treatment), rows, cluster="coalition_id")
    after = fit_participation(formula(col), rows, cluster="coalition_id")
    both = fit_participation(formula(col, [treatment]), rows, cluster="coalition_id")
    tb = both.tidy()
    r = float(np.corrcoef(rows[treatment].to_numpy(float), rows[col].to_numpy(float))[0, 1])
    note = (f"same {len(rows)} rows: at onset {_fmt(onset.tidy(), treatment)}, at +{k} {_fmt(after.tidy(), col)}; "
            f"both in one model: onset {_fmt(tb, treatment)}, +{k} {_fmt(tb, col)}; log-likelihood onset "
            f"{onset.fit_stats['loglik']:.1f} vs +{k} {after.fit_stats['loglik']:.1f}; correlation of the two "
            f"measures r = {r:.2f}; coalitions with onset + {k} <= {last} (the last year the +{k} measure has "
            "data for)")
    if n_gone:
        note += f"; {n_gone} rows without a +{k} value (a state not a system member then) left out"
    return _row("timing_placebo", desc, after, col, note, sample=ctx.sample(rows, [], extra=[f"onset + {k} <= {last}"]))


def _sociability(main: pd.DataFrame, formula, ctx: _Context) -> dict:
    """The baseline plus the partner's own sociability: its IGO memberships and treaties with anyone."""
    treatment, ctrl = ctx.treatment, ctx.ctrl
    desc = "+ the partner's own IGO and treaty counts (sociability)"
    present = [c for c in SOCIABILITY_CONTROLS if c in main.columns]
    if not present:
        return _missing("sociability", desc, treatment, SOCIABILITY_CONTROLS)
    res = fit_participation(formula(treatment, present), main, cluster="coalition_id")
    t = res.tidy()
    absent = [c for c in SOCIABILITY_CONTROLS if c not in present]
    note = "; ".join(f"{c} {_fmt(t, c)}" for c in present) + (f"; absent: {', '.join(absent)}" if absent else "")
    return _row("sociability", desc, res, treatment, note, controls=[*ctrl, *present],
                sample=ctx.sample(main, [treatment, *ctrl, *present]))


def _twoway_cluster(main: pd.DataFrame, formula, ctx: _Context) -> dict:
    treatment, ctrl = ctx.treatment, ctx.ctrl
    res = fit_participation(formula(treatment), main, cluster=["coalition_id", "ccode"])
    used = main.dropna(subset=["joined", treatment, *ctrl])
    return _row("twoway_cluster", "logit, SEs clustered by coalition and by state", res, treatment,
                f"{used['coalition_id'].nunique()} coalitions x {used['ccode'].nunique()} states (n_clusters = "
                "the smaller); Cameron-Gelbach-Miller two-way sandwich")


def _operation_cluster(main: pd.DataFrame, formula, ctx: _Context) -> dict:
    treatment, ctrl = ctx.treatment, ctx.ctrl
    desc = "logit, SEs clustered by operation"
    if "operation" not in main.columns:
        return _missing("operation_cluster", desc, treatment, ["operation"])
    res = fit_participation(formula(treatment), main, cluster="operation")
    used = main.dropna(subset=["joined", "operation", treatment, *ctrl])
    shared = used.groupby("operation")["coalition_id"].nunique()
    note = (f"{len(shared)} operations for {used['coalition_id'].nunique()} coalitions ({int((shared > 1).sum())} "
            "operations span several)")
    n_none = int(main["operation"].isna().sum())
    if n_none:
        note += f"; {n_none} rows without an operation left out"
    return _row("operation_cluster", desc, res, treatment, note,
                sample=ctx.sample(main, [treatment, "operation", *ctrl]))


#: Designs added to the battery after the first version, each a function of (main sample, formula, context);
#: the negative controls take the whole panel and are dispatched on their own.
_EXTRA_DESIGNS: dict[str, Callable[..., dict]] = {
    "state_fe": _state_fe, "first_difference": _first_difference, "timing_placebo": _timing_placebo,
    "sociability": _sociability, "twoway_cluster": _twoway_cluster, "operation_cluster": _operation_cluster,
}


def _lag_name(treatment: str, k: str, kind: str = "lag") -> str:
    """``embeddedness_log1p`` -> ``embeddedness_lag3_log1p``; ``embeddedness`` -> ``embeddedness_lag3``."""
    head, _, tail = treatment.partition("_")
    return f"{head}_{kind}{k}" + (f"_{tail}" if tail else "")


def _lead_name(treatment: str, k: int) -> str:
    """``embeddedness_log1p`` -> ``embeddedness_lead5_log1p``: the measure ``k`` years after onset."""
    return _lag_name(treatment, str(k), kind="lead")

