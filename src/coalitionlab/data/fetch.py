"""Fetch a source's files from their official addresses, verify them, and install them atomically.

Where each file comes from, its archive member, its conversion and its pinned SHA-256 are in
:mod:`coalitionlab.data.official`. For every file that is missing (or with ``force``), fetch

1. downloads into a hidden staging folder inside the target folder (``<folder>/.fetch-*``);
   a redirect to another host is refused unless ``allow_redirect``; an empty, incomplete
   (shorter than its ``Content-Length``) or HTML download, or one whose first bytes do not match
   the expected format (zip, Stata, Excel, gzip, text), is refused;
2. checks the download against its published pin, else against the hash recorded on first use
   in ``<folder>/DOWNLOADS.sha256`` (trust on first use);
3. unzips the archive member and converts it to the reference CSV
   (:func:`write_reference_csv`), or derives it from other files of the folder;
4. checks the result against the pinned SHA-256 of the reference file (for ``.csv.gz`` files:
   of its decompressed content); a mismatch is refused unless ``allow_mismatch``, which warns
   and records the new hash;
5. validates all the source's files with the source's reader and schema (the registry's
   :func:`~coalitionlab.data.registry.load`, uncached) on the staged copies;
6. moves them into place with :func:`os.replace` and records their SHA-256 in
   ``<folder>/SHA256SUMS`` (sha256sum's format), which :func:`verify_manifest` reads back.

On any failure nothing is installed, the staging folder is removed and nothing is cached.
Other routes: ``base_url`` (a mirror laid out like the data directory, ``<base_url>/<folder>/<file>``,
serving the reference files themselves, no conversion), ``mirror`` (a mirror laid out like the
publishers' sites, ``<mirror>/<host>/<path>``, as ``wget --mirror`` writes it) and ``from_dir``
(files downloaded or exported from R by hand; see :func:`coalitionlab.data.official.manual_steps`).
``http(s)://`` and ``file://`` addresses both work.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import pandas as pd

from coalitionlab import __version__
from coalitionlab.data.official import OFFICIAL, Official, manual_steps
from coalitionlab.data.paths import resolve_data_dir
from coalitionlab.data.registry import Source, file_sha256, get_source, load
from coalitionlab.errors import (
    CoalitionlabError,
    CoalitionlabWarning,
    DataFileError,
    MissingDataError,
    UnknownOptionError,
)

ProgressFactory = Callable[[str], Any]

MANIFEST = "SHA256SUMS"
DOWNLOADS = "DOWNLOADS.sha256"
_STAGE_PREFIX = ".fetch-"
_MAX_REDIRECTS = 10
_CHUNK = 1 << 16


class HashMismatchWarning(CoalitionlabWarning):
    """A file whose SHA-256 differs from its pin was installed because the user allowed it."""


class ManualDownloadRequired(MissingDataError):
    """Some files can only be obtained by hand (R data); ``instructions`` says exactly how."""

    def __init__(self, instructions: str) -> None:
        self.instructions = instructions
        super().__init__(instructions)


# ----------------------------------------------------------------------------------- public API


def fetch(
    name: str,
    data_dir: str | os.PathLike | None = None,
    *,
    base_url: str | None = None,
    mirror: str | None = None,
    from_dir: str | os.PathLike | None = None,
    force: bool = False,
    allow_mismatch: bool = False,
    allow_redirect: bool = False,
    progress: ProgressFactory | None = None,
    timeout: float = 60.0,
) -> pd.DataFrame:
    """Download, verify, convert, validate and install the files of source ``name``.

    Parameters
    ----------
    name
        A registered source.
    data_dir
        Target data directory (created if needed); default from :func:`resolve_data_dir`.
    base_url
        A mirror laid out like the data directory (``<base_url>/<folder>/<file>``) serving the
        reference files themselves.
    mirror
        A mirror laid out like the publishers' sites: the official address ``https://host/path``
        is read from ``<mirror>/host/path``.
    from_dir
        A folder holding the official downloads (by their file name) or the CSV exported from R
        (see :func:`coalitionlab.data.official.manual_steps`); nothing is downloaded.
    force
        Download again even when a file with the right checksum is present.
    allow_mismatch
        Install a file whose SHA-256 differs from its pin (or from the download hash recorded on
        first use), with a :class:`HashMismatchWarning`; its hash is recorded.
    allow_redirect
        Follow a redirect to another host (same-host redirects are always followed).
    progress
        ``progress(label)`` returns a progress bar object (``total``, ``update``, ``close``); None: no bar.
    timeout
        Seconds to wait for a server.

    Returns
    -------
    pandas.DataFrame
        One row per file: ``source, file, path, sha256, bytes, status, check, origin``;
        ``status`` is ``present`` (kept), ``downloaded`` (new) or ``replaced`` (an existing file
        downloaded again); ``check`` says what the hash was checked against.

    Raises
    ------
    ManualDownloadRequired
        A file is published only as R data (the message has the exact steps).
    MissingDataError
        No address is known, the server answered with an error, or a cross-host redirect was refused.
    DataFileError
        A download that is empty, incomplete, HTML or of the wrong format; a checksum mismatch;
        a file that fails the source's schema.
    """
    source = get_source(name)
    routes = [r for r in (base_url, mirror, from_dir) if r is not None]
    if len(routes) > 1:
        raise UnknownOptionError("pass at most one of --base-url, --mirror and --from-dir")
    folder = resolve_data_dir(data_dir) / source.folder
    recorded = _read_sums(folder / MANIFEST)
    rows: dict[str, dict[str, Any]] = {}
    todo: list[str] = []
    for fname in source.files:
        target = folder / fname
        if target.is_file() and not force:
            check = _present_check(source, fname, target, recorded.get(fname))
            if check is not None:
                rows[fname] = _row(name, fname, target, "present", check, "")
                continue
        todo.append(fname)
    if todo:
        run = _Run(name=name, source=source, folder=folder, force=force, allow_mismatch=allow_mismatch,
                   allow_redirect=allow_redirect, base_url=base_url, mirror=mirror,
                   from_dir=Path(from_dir) if from_dir is not None else None, progress=progress, timeout=timeout)
        _require_routes(run, todo)  # before anything is created: no address, or R data only
        created = [p for p in (folder, *folder.parents) if not p.exists()]  # removed again on failure
        folder.mkdir(parents=True, exist_ok=True)
        run.work = Path(tempfile.mkdtemp(prefix=_STAGE_PREFIX, dir=folder))
        installed = False
        try:
            for fname in todo:
                _obtain(run, fname)
            stage_root = run.work / "root"
            stage = stage_root / source.folder
            stage.mkdir(parents=True)
            for fname in source.files:
                if fname in todo:
                    os.replace(run.produced[fname], stage / fname)
                else:
                    _link_or_copy(folder / fname, stage / fname)
            _validate(name, stage_root)
            existed = {fname: (folder / fname).exists() for fname in todo}
            digests = {fname: file_sha256(stage / fname) for fname in todo}
            for fname in todo:
                os.replace(stage / fname, folder / fname)
            _merge_sums(folder / MANIFEST, digests)
            if run.new_downloads:
                _merge_sums(folder / DOWNLOADS, run.new_downloads)
            installed = True
            for fname in todo:
                rows[fname] = _row(name, fname, folder / fname, "replaced" if existed[fname] else "downloaded",
                                   run.checks[fname], run.origins[fname])
        finally:
            shutil.rmtree(run.work, ignore_errors=True)
            if not installed:
                for path in created:  # deepest first; only folders this call made, and only if still empty
                    try:
                        path.rmdir()
                    except OSError:
                        break
    return pd.DataFrame([rows[f] for f in source.files],
                        columns=["source", "file", "path", "sha256", "bytes", "status", "check", "origin"])


def plan(
    name: str,
    *,
    base_url: str | None = None,
    mirror: str | None = None,
    from_dir: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """What :func:`fetch` would do for each file of source ``name``, without downloading anything.

    Columns: ``source, file, route, address, member, conversion, pin, download_pin, address_status, note``.

    Examples
    --------
    >>> p = plan("cow_states")
    >>> p.loc[0, "route"], p.loc[0, "member"]
    ('official', 'States2024/statelist2024.csv')
    """
    source = get_source(name)
    rows = []
    for fname in source.files:
        e = OFFICIAL.get((source.folder, fname))
        row = {"source": name, "file": fname, "route": "", "address": "", "member": None, "conversion": "",
               "pin": (source.sha256.get(fname) or (e.sha256 if e else "")), "download_pin": "",
               "address_status": e.address if e else "", "note": e.note if e else ""}
        if base_url:
            row.update(route="data-directory mirror", address=f"{base_url.rstrip('/')}/{source.folder}/{fname}",
                       conversion="none (the reference file itself)")
        elif e is None:
            url = source.urls.get(fname)
            row.update(route="registry address" if url else "none", address=url or "",
                       conversion="none" if url else "no download address")
        else:
            row.update(member=e.member, conversion=e.conversion(),
                       download_pin=(e.download_sha256 or e.download_pin) if e.url and e.automatic else "")
            if e.derive:
                row.update(route="derived", address=", ".join(e.inputs))
            elif from_dir is not None:
                row.update(route="local file", address=str(Path(from_dir) / e.local_name))
            elif not e.automatic:
                row.update(route="manual (R)", address=e.url or "")
            else:
                row.update(route="publisher-layout mirror" if mirror else "official",
                           address=_mirrored(e.url, mirror) if mirror else e.url)
        rows.append(row)
    return pd.DataFrame(rows)


def verify_manifest(folder: str | os.PathLike) -> pd.DataFrame:
    """Read ``<folder>/SHA256SUMS`` back and compare it with the files in the folder.

    Returns
    -------
    pandas.DataFrame
        One row per file listed or present: ``file, expected, actual, status, pinned``.
        ``status`` is ``ok`` (hash as listed), ``mismatch`` (changed since it was installed),
        ``missing`` (listed, not present) or ``unlisted`` (present, never installed by fetch;
        ``expected`` is NA). ``pinned`` says whether the file matches the pin of
        :mod:`coalitionlab.data.official` (``match`` / ``differs``; empty when there is no pin
        or no file). The manifests themselves and ``README*`` files are not listed.

    Raises
    ------
    MissingDataError
        ``folder`` is not a directory.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "a.csv").write_text("x\\n1\\n")
    >>> verify_manifest(d)[["file", "status"]].values.tolist()
    [['a.csv', 'unlisted']]
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise MissingDataError(f"no such data folder: {folder}")
    listed = _read_sums(folder / MANIFEST)
    rows = []
    for fname, expected in sorted(listed.items()):
        path = folder / fname
        if not path.is_file():
            rows.append({"file": fname, "expected": expected, "actual": pd.NA, "status": "missing", "pinned": ""})
            continue
        actual = file_sha256(path)
        rows.append({"file": fname, "expected": expected, "actual": actual,
                     "status": "ok" if actual == expected else "mismatch",
                     "pinned": _pinned(folder.name, fname, path, actual)})
    for path in sorted(folder.iterdir()):
        fname = path.name
        if (not path.is_file() or fname in listed or fname in (MANIFEST, DOWNLOADS)
                or fname.lower().startswith("readme")):
            continue
        actual = file_sha256(path)
        rows.append({"file": fname, "expected": pd.NA, "actual": actual, "status": "unlisted",
                     "pinned": _pinned(folder.name, fname, path, actual)})
    return pd.DataFrame(rows, columns=["file", "expected", "actual", "status", "pinned"])


