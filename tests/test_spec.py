"""The spec loader is strict: every bad spec stops with `file: key.path: what was expected`."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.spec import SpecError, load_exercise_set

from support import ROOT

GOOD = """
chapter: 3
title: {en: T, zh: 题}
reference: activations
exercises:
  - id: relu
    title: {en: ReLU, zh: ReLU}
    description: {en: d, zh: 描述}
    signature: relu(x)
    args:
      x: {type: array, shape: any, min: -1, max: 1}
    checks:
      - {kind: reference, points: 1}
"""


def write_set(tmp_path: Path, text: str) -> Path:
    (tmp_path / "ch.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(SpecError) as info:
        load_exercise_set(write_set(tmp_path, text))
    return str(info.value)


def test_a_good_spec_loads(tmp_path):
    exercise_set = load_exercise_set(write_set(tmp_path, GOOD))
    assert list(exercise_set.exercises) == ["relu"]
    assert exercise_set.exercises["relu"].max_score == 1.0


def test_shipped_catalogue_loads_and_every_exercise_has_both_languages():
    exercise_set = load_exercise_set()
    assert "sigmoid" in exercise_set.exercises
    for ex in exercise_set.exercises.values():
        assert ex.title.en and ex.title.zh and ex.description.en and ex.description.zh, ex.id
        for mistake in ex.mistakes:
            assert mistake.hint.en and mistake.hint.zh, (ex.id, mistake.function)


@pytest.mark.parametrize("change,expected", [
    (("    signature: relu(x)\n", "    signature: relu(x)\n    colour: red\n"),
     "exercises[0].colour: unknown key"),
    (("{kind: reference, points: 1}", "{kind: reference, points: many}"),
     "exercises[0].checks[0].points: expected a number, got 'many'"),
    (("{kind: reference, points: 1}", "{kind: guess, points: 1}"),
     "exercises[0].checks[0].kind: expected one of"),
    (("    signature: relu(x)\n", ""), "exercises[0].signature: missing"),
    (("type: array, shape: any", "type: array, shape: [n]"),
     "exercises[0].args.x.shape[0]: unknown dimension 'n'"),
    (("type: array, shape: any, min: -1, max: 1", "type: tensor"), "exercises[0].args.x.type: expected one of"),
    (("type: array, shape: any, min: -1, max: 1", "type: array, shape: any"),
     "exercises[0].args.x: an array argument needs min and max"),
    (("  - id: relu", "  - id: 2relu"), "exercises[0].id: expected a Python function name"),
    (("chapter: 3", "chapter: three"), "chapter: expected an integer"),
    (("    signature: relu(x)\n", "    signature: relu(x)\n    points: 7\n"),
     "exercises[0].points: is 7 but the checks' points add up to 1"),
    (("    signature: relu(x)\n", "    signature: relu(x)\n    edge_cases: [{y: 1.0}]\n"),
     "exercises[0].edge_cases[0]: unknown argument 'y'"),
])
def test_bad_specs_name_the_file_the_key_path_and_what_was_expected(tmp_path, change, expected):
    old, new = change
    assert old in GOOD
    message = error_of(tmp_path, GOOD.replace(old, new))
    assert message.startswith(str(tmp_path / "ch.yaml") + ": ")
    assert expected in message


def test_yaml_syntax_error_names_the_file(tmp_path):
    message = error_of(tmp_path, "chapter: [3\n")
    assert "ch.yaml: not valid YAML" in message


def test_numbers_like_1e_minus_4_are_numbers_not_strings(tmp_path):
    exercise_set = load_exercise_set(write_set(tmp_path, GOOD.replace(
        "{kind: reference, points: 1}", "{kind: reference, points: 1, tolerance: {rtol: 1e-4}}").replace(
        "    signature: relu(x)\n", "    signature: relu(x)\n    edge_cases: [{x: [1e-4]}]\n")))
    ex = exercise_set.exercises["relu"]
    assert ex.checks[0].tolerance.rtol == 1e-4
    assert ex.edge_cases[0]["x"] == [1e-4]


def test_duplicate_exercise_ids_across_files(tmp_path):
    write_set(tmp_path, GOOD)
    (tmp_path / "other.yaml").write_text(textwrap.dedent(GOOD), encoding="utf-8")
    with pytest.raises(SpecError, match="'relu' is also defined in"):
        load_exercise_set(tmp_path)


def test_empty_folder_and_missing_folder(tmp_path):
    with pytest.raises(SpecError, match="no .yaml exercise specs"):
        load_exercise_set(tmp_path)
    with pytest.raises(SpecError, match="exercise set not found"):
        load_exercise_set(tmp_path / "nowhere")


def test_cli_reports_a_spec_error_without_traceback_and_exits_2(tmp_path):
    write_set(tmp_path, GOOD.replace("points: 1}", "points: 1, colour: red}"))
    proc = subprocess.run([sys.executable, "-m", "grader", "--exercises", str(tmp_path), "list"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert "checks[0].colour: unknown key" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_reference_missing_for_an_exercise_is_a_spec_error(tmp_path):
    from grader.session import GradingSession
    write_set(tmp_path, GOOD)
    ref = tmp_path / "reference"
    ref.mkdir()
    (ref / "__init__.py").write_text("")
    (ref / "activations.py").write_text("def sigmoid(x):\n    return x\n")
    with pytest.raises(SpecError, match="has no reference function relu"):
        GradingSession.load(tmp_path)


def test_plan_cache_key_changes_with_the_drawing_code(monkeypatch):
    """A cached plan drawn by older drawing code must not be reused."""
    from grader import plan
    from grader.spec import load_exercise_set

    ex = load_exercise_set().exercises["sigmoid"]
    before = plan.plan_key(ex, 1)
    monkeypatch.setattr(plan, "_drawing_code_digest", lambda: "changed")
    assert plan.plan_key(ex, 1) != before
