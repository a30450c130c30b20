"""A semester's assignment end to end: grade hw1 with lateness and an extension, correct by hand,
regrade, remove a correction, export; every number against a hand computation.

The class (hw1 = chapter 2; its total is counted from the specs): due 2026-10-09 23:59
Asia/Shanghai = 15:59 UTC, 15 min of grace, −10 % per started day, at most −50 %, nothing after
2026-10-16 23:59 Asia/Shanghai.

| student | work      | time (source)                        | due date            | late        | penalty |
|---------|-----------|--------------------------------------|---------------------|-------------|---------|
| ada     | correct   | 2026-10-09 15:50 UTC (lms)           | the assignment's    | on time     | 0       |
| bruno   | correct   | 2026-10-11 17:00 UTC (lms)           | +1 day (extension)  | 25 h 01 min | 20 %    |
| chen    | correct   | commit 2026-10-10 02:30 UTC (git)    | the assignment's    | 10 h 31 min | 10 %    |
| dana    | correct   | 2026-10-17 00:00 UTC (lms)           | the assignment's    | after last  | 100 %   |
| eve     | buggy     | file time 2026-10-09 10:00 UTC       | 10-11 12:00 (roster)| on time     | 0       |
| nora    | (nothing) | on the roster                        |                     |             |         |
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from support import ROOT
from test_batch_grade import grader
from test_batch_report import CHROMIUM, _chromium

CORRECT = (ROOT / "submissions" / "correct.py").read_text(encoding="utf-8")
BUGGY = (ROOT / "submissions" / "buggy.py").read_text(encoding="utf-8")
UTC = dt.timezone.utc


def _invoke(*args: str) -> Result:
    from grader.cli import cli

    return CliRunner().invoke(cli, list(args))


def _manifest(folder: Path, times: dict[str, str]) -> None:
    (folder / ".grader-collect.json").write_text(json.dumps({
        "format": "grader-collect", "version": 1, "source": "canvas", "archive": "hw1.zip",
        "archive_sha256": "0" * 64, "collected_at": "2026-10-20T00:00:00+00:00",
        "submissions": {name: {"submitted_at": when, "time_source": "canvas-name", "late_flag": None,
                               "attempt": 1, "attempts_seen": 1, "lms_user_id": None, "lms_name": name,
                               "files": [f"{name}.py"]} for name, when in times.items()},
        "unmatched": []}), encoding="utf-8")


def _git_repo(folder: Path, source: str, when: str) -> None:
    folder.mkdir()
    (folder / "work.py").write_text(source, encoding="utf-8")
    env = {**os.environ, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_CONFIG_GLOBAL": os.devnull}
    for args in (["init", "-q"], ["add", "work.py"],
                 ["-c", "user.name=s", "-c", "user.email=s@example.org", "commit", "-qm", "hw1"]):
        subprocess.run(["git", *args], cwd=folder, env=env, check=True)


@pytest.fixture(scope="module")
def hw1_points() -> float:
    from grader.spec import load_exercise_set

    exercise_set = load_exercise_set()
    return exercise_set.assignments["hw1"].points(exercise_set.exercises)


@pytest.fixture(scope="module")
def semester(tmp_path_factory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("needs git")
    root = tmp_path_factory.mktemp("semester")
    subs = root / "hw1"
    subs.mkdir()
    for name in ("ada", "bruno", "dana"):
        (subs / f"{name}.py").write_text(CORRECT, encoding="utf-8")
    (subs / "eve.py").write_text(BUGGY, encoding="utf-8")
    moment = dt.datetime(2026, 10, 9, 10, 0, tzinfo=UTC).timestamp()
    os.utime(subs / "eve.py", (moment, moment))
    _git_repo(subs / "chen", CORRECT, "2026-10-10T02:30:00+00:00")
    _manifest(subs, {"ada": "2026-10-09T15:50:00+00:00", "bruno": "2026-10-11T17:00:00+00:00",
                     "dana": "2026-10-17T00:00:00+00:00"})
    (root / "roster.csv").write_text("id,name,extension_hw1\nada,Ada,\nbruno,Bruno,\nchen,陈晨,\ndana,Dana,\n"
                                     "eve,Eve,2026-10-11 12:00 Asia/Shanghai\nnora,Nora,\n", encoding="utf-8")
    (root / "extensions.csv").write_text("student,assignment,due,days\nbruno,hw1,,1\n", encoding="utf-8")
    out = root / "graded"
    proc = grader("--lang", "en", "grade", str(subs), "-o", str(out), "--roster", str(root / "roster.csv"),
                  "--assignment", "hw1", "-j", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (root / "first-run.txt").write_text(proc.stdout + "\n" + proc.stderr, encoding="utf-8")
    return out


def _rows(out: Path) -> dict[str, dict[str, str]]:
    table = (out / "grades.csv").read_text(encoding="utf-8-sig")
    return {row["student"]: row for row in csv.DictReader(io.StringIO(table))}


def _json_rows(out: Path, *extra: str) -> dict[str, dict]:
    result = _invoke("export", str(out), "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return {row["student"]: row for row in json.loads(result.output)["students"]}


#: (student, time source, hours late, penalty) as computed by hand in the module's table
EXPECTED = [("ada", "lms", 0.0, 0.0), ("bruno", "lms", 25.02, 0.2), ("chen", "git", 10.52, 0.1),
            ("dana", "lms", 176.02, 1.0), ("eve", "file", 0.0, 0.0)]


def test_the_run_says_who_was_late_and_whose_time_is_a_file_date(semester):
    said = (semester.parent / "first-run.txt").read_text(encoding="utf-8")
    assert "Late: bruno (25.02 h, −20 %), chen (10.52 h, −10 %), dana (176.02 h, −100 %)" in said
    assert "files' modification times (no LMS record, no git history; check them): eve" in said


@pytest.mark.parametrize("student,source,hours,penalty", EXPECTED)
def test_lateness_and_final_scores(semester, hw1_points, student, source, hours, penalty):
    row = _json_rows(semester)[student]
    assert (row["time_source"], row["late_hours"], row["late_penalty"]) == (source, hours, penalty)
    raw = sum(ex["score"] for ex in row["exercises"].values())
    assert row["raw_total"] == pytest.approx(raw)
    if student != "eve":  # the correct file: full marks from the checks
        assert row["raw_total"] == hw1_points
    assert row["total"] == pytest.approx(round(raw * (1 - penalty), 6))
    assert row["max_score"] == hw1_points and row["assignment"] == "hw1"
    assert row["percent"] == pytest.approx(round(100 * row["total"] / hw1_points, 2))
    csv_row = _rows(semester)[student]
    assert float(csv_row["total"]) == pytest.approx(row["total"])
    assert float(csv_row["late_penalty"]) == penalty and csv_row["time_source"] == source


def test_the_missing_student_has_no_lateness(semester):
    row = _json_rows(semester)["nora"]
    assert row["total"] == 0 and row["late_penalty"] == 0 and row["time_source"] == "none"


@pytest.mark.parametrize("lang,words", [
    ("en", ["Final score: {final} / {total}",
            "Extension: due 2026-10-10 23:59 +08:00 instead of 2026-10-09 23:59 +08:00.",
            "submitted 25.02 h late (2026-10-12 01:00 +08:00): −20 % · time from the LMS"]),
    ("zh", ["最终得分：{final} / {total}",
            "延期：截止日期改为 2026-10-10 23:59 +08:00（原为 2026-10-09 23:59 +08:00）。",
            "迟交 25.02 小时（2026-10-12 01:00 +08:00）：扣 20 % · 时间来自教学平台"]),
])
def test_the_feedback_says_what_happened(semester, hw1_points, tmp_path, lang, words):
    out = tmp_path / "graded"
    shutil.copytree(semester, out)
    result = _invoke("--lang", lang, "comment", str(out), "bruno", "Good work, late.")
    assert result.exit_code == 0, result.output
    page = (out / "feedback" / "bruno.md").read_text(encoding="utf-8")
    final = f"{round(hw1_points * 0.8, 6):g}"
    for line in words:
        assert line.format(final=final, total=f"{hw1_points:g}") in page
    assert "Good work, late." in page
    assert "late" not in (out / "feedback" / "ada.md").read_text(encoding="utf-8").split("|")[0].lower()


def test_closed_and_file_time_in_the_feedback(semester):
    dana = (semester / "feedback" / "dana.md").read_text(encoding="utf-8")
    assert "after the last day (2026-10-16 23:59 +08:00): the work counts nothing" in dana
    eve = (semester / "feedback" / "eve.md").read_text(encoding="utf-8")
    assert "submitted on time (2026-10-09 18:00 +08:00)" in eve and "time of the file" in eve
    # the roster's extension_hw1 column
    assert "Extension: due 2026-10-11 12:00 +08:00 instead of 2026-10-09 23:59 +08:00." in eve


def _corrected(tmp_path: Path, semester: Path) -> Path:
    out = tmp_path / "graded"
    shutil.copytree(semester, out)
    for args in (("ada", "sign", "2", "--reason", "sign(0) was asked for in words, not code"),
                 ("chen", "step", "1.5", "--reason", "partial credit: right idea")):
        result = _invoke("--lang", "en", "override", str(out), *args)
        assert result.exit_code == 0, result.output
    return out


def test_an_override_replaces_the_exercise_then_the_penalty_applies(semester, hw1_points, tmp_path):
    out = _corrected(tmp_path, semester)
    rows = _json_rows(out)
    sign = rows["ada"]["exercises"]["sign"]
    step = rows["chen"]["exercises"]["step"]
    assert sign["overridden"] and sign["score"] == 2 and sign["raw_score"] == sign["max_score"]
    assert rows["ada"]["total"] == pytest.approx(hw1_points - sign["max_score"] + 2)
    assert rows["ada"]["overridden"] == ["sign"]
    # chen: (total − step's points + 1.5) × (1 − 10 %)
    assert rows["chen"]["total"] == pytest.approx(round((hw1_points - step["max_score"] + 1.5) * 0.9, 6))
    csv_row = _rows(out)["ada"]
    assert float(csv_row["sign"]) == 2 and csv_row["overridden"] == "sign"
    page = (out / "feedback" / "ada.md").read_text(encoding="utf-8")
    assert f"sign: 2 / {sign['max_score']:g}, set by your instructor (the checks gave {sign['max_score']:g}): " \
           "sign(0) was asked for in words, not code" in page
    assert "2/4 ✎ corrected" in page
    report = (out / "report.html").read_text(encoding="utf-8")
    assert '<span class="corrected"' in report and "<code>sign</code> 4 → 2" in report


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_history_lists_corrections(semester, tmp_path, lang):
    out = _corrected(tmp_path, semester)
    assert _invoke("override", str(out), "ada", "sign", "--remove").exit_code == 0
    result = _invoke("--lang", lang, "history", str(out), "ada")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    heading = "Corrections and comments of ada:" if lang == "en" else "ada 的改分与评语："
    start = lines.index(heading)
    assert "sign → 2" in lines[start + 2] and "sign(0) was asked for in words" in lines[start + 2]
    assert ("sign: correction removed" if lang == "en" else "sign：已撤销改分") in lines[start + 3]


def test_a_regrade_keeps_corrections_and_a_removal_restores(semester, hw1_points, tmp_path):
    out = _corrected(tmp_path, semester)
    subs = tmp_path / "hw1"
    shutil.copytree(semester.parent / "hw1", subs)
    (subs / "chen" / "work.py").write_text(CORRECT + "\n# touched\n", encoding="utf-8")  # changed: regraded
    proc = grader("--lang", "en", "grade", str(subs), "-o", str(out), "--assignment", "hw1", "-j", "2",
                  "--roster", str(semester.parent / "roster.csv"), "--force")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = _json_rows(out)
    assert rows["ada"]["total"] == pytest.approx(hw1_points - 2)  # sign: 4 → 2, still
    assert rows["chen"]["overridden"] == ["step"] and rows["chen"]["late_penalty"] == 0.1
    assert rows["ada"]["run"] == rows["chen"]["run"] > 1  # graded again, in the new run
    result = _invoke("--lang", "en", "override", str(out), "ada", "sign", "--remove")
    assert result.exit_code == 0 and "correction removed (4 again)" in result.output
    rows = _json_rows(out)
    assert rows["ada"]["total"] == hw1_points and rows["ada"]["overridden"] == []
    assert "✎" not in (out / "feedback" / "ada.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("args,en,zh", [
    (["nobody", "sign", "1", "--reason", "x"], "No student nobody in the gradebook.", "成绩库中没有学生 nobody"),
    (["ada", "softmax", "1", "--reason", "x"], "No exercise softmax in ada's grade (exercises: ", "没有练习 softmax"),
    (["ada", "sign", "5", "--reason", "x"], "5 is out of range: sign is worth 0 to 4 points.", "超出范围"),
    (["ada", "sign", "--reason", "x", "--", "-1"], "-1 is out of range", "超出范围"),
    (["ada", "sign", "nan", "--reason", "x"], "nan is out of range", "超出范围"),
    (["ada", "sign", "2"], "Say why with `--reason TEXT`", "`--reason TEXT`"),
    (["ada", "sign"], "Give the points", "请给出分数"),
    (["ada", "sign", "2", "--remove", "--reason", "x"], "not both", "不能两者都给"),
    (["ada", "step", "--remove"], "ada has no correction of step to remove.", "没有可撤销的改分"),
])
def test_bad_overrides_are_usage_errors(semester, tmp_path, args, en, zh):
    out = tmp_path / "graded"
    shutil.copytree(semester, out)
    before = (out / "grades.csv").read_bytes()
    for lang, words in (("en", en), ("zh", zh)):
        result = _invoke("--lang", lang, "override", str(out), *args)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output and words in result.stderr, result.stderr
    assert (out / "grades.csv").read_bytes() == before


def test_no_gradebook_and_an_empty_comment(tmp_path, semester):
    for args in (["override", str(tmp_path), "ada", "sign", "1", "--reason", "x"],
                 ["comment", str(tmp_path), "ada", "hi"], ["comment", str(semester), "ada", "  "],
                 ["comment", str(semester), "nobody", "hi"]):
        result = _invoke("--lang", "en", *args)
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert re.search(r"No gradebook in|The comment is empty|No student nobody", result.stderr)


def test_export_per_assignment(semester):
    assert set(_json_rows(semester, "--assignment", "hw1")) == {"ada", "bruno", "chen", "dana", "eve", "nora"}
    result = _invoke("--lang", "en", "export", str(semester), "--assignment", "hw2")
    assert result.exit_code == 2 and "unknown assignment: hw2 (known: hw1;" in result.stderr


def test_an_extensions_file_with_a_mistake_stops_the_run(semester, tmp_path):
    bad = tmp_path / "extensions.csv"
    bad.write_text("student,assignment,due\nbruno,hw1,2026-10-12 23:59\n", encoding="utf-8")
    for lang, words in (("en", "line 2: 2026-10-12 23:59 has no time zone"),
                        ("zh", "第 2 行：2026-10-12 23:59 没有时区")):
        result = _invoke("--lang", lang, "grade", str(semester.parent / "hw1"), "-o", str(tmp_path / "out"),
                         "--assignment", "hw1", "--extensions", str(bad))
        assert result.exit_code == 2 and words in result.stderr, result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_the_report_shows_lateness_and_corrections_in_chromium(semester, hw1_points, tmp_path):
    out = _corrected(tmp_path, semester)
    dom = _chromium("--dump-dom", (out / "report.html").resolve().as_uri(), cwd=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    section = dom.stdout.split('id="course"', 1)[1].split("<h2", 1)[0]
    cells = {}
    for row in re.findall(r"<tr>(.*?)</tr>", section, flags=re.S)[1:]:
        values = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        cells[values[0]] = values
    assert set(cells) == {"ada", "bruno", "chen", "dana", "eve"}
    assert cells["bruno"][1:5] == ["2026-10-11 17:00", "LMS", "25.02", "−20 %"]
    assert cells["chen"][2:5] == ["last commit", "10.52", "−10 %"] and cells["chen"][7] == "step 3 → 1.5"
    assert cells["dana"][4] == "−100 %" and cells["dana"][6] == f"0 / {hw1_points:g}"
    assert cells["eve"][2] == "file time (check)"
    assert 'class="file-time"' in section
    assert cells["ada"][6] == f"{hw1_points - 2:g} / {hw1_points:g}" and cells["ada"][7] == "sign 4 → 2"


HOSTILE = '=HYPERLINK("http://x") <script>alert(1)</script> \x1b[31m red \u202e evil'


def test_hostile_reasons_and_comments_stay_text(semester, tmp_path):
    """A reason or comment pasted from anywhere is shown, never run: no markup in the pages, no
    formula in grades.csv, no escape sequence on the terminal."""
    out = tmp_path / "graded"
    shutil.copytree(semester, out)
    assert _invoke("override", str(out), "ada", "sign", "3", "--reason", HOSTILE).exit_code == 0
    assert _invoke("comment", str(out), "ada", HOSTILE).exit_code == 0
    for page in (out / "feedback" / "ada.html", out / "report.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>" not in html and "&lt;script&gt;" in html and "\x1b" not in html
    md = (out / "feedback" / "ada.md").read_text(encoding="utf-8")
    assert "<script>" not in md and "\x1b" not in md
    cell = _rows(out)["ada"]["comment"]
    assert not cell.startswith("=") and "HYPERLINK" in cell
    history = _invoke("history", str(out), "ada")
    assert history.exit_code == 0 and "\x1b" not in history.output and "\u202e" not in history.output
