"""The `grader` command line: the group's own options, and every command registered on it.

The commands live in grader/commands/, one module per command or group; each parses its
options, calls the module that does the work and exits with the codes of grader/commands
(0 done or passed, 1 something did not pass, 2 a usage or spec error, 130 interrupted).
"""

from __future__ import annotations

import sys

import click

from .commands import Settings
from .commands.batch import export_command, grade_command, history_command
from .commands.check import check_command
from .commands.collect import collect_command
from .commands.course import comment_command, override_command
from .commands.ci import ci_command
from .commands.doctor import doctor_command
from .commands.exercises import explain_command, init_command, list_command
from .commands.pack import pack_command
from .commands.resident import resident_command
from .commands.secret import secret_command
from .commands.similarity import similarity_command
from .commands.validate import validate_command
from .messages import render
from .version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="grader")
@click.option("--exercises", "exercises", metavar="DIR", envvar="GRADER_EXERCISES",
              help="Exercise set folder (default: the one installed with the grader).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default=None,
              help="Language of the feedback (default: GRADER_LANG, else grader.toml or "
                   "~/.config/grader/config.toml, else the locale).")
@click.pass_context
def cli(ctx: click.Context, exercises: str | None, lang: str | None) -> None:
    """Check neural-network exercises against a reference, safely."""
    from .config import choose_language
    from .report.console import colour
    from .report.untrusted import replace_unencodable

    replace_unencodable(sys.stdout, sys.stderr)  # a GBK console: ✗ as ×, never a traceback
    ctx.color = colour()  # NO_COLOR, TERM=dumb: no styles; else a terminal has them, a file not

    choice = choose_language(lang)
    for problem in choice.problems:
        click.echo(render("config.ignored", {"problem": problem}, choice.lang), err=True)
    _check_worker_choice(choice.lang)
    # a resident grader runs this group with its warm sessions as `obj` (grader.resident.server)
    ctx.obj = Settings(exercises, choice.lang, choice.source == "flag", sessions=ctx.obj)


def _check_worker_choice(lang: str) -> None:
    """A GRADER_WORKER this system cannot run is refused by name, before anything is graded."""
    from .run.choice import UnknownWorker, worker_kind

    try:
        worker_kind()
    except UnknownWorker as exc:
        raise click.UsageError(render("worker.unknown", {"value": exc.value}, lang)) from None


for _command in (list_command, check_command, validate_command, init_command, explain_command,
                 collect_command, grade_command, export_command, history_command, pack_command, ci_command,
                 secret_command, doctor_command, similarity_command, override_command, comment_command,
                 resident_command):
    cli.add_command(_command)


def main() -> None:
    from .commands.click_words import early_language, install

    install(early_language(sys.argv[1:]), cli)  # Click's usage errors in the run's language
    cli(prog_name="grader")
