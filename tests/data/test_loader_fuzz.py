"""Fuzz a real loader: whatever a damaged statelist2024.csv holds, loading it either returns a valid
frame or raises one of coalitionlab's errors naming the problem, never a raw pandas/numpy exception
and never a silently shortened frame."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coalitionlab.data import load
from coalitionlab.errors import CoalitionlabError

ORIGINAL_ROWS = 244


@pytest.fixture(scope="module")
def statelist(shared_data: Path) -> list[str]:
    return (shared_data / "cow_states" / "statelist2024.csv").read_text(encoding="utf-8").splitlines()


cell = st.one_of(st.text(max_size=8), st.integers(-5, 3000).map(str), st.just(""), st.just("NA"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=st.integers(1, ORIGINAL_ROWS), column=st.integers(0, 9), value=cell)
def test_damaged_cell_is_loaded_or_named(statelist: list[str], row: int, column: int, value: str) -> None:
    lines = list(statelist)
    cells = lines[row].split(",")
    column = min(column, len(cells) - 1)
    cells[column] = value.replace(",", ";").replace("\n", " ").replace("\r", " ").replace('"', "'")
    lines[row] = ",".join(cells)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data" / "cow_states"
        folder.mkdir(parents=True)
        (folder / "statelist2024.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            df = load("cow_states", Path(tmp) / "data", cache_dir=Path(tmp) / "cache")
        except CoalitionlabError as exc:
            assert str(exc)  # a message that names the problem
        else:
            assert len(df) == ORIGINAL_ROWS  # nothing dropped silently
