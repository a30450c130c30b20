"""Private inputs: what the instructor's grade is computed on, and what no student pack reveals.

The moved edge cases keep what each case is about; private plans are pinned and reproducible;
the grade says which inputs it used without showing the private seed, and regrades when the
secret changes; a submission cannot read the secret or the inputs made from it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import numpy as np
import pytest

from catalogue_support import TEST_KEY, session, private_session
from ci_helpers import course_with_hidden_checks
from support import ROOT, exercise_set

from grader.plan import edge_cases
from grader.plan.jitter import same_case
from grader.secret import PRIVATE_DIR, Secret, create_secret, find_secret

#: the exercises with edge cases, by id: read from the YAML when pytest collects, looked up in the
#: session when a test runs
EXERCISES = [ex.id for ex in exercise_set().exercises.values() if ex.edge_cases]
LABELS = ("one_hot", "binary", "choice", "int")


def grader(*args: object, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, **(env or {})}, timeout=600)


# ----------------------------------------------------------------------------- moved edge cases


def _pairs(ex):
    return list(zip(edge_cases(ex), private_session().plan(ex).edge, strict=False))


@pytest.mark.parametrize("ex_id", EXERCISES)
def test_moved_edge_cases_keep_what_each_case_is_about(ex_id):
    ex = session().exercise_set.exercises[ex_id]
    for public, moved in _pairs(ex):
        assert public.keys() == moved.keys()
        for name, before in public.items():
            after, arg = moved[name], ex.args[name]
            if arg.type in LABELS:
                assert same_case({name: before}, {name: after}), (name, before, after)
                continue
            if arg.type == "ints":
                assert len(after) == len(before)
                assert all(a == b for a, b in zip(after, before, strict=True) if b in (0, 1))
                continue
            b, a = np.asarray(before, dtype=np.float64), np.asarray(after, dtype=np.float64)
            assert a.shape == b.shape and type(after) is type(before)
            assert np.array_equal(np.signbit(a), np.signbit(b)) and np.array_equal(a == 0, b == 0)
            flat_b, flat_a = b.reshape(-1), a.reshape(-1)
            assert np.array_equal(np.equal.outer(flat_b, flat_b), np.equal.outer(flat_a, flat_a))  # ties
            with np.errstate(over="ignore"):
                assert np.array_equal(np.isinf(np.exp(np.abs(a))), np.isinf(np.exp(np.abs(b)))) or \
                    np.all(np.abs(a)[np.isinf(np.exp(np.abs(b)))] >= np.abs(b)[np.isinf(np.exp(np.abs(b)))])
            assert np.all(np.abs(a)[np.abs(b) >= 700] >= np.abs(b)[np.abs(b) >= 700])  # 710 still overflows
            tiny = (np.abs(b) > 0) & (np.abs(b) < 1e-2)
            assert np.all((np.abs(a[tiny]) > 0) & (np.abs(a[tiny]) < 2.1e-2))  # beside the kink still
            low = -np.inf if arg.min is None else float(arg.min)
            high = np.inf if arg.max is None else float(arg.max)
            inside = (b >= low) & (b <= high)
            assert np.all((a[inside] >= low) & (a[inside] <= high))
            if arg.type == "simplex":
                assert np.allclose(a.sum(axis=-1), 1.0, rtol=0, atol=1e-12)


def test_nearly_every_edge_case_moves_and_every_exercise_with_one_to_move_has_one_moved():
    moved = total = 0
    for ex in (session().exercise_set.exercises[ex_id] for ex_id in EXERCISES):
        pairs = _pairs(ex)
        movable = [p for p in pairs if any(ex.args[n].type not in LABELS and np.any(np.asarray(v, dtype=float) != 0)
                                           for n, v in p[0].items())]
        changed = [p for p in movable if not same_case(*p)]
        assert changed or not movable, ex.id
        moved, total = moved + len(changed), total + len(movable)
    assert moved >= total - 2, (moved, total)


def test_a_moved_case_that_loses_what_its_case_is_about_is_refused():
    private = private_session()
    neuron = private.exercise_set.exercises["neuron"]
    public = edge_cases(neuron)[3]  # x = [2, 0] with w = [1, -1], b = -2 sits on step's kink
    assert same_case(private.plan(neuron).edge[3], public)  # no moved copy kept it: it stays
    scaled = {**public, "x": public["x"] * 1.25, "w": public["w"] * 1.25, "b": public["b"] * 1.25}
    assert not private.keeps_meaning(neuron, public, scaled)
    sigmoid = private.exercise_set.exercises["sigmoid"]
    public = {"x": np.array([710.0, -710.0])}
    assert not private.keeps_meaning(sigmoid, public, {"x": np.array([600.0, -600.0])})  # no overflow
    assert private.keeps_meaning(sigmoid, public, {"x": np.array([852.0, -852.0])})


# ----------------------------------------------------------------------------- pinned, reproducible


def _same_plan(a, b) -> bool:
    return all(len(getattr(a, s)) == len(getattr(b, s)) and
               all(same_case(x, y) for x, y in zip(getattr(a, s), getattr(b, s), strict=True))
               for s in ("random", "smooth", "edge"))


def test_a_copy_of_the_private_folder_grades_on_the_same_inputs_without_drawing(tmp_path, monkeypatch):
    """A TA's laptop or the autograder: the folder travels, nothing is drawn or moved there."""
    import grader.plan.private as private_plans
    from grader.session import GradingSession
    original = private_session()
    copy = tmp_path / "copied"
    shutil.copytree(original.secret.folder, copy)

    def forbidden(*args, **kwargs):
        raise AssertionError("a pinned private plan was drawn again")

    monkeypatch.setattr(private_plans, "draw_plan", forbidden)
    monkeypatch.setattr(private_plans, "moved_edge_cases", forbidden)
    there = GradingSession.load(secret=Secret(TEST_KEY, copy, "copy"))
    for ex in original.exercise_set.exercises.values():
        assert _same_plan(there.plan(ex), original.plan(ex)), ex.id


