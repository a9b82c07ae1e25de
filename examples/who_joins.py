"""Who joins US-led coalitions: a participation logit, and an honest forecast for 2014.

For every US-led coalition in the dataset and every candidate state (COW system members on the
start date), ``joined`` is 1 if the state sent military personnel. The script fits
P(joined) = logit(a + b * log(1 + embeddedness) [+ controls]) with standard errors clustered by
coalition, then trains on the coalitions that started by 2013 and predicts who would join a US
coalition on 2014-08-08 (the first US air strikes against ISIL), and checks the forecast against
who actually joined Operation Inherent Resolve (``inherent_resolve_2014``).

On the embedded seed there are no controls, so the model is the raw association
(``joined ~ embeddedness_log1p``); with ``--data-dir`` it adds defence pacts, distance, CINC and
democracy (``coalitionlab.models.data.DEFAULT_FORMULA``).

Run (offline, on the embedded seed):   python examples/who_joins.py
With the full sources:                 python examples/who_joins.py --data-dir ../shared/data

See docs/models/index.md.
"""

from __future__ import annotations

import argparse
import warnings

from coalitionlab.coalitions import coalition_members
from coalitionlab.errors import MissingValueWarning, SeedDataWarning
from coalitionlab.models import fit_participation, participation_data, predict_participation
from coalitionlab.models.data import DEFAULT_FORMULA
from coalitionlab.models.predict import SEED_FORMULA

PREDICT_DATE, TRAIN_UNTIL, ACTUAL = "2014-08-08", 2013, "inherent_resolve_2014"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None,
                        help="directory with the full sources (default: $COALITIONLAB_DATA, else the embedded seed)")
    parser.add_argument("--top", type=int, default=20, help="how many of the most likely joiners to list")
    args = parser.parse_args(argv)
    source = "full" if args.data_dir else "auto"

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeedDataWarning)  # the data line below says it instead
        warnings.simplefilter("ignore", MissingValueWarning)  # rows used are in n_obs
        panel = participation_data(data_dir=args.data_dir, lags=(), contact=False, source=source)
        is_seed = bool(panel.attrs.get("is_seed"))
        formula = SEED_FORMULA if is_seed else DEFAULT_FORMULA
        us = panel[panel["lead_ccode"] == 2]
        fit = fit_participation(formula, us, method="logit", cluster="coalition_id")
        pred = predict_participation("USA", PREDICT_DATE, train_until=TRAIN_UNTIL, data_dir=args.data_dir,
                                     formula=formula, panel=panel, source=source)

    data = "embedded seed (pass --data-dir for the full sources)" if is_seed else "full sources"
    print(f"data: {data}")
    print(f"logit: {formula}")
    print(f"{fit.fit_stats['n_obs']} coalition x candidate rows in {us['coalition_id'].nunique()} US-led "
          f"coalitions; standard errors {fit.vcov_type}")
    print(fit.tidy().round(3).to_string())
    print()
    print("Average marginal effects:")
    print(fit.marginal_effects().round(4).to_string())

    actual = set(coalition_members(ACTUAL)["ccode"].astype(int))
    top = pred.head(args.top).copy()
    top["joined_oir"] = top["ccode"].isin(actual).map({True: "yes", False: ""})
    print()
    print(f"Forecast for a US coalition on {PREDICT_DATE}, trained on the "
          f"{pred.attrs['n_train_coalitions']} coalitions that started by {TRAIN_UNTIL}:")
    print(top[["country", "p_join", "joined_oir"]].round(3).to_string(index=False))
    # Ties in p_join are common (on the seed many states share one value): count every state at or
    # above the listed cut-off, not an arbitrary top N
    scored = pred.dropna(subset=["p_join"])
    above = scored[scored["p_join"] >= top["p_join"].min()]
    members = scored["ccode"].isin(actual)
    print(f"{len(above)} states have p_join >= {top['p_join'].min():.3f}; {int(above['ccode'].isin(actual).sum())} "
          f"of them joined {ACTUAL} (all candidates: {int(members.sum())} of {len(scored)}, {members.mean():.1%})")

if __name__ == "__main__":
    main()
