"""The robustness battery: the embeddedness effect under the designs that answer the critics.

The critique: cooperation sits on both sides of the regression (ties now, joining now), so the
effect may only say that cooperators keep cooperating; and personal contact, not the count of
ties, may do the work. Each design below changes one thing and reports the treatment's
coefficient, so the table reads as a sequence of tests:

=====================  =====================================================================
design                 what changes
=====================  =====================================================================
baseline               logit, controls, SEs clustered by coalition
lag_1, lag_3, lag_5    embeddedness measured 1/3/5 years before onset
non_security           only non-security ties (no alliances, defence agreements, security IGOs)
alignment              + UN ideal-point distance, alliance-portfolio S-score, alliance
past_cooperation       + number of earlier coalitions the state joined with the same lead
coalition_fe           conditional logit (coalition fixed effects)
firth                  Firth's bias-reduced logit (penalised LR p-value)
lpm                    linear probability model, with Cinelli-Hazlett and Oster sensitivity
permutation            treatment shuffled within coalition (randomisation p-value)
bootstrap              pairs cluster bootstrap over coalitions (percentile interval)
negative_control       joining coalitions led by *other* states, on embeddedness with the focal lead
contact                count of ties beside personal-contact measures (visits, joint exercises)
=====================  =====================================================================
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from coalitionlab.errors import EstimationError, MissingValueWarning
from coalitionlab.models.formula import FORMULA_CONTEXT, check_formula
from coalitionlab.models.participation import fit_participation
from coalitionlab.models.sensitivity import oster_delta, partial_r2, robustness_value

DESIGNS: tuple[str, ...] = (
    "baseline", "lag_1", "lag_3", "lag_5", "non_security", "alignment", "past_cooperation",
    "coalition_fe", "firth", "lpm", "permutation", "bootstrap", "negative_control", "contact",
)
ALIGNMENT_CONTROLS = ("un_ideal_distance", "s_score", "atop_any")
CONTACT_MEASURES = ("dod_visits", "joint_exercises")


@dataclass(frozen=True)
class PermutationResult:
    """The observed coefficient, its randomisation p-value, the permuted draws and the rows used."""

    observed: float
    p_value: float
    draws: np.ndarray
    n_obs: int


@dataclass
class RobustnessResult:
    """One row per design (``table``) plus the sensitivity statistics and permutation draws."""

    table: pd.DataFrame
    sensitivity: dict[str, float] = field(default_factory=dict)
    permutation_draws: np.ndarray | None = None
    treatment: str = "embeddedness_log1p"

    def __repr__(self) -> str:
        return f"RobustnessResult({len(self.table)} designs, treatment={self.treatment!r})"


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


def _row(design: str, description: str, res, term: str, note: str = "") -> dict:
    t = res.tidy()
    r = t.loc[term]
    return {"design": design, "description": description, "term": term, "estimate": r["estimate"],
            "std_error": r["std_error"], "p_value": r["p_value"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
            "n_obs": res.fit_stats["n_obs"], "method": res.method, "note": note}


def _missing(design: str, description: str, term: str, cols: Sequence[str]) -> dict:
    return {"design": design, "description": description, "term": term, "estimate": np.nan, "std_error": np.nan,
            "p_value": np.nan, "ci_low": np.nan, "ci_high": np.nan, "n_obs": 0, "method": "",
            "note": f"not run: panel lacks {', '.join(cols)}"}


def _fast_logit_coef(X: np.ndarray, y: np.ndarray, j: int, iters: int = 25) -> float:
    """Coefficient j of an ML logit by Newton's method (no SEs): the permutation inner loop."""
    beta = np.zeros(X.shape[1])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-(X @ beta)))
        w = p * (1 - p)
        step = np.linalg.solve(X.T @ (X * w[:, None]) + 1e-10 * np.eye(X.shape[1]), X.T @ (y - p))
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    return float(beta[j])


def _permutation_chunk(args: tuple) -> np.ndarray:
    X, y, j, group_index, seed_seq, n = args
    rng = np.random.default_rng(seed_seq)
    out = np.empty(n)
    for b in range(n):
        Xb = X.copy()
        for idx in group_index:  # shuffle the treatment within each coalition
            Xb[idx, j] = Xb[rng.permutation(idx), j]
        out[b] = _fast_logit_coef(Xb, y, j)
    return out


