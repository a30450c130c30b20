"""The instructor's and the course's edges (issue 12): every bad roster, a partial regrade, the
gradebook's CSV in Excel, `grader history`'s columns, a starter's scope carried to `check`, and
the notebook starter's language. Each drives the real command; batch runs use a tiny class."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT

OK_RELU = "import numpy as np\n\ndef relu(x):\n    return np.maximum(np.asarray(x, dtype=float), 0.0)\n"
BAD_RELU = "import numpy as np\n\ndef relu(x):\n    return np.asarray(x, dtype=float)\n"
OK_SIGMOID = ("import numpy as np\n\ndef sigmoid(x):\n"
              "    return 0.5 * (1 + np.tanh(0.5 * np.asarray(x, dtype=float)))\n")


def grader(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout, env={**os.environ, "GRADER_LANG": "en"})


def tiny_class(folder: Path, **students: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, source in students.items():
        (folder / f"{name}.py").write_text(source, encoding="utf-8")
    return folder


def read_grades(out: Path) -> dict[str, dict[str, str]]:
    with (out / "grades.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


# ------------------------------------------------------------------------------------ the roster


@pytest.fixture
def two_students(tmp_path: Path) -> Path:
    return tiny_class(tmp_path / "subs", ann=OK_RELU, ben=BAD_RELU)


def roster_run(subs: Path, roster: Path, lang: str = "en") -> subprocess.CompletedProcess:
    return grader("--lang", lang, "grade", str(subs), "-o", str(subs.parent / f"out-{roster.stem}-{lang}"),
                  "-e", "relu", "-j", "1", "--roster", str(roster))


BAD_ROSTERS = [
    ("name,email\nAnn A,ann@x.edu\nBen B,ben@x.edu\n",
     "no column holds the student ids (columns found: name, email)", "没有一列是学号（找到的列：name, email）"),
    ("id,name\nann,Ann\nben,Ben\nANN,Ann again\n",
     "listed more than once: ANN", "重复出现：ANN"),
    ("id,login,name\nann,ann,Ann\nben,ben,Ben\n",
     "several columns could hold the student ids (id, login)", "有几列都可能是学号（id, login）"),
    ("ann,ann@x.edu,ann\nben,ben@x.edu,ben\n",
     "several columns could hold the student ids (ann, ann)", "有几列都可能是学号（ann, ann）"),
    ("Matrikel,Vorname\nann,Ann\nben,Ben\n",
     "several columns could hold the student ids (Matrikel, Vorname)", "有几列都可能是学号（Matrikel, Vorname）"),
    ("Matrikel,Vorname\nann,Ann Lee\nben,Ben Bo\n",
     "the first row (Matrikel, Vorname) is neither a header", "第一行（Matrikel, Vorname）"),
]


@pytest.mark.parametrize("content,english,chinese", BAD_ROSTERS)
def test_an_unusable_roster_is_refused_with_what_was_found(two_students, content, english, chinese):
    roster = two_students.parent / "roster.csv"
    roster.write_text(content, encoding="utf-8")
    for lang, message in (("en", english), ("zh", chinese)):
        proc = roster_run(two_students, roster, lang)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert message in proc.stderr
        assert "Traceback" not in proc.stderr
        assert not (two_students.parent / f"out-roster-{lang}").exists()  # refused before grading


@pytest.mark.parametrize("raw", [
    "student_id;name;email\nann;Ann;ann@x.edu\nben;Ben;ben@x.edu\ncat;Cat;cat@x.edu\n".encode(),
    "\ufeff学号,姓名\nann,安\nben,本\ncat,猫\n".encode("utf-8"),
    "学号,姓名\nann,安\nben,本\ncat,猫\n".encode("gbk"),
    "name\tlogin\nAnn\tann\nBen\tben\nCat\tcat\n".encode("utf-16"),
    b"ann,Ann Lee\nben,Ben Bo\ncat,Cat Cy\n",                                # no header: the id column is inferred
    b"Student,ID,SIS User ID,SIS Login ID\nAnn Lee,101,s1,ann\nBen Bo,102,s2,ben\nCat Cy,103,s3,cat\n",
], ids=["semicolons", "utf8-bom", "gbk", "utf16-tabs", "no-header", "canvas"])
def test_a_spreadsheets_roster_reads_right(two_students, raw):
    roster = two_students.parent / "roster.csv"
    roster.write_bytes(raw)
    proc = roster_run(two_students, roster)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Not on the roster" not in proc.stdout           # the header row is nobody, ann and ben are listed
    assert "On the roster, no submission (scored 0): cat" in proc.stdout
    rows = read_grades(two_students.parent / "out-roster-en")
    assert set(rows) == {"ann", "ben", "cat"} and rows["ann"]["on_roster"] == "yes"


def test_a_roster_in_no_known_encoding_says_so(two_students):
    roster = two_students.parent / "roster.csv"
    roster.write_bytes(b"id,name\nann,\x80\xff\n")
    for lang, message in (("en", "neither UTF-8, UTF-16 nor GBK"), ("zh", "既不是 UTF-8")):
        proc = roster_run(two_students, roster, lang)
        assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


# ---------------------------------------------------------------------------- a partial regrade


def totals_everywhere(out: Path, student: str, feedback_score: str) -> set[str]:
    """The student's total as each output says it: grades.csv, the JSON export, the report, the feedback."""
    csv_row = read_grades(out)[student]
    exported = json.loads(grader("export", str(out), "--format", "json").stdout)
    [row] = [r for r in exported["students"] if r["student"] == student]
    report = (out / "report.html").read_text(encoding="utf-8")
    feedback = (out / "feedback" / f"{student}.md").read_text(encoding="utf-8")
    shown = {f"{csv_row['total']} / {csv_row['max_score']}", f"{row['total']:g} / {row['max_score']:g}"}
    assert f'{student}.html">{student}</a></td><td></td><td class="n">{csv_row["total"]} / ' \
           f'{csv_row["max_score"]}</td>' in report
    assert feedback_score.format(score=csv_row["total"], max=csv_row["max_score"]) in feedback
    return shown


