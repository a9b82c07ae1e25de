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


def _run(out: Path, data_dir: Path | None, lead: str, date: str, **planner) -> None:
    from coalitionlab.reports.demo import run_demo

    start = time.perf_counter()
    path = run_demo(out, data_dir=data_dir, progress=_stage_printer(), lead=lead, date=date, **planner)
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
    mission: Annotated[Path | None, typer.Option("--mission", help="Add the planner's plan for this mission "
                                                 "(TOML; needs --data-dir).")] = None,
    diplomacy_years: Annotated[str | None, typer.Option("--diplomacy-years", help="Add the value-of-diplomacy "
                                                        "curve of --mission's lead over these years "
                                                        "(e.g. 2004,2008,2012 or 2004:2024:4).")] = None,
    replays: Annotated[bool, typer.Option("--replays", help="Add the case replays of every coalition "
                                          "(needs --data-dir; minutes).")] = False,
    debug: DebugOption = False,
) -> None:
    """Write the HTML report (summary, maps, network, models, offers, data read) for a lead and a date.

    With --mission, --diplomacy-years and --replays it adds the planner's sections (full sources only).
    """
    from coalitionlab._validation import parse_date

    years = _years(diplomacy_years) if diplomacy_years else None
    _run(out, data_dir, lead, f"{parse_date(date):%Y-%m-%d}", mission=mission, diplomacy_years=years,
         replays=replays)


def _years(text: str) -> list[int]:
    """``"2004,2008"`` or ``"2004:2024:4"`` (start:stop inclusive:step) as a list of years; else one-line error.

    Examples
    --------
    >>> _years("2004:2012:4"), _years("2003, 2011")
    ([2004, 2008, 2012], [2003, 2011])
    """
    from coalitionlab.errors import UnknownOptionError

    try:
        if ":" in text:
            parts = [int(p) for p in text.split(":")]
            if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] <= 0):
                raise ValueError
            start, stop, step = parts[0], parts[1], parts[2] if len(parts) == 3 else 1
            years = list(range(start, stop + 1, step))
        else:
            years = [int(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise UnknownOptionError(f"--diplomacy-years {text!r}: give years as 2004,2008 or START:STOP[:STEP]") from None
    if not years:
        raise UnknownOptionError(f"--diplomacy-years {text!r} names no year")
    return years
