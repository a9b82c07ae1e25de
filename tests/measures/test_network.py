"""The tie network (all-pairs embeddedness), tie strength and brokers.

Oracles: ``embeddedness()`` itself for the all-pairs counts (one call per state k, a different code
path: count queries per pair where the matrix uses one sparse product per component), brute force
over every third state for the broker, and hand computation for the strength scale.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from coalitionlab.errors import (
    CoverageError,
    MissingDataError,
    MissingValueWarning,
    PanelTypeError,
    SeedDataWarning,
    UnknownCountryError,
)
from coalitionlab.measures import (
    TIE_SCALE,
    add_brokers,
    broker_scores,
    brokers,
    embeddedness,
    tie_matrices,
    tie_matrix,
    tie_strength,
)


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def assert_row_equals_embeddedness(mats: dict, total: pd.DataFrame, emb: pd.DataFrame, k: int) -> None:
    """Row k of each matrix (and of the total) equals embeddedness(k)'s column, NaN where it is NaN."""
    e = emb.set_index("ccode")
    assert set(total.index) - {k} == set(e.index), k
    for name, m in [*mats.items(), ("embeddedness", total)]:
        got = m.loc[k].drop(k).reindex(e.index).to_numpy()
        want = e[name].to_numpy("float64")
        assert np.array_equal(np.isnan(got), np.isnan(want)), (k, name)
        assert np.array_equal(got[~np.isnan(got)], want[~np.isnan(want)]), (k, name)


def brute_force_brokers(counts: pd.DataFrame, lead: int, scale: float = TIE_SCALE, threshold: float = 0.5) -> dict:
    """For each candidate j: (best product, its k, number of k with both strengths >= threshold, direct)."""
    codes = [int(c) for c in counts.index]
    m = counts.to_numpy("float64").tolist()
    pos = {c: i for i, c in enumerate(codes)}
    li = pos[lead]
    out = {}
    for j in codes:
        if j == lead:
            continue
        ji = pos[j]
        best, best_k, n, any_path = -1.0, None, 0, False
        for k in codes:  # ascending ccodes: the first maximum is the lowest ccode
            if k in (lead, j):
                continue
            a, b = m[li][pos[k]], m[pos[k]][ji]
            if math.isnan(a) or math.isnan(b):
                continue
            sa, sb = 1 - math.exp(-a / scale), 1 - math.exp(-b / scale)
            any_path = True
            if sa * sb > best:
                best, best_k = sa * sb, k
            n += sa >= threshold and sb >= threshold
        d = m[li][ji]
        out[j] = (best if any_path else math.nan, best_k if any_path and best > 0 else None,
                  n if any_path else None, math.nan if math.isnan(d) else 1 - math.exp(-d / scale))
    return out


def assert_matches_brute_force(got: pd.DataFrame, want: dict) -> None:
    g = got.set_index("ccode")
    assert set(g.index) == set(want)
    for j, (best, k, n, direct) in want.items():
        row = g.loc[j]
        if math.isnan(best):
            assert pd.isna(row["broker"]) and pd.isna(row["broker_ccode"]) and pd.isna(row["n_brokers"]), j
        else:
            assert row["broker"] == pytest.approx(best, abs=1e-12), j
            assert (pd.isna(row["broker_ccode"]) if k is None else row["broker_ccode"] == k), j
            assert row["n_brokers"] == n, j
        assert (math.isnan(direct) and pd.isna(row["direct"])) or row["direct"] == pytest.approx(direct), j


# ---------------------------------------------------------------- the strength scale


