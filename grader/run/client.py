"""The grader's side of the run stage: start the zygote, open a worker per submission, call it.

Limits are enforced from here, outside the worker: a reply that does not come by its deadline
means SIGKILL to the worker's whole process group, whatever signals the student ignores.

This is also where the worker's data enters the grader, and the only place it is cleaned: every
CallOutcome and LoadReport is built by the functions below, which keep only the fields the
grader reads, of the types it expects, with every string cut to a length and its lone
surrogates (which no encoder can write: a gradebook, a terminal, a JSON report) replaced by
U+FFFD. Nothing downstream holds a string from the worker that did not pass through `clean_text`.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from collections.abc import Sequence
from typing import Any, Callable, NoReturn, Protocol, Union

import numpy as np

from ..captured import read_ends
from ..cleaning import held
from .. import codec
from . import protocol
from .values import MAX_KEY_CHARS, MAX_STR_CHARS
from .worker import MAX_OUTPUT_BYTES

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


class WorkerBadReply(WorkerCrashed):
    """The worker sent what the grader refuses (a forged or malformed reply, over a cap); it was
    killed. `how["reason"]` says what was wrong."""


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


class Launcher(Protocol):
    """What starts and ends a submission's workers: the Zygote (fork) or
    grader.run.portable.PortableLauncher (a fresh interpreter); grader.run.choice picks one."""

    #: "fork" or "portable"
    kind: str

    def start(self) -> None: ...

    def spawn(self, workdir: str, policy: dict[str, Any], torch: bool) -> tuple[int, protocol.Stream]: ...

    def kill(self, pid: int) -> None: ...

    def wait(self, pid: int) -> dict[str, Any]: ...

    def outside_layers(self, pid: int) -> dict[str, bool]: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


class Zygote:
    """The warm fork server. Restarts itself if a submission managed to kill it."""

    kind = "fork"

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None
        self._home = tempfile.mkdtemp(prefix="grader-home-")
        #: CPU seconds of the workers waited for so far, as the zygote's kernel counted them
        self.cpu_seconds = 0.0

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

    def kill(self, pid: int) -> None:
        """SIGKILL the worker's whole process group: whatever it started dies with it."""
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def outside_layers(self, pid: int) -> dict[str, bool]:
        """A forked worker's layers are all its own (grader.sandbox, inside it)."""
        return {}

    def wait(self, pid: int) -> dict[str, Any]:
        """Exit status of a worker that is gone (killed or dead)."""
        try:
            how = self._ask({"op": "wait", "pid": pid}, timeout=10.0)
        except WorkerError:
            return {"reason": "its launcher was killed"}
        cpu = how.pop("cpu_seconds", None)
        if type(cpu) is float:
            self.cpu_seconds += cpu
        return how

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


def _positions(value: object) -> list[int]:
    """The worker's list of changed argument positions (absent: none changed)."""
    if not isinstance(value, list):
        return []
    return [i for i in value[:100] if type(i) is int and 0 <= i < 1000]


# --- the worker's data, cleaned once, here -----------------------------------------------------

#: characters kept of the texts of an error, a warning, the captured output and of names
ERROR_TYPE_CHARS, ERROR_MESSAGE_CHARS, TRACEBACK_CHARS = 200, 2000, 4000
WARNING_CHARS, MAX_WARNINGS = 300, 10
NAME_CHARS = 200
OUTPUT_CHARS = MAX_OUTPUT_BYTES + 100  # what the worker sends, and its marker line
#: entries kept of the lists of a LoadReport
MAX_FUNCTIONS, MAX_LOAD_ERRORS = 1000, 50
#: the reasons a TooLarge error may give (grader.run.values.TooLarge), each a message code
TOO_LARGE_REASONS = frozenset(("array", "items", "depth", "reply_entries", "reply_data"))


def clean_text(value: object, limit: int) -> str:
    """A string from the worker as the grader may hold it: at most `limit` characters, each lone
    surrogate replaced by U+FFFD. Anything that is not a string is the empty string."""
    return held(value, limit) if type(value) is str else ""


