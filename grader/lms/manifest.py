"""`CLASS/.grader-collect.json`: what `grader collect` knew about each submission it unpacked.

The file is the interface between collecting and grading (docs/lms.md, "The manifest"): the
lateness of a submission is computed from its `submitted_at`, and the LMS ids of a student
(`lms_user_id`) are what the LMS exports need. It is read back strictly: a manifest that is not
valid JSON, has another `format` or `version`, or a field of the wrong type is a
`ManifestError` naming the field, never a half-read manifest (a wrong time would silently
change a grade). Absent, it is None: a class folder made by hand has no manifest.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from ..facts import CodedError

FILE_NAME = ".grader-collect.json"
FORMAT = "grader-collect"
VERSION = 1
#: the largest manifest read (a class of thousands is far below it)
MAX_BYTES = 16 * 1024 * 1024

Source = Literal["canvas", "moodle"]
SOURCES: tuple[Source, ...] = ("canvas", "moodle")


class ManifestError(CodedError, ValueError):
    """A manifest that cannot be trusted; `code` and `facts` are a catalogue message."""


@dataclass
class Submission:
    """One student's submission as the LMS described it."""

    submitted_at: str | None
    time_source: str
    late_flag: bool | None
    attempt: int | None
    attempts_seen: int
    lms_user_id: str | None
    lms_name: str
    files: list[str] = field(default_factory=list)

    @property
    def submitted(self) -> datetime | None:
        """`submitted_at` as an aware datetime (validated on read, so it parses)."""
        return datetime.fromisoformat(self.submitted_at) if self.submitted_at else None


@dataclass
class Unmatched:
    """An archive entry that became no student's submission, and why (a message code)."""

    entry: str
    reason: str


@dataclass
class Manifest:
    source: Source
    archive: str
    archive_sha256: str
    collected_at: str
    submissions: dict[str, Submission] = field(default_factory=dict)
    unmatched: list[Unmatched] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"format": FORMAT, "version": VERSION, "source": self.source, "archive": self.archive,
                "archive_sha256": self.archive_sha256, "collected_at": self.collected_at,
                "submissions": {sid: asdict(sub) for sid, sub in self.submissions.items()},
                "unmatched": [asdict(u) for u in self.unmatched]}


# ------------------------------------------------------------------------------------ reading


def _bad(where: str) -> ManifestError:
    return ManifestError("lms.manifest_field", field=where)


def _text(data: dict[str, object], key: str, where: str, optional: bool = False) -> str | None:
    value = data.get(key)
    if value is None and optional and key in data:
        return None
    if not isinstance(value, str):
        raise _bad(f"{where}{key}")
    return value


def _time(data: dict[str, object], key: str, where: str, optional: bool = False) -> str | None:
    value = _text(data, key, where, optional)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _bad(f"{where}{key}") from None
    if parsed.tzinfo is None:  # a time without an offset is no time: lateness would guess the zone
        raise _bad(f"{where}{key}")
    return value


def _int(data: dict[str, object], key: str, where: str, optional: bool = False) -> int | None:
    value = data.get(key)
    if value is None and optional and key in data:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _bad(f"{where}{key}")
    return value


def _submission(sid: str, data: object) -> Submission:
    where = f"submissions.{sid}."
    if not isinstance(data, dict):
        raise _bad(where.rstrip("."))
    late = data.get("late_flag")
    if "late_flag" not in data or not (late is None or isinstance(late, bool)):
        raise _bad(f"{where}late_flag")
    files = data.get("files")
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise _bad(f"{where}files")
    return Submission(submitted_at=_time(data, "submitted_at", where, optional=True),
                      time_source=_text(data, "time_source", where) or "",
                      late_flag=late, attempt=_int(data, "attempt", where, optional=True),
                      attempts_seen=_int(data, "attempts_seen", where) or 0,
                      lms_user_id=_text(data, "lms_user_id", where, optional=True),
                      lms_name=_text(data, "lms_name", where) or "", files=list(files))


def _unmatched(index: int, data: object) -> Unmatched:
    where = f"unmatched.{index}."
    if not isinstance(data, dict):
        raise _bad(where.rstrip("."))
    return Unmatched(_text(data, "entry", where) or "", _text(data, "reason", where) or "")


def parse_manifest(raw: bytes) -> Manifest:
    """The manifest in `raw`, validated field by field (ManifestError on the first bad one)."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ManifestError("lms.manifest_json") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _bad("format")
    if data.get("version") != VERSION:
        raise ManifestError("lms.manifest_version", version=str(data.get("version")))
    source = data.get("source")
    if source not in SOURCES:
        raise _bad("source")
    submissions = data.get("submissions")
    unmatched = data.get("unmatched")
    if not isinstance(submissions, dict):
        raise _bad("submissions")
    if not isinstance(unmatched, list):
        raise _bad("unmatched")
    return Manifest(source=source, archive=_text(data, "archive", "") or "",
                    archive_sha256=_text(data, "archive_sha256", "") or "",
                    collected_at=_time(data, "collected_at", "") or "",
                    submissions={str(sid): _submission(str(sid), sub) for sid, sub in submissions.items()},
                    unmatched=[_unmatched(i, u) for i, u in enumerate(unmatched)])


def read_manifest(folder: str | os.PathLike[str]) -> Manifest | None:
    """The manifest of the class folder `folder`, None when it has none; ManifestError when it
    is unreadable, too large or invalid."""
    path = Path(folder) / FILE_NAME
    try:
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise ManifestError("lms.manifest_not_file")
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ManifestError("lms.manifest_unreadable", problem=exc.strerror or str(exc)) from None
    if len(raw) > MAX_BYTES:
        raise ManifestError("lms.manifest_too_large", limit=str(MAX_BYTES))
    return parse_manifest(raw)


def write_manifest(folder: str | os.PathLike[str], manifest: Manifest) -> Path:
    """Write `manifest` into `folder` atomically (a crash leaves the old file or the new one)."""
    path = Path(folder) / FILE_NAME
    text = json.dumps(manifest.to_json(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".grader-collect.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
