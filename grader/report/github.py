"""--format github, and what a run under GitHub Actions adds: step summary and annotations.

`render_github` is the JSON that GitHub Classroom's grading reporter reads from a step output,
base64-encoded by the caller: {version, status, max_score, tests: [{name, status, score, ...}]}.
What the reporter does with it (classroom-resources/autograding-grading-reporter, tag v1 =
d13b5912daf5042ac1b71bc38bdb4a6bcd61d8ca; its src/ is the same at main 43c2d9f524d3):

- the log shows each test as `✅ name - line N` (status "pass") or `❌ name - line N`, then its
  `test_code` under "Test code:"; `message` is printed only for status "error", in place of the
  name and line (src/console-results.js);
- the log's "Total points" and its table are (tests passed / tests) × `max_score`: each test's
  own score is ignored (src/helpers/test-helpers.js getTestScore, src/aggregate-results.js);
- the grade recorded for GitHub Classroom is the sum of the tests' `score`, out of `max_score`
  (src/notify-classroom.js);
- the job fails when `status` is "fail" or "error" (src/main.js).

So that what the student reads is what is recorded, every test weighs the same: a check worth k
units is k tests (`softmax · edge cases (1/2)`, `(2/2)`), the unit being the greatest common
divisor of the points at stake and earned (exact to the millionth the result model rounds to),
so the ratio of tests passed is the score's. Each passing test's `score` is its step in the
running total, so that the reporter's float sum is the score (a unit of 1 or 0.5 is simply its
value; three tests of 0.1 would add up to 0.30000000000000004). What no layout can change: the
table prints (passed / tests) × max as a float, one ulp off the score for a few pairs (15 of 44:
14.999999999999998); the "Total points" line rounds it to 2 decimals, and the recorded grade is
exact. Points finer than MAX_TESTS tests allow are one test per check, and the log says that its
total is not the score.

What the log shows: a test that did not pass is "fail", whether its check failed, raised or
timed out (an "error" test would show neither its name nor its line; the explanation says what
happened). A check's explanation is its first test's `test_code`, shown once (one explanation
shared by several exercises, as a file that does not import gives, once in all); `message` stays
empty. A check worth nothing here (graded by the instructor, in a student pack) would move the
ratio as a test: its explanation is a note under the test before it. A run with nothing at stake
is one test per check (the reporter prints no total then, and records nothing).

The status says what the exit code says: "pass" when the run passed (its `--fail-under` gate,
or every exercise), "error" when nothing could be graded, "fail" otherwise.

`render_summary` is Markdown for $GITHUB_STEP_SUMMARY; `annotations` are `::error` workflow
commands that point at the line of the student's function. All three are pure functions of a
result (and, for annotations, of where the repository is checked out).
"""


import math
import os
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..messages import text
from .details import check_lines, exercise_lines, points, score_line, test_name, title
from .failed_check import title as failed_title
from ..result import (ERROR, INSTRUCTOR, NOT_ATTEMPTED, PASSED, TIMEOUT, CheckResult, ExerciseResult,
                      SubmissionResult)
from .untrusted import (annotation_message, annotation_property, json_dumps, markdown_block,
                        markdown_inline, text_line)
from .words import check_name

FORMAT_VERSION = 1
#: the most tests a result holds: twice the shipped catalogue's 160 points. The reporter reads the
#: base64 result from one environment variable, which Linux caps at 128 KiB; a test takes about
#: 190 bytes of it, and the explanations need room too. Finer points are one test per check,
#: and the first test says that the log's total is not the score (`report.classroom_coarse`).
MAX_TESTS = 320
_MILLION = 1_000_000
_ICONS = {"passed": "✅", "failed": "❌", "error": "💥", "timeout": "⏱️", "not_attempted": "➖",
          "instructor": "🎓"}


def source_file(result: SubmissionResult, module: str | None) -> str | None:
    """The path of a submission's module: the submission itself, or a file of its folder."""
    if not module:
        return None
    if result.submission.endswith((".py", ".ipynb")):
        return os.path.normpath(result.submission)
    return os.path.normpath(os.path.join(result.submission, str(module)))


