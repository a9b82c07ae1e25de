"""Cache speed-up: the first load of each source (parse, map codes, validate) vs the second (Parquet).

Goal (foundation issue): the second load of any source is at least 5x faster than the first.
Run:  .venv/bin/python benchmarks/bench_cache.py [--data-dir ../shared/data]
Prints one row per source and exits 1 if any source misses the goal.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _goals import record  # noqa: E402  (one row of the make bench table per goal)

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--repeat", type=int, default=3, help="warm loads to time (best of)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        os.environ["COALITIONLAB_CACHE"] = cache  # a cold cache, never the user's
        from coalitionlab.data import load, sources

        rows, worst = [], float("inf")
        for name in sources()["name"]:
            try:
                start = time.perf_counter()
                load(name, args.data_dir)
                cold = time.perf_counter() - start
            except Exception as exc:  # an absent source is reported, not timed
                print(f"{name:28s} skipped: {exc}")
                continue
            warm = min(_timed(load, name, args.data_dir) for _ in range(args.repeat))
            ratio = cold / warm
            worst = min(worst, ratio)
            rows.append((name, cold, warm, ratio))
    print(f"{'source':28s} {'first (s)':>10s} {'cached (s)':>10s} {'speed-up':>9s}")
    for name, cold, warm, ratio in rows:
        print(f"{name:28s} {cold:10.3f} {warm:10.3f} {ratio:8.1f}x")
    print(f"worst speed-up {worst:.1f}x over {len(rows)} sources (goal >= 5x)")
    record(f"second load of each of {len(rows)} sources, worst speed-up", f"{worst:.1f}x", ">= 5x",
           bool(rows) and worst >= 5)
    return 0 if rows and worst >= 5 else 1


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


if __name__ == "__main__":
    sys.exit(main())
