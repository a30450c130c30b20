"""Similarity fingerprints kept in the gradebook (issue 16, step 2), and the class report's section.

In-process, on the generated class of tests/similarity_class.py: records round-trip through the
gradebook's `fingerprints` table, an unchanged class is not fingerprinted again (counted by
wrapping the fingerprint function), a changed submission is, a corrupt row is recomputed (or,
read without recomputing, is a clear reason), and the section lists the copy pairs first with
every student name escaped.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

import similarity_class as generated
from grader import codec
from grader.batch.class_report import render_class_report, ClassData
from grader.batch.discover import content_hash, discover
from grader.batch.gradebook import Gradebook
from grader.batch.similarity_section import SIMILARITY_DIR, build_section, render_section
from grader.similarity import stored
from grader.similarity.analyse import base_material, rank_records
from grader.similarity.record import Method, RecordError, fingerprint
from grader.similarity.score import Options
from grader.similarity.sources import read_student
from grader.similarity.units import OTHER
from grader.spec import load_exercise_set

EXERCISE_SET = load_exercise_set()
EXERCISES = frozenset(EXERCISE_SET.exercises)
HOSTILE = "<script>alert(1)"
BIDI = "mallory\u202egnp.exe"


def _class(folder: Path) -> tuple[list, dict[str, str | None]]:
    entries = discover(folder).entries
    return entries, {e.student: content_hash(e) for e in entries}


@pytest.fixture(scope="module")
def generated_class(tmp_path_factory):
    return generated.generate(tmp_path_factory.mktemp("stored") / "week4")


@pytest.fixture
def counted(monkeypatch):
    """Calls of the fingerprint function that `grader grade`'s stage uses."""
    calls: list[str] = []

    def counting(student, modules, exercises, method=Method()):
        calls.append(student)
        return fingerprint(student, modules, exercises, method)

    monkeypatch.setattr(stored, "fingerprint", counting)
    return calls


def _fresh(folder: Path, tmp_path: Path, name: str = "book") -> tuple[Path, list, dict[str, str | None]]:
    copy = tmp_path / name
    shutil.copytree(folder, copy)
    entries, hashes = _class(copy)
    return copy, entries, hashes


def test_records_round_trip_through_the_gradebook_and_rank_the_same(generated_class, tmp_path):
    entries, hashes = _class(generated_class.folder)
    book = Gradebook(tmp_path / "gradebook.sqlite")
    first = stored.fingerprint_entries(book, entries, hashes, EXERCISES)
    book.close()
    book = Gradebook(tmp_path / "gradebook.sqlite")
    again = stored.stored_class(book, [e.student for e in entries], EXERCISES)
    book.close()
    assert first.computed == len(entries) == 50 and again.reused == 50 and not again.repaired
    by_student = {r.student: r for r in again.records}
    for record in first.records:
        assert json.dumps(by_student[record.student].to_tree()) == json.dumps(record.to_tree())
        read = read_student(record.student, [generated_class.files[record.student]])
        assert again.sources[record.student] == read.modules
    base = base_material(EXERCISE_SET, (), True, [], Method())
    units = EXERCISES | {OTHER}
    ranked = [rank_records(found.records, base, Options(), Method(), units).ranking for found in (first, again)]
    assert [(p.a, p.b, p.score) for p in ranked[0].pairs] == [(p.a, p.b, p.score) for p in ranked[1].pairs]
    assert ranked[0].flagged == ranked[1].flagged == 15


