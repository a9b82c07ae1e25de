"""The open embeddedness panel (every lead x partner x year) against the per-lead embeddedness().

The oracle is :func:`coalitionlab.measures.embeddedness`, which counts one lead's ties by binary
search over sorted (pair, day) keys and its IGO memberships with ``add_igos``; the panel counts
every pair at once with running event tables and one sparse product per year.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from coalitionlab.errors import (
    CoverageError,
    MissingDataError,
    StaleDataWarning,
    UnknownOptionError,
)
from coalitionlab.measures import embeddedness
from coalitionlab.measures.open_panel import (
    PROVENANCE_FILE,
    _DatedCounter,
    embeddedness_panel,
    read_embeddedness_panel,
)

#: non-overlapping components (one embeddedness() call), and the parts of others (a second call)
WHOLE = ["alliances", "treaties_bilateral", "treaties_multilateral", "igos", "exercises"]
PARTS = ["trade_agreements", "investment_treaties", "defense_pacts"]
DEFAULT = ["alliances", "treaties_bilateral", "igos"]
YEARS = [1871, 1990, 2003]


def _lead_rows(panel: pd.DataFrame, year: int, lead: int) -> pd.DataFrame:
    rows = panel[(panel["year"] == year) & (panel["lead_ccode"] == lead)]
    return rows.set_index(rows["ccode"].astype("int64"))


def _oracle(lead: int, year: int, data_dir, components, **kw) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleDataWarning)
        e = embeddedness(lead, f"{year}-01-01", data_dir=data_dir, components=components, **kw)
    return e.set_index("ccode")


def _same(got: pd.Series, want: pd.Series) -> None:
    g, w = got.to_numpy("float64"), want.to_numpy("float64")
    np.testing.assert_array_equal(np.isnan(g), np.isnan(w), err_msg=str(got.name))
    np.testing.assert_array_equal(g[~np.isnan(g)], w[~np.isnan(w)], err_msg=str(got.name))


@pytest.fixture(scope="module")
def panel(shared_data):
    return embeddedness_panel(YEARS, data_dir=shared_data)


def test_random_leads_equal_embeddedness(shared_data, panel):
    rng = np.random.default_rng(20261203)
    for year in YEARS:
        leads = np.unique(panel.loc[panel["year"] == year, "lead_ccode"])
        lead = int(rng.choice(leads))
        got = _lead_rows(panel, year, lead)
        whole = _oracle(lead, year, shared_data, WHOLE, carry_forward=False)
        parts = _oracle(lead, year, shared_data, PARTS, carry_forward=False)
        # the same partners: the states in the system on 1 January, the lead left out
        assert sorted(got.index) == sorted(whole.index) == sorted(parts.index), (year, lead)
        whole, parts = whole.reindex(got.index), parts.reindex(got.index)
        for c in WHOLE:
            _same(got[c], whole[c])
        for c in PARTS:
            _same(got[c], parts[c])
        _same(got["embeddedness"], whole[DEFAULT].sum(axis=1, min_count=len(DEFAULT)))
    # not all zeros or all missing: 2003 has ties of every kind
    y03 = panel[panel["year"] == 2003]
    assert (y03[WHOLE + PARTS].fillna(0) > 0).any().all()


def test_rows_and_dtypes(shared_data, panel):
    assert panel[["year", "lead_ccode", "ccode"]].dtypes.eq("int16").all()
    assert panel[WHOLE + PARTS + ["embeddedness"]].dtypes.eq("float32").all()
    for year in YEARS:
        y = panel[panel["year"] == year]
        n = y["lead_ccode"].nunique()
        assert len(y) == n * (n - 1) and not (y["lead_ccode"] == y["ccode"]).any()
    # German Democratic Republic: in the system on 1 January 1990, gone on 3 October 1990
    assert 265 in set(panel.loc[panel["year"] == 1990, "ccode"]) and 265 not in set(
        panel.loc[panel["year"] == 2003, "ccode"])
    # outside a source's years the value is unknown, never 0: no exercises data before 1980
    assert panel.loc[panel["year"] == 1871, "exercises"].isna().all()
    assert panel.loc[panel["year"] == 1871, "igos"].notna().any()
    assert panel[["year", "lead_ccode", "ccode"]].equals(
        panel[["year", "lead_ccode", "ccode"]].sort_values(["year", "lead_ccode", "ccode"]))


def test_lag_and_successors_equal_embeddedness(shared_data):
    # the Czech Republic (316) in 1994 measured two years earlier: Czechoslovakia's (315) ties
    p = embeddedness_panel([1994], data_dir=shared_data, components=WHOLE, lag_years=2, successors="inherit")
    got = _lead_rows(p, 1994, 2)
    want = _oracle(2, 1994, shared_data, WHOLE, lag_years=2, successors="inherit", carry_forward=False)
    want = want.reindex(got.index)
    for c in WHOLE:
        _same(got[c], want[c])
    assert got.loc[316, "inherited_from"] == 315 and got.loc[316, "alliances"] == want.loc[316, "alliances"]
    assert got["inherited_from"].astype("Float64").fillna(-1).tolist() == \
        want["inherited_from"].astype("Float64").fillna(-1).tolist()
    # without inheritance the Czech Republic did not exist on the measurement day: NaN, not 0
    plain = embeddedness_panel([1994], data_dir=shared_data, components=["alliances"], lag_years=2)
    assert np.isnan(_lead_rows(plain, 1994, 2).loc[316, "alliances"])


def test_carry_forward_equals_embeddedness(shared_data):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        p = embeddedness_panel([2020], data_dir=shared_data, components=["igos", "exercises"], carry_forward=True)
    stale = [str(w.message) for w in caught if issubclass(w.category, StaleDataWarning)]
    assert any(m.startswith("igos: data end in 2014") for m in stale), stale
    assert p.attrs["years_used"]["igos"] == {"2020": 2014}
    got = _lead_rows(p, 2020, 220)
    want = _oracle(220, 2020, shared_data, ["igos", "exercises"], carry_forward=True).reindex(got.index)
    for c in ("igos", "exercises"):
        _same(got[c], want[c])
    assert embeddedness_panel([2020], data_dir=shared_data, components=["igos"])["igos"].isna().all()


def test_partitioned_parquet_and_provenance(shared_data, panel, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "open"
    got = embeddedness_panel("1990:1991", data_dir=shared_data, out=out, block_years=1)
    assert got == out.resolve()
    assert sorted(p.name for p in out.iterdir()) == [PROVENANCE_FILE, "year=1990", "year=1991"]
    part = pq.read_table(next((out / "year=1990").glob("*.parquet")))
    schema = {f.name: str(f.type) for f in part.schema}
    assert "year" not in schema  # the partition key lives in the folder name
    assert schema["lead_ccode"] == schema["ccode"] == "int16" and schema["igos"] == "float"
    prov = json.loads((out / PROVENANCE_FILE).read_text())
    assert "1 January" in prov["date_convention"] and prov["sources"]["cow_igo"]
    assert prov["years_used"]["igos"] == {"1990": 1989, "1991": 1990}
    assert prov["n_rows"] == sum(prov["rows"].values())
    back = read_embeddedness_panel(out, years=[1990])
    want = panel[panel["year"] == 1990].reset_index(drop=True)
    pd.testing.assert_frame_equal(back, want)
    with pytest.raises(UnknownOptionError, match="not empty"):
        embeddedness_panel("1990", data_dir=shared_data, out=out)
    embeddedness_panel("1992", data_dir=shared_data, out=out, overwrite=True, components=["igos"])
    assert sorted(p.name for p in out.iterdir()) == [PROVENANCE_FILE, "year=1992"]
    with pytest.raises(MissingDataError, match="no embeddedness panel"):
        read_embeddedness_panel(tmp_path)


def test_bad_input_is_one_clear_error(shared_data, tmp_path):
    with pytest.raises(CoverageError, match="1816-2024"):
        embeddedness_panel("1700:1816", data_dir=shared_data)
    with pytest.raises(CoverageError, match="1816-2024"):
        embeddedness_panel([2030], data_dir=shared_data)
    with pytest.raises(CoverageError, match="backwards"):
        embeddedness_panel("2003:2001", data_dir=shared_data)
    with pytest.raises(UnknownOptionError, match="telepathy"):
        embeddedness_panel(2003, data_dir=shared_data, components=["igos", "telepathy"])
    with pytest.raises(UnknownOptionError, match="overlap"):
        embeddedness_panel(2003, data_dir=shared_data, total=["alliances", "defense_pacts"])
    with pytest.raises(UnknownOptionError, match="not among the components"):
        embeddedness_panel(2003, data_dir=shared_data, components=["igos"], total=["alliances"])
    with pytest.raises(CoverageError, match="lag_years"):
        embeddedness_panel(2003, data_dir=shared_data, lag_years=-1)
    with pytest.raises(UnknownOptionError, match="scheduler"):
        embeddedness_panel(2003, data_dir=shared_data, scheduler=42)
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UnknownOptionError, match="not a written panel"):
        embeddedness_panel(2003, data_dir=shared_data, out=tmp_path, overwrite=True)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_dask_cluster_equals_local(shared_data, panel, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        frame = embeddedness_panel([1990, 2003], data_dir=shared_data, scheduler=client, block_years=1)
        out = embeddedness_panel([1990, 2003], data_dir=shared_data, scheduler=cluster.scheduler_address,
                                 block_years=1, out=tmp_path / "dask")
    want = panel[panel["year"].isin([1990, 2003])].reset_index(drop=True)
    pd.testing.assert_frame_equal(frame, want)
    pd.testing.assert_frame_equal(read_embeddedness_panel(out), want)
    assert json.loads((out / PROVENANCE_FILE).read_text())["computed_with"] == "dask.distributed"


def test_running_counts_equal_brute_force():
    """The event counter against a direct count of every tie on every day (synthetic ties)."""
    rng = np.random.default_rng(7)
    K, n = 6, 300
    i, j = rng.integers(0, K, n), rng.integers(0, K, n)
    keep = i != j
    start = rng.integers(0, 1000, n)
    end = np.where(rng.random(n) < 0.2, np.iinfo("int64").max, start + rng.integers(-50, 400, n))
    keep &= end > start
    i, j, start, end = i[keep], j[keep], start[keep], end[keep]
    days = np.sort(rng.choice(np.arange(-100, 1200), 40, replace=False))
    days = np.concatenate([days[:20], days[19:20], days[20:]])  # a repeated day (carried forward)
    counter = _DatedCounter((i, j, start, end), days, K)
    for step, d in enumerate(days):
        live = (start <= d) & (d < end)
        want = np.zeros((K, K), dtype="int64")
        np.add.at(want, (i[live], j[live]), 1)
        np.add.at(want, (j[live], i[live]), 1)
        np.testing.assert_array_equal(counter.advance(step).reshape(K, K), want, err_msg=f"day {d}")


def test_cli_all_leads_writes_the_partitions(shared_data, tmp_path):
    from typer.testing import CliRunner

    from coalitionlab.cli.main import app

    runner = CliRunner()
    out = tmp_path / "cli"
    res = runner.invoke(app, ["panel", "--all-leads", "--years", "2002:2003", "--components", "igos,alliances",
                              "--out", str(out), "--data-dir", str(shared_data)])
    assert res.exit_code == 0, res.output
    prov = json.loads((out / PROVENANCE_FILE).read_text())
    assert prov["command"].startswith("coalitionlab panel --all-leads --years 2002:2003")
    assert prov["components"] == ["igos", "alliances"] and prov["total"] == ["alliances", "igos"]
    back = read_embeddedness_panel(out)
    assert sorted(back["year"].unique().tolist()) == [2002, 2003] and f"{len(back):,}" in res.output
    res = runner.invoke(app, ["panel", "--all-leads", "--add", "igos", "--out", str(tmp_path / "x"),
                              "--data-dir", str(shared_data)])
    assert res.exit_code != 0 and "--add" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["panel", "--years", "2003", "--scheduler", "local", "--out", str(tmp_path / "p.parquet"),
                              "--data-dir", str(shared_data)])
    assert res.exit_code != 0 and "--all-leads" in res.output


# ---------------------------------------------------------------- bootstrap variants

BOOT_PAIRS = [(2, 200), (200, 2), (2, 365), (710, 740), (2, 732), (220, 200), (20, 2)]
BOOT_RUNS = [  # (total, weights): every record of units at least once
    (DEFAULT, None),
    (["defense_pacts", "trade_agreements", "investment_treaties", "exercises"], {"exercises": 0.5}),
]


@pytest.fixture(scope="module")
def raw_units(shared_data):
    """Each record's units (sorted, as the bootstrap draws them) and a plain-Python count of the weight of the
    units tying one pair in one year, from the raw tie tables, COW IGO membership rows and MME participations."""
    from collections import Counter

    from coalitionlab.measures._common import load_source
    from coalitionlab.measures.embeddedness import ALLIANCE_IGOS
    from coalitionlab.measures.ties import alliance_ties, desta_ties, unctad_ties
    from coalitionlab.measures.treaties import treaty_ties

    atop = alliance_ties(load_source("atop_members", shared_data))
    treaties = treaty_ties(shared_data)
    treaties = treaties.assign(agreement_id=treaties["agreement_id"].astype(str))
    desta, unctad = desta_ties(shared_data), unctad_ties(shared_data)
    igo = load_source("cow_igo", shared_data)
    alliance_orgs = {o.lower() for o in ALLIANCE_IGOS}
    igo = igo[igo["status"].isin([1, 2]) & ~igo["ioname"].astype(str).str.lower().isin(alliance_orgs)]
    mme = load_source("military_exercises", shared_data).dropna(subset=["exercise_id", "ccode", "start_year"])
    # the unit is an exercise id in its start year (MME 7 reuses three ids across years)
    mme = mme.assign(unit=mme["exercise_id"].astype(str) + "@" + mme["start_year"].astype(int).astype(str))

    def dated(table, unit):
        def value(w, lead, partner, year):
            day = pd.Timestamp(f"{year}-01-01")
            rows = table[((table["ccode1"] == lead) & (table["ccode2"] == partner))
                         | ((table["ccode1"] == partner) & (table["ccode2"] == lead))]
            got = 0.0
            for u, start, end in zip(rows[unit], rows["start"], rows["end"]):
                if pd.notna(start) and start <= day and (pd.isna(end) or day < end):
                    got += w[u]
            return got
        return value

    def igos(w, lead, partner, year):
        rows = igo[igo["year"] == year - 1]
        mine = Counter(rows.loc[rows["ccode"] == lead, "ioname"].astype(str))
        theirs = Counter(rows.loc[rows["ccode"] == partner, "ioname"].astype(str))
        return float(sum(w[io] * k * theirs[io] for io, k in mine.items()))

    def exercises(w, lead, partner, year):
        rows = mme[mme["start_year"] == year - 1]
        got = 0.0
        for eid, members in rows.groupby("unit")["ccode"]:
            if lead in set(members) and partner in set(members):
                got += w[eid]
        return got

    records = {  # in the order the bootstrap draws them
        "atop": sorted(set(atop["atopid"])), "treaty_record": sorted(set(treaties["agreement_id"])),
        "cow_igo": sorted(set(igo["ioname"].astype(str))), "desta": sorted(set(desta["base_treaty"])),
        "unctad": sorted(set(unctad["treaty_id"])), "mme": sorted(set(mme["unit"])),
    }
    count = {"alliances": ("atop", dated(atop, "atopid")),
             "defense_pacts": ("atop", dated(atop[atop["defense"] > 0], "atopid")),
             "treaties_bilateral": ("treaty_record", dated(treaties[treaties["is_bilateral"]], "agreement_id")),
             "igos": ("cow_igo", igos),
             "trade_agreements": ("desta", dated(desta, "base_treaty")),
             "investment_treaties": ("unctad", dated(unctad, "treaty_id")),
             "exercises": ("mme", exercises)}
    return records, count


def _replicate_weights(records: dict, drawn: list[str], seed: int, B: int) -> list[dict]:
    out = []
    for b in range(B):
        rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(B)[b])
        reps = {}
        for r in drawn:  # one Multinomial(n, 1/n) per record, in the fixed order
            units = records[r]
            reps[r] = dict(zip(units, rng.multinomial(len(units), [1.0 / len(units)] * len(units)).tolist()))
        out.append(reps)
    return out


@pytest.mark.parametrize("total,weights", BOOT_RUNS)
def test_bootstrap_equals_brute_force(shared_data, raw_units, total, weights):
    records, count = raw_units
    seed, B, level = 20261204, 3, 0.9
    p = embeddedness_panel([1990, 2003], data_dir=shared_data, components=total, total=total, weights=weights,
                           bootstrap=B, seed=seed, level=level)
    drawn = [r for r in records if any(count[c][0] == r for c in total)]
    assert p.attrs["bootstrap"]["draw_order"] == drawn
    reps = _replicate_weights(records, drawn, seed, B)
    ones = {r: dict.fromkeys(records[r], 1) for r in drawn}
    wt = {c: (weights or {}).get(c, 1.0) for c in total}
    spread = 0
    for year in (1990, 2003):
        for lead, partner in BOOT_PAIRS:
            row = p[(p["year"] == year) & (p["lead_ccode"] == lead) & (p["ccode"] == partner)].iloc[0]
            if np.isnan(row["embeddedness"]):
                assert np.isnan([row["embeddedness_se"], row["embeddedness_lo"], row["embeddedness_hi"]]).all()
                continue
            # the oracle's counting first reproduces the point value (all weights 1)
            point = sum(wt[c] * count[c][1](ones[count[c][0]], lead, partner, year) for c in total)
            assert row["embeddedness"] == pytest.approx(point), (year, lead, partner)
            tot = np.array([sum(wt[c] * count[c][1](w[count[c][0]], lead, partner, year) for c in total)
                            for w in reps])
            want = [tot.std(ddof=1), *np.quantile(tot, [(1 - level) / 2, (1 + level) / 2])]
            got = row[["embeddedness_se", "embeddedness_lo", "embeddedness_hi"]].to_numpy("float64")
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-5, err_msg=f"{year} {lead} {partner} {tot}")
            spread += want[0] > 0
    assert spread >= 8  # the replicates differ: not a comparison of zeros


def test_bootstrap_same_for_any_block_and_scheduler(shared_data):
    kw = {"data_dir": shared_data, "components": ["alliances", "igos", "exercises"], "bootstrap": 4, "seed": 3}
    years = [1990, 1991, 2003]
    one = embeddedness_panel(years, block_years=1, **kw)
    ten = embeddedness_panel(years, block_years=10, **kw)
    pd.testing.assert_frame_equal(one, ten)
    assert one["embeddedness_se"].gt(0).any()
    # another seed gives other replicates
    assert not embeddedness_panel([2003], seed=4, **{k: v for k, v in kw.items() if k != "seed"})[
        "embeddedness_se"].equals(ten.loc[ten["year"] == 2003, "embeddedness_se"].reset_index(drop=True))
    # replicate b does not depend on B
    from coalitionlab.measures.open_panel import _block, _Inputs, _make_spec

    reps = []
    for B in (3, 5):
        spec = _make_spec(shared_data, kw["components"], None, None, 0, "missing", False, B, 3, 0.95)
        keep: list = []
        _block(spec, [2003], _Inputs(spec.data_dir, spec.successors), keep=keep)
        reps.append(keep[0][2])
    np.testing.assert_array_equal(reps[0], reps[1][:, :3])
    assert not np.array_equal(reps[1][:, 3], reps[1][:, 4])
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        dask = embeddedness_panel(years, block_years=2, scheduler=client, **kw)
    pd.testing.assert_frame_equal(dask, ten)


def test_bootstrap_replicate_mean_is_the_point_value(shared_data):
    """Multinomial(n, 1/n) multiplicities have mean 1, so the replicates average to the point value."""
    from coalitionlab.measures.open_panel import _block, _Inputs, _make_spec

    B = 200
    spec = _make_spec(shared_data, DEFAULT, None, None, 0, "missing", False, B, 99, 0.95)
    keep: list = []
    cols, _ = _block(spec, [1995, 2003], _Inputs(spec.data_dir, spec.successors), keep=keep)
    point = cols["embeddedness"].astype("float64")
    start = 0
    for year, row_pair, reps in keep:
        assert reps.shape[1] == B
        mean, sd = reps.mean(axis=1)[row_pair], reps.std(axis=1, ddof=1)[row_pair]
        here = point[start:start + len(row_pair)]
        start += len(row_pair)
        ok = ~np.isnan(here)
        z = (mean[ok] - here[ok]) / np.where(sd[ok] > 0, sd[ok] / np.sqrt(B), 1.0)
        assert np.all(mean[ok][sd[ok] == 0] == here[ok][sd[ok] == 0]), year
        assert np.abs(z).max() < 5, (year, np.abs(z).max())
        # and the sum over all pairs: one number, its own standard error over the replicates
        sums = reps[row_pair[ok]].sum(axis=0)
        assert abs(sums.mean() - here[ok].sum()) < 4 * sums.std(ddof=1) / np.sqrt(B), year
        # the published SD is the SD of these replicates
        np.testing.assert_allclose(cols["embeddedness_se"][start - len(row_pair):start][ok], sd[ok], rtol=1e-6)
    assert start == len(point)


def test_bootstrap_nan_where_the_point_value_is_nan(shared_data):
    both = ["alliances", "exercises"]
    p = embeddedness_panel([1871, 2003], data_dir=shared_data, components=both, total=both, bootstrap=2, seed=1)
    unknown = p["embeddedness"].isna()
    assert unknown[p["year"] == 1871].all() and not unknown[p["year"] == 2003].all()  # no exercises before 1980
    for col in ("embeddedness_se", "embeddedness_lo", "embeddedness_hi"):
        assert p[col].dtype == "float32" and p[col].isna().equals(unknown), col
    known = p[~unknown]
    assert (known["embeddedness_lo"] <= known["embeddedness_hi"]).all()


def test_bootstrap_bad_input_is_one_clear_error(shared_data, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from coalitionlab.cli.main import app
    from coalitionlab.errors import InfeasibleError

    for bad, match in (({"bootstrap": -1, "seed": 1}, "whole number of replicates"),
                       ({"bootstrap": 2.5, "seed": 1}, "whole number of replicates"),
                       ({"bootstrap": True, "seed": 1}, "whole number of replicates"),
                       ({"bootstrap": 1, "seed": 1}, "no standard deviation"),
                       ({"bootstrap": 50}, "needs a seed"),
                       ({"bootstrap": 50, "seed": -2}, "seed must be"),
                       ({"bootstrap": 50, "seed": 1, "level": 1.0}, "between 0 and 1"),
                       ({"bootstrap": 50, "seed": 1, "level": 0}, "between 0 and 1"),
                       ({"bootstrap": 50, "seed": 1, "level": float("nan")}, "between 0 and 1"),
                       ({"bootstrap": 50, "seed": 1, "level": "high"}, "between 0 and 1")):
        with pytest.raises(UnknownOptionError, match=match) as err:
            embeddedness_panel(2003, data_dir=shared_data, **bad)
        assert "\n" not in str(err.value)
    monkeypatch.setenv("COALITIONLAB_MAX_MEMORY", "50MB")
    with pytest.raises(InfeasibleError, match=r"bootstrap=10,000 replicates of 36,672 lead x partner rows"):
        embeddedness_panel("2002:2003", data_dir=shared_data, bootstrap=10_000, seed=1)
    runner = CliRunner()
    base = ["panel", "--all-leads", "--years", "2003", "--out", str(tmp_path / "b"), "--data-dir", str(shared_data)]
    for extra, match in ((["--bootstrap", "5"], "needs a seed"), (["--bootstrap", "1", "--seed", "1"], "no standard"),
                         (["--bootstrap", "5", "--seed", "1", "--level", "1.5"], "between 0 and 1"),
                         (["--bootstrap", "100000", "--seed", "1"], "more than the limit")):
        res = runner.invoke(app, base + extra)
        assert res.exit_code != 0 and match in res.output and "Traceback" not in res.output, res.output
        assert len(res.output.strip().splitlines()) == 1, res.output
    res = runner.invoke(app, ["panel", "--years", "2003", "--out", str(tmp_path / "p.parquet"), "--bootstrap", "5",
                              "--seed", "1", "--data-dir", str(shared_data)])
    assert res.exit_code != 0 and "--bootstrap, --seed" in res.output and "--all-leads" in res.output


def test_cli_bootstrap_writes_columns_and_provenance(shared_data, tmp_path):
    from typer.testing import CliRunner

    from coalitionlab.cli.main import app

    out = tmp_path / "boot"
    res = CliRunner().invoke(app, ["panel", "--all-leads", "--years", "2003", "--components", "igos,alliances",
                                   "--bootstrap", "3", "--seed", "8", "--level", "0.8", "--out", str(out),
                                   "--data-dir", str(shared_data)])
    assert res.exit_code == 0, res.output
    prov = json.loads((out / PROVENANCE_FILE).read_text())
    assert "--bootstrap 3 --seed 8 --level 0.8" in prov["command"]
    boot = prov["bootstrap"]
    assert (boot["replicates"], boot["seed"], boot["level"]) == (3, 8, 0.8)
    assert boot["units_resampled"]["alliances"]["unit"] == "atopid"
    assert boot["units_resampled"]["igos"]["unit"] == "ioname" and boot["units_resampled"]["igos"]["n_units"] > 400
    back = read_embeddedness_panel(out)
    want = embeddedness_panel(2003, data_dir=shared_data, components=["igos", "alliances"], bootstrap=3, seed=8,
                              level=0.8)
    pd.testing.assert_frame_equal(back, want)
    assert embeddedness_panel(2003, data_dir=shared_data, components=["igos"]).attrs["bootstrap"] == {"replicates": 0}
