"""Sensitivity of a linear-probability estimate to omitted confounding.

Implemented natively from the published formulas and tested against their worked examples.

- Cinelli & Hazlett (2020): the treatment's partial R-squared with the outcome and the
  robustness value RV_q (how strongly a confounder would have to be associated with both
  treatment and outcome to cut the estimate by 100q percent), and RV_{q,alpha} (to make it
  statistically insignificant at level alpha).
- Oster (2019): delta*, how much more important unobservables would need to be than the
  observables to drive the estimate to ``beta_target``, given a maximum R-squared
  ``r_max`` (she proposes 1.3 times the controlled R-squared): her exact closed form, not
  the approximation (which is right only near delta = 1).
- :func:`lpm_sensitivity` computes all of them from a formula and data, with the classical
  OLS t-statistic that the Cinelli-Hazlett formulas assume.

References
----------
Cinelli, C. and Hazlett, C. (2020). Making sense of sensitivity: extending omitted variable
bias. *JRSS B* 82(1), 39-67.
Oster, E. (2019). Unobservable selection and coefficient stability: theory and evidence.
*Journal of Business & Economic Statistics* 37(2), 187-204.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
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


def _checked_r_max(r2_short: float, r2_long: float, r_max: float | None) -> float:
    """Oster's ``R_max`` (default ``min(1, 1.3 R2_long)``) after checking the R-squared values."""
    if r_max is None:
        r_max = min(1.0, 1.3 * r2_long)
    if not (0 <= r2_short <= 1 and 0 <= r2_long <= 1 and 0 < r_max <= 1):
        raise EstimationError("R-squared values must lie in [0, 1]")
    if r_max <= r2_long:
        raise EstimationError(f"r_max ({r_max}) must exceed the controlled R-squared ({r2_long})")
    return r_max


def oster_delta(beta_short: float, r2_short: float, beta_long: float, r2_long: float, *,
                var_y: float, var_x: float, var_x_resid: float, r_max: float | None = None,
                beta_target: float = 0.0) -> float:
    """Oster's exact delta*: the relative selection on unobservables that moves the estimate to ``beta_target``.

    The closed form of Oster (2019, Proposition 2) solved for delta, as computed by her ``psacalc``
    (and R's ``robomit::o_delta``). With b = beta_long - beta_target and d = beta_short - beta_long::

        A = b var_y (var_x - tau_x) + var_y var_x d
        B = b^3 (var_x tau_x - tau_x^2) + b^2 var_x tau_x d
        C = b var_y tau_x (r2_long - r2_short) + b var_x tau_x d^2 + b^3 (var_x tau_x - tau_x^2)
            + 2 b^2 var_x tau_x d
        delta* = C / (A (r_max - r2_long) + B)

    Parameters
    ----------
    beta_short, r2_short
        Estimate and R-squared without the controls.
    beta_long, r2_long
        Estimate and R-squared with the controls (on the same rows).
    var_y, var_x
        Variances of the outcome and of the treatment on those rows.
    var_x_resid
        tau_x: the variance of the treatment's residual from a regression on the controls.
    r_max
        The R-squared of a hypothetical regression on observables and unobservables;
        default 1.3 * r2_long capped at 1 (Oster's proposed bound).
    beta_target
        The estimate the unobservables would have to produce (0: explain the effect away).

    Examples
    --------
    The exact value and the approximation part as delta leaves 1 (the test suite checks the exact
    one against simulated designs whose delta is known):

    >>> round(oster_delta(1.2, 0.60, 1.1, 0.70, var_y=4.0, var_x=1.5, var_x_resid=1.2, r_max=0.85), 3)
    1.485
    >>> round(oster_delta_approx(1.2, 0.60, 1.1, 0.70, r_max=0.85), 3)
    7.333
    """
    r_max = _checked_r_max(r2_short, r2_long, r_max)
    if not (var_y > 0 and var_x > 0 and 0 < var_x_resid <= var_x * (1 + 1e-9)):
        raise EstimationError("Oster's delta needs var_y > 0, var_x > 0 and 0 < var_x_resid <= var_x "
                              f"(got {var_y}, {var_x}, {var_x_resid})")
    b, d, tx = beta_long - beta_target, beta_short - beta_long, var_x_resid
    a_term = b * var_y * (var_x - tx) + var_y * var_x * d
    b_term = b**3 * (var_x * tx - tx**2) + b**2 * var_x * tx * d
    c_term = (b * var_y * tx * (r2_long - r2_short) + b * var_x * tx * d**2 + b**3 * (var_x * tx - tx**2)
              + 2 * b**2 * var_x * tx * d)
    denominator = a_term * (r_max - r2_long) + b_term
    if denominator == 0:
        return float("inf")
    return float(c_term / denominator)


