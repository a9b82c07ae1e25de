"""Case replays: rebuild the world at a past coalition's start, predict who joins, compare with who did.

A replay of coalition ``c`` (lead ``L``, start date ``d``, year ``y``) fits the participation
forecast model (:data:`~coalitionlab.models.features.FORECAST_FORMULA`, logit) on every coalition
that started in or before ``y - 1``, with the training labels as they stood on 31 December of
``y - 1`` (:func:`~coalitionlab.models.validation.labels_as_of`), and predicts ``p_join`` for the
candidates of ``c``: every state-system member on ``d`` except the lead and the target. These are
the steps of :func:`~coalitionlab.models.predict.predict_participation` (``train_until = y - 1``,
``target`` = the coalition's target state, or its theatre when it has none), run on a panel whose
features are computed once (:func:`replay_panel`): the candidates' features are the panel rows of
``c`` itself, computed by the same functions at the same date (a replay gives the same ``p_join``
as ``predict_participation``; the tests check it).

The outcome is the record: a candidate joined when it holds a membership role that sent personnel
(``lead``, ``combat``, ``non_combat``, ``token``) and joined before the coalition ended (the
``joined`` column of :func:`~coalitionlab.coalitions.coalition_panel`).

When no coalition started before ``y`` (Korea 1950) or the model cannot be estimated on the
earlier ones (separation or collinearity in the few coalitions before the late 1970s), the
coalition cannot be replayed with the participation model. The replay then ranks the candidates
by embeddedness with the lead alone (``embeddedness_log1p``, measured on ``d``) and says so:
``model = "embeddedness_only"``, ``reason`` gives why, the AUC is that ranking's and there is no
Brier score (no probabilities).
"""

from __future__ import annotations

import difflib
import json
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from coalitionlab.coalitions import coalitions
from coalitionlab.errors import DataFileError, EstimationError, MissingValueWarning, PanelTypeError, UnknownOptionError
from coalitionlab.models.data import participation_data
from coalitionlab.models.features import DEFAULT_HALF_LIFE, FORECAST_FORMULA, drop_constant_terms, forecast_features
from coalitionlab.models.participation import fit_participation
from coalitionlab.models.predict import formula_variables
from coalitionlab.models.validation import labels_as_of

MODELS = ("participation", "embeddedness_only")
FALLBACK_SCORE = "embeddedness_log1p"
PAYMENT_KINDS = ("deployment_subsidy", "side_deal", "refused_offer")
PAYMENT_COLUMNS = ("coalition_id", "ccode", "country", "kind", "description", "amount_usd", "year", "source",
                   "source_type")
SOURCE_TYPES = ("FRUS", "GAO", "press")
# the cases with a page in docs/planner/replays/
SHIPPED_CASES = ("korea_1950", "gulf_war_1990", "iraq_2003", "unamid_2007", "unified_protector_2011",
                 "interfet_1999", "serval_2013", "ecomog_liberia_1990", "csto_kazakhstan_2022")
SUMMARY_COLUMNS = ("coalition_id", "lead", "year", "n_candidates", "n_joined", "auc", "brier", "hits_at_k", "k",
                   "model", "n_train_coalitions")
_PANEL_NEEDS = ("coalition_id", "ccode", "lead_ccode", "start_date", "joined", "role", "join_date", "target_ccode",
                "theatre", "embeddedness_log1p")
_CACHE: dict[tuple[str, float], pd.DataFrame] = {}
_CACHE_SIZE = 2


