"""The report stage: one reporter per output format, each a function of a result and a language.

Reporters format; they never decide. `reporter` maps a --format name to its reporter. What they
format is the result model, grader/result.py.
"""

from __future__ import annotations

from typing import Callable

from ..result import SubmissionResult

Reporter = Callable[[SubmissionResult, str], str]


def reporter(name: str) -> Reporter:
    if name == "json":
        from .json import render_json
        return render_json
    if name == "text":
        from .text import render_text
        return render_text
    if name == "junit":
        from .junit import render_junit
        return render_junit
    if name == "gradescope":
        from .gradescope import render_gradescope
        return render_gradescope
    if name == "github":
        from .github import render_github
        return render_github
    raise LookupError(f"no reporter for format {name!r}")


__all__ = ["Reporter", "reporter"]
