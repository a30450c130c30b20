"""The files a submission is made of are hostile: links, FIFOs, devices, huge and numerous files,
names in GBK bytes or with escapes, colliding names, module names of the standard library,
encodings declared by PEP 263, and nesting deep enough to break a parser.

Each attack goes through the real commands (`grader check`, `grader grade`) on folders built
here, and the outcome is asserted exactly: the exit code, the message (from the catalogue, in
both languages), that the other students are still graded, and that nothing was read through a
link (the classmate's score is not copied, the secret file's text appears nowhere).
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT

CORRECT = (ROOT / "submissions" / "correct.py").read_text(encoding="utf-8")
#: two exercises keep every run short; both are in submissions/correct.py
EXERCISES = ("relu", "sigmoid")
FULL = 4 + 5
WRONG_RELU = "def relu(x):\n    return x\n"
#: correct relu and sigmoid, with Chinese comments and strings, saved in GBK as it declares
GBK_SOURCE = """# -*- coding: gbk -*-
# 张三的作业：修正线性单元与 sigmoid
import numpy as np


def relu(x):
    \"\"\"修正线性单元\"\"\"
    return np.maximum(np.asarray(x, dtype=float), 0.0)


def sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))  # 数值稳定
"""
SECRET = "SECRET-KEY-7f3a9c: the instructor's private key"
DEEP = 5000


def grader(*args: str | bytes, timeout: float = 600, lang: str = "en") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "--lang", lang, *args], capture_output=True,
                          cwd=ROOT, timeout=timeout, env={**os.environ, "CI": ""})


def selection() -> list[str]:
    return [a for i in EXERCISES for a in ("-e", i)]


def check_json(path: Path | bytes, lang: str = "en") -> tuple[int, dict]:
    proc = grader("check", os.fsdecode(path) if isinstance(path, bytes) else str(path), *selection(),
                  "--format", "json", lang=lang)
    assert b"Traceback" not in proc.stderr, proc.stderr.decode(errors="replace")
    return proc.returncode, json.loads(proc.stdout)


def text(code: str, lang: str = "en") -> str:
    from grader.messages import text as catalogue_text

    return catalogue_text(code, lang)


def reason(code: str, lang: str = "en", **facts: object) -> str:
    """The sentence of an `unreadable.*` reason as the catalogue says it (facts filled in)."""
    from grader.messages import render

    return render(code, facts, lang)


def the_message(report: dict) -> str:
    [message] = {ex["message"] for ex in report["exercises"]}
    return message


def reference_file() -> Path:
    """A file of the installed grader's reference, found from the package itself."""
    import grader_reference as reference

    path = Path(reference.__file__).parent / "activations.py"
    assert "def relu" in path.read_text(encoding="utf-8")
    return path


def nested_json(depth: int) -> str:
    return "[" * depth + "]" * depth


def notebook(*sources: str, metadata: str = "{}", cell_metadata: str = "{}") -> str:
    cells = ", ".join(
        '{"cell_type": "code", "execution_count": null, "id": "c%d", "metadata": %s, "outputs": [], '
        '"source": %s}' % (i, cell_metadata if i == 0 else "{}", json.dumps(source))
        for i, source in enumerate(sources))
    return ('{"cells": [%s], "metadata": %s, "nbformat": 4, "nbformat_minor": 5}' % (cells, metadata))


# ------------------------------------------------------------------------------ the hostile class

