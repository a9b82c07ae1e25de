"""The registry's reading helpers turn every kind of bad file into a clear DataFileError.

A probe source is registered for the test, reading copies of real files from ../shared/data
that the test damages on purpose (truncated gzip, renamed column, text code, duplicate key,
year outside coverage, Latin-1 bytes).
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coalitionlab.data import registry
from coalitionlab.data.registry import Source, check_years, load, read_csv, register, to_integer
from coalitionlab.errors import CoverageError, DataFileError, MissingDataError, UnknownSourceError

try:
    import pandera.pandas as pa
except ImportError:  # pragma: no cover
    import pandera as pa

NMC = "peacesciencer/cow_nmc.csv.gz"


def _probe_reader(paths: dict[str, Path]) -> pd.DataFrame:
    path = paths["cow_nmc.csv.gz"]
    raw = read_csv(path, required=["ccode", "year", "cinc"])
    out = pd.DataFrame({"ccode": to_integer(raw, "ccode", path=path), "year": to_integer(raw, "year", path=path),
                        "cinc": pd.to_numeric(raw["cinc"], errors="coerce")})
    check_years(out["year"], PROBE, path=path)
    return out


PROBE = Source(
    name="probe_nmc", folder="probe", files=("cow_nmc.csv.gz",), version="test", publisher="COW",
    citation="Singer, Bremer & Stuckey 1972", terms="research", first_year=1816, last_year=2022,
    code_scheme="cow", description="test probe over the real NMC file", reader=_probe_reader,
    schema=pa.DataFrameSchema(
        {"ccode": pa.Column(int, pa.Check.between(2, 999)), "year": pa.Column(int),
         "cinc": pa.Column(float, pa.Check.between(0, 1), nullable=True)},
        unique=["ccode", "year"],
    ),
)


@pytest.fixture()
def probe_dir(tmp_path: Path, shared_data: Path) -> Path:
    registry._ensure_loaders()
    register(PROBE)
    (tmp_path / "probe").mkdir()
    shutil.copy(shared_data / NMC, tmp_path / "probe" / "cow_nmc.csv.gz")
    yield tmp_path
    registry.REGISTRY.pop("probe_nmc", None)


def _rewrite(path: Path, transform) -> None:
    text = gzip.open(path, "rt", encoding="utf-8").read()
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(transform(text))


def test_probe_loads_the_real_file_and_caches(probe_dir: Path) -> None:
    first = load("probe_nmc", probe_dir)
    assert len(first) > 15_000 and first.attrs["source"] == "probe_nmc"
    assert set(first.attrs["files"]) == {"cow_nmc.csv.gz"}
    second = load("probe_nmc", probe_dir)
    pd.testing.assert_frame_equal(first, second)


def test_truncated_gzip(probe_dir: Path) -> None:
    path = probe_dir / "probe" / "cow_nmc.csv.gz"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataFileError, match="truncated or corrupt gzip") as err:
        load("probe_nmc", probe_dir)
    assert "cow_nmc.csv.gz" in str(err.value)


def test_missing_column_is_named(probe_dir: Path) -> None:
    _rewrite(probe_dir / "probe" / "cow_nmc.csv.gz", lambda t: t.replace("cinc", "cinc_score", 1))
    with pytest.raises(DataFileError, match="missing column.*'cinc'") as err:
        load("probe_nmc", probe_dir)
    assert err.value.column == "cinc"


def test_non_numeric_code_names_row(probe_dir: Path) -> None:
    def corrupt(text: str) -> str:
        lines = text.splitlines(keepends=True)
        header = lines[0].rstrip("\n").split(",")
        cells = lines[5].split(",")
        cells[header.index("ccode")] = "USA"
        lines[5] = ",".join(cells)
        return "".join(lines)

    _rewrite(probe_dir / "probe" / "cow_nmc.csv.gz", corrupt)
    with pytest.raises(DataFileError, match="non-numeric") as err:
        load("probe_nmc", probe_dir)
    assert err.value.column == "ccode" and err.value.row == 6


def test_duplicate_key_fails_validation(probe_dir: Path) -> None:
    def duplicate(text: str) -> str:
        lines = text.splitlines(keepends=True)
        return "".join(lines + [lines[1]])

    _rewrite(probe_dir / "probe" / "cow_nmc.csv.gz", duplicate)
    with pytest.raises(DataFileError, match="fails validation"):
        load("probe_nmc", probe_dir)


def test_year_outside_coverage(probe_dir: Path) -> None:
    def future(text: str) -> str:
        lines = text.splitlines(keepends=True)
        header = lines[0].rstrip("\n").split(",")
        cells = lines[3].split(",")
        cells[header.index("year")] = "2999"
        lines[3] = ",".join(cells)
        return "".join(lines)

    _rewrite(probe_dir / "probe" / "cow_nmc.csv.gz", future)
    with pytest.raises(CoverageError, match="2999.*row 4"):
        load("probe_nmc", probe_dir)


def test_non_utf8_names_the_line(probe_dir: Path) -> None:
    path = probe_dir / "probe" / "cow_nmc.csv.gz"
    raw = gzip.open(path, "rb").read()
    lines = raw.split(b"\n")
    lines[9] = lines[9] + b"\xe9"  # a Latin-1 byte in line 10
    with gzip.open(path, "wb") as fh:
        fh.write(b"\n".join(lines))
    with pytest.raises(DataFileError, match="not UTF-8") as err:
        load("probe_nmc", probe_dir)
    assert err.value.row == 10


def test_missing_files_and_unknown_source(tmp_path: Path) -> None:
    with pytest.raises(UnknownSourceError, match="cow_state"):
        load("cow_state", tmp_path)
    register(PROBE)
    try:
        with pytest.raises(MissingDataError, match="cow_nmc.csv.gz"):
            load("probe_nmc", tmp_path)
    finally:
        registry.REGISTRY.pop("probe_nmc", None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.one_of(st.integers(-10**6, 10**6).map(str), st.text(max_size=6)), min_size=1, max_size=30))
def test_to_integer_fuzz(cells: list[str]) -> None:
    """Any column either converts exactly or raises a DataFileError naming a row: never a silent NaN."""
    frame = pd.DataFrame({"ccode": pd.Series(cells, dtype=object)})
    try:
        out = to_integer(frame, "ccode", path="fuzz.csv")
    except DataFileError as exc:
        assert exc.column == "ccode" and 2 <= exc.row <= len(cells) + 1
    else:
        assert list(out) == [int(float(c)) for c in cells]


def test_cache_key_follows_the_crosswalk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # name- and ISO-coded loads are mapped through the crosswalk tables: editing them (or the
    # mapping code) must not leave stale ccodes in the cache
    package = Path(registry.__file__).parent
    copy = tmp_path / "data"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(registry, "__file__", str(copy / "registry.py"))
    before = registry._reader_fingerprint()
    entities = copy / "crosswalk" / "entities.csv"
    entities.write_text(entities.read_text(encoding="utf-8").replace("West Germany|", "", 1), encoding="utf-8")
    assert registry._reader_fingerprint() != before
    entities.write_text((package / "crosswalk" / "entities.csv").read_text(encoding="utf-8"), encoding="utf-8")
    assert registry._reader_fingerprint() == before
    countries = copy / "countries.py"
    countries.write_text(countries.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert registry._reader_fingerprint() != before


def test_cache_key_follows_every_source_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # every module of the publishers package (readers and shared helpers) is part of the key
    package = Path(registry.__file__).parent
    copy = tmp_path / "data"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(registry, "__file__", str(copy / "registry.py"))
    before = registry._reader_fingerprint()
    modules = sorted((copy / "publishers").glob("*.py"))
    assert {m.name for m in modules} >= {"__init__.py", "_readers.py", "cow.py", "desta.py", "manytreaties.py"}
    for module in modules:
        original = module.read_text(encoding="utf-8")
        module.write_text(original + "\n# edited\n", encoding="utf-8")
        assert registry._reader_fingerprint() != before, module.name
        module.write_text(original, encoding="utf-8")
    assert registry._reader_fingerprint() == before
