"""Join the two sibling stages: a bargaining world whose prices follow the participation model.

``bargaining`` and ``models`` never import each other; the planner stage, after both, builds the
candidates' embeddedness (measures), their P(join) from the participation model fitted on the
coalitions that began before the date (models), and calibrates the bargaining world's prices so
each candidate accepts the lead's optimal offer with that probability (bargaining).
"""

from __future__ import annotations

import os
import warnings

import pandas as pd

from coalitionlab.errors import MissingValueWarning, SeedDataWarning
from coalitionlab.measures import embeddedness
from coalitionlab.models.data import participation_data
from coalitionlab.models.predict import SEED_FORMULA, predict_participation


def candidates_with_p_join(
    lead: str | int,
    date: str | pd.Timestamp,
    *,
    data_dir: str | os.PathLike | None = None,
    source: str = "auto",
) -> pd.DataFrame:
    """Embeddedness of every candidate with ``lead`` on ``date`` plus ``p_join`` from the participation model.

    The model is fitted on coalitions that began up to the year before ``date``. Candidates the
    full model cannot score (a control missing) get the embeddedness-only model's probability;
    ``attrs["prior_from"]`` records both formulas, the training window and how many used the fallback.
    On a data directory the frame is kept in the disk cache, keyed by the SHA-256 of the data and the code.
    """
    from coalitionlab._cache import cache_key, cached, code_fingerprint, data_fingerprint

    dfp = data_fingerprint(data_dir)
    if dfp == "seed":
        return _candidates_with_p_join(lead, date, data_dir=data_dir, source=source)
    key = cache_key(dfp, code_fingerprint(), str(lead), str(date), source)
    return cached("candidates", key, lambda: _candidates_with_p_join(lead, date, data_dir=data_dir, source=source),
                  folder_name="planner", replay_warnings=True)[0]


def _candidates_with_p_join(lead, date, *, data_dir, source) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeedDataWarning)  # attrs["is_seed"] carries it
        warnings.simplefilter("ignore", MissingValueWarning)  # rows used are recorded in attrs
        frame = embeddedness(lead, date, data_dir=data_dir, source=source)
        src = "seed" if frame.attrs.get("is_seed") else "full"
        train_until = pd.Timestamp(date).year - 1
        panel = participation_data(data_dir=data_dir, lags=(), contact=False, source=src)
        full = predict_participation(lead, date, train_until=train_until, data_dir=data_dir, panel=panel, source=src)
        simple = predict_participation(lead, date, train_until=train_until, data_dir=data_dir, panel=panel,
                                       source=src, formula=SEED_FORMULA)
    p = full.set_index("ccode")["p_join"].fillna(simple.set_index("ccode")["p_join"])
    out = frame.copy()
    out["p_join"] = out["ccode"].map(p).to_numpy()
    out.attrs = {**frame.attrs, "prior_from": {
        "model": full.attrs["formula"], "fallback": SEED_FORMULA, "train_until": int(train_until),
        "n_fallback": int(full["p_join"].isna().sum()), "n_train_coalitions": int(full.attrs["n_train_coalitions"])}}
    return out