def _chunk_plan(n: int, chunk_size: int, seed: int | np.random.SeedSequence | None) -> list[tuple[np.random.SeedSequence, int]]:
    """Fixed chunks with one child seed each: the draws do not depend on how the chunks are run."""
    if isinstance(n, bool) or int(n) != n or n < 1:  # a negative n gave one chunk of n % chunk_size draws
        raise EstimationError(f"the number of permutations or bootstrap draws must be a positive whole number, "
                              f"got {n!r}")
    sizes = [chunk_size] * (n // chunk_size) + ([n % chunk_size] if n % chunk_size else [])
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return list(zip(root.spawn(len(sizes)), sizes))


def _run_chunks(fn: Callable, tasks: list[tuple], *, n_jobs: int, scheduler: str | None) -> np.ndarray:
    """Run ``fn`` over ``tasks`` serially, on local processes, or on a Dask cluster; concatenate in order."""
    if scheduler:
        from dask.distributed import Client

        with Client(scheduler) as client:
            chunks = client.gather(client.map(fn, tasks, pure=False))
    elif n_jobs and n_jobs > 1:
        with ProcessPoolExecutor(max_workers=n_jobs) as pool:
            chunks = list(pool.map(fn, tasks))
    else:
        chunks = [fn(t) for t in tasks]
    return np.concatenate(chunks) if chunks else np.empty(0)


def _bootstrap_chunk(args: tuple) -> np.ndarray:
    X, y, j, group_index, seed_seq, n = args
    rng = np.random.default_rng(seed_seq)
    out = np.empty(n)
    for b in range(n):
        picks = rng.integers(0, len(group_index), len(group_index))  # resample whole clusters
        rows = np.concatenate([group_index[g] for g in picks])
        out[b] = _fast_logit_coef(X[rows], y[rows], j)
    return out


@dataclass(frozen=True)
class BootstrapResult:
    """Cluster-bootstrap distribution of one logit coefficient."""

    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    draws: np.ndarray
    n_clusters: int
    n_obs: int


def cluster_bootstrap(
    formula: str,
    data: pd.DataFrame,
    *,
    term: str,
    cluster: str = "coalition_id",
    n_boot: int = 500,
    seed: int | np.random.SeedSequence | None = 0,
    n_jobs: int = 1,
    scheduler: str | None = None,
    chunk_size: int = 50,
    level: float = 0.95,
) -> BootstrapResult:
    """Pairs cluster bootstrap of a logit coefficient: resample whole clusters with replacement.

    Same chunking and seeding as :func:`permutation_test`, so serial, process and Dask runs give the
    same draws. The interval is the percentile interval at ``level``. Rows without a ``cluster``
    value are dropped with a :class:`~coalitionlab.errors.MissingValueWarning`.

    References
    ----------
    Cameron, A. C., Gelbach, J. B. and Miller, D. L. (2008). Bootstrap-based improvements for
    inference with clustered errors. *Review of Economics and Statistics* 90(3), 414-427.
    """
    X, y, j, group_index = _design(formula, data, term, cluster, option="cluster",
                                   missing=f"term {term!r} is not in {formula!r}")
    if len(group_index) < 2:
        raise EstimationError(f"cannot bootstrap over fewer than two {cluster} clusters")
    tasks = [(X, y, j, group_index, s, n) for s, n in _chunk_plan(n_boot, chunk_size, seed)]
    draws = _run_chunks(_bootstrap_chunk, tasks, n_jobs=n_jobs, scheduler=scheduler)
    alpha = (1 - level) / 2
    return BootstrapResult(estimate=_fast_logit_coef(X, y, j), std_error=float(np.std(draws, ddof=1)),
                           ci_low=float(np.quantile(draws, alpha)), ci_high=float(np.quantile(draws, 1 - alpha)),
                           draws=draws, n_clusters=len(group_index), n_obs=len(y))


def permutation_test(
    formula: str,
    data: pd.DataFrame,
    *,
    treatment: str,
    within: str = "coalition_id",
    n_permutations: int = 1000,
    seed: int | np.random.SeedSequence | None = 0,
    n_jobs: int = 1,
    scheduler: str | None = None,
    chunk_size: int = 50,
) -> PermutationResult:
    """Randomisation test of a logit coefficient, the treatment shuffled within ``within`` groups.

    Returns a :class:`PermutationResult`; p = (1 + #|draw| >= |observed|) / (1 + B). Work is cut
    into fixed chunks, each with its own child seed (``SeedSequence.spawn``), so the draws are the
    same whether they run serially, on ``n_jobs`` local processes, or on a Dask cluster
    (``scheduler="tcp://..."``). Rows without a ``within`` value are dropped with a
    :class:`~coalitionlab.errors.MissingValueWarning`.
    """
    X, y, j, group_index = _design(formula, data, treatment, within, option="within",
                                   missing=f"treatment {treatment!r} is not a term of {formula!r}")
    observed = _fast_logit_coef(X, y, j)
    tasks = [(X, y, j, group_index, s, n) for s, n in _chunk_plan(n_permutations, chunk_size, seed)]
    draws = _run_chunks(_permutation_chunk, tasks, n_jobs=n_jobs, scheduler=scheduler)
    p_value = (1 + np.sum(np.abs(draws) >= abs(observed))) / (1 + len(draws))
    return PermutationResult(observed, float(p_value), draws, len(y))


def robustness(
    panel: pd.DataFrame,
    *,
    treatment: str = "embeddedness_log1p",
    controls: Sequence[str] = ("atop_defense", "distance_log", "cinc", "democracy", "un_ideal_distance"),
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
        the non-security variant, the controls, alignment and contact measures, and
        ``<treatment>_focal`` (embeddedness with ``focal_lead``) for the negative control.
        A design whose columns are absent is reported as not run, with the columns it lacked.
    treatment, controls
        Column names.
    focal_lead
        COW code of the lead whose coalitions form the main sample (the negative control uses
        coalitions of every other lead).
    designs
        Subset of :data:`DESIGNS`; default all.
    n_permutations, seed, n_jobs, scheduler
        The permutation test (same seed, same draws locally or on Dask).

    Returns
    -------
    RobustnessResult
    """
    designs = list(designs or DESIGNS)
    unknown = [d for d in designs if d not in DESIGNS]
    if unknown:
        from coalitionlab._validation import check_option

        check_option(unknown[0], DESIGNS, name="design")
    say = progress or (lambda _d: None)
    check_formula(f"joined ~ {treatment}", panel.columns)  # a column (or transform), never code
    data = add_past_cooperation(panel) if "past_joins_same_lead" not in panel.columns else panel
    main = data[data["lead_ccode"] == focal_lead]
    if main.empty:
        raise EstimationError(f"no coalitions led by ccode {focal_lead} in the panel")
    ctrl = [c for c in controls if c in data.columns]
    missing_ctrl = [c for c in controls if c not in data.columns]
    rhs_controls = "".join(f" + {c}" for c in ctrl)
    base_note = f"controls absent: {', '.join(missing_ctrl)}" if missing_ctrl else ""

    def formula(term: str, extra: Sequence[str] = ()) -> str:
        return f"joined ~ {term}{rhs_controls}" + "".join(f" + {c}" for c in extra)

    with warnings.catch_warnings():
        # every row reports the rows it used (n_obs); the per-fit drop warnings would only repeat that
        warnings.simplefilter("ignore", MissingValueWarning)
        rows, sens, draws = _run_designs(designs, data, main, treatment, ctrl, base_note, formula, focal_lead,
                                         n_permutations, seed, n_jobs, scheduler, say)
    table = pd.DataFrame(rows)
    return RobustnessResult(table=table, sensitivity=sens, permutation_draws=draws, treatment=treatment)


def _run_designs(designs, data, main, treatment, ctrl, base_note, formula, focal_lead, n_permutations, seed,
                 n_jobs, scheduler, say) -> tuple[list[dict], dict, np.ndarray | None]:
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
            rows.append(_row(design, f"embeddedness {k} years before onset", res, col))
        elif design == "non_security":
            col = treatment.replace("embeddedness", "embeddedness_nonsecurity")
            if col not in data.columns:
                rows.append(_missing(design, "non-security ties only", col, [col]))
                continue
            res = fit_participation(formula(col), main, cluster="coalition_id")
            rows.append(_row(design, "non-security ties only", res, col))
        elif design == "alignment":
            extra = [c for c in ALIGNMENT_CONTROLS if c in data.columns and c not in ctrl]
            absent = [c for c in ALIGNMENT_CONTROLS if c not in data.columns]
            res = fit_participation(formula(treatment, extra), main, cluster="coalition_id")
            rows.append(_row(design, "+ alignment (UN distance, S-score, alliance)", res, treatment,
                             f"absent: {', '.join(absent)}" if absent else ""))
        elif design == "past_cooperation":
            res = fit_participation(formula(treatment, ["past_joins_same_lead"]), main, cluster="coalition_id")
            row = _row(design, "+ earlier coalitions joined with the same lead", res, treatment)
            t = res.tidy().loc["past_joins_same_lead"]
            row["note"] = f"past_joins coef {t['estimate']:.3f} (se {t['std_error']:.3f})"
            rows.append(row)
        elif design == "coalition_fe":
            res = fit_participation(formula(treatment), main, method="clogit", fe="coalition_id", cluster="coalition_id")
            rows.append(_row(design, "conditional logit, coalition fixed effects", res, treatment))
        elif design == "firth":
            res = fit_participation(formula(treatment), main, method="firth")
            rows.append(_row(design, "Firth bias-reduced logit", res, treatment, "penalised LR p-value"))
        elif design == "lpm":
            res = fit_participation(formula(treatment), main, method="lpm", cluster="coalition_id")
            rows.append(_row(design, "linear probability model", res, treatment))
            classical = fit_participation(formula(treatment), main, method="lpm")
            # Oster's delta contrasts the two regressions on one sample: the long regression's rows
            sample = main.dropna(subset=["joined", treatment, *ctrl])
            short = fit_participation(f"joined ~ {treatment}", sample, method="lpm")
            tstat = float(classical.tidy().loc[treatment, "statistic"])
            dof = int(classical.fit_stats["df_resid"])
            sens = {
                "partial_r2": partial_r2(tstat, dof),
                "robustness_value": robustness_value(tstat, dof),
                "robustness_value_05": robustness_value(tstat, dof, alpha=0.05),
                "oster_delta": oster_delta(float(short.params[treatment]), short.fit_stats["r2"],
                                           float(classical.params[treatment]), classical.fit_stats["r2"]),
                "r2": classical.fit_stats["r2"],
                "r_max": min(1.0, 1.3 * classical.fit_stats["r2"]),
            }
            rows[-1]["note"] = (f"partial R2 {sens['partial_r2']:.4f}, RV {sens['robustness_value']:.3f}, "
                                f"RV(0.05) {sens['robustness_value_05']:.3f}, Oster delta {sens['oster_delta']:.2f} "
                                f"(R_max = 1.3 R2)")
        elif design == "permutation":
            perm = permutation_test(formula(treatment), main, treatment=treatment, n_permutations=n_permutations,
                                    seed=seed, n_jobs=n_jobs, scheduler=scheduler)
            draws = perm.draws
            rows.append({"design": design, "description": "treatment shuffled within coalition", "term": treatment,
                         "estimate": perm.observed, "std_error": float(np.std(draws)), "p_value": perm.p_value,
                         "ci_low": np.nan, "ci_high": np.nan, "n_obs": perm.n_obs, "method": "logit",
                         "note": f"{len(draws)} permutations; 95% of permuted coefficients in "
                                 f"[{np.quantile(draws, 0.025):.3f}, {np.quantile(draws, 0.975):.3f}]; "
                                 "std_error = sd of the permuted coefficients"})
        elif design == "bootstrap":
            boot = cluster_bootstrap(formula(treatment), main, term=treatment, n_boot=n_permutations, seed=seed,
                                     n_jobs=n_jobs, scheduler=scheduler)
            rows.append({"design": design, "description": "pairs cluster bootstrap over coalitions", "term": treatment,
                         "estimate": boot.estimate, "std_error": boot.std_error,
                         "p_value": _bootstrap_p(boot.draws),
                         "ci_low": boot.ci_low, "ci_high": boot.ci_high, "n_obs": boot.n_obs, "method": "logit",
                         "note": f"{len(boot.draws)} resamples of {boot.n_clusters} coalitions; percentile interval; "
                                 "p = 2 (1 + draws on the far side of 0) / (1 + B)"})
        elif design == "negative_control":
            col = f"{treatment}_focal"
            other = data[data["lead_ccode"] != focal_lead]
            if col not in data.columns or other.empty:
                rows.append(_missing(design, "coalitions of other leads, on focal-lead embeddedness", col,
                                     [col] if col not in data.columns else ["coalitions of other leads"]))
                continue
            res = fit_participation(formula(col), other, cluster="coalition_id")
            rows.append(_row(design, "coalitions of other leads, on focal-lead embeddedness", res, col,
                             f"{other['coalition_id'].nunique()} coalitions"))
        elif design == "contact":
            present = [c for c in CONTACT_MEASURES if c in data.columns]
            if not present:
                rows.append(_missing(design, "count of ties beside personal contact", treatment, CONTACT_MEASURES))
                continue
            covered = main.dropna(subset=present)
            res = fit_participation(formula(treatment, present), covered, cluster="coalition_id")
            row = _row(design, "count of ties beside personal contact", res, treatment)
            t = res.tidy()
            row["note"] = "; ".join(f"{c} {t.loc[c, 'estimate']:.3f} (p {t.loc[c, 'p_value']:.3f})" for c in present) + \
                f"; sample = coalitions with contact data ({covered['coalition_id'].nunique()})" + \
                ("; visits cover only some senior US defence officials, 1992-2012" if "dod_visits" in present else "")
            rows.append(row)
    return rows, sens, draws


def _design(formula: str, data: pd.DataFrame, term: str, group_col: str, *, option: str,
            missing: str) -> tuple[np.ndarray, np.ndarray, int, list[np.ndarray]]:
    """Complete-case design, outcome, the term's column index and the row positions of each group."""
    from formulaic import model_matrix

    check_formula(formula, data.columns)  # before formulaic evaluates any of it
    if group_col not in data.columns:
        raise EstimationError(f"{option}={group_col!r} is not a column of the data")
    no_group = data[group_col].isna().to_numpy()
    if no_group.any():
        warnings.warn(f"{int(no_group.sum())} rows dropped: no {option}={group_col!r} value to shuffle or resample "
                      "them by", MissingValueWarning, stacklevel=3)
        data = data.loc[~no_group]
    data = data.reset_index(drop=True)  # rows matched by position: repeated index labels must not matter
    mm = model_matrix(formula, data, na_action="drop", context=FORMULA_CONTEXT)
    names = list(mm.rhs.columns)
    if term not in names:
        raise EstimationError(missing)
    groups = data.loc[mm.rhs.index, group_col].to_numpy()
    group_index = [np.flatnonzero(groups == g) for g in pd.unique(groups)]
    return (np.asarray(mm.rhs, dtype=float), mm.lhs.iloc[:, 0].to_numpy(dtype=float), names.index(term),
            group_index)


def _bootstrap_p(draws: np.ndarray) -> float:
    """Two-sided bootstrap p-value for 0, never exactly 0: 2 (1 + #draws beyond 0) / (1 + B), capped at 1."""
    beyond = min(int((draws <= 0).sum()), int((draws >= 0).sum()))
    return float(min(1.0, 2 * (1 + beyond) / (1 + len(draws))))


def _lag_name(treatment: str, k: str) -> str:
    """``embeddedness_log1p`` -> ``embeddedness_lag3_log1p``; ``embeddedness`` -> ``embeddedness_lag3``."""
    head, _, tail = treatment.partition("_")
    return f"{head}_lag{k}" + (f"_{tail}" if tail else "")