def clean_value(value: Any) -> Any:
    """A decoded value (grader.codec makes only dict, list, tuple, str, numbers, None, arrays)
    with every string and dict key cleaned, cut where the worker cuts them: a correct string
    compares equal to the reference's, which grader.run.values.to_data cut the same way."""
    kind = type(value)
    if kind is np.ndarray or kind is float or kind is int or kind is bool or value is None:
        return value
    if kind is str:
        return clean_text(value, MAX_STR_CHARS)
    if kind is list:
        return [clean_value(v) for v in value]
    if kind is tuple:
        return tuple([clean_value(v) for v in value])
    if kind is dict:  # JSON keys are strings; most are short and ASCII, already clean
        return {k if len(k) <= MAX_KEY_CHARS and k.isascii() else clean_text(k, MAX_KEY_CHARS):
                clean_value(v) for k, v in value.items()}
    return None  # nothing else comes out of the codec


def _line(value: object) -> int | None:
    return value if type(value) is int and 0 <= value < 10**9 else None


def _count(value: object) -> int:
    return value if type(value) is int and value >= 0 else 0


SOURCE_LINE_CHARS = 200
#: bytes of a crashed worker's captured stdout or stderr kept: its first and last lines
CAPTURE_BYTES = 8192


def clean_error(error: object) -> dict[str, Any] | None:
    """The fields of a worker's error the grader reads (grader.run.worker._error, grader.run.values.TooLarge)."""
    if not isinstance(error, dict):
        return None
    file = error.get("file")
    cleaned: dict[str, Any] = {
        "type": clean_text(error.get("type"), ERROR_TYPE_CHARS),
        "message": clean_text(error.get("message"), ERROR_MESSAGE_CHARS),
        "traceback": clean_text(error.get("traceback"), TRACEBACK_CHARS),
        "file": clean_text(file, NAME_CHARS) if isinstance(file, str) else None,
        "line": _line(error.get("line")),
        #: the student's line that raised (the hint for `np.max(0, x)` reads it)
        "source": clean_text(error.get("source"), SOURCE_LINE_CHARS),
    }
    if cleaned["type"] == "TooLarge":
        reason = error.get("reason")
        cleaned.update(reason=reason if reason in TOO_LARGE_REASONS else "",
                       size=_count(error.get("size")), limit=_count(error.get("limit")))
    return cleaned


def _seconds(value: object) -> float:
    if (type(value) is int or type(value) is float) and math.isfinite(value) and value >= 0:
        return float(value)
    return 0.0


def outcome(record: dict[str, Any]) -> CallOutcome:
    """One call's record from the worker as a CallOutcome (see the module's docstring)."""
    return _cleaned(record.get("value"), record.get("error"), record.get("seconds"), record.get("warnings"),
                    record.get("args_after"), record.get("modified"))


def _cleaned(value: object, error: object, seconds: object, warnings: object, args_after: object,
             modified: object) -> CallOutcome:
    """A CallOutcome of one call's fields as the worker sent them, each cleaned or dropped."""
    return CallOutcome(
        value=clean_value(value),
        error=clean_error(error),
        seconds=_seconds(seconds),
        warnings=[clean_text(w, WARNING_CHARS) for w in warnings[:MAX_WARNINGS] if type(w) is str]
        if type(warnings) is list else [],
        args_after=[clean_value(a) for a in args_after] if type(args_after) is list else None,
        modified=_positions(modified),
    )


#: a reply's columns sent only for the calls that have them (grader.run.worker.SPARSE_FIELDS)
_SPARSE = ("error", "warnings", "modified", "args_after")


def _sparse(pairs: object, count: int) -> dict[int, Any] | None:
    """A sparse column of a reply ([index, value] pairs) by index; None when it is malformed."""
    if type(pairs) is not list:
        return None
    found: dict[int, Any] = {}
    for pair in pairs:
        if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not int or not 0 <= pair[0] < count:
            return None
        found[pair[0]] = pair[1]
    return found


