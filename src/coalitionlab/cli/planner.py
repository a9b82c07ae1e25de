"""CLI commands: `coalitionlab plan` (a thin wrapper over coalitionlab.planner)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from coalitionlab.cli.options import DataDirOption, DebugOption, FormatOption, console, handle_errors, print_frame

#: The columns ``--format table`` shows (csv and json give every column).
TABLE_COLUMNS = ["ccode", "country", "p_join", "price", "offer", "in_plan", "instruments", "personnel", "n_capabilities"]


def register(app: typer.Typer) -> None:
    """Add the planner commands to `app`."""
    app.command("plan")(plan_command)


@handle_errors
def plan_command(
    mission: Annotated[Path, typer.Argument(help="Mission spec (TOML; see examples/missions/).")],
    fmt: FormatOption = "table",
    data_dir: DataDirOption = None,
    scenarios: Annotated[int, typer.Option("--scenarios", min=10, help="Price scenarios of the plan's sample average approximation.")] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the price scenarios.")] = 0,
    top: Annotated[int, typer.Option("--top", min=1, help="Table: show the planned candidates and up to N others.")] = 10,
    without_igo: Annotated[list[str] | None, typer.Option("--without-igo", help="Counterfactual: the lead leaves this IGO (repeatable; e.g. WHO).")] = None,
    lapse: Annotated[list[str] | None, typer.Option("--lapse", help="Counterfactual: this agreement of the lead lapses (repeatable; an agreement id, e.g. ATOP:3180).")] = None,
    scale: Annotated[list[str] | None, typer.Option("--scale", help="Counterfactual: scale a component, COMPONENT=FACTOR (repeatable; e.g. treaties=0.5, all=0.5).")] = None,
    reps: Annotated[int, typer.Option("--reps", min=0, help="Counterfactual: further seeds for the interval of the difference.")] = 4,
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.05, help="Seconds per MILP solve (HiGHS); the plan reports the gap reached.")] = 3.0,
    debug: DebugOption = False,
) -> None:
    """Whom to ask for MISSION, what it will cost, and what coalition to expect (docs/planner/index.md).

    With --without-igo, --lapse or --scale: the plan with the lead's ties as they are and as changed
    (docs/planner/counterfactuals.md)."""
    import pandas as pd

    from coalitionlab.planner import load_mission
    from coalitionlab.planner.plan import plan

    spec = load_mission(mission)
    if without_igo or lapse or scale:
        _counterfactual_command(spec, without_igo, lapse, scale, fmt=fmt, data_dir=data_dir,
                                scenarios=scenarios, seed=seed, reps=reps, time_limit=time_limit)
        return
    result = plan(spec, data_dir=data_dir, n_scenarios=scenarios, seed=seed, time_limit=time_limit)
    if fmt == "json":
        sys.stdout.write(result.to_json() + "\n")
        return
    if fmt == "csv":
        print_frame(result.candidates, "csv")
        return
    c = result.candidates
    shown = pd.concat([c[c["in_plan"]], c[~c["in_plan"]].head(top)])
    unit = result.attrs["payment_unit"]
    # the mission's own text (its name, '[/]' included) is printed as written, never read as markup
    console.print(f"[bold]{escape(str(spec.name))}[/bold]: " + escape(f"lead {spec.lead}, {spec.date}, target "
                  f"{spec.target}; requirements met with probability >= {spec.probability:g}; money in {unit}"),
                  highlight=False)
    if result.infeasible:
        for item in result.infeasible:
            console.print(f"[red]infeasible:[/red] {escape(str(item['message']))}", highlight=False)
    shown = shown.assign(n_capabilities=[len([x for x in str(v).split(", ") if x]) for v in shown["capabilities"]])
    print_frame(shown[TABLE_COLUMNS], "table", title="Candidates (planned first)")
    e = result.expected
    solver = result.attrs["solver"]
    if not result.infeasible:
        console.print(f"Expected coalition: {e['size']:.1f} partners of {e['n_asked']} asked, {e['personnel']:,.0f} "
                      f"personnel, cost {e['cost']:.3g} {unit} (sd {e['cost_sd']:.3g}); requirements met in "
                      f"{e['p_meets_requirements']:.1%} of {result.attrs['n_eval']} fresh scenarios "
                      f"({e['p_meets_in_sample']:.1%} of the {result.attrs['n_scenarios']} planned on); "
                      f"shortfall risk {e['shortfall_risk']:.1%}", highlight=False)
        console.print(f"Solver: {solver['status']}, relative MIP gap {solver['mip_gap']:.2%}; "
                      f"{result.attrs['calibration_rounds']} solve(s), in-sample target {result.attrs['in_sample_target']:.3f} "
                      f"for the asked {spec.probability:g} (calibrated to hold out of sample)", highlight=False)
    print_frame(result.sensitivity, "table", title="Sensitivity of the plan's cost")


def _counterfactual_command(spec, without_igo, lapse, scale, *, fmt: str, data_dir, scenarios: int, seed: int,
                            reps: int, time_limit: float) -> None:
    """`plan --without-igo/--lapse/--scale`: the plan with the lead's ties as they are and as changed."""
    import json

    from coalitionlab.planner import change_from_cli, counterfactual

    change = change_from_cli(without_igo, lapse, scale)  # validates before the expensive build
    table = counterfactual(spec, change, data_dir=data_dir, n_scenarios=scenarios, seed=seed, n_reps=reps,
                           time_limit=time_limit)
    if fmt == "json":
        from coalitionlab.planner.plan import _jsonable

        payload = {"attrs": dict(table.attrs), "rows": json.loads(table.to_json(orient="records"))}
        sys.stdout.write(json.dumps(payload, default=_jsonable) + "\n")
        return
    if fmt == "csv":
        print_frame(table, "csv")
        return
    a = table.attrs
    lost = ", ".join(f"{k} {v:g}" for k, v in (a.get("ties_lost") or {}).items())
    console.print("[bold]counterfactual[/bold]: " + escape(f"{spec.name!r} on {a['date']}, {a['change']}; "
                  f"{scenarios} scenarios, seed {seed}, {reps} further seeds"), highlight=False)
    console.print(f"ties lost: {lost}; embeddedness summed over candidates "
                  f"{a['embeddedness_before']:.0f} -> {a['embeddedness_after']:.0f}", highlight=False)
    print_frame(table, "table", title="Plan before and after the change (difference = after - before)")
