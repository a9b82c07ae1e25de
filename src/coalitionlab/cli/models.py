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
        if not formula.strip():  # before the models are imported (seconds)
            from coalitionlab.errors import EstimationError

            raise EstimationError("--formula is empty; give e.g. 'joined ~ embeddedness_log1p + cinc', or leave it "
                                  "out for the default")
        from coalitionlab.models.formula import check_formula

        check_formula(formula)


def _lead_code(lead: str | None, lead_ccode: int | None) -> tuple[int | None, str | None]:
    """``--lead`` (name, ISO3 code or COW ccode) or ``--lead-ccode`` as ``(ccode, how it was given)``,
    checked against the coalition dataset before any data are read: an unknown state, or one that
    led no coalition, is one line naming it."""
    from coalitionlab.errors import UnknownOptionError

    if lead is not None and lead_ccode is not None:
        raise UnknownOptionError("give either --lead or --lead-ccode, not both")
    if lead is None and lead_ccode is None:
        return None, None
    from coalitionlab.coalitions import coalitions
    from coalitionlab.data.countries import to_ccode

    given = f"--lead {lead!r}" if lead is not None else f"--lead-ccode {lead_ccode}"
    if lead is not None:
        text = str(lead).strip()
        code = int(to_ccode(int(text) if text.isdigit() else text,
                            where=f"{given}: a state by name, ISO3 code or COW ccode"))
    else:
        code = int(lead_ccode)
    leads = sorted({int(c) for c in coalitions()["lead_ccode"].dropna()})
    if code not in leads:
        raise UnknownOptionError(f"{given} (ccode {code}) led no coalition in the dataset; leads: "
                                 + ", ".join(map(str, leads)))
    return code, given


def _panel_and_formula(data_dir, lead: int | None, formula: str | None, say, *, given: str | None = None) -> tuple:
    """The participation panel (optionally one lead's coalitions) and the formula (the default for its data)."""
    from coalitionlab.errors import UnknownOptionError
    from coalitionlab.models.data import DEFAULT_FORMULA, participation_data
    from coalitionlab.models.predict import SEED_FORMULA

    panel = participation_data(data_dir=data_dir, lags=(), contact=False, progress=say)
    if lead is not None:
        panel = panel[panel["lead_ccode"] == lead]
        if panel.empty:  # e.g. a lead whose only coalitions are not in the panel
            raise UnknownOptionError(f"{given or f'--lead-ccode {lead}'}: no coalitions led by ccode {lead} "
                                     "in the participation panel")
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
    table_out: Annotated[Path | None, typer.Option("--table-out", help="Write the regression table here (.html, .tex or .md).")] = None,
    compare: Annotated[bool, typer.Option("--compare", help="With --formula and --table-out: put the default formula's model beside it.")] = False,
    plot_out: Annotated[Path | None, typer.Option("--plot-out", help="Write predicted probabilities and the 10th-90th percentile first difference of the first term here (.png, .pdf or .svg).")] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the coefficient draws behind the --plot-out intervals.")] = 0,
    data_dir: DataDirOption = None,
    fmt: FormatOption = "table",
    debug: DebugOption = False,
) -> None:
    """Fit a participation model on the coalition x candidate panel and print the tidy table."""
    from coalitionlab.errors import UnknownOptionError
    from coalitionlab.models import fit_participation

    _check_formula(formula)
    if table_out is not None and table_out.suffix.lower() not in (".html", ".tex", ".md"):
        raise UnknownOptionError(f"--table-out {table_out.name!r}: the suffix must be .html, .tex or .md")
    if plot_out is not None and plot_out.suffix.lower() not in (".png", ".pdf", ".svg"):
        raise UnknownOptionError(f"--plot-out {plot_out.name!r}: the suffix must be .png, .pdf or .svg")
    if compare and (formula is None or table_out is None):
        raise UnknownOptionError("--compare puts the default model beside --formula's in the --table-out table: "
                                 "give both --formula and --table-out")
    given = formula
    with _progress(fmt == "table") as say:
        panel, formula = _panel_and_formula(data_dir, lead, formula, say)
        say("fitting")
        kwargs = {"method": method, "cluster": _split(cluster), "fe": _split(fe), "cache": True}
        res = fit_participation(formula, panel, **kwargs)
        models = {"(1)": res}
        if compare:
            from coalitionlab.models.data import DEFAULT_FORMULA
            from coalitionlab.models.predict import SEED_FORMULA

            default = SEED_FORMULA if panel.attrs.get("is_seed") else DEFAULT_FORMULA
            if default != given:
                models = {"default": fit_participation(default, panel, **kwargs), "--formula": res}
        if plot_out is not None:  # the first regressor: predicted probabilities and the 10th-90th pct difference
            from coalitionlab.models.effects import first_difference, predicted_probabilities
            from coalitionlab.reports.plots import effects_plot

            term = next((t for t in res.params.index if t != "Intercept"), None)
            if term is None or term not in panel.columns:
                raise UnknownOptionError(f"--plot-out needs the formula's first regressor to be a column of the "
                                         f"panel, got {term!r}")
            say("predicted probabilities")
            fig = effects_plot(predicted_probabilities(res, panel, term, seed=seed),
                               first_difference(res, panel, term, seed=seed), rug=panel[term],
                               title=f"{res.method}: {res.formula}")
    table = res.tidy().reset_index()
    print_frame(table, fmt, title=f"{method}: {formula}")
    if fmt == "table":
        console.print(f"standard errors: {res.vcov_type}; " +
                      ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                for k, v in res.fit_stats.items() if v is not None), highlight=False)
    if table_out is not None:
        from coalitionlab.models.tables import regression_table

        path = regression_table(models).save(table_out)
        err_console.print(f"regression table written to {path}", highlight=False)
    if plot_out is not None:
        plot_out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(plot_out, dpi=130, bbox_inches="tight")
        err_console.print(f"figure written to {plot_out}", highlight=False)


