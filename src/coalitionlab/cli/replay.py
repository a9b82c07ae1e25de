"""CLI command: `coalitionlab replay` (a thin wrapper over coalitionlab.planner.replay)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from coalitionlab.cli.options import DataDirOption, DebugOption, FormatOption, console, err_console, handle_errors, print_frame


def register(app: typer.Typer) -> None:
    """Add the case-replay command to `app`."""
    app.command("replay")(replay_command)


@handle_errors
def replay_command(
    coalition_id: Annotated[str | None, typer.Argument(help="Coalition id (coalitionlab coalitions list), e.g. iraq_2003.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Replay every coalition: one line each, then the mean AUC.")] = False,
    only: Annotated[str | None, typer.Option("--only", help="With --all: only these coalition ids (comma-separated).")] = None,
    k: Annotated[int | None, typer.Option("--k", min=1, help="Top-k cut for hits (default: as many as joined).")] = None,
    half_life: Annotated[float, typer.Option("--half-life", min=0.01, help="Half-life in years of the decayed record of joins with the lead.")] = 10.0,
    data_dir: DataDirOption = None,
    fmt: FormatOption = "table",
    debug: DebugOption = False,
) -> None:
    """Replay a past coalition: who the participation model, trained only on earlier coalitions, expected
    to join at the start, against who did, and the documented side-payments."""
    from coalitionlab.errors import UnknownOptionError
    from coalitionlab.planner.replay import replay, replay_all, summary_line

    if all_ == (coalition_id is not None):
        raise UnknownOptionError("replay: give one coalition id or --all (not both)")
    if only is not None and not all_:
        raise UnknownOptionError("replay: --only goes with --all")
    if all_:
        with _spinner(fmt == "table") as say:
            table = replay_all(data_dir=data_dir, half_life=half_life, k=k, progress=say,
                               ids=None if only is None else [i.strip() for i in only.split(",") if i.strip()])
        a = table.attrs
        if fmt == "json":
            sys.stdout.write(json.dumps({"mean_auc": a["mean_auc"], "n_model": a["n_model"],
                                         "mean_auc_embeddedness_only": a["mean_auc_embeddedness_only"],
                                         "n_embeddedness_only": a["n_embeddedness_only"], "reasons": a["reasons"],
                                         "replays": json.loads(table.to_json(orient="records", double_precision=10))})
                             + "\n")
        elif fmt == "csv":
            print_frame(table, fmt)
        else:
            for row in table.to_dict(orient="records"):
                sys.stdout.write(summary_line(row) + "\n")
            sys.stdout.write(f"mean AUC {a['mean_auc']:.3f} (participation model, {a['n_model_with_auc']} coalitions; "
                             f"embeddedness-only fallback for {a['n_embeddedness_only']}: mean AUC "
                             f"{a['mean_auc_embeddedness_only']:.3f}, not included)\n")
        return
    with _spinner(fmt == "table") as say:
        say("building the panel")
        r = replay(coalition_id, data_dir=data_dir, half_life=half_life, k=k)
    if fmt == "json":
        sys.stdout.write(r.to_json() + "\n")
        return
    if fmt == "csv":
        print_frame(r.candidates, fmt)
        return
    sys.stdout.write(r.line() + "\n")
    t = r.training
    if r.reason:
        console.print(f"not replayable with the participation model: {r.reason}. Ranked by embeddedness with the "
                      f"lead only ({'embeddedness_log1p'}); the AUC is that ranking's.", highlight=False)
    else:
        console.print(f"trained on {t['n_train_coalitions']} coalitions started by {t['train_until']} (last: "
                      f"{t['last_train_start']}), labels as of {t['labels_as_of']}, {t['n_train_rows']} rows", highlight=False)
    cols = ["rank", "country", "p_join" if r.model == "participation" else "score", "role"]
    k_ = r.metrics["k"]
    print_frame(r.hits[cols], fmt, title=f"hits: joiners in the top {k_}")
    print_frame(r.missed[cols], fmt, title=f"missed: joiners ranked below {k_}")
    print_frame(r.false_alarms[cols], fmt, title=f"false alarms: non-joiners in the top {k_}")
    if len(r.payments):
        shown = r.payments[["country", "kind", "amount_usd", "year", "source_type", "p_join", "rank", "reading"]]
        print_frame(shown, fmt, title="documented side-payments beside the prediction")
        console.print("a low rank with a payment is consistent with buying a reluctant ally; it does not show that "
                      "the payment caused the join (docs/planner/replays/index.md)", highlight=False)
    if r.metrics["n_unscored"]:
        err_console.print(f"{r.metrics['n_unscored']} candidates lack an input and are not scored "
                          f"({r.metrics['n_joined_unscored']} of them joined)", highlight=False)


def _spinner(enabled: bool):
    """The models commands' progress spinner (on stderr)."""
    from coalitionlab.cli.models import _progress

    return _progress(enabled)
