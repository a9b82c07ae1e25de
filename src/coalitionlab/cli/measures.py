"""CLI commands: `coalitionlab embeddedness` and `coalitionlab panel` (thin wrappers over coalitionlab.measures)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from coalitionlab.cli.options import (
    DataDirOption,
    DebugOption,
    FormatOption,
    console,
    err_console,
    handle_errors,
    print_frame,
)

#: panel step name -> add_* function name in coalitionlab.measures
PANEL_STEPS = {
    "igos": "add_igos", "agreements": "add_agreements", "treaties": "add_treaties", "alliances": "add_alliances",
    "exercises": "add_exercises", "un_affinity": "add_un_affinity", "capabilities": "add_capabilities",
    "distance": "add_distance", "contiguity": "add_contiguity", "democracy": "add_democracy",
    "us_troops": "add_us_troops", "hierarchy": "add_hierarchy", "similarity": "add_alliance_similarity",
}

#: steps whose add_* function has no ``mry`` option (the CLI says so when --mry is given)
NO_MRY_STEPS = ("hierarchy", "similarity")


def register(app: typer.Typer) -> None:
    """Add the `embeddedness` and `panel` commands to `app`."""
    app.command("embeddedness")(embeddedness_command)
    app.command("panel")(panel_command)


@handle_errors
def embeddedness_command(
    lead: Annotated[str, typer.Option("--lead", help="Lead state: name, ISO3 code or COW ccode.")],
    date: Annotated[str, typer.Option("--date", help="Date of the intervention, YYYY-MM-DD.")],
    data_dir: DataDirOption = None,
    top: Annotated[int | None, typer.Option("--top", min=1, help="Show only the N most embedded states.")] = None,
    components: Annotated[str | None, typer.Option(
        "--components", help="Comma-separated components: alliances, treaties_bilateral, treaties_multilateral, "
                             "igos (the default), trade_agreements, investment_treaties (parts of the treaties), "
                             "defense_pacts, exercises.")
    ] = None,
    lag_years: Annotated[int, typer.Option("--lag-years", help="Measure the ties N years before the date (states "
                                                                      "that did not exist then are NaN).")] = 0,
    successors: Annotated[str, typer.Option(
        "--successors", help="missing (a state that did not exist on the measurement day is NaN) or inherit "
                             "(it takes its predecessor's ties: Czechoslovakia, West Germany, North Yemen).")
    ] = "missing",
    carry_forward: Annotated[bool, typer.Option(
        "--carry-forward/--no-carry-forward", help="Past a source's last year use that year (warned when more "
                                                   "than 2 years old), or leave the component NaN.")
    ] = True,
    source: Annotated[str, typer.Option("--source", help="auto, full or seed.")] = "auto",
    fmt: FormatOption = "table",
    debug: DebugOption = False,
) -> None:
    """Embeddedness of every state with the lead at a date, sorted by embeddedness."""
    from coalitionlab._validation import check_option
    from coalitionlab.measures import embeddedness

    check_option(fmt, ["table", "csv", "json"], name="format")
    check_option(successors, ["missing", "inherit"], name="successors")
    res = embeddedness(lead, date, data_dir=data_dir, components=components, lag_years=lag_years, source=source,
                       successors=successors, carry_forward=carry_forward)
    if top is not None:
        res = res.head(top)
    if fmt == "table":
        comps_used = res.attrs["components"]
        cols = ["ccode", "country", *comps_used, "embeddedness", "embeddedness_share", "embeddedness_nonsecurity"]
        years = ", ".join(f"{k} {v}" for k, v in res.attrs["years_used"].items())
        title = (f"embeddedness with {lead} (ccode {res.attrs['lead_ccode']}) on {res.attrs['date']}"
                 f"{' [SEED DATA]' if res.attrs['is_seed'] else ''}; data years used: {years}")
        print_frame(res[cols], "table", title=title)
    else:
        print_frame(res, fmt)


@handle_errors
def panel_command(
    out: Annotated[Path, typer.Option("--out", help="Output file (.parquet or .csv).")],
    directed: Annotated[bool, typer.Option("--directed/--non-directed", help="Directed dyad-years.")] = True,
    years: Annotated[str | None, typer.Option("--years", help="Years, e.g. 1950:2014.")] = None,
    add: Annotated[str, typer.Option("--add", help="Comma-separated steps: " + ", ".join(PANEL_STEPS))] = "",
    state_years: Annotated[bool, typer.Option("--state-years", help="Build a state-year panel instead.")] = False,
    mry: Annotated[bool, typer.Option("--mry", help="Carry each source's last year forward.")] = False,
    data_dir: DataDirOption = None,
    debug: DebugOption = False,
) -> None:
    """Build a dyad-year (or state-year) panel, add steps, and write it to Parquet or CSV."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from coalitionlab import measures
    from coalitionlab._validation import check_option

    steps = [s.strip() for s in add.split(",") if s.strip()]
    for s in steps:
        check_option(s, PANEL_STEPS, name="panel step")
    check_option(out.suffix.lower(), [".parquet", ".csv"], name="output file type")
    no_mry = [s for s in steps if s in NO_MRY_STEPS]
    if mry and no_mry:
        typer.echo(f"warning: --mry does not apply to {', '.join(no_mry)} (no most-recent-year option); "
                   "their values stay NaN after their sources' last year", err=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task("building panel", total=len(steps) + 2)
        if state_years:
            panel = measures.create_stateyears(years=years, data_dir=data_dir)
        else:
            panel = measures.create_dyadyears(directed=directed, years=years, data_dir=data_dir)
        bar.advance(task)
        for s in steps:
            bar.update(task, description=f"adding {s}")
            func = getattr(measures, PANEL_STEPS[s])
            kwargs = {"data_dir": data_dir}
            if mry and s not in NO_MRY_STEPS:
                kwargs["mry"] = True
            panel = func(panel, **kwargs)
            bar.advance(task)
        bar.update(task, description=f"writing {out}")
        attrs = panel.attrs
        if out.suffix.lower() == ".parquet":
            panel.to_parquet(out, index=False)
        else:
            panel.to_csv(out, index=False)
        bar.advance(task)
    console.print(f"wrote {len(panel):,} rows x {panel.shape[1]} columns to {out} "
                  f"(sources: {', '.join(f'{k} {v}' for k, v in attrs.get('sources', {}).items())})",
                  highlight=False)
