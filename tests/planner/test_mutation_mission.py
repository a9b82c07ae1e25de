"""Mission specs: cases mutation testing showed the other tests let through (docs/development/mutation.md).

Country names are resolved on the mission's own date (a name can mean different states at different
times), digits are COW codes, the non-negative counts accept 0, and each bad file or value gets its own
message, checked word for word."""

from __future__ import annotations

import pytest

from coalitionlab.planner import MissionError, load_mission, mission_from_dict

BASE = {"name": "test", "lead": "USA", "date": "2014-08-08", "target": "Iraq",
        "requirements": {"personnel": 100, "min_flags": 2, "capabilities": {"airlift": 1}}}


def _mission(**changes):
    return mission_from_dict({**BASE, **changes})


def test_names_are_resolved_on_the_mission_s_date() -> None:
    # "Germany" is the Federal Republic (255) in 2014, but in 1980 two German states were members (260 and
    # 265): on that date the name is ambiguous and the mission must say so, not silently pick today's state
    assert _mission(exclude=["Germany"]).ccodes("exclude") == [255]
    with pytest.raises(MissionError, match=r"^mission\.exclude: ambiguous country 'Germany' \(as auto\) on "
                                           r"1980-06-01: could be German Federal Republic \(260\), German "
                                           r"Democratic Republic \(265\); pass the specific name or a COW ccode$"):
        _mission(date="1980-06-01", exclude=["Germany"])
    assert _mission(date="1980-06-01", exclude=["German Federal Republic"]).ccodes("exclude") == [260]
    # "Yemen" in 1960 is the Yemen Arab Republic (678, the only Yemen then), today the unified 679
    assert _mission(date="1960-06-01", exclude=["Yemen"]).ccodes("exclude") == [678]
    assert _mission(exclude=["Yemen"]).ccodes("exclude") == [679]


def test_digits_are_cow_codes_and_an_unknown_name_names_its_key_and_date() -> None:
    assert _mission(require=["365", " 200 "]).ccodes("require") == [365, 200]
    with pytest.raises(MissionError, match=r"^mission\.require: unknown country 'Atlantis' \(no state-system "
                                           r"member of that name on 2014-08-08\)$"):
        _mission(require=["Atlantis"])


def test_the_non_negative_counts_accept_zero_and_refuse_minus_one() -> None:
    m = _mission(requirements={"personnel": 0, "min_flags": 0, "regional_members": 0})
    assert (m.requirements.personnel, m.requirements.min_flags, m.requirements.regional_members) == (0, 0, 0)
    with pytest.raises(MissionError, match=r"^mission\.requirements\.min_flags: must be a non-negative whole "
                                           r"number, got -1$"):
        _mission(requirements={"personnel": 10, "min_flags": -1})


def test_file_errors_name_the_file_and_what_is_wrong(tmp_path) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(MissionError, match=f"^mission file {str(missing)!r} not found$".replace("\\", "\\\\")):
        load_mission(missing)
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nlead = \n', encoding="utf-8")
    with pytest.raises(MissionError, match=r"^mission file bad\.toml: not valid TOML \(.+\)$"):
        load_mission(bad)
    latin = tmp_path / "latin.toml"
    latin.write_bytes('name = "C\u00f4te"\n'.encode("latin-1"))
    with pytest.raises(MissionError, match=r"^mission file latin\.toml: not UTF-8 text$"):
        load_mission(latin)


def test_a_mission_that_is_not_a_table_says_what_it_got() -> None:
    with pytest.raises(MissionError, match=r"^mission: must be a table of keys, got list$"):
        mission_from_dict(["name", "lead"])
