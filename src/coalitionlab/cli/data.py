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
    """Validate every source present in the data directory and print one row per source.

    Each source is loaded (its files checked against the schema: columns, values with their file row,
    COW codes, no file cut to its header) and the years it holds are compared with the years it should
    hold: ``years_expected`` (the registry's coverage), ``years_present``, ``gaps``. Status ``valid``,
    ``GAPS`` (a year without rows inside the expected years), ``INVALID`` or ``absent``; exits 1 when a
    source is ``INVALID`` or has ``GAPS``.
    """
    from coalitionlab.data.check import check_sources

    with Progress(TextColumn("checking {task.description}"), BarColumn(), console=err_console,
                  transient=True, disable=fmt != "table") as bar:
        task = bar.add_task("", total=None)
        result = check_sources(data_dir, names=source or None,
                               progress=lambda name: bar.update(task, description=name))
    # the table shows the years as ranges; csv and json keep every column
    shown = result.drop(columns=["detail", "first_year", "last_year"] if fmt == "table" else ["detail"])
    print_frame(shown, fmt, title="coalitionlab data check")
    bad = result[result["status"] == "INVALID"]
    gaps = result[result["status"] == "GAPS"]
    if fmt == "table":
        for row in bad.itertuples():
            console.print(f"[red]{row.source}[/red]: {escape(row.detail)}", highlight=False)
        for row in gaps.itertuples():
            console.print(f"[yellow]{row.source}[/yellow]: {escape(row.detail)}", highlight=False)
        n_valid = int((result["status"] == "valid").sum())
        n_absent = int((result["status"] == "absent").sum())
        summary = f"{n_valid} of {len(result)} sources valid, {n_absent} absent"
        summary += f", {len(gaps)} with GAPS" if len(gaps) else ""
        console.print(summary + (f", {len(bad)} INVALID" if len(bad) else ""), highlight=False)
    if len(bad) or len(gaps):
        raise typer.Exit(1)


@data_app.command("fetch")
@handle_errors(data_dir_must_exist=False)  # fetch creates the data directory
def fetch_command(
    sources: Annotated[list[str], typer.Argument(help="Source names, or 'all'.")],
    data_dir: DataDirOption = None,
    base_url: Annotated[str | None, typer.Option(
        "--base-url", help="Mirror laid out like the data directory (<url>/<folder>/<file>), serving the reference "
                           "files; http(s):// or file://.")] = None,
    mirror: Annotated[str | None, typer.Option(
        "--mirror", help="Mirror laid out like the publishers' sites: https://host/path is read from "
                         "<mirror>/host/path.")] = None,
    from_dir: Annotated[str | None, typer.Option(
        "--from-dir", help="Folder with files downloaded or exported from R by hand; nothing is downloaded.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Download again even if present.")] = False,
    allow_hash_mismatch: Annotated[bool, typer.Option(
        "--allow-hash-mismatch", help="Install a file whose SHA-256 differs from its pin, and record its hash.")] = False,
    allow_redirect: Annotated[bool, typer.Option(
        "--allow-redirect", help="Follow a redirect to another host.")] = False,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Print where each file would come from and how it is converted; download nothing.")] = False,
    debug: DebugOption = False,
) -> None:
    """Download the files of one or more sources from their official addresses, verify, convert and install them.

    Each download is checked (not empty, not cut short, not an HTML page, the expected format), its
    SHA-256 compared with the published pin or the one recorded on first use (DOWNLOADS.sha256), the
    converted file compared with the pinned SHA-256 of the reference file, and the source validated
    with its schema before anything is installed; then the files are moved into place at once and
    listed in <folder>/SHA256SUMS. On any failure nothing is installed. Files published only as R data
    cannot be converted here: the exact steps are printed, and the exit status is 1.
    """
    from coalitionlab.data import sources as list_sources
    from coalitionlab.data.fetch import ManualDownloadRequired, fetch, plan

    names = list(list_sources()["name"]) if sources == ["all"] else sources
    if dry_run:
        for name in names:
            for row in plan(name, base_url=base_url, mirror=mirror, from_dir=from_dir).itertuples():
                lines = [f"{row.source}/{row.file}", f"  route       {row.route}", f"  address     {row.address}"]
                lines += [f"  member      {row.member}"] if row.member else []
                lines += [f"  conversion  {row.conversion}", f"  pin         sha256 {row.pin or '(none)'}"]
                lines += [f"  download    {row.download_pin}"] if row.download_pin else []
                lines += [f"  standing    {row.address_status}" + (f"; {row.note}" if row.note else "")]
                console.print(escape("\n".join(lines)), highlight=False, soft_wrap=True)
        return
    manual = []
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                  console=console, transient=True) as bar:
        for name in names:
            try:
                result = fetch(name, data_dir, base_url=base_url, mirror=mirror, from_dir=from_dir, force=force,
                               allow_mismatch=allow_hash_mismatch, allow_redirect=allow_redirect,
                               progress=lambda label: _RichBar(bar, label))
            except ManualDownloadRequired as exc:
                manual.append(name)
                err_console.print(escape(exc.instructions), highlight=False, soft_wrap=True)
                continue
            for row in result.itertuples():
                origin = f" from {row.origin}" if row.origin else ""
                console.print(f"{row.source}/{row.file}: {row.status}{origin} ({row.bytes:,} bytes, "
                              f"sha256 {row.sha256[:12]}; {row.check})", highlight=False, soft_wrap=True)
    if manual:
        err_console.print(f"[red]error:[/red] {len(manual)} source(s) need files made by hand (steps above): "
                          f"{', '.join(manual)}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)


@data_app.command("cite")
@handle_errors
def cite_command(source: str, debug: DebugOption = False) -> None:
    """Print the citation of a source."""
    from coalitionlab.data import cite

    typer.echo(cite(source))


class _RichBar:
    """The progress-bar protocol fetch uses (total, update, reset, close), drawn by rich."""

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
