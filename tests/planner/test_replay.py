"""Case replays: the model at a coalition's start against the record, on the real data."""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from typer.testing import CliRunner

from coalitionlab.cli.main import app
from coalitionlab.errors import DataFileError, MissingValueWarning, UnknownOptionError
from coalitionlab.models.data import participation_data
from coalitionlab.models.predict import predict_participation
from coalitionlab.planner.replay import (PAYMENT_KINDS, SHIPPED_CASES, payments, replay, replay_all, replay_panel,
                                         validate_payments)

PKG = Path(__file__).resolve().parents[2] / "src" / "coalitionlab"
SENDING = {"lead", "combat", "non_combat", "token", "medical", "gendarmerie"}


def _members(coalition_id: str) -> dict[int, str]:
    """Oracle: the states that sent personnel, read straight from the membership CSVs (lead excluded)."""
    out = {}
    for name in ("memberships_us.csv", "memberships_other.csv"):
        with open(PKG / "coalitions" / "data" / name, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["coalition_id"] == coalition_id and row["role"] in SENDING and row["role"] != "lead":
                    out[int(row["ccode"])] = row["role"]
    return out


def _starts() -> dict[str, int]:
    """Oracle: each coalition's start year, from the coalitions CSVs."""
    out = {}
    for name in ("coalitions_us.csv", "coalitions_other.csv"):
        with open(PKG / "coalitions" / "data" / name, newline="", encoding="utf-8") as fh:
            out.update({r["coalition_id"]: int(r["start_date"][:4]) for r in csv.DictReader(fh)})
    return out


@pytest.fixture(scope="module")
def raw_panel(shared_data: Path) -> pd.DataFrame:
    return participation_data(data_dir=shared_data, lags=(), contact=False, source="full")


@pytest.fixture(scope="module")
def panel(shared_data: Path, raw_panel: pd.DataFrame) -> pd.DataFrame:
    return replay_panel(shared_data, panel=raw_panel)


# ---------------------------------------------------------------- no data needed


def test_unknown_coalition_id_is_one_clear_error_before_any_data() -> None:
    with pytest.raises(DataFileError, match=r"unknown coalition id 'iraq_2030'; closest: .*iraq_2003"):
        replay("iraq_2030", data_dir="/nonexistent-dir-never-read")
    out = CliRunner().invoke(app, ["replay", "iraq_2030"])
    assert out.exit_code == 1 and out.stdout == ""
    err = [ln for ln in out.stderr.strip().splitlines() if not ln.startswith("warning: ")]
    assert len(err) == 1 and err[0].startswith("error: unknown coalition id 'iraq_2030'"), out.stderr
    assert "Traceback" not in out.stderr


def test_bad_k_and_bad_cli_use_are_errors() -> None:
    with pytest.raises(UnknownOptionError, match="k must be a positive whole number"):
        replay("iraq_2003", k=0)
    for args in (["replay"], ["replay", "iraq_2003", "--all"], ["replay", "iraq_2003", "--only", "korea_1950"]):
        out = CliRunner().invoke(app, args)
        assert out.exit_code == 1 and out.stderr.strip().startswith("error: replay:"), (args, out.stderr)


def test_payments_csv_every_row_sourced_and_ids_exist() -> None:
    raw = pd.read_csv(PKG / "planner" / "data" / "payments.csv", dtype=str, keep_default_na=False)
    ids = set(_starts())
    assert len(raw) >= 9
    assert set(raw["coalition_id"]) <= ids
    assert set(raw["kind"]) <= set(PAYMENT_KINDS)
    assert (raw["source"].str.strip() != "").all() and (raw["source_type"].str.strip() != "").all()
    for amount in raw["amount_usd"]:
        assert amount == "" or float(amount) > 0
    # the reference points of the project notes are all there
    key = set(zip(raw["coalition_id"], raw["ccode"], raw["kind"]))
    for row in [("korea_1950", "100", "deployment_subsidy"), ("korea_1950", "530", "side_deal"),
                ("vietnam_1964", "732", "side_deal"), ("vietnam_1964", "840", "deployment_subsidy"),
                ("gulf_war_1990", "651", "side_deal"), ("iraq_2003", "640", "refused_offer"),
                ("iraq_2003", "", "deployment_subsidy"), ("unamid_2007", "", "deployment_subsidy")]:
        assert row in key, row
    # a recipient named by ccode is the country the row names (COW codes)
    names = {"100": "Colombia", "530": "Ethiopia", "732": "South Korea", "840": "Philippines", "651": "Egypt",
             "640": "Turkey"}
    for c, n in zip(raw["ccode"], raw["country"]):
        if c:
            assert names[c] == n
    loaded = payments()
    assert len(loaded) == len(raw) and loaded["ccode"].dtype == "Int64"
    assert loaded.loc[loaded["ccode"].isna(), "country"].str.contains("aggregate").all()


def test_validate_payments_refuses_a_row_without_source_or_with_an_unknown_id() -> None:
    good = payments()
    bad = good.copy()
    bad.loc[0, "source"] = "  "
    with pytest.raises(DataFileError, match="line 2 .*needs a description and a source"):
        validate_payments(bad)
    bad = good.copy()
    bad.loc[1, "coalition_id"] = "korea_1951"
    with pytest.raises(DataFileError, match="line 3 .*unknown coalition id 'korea_1951'"):
        validate_payments(bad)
    bad = good.copy()
    bad.loc[0, "kind"] = "bribe"
    with pytest.raises(DataFileError, match="kind 'bribe'"):
        validate_payments(bad)


# ---------------------------------------------------------------- real data


def test_iraq_2003_end_to_end(panel: pd.DataFrame) -> None:
    r = replay("iraq_2003", panel=panel)
    members = _members("iraq_2003")
    assert r.model == "participation" and r.reason is None
    assert 0.5 < r.metrics["auc"] <= 1
    # the labels are the record: every scored candidate's joined matches the membership CSV
    c = r.candidates
    assert (c["joined"] == c["ccode"].isin(members).astype(int)).all()
    assert 2 not in set(c["ccode"]) and 645 not in set(c["ccode"])  # no lead, no target
    # hits name members, false alarms non-members, misses members ranked below k
    k = r.metrics["k"]
    assert k == r.metrics["n_joined"] == int(c.loc[c["score"].notna(), "joined"].sum())
    assert len(r.hits) == r.metrics["hits_at_k"] and set(r.hits["ccode"]) <= set(members)
    assert not set(r.false_alarms["ccode"]) & set(members)
    assert set(r.missed["ccode"]) <= set(members) and (r.missed["rank"] > k).all()
    assert len(r.hits) + len(r.false_alarms) == k
    assert {"United Kingdom", "Australia", "Poland"} <= set(r.hits["country"])
    assert "Turkey" in set(r.false_alarms["country"])  # ranked first, refused
    # AUC and Brier against an independent computation on the scored rows
    s = c.dropna(subset=["p_join"])
    y = s["ccode"].isin(members).astype(int)
    assert r.metrics["auc"] == pytest.approx(roc_auc_score(y, s["p_join"]), abs=1e-12)
    assert r.metrics["brier"] == pytest.approx(float(np.mean((s["p_join"] - y) ** 2)), abs=1e-12)
    # Turkey's refused offer sits beside its p_join
    pay = r.payments.set_index("kind")
    assert pay.loc["refused_offer", "country"] == "Turkey"
    assert pay.loc["refused_offer", "p_join"] == pytest.approx(c.set_index("ccode").at[640, "p_join"])
    assert pay.loc["refused_offer", "reading"] == "refused, though ranked high"
    json.loads(r.to_json())


def test_replay_gives_predict_participations_numbers(shared_data: Path, raw_panel: pd.DataFrame,
                                                     panel: pd.DataFrame) -> None:
    """Oracle: the public forecast function, with the same training cut and target."""
    r = replay("unified_protector_2011", panel=panel)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValueWarning)
        f = predict_participation("USA", "2011-03-23", train_until=2010, target="Libya", panel=raw_panel,
                                  data_dir=shared_data)
    got = r.candidates.set_index("ccode")["p_join"].sort_index()
    want = f.set_index("ccode")["p_join"].sort_index()
    assert list(got.index) == list(want.index)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-10)
    assert r.training["n_train_coalitions"] == f.attrs["n_train_coalitions"]
    assert r.training["late_joins_relabelled"] == f.attrs["late_joins_relabelled"]


