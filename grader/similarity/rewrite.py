"""Undo the cheap disguises on a function's AST before it is turned into tokens.

Each rewrite maps two spellings of the same code to one, so that a copy disguised by switching
between them fingerprints like its original:

- `a += b` becomes `a = a + b`;
- `out = []` followed by `for x in xs: out.append(e)` (with `if` filters and nested `for`s)
  becomes `out = [e for x in xs]`; `total = 0` followed by `for x in xs: total += e` becomes
  `total = sum(e for x in xs)`;
- `r = e` followed by `return r` becomes `return e`;
- docstrings and other bare constants, `print(...)` calls, `pass`, `global`/`nonlocal` and type
  annotations are dropped (they are commentary, not computation);
- the guard that `grader.submission.ipynb` wraps around a notebook's top-level values is unwrapped, so a
  notebook compares like the .py file it was pasted from.

The rewrites work in place on a tree parsed for this purpose only; they never need to produce
runnable code, only the same tree for both spellings.
"""

from __future__ import annotations

import ast

from ..submission.ipynb import GUARD

#: the statement-list fields of compound statements, where the statement rewrites apply
BLOCK_FIELDS = ("body", "orelse", "finalbody")


def rewrite(tree: ast.Module) -> ast.Module:
    """Rewrite every statement list of `tree` (in place) and return it."""
    tree.body = _rewrite_statements(tree.body)
    return tree


def _rewrite_statements(block: list[ast.stmt]) -> list[ast.stmt]:
    """Statements only (expressions hold none): the inner blocks first, so that a loop is
    folded once its own body is plain."""
    for stmt in block:
        for name in BLOCK_FIELDS:
            inner = getattr(stmt, name, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                setattr(stmt, name, _rewrite_statements(inner))
        for part in [*getattr(stmt, "handlers", ()), *getattr(stmt, "cases", ())]:  # except, case
            part.body = _rewrite_statements(part.body)
    return _rewrite_block(block)


def _rewrite_block(block: list[ast.stmt]) -> list[ast.stmt]:
    statements = [_plain_statement(stmt) for stmt in block if not _commentary(stmt)]
    out: list[ast.stmt] = []
    for stmt in statements:
        if out and isinstance(stmt, ast.For):
            folded = _fold_loop(out[-1], stmt)
            if folded is not None:
                out[-1] = folded
                continue
        if out and isinstance(stmt, ast.Return) and _returns_name_of(out[-1], stmt):
            out[-1] = ast.copy_location(ast.Return(value=out[-1].value), out[-1])  # type: ignore[attr-defined]
            continue
        out.append(stmt)
    return out


def _commentary(stmt: ast.stmt) -> bool:
    """A docstring or bare constant, a print, pass, global/nonlocal: nothing to compare."""
    if isinstance(stmt, (ast.Pass, ast.Global, ast.Nonlocal)):
        return True
    if isinstance(stmt, ast.Expr):
        value = stmt.value
        if isinstance(value, (ast.Constant, ast.JoinedStr)):
            return True
        return (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                and value.func.id == "print")
    return isinstance(stmt, ast.AnnAssign) and stmt.value is None


def _unguarded(value: ast.expr) -> ast.expr:
    """`_grader_guard(lambda: (v))`, which grader.submission.ipynb wraps around top-level values, as `v`."""
    if (isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == GUARD
            and len(value.args) == 1 and isinstance(value.args[0], ast.Lambda)):
        return value.args[0].body
    return value


def _plain_statement(stmt: ast.stmt) -> ast.stmt:
    """`a += b` as `a = a + b`; `a: T = v` as `a = v`; a notebook's guard unwrapped."""
    if isinstance(stmt, ast.Assign):
        stmt.value = _unguarded(stmt.value)
    elif isinstance(stmt, ast.AugAssign):
        value = ast.copy_location(ast.BinOp(left=stmt.target, op=stmt.op, right=stmt.value), stmt)
        return ast.copy_location(ast.Assign(targets=[stmt.target], value=value), stmt)
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        return ast.copy_location(ast.Assign(targets=[stmt.target], value=_unguarded(stmt.value)), stmt)
    return stmt


def _single_name(stmt: ast.stmt) -> str | None:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id
    return None


def _returns_name_of(previous: ast.stmt, stmt: ast.Return) -> bool:
    name = _single_name(previous)
    return name is not None and isinstance(stmt.value, ast.Name) and stmt.value.id == name


def _empty_list(value: ast.expr) -> bool:
    if isinstance(value, ast.List) and not value.elts:
        return True
    return (isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "list"
            and not value.args and not value.keywords)


def _zero(value: ast.expr) -> bool:
    return (isinstance(value, ast.Constant) and not isinstance(value.value, bool)
            and isinstance(value.value, (int, float)) and value.value == 0)


def _loop_generators(loop: ast.For) -> tuple[list[ast.comprehension], ast.stmt] | None:
    """The `for`/`if` chain of a loop down to its one innermost statement, as comprehension
    generators; None when any level holds more than one statement or an `else`."""
    generators: list[ast.comprehension] = []
    node: ast.stmt = loop
    while True:
        if isinstance(node, ast.For) and not node.orelse and len(node.body) == 1:
            generators.append(ast.comprehension(target=node.target, iter=node.iter, ifs=[], is_async=0))
            node = node.body[0]
        elif isinstance(node, ast.If) and not node.orelse and len(node.body) == 1 and generators:
            generators[-1].ifs.append(node.test)
            node = node.body[0]
        else:
            break
    return (generators, node) if generators else None


def _fold_loop(previous: ast.stmt, loop: ast.For) -> ast.stmt | None:
    """`out = []; for …: out.append(e)` → `out = [e for …]`; `s = 0; for …: s = s + e` →
    `s = sum(e for …)`; None when the pair is not one of these."""
    name = _single_name(previous)
    chain = _loop_generators(loop) if name is not None else None
    if chain is None:
        return None
    generators, inner = chain
    assert isinstance(previous, ast.Assign)
    if _empty_list(previous.value) and isinstance(inner, ast.Expr) and isinstance(inner.value, ast.Call):
        call = inner.value
        if (isinstance(call.func, ast.Attribute) and call.func.attr == "append"
                and isinstance(call.func.value, ast.Name) and call.func.value.id == name
                and len(call.args) == 1 and not call.keywords):
            value = ast.copy_location(ast.ListComp(elt=call.args[0], generators=generators), loop)
            return ast.copy_location(ast.Assign(targets=previous.targets, value=value), previous)
    if _zero(previous.value) and _single_name(inner) == name:
        assert isinstance(inner, ast.Assign)
        added = inner.value
        if isinstance(added, ast.BinOp) and isinstance(added.op, ast.Add):
            if isinstance(added.left, ast.Name) and added.left.id == name:
                term = added.right
            elif isinstance(added.right, ast.Name) and added.right.id == name:
                term = added.left
            else:
                return None
            generator = ast.copy_location(ast.GeneratorExp(elt=term, generators=generators), loop)
            total = ast.copy_location(ast.Call(func=ast.Name(id="sum", ctx=ast.Load()), args=[generator],
                                               keywords=[]), loop)
            return ast.copy_location(ast.Assign(targets=previous.targets, value=total), previous)
    return None


__all__ = ["rewrite"]
