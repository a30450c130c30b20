"""`grader grade --cluster ADDRESS`: the class graded on Dask distributed, the same way as locally.

`ClusterPool` offers what `parallel.Pool` does (`run(tasks)` yields each `Done` as it finishes),
so the batch loop, the gradebook (written here, by the client alone), resume, Ctrl-C, the
progress bar and the report are the local ones. ADDRESS is a scheduler (`tcp://host:8786`,
`tls://…`), a scheduler file (`dask scheduler --scheduler-file`), or `local:N`, a LocalCluster
of N worker processes on this machine.

Each Dask worker keeps one warm grader through a worker plugin (`cluster_worker.GraderPlugin`),
registered under a name of this run's own: a task is one submission. What travels is bytes
(`shipping`): the submission's files, read here, and its result in the gradebook's encoding.
A worker that dies loses its in-flight submissions, which the scheduler runs again elsewhere;
one that took `distributed.scheduler.allowed-failures` + 1 workers down with it (3 + 1 by
default) comes back as `KilledWorker` and is recorded as that student's internal error.
Submissions are handed out a few per worker thread at a time, so a class of 20,000 never sits
in memory.

Dask is the optional extra `cluster` (`pip install "grader[cluster]"`), imported only here and
in `cluster_worker`, and only when `--cluster` is given.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, cast

from ..facts import CodedError
from .. import codec
from .gradebook import decode_result
from .parallel import Done, Task
from .shipping import pack_plans, pack_submission

if TYPE_CHECKING:
    from distributed import Client, Future, LocalCluster

    from ..session import GradingSession
    from ..spec import Exercise
    from .cluster_worker import WorkerReport

LOCAL = "local:"
#: how long reaching the scheduler may take before the address is called unreachable
CONNECT_TIMEOUT = 10.0
#: how long a scheduler without workers is waited for (workers may still be starting)
WORKER_WAIT = 120.0
#: submissions handed out per worker thread: one running, the next ones already there
AHEAD = 2
#: how often (in finished submissions) the number of worker threads is asked again
RECOUNT = 50
#: `local:N`'s workers: no statistical profiler sampling the grading thread every 10 ms (it cost
#: ~0.1 CPU s per complete submission, benchmarks/CLUSTER.md); docs/cluster.md says the same for
#: workers started by hand (`DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False`)
LOCAL_WORKER_CONFIG = {"distributed.worker.profile.enabled": False}
_ADDRESS = re.compile(r"^((tcp|tls|ucx|inproc)://)?[^\s/]+:\d{1,5}$")


class ClusterError(CodedError):
    """The cluster cannot be used; `code` and `facts` are a message (exit 2)."""


@dataclass(frozen=True)
class Address:
    """What `--cluster` names: N local workers, a scheduler's address, or its scheduler file."""

    text: str
    local_workers: int = 0
    scheduler_file: str | None = None


def parse_address(text: str) -> Address:
    text = text.strip()
    if text.startswith(LOCAL):
        count = text[len(LOCAL):]
        if count.isdigit() and int(count) >= 1:
            return Address(text, local_workers=int(count))
    elif _ADDRESS.match(text):
        return Address(text)
    elif text.endswith(".json") and Path(text).is_file():
        return Address(text, scheduler_file=text)
    raise ClusterError("cluster.bad_address", address=text)


def require(text: str) -> Address:
    """`--cluster`'s address, once Dask is known to be installed: said before any work starts."""
    address = parse_address(text)
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ClusterError("cluster.no_extra") from None
    return address


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


