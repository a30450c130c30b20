"""A rewritten AST as a stream of normalised tokens, each with the source line it came from.

What a student may rename is erased; what the problem and the libraries fix is kept:

- local variables, parameters and module-level values are all `V`; the submission's own helper
  functions and classes are `F`, so renaming either changes nothing;
- names bound by an import are resolved to what they import (`np.exp`, `numpy.exp` and
  `from numpy import exp` are all `m:numpy.exp`); built-ins (`b:len`) and the exercise functions
  (`x:sigmoid`) keep their names; attribute and keyword names (`.sum`, `axis=`) are kept;
- numbers keep their value (`2`, `2.0` and `2.` are one token), strings are `S`;
- the operands of `+` and `*` chains are put in a canonical order, `a > b` is `b < a`, keyword
  arguments are sorted, and list comprehensions and generator expressions are one token.

Type annotations, contexts (load/store), decorators' names and import statements emit nothing:
the imports have already been read into the alias table. Comments never reach the AST.
"""

from __future__ import annotations

import ast
import builtins
import functools
import math
from dataclasses import dataclass, field

VARIABLE, HELPER, STRING = "V", "F", "S"
BUILTINS = frozenset(dir(builtins))
#: fields that carry no computation (or are identifiers handled by their node's own rule)
SKIPPED_FIELDS = frozenset({"ctx", "type_comment", "annotation", "returns", "kind", "type_ignores",
                            "name", "id", "arg", "attr", "asname", "module", "level", "names",
                            "decorator_list", "type_params", "is_async"})
COMMUTATIVE = (ast.Add, ast.Mult)
MIRRORED = {ast.Gt: ast.Lt, ast.GtE: ast.LtE}
COMPREHENSIONS = (ast.ListComp, ast.GeneratorExp)


@dataclass
class Names:
    """How the names of one submission read: its import aliases, helpers and the exercise ids."""

    aliases: dict[str, str] = field(default_factory=dict)   # local name -> dotted import path
    helpers: set[str] = field(default_factory=set)         # module-level def/class names
    exercises: frozenset[str] = frozenset()

    def token(self, name: str) -> str:
        """A name's token; a built-in's is provisional (the unit may assign that name)."""
        if name in self.exercises:
            return f"x:{name}"
        if name in self.aliases:
            return f"m:{self.aliases[name]}"
        if name in self.helpers:
            return HELPER
        if name in BUILTINS:
            return f"b:{name}"
        return VARIABLE


def import_aliases(stmt: ast.stmt, deep: bool) -> dict[str, str]:
    """The names an `import`/`from … import` statement binds, as local name -> dotted path;
    with `deep`, those of the imports nested anywhere inside `stmt` too."""
    aliases: dict[str, str] = {}
    for node in ast.walk(stmt) if deep else [stmt]:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name != "*":
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def number_token(value: object) -> str:
    if isinstance(value, bool) or value is None or value is Ellipsis:
        return repr(value)
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an int too large for a float
            return "n:big"
        return f"n:{number!r}" if math.isfinite(number) else f"n:{number}"
    if isinstance(value, complex):
        return f"n:{value!r}"
    return STRING  # str and bytes


@functools.lru_cache(maxsize=None)
def _fields(node_type: type[ast.AST]) -> tuple[str, ...]:
    return tuple(name for name in node_type._fields if name not in SKIPPED_FIELDS)


