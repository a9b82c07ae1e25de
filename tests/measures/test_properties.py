"""Property tests (hypothesis) of the vectorised helpers against brute force."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from coalitionlab.errors import SeedDataWarning
from coalitionlab.measures._common import CcodeIndex, dyad_lookup, dyad_values, interval_cube

CODES = [2, 20, 200, 220, 365, 710]

ties = st.lists(
    st.tuples(st.sampled_from(CODES), st.sampled_from(CODES), st.integers(1990, 2005),
              st.one_of(st.none(), st.integers(1990, 2006))),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(ties)
def test_interval_cube_equals_brute_force(rows):
    df = pd.DataFrame(rows, columns=["a", "b", "start", "end"]).astype({"end": "float64"})
    index = CcodeIndex(CODES)
    cube = interval_cube(df["a"].to_numpy(), df["b"].to_numpy(), df["start"].to_numpy(), df["end"].to_numpy(),
                         index, 1990, 2005)
    c1, c2, yr = (np.array(v) for v in zip(*[(a, b, y) for a in CODES for b in CODES for y in range(1988, 2008)],
                                           strict=True))
    got = dyad_lookup(cube, 1990, index, c1, c2, yr)
    # a shorter cube (events before 1995 folded into its first year) gives the same counts inside it
    short = interval_cube(df["a"].to_numpy(), df["b"].to_numpy(), df["start"].to_numpy(), df["end"].to_numpy(),
                          index, 1995, 2000)
    mid = (yr >= 1995) & (yr <= 2000)
    assert np.array_equal(dyad_lookup(short, 1995, index, c1[mid], c2[mid], yr[mid]), got[mid])
    ta, tb, ts = df["a"].to_numpy(), df["b"].to_numpy(), df["start"].to_numpy()
    te = df["end"].fillna(np.inf).to_numpy()
    for a, b, y, g in zip(c1, c2, yr, got, strict=True):
        if not 1990 <= y <= 2005:
            assert np.isnan(g)  # outside the coverage: NaN, never 0
            continue
        pair = ((ta == a) & (tb == b)) | ((ta == b) & (tb == a))
        live = pair & (ta != tb) & (ts <= y) & (te > y) & (te > ts)
        assert g == (0 if a == b else live.sum())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(CODES), st.sampled_from(CODES), st.integers(2000, 2003),
                          st.floats(-5, 5, allow_nan=False)), max_size=20, unique_by=lambda r: r[:3]),
       st.booleans())
def test_dyad_values_equal_a_merge(rows, symmetric):
    table = pd.DataFrame(rows, columns=["ccode1", "ccode2", "year", "v"])
    if symmetric:  # a symmetric table holds each unordered pair once
        table = table[table.ccode1 < table.ccode2].drop_duplicates(["ccode1", "ccode2", "year"])
    q = pd.DataFrame([(a, b, y) for a in CODES for b in CODES for y in range(1999, 2005) if a != b],
                     columns=["ccode1", "ccode2", "year"])
    got = dyad_values(table, ["v"], q.ccode1.to_numpy(), q.ccode2.to_numpy(), q.year.to_numpy(),
                      symmetric=symmetric)["v"]
    ref = table
    if symmetric:
        ref = pd.concat([table, table.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})])
    exp = q.merge(ref, on=["ccode1", "ccode2", "year"], how="left")["v"].to_numpy(dtype="float64")
    assert np.allclose(got, exp, equal_nan=True)


def test_add_igos_on_the_seed_warns_and_stamps():
    from coalitionlab.data import seed
    from coalitionlab.measures import add_igos

    panel = pd.DataFrame({"ccode1": [2, 2, 2, 2], "ccode2": [200, 365, 200, 20], "year": [2003, 2003, 1925, 2024]})
    panel.attrs = {"unit": "dyad_year", "directed": True}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = add_igos(panel)  # no data location given: the seed
    assert any(issubclass(w.category, SeedDataWarning) for w in caught)
    assert out.attrs["is_seed"] is True
    assert out.attrs["columns"]["igo_joint_any"]["coverage"] == [seed.FIRST_YEAR, seed.LAST_YEAR]
    long = seed.igo_membership_long(years=2003)
    us = set(long[long.ccode == 2].ioname)
    uk = set(long[long.ccode == 200].ioname)
    assert out.loc[0, "igo_joint_any"] == len(us & uk)
    assert out.loc[0, "igo_joint_security"] >= 1 and pd.isna(out.loc[2, "igo_joint_any"])  # NATO; 1925 < seed
