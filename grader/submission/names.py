"""Untrusted file names made into clean, printable, stable labels.

A name read from disk is untrusted data. On Linux it is a str that may hold surrogate escapes
(the bytes of a name that is not UTF-8: a zip made on Chinese Windows stores its names in GBK),
control characters (ESC, CR, newline) or invisible format characters (a right-to-left override
that reverses what follows). The real name stays in the Path used to read the file; every place
that shows or stores a name (student ids, the gradebook, feedback, reports, messages) gets
`label(name)`:

- a name that is valid UTF-8 is itself, NFC-normalised (macOS writes names decomposed, so the
  same `é` typed on two machines is one label);
- a name that is not UTF-8 but is valid GB18030 (the superset of GBK) is decoded as GB18030:
  that is what those Windows zips hold, and `张三.py` stays `张三.py`;
- any other undecodable byte is shown as `\\xNN`;
- control and format characters (Unicode categories Cc, Cf, Zl, Zp) are shown as `\\xNN` or
  `\\uNNNN` (`\\n`, `\\r`, `\\t` by name), by the one rule the reports follow for printed
  text too (grader.cleaning), so a name can neither move the cursor, nor end a line, nor hide
  what it says.

The same bytes always give the same label, so a student's id does not change between runs.
"""

from __future__ import annotations

import os
import unicodedata

from ..cleaning import shown


def decode_name(raw: bytes) -> str:
    """A name's bytes as text: UTF-8, else GB 18030 (what Windows in Chinese writes: GBK and
    more), else UTF-8 with the other bytes escaped (`\\xff`)."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="backslashreplace")


def label(name: str | os.PathLike[str]) -> str:
    """The clean, printable form of a file name or path read from disk (see the module doc)."""
    try:
        raw = os.fsencode(name)
    except UnicodeEncodeError:  # a lone surrogate that no file system produced: show it escaped
        raw = os.fspath(name).encode("utf-8", errors="surrogatepass")
    text = unicodedata.normalize("NFC", decode_name(raw))
    return shown(text)