def test_a_partial_regrade_merges_into_the_gradebook_and_keeps_its_language(tmp_path):
    subs = tiny_class(tmp_path / "subs", ann=OK_RELU + OK_SIGMOID, ben=BAD_RELU)
    out = tmp_path / "out"
    first = grader("--lang", "zh", "grade", str(subs), "-o", str(out), "-e", "relu", "-e", "sigmoid", "-j", "1")
    assert first.returncode == 0, first.stdout + first.stderr
    before = read_grades(out)
    full, relu = before["ann"]["max_score"], before["ann"]["relu"]
    assert before["ann"]["total"] == full and before["ben"]["relu"] != relu     # ann: relu + sigmoid, all right

    (subs / "ben.py").write_text(OK_RELU, encoding="utf-8")
    partial = grader("grade", str(subs), "-o", str(out), "-e", "relu", "-j", "1")  # GRADER_LANG=en, no --lang
    assert partial.returncode == 0 and "Traceback" not in partial.stderr, partial.stdout + partial.stderr
    assert "评分" in partial.stdout                                   # the gradebook's language, kept
    after = read_grades(out)
    assert set(after["ann"]) >= {"relu", "sigmoid"}
    assert after["ann"]["sigmoid"] == before["ann"]["sigmoid"] and after["ann"]["total"] == full  # kept
    assert after["ben"]["relu"] == after["ben"]["total"] == relu and after["ben"]["max_score"] == full
    for student in ("ann", "ben"):
        assert len(totals_everywhere(out, student, "**得分：{score} / {max}**")) == 1
    ben = (out / "feedback" / "ben.md").read_text(encoding="utf-8")
    assert "本次重新评分：relu" in ben and "sigmoid" in ben

    english = grader("grade", str(subs), "-o", str(out), "--student", "BEN", "--lang", "en", "-j", "1")
    assert english.returncode == 0, english.stdout + english.stderr
    assert "Grading 1 of 2" in english.stdout                          # only ben, on the gradebook's exercises
    again = read_grades(out)
    assert again["ann"]["run"] == after["ann"]["run"]                   # ann untouched
    assert again["ben"]["total"] == relu and again["ben"]["max_score"] == full
    assert len(totals_everywhere(out, "ben", "**Score: {score} / {max}**")) == 1
    assert f"**Score: {full} / {full}**" in (out / "feedback" / "ann.md").read_text(encoding="utf-8")  # all


