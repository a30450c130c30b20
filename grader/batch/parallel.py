"""Grade many submissions on N grader processes, each with its own zygote and grading session.

The parent hands out (index, student, path) tasks through a queue and receives results as each
submission finishes; it alone writes the gradebook. Grader processes ignore SIGINT: on Ctrl-C the
parent stops handing out work, keeps what already arrived, and terminates them (SIGTERM: each
closes its zygote and its student worker on the way out). A grader process that dies costs only
the submission it was grading (recorded as an internal error, regraded next run) and is replaced.
So does a result that cannot be sent back, and a task whose process vanished before saying it had
taken it: every task handed out comes back, graded or with the reason it is not.

Processes are started with the "spawn" method: nothing of the parent (its open gradebook, its
threads) leaks into them. Plans come from the on-disk cache the parent filled before starting
them, so every process loads the same inputs and none draws them again.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, Protocol

from ..result import SubmissionResult

if TYPE_CHECKING:
    from ..session import SessionRecipe

#: why a task has no result when every grader process ended without reporting it (one was
#: killed before its "start" message left)
LOST = "its grader process ended before reporting it"


@dataclass
class Task:
    index: int
    student: str
    path: str


@dataclass
class Done:
    task: Task
    result: SubmissionResult | None  # None: the grader process died while grading it
    how: str = ""


class Engine(Protocol):
    """What grades a batch's tasks: this module's `Pool`, or `cluster.ClusterPool` on Dask."""

    def run(self, tasks: list[Task]) -> Iterator[Done]: ...


def _die_with_parent() -> None:
    """SIGTERM when the parent dies, however it dies (Linux): no grader process outlives it."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _worker(tasks: Any, results: Any, recipe: SessionRecipe, cache_dir: str | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # unwinds: sessions and zygote close
    _die_with_parent()
    if cache_dir:
        os.environ["GRADER_CACHE_DIR"] = cache_dir
    from ..session import GradingSession

    session: GradingSession | None = None
    settled = False
    try:
        session = recipe.open(warm_zygote=True)
        while True:
            task = tasks.get()
            if task is None:
                return
            results.put(("start", os.getpid(), task))
            try:
                result = session.grade(task.path)
            except Exception as exc:  # a bug in the grader: it costs this submission only
                results.put(("done", os.getpid(), _sendable(Done(task, None, _describe_error(exc)))))
                continue
            results.put(("done", os.getpid(), _sendable(Done(task, result))))
            if not settled:  # the session, its plans and the shared reference answers are loaded
                gc.collect()
                gc.freeze()  # later collections walk only what each submission adds
                settled = True
    finally:
        if session is not None:
            session.close()


def _describe_error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _sendable(done: Done) -> bytes:
    """`done` pickled here rather than in the queue's feeder thread: there a result that cannot
    be pickled (nesting deeper than the recursion limit) would be dropped with a traceback on
    stderr, and the parent would wait for it forever. Here it becomes this submission's error."""
    try:
        return pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, RecursionError, TypeError, ValueError, AttributeError) as exc:
        return pickle.dumps(Done(done.task, None, f"the result could not be sent: {_describe_error(exc)}"))


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """SIGINT ignored meanwhile (and inherited so by processes started meanwhile)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Pool:
    def __init__(self, jobs: int, recipe: SessionRecipe) -> None:
        self.jobs = max(1, jobs)
        self.context = multiprocessing.get_context("spawn")
        self.tasks = self.context.Queue()
        self.results = self.context.Queue()
        #: each grader process opens the parent's session (its course secret travels with it,
        #: never to a submission's worker)
        self.args = (recipe, os.environ.get("GRADER_CACHE_DIR"))
        self.processes: dict[int, Any] = {}
        self.in_flight: dict[int, Task] = {}
        self.startup_failures = 0

    def _start_one(self) -> None:
        process = self.context.Process(target=_worker, args=(self.tasks, self.results, *self.args),
                                       daemon=True)
        with _sigint_ignored():  # inherited through spawn: no KeyboardInterrupt while it starts
            process.start()
        if process.pid is None:  # start() returned: the process has its id
            raise RuntimeError("a grading worker did not start")
        self.processes[process.pid] = process

    def run(self, tasks: list[Task]) -> Iterator[Done]:
        """Yield each finished task as it completes. Stop by closing the generator (or Ctrl-C)."""
        if not tasks:
            return
        for task in tasks:
            self.tasks.put(task)
        jobs = min(self.jobs, len(tasks))
        for _ in range(jobs):
            self.tasks.put(None)
        for _ in range(jobs):
            self._start_one()
        outstanding = {task.index: task for task in tasks}
        if len(outstanding) != len(tasks):
            raise ValueError("every task needs its own index")
        try:
            while outstanding:
                try:
                    kind, pid, payload = self.results.get(timeout=0.5)
                except queue.Empty:
                    for done in self._reap_dead():
                        if outstanding.pop(done.task.index, None) is not None:
                            yield done
                    if not self.processes:  # all ended, some tasks never reported: lost with one
                        for task in list(outstanding.values()):
                            del outstanding[task.index]
                            yield Done(task, None, LOST)
                    continue
                if kind == "start":
                    self.in_flight[pid] = payload
                else:
                    self.in_flight.pop(pid, None)
                    done = pickle.loads(payload)
                    if outstanding.pop(done.task.index, None) is not None:
                        yield done
        finally:
            self.stop()

    def _reap_dead(self) -> Iterator[Done]:
        for pid, process in list(self.processes.items()):
            if process.is_alive():
                continue
            del self.processes[pid]
            task = self.in_flight.pop(pid, None)
            if process.exitcode != 0 or task is not None:
                how = _describe(process.exitcode)
                if task is None:  # died before grading anything: do not restart it forever
                    self.startup_failures += 1
                    if self.startup_failures > 3:
                        raise RuntimeError(f"grader processes keep dying at start-up ({how})")
                self.tasks.put(None)  # the replacement's stop signal
                self._start_one()
                if task is not None:
                    yield Done(task, None, how)

    def stop(self) -> None:
        """Terminate every grader process (each closes its zygote) and wait for them briefly."""
        with _sigint_ignored():
            for process in self.processes.values():
                if process.is_alive():
                    process.terminate()
            deadline = time.monotonic() + 5.0
            for process in self.processes.values():
                process.join(max(0.0, deadline - time.monotonic()))
                if process.is_alive():
                    process.kill()
                    process.join(1.0)
            self.processes.clear()
            for q in (self.tasks, self.results):
                q.cancel_join_thread()
                q.close()


def _describe(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exited with code {exitcode}"


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


__all__ = ["Done", "Engine", "Pool", "Task", "default_jobs"]
