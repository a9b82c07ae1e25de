"""add_igos and add_alliances on a real-data slice against plain pandas merges and group counts.

The oracle never calls the code under test: joint IGO counts are a self-merge of the COW IGO
membership table on (year, IGO) counted per pair; the ATOP flags a left merge of the ATOP 5.1
dyad-year file; the shared-alliance counts the rows of ``shared_alliance_table`` in force in each
year, counted with a groupby. Years: a 19th-century one, the Cold War, the 1990 unification (West
Germany and the two Yemens are not in COW IGO's roster) and a recent year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coalitionlab.data import load
from coalitionlab.errors import UnknownOptionError
from coalitionlab.measures import add_alliances, add_igos, create_dyadyears, create_stateyears
from coalitionlab.measures.alliances import ATOP_FLAGS, shared_alliance_table
from coalitionlab.measures.igos import IGO_COLUMNS, SECURITY_IGOS

YEARS = [1880, 1962, 1990, 2008]
KEY = ["ccode1", "ccode2", "year"]


@pytest.fixture(scope="module")
def panel(shared_data):
    years = ",".join(map(str, YEARS))
    dy = create_dyadyears(years=years, directed=True, data_dir=shared_data)
    assert sorted(dy["year"].unique()) == YEARS
    return dy


def _igo_oracle(shared_data, dy: pd.DataFrame) -> pd.DataFrame:
    m = load("cow_igo", shared_data)
    m = m[m["year"].isin(YEARS) & m["status"].isin([1, 2])][["ccode", "year", "ioname", "status"]]
    lst = load("cow_igo_list", shared_data)[["ioname", "political", "social", "economic"]]
    lst = lst.assign(security=lst["ioname"].str.lower().isin([s.lower() for s in SECURITY_IGOS]).astype(int))
    pairs = m.merge(m, on=["year", "ioname"], suffixes=("1", "2")).merge(lst, on="ioname", how="left")
    pairs = pairs.assign(any=1, full=((pairs["status1"] == 1) & (pairs["status2"] == 1)).astype(int),
                         nonsecurity=1 - pairs["security"])  # each joint IGO counted in one part, directly
    cols = ["any", "full", "political", "social", "economic", "security"]
    counts = pairs.groupby(KEY)[cols + ["nonsecurity"]].sum().reset_index()
    out = dy[KEY].merge(counts, on=KEY, how="left")
    out[cols + ["nonsecurity"]] = out[cols + ["nonsecurity"]].fillna(0)
    # NaN where COW IGO's state-year roster does not record a state (every panel state is a system member)
    roster = load("cow_igo_roster", shared_data)[["ccode", "year"]].assign(rec=True)
    rec1 = out[["ccode1", "year"]].merge(roster, left_on=["ccode1", "year"], right_on=["ccode", "year"], how="left")
    rec2 = out[["ccode2", "year"]].merge(roster, left_on=["ccode2", "year"], right_on=["ccode", "year"], how="left")
    known = rec1["rec"].fillna(False).to_numpy(bool) & rec2["rec"].fillna(False).to_numpy(bool)
    out.loc[~known, cols + ["nonsecurity"]] = np.nan
    return out.rename(columns={c: f"igo_joint_{c}" for c in cols + ["nonsecurity"]})


def test_igo_columns_equal_a_pandas_self_merge(shared_data, panel):
    got = add_igos(panel, data_dir=shared_data, source="full")
    want = _igo_oracle(shared_data, panel)
    assert list(got.columns) == [*panel.columns, *IGO_COLUMNS]
    for col in IGO_COLUMNS:
        np.testing.assert_array_equal(got[col].to_numpy(), want[col].to_numpy(), err_msg=col)
    assert got.loc[got["year"] == 1990, "igo_joint_any"].isna().any()  # the unification year's gaps
    assert (got["igo_joint_any"] > 0).mean() > 0.5  # the slice is not trivially all zero


def test_igo_column_subset_is_the_same_numbers(shared_data, panel):
    full = add_igos(panel, data_dir=shared_data, source="full")
    for pick in (["igo_joint_any"], ["igo_joint_full"], ["nonsecurity", "political"], ["igo_joint_security"]):
        got = add_igos(panel, data_dir=shared_data, source="full", columns=pick)
        names = [c for c in IGO_COLUMNS if c in {p if p.startswith("igo_") else f"igo_joint_{p}" for p in pick}]
        assert list(got.columns) == [*panel.columns, *names]
        pd.testing.assert_frame_equal(got, full[[*panel.columns, *names]], check_like=False)
    sy = create_stateyears(years="1990,2008", data_dir=shared_data)
    one = add_igos(sy, data_dir=shared_data, source="full", columns=["igo_any"])
    assert list(one.columns) == [*sy.columns, "igo_any"]
    pd.testing.assert_series_equal(one["igo_any"], add_igos(sy, data_dir=shared_data, source="full")["igo_any"])
    with pytest.raises(UnknownOptionError, match="igo_joint_anything"):
        add_igos(panel, data_dir=shared_data, source="full", columns=["igo_joint_anything"])
    with pytest.raises(UnknownOptionError):
        add_igos(panel, data_dir=shared_data, source="full", columns=[])


def test_atop_columns_equal_a_pandas_merge(shared_data, panel):
    got = add_alliances(panel, data_dir=shared_data)
    atop = load("atop_dyads", shared_data)[KEY + list(ATOP_FLAGS)]
    want = panel[KEY].merge(atop, on=KEY, how="left").fillna(0)  # all slice years inside 1815-2018
    for col in ATOP_FLAGS:
        np.testing.assert_array_equal(got[col].to_numpy(), want[col].to_numpy(dtype=float), err_msg=col)
    np.testing.assert_array_equal(got["atop_any"].to_numpy(), want[list(ATOP_FLAGS)].max(axis=1).to_numpy(float))
    assert got["atop_defense"].sum() > 100
    # shared alliances: rows of the pair table in force in the year, counted per unordered pair
    pairs = shared_alliance_table(load("atop_members", shared_data))
    rows = []
    for y in YEARS:
        on = pairs[(pairs["start"] <= y) & (pairs["end"].isna() | (pairs["end"] > y))]
        c = on.groupby(["ccode1", "ccode2"]).agg(atop_alliances=("atopid", "size"),
                                                atop_defense_pacts=("defense", lambda d: int((d > 0).sum())))
        rows.append(c.reset_index().assign(year=y))
    counts = pd.concat(rows)
    flipped = counts.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
    sym = pd.concat([counts, flipped])
    want = panel[KEY].merge(sym, on=KEY, how="left").fillna(0)
    for col in ("atop_alliances", "atop_defense_pacts"):
        np.testing.assert_array_equal(got[col].to_numpy(), want[col].to_numpy(dtype=float), err_msg=col)
    assert got["atop_alliances"].max() > 3


def test_flags_only_and_input_untouched(shared_data, panel):
    before = panel.copy(deep=True)
    flags = add_alliances(panel, data_dir=shared_data, counts=False)
    full = add_alliances(panel, data_dir=shared_data)
    pd.testing.assert_frame_equal(flags, full.drop(columns=["atop_alliances", "atop_defense_pacts"]))
    pd.testing.assert_frame_equal(panel, before)  # the input panel is never changed
    flags.loc[flags.index[0], "atop_defense"] = 99.0  # nor is the other result (no shared arrays)
    assert full["atop_defense"].iloc[0] != 99.0


def test_flags_that_are_not_0_1_are_looked_up_as_they_are(shared_data, panel, monkeypatch):
    """A flag outside 0/1 cannot be packed into bits: it is looked up (and kept) as it is."""
    import coalitionlab.measures.alliances as alliances

    atop = load("atop_dyads", shared_data)
    row = atop[atop["year"] == 1962].iloc[0]
    odd = atop.copy()
    odd.loc[row.name, "atop_consul"] = 2
    real = alliances.load_source
    monkeypatch.setattr(alliances, "load_source", lambda name, d: odd if name == "atop_dyads" else real(name, d))
    got = add_alliances(panel, data_dir=shared_data, counts=False)
    hit = (got["ccode1"] == row["ccode1"]) & (got["ccode2"] == row["ccode2"]) & (got["year"] == 1962)
    assert hit.sum() == 1 and got.loc[hit, "atop_consul"].item() == 2.0
    assert got.loc[hit, "atop_any"].item() == 2.0
    monkeypatch.setattr(alliances, "load_source", real)
    packed = add_alliances(panel, data_dir=shared_data, counts=False)
    assert got["atop_defense"].dtype == "float64" and packed["atop_defense"].dtype == "Int8"  # same numbers
    as_float = {c: "float64" for c in (*ATOP_FLAGS, "atop_any")}
    pd.testing.assert_frame_equal(got.loc[~hit], packed.loc[~hit].astype(as_float))


def test_counts_and_flags_are_compact_nullable_columns(shared_data):
    """IGO and ATOP columns are nullable Int16 counts and Int8 flags: missing is <NA> where the float64
    version (built here from the same numbers by hand) is NaN, never 0; each column owns its mask."""
    dy = create_dyadyears(years="1989:1991,2014:2016", directed=True, data_dir=shared_data)
    got = add_alliances(add_igos(dy, data_dir=shared_data, source="full"), data_dir=shared_data)
    for col in IGO_COLUMNS:
        assert got[col].dtype == "Int16", col
    for col in ("atop_alliances", "atop_defense_pacts"):
        assert got[col].dtype == "Int16", col
    for col in (*ATOP_FLAGS, "atop_any"):
        assert got[col].dtype == "Int8", col
    # IGO counts are missing after COW IGO's last year (2014) and for the 1990 gaps; never 0 there
    igo = got["igo_joint_any"]
    assert igo[got["year"] > 2014].isna().all() and not igo[got["year"] == 2014].isna().any()
    left = [260, 265, 678, 680]  # West and East Germany, the two Yemens: not in COW IGO's 1990 roster
    lost = (got["year"] == 1990) & (got["ccode1"].isin(left) | got["ccode2"].isin(left))
    assert igo[lost].isna().all() and igo[lost].count() == 0
    # ATOP v4.01 (counts) ends in 2016 and ATOP 5.1 (flags) in 2018: all present in these years
    assert not got["atop_defense"].isna().any() and not got["atop_alliances"].isna().any()
    as_float = got["igo_joint_any"].to_numpy(dtype="float64", na_value=np.nan)
    assert np.array_equal(np.isnan(as_float), igo.isna().to_numpy())
    # a value written into one column does not leak into another (no shared masks or values)
    first = got.index[0]
    got.loc[first, "igo_joint_full"] = pd.NA
    assert pd.isna(got.loc[first, "igo_joint_full"]) and not pd.isna(got.loc[first, "igo_joint_any"])
    masks = [got[c].array._mask for c in (*IGO_COLUMNS, *ATOP_FLAGS, "atop_any")]
    assert all(not np.shares_memory(a, b) for k, a in enumerate(masks) for b in masks[k + 1:])


def test_packed_counts_equal_per_year_sparse_products():
    """Synthetic memberships with a duplicated row (a count of 2) and 3,000 IGOs, so the packed
    fields need more than 53 bits and are split over several products; the oracle is one scipy
    sparse product per year and measure (``igo_cubes``, not used by ``add_igos``)."""
    from coalitionlab.measures._common import CcodeIndex
    from coalitionlab.measures.igos import _memberships, _pair_counts, igo_cubes

    rng = np.random.default_rng(7)
    n = 20_000
    members = pd.DataFrame({"ccode": rng.choice([2, 20, 200, 220, 255, 365, 710, 740], n),
                            "year": rng.integers(1990, 1995, n),
                            "ioname": [f"IGO{k}" for k in rng.integers(0, 3000, n)],
                            "status": rng.choice([1, 2, 3], n)})
    members = pd.concat([members, members.iloc[:5]], ignore_index=True)  # duplicated rows
    names = sorted(set(members["ioname"]))
    igo_list = pd.DataFrame({"ioname": names, "political": rng.integers(0, 2, len(names)),
                             "social": rng.integers(0, 2, len(names)), "economic": rng.integers(0, 2, len(names))})
    igo_list.loc[:40, "ioname"] = list(SECURITY_IGOS) * 2 + list(SECURITY_IGOS)[:3]
    index = CcodeIndex(members["ccode"].unique())
    t, i, j = np.meshgrid(np.arange(5), np.arange(len(index)), np.arange(len(index)), indexing="ij")
    t, i, j = t.ravel(), i.ravel(), j.ravel()
    for split in ("any", "full"):
        cubes, y0 = igo_cubes(members, igo_list, np.arange(1990, 1995), index, split_membership=split)
        assert y0 == 1990
        got = _pair_counts(_memberships(members, index, 1990, 1994), igo_list, index, 1990, 1994, t, i, j,
                           {"any", "full", "political", "social", "economic", "security", "nonsecurity"}, split)
        for name, cube in cubes.items():
            np.testing.assert_array_equal(got[name], cube[t, i, j], err_msg=f"{split} {name}")
        assert cubes["any"].max() > 300  # wide fields: more than one product per year


def test_member_mask_table_path_equals_row_lookups(shared_data):
    """member_mask's (ccode x year) table gives the same answer as four row-by-row lookups,
    for COW codes around 1990 (Germany, Yemen) and for random codes and years off the lists."""
    from coalitionlab.measures._common import member_mask, system_members
    from coalitionlab.measures.igos import recorded_states

    rng = np.random.default_rng(3)
    n = 50_000
    c1, c2, y = rng.integers(0, 1000, n), rng.integers(0, 1000, n), rng.integers(1750, 2040, n)
    near = rng.choice([2, 255, 260, 265, 678, 679, 680, 365], (2, 2000))
    c1[:2000], c2[:2000], y[:2000] = near[0], near[1], rng.integers(1985, 1995, 2000)
    system, rec = system_members(shared_data), recorded_states(shared_data, is_seed=False)
    slow = system.allows(c1, y) & system.allows(c2, y) & rec.allows(c1, y) & rec.allows(c2, y)
    fast = member_mask(c1, c2, y, data_dir=shared_data, recorded=rec)
    np.testing.assert_array_equal(fast, slow)
    assert 0.05 < (~fast[:2000]).mean() < 0.95  # both answers occur among the 1990 codes
    np.testing.assert_array_equal(member_mask(c1, c1, y, data_dir=shared_data), system.allows(c1, y))


@pytest.mark.parametrize("dtype", ["str", object])
def test_igo_names_are_coded_as_pandas_factorize_does(dtype):
    """The IGO codes of the selected rows and the sorted names equal ``pd.factorize(sort=True)``, for
    pyarrow-held names (pandas' default string dtype), an object column and one with a missing name."""
    from coalitionlab.measures.igos import _factorize_names

    rng = np.random.default_rng(11)
    pool = ["NATO", "WEU", "OSCE", "Wassen", "ÉCOWAS", "aseAN", "IMF", "EU", "OAS", "UN"]
    names = pd.Series(rng.choice(pool, 5_000), dtype=dtype)
    sel = rng.random(5_000) < 0.6
    sel[names.to_numpy() == "UN"] = False  # a name no selected row uses is left out
    for col in (names, names.where(np.arange(5_000) != 3)):  # the second has a missing name
        codes, uniques = _factorize_names(col, sel)
        want_codes, want_uniques = pd.factorize(col[sel].astype(str), sort=True)
        np.testing.assert_array_equal(codes, want_codes)
        assert list(uniques) == list(want_uniques) and "UN" not in list(uniques)
