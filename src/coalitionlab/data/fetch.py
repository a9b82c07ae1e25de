"""Download a source's files into the data directory, with checksums (pooch does the HTTP work).

Files land as ``<data_dir>/<folder>/<file>``, the layout :func:`coalitionlab.data.load` reads.
Each download is checked against the registry's SHA-256 when the registry knows it, and every
fetched file's SHA-256 is written to ``<folder>/SHA256SUMS`` so later reads can be audited.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pooch

from coalitionlab.data.paths import resolve_data_dir
from coalitionlab.data.registry import file_sha256, get_source
from coalitionlab.errors import DataFileError, MissingDataError

ProgressFactory = Callable[[str], Any]


def fetch(
    name: str,
    data_dir: str | os.PathLike | None = None,
    *,
    base_url: str | None = None,
    force: bool = False,
    progress: ProgressFactory | None = None,
) -> pd.DataFrame:
    """Download the files of source ``name`` into the data directory.

    Parameters
    ----------
    name
        A registered source.
    data_dir
        Target data directory (created if needed); default from :func:`resolve_data_dir`.
    base_url
        A mirror laid out like the data directory (``<base_url>/<folder>/<file>``). Without it the
        source's official ``urls`` are used; a file with neither raises :class:`MissingDataError`.
    force
        Download again even when a file with the right checksum is present.
    progress
        ``progress(file_name)`` returns a pooch-compatible progress bar object (``total``,
        ``update``, ``reset``, ``close``); the CLI passes a rich bar. None: no bar.

    Returns
    -------
    pandas.DataFrame
        One row per file: ``source, file, path, sha256, bytes, status`` (downloaded / present).

    Raises
    ------
    MissingDataError
        No address is known for a file.
    DataFileError
        A download whose checksum differs from the registry's (the bad file is removed).
    """
    source = get_source(name)
    folder = resolve_data_dir(data_dir) / source.folder
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for fname in source.files:
        target = folder / fname
        known = source.sha256.get(fname)
        if target.is_file() and not force and (known is None or file_sha256(target) == known):
            rows.append(_row(name, fname, target, "present"))
            continue
        url = f"{base_url.rstrip('/')}/{source.folder}/{fname}" if base_url else source.urls.get(fname)
        if not url:
            raise MissingDataError(
                f"no download address for {name}/{fname}: pass --base-url of a mirror laid out like the data "
                f"directory, or download it by hand from the publisher ({source.publisher}) into {folder}"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        bar = progress(fname) if progress else False
        try:
            pooch.retrieve(
                url,
                known_hash=f"sha256:{known}" if known else None,
                fname=fname,
                path=target.parent,
                downloader=pooch.HTTPDownloader(progressbar=bar, timeout=60),
            )
        except ValueError as exc:  # pooch raises ValueError on a hash mismatch
            target.unlink(missing_ok=True)
            raise DataFileError(f"checksum mismatch for {url}: {exc}", path=target) from None
        except Exception as exc:  # network and HTTP errors: one clear line
            raise MissingDataError(f"could not download {url}: {exc}") from None
        rows.append(_row(name, fname, target, "downloaded"))
    result = pd.DataFrame(rows)
    _write_manifest(folder, result)
    return result


def _row(name: str, fname: str, path: Path, status: str) -> dict[str, Any]:
    return {"source": name, "file": fname, "path": str(path), "sha256": file_sha256(path),
            "bytes": path.stat().st_size, "status": status}


def _write_manifest(folder: Path, rows: pd.DataFrame) -> None:
    """Merge the fetched files' checksums into ``folder/SHA256SUMS`` (sha256sum's format)."""
    manifest = folder / "SHA256SUMS"
    entries: dict[str, str] = {}
    if manifest.is_file():
        for line in manifest.read_text().splitlines():
            digest, _, fname = line.partition("  ")
            if fname:
                entries[fname] = digest
    entries.update(dict(zip(rows["file"], rows["sha256"])))
    manifest.write_text("".join(f"{d}  {f}\n" for f, d in sorted(entries.items())))
