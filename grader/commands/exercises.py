"""The commands about the exercises themselves: `grader list`, `grader explain` (one exercise's
contract, conventions, checks and a worked example) and `grader init` (a starter file).

Like every command they only parse options and call the module that does the work
(grader/explain.py, grader/starter.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..messages import text
from . import Settings, fail_usage
from .options import assignment_option, chosen_assignment, lang_option

if TYPE_CHECKING:
    from ..spec import ExerciseSet, LatePolicy


@click.command("list")
@click.option("--assignments", "show_assignments", is_flag=True,
              help="List the assignments instead: exercises, points, due date, late policy.")
@lang_option
@click.pass_obj
def list_command(settings: Settings, show_assignments: bool) -> None:
    """List the exercises with their chapter, title and points (--assignments: the assignments)."""
    from ..spec import SpecError, load_exercise_set

    try:
        exercise_set = load_exercise_set(settings.exercises)
    except SpecError as exc:
        fail_usage(exc, settings.lang)
    if show_assignments:
        click.echo("\n".join(assignment_lines(exercise_set, settings.lang)))
        return
    width = max(len(e) for e in exercise_set.exercises)
    for ex in exercise_set.exercises.values():
        click.echo(f"ch{ex.chapter}  {ex.id:<{width}}  {ex.max_score:>4g}  {ex.title.get(settings.lang)}")


def assignment_lines(exercise_set: ExerciseSet, lang: str) -> list[str]:
    """Each assignment on a line (id, title, exercises, points, due date), its late policy below."""
    from ..spec.assignments import FILENAME, shown_moment

    if not exercise_set.assignments:
        return [text("assignments.none", lang).format(file=FILENAME)]
    lines = []
    for a in exercise_set.assignments.values():
        lines.append(text("assignments.line", lang).format(
            id=a.id, title=a.title.get(lang), count=len(a.exercises),
            points=f"{a.points(exercise_set.exercises):g}", due=shown_moment(a.due)))
        lines.append(f"    {text('assignments.separator', lang).join(policy_words(a.late, lang))}")
        lines.append(f"    {', '.join(a.exercises)}")
    return lines


def policy_words(late: LatePolicy, lang: str) -> list[str]:
    """A late policy in words: the penalty, the grace period, the cap, the last day."""
    from ..spec.assignments import shown_moment

    words = []
    if late.penalty > 0:
        words.append(text("assignments.late", lang).format(penalty=f"{late.penalty * 100:g}",
                                                           unit=text(f"unit.{late.unit}", lang)))
        if late.grace:
            words.append(text("assignments.grace", lang).format(minutes=f"{late.grace.total_seconds() / 60:g}"))
        if late.cap is not None:
            words.append(text("assignments.cap", lang).format(cap=f"{late.cap * 100:g}"))
    else:
        words.append(text("assignments.no_penalty", lang))
    if late.last_day is not None:
        words.append(text("assignments.closes", lang).format(last_day=shown_moment(late.last_day)))
    return words


@click.command("init")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--chapter", "chapters", type=click.IntRange(min=1), multiple=True, metavar="N",
              help="Only the exercises of chapter N (repeatable; default: every chapter).")
@click.option("-e", "--exercise", "exercise_ids", multiple=True, metavar="ID",
              help="Only this exercise (repeatable; added to --chapter's).")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@assignment_option
@lang_option
@click.pass_obj
def init_command(settings: Settings, file: Path, chapters: tuple[int, ...], exercise_ids: tuple[str, ...],
                 force: bool, assignment_id: str | None) -> None:
    """Write a starter FILE (.py or .ipynb) with every selected function to fill in.

    Each function has the exercise's signature, a docstring in the chosen language (--lang
    before the command) and raises NotImplementedError, which checks as "not attempted".
    """
    from ..spec import SpecError, load_exercise_set
    from ..starter import StarterError, write_starter

    lang = settings.lang
    try:
        exercise_set = load_exercise_set(settings.exercises)
        assignment = chosen_assignment(exercise_set, assignment_id, lang, chapters, exercise_ids)
        if assignment is not None:
            exercise_ids = assignment.exercises
        exercise_set.select(exercise_ids)
        written = write_starter(file, exercise_set, lang, chapters, exercise_ids, force)
    except StarterError as exc:
        fail_usage(text(exc.code, lang).format(**exc.facts))
    except SpecError as exc:
        fail_usage(exc, lang)
    total = sum(ex.max_score for ex in written)
    click.echo(text("init.wrote", lang).format(file=file, count=len(written), points=f"{total:g}"))


@click.command("explain")
@click.argument("exercise_id", metavar="ID")
@lang_option
@click.pass_obj
def explain_command(settings: Settings, exercise_id: str) -> None:
    """Explain exercise ID: contract, conventions, checks and points, hints, a worked example."""
    from ..explain import explain_lines
    from ..session import open_session
    from ..spec import SpecError
    from ..starter import chapter_titles

    lang = settings.lang
    try:  # the public inputs: the worked example is what a student's own check shows
        session = open_session(settings.exercises, private=False)
    except SpecError as exc:
        fail_usage(exc, lang)
    exercise = session.exercise_set.exercises.get(exercise_id)
    if exercise is None:
        fail_usage(text("explain.unknown", lang).format(id=exercise_id))
    title = chapter_titles(session.exercise_set).get(exercise.chapter, {}).get(lang, "")
    click.echo("\n".join(explain_lines(exercise, lang, session, title)))
