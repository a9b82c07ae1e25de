"""Options shared by every command, defined once, and the one error handler."""

from __future__ import annotations

import functools
import os
import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from coalitionlab.errors import CoalitionlabError, CoalitionlabWarning

if TYPE_CHECKING:  # pandas is imported where a frame is printed: `coalitionlab --help` should not pay for it
    import pandas as pd

console = Console()
err_console = Console(stderr=True)

DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory (default: $COALITIONLAB_DATA, then the user data dir)."),
]
FormatOption = Annotated[str, typer.Option("--format", help="Output format: table, csv or json.")]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show the full traceback on errors.")]

OutputFormat = Literal["table", "csv", "json"]


def handle_errors(func: Callable[..., Any] | None = None, *, data_dir_must_exist: bool = True) -> Any:
    """Run a command; a CoalitionlabError, an invalid parameter (pydantic) or an OSError (an output path
    that cannot be written) prints one red line and exits 1 (``--debug``: traceback).

    ``--format`` is checked before any work. An explicit ``--data-dir`` (or ``$COALITIONLAB_DATA``, for a
    command that takes ``--data-dir``) that is not a directory is such an error, naming where the path came
    from (a typo must not quietly fall back to the embedded seed); ``data_dir_must_exist=False`` for
    commands that create it (``data fetch``).
    Warnings print as one ``warning:`` line each on stderr, never with the source line that raised them.
    """
    if func is None:
        return functools.partial(handle_errors, data_dir_must_exist=data_dir_must_exist)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = bool(kwargs.get("debug") or os.environ.get("COALITIONLAB_DEBUG"))
        try:
            if kwargs.get("fmt") is not None:  # before any work: cv or robustness ran for minutes, then refused it
                from coalitionlab._validation import check_option

                check_option(kwargs["fmt"], ["table", "csv", "json"], name="format")
            if data_dir_must_exist and "data_dir" in kwargs:  # --data-dir, else $COALITIONLAB_DATA, if given
                from coalitionlab.data.paths import data_dir_is_explicit, resolve_data_dir

                if data_dir_is_explicit(kwargs["data_dir"]):
                    resolve_data_dir(kwargs["data_dir"], must_exist=True)
            with warnings.catch_warnings():
                if not debug:
                    warnings.showwarning = _one_line_warning(set())
                return func(*args, **kwargs)
        except (CoalitionlabError, ValidationError, OSError) as exc:
            if debug:
                raise
            err_console.print(f"[red]error:[/red] {escape(_one_line(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, typer.exceptions.TyperException):  # the command's own exit or usage error
            raise
        except KeyboardInterrupt:  # Ctrl+C: one line and the shell's code for SIGINT (128 + 2), no traceback
            if debug:
                raise
            err_console.print("[red]error:[/red] interrupted", highlight=False, soft_wrap=True)
            raise typer.Exit(130) from None
        except Exception as exc:  # anything else is a bug or an unforeseen input: one line, the traceback on request
            if debug:
                raise
            text = _one_line(exc) or repr(exc)
            err_console.print(f"[red]error:[/red] {escape(f'{type(exc).__name__}: {text}')} "
                              "(rerun with --debug for the traceback)", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper


def _one_line_warning(seen: set[str]) -> Callable[..., None]:
    """A ``warnings.showwarning`` that prints each distinct message once, as one line on stderr."""

    def show(message: Warning | str, category: type[Warning], *_args: Any, **_kwargs: Any) -> None:
        text = _flatten(str(message))
        if not issubclass(category, CoalitionlabWarning):
            text = f"{category.__name__}: {text}"
        if text not in seen:
            seen.add(text)
            err_console.print(f"warning: {escape(text)}", highlight=False, soft_wrap=True, markup=True)

    return show


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _flatten(text: str) -> str:
    """Drop terminal colour codes and join the lines of a message into one."""
    return " ".join(_ANSI.sub("", text).split())


def _one_line(exc: Exception) -> str:
    """The error as one line; a pydantic error names the first invalid field and the value given."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "parameter"
        return _flatten(f"invalid {field}: {first.get('msg')} (got {first.get('input')!r})")
    return _flatten(str(exc))


def print_frame(df: pd.DataFrame, fmt: str, *, title: str | None = None, float_digits: int = 3) -> None:
    """Print a DataFrame as a rich table, CSV or JSON records (to stdout, nothing else)."""
    import pandas as pd

    from coalitionlab._validation import check_option

    check_option(fmt, ["table", "csv", "json"], name="format")
    if fmt == "csv":  # a cell that a spreadsheet would run as a formula is written as text
        from coalitionlab._csv import safe_csv_frame

        sys.stdout.write(safe_csv_frame(df).to_csv(index=False))
    elif fmt == "json":
        sys.stdout.write(df.to_json(orient="records", double_precision=10) + "\n")
    else:
        from rich.text import Text

        table = Table(title=None if title is None else escape(title))
        for col in df.columns:
            table.add_column(str(col), justify="right" if pd.api.types.is_numeric_dtype(df[col]) else "left")
        for row in df.itertuples(index=False):
            table.add_row(*[Text(_fmt(v, float_digits)) for v in row])  # cells are text, never markup
        console.print(table)


def _fmt(value: Any, digits: int) -> str:
    import pandas as pd

    if isinstance(value, float):
        return "" if pd.isna(value) else f"{value:.{digits}f}"
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