def write_reference_csv(df: pd.DataFrame, path: str | os.PathLike) -> str:
    """Write ``df`` in the data release's CSV convention and return the file's SHA-256.

    UTF-8, ``\\n`` line ends, no index; float columns whose values are all whole numbers are
    written as integers, other floats with 8 significant digits; missing values are empty; a
    ``.gz`` path is gzipped (level 6) with no time stamp, so the same frame always gives the same
    bytes. Every file of the data release is a fixed point of this convention.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = write_reference_csv(pd.DataFrame({"a": [1.0, None], "b": [0.123456789, 2.5]}), p)
    >>> p.read_text()
    'a,b\\n1,0.12345679\\n,2.5\\n'
    """
    path = Path(path)
    out = df.copy()
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_float_dtype(values):
            present = values.dropna()
            if len(present) and bool((present % 1 == 0).all()) and float(present.abs().max()) < 2**53:
                out[col] = values.astype("Int64")
    data = out.to_csv(index=False, float_format="%.8g", lineterminator="\n").encode("utf-8")
    if path.name.endswith(".gz"):
        buf = io.BytesIO()
        with gzip.GzipFile(filename=path.name[:-3], mode="wb", fileobj=buf, mtime=0, compresslevel=6) as gz:
            gz.write(data)
        data = buf.getvalue()
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


