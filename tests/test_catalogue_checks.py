"""The check kinds the catalogue adds: behaviour, gradient of a scalar, trajectory (with its
torch.optim oracle), and the spec fields that declare them."""

from __future__ import annotations

import sys
import textwrap

import numpy as np
import pytest

from catalogue_support import session, with_overrides
from support import by_id

from grader.engine import grade_in_process

from grader.engine import Options
from grader.session import GradingSession
def judge(functions: dict, exercise: str, c: GradingSession | None = None):
    c = c or session()
    result = grade_in_process(c, {**c.reference_functions, **functions}, "test",
                              Options(exercises=(exercise,), shrink=False))
    return {check.name: check for check in by_id(result)[exercise].checks}


# ----------------------------------------------------------------------------- trajectories


def test_momentum_in_the_other_form_moves_right_but_loses_points_for_its_velocity():
    lr_form = session().mistake_functions["momentum_step_lr_in_velocity"]
    checks = judge({"momentum_step": lr_form}, "momentum_step")
    trajectory = checks["trajectory"]
    assert trajectory.status == "failed" and trajectory.score == 0
    assert trajectory.code == "trajectory_mismatch"
    assert trajectory.facts["output"] == "velocity" and trajectory.facts["step"] == 1
    expected, got = trajectory.counterexample["expected"], trajectory.counterexample["actual"]
    np.testing.assert_allclose(got[0], expected[0])  # the parameter moved exactly right
    assert trajectory.mistake == "momentum_step_lr_in_velocity"
    assert "torch.optim.SGD" in trajectory.hint["en"]


def test_a_tiny_gradient_exposes_eps_inside_the_root():
    eps_inside = session().mistake_functions["adam_step_eps_inside_sqrt"]
    checks = judge({"adam_step": eps_inside}, "adam_step")
    assert checks["trajectory"].status == "failed"
    assert checks["edge_cases"].status == "failed"
    # the edge cases catch it on a tiny gradient, whatever the drawn inputs (whether one of those
    # exposes ε too depends on the draw: Hypothesis mixes in constants of the modules loaded)
    tiny = checks["edge_cases"].counterexample["input"]["grad"]
    assert np.max(np.abs(tiny)) <= 1e-5


def test_torch_optim_is_an_independent_oracle():
    """A reference that is wrong (ε inside the root) still fails: torch.optim disagrees."""
    pytest.importorskip("torch")
    c = GradingSession.load()
    c.reference_functions["adam_step"] = c.mistake_functions["adam_step_eps_inside_sqrt"]
    checks = judge({}, "adam_step", c)
    assert checks["reference"].status == "passed"  # the student is the (wrong) reference itself
    assert checks["trajectory"].status == "failed"
    assert checks["trajectory"].code == "trajectory_oracle_mismatch"
    assert checks["trajectory"].facts["optimizer"] == "Adam"


def test_without_torch_the_pinned_oracle_paths_still_catch_a_wrong_reference(monkeypatch, tmp_path):
    """torch.optim's paths ship pinned with the plans: no torch is needed to compare with them."""
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` raises ImportError
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path))  # and no cached oracle paths
    c = GradingSession.load()
    c.reference_functions["rmsprop_step"] = c.mistake_functions["rmsprop_step_eps_inside_sqrt"]
    checks = judge({}, "rmsprop_step", c)
    assert checks["trajectory"].status == "failed"
    assert checks["trajectory"].code == "trajectory_oracle_mismatch"


def test_without_torch_or_pinned_paths_the_oracle_is_skipped_cleanly(monkeypatch, tmp_path):
    from grader.judge import trajectory

    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` raises ImportError
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path))  # and no cached oracle paths
    monkeypatch.setattr(trajectory, "_pinned_oracle_file", lambda *a: None)  # an unpinned set
    monkeypatch.setattr(trajectory, "_ORACLE_PATHS", {})
    c = GradingSession.load()
    c.reference_functions["rmsprop_step"] = c.mistake_functions["rmsprop_step_eps_inside_sqrt"]
    checks = judge({}, "rmsprop_step", c)
    assert checks["trajectory"].status == "passed"  # only the (wrong) reference to compare with
    assert not list(tmp_path.glob("oracle/*"))


