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
from coalitionlab.errors import InfeasibleError, UnknownOptionError

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

CARROT = {"max_offers": 3, "reoffer_cost": 0.2}


def _carrot_world(e_levels, bias: float, **kw) -> World:
    """Stylised candidates at absolute embeddedness ``e_levels`` (total only: e = 1 - exp(-x / 55)), the
    information channel only and a fixed value 2 each (default mean price 1, sd 0.5, precision 0.5 + 4 e)."""
    f = pd.DataFrame({"ccode": np.arange(len(e_levels)) + 1, "embeddedness": -55.0 * np.log1p(-np.asarray(e_levels))})
    return _world(f, channels="information", valuation="fixed", channel_params=ChannelParams(bias_slope=bias, **kw))


def _oracle(mean, sd, precision, bias, value, max_offers, cost):
    """Acceptance, payment and re-offers of one candidate by brute force: scipy's bounded Brent for each
    offer, scipy.stats for the probabilities, adaptive quadrature over the signal (no package code)."""
    from functools import lru_cache

    from scipy import integrate, optimize, stats

    s, k = sd / math.sqrt(1 + precision), sd * math.sqrt(precision / (1 + precision))

    @lru_cache(maxsize=None)
    def at(u: float):
        mu = mean + k * u
        believed, true = stats.norm(mu - precision * bias / (1 + precision), s), stats.norm(mu, s)
        offers = [optimize.minimize_scalar(lambda t: -believed.cdf(t) * (value - t), bounds=(0.0, value),
                                           method="bounded", options={"xatol": 1e-10}).x]
        while len(offers) < max_offers:
            lo = offers[-1]  # refused: the price is above lo
            res = optimize.minimize_scalar(lambda t: math.expm1(believed.logsf(t) - believed.logsf(lo)) * (value - t),
                                           bounds=(lo, value), method="bounded", options={"xatol": 1e-10})
            if -res.fun <= cost or res.x <= lo:
                break
            offers.append(res.x)
        cuts = [0.0] + [true.cdf(t) for t in offers]
        payment = sum(t * (cuts[i + 1] - cuts[i]) for i, t in enumerate(offers))
        return cuts[-1], payment, sum(true.sf(t) for t in offers[:-1])

    return [integrate.quad(lambda u: at(round(u, 12))[i] * stats.norm.pdf(u), -8, 8, limit=400, epsabs=1e-7)[0]
            for i in range(3)]


def test_rotten_carrot_exact_outcomes_against_a_brute_force_oracle() -> None:
    # e = 0.95: precision 0.5 + 4 (0.95) = 4.3, bias 2 x 0.95 x 0.5 = 0.95 price units
    w = _carrot_world([0.95], 2.0, **CARROT)
    ex = w.expected()
    acc, payment, reoffers = _oracle(1.0, 0.5, 4.3, 0.95, 2.0, 3, 0.2)
    assert ex["acceptance"].iloc[0] == pytest.approx(acc, abs=2e-3)
    assert ex["payment"].iloc[0] == pytest.approx(payment, abs=2e-3)
    assert ex["reoffers"].iloc[0] == pytest.approx(reoffers, abs=4e-3)
    # the surplus accounts: value + rent + lost deals + re-offer costs = the full-information value
    total = ex["value"] + ex["rent"] + ex["efficiency_loss"] + ex["reoffer_cost"]
    assert total.iloc[0] == pytest.approx(ex["full_information_value"].iloc[0], abs=1e-9)


