"""A varied class graded exactly as before the per-submission cost work (issue 17).

The benchmarks' generated class (benchmarks/classgen.py: right, partly wrong with 1 to 3
catalogued mistakes, PyTorch submissions), 40 students, graded by the real command at -j 2; every
student's score, every exercise's status, score and code, the failing checks and a digest of every
check's verdict (mistake, symptom, other failures, the shrunk counterexample itself) must equal
`tests/data/generated_class_verdicts.json`, recorded by benchmarks/verdicts.py from the code before
the grader's run-wide memos, cached requests and column replies. A difference is a changed grade.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from support import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import classgen  # noqa: E402
import verdicts  # noqa: E402

RECORDED = ROOT / "tests" / "data" / "generated_class_verdicts.json"
STUDENTS = 40


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    work = tmp_path_factory.mktemp("generated-class")
    kinds = classgen.generate(STUDENTS, work / "class")
    assert kinds["partly_wrong"] > 5 and kinds["torch"] > 0  # the mix the recording was made on
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(work / "class"), "-o", str(work / "out"),
                           "-j", "2", "--no-similarity"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "GRADER_CACHE_DIR": str(work / "cache")}, timeout=900)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    return verdicts.verdicts(work / "out" / "gradebook.sqlite")


def test_every_student_is_graded_as_recorded(graded: dict[str, object]) -> None:
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    assert sorted(graded) == sorted(recorded)
    changed = []
    for student, expected in recorded.items():
        got = graded[student]
        assert isinstance(got, dict)
        if got == expected:
            continue
        for exercise, verdict in expected["exercises"].items():
            if got["exercises"].get(exercise) != verdict:
                changed.append(f"{student} {exercise}: recorded {verdict}, now {got['exercises'].get(exercise)}")
        if got["score"] != expected["score"]:
            changed.append(f"{student}: score {expected['score']} -> {got['score']}")
    assert not changed, "\n".join(changed[:10])


def test_the_recording_holds_failures_worth_comparing() -> None:
    """The comparison means something only if the class fails in many ways."""
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    failed = {(s, e) for s, v in recorded.items() for e, x in v["exercises"].items() if x["failed"]}
    exercises = {e for _, e in failed}
    assert len(failed) >= 25 and len(exercises) >= 15