def test_a_step_that_returns_the_wrong_structure_fails_the_trajectory_at_step_one():
    def sgd_as_tuple(param, grad, lr):
        return (np.asarray(param) - lr * np.asarray(grad),)

    checks = judge({"sgd_step": sgd_as_tuple}, "sgd_step")
    assert checks["trajectory"].status == "failed"
    assert checks["trajectory"].facts["step"] == 1


# ----------------------------------------------------------------------------- gradients of a scalar


def test_the_wrong_parameters_of_mlp_backward_are_named():
    missing = session().mistake_functions["mlp_backward_missing_hidden_sigmoid_grad"]
    gradient = judge({"mlp_backward": missing}, "mlp_backward")["gradient"]
    assert gradient.code == "gradient_parts_mismatch"
    assert gradient.facts["wrong_parts"] == "W1, b1"
    assert gradient.facts["right_parts"] == "W2, b2"
    assert gradient.facts["own_forward"] == "right"


def test_the_wrong_layers_of_chain_backward_are_named():
    no_last = session().mistake_functions["chain_backward_missing_last_sigma_prime"]
    gradient = judge({"chain_backward": no_last}, "chain_backward")["gradient"]
    assert gradient.code == "gradient_parts_mismatch"
    last = len(gradient.counterexample["input"]["w"]) - 1
    wrong, right = gradient.facts["wrong_parts"].split(", "), gradient.facts["right_parts"]
    assert f"db[{last}]" in wrong  # ∂loss/∂b of the last layer is ∂loss/∂z itself: wrong here
    assert all(part.startswith(("dw[", "db[")) for part in wrong)
    assert "chain_loss" == gradient.facts["loss"] and right


def test_a_derivative_right_for_the_students_own_wrong_forward_is_blamed_on_the_forward():
    ref = session().reference_functions

    def mlp_forward_no_output_sigmoid(X, W1, b1, W2, b2):
        return ref["sigmoid"](np.asarray(X) @ W1 + b1) @ W2 + b2

    def mlp_backward_of_that(X, Y, W1, b1, W2, b2):
        H = ref["sigmoid"](np.asarray(X) @ W1 + b1)
        dZ2 = (H @ W2 + b2 - Y) / len(X)
        dZ1 = dZ2 @ np.asarray(W2).T * H * (1 - H)
        return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": H.T @ dZ2, "b2": dZ2.sum(axis=0)}

    gradient = judge({"mlp_forward": mlp_forward_no_output_sigmoid,
                      "mlp_backward": mlp_backward_of_that}, "mlp_backward")["gradient"]
    assert gradient.status == "failed"
    assert gradient.code == "gradient_right_for_wrong_forward"
    assert gradient.facts["forward"] == "mlp_forward"


def test_softmax_cross_entropy_grad_is_checked_through_the_students_softmax_when_blaming():
    def softmax_over_axis0(z):
        e = np.exp(z - z.max(axis=0, keepdims=True))
        return e / e.sum(axis=0, keepdims=True)

    def grad_of_that(y, z):
        return softmax_over_axis0(z) - y

    gradient = judge({"softmax": softmax_over_axis0, "softmax_cross_entropy_grad": grad_of_that},
                     "softmax_cross_entropy_grad")["gradient"]
    assert gradient.status == "failed"
    assert gradient.facts["forward"] == "softmax"
    assert gradient.code in ("gradient_right_for_wrong_forward", "gradient_parts_mismatch")
    if gradient.code == "gradient_parts_mismatch":
        assert gradient.facts["own_forward"] == "wrong"


# ----------------------------------------------------------------------------- behaviour


def test_a_gate_without_margin_is_refused_with_the_weak_point():
    def gates():
        return {"AND": ([1.0, 1.0], -1.0), "OR": ([2.0, 2.0], -1.0),
                "NAND": ([-2.0, -2.0], 3.0), "NOR": ([-2.0, -2.0], 1.0)}

    behaviour = judge({"logic_gates": gates}, "logic_gates")["behaviour"]
    assert behaviour.code == "gate_margin"
    assert behaviour.facts["gate"] == "AND" and behaviour.facts["value"] == 0.0
    assert behaviour.mistake == "logic_gates_zero_margin"


