"""Joint IGO memberships against peacesciencer's cow_igo_ndy and the COW state-year counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coalitionlab.errors import PanelTypeError, UnknownOptionError
from coalitionlab.measures import add_igos, create_dyadyears, create_stateyears
from coalitionlab.measures.igos import IGO_COLUMNS


@pytest.fixture(scope="module")
def nd_igos(shared_data):
    return add_igos(create_dyadyears(years="1816:2014", directed=False, data_dir=shared_data), data_dir=shared_data,
                    source="full")


def test_joint_igos_match_peacesciencer(shared_data, nd_igos):
    ref = pd.read_csv(shared_data / "peacesciencer" / "cow_igo_ndy.csv.gz")
    m = nd_igos.merge(ref, on=["ccode1", "ccode2", "year"], how="inner")
    assert len(m) > 0.99 * len(ref)  # dyad-years absent from our panel: states' partial last years
    equal = m["igo_joint_any"] == m["dyadigos"]
    share = equal.mean()
    bad = m.loc[~equal, ["ccode1", "ccode2", "year", "igo_joint_any", "dyadigos"]]
    print(f"\nigo_joint_any == cow_igo_ndy.dyadigos on {share:.4%} of {len(m):,} dyad-years; "
          f"{len(bad)} differ (tolerated: COW's dyadic file codes missing/-9 cells as NA)")
    print(bad.head(20).to_string())
    full_share = (m["igo_joint_full"] == m["dyadigos"]).mean()
    print(f"igo_joint_full (status 1 only) equals dyadigos on {full_share:.4%} (it is lower after 2000, "
          "where associate memberships grow)")
    assert share >= 0.995
    assert (m["igo_joint_full"] <= m["igo_joint_any"]).all()
    assert full_share < share  # the two definitions differ in the data


def test_splits_add_up(nd_igos):
    d = nd_igos
    assert (d["igo_joint_security"] + d["igo_joint_nonsecurity"] == d["igo_joint_any"]).all()
    for area in ("political", "social", "economic"):
        assert (d[f"igo_joint_{area}"] <= d["igo_joint_any"]).all()
    us_uk = d[(d.ccode1 == 2) & (d.ccode2 == 200) & (d.year == 2003)].iloc[0]
    assert us_uk["igo_joint_security"] >= 2  # NATO, OSCE, EAPC, Wassenaar ...
    us_ussr = d[(d.ccode1 == 2) & (d.ccode2 == 365) & (d.year == 1970)].iloc[0]
    assert us_ussr["igo_joint_security"] == 0


def test_state_year_counts_match_cow(shared_data):
    sy = add_igos(create_stateyears(years="1990:2014", data_dir=shared_data), data_dir=shared_data, source="full")
    ref = pd.read_csv(shared_data / "peacesciencer" / "cow_igo_sy.csv")
    m = sy.merge(ref, on=["ccode", "year"])
    assert (m["igo_full"] == m["sum_igo_full"]).all()
    assert (m["igo_any"] == m["sum_igo_full"] + m["sum_igo_associate"]).all()


def test_symmetric_and_directed_agree(shared_data):
    d = add_igos(create_dyadyears(years="1960:1962", data_dir=shared_data), data_dir=shared_data, source="full")
    n = add_igos(create_dyadyears(years="1960:1962", directed=False, data_dir=shared_data), data_dir=shared_data,
                 source="full")
    back = d.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
    m = d.merge(back, on=["ccode1", "ccode2", "year"], suffixes=("", "_r"))
    for col in IGO_COLUMNS:
        assert (m[col] == m[col + "_r"]).all(), col
    both = n.merge(d, on=["ccode1", "ccode2", "year"], suffixes=("", "_d"))
    assert len(both) == len(n)
    for col in IGO_COLUMNS:
        assert (both[col] == both[col + "_d"]).all(), col


def test_nan_outside_coverage_and_mry(shared_data):
    panel = create_dyadyears(years="2013:2016", directed=False, data_dir=shared_data)
    out = add_igos(panel, data_dir=shared_data, source="full")
    assert out.loc[out.year <= 2014, "igo_joint_any"].notna().all()
    assert out.loc[out.year >= 2015, "igo_joint_any"].isna().all()
    assert out.attrs["columns"]["igo_joint_any"]["coverage"] == [1816, 2014]
    carried = add_igos(panel, data_dir=shared_data, source="full", mry=True)
    assert carried.attrs["mry"]["igo_joint_any"] is True
    a = carried[carried.year == 2016].set_index(["ccode1", "ccode2"])["igo_joint_any"]
    b = carried[carried.year == 2014].set_index(["ccode1", "ccode2"])["igo_joint_any"]
    common = a.index.intersection(b.index)
    assert np.array_equal(a[common].to_numpy(), b[common].to_numpy())
    assert "igo_joint_any" not in panel.columns  # input not mutated


def test_bad_input(shared_data):
    with pytest.raises(PanelTypeError, match="create_"):
        add_igos(pd.DataFrame({"ccode1": [2], "ccode2": [20], "year": [2000]}), data_dir=shared_data)
    panel = create_dyadyears(years=[2000], data_dir=shared_data)
    with pytest.raises(UnknownOptionError, match="split_membership"):
        add_igos(panel, data_dir=shared_data, split_membership="observer")
    with pytest.raises(UnknownOptionError, match="source"):
        add_igos(panel, data_dir=shared_data, source="internet")
