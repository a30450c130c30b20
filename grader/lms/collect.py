"""`grader collect`: an LMS bulk download unpacked into the class layout grading reads.

Each student becomes a folder `CLASS/<student id>/` holding their files under the names they
gave them (grader.batch.discover reads it), and `CLASS/.grader-collect.json` records what the
LMS said of each submission (grader.lms.manifest). Everything in the archive that becomes no
student's file is listed in the manifest's `unmatched` with its reason: an entry refused as
unsafe, an earlier attempt, a name the LMS does not write, a student the roster does not have.

Nothing is written until the whole archive has been checked and read: the files go to a hidden
staging folder inside CLASS first, then each student's folder is moved into place, so a refused
archive leaves CLASS as it was. CLASS must be absent or empty; with `force` it may hold an
earlier collect's result, and then a student this archive brings replaces their folder, the
others are kept, and the manifest keeps their entries (docs/lms.md, "Collecting again").
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Literal

from ..facts import CodedError
from ..batch.roster import key
from ..cleaning import HIDDEN
from . import canvas, moodle
from .archive import Archive, ArchiveError, Limits, Member, clean, sha256_of
from .manifest import FILE_NAME, Manifest, ManifestError, Source, Submission, Unmatched, read_manifest, \
    write_manifest
from .people import Person, read_people

Attempt = Literal["first", "last"]
#: entries that operating systems add to a zip; listed, never extracted
OS_METADATA = ("__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini")
#: the longest student id used as a folder name
MAX_ID_LENGTH = 200


class CollectError(CodedError, ValueError):
    """A collect refused before anything was written; `code` and `facts` are a catalogue message."""


@dataclass
class Options:
    archive: Path
    source: Source
    out: Path
    roster: Path | None = None
    attempt: Attempt = "last"
    force: bool = False
    #: the zone of the zip's DOS times (an entry without a UTC time field)
    zone: tzinfo = timezone.utc
    #: take the submission time from the zip entries' times (None: Moodle yes, Canvas no)
    zip_times: bool | None = None
    limits: Limits = field(default_factory=Limits)


@dataclass
class _File:
    """One file of a student's submission: the entry, its path in the student's folder, its rank."""

    member: Member
    path: tuple[str, ...]
    attachment: int | None = None


@dataclass
class _Found:
    """One LMS submission read from the archive, before it is matched to a student."""

    lms_id: str
    lms_name: str
    late: bool | None
    files: list[_File] = field(default_factory=list)
    attempts_seen: int = 1
    attempt: int | None = None


@dataclass
class Result:
    manifest: Manifest
    #: the ids written by this collect
    collected: list[str]
    #: True when the times taken from the zip are all one (likely the time the zip was made)
    same_times: bool = False


# ---------------------------------------------------------------------------- the archive read


def _os_metadata(parts: tuple[str, ...]) -> bool:
    """A file macOS or Windows put in the zip (`__MACOSX/`, `.DS_Store`, `._name` AppleDouble)."""
    return any(p in OS_METADATA for p in parts) or bool(parts and parts[-1].startswith("._"))


def _strip_common_folder(members: list[Member], source: Source) -> int:
    """How many leading path components every entry shares and no LMS wrote (a re-zipped download)."""
    files = [m for m in members if m.problem is None and not m.is_dir and m.parts
             and not _os_metadata(m.parts)]
    if not files or any(len(m.parts) < 2 for m in files):
        return 0
    top = files[0].parts[0]
    if any(m.parts[0] != top for m in files):
        return 0
    if source == "moodle" and moodle.parse(top) is not None:
        return 0
    return 1


def _read_entries(members: list[Member], source: Source) -> tuple[dict[str, _Found], list[Unmatched]]:
    """The archive's submissions by LMS id, and the entries that are none."""
    found: dict[str, _Found] = {}
    unmatched: list[Unmatched] = []
    skip = _strip_common_folder(members, source)
    for member in members:
        if member.problem is not None:
            unmatched.append(Unmatched(member.shown, member.problem))
            continue
        if _os_metadata(member.parts) and not member.is_dir:
            unmatched.append(Unmatched(member.shown, "lms.entry.os_metadata"))
            continue
        parts = member.parts[skip:]
        if member.is_dir or not parts:
            continue
        if source == "canvas":
            name = canvas.parse(parts[0]) if len(parts) == 1 else None
            if name is None:
                unmatched.append(Unmatched(member.shown, "lms.entry.not_lms"))
                continue
            item = found.setdefault(name.user_id, _Found(name.user_id, name.name, name.late))
            item.late = bool(item.late or name.late)
            item.files.append(_File(member, (name.file,), name.attachment_id))
        else:
            parsed = moodle.parse(parts[0])
            path = parts[1:] if parsed is not None and not parsed.rest else (parsed.rest, *parts[1:]) if parsed else ()
            if parsed is None or not path:
                unmatched.append(Unmatched(member.shown, "lms.entry.not_lms"))
                continue
            item = found.setdefault(parsed.participant, _Found(parsed.participant, parsed.name, None))
            item.files.append(_File(member, tuple(path)))
    return found, unmatched