def oster_delta_approx(beta_short: float, r2_short: float, beta_long: float, r2_long: float, *,
                       r_max: float | None = None, beta_target: float = 0.0) -> float:
    """Oster's approximate delta (her eq. 9 inverted), exact only when delta is near 1.

    delta ~ (beta_long - beta_target) (r2_long - r2_short) / ((beta_short - beta_long) (r_max - r2_long)).
    Kept to show how far the approximation is from :func:`oster_delta`; use that one.

    Examples
    --------
    >>> round(oster_delta_approx(0.5, 0.10, 0.4, 0.30, r_max=0.39), 3)
    8.889
    """
    r_max = _checked_r_max(r2_short, r2_long, r_max)
    moved = beta_short - beta_long
    if moved == 0:
        return float("inf")
    return float((beta_long - beta_target) * (r2_long - r2_short) / (moved * (r_max - r2_long)))


def lpm_sensitivity(formula: str, data: pd.DataFrame, *, treatment: str, r_max: float | None = None,
                    alpha: float = 0.05, beta_target: float = 0.0) -> pd.Series:
    """Cinelli-Hazlett and Oster sensitivity of a linear-probability estimate, computed as their software does.

    The partial R-squared and robustness values use the classical (homoskedastic) OLS t-statistic
    and residual degrees of freedom, as ``sensemakr`` does (their formulas are identities of the
    classical t, not of a robust or clustered one). Oster's delta* is exact (:func:`oster_delta`),
    the short regression (treatment only) fitted on the long regression's rows.

    Parameters
    ----------
    formula
        The long regression, ``joined ~ treatment + controls`` (checked like every formula).
    treatment
        The term whose sensitivity is reported.
    r_max
        Oster's bound; default 1.3 times the long regression's R-squared, capped at 1.

    Returns
    -------
    pandas.Series
        ``estimate, t_classical, dof, partial_r2, robustness_value, robustness_value_alpha, alpha,
        r2_short, r2_long, r_max, oster_delta, oster_delta_approx, n_obs``.
    """
    import statsmodels.api as sm
    from formulaic import model_matrix

    from coalitionlab.models.formula import FORMULA_CONTEXT, check_formula

    check_formula(formula, data.columns)
    mm = model_matrix(formula, data.reset_index(drop=True), na_action="drop", context=FORMULA_CONTEXT)
    names = list(mm.rhs.columns)
    if treatment not in names:
        raise EstimationError(f"treatment {treatment!r} is not a term of {formula!r}")
    X = np.asarray(mm.rhs, dtype=float)
    y = mm.lhs.iloc[:, 0].to_numpy(dtype=float)
    j = names.index(treatment)
    long = sm.OLS(y, X).fit()  # classical covariance: what the sensitivity formulas are written for
    others = [i for i in range(X.shape[1]) if i != j]
    intercept = [i for i in others if np.all(X[:, i] == X[0, i])]
    short = sm.OLS(y, X[:, intercept + [j]]).fit()
    controls = X[:, others]
    x_resid = X[:, j] - controls @ np.linalg.lstsq(controls, X[:, j], rcond=None)[0]
    t_stat, dof = float(long.tvalues[j]), int(long.df_resid)
    r2_long = float(long.rsquared)
    bound = min(1.0, 1.3 * r2_long) if r_max is None else r_max
    beta_short = float(short.params[-1])
    delta = oster_delta(beta_short, float(short.rsquared), float(long.params[j]), r2_long,
                        var_y=float(np.var(y)), var_x=float(np.var(X[:, j])), var_x_resid=float(np.var(x_resid)),
                        r_max=bound, beta_target=beta_target)
    return pd.Series({
        "estimate": float(long.params[j]), "t_classical": t_stat, "dof": dof,
        "partial_r2": partial_r2(t_stat, dof), "robustness_value": robustness_value(t_stat, dof),
        "robustness_value_alpha": robustness_value(t_stat, dof, alpha=alpha), "alpha": alpha,
        "r2_short": float(short.rsquared), "r2_long": r2_long, "r_max": bound, "oster_delta": delta,
        "oster_delta_approx": oster_delta_approx(beta_short, float(short.rsquared), float(long.params[j]), r2_long,
                                                 r_max=bound, beta_target=beta_target),
        "n_obs": len(y),
    }, name=treatment)
