"""create_stateyears / create_dyadyears on the real COW state list."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coalitionlab.errors import CoverageError, PanelTypeError, UnknownOptionError
from coalitionlab.measures import check_panel, create_dyadyears, create_stateyears, parse_years


def test_stateyears_match_peacesciencer_igo_state_years(shared_data):
    sy = create_stateyears(years="1816:2014", data_dir=shared_data)
    assert sy.attrs["unit"] == "state_year" and sy.attrs["sources"]["cow_states"] == "2024"
    assert not sy.duplicated(["ccode", "year"]).any()
    ref = pd.read_csv(shared_data / "peacesciencer" / "cow_igo_sy.csv", usecols=["ccode", "year"])
    m = sy.merge(ref, on=["ccode", "year"], how="outer", indicator=True)
    # COW IGO leaves out the last (partial) year of states that ended mid-year (e.g. GDR 1990)
    assert (m["_merge"] == "both").mean() > 0.99
    assert len(sy[(sy.ccode == 2)]) == 2014 - 1816 + 1


def test_dyadyears_directed_is_twice_nondirected(shared_data):
    d = create_dyadyears(years="1990:1992", data_dir=shared_data)
    n = create_dyadyears(years="1990:1992", directed=False, data_dir=shared_data)
    assert len(d) == 2 * len(n)
    assert (n.ccode1 < n.ccode2).all()
    assert not (d.ccode1 == d.ccode2).any()
    back = d[d.ccode1 > d.ccode2].rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
    pd.testing.assert_frame_equal(back[["ccode1", "ccode2", "year"]].sort_values(["year", "ccode1", "ccode2"],
                                                                                ignore_index=True),
                                  n[["ccode1", "ccode2", "year"]].reset_index(drop=True))


def test_false_dyads_are_dropped(shared_data):
    # East and West Germany ended 1990-10-02/03; Germany (255) entered 1990-10-03: GDR (265) left the
    # day before, so (255, 265) in 1990 never coexisted
    n = create_dyadyears(years=[1990], directed=False, data_dir=shared_data)
    pairs = set(zip(n.ccode1, n.ccode2, strict=True))
    assert (255, 265) not in pairs
    assert (2, 265) in pairs and (2, 255) in pairs


def test_counts_of_system_members(shared_data):
    n = create_dyadyears(years=[2003], directed=False, data_dir=shared_data)
    k = len(create_stateyears(years=[2003], data_dir=shared_data))
    assert len(n) == k * (k - 1) // 2


def test_bad_years_and_system(shared_data):
    with pytest.raises(CoverageError, match="1700"):
        create_dyadyears(years=[1700], data_dir=shared_data)
    with pytest.raises(UnknownOptionError, match="gw"):
        create_stateyears("gw", data_dir=shared_data)
    with pytest.raises(CoverageError, match="cannot read years"):
        parse_years("1950-2014")


def test_check_panel_names_the_fix():
    df = pd.DataFrame({"ccode": [2], "year": [2000]})
    with pytest.raises(PanelTypeError, match="create_dyadyears"):
        check_panel(df, "dyad_year", step="add_igos()")
    df.attrs["unit"] = "dyad_year"
    with pytest.raises(PanelTypeError, match="ccode1"):
        check_panel(df, "dyad_year")
    assert parse_years(np.array([3, 1])) == [1, 3]


def test_without_data_dir_the_crosswalk_list_is_used(shared_data, tmp_path):
    from coalitionlab.errors import MissingDataError, SeedDataWarning

    with pytest.warns(SeedDataWarning, match="seed"):
        seeded = create_dyadyears(years="1946:2024", directed=False)  # no data location given
    full = create_dyadyears(years="1946:2024", directed=False, data_dir=shared_data)
    assert seeded.attrs["is_seed"] is True and full.attrs["is_seed"] is False
    pd.testing.assert_frame_equal(seeded[["ccode1", "ccode2", "year"]], full[["ccode1", "ccode2", "year"]])
    with pytest.raises(MissingDataError):
        create_stateyears(data_dir=tmp_path, source="full")


def test_a_single_year_as_an_int(shared_data):
    # years=2003 used to fail with "TypeError: 'int' object is not iterable"
    assert parse_years(2003) == [2003] and parse_years(np.int64(2003)) == [2003]
    assert create_stateyears(years=2003, data_dir=shared_data).equals(
        create_stateyears(years=[2003], data_dir=shared_data))
    with pytest.raises(CoverageError, match="2003.5"):
        parse_years([2003.5])
