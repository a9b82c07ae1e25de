"""Who would join a new coalition: fit on past coalitions, predict for every candidate at a date."""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from coalitionlab._cache import cache_key, cached, code_fingerprint, data_fingerprint
from coalitionlab._validation import parse_date
from coalitionlab.errors import CoverageError, EstimationError, MissingValueWarning, StaleDataWarning, UnknownCountryError
from coalitionlab.models.data import DEFAULT_FORMULA, add_participation_features, candidate_frame, participation_data
from coalitionlab.models.features import (DEFAULT_HALF_LIFE, FORECAST_FORMULA, drop_constant_terms,
                                          forecast_features, input_years)
from coalitionlab.models.formula import FORMULA_CONTEXT
from coalitionlab.models.participation import ParticipationResult, fit_participation
from coalitionlab.models.validation import labels_as_of

SEED_FORMULA = "joined ~ embeddedness_log1p"


def resolve_target(target: str | int, date: str | pd.Timestamp) -> tuple[int | None, str]:
    """A forecast's target: a state (name, ISO3 code or COW ccode) or a region of
    :data:`~coalitionlab.data.regions.REGIONS`, as ``(target_ccode or None, theatre)``.

    A state's theatre is its region. Anything else is one :class:`~coalitionlab.errors.UnknownCountryError`.

    Examples
    --------
    >>> resolve_target("Iraq", "2014-08-08"), resolve_target("middle_east", "2014-08-08")
    ((645, 'middle_east'), (None, 'middle_east'))
    """
    from coalitionlab.data.countries import to_ccode
    from coalitionlab.data.regions import REGIONS, region_of

    ts = parse_date(date)
    text = str(target).strip()
    if text.lower().replace(" ", "_").replace("-", "_") in REGIONS:
        return None, text.lower().replace(" ", "_").replace("-", "_")
    where = f"target: a state (name, ISO3 code or COW ccode) or a region ({', '.join(REGIONS)})"
    try:
        code = int(to_ccode(int(text) if text.isdigit() else text, date=ts))
    except UnknownCountryError as exc:
        raise UnknownCountryError(target, where=where, closest=getattr(exc, "closest", None)) from None
    return code, str(region_of(code))


def contributions(fit: ParticipationResult, features: pd.DataFrame) -> pd.DataFrame:
    """Each term's contribution to each row's linear predictor relative to the average row.

    ``c_<term> = beta_term * (x_term - mean of x_term over the rows with every input)``; the average
    row's linear predictor is ``index_mean = sum(beta * mean x)``, so ``index_mean + sum of c_*``
    equals the row's own ``index`` (the logit for a logit model). A row lacking any input of the
    formula (a NaN in any column a term uses) has ``index``, ``index_mean`` and every ``c_*`` NaN:
    nothing is explained from filled-in values.

    Returns
    -------
    pandas.DataFrame
        ``index, index_mean`` then ``c_<term>`` for every term but the intercept, aligned with ``features``.
    """
    mm = fit._model_spec.get_model_matrix(features, na_action="ignore", context=FORMULA_CONTEXT)
    X = np.asarray(mm[list(fit.params.index)], dtype=float)
    beta = fit.params.to_numpy()
    # complete: every term's value known, and every column the formula reads known (a term such as
    # C(x) or an indicator can turn a missing input into a number)
    used = [v for v in formula_variables(fit.formula) if v in features.columns]
    complete = ~np.isnan(X).any(axis=1) & features[used].notna().all(axis=1).to_numpy()
    if not complete.any():
        raise EstimationError("no candidate has every input of the formula: nothing to explain")
    mean = X[complete].mean(axis=0)
    X = np.where(complete[:, None], X, np.nan)  # incomplete rows: no contribution from filled values
    out = pd.DataFrame({"index": X @ beta, "index_mean": np.where(complete, float(mean @ beta), np.nan)},
                       index=features.index)
    for k, term in enumerate(fit.params.index):
        if term != "Intercept":
            out[f"c_{term}"] = beta[k] * (X[:, k] - mean[k])
    return out


