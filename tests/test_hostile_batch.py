"""A batch survives every student (issue 11): whatever one submission contains or produces, every
other student is graded; grades.csv, the feedback and the report are written; a rerun, `grader
export` and `grader history` read everything back. Distinct students keep distinct feedback
files, and two entries for one student never cost an honest student their grade."""

from __future__ import annotations

import csv
import dataclasses
import html.parser
import io
import json
import os
import re
import sqlite3
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from test_batch_grade import BAD_RELU, OK_RELU, grader, standing

# --------------------------------------------------------------------------- feedback names

WINDOWS_RESERVED = {"con", "prn", "aux", "nul", "conin$", "conout$",
                    *(f"{d}{n}" for d in ("com", "lpt") for n in "0123456789¹²³")}
#: what Windows, macOS or Linux refuse or mangle in a file name
FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f\ud800-\udfff]')


def assert_safe_name(name: str) -> None:
    assert name and len(name.encode("utf-8")) <= 200, name
    assert not FORBIDDEN.search(name), name
    assert not name.startswith((".", "-", " ")) and not name.endswith((".", " ")), name
    assert name.split(".", 1)[0].lower() not in WINDOWS_RESERVED, name


def test_feedback_names_keep_the_listed_collisions_apart():
    from grader.batch.names import feedback_name

    groups = [["a b", "a_b", "a/b", "a\\b", "a:b", "a?b", "a__b", "a_b_"],
              ["Alice", "alice", "ALICE"],
              ["con", "CON", "con.", "con.txt", "nul", "NUL.tar.gz", "com1", "lpt9", "aux "],
              ["x.", "x..", "x ", " x", ".x", "-x", "x"],
              ["strasse", "straße", "STRASSE"],
              ["", ".", "..", "_", "a\ud800", "a\udcff", "a\x00b"]]
    for ids in groups:
        names = [feedback_name(i) for i in ids]
        assert len({n.casefold() for n in names}) == len(ids), dict(zip(ids, names, strict=True))
        for name in names:
            assert_safe_name(name + ".html")


def test_feedback_names_are_the_plain_id_when_safe_and_are_stable():
    from grader.batch.names import feedback_name

    for plain in ("ada", "s2023-001", "li.wei", "a_b", "x" * 64):
        assert feedback_name(plain) == plain
    # pinned: a name must not change between runs, machines or versions (links in old reports)
    pinned = {"a b": "a_b~c8687a08aa", "Alice": "Alice~3bc5106297", "con": "con~1143da2bc5",
              "张三": "张三~1d841bc0ee", "": "student~e3b0c44298", "a\ud800": "a~25819b9b43",
              "y" * 300: "y" * 40 + "~9637cfead9"}
    assert {student: feedback_name(student) for student in pinned} == pinned


ids = st.text(st.characters(blacklist_categories=()), max_size=30)


@settings(max_examples=400, deadline=None)
@given(st.lists(ids, min_size=2, max_size=6, unique=True))
def test_distinct_ids_get_distinct_safe_names_case_insensitively(students):
    from grader.batch.names import feedback_name

    names = [feedback_name(s) for s in students]
    assert len({n.casefold() for n in names}) == len(students)
    for name in names:
        assert_safe_name(name + ".md")


# -------------------------------------------------------------------------- the gradebook

def hostile_result():
    from grader.result import CheckResult, ExerciseResult, SubmissionResult

    deep: object = [1.0]
    for _ in range(90):
        deep = [deep]
    check = CheckResult(name="reference", kind="reference", status="failed", score=0.0, max_score=2.0,
                        code="raised", facts={"type": "ValueError", "message": "boom \ud800 \x00 \udcff",
                                              "odd": {1, 2}, "object": object(), "big": 10 ** 5000},
                        counterexample={"function": "relu", "input": {"x": 0.0}, "actual": deep})
    exercise = ExerciseResult(id="relu", title={"en": "ReLU \ud800", "zh": "ReLU"}, chapter=3,
                              status="failed", score=1.0, max_score=4.0, checks=[check])
    return SubmissionResult(submission="s\udcc4.py", exercises=[exercise], stdout="printed \ud800\x00",
                            stderr="\udcff", notes=[{"code": "missing", "facts": {"k\ud800": "v"}}])


