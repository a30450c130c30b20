"""The student-facing commands beside `check`: `grader init` (starter files) and `grader explain`.

Registered on the CLI group by grader/cli.py; like every command, they only parse options and
call the module that does the work (grader/starter.py, grader/explain.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .messages import text

EXIT_OK, EXIT_USAGE = 0, 2


def _usage(message: str) -> None:
    click.echo(f"grader: {message}", err=True)
    sys.exit(EXIT_USAGE)


@click.command("init")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--chapter", "chapters", type=int, multiple=True, metavar="N",
              help="Only the exercises of chapter N (repeatable; default: every chapter).")
@click.option("-e", "--exercise", "exercise_ids", multiple=True, metavar="ID",
              help="Only this exercise (repeatable; added to --chapter's).")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@click.pass_obj
def init_command(settings, file: Path, chapters: tuple[int, ...], exercise_ids: tuple[str, ...],
                 force: bool) -> None:
    """Write a starter FILE (.py or .ipynb) with every selected function to fill in.

    Each function has the exercise's signature, a docstring in the chosen language (--lang
    before the command) and raises NotImplementedError, which checks as "not attempted".
    """
    from .spec import SpecError, load_exercise_set
    from .starter import StarterError, write_starter

    lang = settings.lang
    try:
        exercise_set = load_exercise_set(settings.exercises)
        unknown = [i for i in exercise_ids if i not in exercise_set.exercises]
        if unknown:
            _usage(text("unknown_exercise", lang).format(ids=", ".join(unknown)))
        written = write_starter(file, exercise_set, lang, chapters, exercise_ids, force)
    except StarterError as exc:
        _usage(text(exc.code, lang).format(**exc.facts))
    except SpecError as exc:
        _usage(str(exc))
    total = sum(ex.max_score for ex in written)
    click.echo(text("init.wrote", lang).format(file=file, count=len(written), points=f"{total:g}"))


@click.command("explain")
@click.argument("exercise_id", metavar="ID")
@click.pass_obj
def explain_command(settings, exercise_id: str) -> None:
    """Explain exercise ID: contract, conventions, checks and points, hints, a worked example."""
    from .engine import Course
    from .explain import explain_lines
    from .spec import SpecError
    from .starter import chapter_titles

    lang = settings.lang
    try:
        course = Course.load(settings.exercises)
    except SpecError as exc:
        _usage(str(exc))
    exercise = course.set.exercises.get(exercise_id)
    if exercise is None:
        _usage(text("explain.unknown", lang).format(id=exercise_id))
    title = chapter_titles(course.set).get(exercise.chapter, {}).get(lang, "")
    click.echo("\n".join(explain_lines(exercise, lang, course, title)))


COMMANDS = [init_command, explain_command]
