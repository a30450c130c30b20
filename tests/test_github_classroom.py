"""What GitHub Classroom shows a student is the grade (issue 19).

`grader check --format github` is read by GitHub Classroom's grading reporter, which prints a
total computed from how many tests passed and records another, the sum of the tests' scores
(tests/classroom_reporter.py re-implements both from its source, and says which). Here both are
computed from our output on real submissions, graded by the real engine or `grader check`, and
must equal the grade; the log must name every check, explain each failure once, and the job
must fail exactly when our exit code says so.
"""

from __future__ import annotations

import base64
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from classroom_reporter import job_fails, js_string, log_lines, printed_score, recorded, to_fixed
from support import ROOT

SCHEMA = ROOT / "tests" / "data" / "schemas" / "github-classroom-result.schema.json"
EXERCISES = ROOT / "exercises"
#: a function that never returns, beside a correct relu
SLOW = '''
import numpy as np

def sigmoid(x):
    while True:
        pass

def relu(x):
    return np.maximum(x, 0.0)
'''


def github(result, lang: str = "en") -> dict:
    """Our result as the reporter receives it: rendered, then parsed back (and schema-valid)."""
    import jsonschema

    from grader.report.github import render_github

    data = json.loads(render_github(result, lang))
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    return data


def assert_reporter_shows_the_grade(result, data: dict) -> None:
    """Printed total (its 2-decimal line and its table) == recorded points == our score, out of
    our maximum; the job fails exactly when the run did not pass."""
    printed = printed_score(data)
    assert printed == result.score, (printed, result.score)
    if result.max_score:
        assert recorded(data) == (result.score, result.max_score)
        log = log_lines(data)
        assert f"Total points for grader: {to_fixed(result.score, 2)}/{js_string(result.max_score)}" in log
        [total] = [line.split("│")[1:4] for line in log if line.startswith("│ Total:")]
        assert [cell.strip() for cell in total] == ["Total:", js_string(result.score),
                                                    js_string(result.max_score)]
    else:  # nothing at stake: the reporter records nothing and prints no total
        assert recorded(data) is None and not any(line.startswith("Total points") for line in log_lines(data))
    assert job_fails(data) == (not result.passed)


def assert_explained_once(result, data: dict) -> None:
    """Each test line names its check; every check that did not pass is explained, once."""
    from grader.report.details import check_lines, exercise_lines

    log = "\n".join(log_lines(data))
    for ex in result.exercises:
        for check in ex.checks or [None]:
            status = (check or ex).status
            lines = check_lines(check, "en") if check else exercise_lines(ex, "en")
            if status == "passed" or not lines:
                continue
            explanation = "\n".join(lines)
            assert log.count(explanation) == 1, explanation  # a file's one error: once in all
    # nothing but the reporter's own lines and ours: every test line is `✅/❌ exercise · check`
    ids = {ex.id for ex in result.exercises}
    names = [test["name"] for test in data["tests"]]
    assert all(name.split(" · ")[0] in ids for name in names)
    assert len(names) == len(set(names))
    if data["max_score"]:  # a test of no weight would move the ratio
        assert all(test["max_score"] > 0 for test in data["tests"])


def unit_tests(data: dict) -> int:
    """How many tests a result of integer points must have: one per point at stake."""
    return int(data["max_score"])


@pytest.fixture(scope="module")
def graded(session, zygote, tmp_path_factory):
    """Real submissions graded over the whole catalogue (a timeout over two exercises)."""
    from grader.engine import Options, grade

    folder = tmp_path_factory.mktemp("classroom")
    (folder / "broken.py").write_text("def sigmoid(x:\n    return x\n", encoding="utf-8")
    (folder / "empty.py").write_text("", encoding="utf-8")
    (folder / "slow.py").write_text(SLOW, encoding="utf-8")
    runs = {name: grade(session, ROOT / "submissions" / f"{name}.py", zygote, Options())
            for name in ("correct", "partial", "buggy")}
    runs["broken"] = grade(session, folder / "broken.py", zygote, Options())
    runs["empty"] = grade(session, folder / "empty.py", zygote, Options())
    runs["slow"] = grade(session, folder / "slow.py", zygote,
                         Options(exercises=("sigmoid", "relu"), time_limit=1.5))
    return runs


@pytest.mark.parametrize("name", ["correct", "partial", "buggy", "broken", "empty", "slow"])
def test_the_reporter_prints_and_records_the_grade(graded, name):
    result = graded[name]
    data = github(result)
    assert_reporter_shows_the_grade(result, data)
    assert_explained_once(result, data)
    assert len(data["tests"]) == unit_tests(data)  # the catalogue's points are whole: one test each
    assert all(test["max_score"] == 1 for test in data["tests"])
    assert github(result, "zh")["tests"][0]["name"] != data["tests"][0]["name"]  # in the language asked