GBK_FILE = "张三".encode("gbk") + b".py"
GBK_FOLDER = "李四".encode("gbk")
GBK_INNER = "作业".encode("gbk") + b".py"
BAD_BYTES = b"\xff\xfe.py"
ESCAPES = "\x1b[2Jforged\rline.py"


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory):
    """A class folder with one honest student per kind of name and one hostile entry per attack;
    graded once with `grader grade`, then graded again (nothing changed)."""
    base = tmp_path_factory.mktemp("hostile-files")
    cls, outside, out = base / "class", base / "outside", base / "graded"
    cls.mkdir()
    outside.mkdir()
    (cls / "bob.py").write_text(CORRECT, encoding="utf-8")
    (cls / "alice").mkdir()
    (cls / "alice" / "homework.py").symlink_to(cls / "bob.py")      # a classmate's file
    (cls / "eve.py").symlink_to(reference_file())                     # the installed reference
    secret = outside / "id_rsa"
    secret.write_text(f"# {SECRET}\n" + CORRECT, encoding="utf-8")
    (cls / "mallory.py").symlink_to(secret)                           # any file the grader can read
    (outside / "hw").mkdir()
    (outside / "hw" / "homework.py").write_text(CORRECT, encoding="utf-8")
    (cls / "linda").symlink_to(outside / "hw", target_is_directory=True)  # a student folder that is a link
    os.mkfifo(cls / "carl.py")                                        # would block a plain read
    (cls / "dora.py").symlink_to("/dev/zero")                         # endless bytes
    with open(cls / "frank.py", "wb") as f:                           # 3 GB, sparse: costs no disk
        f.truncate(3 * 1024 ** 3)
    (cls / "gina").mkdir()
    for i in range(150):                                              # 150 files of 2 MB
        with open(cls / "gina" / f"part{i:03}.py", "wb") as f:
            f.truncate(2_000_000)
    (cls / "hugo").mkdir()
    for i in range(6):                                                # 6 × 2 MB: only the total is over
        with open(cls / "hugo" / f"part{i}.py", "wb") as f:
            f.truncate(2_000_000)
    os.makedirs(os.path.join(os.fsencode(cls), GBK_FOLDER))
    for name in (os.path.join(os.fsencode(cls), GBK_FILE), os.path.join(os.fsencode(cls), BAD_BYTES),
                 os.path.join(os.fsencode(cls), GBK_FOLDER, GBK_INNER), os.fsencode(cls / ESCAPES)):
        with open(name, "w", encoding="utf-8") as f:
            f.write(CORRECT)
    (cls / "strasse.py").write_text(CORRECT, encoding="utf-8")
    (cls / "straße.py").write_text(WRONG_RELU, encoding="utf-8")
    (cls / "gbk_cookie.py").write_bytes(GBK_SOURCE.encode("gbk"))
    (cls / "deep_metadata.ipynb").write_text(notebook(CORRECT, metadata=nested_json(DEEP)), encoding="utf-8")
    (cls / "deep_cell.ipynb").write_text(notebook(CORRECT, cell_metadata=nested_json(DEEP)), encoding="utf-8")
    (cls / "deep_code.ipynb").write_text(notebook(CORRECT, "y = " + "+".join(["1"] * 100_000)),
                                         encoding="utf-8")
    (cls / "deep_brackets.py").write_text(CORRECT + "x = " + nested_json(DEEP) + "\n", encoding="utf-8")
    (cls / "deep_sum.py").write_text(CORRECT + "y = " + "+".join(["1"] * 200_000) + "\n", encoding="utf-8")
    devices = []
    try:
        os.mknod(cls / "dev.py", stat.S_IFCHR | 0o600, os.makedev(1, 5))  # a real /dev/zero node
        devices.append("dev")
    except (PermissionError, OSError):
        pass
    first = grader("grade", str(cls), "-o", str(out), "-j", "2", *selection())
    second = grader("grade", str(cls), "-o", str(out), "-j", "2", *selection())
    return {"class": cls, "out": out, "first": first, "second": second, "devices": devices}


def grades(out: Path) -> dict[str, dict]:
    """Per student of the latest run: score, and the code/facts of the first exercise."""
    from grader.batch.gradebook import Gradebook

    book = Gradebook(out / "gradebook.sqlite")
    try:
        found = {}
        for student, grade in book.latest_grades().items():
            result = book.result(grade.id)
            assert result is not None
            first = result.exercises[0]
            found[student] = {"score": grade.score, "code": first.code, "facts": first.facts,
                              "notes": [n["code"] for n in result.notes], "path": grade.path}
        return found
    finally:
        book.close()


