"""Diplomatic embeddedness with the USA on the day the Iraq war began, and who joined.

Henke (2019) counts a lead state's institutional ties with each other state (bilateral agreements
plus joint IGO memberships) and finds that the more embedded states are the ones the lead brings
into its coalitions. This script computes embeddedness with the USA on 2003-03-20, then sets it
beside the coalition dataset: which candidate states joined Operation Iraqi Freedom
(``iraq_2003``), by quartile of embeddedness.

Run (offline, on the embedded seed):   python examples/embeddedness_usa_2003.py
With the full sources:                 python examples/embeddedness_usa_2003.py --data-dir ../shared/data

See docs/measures/embeddedness.md and docs/data/coalitions.md.
"""

from __future__ import annotations

import argparse
import warnings

import pandas as pd

from coalitionlab.coalitions import coalition_panel
from coalitionlab.errors import SeedDataWarning
from coalitionlab.measures import embeddedness

LEAD, DATE, COALITION = "USA", "2003-03-20", "iraq_2003"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None,
                        help="directory with the full sources (default: $COALITIONLAB_DATA, else the embedded seed)")
    parser.add_argument("--top", type=int, default=10, help="how many of the most embedded states to list")
    args = parser.parse_args(argv)
    # An explicit --data-dir must hold the full sources; otherwise fall back to the seed and say so.
    source = "full" if args.data_dir else "auto"

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeedDataWarning)  # the data line below says it instead
        emb = embeddedness(LEAD, DATE, data_dir=args.data_dir, source=source)
    data = "embedded seed (pass --data-dir for the full sources)" if emb.attrs["is_seed"] else "full sources"
    print(f"embeddedness with {LEAD} on {DATE}; data: {data}")
    print(f"components: {', '.join(emb.attrs['components'])}; years read: {emb.attrs['years_used']}")
    print()
    cols = ["country", *emb.attrs["components"], "embeddedness"]
    print(f"The {args.top} most embedded states:")
    print(emb[cols].head(args.top).to_string(index=False))

    # Candidates of the coalition (system members on its start date, minus the lead and the target)
    panel = coalition_panel(COALITION)
    rows = panel[["ccode", "joined"]].merge(emb[["ccode", "country", "embeddedness"]], on="ccode", how="left")
    rows = rows.dropna(subset=["embeddedness"])
    joined = rows["joined"] == 1
    print()
    print(f"{COALITION}: {int(joined.sum())} of {len(rows)} candidate states joined; mean embeddedness "
          f"{rows.loc[joined, 'embeddedness'].mean():.2f} for members vs "
          f"{rows.loc[~joined, 'embeddedness'].mean():.2f} for the rest")

    # Quartile bins; tied values (common on the seed) stay together, so bins may merge or differ in size
    rows["bin"] = pd.qcut(rows["embeddedness"], 4, duplicates="drop")
    table = rows.groupby("bin", observed=True).agg(
        states=("ccode", "size"), joined=("joined", "sum"), share_joined=("joined", "mean"))
    table.index.name = "embeddedness"
    print("Joining by quartile bin of embeddedness:")
    print(table.round(3).to_string())


if __name__ == "__main__":
    main()