def test_the_gradebook_stores_and_reads_back_any_result(tmp_path):
    from grader.batch.gradebook import STORED_DEPTH, Gradebook

    book = Gradebook(tmp_path / "gradebook.sqlite")
    book.upsert_students([("ann", "", "", False)])
    run = book.start_run(grader_version="t", spec_digest="d", seed=1, exercises=["relu"], grading_key="k",
                         submissions_dir="x", jobs=1, forced=False, lang="en")
    grade_id = book.record(run, "ann", "s\udcc4.py", "h", "k", hostile_result())
    back = book.result(grade_id)
    assert back is not None and back.score == 1.0 and back.max_score == 4.0
    check = back.exercises[0].checks[0]
    assert check.facts["message"] == "boom \\ud800 \x00 \\udcff"   # visible, encodable, NUL kept
    assert back.stdout == "printed \\ud800\x00" and back.exercises[0].title["en"] == "ReLU \\ud800"
    assert back.notes == [{"code": "missing", "facts": {"k\\ud800": "v"}}]
    assert check.facts["odd"] == [1, 2] and isinstance(check.facts["object"], str)
    assert check.facts["big"] == "<an integer of 16610 bits>"
    depth, value = 0, check.counterexample["actual"]
    while isinstance(value, list):
        depth, value = depth + 1, value[0]
    assert value.startswith("…") and depth < STORED_DEPTH
    [row] = book.exercise_rows(grade_id)
    assert json.loads(row["messages"])["en"] and json.loads(row["messages"])["zh"]
    assert book.standing()[0]["grade"].path == "s\\udcc4.py"
    book.close()


def test_a_result_stored_raw_by_an_older_grader_reads_back_clean(tmp_path):
    """Before results were made storable, a surrogate in a fact reached the blob (the codec's
    JSON escapes it) and came back raw, so the feedback of an unchanged student could not be
    written on a rerun: reading cleans it too."""
    from grader import codec
    from grader.batch.gradebook import Gradebook

    from grader.result import SubmissionResult

    book = Gradebook(tmp_path / "gradebook.sqlite")
    book.upsert_students([("ann", "", "", False)])
    run = book.start_run(grader_version="t", spec_digest="d", seed=1, exercises=["relu"], grading_key="k",
                         submissions_dir="x", jobs=1, forced=False, lang="en")
    grade_id = book.record(run, "ann", "p", "h", "k", SubmissionResult("p", []))
    raw = dataclasses.asdict(SubmissionResult("p", [], stdout="raw \ud800",
                                              notes=[{"code": "x", "facts": {"m": "\udcff"}}]))
    with book.db:
        book.db.execute("UPDATE grades SET result = ? WHERE id = ?", (codec.encode(raw), grade_id))
    back = book.result(grade_id)
    assert back is not None and back.stdout == "raw \\ud800" and back.notes[0]["facts"]["m"] == "\\udcff"
    book.close()


# --------------------------------------------------------------------- a hostile class, end to end

SURROGATE_RAISER = ('import sys\n\ndef relu(x):\n    print("printed \\ud800 and \\x00 NUL")\n'
                    '    sys.stdout.buffer.write(b"raw \\xed\\xa0\\x80 bytes\\n")\n'
                    '    raise ValueError("boom \\ud800 \\x00 \\udcff")\n')
SURROGATE_RETURNER = 'def relu(x):\n    return "not a number \\ud800\\udfff"\n'
SYNTAX_ERROR = "def relu(x):\n    return (\n"


def hostile_class(folder: Path) -> Path:
    """Hostile students between honest ones (sorted: the honest `zed` comes after all of them)."""
    folder.mkdir(parents=True)
    files = {"ann.py": OK_RELU, "bad.py": SURROGATE_RAISER, "ret.py": SURROGATE_RETURNER,
             "a b.py": OK_RELU, "a_b.py": BAD_RELU, "a:b.py": OK_RELU, "a\\b.py": BAD_RELU,
             "con.py": OK_RELU, "alice.py": OK_RELU, "alice/work.py": OK_RELU,
             "bob.py": OK_RELU, "bob/work.py": SYNTAX_ERROR, "zed.py": OK_RELU}
    # names in GBK bytes (a Windows zip of Chinese names), undecodable as UTF-8: a file, a folder
    files[os.fsdecode(b"gbk-\xd5\xc5\xc8\xfd.py")] = OK_RELU
    files[os.fsdecode(b"gbkdir-\xd5\xc5/w\xd5.py")] = OK_RELU
    for name, source in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(source, encoding="utf-8")
    return folder