def _choose_attempts(item: _Found, attempt: Attempt, unmatched: list[Unmatched]) -> None:
    """Canvas: files of one name (`hw1.py`, its copy `hw1-1.py`) are attempts of that file, in
    the order of their attachment ids; keep the first or the last, list the others."""
    names = {f.path[-1] for f in item.files}
    groups: dict[str, list[_File]] = {}
    for f in item.files:
        groups.setdefault(canvas.base_file(f.path[-1], names), []).append(f)
    kept: list[_File] = []
    for base, group in groups.items():
        group.sort(key=lambda f: f.attachment or 0)
        chosen = group[-1] if attempt == "last" else group[0]
        kept.append(_File(chosen.member, (base,), chosen.attachment))
        unmatched.extend(Unmatched(f.member.shown, "lms.entry.other_attempt") for f in group if f is not chosen)
    item.attempts_seen = max(len(g) for g in groups.values())
    item.attempt = item.attempts_seen if attempt == "last" else 1
    item.files = kept


# ------------------------------------------------------------------------------- the students


def _safe_id(student: str) -> bool:
    return (0 < len(student) <= MAX_ID_LENGTH and not student.startswith(".") and "/" not in student
            and "\\" not in student and HIDDEN.search(student) is None and student.strip() == student)


def _match(item: _Found, source: Source, people: list[Person]) -> tuple[Person | None, str, bool]:
    """(the roster's student of an LMS submission, or the reason there is none; whether it was
    matched by the LMS user id rather than by name)."""
    by_id = [p for p in people if p.lms_user_id and p.lms_user_id == item.lms_id]
    if len(by_id) == 1:
        return by_id[0], "", True
    if source == "canvas":
        wanted = canvas.slug(item.lms_name)
        by_name = [p for p in people if wanted and wanted in p.slugs]
    else:
        wanted = moodle.normal_name(item.lms_name)
        by_name = [p for p in people if wanted and wanted in p.names]
    if len(by_name) == 1 and not by_id:
        return by_name[0], "", False
    return None, "lms.unmatched.ambiguous" if by_name or by_id else "lms.unmatched.not_on_roster", False


def _assign(found: dict[str, _Found], source: Source,
            people: list[Person] | None) -> tuple[dict[str, _Found], list[Unmatched]]:
    """Each submission's student id, and the submissions that get none. Two submissions that
    come to one student: the one matched by LMS user id wins; matched by name alone, neither
    is taken (two people of one name, one of them not on the roster, must not be guessed)."""
    unmatched: list[Unmatched] = []
    claims: dict[str, list[tuple[str, _Found, bool]]] = {}
    for item in sorted(found.values(), key=lambda i: (i.lms_name, i.lms_id)):
        if people is None:
            student, reason, by_id = _own_id(item), "", True
        else:
            person, reason, by_id = _match(item, source, people)
            student = person.id if person is not None else ""
        if not reason and not _safe_id(student):
            reason = "lms.unmatched.unsafe_id"
        if reason:
            unmatched.extend(Unmatched(f.member.shown, reason) for f in item.files)
            continue
        claims.setdefault(key(student), []).append((student, item, by_id))
    chosen: dict[str, _Found] = {}
    for claim in claims.values():
        exact = [c for c in claim if c[2]]
        winner = claim[0] if len(claim) == 1 else exact[0] if len(exact) == 1 else None
        for student, item, _ in claim:
            if winner is not None and item is winner[1]:
                item.files, repeated = _duplicates(item.files)
                unmatched.extend(Unmatched(f.member.shown, "lms.entry.duplicate") for f in repeated)
                chosen[student] = item
                continue
            reason = "lms.unmatched.same_student" if winner is not None else "lms.unmatched.shared_name"
            unmatched.extend(Unmatched(f.member.shown, reason) for f in item.files)
    return chosen, unmatched


def _own_id(item: _Found) -> str:
    """A student's id without a roster: the LMS's name and id (`doejane_12345`, `Jane Doe_12345`)."""
    return f"{item.lms_name}_{item.lms_id}" if item.lms_name else item.lms_id


