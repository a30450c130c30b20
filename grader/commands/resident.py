"""`grader resident status|stop`: the resident graders that serve this user's checks warm.

What a resident grader is and when one starts: grader/resident. `status` lists the ones that
answer (exit 1 when none does); `stop` stops them all (a check afterwards starts afresh).
"""

from __future__ import annotations

import sys
import time

import click

from ..messages import text
from . import EXIT_FAILED, Settings


@click.group("resident")
def resident_command() -> None:
    """The resident graders that keep `grader check` warm between checks."""


@resident_command.command("status")
@click.pass_obj
def resident_status(settings: Settings) -> None:
    """List this user's resident graders (exit 1 when none is running)."""
    from ..resident import client, place

    found = client.residents()
    if not found:
        click.echo(text("resident.none", settings.lang).format(
            setting=place.ENV, state=_setting(settings.lang)))
        sys.exit(EXIT_FAILED)
    for _, status in found:
        started = status.get("started")
        minutes = (time.time() - started) / 60 if isinstance(started, (int, float)) else 0.0
        click.echo(text("resident.line", settings.lang).format(
            pid=_number(status.get("pid")), served=_number(status.get("served")),
            sessions=_number(status.get("sessions")), minutes=f"{max(minutes, 0.0):.0f}"))


@resident_command.command("stop")
@click.pass_obj
def resident_stop(settings: Settings) -> None:
    """Stop every resident grader of this user."""
    from ..resident import client

    click.echo(text("resident.stopped", settings.lang).format(count=client.stop_all()))


def _number(value: object) -> str:
    """A count from a resident grader's reply (ours, but printed only as a number)."""
    return str(value) if type(value) is int else "?"


def _setting(lang: str) -> str:
    import os

    from ..resident import place

    if not place.supported():
        return text("resident.unsupported", lang)
    value = os.environ.get(place.ENV, "auto")
    return text("resident.setting", lang).format(value=value)
