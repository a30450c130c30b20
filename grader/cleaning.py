"""The one rule for untrusted text: which characters are never shown as themselves, how they are
shown instead, and what a string must lose before the grader may hold or store it.

Student code and everything a submission produces (file names, printed output, exception
messages, returned strings, dict keys) is untrusted. Four places take it in or show it, and all
of them follow this module: the worker's replies (grader.run.client: cut, surrogates replaced),
the gradebook (grader.batch.gradebook: surrogates written as escapes, so distinct texts stay
distinct), file names (grader.submission.names: decoded, then shown) and every report
(grader.report.untrusted, which adds each output format's own rule on top of `shown`).

Hidden characters are those of the Unicode categories Cc (controls: ESC starts a terminal
sequence, CR overwrites a line, NUL), Cf (invisible format characters: bidi overrides and
isolates that reorder a line, zero-width spaces and joiners, the BOM, tag characters), Zl and
Zp (line and paragraph separators) and Cs (lone surrogates, which UTF-8 cannot encode). A hidden
character is shown as the escape Python would write (`\\x1b`, `\\u202e`, `\\U000e0041`;
`\\n`, `\\r`, `\\t` by name), never dropped: a teacher sees what was there.

A base module (tests/test_layout.py LAYERS): every layer that meets student text may use it.
"""

from __future__ import annotations

import re
import unicodedata

#: what a lone surrogate becomes where text is data (the worker's replies): UTF-8 can hold it
REPLACEMENT = "\ufffd"

#: the categories never shown as themselves
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})

#: every character of HIDDEN_CATEGORIES (Unicode 15, Python 3.11/3.12), as ranges: a regular
#: expression finds them in megabytes of printed output at once, which a per-character category
#: lookup could not; tests/test_untrusted_text.py checks the ranges against unicodedata
_HIDDEN_RANGES = (
    "\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
HIDDEN = re.compile(f"[{_HIDDEN_RANGES}]")
SURROGATES = re.compile("[\ud800-\udfff]")

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def is_hidden(char: str) -> bool:
    """True for a character that must not reach a person as itself."""
    return unicodedata.category(char) in HIDDEN_CATEGORIES or HIDDEN.fullmatch(char) is not None


def escape(char: str) -> str:
    """One character as Python's escape for it: `\\n`, `\\x1b`, `\\u202e`, `\\U000e0041`."""
    if char in _NAMED:
        return _NAMED[char]
    point = ord(char)
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}" if point < 0x10000 else f"\\U{point:08x}"


def shown(value: str, keep: str = "") -> str:
    """`value` with every hidden character (but those in `keep`, e.g. "\\n" for a block of
    printed lines) shown as its escape: what a person may be shown of untrusted text."""
    if keep:
        return HIDDEN.sub(lambda m: m.group() if m.group() in keep else escape(m.group()), value)
    return HIDDEN.sub(lambda m: escape(m.group()), value)


def without_surrogates(value: str) -> str:
    """Lone surrogates replaced by U+FFFD: the least any string needs before it is held."""
    return value if value.isascii() else SURROGATES.sub(REPLACEMENT, value)


def escaped_surrogates(value: str) -> str:
    """Lone surrogates written as their escapes (`\\ud800`): encodable, and two texts that
    differ only there stay different (a stored file name stays the key it was)."""
    if value.isascii() or SURROGATES.search(value) is None:
        return value
    return SURROGATES.sub(lambda m: escape(m.group()), value)


def held(value: str, limit: int) -> str:
    """A string from a submission as the grader may hold it: at most `limit` characters, lone
    surrogates replaced. Its other characters stay (it is data: a returned "\\x1b" must compare
    equal to the reference's); `shown` is for when it is shown."""
    return without_surrogates(value[:limit] if len(value) > limit else value)
