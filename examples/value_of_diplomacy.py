"""The value of diplomacy: what a loss of embeddedness would cost the USA in a standard mission (a simulation).

Takes a mission TOML as the standard mission, re-dates it to the same day in each year asked (its
lead replaced by --lead), and plans it with the lead's ties as recorded and with every embeddedness
component scaled by each factor (1 = the ties as they are, 0 = none at all). The participation model
(fitted on the coalitions before each date) and the bargaining world's constants are held fixed:
only the ties change. Prints, per year and factor, the expected cost of the plan, the expected
coalition size, the probability of meeting the requirements and the cost change against the
year's actual ties (with its range over --reps further seeds when asked).

With --without-igo, --lapse or --scale it instead compares the mission as written with the one
change asked (expected cost, coalition size, shortfall risk, probability of meeting the
requirements: before, after, difference and its range over --reps further seeds).

Run:  python examples/value_of_diplomacy.py --data-dir ../shared/data examples/missions/us_air_campaign.toml
      [--lead USA] [--years 2003,2008,2011,2014] [--factors 1,0.75,0.5,0.25,0] [--scenarios 200] [--reps 0]
      python examples/value_of_diplomacy.py --data-dir ../shared/data examples/missions/us_air_campaign.toml
      --without-igo WHO --without-igo IMF [--lapse ATOP:3180] [--scale treaties=0.5] [--reps 4]

See docs/planner/counterfactuals.md.
"""

from __future__ import annotations

import argparse
import warnings

import pandas as pd

from coalitionlab.errors import CoalitionlabError
from coalitionlab.planner.counterfactual import change_from_cli, counterfactual, diplomacy_value_curve


def _numbers(text: str, kind=float) -> list:
    return [kind(x) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mission", help="the standard mission (TOML)")
    parser.add_argument("--data-dir", required=True, help="directory with the full sources")
    parser.add_argument("--lead", default="USA", help="the lead state (default USA)")
    parser.add_argument("--years", default="2003,2008,2011,2014", help="years, comma-separated")
    parser.add_argument("--factors", default="1,0.75,0.5,0.25,0", help="scale factors, comma-separated")
    parser.add_argument("--scenarios", type=int, default=200, help="price scenarios per plan")
    parser.add_argument("--reps", type=int, default=0, help="further seeds for the cost change's range")
    parser.add_argument("--seed", type=int, default=0, help="seed (the same for every plan)")
    parser.add_argument("--time-limit", type=float, default=3.0, help="MILP time limit per solve (seconds)")
    parser.add_argument("--without-igo", action="append", default=[], metavar="IGO",
                        help="the lead leaves this IGO (COW abbreviation; repeatable)")
    parser.add_argument("--lapse", action="append", default=[], metavar="ID",
                        help="the lead lets this agreement lapse (treaty-record id or ATOP:<atopid>; repeatable)")
    parser.add_argument("--scale", action="append", default=[], metavar="COMPONENT=FACTOR",
                        help="scale an embeddedness component (e.g. treaties=0.5; repeatable)")
    args = parser.parse_args(argv)

    if args.without_igo or args.lapse or args.scale:
        try:
            change = change_from_cli(args.without_igo, args.lapse, args.scale)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = counterfactual(args.mission, change, data_dir=args.data_dir, n_scenarios=args.scenarios,
                                     seed=args.seed, n_reps=args.reps, time_limit=args.time_limit)
        except CoalitionlabError as exc:
            raise SystemExit(f"error: {exc}") from None
        print(f"counterfactual: {res.attrs['mission']!r} on {res.attrs['date']}, {res.attrs['change']}; "
              f"data: full sources; {args.scenarios} scenarios, seed {args.seed}, {args.reps} further seeds")
        print("ties lost: " + ", ".join(f"{k} {v:g}" for k, v in res.attrs["ties_lost"].items())
              + f"; embeddedness summed over candidates {res.attrs['embeddedness_before']:g} -> "
              f"{res.attrs['embeddedness_after']:g}")
        with pd.option_context("display.width", 140, "display.float_format", "{:.3f}".format):
            print(res.to_string(index=False))
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # stale-data notes: the years used are in the features
            curve = diplomacy_value_curve(args.lead, _numbers(args.years, int), args.mission,
                                          factors=_numbers(args.factors), data_dir=args.data_dir,
                                          n_scenarios=args.scenarios, seed=args.seed, n_reps=args.reps,
                                          time_limit=args.time_limit)
    except CoalitionlabError as exc:
        raise SystemExit(f"error: {exc}") from None
    print(f"value of diplomacy: {curve.attrs['mission']!r} led by {args.lead}; data: full sources; "
          f"{args.scenarios} scenarios, seed {args.seed}")
    cols = ["year", "factor", "embeddedness_total", "cost", "cost_change", "size", "p_meets_requirements", "feasible"]
    if args.reps:
        cols[5:5] = ["cost_change_low", "cost_change_high"]
    with pd.option_context("display.width", 140, "display.float_format", "{:.3f}".format):
        print(curve[cols].to_string(index=False))


if __name__ == "__main__":
    main()