def test_tie_strength_by_hand():
    assert tie_strength(0) == 0.0
    assert tie_strength(TIE_SCALE) == pytest.approx(1 - 1 / math.e)
    assert TIE_SCALE == 55.0  # the 90th percentile of the positive totals of the participation panel
    assert tie_strength(55) == pytest.approx(1 - math.exp(-1))
    assert tie_strength(33) == pytest.approx(1 - math.exp(-33 / 55))  # the USA's median partner in 2003
    assert abs(tie_strength(33) - 0.4512) < 1e-4
    assert tie_strength(10, scale=10) == pytest.approx(0.6321205588)
    v = tie_strength(np.array([0.0, 1, 5, 50, 500, 1500, np.nan]))  # beyond ~2,020 ties s rounds to 1.0
    assert np.all(np.diff(v[:-1]) > 0) and np.all(v[:-1] < 1) and np.all(v[:-1] >= 0) and np.isnan(v[-1])
    df = pd.DataFrame([[np.nan, 55.0], [55.0, np.nan]], index=[2, 200], columns=[2, 200])
    s = tie_strength(df)
    assert isinstance(s, pd.DataFrame) and list(s.index) == [2, 200] and s.loc[2, 200] == pytest.approx(0.6321206)
    assert isinstance(tie_strength(pd.Series([1.0, 2.0])), pd.Series)


def test_tie_strength_refuses_bad_input():
    with pytest.raises(CoverageError, match="non-negative"):
        tie_strength([-1, 2])
    with pytest.raises(CoverageError, match="non-negative"):
        tie_strength(np.inf)
    for scale in (0, -3, np.nan, True):
        with pytest.raises(CoverageError, match="scale"):
            tie_strength(1, scale=scale)


# ---------------------------------------------------------------- brokers on hand-built matrices


def test_broker_on_a_hand_built_matrix():
    # lead 2; 200 is tied to the lead (48) and to 710 (96); 365 to the lead (96) and to 710 (24);
    # 710 has no direct tie with the lead
    codes = [2, 200, 365, 710]
    t = pd.DataFrame(np.nan, index=codes, columns=codes)
    for a, b, c in [(2, 200, 48), (2, 365, 96), (2, 710, 0), (200, 365, 0), (200, 710, 96), (365, 710, 24)]:
        t.loc[a, b] = t.loc[b, a] = c
    b = broker_scores(t, 2).set_index("ccode")
    s = {c: 1 - math.exp(-c / 55) for c in (0, 24, 48, 96)}
    # 710: via 200 = s(48) s(96) = 0.4806, via 365 = s(96) s(24) = 0.2919 -> 200
    assert b.loc[710, "broker"] == pytest.approx(s[48] * s[96])
    assert b.loc[710, "broker"] == pytest.approx(0.4806, abs=1e-4)
    assert b.loc[710, "broker_ccode"] == 200 and b.loc[710, "n_brokers"] == 1  # 365-710 is below 0.5
    assert b.loc[710, "direct"] == 0.0
    assert b.loc[710, "lead_tie"] == pytest.approx(s[48]) and b.loc[710, "partner_tie"] == pytest.approx(s[96])
    # 200: via 365 = s(96) * s(0) = 0, via 710 = s(0) * s(96) = 0 -> strength 0, no broker
    assert b.loc[200, "broker"] == 0.0 and pd.isna(b.loc[200, "broker_ccode"]) and b.loc[200, "n_brokers"] == 0
    # 365: via 710 = s(0) * s(24) = 0; via 200 = s(48) * s(0) = 0
    assert b.loc[365, "broker"] == 0.0
    assert 2 not in b.index


def test_broker_equals_brute_force_on_a_random_matrix():
    rng = np.random.default_rng(20030320)
    n = 30
    codes = np.sort(rng.choice(np.arange(2, 990), size=n, replace=False))
    m = rng.poisson(rng.uniform(2, 60, size=(n, n))).astype(float)
    m = np.triu(m, 1)
    m = m + m.T
    np.fill_diagonal(m, np.nan)
    gone = rng.choice(n, size=3, replace=False)  # three states that did not exist (with a lag)
    m[gone, :] = np.nan
    m[:, gone] = np.nan
    m[4, 9] = m[9, 4] = np.nan  # and one pair a component has no value for
    m[5, 11] = m[11, 5] = m[5, 12] = m[12, 5] = 0.0  # and zeros
    t = pd.DataFrame(m, index=codes, columns=codes)
    for lead in [int(codes[i]) for i in range(n) if i not in gone][:4]:
        assert_matches_brute_force(broker_scores(t, lead), brute_force_brokers(t, lead))
    # a lower threshold and another scale, still against brute force
    lead = int(codes[[i for i in range(n) if i not in gone][0]])
    assert_matches_brute_force(broker_scores(t, lead, scale=20, threshold=0.3),
                               brute_force_brokers(t, lead, scale=20, threshold=0.3))