class Emitter:
    """Appends (token, line) pairs for the nodes it is given; one per unit.

    Names the unit assigns (or takes as parameters) are collected on the way; `finish` turns
    the built-ins among them into variables (`max = 3` makes `max` a variable everywhere in it).
    """

    def __init__(self, names: Names) -> None:
        self.names = names
        self.tokens: list[str] = []
        self.lines: list[int] = []
        self.bound: set[str] = set()
        self.builtin_at: list[tuple[int, str]] = []

    def finish(self) -> None:
        for position, name in self.builtin_at:
            if name in self.bound:
                self.tokens[position] = VARIABLE

    def emit(self, node: ast.AST, line: int) -> None:
        line = getattr(node, "lineno", line) or line
        method = getattr(self, "_" + type(node).__name__, None)
        if method is not None:
            method(node, line)
        else:
            self._generic(node, line)

    def _out(self, token: str, line: int) -> None:
        self.tokens.append(token)
        self.lines.append(line)

    def _generic(self, node: ast.AST, line: int) -> None:
        self._out(type(node).__name__, line)
        for name in _fields(type(node)):  # type: ignore[arg-type]  # typeshed: AST's __hash__ is not Hashable's
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                self.emit(value, line)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.emit(item, line)

    # --- names and constants

    def _Name(self, node: ast.Name, line: int) -> None:
        token = self.names.token(node.id)
        if not isinstance(node.ctx, ast.Load):
            self.bound.add(node.id)
        if token.startswith("b:"):
            self.builtin_at.append((len(self.tokens), node.id))
        self._out(token, line)

    def _Attribute(self, node: ast.Attribute, line: int) -> None:
        dotted = self._dotted(node)
        if dotted is not None:
            self._out(f"m:{dotted}", line)
            return
        self._out("." + node.attr, line)
        self.emit(node.value, line)

    def _dotted(self, node: ast.Attribute) -> str | None:
        """`np.linalg.norm` as "numpy.linalg.norm" when its root is an imported name."""
        parts: list[str] = []
        current: ast.expr = node
        while isinstance(current, ast.Attribute):
            parts.append(current.attr)
            current = current.value
        if isinstance(current, ast.Name) and current.id in self.names.aliases:
            return ".".join([self.names.aliases[current.id], *reversed(parts)])
        return None

    def _Constant(self, node: ast.Constant, line: int) -> None:
        self._out(number_token(node.value), line)

    def _JoinedStr(self, node: ast.JoinedStr, line: int) -> None:
        self._out(STRING, line)

    def _keyword(self, node: ast.keyword, line: int) -> None:
        self._out(f"kw:{node.arg or '**'}", line)
        self.emit(node.value, line)

    def _arg(self, node: ast.arg, line: int) -> None:
        self.bound.add(node.arg)
        self._out("arg", line)

    # --- calls, operators, comparisons

    def _Call(self, node: ast.Call, line: int) -> None:
        self._out("Call", line)
        self.emit(node.func, line)
        for arg in node.args:
            self.emit(arg, line)
        for keyword in sorted(node.keywords, key=lambda k: k.arg or ""):
            self.emit(keyword, line)

    def _BinOp(self, node: ast.BinOp, line: int) -> None:
        if not isinstance(node.op, COMMUTATIVE):
            self._out(type(node.op).__name__, line)
            self.emit(node.left, line)
            self.emit(node.right, line)
            return
        operands: list[ast.expr] = []
        pending: list[ast.expr] = [node]
        op = type(node.op)
        while pending:  # a flat chain: `a + b + c` and `c + (a + b)` are one `Add/3`
            current = pending.pop()
            if isinstance(current, ast.BinOp) and type(current.op) is op:
                pending += [current.right, current.left]
            else:
                operands.append(current)
        parts: list[Emitter] = []
        for operand in operands:
            sub = Emitter(self.names)
            sub.emit(operand, line)
            parts.append(sub)
        parts.sort(key=lambda part: part.tokens)
        self._out(f"{op.__name__}/{len(parts)}", line)
        for sub in parts:
            self.builtin_at += [(len(self.tokens) + position, name) for position, name in sub.builtin_at]
            self.bound |= sub.bound
            self.tokens += sub.tokens
            self.lines += sub.lines

    def _Compare(self, node: ast.Compare, line: int) -> None:
        if len(node.ops) == 1 and type(node.ops[0]) in MIRRORED:
            self._out("Compare", line)  # in the generic order: left, op, right
            self.emit(node.comparators[0], line)
            self._out(MIRRORED[type(node.ops[0])].__name__, line)
            self.emit(node.left, line)
            return
        self._generic(node, line)

    def _comprehension_like(self, node: ast.ListComp | ast.GeneratorExp, line: int) -> None:
        self._out("Comp", line)
        self.emit(node.elt, line)
        for generator in node.generators:
            self.emit(generator, line)

    _ListComp = _comprehension_like
    _GeneratorExp = _comprehension_like

    # --- statements that bind names, and imports

    def _FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef, line: int) -> None:
        self._out("Def", line)
        self.emit(node.args, line)
        for stmt in node.body:
            self.emit(stmt, line)

    _AsyncFunctionDef = _FunctionDef

    def _Import(self, node: ast.AST, line: int) -> None:
        return None

    _ImportFrom = _Import


def unit_tokens(groups: list[list[ast.stmt]], names: Names) -> tuple[list[str], list[int], list[int]]:
    """The tokens of a unit (a function's body, or the submission's other code) and their lines.

    `groups` holds the statements of each of the unit's top-level statements once rewritten;
    the third list is, after each group, the number of tokens so far (which file a token is from).
    """
    emitter = Emitter(names)
    ends: list[int] = []
    for group in groups:
        for node in group:
            emitter.emit(node, getattr(node, "lineno", 1) or 1)
        ends.append(len(emitter.tokens))
    emitter.finish()
    return emitter.tokens, emitter.lines, ends


__all__ = ["Names", "import_aliases", "unit_tokens", "VARIABLE", "HELPER"]
