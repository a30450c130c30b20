"""Hostile submissions, through the real grader: no point is gained by anything but correct
functions, and nothing a submission does harms the grader, other submissions or the machine.

Each test asserts the outcome: score not gained, grader alive (the next exercise is graded),
files unchanged, no stray processes, no connection made, clean output.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from support import ROOT, by_id

RELU = '''
import numpy as np
def relu(x):
    return np.maximum(np.asarray(x, dtype=float), 0.0)
'''


def reference_check(result, exercise="sigmoid"):
    return [c for c in by_id(result)[exercise].checks if c.kind == "reference"][0]


def hostile(body: str) -> str:
    """A submission whose sigmoid does `body`, next to an honest relu."""
    return RELU + "\ndef sigmoid(x):\n" + textwrap.indent(textwrap.dedent(body), "    ") + "\n"


def assert_contained(result, status="failed"):
    exercises = by_id(result)
    allowed = status if isinstance(status, tuple) else (status,)
    assert exercises["sigmoid"].status in allowed, exercises["sigmoid"]
    assert exercises["sigmoid"].score == 0 or status == "failed" and reference_check(result).score == 0
    assert exercises["relu"].status == "passed"  # the grader carried on


# --- time -------------------------------------------------------------------------------------

def test_cpu_time_limit_ends_a_busy_loop_as_timeout(grade_source):
    from grader.run.policy import Limits

    result = grade_source(hostile("while True:\n    pass"), "sigmoid", "relu",
                          time_limit=30, limits=Limits(cpu_seconds=2))
    ex = by_id(result)["sigmoid"]
    assert ex.status == "timeout" and ex.code in ("cpu_limit", "timeout")
    assert by_id(result)["relu"].status == "passed"


def test_ignored_signals_do_not_stop_the_wall_clock_kill(grade_source):
    result = grade_source(hostile('''
        import signal, time
        for s in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        time.sleep(3600)
    '''), "sigmoid", "relu", time_limit=1.5)
    assert_contained(result, status="timeout")
    # the limit, not the moment the last request ran out of it: the same report every run
    assert by_id(result)["sigmoid"].facts == {"seconds": 1.5}


# --- memory -----------------------------------------------------------------------------------

@pytest.mark.parametrize("bomb", ["np.ones(10**10)", "bytearray(8 * 1024**3)", "[0] * 10**10"])
def test_memory_bomb_is_a_clear_memory_limit_failure(grade_source, bomb):
    result = grade_source(hostile(f"import numpy as np\nreturn {bomb}"), "sigmoid", "relu")
    assert_contained(result)
    assert reference_check(result).code == "memory_limit"


# --- processes --------------------------------------------------------------------------------

@pytest.mark.parametrize("spawn", [
    "import os\nos.fork()",
    "import subprocess\nsubprocess.run(['true'])",
    "import os\nos.system('touch /tmp/pwned-by-student')",
    "import multiprocessing\nmultiprocessing.Process(target=print).start()",
])
def test_no_new_processes(grade_source, spawn):
    result = grade_source(hostile(spawn + "\nreturn 0.5 * np.ones(np.shape(x))\nimport numpy as np"),
                          "sigmoid", "relu")
    assert_contained(result)
    assert not os.path.exists("/tmp/pwned-by-student")


def test_nothing_outlives_its_worker_even_without_the_sandbox(grade_source):
    """With seccomp off, a forked child sleeping forever still dies with the process group."""
    from grader.run.policy import Limits

    result = grade_source(hostile('''
        import os, time, numpy as np
        pid = os.fork()
        if pid == 0:
            time.sleep(3600)
        return np.full(np.shape(x), float(pid))
    '''), "sigmoid", "relu", limits=Limits(sandbox=False), shrink=False)
    child = int(reference_check(result).counterexample["actual"].ravel()[0])
    assert child > 0
    with pytest.raises(ProcessLookupError):
        for _ in range(50):  # the kill is immediate; allow the kernel a moment to reap
            os.kill(child, 0)
            threading.Event().wait(0.05)


def test_killing_the_parent_is_refused_and_the_grader_carries_on(grade_source):
    result = grade_source(hostile('''
        import os, signal
        os.kill(os.getppid(), signal.SIGKILL)
        os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)
    '''), "sigmoid", "relu")
    assert_contained(result)


# --- network ----------------------------------------------------------------------------------

def test_no_network_connection_is_made(grade_source):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.5)
    port = server.getsockname()[1]
    result = grade_source(hostile(f'''
        import socket, urllib.request
        try:
            socket.create_connection(("127.0.0.1", {port}), timeout=1).sendall(b"stolen")
        finally:
            urllib.request.urlopen("http://127.0.0.1:{port}/", timeout=1)
    '''), "sigmoid", "relu")
    assert_contained(result)
    with pytest.raises(socket.timeout):
        server.accept()
    server.close()


# --- files ------------------------------------------------------------------------------------

def _tree_digest(root) -> dict[str, str]:
    digests = {}
    for base in ("grader", "submissions"):
        for path in sorted((root / base).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digests[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def test_reference_other_submissions_and_grader_files_are_unreadable_and_unchanged(grade_source, tmp_path):
    other = tmp_path / "bob.py"
    other.write_text("def sigmoid(x): return 'bob answer'\n")
    before = _tree_digest(ROOT)
    targets = [str(ROOT / "reference" / "activations.py"),
               str(ROOT / "exercises" / "ch3_activations.yaml"), str(other),
               "/proc/1/environ", f"/proc/{os.getpid()}/environ", f"/proc/{os.getpid()}/mem"]
    result = grade_source(hostile(f'''
        import os, numpy as np
        stolen = 0
        for path in {targets!r}:
            try:
                open(path, "rb").read(10)
                stolen += 1
            except OSError:
                pass
        for path in {[str(ROOT / "grader" / "__init__.py"), str(ROOT / "submissions" / "correct.py"),
                      "/tmp/student-was-here"]!r}:
            try:
                open(path, "a").write("# pwned")
                stolen += 100
            except OSError:
                pass
        with open("scratch.txt", "w") as f:   # its own folder is writable
            f.write("ok")
        return np.full(np.shape(x), float(stolen))
    '''), "sigmoid", "relu", shrink=False)
    assert reference_check(result).counterexample["actual"].ravel()[0] == 0  # nothing read or written
    assert _tree_digest(ROOT) == before
    assert not os.path.exists("/tmp/student-was-here")


def test_every_worker_policy_hides_the_installed_set_and_its_reference(session, tmp_path):
    """Wherever pip put them (site-packages, or this checkout for an editable install), the
    shipped exercise set and its reference are hidden, whichever set is graded."""
    from importlib.util import find_spec

    from grader.session import GradingSession
    installed = [str(Path(find_spec(name).origin).resolve().parent)
                 for name in ("grader_exercises", "grader_reference")]
    own = tmp_path / "own"
    shutil.copytree(ROOT / "exercises", own)
    shutil.copytree(ROOT / "reference", own / "reference")
    for graded in (session, GradingSession.load(own)):
        assert set(installed + [str(graded.exercise_set.reference_dir)]) <= set(graded.hidden_paths())


def test_exercise_set_outside_the_package_is_hidden_too(tmp_path, zygote):
    """An instructor's own exercise set (here: a copy of the shipped one) is not readable."""
    import shutil

    from grader.engine import grade

    from grader.engine import Options
    from grader.session import GradingSession
    course_dir = tmp_path / "my-course"
    shutil.copytree(ROOT / "exercises", course_dir)
    shutil.copytree(ROOT / "reference", course_dir / "reference")
    session = GradingSession.load(course_dir)
    student = tmp_path / "s.py"
    reference_file = str(course_dir / 'reference' / 'activations.py')
    student.write_text(f"import numpy as np\ndef relu(x):\n    open({reference_file!r}).read()\n"
                       "    return np.maximum(x, 0.0)\n")
    result = grade(session, student, zygote, Options(exercises=("relu",)))
    check = result.exercises[0].checks[0]
    assert check.code == "raised" and check.facts["type"] == "PermissionError"


