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
