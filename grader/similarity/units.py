"""Split a submission's modules into the units compared: one per exercise function, one for the rest.

An exercise function is a top-level `def` whose name is an exercise id; when a submission
defines it twice (two cells of a notebook, two files of a folder) the last definition counts, as
it would when the module runs. Everything else that computes (helper functions and classes,
top-level statements) is the unit OTHER; imports are not compared, they only tell what names mean.

A module that does not parse is cut into its top-level blocks (a `def`, a `class`, decorators
with what they decorate, other statements), and each block is parsed alone: a syntax error in one
function costs only that block, which is listed among the submission's notes. Parsing is bounded:
the parser's own recursion and memory errors on absurdly nested code are caught and noted too.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

from ..submission.ipynb import GUARD
from .tokens import import_aliases

OTHER = "(other code)"
#: where a top-level block starts when a module with a syntax error is cut into blocks
_BLOCK_START = re.compile(r"^(?!(?:else|elif|except|finally)\b)[@A-Za-z_]")
_PARSE_FAILURES = (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError)
#: an import inside a block (a function that imports torch): only then are statements searched
_NESTED_IMPORT = re.compile(r"^[ \t]+(?:import|from)\s", re.MULTILINE)


@dataclass
class Unit:
    name: str
    #: (module index, statement) pairs in source order
    statements: list[tuple[int, ast.stmt]] = field(default_factory=list)

    def extents(self) -> list[tuple[int, int, int]]:
        """(module, first line, last line) of each statement, decorators included."""
        out = []
        for module, stmt in self.statements:
            first = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])
            out.append((module, first, stmt.end_lineno or stmt.lineno))
        return out


@dataclass
class Split:
    units: dict[str, Unit]
    aliases: dict[str, str]
    helpers: set[str]
    #: problems met while parsing: {"code": message code, "facts": {...}}
    notes: list[dict[str, Any]] = field(default_factory=list)


def _note(code: str, **facts: Any) -> dict[str, Any]:
    return {"code": code, "facts": facts}


def _failure_facts(exc: BaseException, filename: str, offset: int = 0) -> dict[str, Any]:
    if isinstance(exc, SyntaxError):
        return {"file": filename, "line": (exc.lineno or 1) + offset, "message": str(exc.msg or "")[:200]}
    return {"file": filename, "line": offset + 1, "message": type(exc).__name__}


def _blocks(source: str) -> list[tuple[int, str]]:
    """The top-level blocks of a module as (first line − 1, text)."""
    lines = source.splitlines()
    starts = [i for i, line in enumerate(lines)  # a decorator stays with what it decorates
              if _BLOCK_START.match(line) and not (i and lines[i - 1].startswith("@"))]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    bounds = starts + [len(lines)]
    return [(bounds[i], "\n".join(lines[bounds[i]:bounds[i + 1]])) for i in range(len(starts))]


def parse_module(source: str, filename: str, notes: list[dict[str, Any]]) -> list[ast.stmt]:
    """The module's top-level statements; blocks that do not parse are noted and left out."""
    try:
        return ast.parse(source).body
    except _PARSE_FAILURES as exc:
        if not isinstance(exc, SyntaxError):
            notes.append(_note("similarity.too_complex", **_failure_facts(exc, filename)))
            return []
    statements: list[ast.stmt] = []
    for offset, text in _blocks(source):
        try:
            tree = ast.parse(text)
        except _PARSE_FAILURES as exc:
            code = "similarity.syntax_error" if isinstance(exc, SyntaxError) else "similarity.too_complex"
            notes.append(_note(code, **_failure_facts(exc, filename, offset)))
            continue
        ast.increment_lineno(tree, offset)
        statements += tree.body
    return statements


def split_units(modules: list[dict[str, str]], exercises: frozenset[str]) -> Split:
    """`modules` as `grader.submission` reads them: {"name", "filename", "source"} each."""
    notes: list[dict[str, Any]] = []
    parsed = [parse_module(m["source"], m["filename"], notes) for m in modules]
    aliases: dict[str, str] = {}
    helpers: set[str] = set()
    units: dict[str, Unit] = {}
    other = Unit(OTHER)
    for index, statements in enumerate(parsed):
        deep = bool(_NESTED_IMPORT.search(modules[index]["source"]))
        for stmt in statements:
            try:
                aliases.update(import_aliases(stmt, deep))
            except RecursionError:
                pass
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                continue
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name in exercises:
                units[stmt.name] = Unit(stmt.name, [(index, stmt)])
                continue
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if stmt.name == GUARD:
                    continue  # added by grader.submission.ipynb, not written by the student
                helpers.add(stmt.name)
            other.statements.append((index, stmt))
    if other.statements:
        units[OTHER] = other
    return Split(units, aliases, helpers, notes)


__all__ = ["OTHER", "Unit", "Split", "split_units", "parse_module"]