# ----------------------------------------------------------------------------------- one run


@dataclass
class _Run:
    name: str
    source: Source
    folder: Path
    force: bool
    allow_mismatch: bool
    allow_redirect: bool
    base_url: str | None
    mirror: str | None
    from_dir: Path | None
    progress: ProgressFactory | None
    timeout: float
    work: Path = Path()
    produced: dict[str, Path] = field(default_factory=dict)
    checks: dict[str, str] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    downloads: dict[str, Path] = field(default_factory=dict)
    new_downloads: dict[str, str] = field(default_factory=dict)
    recorded_downloads: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.recorded_downloads = _read_sums(self.folder / DOWNLOADS)


def _require_routes(run: _Run, files: list[str]) -> None:
    """Raise before anything is written when a file has no address, or can only be made by hand."""
    manual: list[str] = []
    for fname in files:
        _route_problems(run, fname, manual, seen=set())
    if manual:
        raise ManualDownloadRequired("\n".join(dict.fromkeys(manual)))


def _route_problems(run: _Run, fname: str, manual: list[str], seen: set[str]) -> None:
    if fname in seen:
        return
    seen.add(fname)
    if run.base_url:
        return
    e = OFFICIAL.get((run.source.folder, fname))
    if e is None:
        if fname not in run.source.urls:
            raise MissingDataError(
                f"no download address for {run.name}/{fname}: pass --base-url of a mirror laid out like the data "
                f"directory, or download it by hand from the publisher ({run.source.publisher}) into {run.folder}")
        return
    if e.derive:
        for inp in e.inputs:
            if not run.force and _present_input(run, inp) is not None:
                continue
            _route_problems(run, inp, manual, seen)
        return
    if run.from_dir is not None:
        local = run.from_dir / e.local_name
        if not local.is_file():
            hint = "\n" + manual_steps(e, run.name) if not e.automatic else f" (download {e.url} there first)"
            raise MissingDataError(f"--from-dir: {local} not found{hint}")
        return
    if not e.automatic:
        manual.append(manual_steps(e, run.name))


