"""ATOP alliance flags (5.1 dyad-years) and shared-alliance counts (v4.01 member level)."""

from __future__ import annotations

import pandas as pd
import pytest

from coalitionlab.errors import PanelTypeError
from coalitionlab.measures import add_alliances, create_dyadyears, create_stateyears


@pytest.fixture(scope="module")
def directed(shared_data):
    return add_alliances(create_dyadyears(years="1945:2019", data_dir=shared_data), data_dir=shared_data)


def test_flags_equal_the_atop_file(shared_data, directed):
    ref = pd.read_csv(shared_data / "peacesciencer" / "atop_alliance.csv.gz")
    m = directed.merge(ref, on=["ccode1", "ccode2", "year"], suffixes=("", "_ref"))
    assert len(m) > 0.95 * len(ref[ref.year.between(1945, 2018)])
    for col in ("atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul"):
        assert (m[col] == m[col + "_ref"]).all(), col
    inside = directed[directed.year <= 2018]
    assert inside["atop_defense"].notna().all()
    assert (inside["atop_any"] >= inside["atop_defense"]).all()


def test_nan_after_coverage(directed):
    assert directed.loc[directed.year == 2019, "atop_defense"].isna().all()
    assert directed.loc[directed.year == 2018, "atop_defense"].notna().all()
    assert directed.loc[directed.year == 2017, "atop_alliances"].isna().all()  # v4.01 ends 2016
    assert directed.loc[directed.year == 2016, "atop_alliances"].notna().all()


def test_counts_are_symmetric_and_agree_with_flags(directed):
    back = directed.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
    m = directed.merge(back, on=["ccode1", "ccode2", "year"], suffixes=("", "_r"))
    for col in ("atop_alliances", "atop_defense_pacts"):
        assert m[col].fillna(-1).eq(m[col + "_r"].fillna(-1)).all()
    d = directed[directed.year.between(1950, 2016)]
    agree = ((d["atop_alliances"] > 0) == (d["atop_any"] > 0)).mean()
    print(f"\nv4.01 counts > 0 agree with any ATOP 5.1 obligation on {agree:.2%} of dyad-years 1950-2016")
    assert agree > 0.97
    us_uk = directed[(directed.ccode1 == 2) & (directed.ccode2 == 200) & (directed.year == 2003)].iloc[0]
    assert us_uk["atop_defense"] == 1 and us_uk["atop_defense_pacts"] >= 1  # NATO


def test_state_year_panel_is_refused(shared_data):
    with pytest.raises(PanelTypeError, match="create_dyadyears"):
        add_alliances(create_stateyears(years=[2000], data_dir=shared_data), data_dir=shared_data)
