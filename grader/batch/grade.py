"""`grader grade`: grade a class folder into OUT_DIR, resuming where the gradebook left off.

OUT_DIR receives:

- ``gradebook.sqlite``: every run, every grade (see `gradebook`);
- ``grades.csv``: the gradebook as `grader export --format csv` writes it;
- ``feedback/<name>.md`` and ``.html``: what the student reads (`names.feedback_name`);
- ``report.html``: the class report, one self-contained page;
- ``similarity/``: the similarity report its section links to (`similarity_section`; evidence,
  never a grade: it runs after grading, and ``--no-similarity`` leaves it out).

A run that grades only some exercises (`-e`) or students (`--student`) merges into what the
gradebook holds (`merge`): each student's other exercises keep their stored results, and the
language of the gradebook's runs is kept unless `--lang` was given (`_follow_earlier_run`).

Whatever one submission produces, the batch goes on (`_Recorder`): that student's failing step
is recorded as their internal error, every other student is graded, and the outputs are written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import click

from ..version import __version__
from ..messages import LANGUAGES, text
from ..submission.names import label
from ..facts import CodedError, Note
from ..result import ERROR, ExerciseResult, SubmissionResult
from ..report.untrusted import text_line
from ..run.policy import Limits
from ..spec import SpecError
from .discover import AMBIGUOUS, MISSING, Discovery, Entry, content_hash, discover
from .coursebook import record_lateness, set_run_assignment
from .gradebook import FILENAME, INTERNAL, MISSING as MISSING_STATUS, Gradebook, StoredGrade, clean_text
from .merge import merge
from .overrides import CourseState, latest_grades
from .names import FEEDBACK_DIR, feedback_name
from .parallel import Done, Engine, Pool, Task
from .progress import Progress
from .roster import Student, key as student_key

if TYPE_CHECKING:
    from ..report.adjustments import Adjustments
    from ..session import GradingSession
    from .similarity_section import SimilaritySection
    from ..spec import Assignment, Exercise
    from .lateness import Extension
    from .cluster import ClusterPool

REPORT_FILE = "report.html"
CSV_FILE = "grades.csv"
#: how much of an exception's text an internal error keeps
MAX_REASON = 300


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
    #: `--lang` was given: it replaces the language the gradebook's earlier runs wrote in
    lang_explicit: bool = False
    #: `--student`: grade only these students (always, changed or not); the others keep their grade
    students: tuple[str, ...] = ()
    seed: int | None = None
    time_limit: float | None = None
    limits: Limits = field(default_factory=Limits)
    live: bool | None = None  # progress bar: None = when stderr is a terminal
    #: the class report's similarity section and OUT/similarity/ (`--no-similarity`: off)
    similarity: bool = True
    #: --assignment: grade that assignment's exercises, with its deadline and late policy
    assignment_id: str | None = None
    #: --extensions (else `extensions.csv` beside the roster): per-student due dates
    extensions: Path | None = None
    #: `--cluster`: grade on Dask distributed (a scheduler's address, or `local:N`), see `cluster`
    cluster: str | None = None


class BatchError(CodedError):
    """A request that does not fit the class (an unknown `--student`); `code` and `facts` are a message."""


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
    #: (student, reason): a step failed on this student's data; recorded, graded again next run
    internal: list[tuple[str, str]] = field(default_factory=list)
    #: (student, entry kept, every entry's score): several entries, each graded
    ambiguous: list[tuple[str, str, str]] = field(default_factory=list)
    #: (student, reason): feedback that could not be written (the grade stands)
    unwritten: list[tuple[str, str]] = field(default_factory=list)


def grading_key(session: GradingSession, exercise_ids: list[str]) -> str:
    """Everything besides the submission that changes its grade."""
    options = session.options
    material = {
        "grader": __version__, "specs": session.exercise_set.digest, "seed": session.seed_label,
        "exercises": exercise_ids, "time_limit": options.time_limit, "shrink": options.shrink,
        "import_timeout": options.import_timeout, "limits": repr(options.limits),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:32]


def _placeholder(session: GradingSession, exercises: list[Exercise], status: str, code: str, facts: dict[str, Any],
                 path: str = "", note: Note | None = None) -> SubmissionResult:
    """A result for a student the pool never graded: missing, or lost with its process or a step."""
    return SubmissionResult(
        submission=path, grader_version=__version__, seed=session.seed_label, spec_digest=session.exercise_set.digest,
        exercises=[ExerciseResult(id=ex.id, title={"en": ex.title.en, "zh": ex.title.zh},
                                  chapter=ex.chapter, status=status, score=0.0, max_score=ex.max_score,
                                  code=code, facts=dict(facts)) for ex in exercises],
        notes=[note] if note else [])


def write_feedback(out_dir: Path, student: str, result: SubmissionResult, lang: str, name: str = "",
                   adjustments: Adjustments | None = None) -> None:
    """The student's feedback files; `adjustments`: corrections, lateness, comments, final score."""
    from ..report.feedback import render_html, render_markdown

    folder = out_dir / FEEDBACK_DIR
    folder.mkdir(parents=True, exist_ok=True)
    heading = f"{name} ({student})" if name and name != student else student
    file = feedback_name(student)
    (folder / f"{file}.md").write_text(render_markdown(result, lang, heading, adjustments), encoding="utf-8")
    (folder / f"{file}.html").write_text(render_html(result, lang, heading, adjustments=adjustments), encoding="utf-8")


