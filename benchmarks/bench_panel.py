"""Directed dyad-year panel 1816-2014 against peacesciencer: warm time and peak memory per case.

Goal (speed issue): each case at most a fifth of peacesciencer's warm time for the same work, and
at most a quarter of its peak memory. The peacesciencer (R) figures are the issue's measurement of
``create_dyadyears(directed = TRUE)`` 1816-2014 (1,836,630 rows), then ``add_cow_igo()``, then
``add_atop_alliance()``, warm (packages and data loaded), min / median seconds, peak RSS 1121 MiB.

Cases, each in its own fresh process (so each peak memory is its own):

1. dyad-years alone: ``create_dyadyears(directed=True, years=range(1816, 2015))``
2. + joint IGOs: ``add_igos`` (all seven columns, the default)
3. + IGOs + ATOP alliance flags: ``add_alliances(counts=False)`` (the five ATOP 5.1 flags and
   ``atop_any``: what ``add_atop_alliance()`` adds)
4. (no goal, shown for reference) + IGOs + ``add_alliances()`` with its default shared-alliance counts

"Warm" means the sources are already in the Parquet cache (a cold build fills a temporary cache
first) and the process has made the panel once; each process then times ``--repeat`` builds.
The rounds run the cases interleaved (1, 2, 3, 4, 1, 2, ...) so that a change in the machine's
load hits every case alike; min and median are over all timed builds of a case. Peak memory is
the largest maximum resident set size (``resource.getrusage``) of the case's processes: Python,
pandas, the loaded sources and the panel. The load average is printed before and after.

Run:  .venv/bin/python benchmarks/bench_panel.py [--data-dir ../shared/data] [--rounds 3] [--repeat 3]
Exits 1 if a goal is missed. ``--stages`` instead prints, for one fresh process and the IGO and ATOP
case (the sources already cached), the resident memory after each step and the panel's size by kind
of column (docs/measures/performance.md, "Compact value columns").
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _goals import record  # noqa: E402  (one row of the make bench table per goal)

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024**2

#: peacesciencer (R) warm seconds (min, median) per case and its peak RSS, from the issue
PEACESCIENCER = {"dyads": (2.94, 3.33), "igos": (2.59, 3.38), "igos_atop": (2.83, 3.62)}
PEACESCIENCER_RSS_MIB = 1121
SPEEDUP = 5  # goal: at most a fifth of peacesciencer's time
MEMORY_SHARE = 4  # goal: at most a quarter of its peak memory
CASES = {
    "dyads": "dyad-years alone",
    "igos": "+ joint IGOs",
    "igos_atop": "+ IGOs + ATOP alliance flags",
    "igos_atop_counts": "+ IGOs + add_alliances() default (flags and counts; no goal)",
}


def _build(case: str, data_dir: str):
    from coalitionlab import measures

    panel = measures.create_dyadyears(directed=True, years=range(1816, 2015), data_dir=data_dir)
    if case != "dyads":
        panel = measures.add_igos(panel, data_dir=data_dir)
    if case == "igos_atop":
        panel = measures.add_alliances(panel, data_dir=data_dir, counts=False)
    elif case == "igos_atop_counts":
        panel = measures.add_alliances(panel, data_dir=data_dir)
    return panel


def _peak_rss() -> int:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb * 1024 if sys.platform != "darwin" else kb


def _child(case: str, data_dir: str, repeat: int) -> int:
    """One fresh process: a first (untimed-for-goal) build, then ``repeat`` timed warm builds."""
    t = time.perf_counter()
    panel = _build(case, data_dir)
    first = time.perf_counter() - t
    shape = panel.shape
    del panel
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        panel = _build(case, data_dir)
        times.append(time.perf_counter() - t)
        del panel
    print(json.dumps({"case": case, "first": first, "times": times, "rss": _peak_rss(), "shape": shape}))
    return 0


def _rss_now() -> int:
    """Resident memory now (Linux: /proc/self/statm); elsewhere the peak so far."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return _peak_rss()


def _stages(data_dir: str) -> int:
    """One fresh process, the IGO and ATOP case step by step: resident memory now and the peak so far
    after each step, the panel's columns by kind, and what reading ATOP 5.1 once more adds."""
    import numpy as np

    seen = [0]

    def row(label: str) -> None:
        now = _rss_now()
        seen[0] = max(seen[0], now, _peak_rss())
        print(f"{label:<42} {now / MIB:>8.0f} {seen[0] / MIB:>10.0f}")

    print(f"{'stage':<42} {'RSS MiB':>8} {'peak MiB':>10}")
    row("start")
    from coalitionlab import measures
    from coalitionlab.measures._common import load_source, release_memory

    row("import coalitionlab.measures")
    panel = measures.create_dyadyears(directed=True, years=range(1816, 2015), data_dir=data_dir)
    row("create_dyadyears")
    panel = measures.add_igos(panel, data_dir=data_dir)
    row("+ add_igos")
    panel = measures.add_alliances(panel, data_dir=data_dir, counts=False)
    row("+ add_alliances(counts=False)")
    dy = load_source("atop_dyads", data_dir)
    row("read ATOP 5.1 once more (kept)")
    table = dy.memory_usage(deep=True).sum() / MIB
    del dy
    release_memory()
    row("... dropped, memory released")
    sizes = panel.memory_usage(deep=True, index=False) / MIB
    kinds = {"keys": ["ccode1", "ccode2", "year"], "IGO counts": [c for c in panel if c.startswith("igo_")],
             "ATOP flags": [c for c in panel if c.startswith("atop_")]}
    parts = ", ".join(f"{k} {sizes[v].sum():.0f} MiB" for k, v in kinds.items())
    dtypes = sorted({str(t) for t in panel.dtypes})
    print(f"panel: {len(panel):,} rows x {panel.shape[1]} columns, {sizes.sum():.0f} MiB ({parts}); "
          f"dtypes {', '.join(dtypes)}; ATOP 5.1 table as read: {table:.0f} MiB; "
          f"{int(np.asarray(panel['igo_joint_any'].isna()).sum()):,} IGO counts missing")
    return 0