@dataclass
class Replay:
    """One coalition replayed: who the model expected to join at the start, and who did.

    Attributes
    ----------
    coalition_id, name, lead, lead_ccode, start_date, year
        The coalition (``start_date`` ISO).
    target
        ``{"ccode": target ccode or None, "theatre": region}``.
    model
        ``"participation"`` (the forecast model fitted on the earlier coalitions) or
        ``"embeddedness_only"`` (the fallback ranking; see ``reason``).
    reason
        Why the participation model could not be used (``None`` when it was).
    candidates
        One row per candidate: ``ccode, country, p_join, score, rank, joined, role, join_date,
        embeddedness_log1p`` sorted by ``rank`` (1 = ranked likeliest to join); ``score`` is
        ``p_join`` for the participation model and ``embeddedness_log1p`` for the fallback;
        candidates lacking an input have ``score`` NaN, no rank and are listed last.
    metrics
        ``n_candidates`` (scored), ``n_unscored``, ``n_joined`` (scored joiners), ``n_joined_unscored``,
        ``auc`` (of ``score`` against ``joined``; NaN when all or none joined), ``brier`` (mean
        squared error of ``p_join``; NaN for the fallback), ``k`` and ``hits_at_k`` (joiners among
        the ``k`` highest-ranked; ``k`` defaults to the number of joiners).
    hits, missed, false_alarms
        Joiners ranked in the top ``k``; joiners ranked below it (joiners ranked low); non-joiners
        ranked in the top ``k`` (non-joiners ranked high). Rows of ``candidates``.
    payments
        The documented side-payments of :func:`payments` for this coalition with the recipient's
        ``p_join``, ``rank``, ``joined`` and ``reading`` (see :func:`payments_reading`).
    training
        ``train_until``, ``train_coalitions`` (ids), ``n_train_coalitions``, ``last_train_start``,
        ``labels_as_of``, ``late_joins_relabelled``, ``n_train_rows``, ``formula``,
        ``dropped_terms``, ``half_life``, ``coefficients`` (term -> estimate), ``target_dropped``
        (the target state, left out of the candidates as in a forecast, and whether it joined).
    """

    coalition_id: str
    name: str
    lead: str
    lead_ccode: int
    start_date: str
    year: int
    target: dict[str, Any]
    model: str
    reason: str | None
    candidates: pd.DataFrame
    metrics: dict[str, Any]
    hits: pd.DataFrame
    missed: pd.DataFrame
    false_alarms: pd.DataFrame
    payments: pd.DataFrame
    training: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The replay as one row of :func:`replay_all`."""
        m = self.metrics
        return {"coalition_id": self.coalition_id, "lead": self.lead, "year": self.year,
                "n_candidates": m["n_candidates"], "n_joined": m["n_joined"], "auc": m["auc"], "brier": m["brier"],
                "hits_at_k": m["hits_at_k"], "k": m["k"], "model": self.model,
                "n_train_coalitions": self.training["n_train_coalitions"]}

    def line(self) -> str:
        """One line that starts with the coalition id: AUC, Brier, hits at k, sizes and the model."""
        return summary_line(self.summary())

    def to_dict(self) -> dict[str, Any]:
        """Everything as JSON-ready values (frames as lists of records)."""
        def records(df: pd.DataFrame) -> list[dict]:
            return json.loads(df.to_json(orient="records", double_precision=10, date_format="iso"))

        return {"coalition_id": self.coalition_id, "name": self.name, "lead": self.lead,
                "lead_ccode": self.lead_ccode, "start_date": self.start_date, "year": self.year,
                "target": self.target, "model": self.model, "reason": self.reason,
                "metrics": _jsonable(self.metrics), "training": _jsonable(self.training),
                "hits": records(self.hits), "missed": records(self.missed),
                "false_alarms": records(self.false_alarms), "payments": records(self.payments),
                "candidates": records(self.candidates)}

    def to_json(self) -> str:
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict())


def summary_line(row: dict[str, Any] | pd.Series) -> str:
    """``<coalition_id>  AUC 0.912  Brier 0.041  hits@k 9/12  candidates 189  joined 12  model participation
    (lead, year)``; a missing AUC or Brier prints ``n/a``.

    Examples
    --------
    >>> summary_line({"coalition_id": "x_2000", "lead": "France", "year": 2000, "n_candidates": 10, "n_joined": 2,
    ...               "auc": 0.75, "brier": float("nan"), "hits_at_k": 1, "k": 2, "model": "embeddedness_only"})
    'x_2000  AUC 0.750  Brier n/a  hits@k 1/2  candidates 10  joined 2  model embeddedness_only  (France, 2000)'
    """
    def num(v: Any) -> str:
        return "n/a" if v is None or pd.isna(v) else f"{float(v):.3f}"

    return (f"{row['coalition_id']}  AUC {num(row['auc'])}  Brier {num(row['brier'])}  "
            f"hits@k {int(row['hits_at_k'])}/{int(row['k'])}  candidates {int(row['n_candidates'])}  "
            f"joined {int(row['n_joined'])}  model {row['model']}  ({row['lead']}, {int(row['year'])})")


def payments() -> pd.DataFrame:
    """The documented side-payments: the project's authored table of public facts (``planner/data/payments.csv``).

    Returns
    -------
    pandas.DataFrame
        ``coalition_id, ccode, country, kind, description, amount_usd, year, source, source_type``;
        ``ccode`` is nullable ``Int64`` (empty for a payment to a group of states), ``amount_usd``
        float (NaN where the source states no figure). Validated: known kinds, coalition ids and
        source types, a source on every row.

    Raises
    ------
    DataFileError
        When the file breaks one of those rules (the message names the row).

    Examples
    --------
    >>> p = payments()
    >>> p.loc[(p.coalition_id == "iraq_2003") & (p.ccode == 640), "kind"].item()
    'refused_offer'
    """
    path = files("coalitionlab.planner").joinpath("data", "payments.csv")
    with path.open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype={"ccode": "Int64", "year": "int64", "amount_usd": "float64"}, keep_default_na=False,
                         na_values={"ccode": [""], "amount_usd": [""]})
    return validate_payments(df)


def validate_payments(df: pd.DataFrame) -> pd.DataFrame:
    """Check a payments table (the columns of :func:`payments`) and return it; one DataFileError otherwise."""
    missing = [c for c in PAYMENT_COLUMNS if c not in df.columns]
    if missing:
        raise DataFileError(f"payments table lacks column(s) {', '.join(missing)}")
    known = set(coalitions()["coalition_id"])
    for i, row in enumerate(df.itertuples(index=False), start=2):  # line numbers of the CSV (header = 1)
        where = f"payments.csv line {i} ({row.coalition_id}, {row.country})"
        if row.coalition_id not in known:
            raise DataFileError(f"{where}: unknown coalition id {row.coalition_id!r}")
        if row.kind not in PAYMENT_KINDS:
            raise DataFileError(f"{where}: kind {row.kind!r} is not one of {', '.join(PAYMENT_KINDS)}")
        if not str(row.source).strip() or not str(row.description).strip():
            raise DataFileError(f"{where}: every payment needs a description and a source")
        if any(t not in SOURCE_TYPES for t in str(row.source_type).split("/")):
            raise DataFileError(f"{where}: source_type {row.source_type!r} is not one of {', '.join(SOURCE_TYPES)} "
                                "(two joined by '/')")
        if not pd.isna(row.amount_usd) and not float(row.amount_usd) > 0:
            raise DataFileError(f"{where}: amount_usd must be positive or empty, got {row.amount_usd!r}")
    return df[list(PAYMENT_COLUMNS)].reset_index(drop=True)


def payments_reading(kind: str, joined: float, rank: float, k: int) -> str:
    """How a documented payment sits beside the prediction (a description, not a causal claim).

    - a state that joined though ranked below the top ``k`` and was paid: ``"joined, ranked low: consistent
      with a bought, reluctant ally"``;
    - a paid joiner ranked in the top ``k``: ``"joined, ranked high: predicted to join anyway"``;
    - a refused offer to a state ranked in the top ``k``: ``"refused, though ranked high"``, else
      ``"refused, ranked low"``;
    - an aggregate payment (no single state) or an unscored state: ``"no single state"`` / ``"not scored"``.

    Examples
    --------
    >>> payments_reading("side_deal", 1, 40, 12)
    'joined, ranked low: consistent with a bought, reluctant ally'
    >>> payments_reading("refused_offer", 0, 1, 12)
    'refused, though ranked high'
    """
    if pd.isna(joined):
        return "no single state"
    if pd.isna(rank):
        return "not scored"
    high = rank <= k
    if kind == "refused_offer" or not joined:
        verb = "refused" if kind == "refused_offer" else "did not join"
        return f"{verb}, though ranked high" if high else f"{verb}, ranked low"
    return "joined, ranked high: predicted to join anyway" if high else \
        "joined, ranked low: consistent with a bought, reluctant ally"


def replay_panel(
    data_dir: str | os.PathLike | None = None,
    *,
    half_life: float = DEFAULT_HALF_LIFE,
    panel: pd.DataFrame | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """The participation panel with the forecast features, built once for many replays.

    ``panel`` (a :func:`~coalitionlab.models.data.participation_data` panel, ``lags=()``,
    ``contact=False``) is used instead of building one. The result carries
    ``attrs["replay_half_life"]``: passed to :func:`replay` as ``panel=`` it is used as is.

    Raises
    ------
    EstimationError
        The panel was built from the embedded seed (no controls, no target features): a replay needs
        the full sources.
    PanelTypeError
        ``panel`` lacks a column a replay needs.
    """
    _check_half_life(half_life)
    say = progress or (lambda _s: None)
    if panel is None:
        say("participation panel")
        panel = participation_data(data_dir=data_dir, lags=(), contact=False)
    if panel.attrs.get("replay_half_life") == float(half_life):
        return panel
    missing = [c for c in _PANEL_NEEDS if c not in panel.columns]
    if missing:
        raise PanelTypeError(f"replay: the panel lacks column(s) {', '.join(missing)}; build it with "
                             "coalitionlab.models.participation_data(lags=(), contact=False)")
    if panel.attrs.get("is_seed"):
        raise EstimationError("a replay needs the full sources (controls, capitals, troops, exercises); the panel "
                              "was built from the embedded seed: pass data_dir (--data-dir)")
    say("target and record features")
    out = forecast_features(panel, data_dir=data_dir, half_life=half_life)
    out.attrs = {**panel.attrs, "target_features": out.attrs.get("target_features"),
                 "replay_half_life": float(half_life)}
    return out


def replay(
    coalition_id: str,
    *,
    data_dir: str | os.PathLike | None = None,
    panel: pd.DataFrame | None = None,
    half_life: float = DEFAULT_HALF_LIFE,
    k: int | None = None,
) -> Replay:
    """Replay one coalition: the participation model as it stood at the start against the record.

    Parameters
    ----------
    coalition_id
        An id of :func:`~coalitionlab.coalitions.coalitions` (``coalitionlab coalitions list``).
    data_dir
        The data directory (the full sources are needed).
    panel
        A prebuilt panel: :func:`replay_panel`'s (used as is) or a
        :func:`~coalitionlab.models.data.participation_data` panel (``lags=(), contact=False``; the
        forecast features are added). Without it the panel is built, and kept in memory for the
        next replay on the same data directory and half-life.
    half_life
        Half-life in years of the decayed record of joins with the lead, as in ``predict_participation``.
    k
        How many of the highest-ranked candidates count as predicted joiners for ``hits_at_k``
        (default: as many as joined).

    Returns
    -------
    Replay

    Raises
    ------
    DataFileError
        Unknown ``coalition_id`` (the message names the closest ids; checked before any data are
        read), or a coalition the given panel does not hold.
    UnknownOptionError
        ``k`` is not a positive whole number or ``half_life`` not positive.
    EstimationError
        The panel comes from the embedded seed.

    Examples
    --------
    >>> r = replay("iraq_2003", data_dir="../shared/data")  # doctest: +SKIP
    >>> r.metrics["auc"], r.training["train_until"]  # doctest: +SKIP
    """
    coal = _coalition_row(coalition_id)
    if k is not None and (isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1):
        raise UnknownOptionError(f"k must be a positive whole number, got {k!r}")
    _check_half_life(half_life)
    featured = _featured(panel, data_dir, half_life)
    return _replay_one(coal, featured, half_life=float(half_life), k=k)


def replay_all(
    *,
    data_dir: str | os.PathLike | None = None,
    panel: pd.DataFrame | None = None,
    half_life: float = DEFAULT_HALF_LIFE,
    k: int | None = None,
    ids: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Replay every coalition (or ``ids``) on one panel built once.

    Every coalition gets a row; those that cannot be replayed with the participation model carry
    ``model = "embeddedness_only"`` (their AUC is the embeddedness ranking's, their Brier NaN).

    Returns
    -------
    pandas.DataFrame
        ``coalition_id, lead, year, n_candidates, n_joined, auc, brier, hits_at_k, k, model,
        n_train_coalitions``, by start date. ``attrs``: ``mean_auc`` (mean AUC of the participation-model
        replays), ``n_model``, ``mean_auc_embeddedness_only``, ``n_embeddedness_only``, ``half_life``
        and ``reasons`` (coalition id -> why the fallback was used).
    """
    say = progress or (lambda _s: None)
    _check_half_life(half_life)
    coal = coalitions().sort_values(["start_date", "coalition_id"])
    if ids is not None:
        wanted = [ids] if isinstance(ids, str) else list(ids)
        for cid in wanted:
            _coalition_row(cid)
        coal = coal[coal["coalition_id"].isin(wanted)]
    featured = _featured(panel, data_dir, half_life, progress=say)
    rows, reasons = [], {}
    for row in coal.itertuples(index=False):
        say(f"replaying {row.coalition_id}")
        r = _replay_one(_coalition_row(row.coalition_id), featured, half_life=float(half_life), k=k)
        rows.append(r.summary())
        if r.reason:
            reasons[r.coalition_id] = r.reason
    out = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    model = out["model"] == "participation"
    out.attrs = {"mean_auc": float(out.loc[model, "auc"].mean()), "n_model": int(model.sum()),
                 "n_model_with_auc": int(out.loc[model, "auc"].notna().sum()),
                 "mean_auc_embeddedness_only": float(out.loc[~model, "auc"].mean()),
                 "n_embeddedness_only": int((~model).sum()), "half_life": float(half_life), "reasons": reasons}
    return out


