"""Sensitivity of a linear-probability estimate to omitted confounding.

Implemented natively from the published formulas and tested against their worked examples.

- Cinelli & Hazlett (2020): the treatment's partial R-squared with the outcome and the
  robustness value RV_q (how strongly a confounder would have to be associated with both
  treatment and outcome to cut the estimate by 100q percent), and RV_{q,alpha} (to make it
  statistically insignificant at level alpha).
- Oster (2019): delta, how much more important unobservables would need to be than the
  observables to drive the estimate to ``beta_target``, given a maximum R-squared
  ``r_max`` (she proposes 1.3 times the controlled R-squared).

References
----------
Cinelli, C. and Hazlett, C. (2020). Making sense of sensitivity: extending omitted variable
bias. *JRSS B* 82(1), 39-67.
Oster, E. (2019). Unobservable selection and coefficient stability: theory and evidence.
*Journal of Business & Economic Statistics* 37(2), 187-204.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from coalitionlab.errors import EstimationError


def partial_r2(t_stat: float, dof: int) -> float:
    """Partial R-squared of the treatment with the outcome: t^2 / (t^2 + dof).

    Examples
    --------
    >>> round(partial_r2(4.18, 783), 3)   # Cinelli & Hazlett (2020), Darfur example
    0.022
    """
    if dof <= 0:
        raise EstimationError(f"degrees of freedom must be positive, got {dof}")
    return t_stat**2 / (t_stat**2 + dof)


def robustness_value(t_stat: float, dof: int, *, q: float = 1.0, alpha: float | None = None) -> float:
    """Robustness value RV_q (or RV_{q,alpha} when ``alpha`` is given), as a share in [0, 1].

    RV_q = (sqrt(f_q^4 + 4 f_q^2) - f_q^2) / 2 with f_q = q |t| / sqrt(dof); for RV_{q,alpha}
    f is first reduced by f_crit, the critical t of a test at level alpha with dof - 1 degrees of
    freedom divided by sqrt(dof - 1), and when f_q > 1 / f_crit (the bound on the confounder's
    association with the treatment does not bind) RV_{q,alpha} = (f_q^2 - f_crit^2) / (1 + f_q^2),
    as in Cinelli & Hazlett's ``sensemakr``.

    Examples
    --------
    >>> round(robustness_value(4.18, 783), 3)               # Cinelli & Hazlett (2020): 13.9%
    0.139
    >>> round(robustness_value(4.18, 783, alpha=0.05), 3)   # and 7.6%
    0.076
    """
    if dof <= 1:
        raise EstimationError(f"degrees of freedom must exceed 1, got {dof}")
    f = q * abs(t_stat) / np.sqrt(dof)
    if alpha is not None:
        f_crit = stats.t.ppf(1 - alpha / 2, dof - 1) / np.sqrt(dof - 1)
        if f <= f_crit:  # already insignificant: no confounding needed
            return 0.0
        if f > 1 / f_crit:  # the constraint does not bind
            return float((f**2 - f_crit**2) / (1 + f**2))
        f = f - f_crit
    return float(0.5 * (np.sqrt(f**4 + 4 * f**2) - f**2))


def oster_delta(beta_short: float, r2_short: float, beta_long: float, r2_long: float, *,
                r_max: float | None = None, beta_target: float = 0.0) -> float:
    """Oster's delta: relative selection on unobservables needed to move the estimate to ``beta_target``.

    Uses her approximation (Oster 2019, Proposition 2 / eq. 9 inverted):
    delta = (beta_long - beta_target) (r2_long - r2_short) / ((beta_short - beta_long) (r_max - r2_long)).

    Parameters
    ----------
    beta_short, r2_short
        Estimate and R-squared without the controls.
    beta_long, r2_long
        Estimate and R-squared with the controls.
    r_max
        The R-squared of a hypothetical regression on observables and unobservables;
        default 1.3 * r2_long capped at 1 (Oster's proposed bound).

    Examples
    --------
    >>> round(oster_delta(0.5, 0.10, 0.4, 0.30, r_max=0.39), 3)
    8.889
    """
    if r_max is None:
        r_max = min(1.0, 1.3 * r2_long)
    if not (0 <= r2_short <= 1 and 0 <= r2_long <= 1 and 0 < r_max <= 1):
        raise EstimationError("R-squared values must lie in [0, 1]")
    if r_max <= r2_long:
        raise EstimationError(f"r_max ({r_max}) must exceed the controlled R-squared ({r2_long})")
    moved = beta_short - beta_long
    if moved == 0:
        return float("inf")
    return float((beta_long - beta_target) * (r2_long - r2_short) / (moved * (r_max - r2_long)))
