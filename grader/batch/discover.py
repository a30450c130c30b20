"""Find the students in a submissions folder: each entry is one student.

`alice.py`, `alice.ipynb` or a folder `alice/` (holding .py/.ipynb files) is student `alice`.
Hidden entries, `__pycache__`, `.ipynb_checkpoints` and `__MACOSX` are skipped; other files
(a README, the roster, a PDF) are listed as ignored, never graded. Two entries for one student
(`alice.py` and `alice/`) are one graded error, not a guess. With a roster, its students who
submitted nothing are added as missing, and entries that match no one are flagged.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..submission import SOURCE_SUFFIXES, source_files
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

    @property
    def path(self) -> Path | None:
        return self.paths[0] if len(self.paths) == 1 else None


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


def discover(folder: str | Path, roster: list[Student] | None = None,
             exclude: tuple[Path, ...] = ()) -> Discovery:
    folder = Path(folder)
    excluded = {p.resolve() for p in exclude}
    found: dict[str, list[Path]] = {}
    ignored: list[str] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name in SKIPPED or path.resolve() in excluded:
            continue
        if path.is_dir():
            student = path.name
        elif path.is_file() and path.suffix in SOURCE_SUFFIXES:
            student = path.stem
        else:
            ignored.append(path.name)
            continue
        found.setdefault(student, []).append(path)
    by_key = {key(s.id): s for s in roster or []}
    entries: list[Entry] = []
    seen: set[str] = set()
    merged: dict[str, list[Path]] = {}
    for student, paths in found.items():  # `Alice.py` and `alice/` are one student too
        merged.setdefault(key(student), []).extend(paths)
    for k, paths in sorted(merged.items()):
        listed = by_key.get(k)
        student = listed.id if listed else paths[0].stem if paths[0].is_file() else paths[0].name
        if len(paths) > 1:
            kind = AMBIGUOUS
        elif paths[0].is_dir():
            kind = FOLDER
        else:
            kind = NOTEBOOK if paths[0].suffix == ".ipynb" else FILE
        entries.append(Entry(student, kind, sorted(paths), listed.name if listed else "",
                             listed.email if listed else "", on_roster=listed is not None))
        seen.add(k)
    for k, listed in by_key.items():
        if k not in seen:
            entries.append(Entry(listed.id, MISSING, [], listed.name, listed.email, on_roster=True))
    entries.sort(key=lambda e: key(e.student))
    return Discovery(entries, ignored)


def content_hash(entry: Entry) -> str:
    """What the gradebook compares to decide whether a submission changed: names and bytes."""
    if entry.kind == MISSING:
        return ""
    digest = hashlib.sha256()
    for path in entry.paths:
        files = source_files(path) if path.is_dir() else [path]
        for file in files:
            try:
                data = file.read_bytes()
            except OSError:
                data = b"\0unreadable"
            relative = file.relative_to(path).as_posix() if path.is_dir() else file.name
            digest.update(os.fsencode(relative) + b"\0" + data + b"\0")  # the name's own bytes
    return digest.hexdigest()