def test_the_hostile_class_is_graded_to_the_end_twice(hostile_class):
    for run in ("first", "second"):
        proc = hostile_class[run]
        assert proc.returncode == 0, proc.stderr.decode(errors="replace")
        assert b"Traceback" not in proc.stderr
    out = hostile_class["out"]
    assert (out / "grades.csv").exists() and (out / "report.html").exists()
    assert b"unchanged" in hostile_class["second"].stdout  # every hash read again, safely: no regrade
    db = sqlite3.connect(out / "gradebook.sqlite")
    [(status,)] = db.execute("SELECT status FROM runs ORDER BY id DESC LIMIT 1").fetchall()
    db.close()
    assert status == "complete"


def test_honest_students_keep_their_own_grades(hostile_class):
    found = grades(hostile_class["out"])
    honest = ("bob", "张三", "李四", "\\xff\\xfe", "strasse", "gbk_cookie", "\\x1b[2Jforged\\rline")
    for student in honest:
        assert found[student]["score"] == FULL, (student, found[student])
    assert found["straße"]["score"] == 0  # a different student from strasse, with her own wrong relu


@pytest.mark.parametrize("student, reason_code", [
    ("alice", "unreadable.link"),     # homework.py links to bob.py: bob's 9 points are not copied
    ("eve", "unreadable.link"),       # links into the installed reference: no full marks
    ("mallory", "unreadable.link"),   # links to a private file
    ("linda", "unreadable.link"),     # the student's folder itself is a link
    ("carl", "unreadable.fifo"),
    ("dora", "unreadable.link"),
    ("frank", "unreadable.too_large"),
    ("gina", "unreadable.too_many_files"),
    ("hugo", "unreadable.submission_too_large"),
    ("deep_metadata", "unreadable.too_deep"),
    ("deep_cell", "unreadable.too_deep"),
])
def test_each_hostile_entry_is_refused_with_its_reason(hostile_class, student, reason_code):
    found = grades(hostile_class["out"])[student]
    assert found["score"] == 0
    assert found["code"] == "submission_unreadable"
    assert found["facts"]["reason_code"] == reason_code


def test_a_device_node_is_refused_unopened(hostile_class):
    if not hostile_class["devices"]:
        pytest.skip("mknod is not permitted here")
    found = grades(hostile_class["out"])["dev"]
    assert (found["code"], found["facts"]["reason_code"]) == ("submission_unreadable", "unreadable.device")


def test_limits_are_stated_with_the_sizes(hostile_class):
    found = grades(hostile_class["out"])
    assert (found["frank"]["facts"]["size"], found["frank"]["facts"]["limit"]) == ("3 GiB", "2 MiB")
    assert (found["gina"]["facts"]["count"], found["gina"]["facts"]["limit"]) == (150, 50)
    assert (found["hugo"]["facts"]["size"], found["hugo"]["facts"]["limit"]) == ("11.4 MiB", "10 MiB")
    feedback = (hostile_class["out"] / "feedback" / "frank.md").read_text(encoding="utf-8")
    assert reason("unreadable.too_large", size="3 GiB", limit="2 MiB") in feedback


def test_nothing_behind_a_link_reaches_any_output(hostile_class):
    out = hostile_class["out"]
    for path in out.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_deep_nesting_in_code_is_a_clear_error_for_that_student(hostile_class):
    found = grades(hostile_class["out"])
    assert found["deep_brackets"]["code"] == "import_error"
    assert found["deep_brackets"]["facts"]["type"] == "SyntaxError"
    assert found["deep_sum"]["code"] == "import_error"
    assert (found["deep_sum"]["facts"]["type"], found["deep_sum"]["facts"]["file"]) == ("NestedTooDeeply",
                                                                                      "deep_sum.py")
    # a notebook cell too deep to parse is skipped with a note; the rest of the notebook grades
    assert found["deep_code"]["score"] == FULL and "notebook.too_deep" in found["deep_code"]["notes"]


def test_names_become_clean_ids_and_paths(hostile_class):
    found = grades(hostile_class["out"])
    assert found["张三"]["path"].endswith("/张三.py")
    assert found["\\xff\\xfe"]["path"].endswith("/\\xff\\xfe.py")
    csv_text = (hostile_class["out"] / "grades.csv").read_text(encoding="utf-8-sig")
    assert "\x1b" not in csv_text and "\r" not in csv_text.replace("\r\n", "\n")
    feedback = {p.name for p in (hostile_class["out"] / "feedback").iterdir()}
    from grader.batch.names import feedback_name

    assert f"{feedback_name('张三')}.md" in feedback and f"{feedback_name('李四')}.md" in feedback


