"""One property checked on every add_* step: rows unchanged, input not mutated, attrs stamped."""

from __future__ import annotations

import pandas as pd
import pytest

from coalitionlab import measures

DYAD_STEPS = ["add_igos", "add_agreements", "add_alliances", "add_alliance_similarity", "add_exercises",
              "add_un_affinity", "add_capabilities", "add_distance", "add_contiguity", "add_democracy",
              "add_us_troops", "add_hierarchy"]
STATE_STEPS = ["add_igos", "add_exercises", "add_un_affinity", "add_capabilities", "add_democracy",
               "add_us_troops", "add_hierarchy"]


@pytest.fixture(scope="module")
def dyads(shared_data):
    d = measures.create_dyadyears(years="1999:2001", data_dir=shared_data)
    return d[d.ccode1.isin([2, 200, 365, 710])].reset_index(drop=True).pipe(_keep_attrs, d)


def _keep_attrs(df, like):
    df.attrs = dict(like.attrs)
    return df


@pytest.mark.parametrize("step", DYAD_STEPS)
def test_dyad_step_is_a_left_join(step, dyads, shared_data):
    before = dyads.copy(deep=True)
    out = getattr(measures, step)(dyads, data_dir=shared_data)
    pd.testing.assert_frame_equal(dyads, before)  # input not mutated
    assert dyads.attrs.get("columns", {}) == before.attrs.get("columns", {})
    pd.testing.assert_frame_equal(out[list(dyads.columns)], dyads)  # rows and keys unchanged
    added = [c for c in out.columns if c not in dyads.columns]
    assert added, step
    assert out.attrs["unit"] == "dyad_year" and out.attrs["sources"]["cow_states"] == "2024"
    assert len(out.attrs["sources"]) > 1
    assert out.attrs["existence"] == "cow_system_membership"  # the existence rule was applied
    for col in added:
        assert col in out.attrs["columns"], (step, col)


@pytest.mark.parametrize("step", STATE_STEPS)
def test_state_step_is_a_left_join(step, shared_data):
    sy = measures.create_stateyears(years="2000:2001", data_dir=shared_data)
    out = getattr(measures, step)(sy, data_dir=shared_data)
    pd.testing.assert_frame_equal(out[list(sy.columns)], sy)
    assert out.attrs["unit"] == "state_year" and len(out.attrs["sources"]) > 1
    assert out.attrs["existence"] == "cow_system_membership"


@pytest.mark.parametrize("step", DYAD_STEPS)
@pytest.mark.parametrize("bad", [float("nan"), "USA", 20.5])
def test_a_key_that_is_not_a_whole_number_is_named(step, bad, dyads, shared_data):
    # a NaN ccode used to be cast to a garbage integer (an IndexError deep in add_igos, a silent NaN elsewhere)
    from coalitionlab.errors import PanelTypeError

    broken = dyads.astype({"ccode2": object})
    broken.loc[3, "ccode2"] = bad
    with pytest.raises(PanelTypeError, match=r"key column 'ccode2' holds .* at position 3"):
        getattr(measures, step)(broken, data_dir=shared_data)
