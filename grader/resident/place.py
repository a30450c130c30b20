"""Where a resident grader listens, which one serves a check, and whether one is used at all.

Imports the standard library only: the forwarding `grader` must not pay for the grader's imports.
"""

from __future__ import annotations

import hashlib
import os
import socket
import stat
import sys
from pathlib import Path
from typing import Mapping, TextIO

#: GRADER_RESIDENT: "0" never, "1" always (where the system can), "auto" (the default) when a
#: student types at a terminal: stdin and stdout are terminals and no CI variable is set
ENV = "GRADER_RESIDENT"
#: seconds a resident grader waits for a check before it quits (default 15 minutes)
IDLE_ENV = "GRADER_RESIDENT_IDLE"
IDLE_SECONDS = 15 * 60
#: a socket's path must fit sockaddr_un (108 bytes on Linux, 104 on macOS)
MAX_SOCKET_PATH = 100


def supported() -> bool:
    """Unix sockets with file permissions: Linux and macOS (Windows runs every check itself)."""
    return os.name == "posix" and hasattr(socket, "AF_UNIX")


def wanted(environ: Mapping[str, str], stdin: TextIO, stdout: TextIO) -> bool:
    """Whether this check may use (and start) a resident grader."""
    choice = environ.get(ENV, "auto").strip().lower()
    if choice in ("0", "no", "off", "false") or not supported():
        return False
    if choice in ("1", "yes", "on", "true"):
        return True
    if environ.get("CI"):
        return False
    try:
        return stdin.isatty() and stdout.isatty()
    except (AttributeError, ValueError):
        return False


def setup_key(environ: Mapping[str, str]) -> str:
    """What one resident grader is for: this Python, this grader's code, the user, and every
    GRADER_* variable (the exercise set, the worker kind, the cache, the limits): a check with
    another setup has its own resident grader."""
    grader_dir = str(Path(__file__).resolve().parent.parent)
    setup = [sys.executable, grader_dir, str(os.getuid())]
    setup += sorted(f"{k}={v}" for k, v in environ.items() if k.startswith("GRADER_") and k != IDLE_ENV)
    return hashlib.sha256("\0".join(setup).encode("utf-8", "surrogateescape")).hexdigest()[:20]


def runtime_dir(environ: Mapping[str, str]) -> Path | None:
    """The user's own folder for resident graders' sockets (created 0700), or None when there is
    none this user alone can write: $XDG_RUNTIME_DIR/grader, else /tmp/grader-UID, as tmux does."""
    base = environ.get("XDG_RUNTIME_DIR")
    folder = Path(base) / "grader" if base else Path("/tmp") / f"grader-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, parents=bool(base), exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None  # a link, someone else's, or open to others: not a place for our socket
    return folder


def socket_path(folder: Path, key: str) -> Path | None:
    path = folder / f"{key}.sock"
    return path if len(os.fsencode(path)) <= MAX_SOCKET_PATH else None


def lock_path(folder: Path, key: str) -> Path:
    return folder / f"{key}.lock"


def idle_seconds(environ: Mapping[str, str]) -> float:
    try:
        return max(0.5, float(environ.get(IDLE_ENV, IDLE_SECONDS)))
    except ValueError:
        return IDLE_SECONDS
