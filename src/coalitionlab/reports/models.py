"""Report sections for the participation models."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from coalitionlab.reports import plots
from coalitionlab.reports.html import Section, write_report


def robustness_section(result: Any) -> Section:
    """The robustness table and its coefficient plot (``result`` from ``models.robustness``).

    The plot puts log-odds designs on one axis and the linear probability model and the
    permutation test on panels of their own (:func:`coalitionlab.reports.plots.coefplot`). If the
    result carries the fitted models of its designs (a mapping ``fits`` of design to
    ``ParticipationResult``), their side-by-side regression table is added.
    """
    table = result.table[["design", "description", "term", "estimate", "std_error", "p_value", "n_obs", "note"]]
    section = Section(
        "Who joins: the embeddedness effect under each design",
        paragraphs=["Each row changes one thing in the participation model and reports the coefficient of "
                    "embeddedness with the lead (log(1 + count) unless the term says otherwise). Designs that "
                    "could not run say which columns they lacked. In the plot, log-odds estimates share one "
                    "axis; the linear probability model (a change in probability) and the permutation test "
                    "(the observed coefficient against the band of permuted coefficients) have their own."],
        tables=[("Robustness battery", table)],
        figures=[("Coefficient and 95% interval by design",
                  plots.coefplot(result.table, permutation_draws=getattr(result, "permutation_draws", None)))],
    )
    regression = fitted_models_table(result)
    if regression is not None:
        section.tables.append(("The fitted designs side by side (standard errors in parentheses)", regression))
    if result.sensitivity:
        sens = pd.DataFrame([result.sensitivity])
        section.tables.append(("Sensitivity of the linear probability estimate (Cinelli & Hazlett 2020; Oster 2019)", sens))
    return section


def fitted_models_table(result: Any) -> pd.DataFrame | None:
    """The regression table (as displayed) of the fitted models a robustness result carries in
    ``fits`` ({design: ParticipationResult}), or None when it carries none."""
    from coalitionlab.models.participation import ParticipationResult
    from coalitionlab.models.tables import regression_table

    fits = getattr(result, "fits", None)
    if not isinstance(fits, Mapping):
        return None
    fits = {d: r for d, r in fits.items() if isinstance(r, ParticipationResult)}
    if not fits:
        return None
    tab = regression_table(fits)
    shown = tab.to_frame()[["label", *fits]].rename(columns={"label": ""})
    notes = pd.DataFrame([{"": n, **{d: "" for d in fits}} for n in tab.notes])
    return pd.concat([shown, notes], ignore_index=True)


def write_robustness_report(result: Any, out_dir: str | os.PathLike, *, data_label: str | None = None) -> Path:
    """Write ``out_dir/index.html`` with the robustness section."""
    return write_report([robustness_section(result)], out_dir, title="coalitionlab: robustness of the embeddedness effect",
                        data_label=data_label)