# ---------------------------------------------------------------- internals


def _check_half_life(half_life: float) -> None:
    if isinstance(half_life, bool) or not isinstance(half_life, (int, float, np.integer, np.floating)) \
            or not np.isfinite(half_life) or half_life <= 0:
        raise UnknownOptionError(f"half_life must be a positive number of years, got {half_life!r}")


def _coalition_row(coalition_id: str) -> pd.Series:
    c = coalitions()
    hit = c[c["coalition_id"] == coalition_id]
    if hit.empty:
        close = difflib.get_close_matches(str(coalition_id), list(c["coalition_id"]), n=3, cutoff=0.5)
        raise DataFileError(f"unknown coalition id {coalition_id!r}"
                            + (f"; closest: {', '.join(close)}" if close else "; see 'coalitionlab coalitions list'"))
    return hit.iloc[0]


def _featured(panel: pd.DataFrame | None, data_dir, half_life: float, progress=None) -> pd.DataFrame:
    """The featured panel: the given one (features added when needed) or the in-memory cached one."""
    if panel is not None:
        return replay_panel(data_dir, half_life=half_life, panel=panel, progress=progress)
    from coalitionlab.data.paths import resolve_data_dir

    key = (str(resolve_data_dir(data_dir).resolve()), float(half_life))
    if key not in _CACHE:
        built = replay_panel(data_dir, half_life=half_life, progress=progress)
        while len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = built
    return _CACHE[key]