def _reason(exc: BaseException) -> str:
    """What went wrong, for the instructor and the student: the exception's type and message."""
    return clean_text(f"{type(exc).__name__}: {exc}")[:MAX_REASON]


def _entry_label(path: str | Path) -> str:
    path = Path(path)
    return label(path.name) + ("/" if path.is_dir() else "")


def _hash(entry: Entry) -> str | None:
    """The entry's content hash; None when its files cannot be hashed (then it is never reused)."""
    try:
        return content_hash(entry)
    except (OSError, ValueError):  # unreadable or undecodable names: this student's files only
        return None


@dataclass
class _Recorder:
    """Stores each student's outcome: gradebook row, feedback files, progress line.

    Every step that handles one student's result (`Gradebook.record`, rendering and writing the
    feedback) is contained here: when one raises on what a submission produced, that student gets
    an internal error that names the step and the reason (in both languages, graded again on the
    next run) and the batch goes on. The fallback holds only the grader's own words and numbers,
    so storing it depends on nothing the student made; if even that fails (a full disk, a locked
    database) the fault is not the student's and the batch stops, keeping what it stored."""

    options: BatchOptions
    session: GradingSession
    exercises: list[Exercise]
    book: Gradebook
    run_id: int
    key: str
    hashes: dict[str, str | None]
    previous: dict[str, Any]
    summary: BatchSummary
    progress: Progress
    #: the whole scope's exercise ids, in the gradebook's order, when the run grades only some of them
    merge_order: list[str] | None = None
    #: corrections, comments and lateness, shown in each feedback file
    course: CourseState = field(default_factory=CourseState)

    def store(self, entry: Entry, result: SubmissionResult, status: str | None = None,
              path: str | None = None) -> None:
        path = entry.shown_path if path is None else label(path)
        result = self._merged(entry, result)
        step = "gradebook"
        try:
            self._record(entry, result, status, path)
            step = "feedback"
            write_feedback(self.options.out_dir, entry.student, result, self.options.lang, entry.name,
                           self.course.adjustments(entry.student, result))
        except Exception as exc:  # any step on this student's data: recorded below
            reason = _reason(exc)
            facts = {"reason": reason, "score": f"{result.score:g}", "max_score": f"{result.max_score:g}"}
            result = self._merged(entry, _placeholder(self.session, self.exercises, ERROR,
                                                      f"batch.{step}_failed", facts, path))
            status = INTERNAL
            self.summary.internal.append((entry.student, reason))
            self._record(entry, result, status, path)
            self._write_feedback(entry, result)
        self.summary.graded += 1
        self.summary.failures += 0 if result.all_passed else 1
        last = self.previous.get(entry.student)
        if last is not None and status != INTERNAL and abs(last.score - result.score) > 1e-9:
            self.summary.changed.append((entry.student, last.score, result.score))
        self.progress.update(entry.student, result)

    def store_ambiguous(self, entry: Entry, parts: list[Done]) -> None:
        """Several entries for one student, each graded: the best score stands (on a tie the first
        in name order), and the note says which was kept and what each scored."""
        order = {str(p): i for i, p in enumerate(entry.paths)}
        parts = sorted(parts, key=lambda done: order.get(done.task.path, len(order)))
        graded = [(done, done.result) for done in parts if done.result is not None]
        if not graded:
            self.store_lost(entry, parts[0].task.path, "; ".join(done.how for done in parts))
            return
        best, best_result = max(graded, key=lambda pair: pair[1].score)
        scores = "; ".join(f"{_entry_label(done.task.path)} {done.result.score:g}/{done.result.max_score:g}"
                           if done.result is not None else f"{_entry_label(done.task.path)} ({done.how})"
                           for done in parts)
        kept = _entry_label(best.task.path)
        entries = ", ".join(_entry_label(done.task.path) for done in parts)
        best_result.notes.append({"code": "batch.ambiguous",
                                  "facts": {"entries": entries, "kept": kept, "scores": scores}})
        self.summary.ambiguous.append((entry.student, kept, scores))
        self.store(entry, best_result, path=best.task.path)

    def store_lost(self, entry: Entry, path: str, how: str) -> None:
        result = _placeholder(self.session, self.exercises, ERROR, "batch.worker_died", {"how": how},
                              label(path))
        self.summary.internal.append((entry.student, clean_text(how)))
        self.store(entry, result, INTERNAL, path)

    def _merged(self, entry: Entry, result: SubmissionResult) -> SubmissionResult:
        """A partial run's result with the student's stored results of the other exercises."""
        last = self.previous.get(entry.student)
        if self.merge_order is None or last is None:
            return result
        stored = self.book.result(last.id)
        return result if stored is None else merge(stored, result, self.merge_order, last.graded_at)

    def _record(self, entry: Entry, result: SubmissionResult, status: str | None, path: str) -> None:
        self.book.record(self.run_id, entry.student, path, self.hashes[entry.student] or "", self.key,
                         result, status)

    def _write_feedback(self, entry: Entry, result: SubmissionResult) -> None:
        """The fallback page. It still carries the student's id and name, and the file may be
        blocked (a folder in its place): a failure here is said, not fatal."""
        try:
            write_feedback(self.options.out_dir, entry.student, result, self.options.lang, entry.name,
                           self.course.adjustments(entry.student, result))
        except Exception as exc:  # listed in the summary; the grade is recorded
            self.summary.unwritten.append((entry.student, _reason(exc)))


