"""The command line: parses options and wires the stages together, nothing else.

Exit codes: 0 every selected exercise passed; 1 some did not; 2 a usage or spec error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .messages import render
from .ci.output import FORMATS, emit, output_options
from .sandbox_options import sandbox_options
from .spec import SpecError

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def default_language() -> str:
    """GRADER_LANG, else a config file, else the locale (see grader/config.py)."""
    from .config import default_language as chosen

    return chosen()


class Settings:
    def __init__(self, exercises: str | None, lang: str) -> None:
        self.exercises = exercises
        self.lang = lang


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="grader")
@click.option("--exercises", "exercises", metavar="DIR", envvar="GRADER_EXERCISES",
              help="Exercise set folder (default: the one shipped with the grader).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default=None,
              help="Language of the feedback (default: GRADER_LANG, else grader.toml or "
                   "~/.config/grader/config.toml, else the locale).")
@click.pass_context
def cli(ctx: click.Context, exercises: str | None, lang: str | None) -> None:
    """Check neural-network exercises against a reference, safely."""
    from .config import choose_language
    from .report.untrusted import replace_unencodable

    replace_unencodable(sys.stdout, sys.stderr)  # a GBK console: `?`, never a traceback

    choice = choose_language(lang)
    for problem in choice.problems:
        click.echo(render("config.ignored", {"problem": problem}, choice.lang), err=True)
    ctx.obj = Settings(exercises, choice.lang)


def _fail_usage(message: str) -> None:
    click.echo(f"grader: {message}", err=True)
    sys.exit(EXIT_USAGE)


@cli.command("list")
@click.pass_obj
def list_command(settings: Settings) -> None:
    """List the exercises with their chapter, title and points."""
    from .spec import load_exercise_set

    try:
        exercise_set = load_exercise_set(settings.exercises)
    except SpecError as exc:
        _fail_usage(str(exc))
    width = max(len(e) for e in exercise_set.exercises)
    for ex in exercise_set.exercises.values():
        click.echo(f"ch{ex.chapter}  {ex.id:<{width}}  {ex.max_score:>4g}  {ex.title.get(settings.lang)}")


@cli.command("check")
@click.argument("submission", type=click.Path(exists=True, path_type=Path))
@click.option("-e", "--exercise", "exercise_ids", multiple=True, metavar="ID",
              help="Check only this exercise (repeatable).")
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
                  output_format: str, seed: int | None, no_shrink: bool, time_limit: float | None,
                  memory_limit: int | None, strict_sandbox: bool, no_sandbox: bool, watch: bool = False) -> None:
    """Check SUBMISSION (a .py file, a .ipynb notebook, or a folder of them) and show what is wrong."""
    from .engine import Course, Options, grade
    from .plan import DEFAULT_SEED
    from .report import reporter
    from .run import Zygote
    from .sandbox_options import limits_from_options
    from .secret import instructor_secret

    if watch and output_format != "text":
        from .messages import text

        _fail_usage(text("watch.text_only", settings.lang))
    limits = limits_from_options(memory_limit, strict_sandbox, no_sandbox, settings.lang)
    zygote = Zygote()
    zygote.start()  # warms up while the course loads
    try:
        try:
            course = Course.load(settings.exercises, seed if seed is not None else DEFAULT_SEED,
                                 secret=instructor_secret(settings.exercises, seed))
        except SpecError as exc:
            _fail_usage(str(exc))
        unknown = [i for i in exercise_ids if i not in course.set.exercises]
        if unknown:
            _fail_usage(render("unknown_exercise", {"ids": ", ".join(unknown)}, settings.lang))
        if seed is not None and seed != course.seed:  # a student pack's inputs are fixed
            from .messages import text

            _fail_usage(text("pack.seed_fixed", settings.lang).format(seed=course.seed))
        options = Options(exercises=exercise_ids, seed=course.seed, shrink=not no_shrink,
                          time_limit=time_limit, limits=limits)
        if watch:
            from .watch import watch as watch_loop

            sys.exit(watch_loop(course, submission, zygote, options, settings.lang))
        from .judge.answers import for_course, functions_of

        answers = for_course(course)  # the reference's answers of earlier runs, from the cache
        if answers is not None:
            answers.load(functions_of(course.set.select(exercise_ids)))
        result = grade(course, submission, zygote, options)
        if answers is not None:
            answers.save()
    finally:
        zygote.close()
    sys.exit(emit(result, output_format, settings.lang))


@cli.command("validate")
@click.argument("exercise_ids", nargs=-1, metavar="[EXERCISE]...")
@click.option("--seed", type=int, default=None, help="Seed of the drawn inputs (default: fixed).")
@click.pass_obj
def validate_command(settings: Settings, exercise_ids: tuple[str, ...], seed: int | None) -> None:
    """Check the exercise suite itself: reference full marks, mistakes caught, checks can fail.

    Exit 0 when everything holds, 1 when something does not, 2 on a spec error.
    """
    from .engine import Course
    from .plan import DEFAULT_SEED
    from .secret import instructor_secret
    from .validate import exercise_lines, summary_lines, validate

    try:
        courses = [Course.load(settings.exercises, seed if seed is not None else DEFAULT_SEED)]
        courses[0].set.select(exercise_ids)
        secret = instructor_secret(settings.exercises, seed)
        if secret is not None:  # the instructor's inputs must hold up too
            courses.append(Course(courses[0].set, secret=secret))
    except SpecError as exc:
        _fail_usage(str(exc))
    ok = True
    for course in courses:
        if course.secret is not None:
            click.echo("\n" + render("validate.private", {"fingerprint": course.secret.fingerprint},
                                     settings.lang))
        elif len(courses) > 1:
            click.echo(render("validate.public", {"seed": course.seed}, settings.lang))
        result = validate(course, exercise_ids,
                          progress=lambda report: click.echo("\n".join(exercise_lines(report, settings.lang))))
        click.echo("\n".join(["", *summary_lines(result, settings.lang)]))
        ok = ok and result.ok
    sys.exit(EXIT_PASSED if ok else EXIT_FAILED)


def main() -> None:
    cli(prog_name="grader")


def _register_ci_commands() -> None:
    from .ci.commands import ci_command, pack_command

    cli.add_command(pack_command)
    cli.add_command(ci_command)


_register_ci_commands()


def _register_commands() -> None:
    from .doctor import doctor_command
    from .secret_cli import secret_command

    cli.add_command(doctor_command)
    cli.add_command(secret_command)
    from .feedback_cli import COMMANDS as feedback_commands  # init, explain

    for command in feedback_commands:
        cli.add_command(command)


_register_commands()


def _register_batch_commands() -> None:
    from .batch.cli import COMMANDS  # grade, export, history: click only until one runs

    for command in COMMANDS:
        cli.add_command(command)


_register_batch_commands()


from .similarity.cli import similarity_command  # noqa: E402  (click only until it runs)

cli.add_command(similarity_command)
