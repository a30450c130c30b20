"""Shared by the CI, pack and template tests: a chapter-3 exercise set with hidden checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from support import ROOT

#: (exercise, check kind) marked hidden, and their points
HIDDEN = {("sigmoid", "properties"): 1.0, ("tanh_grad", "gradient"): 2.0}
CH3_POINTS = 44.0
CH3 = ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "leaky_relu",
       "leaky_relu_grad", "softmax", "maxout"]


def course_with_hidden_checks(target: Path) -> Path:
    """Chapter 3 of the shipped set, its reference, and two checks made hidden."""
    from grader.spec.loader import _Loader

    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "reference", target / "reference",
                    ignore=shutil.ignore_patterns("__pycache__"))
    raw = yaml.load((ROOT / "exercises" / "ch3_activations.yaml").read_text(encoding="utf-8"),
                    Loader=_Loader)
    for exercise in raw["exercises"]:
        for check in exercise["checks"]:
            if (exercise["id"], check["kind"]) in HIDDEN:
                check["visibility"] = "hidden"
    (target / "ch3_activations.yaml").write_text(
        yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


#: what the grader needs at run time, and pip (for a workflow's install step), by distribution
RUNTIME = ("numpy", "PyYAML", "click", "hypothesis", "sortedcontainers", "attrs", "pip")


def fresh_venv(target: Path, packages: tuple[str, ...] = RUNTIME) -> Path:
    """A new venv without the grader, holding this environment's NumPy, PyYAML, Click, Hypothesis
    (and pip), or `packages`, as files of its own site-packages: hard links, or copies across
    file systems.

    Why not a .pth to this environment's site-packages: the sandbox lets a worker read its own
    interpreter's site-packages only, so NumPy's lazy imports (numpy.random) would fail there.
    Why not `pip install` them: offline and in a second rather than a download."""
    import os
    import subprocess
    import sys
    from importlib.metadata import distribution

    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(target)], check=True)
    python = target / "bin" / "python"
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    for name in packages:
        dist = distribution(name)
        for file in dist.files or []:
            if ".." in file.parts or "__pycache__" in file.parts:
                continue
            source = Path(str(dist.locate_file(file)))
            if not source.is_file():
                continue
            destination = purelib / file
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, destination)
            except OSError:
                shutil.copy2(source, destination)
    return target


def install(venv: Path, wheel: Path) -> None:
    """`pip install` a wheel (alone: the venv has its dependencies) into `venv`, offline."""
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    proc = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-index",
                           "--no-deps", "--disable-pip-version-check", "-q", str(wheel)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