def test_an_unknown_student_is_a_usage_error(tmp_path):
    subs = tiny_class(tmp_path / "subs", ann=OK_RELU, ben=BAD_RELU)
    for lang, message in (("en", "No student nobody in this class (its students: ann, ben)"),
                          ("zh", "这个班级没有学生 nobody（班级的学生：ann, ben）")):
        proc = grader("--lang", lang, "grade", str(subs), "-o", str(tmp_path / "out"), "--student", "nobody")
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert message in proc.stderr and "Traceback" not in proc.stderr
        assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------- grades.csv in Excel


def test_grades_csv_carries_a_bom_so_excel_reads_chinese_names(tmp_path):
    subs = tiny_class(tmp_path / "subs", ann=OK_RELU, ben=BAD_RELU)
    roster = tmp_path / "roster.csv"
    roster.write_text("学号,姓名\nann,陈伟\nben,李军\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = grader("grade", str(subs), "-o", str(out), "-e", "relu", "-j", "1", "--roster", str(roster))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    raw = (out / "grades.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "陈伟".encode() in raw
    assert read_grades(out)["ann"]["name"] == "陈伟"
    exported = tmp_path / "export.csv"
    assert grader("export", str(out), "-o", str(exported)).returncode == 0
    assert exported.read_bytes() == raw                                  # a file for Excel: the same bytes
    stdout = grader("export", str(out))
    assert stdout.returncode == 0 and not stdout.stdout.startswith("\ufeff")  # a pipe gets no BOM
    assert stdout.stdout == raw.decode("utf-8-sig")


# ------------------------------------------------------------------------------ grader history


def test_history_labels_every_column_in_both_languages(tmp_path):
    subs = tiny_class(tmp_path / "subs", ann=OK_RELU)
    out = tmp_path / "out"
    for _ in range(2):
        assert grader("grade", str(subs), "-o", str(out), "-e", "relu", "-j", "1").returncode == 0
    expected = {"en": ["run", "started", "in this run", "score", "grade", "submission (hash)", "specs (digest)"],
                "zh": ["运行", "开始时间", "本次运行", "得分", "评分状态", "提交（哈希）", "题目规格（摘要）"]}
    for lang, labels in expected.items():
        proc = grader("--lang", lang, "history", str(out), "ann")
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
        header, *rows = proc.stdout.splitlines()[1:]
        assert [cell.strip() for cell in header.split("  ") if cell.strip()] == labels
        assert [row.split()[0] for row in rows] == ["1", "2"]
        graded, unchanged = (("graded", "unchanged") if lang == "en" else ("已评分", "未改变"))
        assert rows[0].split()[2] == graded and rows[1].split()[2] == unchanged  # the run column, then the grade's


# ------------------------------------------------------------------- a starter's scope in check


def chapter_points(chapter: int) -> tuple[list[str], float, float]:
    """(the chapter's exercise ids, its points, every exercise's points), as `grader list` says."""
    listed = grader("list")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split()[:3] for line in listed.stdout.splitlines() if line.startswith("ch")]
    ids = [ex for ch, ex, _ in rows if ch == f"ch{chapter}"]
    return ids, sum(float(p) for ch, _, p in rows if ch == f"ch{chapter}"), sum(float(p) for *_, p in rows)


def check(*args: str, lang: str = "en") -> str:
    proc = grader("--lang", lang, "check", *args)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr  # nothing written yet
    return proc.stdout


