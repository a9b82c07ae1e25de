"""Forecast accuracy: out-of-sample AUC of the forecast model against the target-blind default.

Prints, on the full sources:

1. the half-life of ``past_joins_lead_decayed`` chosen by the documented rule
   (``models.validation.select_half_life``: leave-one-coalition-out AUC on the coalitions that
   started before 2005 only) and, for every half-life of the grid, the US-led AUCs, to show how
   little they depend on it;
2. leave-one-coalition-out AUC and the temporal split (train on coalitions started before 2005 with
   their labels as of 2004-12-31, test on those started in or after 2005) for the US-led
   coalitions (fitted on US-led coalitions only, as ``coalitionlab cv --lead-ccode 2``), for the
   coalitions of every other lead (fitted on those), and for all coalitions pooled (the sample
   ``predict`` trains on), with the pooled model's AUC on the US-led and the other folds;
3. an ablation: the same AUCs with one group of features left out of the forecast formula.

Goals (accuracy, not speed): US-led leave-one-coalition-out AUC >= 0.82 and temporal AUC >= 0.80.
Run:  .venv/bin/python benchmarks/bench_forecast.py [--data-dir ../shared/data]   (about ten minutes)
Exits 1 if a goal is missed.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _goals import record  # noqa: E402  (one row of the make bench table per goal)

ROOT = Path(__file__).resolve().parents[1]
GOALS = {"loco": 0.82, "temporal": 0.80}
SPLIT_YEAR = 2005

# feature groups left out one at a time (no_target stays while any *_or0 column needs it)
ABLATIONS = {
    "target geography (distance, contiguity, same region)": ["distance_target_log_or0", "contiguous_target_or0",
                                                             "same_region_or0"],
    "distance to the target": ["distance_target_log_or0"],
    "same region as the theatre": ["same_region_or0"],
    "record with the lead (past_joins_lead_decayed)": ["past_joins_lead_decayed_log1p"],
    "record against the target (past_joins_target)": ["past_joins_target_log1p_or0"],
    "joint exercises with the lead": ["joint_exercises_lead_log1p_or0", "no_exercise_data"],
    "hosts US troops": ["hosts_us_troops"],
    "UN ideal-point distance": ["un_ideal_distance"],
    "embeddedness": ["embeddedness_log1p"],
    "the default's controls (atop_defense, cinc, democracy)": ["atop_defense", "cinc", "democracy"],
}


def drop_terms(formula: str, terms: list[str]) -> str:
    lhs, rhs = formula.split("~", 1)
    kept = [t.strip() for t in rhs.split("+") if t.strip() not in terms]
    return f"{lhs.strip()} ~ " + " + ".join(kept)


def aucs(panel: pd.DataFrame, formula: str) -> tuple[float, float]:
    from coalitionlab.models.validation import cross_validate

    loco = cross_validate(panel, formula=formula).auc
    temporal = cross_validate(panel, formula=formula, scheme="temporal", split_year=SPLIT_YEAR).auc
    return loco, temporal


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--no-ablation", action="store_true", help="Skip the ablation table (saves about half the time).")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # rows left out for missing inputs are the same in every fold

    from coalitionlab.models.data import DEFAULT_FORMULA, participation_data
    from coalitionlab.models.features import DEFAULT_HALF_LIFE, FORECAST_FORMULA, forecast_features
    from coalitionlab.models.validation import HALF_LIFE_GRID, auc_by_group, cross_validate, select_half_life

    pd.set_option("display.width", 160)
    base = participation_data(data_dir=args.data_dir, lags=(), contact=False, source="full")
    print(f"panel: {len(base)} rows, {base['coalition_id'].nunique()} coalitions; split year {SPLIT_YEAR}", flush=True)
    print(f"forecast formula: {FORECAST_FORMULA}\ndefault formula:  {DEFAULT_FORMULA}\n", flush=True)

    choice = select_half_life(base, data_dir=args.data_dir)
    chosen = float(choice.loc[choice["chosen"], "half_life"].iloc[0])
    sens = []
    for h in HALF_LIFE_GRID:
        us = forecast_features(base[base["lead_ccode"] == 2], data_dir=args.data_dir, half_life=h)
        loco, temporal = aucs(us, FORECAST_FORMULA)
        sens.append({"half_life": h, "us_loco": loco, "us_temporal": temporal})
    table = choice.merge(pd.DataFrame(sens), on="half_life")
    print(f"half-life: rule = shortest within {choice.attrs['tolerance']} of the best leave-one-coalition-out AUC "
          f"on the {choice.attrs['n_coalitions']} coalitions started before {choice.attrs['before']} "
          f"-> {chosen:g} years (DEFAULT_HALF_LIFE = {DEFAULT_HALF_LIFE:g})")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}") + "\n", flush=True)

    panel = forecast_features(base, data_dir=args.data_dir, half_life=chosen)
    subsets = {"US-led": panel[panel["lead_ccode"] == 2], "other leads": panel[panel["lead_ccode"] != 2],
               "all (pooled)": panel}
    rows = []
    for name, sub in subsets.items():
        for label, formula in (("default", DEFAULT_FORMULA), ("forecast", FORECAST_FORMULA)):
            loco, temporal = aucs(sub, formula)
            rows.append({"coalitions": name, "n": sub["coalition_id"].nunique(), "formula": label,
                         "loco_auc": loco, "temporal_auc": temporal})
    results = pd.DataFrame(rows)
    print("out-of-sample AUC (fitted within each group of coalitions)")
    print(results.to_string(index=False, float_format=lambda v: f"{v:.3f}") + "\n", flush=True)

    pooled = []
    for label, formula in (("default", DEFAULT_FORMULA), ("forecast", FORECAST_FORMULA)):
        for scheme, kw in (("loco", {}), ("temporal", {"scheme": "temporal", "split_year": SPLIT_YEAR})):
            by = auc_by_group(cross_validate(panel, formula=formula, **kw),
                              panel.assign(us=panel["lead_ccode"].eq(2).map({True: "US-led", False: "other leads"})),
                              "us")
            for r in by.itertuples():
                pooled.append({"formula": label, "scheme": scheme, "folds": r.us, "auc": r.auc})
    print("pooled model (all coalitions, as predict trains), AUC on the folds of each group")
    print(pd.DataFrame(pooled).pivot_table(index=["formula", "folds"], columns="scheme", values="auc")
          .to_string(float_format=lambda v: f"{v:.3f}") + "\n", flush=True)

    if not args.no_ablation:
        abl = []
        us, other = subsets["US-led"], subsets["other leads"]
        for name, terms in {"(none: the forecast formula)": [], **ABLATIONS}.items():
            formula = drop_terms(FORECAST_FORMULA, terms)
            a, b = aucs(us, formula)
            c, d = aucs(other, formula)
            abl.append({"left out": name, "us_loco": a, "us_temporal": b, "other_loco": c, "other_temporal": d})
        abl = pd.DataFrame(abl)
        print("ablation: AUC without each group of features")
        print(abl.to_string(index=False, float_format=lambda v: f"{v:.3f}") + "\n", flush=True)

    us_row = results[(results["coalitions"] == "US-led") & (results["formula"] == "forecast")].iloc[0]
    missed = [k for k, col in (("loco", "loco_auc"), ("temporal", "temporal_auc")) if us_row[col] < GOALS[k]]
    for k, col in (("loco", "loco_auc"), ("temporal", "temporal_auc")):
        print(f"US-led {k}: {us_row[col]:.3f} (goal >= {GOALS[k]:.2f}: {'missed' if k in missed else 'met'})")
        record(f"US-led forecast, {k} AUC", f"{us_row[col]:.3f}", f">= {GOALS[k]:.2f}", k not in missed)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
