"""The main job: run the pipeline on the embedded default (or a data directory) and write the report."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from coalitionlab.reports.html import Section, write_report

Progress = Callable[[str], None]


def data_section(data_dir: str | os.PathLike | None) -> Section:
    """What data the run used: the registry, and (with a data directory) each source's check."""
    from coalitionlab.data import sources
    from coalitionlab.data.check import check_sources

    registry = sources()[["name", "version", "first_year", "last_year", "code_scheme", "publisher"]]
    section = Section("Data", tables=[("Registered sources", registry)])
    if data_dir is None:
        section.paragraphs.append(
            "No data directory was given: every result below uses the embedded seed data that ships with "
            "coalitionlab. Pass --data-dir (or set COALITIONLAB_DATA) to use the full sources.")
        section.is_seed = True
    else:
        checked = check_sources(data_dir).drop(columns="detail")
        section.paragraphs.append(f"Sources found and validated in {data_dir}.")
        section.tables.append(("What was loaded", checked))
    return section


def run_demo(out_dir: str | os.PathLike = "report", *, data_dir: str | os.PathLike | None = None,
             progress: Progress | None = None) -> Path:
    """Run every stage that is available on the chosen data and write ``out_dir/index.html``.

    With ``data_dir=None`` the run uses only the embedded seed data (no network, no files).
    """
    say = progress or (lambda _msg: None)
    sections = []
    say("data")
    sections.append(data_section(data_dir))
    from coalitionlab.data import versions

    version_table = pd.DataFrame(sorted(versions().items()), columns=["source", "version"])
    return write_report(sections, out_dir, title="coalitionlab: coalition building, embedded default run",
                        data_label=str(data_dir) if data_dir else "embedded seed", versions=version_table)