def test_the_submissions_cover_every_outcome(graded):
    statuses = {ex.status for result in graded.values() for ex in result.exercises}
    assert statuses == {"passed", "failed", "not_attempted", "error", "timeout"}
    assert 0 < graded["partial"].score < graded["partial"].max_score
    assert 0 < graded["buggy"].score < graded["buggy"].max_score
    assert {ex.status for ex in graded["slow"].exercises} == {"timeout", "passed"}
    assert github(graded["broken"])["status"] == github(graded["empty"])["status"] == "error"


def test_a_check_worth_k_points_is_k_named_tests_explained_under_the_first(graded):
    from grader.report.words import check_name

    result = graded["buggy"]
    data = github(result)
    [relu_grad] = [ex for ex in result.exercises if ex.id == "relu_grad"]
    [failed] = [c for c in relu_grad.checks if c.status == "failed" and c.max_score == 2]
    name = f"relu_grad · {check_name(failed, 'en')}"
    parts = [t for t in data["tests"] if t["name"] in (f"{name} (1/2)", f"{name} (2/2)")]
    assert [t["status"] for t in parts] == ["fail", "fail"]
    assert "relu_grad(" in parts[0]["test_code"] and "test_code" not in parts[1]
    assert {t["line_no"] for t in data["tests"] if t["name"].startswith("relu_grad ·")} == {
        relu_grad.location["line"]}
    assert all(t["filename"] == os.path.normpath(str(ROOT / "submissions" / "buggy.py"))
               for t in data["tests"] if t["name"].startswith("relu_grad ·"))
    log = log_lines(data)
    first = log.index(f"❌ {name} (1/2) - line {relu_grad.location['line']}")
    assert log[first + 1] == "Test code:"


def test_a_file_that_does_not_import_is_explained_once(graded):
    data = github(graded["broken"])
    codes = [t["test_code"] for t in data["tests"] if "test_code" in t]
    assert len(codes) == 1 and "SyntaxError" in codes[0]
    assert {t["line_no"] for t in data["tests"]} == {1}


def test_the_old_layout_showed_another_total(graded):
    """The layout of issue 19 (one test per check, its own points): the reporter printed a total
    that was not the grade. Kept as the control that the re-implementation can tell them apart."""
    result = graded["buggy"]
    old = {"version": 1, "status": "fail", "max_score": result.max_score,
           "tests": [{"name": ex.id, "status": "pass" if (c or ex).status == "passed" else "fail",
                      "score": (c or ex).score, "message": ""}
                     for ex in result.exercises for c in ex.checks or [None]]}
    assert recorded(old) == (result.score, result.max_score)
    assert printed_score(old) != result.score


# --- a student pack: checks only the instructor grades --------------------------------------

