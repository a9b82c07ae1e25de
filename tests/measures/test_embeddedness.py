"""embeddedness() and add_embeddedness() on the real sources, and their errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from coalitionlab.errors import CoverageError, UnknownCountryError, UnknownOptionError
from coalitionlab.measures import add_embeddedness, create_dyadyears, embeddedness
from coalitionlab.measures.igos import add_igos

COMPS = ["alliances", "igos"]


@pytest.fixture(scope="module")
def us2003(shared_data):
    return embeddedness("USA", "2003-03-20", data_dir=shared_data, components=COMPS, source="full")


def test_us_2003_shape_and_order(us2003, shared_data):
    e = us2003
    assert list(e.columns[:4]) == ["ccode", "country", "alliances", "igos"]
    assert {"embeddedness", "embeddedness_log1p", "embeddedness_share", "embeddedness_z",
            "embeddedness_nonsecurity"} <= set(e.columns)
    assert 2 not in set(e["ccode"])
    assert e["embeddedness"].is_monotonic_decreasing
    assert e.attrs["years_used"] == {"alliances": 2003, "igos": 2003}
    assert e.attrs["sources"]["cow_igo"] == "3.0" and e.attrs["is_seed"] is False
    assert set(e.head(15)["ccode"]) >= {20, 200}  # Canada, United Kingdom
    # one row per other system member on the date
    from coalitionlab.measures import create_stateyears

    assert len(e) == len(create_stateyears(years=[2003], data_dir=shared_data)) - 1
    assert np.isclose(e["embeddedness_share"].sum(), 1.0)
    assert abs(e["embeddedness_z"].mean()) < 1e-9
    assert (e["embeddedness"] == e["alliances"] + e["igos"]).all()
    assert (e["embeddedness_nonsecurity"] <= e["embeddedness"]).all()
    assert np.allclose(e["embeddedness_log1p"], np.log1p(e["embeddedness"]))


def test_igos_component_equals_the_panel_step(us2003, shared_data):
    panel = create_dyadyears(years=[2003], data_dir=shared_data)
    panel = add_igos(panel[panel.ccode1 == 2], data_dir=shared_data, source="full")
    m = us2003.merge(panel, left_on="ccode", right_on="ccode2")
    assert len(m) == len(us2003)
    assert (m["igos"] == m["igo_joint_any"]).all()
    assert (m["embeddedness_nonsecurity"] == m["igo_joint_nonsecurity"]).all()  # alliances dropped


def test_lead_by_name_iso3_or_ccode(us2003, shared_data):
    for lead in ("United States", 2):
        e = embeddedness(lead, "2003-03-20", data_dir=shared_data, components=COMPS, source="full")
        pd.testing.assert_frame_equal(e, us2003)


def test_any_lead_lag_and_weights(shared_data):
    e = embeddedness("France", "1991-01-17", data_dir=shared_data, components=COMPS, source="full", lag_years=1,
                     weights={"igos": 0.5})
    assert e.attrs["lead_ccode"] == 220 and e.attrs["years_used"] == {"alliances": 1990, "igos": 1990}
    assert np.allclose(e["embeddedness"], e["alliances"] + 0.5 * e["igos"])


def test_latest_year_on_or_before_the_date(shared_data):
    e = embeddedness("USA", "2020-01-01", data_dir=shared_data, components=COMPS, source="full")
    assert e.attrs["years_used"] == {"alliances": 2016, "igos": 2014}
    assert e["igos"].notna().all()


def test_add_embeddedness_matches_single_calls(shared_data, us2003):
    fr = embeddedness("FRA", "1991-01-17", data_dir=shared_data, components=COMPS, source="full")
    panel = pd.concat([
        pd.DataFrame({"coalition": "iraq2003", "lead_ccode": 2, "start_date": pd.Timestamp("2003-03-20"),
                      "ccode": us2003["ccode"]}),
        pd.DataFrame({"coalition": "gulf1991", "lead_ccode": 220, "start_date": pd.Timestamp("1991-01-17"),
                      "ccode": fr["ccode"].head(30)}),
    ], ignore_index=True)
    panel["year"] = panel["start_date"].dt.year
    out = add_embeddedness(panel, data_dir=shared_data, components=COMPS, source="full")
    assert len(out) == len(panel) and "embeddedness" not in panel.columns
    a = out[out.coalition == "iraq2003"].set_index("ccode")["embeddedness"]
    assert np.array_equal(a.to_numpy(), us2003.set_index("ccode").loc[a.index, "embeddedness"].to_numpy())
    b = out[out.coalition == "gulf1991"].set_index("ccode")["embeddedness"]
    assert np.array_equal(b.to_numpy(), fr.set_index("ccode").loc[b.index, "embeddedness"].to_numpy())
    assert out.attrs["embeddedness"]["components"] == COMPS


def test_unknown_lead_is_clear(shared_data):
    with pytest.raises(UnknownCountryError, match="Atlantis"):
        embeddedness("Atlantis", "2003-03-20", data_dir=shared_data, source="full")


def test_date_before_the_lead_existed(shared_data):
    with pytest.raises(CoverageError, match="not a state-system member on 1900-01-01"):
        embeddedness("Canada", "1900-01-01", data_dir=shared_data, components=COMPS, source="full")
    with pytest.raises(CoverageError, match="2031"):
        embeddedness("USA", "2031-01-01", data_dir=shared_data, components=COMPS, source="full")
    with pytest.raises(CoverageError, match="cannot read date"):
        embeddedness("USA", "20th of March", data_dir=shared_data, components=COMPS, source="full")


def test_date_outside_every_component(shared_data):
    with pytest.raises(CoverageError, match="no component has data"):
        embeddedness("UKG", "1816-06-01", data_dir=shared_data, components=["igos"], source="full", lag_years=5)


def test_unknown_component_and_source(shared_data):
    with pytest.raises(UnknownOptionError, match="embassies"):
        embeddedness("USA", "2003-03-20", data_dir=shared_data, components=["igos", "embassies"], source="full")
    with pytest.raises(UnknownOptionError, match="source"):
        embeddedness("USA", "2003-03-20", data_dir=shared_data, source="cloud")
    with pytest.raises(UnknownOptionError, match="weight"):
        embeddedness("USA", "2003-03-20", data_dir=shared_data, components=COMPS, weights={"ptas": 2},
                     source="full")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        embeddedness("USA", "2003-03-20", data_dir=shared_data, components=COMPS, source="full")


def test_seed_when_no_data_dir(tmp_path):
    from coalitionlab.data import seed
    from coalitionlab.errors import MissingDataError, SeedDataWarning

    with pytest.warns(SeedDataWarning, match="seed"):
        e = embeddedness("USA", "2003-03-20", data_dir=tmp_path)
    assert e.attrs["is_seed"] is True and e.attrs["components"] == ["alliances", "igos"]
    assert e.attrs["sources"] == {"seed.agreements_long": seed.SEED_VERSION,
                                  "seed.igo_membership_long": seed.SEED_VERSION}
    # the seed's bilateral defence pacts of 2003 (Japan, Korea, Philippines ...) are counted
    pacts = seed.agreements_long(years=2003)
    got = e.set_index("ccode")["alliances"]
    expected = pacts.groupby("ccode2").size()
    assert (got.loc[expected.index] == expected).all()
    assert got.drop(expected.index).eq(0).all()
    nato = e.set_index("ccode").loc[[200, 220], "igos"]
    assert (nato >= 3).all()  # UN, NATO, OSCE ... in the seed
    with pytest.raises(MissingDataError, match="full sources"):
        embeddedness("USA", "2003-03-20", data_dir=tmp_path, components=["trade_agreements"], source="seed")
    with pytest.raises(CoverageError, match="no component has data"):
        embeddedness("USA", "1900-01-01", data_dir=tmp_path, source="seed")


def test_full_source_missing_is_an_error(tmp_path):
    from coalitionlab.errors import MissingDataError

    with pytest.raises(MissingDataError):
        embeddedness("USA", "2003-03-20", data_dir=tmp_path, components=COMPS, source="full")


def test_default_components_on_full_sources(shared_data):
    e = embeddedness("USA", "2003-03-20", data_dir=shared_data)
    comps = ["alliances", "trade_agreements", "investment_treaties", "igos"]
    assert e.attrs["components"] == comps and list(e.columns[2:6]) == comps
    assert (e["embeddedness"] == e[comps].sum(axis=1)).all()
    can = e.set_index("ccode").loc[20]
    assert can["trade_agreements"] >= 3 and can["investment_treaties"] >= 1  # Auto Pact, CUSFTA, NAFTA
    assert set(e.attrs["sources"]) >= {"atop_members", "desta_dyads", "unctad_iia", "cow_igo"}
    x = embeddedness("USA", "2003-03-20", data_dir=shared_data, components=["igos", "exercises", "defense_pacts"],
                     source="full")
    assert x.attrs["years_used"] == {"igos": 2003, "exercises": 2003, "defense_pacts": 2003}
    assert (x["embeddedness_nonsecurity"] < x["embeddedness"]).any()
    late = embeddedness("USA", "2015-06-01", data_dir=shared_data, components=["exercises"], source="full")
    assert late.attrs["years_used"] == {"exercises": 2010}


def test_seed_for_another_lead_counts_igos_only(tmp_path):
    from coalitionlab.errors import SeedDataWarning

    with pytest.warns(SeedDataWarning):
        e = embeddedness("France", "1991-01-17", data_dir=tmp_path)
    assert e.attrs["components"] == ["igos"] and e["igos"].notna().all()
    with pytest.warns(SeedDataWarning):
        a = embeddedness("France", "1991-01-17", data_dir=tmp_path, components=["alliances", "igos"])
    others = a[a.ccode != 2]  # France-USA is known from the USA's list
    assert others["alliances"].isna().all() and others["embeddedness"].isna().all()  # unknown, not zero
    assert a.set_index("ccode").loc[2, "alliances"] == 0


def test_add_embeddedness_rows_without_lead_or_date_are_nan(shared_data, us2003):
    # a missing lead or date was cast to int64 (-2**63): an IndexError in add_alliances, and for
    # igos alone a joint-membership count read off another state's row of the cube
    from coalitionlab.errors import MissingValueWarning

    p = pd.DataFrame({"ccode": [200, 20, 200], "lead_ccode": [2.0, np.nan, 2.0],
                      "start_date": pd.to_datetime(["2003-03-20", "2003-03-20", None])})
    for comps in (["igos"], COMPS):
        with pytest.warns(MissingValueWarning, match="2 row"):
            out = add_embeddedness(p, data_dir=shared_data, components=comps, source="full")
        assert out["embeddedness"].iloc[1:].isna().all()
        uk = us2003.set_index("ccode").loc[200]
        assert out["embeddedness"].iloc[0] == (uk["igos"] if comps == ["igos"] else uk["embeddedness"])


def test_add_embeddedness_lead_names_are_an_error(shared_data):
    from coalitionlab.errors import PanelTypeError

    p = pd.DataFrame({"ccode": [200], "lead_ccode": ["USA"], "start_date": pd.to_datetime(["2003-03-20"])})
    with pytest.raises(PanelTypeError, match="'USA'.*ccodes"):
        add_embeddedness(p, data_dir=shared_data, components=["igos"], source="full")
