"""Every bad input a student can give `grader check` gets a clear answer, in both languages.

Each test drives the real command (`python -m grader ...`) on one exercise (`-e`), so it stays
fast, and asserts the exit code, that no traceback reaches the student, and the message in
English and in Chinese.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT

CORRECT = ROOT / "submissions" / "correct.py"
LANGS = ("en", "zh")


def grader(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("GRADER_LANG", None)
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=300)


def no_traceback(proc: subprocess.CompletedProcess[str]) -> str:
    """stdout and stderr together, asserting that no Python traceback is in them."""
    both = proc.stdout + proc.stderr
    assert "Traceback" not in both, both
    return both


def write(path: Path, source: str | bytes) -> Path:
    if isinstance(source, bytes):
        path.write_bytes(source)
    else:
        path.write_text(source, encoding="utf-8")
    return path


# --- 1. numeric options --------------------------------------------------------------------

@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf"])
@pytest.mark.parametrize("lang", LANGS)
def test_a_time_limit_that_is_not_positive_and_finite_is_a_usage_error(value, lang):
    proc = grader("--lang", lang, "check", CORRECT, "-e", "relu", "--time-limit", value)
    out = no_traceback(proc)
    assert proc.returncode == 2
    assert "--time-limit" in out and "Stopped after" not in out and "秒后被停止" not in out
    if lang == "zh":
        assert "Invalid value" not in out and "无效" in out


def test_a_positive_time_limit_still_grades():
    proc = grader("check", CORRECT, "-e", "relu", "--time-limit", "5")
    no_traceback(proc)
    assert proc.returncode == 0


@pytest.mark.parametrize(("args", "option"), [
    (("init", "x.py", "--chapter", "0"), "--chapter"),
    (("grade", "submissions/class", "-j", "0"), "--jobs"),
    (("check", str(CORRECT), "--memory-limit", "1"), "--memory-limit"),
])
def test_other_numeric_options_are_ranged(args, option, tmp_path):
    proc = grader(*args, cwd=ROOT)
    out = no_traceback(proc)
    assert proc.returncode == 2 and option in out
    assert not (tmp_path / "x.py").exists() and not (ROOT / "x.py").exists()


# --- 2. what a submission is ---------------------------------------------------------------

@pytest.mark.parametrize(("lang", "words"), [
    ("en", "is not a submission: grader checks .py files, .ipynb notebooks and folders"),
    ("zh", "不是可提交的作业"),
])
def test_a_file_that_is_not_python_or_a_notebook_is_refused_in_one_line(lang, words, tmp_path):
    data = write(tmp_path / "passwd", "root:x:0:0:root:/root:/bin/bash\n")
    for path in (data, Path("/dev/null")):
        proc = grader("check", path, "-e", "relu", "--lang", lang)
        no_traceback(proc)
        assert proc.returncode == 2
        assert proc.stdout == ""
        assert proc.stderr.count("\n") == 1 and words in proc.stderr


@pytest.mark.parametrize(("lang", "words"), [("en", "is not a folder"), ("zh", "不是文件夹")])
def test_grade_of_something_that_is_not_a_folder_is_a_clear_error(lang, words, tmp_path):
    proc = grader("grade", "/dev/null", "-o", tmp_path / "x", "--lang", lang)
    no_traceback(proc)
    assert proc.returncode == 2 and words in proc.stderr and proc.stderr.count("\n") == 1


# --- 3. encodings --------------------------------------------------------------------------

RELU = "import numpy as np\n\n\ndef relu(x):\n    return np.maximum(0, x)\n"


def test_a_declared_gbk_file_is_graded_as_python_imports_it(tmp_path):
    source = "# -*- coding: gbk -*-\n# 激活函数\n" + RELU
    path = write(tmp_path / "gbk.py", source.encode("gbk"))
    proc = grader("check", path, "-e", "relu")
    no_traceback(proc)
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize(("lang", "words"), [
    ("en", "is not UTF-8 text (line 2, byte 24) and declares no other encoding: save it with "
           "UTF-8 encoding"),
    ("zh", "不是 UTF-8 文本（第 2 行，第 24 个字节），也没有声明其他编码：请用 UTF-8 编码保存它"),
])
def test_a_file_neither_utf8_nor_declared_says_how_to_fix_it(lang, words, tmp_path):
    path = write(tmp_path / "latin.py", ("import numpy as np\n# café\n" + RELU[19:]).encode("gbk"))
    proc = grader("check", path, "-e", "relu", "--lang", lang)
    out = no_traceback(proc)
    assert proc.returncode == 1 and words in out


# --- 7. --lang after the command -----------------------------------------------------------

def test_lang_after_the_command_is_the_language_of_the_run():
    zh = grader("check", CORRECT, "-e", "relu", "--lang", "zh")
    en = grader("explain", "softmax", "--lang", "en")
    assert zh.returncode == 0 and "自检" in no_traceback(zh)
    assert en.returncode == 0 and "Softmax" in no_traceback(en) and "章" not in en.stdout
    zh_before = grader("--lang", "zh", "check", CORRECT, "-e", "relu")
    assert zh_before.stdout == zh.stdout


@pytest.mark.parametrize(("args", "en", "zh"), [
    (("check", str(CORRECT), "--bogus"), "No such option '--bogus'", "没有这个选项：'--bogus'"),
    (("check",), "Missing argument 'SUBMISSION'", "缺少参数 'SUBMISSION'"),
    (("check", "nope.py"), "Invalid value for 'SUBMISSION'", "'SUBMISSION' 的取值无效"),
    (("chek",), "No such command 'chek'", "没有这个命令：'chek'"),
])
def test_clicks_own_usage_errors_speak_the_language_of_the_run(args, en, zh):
    for lang, words, usage in (("en", en, "Usage:"), ("zh", zh, "用法：")):
        proc = grader("--lang", lang, *args)
        out = no_traceback(proc)
        assert proc.returncode == 2 and words in out and usage in out
        if lang == "zh":
            assert not re.search(r"\b(Usage|Error|Try|Invalid|Missing|No such)\b", out), out


# --- 4. a syntax error is said once --------------------------------------------------------

SYNTAX_ERROR = "import numpy as np\n\n\ndef relu(x):\n    return np.maximum(0, x\n"


@pytest.mark.parametrize(("lang", "words", "once"), [
    ("en", "SyntaxError: '(' was never closed (broken.py, line 5)",
     "None of the 2 exercises could be graded because of this."),
    ("zh", "SyntaxError: '(' was never closed（broken.py 第 5 行）", "因此，2 个练习都无法评分。"),
])
def test_a_syntax_error_is_said_once_at_the_top(lang, words, once, tmp_path):
    path = write(tmp_path / "broken.py", SYNTAX_ERROR)
    proc = grader("check", path, "-e", "relu", "-e", "tanh", "--lang", lang)
    out = no_traceback(proc)
    assert proc.returncode == 1
    assert out.count(words) == 1 and out.count(once) == 1
    assert out.index(words) < out.index(once)


def test_feedback_files_say_a_syntax_error_once_and_show_printed_escapes(tmp_path):
    """Markdown and HTML feedback: the import error once; an ESC the student printed escaped."""
    folder = tmp_path / "class"
    folder.mkdir()
    write(folder / "alice.py", SYNTAX_ERROR)
    write(folder / "bob.py", 'print("\\x1b[2J\\x1b[31mRED\\x1b]0;title\\x07")\n' + RELU)
    for lang, words in (("en", "was never closed"), ("zh", "因此，2 个练习都无法评分")):
        out = tmp_path / f"out-{lang}"
        proc = grader("grade", folder, "-o", out, "-e", "relu", "-e", "tanh", "--lang", lang)
        no_traceback(proc)
        assert proc.returncode == 0, proc.stderr
        for suffix in ("md", "html"):
            alice = (out / "feedback" / f"alice.{suffix}").read_text(encoding="utf-8")
            bob = (out / "feedback" / f"bob.{suffix}").read_text(encoding="utf-8")
            assert alice.count(words) == 1, alice
            assert "\x1b" not in bob and "\x07" not in bob
            assert "\\x1b[31mRED" in bob
        assert "\x1b" not in (out / "report.html").read_text(encoding="utf-8")


# --- 5. printed output: whole lines, head and tail, what was left out ----------------------

NOISY = ("import numpy as np\n\nfor i in range(3000):\n    print('row', i)\n\n\n"
         "def relu(x):\n    return np.maximum(0, x)\n")


@pytest.mark.parametrize(("lang", "marker"), [("en", r"… (\d+) more lines …"),
                                              ("zh", r"…… 另有 (\d+) 行未显示 ……")])
def test_printed_output_shows_its_first_and_last_lines_and_what_is_left_out(lang, marker, tmp_path):
    path = write(tmp_path / "noisy.py", NOISY)
    proc = grader("check", path, "-e", "relu", "--lang", lang)
    out = no_traceback(proc)
    assert proc.returncode == 0
    shown = re.findall(r"^  \| (.*)$", out, re.MULTILINE)
    assert shown[0] == "row 0" and shown[-1] == "row 2999"
    assert all(re.fullmatch(r"row \d+", line) for line in shown)  # whole lines only
    [left_out] = re.findall(marker, out)
    assert int(left_out) + len(shown) == 3000


def test_the_byte_cap_keeps_whole_lines_and_counts_what_it_left_out(tmp_path):
    import json

    path = write(tmp_path / "noisy.py", NOISY)
    proc = grader("check", path, "-e", "relu", "--format", "json")
    stdout = json.loads(proc.stdout)["stdout"].splitlines()
    assert stdout[0] == "row 0" and stdout[-1] == "row 2999"
    markers = [line for line in stdout if not re.fullmatch(r"row \d+", line)]
    assert len(markers) == 1
    assert int(re.fullmatch(r"\[… (\d+) more lines …\]", markers[0]).group(1)) + len(stdout) - 1 == 3000


# --- 6. a misnamed function ----------------------------------------------------------------

SOFTMAX_BODY = ("(z):\n    e = np.exp(z - z.max(axis=-1, keepdims=True))\n"
                "    return e / e.sum(axis=-1, keepdims=True)\n")


@pytest.mark.parametrize("name", ["Softmax", "soft_max", "softMax"])
def test_a_misnamed_function_gets_the_right_name_suggested(name, tmp_path):
    path = write(tmp_path / "work.py", f"import numpy as np\n\n\ndef {name}{SOFTMAX_BODY}")
    for lang, words in (("en", f"there is no `softmax`, but your file defines `{name}` (line 4)"),
                        ("zh", f"没有找到 `softmax`，但你的文件定义了 `{name}`（第 4 行）")):
        proc = grader("check", path, "-e", "softmax", "--lang", lang)
        out = no_traceback(proc)
        assert proc.returncode == 1 and words in out


def test_another_exercises_function_is_not_suggested(tmp_path):
    path = write(tmp_path / "work.py", RELU)
    proc = grader("check", path, "-e", "relu_grad")
    assert proc.returncode == 1 and "your file defines" not in no_traceback(proc)


# --- 7. no English fragment in a Chinese report --------------------------------------------

#: words a Chinese report keeps as they are: names from the code, values, the exercise's title
CODE_WORDS = {"relu", "ReLU", "str", "x", "py", "zero"}


def english_fragments(report: str) -> set[str]:
    report = re.sub(r"`[^`]*`", " ", report)                 # code spans
    report = re.sub(r"'[^']*'", " ", report)                 # values: 'zero'
    report = re.sub(r"\S+\.py\b", " ", report)               # file names
    report = re.sub(r"\w+\([^()]*\)", " ", report)           # calls: relu(x=0)
    return set(re.findall(r"[A-Za-z]{2,}", report)) - CODE_WORDS


@pytest.mark.parametrize("body", ["return 'zero'", "import os; os._exit(3)"])
def test_a_chinese_report_of_a_broken_function_has_no_english_fragment(body, tmp_path):
    path = write(tmp_path / "broken.py", f"import numpy as np\n\n\ndef relu(x):\n    {body}\n")
    proc = grader("check", path, "-e", "relu", "--lang", "zh")
    out = no_traceback(proc)
    assert proc.returncode == 1
    assert english_fragments(out) == set(), out
    assert english_fragments(grader("check", path, "-e", "relu", "--lang", "en").stdout)


# --- 9. deliberately tiny numbers ----------------------------------------------------------

def test_float32s_smallest_normal_number_reads_as_a_deliberately_tiny_gradient():
    """The renderer (no real run draws it on demand): 1.2e-38, and a sentence saying why."""
    import numpy as np

    from grader.messages import format_value
    from grader.report.text import render_text
    from grader.result import CheckResult, ExerciseResult, SubmissionResult

    tiny = float(np.finfo(np.float32).tiny)
    assert format_value(tiny) == "1.2e-38" and format_value(-tiny) == "-1.2e-38"
    assert format_value(np.array([tiny, 1.0])) == "[1.2e-38, 1.000000e+00]"
    assert format_value(1e-6) == "1e-06"
    check = CheckResult("reference", "reference", "failed", 0.0, 1.0, code="wrong_value",
                        counterexample={"function": "sgd_step", "input": {"grad": tiny},
                                        "expected": 1.0, "actual": 2.0})
    exercise = ExerciseResult("sgd_step", {"en": "SGD", "zh": "SGD"}, 5, "failed", 0.0, 1.0, [check])
    result = SubmissionResult("s.py", [exercise])
    assert "deliberately tiny gradients" in render_text(result, "en")
    assert "1.175494e-38" not in render_text(result, "en")
    assert "故意取得极小的梯度" in render_text(result, "zh")


@pytest.mark.parametrize("lang,words", [("en", "deliberately tiny gradients"), ("zh", "故意取得极小的梯度")])
def test_a_real_check_on_a_tiny_gradient_shows_it_readably(tmp_path, lang, words):
    """A real `grader check` whose failing input holds float32's smallest normal number (an
    author's edge case here, so the run is certain to show it)."""
    import shutil

    set_dir = tmp_path / "set"
    shutil.copytree(ROOT / "exercises", set_dir, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "reference", set_dir / "reference", ignore=shutil.ignore_patterns("__pycache__"))
    spec = set_dir / "ch5_optimizers.yaml"
    old = "      - {param: [1.0, -2.0], grad: [1e-6, -1e-6], lr: 0.1}\n"
    assert old in spec.read_text(encoding="utf-8")
    spec.write_text(spec.read_text(encoding="utf-8").replace(
        old, "      - {param: [1.0, -2.0], grad: [1.1754944e-38, -1e-6], lr: 0.1}\n", 1), encoding="utf-8")
    wrong = write(tmp_path / "sgd.py", "def sgd_step(param, grad, lr):\n    return 2 * param - lr * grad\n")
    proc = grader("--lang", lang, "--exercises", set_dir, "check", wrong, "-e", "sgd_step")
    out = no_traceback(proc)
    assert proc.returncode == 1
    assert "1.2e-38" in out and words in out
    assert "1.175494e-38" not in out and "1.17549" not in out


