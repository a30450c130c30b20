"""Each sandbox layer, attacked from a forked child that has called ``enter``.

The child reports what happened as JSON through a pipe opened before the fork, then ``_exit``s;
the parent asserts. Hostile actions that would hurt if the sandbox failed (signals) aim at a
throw-away ``sleep`` process, never at pytest itself.
"""

from __future__ import annotations

import decimal  # noqa: F401 - imported again (lazily) in a child; harmless here
import errno
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

import grader.sandbox as sandbox
from grader.sandbox import SandboxPolicy, _landlock, _seccomp

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux sandbox")

DENIED = (errno.EPERM, errno.EACCES)


# ---------------------------------------------------------------- harness


def attempt(action: Callable[[], Any]) -> dict[str, Any]:
    """Run one action; describe its outcome as plain data."""
    try:
        value = action()
    except BaseException as exc:  # noqa: BLE001 - we report every failure, MemoryError included
        return {"ok": False, "error": type(exc).__name__, "errno": getattr(exc, "errno", None),
                "message": str(exc)[:300], "memory_error": isinstance(exc, MemoryError)}
    return {"ok": True, "value": value}


def run_sandboxed(policy: SandboxPolicy, action: Callable[[], Any], *,
                  before: Callable[[], None] | None = None,
                  timeout: float = 20.0) -> tuple[dict[str, Any] | None, int, float]:
    """Fork; the child runs ``before``, ``enter(policy)``, then ``action``; returns
    (report or None if the child died silently, wait status, seconds)."""
    read_end, write_end = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        report: dict[str, Any]
        try:
            os.close(read_end)
            if before is not None:
                before()
            active = sandbox.enter(policy)
            report = {"active": active, "details": dict(sandbox._last_details),
                      "result": attempt(action)}
        except BaseException as exc:  # noqa: BLE001
            report = {"harness_error": repr(exc)}
        try:
            data = json.dumps(report, default=repr).encode()
            while data:
                data = data[os.write(write_end, data):]
        finally:
            os._exit(0)
    os.close(write_end)
    chunks = []
    deadline = start + timeout
    try:
        while True:
            ready, _, _ = select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                os.kill(pid, signal.SIGKILL)
                break
            chunk = os.read(read_end, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)
    elapsed = time.monotonic() - start
    raw = b"".join(chunks)
    report = json.loads(raw) if raw else None
    if report is not None:
        assert "harness_error" not in report, report
    return report, status, elapsed


def result_of(policy: SandboxPolicy, action: Callable[[], Any], **kwargs: Any) -> dict[str, Any]:
    report, status, _ = run_sandboxed(policy, action, **kwargs)
    assert report is not None, f"child died: wait status {status}"
    return report["result"]


def assert_denied(outcome: dict[str, Any], errnos: tuple[int, ...] = DENIED) -> None:
    assert not outcome["ok"], outcome
    assert outcome["errno"] in errnos, outcome


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Any]:
    """A workdir, a readable root with a hidden folder inside, and a hidden folder outside."""
    workdir = tmp_path / "work"
    workdir.mkdir()
    root = tmp_path / "course"
    (root / "hidden").mkdir(parents=True)
    (root / "hidden" / "secret.txt").write_text("the reference solution")
    (root / "notes.txt").write_text("public notes")
    (root / "course_helper.py").write_text("VALUE = 42\n")
    outside = tmp_path / "submissions"
    outside.mkdir()
    (outside / "secret.txt").write_text("another student's work")
    policy = SandboxPolicy(workdir=str(workdir), readable=(str(root),),
                           hidden=(str(root / "hidden"), str(outside)))
    return {"tmp": tmp_path, "workdir": workdir, "root": root, "outside": outside,
            "policy": policy}


def read(path: Path | str) -> str:
    with open(path) as handle:
        return handle.read()


def write(path: Path | str, text: str = "x") -> int:
    with open(path, "w") as handle:
        return handle.write(text)


# ---------------------------------------------------------------- what this machine has


