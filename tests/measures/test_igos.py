"""Joint IGO memberships against peacesciencer's cow_igo_ndy and the COW state-year counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coalitionlab.errors import PanelTypeError, UnknownOptionError
from coalitionlab.measures import add_igos, create_dyadyears, create_stateyears
from coalitionlab.measures.igos import IGO_COLUMNS, SECURITY_IGOS


@pytest.fixture(scope="module")
def nd_igos(shared_data):
    return add_igos(create_dyadyears(years="1816:2014", directed=False, data_dir=shared_data), data_dir=shared_data,
                    source="full")


def test_joint_igos_match_peacesciencer(shared_data, nd_igos):
    ref = pd.read_csv(shared_data / "peacesciencer" / "cow_igo_ndy.csv.gz")
    # every dyad-year of our panel, with peacesciencer's value or NA where cow_igo_ndy has no row (as
    # peacesciencer's add_cow_igo() leaves it after its left join)
    m = nd_igos.merge(ref, on=["ccode1", "ccode2", "year"], how="left")
    assert len(m) == len(nd_igos) == 918_315
    assert m["ccode1"].lt(m["ccode2"]).all() and m["year"].between(1816, 2014).all()
    assert len(m) - m["dyadigos"].isna().sum() > 0.99 * len(ref)  # absent: states' partial last years
    ours_na, theirs_na = m["igo_joint_any"].isna(), m["dyadigos"].isna()
    print(f"\nNaN in igo_joint_any: {ours_na.sum():,} dyad-years; NA in cow_igo_ndy (no row): {theirs_na.sum():,}; "
          f"positions differ on {(ours_na != theirs_na).sum()}")
    print(m.loc[ours_na != theirs_na, ["ccode1", "ccode2", "year", "igo_joint_any", "dyadigos"]].head(20).to_string())
    assert (ours_na == theirs_na).all()  # NaN exactly where peacesciencer has NA
    assert theirs_na.sum() == 642  # 1990: 260, 265, 678, 680 with each of the other states
    both = m[~theirs_na]
    equal = both["igo_joint_any"] == both["dyadigos"]
    bad = both.loc[~equal, ["ccode1", "ccode2", "year", "igo_joint_any", "dyadigos"]]
    print(f"igo_joint_any == cow_igo_ndy.dyadigos on {equal.mean():.4%} of {len(both):,} dyad-years; {len(bad)} differ")
    print(bad.head(20).to_string())
    full_share = (both["igo_joint_full"] == both["dyadigos"]).mean()
    print(f"igo_joint_full (status 1 only) equals dyadigos on {full_share:.4%} (it is lower after 2000, "
          "where associate memberships grow)")
    assert equal.all()
    assert (both["igo_joint_full"] <= both["igo_joint_any"]).all()
    assert full_share < 1  # the two definitions differ in the data


def test_splits_add_up(shared_data, nd_igos):
    # the 642 dyad-years of states COW IGO does not record (1990: 260, 265, 678, 680) are NaN in every
    # column (test_existence.py)
    missing = nd_igos["igo_joint_any"].isna()
    assert nd_igos.loc[missing, list(IGO_COLUMNS)].isna().all().all()
    assert missing.sum() == 642
    d = nd_igos[~missing]
    # the security and non-security counts each from COW's state-year table (one column per IGO) as matrix
    # products of 0/1 membership matrices: M_s M_s' over the security IGOs (SECURITY_IGOS, the documented
    # list), M_n M_n' over all the others, never one as the other's complement (the code's definition)
    wide = pd.read_csv(shared_data / "cow_igo" / "state_year_formatv3.csv.gz")
    security = {s.lower() for s in SECURITY_IGOS}
    igo_cols = [c for c in wide.columns if c not in ("ccode", "year", "state")]
    assert security <= set(igo_cols)
    for year in (1955, 1985, 2003):
        w = wide[wide["year"] == year].set_index("ccode")
        member = w[igo_cols].isin([1, 2]).astype(int)
        sec = member[[c for c in igo_cols if c in security]].to_numpy()
        non = member[[c for c in igo_cols if c not in security]].to_numpy()
        codes = member.index.to_numpy()
        got = d[d["year"] == year]
        i, j = np.searchsorted(codes, got["ccode1"]), np.searchsorted(codes, got["ccode2"])
        assert (codes[i] == got["ccode1"].to_numpy()).all() and (codes[j] == got["ccode2"].to_numpy()).all()
        np.testing.assert_array_equal(got["igo_joint_security"].to_numpy(), (sec @ sec.T)[i, j], err_msg=str(year))
        np.testing.assert_array_equal(got["igo_joint_nonsecurity"].to_numpy(), (non @ non.T)[i, j], err_msg=str(year))
        assert (got["igo_joint_security"] > 0).any()
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
