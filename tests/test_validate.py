"""`grader validate`: the whole catalogue holds, and a broken exercise set is reported as broken."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalogue_support import ROOT, validation


def _problems(result) -> str:
    return "\n".join(f"{e.exercise.id}: {code} {facts}" for e in result.exercises
                     for code, facts in e.problems)


def test_the_whole_catalogue_validates():
    result = validation()
    assert result.ok, _problems(result)
    assert len(result.exercises) >= 33
    assert result.listed >= 100
    assert result.caught == result.listed, "mutation score below 100%"
    assert result.hinted == result.listed, "a mistake is caught but shown another hint"
    assert result.explained == result.listed, "a catalogued mistake is left unexplained"
    # the generated perturbations (sign, factor, axis, region) that a check catches: explained
    assert result.perturbed >= 2 * len(result.exercises)
    unexplained = [(r.exercise.id, name) for r in result.exercises
                   for name, ok in r.perturbations.items() if not ok]
    assert result.perturbed_explained >= 0.9 * result.perturbed, unexplained
    for report in result.exercises:
        assert report.reference is not None
        assert report.reference.score == report.exercise.max_score, report.exercise.id
        assert report.zeros_passing == [], (report.exercise.id, report.zeros_passing)


def test_every_chapter_and_check_kind_is_covered():
    result = validation()
    chapters = {r.exercise.chapter for r in result.exercises}
    assert {2, 3, 4, 5, 6} <= chapters
    kinds = {c.kind for r in result.exercises for c in r.exercise.checks}
    assert {"reference", "edge_cases", "properties", "gradient", "behaviour", "trajectory"} <= kinds


def test_cli_validate_selected_exercises():
    from grader.cli import cli

    outcome = CliRunner().invoke(cli, ["--lang", "en", "validate", "sign", "logic_gates", "momentum_step"])
    assert outcome.exit_code == 0, outcome.output
    assert "Mutation score: 11/11 listed mistakes caught (100%)" in outcome.output
    assert "Diagnosis coverage: 11/11 listed mistakes get their own hint or a symptom" in outcome.output
    assert "diagnosis: 3/3 mistakes explained" in outcome.output  # sign's own line
    assert "All 3 exercises hold." in outcome.output


def test_cli_validate_speaks_chinese():
    from grader.cli import cli

    outcome = CliRunner().invoke(cli, ["--lang", "zh", "validate", "step"])
    assert outcome.exit_code == 0, outcome.output
    assert "变异得分" in outcome.output


# ----------------------------------------------------------------------------- a broken set

BROKEN = """
chapter: 3
title: {en: Broken on purpose, zh: 故意写错}
reference: activations
exercises:
  - id: relu
    title: {en: ReLU, zh: ReLU}
    description: {en: d, zh: 描述}
    signature: relu(x)
    args:
      x: {type: array, shape: any, min: -1, max: 1}
    checks:
      - kind: properties
        points: 1
        properties:
          - {name: input_unchanged}
    mistakes:
      - function: relu_as_abs
        hint: {en: h, zh: 提示}
  - id: leaky_relu
    title: {en: Leaky ReLU, zh: Leaky ReLU}
    description: {en: d, zh: 描述}
    signature: leaky_relu(x, alpha=0.01)
    args:
      x: {type: array, shape: any, min: -1, max: 1}
      alpha: {type: float, min: 0.01, max: 0.01, keyword: true, default: 0.01}
    edge_cases:
      - {x: [-1.0], alpha: 0.2}
    checks:
      - {kind: reference, points: 1}
    mistakes:
      - function: leaky_relu_ignores_alpha
        hint: {en: h, zh: 提示}
"""


@pytest.fixture
def broken_set(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "reference", tmp_path / "reference",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "broken.yaml").write_text(textwrap.dedent(BROKEN), encoding="utf-8")
    return tmp_path


def test_validate_reports_what_does_not_hold(broken_set):
    from grader.session import GradingSession
    from grader.suite_validation import validate

    result = validate(GradingSession.load(broken_set))
    assert not result.ok
    problems = {e.exercise.id: [code for code, _ in e.problems] for e in result.exercises}
    # relu: the only check cannot fail, so the mistake |x| passes it
    assert "validate.zeros_pass" in problems["relu"]
    assert "validate.mistake_missed" in problems["relu"]
    # leaky_relu: alpha is only ever drawn as its default and never omitted
    assert "validate.keyword_not_drawn" in problems["leaky_relu"]
    assert "validate.keyword_never_omitted" in problems["leaky_relu"]
    assert "validate.mistake_missed" in problems["leaky_relu"]
    assert result.caught == 0 and result.listed == 2


def test_cli_validate_exit_codes(broken_set, tmp_path_factory):
    from grader.cli import cli

    outcome = CliRunner().invoke(cli, ["--lang", "en", "--exercises", str(broken_set), "validate"])
    assert outcome.exit_code == 1, outcome.output
    assert "Mutation score: 0/2" in outcome.output
    assert "passes for a function that returns zeros" in outcome.output

    bad = tmp_path_factory.mktemp("bad-spec")
    (bad / "bad.yaml").write_text("chapter: 3\ntitle: {en: t, zh: t}\nreference: x\nexercises: [{id: 1}]\n")
    outcome = CliRunner().invoke(cli, ["--exercises", str(bad), "validate"])
    assert outcome.exit_code == 2, outcome.output