def test_the_same_secret_draws_the_same_inputs_and_another_secret_others(tmp_path):
    from grader.session import GradingSession
    ids = ("softmax", "count_parameters", "adam_step")
    again = GradingSession.load(secret=Secret(TEST_KEY, tmp_path / "again", "again"))
    other = GradingSession.load(secret=Secret(bytes(32), tmp_path / "other", "other"))
    for ex_id in ids:
        ex = session().exercise_set.exercises[ex_id]
        mine = private_session().plan(ex)
        assert _same_plan(again.plan(ex), mine)
        theirs = other.plan(ex)
        assert sum(any(same_case(x, y) for y in mine.random) for x in theirs.random) <= 0.05 * len(mine.random)
        assert sum(not same_case(x, y) for x, y in zip(theirs.edge, mine.edge, strict=True)) >= len(mine.edge) - 1


def test_private_inputs_share_no_drawn_case_with_the_public_ones():
    """What a pack records (the public plan) is of no use on the private plan."""
    from grader.judge.context import fingerprint

    for ex in session().exercise_set.exercises.values():
        public_plan, private_plan = session().plan(ex), private_session().plan(ex)
        assert len(private_plan.random) == len(public_plan.random)
        assert len(private_plan.smooth) == len(public_plan.smooth)
        if len(public_plan.random) <= 1:
            continue  # logic_gates(), train_xor(seed=0): one input only, no answer of it recorded
        public = {fingerprint(ex.id, c) for c in public_plan.random + public_plan.smooth + public_plan.edge}
        private = [fingerprint(ex.id, c) for c in private_plan.random + private_plan.smooth]
        assert not [key for key in private if key in public], ex.id


