"""CLI commands: `coalitionlab demo` (the main job and its report) and `coalitionlab report` (the same
report for a chosen lead and date)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from coalitionlab.cli.options import DebugOption, console, handle_errors


def register(app: typer.Typer) -> None:
    """Add the `demo` and `report` commands to `app`."""
    app.command("demo")(demo)
    app.command("report")(report)


def _stage_printer() -> Callable[[str], None]:
    """A progress callback that prints one plain line per stage, flushed (also when piped)."""
    from coalitionlab.reports.demo import STAGES

    start = time.perf_counter()
    total = len(STAGES)

    def say(stage: str) -> None:
        n = STAGES.index(stage) + 1 if stage in STAGES else 0
        step = f"[{n}/{total}]" if n else "[..]"
        typer.echo(f"{step} {stage} ({time.perf_counter() - start:.1f} s)")

    return say


def _run(out: Path, data_dir: Path | None, lead: str, date: str) -> None:
    from coalitionlab.reports.demo import run_demo

    start = time.perf_counter()
    path = run_demo(out, data_dir=data_dir, progress=_stage_printer(), lead=lead, date=date)
    console.print(f"report written to {path} ({time.perf_counter() - start:.1f} s)", highlight=False)


@handle_errors
def demo(
    out: Annotated[Path, typer.Option("--out", help="Report directory (index.html is written there).")] = Path("report"),
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Use full sources from this directory "
                                                  "instead of the embedded seed.")] = None,
    debug: DebugOption = False,
) -> None:
    """Run the main job on the embedded default (or --data-dir) and write an HTML report."""
    from coalitionlab.reports.demo import DEMO_DATE, DEMO_LEAD

    _run(out, data_dir, DEMO_LEAD, DEMO_DATE)


@handle_errors
def report(
    out: Annotated[Path, typer.Option("--out", help="Report directory (index.html is written there).")] = Path("report"),
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Use full sources from this directory "
                                                  "instead of the embedded seed.")] = None,
    lead: Annotated[str, typer.Option("--lead", help="Lead state (name or code).")] = "USA",
    date: Annotated[str, typer.Option("--date", help="Day of the embeddedness map, network and offers "
                                      "(YYYY-MM-DD).")] = "2003-03-20",
    debug: DebugOption = False,
) -> None:
    """Write the HTML report (summary, maps, network, models, offers, data read) for a lead and a date."""
    from coalitionlab._validation import parse_date

    _run(out, data_dir, lead, f"{parse_date(date):%Y-%m-%d}")
