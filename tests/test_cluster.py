"""`grader grade --cluster` on Dask distributed: a scheduler and workers started here as local
processes (`dask scheduler`, `dask worker`) and `local:N` grade a small class (right, wrong,
hanging, crashing) exactly as the local `-j 2` run does, field by field; a worker SIGKILLed
mid-run costs nothing but time; every process the test starts is gone at its end; a missing
extra and a bad address are one clear line and exit 2, in seconds."""

from __future__ import annotations

import json
import math
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support import ROOT, interruptible

distributed = pytest.importorskip("distributed")

EXERCISES = ("sigmoid", "softmax")
HANGING = '''import numpy as np

def sigmoid(x):
    while True:
        pass

def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
'''
CRASHING = '''import os
import numpy as np

def sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))

def softmax(z):
    os.kill(os.getpid(), 9)
'''
BIN = Path(sys.executable).parent
TIMED = re.compile(r"\b\d+\.\d+ s\b")
#: runs a command as the child of a subreaper (Linux): what the command leaves behind when it
#: exits is reparented here rather than to init, listed (the last line of stderr) and killed
REAPED = r"""
import ctypes, json, os, signal, subprocess, sys, time
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
code = subprocess.call(sys.argv[1:])
def children():
    found = []
    for entry in os.listdir("/proc"):
        try:
            stat = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
        except (OSError, ValueError):
            continue
        if int(stat[1]) == os.getpid() and stat[0] != "Z":
            found.append(int(entry))
    return found
deadline = time.monotonic() + 15
while True:
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass
    left = children()
    if not left or time.monotonic() > deadline:
        break
    time.sleep(0.2)
for pid in left:
    os.kill(pid, signal.SIGKILL)
print("\nLEFT " + json.dumps(left), file=sys.stderr)
sys.exit(code)
"""


def _environment() -> dict[str, str]:
    return {**os.environ, "PYTHONWARNINGS": "ignore"}  # Dask's own deprecations stay off stderr


