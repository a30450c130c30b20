"""The commands about the exercises themselves: `grader list`, `grader explain` (one exercise's
contract, conventions, checks and a worked example) and `grader init` (a starter file).

Like every command they only parse options and call the module that does the work
(grader/explain.py, grader/starter.py).
"""

from __future__ import annotations

from pathlib import Path

import click

from ..messages import text
from . import Settings, fail_usage
from .options import lang_option


@click.command("list")
@lang_option
@click.pass_obj
def list_command(settings: Settings) -> None:
    """List the exercises with their chapter, title and points."""
    from ..spec import SpecError, load_exercise_set

    try:
        exercise_set = load_exercise_set(settings.exercises)
    except SpecError as exc:
        fail_usage(exc, settings.lang)
    width = max(len(e) for e in exercise_set.exercises)
    for ex in exercise_set.exercises.values():
        click.echo(f"ch{ex.chapter}  {ex.id:<{width}}  {ex.max_score:>4g}  {ex.title.get(settings.lang)}")


@click.command("init")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--chapter", "chapters", type=click.IntRange(min=1), multiple=True, metavar="N",
              help="Only the exercises of chapter N (repeatable; default: every chapter).")
@click.option("-e", "--exercise", "exercise_ids", multiple=True, metavar="ID",
              help="Only this exercise (repeatable; added to --chapter's).")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@lang_option
@click.pass_obj
def init_command(settings: Settings, file: Path, chapters: tuple[int, ...], exercise_ids: tuple[str, ...],
                 force: bool) -> None:
    """Write a starter FILE (.py or .ipynb) with every selected function to fill in.

    Each function has the exercise's signature, a docstring in the chosen language (--lang
    before the command) and raises NotImplementedError, which checks as "not attempted".
    """
    from ..spec import SpecError, load_exercise_set
    from ..starter import StarterError, write_starter

    lang = settings.lang
    try:
        exercise_set = load_exercise_set(settings.exercises)
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
