"""The grader on a Dask worker: a plugin that keeps one warm grading session, and the task.

`GraderPlugin.setup` opens the client's session on the worker (its exercise set, seed, course
secret and options; the client's plans pinned; the zygote started and warmed), checks that the
worker has the client's grader and exercise set (a grade must not depend on the machine), and
probes the sandbox layers as `grader doctor` does; the client prints and stores that report.
`grade_task` is then one submission: its bytes in, its result's bytes out, graded by the same
engine, zygote and sandboxed worker as a local run. Submissions are graded one at a time per
Dask worker (a lock: run workers with `--nthreads 1` and as many `--nworkers` as cores).

Only `grader.batch.cluster` imports this module's names at the client; Dask imports it by
reference on each worker, where the grader is installed.
"""

from __future__ import annotations

import asyncio
import gc
import platform
import socket
import sys
import threading
from typing import TYPE_CHECKING, TypedDict

from distributed import WorkerPlugin, get_worker

from ..version import __version__
from .gradebook import encode_result, storable
from .shipping import pin_plans, unpack_submission

if TYPE_CHECKING:
    from distributed import Worker

    from ..session import GradingSession, SessionRecipe


class Layer(TypedDict):
    available: bool
    detail: str


class WorkerReport(TypedDict):
    """`grader doctor` on one worker: where it runs and which sandbox layers it applies."""

    worker: str
    host: str
    platform: str
    python: str
    grader: str
    layers: dict[str, Layer]


class SetupFailed(Exception):
    """The worker cannot grade for this client; `code` and `facts` are a message."""

    def __init__(self, code: str, facts: dict[str, str]) -> None:
        super().__init__(code, facts)
        self.code = code
        self.facts = facts


def doctor_report(worker: str) -> WorkerReport:
    from .. import sandbox

    layers = sandbox.probe()
    return WorkerReport(worker=worker, host=socket.gethostname(), platform=platform.platform(),
                        python=sys.version.split()[0], grader=__version__,
                        layers={name: Layer(available=s.available, detail=s.detail) for name, s in layers.items()})


class GraderPlugin(WorkerPlugin):
    """One grading session per Dask worker, for one `grader grade` run (its own plugin name)."""

    def __init__(self, name: str, recipe: SessionRecipe, exercises_dir: str | None, digest: str,
                 plans: bytes) -> None:
        self.name = name
        self.recipe = recipe
        #: the client's --exercises (None: the set installed on the worker, as on the client)
        self.exercises_dir = exercises_dir
        self.digest = digest
        self.plans = plans
        #: the client's grader version: a worker with another one refuses to grade
        self.version = __version__
        self.session: GradingSession | None = None
        self.report: WorkerReport | None = None
        self.lock = threading.Lock()
        self.settled = False

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state.pop("lock")
        state["session"] = None
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.lock = threading.Lock()

    async def setup(self, worker: Worker) -> None:
        # off the worker's event loop: loading the set and warming the zygote take seconds
        await asyncio.get_running_loop().run_in_executor(None, self._open, worker.address)

    def _open(self, address: str) -> None:
        import dataclasses

        from ..spec import load_exercise_set

        if __version__ != self.version:
            raise SetupFailed("cluster.other_grader", {"worker": address, "theirs": __version__,
                                                       "ours": self.version})
        root = str(load_exercise_set(self.exercises_dir).root)
        session = dataclasses.replace(self.recipe, exercises=root).open(warm_zygote=True)
        try:
            if session.exercise_set.digest != self.digest:
                raise SetupFailed("cluster.other_exercises", {"worker": address,
                                                              "theirs": session.exercise_set.digest[:12],
                                                              "ours": self.digest[:12]})
            pin_plans(session, self.plans)
        except BaseException:
            session.close()
            raise
        self.session = session
        self.report = doctor_report(address)

    def teardown(self, worker: Worker) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None

    def grade(self, blob: bytes) -> bytes:
        """One submission's bytes in, its result's bytes out (the gradebook's encoding)."""
        if self.session is None:
            raise RuntimeError("the grader plugin did not set up on this worker")
        submission = unpack_submission(blob)
        with self.lock:
            result = self.session.grade(submission)
            if not self.settled:  # the session, its plans and the reference's answers are loaded
                gc.collect()
                gc.freeze()  # later collections walk only what each submission adds
                self.settled = True
        return encode_result(storable(result))


def grade_task(plugin_name: str, blob: bytes) -> tuple[str, bytes]:
    """The Dask task: grade one submission on this worker's warm session; (worker, result)."""
    worker = get_worker()
    plugin = worker.plugins.get(plugin_name)
    if not isinstance(plugin, GraderPlugin):
        raise RuntimeError(f"no grader plugin {plugin_name!r} on {worker.address}")
    return worker.address, plugin.grade(blob)


def worker_report(plugin_name: str, dask_worker: Worker) -> WorkerReport | None:
    """What `Client.run` asks each worker: its plugin's doctor report (None: not set up)."""
    plugin = dask_worker.plugins.get(plugin_name)
    return plugin.report if isinstance(plugin, GraderPlugin) else None
