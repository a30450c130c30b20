"""The instructor's commands on a class: `grader grade`, `grader export`, `grader history`.

The work is grader/batch/; importing this module stays light (click only): the session, the
gradebook and matplotlib are imported when a command runs. Exit codes: 0 done, 2 a usage or
spec error, 130 `grade` interrupted (what it graded is kept).
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import EXIT_INTERRUPTED, EXIT_OK, Settings, fail_usage
from .options import (assignment_option, folder_argument, lang_option, sandbox_limits, sandbox_options,
                      time_limit_option)

if TYPE_CHECKING:
    import sqlite3

    from ..batch.coursebook import Event
    from ..batch.gradebook import Gradebook
    from ..lms.exports import Target


@click.command("grade")
@folder_argument("submissions")
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder: gradebook, feedback, report (default: SUBMISSIONS-graded).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Grader processes in parallel (default: all cores).")
@click.option("-e", "--exercise", "exercise_ids", multiple=True, metavar="ID",
              help="Grade only this exercise (repeatable).")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="CSV of the class (id, name, email): adds students who submitted nothing.")
@click.option("--student", "students", multiple=True, metavar="ID",
              help="Grade only this student, changed or not (repeatable); the others keep their grades.")
@click.option("--force", is_flag=True, help="Regrade every submission, changed or not.")
@click.option("--seed", type=int, default=None, help="Seed of the drawn inputs (default: fixed).")
@click.option("--no-similarity", is_flag=True,
              help="Leave out the report's similarity section and OUT/similarity/ (grades are the same).")
@assignment_option
@click.option("--extensions", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="CSV of extensions (student, assignment, due or days); default: extensions.csv "
                   "beside the roster.")
@click.option("--cluster", metavar="ADDRESS", default=None,
              help="Grade on Dask distributed: a scheduler (tcp://host:8786), its scheduler file, or "
                   "local:N for N local workers (needs the `cluster` extra; docs/cluster.md).")
@time_limit_option
@sandbox_options
@lang_option
@click.pass_obj
def grade_command(settings: Settings, submissions: Path, out_dir: Path | None, jobs: int | None,
                  exercise_ids: tuple[str, ...], roster: Path | None, students: tuple[str, ...], force: bool,
                  seed: int | None, no_similarity: bool, assignment_id: str | None, extensions: Path | None,
                  cluster: str | None, time_limit: float | None) -> None:
    """Grade every student in SUBMISSIONS (alice.py, alice.ipynb or a folder alice/ each).

    Writes OUT/gradebook.sqlite, OUT/grades.csv, OUT/feedback/<student>.md|.html,
    OUT/report.html and OUT/similarity/ (pairs of similar code: evidence, never a grade). A
    re-run grades only new or changed submissions (or all after a spec change). With -e or
    --student only those are graded, merged into the stored results; the gradebook's language
    is kept unless --lang is given. Ctrl-C stops and keeps what is graded; run again to finish.
    With --assignment: that assignment's exercises, each submission's lateness (its time from
    the LMS download, the last commit, else the file) and late penalty.
    """
    from ..batch.grade import BatchError, BatchOptions, grade_class
    from ..batch.discover import discover
    from ..batch.parallel import default_jobs
    from ..batch.roster import RosterError, read_roster
    from ..messages import render
    from ..spec import SpecError

    lang = settings.lang  # --lang before or after `grade`: also the feedback files' language
    explicit = settings.lang_explicit  # else a partial regrade keeps the gradebook's language
    limits = sandbox_limits()
    listed = None
    if roster is not None:
        names = [e.student for e in discover(submissions, None, (roster,)).entries]
        try:
            listed = read_roster(roster, names)
        except RosterError as exc:
            problem = render(exc.code, exc.facts, lang)
            fail_usage(render("batch.roster_error", {"path": str(roster), "problem": problem}, lang))
    options = BatchOptions(
        submissions=submissions, out_dir=out_dir or submissions.with_name(submissions.name + "-graded"),
        jobs=jobs or default_jobs(), exercises_dir=settings.exercises, exercise_ids=exercise_ids,
        roster=listed, roster_path=roster, force=force, lang=lang, lang_explicit=explicit,
        students=students, seed=seed, time_limit=time_limit, limits=limits, similarity=not no_similarity,
        assignment_id=assignment_id, extensions=extensions, cluster=cluster)
    try:
        summary = grade_class(options)
    except SpecError as exc:
        fail_usage(exc, lang)
    except BatchError as exc:
        fail_usage(render(exc.code, exc.facts, lang))
    sys.exit(EXIT_INTERRUPTED if summary.interrupted else EXIT_OK)


def graded_assignment(book: Gradebook, assignment_id: str | None, settings: Settings) -> None:
    """Exit 2 unless the gradebook has a run of `assignment_id` (if given), naming those it has."""
    from ..batch.coursebook import assignments_graded
    from ..spec import UnknownAssignment

    if assignment_id is None or assignment_id in assignments_graded(book):
        return
    known = assignments_graded(book)
    book.close()
    fail_usage(UnknownAssignment(assignment_id, known), settings.lang)


def _open_book(out_dir: Path, lang: str) -> Gradebook:
    from ..batch.gradebook import Gradebook
    from ..messages import render

    book = Gradebook.open_existing(out_dir)
    if book is None:
        fail_usage(render("batch.no_gradebook", {"out": str(out_dir)}, lang))
    return book


@click.command("export")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "canvas", "moodle"]), default="csv",
              show_default=True, help="csv/json: every column; canvas/moodle: that LMS's grade import CSV.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@assignment_option
@click.option("--assignment-name", metavar="TEXT", default=None,
              help="canvas/moodle: the assignment's column (default: the assignment's title, else "
                   "the graded folder's name).")
@click.option("--canvas-assignment-id", "canvas_id", metavar="ID", default=None,
              help="canvas: the assignment's Canvas id, written as `Name (ID)`.")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="canvas/moodle: the roster with the students' SIS ids, logins and sections.")
@click.option("--class", "class_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="canvas/moodle: the collected class folder (default: the graded one).")
@lang_option
@click.pass_obj
def export_command(settings: Settings, out_dir: Path, fmt: str, output: Path | None, assignment_id: str | None,
                   assignment_name: str | None, canvas_id: str | None, roster: Path | None,
                   class_dir: Path | None) -> None:
    """Print the gradebook in OUT_DIR: a row per student, a column per exercise, total, percent;
    or, with --format canvas|moodle, the file that LMS imports grades from.

    The total is the final score: hand corrections replace their exercises' points, then the
    late penalty is taken off. With --assignment, the latest run of that assignment."""
    from ..batch.export import LMS_FORMATS, encoding, export_text

    book = _open_book(out_dir, settings.lang)
    try:
        graded_assignment(book, assignment_id, settings)
        if assignment_name is None and assignment_id is not None:
            assignment_name = _assignment_title(settings, assignment_id)
        target = _lms_target(book, assignment_id, assignment_name, canvas_id, roster, class_dir,
                             settings.lang) if fmt in LMS_FORMATS else None
        content = export_text(book, fmt, assignment_id, target)
    finally:
        book.close()
    if output is not None:
        output.write_text(content, encoding=encoding(fmt))
    else:
        click.echo(content, nl=False)


def _assignment_title(settings: Settings, assignment_id: str) -> str | None:
    """The assignment's title in the gradebook's language, for an LMS column; None when the
    exercise set no longer declares it (the graded run still names it)."""
    from ..spec import SpecError, load_exercise_set

    try:
        found = load_exercise_set(settings.exercises).assignments.get(assignment_id)
    except SpecError:
        return None
    return found.title.get(settings.lang) if found is not None else None


def _lms_target(book: Gradebook, assignment: str | None, assignment_name: str | None, canvas_id: str | None,
                roster: Path | None, class_dir: Path | None, lang: str) -> Target:
    """What an LMS export needs beside the rows: the assignment's name, the collect manifest of
    the class folder (given, or the one the latest run graded, when it is still there), the roster."""
    from ..batch.roster import RosterError
    from ..lms.exports import Target
    from ..lms.manifest import ManifestError, read_manifest
    from ..lms.people import read_people
    from ..batch.coursebook import latest_run
    from ..messages import render

    run = latest_run(book, assignment)
    graded = Path(run["submissions_dir"]) if run is not None and run["submissions_dir"] else None
    folder = class_dir or (graded if graded is not None and graded.is_dir() else None)
    manifest = None
    if folder is not None:
        try:
            manifest = read_manifest(folder)
        except ManifestError as exc:
            problem = render(exc.code, exc.facts, lang)
            fail_usage(render("lms.export.manifest_error", {"folder": str(folder), "problem": problem}, lang))
    people = []
    if roster is not None:
        try:
            people = read_people(roster, [str(item["student"]) for item in book.standing()])
        except RosterError as exc:
            problem = render(exc.code, exc.facts, lang)
            fail_usage(render("batch.roster_error", {"path": str(roster), "problem": problem}, lang))
    fallback = (graded.name if graded is not None else "") or "grader"
    return Target(assignment=assignment_name, fallback=fallback, assignment_id=canvas_id, manifest=manifest,
                  people=people)


@click.command("history")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("student")
@lang_option
@click.pass_obj
def history_command(settings: Settings, out_dir: Path, student: str) -> None:
    """List STUDENT's runs in the gradebook in OUT_DIR (when, score, what was graded), then the
    hand corrections and comments (when, what, why)."""
    from ..batch.coursebook import events as course_events
    from ..messages import render, text
    from ..report.untrusted import text_line

    book = _open_book(out_dir, settings.lang)
    try:
        if not book.has_student(student):
            fail_usage(render("batch.no_student", {"student": student}, settings.lang))
        rows = book.history(student)
        events = course_events(book, student)
    finally:
        book.close()
    lang = settings.lang
    click.echo(text("history.title", lang).format(student=text_line(student)))
    click.echo("\n".join(_aligned([[text(f"history.col.{c}", lang) for c in HISTORY_COLUMNS],
                                   *(_history_cells(row, lang) for row in rows)])))
    if not events:  # the runs' table is all there is
        return
    click.echo("")
    click.echo(text("history.corrections", lang).format(student=text_line(student)))
    click.echo("\n".join(_aligned([[text(f"history.col.{c}", lang) for c in ("at", "what", "reason")],
                                   *(_event_cells(event, lang) for event in events)])))


def _event_cells(event: Event, lang: str) -> list[str]:
    """One correction or comment: when, what, why (the comment itself)."""
    from ..messages import text
    from ..report.untrusted import text_line

    what = (text("history.set", lang).format(exercise=event.exercise, points=_num(event.points))
            if event.kind == "set" else text("history.removed", lang).format(exercise=event.exercise)
            if event.kind == "remove" else text("history.comment", lang))
    return [event.at, text_line(what), text_line(event.text) or "–"]


#: the columns of `grader history`, each labelled by `history.col.<name>`
HISTORY_COLUMNS = ("run", "when", "action", "score", "status", "hash", "digest")


def _history_cells(row: sqlite3.Row, lang: str) -> list[str]:
    """One run of a student, a cell per column of HISTORY_COLUMNS."""
    from ..messages import CATALOGUE, text

    action = f"action.{row['action']}"
    return [str(row["run"]), str(row["started_at"]),
            text(action, lang) if action in CATALOGUE else str(row["action"]),
            f"{_num(row['score'])}/{_num(row['max_score'])}",
            text(f"class.state.{row['status'] or 'pending'}", lang),
            (row["content_hash"] or "–")[:12], (row["spec_digest"] or "–")[:12]]


def _aligned(rows: list[list[str]]) -> list[str]:
    """Rows as columns padded to their widest cell, by display width (a CJK character is 2)."""
    def width(cell: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in cell)

    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell + " " * (w - width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"