def check_json(*args: str) -> dict:
    return json.loads(check(*args, "--format", "json"))


def test_a_chapter_starter_is_checked_out_of_that_chapters_points(tmp_path):
    ids, chapter, everything = chapter_points(3)
    starter = tmp_path / "f.py"
    assert grader("init", str(starter), "--chapter", "3").returncode == 0
    shown = check(str(starter))
    assert f"Score: 0 / {chapter:g}\n" in shown and chapter < everything
    assert all(f"\n{ex} " in shown for ex in ids)
    assert f"Scored the {len(ids)} exercise(s) ({chapter:g} points) that f.py was started with" in shown
    zh = check(str(starter), lang="zh")
    assert f"得分：0 / {chapter:g}" in zh
    assert f"只为 f.py 起始文件中的 {len(ids)} 道练习（共 {chapter:g} 分）评分" in zh

    chosen = check(str(starter), "-e", ids[0])                           # -e overrides the starter
    assert "Score: 0 / " in chosen and f"\n{ids[1]} " not in chosen
    assert f"not the {len(ids)} that f.py was started with" in chosen
    other = check_json(str(starter), "--chapter", "2")
    assert other["exercises"] and {ex["id"] for ex in other["exercises"]}.isdisjoint(ids)

    unmarked = tmp_path / "g.py"                                           # the marker deleted: everything
    unmarked.write_text("\n".join(line for line in starter.read_text(encoding="utf-8").splitlines()
                                  if not line.startswith("# grader: exercises")), encoding="utf-8")
    assert f"Score: 0 / {everything:g}\n" in check(str(unmarked))


@pytest.mark.parametrize("fmt", ["json", "gradescope"])
def test_what_grades_ignores_the_line_a_student_may_edit(tmp_path, fmt):
    """The marker is the student's: a trimmed one must not shrink what CI or a script scores."""
    _, _, everything = chapter_points(3)
    starter = tmp_path / "f.py"
    assert grader("init", str(starter), "-e", "sigmoid").returncode == 0
    proc = grader("check", str(starter), "--format", fmt)
    assert "Traceback" not in proc.stderr, proc.stderr
    report = json.loads(proc.stdout)
    maximum = report["max_score"] if fmt == "json" else report["extra_data"]["max_score"]
    assert maximum == pytest.approx(everything)


def test_check_refuses_an_unknown_chapter_in_both_languages(tmp_path):
    starter = tmp_path / "f.py"
    assert grader("init", str(starter), "--chapter", "3").returncode == 0
    for lang, message in (("en", "No exercises in chapter 99"), ("zh", "第 99 章")):
        proc = grader("--lang", lang, "check", str(starter), "--chapter", "99")
        assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


# ---------------------------------------------------------------- the notebook starter's language


NOTEBOOK_RUN = """
import json, sys
cells = [c for c in json.load(open(sys.argv[1], encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
namespace = {}
for cell in cells[:-1]:
    exec("".join(cell["source"]), namespace)
*setup, last = "".join(cells[-1]["source"]).strip().splitlines()
exec("\\n".join(setup), namespace)
print(eval(last.split("#")[0], namespace).text())
"""


@pytest.mark.parametrize("lang,words", [("zh", "得分：0 / "), ("en", "Score: 0 / ")])
def test_the_notebook_starter_reports_in_its_own_language(tmp_path, lang, words):
    notebook = tmp_path / "x.ipynb"
    made = grader("--lang", lang, "init", str(notebook), "--chapter", "3")
    assert made.returncode == 0, made.stderr
    other = {"zh": "en", "en": "zh"}[lang]                                 # the kernel's locale says otherwise
    ran = subprocess.run([sys.executable, "-c", NOTEBOOK_RUN, str(notebook)], capture_output=True, text=True,
                         cwd=tmp_path, timeout=300, env={**os.environ, "GRADER_LANG": other})
    assert ran.returncode == 0 and "Traceback" not in ran.stderr, ran.stderr
    assert words in ran.stdout
