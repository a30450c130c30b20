"""README's "A semester with grader", run end to end on generated archives: collect a Moodle and a
Canvas bulk download, grade homework 1 on each, correct a grade by hand, regrade, export both
LMS import files; every number is checked against a hand computation.

hw1 (exercises/assignments.yaml) is chapter 2, due 2026-10-09 23:59 Asia/Shanghai (15:59 UTC),
15 min of grace, −10 % per started day, at most −50 %. T is hw1's total, counted from the specs.

Moodle (its zip's entry times, read as Asia/Shanghai):

| student | work    | submitted (Shanghai) | due                   | late          | final         |
|---------|---------|----------------------|-----------------------|---------------|---------------|
| s01 Ada | correct | 10-09 23:50          | 10-09 23:59           | on time       | T             |
| s02 Bo  | correct | 10-11 01:00          | 10-09 23:59           | 25 h 01 min   | 0.8 T (2 days)|
| s03 Chen| correct | 10-11 10:00          | 10-11 23:59 (+2 days) | on time       | T             |
| s04 Dana| buggy   | 10-10 00:10          | 10-09 23:59           | 11 min: grace | raw (*)       |
| Zed     | correct | —                    | not on the roster: listed, not collected |      |               |

(*) then, corrected by hand, the checks' score with one exercise at full marks.

Canvas (its zip holds no submission time, only a `late` marker in the name; a second attempt):

| student | entries                                  | kept           | final |
|---------|------------------------------------------|----------------|-------|
| s01     | adalovelace_1001_9001_hw1.py (correct)   | it             | T     |
| s02     | bo_late_1002_9002_hw1.py (correct)       | it, flagged late, no penalty (the time is unknown) | T |
| s03     | chenwei_1003_9003_hw1.py (buggy), chenwei_1003_9010_hw1-1.py (correct) | the last | T |
| —       | zednobody_1999_9004_hw1.py               | unmatched, listed |    |
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from support import ROOT

CORRECT = (ROOT / "submissions" / "correct.py").read_text(encoding="utf-8")
BUGGY = (ROOT / "submissions" / "buggy.py").read_text(encoding="utf-8")
ROSTER = ("student_id,name,email,canvas_user_id\n"
          "s01,Ada Lovelace,ada@example.edu,1001\n"
          "s02,Bo,bo@example.edu,1002\n"
          "s03,Chen Wei,chen@example.edu,1003\n"
          "s04,Dana Scully,dana@example.edu,1004\n")


def _invoke(*args: str) -> Result:
    from grader.cli import cli

    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output, result.output
    return result


def _zip(path: Path, entries: list[tuple[str, tuple[int, ...], str]]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, when, text in entries:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
    return path


def _hw1_points() -> float:
    from grader.spec import load_exercise_set

    exercise_set = load_exercise_set()
    return exercise_set.assignment("hw1").points(exercise_set.exercises)


def _rows(out: Path) -> dict[str, dict]:
    done = _invoke("export", str(out), "--format", "json", "--assignment", "hw1")
    assert done.exit_code == 0, done.output
    return {row["student"]: row for row in json.loads(done.output)["students"]}


@pytest.fixture(scope="module")
def semester(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("semester")
    (root / "roster.csv").write_text(ROSTER, encoding="utf-8")
    (root / "extensions.csv").write_text("student,assignment,due,days\ns03,hw1,,2\n", encoding="utf-8")
    moodle = _zip(root / "moodle.zip", [
        ("Ada Lovelace_501_assignsubmission_file_/hw1.py", (2026, 10, 9, 23, 50, 0), CORRECT),
        ("Bo_502_assignsubmission_file_/hw1.py", (2026, 10, 11, 1, 0, 0), CORRECT),
        ("Chen Wei_503_assignsubmission_file_/hw1.py", (2026, 10, 11, 10, 0, 0), CORRECT),
        ("Dana Scully_504_assignsubmission_file_/hw1.py", (2026, 10, 10, 0, 10, 0), BUGGY),
        ("Zed Nobody_505_assignsubmission_file_/hw1.py", (2026, 10, 9, 12, 0, 0), CORRECT),
    ])
    canvas = _zip(root / "canvas.zip", [
        ("adalovelace_1001_9001_hw1.py", (2026, 10, 20, 8, 0, 0), CORRECT),
        ("bo_late_1002_9002_hw1.py", (2026, 10, 20, 8, 0, 0), CORRECT),
        ("chenwei_1003_9003_hw1.py", (2026, 10, 20, 8, 0, 0), BUGGY),
        ("chenwei_1003_9010_hw1-1.py", (2026, 10, 20, 8, 0, 0), CORRECT),
        ("zednobody_1999_9004_hw1.py", (2026, 10, 20, 8, 0, 0), CORRECT),
    ])
    found: dict[str, Path] = {"root": root}
    for lms, archive in (("moodle", moodle), ("canvas", canvas)):
        done = _invoke("collect", str(archive), "--from", lms, "--roster", str(root / "roster.csv"),
                       "--timezone", "Asia/Shanghai", "-o", str(root / f"{lms}-hw1"))
        assert done.exit_code == 0, done.output
        graded = _invoke("grade", str(root / f"{lms}-hw1"), "-o", str(root / f"{lms}-out"), "--assignment", "hw1",
                         "--roster", str(root / "roster.csv"), "--no-similarity")
        assert graded.exit_code == 0, graded.output
        found[lms] = root / f"{lms}-out"
        (root / f"{lms}-collect.txt").write_text(done.output, encoding="utf-8")
    return found


def test_collect_lists_the_student_it_could_not_match(semester):
    for lms in ("moodle", "canvas"):
        said = (semester["root"] / f"{lms}-collect.txt").read_text(encoding="utf-8")
        assert re.search(r"(?i)zed\s*nobody|zednobody", said), said
        folder = semester["root"] / f"{lms}-hw1"
        manifest = json.loads((folder / ".grader-collect.json").read_text(encoding="utf-8"))
        expected = {"s01", "s02", "s03", "s04"} if lms == "moodle" else {"s01", "s02", "s03"}
        assert set(manifest["submissions"]) == expected
        assert manifest["unmatched"], manifest


def test_moodle_lateness_extension_and_grace_as_computed_by_hand(semester):
    total = _hw1_points()
    rows = _rows(semester["moodle"])
    assert rows["s01"]["total"] == pytest.approx(total) and rows["s01"]["late_penalty"] == 0
    # 10-11 01:00 − 10-09 23:59 = 25 h 01 min: two started days after the 15 minutes of grace
    assert rows["s02"]["late_hours"] == pytest.approx(25 + 1 / 60, abs=0.01)
    assert rows["s02"]["late_penalty"] == pytest.approx(0.2)
    assert rows["s02"]["total"] == pytest.approx(0.8 * total)
    assert rows["s03"]["late_penalty"] == 0 and rows["s03"]["total"] == pytest.approx(total)  # +2 days
    # 11 minutes late, inside the 15 of grace: nothing taken, the checks' score stands
    assert rows["s04"]["late_penalty"] == 0 and rows["s04"]["raw_total"] < total
    assert rows["s04"]["total"] == pytest.approx(rows["s04"]["raw_total"])
    assert {rows[s]["time_source"] for s in ("s01", "s02", "s03", "s04")} == {"lms"}


def test_canvas_keeps_the_last_attempt_and_flags_the_late_marker(semester):
    total = _hw1_points()
    rows = _rows(semester["canvas"])
    assert {s: rows[s]["total"] for s in ("s01", "s02", "s03")} == pytest.approx(
        {"s01": total, "s02": total, "s03": total})  # s03's second attempt is the correct one
    assert rows["s02"]["late_kind"] == "flagged" and rows["s02"]["late_penalty"] == 0
    assert rows["s01"]["late_kind"] == "unknown" and rows["s01"]["time_source"] == "lms"
    report = (semester["canvas"] / "report.html").read_text(encoding="utf-8")
    assert "late, says the LMS" in report


def test_a_correction_survives_a_regrade_and_reaches_both_lms_files(semester):
    out, total = semester["moodle"], _hw1_points()
    dana = _rows(out)["s04"]
    wrong = sorted(ex for ex, cell in dana["exercises"].items() if cell["score"] < cell["max_score"])
    assert wrong, dana
    fixed = wrong[0]
    cell = dana["exercises"][fixed]
    done = _invoke("override", str(out), "s04", fixed, str(cell["max_score"]), "--reason", "graded by hand")
    assert done.exit_code == 0, done.output
    expected = dana["raw_total"] - cell["score"] + cell["max_score"]
    assert _rows(out)["s04"]["total"] == pytest.approx(expected)
    again = _invoke("grade", str(semester["root"] / "moodle-hw1"), "-o", str(out), "--assignment", "hw1",
                    "--roster", str(semester["root"] / "roster.csv"), "--force", "--no-similarity")
    assert again.exit_code == 0, again.output
    rows = _rows(out)
    assert rows["s04"]["total"] == pytest.approx(expected) and rows["s04"]["overridden"] == [fixed]
    assert rows["s02"]["total"] == pytest.approx(0.8 * total)

    moodle_csv = _invoke("export", str(out), "--format", "moodle", "--assignment", "hw1")
    assert moodle_csv.exit_code == 0, moodle_csv.output
    table = list(csv.reader(io.StringIO(moodle_csv.output)))
    assert table[0][:4] == ["Full name", "Email address", "ID number", "Username"]
    by_id = {row[2]: float(row[4]) for row in table[1:]}
    assert by_id == pytest.approx({"s01": total, "s02": 0.8 * total, "s03": total, "s04": expected})
    assert table[0][4] == "Homework 1: perceptrons and networks"  # the assignment's title

    canvas_csv = _invoke("export", str(semester["canvas"]), "--format", "canvas", "--assignment", "hw1",
                         "--canvas-assignment-id", "777", "--roster", str(semester["root"] / "roster.csv"))
    assert canvas_csv.exit_code == 0, canvas_csv.output
    table = list(csv.reader(io.StringIO(canvas_csv.output)))
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                        "Homework 1: perceptrons and networks (777)"]
    assert table[1][0].strip() == "Points Possible" and float(table[1][5]) == pytest.approx(total)
    by_canvas_id = {row[1]: float(row[5]) for row in table[2:]}
    # s04 is on the roster and sent nothing through Canvas: 0, as the gradebook has it
    assert by_canvas_id == pytest.approx({"1001": total, "1002": total, "1003": total, "1004": 0.0})


def test_bad_inputs_of_the_walkthrough_are_clear_usage_errors(semester, tmp_path):
    out = semester["moodle"]
    cases = [
        ("export", str(out), "--format", "canvas", "--assignment", "hw9"),
        ("override", str(out), "nobody", "sign", "1", "--reason", "x"),
        ("override", str(out), "s04", "no_such_exercise", "1", "--reason", "x"),
        ("grade", str(semester["root"] / "moodle-hw1"), "-o", str(tmp_path / "o"), "--assignment", "hw9"),
    ]
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    cases.append(("collect", str(tmp_path / "broken.zip"), "--from", "moodle", "-o", str(tmp_path / "c")))
    for args in cases:
        done = _invoke(*args)
        assert done.exit_code == 2, (args, done.output)
        assert done.output.strip(), args
    assert not (tmp_path / "c").exists()  # a refused archive writes nothing
