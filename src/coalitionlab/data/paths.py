"""Where data and caches live. One function each, and nothing global."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from coalitionlab.errors import MissingDataError

DATA_ENV = "COALITIONLAB_DATA"
CACHE_ENV = "COALITIONLAB_CACHE"


def resolve_data_dir(data_dir: str | os.PathLike | None = None, *, must_exist: bool = False) -> Path:
    """Return the data directory: the argument, else ``$COALITIONLAB_DATA``, else the user data dir.

    The directory is laid out like the official releases: one folder per source
    (``cow_states/``, ``cow_igo/`` ...), with the source's own file names.

    Parameters
    ----------
    data_dir
        An explicit directory (e.g. from ``--data-dir``); wins over everything else.
    must_exist
        Raise :class:`MissingDataError` when the directory does not exist.
    """
    if data_dir is not None:
        path = Path(data_dir).expanduser()
    elif os.environ.get(DATA_ENV):
        path = Path(os.environ[DATA_ENV]).expanduser()
    else:
        path = Path(platformdirs.user_data_dir("coalitionlab"))
    if must_exist and not path.is_dir():
        raise MissingDataError(
            f"data directory {str(path)!r} does not exist; pass --data-dir, set ${DATA_ENV}, "
            "or run 'coalitionlab data fetch'"
        )
    return path


def resolve_cache_dir(cache_dir: str | os.PathLike | None = None) -> Path:
    """Return (and create) the cache directory: the argument, ``$COALITIONLAB_CACHE``, or the user cache dir.

    Caches never go inside a data directory, which may be read-only.
    """
    if cache_dir is not None:
        path = Path(cache_dir).expanduser()
    elif os.environ.get(CACHE_ENV):
        path = Path(os.environ[CACHE_ENV]).expanduser()
    else:
        path = Path(platformdirs.user_cache_dir("coalitionlab"))
    path.mkdir(parents=True, exist_ok=True)
    return path
