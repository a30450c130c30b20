"""Chapter 3 end to end: correct submissions of every style get full marks, every catalogued
mistake is caught and named, not-attempted and partial submissions are scored as such."""

from __future__ import annotations

import inspect

import pytest

from support import ROOT, by_id, exercise_set

CH3 = ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "leaky_relu",
       "leaky_relu_grad", "softmax", "maxout"]
CORRECT = (ROOT / "submissions" / "correct.py").read_text()


def test_correct_numpy_submission_written_differently_gets_full_marks(grade_source):
    result = grade_source(CORRECT, *CH3)
    failed = {e.id: [c.code for c in e.checks if c.status != "passed"] for e in result.exercises
              if e.status != "passed"}
    assert failed == {}
    assert result.score == result.max_score > 0


def test_torch_float32_submission_gets_full_marks(grade_source):
    pytest.importorskip("torch")
    source = (ROOT / "tests" / "data" / "ch3_torch_float32.py").read_text()
    result = grade_source(source, *CH3)
    assert {e.id: e.status for e in result.exercises} == {i: "passed" for i in CH3}


def test_loops_and_math_module_submission_gets_full_marks(grade_source):
    """Plain Python loops over a flattened array, math.exp: slow but right."""
    result = grade_source('''
        import math
        import numpy as np

        def _map(f, x):
            x = np.asarray(x, dtype=float)
            return np.array([f(v) for v in x.ravel()]).reshape(x.shape)

        def _sig(v):
            return 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))

        def sigmoid(x):
            return _map(_sig, x)

        def relu(x):
            return _map(lambda v: v if v > 0 else 0.0, x)
    ''', "sigmoid", "relu")
    assert [e.status for e in result.exercises] == ["passed", "passed"]


def _mistakes():
    for ex_id in CH3:
        for mistake in exercise_set().exercises[ex_id].mistakes:
            yield ex_id, mistake.function


@pytest.mark.parametrize("exercise,mistake", list(_mistakes()))
def test_each_catalogued_mistake_is_caught_and_named(grade_source, session, exercise, mistake):
    """The student's file is the correct one with one function replaced by the mistake."""
    fn = session.mistake_functions[mistake]
    source = CORRECT + "\n\n" + inspect.getsource(fn) + f"\n{exercise} = {mistake}\n"
    result = grade_source(source, exercise)
    [ex] = result.exercises
    assert ex.status == "failed"
    assert ex.score < ex.max_score
    named = {c.mistake for c in ex.checks if c.status == "failed"}
    assert mistake in named, f"{mistake} was caught but not named: {named}"


def test_partial_submission_scores_attempted_exercises_only(session, zygote):
    from grader.engine import Options, grade
    result = grade(session, ROOT / "submissions" / "partial.py", zygote, Options(exercises=tuple(CH3)))
    status = {e.id: e.status for e in result.exercises}
    assert status["sigmoid"] == status["relu_grad"] == "passed"
    # raising NotImplementedError and being absent both mean "not attempted", not "error"
    assert status["tanh"] == status["softmax"] == status["maxout"] == "not_attempted"
    assert by_id(result)["tanh"].score == 0
    assert 0 < result.score < result.max_score


def test_buggy_submission_fails_with_counterexamples(session, zygote):
    from grader.engine import Options, grade
    result = grade(session, ROOT / "submissions" / "buggy.py", zygote, Options(exercises=tuple(CH3)))
    exercises = by_id(result)
    assert exercises["relu"].status == "passed"
    sigmoid_grad = exercises["sigmoid_grad"]
    [reference_check] = [c for c in sigmoid_grad.checks if c.kind == "reference"]
    example = reference_check.counterexample
    assert example["function"] == "sigmoid_grad"
    assert set(example["input"]) == {"x"}
    assert example["expected"] is not None and example["actual"] is not None


def test_failing_input_is_shrunk_to_a_small_one(grade_source):
    """A bug that only shows for x < −1 must be reported on a small, simple input."""
    result = grade_source('''
        import numpy as np
        def relu(x):
            x = np.asarray(x, dtype=float)
            return np.where(x < -1, -x, np.maximum(x, 0))
    ''', "relu")
    [ref] = [c for c in result.exercises[0].checks if c.kind == "reference"]
    shown = ref.counterexample["input"]["x"]
    assert shown.size == 1 and shown.ndim <= 1
    assert float(shown.ravel()[0]) < -1


