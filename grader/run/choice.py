"""Which worker grades here: the fork worker (a zygote) or the portable one (a fresh interpreter).

The fork worker is the fast one and the default where fork is safe (Linux, and other POSIX
systems with fork). Windows has no fork; on macOS forking a process that loaded system frameworks
is unsafe (CPython's multiprocessing moved away from it there), so both get the portable worker.
`GRADER_WORKER=portable` selects it anywhere (the Linux tests run it so), `GRADER_WORKER=fork`
forces the other; any other value is refused by name.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Literal

from .client import Launcher, Zygote
from .portable import PortableLauncher

WorkerKind = Literal["fork", "portable"]
WORKER_KINDS: tuple[WorkerKind, ...] = ("fork", "portable")
#: the environment variable that chooses
VARIABLE = "GRADER_WORKER"


class UnknownWorker(ValueError):
    """GRADER_WORKER names no worker, or one this system cannot run (fork on Windows)."""

    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value


def fork_is_safe(platform: str = sys.platform, has_fork: bool = hasattr(os, "fork")) -> bool:
    return has_fork and platform not in ("win32", "darwin")


def worker_kind(environ: Mapping[str, str] | None = None, platform: str = sys.platform,
                has_fork: bool = hasattr(os, "fork")) -> WorkerKind:
    """The worker the environment asks for, else this platform's default."""
    asked = (os.environ if environ is None else environ).get(VARIABLE, "").strip().lower()
    if not asked:
        return "fork" if fork_is_safe(platform, has_fork) else "portable"
    if asked == "portable":
        return "portable"
    if asked == "fork" and has_fork:
        return "fork"
    raise UnknownWorker(asked)


def launcher(kind: WorkerKind | None = None) -> Launcher:
    """A new, not yet started launcher of the chosen kind."""
    if (kind or worker_kind()) == "portable":
        return PortableLauncher()
    return Zygote()
