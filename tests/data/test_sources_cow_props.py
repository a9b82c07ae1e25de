"""Properties of the COW-source helpers (hypothesis) and consistency of the registered definitions."""

from __future__ import annotations

import calendar
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coalitionlab.data import load, sources
from coalitionlab.data.publishers import _readers, atop
from coalitionlab.data.registry import REGISTRY, _ensure_loaders
from coalitionlab.errors import DataFileError

ROOT = Path(__file__).resolve().parents[2]


def _documented_on(page: str) -> list[str]:
    """Registered sources with a section (a ``## `name``` heading) on ``docs/data/<page>``."""
    _ensure_loaders()
    headings = [line for line in (ROOT / "docs" / "data" / page).read_text(encoding="utf-8").splitlines()
                if line.startswith("## ")]
    return sorted(n for n in REGISTRY if any(f"`{n}`" in h for h in headings))


dates = st.dates(min_value=pd.Timestamp("1815-01-01").date(), max_value=pd.Timestamp("2024-12-31").date())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(dates, st.booleans(), st.booleans()), min_size=1, max_size=20), st.booleans())
def test_atop_date_bounds_unknown_days(rows: list, end: bool) -> None:
    """Exact days pass through; an unknown day gives the month's first (start) or last (end) day; year 0 is NaT."""
    years = pd.Series([0 if open_ else d.year for d, _, open_ in rows], dtype="Int64")
    months = pd.Series([0 if open_ else d.month for d, _, open_ in rows], dtype="Int64")
    days = pd.Series([None if unknown else (0 if open_ else d.day) for d, unknown, open_ in rows], dtype="Int64")
    out, approx = atop._atop_date(years, months, days, end=end, path=Path("x.csv"), column="yr")
    assert out.dtype == "datetime64[ns]"
    for (d, unknown, open_), value, is_approx in zip(rows, out, approx):
        if open_:
            assert pd.isna(value) and not is_approx
        elif unknown:
            day = calendar.monthrange(d.year, d.month)[1] if end else 1
            assert value == pd.Timestamp(d.year, d.month, day) and is_approx
        else:
            assert value == pd.Timestamp(d) and not is_approx


@settings(max_examples=40, deadline=None)
@given(st.integers(1816, 2024), st.integers(1, 12), st.integers(29, 31))
def test_date_rejects_impossible_days(year: int, month: int, day: int) -> None:
    parts = [pd.Series([v], dtype="Int64") for v in (year, month, day)]
    if day <= calendar.monthrange(year, month)[1]:
        assert _readers.date_from_parts(*parts, path=Path("x.csv"), column="d").iloc[0] == pd.Timestamp(year, month, day)
    else:
        with pytest.raises(DataFileError, match="impossible date"):
            _readers.date_from_parts(*parts, path=Path("x.csv"), column="d")


def test_every_source_is_complete_and_documented() -> None:
    cow_page = _documented_on("sources.md")
    assert len(cow_page) == 25  # the COW-coded sources; the name- and ISO-coded ones are on sources_named.md
    named_page = _documented_on("sources_named.md")
    assert not set(cow_page) & set(named_page)
    undocumented = sorted(set(REGISTRY) - set(cow_page) - set(named_page))
    assert not undocumented, f"{undocumented} have no section in docs/data/sources.md or sources_named.md"
    listed = set(sources()["name"])
    for name in [*cow_page, *named_page]:
        source = REGISTRY[name]
        assert name in listed
        assert source.schema is not None and source.key, name
        assert list(source.schema.unique) == list(source.key), name
        assert source.citation and source.version and source.terms and source.publisher, name
        assert source.first_year <= source.last_year, name


def test_year_outside_coverage_names_year(shared_data: Path, tmp_path: Path) -> None:
    (tmp_path / "isard").mkdir()
    file = tmp_path / "isard" / "cw_democracy.csv.gz"
    shutil.copy(shared_data / "isard" / "cw_democracy.csv.gz", file)
    raw = pd.read_csv(file)
    raw.loc[4, "year"] = 2999
    raw.to_csv(file, index=False)
    with pytest.raises(DataFileError, match="year") as info:
        load("democracy", tmp_path, cache=False)
    assert info.value.column == "year" and info.value.row == 6
