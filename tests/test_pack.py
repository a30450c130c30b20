"""The student pack: no reference code in it, and the same public grade as the full checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ci_helpers import HIDDEN, course_with_hidden_checks
from support import ROOT


@pytest.fixture(scope="module")
def sets(tmp_path_factory):
    """(full exercise set with hidden checks, the pack built from it)."""
    from grader.session import GradingSession
    from grader.pack.build import build_pack

    base = tmp_path_factory.mktemp("pack")
    full = course_with_hidden_checks(base / "course")
    summary = build_pack(GradingSession.load(full), base / "pack")
    assert summary.path == (base / "pack").resolve()
    return full, base / "pack"


@pytest.fixture(scope="module")
def sessions(sets):
    from grader.session import GradingSession
    full, pack = sets
    return GradingSession.load(full), GradingSession.load(pack)


def grade_both(sessions, zygote, submission):
    from grader.engine import Options, grade
    full, pack = sessions
    return grade(full, submission, zygote, Options()), grade(pack, submission, zygote, Options())


def public_verdicts(result):
    return {(ex.id, check.name): (check.status, check.score, check.code, check.mistake)
            for ex in result.exercises for check in ex.checks if check.visibility == "public"}


def test_the_pack_holds_no_reference_code(sets):
    import zipfile

    from grader.pack.student_build import wheel_name

    full, pack = sets
    files = [p for p in pack.rglob("*") if p.is_file()]
    assert not [p for p in files if p.suffix in (".py", ".pyc")]  # this set has no public drivers
    assert not (pack / "reference").exists()
    names = sorted(p.relative_to(pack).as_posix() for p in files)
    assert "pack.json" in names and "ch3_activations.yaml" in names and wheel_name() in names
    assert all(n.startswith("expected/") and n.endswith(".bin")
               for n in names if n not in ("pack.json", "ch3_activations.yaml", wheel_name()))
    # not even as text: no line of the reference's source is anywhere in the pack, nor in the
    # student build of the grader it holds
    reference_lines = {line.strip() for source in (full / "reference").rglob("*.py")
                       for line in source.read_text(encoding="utf-8").splitlines()
                       if line.strip().startswith(("return ", "def "))}
    blob = b"".join(p.read_bytes() for p in files if p.suffix != ".whl")
    assert not [line for line in reference_lines if line.encode() in blob]
    with zipfile.ZipFile(pack / wheel_name()) as wheel:  # tests/test_student_wheel.py: more
        assert not [n for n in wheel.namelist() if n.startswith(("grader_exercises/", "grader_reference/"))]
    manifest = json.loads((pack / "pack.json").read_text(encoding="utf-8"))
    assert manifest["grader_wheel"]["file"] == wheel_name() and manifest["instructor_checks"] == []


def test_the_pack_has_no_hidden_checks_and_pins_its_plan(sets, sessions):
    full_session, pack_session = sessions
    assert pack_session.pack is not None and not pack_session.reference_functions
    shipped = {(ex.id, c.kind) for ex in pack_session.exercise_set.exercises.values() for c in ex.checks}
    assert not shipped & set(HIDDEN)
    assert all(c.visibility == "public" for ex in pack_session.exercise_set.exercises.values() for c in ex.checks)
    manifest = json.loads((sets[1] / "pack.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "grader-pack" and manifest["hidden_checks"] == len(HIDDEN)
    for ex in pack_session.exercise_set.exercises.values():
        ours, theirs = full_session.plan(ex), pack_session.plan(ex)
        assert len(ours.random) == len(theirs.random) and len(ours.edge) == len(theirs.edge)
        assert json.dumps(ours.random, default=lambda a: a.tolist()) == \
            json.dumps(theirs.random, default=lambda a: a.tolist())


def test_hidden_checks_run_on_fresh_inputs_in_the_full_checkout(sessions):
    full, _ = sessions
    sigmoid = full.exercise_set.exercises["sigmoid"]
    public, hidden = full.plan(sigmoid), full.hidden_plan(sigmoid)
    assert hidden is not None and full.hidden_plan(full.exercise_set.exercises["relu"]) is None
    assert len(hidden.random) == len(public.random)
    assert repr(hidden.random[:3]) != repr(public.random[:3])


def test_a_correct_submission_gets_the_same_public_score(sessions, zygote):
    full, pack = grade_both(sessions, zygote, ROOT / "submissions" / "correct.py")
    hidden_points = sum(HIDDEN.values())
    assert full.all_passed and pack.all_passed
    assert pack.score == pack.max_score == full.score - hidden_points
    assert public_verdicts(pack) == public_verdicts(full)
    ran_hidden = {(ex.id, c.kind) for ex in full.exercises for c in ex.checks if c.visibility == "hidden"}
    assert ran_hidden == set(HIDDEN)


def test_a_buggy_submission_gets_the_same_failures(sessions, zygote):
    full, pack = grade_both(sessions, zygote, ROOT / "submissions" / "buggy.py")
    ours, theirs = public_verdicts(full), public_verdicts(pack)
    assert theirs == ours
    assert any(status == "failed" for status, *_ in theirs.values())
    assert any(mistake for *_, mistake in theirs.values())  # hints come from recorded mistakes
    public_full = sum(score for _, score, *_ in ours.values())
    assert pack.score == public_full
    # a failure is shown on one of the plan's own inputs, the smallest one that fails
    by_id = {ex.id: ex for ex in pack.exercises}
    [reference_check] = [c for c in by_id["tanh_grad"].checks if c.kind == "reference"]
    assert reference_check.status == "failed" and reference_check.counterexample["input"]


def test_an_unrecorded_call_is_an_error_of_that_check_only(sets, zygote):
    from grader.engine import Options, grade
    from grader.session import GradingSession
    pack = GradingSession.load(sets[1])
    pack.expected.memo.outcomes.clear()  # as if the pack recorded nothing
    result = grade(pack, ROOT / "submissions" / "correct.py", zygote, Options(exercises=("relu",)))
    [relu] = result.exercises
    assert {c.code for c in relu.checks if c.kind == "reference"} == {"not_in_pack"}
    assert {(c.status, c.code) for c in relu.checks} <= {("error", "not_in_pack"), ("passed", "")}
    assert relu.status == "failed" and relu.score < relu.max_score


def test_check_from_a_pack_on_the_command_line(sets):
    _, pack = sets
    args = [sys.executable, "-m", "grader", "--exercises", str(pack), "check",
            "submissions/correct.py", "-e", "relu", "--format", "json"]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["score"] == 4
    fixed = subprocess.run(args + ["--seed", "7"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert fixed.returncode == 2 and "seed" in fixed.stderr


def test_pack_refuses_a_folder_that_is_not_a_pack_and_rebuilds_one(sets, tmp_path):
    full, _ = sets
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    run = lambda out: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "grader", "--exercises", str(full), "pack", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=300)
    refused = run(busy)
    assert refused.returncode == 2 and (busy / "notes.txt").exists()
    fresh = tmp_path / "fresh"
    assert run(fresh).returncode == 0
    again = run(fresh)
    assert again.returncode == 0, again.stderr
    assert "sigmoid · properties" in again.stdout  # the hidden checks it left out are named


def test_grading_from_a_pack_never_draws_nor_imports_hypothesis(sets, tmp_path):
    """Plans come from the pack, and a failure is shown on the smallest failing plan case."""
    _, pack = sets
    code = ("import sys\n"
            "from grader.engine import Options\nfrom grader.session import GradingSession\n"
            f"session = GradingSession.load({str(pack)!r})\n"
            f"r = session.grade({str(ROOT / 'submissions' / 'buggy.py')!r}, Options(exercises=('tanh_grad',)))\n"
            "session.close()\n"
            "print(r.exercises[0].status, 'hypothesis' in sys.modules)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "GRADER_CACHE_DIR": str(tmp_path / "empty")},
                          timeout=300)
    assert proc.stdout.split() == ["failed", "False"], proc.stderr