# --- secrets ----------------------------------------------------------------------------------

def test_no_expected_values_in_worker_memory(grade_source):
    """gc and the call stack hold the inputs of the batch, never an expected output."""
    result = grade_source(hostile('''
        import gc, inspect, sys, numpy as np
        found = [o for o in gc.get_objects() if isinstance(o, np.ndarray) and o.shape == np.shape(x) and o is not x][:5]
        for frame in inspect.stack(context=0):
            found += [v for v in frame.frame.f_locals.values() if isinstance(v, np.ndarray) and v.shape == np.shape(x)]
        assert not any("reference" in name for name in sys.modules), "reference module loaded in worker"
        return found[0] if found else np.zeros(np.shape(x))
    '''), "sigmoid", "relu", shrink=False, time_limit=60)
    assert_contained(result)


def test_stdin_is_empty(grade_source):
    result = grade_source(hostile('''
        import sys, numpy as np
        return np.full(np.shape(x), float(len(sys.stdin.read())))
    '''), "sigmoid", "relu", shrink=False)
    assert reference_check(result).counterexample["actual"].ravel()[0] == 0


# --- output -----------------------------------------------------------------------------------

def test_fake_results_printed_or_written_gain_nothing_and_json_stays_pure(tmp_path):
    student = tmp_path / "liar.py"
    student.write_text(hostile('''
        import sys, json
        fake = {"schema_version": 1, "score": 100, "max_score": 100, "exercises": []}
        print(json.dumps(fake)); sys.stdout.flush()
        sys.stderr.write(json.dumps(fake))
        open("results.json", "w").write(json.dumps(fake))
        return None
    '''))
    proc = subprocess.run([sys.executable, "-m", "grader", "check", str(student), "-e", "sigmoid",
                           "-e", "relu", "--format", "json"], capture_output=True, text=True, cwd=ROOT)
    import json

    report = json.loads(proc.stdout)  # exactly one JSON document: the grader's
    assert report["score"] == 4 and report["max_score"] == 9
    assert proc.returncode == 1


# --- crashes ----------------------------------------------------------------------------------

