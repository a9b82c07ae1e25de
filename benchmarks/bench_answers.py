"""Answers in seconds: whole-process time of `fit`, `predict`, `simulate`, `cv` and `demo --data-dir`.

Goals (speed issue): with data and fitted models cached, `fit`, `predict` and `simulate` (10,000
episodes) each return in <= 2 s warm, `cv` in <= 20 s, `demo --data-dir` in <= 30 s. Each command runs
in a fresh process (`coalitionlab ...`, as a user types it) against one empty cache directory: the first
run is cold (it fills the cache), the next `--repeat` runs are warm; the minimum and median of the warm
runs are printed beside the goal and the issue's figure from before ("was").
Run:  .venv/bin/python benchmarks/bench_answers.py [--data-dir ../shared/data] [--repeat 3] [--only fit,predict]
Exits 1 if any warm median misses its goal.
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
CLI = Path(sys.executable).with_name("coalitionlab")

#: name -> (arguments after `coalitionlab`, goal in seconds, the issue's figure before)
CASES: dict[str, tuple[list[str], float, str]] = {
    "fit": (["fit", "--format", "csv"], 2.0, "13-21 s"),
    "predict": (["predict", "--lead", "USA", "--date", "2003-03-20", "--train-until", "2002", "--target", "IRQ",
                 "--format", "csv"], 2.0, "13-21 s"),
    "simulate": (["simulate", "--lead", "USA", "--date", "2003-03-20", "--episodes", "10000", "--format", "json"],
                 2.0, "13-21 s"),
    "cv": (["cv", "--format", "csv"], 20.0, "88-110 s"),
    "demo": (["demo", "--out", "{tmp}/demo"], 30.0, "71-86 s"),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--repeat", type=int, default=3, help="warm runs per command")
    parser.add_argument("--only", default=",".join(CASES), help="comma-separated commands to time")
    args = parser.parse_args()
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = sorted(set(names) - set(CASES))
    if unknown:
        parser.error(f"unknown command(s) {', '.join(unknown)}; choose from {', '.join(CASES)}")
    missed = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "COALITIONLAB_CACHE": str(Path(tmp) / "cache")}
        # a user's Python keeps compiled bytecode: with PYTHONDONTWRITEBYTECODE every run would also time
        # compiling the package's sources (the cold run writes the bytecode, as a first use does)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        print(f"{'command':10s} {'cold (s)':>9s} {'warm min':>9s} {'warm median':>12s} {'goal':>6s}  was")
        for name in names:
            argv, goal, before = CASES[name]
            cmd = [str(CLI), *[a.format(tmp=tmp) for a in argv], "--data-dir", args.data_dir]
            cold = _run(cmd, env)
            warm = sorted(_run(cmd, env) for _ in range(args.repeat))
            median = warm[len(warm) // 2]
            ok = median <= goal
            missed += [] if ok else [name]
            record(f"{name}, warm median", f"{median:.2f} s (min {warm[0]:.2f})", f"<= {goal:g} s", ok,
                   anchor=f"{before} before")
            print(f"{name:10s} {cold:9.2f} {warm[0]:9.2f} {median:12.2f} {goal:6.0f}  {before}"
                  f"{'' if ok else '   MISSED'}", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f}; "
          + ("every goal met" if not missed else f"goals missed: {', '.join(missed)}"))
    return 1 if missed else 0


def _run(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip().splitlines()[-1:]}")
    return took


if __name__ == "__main__":
    sys.exit(main())
