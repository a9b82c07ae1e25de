"""What each of Henke's channels saves the USA in building the Iraq coalition of 2003 (a simulation).

Builds the world of the USA on 2003-03-20 from the full sources (embeddedness on the absolute scale,
NMC armed forces and CINC for 2002, broker scores from the tie network, regional legitimacy with Iraq
as the target), then simulates the side-payment offers with every channel on, with each channel off
in turn, and with all off (the baseline). For each run it prints the mean coalition size, the win
probability, the lead's cost, the cost per member, and the lead's payoff (value of success times the
win probability, minus the cost); "saved" is what switching the channel off costs the lead per
member, and in payoff.

Run:  python examples/channels_usa_2003.py --data-dir ../shared/data [--episodes 20000] [--seed 1]

See docs/bargaining/channels.md.
"""

from __future__ import annotations

import argparse
import warnings

import pandas as pd

from coalitionlab.bargaining import World, candidate_frame, simulate
from coalitionlab.bargaining.channels import CHANNELS
from coalitionlab.errors import StaleDataWarning

LEAD, DATE, TARGET = "USA", "2003-03-20", 645  # Iraq


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

    runs = [("all on", world.channels)]
    runs += [(f"{c} off", tuple(x for x in world.channels if x != c)) for c in CHANNELS if c in world.channels]
    runs += [("all off", ())]
    rows = []
    for label, channels in runs:
        sim = simulate(world, args.episodes, seed=args.seed, channels=channels)
        m = sim.summary["mean"]
        rows.append({"run": label, "members": m["coalition_size"], "win_probability": m["win_probability"],
                     "lead_cost": m["lead_cost"], "cost_per_member": m["lead_cost"] / m["coalition_size"],
                     "payoff": world.mission_value * m["win_probability"] - m["lead_cost"]})
    table = pd.DataFrame(rows).set_index("run")
    base = table.loc["all on"]
    table["saved_per_member"] = table["cost_per_member"] - base["cost_per_member"]
    table["payoff_lost"] = base["payoff"] - table["payoff"]
    with pd.option_context("display.width", 120, "display.float_format", "{:.3f}".format):
        print(table.to_string())


if __name__ == "__main__":
    main()