def test_gradient_check_blames_the_forward_when_the_derivative_matches_it(grade_source):
    """sigmoid is wrong (uses e^(-2x)); sigmoid_grad is the true derivative of that wrong sigmoid."""
    result = grade_source('''
        import numpy as np
        def sigmoid(x):
            return 1 / (1 + np.exp(-2 * np.asarray(x, dtype=float)))
        def sigmoid_grad(x):
            s = sigmoid(x)
            return 2 * s * (1 - s)
    ''', "sigmoid_grad")
    [grad] = [c for c in result.exercises[0].checks if c.kind == "gradient"]
    assert grad.status == "failed"
    assert grad.code == "gradient_right_for_wrong_forward"
    assert grad.facts["forward"] == "sigmoid"


def test_gradient_check_says_own_forward_is_right_when_only_derivative_is_wrong(grade_source):
    result = grade_source('''
        import numpy as np
        def tanh(x):
            return np.tanh(x)
        def tanh_grad(x):
            return 1 - np.tanh(x) ** 3
    ''', "tanh_grad")
    [grad] = [c for c in result.exercises[0].checks if c.kind == "gradient"]
    assert grad.code == "gradient_mismatch" and grad.facts["own_forward"] == "right"


def test_input_modified_in_place_loses_the_property_points(grade_source):
    result = grade_source('''
        import numpy as np
        def relu(x):
            np.maximum(x, 0, out=x) if isinstance(x, np.ndarray) and x.ndim else None
            return np.maximum(x, 0.0)
    ''', "relu")
    [props] = [c for c in result.exercises[0].checks if c.kind == "properties"]
    assert props.status == "failed" and props.code == "input_modified"
    assert props.facts["arg"] == "x"


def test_wrong_shape_is_reported_with_both_shapes(grade_source):
    result = grade_source('''
        import numpy as np
        def softmax(z):
            e = np.exp(z - np.max(z, axis=-1, keepdims=True))
            return (e / e.sum(axis=-1, keepdims=True)).ravel()
    ''', "softmax")
    [ref] = [c for c in result.exercises[0].checks if c.kind == "reference"]
    assert ref.code == "wrong_shape"
    assert len(ref.facts["expected_shape"]) == 2 and len(ref.facts["actual_shape"]) == 1


def test_returning_none_says_return_is_missing(grade_source):
    result = grade_source('''
        import numpy as np
        def relu(x):
            y = np.maximum(x, 0.0)
    ''', "relu")
    assert result.exercises[0].checks[0].code == "returned_none"


def test_failure_messages_render_in_both_languages(grade_source):
    from grader.report.words import check_message, hint

    result = grade_source('''
        import numpy as np
        def tanh_grad(x):
            return 1 - np.asarray(x, dtype=float) ** 2
    ''', "tanh_grad")
    [ref] = [c for c in result.exercises[0].checks if c.kind == "reference"]
    english, chinese = check_message(ref, "en"), check_message(ref, "zh")
    assert "tanh_grad(x=" in english and "expected" in english
    assert "tanh_grad(x=" in chinese and "应为" in chinese
    assert "1 − x²" in hint(ref, "en") and "平方" in hint(ref, "zh")


def test_shrinking_leaves_no_inputs_in_the_runs_shared_reference_memory(session, zygote, tmp_path):
    """A batch shares the reference's answers; one student's shrunk inputs must not pile up there."""
    from grader.engine import Options, grade
    memo = session.expected.memo.outcomes
    right, wrong = tmp_path / "right.py", tmp_path / "wrong.py"
    right.write_text("import numpy as np\ndef relu(x):\n    return np.maximum(np.asarray(x, dtype=float), 0)\n")
    wrong.write_text("import numpy as np\ndef relu(x):\n"
                     "    x = np.asarray(x, dtype=float)\n    return np.where(x < -1.5, -x, np.maximum(x, 0))\n")
    assert grade(session, right, zygote, Options(exercises=("relu",))).exercises[0].status == "passed"
    before = len(memo)  # the plan's answers, asked by every student
    result = grade(session, wrong, zygote, Options(exercises=("relu",)))
    assert result.exercises[0].status == "failed"  # it did shrink a failure
    assert len(memo) == before
