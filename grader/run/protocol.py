"""Length-prefixed messages over a stream socket, with a size cap and a deadline.

Both ends use it; the grader's end treats everything it reads as hostile (see grader.codec).
"""

from __future__ import annotations

import socket
import struct
import time
from typing import Any

from .. import codec

_LENGTH = struct.Struct("<Q")
#: a reply larger than this is refused unread: no student can make the grader allocate more
MAX_MESSAGE_BYTES = 512 * 1024 * 1024


class ProtocolError(Exception):
    """The other end sent something that is not a well-formed message."""


class Deadline(Exception):
    """The other end did not answer in time."""


def send(sock: socket.socket, obj: Any) -> None:
    payload = codec.encode(obj)
    sock.sendall(_LENGTH.pack(len(payload)) + payload)


def _recv_exact(sock: socket.socket, size: int, deadline: float | None) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Deadline()
            sock.settimeout(remaining)
        else:
            sock.settimeout(None)
        try:
            chunk = sock.recv(min(size - len(chunks), 1 << 20))
        except socket.timeout:
            raise Deadline() from None
        if not chunk:
            raise EOFError("connection closed")
        chunks += chunk
    return bytes(chunks)


def recv(sock: socket.socket, deadline: float | None = None,
         max_bytes: int = MAX_MESSAGE_BYTES) -> Any:
    (length,) = _LENGTH.unpack(_recv_exact(sock, _LENGTH.size, deadline))
    if length > max_bytes:
        raise ProtocolError(f"message of {length} bytes is over the {max_bytes}-byte cap")
    try:
        return codec.decode(_recv_exact(sock, length, deadline))
    except codec.CodecError as exc:
        raise ProtocolError(str(exc)) from None
