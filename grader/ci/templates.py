"""Render the CI templates of `grader/templates/` and build the Gradescope autograder zip.

Templates are plain files with `@@{name}` fields (string.Template with another delimiter, so
neither the shell's `$VAR` nor GitHub's `${{ … }}` needs escaping). Values that land in a shell
command line are checked to be plain (no spaces, quotes, `$`, backslashes) instead of quoted.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import string
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from ..messages import text

if TYPE_CHECKING:
    from ..secret import Secret
    from ..spec.loader import SetLocation

GITHUB_WORKFLOW = Path(".github") / "workflows" / "grade.yml"
GITLAB_CI = Path(".gitlab-ci.yml")
#: what run_autograder needs beyond the grader (its student build travels in the zip): pinned at
#: build time
REQUIREMENTS = ("numpy", "pyyaml", "click", "hypothesis")
#: what may stand unquoted in a command line (paths), and inside double quotes (pip specs)
PATH = re.compile(r"^[A-Za-z0-9_./-]+$")
SPEC = re.compile(r"^[A-Za-z0-9_.,:/@+=~%<>!#\[\]-]+$")
GATE = re.compile(r"^[0-9]+(\.[0-9]+)?%?$")
#: the systems `grader ci github --os` adds a job for, and their GitHub-hosted runners (the
#: `grade` job, the one GitHub Classroom reads, stays on Ubuntu)
RUNNERS = {"windows": "windows-latest", "macos": "macos-latest"}


class UnsafeValue(ValueError):
    """A value that cannot be written into a shell command line as it is."""


class _Template(string.Template):
    delimiter = "@@"


def plain(option: str, value: str, lang: str = "en", pattern: re.Pattern[str] = PATH) -> str:
    if not pattern.match(value):
        raise UnsafeValue(text("ci.bad_value", lang).format(option=option, value=value))
    return value


def template(name: str) -> str:
    return resources.files("grader.templates").joinpath(name).read_text(encoding="utf-8")


def render(name: str, **values: str) -> str:
    return _Template(template(name)).substitute(values)


@dataclass(frozen=True)
class WorkflowSettings:
    """What a workflow file needs to know: where the grader comes from, what it grades, how."""

    grader_spec: str
    pack: str = ".grader"
    submission: str = "."
    gate: str | None = None  # the --fail-under value, as typed: "80%" or "30"
    lang: str = "en"
    python: str = "3.12"
    extra_packages: tuple[str, ...] = ()
    #: keys of RUNNERS: a job per system beside the `grade` job (GitHub only)
    systems: tuple[str, ...] = ()

    def values(self) -> dict[str, str]:
        lang = self.lang
        return {
            "grader_spec": plain("--grader-spec", self.grader_spec, lang, SPEC),
            "pack": plain("--pack", self.pack, lang),
            "submission": plain("--submission", self.submission, lang),
            "gate": f" --fail-under {plain('--fail-under', self.gate, lang, GATE)}" if self.gate else "",
            "lang": lang,
            "python": plain("--python", self.python, lang),
            "extra_packages": "".join(f' "{plain("--extra", p, lang, SPEC)}"'
                                      for p in self.extra_packages),
        }


def systems(value: str, lang: str = "en") -> tuple[str, ...]:
    """`--os windows,macos` as RUNNERS keys, in RUNNERS' order, each once (`linux`: the grade
    job already runs there); another name is refused with the ones there are."""
    names = [name.strip().lower() for name in value.split(",")
             if name.strip() and name.strip().lower() not in ("linux", "ubuntu")]
    unknown = [name for name in names if name not in RUNNERS]
    if unknown:
        raise UnsafeValue(text("ci.bad_os", lang).format(value=", ".join(unknown), known=", ".join(RUNNERS)))
    return tuple(name for name in RUNNERS if name in names)


def github_workflow(settings: WorkflowSettings) -> str:
    workflow = render("github-workflow.yml", **settings.values())
    if settings.systems:
        runners = json.dumps([RUNNERS[name] for name in settings.systems])
        workflow += render("github-workflow-platforms.yml", runners=runners, **settings.values())
    return workflow


def gitlab_ci(settings: WorkflowSettings) -> str:
    return render("gitlab-ci.yml", **settings.values())


def dependencies() -> list[str]:
    """The grader's run-time dependencies, by name, from its installed metadata."""
    from importlib.metadata import PackageNotFoundError, requires

    try:
        declared = requires("grader") or []
    except PackageNotFoundError:
        return list(REQUIREMENTS)
    names = [re.split(r"[\s;<>=!~\[(]", req, maxsplit=1)[0] for req in declared if "extra ==" not in req]
    return [name for name in names if name] or list(REQUIREMENTS)


