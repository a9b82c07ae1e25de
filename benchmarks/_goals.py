"""Each benchmark's goals as rows of one table: a script calls :func:`record` once per goal and
``run_all.py`` (``make bench``) prints every row, each goal beside its figure.

A row goes to the JSON-lines file named by ``$COALITIONLAB_BENCH_RESULTS`` (run_all sets it); run
alone, a script only prints its own output.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

RESULTS_ENV = "COALITIONLAB_BENCH_RESULTS"


def record(goal: str, figure: str, target: str, met: bool | None, *, anchor: str = "-",
           ratio: float | None = None) -> None:
    """One goal: what was measured (``figure``), the goal (``target``), whether it was met (None: no
    goal, shown for reference), the reference figure (``anchor``: peacesciencer's or the speed issue's
    figure from before) and ``figure / anchor`` where both are times or sizes."""
    path = os.environ.get(RESULTS_ENV)
    if not path:
        return
    row = {"benchmark": Path(sys.argv[0]).name, "goal": goal, "figure": figure, "target": target, "met": met,
           "anchor": anchor, "ratio": ratio}
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(row) + "\n")