@handle_errors
def robustness_command(
    treatment: Annotated[str, typer.Option("--treatment", help="The embeddedness column whose effect each design estimates.")] = "embeddedness_log1p",
    designs: Annotated[str | None, typer.Option("--designs", help="Comma-separated subset of the designs.")] = None,
    permutations: Annotated[int, typer.Option("--permutations", min=1, help="Draws for the permutation test and the cluster bootstrap.")] = 500,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the permutation and bootstrap draws (same seed, same table).")] = 0,
    n_jobs: Annotated[int, typer.Option("--n-jobs", min=1, help="Local worker processes for the permutations.")] = 1,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address, tcp://host:port.")] = None,
    spec: Annotated[str, typer.Option("--spec", help="default, or henke: Henke's controls (models.replication.HENKE_FORMULA) and --until 2010 unless given.")] = "default",
    until: Annotated[int | None, typer.Option("--until", help="Only coalitions that started up to this year.")] = None,
    controls: Annotated[str | None, typer.Option("--controls", help="Control columns of every design, comma-separated (default: those of --spec).")] = None,
    exclude_un_operations: Annotated[bool, typer.Option("--exclude-un-operations", help="Drop UN operations (coalitions of kind 'un').")] = False,
    nato_lead: Annotated[str, typer.Option("--nato-lead", help="Lead of a coalition with an entrepreneur (NATO's Libya operations): saceur (the coded commander) or entrepreneur.")] = "saceur",
    placebo_years: Annotated[int, typer.Option("--placebo-years", min=1, max=50, help="Years after onset at which the timing placebo measures embeddedness.")] = 5,
    out: Annotated[Path | None, typer.Option("--out", help="Also write an HTML report with the plot here.")] = None,
    data_dir: DataDirOption = None,
    fmt: FormatOption = "table",
    debug: DebugOption = False,
) -> None:
    """Run the robustness battery and print one row per design (and a plot with --out)."""
    from coalitionlab._validation import check_option, check_scheduler
    from coalitionlab.coalitions.panel import NATO_LEADS
    from coalitionlab.models.data import participation_data
    from coalitionlab.models.robustness import SPECS, check_battery_request, check_draws, check_treatment, robustness

    _check_formula(f"joined ~ {treatment}")  # code is refused as such
    check_treatment(treatment, name="--treatment")  # and the treatment is a column name, never an expression
    check_option(spec, SPECS, name="spec")  # before the panel is built
    check_option(nato_lead, NATO_LEADS, name="NATO lead")
    # names, before minutes of building; an empty list ('--designs ""') is an error, not every design
    chosen, ctrl = check_battery_request(_split(designs, option="--designs"), _split(controls, option="--controls"))
    check_draws(chosen, permutations)  # 10**12 permutations: refused at once, not a MemoryError later
    check_scheduler(scheduler, name="--scheduler")
    with _progress(fmt == "table") as say:
        panel = participation_data(data_dir=data_dir, placebo_years=(placebo_years,), nato_lead=nato_lead,
                                   progress=say)
        res = robustness(panel, treatment=treatment, controls=ctrl, spec=spec, until=until,
                         exclude_un_operations=exclude_un_operations, placebo_years=placebo_years,
                         designs=chosen, n_permutations=permutations, seed=seed, n_jobs=n_jobs,
                         scheduler=scheduler, progress=say)
    print_frame(res.table, fmt, title=f"embeddedness effect under each design ({spec} specification)")
    if out is not None:
        from coalitionlab.reports.models import write_robustness_report

        path = write_robustness_report(res, out, data_label=str(data_dir) if data_dir else "default data directory")
        err_console.print(f"report written to {path}", highlight=False)


