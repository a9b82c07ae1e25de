"""Counterfactual ties: the changed embeddedness against the raw sources, and re-planning with them."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coalitionlab.data import load
from coalitionlab.errors import CoverageError, UnknownOptionError
from coalitionlab.measures import embeddedness
from coalitionlab.planner.counterfactual import TieChange, apply_change, change_from_cli

DATE = "2008-06-01"  # COW IGO memberships are read for 2007


@pytest.fixture(scope="module")
def usa_2008(shared_data: Path) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return embeddedness("USA", DATE, data_dir=shared_data)


def _members(shared_data: Path, ioname: str, year: int) -> set[int]:
    """States with a full or associate membership in ``ioname`` in ``year``, straight from COW IGO."""
    m = load("cow_igo", shared_data)
    rows = m[(m["ioname"] == ioname) & (m["year"] == year) & m["status"].isin([1, 2])]
    return set(rows["ccode"].astype(int))


# ---------------------------------------------------------------- against the raw data


def test_leaving_who_and_imf_drops_each_joint_membership(usa_2008: pd.DataFrame, shared_data: Path) -> None:
    assert set(usa_2008["igos_year"].dropna().astype(int)) == {2007}
    who, imf = _members(shared_data, "WHO", 2007), _members(shared_data, "IMF", 2007)
    assert 2 in who and 2 in imf
    out = apply_change(usa_2008, 2, DATE, TieChange(without_igos=["WHO", "imf"]), data_dir=shared_data)
    drop = (usa_2008.set_index("ccode")["igos"] - out.set_index("ccode")["igos"])
    expected = pd.Series([(c in who) + (c in imf) for c in drop.index], index=drop.index, dtype=float)
    known = usa_2008.set_index("ccode")["igos"].notna()
    pd.testing.assert_series_equal(drop[known], expected[known], check_names=False)
    assert drop[known].sum() > 300 and (drop[known] == 1).any()  # most share both, a few only one
    assert drop[~known].isna().all()  # NaN stays NaN
    # the total moves by the same amount, log1p follows, other components do not move
    tot = usa_2008.set_index("ccode")["embeddedness"] - out.set_index("ccode")["embeddedness"]
    pd.testing.assert_series_equal(tot[known], expected[known], check_names=False)
    np.testing.assert_allclose(out["embeddedness_log1p"], np.log1p(out["embeddedness"]))
    for col in ("alliances", "treaties_bilateral", "sociability_igos"):
        pd.testing.assert_series_equal(out[col], usa_2008[col])
    # WHO and the IMF are not security IGOs: the security part is unchanged
    np.testing.assert_allclose(out["embeddedness_security"], usa_2008["embeddedness_security"])
    assert out.attrs["tie_change"]["without_igos"] == ["WHO", "IMF"]
    assert usa_2008["igos"].equals(embeddedness("USA", DATE, data_dir=shared_data)["igos"])  # input not mutated


def test_leaving_nato_removes_the_atop_alliance(usa_2008: pd.DataFrame, shared_data: Path) -> None:
    atop = load("atop_members", shared_data)
    day = pd.Timestamp(DATE)
    nato = atop[(atop["atopid"] == 3180) & (atop["start_date"] <= day)
                & (atop["end_date"].isna() | (atop["end_date"] >= day))]
    members = set(nato["ccode"].astype(int)) - {2}
    assert len(members) == 25  # 26 NATO members in mid-2008 (Albania and Croatia joined in 2009)
    for change in (TieChange(without_igos=["NATO"]), TieChange(without_agreements=["ATOP:3180"])):
        out = apply_change(usa_2008, 2, DATE, change, data_dir=shared_data)
        drop = usa_2008.set_index("ccode")["alliances"] - out.set_index("ccode")["alliances"]
        assert set(drop[drop == 1].index) == members and set(drop.unique()) == {0.0, 1.0}
        pd.testing.assert_series_equal(out["igos"], usa_2008["igos"])  # an alliance IGO is not in igos
        # alliances are security ties: the non-security total is unchanged
        np.testing.assert_allclose(out["embeddedness_nonsecurity"], usa_2008["embeddedness_nonsecurity"])


def test_a_lapsed_bit_drops_only_its_partner(usa_2008: pd.DataFrame, shared_data: Path) -> None:
    # UNCTAD 2935 is the Mongolia - United States BIT (1994), in force since 1997
    out = apply_change(usa_2008, 2, DATE, TieChange(without_agreements=["unctad:2935"]), data_dir=shared_data)
    drop = usa_2008.set_index("ccode")["treaties_bilateral"] - out.set_index("ccode")["treaties_bilateral"]
    assert drop[712] == 1 and drop.drop(712).abs().sum() == 0


# ---------------------------------------------------------------- arithmetic on a hand-built frame


def _hand_frame() -> pd.DataFrame:
    f = pd.DataFrame({"ccode": [20, 200, 220, 700],
                      "alliances": [2.0, 2.0, 0.0, np.nan],
                      "treaties_bilateral": [10.0, 4.0, 0.0, 2.0],
                      "igos": [60.0, 50.0, 40.0, 30.0]})
    f["embeddedness"] = f[["alliances", "treaties_bilateral", "igos"]].sum(axis=1, min_count=3)
    f["embeddedness_log1p"] = np.log1p(f["embeddedness"])
    f["embeddedness_nonsecurity"] = f["embeddedness"] - f["alliances"]
    f["embeddedness_security"] = f["alliances"]
    return f


def test_scale_factors_by_hand() -> None:
    f = _hand_frame()
    plain = f.drop(columns=["embeddedness_nonsecurity", "embeddedness_security"])
    out = apply_change(plain, 2, "2003-03-20", TieChange(scale={"treaties": 0.5, "alliances": 0.0}))
    assert out["treaties_bilateral"].tolist() == [5.0, 2.0, 0.0, 1.0]
    assert out["alliances"].tolist()[:3] == [0.0, 0.0, 0.0] and np.isnan(out["alliances"].iloc[3])
    assert out["embeddedness"].tolist()[:3] == [65.0, 52.0, 40.0] and np.isnan(out["embeddedness"].iloc[3])
    np.testing.assert_allclose(out["embeddedness_log1p"].iloc[:3], np.log1p([65.0, 52.0, 40.0]))
    # alliances are all security ties (splitting scaled treaties would need the treaty record)
    out2 = apply_change(f, 2, "2003-03-20", TieChange(scale={"alliances": 0.5}))
    assert out2["embeddedness_security"].tolist()[:3] == [1.0, 1.0, 0.0]
    assert out2["embeddedness_nonsecurity"].tolist()[:3] == [70.0, 54.0, 40.0]
    # "all" x 0 leaves nothing; x 1 leaves everything exactly
    zero = apply_change(plain, 2, "2003-03-20", TieChange(scale={"alliances": 0, "treaties_bilateral": 0, "igos": 0}))
    assert zero["embeddedness"].tolist()[:3] == [0.0, 0.0, 0.0]
    same = apply_change(f, 2, "2003-03-20", TieChange(scale={"all": 1.0}))
    pd.testing.assert_frame_equal(same, f)


def test_z_scores_move_against_the_baseline_sd() -> None:
    f = _hand_frame().drop(columns=["embeddedness_nonsecurity", "embeddedness_security"])
    sd = {c: np.nanstd(f[c]) for c in ("alliances", "treaties_bilateral", "igos")}
    for c in sd:
        f[f"{c}_z"] = (f[c] - f[c].mean()) / sd[c]
    f["embeddedness_z"] = f[[f"{c}_z" for c in sd]].sum(axis=1, min_count=3)
    out = apply_change(f, 2, "2003-03-20", TieChange(scale={"igos": 0.5}))
    # igos halve: 60 -> 30 is a fall of 30 / sd(igos) = 30 / sqrt(125)
    assert out["igos_z"].iloc[0] == pytest.approx(f["igos_z"].iloc[0] - 30 / np.sqrt(125.0))
    assert out["embeddedness_z"].iloc[0] == pytest.approx(f["embeddedness_z"].iloc[0] - 30 / np.sqrt(125.0))


# ---------------------------------------------------------------- errors


def test_bad_changes_are_one_line_errors(usa_2008: pd.DataFrame, shared_data: Path) -> None:
    with pytest.raises(UnknownOptionError, match=r"unknown IGO 'WHOO'; closest: WHO"):
        apply_change(usa_2008, 2, DATE, TieChange(without_igos=["WHOO"]), data_dir=shared_data)
    with pytest.raises(CoverageError, match=r"not in IGO OPEC in 2007"):
        apply_change(usa_2008, 2, DATE, TieChange(without_igos=["OPEC"]), data_dir=shared_data)
    with pytest.raises(UnknownOptionError, match=r"unknown agreement 'UNCTAD:2935x'; closest .*UNCTAD:2935"):
        apply_change(usa_2008, 2, DATE, TieChange(without_agreements=["UNCTAD:2935x"]), data_dir=shared_data)
    with pytest.raises(UnknownOptionError, match=r"unknown alliance"):
        apply_change(usa_2008, 2, DATE, TieChange(without_agreements=["ATOP:99999"]), data_dir=shared_data)
    with pytest.raises(UnknownOptionError, match=r"'exercises' is not in the features"):
        apply_change(usa_2008, 2, DATE, TieChange(scale={"exercises": 0.5}), data_dir=shared_data)


def test_change_spec_errors() -> None:
    with pytest.raises(UnknownOptionError, match=r"must be a finite number >= 0, got -0.5"):
        TieChange(scale={"igos": -0.5})
    with pytest.raises(UnknownOptionError, match=r"unknown scale component 'treatys'"):
        TieChange(scale={"treatys": 0.5})
    with pytest.raises(UnknownOptionError, match=r"is not COMPONENT=FACTOR"):
        change_from_cli([], [], ["treaties"])
    with pytest.raises(UnknownOptionError, match=r"'half' is not a number"):
        change_from_cli([], [], ["igos=half"])
    c = change_from_cli(["WHO", "WHO", "UNESCO"], ["ATOP:3180"], ["treaties=0.5", "igos=0.25,alliances=0"])
    assert c.without_igos == ("WHO", "UNESCO") and c.without_agreements == ("ATOP:3180",)
    assert c.scale == {"treaties": 0.5, "igos": 0.25, "alliances": 0.0}
    assert change_from_cli([], [], ["all=1"]).is_empty and not c.is_empty


# ---------------------------------------------------------------- re-planning, end to end

MISSION = Path(__file__).resolve().parents[2] / "examples" / "missions" / "us_air_campaign.toml"
FAST = {"n_scenarios": 100, "n_reps": 0, "time_limit": 3.0}


@pytest.fixture(scope="module")
def air_inputs(shared_data: Path):
    from coalitionlab.planner.mission import load_mission
    from coalitionlab.planner.plan import build_inputs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_inputs(load_mission(MISSION), data_dir=shared_data)


def test_no_change_gives_exactly_zero(air_inputs, shared_data: Path) -> None:
    from coalitionlab.planner.counterfactual import counterfactual

    for change in (TieChange(), TieChange(scale={"all": 1.0})):
        res = counterfactual(air_inputs.mission, change, data_dir=shared_data, inputs=air_inputs, **FAST)
        assert list(res["outcome"]) == ["cost", "size", "shortfall_risk", "p_meets_requirements"]
        assert (res["difference"] == 0).all() and (res["before"] == res["after"]).all()
        assert res["before"].notna().all() and res.attrs["identical_inputs"]


def test_leaving_every_igo_costs_something(air_inputs, shared_data: Path) -> None:
    from coalitionlab.measures.embeddedness import ALLIANCE_IGOS
    from coalitionlab.planner.counterfactual import counterfactual

    # every IGO the USA belonged to in 2010 (COW IGO; the year read for a mission in March 2011),
    # alliance organisations left out (they are the alliances component)
    m = load("cow_igo", shared_data)
    mine = m[(m["ccode"] == 2) & (m["year"] == 2010) & m["status"].isin([1, 2])]["ioname"].astype(str)
    igos = sorted(set(mine) - set(ALLIANCE_IGOS))
    assert len(igos) > 60
    feats = air_inputs.features
    changed = apply_change(feats, 2, air_inputs.mission.date, TieChange(without_igos=igos), data_dir=shared_data)
    known = feats["igos"].notna()
    assert (changed.loc[known, "igos"] == 0).all()  # no joint IGO membership is left
    res = counterfactual(air_inputs.mission, TieChange(without_igos=igos), data_dir=shared_data,
                         inputs=air_inputs, **FAST).set_index("outcome")
    assert res.attrs["ties_lost"]["igos"] == feats.loc[known, "igos"].sum()
    assert res.loc["cost", "difference"] > 0 or res.loc["p_meets_requirements", "difference"] < 0


def test_value_of_diplomacy_example(shared_data: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    script = MISSION.parents[1] / "value_of_diplomacy.py"
    env = dict(os.environ, COALITIONLAB_CACHE=str(tmp_path / "cache"))
    proc = subprocess.run([sys.executable, str(script), str(MISSION), "--data-dir", str(shared_data),
                           "--years", "2011", "--factors", "1,0", "--scenarios", "50", "--time-limit", "2"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "data: full sources" in proc.stdout
    rows = [line.split() for line in proc.stdout.splitlines() if line.strip().startswith("2011")]
    assert [r[1] for r in rows] == ["1.000", "0.000"]
    assert float(rows[0][4]) == 0.0  # the year's actual ties: no change against themselves
    assert float(rows[1][2]) == 0.0  # factor 0: no embeddedness left


def test_on_the_seed_nato_is_the_north_atlantic_treaty() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e = embeddedness("USA", "2003-03-20", source="seed")
    out = apply_change(e, 2, "2003-03-20", TieChange(without_igos=["NATO"]))
    drop = e.set_index("ccode")["alliances"] - out.set_index("ccode")["alliances"]
    # NATO had 19 members in March 2003 (the seven of 2004 not yet in): 18 besides the USA
    assert set(drop[drop == 1].index) == {20, 200, 210, 211, 212, 220, 230, 235, 255, 290, 310, 316, 325, 350,
                                          385, 390, 395, 640}
    assert out.attrs["tie_change"]["as_alliances"] == ["SEED:North Atlantic Treaty"]
    with pytest.raises(UnknownOptionError, match="no treaty record"):
        apply_change(e, 2, "2003-03-20", TieChange(without_agreements=["UNCTAD:2935"]))


def test_plan_cli_counterfactual(shared_data: Path, tmp_path: Path) -> None:
    """`plan --scale all=0` on the air campaign: the CLI's table is the API's, and removing every tie
    removes the whole summed embeddedness; a malformed --scale is one line before any data is read."""
    import json

    from typer.testing import CliRunner

    from coalitionlab.cli.main import app

    runner = CliRunner()
    bad = runner.invoke(app, ["plan", str(MISSION), "--scale", "treaties:0.5"])
    assert bad.exit_code == 1 and "is not COMPONENT=FACTOR" in bad.output and "Traceback" not in bad.output
    res = runner.invoke(app, ["plan", str(MISSION), "--data-dir", str(shared_data), "--scale", "all=0",
                              "--reps", "0", "--scenarios", "50", "--format", "json"])
    assert res.exit_code == 0, res.output[-2000:]
    payload = json.loads(res.output[res.output.index("{"):])
    assert [r["outcome"] for r in payload["rows"]] == ["cost", "size", "shortfall_risk", "p_meets_requirements"]
    assert payload["attrs"]["embeddedness_before"] > 1000 and payload["attrs"]["embeddedness_after"] == 0
