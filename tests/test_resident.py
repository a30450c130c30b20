"""The resident grader (grader/resident): `grader check` forwarded to a warm session.

Every check it serves must read exactly as a fresh process's (output, exit code, language,
folder), and anything that goes wrong with it (it dies, its code changes, its folder is not
private, it is told to stop) must cost only the time of a fresh check, never a wrong report.
Each test gets its own runtime folder, so its resident graders are its own; they are stopped
at the end and checked gone.
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
from pathlib import Path

import pytest

from support import ROOT

pytestmark = pytest.mark.skipif(os.name != "posix", reason="resident graders need Unix sockets")

from grader.resident import client, place, wire  # noqa: E402


def grader(*args: str, env: dict[str, str], cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=timeout)


def _without_seconds(report: str) -> object:
    """A JSON report without its timings (they differ from run to run, resident or not)."""
    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "seconds"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return strip(json.loads(report))


class Residents:
    """The resident graders of one test: its runtime folder, its environment, waiting for them."""

    def __init__(self) -> None:
        # short: a socket's path must fit in 108 bytes, and pytest's tmp_path under xdist does not
        self.runtime = Path(tempfile.mkdtemp(prefix="grader-rt-", dir="/tmp"))  # mode 0700
        self.env = {**os.environ, "XDG_RUNTIME_DIR": str(self.runtime), place.ENV: "1",
                    place.IDLE_ENV: "120"}
        self.env.pop("CI", None)
        self.local_env = {**self.env, place.ENV: "0"}
        self.pids: set[int] = set()

    @property
    def folder(self) -> Path:
        return self.runtime / "grader"

    def statuses(self) -> list[dict[str, object]]:
        saved = os.environ.get("XDG_RUNTIME_DIR")
        os.environ["XDG_RUNTIME_DIR"] = str(self.runtime)
        try:
            found = [status for _, status in client.residents()]
        finally:
            if saved is None:
                del os.environ["XDG_RUNTIME_DIR"]
            else:
                os.environ["XDG_RUNTIME_DIR"] = saved
        self.pids |= {s["pid"] for s in found if isinstance(s.get("pid"), int)}
        return found

    def wait_serving(self, timeout: float = 120) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.statuses()
            if found:
                return found[0]
            time.sleep(0.2)
        logs = self.folder.glob("*.log") if self.folder.exists() else []
        log = "\n".join(p.read_text(errors="replace") for p in logs)
        raise AssertionError(f"no resident grader answered; its log:\n{log}")

    def wait_served_from(self, folder: Path, submission: str, timeout: float = 120) -> None:
        """Check `submission` from `folder` until a resident grader serves it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            before = self.served()
            grader("check", submission, "-e", "relu", env=self.env, cwd=folder)
            if self.served() > before:
                return
            time.sleep(0.5)
        raise AssertionError(f"no resident grader serves checks from {folder}")

    def served(self) -> int:
        """Checks served by all of them: `python -m grader` in another folder may run an
        installed grader rather than ROOT's, and another grader's code has its own resident."""
        return sum(int(s["served"]) for s in self.statuses())  # type: ignore[call-overload]

    def stop(self) -> None:
        """Stop them, check they are gone, and remove the runtime folder."""
        grader("resident", "stop", env=self.env)
        deadline = time.monotonic() + 30
        alive = set(self.pids)
        while alive and time.monotonic() < deadline:
            alive = {pid for pid in alive if _alive(pid)}
            time.sleep(0.1)
        for pid in alive:
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.runtime, ignore_errors=True)
        assert not alive, f"resident graders still running after stop: {sorted(alive)}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie of ours is gone for this purpose
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return True


@pytest.fixture
def residents():
    found = Residents()
    yield found
    found.stop()


def test_a_check_served_warm_reads_exactly_as_a_fresh_one(residents: Residents) -> None:
    first = grader("check", "submissions/correct.py", "-e", "sigmoid", env=residents.env)
    assert first.returncode == 0, first.stderr
    status = residents.wait_serving()  # started by that check, in the background
    assert status["served"] == 0
    for args in (["submissions/buggy.py", "-e", "sigmoid", "-e", "relu_grad"],
                 ["submissions/buggy.py", "-e", "relu_grad", "--format", "json"],
                 ["submissions/correct.py", "--chapter", "3"]):
        served = grader("check", *args, env=residents.env)
        fresh = grader("check", *args, env=residents.local_env)
        assert (served.returncode, served.stderr) == (fresh.returncode, fresh.stderr)
        if "json" in args:
            assert _without_seconds(served.stdout) == _without_seconds(fresh.stdout)
        else:
            assert served.stdout == fresh.stdout
    assert residents.wait_serving()["served"] == 3  # each of them was the resident grader's