def outcomes(reply: dict[str, Any], count: int) -> list[CallOutcome] | None:
    """The `count` CallOutcomes of a call reply's columns (grader.run.worker.columns), each call's
    fields cleaned as `outcome` cleans a record's; None when the reply is not such columns."""
    values, seconds = reply.get("values"), reply.get("seconds")
    if type(values) is not list or len(values) != count:
        return None
    if type(seconds) is not np.ndarray or seconds.shape != (count,) or seconds.dtype != np.float64:
        return None
    errors, warnings, modified, args_after = (_sparse(reply.get(name), count) for name in _SPARSE)
    if errors is None or warnings is None or modified is None or args_after is None:
        return None
    with np.errstate(invalid="ignore"):
        times = np.where(np.isfinite(seconds) & (seconds >= 0), seconds, 0.0).tolist()  # as `_seconds`
    if not (errors or warnings or modified or args_after):  # the common batch: values and times only
        return [CallOutcome(clean_value(value), None, spent, [], None, [])
                for value, spent in zip(values, times, strict=True)]
    return [_cleaned(value, errors.get(i), times[i], warnings.get(i), args_after.get(i), modified.get(i))
            for i, value in enumerate(values)]


def load_report(reply: dict[str, Any], ready: dict[str, Any]) -> LoadReport:
    """The worker's answer to `load` (and its `ready` message) as a LoadReport."""
    functions: dict[str, dict[str, Any]] = {}
    raw = reply.get("functions")
    for name, info in list(raw.items())[:MAX_FUNCTIONS] if isinstance(raw, dict) else []:
        info = info if isinstance(info, dict) else {}
        functions[clean_text(name, NAME_CHARS)] = {"module": clean_text(info.get("module"), NAME_CHARS),
                                                   "line": _line(info.get("line"))}
    errors = []
    raw = reply.get("errors")
    for error in raw[:MAX_LOAD_ERRORS] if isinstance(raw, list) else []:
        cleaned = clean_error(error)
        if cleaned is not None:
            errors.append({"module": clean_text(error.get("module"), NAME_CHARS),
                           "filename": clean_text(error.get("filename"), NAME_CHARS), **cleaned})
    raw = ready.get("sandbox")
    sandbox = {clean_text(k, NAME_CHARS): v is True
               for k, v in list(raw.items())[:20]} if isinstance(raw, dict) else {}
    return LoadReport(functions=functions, errors=errors, stdout=clean_text(reply.get("stdout"), OUTPUT_CHARS),
                      stderr=clean_text(reply.get("stderr"), OUTPUT_CHARS), sandbox=sandbox)



#: a request, or what makes it when it is needed (`EncodedRequests` may hold its encoding)
Message = Union[dict[str, Any], Callable[[], dict[str, Any]]]


def _made(message: Message) -> dict[str, Any]:
    return message() if callable(message) else message


