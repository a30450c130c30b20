"""The course secret: what keeps the instructor's inputs out of every student pack.

A student pack ships the reference's answers on the public inputs (plans drawn with the seed
every grader knows, the spec's fixed edge cases), keyed by input. So the instructor's grade is
computed on other inputs: drawn with a seed derived from a random secret, with the edge cases
moved by numbers derived from it too (grader.plan.private). The secret is created once per
course, kept beside the instructor's exercise set and never packed. This module finds, creates
and loads it, and derives from it the private seed, the numbers that move the edge cases, and a
fingerprint that may be shown anywhere: it names the secret without revealing anything of it.

Where the secret is (the first that exists wins):

1. ``$GRADER_SECRET``: the secret itself, as hex, for a CI job's secret variable; the private
   inputs are then drawn on that machine, into the grader's cache;
2. ``$GRADER_PRIVATE_DIR``: the private folder, holding ``secret`` and the private inputs
   pinned from it (``plans/``);
3. beside a custom exercise set (``--exercises DIR``): ``DIR/.grader-private/``;
4. for the set installed with the grader: ``$XDG_DATA_HOME/grader/private/`` (by default
   ``~/.local/share/grader/private/``), since site-packages is no place for it.

The folder is the unit that travels (to a TA's laptop, into the Gradescope autograder): the
secret and the inputs pinned from it, so that every copy grades on the same inputs whatever
Hypothesis and NumPy it has. It is created 0700 with a ``.gitignore`` of ``*`` inside, so git
never commits it by accident.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets as _random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .spec import SpecError

KEY_BYTES = 32
SECRET_ENV = "GRADER_SECRET"
FOLDER_ENV = "GRADER_PRIVATE_DIR"
PRIVATE_DIR = ".grader-private"
SECRET_FILE = "secret"
PLANS_DIR = "plans"
_HEX = re.compile(r"^[0-9a-fA-F]{64,}$")


class SecretError(SpecError):
    """A secret that exists but cannot be used (malformed, unreadable): never silently ignored,
    since grading on public inputs instead would let a pack buy the grade."""


@dataclass(frozen=True)
class Secret:
    """A course secret, and where the private inputs made from it are pinned."""

    key: bytes = field(repr=False)
    #: the private folder (None for $GRADER_SECRET: the inputs then go to the cache)
    folder: Path | None
    #: where it was found, for messages: a path, or "$GRADER_SECRET"
    source: str

    def derive(self, *labels: str) -> bytes:
        """32 bytes that depend on the secret and on `labels`, and reveal neither."""
        message = "\x1f".join(("grader", *labels)).encode("utf-8")
        return hmac.new(self.key, message, hashlib.sha256).digest()

    @property
    def seed(self) -> int:
        """The seed of the private drawn inputs (never shown: see `label`)."""
        return int.from_bytes(self.derive("seed")[:4], "big")

    @property
    def fingerprint(self) -> str:
        """A short public name of the secret: which secret graded, nothing about its inputs."""
        return self.derive("fingerprint").hex()[:12]

    @property
    def label(self) -> str:
        """What reports, feedback and the gradebook show where they would show a seed."""
        return f"private:{self.fingerprint}"

    def uniforms(self, *labels: str) -> Iterator[float]:
        """An endless stream of numbers in [0, 1) from the secret and `labels`: the same on
        every machine whatever NumPy it has (HMAC in counter mode, 53 bits per number)."""
        counter = 0
        while True:
            block = self.derive(*labels, str(counter))
            for start in range(0, len(block) - 7, 8):
                yield (int.from_bytes(block[start:start + 8], "big") >> 11) / float(1 << 53)
            counter += 1

    def private_plans(self) -> Path | None:
        """Where the private inputs are pinned, or None for a secret given by value."""
        return self.folder / PLANS_DIR if self.folder is not None else None


def _data_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "grader" / "private"


def is_shipped(exercise_root: Path) -> bool:
    """Whether `exercise_root` is the set installed with the grader (its secret cannot live
    there: site-packages, or a checkout shared through git)."""
    from .spec.loader import shipped_set

    shipped = shipped_set()
    try:
        return shipped is not None and exercise_root.resolve() == shipped.root
    except OSError:
        return False


def private_folder(exercise_root: Path) -> Path:
    """The private folder of an exercise set by the rules above ($GRADER_SECRET aside)."""
    configured = os.environ.get(FOLDER_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    if is_shipped(exercise_root):
        return _data_home().resolve()
    return (exercise_root / PRIVATE_DIR).resolve()


def _parse(text: str, where: str) -> bytes:
    value = text.strip()
    if not _HEX.match(value) or len(value) % 2:
        raise SecretError(f"{where}: not a course secret (expected {2 * KEY_BYTES} or more hex "
                          f"digits, as `grader secret init` writes)")
    return bytes.fromhex(value)


def find_secret(exercise_root: Path) -> Secret | None:
    """The secret of the exercise set at `exercise_root`, or None when there is none."""
    value = os.environ.get(SECRET_ENV)
    if value:
        return Secret(_parse(value, f"${SECRET_ENV}"), None, f"${SECRET_ENV}")
    return find_secret_in(private_folder(exercise_root))


def find_secret_in(folder: Path) -> Secret | None:
    """The secret stored in a private folder, or None when it holds none."""
    path = folder / SECRET_FILE
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretError(f"{path}: cannot read the course secret: {exc}") from None
    return Secret(_parse(text, str(path)), folder, str(path))


def create_secret(folder: Path) -> Secret:
    """Create a new secret in `folder` (0700, with a .gitignore of "*"); never overwrites one."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# The course secret and the private inputs made from it: never commit.\n*\n",
                          encoding="utf-8")
    path = folder / SECRET_FILE
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".secret.")  # 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(_random.token_hex(KEY_BYTES) + "\n")
        try:
            os.link(tmp, path)  # refuses to replace: a secret made meanwhile stands
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)
    found = find_secret_in(folder)
    assert found is not None
    return found


def ensure_secret(exercise_root: Path) -> tuple[Secret, bool]:
    """The set's secret, created where the rules put it when there is none; (secret, created)."""
    found = find_secret(exercise_root)
    if found is not None:
        return found, False
    return create_secret(private_folder(exercise_root)), True