def _interrupt(*_: Any) -> None:
    raise KeyboardInterrupt


def _terminate_as_interrupt() -> Any:
    """SIGTERM (a scheduler, `kill`) stops the batch the way Ctrl-C does: results kept."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _interrupt)


def prepare_out_dir(out: Path) -> None:
    """Create the output folder and make sure files can be written in it, before any grading:
    a SpecError (exit 2, one line) says why not, never a traceback after the work is done."""
    blocker = next((p for p in (out, *out.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise SpecError.at(f"-o {out}", "batch.out_not_folder", blocker=str(blocker))
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError:
        raise SpecError.at(f"-o {out}", "batch.out_not_writable") from None


def grade_class(options: BatchOptions) -> BatchSummary:
    """Grade the class of `options` into its output folder; BatchError, SpecError on a bad request."""
    started = time.monotonic()
    if options.cluster is not None:
        _require_cluster(options.cluster)
    exclude = (options.roster_path,) if options.roster_path else ()
    found = discover(options.submissions, options.roster, exclude)
    chosen = _chosen_students(found, options.students)
    options = _follow_earlier_run(options, _earlier_run(options.out_dir))
    session, exercises, key, deadline = _prepare_session(options)
    cluster = _connect(options, session, exercises)
    engine: Engine = cluster or Pool(options.jobs, session.recipe())
    try:
        if cluster is not None:
            options = dataclasses.replace(options, jobs=cluster.threads())
            _show_workers(cluster, options.lang)
        options.out_dir.mkdir(parents=True, exist_ok=True)
        book = Gradebook(options.out_dir / FILENAME)
        try:
            return _run(options, session, exercises, key, found, chosen, book, started, engine, cluster, deadline)
        finally:
            book.close()
    finally:
        if cluster is not None:
            cluster.close()


def _require_cluster(address: str) -> None:
    """A bad `--cluster` address or a missing `cluster` extra, said before any work starts."""
    from .cluster import ClusterError, require

    try:
        require(address)
    except ClusterError as exc:
        raise BatchError(exc.code, **exc.facts) from None


def _connect(options: BatchOptions, session: GradingSession, exercises: list[Exercise]) -> ClusterPool | None:
    """`--cluster`'s workers, each with this run's session open; BatchError when it cannot be used."""
    if options.cluster is None:
        return None
    from .cluster import ClusterError, ClusterPool

    try:
        return ClusterPool.connect(options.cluster, session, exercises, options.exercises_dir)
    except ClusterError as exc:
        raise BatchError(exc.code, **exc.facts) from None


def _show_workers(cluster: ClusterPool, lang: str) -> None:
    """`grader doctor` of each worker not shown yet: its host and the sandbox layers it applies."""
    for report in cluster.new_reports():
        layers = report["layers"]
        missing = [name for name, layer in layers.items() if not layer["available"]]
        facts = {"worker": report["worker"], "host": text_line(report["host"]),
                 "available": ", ".join(name for name in layers if name not in missing),
                 "missing": ", ".join(missing)}
        click.echo(text("cluster.worker_missing" if missing else "cluster.worker", lang).format(**facts),
                   err=bool(missing))


def _earlier_run(out_dir: Path) -> dict[str, Any] | None:
    """The language and exercises of the gradebook's latest run, if there is a gradebook."""
    book = Gradebook.open_existing(out_dir)
    if book is None:
        return None
    try:
        run = book.latest_run()
        return None if run is None else {"lang": run["lang"], "exercises": json.loads(run["exercises"] or "[]")}
    finally:
        book.close()


