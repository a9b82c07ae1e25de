"""Small checks shared by every stage (option strings, dates, years)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from coalitionlab.errors import CoverageError, UnknownOptionError


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


def parse_date(date: Any) -> pd.Timestamp:
    """Read a date given as ``YYYY-MM-DD`` (or a Timestamp); anything unreadable is a CoverageError.

    Examples
    --------
    >>> parse_date("2003-03-20")
    Timestamp('2003-03-20 00:00:00')
    """
    try:
        ts = pd.to_datetime(date, format="ISO8601") if isinstance(date, str) else pd.Timestamp(date)
    except (ValueError, TypeError, OverflowError):
        ts = pd.NaT
    if pd.isna(ts):
        raise CoverageError(f"cannot read date {date!r}; write it as YYYY-MM-DD, e.g. '2003-03-20'")
    return ts
