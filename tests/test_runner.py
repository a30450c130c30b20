"""The run stage: student code only runs in the worker, and whatever it does costs only its own
exercise: missing, unfinished, raising, hanging, crashing and printing functions."""

from __future__ import annotations

import os

import pytest

from support import by_id

OK_RELU = '''
import numpy as np
def relu(x):
    return np.maximum(np.asarray(x, dtype=float), 0.0)
'''


def test_student_code_never_runs_in_the_grader_process(grade_source):
    result = grade_source('''
        import os, numpy as np
        def relu(x):
            return np.full(np.shape(x), float(os.getpid()))
    ''', "relu", shrink=False)
    check = result.exercises[0].checks[0]
    assert check.status == "failed"
    assert int(check.counterexample["actual"].ravel()[0]) not in (os.getpid(), 0)


def test_missing_function_is_not_attempted(grade_source):
    result = grade_source(OK_RELU, "relu", "sigmoid")
    assert by_id(result)["relu"].status == "passed"
    assert by_id(result)["sigmoid"].status == "not_attempted"
    assert by_id(result)["sigmoid"].score == 0


def test_raising_function_fails_with_the_exception_and_line(grade_source):
    result = grade_source('''
        def relu(x):
            raise ValueError("boom")
    ''', "relu")
    ex = result.exercises[0]
    assert ex.status == "failed" and ex.score == 0
    check = ex.checks[0]
    assert check.code == "raised"
    assert check.facts["type"] == "ValueError" and check.facts["message"] == "boom"
    assert check.facts["line"] == 3


@pytest.mark.parametrize("body,how", [
    ("while True:\n        pass", "timeout"),
    ("import time\n    time.sleep(60)", "timeout"),
    ("import signal\n    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
     "    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n    while True: pass", "timeout"),
    ("import os\n    os._exit(3)", "error"),
    ("import ctypes\n    ctypes.string_at(0)", "error"),
    ("import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)", "error"),
])
def test_hanging_or_crashing_function_costs_only_its_exercise(grade_source, body, how):
    source = OK_RELU + f"\ndef sigmoid(x):\n    {body}\n"
    result = grade_source(source, "sigmoid", "relu", time_limit=2.0)
    exercises = by_id(result)
    assert exercises["sigmoid"].status == how
    assert exercises["sigmoid"].score == 0
    assert exercises["relu"].status == "passed"  # graded after the worker was replaced


@pytest.mark.parametrize("exc", ["SystemExit(0)", "KeyboardInterrupt()", "RecursionError()", "BaseException('x')"])
def test_base_exceptions_are_caught_as_failures(grade_source, exc):
    result = grade_source(OK_RELU + f"\ndef sigmoid(x):\n    raise {exc}\n", "sigmoid", "relu")
    exercises = by_id(result)
    assert exercises["sigmoid"].status == "failed"
    assert exercises["relu"].status == "passed"


def test_import_error_is_an_error_for_every_exercise_with_the_line(grade_source):
    result = grade_source("import numpy as np\n\ndef relu(x)\n    return x\n", "relu", "sigmoid")
    for ex in result.exercises:
        assert ex.status == "error" and ex.code == "import_error"
        assert ex.facts["type"] == "SyntaxError" and ex.facts["line"] == 3


def test_slow_import_times_out(grade_source):
    result = grade_source("import time\ntime.sleep(30)\ndef relu(x):\n    return x\n", "relu",
                          import_timeout=1.5)
    assert result.exercises[0].status == "timeout"
    assert result.exercises[0].code == "import_timeout"


def test_huge_broadcast_view_is_refused_before_it_is_copied(grade_source):
    result = grade_source('''
        import numpy as np
        def relu(x):
            return np.broadcast_to(np.zeros(1), (10**6, 10**6))
    ''', "relu")
    check = result.exercises[0].checks[0]
    assert check.code == "too_large" and check.facts["type"] == "TooLarge"


def test_exotic_return_values_are_type_errors_not_crashes(grade_source):
    result = grade_source('''
        def relu(x):
            return {1, 2}
        def sigmoid(x):
            return "0.5"
    ''', "relu", "sigmoid")
    codes = {e.id: e.checks[0].code for e in result.exercises}
    assert codes == {"relu": "wrong_type", "sigmoid": "wrong_type"}


def test_lying_float_subclass_gains_nothing(grade_source):
    """A float whose __eq__ always says True is turned into its number before it crosses."""
    result = grade_source('''
        class Liar(float):
            def __eq__(self, other): return True
            def __sub__(self, other): return 0.0
            __rsub__ = __sub__
            def __abs__(self): return 0.0
        def relu(x):
            return Liar(12345.0)
    ''', "relu")
    assert result.exercises[0].score == 0