def _run(args: list[str], env: dict) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"benchmark child {args} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--rounds", type=int, default=3, help="fresh processes per case, interleaved")
    parser.add_argument("--repeat", type=int, default=3, help="timed warm builds per process")
    parser.add_argument("--child", choices=list(CASES), help=argparse.SUPPRESS)
    parser.add_argument("--stages", action="store_true",
                        help="instead: one process, memory after each step of the IGO and ATOP case (warm cache)")
    args = parser.parse_args()
    if args.child:
        return _child(args.child, args.data_dir, args.repeat)
    if args.stages:
        return _stages(args.data_dir)
    load_before = os.getloadavg()
    results: dict[str, list[dict]] = {c: [] for c in CASES}
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "COALITIONLAB_CACHE": cache}
        t = time.perf_counter()
        _run(["--child", "igos_atop_counts", "--repeat", "0", "--data-dir", args.data_dir], env)
        cold = time.perf_counter() - t
        for _ in range(args.rounds):
            for case in CASES:
                results[case].append(_run(["--child", case, "--repeat", str(args.repeat),
                                           "--data-dir", args.data_dir], env))
    load_after = os.getloadavg()
    rows, cols = results["igos_atop_counts"][0]["shape"]
    print(f"directed dyad-years 1816-2014: {rows:,} rows; {args.rounds} fresh processes per case "
          f"(interleaved), {args.repeat} warm builds each")
    print(f"load average (1, 5, 15 min): before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} (2-core machine)")
    print(f"cold process (imports, parse and cache the sources, one build with every step): {cold:.2f} s")
    head = (f"{'case':<31} {'cols':>4} {'warm min':>8} {'median':>7} {'goal min/med':>13} {'peacesci.':>10} "
            f"{'first':>6} {'peak RSS':>9} {'goal':>5}  ok")
    print(head)
    ok_all = True
    rss_goal = PEACESCIENCER_RSS_MIB / MEMORY_SHARE
    for case, label in CASES.items():
        runs = results[case]
        times = [x for r in runs for x in r["times"]]
        lo, med = min(times), statistics.median(times)
        first = statistics.median(r["first"] for r in runs)
        rss = max(r["rss"] for r in runs) / MIB
        ps = PEACESCIENCER.get(case)
        if ps is None:
            goal_txt, ps_txt, rss_txt, ok_txt = "-", "-", "-", "(no goal)"
            record(f"{label}: warm min / median", f"{lo:.2f} / {med:.2f} s", "-", None)
            record(f"{label}: peak RSS", f"{rss:.0f} MiB", "-", None)
        else:
            g_lo, g_med = ps[0] / SPEEDUP, ps[1] / SPEEDUP
            ok = lo <= g_lo and med <= g_med and rss <= rss_goal
            ok_all &= ok
            goal_txt, ps_txt = f"{g_lo:.2f}/{g_med:.2f}", f"{ps[0]:.2f}/{ps[1]:.2f}"
            rss_txt, ok_txt = f"{rss_goal:.0f}", "yes" if ok else "MISSED"
            record(f"{label}: warm min / median", f"{lo:.2f} / {med:.2f} s",
                   f"<= {g_lo:.2f} / {g_med:.2f} s (1/{SPEEDUP})", lo <= g_lo and med <= g_med,
                   anchor=f"peacesciencer {ps[0]:.2f} / {ps[1]:.2f} s", ratio=med / ps[1])
            record(f"{label}: peak RSS", f"{rss:.0f} MiB", f"<= {rss_goal:.0f} MiB (1/{MEMORY_SHARE})",
                   rss <= rss_goal, anchor=f"peacesciencer {PEACESCIENCER_RSS_MIB} MiB",
                   ratio=rss / PEACESCIENCER_RSS_MIB)
        ncol = runs[0]["shape"][1]
        print(f"{label[:31]:<31} {ncol:>4} {lo:>8.2f} {med:>7.2f} {goal_txt:>13} {ps_txt:>10} {first:>6.2f} "
              f"{rss:>5.0f} MiB {rss_txt:>5}  {ok_txt}")
    print(f"goals: warm min and median <= peacesciencer's / {SPEEDUP}; peak RSS <= {rss_goal:.0f} MiB "
          f"(peacesciencer {PEACESCIENCER_RSS_MIB} MiB / {MEMORY_SHARE})")
    print("goal met" if ok_all else "GOAL MISSED")
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
