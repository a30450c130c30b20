"""The student build of the grader: a wheel of the grader package without `grader/course/`.

Why: the CI files a student repository gets (`grader ci github|gitlab`) install the grader, and
the grader's own package ships the exercise set (`grader/course/`: specs, reference, mistakes,
drivers). A wheel of everything else, put into the student pack, is what they install instead:
a grader without a default exercise set (it says "no exercise set: pass --exercises or
$GRADER_EXERCISES"), which grades from the pack.

Why the standard library and not a build backend: the wheel is built from the package as it is
installed or checked out (a pack is made wherever the instructor's grader runs, often from
site-packages, where no pyproject.toml is), offline, with one directory left out, which
setuptools' package-data cannot express without a patched copy of the project; and it must be
reproducible, byte for byte. A wheel is a zip: the package's files and
`grader-<version>.dist-info/` with METADATA, WHEEL, entry_points.txt and RECORD (sha256,
urlsafe base64 without padding, and size, of every file). Entries are sorted, dist-info last
(RECORD the very last), every timestamp is 1980-01-01 and every mode 0644, so the same files
give the same bytes.

Metadata: the Requires-Dist and Provides-Extra lines are the grader's own, from its checkout's
pyproject.toml when the package sits in one (an editable install's recorded metadata goes stale
when the dependencies change), else from the installed distribution (importlib.metadata).
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import zipfile
from pathlib import Path

from .. import __version__

NAME = "grader"
#: the package's subfolder that holds the exercise set: never in a student build
EXCLUDED_DIRS = ("course",)
#: files that are build debris or editor leftovers, never part of the package
_DEBRIS = re.compile(r"(^|/)(__pycache__|\.[^/]*)(/|$)|\.py[co]$|~$|\.(orig|rej|swp|bak)$")
_EPOCH = (1980, 1, 1, 0, 0, 0)
_TAG = "py3-none-any"
SUMMARY = "Autograder and self-check for the neural-network basics of a machine-learning course"


class WheelError(Exception):
    """The student build cannot be made (no package metadata found)."""


def wheel_name(version: str = __version__) -> str:
    return f"{NAME}-{version}-{_TAG}.whl"


def package_dir() -> Path:
    import grader

    return Path(grader.__file__).resolve().parent


def package_files(root: Path | None = None) -> list[tuple[str, Path]]:
    """(name in the wheel, path) of every file of the package but the exercise set, sorted."""
    root = root or package_dir()
    files = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if not path.is_file() or _DEBRIS.search(relative):
            continue
        if relative.split("/", 1)[0] in EXCLUDED_DIRS:
            continue
        files.append((f"{NAME}/{relative}", path))
    return files


def _pyproject(root: Path) -> dict | None:
    """[project] of the checkout the package sits in, if it is this package's."""
    path = root.parent / "pyproject.toml"
    if not path.is_file():
        return None
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            return None
    try:
        project = tomllib.loads(path.read_text(encoding="utf-8")).get("project") or {}
    except (OSError, ValueError):
        return None
    return project if project.get("name") == NAME else None


def _with_extra(requirement: str, extra: str) -> str:
    """A requirement of an extra, as Requires-Dist writes it: the extra joins its marker."""
    spec, _, marker = requirement.partition(";")
    marker = marker.strip().replace("'", '"')
    condition = f'extra == "{extra}"'
    return f"{spec.strip()}; ({marker}) and {condition}" if marker else f"{spec.strip()}; {condition}"


def requirements(root: Path | None = None) -> tuple[list[str], list[str]]:
    """(Requires-Dist lines, Provides-Extra names) of the grader, as declared."""
    project = _pyproject(root or package_dir())
    if project is not None:
        requires = [r.replace("'", '"') for r in project.get("dependencies") or []]
        extras = project.get("optional-dependencies") or {}
        for extra, listed in extras.items():
            requires += [_with_extra(r, extra) for r in listed]
        return requires, list(extras)
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        meta = metadata(NAME)
    except PackageNotFoundError:
        raise WheelError("the grader's metadata is not installed and no pyproject.toml is beside "
                         "it: install the grader (pip install .) to make a student build") from None
    return list(meta.get_all("Requires-Dist") or []), list(meta.get_all("Provides-Extra") or [])


def _entry_points() -> str:
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        found = distribution(NAME).read_text("entry_points.txt")
    except PackageNotFoundError:
        found = None
    return found or "[console_scripts]\ngrader = grader.cli:main\n"


def _metadata(version: str, root: Path) -> str:
    requires, extras = requirements(root)
    project = _pyproject(root) or {}
    lines = ["Metadata-Version: 2.1", f"Name: {NAME}", f"Version: {version}",
             f"Summary: {project.get('description') or SUMMARY}",
             f"Requires-Python: {project.get('requires-python') or '>=3.10'}"]
    lines += [f"Provides-Extra: {extra}" for extra in extras]
    lines += [f"Requires-Dist: {requirement}" for requirement in requires]
    lines += ["Description-Content-Type: text/markdown", "",
              f"The student build of grader {version}: the grader without its exercise set (no "
              f"specs, reference, mistakes or drivers). It grades from a student pack: "
              f"`grader --exercises PACK check my_work.py`, or with $GRADER_EXERCISES set.", ""]
    return "\n".join(lines)


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o100644 << 16
    info.create_system = 3  # Unix, whatever builds it: the mode above means the same everywhere
    return info


def build_wheel(out_dir: str | Path, version: str = __version__, root: Path | None = None) -> Path:
    """Write the student build into `out_dir`; returns the wheel's path. Same files, same bytes."""
    root = root or package_dir()
    dist_info = f"{NAME}-{version}.dist-info"
    contents: list[tuple[str, bytes]] = [(name, path.read_bytes()) for name, path in package_files(root)]
    if not any(name == f"{NAME}/__init__.py" for name, _ in contents):
        raise WheelError(f"{root}: not the grader package")
    contents += [
        (f"{dist_info}/METADATA", _metadata(version, root).encode()),
        (f"{dist_info}/WHEEL", (f"Wheel-Version: 1.0\nGenerator: grader pack {__version__}\n"
                                f"Root-Is-Purelib: true\nTag: {_TAG}\n").encode()),
        (f"{dist_info}/entry_points.txt", _entry_points().encode()),
    ]
    record = "\n".join([_record_line(name, data) for name, data in contents]
                       + [f"{dist_info}/RECORD,,"]) + "\n"
    contents.append((f"{dist_info}/RECORD", record.encode()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in contents:
            archive.writestr(_info(name), data, compresslevel=9)
    target = Path(out_dir) / wheel_name(version)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(buffer.getvalue())
    return target
