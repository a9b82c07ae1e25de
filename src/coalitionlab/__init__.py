"""coalitionlab: study and plan how a lead state builds a multilateral military coalition.

Stages, in the one direction data flows: ``data`` -> ``measures`` -> ``coalitions`` ->
``models`` / ``bargaining`` -> ``planner`` -> ``reports`` (and the ``cli`` over all of them).
"""

from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("coalitionlab")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
