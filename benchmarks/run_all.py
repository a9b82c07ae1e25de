"""Run every benchmark in this folder (bench_*.py) and print each goal beside its figure.

Run:  .venv/bin/python benchmarks/run_all.py [--only bench_panel,bench_answers] [--skip bench_forecast] [--markdown]
Each script runs in its own process and prints its own report; at the end one table gives, for
every goal, the figure measured, the goal, the reference figure (peacesciencer's where the speed issue
gives one, else the figure before) and their ratio. ``--markdown`` prints the table as Markdown
(docs/measures/performance.md carries it). Exits 1 if any goal is missed or a script fails.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _goals import RESULTS_ENV  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated script names (bench_panel or bench_panel.py)")
    parser.add_argument("--skip", default="", help="comma-separated script names to leave out")
    parser.add_argument("--markdown", action="store_true", help="print the final table as Markdown")
    args = parser.parse_args()
    scripts = sorted(HERE.glob("bench_*.py"))
    names = {s.stem for s in scripts}
    only = _names(args.only, names, parser)
    skip = _names(args.skip, names, parser)
    scripts = [s for s in scripts if (not only or s.stem in only) and s.stem not in skip]
    failed, rows = [], []
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "goals.jsonl"
        env = {**os.environ, RESULTS_ENV: str(results)}
        for script in scripts:
            print(f"== {script.name}", flush=True)
            start = time.perf_counter()
            code = subprocess.call([sys.executable, str(script)], env=env)
            print(f"   ({time.perf_counter() - start:.0f} s)", flush=True)
            if code != 0:
                failed.append(script.name)
        if results.is_file():
            rows = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines() if line.strip()]
    _table(rows, markdown=args.markdown)
    missed = [f"{r['benchmark']}: {r['goal']}" for r in rows if r["met"] is False]
    print(f"load average {os.getloadavg()[0]:.1f} (1 min), {os.cpu_count()} cores")
    if not failed and not missed:
        print(f"all {sum(r['met'] is True for r in rows)} benchmark goals met")
        return 0
    print("goals missed: " + "; ".join(missed or failed))
    return 1


def _names(text: str, known: set[str], parser: argparse.ArgumentParser) -> set[str]:
    picked = {t.strip().removesuffix(".py") for t in text.split(",") if t.strip()}
    unknown = sorted(picked - known)
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(sorted(known))}")
    return picked


def _table(rows: list[dict], *, markdown: bool) -> None:
    head = ["benchmark", "goal", "figure", "target", "reference", "ratio", "met"]
    body = [[r["benchmark"].removesuffix(".py"), r["goal"], r["figure"], r["target"], r["anchor"],
             "-" if r["ratio"] is None else f"{r['ratio']:.2f}",
             "(no goal)" if r["met"] is None else "yes" if r["met"] else "MISSED"] for r in rows]
    if markdown:
        print("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
        for line in body:
            print("| " + " | ".join(line) + " |")
        return
    widths = [max(len(x) for x in col) for col in zip(head, *body)]
    for line in [head, *body]:
        print("  ".join(x.ljust(w) for x, w in zip(line, widths)).rstrip())


if __name__ == "__main__":
    sys.exit(main())
