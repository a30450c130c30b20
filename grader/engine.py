"""Grade one submission: its own sandboxed worker, each selected exercise judged.

The session (grader.session) holds everything trusted and shared by the submissions of a run;
here one submission is loaded, its worker started from the session's zygote, each exercise
judged through it, the worker restarted after a timeout or a crash (one exercise's failure costs
only that exercise), and the result assembled. `grade_in_process` is the same for trusted
functions, without a worker (grader validate, grader pack).
"""

from __future__ import annotations

import difflib
import os
import signal
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from .captured import keep_ends
from .judge import judge_exercise
from .result import ERROR, NOT_ATTEMPTED, TIMEOUT, ExerciseResult, SubmissionResult
from .run.client import Launcher, WorkerBadReply, WorkerCrashed, WorkerError, WorkerSession, WorkerTimeout
from .run.inprocess import InProcessFunctions
from .run.policy import Limits, worker_policy
from .spec import Exercise
from .submission import Submission, load_submission
from .version import __version__
from .facts import Facts

if TYPE_CHECKING:
    from .session import GradingSession


#: the characters of printed output a result keeps (first and last whole lines, see grader.captured)
MAX_KEPT_OUTPUT = 8000


@dataclass
class Options:
    """How each submission is graded (what it is graded on is the session's)."""

    exercises: tuple[str, ...] = ()
    shrink: bool = True
    time_limit: float | None = None
    import_timeout: float = 30.0
    limits: Limits = field(default_factory=Limits)

    def time_limit_of(self, exercise: Exercise) -> float:
        """The exercise's time limit: --time-limit where given, else its spec's."""
        return self.time_limit or exercise.time_limit


def _fail_all(exercises: list[Exercise], status: str, code: str, facts: Facts) -> list[ExerciseResult]:
    return [ExerciseResult(id=ex.id, title={"en": ex.title.en, "zh": ex.title.zh}, chapter=ex.chapter,
                           status=status, score=0.0, max_score=ex.max_score, code=code, facts=dict(facts))
            for ex in exercises]


def _exit_facts(exc: WorkerCrashed) -> dict[str, int]:
    """How a worker ended, as numbers a reporter words in its language."""
    return {k: v for k, v in exc.how.items() if k in ("signal", "exit_code") and type(v) is int}


def _cpu_limit_signal(number: object) -> bool:
    """SIGXCPU: RLIMIT_CPU's soft limit (POSIX only; Windows has no such signal)."""
    return type(number) is int and number == getattr(signal, "SIGXCPU", None)


def _worker_failure(ex: Exercise, exc: WorkerError, limit: float) -> ExerciseResult:
    """`limit`: the exercise's time limit, which a timeout reports (the moment of the request that
    ran out of it is not the student's business, and would differ from run to run)."""
    facts: Facts
    if isinstance(exc, WorkerTimeout):
        status, code, facts = TIMEOUT, "timeout", {"seconds": limit}
    elif isinstance(exc, WorkerCrashed) and _cpu_limit_signal(exc.how.get("signal")):
        status, code, facts = TIMEOUT, "cpu_limit", {"how": str(exc), "exit": _exit_facts(exc)}
    elif isinstance(exc, WorkerBadReply):
        status, code, facts = ERROR, "bad_reply", {"how": str(exc)}
    else:
        assert isinstance(exc, WorkerCrashed)
        status, code = ERROR, "crashed"
        facts = {"how": str(exc), "exit": _exit_facts(exc), "stderr": keep_ends(exc.stderr, max_chars=2000)}
    [result] = _fail_all([ex], status, code, facts)
    return result


