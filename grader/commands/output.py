"""Where `grader check` sends its report: stdout or `-o FILE`, the `--fail-under` gate, and the
step summary and annotations a run under GitHub Actions adds; and the exit code it gives.

The options are added by one decorator, so a command (check today, the batch tomorrow) takes them
without changing its own signature; `emit` renders, writes and returns the exit code. What it
prints or appends to $GITHUB_STEP_SUMMARY comes from the reporters, which pass every student
string through its format's rule in `grader/report/untrusted.py`: nothing the student wrote can
start a workflow command in the log, and the annotations are escaped as the runner decodes them.
"""

from __future__ import annotations

import base64
import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import click

from ..messages import text
from ..result import SubmissionResult
from . import EXIT_FAILED, EXIT_PASSED

FORMATS = ("text", "json", "junit", "gradescope", "github")
_KEY = "grader.output"


@dataclass(frozen=True)
class Gate:
    """`--fail-under`: a number of points, or a percentage of the maximum score."""

    value: float
    percent: bool

    def required(self, max_score: float) -> float:
        return round(self.value / 100.0 * max_score, 6) if self.percent else self.value


def _lang(ctx: click.Context | None) -> str:
    return getattr(ctx.obj, "lang", "en") if ctx is not None else "en"


class GateType(click.ParamType):
    name = "SCORE|PERCENT"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Gate:
        if isinstance(value, Gate):
            return value
        raw = str(value).strip()
        percent = raw.endswith("%")
        try:
            number = float(raw[:-1] if percent else raw)
        except ValueError:
            number = float("nan")
        if not (number >= 0) or (percent and number > 100):
            self.fail(text("ci.bad_fail_under", _lang(ctx)).format(value=raw), param, ctx)
        return Gate(number, percent)


@dataclass(frozen=True)
class OutputOptions:
    output_file: Path | None = None
    fail_under: Gate | None = None
    as_base64: bool = False


def output_options(command: Callable[..., None]) -> Callable[..., None]:
    """Add -o/--output, --fail-under and --base64 to a command; `emit` reads them back."""

    @click.option("-o", "--output", "output_file", metavar="FILE", default=None,
                  type=click.Path(dir_okay=False, path_type=Path),
                  help="Write the report to FILE (any --format); a text report still goes to stdout.")
    @click.option("--fail-under", type=GateType(), default=None,
                  help="Exit 0 when the score reaches SCORE points or PERCENT (e.g. 80%) of the "
                       "maximum, else 1 (default: exit 0 only when every exercise passes).")
    @click.option("--base64", "as_base64", is_flag=True,
                  help="Encode the report in base64 (for a GitHub Actions step output).")
    @functools.wraps(command)
    def wrapper(*args: object, **kwargs: object) -> None:
        output_file, fail_under = kwargs.pop("output_file"), kwargs.pop("fail_under")
        click.get_current_context().meta[_KEY] = OutputOptions(
            output_file if isinstance(output_file, Path) else None,
            fail_under if isinstance(fail_under, Gate) else None, kwargs.pop("as_base64") is True)
        return command(*args, **kwargs)

    return wrapper


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if content.endswith("\n") else content + "\n", encoding="utf-8")


def github_extras(result: SubmissionResult, lang: str, err: bool = False) -> None:
    """Under GitHub Actions: append the Markdown summary, print annotations at the functions."""
    from ..report import github

    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        try:
            with open(summary, "a", encoding="utf-8") as handle:
                handle.write(github.render_summary(result, lang) + "\n")
        except OSError:
            pass  # a summary is a courtesy; the grade stands without it
    for command in github.annotations(result, lang, os.environ.get("GITHUB_WORKSPACE")):
        click.echo(command, err=err)


def emit(result: SubmissionResult, output_format: str, lang: str) -> int:
    """Render `result` as asked, send it where asked, and return the exit code."""
    from ..report import reporter

    ctx = click.get_current_context(silent=True)
    options = (ctx.meta.get(_KEY) if ctx is not None else None) or OutputOptions()
    if options.fail_under is not None:
        result.required_score = options.fail_under.required(result.max_score)
    rendered = reporter(output_format)(result, lang)
    if options.as_base64:
        rendered = base64.b64encode(rendered.encode("utf-8")).decode("ascii")
    machine = output_format != "text" or options.as_base64
    if options.output_file is not None:
        _write(options.output_file, click.unstyle(rendered))
        click.echo(reporter("text")(result, lang))  # the job's log stays readable
    else:
        click.echo(rendered)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        github_extras(result, lang, err=machine and options.output_file is None)
    if not result.passed and result.required_score is not None:
        click.echo(text("report.below_required", lang).format(
            score=f"{result.score:g}", max_score=f"{result.max_score:g}",
            required=f"{result.required_score:g}"), err=True)
    return EXIT_PASSED if result.passed else EXIT_FAILED
