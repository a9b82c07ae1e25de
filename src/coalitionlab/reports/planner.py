"""Report sections for the planner: a mission's plan, the value of diplomacy, case replays.

Each function runs the planner's public API and returns :class:`~coalitionlab.reports.html.Section`
objects (figures first, complete tables after) for :func:`~coalitionlab.reports.demo.run_demo`.
They need the full sources: the embedded seed has no personnel, capabilities or treaty data, and
the replays refuse it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import pandas as pd

from coalitionlab.reports.html import Section

#: Factors of the value-of-diplomacy curve (every component of the lead's embeddedness times f).
DIPLOMACY_FACTORS: tuple[float, ...] = (1.0, 0.75, 0.5, 0.25, 0.0)

PLAN_COLUMNS = ["country", "p_join", "price", "price_low", "price_high", "offer", "instruments", "personnel",
                "capabilities", "regional", "drivers", "why"]


def plan_sections(mission: Any, *, data_dir: str | os.PathLike, seed: int = 0, n_scenarios: int = 200,
                  years: Sequence[int] | None = None, factors: Sequence[float] = DIPLOMACY_FACTORS,
                  summary: dict[str, str] | None = None) -> list[Section]:
    """The plan for ``mission`` and, when ``years`` are given, the value-of-diplomacy curve.

    ``mission`` is a :class:`~coalitionlab.planner.mission.Mission` or a path to a mission TOML.
    The curve re-dates the mission to each year (same month and day) and plans it with every
    component of the lead's embeddedness scaled by each of ``factors``
    (:func:`~coalitionlab.planner.counterfactual.diplomacy_value_curve`). ``summary``, when given,
    receives one computed sentence per section (keys ``plan`` and ``diplomacy``).
    """
    from coalitionlab.planner import diplomacy_value_curve, load_mission
    from coalitionlab.planner.plan import plan

    spec = load_mission(mission) if isinstance(mission, (str, os.PathLike)) else mission
    result = plan(spec, data_dir=data_dir, n_scenarios=n_scenarios, seed=seed)
    unit = result.attrs["payment_unit"]
    e = result.expected
    c = result.candidates
    planned = c[c["in_plan"]]
    sections = []
    if result.infeasible:
        lines = [item["message"] for item in result.infeasible]
        text = f"No plan meets the requirements of {spec.name!r}: " + "; ".join(lines) + "."
        sections.append(Section(f"Plan: {spec.name}", id="plan", paragraphs=[text],
                                tables=[("Candidates", c[["ccode", *PLAN_COLUMNS]])]))
        if summary is not None:
            summary["plan"] = text
        return sections
    headline = (f"For the mission {spec.name!r} ({spec.lead}, {spec.date}) the cheapest plan asks "
                f"{e['n_asked']} states and expects {e['size']:.1f} partners with {e['personnel']:,.0f} personnel "
                f"at {e['cost']:.3g} {unit}; it meets the requirements in {e['p_meets_requirements']:.0%} of fresh "
                f"price scenarios ({spec.probability:.0%} asked).")
    if summary is not None:
        summary["plan"] = headline
    solver = result.attrs["solver"]
    sections.append(Section(
        f"Plan: {spec.name}", id="plan",
        paragraphs=[headline,
                    "Each candidate's probability of joining unpaid comes from the participation model trained on "
                    "the coalitions before the mission's date; its price prior is calibrated to that probability, "
                    "and the plan is the cheapest set of offers meeting the requirements with the stated "
                    "probability over simulated prices (a sample average approximation solved as a MILP, "
                    "calibrated so that the probability holds on fresh scenarios; docs/planner/index.md). "
                    f"Solver: {solver['status']}, gap {solver['mip_gap']:.1%}. Money is in {unit}; its scale is an "
                    "assumption."],
        figures=[(f"Offers of the plan ({len(planned)} states asked): bar length is the offer, colour the "
                  "instrument that carries it; unpaid asks have no bar. Read which partners cost the most and "
                  "through which linkage.", _offer_figure(planned, unit))],
        tables=[("Candidates, planned first", c[["ccode", "in_plan", *PLAN_COLUMNS]]),
                ("Sensitivity of the plan's cost", result.sensitivity)],
    ))
    if years:
        curve = diplomacy_value_curve(spec.lead, list(years), spec, factors=factors, data_dir=data_dir,
                                      n_scenarios=n_scenarios, seed=seed)
        sections.append(diplomacy_section(curve, spec, unit=unit, summary=summary))
    return sections


def diplomacy_section(curve: pd.DataFrame, mission: Any, *, unit: str = "price units",
                      summary: dict[str, str] | None = None) -> Section:
    """The value-of-diplomacy curve as a report section (``curve`` from ``diplomacy_value_curve``)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for year, rows in curve.groupby("year", sort=True):
        rows = rows.sort_values("factor", ascending=False)
        fig.add_trace(go.Scatter(x=1.0 - rows["factor"], y=rows["cost_change"], mode="lines+markers",
                                 name=str(year), hovertemplate="loss %{x:.0%}: %{y:.3g}<extra>" + str(year) + "</extra>"))
    fig.update_layout(xaxis_title="share of the lead's embeddedness lost", yaxis_title=f"extra expected cost ({unit})",
                      xaxis_tickformat=".0%", height=420, margin=dict(l=60, r=20, t=30, b=50), legend_title="year")
    halved = curve[curve["factor"] == 0.5]
    sentence = ""
    if not halved.empty and halved["cost_change"].notna().any():
        lo, hi = halved["cost_change"].min(), halved["cost_change"].max()
        base = curve[curve["factor"] == 1.0]["cost"]
        sentence = (f"Losing half of its embeddedness would raise the expected cost of {getattr(mission, 'name', 'the mission')!r} "
                    f"for {getattr(mission, 'lead', 'the lead')} by {lo:.3g} to {hi:.3g} {unit} across "
                    f"{curve['year'].nunique()} years (the plan at its actual ties costs {base.min():.3g} to "
                    f"{base.max():.3g}).")
        if summary is not None:
            summary["diplomacy"] = sentence
    return Section(
        "The value of diplomacy", id="diplomacy",
        paragraphs=[p for p in (sentence,
                    "The same mission re-dated to each year and planned with every component of the lead's "
                    "embeddedness (alliances, treaties, shared IGOs) multiplied by a factor; the model is refitted "
                    "for each year on the coalitions before it, and the same price scenarios are used at every "
                    "factor (common random numbers). The change is the model's answer to \"what would a devalued "
                    "diplomatic service cost\", holding its coefficients fixed; a MILP stopped at its time limit "
                    "adds noise of a few percent (docs/planner/counterfactuals.md).") if p],
        figures=[("Extra expected cost of the standard mission as the lead loses embeddedness, one line per year: "
                  "read how steeply the cost rises and whether it rises faster in some years.", fig)],
        tables=[("The curve", curve)],
    )


