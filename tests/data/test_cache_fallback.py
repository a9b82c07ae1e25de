"""An unusable cache never breaks a command: coalitionlab runs uncached, says so once, leaves no ``*.tmp``.

The cache is made unusable three ways: a file where the directory should be, a read-only directory,
and a full disk (the write raises ENOSPC after writing part of the file). Each run's frame is compared
with the frame of a run on a working cache, and with the hand-written source file it was read from.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from coalitionlab.data import digests, paths, registry
from coalitionlab.data.paths import CacheWarning, resolve_cache_dir

HEADER = "stateabb,ccode,statenme,styear,stmonth,stday,endyear,endmonth,endday,version\n"
ROWS = ["USA,2,United States of America,1816,1,1,2024,12,31,2024",
        "UKG,200,United Kingdom,1816,1,1,2024,12,31,2024",
        "FRN,220,France,1944,8,25,2024,12,31,2024"]


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test is a fresh process as far as the once-per-process warning and the digest memo go."""
    monkeypatch.setattr(paths, "_cache_warned", False)
    monkeypatch.setattr(digests, "_DIGESTS", {})
    monkeypatch.setattr(digests, "_RACY_NS", -1)  # memoise digests at once (the digest memo is written too)


@pytest.fixture()
def small(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    (root / "cow_states").mkdir(parents=True)
    (root / "cow_states" / "statelist2024.csv").write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    return root


def _reference(small: Path, tmp_path: Path) -> pd.DataFrame:
    """The frame from a working cache (written, then read back), checked against the file by hand."""
    good = tmp_path / "good_cache"
    registry.load("cow_states", small, cache_dir=good)
    df = registry.load("cow_states", small, cache_dir=good)  # a cache hit
    assert list(good.glob("cow_states-*.parquet"))
    assert sorted(df["ccode"]) == [2, 200, 220]  # the three rows of the file
    assert df.loc[df.ccode == 220, "start_date"].iloc[0] == pd.Timestamp("1944-08-25")
    return df


def _loads_uncached(small: Path, cache_dir: Path) -> tuple[list[pd.DataFrame], list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frames = [registry.load("cow_states", small, cache_dir=cache_dir) for _ in range(2)]
    return frames, [w for w in caught if issubclass(w.category, CacheWarning)]


def _no_tmp(*roots: Path) -> None:
    left = [p for root in roots for p in root.rglob("*") if ".tmp" in p.name]
    assert not left, left


def test_cache_path_is_a_file(small: Path, tmp_path: Path) -> None:
    ref = _reference(small, tmp_path)
    blocker = tmp_path / "cache_file"
    blocker.write_text("not a directory")
    frames, caught = _loads_uncached(small, blocker)
    for df in frames:
        pd.testing.assert_frame_equal(df, ref)
        assert df.attrs["files"] == ref.attrs["files"]
    assert len(caught) == 1, [str(w.message) for w in caught]  # once per process, not once per load
    assert "cache_file" in str(caught[0].message) and "not a directory" in str(caught[0].message)
    assert blocker.read_text() == "not a directory"
    _no_tmp(tmp_path)


def test_resolve_cache_dir_does_not_raise_for_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "cache_file"
    blocker.write_text("x")
    monkeypatch.setenv("COALITIONLAB_CACHE", str(blocker))
    with pytest.warns(CacheWarning, match="running uncached"):
        assert resolve_cache_dir() == blocker
    assert paths.usable_cache_dir() is None


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root ignores directory permissions, so a read-only cache cannot be made")
def test_cache_is_a_read_only_directory(small: Path, tmp_path: Path) -> None:
    ref = _reference(small, tmp_path)
    ro = tmp_path / "ro_cache"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        frames, caught = _loads_uncached(small, ro)
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o700)
    for df in frames:
        pd.testing.assert_frame_equal(df, ref)
    assert len(caught) == 1 and "ro_cache" in str(caught[0].message)
    _no_tmp(tmp_path)


def test_full_disk_leaves_no_tmp_file(small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ref = _reference(small, tmp_path)
    real_to_parquet = pd.DataFrame.to_parquet
    real_write_text = Path.write_text

    def full_parquet(self, path, *args, **kwargs):  # part of the file is written, then the disk is full
        Path(path).write_bytes(b"PAR1 partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    def full_text(self, data, *args, **kwargs):
        if self.name.endswith(".tmp"):
            real_write_text(self, data[:5], *args, **kwargs)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write_text(self, data, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full_parquet)
    monkeypatch.setattr(Path, "write_text", full_text)
    cache = tmp_path / "full_cache"
    frames, caught = _loads_uncached(small, cache)
    monkeypatch.setattr(pd.DataFrame, "to_parquet", real_to_parquet)
    for df in frames:
        pd.testing.assert_frame_equal(df, ref)
    assert len(caught) == 1 and "No space left on device" in str(caught[0].message)
    _no_tmp(tmp_path)
    assert not list(cache.glob("cow_states-*.parquet"))  # nothing half-written was renamed into place


def test_write_atomic_removes_the_tmp_file_on_any_error(tmp_path: Path) -> None:
    target = tmp_path / "x.parquet"

    def broken(tmp: Path) -> None:
        tmp.write_text("half")
        raise ValueError("not an OSError")

    with pytest.raises(ValueError, match="not an OSError"):
        paths.write_atomic(target, broken)
    assert list(tmp_path.iterdir()) == []


def _cli(args: list[str], cache: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, COALITIONLAB_CACHE=str(cache))
    return subprocess.run([sys.executable, "-m", "coalitionlab.cli.main", *args], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)


def _with_a_working_and_a_file_cache(args: list[str], tmp_path: Path):
    """The command run with a usable cache, then with a file where the cache should be; both exit 0."""
    good = _cli(args, tmp_path / "good_cache", tmp_path)
    assert good.returncode == 0, good.stderr
    blocker = tmp_path / "cache_file"
    blocker.write_text("x")
    bad = _cli(args, blocker, tmp_path)
    assert bad.returncode == 0, bad.stderr
    return good, bad


def test_cli_with_a_file_as_cache_runs_uncached_with_one_warning(small: Path, tmp_path: Path) -> None:
    args = ["data", "check", "--data-dir", str(small), "--source", "cow_states", "--format", "csv"]
    good, bad = _with_a_working_and_a_file_cache(args, tmp_path)
    assert bad.stdout == good.stdout and "cow_states,2024,3," in bad.stdout  # three rows, as in the file
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: cache") and "running uncached" in lines[0], bad.stderr
    _no_tmp(tmp_path)


def test_cli_embeddedness_on_real_data_with_a_file_as_cache(shared_data: Path, tmp_path: Path) -> None:
    """The issue's reproduction: ``COALITIONLAB_CACHE=<a file>`` made every data command fail (Errno 17)."""
    args = ["embeddedness", "--lead", "USA", "--date", "2003-03-20", "--data-dir", str(shared_data), "--format", "csv"]
    good, bad = _with_a_working_and_a_file_cache(args, tmp_path)
    assert bad.stdout == good.stdout
    assert sum(line.startswith("warning: cache") for line in bad.stderr.splitlines()) == 1, bad.stderr
    _no_tmp(tmp_path)