def test_rotten_carrot_backfires_beyond_some_embeddedness_only_with_the_bias() -> None:
    # Henke's Turkey, 2003: the lead misjudges a deeply embedded partner's price, offers too little, is
    # refused, re-offers at a cost and may still fail. Seeded simulation, 60,000 episodes (standard error
    # of a failure rate below 0.002), three candidates at e = 0, 0.4 and 0.95.
    levels, n = [0.0, 0.4, 0.95], 60_000
    out = {}
    for bias in (0.0, 2.0):
        w = _carrot_world(levels, bias, **CARROT)
        sim = simulate(w, n, seed=20030301)
        p = sim.partners
        out[bias] = (1 - p["join_rate"].to_numpy(), p["cost_per_member"].to_numpy())
        # the simulation agrees with the exact (quadrature) outcomes
        ex = w.expected()
        se = np.sqrt(ex["acceptance"] * (1 - ex["acceptance"]) / n)
        assert np.all(np.abs(p["join_rate"] - ex["acceptance"]) < 4.5 * se)
        exact_cpm = ((ex["payment"] + ex["reoffer_cost"]) / ex["acceptance"]).to_numpy()
        assert p["cost_per_member"].to_numpy() == pytest.approx(exact_cpm, abs=0.01)
    fail0, cost0 = out[0.0]
    fail2, cost2 = out[2.0]
    # unbiased: more embeddedness (a more precise signal) never raises the failure rate or the cost per member
    assert fail0[0] > fail0[1] > fail0[2] and cost0[0] > cost0[1] > cost0[2]
    # biased: both fall up to some level and rise beyond it (exact values: failure 0.144, 0.120, 0.524;
    # cost per member 1.296, 1.214, 1.516)
    assert fail2[1] < fail2[0] and fail2[2] > fail2[1] + 0.3
    assert cost2[1] < cost2[0] and cost2[2] > cost2[1] + 0.2
    # at e = 0 the bias is 0: the same outcome
    assert fail2[0] == pytest.approx(fail0[0], abs=0.01)


def test_rotten_carrot_with_one_offer_fails_more_but_pays_less_per_member() -> None:
    # a single take-it-or-leave-it offer: the backfire is in the failure rate only; the biased lead
    # pays less per recruit because only the cheapest partners take its low offers
    honest, biased = (_carrot_world([0.0, 0.4, 0.95], b).expected() for b in (0.0, 2.0))
    assert (1 - biased["acceptance"]).iloc[2] > (1 - biased["acceptance"]).iloc[1] > (1 - honest["acceptance"]).iloc[1]
    assert (1 - honest["acceptance"]).is_monotonic_decreasing
    per = biased["payment"] / biased["acceptance"]
    assert per.iloc[2] < per.iloc[1] < per.iloc[0]
    assert biased["reoffers"].eq(0).all()


def test_reoffers_need_the_normal_prior() -> None:
    f = pd.DataFrame({"ccode": [1], "embeddedness": [10.0]})
    with pytest.raises(InfeasibleError, match="normal prior"):
        _world(f, prior="uniform", channel_params=ChannelParams(max_offers=2))
    with pytest.raises(ValidationError, match="max_offers"):
        ChannelParams(max_offers=0)


# ------------------------------------------------------------------ partner values


def _acceptance_by_quadrature(mean: float, scale: float, precision: float, value: float) -> float:
    """P(the partner accepts the optimal offer) under a normal prior, without the package: the signal
    x ~ N(mean, scale^2 (1 + 1/precision)) by 120-point Gauss-Hermite; for each x the normal posterior
    (mean + precision x)/(1 + precision), sd scale/sqrt(1 + precision); the offer mu + s z*, z* the brentq root
    of z + Phi(z)/phi(z) = (value - mu)/s, floored at 0; the partner accepts with probability Phi((t - mu)/s)."""
    from scipy import optimize, stats

    nodes, weights = np.polynomial.hermite_e.hermegauss(120)
    s = scale / math.sqrt(1 + precision)
    total = 0.0
    for u, w in zip(nodes, weights):
        x = mean + scale * math.sqrt(1 + 1 / precision) * u
        mu = (mean + precision * x) / (1 + precision)
        k = (value - mu) / s
        z = optimize.brentq(lambda z, k=k: z + math.exp(stats.norm.logcdf(z) - stats.norm.logpdf(z)) - k, -60, 37,
                            xtol=1e-14)
        total += w * stats.norm.cdf((max(mu + s * z, 0.0) - mu) / s)
    return total / math.sqrt(2 * math.pi)


