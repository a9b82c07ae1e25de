"""Side-payments under incomplete information: what embeddedness as information is worth to the lead.

Model 4 of coalitionlab.bargaining: a partner joins if the lead's take-it-or-leave-it offer covers
its reservation price; the lead sees only a noisy signal of that price, with a precision that
Henke's argument ties to embeddedness. Part 1 solves the model exactly for rising precision: the
lead's expected surplus, the partner's information rent and the deals lost. Part 2 runs the
simulator over every state with embeddedness with the USA on 2003-03-20 mapped to precision, and
compares the most and the least embedded thirds of the candidates. Part 3 builds the two worlds of
the identification demonstration (embeddedness lowers prices / sharpens the lead's information) and
shows that they agree on who joins and differ on payments.

Prices are in model units (a partner's mean price is 1, the lead values a partner at 2): an
assumption, not an estimate (see docs/bargaining/identification.md).

Run (offline, on the embedded seed):   python examples/bargaining_offers.py
With the full sources:                 python examples/bargaining_offers.py --data-dir ../shared/data

See docs/bargaining/offers.md and docs/bargaining/simulator.md.
"""

from __future__ import annotations

import argparse
import warnings

import pandas as pd

from coalitionlab.bargaining import (
    EmbeddednessMapping,
    PriceParams,
    World,
    expected_outcomes,
    identification_demo,
    simulate,
)
from coalitionlab.errors import SeedDataWarning
from coalitionlab.measures import embeddedness

LEAD, DATE = "USA", "2003-03-20"
PRICE_MEAN, PRICE_SCALE, VALUE = 1.0, 0.5, 2.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None,
                        help="directory with the full sources (default: $COALITIONLAB_DATA, else the embedded seed)")
    parser.add_argument("--episodes", type=int, default=20_000, help="simulated episodes")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same output)")
    args = parser.parse_args(argv)
    source = "full" if args.data_dir else "auto"

    print(f"Part 1: one partner, normal prior (mean price {PRICE_MEAN}, sd {PRICE_SCALE}), value {VALUE}")
    rows = []
    for precision in (0.0, 1.0, 4.0, 16.0):
        out = expected_outcomes(PriceParams(prior="normal", mean=PRICE_MEAN, scale=PRICE_SCALE,
                                            precision=precision, value=VALUE))
        rows.append({"precision": precision, **out})
    table = pd.DataFrame(rows).set_index("precision")
    print(table[["acceptance", "payment", "value", "rent", "efficiency_loss"]].round(3).to_string())
    print("(value + rent + efficiency_loss = full_information_value = "
          f"{table['full_information_value'].iloc[0]:.3f} in every row)")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeedDataWarning)  # the data line below says it instead
        frame = embeddedness(LEAD, DATE, data_dir=args.data_dir, source=source)
    mapping = EmbeddednessMapping(price_mean=PRICE_MEAN, price_scale=PRICE_SCALE, value=VALUE,
                                  precision_base=0.5, precision_slope=4.0)
    world = World.from_frame(frame, lead=LEAD, date=DATE, mapping=mapping)
    sim = simulate(world, args.episodes, seed=args.seed)
    data = "embedded seed (pass --data-dir for the full sources)" if frame.attrs["is_seed"] else "full sources"
    print()
    print(f"Part 2: simulator, {LEAD} on {DATE}, {args.episodes} episodes, seed {args.seed}; data: {data}")
    print("precision = 0.5 + 4 x embeddedness / max embeddedness")
    print(sim.summary.round(3).to_string())

    partners = sim.partners.copy()
    partners["third"] = pd.qcut(partners["embeddedness"], 3, labels=["least", "middle", "most"], duplicates="drop") \
        if partners["embeddedness"].nunique() >= 3 else "all"
    by = partners.groupby("third", observed=True)[["embeddedness", "join_rate", "payment_if_joined", "mean_rent"]]
    print()
    print("Candidates by third of embeddedness (means):")
    print(by.mean().round(3).to_string())

    demo = identification_demo(frame, lead=LEAD, date=DATE)
    print()
    print("Part 3: price world vs information world (docs/bargaining/identification.md)")
    print(demo.summary.round(3).to_string())
    gap = (demo.candidates["p_join_price"] - demo.candidates["p_join_information"]).abs().max()
    print(f"largest gap in p_join between the worlds: {gap:.1e}")


if __name__ == "__main__":
    main()