def by_prefix(rows: dict, prefix: str):
    """The one student whose id starts with `prefix` (how an undecodable name is spelled as an id
    is discovery's business; that the student is graded and kept apart is the batch's)."""
    [row] = [row for student, row in rows.items() if student.startswith(prefix)]
    return row


def known(rows: dict) -> dict:
    return {s: r for s, r in rows.items() if not s.startswith("gbk")}


#: the score (of relu's 4 points) each student must get
EXPECTED = {"ann": 4, "bad": 0, "ret": 0, "a b": 4, "a_b": 0, "a:b": 4, "a\\b": 0, "con": 4,
            "alice": 4, "bob": 4, "zed": 4}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    subs, out = hostile_class(base / "class"), base / "out"
    proc = grader("grade", str(subs), "-o", str(out), "-e", "relu", "-j", "2")
    return subs, out, proc


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links += [v for k, v in attrs if k == "href"]


def test_every_student_is_graded_whatever_the_others_produce(hostile_run):
    _, out, proc = hostile_run
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    rows = standing(out)
    assert {s: r["score"] for s, r in known(rows).items()} == EXPECTED
    assert by_prefix(rows, "gbk-")["score"] == by_prefix(rows, "gbkdir-")["score"] == 4
    assert {r["status"] for r in rows.values()} == {"graded"}
    db = sqlite3.connect(out / "gradebook.sqlite")
    assert db.execute("SELECT status FROM runs").fetchall() == [("complete",)]
    [(messages,)] = db.execute("SELECT messages FROM exercise_grades WHERE grade_id = ?",
                               (rows["bad"]["id"],)).fetchall()
    # the worker's strings have their lone surrogates replaced where they enter (grader.run.client)
    assert "boom \ufffd \x00 \ufffd" in json.loads(messages)["en"][0]
    db.close()


def test_grades_csv_and_the_report_are_written_and_parse(hostile_run):
    _, out, _ = hostile_run
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO((out / "grades.csv").read_text("utf-8-sig")))}
    assert {s: float(r["total"]) for s, r in known(rows).items()} == EXPECTED
    assert float(by_prefix(rows, "gbk-")["total"]) == float(by_prefix(rows, "gbkdir-")["total"]) == 4
    page = (out / "report.html").read_text(encoding="utf-8")
    links = _Links()
    links.feed(page)
    feedback = [link for link in links.links if link.startswith("feedback/")]
    assert len(feedback) == len(EXPECTED) + 2 == len(set(feedback))
    for link in feedback:
        assert (out / link).is_file(), link
    assert "alice.py, alice/" in page or "alice/, alice.py" in page   # the ambiguity, in the report


def test_every_student_has_their_own_feedback_files(hostile_run):
    from grader.batch.names import feedback_name
    from grader.report.untrusted import markdown_inline

    _, out, _ = hostile_run
    files = sorted(p.name for p in (out / "feedback").iterdir())
    assert len(files) == 2 * (len(EXPECTED) + 2) == len({f.casefold() for f in files})
    for file in files:
        assert_safe_name(file)
        file.encode("utf-8")
    for student, score in EXPECTED.items():
        md = (out / "feedback" / f"{feedback_name(student)}.md").read_text(encoding="utf-8")
        assert f"Feedback for {markdown_inline(student)}" in md and f"**Score: {score} / 4**" in md, student
        assert (out / "feedback" / f"{feedback_name(student)}.html").is_file()
    assert (out / "feedback" / "ann.md").is_file() and (out / "feedback" / "a_b.md").is_file()
    bad = (out / "feedback" / "bad.md").read_text(encoding="utf-8")
    assert "boom \ufffd" in bad  # replaced where it entered the grader (grader.run.client)


