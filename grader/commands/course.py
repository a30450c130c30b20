"""Hand corrections on a graded class: `grader override` (an exercise's points, with why) and
`grader comment` (a word to one student). Both are kept in the gradebook with when and why
(grader/batch/coursebook.py), survive every regrade, and the folder's outputs (grades.csv, the
class report, the student's feedback) are written again at once. Exit 0 done, 2 a bad request
(no gradebook, an unknown student or exercise, points out of range).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..messages import render, text
from . import Settings, fail_usage
from .options import lang_option

if TYPE_CHECKING:
    from ..batch.gradebook import Gradebook

#: the longest reason or comment kept (a paragraph, not a file)
MAX_TEXT = 2000


def _book(out_dir: Path, lang: str) -> Gradebook:
    from ..batch.gradebook import Gradebook

    book = Gradebook.open_existing(out_dir)
    if book is None:
        fail_usage(render("batch.no_gradebook", {"out": str(out_dir)}, lang))
    return book


def _student(book: Gradebook, student: str, lang: str) -> str:
    """The gradebook's id for `student` (the same id in another case or form is the same student)."""
    from ..batch.roster import key
    from ..report.untrusted import text_line

    if book.has_student(student):
        return student
    ids = [str(row["id"]) for row in book.db.execute("SELECT id FROM students ORDER BY id")]
    found = [i for i in ids if key(i) == key(student)]
    if len(found) != 1:
        book.close()
        fail_usage(render("batch.no_student", {"student": text_line(student)}, lang))
    return found[0]


def _exercise(book: Gradebook, student: str, exercise: str, lang: str) -> tuple[float, float]:
    """(the checks' points, the most points) of `exercise` in the student's latest grade of it."""
    from ..report.untrusted import text_line

    row = book.db.execute(
        "SELECT eg.score, eg.max_score FROM exercise_grades eg JOIN grades g ON g.id = eg.grade_id "
        "WHERE g.student = ? AND eg.exercise = ? ORDER BY g.id DESC LIMIT 1", (student, exercise)).fetchone()
    if row is None:
        known = [str(r["exercise"]) for r in book.db.execute(
            "SELECT DISTINCT eg.exercise FROM exercise_grades eg JOIN grades g ON g.id = eg.grade_id "
            "WHERE g.student = ? ORDER BY eg.exercise", (student,))]
        book.close()
        fail_usage(render("override.unknown_exercise", {"exercise": text_line(exercise), "student": student,
                                                        "known": ", ".join(known) or "–"}, lang))
    return float(row["score"]), float(row["max_score"])


def _clean(words: str) -> str:
    from ..batch.gradebook import clean_text

    return " ".join(clean_text(words).split())[:MAX_TEXT]


def _num(value: float) -> str:
    return f"{round(value, 6):g}"


@click.command("override")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("student")
@click.argument("exercise")
@click.argument("points", type=float, required=False)
@click.option("--reason", default="", help="Why (kept with the correction, shown to the student).")
@click.option("--remove", is_flag=True, help="Remove the correction: the checks' points count again.")
@lang_option
@click.pass_obj
def override_command(settings: Settings, out_dir: Path, student: str, exercise: str, points: float | None,
                     reason: str, remove: bool) -> None:
    """Set STUDENT's points for EXERCISE by hand (POINTS --reason TEXT), or --remove that.

    The correction replaces what the checks gave; the late penalty then applies to the total.
    A regrade keeps it. `grader history OUT STUDENT` lists every correction."""
    from ..batch.coursebook import add_override, overrides, remove_override
    from ..batch.rewrite import rewrite_outputs

    lang = settings.lang
    if remove == (points is not None):
        fail_usage(text("override.need_points", lang))
    reason = _clean(reason)
    if not remove and not reason:
        fail_usage(text("override.need_reason", lang))
    book = _book(out_dir, lang)
    try:
        student = _student(book, student, lang)
        was, max_score = _exercise(book, student, exercise, lang)
        if points is not None:
            if not (math.isfinite(points) and 0.0 <= points <= max_score):
                book.close()
                fail_usage(text("override.range", lang).format(points=f"{points:g}", exercise=exercise,
                                                              max_score=_num(max_score)))
            add_override(book, student, exercise, points, reason)
            message = text("override.done", lang).format(student=student, exercise=exercise, points=_num(points),
                                                        max_score=_num(max_score), was=_num(was), out=out_dir)
        else:
            if exercise not in overrides(book, student).get(student, {}):
                book.close()
                fail_usage(text("override.nothing_to_remove", lang).format(student=student, exercise=exercise))
            remove_override(book, student, exercise, reason)
            message = text("override.removed", lang).format(student=student, exercise=exercise, was=_num(was),
                                                           out=out_dir)
        rewrite_outputs(book, out_dir, [student], lang if settings.lang_explicit else None)
    finally:
        book.close()
    click.echo(message)


@click.command("comment")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("student")
@click.argument("comment")
@lang_option
@click.pass_obj
def comment_command(settings: Settings, out_dir: Path, student: str, comment: str) -> None:
    """Keep a comment for STUDENT: shown in their feedback, grades.csv and the class report."""
    from ..batch.coursebook import add_comment
    from ..batch.rewrite import rewrite_outputs

    lang = settings.lang
    comment = _clean(comment)
    if not comment:
        fail_usage(text("comment.empty", lang))
    book = _book(out_dir, lang)
    try:
        student = _student(book, student, lang)
        add_comment(book, student, comment)
        rewrite_outputs(book, out_dir, [student], lang if settings.lang_explicit else None)
    finally:
        book.close()
    click.echo(text("comment.done", lang).format(student=student, out=out_dir))
