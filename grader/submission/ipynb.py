"""Turn a Jupyter notebook into one Python module the worker can import quickly.

The rule (documented in docs/batch.md), applied to the code cells in order:

- Markdown and raw cells are ignored.
- IPython syntax is removed: line magics (`%matplotlib inline`), shell lines (`!pip install x`,
  `files = !ls`), help lines (`np.exp?`). A cell magic keeps its Python body when it only times
  or captures it (`%%time`, `%%timeit`, `%%capture`, `%%prun`); any other (`%%bash`,
  `%%writefile`, …) drops the whole cell.
- At the top level of a cell only these statements are kept: imports (except of display-only
  modules: matplotlib, seaborn, IPython, ipywidgets, plotly, bokeh); `def` and `class`;
  assignments whose right-hand side calls nothing but imported names or cheap built-ins
  (`alpha = 0.01`, `rng = np.random.default_rng(0)`, `relu = lambda x: np.maximum(x, 0)`);
  `if`/`try` blocks made only of such statements. A kept `name = <a call>` is computed through a
  guard: if it fails (a data file that is not there when grading) the name is None, instead of
  the whole notebook failing to import. Everything else (loops, calls such as
  `train(model)` or `plt.plot(...)`, `with` blocks, assignments that call the notebook's own
  functions like `losses = train(...)`) is not run when grading, so a notebook that trains for
  minutes imports in milliseconds. Function bodies are never touched.
- A cell that is not valid Python (once IPython syntax is removed), or nested too deeply for
  Python's parser, is skipped.

A notebook is untrusted data parsed in the grader's own process, so parsing is bounded: JSON
nested deeper than MAX_JSON_DEPTH (metadata or a cell, anywhere) is refused before nbformat sees
it, and the RecursionError or MemoryError a parser raises on hostile nesting becomes a readable
error (a refused notebook, or a skipped cell), never an exception out of the grader.

Every removal is recorded (cell number, line, the code) so the feedback can say what was not run.
Line numbers of the module keep a map back to (cell, line in cell) for error messages.
"""

from __future__ import annotations

import ast
import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any

#: cell magics whose body is ordinary Python that we may still filter and keep
PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%capture", "%%prun")
#: built-ins cheap enough to call at the top level of a kept assignment
CHEAP_BUILTINS = frozenset({
    "abs", "bool", "complex", "dict", "float", "frozenset", "int", "len", "list", "max", "min",
    "object", "range", "round", "set", "slice", "str", "tuple", "type", "zip", "enumerate",
})
#: modules only for showing things in a notebook: their top-level imports are not run (importing
#: matplotlib costs a worker more than grading a whole submission)
DISPLAY_MODULES = frozenset({"matplotlib", "seaborn", "IPython", "ipywidgets", "plotly", "bokeh"})
_ASSIGN_FROM_SHELL = re.compile(r"^\s*[\w.,\s\[\]()*]+=\s*[!%]")
#: the notebook's own self-check magics, dropped silently when grading
_SELF_CHECK_MAGIC = re.compile(r"^\s*%(grade\b|(re)?load_ext\s+grader\s*$)")
#: half of a UTF-16 pair on its own: JSON can write one (`"\ud800"`), no text file can hold one
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_HELP = re.compile(r"^\s*(\?\??[\w.]+|[\w.]+\?\??)\s*$")
#: the deepest nesting of JSON arrays and objects read from a notebook (real ones stay under ~15;
#: the JSON parser and nbformat recurse per level, so hostile depth must be refused first)
MAX_JSON_DEPTH = 64


class NotebookError(ValueError):
    """The file is not a notebook we can read; `reason_code` is a message code."""

    def __init__(self, reason_code: str, detail: str = "", **facts: object) -> None:
        super().__init__(f"{reason_code}: {detail}")
        self.reason_code = reason_code
        self.detail = detail
        self.facts = facts


@dataclass
class Dropped:
    """Code of a notebook that is not run when grading."""

    cell: int
    line: int
    kind: str  # "statement", "magic", "cell_magic", "syntax_error", "too_deep"
    code: str
    detail: str = ""


@dataclass
class NotebookModule:
    source: str
    #: (first line of a code cell in `source`, that cell's number), sorted by line
    cell_starts: list[tuple[int, int]] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    code_cells: int = 0
    #: some code cell holds more than whitespace (kept or not)
    has_code: bool = False

    def locate(self, line: int) -> tuple[int, int] | None:
        """(cell number, line within the cell) for a line of `source`, or None (a header)."""
        starts = [s for s, _ in self.cell_starts]
        i = bisect.bisect_right(starts, line) - 1
        if i < 0:
            return None
        start, cell = self.cell_starts[i]
        return cell, line - start + 1