def test_an_unchanged_class_is_not_fingerprinted_again_and_a_changed_submission_is(generated_class, tmp_path,
                                                                                   counted):
    folder, entries, hashes = _fresh(generated_class.folder, tmp_path)
    book = Gradebook(tmp_path / "gradebook.sqlite")
    first = stored.fingerprint_entries(book, entries, hashes, EXERCISES)
    assert len(counted) == first.computed == 50
    counted.clear()
    second = stored.fingerprint_entries(book, entries, hashes, EXERCISES)
    assert counted == [] and second.reused == 50 and second.computed == 0

    path = generated_class.files["s0003"]
    changed = folder / path.relative_to(generated_class.folder)
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\ndef extra(a, b):\n    return a * b + a - b\n",
                       encoding="utf-8")
    entries, hashes = _class(folder)
    third = stored.fingerprint_entries(book, entries, hashes, EXERCISES)
    assert counted == ["s0003"] and third.reused == 49
    record = next(r for r in third.records if r.student == "s0003")
    assert "def extra" in third.sources["s0003"][0]["source"]
    before = next(r for r in first.records if r.student == "s0003")
    assert record.modules[0].digest != before.modules[0].digest
    assert record.units[OTHER].tokens > (before.units[OTHER].tokens if OTHER in before.units else 0)
    # another method is never reused
    counted.clear()
    stored.fingerprint_entries(book, entries, hashes, EXERCISES, Method(k=6))
    assert len(counted) == 50
    book.close()


@pytest.fixture(scope="module")
def stored_book(generated_class, tmp_path_factory):
    """A gradebook holding the generated class's fingerprints (closed: copy it to change it)."""
    path = tmp_path_factory.mktemp("book") / "gradebook.sqlite"
    entries, hashes = _class(generated_class.folder)
    book = Gradebook(path)
    stored.fingerprint_entries(book, entries, hashes, EXERCISES)
    book.close()
    return path, entries, hashes


CORRUPT = {
    "empty": b"", "short": b"\x00" * 7, "noise": b"\xff" * 40, "no fields": codec.encode({"version": 1}),
    "another version": codec.encode({"version": 99}), "a list": codec.encode([1, 2, 3]),
    "spans do not match": codec.encode({
        "version": 1, "method": {"k": 5, "window": 4, "normaliser": 1}, "student": "s0000",
        "units": [{"name": "f", "tokens": 3, "hashes": [1, 2], "spans": [[0, 1, 1]], "extents": [[0]]}],
        "modules": [], "problem": None, "notes": []}),
    "extent too short": codec.encode({
        "version": 1, "method": {"k": 5, "window": 4, "normaliser": 1}, "student": "s0000",
        "units": [{"name": "f", "tokens": 3, "hashes": [1], "spans": [[0, 1, 1]], "extents": [[0]]}],
        "modules": [], "problem": None, "notes": []}),
}


@pytest.mark.parametrize("corrupt", list(CORRUPT.values()), ids=list(CORRUPT))
def test_a_corrupt_stored_record_is_fingerprinted_again_or_said(stored_book, tmp_path, counted, corrupt):
    original, entries, hashes = stored_book
    shutil.copy(original, tmp_path / "gradebook.sqlite")
    book = Gradebook(tmp_path / "gradebook.sqlite")
    with book.db:
        book.db.execute("UPDATE fingerprints SET record = ? WHERE student = 's0000'", (corrupt,))
    # read without recomputing (`grader similarity --gradebook`): a reason beside the student
    found = stored.stored_class(book, [e.student for e in entries], EXERCISES)
    bad = next(r for r in found.records if r.student == "s0000")
    assert bad.problem is not None and bad.problem["code"] == stored.UNREADABLE and found.repaired == ["s0000"]
    assert found.reused == 49
    # `grader grade`: fingerprinted again, and the row replaced
    counted.clear()
    repaired = stored.fingerprint_entries(book, entries, hashes, EXERCISES)
    assert counted == ["s0000"] and repaired.repaired == ["s0000"]
    assert stored.stored_class(book, ["s0000"], EXERCISES).repaired == []
    book.close()


