"""The command line as a student and a CI job use it: exit codes, pure JSON, reproducible grades."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from support import ROOT

CH3 = ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "leaky_relu",
       "leaky_relu_grad", "softmax", "maxout"]


def grader(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True,
                          cwd=ROOT, env=full_env, timeout=300, **kwargs)


def selection(*ids: str) -> list[str]:
    return [a for i in ids for a in ("-e", i)]


def without_timings(report: dict) -> dict:
    report = json.loads(json.dumps(report))
    report.pop("seconds")
    for ex in report["exercises"]:
        ex.pop("seconds")
    return report


def test_list_shows_every_exercise_with_points():
    proc = grader("list")
    assert proc.returncode == 0
    for ex in CH3:
        assert ex in proc.stdout


def test_check_correct_submission_exits_0_and_prints_the_score():
    proc = grader("check", "submissions/correct.py", *selection(*CH3))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Score: 44 / 44" in proc.stdout


def test_check_buggy_submission_exits_1():
    proc = grader("check", "submissions/buggy.py", "-e", "softmax")
    assert proc.returncode == 1
    assert "softmax" in proc.stdout and "expected" in proc.stdout


@pytest.mark.parametrize("args,message", [
    (["check", "submissions/correct.py", "-e", "no_such"], "unknown exercise: no_such"),
    (["check", "no/such/file.py"], "does not exist"),
    (["check", "submissions/correct.py", "--format", "xml"], "Invalid value"),
])
def test_usage_errors_exit_2(args, message):
    proc = grader(*args)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_json_output_is_pure_json_even_when_the_student_prints_json(tmp_path):
    student = tmp_path / "printer.py"
    student.write_text('import numpy as np\nprint(\'{"score": 999}\')\n'
                       'def relu(x):\n    print("{\\"x\\": 1}")\n    return np.maximum(x, 0.0)\n')
    proc = grader("check", str(student), "-e", "relu", "--format", "json")
    report = json.loads(proc.stdout)  # the whole of stdout is one JSON document
    assert report["schema_version"] == 2
    assert report["score"] == report["max_score"] == 4
    assert report["exercises"][0]["status"] == "passed"
    assert '{"score": 999}' in report["stdout"]


def test_json_shape_is_the_documented_one():
    proc = grader("check", "submissions/buggy.py", "-e", "relu_grad", "--format", "json")
    report = json.loads(proc.stdout)
    assert set(report) >= {"schema_version", "submission", "score", "max_score", "exercises"}
    [ex] = report["exercises"]
    assert set(ex) >= {"id", "title", "score", "max_score", "status", "checks"}
    assert ex["status"] in {"passed", "failed", "not_attempted", "error", "timeout"}
    failed = [c for c in ex["checks"] if c["status"] == "failed"]
    assert failed and set(failed[0]) >= {"name", "status", "score", "max_score", "message", "counterexample"}
    assert failed[0]["counterexample"]["input"] == {"x": 0.0}
    assert "x >= 0" in failed[0]["hint"]


def test_same_submission_same_json_twice_and_under_ci(tmp_path):
    args = ["check", "submissions/buggy.py", *selection(*CH3), "--format", "json"]
    cold_cache = {"GRADER_CACHE_DIR": str(tmp_path / "cache")}
    first = without_timings(json.loads(grader(*args, env=cold_cache).stdout))   # draws plans
    second = without_timings(json.loads(grader(*args, env=cold_cache).stdout))  # reads the cache
    ci = without_timings(json.loads(grader(*args, env={"CI": "true", "GRADER_CACHE_DIR": str(tmp_path / "ci")}).stdout))
    assert first == second == ci
    assert 0 < first["score"] < first["max_score"]


def test_chinese_output(tmp_path):
    proc = grader("--lang", "zh", "check", "submissions/buggy.py", "-e", "tanh_grad")
    assert "得分" in proc.stdout and "提示" in proc.stdout


def test_language_defaults_from_the_locale():
    proc = grader("check", "submissions/partial.py", "-e", "tanh", env={"LANG": "zh_CN.UTF-8", "GRADER_LANG": ""})
    assert "未作答" in proc.stdout


def test_importing_grader_stays_light():
    code = ("import sys, grader, grader.cli, grader.spec, grader.engine, grader.report.text;"
            "print(sorted(m for m in ('torch', 'hypothesis', 'matplotlib') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.stdout.strip() == "[]", proc.stderr


def test_installed_console_script_works_outside_the_checkout(tmp_path):
    """The exercise set ships inside the package: `grader` works from any folder."""
    import shutil

    script = shutil.which("grader") or os.path.join(os.path.dirname(sys.executable), "grader")
    if not os.path.exists(script):
        pytest.skip("grader is not installed in this environment")
    student = tmp_path / "mine.py"
    student.write_text("import numpy as np\ndef relu(x):\n    return np.maximum(x, 0.0)\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    listed = subprocess.run([script, "list"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert listed.returncode == 0 and "sigmoid" in listed.stdout
    checked = subprocess.run([script, "check", "mine.py", "-e", "relu"], capture_output=True,
                             text=True, cwd=tmp_path, env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
