"""Base material: code every student was given, whose fingerprints are no evidence of copying.

By default it is the starter `grader init` writes for the exercises compared, in every language
and as both a .py file and a notebook (grader/starter.py builds them from the exercise set, so
any selection of exercises has its starter); an instructor adds their own handout files. Every
k-gram of the base is kept (not only the winnowed ones), since a student's code winnows a piece
of the starter differently when it sits beside their own lines. The signature and docstring of
an exercise function need nothing here: a function is compared by its body, without docstrings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..messages import LANGUAGES
from ..submission.ipynb import notebook_module
from ..spec import Exercise, ExerciseSet
from ..submission import load_submission
from .record import Method, fingerprint

STARTER_FILE = "starter"


@dataclass
class BaseMaterial:
    hashes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # sorted, unique
    #: what it was made from, for the report: {"code": message code, "facts": {...}} each
    sources: list[dict[str, Any]] = field(default_factory=list)
    #: base files that could not be read: {"code", "facts"} each
    problems: list[dict[str, Any]] = field(default_factory=list)

    def add(self, other: "BaseMaterial") -> "BaseMaterial":
        return BaseMaterial(np.union1d(self.hashes, other.hashes), self.sources + other.sources,
                            self.problems + other.problems)


def _every_kgram(modules: list[dict[str, str]], exercises: frozenset[str], method: Method) -> np.ndarray:
    record = fingerprint(STARTER_FILE, modules, exercises, Method(method.k, 1, method.normaliser))
    found = [unit.hashes for unit in record.units.values()]
    return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)


def starter_material(exercise_set: ExerciseSet, exercises: list[Exercise], method: Method) -> BaseMaterial:
    """The `grader init` starter of these exercises, in every language, .py and .ipynb."""
    from ..starter import chapter_titles, notebook_starter, python_starter

    titles = chapter_titles(exercise_set)
    ids = frozenset(ex.id for ex in exercises)
    modules = []
    for lang in LANGUAGES:
        modules.append({"name": STARTER_FILE, "filename": f"{STARTER_FILE}.py",
                        "source": python_starter(exercises, lang, f"{STARTER_FILE}.py", titles)})
        notebook = notebook_starter(exercises, lang, f"{STARTER_FILE}.ipynb", titles)
        modules.append({"name": STARTER_FILE, "filename": f"{STARTER_FILE}.ipynb",
                        "source": notebook_module(notebook).source})
    hashes = np.unique(np.concatenate([_every_kgram([m], ids, method) for m in modules]))
    return BaseMaterial(hashes, [{"code": "similarity.base_starter",
                                  "facts": {"count": len(exercises), "languages": ", ".join(LANGUAGES)}}])


def file_material(paths: list[Path], exercises: frozenset[str], method: Method) -> BaseMaterial:
    """An instructor's own handout files (.py, .ipynb or folders, read like submissions)."""
    material = BaseMaterial()
    for path in paths:
        submission = load_submission(path)
        if submission.error is not None:
            material.problems.append({"code": submission.error, "facts": dict(submission.error_facts)})
            continue
        hashes = _every_kgram(submission.modules, exercises, method)
        material = material.add(BaseMaterial(hashes, [{"code": "similarity.base_file",
                                                       "facts": {"file": path.name}}]))
    return material


__all__ = ["BaseMaterial", "starter_material", "file_material"]
