"""File digests: the SHA-256 of a source file, remembered while the file is unchanged.

Kept apart from the registry (which imports pandas and pandera) so that a warm command can key its
cached answer on the data without importing them.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from coalitionlab.data.paths import write_atomic

__all__ = ["cached_sha256", "file_sha256"]


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (the cache key, and the fetch checksum)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


#: In-process memo of :func:`cached_sha256`: absolute path -> (stat key, SHA-256).
_DIGESTS: dict[str, tuple[tuple[int, ...], str]] = {}
#: A file changed this recently (ns) is hashed every time: a second write within the file system's
#: timestamp granularity could leave size and times unchanged ("racy" files, as in git).
_RACY_NS = 2_000_000_000


def _stat_key(st: os.stat_result) -> tuple[int, ...]:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def cached_sha256(path: Path, cache_dir: Path | None = None) -> str:
    """:func:`file_sha256` of ``path``, reused while the file's size, mtime, ctime and inode are unchanged.

    The fast path of a warm :func:`load`: a source file is hashed once, and its digest is kept in
    this process and (with ``cache_dir``) in ``cache_dir/digests/`` for later processes, keyed by
    ``(size, mtime_ns, ctime_ns, inode, device)``. Any change of these (a rewrite, even of the same
    size; a copy or move into place; a ``touch``) makes the next call hash the file again. A file
    modified in the last two seconds is always hashed and never memoised, so two writes within
    one timestamp tick cannot hide a change; the ctime cannot be set back by a program, so a
    rewrite that restores the old mtime is detected as well.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.csv"; _ = f.write_text("a,b\\n")
    >>> cached_sha256(f) == file_sha256(f)
    True
    """
    name = os.path.abspath(path)
    key = _stat_key(os.stat(name))
    hit = _DIGESTS.get(name)
    if hit is not None and hit[0] == key:
        return hit[1]
    memo = None
    if cache_dir is not None:
        memo = Path(cache_dir) / "digests" / f"{hashlib.sha256(name.encode()).hexdigest()[:32]}.json"
        try:
            rec = json.loads(memo.read_text())
            if rec["path"] == name and tuple(rec["stat"]) == key:
                _DIGESTS[name] = (key, str(rec["sha256"]))
                return str(rec["sha256"])
        except (OSError, ValueError, KeyError, TypeError):
            pass  # no memo yet, or a torn one: hash the file
    digest = file_sha256(Path(name))
    after = os.stat(name)
    settled = time.time_ns() - max(after.st_mtime_ns, after.st_ctime_ns) > _RACY_NS
    if settled and _stat_key(after) == key:  # unchanged while hashing and not racy: remember it
        _DIGESTS[name] = (key, digest)
        if memo is not None:  # an unwritable cache only loses the memo (one CacheWarning), never the digest
            record = json.dumps({"path": name, "stat": list(key), "sha256": digest})
            write_atomic(memo, lambda tmp: tmp.write_text(record))
    return digest
