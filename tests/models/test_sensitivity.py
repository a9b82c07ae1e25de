"""Sensitivity formulas against published worked examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from coalitionlab.errors import EstimationError
from coalitionlab.models.sensitivity import (
    lpm_sensitivity,
    oster_delta,
    oster_delta_approx,
    partial_r2,
    robustness_value,
)


def test_cinelli_hazlett_darfur_example() -> None:
    """Cinelli & Hazlett (2020), Table 1: 'directly harmed', t = 4.18 on 783 df:
    partial R2 = 2.2%, RV_{q=1} = 13.9%, RV_{q=1, alpha=0.05} = 7.6%."""
    assert partial_r2(4.18, 783) == pytest.approx(0.022, abs=5e-4)
    assert robustness_value(4.18, 783) == pytest.approx(0.139, abs=5e-4)
    assert robustness_value(4.18, 783, alpha=0.05) == pytest.approx(0.076, abs=5e-4)


def test_robustness_value_bounds() -> None:
    assert robustness_value(0.5, 500, alpha=0.05) == 0.0  # insignificant already
    assert 0 < robustness_value(2.0, 100, q=0.5) < robustness_value(2.0, 100, q=1.0) < 1
    with pytest.raises(EstimationError):
        partial_r2(2.0, 0)


def _oster_design(g1: float, c1: float, g2: float, c2: float, seed: int, n: int = 400_000):
    """y = x + c1 z1 + c2 z2 + e, x = g1 z1 + g2 z2 + u, z1 observed, z2 not, z1 and z2 independent
    (Oster's setting). Proportional selection: delta = (g2 / c2) / (g1 / c1), the ratio of the
    treatment's covariance with each index to the index's variance."""
    rng = np.random.default_rng(seed)
    z1, z2 = rng.normal(size=n), rng.normal(size=n)
    x = g1 * z1 + g2 * z2 + rng.normal(size=n)
    y = 1.0 * x + c1 * z1 + c2 * z2 + rng.normal(size=n)
    short = sm.OLS(y, sm.add_constant(x)).fit()
    long = sm.OLS(y, sm.add_constant(np.column_stack([x, z1]))).fit()
    full = sm.OLS(y, sm.add_constant(np.column_stack([x, z1, z2]))).fit()
    tau_x = np.var(sm.OLS(x, sm.add_constant(z1)).fit().resid)
    moments = dict(beta_short=short.params[1], r2_short=short.rsquared, beta_long=long.params[1],
                   r2_long=long.rsquared, r_max=full.rsquared, beta_target=full.params[1])
    return (g2 / c2) / (g1 / c1), moments, dict(var_y=np.var(y), var_x=np.var(x), var_x_resid=tau_x)


@pytest.mark.parametrize("g1, c1, g2, c2", [(0.5, 1.0, 0.5, 1.0), (0.4, 1.0, 0.6, 0.5), (0.8, 2.0, 0.3, 1.5)])
def test_exact_oster_delta_recovers_the_simulated_delta(g1: float, c1: float, g2: float, c2: float) -> None:
    """With r_max the full regression's R2 and the target the full regression's estimate, delta* is
    the design's delta (1, 3 and 0.5 here) up to sampling error; the approximation is not, away from 1."""
    truth, m, variances = _oster_design(g1, c1, g2, c2, seed=11)
    assert oster_delta(**m, **variances) == pytest.approx(truth, rel=0.01)
    if abs(truth - 1) > 0.4:  # the approximation misses by more than 8%: it would not pass the check above
        assert abs(oster_delta_approx(**m) - truth) > 0.08 * truth
    with pytest.raises(EstimationError, match="must exceed"):
        oster_delta(0.5, 0.1, 0.4, 0.3, r_max=0.2, var_y=1, var_x=1, var_x_resid=0.5)
    with pytest.raises(EstimationError, match="var_x_resid"):
        oster_delta(0.5, 0.1, 0.4, 0.3, r_max=0.5, var_y=1, var_x=1, var_x_resid=2.0)


def test_lpm_sensitivity_uses_the_classical_t() -> None:
    """The partial R2 computed directly (Frisch-Waugh: the R2 of the outcome's residual on the
    treatment's residual, both net of the controls) equals t^2 / (t^2 + dof) only for the classical
    t; a heteroskedastic design makes the HC1 t give a different (wrong) partial R2."""
    rng = np.random.default_rng(5)
    n = 3000
    control = rng.normal(size=n)
    treat = 0.6 * control + rng.exponential(size=n)
    p = np.clip(0.2 + 0.08 * treat + 0.05 * control, 0.01, 0.99)
    data = pd.DataFrame({"joined": (rng.random(n) < p).astype(int), "treat": treat, "control": control})
    res = lpm_sensitivity("joined ~ treat + control", data, treatment="treat")
    Z = sm.add_constant(control)
    ry = data["joined"] - sm.OLS(data["joined"], Z).fit().fittedvalues
    rx = treat - sm.OLS(treat, Z).fit().fittedvalues
    direct = np.corrcoef(ry, rx)[0, 1] ** 2
    assert res["partial_r2"] == pytest.approx(direct, rel=1e-9)
    hc1_t = sm.OLS(data["joined"], sm.add_constant(data[["treat", "control"]])).fit(cov_type="HC1").tvalues["treat"]
    assert abs(partial_r2(hc1_t, n - 3) - direct) > 1e-4  # the bug this guards against
    f = abs(res["t_classical"]) / np.sqrt(res["dof"])
    assert res["robustness_value"] == pytest.approx(0.5 * (np.sqrt(f**4 + 4 * f**2) - f**2), rel=1e-12)
    assert res["n_obs"] == n and res["r_max"] == pytest.approx(min(1, 1.3 * res["r2_long"]))
    with pytest.raises(EstimationError, match="not a term"):
        lpm_sensitivity("joined ~ control", data, treatment="treat")


def test_robustness_value_alpha_when_the_constraint_does_not_bind() -> None:
    """Cinelli & Hazlett's RV_{q,alpha} has a second branch: when f_q > 1 / f_crit a confounder that
    explains all of the treatment is not needed, and RV = (f_q^2 - f_crit^2) / (1 + f_q^2) (as in
    the authors' sensemakr). t = 20 with 10 degrees of freedom: f_q = 6.32 > 1 / f_crit = 1.33."""
    f_q = 20 / np.sqrt(10)
    f_crit = stats.t.ppf(0.975, 9) / np.sqrt(9)
    assert f_q > 1 / f_crit
    expected = (f_q**2 - f_crit**2) / (1 + f_q**2)  # 0.9617, not the binding-case 0.970
    assert robustness_value(20.0, 10, alpha=0.05) == pytest.approx(expected, rel=1e-12)
    # the binding case is unchanged below the threshold (Darfur example above) and the branches meet at it
    t_edge = np.sqrt(10) / f_crit
    assert robustness_value(t_edge * (1 - 1e-9), 10, alpha=0.05) == pytest.approx(
        robustness_value(t_edge * (1 + 1e-9), 10, alpha=0.05), abs=1e-6)
