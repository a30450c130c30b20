"""The portable worker's pipes as a `protocol.Stream`: the same messages as over a socket.

A pipe cannot be waited on with a timeout everywhere (Windows has no `select` on pipes), so the
grader's end reads in a thread of its own and hands bytes over under a condition variable; the
thread reads ahead at most `READ_AHEAD` bytes, so a worker flooding its pipe costs the grader
that much memory, never more. Writes go through a short-lived thread too, so a worker that
stops reading cannot block the grader past `SEND_SECONDS`. The worker's end is plain blocking
reads and writes. The same code runs on every platform, so the Linux tests exercise Windows's.
"""

from __future__ import annotations

import os
import sys
import threading
import time

#: bytes the grader's reading thread may hold that nobody asked for yet
READ_AHEAD = 1 << 20
#: how long a write to a worker may block before the worker counts as not answering
SEND_SECONDS = 60.0


def binary(fd: int) -> None:
    """Windows opens inherited descriptors in text mode, which would turn b"\\n" into b"\\r\\n"."""
    if sys.platform == "win32":
        import msvcrt

        msvcrt.setmode(fd, os.O_BINARY)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class WorkerEnd:
    """The worker's end: blocking reads from the grader, blocking writes to it."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd, self.write_fd = read_fd, write_fd

    def sendall(self, data: bytes, /) -> None:
        write_all(self.write_fd, data)

    def settimeout(self, value: float | None, /) -> None:
        """The worker waits for the grader as long as it takes (as over its socket)."""

    def recv_into(self, buffer: memoryview, nbytes: int, /) -> int:
        data = os.read(self.read_fd, nbytes)
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        for fd in (self.read_fd, self.write_fd):
            try:
                os.close(fd)
            except OSError:
                pass


class GraderEnd:
    """The grader's end: a reading thread (see the module's docstring) and timed writes.

    `recv_into` returns 0 at the end of the stream (the worker died or closed it), like a
    socket, and raises TimeoutError when nothing came within the timeout last set."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd, self.write_fd = read_fd, write_fd
        self._timeout: float | None = None
        self._buffer = bytearray()
        self._eof = False
        self._closed = False
        self._ready = threading.Condition()
        self._reader = threading.Thread(target=self._read, name="grader-worker-pipe", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            with self._ready:
                while len(self._buffer) >= READ_AHEAD and not self._closed:
                    self._ready.wait()
                if self._closed:
                    return
            try:
                chunk = os.read(self.read_fd, READ_AHEAD)
            except OSError:
                chunk = b""
            with self._ready:
                if not chunk:
                    self._eof = True
                    self._ready.notify_all()
                    return
                self._buffer += chunk
                self._ready.notify_all()

    def settimeout(self, value: float | None, /) -> None:
        self._timeout = value

    def recv_into(self, buffer: memoryview, nbytes: int, /) -> int:
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        with self._ready:
            while not self._buffer and not self._eof:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError("the worker did not answer in time")
                self._ready.wait(remaining)
            count = min(nbytes, len(self._buffer), len(buffer))
            buffer[:count] = self._buffer[:count]
            del self._buffer[:count]
            self._ready.notify_all()
            return count

    def sendall(self, data: bytes, /) -> None:
        failure: list[OSError] = []

        def write() -> None:
            try:
                write_all(self.write_fd, data)
            except OSError as exc:
                failure.append(exc)

        writer = threading.Thread(target=write, name="grader-worker-send", daemon=True)
        writer.start()
        writer.join(SEND_SECONDS)
        if writer.is_alive():
            raise TimeoutError("the worker stopped reading its requests")
        if failure:
            raise failure[0]

    def close(self) -> None:
        """Stop reading (the worker is dead or killed: its end is closed, so the thread ends).
        Closing twice is harmless (never closes a descriptor number reused meanwhile)."""
        with self._ready:
            if self._closed:
                return
            self._closed = True
            self._buffer.clear()
            self._ready.notify_all()
        try:
            os.close(self.write_fd)
        except OSError:
            pass
        self._reader.join(5.0)
        if not self._reader.is_alive():
            try:
                os.close(self.read_fd)
            except OSError:
                pass
