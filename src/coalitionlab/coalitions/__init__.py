"""Stage 3, coalitions: the authored dataset of multilateral military coalitions and the panel.

>>> from coalitionlab.coalitions import coalitions, memberships, coalition_panel
"""

from typing import TYPE_CHECKING

from coalitionlab._lazy import lazy_exports

if TYPE_CHECKING:  # the public names; each submodule is imported on first use (coalitionlab/_lazy.py)
    from coalitionlab.coalitions.dataset import (
        DATASET_VERSION,
        KINDS,
        MISSION_TYPES,
        ROLES,
        SENDING_ROLES,
        UN_AUTHORISATION,
        add_coalitions,
        check_system_membership,
        coalition_members,
        coalitions,
        membership_overlap,
        memberships,
        read_coalitions_csv,
    )
    from coalitionlab.coalitions.panel import coalition_panel

__all__ = [
    "DATASET_VERSION",
    "KINDS",
    "MISSION_TYPES",
    "ROLES",
    "SENDING_ROLES",
    "UN_AUTHORISATION",
    "add_coalitions",
    "check_system_membership",
    "coalition_members",
    "coalition_panel",
    "coalitions",
    "membership_overlap",
    "memberships",
    "read_coalitions_csv",
]

__getattr__, __dir__ = lazy_exports(__name__, __file__)
