"""Where data and caches live, and what to do when they are not usable.

Two rules, each decided here once for every caller:

- **An explicit data location never falls back to the seed.** When the user named a data
  directory (``data_dir=`` / ``--data-dir``, or ``$COALITIONLAB_DATA``) and it lacks a source a
  call needs, the call raises :class:`MissingDataError` naming the directory, the missing
  folders and the expected layout (:func:`seed_fallback`, :func:`missing_sources_error`). Only
  with no location given (the default user data directory) may ``source="auto"`` use the
  embedded seed, with a :class:`SeedDataWarning`.
- **An unusable cache never breaks a command.** A cache directory that cannot be created or
  written (a file in its place, a read-only folder, a full disk) makes coalitionlab run
  uncached, with one :class:`CacheWarning` per process (:func:`resolve_cache_dir`,
  :func:`usable_cache_dir`, :func:`write_atomic`); no temporary file is left behind.
"""

from __future__ import annotations

import errno
import os
import threading
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

import platformdirs

from coalitionlab.errors import CacheWarning, MissingDataError, SeedDataWarning

DATA_ENV = "COALITIONLAB_DATA"
CACHE_ENV = "COALITIONLAB_CACHE"


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("coalitionlab"))


def data_dir_is_explicit(data_dir: str | os.PathLike | None = None) -> bool:
    """Whether the user named a data location: ``data_dir`` (``--data-dir``) or ``$COALITIONLAB_DATA``.

    Only when this is False may ``source="auto"`` fall back to the embedded seed. A ``data_dir``
    equal to the default user data directory (passed on by a caller that resolved the default
    first) is not explicit.

    Examples
    --------
    >>> data_dir_is_explicit("my_data")
    True
    """
    if os.environ.get(DATA_ENV):
        return True
    if data_dir is None:
        return False
    return Path(data_dir).expanduser().absolute() != _default_data_dir().absolute()


def _origin(data_dir: str | os.PathLike | None) -> str:
    """How the data directory was chosen, for messages (the variable and its value when it came from there)."""
    env = os.environ.get(DATA_ENV)
    given = None if data_dir is None else Path(data_dir).expanduser().absolute()
    if env and (given is None or given == Path(env).expanduser().absolute()):
        return f"from ${DATA_ENV}={env!r}"
    if given is not None and given != _default_data_dir().absolute():
        return "given by data_dir= / --data-dir"
    return "the default user data directory"


def resolve_data_dir(data_dir: str | os.PathLike | None = None, *, must_exist: bool = False) -> Path:
    """Return the data directory: the argument, else ``$COALITIONLAB_DATA``, else the user data dir.

    The directory is laid out like the official releases: one folder per source
    (``cow_states/``, ``cow_igo/`` ...), with the source's own file names.

    Parameters
    ----------
    data_dir
        An explicit directory (e.g. from ``--data-dir``); wins over everything else.
    must_exist
        Raise :class:`MissingDataError` when the directory does not exist (the message says where
        the path came from: the argument, ``$COALITIONLAB_DATA`` and its value, or the default).
    """
    if data_dir is not None:
        path = Path(data_dir).expanduser()
    elif os.environ.get(DATA_ENV):
        path = Path(os.environ[DATA_ENV]).expanduser()
    else:
        path = _default_data_dir()
    if must_exist and not path.is_dir():
        origin = _origin(data_dir)
        if origin.startswith("from $"):
            fix = f"correct ${DATA_ENV}, pass --data-dir"
        elif origin.startswith("given"):
            fix = "check the path"
        else:
            fix = f"pass --data-dir, set ${DATA_ENV}"
        raise MissingDataError(f"data directory {str(path)!r} ({origin}) does not exist; {fix}, "
                               "or run 'coalitionlab data fetch'")
    return path


def missing_sources(names: Iterable[str], data_dir: str | os.PathLike | None = None) -> list[str]:
    """The registered sources among ``names`` whose files are not all in the data directory."""
    from coalitionlab.data.registry import source_paths

    out = []
    for name in dict.fromkeys(names):
        try:
            source_paths(name, data_dir)
        except MissingDataError:
            out.append(name)
    return out


def missing_sources_error(root: str | os.PathLike, names: Iterable[str], *,
                          data_dir: str | os.PathLike | None = None, what: str | None = None) -> MissingDataError:
    """The one-line :class:`MissingDataError` for sources ``names`` missing from data directory ``root``.

    It names the directory and where it came from (``data_dir`` as the caller received it), the
    missing folders, the files expected there (``<data_dir>/<folder>/<file>``) and the command that
    fetches them.

    Examples
    --------
    >>> str(missing_sources_error("/data", ["cow_states"], data_dir="/data"))  # doctest: +NORMALIZE_WHITESPACE
    "data directory '/data' (given by data_dir= / --data-dir) does not exist: expected
    /data/cow_states/statelist2024.csv (<data_dir>/<folder>/<file>); run 'coalitionlab data fetch
    cow_states --data-dir /data', or use source='seed' for the embedded seed"
    """
    from coalitionlab.data.registry import get_source

    root = Path(root)
    srcs = [get_source(n) for n in dict.fromkeys(names)]
    folders = list(dict.fromkeys(s.folder for s in srcs))
    files = [str(root / s.folder / f) for s in srcs for f in s.files if not (root / s.folder / f).is_file()]
    if len(files) > 6:
        files = [*files[:6], f"and {len(files) - 6} more"]
    origin = _origin(data_dir)
    state = "does not exist" if not root.is_dir() else f"lacks {', '.join(folders)}"
    fetch = f"coalitionlab data fetch {' '.join(s.name for s in srcs)}"
    if origin.startswith("given"):
        fetch += f" --data-dir {root}"
    head = f"{what}: " if what else ""
    return MissingDataError(f"{head}data directory {str(root)!r} ({origin}) {state}: expected {', '.join(files)} "
                            f"(<data_dir>/<folder>/<file>); run '{fetch}', or use source='seed' for the embedded seed")


