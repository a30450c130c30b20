"""The source of live functions, collected so that they can be graded as a file.

The live function objects of a notebook (or any interactive session) are never judged, nor
called, in the kernel. What crosses to the grader is SOURCE: each function's own
(inspect.getsource), and what it needs from the notebook's namespace, found by following the
global names it reads: imports (`import numpy as np`), helper functions and classes (their
source, recursively), and constants (numbers, strings, small containers and arrays, written back
as literals). That module is then graded exactly like a submitted file (grader.interactive).
"""

from __future__ import annotations

import ast
import inspect
import os
import sys
import textwrap
import types
from dataclasses import dataclass, field

import numpy as np
from ..facts import Note

MODULE = "notebook_functions"
#: constants larger than this (characters of their literal, entries of an array) are not sent
MAX_LITERAL_CHARS = 200_000
MAX_ARRAY_ENTRIES = 100_000
_LITERAL_TYPES = (int, float, complex, bool, str, bytes, type(None))


@dataclass
class Chunk:
    """A piece of the generated module, and where its lines came from (for error messages)."""

    code: str
    origin: str | None = None  # "In [3]", "helpers.py"
    first_line: int = 1        # of the chunk in its origin


@dataclass
class Collected:
    source: str = ""
    #: (first line, last line) in `source` → (origin, line of the origin at first line)
    spans: list[tuple[int, int, str, int]] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def locate(self, line: int) -> tuple[str, int] | None:
        for first, last, origin, origin_line in self.spans:
            if first <= line <= last:
                return origin, origin_line + line - first
        return None


