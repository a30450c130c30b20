"""The sandbox options shared by `grader check` and `grader grade`, and the limits they give.

One decorator adds them, so a command takes them without naming them in its own signature:
`--memory-limit`, `--strict-sandbox` (exit 2 when some layer cannot be applied here) and the
hidden `--no-sandbox` (for measuring the sandbox's cost only); `sandbox_limits()` reads back the
worker limits they asked for.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import click

from ..messages import render
from ..run.policy import DEFAULT_MEMORY_MB, Limits, SandboxUnavailable, require_full_sandbox
from . import fail_usage

_KEY = "grader.limits"


def sandbox_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --memory-limit, --strict-sandbox and --no-sandbox; `sandbox_limits` reads them back."""

    @click.option("--memory-limit", type=click.IntRange(min=16), default=None, metavar="MB",
                  help=f"Memory the student's code may allocate (default: {DEFAULT_MEMORY_MB}).")
    @click.option("--strict-sandbox", is_flag=True,
                  help="Refuse to grade unless every sandbox layer is active.")
    @click.option("--no-sandbox", is_flag=True, hidden=True,
                  help="Run workers without the kernel sandbox (for measuring its cost only).")
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        lang = getattr(ctx.obj, "lang", "en")
        ctx.meta[_KEY] = limits_from_options(kwargs.pop("memory_limit"), kwargs.pop("strict_sandbox"),
                                             kwargs.pop("no_sandbox"), lang)
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