class EncodedRequests:
    """The encoded `call` requests of a run, by the content keys of their cases: every submission
    is sent the same plan inputs, so each request is encoded once a run instead of once per
    submission (a complete submission's ~36 requests: ~45 ms of encoding each time). Bounded in
    bytes; a request past the bound is simply encoded again when it recurs."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self.held = 0
        self._payloads: dict[bytes, bytes] = {}

    def payload(self, key: bytes, message: Message) -> bytes:
        """The encoding of `message`, whose content `key` identifies (grader.judge.context); a
        message given as a function is made only when this request was not encoded before."""
        found = self._payloads.get(key)
        if found is not None:
            return found
        payload = codec.encode(_made(message))
        if self.held + len(payload) + len(key) <= self.max_bytes:
            self._payloads[key] = payload
            self.held += len(payload) + len(key)
        return payload


class WorkerSession:
    """One live worker holding one submission's code. Dies on a timeout; `restart` revives it."""

    def __init__(self, zygote: Launcher, modules: list[dict[str, str]], *,
                 policy: dict[str, Any] | None = None, torch: bool = False,
                 import_timeout: float = 30.0, requests: EncodedRequests | None = None) -> None:
        self.zygote = zygote
        #: the run's encoded requests (None: every request is encoded anew)
        self.requests = requests
        self.modules = modules
        self.policy = policy or {}
        self.torch = torch
        self.import_timeout = import_timeout
        self.pid: int | None = None
        self.sock: protocol.Stream | None = None
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
        try:
            ready = self._receive(deadline, self.import_timeout)
            reply = self.request({"op": "load", "modules": self.modules},
                                 deadline - time.monotonic())
        except WorkerError:
            self._keep_import_output()
            raise
        report = load_report(reply, ready)
        report.sandbox.update(self.zygote.outside_layers(self.pid))
        return report

    def _keep_import_output(self) -> None:
        """What the submission printed while its import crashed or hung: no reply carried it,
        so it is taken from the capture files (cut as every capture is), for the report."""
        for name, sink in ((".stdout", self.stdout), (".stderr", self.stderr)):
            text = clean_text(self._read_capture(name), OUTPUT_CHARS)
            if text:
                sink.append(text)

    @property
    def alive(self) -> bool:
        return self.sock is not None

    def request(self, message: Message, timeout: float,
                key: bytes | None = None) -> dict[str, Any]:
        """Send `message` and wait for the reply; `key` identifies its content for the run's
        EncodedRequests (a request every submission is sent)."""
        if self.sock is None:
            raise WorkerCrashed({"reason": "the worker was already stopped"})
        try:
            if key is not None and self.requests is not None:
                protocol.send_encoded(self.sock, self.requests.payload(key, message))
            else:
                protocol.send(self.sock, _made(message))
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
        except (EOFError, OSError):
            self._crashed()
        except protocol.ProtocolError as exc:
            self._refuse(str(exc))
        if not isinstance(reply, dict):
            self._refuse("the worker sent something that is not a reply")
        self.answered += 1
        for name, sink in (("stdout", self.stdout), ("stderr", self.stderr)):
            text = clean_text(reply.get(name), OUTPUT_CHARS)
            if text:
                sink.append(text)
        return reply

    def _crashed(self, reason: str | None = None) -> None:
        pid = self.pid
        self.kill()
        how = {"reason": reason} if reason else (self.zygote.wait(pid) if pid else {})
        raise WorkerCrashed(how, self._read_capture(".stdout"), self._read_capture(".stderr"))

    def _refuse(self, reason: str) -> NoReturn:
        """Kill a worker whose reply the grader refuses, and say why (WorkerBadReply)."""
        self.kill()
        raise WorkerBadReply({"reason": clean_text(reason, ERROR_MESSAGE_CHARS)},
                             self._read_capture(".stdout"), self._read_capture(".stderr"))

    def _read_capture(self, name: str) -> str:
        if not self.workdir:
            return ""
        try:
            return read_ends(os.path.join(self.workdir, name), CAPTURE_BYTES)
        except OSError:
            return ""

    def call(self, function: str, cases: Sequence[dict[str, Any]], timeout: float,
             return_args: bool = False, request_key: bytes | None = None) -> list[CallOutcome] | None:
        """Call `function` once per case, all in one message. None if it is not defined.
        `request_key` (the cases' content keys, with the function's name in them) lets the run
        send an encoding it has made before."""
        def message() -> dict[str, Any]:
            return {"op": "call", "function": function, **protocol.call_cases(list(cases)),
                    "return_args": return_args}

        reply = self.request(message, timeout,
                             key=None if request_key is None else request_key + (b"+a" if return_args else b""))
        if reply.get("missing") is True:
            return None
        found = outcomes(reply, len(cases))
        if found is None:
            self._refuse("the worker's reply does not match the request")
        return found

    def kill(self) -> None:
        """Kill the worker and whatever it started (its launcher knows how, grader.run.choice)."""
        if self.pid is not None:
            self.zygote.kill(self.pid)
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
