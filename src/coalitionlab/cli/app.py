"""CLI command: `coalitionlab app` (the local web app of coalitionlab.webapp, docs/app.md)."""

from __future__ import annotations

import socket
from typing import Annotated

import typer

from coalitionlab.cli.options import DataDirOption, DebugOption, err_console, handle_errors

#: The only address the app listens on: this machine.
HOST = "127.0.0.1"


def register(app: typer.Typer) -> None:
    """Add the `app` command to `app`."""
    app.command("app")(app_command)


def check_port(port: int) -> None:
    """Raise a one-line OSError when ``port`` on 127.0.0.1 cannot be listened on (before the app starts)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: a just-stopped app's port is free
        try:
            sock.bind((HOST, port))
        except OSError as exc:
            raise OSError(f"cannot listen on {HOST}:{port} ({exc.strerror or exc}); pick another --port") from None


@handle_errors
def app_command(
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port on 127.0.0.1 (the app listens on this machine only).")] = 8765,
    workers: Annotated[int, typer.Option("--workers", min=1, max=8, help="Forecasts and plans computed at once.")] = 2,
    job_timeout: Annotated[float, typer.Option("--job-timeout", min=10, help="Seconds after which a forecast or plan still running is reported as failed.")] = 600.0,
    data_dir: DataDirOption = None,
    debug: DebugOption = False,
) -> None:
    """Start the local web app on http://127.0.0.1:PORT (Ctrl+C stops it); it reads only --data-dir's data."""
    try:
        import uvicorn

        from coalitionlab.webapp.server import create_app
    except ImportError as exc:
        err_console.print(f"[red]error:[/red] the app needs FastAPI and uvicorn ({exc.name} is missing): "
                          "pip install fastapi uvicorn", highlight=False)
        raise typer.Exit(1) from None
    check_port(port)
    web = create_app(data_dir, workers=workers, job_timeout=job_timeout)
    info = web.state.data.describe()
    source = "full sources" if info["source"] == "full" else "embedded seed data (no full sources there)"
    err_console.print(f"coalitionlab app on http://{HOST}:{port}/ - data: {info['data_dir']} ({source}); "
                      "Ctrl+C stops it", highlight=False, soft_wrap=True)
    uvicorn.run(web, host=HOST, port=port, log_level="debug" if debug else "warning")
