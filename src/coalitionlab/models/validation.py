"""Out-of-sample checks: leave-one-coalition-out and temporal splits, with AUC, Brier and calibration.

:class:`ParticipationClassifier` wraps :func:`fit_participation` in scikit-learn's estimator
API (parameters in ``__init__``, ``fit`` returns ``self``, learned attributes end in ``_``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from coalitionlab._validation import check_option, parse_date
from coalitionlab.errors import CoverageError, EstimationError, MissingValueWarning, PanelTypeError
from coalitionlab.models.formula import check_formula
from coalitionlab.models.participation import ParticipationResult, fit_participation


class ParticipationClassifier:
    """A participation model as a scikit-learn-style estimator over DataFrames.

    Parameters
    ----------
    formula
        ``"joined ~ embeddedness_log1p + cinc"``.
    method
        ``logit``, ``probit``, ``firth`` or ``lpm`` (``clogit`` cannot predict probabilities).
    """

    def __init__(self, *, formula: str = "joined ~ embeddedness_log1p", method: str = "logit") -> None:
        self.formula = formula
        self.method = method

    def fit(self, data: pd.DataFrame, y: None = None) -> "ParticipationClassifier":
        check_option(self.method, ["logit", "probit", "firth", "lpm"], name="method")
        self.result_: ParticipationResult = fit_participation(self.formula, data, method=self.method)
        return self

    def predict_proba(self, data: pd.DataFrame) -> np.ndarray:
        """Probabilities of joining (one column: P(joined = 1))."""
        if not hasattr(self, "result_"):
            raise EstimationError("this ParticipationClassifier is not fitted yet; call fit() first")
        return self.result_.predict(data)


def labels_as_of(panel: pd.DataFrame, cutoff: str | pd.Timestamp) -> pd.DataFrame:
    """The panel with ``joined`` as it stood on ``cutoff``: no look-ahead in the training labels.

    A coalition's row keeps ``joined = 1`` only if the state's ``join_date`` is on or before
    ``cutoff``; a state that joined later (e.g. Oman and Kenya in CTF-150, started 2002, joined 2024)
    is a non-joiner as of the cut-off. A missing ``join_date`` is the coalition's ``start_date``
    (the coalition dataset fills it so; a panel without a ``join_date`` column has every join
    dated at its coalition's start, and nothing is relabelled).

    Parameters
    ----------
    panel
        Coalition x candidate rows with ``coalition_id, ccode, start_date, joined`` and, normally,
        ``join_date`` (:func:`~coalitionlab.coalitions.coalition_panel` and
        :func:`~coalitionlab.models.data.participation_data` have it).
    cutoff
        The last day whose joins count (``"2013-12-31"``).

    Returns
    -------
    pandas.DataFrame
        A copy with ``joined`` relabelled; ``attrs`` adds ``labels_as_of`` (the cut-off, ISO),
        ``late_joins_relabelled`` (how many rows went from 1 to 0) and ``late_joins`` (their
        ``(coalition_id, ccode)`` pairs).

    Raises
    ------
    CoverageError
        A coalition in ``panel`` started after ``cutoff`` (its labels cannot be known then: leave
        it out of the training sample first), or the cut-off is not a readable date.
    PanelTypeError
        ``panel`` lacks ``coalition_id``, ``ccode``, ``start_date`` or ``joined``.
    """
    cut = parse_date(cutoff)
    missing = [c for c in ("coalition_id", "ccode", "start_date", "joined") if c not in panel.columns]
    if missing:
        raise PanelTypeError(f"labels_as_of(): the panel lacks column(s) {', '.join(missing)}")
    start = pd.to_datetime(panel["start_date"])
    later = (start > cut).to_numpy()
    if later.any():
        first = panel.loc[later].iloc[0]
        raise CoverageError(f"labels_as_of({cut:%Y-%m-%d}): coalition {first['coalition_id']!r} started "
                            f"{pd.Timestamp(first['start_date']):%Y-%m-%d}, after the cut-off; "
                            "keep only coalitions started by then")
    joined_on = (pd.to_datetime(panel["join_date"]).fillna(start) if "join_date" in panel.columns else start)
    late = ((panel["joined"] == 1) & (joined_on > cut)).to_numpy()
    out = panel.copy()
    out.loc[late, "joined"] = 0
    out.attrs = {**panel.attrs, "labels_as_of": f"{cut:%Y-%m-%d}", "late_joins_relabelled": int(late.sum()),
                 "late_joins": [(str(c), int(k)) for c, k in zip(panel.loc[late, "coalition_id"],
                                                                  panel.loc[late, "ccode"])]}
    return out


@dataclass
class CVResult:
    """Pooled out-of-sample metrics, per-fold metrics, the calibration table and the predictions."""

    scheme: str
    auc: float
    brier: float
    folds: pd.DataFrame
    calibration: pd.DataFrame
    predictions: pd.DataFrame
    late_joins_relabelled: int = 0
    dropped_terms: list[str] = field(default_factory=list)

    def summary(self) -> pd.Series:
        return pd.Series({"scheme": self.scheme, "auc": self.auc, "brier": self.brier,
                          "n_folds": len(self.folds), "n_predictions": len(self.predictions),
                          "late_joins_relabelled": self.late_joins_relabelled,
                          "dropped_terms": ",".join(self.dropped_terms)})


def calibration_table(y: np.ndarray, p: np.ndarray, *, bins: int = 10) -> pd.DataFrame:
    """Observed share joining against mean predicted probability, by quantile bin of the prediction."""
    frame = pd.DataFrame({"y": y, "p": p})
    frame["bin"] = pd.qcut(frame["p"].rank(method="first"), q=min(bins, len(frame)), labels=False)
    return (frame.groupby("bin").agg(n=("y", "size"), mean_predicted=("p", "mean"), observed=("y", "mean"))
            .reset_index(drop=True))


def cross_validate(
    panel: pd.DataFrame,
    *,
    formula: str = "joined ~ embeddedness_log1p",
    method: str = "logit",
    scheme: str = "leave_one_coalition_out",
    split_year: int | None = None,
    drop_constant: bool = False,
    progress: Callable[[int, int], None] | None = None,
    shared_design: bool = True,
) -> CVResult:
    """Out-of-sample performance of a participation model.

    Parameters
    ----------
    scheme
        ``leave_one_coalition_out``: fit on all coalitions but one, predict its candidates, for
        each coalition. ``temporal``: fit on coalitions that started before ``split_year``,
        with their labels as of the last day before ``split_year`` (:func:`labels_as_of`: a
        state that joined one of them later counts as a non-joiner), and predict those that
        started in or after it (with every join they eventually had).
    split_year
        First start year of the test set; required for ``temporal``, an error for the other scheme.
    drop_constant
        Leave out of each fold's model the column terms that do not vary in that fold's training
        rows (the rows with every column the formula uses;
        :func:`~coalitionlab.models.features.drop_constant_terms`): judged on the training sample
        only, never on the held-out coalitions. The per-fold table's ``dropped_terms`` and the
        result's ``dropped_terms`` (those left out of any fold) list them.
    shared_design
        For a logit whose terms are plain numeric columns (the forecast and default formulas), build
        the design matrix once and fit each fold by Newton steps warm-started at the previous fold's
        estimate (the same maximum-likelihood estimates as :func:`fit_participation`, tested to 1e-7;
        a fold that does not converge, e.g. under separation, is refitted by :func:`fit_participation`,
        which explains the problem). ``False``: every fold through :func:`fit_participation`.

    Returns
    -------
    CVResult
        Pooled AUC and Brier score over all out-of-sample predictions, per-fold figures (AUC is
        NaN for a fold where nobody or everybody joined), a decile calibration table and, for
        ``temporal``, the number of training rows relabelled as late joins
        (``late_joins_relabelled``; 0 for leave-one-coalition-out).
    """
    from coalitionlab.models.features import drop_constant_terms

    check_option(scheme, ["leave_one_coalition_out", "temporal"], name="scheme")
    if panel.empty:
        raise EstimationError("cross_validate(): the panel has no rows (no coalition to hold out)")
    check_formula(formula, panel.columns)  # before any fold: columns and transforms only, never code
    year = pd.to_datetime(panel["start_date"]).dt.year
    if scheme != "temporal" and split_year is not None:
        raise EstimationError(f"split_year applies only to scheme='temporal', not {scheme!r}")
    if scheme == "temporal":
        if split_year is None:
            raise EstimationError("scheme='temporal' needs split_year")
        splits = [("before", year < split_year, year >= split_year)]
        if not splits[0][1].any() or not splits[0][2].any():
            raise EstimationError(f"split_year {split_year} leaves an empty training or test set "
                                  f"(coalitions start {year.min()}-{year.max()})")
        # no look-ahead: the training coalitions' labels as of the last day before split_year
        labelled = labels_as_of(panel[splits[0][1]], f"{int(split_year) - 1}-12-31")
        late = int(labelled.attrs["late_joins_relabelled"])
    else:
        ids = panel["coalition_id"].unique()
        splits = [(cid, panel["coalition_id"] != cid, panel["coalition_id"] == cid) for cid in ids]
        labelled, late = None, 0
    preds, folds, dropped_any = [], [], []
    used_cols = [c for c in _formula_columns(formula) if c in panel.columns]
    fast_terms = _plain_terms(formula, panel) if shared_design and method == "logit" else None
    shared = _SharedDesign(panel, fast_terms) if fast_terms is not None and labelled is None else None
    for i, (label, train, test) in enumerate(splits):
        if progress:
            progress(i, len(splits))
        if shared is not None:  # one design for every fold: numpy masks, no frame copies
            p, dropped = shared.fold(train.to_numpy(), test.to_numpy(), drop_constant)
            if p is not None:
                dropped_any.extend(dropped)
                ids = panel.loc[test, ["coalition_id", "ccode", "joined"]]
                _collect(preds, folds, label, ids, ids["joined"].to_numpy(), p, ~np.isnan(p), dropped)
                continue
        train_rows = labelled if labelled is not None else panel[train]
        fold_formula, dropped = formula, []
        if drop_constant:  # on the training rows the fit will use, never on the held-out ones
            fold_formula, dropped = drop_constant_terms(formula, train_rows.dropna(subset=["joined", *used_cols]))
            dropped_any.extend(dropped)
        test_rows = panel[test]
        with warnings.catch_warnings():  # rows with missing inputs are left out of every fold alike
            warnings.simplefilter("ignore", MissingValueWarning)
            model = ParticipationClassifier(formula=fold_formula, method=method).fit(train_rows)
        p = model.predict_proba(test_rows)
        _collect(preds, folds, label, test_rows, test_rows["joined"].to_numpy(), p, ~np.isnan(p), dropped)
    allp = pd.concat(preds, ignore_index=True)
    from sklearn.metrics import brier_score_loss, roc_auc_score

    return CVResult(scheme=scheme, auc=float(roc_auc_score(allp["joined"], allp["p_join"])),
                    brier=float(brier_score_loss(allp["joined"], allp["p_join"])), folds=pd.DataFrame(folds),
                    calibration=calibration_table(allp["joined"].to_numpy(), allp["p_join"].to_numpy()),
                    predictions=allp, late_joins_relabelled=late, dropped_terms=list(dict.fromkeys(dropped_any)))


def _plain_terms(formula: str, panel: pd.DataFrame) -> list[str] | None:
    """The right-hand terms of ``joined ~ a + b ...`` when each is a numeric column (no transform whose
    state is learned from the data, no factor, an intercept); else None."""
    lhs, _, rhs = formula.partition("~")
    terms = [t.strip() for t in rhs.split("+")]
    if lhs.strip() != "joined" or not terms or len(set(terms)) != len(terms):
        return None
    if any(not t.isidentifier() or t not in panel.columns or not pd.api.types.is_numeric_dtype(panel[t])
           or pd.api.types.is_bool_dtype(panel[t]) for t in terms):
        return None
    return terms


def _collect(preds: list, folds: list, label: object, ids: pd.DataFrame, y_all: np.ndarray, p: np.ndarray,
             keep: np.ndarray, dropped: list[str]) -> None:
    """Add one fold's out-of-sample predictions and its row of figures."""
    y = y_all[keep]
    preds.append(pd.DataFrame({"fold": label, "coalition_id": ids["coalition_id"].to_numpy()[keep],
                               "ccode": ids["ccode"].to_numpy()[keep], "joined": y, "p_join": p[keep]}))
    folds.append({"fold": label, "n": int(keep.sum()), "n_joined": int(y.sum()),
                  "auc": _auc(y, p[keep]) if 0 < y.sum() < len(y) else np.nan,
                  "brier": float(np.mean((p[keep] - y) ** 2)) if len(y) else np.nan,
                  "dropped_terms": ",".join(dropped)})


def _auc(y: np.ndarray, p: np.ndarray) -> float:
    """Area under the ROC curve as the Mann-Whitney statistic (ties count one half), as scikit-learn's."""
    from scipy.stats import rankdata

    ranks = rankdata(p)
    pos = y == 1
    n1, n0 = int(pos.sum()), int((~pos).sum())
    return float((ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


class _SharedDesign:
    """The logit design (intercept and plain numeric columns) of the whole panel, built once, and each
    leave-one-coalition-out fold's fit on it by Newton-Raphson, warm-started at the previous fold's estimate."""

    def __init__(self, panel: pd.DataFrame, terms: list[str]) -> None:
        self.terms = terms
        values = panel[terms].to_numpy(dtype=float, na_value=np.nan)
        self.X = np.column_stack([np.ones(len(panel)), values])
        self.missing = np.isnan(self.X)
        self.y = panel["joined"].to_numpy(dtype=float, na_value=np.nan)
        self.complete = ~self.missing.any(axis=1) & ~np.isnan(self.y)
        self.start = np.zeros(self.X.shape[1])

    def fold(self, train: np.ndarray, test: np.ndarray, drop_constant: bool) -> tuple[np.ndarray | None, list[str]]:
        """Out-of-sample probabilities for ``test`` (NaN where an input is missing) and the dropped terms;
        None when the fit does not converge (the caller refits through fit_participation)."""
        dropped: list[str] = []
        if drop_constant:  # judged on the training rows with every input known, as drop_constant_terms
            rows = self.X[train & self.complete]
            dropped = [t for j, t in enumerate(self.terms, start=1) if len(rows) == 0 or np.all(rows[:, j] == rows[0, j])]
        keep = [0] + [j for j, t in enumerate(self.terms, start=1) if t not in dropped]
        usable = ~self.missing[:, keep].any(axis=1)
        fit_rows = train & usable & ~np.isnan(self.y)
        beta = _newton_logit(self.X[np.ix_(fit_rows, keep)], self.y[fit_rows], self.start[keep])
        if beta is None:
            return None, dropped
        self.start[keep] = beta
        p = np.full(int(test.sum()), np.nan)
        known = usable[test]
        p[known] = 1.0 / (1.0 + np.exp(-(self.X[np.ix_(test, keep)][known] @ beta)))
        return p, dropped


def _newton_logit(X: np.ndarray, y: np.ndarray, start: np.ndarray, *, max_iter: int = 50,
                  tol: float = 1e-10) -> np.ndarray | None:
    """Logit maximum-likelihood estimate by Newton-Raphson from ``start``; None when it does not converge
    (separation, a singular or ill-conditioned design), so that the caller refits and explains."""
    if len(y) == 0 or y.min() == y.max():
        return None
    beta = start.astype(float).copy()
    for _ in range(max_iter):
        mu = 1.0 / (1.0 + np.exp(-np.clip(X @ beta, -700, 700)))
        hess = (X * (mu * (1.0 - mu))[:, None]).T @ X
        if not np.all(np.isfinite(hess)) or np.linalg.cond(hess) > 1e12:
            return None
        step = np.linalg.solve(hess, X.T @ (y - mu))
        beta = beta + step
        if np.max(np.abs(step)) < tol * (1.0 + np.max(np.abs(beta))):
            return beta
    return None


def _formula_columns(formula: str) -> list[str]:
    """The data columns a formula uses (outcome and right-hand side), without evaluating it."""
    from formulaic import Formula

    parsed = Formula(formula)
    return list(dict.fromkeys([*parsed.lhs.required_variables, *parsed.rhs.required_variables]))


HALF_LIFE_GRID = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 1000.0)


def select_half_life(
    panel: pd.DataFrame,
    *,
    data_dir=None,
    formula: str | None = None,
    grid: tuple[float, ...] = HALF_LIFE_GRID,
    before: int = 2005,
    tolerance: float = 0.001,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Choose the half-life of ``past_joins_lead_decayed`` on the coalitions that started before ``before``.

    The rule (docs/models/forecasts.md): for each half-life of ``grid``, leave-one-coalition-out
    AUC of ``formula`` over the coalitions that started before ``before`` only (the training set
    of the temporal split, so its test coalitions play no part), with their labels as they stood on
    the last day before ``before`` (:func:`labels_as_of`: a state that joined one of them later is a
    non-joiner, as in the temporal split's training set); the chosen half-life is the shortest whose
    AUC is within ``tolerance`` of the best (a record that fades, unless keeping it whole is clearly
    better).

    Parameters
    ----------
    panel
        A :func:`~coalitionlab.models.data.participation_data` panel (full sources).
    formula
        Default :data:`~coalitionlab.models.features.FORECAST_FORMULA`.

    Returns
    -------
    pandas.DataFrame
        ``half_life, inner_auc, chosen`` (one row True), one row per grid value; ``attrs``:
        ``before``, ``tolerance``, ``n_coalitions``, ``labels_as_of`` (the cut-off) and
        ``late_joins_relabelled`` (rows whose join came after it, counted as non-joins).
    """
    from coalitionlab.models.features import FORECAST_FORMULA, forecast_features

    formula = formula or FORECAST_FORMULA
    say = progress or (lambda _s: None)
    if not grid or any(not h > 0 for h in grid):
        raise EstimationError(f"the half-life grid must hold positive numbers of years, not {grid!r}")
    early = panel[pd.to_datetime(panel["start_date"]).dt.year < before]
    if early["coalition_id"].nunique() < 3:
        raise EstimationError(f"fewer than three coalitions started before {before}: cannot choose a half-life")
    early = labels_as_of(early, f"{int(before) - 1}-12-31")  # no join after the cut-off is seen
    rows = []
    for h in grid:
        say(f"half-life {h:g}")
        rows.append({"half_life": float(h),
                     "inner_auc": cross_validate(forecast_features(early, data_dir=data_dir, half_life=h),
                                                 formula=formula).auc})
    out = pd.DataFrame(rows)
    best = out["inner_auc"].max()
    pick = out.loc[out["inner_auc"] >= best - tolerance, "half_life"].min()
    out["chosen"] = out["half_life"] == pick
    out.attrs = {"before": int(before), "tolerance": float(tolerance),
                 "n_coalitions": int(early["coalition_id"].nunique()), "labels_as_of": early.attrs["labels_as_of"],
                 "late_joins_relabelled": int(early.attrs["late_joins_relabelled"])}
    return out


def auc_by_group(result: CVResult, panel: pd.DataFrame, column: str = "lead_ccode") -> pd.DataFrame:
    """Pooled out-of-sample AUC of a :class:`CVResult` within groups of coalitions (e.g. by lead).

    Returns ``<column>, n_coalitions, n, n_joined, auc`` (AUC NaN where a group has one class only).
    """
    if column not in panel.columns:
        raise PanelTypeError(f"auc_by_group(): the panel has no column {column!r}")
    from sklearn.metrics import roc_auc_score

    groups = panel.drop_duplicates("coalition_id").set_index("coalition_id")[column]
    pred = result.predictions.assign(_g=result.predictions["coalition_id"].map(groups))
    rows = []
    for g, part in pred.groupby("_g", sort=True):
        y, p = part["joined"].to_numpy(), part["p_join"].to_numpy()
        rows.append({column: g, "n_coalitions": int(part["coalition_id"].nunique()), "n": len(part),
                     "n_joined": int(y.sum()), "auc": roc_auc_score(y, p) if 0 < y.sum() < len(y) else np.nan})
    return pd.DataFrame(rows)
