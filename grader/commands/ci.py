"""`grader ci github|gitlab|gradescope`: the CI files of a student repository, and the
Gradescope autograder (the work: grader/ci/templates.py). Exit codes: 0 done, 2 a usage or spec
error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import click

from ..messages import text
from ..spec import SpecError
from . import Settings, fail_usage
from .output import Gate, GateType


def _gate_text(gate: Gate | None) -> str | None:
    if gate is None:
        return None
    return f"{gate.value:g}%" if gate.percent else f"{gate.value:g}"


@click.group("ci")
def ci_command() -> None:
    """Write CI files: a GitHub Actions workflow, a GitLab CI job, a Gradescope autograder."""


def _workflow_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--grader-spec", default=None, metavar="SPEC",
                     help="What `pip install` installs the grader from (default: the student "
                          "build in the pack, ./PACK/grader-VERSION-py3-none-any.whl): a git URL, "
                          "a wheel's URL or path, or a name on your own index."),
        click.option("--pack", "pack_dir", default=".grader", show_default=True, metavar="DIR",
                     help="The student pack (`grader pack`), relative to the repository."),
        click.option("--submission", default=".", show_default=True, metavar="PATH",
                     help="What to grade, relative to the repository: a .py file or a folder."),
        click.option("--fail-under", type=GateType(), default=None,
                     help="Pass the job from this score on: points (30) or a percentage (80%)."),
        click.option("--python", "python_version", default="3.12", show_default=True,
                     help="Python version of the CI job."),
        click.option("--extra", "extra_packages", multiple=True, metavar="PACKAGE",
                     help="Another package to install beside the grader (e.g. torch); repeatable."),
        click.option("--force", is_flag=True, help="Overwrite an existing file."),
        click.argument("repository", default=".", type=click.Path(file_okay=False, path_type=Path)),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _pack_wheel(repository: Path, pack_dir: str) -> tuple[str, bool]:
    """The student build in the repository's pack: (its path as pip is given it, whether it is there)."""
    from ..pack import read_manifest
    from ..pack.student_build import wheel_name

    manifest = read_manifest(repository / pack_dir) or {}
    wheel = manifest.get("grader_wheel")
    name = str((wheel.get("file") if isinstance(wheel, dict) else None) or wheel_name())
    return f"./{pack_dir.strip('/')}/{name}", (repository / pack_dir / name).is_file()


def _write_workflow(settings: Settings, kind: str, repository: Path, grader_spec: str | None, pack_dir: str,
                    submission: str, fail_under: Gate | None, python_version: str,
                    extra_packages: tuple[str, ...], force: bool, systems_text: str = "") -> None:
    from ..ci.templates import (GITHUB_WORKFLOW, GITLAB_CI, UnsafeValue, WorkflowSettings, github_workflow,
                                gitlab_ci, systems)

    lang = settings.lang
    wheel_there = True
    if grader_spec is None:  # the student build the pack holds: no other `grader` gets installed
        grader_spec, wheel_there = _pack_wheel(repository, pack_dir)
    try:
        workflow = WorkflowSettings(grader_spec=grader_spec, pack=pack_dir, submission=submission,
                                    gate=_gate_text(fail_under), lang=lang, python=python_version,
                                    extra_packages=extra_packages, systems=systems(systems_text, lang))
        content = github_workflow(workflow) if kind == "github" else gitlab_ci(workflow)
    except UnsafeValue as exc:
        fail_usage(str(exc))
    target = repository / (GITHUB_WORKFLOW if kind == "github" else GITLAB_CI)
    if target.exists() and not force:
        fail_usage(text("ci.exists", lang).format(path=target))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content, encoding="utf-8")
    click.echo(text("ci.written", lang).format(path=target))
    from ..pack import read_manifest

    if read_manifest(repository / pack_dir) is None:
        click.echo(text("ci.no_pack", lang).format(path=repository / pack_dir), err=True)
    elif not wheel_there:
        click.echo(text("ci.no_wheel", lang).format(path=repository / pack_dir), err=True)


@ci_command.command("github")
@_workflow_options
@click.option("--os", "systems_text", default="", metavar="windows,macos",
              help="Also grade on these systems (a job with a matrix of GitHub's Windows and macOS "
                   "runners), beside the Ubuntu job GitHub Classroom reads. Default: Ubuntu only.")
@click.pass_obj
def ci_github(settings: Settings, **options: Any) -> None:
    """Write .github/workflows/grade.yml into REPOSITORY (default: here).

    On every push it installs the grader (the student build in the pack, unless --grader-spec
    says otherwise), grades the submission against the student pack, writes a summary and
    annotations at the student's functions, and reports the score to GitHub Classroom.
    """
    _write_workflow(settings, "github", **options)


@ci_command.command("gitlab")
@_workflow_options
@click.pass_obj
def ci_gitlab(settings: Settings, **options: Any) -> None:
    """Write .gitlab-ci.yml into REPOSITORY (default: here): a job with a JUnit test report."""
    _write_workflow(settings, "gitlab", **options)


@ci_command.command("gradescope")
@click.argument("out", default="autograder.zip", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--seed", type=int, default=None, help="Seed of the drawn inputs (default: fixed).")
@click.option("--fail-under", type=GateType(), default=None,
              help="Recorded in results.json as the required score.")
@click.option("--torch/--no-torch", default=False, show_default=True,
              help="Install PyTorch in the autograder's image too (for submissions that use it).")
@click.pass_obj
def ci_gradescope(settings: Settings, out: Path, seed: int | None, fail_under: Gate | None, torch: bool) -> None:
    """Build OUT (default: autograder.zip), a Gradescope autograder: setup.sh, run_autograder,
    the grader (its student build, a wheel setup.sh installs) and the full exercise set (hidden
    checks included), with its inputs drawn now: the private inputs of the course secret (made
    now if there is none; the zip carries it: students never see an autograder), or with
    --seed the public inputs of that seed."""
    from ..ci.templates import UnsafeValue, gradescope_zip
    from ..pack.student_build import StudentBuildError
    from ..spec.loader import locate_set
    from .secret import ensure_and_tell

    lang = settings.lang
    try:
        location = locate_set(settings.exercises)
        if location.reference_dir is None:
            raise SpecError(f"{location.root}: a Gradescope autograder needs the exercise set with "
                            f"its reference/ (the hidden checks run there), not a student pack")
        secret = None
        if seed is None:  # the autograder grades on the course secret's private inputs
            secret = ensure_and_tell(settings.exercises, location.root, lang)
        gradescope_zip(location, out, seed=seed, secret=secret, lang=lang,
                       gate=_gate_text(fail_under), torch=torch)
    except (SpecError, StudentBuildError, UnsafeValue) as exc:
        fail_usage(exc, lang)
    click.echo(text("ci.written", lang).format(path=out))
