"""The open embeddedness panel 1816-2024 from the command line: goal under 15 s (speed issue).

Times the whole command a user runs, in a fresh process each time (imports, reading the cached
sources, computing every lead x partner x year with all eight components, writing the Parquet
partitions and the provenance sidecar):

    coalitionlab panel --all-leads --years 1816:2024 --out DIR --data-dir DATA

The sources are read from a temporary Parquet cache that a first, cold run fills (it also builds
the treaty record; its time is printed, not part of the goal). Then ``--repeat`` warm runs are
timed; min and median are over them, and the goal is that both are under 15 s. The peak resident
memory of each run (``os.wait4``) and the size written are printed, and the load average before and
after. With ``--scheduler local`` the same command also runs on a Dask LocalCluster (printed for
reference, no goal: on one machine the workers each read the sources, so it is slower; the cluster
is for the heavier variants on more machines).

Run:  .venv/bin/python benchmarks/bench_open_panel.py [--data-dir ../shared/data] [--repeat 3] [--scheduler local]
Exits 1 if the goal is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _goals import record  # noqa: E402  (one row of the make bench table per goal)

ROOT = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).with_name("coalitionlab")
GOAL_S = 15.0
YEARS = "1816:2024"
MIB = 1024**2


def _run(out: Path, data_dir: str, env: dict, scheduler: str | None = None) -> tuple[float, int]:
    """One fresh `coalitionlab panel --all-leads` process: wall seconds and peak RSS (bytes)."""
    cmd = [str(CLI), "panel", "--all-leads", "--years", YEARS, "--out", str(out), "--data-dir", data_dir]
    if scheduler:
        cmd += ["--scheduler", scheduler]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    stdout, stderr = proc.stdout.read().decode(), proc.stderr.read().decode()
    proc.stdout.close()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{stderr[-2000:]}{stdout[-2000:]}")
    rss = usage.ru_maxrss * (1024 if sys.platform != "darwin" else 1)
    return wall, rss


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--repeat", type=int, default=3, help="timed warm runs (fresh processes)")
    parser.add_argument("--scheduler", default=None, help="also time the Dask path (e.g. 'local'); no goal")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        env = {**os.environ, "COALITIONLAB_CACHE": str(tmp_path / "cache")}
        cold, cold_rss = _run(tmp_path / "cold", args.data_dir, env)
        prov = json.loads((tmp_path / "cold" / "_provenance.json").read_text())
        written = _size(tmp_path / "cold")
        runs = [_run(tmp_path / f"warm{k}", args.data_dir, env) for k in range(args.repeat)]
        dask_runs = [_run(tmp_path / "dask", args.data_dir, env, args.scheduler)] if args.scheduler else []
    load_after = os.getloadavg()
    times = [t for t, _ in runs]
    lo, med = min(times), statistics.median(times)
    rss = max(r for _, r in runs) / MIB
    print(f"coalitionlab panel --all-leads --years {YEARS}: {prov['n_rows']:,} lead x partner rows, "
          f"{len(prov['components'])} components, {len(prov['rows'])} year partitions, "
          f"{written / MIB:.1f} MiB of Parquet")
    print(f"load average (1, 5, 15 min): before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} ({os.cpu_count()}-core machine)")
    print(f"cold run (empty cache: parse the sources, build the treaty record): {cold:.2f} s, "
          f"peak RSS {cold_rss / MIB:.0f} MiB")
    print(f"warm runs ({args.repeat} fresh processes): min {lo:.2f} s, median {med:.2f} s "
          f"(all: {', '.join(f'{t:.2f}' for t in times)}); peak RSS {rss:.0f} MiB")
    for t, r in dask_runs:
        print(f"--scheduler {args.scheduler} (no goal): {t:.2f} s, client peak RSS {r / MIB:.0f} MiB")
    ok = lo < GOAL_S and med < GOAL_S
    record(f"panel --all-leads --years {YEARS}, warm min / median", f"{lo:.2f} / {med:.2f} s", f"< {GOAL_S:g} s", ok)
    record("the same, peak RSS", f"{rss:.0f} MiB", "-", None)
    print(f"goal: min and median < {GOAL_S:g} s: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