def test_two_entries_for_one_student_grade_each_and_keep_the_best(hostile_run):
    from grader.batch.names import feedback_name

    _, out, proc = hostile_run
    rows = standing(out)
    assert rows["alice"]["score"] == 4 and rows["bob"]["score"] == 4   # bob/ does not even compile
    assert rows["bob"]["path"].endswith("bob.py")
    assert "Several entries, the best kept: bob: bob.py (bob/ 0/4; bob.py 4/4)" in proc.stdout
    assert "Several entries, the best kept: alice: alice/ (alice/ 4/4; alice.py 4/4)" in proc.stdout
    bob = (out / "feedback" / f"{feedback_name('bob')}.md").read_text(encoding="utf-8")
    assert "each was graded and the best is kept, bob.py (bob/ 0/4; bob.py 4/4)" in bob


def test_a_rerun_reuses_every_grade_and_export_and_history_read_them(hostile_run):
    subs, out, _ = hostile_run
    before = {s: r["id"] for s, r in standing(out).items()}
    again = grader("grade", str(subs), "-o", str(out), "-e", "relu", "-j", "2")
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"Nothing to grade: all {len(EXPECTED) + 2} submission(s) are unchanged" in again.stdout
    assert {s: r["id"] for s, r in standing(out).items()} == before
    assert "Traceback" not in again.stderr and "Feedback not written" not in again.stderr
    exported = grader("export", str(out), "--format", "json")
    assert exported.returncode == 0, exported.stderr
    totals = {s["student"]: s["total"] for s in json.loads(exported.stdout)["students"]}
    assert known(totals) == EXPECTED and by_prefix(totals, "gbk-") == 4
    for student in ("a b", "bad", "a\\b"):
        history = grader("history", str(out), student)
        runs = [line.split()[0] for line in history.stdout.splitlines()[2:]]
        assert history.returncode == 0 and runs == ["1", "2"], history.stdout


# ------------------------------------------------------------- a step failing for one student