def seed_fallback(names: Iterable[str], data_dir: str | os.PathLike | None, *, what: str,
                  message: str | None = None, stacklevel: int = 2) -> bool:
    """Decide ``source="auto"``: return True to use the embedded seed, False for the full sources.

    False when the data directory holds every source in ``names``. Otherwise, when the user named
    a data location (:func:`data_dir_is_explicit`), raise :func:`missing_sources_error`; with no
    location given, warn with :class:`SeedDataWarning` (``message``, followed by the missing folders)
    and return True.

    Parameters
    ----------
    names
        The registered sources whose presence means "full" for this call.
    data_dir
        As the caller received it (None: ``$COALITIONLAB_DATA``, then the user data directory).
    what
        The caller, for messages (``"embeddedness"``).
    message
        The warning's text (default: ``"<what>: the full sources are not in the data directory; using
        the embedded seed data ..."``); the missing folders are appended.
    stacklevel
        Of the warning, as the caller would pass it to :func:`warnings.warn` itself (2: the caller's caller).
    """
    missing = missing_sources(names, data_dir)
    if not missing:
        return False
    root = resolve_data_dir(data_dir)
    if data_dir_is_explicit(data_dir):
        raise missing_sources_error(root, missing, data_dir=data_dir, what=what)
    from coalitionlab.data.registry import get_source

    folders = ", ".join(dict.fromkeys(get_source(n).folder for n in missing))
    text = message or (f"{what}: the full sources are not in the data directory; using the embedded seed data "
                       f"(a small subset; pass data_dir= or set ${DATA_ENV} for the full sources)")
    warnings.warn(f"{text} [missing in {root}: {folders}]", SeedDataWarning, stacklevel=stacklevel + 1)
    return True


# ---------------------------------------------------------------- the cache

_cache_warned = False
_cache_lock = threading.Lock()


def cache_unusable(path: str | os.PathLike, exc: BaseException) -> None:
    """Say once per process, with a :class:`CacheWarning`, that the cache at ``path`` cannot be used."""
    global _cache_warned
    with _cache_lock:
        if _cache_warned:
            return
        _cache_warned = True
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    warnings.warn(f"cache {str(path)!r} cannot be used ({reason}); running uncached (same results, slower): "
                  f"set ${CACHE_ENV} to a writable directory", CacheWarning, stacklevel=3)


def _cache_path(cache_dir: str | os.PathLike | None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    return Path(platformdirs.user_cache_dir("coalitionlab"))


def resolve_cache_dir(cache_dir: str | os.PathLike | None = None) -> Path:
    """Return (and create) the cache directory: the argument, ``$COALITIONLAB_CACHE``, or the user cache dir.

    Caches never go inside a data directory, which may be read-only. A directory that cannot be
    created (a file in its place, no permission) is not an error: one :class:`CacheWarning` says
    so, and the path is returned all the same (reads there find nothing, writes through
    :func:`write_atomic` are skipped). :func:`usable_cache_dir` returns None instead.
    """
    path = _cache_path(cache_dir)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        file_in_place = path.exists() and not path.is_dir()  # mkdir says "File exists": say what is wrong
        cache_unusable(path, NotADirectoryError(errno.ENOTDIR, "a file, not a directory") if file_in_place else exc)
    return path


def usable_cache_dir(cache_dir: str | os.PathLike | None = None) -> Path | None:
    """:func:`resolve_cache_dir`, or None (after its one warning) when that is not a directory.

    A read-only directory is returned: what it holds can still be read, and a failed write
    warns then (:func:`write_atomic`).
    """
    path = resolve_cache_dir(cache_dir)
    return path if path.is_dir() else None


def write_atomic(path: str | os.PathLike, write: Callable[[Path], None]) -> bool:
    """Write a cache file: ``write(tmp)`` to a temporary file beside ``path``, then rename it into place.

    Returns whether ``path`` was written. An ``OSError`` (read-only folder, full disk, a file where a
    folder should be) is not raised: the temporary file is removed, one :class:`CacheWarning` per
    process says the cache is unusable, and False is returned. Other errors propagate, also
    without leaving the temporary file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> write_atomic(target, lambda tmp: tmp.write_text("cached")), target.read_text()
    (True, 'cached')
    >>> sorted(p.name for p in target.parent.iterdir())
    ['x.txt']
    """
    path = Path(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")  # unique per thread too
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        os.replace(tmp, path)
        return True
    except OSError as exc:
        cache_unusable(path.parent, exc)
        return False
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