def replay_section(*, data_dir: str | os.PathLike, ids: Sequence[str] | None = None,
                   summary: dict[str, str] | None = None) -> Section:
    """The participation model replayed on past coalitions (:func:`~coalitionlab.planner.replay_all`)."""
    import plotly.graph_objects as go

    from coalitionlab.planner import replay_all

    table = replay_all(data_dir=data_dir, ids=ids)
    mean_auc = table.attrs.get("mean_auc")
    model_rows = table[table["model"] == "participation"] if "model" in table.columns else table
    fig = go.Figure(go.Scatter(x=pd.to_numeric(model_rows["year"]), y=model_rows["auc"], mode="markers",
                               text=model_rows["coalition_id"], hovertemplate="%{text}: AUC %{y:.2f}<extra></extra>"))
    fig.add_hline(y=0.5, line_dash="dot", annotation_text="chance")
    fig.update_layout(xaxis_title="start year", yaxis_title="AUC (who joined vs who did not)", height=380,
                      margin=dict(l=60, r=20, t=30, b=50), yaxis_range=[0, 1.02])
    sentence = (f"Replayed at each coalition's start with only earlier data, the participation model ranks a joiner "
                f"above a non-joiner {mean_auc:.0%} of the time on average over {table.attrs.get('n_model')} "
                f"coalitions (mean AUC {mean_auc:.3f}).") if mean_auc is not None else ""
    if summary is not None and sentence:
        summary["replays"] = sentence
    return Section(
        "Case replays", id="replays",
        paragraphs=[p for p in (sentence, "Each coalition is replayed with the model trained on the coalitions "
                                "that started before it (docs/planner/replays/). Embeddedness-only fallbacks, used "
                                "where too few earlier coalitions exist, are in the table but not in the mean.") if p],
        figures=[("AUC of each replay by start year: points near 1 are coalitions whose members the model ranked "
                  "first; points near the dotted line are ones it could not tell from non-members.", fig)],
        tables=[("Every replay", table)],
    )


def _offer_figure(planned: pd.DataFrame, unit: str):
    import plotly.graph_objects as go

    p = planned.sort_values("offer")
    fig = go.Figure()
    for inst, rows in p.groupby("instruments", sort=True):
        fig.add_trace(go.Bar(x=rows["offer"], y=rows["country"], orientation="h", name=str(inst),
                             hovertemplate="%{y}: %{x:.3g}<extra>" + str(inst) + "</extra>"))
    fig.update_layout(barmode="stack", xaxis_title=f"offer ({unit})", height=max(300, 22 * len(p) + 80),
                      margin=dict(l=160, r=20, t=30, b=50), yaxis=dict(categoryorder="array", categoryarray=list(p["country"])))
    return fig