def test_marginal_values_at_the_fixed_point_by_hand() -> None:
    f = pd.DataFrame({"ccode": [2, 200], "embeddedness": [40.0, 40.0], "milper": [100.0, 300.0]})
    w = _world(f, valuation=PartnerValuation(mission_value=20.0, personnel_weight=1.0, capability_weight=0.0,
                                             legitimacy_weight=0.0), channels="none")
    eff = w.effective()
    assert eff["weight"].tolist() == pytest.approx([0.25, 0.75])  # personnel shares of the pool
    # acceptance of each candidate at its value, integrated here over the lead's signal (not by model 4's code)
    a = np.array([_acceptance_by_quadrature(1.0, 0.5, 0.5, v) for v in eff["value"]])
    assert a == pytest.approx([expected_outcomes(PriceParams(prior="normal", mean=1.0, scale=0.5, precision=0.5,
                                                                value=v))["acceptance"] for v in eff["value"]], abs=1e-7)

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
    assert "one fixed world (same prices, same seed)" in out
    # the rotten carrot's mechanism table (exact, so independent of the episodes): e, failure 1 offer bias 0 / 2,
    # failure 3 offers bias 0 / 2, cost per member bias 0 / 2
    grid = {line.split()[0]: [float(x) for x in line.split()[1:]] for line in out.splitlines()
            if line.startswith(("0.400 ", "0.950 "))}
    assert grid["0.950"][3] > grid["0.400"][3] + 0.3 and grid["0.950"][5] > grid["0.400"][5] + 0.2
    assert grid["0.950"][2] < grid["0.400"][2] and grid["0.950"][4] < grid["0.400"][4]
    assert "Turkey (e = 0.53)" in out


# ------------------------------------------------------------------ one fixed world


def _calibrated_frame() -> pd.DataFrame:
    f = _frame([0, 1, 3, 0, 2, 1], [0, 2, 9, 1, 0, 4], [10, 30, 60, 20, 45, 38], milper=[10.0, 50, 200, 5, 80, 30])
    return f.assign(p_join=[0.1, 0.35, 0.8, 0.05, 0.5, 0.3],
                    broker=[0.1, 0.4, 0.6, 0.0, 0.5, 0.3], broker_ccode=[2, 2, 20, 2, 20, 20])


@pytest.mark.parametrize("channels", ["none", "information", "linkage,credibility", "brokers", "all"])
def test_switching_channels_off_never_changes_the_calibrated_prices(channels: str) -> None:
    f = _calibrated_frame()
    world = _world(f)
    prices = world.candidates["price_mean"].to_numpy().copy()
    # the world reproduces p_join with every channel on (the calibration)
    assert world.expected()["acceptance"].to_numpy() == pytest.approx(f["p_join"].to_numpy(), abs=1e-8)
    assert world.assumptions["calibrated_with"]["channels"] == ["information", "linkage", "credibility", "brokers"]
    sim = simulate(world, 200, seed=4, channels=channels)
    assert np.array_equal(sim.partners["price_mean"].to_numpy(), prices)
    assert np.array_equal(world.candidates["price_mean"].to_numpy(), prices)
    # a biased lead or re-offers are experiments in the same world: same prices
    for params in (ChannelParams(bias_slope=2.0), ChannelParams(max_offers=3, reoffer_cost=0.1)):
        assert np.array_equal(_world(f, channel_params=params).candidates["price_mean"].to_numpy(), prices)
    # what the fix prevents: a world calibrated with the subset has other prices (unless it is every channel)
    other = _world(f, channels=channels).candidates["price_mean"].to_numpy()
    assert np.array_equal(other, prices) == (channels == "all")