# ------------------------------------------------------------------- grader check, one at a time

def test_check_refuses_a_link_to_the_reference_in_both_languages(tmp_path):
    link = tmp_path / "homework.py"
    link.symlink_to(reference_file())
    for lang in ("en", "zh"):
        code, report = check_json(link, lang)
        assert code == 1 and report["score"] == 0
        assert the_message(report) == reason("submission_unreadable", lang, path=str(link),
                                             reason_code="unreadable.link")
        assert text("unreadable.link", lang) in the_message(report)


def test_check_refuses_links_and_fifos_inside_a_folder(tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "homework.py").write_text(CORRECT, encoding="utf-8")
    (folder / "helpers.py").symlink_to(reference_file())
    code, report = check_json(folder)
    assert code == 1 and report["score"] == 0
    assert text("unreadable.link") in the_message(report) and "helpers.py" in the_message(report)
    (folder / "helpers.py").unlink()
    os.mkfifo(folder / "helpers.py")
    code, report = check_json(folder)   # no writer ever opens it: a blocking read would hang here
    assert code == 1 and text("unreadable.fifo") in the_message(report)


def test_a_3_gb_file_is_refused_without_being_read(tmp_path):
    big = tmp_path / "big.py"
    with open(big, "wb") as f:
        f.truncate(3 * 1024 ** 3)
    proc = subprocess.Popen([sys.executable, "-m", "grader", "--lang", "en", "check", str(big),
                             *selection(), "--format", "json"], cwd=ROOT, stdout=subprocess.PIPE)
    with proc.stdout:
        stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 1
    assert the_message(json.loads(stdout)) == reason("submission_unreadable", path=str(big), size="3 GiB",
                                                     limit="2 MiB", reason_code="unreadable.too_large")
    assert usage.ru_maxrss < 1024 * 1024  # KiB: the grader (and its zygote) never held the file


def test_reading_is_bounded_even_when_the_size_lies(tmp_path, monkeypatch):
    """A file that grows after its size was taken (or whose size lies) is read to cap + 1 bytes."""
    from grader.submission import files as submission_files

    big = tmp_path / "big.py"
    with open(big, "wb") as f:
        f.truncate(64 * 1024 * 1024)
    read: list[int] = []
    real_read, real_fstat, real_stat = os.read, os.fstat, os.stat

    def small(result: os.stat_result) -> os.stat_result:
        fields = list(result)
        fields[stat.ST_SIZE] = 10
        return os.stat_result(fields)

    monkeypatch.setattr(submission_files.os, "read", lambda fd, n: read.append(n) or real_read(fd, n))
    monkeypatch.setattr(submission_files.os, "fstat", lambda fd: small(real_fstat(fd)))
    monkeypatch.setattr(submission_files.os, "stat", lambda *a, **k: small(real_stat(*a, **k)))
    with pytest.raises(submission_files.Refused) as refused:
        submission_files.read_sources(big)
    assert refused.value.reason_code == "unreadable.too_large"
    assert sum(read) == submission_files.MAX_FILE_BYTES + 1


@pytest.mark.parametrize("module", ["json", "time", "signal", "numpy", "grader", "os"])
def test_any_file_name_grades(tmp_path, module):
    path = tmp_path / f"{module}.py"
    path.write_text(CORRECT, encoding="utf-8")
    code, report = check_json(path)
    assert (code, report["score"], report["max_score"]) == (0, FULL, FULL)


def test_a_folder_whose_modules_import_each_other_grades(tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "helpers.py").write_text("import numpy as np\n\ndef positive(x):\n"
                                       "    return np.maximum(np.asarray(x, dtype=float), 0.0)\n")
    (folder / "json.py").write_text("def relu(x):\n    raise AssertionError('not this one')\n")
    (folder / "homework.py").write_text(
        "import json\nfrom helpers import positive\nfrom . import helpers\nimport numpy as np\n\n"
        "assert json.dumps([1]) == '[1]'  # the standard json, not the student's json.py\n"
        "assert helpers.positive is positive\n\n"
        "def relu(x):\n    return positive(x)\n\n"
        "def sigmoid(x):\n    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))\n")
    code, report = check_json(folder)
    assert (code, report["score"]) == (0, FULL), report


