"""Disk cache of expensive results (fitted participation models, training panels, candidates' features).

Fitting the forecast model rebuilds the training panel and its features (8-20 s). The models stage and
the planner keep each result under the user cache directory (``$COALITIONLAB_CACHE`` or the platform's user cache dir,
:func:`coalitionlab.data.resolve_cache_dir`; never inside a data directory), keyed by

* the SHA-256 of every file in the data directory (a changed file is never served stale),
* the package version and the SHA-256 of the package's source files (a changed rule is never served stale),
* what the entry depends on (training window, formula, target, lead, date, source).

A cache that cannot be read or written is skipped (the value is rebuilt), never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import warnings
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["cache_key", "cached", "code_fingerprint", "data_fingerprint"]

T = TypeVar("T")
_CODE: list[str] = []


def _file_digest(path: Path) -> str:
    """SHA-256 of a file, remembered across processes while its size, times and inode are unchanged."""
    from coalitionlab.data.paths import resolve_cache_dir
    from coalitionlab.data.digests import cached_sha256

    try:
        cache_dir = resolve_cache_dir(None)
    except Exception:  # noqa: BLE001 - no usable cache: hash in this process only
        cache_dir = None
    return cached_sha256(path, cache_dir)


def data_fingerprint(data_dir: str | os.PathLike | None) -> str:
    """SHA-256 over the relative paths and contents of every file in the data directory
    (``"seed"`` when the directory does not exist: the embedded seed is covered by the code fingerprint)."""
    from coalitionlab.data.paths import resolve_data_dir

    root = resolve_data_dir(data_dir)
    if not root.is_dir():
        return "seed"
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(_file_digest(path).encode())
    return h.hexdigest()


def code_fingerprint() -> str:
    """SHA-256 of the package's source and shipped data files (everything but the CLI and reports)."""
    if not _CODE:
        from coalitionlab import __version__

        root = Path(__file__).resolve().parent  # the package folder
        h = hashlib.sha256(__version__.encode())
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root).as_posix()
            if not path.is_file() or rel.startswith(("cli/", "reports/", "webapp/")) or "__pycache__" in rel:
                continue
            h.update(rel.encode())
            h.update(_file_digest(path).encode())
        _CODE.append(h.hexdigest())
    return _CODE[0]


def cache_key(*parts: Any) -> str:
    """A short hex key from JSON-serialisable parts."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]


def cached(name: str, key: str, build: Callable[[], T], *, enabled: bool = True,
           folder_name: str = "planner", replay_warnings: bool = False) -> tuple[T, bool]:
    """``build()``, read back from ``<cache dir>/<folder_name>/<name>-<key>.pkl`` when present.

    Returns the value and whether it came from the cache. Writes are atomic (a temporary file renamed;
    a failed write leaves no temporary file behind). With ``replay_warnings`` the warnings ``build()``
    issued are stored with the value and issued again on every later hit (a cached answer says what the
    computed one said: stale data, seed fallback ...).
    """
    if not enabled:
        return build(), False
    if replay_warnings:
        def build_recording() -> Any:
            with warnings.catch_warnings(record=True) as seen:
                warnings.simplefilter("always")
                value = build()
            said = [(w.category, str(w.message)) for w in seen]
            _replay(said)
            return value, said

        (value, said), hit = cached(name, key, build_recording, folder_name=folder_name)
        if hit:
            _replay(said)
        return value, hit
    from coalitionlab.data.paths import resolve_cache_dir

    try:
        folder = resolve_cache_dir(None) / folder_name
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}-{key}.pkl"
        if path.is_file():
            with path.open("rb") as fh:
                return pickle.load(fh), True
    except Exception:  # noqa: BLE001 - an unreadable cache is rebuilt, never trusted
        path = None
    value = build()
    if path is not None:
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")  # unique per thread too
        try:
            with tmp.open("wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except Exception:  # noqa: BLE001 - an unwritable or full cache is skipped
            tmp.unlink(missing_ok=True)
    return value, False


def _replay(said: list[tuple[type[Warning], str]]) -> None:
    for category, message in said:
        warnings.warn(message, category, stacklevel=4)
