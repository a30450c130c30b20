"""Read a submission from disk into plain sources for the worker: the grader never imports it.

A submission is a .py file, a Jupyter notebook (.ipynb, turned into a module by
`grader.submission.ipynb`: magics dropped, slow top-level code not run), or a folder of them, read by
`grader.submission.files` (its own regular files only, bounded while read). Whatever cannot be
read (a link, too large, not in its encoding, not JSON, a binary, empty, nested too deeply)
becomes a readable error for that submission, never an exception in the grader.

Python sources are decoded as Python itself would import them (PEP 263): UTF-8, or the encoding
a `# -*- coding: gbk -*-` line declares on one of the first two lines (the rules of
`tokenize.detect_encoding`). The worker imports the decoded text itself, so what is graded is
exactly what Python would have run. Notebooks are JSON, which is always UTF-8.
"""

from __future__ import annotations

import io
import os
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from .names import label
from .ipynb import NotebookError, NotebookModule, notebook_module
from .files import SOURCE_SUFFIXES, Refused, SourceFile, list_source_names, read_sources
from ..facts import Facts, Note

_TORCH = re.compile(r"^\s*(import\s+torch|from\s+torch)", re.MULTILINE)
_MODULE_NAME = re.compile(r"[^0-9A-Za-z_]")
#: PEP 263's declaration, to name the encoding a file declares when Python cannot use it
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.ASCII)
#: dropped notebook statements listed one by one in the feedback; the rest are counted
MAX_LISTED_DROPS = 8

__all__ = ["SOURCE_SUFFIXES", "SourceFile", "Submission", "load_submission", "module_name", "read_submission",
           "source_files", "submission_from_files"]


