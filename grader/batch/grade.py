"""`grader grade`: grade a class folder into OUT_DIR, resuming where the gradebook left off.

OUT_DIR receives:

- ``gradebook.sqlite``: every run, every grade (see `gradebook`);
- ``grades.csv``: the gradebook as `grader export --format csv` writes it;
- ``feedback/<student>.md`` and ``.html``: what the student reads;
- ``report.html``: the class report, one self-contained page.
"""

from __future__ import annotations

import hashlib
import json
import re
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..messages import text
from ..report.model import ERROR, ExerciseResult, SubmissionResult
from ..run.policy import Limits
from .discover import AMBIGUOUS, MISSING, Discovery, Entry, content_hash, discover
from .gradebook import FILENAME, INTERNAL, MISSING as MISSING_STATUS, Gradebook
from .parallel import Pool, Task
from .progress import Progress
from .roster import Student

FEEDBACK_DIR = "feedback"
REPORT_FILE = "report.html"
CSV_FILE = "grades.csv"
_SAFE_NAME = re.compile(r"[^\w.-]+", re.UNICODE)


@dataclass
class BatchOptions:
    submissions: Path
    out_dir: Path
    jobs: int
    exercises_dir: str | None
    exercise_ids: tuple[str, ...] = ()
    roster: list[Student] | None = None
    roster_path: Path | None = None
    force: bool = False
    lang: str = "en"
    seed: int | None = None
    time_limit: float | None = None
    limits: Limits = field(default_factory=Limits)
    live: bool | None = None  # progress bar: None = when stderr is a terminal


@dataclass
class BatchSummary:
    run_id: int
    total: int
    graded: int = 0
    skipped: int = 0
    failures: int = 0
    interrupted: bool = False
    changed: list[tuple[str, float, float]] = field(default_factory=list)
    seconds: float = 0.0
    discovery: Discovery | None = None


def grading_key(course: Any, options: Any, exercise_ids: list[str]) -> str:
    """Everything besides the submission that changes its grade."""
    material = {
        "grader": __version__, "specs": course.set.digest, "seed": course.seed_label,
        "exercises": exercise_ids, "time_limit": options.time_limit, "shrink": options.shrink,
        "import_timeout": options.import_timeout, "limits": repr(getattr(options, "limits", None)),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:32]


def feedback_name(student: str) -> str:
    return _SAFE_NAME.sub("_", student).strip("._") or "student"


def _placeholder(course: Any, exercises: list[Any], status: str, code: str, facts: dict[str, Any],
                 path: str = "", note: dict[str, Any] | None = None) -> SubmissionResult:
    """A result for a student the pool never saw: missing, ambiguous, or lost with its process."""
    return SubmissionResult(
        submission=path, grader_version=__version__, seed=course.seed_label, spec_digest=course.set.digest,
        exercises=[ExerciseResult(id=ex.id, title={"en": ex.title.en, "zh": ex.title.zh},
                                  chapter=ex.chapter, status=status, score=0.0, max_score=ex.max_score,
                                  code=code, facts=dict(facts)) for ex in exercises],
        notes=[note] if note else [])


def write_feedback(out_dir: Path, student: str, result: SubmissionResult, lang: str, name: str = "") -> None:
    from ..report.feedback import render_html, render_markdown

    folder = out_dir / FEEDBACK_DIR
    folder.mkdir(parents=True, exist_ok=True)
    label = f"{name} ({student})" if name and name != student else student
    file = feedback_name(student)
    (folder / f"{file}.md").write_text(render_markdown(result, lang, label), encoding="utf-8")
    (folder / f"{file}.html").write_text(render_html(result, lang, label), encoding="utf-8")


def _interrupt(*_: Any) -> None:
    raise KeyboardInterrupt


