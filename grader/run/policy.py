"""The limits a worker runs under, as the grader decides them, and the check for --strict-sandbox.

Wall-clock limits are enforced by the grader from outside (per exercise and for the import);
what is here travels to the worker and is applied by the kernel inside it (grader.sandbox).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_MEMORY_MB = 2048
DEFAULT_FILE_MB = 64


@dataclass(frozen=True)
class Limits:
    """What a submission's worker may use. The CPU limit is per worker (one per submission)."""

    memory_mb: int | None = DEFAULT_MEMORY_MB
    cpu_seconds: int | None = None  # None: the exercises' time limits added up, plus the import
    file_mb: int | None = DEFAULT_FILE_MB
    sandbox: bool = True


class SandboxUnavailable(Exception):
    """--strict-sandbox was asked for and some layer cannot be applied on this machine."""

    def __init__(self, missing: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k} ({v})" for k, v in missing.items()))
        self.missing = missing


def worker_policy(limits: Limits, hidden: list[str], cpu_seconds: float) -> dict[str, Any]:
    """The policy dict the worker hands to grader.sandbox.enter_from_dict."""
    return {
        "enabled": limits.sandbox,
        "hidden": hidden,
        "memory_bytes": limits.memory_mb * 1024**2 if limits.memory_mb else None,
        "cpu_seconds": int(limits.cpu_seconds or max(10, round(cpu_seconds))),
        "file_bytes": limits.file_mb * 1024**2 if limits.file_mb else None,
    }


def require_full_sandbox() -> None:
    """Raise SandboxUnavailable unless every layer of grader.sandbox is available here."""
    from .. import sandbox

    missing = {name: status.detail for name, status in sandbox.probe().items() if not status.available}
    if missing:
        raise SandboxUnavailable(missing)
