"""The student build of the grader: the `grader` package alone, as a wheel built by setuptools.

Why: the CI files a student repository gets (`grader ci github|gitlab`) and the Gradescope
autograder install the grader, and a plain build of this project holds three packages: `grader`,
and the exercise set installed with it (`grader_exercises`, `grader_reference`). Students get the
first only: a grader without a default exercise set (it says "no exercise set: pass --exercises
or $GRADER_EXERCISES"), which grades from their pack.

How: a staging folder holds a copy of the grader package as it is installed or checked out (a
pack is often made from site-packages, where no pyproject.toml is) and a pyproject.toml naming
that package only, with the grader's own metadata; setuptools' PEP 517 backend
(`setuptools.build_meta.build_wheel`) builds the wheel from it, in a subprocess of this
interpreter, offline (no build isolation: the setuptools installed with the grader builds it).
Reproducible: SOURCE_DATE_EPOCH pins every timestamp in the zip (setuptools' bdist_wheel honours
it), staged files are 0644, and setuptools writes entries in sorted order, so the same grader
gives the same bytes.

Metadata: name, version, description, Python version, dependencies, extras and the console
script are the grader's own, from the checkout's pyproject.toml when the package sits in one (an
editable install's recorded metadata goes stale when the dependencies change), else from the
installed distribution (importlib.metadata), whose Requires-Dist lines of an extra are turned
back into that extra's list.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from importlib.metadata import PackageMetadata
from pathlib import Path

from ..version import __version__

NAME = "grader"
_TAG = "py3-none-any"
#: files that are build debris or editor leftovers, never part of the package
_DEBRIS = re.compile(r"(^|/)(__pycache__|\.[^/]*)(/|$)|\.py[co]$|~$|\.(orig|rej|swp|bak)$")
#: 1980-01-01, the earliest time a zip can hold
_EPOCH = "315532800"
_EXTRA = re.compile(r"""\bextra\s*==\s*["']([^"']+)["']""")
SUMMARY = "Autograder and self-check for the neural-network basics of a machine-learning course"


class StudentBuildError(Exception):
    """The student build cannot be made (no metadata, no setuptools, a failed build)."""


@dataclass(frozen=True)
class Metadata:
    """What the student build declares: the grader's own [project] fields."""

    version: str
    description: str = SUMMARY
    requires_python: str = ">=3.10"
    dependencies: list[str] = field(default_factory=list)
    extras: dict[str, list[str]] = field(default_factory=dict)
    scripts: dict[str, str] = field(default_factory=lambda: {"grader": "grader.launch:main"})


def wheel_name(version: str = __version__) -> str:
    return f"{NAME}-{version}-{_TAG}.whl"


def package_dir() -> Path:
    """The grader package's folder, as installed or checked out."""
    spec = importlib.util.find_spec(NAME)
    assert spec is not None and spec.submodule_search_locations, "the grader is importable"
    return Path(list(spec.submodule_search_locations)[0]).resolve()


def package_files(root: Path | None = None) -> list[str]:
    """Every file of the grader package, relative to it, debris left out, sorted."""
    root = root or package_dir()
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*")
                  if path.is_file() and not _DEBRIS.search(path.relative_to(root).as_posix()))


def _checkout_project(root: Path) -> dict | None:
    """[project] of the checkout the package sits in, if it is this package's."""
    path = root.parent / "pyproject.toml"
    if not path.is_file():
        return None
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # a dependency of the grader's on 3.10 (pyproject.toml)
        import tomli as tomllib
    try:
        project = tomllib.loads(path.read_text(encoding="utf-8")).get("project") or {}
    except (OSError, ValueError):
        return None
    return project if project.get("name") == NAME else None


def split_extra(requirement: str) -> tuple[str, str | None]:
    """A Requires-Dist line as (requirement, extra): the `extra == "x"` clause taken out of its
    marker, as setuptools writes it (`tomli>=2; python_version < "3.11" and extra == "x"`)."""
    spec, _, marker = requirement.partition(";")
    found = _EXTRA.search(marker)
    if found is None:
        return requirement.strip(), None
    rest = (marker[:found.start()] + marker[found.end():]).strip()
    rest = re.sub(r"^and\s+|\s+and$", "", rest).strip()
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1].strip()
    return (f"{spec.strip()}; {rest}" if rest else spec.strip()), found.group(1)


