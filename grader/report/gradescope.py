"""--format gradescope: the results.json a Gradescope autograder writes.

Follows Gradescope's autograder specification: a top-level `score`, and one entry in `tests` per
check (`name`, `number` as "exercise.check", `score`, `max_score`, `status` passed/failed,
`output`, `visibility`). A hidden check shows to students once grades are published
(`after_published`); everything else is `visible`. The specification has no top-level
`max_score`: the total, the gate and the grader's version go into `extra_data`.
"""

from __future__ import annotations

from typing import Any

from ..messages import text
from .details import check_lines, exercise_lines, score_line, test_name
from ..result import INSTRUCTOR, PASSED, SubmissionResult
from .untrusted import json_dumps, text_block
from .words import printed_lines

VISIBILITY = {"public": "visible", "hidden": "after_published"}


def as_dict(result: SubmissionResult, lang: str = "en") -> dict[str, Any]:
    tests: list[dict[str, Any]] = []
    for i, ex in enumerate(result.exercises, start=1):
        if not ex.checks:
            tests.append({"name": test_name(ex, None, lang), "number": f"{i}",
                          "score": ex.score, "max_score": ex.max_score,
                          "status": "passed" if ex.status == PASSED else "failed",
                          "output": "\n".join(exercise_lines(ex, lang)), "output_format": "text",
                          "visibility": "visible", "tags": [ex.id]})
            continue
        for j, check in enumerate(ex.checks, start=1):
            tests.append({"name": test_name(ex, check, lang), "number": f"{i}.{j}",
                          "score": check.score, "max_score": check.max_score,
                          "status": "passed" if check.status in (PASSED, INSTRUCTOR) else "failed",
                          "output": "\n".join(check_lines(check, lang)), "output_format": "text",
                          "visibility": VISIBILITY.get(check.visibility, "visible"),
                          "tags": [ex.id, check.kind]})
    output = score_line(result, lang)
    printed = printed_lines(result.stdout, lang)
    if printed:
        output += "\n\n" + text("report.stdout", lang) + "\n" + "\n".join(
            "  " + line if ours else text_block(line, "  | ") for line, ours in printed)
    return {
        "score": result.score,
        "execution_time": int(round(result.seconds)),
        "output": output,
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"max_score": result.max_score, "required_score": result.required_score,
                       "passed": result.passed, "grader_version": result.grader_version,
                       "seed": result.seed, "spec_digest": result.spec_digest},
        "tests": tests,
    }


def render_gradescope(result: SubmissionResult, lang: str = "en") -> str:
    return json_dumps(as_dict(result, lang), indent=2)
