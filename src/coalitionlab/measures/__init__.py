"""Stage 2, measures: state-year and dyad-year panels, ``add_*`` steps, and embeddedness.

Build a unit frame with a ``create_*`` verb, then add variables with ``add_*`` steps; each step
adds named columns, never changes rows, and records its source and version in ``df.attrs``.

>>> from coalitionlab.measures import create_dyadyears, add_igos, embeddedness
"""

from typing import TYPE_CHECKING

from coalitionlab._lazy import lazy_exports

if TYPE_CHECKING:  # the public names; each submodule is imported on first use (coalitionlab/_lazy.py)
    from coalitionlab.measures.agreements import add_agreements
    from coalitionlab.measures.alliances import add_alliances
    from coalitionlab.measures.embeddedness import (
        COMPONENTS,
        DEFAULT_COMPONENTS,
        add_embeddedness,
        embeddedness,
        embeddedness_pairs,
    )
    from coalitionlab.measures.hierarchy import add_hierarchy, security_hierarchy
    from coalitionlab.measures.igos import SECURITY_IGOS, add_igos
    from coalitionlab.measures.leaders import add_leader_ties, leaders_on
    from coalitionlab.measures.open_panel import embeddedness_panel, read_embeddedness_panel
    from coalitionlab.measures.other import (
        add_capabilities,
        add_contiguity,
        add_democracy,
        add_distance,
        add_exercises,
        add_un_affinity,
        add_us_troops,
    )
    from coalitionlab.measures.panel import check_panel, create_dyadyears, create_stateyears, parse_years
    from coalitionlab.measures.similarity import add_alliance_similarity, s_score_matrix
    from coalitionlab.measures.ties import count_ties
    from coalitionlab.measures.treaties import add_treaties, treaty_instruments, treaty_ties
    from coalitionlab.measures.network import (
        TIE_SCALE,
        add_brokers,
        broker_scores,
        brokers,
        tie_matrices,
        tie_matrix,
        tie_strength,
    )

__all__ = [
    "COMPONENTS",
    "DEFAULT_COMPONENTS",
    "SECURITY_IGOS",
    "TIE_SCALE",
    "add_agreements",
    "add_alliance_similarity",
    "add_alliances",
    "add_brokers",
    "add_capabilities",
    "add_contiguity",
    "add_democracy",
    "add_distance",
    "add_embeddedness",
    "add_exercises",
    "add_hierarchy",
    "add_igos",
    "add_leader_ties",
    "add_treaties",
    "add_un_affinity",
    "add_us_troops",
    "broker_scores",
    "brokers",
    "check_panel",
    "count_ties",
    "create_dyadyears",
    "create_stateyears",
    "embeddedness",
    "embeddedness_pairs",
    "embeddedness_panel",
    "leaders_on",
    "parse_years",
    "read_embeddedness_panel",
    "s_score_matrix",
    "security_hierarchy",
    "tie_matrices",
    "tie_matrix",
    "tie_strength",
    "treaty_instruments",
    "treaty_ties",
]

__getattr__, __dir__ = lazy_exports(__name__, __file__)