def _deeper_than(value: object, limit: int) -> bool:
    """True when JSON arrays/objects in `value` nest more than `limit` levels (no recursion)."""
    pending = [(value, 1)]
    while pending:
        current, depth = pending.pop()
        if depth > limit:
            return True
        children = current.values() if isinstance(current, dict) else current if isinstance(current, list) else ()
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def read_notebook(text: str) -> list[dict[str, Any]]:
    """The cells of a notebook (nbformat 4, upgraded from 3), as dicts with str sources."""
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise NotebookError("unreadable.not_json", str(exc)[:200]) from None
    except (RecursionError, MemoryError):  # the parser's own recursion gave up on the nesting
        raise NotebookError("unreadable.too_deep", limit=MAX_JSON_DEPTH) from None
    if isinstance(raw, (dict, list)) and _deeper_than(raw, MAX_JSON_DEPTH):
        raise NotebookError("unreadable.too_deep", limit=MAX_JSON_DEPTH)
    if not isinstance(raw, dict) or not isinstance(raw.get("cells", raw.get("worksheets")), list):
        raise NotebookError("unreadable.not_notebook")
    import nbformat  # ~0.15 s: only when a notebook is actually read

    try:
        notebook = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises a zoo of errors on malformed notebooks
        raise NotebookError("unreadable.not_notebook", str(exc)[:200]) from None
    cells: list[dict[str, Any]] = []
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(str(s) for s in source)
        source = str(source)
        found = _LONE_SURROGATE.search(source)
        if found is not None:  # Python's parser, like every editor, cannot encode it
            raise NotebookError("unreadable.lone_surrogate", cell=len(cells) + 1,
                                character=f"\\u{ord(found.group()):04x}")
        cells.append({"cell_type": cell.get("cell_type"), "source": source})
    return cells