def _follow_earlier_run(options: BatchOptions, earlier: dict[str, Any] | None) -> BatchOptions:
    """Keep the gradebook's language unless `--lang` was given (a partial regrade rewrites every
    feedback file: a class's files stay in one language), and grade a `--student` run without
    `-e` on the gradebook's exercises (so that student's total means what everyone else's does)."""
    if earlier is None:
        return options
    lang = options.lang if options.lang_explicit or earlier["lang"] not in LANGUAGES else str(earlier["lang"])
    ids = options.exercise_ids
    if options.students and not ids and options.assignment_id is None:
        ids = tuple(str(i) for i in earlier["exercises"])
    return dataclasses.replace(options, lang=lang, exercise_ids=ids)


def _prepare_session(options: BatchOptions) -> tuple[GradingSession, list[Exercise], str, _Deadline | None]:
    """The session, the selected exercises (their plans drawn, private inputs pinned), the key
    and the assignment with its extensions (of --assignment: its exercises are the selection);
    every bad request is said before the output folder is made."""
    from ..pinning import pin_private_inputs
    from ..secret import private_folder
    from ..engine import Options
    from ..session import open_session

    session = open_session(options.exercises_dir, seed=options.seed, options=Options(
        exercises=options.exercise_ids, time_limit=options.time_limit, limits=options.limits))
    deadline = None
    ids = options.exercise_ids
    if options.assignment_id is not None:
        if options.exercise_ids:
            raise BatchError("assignment.with_exercises")
        assignment = session.exercise_set.assignment(options.assignment_id)  # SpecError: unknown
        deadline = _Deadline(assignment, _extensions(options, session))
        ids = assignment.exercises
        session.options = dataclasses.replace(session.options, exercises=ids)
    prepare_out_dir(options.out_dir)
    if session.secret is not None:
        click.echo(text("grade.private_inputs", options.lang).format(fingerprint=session.secret.fingerprint))
    elif options.seed is None and session.pack is None:  # what a pack reveals is what is graded
        click.echo(text("grade.public_inputs", options.lang).format(
            folder=private_folder(session.exercise_set.root)), err=True)
    exercises = session.select(ids)
    if session.secret is not None:  # pinned once here (torch.optim's paths too), for every grader process
        pin_private_inputs(session, exercises)
    for ex in exercises:
        session.plan(ex)  # drawn once here, into the disk cache every grader process reads
    return session, exercises, grading_key(session, [ex.id for ex in exercises]), deadline


