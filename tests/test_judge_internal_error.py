"""A bug in the grader's own checking code is the grader's error, never a student's wrong answer.

The real `grader check` command (click's CliRunner on grader.cli, in this process, so that one
check kind can be broken by monkeypatch) grades the correct submission while the `reference`
check kind raises KeyError: the check is an error marked as the grader's, in both languages, the
other checks are still judged, and no traceback reaches the student.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from support import ROOT
from grader.cli import cli
from grader.judge import checks


@pytest.fixture
def broken_reference_check(monkeypatch):
    kind = checks.check_kind("reference")

    def buggy(ctx, spec, cases):
        raise KeyError("a key the grader forgot")

    monkeypatch.setattr(kind, "evaluate", buggy)


def check(*args: str, lang: str = "en"):
    return CliRunner().invoke(cli, ["--lang", lang, "check", str(ROOT / "submissions" / "correct.py"),
                                    "-e", "relu", *args], catch_exceptions=False)


@pytest.mark.parametrize("lang,words", [
    ("en", "An internal error of the grader, not of your code"),
    ("zh", "评分程序自身的内部错误（不是你的代码的问题）"),
])
def test_a_bug_in_a_check_is_reported_as_the_graders_internal_error(broken_reference_check, lang, words):
    run = check(lang=lang)
    assert run.exit_code == 1, run.output  # not a pass: the answer was not judged
    assert "Traceback" not in run.output
    assert words in run.output and "KeyError" in run.output


def test_the_broken_check_is_an_error_the_others_are_judged(broken_reference_check):
    run = check("--format", "json")
    assert "Traceback" not in run.output
    [exercise] = json.loads(run.output)["exercises"]
    by_kind = {c["kind"]: c for c in exercise["checks"]}
    broken = by_kind.pop("reference")
    assert (broken["status"], broken["code"], broken["mistake"]) == ("error", "internal_error", None)
    assert broken["facts"]["type"] == "KeyError"
    assert by_kind and all(c["status"] == "passed" for c in by_kind.values())


def test_without_the_bug_the_same_check_passes():
    run = check("--format", "json")
    [exercise] = json.loads(run.output)["exercises"]
    assert exercise["status"] == "passed", run.output