def test_each_check_brings_its_language_folder_and_errors(residents: Residents, tmp_path: Path) -> None:
    elsewhere = tmp_path / "work"
    elsewhere.mkdir()
    shutil.copy(ROOT / "submissions" / "buggy.py", elsewhere / "mine.py")
    for folder, submission in ((ROOT, "submissions/correct.py"), (elsewhere, "mine.py")):
        residents.wait_served_from(folder, submission)  # one grader's code, or two (an installed one)
    before = residents.served()
    cases = [(["--lang", "zh", "check", "mine.py", "-e", "relu_grad"], elsewhere),
             (["check", "mine.py", "-e", "relu_grad"], elsewhere),  # English again after Chinese
             (["--lang", "zh", "check", "nowhere.py"], elsewhere),   # Click's usage error, in Chinese
             (["check", "nowhere.py"], elsewhere),                   # and in English again
             (["check", "mine.py", "-e", "no_such_exercise"], elsewhere),
             (["check", "submissions/correct.py", "-e", "relu"], ROOT)]
    for args, folder in cases:
        served = grader(*args, env=residents.env, cwd=folder)
        fresh = grader(*args, env=residents.local_env, cwd=folder)
        assert (served.returncode, served.stdout, served.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr)
    assert "期望" in grader("--lang", "zh", "check", "mine.py", "-e", "relu_grad", env=residents.env,
                          cwd=elsewhere).stdout
    assert residents.served() == before + len(cases) + 1