def grade(session: GradingSession, submission: Submission | str | os.PathLike[str], zygote: Launcher,
          options: Options | None = None) -> SubmissionResult:
    """Grade one submission: one sandboxed worker, restarted after a timeout or a crash."""
    options = options or session.options
    started = time.monotonic()
    if not isinstance(submission, Submission):
        submission = load_submission(submission)
    exercises = session.select(options.exercises)
    result = SubmissionResult(submission=submission.label, exercises=[], grader_version=__version__,
                              seed=session.seed_label, spec_digest=session.exercise_set.digest)
    result.notes = list(submission.notes)
    if submission.error:
        result.exercises = _fail_all(exercises, ERROR, submission.error, submission.error_facts)
        return result
    cpu_budget = options.import_timeout + sum(options.time_limit_of(ex) for ex in exercises)
    worker = WorkerSession(zygote, submission.modules, torch=submission.needs_torch,
                           import_timeout=options.import_timeout,
                           policy=worker_policy(options.limits, session.hidden_paths(), cpu_budget),
                           requests=session.encoded_requests)
    try:
        _grade_in_worker(session, worker, exercises, options, result)
    finally:
        worker.close()
        result.stdout = keep_ends("".join(worker.stdout), max_chars=MAX_KEPT_OUTPUT)
        result.stderr = keep_ends("".join(worker.stderr), max_chars=MAX_KEPT_OUTPUT)
        result.seconds = time.monotonic() - started
    if submission.notebooks:
        _point_into_notebooks(submission, result)
    return result


def _point_into_notebooks(submission: Submission, result: SubmissionResult) -> None:
    """Lines of a notebook's generated module become (file, cell, line in cell) facts."""
    def relocate(facts: Facts | None, file_key: str = "file") -> None:
        file, line = (facts.get(file_key), facts.get("line")) if facts else (None, None)
        if facts and isinstance(line, int) and (file is None or isinstance(file, str)):
            where = submission.locate(file, line)
            if where is not None:
                facts.update(where if file_key == "file" else
                             {file_key: where["file"], "cell": where["cell"], "line": where["line"]})

    for ex in result.exercises:
        relocate(ex.facts)
        relocate(ex.location, "module")
        for check in ex.checks:
            relocate(check.facts)


def _folded(name: str) -> str:
    return name.replace("_", "").casefold()


def misnamed(expected: str, defined: dict[str, Any], taken: set[str]) -> str | None:
    """The student's function that is most likely `expected` under another name (`Softmax`,
    `soft_max`, `softMax`, `sofmax`), or None; never one that is another exercise's name."""
    candidates = [name for name in defined if name not in taken]
    same = [name for name in candidates if _folded(name) == _folded(expected)]
    if same:
        return same[0]
    by_folded = {_folded(name): name for name in candidates}
    close = difflib.get_close_matches(_folded(expected), list(by_folded), n=1, cutoff=0.85)
    return by_folded[close[0]] if close else None


@dataclass
class _Started:
    """What starting the worker gave: the submission's functions, or why it could not load."""

    #: where the submission defines each function: {"module": ..., "line": ...}
    functions: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: WorkerError | None = None


def _start(worker: WorkerSession, result: SubmissionResult) -> _Started:
    """Start (or restart) the worker and record what its import of the submission reported."""
    try:
        report = worker.start()
    except WorkerError as exc:
        return _Started(error=exc)
    result.sandbox = report.sandbox
    result.load_errors = report.errors
    return _Started(functions=report.functions)


def _retry_after(exc: WorkerError, attempt: int, first_request: bool, restarted: _Started) -> bool:
    """Whether an exercise is judged again after its worker failed (the retry policy).

    A worker that dies on an exercise's very first request may have been broken by the exercise
    before it (which got all its answers in one request): this one is judged again, once, in the
    fresh worker, so that it costs only its own grade. A timeout or a bad reply is its own."""
    return (attempt == 1 and first_request and isinstance(exc, WorkerCrashed)
            and restarted.error is None)


