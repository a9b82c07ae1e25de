"""Embeddedness on the full sources: one (lead, date) and a whole coalition panel, cold and warm.

Each case runs in a fresh process (imports and source reads included), first with an empty cache
(every source parsed and the treaty record built) and then warm (the sources and the built treaty
record read back from the cache). Goals (embeddedness second edition): warm, one
``embeddedness("USA", "2003-03-20")`` in under 5 s and ``add_embeddedness`` on the coalition panel of
the USA, the UK, France and Russia 1950-2014 in under 15 s, whole process included.

Run:  .venv/bin/python benchmarks/bench_embeddedness.py [--data-dir ../shared/data]
Exits 1 if a goal is missed.
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
GOALS = {"one": 5.0, "panel": 15.0}

CASES = {
    "one": "from coalitionlab.measures import embeddedness\n"
           "e = embeddedness('USA', '2003-03-20', data_dir=DATA)\n"
           "print(len(e), 'partners')",
    "panel": "from coalitionlab.coalitions import coalition_panel, coalitions\n"
             "from coalitionlab.measures import add_embeddedness\n"
             "c = coalitions()\n"
             "ids = c[c.lead_ccode.isin([2, 200, 220, 365]) & c.start_date.dt.year.between(1950, 2014)].coalition_id\n"
             "p = add_embeddedness(coalition_panel(list(ids)), data_dir=DATA, sociability=True)\n"
             "print(len(p), 'rows of', p.coalition_id.nunique(), 'coalitions')",
}


def run(case: str, data_dir: str, cache: str) -> tuple[float, str]:
    code = "import warnings; warnings.simplefilter('ignore')\n" + f"DATA = {data_dir!r}\n" + CASES[case]
    env = dict(os.environ, COALITIONLAB_CACHE=cache)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - t0, out.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    args = parser.parse_args()
    missed = []
    for case in CASES:
        with tempfile.TemporaryDirectory() as cache:  # each case starts from an empty cache
            cold, _ = run(case, args.data_dir, cache)
            warm, what = run(case, args.data_dir, cache)
            ok = warm <= GOALS[case]
            missed += [] if ok else [case]
            record(f"{case} ({what}), warm", f"{warm:.1f} s", f"< {GOALS[case]:g} s", ok)
            print(f"{case:6s} ({what}): cold {cold:5.1f} s, warm {warm:5.1f} s "
                  f"(goal warm < {GOALS[case]:.0f} s: {'met' if ok else 'MISSED'})", flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
