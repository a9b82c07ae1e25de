"""What embeddedness is made of, in the coalition panel: component means, shares and correlations.

For every coalition of one lead (default the USA) and every candidate state, embeddedness with the
lead on the coalition's start date (the default components, each on its own rules: ties in force on
the day, IGO memberships the year before; the optional multilateral-treaty component beside them),
then one row per component: its mean, its share of the
total, and its correlation with the partner's own IGO count (does the component only restate how
sociable the partner is?); and the correlations of the non-security total and of the z-score
total with the raw total. docs/measures/embeddedness.md quotes this table.

With ``--models``, also the participation model's coefficient on each version of the total (the
default formula of coalitionlab.models with the total swapped in, clustered by coalition).

Run:  python examples/embeddedness_components.py --data-dir ../shared/data [--lead-ccode 2] [--lag-years 0] [--models]
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd

from coalitionlab.coalitions import coalition_panel
from coalitionlab.errors import StaleDataWarning
from coalitionlab.measures import add_embeddedness


def component_table(panel: pd.DataFrame, components: list[str]) -> pd.DataFrame:
    """One row per component and total: mean, share of the total's mean, correlation with own IGO count."""
    own = panel["sociability_igos"]
    total = panel["embeddedness"]
    rows = []
    for c in [*components, "embeddedness", "embeddedness_nonsecurity", "embeddedness_security",
              "embeddedness_z"]:
        v = panel[c]
        rows.append({"measure": c, "mean": v.mean(), "share_of_total": v.mean() / total.mean() if c in components
                     else np.nan, "corr_own_igos": v.corr(own), "corr_total": v.corr(total), "n": int(v.notna().sum())})
    if "sociability_treaties" in panel:
        rows.append({"measure": "sociability_treaties", "mean": panel["sociability_treaties"].mean(),
                     "share_of_total": np.nan, "corr_own_igos": panel["sociability_treaties"].corr(own),
                     "corr_total": panel["sociability_treaties"].corr(total),
                     "n": int(panel["sociability_treaties"].notna().sum())})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--lead-ccode", type=int, default=2)
    parser.add_argument("--lag-years", type=int, default=0)
    parser.add_argument("--models", action="store_true", help="fit the participation model on each total")
    args = parser.parse_args()
    rows = coalition_panel()
    rows = rows[rows["lead_ccode"] == args.lead_ccode]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleDataWarning)  # post-2014 coalitions use the 2014 IGO data, as the models do
        panel = add_embeddedness(rows, data_dir=args.data_dir, lag_years=args.lag_years, carry_forward=True,
                                 sociability=True)
    comps = panel.attrs["embeddedness"]["components"]
    table = component_table(panel, comps)
    # the optional multilateral-treaty component, beside the default total (not part of it)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleDataWarning)
        multi = add_embeddedness(rows, data_dir=args.data_dir, lag_years=args.lag_years, carry_forward=True,
                                 components=["treaties_multilateral"])["treaties_multilateral"]
    table = pd.concat([table, pd.DataFrame([{
        "measure": "treaties_multilateral (optional)", "mean": multi.mean(), "share_of_total": np.nan,
        "corr_own_igos": multi.corr(panel["sociability_igos"]), "corr_total": multi.corr(panel["embeddedness"]),
        "n": int(multi.notna().sum())}])], ignore_index=True)
    n_coal = panel["coalition_id"].nunique()
    print(f"lead ccode {args.lead_ccode}: {n_coal} coalitions, {len(panel):,} coalition x candidate rows, "
          f"lag {args.lag_years}")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if args.models:
        print(model_table(args.data_dir, args.lead_ccode, args.lag_years).to_string(
            index=False, float_format=lambda v: f"{v:.3f}"))


def model_table(data_dir: str, lead_ccode: int, lag_years: int) -> pd.DataFrame:
    """The default participation model with each version of the total as the treatment."""
    from coalitionlab.models import fit_participation
    from coalitionlab.models.data import DEFAULT_FORMULA, participation_data

    from coalitionlab.errors import MissingValueWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleDataWarning)
        warnings.simplefilter("ignore", MissingValueWarning)  # rows without controls: n is in the table
        panel = participation_data(data_dir=data_dir, lags=(), contact=False)
        panel = panel[panel["lead_ccode"] == lead_ccode].copy()
        versions = {"default total": None, "default + treaties_multilateral":
                    ["alliances", "treaties_bilateral", "igos", "treaties_multilateral"]}
        rows = []
        controls = DEFAULT_FORMULA.split("~")[1].replace("embeddedness_log1p", "").strip(" +")
        for label, comps in versions.items():
            e = add_embeddedness(panel, data_dir=data_dir, components=comps, lag_years=lag_years, carry_forward=True)
            panel["treatment_log1p"] = np.log1p(e["embeddedness"].to_numpy(float))
            panel["treatment_z"] = e["embeddedness_z"].to_numpy(float)
            for col in ("treatment_log1p", "treatment_z"):
                res = fit_participation(f"joined ~ {col} + {controls}", panel, cluster="coalition_id")
                t = res.tidy().loc[col]
                rows.append({"total": label, "scale": "log(1 + count)" if col.endswith("log1p") else "sum of z",
                             "estimate": t["estimate"], "std_error": t["std_error"], "p_value": t["p_value"],
                             "n": res.fit_stats["n_obs"]})
    return pd.DataFrame(rows)


if __name__ == "__main__":
    main()
