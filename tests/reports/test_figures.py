"""World map: right value on the right shape, states of another year grey, shapes shipped offline."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from coalitionlab.errors import CoverageError, PanelTypeError, SeedDataWarning
from coalitionlab.reports.figures import OFFLINE_GEO_JS, map_frame, world_geojson, world_map


def _shown(fig: go.Figure) -> dict[str, float]:
    """ISO3 shape -> value of the coloured trace (the grey trace carries no value)."""
    assert fig.data[0].name == "no value"
    return dict(zip(fig.data[1].locations, map(float, fig.data[1].z)))


def _grey(fig: go.Figure) -> set[str]:
    return set(fig.data[0].locations)


def test_world_map_signature_and_type() -> None:
    frame = pd.DataFrame({"ccode": [2, 200], "v": [1.0, 2.0]})
    fig = world_map(frame, "v", year=2000, title="A title")
    assert isinstance(fig, go.Figure)
    assert fig.layout.title.text == "A title"
    assert fig.layout.meta["year"] == 2000 and fig.layout.meta["value"] == "v"
    # every shape is drawn from the GeoJSON the figure carries, none from plotly's own base map
    for trace in fig.data:
        assert trace.featureidkey == "id"
        assert {f["id"] for f in trace.geojson["features"]} == set(trace.locations)
    geo = fig.layout.geo
    assert not any([geo.showcoastlines, geo.showland, geo.showcountries, geo.showocean, geo.showlakes])


def test_south_sudan_has_no_value_before_2011_and_its_own_after() -> None:
    frame = pd.DataFrame({"ccode": [625, 626, 2], "v": [2.0, 99.0, 1.0]})
    before = _shown(world_map(frame, "v", year=2010))
    # South Sudan (626) did not exist in 2010: its 99 appears nowhere; its territory was Sudan's
    assert 99.0 not in before.values()
    assert before["SDN"] == 2.0 and before["SSD"] == 2.0
    mf = map_frame(frame, "v", year=2010)
    assert 626 not in set(mf["ccode"].dropna().astype(int))
    after = _shown(world_map(frame, "v", year=2012))
    assert after["SSD"] == 99.0 and after["SDN"] == 2.0
    # with no value for Sudan, the South Sudan shape of 2010 is grey (missing), not 0
    only_ss = pd.DataFrame({"ccode": [626], "v": [99.0]})
    fig = world_map(only_ss, "v", year=2010)
    assert "SSD" in _grey(fig) and "SSD" not in _shown(fig)
    assert "SSD" in _shown(world_map(only_ss, "v", year=2012))


def test_states_of_another_year_are_grey_never_zero() -> None:
    # the German Democratic Republic (265) and the Soviet Union's value in 2000; Germany's in 1980
    frame = pd.DataFrame({"ccode": [265, 255, 260, 365, 369], "v": [7.0, 3.0, 4.0, 5.0, 6.0]})
    y1980 = _shown(world_map(frame, "v", year=1980))
    assert y1980["DEU"] == 4.0  # West Germany drawn on today's Germany
    assert y1980["UKR"] == 5.0 and y1980["RUS"] == 5.0  # Ukraine's territory held by the Soviet Union
    assert 6.0 not in y1980.values() and 3.0 not in y1980.values()  # Ukraine (369), Germany (255): not states
    y2000 = _shown(world_map(frame, "v", year=2000))
    assert y2000["DEU"] == 3.0 and y2000["UKR"] == 6.0 and y2000["RUS"] == 5.0
    assert 7.0 not in y2000.values() and 4.0 not in y2000.values()
    # NaN and absent states are grey; no shape is ever coloured 0 by default
    nan = pd.DataFrame({"ccode": [2, 20], "v": [np.nan, 1.0]})
    fig = world_map(nan, "v", year=2000)
    assert _shown(fig) == {"CAN": 1.0}
    assert {"USA", "MEX", "FRA"} <= _grey(fig)


def test_values_match_embeddedness_computed_directly() -> None:
    from coalitionlab.measures import embeddedness

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeedDataWarning)
        emb = embeddedness("USA", "2003-03-20")
    fig = world_map(emb, "embeddedness", year=2003)
    shown = _shown(fig)
    for ccode, iso in [(200, "GBR"), (20, "CAN"), (640, "TUR"), (710, "CHN"), (365, "RUS")]:
        expected = float(emb.loc[emb["ccode"] == ccode, "embeddedness"].iloc[0])
        assert shown[iso] == pytest.approx(expected), iso
    assert len(set(shown.values())) > 1


def test_shapes_cover_the_states_that_are_not_microstates() -> None:
    shapes = world_geojson()
    ids = [f["id"] for f in shapes["features"]]
    assert len(ids) == len(set(ids))
    frame = pd.DataFrame({"ccode": [2], "v": [1.0]})
    not_drawn = set(map_frame(frame, "v", year=2016).query("not drawn")["country"])
    # written out by hand: every state of 2016 with no 1:110m shape is an island or micro state
    small = {"Barbados", "Dominica", "Grenada", "St. Lucia", "St. Vincent and the Grenadines", "Antigua & Barbuda",
             "St. Kitts and Nevis", "Monaco", "Liechtenstein", "Andorra", "San Marino", "Malta", "Cape Verde",
             "Sao Tome and Principe", "Comoros", "Mauritius", "Seychelles", "Bahrain", "Maldives", "Singapore",
             "Kiribati", "Tuvalu", "Tonga", "Nauru", "Marshall Islands", "Palau", "Federated States of Micronesia",
             "Samoa"}
    assert not_drawn <= small
    mf = map_frame(frame, "v", year=2016)
    assert world_map(frame, "v", year=2016).layout.meta["not_drawn"] == mf.loc[~mf["drawn"], "country"].tolist()
    assert {"Hungary", "Serbia", "Jamaica", "Myanmar", "Kosovo"} <= set(mf.loc[mf["drawn"], "country"])


def test_offline_script_registers_the_base_map_plotly_would_fetch() -> None:
    assert "PlotlyGeoAssets" in OFFLINE_GEO_JS and "world_110m" in OFFLINE_GEO_JS


@pytest.mark.parametrize(("frame", "kwargs", "error"), [
    (pd.DataFrame({"ccode": [2]}), {"value": "v", "year": 2000}, PanelTypeError),
    (pd.DataFrame({"cc": [2], "v": [1.0]}), {"value": "v", "year": 2000}, PanelTypeError),
    (pd.DataFrame({"ccode": [2, 2], "v": [1.0, 2.0]}), {"value": "v", "year": 2000}, PanelTypeError),
    (pd.DataFrame({"ccode": [2], "v": ["high"]}), {"value": "v", "year": 2000}, PanelTypeError),
    (pd.DataFrame({"ccode": ["USA"], "v": [1.0]}), {"value": "v", "year": 2000}, PanelTypeError),
    (pd.DataFrame({"ccode": [2], "v": [1.0]}), {"value": "v", "year": "2000"}, CoverageError),
    (pd.DataFrame({"ccode": [2], "v": [1.0]}), {"value": "v", "year": 1700}, CoverageError),
])
def test_bad_input_is_one_clear_error(frame: pd.DataFrame, kwargs: dict, error: type) -> None:
    with pytest.raises(error, match="world_map"):
        world_map(frame, **kwargs)