def test_a_corrupt_stored_code_is_refused():
    record = fingerprint("a", [{"name": "a", "filename": "a.py", "source": "def f(x):\n    return x\n"}], EXERCISES)
    good, sources = stored.encode_entry(record, [{"name": "a", "filename": "a.py", "source": "x"}])
    from grader.batch.gradebook import StoredFingerprint

    assert stored.decode_entry(StoredFingerprint("h", good, sources))[0].student == "a"
    for bad in (codec.encode({"a": 1}), codec.encode([{"filename": 1}]), codec.encode([]), b"junk"):
        with pytest.raises(RecordError):
            stored.decode_entry(StoredFingerprint("h", good, bad))


def test_the_key_depends_on_the_method_and_the_exercises():
    keys = {stored.method_key(Method(), EXERCISES), stored.method_key(Method(k=6), EXERCISES),
            stored.method_key(Method(window=5), EXERCISES), stored.method_key(Method(), EXERCISES - {"relu"})}
    assert len(keys) == 4


# --------------------------------------------------------------------------- the report section

class _Checked(HTMLParser):
    """Tags opened and attributes seen: a section must add no script and no attribute of its own."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        assert all(name in {"href", "class", "id"} for name, _ in attrs), attrs
        self.links += [value for name, value in attrs if name == "href"]
        if tag == "tr":
            self.rows.append([])
        if tag == "td":
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def section(generated_class, tmp_path_factory):
    """The generated class plus two copies of s0000 under hostile names, through the section's stage."""
    root = tmp_path_factory.mktemp("section")
    folder = root / "week4"
    shutil.copytree(generated_class.folder, folder)
    original = generated_class.files["s0000"].read_text(encoding="utf-8")
    (folder / f"{HOSTILE}.py").write_text(original, encoding="utf-8")
    (folder / f"{BIDI}.py").write_text(original, encoding="utf-8")
    entries, hashes = _class(folder)
    out = root / "out"
    out.mkdir()
    book = Gradebook(out / "gradebook.sqlite")
    try:
        built = build_section(book, out, entries, hashes, EXERCISE_SET, list(EXERCISE_SET.exercises), "en",
                              "week4")
    finally:
        book.close()
    return out, built, {e.student for e in entries}


def test_the_section_lists_every_copy_pair_first_and_links_each_to_its_page(generated_class, section):
    out, built, students = section
    html = render_section(built, "en")
    parsed = _Checked()
    parsed.feed(html)
    assert "script" not in parsed.tags
    hostile = {s for s in students if s not in generated_class.students}
    group = {"s0000", *hostile} | {c for o, c, _ in generated_class.copies if o == "s0000"}
    copies = generated_class.copy_pairs() | {frozenset((x, y)) for x in group for y in group if x < y}
    assert len(hostile) == 2 and len(copies) == 15 + 7
    overall = [row for row in parsed.rows if len(row) == 7]
    listed = [frozenset((row[1], row[2])) for row in overall]
    assert set(listed[:len(copies)]) == copies                   # every copy pair, before any other
    assert all(row[4] == "flagged" for row in overall[:len(copies)])
    assert not any(row[4] for row in overall[len(copies):])      # no independent pair flagged
    for link in parsed.links:
        assert (out / link).is_file(), link
    assert f"{SIMILARITY_DIR}/index.html" in parsed.links
    # per exercise: a table per exercise judged, the flagged ones first
    assert sum(1 for row in parsed.rows if len(row) == 5) >= 6 * 3


def test_the_section_escapes_hostile_names_in_both_languages(section):
    _, built, _ = section
    for lang, heading in (("en", "Similar code across the class"), ("zh", "全班的相似代码")):
        html = render_section(built, lang)
        assert heading in html
        assert "<script" not in html and "&lt;script&gt;alert(1)" in html
        assert "\u202e" not in html and "mallory\\u202egnp.exe" in html
        page = render_class_report(ClassData(), lang, "week4", sections=[html])
        assert page.index(heading) < page.rindex("<h2")            # before the list of every student
        assert not re.search(r"<script", page)