def _present_input(run: _Run, fname: str) -> Path | None:
    """An input of a derivation already in the data folder with its pinned hash (used instead of a download)."""
    path = run.folder / fname
    pin = _pin(run.source, fname)
    if path.is_file() and pin is not None and _matches_pin(path, file_sha256(path), pin):
        return path
    return None


def _obtain(run: _Run, fname: str) -> Path:
    """Stage ``fname`` of the source's folder in ``run.work``, verified against its pin; memoised."""
    if fname in run.produced:
        return run.produced[fname]
    out = run.work / fname
    label = f"{run.source.folder}/{fname}"
    if run.base_url:
        url = f"{run.base_url.rstrip('/')}/{quote(run.source.folder)}/{quote(fname)}"
        _download(run, url, out, _kind_of(fname), label)
        origin = url
    else:
        e = OFFICIAL.get((run.source.folder, fname))
        if e is None:
            url = run.source.urls[fname]
            _download(run, url, out, _kind_of(fname), label)
            origin = url
        elif e.derive:
            inputs = []
            for inp in e.inputs:
                present = None if run.force else _present_input(run, inp)
                inputs.append(present if present is not None else _obtain(run, inp))
            frames = [pd.read_csv(p, low_memory=False) for p in inputs]
            write_reference_csv(DERIVE[e.derive](*frames), out)
            origin = f"derived from {', '.join(e.inputs)}"
        else:
            raw, origin = _acquire(run, e, label)
            write_reference_csv(_convert(raw, e, label), out)
    run.checks[fname] = _verify(run, fname, out, origin)
    run.produced[fname] = out
    run.origins[fname] = origin
    return out


