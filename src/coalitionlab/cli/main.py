"""`coalitionlab` command: one typer app; each command group lives in its own module."""

from __future__ import annotations

import typer

from coalitionlab.cli import bargaining, coalitions, data, demo, measures, models, planner
from coalitionlab.cli import replay as replay_cli

app = typer.Typer(
    name="coalitionlab",
    help="Study and plan how a lead state builds a multilateral military coalition.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



@app.callback()
def main() -> None:
    """Study and plan how a lead state builds a multilateral military coalition."""


@app.command("version")
def version() -> None:
    """Print the coalitionlab version."""
    from coalitionlab import __version__

    typer.echo(__version__)


for _module in (data, demo, measures, coalitions, bargaining, models, planner):
    _module.register(app)
replay_cli.register(app)
from coalitionlab.cli import app as app_cli  # noqa: E402 - the `app` command (web app; heavy imports inside)

app_cli.register(app)

if __name__ == "__main__":  # pragma: no cover
    app()
