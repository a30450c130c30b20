"""Read a submission from disk into plain sources for the worker: the grader never imports it.

A submission is a .py file or a folder of them. Whatever cannot be read (not UTF-8, a binary,
empty) becomes a readable error for that submission, never an exception in the grader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

MAX_SOURCE_BYTES = 2 * 1024 * 1024
_TORCH = re.compile(r"^\s*(import\s+torch|from\s+torch)", re.MULTILINE)
_MODULE_NAME = re.compile(r"[^0-9A-Za-z_]")


@dataclass
class Submission:
    path: Path
    modules: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None
    error_facts: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.stem if self.path.is_file() else self.path.name

    @property
    def needs_torch(self) -> bool:
        return any(_TORCH.search(m["source"]) for m in self.modules)


def module_name(stem: str) -> str:
    name = _MODULE_NAME.sub("_", stem) or "submission"
    return name if not name[0].isdigit() else f"m_{name}"


def _read_source(path: Path) -> tuple[str | None, str | None]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"
    if len(data) > MAX_SOURCE_BYTES:
        return None, f"larger than {MAX_SOURCE_BYTES // 1024} KiB"
    if b"\0" in data:
        return None, "a binary file, not Python source"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text (byte {exc.start})"


def load_submission(path: str | Path) -> Submission:
    path = Path(path)
    submission = Submission(path=path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix == ".py" and p.is_file())
    elif path.is_file():
        files = [path]
    else:
        submission.error = "submission_missing"
        submission.error_facts = {"path": str(path)}
        return submission
    if not files:
        submission.error = "submission_empty"
        submission.error_facts = {"path": str(path)}
        return submission
    for file in files:
        source, problem = _read_source(file)
        if problem:
            submission.error = "submission_unreadable"
            submission.error_facts = {"path": str(file), "reason": problem}
            return submission
        assert source is not None
        submission.modules.append({"name": module_name(file.stem), "filename": file.name,
                                   "source": source})
    if all(not m["source"].strip() for m in submission.modules):
        submission.error = "submission_empty"
        submission.error_facts = {"path": str(path)}
    return submission
