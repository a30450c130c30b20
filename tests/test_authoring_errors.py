"""Every mistake an exercise author can make gets one line naming the file and the key, exit 2.

Each test breaks a copy of chapter 3's exercise set (its spec, its reference, its pinned plans)
in one way and drives the real commands on it, `grader validate`, `grader check` and
`grader grade`, in English and in Chinese: the problem is found when the set loads, said on one
line after `grader: `, never as a traceback, never in the middle of a student's run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from support import ROOT

CJK = re.compile(r"[\u4e00-\u9fff]")
SPEC = "ch3_activations.yaml"
CORRECT = ROOT / "submissions" / "correct.py"


def _copy_set(target: Path) -> Path:
    """Chapter 3 as a set of its own: its spec, its reference and mistakes, its pinned plans."""
    target.mkdir()
    shutil.copy(ROOT / "exercises" / SPEC, target / SPEC)
    shutil.copytree(ROOT / "exercises" / "plans", target / "plans")
    for folder in ("", "mistakes"):
        (target / "reference" / folder).mkdir(parents=True, exist_ok=True)
        for name in ("__init__.py", "activations.py"):
            shutil.copy(ROOT / "reference" / folder / name, target / "reference" / folder / name)
    return target


def _edit_spec(set_dir: Path, old: str, new: str) -> None:
    spec = set_dir / SPEC
    text = spec.read_text(encoding="utf-8")
    assert old in text, old
    spec.write_text(text.replace(old, new, 1), encoding="utf-8")


def _no_reference_init(set_dir: Path) -> None:
    (set_dir / "reference" / "__init__.py").unlink()


def _no_mistakes_init(set_dir: Path) -> None:
    (set_dir / "reference" / "mistakes" / "__init__.py").unlink()


def _unknown_property(set_dir: Path) -> None:
    _edit_spec(set_dir, "{name: complement, params: {total: 1}}", "{name: complemnt, params: {total: 1}}")


def _min_above_max(set_dir: Path) -> None:
    _edit_spec(set_dir, "x: {type: array, shape: any, min: -30, max: 30}",
               "x: {type: array, shape: any, min: 30, max: -30}")


def _unknown_forward(set_dir: Path) -> None:
    _edit_spec(set_dir, "{kind: gradient, points: 2, of: sigmoid}", "{kind: gradient, points: 2, of: sigmoidd}")


def _unconvertible_edge_value(set_dir: Path) -> None:
    _edit_spec(set_dir, "- {x: 0.0}", '- {x: "abc"}')


def _ragged_edge_value(set_dir: Path) -> None:
    _edit_spec(set_dir, "- {x: [[-1000.0, 0.0], [1000.0, 5.0]]}", "- {x: [[-1000.0, 0.0], [1000.0]]}")


def _reference_syntax_error(set_dir: Path) -> None:
    with (set_dir / "reference" / "activations.py").open("a", encoding="utf-8") as source:
        source.write("\ndef oops(:\n")


def _mistakes_raise_on_import(set_dir: Path) -> None:
    with (set_dir / "reference" / "mistakes" / "activations.py").open("a", encoding="utf-8") as source:
        source.write("\nraise RuntimeError('broken on purpose')\n")


def _no_reference_module(set_dir: Path) -> None:
    _edit_spec(set_dir, "reference: activations", "reference: activationz")


def _assignments(set_dir: Path, due: str = "2026-10-23 23:59 Asia/Shanghai", extra: str = "",
                 exercises: str = "chapters: [3]") -> None:
    """An `assignments.yaml` beside the copied spec, one assignment of chapter 3."""
    (set_dir / "assignments.yaml").write_text(
        "assignments:\n  - id: hw2\n    title: {en: Activations, zh: 激活函数}\n"
        f"    {exercises}\n    due: {due}\n{extra}", encoding="utf-8")


def _due_without_zone(set_dir: Path) -> None:
    _assignments(set_dir, due="2026-10-23 23:59")


def _due_in_an_unknown_zone(set_dir: Path) -> None:
    _assignments(set_dir, due="2026-10-23 23:59 Mars/Olympus_Mons")


def _assignment_of_an_unknown_exercise(set_dir: Path) -> None:
    _assignments(set_dir, exercises="exercises: [sigmoid, sigmoidd]")


def _last_day_before_due(set_dir: Path) -> None:
    _assignments(set_dir, extra="    late: {penalty_percent: 10, last_day: 2026-10-22 23:59 Asia/Shanghai}\n")


def _penalty_above_everything(set_dir: Path) -> None:
    _assignments(set_dir, extra="    late: {penalty_percent: 150}\n")


#: (how the set is broken, the exercise it breaks, the file and key, words of the English
#: message, words of the Chinese one)
BROKEN: dict[str, tuple[Callable[[Path], None], str, str, str, str]] = {
    "reference_without_init": (_no_reference_init, "sigmoid", f"{SPEC}: reference: ",
                               "add an empty `__init__.py`", "添加一个空的 `__init__.py`"),
    "mistakes_without_init": (_no_mistakes_init, "sigmoid", f"{SPEC}: exercises[0].mistakes: ",
                              "add an empty `__init__.py`", "添加一个空的 `__init__.py`"),
    "unknown_property": (_unknown_property, "sigmoid",
                         f"{SPEC}: exercises[0].checks[3].properties[1].name: ",
                         "unknown property complemnt (known properties: complement,", "未知的性质 complemnt"),
    "min_above_max": (_min_above_max, "sigmoid", f"{SPEC}: exercises[0].args.x.min: ",
                      "min (30) is greater than max (-30)", "大于 max（-30）"),
    "gradient_of_unknown": (_unknown_forward, "sigmoid_grad", f"{SPEC}: exercises[1].checks[2].of: ",
                            "names sigmoidd, which reference/activations.py does not define",
                            "reference/activations.py 中没有定义它"),
    "edge_value_not_a_number": (_unconvertible_edge_value, "sigmoid", f"{SPEC}: exercises[0].edge_cases[0].x: ",
                                "'abc' cannot be converted for an argument of type array", "'abc' 无法转换"),
    "reference_syntax_error": (_reference_syntax_error, "sigmoid", "reference/activations.py:",
                               "cannot import this module of the exercise set: SyntaxError",
                               "无法导入练习集中的这个模块：SyntaxError"),
    "mistakes_raise_on_import": (_mistakes_raise_on_import, "sigmoid", "reference/mistakes/activations.py: ",
                                 "RuntimeError: broken on purpose", "无法导入练习集中的这个模块"),
    "no_reference_module": (_no_reference_module, "sigmoid", f"{SPEC}: reference: ",
                            "reference/activationz.py does not exist", "reference/activationz.py 不存在"),
    "due_without_zone": (_due_without_zone, "sigmoid", "assignments.yaml: assignments[0].due: ",
                         "2026-10-23 23:59 has no time zone", "2026-10-23 23:59 没有时区"),
    "due_in_an_unknown_zone": (_due_in_an_unknown_zone, "sigmoid", "assignments.yaml: assignments[0].due: ",
                               "unknown time zone Mars/Olympus_Mons", "未知的时区 Mars/Olympus_Mons"),
    "assignment_of_an_unknown_exercise": (_assignment_of_an_unknown_exercise, "sigmoid",
                                          "assignments.yaml: assignments[0].exercises[1]: ",
                                          "unknown exercise sigmoidd", "未知的练习 sigmoidd"),
    "last_day_before_due": (_last_day_before_due, "sigmoid", "assignments.yaml: assignments[0].late.last_day: ",
                            "is before the due date", "早于截止日期"),
    "penalty_above_everything": (_penalty_above_everything, "sigmoid",
                                 "assignments.yaml: assignments[0].late.penalty_percent: ",
                                 "150 is not a percentage from 0 to 100", "150 不是 0 到 100 之间的百分数"),
    "edge_value_ragged": (_ragged_edge_value, "sigmoid", f"{SPEC}: exercises[0].edge_cases[3].x: ",
                          "rows of one length", "每一行长度须相同"),
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _copy_set(tmp_path_factory.mktemp("authoring") / "set")


def _broken(pristine: Path, tmp_path: Path, case: str) -> Path:
    set_dir = tmp_path / "set"
    shutil.copytree(pristine, set_dir)
    BROKEN[case][0](set_dir)
    return set_dir


def _invoke(args: list[str]) -> Result:
    from grader.cli import cli

    return CliRunner().invoke(cli, args)


def _assert_one_line_error(result: Result, where: str, words: str) -> str:
    """Exit 2, and stderr is one line, `grader: <file>: <key>: …`, with `words` in it."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("grader: "), lines[0]
    assert where in lines[0] and words in lines[0], lines[0]
    return lines[0]


