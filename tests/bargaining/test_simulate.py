"""The World and the simulator: reproducibility, agreement with exact expectations, real inputs, bad input."""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from coalitionlab.bargaining import EmbeddednessMapping, World, simulate
from coalitionlab.errors import InfeasibleError, MissingValueWarning, PanelTypeError, UnknownOptionError
from coalitionlab.measures import embeddedness

sim_mod = importlib.import_module("coalitionlab.bargaining.simulate")  # the package exports the function


@pytest.fixture(scope="module")
def usa_2003(shared_data) -> pd.DataFrame:
    """Embeddedness of every state with the USA on the day the Iraq war began, from the full sources."""
    return embeddedness("USA", "2003-03-20", data_dir=shared_data)


def _frame(n: int = 12, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"ccode": np.arange(n) + 100, "embeddedness": rng.gamma(2.0, 20.0, n),
                         "troops": rng.integers(100, 5000, n)})


@pytest.mark.parametrize("prior", ["normal", "lognormal", "uniform"])
def test_same_seed_same_output_and_other_seed_differs(prior: str) -> None:
    world = World.from_frame(_frame(), lead="USA", date="2003-03-20", prior=prior,
                             mapping=EmbeddednessMapping(price_mean=0.2 if prior == "lognormal" else 1.0))
    a, b = simulate(world, 500, seed=7), simulate(world, 500, seed=7)
    pd.testing.assert_frame_equal(a.episodes, b.episodes)
    pd.testing.assert_frame_equal(a.partners, b.partners)
    assert not simulate(world, 500, seed=8).episodes.equals(a.episodes)


def test_the_chunk_size_never_changes_the_result(monkeypatch) -> None:
    world = World.from_frame(_frame(30), lead="USA", date="2003-03-20")
    block = sim_mod._BLOCK
    whole = simulate(world, 10_000, seed=1, chunk_episodes=10_000)  # every block in one chunk
    calls: list[int] = []
    chunked = simulate(world, 10_000, seed=1, chunk_episodes=1, progress=lambda done, total: calls.append(done))
    assert calls == [*range(block, 10_000, block), 10_000]  # one block per chunk, the last one partial
    pd.testing.assert_frame_equal(chunked.episodes, whole.episodes)
    pd.testing.assert_frame_equal(chunked.partners, whole.partners)
    pd.testing.assert_frame_equal(chunked.summary, whole.summary)
    # the cell budget picks the chunk when none is given: a tiny one gives the same numbers again
    monkeypatch.setattr(sim_mod, "_CELLS_PER_CHUNK", 30 * 97)
    pd.testing.assert_frame_equal(simulate(world, 10_000, seed=1).partners, whole.partners)
    # the streamed run (episodes not kept) is chunk-independent as well
    a = simulate(world, 10_000, seed=1, keep_episodes=0, chunk_episodes=1)
    b = simulate(world, 10_000, seed=1, keep_episodes=0, chunk_episodes=3 * block)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    pd.testing.assert_frame_equal(a.partners, whole.partners)


def test_episode_draws_come_from_their_block_child_of_the_seed() -> None:
    """Oracle: the first block's draws made by hand from SeedSequence(5).spawn(2)[0] give its episodes."""
    world = World.from_frame(_frame(4), lead="USA", date="2003-03-20")
    block = sim_mod._BLOCK
    sim = simulate(world, block + 10, seed=5)
    child = np.random.SeedSequence(5).spawn(2)[1]  # block 1 holds the last 10 episodes
    rng = np.random.default_rng(child)
    u, z = rng.standard_normal((10, 4)), rng.standard_normal((10, 4))
    accepted, payment, *_ = sim_mod._chunk("normal", _params(world), 10, (u, z))
    assert sim.episodes["coalition_size"].iloc[block:].tolist() == accepted.sum(axis=1).astype(int).tolist()
    assert sim.episodes["lead_cost"].iloc[block:].to_numpy() == pytest.approx(payment.sum(axis=1) * world.payment_scale)


def _params(world: World) -> dict[str, np.ndarray]:
    eff = world.effective(None)
    p = {k: world.candidates[k].to_numpy(float) for k in ("price_mean", "price_scale", "weight")}
    p.update({k: eff[k].to_numpy(float) for k in ("precision", "bias", "unit_cost", "value")})
    p["reoffer_in_value"] = world.channel_params.reoffer_cost / p["unit_cost"]
    return p


