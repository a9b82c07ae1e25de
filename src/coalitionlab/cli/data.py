"""CLI commands: `coalitionlab data sources | check | fetch | cite`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from coalitionlab.cli.options import (
    DataDirOption,
    DebugOption,
    FormatOption,
    console,
    err_console,
    handle_errors,
    print_frame,
)

data_app = typer.Typer(help="Data sources: list, validate, download, cite.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the `data` command group to `app`."""
    app.add_typer(data_app, name="data")


@data_app.command("sources")
@handle_errors
def sources_command(fmt: FormatOption = "table", debug: DebugOption = False) -> None:
    """List the registered sources with version, coverage and code scheme."""
    from coalitionlab.data import sources

    df = sources()
    cols = ["name", "version", "first_year", "last_year", "code_scheme", "folder"] if fmt == "table" else df.columns
    print_frame(df[list(cols)], fmt, title="coalitionlab data sources")


@data_app.command("check")
@handle_errors
def check_command(
    data_dir: DataDirOption = None,
    source: Annotated[list[str] | None, typer.Option("--source", help="Check only these sources.")] = None,
    fmt: FormatOption = "table",
    debug: DebugOption = False,
) -> None:
    """Validate every source present in the data directory and print one row per source."""
    from coalitionlab.data.check import check_sources

    with Progress(TextColumn("checking {task.description}"), BarColumn(), console=err_console,
                  transient=True, disable=fmt != "table") as bar:
        task = bar.add_task("", total=None)
        result = check_sources(data_dir, names=source or None,
                               progress=lambda name: bar.update(task, description=name))
    shown = result.drop(columns="detail")
    print_frame(shown, fmt, title="coalitionlab data check")
    bad = result[result["status"] == "INVALID"]
    if fmt == "table":
        for row in bad.itertuples():
            console.print(f"[red]{row.source}[/red]: {escape(row.detail)}", highlight=False)
        n_valid = int((result["status"] == "valid").sum())
        n_absent = int((result["status"] == "absent").sum())
        summary = f"{n_valid} of {len(result)} sources valid, {n_absent} absent"
        console.print(summary + (f", {len(bad)} INVALID" if len(bad) else ""), highlight=False)
    if len(bad):
        raise typer.Exit(1)


@data_app.command("fetch")
@handle_errors(data_dir_must_exist=False)  # fetch creates the data directory
def fetch_command(
    sources: Annotated[list[str], typer.Argument(help="Source names, or 'all'.")],
    data_dir: DataDirOption = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="Mirror laid out like the data directory.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Download again even if present.")] = False,
    debug: DebugOption = False,
) -> None:
    """Download the files of one or more sources into the data directory, with checksums."""
    from coalitionlab.data import sources as list_sources
    from coalitionlab.data.fetch import fetch

    names = list(list_sources()["name"]) if sources == ["all"] else sources
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                  console=console) as bar:
        for name in names:
            result = fetch(name, data_dir, base_url=base_url, force=force,
                           progress=lambda fname: _RichBar(bar, f"{name}/{fname}"))
            for row in result.itertuples():
                console.print(f"{row.source}/{row.file}: {row.status} ({row.bytes:,} bytes, sha256 {row.sha256[:12]})",
                              highlight=False)


@data_app.command("cite")
@handle_errors
def cite_command(source: str, debug: DebugOption = False) -> None:
    """Print the citation of a source."""
    from coalitionlab.data import cite

    typer.echo(cite(source))


class _RichBar:
    """The progress-bar protocol pooch expects (total, update, reset, close), drawn by rich."""

    def __init__(self, progress: Progress, label: str) -> None:
        self._progress = progress
        self._task = progress.add_task(label, total=None)

    @property
    def total(self) -> float | None:
        return self._progress.tasks[self._task].total

    @total.setter
    def total(self, value: float) -> None:
        self._progress.update(self._task, total=value or None)

    def update(self, n: int) -> None:
        self._progress.advance(self._task, n)

    def reset(self) -> None:
        self._progress.reset(self._task)

    def close(self) -> None:
        self._progress.stop_task(self._task)
