"""CLI commands: `coalitionlab coalitions list | show`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from coalitionlab.cli.options import DebugOption, FormatOption, handle_errors, print_frame

coalitions_app = typer.Typer(help="The coalition dataset: list coalitions, show members.", no_args_is_help=True)

# The coalition dataset ships with coalitionlab, so list and show read no source from the data directory;
# they accept --data-dir like every command: a named location (--data-dir, else $COALITIONLAB_DATA) that does
# not exist is an error naming it and where it came from (handle_errors); one without sources is fine, as these
# commands need none.
CoalitionsDataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory, checked like on every command (default: $COALITIONLAB_DATA, "
                                    "then the user data dir); the coalition dataset itself ships with coalitionlab."),
]

RolesOption = Annotated[
    list[str] | None,
    typer.Option("--roles", help="Only membership rows with these roles (comma-separated or repeated), e.g. "
                                 "'lead,combat,non_combat,token,medical,gendarmerie' or 'host'; default every row."),
]


def _roles(values: list[str] | None) -> list[str] | None:
    """--roles a,b --roles c -> ['a', 'b', 'c'] (checked by the API); None when not given."""
    return None if not values else [r.strip() for v in values for r in v.split(",") if r.strip()]


LIST_COLUMNS = ["coalition_id", "name", "start_date", "end_date", "lead", "kind", "un_authorisation", "target",
                "mission_type", "n_members"]


def register(app: typer.Typer) -> None:
    """Add the `coalitions` command group to `app`."""
    app.add_typer(coalitions_app, name="coalitions")


@coalitions_app.command("list")
@handle_errors
def list_command(
    lead: Annotated[str | None, typer.Option("--lead", help="Only coalitions led by this state (name, ISO3 or ccode).")] = None,
    roles: RolesOption = None,
    data_dir: CoalitionsDataDirOption = None,
    fmt: FormatOption = "table",
    debug: DebugOption = False,
) -> None:
    """List the coalitions of the dataset (one row each, with the number of member rows; --roles: of those roles)."""
    from coalitionlab.coalitions import coalitions, memberships

    df = coalitions(lead=lead)
    counts = memberships(roles=_roles(roles)).groupby("coalition_id").size().rename("n_members")
    df = df.join(counts, on="coalition_id")
    df["n_members"] = df["n_members"].fillna(0).astype("int64")
    for col in ("start_date", "end_date"):
        df[col] = df[col].dt.strftime("%Y-%m-%d")
    cols = LIST_COLUMNS if fmt == "table" else [c for c in df.columns if c != "file"]
    print_frame(df[cols], fmt, title=f"coalitions ({len(df)})")


@coalitions_app.command("show")
@handle_errors
def show_command(
    coalition_id: Annotated[str, typer.Argument(help="Coalition id, e.g. korea_1950.")],
    roles: RolesOption = None,
    data_dir: CoalitionsDataDirOption = None,
    fmt: FormatOption = "table",
    debug: DebugOption = False,
) -> None:
    """Show the member states of one coalition, with role, dates, peak personnel and source."""
    from coalitionlab.coalitions import coalition_members

    df = coalition_members(coalition_id, roles=_roles(roles)).drop(columns=["file"])
    for col in ("join_date", "leave_date"):
        df[col] = df[col].dt.strftime("%Y-%m-%d")
    print_frame(df, fmt, title=coalition_id)
