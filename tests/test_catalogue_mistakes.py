"""Every listed mistake is caught and shown its own hint.

In-process for every mistake of the catalogue (from the session's validation run), and through the
real worker for student-written versions of some mistakes of every chapter, with shrinking on, as
`grader check` runs them.
"""

from __future__ import annotations

import pytest

from catalogue_support import session, hint_of, private_validation, validation, with_overrides
from support import by_id

from grader.spec import load_exercise_set

MISTAKES = [(ex.id, m.function) for ex in load_exercise_set().exercises.values() for m in ex.mistakes]


@pytest.mark.parametrize("inputs", ["public", "private"])
@pytest.mark.parametrize("exercise,mistake", MISTAKES, ids=[m for _, m in MISTAKES])
def test_the_mistake_is_caught_with_its_own_hint(exercise, mistake, inputs):
    """On the public inputs (a student pack's) and on a course secret's private ones (the
    instructor's grade): the self-check stays as informative as the grade."""
    run = validation() if inputs == "public" else private_validation()
    [report] = [r for r in run.exercises if r.exercise.id == exercise]
    [outcome] = [m for m in report.mistakes if m.function == mistake]
    assert outcome.failed_checks, f"{mistake} passes every check of {exercise}"
    assert outcome.diagnosed_as and set(outcome.diagnosed_as) == {mistake}, outcome.diagnosed_as


def test_the_private_inputs_leave_no_edge_check_to_the_pack():
    """No exercise's edge cases all keep the spec's values on the private inputs."""
    problems = [(r.exercise.id, p) for r in private_validation().exercises for p in r.problems]
    assert not problems, problems


# ----------------------------------------------------------------------------- the real worker

STUDENTS = {
    "chapter 2": ("""
def sign(x):
    return np.sign(x)


def logic_gates():
    return {"AND": (np.array([2.0, 2.0]), -3.0), "OR": (np.array([2.0, 2.0]), -1.0),
            "NAND": (np.array([-2.0, -2.0]), 1.0), "NOR": (np.array([-2.0, -2.0]), 3.0)}


def mlp_forward(X, W1, b1, W2, b2):
    return sigmoid(sigmoid(X @ W1.T + b1) @ W2 + b2)
""", {"sign": "sign_np_sign", "logic_gates": "logic_gates_nand_nor_swapped",
      "mlp_forward": "mlp_forward_w1_transposed"}),
    "chapter 4": ("""
def cross_entropy(y, p):
    return float(np.mean(-np.sum(np.where(y > 0, y * np.log(np.where(y > 0, p, 1.0)), 0.0), axis=1)))


def chain_backward(x, w, b, y):
    a = chain_forward(x, w, b)
    dw, db = np.zeros(len(w)), np.zeros(len(w))
    delta = a[-1] - y
    for l in reversed(range(len(w))):
        dz = delta * a[l + 1] * (1 - a[l + 1])
        dw[l], db[l] = dz * a[l], dz
        delta = dz * w[l - 1] if l > 0 else dz * w[l]
    return dw, db


def mlp_backward(X, Y, W1, b1, W2, b2):
    H = sigmoid(X @ W1 + b1)
    Y_hat = sigmoid(H @ W2 + b2)
    dZ2 = (Y_hat - Y) / len(X) * Y_hat * (1 - Y_hat)
    dZ1 = dZ2 @ W2.T
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": H.T @ dZ2, "b2": dZ2.sum(axis=0)}
""", {"cross_entropy": "cross_entropy_mean", "chain_backward": "chain_backward_wrong_layer_w",
      "mlp_backward": "mlp_backward_missing_hidden_sigmoid_grad"}),
    "chapter 5": ("""
def minibatches(n, batch_size, seed):
    np.random.seed(seed)
    order = np.random.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def momentum_step(param, grad, velocity, lr, momentum=0.9):
    v = momentum * velocity - lr * grad
    return param + v, v


def adam_step(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return param - lr * m_hat / np.sqrt(v_hat + eps), m, v
""", {"minibatches": "minibatches_global_seed", "momentum_step": "momentum_step_lr_in_velocity",
      "adam_step": "adam_step_eps_inside_sqrt"}),
    "capstone": ("""
def train_xor(seed, hidden=6, steps=400, lr=0.1):
    params = {"W1": np.zeros((2, hidden)), "b1": np.zeros(hidden),
              "W2": np.zeros((hidden, 1)), "b2": np.zeros(1)}
    moments = {k: (np.zeros_like(p), np.zeros_like(p)) for k, p in params.items()}
    for t in range(1, steps + 1):
        grads = mlp_backward(XOR_X, XOR_Y, params["W1"], params["b1"], params["W2"], params["b2"])
        for k in params:
            m, v = moments[k]
            params[k], m, v = adam_step(params[k], grads[k], m, v, t, lr=lr)
            moments[k] = (m, v)
    return params["W1"], params["b1"], params["W2"], params["b2"]
""", {"train_xor": "train_xor_zero_init"}),
}


@pytest.mark.parametrize("chapter", list(STUDENTS))
def test_student_mistakes_get_their_hint_through_the_worker(chapter, grade_source):
    source, expected = STUDENTS[chapter]
    result = grade_source(with_overrides(source), *expected)
    for exercise_id, mistake in expected.items():
        exercise = by_id(result)[exercise_id]
        failed = [c for c in exercise.checks if c.status == "failed"]
        assert failed, f"{exercise_id}: {mistake} was not caught"
        for check in failed:
            assert check.mistake == mistake, (exercise_id, check.name, check.mistake)
            assert check.hint == {"en": hint_of(exercise_id, mistake),
                                  "zh": hint_of(exercise_id, mistake, "zh")}


def test_the_hint_appears_in_the_text_report_in_both_languages(grade_source):
    from grader.report import reporter

    source, _ = STUDENTS["chapter 5"]
    result = grade_source(with_overrides(source), "adam_step", shrink=False)
    for lang in ("en", "zh"):
        text = reporter("text")(result, lang)
        assert hint_of("adam_step", "adam_step_eps_inside_sqrt", lang) in text
    assert "PyTorch" in hint_of("adam_step", "adam_step_eps_inside_sqrt")
    assert "ε" in hint_of("adam_step", "adam_step_eps_inside_sqrt", "zh")


def test_a_course_mistake_list_is_a_floor_of_exercises_md():
    """The mistakes EXERCISES.md names as the floor are all listed with a hint."""
    listed = {m for _, m in MISTAKES}
    floor = {
        "sign_np_sign", "step_at_zero_one", "mse_loss_mean_no_half", "mse_loss_divide_by_n",
        "cross_entropy_mean", "cross_entropy_swapped", "binary_cross_entropy_missing_negative_term",
        "softmax_cross_entropy_grad_divided_by_n", "softmax_cross_entropy_grad_sign_flipped",
        "chain_backward_missing_last_sigma_prime", "chain_backward_wrong_layer_w",
        "momentum_step_lr_in_velocity", "adagrad_step_eps_inside_sqrt",
        "rmsprop_step_accumulates_like_adagrad", "adam_step_no_bias_correction",
        "adam_step_t_from_zero", "adam_step_eps_inside_sqrt", "gd_step_in_place",
        "sgd_step_in_place", "momentum_step_in_place", "adam_step_in_place",
    }
    assert floor <= listed, sorted(floor - listed)
    assert session().exercise_set.exercises["adam_step"].mistakes
