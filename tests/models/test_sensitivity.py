"""Sensitivity formulas against published worked examples."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from coalitionlab.errors import EstimationError
from coalitionlab.models.sensitivity import oster_delta, partial_r2, robustness_value


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


def test_oster_delta_is_one_when_unobservables_mirror_observables() -> None:
    """Simulate y = b x + w1 + w2 with x correlated equally with an observed w1 and an unobserved
    w2 of equal variance: proportional selection with delta = 1 (Oster 2019)."""
    rng = np.random.default_rng(11)
    n = 200_000
    w1, w2 = rng.normal(size=n), rng.normal(size=n)
    x = 0.5 * w1 + 0.5 * w2 + rng.normal(size=n)
    y = 1.0 * x + w1 + w2 + rng.normal(size=n)
    short = sm.OLS(y, sm.add_constant(x)).fit()
    long = sm.OLS(y, sm.add_constant(np.column_stack([x, w1]))).fit()
    full = sm.OLS(y, sm.add_constant(np.column_stack([x, w1, w2]))).fit()
    delta = oster_delta(short.params[1], short.rsquared, long.params[1], long.rsquared,
                        r_max=full.rsquared, beta_target=full.params[1])
    assert delta == pytest.approx(1.0, abs=0.1)
    with pytest.raises(EstimationError, match="must exceed"):
        oster_delta(0.5, 0.1, 0.4, 0.3, r_max=0.2)


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
