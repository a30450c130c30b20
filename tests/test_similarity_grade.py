"""`grader grade`'s similarity section, through the real command (issue 16, step 2).

A small class cut from the generated one (tests/similarity_class.py): an original, its two
disguised copies, two independent students, and one more copy under a hostile name. Graded
twice, with and without the section: the grades and the CSV are the same; the report lists the
copy pairs and links each to its side-by-side page; a second run fingerprints nothing; and
`grader similarity OUT` ranks from the stored records.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import sqlite3

import pytest

import similarity_class as generated
from test_batch_grade import grader, selection

KEPT = ["s0000", "c000", "c001", "s0001", "s0002"]
HOSTILE = "<script>alert(1)"
EXERCISES = selection("softmax", "cross_entropy")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("graded")
    key = generated.generate(root / "all")
    folder = root / "week5"
    folder.mkdir()
    for student in KEPT:
        shutil.copy(key.files[student], folder / key.files[student].name)
    shutil.copy(key.files["s0000"], folder / f"{HOSTILE}.py")
    runs = {}
    for name, extra in (("with", []), ("without", ["--no-similarity"])):
        proc = grader("grade", str(folder), "-o", str(root / name), *EXERCISES, "-j", "2", *extra, timeout=600)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        runs[name] = proc
    return root, folder, runs


def _grades(out) -> list[tuple]:
    db = sqlite3.connect(out / "gradebook.sqlite")
    try:
        return db.execute("SELECT g.student, g.score, g.max_score, g.status, e.exercise, e.score, e.status, e.code "
                          "FROM grades g JOIN exercise_grades e ON e.grade_id = g.id "
                          "ORDER BY g.student, e.exercise").fetchall()
    finally:
        db.close()


def _csv(out) -> list[dict[str, str]]:
    """The CSV's rows, but when each was graded (the two runs graded at other times)."""
    with open(out / "grades.csv", encoding="utf-8-sig", newline="") as f:
        return [{k: v for k, v in row.items() if k != "graded_at"} for row in csv.DictReader(f)]


def test_the_section_never_changes_a_grade(graded):
    root, _, runs = graded
    assert _csv(root / "with") == _csv(root / "without") and len(_csv(root / "with")) == 6
    assert _grades(root / "with") == _grades(root / "without") and len(_grades(root / "with")) == 12
    assert "Similarity: " in runs["with"].stdout and "Similarity: " not in runs["without"].stdout
    assert not (root / "without" / "similarity").exists()
    assert "Similar code across the class" not in (root / "without" / "report.html").read_text(encoding="utf-8")


def test_the_report_lists_the_copy_pairs_each_linked_to_its_page(graded):
    root, _, runs = graded
    page = (root / "with" / "report.html").read_text(encoding="utf-8")
    section = page[page.index('<h2 id="similarity">'):page.rindex("<h2")]
    assert "<script" not in page and "&lt;script&gt;alert(1)" in section
    rows = re.findall(r"<tr><td>(\d+)</td><td>(.*?)</td><td>(.*?)</td><td>(\d+)%</td><td>(.*?)</td>", section)
    copies = {frozenset(p) for p in [("s0000", "c000"), ("s0000", "c001"), ("c000", "c001"),
                                     ("s0000", "&lt;script&gt;alert(1)"), ("c000", "&lt;script&gt;alert(1)"),
                                     ("c001", "&lt;script&gt;alert(1)")]}
    assert {frozenset((a, b)) for _, a, b, _, flag in rows if flag} == copies
    assert {frozenset((a, b)) for _, a, b, _, _ in rows[:len(copies)]} == copies
    links = re.findall(r'href="(similarity/[^"]+)"', section)
    assert "similarity/index.html" in links and len(links) > len(copies)
    for link in links:
        assert (root / "with" / link).is_file()
    assert "6 pair(s) flagged among 6 submissions compared (6 fingerprinted, 0 reused)" in runs["with"].stdout


def test_a_second_run_fingerprints_nothing_and_similarity_reads_the_gradebook(graded, tmp_path):
    root, folder, _ = graded
    again = grader("grade", str(folder), "-o", str(root / "with"), *EXERCISES, "-j", "1", timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "(0 fingerprinted, 6 reused)" in again.stdout
    shutil.move(folder, tmp_path / "moved")  # the submissions are not read again: they may be gone
    try:
        proc = grader("similarity", str(root / "with"), "-o", str(tmp_path / "sim"))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "Using the fingerprints stored in" in proc.stdout
        data = json.loads((tmp_path / "sim" / "similarity.json").read_text(encoding="utf-8"))
        assert sum(p["flagged"] for p in data["pairs"]) == 6 and data["not_compared"] == []
        assert any("alert(1)" in page.read_text(encoding="utf-8") for page in (tmp_path / "sim" / "pairs").iterdir())
        zh = grader("--lang", "zh", "similarity", "--gradebook", str(root / "without"), "-o", str(tmp_path / "zh"))
        assert zh.returncode == 0, zh.stdout + zh.stderr
        data = json.loads((tmp_path / "zh" / "similarity.json").read_text(encoding="utf-8"))
        assert {item["code"] for item in data["not_compared"]} == {"similarity.not_stored"}
        assert "未比较" in zh.stdout
        missing = grader("similarity", "--gradebook", str(tmp_path))
        assert missing.returncode == 2 and "No gradebook in" in missing.stderr
    finally:
        shutil.move(tmp_path / "moved", folder)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_a_browser_shows_the_section_and_runs_nothing(graded, tmp_path):
    from test_batch_report import _chromium

    root, _, _ = graded
    dom = _chromium("--dump-dom", (root / "with" / "report.html").resolve().as_uri(), cwd=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "<script" not in dom.stdout and "&lt;script&gt;alert(1)" in dom.stdout
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>", " ", dom.stdout, flags=re.S)))
    assert "Similar code across the class" in text and "Compared 6 of 6 submissions" in text
    pair = re.search(r'href="(similarity/pairs/\d+\.html)"', dom.stdout)
    assert pair is not None
    page = _chromium("--dump-dom", (root / "with" / pair.group(1)).resolve().as_uri(), cwd=tmp_path)
    assert page.returncode == 0 and "<script" not in page.stdout and "↔" in page.stdout


def test_grade_help_names_the_option():
    helped = grader("grade", "--help")
    assert "--no-similarity" in helped.stdout