def _library_roots() -> list[str]:
    import site
    import sysconfig

    roots = {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    try:
        roots.update(site.getsitepackages())
        roots.add(site.getusersitepackages())
    except AttributeError:  # a virtualenv's old site module
        pass
    roots.add(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the grader package
    return [os.path.realpath(r) for r in roots if r]


def is_user_code(obj: object) -> bool:
    """Defined in the notebook or in one of the student's own .py files (not a library)."""
    module_name = getattr(obj, "__module__", None)
    if module_name in ("__main__", None) and isinstance(obj, (types.FunctionType, type)):
        return True
    if not isinstance(module_name, str) or module_name.split(".")[0] in ("grader", "builtins"):
        return False
    module = sys.modules.get(module_name)
    file = getattr(module, "__file__", None)
    if not file:
        return False
    path = os.path.realpath(file)
    return not any(path.startswith(root + os.sep) for root in _library_roots())


def _import_path(obj: object, namespace: dict[str, object]) -> tuple[str, str] | None:
    """(module, attribute) such that `from module import attribute` gives `obj` back."""
    candidates = [getattr(obj, "__module__", None)]
    candidates += [v.__name__ for v in namespace.values() if isinstance(v, types.ModuleType)]
    candidates += ["numpy", "math", "torch", "torch.nn.functional"]
    name = getattr(obj, "__name__", None)
    for module_name in candidates:
        module = sys.modules.get(module_name) if isinstance(module_name, str) else None
        if module is None or not isinstance(module_name, str) or not isinstance(name, str):
            continue
        try:
            if getattr(module, name, None) is obj:
                return module_name, name
        except Exception:  # a module with a lying __getattr__
            continue
    return None


def _global_loads(tree: ast.AST, code: types.CodeType | None) -> list[str]:
    """Global names a function reads: in its body (co_names) and in decorators and defaults."""
    names: list[str] = []
    code_names: set[str] = set()
    pending = [code] if code is not None else []
    while pending:
        current = pending.pop()
        code_names.update(current.co_names)
        pending.extend(c for c in current.co_consts if isinstance(c, types.CodeType))
    top = tree.body[0] if isinstance(tree, ast.Module) and tree.body else tree
    outer: list[ast.AST] = []
    if isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        outer += top.decorator_list
        if not isinstance(top, ast.ClassDef):
            outer += top.args.defaults + [d for d in top.args.kw_defaults if d is not None]
        else:
            outer += top.bases + [k.value for k in top.keywords]
    outer_names = {n.id for node in outer for n in ast.walk(node) if isinstance(n, ast.Name)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if (node.id in code_names or node.id in outer_names or code is None) and node.id not in names:
                names.append(node.id)
    return names


def _source_of(obj: object) -> tuple[str, str | None, int]:
    """Dedented source, its origin label and first line; raises OSError/TypeError when unknown."""
    if isinstance(obj, type):
        return _class_source(obj)
    if not callable(obj):
        raise TypeError(f"not a function: {type(obj).__name__}")
    lines, first = inspect.getsourcelines(obj)
    source = textwrap.dedent("".join(lines))
    code = getattr(obj, "__code__", None)
    if getattr(obj, "__name__", "") == "<lambda>":
        source = _lambda_source(source)
    return source, _origin(code.co_filename if code else None), first


def _lambda_source(source: str) -> str:
    """`name = lambda …` lines can hold more: keep only the lambda expression."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        tree = ast.parse("(" + source.strip().rstrip(",") + ")")
    for node in ast.walk(tree):
        if isinstance(node, ast.Lambda):
            segment = ast.get_source_segment(source, node)
            if segment:
                return segment
    raise OSError("no lambda expression found")


def _class_source(cls: type) -> tuple[str, str | None, int]:
    try:
        lines, first = inspect.getsourcelines(cls)
        file = inspect.getsourcefile(cls)
        return textwrap.dedent("".join(lines)), _origin(file), first
    except (OSError, TypeError):
        pass
    import linecache

    for value in vars(cls).values():  # a notebook class: find it through one of its methods
        code = getattr(getattr(value, "__func__", value), "__code__", None)
        if code is None:
            continue
        text = "".join(linecache.getlines(code.co_filename))
        if not text:
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and node.name == cls.__name__ \
                    and node.lineno <= code.co_firstlineno <= (node.end_lineno or 0):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                segment = "".join(text.splitlines(keepends=True)[first - 1:node.end_lineno])
                return textwrap.dedent(segment), _origin(code.co_filename), first
    raise OSError("the class's source is not available")


def _origin(filename: str | None) -> str | None:
    """'In [3]' for a notebook cell (when IPython knows it), else the file's name."""
    if not filename:
        return None
    try:
        from IPython import get_ipython  # only present inside IPython

        shell = get_ipython()
        number = shell.compile._filename_map.get(filename) if shell is not None else None
        if number is not None:
            return f"In [{number}]"
    except Exception:
        pass
    return os.path.basename(filename)


class _Collector:
    def __init__(self, namespace: dict[str, object]) -> None:
        self.namespace = namespace
        self.imports: list[str] = []
        self.constants: list[str] = []
        self.chunks: list[Chunk] = []
        self.done: dict[int, str] = {}  # id(obj) -> the name it was emitted under
        self.emitted_names: set[str] = set()
        self.notes: list[Note] = []
        self.numpy_alias = False

    def note(self, code: str, **facts: object) -> None:
        entry: Note = {"code": code, "facts": facts}
        if entry not in self.notes:
            self.notes.append(entry)

    def add_import(self, line: str) -> None:
        if line not in self.imports:
            self.imports.append(line)

    def function(self, name: str, obj: object, required: bool) -> bool:
        """Emit `obj` (a function or class of the student's) under `name`, with what it needs."""
        if id(obj) in self.done:
            if self.done[id(obj)] != name:
                self.chunks.append(Chunk(f"{name} = {self.done[id(obj)]}\n"))
            return True
        try:
            source, origin, first = _source_of(obj)
            tree = ast.parse(source)
        except (OSError, TypeError, SyntaxError) as exc:
            if required:
                self.note("jupyter.no_source", name=name, reason=str(exc) or type(exc).__name__)
            return False
        own_name = getattr(obj, "__name__", name)
        self.done[id(obj)] = name if own_name == "<lambda>" else own_name
        code = getattr(obj, "__code__", None)
        globals_ = getattr(obj, "__globals__", None) or self._class_globals(obj)
        for dependency in _global_loads(tree, code if not isinstance(obj, type) else None):
            if dependency in (own_name, name) or dependency in self.emitted_names:
                continue
            self.value(dependency, globals_, parent=name)
        if own_name == "<lambda>":
            source = f"{name} = {source}\n"
        self.chunks.append(Chunk(source if source.endswith("\n") else source + "\n", origin, first))
        if own_name not in ("<lambda>", name):
            self.chunks.append(Chunk(f"{name} = {own_name}\n"))
        self.emitted_names.add(name)
        return True

    def _class_globals(self, cls: object) -> dict[str, object]:
        for value in vars(cls).values() if isinstance(cls, type) else ():
            found = getattr(getattr(value, "__func__", value), "__globals__", None)
            if found is not None:
                return found
        return self.namespace

    def value(self, name: str, scope: dict[str, object], parent: str) -> None:
        """Emit whatever makes `name` mean in the worker what it means in `scope`."""
        if name not in scope:
            return  # a builtin, or a NameError the worker will report as such
        obj = scope[name]
        self.emitted_names.add(name)
        if isinstance(obj, types.ModuleType):
            module = obj.__name__
            if is_user_code(obj):
                self.note("jupyter.skipped_global", name=name, kind="module")
            elif module == name:
                self.add_import(f"import {module}")
            elif "." in module and module.rsplit(".", 1)[1] == name:
                self.add_import(f"from {module.rsplit('.', 1)[0]} import {name}")
            else:
                self.add_import(f"import {module} as {name}")
            return
        if isinstance(obj, (types.FunctionType, type)) and is_user_code(obj):
            self.function(name, obj, required=False)
            return
        if callable(obj) or isinstance(obj, type):
            where = _import_path(obj, self.namespace)
            if where is not None:
                module, attribute = where
                self.add_import(f"from {module} import {attribute}" if attribute == name
                                else f"from {module} import {attribute} as {name}")
                return
        literal = _literal(obj)
        if literal is not None:
            if literal.startswith("__grader_np."):
                self.add_import("import numpy as __grader_np")
            self.constants.append(f"{name} = {literal}")
            return
        self.note("jupyter.skipped_global", name=name, kind=type(obj).__name__)

    def module(self) -> Collected:
        header = ["# Generated by grader.check() from the notebook's functions: source only."]
        parts = [Chunk("\n".join(header + self.imports) + "\n")]
        if self.constants:
            parts.append(Chunk("\n".join(self.constants) + "\n"))
        parts += self.chunks
        collected = Collected(notes=self.notes)
        lines: list[str] = []
        for chunk in parts:
            start = len(lines) + 1
            body = chunk.code.rstrip("\n").split("\n")
            lines += body
            if chunk.origin:
                collected.spans.append((start, start + len(body) - 1, chunk.origin, chunk.first_line))
            lines += ["", ""]
        collected.source = "\n".join(lines).rstrip("\n") + "\n"
        return collected


def _literal(obj: object) -> str | None:
    """Python source that rebuilds `obj` (numbers, strings, containers of them, arrays), or None."""
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in "biuf" or obj.size > MAX_ARRAY_ENTRIES:
            return None
        return f"__grader_np.array({obj.tolist()!r}, dtype={str(obj.dtype)!r})"
    if isinstance(obj, np.generic) and np.asarray(obj).dtype.kind in "biuf":
        return f"__grader_np.{np.asarray(obj).dtype.name}({obj.item()!r})"
    if not _plain(obj):
        return None
    text = repr(obj)
    if len(text) > MAX_LITERAL_CHARS:
        return None
    try:
        ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return text


def _plain(obj: object, depth: int = 0) -> bool:
    if depth > 20:
        return False
    if type(obj) in _LITERAL_TYPES:
        return True
    if isinstance(obj, (list, tuple, set, frozenset)) and type(obj) in (list, tuple, set, frozenset):
        return all(_plain(v, depth + 1) for v in obj)
    if isinstance(obj, dict) and type(obj) is dict:
        return all(_plain(k, depth + 1) and _plain(v, depth + 1) for k, v in obj.items())
    return False


def collect(functions: dict[str, object], namespace: dict[str, object],
            companions: dict[str, object] | None = None) -> Collected:
    """The module of `functions` (name → object) and what they need; `companions` are sent too
    when their source can be read (the other exercise functions, which a check may call)."""
    collector = _Collector(namespace)
    for name, obj in functions.items():
        collector.function(name, obj, required=True)
    for name, obj in (companions or {}).items():
        if name not in collector.emitted_names:
            collector.function(name, obj, required=False)
    return collector.module()
