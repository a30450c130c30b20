"""`grader check SUBMISSION`: grade one submission and say what is wrong (`--watch`: again at
every save). Exit 0 when every selected exercise passed (or `--fail-under` is reached), 1 when
not, 2 on a usage or spec error."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..messages import text
from . import EXIT_FAILED, EXIT_PASSED, Settings, fail_usage
from .options import sandbox_limits, sandbox_options
from .output import FORMATS, emit, output_options

if TYPE_CHECKING:
    from ..session import GradingSession


@click.command("check")
@click.argument("submission", type=click.Path(exists=True, path_type=Path))
@click.option("-e", "--exercise", "exercise_ids", multiple=True, metavar="ID",
              help="Check only this exercise (repeatable).")
@click.option("--chapter", "chapters", type=int, multiple=True, metavar="N",
              help="Check only the exercises of chapter N (repeatable; added to -e's). Default: the "
                   "exercises a starter from `grader init --chapter/-e` lists (--format text), else all.")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text",
              show_default=True)
@click.option("--seed", type=int, default=None, help="Seed of the drawn inputs (default: fixed).")
@click.option("--no-shrink", is_flag=True, help="Report the first failing input without shrinking it.")
@click.option("--watch", is_flag=True,
              help="Check again at every save, showing only what changed (Ctrl+C to stop).")
@output_options
@click.option("--time-limit", type=float, default=None, metavar="SECONDS",
              help="Time limit per exercise (default: each exercise's own).")
@sandbox_options
@click.pass_obj
def check_command(settings: Settings, submission: Path, exercise_ids: tuple[str, ...],
                  chapters: tuple[int, ...], output_format: str, seed: int | None, no_shrink: bool,
                  watch: bool, time_limit: float | None) -> None:
    """Check SUBMISSION (a .py file, a .ipynb notebook, or a folder of them) and show what is wrong."""
    import dataclasses

    from ..engine import Options
    from ..session import open_session
    from ..spec import SpecError

    if watch and output_format != "text":
        fail_usage(text("watch.text_only", settings.lang))
    options = Options(exercises=exercise_ids, shrink=not no_shrink, time_limit=time_limit,
                      limits=sandbox_limits())
    try:
        session = open_session(settings.exercises, seed=seed, options=options, warm_zygote=True)
    except SpecError as exc:
        fail_usage(exc, settings.lang)
    with session:
        ids, note = scope(session, submission, exercise_ids, chapters, settings.lang,
                          starter=output_format in STARTER_FORMATS)
        session.options = dataclasses.replace(session.options, exercises=ids)
        if watch:
            from ..watch import watch as watch_loop

            last = watch_loop(session, submission, settings.lang)
            sys.exit(EXIT_PASSED if last.all_passed else EXIT_FAILED)
        with session.stored_answers(session.select(ids)):
            result = session.grade(submission)
    if note is not None:
        result.notes.append(note)
    sys.exit(emit(result, output_format, settings.lang))


#: the formats in which a starter's `# grader: exercises = …` line sets the scope: the student's
#: own terminal. The file is the student's to edit, so what grades (junit, gradescope, github, and
#: json for the instructor's scripts) scores every exercise unless -e/--chapter says otherwise.
STARTER_FORMATS = ("text",)


def scope(session: GradingSession, submission: Path, exercise_ids: tuple[str, ...], chapters: tuple[int, ...],
          lang: str, starter: bool = True) -> tuple[tuple[str, ...], dict[str, Any] | None]:
    """The exercises to score and the note that says so: those of -e/--chapter, else (`starter`)
    those the starter's marker lists (so a chapter's starter is scored out of that chapter's
    points), else every one (no note)."""
    from ..spec import SpecError
    from ..starter import StarterError, select, starter_scope

    started = starter_scope(submission, session.exercise_set) if starter else None
    if not exercise_ids and not chapters:
        if started is None:
            return (), None
        return tuple(started), _scope_note("check.scope_starter", session, started, submission)
    try:
        chosen = [ex.id for ex in select(session.exercise_set, chapters, exercise_ids)]
    except StarterError as exc:
        fail_usage(text(exc.code, lang).format(**exc.facts))
    except SpecError as exc:
        fail_usage(exc, lang)
    if started is None or set(started) == set(chosen):
        return tuple(chosen), None
    note = _scope_note("check.scope_chosen", session, chosen, submission)
    note["facts"]["started"] = len(started)
    return tuple(chosen), note


def _scope_note(code: str, session: GradingSession, ids: list[str], submission: Path) -> dict[str, Any]:
    """A note of the result (every format shows it): how many exercises, how many points, which file."""
    from ..submission.names import label

    points = sum(ex.max_score for ex in session.select(ids))
    return {"code": code, "facts": {"count": len(ids), "points": f"{points:g}", "file": label(submission.name)}}