@dataclass(frozen=True)
class _Deadline:
    """The assignment a run grades and the class's extensions of it."""

    assignment: Assignment
    extensions: dict[tuple[str, str], Extension]


def _extensions(options: BatchOptions, session: GradingSession) -> dict[tuple[str, str], Extension]:
    """The extensions of --extensions, else of `extensions.csv` beside the roster, and of the
    roster's `extension_<id>` columns ({}: none); BatchError on a file that cannot be used."""
    from .extensions import ExtensionsError, beside, merged, read_extensions, roster_extensions

    assignments = list(session.exercise_set.assignments)
    path = options.extensions or beside(options.roster_path)
    found: dict[tuple[str, str], Extension] = {}
    where = path
    try:
        if path is not None:
            found = read_extensions(path, assignments)
        if options.roster_path is not None:
            where = options.roster_path
            names = [e.student for e in discover(options.submissions, None, (options.roster_path,)).entries]
            found = merged(found, roster_extensions(options.roster_path, names, assignments))
    except ExtensionsError as exc:
        raise BatchError("extensions.error", path=label(where or ""), problem=exc.words(options.lang)) from None
    return found


def _chosen_students(found: Discovery, wanted: tuple[str, ...]) -> set[str] | None:
    """The students `--student` names (None: everyone); an id the class does not have is an error."""
    if not wanted:
        return None
    by_key = {student_key(e.student): e.student for e in found.entries}
    unknown = [w for w in wanted if student_key(w) not in by_key]
    if unknown:
        raise BatchError("batch.unknown_student", students=text_line(", ".join(unknown)),
                         known=text_line(", ".join(sorted(by_key.values())[:20])))
    return {by_key[student_key(w)] for w in wanted}


def _clean_entry(entry: Entry) -> None:
    """Ids, names and emails are printed, stored and written into files: encodable everywhere."""
    entry.student, entry.name, entry.email = (clean_text(entry.student), clean_text(entry.name),
                                              clean_text(entry.email))


def _scope(options: BatchOptions, exercises: list[Exercise], book: Gradebook) -> list[str] | None:
    """A partial run's whole scope: the exercises of the gradebook's latest run, in its order, then
    this run's new ones; None when the run grades every exercise (nothing to merge)."""
    if not options.exercise_ids:
        return None
    run = book.latest_run()
    before: list[str] = json.loads(run["exercises"]) if run is not None and run["exercises"] else []
    return list(dict.fromkeys(before + [ex.id for ex in exercises]))


