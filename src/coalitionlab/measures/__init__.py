"""Stage 2, measures: state-year and dyad-year panels, ``add_*`` steps, and embeddedness.

>>> from coalitionlab.measures import create_dyadyears, add_igos, embeddedness
"""

from coalitionlab.measures.igos import SECURITY_IGOS, add_igos
from coalitionlab.measures.panel import check_panel, create_dyadyears, create_stateyears, parse_years

__all__ = [
    "SECURITY_IGOS",
    "add_igos",
    "check_panel",
    "create_dyadyears",
    "create_stateyears",
    "parse_years",
]
