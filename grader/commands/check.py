"""`grader check SUBMISSION`: grade one submission and say what is wrong (`--watch`: again at
every save). Exit 0 when every selected exercise passed (or `--fail-under` is reached), 1 when
not, 2 on a usage or spec error."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..messages import text
from . import EXIT_FAILED, EXIT_PASSED, Settings, fail_usage
from .options import sandbox_limits, sandbox_options
from .output import FORMATS, emit, output_options


@click.command("check")
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
                  output_format: str, seed: int | None, no_shrink: bool, watch: bool,
                  time_limit: float | None) -> None:
    """Check SUBMISSION (a .py file, a .ipynb notebook, or a folder of them) and show what is wrong."""
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
        if watch:
            from ..watch import watch as watch_loop

            last = watch_loop(session, submission, settings.lang)
            sys.exit(EXIT_PASSED if last.all_passed else EXIT_FAILED)
        with session.stored_answers(session.select(exercise_ids)):
            result = session.grade(submission)
    sys.exit(emit(result, output_format, settings.lang))
