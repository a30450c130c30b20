"""The portable worker (a fresh interpreter per submission, no fork: grader.run.portable) grades
exactly as the fork worker does, holds what it claims against hostile code, and is chosen where
fork is missing or unsafe. Its Windows parts (the Job Object) are checked here with a fake Win32
API: Windows itself is not available where these tests run.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from support import ROOT, by_id

# --- the same grades, field by field ----------------------------------------------------------

RELU = '''
import numpy as np
def relu(x):
    return np.maximum(np.asarray(x, dtype=float), 0.0)
'''


def _with_sigmoid(body: str) -> str:
    return RELU + "\ndef sigmoid(x):\n" + textwrap.indent(textwrap.dedent(body), "    ") + "\n"


#: submissions that reach every way a worker's answer can go: right, wrong, raising, crashing,
#: exiting, hanging, flooding, lying, forging
HOSTILE = {
    "raises": _with_sigmoid("raise ValueError('nope: ' + '\\u202e' * 3)"),
    "os_exit": _with_sigmoid("import os\nos._exit(3)"),
    "segfault": _with_sigmoid("import ctypes\nreturn ctypes.string_at(0)"),
    "hangs": _with_sigmoid("import time\ntime.sleep(3600)"),
    "floods": _with_sigmoid("import sys\nfor i in range(20000):\n    print('spam', i)\n"
                            "sys.stderr.write('x' * 10**6)\nreturn 1 / (1 + __import__('numpy').exp(-x))"),
    "memory": _with_sigmoid("import numpy as np\nreturn np.ones(10**10)"),
    "lying_eq": _with_sigmoid('''
        import numpy as np
        class Liar(np.ndarray):
            def __eq__(self, other): return True
            def __array__(self, *a, **k): return np.full(np.shape(x), 0.5)
        return np.zeros(np.shape(x)).view(Liar)
    '''),
    "garbage_on_every_fd": _with_sigmoid("import os\nfor fd in range(64):\n"
                                         "    try: os.write(fd, b'\\x00garbage' * 4096)\n"
                                         "    except OSError: pass"),
    "import_exits": "import os\nos._exit(5)\n" + RELU,
}


def _timeless(value: Any) -> Any:
    """A JSON report without what differs between two honest runs: durations and the worker's
    temporary folder (a traceback names it)."""
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if k not in ("seconds", "duration")}
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    if isinstance(value, str):
        return re.sub(r"grader-worker-\w+", "grader-worker-*",
                      re.sub(r"\b\d+(\.\d+)? s\b", "N s", value))
    return value


def _report(session, path: Path, kind: str, exercises: tuple[str, ...],
            time_limit: float | None = None) -> dict[str, Any]:
    from grader.engine import Options, grade
    from grader.report.json import as_dict
    from grader.run.choice import launcher

    chosen = launcher(kind)  # type: ignore[arg-type]
    chosen.start()
    try:
        result = grade(session, path, chosen, Options(exercises=exercises, time_limit=time_limit))
    finally:
        chosen.close()
    return as_dict(result)


def _assert_same(fork: dict[str, Any], portable: dict[str, Any]) -> None:
    fork, portable = _timeless(fork), _timeless(portable)
    assert fork.pop("sandbox") is not None and portable.pop("sandbox") is not None
    assert fork.keys() == portable.keys()
    for key in fork:
        if key != "exercises":
            assert fork[key] == portable[key], key
    assert [e["id"] for e in fork["exercises"]] == [e["id"] for e in portable["exercises"]]
    for mine, theirs in zip(fork["exercises"], portable["exercises"], strict=True):
        assert mine == theirs, mine["id"]


@pytest.mark.parametrize("name", ["correct.py", "partial.py", "buggy.py"])
def test_shipped_submissions_grade_the_same_under_both_workers(session, name):
    path = ROOT / "submissions" / name
    _assert_same(_report(session, path, "fork", ()), _report(session, path, "portable", ()))


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_submissions_grade_the_same_under_both_workers(session, tmp_path, name):
    path = tmp_path / "student.py"
    path.write_text(HOSTILE[name], encoding="utf-8")
    limit = 2 if name == "hangs" else None  # the others get the exercises' own (a loaded machine)
    fork = _report(session, path, "fork", ("sigmoid", "relu"), time_limit=limit)
    portable = _report(session, path, "portable", ("sigmoid", "relu"), time_limit=limit)
    _assert_same(fork, portable)
    if name != "import_exits":
        assert by_exercise(portable)["relu"]["status"] == "passed"  # only that exercise paid
        assert by_exercise(portable)["sigmoid"]["score"] < by_exercise(portable)["sigmoid"]["max_score"]


def by_exercise(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in report["exercises"]}


def test_portable_worker_reports_the_same_layers_on_linux(session, tmp_path):
    path = tmp_path / "student.py"
    path.write_text(RELU, encoding="utf-8")
    report = _report(session, path, "portable", ("relu",))
    if sys.platform.startswith("linux"):
        assert report["sandbox"] == {"rlimits": True, "no_new_privs": True, "landlock": True,
                                     "seccomp": True, "network": True}


# --- hostile code against the portable worker itself ------------------------------------------

@pytest.fixture(scope="module")
def portable():
    from grader.run.portable import PortableLauncher

    launcher = PortableLauncher()
    yield launcher
    launcher.close()


def _grade(session, launcher, tmp_path: Path, source: str, *exercises: str, **options):
    from grader.engine import Options, grade

    path = tmp_path / "student.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return grade(session, path, launcher, Options(exercises=exercises, **options))


def test_a_well_formed_forged_reply_on_the_pipes_gains_nothing(session, portable, tmp_path):
    """The student writes a framed, valid reply on every descriptor (the portable worker's
    pipes among them): the grader either refuses it or judges its numbers, which are wrong."""
    result = _grade(session, portable, tmp_path, _with_sigmoid('''
        import os, numpy as np
        from grader.run import protocol
        class Pipe:
            def __init__(self, fd): self.fd = fd
            def sendall(self, data): os.write(self.fd, data)
        for fd in range(3, 32):
            try:
                protocol.send(Pipe(fd), {"values": [np.full(np.shape(x), 0.5)] * 200, "seconds": np.zeros(200)})
            except OSError:
                pass
        return np.zeros(np.shape(x))
    '''), "sigmoid", "relu", time_limit=5)
    assert by_id(result)["sigmoid"].score == 0
    assert by_id(result)["relu"].status == "passed"


def test_a_child_that_outlives_its_worker_is_killed_with_it(session, portable, tmp_path):
    """Without the sandbox (as on a student's Mac), the wall-clock kill still ends the worker's
    whole process group: its detached child too."""
    from grader.run.policy import Limits

    marker = tmp_path / "alive"
    result = _grade(session, portable, tmp_path, _with_sigmoid(f'''
        import subprocess, sys, time
        touch = "import time, pathlib\\nwhile True:\\n    pathlib.Path({str(marker)!r}).touch(); time.sleep(0.1)"
        subprocess.Popen([sys.executable, "-c", touch])
        time.sleep(3600)
    '''), "sigmoid", "relu", time_limit=2, limits=Limits(sandbox=False))
    assert by_id(result)["sigmoid"].status == "timeout"
    assert by_id(result)["relu"].status == "passed"
    time.sleep(0.5)
    assert marker.exists(), "the child never ran: the test proves nothing"
    before = marker.stat().st_mtime_ns
    time.sleep(0.5)
    assert marker.stat().st_mtime_ns == before, "the child kept running"


def test_no_worker_or_pipe_is_left_after_a_session(session, tmp_path):
    from grader.run.portable import PortableLauncher

    launcher = PortableLauncher()
    threads = threading.active_count()
    try:
        _grade(session, launcher, tmp_path, RELU, "relu")
        _grade(session, launcher, tmp_path, _with_sigmoid("import os\nos._exit(1)"), "sigmoid", "relu")
    finally:
        launcher.close()
    assert launcher._workers == {}
    deadline = time.monotonic() + 5
    while threading.active_count() > threads and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() <= threads


# --- the choice -------------------------------------------------------------------------------

@pytest.mark.parametrize(("environ", "platform", "has_fork", "kind"), [
    ({}, "linux", True, "fork"),
    ({}, "win32", False, "portable"),
    ({}, "darwin", True, "portable"),
    ({}, "freebsd14", True, "fork"),
    ({"GRADER_WORKER": "portable"}, "linux", True, "portable"),
    ({"GRADER_WORKER": " Portable "}, "linux", True, "portable"),
    ({"GRADER_WORKER": "fork"}, "darwin", True, "fork"),
    ({"GRADER_WORKER": ""}, "linux", True, "fork"),
])
def test_the_worker_is_chosen_by_platform_and_environment(environ, platform, has_fork, kind):
    from grader.run.choice import worker_kind

    assert worker_kind(environ, platform, has_fork) == kind


@pytest.mark.parametrize(("value", "has_fork"), [("spawn", True), ("fork", False), ("forkk", True)])
def test_an_unknown_or_impossible_worker_is_refused_by_name(value, has_fork):
    from grader.run.choice import UnknownWorker, worker_kind

    with pytest.raises(UnknownWorker) as caught:
        worker_kind({"GRADER_WORKER": value}, "win32" if not has_fork else "linux", has_fork)
    assert caught.value.value == value


# --- the pipes --------------------------------------------------------------------------------

def test_the_graders_end_times_out_reads_ends_at_eof_and_reads_ahead_boundedly():
    from grader.run import channel, protocol

    to_grader_r, to_grader_w = os.pipe()
    to_worker_r, to_worker_w = os.pipe()
    end = channel.GraderEnd(to_grader_r, to_worker_w)
    worker = channel.WorkerEnd(to_worker_r, to_grader_w)
    try:
        with pytest.raises(protocol.Deadline):
            protocol.recv(end, time.monotonic() + 0.2)
        protocol.send(worker, {"ready": True, "n": list(range(5))})
        assert protocol.recv(end, time.monotonic() + 5) == {"ready": True, "n": [0, 1, 2, 3, 4]}
        protocol.send(end, {"op": "bye"})
        assert protocol.recv(worker) == {"op": "bye"}

        flood = threading.Thread(target=lambda: _flood(to_grader_w), daemon=True)
        flood.start()
        time.sleep(0.5)
        assert len(end._buffer) <= channel.READ_AHEAD  # nobody asked: the reader waits
        with pytest.raises(protocol.ProtocolError):  # b"\xff" * 8 is a length over the cap
            protocol.recv(end, time.monotonic() + 5)
    finally:
        os.close(to_grader_w)
        end.close()
        os.close(to_worker_r)
    assert not end._reader.is_alive()


def _flood(fd: int) -> None:
    try:
        while True:
            os.write(fd, b"\xff" * 65536)
    except OSError:
        pass


def test_a_closed_worker_end_is_the_end_of_the_stream():
    from grader.run import channel, protocol

    read_fd, write_fd = os.pipe()
    spare_r, spare_w = os.pipe()
    end = channel.GraderEnd(read_fd, spare_w)
    os.close(write_fd)
    with pytest.raises(EOFError):
        protocol.recv(end, time.monotonic() + 5)
    end.close()
    end.close()  # twice is harmless
    os.close(spare_r)


# --- the Windows Job Object, with a fake Win32 API --------------------------------------------

def test_job_structures_have_the_windows_sdk_sizes():
    from grader.run import winjob

    if ctypes.sizeof(ctypes.c_void_p) != 8:
        pytest.skip("the sizes below are the 64-bit ones")
    assert ctypes.sizeof(winjob.IO_COUNTERS) == 48
    assert ctypes.sizeof(winjob.JOBOBJECT_BASIC_LIMIT_INFORMATION) == 64
    assert ctypes.sizeof(winjob.JOBOBJECT_EXTENDED_LIMIT_INFORMATION) == 144
    assert winjob.JOBOBJECT_EXTENDED_LIMIT_INFORMATION.ProcessMemoryLimit.offset == 112
    assert winjob.JOBOBJECT_BASIC_LIMIT_INFORMATION.LimitFlags.offset == 16
    assert winjob.JOBOBJECT_BASIC_LIMIT_INFORMATION.ActiveProcessLimit.offset == 40


def test_job_limits_kill_on_close_and_cap_memory_and_cpu():
    from grader.run import winjob

    info = winjob.extended_limits(2 * 1024**3, 75)
    flags = info.BasicLimitInformation.LimitFlags
    assert flags == (winjob.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | winjob.JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION
                     | winjob.JOB_OBJECT_LIMIT_PROCESS_MEMORY | winjob.JOB_OBJECT_LIMIT_PROCESS_TIME)
    assert flags == 0x2000 | 0x400 | 0x100 | 0x2
    assert info.ProcessMemoryLimit == 2 * 1024**3 + winjob.BASELINE_BYTES
    assert info.BasicLimitInformation.PerProcessUserTimeLimit == 75 * 10**7  # 100 ns units
    bare = winjob.extended_limits(None, None)
    assert bare.BasicLimitInformation.LimitFlags == 0x2000 | 0x400
    assert bare.ProcessMemoryLimit == 0 and bare.BasicLimitInformation.PerProcessUserTimeLimit == 0


class FakeWin32:
    """Records the calls a Job makes, in order; fails the call named in `fail`."""

    def __init__(self, fail: str = "") -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.fail = fail
        self.limits: Any = None

    def _call(self, *call: Any) -> None:
        self.calls.append(call)
        if call[0] == self.fail:
            raise OSError(5, f"{self.fail} failed")

    def create_job(self) -> int:
        self._call("create_job")
        return 100

    def set_limits(self, job: int, info: Any) -> None:
        self.limits = info
        self._call("set_limits", job)

    def open_process(self, pid: int) -> int:
        self._call("open_process", pid)
        return 200

    def assign(self, job: int, process: int) -> None:
        self._call("assign", job, process)

    def resume(self, process: int) -> None:
        self._call("resume", process)

    def terminate(self, job: int, exit_code: int) -> None:
        self._call("terminate", job, exit_code)

    def close(self, handle: int) -> None:
        self._call("close", handle)


def test_a_job_takes_the_suspended_worker_before_it_runs_and_ends_it_as_one():
    from grader.run import winjob

    api = FakeWin32()
    job = winjob.Job(512 * 1024**2, 30, api=api)
    job.adopt(4242)
    job.terminate()
    job.close()
    job.close()
    assert api.calls == [("create_job",), ("set_limits", 100), ("open_process", 4242),
                         ("assign", 100, 200), ("resume", 200), ("close", 200),
                         ("terminate", 100, winjob.KILLED_EXIT_CODE), ("close", 100)]
    assert api.limits.ProcessMemoryLimit == 512 * 1024**2 + winjob.BASELINE_BYTES
    assert winjob.CREATION_FLAGS & winjob.CREATE_SUSPENDED  # so nothing runs before `assign`


@pytest.mark.parametrize("fail", ["set_limits", "assign", "resume"])
def test_a_failing_win32_call_leaks_no_handle(fail):
    from grader.run import winjob

    api = FakeWin32(fail=fail)
    job = None
    with pytest.raises(OSError, match=fail):
        job = winjob.Job(None, None, api=api)
        job.adopt(7)
    if job is not None:  # what the launcher does when adopting failed
        job.close()
    opened = {100} | ({200} if ("open_process", 7) in api.calls else set())
    assert {c[1] for c in api.calls if c[0] == "close"} == opened


def test_the_windows_api_is_refused_off_windows():
    from grader.run import winjob

    if sys.platform == "win32":
        pytest.skip("on Windows it loads")
    with pytest.raises(OSError):
        winjob.WindowsApi()


# --- what the sandbox says on each platform ---------------------------------------------------

def test_macos_has_rlimits_with_a_weak_memory_cap_and_no_linux_layer():
    from grader import sandbox

    layers = sandbox.probe("darwin")
    assert set(layers) == set(sandbox.LAYERS)
    assert layers["rlimits"].available and "RLIMIT_DATA" in layers["rlimits"].detail
    assert "poorly" in layers["rlimits"].detail
    for name in ("no_new_privs", "landlock", "seccomp", "network"):
        assert not layers[name].available, name
    assert "Linux-only" in layers["landlock"].detail and "Linux-only" in layers["seccomp"].detail


def test_windows_has_its_job_object_and_no_rlimits():
    from grader import sandbox

    layers = sandbox.probe("win32")
    assert set(layers) == {*sandbox.LAYERS, "job_object"}
    assert layers["job_object"].available and not layers["rlimits"].available
    assert not any(layers[name].available for name in sandbox.LAYERS)


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_strict_sandbox_refuses_on_a_students_laptop(monkeypatch, platform):
    from grader import sandbox
    from grader.run import policy

    real = sandbox.probe
    monkeypatch.setattr(sandbox, "probe", lambda: real(platform))
    with pytest.raises(policy.SandboxUnavailable) as refused:
        policy.require_full_sandbox()
    assert {"landlock", "seccomp", "no_new_privs", "network"} <= set(refused.value.missing)


def test_macos_memory_cap_is_rlimit_data_and_leaves_nproc_alone():
    """The darwin branch of the rlimits, run in a child here (it lowers limits for good)."""
    import subprocess

    code = ("import resource\nfrom grader.sandbox import _limits\n"
            "nproc = resource.getrlimit(resource.RLIMIT_NPROC)\n"
            "which, cap = _limits.memory_limit(2**30, 'darwin')\n"
            "assert which == resource.RLIMIT_DATA, which\n"
            "_limits.apply(2**30, 60, 2**26, platform='darwin')\n"
            "soft, hard = resource.getrlimit(resource.RLIMIT_DATA)\n"
            "assert 2**30 <= soft < 2**30 + 2**31, soft\n"
            "assert resource.getrlimit(resource.RLIMIT_NPROC) == nproc\n"
            "assert resource.getrlimit(resource.RLIMIT_CPU)[0] >= 60\n"
            "print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.stdout.strip() == "ok", done.stderr


def test_linux_memory_cap_is_rlimit_as():
    import resource

    from grader.sandbox import _limits

    assert _limits.memory_limit(1, "linux")[0] == resource.RLIMIT_AS


@pytest.mark.parametrize("lang, words", [("en", "cannot run that worker"), ("zh", "无法运行这种工作进程")])
def test_an_impossible_worker_choice_is_a_usage_error_not_a_traceback(monkeypatch, lang, words):
    from click.testing import CliRunner

    from grader.cli import cli

    monkeypatch.setenv("GRADER_WORKER", "spawn")
    result = CliRunner().invoke(cli, ["--lang", lang, "doctor"])
    assert result.exit_code == 2 and words in result.output and "spawn" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("kind", ["fork", "portable"])
def test_doctor_names_the_worker(monkeypatch, kind):
    import json

    from click.testing import CliRunner

    from grader.cli import cli

    monkeypatch.setenv("GRADER_WORKER", kind)
    data = json.loads(CliRunner().invoke(cli, ["doctor", "--format", "json"]).output)
    assert data["worker"] == kind
    text = CliRunner().invoke(cli, ["doctor"]).output
    assert f"Worker: `{kind}`" in text


def test_a_worker_that_stops_reading_cannot_block_the_grader(monkeypatch):
    from grader.run import channel

    monkeypatch.setattr(channel, "SEND_SECONDS", 0.3)
    unread_r, unread_w = os.pipe()
    replies_r, replies_w = os.pipe()
    end = channel.GraderEnd(replies_r, unread_w)
    try:
        with pytest.raises(TimeoutError):
            end.sendall(b"x" * (4 << 20))  # more than any pipe holds, and nobody reads it
    finally:
        os.close(unread_r)  # the blocked write ends (EPIPE), as when the worker is killed
        os.close(replies_w)
        end.close()


class _FakeFunction:
    """A Win32 entry point as ctypes shows it: argtypes/restype to declare, calls recorded."""

    def __init__(self, calls: list[tuple[Any, ...]], name: str, result: int) -> None:
        self.calls, self.name, self.result = calls, name, result
        self.argtypes: list[Any] | None = None
        self.restype: Any = None

    def __call__(self, *args: Any) -> int:
        self.calls.append((self.name, *args))
        return self.result


class _FakeDll:
    def __init__(self, calls: list[tuple[Any, ...]], results: dict[str, int]) -> None:
        self._calls, self._results, self._functions = calls, results, {}

    def __getattr__(self, name: str) -> _FakeFunction:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._functions:
            self._functions[name] = _FakeFunction(self._calls, name, self._results.get(name, 1))
        return self._functions[name]


@pytest.fixture
def fake_windows(monkeypatch):
    """kernel32 and ntdll replaced by recording fakes, as if on Windows."""
    calls: list[tuple[Any, ...]] = []
    results = {"CreateJobObjectW": 0x1234, "OpenProcess": 0x5678, "NtResumeProcess": 0}
    dlls = {"kernel32": _FakeDll(calls, results), "ntdll": _FakeDll(calls, results)}
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(ctypes, "WinDLL", lambda name, use_last_error=False: dlls[name], raising=False)
    monkeypatch.setattr(ctypes, "get_last_error", lambda: 5, raising=False)
    monkeypatch.setattr(ctypes, "WinError", lambda code, descr: OSError(code, descr), raising=False)
    return calls, results, dlls


def test_the_win32_calls_are_declared_pointer_sized_and_built_as_the_sdk_says(fake_windows):
    from grader.run import winjob

    calls, _, dlls = fake_windows
    api = winjob.WindowsApi()
    kernel32 = dlls["kernel32"]
    assert kernel32.CreateJobObjectW.restype is ctypes.c_void_p  # a HANDLE, not a C int
    assert kernel32.OpenProcess.restype is ctypes.c_void_p
    assert kernel32.AssignProcessToJobObject.argtypes == [ctypes.c_void_p, ctypes.c_void_p]
    assert kernel32.SetInformationJobObject.argtypes[0] is ctypes.c_void_p
    assert dlls["ntdll"].NtResumeProcess.argtypes == [ctypes.c_void_p]

    job = winjob.Job(256 * 1024**2, 12, api=api)
    job.adopt(4242)
    job.terminate()
    job.close()
    names = [call[0] for call in calls]
    assert names == ["CreateJobObjectW", "SetInformationJobObject", "OpenProcess", "AssignProcessToJobObject",
                     "NtResumeProcess", "CloseHandle", "TerminateJobObject", "CloseHandle"]
    _, handle, info_class, info, size = calls[1]
    assert (handle, info_class) == (0x1234, winjob.JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS)
    assert size == ctypes.sizeof(winjob.JOBOBJECT_EXTENDED_LIMIT_INFORMATION)
    assert info._obj.ProcessMemoryLimit == 256 * 1024**2 + winjob.BASELINE_BYTES  # byref(the structure)
    assert calls[2] == ("OpenProcess", winjob.PROCESS_ACCESS, False, 4242)
    assert calls[3] == ("AssignProcessToJobObject", 0x1234, 0x5678)
    assert calls[4] == ("NtResumeProcess", 0x5678) and calls[5] == ("CloseHandle", 0x5678)
    assert calls[6] == ("TerminateJobObject", 0x1234, winjob.KILLED_EXIT_CODE)


@pytest.mark.parametrize(("function", "result"), [("CreateJobObjectW", 0), ("OpenProcess", 0),
                                                  ("AssignProcessToJobObject", 0), ("NtResumeProcess", -1073741823)])
def test_a_failing_win32_call_is_an_oserror(fake_windows, function, result):
    from grader.run import winjob

    calls, results, _ = fake_windows
    results[function] = result
    with pytest.raises(OSError):
        job = winjob.Job(None, None, api=winjob.WindowsApi())
        job.adopt(1)