def _replay_one(coal: pd.Series, featured: pd.DataFrame, *, half_life: float, k: int | None) -> Replay:
    from coalitionlab.data.countries import country_name

    cid = str(coal["coalition_id"])
    rows = featured[featured["coalition_id"] == cid]
    if rows.empty:
        raise DataFileError(f"the panel holds no rows of coalition {cid!r}: build it from the full coalition dataset")
    start = pd.Timestamp(rows["start_date"].iloc[0])
    year = int(start.year)
    target = coal["target_ccode"]
    target_ccode = None if pd.isna(target) else int(target)
    theatre = str(rows["theatre"].iloc[0])
    target_dropped = None
    if target_ccode is not None and (rows["ccode"] == target_ccode).any():  # a forecast's target is no candidate
        target_dropped = {"ccode": target_ccode,
                          "joined": bool(rows.loc[rows["ccode"] == target_ccode, "joined"].iloc[0])}
        rows = rows[rows["ccode"] != target_ccode]

    starts = pd.to_datetime(featured["start_date"])
    train = featured[starts.dt.year <= year - 1]
    training: dict[str, Any] = {
        "train_until": year - 1, "train_coalitions": sorted(train["coalition_id"].unique().tolist()),
        "last_train_start": None if train.empty else f"{pd.to_datetime(train['start_date']).max():%Y-%m-%d}",
        "labels_as_of": f"{year - 1}-12-31", "half_life": half_life, "target_dropped": target_dropped,
        "n_train_coalitions": 0, "n_train_rows": 0, "late_joins_relabelled": 0, "formula": None,
        "dropped_terms": [], "coefficients": {},
    }
    fit, reason = None, None
    if train.empty:
        reason = (f"no coalition started before {year}: the participation model has nothing to learn from, "
                  "so this coalition cannot be replayed with it")
    else:
        train = labels_as_of(train, f"{year - 1}-12-31")
        training["late_joins_relabelled"] = int(train.attrs["late_joins_relabelled"])
        formula, dropped = drop_constant_terms(FORECAST_FORMULA, train)
        training.update(formula=formula, dropped_terms=dropped)
        variables = formula_variables(formula)
        training["n_train_coalitions"] = int(train.dropna(subset=["joined", *variables])["coalition_id"].nunique())
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", MissingValueWarning)  # dropped rows are reported in n_train_rows
                fit = fit_participation(formula, train, method="logit", cluster="coalition_id")
        except EstimationError as exc:
            reason = (f"the participation model cannot be estimated on the {training['n_train_coalitions']} "
                      f"coalitions that started before {year}: {exc}")
        else:
            training["n_train_rows"] = int(fit.fit_stats["n_obs"])
            training["coefficients"] = {str(t): float(b) for t, b in fit.params.items()}

    cand = pd.DataFrame({
        "ccode": rows["ccode"].to_numpy(np.int64),
        "country": country_name(rows["ccode"].to_numpy(), date=start),
        "joined": rows["joined"].to_numpy(np.int64),
        "role": rows["role"].to_numpy(object),
        "join_date": pd.to_datetime(rows["join_date"]).dt.strftime("%Y-%m-%d").to_numpy(object),
        "embeddedness_log1p": rows["embeddedness_log1p"].to_numpy(float),
    })
    if fit is not None:
        p = np.asarray(fit.predict(rows), dtype=float)
        lacking = rows[formula_variables(training["formula"])].isna().any(axis=1).to_numpy()
        p[lacking] = np.nan
        cand["p_join"], cand["score"], model = p, p, "participation"
    else:
        cand["p_join"], cand["score"], model = np.nan, cand["embeddedness_log1p"], "embeddedness_only"
    cand = cand.sort_values(["score", "ccode"], ascending=[False, True], na_position="last", ignore_index=True)
    scored = cand["score"].notna().to_numpy()
    cand["rank"] = pd.array(np.where(scored, np.cumsum(scored), 0), dtype="Int64")
    cand.loc[~scored, "rank"] = pd.NA
    cand = cand[["ccode", "country", "p_join", "score", "rank", "joined", "role", "join_date", "embeddedness_log1p"]]

    s = cand.loc[scored]
    y = s["joined"].to_numpy()
    n_joined = int(y.sum())
    kk = int(k) if k is not None else max(n_joined, 1)
    top = s.head(kk)
    metrics = {
        "n_candidates": int(scored.sum()), "n_unscored": int((~scored).sum()), "n_joined": n_joined,
        "n_joined_unscored": int(cand.loc[~scored, "joined"].sum()),
        "auc": _auc(y, s["score"].to_numpy(float)),
        "brier": float(np.mean((s["p_join"].to_numpy(float) - y) ** 2)) if model == "participation" and len(s)
        else float("nan"),
        "k": kk, "hits_at_k": int(top["joined"].sum()),
    }
    hits = top[top["joined"] == 1].reset_index(drop=True)
    false_alarms = top[top["joined"] == 0].reset_index(drop=True)
    missed = s.iloc[kk:]
    missed = missed[missed["joined"] == 1].reset_index(drop=True)
    return Replay(
        coalition_id=cid, name=str(coal["name"]), lead=str(coal["lead"]), lead_ccode=int(rows["lead_ccode"].iloc[0]),
        start_date=f"{start:%Y-%m-%d}", year=year, target={"ccode": target_ccode, "theatre": theatre}, model=model,
        reason=reason, candidates=cand, metrics=metrics, hits=hits, missed=missed, false_alarms=false_alarms,
        payments=_case_payments(cid, cand, kk), training=training)


