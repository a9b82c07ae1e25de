"""Report sections for the participation models."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from coalitionlab.reports import plots
from coalitionlab.reports.html import Section, write_report


def robustness_section(result: Any) -> Section:
    """The robustness table and its coefficient plot (``result`` from ``models.robustness``)."""
    table = result.table[["design", "description", "term", "estimate", "std_error", "p_value", "n_obs", "note"]]
    section = Section(
        "Who joins: the embeddedness effect under each design",
        paragraphs=["Each row changes one thing in the participation model and reports the coefficient of "
                    "embeddedness with the lead (log(1 + count) unless the term says otherwise). Designs that "
                    "could not run say which columns they lacked."],
        tables=[("Robustness battery", table)],
        figures=[("Coefficient and 95% interval by design", plots.coefplot(result.table))],
    )
    if result.sensitivity:
        sens = pd.DataFrame([result.sensitivity])
        section.tables.append(("Sensitivity of the linear probability estimate (Cinelli & Hazlett 2020; Oster 2019)", sens))
    return section


def write_robustness_report(result: Any, out_dir: str | os.PathLike, *, data_label: str | None = None) -> Path:
    """Write ``out_dir/index.html`` with the robustness section."""
    return write_report([robustness_section(result)], out_dir, title="coalitionlab: robustness of the embeddedness effect",
                        data_label=data_label)
