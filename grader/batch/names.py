"""The file name of a student's own outputs (`feedback/<name>.md|.html`, the report's links).

Student ids are data from a submission folder or a roster: `a b`, `a_b` and `a/b` are three
students, `Alice` and `alice` may be two, and `con` or `nul.` is a valid id but not a Windows
file name. So the name is a pure, stable function of the id that keeps distinct ids apart,
comparing case-insensitively (macOS and Windows do), and is safe on Windows, macOS and Linux:

- an id that is already a plain lower-case name (`ada`, `s2023-001`, `li.wei`) is its own name;
- any other id gets a readable form (letters, digits and `-` kept, the rest `_`, cut to 40) then
  `~` and 10 hex digits of the id's SHA-256. A plain name never holds `~`, so the two forms never
  meet, and two hashed names differ wherever their ids do (bar a 40-bit hash collision).

Stable: the same id gives the same name in every run, on every machine, in every version (a test
pins examples), so links and files from earlier runs stay valid.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

#: a name kept as it is: lower-case ASCII, no leading dot or dash, no trailing dot, not too long
_PLAIN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
#: device names Windows reserves, with any extension (`nul.tar.gz` is NUL too)
_RESERVED = frozenset({"con", "prn", "aux", "nul", "conin$", "conout$",
                       *(f"{device}{n}" for device in ("com", "lpt") for n in "0123456789¹²³")})
READABLE_LENGTH = 40
HASH_DIGITS = 10
#: the folder of OUT_DIR that holds every student's feedback files
FEEDBACK_DIR = "feedback"


def _reserved(name: str) -> bool:
    return name.split(".", 1)[0].rstrip(" ").lower() in _RESERVED


def feedback_name(student: str) -> str:
    """The file stem for `student`'s feedback: unique per id (case-insensitively), stable, safe."""
    if _PLAIN.fullmatch(student) and not student.endswith(".") and not _reserved(student):
        return student
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_DIGITS]
    readable = "".join(c if c.isalnum() or c in "_-" else "_"  # no dot: `con.txt` is CON
                       for c in unicodedata.normalize("NFC", student))
    readable = re.sub(r"_+", "_", readable)[:READABLE_LENGTH].strip("_-") or "student"
    return f"{readable}~{digest}"


__all__ = ["feedback_name"]
