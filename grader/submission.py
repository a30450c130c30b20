"""Read a submission from disk into plain sources for the worker: the grader never imports it.

A submission is a .py file, a Jupyter notebook (.ipynb, turned into a module by
`grader.notebook`: magics dropped, slow top-level code not run), or a folder of them. Whatever
cannot be read (not UTF-8, not JSON, a binary, empty) becomes a readable error for that
submission, never an exception in the grader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .notebook import NotebookError, NotebookModule, notebook_module

MAX_SOURCE_BYTES = 2 * 1024 * 1024
_TORCH = re.compile(r"^\s*(import\s+torch|from\s+torch)", re.MULTILINE)
_MODULE_NAME = re.compile(r"[^0-9A-Za-z_]")
SOURCE_SUFFIXES = (".py", ".ipynb")
#: dropped notebook statements listed one by one in the feedback; the rest are counted
MAX_LISTED_DROPS = 8


@dataclass
class Submission:
    path: Path
    modules: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None
    error_facts: dict[str, Any] = field(default_factory=dict)
    #: things the student should know that are not a grade (code of a notebook not run): code+facts
    notes: list[dict[str, Any]] = field(default_factory=list)
    #: worker-side file name ("alice.py") -> (notebook file name, its module) for error locations
    notebooks: dict[str, tuple[str, NotebookModule]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.stem if self.path.is_file() else self.path.name

    @property
    def needs_torch(self) -> bool:
        return any(_TORCH.search(m["source"]) for m in self.modules)

    def locate(self, file: str | None, line: Any) -> dict[str, Any] | None:
        """Facts that point into a notebook (file, cell, line in cell) for a line of its module."""
        for worker_name, (notebook, module) in self.notebooks.items():
            if file in (worker_name, notebook) and isinstance(line, int):
                where = module.locate(line)
                if where is not None:
                    return {"file": notebook, "cell": where[0], "line": where[1]}
        return None


def module_name(stem: str) -> str:
    name = _MODULE_NAME.sub("_", stem) or "submission"
    return name if not name[0].isdigit() else f"m_{name}"


def _read_source(path: Path, data: bytes | None) -> tuple[str | None, dict[str, Any] | None]:
    """The file's text, or the facts of why it cannot be read (`reason_code` is a message code)."""
    if data is None:
        return None, {"reason_code": "unreadable.os_error"}
    if len(data) > MAX_SOURCE_BYTES:
        return None, {"reason_code": "unreadable.too_large", "limit": MAX_SOURCE_BYTES // 1024}
    if b"\0" in data:
        return None, {"reason_code": "unreadable.binary"}
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, {"reason_code": "unreadable.not_utf8", "byte": exc.start}


def _read_bytes(path: Path) -> tuple[bytes | None, str]:
    try:
        return path.read_bytes(), ""
    except OSError as exc:
        return None, str(exc.strerror or exc)


def _notebook_notes(filename: str, module: NotebookModule) -> list[dict[str, Any]]:
    notes: list[dict[str, Any]] = []
    skipped = [d for d in module.dropped if d.kind == "syntax_error"]
    for d in skipped:
        notes.append({"code": "notebook.syntax_error",
                      "facts": {"file": filename, "cell": d.cell, "line": d.line, "message": d.detail}})
    others = [d for d in module.dropped if d.kind != "syntax_error"]
    if others:
        listed = [{"cell": d.cell, "line": d.line, "code": d.code} for d in others[:MAX_LISTED_DROPS]]
        notes.append({"code": "notebook.dropped",
                      "facts": {"file": filename, "count": len(others), "listed": listed,
                                "more": max(0, len(others) - MAX_LISTED_DROPS)}})
    return notes


def source_files(folder: Path) -> list[Path]:
    """The .py and .ipynb files of a folder submission (not hidden ones, not in sub-folders)."""
    return sorted(p for p in folder.iterdir()
                  if p.suffix in SOURCE_SUFFIXES and p.is_file() and not p.name.startswith("."))


def load_submission(path: str | Path) -> Submission:
    path = Path(path)
    submission = Submission(path=path)
    if path.is_dir():
        files = source_files(path)
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
    names: set[str] = set()
    for file in files:
        data, os_error = _read_bytes(file)
        source, problem = _read_source(file, data)
        if source is not None and file.suffix == ".ipynb":
            try:
                notebook = notebook_module(source)
            except NotebookError as exc:
                source, problem = None, {"reason_code": exc.reason_code, "detail": exc.detail}
            else:
                source = notebook.source
        if problem:
            submission.error = "submission_unreadable"
            submission.error_facts = {"path": str(file), "detail": os_error, **problem}
            return submission
        assert source is not None
        name = module_name(file.stem)
        while name in names:  # alice.py and alice.ipynb in one folder
            name += "_"
        names.add(name)
        if file.suffix == ".ipynb":
            submission.notebooks[name + ".py"] = (file.name, notebook)
            submission.notes += _notebook_notes(file.name, notebook)
        submission.modules.append({"name": name, "filename": file.name, "source": source})
    if all(not m["source"].strip() for m in submission.modules if not m["filename"].endswith(".ipynb")) \
            and all(not nb.has_code for _, nb in submission.notebooks.values()):
        submission.error = "submission_empty"
        submission.error_facts = {"path": str(path)}
    return submission
