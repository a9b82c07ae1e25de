"""What each of Henke's channels saves the USA in building the Iraq coalition of 2003 (a simulation).

Builds the world of the USA on 2003-03-20 from the full sources (embeddedness on the absolute scale,
NMC armed forces and CINC for 2002, broker scores from the tie network, regional legitimacy with Iraq
as the target). The world is built once and kept fixed: every run below uses the same prices and the
same seed, and only switches channels off (or, in the second table, biases the lead).

1. Channels: every channel on, each channel off in turn, all off (the baseline). For each run: the
   mean coalition size, the win probability, the lead's cost, the cost per member, and the lead's
   payoff (value of success times the win probability, minus the cost); "saved_per_member" is what
   switching the channel off costs the lead per member, "payoff_lost" what it costs in payoff.
2. The rotten carrot, the mechanism: one stylised candidate (the default constants: value 2, mean
   price 1, sd 0.5, precision 0.5 + 4 e; information channel only) at each level of e, up to three
   offers and a cost of 0.2 per re-offer, with an unbiased lead (bias 0) and with a lead that
   under-estimates the price of its most embedded partners (bias 2); exact (quadrature) failure
   rate and cost per recruited member (payments and re-offers), and the failure rate with one offer.
3. The rotten carrot in the USA world: every channel on, the same offers and costs, bias 0 and 2;
   by band of e, the failure rate and the cost per recruited member (simulated, same seed), and
   Turkey's row.

Run:  python examples/channels_usa_2003.py --data-dir ../shared/data [--episodes 20000] [--seed 1]

See docs/bargaining/channels.md.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd

from coalitionlab.bargaining import ChannelParams, World, candidate_frame, simulate
from coalitionlab.bargaining.simulate import compare_channels
from coalitionlab.errors import StaleDataWarning

LEAD, DATE, TARGET = "USA", "2003-03-20", 645  # Iraq
BANDS = [0.0, 0.2, 0.3, 0.4, 0.5, 1.0]  # of the absolute embeddedness e
CARROT = {"max_offers": 3, "reoffer_cost": 0.2}


def _bands(frame: pd.DataFrame, bias: float, episodes: int, seed: int) -> pd.DataFrame:
    """Failure rate and cost per recruited member by band of e, with the lead's bias ``bias``.

    The frame has no ``p_join``, so the prices come from the default mapping and are the same for
    every bias: only the lead's reading of them changes."""
    w = World.from_frame(frame, lead=LEAD, date=DATE, target_ccode=TARGET,
                         channel_params=ChannelParams(bias_slope=bias, **CARROT))
    sim = simulate(w, episodes, seed=seed).partners
    sim["e"] = w.candidates["e"].to_numpy()
    sim["cost"] = sim["mean_payment"] + CARROT["reoffer_cost"] * sim["mean_reoffers"]
    sim["band"] = pd.cut(sim["e"], BANDS, right=False)
    g = sim.groupby("band", observed=True)
    out = pd.DataFrame({"candidates": g.size(), "failure": 1 - g["join_rate"].mean(),
                        "reoffers": g["mean_reoffers"].sum() / g.size(),
                        "cost_per_member": g["cost"].sum() / g["join_rate"].sum()})
    turkey = sim.loc[sim["ccode"] == 640].iloc[0]
    out.loc[f"Turkey (e = {turkey['e']:.2f})"] = [1, 1 - turkey["join_rate"], turkey["mean_reoffers"],
                                                  turkey["cost"] / turkey["join_rate"]]
    return out


def _mechanism() -> pd.DataFrame:
    """Exact failure rate and cost per recruited member of one stylised candidate over a grid of e."""
    e = np.array([0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95])
    grid = pd.DataFrame({"ccode": np.arange(len(e)) + 1, "embeddedness": -55.0 * np.log1p(-e)})  # e = 1 - exp(-x/55)
    out = pd.DataFrame({"e": e})
    for bias in (0.0, 2.0):
        for label, kw in (("3 offers", CARROT), ("1 offer", {})):
            w = World.from_frame(grid, lead=LEAD, date=DATE, channels="information", valuation="fixed",
                                 channel_params=ChannelParams(bias_slope=bias, **kw))
            ex = w.expected()
            out[f"failure, {label}, bias {bias:g}"] = 1 - ex["acceptance"].to_numpy()
            if kw:
                cost = (ex["payment"] + ex["reoffer_cost"]) / ex["acceptance"]
                out[f"cost/member, bias {bias:g}"] = cost.to_numpy()
    order = ["failure, 1 offer, bias 0", "failure, 1 offer, bias 2", "failure, 3 offers, bias 0",
             "failure, 3 offers, bias 2", "cost/member, bias 0", "cost/member, bias 2"]
    return out.set_index("e")[order]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="directory with the full sources")
    parser.add_argument("--episodes", type=int, default=20_000, help="simulated episodes per run")
    parser.add_argument("--seed", type=int, default=1, help="seed (the same for every run)")
    args = parser.parse_args(argv)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleDataWarning)
        frame = candidate_frame(LEAD, DATE, data_dir=args.data_dir)
    world = World.from_frame(frame, lead=LEAD, date=DATE, target_ccode=TARGET)
    data = "embedded seed" if world.is_seed else "full sources"
    print(f"{LEAD} on {DATE}: {world.n} candidates, data: {data}; channels available: {', '.join(world.channels)}")
    print(f"scale constants k: {world.assumptions['scale_constants']}; value of success W = {world.mission_value:.1f} "
          f"price units; NMC year {frame.attrs.get('capabilities_year')}")
    print("notes: " + "; ".join(f"{k}: {v}" for k, v in world.notes.items()))

    table = compare_channels(world, args.episodes, seed=args.seed)
    print("\n1. channels switched off in one fixed world (same prices, same seed)")
    with pd.option_context("display.width", 140, "display.float_format", "{:.3f}".format):
        print(table.drop(columns=["channels", "reoffers"]).to_string())

    print(f"\n2. rotten carrot, the mechanism: one stylised candidate, up to {CARROT['max_offers']} offers, "
          f"{CARROT['reoffer_cost']} per re-offer (exact)")
    with pd.option_context("display.width", 250, "display.float_format", "{:.3f}".format):
        print(_mechanism().to_string())

    print(f"\n3. rotten carrot in the USA world, every channel on, up to {CARROT['max_offers']} offers, "
          f"{CARROT['reoffer_cost']} per re-offer (same prices, same seed)")
    honest, biased = (_bands(frame, b, args.episodes, args.seed) for b in (0.0, 2.0))
    both = pd.concat({"bias 0": honest, "bias 2": biased.drop(columns="candidates")}, axis=1)
    both.index = [str(i) for i in both.index]
    with pd.option_context("display.width", 140, "display.float_format", "{:.3f}".format):
        print(both.to_string())
    if not np.isfinite(both.to_numpy(float)).all():
        print("(NaN: a band where no partner joined)")


if __name__ == "__main__":
    main()