@pytest.fixture(scope="module")
def instructor_pack(tmp_path_factory):
    """Chapter 2 with its truth-table drivers made trusted: a pack leaves logic_gates' and
    xor_network's checks to the instructor (0 of 0 points there), as tests/test_pack_catalogue.py."""
    from grader.session import GradingSession
    from grader.pack.build import build_pack

    base = tmp_path_factory.mktemp("instructor")
    full = base / "set"
    full.mkdir()
    shutil.copy(EXERCISES / "ch2_perceptron.yaml", full)
    shutil.copytree(ROOT / "reference", full / "reference", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("_common.py", "perceptron.py"):
        shutil.copy(EXERCISES / "drivers" / name, full / "reference" / "drivers" / name)
    build_pack(GradingSession.load(full), base / "pack")
    return GradingSession.load(base / "pack")


#: chapter 2 complete, with sign(0) = 0 (np.sign), and with nothing but the two instructor's exercises
PACK_SUBMISSIONS = {"correct": "", "sign_wrong": "def sign(x):\n    return np.sign(x)\n",
                    "gates_only": None}


@pytest.mark.parametrize("submission", sorted(PACK_SUBMISSIONS))
def test_instructor_only_checks_do_not_move_the_ratio(instructor_pack, zygote, tmp_path, submission):
    from catalogue_support import with_overrides
    from grader.engine import Options, grade

    path = tmp_path / "work.py"
    source = PACK_SUBMISSIONS[submission]
    path.write_text(with_overrides(source) if source is not None else
                    "def logic_gates():\n    pass\n\ndef xor_network():\n    pass\n", encoding="utf-8")
    result = grade(instructor_pack, path, zygote, Options())
    assert (result.score == result.max_score) == (submission == "correct")
    instructor = {ex.id for ex in result.exercises if ex.status == "instructor"}
    assert instructor == {"logic_gates", "xor_network"}
    data = github(result)
    assert_reporter_shows_the_grade(result, data)
    assert len(data["tests"]) == unit_tests(data)
    assert not [t for t in data["tests"] if t["name"].split(" · ")[0] in instructor]
    log = "\n".join(log_lines(data))
    for ex_id in instructor:  # each said once, under the test before it
        assert log.count(f"◦ {ex_id} · behaviour\nGraded by your instructor (3 pt)") == 1


def test_a_run_with_nothing_at_stake_shows_each_check_and_no_total(instructor_pack, zygote):
    from grader.engine import Options, grade

    result = grade(instructor_pack, ROOT / "submissions" / "correct.py", zygote,
                   Options(exercises=("logic_gates",)))
    assert result.max_score == 0 and result.passed
    data = github(result)
    assert_reporter_shows_the_grade(result, data)  # 0, not NaN: one test, recorded nothing
    [test] = data["tests"]
    assert test["status"] == "pass" and "Graded by your instructor" in test["test_code"]


def test_a_note_before_any_test_goes_under_the_first(instructor_pack, zygote):
    from grader.engine import Options, grade
    from grader.report.github import as_dict

    result = grade(instructor_pack, ROOT / "submissions" / "correct.py", zygote,
                   Options(exercises=("logic_gates", "sign")))
    result.exercises.sort(key=lambda ex: ex.id != "logic_gates")  # the note comes first
    data = as_dict(result)
    assert data["tests"][0]["name"].startswith("sign · ")
    assert data["tests"][0]["test_code"].startswith("◦ logic_gates · behaviour\n")
    assert printed_score(data) == recorded(data)[0] == result.score


# --- fractional points ----------------------------------------------------------------------

#: ch3 with points a spec may declare: tenths (not binary fractions) and halves
FRACTIONAL = {"sigmoid": [0.1, 0.2, 0.3, 0.4], "relu_grad": [1.5, 0.5, 0.2], "tanh_grad": [0.7, 0.3, 1.2]}


@pytest.fixture(scope="module")
def fractional_course(tmp_path_factory):
    from grader.session import GradingSession
    from grader.spec.loader import _Loader

    target = tmp_path_factory.mktemp("fractional")
    shutil.copytree(ROOT / "reference", target / "reference", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(EXERCISES / "plans", target / "plans")
    raw = yaml.load((EXERCISES / "ch3_activations.yaml").read_text(encoding="utf-8"), Loader=_Loader)
    kept = []
    for exercise in raw["exercises"]:
        if exercise["id"] in FRACTIONAL:
            assert len(exercise["checks"]) == len(FRACTIONAL[exercise["id"]])
            for check, points in zip(exercise["checks"], FRACTIONAL[exercise["id"]], strict=True):
                check["points"] = points
            exercise.pop("points", None)
            kept.append(exercise)
    raw["exercises"] = kept
    (target / "ch3_activations.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False),
                                                  encoding="utf-8")
    return GradingSession.load(target)


@pytest.mark.parametrize("submission", ["correct", "partial", "buggy"])
def test_fractional_points_are_tests_of_their_greatest_common_divisor(fractional_course, zygote, submission):
    from grader.engine import Options, grade

    result = grade(fractional_course, ROOT / "submissions" / f"{submission}.py", zygote, Options())
    assert result.max_score == 5.4
    data = github(result)
    assert_reporter_shows_the_grade(result, data)
    assert len(data["tests"]) == 54  # 5.4 points in tenths
    assert [t["name"] for t in data["tests"]][:3] == [
        "sigmoid · matches the reference", "sigmoid · edge cases (1/2)", "sigmoid · edge cases (2/2)"]
    # the reporter's sum, step by step, is the exact running score: no 0.30000000000000004
    running = 0
    for test in data["tests"]:
        running += test["score"]
        assert running == round(running, 6)


def test_the_scores_add_up_exactly_where_equal_tenths_would_not():
    """A score of 0.3 in tenths: three tests of 0.1 would add up to 0.30000000000000004."""
    from grader.report.github import as_dict

    result = synthetic([0.1, 0.2, 0.4], [True, True, False])
    data = as_dict(result)
    assert 0.1 + 0.1 + 0.1 != 0.3  # why the steps are not all 0.1
    assert recorded(data) == (0.3, 0.7) and printed_score(data) == 0.3 == result.score


def test_points_too_fine_for_equal_tests_say_so_and_still_record_the_grade():
    from grader.messages import text
    from grader.report.github import MAX_TESTS, as_dict

    result = synthetic([0.001, 0.5, 0.499], [True, True, False])
    data = as_dict(result)
    assert len(data["tests"]) == 3 < 1000 and 1000 > MAX_TESTS
    assert recorded(data) == (0.501, 1.0)  # the recorded grade stays exact
    assert printed_score(data) != result.score  # the table cannot be: the first test says so
    for lang in ("en", "zh"):
        note = text("report.classroom_coarse", lang).format(limit=MAX_TESTS, score="0.501", max_score="1")
        assert as_dict(result, lang)["tests"][0]["test_code"].startswith(note)


def synthetic(points: list[float], passed: list[bool]):
    from grader.result import CheckResult, ExerciseResult, SubmissionResult

    checks = [CheckResult(name=f"part {i}", kind="reference", status="passed" if ok else "failed",
                          score=p if ok else 0.0, max_score=p, code="" if ok else "not_attempted",
                          facts={"function": "sigmoid"})
              for i, (p, ok) in enumerate(zip(points, passed, strict=True))]
    exercise = ExerciseResult(id="sigmoid", title={"en": "Sigmoid", "zh": "Sigmoid"}, chapter=3,
                              status="passed" if all(passed) else "failed",
                              score=round(sum(c.score for c in checks), 6),
                              max_score=round(sum(points), 6), checks=checks)
    return SubmissionResult(submission="work.py", exercises=[exercise])


@pytest.mark.parametrize("maximum", [44, 49, 160])
def test_every_score_out_of_whole_points(maximum):
    """Every score of `maximum` one-point checks. The recorded grade and the 2-decimal total are
    always exact. The table shows (passed / tests) × max as a float, which for some pairs is one
    ulp off whatever the layout (15 of 44 shows 14.999999999999998): the reporter's arithmetic,
    not ours; never for 160, the shipped catalogue's total."""
    from grader.report.github import as_dict

    off = []
    for score in range(maximum + 1):
        data = as_dict(synthetic([1.0] * maximum, [i < score for i in range(maximum)]))
        assert recorded(data) == (score, maximum)
        assert to_fixed(printed_score(data), 2) == f"{score}.00"
        if printed_score(data) != score:
            assert math.isclose(printed_score(data), score, rel_tol=2 ** -52)
            off.append(score)
    assert off == {44: [15, 25, 30], 49: [1, 2, 4, 8, 16, 27, 32], 160: []}[maximum]


# --- the gate and the exit code, on the command line ------------------------------------------

def grader(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, env={**os.environ, "GITHUB_ACTIONS": ""})


@pytest.mark.parametrize("submission, gate, code", [
    ("submissions/buggy.py", None, 1),
    ("submissions/buggy.py", "25%", 0),  # relu_grad: 1 of 4 points
    ("submissions/buggy.py", "2", 1),
    ("submissions/correct.py", None, 0),
    ("broken", "0", 0),  # nothing graded, but a gate of 0 is reached: not an error for the job
    ("broken", None, 1),
])
def test_the_job_fails_exactly_when_grader_check_exits_1(tmp_path, submission, gate, code):
    if submission == "broken":
        submission = str(tmp_path / "broken.py")
        Path(submission).write_text("def relu_grad(x:\n", encoding="utf-8")
    out = tmp_path / "result"
    proc = grader("check", submission, "-e", "relu_grad", "--format", "github", "--base64", "-o", str(out),
                  *(["--fail-under", gate] if gate else []))
    assert proc.returncode == code, proc.stderr
    data = json.loads(base64.b64decode(out.read_text()))
    assert job_fails(data) == bool(code)
    assert printed_score(data) == recorded(data)[0]


def test_the_result_fits_the_environment_variable_the_reporter_reads(graded):
    """The workflow hands the base64 result to the reporter in GRADER_RESULTS; Linux refuses an
    environment string over 128 KiB (MAX_ARG_STRLEN), and the reporter would not even start."""
    from grader.report.github import render_github

    for name, result in graded.items():
        encoded = base64.b64encode(render_github(result, "zh").encode("utf-8"))
        assert len(b"GRADER_RESULTS=" + encoded) < 96 * 1024, (name, len(encoded))


def test_the_log_excerpt_in_the_docs_is_what_the_reporter_prints(graded):
    """README.md and docs/ci.md quote the reporter's log for submissions/buggy.py."""
    data = github(graded["buggy"])
    log = log_lines(data)
    for doc in ("README.md", "docs/ci.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        block = text.split("<!-- classroom-log -->")[1].split("```console\n")[1].split("```")[0]
        shown = [line for line in block.splitlines() if line != "…"]
        assert len(shown) > 5 and all(line in log for line in shown), doc