def _reuse_plan(entries: list[Entry], previous: dict[str, StoredGrade], hashes: dict[str, str | None],
                key: str, force: bool, chosen: set[str] | None) -> dict[str, int | None]:
    """Per student, the stored grade that stands unchanged, or None to grade them in this run.

    With `--student` the chosen are graded whatever changed and everyone else keeps their grade."""
    reuse: dict[str, int | None] = {}
    for entry in entries:
        last = previous.get(entry.student)
        if chosen is not None:
            reuse[entry.student] = None if entry.student in chosen or last is None else last.id
            continue
        unchanged = (last is not None and not force and last.status != INTERNAL
                     and last.content_hash == hashes[entry.student] and last.grading_key == key)
        reuse[entry.student] = last.id if unchanged and last else None
    return reuse


def _announce(options: BatchOptions, found: Discovery, todo: int, skipped: int) -> None:
    """What the run will do, and what the folder and the roster say about the class."""
    lang = options.lang
    if todo:
        click.echo(text("batch.plan", lang).format(todo=todo, total=len(found.entries), jobs=options.jobs,
                                                   out=options.out_dir, skipped=skipped))
    else:
        click.echo(text("batch.nothing", lang).format(skipped=skipped))
    if found.ignored:
        click.echo(text("batch.ignored", lang).format(entries=text_line(", ".join(found.ignored))))
    if options.roster is not None and found.not_on_roster:
        click.echo(text("batch.not_on_roster", lang).format(
            students=text_line(", ".join(e.student for e in found.not_on_roster))))
    if found.missing:
        missing = ", ".join(e.student for e in found.missing)
        click.echo(text("batch.missing", lang).format(students=text_line(missing)))


def _record_class(found: Discovery, book: Gradebook) -> dict[str, str | None]:
    """Store who is in the class (names cleaned once) and return each student's content hash."""
    for entry in found.entries:
        _clean_entry(entry)
    book.upsert_students((e.student, e.name, e.email, e.on_roster) for e in found.entries)
    return {e.student: _hash(e) for e in found.entries}


def _start_run(options: BatchOptions, session: GradingSession, book: Gradebook, key: str,
               exercises: list[str], reuse: dict[str, int | None]) -> int:
    """The run's row in the gradebook, with every student's planned entry."""
    run_id = book.start_run(grader_version=__version__, spec_digest=session.exercise_set.digest,
                            seed=session.seed_label, exercises=exercises, grading_key=key,
                            submissions_dir=label(options.submissions), jobs=options.jobs,
                            forced=options.force, lang=options.lang)
    book.plan_entries(run_id, reuse)
    return run_id


def _run(options: BatchOptions, session: GradingSession, exercises: list[Exercise], key: str,
         found: Discovery, chosen: set[str] | None, book: Gradebook, started: float, engine: Engine,
         cluster: ClusterPool | None, deadline: _Deadline | None = None) -> BatchSummary:
    """Record the class, decide whom to grade, grade them, and write every output."""
    hashes = _record_class(found, book)
    previous = latest_grades(book, options.assignment_id)
    reuse = _reuse_plan(found.entries, previous, hashes, key, options.force, chosen)
    scope = _scope(options, exercises, book)
    run_id = _start_run(options, session, book, key, scope or [ex.id for ex in exercises], reuse)
    if deadline is not None:
        _record_deadline(options, found, book, run_id, deadline)
    todo = [e for e in found.entries if reuse[e.student] is None and (chosen is None or e.student in chosen)]
    skipped = sum(grade_id is not None for grade_id in reuse.values())
    summary = BatchSummary(run_id=run_id, total=len(todo) + skipped, skipped=skipped, discovery=found)
    _announce(options, found, len(todo), skipped)
    recorder = _Recorder(options, session, exercises, book, run_id, key, hashes, previous, summary,
                         Progress(len(todo), options.lang, live=options.live), scope,
                         CourseState.load(book, run_id))
    summary.interrupted = not _grade_all(recorder, todo, engine)
    recorder.progress.close()
    if cluster is not None:  # stored with the run: which machines graded it, with which sandbox
        _show_workers(cluster, options.lang)
        book.note_run(run_id, "cluster", json.dumps({"address": cluster.address.text,
                                                     "workers": list(cluster.reports.values())}))
    book.finish_run(run_id, "interrupted" if summary.interrupted else "complete")
    summary.seconds = time.monotonic() - started
    section = None
    if options.similarity and not summary.interrupted:
        section = _similarity(options, session, book, found, hashes, scope or [ex.id for ex in exercises])
    _finish(options, book, summary, reuse, {e.student: e.name for e in found.entries}, recorder.course, section)
    return summary