def test_probe_reports_every_layer_available_without_torch() -> None:
    status = sandbox.probe()
    assert set(status) == set(sandbox.LAYERS)
    assert all(layer.available for layer in status.values()), status
    assert status["landlock"].detail.startswith("ABI ")
    assert "libseccomp" in status["seccomp"].detail
    code = ("import sys, grader.sandbox as s; s.probe(); "
            "sys.exit('torch' in sys.modules)")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    assert subprocess.run([sys.executable, "-c", code], env=env, timeout=60).returncode == 0


def test_enter_activates_every_layer(world: dict[str, Any]) -> None:
    report, _, _ = run_sandboxed(world["policy"], lambda: None)
    assert report is not None
    assert report["active"] == dict.fromkeys(sandbox.LAYERS, True), report["details"]


# ---------------------------------------------------------------- file system (Landlock)


def test_hidden_folder_under_readable_root_stays_unreadable(world: dict[str, Any]) -> None:
    root = world["root"]
    assert_denied(result_of(world["policy"], lambda: read(root / "hidden" / "secret.txt")))
    assert_denied(result_of(world["policy"], lambda: os.listdir(root / "hidden")))


def test_siblings_of_hidden_folder_stay_readable_and_importable(world: dict[str, Any]) -> None:
    root = str(world["root"])

    def action() -> list[Any]:
        import importlib
        importlib.invalidate_caches()  # the worker does this after writing the student's files
        module = importlib.import_module("course_helper")
        return [read(os.path.join(root, "notes.txt")), module.VALUE]

    outcome = result_of(world["policy"], action, before=lambda: sys.path.insert(0, root))
    assert outcome == {"ok": True, "value": ["public notes", 42]}


def test_grader_installed_in_site_packages_case(world: dict[str, Any]) -> None:
    """A package dir hidden inside site-packages (as the grader is when pip-installed): the
    package is unreadable, and other site-packages still import after invalidate_caches()."""
    import importlib.util
    click_dir = importlib.util.find_spec("click").submodule_search_locations[0]
    policy = replace(world["policy"], hidden=world["policy"].hidden + (click_dir,))

    def action() -> dict[str, Any]:
        import importlib
        for name in [n for n in sys.modules if n.split(".")[0] in ("yaml", "click")]:
            del sys.modules[name]
        importlib.invalidate_caches()
        return {"yaml": attempt(lambda: importlib.import_module("yaml").safe_load("[1, 2]")),
                "click": attempt(lambda: importlib.import_module("click") and None)}

    outcome = result_of(policy, action)
    assert outcome["ok"], outcome
    assert outcome["value"]["yaml"] == {"ok": True, "value": [1, 2]}
    assert_denied(outcome["value"]["click"])


def test_hidden_folder_outside_roots_unreadable(world: dict[str, Any]) -> None:
    assert_denied(result_of(world["policy"], lambda: read(world["outside"] / "secret.txt")))


def test_only_the_policys_hidden_paths_are_hidden(world: dict[str, Any]) -> None:
    """No folder is hidden behind the policy's back: the grader's own package holds neither an
    exercise set nor a reference any more, so it is readable where its root is; what a grading
    session hides (the reference, wherever installed) is in its policy (tests/test_hostile.py)."""
    package = Path(sandbox.__file__).resolve().parent.parent
    policy = SandboxPolicy(workdir=world["policy"].workdir, readable=(str(package),),
                           hidden=(str(package / "judge"),))
    outcome = result_of(policy, lambda: read(package / "sandbox" / "__init__.py")[:3])
    assert outcome == {"ok": True, "value": '"""'}, outcome
    assert_denied(result_of(policy, lambda: read(package / "judge" / "__init__.py")))


def test_etc_passwd_is_not_readable(world: dict[str, Any]) -> None:
    # /etc is not a readable root: user names, hosts and the like stay out of reach
    assert_denied(result_of(world["policy"], lambda: read("/etc/passwd")))


@pytest.mark.parametrize("where", ["tmp_path", "slash_tmp", "readable_root"])
def test_writing_outside_workdir_fails(world: dict[str, Any], where: str) -> None:
    target = {"tmp_path": world["tmp"] / "escape.txt",
              "slash_tmp": Path(tempfile.gettempdir()) / f"grader-escape-{os.getpid()}.txt",
              "readable_root": world["root"] / "escape.txt"}[where]
    assert_denied(result_of(world["policy"], lambda: write(target)))
    assert not target.exists()


