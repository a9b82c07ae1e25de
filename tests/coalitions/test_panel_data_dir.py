"""coalition_panel(data_dir=...): the candidates come from the data directory's COW state list.

The oracle is a hand-written ``cow_states/statelist2024.csv`` (five states, one of them with a spell
that ends before the Gulf War), so the expected candidate set is read off the file by hand.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from coalitionlab.coalitions import coalition_panel
from coalitionlab.errors import MissingDataError, UnknownOptionError

HEADER = "stateabb,ccode,statenme,styear,stmonth,stday,endyear,endmonth,endday,version\n"
ROWS = [
    "USA,2,United States of America,1816,1,1,2024,12,31,2024",
    "CAN,20,Canada,1920,1,10,1989,12,31,2024",  # made up: out of the system before August 1990
    "UKG,200,United Kingdom,1816,1,1,2024,12,31,2024",
    "FRN,220,France,1944,8,25,2024,12,31,2024",
    "SWZ,225,Switzerland,1816,1,1,2024,12,31,2024",
    "IRQ,645,Iraq,1932,10,3,2024,12,31,2024",
]


@pytest.fixture()
def small_dir(tmp_path: Path) -> Path:
    (tmp_path / "cow_states").mkdir()
    (tmp_path / "cow_states" / "statelist2024.csv").write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    return tmp_path


def test_candidates_come_from_the_data_dir(small_dir: Path) -> None:
    p = coalition_panel("gulf_war_1990", data_dir=small_dir)
    # by hand: members on 1990-08-07 are 2, 200, 220, 225, 645; minus the lead (2) and the target (Iraq, 645)
    assert list(p["ccode"]) == [200, 220, 225]
    assert list(p["joined"]) == [1, 1, 0]  # UK and France sent combat forces, Switzerland did not
    # Canada sent forces but is not a system member in this file: it cannot be a candidate
    assert ("gulf_war_1990", 20) in p.attrs["members_outside_panel"]
    assert p.attrs["sources"]["cow_states"] == "2024"


def test_without_a_cow_states_folder_a_named_data_dir_is_an_error(tmp_path: Path) -> None:
    """A named data directory must hold the state list; only with no location is the embedded one used."""
    with pytest.raises(MissingDataError, match="lacks cow_states") as exc:
        coalition_panel("gulf_war_1990", data_dir=tmp_path)
    assert "\n" not in str(exc.value) and str(tmp_path) in str(exc.value)


def test_a_missing_data_dir_is_an_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no_such_dir"
    with pytest.raises(MissingDataError, match="no_such_dir"):
        coalition_panel("gulf_war_1990", data_dir=missing)


def test_states_and_data_dir_together_are_refused(small_dir: Path) -> None:
    states = pd.DataFrame({"ccode": [200], "start_date": pd.to_datetime(["1816-01-01"]),
                           "end_date": pd.to_datetime(["2024-12-31"])})
    with pytest.raises(UnknownOptionError, match="not both"):
        coalition_panel("gulf_war_1990", states=states, data_dir=small_dir)


def test_the_real_cow_list_gives_the_embedded_panel(shared_data: Path) -> None:
    """The embedded list is a copy of COW v2024: the full panel is the same from either."""
    pd.testing.assert_frame_equal(coalition_panel(data_dir=shared_data), coalition_panel())
