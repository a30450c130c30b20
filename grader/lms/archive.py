"""An LMS bulk download, read as the hostile zip it may be.

A student chooses the names of the files inside it, and anyone can hand an instructor a file
called `submissions.zip`. So nothing in the archive is trusted:

- **The archive as a whole** is refused, with a message and exit 2, when it is not a zip or is
  corrupt, holds more than `Limits.entries` entries, or declares more than `Limits.entry_bytes`
  for one file, more than `Limits.total_bytes` in all, or a compression ratio above
  `Limits.ratio` for a file of more than a megabyte (a zip bomb). The declared sizes are
  checked before anything is read, and every read is bounded again by what it really yields.
- **An entry** that cannot be extracted safely is kept out and listed with its reason, never
  dropped silently: a path that leaves the folder (`../`, an absolute path, a drive letter,
  backslashes read as separators), a symbolic link or another special file, an encrypted
  entry, a name with control or invisible characters (bidi overrides), a name component
  longer than a file system allows.
- **Names** are decoded as the zip says (UTF-8 flag, Info-ZIP Unicode path field), else as
  UTF-8, else as GB 18030 (what Windows in Chinese writes, GBK), else with `\\xNN` escapes;
  `shown` is the clean label every message and the manifest use.
- **Times**: an entry's modification time from its extended-timestamp or NTFS field (UTC), else
  its DOS date and time, which carry no zone: read in the zone the caller gives.
"""

from __future__ import annotations

import hashlib
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path

from ..facts import CodedError
from ..submission.names import decode_name
from ..cleaning import HIDDEN, shown

MIB = 1024 * 1024


class ArchiveError(CodedError, ValueError):
    """An archive refused as a whole; `code` and `facts` are a catalogue message."""


@dataclass(frozen=True)
class Limits:
    """How much an archive may hold (the defaults fit a class of hundreds with PDFs beside code)."""

    entries: int = 20_000
    entry_bytes: int = 64 * MIB
    total_bytes: int = 1024 * MIB
    ratio: int = 200


@dataclass(frozen=True)
class Member:
    """One entry of the archive: its checked path, clean label, size, time and any problem."""

    info: zipfile.ZipInfo
    #: path components, decoded; empty when the name is refused
    parts: tuple[str, ...]
    #: the clean label of the whole name, for messages and the manifest
    shown: str
    size: int
    when: datetime | None
    is_dir: bool
    #: a message code (`lms.entry.*`) when the entry is not extracted
    problem: str | None = None


# ------------------------------------------------------------------------------------- names

_DRIVE = re.compile(r"^[A-Za-z]:")
#: the longest name component most file systems take, in UTF-8 bytes
MAX_COMPONENT_BYTES = 255
_UNICODE_PATH = 0x7075
_EXTENDED_TIME = 0x5455
_NTFS = 0x000A
_NTFS_EPOCH = datetime(1601, 1, 1, tzinfo=timezone.utc)


def _extra_fields(extra: bytes) -> Iterator[tuple[int, bytes]]:
    at = 0
    while at + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, at)
        yield tag, extra[at + 4:at + 4 + size]
        at += 4 + size


