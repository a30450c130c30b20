"""`grader grade` on a class: discovery, a hostile or broken submission never stops the batch,
resume skips unchanged work and regrades changed work, the CSV matches the database, Ctrl-C keeps
what is graded, and every student gets feedback."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support import ROOT, interruptible

CLASS = ROOT / "submissions" / "class"
#: a few exercises keep the class run short; farah's relu pokes outside its folder, her softmax
#: kills its own process, jun imports torch
EXERCISES = ("sigmoid", "relu", "tanh_grad", "softmax")
OK_RELU = "import numpy as np\n\ndef relu(x):\n    return np.maximum(np.asarray(x, dtype=float), 0.0)\n"
BAD_RELU = "import numpy as np\n\ndef relu(x):\n    return np.asarray(x, dtype=float)\n"


def grader(*args: str, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout, env={**os.environ, **kwargs.pop("env", {})}, **kwargs)


def selection(*ids: str) -> list[str]:
    return [a for i in ids for a in ("-e", i)]


def standing(out: Path) -> dict[str, sqlite3.Row]:
    """The grade that stands for each student of the latest run."""
    db = sqlite3.connect(out / "gradebook.sqlite")
    db.row_factory = sqlite3.Row
    rows = db.execute(
        "SELECT e.student, e.action, g.* FROM run_entries e LEFT JOIN grades g ON g.id = e.grade_id "
        "WHERE e.run_id = (SELECT MAX(id) FROM runs)").fetchall()
    db.close()
    return {r["student"]: r for r in rows}


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    out = tmp_path_factory.mktemp("class-graded")
    proc = grader("grade", str(CLASS), "-o", str(out), "--roster", str(CLASS / "roster.csv"),
                  "-j", "2", *selection(*EXERCISES))
    return out, proc


# ------------------------------------------------------------------------------------ discovery

def test_discovery_finds_every_kind_of_entry(tmp_path):
    from grader.batch.discover import discover
    from grader.batch.roster import read_roster

    roster = read_roster(CLASS / "roster.csv")
    found = discover(CLASS, roster, exclude=(CLASS / "roster.csv",))
    kinds = {e.student: e.kind for e in found.entries}
    assert kinds["ada"] == "file" and kinds["dana"] == "notebook" and kinds["emil"] == "folder"
    assert kinds["nora"] == "missing"
    assert [e.student for e in found.not_on_roster] == ["hana"]
    assert found.ignored == []
    assert len(found.entries) >= 13

    (tmp_path / "bob.py").write_text(OK_RELU)
    (tmp_path / "bob").mkdir()                     # two entries for one student
    (tmp_path / "Carol.ipynb").write_text("{}")
    (tmp_path / ".hidden.py").write_text("")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / "README.md").write_text("hello")
    (tmp_path / "roster.csv").write_text("id,name\ncarol,Carol C\n")
    found = discover(tmp_path, read_roster(tmp_path / "roster.csv"), exclude=(tmp_path / "roster.csv",))
    entries = {e.student: e for e in found.entries}
    assert set(entries) == {"bob", "carol"}
    assert entries["bob"].kind == "ambiguous" and len(entries["bob"].paths) == 2
    assert entries["carol"].kind == "notebook" and entries["carol"].on_roster  # ids match case-insensitively
    assert found.ignored == ["README.md"]


def test_roster_header_is_found_in_any_column_order(tmp_path):
    from grader.batch.roster import read_roster

    path = tmp_path / "r.csv"
    path.write_text("\ufeff姓名,邮箱,学号\n张三,z@x.cn,zhang\n", encoding="utf-8")
    [student] = read_roster(path)
    assert (student.id, student.name, student.email) == ("zhang", "张三", "z@x.cn")


# ------------------------------------------------------------------------------- the class run

def test_the_whole_class_is_graded_whatever_single_students_do(graded_class):
    out, proc = graded_class
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    rows = standing(out)
    assert set(rows) >= {"ada", "bruno", "chen", "dana", "emil", "farah", "gus", "hana", "ivan", "jun",
                         "kim", "lea", "nora"}
    assert rows["ada"]["score"] == rows["ada"]["max_score"] > 0
    assert rows["dana"]["score"] == rows["dana"]["max_score"]       # the notebook, without its training
    assert rows["emil"]["score"] > 0                                 # the folder
    assert rows["farah"]["status"] == "graded" and 0 < rows["farah"]["score"] < rows["farah"]["max_score"]
    assert rows["nora"]["status"] == "missing" and rows["nora"]["score"] == 0
    for broken in ("gus", "ivan", "kim"):                            # empty, not JSON, syntax error
        assert rows[broken]["status"] == "error" and rows[broken]["score"] == 0
    assert "Not on the roster (graded anyway): hana" in proc.stdout
    assert "no submission (scored 0): nora" in proc.stdout
    assert '{"score": 100' not in proc.stdout                       # farah's prints stay hers


def test_exercise_rows_hold_status_code_messages_and_mistakes(graded_class):
    out, _ = graded_class
    db = sqlite3.connect(out / "gradebook.sqlite")
    grade_id = standing(out)["chen"]["id"]
    rows = {r[0]: r[1:] for r in db.execute(
        "SELECT exercise, status, code, messages, mistakes FROM exercise_grades WHERE grade_id = ?", (grade_id,))}
    status, _, messages, mistakes = rows["tanh_grad"]
    assert status == "failed"
    assert json.loads(mistakes) == ["tanh_grad_no_square"]
    assert json.loads(messages)["en"] and json.loads(messages)["zh"]
    kim = db.execute("SELECT code FROM exercise_grades WHERE grade_id = ?", (standing(out)["kim"]["id"],)).fetchall()
    assert {c for (c,) in kim} == {"import_error"}
    run = db.execute("SELECT status, grader_version, spec_digest FROM runs").fetchone()
    assert run[0] == "complete" and run[1] and len(run[2]) >= 12


def test_csv_matches_the_database(graded_class):
    out, _ = graded_class
    exported = grader("export", str(out), "--format", "csv")
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == (out / "grades.csv").read_text(encoding="utf-8-sig")
    assert (out / "grades.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(exported.stdout))}
    db = sqlite3.connect(out / "gradebook.sqlite")
    for student, grade in standing(out).items():
        row = rows[student]
        assert float(row["total"]) == pytest.approx(grade["score"])
        assert float(row["max_score"]) == pytest.approx(grade["max_score"])
        assert float(row["percent"]) == pytest.approx(100 * grade["score"] / grade["max_score"], abs=0.01)
        for exercise, score in db.execute("SELECT exercise, score FROM exercise_grades WHERE grade_id = ?",
                                          (grade["id"],)):
            assert float(row[exercise]) == pytest.approx(score)
    assert list(rows["ada"])[:5] == ["student", "name", "email", "on_roster", "status"]
    assert rows["hana"]["on_roster"] == "no" and rows["chen"]["name"] == "陈伟 Chen Wei"
    as_json = json.loads(grader("export", str(out), "--format", "json").stdout)
    assert as_json["exercises"] == list(EXERCISES)
    assert {s["student"] for s in as_json["students"]} == set(rows)


def test_every_student_gets_markdown_and_html_feedback(graded_class):
    out, _ = graded_class
    for student in standing(out):
        assert (out / "feedback" / f"{student}.md").is_file()
        assert (out / "feedback" / f"{student}.html").is_file()
    chen = (out / "feedback" / "chen.md").read_text(encoding="utf-8")
    assert "tanh_grad" in chen and "expected" in chen and "Hint:" in chen and "the square" in chen
    dana = (out / "feedback" / "dana.md").read_text(encoding="utf-8")
    assert "were not run when grading" in dana and "for epoch in range" in dana
    farah = (out / "feedback" / "farah.html").read_text(encoding="utf-8")
    assert "GRADER HACKED" in farah                                   # shown to her, as text
    assert "nora" in (out / "feedback" / "nora.md").read_text(encoding="utf-8")


def test_history_lists_the_runs_of_a_student(graded_class):
    out, _ = graded_class
    proc = grader("history", str(out), "chen")
    assert proc.returncode == 0
    header, first = proc.stdout.splitlines()[1:3]
    assert header.split()[:2] == ["run", "started"] and first.split()[0] == "1" and "graded" in first
    assert grader("history", str(out), "nobody").returncode == 2
    assert grader("export", str(out.parent / "nowhere")).returncode == 2


# ----------------------------------------------------------------------------------- the rest

def small_class(folder: Path, **students: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, source in students.items():
        (folder / f"{name}.py").write_text(source, encoding="utf-8")
    return folder


def test_resume_skips_unchanged_and_regrades_changed_work(tmp_path):
    subs = small_class(tmp_path / "subs", ann=OK_RELU, ben=BAD_RELU, cat=OK_RELU)
    out = tmp_path / "out"
    args = ("grade", str(subs), "-o", str(out), "-e", "relu", "-j", "2")
    first = grader(*args)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Grading 3 of 3" in first.stdout
    first_ids = {s: r["id"] for s, r in standing(out).items()}

    again = grader(*args)
    assert "Nothing to grade: all 3 submission(s) are unchanged" in again.stdout
    assert {s: r["id"] for s, r in standing(out).items()} == first_ids
    assert {r["action"] for r in standing(out).values()} == {"unchanged"}

    (subs / "ben.py").write_text(OK_RELU + "# fixed\n")
    (subs / "dan.py").write_text(BAD_RELU)
    changed = grader(*args)
    assert "Grading 2 of 4" in changed.stdout
    assert "ben: 0 → 4 (+4)" in changed.stdout
    rows = standing(out)
    assert rows["ann"]["id"] == first_ids["ann"] and rows["ben"]["id"] != first_ids["ben"]
    assert rows["ben"]["score"] == 4 and rows["dan"]["score"] == 0

    forced = grader(*args, "--force")
    assert "Grading 4 of 4" in forced.stdout
    other_key = grader(*args, "--time-limit", "7")                 # another grading key: all again
    assert "Grading 4 of 4" in other_key.stdout
    history = grader("history", str(out), "ben").stdout
    assert [line.split()[0] for line in history.splitlines()[2:]] == ["1", "2", "3", "4", "5"]


def test_a_lost_grader_process_costs_one_submission_and_is_regraded(tmp_path):
    """A grade recorded as an internal error is never reused."""
    from grader.batch.gradebook import INTERNAL, Gradebook

    subs = small_class(tmp_path / "subs", ann=OK_RELU)
    out = tmp_path / "out"
    assert grader("grade", str(subs), "-o", str(out), "-e", "relu", "-j", "1").returncode == 0
    book = Gradebook(out / "gradebook.sqlite")
    with book.db:
        book.db.execute("UPDATE grades SET status = ?", (INTERNAL,))
    book.close()
    assert "Grading 1 of 1" in grader("grade", str(subs), "-o", str(out), "-e", "relu", "-j", "1").stdout


def test_ctrl_c_keeps_finished_results_and_a_rerun_completes_the_rest(tmp_path):
    hanging = "def relu(x):\n    while True:\n        pass\n"
    subs = small_class(tmp_path / "subs", **{f"s{i}": hanging for i in range(6)})
    out = tmp_path / "out"
    args = [sys.executable, "-m", "grader", "grade", str(subs), "-o", str(out), "-e", "relu", "-j", "1",
            "--time-limit", "1.5"]
    proc = subprocess.Popen(interruptible(*args[1:]), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        deadline = time.monotonic() + 120
        graded = 0
        while time.monotonic() < deadline and graded == 0:
            time.sleep(0.2)
            if (out / "gradebook.sqlite").exists():
                try:
                    db = sqlite3.connect(out / "gradebook.sqlite", timeout=5)
                    graded = db.execute("SELECT COUNT(*) FROM grades").fetchone()[0]
                    db.close()
                except sqlite3.OperationalError:  # tables not created yet
                    pass
        assert graded >= 1, "no result came in"
        interrupted_at = time.monotonic()
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert time.monotonic() - interrupted_at < 20
    assert proc.returncode == 130, stdout + stderr
    assert "Traceback" not in stderr
    assert "Interrupted" in stdout
    db = sqlite3.connect(out / "gradebook.sqlite")
    kept = db.execute("SELECT COUNT(*) FROM grades").fetchone()[0]
    assert 1 <= kept < 6
    assert db.execute("SELECT status FROM runs").fetchone()[0] == "interrupted"
    db.close()
    assert len(grader("export", str(out)).stdout.splitlines()) == 7   # everyone, some still pending

    rerun = grader(*args[3:])
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"Grading {6 - kept} of 6" in rerun.stdout
    rows = standing(out)
    assert len(rows) == 6 and all(r["status"] == "graded" for r in rows.values())
    assert all(r["score"] == 0 for r in rows.values())


def test_student_output_never_becomes_markup(tmp_path):
    subs = small_class(tmp_path / "subs", eve='print("<script>alert(1)</script>")\n' + BAD_RELU)
    out = tmp_path / "out"
    assert grader("grade", str(subs), "-o", str(out), "-e", "relu", "-j", "1").returncode == 0
    page = (out / "feedback" / "eve.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in (out / "report.html").read_text(encoding="utf-8")


def test_chinese_feedback_and_report(tmp_path):
    subs = small_class(tmp_path / "subs", ann=OK_RELU, ben=BAD_RELU)
    out = tmp_path / "out"
    proc = grader("grade", str(subs), "-o", str(out), "-e", "relu", "-j", "1", "--lang", "zh")
    assert proc.returncode == 0
    assert "评分" in proc.stdout
    assert "需要修改的地方" in (out / "feedback" / "ben.md").read_text(encoding="utf-8")
    assert "班级报告" in (out / "report.html").read_text(encoding="utf-8")


def test_usage_errors_exit_2(tmp_path):
    subs = small_class(tmp_path / "subs", ann=OK_RELU)
    bad_roster = tmp_path / "roster.csv"
    bad_roster.write_bytes(b"\xff\xfe\x00garbage")
    for args, message in [
        (["grade", str(subs), "-e", "no_such"], "unknown exercise"),
        (["grade", str(subs), "--roster", str(bad_roster)], "Cannot read the roster"),
        (["grade", str(tmp_path / "nowhere")], "does not exist"),
    ]:
        proc = grader(*args, "-o", str(tmp_path / "out"))
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert message in proc.stderr
        assert "Traceback" not in proc.stderr


def test_output_folder_defaults_next_to_the_submissions(tmp_path):
    subs = small_class(tmp_path / "week3", ann=OK_RELU)
    assert grader("grade", str(subs), "-e", "relu", "-j", "1").returncode == 0
    assert (tmp_path / "week3-graded" / "gradebook.sqlite").is_file()
    shutil.rmtree(tmp_path / "week3-graded")


def test_grade_honours_the_sandbox_options(tmp_path, monkeypatch):
    """--memory-limit reaches the workers; --strict-sandbox refuses where a layer is missing."""
    import subprocess
    import sys

    from support import ROOT

    klass = tmp_path / "class"
    klass.mkdir()
    (klass / "ann.py").write_text("import numpy as np\ndef relu(x):\n    np.empty(40 * 2**20)\n"
                                  "    return np.maximum(x, 0.0)\n")  # 320 MB of floats
    run = lambda *extra: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "grader", "grade", str(klass), "-o", str(tmp_path / "out"), "-e", "relu",
         "-j", "1", "--force", *extra], capture_output=True, text=True, cwd=ROOT, timeout=300)
    roomy, tight = run(), run("--memory-limit", "64")
    assert roomy.returncode == tight.returncode == 0, tight.stderr
    assert "ann: 4/4" in roomy.stdout and "ann: 0/4" in tight.stdout
    strict = subprocess.run([sys.executable, "-c",
                             "import sys; from grader import sandbox; "
                             "sandbox.probe = lambda: {'landlock': sandbox.LayerStatus(False, 'off')}; "
                             "from grader.cli import main; "
                             "sys.argv = ['grader', 'grade', sys.argv[1], '--strict-sandbox']; main()",
                             str(klass)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert strict.returncode == 2 and "landlock" in strict.stderr
