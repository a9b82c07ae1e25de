"""Sensitivity formulas against published worked examples."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

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
