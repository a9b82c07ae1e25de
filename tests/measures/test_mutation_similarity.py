"""add_alliance_similarity's provenance and messages (gaps mutation testing found in measures/similarity.py):
what it records in ``attrs`` is checked against the loaded source and the registry, the errors by their text."""

from __future__ import annotations

import pandas as pd
import pytest

from coalitionlab.data import get_source, load
from coalitionlab.errors import PanelTypeError, UnknownOptionError
from coalitionlab.measures import add_alliance_similarity, create_dyadyears, create_stateyears


def test_provenance_names_the_source_its_version_and_coverage(shared_data):
    src = get_source("atop_dyads")
    version = str(load("atop_dyads", shared_data).attrs.get("version"))
    nd = create_dyadyears(years="2017:2018", directed=False, data_dir=shared_data)
    for ties, col in (("any", "atop_sscore"), ("defense", "atop_sscore_defense")):
        out = add_alliance_similarity(nd, data_dir=shared_data, ties=ties)
        assert out.attrs["sources"]["atop_dyads"] == version
        assert out.attrs["columns"][col]["source"] == "atop_dyads"
        assert out.attrs["columns"][col]["coverage"] == [src.first_year, src.last_year]
    # no year inside ATOP's coverage: all NaN, and the registry's version is recorded
    late = create_dyadyears(years="2020:2020", directed=False, data_dir=shared_data)
    out = add_alliance_similarity(late, data_dir=shared_data)
    assert out["atop_sscore"].isna().all()
    assert out.attrs["sources"]["atop_dyads"] == src.version
    assert out.attrs["columns"]["atop_sscore"]["coverage"] == [src.first_year, src.last_year]


def test_errors_name_the_step_and_the_option(shared_data):
    nd = create_dyadyears(years="2018:2018", directed=False, data_dir=shared_data)
    with pytest.raises(UnknownOptionError, match=r"^unknown ties 'pacts'; allowed: 'any', 'defense'$"):
        add_alliance_similarity(nd, data_dir=shared_data, ties="pacts")
    sy = create_stateyears(years="2018:2018", data_dir=shared_data)
    with pytest.raises(PanelTypeError, match=r"add_alliance_similarity\(\)"):
        add_alliance_similarity(sy, data_dir=shared_data)


def test_rows_in_any_order_get_their_own_pairs_value(shared_data):
    """Rows of several years shuffled: each row keeps the value of its own pair and year."""
    nd = create_dyadyears(years="2016:2018", directed=False, data_dir=shared_data)
    ordered = add_alliance_similarity(nd, data_dir=shared_data).set_index(["ccode1", "ccode2", "year"])["atop_sscore"]
    shuffled = nd.sample(frac=1, random_state=3).reset_index(drop=True)
    shuffled.attrs = dict(nd.attrs)
    got = add_alliance_similarity(shuffled, data_dir=shared_data).set_index(["ccode1", "ccode2", "year"])["atop_sscore"]
    pd.testing.assert_series_equal(got.sort_index(), ordered.sort_index())