def test_a_gbk_named_file_checks_under_a_clean_label(tmp_path):
    path = os.path.join(os.fsencode(tmp_path), GBK_FILE)
    with open(path, "w", encoding="utf-8") as f:
        f.write(CORRECT)
    code, report = check_json(path)
    assert (code, report["score"]) == (0, FULL)
    assert report["submission"].endswith("/张三.py")


def test_a_declared_gbk_encoding_is_honoured_with_the_right_lines(tmp_path):
    source = GBK_SOURCE + "\n\ndef sigmoid(x):\n    raise ValueError('张三写错了')\n"
    path = tmp_path / "gbk.py"
    path.write_bytes(source.encode("gbk"))
    line = source.splitlines().index("    raise ValueError('张三写错了')") + 1
    code, report = check_json(path)
    by_id = {ex["id"]: ex for ex in report["exercises"]}
    assert code == 1 and by_id["relu"]["score"] == 4
    [first] = by_id["sigmoid"]["checks"][:1]
    assert "张三写错了" in first["message"], first["message"]  # decoded once, as GBK: no mojibake
    assert f"line {line} of gbk.py" in first["message"], first["message"]


def test_a_file_not_in_its_declared_encoding_is_refused_in_both_languages(tmp_path):
    path = tmp_path / "bad.py"
    path.write_bytes(b"# -*- coding: gbk -*-\nx = 1\n# \xff\xff\n")
    for lang in ("en", "zh"):
        code, report = check_json(path, lang)
        assert code == 1
        assert the_message(report) == reason("submission_unreadable", lang, path=str(path),
                                             reason_code="unreadable.not_declared_encoding",
                                             encoding="gbk", byte=30)
    path.write_bytes(b"# coding: klingon\nx = 1\n")
    code, report = check_json(path)
    assert the_message(report) == reason("submission_unreadable", path=str(path),
                                         reason_code="unreadable.bad_declaration", encoding="klingon")
    path.write_bytes("x = 'é'\n".encode("latin-1"))   # no declaration: UTF-8, as Python reads it
    code, report = check_json(path)
    assert the_message(report) == reason("submission_unreadable", path=str(path),
                                         reason_code="unreadable.not_utf8_source", byte=5, line=1)


def test_deep_notebooks_and_sources_are_clear_errors_in_check(tmp_path):
    cases = {
        "meta.ipynb": (notebook(CORRECT, metadata=nested_json(DEEP)), "unreadable.too_deep"),
        "cell.ipynb": (notebook(CORRECT, cell_metadata=nested_json(DEEP)), "unreadable.too_deep"),
    }
    for name, (content, reason_code) in cases.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
        code, report = check_json(tmp_path / name)
        assert code == 1 and the_message(report) == reason(
            "submission_unreadable", path=str(tmp_path / name), reason_code=reason_code, limit=64)
    for name, code_line in (("sum.py", "+".join(["1"] * 200_000)), ("neg.py", "-" * 100_000 + "1")):
        (tmp_path / name).write_text(CORRECT + "y = " + code_line + "\n")
        for lang in ("en", "zh"):
            code, report = check_json(tmp_path / name, lang)
            assert code == 1 and the_message(report) == reason("import_error.too_deep", lang, file=name)
    (tmp_path / "brackets.py").write_text(CORRECT + "y = " + nested_json(DEEP) + "\n")
    code, report = check_json(tmp_path / "brackets.py")
    assert code == 1 and the_message(report) == reason(
        "import_error", type="SyntaxError", message="too many nested parentheses", file="brackets.py",
        line=len(CORRECT.splitlines()) + 1)