def _location(result: SubmissionResult, exercise: ExerciseResult) -> tuple[str | None, int | None]:
    """Where to point: the student's function, or the line a file failed to import at."""
    location = exercise.location or {}
    module, line = location.get("module"), location.get("line")
    if not module and exercise.code == "import_error":
        module, line = exercise.facts.get("file"), exercise.facts.get("line")
    try:
        number = int(line) if line else None
    except (TypeError, ValueError):
        number = None
    return source_file(result, module), number


def exact_points(value: float) -> Fraction:
    """Points as an exact fraction, to the millionth the result model rounds its totals to."""
    return Fraction(round(value * _MILLION), _MILLION)


@dataclass(frozen=True)
class _Graded:
    """A check, or an exercise that ran none: what the reporter shows as tests of equal weight."""

    exercise: ExerciseResult
    name: str
    status: str
    earned: Fraction
    worth: Fraction
    explanation: str

    @property
    def passed(self) -> bool:
        return self.status in (PASSED, INSTRUCTOR)

    def note(self) -> str:
        """The explanation with the check's name above it, for under another check's test."""
        if not self.explanation or self.status == PASSED:
            return ""
        return f"{'◦' if self.status == INSTRUCTOR else '✗'} {self.name}\n{self.explanation}"


def _graded(result: SubmissionResult, lang: str) -> list[_Graded]:
    def item(ex: ExerciseResult, check: CheckResult | None) -> _Graded:
        graded = check or ex
        lines = check_lines(check, lang) if check else exercise_lines(ex, lang)
        return _Graded(ex, text_line(test_name(ex, check, lang)), graded.status,
                       exact_points(graded.score), exact_points(graded.max_score),
                       "" if graded.status == PASSED else "\n".join(lines))

    no_checks: list[CheckResult | None] = [None]  # an exercise that ran no check still gets a test
    return [item(ex, check) for ex in result.exercises for check in (ex.checks or no_checks)]


def weight_unit(items: list[_Graded]) -> Fraction | None:
    """What every test is worth: the greatest common divisor of the points at stake and earned
    (None when nothing is at stake)."""
    millionths = [int(value * _MILLION) for item in items for value in (item.earned, item.worth) if value]
    return Fraction(math.gcd(*millionths), _MILLION) if millionths else None


class _Tests:
    """The result's tests, built in the order the reporter prints and sums them."""

    def __init__(self, result: SubmissionResult, lang: str) -> None:
        self.result, self.lang = result, lang
        self.tests: list[dict[str, Any]] = []
        self._notes: list[str] = []  # for the next test's test_code: notes before any test
        self._shown: set[str] = set()  # explanations already in the log
        self._timed: set[str] = set()  # exercises whose time a test carries
        self._total = Fraction(0)  # the scores so far, summed exactly

    def note(self, note: str) -> None:
        """Under the last test (the check printed before this one), or else the next."""
        if not self.tests:
            self._notes.append(note)
            return
        last = self.tests[-1]
        last["test_code"] = "\n\n".join(filter(None, [last.get("test_code"), note]))

    def add(self, item: _Graded, count: int, passing: int, gain: Fraction) -> None:
        """`count` tests for `item`, the first `passing` of them passed, each worth `gain`.

        A passing test's score is the step from the float of the running total to the float of
        the next one: both are within a factor of 2 of each other, so the step is exact (Sterbenz)
        and the reporter's float sum is the float of the exact total after every test."""
        filename, line = _location(self.result, item.exercise)
        explanation = "" if item.explanation in self._shown else item.explanation
        self._shown.add(item.explanation)
        for part in range(count):
            score = 0.0
            if part < passing:
                score = float(self._total + gain) - float(self._total)
                self._total += gain
            test: dict[str, Any] = {
                "name": item.name if count == 1 else text("report.test_part", self.lang).format(
                    test=item.name, part=part + 1, parts=count),
                "status": "pass" if part < passing else "fail", "score": score,
                "max_score": float(item.worth / count), "message": "",
                "filename": filename or "", "line_no": line or 0}
            code = "\n\n".join(filter(None, [*self._notes, explanation])) if part == 0 else ""
            if code:
                test["test_code"] = code
                self._notes.clear()
            if item.exercise.id not in self._timed:
                self._timed.add(item.exercise.id)
                test["execution_time"] = f"{item.exercise.seconds:.2f}s"
            self.tests.append(test)