def _acquire(run: _Run, e: Official, label: str) -> tuple[Path, str]:
    """The official download of entry ``e`` (or its local copy), checked against its download pin."""
    kind = "zip" if e.member else ("csv" if e.fmt == "rda" else e.fmt)
    if run.from_dir is not None:
        path = run.from_dir / e.local_name
        _sniff(path, kind, str(path))
        origin = str(path)
    else:
        url = _mirrored(e.url, run.mirror) if run.mirror else e.url
        assert url is not None
        path = run.downloads.get(url)
        if path is None:
            path = run.work / ".downloads" / hashlib.sha256(url.encode()).hexdigest()[:16]
            path.parent.mkdir(exist_ok=True)
            _download(run, url, path, kind, label)
            run.downloads[url] = path
        origin = url
    if e.fmt != "rda" and e.url:  # an R export made by hand has no download identity
        digest = file_sha256(path)
        expected = e.download_sha256 or run.recorded_downloads.get(e.url)
        if expected and digest != expected:
            why = ("its published pin" if e.download_sha256
                   else f"the hash recorded on first use in {run.source.folder}/{DOWNLOADS}")
            _mismatch(run, f"the download {origin}", f"differs from {why}: sha256 {digest}, expected {expected}")
        run.new_downloads[e.url] = digest
    return path, origin


def _verify(run: _Run, fname: str, path: Path, origin: str) -> str:
    pin = _pin(run.source, fname)
    digest = file_sha256(path)
    if pin is None:
        return "no pin; hash recorded in SHA256SUMS"
    if _matches_pin(path, digest, pin):
        return "matches the pinned hash"
    want = pin[0] + (f" (content {pin[1]})" if pin[1] and pin[1] != pin[0] else "")
    _mismatch(run, f"{run.source.folder}/{fname} from {origin}", f"sha256 {digest}, pinned {want}")
    return "DIFFERS from the pinned hash; accepted with --allow-hash-mismatch and recorded"


def _mismatch(run: _Run, what: str, detail: str) -> None:
    if run.allow_mismatch:
        warnings.warn(f"checksum mismatch for {what} accepted (--allow-hash-mismatch): {detail}; the new hash is "
                      "recorded", HashMismatchWarning, stacklevel=3)
        return
    raise DataFileError(f"checksum mismatch for {what}: {detail}; nothing was installed. If you have checked the "
                        "file, run again with --allow-hash-mismatch to install it and record its hash")


def _validate(name: str, stage_root: Path) -> None:
    try:
        load(name, stage_root, cache=False)
    except CoalitionlabError as exc:
        raise DataFileError(f"the fetched files of {name!r} fail validation, nothing was installed: {exc}") from None


