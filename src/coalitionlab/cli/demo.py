"""CLI command: `coalitionlab demo` (the main job and its report)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from coalitionlab.cli.options import DebugOption, console, err_console, handle_errors


def register(app: typer.Typer) -> None:
    """Add the `demo` command to `app`."""
    app.command("demo")(demo)


@handle_errors
def demo(
    out: Annotated[Path, typer.Option("--out", help="Report directory (index.html is written there).")] = Path("report"),
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Use full sources from this directory "
                                                  "instead of the embedded seed.")] = None,
    debug: DebugOption = False,
) -> None:
    """Run the main job on the embedded default (or --data-dir) and write an HTML report."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from coalitionlab.reports.demo import run_demo

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err_console, transient=True) as bar:
        task = bar.add_task("starting", total=None)
        path = run_demo(out, data_dir=data_dir, progress=lambda msg: bar.update(task, description=msg))
    console.print(f"report written to {path}", highlight=False)
