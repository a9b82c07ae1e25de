"""Writing CSV that is safe to open in a spreadsheet.

A text cell that begins with ``=``, ``+``, ``-`` or ``@`` (or with a tab or carriage return,
which some spreadsheets skip before reading the same characters) is read as a formula by Excel,
LibreOffice and Google Sheets: a coalition label such as ``=HYPERLINK(...)`` in a user's file
would run when a written table is opened. Following the OWASP guidance on CSV injection, every such
cell that is not a number gets a leading apostrophe, which spreadsheets show as text and hide.
Numbers (``-5``, ``+1.5e3``) and numeric columns are left as they are.

Every stage that writes CSV (``DataFrame.to_csv``) passes the frame through
:func:`safe_csv_frame` first; it imports nothing from coalitionlab, so any stage may use it.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

__all__ = ["FORMULA_PREFIXES", "safe_csv_frame", "safe_csv_value"]

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_csv_value(value: Any) -> Any:
    """One cell made safe: a string that a spreadsheet would read as a formula gets a leading ``'``.

    Examples
    --------
    >>> safe_csv_value("=1+1"), safe_csv_value("@SUM(A1)"), safe_csv_value("-5"), safe_csv_value("France")
    ("'=1+1", "'@SUM(A1)", '-5', 'France')
    >>> safe_csv_value(-5), safe_csv_value("-2+3+cmd|' /C calc'!A0")
    (-5, "'-2+3+cmd|' /C calc'!A0")
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells and column names cannot run as spreadsheet formulas.

    Parameters
    ----------
    df
        Any frame about to be written with ``to_csv``.

    Returns
    -------
    pandas.DataFrame
        The same shape, dtypes of numeric, boolean and date columns unchanged; in text (object,
        string or categorical) columns and in the column names (not the index: write with
        ``index=False``), each string starting with ``= + - @``, a tab or a
        carriage return that is not a number gets a leading ``'``. ``attrs`` are kept.

    Examples
    --------
    >>> df = pd.DataFrame({"country": ["=1+1", "France"], "n": [-1, 2]})
    >>> safe_csv_frame(df).to_csv(index=False).splitlines()
    ['country,n', "'=1+1,-1", 'France,2']
    """
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if isinstance(series.dtype, pd.CategoricalDtype):
            if any(safe_csv_value(v) is not v for v in series.cat.categories):
                out[col] = series.astype(object).map(safe_csv_value)
        elif ((pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype))
              and series.map(lambda v: safe_csv_value(v) is not v).any()):
            out[col] = series.map(safe_csv_value).astype(series.dtype)
    out.columns = [safe_csv_value(c) for c in out.columns]
    out.attrs = dict(df.attrs)
    return out
