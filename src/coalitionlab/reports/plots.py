"""Plots. Each takes a tidy frame, an optional matplotlib ``ax``, and returns the Figure.

matplotlib is imported inside the functions (with the non-interactive Agg backend), so importing
coalitionlab never needs a display.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def _axes(ax: Any, size: tuple[float, float]) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=size)
        return fig, ax
    return ax.figure, ax


def coefplot(table: pd.DataFrame, *, label: str = "design", ax: Any = None, title: str | None = None) -> Any:
    """Point estimates with confidence intervals, one row per ``label`` (e.g. the robustness table).

    Rows with no estimate (designs not run) are listed with an empty marker so nothing is hidden.
    """
    fig, ax = _axes(ax, (7.5, 0.42 * len(table) + 1.2))
    y = np.arange(len(table))[::-1]
    est = table["estimate"].to_numpy(float)
    lo, hi = table["ci_low"].to_numpy(float), table["ci_high"].to_numpy(float)
    ok = np.isfinite(est)
    has_ci = ok & np.isfinite(lo) & np.isfinite(hi)
    ax.errorbar(est[has_ci], y[has_ci], xerr=[est[has_ci] - lo[has_ci], hi[has_ci] - est[has_ci]], fmt="o",
                color="#2b5b84", capsize=3)
    ax.plot(est[ok & ~has_ci], y[ok & ~has_ci], "D", color="#2b5b84")  # estimates without an interval
    ax.axvline(0, color="#999", lw=1, ls="--")
    ax.set_yticks(y, [f"{d}" + ("" if k else " (not run)") for d, k in zip(table[label], ok)])
    ax.set_xlabel("coefficient (95% interval)")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


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
