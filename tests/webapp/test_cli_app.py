"""`coalitionlab app`: what it refuses before starting, in one `error:` line."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coalitionlab.cli.app import HOST, check_port
from coalitionlab.cli.main import app


def _fails(args: list[str], *needles: str) -> None:
    out = CliRunner().invoke(app, args)
    assert out.exit_code != 0, out.output
    text = out.stderr
    assert "Traceback" not in text, text
    for needle in needles:
        assert needle in text, text


def test_a_port_in_use_is_refused_before_starting(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind((HOST, 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{port}"):
            check_port(port)
        _fails(["app", "--port", str(port), "--data-dir", str(tmp_path)], f"error: cannot listen on 127.0.0.1:{port}",
               "pick another --port")


def test_a_missing_data_dir_is_refused(tmp_path: Path) -> None:
    _fails(["app", "--port", "8765", "--data-dir", str(tmp_path / "nope")], "error: data directory", "does not exist")


def test_a_data_dir_without_the_sources_is_refused_naming_them(tmp_path: Path) -> None:
    from tests.webapp.conftest import free_port

    _fails(["app", "--port", str(free_port()), "--data-dir", str(tmp_path)], "error: coalitionlab app: data directory",
           "lacks cow_states, cow_igo", "coalitionlab data fetch")


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_a_bad_port_is_refused(port: str) -> None:
    _fails(["app", "--port", port], "--port")