class ClusterPool:
    """A connected Dask client with this run's grader plugin on every worker."""

    def __init__(self, address: Address, client: Client, cluster: LocalCluster | None,
                 plugin_name: str) -> None:
        self.address = address
        self.client = client
        self.cluster = cluster
        self.plugin_name = plugin_name
        #: `grader doctor` on each worker that set up, by worker address
        self.reports: dict[str, WorkerReport] = {}
        self._shown: set[str] = set()

    @classmethod
    def connect(cls, text: str, session: GradingSession, exercises: list[Exercise],
                exercises_dir: str | None) -> ClusterPool:
        """Reach the cluster, wait for a worker, and open the session on every worker."""
        address = require(text)
        import dask
        import distributed

        cluster = None
        try:
            if address.local_workers:
                with dask.config.set(LOCAL_WORKER_CONFIG):
                    cluster = distributed.LocalCluster(
                        n_workers=address.local_workers, threads_per_worker=1, processes=True,
                        dashboard_address=None, silence_logs=logging.ERROR)
                client = distributed.Client(cluster, timeout=CONNECT_TIMEOUT)
            elif address.scheduler_file:
                client = distributed.Client(scheduler_file=address.scheduler_file, timeout=CONNECT_TIMEOUT)
            else:
                client = distributed.Client(address.text, timeout=CONNECT_TIMEOUT)
        except (OSError, ValueError, TimeoutError) as exc:  # refused, unresolvable, no answer
            if cluster is not None:
                cluster.close()
            raise ClusterError("cluster.unreachable", address=address.text, seconds=f"{CONNECT_TIMEOUT:g}",
                               reason=_reason(exc)) from None
        pool = cls(address, client, cluster, f"grader-{secrets.token_hex(6)}")
        try:
            pool._set_up(session, exercises, exercises_dir)
        except BaseException:
            pool.close()
            raise
        return pool

    def _set_up(self, session: GradingSession, exercises: list[Exercise], exercises_dir: str | None) -> None:
        from distributed import TimeoutError as DaskTimeout

        from .cluster_worker import GraderPlugin, SetupFailed

        try:
            self.client.wait_for_workers(1, timeout=WORKER_WAIT)
        except (DaskTimeout, TimeoutError):
            raise ClusterError("cluster.no_workers", address=self.address.text,
                               seconds=f"{WORKER_WAIT:g}") from None
        plugin = GraderPlugin(self.plugin_name, session.recipe(), exercises_dir, session.exercise_set.digest,
                              pack_plans(session, exercises))
        try:
            self.client.register_plugin(plugin, name=self.plugin_name)
        except SetupFailed as exc:
            raise ClusterError(exc.code, **exc.facts) from None
        except Exception as exc:  # the worker's own error while opening the session
            raise ClusterError("cluster.setup_failed", reason=_reason(exc)) from None
        self._ask_reports()

    def _ask_reports(self, workers: list[str] | None = None) -> None:
        from .cluster_worker import worker_report

        answers = self.client.run(worker_report, self.plugin_name, workers=workers, on_error="return")
        for worker, report in answers.items():
            if isinstance(report, dict):  # else an error: that worker did not set up
                self.reports[worker] = cast("WorkerReport", report)

    def new_reports(self) -> list[WorkerReport]:
        """The workers' reports not yet shown (those that joined since), in address order."""
        fresh = [self.reports[w] for w in sorted(self.reports) if w not in self._shown]
        self._shown.update(self.reports)
        return fresh

    def threads(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def run(self, tasks: list[Task]) -> Iterator[Done]:
        """Yield each finished task as it completes; closing the generator cancels the rest."""
        if not tasks:
            return
        from distributed import as_completed

        from .cluster_worker import grade_task

        token = secrets.token_hex(6)
        waiting = iter(tasks)
        futures: dict[Future, Task] = {}
        finished = as_completed()
        ahead = AHEAD * self.threads()

        def hand_out() -> None:
            while len(futures) < ahead:
                task = next(waiting, None)
                if task is None:
                    return
                future = self.client.submit(grade_task, self.plugin_name, pack_submission(task.path),
                                            key=f"grade-{token}-{task.index}", pure=False)
                futures[future] = task
                finished.add(future)

        hand_out()
        try:
            for count, future in enumerate(finished, 1):
                task = futures.pop(future)
                done = self._done(task, future)
                future.release()
                if count % RECOUNT == 0:
                    ahead = AHEAD * self.threads()
                hand_out()
                yield done
        finally:
            for future in futures:
                future.cancel()

    def _done(self, task: Task, future: Future) -> Done:
        from distributed import KilledWorker

        if future.status != "finished":
            exc = future.exception()
            if isinstance(exc, KilledWorker):
                return Done(task, None, f"{exc.allowed_failures + 1} Dask worker(s) died while grading it, "
                                        f"the last {exc.last_worker.address}")
            return Done(task, None, _reason(exc) if exc is not None else str(future.status))
        worker, blob = future.result()
        if worker not in self.reports:
            self._ask_reports([worker])
        try:
            return Done(task, decode_result(blob))
        except (codec.CodecError, TypeError, ValueError) as exc:
            return Done(task, None, f"its result could not be read: {_reason(exc)}")

    def close(self) -> None:
        """Take the plugin off the workers (each closes its zygote), then disconnect."""
        try:
            if self.client.status == "running":
                self.client.unregister_worker_plugin(self.plugin_name)
        except Exception:  # noqa: BLE001 - a worker gone meanwhile: nothing left to close there
            pass
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self) -> ClusterPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


__all__ = ["Address", "ClusterError", "ClusterPool", "parse_address", "require"]
