"""Small checks shared by every stage (option strings, years)."""

from __future__ import annotations

from collections.abc import Iterable

from coalitionlab.errors import UnknownOptionError


def check_option(value: str, allowed: Iterable[str], *, name: str) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise naming the allowed values.

    Examples
    --------
    >>> check_option("logit", ["logit", "probit"], name="method")
    'logit'
    """
    allowed = list(allowed)
    if value not in allowed:
        raise UnknownOptionError(f"unknown {name} {value!r}; allowed: {', '.join(map(repr, allowed))}")
    return value