def test_streamed_summary_matches_the_kept_episodes_within_the_bucket_width() -> None:
    world = World.from_frame(_frame(25), lead="USA", date="2003-03-20")
    kept = simulate(world, 30_000, seed=4)
    streamed = simulate(world, 30_000, seed=4, keep_episodes=1000)
    assert streamed.episodes.empty and not streamed.summary.attrs["episodes_kept"]
    ep = kept.episodes
    for m in ("lead_cost", "information_rent", "win_probability", "efficiency_loss"):
        x = ep[m].to_numpy()
        row = streamed.summary.loc[m]
        assert row["mean"] == pytest.approx(x.mean(), rel=1e-12)
        assert row["sd"] == pytest.approx(x.std(ddof=1), rel=1e-9)
        for q in (0.05, 0.5, 0.95):  # numpy's quantile on the kept values, within half a bucket (0.05%)
            assert row[f"q{round(q * 100):02d}"] == pytest.approx(np.quantile(x, q), rel=6e-4)
    size = ep["coalition_size"].to_numpy()
    assert [streamed.summary.loc["coalition_size", f"q{k:02d}"] for k in (5, 50, 95)] == \
        [np.quantile(size, q) for q in (0.05, 0.5, 0.95)]  # whole numbers: exact


def test_streaming_memory_does_not_grow_with_the_episodes() -> None:
    """Peak traced allocations (numpy reports to tracemalloc) for 8x the episodes stay within 10%."""
    import tracemalloc

    world = World.from_frame(_frame(10), lead="USA", date="2003-03-20")
    peaks = []
    for episodes in (40_000, 320_000):
        tracemalloc.start()
        simulate(world, episodes, seed=1, keep_episodes=0, chunk_episodes=8192)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 1.1 * peaks[0]
    tracemalloc.start()  # kept episodes: the same runs grow (the test can fail)
    simulate(world, 320_000, seed=1, chunk_episodes=8192)
    kept_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert kept_peak > peaks[1] + 320_000 * 6 * 8


@pytest.mark.parametrize("prior", ["normal", "lognormal", "uniform"])
def test_simulation_agrees_with_exact_expectations(prior: str) -> None:
    world = World.from_frame(_frame(), lead="USA", date="2003-03-20", prior=prior, payment_scale=1e9,
                             payment_unit="USD",
                             mapping=EmbeddednessMapping(price_mean=0.2 if prior == "lognormal" else 1.0))
    episodes = 20_000
    sim = simulate(world, episodes, seed=3)
    exact = world.expected()
    se = np.sqrt(exact["acceptance"] * (1 - exact["acceptance"]) / episodes)
    assert np.all(np.abs(sim.partners["join_rate"] - exact["acceptance"]) < 4.5 * se + 1e-12)
    for measure, column in (("lead_cost", "payment"), ("information_rent", "rent"),
                            ("efficiency_loss", "efficiency_loss")):
        mean, sd = sim.summary.loc[measure, "mean"], sim.summary.loc[measure, "sd"]
        assert abs(mean - exact[column].sum()) < 4.5 * sd / np.sqrt(episodes)
    assert sim.episodes["win_probability"].between(0, 1).all()
    assert sim.episodes.attrs["payment_unit"] == "USD"


def test_win_probability_follows_the_contest_function() -> None:
    frame = _frame(5)
    world = World.from_frame(frame, lead="USA", date="2003-03-20", weight_column="troops", lead_strength=2.0,
                             target_strength=1.5, decisiveness=2.0)
    sim = simulate(world, 200, seed=2)
    # an episode with the whole pool (weights sum to 1) and one with nobody bound the win probability
    top = (3.0**2) / (3.0**2 + 1.5**2)
    bottom = (2.0**2) / (2.0**2 + 1.5**2)
    assert sim.episodes["win_probability"].between(bottom - 1e-12, top + 1e-12).all()
    full = sim.episodes["coalition_size"] == 5
    if full.any():
        assert np.allclose(sim.episodes.loc[full, "win_probability"], top)


def test_embedded_states_join_more_often_on_real_data(usa_2003: pd.DataFrame) -> None:
    world = World.from_frame(usa_2003, lead="USA", date="2003-03-20")
    assert world.n == len(usa_2003) and not world.is_seed
    sim = simulate(world, 2000, seed=1)
    # every channel (precision, credibility, linkage) rises with the absolute embeddedness e (the mean of the
    # scaled components; the first edition's test used the raw total, on which only the information channel ran)
    e = world.candidates["e"].to_numpy()
    rho = np.corrcoef(e, sim.partners["join_rate"])[0, 1]
    assert rho > 0.8
    top = sim.partners.assign(e=e).nlargest(10, "e")["join_rate"].mean()
    bottom = sim.partners.assign(e=e).nsmallest(10, "e")["join_rate"].mean()
    assert top > bottom + 0.05


