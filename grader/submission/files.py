"""The files a submission is made of, read safely: its own regular files, bounded while read.

Everything here is untrusted: a submission folder comes from a student's zip or repository. So:

- **Links are never followed.** A submission (or one of its files) that is a symbolic link, a
  FIFO, a device or a socket is refused with a message saying what it is: a link to a
  classmate's file, into the installed reference, or to an SSH key gives nothing. Entries are
  examined with lstat (devices are never even opened), files are opened with O_NOFOLLOW (a link
  swapped in meanwhile fails) and O_NONBLOCK (a FIFO cannot block the grader), and fstat on the
  open descriptor must still say "regular file". A folder is opened with O_NOFOLLOW and its
  files are opened relative to that descriptor, so a path component swapped for a link cannot
  redirect a read either.
- **Reading is bounded while reading**: at most cap + 1 bytes of any file, never the whole
  file first; a cap on each file, on the whole submission and on the number of files, all
  checked from fstat sizes before anything is read and again on the bytes actually read.

`read_sources` is the one reader: grading (`grader.submission`) and the gradebook's content hash
(`grader.batch.discover.content_hash`) both go through it.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .names import label

#: the largest .py or .ipynb file graded (a notebook's outputs count: clear large ones)
MAX_FILE_BYTES = 2 * 1024 * 1024
#: the largest total of all the files of one submission
MAX_SUBMISSION_BYTES = 10 * 1024 * 1024
#: the most .py/.ipynb files a folder submission may hold
MAX_SUBMISSION_FILES = 50
#: the most entries (of any kind) read from a folder submission while looking for its files
MAX_FOLDER_ENTRIES = 10_000
SOURCE_SUFFIXES = (".py", ".ipynb")

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_FILE_FLAGS = (os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
               | getattr(os, "O_NOCTTY", 0))
_FOLDER_FLAGS = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_CHUNK = 1 << 20


class Refused(Exception):
    """A submission, or one of its files, that is not graded.

    `where` is the clean label of the file or folder; `reason_code` a message code (under
    `unreadable.`) that `facts` fill in."""

    def __init__(self, where: str, reason_code: str, **facts: object) -> None:
        super().__init__(f"{where}: {reason_code}")
        self.where = where
        self.reason_code = reason_code
        self.facts = facts


@dataclass(frozen=True)
class SourceFile:
    #: the name on disk (for a folder: inside it); may hold the surrogate escapes of a non-UTF-8 name
    name: str
    data: bytes = field(repr=False)

    @property
    def label(self) -> str:
        return label(self.name)


def is_source_name(name: str) -> bool:
    """A .py or .ipynb name that is not hidden (editors' and Jupyter's own files are)."""
    return not name.startswith(".") and os.path.splitext(name)[1] in SOURCE_SUFFIXES


def size_text(size: int) -> str:
    """A byte count as people read it: "37 bytes", "512 KiB", "2 MiB", "3.0 GiB"."""
    if size < 1024:
        return f"{size} bytes"
    scaled = float(size)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        scaled /= 1024
        if scaled < 1024 or unit == "TiB":
            return f"{scaled:.0f} {unit}" if scaled == int(scaled) else f"{scaled:.1f} {unit}"
    raise AssertionError("unreachable")


def _not_regular(where: str, mode: int) -> Refused:
    if stat.S_ISLNK(mode):
        return Refused(where, "unreadable.link")
    if stat.S_ISFIFO(mode):
        return Refused(where, "unreadable.fifo")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return Refused(where, "unreadable.device")
    if stat.S_ISSOCK(mode):
        return Refused(where, "unreadable.socket")
    return Refused(where, "unreadable.not_regular")


def _os_error(where: str, exc: OSError) -> Refused:
    return Refused(where, "unreadable.os_error", detail=exc.strerror or type(exc).__name__)


def _open_error(where: str, exc: OSError) -> Refused:
    """ELOOP from O_NOFOLLOW: the entry became a link after it was examined."""
    return Refused(where, "unreadable.link") if exc.errno == errno.ELOOP else _os_error(where, exc)


def _too_large(where: str, size: int) -> Refused:
    return Refused(where, "unreadable.too_large", size=size_text(size), limit=size_text(MAX_FILE_BYTES))


def _read_bounded(fd: int, limit: int) -> bytes:
    """At most `limit` bytes from `fd`: what a file of any size costs to look at."""
    chunks = bytearray()
    while len(chunks) < limit:
        chunk = os.read(fd, min(_CHUNK, limit - len(chunks)))
        if not chunk:
            break
        chunks += chunk
    return bytes(chunks)


def _read_file(where: str, name: str, dir_fd: int | None, budget: int) -> bytes:
    """The bytes of the regular file `name` (relative to `dir_fd`), or Refused.

    `budget` is what the submission may still read in all; past it the whole submission is
    refused (the caller says so with the total)."""
    try:
        before = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except OSError as exc:
        raise _os_error(where, exc) from None
    if not stat.S_ISREG(before.st_mode):
        raise _not_regular(where, before.st_mode)
    if before.st_size > MAX_FILE_BYTES:
        raise _too_large(where, before.st_size)
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
    except OSError as exc:  # ELOOP: it became a link since the lstat
        raise _open_error(where, exc) from None
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode):
            raise _not_regular(where, now.st_mode)
        data = _read_bounded(fd, min(MAX_FILE_BYTES, budget) + 1)
    except OSError as exc:
        raise _os_error(where, exc) from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:  # it grew since the fstat
        raise _too_large(where, max(now.st_size, len(data)))
    return data


def list_source_names(folder: str | os.PathLike[str], dir_fd: int | None = None) -> list[str]:
    """The names of a folder's .py/.ipynb entries that are not folders (links, FIFOs and devices
    included, so that they can be refused by name), sorted; not hidden ones, not in sub-folders.

    Refused when the folder holds more than MAX_FOLDER_ENTRIES entries."""
    names = []
    where = label(folder)
    try:
        with os.scandir(dir_fd if dir_fd is not None else folder) as entries:
            for count, entry in enumerate(entries, 1):
                if count > MAX_FOLDER_ENTRIES:
                    raise Refused(where, "unreadable.too_many_entries", limit=MAX_FOLDER_ENTRIES)
                if is_source_name(entry.name) and not entry.is_dir(follow_symlinks=False):
                    names.append(entry.name)
    except OSError as exc:
        raise _os_error(where, exc) from None
    return sorted(names)


def _read_folder(folder: Path) -> list[SourceFile]:
    where = label(folder)
    try:
        fd = os.open(folder, _FOLDER_FLAGS)
    except OSError as exc:
        raise _open_error(where, exc) from None
    try:
        names = list_source_names(folder, fd)
        if len(names) > MAX_SUBMISSION_FILES:
            raise Refused(where, "unreadable.too_many_files", count=len(names), limit=MAX_SUBMISSION_FILES)
        total = 0
        for name in names:  # the sizes first: 150 files of 2 MiB are refused before any is read
            try:
                info = os.stat(name, dir_fd=fd, follow_symlinks=False)
            except OSError:
                continue  # gone meanwhile: the read below says so
            total += info.st_size if stat.S_ISREG(info.st_mode) else 0
        if total > MAX_SUBMISSION_BYTES:
            raise _total_too_large(where, total)
        files, read = [], 0
        for name in names:
            data = _read_file(label(folder / name), name, fd, MAX_SUBMISSION_BYTES - read)
            read += len(data)
            if read > MAX_SUBMISSION_BYTES:  # files that grew since their sizes were added up
                raise _total_too_large(where, read)
            files.append(SourceFile(name, data))
        return files
    finally:
        os.close(fd)


def _total_too_large(where: str, total: int) -> Refused:
    return Refused(where, "unreadable.submission_too_large", size=size_text(total),
                   limit=size_text(MAX_SUBMISSION_BYTES))


def read_sources(path: str | os.PathLike[str]) -> list[SourceFile]:
    """The source files of a submission (a file, or a folder of .py/.ipynb files), read safely.

    Raises FileNotFoundError when there is nothing at `path`, Refused when it or one of its files
    is not something the grader reads (see the module doc)."""
    path = Path(path)
    info = os.lstat(path)
    if stat.S_ISDIR(info.st_mode):
        return _read_folder(path)
    where = label(path)
    if not stat.S_ISREG(info.st_mode):
        raise _not_regular(where, info.st_mode)
    return [SourceFile(path.name, _read_file(where, str(path), None, MAX_SUBMISSION_BYTES))]
