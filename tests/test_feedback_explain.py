"""`grader explain ID` for every exercise, in both languages: contract, conventions, checks with
their points, the known mistakes' hints, and a worked example computed by the reference."""

from __future__ import annotations

import os
import subprocess
import sys

import click
import pytest

from support import ROOT
from grader.explain import explain_lines, worked_examples
from grader.messages import format_call, format_value
from grader.plan import edge_cases
from grader.spec import load_exercise_set
from grader.starter import chapter_titles

EXERCISE_SET = load_exercise_set()
IDS = list(EXERCISE_SET.exercises)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("exercise_id", IDS)
def test_explain_every_exercise(session, exercise_id, lang):
    ex = session.exercise_set.exercises[exercise_id]
    title = chapter_titles(session.exercise_set)[ex.chapter][lang]
    shown = click.unstyle("\n".join(explain_lines(ex, lang, session, title)))
    flat = "".join(shown.split())  # wrapping may break a line anywhere between CJK characters
    assert ex.title.get(lang) in shown and title in shown
    assert "".join(ex.description.get(lang).split()) in flat
    if ex.notes is not None:
        assert "".join(ex.notes.get(lang).split()) in flat
    assert f"def {ex.signature}" in shown or f"def {ex.id}(" in shown
    for name in ex.args:
        assert f"{name}: " in shown
    unit = {"en": "pt", "zh": "分"}[lang]
    for check in ex.checks:
        assert f"{check.points:g} {unit}" in shown
    for mistake in ex.mistakes:
        assert "".join(mistake.hint.get(lang).split()) in flat
    heading = {"en": "Worked example", "zh": "示例"}[lang]
    assert heading in shown
    verb = {"en": "returns", "zh": "返回"}[lang]
    assert any(verb in line for line in shown.splitlines()[shown.splitlines().index(
        next(line for line in shown.splitlines() if heading in line)):])


def test_the_worked_example_is_the_reference_on_the_first_edge_case(session):
    ex = session.exercise_set.exercises["sigmoid"]
    (call, value), *_ = worked_examples(ex, session.reference_functions["sigmoid"])
    first = edge_cases(ex)[0]
    assert call == format_call("sigmoid", first)
    assert value == format_value(session.reference_functions["sigmoid"](**first))
    assert value == "0.5"


def test_explain_says_where_the_slides_differ():
    tanh = EXERCISE_SET.exercises["tanh"]
    assert tanh.notes is not None and "minus" in tanh.notes.en and "减号" in tanh.notes.zh


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ}, timeout=120)


def test_cli_explain_and_an_unknown_id():
    shown = cli("--lang", "zh", "explain", "relu_grad")
    assert shown.returncode == 0, shown.stderr
    assert "relu_grad(x=0) 返回 0" in shown.stdout and "次梯度" in shown.stdout
    unknown = cli("--lang", "en", "explain", "no_such")
    assert unknown.returncode == 2 and "no_such" in unknown.stderr and "grader list" in unknown.stderr
