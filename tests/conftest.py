"""Shared fixtures: one plan cache, one course and one zygote per test session; and the hook
that marks every test with its group and, when it is slow, `slow` (tests/README.md).

Fixtures are used as fixtures (a test's argument), never imported; plain helpers are in
tests/support.py."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from support import EVERY_TEST, GROUPS, SLOW, SLOW_FIXTURES, work_unit

#: test file name -> its group
_GROUP_OF = {name: group for group, names in GROUPS.items() for name in names}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test gets its file's group as a marker, and `slow` when tests/support.py says so
    (by name in SLOW, or by a costly module fixture it uses in SLOW_FIXTURES).
    A file in no group gets no marker: tests/test_suite_rules.py fails on it."""
    for item in items:
        name = item.path.name
        group = _GROUP_OF.get(name)
        if group is not None:
            item.add_marker(group)
        slow = SLOW.get(name, frozenset())
        function = getattr(item, "originalname", item.name)
        costly = SLOW_FIXTURES.get(name, frozenset()) & set(getattr(item, "fixturenames", ()))
        if EVERY_TEST in slow or function in slow or costly:
            item.add_marker("slow")


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: unknown without it (`-p no:xdist`)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`-n N` (xdist's `--dist load`, tests/README.md "Running them"): tests go to whichever
    worker is free, except those that share a value computed once per process, which go to one
    worker together (support.work_unit): a file's module fixtures (a class graded, a pack built)
    and catalogue_support's caches (the validation runs, the private inputs pinned) are then
    built once, as in a serial run, not once per worker. The largest such units start first.
    Any other `--dist` is xdist's own."""
    if config.getoption("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedValuesTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return SharedValuesTogether(config, log)


@pytest.fixture(scope="session", autouse=True)
def _plan_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Plans are drawn once per session into a private cache, never the user's."""
    os.environ.setdefault("GRADER_CACHE_DIR", str(tmp_path_factory.mktemp("grader-cache")))


SECRET_PLACES = ("GRADER_SECRET", "GRADER_PRIVATE_DIR")


@pytest.fixture(scope="session", autouse=True)
def _no_users_secret(tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reads or writes the user's course secret (grader.secret), not even a session or
    module fixture: the shipped set's private folder is a temporary one, none given by value."""
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("data-home"))
    for name in SECRET_PLACES:
        os.environ.pop(name, None)


@pytest.fixture(autouse=True)
def _no_course_secret(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """And a fresh one for each test: a secret one test makes never changes another's inputs."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data-home")))
    for name in SECRET_PLACES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def session():
    from grader.session import GradingSession
    return GradingSession.load()


@pytest.fixture(scope="session")
def zygote():
    """The worker launcher this run grades with: the zygote, or the portable launcher where fork
    is missing or `GRADER_WORKER=portable` (grader.run.choice)."""
    from grader.run.choice import launcher

    z = launcher()
    z.start()
    yield z
    z.close()


@pytest.fixture
def grade_source(tmp_path: Path, session, zygote):
    """Grade a submission given as source text; returns the SubmissionResult."""
    from grader.engine import Options, grade
    def run(source: str, *exercises: str, name: str = "student.py", **options):
        path = tmp_path / name
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        return grade(session, path, zygote, Options(exercises=exercises, **options))

    return run
