"""Small checks shared by every stage (option strings, dates, years)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
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


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?")
_ZONE = re.compile(r"(?:Z|[+-]\d{2}(?::?\d{2})?)$")


def parse_date(date: Any) -> pd.Timestamp:
    """Read a date given as ``YYYY-MM-DD`` (or a Timestamp, a datetime or a date); else a CoverageError.

    A string must give the year, the month and the day (``'2003'`` and ``'2003-03'`` are refused,
    not read as the first of January or of March); a time of day may follow (``2003-03-20 00:00``)
    but no time zone: a coalition's date is a calendar day, and ``2003-03-20T00:00+05:00`` would
    be another day in UTC. A number is not a date (``pd.Timestamp(2003)`` is 2003 nanoseconds
    after 1970).

    Examples
    --------
    >>> parse_date("2003-03-20")
    Timestamp('2003-03-20 00:00:00')
    >>> parse_date("2003-03")
    Traceback (most recent call last):
    coalitionlab.errors.CoverageError: cannot read date '2003-03'; write it as YYYY-MM-DD, e.g. '2003-03-20'
    """
    unreadable = f"cannot read date {date!r}; write it as YYYY-MM-DD, e.g. '2003-03-20'"
    zoned = f"date {date!r} carries a time zone; give a calendar day as YYYY-MM-DD, e.g. '2003-03-20'"
    if isinstance(date, str):
        text = date.strip()
        bare = _ZONE.sub("", text)
        if bare != text and len(bare) > 10 and _ISO_DAY.fullmatch(bare):  # a time of day, then a zone
            raise CoverageError(zoned)
        if not _ISO_DAY.fullmatch(text):
            raise CoverageError(unreadable)
    elif isinstance(date, bool | int | float | np.number) or date is None:
        raise CoverageError(unreadable)
    try:
        ts = pd.to_datetime(date.strip(), format="ISO8601") if isinstance(date, str) else pd.Timestamp(date)
    except (ValueError, TypeError, OverflowError):
        ts = pd.NaT
    if pd.isna(ts):
        raise CoverageError(unreadable)
    if ts.tzinfo is not None:
        raise CoverageError(zoned)
    return ts


#: The most memory, in bytes, that one request (a sweep, a Monte Carlo, a resampling test) may be
#: estimated to need before it is refused up front, with one line giving the estimate (8 GiB). The
#: environment variable ``COALITIONLAB_MAX_MEMORY`` raises or lowers it: bytes, or a number with
#: KB, MB, GB or TB (powers of 1024), e.g. ``COALITIONLAB_MAX_MEMORY=32GB``.
MAX_MEMORY = 8 * 2**30
MEMORY_ENV = "COALITIONLAB_MAX_MEMORY"
_UNITS = {"": 1, "B": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def memory_limit() -> int:
    """The memory limit of one request in bytes: ``$COALITIONLAB_MAX_MEMORY`` if set, else :data:`MAX_MEMORY`.

    Examples
    --------
    >>> memory_limit() == MAX_MEMORY or "COALITIONLAB_MAX_MEMORY" in __import__("os").environ
    True
    """
    import os

    text = os.environ.get(MEMORY_ENV, "").strip()
    if not text:
        return MAX_MEMORY
    match = re.fullmatch(r"(\d+(?:\.\d*)?)\s*([KMGT]?)(?:I?B)?", text.upper())
    if not match or float(match.group(1)) <= 0:
        raise UnknownOptionError(f"${MEMORY_ENV}={text!r} is not a memory size; give bytes or e.g. '32GB'")
    return int(float(match.group(1)) * _UNITS[match.group(2)])


def format_bytes(n: float) -> str:
    """A byte count for people: ``format_bytes(3 * 2**30)`` is ``'3 GiB'``.

    Examples
    --------
    >>> format_bytes(3 * 2**30), format_bytes(1.5e15), format_bytes(512)
    ('3 GiB', '1.3 PiB', '512 B')
    """
    for unit, size in (("EiB", 2**60), ("PiB", 2**50), ("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.2g} {unit}" if n / size < 10 else f"{n / size:,.0f} {unit}"
    return f"{n:.0f} B"


def check_memory(request: str, n_bytes: float) -> None:
    """Refuse, before any work, a request estimated to need more than :func:`memory_limit` bytes.

    Parameters
    ----------
    request
        What was asked, as the user wrote it (e.g. ``"sweep of 1,000,000,000,000 runs"``).
    n_bytes
        The estimate (the caller's documented bytes per unit times the units).

    Raises
    ------
    InfeasibleError
        One line naming the request, the estimate and the limit (and how to raise it).

    Examples
    --------
    >>> check_memory("a small request", 1024)
    >>> check_memory("a sweep of 10**12 runs", 2e15)
    Traceback (most recent call last):
    coalitionlab.errors.InfeasibleError: a sweep of 10**12 runs would need about 1.8 PiB of memory, more than the limit of 8 GiB (coalitionlab._validation.MAX_MEMORY; set $COALITIONLAB_MAX_MEMORY, e.g. 32GB, to change it)
    """
    limit = memory_limit()
    if not n_bytes <= limit:  # NaN too
        from coalitionlab.errors import InfeasibleError

        raise InfeasibleError(f"{request} would need about {format_bytes(n_bytes)} of memory, more than the limit of "
                              f"{format_bytes(limit)} (coalitionlab._validation.MAX_MEMORY; set ${MEMORY_ENV}, e.g. "
                              "32GB, to change it)")


_SCHEDULER = re.compile(r"(?:(?:tcp|tls|ws|wss|ucx)://)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9_.-]*)):(\d{1,5})/?")


def check_scheduler(address: str | None, *, name: str = "scheduler") -> str | None:
    """Check a Dask scheduler address (``tcp://host:port`` or ``host:port``) before any work.

    None (no scheduler: local processes) passes. Whether the scheduler answers is found out when
    connecting; this catches what can never be an address (``notanaddress``, a missing port).

    Examples
    --------
    >>> check_scheduler("tcp://127.0.0.1:8786")
    'tcp://127.0.0.1:8786'
    >>> check_scheduler("notanaddress")
    Traceback (most recent call last):
    coalitionlab.errors.UnknownOptionError: scheduler 'notanaddress' is not a Dask scheduler address; give tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786
    """
    if address is None:
        return None
    if isinstance(address, str) and re.fullmatch(r"inproc://\S+", address.strip()):  # an in-process cluster
        return address.strip()
    match = _SCHEDULER.fullmatch(address.strip()) if isinstance(address, str) else None
    if match is None or not 1 <= int(match.group(1)) <= 65535:
        raise UnknownOptionError(f"{name} {address!r} is not a Dask scheduler address; give tcp://HOST:PORT, "
                                 "e.g. tcp://127.0.0.1:8786")
    return address.strip()