def decoded_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as its writer meant it (see the module doc)."""
    if info.flag_bits & 0x800:
        return info.filename
    for tag, data in _extra_fields(info.extra):
        if tag == _UNICODE_PATH and len(data) > 5 and data[0] == 1:
            try:
                return data[5:].decode("utf-8")
            except UnicodeDecodeError:
                break
    try:
        raw = info.filename.encode("cp437")  # what zipfile decoded the bytes as: undo it
    except UnicodeEncodeError:
        return info.filename
    return decode_name(raw)


def clean(name: str) -> str:
    """The printable, NFC label of a decoded name."""
    return shown(unicodedata.normalize("NFC", name))


def _path_problem(name: str) -> tuple[tuple[str, ...], str | None]:
    """(components, problem code) of a decoded entry name."""
    if HIDDEN.search(name):
        return (), "lms.entry.hidden_characters"
    path = name.replace("\\", "/")
    if path.startswith("/") or _DRIVE.match(path):
        return (), "lms.entry.absolute"
    parts = tuple(p for p in path.split("/") if p not in ("", "."))
    if ".." in parts:
        return (), "lms.entry.traversal"
    if any(len(p.encode("utf-8", "surrogatepass")) > MAX_COMPONENT_BYTES for p in parts):
        return (), "lms.entry.name_too_long"
    return tuple(unicodedata.normalize("NFC", p) for p in parts), None


def _kind_problem(info: zipfile.ZipInfo) -> str | None:
    mode = info.external_attr >> 16
    if info.create_system == 3 and stat.S_IFMT(mode):  # a Unix file type is recorded
        if stat.S_ISLNK(mode):
            return "lms.entry.symlink"
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            return "lms.entry.special"
    if info.flag_bits & 0x1:
        return "lms.entry.encrypted"
    return None


# ------------------------------------------------------------------------------------- times


def entry_time(info: zipfile.ZipInfo, zone: tzinfo) -> datetime | None:
    """The entry's modification time, aware: a UTC field if it has one, else its DOS time in `zone`."""
    for tag, data in _extra_fields(info.extra):
        try:
            if tag == _EXTENDED_TIME and len(data) >= 5 and data[0] & 1:
                return datetime.fromtimestamp(struct.unpack_from("<i", data, 1)[0], timezone.utc)
            if tag == _NTFS and len(data) >= 32:
                attr, size = struct.unpack_from("<HH", data, 4)
                if attr == 1 and size >= 24:
                    ticks = struct.unpack_from("<Q", data, 8)[0]
                    return _NTFS_EPOCH + timedelta(microseconds=ticks // 10)
        except (OverflowError, OSError, ValueError):
            continue
    try:
        return datetime(*info.date_time, tzinfo=zone)
    except ValueError:  # a zeroed or impossible DOS date
        return None


# ----------------------------------------------------------------------------------- archive


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(MIB), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Archive:
    """An open, checked archive: `members` in the zip's order; `read` yields bounded bytes."""

    def __init__(self, path: Path, zone: tzinfo, limits: Limits = Limits()) -> None:
        self.limits = limits
        self._read_total = 0
        try:
            self._zip = zipfile.ZipFile(path)
            infos = self._zip.infolist()
        except FileNotFoundError:
            raise ArchiveError("lms.archive.missing", file=clean(str(path))) from None
        except IsADirectoryError:
            raise ArchiveError("lms.archive.not_zip", file=clean(str(path))) from None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, UnicodeDecodeError, ValueError, EOFError):
            raise ArchiveError("lms.archive.not_zip", file=clean(str(path))) from None
        except OSError as exc:
            raise ArchiveError("lms.archive.unreadable", file=clean(str(path)),
                               problem=exc.strerror or type(exc).__name__) from None
        try:
            self.members = self._check(infos, zone)
        except ArchiveError:
            self._zip.close()
            raise

    def _check(self, infos: list[zipfile.ZipInfo], zone: tzinfo) -> list[Member]:
        limits = self.limits
        if len(infos) > limits.entries:
            raise ArchiveError("lms.archive.too_many_entries", count=str(len(infos)), limit=str(limits.entries))
        total = 0
        members: list[Member] = []
        for info in infos:
            name = decoded_name(info)
            label = clean(name)
            if info.file_size > limits.entry_bytes:
                raise ArchiveError("lms.archive.entry_too_large", entry=label, size=str(info.file_size),
                                   limit=str(limits.entry_bytes))
            if info.file_size > MIB and info.file_size > limits.ratio * max(info.compress_size, 1):
                raise ArchiveError("lms.archive.bomb", entry=label, ratio=str(info.file_size
                                                                              // max(info.compress_size, 1)))
            total += info.file_size
            if total > limits.total_bytes:
                raise ArchiveError("lms.archive.too_large", limit=str(limits.total_bytes))
            parts, problem = _path_problem(name)
            problem = problem or _kind_problem(info)
            is_dir = info.is_dir() or name.endswith(("/", "\\"))
            members.append(Member(info, parts if problem is None else (), label, info.file_size,
                                  entry_time(info, zone), is_dir, problem))
        return members

    def read(self, member: Member) -> bytes:
        """The entry's bytes, at most its declared size and the limits (ArchiveError otherwise)."""
        limit = min(self.limits.entry_bytes, self.limits.total_bytes - self._read_total)
        chunks: list[bytes] = []
        got = 0
        try:
            with self._zip.open(member.info) as handle:
                while chunk := handle.read(min(MIB, limit - got + 1)):
                    got += len(chunk)
                    if got > limit:
                        raise ArchiveError("lms.archive.too_large", limit=str(self.limits.total_bytes))
                    chunks.append(chunk)
        except ArchiveError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError,
                ValueError):
            raise ArchiveError("lms.archive.corrupt_entry", entry=member.shown) from None
        self._read_total += got
        return b"".join(chunks)

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