def _similarity(options: BatchOptions, session: GradingSession, book: Gradebook, found: Discovery,
                hashes: dict[str, str | None], scope: list[str]) -> tuple[SimilaritySection, str] | None:
    """The similarity section and its HTML, after grading and apart from it: it reads what the
    gradebook holds and the students' files, never a grade. Whatever goes wrong there is said in
    one line and leaves the grades, the CSV and the rest of the report as they are."""
    from .similarity_section import build_section, render_section

    try:
        section = build_section(book, options.out_dir, found.entries, hashes, session.exercise_set, scope,
                                options.lang, label(options.submissions.name))
        return section, render_section(section, options.lang)
    except (Exception, KeyboardInterrupt) as exc:  # evidence, not a grade: never stops the batch
        reason = text("batch.similarity_interrupted", options.lang) if isinstance(exc, KeyboardInterrupt) \
            else _reason(exc)
        click.echo(text("batch.similarity_failed", options.lang).format(reason=reason), err=True)
        return None


def _record_deadline(options: BatchOptions, found: Discovery, book: Gradebook, run_id: int,
                     deadline: _Deadline) -> None:
    """The run's assignment, and every student's lateness on it (before grading: the feedback
    says it), with what the terminal should know: file times used, extensions of no one."""
    from .lateness import late_records

    set_run_assignment(book, run_id, deadline.assignment.id)
    records = late_records(deadline.assignment, found.entries, options.submissions, deadline.extensions)
    record_lateness(book, run_id, records)
    lang = options.lang
    fallback = [r.student for r in records if r.time_source == "file"]
    if fallback:
        click.echo(text("batch.file_times", lang).format(students=text_line(", ".join(fallback))), err=True)
    late = [f"{r.student} ({r.hours_late:g} h, −{round(r.penalty * 100, 6):g} %)" for r in records
            if r.kind not in ("on_time", "unknown", "flagged")]
    if late:
        click.echo(text("batch.lateness", lang).format(students=text_line(", ".join(late))))
    known = {student_key(e.student) for e in found.entries}
    strangers = sorted(ext.student for (who, a_id), ext in deadline.extensions.items()
                       if a_id == deadline.assignment.id and who not in known)
    if strangers:
        click.echo(text("batch.extensions_unknown", lang).format(students=text_line(", ".join(strangers))),
                   err=True)


def _grade_all(recorder: _Recorder, todo: list[Entry], engine: Engine) -> bool:
    """Grade `todo` and store each outcome as it comes; False when interrupted (Ctrl-C, SIGTERM)."""
    previous_term = _terminate_as_interrupt()
    try:
        tasks = _tasks(recorder, todo)
        _store_as_done(recorder, todo, engine.run(tasks))
    except KeyboardInterrupt:
        return False
    finally:
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)
    return True


