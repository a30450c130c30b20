"""The console a student has: what its encoding cannot show is degraded, never the report; colours
only where the terminal takes them.

A Chinese Windows console (and output redirected there) writes GBK, which has no ✓, ✗ or emoji.
Instead of `UnicodeEncodeError` halfway through a report, each such character is written as the
first of its fallbacks the encoding can hold (`FALLBACKS`: ✓ → √ → v, ✗ → × → x, → → ->,
− → -, …); a superscript or subscript is written `^` or `_` and its letter (x⁻¹ → x^-1, wᵢ →
w_i), an accented letter without its accent (ŷ → y); an emoji or a joiner is dropped; anything
else becomes `?`. Chinese text is GBK and stays.
The rule is a codec error handler (`ERRORS`), so every write to the reconfigured streams follows
it, whoever prints.

Colour: click strips styles when the output is not a terminal; on top of that `NO_COLOR` (any
non-empty value: https://no-color.org) and `TERM=dumb` turn them off.
"""

from __future__ import annotations

import codecs
import os
import unicodedata
from collections.abc import Mapping
from typing import TextIO

#: the name of the error handler registered below
ERRORS = "grader-console"

#: each character the reports use that some consoles cannot encode, and what stands in for it,
#: best first (the first one the console's encoding holds is written)
FALLBACKS: dict[str, tuple[str, ...]] = {
    "✓": ("√", "v"),
    "✔": ("√", "v"),
    "✗": ("×", "x"),
    "✘": ("×", "x"),
    "→": ("->",),
    "←": ("<-",),
    "◦": ("o",),
    "•": ("·", "*"),
    "·": ("-",),
    "ℹ": ("i",),
    "…": ("...",),
    "–": ("-",),
    "—": ("--",),
    "“": ('"',),
    "”": ('"',),
    "‘": ("'",),
    "’": ("'",),
    "≤": ("<=",),
    "≥": (">=",),
    "≈": ("~",),
    "±": ("+/-",),
    "×": ("x",),
    "√": ("v",),
    "½": ("1/2",),
    "−": ("-",),
    "∂": ("d",),
    "↔": ("<->",),
    "≲": ("<~",),
    "≳": (">~",),
    "⁄": ("/",),
}

#: dropped where they cannot be shown: emoji, their variation selector and joiner
_DROPPED_RANGES = ((0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0xFE0E, 0xFE0F), (0x200D, 0x200D))


def _dropped(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _DROPPED_RANGES) and char not in FALLBACKS


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def stand_in(char: str, encoding: str) -> str:
    """What is written for `char` where `encoding` cannot write it (alone: see `_handler` for
    a run of superscripts)."""
    return _stand_ins(char, encoding)


def _compatible(char: str) -> tuple[str, str]:
    """(`^`, `_` or "", the plain letters) of a superscript, subscript or accented letter."""
    tag = unicodedata.decomposition(char).split(" ", 1)[0]
    mark = {"<super>": "^", "<sub>": "_"}.get(tag, "")
    plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return mark, plain if plain != char else ""


def _stand_ins(run: str, encoding: str, before: str = "") -> str:
    """`run` as `encoding` can write it; `before`: the character just before the run (an
    encoder may hand over one character at a time: x⁻¹ is still x^-1, not x^-^1)."""
    shown, previous_mark = [], _compatible(before)[0] if before else ""
    for char in run:
        mark = ""
        for candidate in FALLBACKS.get(char, ()):
            if _encodable(candidate, encoding):
                shown.append(candidate)
                break
        else:
            mark, plain = _compatible(char)
            plain = "".join(FALLBACKS.get(c, (c,))[0] for c in plain)  # ½ is 1⁄2: the slash too
            if plain and _encodable(plain, encoding):
                shown.append((mark if mark != previous_mark else "") + plain)
            elif unicodedata.combining(char) or _dropped(char):
                pass
            else:
                shown.append("?")
        previous_mark = mark
    return "".join(shown)


def _handler(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    before = error.object[error.start - 1] if error.start else ""
    return _stand_ins(error.object[error.start:error.end], error.encoding or "ascii", before), error.end


codecs.register_error(ERRORS, _handler)


def degrade(text: str, encoding: str) -> str:
    """`text` as a console writing `encoding` shows it (for a caller that holds bytes itself)."""
    return text.encode(encoding, errors=ERRORS).decode(encoding)


def prepare(*streams: TextIO) -> None:
    """Let the streams write what their encoding cannot hold by the rule above."""
    for stream in streams:
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors=ERRORS)
            except (ValueError, OSError):  # detached or closed: nothing left to protect
                pass


def colour(environ: Mapping[str, str] | None = None) -> bool | None:
    """False where colour is asked off (NO_COLOR, TERM=dumb); None: click decides (a terminal
    gets colour, a file or a pipe does not)."""
    environ = os.environ if environ is None else environ
    if environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    return None
