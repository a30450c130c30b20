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
    for a, b in zip(before, after):
        assert a["x"].shape == b["x"].shape and (a["x"] == b["x"]).all()


def test_every_shipped_exercise_has_a_current_pinned_plan():
    """Change a spec's arguments or the drawing code, then run `python -m grader.plan`."""
    from grader.plan import DEFAULT_SEED, _load_pinned

    stale = [ex.id for ex in load_exercise_set().exercises.values() if _load_pinned(ex, DEFAULT_SEED) is None]
    assert stale == [], f"pinned plans missing or stale for {stale}: run `python -m grader.plan`"


def test_a_fresh_machine_grades_on_the_pinned_inputs_without_drawing(tmp_path):
    """An empty cache: every plan comes from the exercise set, Hypothesis is never imported."""
    import subprocess

    code = ("import sys; from grader.engine import Course; c = Course.load(); "
            "[c.plan(e) for e in c.set.exercises.values()]; print('hypothesis' in sys.modules)")
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
