"""`grader collect`: an LMS's bulk download of submissions unpacked into a class folder.

The work is grader/lms/collect.py; this parses the options and says what happened. Exit codes:
0 collected (what was not is listed, and in the manifest), 2 refused (a corrupt or hostile
archive, a non-empty CLASS without --force, a roster that cannot be read): nothing written.
"""

from __future__ import annotations

from pathlib import Path

import click

from . import Settings, fail_usage
from .options import lang_option


@click.command("collect")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from", "source", type=click.Choice(["canvas", "moodle"]), required=True,
              help="The LMS the archive was downloaded from.")
@click.option("-o", "--out", "out", type=click.Path(path_type=Path), required=True, metavar="CLASS",
              help="The class folder to create (absent or empty unless --force).")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="CSV of the class: each submission goes to the roster's id of its student.")
@click.option("--attempt", type=click.Choice(["first", "last"]), default="last", show_default=True,
              help="Which of several attempts of a file to keep.")
@click.option("--force", is_flag=True, help="Update an earlier collect in CLASS (docs/lms.md).")
@click.option("--timezone", "zone_name", default="UTC", show_default=True, metavar="ZONE",
              help="The LMS server's time zone, for zip times that carry none (an IANA name).")
@click.option("--zip-times/--no-zip-times", default=None,
              help="Take submission times from the zip's entries (default: Moodle yes, Canvas no).")
@lang_option
@click.pass_obj
def collect_command(settings: Settings, archive: Path, source: str, out: Path, roster: Path | None, attempt: str,
                    force: bool, zone_name: str, zip_times: bool | None) -> None:
    """Unpack an LMS bulk download ARCHIVE into CLASS, a folder per student, for `grader grade`.

    Writes CLASS/<student>/ and CLASS/.grader-collect.json (each submission's time, late flag,
    attempt and LMS ids). Whatever is not collected is listed, with why.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from ..batch.roster import RosterError
    from ..lms.archive import ArchiveError
    from ..lms.collect import CollectError, Options, collect
    from ..lms.manifest import FILE_NAME
    from ..messages import render
    from ..report.untrusted import text_line

    lang = settings.lang
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        fail_usage(render("lms.collect.bad_zone", {"zone": text_line(zone_name)}, lang))
    options = Options(archive=archive, source="canvas" if source == "canvas" else "moodle", out=out,
                      roster=roster, attempt="first" if attempt == "first" else "last", force=force, zone=zone,
                      zip_times=zip_times)
    try:
        result = collect(options)
    except (ArchiveError, CollectError) as exc:
        fail_usage(render(exc.code, exc.facts, lang))
    except RosterError as exc:
        problem = render(exc.code, exc.facts, lang)
        fail_usage(render("batch.roster_error", {"path": str(roster), "problem": problem}, lang))
    manifest = result.manifest
    click.echo(render("lms.collect.done", {"count": len(result.collected), "archive": manifest.archive,
                                           "out": text_line(str(out))}, lang))
    if manifest.unmatched:
        click.echo(render("lms.collect.unmatched_title", {"count": len(manifest.unmatched),
                                                          "manifest": text_line(str(out / FILE_NAME))}, lang))
        for item in manifest.unmatched:
            click.echo(render("lms.collect.unmatched", {"entry": item.entry,
                                                        "reason": render(item.reason, {}, lang)}, lang))
    if source == "canvas" and not zip_times:
        click.echo(render("lms.collect.canvas_times", {}, lang))
    if result.same_times:
        time = next(s.submitted_at for s in manifest.submissions.values() if s.submitted_at)
        click.echo(render("lms.collect.same_times", {"time": time}, lang), err=True)