def test_the_whole_report_is_written_next_to_the_class_report(section):
    out, built, _ = section
    assert built.index == out / SIMILARITY_DIR / "index.html" and built.index.is_file()
    data = json.loads((out / SIMILARITY_DIR / "similarity.json").read_text(encoding="utf-8"))
    assert data["flagged"] == built.comparison.ranking.flagged
    assert built.fingerprinted.computed == 52


def test_an_interrupted_fingerprinting_keeps_what_it_stored(stored_book, tmp_path, monkeypatch):
    _, entries, hashes = stored_book
    calls: list[str] = []

    def stops_at_the_eleventh(student, modules, exercises, method=Method()):
        if len(calls) == 10:
            raise KeyboardInterrupt
        calls.append(student)
        return fingerprint(student, modules, exercises, method)

    monkeypatch.setattr(stored, "fingerprint", stops_at_the_eleventh)
    book = Gradebook(tmp_path / "gradebook.sqlite")
    with pytest.raises(KeyboardInterrupt):
        stored.fingerprint_entries(book, entries, hashes, EXERCISES)
    assert len(book.fingerprints(stored.method_key(Method(), EXERCISES))) == 10
    calls.clear()

    def counting(student, modules, exercises, method=Method()):
        calls.append(student)
        return fingerprint(student, modules, exercises, method)

    monkeypatch.setattr(stored, "fingerprint", counting)
    resumed = stored.fingerprint_entries(book, entries, hashes, EXERCISES)
    assert len(calls) == resumed.computed == 40 and resumed.reused == 10
    book.close()


def test_a_failing_section_is_said_and_grading_goes_on(monkeypatch, tmp_path, capsys):
    from types import SimpleNamespace

    from grader.batch import grade, similarity_section
    from grader.batch.discover import Discovery

    def broken(*args, **kwargs):
        raise RuntimeError("the index is on fire")

    monkeypatch.setattr(similarity_section, "build_section", broken)
    options = grade.BatchOptions(submissions=tmp_path / "week", out_dir=tmp_path / "out", jobs=1, exercises_dir=None)
    book = Gradebook(tmp_path / "gradebook.sqlite")
    try:
        section = grade._similarity(options, SimpleNamespace(exercise_set=EXERCISE_SET), book,  # type: ignore[arg-type]
                                    Discovery([], []), {}, ["softmax"])
    finally:
        book.close()
    assert section is None
    err = capsys.readouterr().err
    assert "The similarity section was not made (RuntimeError: the index is on fire)" in err


def test_a_notebook_with_a_lone_surrogate_is_a_reason_not_a_crash(tmp_path):
    folder = tmp_path / "week"
    folder.mkdir()
    cell = {"cell_type": "code", "id": "a", "metadata": {}, "outputs": [], "execution_count": None,
            "source": "def softmax(z):\n    s = '\\ud800'\n    return z / z.sum() + len(s)\n"}
    (folder / "sur.ipynb").write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4,
                                                  "nbformat_minor": 5}).replace("\\\\ud800", "\\ud800"),
                                      encoding="utf-8")
    (folder / "ok.py").write_text("def softmax(z):\n    return z / z.sum()\n", encoding="utf-8")
    entries, hashes = _class(folder)
    book = Gradebook(tmp_path / "gradebook.sqlite")
    try:
        found = stored.fingerprint_entries(book, entries, hashes, EXERCISES)
        again = stored.stored_class(book, ["sur", "ok"], EXERCISES)
    finally:
        book.close()
    problems = {r.student: r.problem for r in found.records}
    # the submission reader refuses the lone surrogate with its own reason (it crashed the parser)
    assert problems["ok"] is None and problems["sur"]["code"] == "submission_unreadable"
    assert problems["sur"]["facts"]["reason_code"] == "unreadable.lone_surrogate"
    assert {r.student: r.problem for r in again.records} == problems
