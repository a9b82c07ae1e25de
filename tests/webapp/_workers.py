"""Job functions for the worker-process tests (module-level, so a spawned worker can import them)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any


def slow_square(x: int, progress: Callable[[str], None]) -> int:
    """``x * x``, after reporting a step and waiting a little."""
    progress(f"squaring {x}")
    time.sleep(0.5)
    return x * x


def die(progress: Callable[[str], None]) -> None:
    """End the worker process at once, as a crash would."""
    os._exit(3)


def pid(progress: Callable[[str], None]) -> int:
    """The worker's process id."""
    return os.getpid()


def worker_pid(jobs: Any) -> int:
    """The process id a job of ``jobs`` runs in."""
    return jobs.wait(jobs.submit("pid", ("pid", time.monotonic()), pid).id, 60).result