def _tasks(recorder: _Recorder, todo: list[Entry]) -> list[Task]:
    """One task per entry to grade (each of an ambiguous student's); a missing student is stored now."""
    tasks: list[Task] = []
    for entry in todo:
        if entry.kind == MISSING:
            recorder.store(entry, _placeholder(recorder.session, recorder.exercises, "missing", "", {},
                                               note={"code": "missing", "facts": {}}), MISSING_STATUS)
        else:  # an ambiguous entry (`alice.py` and `alice/`): each of its entries is graded
            for path in entry.paths:
                tasks.append(Task(len(tasks), entry.student, str(path)))
    return tasks


def _store_as_done(recorder: _Recorder, todo: list[Entry], results: Iterable[Done]) -> None:
    """Store each finished task; an ambiguous student once all their entries are graded."""
    by_student = {e.student: e for e in todo}
    parts: dict[str, list[Done]] = {}
    for done in results:
        entry = by_student[done.task.student]
        if entry.kind == AMBIGUOUS:
            parts.setdefault(entry.student, []).append(done)
            if len(parts[entry.student]) == len(entry.paths):
                recorder.store_ambiguous(entry, parts.pop(entry.student))
        elif done.result is None:
            recorder.store_lost(entry, done.task.path, done.how)
        else:
            recorder.store(entry, done.result)


def _finish(options: BatchOptions, book: Gradebook, summary: BatchSummary,
            reuse: dict[str, int | None], names: dict[str, str], course: CourseState | None = None,
            similarity: tuple[SimilaritySection, str] | None = None) -> None:
    """Feedback for unchanged students, the CSV, the class report, and what to tell the user."""
    from .export import write_export

    lang = options.lang
    for student, grade_id in reuse.items():
        if grade_id is None:
            continue
        result = book.result(grade_id)
        if result is None:
            summary.unwritten.append((student, text("batch.unreadable_grade", lang)))
            continue
        try:
            write_feedback(options.out_dir, student, result, lang, names.get(student, ""),
                           course.adjustments(student, result) if course is not None else None)
        except Exception as exc:  # this student's stored result: said below, not fatal
            summary.unwritten.append((student, _reason(exc)))
    write_export(book, options.out_dir / CSV_FILE, "csv", options.assignment_id)
    from .class_report import write_class_report

    sections = [] if similarity is None else [similarity[1]]
    book.keep_report_sections(sections)  # `grader override` rewrites the report with them
    report_ok = write_class_report(book, options.out_dir / REPORT_FILE, lang, label(options.submissions.name),
                                   sections, options.assignment_id)
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
                student=text_line(student), before=f"{before:g}", after=f"{after:g}", delta=f"{after - before:+g}"))
    for student, kept, scores in summary.ambiguous:
        click.echo(text("batch.ambiguous_line", lang).format(student=text_line(student), kept=kept, scores=scores))
    for student, reason in summary.internal:
        click.echo(text("batch.internal_line", lang).format(student=text_line(student), reason=reason))
    for student, reason in summary.unwritten:
        click.echo(text("batch.unwritten_line", lang).format(student=text_line(student), reason=reason), err=True)
    if not report_ok:
        click.echo(text("batch.no_plots", lang), err=True)
    if similarity is not None:
        _say_similarity(similarity[0], lang)
    click.echo(text("batch.outputs", lang).format(
        gradebook=options.out_dir / FILENAME, feedback=options.out_dir / FEEDBACK_DIR,
        report=options.out_dir / REPORT_FILE))


def _say_similarity(section: SimilaritySection, lang: str) -> None:
    """One line on the terminal: what the section found, and where the pairs are."""
    comparison, found = section.comparison, section.fingerprinted
    click.echo(text("batch.similarity", lang).format(
        flagged=comparison.ranking.flagged, compared=len(comparison.compared), computed=found.computed,
        reused=found.reused, report=section.index))
    if found.repaired:
        click.echo(text("batch.similarity_repaired", lang).format(
            students=text_line(", ".join(found.repaired))), err=True)


__all__ = ["BatchError", "BatchOptions", "BatchSummary", "feedback_name", "grade_class", "write_feedback"]