@pytest.mark.parametrize("crash,status", [
    ("import ctypes\nctypes.string_at(0)", "error"),
    ("import os\nos._exit(0)", "error"),
    ("raise SystemExit(0)", "failed"),
    ("raise KeyboardInterrupt", "failed"),
    # Python 3.11 recursion lives on the heap: it ends as a crash or at the time limit
    ("import sys\nsys.setrecursionlimit(10**9)\ndef f(n): return f(n + 1)\nf(0)", ("error", "timeout")),
    ("def f(n): return f(n + 1)\nreturn f(0)", "failed"),
    ("import os\nfor fd in range(64):\n    try: os.write(fd, b'\\x00garbage' * 4096)\n"
     "    except OSError: pass", "error"),
    ("import os\nfor fd in range(3, 64):\n    try: os.close(fd)\n    except OSError: pass", "error"),
])
def test_crashes_cost_only_that_exercise(grade_source, crash, status):
    result = grade_source(hostile(crash), "sigmoid", "relu", time_limit=5)
    assert_contained(result, status=status)


# --- cheats -----------------------------------------------------------------------------------

def test_monkeypatching_numpy_and_the_grader_inside_the_worker_gains_nothing(grade_source):
    result = grade_source(hostile('''
        import sys, numpy as np
        np.allclose = np.isclose = np.array_equal = lambda *a, **k: True
        np.testing.assert_allclose = lambda *a, **k: None
        for name, module in list(sys.modules.items()):
            if name.startswith("grader"):
                for attr in ("compare", "decode", "render"):
                    if hasattr(module, attr):
                        setattr(module, attr, lambda *a, **k: None)
        return np.zeros(np.shape(x))
    '''), "sigmoid", "relu")
    assert_contained(result, status=("failed", "error"))  # a patched codec breaks its own worker


def test_lying_array_subclasses_gain_nothing(grade_source):
    result = grade_source(hostile('''
        import numpy as np
        class Liar(np.ndarray):
            def __eq__(self, other): return True
            def __array_ufunc__(self, *a, **k): return np.float64(0.5)
            def __array_function__(self, *a, **k): return True
            def __float__(self): return 0.5
        return np.zeros(np.shape(x)).view(Liar)
    '''), "sigmoid", "relu")
    assert_contained(result)


def test_forged_protocol_reply_gains_nothing(grade_source):
    """The student writes a well-formed reply on the worker's socket: its numbers are still judged."""
    result = grade_source(hostile('''
        import os, numpy as np
        from grader import codec
        from grader.run import protocol
        import socket
        for fd in range(3, 16):
            try:
                s = socket.socket(fileno=os.dup(fd))
                protocol.send(s, {"values": [np.zeros(np.shape(x))], "seconds": np.zeros(1)})
            except OSError:
                pass
        return np.zeros(np.shape(x))
    '''), "sigmoid", "relu")
    exercises = by_id(result)
    assert exercises["sigmoid"].score == 0 or reference_check(result).score == 0
    assert exercises["relu"].status == "passed"


# --- strictness -------------------------------------------------------------------------------

def test_strict_sandbox_refuses_when_a_layer_is_missing(monkeypatch):
    from grader import sandbox
    from grader.run import policy

    real = sandbox.probe()
    monkeypatch.setattr(sandbox, "probe", lambda: {**real, "landlock": sandbox.LayerStatus(False, "kernel too old")})
    with pytest.raises(policy.SandboxUnavailable, match="landlock"):
        policy.require_full_sandbox()


def test_doctor_reports_every_layer_active_here():
    proc = subprocess.run([sys.executable, "-m", "grader", "doctor", "--format", "json"],
                          capture_output=True, text=True, cwd=ROOT)
    import json

    layers = json.loads(proc.stdout)["layers"]
    assert set(layers) == {"rlimits", "no_new_privs", "landlock", "seccomp", "network"}
    if sys.platform.startswith("linux"):
        assert proc.returncode == 0 and all(layer["available"] for layer in layers.values())


def test_json_report_says_which_layers_were_active(grade_source):
    result = grade_source(RELU, "relu")
    if sys.platform.startswith("linux"):
        assert result.sandbox == {"rlimits": True, "no_new_privs": True, "landlock": True,
                                  "seccomp": True, "network": True}


def test_a_call_that_silences_warnings_silences_only_itself(grade_source):
    """Warnings are recorded per call with the filter "always"; a student's own filter, or a
    replaced showwarning, set during one call is undone before the next (the worker sets its
    recording up once a batch, and again after a call that changed it)."""
    result = grade_source('''
        import warnings
        import numpy as np
        calls = [0]
        def sigmoid(x):
            calls[0] += 1
            if calls[0] == 1:
                warnings.simplefilter("ignore")
                warnings.showwarning = lambda *a, **k: None
            x = np.asarray(x, dtype=float)
            with np.errstate(over="warn"):
                return 1.0 / (1.0 + np.exp(-x))
    ''', "sigmoid")
    stability = [c for c in by_id(result)["sigmoid"].checks if c.kind == "stability"]
    assert stability and stability[0].status == "failed" and stability[0].code == "fp_warning", stability
