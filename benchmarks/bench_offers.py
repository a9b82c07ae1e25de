"""Model 4 throughput: partner-offer evaluations per second per core in the simulator.

Goal (bargaining issue): at least 10^6 partner-offer evaluations per second per core for model 4 in
the simulator. One evaluation = one partner in one episode: draw its price and the
lead's signal, solve the first-order condition for the optimal offer, record acceptance, payment,
rent and efficiency loss. BLAS and OpenMP are pinned to one thread so the figure is per core.
Run:  .venv/bin/python benchmarks/bench_offers.py [--partners 190] [--episodes 50000]
Prints one row per prior (normal, lognormal, uniform) and exits 1 if any prior misses the goal.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # one core; must be set before numpy is imported

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _goals import record  # noqa: E402  (one row of the make bench table per goal)

GOAL = 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partners", type=int, default=190, help="candidates (about the state system)")
    parser.add_argument("--episodes", type=int, default=50_000, help="episodes for the normal prior")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (best of)")
    args = parser.parse_args()

    from coalitionlab.bargaining import EmbeddednessMapping, World, simulate
    from coalitionlab.bargaining.offers import _offers

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"ccode": np.arange(args.partners), "embeddedness": rng.gamma(2.0, 20.0, args.partners)})
    print(f"{'prior':10s} {'evaluations':>12s} {'best (s)':>9s} {'per second':>12s}  {'solver only':>12s}")
    figures = {}
    for prior, episodes in (("normal", args.episodes), ("lognormal", args.episodes // 5),
                            ("uniform", args.episodes // 10)):
        world = World.from_frame(frame, lead="USA", date="2003-03-20", prior=prior,
                                 mapping=EmbeddednessMapping(price_mean=0.2 if prior == "lognormal" else 1.0))
        simulate(world, 100, seed=0)  # warm-up (tables, caches)
        best = min(_timed(simulate, world, episodes, seed=k) for k in range(args.repeat))
        cells = args.partners * episodes
        c = world.candidates
        signal = rng.normal(size=(episodes, args.partners))
        solver = min(_timed(_offers, prior, c["value"].to_numpy(), c["price_mean"].to_numpy(),
                            c["price_scale"].to_numpy(), c["precision"].to_numpy(), signal)
                     for _ in range(args.repeat))
        figures[prior] = cells / best
        print(f"{prior:10s} {cells:12d} {best:9.3f} {cells / best:12.3g}  {cells / solver:12.3g}")
    missed = [p for p, f in figures.items() if f < GOAL]
    for prior, figure in figures.items():
        record(f"offers per second per core, {prior} prior", f"{figure:.3g}", f">= {GOAL:.0e}", figure >= GOAL)
    print(f"slowest prior: {min(figures.values()):.3g} partner-offer evaluations per second per core "
          f"(goal >= {GOAL:.0e}): {'MISSED by ' + ', '.join(missed) if missed else 'met by every prior'}")
    return 1 if missed else 0


def _timed(fn, *args, **kwargs) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


if __name__ == "__main__":
    sys.exit(main())