def requirements(torch: bool, pinned: bool = True) -> list[str]:
    """The run-time dependencies, at the versions installed here when `pinned`."""
    from importlib.metadata import PackageNotFoundError, version

    names = dependencies() + (["torch"] if torch else [])
    if not pinned:
        return names
    specs = []
    for name in names:
        try:
            specs.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            specs.append(name)
    return specs


def _copy_tree(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))


def _drop_wheels(root: Path) -> None:
    """A student pack given as the exercise set brings its own wheel: the zip has one already."""
    for wheel in root.glob("*.whl"):
        wheel.unlink()


@contextmanager
def _cache_at(path: Path) -> Iterator[None]:
    """Draw plans into `path` (the grader's plan cache follows $GRADER_CACHE_DIR)."""
    saved = os.environ.get("GRADER_CACHE_DIR")
    os.environ["GRADER_CACHE_DIR"] = str(path)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("GRADER_CACHE_DIR", None)
        else:
            os.environ["GRADER_CACHE_DIR"] = saved


def _draw_plans(exercises_root: Path, seed: int, cache: Path, private: bool) -> None:
    """Draw every plan (hidden checks' too) into `cache`, or the private ones into the copy of
    the private folder beside the exercises, so Gradescope draws nothing."""
    from ..session import GradingSession
    from ..secret import PRIVATE_DIR, find_secret_in

    with _cache_at(cache):
        secret = find_secret_in(exercises_root / PRIVATE_DIR) if private else None
        session = GradingSession.load(exercises_root, seed, secret=secret)
        for exercise in session.exercise_set.exercises.values():
            session.plan(exercise)
            session.hidden_plan(exercise)


def _copy_private(secret: "Secret", target: Path) -> None:
    """The course secret and its pinned private inputs, where run_autograder's `grader check`
    finds them: the private folder beside the exercise set (grader.secret)."""
    from ..plan.private import private_plans_dir
    from ..secret import PLANS_DIR, SECRET_FILE

    target.mkdir(mode=0o700)
    (target / SECRET_FILE).write_text(secret.key.hex() + "\n", encoding="ascii")
    plans = private_plans_dir(secret)
    if plans.is_dir():
        shutil.copytree(plans, target / PLANS_DIR, ignore=shutil.ignore_patterns("*.tmp"))


def gradescope_zip(location: "SetLocation", out: Path, *, seed: int | None, secret: "Secret | None" = None,
                   lang: str = "en", gate: str | None = None, torch: bool = False) -> list[str]:
    """Build the autograder zip at `out`; returns the names it holds, for the caller to show.

    The grader goes in as its student build (`grader.pack.student_build`: the package without its
    exercise set, which `exercises/` replaces, with its reference/ beside the specs as in an
    instructor's own set), installed by setup.sh like any wheel. With a
    course `secret` (and no `seed`) the zip carries it and the private inputs pinned from it, in
    `exercises/.grader-private/`: students never see an autograder, and every submission is
    graded on the inputs the instructor's own `grader grade` uses."""
    from ..pack.student_build import build_student_wheel, wheel_name
    from ..plan import DEFAULT_SEED
    from ..secret import PRIVATE_DIR

    fallback = json.dumps({"score": 0.0, "output": text("ci.autograder_failed", lang).format(
        status="__STATUS__"), "tests": []}, ensure_ascii=False)
    private = seed is None and secret is not None
    options = "" if private else f" --seed {int(seed if seed is not None else DEFAULT_SEED)}"
    if gate:
        options += f" --fail-under {plain('--fail-under', gate, lang, GATE)}"
    files = {
        "setup.sh": render("gradescope/setup.sh",
                           requirements=" ".join(f'"{r}"' for r in requirements(torch)),
                           unpinned=" ".join(f'"{r}"' for r in requirements(torch, pinned=False)),
                           wheel=wheel_name()),
        "run_autograder": render("gradescope/run_autograder", lang=lang, options=options,
                                 fallback=fallback),
    }
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp)
        build_student_wheel(staging)
        _copy_tree(location.root, staging / "exercises")
        _drop_wheels(staging / "exercises")
        if location.reference_dir is not None and not (staging / "exercises" / "reference").is_dir():
            # the installed set's reference (grader_reference): beside its specs, as in any set
            _copy_tree(location.reference_dir, staging / "exercises" / "reference")
        if private:
            assert secret is not None
            _copy_private(secret, staging / "exercises" / PRIVATE_DIR)
        _draw_plans(staging / "exercises", seed if seed is not None else DEFAULT_SEED,
                    staging / "cache", private)
        out.parent.mkdir(parents=True, exist_ok=True)
        names = []
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, content in files.items():
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.external_attr = (0o100755 << 16)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, content)
                names.append(name)
            for path in sorted(staging.rglob("*")):
                if path.is_file():
                    name = path.relative_to(staging).as_posix()
                    archive.write(path, name)
                    names.append(name)
    return names