def grader(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`python -m grader ARGS`, checked to leave no process behind when it ends."""
    proc = subprocess.run([sys.executable, "-c", REAPED, sys.executable, "-m", "grader", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=timeout, env=env)
    head, _, last = proc.stderr.rstrip().rpartition("\nLEFT ")
    assert json.loads(last) == [], f"processes left behind by grader {args}: {last}"
    proc.stderr = head
    return proc


def grade_args(klass: Path, out: Path, *extra: str) -> list[str]:
    selection = [a for e in EXERCISES for a in ("-e", e)]
    return ["grade", str(klass), "-o", str(out), *selection, *extra]


def _without_timing(value: Any) -> Any:
    """A stored result with what a clock decides taken out (every `seconds`), comparable with ==
    (arrays as their dtype and values, NaN as a word)."""
    if isinstance(value, dict):
        return {k: _without_timing(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, (list, tuple)):
        return [_without_timing(v) for v in value]
    if hasattr(value, "tolist"):
        return ("array", str(getattr(value, "dtype", "")), _without_timing(value.tolist()))
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return value


def grades(out: Path) -> dict[str, Any]:
    """Each student's standing grade: the row's fields and the whole stored result, untimed."""
    import dataclasses

    from grader.batch.gradebook import decode_result

    db = sqlite3.connect(out / "gradebook.sqlite")
    db.row_factory = sqlite3.Row
    rows = db.execute("SELECT e.student, g.* FROM run_entries e JOIN grades g ON g.id = e.grade_id "
                      "WHERE e.run_id = (SELECT MAX(id) FROM runs)").fetchall()
    db.close()
    found = {}
    for row in rows:
        result = dataclasses.asdict(decode_result(row["result"]))
        found[row["student"]] = {"status": row["status"], "score": row["score"], "max_score": row["max_score"],
                                 "path": row["path"], "hash": row["content_hash"], "key": row["grading_key"],
                                 "result": _without_timing(result)}
    return found


def feedback(out: Path) -> dict[str, str]:
    """Each feedback page, with any duration a clock measured masked."""
    return {p.name: TIMED.sub("… s", p.read_text(encoding="utf-8"))
            for p in sorted((out / "feedback").glob("*.md"))}


@pytest.fixture(scope="module")
def env() -> dict[str, str]:
    return _environment()


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cluster-class") / "class"
    folder.mkdir()
    correct = (ROOT / "submissions" / "correct.py").read_text(encoding="utf-8")
    wrong = (ROOT / "submissions" / "buggy.py").read_text(encoding="utf-8")
    for i in range(3):
        (folder / f"right{i}.py").write_text(f"# right {i}\n{correct}", encoding="utf-8")
    for i in range(2):
        (folder / f"wrong{i}.py").write_text(f"# wrong {i}\n{wrong}", encoding="utf-8")
    (folder / "hangs.py").write_text(HANGING, encoding="utf-8")
    (folder / "crashes.py").write_text(CRASHING, encoding="utf-8")
    (folder / "unreadable.py").write_bytes(b"# -*- coding: rot13 -*-\nx = 1\n")
    return folder


@pytest.fixture(scope="module")
def local_run(klass: Path, env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local") / "out"
    proc = grader(*grade_args(klass, out, "-j", "2"), env=env)
    assert proc.returncode == 0, proc.stderr
    return out


def _descendants(pids: list[int]) -> set[int]:
    """Every living process below `pids` (from /proc), and `pids` themselves."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), list(pids)
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo += children.get(pid, [])
    return found


def _ppid(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class LocalDask:
    """A `dask scheduler` and `dask worker`s as processes of their own, each in its own session."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        self.processes: list[subprocess.Popen[bytes]] = []
        self.workers: list[subprocess.Popen[bytes]] = []
        self.address = ""
        #: processes that must be gone at the end (those of a worker killed meanwhile)
        self.watched: set[int] = set()

    def _start(self, *args: str) -> subprocess.Popen[bytes]:
        log = open(self.folder / f"dask-{len(self.processes)}.log", "wb")  # noqa: SIM115 - closed with the run
        process = subprocess.Popen([str(BIN / "dask"), *args], stdout=log, stderr=subprocess.STDOUT,
                                   env=self.env, cwd=self.folder, start_new_session=True)
        log.close()
        self.processes.append(process)
        return process

    def start(self, workers: int) -> None:
        scheduler_file = self.folder / "scheduler.json"
        self._start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                    "--scheduler-file", str(scheduler_file))
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.address = json.loads(scheduler_file.read_text())["address"]
        for _ in range(workers):
            self.workers.append(self._start("worker", self.address, "--nworkers", "1", "--nthreads", "1",
                                            "--no-dashboard", "--host", "127.0.0.1"))
        with distributed.Client(self.address, timeout=30) as client:
            client.wait_for_workers(workers, timeout=60)

    def kill(self, worker: subprocess.Popen[bytes]) -> None:
        """SIGKILL a `dask worker` and its worker process (its zygote dies with them)."""
        self.watched |= _descendants([worker.pid])
        os.killpg(worker.pid, signal.SIGKILL)

    def stop(self) -> set[int]:
        """Kill everything started, and return what is still alive 15 s later (nothing, we hope)."""
        tree = _descendants([p.pid for p in self.processes]) | self.watched
        for process in self.processes:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(pid) for pid in tree):
            time.sleep(0.2)
        return {pid for pid in tree if _alive(pid)}


@pytest.fixture
def dask_processes(tmp_path: Path, env: dict[str, str]) -> Iterator[LocalDask]:
    dask = LocalDask(tmp_path, env)
    try:
        yield dask
    finally:
        leaked = dask.stop()
    assert not leaked, f"processes left behind: {sorted(leaked)}"


def test_scheduler_and_workers_grade_as_the_local_run(klass, local_run, dask_processes, env, tmp_path):
    dask_processes.start(workers=2)
    out = tmp_path / "out"
    proc = grader(*grade_args(klass, out, "--cluster", dask_processes.address), env=env)
    assert proc.returncode == 0, proc.stderr
    expected = grades(local_run)
    assert set(expected) == {"right0", "right1", "right2", "wrong0", "wrong1", "hangs", "crashes", "unreadable"}
    assert grades(out) == expected
    assert feedback(out) == feedback(local_run)
    # the run was graded as asked: right, wrong, stopped at the time limit, crashed, unreadable
    status = {s: {e["id"]: e["status"] for e in g["result"]["exercises"]} for s, g in expected.items()}
    assert status["right0"] == {"sigmoid": "passed", "softmax": "passed"}
    assert status["wrong0"]["softmax"] != "passed"
    assert status["hangs"]["sigmoid"] == "timeout" and status["hangs"]["softmax"] == "passed"
    assert status["crashes"]["sigmoid"] == "passed" and status["crashes"]["softmax"] == "error"
    assert expected["unreadable"]["result"]["exercises"][0]["code"] == "submission_unreadable"
    # `grader doctor` of each worker: printed, and stored with the run
    assert (proc.stdout + proc.stderr).count("Dask worker tcp://127.0.0.1:") == 2  # stderr if a layer is missing
    book = sqlite3.connect(out / "gradebook.sqlite")
    stored = json.loads(book.execute("SELECT value FROM meta WHERE key = 'run.1.cluster'").fetchone()[0])
    book.close()
    assert stored["address"] == dask_processes.address
    assert len(stored["workers"]) == 2
    from grader import sandbox

    here = {name: layer.available for name, layer in sandbox.probe().items()}  # the workers' machine
    assert all({n: layer["available"] for n, layer in w["layers"].items()} == here for w in stored["workers"])
    assert all(w["result"]["sandbox"] == expected[s]["result"]["sandbox"] for s, w in grades(out).items())


def test_resume_on_the_cluster_grades_nothing_twice(klass, local_run, dask_processes, env, tmp_path):
    dask_processes.start(workers=1)
    out = tmp_path / "out"
    first = grader(*grade_args(klass, out, "--cluster", dask_processes.address), env=env)
    assert first.returncode == 0, first.stderr
    again = grader(*grade_args(klass, out, "--cluster", dask_processes.address), env=env)
    assert again.returncode == 0, again.stderr
    assert "Nothing to grade" in again.stdout
    assert grades(out) == grades(local_run)


def _grade_killing_a_worker(klass: Path, out: Path, dask: LocalDask, env: dict[str, str]) -> tuple[int, str]:
    """Grade on `dask`, SIGKILL a worker that holds a submission once the first is graded; the
    run's exit code and output (checked to leave no process behind)."""
    run = subprocess.Popen([sys.executable, "-c", REAPED, sys.executable, "-m", "grader",
                            *grade_args(klass, out, "--cluster", dask.address)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    try:
        assert run.stdout is not None
        lines = []
        for line in run.stdout:  # "[1/8] …": grading has begun, both workers hold submissions
            lines.append(line)
            if line.startswith("[1/"):
                break
        with distributed.Client(dask.address, timeout=30) as client:
            busy = [address for address, keys in client.processing().items() if keys]
            pids = client.run(os.getpid, workers=busy)
        assert busy, "no worker holds a submission"  # what the kill must cost: in-flight work
        victim = next(w for w in dask.workers if _ppid(pids[busy[0]]) == w.pid)
        dask.kill(victim)
        out_text, err_text = run.communicate(timeout=300)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert json.loads(err_text.rstrip().rpartition("\nLEFT ")[2]) == [], "the client left processes behind"
    assert run.returncode == 0, err_text
    return run.returncode, "".join(lines) + out_text


def test_a_worker_killed_mid_run_costs_only_time(klass, local_run, dask_processes, env, tmp_path):
    dask_processes.start(workers=2)
    out = tmp_path / "out"
    _, output = _grade_killing_a_worker(klass, out, dask_processes, env)
    assert grades(out) == grades(local_run)
    assert "Internal error" not in output


def test_a_submission_that_kills_workers_is_an_error_not_retried_forever(klass, local_run, env, tmp_path):
    """With `allowed-failures` 0 the scheduler gives up on a task at the first worker that dies
    with it: those students get an internal error (graded again on the next run), the others
    their grade; the next run completes the class as the local run graded it."""
    dask = LocalDask(tmp_path, {**env, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"})
    try:
        dask.start(workers=2)
        out = tmp_path / "out"
        _, output = _grade_killing_a_worker(klass, out, dask, env)
        lost = grades(out)
        internal = {s for s, g in lost.items() if g["status"] == "internal_error"}
        assert internal, output
        for student in internal:
            assert lost[student]["result"]["exercises"][0]["code"] == "batch.worker_died"
            assert "1 Dask worker(s) died while grading it" in lost[student]["result"]["exercises"][0]["facts"]["how"]
        assert f"Internal error, graded again on the next run: {sorted(internal)[0]}" in output
        expected = grades(local_run)
        assert {s: g for s, g in lost.items() if s not in internal} == \
            {s: g for s, g in expected.items() if s not in internal}
        again = grader(*grade_args(klass, out, "--cluster", dask.address), env=env)
        assert again.returncode == 0, again.stderr
        assert f"Grading {len(internal)} of 8 submissions" in again.stdout
        assert grades(out) == expected
    finally:
        leaked = dask.stop()
    assert not leaked, f"processes left behind: {sorted(leaked)}"


def test_ctrl_c_keeps_what_is_graded_and_the_next_run_finishes(klass, local_run, dask_processes, env, tmp_path):
    dask_processes.start(workers=2)
    out = tmp_path / "out"
    args = grade_args(klass, out, "--cluster", dask_processes.address)
    run = subprocess.Popen(interruptible("-m", "grader", *args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    try:
        assert run.stdout is not None
        for line in run.stdout:
            if line.startswith("[1/"):
                break
        run.send_signal(signal.SIGINT)
        out_text, err_text = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == 130, out_text + err_text
    assert "Traceback" not in err_text
    assert "Interrupted" in out_text
    book = sqlite3.connect(out / "gradebook.sqlite")
    kept = book.execute("SELECT COUNT(*) FROM grades").fetchone()[0]
    assert book.execute("SELECT status FROM runs").fetchone()[0] == "interrupted"
    book.close()
    assert 1 <= kept < 8
    again = grader(*grade_args(klass, out, "--cluster", dask_processes.address), env=env)
    assert again.returncode == 0, again.stderr
    assert f"Grading {8 - kept} of 8" in again.stdout
    assert grades(out) == grades(local_run)


def test_local_cluster_grades_as_the_local_run(klass, local_run, env, tmp_path):
    out = tmp_path / "out"
    proc = grader(*grade_args(klass, out, "--cluster", "local:2"), env=env)  # leaves nothing behind
    assert proc.returncode == 0, proc.stderr
    assert (proc.stdout + proc.stderr).count("Dask worker tcp://127.0.0.1:") == 2
    assert grades(out) == grades(local_run)
    assert feedback(out) == feedback(local_run)


def test_without_the_extra_the_message_says_how_to_install_it(klass, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from grader.cli import cli

    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` raises ImportError
    result = CliRunner().invoke(cli, grade_args(klass, tmp_path / "out", "--cluster", "local:2"))
    assert result.exit_code == 2
    assert "pip install \"grader[cluster]\"" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()  # said before any work: no session opened, nothing written


@pytest.mark.parametrize("address, words", [
    # nothing listens there: given up after the connect timeout, which the message states
    ("tcp://127.0.0.1:1", "No Dask scheduler answered at tcp://127.0.0.1:1 within 10 s"),
    ("local:0", "`--cluster local:0` is neither"),
    ("no address", "`--cluster no address` is neither"),
])
def test_a_bad_address_is_a_clear_error(klass, env, tmp_path, address, words):
    proc = grader(*grade_args(klass, tmp_path / "out", "--cluster", address), env=env, timeout=90)
    assert proc.returncode == 2
    assert words in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "gradebook.sqlite").exists()
