"""The all-pairs tie matrix on the full sources: one ``tie_matrix("2003-03-20")``, cold and warm.

Each run is a fresh process (imports and source reads included), first with an empty cache (every
source parsed and the treaty record built) and then warm (read back from the cache). Inside the
warm process it also times a second matrix on another day (1991-01-17), the sources already in
memory: the cost of one more date in ``add_brokers``. Goal: warm, the whole process in under
1.5 x the goal of one ``embeddedness()`` call (7.5 s), since the matrix replaces about 190 of them.

Run:  .venv/bin/python benchmarks/bench_network.py [--data-dir ../shared/data]
Exits 1 if the goal is missed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _goals import record  # noqa: E402  (one row of the make bench table per goal)

ROOT = Path(__file__).resolve().parents[1]
GOAL = 7.5

CODE = """import warnings, time; warnings.simplefilter('ignore')
from coalitionlab.measures import tie_matrix
t = tie_matrix('2003-03-20', data_dir=DATA)
t0 = time.perf_counter()
tie_matrix('1991-01-17', data_dir=DATA)
print(f"{len(t)} states; another day {time.perf_counter() - t0:.2f} s with the sources loaded")
"""


def run(data_dir: str, cache: str) -> tuple[float, str]:
    env = dict(os.environ, COALITIONLAB_CACHE=cache)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", f"DATA = {data_dir!r}\n" + CODE], env=env, capture_output=True,
                         text=True, check=True)
    return time.perf_counter() - t0, out.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        cold, _ = run(args.data_dir, cache)
        warm, what = run(args.data_dir, cache)
    ok = warm <= GOAL
    record("tie_matrix 2003-03-20, warm", f"{warm:.1f} s", f"< {GOAL:g} s", ok)
    print(f"tie_matrix 2003-03-20 ({what}): cold {cold:5.1f} s, warm {warm:5.1f} s, whole process "
          f"(goal warm < {GOAL:g} s: {'met' if ok else 'MISSED'})", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
