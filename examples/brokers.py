"""Brokers between a lead state and its candidates: the USA on the day the Iraq war began.

Builds the tie network among all states on the day (all-pairs embeddedness, default components),
then, for a few candidates, the third states with the strongest two-step paths lead - broker -
candidate (strength s(count) = 1 - exp(-count / TIE_SCALE), path = product of the two strengths),
and a summary over all candidates: who is the best broker how often, how many strong brokers a
candidate has, and how the best path compares with the direct tie. With a coalition, the mean
broker strength of the states that joined and of the rest. docs/measures/network.md quotes this
output.

Run:  python examples/brokers.py --data-dir ../shared/data [--lead USA] [--date 2003-03-20]
          [--candidates TUR,PAK,JOR] [--coalition iraq_2003]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from coalitionlab.coalitions import coalition_panel
from coalitionlab.data import countries
from coalitionlab.errors import CoalitionlabError, StaleDataWarning
from coalitionlab.measures import TIE_SCALE, broker_scores, tie_matrix, tie_strength


def top_paths(counts: pd.DataFrame, lead: int, cand: int, names: pd.Series, n: int) -> pd.DataFrame:
    """The ``n`` strongest two-step paths lead - k - cand."""
    s = tie_strength(counts)
    k = [c for c in counts.index if c not in (lead, cand)]
    paths = pd.DataFrame({"broker": names.reindex(k).to_numpy(), "ties_lead_k": counts.loc[lead, k].to_numpy(),
                          "ties_k_cand": counts.loc[k, cand].to_numpy(), "s_lead_k": s.loc[lead, k].to_numpy(),
                          "s_k_cand": s.loc[k, cand].to_numpy()})
    paths["path"] = paths["s_lead_k"] * paths["s_k_cand"]
    return paths.sort_values("path", ascending=False).head(n)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="directory with the full sources (default: $COALITIONLAB_DATA)")
    parser.add_argument("--lead", default="USA")
    parser.add_argument("--date", default="2003-03-20")
    parser.add_argument("--candidates", default="TUR,PAK,JOR", help="ISO3 codes, names or ccodes, comma-separated")
    parser.add_argument("--coalition", default="iraq_2003", help="coalition id to compare joiners ('' for none)")
    parser.add_argument("--top", type=int, default=3, help="paths listed per candidate")
    args = parser.parse_args(argv)

    lead = int(countries.to_ccode(args.lead, date=args.date))
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleDataWarning)
        counts = tie_matrix(args.date, data_dir=args.data_dir, source="full")
    seconds = time.perf_counter() - t0
    names = pd.Series(counts.attrs["countries"], index=counts.index)
    print(f"tie network on {args.date}; data: full sources; components: {', '.join(counts.attrs['components'])}; "
          f"years read: {counts.attrs['years_used']}")
    print(f"{len(counts)} states, matrix built in {seconds:.1f} s (this process, sources included); "
          f"TIE_SCALE = {TIE_SCALE:g}")
    b = broker_scores(counts, lead).set_index("ccode")
    b["country"] = names.reindex(b.index)
    b["broker_country"] = names.reindex(b["broker_ccode"].fillna(-1).astype("int64")).to_numpy()
    lead_ties = counts.loc[lead].drop(lead)
    print(f"lead {names[lead]} (ccode {lead}): median tie count {lead_ties.median():g}, median strength "
          f"{float(np.nanmedian(tie_strength(lead_ties))):.3f}")
    print()
    for cand in [c.strip() for c in args.candidates.split(",") if c.strip()]:
        code = int(countries.to_ccode(cand, date=args.date))
        row = b.loc[code]
        print(f"{row['country']} ({code}): {counts.loc[lead, code]:g} ties with the lead, direct {row['direct']:.3f}; "
              f"best broker {row['broker_country']} ({row['broker']:.3f}); {row['n_brokers']} brokers with both "
              f"strengths >= 0.5")
        print(top_paths(counts, lead, code, names, args.top).round(3).to_string(index=False))
        print()
    share = b["broker_country"].value_counts()
    print(f"best broker over {len(b)} candidates: " +
          ", ".join(f"{name} {count}" for name, count in share.head(4).items()))
    print(f"corr(broker, direct) = {b['broker'].corr(b['direct']):.3f}; n_brokers median "
          f"{b['n_brokers'].median():g} (min {b['n_brokers'].min()}, max {b['n_brokers'].max()}); "
          f"corr(n_brokers, direct) = {b['n_brokers'].astype('float64').corr(b['direct']):.3f}")
    if args.coalition:
        panel = coalition_panel(args.coalition)
        rows = panel[["ccode", "joined"]].merge(b.reset_index()[["ccode", "broker", "n_brokers", "direct"]],
                                                on="ccode", how="inner")
        joined = rows["joined"] == 1
        print(f"{args.coalition}: {int(joined.sum())} of {len(rows)} candidates joined; mean broker "
              f"{rows.loc[joined, 'broker'].mean():.3f} vs {rows.loc[~joined, 'broker'].mean():.3f}, mean n_brokers "
              f"{rows.loc[joined, 'n_brokers'].mean():.1f} vs {rows.loc[~joined, 'n_brokers'].mean():.1f}, "
              f"mean direct {rows.loc[joined, 'direct'].mean():.3f} vs {rows.loc[~joined, 'direct'].mean():.3f}")


if __name__ == "__main__":
    try:
        main()
    except CoalitionlabError as exc:  # e.g. no full sources: one line, not a traceback
        raise SystemExit(f"error: {exc}") from None
