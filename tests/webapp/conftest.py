"""Fixtures of the web-app tests: an app on the embedded seed, a browser, an app server in a subprocess.

The app runs on the embedded seed only when no data location is given (a named data directory without the
full sources is refused), so the seed app is started with no ``--data-dir``, ``$COALITIONLAB_DATA`` unset and
an empty user data directory.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: Debian's chromium, headless, asking nothing of the network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REQUIRE_BROWSER = os.environ.get("COALITIONLAB_REQUIRE_BROWSER", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def no_location(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """No data location given and an empty user data directory: every result comes from the embedded seed,
    whatever the machine holds. ``$XDG_DATA_HOME`` points at an empty folder (the app servers inherit it)
    and ``$COALITIONLAB_DATA`` is unset; yields the (empty) default data directory."""
    from coalitionlab.data.paths import resolve_data_dir

    home = tmp_path_factory.mktemp("xdg-data-empty")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_DATA_HOME", str(home))
        mp.delenv("COALITIONLAB_DATA", raising=False)
        default = resolve_data_dir()
        if not default.is_relative_to(home):
            pytest.skip(f"the user data directory ({default}) does not follow $XDG_DATA_HOME on this platform")
        yield default


@pytest.fixture(scope="module")
def client(no_location: Path) -> Iterator:
    """A test client of the app on the embedded seed (requests name the host 127.0.0.1, as a browser's do)."""
    from fastapi.testclient import TestClient

    from coalitionlab.webapp.server import create_app

    with TestClient(create_app(None), base_url="http://127.0.0.1") as c:
        yield c


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AppServer:
    """``coalitionlab app`` in a subprocess on a free port (stopped by :meth:`stop`); ``data_dir`` None: no
    ``--data-dir`` (the app uses ``$COALITIONLAB_DATA``, else the user data directory)."""

    def __init__(self, data_dir: Path | None, log: Path, timeout: float = 120.0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = log
        self._fh = log.open("w")
        where = [] if data_dir is None else ["--data-dir", str(data_dir)]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "coalitionlab.cli.main", "app", "--port", str(self.port), *where],
            stdout=self._fh, stderr=subprocess.STDOUT, env={**os.environ})
        end = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app exited with {self.proc.returncode}: {log.read_text()}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > end:
                self.stop()
                raise RuntimeError(f"the app did not answer on {self.url} within {timeout:g} s: {log.read_text()}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._fh.close()


@pytest.fixture(scope="module")
def seed_server(no_location: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The app on the embedded seed, served by ``coalitionlab app`` (no ``--data-dir``) on a free port."""
    server = AppServer(None, tmp_path_factory.mktemp("app-log") / "app.log")
    yield server
    server.stop()


def browser_unavailable(chromium: Path = CHROMIUM) -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    if not chromium.is_file():
        return f"{chromium} not found (apt-get install chromium)"
    if shutil.which(str(chromium)) is None:
        return f"{chromium} is not executable"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright; no browser download needed)"
    return None


def skip_or_fail(missing: str, require: bool = REQUIRE_BROWSER) -> None:
    """Skip with the reason, or fail when COALITIONLAB_REQUIRE_BROWSER is set."""
    if require:
        pytest.fail(f"COALITIONLAB_REQUIRE_BROWSER is set but {missing}")
    pytest.skip(f"end-to-end browser tests need {missing}; set COALITIONLAB_REQUIRE_BROWSER=1 to make this a failure")


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """Debian's headless chromium through Playwright. Skipped (with the reason) when /usr/bin/chromium or
    Playwright is absent, unless COALITIONLAB_REQUIRE_BROWSER is set: then that is a failure."""
    missing = browser_unavailable()
    if missing:
        skip_or_fail(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()
