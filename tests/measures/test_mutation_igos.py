"""Joint IGO memberships (``add_igos`` and its helpers): cases that mutation testing showed the other
tests let through (see docs/development/mutation.md).

Covers ``add_igos`` on tiny made-up state-year and dyad-year panels with the embedded seed, and the
helpers ``security_flags``, ``_weights``, ``_membership``, ``_recorded``, ``recorded_states``,
``_coverage`` and ``_wanted_keys`` on tiny made-up inputs. The oracles never go through the code under
test: counts from a plain Python loop over the seed's membership table and IGO list
(``coalitionlab.data.seed.igo_membership_long`` / ``igo_list`` read directly), values written out by
hand, the exact error text written out, and recorders standing in for the source loaders.
"""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pandas as pd
import pytest

from coalitionlab.data import seed
from coalitionlab.errors import MissingDataError, PanelTypeError, StaleDataWarning, UnknownOptionError

igos = importlib.import_module("coalitionlab.measures.igos")
common = importlib.import_module("coalitionlab.measures._common")

KEYS = ["any", "full", "political", "social", "economic", "security", "nonsecurity"]
SEC_NAMES = {"anzus", "baltbat", "cento", "cica", "csto", "eapc", "iadefb", "icmmp", "idc", "mfo", "nato",
             "opanal", "osce", "recsa", "sco", "seato", "weu", "wpact", "wassen"}


# ---------------------------------------------------------------- brute-force oracle over the seed


def _seed_tables():
    return seed.igo_membership_long(), seed.igo_list()


_MEMO: dict = {}


def _oracle():
    """{(ccode, year): {org: status}} and the per-IGO flags, by a plain loop over the seed tables."""
    if not _MEMO:
        m, lst = _seed_tables()
        held: dict = {}
        for c, y, o, s in zip(m["ccode"].tolist(), m["year"].tolist(), m["ioname"].tolist(), m["status"].tolist()):
            held.setdefault((int(c), int(y)), {})[str(o)] = int(s)
        flags = {}
        for _, r in lst.iterrows():
            org = str(r["org"])
            flags[org] = {"political": int(r["political"]) > 0, "social": int(r["social"]) > 0,
                          "economic": int(r["economic"]) > 0,
                          "security": int(r["is_security"]) > 0 or org.lower() in SEC_NAMES}
        _MEMO["held"], _MEMO["flags"] = held, flags
    return _MEMO["held"], _MEMO["flags"]


def _expected(c1, c2, y, split="any"):
    """The seven counts of the pair (c1, c2) in year y (c1 == c2: own counts), by hand."""
    held, flags = _oracle()
    a, b = held.get((c1, y), {}), held.get((c2, y), {})
    out = dict.fromkeys(KEYS, 0)
    for org in a:
        if org not in b:
            continue
        sa, sb = a[org], b[org]
        if sa in (1, 2) and sb in (1, 2):
            out["any"] += 1
        if sa == 1 and sb == 1:
            out["full"] += 1
        base = (sa in (1, 2) and sb in (1, 2)) if split == "any" else (sa == 1 and sb == 1)
        if base:
            f = flags.get(org, {})
            for k in ("political", "social", "economic", "security"):
                if f.get(k, False):
                    out[k] += 1
            if not f.get("security", False):
                out["nonsecurity"] += 1
    return out


def _sy(rows):
    p = pd.DataFrame(rows, columns=["ccode", "year"])
    p.attrs["unit"] = "state_year"
    return p


def _dy(rows, directed=True):
    p = pd.DataFrame(rows, columns=["ccode1", "ccode2", "year"])
    p.attrs["unit"] = "dyad_year"
    p.attrs["directed"] = directed
    return p


