"""Both install modes of a clean copy of the checkout grade: a plain `pip install .` (the exercise
set and its reference copied into site-packages as grader_exercises and grader_reference) and an
editable `pip install -e .` (both mapped to the copy's exercises/ and reference/). Each runs
`grader check` on the complete example, `grader validate` on one exercise, and a hostile
submission that tries to read the installed reference and the course secret, wherever they are.

Offline and in seconds: a fresh venv holding this environment's run-time packages and setuptools
(tests/ci_helpers.py), pip without an index and without build isolation.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from ci_helpers import RUNTIME, fresh_venv
from support import ROOT


def clean_copy(target: Path) -> Path:
    """The checkout's files as a fresh clone has them (tracked, or new and not ignored)."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _environment(tmp: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(tmp / "home"), "XDG_DATA_HOME": str(tmp / "data"),
            "GRADER_CACHE_DIR": str(tmp / "cache"), "LANG": "C.UTF-8"}


def _run(venv: Path, args: list[str], tmp: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / "grader"), *args], capture_output=True, text=True,
                          cwd=tmp, env=_environment(tmp), timeout=600, **kwargs)


HOSTILE = '''
import importlib.util, os
import numpy as np

TARGETS = {targets!r}
SHOWN = []
for path in TARGETS:
    try:
        with open(path, "rb") as handle:
            handle.read(16)
        SHOWN.append("read " + path)
    except OSError as exc:
        SHOWN.append("denied " + path + " " + type(exc).__name__)
print("|".join(SHOWN))

def relu(x):
    return np.maximum(x, 0.0)
'''


@pytest.fixture(scope="module", params=["plain", "editable"])
def installed(request, tmp_path_factory):
    """(mode, venv, the folder pip was given, a work folder) for each install mode."""
    tmp = tmp_path_factory.mktemp(request.param)
    source = clean_copy(tmp / "checkout")
    venv = fresh_venv(tmp / "venv", RUNTIME + ("setuptools",))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON"))}
    args = [str(venv / "bin" / "python"), "-m", "pip", "install", "--no-index", "--no-deps",
            "--no-build-isolation", "--disable-pip-version-check", "-q"]
    args += ["-e", str(source)] if request.param == "editable" else [str(source)]
    proc = subprocess.run(args, capture_output=True, text=True, env=env, cwd=tmp, timeout=600)
    assert proc.returncode == 0, proc.stderr
    work = tmp / "work"
    work.mkdir()
    return request.param, venv, source, work


def _where(venv: Path, package: str, tmp: Path) -> Path:
    proc = subprocess.run([str(venv / "bin" / "python"), "-c",
                           f"import importlib.util; print(importlib.util.find_spec({package!r}).origin)"],
                          capture_output=True, text=True, cwd=tmp, env=_environment(tmp), check=True)
    return Path(proc.stdout.strip()).parent


def test_the_exercise_set_is_found_where_the_install_mode_puts_it(installed):
    mode, venv, source, work = installed
    places = {name: _where(venv, name, work) for name in ("grader", "grader_exercises", "grader_reference")}
    if mode == "plain":
        assert all("site-packages" in str(place) for place in places.values()), places
        assert (places["grader_exercises"] / "plans" / "sigmoid.bin").is_file()  # package data
        assert (places["grader_exercises"] / "drivers" / "_common.py").is_file()
    else:
        assert places == {"grader": source / "grader", "grader_exercises": source / "exercises",
                          "grader_reference": source / "reference"}


def test_grader_check_grades_the_complete_example(installed):
    _, venv, _, work = installed
    proc = _run(venv, ["check", str(ROOT / "submissions" / "correct.py"), "--format", "json"], work)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["score"] == report["max_score"] == 160


def test_grader_validate_holds_for_an_exercise(installed):
    _, venv, _, work = installed
    proc = _run(venv, ["validate", "sigmoid"], work)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "sigmoid" in proc.stdout


def test_a_hostile_submission_reads_neither_the_reference_nor_the_course_secret(installed):
    _, venv, _, work = installed
    secret = work / "data" / "grader" / "private" / "secret"  # the installed set's place
    secret.parent.mkdir(parents=True, mode=0o700)
    secret.write_text("ab" * 32 + "\n", encoding="ascii")  # as `grader secret init` writes one
    reference = _where(venv, "grader_reference", work) / "activations.py"
    specs = _where(venv, "grader_exercises", work) / "ch3_activations.yaml"
    targets = [str(reference), str(reference.parent / "mistakes" / "activations.py"), str(specs),
               str(secret)]
    for target in targets:  # the control: each is there, and the grader's own process reads it
        assert Path(target).read_bytes()
    student = work / "student.py"
    student.write_text(textwrap.dedent(HOSTILE.format(targets=targets)), encoding="utf-8")
    proc = _run(venv, ["check", str(student), "-e", "relu", "--format", "json"], work)
    report = json.loads(proc.stdout)
    assert report["seed"].startswith("private:")  # graded on the secret's inputs, not its value
    shown = report["stdout"].strip().split("|")
    assert shown == [f"denied {target} PermissionError" for target in targets], shown
    assert report["score"] == report["max_score"]
