"""The console a student has (issue 18): a GBK Windows console or a redirected output never
crashes a report; characters degrade, Chinese stays; paths with backslashes, spaces and Chinese
folders survive; colours only where the terminal takes them."""

from __future__ import annotations

import glob
import io
import json
import os
import shutil
import subprocess
import sys

import pytest

from support import ROOT

WINDOWS_PATH = "C:\\Users\\张三\\作业\\hw3.py"


@pytest.mark.parametrize(("text", "encoding", "shown"), [
    ("✓ 通过 ✗ 失败 🎉 → 下一题", "gbk", "√ 通过 × 失败  → 下一题"),
    ("✓ ok ✗ no 🎉 → next", "ascii", "v ok x no  -> next"),
    ("x ≲ −710, x⁻¹, wᵢ², ŷ, ½, ∂L/∂w", "gbk", "x <~ -710, x^-1, w_i^2, y, 1/2, dL/dw"),
    ("x⁻¹", "ascii", "x^-1"),
    ("🎉\u200d🎉\ufe0f", "gbk", ""),
    ("中文 ☃", "ascii", "?? "),
    (WINDOWS_PATH, "gbk", WINDOWS_PATH),
])
def test_characters_degrade_to_their_documented_stand_ins(text, encoding, shown):
    from grader.report.console import degrade

    assert degrade(text, encoding) == shown


def _shipped_texts() -> str:
    files = [ROOT / "grader" / "messages.py", ROOT / "grader" / "locale" / "zh" / "LC_MESSAGES" / "grader.po",
             *map(type(ROOT), glob.glob(str(ROOT / "exercises" / "*.yaml")))]
    return "".join(path.read_text(encoding="utf-8") for path in files)


def test_every_character_the_grader_writes_has_a_gbk_stand_in():
    """Not one `?` for a character of the catalogue, its translation or the exercises' texts:
    a new one without a stand-in fails here."""
    from grader.report.console import degrade

    missing = set()
    for char in set(_shipped_texts()):
        try:
            char.encode("gbk")
        except UnicodeEncodeError:
            if "?" in degrade(char, "gbk") and char != "?":
                missing.add(char)
    assert not missing


def _result(label: str):
    from grader.result import ExerciseResult, SubmissionResult

    ok = ExerciseResult(id="relu", title={"en": "ReLU", "zh": "ReLU 函数"}, chapter=1, status="passed",
                        score=4.0, max_score=4.0)
    return SubmissionResult(submission=label, exercises=[ok], grader_version="x", seed="0",
                            spec_digest="d", stdout="打印 ✓ 🎉 x⁻¹\n")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("encoding", ["gbk", "ascii", "cp1252"])
def test_a_text_report_with_a_chinese_windows_path_writes_on_a_narrow_console(lang, encoding):
    from grader.report.text import render_text
    from grader.report.untrusted import replace_unencodable

    raw = io.BytesIO()
    console = io.TextIOWrapper(raw, encoding=encoding)
    replace_unencodable(console)
    console.write(render_text(_result(WINDOWS_PATH), lang))  # 🎉 in the all-passed line
    console.flush()
    shown = raw.getvalue().decode(encoding)
    assert WINDOWS_PATH in shown if encoding == "gbk" else "C:\\Users\\" in shown
    assert "🎉" not in shown and "\\\\" not in shown


def _check(path, env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "PYTHONIOENCODING")}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "grader", *args, "check", str(path), "-e", "relu", "-e", "sigmoid"],
                          capture_output=True, env=env, cwd=path.parent, timeout=300)


@pytest.fixture
def chinese_folder(tmp_path):
    """A submission in `/tmp/…/张 三/作业/hw3.py`: a space and Chinese folder names."""
    folder = tmp_path / "张 三" / "作业"
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "submissions" / "partial.py", folder / "hw3.py")
    return folder / "hw3.py"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_grader_check_under_pythonioencoding_gbk_with_a_chinese_path_does_not_crash(chinese_folder, lang):
    done = _check(chinese_folder, {"PYTHONIOENCODING": "gbk"}, "--lang", lang)
    out, err = done.stdout.decode("gbk"), done.stderr.decode("gbk")
    assert done.returncode == 0, err
    assert "Traceback" not in out + err and "UnicodeEncodeError" not in err
    assert str(chinese_folder) in out
    from grader.messages import text
    from grader.report.console import degrade

    assert "🎉" not in out and degrade(text("report.all_passed", lang), "gbk") in out


def test_a_windows_looking_file_name_is_printed_and_stored_as_it_is(tmp_path):
    """On Linux `C:\\Users\\张三\\作业\\hw3.py` is one file name: shown and stored whole, its
    backslashes neither doubled nor taken for separators."""
    path = tmp_path / WINDOWS_PATH
    shutil.copy(ROOT / "submissions" / "partial.py", path)
    done = _check(path, {"PYTHONIOENCODING": "gbk"}, "--lang", "zh")
    assert done.returncode == 0 and WINDOWS_PATH in done.stdout.decode("gbk")
    report = subprocess.run([sys.executable, "-m", "grader", "check", str(path), "-e", "relu", "--format", "json"],
                            capture_output=True, cwd=tmp_path, timeout=300)
    assert json.loads(report.stdout)["submission"].endswith(WINDOWS_PATH)


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, None), ({"NO_COLOR": "1"}, False), ({"NO_COLOR": ""}, None), ({"TERM": "dumb"}, False),
    ({"TERM": "xterm-256color"}, None),
])
def test_colour_is_off_where_asked(environ, expected):
    from grader.report.console import colour

    assert colour(environ) is expected


@pytest.mark.parametrize(("environ", "styled"), [({}, True), ({"NO_COLOR": "1"}, False), ({"TERM": "dumb"}, False)])
def test_no_color_and_a_dumb_terminal_get_no_escape_sequences(monkeypatch, environ, styled):
    from click.testing import CliRunner

    from grader.cli import cli

    for name in ("NO_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["doctor"], color=True)  # as a terminal would be
    assert ("\x1b[" in result.output) is styled
