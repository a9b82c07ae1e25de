"""The simulator in constant memory: peak RSS of `simulate` as the number of episodes grows.

Goal (speed issue): `simulate` streams episodes in chunks, so any number of episodes (10^9 and more)
runs in constant memory, with the same result for a seed whatever the chunk size. Each run is a fresh
process (peak RSS via `resource.getrusage`) simulating a world of `--partners` synthetic candidates
with the per-episode frame not kept (`keep_episodes=0`); the goal is met when the largest run's peak
RSS is within 10% of the smallest's. The first row keeps the episodes (the default up to
`KEEP_EPISODES`) to show what streaming saves. Chunk-size independence is checked on the smallest run
(three chunk sizes, identical summaries and partner tables).
Run:  .venv/bin/python benchmarks/bench_simulate.py [--partners 30] [--episodes 1e5,1e6,1e7]
(`--episodes 1e9` runs the issue's figure: about 3*10^10 partner-episodes, an hour or more on 2 cores.)
Exits 1 if memory grows by more than 10% or the chunk size changes a result.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _goals import record  # noqa: E402  (one row of the make bench table per goal)

CHILD = r"""
import json, resource, sys, time
import numpy as np, pandas as pd
from coalitionlab.bargaining import World, simulate

n, episodes, keep, chunk = int(sys.argv[1]), int(float(sys.argv[2])), int(sys.argv[3]), sys.argv[4]
frame = pd.DataFrame({"ccode": np.arange(n) + 100, "embeddedness": np.random.default_rng(0).gamma(2.0, 20.0, n)})
world = World.from_frame(frame, lead="USA", date="2003-03-20")
start = time.perf_counter()
sim = simulate(world, episodes, seed=1, keep_episodes=keep, chunk_episodes=None if chunk == "auto" else int(chunk))
print(json.dumps({"seconds": time.perf_counter() - start,
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "summary": sim.summary.round(12).to_dict(), "join_rate": sim.partners["join_rate"].tolist()}))
"""


def run(partners: int, episodes: float, keep: int, chunk: str = "auto") -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(partners), str(episodes), str(keep), chunk],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=30)
    parser.add_argument("--episodes", default="1e5,1e6,1e7", help="comma-separated episode counts (streamed)")
    args = parser.parse_args()
    ladder = [float(e) for e in args.episodes.split(",")]
    start = time.perf_counter()
    kept = run(args.partners, ladder[0], keep=10**12)
    print(f"{'episodes':>12s} {'kept':>5s} {'seconds':>9s} {'peak RSS (MiB)':>15s}")
    print(f"{ladder[0]:12.0e} {'yes':>5s} {kept['seconds']:9.1f} {kept['rss_mib']:15.0f}")
    rows = []
    for episodes in ladder:
        r = run(args.partners, episodes, keep=0)
        rows.append(r)
        print(f"{episodes:12.0e} {'no':>5s} {r['seconds']:9.1f} {r['rss_mib']:15.0f}", flush=True)
    growth = rows[-1]["rss_mib"] / rows[0]["rss_mib"] - 1
    chunks = [run(args.partners, ladder[0], keep=0, chunk=c) for c in ("1", "5000", "1000000")]
    same = all(c["summary"] == rows[0]["summary"] and c["join_rate"] == rows[0]["join_rate"] for c in chunks)
    memory_ok = growth <= 0.10
    record(f"simulate, peak RSS growth {ladder[0]:.0e} -> {ladder[-1]:.0e} episodes", f"{growth:+.1%}", "<= +10%",
           memory_ok)
    record("simulate, chunk sizes 1 / 5,000 / 10^6", "identical" if same else "DIFFER", "identical", same)
    print(f"peak RSS from {ladder[0]:.0e} to {ladder[-1]:.0e} streamed episodes: {growth:+.1%} "
          f"(goal <= +10%): {'met' if memory_ok else 'MISSED'}")
    print(f"chunk sizes 1, 5,000, 10^6 episodes at {ladder[0]:.0e}: "
          f"{'identical summaries and join rates' if same else 'RESULTS DIFFER'}  ({time.perf_counter() - start:.0f} s)")
    return 0 if memory_ok and same else 1


if __name__ == "__main__":
    sys.exit(main())
