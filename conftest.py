"""Repository-level pytest set-up, shared by the tests in tests/ and the docstring examples in src/.

Every run caches in a fresh temporary directory (never a data directory, never the user's cache), and a
user's own COALITIONLAB_DATA does not leak into examples that expect the embedded seed.
"""

from __future__ import annotations

import os
import shutil
import tempfile

_CACHE: list[str] = []


def pytest_configure(config) -> None:  # noqa: ARG001 - pytest hook signature
    _CACHE.append(tempfile.mkdtemp(prefix="coalitionlab-test-cache-"))
    os.environ["COALITIONLAB_CACHE"] = _CACHE[-1]
    os.environ.pop("COALITIONLAB_DATA", None)
    _CACHE.append(tempfile.mkdtemp(prefix="coalitionlab-test-xdg-"))
    os.environ["XDG_DATA_HOME"] = _CACHE[-1]  # an empty default data dir: doctests see the seed


def pytest_unconfigure(config) -> None:  # noqa: ARG001 - pytest hook signature
    for path in _CACHE:
        shutil.rmtree(path, ignore_errors=True)
