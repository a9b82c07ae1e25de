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


def test_nullable_columns_keep_missing_as_missing_through_finish():
    """finish() writes the existence rule into a nullable count's mask (in place when the step owns the
    array, on a copy otherwise) and keeps its dtype; a float64 column gets NaN as before."""
    import numpy as np

    from coalitionlab.measures._common import _blank, finish, nullable_counts

    values = np.array([5, 0, 7, 2], dtype="int16")
    outside = np.array([False, False, False, True])
    shared = nullable_counts(values, outside)
    assert shared.dtype == "Int16" and np.isnan(shared.to_numpy("float64", na_value=np.nan)[3])
    assert not np.shares_memory(shared._mask, outside)  # each column gets its own mask
    drop = np.array([True, False, False, False])
    copied = _blank(shared, drop, pd.RangeIndex(4))
    assert copied is not shared and shared.isna().tolist() == [False, False, False, True]
    assert copied.isna().tolist() == [True, False, False, True] and copied.dtype == "Int16"
    same = _blank(shared, drop, pd.RangeIndex(4), in_place=True)
    assert same is shared and shared.isna().tolist() == [True, False, False, True]
    assert shared[1] == 0  # a recorded 0 stays 0
    # through finish on a panel with a state that did not exist (Czechoslovakia, 315, after 1992)
    panel = pd.DataFrame({"ccode1": [2, 2, 315, 2], "ccode2": [200, 200, 2, 365], "year": [2000, 2001, 2000, 1992]})
    panel.attrs = {"unit": "dyad_year"}
    counts = nullable_counts(np.array([3, 4, 1, 9], dtype="int16"), np.array([False, True, False, False]))
    out = finish(panel, {"n": counts, "f": np.array([1.0, 2.0, 3.0, 4.0])}, {"unit": "dyad_year"}, seed=True)
    assert out["n"].dtype == "Int16" and out["n"].isna().tolist() == [False, True, True, False]
    assert out["n"].to_numpy("float64", na_value=np.nan)[[0, 3]].tolist() == [3.0, 9.0]
    assert out["f"].dtype == "float64" and np.isnan(out["f"].to_numpy()).tolist() == [False, False, True, False]
    assert counts.isna().tolist() == [False, True, False, False]  # not owned: the step's array is untouched


def test_ccode_index_blocks_give_the_single_gather():
    """Compact (int16) codes are looked up block by block; the result equals one gather of int64 codes."""
    import numpy as np

    from coalitionlab.measures._common import _GATHER_BLOCK, CcodeIndex

    rng = np.random.default_rng(5)
    codes = rng.choice([2, 20, 200, 255, 365, 710, 990], 3 * _GATHER_BLOCK + 17).astype("int16")
    index = CcodeIndex([2, 20, 200, 255, 365, 710, 990])
    want = np.searchsorted(np.array([2, 20, 200, 255, 365, 710, 990]), codes.astype("int64"))
    for dtype in ("int16", "int32", "int64"):
        got = index(codes, dtype=dtype)
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, want)


def test_release_memory_changes_nothing():
    """Returning freed memory to the system is safe to call at any time (a no-op off Linux/glibc)."""
    import numpy as np

    from coalitionlab.measures._common import release_memory

    kept = np.arange(1_000_000)
    junk = [np.ones(50_000 + k) for k in range(50)]
    del junk
    release_memory()
    release_memory()
    assert kept.sum() == 999_999 * 1_000_000 // 2


def test_one_arrow_thread_restores_pyarrow_threads():
    """Reads for a large panel run on one pyarrow thread; the count is restored after the outermost
    block, also when the block raises, and small panels leave it alone."""
    import pyarrow as pa

    from coalitionlab.measures._common import RELEASE_ROWS, one_arrow_thread

    before = pa.cpu_count()
    pa.set_cpu_count(3)
    try:
        with one_arrow_thread(RELEASE_ROWS - 1):
            assert pa.cpu_count() == 3
        with one_arrow_thread(RELEASE_ROWS):
            assert pa.cpu_count() == 1
            with one_arrow_thread():
                assert pa.cpu_count() == 1
            assert pa.cpu_count() == 1  # the outer block still runs
        assert pa.cpu_count() == 3
        with pytest.raises(ZeroDivisionError), one_arrow_thread():
            1 / 0  # noqa: B018
        assert pa.cpu_count() == 3
    finally:
        pa.set_cpu_count(before)
