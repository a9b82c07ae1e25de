"""CLI commands: `coalitionlab fit | robustness | predict | cv` (thin wrappers over coalitionlab.models)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from coalitionlab.cli.options import DataDirOption, DebugOption, FormatOption, console, err_console, handle_errors, print_frame


def register(app: typer.Typer) -> None:
    """Add the participation-model commands to `app`."""
    app.command("fit")(fit_command)
    app.command("robustness")(robustness_command)
    app.command("predict")(predict_command)
    app.command("cv")(cv_command)
    app.command("replicate")(replicate_command)


@contextmanager
def _progress(enabled: bool = True) -> Iterator:
    """A rich spinner whose text follows the API's progress callback (on stderr, never in the output)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err_console,
                  transient=True, disable=not enabled) as bar:
        task = bar.add_task("starting", total=None)
        yield lambda msg: bar.update(task, description=str(msg))


def _check_formula(formula: str | None) -> None:
    """Refuse a formula holding anything but columns, operators and the allowed transforms, before
    any data are read (the column names are checked again against the panel when fitting)."""
    if formula is not None:
        from coalitionlab.models.formula import check_formula

        check_formula(formula)


def _panel_and_formula(data_dir, lead: int | None, formula: str | None, say) -> tuple:
    """The participation panel (optionally one lead's coalitions) and the formula (the default for its data)."""
    from coalitionlab.models.data import DEFAULT_FORMULA, participation_data
    from coalitionlab.models.predict import SEED_FORMULA

    panel = participation_data(data_dir=data_dir, lags=(), contact=False, progress=say)
    if lead is not None:
        panel = panel[panel["lead_ccode"] == lead]
    return panel, formula or (SEED_FORMULA if panel.attrs.get("is_seed") else DEFAULT_FORMULA)


FormulaOption = Annotated[str | None, typer.Option(
    "--formula", help="Model formula, e.g. 'joined ~ embeddedness_log1p + cinc': columns, + - : * and the transforms "
                      "log, log1p, exp, sqrt, abs, C(), I() only (docs/models/index.md).")]
MethodOption = Annotated[str, typer.Option("--method", help="logit, probit, firth, clogit or lpm.")]


@handle_errors
def fit_command(
    formula: FormulaOption = None,
    method: MethodOption = "logit",
    cluster: Annotated[str | None, typer.Option("--cluster", help="Cluster SEs by these columns (comma-separated).")] = "coalition_id",
    fe: Annotated[str | None, typer.Option("--fe", help="Fixed effects column(s), comma-separated.")] = None,
    lead: Annotated[int | None, typer.Option("--lead-ccode", help="Only coalitions of this lead (COW code).")] = None,
    data_dir: DataDirOption = None,
    fmt: FormatOption = "table",
    debug: DebugOption = False,
) -> None:
    """Fit a participation model on the coalition x candidate panel and print the tidy table."""
    from coalitionlab.models import fit_participation

    _check_formula(formula)
    with _progress(fmt == "table") as say:
        panel, formula = _panel_and_formula(data_dir, lead, formula, say)
        say("fitting")
        res = fit_participation(formula, panel, method=method, cluster=_split(cluster) if method != "firth" else None,
                                fe=_split(fe))
    table = res.tidy().reset_index()
    print_frame(table, fmt, title=f"{method}: {formula}")
    if fmt == "table":
        console.print(f"standard errors: {res.vcov_type}; " +
                      ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                for k, v in res.fit_stats.items() if v is not None), highlight=False)


