"""Plots. Each takes a tidy frame, an optional matplotlib ``ax``, and returns the Figure.

matplotlib is imported inside the functions (with the non-interactive Agg backend), so importing
coalitionlab never needs a display.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _axes(ax: Any, size: tuple[float, float]) -> tuple[Any, Any]:
    plt = _pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=size)
        return fig, ax
    return ax.figure, ax


#: Panels of the coefficient plot: a design's estimate is on one of these scales.
COEF_SCALES: dict[str, str] = {
    "log_odds": "log-odds coefficient",
    "probit": "probit coefficient",
    "lpm": "linear probability coefficient",
    "permutation": "logit coefficient",
}


def coef_scale(design: str, method: str) -> str:
    """The panel (a key of :data:`COEF_SCALES`) a design's estimate belongs on.

    Log-odds estimates (logit, Firth, conditional logit, the bootstrap of the logit) share one
    axis. The linear probability model is on the probability scale and gets its own. The
    permutation row has no confidence interval: it is read against the distribution of the
    coefficients with the treatment shuffled (the null), so it too gets its own panel. A design
    that did not run (no method) goes on the panel its name implies.
    """
    if design == "permutation":
        return "permutation"
    if method == "lpm" or (not method and design == "lpm"):
        return "lpm"
    if method == "probit":
        return "probit"
    return "log_odds"


def coefplot(table: pd.DataFrame, *, label: str = "design", ax: Any = None, title: str | None = None,
             permutation_draws: np.ndarray | None = None, level: float = 0.95) -> Any:
    """Point estimates with confidence intervals, one row per ``label`` (e.g. the robustness table).

    Estimates on different scales are never drawn on one axis: with a ``method`` column (and
    ``design`` names), rows are split into panels by :func:`coef_scale`, log-odds designs sharing
    one, the linear probability model and the permutation test on their own. A panel's height
    follows its number of rows. In the permutation panel the band is the central ``level`` range
    of ``permutation_draws`` (the coefficients under the null), when given, and the point the
    observed coefficient. Without a ``method`` column all rows share one axis. Rows with no
    estimate (designs not run) are listed, labelled "(not run)", so nothing is hidden. ``ax``
    draws into one given axes, allowed only when all rows are on one scale.
    """
    table = table.reset_index(drop=True)
    by_scale = "method" in table.columns
    if by_scale:
        designs = (table["design"] if "design" in table.columns else table[label]).astype(str)
        scales = [coef_scale(d, m) for d, m in zip(designs, table["method"].fillna("").astype(str))]
    else:
        scales = ["log_odds"] * len(table)
    order = [k for k in COEF_SCALES if k in scales]
    if ax is not None:
        if len(order) > 1:
            from coalitionlab.errors import EstimationError

            raise EstimationError(f"the rows are on {len(order)} scales ({', '.join(order)}); they need a panel "
                                  "each: call coefplot without ax=")
        fig = ax.figure
        axes = [ax]
    else:
        plt = _pyplot()
        sizes = [max(1, scales.count(k)) for k in order] or [1]
        fig, axes = plt.subplots(len(sizes), 1, figsize=(7.5, 0.42 * len(table) + 1.0 + 0.9 * len(sizes)),
                                 gridspec_kw={"height_ratios": sizes}, squeeze=False)
        axes = list(axes[:, 0])
    for k, a in zip(order or ["log_odds"], axes):
        rows = table[[s == k for s in scales]]
        _coef_panel(a, rows, label, permutation_draws if k == "permutation" else None, level)
        name = COEF_SCALES[k] if by_scale else "coefficient"
        a.set_xlabel(f"{name} ({level:.0%} interval)" if k != "permutation" else
                     f"{name} (band: central {level:.0%} of the permuted)")
    if title:
        axes[0].set_title(title)
    fig.tight_layout()
    return fig


def _coef_panel(ax: Any, table: pd.DataFrame, label: str, draws: np.ndarray | None, level: float) -> None:
    y = np.arange(len(table))[::-1]
    est = table["estimate"].to_numpy(float)
    lo, hi = table["ci_low"].to_numpy(float), table["ci_high"].to_numpy(float)
    ok = np.isfinite(est)
    has_ci = ok & np.isfinite(lo) & np.isfinite(hi)
    if has_ci.any():
        ax.errorbar(est[has_ci], y[has_ci], xerr=[est[has_ci] - lo[has_ci], hi[has_ci] - est[has_ci]], fmt="o",
                    color="#2b5b84", capsize=3, label="estimate")
    if draws is not None and len(draws):
        a = (1 - level) / 2
        q_lo, q_hi = np.quantile(np.asarray(draws, float), [a, 1 - a])
        ax.axvspan(q_lo, q_hi, color="#bbb", alpha=0.5, label="permuted coefficients")
    if (ok & ~has_ci).any():
        ax.plot(est[ok & ~has_ci], y[ok & ~has_ci], "D", color="#2b5b84")  # estimates without an interval
    ax.axvline(0, color="#999", lw=1, ls="--")
    ax.set_yticks(y, [f"{d}" + ("" if k else " (not run)") for d, k in zip(table[label], ok)])
    ax.set_ylim(-0.6, len(table) - 0.4)


def calibration_plot(calibration: pd.DataFrame, *, ax: Any = None, title: str | None = None) -> Any:
    """Observed share joining against mean predicted probability by bin, with the diagonal."""
    fig, ax = _axes(ax, (4.5, 4.5))
    top = float(max(calibration["mean_predicted"].max(), calibration["observed"].max(), 0.05)) * 1.05
    ax.plot([0, top], [0, top], color="#999", ls="--", lw=1)
    ax.plot(calibration["mean_predicted"], calibration["observed"], "o-", color="#2b5b84")
    ax.set_xlabel("mean predicted P(join)")
    ax.set_ylabel("observed share joining")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def bar_top(frame: pd.DataFrame, value: str, *, label: str = "country", n: int = 20, ax: Any = None,
            title: str | None = None) -> Any:
    """Horizontal bars of the ``n`` largest ``value`` (e.g. embeddedness or P(join) by country)."""
    top = frame.dropna(subset=[value]).nlargest(n, value)
    fig, ax = _axes(ax, (7, 0.3 * len(top) + 1.2))
    ax.barh(top[label].astype(str)[::-1], top[value][::-1], color="#2b5b84")
    ax.set_xlabel(value)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def histogram(values: pd.Series, *, bins: int = 30, ax: Any = None, title: str | None = None, xlabel: str = "") -> Any:
    """A histogram of a numeric series (NaN dropped)."""
    fig, ax = _axes(ax, (6, 3.5))
    ax.hist(values.dropna(), bins=bins, color="#2b5b84")
    ax.set_xlabel(xlabel or str(values.name))
    ax.set_ylabel("count")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def predicted_probability_plot(pp: pd.DataFrame, *, ax: Any = None, title: str | None = None,
                               xlabel: str | None = None, rug: np.ndarray | pd.Series | None = None) -> Any:
    """Average predicted probability against the value of a regressor, with its interval as a band.

    ``pp`` is :func:`coalitionlab.models.effects.predicted_probabilities` (``value, estimate,
    ci_low, ci_high``). ``rug``: observed values of the regressor, drawn as ticks on the x axis so
    the reader sees where the data are (the curve beyond them is extrapolation).
    """
    fig, ax = _axes(ax, (5.5, 4))
    pp = pp.sort_values("value")
    level = pp.attrs.get("level", 0.95)
    ax.fill_between(pp["value"], pp["ci_low"], pp["ci_high"], color="#2b5b84", alpha=0.25, lw=0,
                    label=f"{level:.0%} interval")
    ax.plot(pp["value"], pp["estimate"], color="#2b5b84", lw=2, label="average predicted probability")
    if rug is not None:
        vals = pd.Series(np.asarray(rug, dtype=float)).dropna()
        ax.plot(vals, np.zeros(len(vals)), "|", color="#555", ms=8, alpha=0.3, transform=ax.get_xaxis_transform())
    ax.set_ylim(bottom=min(0.0, float(pp["ci_low"].min())))
    ax.set_xlabel(xlabel or (str(pp["term"].iloc[0]) if "term" in pp.columns and len(pp) else "value"))
    ax.set_ylabel("average predicted P(join)")
    ax.legend(loc="upper left", frameon=False, fontsize="small")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def first_difference_plot(fd: pd.DataFrame, *, label: str = "term", ax: Any = None, title: str | None = None) -> Any:
    """First differences (change in average predicted probability) as points with intervals, one row each.

    ``fd`` is :func:`coalitionlab.models.effects.first_difference` (or several of them
    concatenated); each row is labelled with ``label`` and its low -> high values.
    """
    fig, ax = _axes(ax, (5.5, 0.5 * len(fd) + 1.6))
    fd = fd.reset_index(drop=True)
    y = np.arange(len(fd))[::-1]
    est = fd["difference"].to_numpy(float)
    lo, hi = fd["ci_low"].to_numpy(float), fd["ci_high"].to_numpy(float)
    ax.errorbar(est, y, xerr=[est - lo, hi - est], fmt="o", color="#2b5b84", capsize=4)
    ax.axvline(0, color="#999", lw=1, ls="--")
    ax.set_yticks(y, [f"{r[label]}\n{r['low']:.3g} \u2192 {r['high']:.3g}" for _, r in fd.iterrows()])
    ax.set_ylim(-0.8, len(fd) - 0.2)
    level = fd.attrs.get("level", 0.95)
    ax.set_xlabel(f"change in average predicted P(join)\n({level:.0%} interval)")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def effects_plot(pp: pd.DataFrame, fd: pd.DataFrame, *, title: str | None = None,
                 rug: np.ndarray | pd.Series | None = None) -> Any:
    """Two panels: the predicted-probability curve with its band (left) and the first difference (right)."""
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [3, 2]})
    predicted_probability_plot(pp, ax=left, rug=rug)
    first_difference_plot(fd, ax=right)
    if "low" in fd.columns and len(fd) == 1:
        for v in (fd["low"].iloc[0], fd["high"].iloc[0]):
            left.axvline(v, color="#c44", lw=1, ls=":")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
