"""Slow computations (forecasts, plans) run in the background; the page polls for them.

A request for a forecast or a plan returns at once with a job id; :class:`Jobs` runs the work in worker
processes, so the page and the app's quick answers (ranking, ties) never wait for it and never compete
with it for the interpreter. Worker processes also keep the library's caches apart: those are safe
across processes, not across threads of one process. Each worker keeps its data in memory from one job
to the next (the training panel, the loaded sources).

The same request while its job runs (or after it finished well) gets that job back, not a second run,
and the finished jobs kept are the app's cache of results. A job still queued or running after
``timeout`` seconds is reported as failed with a message (the worker finishes in the background and its
result is dropped): the page never waits forever. A job's function must catch nothing: any exception
becomes the job's one-line message (:func:`~coalitionlab.webapp.service.error_message`), computed in
the worker, so only plain data ever crosses back.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
import time
import traceback
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from coalitionlab.webapp.service import error_message

__all__ = ["Job", "Jobs"]

log = logging.getLogger("coalitionlab.webapp")
_PROGRESS: list[Any] = []  # in a worker process: the queue its progress messages go to


@dataclass
class Job:
    """One background computation.

    ``status`` is ``"queued"``, ``"running"``, ``"done"`` or ``"error"``; ``progress`` is the last step
    the computation reported, ``message`` the one-line error, ``result`` what it returned.
    """

    id: str
    kind: str
    key: tuple
    status: str = "queued"
    progress: str = ""
    message: str = ""
    result: Any = None
    submitted: float = field(default_factory=time.monotonic)
    started: float | None = None
    finished: float | None = None

    def elapsed(self) -> float:
        """Seconds since it started (or was submitted, while queued), up to when it finished."""
        end = self.finished if self.finished is not None else time.monotonic()
        return end - (self.started if self.started is not None else self.submitted)


def _worker_init(progress_queue: Any) -> None:
    _PROGRESS[:] = [progress_queue]


def _run(work: Callable[..., Any], job_id: str, args: tuple, sink: Callable[[str, str | None], None] | None) -> tuple:
    """Run ``work(*args, progress)`` in a worker; ``("done", result)`` or ``("error", one line)``."""
    if sink is None:  # a worker process: progress goes through the queue
        q = _PROGRESS[0]

        def sink(jid: str, text: str | None) -> None:
            q.put((jid, text))

    sink(job_id, None)  # started
    try:
        return "done", work(*args, lambda text: sink(job_id, str(text)[:200]))
    except Exception as exc:  # noqa: BLE001 - every failure becomes the job's one-line message
        message = error_message(exc)
        if message.startswith("internal error"):
            traceback.print_exc()  # the server's log; the page gets the one line
        return "error", message


class Jobs:
    """Background jobs with de-duplication, a keep-last cache and a per-job time limit.

    Parameters
    ----------
    workers
        Computations run at once (the rest wait, ``status="queued"``).
    keep
        Finished jobs kept (oldest dropped first).
    timeout
        Seconds after which a job still queued or running is reported failed.
    processes
        Run jobs in worker processes (spawned; the job function and its arguments must pickle), or, if
        False, in threads of this process (for light work and tests).

    Examples
    --------
    >>> jobs = Jobs(workers=1, processes=False)
    >>> job = jobs.submit("sum", ("sum", 1, 2), lambda a, b, progress: a + b, 1, 2)
    >>> jobs.wait(job.id, 5).result
    3
    >>> jobs.submit("sum", ("sum", 1, 2), lambda a, b, progress: a + b, 1, 2).id == job.id  # the kept result
    True
    >>> jobs.shutdown()
    """

    def __init__(self, *, workers: int = 2, keep: int = 64, timeout: float = 600.0, processes: bool = True) -> None:
        self.timeout = float(timeout)
        self._workers = int(workers)
        self._keep = int(keep)
        self._processes = bool(processes)
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._by_key: dict[tuple, str] = {}
        self._lock = threading.Lock()
        self._pool: Executor | None = None
        self._retired: set[int] = set()  # ids of pools stopped on purpose (their jobs end quietly)
        self._queue: Any = None
        self._drain: threading.Thread | None = None

    # ------------------------------------------------------------------ public

    def submit(self, kind: str, key: tuple, work: Callable[..., Any], *args: Any) -> Job:
        """Run ``work(*args, progress)`` in the background (``progress(text)`` reports a step), or return
        the job already queued, running or done for the same ``key``."""
        with self._lock:
            known = self._by_key.get(key)
            if known is not None and known in self._jobs:
                job = self._jobs[known]
                self._check_timeout(job)
                if job.status != "error":
                    self._jobs.move_to_end(known)
                    return job
            job = Job(id=uuid.uuid4().hex, kind=kind, key=key)
            self._jobs[job.id] = job
            self._by_key[key] = job.id
            self._trim()
            pool = self._executor()
        sink = None if self._processes else self._progress
        try:
            future = pool.submit(_run, work, job.id, args, sink)
        except Exception as exc:  # noqa: BLE001 - a pool that cannot take work (broken, shut down)
            self._restart(pool)
            self._finish(job, ("error", f"could not start the {kind}: {error_message(exc)}; try again"))
            return job
        future.add_done_callback(lambda f, job=job, pool=pool: self._done(job, f, pool))
        return job

    def get(self, job_id: str) -> Job | None:
        """The job with this id (None when unknown or dropped)."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None:
                self._check_timeout(job)
            return job

    def wait(self, job_id: str, timeout: float) -> Job | None:
        """Poll until the job is done or failed, or ``timeout`` seconds passed (for tests and scripts)."""
        end = time.monotonic() + timeout
        while True:
            job = self.get(job_id)
            if job is None or job.status in ("done", "error") or time.monotonic() > end:
                return job
            time.sleep(0.05)

    def shutdown(self, only: Executor | None = None) -> None:
        """Stop the worker processes (a running job is abandoned); the next job starts new ones.
        With ``only``, only if that is still the pool in use (a broken pool is replaced once)."""
        with self._lock:
            if only is not None and self._pool is not only:
                return
            pool, self._pool = self._pool, None
            q, self._queue = self._queue, None
            if pool is not None:
                self._retired.add(id(pool))
        if pool is None:
            return
        procs = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        if q is not None:
            q.put(None)  # stops the progress reader

    # ------------------------------------------------------------------ internals

    def _executor(self) -> Executor:
        if self._pool is None:
            if self._processes:
                ctx = multiprocessing.get_context("spawn")  # no fork of a process that runs threads
                self._queue = ctx.Queue()
                self._pool = ProcessPoolExecutor(max_workers=self._workers, mp_context=ctx,
                                                 initializer=_worker_init, initargs=(self._queue,))
                self._drain = threading.Thread(target=self._read_progress, args=(self._queue,),
                                               name="coalitionlab-job-progress", daemon=True)
                self._drain.start()
            else:
                self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="coalitionlab-job")
        return self._pool

    def _restart(self, pool: Executor) -> None:
        """Drop a broken pool (a worker died): the next job starts a new one."""
        self.shutdown(only=pool)

    def _read_progress(self, q: Any) -> None:
        while True:
            try:
                item = q.get()
            except (EOFError, OSError, queue.Empty):
                return
            if item is None:
                return
            self._progress(*item)

    def _progress(self, job_id: str, text: str | None) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return
            if text is None:
                if job.status == "queued":
                    job.status, job.started = "running", time.monotonic()
            elif job.status == "running":
                job.progress = text

    def _done(self, job: Job, future: Future, pool: Executor) -> None:
        try:
            outcome = future.result()
        except Exception as exc:  # noqa: BLE001 - the worker died (killed, out of memory) or was cancelled
            if id(pool) in self._retired:  # stopped on purpose (shutdown)
                outcome = ("error", f"the {job.kind} was stopped: the app's workers were shut down")
            else:
                log.error("job %s failed in its worker: %r", job.id, exc)
                outcome = ("error", f"the {job.kind} stopped: its worker process ended ({type(exc).__name__}); "
                                    "try again")
                threading.Thread(target=self._restart, args=(pool,), daemon=True).start()
        self._finish(job, outcome)

    def _finish(self, job: Job, outcome: tuple) -> None:
        with self._lock:
            if job.status in ("done", "error"):  # timed out meanwhile: the result is dropped
                return
            if job.started is None:
                job.started = time.monotonic()
            job.finished = time.monotonic()
            if outcome[0] == "done":
                job.status, job.result = "done", outcome[1]
            else:
                job.status, job.message = "error", outcome[1]

    def _check_timeout(self, job: Job) -> None:
        if job.status in ("queued", "running") and job.elapsed() > self.timeout:
            waited = "waited" if job.status == "queued" else "ran"
            job.status, job.finished = "error", time.monotonic()
            job.message = (f"stopped waiting: the {job.kind} {waited} longer than {self.timeout:g} s "
                           "(try fewer scenarios or a shorter solver time limit)")

    def _trim(self) -> None:
        """Drop the oldest finished jobs beyond ``keep`` (running and queued ones stay)."""
        extra = len(self._jobs) - self._keep
        for old_id in [i for i, j in self._jobs.items() if j.status in ("done", "error")][:max(extra, 0)]:
            old = self._jobs.pop(old_id)
            if self._by_key.get(old.key) == old_id:
                del self._by_key[old.key]
