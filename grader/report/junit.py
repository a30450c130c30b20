"""--format junit: JUnit XML, as GitLab, Jenkins and GitHub test reporters read it.

One <testsuite> for the submission, one <testcase> per check with the exercise id as its
classname (an exercise that ran no check, not attempted or broken, is one testcase of its own).
A failed check is a <failure>, a check or exercise that errored or timed out an <error>, with the
message as attribute and the explanation as text; a check only the instructor's run grades (a
student pack cannot) is <skipped> with the reason. Scores are <properties> of the suite: the
total, the gate, and each exercise's. The document validates against the Jenkins xUnit plugin's
junit-10.xsd, the schema most JUnit consumers follow, which has no properties on a testcase.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .details import check_lines, exercise_lines, points, title
from ..result import ERROR, FAILED, INSTRUCTOR, PASSED, TIMEOUT, SubmissionResult
from .untrusted import xml
from .words import check_name


def _seconds(value: float) -> str:
    return f"{max(value, 0.0):.3f}"


def _outcome(case: ET.Element, status: str, code: str, lines: list[str]) -> str:
    """Add <failure> or <error> under `case`; the kind added ('' when it passed)."""
    if status == PASSED:
        return ""
    if status == INSTRUCTOR:
        ET.SubElement(case, "skipped", {"message": xml(lines[0] if lines else status)})
        return "skipped"
    tag = "error" if status in (ERROR, TIMEOUT) else "failure"
    element = ET.SubElement(case, tag, {"type": code or status,
                                        "message": xml(lines[0] if lines else status)})
    element.text = xml("\n".join(lines))
    return tag


def render_junit(result: SubmissionResult, lang: str = "en") -> str:
    suite = ET.Element("testsuite", {"name": xml(f"grader: {result.submission}")})
    properties = ET.SubElement(suite, "properties")

    def prop(name: str, value: object) -> None:
        ET.SubElement(properties, "property", {"name": name, "value": xml(str(value))})

    prop("score", points(result.score))
    prop("max_score", points(result.max_score))
    if result.required_score is not None:
        prop("required_score", points(result.required_score))
    prop("passed", str(result.passed).lower())
    prop("grader_version", result.grader_version)
    prop("seed", result.seed)
    for ex in result.exercises:
        prop(f"{ex.id}.score", points(ex.score))
        prop(f"{ex.id}.max_score", points(ex.max_score))
        prop(f"{ex.id}.status", ex.status)

    counts = {"tests": 0, "failure": 0, "error": 0, "skipped": 0}
    for ex in result.exercises:
        if not ex.checks:
            case = ET.SubElement(suite, "testcase", {"classname": ex.id, "name": xml(title(ex, lang)),
                                                     "time": _seconds(ex.seconds)})
            status = ex.status if ex.status != "not_attempted" else FAILED
            kind = _outcome(case, status, ex.code, exercise_lines(ex, lang))
            counts["tests"] += 1
            if kind:
                counts[kind] += 1
            continue
        share = ex.seconds / len(ex.checks)
        for check in ex.checks:
            case = ET.SubElement(suite, "testcase", {"classname": ex.id,
                                                     "name": xml(check_name(check, lang)),
                                                     "time": _seconds(share)})
            kind = _outcome(case, check.status, check.code, check_lines(check, lang))
            counts["tests"] += 1
            if kind:
                counts[kind] += 1
    if result.stdout:
        ET.SubElement(suite, "system-out").text = xml(result.stdout)
    if result.stderr:
        ET.SubElement(suite, "system-err").text = xml(result.stderr)

    totals = {"tests": str(counts["tests"]), "failures": str(counts["failure"]),
              "errors": str(counts["error"]), "time": _seconds(result.seconds)}
    suite.attrib.update({**totals, "skipped": str(counts["skipped"])})
    root = ET.Element("testsuites", {"name": "grader", **totals})
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
