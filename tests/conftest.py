"""Shared fixtures: the real data in ../shared/data and an isolated cache per session.

Real data. Tests that need the real datasets take the ``shared_data`` fixture; every such test is
marked ``real_data`` at collection. The data directory is ``$COALITIONLAB_TEST_DATA``, else
``../shared/data`` next to the repository. When it is absent, the real-data tests are skipped with
one reason that names the directory tried, unless ``COALITIONLAB_REQUIRE_DATA=1`` (CI sets it, see
``.ci/run``): then a missing directory stops the run before any test, with one line.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run (CI included): a failure is reproducible,
# never a matter of which random examples a run happened to draw.
settings.register_profile("coalitionlab", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("coalitionlab")

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("COALITIONLAB_TEST_DATA") or ROOT.parent / "shared" / "data").resolve()
REQUIRE_DATA = os.environ.get("COALITIONLAB_REQUIRE_DATA", "").strip().lower() not in ("", "0", "false", "no")
HAVE_DATA = (SHARED_DATA / "cow_states").is_dir()
_N_REAL = pytest.StashKey[int]()


def _missing_reason(n: int | None = None) -> str:
    what = f"the {n} real-data tests" if n is not None else "the real-data tests"
    return f"real data not found at {SHARED_DATA}: set COALITIONLAB_TEST_DATA=DIR to run {what}"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real_data: needs the real datasets (the shared_data fixture); "
                                       "skipped when they are absent, unless COALITIONLAB_REQUIRE_DATA=1")
    if REQUIRE_DATA and not HAVE_DATA:
        raise pytest.UsageError(f"COALITIONLAB_REQUIRE_DATA is set but {_missing_reason()} "
                                "(a folder with cow_states/ and the other sources)")


def pytest_report_header(config: pytest.Config) -> str:
    if HAVE_DATA:
        return f"real data: {SHARED_DATA}"
    return f"real data: not found at {SHARED_DATA} (real-data tests will be skipped)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that uses ``shared_data`` (directly or through another fixture) ``real_data``;
    without the data, skip them all with one reason that says how many they are."""
    real = [item for item in items if "shared_data" in getattr(item, "fixturenames", ())]
    config.stash[_N_REAL] = len(real)
    for item in real:
        item.add_marker(pytest.mark.real_data)
    if not HAVE_DATA and real:
        skip = pytest.mark.skip(reason=_missing_reason(len(real)))
        for item in real:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # noqa: ANN001
    n = config.stash.get(_N_REAL, 0)
    if not HAVE_DATA and n:
        terminalreporter.write_line(_missing_reason(n), yellow=True)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real datasets (``$COALITIONLAB_TEST_DATA``, else ../shared/data).

    Tests using it are skipped at collection when the directory is absent (see the module docstring);
    this check only catches a fixture requested at run time (``request.getfixturevalue``).
    """
    if not HAVE_DATA:
        if REQUIRE_DATA:
            pytest.fail(_missing_reason())
        pytest.skip(_missing_reason())
    return SHARED_DATA


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test session caches in its own temporary directory, never in a data directory; a user's
    own COALITIONLAB_DATA, or data in the user data directory, does not leak into tests that expect the
    embedded seed when no data location is given: ``$XDG_DATA_HOME`` (which platformdirs follows on
    Linux) points at an empty folder, so the default data directory holds no source."""
    os.environ["COALITIONLAB_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("xdg_data"))
    os.environ.pop("COALITIONLAB_DATA", None)
