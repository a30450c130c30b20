"""The resident grader: serves `grader check` requests from warm grading sessions.

    python -m grader.resident.server KEY [WARM.json]    (grader.resident.client starts it)

It listens on the user's socket for KEY (grader.resident.place), runs each forwarded command
line through the same Click commands as a `grader` process would, with the request's working
folder, environment and terminal, and sends back what the command printed and its exit code.
Only the session is not opened afresh: `WarmSessions` hands `grader check` the one it kept.

It quits when its own code changes (the request is then answered "stale" and the client checks
by itself), when told to (`grader resident stop`), after idling (GRADER_RESIDENT_IDLE), on
SIGTERM, and after any error of its own: a fresh process is never wrong where it could be.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import signal
import socket
import struct
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import place, wire

if TYPE_CHECKING:
    from ..engine import Options
    from ..session import GradingSession

#: sessions kept at once (a student switching between two exercise sets, or two seeds)
MAX_SESSIONS = 2


def _stamp(folders: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """Every file under `folders` with its mtime and size: what a change of code would change
    (~2 ms for the grader's ~200 files, before every check)."""
    entries = []
    for folder in folders:
        for top, directories, files in os.walk(folder):
            directories[:] = sorted(d for d in directories if d != "__pycache__")
            for name in sorted(files):
                path = os.path.join(top, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                entries.append((path, info.st_mtime_ns, info.st_size))
    return tuple(entries)


def _grader_code() -> list[Path]:
    return [Path(__file__).resolve().parent.parent]


def _exercise_set_folders(session: GradingSession) -> list[Path]:
    exercise_set = session.exercise_set
    folders = [exercise_set.root, exercise_set.reference_dir, exercise_set.drivers_dir, exercise_set.expected_dir]
    return sorted({Path(f).resolve() for f in folders if f is not None})


class Warmed(Exception):
    """Raised where a warming request would start grading: its session is ready."""


class WarmSessions:
    """The resident grader's sessions, by what opened them; `grader check` asks here (its
    Settings.sessions) instead of opening one. A session whose exercise set changed on disk
    is closed and opened again."""

    def __init__(self) -> None:
        self.sessions: dict[str, tuple[GradingSession, tuple[tuple[str, int, int], ...]]] = {}
        #: opening a session for a request that is not graded (`Server.warm`): stop right there
        self.warming = False

    def session(self, exercises: str | None, seed: int | None, options: Options) -> GradingSession:
        import dataclasses

        from ..session import open_session

        opened_with = dataclasses.replace(options, exercises=())
        key = json.dumps([str(Path(exercises).resolve()) if exercises else None, seed, repr(opened_with)])
        kept = self.sessions.pop(key, None)
        if kept is not None and _stamp(_exercise_set_folders(kept[0])) != kept[1]:
            kept[0].close()
            kept = None
        if kept is None:
            while len(self.sessions) >= MAX_SESSIONS:
                oldest = next(iter(self.sessions))
                self.sessions.pop(oldest)[0].close()
            session = open_session(exercises, seed=seed, options=opened_with, warm_zygote=True)
            kept = (session, _stamp(_exercise_set_folders(session)))
        self.sessions[key] = kept  # the most recently used last
        session = kept[0]
        session.select(options.exercises)  # unknown ids are refused as a fresh session refuses them
        session.options = options
        if self.warming:
            with session.stored_answers(session.select()):
                raise Warmed
        return session

    def close(self) -> None:
        for session, _ in self.sessions.values():
            session.close()
        self.sessions.clear()


class _Terminal(io.TextIOWrapper):
    """A request's stdout or stderr: written here, sent as bytes; a terminal if the client's is."""

    def __init__(self, terminal: bool, encoding: str, errors: str) -> None:
        super().__init__(io.BytesIO(), encoding=encoding, errors=errors, write_through=True)
        self._terminal = terminal

    def isatty(self) -> bool:
        return self._terminal

    def written(self) -> bytes:
        self.flush()
        buffer = self.buffer
        assert isinstance(buffer, io.BytesIO)
        return buffer.getvalue()


def _stream(request: dict[str, Any], name: str) -> _Terminal:
    facts = request.get(name)
    facts = facts if isinstance(facts, dict) else {}
    encoding, errors = facts.get("encoding"), facts.get("errors")
    encoding = encoding if isinstance(encoding, str) else "utf-8"
    errors = errors if isinstance(errors, str) else "strict"
    try:
        return _Terminal(facts.get("tty") is True, encoding, errors)
    except LookupError:  # an encoding this Python does not know
        return _Terminal(facts.get("tty") is True, "utf-8", errors)


@contextlib.contextmanager
def _as_the_client(request: dict[str, Any], stdout: _Terminal, stderr: _Terminal) -> Iterator[None]:
    """The request's environment, folder and streams, for the length of one command."""
    environ, folder = request["env"], request["cwd"]
    saved_environ, saved_folder = dict(os.environ), os.getcwd()
    saved_streams = sys.stdout, sys.stderr
    os.environ.clear()
    os.environ.update(environ)
    try:
        os.chdir(folder)
        sys.stdout, sys.stderr = stdout, stderr
        yield
    finally:
        sys.stdout, sys.stderr = saved_streams
        os.chdir(saved_folder)
        os.environ.clear()
        os.environ.update(saved_environ)


def run_command(argv: list[str], sessions: WarmSessions) -> int:
    """`grader ARGV` in this process, as the console script would run it; its exit code."""
    from ..cli import cli
    from ..commands.click_words import early_language, install

    install(early_language(argv), cli)
    try:
        cli.main(args=argv, prog_name="grader", standalone_mode=True, obj=sessions)
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    return 0


def _valid_request(request: dict[str, Any]) -> bool:
    """A forwarded check, as `client.request` makes it; anything else (another command, a
    `--watch` that would hold the resident grader forever) is refused."""
    from .client import is_check

    argv, environ, folder = request.get("argv"), request.get("env"), request.get("cwd")
    return (isinstance(argv, list) and all(isinstance(a, str) for a in argv) and is_check(argv)
            and isinstance(environ, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in environ.items())
            and isinstance(folder, str))


class Server:
    """One setup's resident grader: its lock and socket, its sessions, and the loop that answers
    one connection at a time (a second check waits in the socket's backlog)."""

    def __init__(self, key: str, folder: Path, idle: float) -> None:
        self.key, self.folder, self.idle = key, folder, idle
        self.sessions = WarmSessions()
        self.started = time.time()
        self.served = 0
        self.code = _stamp(_grader_code())
        self.listener: socket.socket | None = None
        self.address: Path | None = None

    def listen(self) -> bool:
        """Take this setup's lock and socket; False if another resident grader holds them."""
        address = place.socket_path(self.folder, self.key)
        if address is None:
            return False
        self._lock = open(place.lock_path(self.folder, self.key), "a")  # noqa: SIM115 - held for life
        deadline = time.monotonic() + 5  # a stale one answering its last request, then quitting
        while True:
            try:
                fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.05)
        with contextlib.suppress(FileNotFoundError):
            address.unlink()  # a socket left by one that died: the lock says nobody serves it
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_mask = os.umask(0o177)
        try:
            listener.bind(str(address))
        finally:
            os.umask(old_mask)
        listener.listen(16)
        self.listener, self.address = listener, address
        return True

    def warm(self, request: dict[str, Any]) -> None:
        """Open the session `request` would grade in, before anyone waits for it."""
        if _valid_request(request):
            with contextlib.suppress(Exception):  # Warmed, or an error the real request will meet
                self.handle(request, warming=True)

    def serve(self) -> None:
        assert self.listener is not None
        self.listener.settimeout(self.idle)
        while self.listener is not None:
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                return
            go_on = True
            with connection:
                if not _same_user(connection):
                    continue
                connection.settimeout(30)
                try:
                    request = wire.receive(connection)
                    connection.settimeout(None)
                    reply, go_on = self.answer(request)
                    if not go_on:  # a check started after this reply finds nobody, so starts afresh
                        self._stop_listening()
                    wire.send(connection, reply)
                except (wire.WireError, OSError):
                    pass  # that peer hung up or sent no request: the next one is served
            if not go_on:
                return

    def answer(self, request: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """The reply to `request`, and whether to serve on afterwards."""
        command = request.get("command")
        if command == "status":
            return {"kind": "status", "pid": os.getpid(), "started": self.started, "served": self.served,
                    "sessions": len(self.sessions.sessions), "python": sys.executable}, True
        if command == "stop":
            return {"kind": "stopped", "pid": os.getpid()}, False
        if command != "run" or not _valid_request(request):
            return {"kind": "refused"}, True
        if _stamp(_grader_code()) != self.code:
            return {"kind": "stale"}, False
        try:
            reply = self.handle(request)
        except BaseException:  # noqa: BLE001 - our own error: the client checks by itself, we quit
            return {"kind": "failed"}, False
        self.served += 1
        return reply, True

    def handle(self, request: dict[str, Any], warming: bool = False) -> dict[str, Any]:
        """Run the request's command line as the client would have, and what it printed."""
        stdout, stderr = _stream(request, "stdout"), _stream(request, "stderr")
        with _as_the_client(request, stdout, stderr):
            if warming:
                self.sessions.warming = True
            try:
                code = run_command(list(request["argv"]), self.sessions)
            finally:
                self.sessions.warming = False
        return {"kind": "done", "exit": code, "stdout": wire.pack_bytes(stdout.written()),
                "stderr": wire.pack_bytes(stderr.written())}

    def _stop_listening(self) -> None:
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        if self.address is not None:
            with contextlib.suppress(OSError):
                self.address.unlink()  # still ours: the lock is held until this process ends
            self.address = None

    def close(self) -> None:
        self._stop_listening()
        self.sessions.close()


def _same_user(connection: socket.socket) -> bool:
    """Linux tells who connected (SO_PEERCRED); elsewhere the folder's 0700 is the check."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return True
    try:
        _, uid, _ = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i")))
    except OSError:
        return False
    return uid == os.getuid()


def main(argv: list[str]) -> int:
    key = argv[0] if argv else ""
    folder = place.runtime_dir(os.environ)
    if folder is None or key != place.setup_key(os.environ):  # not this Python, code or setup's
        return 2
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the terminal's Ctrl+C is the client's
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # unwinds: the sessions' zygotes close
    server = Server(key, folder, place.idle_seconds(os.environ))
    try:
        if not server.listen():
            return 0
        if len(argv) > 1:
            with contextlib.suppress(OSError, ValueError):
                server.warm(json.loads(Path(argv[1]).read_text(encoding="utf-8")))
            with contextlib.suppress(OSError):
                Path(argv[1]).unlink()
        server.serve()
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