def _grade_in_worker(session: GradingSession, worker: WorkerSession, exercises: list[Exercise],
                     options: Options, result: SubmissionResult) -> None:
    loaded = _start(worker, result)
    taken = {e.function for e in session.exercise_set.exercises.values()}
    for ex in exercises:
        unjudged = _not_judged(ex, loaded, result, taken)
        if unjudged is not None:
            result.exercises.append(unjudged)
            continue
        functions = loaded.functions
        started = time.monotonic()
        exercise_result, loaded = _judge_in_worker(session, worker, ex, options, result, loaded)
        exercise_result.seconds = time.monotonic() - started
        exercise_result.location = functions.get(ex.function)
        result.exercises.append(exercise_result)


def _not_judged(ex: Exercise, loaded: _Started, result: SubmissionResult,
                taken: set[str]) -> ExerciseResult | None:
    """The result of an exercise the worker cannot judge (the submission did not import, or does
    not define its function: perhaps under another name, not one of `taken`), or None when it can."""
    if loaded.error is not None:
        exc = loaded.error
        timed_out = isinstance(exc, WorkerTimeout)
        facts: Facts = {"how": str(exc)}
        if isinstance(exc, WorkerCrashed):
            facts["exit"] = _exit_facts(exc)
        return _fail_all([ex], TIMEOUT if timed_out else ERROR,
                         "import_timeout" if timed_out else "import_crashed", facts)[0]
    if ex.function in loaded.functions:
        return None
    if not result.load_errors:
        near = misnamed(ex.function, loaded.functions, taken)
        if near is None:
            return _fail_all([ex], NOT_ATTEMPTED, "not_attempted", {})[0]
        return _fail_all([ex], NOT_ATTEMPTED, "not_attempted.misnamed",
                         {"defined": near, "line": loaded.functions[near].get("line")})[0]
    err = result.load_errors[0]
    return _fail_all([ex], ERROR, "import_error", {
        "type": err.get("type"), "message": err.get("message"),
        "file": err.get("filename"), "line": err.get("line")})[0]


def _judge_in_worker(session: GradingSession, worker: WorkerSession, ex: Exercise,
                     options: Options, result: SubmissionResult,
                     loaded: _Started) -> tuple[ExerciseResult, _Started]:
    """Judge one exercise through the worker, restarting it after a failure (and judging the
    exercise again when `_retry_after` says so). The result, and the worker's state after it."""
    for attempt in (1, 2):
        answered = worker.answered
        try:
            return judge_exercise(session.context(ex, worker, options)), loaded
        except (RecursionError, MemoryError) as exc:  # outside a check: see judge.run_check
            code = "judge_recursion" if isinstance(exc, RecursionError) else "judge_memory"
            return _fail_all([ex], ERROR, code, {})[0], loaded
        except WorkerError as exc:
            first_request = worker.answered == answered
            failed = _worker_failure(ex, exc, options.time_limit_of(ex))
            loaded = _start(worker, result)
            if not _retry_after(exc, attempt, first_request, loaded):
                break
    return failed, loaded


def grade_in_process(session: GradingSession, functions: dict[str, Callable[..., Any]], label: str,
                     options: Options | None = None) -> SubmissionResult:
    """Judge TRUSTED functions (reference, a catalogued mistake, a probe) without a worker.

    The seam `grader validate` uses: the same judge, fed by InProcessFunctions instead of a
    sandboxed worker. Never give it a student's code.
    """
    options = options or session.options
    started = time.monotonic()
    caller = InProcessFunctions(functions)
    result = SubmissionResult(submission=label, exercises=[], grader_version=__version__,
                              seed=session.seed_label, spec_digest=session.exercise_set.digest)
    for ex in session.select(options.exercises):
        if ex.function not in functions:
            result.exercises.append(_fail_all([ex], NOT_ATTEMPTED, "not_attempted", {})[0])
            continue
        begun = time.monotonic()
        try:
            exercise_result = judge_exercise(session.context(ex, caller, options))
        except WorkerError as exc:  # a time limit, measured in-process too
            exercise_result = _worker_failure(ex, exc, options.time_limit_of(ex))
        exercise_result.seconds = time.monotonic() - begun
        result.exercises.append(exercise_result)
    result.seconds = time.monotonic() - started
    return result
