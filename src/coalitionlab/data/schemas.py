"""One pandera schema per source: column names, dtypes, value ranges, the unique key and coverage.

Every loader's output is validated against its schema (``lazy=True``, so all failures show at
once) by :func:`coalitionlab.data.registry.validate`; a failure becomes a
:class:`~coalitionlab.errors.DataFileError` naming the column.

Conventions: country codes are COW ``ccode`` (``int64``; dyadic ``ccode1``/``ccode2``), years
are ``int64`` ``year`` bounded by the source's coverage, dates are ``datetime64[ns]`` columns
named ``*_date``, 0/1 indicators are ``Int64`` (nullable where the source has missing values)
and text is pandas' ``str`` dtype.
"""

from __future__ import annotations

try:  # pandera >= 0.24 splits the pandas API out
    import pandera.pandas as pa
except ImportError:  # pragma: no cover - older pandera
    import pandera as pa

Check = pa.Check
Column = pa.Column

# COW country codes run from 2 (USA) to 990 (Samoa); the Gleditsch-Ward system adds codes up to 999.
CCODE_MIN, CCODE_MAX = 2, 999
DATE = "datetime64[ns]"


def ccode(*, nullable: bool = False) -> pa.Column:
    """A COW country code column."""
    return Column(int if not nullable else "Int64", Check.between(CCODE_MIN, CCODE_MAX), nullable=nullable)


def year(first: int, last: int, *, nullable: bool = False) -> pa.Column:
    """An integer year column inside the coverage ``first``-``last``."""
    return Column(int if not nullable else "Int64", Check.between(first, last), nullable=nullable)


def date(first: int, last: int, *, nullable: bool = False) -> pa.Column:
    """A ``datetime64[ns]`` date column inside the years ``first``-``last``."""
    return Column(DATE, Check.between(f"{first}-01-01", f"{last}-12-31"), nullable=nullable)


def flag(*, nullable: bool = False) -> pa.Column:
    """A 0/1 indicator (nullable ``Int64``)."""
    return Column("Int64", Check.isin([0, 1]), nullable=nullable)


def text(*, nullable: bool = False, unique: bool = False) -> pa.Column:
    """A text column."""
    return Column(str, nullable=nullable, unique=unique)


def count(*, nullable: bool = False, upper: float | None = None) -> pa.Column:
    """A non-negative count (``Int64``)."""
    checks = [Check.ge(0)] + ([Check.le(upper)] if upper is not None else [])
    return Column("Int64", checks, nullable=nullable)


def real(lower: float | None = None, upper: float | None = None, *, nullable: bool = True) -> pa.Column:
    """A float column, optionally bounded."""
    checks = []
    if lower is not None:
        checks.append(Check.ge(lower))
    if upper is not None:
        checks.append(Check.le(upper))
    return Column(float, checks, nullable=nullable)


def _frame(columns: dict[str, pa.Column], key: list[str], *, name: str) -> pa.DataFrameSchema:
    # strict: a reader that adds or loses a column fails loudly instead of drifting silently
    return pa.DataFrameSchema(columns, unique=key, strict=True, ordered=False, name=name)


# ---------------------------------------------------------------- COW state system and IGOs

COW_STATES = _frame(
    {
        "ccode": ccode(),
        "stateabb": Column(str, Check.str_matches(r"^[A-Z]{3}$")),
        "statenme": text(),
        "start_date": date(1816, 2024),
        "end_date": date(1816, 2024),
        "version": Column(int, Check.eq(2024)),
    },
    ["ccode", "start_date"],
    name="cow_states",
)

COW_IGO = _frame(
    {
        "ccode": ccode(),
        "year": year(1816, 2014),
        "ioname": text(),
        "status": Column(int, Check.isin([1, 2, 3])),
    },
    ["ccode", "year", "ioname"],
    name="cow_igo",
)

COW_IGO_LIST = _frame(
    {
        "ioname": text(unique=True),
        "ionum": Column(int, Check.ge(1), unique=True),
        "igocode": Column("Int64", Check.ge(1), nullable=True),
        "orgname": text(),
        "longorgname": text(),
        "start_year": year(1815, 2014),
        "end_year": year(1816, 2014, nullable=True),
        "is_dead": Column(bool),
        "is_integrated": Column(bool),
        "is_replaced": Column(bool),
        "political": flag(nullable=True),
        "social": flag(nullable=True),
        "economic": flag(nullable=True),
        "imputed": flag(nullable=True),
        "accuracy_pre1965": text(nullable=True),
        "sources_notes": text(nullable=True),
        "cow_version": real(2.0, 3.0, nullable=False),
    },
    ["ioname"],
    name="cow_igo_list",
)