# ----------------------------------------------------------------------------------- downloading


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are handled by :func:`_download` (to check each target's host)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _download(run: _Run, url: str, dest: Path, kind: str, label: str) -> str:
    """Stream ``url`` to ``dest``; refuse cross-host redirects, short, empty and HTML answers. Returns the final URL."""
    opener = urllib.request.build_opener(_NoRedirect)
    current = url
    for _hop in range(_MAX_REDIRECTS + 1):
        request = urllib.request.Request(current, headers={"User-Agent": f"coalitionlab/{__version__}"})
        try:
            response = opener.open(request, timeout=run.timeout)
        except urllib.error.HTTPError as exc:
            if exc.code in (301, 302, 303, 307, 308) and exc.headers.get("Location"):
                target = urljoin(current, exc.headers["Location"])
                _check_redirect(run, current, target)
                current = target
                continue
            raise MissingDataError(f"could not download {current}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise MissingDataError(f"could not download {current}: {reason}") from None
        break
    else:
        raise MissingDataError(f"could not download {url}: more than {_MAX_REDIRECTS} redirects")
    with response:
        ctype = (response.headers.get("Content-Type") or "").lower()
        length_header = response.headers.get("Content-Length")
        length = int(length_header) if length_header and length_header.isdigit() else None
        bar = run.progress(label) if run.progress else None
        if bar is not None and length:
            bar.total = length
        got = 0
        try:
            with open(dest, "wb") as fh:
                while True:
                    chunk = response.read(_CHUNK)
                    if not chunk:
                        break
                    fh.write(chunk)
                    got += len(chunk)
                    if bar is not None:
                        bar.update(len(chunk))
        except http.client.IncompleteRead as exc:
            got += len(exc.partial)
            total = length if length is not None else got + (exc.expected or 0)
            raise DataFileError(f"incomplete download of {current}: got {got:,} of {total:,} bytes; nothing was "
                                "installed") from None
        except (OSError, http.client.HTTPException) as exc:
            raise DataFileError(f"download of {current} failed after {got:,} bytes ({exc}); nothing was "
                                "installed") from None
        finally:
            if bar is not None:
                bar.close()
    if length is not None and got != length:
        raise DataFileError(f"incomplete download of {current}: got {got:,} of {length:,} bytes; nothing was installed")
    if ctype.startswith("text/html"):
        raise DataFileError(f"{current} answered with an HTML page (Content-Type {ctype}), not {label}; nothing was "
                            "installed")
    _sniff(dest, kind, current)
    return current


def _check_redirect(run: _Run, current: str, target: str) -> None:
    old, new = urlsplit(current), urlsplit(target)
    if (old.hostname or "").lower() != (new.hostname or "").lower() and not run.allow_redirect:
        raise MissingDataError(f"refused redirect from {current} to {target}: another host ({new.hostname}); pass "
                               "--allow-redirect to follow it")
    if old.scheme == "https" and new.scheme != "https" and not run.allow_redirect:
        raise MissingDataError(f"refused redirect from {current} to {target}: https to {new.scheme}; pass "
                               "--allow-redirect to follow it")


_HTML = (b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml version")
_MAGIC = {"zip": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",), "gz": (b"\x1f\x8b",), "xls": (b"\xd0\xcf\x11\xe0",)}


def _sniff(path: Path, kind: str, where: str) -> None:
    """Refuse an empty file, an HTML page, or bytes that are not of the expected ``kind``."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if not head:
        raise DataFileError(f"{where} is empty (0 bytes); nothing was installed")
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(_HTML):
        raise DataFileError(f"{where} is an HTML page, not the expected {kind} data (an error, login or landing "
                            "page?); nothing was installed")
    if kind in _MAGIC and not head.startswith(_MAGIC[kind]):
        raise DataFileError(f"{where} is not a {kind} file (first bytes {head[:8]!r}); nothing was installed")
    if kind == "dta" and not (head.startswith(b"<stata_dta>") or head[0] in range(102, 120)):
        raise DataFileError(f"{where} is not a Stata .dta file (first bytes {head[:8]!r}); nothing was installed")
    if kind in ("csv", "tsv") and b"\x00" in head:
        raise DataFileError(f"{where} holds binary data, not text; nothing was installed")


def _mirrored(url: str | None, mirror: str | None) -> str:
    """``https://host/path?q`` read from a publisher-layout mirror: ``<mirror>/host/path?q``."""
    assert url is not None and mirror is not None
    parts = urlsplit(url)
    return f"{mirror.rstrip('/')}/{parts.hostname}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def _kind_of(fname: str) -> str:
    return "gz" if fname.endswith(".gz") else ("zip" if fname.endswith(".zip") else "csv")


# ----------------------------------------------------------------------------------- conversion


def _convert(raw: Path, e: Official, label: str) -> pd.DataFrame:
    """Read the official download (its archive member) as a frame and apply the entry's mechanical steps."""
    data = _member(raw, e.member, label) if e.member else raw.read_bytes()
    fmt = "csv" if e.fmt == "rda" else e.fmt  # from R: the CSV exported by hand
    where = f"{label} ({e.member or raw.name})"
    try:
        if fmt == "dta":
            df = pd.read_stata(io.BytesIO(data))
        elif fmt in ("xls", "xlsx"):
            df = _read_excel(data, e, where)
        else:
            na = {} if e.na_text else {"keep_default_na": False, "na_values": [""]}
            df = pd.read_csv(io.StringIO(_decode(data, e.encoding, where)), sep=e.sep, low_memory=False, **na)
    except CoalitionlabError:
        raise
    except Exception as exc:  # noqa: BLE001 - pandas parsers raise many types: one line naming the file
        raise DataFileError(f"cannot read {where} as {fmt}: {exc}") from None
    if e.drop_index and len(df.columns) and (str(df.columns[0]) == "" or str(df.columns[0]).startswith("Unnamed: 0")):
        df = df.iloc[:, 1:]
    if e.lowercase_columns:
        df.columns = [str(c).lower() for c in df.columns]
    if e.na_codes:
        for col in df.columns:
            if pd.api.types.is_numeric_dtype(df[col]):
                df[col] = df[col].mask(df[col].isin(e.na_codes))
    if e.columns:
        missing = [c for c in e.columns if c not in df.columns]
        if missing:
            raise DataFileError(f"{where} lacks column(s) {', '.join(missing)}")
        df = df[list(e.columns)]
    return df


def _member(raw: Path, member: str, label: str) -> bytes:
    """The bytes of ``member`` inside the zip ``raw``; ``outer.zip!!inner`` reads a zip inside the zip."""
    data = raw.read_bytes()
    for part in member.split("!!"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = zf.namelist()
                if part not in names:
                    raise DataFileError(f"{label}: the archive has no member {part!r}; it has {', '.join(names[:10])}"
                                        + (" ..." if len(names) > 10 else ""))
                data = zf.read(part)
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise DataFileError(f"{label}: not a valid zip archive (truncated or corrupt: {exc}); nothing was "
                                "installed") from None
    return data


def _decode(data: bytes, encoding: str, where: str) -> str:
    if encoding == "auto":
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="strict")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{where} is not {encoding} text ({exc})") from None


def _read_excel(data: bytes, e: Official, where: str) -> pd.DataFrame:
    engine = "xlrd" if e.fmt == "xls" else "openpyxl"
    try:
        return pd.read_excel(io.BytesIO(data), sheet_name=e.sheet, engine=engine)
    except ImportError:
        raise MissingDataError(f"reading {where} needs the optional package {engine}: pip install {engine}, then run "
                               "the fetch again") from None


# ----------------------------------------------------------------------------------- derivations

IGO_ATTRIBUTES = ("ioname", "orgname", "sdate", "deaddate", "dead", "integrated", "replaced", "longorgname", "ionum",
                  "igocode", "version", "accuracyofpre1965membershipdates", "sourcesandnotes", "imputed",
                  "political", "social", "economic")
MME_ID_COLUMNS = ("MMEID", "Ex_Name", "Series_Name", "s.year", "e.year")


def derive_igo_long(state_year: pd.DataFrame, igo_year: pd.DataFrame) -> pd.DataFrame:
    """COW IGO memberships as ``ccode, year, ioname, status``, status 1/2/3 only (see ``cow_igo/README``).

    The state-year file names IGOs in lower case; each is named as in the IGO-year file's
    ``ioname``. Rows are sorted by ``ccode, year, ioname``.
    """
    cols = [c for c in state_year.columns if c not in ("ccode", "year", "state")]
    names = {str(n).lower(): n for n in igo_year["ioname"].drop_duplicates()}
    unknown = [c for c in cols if c not in names]
    if unknown:
        raise DataFileError(f"state-year IGO columns not in the IGO-year file: {', '.join(unknown[:5])}")
    long = state_year.melt(id_vars=["ccode", "year"], value_vars=cols, var_name="io", value_name="status")
    long = long[long["status"].isin([1, 2, 3])]
    long = long.assign(ioname=long["io"].map(names)).sort_values(["ccode", "year", "ioname"], kind="stable")
    return long[["ccode", "year", "ioname", "status"]].reset_index(drop=True)


def derive_igo_list(igo_year: pd.DataFrame) -> pd.DataFrame:
    """One row per IGO with its attributes: the first IGO-year row of each ``ioname``, in file order."""
    missing = [c for c in IGO_ATTRIBUTES if c not in igo_year.columns]
    if missing:
        raise DataFileError(f"the IGO-year file lacks column(s) {', '.join(missing)}")
    return igo_year[list(IGO_ATTRIBUTES)].drop_duplicates("ioname", keep="first").reset_index(drop=True)


def derive_mme_long(wide: pd.DataFrame) -> pd.DataFrame:
    """MME participants: one row per exercise and participant string (``StateA`` .. ``StateAM``), sorted by ``MMEID, participant``."""
    state_cols = [c for c in wide.columns if re.fullmatch(r"State[A-Z]{1,2}", str(c))]
    missing = [c for c in MME_ID_COLUMNS if c not in wide.columns]
    if missing or not state_cols:
        raise DataFileError(f"the MME wide file lacks column(s) {', '.join(missing) or 'StateA..'}")
    long = wide.melt(id_vars=list(MME_ID_COLUMNS), value_vars=state_cols, var_name="slot", value_name="participant")
    long = long.dropna(subset=["participant"])
    long["participant"] = long["participant"].astype(str).str.strip()
    long = long[long["participant"] != ""].sort_values(["MMEID", "participant"], kind="stable")
    return long[[*MME_ID_COLUMNS, "participant"]].reset_index(drop=True)


DERIVE: dict[str, Callable[..., pd.DataFrame]] = {
    "igo_long": derive_igo_long, "igo_list": derive_igo_list, "mme_long": derive_mme_long,
}


# ----------------------------------------------------------------------------------- pins and manifests


def _pin(source: Source, fname: str) -> tuple[str, str | None] | None:
    """``(sha256, content sha256)`` a file must have: the source's own pin, else the official one."""
    if fname in source.sha256:
        return source.sha256[fname], None
    e = OFFICIAL.get((source.folder, fname))
    return (e.sha256, e.content_sha256) if e else None


def _content_sha256(path: Path) -> str | None:
    """SHA-256 of a file's bytes after gzip decompression (of the bytes for other files); None if unreadable."""
    if not path.name.endswith(".gz"):
        return file_sha256(path)
    h = hashlib.sha256()
    try:
        with gzip.open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except (OSError, EOFError, zlib.error):
        return None
    return h.hexdigest()


def _matches_pin(path: Path, digest: str, pin: tuple[str, str | None]) -> bool:
    if digest == pin[0]:
        return True
    return pin[1] is not None and _content_sha256(path) == pin[1]


def _pinned(folder: str, fname: str, path: Path, digest: str) -> str:
    e = OFFICIAL.get((folder, fname))
    if e is None:
        return ""
    return "match" if _matches_pin(path, digest, (e.sha256, e.content_sha256)) else "differs"


def _present_check(source: Source, fname: str, path: Path, recorded: str | None) -> str | None:
    """Why a present file can be kept, or None when it must be fetched again."""
    digest = file_sha256(path)
    pin = _pin(source, fname)
    if pin is not None and _matches_pin(path, digest, pin):
        return "matches the pinned hash"
    if recorded is not None and recorded == digest:
        return ("matches SHA256SUMS; DIFFERS from the pin (accepted earlier with --allow-hash-mismatch)"
                if pin is not None else "matches SHA256SUMS (no pin)")
    if pin is None and recorded is None:
        return "no pin and not in SHA256SUMS: kept as it is"
    return None


def _read_sums(path: Path) -> dict[str, str]:
    """``{name: sha256}`` from a sha256sum-format file (``digest  name`` or ``digest *name``); {} if absent."""
    if not path.is_file():
        return {}
    entries = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition(" ")
        name = name[1:] if name[:1] in (" ", "*") else name
        if len(digest) == 64 and name:
            entries[name] = digest
    return entries


def _merge_sums(path: Path, updates: dict[str, str]) -> None:
    """Merge ``updates`` into a sha256sum-format file, written atomically."""
    entries = _read_sums(path)
    entries.update(updates)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text("".join(f"{d}  {n}\n" for n, d in sorted(entries.items())), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _row(name: str, fname: str, path: Path, status: str, check: str, origin: str) -> dict[str, Any]:
    return {"source": name, "file": fname, "path": str(path), "sha256": file_sha256(path),
            "bytes": path.stat().st_size, "status": status, "check": check, "origin": origin}
