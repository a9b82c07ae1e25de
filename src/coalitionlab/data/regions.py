"""World regions of COW states, by the numeric ranges of the COW country codes.

The Correlates of War codes were assigned by region (COW State System codebook): the
Western Hemisphere from 2, Europe from 200, Africa from 400, the Middle East from 630, Asia
from 700 and Oceania from 900. :func:`region_of` reads a state's region off that convention, so
it needs no data file and works for every state that ever had a code. Two consequences of the
convention, stated because they matter for who counts as "regional": North Africa (Morocco 600
to Sudan 625) is Africa, and Egypt (651) and Turkey (640) are the Middle East.

Examples
--------
>>> region_of([2, 200, 651, 700, 900]).tolist()
['americas', 'europe', 'middle_east', 'asia', 'oceania']
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from coalitionlab.errors import UnknownCountryError

REGIONS: tuple[str, ...] = ("americas", "europe", "africa", "middle_east", "asia", "oceania")
# first code of each region, in REGIONS order; a code belongs to the last region whose start it reaches
_STARTS = np.array([2, 200, 400, 630, 700, 900])
_LAST_CODE = 999


def region_of(ccodes: int | Iterable[int] | pd.Series) -> str | np.ndarray:
    """The COW region of each code: one of :data:`REGIONS`; missing codes give ``None``.

    A scalar gives a string, anything else an object array of the same length.

    Raises
    ------
    UnknownCountryError
        A code below 2 or above 999 (no COW state has one).
    """
    scalar = np.ndim(ccodes) == 0
    values = pd.to_numeric(pd.Series([ccodes] if scalar else list(ccodes), dtype="object"), errors="coerce")
    codes = values.to_numpy(dtype=float)
    known = ~np.isnan(codes)
    bad = known & ((codes < _STARTS[0]) | (codes > _LAST_CODE))
    if bad.any():
        raise UnknownCountryError(f"{codes[bad][0]:g} is not a COW country code (they run from 2 to 999)")
    out = np.full(len(codes), None, dtype=object)
    idx = np.searchsorted(_STARTS, codes[known], side="right") - 1
    out[known] = np.asarray(REGIONS, dtype=object)[idx]
    return out[0] if scalar else out


def check_region(name: str) -> str:
    """``name`` if it is one of :data:`REGIONS` (case-insensitive), else a one-line error listing them."""
    from coalitionlab._validation import check_option

    return check_option(str(name).strip().lower(), REGIONS, name="region")
