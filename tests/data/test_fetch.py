"""`fetch` downloads into the data-dir layout with checksums, tested against a loopback HTTP mirror
that serves the real files from ../shared/data."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coalitionlab.cli.main import app
from coalitionlab.data import registry
from coalitionlab.data.fetch import fetch
from coalitionlab.data.registry import Source, file_sha256, load, register
from coalitionlab.errors import DataFileError, MissingDataError

from tests.data.test_registry import PROBE


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output clean
        pass


@pytest.fixture(scope="module")
def mirror(shared_data: Path) -> Iterator[str]:
    """A loopback HTTP server serving ../shared/data (read-only) as a data mirror."""
    handler = functools.partial(_QuietHandler, directory=str(shared_data))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture()
def nmc_source(shared_data: Path) -> Iterator[Source]:
    registry._ensure_loaders()
    source = dataclasses.replace(
        PROBE, name="mirror_nmc", folder="peacesciencer",
        sha256={"cow_nmc.csv.gz": file_sha256(shared_data / "peacesciencer" / "cow_nmc.csv.gz")},
    )
    register(source)
    yield source
    registry.REGISTRY.pop("mirror_nmc", None)


def test_fetch_downloads_checks_and_loads(tmp_path: Path, mirror: str, nmc_source: Source, shared_data: Path) -> None:
    result = fetch("mirror_nmc", tmp_path, base_url=mirror)
    target = tmp_path / "peacesciencer" / "cow_nmc.csv.gz"
    assert list(result["status"]) == ["downloaded"]
    assert target.read_bytes() == (shared_data / "peacesciencer" / "cow_nmc.csv.gz").read_bytes()
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    assert (tmp_path / "peacesciencer" / "SHA256SUMS").read_text() == f"{digest}  cow_nmc.csv.gz\n"
    assert result.loc[0, "check"] == "matches the pinned hash"
    assert sorted(p.name for p in (tmp_path / "peacesciencer").iterdir()) == ["SHA256SUMS", "cow_nmc.csv.gz"]
    assert len(load("mirror_nmc", tmp_path)) > 15_000
    again = fetch("mirror_nmc", tmp_path, base_url=mirror)
    assert list(again["status"]) == ["present"]


def test_fetch_rejects_a_wrong_checksum(tmp_path: Path, mirror: str, nmc_source: Source) -> None:
    register(dataclasses.replace(nmc_source, sha256={"cow_nmc.csv.gz": "0" * 64}))
    with pytest.raises(DataFileError, match="checksum mismatch"):
        fetch("mirror_nmc", tmp_path, base_url=mirror)
    assert not (tmp_path / "peacesciencer").exists()  # nothing installed, no folder left behind


def test_fetch_reports_http_errors_and_missing_addresses(tmp_path: Path, mirror: str, nmc_source: Source) -> None:
    register(dataclasses.replace(nmc_source, folder="no_such_folder"))
    with pytest.raises(MissingDataError, match="could not download"):
        fetch("mirror_nmc", tmp_path, base_url=mirror)
    with pytest.raises(MissingDataError, match="no download address"):
        fetch("mirror_nmc", tmp_path)


def test_fetch_cli_draws_progress_and_writes_files(tmp_path: Path, mirror: str, nmc_source: Source) -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["data", "fetch", "mirror_nmc", "--data-dir", str(tmp_path), "--base-url", mirror])
    assert out.exit_code == 0, out.output
    assert "downloaded" in out.output
    assert (tmp_path / "peacesciencer" / "cow_nmc.csv.gz").is_file()
    bad = runner.invoke(app, ["data", "fetch", "no_such_source", "--data-dir", str(tmp_path)])
    assert bad.exit_code == 1 and "unknown data source" in bad.output
