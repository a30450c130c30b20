"""When each submission was made, from where that is really recorded.

In this order (the first that knows, per student):

1. ``lms``: the LMS's own record, which `grader collect` leaves in ``CLASS/.grader-collect.json``
   (its `submitted_at`, ISO 8601 with an offset);
2. ``git``: the committer time of the last commit, when the student's folder is a git
   repository (CI, GitHub Classroom). The folder is the student's: git runs with no system or
   global configuration, no pager, no hooks, no signature checks, no prompt, on that folder's own
   `.git` (never a parent's, never through a link), with a timeout; what it prints is parsed as
   one time or ignored. A commit's time is what the student's repository says it is;
3. ``file``: the newest modification time of the submission's files, a fallback flagged in the
   report and on the terminal (a copy or an unzip may have changed it).

Nothing read here is trusted: the manifest is read bounded and type-checked, a time without a
zone is no time, and a student with none of the three has no time (no penalty; the report says so).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..submission.files import SOURCE_SUFFIXES
from .discover import MISSING, Entry
from .roster import key

MANIFEST = ".grader-collect.json"
#: the largest manifest read (a class of thousands is a few MB)
MAX_MANIFEST_BYTES = 32 * 1024 * 1024
GIT_TIMEOUT = 10.0
#: the most files looked at for a folder's newest modification time
MAX_FILES = 2000

LMS, GIT, FILE_TIME, NONE = "lms", "git", "file", "none"


@dataclass(frozen=True)
class SubmittedAt:
    when: dt.datetime | None
    source: str  # lms | git | file | none
    #: the LMS's own late marker (Canvas writes `late` into the file's name), when it has one
    lms_late: bool | None = None


@dataclass(frozen=True)
class Collected:
    """What the collect manifest says of one student: the time (None when the download does not
    hold it: Canvas's) and the LMS's late marker."""

    when: dt.datetime | None
    late_flag: bool | None


def _aware(text: object) -> dt.datetime | None:
    if not isinstance(text, str) or len(text) > 64:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None


def _read_bounded(path: Path) -> bytes | None:
    """The file's bytes, never through a link, never more than MAX_MANIFEST_BYTES; None if not."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_MANIFEST_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as stream:
            return stream.read(MAX_MANIFEST_BYTES + 1)[:MAX_MANIFEST_BYTES]
    finally:
        os.close(fd)


def manifest_times(folder: Path) -> dict[str, Collected]:
    """Each student's `submitted_at` and late flag from the class's collect manifest, by
    `roster.key` of the entry name; {} when there is none or it is not one (`grader collect`)."""
    data = _read_bounded(folder / MANIFEST)
    if data is None:
        return {}
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return {}
    if not isinstance(manifest, dict) or manifest.get("format") != "grader-collect":
        return {}
    submissions = manifest.get("submissions")
    if not isinstance(submissions, dict):
        return {}
    found: dict[str, Collected] = {}
    for name, item in submissions.items():
        if not isinstance(item, dict) or "submitted_at" not in item:
            continue
        when = _aware(item["submitted_at"])
        if when is None and item["submitted_at"] is not None:
            continue  # a time that is not one (no zone, not text): as if the LMS had said nothing
        flag = item.get("late_flag")
        found[key(str(name))] = Collected(when, flag if isinstance(flag, bool) else None)
    return found


def _git_env(home: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "LC_ALL": "C",
            "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0",
            "GIT_PAGER": "cat", "PAGER": "cat", "GIT_OPTIONAL_LOCKS": "0", "GIT_NO_REPLACE_OBJECTS": "1",
            "GIT_ASKPASS": "", "SSH_ASKPASS": ""}


def git_time(folder: Path) -> dt.datetime | None:
    """The committer time of the last commit of the repository `folder/.git` (a real folder,
    not a link or a `gitdir:` file); None when there is none, git is missing or does not answer."""
    folder = Path(os.path.abspath(folder))  # git runs in a folder of its own
    dot_git = folder / ".git"
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode) or not stat.S_ISDIR(os.lstat(dot_git).st_mode):
            return None
    except OSError:
        return None
    command = ["git", "--no-pager", "--git-dir", str(dot_git), "--work-tree", str(folder),
               "-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "-c", "log.showSignature=false",
               "-c", f"safe.directory={folder}", "-c", "core.pager=cat",
               "log", "-1", "--no-show-signature", "--no-color", "--format=%cI"]
    with tempfile.TemporaryDirectory(prefix="grader-git-") as home:
        try:
            done = subprocess.run(command, env=_git_env(home), cwd=home, stdin=subprocess.DEVNULL,
                                  capture_output=True, timeout=GIT_TIMEOUT, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
    if done.returncode != 0:
        return None
    lines = done.stdout[:200].decode("ascii", "replace").splitlines()
    return _aware(lines[0]) if lines else None


def file_time(path: Path) -> dt.datetime | None:
    """The newest modification time of the submission's regular files (never through a link)."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    newest: float | None = info.st_mtime if stat.S_ISREG(info.st_mode) else None
    if stat.S_ISDIR(info.st_mode):
        seen = 0
        for root, dirs, files in os.walk(path, followlinks=False):
            dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
            for name in files:
                seen += 1
                if seen > MAX_FILES:
                    break
                try:
                    child = os.lstat(os.path.join(root, name))
                except OSError:
                    continue
                if stat.S_ISREG(child.st_mode):
                    newest = child.st_mtime if newest is None else max(newest, child.st_mtime)
    if newest is None:
        return None
    return dt.datetime.fromtimestamp(newest, dt.timezone.utc)


def submission_time(entry: Entry, from_lms: dict[str, Collected]) -> SubmittedAt:
    """When `entry` was submitted, and where that came from (module docstring); of several
    entries for one student, the latest. A student the LMS download brought but whose time it
    does not hold has no time (never the file's: that is when the archive was unpacked), only
    the LMS's late marker."""
    if entry.kind == MISSING or not entry.paths:
        return SubmittedAt(None, NONE)
    names = [key(entry.student)] + [key(p.name if p.suffix not in SOURCE_SUFFIXES else p.stem)
                                    for p in entry.paths]
    collected = [found for found in (from_lms.get(name) for name in names) if found is not None]
    for found in collected:
        if found.when is not None:
            return SubmittedAt(found.when, LMS, found.late_flag)
    if collected:
        return SubmittedAt(None, LMS, collected[0].late_flag)
    commits = [t for t in (git_time(p) for p in entry.paths) if t is not None]
    if commits:
        return SubmittedAt(max(commits), GIT)
    files = [t for t in (file_time(p) for p in entry.paths) if t is not None]
    return SubmittedAt(max(files), FILE_TIME) if files else SubmittedAt(None, NONE)
