"""The grader's side of the run stage: start the zygote, open a worker per submission, call it.

Limits are enforced from here, outside the worker: a reply that does not come by its deadline
means SIGKILL to the worker's whole process group, whatever signals the student ignores.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from . import protocol

#: the only environment student code sees; nothing of the grader's (tokens, CI secrets) leaks
_SAFE_ENV_KEYS = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT")
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def scrubbed_environment(home: str) -> dict[str, str]:
    env = {k: os.environ[k] for k in _SAFE_ENV_KEYS if k in os.environ}
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # machine facts NumPy needs here
        if key in os.environ:
            env[key] = os.environ[key]
    env.update({k: "1" for k in _THREAD_VARS})
    env.update(HOME=home, PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0", PYTHONNOUSERSITE="1")
    return env


class WorkerError(Exception):
    """The worker could not answer: base of timeouts and crashes."""


class WorkerTimeout(WorkerError):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"no answer within {seconds:g} s")
        self.seconds = seconds


class WorkerCrashed(WorkerError):
    def __init__(self, how: dict[str, Any], stdout: str = "", stderr: str = "") -> None:
        self.how = how
        self.stdout = stdout
        self.stderr = stderr
        super().__init__(describe_exit(how))


def describe_exit(how: dict[str, Any]) -> str:
    if how.get("signal"):
        try:
            name = signal.Signals(how["signal"]).name
        except ValueError:
            name = f"signal {how['signal']}"
        return f"killed by {name}"
    if how.get("exit_code") is not None:
        return f"exited with code {how['exit_code']}"
    if how.get("reason"):
        return str(how["reason"])
    return "ended unexpectedly"


class Zygote:
    """The warm fork server. Restarts itself if a submission managed to kill it."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None
        self._home = tempfile.mkdtemp(prefix="grader-home-")

    def start(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        env = scrubbed_environment(self._home)
        package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env["PYTHONPATH"] = package_root
        self._proc = subprocess.Popen(
            [sys.executable, "-s", "-m", "grader.run.zygote", str(theirs.fileno()), str(os.getpid())],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env=env, cwd=self._home, start_new_session=True,
        )
        theirs.close()
        self._control = ours

    def _ask(self, request: dict[str, Any], fds: list[int] | None = None,
             timeout: float = 120.0) -> dict[str, Any]:
        for attempt in range(2):
            self.start()
            assert self._control is not None
            try:
                socket.send_fds(self._control, [json.dumps(request).encode()], fds or [])
                self._control.settimeout(timeout)
                return json.loads(self._control.recv(65536))
            except (OSError, ValueError):
                self.stop()
                if attempt:
                    raise WorkerError("the worker launcher (zygote) is not answering") from None
        raise AssertionError("unreachable")

    def spawn(self, workdir: str, policy: dict[str, Any], torch: bool) -> tuple[int, socket.socket]:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            reply = self._ask({"op": "spawn", "workdir": workdir, "policy": policy, "torch": torch},
                              [theirs.fileno()])
        finally:
            theirs.close()
        return int(reply["pid"]), ours

    def wait(self, pid: int) -> dict[str, Any]:
        """Exit status of a worker that is gone (killed or dead)."""
        try:
            return self._ask({"op": "wait", "pid": pid}, timeout=10.0)
        except WorkerError:
            return {"reason": "its launcher was killed"}

    def stop(self) -> None:
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._proc is not None:
            if self._proc.poll() is None:
                try:
                    os.killpg(self._proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self._proc.wait()
            self._proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self._home, ignore_errors=True)


@dataclass
class CallOutcome:
    """What one call of the student's function gave: a value or an error, and facts around it."""

    value: Any = None
    error: dict[str, Any] | None = None
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    args_after: list[Any] | None = None
    #: positions of the array arguments the call changed in place; None: the caller did not watch
    modified: list[int] | None = None

    @property
    def not_implemented(self) -> bool:
        return self.error is not None and self.error.get("type") == "NotImplementedError"


@dataclass
class LoadReport:
    functions: dict[str, dict[str, Any]]
    errors: list[dict[str, Any]]
    stdout: str = ""
    stderr: str = ""
    sandbox: dict[str, bool] = field(default_factory=dict)


def _positions(value: Any) -> list[int]:
    """The worker's list of changed argument positions (absent: none changed)."""
    if not isinstance(value, list):
        return []
    return [i for i in value[:100] if type(i) is int and 0 <= i < 1000]


class WorkerSession:
    """One live worker holding one submission's code. Dies on a timeout; `restart` revives it."""

    def __init__(self, zygote: Zygote, modules: list[dict[str, str]], *,
                 policy: dict[str, Any] | None = None, torch: bool = False,
                 import_timeout: float = 30.0) -> None:
        self.zygote = zygote
        self.modules = modules
        self.policy = policy or {}
        self.torch = torch
        self.import_timeout = import_timeout
        self.pid: int | None = None
        self.sock: socket.socket | None = None
        self.workdir: str | None = None
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        #: replies received so far (from every worker of this session)
        self.answered = 0

    def start(self) -> LoadReport:
        """Fork a fresh worker and import the submission in it (again, after a crash)."""
        self.close()
        self.workdir = tempfile.mkdtemp(prefix="grader-worker-")
        self.pid, self.sock = self.zygote.spawn(self.workdir, self.policy, self.torch)
        deadline = time.monotonic() + self.import_timeout
        ready = self._receive(deadline, self.import_timeout)
        reply = self.request({"op": "load", "modules": self.modules},
                             deadline - time.monotonic())
        return LoadReport(functions=dict(reply.get("functions", {})),
                          errors=list(reply.get("errors", [])),
                          stdout=reply.get("stdout", ""), stderr=reply.get("stderr", ""),
                          sandbox=dict(ready.get("sandbox", {})))

    @property
    def alive(self) -> bool:
        return self.sock is not None

    def request(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        if self.sock is None:
            raise WorkerCrashed({"reason": "the worker was already stopped"})
        try:
            protocol.send(self.sock, message)
        except OSError:
            self._crashed()
        return self._receive(time.monotonic() + max(timeout, 0.0), timeout)

    def _receive(self, deadline: float, timeout: float) -> dict[str, Any]:
        assert self.sock is not None
        try:
            reply = protocol.recv(self.sock, deadline)
        except protocol.Deadline:
            self.kill()
            raise WorkerTimeout(timeout) from None
        except (EOFError, OSError, protocol.ProtocolError) as exc:
            self._crashed(None if isinstance(exc, (EOFError, OSError)) else str(exc))
        if not isinstance(reply, dict):
            self._crashed("the worker sent something that is not a reply")
        self.answered += 1
        for name, sink in (("stdout", self.stdout), ("stderr", self.stderr)):
            text = reply.get(name)
            if isinstance(text, str) and text:
                sink.append(text)
        return reply

    def _crashed(self, reason: str | None = None) -> None:
        pid = self.pid
        self.kill()
        how = {"reason": reason} if reason else (self.zygote.wait(pid) if pid else {})
        raise WorkerCrashed(how, self._read_capture(".stdout"), self._read_capture(".stderr"))

    def _read_capture(self, name: str) -> str:
        if not self.workdir:
            return ""
        try:
            with open(os.path.join(self.workdir, name), "rb") as handle:
                return handle.read(8192).decode("utf-8", errors="replace")
        except OSError:
            return ""

    def call(self, function: str, cases: list[dict[str, Any]], timeout: float,
             return_args: bool = False) -> list[CallOutcome] | None:
        """Call `function` once per case, all in one message. None if it is not defined."""
        reply = self.request({"op": "call", "function": function, "cases": cases,
                              "return_args": return_args}, timeout)
        if reply.get("missing"):
            return None
        results = reply.get("results")
        if not isinstance(results, list) or len(results) != len(cases):
            self._crashed("the worker's reply does not match the request")
        outcomes = []
        for record in results:
            if not isinstance(record, dict):
                self._crashed("the worker's reply does not match the request")
            error = record.get("error")
            outcomes.append(CallOutcome(
                value=record.get("value"),
                error=error if isinstance(error, dict) else None,
                seconds=float(record.get("seconds") or 0.0) if isinstance(record.get("seconds"), (int, float)) else 0.0,
                warnings=[str(w) for w in record.get("warnings", [])][:10]
                if isinstance(record.get("warnings"), list) else [],
                args_after=record.get("args_after") if isinstance(record.get("args_after"), list) else None,
                modified=_positions(record.get("modified")),
            ))
        return outcomes

    def kill(self) -> None:
        """SIGKILL the worker's whole process group: whatever it started dies with it."""
        if self.pid is not None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def close(self) -> None:
        if self.sock is not None:
            try:
                protocol.send(self.sock, {"op": "bye"})
            except OSError:
                pass
        pid = self.pid
        self.kill()
        if pid is not None:
            self.zygote.wait(pid)
            self.pid = None
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
