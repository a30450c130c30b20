"""The sandbox options shared by `grader check` and `grader grade`, and what they turn into."""

from __future__ import annotations

import sys
from typing import Any, Callable

import click

from .messages import render
from .run.policy import DEFAULT_MEMORY_MB, Limits, SandboxUnavailable, require_full_sandbox


def sandbox_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--memory-limit, --strict-sandbox and the hidden --no-sandbox (for measuring its cost)."""
    command = click.option("--no-sandbox", is_flag=True, hidden=True,
                           help="Run workers without the kernel sandbox (for measuring its cost only).")(command)
    command = click.option("--strict-sandbox", is_flag=True,
                           help="Refuse to grade unless every sandbox layer is active.")(command)
    command = click.option("--memory-limit", type=click.IntRange(min=16), default=None, metavar="MB",
                           help=f"Memory the student's code may allocate (default: {DEFAULT_MEMORY_MB}).")(command)
    return command


def limits_from_options(memory_limit: int | None, strict_sandbox: bool, no_sandbox: bool,
                        lang: str) -> Limits:
    """The worker limits asked for; exits 2 when --strict-sandbox cannot be honoured here."""
    if strict_sandbox:
        try:
            require_full_sandbox()
        except SandboxUnavailable as exc:
            click.echo("grader: " + render("sandbox.refused", {"missing": str(exc)}, lang), err=True)
            sys.exit(2)
    return Limits(memory_mb=memory_limit or DEFAULT_MEMORY_MB, sandbox=not no_sandbox)