def _archive_names(found: dict[str, _Found]) -> list[str]:
    """What a roster's id column may hold of the archive's students (grader.batch.roster `names`)."""
    return [n for item in found.values() for n in (item.lms_id, item.lms_name, _own_id(item)) if n]


# ----------------------------------------------------------------------------------- writing


def _check_out(out: Path, force: bool, source: Source) -> Manifest | None:
    """The earlier manifest when CLASS may be written (None when there is none)."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise CollectError("lms.collect.out_not_folder", out=clean(str(out)))
    if not out.exists() or not any(out.iterdir()):
        return None
    if not force:
        raise CollectError("lms.collect.out_not_empty", out=clean(str(out)))
    try:
        earlier = read_manifest(out)
    except ManifestError as exc:
        raise CollectError(exc.code, **exc.facts) from None
    if earlier is not None and earlier.source != source:
        raise CollectError("lms.collect.other_source", out=clean(str(out)), source=earlier.source)
    return earlier


def _write_file(folder: Path, path: tuple[str, ...], data: bytes, when: datetime | None) -> None:
    target = folder.joinpath(*path)
    root = os.path.realpath(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    if os.path.commonpath([root, os.path.realpath(target.parent)]) != root:  # never outside
        raise CollectError("lms.collect.outside", file=clean("/".join(path)))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(target, flags, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    if when is not None:
        stamp = when.timestamp()
        os.utime(target, (stamp, stamp))


def _replace(out: Path, student: str, staged: Path) -> None:
    """Put `staged` at CLASS/<student>, in place of what that student had there."""
    for old in (out / student, out / f"{student}.py", out / f"{student}.ipynb"):
        if old.is_symlink() or old.is_file():
            old.unlink()
        elif old.is_dir():
            shutil.rmtree(old)
    os.replace(staged, out / student)


def _submission(item: _Found, source: Source, zip_times: bool) -> Submission:
    times = [f.member.when for f in item.files if f.member.when is not None]
    when = max(times) if zip_times and times else None
    source_of_time = f"{source}-zip" if when is not None else "canvas-name" if source == "canvas" else "none"
    return Submission(submitted_at=when.isoformat() if when else None, time_source=source_of_time,
                      late_flag=item.late, attempt=item.attempt, attempts_seen=item.attempts_seen,
                      lms_user_id=item.lms_id, lms_name=clean(item.lms_name),
                      files=[f.member.shown for f in item.files])


def _duplicates(files: Iterable[_File]) -> tuple[list[_File], list[_File]]:
    """(kept, repeated): a second file at the same path (compared as file systems that ignore
    case do) is not written over the first."""
    seen: set[tuple[str, ...]] = set()
    kept: list[_File] = []
    repeated: list[_File] = []
    for f in files:
        folded = tuple(key(p) for p in f.path)
        (repeated if folded in seen else kept).append(f)
        seen.add(folded)
    return kept, repeated


def collect(options: Options) -> Result:
    """Unpack the archive into `options.out` (see the module doc); CollectError / ArchiveError /
    RosterError when refused, before anything is written."""
    source, out = options.source, options.out
    earlier = _check_out(out, options.force, source)
    zip_times = options.zip_times if options.zip_times is not None else source == "moodle"
    with Archive(options.archive, options.zone, options.limits) as archive:
        found, unmatched = _read_entries(archive.members, source)
        if source == "canvas":
            for item in found.values():
                _choose_attempts(item, options.attempt, unmatched)
        people = read_people(options.roster, _archive_names(found)) if options.roster else None
        chosen, refused = _assign(found, source, people)
        unmatched.extend(refused)
        created = not out.exists()
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".grader-collect-", dir=out))
        try:
            for student, item in chosen.items():
                for f in item.files:
                    _write_file(staging / student, f.path, archive.read(f.member), f.member.when)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            if created:
                out.rmdir()
            raise
        try:
            for student in chosen:
                _replace(out, student, staging / student)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    submissions = dict(earlier.submissions) if earlier is not None else {}
    for student, item in chosen.items():
        submissions.pop(next((s for s in submissions if key(s) == key(student)), student), None)
        submissions[student] = _submission(item, source, zip_times)
    manifest = Manifest(source=source, archive=clean(options.archive.name), archive_sha256=sha256_of(options.archive),
                        collected_at=datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
                        submissions=dict(sorted(submissions.items(), key=lambda kv: key(kv[0]))),
                        unmatched=unmatched)
    write_manifest(out, manifest)
    stamps = {s.submitted_at for s in manifest.submissions.values() if s.submitted_at}
    return Result(manifest, list(chosen), same_times=zip_times and len(chosen) > 1 and len(stamps) == 1)


__all__ = ["ArchiveError", "CollectError", "FILE_NAME", "Options", "Result", "collect"]
