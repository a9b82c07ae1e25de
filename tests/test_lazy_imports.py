"""Lazy stage packages (coalitionlab/_lazy.py): what importing a stage loads, and that every public
name still resolves to the same object an eager import gave. Module counts in a fresh interpreter are
the oracle, not wall-clock times."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "coalitionlab"
STAGES = ["data", "measures", "coalitions", "models", "bargaining", "planner"]
HEAVY = ("statsmodels", "scipy.stats", "sklearn", "pandera", "formulaic", "duckdb", "scipy.optimize")


def _fresh(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def _declared(stage: str) -> dict[str, str]:
    """name -> module, read from the stage's ``if TYPE_CHECKING:`` block by this test's own parser."""
    tree = ast.parse((PKG / stage / "__init__.py").read_text(encoding="utf-8"))
    out = {}
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for stmt in node.body:
                out.update({a.asname or a.name: stmt.module for a in stmt.names})
    return out


@pytest.mark.parametrize("stage", STAGES)
def test_importing_a_stage_loads_none_of_the_heavy_libraries(stage: str) -> None:
    loaded = _fresh(f"import sys, coalitionlab.{stage}\n"
                    f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} or m in {HEAVY!r}))")
    assert loaded == "[]", f"import coalitionlab.{stage} loaded {loaded}"


@pytest.mark.parametrize("stage", STAGES)
def test_every_public_name_resolves_to_its_modules_object(stage: str) -> None:
    declared = _declared(stage)
    assert declared, f"{stage}/__init__.py declares no exports"
    package = importlib.import_module(f"coalitionlab.{stage}")
    assert sorted(package.__all__) == sorted(declared)
    for name, module in declared.items():
        assert getattr(package, name) is getattr(importlib.import_module(module), name), name
    assert set(declared) <= set(dir(package))


@pytest.mark.parametrize(("stage", "name"), [("measures", "embeddedness"), ("bargaining", "simulate"),
                                             ("bargaining", "sweep"), ("planner", "replay"),
                                             ("planner", "counterfactual")])
def test_a_function_named_like_its_module_wins_whatever_is_imported_first(stage: str, name: str) -> None:
    # the import system binds a loaded submodule to its package; the exported function must win, as it
    # did with eager imports (importing the submodule first is the order that used to break it)
    out = _fresh(f"import coalitionlab.{stage}.{name}\nfrom coalitionlab import {stage}\n"
                 f"print(type({stage}.{name}).__name__)")
    assert out == "function"


def test_an_unknown_name_is_an_attribute_error_naming_it() -> None:
    import coalitionlab.models

    with pytest.raises(AttributeError, match="'coalitionlab.models' has no attribute 'fit_participaton'"):
        coalitionlab.models.fit_participaton  # noqa: B018


def test_a_cached_fit_reads_back_without_statsmodels(tmp_path: Path) -> None:
    """The second process reads the fitted model from the cache: statsmodels and scipy.stats stay
    unimported there, while the first process (the fit) needed them."""
    code = ("import os, sys, numpy as np, pandas as pd\n"
            f"os.environ['COALITIONLAB_CACHE'] = {str(tmp_path)!r}\n"
            "from coalitionlab.models import fit_participation\n"
            "rng = np.random.default_rng(3)\n"
            "df = pd.DataFrame({'x': rng.normal(size=300), 'g': np.repeat(np.arange(30), 10)})\n"
            "df['joined'] = (rng.random(300) < 1 / (1 + np.exp(-df.x))).astype(int)\n"
            "res = fit_participation('joined ~ x', df, cluster='g', cache=True)\n"
            "print(repr(res.tidy().loc['x', 'estimate']), 'statsmodels' in sys.modules, 'scipy.stats' in sys.modules)")
    first, second = _fresh(code).split(), _fresh(code).split()
    assert first[1:] == ["True", "True"]
    assert second == [first[0], "False", "False"]


def test_an_all_that_disagrees_with_the_imports_is_refused(tmp_path: Path) -> None:
    pkg = tmp_path / "lazypkg"
    pkg.mkdir()
    (pkg / "mod.py").write_text("def f():\n    return 1\n\ndef g():\n    return 2\n")
    (pkg / "__init__.py").write_text(
        "from typing import TYPE_CHECKING\nfrom coalitionlab._lazy import lazy_exports\n"
        "if TYPE_CHECKING:\n    from lazypkg.mod import f, g\n"
        "__all__ = ['f']\n__getattr__, __dir__ = lazy_exports(__name__, __file__)\n")
    out = subprocess.run([sys.executable, "-c", "import lazypkg"], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 1 and "only imported ['g']" in out.stderr