def _snippet(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= 70 else first[:69] + "…"


def _strip_ipython(lines: list[str], cell: int, dropped: list[Dropped]) -> list[str] | None:
    """Blank out IPython-only lines; None when the whole cell is a non-Python cell magic."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        magic = lines[first].split()[0]
        if magic not in PYTHON_CELL_MAGICS:
            dropped.append(Dropped(cell, first + 1, "cell_magic", _snippet(lines[first])))
            return None
        lines = list(lines)
        lines[first] = ""
    out = []
    for number, line in enumerate(lines, 1):
        stripped = line.lstrip()
        if _SELF_CHECK_MAGIC.match(line):  # `%load_ext grader`, `%grade`: the notebook's self-check
            out.append("")
        elif stripped.startswith(("%", "!")) or _ASSIGN_FROM_SHELL.match(line) or _HELP.match(line):
            dropped.append(Dropped(cell, number, "magic", _snippet(line)))
            out.append("")
        else:
            out.append(line)
    return out


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    if isinstance(node, ast.Call):  # np.random.default_rng(0).normal: judge the inner call too
        return _root_name(node.func)
    return node.id if isinstance(node, ast.Name) else None


def _cheap(node: ast.AST | None, imported: set[str]) -> bool:
    """True when evaluating `node` calls only imported names or cheap built-ins."""
    if node is None:
        return True
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, ast.Lambda):
            pending.extend(current.args.defaults + [d for d in current.args.kw_defaults if d])
            continue  # the body runs only when called
        if isinstance(current, (ast.Await, ast.Yield, ast.YieldFrom)):
            return False
        if isinstance(current, ast.Call):
            root = _root_name(current.func)
            direct = isinstance(current.func, ast.Name)
            if not (root in imported or (direct and root in CHEAP_BUILTINS)):
                return False
        pending.extend(ast.iter_child_nodes(current))
    return True


def _bound_by_import(stmt: ast.Import | ast.ImportFrom) -> set[str]:
    names = set()
    for alias in stmt.names:
        if alias.name == "*":
            continue
        names.add((alias.asname or alias.name).split(".")[0])
    return names


def _self_check(stmt: ast.stmt) -> bool:
    """`import grader` and `grader.check(...)`: the notebook checking itself (see grader/interactive/)."""
    if isinstance(stmt, ast.Import):
        return all(a.name == "grader" or a.name.startswith("grader.") for a in stmt.names)
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        func = stmt.value.func
        return (isinstance(func, ast.Attribute) and func.attr == "check"
                and isinstance(func.value, ast.Name) and func.value.id == "grader")
    return False


def _decide(stmt: ast.stmt, imported: set[str]) -> bool | None:
    """True: keep. False: drop and say so. None: drop silently (it has no effect anyway)."""
    if _self_check(stmt):
        return None
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        modules = ([a.name for a in stmt.names] if isinstance(stmt, ast.Import)
                   else [stmt.module or ""])
        if any(m.split(".")[0] in DISPLAY_MODULES for m in modules):
            return False
        imported |= _bound_by_import(stmt)
        return True
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Pass)):
        return True
    if isinstance(stmt, (ast.Assign, ast.AugAssign)):
        return _cheap(stmt.value, imported)
    if isinstance(stmt, ast.AnnAssign):
        return _cheap(stmt.value, imported)
    if isinstance(stmt, ast.Expr):
        if isinstance(stmt.value, (ast.Constant, ast.Name, ast.Attribute)):
            return None  # a docstring or a value displayed by the notebook
        return False
    if isinstance(stmt, (ast.If, ast.Try)):
        test_ok = _cheap(stmt.test, imported) if isinstance(stmt, ast.If) else True
        body = list(stmt.body) + list(stmt.orelse)
        if isinstance(stmt, ast.Try):
            body += [s for h in stmt.handlers for s in h.body] + list(stmt.finalbody)
        return test_ok and all(_decide(s, imported) is not False for s in body)
    return False


def _statement_lines(stmt: ast.stmt) -> tuple[int, int]:
    first = stmt.lineno
    for decorator in getattr(stmt, "decorator_list", []):
        first = min(first, decorator.lineno)
    return first, stmt.end_lineno or stmt.lineno


GUARD = "_grader_guard"
#: defined at the top of a notebook's module when some kept assignment calls a library
GUARD_PROLOGUE = [
    f"def {GUARD}(compute):  # added by the grader: a top-level value that fails to compute is None",
    "    try:",
    "        return compute()",
    "    except Exception:",
    "        return None",
]


def _calls_something(node: ast.AST) -> bool:
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, ast.Lambda):
            continue
        if isinstance(current, ast.NamedExpr):
            return False  # `:=` would bind inside the guard's lambda: leave it as written
        if isinstance(current, ast.Call):
            return True
        pending.extend(ast.iter_child_nodes(current))
    return False


def _guardable(stmt: ast.stmt) -> ast.expr | None:
    """The value of `name = <calls a library>`, which the module computes through GUARD: data a
    notebook loads at its top level (`data = np.load("x.npy")`) is not there when grading, and
    that must not cost every function of the notebook."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        value = stmt.value
    elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
        value = stmt.value
    else:
        return None
    if value.end_lineno is None or value.end_col_offset is None:
        return None
    return value if _calls_something(value) and not any(isinstance(n, ast.NamedExpr)
                                                        for n in ast.walk(value)) else None


def _char_column(line: str, byte_offset: int) -> int:
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def _guard(lines: list[str], value: ast.expr) -> None:
    """Rewrite `value` in place as GUARD(lambda: (value)), on the same lines."""
    first, last = value.lineno - 1, value.end_lineno - 1  # type: ignore[operator]
    end = _char_column(lines[last], value.end_col_offset)  # type: ignore[arg-type]
    lines[last] = lines[last][:end] + "))" + lines[last][end:]
    start = _char_column(lines[first], value.col_offset)
    lines[first] = lines[first][:start] + f"{GUARD}(lambda: (" + lines[first][start:]


def _filter_cell(lines: list[str], cell: int, imported: set[str],
                 dropped: list[Dropped]) -> list[str]:
    source = "\n".join(lines)
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        line = min(max(exc.lineno or 1, 1), max(len(lines), 1))
        dropped.append(Dropped(cell, line, "syntax_error", _snippet(lines[line - 1] if lines else ""),
                               exc.msg or "invalid syntax"))
        return []
    except (RecursionError, MemoryError):  # hostile nesting: Python's parser gives up
        dropped.append(Dropped(cell, 1, "too_deep", _snippet(lines[0] if lines else "")))
        return []
    decisions = [(stmt, _decide(stmt, imported)) for stmt in tree.body]
    blank: set[int] = set()
    for stmt, keep in decisions:
        if keep is not True:
            first, last = _statement_lines(stmt)
            blank.update(range(first, last + 1))
    for stmt, keep in decisions:  # `a = 1; train()` on one line: both go
        first, last = _statement_lines(stmt)
        if keep is True and blank.intersection(range(first, last + 1)):
            blank.update(range(first, last + 1))
            keep = False
        if keep is False and not any(d.cell == cell and d.line == first for d in dropped):
            dropped.append(Dropped(cell, first, "statement", _snippet(lines[first - 1])))
    dropped.sort(key=lambda d: (d.cell, d.line))
    out = ["" if i in blank else line for i, line in enumerate(lines, 1)]
    for stmt, keep in decisions:
        first, last = _statement_lines(stmt)
        value = _guardable(stmt) if keep is True and not blank.intersection(range(first, last + 1)) else None
        if value is not None:
            _guard(out, value)
    return out


def notebook_module(text: str) -> NotebookModule:
    """The importable module for a notebook's text; raises NotebookError if it is not one."""
    cells = read_notebook(text)
    module = NotebookModule(source="")
    out: list[str] = []
    imported: set[str] = set()
    for number, cell in enumerate(cells, 1):
        if cell["cell_type"] != "code":
            continue
        module.code_cells += 1
        module.has_code = module.has_code or bool(cell["source"].strip())
        lines = cell["source"].splitlines()
        kept = _strip_ipython(lines, number, module.dropped)
        kept = _filter_cell(kept, number, imported, module.dropped) if kept else []
        out.append(f"# cell {number}")
        module.cell_starts.append((len(out) + 1, number))
        out.extend(kept)
        out.append("")
    if any(f"{GUARD}(lambda: (" in line for line in out):
        out = GUARD_PROLOGUE + out
        module.cell_starts = [(start + len(GUARD_PROLOGUE), cell) for start, cell in module.cell_starts]
    module.source = "\n".join(out) + "\n"
    return module
