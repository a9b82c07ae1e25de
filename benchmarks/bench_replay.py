"""Case replays: every coalition replayed with the participation model trained only on earlier coalitions.

Prints ``coalitionlab replay --all``'s table (one line per coalition: AUC, Brier, hits at k, sizes,
model) and the mean AUC of the participation-model replays (coalitions that cannot be replayed
with it use the embeddedness-only ranking, are labelled so and are not in the mean).

Goal (accuracy, not speed): mean AUC >= 0.80. The panel is built once (about 10 s) and each replay
fits one model (about a second).
Run:  .venv/bin/python benchmarks/bench_replay.py [--data-dir ../shared/data]
Exits 1 if the goal is missed.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _goals import record  # noqa: E402  (one row of the make bench table per goal)

ROOT = Path(__file__).resolve().parents[1]
GOAL = 0.80


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    args = parser.parse_args()
    from coalitionlab.planner.replay import replay_all, replay_panel, summary_line

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # stale-source warnings are reported by the replays' inputs
        panel = replay_panel(args.data_dir)
        t1 = time.perf_counter()
        table = replay_all(data_dir=args.data_dir, panel=panel)
    t2 = time.perf_counter()
    for row in table.to_dict(orient="records"):
        print(summary_line(row))
    a = table.attrs
    print(f"mean AUC {a['mean_auc']:.3f} (participation model, {a['n_model_with_auc']} coalitions; "
          f"embeddedness-only fallback for {a['n_embeddedness_only']}: mean AUC {a['mean_auc_embeddedness_only']:.3f})")
    record(f"case replays, mean AUC ({a['n_model_with_auc']} coalitions)", f"{a['mean_auc']:.3f}",
           f">= {GOAL:.2f}", a["mean_auc"] >= GOAL)
    print(f"panel {t1 - t0:.1f} s, {len(table)} replays {t2 - t1:.1f} s; goal mean AUC >= {GOAL:.2f}: "
          f"{'met' if a['mean_auc'] >= GOAL else 'MISSED'}")
    return 0 if a["mean_auc"] >= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
