"""`grader validate [EXERCISE]...`: check the exercise suite itself (grader/suite_validation.py).

Exit 0 when everything holds, 1 when something does not, 2 on a spec error.
"""

from __future__ import annotations

import sys

import click

from ..messages import render
from . import EXIT_FAILED, EXIT_PASSED, Settings, fail_usage
from .options import lang_option


@click.command("validate")
@click.argument("exercise_ids", nargs=-1, metavar="[EXERCISE]...")
@click.option("--seed", type=int, default=None, help="Seed of the drawn inputs (default: fixed).")
@lang_option
@click.pass_obj
def validate_command(settings: Settings, exercise_ids: tuple[str, ...], seed: int | None) -> None:
    """Check the exercise suite itself: reference full marks, mistakes caught, checks can fail.

    Exit 0 when everything holds, 1 when something does not, 2 on a spec error.
    """
    from ..engine import Options
    from ..session import instructor_secret, open_session
    from ..spec import SpecError
    from ..suite_validation import exercise_lines, summary_lines, validate

    lang = settings.lang
    try:
        public = open_session(settings.exercises, seed=seed, private=False,
                              options=Options(exercises=exercise_ids))
        secret = instructor_secret(public.exercise_set) if seed is None else None
    except SpecError as exc:
        fail_usage(exc, lang)
    # the instructor's inputs must hold up too, when there are any
    sessions = [public] + ([public.on_private_inputs(secret)] if secret is not None else [])
    ok = True
    for session in sessions:
        if session.secret is not None:
            click.echo("\n" + render("validate.private", {"fingerprint": session.secret.fingerprint}, lang))
        elif len(sessions) > 1:
            click.echo(render("validate.public", {"seed": session.seed}, lang))
        result = validate(session, exercise_ids,
                          progress=lambda report: click.echo("\n".join(exercise_lines(report, lang))),
                          coverage=session.secret is None)  # the public inputs say it: once is enough
        click.echo("\n".join(["", *summary_lines(result, lang)]))
        ok = ok and result.ok
    sys.exit(EXIT_PASSED if ok else EXIT_FAILED)
