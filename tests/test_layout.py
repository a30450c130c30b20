"""The project's layout, enforced: the stage order of grader/'s imports, no import cycles, and a
pyproject.toml that installs every package.

The import graph is read from the source with `ast` (no import runs), every import counted,
the ones inside functions too: a lazy import saves start-up time, it does not make a cycle or an
upward dependency acceptable. Only imports under `if TYPE_CHECKING:` are left out: they never
run, and naming a caller's type in an annotation couples nothing. Each module of grader/
belongs to one layer (LAYERS, lowest first); a module may import its own layer and the layers
below, never one above. A new module must be given its layer here: the test fails until it is.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "grader"

#: (layer, module prefixes): a module is in the layer of its longest matching prefix
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("grader.version", "grader.facts", "grader.codec", "grader.result", "grader.captured", "grader.config",
              "grader.messages", "grader.cleaning", "grader.i18n", "grader.templates")),
    ("spec", ("grader.spec",)),
    ("submission", ("grader.submission",)),
    ("secret", ("grader.secret",)),
    ("plan", ("grader.plan",)),
    ("sandbox", ("grader.sandbox",)),
    ("run", ("grader.run",)),
    ("judge", ("grader.judge",)),
    ("report", ("grader.report",)),
    # a student pack's recordings, read back (the session loads them)
    ("recorded answers", ("grader.pack",)),
    # one submission graded: its worker, each exercise judged (the session is its argument)
    ("engine", ("grader.engine",)),
    # the one place a grading session is built: trusted code, plans, answers, zygote, secret
    ("session", ("grader.trusted", "grader.session")),
    ("tools", ("grader.pinning", "grader.pack.build", "grader.pack.student_build",
               "grader.suite_validation", "grader.watch", "grader.explain", "grader.starter",
               "grader.interactive", "grader.batch", "grader.lms", "grader.ci", "grader.similarity",
               "grader.resident")),
    ("commands", ("grader.commands",)),
    # entry points: what Python, pip and Jupyter start from; nothing imports them
    # (the resident grader's server runs the command line in its own process)
    ("entry points", ("grader.cli", "grader.launch", "grader.__main__", "grader.plan.__main__",
                      "grader.resident.server", "grader")),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str) -> set[str]:
    """The grader modules `name` imports, anywhere in its source (functions included)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for block in ast.walk(tree):  # `if TYPE_CHECKING:` blocks, emptied (see the module's words)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test):
            block.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [(module, alias.name) for alias in node.names]
        else:
            continue
        for module, member in targets:
            if member is not None and f"{module}.{member}" in MODULES:
                found.add(f"{module}.{member}")  # `from .judge import trajectory`: a module
            elif module in MODULES:
                found.add(module)
    return found - {name}


GRAPH = {name: imports_of(name) for name in MODULES}


def layer_of(name: str) -> int:
    best, index = -1, None
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best:
                best, index = len(prefix), i
    assert index is not None, f"{name} has no layer: give it one in LAYERS"
    return index


def test_every_module_has_a_layer():
    unplaced = []
    for name in MODULES:
        try:
            layer_of(name)
        except AssertionError:
            unplaced.append(name)
    assert not unplaced


def test_no_module_imports_a_layer_above_its_own():
    upward = [f"{name} ({LAYERS[layer_of(name)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
              for name, targets in GRAPH.items() for target in sorted(targets)
              if layer_of(target) > layer_of(name)]
    assert not upward, "\n".join(upward)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_not_even_through_imports_inside_functions():
    assert _cycles(GRAPH) == []


def test_the_cycle_finder_finds_one():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("rule, importer, forbidden", [
    ("the judge does not import the report package", "grader.judge", "grader.report"),
    ("the pack does not import the worker's internals", "grader.pack", "grader.run.worker"),
    ("the stages do not import the commands", "grader.spec", "grader.commands"),
])
def test_named_boundaries(rule, importer, forbidden):
    crossing = [f"{name} imports {target}" for name, targets in GRAPH.items()
                if name == importer or name.startswith(importer + ".")
                for target in targets if target == forbidden or target.startswith(forbidden + ".")]
    assert not crossing, rule


def test_only_the_zygote_starts_the_worker():
    """The worker module runs beside student code; the grader's side imports only what it
    shares (grader.run.values, the protocol). The zygote forks it; grader.run.spawned is the
    portable worker's own interpreter, which runs it."""
    importers = sorted(name for name, targets in GRAPH.items() if "grader.run.worker" in targets)
    assert importers == ["grader.run.client", "grader.run.spawned", "grader.run.zygote"]


def test_pyproject_installs_every_package_of_the_checkout():
    """setuptools installs the packages listed in pyproject.toml (a find cannot name the mapped
    folders): every folder with an __init__.py under grader/, exercises/ and reference/ is one,
    and so is every folder holding package data (plans, catalogs, templates), which setuptools
    copies without a warning only when it is listed."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    mapped = {"grader": PACKAGE, **{name: ROOT / folder for name, folder in config["package-dir"].items()}}

    def package_of(folder: Path) -> str:
        top = next(name for name in mapped if folder.is_relative_to(mapped[name]))
        return ".".join((top, *folder.relative_to(mapped[top]).parts))

    found = {package_of(init.parent) for folder in mapped.values() for init in folder.rglob("__init__.py")}
    for package, patterns in config["package-data"].items():
        folder = mapped[package.split(".")[0]].joinpath(*package.split(".")[1:])
        data = [path for pattern in patterns for path in folder.glob(pattern) if path.is_file()]
        assert data, f"package-data of {package} matches no file: {patterns}"
        found |= {package_of(path.parent) for path in data}
    assert sorted(config["packages"]) == sorted(found)