def _terminate_as_interrupt() -> Any:
    """SIGTERM (a scheduler, `kill`) stops the batch the way Ctrl-C does: results kept."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _interrupt)


def grade_class(options: BatchOptions) -> BatchSummary:
    from ..engine import Course, Options
    from ..plan import DEFAULT_SEED

    from ..secret import instructor_secret, private_folder

    started = time.monotonic()
    secret = instructor_secret(options.exercises_dir, options.seed)
    course = Course.load(options.exercises_dir, options.seed if options.seed is not None else DEFAULT_SEED,
                         secret=secret)
    if secret is not None:
        click.echo(text("grade.private_inputs", options.lang).format(fingerprint=secret.fingerprint))
    elif options.seed is None and course.pack is None:  # what a pack reveals is what is graded
        click.echo(text("grade.public_inputs", options.lang).format(
            folder=private_folder(course.set.root)), err=True)
    exercises = course.set.select(options.exercise_ids)  # SpecError on an unknown id
    if secret is not None:  # pinned once here (torch.optim's paths too), for every grader process
        from ..plan.private import pin_private_inputs

        pin_private_inputs(course, exercises)
    for ex in exercises:
        course.plan(ex)  # drawn once here, into the disk cache every grader process reads
    grade_options = Options(exercises=tuple(ex.id for ex in exercises), seed=course.seed,
                            time_limit=options.time_limit, limits=options.limits)
    key = grading_key(course, grade_options, [ex.id for ex in exercises])

    exclude = (options.roster_path,) if options.roster_path else ()
    found = discover(options.submissions, options.roster, exclude)
    options.out_dir.mkdir(parents=True, exist_ok=True)
    book = Gradebook(options.out_dir / FILENAME)
    try:
        return _run(options, course, exercises, grade_options, key, found, book, started)
    finally:
        book.close()


def _run(options: BatchOptions, course: Any, exercises: list[Any], grade_options: Any, key: str,
         found: Discovery, book: Gradebook, started: float) -> BatchSummary:
    lang = options.lang
    book.upsert_students((e.student, e.name, e.email, e.on_roster) for e in found.entries)
    hashes = {e.student: content_hash(e) for e in found.entries}
    previous = book.latest_grades()
    reuse: dict[str, int | None] = {}
    for entry in found.entries:
        last = previous.get(entry.student)
        unchanged = (last is not None and not options.force and last.status != INTERNAL
                     and last.content_hash == hashes[entry.student] and last.grading_key == key)
        reuse[entry.student] = last.id if unchanged and last else None
    run_id = book.start_run(grader_version=__version__, spec_digest=course.set.digest, seed=course.seed_label,
                            exercises=[ex.id for ex in exercises], grading_key=key,
                            submissions_dir=str(options.submissions), jobs=options.jobs,
                            forced=options.force, lang=lang)
    book.plan_entries(run_id, reuse)
    todo = [e for e in found.entries if reuse[e.student] is None]
    summary = BatchSummary(run_id=run_id, total=len(found.entries), skipped=len(found.entries) - len(todo),
                           discovery=found)
    if todo:
        click.echo(text("batch.plan", lang).format(todo=len(todo), total=len(found.entries), jobs=options.jobs,
                                                   out=options.out_dir, skipped=summary.skipped))
    else:
        click.echo(text("batch.nothing", lang).format(skipped=summary.skipped))
    if found.ignored:
        click.echo(text("batch.ignored", lang).format(entries=", ".join(found.ignored)))
    if options.roster is not None and found.not_on_roster:
        click.echo(text("batch.not_on_roster", lang).format(
            students=", ".join(e.student for e in found.not_on_roster)))
    if found.missing:
        click.echo(text("batch.missing", lang).format(students=", ".join(e.student for e in found.missing)))

    progress = Progress(len(todo), lang, live=options.live)

    def store(entry: Entry, result: SubmissionResult, status: str | None = None) -> None:
        book.record(run_id, entry.student, str(entry.path or ""), hashes[entry.student], key, result, status)
        write_feedback(options.out_dir, entry.student, result, lang, entry.name)
        summary.graded += 1
        summary.failures += 0 if result.all_passed else 1
        last = previous.get(entry.student)
        if last is not None and abs(last.score - result.score) > 1e-9:
            summary.changed.append((entry.student, last.score, result.score))
        progress.update(entry.student, result)

    tasks: list[Task] = []
    by_student = {e.student: e for e in todo}
    previous_term = _terminate_as_interrupt()
    try:
        for entry in todo:
            if entry.kind == MISSING:
                store(entry, _placeholder(course, exercises, "missing", "", {},
                                          note={"code": "missing", "facts": {}}), MISSING_STATUS)
            elif entry.kind == AMBIGUOUS:
                names = ", ".join(p.name + ("/" if p.is_dir() else "") for p in entry.paths)
                store(entry, _placeholder(course, exercises, ERROR, "submission_ambiguous",
                                          {"entries": names}, str(options.submissions)))
            else:
                tasks.append(Task(len(tasks), entry.student, str(entry.path)))
        pool = Pool(options.jobs, options.exercises_dir, course.seed, grade_options, course.secret)
        for done in pool.run(tasks):
            entry = by_student[done.task.student]
            if done.result is None:
                store(entry, _placeholder(course, exercises, ERROR, "batch.worker_died", {"how": done.how},
                                          done.task.path), INTERNAL)
            else:
                store(entry, done.result)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)
    progress.close()
    book.finish_run(run_id, "interrupted" if summary.interrupted else "complete")
    summary.seconds = time.monotonic() - started
    _finish(options, book, summary, reuse, {e.student: e.name for e in found.entries})
    return summary


def _finish(options: BatchOptions, book: Gradebook, summary: BatchSummary,
            reuse: dict[str, int | None], names: dict[str, str]) -> None:
    """Feedback for unchanged students, the CSV, the class report, and what to tell the user."""
    from .export import write_export

    lang = options.lang
    for student, grade_id in reuse.items():
        if grade_id is not None:
            result = book.result(grade_id)
            if result is not None:
                write_feedback(options.out_dir, student, result, lang, names.get(student, ""))
    write_export(book, options.out_dir / CSV_FILE, "csv")
    from .class_report import write_class_report

    report_ok = write_class_report(book, options.out_dir / REPORT_FILE, lang, options.submissions.name)
    if summary.interrupted:
        click.echo(text("batch.interrupted", lang).format(
            graded=summary.graded, left=summary.total - summary.skipped - summary.graded))
    elif summary.graded:
        rate = summary.graded / summary.seconds * 60 if summary.seconds > 0 else 0.0
        click.echo(text("batch.done", lang).format(graded=summary.graded, seconds=f"{summary.seconds:.1f}",
                                                   rate=f"{rate:.0f}", failures=summary.failures))
    if summary.changed:
        click.echo(text("batch.changed_title", lang))
        for student, before, after in sorted(summary.changed):
            click.echo(text("batch.changed", lang).format(
                student=student, before=f"{before:g}", after=f"{after:g}", delta=f"{after - before:+g}"))
    if not report_ok:
        click.echo(text("batch.no_plots", lang), err=True)
    click.echo(text("batch.outputs", lang).format(
        gradebook=options.out_dir / FILENAME, feedback=options.out_dir / FEEDBACK_DIR,
        report=options.out_dir / REPORT_FILE))


__all__ = ["BatchOptions", "BatchSummary", "grade_class"]
