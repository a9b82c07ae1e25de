"""Data flows one way: a stage never imports a later one (parsed from the source, not guessed)."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "src" / "coalitionlab"
ORDER = ["data", "measures", "coalitions", "models", "bargaining", "planner", "reports", "webapp", "cli"]
RANK = {"data": 0, "measures": 1, "coalitions": 2, "models": 3, "bargaining": 3, "planner": 4, "reports": 5,
        "webapp": 6, "cli": 7}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("coalitionlab."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.ImportFrom) and node.module == "coalitionlab":  # from coalitionlab import models
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("coalitionlab."):
                    found.add(alias.name.split(".")[1])
    return found


def test_no_backward_imports() -> None:
    bad = []
    for stage in ORDER:
        for path in (PKG / stage).rglob("*.py"):
            for target in _imports(path):
                if target in RANK and (RANK[target] > RANK[stage] or (RANK[target] == RANK[stage] and target != stage)):
                    bad.append(f"{path.relative_to(PKG)} imports coalitionlab.{target}")
    assert not bad, "backward or sibling imports:\n" + "\n".join(bad)


def test_layer_check_catches_a_backward_import(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("from coalitionlab.models import fit_participation\n")
    assert _imports(probe) == {"models"}
    probe.write_text("from coalitionlab import planner, measures\n")
    assert _imports(probe) == {"planner", "measures"}
