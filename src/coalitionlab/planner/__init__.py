"""Stage 5, planner: joins the participation model and the bargaining models for a new mission.

``plan(mission)`` lives in :mod:`coalitionlab.planner.plan` (``from coalitionlab.planner.plan import plan``);
it is not re-exported here, where it would hide the module of the same name.
"""

from typing import TYPE_CHECKING

from coalitionlab._lazy import lazy_exports

if TYPE_CHECKING:  # the public names; each submodule is imported on first use (coalitionlab/_lazy.py)
    from coalitionlab.planner.mission import Mission, MissionError, load_mission, mission_from_dict
    from coalitionlab.planner.plan import Plan, PlanningInputs, build_inputs, plan_from_inputs, solve_saa
    from coalitionlab.planner.counterfactual import (
        TieChange,
        apply_change,
        change_from_cli,
        counterfactual,
        diplomacy_value_curve,
    )
    from coalitionlab.planner.replay import Replay, payments, replay, replay_all, replay_panel, summary_line, validate_payments
    from coalitionlab.planner.world import candidates_with_p_join

__all__ = [
    "Mission",
    "MissionError",
    "Plan",
    "PlanningInputs",
    "Replay",
    "TieChange",
    "apply_change",
    "build_inputs",
    "candidates_with_p_join",
    "change_from_cli",
    "counterfactual",
    "diplomacy_value_curve",
    "load_mission",
    "mission_from_dict",
    "payments",
    "plan_from_inputs",
    "replay",
    "replay_all",
    "replay_panel",
    "solve_saa",
    "summary_line",
    "validate_payments",
]

__getattr__, __dir__ = lazy_exports(__name__, __file__)
