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