def _case_payments(cid: str, cand: pd.DataFrame, k: int) -> pd.DataFrame:
    """The coalition's documented payments with the recipient's p_join, rank and whether it joined."""
    pay = payments()
    pay = pay[pay["coalition_id"] == cid].reset_index(drop=True)
    info = cand.set_index("ccode")[["p_join", "score", "rank", "joined"]]
    out = pay.copy()
    for col in ("p_join", "score", "rank", "joined"):
        out[col] = [info.at[int(c), col] if not pd.isna(c) and int(c) in info.index else np.nan for c in pay["ccode"]]
    out["rank"] = pd.array([None if pd.isna(v) else int(v) for v in out["rank"]], dtype="Int64")
    out["n_candidates"] = int(cand["score"].notna().sum())
    in_panel = [not pd.isna(c) and int(c) in info.index for c in pay["ccode"]]
    out["reading"] = [
        payments_reading(kind, j, r, k) if ok else ("no single state" if pd.isna(c) else "not a candidate")
        for kind, j, r, ok, c in zip(out["kind"], out["joined"], out["rank"], in_panel, pay["ccode"])]
    return out


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve by the Mann-Whitney rank sum (ties count one half); NaN with one class."""
    y = np.asarray(y, dtype=int)
    n1 = int(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def _jsonable(value: Any) -> Any:
    """Plain JSON values: NaN and NA become None, numpy scalars Python numbers."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, bool)):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    return value
