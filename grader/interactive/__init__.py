"""Check functions defined in a notebook (or any interactive session) from a cell.

    import grader
    grader.check(sigmoid, softmax)     # or grader.check() for every exercise function defined
    %load_ext grader                   # then: %grade sigmoid softmax

The live function objects are never judged, nor called, in the kernel: their source is collected
(grader.interactive.source) into one module, graded exactly like a submitted file in the
sandboxed worker, and shown as a CheckReport (grader.interactive.report). The grading session
(and its zygote) is opened once per kernel, exercise set and seed, and kept for the next call.
"""

from __future__ import annotations

import atexit
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .report import CheckReport
from .source import MODULE, Collected, collect
from ..facts import Facts, Note

if TYPE_CHECKING:
    from ..result import SubmissionResult
    from ..session import GradingSession
    from ..submission import Submission


class KernelSessions:
    """What a kernel keeps between calls: one grading session per exercise set and seed, on the
    public inputs (a student's own check), each with its zygote, all closed when Python exits."""

    def __init__(self) -> None:
        self.sessions: dict[tuple[str | None, int | None], GradingSession] = {}

    def get(self, exercises: str | None, seed: int | None) -> GradingSession:
        from ..session import open_session

        key = (exercises, seed)
        if key not in self.sessions:
            if not self.sessions:
                atexit.register(self.close)
            self.sessions[key] = open_session(exercises, seed=seed, private=False)
        return self.sessions[key]

    def close(self) -> None:
        for session in self.sessions.values():
            session.close()


SESSIONS = KernelSessions()


def _exercise_functions(functions: tuple[object, ...], namespace: dict[str, object], ids: set[str],
                        notes: list[Note]) -> dict[str, object]:
    """Exercise name → object for what was passed (objects or names), or every one defined."""
    chosen: dict[str, object] = {}
    if not functions:
        for name, value in namespace.items():
            if name in ids and callable(value) and not name.startswith("_"):
                chosen[name] = value
        return chosen
    for item in functions:
        if isinstance(item, str):
            if item in ids and item in namespace:
                chosen[item] = namespace[item]
            else:
                notes.append({"code": "jupyter.not_exercise", "facts": {"name": item}})
            continue
        bound: str | None = getattr(item, "__name__", None)
        if bound not in ids:  # `sigmoid = my_sigmoid`: the name it is bound to in the notebook
            bound = next((k for k, v in namespace.items() if v is item and k in ids), bound)
        if bound is not None and bound in ids:
            chosen[bound] = item
        else:
            notes.append({"code": "jupyter.not_exercise", "facts": {"name": bound or repr(item)}})
    return chosen


def check(*functions: object, namespace: dict[str, object] | None = None, lang: str | None = None,
          exercises: str | None = None, seed: int | None = None, shrink: bool = True,
          time_limit: float | None = None) -> CheckReport:
    """Check exercise functions (objects or names; none: every one in `namespace`)."""
    from ..config import choose_language
    from ..engine import Options

    lang = choose_language(lang).lang
    namespace = namespace if namespace is not None else {}
    session = SESSIONS.get(exercises, seed)
    ids = set(session.exercise_set.exercises)
    notes: list[Note] = []
    chosen = _exercise_functions(functions, namespace, ids, notes)
    if not chosen:
        return CheckReport(None, lang, notes + [{"code": "jupyter.nothing", "facts": {}}], [])
    collected = collect(chosen, namespace, _companions(namespace, ids, chosen))
    notes += collected.notes
    ordered = tuple(i for i in session.exercise_set.exercises if i in chosen)
    result = session.grade(_submission(collected),
                           Options(exercises=ordered, shrink=shrink, time_limit=time_limit))
    _point_into_cells(result, collected)
    return CheckReport(result, lang, notes, sorted(chosen, key=ordered.index), collected.source)


def _companions(namespace: dict[str, object], ids: set[str], chosen: dict[str, object]) -> dict[str, object]:
    """The other exercise functions defined in the notebook, which the chosen ones may call."""
    return {k: v for k, v in namespace.items()
            if k in ids and k not in chosen and isinstance(v, types.FunctionType)}


def _submission(collected: Collected) -> Submission:
    """The collected source as a one-module submission, graded like a submitted file."""
    from ..submission import Submission

    return Submission(path=Path(f"{MODULE}.py"),
                      modules=[{"name": MODULE, "filename": f"{MODULE}.py", "source": collected.source}])


def _point_into_cells(result: SubmissionResult, collected: Collected) -> None:
    """Lines of the generated module become lines of the notebook's cells in the facts."""
    def relocate(facts: Facts | None, key: str = "file") -> None:
        line = facts.get("line") if facts else None
        if not facts or not isinstance(line, int):
            return
        if facts.get(key) not in (f"{MODULE}.py", MODULE):
            return
        where = collected.locate(line)
        if where is not None:
            facts[key], facts["line"] = where

    for ex in result.exercises:
        relocate(ex.facts)
        relocate(ex.location, "module")
        for check_result in ex.checks:
            relocate(check_result.facts)


def grade_magic(line: str, namespace: dict[str, object]) -> CheckReport | None:
    """`%grade [--lang zh|en] [NAME ...]`."""
    lang, names = _parse_magic(line)
    if names is None:
        from ..config import choose_language
        from ..messages import text

        print(text("jupyter.magic_usage", choose_language(lang).lang))
        return None
    return check(*names, namespace=namespace, lang=lang)


def _parse_magic(line: str) -> tuple[str | None, list[str] | None]:
    """The language and the names of a `%grade` line (names None: an option it does not know)."""
    words = line.split()
    lang = None
    names: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--lang" and i + 1 < len(words) and words[i + 1] in ("en", "zh"):
            lang = words[i + 1]
            i += 2
            continue
        if word.startswith("--lang=") and word.split("=", 1)[1] in ("en", "zh"):
            lang = word.split("=", 1)[1]
        elif word.startswith("-"):
            return lang, None
        else:
            names.append(word.strip(","))
        i += 1
    return lang, names


def load_ipython_extension(ipython: Any) -> None:
    def grade(line: str) -> CheckReport | None:
        return grade_magic(line, ipython.user_ns)

    grade.__doc__ = grade_magic.__doc__
    ipython.register_magic_function(grade, magic_kind="line", magic_name="grade")
