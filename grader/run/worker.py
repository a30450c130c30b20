"""The worker: runs in a process forked from the zygote, imports the student's code, answers calls.

Everything here executes beside hostile code, so nothing here is trusted by the grader: it only
turns the student's return values into plain data (capped in size before anything is copied) and
ships them back. A lying worker can send wrong numbers, which earns nothing.
"""

from __future__ import annotations

import ctypes
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import linecache
import os
import signal
import socket
import sys
import time
import traceback
import types
import warnings
from collections.abc import Sequence
from typing import Any, Callable

import numpy as np

from ..captured import read_span
from . import protocol, values
from .values import Budget, TooLarge, modified, snapshot, to_data

MAX_OUTPUT_BYTES = 8 * 1024
_PR_SET_PDEATHSIG = 1
#: this file and the conversion of values, whose frames are left out of a student's traceback (a
#: student's own `worker.py` is not)
_OWN_FILES = frozenset({__file__, os.path.abspath(__file__), values.__file__, os.path.abspath(values.__file__)})


class NestedTooDeeply(SyntaxError):
    """Source nested too deeply for Python's parser (its RecursionError or MemoryError); the
    grader words it by this type's name (messages: import_error.too_deep)."""


def _die_with_parent() -> None:
    """Ask the kernel to SIGKILL us if our parent (the zygote, or the grader for a portable
    worker) dies, so no worker outlives the grader. Linux only: elsewhere the Job Object
    (Windows) or the portable worker's watch on its parent (grader.run.spawned) does it."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the process-group kill still applies
        pass


def _redirect_stdio(workdir: str) -> tuple[str, str]:
    """Empty stdin; stdout/stderr into files, so the student never writes on the grader's."""
    out_path = os.path.join(workdir, ".stdout")
    err_path = os.path.join(workdir, ".stderr")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    for fd, path in ((1, out_path), (2, err_path)):
        # O_BINARY (Windows): a text-mode descriptor would write every "\n" as "\r\n"
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
        os.dup2(target, fd)
        os.close(target)
    sys.stdin = open(0, closefd=False)
    sys.stdout = open(1, "w", buffering=1, closefd=False, encoding="utf-8", errors="replace")
    sys.stderr = open(2, "w", buffering=1, closefd=False, encoding="utf-8", errors="replace")
    return out_path, err_path


class _Output:
    """What the student printed since the last reply, capped."""

    def __init__(self, paths: tuple[str, str]) -> None:
        self.paths = paths
        self.offsets = [0, 0]

    def take(self) -> dict[str, str]:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        taken = {}
        for i, (name, path) in enumerate(zip(("stdout", "stderr"), self.paths, strict=True)):
            try:
                with open(path, "rb") as handle:
                    end = handle.seek(0, os.SEEK_END)
                    text = read_span(handle, self.offsets[i], end, MAX_OUTPUT_BYTES)
                    self.offsets[i] = end
            except OSError:
                text = ""
            taken[name] = text
        return taken


def _charge_texts(record: dict[str, Any], budget: Budget) -> None:
    """Charge a record's error text and warnings to the reply. Past the budget the call becomes
    a TooLarge error: it fails, as a call whose value is over it does (dropping its warnings
    instead would let it pass a check they fail)."""
    error = record.get("error")
    try:
        for text in record.get("warnings", []):
            budget.text(text)
        if isinstance(error, dict):
            for text in error.values():
                if isinstance(text, str):
                    budget.text(text)
        budget.commit()
    except TooLarge as exc:
        budget.refund()
        record.pop("value", None)
        record["warnings"] = []
        record["error"] = exc.as_error()


def _submission_files() -> set[str]:
    """The files of the submission's modules imported so far (their frames are the student's)."""
    prefix = SUBMISSION_PACKAGE + "."
    return {str(module.__file__) for name, module in list(sys.modules.items())
            if name.startswith(prefix) and getattr(module, "__file__", None)}


def _error(exc: BaseException) -> dict[str, Any]:
    tb = traceback.extract_tb(exc.__traceback__)
    student_frames = [f for f in tb
                      if f.filename not in _OWN_FILES and not f.filename.startswith("<frozen importlib")]
    own = _submission_files()
    in_submission = [f for f in student_frames if f.filename in own]
    # the student's own line that led to the error, not NumPy's (fromnumeric.py, line 83)
    frames = in_submission or student_frames
    where = frames[-1] if frames else None
    file, line = (os.path.basename(where.filename), where.lineno) if where else (None, None)
    if isinstance(exc, SyntaxError):  # the error is in the source itself, not in a frame
        file, line = os.path.basename(exc.filename or "") or file, exc.lineno
    return {
        "type": type(exc).__name__,
        "message": (exc.msg if isinstance(exc, SyntaxError) else str(exc))[:2000],
        "traceback": "".join(traceback.format_list(student_frames[-5:]))[:4000],
        "file": file,
        "line": line,
        "source": ((where.line or "") if where else "")[:200],
    }


#: the package the submission's modules are imported under: `json.py` is `_submission.json`, so a
#: student's file never stands in for a module of the same name, and any file name grades
SUBMISSION_PACKAGE = "_submission"


