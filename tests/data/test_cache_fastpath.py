"""The warm fast path of ``load``: a file's SHA-256 is reused only while the file is unchanged.

A changed file must never be served stale: a rewrite of the same size with a new mtime, and one
that sets the old mtime back, both give the new content. The oracle is ``file_sha256`` (a full
hash of the bytes) and the file's content itself.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pandas as pd
import pytest

from coalitionlab.data import digests, registry
from coalitionlab.data.registry import Source, cached_sha256, file_sha256, load, register


@pytest.fixture()
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat files older than 10 ms as settled (the default, 2 s, would make the tests slow)."""
    monkeypatch.setattr(digests, "_RACY_NS", 10_000_000)
    monkeypatch.setattr(digests, "_DIGESTS", {})


def _write(path: Path, text: str) -> None:
    path.write_text(text)
    time.sleep(0.05)  # past the racy window and the file system's timestamp tick


def test_same_size_rewrite_with_new_mtime_is_rehashed(tmp_path: Path, settled: None) -> None:
    f, cache = tmp_path / "a.csv", tmp_path / "cache"
    _write(f, "ccode,year\n2,1990\n")
    first = cached_sha256(f, cache)
    assert first == file_sha256(f)
    assert digests._DIGESTS[os.path.abspath(f)][1] == first  # memoised
    st = f.stat()
    f.write_text("ccode,year\n2,1991\n")  # same size, other bytes
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    second = cached_sha256(f, cache)
    assert second == file_sha256(f) != first


def test_rewrite_that_restores_the_mtime_is_rehashed(tmp_path: Path, settled: None) -> None:
    f, cache = tmp_path / "a.csv", tmp_path / "cache"
    _write(f, "ccode,year\n2,1990\n")
    first = cached_sha256(f, cache)
    st = f.stat()
    f.write_text("ccode,year\n2,1991\n")
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))  # size and mtime as before; ctime moves
    assert f.stat().st_size == st.st_size and f.stat().st_mtime_ns == st.st_mtime_ns
    assert cached_sha256(f, cache) == file_sha256(f) != first


def test_replaced_file_is_rehashed(tmp_path: Path, settled: None) -> None:
    f, other, cache = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "cache"
    _write(f, "ccode,year\n2,1990\n")
    first = cached_sha256(f, cache)
    _write(other, "ccode,year\n2,1991\n")
    os.replace(other, f)  # a new inode moved into place
    assert cached_sha256(f, cache) == file_sha256(f) != first


def test_memo_on_disk_serves_a_fresh_process(tmp_path: Path, settled: None, monkeypatch) -> None:
    f, cache = tmp_path / "a.csv", tmp_path / "cache"
    _write(f, "ccode,year\n2,1990\n")
    digest = cached_sha256(f, cache)
    monkeypatch.setattr(digests, "_DIGESTS", {})  # as in a new process

    def no_hashing(path):
        raise AssertionError("hashed although the memo on disk matches")

    monkeypatch.setattr(digests, "file_sha256", no_hashing)
    assert cached_sha256(f, cache) == digest
    # a torn memo is ignored, never trusted
    monkeypatch.setattr(digests, "_DIGESTS", {})
    for memo in (cache / "digests").glob("*.json"):
        memo.write_text("{not json")
    monkeypatch.setattr(digests, "file_sha256", file_sha256)
    assert cached_sha256(f, cache) == file_sha256(f)


def test_recently_written_file_is_not_memoised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digests, "_DIGESTS", {})  # default racy window: 2 s
    f = tmp_path / "a.csv"
    f.write_text("ccode,year\n2,1990\n")
    assert cached_sha256(f, tmp_path / "cache") == file_sha256(f)
    assert os.path.abspath(f) not in digests._DIGESTS
    assert not (tmp_path / "cache" / "digests").exists()


def test_load_never_serves_a_changed_file_stale(tmp_path: Path, settled: None) -> None:
    data, cache = tmp_path / "data", tmp_path / "cache"
    (data / "probe").mkdir(parents=True)
    f = data / "probe" / "probe.csv"
    calls = []

    def reader(paths: dict[str, Path]) -> pd.DataFrame:
        calls.append(1)
        return pd.read_csv(paths["probe.csv"])

    register(Source(name="cache_probe", folder="probe", files=("probe.csv",), version="1", publisher="test",
                    citation="test", terms="test", first_year=1816, last_year=2024, code_scheme="cow",
                    description="cache fast-path probe", reader=reader))
    try:
        _write(f, "ccode,year\n2,1990\n")
        assert load("cache_probe", data, cache_dir=cache)["year"].tolist() == [1990]
        assert load("cache_probe", data, cache_dir=cache)["year"].tolist() == [1990]
        assert len(calls) == 1  # the second load came from the Parquet cache
        st = f.stat()
        f.write_text("ccode,year\n2,1991\n")  # same size
        os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        out = load("cache_probe", data, cache_dir=cache)
        assert out["year"].tolist() == [1991] and len(calls) == 2
        assert out.attrs["files"]["probe.csv"] == file_sha256(f)
        st = f.stat()
        time.sleep(0.05)
        f.write_text("ccode,year\n2,1992\n")  # same size, mtime set back
        os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert load("cache_probe", data, cache_dir=cache)["year"].tolist() == [1992]
    finally:
        registry.REGISTRY.pop("cache_probe", None)
