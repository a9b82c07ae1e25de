"""Stage 5, planner: joins the participation model and the bargaining models for a new mission."""

from coalitionlab.planner.world import candidates_with_p_join

__all__ = ["candidates_with_p_join"]