# --- 8. an error inside NumPy points at the student's line ---------------------------------

@pytest.mark.parametrize(("lang", "where", "hint"), [
    ("en", "(line 5 of npmax.py)", "use np.maximum(0, x)"),
    ("zh", "（npmax.py 第 5 行）", "请用 np.maximum(0, x)"),
])
def test_np_max_of_zero_points_at_the_students_line_with_its_hint(lang, where, hint, tmp_path):
    path = write(tmp_path / "npmax.py", "import numpy as np\n\n\ndef relu(x):\n    return np.max(0, x)\n")
    proc = grader("check", path, "-e", "relu", "--lang", lang)
    out = no_traceback(proc)
    assert proc.returncode == 1
    assert where in out and hint in out and "fromnumeric" not in out


# --- what a crashed worker printed: its first and last whole lines, the rest counted -------

def test_a_crash_capture_keeps_whole_first_and_last_lines_and_counts_the_rest(tmp_path):
    from grader.captured import omitted, read_ends

    capture = write(tmp_path / "stdout", "".join(f"row {i}\n" for i in range(3000)))
    lines = read_ends(capture, 200).splitlines()
    kept = [line for line in lines if line.startswith("row ")]
    assert kept[0] == "row 0" and kept[-1] == "row 2999"
    assert all(line == f"row {line.split()[1]}" for line in kept)  # none starts mid-line
    markers = [omitted(line) for line in lines if omitted(line) is not None]
    assert markers == [3000 - len(kept)]
    one_line = write(tmp_path / "one", "x" * 10_000)
    shown = read_ends(one_line, 100)
    assert shown.startswith("x") and shown.endswith("x") and "…" in shown
    assert not any(omitted(line) for line in shown.splitlines())  # one line: nothing wholly left out
    small = write(tmp_path / "small", "a\nb\n")
    assert read_ends(small, 100) == "a\nb\n"



@pytest.mark.parametrize("lang,words", [("en", "4981 more lines"), ("zh", "另有 4981 行未显示")])
def test_what_a_file_printed_before_its_import_crashed_is_shown_cut_at_whole_lines(tmp_path, lang, words):
    """The import crashes, so no reply carried the output: it comes from the capture files."""
    source = "import os\nfor i in range(5000):\n    print(f'line {i}', flush=True)\nos._exit(3)\n"
    proc = grader("--lang", lang, "check", write(tmp_path / "crash.py", source), "-e", "sigmoid")
    out = no_traceback(proc)
    assert proc.returncode == 1
    shown = [line.strip(" |") for line in out.splitlines() if line.strip(" |").startswith("line ")]
    assert shown[:2] == ["line 0", "line 1"] and shown[-1] == "line 4999"
    assert all(re.fullmatch(r"line \d+", line) for line in shown)  # whole lines only
    assert len(shown) + 4981 == 5000 and words in out
