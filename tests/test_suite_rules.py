"""The test suite's own rules (tests/README.md): every file in one group, the markers registered,
fixtures never imported, and collection cheap: no torch, no grading session, no worker."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tomllib
from collections import Counter

from support import EVERY_TEST, GROUPS, ROOT, SHARED_CACHES, SLOW, SLOW_FIXTURES, shared_fixtures, work_unit

TESTS = ROOT / "tests"
FILES = sorted(p.name for p in TESTS.glob("test_*.py"))


def test_every_test_file_is_in_exactly_one_group():
    counted = Counter(name for names in GROUPS.values() for name in names)
    assert [name for name, n in counted.items() if n > 1] == []
    assert sorted(set(FILES) - set(counted)) == [], "add the file to GROUPS in tests/support.py"
    assert sorted(set(counted) - set(FILES)) == [], "GROUPS names a file that does not exist"


def _functions(name: str) -> set[str]:
    tree = ast.parse((TESTS / name).read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def test_every_slow_test_named_exists():
    """A renamed test would silently join the fast set: SLOW names only tests that are there."""
    missing = {name: sorted(tests - {EVERY_TEST} - _functions(name)) for name, tests in SLOW.items()
               if name not in FILES or tests - {EVERY_TEST} - _functions(name)}
    assert missing == {}


def test_every_slow_fixture_named_exists():
    missing = {name: sorted(fixtures - _functions(name)) for name, fixtures in SLOW_FIXTURES.items()
               if name not in FILES or fixtures - _functions(name)}
    assert missing == {}


def test_every_slow_fixture_is_one_the_xdist_scheduler_keeps_on_one_worker():
    """A costly module fixture is built once under `-n 2` only if its file is one work unit."""
    assert {name: sorted(fixtures - shared_fixtures(TESTS / name)) for name, fixtures in SLOW_FIXTURES.items()
            if fixtures - shared_fixtures(TESTS / name)} == {}
    assert all(work_unit(f"tests/{name}::test_x") == f"tests/{name}" for name in SLOW_FIXTURES)
    assert work_unit("tests/test_codec.py::test_x[1]") == "tests/test_codec.py::test_x[1]"


def test_every_reader_of_the_catalogue_caches_is_in_shared_caches():
    """catalogue_support's validation runs and private inputs are computed once per process:
    every file that reads one is in the one work unit of SHARED_CACHES."""
    cached = {"validation", "private_validation", "private_session"}
    readers = set()
    for name in FILES:
        tree = ast.parse((TESTS / name).read_text(encoding="utf-8"))
        if any(isinstance(node, ast.ImportFrom) and node.module == "catalogue_support"
               and cached & {alias.name for alias in node.names} for node in ast.walk(tree)):
            readers.add(name)
    assert readers == SHARED_CACHES
    assert {work_unit(f"tests/{name}::test_x") for name in SHARED_CACHES} == {"catalogue_support"}


def test_the_markers_are_registered_and_unknown_ones_refused():
    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    registered = {line.split(":", 1)[0] for line in options["markers"]}
    assert registered == {*GROUPS, "slow"}
    assert "--strict-markers" in options["addopts"].split()


def test_warnings_are_errors():
    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert options["filterwarnings"][0] == "error"
    # every ignore is narrow: a category and the module or message it is about
    assert all(rule.count(":") >= 2 for rule in options["filterwarnings"][1:])


def _imported_modules(name: str) -> set[str]:
    tree = ast.parse((TESTS / name).read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_no_test_imports_conftest():
    """Fixtures are used as fixtures; helpers come from tests/support.py."""
    python_files = sorted(p.name for p in TESTS.glob("*.py"))
    assert [name for name in python_files if "conftest" in _imported_modules(name)] == []


#: run in a fresh interpreter: collect the whole suite, counting the grading sessions built and
#: the zygotes started, and say which costly modules were imported
_COLLECT = """
import json, sys
import pytest
import grader.session, grader.run

built = []
load = grader.session.GradingSession.load.__func__
grader.session.GradingSession.load = classmethod(lambda cls, *a, **k: built.append("session") or load(cls, *a, **k))
start = grader.run.Zygote.start
grader.run.Zygote.start = lambda self, *a, **k: built.append("zygote") or start(self, *a, **k)
code = pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", "tests"])
print(json.dumps({"code": int(code), "built": built, "torch": "torch" in sys.modules,
                  "matplotlib": "matplotlib" in sys.modules}), file=sys.stderr)
"""


def test_collecting_the_suite_imports_no_torch_and_builds_no_session():
    """Collection is what every run pays, the fast set's included: parametrize lists are read
    from the YAML (support.exercise_set), never from a session, and torch is imported by the
    first test that needs it."""
    proc = subprocess.run([sys.executable, "-c", _COLLECT], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, timeout=300)
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    assert report == {"code": 0, "built": [], "torch": False, "matplotlib": False}, proc.stdout[-2000:]

