"""Who would join a new coalition: fit on past coalitions, predict for every candidate at a date."""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from coalitionlab.errors import CoverageError, MissingValueWarning
from coalitionlab._validation import parse_date
from coalitionlab.models.data import DEFAULT_FORMULA, add_participation_features, candidate_frame, participation_data
from coalitionlab.models.participation import fit_participation
from coalitionlab.models.validation import labels_as_of

SEED_FORMULA = "joined ~ embeddedness_log1p"


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

    Parameters
    ----------
    lead, date
        The new coalition's lead (name, ISO3 or ccode) and start date.
    train_until
        Last start year of the coalitions used for fitting, and the year whose last day is the
        cut-off for their joins; must be before the year of ``date``.
    formula
        Default :data:`~coalitionlab.models.data.DEFAULT_FORMULA` on the full sources, or
        ``joined ~ embeddedness_log1p`` on the embedded seed (which has no controls).
    panel
        A prebuilt :func:`~coalitionlab.models.data.participation_data` panel (saves rebuilding it).
    source
        ``"auto"``, ``"full"`` or ``"seed"`` (the embedded seed), as in ``measures.embeddedness``.

    Returns
    -------
    pandas.DataFrame
        ``ccode, country, p_join`` then the formula's variables, sorted by ``p_join`` (highest
        first; candidates lacking a variable have ``p_join`` NaN and are listed last, named in
        ``missing``). ``attrs``: ``formula, method, train_until, n_train_coalitions, lead_ccode,
        date, is_seed, sources``, ``labels_as_of`` (the cut-off), ``late_joins_relabelled`` and
        ``late_joins`` (the training rows whose state joined after the cut-off, set to 0), and
        the fitted model's tidy table as a dict (term -> statistics) under ``coefficients``.

    Raises
    ------
    CoverageError
        ``train_until`` is not before the year of ``date``, or no coalition started by ``train_until``.
    """
    say = progress or (lambda _s: None)
    ts = parse_date(date)  # an unreadable date is a CoverageError, as in measures.embeddedness
    if int(train_until) >= ts.year:  # checked before any data is read
        raise CoverageError(f"train_until {int(train_until)} is not before the forecast date {ts:%Y-%m-%d}: "
                            f"a forecast may train only on coalitions started by {ts.year - 1} (look-ahead)")
    say("candidates")
    candidates = candidate_frame(lead, ts, data_dir=data_dir, source=source)
    is_seed = bool(candidates.attrs.get("is_seed"))
    formula = formula or (SEED_FORMULA if is_seed else DEFAULT_FORMULA)
    if panel is None:
        say("training panel")
        panel = participation_data(data_dir=data_dir, lags=(), contact=False, source=source)
    train = panel[pd.to_datetime(panel["start_date"]).dt.year <= train_until]
    if train.empty:
        first = pd.to_datetime(panel["start_date"]).dt.year.min()
        raise CoverageError(f"no coalition started by {train_until}; the dataset starts in {first}")
    train = labels_as_of(train, f"{int(train_until)}-12-31")  # joins after the cut-off are not known then
    say("fitting")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValueWarning)  # dropped rows are reported in n_obs
        fit = fit_participation(formula, train, method=method, cluster="coalition_id" if method != "firth" else None)
    say("features for the candidates")
    features = add_participation_features(candidates, data_dir=data_dir, lags=(), contact=False, source=source)
    variables = formula_variables(formula)
    p = fit.predict(features)
    out = pd.DataFrame({"ccode": features["ccode"].to_numpy(), "country": features["country"].to_numpy(), "p_join": p})
    for v in variables:
        out[v] = features[v].to_numpy()
    lacking = features[variables].isna()
    out["missing"] = [", ".join(np.array(variables)[row]) for row in lacking.to_numpy()]
    out.loc[lacking.any(axis=1).to_numpy(), "p_join"] = np.nan
    out = out.sort_values(["p_join", "ccode"], ascending=[False, True], na_position="last", ignore_index=True)
    out.attrs = {
        "formula": formula, "method": method, "train_until": int(train_until),
        "n_train_coalitions": int(train.dropna(subset=["joined", *variables])["coalition_id"].nunique()),
        "n_train_rows": int(fit.fit_stats["n_obs"]),
        "lead_ccode": int(candidates["lead_ccode"].iloc[0]), "date": f"{ts:%Y-%m-%d}", "is_seed": is_seed,
        "sources": dict(features.attrs.get("sources", {})),
        "labels_as_of": train.attrs["labels_as_of"], "late_joins_relabelled": train.attrs["late_joins_relabelled"],
        "late_joins": list(train.attrs["late_joins"]),
        "coefficients": fit.tidy().to_dict(orient="index"),  # plain dicts: pandas compares attrs
    }
    return out
