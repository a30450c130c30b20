"""The pack does not sell the grade: a submission built only from a student pack scores ≤ 5 %.

In the default workflow, `grader pack` then `grader grade` with no extra flag, the instructor's
grade is computed on the course secret's private inputs, which no pack reveals. The attack
(tests/lookup_attack.py) is a file that implements nothing: every answer the pack recorded,
keyed by the inputs as the judge keys them, with derivatives from the recorded forward values and
the nearest recorded input's answer where the key misses. The same file is graded on the public
inputs too, where it must score high, or this test would prove nothing.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT
from lookup_attack import write_lookup_submission

MAX_POINTS = 160.0
#: the issue's bound: ≤ 5 % of the points on the instructor's inputs
PRIVATE_BOUND = 0.05 * MAX_POINTS
#: what the same file must reach on the public inputs for this test to mean anything
PUBLIC_FLOOR = 0.6 * MAX_POINTS


def grader(*args: object, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, env=dict(os.environ), timeout=600)


def scores(out: Path) -> dict[str, float]:
    with (out / "grades.csv").open(encoding="utf-8-sig") as handle:
        return {row["student"]: float(row["total"]) for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def workflow(tmp_path_factory):
    """`grader pack`, the lookup file made from the pack, a class of it and a correct file,
    `grader grade` as the instructor runs it, and again on the public inputs."""
    base = tmp_path_factory.mktemp("lookup")
    data_home = base / "data-home"  # the shipped set's private folder lives here, for this module
    saved = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(data_home)
    try:
        pack = grader("pack", base / "pack")
        assert pack.returncode == 0, pack.stderr
        klass = base / "class"
        klass.mkdir()
        write_lookup_submission(base / "pack", klass / "lookup.py")
        shutil.copy(ROOT / "submissions" / "correct.py", klass / "correct.py")
        private = grader("grade", klass, "-o", base / "graded", "-j", "1")
        public = grader("grade", klass, "-o", base / "graded-public", "-j", "1", "--seed", "20261128")
        self_check = grader("--exercises", base / "pack", "check", klass / "lookup.py", "--format", "json")
        shown = grader("secret", "show", "--value")
    finally:
        if saved is None:
            os.environ.pop("XDG_DATA_HOME", None)
        else:
            os.environ["XDG_DATA_HOME"] = saved
    return {"base": base, "pack": pack, "private": private, "public": public,
            "self_check": self_check, "secret": shown.stdout.strip(), "data_home": data_home}


def test_the_lookup_file_scores_at_most_5_percent_on_the_instructors_inputs(workflow):
    assert workflow["private"].returncode == 0, workflow["private"].stderr
    assert "Grading on private inputs" in workflow["private"].stdout
    got = scores(workflow["base"] / "graded")
    print(f"lookup on the private inputs: {got['lookup']:g}/{MAX_POINTS:g}")
    assert got["lookup"] <= PRIVATE_BOUND, got
    assert got["correct"] == MAX_POINTS, got  # a correct file loses nothing to private inputs


def test_the_same_lookup_file_scores_high_on_the_public_inputs(workflow):
    """Without this the bound above could hold for a broken attack."""
    assert workflow["public"].returncode == 0, workflow["public"].stderr
    got = scores(workflow["base"] / "graded-public")
    report = json.loads(workflow["self_check"].stdout)
    print(f"lookup on the public inputs: {got['lookup']:g}/{MAX_POINTS:g} (grade --seed), "
          f"{report['score']:g}/{report['max_score']:g} (the pack's self-check)")
    assert got["lookup"] >= PUBLIC_FLOOR, got
    assert report["score"] >= PUBLIC_FLOOR and report["max_score"] == MAX_POINTS
    assert got["correct"] == MAX_POINTS


def test_pack_makes_the_secret_outside_the_pack_and_says_where(workflow):
    out = workflow["pack"].stdout
    folder = workflow["data_home"] / "grader" / "private"
    assert f"Created the course secret in {folder}" in out
    assert "out of the student template repository" in out
    assert (folder / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert oct((folder / "secret").stat().st_mode & 0o777) == "0o600"
    secret = workflow["secret"]
    assert len(secret) == 64
    pack_bytes = b"".join(p.read_bytes() for p in (workflow["base"] / "pack").rglob("*") if p.is_file())
    assert secret.encode() not in pack_bytes and bytes.fromhex(secret) not in pack_bytes


def test_nothing_the_grade_writes_shows_the_private_seed(workflow):
    from grader.secret import Secret

    secret = Secret(bytes.fromhex(workflow["secret"]), None, "test")
    graded = workflow["base"] / "graded"
    exported = grader("export", graded, "--format", "json")
    texts = [workflow["private"].stdout, workflow["private"].stderr, exported.stdout,
             (graded / "grades.csv").read_text(encoding="utf-8-sig")]
    texts += [p.read_text(encoding="utf-8") for p in (graded / "feedback").iterdir()]
    assert str(secret.seed) not in "\n".join(texts)
    feedback = (graded / "feedback" / "correct.md").read_text(encoding="utf-8")
    assert f"private inputs {secret.fingerprint}" in feedback
