"""Find the students in a submissions folder: each entry is one student.

`alice.py`, `alice.ipynb` or a folder `alice/` (holding .py/.ipynb files) is student `alice`.
Hidden entries, `__pycache__`, `.ipynb_checkpoints` and `__MACOSX` are skipped; other files
(a README, the roster, a PDF) are listed as ignored, never graded. Two entries for one student
(`alice.py` and `alice/`) are one AMBIGUOUS entry holding both paths, not a guess. With a
roster, its students who submitted nothing are added as missing, and entries that match no one
are flagged.

Entry names are untrusted: an entry is classified by lstat (never through a link), and a
student's id is the clean label of its name (`grader.submission.names`: GBK names decoded, other bytes
and control characters escaped), while the path keeps the real name for reading. An entry that
is a link, a FIFO or a device but is named like a submission (`bob.py`, or a link `bob` where a
folder would be) is still a student: grading refuses it with a message, so it is never followed
and never silently dropped. Two names are one student when `roster.key` says so (NFC,
case-insensitive, never `straße` = `strasse`).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..submission.names import label
from ..submission.files import SOURCE_SUFFIXES, Refused, read_sources
from .roster import Student, key

SKIPPED = {"__pycache__", ".ipynb_checkpoints", "__MACOSX"}
FILE, NOTEBOOK, FOLDER, MISSING, AMBIGUOUS = "file", "notebook", "folder", "missing", "ambiguous"


@dataclass
class Entry:
    student: str
    kind: str
    paths: list[Path] = field(default_factory=list)
    name: str = ""
    email: str = ""
    on_roster: bool = False
    #: the clean labels of `paths`, in the same order (`alice.py`, `alice/`): what may be shown
    labels: list[str] = field(default_factory=list)

    @property
    def path(self) -> Path | None:
        return self.paths[0] if len(self.paths) == 1 else None

    @property
    def shown_path(self) -> str:
        """The clean label of `path` ("" when there is not exactly one), for storing and showing."""
        return label(self.paths[0]) if len(self.paths) == 1 else ""


@dataclass
class Discovery:
    entries: list[Entry]
    ignored: list[str]

    @property
    def not_on_roster(self) -> list[Entry]:
        return [e for e in self.entries if e.kind != MISSING and not e.on_roster]

    @property
    def missing(self) -> list[Entry]:
        return [e for e in self.entries if e.kind == MISSING]


@dataclass
class _Found:
    """One entry of the folder: its path, its clean label, and what kind of submission it is."""

    path: Path
    student: str
    kind: str

    @property
    def label(self) -> str:
        return label(self.path.name) + ("/" if self.kind == FOLDER else "")


def _classify(entry: os.DirEntry[str]) -> tuple[str, str] | None:
    """(student label, kind) of a folder entry, or None when it is not a submission; by lstat."""
    name = entry.name
    stem, suffix = os.path.splitext(name)
    mode = entry.stat(follow_symlinks=False).st_mode
    if stat.S_ISDIR(mode):
        return label(name), FOLDER
    if suffix in SOURCE_SUFFIXES:  # a regular file, or a link/FIFO/device the grader will refuse
        return label(stem), NOTEBOOK if suffix == ".ipynb" else FILE
    if stat.S_ISLNK(mode) and not suffix:  # a link where a student's folder would be
        return label(name), FOLDER
    return None


def discover(folder: str | Path, roster: list[Student] | None = None,
             exclude: tuple[Path, ...] = ()) -> Discovery:
    folder = Path(folder)
    root = folder.resolve()
    excluded = {p.resolve() for p in exclude}
    merged: dict[str, list[_Found]] = {}  # `Alice.py` and `alice/` are one student
    ignored: list[str] = []
    with os.scandir(folder) as scan:
        listing = sorted(scan, key=lambda e: e.name)
    for dir_entry in listing:
        name = dir_entry.name
        if name.startswith(".") or name in SKIPPED or root / name in excluded:
            continue
        try:
            classified = _classify(dir_entry)
        except OSError:  # gone since the listing
            continue
        if classified is None:
            ignored.append(label(name))
            continue
        student, kind = classified
        merged.setdefault(key(student), []).append(_Found(folder / name, student, kind))
    by_key = {key(s.id): s for s in roster or []}
    entries: list[Entry] = []
    for k, found in sorted(merged.items()):
        listed = by_key.get(k)
        found.sort(key=lambda f: f.path)
        kind = AMBIGUOUS if len(found) > 1 else found[0].kind
        entries.append(Entry(listed.id if listed else found[0].student, kind, [f.path for f in found],
                             listed.name if listed else "", listed.email if listed else "",
                             on_roster=listed is not None, labels=[f.label for f in found]))
    for k, listed in by_key.items():
        if k not in merged:
            entries.append(Entry(listed.id, MISSING, [], listed.name, listed.email, on_roster=True))
    entries.sort(key=lambda e: key(e.student))
    return Discovery(entries, ignored)


def content_hash(entry: Entry) -> str:
    """What the gradebook compares to decide whether a submission changed: names and bytes, read
    by the same safe, bounded reader as grading (a refused entry hashes as its refusal)."""
    if entry.kind == MISSING:
        return ""
    digest = hashlib.sha256()
    for path in entry.paths:
        try:
            files = read_sources(path)
        except Refused as refused:
            facts = json.dumps(refused.facts, sort_keys=True, default=str)
            digest.update(b"\0refused\0" + refused.reason_code.encode() + facts.encode() + b"\0")
            continue
        except OSError:
            digest.update(b"\0unreadable\0")
            continue
        for file in files:
            digest.update(os.fsencode(file.name) + b"\0" + file.data + b"\0")
    return digest.hexdigest()
