"""The planner's report sections: the plan, the value-of-diplomacy curve, the replays."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from coalitionlab.errors import MissingDataError, UnknownOptionError
from coalitionlab.reports.planner import diplomacy_section, plan_sections

MISSIONS = Path(__file__).resolve().parents[2] / "examples" / "missions"


def _curve() -> pd.DataFrame:
    rows = []
    for year, base, changes in ((2004, 5.0, (0.0, 0.5, 1.0, 2.0, 6.0)), (2008, 4.0, (0.0, 0.2, 2.5, 3.0, 5.0))):
        for factor, change in zip((1.0, 0.75, 0.5, 0.25, 0.0), changes):
            rows.append({"year": year, "factor": factor, "cost": base + change, "cost_change": change})
    return pd.DataFrame(rows)


def test_diplomacy_section_reads_the_curve():
    """By hand: halving the ties costs 1.0 (2004) and 2.5 (2008); the actual ties cost 4 and 5."""
    summary: dict[str, str] = {}
    mission = type("M", (), {"name": "Test mission", "lead": "USA"})()
    section = diplomacy_section(_curve(), mission, unit="USD bn", summary=summary)
    assert "by 1 to 2.5 USD bn across 2 years" in summary["diplomacy"]
    assert "costs 4 to 5)" in summary["diplomacy"]
    fig = section.figures[0][1]
    assert [t.name for t in fig.data] == ["2004", "2008"]
    # x is the share lost, in the order of falling factor
    assert list(fig.data[1].x) == [0.0, 0.25, 0.5, 0.75, 1.0] and list(fig.data[1].y) == [0.0, 0.2, 2.5, 3.0, 5.0]


def test_report_planner_sections_need_data_and_a_mission(tmp_path):
    from coalitionlab.reports.demo import run_demo

    with pytest.raises(MissingDataError, match="pass --data-dir"):
        run_demo(tmp_path, mission=MISSIONS / "red_sea_2024.toml")
    with pytest.raises(UnknownOptionError, match="give --mission too"):
        run_demo(tmp_path, data_dir=tmp_path, diplomacy_years=[2004])


def test_report_years_option_is_checked_before_any_work():
    from typer.testing import CliRunner

    from coalitionlab.cli.main import app

    res = CliRunner().invoke(app, ["report", "--diplomacy-years", "2004:x", "--mission", "m.toml"])
    assert res.exit_code == 1 and "give years as 2004,2008" in res.output and "Traceback" not in res.output


@pytest.mark.real_data
def test_plan_section_on_the_red_sea(shared_data):
    """The headline counts the states the section's own table plans, and every planned state has a
    bar. (A time-limited MILP may differ between two solves, so the section is checked against itself.)"""
    from coalitionlab.planner import load_mission

    spec = load_mission(MISSIONS / "red_sea_2024.toml")
    summary: dict[str, str] = {}
    sections = plan_sections(spec, data_dir=shared_data, n_scenarios=60, summary=summary)
    assert [s.id for s in sections] == ["plan"]
    table = dict(sections[0].tables)["Candidates, planned first"]
    n_planned = int(table["in_plan"].sum())
    assert f"asks {n_planned} states" in summary["plan"]
    assert 200 in set(table.loc[table["in_plan"], "ccode"])  # the United Kingdom is required
    bars = sum(len(t.y) for t in sections[0].figures[0][1].data)
    assert bars == n_planned