def test_the_copied_set_is_sound(pristine):
    """The breakages below are the only fault: the copy itself validates."""
    result = _invoke(["--lang", "en", "--exercises", str(pristine), "validate", "sigmoid", "sigmoid_grad"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("case", list(BROKEN))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_validate_says_what_to_fix_in_one_line(pristine, tmp_path, case, lang):
    _, exercise, where, english, chinese = BROKEN[case]
    set_dir = _broken(pristine, tmp_path, case)
    result = _invoke(["--lang", lang, "--exercises", str(set_dir), "validate", exercise])
    line = _assert_one_line_error(result, where, english if lang == "en" else chinese)
    assert str(set_dir) in line
    assert bool(CJK.search(line)) == (lang == "zh"), line


@pytest.mark.parametrize("case", list(BROKEN))
def test_check_stops_on_the_same_error_before_grading(pristine, tmp_path, case):
    """A student's `grader check` never reaches the broken part: the set does not load."""
    _, exercise, where, english, chinese = BROKEN[case]
    set_dir = _broken(pristine, tmp_path, case)
    for lang, words in (("en", english), ("zh", chinese)):
        result = _invoke(["--lang", lang, "--exercises", str(set_dir), "check", str(CORRECT), "-e", exercise])
        _assert_one_line_error(result, where, words)
        assert result.stdout == ""


@pytest.mark.parametrize("case", ["reference_without_init", "unknown_property"])
def test_grade_stops_on_the_same_error(pristine, tmp_path, case):
    _, exercise, where, english, chinese = BROKEN[case]
    set_dir = _broken(pristine, tmp_path, case)
    submissions = tmp_path / "class"
    submissions.mkdir()
    shutil.copy(CORRECT, submissions / "alice.py")
    for lang, words in (("en", english), ("zh", chinese)):
        result = _invoke(["--lang", lang, "--exercises", str(set_dir), "grade", str(submissions),
                          "-o", str(tmp_path / "out"), "-e", exercise, "-j", "1"])
        _assert_one_line_error(result, where, words)
    assert not (tmp_path / "out").exists()


def test_a_subprocess_shows_no_traceback(pristine, tmp_path):
    """The same, as a user runs it: `python -m grader`, its real stderr."""
    set_dir = _broken(pristine, tmp_path, "min_above_max")
    proc = subprocess.run([sys.executable, "-m", "grader", "--lang", "en", "--exercises", str(set_dir),
                           "validate", "sigmoid"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and "exercises[0].args.x.min: min (30) is greater" in proc.stderr


# ------------------------------------------------------------------- the output folder of grade


@pytest.fixture
def one_student(tmp_path: Path) -> Path:
    submissions = tmp_path / "class"
    submissions.mkdir()
    shutil.copy(CORRECT, submissions / "alice.py")
    return submissions


@pytest.mark.parametrize("lang,words", [("en", "/plain is a file, not a folder"),
                                        ("zh", "/plain 是一个文件，而不是文件夹")])
def test_grade_into_a_folder_under_a_file(one_student, tmp_path, lang, words):
    (tmp_path / "plain").write_text("not a folder")
    out = tmp_path / "plain" / "graded"
    result = _invoke(["--lang", lang, "grade", str(one_student), "-o", str(out), "-e", "sigmoid", "-j", "1"])
    _assert_one_line_error(result, f"-o {out}: ", words)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in a read-only folder")
@pytest.mark.parametrize("lang,words", [("en", "cannot write in the output folder"),
                                        ("zh", "无法在输出文件夹中写入")])
def test_grade_into_a_read_only_folder(one_student, tmp_path, lang, words):
    out = tmp_path / "read-only"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = _invoke(["--lang", lang, "grade", str(one_student), "-o", str(out), "-e", "sigmoid", "-j", "1"])
    finally:
        out.chmod(0o755)
    _assert_one_line_error(result, f"-o {out}: ", words)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
@pytest.mark.parametrize("lang,words", [("en", "cannot write in the output folder"),
                                        ("zh", "无法在输出文件夹中写入")])
def test_grade_into_a_folder_no_one_may_create(one_student, lang, words):
    """/proc refuses a new folder even to root: the unwritable case, tested where the suite runs as root."""
    out = Path("/proc/self/graded")
    result = _invoke(["--lang", lang, "grade", str(one_student), "-o", str(out), "-e", "sigmoid", "-j", "1"])
    _assert_one_line_error(result, f"-o {out}: ", words)


# ------------------------------------------------------------ what the author's documentation says

CATALOGUE_DOC = ROOT / "docs" / "catalogue.md"


def _documented_properties() -> list[str]:
    """The names in the first column of docs/catalogue.md's table of properties."""
    text = CATALOGUE_DOC.read_text(encoding="utf-8")
    section = text.split("### Properties", 1)[1].split("\n#", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE)


def test_every_property_is_documented_and_nothing_else():
    from grader.judge.properties import PROPERTIES

    documented = _documented_properties()
    assert len(documented) == len(set(documented))
    assert sorted(documented) == sorted(PROPERTIES)


def test_the_unknown_property_error_lists_the_documented_names(pristine, tmp_path):
    set_dir = _broken(pristine, tmp_path, "unknown_property")
    line = _assert_one_line_error(_invoke(["--lang", "en", "--exercises", str(set_dir), "validate", "sigmoid"]),
                                  BROKEN["unknown_property"][2], "known properties:")
    assert line.rstrip(")").split("known properties: ")[1].split(", ") == sorted(_documented_properties())


def test_no_tracked_file_points_outside_the_repository():
    """The project's own docs are the contract: nothing refers to a shared folder beside the
    repository (spelled here in pieces, so that this file does not refer to it either)."""
    tracked = subprocess.run(["git", "ls-files", "-z"], capture_output=True, cwd=ROOT, check=True).stdout
    pointers = ("../" + "shared", "shared/" + "EXERCISES.md")
    offending = []
    for name in filter(None, tracked.decode().split("\0")):
        path = ROOT / name
        if not path.is_file():
            continue
        content = path.read_bytes()
        offending += [f"{name}: {p}" for p in pointers if p.encode() in content]
    assert offending == []
