"""Lazy package exports (PEP 562): ``import coalitionlab.models`` costs nothing until a name is used.

A stage's ``__init__`` lists its public names once, as ordinary imports inside ``if TYPE_CHECKING:``
(so type checkers, IDEs and the API docs see them), and ends with::

    __all__ = [...]  # the same names, literally (the API docs read it without running the code)
    __getattr__, __dir__ = lazy_exports(__name__, __file__)

:func:`lazy_exports` checks that ``__all__`` lists exactly the names imported there, reads those
import statements and imports a submodule only when one of its names is first used. A command that reads a cached answer then never pays for statsmodels, scipy.stats,
scikit-learn or pandera, which is most of the time of a warm ``coalitionlab fit`` or ``predict``.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
import types
from collections.abc import Callable
from pathlib import Path


def _type_checking_imports(init_file: str, package: str) -> dict[str, str]:
    """``{public name: absolute module}`` from the ``from X import a, b`` lines under ``if TYPE_CHECKING:``."""
    tree = ast.parse(Path(init_file).read_text(encoding="utf-8"))
    exports: dict[str, str] = {}
    for node in tree.body:
        if not (isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
            continue
        for stmt in node.body:
            if not isinstance(stmt, ast.ImportFrom):
                raise ImportError(f"{init_file}: only 'from ... import ...' lines belong under TYPE_CHECKING")
            module = importlib.util.resolve_name("." * stmt.level + (stmt.module or ""), package)
            for alias in stmt.names:
                exports[alias.asname or alias.name] = module
    if not exports:
        raise ImportError(f"{init_file}: no 'if TYPE_CHECKING:' block of exports")
    return exports


class _LazyPackage(types.ModuleType):
    """A package whose exported names win over its submodules of the same name.

    The import system binds a submodule to its parent package once the submodule has loaded
    (``measures.embeddedness`` would become the module). Where a public function carries its
    module's name (``measures.embeddedness``, ``bargaining.simulate``, ``planner.replay``) the
    function is bound instead, exactly as an eager ``from .embeddedness import embeddedness`` did.
    """

    _lazy_exports: dict[str, str]

    def __setattr__(self, name: str, value: object) -> None:
        exports = self.__dict__.get("_lazy_exports", {})
        if (isinstance(value, types.ModuleType) and name in exports
                and value.__name__ == f"{self.__name__}.{name}" and exports[name] == value.__name__):
            value = getattr(value, name)
        super().__setattr__(name, value)


def lazy_exports(package: str, init_file: str) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for the package ``package`` whose ``__init__`` is ``init_file``."""
    exports = _type_checking_imports(init_file, package)
    module = sys.modules[package]
    listed = set(getattr(module, "__all__", ()))
    if listed != set(exports):
        raise ImportError(f"{init_file}: __all__ and the TYPE_CHECKING imports differ: only in __all__ "
                          f"{sorted(listed - set(exports))}, only imported {sorted(set(exports) - listed)}")
    module.__class__ = _LazyPackage
    module.__dict__["_lazy_exports"] = exports

    def __getattr__(name: str) -> object:
        try:
            source = exports[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(source), name)
        module.__dict__[name] = value  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(set(module.__dict__) | set(exports))

    return __getattr__, __dir__