def metadata(root: Path | None = None) -> Metadata:
    """The grader's metadata, from its checkout or else from its installed distribution."""
    project = _checkout_project(root or package_dir())
    if project is not None:
        return Metadata(version=str(project.get("version") or __version__),
                        description=str(project.get("description") or SUMMARY),
                        requires_python=str(project.get("requires-python") or ">=3.10"),
                        dependencies=list(project.get("dependencies") or []),
                        extras={k: list(v) for k, v in (project.get("optional-dependencies") or {}).items()},
                        scripts=dict(project.get("scripts") or {"grader": "grader.launch:main"}))
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution(NAME)
    except PackageNotFoundError:
        raise StudentBuildError("the grader's metadata is not installed and no pyproject.toml is "
                                "beside it: install the grader (pip install .) to make a student "
                                "build") from None
    meta = dist.metadata
    extras: dict[str, list[str]] = {name: [] for name in meta.get_all("Provides-Extra") or []}
    dependencies = []
    for line in meta.get_all("Requires-Dist") or []:
        requirement, extra = split_extra(line)
        if extra is None:
            dependencies.append(requirement)
        else:
            extras.setdefault(extra, []).append(requirement)
    scripts = {ep.name: ep.value for ep in dist.entry_points if ep.group == "console_scripts"}
    return Metadata(version=dist.version, description=_field(meta, "Summary", SUMMARY),
                    requires_python=_field(meta, "Requires-Python", ">=3.10"),
                    dependencies=dependencies, extras=extras,
                    scripts=scripts or {"grader": "grader.launch:main"})


def _field(meta: PackageMetadata, name: str, default: str) -> str:
    """One field of installed metadata, `default` when it is absent or empty."""
    return next(iter(meta.get_all(name) or []), None) or default


def _toml(value: object) -> str:
    """A TOML value of strings, lists and tables of them (JSON's strings are TOML's)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _pyproject(meta: Metadata, files: list[str]) -> str:
    """The staging folder's pyproject.toml: the grader package alone, its data named file by file."""
    packages = sorted({f"{NAME}.{path.rsplit('/', 1)[0].replace('/', '.')}" if "/" in path else NAME
                       for path in files if path.endswith("/__init__.py") or path == "__init__.py"})
    data: dict[str, list[str]] = {}
    for path in files:
        if path.endswith(".py"):
            continue
        owner = max((p for p in packages if path.startswith(_folder(p))), key=len)
        data.setdefault(owner, []).append(path[len(_folder(owner)):])
    lines = ['[build-system]', 'requires = ["setuptools>=70.1"]',
             'build-backend = "setuptools.build_meta"', "",
             "[project]", f"name = {_toml(NAME)}", f"version = {_toml(meta.version)}",
             f"description = {_toml(meta.description)}", 'readme = "README.md"',
             f"requires-python = {_toml(meta.requires_python)}",
             f"dependencies = {_toml(meta.dependencies)}", "",
             "[project.optional-dependencies]", *[f"{json.dumps(k)} = {_toml(v)}" for k, v in meta.extras.items()],
             "", "[project.scripts]", *[f"{json.dumps(k)} = {_toml(v)}" for k, v in meta.scripts.items()],
             "", "[tool.setuptools]", f"packages = {_toml(packages)}", "include-package-data = false",
             "", "[tool.setuptools.package-data]", *[f"{json.dumps(k)} = {_toml(v)}" for k, v in data.items()]]
    return "\n".join(lines) + "\n"


def _folder(package: str) -> str:
    """A package's folder inside the staged `grader/`, as a prefix of its files' names."""
    return "" if package == NAME else package[len(NAME) + 1:].replace(".", "/") + "/"


def _readme(version: str) -> str:
    return (f"The student build of grader {version}: the grader without its exercise set (no "
            f"specs, reference, mistakes or drivers). It grades from a student pack: "
            f"`grader --exercises PACK check my_work.py`, or with $GRADER_EXERCISES set.\n")


def _stage(staging: Path, root: Path, meta: Metadata) -> None:
    files = package_files(root)
    if "__init__.py" not in files:
        raise StudentBuildError(f"{root}: not the grader package")
    for relative in files:
        target = staging / NAME / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / relative, target)
        os.chmod(target, 0o644)
    (staging / "README.md").write_text(_readme(meta.version), encoding="utf-8")
    (staging / "pyproject.toml").write_text(_pyproject(meta, files), encoding="utf-8")


_BUILD = "import sys\nfrom setuptools import build_meta\nprint(build_meta.build_wheel(sys.argv[1]))\n"


def build_student_wheel(out_dir: str | os.PathLike[str], root: Path | None = None) -> Path:
    """Write the student build into `out_dir`; returns the wheel's path. Same files, same bytes."""
    root = root or package_dir()
    meta = metadata(root)
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="grader-student-build-") as tmp:
        staging = Path(tmp) / "source"
        _stage(staging, root, meta)
        built = Path(tmp) / "dist"
        env = {**os.environ, "SOURCE_DATE_EPOCH": _EPOCH, "PYTHONDONTWRITEBYTECODE": "1"}
        try:
            proc = subprocess.run([sys.executable, "-c", _BUILD, str(built)], cwd=staging, env=env,
                                  capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise StudentBuildError(f"setuptools could not build the student build: {exc}") from None
        if proc.returncode != 0:
            why = "setuptools is not installed here" if "No module named 'setuptools'" in proc.stderr \
                else proc.stderr.strip()[-600:]
            raise StudentBuildError(f"the student build of the grader failed: {why}")
        wheel = built / proc.stdout.strip().splitlines()[-1]
        target = out / wheel.name
        shutil.copyfile(wheel, target)
    return target