def _run(panel, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return igos.add_igos(panel, source="seed", **kw)


def _vals(col):
    return [None if pd.isna(v) else int(v) for v in col]


# states with associate (status 2) memberships in the seed, to tell "any" from "full"
def _assoc_rows():
    m, _ = _seed_tables()
    s2 = m[m["status"] == 2]
    return sorted({(int(c), int(y)) for c, y in zip(s2["ccode"], s2["year"])})


# ---------------------------------------------------------------- add_igos


def test_state_year_counts_match_loop():
    """Catches any wrong own count, split, column name or order for state-years (split 'any')."""
    assoc = _assoc_rows()[:6]
    rows = [(2, 1950), (2, 1990), (255, 1991), (365, 1995), (200, 2000), (710, 2010), (20, 1960),
            (651, 1980), (2, 1945), (2, 2024)] + assoc
    p = _sy(rows)
    out = _run(p)
    assert list(out.columns) == ["ccode", "year"] + ["igo_" + k for k in KEYS]
    for k in KEYS:
        assert str(out["igo_" + k].dtype) == "Int16"
        assert _vals(out["igo_" + k]) == [_expected(c, c, y)[k] for c, y in rows], k
    assert out["ccode"].tolist() == [c for c, _ in rows]
    assert out.attrs["unit"] == "state_year"
    assert out.attrs["is_seed"] is True
    assert out.attrs["igo_split_membership"] == "any"
    assert out.attrs["existence_recorded"] == {"cow_igo": "system members on 31 December (seed)"}
    assert out.attrs["sources"] == {"cow_igo": seed.igo_membership_long().attrs["version"]}
    for k in KEYS:
        meta = out.attrs["columns"]["igo_" + k]
        assert meta["source"] == "cow_igo"
        assert list(meta["coverage"]) == [1945, 2024]
        assert meta["note"] == "splits count any membership"
        assert "gaps" not in meta
    assert "igo_any" not in p.columns  # a copy


def test_split_full_counts_match_loop():
    """Catches the splits ignoring split_membership='full' (or the wrong note / attr)."""
    assoc = _assoc_rows()
    rows = assoc[:10] + [(2, 1990), (255, 1991)]
    out = _run(_sy(rows), split_membership="full")
    for k in KEYS:
        assert _vals(out["igo_" + k]) == [_expected(c, c, y, "full")[k] for c, y in rows], k
    assert out.attrs["igo_split_membership"] == "full"
    assert out.attrs["columns"]["igo_any"]["note"] == "splits count full membership"
    # the oracle does tell the two apart on these rows
    assert any(_expected(c, c, y)["any"] != _expected(c, c, y)["full"] for c, y in rows)


def test_dyad_year_counts_match_loop():
    """Catches a wrong joint count (e.g. ccode2 read as ccode1) or column prefix for dyad-years."""
    rows = [(2, 20, 1990), (2, 200, 1991), (255, 2, 1991), (365, 2, 1995), (200, 220, 2000), (710, 2, 2010),
            (651, 2, 1980), (2, 651, 1980), (20, 2, 1950), (220, 255, 2005)]
    assoc = _assoc_rows()[:4]
    rows += [(c, 2, y) for c, y in assoc] + [(c, 200, y) for c, y in assoc]
    out = _run(_dy(rows))
    assert list(out.columns) == ["ccode1", "ccode2", "year"] + ["igo_joint_" + k for k in KEYS]
    for k in KEYS:
        assert str(out["igo_joint_" + k].dtype) == "Int16"
        assert _vals(out["igo_joint_" + k]) == [_expected(a, b, y)[k] for a, b, y in rows], k
    assert out.attrs["directed"] is True


def test_outside_years_and_unrecorded_are_na():
    """Catches 0 (not NA) outside 1945-2024, for an unrecorded state (260 in 1990) or a mixed panel."""
    rows = [(2, 1944), (2, 1990), (260, 1990), (2, 2030), (255, 1991), (260, 1989)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = igos.add_igos(_sy(rows), source="seed")  # years outside coverage are no gap: no warning
    for k in KEYS:
        exp = [None, _expected(2, 2, 1990)[k], None, None, _expected(255, 255, 1991)[k],
               _expected(260, 260, 1989)[k]]
        assert _vals(out["igo_" + k]) == exp, k
        assert str(out["igo_" + k].dtype) == "Int16"


def test_no_year_inside_all_na():
    """Catches a crash or 0 counts when no panel year is covered."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = igos.add_igos(_sy([(2, 1900), (20, 1901)]), source="seed", columns=["any", "social"])
    assert list(out.columns) == ["ccode", "year", "igo_any", "igo_social"]
    assert out["igo_any"].isna().all() and out["igo_social"].isna().all()
    assert str(out["igo_any"].dtype) == "Int16"


def test_mry_carries_last_year(monkeypatch):
    """Catches mry not reading 2024 for later years (or reading it without mry)."""
    rows = [(2, 2030), (255, 2026), (2, 2024)]
    real_finish = igos.finish
    looks = []

    def rec_finish(panel, new, attrs, **kw):
        looks.append((kw["look"].tolist(), kw["seed"], kw["data_dir"]))
        return real_finish(panel, new, attrs, **kw)

    monkeypatch.setattr(igos, "finish", rec_finish)
    out = _run(_sy(rows), mry=True)
    assert looks == [([2024, 2024, 2024], True, None)]
    for k in KEYS:
        assert _vals(out["igo_" + k]) == [_expected(c, c, 2024)[k] for c, _ in rows], k
    assert out.attrs["mry"] != {}
    out2 = _run(_sy(rows), mry=False)
    assert _vals(out2["igo_any"])[:2] == [None, None]


def test_columns_selection_and_order():
    """Catches columns= ignored, reordered, or other columns computed."""
    rows = [(2, 20, 1990), (255, 2, 1991)]
    out = _run(_dy(rows), columns=["igo_joint_security", "any", "nonsecurity"])
    assert list(out.columns) == ["ccode1", "ccode2", "year", "igo_joint_any", "igo_joint_security",
                                 "igo_joint_nonsecurity"]
    for k in ("any", "security", "nonsecurity"):
        assert _vals(out["igo_joint_" + k]) == [_expected(a, b, y)[k] for a, b, y in rows]
    assert set(out.attrs["columns"]) == {"igo_joint_any", "igo_joint_security", "igo_joint_nonsecurity"}
    # only nonsecurity wanted: its inputs are computed but not returned
    out = _run(_dy(rows), columns="nonsecurity")
    assert list(out.columns) == ["ccode1", "ccode2", "year", "igo_joint_nonsecurity"]
    assert _vals(out["igo_joint_nonsecurity"]) == [_expected(a, b, y)["nonsecurity"] for a, b, y in rows]
    out = _run(_sy([(2, 1990)]), columns=["full"], split_membership="full")
    assert _vals(out["igo_full"]) == [_expected(2, 2, 1990)["full"]]


def test_bad_options_raise():
    """Catches the panel / split_membership / column checks dropped or their messages changed."""
    with pytest.raises(PanelTypeError) as ei:
        igos.add_igos(pd.DataFrame({"ccode": [2], "year": [1990]}), source="seed")
    assert str(ei.value) == ("add_igos() needs a state_year or dyad_year panel, got attrs['unit']=None; "
                             "start with create_dyadyears()")
    with pytest.raises(UnknownOptionError) as ei:
        igos.add_igos(_sy([(2, 1990)]), source="seed", split_membership="half")
    assert str(ei.value) == "unknown split_membership 'half'; allowed: 'full', 'any'"
    with pytest.raises(UnknownOptionError, match="source"):
        igos.add_igos(_sy([(2, 1990)]), source="nope")
    with pytest.raises(UnknownOptionError, match=r"add_igos\(\) column"):
        igos.add_igos(_sy([(2, 1990)]), source="seed", columns=["igo_joint_any"])


def test_version_fallback_when_members_have_no_version(monkeypatch):
    """Catches the 'seed' fallback version string changed or dropped."""
    m = seed.igo_membership_long().copy()
    m.attrs = {}
    monkeypatch.setattr(igos, "_seed_members", lambda: m)
    out = _run(_sy([(2, 1990)]), columns=["any"])
    assert out.attrs["sources"] == {"cow_igo": "seed"}
    assert _vals(out["igo_any"]) == [_expected(2, 2, 1990)["any"]]


def test_area_list_lacks_flag_gives_na(monkeypatch):
    """Catches an area the IGO list does not flag returned as 0 instead of NA."""
    lst = seed.igo_list().drop(columns=["social"])
    monkeypatch.setattr(igos, "_seed_list", lambda: lst)
    out = _run(_sy([(2, 1990), (255, 1991)]))
    assert out["igo_social"].isna().all()
    assert str(out["igo_social"].dtype) == "Int16"
    assert _vals(out["igo_political"]) == [_expected(2, 2, 1990)["political"], _expected(255, 255, 1991)["political"]]


def test_made_up_membership_table(monkeypatch):
    """Catches wrong counts on a tiny hand-written table (status 3 ignored, associate vs full, flags)."""
    members = pd.DataFrame({"ccode": [2, 2, 2, 20, 20, 20, 2, 20],
                            "year": [2000, 2000, 2000, 2000, 2000, 2000, 2001, 2001],
                            "ioname": ["nato", "un", "oif", "nato", "un", "oif", "un", "un"],
                            "status": [1, 2, 1, 1, 1, 3, 1, 1]})
    members.attrs["version"] = "vX"
    lst = pd.DataFrame({"org": ["nato", "un", "oif"], "is_security": [0, 0, 0], "political": [1, 1, 0],
                        "economic": [0, 0, 1], "social": [0, 0, 1]})
    monkeypatch.setattr(igos, "_seed_members", lambda: members)
    monkeypatch.setattr(igos, "_seed_list", lambda: lst)
    monkeypatch.setattr(igos, "_coverage", lambda is_seed: (2000, 2001))
    out = _run(_dy([(2, 20, 2000), (20, 2, 2001), (2, 20, 2002)]))
    #            any  full  pol  soc  eco  sec  nonsec   (2000: nato both full, un 2 assoc / 20 full)
    exp = {"any": [2, 1, None], "full": [1, 1, None], "political": [2, 1, None], "social": [0, 0, None],
           "economic": [0, 0, None], "security": [1, 0, None], "nonsecurity": [1, 1, None]}
    for k in KEYS:
        assert _vals(out["igo_joint_" + k]) == exp[k], k
    assert out.attrs["sources"] == {"cow_igo": "vX"}
    assert list(out.attrs["columns"]["igo_joint_any"]["coverage"]) == [2000, 2001]


# ---------------------------------------------------------------- security_flags / _weights


def test_security_flags_by_name_and_column():
    """Catches the name list, case-folding, ioname/org choice, is_security coercion or index broken."""
    lst = pd.DataFrame({"ioname": ["NATO", "un", "wpact", "Foo", "Bar", "osce"],
                        "is_security": ["0", "1", None, "x", 2, 0], "org": ["a", "b", "c", "d", "e", "f"]})
    got = igos.security_flags(lst)
    assert got.name == "is_security"
    assert got.index.tolist() == ["NATO", "un", "wpact", "Foo", "Bar", "osce"]
    assert got.tolist() == [True, True, True, False, True, True]
    assert got.dtype == bool
    org = pd.DataFrame({"org": ["anzus", "un", 5]})
    got = igos.security_flags(org)
    assert got.index.tolist() == ["anzus", "un", "5"]
    assert got.tolist() == [True, False, False]
    every = igos.security_flags(pd.DataFrame({"ioname": list(igos.SECURITY_IGOS) + ["UN", "EU"]}))
    assert every.tolist() == [True] * 19 + [False, False]
    assert {s.lower() for s in igos.SECURITY_IGOS} == SEC_NAMES


def test_weights_by_hand():
    """Catches wrong area flags, reindexing, the 'org' rename or None for a missing area."""
    lst = pd.DataFrame({"org": ["b", "a", "c", "a", "nato"], "political": [1, "0", "x", 0, 0],
                        "economic": [0, 1, 0, 0, None], "is_security": [0, 1, 0, 0, 0]})
    w = igos._weights(lst, np.array(["a", "b", "c", "d", "nato"], dtype=object))
    assert set(w) == {"political", "social", "economic", "security"}
    assert w["political"].tolist() == [False, True, False, False, False]
    assert w["economic"].tolist() == [True, False, False, False, False]
    assert w["social"] is None
    assert w["security"].tolist() == [True, False, False, False, True]
    assert w["security"].dtype == bool and w["political"].dtype == bool
    lst2 = pd.DataFrame({"ioname": [1, 2], "org": ["x", "y"], "social": [1, 0], "political": [0, 2],
                         "economic": [2, 2]})
    w = igos._weights(lst2, np.array(["1", "2", "x"], dtype=object))
    assert w["social"].tolist() == [True, False, False]
    assert w["political"].tolist() == [False, True, False]
    assert w["economic"].tolist() == [True, True, False]
    assert w["security"].tolist() == [False, False, False]


# ---------------------------------------------------------------- _membership / _recorded / _coverage


def test_membership_seed_and_full(monkeypatch):
    """Catches the wrong loader, source name, 'what' text or list for seed and full sources."""
    calls = []
    members, sl, fl = pd.DataFrame({"a": [1]}), pd.DataFrame({"s": [1]}), pd.DataFrame({"f": [1]})

    def fake_resolve(name, data_dir, source, loader, *, what):
        calls.append((name, data_dir, source, loader, what))
        return members, source == "seed"

    def fake_load(name, data_dir):
        calls.append(("load", name, data_dir))
        return fl

    monkeypatch.setattr(igos, "resolve_source", fake_resolve)
    monkeypatch.setattr(igos, "_seed_list", lambda: sl)
    monkeypatch.setattr(common, "load_source", fake_load)
    got = igos._membership("D", "seed", "W()")
    assert got[0] is members and got[1] is sl and got[2] is True
    assert calls == [("cow_igo", "D", "seed", igos._seed_members, "W()")]
    calls.clear()
    got = igos._membership("E", "full", "X()")
    assert got[0] is members and got[1] is fl and got[2] is False
    assert calls == [("cow_igo", "E", "full", igos._seed_members, "X()"), ("load", "cow_igo_list", "E")]


def test_membership_real_seed():
    """Catches the seed loaders swapped."""
    m, lst, is_seed = igos._membership(None, "seed", "add_igos()")
    assert is_seed is True
    assert list(m.columns) == ["ccode", "year", "ioname", "status"] and len(m) == len(seed.igo_membership_long())
    assert "org" in lst.columns and len(lst) == len(seed.igo_list())


def test_coverage_by_hand():
    """Catches the wrong years for the seed (1945-2024) and the full source (1816-2014)."""
    assert igos._coverage(True) == (1945, 2024)
    assert igos._coverage(False) == (1816, 2014)
    assert all(type(v) is int for v in igos._coverage(True))


def test_recorded_seed():
    """Catches the seed roster rule (31 December members) or its None coverage changed."""
    sy, cov = igos._recorded(None, is_seed=True)
    assert cov is None
    got = igos.recorded_states(None, is_seed=True)
    pairs = [(2, 1990), (260, 1990), (260, 1989), (255, 1991), (255, 1990), (2, 2024), (255, 1989)]
    want = [True, False, True, True, True, True, False]
    for (c, y), w in zip(pairs, want):
        assert bool(sy(np.array([c]), np.array([y]))[0]) is w, (c, y)
        assert bool(got(np.array([c]), np.array([y]))[0]) is w, (c, y)


def test_recorded_full_missing_roster(monkeypatch):
    """Catches the MissingDataError text or the source name for the roster changed."""
    seen = []

    def fake_load(name, data_dir):
        seen.append((name, data_dir))
        raise MissingDataError("gone")

    monkeypatch.setattr(common, "load_source", fake_load)
    with pytest.raises(MissingDataError) as ei:
        igos.recorded_states("DD", is_seed=False)
    assert str(ei.value) == (
        "add_igos() needs COW IGO's state-year roster (source 'cow_igo_roster', "
        "cow_igo/state_year_formatv3.csv.gz) to tell a state COW IGO does not record (NaN) from one in no IGO "
        "(0); gone")
    assert ei.value.__cause__ is None and ei.value.__suppress_context__ is True
    assert seen == [("cow_igo_roster", "DD")]


def test_recorded_full_fake_roster(monkeypatch, shared_data):
    """Catches the roster's ccode/year columns, universe or coverage mixed up."""
    roster = pd.DataFrame({"ccode": [2, 2, 20], "year": [1990, 1992, 1990]})
    seen = []

    real = common.load_source

    def fake_load(name, data_dir):
        seen.append(name)
        return roster if name == "cow_igo_roster" else real(name, data_dir)

    monkeypatch.setattr(common, "load_source", fake_load)
    sy, cov = igos._recorded(shared_data, is_seed=False)
    assert seen[0] == "cow_igo_roster"
    c = np.array([2, 2, 20, 20, 2, 255])
    y = np.array([1990, 1991, 1990, 1991, 1992, 1990])
    assert sy(c, y).tolist() == [True, False, True, False, True, False]
    assert sy.known(np.array([2, 255, 20, 1])).tolist() == [True, True, True, False]  # universe: all COW states
    assert cov is not None and cov.source == "cow_igo_roster"
    assert (cov.first, cov.last, cov.gaps.tolist()) == (1990, 1992, [1991])


# ---------------------------------------------------------------- _wanted_keys


def test_wanted_keys_by_hand():
    """Catches the default list, prefix stripping, str handling, order or the error checks changed."""
    assert igos._wanted_keys(None, "igo_") == KEYS
    assert igos._wanted_keys("any", "igo_") == ["any"]
    assert igos._wanted_keys("igo_joint_full", "igo_joint_") == ["full"]
    assert igos._wanted_keys(["igo_nonsecurity", "social", "igo_any", "any"], "igo_") == ["any", "social",
                                                                                          "nonsecurity"]
    assert igos._wanted_keys(iter(["economic", "political"]), "igo_joint_") == ["political", "economic"]
    short = "'any', 'full', 'political', 'social', 'economic', 'security', 'nonsecurity'"
    long_ = ", ".join(f"'igo_{k}'" for k in KEYS)
    with pytest.raises(UnknownOptionError) as ei:
        igos._wanted_keys(["igo_joint_any"], "igo_")
    assert str(ei.value) == f"unknown add_igos() column 'igo_joint_any'; allowed: {long_}, {short}"
    with pytest.raises(UnknownOptionError, match=r"add_igos\(\) column"):
        igos._wanted_keys(["bogus"], "igo_joint_")
    with pytest.raises(UnknownOptionError) as ei:
        igos._wanted_keys([], "igo_")
    assert str(ei.value) == f"unknown add_igos() column (none given) ''; allowed: {long_}"
    with pytest.raises(UnknownOptionError):
        igos._wanted_keys([3], "igo_")


def test_gap_year_warns_and_is_na(monkeypatch):
    """Catches a gap year (no rows) read as 0, not warned about, or missing from attrs gaps."""
    members = pd.DataFrame({"ccode": [2, 20, 2, 20], "year": [2000, 2000, 2002, 2002],
                            "ioname": ["un", "un", "un", "un"], "status": [1, 1, 1, 1]})
    lst = pd.DataFrame({"org": ["un"], "is_security": [0], "political": [1], "economic": [0], "social": [0]})
    monkeypatch.setattr(igos, "_seed_members", lambda: members)
    monkeypatch.setattr(igos, "_seed_list", lambda: lst)
    monkeypatch.setattr(igos, "_coverage", lambda is_seed: (2000, 2002))
    with pytest.warns(StaleDataWarning) as rec:
        out = igos.add_igos(_dy([(2, 20, 2000), (2, 20, 2001), (20, 2, 2002)]), source="seed",
                            columns=["any", "political"])
    assert len(rec) == 1
    assert str(rec[0].message).startswith("add_igos(): source 'cow_igo' has no rows for 2001")
    assert _vals(out["igo_joint_any"]) == [1, None, 1]
    assert _vals(out["igo_joint_political"]) == [1, None, 1]
    assert list(out.attrs["columns"]["igo_joint_any"]["gaps"]) == [2001]
    assert list(out.attrs["columns"]["igo_joint_any"]["coverage"]) == [2000, 2002]
    # rows outside first, then pairs that differ: i and j must be cut to the same rows
    with pytest.warns(StaleDataWarning):
        out = igos.add_igos(_dy([(2, 20, 1999), (20, 30, 2001), (2, 30, 2000), (2, 20, 2000)]), source="seed",
                            columns=["any"])
    assert _vals(out["igo_joint_any"]) == [None, None, 0, 1]


def test_full_source_path_with_fakes(monkeypatch, shared_data):
    """Catches the full-source branch: wrong loader arguments, version fallback, roster warning/gaps,
    existence note, data_dir or seed flag passed on."""
    from coalitionlab.measures._common import StateYears, YearCoverage

    members = pd.DataFrame({"ccode": [2, 20, 2, 20, 2, 20], "year": [2000, 2000, 2001, 2001, 2002, 2002],
                            "ioname": ["NATO"] * 6, "status": [1, 2, 1, 1, 1, 1]})
    lst = pd.DataFrame({"ioname": ["NATO"], "political": [1], "social": [0], "economic": [0]})
    calls = []

    def fake_membership(data_dir, source, what):
        calls.append(("m", data_dir, source, what))
        return members, lst, False

    def fake_recorded(data_dir, *, is_seed):
        calls.append(("r", data_dir, is_seed))
        return (StateYears([2, 20, 2, 20], [2000, 2000, 2002, 2002], universe=[2, 20]),
                YearCoverage("cow_igo_roster", np.array([2000, 2002]), 1816, 2014))

    real_finish = igos.finish
    fin = []

    def rec_finish(panel, new, attrs, **kw):
        fin.append((panel, sorted(new), kw))
        return real_finish(panel, new, attrs, **kw)

    monkeypatch.setattr(igos, "_membership", fake_membership)
    monkeypatch.setattr(igos, "_recorded", fake_recorded)
    monkeypatch.setattr(igos, "finish", rec_finish)
    panel = _dy([(2, 20, 2000), (20, 2, 2001), (2, 20, 2002)])
    with pytest.warns(StaleDataWarning) as rec:
        out = igos.add_igos(panel, data_dir=shared_data, source="full")
    assert calls == [("m", shared_data, "full", "add_igos()"), ("r", shared_data, False)]
    (f_panel, f_new, f_kw), = fin
    assert f_panel is panel and f_new == sorted("igo_joint_" + k for k in KEYS)
    assert set(f_kw) == {"data_dir", "seed", "recorded", "look", "owned"}
    assert f_kw["data_dir"] is shared_data and f_kw["seed"] is False and f_kw["owned"] is True
    assert f_kw["look"].tolist() == [2000, 2001, 2002]
    assert f_kw["recorded"](np.array([2, 2]), np.array([2000, 2001])).tolist() == [True, False]
    assert [str(w.message)[:56] for w in rec] == ["add_igos(): source 'cow_igo_roster' has no rows for 2001"]
    exp = {"any": [1, None, 1], "full": [0, None, 1], "political": [1, None, 1], "social": [0, None, 0],
           "economic": [0, None, 0], "security": [1, None, 1], "nonsecurity": [0, None, 0]}
    for k in KEYS:
        assert _vals(out["igo_joint_" + k]) == exp[k], k
    assert out.attrs["sources"] == {"cow_igo": "unknown"}
    assert out.attrs["is_seed"] is False
    assert out.attrs["existence_recorded"] == {"cow_igo": "COW IGO state-year roster (cow_igo_roster)"}
    meta = out.attrs["columns"]["igo_joint_any"]
    assert list(meta["coverage"]) == [2000, 2002] and list(meta["gaps"]) == [2001]


def test_default_source_is_auto(monkeypatch):
    """Catches the default source changed from 'auto' (falls back to the seed with a SeedDataWarning)."""
    from coalitionlab.errors import SeedDataWarning

    monkeypatch.delenv("COALITIONLAB_DATA", raising=False)
    with pytest.warns(SeedDataWarning, match=r"add_igos\(\): source 'cow_igo' not found"):
        out = igos.add_igos(_sy([(2, 1990)]), columns=["any"])
    assert _vals(out["igo_any"]) == [_expected(2, 2, 1990)["any"]]


def test_recorded_calls_system_members(monkeypatch):
    """Catches the seed's roster rule (seed=True, rule='dec31') or the full universe's data_dir changed."""
    calls = []

    class Fake:
        codes = np.array([2, 20, 255])

    def fake_members(*args, **kw):
        calls.append((args, kw))
        return Fake()

    monkeypatch.setattr(igos, "system_members", fake_members)
    got, cov = igos._recorded("D1", is_seed=True)
    assert isinstance(got, Fake) and cov is None
    assert calls == [((), {"seed": True, "rule": "dec31"})]
    calls.clear()
    monkeypatch.setattr(common, "load_source",
                        lambda name, data_dir: pd.DataFrame({"ccode": [2], "year": [1990]}))
    sy, cov = igos._recorded("D2", is_seed=False)
    assert calls == [(("D2",), {})]
    assert sy.known(np.array([255, 20, 300])).tolist() == [True, True, False]


def test_memory_helpers_get_panel_length(monkeypatch):
    """Catches one_arrow_thread / release_memory called without the panel's length (they then always act)."""
    import contextlib

    calls = []

    @contextlib.contextmanager
    def fake_thread(rows=None):
        calls.append(("thread", rows))
        yield

    monkeypatch.setattr(igos, "one_arrow_thread", fake_thread)
    monkeypatch.setattr(igos, "release_memory", lambda rows=None: calls.append(("release", rows)))
    out = _run(_sy([(2, 1990), (20, 1991), (255, 1992)]), columns=["any"])
    assert calls == [("thread", 3), ("release", 3), ("release", 3)]
    assert _vals(out["igo_any"]) == [_expected(c, c, y)["any"] for c, y in [(2, 1990), (20, 1991), (255, 1992)]]
