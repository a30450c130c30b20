"""The `grader` a student types, when a resident grader may serve it: forward a check, print the
reply; or, after checking by itself, start a resident grader for the next check.

Standard library only, and nothing else is imported before a check is forwarded: the point is
that the forwarding process costs a bare interpreter's start, not the grader's imports.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Sequence, TextIO

from . import place, wire

#: the group's options that take a value (grader.cli), before the command's name
_GROUP_VALUES = ("--exercises", "--lang")
#: a check with any of these is never forwarded: it waits on the terminal (--watch) or prints help
_NOT_FORWARDED = ("--watch", "-h", "--help")


def is_check(argv: Sequence[str]) -> bool:
    """Whether `argv` is a plain `grader [--exercises DIR] [--lang X] check ...`."""
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg in _GROUP_VALUES:
            index += 2
            continue
        if arg.startswith(tuple(f"{name}=" for name in _GROUP_VALUES)):
            index += 1
            continue
        if arg != "check":
            return False
        return not any(a in _NOT_FORWARDED or a == "--" for a in argv[index + 1:])
    return False


def _stream_facts(stream: TextIO) -> dict[str, Any]:
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):
        terminal = False
    return {"tty": terminal, "encoding": getattr(stream, "encoding", None) or "utf-8",
            "errors": getattr(stream, "errors", None) or "strict"}


def request(argv: Sequence[str]) -> dict[str, Any]:
    """What the resident grader needs to run `argv` as this process would: the arguments, the
    folder, the environment and the terminal (its width where COLUMNS does not say it)."""
    environ = dict(os.environ)
    if "COLUMNS" not in environ or "LINES" not in environ:
        size = shutil.get_terminal_size()
        environ.setdefault("COLUMNS", str(size.columns))
        environ.setdefault("LINES", str(size.lines))
    return {"command": "run", "argv": list(argv), "cwd": os.getcwd(), "env": environ,
            "stdout": _stream_facts(sys.stdout), "stderr": _stream_facts(sys.stderr)}


def _address(argv: Sequence[str]) -> tuple[Path, str, Path] | None:
    """(folder, key, socket) of the resident grader that may serve `argv`, or None where none
    may: not a check, not wanted here, or no private folder for its socket."""
    if not is_check(argv) or not place.wanted(os.environ, sys.stdin, sys.stdout):
        return None
    folder = place.runtime_dir(os.environ)
    if folder is None:
        return None
    key = place.setup_key(os.environ)
    address = place.socket_path(folder, key)
    return None if address is None else (folder, key, address)


def ask(address: Path, message: dict[str, Any], timeout: float | None = None) -> dict[str, Any] | None:
    """The resident grader's reply to `message`; None if nobody answers there."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with sock:
        try:
            sock.settimeout(timeout if timeout is not None else 2.0)
            sock.connect(str(address))
            sock.settimeout(timeout)
            wire.send(sock, message)
            return wire.receive(sock)
        except (OSError, wire.WireError):
            return None


def _write(stream: TextIO, data: bytes) -> None:
    if not data:
        return
    stream.flush()
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        buffer.write(data)
        buffer.flush()
    else:
        stream.write(data.decode(getattr(stream, "encoding", None) or "utf-8", "replace"))
        stream.flush()


def forward(argv: Sequence[str]) -> int | None:
    """The exit code of `argv` run by this setup's resident grader, its output printed here;
    None when it is to run here (no resident grader, or it could not or would not serve it)."""
    found = _address(argv)
    if found is None:
        return None
    reply = ask(found[2], request(argv))
    if reply is None or reply.get("kind") != "done" or type(reply.get("exit")) is not int:
        return None
    try:
        stdout, stderr = wire.unpack_bytes(reply.get("stdout")), wire.unpack_bytes(reply.get("stderr"))
    except wire.WireError:
        return None
    _write(sys.stdout, stdout)
    _write(sys.stderr, stderr)
    return int(reply["exit"])


#: the resident grader's start: this very grader's code first on sys.path (the check that starts
#: it may run a checkout's grader, `python -m grader` in it, while another is installed)
_SERVE = ("import sys; sys.path.insert(0, sys.argv.pop(1)); "
          "from grader.resident.server import main; sys.exit(main(sys.argv[1:]))")


def start_after(argv: Sequence[str]) -> None:
    """After a check run here: start this setup's resident grader in the background, warming
    the session of `argv`, unless one is already answering."""
    found = _address(argv)
    if found is None:
        return
    folder, key, address = found
    if ask(address, {"command": "status"}, timeout=1.0) is not None:
        return
    warm = folder / f"{key}.{os.getpid()}.warm.json"
    try:
        descriptor = os.open(warm, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(request(argv), handle)
        log = open(folder / f"{key}.log", "wb")  # noqa: SIM115 - the child's, closed here after
    except OSError:
        return
    with log, contextlib.suppress(OSError):
        subprocess.Popen([sys.executable, "-c", _SERVE, str(Path(__file__).resolve().parents[2]), key, str(warm)],
                         stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=folder,
                         start_new_session=True, close_fds=True)


def residents() -> list[tuple[Path, dict[str, Any]]]:
    """Every resident grader of this user that answers, with its status."""
    folder = place.runtime_dir(os.environ)
    if folder is None:
        return []
    found = []
    for address in sorted(folder.glob("*.sock")):
        reply = ask(address, {"command": "status"}, timeout=2.0)
        if reply is not None and reply.get("kind") == "status":
            found.append((address, reply))
    return found


def stop_all() -> int:
    """Stop every resident grader of this user; how many were stopped."""
    stopped = 0
    for address, _ in residents():
        reply = ask(address, {"command": "stop"}, timeout=5.0)
        stopped += reply is not None and reply.get("kind") == "stopped"
    return stopped