def test_a_feedback_file_that_cannot_be_written_costs_that_student_only(tmp_path):
    """A folder where `bad.html` should go: bad gets a recorded internal error with the reason
    (graded again next run), everyone else is graded, the CSV and the report are written."""
    subs = tmp_path / "class"
    subs.mkdir()
    for name in ("ann", "bad", "zed"):
        (subs / f"{name}.py").write_text(OK_RELU, encoding="utf-8")
    out = tmp_path / "out"
    (out / "feedback" / "bad.html").mkdir(parents=True)
    proc = grader("grade", str(subs), "-o", str(out), "-e", "relu", "-j", "1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = standing(out)
    assert rows["ann"]["score"] == rows["zed"]["score"] == 4
    assert rows["bad"]["status"] == "internal_error" and rows["bad"]["score"] == 0
    assert "Internal error, graded again on the next run: bad: IsADirectoryError" in proc.stdout
    assert "Feedback not written for bad: IsADirectoryError" in proc.stderr
    assert "graded (4/4) but its feedback could not be written" in (out / "feedback" / "bad.md").read_text("utf-8")
    assert (out / "grades.csv").is_file() and (out / "report.html").is_file()
    rerun = grader("--lang", "zh", "grade", str(subs), "-o", str(out), "-e", "relu", "-j", "1")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "评分 3 份提交中的 1 份" in rerun.stdout                    # only bad, again
    assert "内部错误，下次运行时重新评分：bad：IsADirectoryError" in rerun.stdout
    assert standing(out)["ann"]["action"] == "unchanged"


@pytest.mark.parametrize("step", ["gradebook", "feedback"])
def test_a_step_raising_on_one_students_result_costs_that_student_only(tmp_path, monkeypatch, capsys, step):
    """The parent's steps for one student (storing the result, rendering its feedback) raise on
    what `bad` produced: bad is recorded as an internal error naming the step and the reason, in
    both languages; ann and zed, graded around it, keep their grades."""
    from grader.batch import gradebook
    from grader.batch.grade import BatchOptions, grade_class
    from grader.messages import render
    from grader.report import feedback

    subs = tmp_path / "class"
    subs.mkdir()
    for name in ("ann", "bad", "zed"):
        (subs / f"{name}.py").write_text(OK_RELU, encoding="utf-8")
    if step == "gradebook":
        real = gradebook.encode_result

        def encode_result(result):
            graded = not any(ex.code.startswith("batch.") for ex in result.exercises)
            if result.submission.endswith("bad.py") and graded:  # bad's own result, not the fallback
                raise RecursionError("maximum recursion depth exceeded")
            return real(result)
        monkeypatch.setattr(gradebook, "encode_result", encode_result)
    else:
        real = feedback.render_html

        def render_html(result, lang="en", student=None, **rest):
            if student == "bad":
                raise KeyError("facts")
            return real(result, lang, student, **rest)
        monkeypatch.setattr(feedback, "render_html", render_html)
    out = tmp_path / "out"
    summary = grade_class(BatchOptions(submissions=subs, out_dir=out, jobs=1, exercises_dir=None,
                                       exercise_ids=("relu",), live=False))
    printed = capsys.readouterr()
    rows = standing(out)
    assert rows["ann"]["score"] == rows["zed"]["score"] == 4 and rows["bad"]["status"] == "internal_error"
    [(student, reason)] = summary.internal
    assert student == "bad" and reason.startswith("RecursionError" if step == "gradebook" else "KeyError")
    assert f"Internal error, graded again on the next run: bad: {reason}" in printed.out
    book = gradebook.Gradebook(out / "gradebook.sqlite")
    result = book.result(rows["bad"]["id"])
    book.close()
    code = result.exercises[0].code
    assert code == f"batch.{step}_failed" and result.exercises[0].facts["reason"] == reason
    for lang in ("en", "zh"):
        sentence = render(code, result.exercises[0].facts, lang)
        assert reason in sentence and "?" not in sentence.replace(reason, "")
    assert "评分器内部错误" in render(code, result.exercises[0].facts, "zh")
    assert (out / "grades.csv").is_file() and (out / "report.html").is_file()
    assert (out / "feedback" / "bad.md").is_file()
    monkeypatch.undo()
    again = grade_class(BatchOptions(submissions=subs, out_dir=out, jobs=1, exercises_dir=None,
                                     exercise_ids=("relu",), live=False))
    assert again.graded == 1 and standing(out)["bad"]["score"] == 4   # regraded, now fine


# ------------------------------------------------------------------------- the grader processes

def _fake_grader_process(tasks, results, *_args) -> None:
    """A grader process for the pool test: `die` kills it after taking the task, `vanish`
    before it says so; others come back with an empty result."""
    from grader.batch.parallel import Done, _sendable
    from grader.result import SubmissionResult

    while True:
        task = tasks.get()
        if task is None:
            return
        if task.student == "vanish":
            time.sleep(0.3)  # what it sent before has left; this task's "start" never does
            os._exit(3)
        results.put(("start", os.getpid(), task))
        if task.student == "die":
            time.sleep(0.3)  # the "start" message has left
            os._exit(9)
        results.put(("done", os.getpid(), _sendable(Done(task, SubmissionResult(task.path, [])))))


def test_every_task_comes_back_whatever_happens_to_its_grader_process(monkeypatch):
    from grader.batch import parallel
    from grader.batch.parallel import LOST, Pool, Task

    monkeypatch.setattr(parallel, "_worker", _fake_grader_process)
    names = ["a", "die", "b", "vanish", "c"]
    pool = Pool(2, None)  # type: ignore[arg-type]  (these fake grader processes open no session)
    done = {d.task.student: d for d in pool.run([Task(i, n, f"{n}.py") for i, n in enumerate(names)])}
    assert set(done) == set(names)
    assert {n: done[n].how for n in "abc"} == {n: "" for n in "abc"}
    assert all(done[n].result is not None for n in "abc")
    assert done["die"].result is None and done["die"].how == "exited with code 9"
    assert done["vanish"].result is None and done["vanish"].how == LOST


def test_a_result_that_cannot_be_sent_back_becomes_that_submissions_error():
    import pickle

    from grader.batch.parallel import Done, Task, _sendable
    from grader.result import SubmissionResult

    deep: list = []
    for _ in range(sys.getrecursionlimit() * 2):
        deep = [deep]
    result = SubmissionResult("x.py", [], notes=[{"code": "x", "facts": {"deep": deep}}])
    back = pickle.loads(_sendable(Done(Task(0, "x", "x.py"), result)))
    assert back.result is None and back.how.startswith("the result could not be sent: RecursionError")
