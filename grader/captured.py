"""What a submission printed, cut to size the one way every stage cuts it: whole lines, the
first ones and the last ones, and a line in between that says how many were left out.

The worker cuts what one reply carries (grader.run.worker), the engine what a result keeps
(grader.engine), a reporter what it shows (the terminal its first and last lines). Each cut
writes the same marker line, `[… 37 more lines …]`, and counts the lines of markers already
in the text it cuts, so the number said is the number left out from the start. A reporter
recognises the marker (`omitted`) and says it in the reader's language. A submission that
prints such a line itself only has its own line reworded.
"""

from __future__ import annotations

import os
import re
from typing import BinaryIO

_MARKER = re.compile(r"\[… (\d+) more lines? …\]")
#: a line longer than a cut's share is cut too, and ends with this
LINE_CUT = " …"


def omission(count: int) -> str:
    """The marker line of `count` lines left out."""
    return f"[… {count} more line{'' if count == 1 else 's'} …]"


def omitted(line: str) -> int | None:
    """How many lines a marker line stands for; None for any other line."""
    match = _MARKER.fullmatch(line)
    return int(match.group(1)) if match else None


def _lines_worth(lines: list[str]) -> int:
    return sum(omitted(line) or 1 for line in lines)


def _take(lines: list[str], count: int, chars: int) -> list[str]:
    """The first lines of `lines`, at most `count` and `chars` characters (with line ends); a
    first line longer than `chars` is itself cut, so that something of it shows."""
    taken: list[str] = []
    used = 0
    for line in lines[:count]:
        if used + len(line) + 1 > chars:
            if not taken and chars > len(LINE_CUT):
                taken.append(line[:chars - len(LINE_CUT)] + LINE_CUT)
            break
        taken.append(line)
        used += len(line) + 1
    return taken


def keep_ends(text: str, max_lines: int | None = None, max_chars: int | None = None) -> str:
    """`text` itself when it fits in `max_lines` lines and `max_chars` characters; else its
    first and last whole lines (about half the room each) around a marker of what is left out."""
    end = "\n" if text.endswith("\n") else ""
    lines = text[:-1].split("\n") if end else text.split("\n")
    too_many = max_lines is not None and len(lines) > max_lines
    too_long = max_chars is not None and len(text) > max_chars
    if not (too_many or too_long):
        return text
    room = max(2, max_lines) - 1 if max_lines is not None else len(lines)
    chars = max(2 * len(LINE_CUT) + 2, (max_chars if max_chars is not None else len(text)) - 40)
    head = _take(lines, (room + 1) // 2, chars // 2)
    rest = lines[len(head):]
    tail = _take(rest[::-1], room // 2, chars - chars // 2)[::-1]
    count = _lines_worth(rest[:len(rest) - len(tail)])
    marker = [omission(count)] if count else []
    return "\n".join([*head, *marker, *tail]) + end


def _newlines_between(handle: BinaryIO, start: int, stop: int) -> int:
    """How many line ends the bytes [start, stop) of `handle` hold, read a chunk at a time."""
    handle.seek(start)
    count, left = 0, stop - start
    while left > 0:
        chunk = handle.read(min(left, 1 << 20))
        if not chunk:
            break
        count += chunk.count(b"\n")
        left -= len(chunk)
    return count


def read_span(handle: BinaryIO, start: int, end: int, max_bytes: int) -> str:
    """The text between two offsets of a capture file, cut the same way as `keep_ends` without
    reading it all into memory: past `max_bytes`, its whole first and last lines (half each)
    around a marker that counts the lines wholly left out. A first or last line longer than its
    half keeps its end, marked as cut."""
    handle.seek(start)
    if end - start <= max_bytes:
        return handle.read(end - start).decode("utf-8", errors="replace")
    half = max(1, max_bytes // 2)
    head = handle.read(half)
    handle.seek(end - half)
    tail = handle.read(half)
    cut = LINE_CUT.encode()
    head_end = head.rfind(b"\n") + 1  # 0: the first line alone is longer than half
    kept_head = head[:head_end] if head_end else head + cut + b"\n"
    first_end = tail.find(b"\n")
    whole_tail = 0 <= first_end < len(tail) - 1  # else the last line alone is longer than half
    kept_tail = tail[first_end + 1:] if whole_tail else cut.strip() + b" " + tail
    between_start = start + (head_end or half)
    between_stop = end - half + (first_end + 1 if whole_tail else 0)
    # the lines wholly between: a cut first line ends in there
    left_out = _newlines_between(handle, between_start, between_stop) - (0 if head_end else 1)
    marker = (omission(left_out) + "\n").encode() if left_out > 0 else b""
    return (kept_head + marker + kept_tail).decode("utf-8", errors="replace")


def read_ends(path: str | os.PathLike[str], max_bytes: int) -> str:
    """A whole capture file, cut as `read_span` cuts."""
    with open(path, "rb") as handle:
        return read_span(handle, 0, os.fstat(handle.fileno()).st_size, max_bytes)
