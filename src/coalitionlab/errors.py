"""Every error and warning coalitionlab raises.

One base class, :class:`CoalitionlabError`; each subclass also inherits the matching builtin so
callers can catch ``ValueError`` or ``FileNotFoundError`` as usual. Messages give the value, the
place and the fix.
"""

from __future__ import annotations


class CoalitionlabError(Exception):
    """Base class of all coalitionlab errors (the CLI prints these as one red line)."""


class UnknownCountryError(CoalitionlabError, ValueError):
    """A country name or code that the crosswalk cannot map to a COW ccode."""

    def __init__(self, value: object, *, scheme: str | None = None, where: str | None = None,
                 closest: list[str] | None = None, date: object | None = None) -> None:
        self.value, self.scheme, self.where, self.closest, self.date = value, scheme, where, closest or [], date
        msg = f"unknown country {value!r}"
        if scheme:
            msg += f" (as {scheme})"
        if date is not None:
            msg += f" on {date}"
        if where:
            msg += f" ({where})"
        if self.closest:
            msg += "; closest: " + ", ".join(self.closest)
        super().__init__(msg)


class AmbiguousCountryError(UnknownCountryError):
    """A country name or code that maps to several COW states on the date asked (e.g. "Germany" in 1970).

    ``candidates`` lists the ``(ccode, name)`` pairs; pass a specific name or code instead.
    """

    def __init__(self, value: object, *, candidates: list[tuple[int, str]], scheme: str | None = None,
                 where: str | None = None, date: object | None = None) -> None:
        super().__init__(value, scheme=scheme, where=where, date=date)
        self.candidates = candidates
        listed = ", ".join(f"{name} ({code})" for code, name in candidates)
        msg = f"ambiguous country {value!r}"
        if scheme:
            msg += f" (as {scheme})"
        if date is not None:
            msg += f" on {date}"
        if where:
            msg += f" ({where})"
        msg += f": could be {listed}; pass the specific name or a COW ccode"
        self.args = (msg,)


class DataFileError(CoalitionlabError, ValueError):
    """A source file that cannot be read or does not match its schema.

    Carries ``path``, ``column`` and ``row`` (1-based data row) when they are known.
    """

    def __init__(self, message: str, *, path: object | None = None, column: str | None = None,
                 row: int | None = None) -> None:
        self.path, self.column, self.row = path, column, row
        where = []
        if path is not None:
            where.append(str(path))
        if column is not None:
            where.append(f"column {column!r}")
        if row is not None:
            where.append(f"row {row}")
        super().__init__(f"{message} [{', '.join(where)}]" if where else message)


class MissingDataError(CoalitionlabError, FileNotFoundError):
    """A source, or the data directory itself, is not where coalitionlab looked."""


class UnknownSourceError(CoalitionlabError, KeyError):
    """A data source name that is not in the registry."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


class CoverageError(CoalitionlabError, ValueError):
    """A year or date outside the coverage of a source or of the state system."""


class PanelTypeError(CoalitionlabError, TypeError):
    """A frame passed to an ``add_*`` step that is not the kind of panel the step needs."""


class UnknownOptionError(CoalitionlabError, ValueError):
    """An option string (a method, component, format ...) that is not one of the allowed values."""


class EstimationError(CoalitionlabError, RuntimeError):
    """A model that cannot be estimated as asked (e.g. clustering impossible, perfect separation)."""


class InfeasibleError(CoalitionlabError, ValueError):
    """A requirement (mission, coalition, package) that no choice can meet; the message says why."""


class CoalitionlabWarning(UserWarning):
    """Base class of coalitionlab warnings."""


class SeedDataWarning(CoalitionlabWarning):
    """Results computed from the embedded seed data, not the full sources."""


class CacheWarning(CoalitionlabWarning):
    """The cache directory cannot be created or written: coalitionlab runs uncached (same results, slower)."""


class MissingValueWarning(CoalitionlabWarning):
    """Rows dropped because a variable is missing."""


class StaleDataWarning(CoalitionlabWarning):
    """A component read from data more than two years older than the date asked for (or missing there)."""
