"""`grader pack OUT_DIR`: the student pack (the work: grader/pack/build.py), and the course
secret the instructor's grades then use. Exit codes: 0 done, 2 a usage or spec error.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from ..messages import text
from ..spec import SpecError
from . import Settings, fail_usage
from .options import assignment_option, chosen_assignment


@click.command("pack")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--seed", type=int, default=None, help="Seed of the drawn inputs (default: fixed).")
@assignment_option
@click.pass_obj
def pack_command(settings: Settings, out_dir: Path, seed: int | None, assignment_id: str | None) -> None:
    """Build the student pack in OUT_DIR: the public checks, their expected answers as data.

    No reference code goes in: the reference's answers on the pack's fixed inputs are recorded
    now, and `grader check --exercises OUT_DIR` grades from them; the set's public drivers/ go in
    as they are. Hidden checks are left out; checks that need the set's trusted code are left out
    too, named, and shown to students as graded by their instructor. The pack also holds the
    student build of the grader (the grader package alone, a wheel), which `grader ci` installs.
    Since the pack reveals the answers on its inputs, the instructor's grades use private inputs:
    the course secret is created now if there is none (`grader secret`), never put in the pack.
    With --assignment the pack holds that assignment's exercises only (and its due date).
    """
    from ..pack.build import NotAPackFolder, build_pack
    from ..pack.student_build import StudentBuildError
    from ..session import open_session
    from .secret import ensure_and_tell

    lang = settings.lang
    try:  # a pack holds the public inputs (of --seed): the instructor's stay private
        session = open_session(settings.exercises, seed=seed, private=False)
        assignment = chosen_assignment(session.exercise_set, assignment_id, lang)
        if assignment is not None:  # the pack is made from that assignment's part of the set
            full = session.exercise_set
            session.exercise_set = dataclasses.replace(
                full, exercises={i: full.exercises[i] for i in assignment.exercises},
                assignments={assignment.id: assignment})
        summary = build_pack(session, out_dir)
    except NotAPackFolder:
        fail_usage(text("pack.not_empty", lang).format(path=out_dir))
    except (SpecError, StudentBuildError) as exc:
        fail_usage(exc, lang)
    for item in summary.left_out:
        click.echo(text("pack.left_out", lang).format(exercise=item.exercise, check=item.check,
                                                      reason=text(item.reason, lang)))
    click.echo(text("pack.written", lang).format(path=out_dir, exercises=summary.exercises,
                                                 checks=summary.checks, points=f"{summary.points:g}"))
    if summary.wheel is not None:
        click.echo(text("pack.wheel", lang).format(path=out_dir / summary.wheel.name))
    try:  # the instructor's grades must not be the pack's: a secret, created if there is none
        secret = ensure_and_tell(settings.exercises, session.exercise_set.root, lang)
    except SpecError as exc:
        fail_usage(exc, lang)
    click.echo(text("pack.secret", lang).format(folder=secret.folder or "$GRADER_SECRET",
                                                fingerprint=secret.fingerprint))
