"""The user-facing commands, one module per command or group; grader/cli.py registers them.

A command parses its options, calls the module that does the work (the session, the engine, a
tool such as grader.batch or grader.pack), prints through the message catalogue, and exits with
one of the codes below, the same for every command:

- 0 (`EXIT_OK`): done; for `check` and `validate`: everything passed;
- 1 (`EXIT_FAILED`): done, and something did not pass (`check`, `validate`, `doctor`), or there
  is nothing to show (`secret show` without a secret);
- 2 (`EXIT_USAGE`): a usage or spec error, said on stderr as `grader: …`;
- 130 (`EXIT_INTERRUPTED`): `grade` stopped by Ctrl-C or SIGTERM, what it graded kept.

Importing this package (and every command module) stays light: click and the message catalogue;
the stages are imported when a command runs.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn, Protocol

import click

from ..messages import render
from ..spec import SpecError

EXIT_OK = EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

if TYPE_CHECKING:
    from ..engine import Options
    from ..session import GradingSession


class SessionSource(Protocol):
    """Where `grader check` gets its session when it does not open one: a resident grader's
    warm sessions (grader.resident.server.WarmSessions)."""

    def session(self, exercises: str | None, seed: int | None, options: Options) -> GradingSession:
        """The kept session for these (opened now if none is kept), set to `options`."""


class Settings:
    """The group's own options, handed to every command (`@click.pass_obj`)."""

    def __init__(self, exercises: str | None, lang: str, lang_explicit: bool = False,
                 sessions: SessionSource | None = None) -> None:
        #: --exercises / $GRADER_EXERCISES: the exercise set (None: the installed one)
        self.exercises = exercises
        self.lang = lang
        #: whether `--lang` was given (not taken from the environment, a config file or the locale)
        self.lang_explicit = lang_explicit
        #: kept sessions to check in (a resident grader's); None: each command opens its own
        self.sessions = sessions


def fail_usage(problem: Exception | str, lang: str = "en") -> NoReturn:
    """Say a usage or spec error on stderr and exit 2; the session's errors in `lang`."""
    click.echo(f"grader: {usage_message(problem, lang)}", err=True)
    sys.exit(EXIT_USAGE)


def usage_message(problem: Exception | str, lang: str) -> str:
    """The words of a usage error: one with a message code in `lang` (grader.spec.SpecError),
    after the file and key it is at; a spec error on one line, whatever its facts hold."""
    if not isinstance(problem, SpecError):
        return str(problem)
    if problem.code is None:
        return " ".join(str(problem).split("\n"))
    words = render(problem.code, dict(problem.facts), lang)
    return " ".join((f"{problem.where}: {words}" if problem.where else words).split("\n"))
