"""Correct implementations written differently from the reference get full marks, every exercise.

Through the real sandboxed worker: the example submission (NumPy, written differently on purpose,
Adam in torch.optim's arithmetic) and a PyTorch float32 one (autograd gradients, torch.optim's
in-place arithmetic). In-process: more variants of the exercises where many answers are right.
"""

from __future__ import annotations

import numpy as np
import pytest

from catalogue_support import CORRECT, TORCH_FLOAT32, session, private_session
from support import by_id

NEW_CHAPTERS = (2, 4, 5, 6)


def _full_marks(exercise) -> bool:
    return exercise.status == "passed" and exercise.score == exercise.max_score


def _failures(result) -> str:
    from grader.report.words import check_message

    return "\n".join(f"{e.id}/{c.name}: {check_message(c, 'en')}" for e in result.exercises
                     for c in e.checks if c.status != "passed") or \
        "\n".join(f"{e.id}: {e.status} {e.code} {e.facts}" for e in result.exercises if not _full_marks(e))


def test_the_example_submission_gets_full_marks_everywhere(zygote):
    from grader.engine import Options, grade
    result = grade(session(), CORRECT, zygote, Options())
    assert len(result.exercises) == len(session().exercise_set.exercises) >= 33
    assert result.all_passed and result.score == result.max_score, _failures(result)


@pytest.mark.parametrize("inputs", ["public", "private"])
def test_a_float32_torch_submission_gets_full_marks(zygote, inputs):
    pytest.importorskip("torch")
    from grader.engine import Options, grade
    graded = session() if inputs == "public" else private_session()
    ids = tuple(ex.id for ex in graded.exercise_set.exercises.values() if ex.chapter in NEW_CHAPTERS)
    result = grade(graded, TORCH_FLOAT32, zygote, Options(exercises=ids))
    assert [e.id for e in result.exercises] == list(ids)
    assert all(_full_marks(e) for e in result.exercises), _failures(result)


def test_the_example_submission_gets_full_marks_on_private_inputs(zygote):
    """The instructor's grade (a course secret's inputs) takes nothing from a correct file."""
    from grader.engine import Options, grade
    result = grade(private_session(), CORRECT, zygote, Options())
    assert isinstance(result.seed, str) and result.seed.startswith("private:")
    assert result.all_passed and result.score == result.max_score, _failures(result)


# ----------------------------------------------------------------------------- in-process variants
# Trusted test code, judged by the same checks through engine.grade_in_process.


def _sign(x):
    return np.where(np.asarray(x, dtype=float) < 0, -1.0, 1.0)


def _logic_gates_slide():
    """The slide's weights (NOR: w = (−20, −20), b = 10), as lists."""
    return {"AND": ([20, 20], -30), "OR": ([20, 20], -10), "NAND": ([-20, -20], 30), "NOR": ([-20, -20], 10)}


def _xor_network_wide():
    """Four hidden units, two of them never used."""
    W1 = np.array([[1.0, -1.0, 0.0, 0.0], [1.0, -1.0, 0.0, 0.0]])
    b1 = np.array([-0.5, 1.5, -1.0, -1.0])
    W2 = np.array([[1.0], [1.0], [5.0], [-5.0]])
    return W1, b1, W2, np.array([-1.5])


def _minibatches_choice(n, batch_size, seed):
    order = np.random.default_rng(seed).choice(n, size=n, replace=False)
    return [order[i:i + batch_size].tolist() for i in range(0, n, batch_size)]


def _minibatches_array_split(n, batch_size, seed):
    order = np.random.default_rng(seed).permutation(n)
    return np.array_split(order, range(batch_size, n, batch_size)) if n else []


def _momentum_in_place_on_copies(param, grad, velocity, lr, momentum=0.9):
    v = np.array(velocity, dtype=float)
    v *= momentum
    v += grad
    p = np.array(param, dtype=float)
    p -= lr * v
    return p, v


def _adam_kingma_ba(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _adam_float32(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    f = np.float32
    param, grad, m, v = (np.asarray(a, dtype=f) for a in (param, grad, m, v))
    m = f(beta1) * m + f(1 - beta1) * grad
    v = f(beta2) * v + f(1 - beta2) * grad * grad
    step_size = f(lr / (1 - beta1 ** t))
    denom = np.sqrt(v) / f(np.sqrt(1 - beta2 ** t)) + f(eps)
    return param - step_size * m / denom, m, v


def _chain_backward_via_deltas(x, w, b, y):
    a = [float(x)]
    for w_l, b_l in zip(w, b, strict=True):
        a.append(1.0 / (1.0 + np.exp(-(w_l * a[-1] + b_l))))
    deltas = [(a[-1] - y) * a[-1] * (1 - a[-1])]
    for layer in range(len(w) - 1, 0, -1):
        deltas.insert(0, deltas[0] * w[layer] * a[layer] * (1 - a[layer]))
    return np.array(deltas) * np.array(a[:-1]), np.array(deltas)


def _count_parameters_loop(layer_sizes):
    total = 0
    for fan_in, fan_out in zip(layer_sizes, layer_sizes[1:], strict=False):
        total += (fan_in + 1) * fan_out
    return total


VARIANTS = {
    "sign": _sign,
    "logic_gates": _logic_gates_slide,
    "xor_network": _xor_network_wide,
    "minibatches": _minibatches_choice,
    "momentum_step": _momentum_in_place_on_copies,
    "adam_step": _adam_kingma_ba,
    "chain_backward": _chain_backward_via_deltas,
    "count_parameters": _count_parameters_loop,
}
MORE = [("minibatches", _minibatches_array_split), ("adam_step", _adam_float32)]


@pytest.mark.parametrize("exercise,variant", list(VARIANTS.items()) + MORE,
                         ids=[f"{e}-{v.__name__.strip('_')}" for e, v in list(VARIANTS.items()) + MORE])
def test_a_variant_gets_full_marks(exercise, variant):
    from grader.engine import Options, grade_in_process
    c = session()
    result = grade_in_process(c, {**c.reference_functions, exercise: variant}, variant.__name__,
                              Options(exercises=(exercise,), shrink=False))
    assert _full_marks(by_id(result)[exercise]), _failures(result)