def test_targetless_coalition_is_replayed_in_its_theatre(shared_data: Path, raw_panel: pd.DataFrame,
                                                         panel: pd.DataFrame) -> None:
    r = replay("interfet_1999", panel=panel)
    assert r.target == {"ccode": None, "theatre": "asia"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValueWarning)
        f = predict_participation("Australia", "1999-09-20", train_until=1998, target="asia", panel=raw_panel,
                                  data_dir=shared_data)
    np.testing.assert_allclose(r.candidates.set_index("ccode")["p_join"].sort_index().to_numpy(),
                               f.set_index("ccode")["p_join"].sort_index().to_numpy(), rtol=1e-10)


@pytest.mark.parametrize("cid", ["iraq_2003", "serval_2013", "ecomog_liberia_1990"])
def test_no_look_ahead(panel: pd.DataFrame, cid: str) -> None:
    r = replay(cid, panel=panel)
    starts = _starts()
    year = starts[cid]
    t = r.training
    assert t["train_until"] == year - 1 and t["labels_as_of"] == f"{year - 1}-12-31"
    assert t["train_coalitions"] and all(starts[c] < year for c in t["train_coalitions"])
    assert cid not in t["train_coalitions"]
    assert pd.Timestamp(t["last_train_start"]).year < year
    # every coalition that started before the year is in the training set, none after
    assert set(t["train_coalitions"]) == {c for c, y in starts.items() if y < year}