def test_broker_ties_go_to_the_lowest_ccode():
    codes = [2, 20, 200, 710]
    m = np.full((4, 4), 10.0)
    np.fill_diagonal(m, np.nan)
    t = pd.DataFrame(m, index=codes, columns=codes)
    b = broker_scores(t, 2).set_index("ccode")
    assert b.loc[710, "broker_ccode"] == 20 and b.loc[20, "broker_ccode"] == 200


def test_broker_scores_refuses_bad_matrices():
    t = pd.DataFrame([[np.nan, 1.0], [2.0, np.nan]], index=[2, 200], columns=[2, 200])
    with pytest.raises(PanelTypeError, match="symmetric"):
        broker_scores(t, 2)
    with pytest.raises(PanelTypeError, match="square"):
        broker_scores(pd.DataFrame([[1.0, 2.0]], index=[2], columns=[2, 200]), 2)
    ok = pd.DataFrame([[np.nan, 1.0], [1.0, np.nan]], index=[2, 200], columns=[2, 200])
    with pytest.raises(UnknownCountryError, match="365"):
        broker_scores(ok, 365)
    with pytest.raises(CoverageError, match="threshold"):
        broker_scores(ok, 2, threshold=1.5)


# ---------------------------------------------------------------- the seed


def test_seed_matrix_equals_embeddedness_per_state():
    with pytest.warns(SeedDataWarning, match="tie network"):  # no data location given: the seed
        mats = tie_matrices("2003-03-20")
    assert list(mats) == ["igos"]
    total = quiet(tie_matrix, "2003-03-20", source="seed")
    assert total.attrs["is_seed"] is True and total.attrs["years_used"] == {"igos": 2002}
    for k in (2, 200, 640, 770):
        emb = quiet(embeddedness, k, "2003-03-20", source="seed", components=["igos"])
        assert_row_equals_embeddedness(mats, total, emb, k)
    values = total.to_numpy()
    assert np.isnan(np.diag(values)).all()
    assert np.array_equal(values, values.T, equal_nan=True)


def test_seed_brokers_and_their_alliances_need_the_full_sources(tmp_path):
    b = quiet(brokers, "USA", "2003-03-20", source="seed")
    counts = quiet(tie_matrix, "2003-03-20", source="seed")
    assert_matches_brute_force(b.drop(columns=["country", "ties", "broker_country"]), brute_force_brokers(counts, 2))
    assert b["broker"].is_monotonic_decreasing
    row = b.set_index("ccode").loc[640]
    assert row["broker_country"] == counts.attrs["countries"][list(counts.index).index(row["broker_ccode"])]
    with pytest.raises(MissingDataError, match="needs the full sources for alliances"):
        tie_matrix("2003-03-20", source="seed", components=["alliances", "igos"])
    with pytest.raises(MissingDataError, match="full sources"):
        brokers("USA", "2003-03-20", source="seed", components=["treaties_bilateral"])


