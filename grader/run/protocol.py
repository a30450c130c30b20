"""Length-prefixed messages over a stream (a socket, or a worker's pipes), with a size cap and a
deadline.

Both ends use it; the grader's end treats everything it reads as hostile (see grader.codec). The
caps below are what one message may cost the reader, whatever the other end claims: the length
prefix is checked before a byte of the message is read, and decoding is bounded by grader.codec.
"""

from __future__ import annotations

import socket
import struct
import time
from typing import Any, Protocol

from .. import codec

_LENGTH = struct.Struct("<Q")
#: a message longer than this is refused unread. It holds one reply at its largest (the worker's
#: budget: MAX_REPLY_ELEMENTS float64 entries and MAX_REPLY_HEADER bytes of the rest) with room
#: to spare, and is what the grader can afford to hold, twice, while it decodes
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
#: array elements one message may hold in all (a reply's budget is 5 000 000)
MAX_MESSAGE_ELEMENTS = 8_000_000


class ProtocolError(Exception):
    """The other end sent something that is not a well-formed message."""


class Deadline(Exception):
    """The other end did not answer in time."""


class Stream(Protocol):
    """What a message travels over: a connected stream socket (the fork worker's) or the pipe
    channels of grader.run.channel (the portable worker's). A timeout raises TimeoutError."""

    def sendall(self, data: bytes, /) -> None: ...

    def settimeout(self, value: float | None, /) -> None: ...

    def recv_into(self, buffer: memoryview, nbytes: int, /) -> int: ...

    def close(self) -> None: ...


def call_cases(cases: list[dict[str, Any]]) -> dict[str, Any]:
    """A call request's cases ({"args": [...], "kwargs": {...}} each) as the request carries
    them: as columns, one list per argument, when every case passes the same arguments (each
    array argument then crosses as one block, grader.codec's stack); else as they are."""
    args = [case.get("args", []) for case in cases]
    kwargs = [case.get("kwargs", {}) for case in cases]
    if not cases:
        return {"cases": cases}
    positional, names = len(args[0]), list(kwargs[0])
    if any(len(a) != positional or list(k) != names for a, k in zip(args, kwargs, strict=True)):
        return {"cases": cases}
    return {"count": len(cases), "args": [[a[i] for a in args] for i in range(positional)],
            "kwargs": {name: [k[name] for k in kwargs] for name in names}}


def request_cases(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The cases of a call request, in either form `call_cases` sends (the worker's end)."""
    if "cases" in request:
        return request["cases"]
    args, kwargs = request["args"], request["kwargs"]
    return [{"args": [column[i] for column in args], "kwargs": {name: column[i] for name, column in kwargs.items()}}
            for i in range(request["count"])]


def send(sock: Stream, obj: object) -> None:
    send_encoded(sock, codec.encode(obj))


def send_encoded(sock: Stream, payload: bytes) -> None:
    """Send a message already encoded by grader.codec (a request the run has sent before)."""
    sock.sendall(_LENGTH.pack(len(payload)) + payload)


def _recv_exact(sock: Stream, size: int, deadline: float | None) -> bytearray:
    """Exactly `size` bytes, read into one buffer (no growing copies of a large message)."""
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Deadline()
            sock.settimeout(remaining)
        else:
            sock.settimeout(None)
        try:
            count = sock.recv_into(view[got:], min(size - got, 1 << 20))
        except socket.timeout:
            raise Deadline() from None
        if not count:
            raise EOFError("connection closed")
        got += count
    return buffer


def recv(sock: Stream, deadline: float | None = None,
         max_bytes: int = MAX_MESSAGE_BYTES) -> Any:
    (length,) = _LENGTH.unpack(_recv_exact(sock, _LENGTH.size, deadline))
    if length > max_bytes:
        raise ProtocolError(f"message of {length} bytes is over the {max_bytes}-byte cap")
    try:
        return codec.decode(_recv_exact(sock, length, deadline),
                            max_elements=MAX_MESSAGE_ELEMENTS)
    except codec.CodecError as exc:
        raise ProtocolError(str(exc)) from None
    except MemoryError:  # within the caps, but more than this process has left
        raise ProtocolError(f"a message of {length} bytes does not fit in memory") from None