@dataclass
class Submission:
    path: Path
    modules: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None
    error_facts: Facts = field(default_factory=dict)
    #: things the student should know that are not a grade (code of a notebook not run): code+facts
    notes: list[Note] = field(default_factory=list)
    #: worker-side file name ("alice.py") -> (notebook file name, its module) for error locations
    notebooks: dict[str, tuple[str, NotebookModule]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.stem if self.path.is_file() else self.path.name

    @property
    def label(self) -> str:
        """The submission's path as it may be shown or stored (see grader.submission.names)."""
        return label(self.path)

    @property
    def needs_torch(self) -> bool:
        return any(_TORCH.search(m["source"]) for m in self.modules)

    def locate(self, file: str | None, line: int) -> Facts | None:
        """Facts that point into a notebook (file, cell, line in cell) for a line of its module."""
        for worker_name, (notebook, module) in self.notebooks.items():
            if file in (worker_name, notebook):
                where = module.locate(line)
                if where is not None:
                    return {"file": notebook, "cell": where[0], "line": where[1]}
        return None


def module_name(stem: str) -> str:
    name = _MODULE_NAME.sub("_", stem) or "submission"
    return name if not name[0].isdigit() else f"m_{name}"


def _declared_encoding(data: bytes) -> str:
    """The encoding name a file's first two lines declare ("" if none), shortened for a message."""
    for line in data.split(b"\n", 2)[:2]:
        match = _CODING.match(line)
        if match:
            return match.group(1).decode("ascii")[:40]
    return ""


def _python_text(data: bytes) -> tuple[str | None, Facts | None]:
    """A .py file's text, decoded as Python would import it (PEP 263), or why it cannot be."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:  # an unknown encoding, a BOM contradicting the declaration, or no UTF-8
        declared = _declared_encoding(data)
        if declared:
            return None, {"reason_code": "unreadable.bad_declaration", "encoding": declared}
        encoding = "utf-8"
    try:
        return data.decode(encoding), None
    except UnicodeDecodeError as exc:
        if encoding in ("utf-8", "utf-8-sig"):
            return None, {"reason_code": "unreadable.not_utf8_source", "byte": exc.start,
                          "line": data.count(b"\n", 0, exc.start) + 1}
        return None, {"reason_code": "unreadable.not_declared_encoding", "encoding": encoding,
                      "byte": exc.start}
    except LookupError:  # a codec that is not a text encoding (rot13): Python refuses it too
        return None, {"reason_code": "unreadable.bad_declaration", "encoding": encoding[:40]}


def _notebook_text(data: bytes) -> tuple[str | None, Facts | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, {"reason_code": "unreadable.not_utf8", "byte": exc.start}


def _notebook_notes(filename: str, module: NotebookModule) -> list[Note]:
    notes: list[Note] = []
    for d in module.dropped:
        if d.kind == "syntax_error":
            notes.append({"code": "notebook.syntax_error",
                          "facts": {"file": filename, "cell": d.cell, "line": d.line, "message": d.detail}})
        elif d.kind == "too_deep":
            notes.append({"code": "notebook.too_deep", "facts": {"file": filename, "cell": d.cell}})
    others = [d for d in module.dropped if d.kind not in ("syntax_error", "too_deep")]
    if others:
        listed = [{"cell": d.cell, "line": d.line, "code": d.code} for d in others[:MAX_LISTED_DROPS]]
        notes.append({"code": "notebook.dropped",
                      "facts": {"file": filename, "count": len(others), "listed": listed,
                                "more": max(0, len(others) - MAX_LISTED_DROPS)}})
    return notes


def source_files(folder: Path) -> list[Path]:
    """The .py and .ipynb entries of a folder submission (not hidden ones, not in sub-folders;
    links included: reading refuses them by name), for watching; none when the folder cannot
    be listed (grading it says why)."""
    try:
        return [folder / name for name in list_source_names(folder)]
    except Refused:
        return []


def _failed(submission: Submission, code: str, facts: Facts) -> Submission:
    submission.error, submission.error_facts = code, facts
    return submission


def _module_source(file: SourceFile) -> tuple[str | None, NotebookModule | None, Facts | None]:
    """(the module's text, its notebook if it is one, None) or (None, None, why it is unreadable)."""
    if b"\0" in file.data:
        return None, None, {"reason_code": "unreadable.binary"}
    if not file.name.endswith(".ipynb"):
        source, problem = _python_text(file.data)
        return source, None, problem
    text, problem = _notebook_text(file.data)
    if text is None:
        return None, None, problem
    try:
        notebook = notebook_module(text)
    except NotebookError as exc:
        return None, None, {"reason_code": exc.reason_code, "detail": exc.detail, **exc.facts}
    return notebook.source, notebook, None


def read_submission(path: str | os.PathLike[str]) -> tuple[list[SourceFile], bool] | Submission:
    """The submission's files and whether it is a folder, or the Submission that says why it
    cannot be read: the half of loading that touches the disk (`grader grade --cluster` sends
    what it read to a machine that grades it with `submission_from_files`)."""
    path = Path(path)
    submission = Submission(path=path)
    try:
        files = read_sources(path)
    except FileNotFoundError:
        return _failed(submission, "submission_missing", {"path": submission.label})
    except Refused as refused:
        return _failed(submission, "submission_unreadable",
                       {"path": refused.where, "reason_code": refused.reason_code, **refused.facts})
    except OSError as exc:
        return _failed(submission, "submission_unreadable",
                       {"path": submission.label, "reason_code": "unreadable.os_error",
                        "detail": exc.strerror or type(exc).__name__})
    return files, path.is_dir()  # read_sources saw a real folder or a regular file: no link here


def load_submission(path: str | os.PathLike[str]) -> Submission:
    read = read_submission(path)
    return read if isinstance(read, Submission) else submission_from_files(Path(path), *read)


def submission_from_files(path: Path, files: list[SourceFile], in_folder: bool) -> Submission:
    """The submission made of `files`, read from `path` (a folder when `in_folder`); the path
    only names it, nothing is read from it."""
    submission = Submission(path=path)
    if not files:
        return _failed(submission, "submission_empty", {"path": submission.label})
    names: set[str] = set()
    for file in files:
        source, notebook, problem = _module_source(file)
        if problem:
            where = label(path / file.name) if in_folder else submission.label
            return _failed(submission, "submission_unreadable", {"path": where, **problem})
        assert source is not None
        name = module_name(Path(file.name).stem)
        while name in names:  # alice.py and alice.ipynb in one folder
            name += "_"
        names.add(name)
        if notebook is not None:
            submission.notebooks[name + ".py"] = (file.label, notebook)
            submission.notes += _notebook_notes(file.label, notebook)
        submission.modules.append({"name": name, "filename": file.label, "source": source})
    if all(not m["source"].strip() for m in submission.modules if not m["filename"].endswith(".ipynb")) \
            and all(not nb.has_code for _, nb in submission.notebooks.values()):
        return _failed(submission, "submission_empty", {"path": submission.label})
    return submission
