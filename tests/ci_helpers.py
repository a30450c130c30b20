"""Shared by the CI, pack and template tests: a chapter-3 exercise set with hidden checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from conftest import ROOT

#: (exercise, check kind) marked hidden, and their points
HIDDEN = {("sigmoid", "properties"): 1.0, ("tanh_grad", "gradient"): 2.0}
CH3_POINTS = 44.0
CH3 = ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "leaky_relu",
       "leaky_relu_grad", "softmax", "maxout"]


def course_with_hidden_checks(target: Path) -> Path:
    """Chapter 3 of the shipped set, its reference, and two checks made hidden."""
    from grader.spec.loader import _Loader

    source = ROOT / "grader" / "course"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source / "reference", target / "reference",
                    ignore=shutil.ignore_patterns("__pycache__"))
    raw = yaml.load((source / "ch3_activations.yaml").read_text(encoding="utf-8"), Loader=_Loader)
    for exercise in raw["exercises"]:
        for check in exercise["checks"]:
            if (exercise["id"], check["kind"]) in HIDDEN:
                check["visibility"] = "hidden"
    (target / "ch3_activations.yaml").write_text(
        yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target