def test_workdir_is_fully_usable(world: dict[str, Any]) -> None:
    workdir = world["workdir"]

    def action() -> str:
        os.mkdir(workdir / "sub")
        write(workdir / "sub" / "a.txt", "hello")
        os.rename(workdir / "sub" / "a.txt", workdir / "b.txt")
        text = read(workdir / "b.txt")
        os.truncate(workdir / "b.txt", 0)
        os.remove(workdir / "b.txt")
        os.rmdir(workdir / "sub")
        np.save(workdir / "array.npy", np.arange(3))
        return text + str(np.load(workdir / "array.npy").sum())

    assert result_of(world["policy"], action) == {"ok": True, "value": "hello3"}


def test_devices_and_own_proc_work(world: dict[str, Any]) -> None:
    def action() -> list[Any]:
        with open("/dev/null", "w") as sink:
            sink.write("discarded")
        with open("/dev/urandom", "rb") as source:
            random_bytes = source.read(8)
        status = read("/proc/self/status")
        return [len(random_bytes), "VmSize" in status, len(os.urandom(4)), os.cpu_count()]

    outcome = result_of(world["policy"], action)
    assert outcome["ok"], outcome
    assert outcome["value"][:3] == [8, True, 4]


def test_whole_root_readable_still_hides_proc_and_hidden(world: dict[str, Any]) -> None:
    """A careless readable=("/",) keeps /proc, /sys, /dev and the hidden paths out."""
    policy = replace(world["policy"], readable=("/",))
    parent = os.getpid()

    def action() -> dict[str, Any]:
        return {"os-release": attempt(lambda: len(read("/etc/os-release")) > 0),
                "environ": attempt(lambda: open(f"/proc/{parent}/environ", "rb").read(8)),
                "secret": attempt(lambda: read(world["root"] / "hidden" / "secret.txt")),
                "other": attempt(lambda: read(world["outside"] / "secret.txt")),
                "sys": attempt(lambda: os.listdir("/sys/kernel")),
                "devnull": attempt(lambda: len(open("/dev/null", "rb").read()))}

    outcome = result_of(policy, action)
    assert outcome["ok"], outcome
    value = outcome["value"]
    assert value["os-release"] == {"ok": True, "value": True}
    assert value["devnull"] == {"ok": True, "value": 0}
    for key in ("environ", "secret", "other", "sys"):
        assert_denied(value[key])


@pytest.mark.parametrize("entry", ["environ", "mem", "cmdline"])
def test_parent_proc_entries_unreadable(world: dict[str, Any], entry: str) -> None:
    parent = os.getpid()  # the child's parent, i.e. this pytest process (the grader's stand-in)
    assert_denied(result_of(world["policy"], lambda: open(f"/proc/{parent}/{entry}", "rb").read(64)))


# ---------------------------------------------------------------- imports and threads


def test_numpy_matmul_with_threads_after_enter(world: dict[str, Any]) -> None:
    def action() -> list[Any]:
        import numpy
        a = numpy.arange(600 * 600, dtype=float).reshape(600, 600) / 1e5
        product = a @ a.T
        return [float(product[7, 11]), float((a[7] * a[11]).sum())]

    outcome = result_of(world["policy"], action)
    assert outcome["ok"], outcome
    assert outcome["value"][0] == pytest.approx(outcome["value"][1])


def test_lazy_stdlib_imports_after_enter(world: dict[str, Any]) -> None:
    names = ["json", "math", "decimal", "fractions", "statistics", "xml.dom.minidom", "csv",
             "sqlite3", "zoneinfo", "ctypes"]

    def action() -> str:
        import importlib
        for name in names:
            sys.modules.pop(name, None)  # force a real import from disk
            importlib.import_module(name)
        import zoneinfo
        zoneinfo.ZoneInfo("UTC")
        return str(decimal.Decimal(1) / decimal.Decimal(8))

    assert result_of(world["policy"], action) == {"ok": True, "value": "0.125"}


def test_threads_still_work(world: dict[str, Any]) -> None:
    def action() -> list[int]:
        results = [0] * 4

        def work(index: int) -> None:
            results[index] = sum(range(index * 1000))

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results

    assert result_of(world["policy"], action) == {
        "ok": True, "value": [sum(range(i * 1000)) for i in range(4)]}