def formula_variables(formula: str) -> list[str]:
    """The data columns a formula's right-hand side uses, in formula order
    (``joined ~ a + np.log(b)`` -> ``['a', 'b']``)."""
    from formulaic import Formula

    required = Formula(formula).rhs.required_variables  # columns, not functions such as np.sqrt or I
    rhs = formula.split("~", 1)[1]
    return list(dict.fromkeys(v for v in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", rhs) if v in required))


def predict_participation(
    lead: str | int,
    date: str | pd.Timestamp,
    *,
    train_until: int,
    data_dir: str | os.PathLike | None = None,
    formula: str | None = None,
    method: str = "logit",
    panel: pd.DataFrame | None = None,
    source: str = "auto",
    target: str | int | None = None,
    half_life: float = DEFAULT_HALF_LIFE,
    explain: bool = False,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Probability that each state joins a coalition led by ``lead`` that starts on ``date``.

    The model is fitted on every coalition (any lead, embeddedness always with that coalition's
    own lead) that started in or before ``train_until``; the candidates are every state-system
    member at ``date`` except the lead, with the same features measured the same way.

    No look-ahead: ``train_until`` must be before the year of ``date``, and the training labels
    are those known on 31 December of ``train_until`` (a state that joined a training coalition
    after that day counts as a non-joiner; see
    :func:`~coalitionlab.models.validation.labels_as_of`).

    The answer, and the fitted model and features behind it, are kept in the disk cache (the user
    cache directory), keyed by the SHA-256 of the data files, of the package's code and every argument:
    a second call returns in well under a second, and any change of data or code refits. A call with
    ``panel=`` is never cached. Warnings are issued again on a cached answer.

    Parameters
    ----------
    lead, date
        The new coalition's lead (name, ISO3 or ccode) and start date.
    train_until
        Last start year of the coalitions used for fitting, and the year whose last day is the
        cut-off for their joins; must be before the year of ``date``.
    formula
        Default, on the full sources: :data:`~coalitionlab.models.features.FORECAST_FORMULA` when a
        ``target`` is given, else :data:`~coalitionlab.models.data.DEFAULT_FORMULA` (which is blind
        to the target); on the embedded seed (no controls) ``joined ~ embeddedness_log1p``.
    target
        What the coalition acts against: a state (name, ISO3 code or ccode; it is not a candidate)
        or a region (:data:`~coalitionlab.data.regions.REGIONS`; a target-less operation in that
        theatre). The candidates' target features (:func:`~coalitionlab.models.features.add_target_features`)
        are computed by the same function as the training panel's. Needs the full sources.
    half_life
        Half-life in years of the decayed record of joins with the lead (``past_joins_lead_decayed``).
    explain
        Add ``logit`` (the linear predictor: a logit for ``method="logit"``), ``logit_mean`` (the
        average candidate's) and ``c_<term>``, each term's contribution ``beta * (x - mean x)``;
        ``logit_mean + sum(c_*) == logit`` (:func:`contributions`).
    panel
        A prebuilt :func:`~coalitionlab.models.data.participation_data` panel (saves rebuilding it).
    source
        ``"auto"``, ``"full"`` or ``"seed"`` (the embedded seed), as in ``measures.embeddedness``.

    Returns
    -------
    pandas.DataFrame
        ``ccode, country, p_join`` then the formula's variables, sorted by ``p_join`` (highest
        first; candidates lacking a variable have ``p_join`` NaN and are listed last, named in
        ``missing``). ``attrs``: ``formula, method, train_until, n_train_coalitions, n_train_rows,
        lead_ccode, date, is_seed, sources``, ``target`` (``ccode``, ``theatre``; None without one),
        ``half_life``, ``dropped_terms`` (terms of the default forecast formula left out because
        they do not vary in the training sample), ``input_years`` (records of :func:`~coalitionlab.models.features.input_years`:
        the data year of each input) and ``stale_inputs`` (the inputs whose data are more than two
        years older than wanted; also warned as :class:`~coalitionlab.errors.StaleDataWarning`), ``labels_as_of`` (the cut-off), ``late_joins_relabelled`` and
        ``late_joins`` (the training rows whose state joined after the cut-off, set to 0), and
        the fitted model's tidy table as a dict (term -> statistics) under ``coefficients``.

    Raises
    ------
    CoverageError
        ``train_until`` is not before the year of ``date``, or no coalition started by ``train_until``,
        or the target state was no system member on ``date``.
    UnknownCountryError
        ``lead`` or ``target`` names no state (and ``target`` no region).
    EstimationError
        ``target`` is the lead, or a target is asked for on the seed data.
    """
    dfp = data_fingerprint(data_dir)
    if panel is not None or dfp == "seed":  # no data directory: the seed (fast), or the error naming the path
        return _predict(lead, date, train_until=train_until, data_dir=data_dir, formula=formula, method=method,
                        panel=panel, source=source, target=target, half_life=half_life, explain=explain,
                        progress=progress)
    key = cache_key(dfp, code_fingerprint(), str(lead), str(date), int(train_until), formula,
                    method, source, None if target is None else str(target), float(half_life), bool(explain))
    out, _ = cached("predict", key, lambda: _predict(lead, date, train_until=train_until, data_dir=data_dir,
                                                     formula=formula, method=method, panel=None, source=source,
                                                     target=target, half_life=half_life, explain=explain,
                                                     progress=progress),
                    folder_name="models", replay_warnings=True)
    return out


def _predict(lead, date, *, train_until, data_dir, formula, method, panel, source, target, half_life, explain,
             progress) -> pd.DataFrame:
    say = progress or (lambda _s: None)
    ts = parse_date(date)  # an unreadable date is a CoverageError, as in measures.embeddedness
    if int(train_until) >= ts.year:  # checked before any data is read
        raise CoverageError(f"train_until {int(train_until)} is not before the forecast date {ts:%Y-%m-%d}: "
                            f"a forecast may train only on coalitions started by {ts.year - 1} (look-ahead)")
    target_ccode, theatre = resolve_target(target, ts) if target is not None else (None, None)
    say("candidates")
    candidates = candidate_frame(lead, ts, data_dir=data_dir, source=source)
    is_seed = bool(candidates.attrs.get("is_seed"))
    lead_ccode = int(candidates["lead_ccode"].iloc[0])
    if target is not None:
        if target_ccode == lead_ccode:
            raise EstimationError(f"the target {target!r} is the lead: a coalition does not act against its lead")
        if is_seed:
            raise EstimationError("a forecast with a target needs the full sources (capitals, contiguity, troops); "
                                  "the embedded seed has none: pass data_dir or drop target")
        if target_ccode is not None and not (candidates["ccode"] == target_ccode).any():
            raise CoverageError(f"the target {target!r} (ccode {target_ccode}) was not a state-system member "
                                f"on {ts:%Y-%m-%d}")
        attrs_keep = candidates.attrs
        candidates = candidates[candidates["ccode"] != target_ccode].reset_index(drop=True)  # the target is no candidate
        candidates["target_ccode"] = np.nan if target_ccode is None else float(target_ccode)
        candidates["theatre"] = theatre
        candidates.attrs = attrs_keep
    given = formula
    formula = formula or (SEED_FORMULA if is_seed else FORECAST_FORMULA if target is not None else DEFAULT_FORMULA)
    src = "seed" if is_seed else "full"
    # the fitted model and the candidates' features are kept in the disk cache, keyed by the data's and the
    # code's fingerprints and everything they depend on (a prebuilt panel= is used as given, uncached)
    dfp, code = (data_fingerprint(data_dir) if not is_seed else "seed"), code_fingerprint()
    train_key = cache_key(dfp, code, src, int(train_until), float(half_life))
    if panel is None:
        (fit, formula, dropped, train_attrs), _ = cached(
            "fit", cache_key(train_key, formula, given is None, method),
            lambda: _fit_on(_training_rows(None, train_key, data_dir=data_dir, source=src, train_until=train_until,
                                           half_life=half_life, is_seed=is_seed, say=say),
                            formula, given is None, method, say),
            folder_name="models")
    else:
        rows = _training_rows(panel, None, data_dir=data_dir, source=src, train_until=train_until,
                              half_life=half_life, is_seed=is_seed, say=say)
        fit, formula, dropped, train_attrs = _fit_on(rows, formula, given is None, method, say)
    say("features for the candidates")

    def build_features() -> pd.DataFrame:
        feats = add_participation_features(candidates, data_dir=data_dir, lags=(), contact=False, source=source)
        if not is_seed:
            feats = forecast_features(feats, data_dir=data_dir, half_life=half_life)  # the training panel's function
        return feats

    features, _ = cached("candidates", cache_key(dfp, code, src, lead_ccode, f"{ts:%Y-%m-%d}", target_ccode, theatre,
                                                 float(half_life), len(candidates)),
                         build_features, folder_name="models")
    variables = formula_variables(formula)
    p = fit.predict(features)
    out = pd.DataFrame({"ccode": features["ccode"].to_numpy(), "country": features["country"].to_numpy(), "p_join": p})
    for v in variables:
        out[v] = features[v].to_numpy()
    lacking = features[variables].isna()
    out["missing"] = [", ".join(np.array(variables)[row]) for row in lacking.to_numpy()]
    out.loc[lacking.any(axis=1).to_numpy(), "p_join"] = np.nan
    if explain:
        parts = contributions(fit, features).rename(columns={"index": "logit", "index_mean": "logit_mean"})
        for col in parts.columns:
            out[col] = parts[col].to_numpy()
    out = out.sort_values(["p_join", "ccode"], ascending=[False, True], na_position="last", ignore_index=True)
    years = input_years(variables, ts, features=features, data_dir=data_dir) if not is_seed else pd.DataFrame(
        columns=["input", "source", "wanted_year", "data_year", "stale"])
    stale = [f"{r.input} ({r.source} {int(r.data_year)})" for r in years.itertuples() if r.stale]
    if stale:
        warnings.warn(f"forecast for {ts:%Y-%m-%d} uses stale data: {', '.join(stale)}", StaleDataWarning, stacklevel=2)
    out.attrs = {
        "formula": formula, "method": method, "train_until": int(train_until),
        "n_train_coalitions": train_attrs["n_train_coalitions"],
        "n_train_rows": int(fit.fit_stats["n_obs"]),
        "lead_ccode": lead_ccode, "date": f"{ts:%Y-%m-%d}", "is_seed": is_seed,
        "target": None if target is None else {"ccode": target_ccode, "theatre": theatre},
        "half_life": float(half_life), "dropped_terms": dropped,
        "sources": dict(features.attrs.get("sources", {})),
        "labels_as_of": train_attrs["labels_as_of"], "late_joins_relabelled": train_attrs["late_joins_relabelled"],
        "late_joins": list(train_attrs["late_joins"]),
        "coefficients": fit.tidy().to_dict(orient="index"),  # plain dicts: pandas compares attrs
        "input_years": years.astype({"stale": bool}).to_dict(orient="records"),
        "stale_inputs": stale,
    }
    return out


def _training_rows(panel: pd.DataFrame | None, key: str | None, *, data_dir, source: str, train_until: int,
                   half_life: float, is_seed: bool, say: Callable[[str], None]) -> pd.DataFrame:
    """The training rows: coalitions started by ``train_until``, labels as known on its last day, and the
    forecast features. Built from ``panel`` when given, else from the data (disk-cached under ``key``)."""

    def build(panel: pd.DataFrame | None) -> pd.DataFrame:
        if panel is None:
            say("training panel")
            panel = participation_data(data_dir=data_dir, lags=(), contact=False, source=source)
        train = panel[pd.to_datetime(panel["start_date"]).dt.year <= train_until]
        if train.empty:
            first = pd.to_datetime(panel["start_date"]).dt.year.min()
            raise CoverageError(f"no coalition started by {train_until}; the dataset starts in {first}")
        train = labels_as_of(train, f"{int(train_until)}-12-31")  # joins after the cut-off are not known then
        if not is_seed:
            say("target and record features")
            train = _with_forecast_features(train, data_dir=data_dir, half_life=half_life)
        return train

    if key is None:
        return build(panel)
    return cached("train", key, lambda: build(None), folder_name="models")[0]


def _fit_on(train: pd.DataFrame, formula: str, default_formula: bool, method: str,
            say: Callable[[str], None]) -> tuple[ParticipationResult, str, list[str], dict]:
    """Fit ``formula`` on the training rows; the default forecast formula drops terms constant in them."""
    dropped: list[str] = []
    if default_formula and formula == FORECAST_FORMULA:  # e.g. no target-less coalition started by train_until
        formula, dropped = drop_constant_terms(formula, train)
    say("fitting")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValueWarning)  # dropped rows are reported in n_obs
        fit = fit_participation(formula, train, method=method, cluster="coalition_id" if method != "firth" else None)
    variables = formula_variables(formula)
    attrs = {"n_train_coalitions": int(train.dropna(subset=["joined", *variables])["coalition_id"].nunique()),
             "labels_as_of": train.attrs["labels_as_of"],
             "late_joins_relabelled": train.attrs["late_joins_relabelled"],
             "late_joins": list(train.attrs["late_joins"])}
    return fit, formula, dropped, attrs


def _with_forecast_features(train: pd.DataFrame, *, data_dir, half_life: float) -> pd.DataFrame:
    """The training rows with the forecast features (recomputed: a given panel may carry another half-life)."""
    attrs = train.attrs
    out = forecast_features(train, data_dir=data_dir, half_life=half_life)
    out.attrs = {**attrs, **{k: v for k, v in out.attrs.items() if k == "target_features"}}
    return out
