"""Untrusted text (student names, file names, code) made safe to show, once per destination.

Control and format characters are replaced by a visible mark: on a terminal they could move the
cursor or recolour the output, and in a page the bidirectional overrides ("Trojan Source") make
code read differently from what it is. HTML additionally gets everything escaped.
"""

from __future__ import annotations

import html
import unicodedata

MARK = "\ufffd"
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co"})


def visible(value: str) -> str:
    """`value` for a terminal or a log: control and format characters (but tabs) as MARK."""
    if value.isprintable():  # most lines: nothing to look at one character at a time
        return value
    return "".join(MARK if ch != "\t" and unicodedata.category(ch) in _HIDDEN else ch for ch in value)


def html_text(value: str) -> str:
    """`value` for HTML text or an attribute: `visible`, then escaped."""
    return html.escape(visible(value), quote=True)


__all__ = ["visible", "html_text", "MARK"]