def test_korea_1950_cannot_be_replayed_with_the_model(panel: pd.DataFrame) -> None:
    r = replay("korea_1950", panel=panel)
    assert r.model == "embeddedness_only"
    assert "no coalition started before 1950" in r.reason
    assert r.training["train_coalitions"] == [] and r.training["formula"] is None
    assert r.candidates["p_join"].isna().all() and np.isnan(r.metrics["brier"])
    # the AUC is that of the embeddedness ranking (independent computation)
    c = r.candidates.dropna(subset=["embeddedness_log1p"])
    y = c["ccode"].isin(_members("korea_1950")).astype(int)
    assert r.metrics["auc"] == pytest.approx(roc_auc_score(y, c["embeddedness_log1p"]), abs=1e-12)
    assert "Brier n/a" in r.line() and "embeddedness_only" in r.line()
    # Colombia's subsidy is reported beside its embeddedness rank
    col = r.payments[r.payments["ccode"] == 100].iloc[0]
    assert int(col["joined"]) == 1 and col["rank"] == int(r.candidates.set_index("ccode").at[100, "rank"])


def test_early_coalition_with_inestimable_model_falls_back(panel: pd.DataFrame) -> None:
    r = replay("suez_1956", panel=panel)  # one earlier coalition (Korea)
    assert r.model == "embeddedness_only"
    assert r.reason.startswith("the participation model cannot be estimated on the 1 coalitions")


def test_replay_all_and_the_cli_format(shared_data: Path, panel: pd.DataFrame) -> None:
    ids = ["korea_1950", "gulf_war_1990", "iraq_2003", "csto_kazakhstan_2022"]
    table = replay_all(panel=panel, ids=ids)
    assert list(table["coalition_id"]) == ids  # by start date
    assert list(table["model"]) == ["embeddedness_only", "participation", "participation", "participation"]
    model = table[table["model"] == "participation"]
    assert table.attrs["mean_auc"] == pytest.approx(model["auc"].mean())
    assert table.attrs["n_model"] == 3 and "korea_1950" in table.attrs["reasons"]
    one = replay("gulf_war_1990", panel=panel)
    assert table.set_index("coalition_id").at["gulf_war_1990", "auc"] == one.metrics["auc"]

    out = CliRunner().invoke(app, ["replay", "--all", "--only", ",".join(ids), "--data-dir", str(shared_data)])
    assert out.exit_code == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert [ln.split()[0] for ln in lines[:-1]] == ids
    assert lines[0].startswith("korea_1950  AUC ")
    assert lines[-1].startswith(f"mean AUC {table.attrs['mean_auc']:.3f}")


def test_cli_single_replay_json(shared_data: Path) -> None:
    out = CliRunner().invoke(app, ["replay", "serval_2013", "--format", "json", "--data-dir", str(shared_data)])
    assert out.exit_code == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["coalition_id"] == "serval_2013" and doc["model"] == "participation"
    assert doc["training"]["train_until"] == 2012
    members = _members("serval_2013")
    assert {h["ccode"] for h in doc["hits"]} <= set(members)
    assert not {f["ccode"] for f in doc["false_alarms"]} & set(members)


def test_shipped_cases_exist() -> None:
    assert set(SHIPPED_CASES) <= set(_starts())
    docs = PKG.parents[1] / "docs" / "planner" / "replays"
    for cid in SHIPPED_CASES:
        assert (docs / f"{cid}.md").is_file(), cid