def test_minibatches_that_are_not_reproducible_fail_the_seeding_check_only():
    def unseeded(n, batch_size, seed):
        order = np.random.default_rng().permutation(n)
        return [order[i:i + batch_size] for i in range(0, n, batch_size)]

    checks = judge({"minibatches": unseeded}, "minibatches")
    assert checks["split"].status == "passed"
    assert checks["seeding"].code == "minibatches_not_reproducible"
    assert checks["seeding"].mistake == "minibatches_ignores_seed"


def test_train_xor_that_outlasts_its_time_limit_times_out(grade_source):
    source = with_overrides("""
import time


def train_xor(seed):
    time.sleep(30)
""")
    result = grade_source(source, "train_xor", time_limit=1.0)
    assert by_id(result)["train_xor"].status == "timeout"


# ----------------------------------------------------------------------------- the spec


SPEC = """
chapter: 5
title: {{en: T, zh: 题}}
reference: optimizers
exercises:
  - id: sgd_step
    title: {{en: SGD, zh: SGD}}
    description: {{en: d, zh: 描述}}
    signature: sgd_step(param, grad, lr)
    dims: {{n: [1, 3]}}
    args:
      param: {{type: array, shape: [n], min: -1, max: 1}}
      grad: {{type: array, shape: [n], min: -1, max: 1}}
      lr: {{type: float, min: 0.01, max: 0.1}}
    checks:
{check}
"""


@pytest.mark.parametrize("check,expected", [
    ("      - {kind: trajectory, points: 1}", "checks[0].trajectory: a trajectory check says"),
    ("      - {kind: trajectory, points: 1, trajectory: {param: w, gradient: wiggly_bowl}}",
     "checks[0].trajectory.param: unknown argument 'w'"),
    ("      - {kind: trajectory, points: 1, trajectory: {param: param, gradient: g, colour: red}}",
     "checks[0].trajectory.colour: unknown key"),
    ("      - {kind: trajectory, points: 1, trajectory: {param: param, gradient: g, steps: two}}",
     "checks[0].trajectory.steps: expected an integer"),
    ("      - {kind: trajectory, points: 1, trajectory: {param: param, gradient: g, "
     "oracle: {optimizer: SGD, args: {lr: rate}}}}", "oracle.args.lr: unknown argument 'rate'"),
    ("      - {kind: behaviour, points: 1}", "checks[0].driver: a behaviour check names its driver"),
    ("      - {kind: gradient, points: 1, of: sgd_step, wrt: [theta]}",
     "checks[0].wrt[0]: unknown argument 'theta'"),
])
def test_the_new_check_fields_are_validated_strictly(tmp_path, check, expected):
    from grader.spec import SpecError, load_exercise_set

    (tmp_path / "ch.yaml").write_text(textwrap.dedent(SPEC.format(check=check)), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_exercise_set(tmp_path)
    assert expected in str(info.value)


def test_a_driver_that_does_not_exist_is_a_spec_error(tmp_path):
    import shutil

    from grader.spec import SpecError

    from catalogue_support import ROOT

    shutil.copytree(ROOT / "reference", tmp_path / "reference",
                    ignore=shutil.ignore_patterns("__pycache__"))
    check = "      - {kind: behaviour, points: 1, driver: no_such_driver}"
    (tmp_path / "ch.yaml").write_text(textwrap.dedent(SPEC.format(check=check)), encoding="utf-8")
    with pytest.raises(SpecError, match="no_such_driver"):
        GradingSession.load(tmp_path)


def test_a_batch_does_not_remember_reference_answers_to_one_students_inputs():
    """ExpectedValues is shared by a whole batch: trajectory steps and shrunk gradient inputs
    depend on one student's answers and are not kept (the plan's cases are)."""
    c = GradingSession.load()
    judge({}, "adam_step", c)
    judge({}, "chain_backward", c)
    size = len(c.expected.memo.outcomes)
    for mistake in ("adam_step_eps_inside_sqrt", "adam_step_no_bias_correction"):
        judge({"adam_step": c.mistake_functions[mistake]}, "adam_step", c)
    wrong_w = c.mistake_functions["chain_backward_wrong_layer_w"]
    result = grade_in_process(c, {**c.reference_functions, "chain_backward": wrong_w}, "test",
                              Options(exercises=("chain_backward",), shrink=True))
    assert by_id(result)["chain_backward"].status == "failed"
    assert len(c.expected.memo.outcomes) - size < 100
