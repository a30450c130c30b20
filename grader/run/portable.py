"""The portable worker's launcher: one fresh interpreter per submission, no fork.

Where fork is missing (Windows) or unsafe (macOS: system libraries there may hold locks or
threads a forked child inherits broken, which is why CPython moved away from it), each worker
is `python -s -m grader.run.spawned`, started with subprocess and talking over its stdin and
stdout (grader.run.channel) in the same messages and codec as a forked worker. It stays warm for
every exercise of its submission; a crash or a kill costs a new one, as with the zygote.

Killing: on POSIX the worker leads a session of its own (`start_new_session`), so `killpg`
ends whatever it started; on Windows it runs in a Job Object (grader.run.winjob) that ends its
whole tree, caps its memory and CPU time, and dies with the grader. The rest of the sandbox is
what grader.sandbox can apply inside the worker on that system (every layer on Linux).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Any

from . import protocol
from .channel import GraderEnd
from .client import WorkerError, scrubbed_environment
from .winjob import CREATION_FLAGS, Job

#: how long a killed worker may take to be reaped
_WAIT_SECONDS = 10.0


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    channel: GraderEnd
    job: Job | None = None  # Windows only


def _package_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class PortableLauncher:
    """Starts portable workers; the same interface as grader.run.client.Zygote (`Launcher`)."""

    kind = "portable"

    def __init__(self) -> None:
        self._home = tempfile.mkdtemp(prefix="grader-home-")
        self._workers: dict[int, _Worker] = {}

    def start(self) -> None:
        """Nothing stays warm between submissions: each worker is a fresh interpreter."""

    def spawn(self, workdir: str, policy: dict[str, Any], torch: bool) -> tuple[int, protocol.Stream]:
        requests_read, requests_write = os.pipe()
        replies_read, replies_write = os.pipe()
        env = scrubbed_environment(self._home)
        env["PYTHONPATH"] = _package_root()
        # what the interpreter says before the worker's own capture starts (it truncates the file)
        startup_errors = open(os.path.join(workdir, ".stderr"), "wb")
        try:
            process = subprocess.Popen(
                [sys.executable, "-s", "-m", "grader.run.spawned"], stdin=requests_read,
                stdout=replies_write, stderr=startup_errors, env=env, cwd=self._home,
                **_platform_options())
        except OSError as exc:
            for fd in (requests_read, requests_write, replies_read, replies_write):
                os.close(fd)
            raise WorkerError(f"the worker could not start: {exc}") from None
        finally:
            startup_errors.close()
        os.close(requests_read)
        os.close(replies_write)
        channel = GraderEnd(replies_read, requests_write)
        worker = _Worker(process, channel)
        self._workers[process.pid] = worker
        if sys.platform == "win32":
            job = None
            try:
                job = _job_for(policy)
                job.adopt(process.pid)
            except OSError as exc:  # still suspended, outside any job: end it by itself
                process.kill()
                if job is not None:
                    job.close()
                self.wait(process.pid)
                raise WorkerError(f"the worker's Job Object failed: {exc}") from None
            worker.job = job
        try:
            protocol.send(channel, {"op": "start", "workdir": workdir, "policy": policy,
                                    "torch": torch, "parent": os.getpid()})
        except OSError:
            pass  # the worker died at once: the first receive says so, as for a forked one
        return process.pid, channel

    def outside_layers(self, pid: int) -> dict[str, bool]:
        """Layers applied from outside the worker, for the report's `sandbox`."""
        worker = self._workers.get(pid)
        return {"job_object": True} if worker is not None and worker.job is not None else {}

    def kill(self, pid: int) -> None:
        """End the worker and everything it started (its process group, or its job)."""
        worker = self._workers.get(pid)
        if worker is None:
            return
        if worker.job is not None:
            worker.job.terminate()
        elif sys.platform == "win32":
            worker.process.kill()
        else:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def wait(self, pid: int) -> dict[str, Any]:
        """How a worker that is gone (killed or dead) ended, as the zygote reports it."""
        worker = self._workers.pop(pid, None)
        if worker is None:
            return {"status": None}
        try:
            code = worker.process.wait(_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self._workers[pid] = worker
            return {"reason": "the worker could not be stopped"}
        finally:
            if worker.job is not None:
                worker.job.close()
        worker.channel.close()
        return {"signal": -code} if code < 0 else {"exit_code": code}

    def stop(self) -> None:
        for pid in list(self._workers):
            self.kill(pid)
            self.wait(pid)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self._home, ignore_errors=True)


def _platform_options() -> dict[str, Any]:
    if sys.platform == "win32":
        return {"creationflags": CREATION_FLAGS}
    return {"start_new_session": True}


def _job_for(policy: dict[str, Any]) -> Job:
    memory, cpu = policy.get("memory_bytes"), policy.get("cpu_seconds")
    enabled = policy.get("enabled", True)
    return Job(memory if enabled and type(memory) is int else None,
               cpu if enabled and type(cpu) is int else None)