def test_student_output_is_captured_not_printed(grade_source, capfd):
    result = grade_source('''
        import sys, numpy as np
        print("hello from the student")
        def relu(x):
            print('{"score": 100}')
            sys.stderr.write("noise\\n")
            return np.maximum(x, 0.0)
    ''', "relu")
    out, err = capfd.readouterr()
    assert "hello from the student" not in out and '{"score": 100}' not in out
    assert "noise" not in err
    assert "hello from the student" in result.stdout
    assert result.exercises[0].status == "passed"


def test_output_is_capped(grade_source):
    result = grade_source('''
        import numpy as np
        def relu(x):
            print("x" * 100000)
            return np.maximum(x, 0.0)
    ''', "relu")
    assert len(result.stdout) <= 8200


def test_unreadable_submissions_are_graded_errors(tmp_path, session, zygote):
    from grader.engine import Options, grade
    cases = {"binary.py": b"\x00\x01\x02", "latin1.py": "x = 'é'\n".encode("latin-1"), "empty.py": b""}
    expected = {"binary.py": "submission_unreadable", "latin1.py": "submission_unreadable",
                "empty.py": "submission_empty"}
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = grade(session, path, zygote, Options(exercises=("relu",)))
        assert result.exercises[0].status == "error"
        assert result.exercises[0].code == expected[name]


def test_folder_submission_imports_sibling_modules(tmp_path, session, zygote):
    from grader.engine import Options, grade
    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "activations.py").write_text(OK_RELU)
    (folder / "grads.py").write_text("from activations import relu\n"
                                     "import numpy as np\n"
                                     "def relu_grad(x):\n    return (np.asarray(x) > 0).astype(float)\n")
    result = grade(session, folder, zygote, Options(exercises=("relu", "relu_grad")))
    assert [e.status for e in result.exercises] == ["passed", "passed"]


def test_worker_environment_is_scrubbed(grade_source, monkeypatch):
    """Secrets in the grader's environment (CI tokens) are not visible to student code."""
    from grader.run.client import scrubbed_environment

    monkeypatch.setenv("GITHUB_TOKEN", "secret-token")
    env = scrubbed_environment("/tmp")
    assert "GITHUB_TOKEN" not in env
    result = grade_source('''
        import os, numpy as np
        def relu(x):
            return np.full(np.shape(x), float("GITHUB_TOKEN" in os.environ or "CI" in os.environ))
    ''', "relu")
    # the zygote started before the variable was set in this test; either way it must not see it
    assert result.exercises[0].checks[0].status == "failed"
    assert result.exercises[0].checks[0].facts.get("actual_value", 0) == 0


def test_function_defined_by_assignment_is_found(grade_source):
    result = grade_source("import numpy as np\ntanh = np.tanh\n", "tanh")
    assert result.exercises[0].status == "passed"


def test_zygote_dies_with_a_grader_that_is_killed(tmp_path):
    """However the grader ends (SIGKILL included), its zygote and workers do not linger."""
    import signal
    import subprocess
    import sys
    import time

    script = ("import time\nfrom grader.run import Zygote\nz = Zygote()\nz.start()\n"
              "print(z._proc.pid, flush=True)\ntime.sleep(600)\n")
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as grader:
        zygote_pid = int(grader.stdout.readline())
        os.kill(zygote_pid, 0)  # alive while the grader lives
        grader.send_signal(signal.SIGKILL)
        grader.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(zygote_pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail("the zygote outlived its grader")


def test_the_zygote_counts_each_workers_cpu(grade_source, zygote):
    """The workers' CPU, as the kernel counted it when the zygote waited for each (what the
    benchmarks charge a submission): a function that spins for 0.3 s of CPU adds at least that,
    and the count stays out of how a worker ended."""
    from grader.run.client import Zygote

    if not isinstance(zygote, Zygote):
        pytest.skip("the portable launcher does not count its workers' CPU")
    before = zygote.cpu_seconds
    grade_source(OK_RELU, "relu", shrink=False)
    cheap = zygote.cpu_seconds - before
    assert cheap > 0
    before = zygote.cpu_seconds
    grade_source('''
        import time
        import numpy as np
        def relu(x):
            end = time.process_time() + 0.3
            while time.process_time() < end:
                pass
            return np.maximum(np.asarray(x, dtype=float), 0.0)
    ''', "relu", shrink=False, time_limit=30)
    assert zygote.cpu_seconds - before >= cheap + 0.25
    pid, channel = zygote.spawn(str(zygote._home), {"enabled": False}, False)
    zygote.kill(pid)
    channel.close()
    assert "cpu_seconds" not in zygote.wait(pid)