@handle_errors
def robustness_command(
    treatment: Annotated[str, typer.Option("--treatment", help="The embeddedness column whose effect each design estimates.")] = "embeddedness_log1p",
    designs: Annotated[str | None, typer.Option("--designs", help="Comma-separated subset of the designs.")] = None,
    permutations: Annotated[int, typer.Option("--permutations", min=1, help="Draws for the permutation test and the cluster bootstrap.")] = 500,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the permutation and bootstrap draws (same seed, same table).")] = 0,
    n_jobs: Annotated[int, typer.Option("--n-jobs", min=1, help="Local worker processes for the permutations.")] = 1,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address, tcp://host:port.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Also write an HTML report with the plot here.")] = None,
    data_dir: DataDirOption = None,
    fmt: FormatOption = "table",
    debug: DebugOption = False,
) -> None:
    """Run the robustness battery and print one row per design (and a plot with --out)."""
    from coalitionlab.models.data import participation_data
    from coalitionlab.models.robustness import robustness

    _check_formula(f"joined ~ {treatment}")
    with _progress(fmt == "table") as say:
        panel = participation_data(data_dir=data_dir, progress=say)
        res = robustness(panel, treatment=treatment, designs=_split(designs), n_permutations=permutations, seed=seed,
                         n_jobs=n_jobs, scheduler=scheduler, progress=say)
    print_frame(res.table, fmt, title="embeddedness effect under each design")
    if out is not None:
        from coalitionlab.reports.models import write_robustness_report

        path = write_robustness_report(res, out, data_label=str(data_dir) if data_dir else "default data directory")
        err_console.print(f"report written to {path}", highlight=False)


@handle_errors
def predict_command(
    lead: Annotated[str, typer.Option("--lead", help="Lead state: name, ISO3 code or COW ccode.")],
    date: Annotated[str, typer.Option("--date", help="Start date of the new coalition, YYYY-MM-DD.")],
    train_until: Annotated[int, typer.Option("--train-until", help="Fit on coalitions that started up to this year (before the year of --date).")],
    formula: FormulaOption = None,
    method: MethodOption = "logit",
    top: Annotated[int | None, typer.Option("--top", min=1, help="Show only the N most likely joiners.")] = None,
    data_dir: DataDirOption = None,
    fmt: FormatOption = "table",
    debug: DebugOption = False,
) -> None:
    """Probability that each state joins a coalition led by --lead starting on --date."""
    from coalitionlab.models.predict import predict_participation

    _check_formula(formula)
    with _progress(fmt == "table") as say:
        result = predict_participation(lead, date, train_until=train_until, data_dir=data_dir, formula=formula,
                                       method=method, progress=say)
    shown = result.head(top) if top is not None else result
    print_frame(shown, fmt, title=f"P(join) for a coalition led by {lead} on {date} "
                                  f"(trained on {result.attrs['n_train_coalitions']} coalitions to {train_until})")


@handle_errors
def cv_command(
    formula: FormulaOption = None,
    method: MethodOption = "logit",
    scheme: Annotated[str, typer.Option("--scheme", help="leave_one_coalition_out or temporal.")] = "leave_one_coalition_out",
    split_year: Annotated[int | None, typer.Option("--split-year", help="For --scheme temporal.")] = None,
    lead: Annotated[int | None, typer.Option("--lead-ccode", help="Only coalitions of this lead (COW code).")] = None,
    data_dir: DataDirOption = None,
    fmt: FormatOption = "table",
    debug: DebugOption = False,
) -> None:
    """Out-of-sample AUC, Brier score and calibration of a participation model."""
    from coalitionlab.models.validation import cross_validate

    _check_formula(formula)
    with _progress(fmt == "table") as say:
        panel, formula = _panel_and_formula(data_dir, lead, formula, say)
        res = cross_validate(panel, formula=formula, method=method, scheme=scheme, split_year=split_year,
                             progress=lambda i, n: say(f"fold {i + 1} of {n}"))
    print_frame(res.summary().to_frame().T, fmt, title=f"cross-validation: {formula}")
    if fmt == "table":
        print_frame(res.calibration, fmt, title="calibration (deciles of the prediction)")


@handle_errors
def replicate_command(
    until: Annotated[int | None, typer.Option("--until", help="Last coalition start year (Henke: 2010).")] = 2010,
    data_dir: DataDirOption = None,
    fmt: FormatOption = "table",
    debug: DebugOption = False,
) -> None:
    """Henke's participation model on coalitionlab's data, with how the data differ from hers."""
    from coalitionlab.models.replication import replicate_henke

    with _progress(fmt == "table") as say:
        say("building the panel")
        rep = replicate_henke(data_dir=data_dir, until=until)
    print_frame(rep.tidy().reset_index(), fmt, title=f"Henke's specification, {rep.n_coalitions} US-led coalitions")
    if fmt == "table":
        print_frame(rep.differences, fmt, title="How the data differ from Henke's")


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None