@handle_errors
def predict_command(
    lead: Annotated[str, typer.Option("--lead", help="Lead state: name, ISO3 code or COW ccode.")],
    date: Annotated[str, typer.Option("--date", help="Start date of the new coalition, YYYY-MM-DD.")],
    train_until: Annotated[int, typer.Option("--train-until", help="Fit on coalitions that started up to this year (before the year of --date).")],
    target: Annotated[str | None, typer.Option("--target", help="What the coalition acts against: a state (name, ISO3 code or COW ccode) or a region (americas, europe, africa, middle_east, asia, oceania). Uses the forecast model (docs/models/forecasts.md).")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Also show each feature's contribution to each state's logit, relative to the average candidate.")] = False,
    formula: FormulaOption = None,
    method: MethodOption = "logit",
    top: Annotated[int | None, typer.Option("--top", min=1, help="Show only the N most likely joiners.")] = None,
    data_dir: DataDirOption = None,
    fmt: FormatOption = "table",
    debug: DebugOption = False,
) -> None:
    """Probability that each state joins a coalition led by --lead starting on --date (against --target)."""
    import json
    import sys

    import pandas as pd

    from coalitionlab._validation import parse_date
    from coalitionlab.models.predict import predict_participation

    parse_date(date)  # '2003' or a time zone: one line before any data are read
    _check_formula(formula)
    with _progress(fmt == "table") as say:
        result = predict_participation(lead, date, train_until=train_until, data_dir=data_dir, formula=formula,
                                       method=method, target=target, explain=explain or fmt == "json", progress=say)
    shown = result.head(top) if top is not None else result
    attrs = result.attrs
    training = {"n_coalitions": attrs["n_train_coalitions"], "n_rows": attrs["n_train_rows"],
                "train_until": attrs["train_until"], "labels_as_of": attrs["labels_as_of"],
                "late_joins_relabelled": attrs["late_joins_relabelled"]}
    coefs = pd.DataFrame.from_dict(attrs["coefficients"], orient="index").rename_axis("term").reset_index()
    if fmt == "json":
        doc = {"lead_ccode": attrs["lead_ccode"], "date": attrs["date"], "target": attrs["target"],
               "formula": attrs["formula"], "method": attrs["method"], "half_life": attrs["half_life"],
               "training": training, "coefficients": json.loads(coefs.to_json(orient="records", double_precision=10)),
               "input_years": attrs["input_years"], "stale_inputs": attrs["stale_inputs"],
               "forecast": json.loads(shown.to_json(orient="records", double_precision=10))}
        sys.stdout.write(json.dumps(doc) + "\n")
        return
    against = "" if attrs["target"] is None else f" against {target}"
    title = (f"P(join) for a coalition led by {lead}{against} on {date} "
             f"(trained on {attrs['n_train_coalitions']} coalitions to {train_until})")
    if fmt != "table":  # csv: every column, the contributions too with --explain
        print_frame(shown, fmt, title=title)
        return
    print_frame(shown[["ccode", "country", "p_join", "missing"]], fmt, title=title)  # the inputs: --format csv/json
    if explain:  # one column per state (the five likeliest shown), one row per term
        few = shown.dropna(subset=["p_join"]).head(5)
        rows = ["logit_mean", *[c for c in shown.columns if c.startswith("c_")], "logit"]
        table = few.set_index("country")[rows].T.rename(index=lambda r: r.removeprefix("c_")).reset_index(names="term")
        print_frame(table, fmt, title="contributions to the logit relative to the average candidate "
                                      "(logit = logit_mean + the terms' contributions)")
    print_frame(coefs[["term", "estimate", "std_error", "p_value"]], fmt, title=f"{method}: {attrs['formula']}")
    console.print(f"training sample: {training['n_coalitions']} coalitions, {training['n_rows']} rows, started by "
                  f"{training['train_until']}, labels as of {training['labels_as_of']} "
                  f"({training['late_joins_relabelled']} later joins counted as non-joins)", highlight=False)
    if attrs["target"] is None and not attrs["is_seed"]:
        console.print("no --target: the model is blind to what the coalition is about", highlight=False)
    if attrs["stale_inputs"]:
        console.print(f"stale inputs for {attrs['date']}: {', '.join(attrs['stale_inputs'])}", highlight=False)


@handle_errors
def cv_command(
    formula: FormulaOption = None,
    method: MethodOption = "logit",
    scheme: Annotated[str, typer.Option("--scheme", help="leave_one_coalition_out or temporal.")] = "leave_one_coalition_out",
    split_year: Annotated[int | None, typer.Option("--split-year", help="For --scheme temporal.")] = None,
    lead: Annotated[str | None, typer.Option("--lead", help="Only coalitions led by this state (name, ISO3 code or COW ccode).")] = None,
    lead_ccode: Annotated[int | None, typer.Option("--lead-ccode", help="Only coalitions of this lead (COW code).")] = None,
    data_dir: DataDirOption = None,
    fmt: FormatOption = "table",
    debug: DebugOption = False,
) -> None:
    """Out-of-sample AUC, Brier score and calibration of a participation model (default: the forecast model).

    With the default formula, the terms that do not vary in a fold's training sample (e.g. ``no_target``
    before the first target-less coalition) are left out of that fold's model; the summary's
    ``dropped_terms`` lists those left out of any fold."""
    from coalitionlab._validation import check_option
    from coalitionlab.models.features import FORECAST_FORMULA, forecast_features
    from coalitionlab.models.validation import cross_validate

    _check_formula(formula)
    check_option(scheme, ["leave_one_coalition_out", "temporal"], name="scheme")  # before the panel is built
    code, given = _lead_code(lead, lead_ccode)
    drop_constant = False
    with _progress(fmt == "table") as say:
        panel, default = _panel_and_formula(data_dir, code, formula, say, given=given)
        if not panel.attrs.get("is_seed"):  # the target and record features, as a forecast uses them
            say("target and record features")
            attrs = panel.attrs
            panel = forecast_features(panel, data_dir=data_dir)
            panel.attrs = {**attrs, "target_features": panel.attrs.get("target_features")}
            if formula is None:  # terms constant in a fold's training sample are left out of that fold
                default, drop_constant = FORECAST_FORMULA, True
        formula = default
        res = cross_validate(panel, formula=formula, method=method, scheme=scheme, split_year=split_year,
                             drop_constant=drop_constant, progress=lambda i, n: say(f"fold {i + 1} of {n}"))
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
    """A reconstruction of Henke's participation model on coalitionlab's data, beside what she reports."""
    from coalitionlab.models.replication import replicate_henke

    with _progress(fmt == "table") as say:
        say("building the panel")
        rep = replicate_henke(data_dir=data_dir, until=until)
    n, fitted = rep.result.fit_stats["n_obs"], rep.result.fit_stats["n_coalitions"]
    print_frame(rep.comparison(), fmt,
                title=f"Henke's specification (reconstructed): {fitted} US-led coalitions with complete rows "
                      f"(of {rep.n_coalitions} started{f' by {until}' if until else ''}), {n:,} rows, "
                      "SEs clustered by coalition")
    if fmt == "table":
        print_frame(rep.differences, fmt, title="What we take Henke's study to have done (documented or assumed) "
                                                "and what ours is (reconstructed or substituted)")


def _split(value: str | None, *, option: str | None = None) -> list[str] | None:
    """A comma-separated option as a list (None when not given); with ``option``, one naming nothing is an error."""
    if value is None:
        return None
    names = [v.strip() for v in value.split(",") if v.strip()]
    if not names and option is not None:
        from coalitionlab.errors import UnknownOptionError

        raise UnknownOptionError(f"{option} {value!r} names nothing; leave {option} out for the default")
    return names or None
