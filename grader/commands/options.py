"""Options shared by several commands, each added by one decorator.

- the sandbox options of `grader check` and `grader grade`, added without naming them in the
  command's own signature: `--memory-limit`, `--strict-sandbox` (exit 2 when some layer cannot
  be applied here) and the hidden `--no-sandbox` (for measuring the sandbox's cost only);
  `sandbox_limits()` reads back the worker limits they asked for;
- `--time-limit SECONDS`: a positive, finite number (0, a negative number, inf or nan is a
  usage error: there is no "no limit");
- `--lang` after a command's name (`grader check f.py --lang zh`), as before it;
- the SUBMISSION argument of `grader check`: a .py file, a .ipynb notebook or a folder, else a
  one-line usage error (exit 2).
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

import click

from ..messages import render, text
from ..run.policy import DEFAULT_MEMORY_MB, Limits, SandboxUnavailable, require_full_sandbox
from . import Settings, fail_usage

if TYPE_CHECKING:
    from ..spec import Assignment, ExerciseSet

_KEY = "grader.limits"
#: a click command function, before and after an option is added to it
Command = TypeVar("Command", bound=Callable[..., object])


def sandbox_options(command: Callable[..., None]) -> Callable[..., None]:
    """Add --memory-limit, --strict-sandbox and --no-sandbox; `sandbox_limits` reads them back."""

    @click.option("--memory-limit", type=click.IntRange(min=16), default=None, metavar="MB",
                  help=f"Memory the student's code may allocate (default: {DEFAULT_MEMORY_MB}).")
    @click.option("--strict-sandbox", is_flag=True,
                  help="Refuse to grade unless every sandbox layer is active.")
    @click.option("--no-sandbox", is_flag=True, hidden=True,
                  help="Run workers without the kernel sandbox (for measuring its cost only).")
    @functools.wraps(command)
    def wrapper(*args: object, **kwargs: object) -> None:
        ctx = click.get_current_context()
        lang = getattr(ctx.obj, "lang", "en")
        memory = kwargs.pop("memory_limit")  # click's IntRange: an int or None
        ctx.meta[_KEY] = limits_from_options(memory if isinstance(memory, int) else None,
                                             kwargs.pop("strict_sandbox") is True, kwargs.pop("no_sandbox") is True,
                                             lang)
        return command(*args, **kwargs)

    return wrapper


def sandbox_limits() -> Limits:
    """The worker limits the running command's sandbox options asked for."""
    limits = click.get_current_context().meta.get(_KEY)
    return limits if isinstance(limits, Limits) else Limits()


def limits_from_options(memory_limit: int | None, strict_sandbox: bool, no_sandbox: bool,
                        lang: str) -> Limits:
    """The worker limits asked for; exits 2 when --strict-sandbox cannot be honoured here."""
    if strict_sandbox:
        try:
            require_full_sandbox()
        except SandboxUnavailable as exc:
            fail_usage(render("sandbox.refused", {"missing": str(exc)}, lang))
    return Limits(memory_mb=memory_limit or DEFAULT_MEMORY_MB, sandbox=not no_sandbox)


#: the longest --time-limit accepted: a day (a larger one is a typo, not a wish)
MAX_TIME_LIMIT = 86_400.0


def _lang(ctx: click.Context | None) -> str:
    return getattr(ctx.obj, "lang", "en") if ctx is not None else "en"


class Seconds(click.FloatRange):
    """A positive, finite number of seconds, at most MAX_TIME_LIMIT (Click's range, which lets
    nan through, with nan refused too)."""

    name = "seconds"

    def __init__(self) -> None:
        super().__init__(min=0.0, max=MAX_TIME_LIMIT, min_open=True, clamp=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(text("usage.not_finite", _lang(ctx)).format(value=value), param, ctx)
        return number


def time_limit_option(command: Command) -> Command:
    """Add --time-limit SECONDS (> 0; default: each exercise's own limit)."""
    return click.option("--time-limit", type=Seconds(), default=None, metavar="SECONDS",
                        help="Time limit per exercise, more than 0 seconds "
                             "(default: each exercise's own).")(command)


def _set_lang(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None and isinstance(ctx.obj, Settings):
        ctx.obj.lang = value
        ctx.obj.lang_explicit = True


def lang_option(command: Command) -> Command:
    """Accept --lang after the command's name too: it sets the language of the whole run."""
    return click.option("--lang", type=click.Choice(["en", "zh"]), default=None, expose_value=False,
                        is_eager=True, callback=_set_lang,
                        help="Language of the feedback (the same as before the command).")(command)


def _submission(ctx: click.Context, _param: click.Parameter, value: Path) -> Path:
    from ..submission.files import SOURCE_SUFFIXES

    if not value.is_dir() and value.suffix not in SOURCE_SUFFIXES:
        fail_usage(text("usage.not_submission", _lang(ctx)).format(path=click.format_filename(value)))
    return value


def submission_argument(command: Command) -> Command:
    """The SUBMISSION argument: an existing .py file, .ipynb notebook or folder of them."""
    return click.argument("submission", type=click.Path(exists=True, path_type=Path),
                          callback=_submission)(command)


def _folder(ctx: click.Context, _param: click.Parameter, value: Path) -> Path:
    if not value.is_dir():
        fail_usage(text("usage.not_folder", _lang(ctx)).format(path=click.format_filename(value)))
    return value


def folder_argument(name: str) -> Callable[[Command], Command]:
    """An argument that must be an existing folder (a file or a device is a one-line error)."""
    return click.argument(name, type=click.Path(exists=True, file_okay=False, path_type=Path),
                          callback=_folder)


def assignment_option(command: Command) -> Command:
    """Add --assignment ID: the exercises, total and deadline of one assignment of the set."""
    return click.option("--assignment", "assignment_id", default=None, metavar="ID",
                        help="Only this assignment's exercises (`grader list --assignments`).")(command)


def chosen_assignment(exercise_set: ExerciseSet, assignment_id: str | None, lang: str,
                      *selections: tuple[object, ...]) -> Assignment | None:
    """The assignment of --assignment (None without it); exit 2 on an unknown id (naming the
    known ones) or when -e/--chapter also choose exercises."""
    from ..spec import SpecError

    if assignment_id is None:
        return None
    if any(selections):
        fail_usage(text("assignment.with_exercises", lang))
    try:
        return exercise_set.assignment(assignment_id)
    except SpecError as exc:
        fail_usage(exc, lang)