def as_dict(result: SubmissionResult, lang: str = "en") -> dict[str, Any]:
    items = _graded(result, lang)
    unit = weight_unit(items)
    coarse = unit is not None and sum(item.worth for item in items) / unit > MAX_TESTS
    tests = _Tests(result, lang)
    if coarse:
        tests.note(text("report.classroom_coarse", lang).format(
            limit=MAX_TESTS, score=points(result.score), max_score=points(result.max_score)))
    for item in items:
        if unit is not None and not item.worth:  # as a test it would move the ratio: a note
            if item.note():
                tests.note(item.note())
        elif unit is None or coarse:  # nothing at stake, or points too fine: one test a check
            tests.add(item, 1, int(item.passed), item.earned)
        else:
            tests.add(item, int(item.worth / unit), int(item.earned / unit), unit)
    if result.passed:
        status = "pass"
    elif result.exercises and all(ex.status == ERROR for ex in result.exercises):
        status = "error"  # nothing could be graded at all (no file, nothing importable)
    else:
        status = "fail"
    return {"version": FORMAT_VERSION, "status": status, "max_score": result.max_score,
            "tests": tests.tests}


def render_github(result: SubmissionResult, lang: str = "en") -> str:
    return json_dumps(as_dict(result, lang), separators=(",", ":"))


def render_summary(result: SubmissionResult, lang: str = "en") -> str:
    """Markdown for the job's summary page: the score, a table, then each failure."""
    lines = [f"### {markdown_inline(text('report.title', lang).format(submission=result.submission))}", "",
             f"**{score_line(result, lang)}**", "",
             f"| | {text('report.exercise', lang)} | | {text('report.status', lang)} "
             f"| {text('report.points', lang)} |",
             "|---|---|---|---|---|"]
    for ex in result.exercises:
        lines.append(f"| {_ICONS.get(ex.status, '')} | `{ex.id}` | {markdown_inline(title(ex, lang))} "
                     f"| {text(f'status.{ex.status}', lang)} "
                     f"| {points(ex.score)}/{points(ex.max_score)} |")
    for ex in result.exercises:
        if ex.status in (ERROR, TIMEOUT) and not ex.checks:
            lines += ["", f"#### ✗ {ex.id}", "", *map(markdown_inline, exercise_lines(ex, lang))]
        for check in ex.checks:
            if check.status == PASSED:
                continue
            if check.status == INSTRUCTOR:
                lines += ["", f"#### ◦ {ex.id} · {check_name(check, lang)}", "",
                          *map(markdown_inline, check_lines(check, lang))]
                continue
            body = check_lines(check, lang)
            lines += ["", f"#### {failed_title(ex, check, lang)}", ""]
            if body:
                lines.append(markdown_block("\n".join(body)))
    return "\n".join(lines) + "\n"


def annotations(result: SubmissionResult, lang: str = "en", workspace: str | None = None) -> list[str]:
    """`::error file=…,line=…,title=…::message` for each exercise that did not pass.

    `workspace` is the repository's root ($GITHUB_WORKSPACE): annotation paths are relative to it.
    """
    commands: list[str] = []
    for ex in result.exercises:
        if ex.status in (PASSED, INSTRUCTOR):
            continue
        filename, line = _location(result, ex)
        props: dict[str, str] = {}
        if filename:
            if workspace and os.path.isabs(filename):
                relative = os.path.relpath(filename, workspace)
                filename = relative if not relative.startswith("..") else filename
            props["file"] = filename
            if line:
                props["line"] = str(line)
        props["title"] = (f"{ex.id}: {text(f'status.{ex.status}', lang)} "
                          f"({points(ex.score)}/{points(ex.max_score)})")
        failing = [c for c in ex.checks if c.status not in (PASSED, INSTRUCTOR)]
        message = (check_lines(failing[0], lang) if failing else exercise_lines(ex, lang)) or [ex.id]
        if len(failing) > 1:
            message = message + [text("report.also_failed", lang).format(
                checks=", ".join(check_name(c, lang) for c in failing[1:]))]
        level = "warning" if ex.status == NOT_ATTEMPTED else "error"
        rendered = ",".join(f"{k}={annotation_property(v)}" for k, v in props.items())
        body = annotation_message("\n".join(message))
        if ex.code == "import_error" and any(c.endswith("::" + body) for c in commands):
            continue  # one broken file: one annotation, not one per exercise
        commands.append(f"::{level} {rendered}::{body}")
    return commands