def test_a_state_not_in_the_system_is_absent_or_nan():
    # 1991-01-17: Czechoslovakia (315) exists, the Czech Republic (316) and Estonia (366) do not yet
    t = quiet(tie_matrix, "1991-01-17", source="seed")
    assert 315 in t.index and 316 not in t.index and 366 not in t.index
    # 1995-12-14 measured five years back: Estonia is in the system on the date but not on 1990-12-14
    t = quiet(tie_matrix, "1995-12-14", source="seed", lag_years=5)
    assert 366 in t.index and t.loc[366].isna().all() and t[366].isna().all()
    assert t.attrs["measured_on"] == "1990-12-14"
    b = quiet(brokers, "USA", "1995-12-14", source="seed", lag_years=5).set_index("ccode")
    assert np.isnan(b.loc[366, "broker"]) and np.isnan(b.loc[366, "direct"]) and pd.isna(b.loc[366, "n_brokers"])
    assert b.loc[200, "broker"] > 0


def test_errors_are_one_line():
    cases = [
        (UnknownCountryError, "Atlantis", lambda: brokers("Atlantis", "2003-03-20", source="seed")),
        (CoverageError, "1800-01-01", lambda: tie_matrix("1800-01-01", source="seed")),
        (CoverageError, "2031-01-01", lambda: brokers("USA", "2031-01-01", source="seed")),
        (CoverageError, "cannot read date", lambda: tie_matrix("20th of March", source="seed")),
        (CoverageError, "time zone", lambda: tie_matrix(pd.Timestamp("2003-03-20", tz="UTC"), source="seed")),
        (CoverageError, "lag_years", lambda: tie_matrix("2003-03-20", source="seed", lag_years=-1)),
        (CoverageError, "no component has data", lambda: tie_matrix("1816-06-01", source="seed")),
    ]
    for error, text, call in cases:
        with pytest.raises(error, match=text) as info:
            quiet(call)
        assert "\n" not in str(info.value)
    with pytest.raises((CoverageError, UnknownCountryError)) as info:  # the Czech Republic did not exist in 1991
        quiet(brokers, "Czech Republic", "1991-01-17", source="seed")
    assert "\n" not in str(info.value)


def test_add_brokers_matches_brokers_once_per_date(monkeypatch):
    from coalitionlab.measures import network

    calls = []
    day = network._Network.day

    def counting(self, ts):
        calls.append(ts)
        return day(self, ts)

    monkeypatch.setattr(network._Network, "day", counting)
    panel = pd.DataFrame({
        "coalition_id": ["a", "a", "a", "a", "b", "b", "c", "c"],
        "lead_ccode": [2, 2, 2, 2, 220, 220, 2, 2],
        "ccode": [640, 770, 2, 316, 200, 640, 200, 366],
        "start_date": pd.to_datetime(["2003-03-20"] * 4 + ["2003-03-20"] * 2 + ["1991-01-17"] * 2),
    })
    panel.attrs = {"unit": "coalition_candidate"}
    out = quiet(add_brokers, panel, source="seed")
    assert len(calls) == 2  # one matrix per distinct date
    assert list(out.columns[:4]) == list(panel.columns) and len(out) == len(panel)
    us = quiet(brokers, "USA", "2003-03-20", source="seed").set_index("ccode")
    fr = quiet(brokers, "France", "2003-03-20", source="seed").set_index("ccode")
    for i, ref in [(0, us.loc[640]), (1, us.loc[770]), (3, us.loc[316]), (4, fr.loc[200]), (5, fr.loc[640])]:
        for c in ("broker", "direct"):
            assert out.loc[i, c] == ref[c]
        assert out.loc[i, "broker_ccode"] == ref["broker_ccode"] and out.loc[i, "n_brokers"] == ref["n_brokers"]
    assert np.isnan(out.loc[2, "broker"]) and pd.isna(out.loc[2, "broker_ccode"])  # the lead itself
    assert np.isnan(out.loc[7, "broker"])  # Estonia was not a state on 1991-01-17
    assert out.loc[6, "broker"] > 0
    assert out["broker_ccode"].dtype == "Int64" and out["n_brokers"].dtype == "Int64"
    assert out.attrs["brokers"]["components"] == ["igos"] and out.attrs["is_seed"] is True
    assert out.attrs["unit"] == "coalition_candidate" and panel.attrs == {"unit": "coalition_candidate"}
    assert "broker" not in panel.columns


