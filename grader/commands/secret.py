"""`grader secret init|show|path`: the course secret that keeps the instructor's inputs private.

What the secret is and where it lives: grader/secret.py; what it changes:
docs/security-private-inputs.md. Exit codes: 0 done, 1 `show` found no secret, 2 a usage or
spec error. `ensure_and_tell` is shared with `grader pack` and `grader ci gradescope`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..messages import text
from ..spec import SpecError
from . import EXIT_FAILED, Settings, fail_usage

if TYPE_CHECKING:
    from ..secret import Secret


def _instructor_root(exercises: str | None, lang: str) -> Path:
    from ..spec.loader import locate_set

    location = locate_set(exercises)
    if location.reference_dir is None:
        fail_usage(text("secret.not_here", lang).format(root=location.root))
    return location.root


def describe(secret: Secret, lang: str) -> str:
    """One line naming the secret (never its value)."""
    if secret.folder is None:
        return text("secret.from_env", lang).format(fingerprint=secret.fingerprint)
    return text("secret.found", lang).format(source=secret.source, fingerprint=secret.fingerprint)


def pin_and_tell(exercises: str | Path | None, secret: Secret, lang: str) -> None:
    """Pin the private inputs of `secret` (what is pinned already is only read) and say where,
    with the edge cases that keep the spec's inputs."""
    from ..pinning import pin_private_inputs
    from ..plan.private import private_plans_dir
    from ..session import GradingSession

    kept = pin_private_inputs(GradingSession.load(exercises, secret=secret))
    click.echo(text("secret.pinned", lang).format(count=len(kept), folder=private_plans_dir(secret)))
    for exercise, indices in kept.items():
        for index in indices:
            click.echo(text("secret.still_public", lang).format(exercise=exercise, index=index + 1))


def ensure_and_tell(exercises: str | Path | None, root: Path, lang: str) -> Secret:
    """The set's secret, created (and said so) when there is none; its private inputs pinned."""
    from ..secret import ensure_secret

    secret, created = ensure_secret(root)
    if created:
        click.echo(text("secret.created", lang).format(folder=secret.folder, fingerprint=secret.fingerprint))
    else:
        click.echo(describe(secret, lang))
    pin_and_tell(exercises, secret, lang)
    if secret.folder is not None:
        click.echo(text("secret.keep_out", lang).format(folder=secret.folder))
    return secret


@click.group("secret")
def secret_command() -> None:
    """The course secret: the instructor's grades use private inputs made from it."""


@secret_command.command("init")
@click.pass_obj
def secret_init(settings: Settings) -> None:
    """Create the course secret if there is none, and pin the private inputs made from it."""
    try:
        root = _instructor_root(settings.exercises, settings.lang)
        ensure_and_tell(settings.exercises, root, settings.lang)
    except SpecError as exc:
        fail_usage(exc, settings.lang)


@secret_command.command("show")
@click.option("--value", is_flag=True,
              help="Print the secret itself (for a CI job's $GRADER_SECRET), nothing else.")
@click.pass_obj
def secret_show(settings: Settings, value: bool) -> None:
    """Say where the course secret is and its fingerprint (exit 1 when there is none)."""
    from ..secret import find_secret, private_folder

    try:
        root = _instructor_root(settings.exercises, settings.lang)
        secret = find_secret(root)
    except SpecError as exc:
        fail_usage(exc, settings.lang)
    if secret is None:
        click.echo(text("secret.none", settings.lang).format(root=root, folder=private_folder(root)),
                   err=True)
        sys.exit(EXIT_FAILED)
    click.echo(secret.key.hex() if value else describe(secret, settings.lang))


@secret_command.command("path")
@click.pass_obj
def secret_path(settings: Settings) -> None:
    """Print the private folder: where the secret and its pinned inputs are (or will be)."""
    from ..secret import private_folder

    try:
        click.echo(private_folder(_instructor_root(settings.exercises, settings.lang)))
    except SpecError as exc:
        fail_usage(exc, settings.lang)
