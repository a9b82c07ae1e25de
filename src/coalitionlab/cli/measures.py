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

#: The longest lag ``--lag-years`` takes (the measures' own limit, ``measures.embeddedness``'s ``lag_years``).
MAX_LAG_YEARS = 200

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
    from coalitionlab._validation import check_option, parse_date
    from coalitionlab.errors import CoverageError

    check_option(fmt, ["table", "csv", "json"], name="format")
    check_option(successors, ["missing", "inherit"], name="successors")
    parse_date(date)  # '2003', '2003-03' or a time zone: one line before any data are read
    if not 0 <= lag_years <= MAX_LAG_YEARS:  # 10**22 too, before any data are read
        raise CoverageError(f"--lag-years {lag_years}: must be a whole number from 0 to {MAX_LAG_YEARS}")
    from coalitionlab.measures import embeddedness

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
    out: Annotated[Path, typer.Option("--out", help="Output file (.parquet or .csv); with --all-leads a "
                                                     "directory (Parquet partitioned by year).")],
    directed: Annotated[bool, typer.Option("--directed/--non-directed", help="Directed dyad-years.")] = True,
    years: Annotated[str | None, typer.Option("--years", help="Years, e.g. 1950:2014.")] = None,
    add: Annotated[str, typer.Option("--add", help="Comma-separated steps: " + ", ".join(PANEL_STEPS))] = "",
    state_years: Annotated[bool, typer.Option("--state-years", help="Build a state-year panel instead.")] = False,
    mry: Annotated[bool, typer.Option("--mry", help="Carry each source's last year forward.")] = False,
    all_leads: Annotated[bool, typer.Option(
        "--all-leads", help="Write the open embeddedness panel instead: every lead x partner x year (1 January) "
                            "with every embeddedness component, to the --out directory.")] = False,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="With --all-leads: compute on a Dask cluster ('local' or a scheduler address, "
                            "tcp://host:8786).")] = None,
    components: Annotated[str | None, typer.Option(
        "--components", help="With --all-leads: comma-separated components (default all).")] = None,
    lag_years: Annotated[int, typer.Option("--lag-years", help="With --all-leads: measure N years earlier.")] = 0,
    successors: Annotated[str, typer.Option(
        "--successors", help="With --all-leads: missing or inherit (successors take predecessors' ties).")
    ] = "missing",
    overwrite: Annotated[bool, typer.Option(
        "--overwrite", help="With --all-leads: replace a panel already written in --out.")] = False,
    bootstrap: Annotated[int, typer.Option(
        "--bootstrap", help="With --all-leads: B bootstrap replicates over the units that create the ties "
                            "(alliances, agreements, IGOs, exercises); adds embeddedness_se, _lo, _hi.")] = 0,
    seed: Annotated[int | None, typer.Option("--seed", help="With --bootstrap: the seed (required).")] = None,
    level: Annotated[float, typer.Option(
        "--level", help="With --bootstrap: coverage of the percentile interval (default 0.95).")] = 0.95,
    data_dir: DataDirOption = None,
    debug: DebugOption = False,
) -> None:
    """Build a dyad-year (or state-year) panel, add steps, and write it to Parquet or CSV.

    With --all-leads, write the open embeddedness panel (every lead x partner x year) instead.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from coalitionlab import measures
    from coalitionlab._validation import check_option

    if all_leads:
        _all_leads_panel(out, years=years, add=add, state_years=state_years, directed=directed, mry=mry,
                         scheduler=scheduler, components=components, lag_years=lag_years, successors=successors,
                         overwrite=overwrite, data_dir=data_dir, bootstrap=bootstrap, seed=seed, level=level)
        return
    extra = [flag for flag, on in (("--scheduler", scheduler is not None), ("--components", components is not None),
                                   ("--lag-years", lag_years != 0), ("--successors", successors != "missing"),
                                   ("--overwrite", overwrite), ("--bootstrap", bootstrap != 0),
                                   ("--seed", seed is not None), ("--level", level != 0.95)) if on]
    if extra:
        from coalitionlab.errors import UnknownOptionError

        raise UnknownOptionError(f"{', '.join(extra)} apply to the open embeddedness panel only; add --all-leads")
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
            from coalitionlab._csv import safe_csv_frame

            safe_csv_frame(panel).to_csv(out, index=False)  # no cell a spreadsheet would run
        bar.advance(task)
    console.print(f"wrote {len(panel):,} rows x {panel.shape[1]} columns to {out} "
                  f"(sources: {', '.join(f'{k} {v}' for k, v in attrs.get('sources', {}).items())})",
                  highlight=False)


def _all_leads_panel(out: Path, *, years: str | None, add: str, state_years: bool, directed: bool, mry: bool,
                     scheduler: str | None, components: str | None, lag_years: int, successors: str,
                     overwrite: bool, data_dir, bootstrap: int = 0, seed: int | None = None,
                     level: float = 0.95) -> None:
    """`coalitionlab panel --all-leads`: the open embeddedness panel, written as Parquet partitioned by year."""
    import json
    import shlex
    import time

    from coalitionlab.errors import UnknownOptionError
    from coalitionlab.measures.open_panel import PROVENANCE_FILE, embeddedness_panel

    clash = [flag for flag, on in (("--add", bool(add.strip())), ("--state-years", state_years),
                                   ("--non-directed", not directed)) if on]
    if clash:
        raise UnknownOptionError(f"{', '.join(clash)} do not apply with --all-leads (the open embeddedness panel "
                                 "is every ordered lead x partner pair of the state system)")
    span = years or "1816:2024"
    parts = ["coalitionlab", "panel", "--all-leads", "--years", span, "--out", str(out)]
    for flag, value in (("--components", components), ("--lag-years", lag_years or None),
                        ("--successors", None if successors == "missing" else successors),
                        ("--bootstrap", bootstrap or None), ("--seed", seed),
                        ("--level", None if level == 0.95 else level),
                        ("--scheduler", scheduler), ("--data-dir", data_dir)):
        if value is not None:
            parts += [flag, str(value)]
    parts += [flag for flag, on in (("--mry", mry), ("--overwrite", overwrite)) if on]
    t = time.perf_counter()
    with err_console.status(f"computing the embeddedness panel {span}"
                            + (f" on the Dask scheduler {scheduler}" if scheduler else "")):
        path = embeddedness_panel(span, data_dir=data_dir, components=components, lag_years=lag_years,
                                  successors=successors, carry_forward=mry, out=out, scheduler=scheduler,
                                  overwrite=overwrite, command=shlex.join(parts), bootstrap=bootstrap, seed=seed,
                                  level=level)
    prov = json.loads((path / PROVENANCE_FILE).read_text(encoding="utf-8"))
    boot = prov.get("bootstrap", {}).get("replicates", 0)
    console.print(f"wrote {prov['n_rows']:,} lead x partner rows, years {span}, {len(prov['components'])} components "
                  + (f"with {boot:,} bootstrap replicates (seed {seed}, level {level:g}) " if boot else "")
                  + f"to {path} (partitioned by year; provenance in {PROVENANCE_FILE}) in "
                  f"{time.perf_counter() - t:.1f} s", highlight=False)