def test_a_resident_grader_killed_mid_check_costs_only_time(residents: Residents, tmp_path: Path) -> None:
    hanging = tmp_path / "hang.py"
    hanging.write_text("def relu(x):\n    while True:\n        pass\n", encoding="utf-8")
    grader("check", "submissions/correct.py", "-e", "relu", env=residents.env)
    pid = residents.wait_serving()["pid"]
    assert isinstance(pid, int)
    run = subprocess.Popen([sys.executable, "-m", "grader", "check", str(hanging), "-e", "relu",
                            "--time-limit", "3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           cwd=ROOT, env=residents.env)
    time.sleep(1.0)  # the resident grader holds the check, its worker spinning
    os.kill(pid, signal.SIGKILL)
    out, err = run.communicate(timeout=120)
    fresh = grader("check", str(hanging), "-e", "relu", "--time-limit", "3", env=residents.local_env)
    assert (run.returncode, out) == (fresh.returncode, fresh.stdout)
    assert run.returncode == 1 and "Stopped after 3 s" in out and "Traceback" not in err
    # its socket is left behind; the next resident grader takes the folder over
    again = residents.wait_serving()
    assert again["pid"] != pid
    assert grader("check", "submissions/correct.py", "-e", "relu", env=residents.env).returncode == 0
    assert residents.wait_serving()["served"] == 1


def test_changed_grader_code_is_never_served(residents: Residents, tmp_path: Path) -> None:
    """A copy of the grader whose code changes after its resident grader started: that check
    runs afresh (and sees the change), and the stale resident grader quits."""
    copy = tmp_path / "copy"
    shutil.copytree(ROOT / "grader", copy / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    # `python -m grader` in the copy's folder runs the copy (not ROOT's, nor an installed one),
    # and so must the resident grader it starts, which refuses to serve any other code
    env = residents.env
    shutil.copy(ROOT / "submissions" / "correct.py", copy / "correct.py")
    assert grader("check", "correct.py", "-e", "relu", env=env, cwd=copy).returncode == 0
    old = residents.wait_serving()
    messages = copy / "grader" / "messages.py"
    messages.write_text(messages.read_text(encoding="utf-8").replace(
        '"All exercises passed.', '"Every exercise passed, edited.'), encoding="utf-8")
    changed = grader("check", "correct.py", "-e", "relu", env=env, cwd=copy)
    assert changed.returncode == 0 and "Every exercise passed, edited." in changed.stdout
    deadline = time.monotonic() + 30
    while _alive(int(old["pid"])) and time.monotonic() < deadline:  # type: ignore[call-overload]
        time.sleep(0.1)
    assert not _alive(int(old["pid"])), "the stale resident grader is still running"  # type: ignore[call-overload]
    # it stopped listening before it answered "stale", so that check started the next one
    assert residents.wait_serving()["pid"] != old["pid"]


def test_a_changed_exercise_set_is_loaded_again(residents: Residents, tmp_path: Path) -> None:
    exercises = tmp_path / "exercises"
    shutil.copytree(ROOT / "exercises", exercises, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "reference", exercises / "reference", ignore=shutil.ignore_patterns("__pycache__"))
    args = ["--exercises", str(exercises), "check", "submissions/correct.py", "-e", "relu"]
    assert grader(*args, env=residents.env).returncode == 0
    residents.wait_serving()
    spec = exercises / "ch3_activations.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("title: {en: ReLU,", "title: {en: ReLU edited,"),
                    encoding="utf-8")
    served = grader(*args, env=residents.env)
    fresh = grader(*args, env=residents.local_env)
    assert (served.returncode, served.stdout, served.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr)
    assert "ReLU edited" in served.stdout
    assert residents.wait_serving()["served"] == 1


def test_never_used_where_it_must_not_be(residents: Residents, tmp_path: Path) -> None:
    auto = {**residents.env, place.ENV: "auto"}  # no terminal here: a script, a pipe, a CI job
    assert grader("check", "submissions/correct.py", "-e", "relu", env=auto).returncode == 0
    assert grader("check", "submissions/correct.py", "-e", "relu", env={**residents.env, "CI": "true",
                                                                         place.ENV: "auto"}).returncode == 0
    assert grader("check", "submissions/correct.py", "-e", "relu", env=residents.local_env).returncode == 0
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "grader").mkdir(mode=0o777)
    os.chmod(shared / "grader", 0o777)  # open to others: no socket of ours goes there
    open_env = {**residents.env, "XDG_RUNTIME_DIR": str(shared)}
    assert grader("check", "submissions/correct.py", "-e", "relu", env=open_env).returncode == 0
    deep = tmp_path / ("d" * 100)  # a socket path past sockaddr_un's 108 bytes: none is made
    deep.mkdir(mode=0o700)
    assert grader("check", "submissions/correct.py", "-e", "relu",
                  env={**residents.env, "XDG_RUNTIME_DIR": str(deep)}).returncode == 0
    time.sleep(2)
    assert not list(residents.folder.glob("*.sock")) if residents.folder.exists() else True
    assert not list((shared / "grader").iterdir())
    assert not list((deep / "grader").glob("*.sock"))
    # a resident grader started for another setup's key (another Python, code or GRADER_*) refuses
    wrong = subprocess.run([sys.executable, "-m", "grader.resident.server", "0" * 20], cwd=ROOT,
                           env=residents.env, timeout=60)
    assert wrong.returncode == 2 and not list(residents.folder.glob("*.sock"))
    status = grader("resident", "status", env=residents.env)
    assert status.returncode == 1 and "No resident grader is running" in status.stdout
    assert not client.is_check(["grade", "class"]) and not client.is_check(["check", "f.py", "--watch"])
    assert client.is_check(["--lang", "zh", "--exercises=x", "check", "f.py"])
    assert not client.is_check(["--exercises", "check", "list"]) and not client.is_check(["check", "--", "-h"])


def test_it_quits_when_idle_and_when_told(residents: Residents) -> None:
    idle = {**residents.env, place.IDLE_ENV: "1"}
    assert grader("check", "submissions/correct.py", "-e", "relu", env=idle).returncode == 0
    pid = int(residents.wait_serving()["pid"])  # type: ignore[call-overload]
    deadline = time.monotonic() + 30
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid) and not list(residents.folder.glob("*.sock"))
    assert grader("check", "submissions/correct.py", "-e", "relu", env=residents.env).returncode == 0
    pid = int(residents.wait_serving()["pid"])  # type: ignore[call-overload]
    stopped = grader("resident", "stop", env=residents.env)
    assert stopped.returncode == 0 and "Stopped 1 resident grader(s)." in stopped.stdout
    deadline = time.monotonic() + 30
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)


def test_a_peer_sending_nonsense_is_refused_and_serving_goes_on(residents: Residents) -> None:
    grader("check", "submissions/correct.py", "-e", "relu", env=residents.env)
    residents.wait_serving()
    address = next(residents.folder.glob("*.sock"))
    for garbage in (b"\xff\xff\xff\xff", b"\x00\x00\x00\x05[1,2", b"\x00\x00\x00\x02[]"):
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(address))
            sock.sendall(garbage)
            sock.shutdown(socket.SHUT_WR)
            assert sock.recv(100) == b""  # closed without an answer
    for message in ({"command": "run", "argv": "check", "cwd": "/", "env": {}},
                    {"command": "run", "argv": ["check"], "cwd": "/", "env": {"A": 1}},
                    {"command": "run", "argv": ["check", "f.py", "--watch"], "cwd": "/", "env": {}},
                    {"command": "run", "argv": ["grade", "class", "-o", "out"], "cwd": "/", "env": {}},
                    {"command": "anything"}):
        reply = client.ask(address, message, timeout=30)
        assert reply == {"kind": "refused"}
    with pytest.raises(wire.WireError):
        wire.unpack_bytes("not base64!")
    served = grader("check", "submissions/correct.py", "-e", "relu", env=residents.env)
    assert served.returncode == 0 and residents.wait_serving()["served"] == 1