class SubmissionImporter(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports the submission's modules from their text, under private names.

    Every module is `_submission.<name>` (its file `<name>.py` in the worker's folder, written
    only so that `__file__` and tracebacks name it). Siblings still import each other by their
    own names (`from helpers import f`, or `from . import helpers`): a top-level import of one of
    the submission's names is the student's module, unless that name is already a module of the
    standard library or of an installed package, or is already imported: those always win, so
    a `json.py`, `signal.py` or `numpy.py` can never replace what the worker or NumPy imports.

    The text is compiled as it is (a str, so a `# -*- coding: gbk -*-` line, which the grader
    has already honoured when reading the file, is not applied a second time) and its lines are
    put in linecache, so tracebacks show the student's lines whatever the file's encoding was.
    """

    def __init__(self, folder: str, sources: dict[str, str]) -> None:
        self.folder = folder
        self.sources = sources

    def install(self) -> None:
        package = importlib.util.module_from_spec(
            importlib.machinery.ModuleSpec(SUBMISSION_PACKAGE, None, is_package=True))
        package.__path__ = []  # nothing found on disk: only this importer knows its modules
        sys.modules[SUBMISSION_PACKAGE] = package
        sys.meta_path.insert(0, self)
        for name, source in self.sources.items():
            with open(self.filename(name), "w", encoding="utf-8", errors="replace") as handle:
                handle.write(source)

    def filename(self, name: str) -> str:
        return os.path.join(self.folder, name + ".py")

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        parent, _, name = fullname.rpartition(".")
        if name not in self.sources:
            return None
        if parent == SUBMISSION_PACKAGE:
            return importlib.util.spec_from_file_location(fullname, self.filename(name), loader=self)
        if not parent and self._free(name):
            return importlib.machinery.ModuleSpec(fullname, _Sibling(f"{SUBMISSION_PACKAGE}.{name}"))
        return None

    @staticmethod
    def _free(name: str) -> bool:
        """No standard or installed module has this name (a namespace folder does not count)."""
        if name in sys.stdlib_module_names:
            return False
        spec = importlib.machinery.PathFinder.find_spec(name)
        return spec is None or spec.loader is None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        name = module.__name__.rpartition(".")[2]
        source, filename = self.sources[name], self.filename(name)
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        try:
            code = compile(source, filename, "exec", dont_inherit=True)
        except (RecursionError, MemoryError) as exc:  # hostile nesting: the parser gave up
            where = (filename, None, None, None)
            raise NestedTooDeeply(f"{type(exc).__name__} while compiling", where) from None
        exec(code, module.__dict__)


class _Sibling(importlib.abc.Loader):
    """`import helpers` inside a submission: the same module object as `_submission.helpers`."""

    def __init__(self, private_name: str) -> None:
        self.private_name = private_name

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return importlib.import_module(self.private_name)

    def exec_module(self, module: types.ModuleType) -> None:
        module.__spec__ = sys.modules[self.private_name].__spec__  # already run: keep its own spec


class Worker:
    """One submission's namespace and the loop that serves the grader's requests."""

    def __init__(self, sock: protocol.Stream, workdir: str, output: _Output) -> None:
        self.sock = sock
        self.workdir = workdir
        self.output = output
        self.functions: dict[str, Callable[..., Any]] = {}

    def serve(self) -> None:
        while True:
            try:
                request = protocol.recv(self.sock)
            except (EOFError, OSError, protocol.ProtocolError):
                return
            op = request.get("op")
            if op == "load":
                reply = self.load(request["modules"])
            elif op == "call":
                reply = self.call(request["function"], protocol.request_cases(request),
                                  bool(request.get("return_args")))
            elif op == "bye":
                return
            else:
                reply = {"error": f"unknown op {op!r}"}
            reply.update(self.output.take())
            protocol.send(self.sock, reply)

    def load(self, modules: list[dict[str, str]]) -> dict[str, Any]:
        """Import each source under its private name (see `SubmissionImporter`); gather its callables."""
        importer = SubmissionImporter(self.workdir, {m["name"]: m["source"] for m in modules})
        importer.install()
        errors, functions = [], {}
        for module in modules:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    namespace = importlib.import_module(f"{SUBMISSION_PACKAGE}.{module['name']}")
            except BaseException as exc:  # SystemExit, KeyboardInterrupt included: all are the student's
                errors.append({"module": module["name"], "filename": module["filename"], **_error(exc)})
                continue
            for attr, value in list(vars(namespace).items()):
                if attr.startswith("_") or not callable(value) or isinstance(value, type):
                    continue
                if attr in self.functions:
                    continue
                self.functions[attr] = value
                code = getattr(value, "__code__", None)
                functions[attr] = {
                    "module": module["filename"],
                    "line": code.co_firstlineno if code is not None else None,
                }
        return {"functions": functions, "errors": errors}

    def call(self, name: str, cases: list[dict[str, Any]], return_args: bool) -> dict[str, Any]:
        function = self.functions.get(name)
        if function is None:
            return {"missing": True}
        results = []
        budget = Budget()
        with _CallWarnings() as said:
            for case in cases:
                results.append(self._one(function, case, return_args, budget, said))
        return columns(results)

    def _one(self, function: Callable[..., Any], case: dict[str, Any], return_args: bool, budget: Budget,
             said: _CallWarnings) -> dict[str, Any]:
        """One call's record: its value or error, time, warnings, arguments changed in place."""
        args, kwargs = list(case.get("args", [])), dict(case.get("kwargs", {}))
        before = snapshot(args)
        record: dict[str, Any] = {}
        start = time.perf_counter()
        try:
            value = function(*args, **kwargs)
            record["seconds"] = time.perf_counter() - start
            record["value"] = to_data(value, budget)
        except TooLarge as exc:
            record["error"] = exc.as_error()
        except BaseException as exc:
            record.setdefault("seconds", time.perf_counter() - start)
            record["error"] = _error(exc)
        record["warnings"] = [f"{w.category.__name__}: {w.message}"[:300] for w in said.take()[:10]]
        changed = modified(args, before)
        if changed:
            record["modified"] = changed
        if return_args:
            try:
                record["args_after"] = [to_data(a, budget) for a in args]
            except BaseException as exc:
                record["args_after"] = None
                record.setdefault("error", exc.as_error() if isinstance(exc, TooLarge) else _error(exc))
        _charge_texts(record, budget)
        return record


class _CallWarnings:
    """The warnings of each call of a batch, every one recorded (the filter "always"), as a
    catch_warnings per call would: set up once a batch, and again after a call that changed the
    warnings machinery (a student's own filters or showwarning never outlive their call)."""

    def __enter__(self) -> _CallWarnings:
        self._open()
        return self

    def _open(self) -> None:
        self._context = warnings.catch_warnings(record=True)
        caught = self._context.__enter__()  # the very list catch_warnings appends to (empty: falsy)
        assert caught is not None  # record=True
        self._caught: list[warnings.WarningMessage] = caught
        warnings.simplefilter("always")
        self._state = self._machinery()

    @staticmethod
    def _machinery() -> tuple[object, ...]:
        return (warnings.filters, tuple(warnings.filters), warnings.showwarning,
                getattr(warnings, "_showwarnmsg_impl", None))

    def take(self) -> list[warnings.WarningMessage]:
        """The last call's warnings; the machinery set up again if the call changed it."""
        said = list(self._caught)
        self._caught.clear()
        if self._machinery() != self._state:
            self._context.__exit__(None, None, None)
            self._open()
        return said

    def __exit__(self, *exc: object) -> None:
        self._context.__exit__(None, None, None)


#: the fields of a call's record sent only for the calls that have them, as [index, value] pairs
SPARSE_FIELDS = ("error", "warnings", "modified", "args_after")


def columns(records: list[dict[str, Any]]) -> dict[str, Any]:
    """A batch's records as columns: every value in one list, every time in one array, the rest
    (errors, warnings, …: rare) as [index, value] pairs. One reply costs both ends a fraction of
    a list of per-call dicts to encode and decode (grader.run.client.outcomes reads it)."""
    reply: dict[str, Any] = {
        "values": [record.get("value") for record in records],
        "seconds": np.array([record.get("seconds", 0.0) for record in records], dtype=np.float64),
    }
    for name in SPARSE_FIELDS:
        reply[name] = [[i, record[name]] for i, record in enumerate(records)
                       if record.get(name) is not None and record.get(name) != []]
    return reply


def run(sock: socket.socket, workdir: str, policy: dict[str, Any]) -> None:
    """The fork worker's whole life, called in the freshly forked child. Never returns."""
    code = 0
    try:
        os.setsid()
        _fresh_random_state()
        live(sock, workdir, policy)
    except BaseException:  # noqa: BLE001 - nothing may escape into the zygote's code
        code = 70
    finally:
        os._exit(code)


def _fresh_random_state() -> None:
    """Seed NumPy's global random state anew, as a worker importing numpy.random itself would:
    the zygote imported it once for every worker (Python's own `random` reseeds at fork)."""
    module = sys.modules.get("numpy.random")
    if module is not None:
        module.seed()


def live(channel: protocol.Stream, workdir: str, policy: dict[str, Any]) -> None:
    """What every worker does, forked (`run`) or started fresh (grader.run.spawned): enter its
    folder and sandbox, say which layers are active, answer requests until told `bye`."""
    _die_with_parent()
    os.chdir(workdir)
    paths = _redirect_stdio(workdir)
    layers = _enter_sandbox(workdir, policy)
    protocol.send(channel, {"ready": True, "sandbox": layers})
    Worker(channel, workdir, _Output(paths)).serve()


def _enter_sandbox(workdir: str, policy: dict[str, Any]) -> dict[str, bool]:
    """Apply the sandbox's layers (unless the grader turned it off); report which are active."""
    import tempfile

    os.environ["TMPDIR"] = workdir  # the only writable place
    tempfile.tempdir = workdir
    options = dict(policy)
    if not options.pop("enabled", True):
        return {}
    try:
        from .. import sandbox
    except ImportError:
        return {}
    return sandbox.enter_from_dict(workdir, options)
