"""Shared fixtures: the real data in ../shared/data and an isolated cache per session."""

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
SHARED_DATA = Path(os.environ.get("COALITIONLAB_TEST_DATA", ROOT.parent / "shared" / "data")).resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real datasets; a missing directory fails with the path tried, never a silent skip."""
    if not (SHARED_DATA / "cow_states").is_dir():
        pytest.fail(f"real data not found at {SHARED_DATA} (set COALITIONLAB_TEST_DATA)")
    return SHARED_DATA


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test session caches in its own temporary directory, never in a data directory."""
    os.environ["COALITIONLAB_CACHE"] = str(tmp_path_factory.mktemp("cache"))
