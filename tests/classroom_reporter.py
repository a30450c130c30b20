"""What GitHub Classroom's grading reporter makes of a runner's result, re-implemented in Python.

From the source of classroom-resources/autograding-grading-reporter at tag v1, the version the
workflow of `grader ci github` uses (commit d13b5912daf5042ac1b71bc38bdb4a6bcd61d8ca; its src/
is unchanged at main, 43c2d9f524d3c7926caf7cb4fee34200b40b8c26):

- `printed_score`: src/helpers/test-helpers.js `getTestScore`, the figure of the log's
  "Total points for <runner>" line (src/console-results.js) and of its table
  (src/aggregate-results.js): tests with status "pass" / tests × the runner's `max_score`;
- `recorded`: src/notify-classroom.js, the grade sent to GitHub Classroom: the tests' `score`
  summed in order, out of `max_score`, or nothing at all when `max_score` is 0;
- `job_fails`: src/main.js, `setFailed` when a runner's status is "fail" or "error";
- `log_lines`: src/console-results.js and src/aggregate-results.js, the lines a student reads,
  colours left out, the table drawn as cli-table3 draws it (column widths 20, 13, 13; a cell
  longer than its width less the padding cut with "…").

JavaScript numbers are IEEE doubles and `+`, `/` and `*` round as Python's floats do, so the
figures here are the reporter's bit for bit; `js_string` and `to_fixed` print them as
JavaScript's String() and Number.prototype.toFixed do (for the values a grade can take).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

RUNNER = "grader"
_COLUMNS = (20, 13, 13)


def printed_score(results: dict[str, Any]) -> float:
    """getTestScore: (tests passed / tests) × max_score. NaN when there is no test."""
    tests = results["tests"]
    passed = sum(1 for test in tests if test["status"] == "pass")
    maximum = results["max_score"] or 0
    return passed / len(tests) * maximum if tests else float("nan")


def recorded(results: dict[str, Any]) -> tuple[float, float] | None:
    """NotifyClassroom: (points, max points) as sent to GitHub Classroom, None when nothing is."""
    if not results["max_score"]:
        return None
    total = 0
    for test in results["tests"]:
        total += test["score"]
    return total, results["max_score"]


def job_fails(results: dict[str, Any]) -> bool:
    return results["status"] in ("fail", "error")


def js_string(value: float) -> str:
    """String(value) in JavaScript, for finite numbers below 1e21 and NaN."""
    if value != value:
        return "NaN"
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    shown = repr(value)
    assert "e" not in shown, f"{value!r}: exponent notation is not modelled"
    return shown


def to_fixed(value: float, digits: int) -> str:
    """Number.prototype.toFixed: the double's exact decimal value, ties rounded up."""
    return str(Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def _cell(value: str, width: int) -> str:
    room = width - 2
    shown = value if len(value) <= room else value[:room - 1] + "…"
    return " " + shown.ljust(room) + " "


def _table(rows: list[list[str]]) -> list[str]:
    def rule(left: str, middle: str, right: str) -> str:
        return left + middle.join("─" * width for width in _COLUMNS) + right

    lines = [rule("┌", "┬", "┐")]
    for index, row in enumerate(rows):
        if index:
            lines.append(rule("├", "┼", "┤"))
        lines.append("│" + "│".join(_cell(value, width) for value, width in zip(row, _COLUMNS, strict=True)) + "│")
    return lines + [rule("└", "┴", "┘")]


def log_lines(results: dict[str, Any], runner: str = RUNNER) -> list[str]:
    """The reporter's log for one runner, as console.log writes it (no colours)."""
    lines = [f"🔄 Processing: {runner}"]
    for test in results["tests"]:
        at = f" - line {test['line_no']}" if test.get("line_no") != 0 else ""
        if test["status"] == "pass":
            lines.append(f"✅ {test['name']}{at}")
        elif test["status"] == "error":
            fallback = f"Failed to run test '{test['name']}'"
            lines += [f"Error: {test.get('message') or fallback}", ""]
        else:
            lines.append(f"❌ {test['name']}{at}")
        if test.get("test_code"):
            lines += ["Test code:", *test["test_code"].split("\n"), ""]
    score, maximum = printed_score(results), results["max_score"] or 0
    if maximum != 0:
        lines += [f"Total points for {runner}: {to_fixed(score, 2)}/{js_string(maximum)}", ""]
    lines.append("Test runner summary")
    lines += _table([["Test Runner Name", "Test Score", "Max Score"],
                     [runner.strip(), js_string(score), js_string(maximum)],
                     ["Total: ", js_string(0 + score), js_string(0 + maximum)]])
    passed = sum(1 for test in results["tests"] if test["status"] == "pass")
    lines += [f"🏆 Grand total tests passed: {passed}/{len(results['tests'])}", ""]
    return lines
