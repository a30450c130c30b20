"""`grader similarity CLASS -o OUT`: rank the pairs of a class by similarity and write the report.

Importing this module stays light (click only). It only parses options and wires
grader/similarity/analyse.py to view.py. It reads submissions,
never runs them, and never touches a gradebook: a similarity is evidence, not a grade. Exit 0
once the report is written (flagged pairs or not), 2 on a usage or spec error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import EXIT_OK, Settings, fail_usage

#: flagged pairs printed on the terminal (the report lists more)
PRINTED = 10


@click.command("similarity")
@click.argument("submissions", metavar="CLASS", required=False,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--gradebook", "graded", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              metavar="OUT", help="Use the fingerprints `grader grade` stored in OUT/gradebook.sqlite "
                                  "(also when CLASS is such a folder): nothing is read again.")
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder: index.html, pairs/, similarity.json (default: CLASS-similarity).")
@click.option("-e", "--exercise", "exercise_ids", multiple=True, metavar="ID",
              help="Compare only this exercise function (repeatable; default: every exercise and the "
                   "rest of the code).")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.6, show_default=True,
              help="Flag a pair whose overall score reaches this.")
@click.option("--unit-threshold", type=click.FloatRange(0, 1), default=0.9, show_default=True,
              help="Flag a pair when one exercise function reaches this.")
@click.option("--min-tokens", type=click.IntRange(min=1), default=30, show_default=True,
              help="Judge a function only from this many normalised tokens (about three lines).")
@click.option("--common-share", type=click.FloatRange(0, 1), default=0.2, show_default=True,
              help="A fragment held by more than this share of the class is common, not evidence.")
@click.option("--starter", "starters", multiple=True, type=click.Path(exists=True, path_type=Path), metavar="FILE",
              help="Handout code every student got (.py, .ipynb or folder; repeatable): discounted.")
@click.option("--no-starter", is_flag=True, help="Do not discount the `grader init` starter.")
@click.option("--top", type=click.IntRange(min=0), default=30, show_default=True,
              help="Pairs listed beyond the flagged ones (0: only the flagged ones).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default=None,
              help="Language of the report (default: grader's --lang).")
@click.pass_obj
def similarity_command(settings: Settings, submissions: Path | None, graded: Path | None, out_dir: Path | None,
                       exercise_ids: tuple[str, ...],
                       threshold: float, unit_threshold: float, min_tokens: int, common_share: float,
                       starters: tuple[Path, ...], no_starter: bool, top: int, lang: str | None) -> None:
    """Rank the pairs of students in CLASS by how similar their code is, per exercise and overall.

    CLASS is a submissions folder, or the OUT folder of `grader grade` (its stored fingerprints
    are used, as with --gradebook OUT).

    Renamed variables, reordered functions, comments, whitespace, `a += b` and simple loops
    written as comprehensions do not hide a copy; the starter and code most of the class shares
    are not evidence. Writes OUT/index.html (ranked pairs) and a side-by-side page per pair.
    It never changes a grade.
    """
    from ..messages import text
    from ..report.untrusted import text_line as visible
    from ..similarity.analyse import analyse_class, base_material
    from ..similarity.stored import analyse_gradebook
    from ..similarity.record import Method
    from ..similarity.score import Options
    from ..similarity.units import OTHER
    from ..similarity.view import write_report
    from ..spec import SpecError, load_exercise_set

    from ..batch.gradebook import FILENAME

    lang = lang or settings.lang
    if graded is None and submissions is not None and (submissions / FILENAME).is_file():
        graded = submissions
    if graded is not None:
        if not (graded / FILENAME).is_file():
            fail_usage(text("similarity.cli.no_gradebook", lang).format(out=visible(str(graded))))
        submissions = graded
    if submissions is None:
        raise click.UsageError(text("similarity.cli.no_class", lang))
    if not submissions.is_dir():  # click lets a device such as /dev/null through
        raise click.BadParameter(f"{submissions} is not a folder", param_hint="CLASS")
    try:
        exercise_set = load_exercise_set(settings.exercises)
        exercise_set.select(exercise_ids)
    except SpecError as exc:
        fail_usage(exc, lang)
    out_dir = out_dir or submissions.with_name(submissions.name + "-similarity")
    method = Method()
    options = Options(threshold=threshold, unit_threshold=unit_threshold, min_tokens=min_tokens,
                      common_share=common_share, top=top)
    base = base_material(exercise_set, exercise_ids, not no_starter, list(starters), method)
    if graded is not None:
        analysis = analyse_gradebook(graded, exercise_set, exercise_ids, base, options, method)
        click.echo(text("similarity.cli.gradebook", lang).format(
            gradebook=visible(str(graded / FILENAME)), students=len(analysis.sources)))
    else:
        analysis = analyse_class(submissions, exercise_set, exercise_ids, base, options, method,
                                 exclude=(out_dir,))
    comparison = analysis.comparison
    sources = {name: student.modules for name, student in analysis.sources.items()}
    index = write_report(comparison, sources, out_dir, submissions.name, lang, analysis.ignored)
    (out_dir / "similarity.json").write_text(json.dumps(comparison.to_tree(), ensure_ascii=False),
                                             encoding="utf-8")

    ranking = comparison.ranking
    click.echo(text("similarity.cli.summary", lang).format(
        compared=len(comparison.compared), students=len(comparison.compared) + len(comparison.skipped),
        folder=visible(str(submissions)), candidates=ranking.candidates, flagged=ranking.flagged))
    flagged = [p for p in ranking.pairs if p.flagged][:PRINTED]
    for rank, pair in enumerate(flagged, 1):
        strongest = ", ".join(f"{text('similarity.other_code', lang) if u.unit == OTHER else visible(u.unit)} "
                              f"{100 * u.score:.0f}%" for u in pair.strongest[:3])
        click.echo(text("similarity.cli.pair", lang).format(rank=rank, a=visible(pair.a), b=visible(pair.b),
                                                            score=f"{100 * pair.score:.0f}%", strongest=strongest))
    if not flagged:
        click.echo(text("similarity.cli.none_flagged", lang))
    elif ranking.flagged > len(flagged):
        click.echo(text("similarity.cli.more", lang).format(count=ranking.flagged - len(flagged)))
    if comparison.skipped:
        click.echo(text("similarity.cli.not_compared", lang).format(
            students=", ".join(visible(r.student) for r in comparison.skipped)))
    click.echo(text("similarity.cli.report", lang).format(path=visible(str(index))))
    click.echo(text("similarity.cli.evidence", lang))
    sys.exit(EXIT_OK)
