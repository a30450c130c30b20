"""The resident grader's messages: one JSON object each, after its length (4 bytes, big-endian).

Arguments, paths and environment values may hold bytes that are not UTF-8 (a file name on Linux):
they travel as the surrogate-escaped strings Python gives them, which JSON's \\u escapes keep.
What a check prints travels as base64 of the bytes it wrote, so nothing is re-encoded on the way.
"""

from __future__ import annotations

import base64
import json
import socket
import struct
from typing import Any

#: the largest message either side accepts (a check's report is a few kB; a request less)
MAX_MESSAGE = 16 * 1024 * 1024
_LENGTH = struct.Struct(">I")


class WireError(Exception):
    """The other side closed, sent too much, or sent something that is not a message."""


def send(sock: socket.socket, message: dict[str, Any]) -> None:
    data = json.dumps(message).encode("ascii")
    if len(data) > MAX_MESSAGE:
        raise WireError("message too large")
    sock.sendall(_LENGTH.pack(len(data)) + data)


def _exactly(sock: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise WireError("connection closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def receive(sock: socket.socket) -> dict[str, Any]:
    (size,) = _LENGTH.unpack(_exactly(sock, _LENGTH.size))
    if size > MAX_MESSAGE:
        raise WireError("message too large")
    try:
        message = json.loads(_exactly(sock, size))
    except ValueError as exc:
        raise WireError("not a message") from exc
    if not isinstance(message, dict):
        raise WireError("not a message")
    return message


def pack_bytes(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unpack_bytes(text: object) -> bytes:
    if not isinstance(text, str):
        raise WireError("not bytes")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise WireError("not bytes") from exc
