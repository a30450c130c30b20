"""Drawn inputs depend on the strategy and the seed only, not on what else is imported."""

from __future__ import annotations

import importlib.util
import sys

from grader.plan import draw
from grader.spec import load_exercise_set


def _import_local_module(folder, name: str) -> None:
    """A 'local' module (outside site-packages and tests/) full of unusual float constants."""
    path = folder / f"{name}.py"
    path.write_text("ODD = [" + ", ".join(f"{v}.{v * 7919 % 1000:03d}" for v in range(-30, 30)) + "]\n"
                    "MORE = [0.123456789, -7.654321, 29.999, -29.999, 3.14159265, 1e-3]\n")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


def test_a_local_module_full_of_constants_does_not_change_the_draw(tmp_path_factory):
    folder = tmp_path_factory.mktemp("coursework")  # not under a folder named tests
    exercise = load_exercise_set().exercises["sigmoid"]
    before = draw(exercise, 60, seed=7)
    _import_local_module(folder, "student_constants_module")
    try:
        after = draw(exercise, 60, seed=7)
    finally:
        sys.modules.pop("student_constants_module", None)
    assert len(before) == len(after)
    for a, b in zip(before, after, strict=True):
        assert a["x"].shape == b["x"].shape and (a["x"] == b["x"]).all()


def test_every_shipped_exercise_has_a_current_pinned_plan():
    """Change a spec's arguments or the drawing code, then run `python -m grader.plan`."""
    from grader.plan import DEFAULT_SEED, _load_pinned

    stale = [ex.id for ex in load_exercise_set().exercises.values() if _load_pinned(ex, DEFAULT_SEED) is None]
    assert stale == [], f"pinned plans missing or stale for {stale}: run `python -m grader.plan`"


def test_a_fresh_machine_grades_on_the_pinned_inputs_without_drawing(tmp_path):
    """An empty cache: every plan comes from the exercise set, Hypothesis is never imported."""
    import subprocess

    code = ("import sys; from grader.session import GradingSession; c = GradingSession.load(); "
            "[c.plan(e) for e in c.exercise_set.exercises.values()]; print('hypothesis' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**__import__("os").environ, "GRADER_CACHE_DIR": str(tmp_path)})
    assert proc.stdout.strip() == "False", proc.stderr
    assert not any(tmp_path.rglob("*.bin"))  # nothing was drawn into the cache


def test_a_pinned_plan_for_another_spec_is_ignored(tmp_path):
    import dataclasses

    from grader.plan import DEFAULT_SEED, _load_pinned

    ex = load_exercise_set().exercises["relu"]
    changed = dataclasses.replace(ex, examples=ex.examples + 1)
    assert _load_pinned(ex, DEFAULT_SEED) is not None
    assert _load_pinned(changed, DEFAULT_SEED) is None
    assert _load_pinned(ex, DEFAULT_SEED + 1) is None


def test_torch_optims_paths_are_pinned_and_a_fresh_machine_needs_no_torch(tmp_path):
    """The optimizers' trajectories compare with torch.optim's paths pinned with the plans."""
    import os
    import subprocess

    code = ("import sys; from grader.engine import grade_in_process; "
            "from grader.engine import Options; from grader.session import GradingSession; c = GradingSession.load(); "
            "ids = ('sgd_step', 'momentum_step', 'adagrad_step', 'rmsprop_step', 'adam_step'); "
            "r = grade_in_process(c, c.reference_functions, 'ref', Options(exercises=ids)); "
            "print(r.score == r.max_score, 'torch' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "GRADER_CACHE_DIR": str(tmp_path)})
    assert proc.stdout.split() == ["True", "False"], proc.stderr


def test_pinned_torch_paths_equal_what_live_torch_computes(monkeypatch, tmp_path):
    import numpy as np
    import pytest

    pytest.importorskip("torch")
    from grader import codec
    from grader.engine import Options, grade_in_process
    from grader.session import GradingSession
    from grader.judge import trajectory

    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path))
    pinned_files, live = {}, {}
    real = trajectory._pinned_oracle_file

    def remember(ctx, traj, starts, gradient):
        pinned_files[ctx.exercise.id] = real(ctx, traj, starts, gradient)
        return None  # force the live computation

    monkeypatch.setattr(trajectory, "_pinned_oracle_file", remember)
    monkeypatch.setattr(trajectory, "_ORACLE_PATHS", live)
    session = GradingSession.load()
    grade_in_process(session, session.reference_functions, "ref", Options(exercises=("adam_step", "momentum_step")))
    assert set(pinned_files) == {"adam_step", "momentum_step"}
    for exercise, path in pinned_files.items():
        pinned = codec.decode(path.read_bytes())
        [computed] = [v for k, v in live.items() if f"{exercise}-" in k]
        for pinned_path, live_path in zip(pinned, computed, strict=True):
            for (p_param, p_state), (l_param, l_state) in zip(pinned_path, live_path, strict=True):
                np.testing.assert_allclose(p_param, l_param, rtol=1e-12, atol=0)
                for name in p_state:
                    np.testing.assert_allclose(p_state[name], l_state[name], rtol=1e-12, atol=0)
