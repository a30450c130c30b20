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

import re

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
