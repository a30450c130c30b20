"""A student pack of the whole shipped catalogue: every check goes in, including the behaviour
drivers, the gradients of a scalar objective and the optimizer trajectories, which run the set's
trusted code in the instructor's run; what a pack cannot judge is shown as graded by the
instructor, in both languages."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml

from catalogue_support import with_overrides
from ci_helpers import fresh_venv, install
from support import ROOT
from test_catalogue_mistakes import STUDENTS

#: the checks that need the set's trusted code: (exercise, check name)
TRUSTED = {("logic_gates", "behaviour"), ("xor_network", "behaviour"),
           ("softmax_cross_entropy_grad", "gradient"), ("chain_backward", "gradient"),
           ("mlp_backward", "gradient"), ("minibatches", "split"), ("minibatches", "seeding"),
           ("sgd_step", "trajectory"), ("momentum_step", "trajectory"), ("adagrad_step", "trajectory"),
           ("rmsprop_step", "trajectory"), ("adam_step", "trajectory"), ("train_xor", "behaviour")}


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    """(the shipped course, its student pack's folder, the pack loaded as a student loads it)."""
    from grader.session import GradingSession
    from grader.pack.build import build_pack

    full = GradingSession.load()
    out = tmp_path_factory.mktemp("catalogue") / "pack"
    summary = build_pack(full, out)
    assert not summary.left_out, summary.left_out
    return full, out, GradingSession.load(out)


def verdicts(result) -> dict:
    return {(ex.id, c.name): (c.status, c.score, c.code, c.mistake)
            for ex in result.exercises for c in ex.checks}


def test_every_check_of_the_catalogue_goes_in_the_pack(catalogue):
    full, out, pack = catalogue
    manifest = json.loads((out / "pack.json").read_text(encoding="utf-8"))
    assert manifest["instructor_checks"] == [] and manifest["left_out"] == []
    shipped = {(ex.id, c.title) for ex in pack.exercise_set.exercises.values() for c in ex.checks}
    assert TRUSTED <= shipped
    assert shipped == {(ex.id, c.title) for ex in full.exercise_set.exercises.values() for c in ex.checks}
    assert pack.exercise_set.digest != full.exercise_set.digest and not pack.reference_functions
    assert not pack.pack.helpers.keys() & pack.driver_functions.keys()
    assert set(pack.pack.helpers) == {"cross_entropy_of_softmax", "chain_loss", "mlp_loss"}


def test_the_packs_drivers_import_nothing_from_the_reference(catalogue):
    from grader.pack.build import public_driver_problems

    _, out, pack = catalogue
    sources = sorted((out / "drivers").glob("*.py"))
    assert [p.name for p in sources] == ["__init__.py", "_common.py", "capstone.py",
                                         "optimizers.py", "perceptron.py"]
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.py")) == \
        [p.relative_to(out).as_posix() for p in sources]  # no other code in the pack
    for source in sources:
        assert public_driver_problems(source.read_text(encoding="utf-8")) == [], source
    reference = ROOT / "reference"

    def lines(paths) -> set[str]:
        return {line.strip() for path in paths for line in path.read_text(encoding="utf-8").splitlines()
                if len(line.strip()) >= 16 and not line.strip().startswith(("#", "from ", "import ", '"""'))}

    # the exercise's own data, given in its description: the XOR truth table
    public = {"XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])"}
    solutions = lines([*reference.glob("*.py"), *(reference / "drivers").glob("*.py")]) - public
    mistakes = lines((reference / "mistakes").glob("*.py")) - public
    # the specs' own words (descriptions, hints) may quote a line on purpose: code and data not
    code_and_data = b"".join(p.read_bytes() for p in out.rglob("*") if p.suffix in (".py", ".bin"))
    assert not [line for line in solutions | mistakes if line.encode() in code_and_data]
    assert {"truth_tables", "minibatch_split", "wiggly_bowl", "xor_training"} <= pack.public_helpers
    assert public_driver_problems("from ..reference.losses import mse_loss\n")
    assert public_driver_problems("from grader_reference import losses\n")
    assert public_driver_problems("import grader_reference.losses\n")
    assert public_driver_problems("from grader.judge import compare\n")
    assert public_driver_problems("import numpy as np\nfrom ._common import failure\n") == []


def test_a_correct_submission_gets_the_whole_score_from_the_pack(catalogue, zygote):
    from grader.engine import Options, grade
    full, _, pack = catalogue
    ours = grade(full, ROOT / "submissions" / "correct.py", zygote, Options())
    theirs = grade(pack, ROOT / "submissions" / "correct.py", zygote, Options())
    assert ours.all_passed and theirs.all_passed and theirs.score == ours.score == ours.max_score
    assert verdicts(theirs) == verdicts(ours)


@pytest.mark.parametrize("chapter", list(STUDENTS))
def test_student_mistakes_get_the_same_verdicts_and_hints_from_the_pack(chapter, catalogue, zygote,
                                                                        tmp_path):
    from grader.engine import Options, grade
    full, _, pack = catalogue
    source, expected = STUDENTS[chapter]
    path = tmp_path / "student.py"
    path.write_text(with_overrides(source), encoding="utf-8")
    options = Options(exercises=tuple(expected))
    ours, theirs = grade(full, path, zygote, options), grade(pack, path, zygote, options)
    assert verdicts(theirs) == verdicts(ours)
    failed = [v for key, v in verdicts(theirs).items() if key in TRUSTED and v[0] == "failed"]
    assert failed and all(mistake for *_, mistake in failed)  # with the mistake's own hint


def test_train_xor_without_a_working_mlp_forward_is_left_to_the_instructor(catalogue, zygote, tmp_path):
    from grader.engine import Options, grade
    from grader.report import reporter

    full, _, pack = catalogue
    path = tmp_path / "student.py"
    path.write_text(with_overrides("def mlp_forward(X, W1, b1, W2, b2):\n    return X\n"),
                    encoding="utf-8")
    options = Options(exercises=("train_xor", "mlp_forward"))
    ours, theirs = grade(full, path, zygote, options), grade(pack, path, zygote, options)
    assert {ex.id: ex.status for ex in ours.exercises} == {"train_xor": "passed", "mlp_forward": "failed"}
    by_id = {ex.id: ex for ex in theirs.exercises}
    assert by_id["train_xor"].status == "instructor" and by_id["train_xor"].max_score == 0
    [check] = by_id["train_xor"].checks
    assert (check.status, check.code, check.facts["points"]) == ("instructor", "graded_by_instructor", 5.0)
    assert theirs.max_score == ours.max_score - 5  # not counted here, not a failure either
    english, chinese = reporter("text")(theirs, "en"), reporter("text")(theirs, "zh")
    assert "Graded by your instructor (5 pt)" in english and "your own mlp_forward" in english
    assert "由教师评分（5 分）" in chinese and "mlp_forward" in chinese


def test_an_objective_value_the_pack_did_not_record_is_an_error_not_a_wrong_slope(catalogue, zygote):
    from grader.engine import Options, grade
    from grader.session import GradingSession
    _, out, _ = catalogue
    pack = GradingSession.load(out)
    for helper in pack.pack.helpers.values():
        helper.answers.clear()
    result = grade(pack, ROOT / "submissions" / "correct.py", zygote, Options(exercises=("mlp_backward",)))
    [gradient] = [c for c in result.exercises[0].checks if c.kind == "gradient"]
    assert (gradient.status, gradient.code) == ("error", "not_in_pack")


def test_a_check_whose_driver_uses_the_reference_is_graded_by_the_instructor(tmp_path, zygote):
    """A driver of reference/drivers/ is trusted code: the pack leaves its check out, lists it in
    pack.json, and every report shows it as graded by the instructor, in both languages."""
    import xml.etree.ElementTree as ET

    from grader.engine import grade

    from grader.engine import Options
    from grader.session import GradingSession
    from grader.pack.build import build_pack
    from grader.report import reporter
    from grader.report.github import as_dict

    full = tmp_path / "set"
    full.mkdir()
    shutil.copy(ROOT / "exercises" / "ch2_perceptron.yaml", full)
    shutil.copytree(ROOT / "reference", full / "reference", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("_common.py", "perceptron.py"):  # the truth-table drivers, as trusted ones
        shutil.copy(ROOT / "exercises" / "drivers" / name, full / "reference" / "drivers" / name)
    summary = build_pack(GradingSession.load(full), tmp_path / "pack")
    assert {(i.exercise, i.check, i.reason) for i in summary.left_out} == {
        ("logic_gates", "behaviour", "pack.reason.needs_code"),
        ("xor_network", "behaviour", "pack.reason.needs_code")}
    manifest = json.loads((tmp_path / "pack" / "pack.json").read_text(encoding="utf-8"))
    assert {(i["exercise"], i["name"], i["points"], i["position"]) for i in manifest["instructor_checks"]} == {
        ("logic_gates", "behaviour", 3.0, 0), ("xor_network", "behaviour", 3.0, 0)}
    spec = yaml.safe_load((tmp_path / "pack" / "ch2_perceptron.yaml").read_text(encoding="utf-8"))
    assert {ex["id"]: ex["checks"] for ex in spec["exercises"]}["logic_gates"] == []
    assert not (tmp_path / "pack" / "drivers").exists()

    pack = GradingSession.load(tmp_path / "pack")
    result = grade(pack, ROOT / "submissions" / "correct.py", zygote,
                   Options(exercises=("logic_gates", "sign")))
    gates = {ex.id: ex for ex in result.exercises}["logic_gates"]
    assert gates.status == "instructor" and [c.status for c in gates.checks] == ["instructor"]
    assert result.all_passed and result.score == result.max_score > 0
    english, chinese = reporter("text")(result, "en"), reporter("text")(result, "zh")
    assert "graded by your instructor" in english and "Graded by your instructor (3 pt)" in english
    assert "trusted code" in english
    assert "由教师评分" in chinese and "3 分" in chinese
    report = json.loads(reporter("json")(result, "en"))
    assert {e["id"]: e["status"] for e in report["exercises"]}["logic_gates"] == "instructor"
    junit = ET.fromstring(reporter("junit")(result, "en"))
    [skipped] = junit.iter("skipped")
    assert "Graded by your instructor" in skipped.get("message")
    assert junit.find("testsuite").get("skipped") == "1"
    # GitHub Classroom: no test of 0 points (it would move the reporter's ratio of tests passed,
    # tests/test_github_classroom.py), a note under the test before it instead
    github = as_dict(result, "en")
    assert not [t for t in github["tests"] if t["name"].startswith("logic_gates")]
    [noted] = [t for t in github["tests"] if "logic_gates" in t.get("test_code", "")]
    assert noted["name"].startswith("sign · ") and github["status"] == "pass"
    assert "◦ logic_gates · behaviour\nGraded by your instructor (3 pt)" in noted["test_code"]


def test_the_installed_student_build_grades_the_whole_catalogue_from_the_pack(catalogue, tmp_path):
    from grader.pack.student_build import wheel_name

    full, out, _ = catalogue
    venv = fresh_venv(tmp_path / "venv")
    install(venv, out / wheel_name())
    proc = subprocess.run([str(venv / "bin" / "grader"), "--exercises", str(out), "check",
                           str(ROOT / "submissions" / "correct.py"), "--format", "json"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=600,
                          env={"PATH": "/usr/bin:/bin", "GRADER_CACHE_DIR": str(tmp_path / "cache"),
                               "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    total = sum(ex.max_score for ex in full.exercise_set.exercises.values())
    assert report["score"] == report["max_score"] == total