def test_a_changed_edge_case_moves_again_and_the_draws_stay(tmp_path, monkeypatch):
    import yaml

    import grader.plan.private as private_plans
    from grader.session import GradingSession
    exercise_set = course_with_hidden_checks(tmp_path / "course")
    secret = create_secret(exercise_set / PRIVATE_DIR)
    before = GradingSession.load(exercise_set, secret=secret)
    relu = before.plan(before.exercise_set.exercises["relu"])
    spec = exercise_set / "ch3_activations.yaml"
    raw = yaml.safe_load(spec.read_text(encoding="utf-8"))
    [entry] = [e for e in raw["exercises"] if e["id"] == "relu"]
    entry["edge_cases"].append({"x": [3.0, -3.0]})
    spec.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setattr(private_plans, "draw_plan", lambda *a, **k: pytest.fail("redrawn"))
    after = GradingSession.load(exercise_set, secret=secret)
    changed = after.plan(after.exercise_set.exercises["relu"])
    assert len(changed.edge) == len(relu.edge) + 1
    assert all(same_case(x, y) for x, y in zip(changed.random, relu.random, strict=True))
    assert not same_case(changed.edge[-1], {"x": np.array([3.0, -3.0])})


# ----------------------------------------------------------------------------- the commands


@pytest.fixture(scope="module")
def chapter3(tmp_path_factory) -> Path:
    return course_with_hidden_checks(tmp_path_factory.mktemp("private") / "course")


@pytest.fixture
def exercise_set(chapter3, tmp_path) -> Path:
    return Path(shutil.copytree(chapter3, tmp_path / "course"))


def _one_student(tmp_path: Path) -> Path:
    klass = tmp_path / "class"
    klass.mkdir()
    shutil.copy(ROOT / "submissions" / "correct.py", klass / "ada.py")
    return klass


def test_grade_says_which_inputs_it_grades_on_in_both_languages(exercise_set, tmp_path):
    klass = _one_student(tmp_path)
    public = grader("--exercises", exercise_set, "grade", klass, "-e", "relu", "-o", tmp_path / "a")
    assert public.returncode == 0, public.stderr
    assert "Grading on the public inputs: there is no course secret" in public.stderr
    assert "grader secret init" in public.stderr
    chinese = grader("--lang", "zh", "--exercises", exercise_set, "grade", klass, "-e", "relu",
                     "-o", tmp_path / "b")
    assert "正在用公开输入评分" in chinese.stderr and "grader secret init" in chinese.stderr
    explicit = grader("--exercises", exercise_set, "grade", klass, "-e", "relu", "-o", tmp_path / "c",
                      "--seed", "7")
    assert "public inputs" not in explicit.stderr  # the instructor named the inputs
    secret = create_secret(exercise_set / PRIVATE_DIR)
    private = grader("--exercises", exercise_set, "grade", klass, "-e", "relu", "-o", tmp_path / "d")
    assert f"Grading on private inputs (course secret {secret.fingerprint})." in private.stdout
    assert "public inputs" not in private.stderr


def test_another_secret_regrades_everyone_instead_of_mixing_grades(exercise_set, tmp_path):
    from grader.batch.gradebook import Gradebook

    klass = _one_student(tmp_path)
    out = tmp_path / "graded"
    first, second = "11" * 32, "22" * 32
    runs = [grader("--exercises", exercise_set, "grade", klass, "-e", "relu", "-o", out,
                   env={"GRADER_SECRET": key}) for key in (first, first, second)]
    assert all(r.returncode == 0 for r in runs), [r.stderr for r in runs]
    assert "Nothing to grade" in runs[1].stdout  # same secret: unchanged
    assert "Grading 1 of 1" in runs[2].stdout  # another secret: graded again
    book = Gradebook(out / "gradebook.sqlite")
    try:
        labels = [row[0] for row in book.db.execute("SELECT seed FROM runs ORDER BY id")]
    finally:
        book.close()
    fingerprints = [Secret(bytes.fromhex(k), None, "").label for k in (first, first, second)]
    assert labels == fingerprints


def test_check_reports_private_inputs_by_fingerprint_and_seed_shows_public_ones(exercise_set):
    import json

    secret = create_secret(exercise_set / PRIVATE_DIR)
    correct = ROOT / "submissions" / "correct.py"
    private = grader("--exercises", exercise_set, "check", correct, "-e", "softmax", "--format", "json")
    report = json.loads(private.stdout)
    assert report["seed"] == secret.label and report["score"] == report["max_score"]
    assert str(secret.seed) not in private.stdout
    public = grader("--exercises", exercise_set, "check", correct, "-e", "softmax", "--format", "json",
                    "--seed", "20261128")
    assert json.loads(public.stdout)["seed"] == 20261128