def test_a_lone_surrogate_in_a_notebook_is_a_clear_error_in_check(tmp_path):
    """JSON can write half a UTF-16 pair (`"\\ud800"`); no text can hold one, and Python's parser
    raised UnicodeEncodeError on it: a traceback for the student, an internal error in a batch."""
    path = tmp_path / "half.ipynb"
    path.write_text(notebook(CORRECT, "note = 'one half: \ud800'\n"), encoding="utf-8")
    assert "\\ud800" in path.read_text(encoding="utf-8")  # written as JSON escapes it
    for lang in ("en", "zh"):
        code, report = check_json(path, lang)
        assert code == 1 and the_message(report) == reason(
            "submission_unreadable", lang, path=str(path), reason_code="unreadable.lone_surrogate",
            cell=2, character="\\ud800")


# ------------------------------------------------------------------ discovery and the content hash

def test_distinct_names_stay_distinct_and_case_still_merges(tmp_path):
    from grader.batch.discover import discover
    from grader.batch.roster import Student

    for name in ("strasse.py", "straße.py", "Alice.py", "Zoe\u0301.py"):  # the last one NFD, as macOS writes
        (tmp_path / name).write_text(CORRECT)
    (tmp_path / "alice").mkdir()
    found = discover(tmp_path, [Student("zoé"), Student("STRASSE")])
    entries = {e.student: e for e in found.entries}
    assert set(entries) == {"STRASSE", "straße", "Alice", "zoé"}
    assert entries["STRASSE"].kind == "file" and entries["STRASSE"].on_roster
    assert entries["straße"].kind == "file" and not entries["straße"].on_roster
    assert entries["Alice"].kind == "ambiguous" and entries["Alice"].labels == ["Alice.py", "alice/"]
    assert len(entries["Alice"].paths) == 2
    assert entries["zoé"].on_roster  # NFD on disk, NFC in the roster: one student


def test_links_devices_and_fifos_are_students_never_followed(tmp_path):
    from grader.batch.discover import discover

    (tmp_path / "target").mkdir()
    (tmp_path / "ann").symlink_to(tmp_path / "target", target_is_directory=True)
    (tmp_path / "ben.py").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "cat.py")
    (tmp_path / "notes.txt").symlink_to("/etc/passwd")
    found = discover(tmp_path)
    kinds = {e.student: e.kind for e in found.entries}
    assert kinds == {"ann": "folder", "ben": "file", "cat": "file", "target": "folder"}
    assert found.ignored == ["notes.txt"]


def test_the_content_hash_reads_through_the_safe_reader(tmp_path):
    from grader.batch.discover import content_hash, discover

    (tmp_path / "class").mkdir()
    secret = tmp_path / "secret.py"
    secret.write_text("x = 1\n")
    (tmp_path / "class" / "amy.py").symlink_to(secret)
    os.mkfifo(tmp_path / "class" / "bea.py")           # a plain read_bytes would block forever
    (tmp_path / "class" / "cid.py").symlink_to("/dev/zero")  # ... or read forever
    (tmp_path / "class" / "dan.py").write_text("x = 2\n")
    entries = {e.student: e for e in discover(tmp_path / "class").entries}
    before = {s: content_hash(e) for s, e in entries.items()}
    secret.write_text("x = 3\n")  # the target changes: not part of amy's submission
    assert content_hash(entries["amy"]) == before["amy"]
    import hashlib

    assert before["dan"] == hashlib.sha256(b"dan.py\0x = 2\n\0").hexdigest()  # as before this change
    assert before["amy"] == before["cid"] != before["bea"]  # a refusal hashes as its reason: a link is a link
    assert len({before["amy"], before["bea"], before["dan"]}) == 3


def test_clean_labels():
    from grader.submission.names import label

    assert label(os.fsdecode("张三".encode("gbk"))) == "张三"
    assert label(os.fsdecode(b"\xff\xfe")) == "\\xff\\xfe"
    assert label("a\x1b[2Jb\r\n\u202ec") == "a\\x1b[2Jb\\r\\n\\u202ec"
    assert label("Zoe\u0301") == "Zoé" and label("\ud800") == "\\xed\\xa0\\x80"
    assert label(os.fsdecode("张三".encode("gbk"))) == label(os.fsdecode("张三".encode("gbk")))  # stable
