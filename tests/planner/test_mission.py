"""Mission specs: each example loads; each kind of bad input is one line naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from coalitionlab.planner import Mission, MissionError, load_mission, mission_from_dict

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "missions").glob("*.toml"))
BASE = {"name": "test", "lead": "USA", "date": "2014-08-08", "target": "Iraq",
        "requirements": {"personnel": 100, "min_flags": 2, "capabilities": {"airlift": 1}}}


def _with(**changes):
    d = {**BASE, "requirements": dict(BASE["requirements"])}
    for key, value in changes.items():
        if key.startswith("req_"):
            d["requirements"][key[4:]] = value
        else:
            d[key] = value
    return d


def test_the_example_missions_exist_and_load():
    """The issue's four kinds (Red Sea, Sahel, a US air campaign, a non-Western lead) and Australia."""
    leads = {}
    for path in EXAMPLES:
        m = load_mission(path)
        assert isinstance(m, Mission) and m.lead_ccode > 0
        leads[path.stem] = m.lead_ccode
    assert leads == {"australia_solomons": 900, "ecowas_gambia": 475, "red_sea_2024": 2, "sahel_france": 220,
                     "us_air_campaign": 2}


def test_red_sea_example_fields():
    m = load_mission(EXAMPLES[[p.name for p in EXAMPLES].index("red_sea_2024.toml")])
    assert (m.lead_ccode, m.date, m.target) == (2, "2024-01-10", "Yemen")
    assert m.requirements.capabilities == {"naval_escort": 4, "isr": 1}
    assert m.ccodes("require") == [200] and m.ccodes("exclude") == [630]


@pytest.mark.parametrize(("changes", "message"), [
    ({"req_personnel": -3}, "mission.requirements.personnel: must be a positive whole number, got -3"),
    ({"req_personnel": 2.5}, "mission.requirements.personnel: must be a positive whole number, got 2.5"),
    ({"req_min_flags": -1}, "mission.requirements.min_flags: must be a non-negative whole number, got -1"),
    ({"req_capabilities": {"airlift": 0}}, "mission.requirements.capabilities: airlift: must be a positive whole number, got 0"),
    ({"req_capabilities": {"teleport": 1}}, "mission.requirements.capabilities: unknown capability 'teleport'"),
    ({"req_tanks": 3}, "mission.requirements.tanks: unknown key"),
    ({"colour": "blue"}, "mission.colour: unknown key"),
    ({"lead": "Atlantis"}, "mission.lead: unknown country 'Atlantis'"),
    ({"require": ["Narnia"]}, "mission.require: unknown country 'Narnia'"),
    ({"exclude": ["Wakanda"]}, "mission.exclude: unknown country 'Wakanda'"),
    ({"target": "Mordor"}, "mission.target: unknown state or region 'Mordor'"),
    ({"target": "USA"}, "mission.target: 'USA' is the lead"),
    ({"date": "1890-01-01"}, "mission.date: 1890-01-01 is outside the data's range"),
    ({"date": "2099-01-01"}, "mission.date: 2099-01-01 is outside the data's range"),
    ({"date": "2014-13-45"}, "mission.date: must be a date YYYY-MM-DD"),
    ({"probability": 1.5}, "mission.probability: must be a number strictly between 0 and 1, got 1.5"),
    ({"budget": -10}, "mission.budget: must be a positive number, got -10"),
    ({"instruments": ["bribes"]}, "mission.instruments: unknown instrument 'bribes'"),
    ({"require": ["France"], "exclude": ["France"]}, "mission.require: states both required and excluded"),
])
def test_bad_input_is_one_line_naming_the_key(changes, message):
    with pytest.raises(MissionError) as info:
        mission_from_dict(_with(**changes))
    text = str(info.value)
    assert text.startswith(message)
    assert "\n" not in text


def test_missing_key_and_bad_toml(tmp_path):
    d = dict(BASE)
    del d["lead"]
    with pytest.raises(MissionError, match=r"^mission\.lead: required key missing$"):
        mission_from_dict(d)
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n", encoding="utf-8")
    with pytest.raises(MissionError, match="not valid TOML"):
        load_mission(bad)
    with pytest.raises(MissionError, match="not found"):
        load_mission(tmp_path / "nope.toml")


def test_a_region_target_and_defaults():
    m = mission_from_dict(_with(target="middle_east"))
    assert m.target == "middle_east" and m.probability == 0.8 and m.budget is None
    assert set(m.instruments) == {"aid", "security_guarantee", "trade_concession", "institutional_favour"}
