"""Henke's channels on the absolute scale: hand computations, an LP oracle, comparative statics, bad input."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from coalitionlab.bargaining import (
    ChannelParams,
    EmbeddednessMapping,
    PartnerValuation,
    PriceParams,
    World,
    expected_outcomes,
    simulate,
)
from coalitionlab.bargaining.channels import (
    SCALE_CONSTANTS,
    check_channels,
    default_linkage_instruments,
    linkage_costs,
    scale_components,
)
from coalitionlab.bargaining.linkage import Instrument, cheapest_package
from coalitionlab.bargaining.world import ChannelWarning
from coalitionlab.errors import UnknownOptionError

SETTINGS = settings(max_examples=40, deadline=None)


def _world(frame: pd.DataFrame, **kw) -> World:
    kw.setdefault("lead", "USA")
    kw.setdefault("date", "2003-03-20")
    return World.from_frame(frame, **kw)


def _frame(alliances, treaties, igos, **extra) -> pd.DataFrame:
    a, t, i = (np.atleast_1d(np.asarray(v, float)) for v in (alliances, treaties, igos))
    return pd.DataFrame({"ccode": np.arange(len(a)) + 100, "alliances": a, "treaties_bilateral": t, "igos": i,
                         "embeddedness": a + t + i, **extra})


# ------------------------------------------------------------------ the absolute scale


def test_scale_by_hand_and_independent_of_the_other_candidates() -> None:
    f = _frame([2, 0, 8], [4, 0, 70], [50, 10, 98])
    e = scale_components(f)
    # e_c = 1 - exp(-count / k_c), k = 2, 4, 50; e = their mean
    by_hand = [(3 * (1 - math.exp(-1))) / 3, (0 + 0 + 1 - math.exp(-10 / 50)) / 3,
               (1 - math.exp(-4) + 1 - math.exp(-70 / 4) + 1 - math.exp(-98 / 50)) / 3]
    assert e["e"].to_numpy() == pytest.approx(by_hand, abs=1e-12)
    assert e.attrs["constants"] == {"alliances": 2.0, "treaties_bilateral": 4.0, "igos": 50.0, "embeddedness": 55.0}
    # a candidate's scale, precision and unit cost do not depend on who else is in the world ...
    whole = _world(f)
    alone = _world(f.iloc[[1]])
    for col in ("e", "precision"):
        assert alone.candidates[col].iloc[0] == pytest.approx(whole.candidates[col].iloc[1], abs=1e-15)
    assert alone.effective()["unit_cost"].iloc[0] == pytest.approx(whole.effective()["unit_cost"].iloc[1])
    # ... while the legacy max-rescaling does
    legacy_whole, legacy_alone = _world(f, scale="max"), _world(f.iloc[[1]], scale="max")
    assert legacy_alone.candidates["precision"].iloc[0] != pytest.approx(legacy_whole.candidates["precision"].iloc[1])


def test_total_only_frames_use_the_total_constant() -> None:
    f = pd.DataFrame({"ccode": [1, 2], "embeddedness": [55.0, 0.0]})
    assert scale_components(f)["e"].tolist() == pytest.approx([1 - math.exp(-1), 0.0])
    assert SCALE_CONSTANTS["embeddedness"] == 55.0


# ------------------------------------------------------------------ information


@SETTINGS
@given(e_low=st.floats(0, 150), extra=st.floats(0.5, 150), prior=st.sampled_from(["normal", "lognormal", "uniform"]))
def test_information_more_embedded_lead_gains_and_precision_rises(e_low: float, extra: float, prior: str) -> None:
    f = pd.DataFrame({"ccode": [1, 2], "embeddedness": [e_low, e_low + extra]})
    w = _world(f, prior=prior, channels="information", valuation="fixed",
               mapping=EmbeddednessMapping(price_mean=0.2 if prior == "lognormal" else 1.0))
    ex = w.expected()
    assert w.candidates["precision"].iloc[1] > w.candidates["precision"].iloc[0]
    # Blackwell: a more precise signal never lowers the lead's expected surplus
    assert ex["value"].iloc[1] >= ex["value"].iloc[0] - 1e-9


def test_information_lowers_the_expected_rent_from_zero_to_high_embeddedness() -> None:
    f = pd.DataFrame({"ccode": [1, 2], "embeddedness": [0.0, 300.0]})
    ex = _world(f, channels="information", valuation="fixed").expected()
    assert ex["rent"].iloc[1] < ex["rent"].iloc[0]
    # channel off: both candidates get the base precision and the same outcomes
    off = _world(f, channels="none", valuation="fixed").expected()
    assert off["rent"].iloc[0] == pytest.approx(off["rent"].iloc[1])


# ------------------------------------------------------------------ linkage


def test_linkage_cost_by_hand_and_against_the_linkage_lp() -> None:
    f = _frame([2, 0, 0, 1], [0, 4, 0, 1], [0, 0, 50, 30])
    s = scale_components(f)
    got = linkage_costs(s, default_linkage_instruments())
    e1 = 1 - math.exp(-1)
    # only an alliance: min(aid 1, security 0.7 (1 - 0.5 e1)); only treaties: 0.8 (1 - 0.5 e1);
    # only IGOs: 0.9 (1 - 0.4 e1)
    assert got["linkage_cost"].iloc[:3].tolist() == pytest.approx(
        [0.7 * (1 - 0.5 * e1), 0.8 * (1 - 0.5 * e1), 0.9 * (1 - 0.4 * e1)], abs=1e-12)
    assert got["instrument"].tolist()[:3] == ["security_guarantee", "trade_concession", "institutional_favour"]
    # the cheapest mix from model 5's LP (HiGHS) with each candidate's open instruments at their costs
    for i in range(len(f)):
        insts = [Instrument(name=inst.name, cost=float(got[f"cost_{inst.name}"].iloc[i]), value=1.0, cap=math.inf)
                 for inst in default_linkage_instruments() if not np.isnan(got[f"cost_{inst.name}"].iloc[i])]
        lp = cheapest_package(insts, reservation=3.0)
        assert lp.cost == pytest.approx(3.0 * got["linkage_cost"].iloc[i], rel=1e-9)


@SETTINGS
@given(alliances=st.integers(0, 8), treaties=st.integers(0, 70), igos=st.integers(0, 100), more=st.integers(1, 5))
def test_linkage_sharing_an_alliance_opens_security_and_weakly_lowers_cost(alliances, treaties, igos, more) -> None:
    f = _frame([0, alliances, alliances + more], [treaties] * 3, [igos] * 3)
    got = linkage_costs(scale_components(f), default_linkage_instruments())
    assert np.isnan(got["cost_security_guarantee"].iloc[0])
    assert not np.isnan(got["cost_security_guarantee"].iloc[2])
    c = got["linkage_cost"].to_numpy()
    assert c[1] <= c[0] + 1e-15 and c[2] <= c[1] + 1e-15
    # and the lead's cost of the same partner in a world with linkage on is never above aid's
    assert np.all(c <= 1.0)


# ------------------------------------------------------------------ credibility


def test_credibility_by_hand() -> None:
    f = pd.DataFrame({"ccode": [1, 2], "embeddedness": [0.0, -55.0 * math.log(0.5)]})  # e = 0 and 0.5
    eff = _world(f, channels="credibility", valuation="fixed").effective()
    rho = 1 - 0.7 * math.exp(-4 * 0.5)  # rho0 0.3, kappa 4
    assert eff["credibility"].tolist() == pytest.approx([0.3, rho])
    # rho > beta = 0.9: promise everything; a promise m worth 1 to the partner is m = 1/rho, costing beta/rho
    assert eff["credibility_cost"].tolist() == pytest.approx([1.0, 0.9 / rho])
    assert eff["unit_cost"].tolist() == pytest.approx([1.0, 0.9 / rho])


@SETTINGS
@given(e1=st.floats(0, 300), e2=st.floats(0, 300))
def test_credibility_higher_embeddedness_weakly_lowers_the_promise_and_its_cost(e1: float, e2: float) -> None:
    lo, hi = sorted((e1, e2))
    eff = _world(pd.DataFrame({"ccode": [1, 2], "embeddedness": [lo, hi]}), channels="credibility",
                 valuation="fixed").effective()
    promise = 1.0 / eff["credibility"].to_numpy()  # the promise worth one unit to the partner
    assert promise[1] <= promise[0] + 1e-12
    assert eff["unit_cost"].iloc[1] <= eff["unit_cost"].iloc[0] + 1e-12


# ------------------------------------------------------------------ brokers


@SETTINGS
@given(b1=st.floats(0, 0.999), b2=st.floats(0, 0.999))
def test_brokers_lower_cost_and_are_off_without_the_column(b1: float, b2: float) -> None:
    lo, hi = sorted((b1, b2))
    f = pd.DataFrame({"ccode": [1, 2], "embeddedness": [10.0, 10.0], "broker": [lo, hi], "broker_ccode": [20, 200]})
    w = _world(f, valuation="fixed")
    assert "brokers" in w.channels
    eff = w.effective("brokers")
    assert eff["unit_cost"].tolist() == pytest.approx([1 - 0.3 * lo, 1 - 0.3 * hi])
    assert eff["unit_cost"].iloc[1] <= eff["unit_cost"].iloc[0]


def test_brokers_absent_say_so() -> None:
    f = pd.DataFrame({"ccode": [1, 2], "embeddedness": [10.0, 20.0]})
    w = _world(f)
    assert "brokers" not in w.channels and "broker column" in w.notes["brokers"]
    with pytest.warns(ChannelWarning, match="broker"):
        sim = simulate(w, 50, seed=1, channels="information,brokers")
    assert sim.episodes.attrs["channels"] == ["information"] and "brokers" in sim.episodes.attrs["channels_off"]
    with pytest.raises(Exception, match=r"\[0, 1\)"):
        _world(f.assign(broker=[0.5, 1.2]))


# ------------------------------------------------------------------ rotten carrot


def test_rotten_carrot_more_embeddedness_lowers_the_join_rate_and_raises_the_cost_of_ignorance() -> None:
    f = pd.DataFrame({"ccode": [1, 2], "embeddedness": [5.0, 200.0]})
    honest = _world(f, channels="information", valuation="fixed").expected()
    carrot = _world(f, channels="information", valuation="fixed", channel_params=ChannelParams(bias_slope=2.0))
    biased = carrot.expected()
    # unbiased: the more embedded joins more often and costs the lead less in rent + lost deals
    loss = honest["full_information_value"] - honest["value"]
    assert honest["acceptance"].iloc[1] > honest["acceptance"].iloc[0] and loss.iloc[1] < loss.iloc[0]
    # biased: the over-embedded partner is underpriced, offers fail and the lead loses more
    loss_b = biased["full_information_value"] - biased["value"]
    assert biased["acceptance"].iloc[1] < biased["acceptance"].iloc[0]
    assert loss_b.iloc[1] > loss_b.iloc[0]
    # the exact (quadrature) biased outcomes agree with the simulation
    sim = simulate(carrot, 40_000, seed=5)
    se = np.sqrt(biased["acceptance"] * (1 - biased["acceptance"]) / 40_000)
    assert np.all(np.abs(sim.partners["join_rate"] - biased["acceptance"]) < 4.5 * se + 1e-12)


# ------------------------------------------------------------------ partner values


def test_marginal_values_at_the_fixed_point_by_hand() -> None:
    f = pd.DataFrame({"ccode": [2, 200], "embeddedness": [40.0, 40.0], "milper": [100.0, 300.0]})
    w = _world(f, valuation=PartnerValuation(mission_value=20.0, personnel_weight=1.0, capability_weight=0.0,
                                             legitimacy_weight=0.0), channels="none")
    eff = w.effective()
    assert eff["weight"].tolist() == pytest.approx([0.25, 0.75])  # personnel shares of the pool
    # acceptance of each candidate at its value, from model 4's own expected_outcomes
    a = np.array([expected_outcomes(PriceParams(prior="normal", mean=1.0, scale=0.5, precision=0.5, value=v))["acceptance"]
                  for v in eff["value"]])

    def p(k: float) -> float:
        return k / (k + 1.0)

    k = 1.0 + a @ np.array([0.25, 0.75])  # the lead plus the coalition's expected strength
    by_hand = 20.0 * (np.array([p(k + 0.25), p(k + 0.75)]) - p(k))
    assert eff["value"].to_numpy() == pytest.approx(by_hand, rel=1e-6)
    assert eff["value"].iloc[1] > eff["value"].iloc[0]  # the larger force is worth more
    # the win probability enters the decision: against a stronger target (T = 2; p'(K) = T / (K + T)^2) each
    # partner is worth something else, and its acceptance moves with its value
    hw = _world(f, target_strength=2.0, channels="none",
                valuation=PartnerValuation(mission_value=20.0, personnel_weight=1.0, capability_weight=0.0,
                                           legitimacy_weight=0.0))
    dv = hw.effective()["value"].to_numpy() - eff["value"].to_numpy()
    assert np.all(np.abs(dv) > 1e-3)
    moved = hw.expected()["acceptance"].to_numpy() - w.expected()["acceptance"].to_numpy()
    assert np.array_equal(np.sign(moved), np.sign(dv))


def test_regional_legitimacy_and_capability_default() -> None:
    f = pd.DataFrame({"ccode": [640, 200], "embeddedness": [40.0, 40.0], "cinc": [0.01, 0.01]})
    w = _world(f, target_ccode=645, channels="none")  # Iraq: Turkey (640) is in its region, the UK is not
    assert w.candidates["regional"].tolist() == [1.0, 0.0]
    assert w.candidates["capability"].tolist() == pytest.approx([1 - math.exp(-1)] * 2)
    assert w.candidates["weight"].iloc[0] > w.candidates["weight"].iloc[1]


# ------------------------------------------------------------------ simulate with channels


@pytest.mark.parametrize("channels", ["none", "linkage,credibility", "all"])
def test_simulation_agrees_with_exact_expectations_for_every_channel_set(channels: str) -> None:
    f = _frame([0, 1, 3, 0, 2], [0, 2, 9, 1, 0], [10, 30, 60, 20, 45], milper=[10.0, 50, 200, 5, 80])
    w = _world(f, channel_params=ChannelParams(bias_slope=0.5))
    exact = w.expected(channels=channels)
    sim = simulate(w, 20_000, seed=3, channels=channels)
    se = np.sqrt(exact["acceptance"] * (1 - exact["acceptance"]) / 20_000)
    assert np.all(np.abs(sim.partners["join_rate"] - exact["acceptance"]) < 4.5 * se + 1e-12)
    mean, sd = sim.summary.loc["lead_cost", "mean"], sim.summary.loc["lead_cost", "sd"]
    assert abs(mean - exact["payment"].sum()) < 4.5 * sd / np.sqrt(20_000)
    assert sim.episodes.attrs["channels"] == [c for c in check_channels(channels) if c != "brokers"]  # no column


def test_unknown_channel_and_bad_params() -> None:
    w = _world(pd.DataFrame({"ccode": [1], "embeddedness": [1.0]}))
    with pytest.raises(UnknownOptionError, match="unknown channel 'price'"):
        simulate(w, 10, seed=1, channels="information,price")
    with pytest.raises(ValidationError, match="bias_slope"):
        ChannelParams(bias_slope=-1)
    with pytest.raises(ValidationError, match="always open"):
        ChannelParams(instruments=default_linkage_instruments()[1:])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_channels(None) == ("information", "linkage", "credibility", "brokers")


def test_usa_and_france_worlds_share_one_scale(shared_data) -> None:
    from coalitionlab.bargaining import candidate_frame

    usa = candidate_frame("USA", "2003-03-20", data_dir=shared_data)
    fra = candidate_frame("FRA", "2013-01-11", data_dir=shared_data)
    wu, wf = _world(usa), _world(fra, date="2013-01-11")
    # the same counts give the same e in both worlds (the scale has no world-specific maximum)
    for w, f in ((wu, usa), (wf, fra)):
        e = scale_components(f)["e"].to_numpy()
        assert w.candidates["e"].to_numpy() == pytest.approx(e)
        assert 0 <= w.candidates["e"].min() and w.candidates["e"].max() < 1
    assert usa.attrs["capabilities_year"] == 2002 and usa["milper"].notna().sum() > 150
    # every channel saves: the lead's unit cost is never above the all-off baseline's
    assert (wu.effective()["unit_cost"] <= 1.0 + 1e-12).all()
    assert (wu.effective()["unit_cost"] < 1.0).mean() > 0.5


def test_channel_table_example_runs_on_the_full_sources(shared_data, tmp_path) -> None:
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "examples" / "channels_usa_2003.py"
    proc = subprocess.run([sys.executable, str(script), "--data-dir", str(shared_data), "--episodes", "2000"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "data: full sources" in out
    rows = {line.split("  ")[0].strip(): line.split() for line in out.splitlines()
            if line.startswith(("all on", "all off", "linkage off"))}
    assert set(rows) == {"all on", "all off", "linkage off"}
    # every channel off: fewer members at a higher cost per member than with every channel on
    assert float(rows["all off"][2]) < float(rows["all on"][2])
    assert float(rows["all off"][-2]) > 0