def test_compare_channels_uses_one_world_and_one_seed() -> None:
    from coalitionlab.bargaining.simulate import compare_channels

    world = _world(_calibrated_frame())
    table = compare_channels(world, 3000, seed=9)
    assert table.index.tolist() == ["all on", "information off", "linkage off", "credibility off", "brokers off",
                                    "all off"]
    assert table.attrs["fixed_world"] and table.attrs["calibrated_with"]["channels"] == list(world.channels)
    # each row equals a plain simulate() of the same world with the same seed and those channels
    one = simulate(world, 3000, seed=9, channels=("information", "credibility", "brokers")).summary["mean"]
    assert table.loc["linkage off", "lead_cost"] == pytest.approx(one["lead_cost"], rel=1e-12)
    assert table.loc["linkage off", "members"] == pytest.approx(one["coalition_size"], rel=1e-12)
    assert table.loc["all on", "saved_per_member"] == 0.0
    with pytest.raises(InfeasibleError, match="Generator"):
        compare_channels(world, 10, seed=np.random.default_rng(1))


# ------------------------------------------------------------------ bad channel lists, notes, constants


@pytest.mark.parametrize("text", [",", "", " , ,"])
def test_an_empty_channel_list_is_one_line_listing_the_channels(text: str) -> None:
    with pytest.raises(UnknownOptionError, match="valid channels: information, linkage, credibility, brokers"):
        check_channels(text)
    with pytest.raises(UnknownOptionError, match="valid channels"):
        check_channels("information,bribery")
    assert check_channels(()) == () and check_channels("none") == ()


def test_missing_personnel_and_broker_values_are_noted_not_silently_zero() -> None:
    f = pd.DataFrame({"ccode": [1, 2, 3, 4], "embeddedness": [10.0, 20.0, 30.0, 40.0],
                      "milper": [10.0, np.nan, 30.0, np.nan], "broker": [0.2, np.nan, 0.5, 0.1]})
    w = _world(f)
    assert w.notes["personnel_missing"].startswith("2 of 4 candidates have no value in milper: counted as 0")
    assert w.notes["broker_missing"].startswith("1 of 4 candidates have no value in broker: counted as 0")
    assert w.candidates["personnel"].isna().sum() == 2  # the frame keeps NaN; the weight counts 0
    assert w.candidates["weight"].iloc[1] == 0.0 and w.candidates["broker"].iloc[1] == 0.0
    sim = simulate(w, 20, seed=1)
    assert sim.partners.attrs["notes"]["personnel_missing"] == w.notes["personnel_missing"]
    # nothing missing, nothing noted
    full = _world(f.fillna({"milper": 5.0, "broker": 0.3}))
    assert "personnel_missing" not in full.notes and "broker_missing" not in full.notes


def test_scale_constants_from_a_panel_by_hand_and_one_total_scale() -> None:
    from coalitionlab.bargaining.channels import scale_constants_from_panel
    from coalitionlab.measures.network import TIE_SCALE

    panel = pd.DataFrame({"start_date": pd.to_datetime(["1990-01-01"] * 5 + ["2010-01-01"] * 5),
                          "alliances": [0, 1, 1, 2, 3, 0, 0, 5, 6, 7],
                          "embeddedness": [0.0, 10, 20, 30, 40, 50, 60, 70, 80, 90]})
    got = scale_constants_from_panel(panel, quantile=0.5).set_index("component")
    # positive alliances 1 1 2 3 5 6 7: median 3; positive totals 10 .. 90: median 50
    assert got.loc["alliances", "k"] == 3.0 and got.loc["alliances", "n_positive"] == 7
    assert got.loc["embeddedness", "k"] == 50.0
    early = scale_constants_from_panel(panel, quantile=0.5, until="2000-01-01").set_index("component")
    assert early.loc["alliances", "k"] == 1.5 and early.loc["embeddedness", "k"] == 25.0  # 1 1 2 3; 10 .. 40
    with pytest.raises(InfeasibleError, match="quantile"):
        scale_constants_from_panel(panel, quantile=1.0)
    with pytest.raises(Exception, match="component columns"):
        scale_constants_from_panel(panel[["start_date"]])
    # the channels' total and the broker network read a count of ties on one scale, defined once
    assert SCALE_CONSTANTS["embeddedness"] == TIE_SCALE == 55.0
    assert got.loc["embeddedness", "k_default"] == TIE_SCALE