def test_validate_checks_the_private_inputs_too(exercise_set):
    create_secret(exercise_set / PRIVATE_DIR)
    proc = grader("--exercises", exercise_set, "validate", "relu", "softmax")
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.count("Mutation score:") == 2 and "On the private inputs" in proc.stdout
    assert grader("--exercises", exercise_set, "validate", "relu", "--seed", "3").stdout.count("Mutation score:") == 1


# ----------------------------------------------------------------------------- hostile


def _readable_place() -> Path | None:
    """A folder under the worker's readable roots (site-packages), where a private folder is
    readable unless the grader hides it; None where this test may not write there."""
    purelib = Path(sysconfig.get_paths()["purelib"])
    if not os.access(purelib, os.W_OK):
        return None
    return Path(tempfile.mkdtemp(prefix="grader-test-private-", dir=purelib))


@pytest.mark.parametrize("where", ["beside the set", "under site-packages", "by value"])
def test_a_submission_cannot_read_the_secret_or_the_private_inputs(where, tmp_path, monkeypatch):
    from grader.engine import Options, grade
    from grader.session import GradingSession
    from grader.plan import cache_dir
    from grader.run import Zygote
    from grader.spec import load_exercise_set

    exercise_set = course_with_hidden_checks(tmp_path / "course")
    place = None
    if where == "beside the set":
        create_secret(exercise_set / PRIVATE_DIR)
    elif where == "under site-packages":
        place = _readable_place()
        if place is None:
            pytest.skip("site-packages is not writable here")
        monkeypatch.setenv("GRADER_PRIVATE_DIR", str(place))
        create_secret(place)
    else:
        monkeypatch.setenv("GRADER_SECRET", "5a" * 32)
    try:
        secret = find_secret(exercise_set)
        session = GradingSession(load_exercise_set(exercise_set), secret=secret)
        session.plan(session.exercise_set.exercises["relu"])
        from grader.judge.answers import for_session, functions_of

        answers = for_session(session)
        targets = [session.pinned_dir() / "relu.bin", cache_dir() / "answers"]
        if secret.folder is not None:
            targets += [secret.folder / "secret", secret.folder]
        student = tmp_path / "s.py"
        student.write_text(f'''
import os
import numpy as np

for path in {[str(t) for t in targets]!r}:
    try:
        with open(path, "rb") as handle:
            print("LEAK", path, handle.read(64).hex())
    except OSError as exc:
        print("denied", path, type(exc).__name__)
    try:
        print("LEAK listing", path, os.listdir(path))
    except OSError:
        pass
print("LEAK env", [k for k in os.environ if "SECRET" in k or "PRIVATE" in k])


def relu(x):
    return np.maximum(np.asarray(x, dtype=float), 0.0)
''', encoding="utf-8")
        zygote = Zygote()
        zygote.start()  # after the environment holds the secret: it must not reach the worker
        try:
            if answers is not None:
                answers.load(functions_of([session.exercise_set.exercises["relu"]]))
            result = grade(session, student, zygote, Options(exercises=("relu",)))
            if answers is not None:
                answers.save()
            result = grade(session, student, zygote, Options(exercises=("relu",)))  # answers stored now
            if place is not None:  # the control: not hidden, the folder is readable from there
                monkeypatch.setattr(GradingSession, "hidden_paths", lambda self: [str(self.exercise_set.root)])
                exposed = grade(session, student, zygote, Options(exercises=("relu",)))
                assert f"LEAK {secret.folder / 'secret'} {secret.key.hex()[:20].encode().hex()}" in exposed.stdout
        finally:
            zygote.close()
    finally:
        if place is not None:
            shutil.rmtree(place, ignore_errors=True)
    assert result.exercises[0].status == "passed"
    printed = result.stdout
    assert "denied" in printed and [line for line in printed.splitlines() if "LEAK" in line] == \
        ["LEAK env []"], printed
    assert secret.key.hex() not in printed
