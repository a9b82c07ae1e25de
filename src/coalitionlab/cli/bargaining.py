"""CLI commands: `coalitionlab simulate` (and `coalitionlab sweep`), thin wrappers over coalitionlab.bargaining."""

from __future__ import annotations

import json
import math
import sys
import warnings
from typing import Annotated, Any

import typer
from rich.markup import escape

from coalitionlab.cli.options import DataDirOption, DebugOption, console, err_console, handle_errors, print_frame


def register(app: typer.Typer) -> None:
    """Add the bargaining commands to `app`."""
    _register_simulate(app)
    _register_sweep(app)


def _register_simulate(app: typer.Typer) -> None:
    app.command("simulate")(simulate_command)


def _register_sweep(app: typer.Typer) -> None:
    """Add the `sweep` command (parameter sweeps; owned by the sweep module's author)."""
    @app.command("sweep")
    @handle_errors
    def sweep_command(
        config: Annotated[str, typer.Argument(help="Sweep configuration (TOML): a target, a grid table and a fixed table.")],
        scheduler: Annotated[str | None, typer.Option(
            "--scheduler", help="Dask scheduler address, e.g. tcp://host:8786 (default: local processes).")] = None,
        out: Annotated[str | None, typer.Option("--out", help="Write the results to this CSV file.")] = None,
        seed: Annotated[int | None, typer.Option(
            "--seed", min=0, help="Root seed (default: the config's seed, else 1). Same seed, same results.")] = None,
        n_jobs: Annotated[int | None, typer.Option("--n-jobs", min=1,
                                                          help="Local worker processes (default: CPUs).")] = None,
        fmt: Annotated[str, typer.Option("--format", help="Output format: table, csv or json.")] = "table",
        allow_code: Annotated[bool, typer.Option(
            "--allow-code", help="Allow a 'module:function' target: imports that module and runs that function, "
                                 "i.e. arbitrary code. Only for configurations you trust; refused without it.")] = False,
        debug: DebugOption = False,
    ) -> None:
        """Run a parameter sweep over a bargaining model or the simulator, with a progress bar."""
        from pydantic import ValidationError
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        from coalitionlab._validation import check_option, check_scheduler
        from coalitionlab.bargaining.sweep import load_sweep_config, sweep

        check_option(fmt, ["table", "csv", "json"], name="format")
        check_scheduler(scheduler, name="--scheduler")
        try:
            cfg = load_sweep_config(config)
        except (FileNotFoundError, ValueError) as exc:
            if isinstance(exc, ValidationError):
                first = exc.errors()[0]
                field = ".".join(str(p) for p in first.get("loc", ())) or "config"
                err_console.print(escape(f"error: {config}: invalid {field}: {first.get('msg')}"), style="red",
                                  highlight=False, soft_wrap=True)
            else:
                err_console.print(escape(f"error: {exc}"), style="red", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        root = seed if seed is not None else (cfg.seed if cfg.seed is not None else 1)
        columns = (TextColumn(f"sweep {cfg.target}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        try:
            with Progress(*columns, console=err_console, transient=True) as bar:
                task = bar.add_task("runs", total=cfg.n_runs)
                result = sweep(cfg, seed=root, scheduler=scheduler, n_jobs=n_jobs, allow_code=allow_code,
                               progress=lambda done, total: bar.update(task, completed=done))
        except OSError as exc:  # an unreachable Dask scheduler
            if debug:
                raise
            err_console.print(escape(f"error: {exc}"), style="red", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        if out is not None:
            from coalitionlab._csv import safe_csv_frame

            safe_csv_frame(result).to_csv(out, index=False)  # no cell a spreadsheet would run
            err_console.print(f"{len(result)} runs of {cfg.target} (seed {root}, {result.attrs['backend']}) "
                              f"written to {out}", highlight=False)
            return
        print_frame(result, fmt, title=f"sweep {cfg.target}, seed {root}")


def _number_kinds() -> dict[str, Any]:
    """The domain of each kind of number option of `simulate` (the bargaining parameter models' own types)."""
    from pydantic import Field

    from coalitionlab.bargaining.params import NonNegativePriceLevel, PriceLevel, Precision, Slope

    return {"positive": Annotated[float, Field(gt=0.0, allow_inf_nan=False)],
            ">=0": Annotated[float, Field(ge=0.0, allow_inf_nan=False)],
            "price_level": PriceLevel, "price_level>=0": NonNegativePriceLevel, "slope": Slope, "precision": Precision}


def _check_numbers(options: dict[str, tuple[float | None, str]]) -> None:
    """Refuse, before any work, a number option outside its parameter's domain: one line naming the
    option and the value (``--value inf`` ran for 17 s, then died with an IndexError)."""
    from pydantic import TypeAdapter, ValidationError

    from coalitionlab.errors import UnknownOptionError

    kinds = _number_kinds()
    for name, (number, kind) in options.items():
        if number is None:
            continue
        try:
            TypeAdapter(kinds[kind]).validate_python(number)
        except ValidationError as exc:  # as the parameter models say it, with the option's name
            field = name.removeprefix("--").replace("-", "_")
            raise UnknownOptionError(f"invalid {field} ({name}): {exc.errors()[0]['msg']} (got {number!r})") from None


def _round(value: Any, digits: int = 6) -> Any:
    """Round floats to ``digits`` significant digits so JSON output is stable across runs and platforms."""
    if isinstance(value, dict):
        return {k: _round(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_round(v, digits) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return float(f"{value:.{digits}g}")
    return value


@handle_errors
def simulate_command(
    lead: Annotated[str, typer.Option("--lead", help="Lead state: name, ISO3 code or COW ccode.")],
    date: Annotated[str, typer.Option("--date", help="Date of the coalition call, YYYY-MM-DD.")],
    episodes: Annotated[int, typer.Option("--episodes", help="Number of simulated episodes.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed (same seed, same output).")] = 1,
    data_dir: DataDirOption = None,
    fmt: Annotated[str, typer.Option("--format", help="Output format: table or json.")] = "table",
    prior: Annotated[str, typer.Option("--prior", help="Price prior: normal, lognormal or uniform.")] = "normal",
    payment_scale: Annotated[float, typer.Option(
        "--payment-scale", help="Money per price unit: an explicit assumption (participation data cannot "
                                "identify it; see docs/bargaining/identification.md).")] = 1.0,
    payment_unit: Annotated[str | None, typer.Option("--payment-unit",
                                                     help="Name of the money unit, e.g. USD.")] = None,
    value: Annotated[float, typer.Option("--value", help="The average candidate's value joining the lead alone "
                                                         "(sets the value of success unless --mission-value), "
                                                         "price units.")] = 2.0,
    channels: Annotated[str, typer.Option(
        "--channels", help="Henke's channels on, comma-separated: information, linkage, credibility, brokers; "
                           "'all' (default: every available one) or 'none' (the baseline). The others are "
                           "switched off in a fixed world: prices are calibrated once with every channel on.")] = "all",
    bias_slope: Annotated[float, typer.Option(
        "--bias-slope", help="Rotten carrot: the lead's signal of a price reads too low by bias-slope x e x "
                             "price sd (0: unbiased).")] = 0.0,
    max_offers: Annotated[int, typer.Option(
        "--max-offers", help="Offers the lead may make to a partner; after a refusal it re-offers (normal prior; "
                             "default 1: one take-it-or-leave-it offer).")] = 1,
    reoffer_cost: Annotated[float, typer.Option(
        "--reoffer-cost", help="What each re-offer costs the lead, price units (with --max-offers > 1).")] = 0.0,
    mission_value: Annotated[float | None, typer.Option(
        "--mission-value", help="The lead's value of success, in price units (default: set from --value).")] = None,
    target: Annotated[str | None, typer.Option(
        "--target", help="Target state (name, ISO3 or ccode): candidates in its region bring regional "
                         "legitimacy.")] = None,
    price_mean: Annotated[float | None, typer.Option(
        "--price-mean", help="Mean price at zero embeddedness (default 1; only with --no-prior-from-model).")] = None,
    price_scale: Annotated[float, typer.Option("--price-scale", help="Standard deviation of prices.")] = 0.5,
    price_slope: Annotated[float | None, typer.Option(
        "--price-slope", help="Price channel: mean falls by exp(-slope) at the top embeddedness (default 0; "
                              "only with --no-prior-from-model).")] = None,
    precision_base: Annotated[float, typer.Option("--precision-base", help="Signal precision at zero "
                                                                            "embeddedness.")] = 0.5,
    precision_slope: Annotated[float, typer.Option("--precision-slope", help="Extra precision at the top "
                                                                              "embeddedness.")] = 4.0,
    top: Annotated[int, typer.Option("--top", min=0, help="Partners listed (most likely to join first).")] = 15,
    prior_from_model: Annotated[bool, typer.Option(
        "--prior-from-model/--no-prior-from-model",
        help="Calibrate each candidate's price so its acceptance probability equals its P(join) from the "
             "participation model fitted on coalitions before the date.")] = True,
    debug: DebugOption = False,
) -> None:
    """Simulate side-payment offers from the lead to every state at a date, with embeddedness from the data.

    Without --data-dir (and without $COALITIONLAB_DATA holding the full sources) the candidates'
    embeddedness comes from the embedded seed data; the output says which. The world's prices are fixed
    once, with every available channel on; --channels switches channels off in that same world.
    """
    from coalitionlab.errors import InfeasibleError

    if episodes < 1:  # before anything is imported or read
        raise InfeasibleError(f"--episodes: episodes must be a positive integer; got {episodes!r}")
    _check_numbers({"--payment-scale": (payment_scale, "positive"), "--value": (value, "price_level>=0"),
                    "--price-mean": (price_mean, "price_level"), "--price-scale": (price_scale, "positive"),
                    "--price-slope": (price_slope, "slope"), "--precision-base": (precision_base, "precision"),
                    "--precision-slope": (precision_slope, "precision"), "--bias-slope": (bias_slope, ">=0"),
                    "--reoffer-cost": (reoffer_cost, "price_level>=0"), "--mission-value": (mission_value, "positive")})
    from coalitionlab._validation import check_option, parse_date
    from coalitionlab.bargaining import EmbeddednessMapping, World, simulate
    from coalitionlab.bargaining.channels import (ChannelParams, PartnerValuation, add_broker_scores, add_capabilities,
        check_channels)
    from coalitionlab.bargaining.params import PRIOR_KINDS
    from coalitionlab.bargaining.world import ChannelWarning, check_world_scalars
    from coalitionlab.data.countries import to_ccode
    from coalitionlab.errors import SeedDataWarning, UnknownOptionError
    from coalitionlab.measures import embeddedness

    # every cheap check before any data are read: a bad value is one line, at once
    check_option(fmt, ["table", "json"], name="format")
    check_option(prior, PRIOR_KINDS, name="prior")
    day = str(parse_date(date).date())
    asked = check_channels(channels)  # an unknown channel or an empty list: one line listing the valid ones
    every = channels.strip().lower() == "all"
    check_world_scalars(payment_scale=payment_scale)
    params = ChannelParams(bias_slope=bias_slope, max_offers=max_offers, reoffer_cost=reoffer_cost)
    if max_offers > 1 and prior != "normal":
        raise InfeasibleError(f"--max-offers > 1 (re-offers) is implemented for the normal prior; got --prior {prior}")
    valuation = PartnerValuation(mission_value=mission_value)
    if prior_from_model and (price_mean is not None or price_slope is not None):
        given = " and ".join(name for name, v in (("--price-mean", price_mean), ("--price-slope", price_slope))
                             if v is not None)
        raise UnknownOptionError(f"{given} set the price channel, which --prior-from-model (the default) replaces "
                                 "by calibrating each mean price to P(join); add --no-prior-from-model to use it")
    mapping = EmbeddednessMapping(price_mean=1.0 if price_mean is None else price_mean, price_scale=price_scale,
                                  price_slope=0.0 if price_slope is None else price_slope,
                                  precision_base=precision_base, precision_slope=precision_slope, value=value)
    target_ccode = None if target is None else int(to_ccode(target, date=day, where="--target"))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeedDataWarning)  # reported in the output instead
        if prior_from_model:
            from coalitionlab.planner import candidates_with_p_join

            frame = candidates_with_p_join(lead, date, data_dir=data_dir)
        else:
            frame = embeddedness(lead, date, data_dir=data_dir)
        frame = add_capabilities(frame, frame.attrs.get("date", date), data_dir=data_dir)
        # brokers always: the world is calibrated with every channel, whichever are switched on below
        frame = add_broker_scores(frame, lead, frame.attrs.get("date", date), data_dir=data_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChannelWarning)  # said once below
        # one fixed world: prices calibrated once with every available channel on, an unbiased lead and
        # one offer; the requested channels are then switched on in it (same prices, same seed)
        world = World.from_frame(frame, lead=lead, date=frame.attrs.get("date", date), prior=prior,
                                 payment_scale=payment_scale, payment_unit=payment_unit, mapping=mapping,
                                 channels="all", channel_params=params, valuation=valuation,
                                 target_ccode=target_ccode)
    if prior_from_model:
        world.assumptions["prior_from"] = frame.attrs["prior_from"]

    run = "all" if every else asked
    data_label = "embedded seed data" if world.is_seed else "full sources"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChannelWarning)  # said once below
        if fmt == "table":
            from rich.progress import Progress

            with Progress(console=err_console, transient=True) as bar:
                task = bar.add_task(f"simulating {episodes} episodes", total=episodes)
                result = simulate(world, episodes, seed=seed, channels=run,
                                  progress=lambda done, total: bar.update(task, completed=done))
        else:
            result = simulate(world, episodes, seed=seed, channels=run)
    used = tuple(result.episodes.attrs["channels"])
    off = dict(result.episodes.attrs["channels_off"])  # requested (by name or by 'all') but unavailable
    if off:
        err_console.print(escape("warning: " + "; ".join(f"channel {c} is {why}" for c, why in off.items())),
                          style="yellow", highlight=False)
    switched = [c for c in world.channels if c not in used]
    fixed = ("prices fixed once " + ("by calibration to P(join) with channels " + ", ".join(world.channels)
                                      if world.assumptions.get("calibrated_with") else "from the price mapping")
             + "; channels not listed are switched off in this same world, same seed")

    partners = result.partners.sort_values(["join_rate", "embeddedness", "ccode"], ascending=[False, False, True])
    if fmt == "json":
        doc = {
            "lead": lead, "date": world.date, "episodes": episodes, "seed": seed, "data": data_label,
            "candidates": world.n, "prior": world.prior, "payment_scale": world.payment_scale,
            "payment_unit": world.payment_unit, "channels": list(used), "channels_switched_off": switched,
            "channels_off": off, "calibrated_with": world.assumptions.get("calibrated_with"), "fixed_world": fixed,
            "scale_constants": world.assumptions["scale_constants"], "mission_value": world.mission_value,
            "assumptions": world.assumptions, "notes": dict(world.notes),
            "summary": {m: result.summary.loc[m].to_dict() for m in result.summary.index},
            "partners": partners.head(top).to_dict(orient="records"),
        }
        sys.stdout.write(json.dumps(_round(doc), ensure_ascii=False) + "\n")
        return
    console.print(f"{lead} on {world.date}: {episodes} episodes, seed {seed}, {world.n} candidates, "
                  f"data: {data_label}; prices in {world.payment_unit} (scale {world.payment_scale:g}, an assumption); "
                  f"channels: {', '.join(used) or 'none'} ({fixed})",
                  highlight=False, soft_wrap=True, markup=False)  # --payment-unit '[/]' is a name, not markup
    print_frame(result.summary.reset_index(), "table", title="per-episode outcomes")
    print_frame(partners.head(top), "table", title=f"top {min(top, world.n)} partners by join rate")
