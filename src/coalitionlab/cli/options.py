"""Options shared by every command, defined once, and the one error handler."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from coalitionlab.errors import CoalitionlabError

console = Console()
err_console = Console(stderr=True)

DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory (default: $COALITIONLAB_DATA, then the user data dir)."),
]
FormatOption = Annotated[str, typer.Option("--format", help="Output format: table, csv or json.")]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show the full traceback on errors.")]

OutputFormat = Literal["table", "csv", "json"]


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command; a CoalitionlabError or an invalid parameter (pydantic) prints one red line and
    exits 1 (``--debug``: traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (CoalitionlabError, ValidationError) as exc:
            if kwargs.get("debug") or os.environ.get("COALITIONLAB_DEBUG"):
                raise
            err_console.print(f"[red]error:[/red] {escape(_one_line(exc))}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper


def _one_line(exc: Exception) -> str:
    """The error as one line; a pydantic error names the first invalid field and the value given."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "parameter"
        return f"invalid {field}: {first.get('msg')} (got {first.get('input')!r})"
    return str(exc)


def print_frame(df: pd.DataFrame, fmt: str, *, title: str | None = None, float_digits: int = 3) -> None:
    """Print a DataFrame as a rich table, CSV or JSON records (to stdout, nothing else)."""
    from coalitionlab._validation import check_option

    check_option(fmt, ["table", "csv", "json"], name="format")
    if fmt == "csv":
        sys.stdout.write(df.to_csv(index=False))
    elif fmt == "json":
        sys.stdout.write(df.to_json(orient="records", double_precision=10) + "\n")
    else:
        table = Table(title=title)
        for col in df.columns:
            table.add_column(str(col), justify="right" if pd.api.types.is_numeric_dtype(df[col]) else "left")
        for row in df.itertuples(index=False):
            table.add_row(*[_fmt(v, float_digits) for v in row])
        console.print(table)


def _fmt(value: Any, digits: int) -> str:
    if isinstance(value, float):
        return "" if pd.isna(value) else f"{value:.{digits}f}"
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