def test_p_join_calibration_reproduces_the_participation_model(usa_2003: pd.DataFrame) -> None:
    frame = usa_2003.assign(p_join=np.clip(0.1 + usa_2003["embeddedness"] / 100, 0.05, 0.95))
    world = World.from_frame(frame, lead="USA", date="2003-03-20")
    exact = world.expected()
    assert np.max(np.abs(exact["acceptance"].to_numpy() - world.candidates["p_join"].to_numpy())) < 1e-9


def test_bad_input() -> None:
    with pytest.raises(PanelTypeError, match="embeddedness"):
        World.from_frame(pd.DataFrame({"ccode": [2]}), lead="USA", date="2003-03-20")
    with pytest.raises(ValidationError, match="payment_scale"):
        World.from_frame(_frame(), lead="USA", date="2003-03-20", payment_scale=-1.0)
    with pytest.raises(ValidationError, match="price_scale"):
        EmbeddednessMapping(price_scale=0)
    with pytest.raises(UnknownOptionError, match="gamma"):
        World.from_frame(_frame(), lead="USA", date="2003-03-20", prior="gamma")
    with pytest.raises(InfeasibleError, match="p_join"):
        World.from_frame(_frame().assign(p_join=1.2), lead="USA", date="2003-03-20")
    with pytest.raises(InfeasibleError, match="episodes"):
        simulate(World.from_frame(_frame(), lead="USA", date="2003-03-20"), 0, seed=1)
    with pytest.warns(MissingValueWarning, match="dropped 1"):
        World.from_frame(_frame().assign(embeddedness=[np.nan] + [1.0] * 11), lead="USA", date="2003-03-20")
    with pytest.raises(InfeasibleError, match="embeddedness"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        World.from_frame(_frame().assign(embeddedness=np.nan), lead="USA", date="2003-03-20")


def test_duplicated_candidates_and_missing_p_join_are_clear(usa_2003: pd.DataFrame) -> None:
    # a frame doubled by a bad join would count every doubled state twice in the coalition and its strength
    doubled = pd.concat([usa_2003, usa_2003.head(3)], ignore_index=True)
    with pytest.raises(PanelTypeError, match=r"duplicated ccode.*\b20\b"):
        World.from_frame(doubled, lead="USA", date="2003-03-20")
    # a missing P(join) is named as missing, not reported as a range of valid values
    frame = usa_2003.assign(p_join=np.where(usa_2003["ccode"] == 20, np.nan, 0.1))
    with pytest.raises(InfeasibleError, match="1 missing"):
        World.from_frame(frame, lead="USA", date="2003-03-20")


def test_reoffers_are_reproducible_across_chunks_and_counted_in_the_lead_cost(monkeypatch) -> None:
    from coalitionlab.bargaining import ChannelParams

    world = World.from_frame(_frame(8), lead="USA", date="2003-03-20",
                             channel_params=ChannelParams(bias_slope=1.5, max_offers=4, reoffer_cost=0.3))
    whole = simulate(world, 9000, seed=2)
    chunked = simulate(world, 9000, seed=2, chunk_episodes=1)  # 3 chunks: the same seed, the same output
    pd.testing.assert_frame_equal(chunked.episodes, whole.episodes)
    pd.testing.assert_frame_equal(chunked.partners, whole.partners)
    ep, pa = whole.episodes, whole.partners
    assert ep["reoffers"].max() <= 3 * world.n and ep["reoffers"].mean() > 0
    # per episode, the lead's cost is the payments plus 0.3 per re-offer; summed over partners the means agree
    assert ep["lead_cost"].mean() == pytest.approx((pa["mean_payment"] + 0.3 * pa["mean_reoffers"]).sum(), rel=1e-12)
    joined = pa["join_rate"] * 9000
    assert pa["cost_per_member"].to_numpy() == pytest.approx(
        ((pa["mean_payment"] + 0.3 * pa["mean_reoffers"]) * 9000 / joined).to_numpy(), rel=1e-12)
    # one offer: never a re-offer, and the episodes are those of the first edition's draws
    one = World.from_frame(_frame(8), lead="USA", date="2003-03-20", channel_params=ChannelParams(bias_slope=1.5))
    assert simulate(one, 500, seed=2).episodes["reoffers"].eq(0).all()