def test_add_brokers_rows_without_lead_or_date_are_nan():
    panel = pd.DataFrame({"lead_ccode": [2, np.nan, 2], "ccode": [640, 640, 640],
                          "start_date": pd.to_datetime(["2003-03-20", "2003-03-20", None])})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeedDataWarning)
        with pytest.warns(MissingValueWarning, match="2 row"):
            out = add_brokers(panel, source="seed")
    assert out["broker"].notna().tolist() == [True, False, False]
    with pytest.raises(PanelTypeError, match="lead_ccode"):
        add_brokers(panel.drop(columns="lead_ccode"), source="seed")
    with pytest.raises(PanelTypeError, match="COW ccodes"):
        add_brokers(panel.assign(lead_ccode=["USA", "USA", "USA"]), source="seed")


# ---------------------------------------------------------------- the full sources


@pytest.fixture(scope="module")
def full2003(shared_data):
    return tie_matrices("2003-03-20", data_dir=shared_data, source="full")


def test_all_pairs_equal_embeddedness_per_state(shared_data, full2003):
    total = sum(full2003.values())
    assert list(full2003) == ["alliances", "treaties_bilateral", "igos"]
    for k in (2, 200, 365, 640, 710, 770):  # the USA and five other states as leads
        emb = embeddedness(k, "2003-03-20", data_dir=shared_data, source="full")
        assert_row_equals_embeddedness(full2003, total, emb, k)
    assert np.array_equal(total.to_numpy(), total.to_numpy().T, equal_nan=True)


def test_all_pairs_equal_embeddedness_on_other_days(shared_data):
    # 1991 (France's Gulf War; both Germanys gone, Yemen new), and 1995 measured five years back
    for day, kw, leads in (("1991-01-17", {}, (220, 255, 679)),
                           ("1995-12-14", {"lag_years": 5}, (2, 200)),
                           ("1993-06-15", {"components": ["alliances", "treaties_multilateral", "igos"]}, (316, 2)),
                           # New Zealand's last day in ANZUS was 1986-09-17: the first day without it
                           ("1986-09-18", {"components": ["alliances"]}, (920,))):
        mats = tie_matrices(day, data_dir=shared_data, source="full", **kw)
        total = sum(mats.values())
        for k in leads:
            emb = embeddedness(k, day, data_dir=shared_data, source="full", **kw)
            assert_row_equals_embeddedness(mats, total, emb, k)


def test_scale_on_the_usa_in_2003(shared_data):
    # the USA's median partner on 2003-03-20 has 33 ties: strength 1 - exp(-33/55) = 0.451
    emb = embeddedness("USA", "2003-03-20", data_dir=shared_data, source="full")
    assert float(np.median(emb["embeddedness"].dropna())) == 33.0
    assert float(np.median(tie_strength(emb["embeddedness"].dropna()))) == pytest.approx(0.4512, abs=1e-4)


def test_full_brokers_equal_brute_force(shared_data, full2003):
    b = brokers("USA", "2003-03-20", data_dir=shared_data, source="full")
    total = sum(full2003.values())
    want = brute_force_brokers(total, 2)
    some = {j: want[j] for j in (640, 770, 663, 200, 365, 20)}
    got = b[b["ccode"].isin(list(some))].drop(columns=["country", "ties", "broker_country"])
    assert_matches_brute_force(got, some)
    e = embeddedness("USA", "2003-03-20", data_dir=shared_data, source="full").set_index("ccode")
    assert (b.set_index("ccode")["ties"] == e["embeddedness"].reindex(b["ccode"])).all()
    # a non-US lead: France
    f = brokers(220, "2003-03-20", data_dir=shared_data, source="full")
    some = {j: w for j, w in brute_force_brokers(total, 220).items() if j in (2, 640, 770)}
    assert_matches_brute_force(f[f["ccode"].isin(list(some))].drop(columns=["country", "ties", "broker_country"]), some)
