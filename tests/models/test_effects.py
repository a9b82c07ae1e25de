"""Predicted probabilities and first differences against oracles the code does not compute: averages
of statsmodels' own predictions by hand, statsmodels' delta-method average prediction, a numerical
gradient, a large simulation written here, and the closed form of the linear probability model."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from coalitionlab.errors import EstimationError, MissingValueWarning, UnknownOptionError
from coalitionlab.models import fit_participation
from coalitionlab.models.effects import first_difference, predicted_probabilities


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 1200
    df = pd.DataFrame({"x": rng.gamma(2.0, 1.0, size=n), "z": rng.normal(size=n),
                       "coalition_id": np.repeat(np.arange(60), n // 60)})
    eta = -2.5 + 0.7 * df["x"] + 0.4 * df["z"]
    df["joined"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return df


def _exog(df: pd.DataFrame, x_value: float | None = None) -> pd.DataFrame:
    X = sm.add_constant(df[["x", "z"]])
    if x_value is not None:
        X = X.assign(x=x_value)
    return X


@pytest.fixture(scope="module")
def sm_logit(data: pd.DataFrame):
    return sm.Logit(data["joined"], _exog(data)).fit(disp=0)


def test_average_prediction_by_hand_and_statsmodels_delta_method(data, sm_logit) -> None:
    res = fit_participation("joined ~ x + z", data)
    values = [0.5, 3.0]
    pp = predicted_probabilities(res, data, "x", values=values, interval="delta")
    for v, (_, row) in zip(values, pp.iterrows()):
        by_hand = float(np.mean(sm_logit.predict(_exog(data, v))))  # statsmodels' predictions, averaged here
        assert row["estimate"] == pytest.approx(by_hand, rel=1e-8)
        oracle = sm_logit.get_prediction(_exog(data, v), average=True).summary_frame(alpha=0.05)
        assert row["std_error"] == pytest.approx(float(oracle["se"].iloc[0]), rel=1e-6)
        assert row["ci_low"] == pytest.approx(float(oracle["ci_lower"].iloc[0]), rel=1e-6)
        assert row["ci_high"] == pytest.approx(float(oracle["ci_upper"].iloc[0]), rel=1e-6)
    assert list(pp.columns) == ["term", "value", "estimate", "std_error", "ci_low", "ci_high"]
    assert pp.attrs["n_obs"] == len(data) and pp.attrs["interval"] == "delta"


def test_clustered_covariance_carries_through(data) -> None:
    res = fit_participation("joined ~ x + z", data, cluster="coalition_id")
    o = sm.Logit(data["joined"], _exog(data)).fit(disp=0, cov_type="cluster",
                                                 cov_kwds={"groups": data["coalition_id"].to_numpy()})
    pp = predicted_probabilities(res, data, "x", values=[2.0], interval="delta", level=0.9)
    oracle = o.get_prediction(_exog(data, 2.0), average=True).summary_frame(alpha=0.1)
    assert pp["std_error"].iloc[0] == pytest.approx(float(oracle["se"].iloc[0]), rel=1e-6)
    assert pp["ci_low"].iloc[0] == pytest.approx(float(oracle["ci_lower"].iloc[0]), rel=1e-6)


def test_default_grid_spans_the_observed_range(data) -> None:
    res = fit_participation("joined ~ x + z", data)
    pp = predicted_probabilities(res, data, "x", n=7, interval="delta")
    assert np.allclose(pp["value"], np.linspace(data["x"].min(), data["x"].max(), 7))
    assert pp["estimate"].is_monotonic_increasing  # a positive coefficient


def test_simulation_interval_matches_delta_method_and_is_seeded(data, sm_logit) -> None:
    res = fit_participation("joined ~ x + z", data)
    sim = predicted_probabilities(res, data, "x", values=[1.0, 4.0], n_sims=20000, seed=3)
    oracle = [sm_logit.get_prediction(_exog(data, v), average=True).summary_frame() for v in (1.0, 4.0)]
    for (_, row), o in zip(sim.iterrows(), oracle):
        assert row["std_error"] == pytest.approx(float(o["se"].iloc[0]), rel=0.04)
        assert row["ci_low"] == pytest.approx(float(o["ci_lower"].iloc[0]), abs=0.15 * float(o["se"].iloc[0]))
        assert row["ci_high"] == pytest.approx(float(o["ci_upper"].iloc[0]), abs=0.15 * float(o["se"].iloc[0]))
    again = predicted_probabilities(res, data, "x", values=[1.0, 4.0], n_sims=20000, seed=3)
    pd.testing.assert_frame_equal(sim, again)
    other = predicted_probabilities(res, data, "x", values=[1.0, 4.0], n_sims=20000, seed=4)
    assert not np.allclose(sim["ci_low"], other["ci_low"], rtol=0, atol=1e-12)
    assert sim.attrs["seed"] == 3 and sim.attrs["n_sims"] == 20000


def test_first_difference_against_hand_and_large_simulation(data, sm_logit) -> None:
    res = fit_participation("joined ~ x + z", data)
    lo_v, hi_v = np.quantile(data["x"], [0.1, 0.9])
    p_lo = float(np.mean(sm_logit.predict(_exog(data, lo_v))))
    p_hi = float(np.mean(sm_logit.predict(_exog(data, hi_v))))

    # oracle: 50,000 coefficient draws from statsmodels' estimate and covariance, with a generator of our own
    rng = np.random.default_rng(12345)
    draws = rng.multivariate_normal(sm_logit.params.to_numpy(), sm_logit.cov_params().to_numpy(), size=50_000)
    X_lo, X_hi = _exog(data, lo_v).to_numpy(), _exog(data, hi_v).to_numpy()
    diffs = np.empty(len(draws))
    for s in range(0, len(draws), 20_000):
        b = draws[s:s + 20_000].T
        diffs[s:s + 20_000] = (1 / (1 + np.exp(-X_hi @ b))).mean(axis=0) - (1 / (1 + np.exp(-X_lo @ b))).mean(axis=0)

    # oracle: the delta method with a numerical (central-difference) gradient
    def avg_diff(beta: np.ndarray) -> float:
        return float((1 / (1 + np.exp(-X_hi @ beta))).mean() - (1 / (1 + np.exp(-X_lo @ beta))).mean())

    beta = sm_logit.params.to_numpy()
    h = 1e-6
    grad = np.array([(avg_diff(beta + h * e) - avg_diff(beta - h * e)) / (2 * h) for e in np.eye(len(beta))])
    se_delta = float(np.sqrt(grad @ sm_logit.cov_params().to_numpy() @ grad))

    delta = first_difference(res, data, "x", interval="delta")
    sim = first_difference(res, data, "x", n_sims=5000, seed=1)
    for fd in (delta, sim):
        row = fd.iloc[0]
        assert row["low"] == pytest.approx(lo_v) and row["high"] == pytest.approx(hi_v)
        assert row["p_low"] == pytest.approx(p_lo, rel=1e-8) and row["p_high"] == pytest.approx(p_hi, rel=1e-8)
        assert row["difference"] == pytest.approx(p_hi - p_lo, rel=1e-8)
    assert delta["std_error"].iloc[0] == pytest.approx(se_delta, rel=1e-5)
    assert delta["ci_low"].iloc[0] == pytest.approx(p_hi - p_lo - stats.norm.ppf(0.975) * se_delta, rel=1e-5)
    assert sim["std_error"].iloc[0] == pytest.approx(diffs.std(), rel=0.05)
    q_lo, q_hi = np.quantile(diffs, [0.025, 0.975])
    assert sim["ci_low"].iloc[0] == pytest.approx(q_lo, abs=0.12 * diffs.std())
    assert sim["ci_high"].iloc[0] == pytest.approx(q_hi, abs=0.12 * diffs.std())


def test_lpm_first_difference_is_the_slope_times_the_range(data) -> None:
    res = fit_participation("joined ~ x + z", data, method="lpm")
    ols = sm.OLS(data["joined"], _exog(data)).fit(cov_type="HC1")
    fd = first_difference(res, data, "x", low=1.0, high=3.5, interval="delta").iloc[0]
    assert fd["difference"] == pytest.approx(2.5 * ols.params["x"], rel=1e-8)
    assert fd["std_error"] == pytest.approx(2.5 * ols.bse["x"], rel=1e-6)
    pp = predicted_probabilities(res, data, "x", values=[1.0], interval="delta")
    assert pp["estimate"].iloc[0] == pytest.approx(float(ols.predict(_exog(data, 1.0)).mean()), rel=1e-8)


def test_probit_against_statsmodels(data) -> None:
    res = fit_participation("joined ~ x + z", data, method="probit")
    o = sm.Probit(data["joined"], _exog(data)).fit(disp=0)
    pp = predicted_probabilities(res, data, "x", values=[2.5], interval="delta")
    oracle = o.get_prediction(_exog(data, 2.5), average=True).summary_frame()
    assert pp["estimate"].iloc[0] == pytest.approx(float(oracle["predicted"].iloc[0]), rel=1e-6)
    assert pp["std_error"].iloc[0] == pytest.approx(float(oracle["se"].iloc[0]), rel=1e-5)


def test_transforms_of_the_term_follow_it(data) -> None:
    res = fit_participation("joined ~ x + I(x ** 2) + z", data)
    X = sm.add_constant(data[["x", "z"]]).assign(x2=data["x"] ** 2)[["const", "x", "x2", "z"]]
    o = sm.Logit(data["joined"], X).fit(disp=0)
    for v in (0.5, 2.0):
        pp = predicted_probabilities(res, data, "x", values=[v], interval="delta")
        assert pp["estimate"].iloc[0] == pytest.approx(float(o.predict(X.assign(x=v, x2=v * v)).mean()), rel=1e-6)


def test_rows_missing_a_variable_are_left_out_with_a_warning(data, sm_logit) -> None:
    df = data.copy()
    df.loc[:99, "z"] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValueWarning)
        res = fit_participation("joined ~ x + z", df)
    with pytest.warns(MissingValueWarning, match="100 of 1200 rows"):
        pp = predicted_probabilities(res, df, "x", values=[2.0], interval="delta")
    kept = df.iloc[100:]
    o = sm.Logit(kept["joined"], _exog(kept)).fit(disp=0)
    assert pp["estimate"].iloc[0] == pytest.approx(float(o.predict(_exog(kept, 2.0)).mean()), rel=1e-6)
    assert pp.attrs["n_obs"] == 1100


def test_conditional_logit_is_refused(data) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValueWarning)
        res = fit_participation("joined ~ x + z", data, method="clogit", fe="coalition_id")
    for call in (lambda: predicted_probabilities(res, data, "x"), lambda: first_difference(res, data, "x")):
        with pytest.raises(EstimationError, match="conditional logit predicts no probabilities") as exc:
            call()
        assert "\n" not in str(exc.value)


def test_bad_input_is_one_line(data) -> None:
    res = fit_participation("joined ~ x + z", data)
    df = data.assign(name="a")
    cases = [
        (lambda: predicted_probabilities(res, data, "coalition_id"), EstimationError, "not a column the model uses"),
        (lambda: predicted_probabilities(res, data, "nope"), EstimationError, "not a column the model uses"),
        (lambda: predicted_probabilities(res, data, "x", values=[]), EstimationError, "finite"),
        (lambda: predicted_probabilities(res, data, "x", values=[np.nan]), EstimationError, "finite"),
        (lambda: predicted_probabilities(res, data, "x", n=1), EstimationError, "at least 2"),
        (lambda: predicted_probabilities(res, data, "x", level=95), EstimationError, "level"),
        (lambda: predicted_probabilities(res, data, "x", n_sims=0), EstimationError, "n_sims"),
        (lambda: predicted_probabilities(res, data, "x", interval="bootstrap"), UnknownOptionError, "interval"),
        (lambda: predicted_probabilities("model", data, "x"), EstimationError, "fitted participation model"),
        (lambda: first_difference(res, data, "x", low_q=0.9, high_q=0.1), EstimationError, "low_q < high_q"),
        (lambda: first_difference(res, data, "x", low=1.0, high=1.0), EstimationError, "equal"),
        (lambda: predicted_probabilities(res, df.assign(x=df["name"]), "x"), EstimationError, "numeric"),
    ]
    for call, err, text in cases:
        with pytest.raises(err) as exc:
            call()
        assert text in str(exc.value) and "\n" not in str(exc.value), str(exc.value)
    logres = fit_participation("joined ~ log(x) + z", data)
    with pytest.raises(EstimationError, match="non-finite"):
        predicted_probabilities(logres, data, "x", values=[0.0])
