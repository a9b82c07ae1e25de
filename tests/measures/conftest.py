"""Fixtures shared by the measures tests."""

from __future__ import annotations

import importlib

import pytest


@pytest.fixture
def state_system_reads(monkeypatch, tmp_path):
    """A function that points ``$COALITIONLAB_DATA`` at an empty folder (a named location: no fallback to
    the embedded seed) and from then on records every read of the COW state system as ``(data_dir, source)``;
    it returns the list the reads go into. A step that forgets to pass its ``data_dir`` on shows there."""
    panel_module = importlib.import_module("coalitionlab.measures.panel")

    def start() -> list[tuple]:
        monkeypatch.setenv("COALITIONLAB_DATA", str(tmp_path))
        calls: list[tuple] = []
        original = panel_module.system_spells

        def spy(data_dir=None, *, source="auto"):
            calls.append((data_dir, source))
            return original(data_dir, source=source)

        monkeypatch.setattr(panel_module, "system_spells", spy)
        return calls

    return start
