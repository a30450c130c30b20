"""CI output formats, each checked by a parser or a schema; -o, --base64, --fail-under and the
GitHub Actions extras (step summary, annotations at the student's function) on the command line."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import click
import pytest

from classroom_reporter import printed_score, recorded
from support import ROOT

SCHEMAS = ROOT / "tests" / "data" / "schemas"
BUGGY = ROOT / "submissions" / "buggy.py"


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def def_line(path: Path, function: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if re.match(rf"def {function}\(", line):
            return number
    raise AssertionError(f"no def {function} in {path}")


@pytest.fixture(scope="module")
def result(session, zygote):
    """Failures with hints, a not-attempted exercise, a hidden check, and hostile stdout."""
    from grader.engine import Options, grade
    buggy = grade(session, BUGGY, zygote, Options(exercises=("relu_grad", "tanh_grad", "sigmoid")))
    partial = grade(session, ROOT / "submissions" / "partial.py", zygote, Options(exercises=("tanh",)))
    assert partial.exercises[0].status == "not_attempted"
    exercises = [dataclasses.replace(ex, checks=list(ex.checks)) for ex in buggy.exercises]
    sigmoid = exercises[2]
    sigmoid.checks[-1] = dataclasses.replace(sigmoid.checks[-1], visibility="hidden")
    return dataclasses.replace(buggy, exercises=exercises + partial.exercises,
                               stdout="printed \x00\x1b[31m <b>&</b> ]]> 你好\n")


def test_junit_validates_against_the_schema_and_parses(result):
    import junitparser
    import xmlschema

    from grader.report import reporter

    document = reporter("junit")(result, "en")
    xmlschema.XMLSchema(str(SCHEMAS / "junit.xsd")).validate(document)
    parsed = junitparser.JUnitXml.fromstring(document)
    [suite] = list(parsed)
    cases = list(suite)
    checks = sum(len(ex.checks) or 1 for ex in result.exercises)
    assert len(cases) == suite.tests == checks
    assert {case.classname for case in cases} == {ex.id for ex in result.exercises}
    failed = [case for case in cases if not case.is_passed]
    expected_failed = sum(1 for ex in result.exercises for c in ex.checks if c.status != "passed") + 1
    assert len(failed) == suite.failures + suite.errors == expected_failed
    [tanh_grad_reference] = [c for c in cases if c.classname == "tanh_grad" and c.name == "matches the reference"]
    [failure] = tanh_grad_reference.result
    assert failure.type == "mismatch" and "tanh_grad(x=" in failure.message
    assert "Hint:" in failure.text  # the explanation is the element's text
    properties = {p.name: p.value for p in suite.properties()}
    assert float(properties["score"]) == result.score
    assert float(properties["max_score"]) == result.max_score
    assert properties["tanh.status"] == "not_attempted"
    out = ElementTree.fromstring(document.encode()).find("testsuite/system-out").text
    assert "你好" in out and "\x00" not in out and "<b>&</b> ]]>" in out


def test_gradescope_results_validate_and_add_up(result):
    import jsonschema

    from grader.report import reporter

    data = json.loads(reporter("gradescope")(result, "zh"))
    jsonschema.validate(data, schema("gradescope-results.schema.json"))
    assert data["score"] == pytest.approx(sum(t["score"] for t in data["tests"]))
    assert data["extra_data"]["max_score"] == pytest.approx(sum(t["max_score"] for t in data["tests"]))
    assert len({t["number"] for t in data["tests"]}) == len(data["tests"])
    visibility = {t["name"]: t["visibility"] for t in data["tests"]}
    hidden = [name for name, v in visibility.items() if v == "after_published"]
    assert len(hidden) == 1 and hidden[0].startswith("sigmoid · ")
    failed = [t for t in data["tests"] if t["status"] == "failed"]
    assert failed and all(t["output"] for t in failed)
    assert "提示" in "".join(t["output"] for t in failed)  # in the language asked for
    assert "得分" in data["output"]


def test_github_classroom_result_validates(result):
    import jsonschema

    from grader.report import reporter

    data = json.loads(reporter("github")(result, "en"))
    jsonschema.validate(data, schema("github-classroom-result.schema.json"))
    assert data["status"] == "fail" and data["max_score"] == result.max_score
    # what the reporter prints (tests passed / tests × max) and records (Σ score) is the grade
    assert printed_score(data) == recorded(data)[0] == result.score
    relu = [t for t in data["tests"] if t["name"].startswith("relu_grad · ")]
    assert relu and all(t["filename"] == os.path.normpath(str(BUGGY)) for t in relu)
    assert relu[0]["line_no"] == def_line(BUGGY, "relu_grad")
    gated = dataclasses.replace(result, required_score=result.score)
    assert json.loads(reporter("github")(gated, "en"))["status"] == "pass"


def test_annotations_point_at_the_student_function(result):
    from grader.report.github import annotations, render_summary

    lines = annotations(result, "en", workspace=str(ROOT))
    relu = [line for line in lines if "title=relu_grad" in line]
    assert relu == [line for line in relu if line.startswith("::error file=")]
    assert f"line={def_line(BUGGY, 'relu_grad')}," in relu[0]
    assert all("\n" not in line for line in lines)
    assert any(line.startswith("::warning ") and "tanh" in line for line in lines)  # not attempted
    summary = render_summary(result, "en")
    assert "| ❌ | `relu_grad` |" in summary and "```text" in summary


def test_fail_under_parses_points_and_percentages():
    from grader.commands.output import Gate, GateType

    gate = GateType()
    assert gate.convert("80%", None, None) == Gate(80.0, True)
    assert gate.convert("30", None, None).required(44) == 30
    assert gate.convert("50%", None, None).required(44) == 22
    for bad in ("abc", "150%", "-1", "%"):
        with pytest.raises(click.BadParameter):
            gate.convert(bad, None, None)


def grader(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, timeout=300)


def test_output_file_summary_and_annotations_under_github_actions(tmp_path):
    import xmlschema

    summary = tmp_path / "summary.md"
    report = tmp_path / "out" / "report.xml"
    proc = grader("check", "submissions/buggy.py", "-e", "relu_grad", "-e", "sigmoid",
                  "--format", "junit", "-o", str(report),
                  env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary),
                       "GITHUB_WORKSPACE": str(ROOT)})
    assert proc.returncode == 1, proc.stderr
    xmlschema.XMLSchema(str(SCHEMAS / "junit.xsd")).validate(report.read_text(encoding="utf-8"))
    assert "Score:" in proc.stdout  # the log gets the text report
    line = def_line(BUGGY, "relu_grad")
    assert f"::error file=submissions/buggy.py,line={line},title=relu_grad%3A" in proc.stdout
    assert "| `relu_grad` |" in summary.read_text(encoding="utf-8")


def test_base64_github_result_and_the_gate(tmp_path):
    import jsonschema

    # buggy relu_grad scores 1 of 4 points: 25 % reaches a 25 % gate, not 2 points
    passed = grader("check", "submissions/buggy.py", "-e", "relu_grad", "--format", "github",
                    "--base64", "--fail-under", "25%")
    assert passed.returncode == 0, passed.stderr
    data = json.loads(base64.b64decode(passed.stdout.strip()))
    jsonschema.validate(data, schema("github-classroom-result.schema.json"))
    assert data["status"] == "pass" and data["max_score"] == 4
    assert printed_score(data) == recorded(data)[0] == 1
    failed = grader("check", "submissions/buggy.py", "-e", "relu_grad", "--format", "gradescope",
                    "--fail-under", "2", env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": ""})
    assert failed.returncode == 1
    assert "below the required 2" in failed.stderr
    results = json.loads(failed.stdout)  # stdout stays pure JSON: annotations went to stderr
    jsonschema.validate(results, schema("gradescope-results.schema.json"))
    assert "::error file=" in failed.stderr
    bad = grader("check", "submissions/buggy.py", "-e", "relu_grad", "--fail-under", "120%")
    assert bad.returncode == 2 and "percentage" in bad.stderr


def test_a_file_that_does_not_import_is_one_annotation_at_its_line_and_an_error():
    import jsonschema

    from grader.report import reporter
    from grader.report.github import annotations
    from grader.result import ExerciseResult, SubmissionResult

    facts = {"type": "SyntaxError", "message": "expected ':'", "file": "work.py", "line": 3}
    broken = SubmissionResult(submission="homework", exercises=[
        ExerciseResult(id=name, title={"en": name}, chapter=3, status="error", score=0.0,
                       max_score=4.0, code="import_error", facts=facts) for name in ("relu", "tanh")])
    [line] = annotations(broken, "en")
    assert line.startswith("::error file=homework/work.py,line=3,title=relu%3A ")
    data = json.loads(reporter("github")(broken, "en"))
    jsonschema.validate(data, schema("github-classroom-result.schema.json"))
    assert data["status"] == "error" and data["tests"][0]["line_no"] == 3
    xml = reporter("junit")(broken, "en")
    assert xml.count("<error type=\"import_error\"") == 2