# ---------------------------------------------------------------- processes (seccomp)


def test_fork_fails(world: dict[str, Any]) -> None:
    assert_denied(result_of(world["policy"], os.fork))


def test_subprocess_fails(world: dict[str, Any]) -> None:
    assert_denied(result_of(world["policy"], lambda: subprocess.run(["true"])))


def test_os_system_fails(world: dict[str, Any]) -> None:
    outcome = result_of(world["policy"], lambda: os.system("true"))
    assert outcome["ok"] and outcome["value"] != 0, outcome  # system() reports -1: no fork


def test_exec_fails(world: dict[str, Any]) -> None:
    # if exec went through, the child would become `true` and report nothing
    assert_denied(result_of(world["policy"], lambda: os.execv("/bin/true", ["true"])))


def test_metadata_changes_and_death_signal_are_locked(world: dict[str, Any]) -> None:
    """What Landlock does not cover (chmod, chown, utime outside the workdir) and what would
    let a worker outlive the zygote (clearing PR_SET_PDEATHSIG) are seccomp's to deny."""
    notes = world["root"] / "notes.txt"

    def action() -> dict[str, Any]:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)

        def clear_death_signal() -> None:
            if libc.prctl(1, 0, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl")

        return {"chmod": attempt(lambda: os.chmod(notes, 0o777)),
                "chown": attempt(lambda: os.chown(notes, 65534, 65534)),
                "utime": attempt(lambda: os.utime(notes, (0, 0))),
                "pdeathsig": attempt(clear_death_signal)}

    outcome = result_of(world["policy"], action)
    assert outcome["ok"], outcome
    for value in outcome["value"].values():
        assert_denied(value)
    assert notes.stat().st_mode & 0o777 != 0o777 and notes.stat().st_mtime > 0


# ---------------------------------------------------------------- network


def test_socket_creation_fails(world: dict[str, Any]) -> None:
    assert_denied(result_of(world["policy"], socket.socket))


def test_connect_to_localhost_fails(world: dict[str, Any]) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        outcome = result_of(world["policy"],
                            lambda: socket.create_connection(("127.0.0.1", port), timeout=2) and 1)
        assert_denied(outcome)
        server.setblocking(False)
        with pytest.raises(BlockingIOError):
            server.accept()


def test_landlock_denies_tcp_even_without_seccomp(world: dict[str, Any],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The second network layer on its own: socket() works, connect() does not."""
    monkeypatch.setattr(_seccomp, "status", lambda: (False, "simulated: no libseccomp"))
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]

        def action() -> str:
            with socket.socket() as client:
                client.settimeout(2)
                client.connect(("127.0.0.1", port))
            return "connected"

        report, _, _ = run_sandboxed(world["policy"], action)
    assert report is not None
    assert report["active"]["seccomp"] is False
    assert report["active"]["network"] is True
    assert_denied(report["result"])


# ---------------------------------------------------------------- signals


@pytest.fixture
def bystander() -> Any:
    """A process that is not the worker: what a hostile signal would hit instead of the grader."""
    process = subprocess.Popen(["sleep", "60"])
    yield process
    process.kill()
    process.wait()


def test_signals_to_other_processes_fail(world: dict[str, Any], bystander: Any) -> None:
    parent = os.getpid()
    assert_denied(result_of(world["policy"], lambda: os.kill(parent, 0)))
    assert_denied(result_of(world["policy"], lambda: os.kill(bystander.pid, signal.SIGTERM)))
    assert_denied(result_of(world["policy"], lambda: os.killpg(os.getpgid(bystander.pid),
                                                               signal.SIGTERM)))
    time.sleep(0.05)
    assert bystander.poll() is None


def test_signals_to_itself_work(world: dict[str, Any]) -> None:
    def action() -> list[Any]:
        received = []
        signal.signal(signal.SIGUSR1, lambda signum, frame: received.append(signum))
        os.kill(os.getpid(), 0)
        os.kill(os.getpid(), signal.SIGUSR1)
        signal.raise_signal(signal.SIGUSR1)
        return received

    assert result_of(world["policy"], action) == {
        "ok": True, "value": [signal.SIGUSR1, signal.SIGUSR1]}


def test_landlock_signal_scope_without_seccomp(world: dict[str, Any], bystander: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_seccomp, "status", lambda: (False, "simulated: no libseccomp"))
    assert_denied(result_of(world["policy"], lambda: os.kill(bystander.pid, signal.SIGTERM)))
    time.sleep(0.05)
    assert bystander.poll() is None


# ---------------------------------------------------------------- resource limits


def test_memory_bomb_raises_memory_error(world: dict[str, Any]) -> None:
    def action() -> list[Any]:
        import numpy
        outcomes = [attempt(lambda: numpy.ones(10**10).sum()),
                    attempt(lambda: len(bytearray(8 * 1024**3)))]
        outcomes.append(attempt(lambda: float(numpy.ones(1000).sum())))  # still alive after
        return outcomes

    outcome = result_of(world["policy"], action)
    assert outcome["ok"], outcome
    numpy_bomb, bytes_bomb, after = outcome["value"]
    assert numpy_bomb["memory_error"], numpy_bomb
    assert bytes_bomb["memory_error"], bytes_bomb
    assert after == {"ok": True, "value": 1000.0}


def test_cpu_loop_dies_by_rlimit_cpu(world: dict[str, Any]) -> None:
    def spin() -> None:
        while True:
            pass

    report, status, elapsed = run_sandboxed(replace(world["policy"], cpu_seconds=1), spin,
                                            timeout=15)
    assert report is None
    assert os.WIFSIGNALED(status)
    assert os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL)
    assert elapsed < 8, elapsed  # 1-2 s of CPU; slack for a busy machine


def test_file_bigger_than_limit_fails(world: dict[str, Any]) -> None:
    workdir = world["workdir"]

    def action() -> list[Any]:
        small = attempt(lambda: write(workdir / "small.bin", "x" * 1000))
        big = attempt(lambda: write(workdir / "big.bin", "x" * (2 * 1024**2)))
        return [small, big]

    outcome = result_of(replace(world["policy"], file_bytes=1024**2), action)
    assert outcome["ok"], outcome
    small, big = outcome["value"]
    assert small == {"ok": True, "value": 1000}
    assert not big["ok"] and big["errno"] == errno.EFBIG, big


def test_limits_cannot_be_raised_again(world: dict[str, Any]) -> None:
    import resource

    def action() -> list[Any]:
        infinity = (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
        _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
        return [attempt(lambda: resource.setrlimit(resource.RLIMIT_AS, infinity)),
                attempt(lambda: resource.setrlimit(resource.RLIMIT_CPU, (cpu_hard, cpu_hard)))]

    outcome = result_of(world["policy"], action)
    assert outcome["ok"], outcome  # getrlimit (prlimit64 without a new limit) still works
    for raised in outcome["value"]:
        # root could raise even the hard limit; seccomp's EPERM reads as this ValueError
        assert raised["error"] == "ValueError", raised
        assert "not allowed" in raised["message"], raised


# ---------------------------------------------------------------- degradation


def test_missing_layers_are_reported_not_fatal(world: dict[str, Any],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_landlock, "abi_version", lambda: (0, "simulated: no Landlock"))
    monkeypatch.setattr(_seccomp, "_lib", None)
    monkeypatch.setattr(_seccomp, "load_library", lambda: None)
    report, _, _ = run_sandboxed(world["policy"], lambda: float(np.ones(3).sum()))
    assert report is not None
    assert report["active"] == {"rlimits": True, "no_new_privs": True, "landlock": False,
                                "seccomp": False, "network": False}
    assert report["result"] == {"ok": True, "value": 3.0}
    assert "simulated" in report["details"]["landlock"]


def test_failing_layer_is_reported_not_fatal(world: dict[str, Any],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Any) -> None:
        raise OSError(errno.EINVAL, "simulated restrict_self failure")

    monkeypatch.setattr(_landlock.Ruleset, "restrict", broken)
    report, _, _ = run_sandboxed(world["policy"], lambda: float(np.ones(3).sum()))
    assert report is not None
    assert report["active"]["landlock"] is False
    assert report["active"]["seccomp"] is True and report["active"]["network"] is True
    assert report["result"] == {"ok": True, "value": 3.0}


def test_probe_reports_missing_layers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_landlock, "abi_version", lambda: (0, "simulated: no Landlock"))
    monkeypatch.setattr(_seccomp, "_lib", None)
    monkeypatch.setattr(_seccomp, "load_library", lambda: None)
    status = sandbox.probe()
    assert not status["landlock"].available and "simulated" in status["landlock"].detail
    assert not status["seccomp"].available
    assert not status["network"].available
    assert status["rlimits"].available


# ---------------------------------------------------------------- unprivileged


def test_landlock_and_seccomp_work_unprivileged() -> None:
    """As nobody (uid 65534), where DAC alone would allow what the sandbox must deny."""
    if os.getuid() != 0:
        pytest.skip("needs root to switch to an unprivileged user")
    base = Path(tempfile.mkdtemp(prefix="grader-sandbox-nobody-"))
    try:
        base.chmod(0o755)
        workdir = base / "work"
        workdir.mkdir(mode=0o777)
        workdir.chmod(0o777)
        hidden = base / "hidden"
        hidden.mkdir()
        (hidden / "secret.txt").write_text("secret")
        (hidden / "secret.txt").chmod(0o644)  # world-readable: only Landlock stands in the way
        policy = SandboxPolicy(workdir=str(workdir), hidden=(str(hidden),))

        def drop() -> None:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)

        def action() -> dict[str, Any]:
            return {"uid": os.getuid(),
                    "secret": attempt(lambda: read(hidden / "secret.txt")),
                    "tmp": attempt(lambda: write(base / "escape.txt")),
                    "fork": attempt(os.fork),
                    "socket": attempt(socket.socket),
                    "workdir": attempt(lambda: write(workdir / "ok.txt", "fine")),
                    "thread": attempt(lambda: threading.Thread(target=int).start())}

        report, _, _ = run_sandboxed(policy, action, before=drop)
        assert report is not None
        assert report["active"] == dict.fromkeys(sandbox.LAYERS, True), report["details"]
        value = report["result"]["value"]
        assert value["uid"] == 65534
        assert_denied(value["secret"])
        assert_denied(value["tmp"])
        assert_denied(value["fork"])
        assert_denied(value["socket"])
        assert value["workdir"] == {"ok": True, "value": 4}
        assert value["thread"]["ok"], value["thread"]
        # the base folder is world-writable-free, so only the workdir could have been written
        assert not (base / "escape.txt").exists()
    finally:
        shutil.rmtree(base, ignore_errors=True)


# ---------------------------------------------------------------- planning and API


def test_plan_grants_siblings_of_hidden_paths(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b" / "h").mkdir(parents=True)
    (tmp_path / "b" / "c.txt").write_text("c")
    (tmp_path / "hidden").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "hidden")
    plan = _landlock.plan([(str(tmp_path), 7)], [str(tmp_path / "hidden"), str(tmp_path / "b/h")])
    assert sorted(plan.rules) == [(str(tmp_path / "a"), 7), (str(tmp_path / "b" / "c.txt"), 7)]
    assert sorted(plan.pruned) == [str(tmp_path), str(tmp_path / "b")]


def test_plan_without_hidden_paths_grants_roots_whole(tmp_path: Path) -> None:
    plan = _landlock.plan([(str(tmp_path), 7), (str(tmp_path / "missing"), 7)],
                          [str(tmp_path.parent / "elsewhere")])
    assert plan.rules == [(str(tmp_path), 7)] and plan.pruned == []


def test_enter_from_dict_rejects_unknown_keys(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="memory_byte"):
        sandbox.enter_from_dict(str(tmp_path), {"memory_byte": 1})


def test_enter_from_dict_accepts_json_shapes(world: dict[str, Any]) -> None:
    policy = world["policy"]
    options = {"readable": list(policy.readable), "hidden": list(policy.hidden),
               "memory_bytes": 2**30, "cpu_seconds": 30, "file_bytes": 2**20, "network": False}
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            active = sandbox.enter_from_dict(policy.workdir, options)
            os.write(write_end, json.dumps(active).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        data = reader.read()
    os.waitpid(pid, 0)
    assert json.loads(data) == dict.fromkeys(sandbox.LAYERS, True)
