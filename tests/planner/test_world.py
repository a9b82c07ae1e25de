"""The planner's join of the two sibling stages, on the real data."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from coalitionlab.errors import MissingValueWarning
from coalitionlab.models.data import DEFAULT_FORMULA, participation_data
from coalitionlab.models.predict import SEED_FORMULA, predict_participation
from coalitionlab.planner.world import candidates_with_p_join


def test_p_join_uses_the_full_model_and_falls_back_where_a_control_is_missing(shared_data: Path) -> None:
    out = candidates_with_p_join("USA", "2003-03-20", data_dir=shared_data)
    prior = out.attrs["prior_from"]
    assert prior["train_until"] == 2002 and prior["fallback"] == SEED_FORMULA
    assert out["p_join"].between(0, 1).all()  # every candidate is scored
    panel = participation_data(data_dir=shared_data, lags=(), contact=False, source="full")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValueWarning)
        full = predict_participation("USA", "2003-03-20", train_until=2002, data_dir=shared_data, panel=panel)
        simple = predict_participation("USA", "2003-03-20", train_until=2002, data_dir=shared_data, panel=panel,
                                       formula=SEED_FORMULA)
    assert prior["n_fallback"] == int(full["p_join"].isna().sum()) > 0
    got = out.set_index("ccode")["p_join"]
    scored = full.dropna(subset=["p_join"]).set_index("ccode")["p_join"]
    np.testing.assert_allclose(got.loc[scored.index], scored, rtol=1e-12)
    fallback = full.loc[full["p_join"].isna(), "ccode"]
    np.testing.assert_allclose(got.loc[fallback], simple.set_index("ccode").loc[fallback, "p_join"], rtol=1e-12)
    # the oracle: statsmodels' logit refitted here on the coalitions begun by 2002, each label as it stood on
    # 2002-12-31 (a state that joined later is a non-joiner then), applied to the candidates' features
    assert prior["model"] == DEFAULT_FORMULA
    train = panel[pd.to_datetime(panel["start_date"]).dt.year <= 2002]
    known = pd.to_datetime(train["join_date"]).fillna(pd.to_datetime(train["start_date"])) <= "2002-12-31"
    train = train.assign(joined=((train["joined"] == 1) & known).astype(int))
    assert (train["joined"] < panel.loc[train.index, "joined"]).any()  # some joins came after 2002 (CTF-150)
    feats = full.set_index("ccode")
    for formula, ccodes in ((DEFAULT_FORMULA, scored.index), (SEED_FORMULA, fallback)):
        terms = [t.strip() for t in formula.split("~")[1].split("+")]
        rows = train.dropna(subset=terms)
        beta = sm.Logit(rows["joined"].to_numpy(float), sm.add_constant(rows[terms].to_numpy(float))).fit(
            disp=0).params
        eta = beta[0] + feats.loc[ccodes, terms].to_numpy(float) @ beta[1:]
        np.testing.assert_allclose(got.loc[ccodes], 1 / (1 + np.exp(-eta)), rtol=1e-6)
    # the feature the fallback needs is the frame's own embeddedness
    emb = out.set_index("ccode")["embeddedness"]
    np.testing.assert_allclose(feats.loc[emb.index, "embeddedness_log1p"], np.log1p(emb), rtol=1e-12)
    # trained only on coalitions that began before 2003
    assert full.attrs["train_until"] == 2002
    assert 0 < prior["n_train_coalitions"] <= panel.loc[panel["year"] <= 2002, "coalition_id"].nunique()
    assert prior["n_train_coalitions"] < panel["coalition_id"].nunique()
